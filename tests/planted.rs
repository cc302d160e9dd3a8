//! `salesops generate --plant-anomalies` (issue 21): every planted case is
//! flagged by its own rule and by no other, in the latest month whose
//! return window lies within the history; without the option the files are
//! exactly those of the same seed (the planted rows only follow them).

mod common;
use common::*;
use std::path::Path;

/// Each rule, the tag of its planted ids and the evidence its row must hold.
const CASES: [(&str, &str, &str); 8] = [
    ("duplicate_visit_time", "DUP", "V-PLANT-DUP-1;V-PLANT-DUP-2"),
    ("overlapping_visits", "OVL", "V-PLANT-OVL-1;V-PLANT-OVL-2"),
    ("too_many_visits_per_day", "MANY", "V-PLANT-MANY-16"),
    ("period_end_stuffing", "STUFF", "SO-PLANT-STUFF-R"),
    (
        "orders_while_overdue",
        "OVERDUE",
        "SO-PLANT-OVERDUE;INV-PLANT-OVERDUE",
    ),
    ("stale_opportunity", "STALE", "OPP-PLANT-STALE"),
    ("discount_violation", "DISC", "SO-PLANT-DISC#1"),
    ("cross_region_line", "XREG", "SO-PLANT-XREG#1"),
];

fn generate(out: &Path, scale: &str, seed: &str, end: &str, plant: bool) {
    let mut args = vec![
        "generate",
        "--out",
        out.to_str().unwrap(),
        "--scale",
        scale,
        "--seed",
        seed,
        "--end-date",
        end,
    ];
    if plant {
        args.push("--plant-anomalies");
    }
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// (rule, evidence) of every flag of `period` as of `as_of`.
fn flags(data: &Path, period: &str, as_of: &str) -> Vec<(String, String)> {
    flag_rows(data, period, as_of)
        .into_iter()
        .map(|r| (r[1].clone(), r[4].clone()))
        .collect()
}

/// Two companies: sample_data's options (plant month September 2026, its
/// return window running through the National Day holidays) and a larger
/// one ending on 5 October, whose September window is not over yet, so
/// the cases go to August.
#[test]
fn every_planted_case_is_flagged_by_its_rule_only() {
    for (scale, seed, end, month) in [
        ("0.05", "42", "2026-10-31", "2026-09"),
        ("0.3", "7", "2026-10-05", "2026-08"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (plain, planted) = (dir.path().join("plain"), dir.path().join("planted"));
        generate(&plain, scale, seed, end, false);
        generate(&planted, scale, seed, end, true);
        for entry in std::fs::read_dir(&plain).unwrap() {
            let name = entry.unwrap().file_name();
            let a = std::fs::read(plain.join(&name)).unwrap();
            let b = std::fs::read(planted.join(&name)).unwrap();
            assert!(b.starts_with(&a), "{name:?}: normal rows changed");
        }
        let rows = flags(&planted, month, end);
        for (rule, tag, evidence) in CASES {
            assert!(
                rows.iter()
                    .any(|(r, e)| r == rule && e.contains(evidence) && e.contains("PLANT")),
                "{month}: {rule} does not flag {evidence}: {rows:?}"
            );
            // No planted id of this case raises another rule's flag.
            let marker = format!("PLANT-{tag}");
            for (r, e) in &rows {
                assert!(
                    r == rule || !e.contains(&marker),
                    "{month}: {r} flags the {rule} case: {e}"
                );
            }
        }
        let stuffing = rows
            .iter()
            .find(|(r, e)| r == "period_end_stuffing" && e.contains("PLANT"))
            .map(|(_, e)| e.clone())
            .unwrap_or_default();
        assert!(
            stuffing.starts_with("SO-PLANT-STUFF;") || stuffing.contains(";SO-PLANT-STUFF;"),
            "{month}: the stuffing order is evidence: {stuffing}"
        );
        // The normal data of the same month raises no planted id.
        assert!(flags(&plain, month, end)
            .iter()
            .all(|(_, e)| !e.contains("PLANT")));
    }
}
