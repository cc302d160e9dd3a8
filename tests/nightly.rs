//! `salesops run`: the scheduled run on sample_data publishes one complete,
//! reproducible folder with a manifest, never a partial one, and refuses to
//! share its output folder with a second run.

mod common;
use common::*;

use std::path::{Path, PathBuf};

/// A temporary copy of sample_data and a config pointing at it.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
        for entry in std::fs::read_dir(sample).unwrap() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "csv") {
                std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
            }
        }
        let example = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/nightly.toml"),
        )
        .unwrap();
        let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/commission.toml");
        let config = example
            .replace("data = \"../sample_data\"", "data = \"data\"")
            .replace("dir = \"../out/nightly\"", "dir = \"out\"")
            .replace(
                "plan = \"commission.toml\"",
                &format!("plan = {:?}", plan.to_str().unwrap()),
            )
            // The company report only: team and region reports are covered
            // by tests/audiences.rs and tests/delivery.rs, and typesetting
            // them all for three periods here would only cost CI minutes.
            .replace(
                "report_formats = [\"html\", \"pdf\"]",
                "report_formats = [\"html\", \"pdf\"]\nreport_audiences = [\"company\"]",
            );
        assert!(config.contains("data = \"data\"") && config.contains("dir = \"out\""));
        assert!(config.contains("report_audiences"));
        std::fs::write(dir.path().join("nightly.toml"), config).unwrap();
        Setup { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("nightly.toml")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn run(&self) -> std::process::Output {
        run(&[
            "run",
            self.config().to_str().unwrap(),
            "--as-of",
            "2026-10-31",
        ])
    }
}

/// Every file under `dir` (the lock file aside), relative path → bytes, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.ends_with(".salesops.lock") {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn manifest(folder: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap()
}

/// The manifest's record of the input table `table`.
fn input<'a>(manifest: &'a serde_json::Value, table: &str) -> &'a serde_json::Value {
    manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["table"] == table)
        .unwrap_or_else(|| panic!("no input {table} in the manifest"))
}

