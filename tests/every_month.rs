//! Every period of every dataset renders: the report in HTML and PDF, both
//! languages, for every month of the sample range, for tidy months with empty
//! exception lists, for sparse data directories and for negative values
//! (issue "every month renders"; the handed cases in ../shared/cases).

mod common;
use common::*;

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts `salesops report` for one period without waiting for it.
fn spawn_report(data: &Path, period: &str, as_of: &str, out: &Path, formats: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_salesops"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "--data"])
        .arg(data)
        .args(["--period", period, "--as-of", as_of, "--out"])
        .arg(out)
        .args(["--format", formats, "--lang", "zh,en"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs `salesops report` on `data` for one period into `out`.
fn report(
    data: &Path,
    period: &str,
    as_of: &str,
    out: &Path,
    formats: &str,
    langs: &str,
) -> std::process::Output {
    run(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--period",
        period,
        "--as-of",
        as_of,
        "--out",
        out.to_str().unwrap(),
        "--format",
        formats,
        "--lang",
        langs,
    ])
}

/// The last day of a `YYYY-MM` month.
fn month_end(month: &str) -> String {
    let (y, m): (i32, u32) = (month[..4].parse().unwrap(), month[5..].parse().unwrap());
    let next = if m == 12 {
        chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    (next.unwrap() - chrono::Days::new(1)).to_string()
}

/// The report files of one period exist and the PDFs are PDFs.
fn assert_rendered(out: &Path, period: &str, formats: &[&str]) {
    for lang in ["zh", "en"] {
        for ext in formats {
            let path = out.join(format!("report_{period}_{lang}.{ext}"));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if *ext == "pdf" {
                assert!(bytes.starts_with(b"%PDF"), "{}", path.display());
            }
        }
    }
}

/// Text of a PDF (pdftotext from poppler-utils, which .ci/run installs).
fn pdf_text(path: &Path) -> String {
    let o = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn every_month_of_the_sample_range_renders_html_and_pdf_in_both_languages() {
    // sample_data holds May 2025 – October 2026; two reports at a time (2 cores).
    let mut months = Vec::new();
    let mut d = chrono::NaiveDate::from_ymd_opt(2025, 5, 1).unwrap();
    while d <= chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() {
        months.push(d.format("%Y-%m").to_string());
        d = d + chrono::Months::new(1);
    }
    assert_eq!(months.len(), 18);
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    for pair in months.chunks(2) {
        let children: Vec<(String, Child)> = pair
            .iter()
            .map(|m| {
                let out = dir.path().join(m);
                (
                    m.clone(),
                    spawn_report(&data, m, &month_end(m), &out, "html,pdf"),
                )
            })
            .collect();
        for (m, child) in children {
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "{m}: {}", stderr(&o));
            assert_rendered(&dir.path().join(&m), &m, &["html", "pdf"]);
        }
    }
}

#[test]
fn first_day_of_a_month_renders() {
    let dir = tempfile::tempdir().unwrap();
    let o = report(
        Path::new("sample_data"),
        "2026-10",
        "2026-10-01",
        dir.path(),
        "html,pdf",
        "zh,en",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_rendered(dir.path(), "2026-10", &["html", "pdf"]);
}

/// ../shared/cases/report-empty-list-pdf: R1 at 120 %, R2 at 112.5 %, every
/// line at list price: no rep below 80 %, no discount violation.
#[test]
fn a_tidy_month_with_empty_lists_renders_and_says_none() {
    let data = fixture("cases/report-empty-list-pdf");
    let dir = tempfile::tempdir().unwrap();
    let o = report(&data, "2026-10", "2026-10-31", dir.path(), "html,pdf", "en");
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("report_2026-10_en.html")).unwrap();
    let below = section(&html, "Reps below 80 % sales attainment");
    assert!(below.contains("None this period."), "{below}");
    let discount = section(&html, "Discount violations");
    assert!(discount.contains("None this period."), "{discount}");
    let text = pdf_text(&dir.path().join("report_2026-10_en.pdf"));
    let after = text
        .split("Reps below 80 % sales attainment")
        .nth(1)
        .unwrap();
    assert!(
        after.trim_start().starts_with("None this period."),
        "{after}"
    );
}

/// The HTML between a heading with `title` and the next heading.
fn section<'a>(html: &'a str, title: &str) -> &'a str {
    let start = html
        .find(&format!(">{title}"))
        .unwrap_or_else(|| panic!("no section {title}"));
    let rest = &html[start..];
    let end = rest[1..].find("<h").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

fn sparse(tables: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in tables {
        std::fs::write(dir.path().join(format!("{name}.csv")), text).unwrap();
    }
    dir
}

const REPS: &str = "rep_id,rep_name,region,team\nR1,Ann,North,Field\nR2,Bo,South,Inside\n";
const ORDERS: &str =
    "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price\n\
O1,1,2026-10-05,R1,C1,P1,2,100\nO2,1,2026-10-06,R2,C2,P1,1,50\n";

#[test]
fn sparse_data_renders_and_says_which_table_would_fill_each_section() {
    let only_reps = sparse(&[("reps", REPS)]);
    let with_orders = sparse(&[("reps", REPS), ("orders", ORDERS)]);
    for (data, absent, present) in [
        (
            &only_reps,
            vec!["orders", "invoices", "visits", "targets"],
            vec![],
        ),
        (
            &with_orders,
            vec!["invoices", "visits", "targets"],
            vec!["orders"],
        ),
    ] {
        let out = tempfile::tempdir().unwrap();
        let o = report(
            data.path(),
            "2026-10",
            "2026-10-31",
            out.path(),
            "html,pdf",
            "zh,en",
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_rendered(out.path(), "2026-10", &["html", "pdf"]);
        let html = std::fs::read_to_string(out.path().join("report_2026-10_en.html")).unwrap();
        for table in absent {
            assert!(
                html.contains(&format!("needs the {table}"))
                    || html.contains(&format!(", {table}"))
                    || html.contains(&format!("{table}, ")),
                "no section names the absent {table} table"
            );
        }
        for table in present {
            assert!(
                !html.contains(&format!("needs the {table} table")),
                "{table}"
            );
        }
        let zh = std::fs::read_to_string(out.path().join("report_2026-10_zh.html")).unwrap();
        assert!(zh.contains("无法显示：需要数据中的"), "zh note");
    }
}

/// ../shared/cases/chart-negative-values: team Beta's September sales are
/// −300.00 (a return only) against 1,000.00 (−30 %).
#[test]
fn negative_team_sales_extend_the_chart_below_zero() {
    let data = fixture("cases/chart-negative-values");
    let dir = tempfile::tempdir().unwrap();
    let o = report(&data, "2026-09", "2026-10-31", dir.path(), "html,pdf", "en");
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("report_2026-09_en.html")).unwrap();
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    let ticks: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').and_then(|(_, r)| r.split_once('<')))
        .map(|(t, _)| t.trim())
        .collect();
    assert!(
        ticks
            .iter()
            .any(|t| t.starts_with('-') && !t.ends_with('%')),
        "{ticks:?}"
    );
    assert!(
        ticks.iter().any(|t| t.starts_with('-') && t.ends_with('%')),
        "{ticks:?}"
    );
    let rows = scorecard_rows(&[
        "--data",
        data.to_str().unwrap(),
        "--by",
        "team",
        "--period",
        "2026-09",
        "--as-of",
        "2026-10-31",
    ]);
    assert_eq!(cell(&rows, "team", "Beta", "sales_amount"), "-300.00");
    assert_eq!(cell(&rows, "team", "Beta", "sales_attainment"), "-0.3");
}

/// ../shared/cases/report_lost_list: 20 customers lapse in August 2026, 10
/// lapsed long before. The list is the KPI's 20, top 10 shown, "… and 10 more".
#[test]
fn the_lost_list_is_the_periods_lost_customers_bounded() {
    let data = fixture("cases/report_lost_list");
    let rows = scorecard_rows(&[
        "--data",
        data.to_str().unwrap(),
        "--period",
        "2026-08",
        "--as-of",
        "2026-08-31",
        "--columns",
        "rep_id,lost_customers",
    ]);
    assert_eq!(rows[1][1], "20");
    let dir = tempfile::tempdir().unwrap();
    let o = report(&data, "2026-08", "2026-08-31", dir.path(), "html", "en");
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("report_2026-08_en.html")).unwrap();
    let lost = section(&html, "Customers lost this period");
    assert_eq!(lost.matches("<tr>").count(), 1 + 10, "{lost}");
    assert!(lost.contains("… and 10 more."), "{lost}");
    // Only customers whose last order was 2026-05-15 (lapsing in August).
    assert_eq!(lost.matches("2026-05-15").count(), 10);
    assert!(!lost.contains("2025-01-10"));
}

/// ../shared/cases/rollup_attainment_untargeted_reps: the web shop's 5,000
/// without a target does not inflate the team or the report headline.
#[test]
fn rollup_and_headline_attainment_count_only_targeted_reps() {
    let data = fixture("cases/rollup_attainment_untargeted_reps");
    let args = |by: &'static str| {
        vec![
            "--data",
            data.to_str().unwrap(),
            "--period",
            "2026-08",
            "--as-of",
            "2026-08-31",
            "--by",
            by,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let rows = |by| {
        let a = args(by);
        scorecard_rows(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert_eq!(
        cell(&rows("team"), "team", "Field", "sales_attainment"),
        "0.8"
    );
    assert_eq!(
        cell(&rows("team"), "team", "Field", "sales_amount"),
        "5800.00"
    );
    assert_eq!(
        cell(&rows("company"), "scope", "company", "sales_attainment"),
        "0.8"
    );
    let dir = tempfile::tempdir().unwrap();
    let o = report(&data, "2026-08", "2026-08-31", dir.path(), "html", "en");
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("report_2026-08_en.html")).unwrap();
    let summary = section(&html, "Summary");
    assert!(summary.contains(">80.0 %<"), "{summary}");
    assert!(!summary.contains("580.0 %"), "{summary}");
    // The headline says what it leaves out.
    assert!(
        summary.contains("5,000.00 of this period&#x27;s sales are by reps")
            || summary.contains("5,000.00 of this period's sales are by reps"),
        "{summary}"
    );
}
