//! Every command's outcome means what it says: documented exit codes per
//! kind of failure, output files whose content matches their names, filters
//! that match nothing refused, a closed pipe is no error, and text from the
//! data never becomes markup or a spreadsheet formula.

mod common;
use common::*;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

fn code(o: &std::process::Output) -> i32 {
    o.status.code().expect("exited")
}

const PERIOD: [&str; 4] = ["--period", "2026-10", "--as-of", "2026-10-31"];

fn tiny(extra: &[&str]) -> Vec<String> {
    let data = fixture("tiny");
    let mut args: Vec<String> = vec!["--data".into(), data.to_str().unwrap().into()];
    args.extend(PERIOD.iter().map(|s| s.to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run_owned(first: &[&str], rest: &[String]) -> std::process::Output {
    let mut all: Vec<&str> = first.to_vec();
    all.extend(rest.iter().map(String::as_str));
    run(&all)
}

#[test]
fn usage_and_configuration_errors_exit_3() {
    let data = fixture("tiny");
    let d = data.to_str().unwrap();
    for args in [
        vec![
            "scorecard",
            "--data",
            d,
            "--period",
            "2026-10",
            "--as-of",
            "2026-13-01",
        ],
        vec![
            "scorecard",
            "--data",
            d,
            "--period",
            "2026-10",
            "--by",
            "planet",
        ],
        vec!["scorecard", "--data", d, "--period", "Oct-26"],
        vec!["run", "no/such/config.toml"],
        vec![
            "scorecard",
            "--data",
            d,
            "--period",
            "2026-10",
            "--config",
            "no/such.toml",
        ],
        vec![
            "commission",
            "--data",
            d,
            "--period",
            "2026-10",
            "--plan",
            "no/such/plan.toml",
            "--out",
            "/tmp/never.csv",
        ],
        vec![
            "scorecard",
            "--data",
            d,
            "--period",
            "2026-10",
            "--format",
            "parquet",
        ],
        vec![
            "scorecard",
            "--data",
            d,
            "--period",
            "2026-10",
            "--format",
            "json",
            "--out",
            "/tmp/x.csv",
        ],
        vec!["nonsense-command"],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 3, "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).trim().is_empty(), "{args:?} says nothing");
    }
    // --help is not an error.
    assert_eq!(code(&run(&["--help"])), 0);
}

#[test]
fn invalid_data_exits_2() {
    let dir = copy_fixture("tiny");
    let reps = std::fs::read_to_string(dir.path().join("reps.csv")).unwrap();
    // The first rep again: a duplicate key.
    let first = reps.lines().nth(1).unwrap();
    std::fs::write(dir.path().join("reps.csv"), format!("{reps}{first}\n")).unwrap();
    let o = run(&["validate", "--data", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn output_files_match_their_names() {
    let dir = tempfile::tempdir().unwrap();
    // No --format: the extension decides.
    for (name, check) in [
        ("s.csv", b"period,rep_id".as_slice()),
        ("s.json", b"[".as_slice()),
        ("s.parquet", b"PAR1".as_slice()),
        ("s.xlsx", b"PK".as_slice()),
    ] {
        let out = dir.path().join(name);
        let o = run_owned(&["scorecard"], &tiny(&["--out", out.to_str().unwrap()]));
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let bytes = std::fs::read(&out).unwrap();
        assert!(
            bytes.starts_with(check),
            "{name} holds {:?}",
            &bytes[..8.min(bytes.len())]
        );
    }
    // A contradiction is refused and writes nothing.
    let out = dir.path().join("t.csv");
    let o = run_owned(
        &["scorecard"],
        &tiny(&["--format", "table", "--out", out.to_str().unwrap()]),
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("t.csv") && stderr(&o).contains("--format"));
    assert!(!out.exists());
    // Commission: .xlsx without --format is a workbook, not CSV text.
    let book = dir.path().join("c.xlsx");
    let o = hostile_commission(&["--out", book.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read(&book).unwrap().starts_with(b"PK"));
    let o = hostile_commission(&["--format", "csv", "--out", book.to_str().unwrap()]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
}

#[test]
fn filters_that_match_nothing_are_refused_with_the_nearest_name() {
    let rows = scorecard_rows(&tiny(&[]).iter().map(String::as_str).collect::<Vec<_>>());
    let team = cell(&rows, "rep_id", &rows[1][1], "team");
    let typo = format!("{}x", team);
    let o = run_owned(&["scorecard"], &tiny(&["--team", &typo]));
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("did you mean `{team}`")),
        "{}",
        stderr(&o)
    );
    let o = run_owned(&["scorecard"], &tiny(&["--rep", "NOBODY"]));
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let o = run_owned(&["scorecard"], &tiny(&["--region", "Atlantis"]));
    assert_eq!(code(&o), 3, "{}", stderr(&o));
}

/// The salesops binary with `args`, run from the repository's root.
fn salesops_in_repo(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_salesops"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).args(args);
    command
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let mut child = salesops_in_repo(&[
        "scorecard",
        "--data",
        "sample_data",
        "--period",
        "2026",
        "--as-of",
        "2026-10-31",
        "--format",
        "csv",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Read one byte, then close the pipe like `| head -c1`.
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
}

#[test]
fn a_closed_stderr_never_leaves_kpi_files_half_written() {
    let out = tempfile::tempdir().unwrap();
    let mut child = salesops_in_repo(&[
        "kpi",
        "--data",
        "sample_data",
        "--period",
        "2026-09",
        "--as-of",
        "2026-10-15",
        "--format",
        "csv",
        "--out",
    ])
    .arg(out.path())
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // `2>&1 | head -0`: the reader goes before the first line is written.
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let written = std::fs::read_dir(out.path()).unwrap().count();
    assert_eq!(written, 8, "every KPI table is written");
}

const HOSTILE_NAME: &str = "<img src=x onerror=alert(1)>";

fn hostile() -> std::path::PathBuf {
    fixture("hostile")
}

/// `salesops commission` of the hostile fixture under the example plan.
fn hostile_commission(extra: &[&str]) -> std::process::Output {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/commission.toml");
    let mut args = vec!["--plan", plan.to_str().unwrap()];
    args.extend_from_slice(extra);
    run_owned(&["commission"], &hostile_args(&args))
}

fn hostile_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec!["--data".into(), hostile().to_str().unwrap().into()];
    args.extend(PERIOD.iter().map(|s| s.to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[test]
fn hostile_text_never_becomes_markup_in_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_owned(
        &["report"],
        &hostile_args(&[
            "--out",
            dir.path().to_str().unwrap(),
            "--audience",
            "company,teams,regions",
        ]),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let team_reports: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path().join("teams"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for lang in ["zh", "en"] {
        let html = std::fs::read_to_string(dir.path().join(format!("report_2026-10_{lang}.html")))
            .unwrap();
        // Every report, team and region ones included, escapes the names.
        for path in team_reports.iter().chain(
            std::fs::read_dir(dir.path().join("regions"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect::<Vec<_>>()
                .iter(),
        ) {
            if path.extension().is_some_and(|e| e == "html") {
                let page = std::fs::read_to_string(path).unwrap();
                for raw in [
                    "<img",
                    "<script>alert",
                    "<b>bold",
                    "<svg onload",
                    "<i>visit",
                ] {
                    assert!(!page.contains(raw), "{path:?}: {raw} reached the page raw");
                }
            }
        }
        for raw in [
            "<img",
            "<script>alert",
            "<b>bold",
            "<svg onload",
            "<i>visit",
        ] {
            assert!(!html.contains(raw), "{lang}: {raw} reached the page raw");
        }
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{lang}: name missing"
        );
        assert!(
            html.contains("&lt;script&gt;alert(2)&lt;&#x2f;script&gt;")
                || html.contains("&lt;script&gt;alert(2)&lt;/script&gt;")
        );
        // The PDFs show the names as text, typst markup included (a rep's
        // page, with the name in its heading, is in the team report).
        let text: String = std::iter::once(dir.path().join(format!("report_2026-10_{lang}.pdf")))
            .chain(
                team_reports
                    .iter()
                    .filter(|p| p.to_string_lossy().ends_with(&format!(".{lang}.pdf")))
                    .cloned(),
            )
            .map(|pdf| {
                String::from_utf8_lossy(
                    &Command::new("pdftotext")
                        .arg(&pdf)
                        .arg("-")
                        .output()
                        .unwrap()
                        .stdout,
                )
                .into_owned()
            })
            .collect();
        assert!(text.contains(HOSTILE_NAME), "{lang}: PDF lost the name");
        assert!(
            text.contains("#emph[x] $y$"),
            "{lang}: typst markup was interpreted"
        );
    }
}

#[test]
fn hostile_text_is_kept_in_machine_files_and_neutralised_for_excel() {
    let dir = tempfile::tempdir().unwrap();
    // Machine CSV keeps values exactly.
    let rows = scorecard_rows(
        &hostile_args(&[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(cell(&rows, "rep_id", "R1", "rep_name"), HOSTILE_NAME);
    assert_eq!(cell(&rows, "rep_id", "R1", "team"), "=1+1");
    assert_eq!(cell(&rows, "rep_id", "R2", "region"), "+SUM(A1)");
    // Commission for Excel: text cells that would run as formulas get a quote.
    let excel = dir.path().join("c.csv");
    let o = hostile_commission(&["--excel", "--out", excel.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&excel).unwrap();
    let rows = csv_rows(text.trim_start_matches('\u{feff}'));
    assert_eq!(cell(&rows, "rep_id", "R1", "team"), "'=1+1");
    assert_eq!(cell(&rows, "rep_id", "R1", "rep_name"), HOSTILE_NAME);
    // Amounts stay numbers (a negative amount is not text).
    assert!(!text.contains("'-0") && !text.contains("'0."));
    // KPI tables: Parquet keeps values, XLSX writes text cells, never formulas.
    let kpi = dir.path().join("kpi");
    let o = run_owned(
        &["kpi"],
        &hostile_args(&[
            "--out",
            kpi.to_str().unwrap(),
            "--format",
            "csv,parquet,xlsx",
        ]),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let file = std::fs::File::open(kpi.join("scorecard.parquet")).unwrap();
    use polars::prelude::SerReader;
    let df = polars::prelude::ParquetReader::new(file).finish().unwrap();
    let teams: Vec<Option<&str>> = df.column("team").unwrap().str().unwrap().iter().collect();
    assert_eq!(teams, [Some("=1+1"), Some("<script>alert(2)</script>")]);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(kpi.join("customers.xlsx")).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let formulas = book.worksheet_formula(&sheet).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "a formula was written"
    );
    let range = book.worksheet_range(&sheet).unwrap();
    assert!(range.used_cells().any(|(_, _, c)| matches!(c, calamine::Data::String(s) if s == "=HYPERLINK(\"http://x\",\"click\")")));
}

#[test]
fn unknown_extensions_dashes_links_and_devices_are_handled_honestly() {
    let dir = tempfile::tempdir().unwrap();
    // An extension that names no format we write is refused, not given a text table.
    for name in ["x.tsv", "x.xls"] {
        let out = dir.path().join(name);
        let o = run_owned(&["scorecard"], &tiny(&["--out", out.to_str().unwrap()]));
        assert_eq!(code(&o), 3, "{name}: {}", stderr(&o));
        assert!(!out.exists());
    }
    let json = dir.path().join("c.json");
    let o = hostile_commission(&["--out", json.to_str().unwrap()]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    // `-` is standard output.
    let o = run_owned(&["scorecard"], &tiny(&["--format", "csv", "--out", "-"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("period,rep_id"), "{}", stdout(&o));
    // A link keeps being a link; the file it points to gets the table.
    let target = dir.path().join("target.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = run_owned(&["scorecard"], &tiny(&["--out", link.to_str().unwrap()]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(link.is_symlink());
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .starts_with("period,rep_id"));
}

#[test]
fn a_reps_table_without_rows_is_invalid_data() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("reps.csv"), "rep_id,rep_name,region,team\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    for args in [
        vec!["validate", "--data", dir.path().to_str().unwrap()],
        vec![
            "report",
            "--data",
            dir.path().to_str().unwrap(),
            "--period",
            "2026-10",
            "--as-of",
            "2026-10-31",
            "--out",
            out.path().to_str().unwrap(),
        ],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("has a header but no rows"),
            "{}",
            stderr(&o)
        );
    }
}