#[test]
fn publishes_a_complete_run_with_manifest_and_latest() {
    let s = Setup::new();
    let o = s.run();
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = s.out().join("2026-10-31");
    assert_eq!(
        std::fs::read_link(s.out().join("latest")).unwrap(),
        PathBuf::from("2026-10-31")
    );
    let m = manifest(&folder);
    assert_eq!(m["as_of"], "2026-10-31");
    let periods: Vec<&str> = m["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2026-10", "2026-09", "2026-Q4"]);
    assert_eq!(m["salesops_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["config_sha256"].as_str().unwrap().len(), 64);
    // Every input with its size, row count and checksum.
    let orders = input(&m, "orders");
    let sample_orders = std::fs::read(s.dir.path().join("data/orders.csv")).unwrap();
    assert_eq!(orders["bytes"], sample_orders.len());
    assert_eq!(orders["rows"], 5777);
    assert_eq!(orders["rejected_rows"], 0);
    // Every output listed with the checksum of the file on disk, nothing else on disk.
    let on_disk = files(&folder);
    let listed = m["outputs"].as_array().unwrap();
    assert_eq!(
        on_disk.len(),
        listed.len() + 1,
        "manifest.json plus the listed outputs"
    );
    for o in listed {
        let (_, bytes) = on_disk
            .iter()
            .find(|(p, _)| p == o["path"].as_str().unwrap())
            .unwrap();
        use sha2::Digest;
        assert_eq!(
            format!("{:x}", sha2::Sha256::digest(bytes)),
            o["sha256"].as_str().unwrap()
        );
    }
    let names: Vec<&str> = on_disk.iter().map(|(p, _)| p.as_str()).collect();
    for expected in [
        "month_to_date/kpi/scorecard.csv",
        "month_to_date/kpi/company.parquet",
        "previous_month/kpi/funnel.csv",
        "quarter_to_date/kpi/rollup_region.csv",
        "previous_month/commission.csv",
        "previous_month/commission.xlsx",
        "previous_month/commission_detail.csv",
        "month_to_date/report_zh.html",
        "quarter_to_date/report_en.html",
        "previous_month/report_zh.pdf",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert!(!names
        .iter()
        .any(|n| n.starts_with("month_to_date/commission")));
    // PDF for the closed month only (`pdf_periods` in nightly.toml).
    assert!(names
        .iter()
        .all(|n| !n.ends_with(".pdf") || n.starts_with("previous_month/")));
    let stages: Vec<&str> = m["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages[0], "validate");
    assert!(stages.contains(&"commission previous_month"));
    // The published scorecard is what `salesops kpi` computes for the period.
    let kpi_out = s.dir.path().join("kpi");
    let o = run(&[
        "kpi",
        "--data",
        s.dir.path().join("data").to_str().unwrap(),
        "--period",
        "2026-09",
        "--as-of",
        "2026-10-31",
        "--out",
        kpi_out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(kpi_out.join("scorecard.csv")).unwrap(),
        std::fs::read(folder.join("previous_month/kpi/scorecard.csv")).unwrap()
    );
}

#[test]
fn same_inputs_config_and_as_of_give_byte_identical_outputs() {
    let a = Setup::new();
    let b = Setup::new();
    assert!(a.run().status.success());
    // A second apart, so anything stamped with the clock would differ.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(b.run().status.success());
    let strip = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .filter(|(p, _)| p != "manifest.json")
            .collect()
    };
    let fa = strip(files(&a.out().join("2026-10-31")));
    let fb = strip(files(&b.out().join("2026-10-31")));
    assert!(fa.len() > 20);
    assert_eq!(fa, fb);
    // The manifests list the same outputs with the same checksums.
    assert_eq!(
        manifest(&a.out().join("2026-10-31"))["outputs"],
        manifest(&b.out().join("2026-10-31"))["outputs"]
    );
}

/// The stage names of a published run's manifest.
fn stage_names(folder: &Path) -> Vec<String> {
    manifest(folder)["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_rerun_on_unchanged_inputs_reads_the_validated_store_and_publishes_the_same_files() {
    let s = Setup::new();
    let published = s.out().join("2026-10-31");
    assert!(s.run().status.success());
    assert_eq!(stage_names(&published)[0], "validate");
    let first = manifest(&published);
    let first_files: Vec<_> = files(&published)
        .into_iter()
        .filter(|(p, _)| p != "manifest.json")
        .collect();
    assert!(s.out().join(".store").is_dir());

    let o = s.run();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stage_names(&published)[0], "read validated store");
    let second = manifest(&published);
    // Same inputs recorded (sizes and SHA-256), same outputs, same bytes.
    assert_eq!(first["inputs"], second["inputs"]);
    assert_eq!(first["outputs"], second["outputs"]);
    assert_eq!(first["warnings"], second["warnings"]);
    let second_files: Vec<_> = files(&published)
        .into_iter()
        .filter(|(p, _)| p != "manifest.json")
        .collect();
    assert_eq!(first_files, second_files);

    // A changed input is validated again (and its bad row still refused).
    let orders = s.dir.path().join("data/orders.csv");
    let mut text = std::fs::read_to_string(&orders).unwrap();
    text.push_str("SO_BAD,1,2026-10-05,R0002,C000071,0021,two,5.44,5.79,3.0674,,shipped,\n");
    std::fs::write(&orders, text).unwrap();
    let o = s.run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("column quantity"), "{}", stderr(&o));
}

#[test]
fn a_store_inside_the_output_folder_other_than_dot_store_is_refused() {
    let s = Setup::new();
    for store in ["out/.runs", "out", "."] {
        let config = std::fs::read_to_string(s.config()).unwrap();
        let config = config.replace(
            "format = \"auto\"",
            &format!("format = \"auto\"\nstore = {store:?}"),
        );
        let path = s.dir.path().join("store.toml");
        std::fs::write(&path, config).unwrap();
        let o = run(&["run", path.to_str().unwrap(), "--as-of", "2026-10-31"]);
        assert_eq!(o.status.code(), Some(3), "{store}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("give the store a folder of its own"),
            "{}",
            stderr(&o)
        );
    }
    assert!(s.dir.path().join("data/orders.csv").is_file());
}

#[test]
fn a_failed_run_leaves_the_published_run_untouched() {
    let s = Setup::new();
    assert!(s.run().status.success());
    let before = files(&s.out());
    // A bad row in tonight's export: the gate fails, exit 2, nothing changes.
    let orders = s.dir.path().join("data/orders.csv");
    let mut text = std::fs::read_to_string(&orders).unwrap();
    let header = text.lines().next().unwrap().to_string();
    let columns = header.split(',').count();
    let mut bad = vec!["XBAD", "1", "2026-13-45"];
    bad.resize(columns, "");
    text.push_str(&bad.join(","));
    text.push('\n');
    std::fs::write(&orders, text).unwrap();
    let o = s.run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("data-quality gate failed"), "{err}");
    assert!(
        err.contains("orders row 5778 column order_date: unparsable value `2026-13-45`"),
        "{err}"
    );
    assert_eq!(files(&s.out()), before);
    let entries: Vec<String> = std::fs::read_dir(s.out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".salesops.lock")
        .collect();
    let mut entries = entries;
    entries.sort();
    // The run folders live under .runs; 2026-10-31 and latest link to them;
    // .store holds the last clean load (the failed one stored nothing: the
    // files above are unchanged).
    assert_eq!(entries, [".runs", ".store", "2026-10-31", "latest"]);
}

#[test]
fn a_second_run_is_refused_while_the_lock_is_held() {
    let s = Setup::new();
    std::fs::create_dir_all(s.out()).unwrap();
    let lock = std::fs::File::create(s.out().join(".salesops.lock")).unwrap();
    lock.try_lock().unwrap();
    let o = s.run();
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("another salesops run"),
        "{}",
        stderr(&o)
    );
    assert!(!s.out().join("2026-10-31").exists());
    drop(lock);
    assert!(s.run().status.success());
}

