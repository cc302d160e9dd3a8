//! `salesops report`: the HTML report of sample_data in both languages reads
//! the KPI tables (its numbers are the scorecard's), is self-contained and
//! deterministic.

mod common;
use common::*;

fn render(out: &std::path::Path) -> std::process::Output {
    run(&[
        "report",
        "--data",
        "sample_data",
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--out",
        out.to_str().unwrap(),
        "--lang",
        "zh,en",
        "--audience",
        "company,teams",
    ])
}

/// `1234567.89` → `1,234,567.89`.
fn grouped(plain: &str) -> String {
    let (int, frac) = plain.split_once('.').unwrap();
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{out}.{frac}")
}

#[test]
fn html_in_both_languages_holds_the_scorecard_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let o = render(dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let zh = std::fs::read_to_string(dir.path().join("report_2026-10_zh.html")).unwrap();
    let en = std::fs::read_to_string(dir.path().join("report_2026-10_en.html")).unwrap();
    assert!(zh.contains("销售团队报告 · 2026-10") && zh.contains("数据截至 2026-10-31"));
    assert!(en.contains("Sales team report · 2026-10") && en.contains("as of 2026-10-31"));

    let rows = scorecard_rows(&[
        "--data",
        "sample_data",
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--by",
        "company",
    ]);
    let sales = grouped(&cell(&rows, "scope", "company", "sales_amount"));
    let reps = scorecard_rows(&[
        "--data",
        "sample_data",
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
    ]);
    for page in [&zh, &en] {
        assert!(
            page.contains(&format!(">{sales}<")),
            "company sales {sales} missing"
        );
        for r in &reps[1..] {
            assert!(page.contains(&r[2]), "rep name {} missing", r[2]);
        }
        // Self-contained: no scripts, stylesheets or images fetched from anywhere.
        assert!(!page.contains("<script src") && !page.contains("<link") && !page.contains("src="));
        // Six charts and no rep page: the company report is bounded (a rep's
        // page is in the team report).
        let nothing = ["Nothing to plot this period", "本期无可绘制的数据"]
            .iter()
            .map(|n| page.matches(n).count())
            .sum::<usize>();
        // Each drawn chart twice: at full width and at a phone's width.
        let drawn = page.matches("<div class=\"narrow\">").count();
        assert_eq!(page.matches("<svg").count(), 2 * drawn);
        assert_eq!(drawn + nothing, 6);
        assert_eq!(page.matches("<section class=\"rep\">").count(), 0);
    }
    // Every rep has a page in exactly one team report: six charts, then one
    // small trend chart per rep page — or, for a rep with no sales in 12
    // months, the note that there is nothing to plot.
    let mut pages = 0;
    for entry in std::fs::read_dir(dir.path().join("teams")).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".en.html") {
            continue;
        }
        let page = std::fs::read_to_string(&path).unwrap();
        let here = page.matches("<section class=\"rep\">").count();
        let nothing = page.matches("Nothing to plot this period").count();
        let drawn = page.matches("<div class=\"narrow\">").count();
        assert_eq!(
            page.matches("<svg").count() - drawn + nothing,
            6 + here,
            "{path:?}"
        );
        pages += here;
    }
    assert_eq!(pages, reps.len() - 1);
    assert!(reps[1..]
        .iter()
        .any(|r| r[2].chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))));
}

#[test]
fn two_renders_are_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    assert!(render(a.path()).status.success());
    assert!(render(b.path()).status.success());
    for name in ["zh.html", "en.html", "zh.pdf", "en.pdf"] {
        let name = format!("report_2026-10_{name}");
        assert_eq!(
            std::fs::read(a.path().join(&name)).unwrap(),
            std::fs::read(b.path().join(&name)).unwrap()
        );
    }
}