#[test]
fn config_check_accepts_the_example_and_suggests_the_nearest_key() {
    let o = run(&["config", "check", "pipelines/nightly.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("config pipelines/nightly.toml: ok"));
    let s = Setup::new();
    let bad = s.dir.path().join("bad.toml");
    std::fs::write(&bad, "[kpi]\nchurn_day = 60\n").unwrap();
    let o = run(&["config", "check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("did you mean `churn_days` instead of `churn_day`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_raw_export_is_run_through_the_profile_named_in_the_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[input]\ndata = {:?}\nprofile = {:?}\n[periods]\nrules = [\"month_to_date\"]\n[output]\ndir = \"out\"\nkpi_formats = [\"csv\"]\nreport_languages = [\"zh\"]\nreport_formats = [\"html\"]\n",
        root.join("pipelines/profiles/samples/zh_crm").to_str().unwrap(),
        root.join("pipelines/profiles/zh_crm.toml").to_str().unwrap(),
    );
    let path = dir.path().join("zh.toml");
    std::fs::write(&path, config).unwrap();
    let check = run(&["config", "check", path.to_str().unwrap()]);
    assert!(
        stdout(&check).contains("zh_crm.toml: ok"),
        "{}",
        stderr(&check)
    );
    let o = run(&["run", path.to_str().unwrap(), "--as-of", "2026-10-31"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = dir.path().join("out/2026-10-31");
    let m = manifest(&folder);
    assert_eq!(m["profile_sha256"].as_str().unwrap().len(), 64);
    let reps = input(&m, "reps");
    assert_eq!(
        (reps["file"].as_str(), reps["rows"].as_u64()),
        (Some("员工.csv"), Some(4))
    );
    // Every file of the export, lookups included, with its checksum.
    let files: Vec<&str> = m["export_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "产品.csv",
            "发票.csv",
            "员工.csv",
            "回款.csv",
            "客户.csv",
            "目标.csv",
            "订单明细.csv"
        ]
    );
    // The company row of the month: the hand-worked totals of tests/profiles.rs.
    let company = std::fs::read_to_string(folder.join("month_to_date/kpi/company.csv")).unwrap();
    let rows = csv_rows(&company);
    assert_eq!(cell(&rows, "scope", "company", "sales_amount"), "31100.00");
    assert_eq!(
        cell(&rows, "scope", "company", "collected_amount"),
        "21000.00"
    );
}

/// A one-day month to date (as_of on the first of the month) publishes:
/// every period's report renders, whatever lists come out empty.
#[test]
fn the_first_day_of_a_month_publishes() {
    let s = Setup::new();
    // Every period typeset as PDF, the nightly config's closed month only
    // aside: empty lists must typeset too.
    let config = std::fs::read_to_string(s.config()).unwrap();
    let all = "pdf_periods = [\"month_to_date\", \"previous_month\", \"quarter_to_date\"]";
    assert!(config.contains("pdf_periods = [\"previous_month\"]"));
    std::fs::write(
        s.config(),
        config.replace("pdf_periods = [\"previous_month\"]", all),
    )
    .unwrap();
    let o = run(&["run", s.config().to_str().unwrap(), "--as-of", "2026-10-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = s.out().join("2026-10-01");
    for rule in ["month_to_date", "previous_month", "quarter_to_date"] {
        for file in ["report_zh.pdf", "report_en.pdf", "report_en.html"] {
            let path = folder.join(rule).join(file);
            assert!(path.exists(), "{} missing", path.display());
        }
    }
    assert!(s.out().join("latest").exists());
}
