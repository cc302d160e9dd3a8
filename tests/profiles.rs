//! Mapping profiles: every shipped profile loads its real export untouched and
//! reproduces the facts counted from it (../shared/realdata/README.md); the
//! Chinese sample gives the same tables from GBK CSV and from XLSX, and
//! hand-worked KPIs; every encoding, delimiter and the .xls path; profile
//! mistakes are named with file, row and column.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use common::{csv_rows, run, scorecard_rows, stderr, stdout};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn profile(name: &str) -> String {
    root()
        .join("pipelines/profiles")
        .join(format!("{name}.toml"))
        .display()
        .to_string()
}

/// The real export folder under `$SALESOPS_REALDATA` (default
/// ../shared/realdata), or `None` with a notice when it is absent.
fn realdata(sub: &str) -> Option<PathBuf> {
    let base = std::env::var_os("SALESOPS_REALDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/realdata"));
    let dir = base.join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "notice: {} is absent; real-export test skipped",
            dir.display()
        );
        None
    }
}

/// Runs `salesops ingest` and returns the output folder.
/// `salesops ingest --profile P --from F --to T` plus `extra` arguments.
fn run_ingest(profile: &str, from: &Path, to: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "ingest",
        "--profile",
        profile,
        "--from",
        from.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn ingest(profile: &str, from: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let o = run_ingest(profile, from, &out.path().join("tables"), &[]);
    assert!(o.status.success(), "ingest failed: {}", stderr(&o));
    out
}

/// A converted table as rows of name → value.
fn table(out: &tempfile::TempDir, name: &str) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(out.path().join("tables").join(format!("{name}.csv")))
        .unwrap_or_else(|e| panic!("{name}.csv: {e}"));
    let rows = csv_rows(&text);
    let header = rows[0].clone();
    rows[1..]
        .iter()
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

fn count(rows: &[BTreeMap<String, String>], column: &str, value: &str) -> usize {
    rows.iter().filter(|r| r[column] == value).count()
}

/// Decimal text → integer cents (the test's own exact parser).
fn cents(text: &str) -> i64 {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let neg = int.starts_with('-');
    let frac = format!("{frac:0<2}");
    assert!(
        frac[2..].chars().all(|c| c == '0'),
        "{text} has sub-cent digits"
    );
    let value = int.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + frac[..2].parse::<i64>().unwrap();
    if neg {
        -value
    } else {
        value
    }
}

fn raw_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn maven_crm_reproduces_won_lost_and_won_value() {
    let Some(dir) = realdata("maven_crm") else {
        return;
    };
    let out = ingest(&profile("maven_crm"), &dir);
    let opps = table(&out, "opportunities");
    assert_eq!(count(&opps, "stage", "won"), 4_238);
    assert_eq!(count(&opps, "stage", "lost"), 2_473);
    let won: i64 = opps
        .iter()
        .filter(|r| r["stage"] == "won")
        .map(|r| cents(&r["amount"]))
        .sum();
    assert_eq!(won, 10_005_534 * 100);
    // The 500 Prospecting rows are skipped by the profile, visibly.
    assert_eq!(opps.len(), 8_800 - 500);
    let rejects = std::fs::read_to_string(out.path().join("tables/rejects.csv")).unwrap();
    assert_eq!(
        rejects
            .matches("skipped by the profile: deal_stage in [Prospecting]")
            .count(),
        500
    );
    assert_eq!(table(&out, "reps").len(), 35);
    let customers = table(&out, "customers");
    assert_eq!(
        count(&customers, "segment", "technology"),
        12,
        "sector typo mapped"
    );
    assert_eq!(count(&customers, "segment", "technolgy"), 0);

    // Open deals without a value take the profile's amount 0, and the user is
    // told how many: counted here from the raw file.
    let raw = csv_rows(&std::fs::read_to_string(dir.join("sales_pipeline.csv")).unwrap());
    let (stage, value) = (
        raw[0].iter().position(|c| c == "deal_stage").unwrap(),
        raw[0].iter().position(|c| c == "close_value").unwrap(),
    );
    let valueless = raw[1..]
        .iter()
        .filter(|r| r[stage] != "Prospecting" && r[value].is_empty())
        .count();
    assert!(valueless > 1_000, "{valueless}");
    let o = run(&[
        "validate",
        "--profile",
        &profile("maven_crm"),
        "--data",
        dir.to_str().unwrap(),
    ]);
    assert!(
        stderr(&o).contains(&format!(
            "warning: opportunities.amount: {valueless} row(s) of sales_pipeline.csv have no value (column close_value); the profile's default \"0\" stands in for them"
        )),
        "{}",
        stderr(&o)
    );

    // The Excel-resaved variant (M/D/YYYY dates, LF) converts to the same table.
    let text = std::fs::read_to_string(profile("maven_crm"))
        .unwrap()
        .replace(
            "\"sales_pipeline.csv\"",
            "\"variant_excel_resaved_sales_pipeline.csv\"",
        );
    let variant_profile = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(variant_profile.path(), text).unwrap();
    let variant = ingest(variant_profile.path().to_str().unwrap(), &dir);
    assert_eq!(table(&variant, "opportunities"), opps);
}

#[test]
fn salesforce_exports_reproduce_stage_counts() {
    if let Some(dir) = realdata("salesforce_exports/stomita_migration_app_pack") {
        let out = ingest(&profile("salesforce"), &dir);
        let opps = table(&out, "opportunities");
        assert_eq!(count(&opps, "stage", "won"), 640);
        assert_eq!(count(&opps, "stage", "lost"), 39);
        assert_eq!(opps.len(), 774);
        // 2017-08-04T09:09:33.000+0000 → the UTC date; Probability 10 → 0.1.
        let first = &opps[0];
        assert_eq!(first["opportunity_id"], "006f4000002NAbGAAW");
        assert_eq!(first["created_date"], "2017-08-04");
        assert_eq!(first["probability"], "0.1");
        assert_eq!(table(&out, "customers").len(), 83);
    }
    if let Some(dir) = realdata("salesforce_exports/sfdc_assets_data_cloud_workshop") {
        let out = ingest(&profile("salesforce"), &dir);
        let opps = table(&out, "opportunities");
        assert_eq!(
            (
                opps.len(),
                count(&opps, "stage", "won"),
                count(&opps, "stage", "lost")
            ),
            (50, 12, 3)
        );
        assert_eq!(
            count(&opps, "stage", "contact"),
            9 + 9,
            "Qualification and Discovery"
        );
    }
    if let Some(dir) = realdata("salesforce_exports/earthfink_salesforce_in_powerbi") {
        let out = ingest(&profile("salesforce_excel_resaved"), &dir);
        let opps = table(&out, "opportunities");
        assert_eq!(
            (
                opps.len(),
                count(&opps, "stage", "won"),
                count(&opps, "stage", "lost")
            ),
            (36, 12, 8)
        );
        // 02/12/24 (simulated creation date) → 2024-02-12; blank Amount → 0.
        assert_eq!(opps[0]["created_date"], "2024-02-12");
        assert_eq!(count(&opps, "amount", "0.00"), 5);
        let stages = table(&out, "opportunity_stages");
        assert_eq!(stages.len(), 48);
        assert_eq!(stages[0]["entered_at"], "2026-02-23 20:55:00", "08:55 PM");
    }
}

#[test]
fn ibm_receivables_keep_leading_zeros_and_agree_with_their_day_counts() {
    let Some(dir) = realdata("ibm_accounts_receivable") else {
        return;
    };
    let out = ingest(&profile("ibm_accounts_receivable"), &dir);
    let invoices = table(&out, "invoices");
    assert_eq!(invoices.len(), 2_466);
    let total: i64 = invoices.iter().map(|r| cents(&r["amount"])).sum();
    assert_eq!(total, 147_703 * 100 + 18);
    assert_eq!(invoices[0]["invoice_id"], "0000611365");
    assert_eq!(table(&out, "customers").len(), 100);

    let payments: BTreeMap<String, String> = table(&out, "payments")
        .into_iter()
        .map(|r| (r["invoice_id"].clone(), r["payment_date"].clone()))
        .collect();
    let by_id: BTreeMap<String, &BTreeMap<String, String>> = invoices
        .iter()
        .map(|r| (r["invoice_id"].clone(), r))
        .collect();
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let raw = raw_rows(&dir.join("WA_Fn-UseC_-Accounts-Receivable.csv"));
    assert_eq!(raw.len(), 2_466);
    for r in &raw {
        let inv = by_id[&r["invoiceNumber"]];
        let paid = date(&payments[&r["invoiceNumber"]]);
        let to_settle = (paid - date(&inv["invoice_date"])).num_days();
        let late = (paid - date(&inv["due_date"])).num_days().max(0);
        assert_eq!(
            to_settle.to_string(),
            r["DaysToSettle"],
            "{}",
            r["invoiceNumber"]
        );
        assert_eq!(late.to_string(), r["DaysLate"], "{}", r["invoiceNumber"]);
    }

    // The KPI engine reads the export directly: collections of 2013 equal the
    // amounts settled in 2013, summed here from the raw file.
    let settled_2013: i64 = raw
        .iter()
        .filter(|r| r["SettledDate"].ends_with("/2013"))
        .map(|r| cents(&r["InvoiceAmount"]))
        .sum();
    let rows = scorecard_rows(&[
        "--profile",
        &profile("ibm_accounts_receivable"),
        "--data",
        dir.to_str().unwrap(),
        "--period",
        "2013",
        "--as-of",
        "2013-12-31",
        "--by",
        "company",
        "--columns",
        "collected_amount",
    ]);
    assert_eq!(cents(&rows[1][0]), settled_2013);
}

#[test]
fn northwind_reproduces_orders_lines_and_net_prices() {
    let Some(dir) = realdata("northwind/maven_northwind") else {
        return;
    };
    let out = ingest(&profile("northwind"), &dir);
    let lines = table(&out, "orders");
    assert_eq!(lines.len(), 2_155);
    let orders: std::collections::BTreeSet<&String> =
        lines.iter().map(|r| &r["order_id"]).collect();
    assert_eq!(orders.len(), 830);
    // 42.40 less 15 % = 36.04, looked-up date, rep and customer of order 10250.
    let line = lines
        .iter()
        .find(|r| r["order_id"] == "10250" && r["product_id"] == "51")
        .unwrap();
    assert_eq!(
        (
            line["unit_price"].as_str(),
            line["list_price"].as_str(),
            line["order_date"].as_str()
        ),
        ("36.0400", "42.4000", "2013-07-08")
    );
    assert_eq!(
        (line["rep_id"].as_str(), line["customer_id"].as_str()),
        ("4", "HANAR")
    );
    // Windows-1252 names decoded.
    let customers = table(&out, "customers");
    assert!(customers
        .iter()
        .any(|r| r["customer_name"] == "Folk och fä HB"));
    assert!(table(&out, "products")
        .iter()
        .any(|r| r["category"] == "Beverages"));
    let reps = table(&out, "reps");
    assert_eq!(
        reps.iter().find(|r| r["rep_id"] == "6").unwrap()["team"],
        "Steven Buchanan"
    );

    // Company sales of 2014 through the engine = Σ round(q × price × (1 − d), 2)
    // over the raw lines of orders dated 2014, computed here in integers.
    let raw_orders = raw_rows(&dir.join("orders.csv"));
    let in_2014: std::collections::BTreeSet<String> = raw_orders
        .iter()
        .filter(|r| r["orderDate"].starts_with("2014-"))
        .map(|r| r["orderID"].clone())
        .collect();
    let units = |s: &str| -> i128 {
        let (i, f) = s.split_once('.').unwrap_or((s, ""));
        i.parse::<i128>().unwrap() * 10_000 + format!("{f:0<4}").parse::<i128>().unwrap()
    };
    let round_div = |v: i128, d: i128| (v + d / 2).div_euclid(d);
    let expected: i128 = raw_rows(&dir.join("order_details.csv"))
        .iter()
        .filter(|r| in_2014.contains(&r["orderID"]))
        .map(|r| {
            let net = round_div(
                units(&r["unitPrice"]) * (10_000 - units(&r["discount"])),
                10_000,
            );
            round_div(units(&r["quantity"]) * net, 1_000_000)
        })
        .sum();
    let rows = scorecard_rows(&[
        "--profile",
        &profile("northwind"),
        "--data",
        dir.to_str().unwrap(),
        "--period",
        "2014",
        "--as-of",
        "2014-12-31",
        "--by",
        "company",
        "--columns",
        "sales_amount",
    ]);
    assert_eq!(i128::from(cents(&rows[1][0])), expected);
}

fn zh_sample() -> PathBuf {
    root().join("pipelines/profiles/samples/zh_crm")
}

#[test]
fn chinese_export_from_gbk_csv_and_xlsx_gives_identical_tables_and_hand_worked_kpis() {
    let csv = ingest(&profile("zh_crm"), &zh_sample());
    let xlsx = ingest(&profile("zh_crm_xlsx"), &zh_sample());
    for name in [
        "reps",
        "customers",
        "products",
        "orders",
        "invoices",
        "payments",
        "targets",
    ] {
        let a = std::fs::read(csv.path().join(format!("tables/{name}.csv"))).unwrap();
        let b = std::fs::read(xlsx.path().join(format!("tables/{name}.csv"))).unwrap();
        assert_eq!(a, b, "{name}: GBK CSV and XLSX disagree");
    }
    let customers = table(&csv, "customers");
    assert_eq!(customers[0]["customer_name"], "上海明华贸易有限公司");
    assert_eq!(
        customers[0]["owner_rep_id"], "E01",
        "负责销售 张伟 looked up to 工号"
    );
    assert_eq!(
        table(&csv, "targets")[3]["collection_target"],
        "",
        "无 is no target"
    );

    // Hand-worked: 张伟 10 × 1,150 + 10 × 500 − 2 × 1,150 = 14,200; 李娜 2 × 3,500;
    // 王强's only line is 已取消; 刘洋 3 × 3,300. Collections 10,000 / 7,000 /
    // 4,000 / 0. Receivables end: FP0001 16,500 − 10,000; FP0003 9,900.
    for p in ["zh_crm", "zh_crm_xlsx"] {
        let rows = scorecard_rows(&[
            "--profile",
            &profile(p),
            "--data",
            zh_sample().to_str().unwrap(),
            "--period",
            "2026-10",
            "--as-of",
            "2026-10-31",
            "--columns",
            "rep_id,sales_amount,gross_margin,collected_amount,sales_attainment,receivables_end",
        ]);
        let got: Vec<Vec<&str>> = rows[1..]
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            got,
            vec![
                vec!["E01", "14200.00", "5800.00", "10000.00", "0.71", "6500.00"],
                vec!["E02", "7000.00", "2800.00", "7000.00", "0.7", "0.00"],
                vec!["E03", "0.00", "0.00", "4000.00", "0.0", "0.00"],
                vec!["E04", "9900.00", "3600.00", "0.00", "1.2375", "9900.00"],
            ],
            "{p}"
        );
    }
}

/// A one-table export: reps with two names that need the right encoding.
const REPS: &str = "rep_id{d}rep_name{d}region{d}team\r\nR1{d}张伟{d}华东{d}上海一组\r\nR2{d}Zoë Müller{d}EMEA{d}Berlin\r\n";

fn write_reps_export(bytes: &[u8], encoding: &str, delimiter: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("reps.csv"), bytes).unwrap();
    let p = dir.path().join("profile.toml");
    std::fs::write(
        &p,
        format!(
            "[defaults]\nencoding = \"{encoding}\"\ndelimiter = \"{delimiter}\"\n[files.reps]\npath = \"reps.csv\"\n[tables.reps]\nfrom = \"reps\"\n[tables.reps.columns]\nrep_id = \"rep_id\"\nrep_name = \"rep_name\"\nregion = \"region\"\nteam = \"team\"\n"
        ),
    )
    .unwrap();
    let p = p.display().to_string();
    (dir, p)
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn every_supported_encoding_and_delimiter_reads_the_same_reps() {
    let text = |d: &str| REPS.replace("{d}", d);
    // GBK has no ë or ü: its case uses a second Chinese name.
    let chinese = |d: &str| text(d).replace("Zoë Müller", "李娜");
    let latin = "rep_id;rep_name;region;team\r\nR2;Zoë Müller;EMEA;Berlin\r\n";
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("utf-8", text(",").into_bytes(), "auto", "auto"),
        (
            "utf-8 with BOM",
            [b"\xEF\xBB\xBF".as_slice(), text(";").as_bytes()].concat(),
            "auto",
            "auto",
        ),
        ("utf-16le", utf16(&text("\t"), false), "auto", "auto"),
        ("utf-16be", utf16(&text("|"), true), "auto", "|"),
        (
            "gbk declared",
            encoding_rs::GBK.encode(&chinese(",")).0.into_owned(),
            "gbk",
            ",",
        ),
        (
            "gbk detected",
            encoding_rs::GBK.encode(&chinese(",")).0.into_owned(),
            "auto",
            "auto",
        ),
        (
            "gb18030",
            encoding_rs::GB18030.encode(&text("\t")).0.into_owned(),
            "gb18030",
            "tab",
        ),
        (
            "windows-1252",
            encoding_rs::WINDOWS_1252.encode(latin).0.into_owned(),
            "windows-1252",
            "auto",
        ),
    ];
    for (name, bytes, encoding, delimiter) in cases {
        let (dir, p) = write_reps_export(&bytes, encoding, delimiter);
        let out = ingest(&p, dir.path());
        let reps = table(&out, "reps");
        let names: Vec<&str> = reps.iter().map(|r| r["rep_name"].as_str()).collect();
        if name == "windows-1252" {
            assert_eq!(names, vec!["Zoë Müller"], "{name}");
        } else if name.starts_with("gbk") {
            assert_eq!(names, vec!["张伟", "李娜"], "{name}");
        } else {
            assert_eq!(names, vec!["张伟", "Zoë Müller"], "{name}");
            assert_eq!(reps[0]["team"], "上海一组", "{name}");
        }
    }
}

#[test]
fn wrong_encoding_is_refused_with_the_line() {
    let bytes = encoding_rs::GBK
        .encode(&REPS.replace("{d}", ","))
        .0
        .into_owned();
    let (dir, p) = write_reps_export(&bytes, "utf-8", ",");
    let to = dir.path().join("out");
    let o = run_ingest(&p, dir.path(), &to, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("reps.csv: line 2 is not valid UTF-8"),
        "{}",
        stderr(&o)
    );
    assert!(!to.exists());
}

#[test]
fn legacy_xls_workbook_sheet_is_read_with_number_and_date_cells() {
    let dir = root().join("tests/fixtures/xls");
    let p = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        p.path(),
        "[files.reps]\npath = \"legacy.xls\"\nsheet = \"Reps\"\n[tables.reps]\nfrom = \"reps\"\n[tables.reps.columns]\nrep_id = \"rep_id\"\nrep_name = \"rep_name\"\nregion = \"region\"\nteam = \"team\"\nhire_date = { column = \"hire_date\", format = \"%d/%m/%Y\" }\n",
    )
    .unwrap();
    let out = ingest(p.path().to_str().unwrap(), &dir);
    let reps = table(&out, "reps");
    let got: Vec<(&str, &str, &str)> = reps
        .iter()
        .map(|r| {
            (
                r["rep_id"].as_str(),
                r["rep_name"].as_str(),
                r["hire_date"].as_str(),
            )
        })
        .collect();
    // Number cells 7 and 8 are ids "7" and "8"; date cells read as dates
    // whatever the text format the profile names.
    assert_eq!(
        got,
        vec![
            ("7", "张伟", "2024-03-01"),
            ("8", "Zoë Müller", "2025-07-15")
        ]
    );

    let wrong_sheet = std::fs::read_to_string(p.path())
        .unwrap()
        .replace("\"Reps\"", "\"Staff\"");
    std::fs::write(p.path(), wrong_sheet).unwrap();
    let to = tempfile::tempdir().unwrap();
    let o = run_ingest(p.path().to_str().unwrap(), &dir, &to.path().join("x"), &[]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("legacy.xls: no sheet `Staff`; the workbook has: 说明, Reps"),
        "{}",
        stderr(&o)
    );
}

/// The zh_crm profile with one edit, written to a temporary file.
fn edited_zh_profile(from: &str, to: &str) -> tempfile::NamedTempFile {
    let text = std::fs::read_to_string(profile("zh_crm")).unwrap();
    assert!(text.contains(from), "{from}");
    let p = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(p.path(), text.replace(from, to)).unwrap();
    p
}

/// Runs ingest of the zh sample with `profile`: exit code, stderr, the `--to`
/// folder, and the temporary folder holding it (removed when dropped).
fn ingest_fails(profile: &Path) -> (Option<i32>, String, PathBuf, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let to = out.path().join("tables");
    let o = run_ingest(profile.to_str().unwrap(), &zh_sample(), &to, &[]);
    (o.status.code(), stderr(&o), to, out)
}

#[test]
fn unknown_source_column_is_named_with_its_file_and_a_suggestion() {
    let p = edited_zh_profile("rep_name = \"姓名\"", "rep_name = \"姓 名x\"");
    let (code, err, to, _out) = ingest_fails(p.path());
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("tables.reps.columns.rep_name: column `姓 名x` not found in 员工.csv (its columns: 工号, 姓名, 大区, 团队, 职位, 入职日期); did you mean `姓名`?"),
        "{err}"
    );
    assert!(!to.exists(), "nothing written");
}

#[test]
fn values_that_miss_the_date_format_are_reported_with_file_row_and_column() {
    let p = edited_zh_profile(
        "hire_date = \"入职日期\"",
        "hire_date = { column = \"入职日期\", format = \"%d.%m.%Y\" }",
    );
    let (code, err, to, _out) = ingest_fails(p.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("error: reps row 2 column hire_date (员工.csv row 2, column 入职日期 as %d.%m.%Y): unparsable value `2025/07/15`"),
        "{err}"
    );
    assert!(err.contains("error: reps row 4 column hire_date"), "{err}");
    assert!(
        err.contains("`2025/07/15`: expected a date written as %d.%m.%Y (or in the contract's form YYYY-MM-DD)"),
        "{err}"
    );
    assert!(!to.exists(), "nothing written");

    // A title line above the header does not shift row numbers: rows count from the header.
    let p = edited_zh_profile(
        "payment_date = \"回款日期\"",
        "payment_date = { column = \"回款日期\", format = \"%Y.%m.%d\" }",
    );
    let (code, err, ..) = ingest_fails(p.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("payments row 3 column payment_date (回款.csv row 3, column 回款日期 as %Y.%m.%d): unparsable value `2026/10/12`"), "{err}");
}

#[test]
fn a_default_standing_in_for_missing_values_is_counted_in_a_warning() {
    // E04's collection target is written 无 (a null token).
    let p = edited_zh_profile(
        "collection_target = \"回款目标\"",
        "collection_target = { column = \"回款目标\", default = \"0\" }",
    );
    let o = run(&[
        "validate",
        "--profile",
        p.path().to_str().unwrap(),
        "--data",
        zh_sample().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: targets.collection_target: 1 row(s) of 目标.csv have no value (column 回款目标); the profile's default \"0\" stands in for them"),
        "{}",
        stderr(&o)
    );
    // Without a default nothing is said: the target is simply absent.
    let o = run(&[
        "validate",
        "--profile",
        &profile("zh_crm"),
        "--data",
        zh_sample().to_str().unwrap(),
    ]);
    assert!(!stderr(&o).contains("stands in"), "{}", stderr(&o));
}

#[test]
fn an_invalid_format_string_is_refused_before_reading() {
    let p = edited_zh_profile(
        "date_formats = [\"%Y/%m/%d\", \"%Y-%m-%d\"]",
        "date_formats = [\"%Y/%m/%Q\"]",
    );
    let (code, err, ..) = ingest_fails(p.path());
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("defaults: date format `%Y/%m/%Q` is not valid"),
        "{err}"
    );
}

#[test]
fn the_worked_example_of_the_profile_guide_works_as_written() {
    let guide = std::fs::read_to_string(root().join("pipelines/profiles/README.md")).unwrap();
    // The worked example's section only, up to the next heading.
    let example = guide
        .split("## Worked example")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let toml: String = example
        .split("```toml")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .map(|block| {
            block
                .lines()
                .map(str::trim_start)
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        })
        .collect();
    let p = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(p.path(), &toml).unwrap();
    let out = ingest(
        p.path().to_str().unwrap(),
        &root().join("tests/fixtures/our_crm"),
    );
    let opps = table(&out, "opportunities");
    let got: Vec<Vec<&str>> = opps
        .iter()
        .map(|r| {
            [
                "opportunity_id",
                "rep_id",
                "created_date",
                "stage",
                "amount",
                "probability",
                "close_date",
            ]
            .iter()
            .map(|c| r[*c].as_str())
            .collect()
        })
        .collect();
    assert_eq!(
        got,
        vec![
            vec![
                "OP-1",
                "007",
                "2026-10-02",
                "won",
                "12500.00",
                "1.0",
                "2026-10-20"
            ],
            vec![
                "OP-2",
                "007",
                "2026-10-05",
                "negotiation",
                "8000.00",
                "0.6",
                ""
            ],
        ]
    );
}

#[test]
fn converted_tables_in_csv_or_parquet_give_the_same_scorecard_as_the_raw_export() {
    let args = ["--period", "2026-10", "--as-of", "2026-10-31"];
    let sample = zh_sample();
    let mut direct = vec![
        "--profile".to_string(),
        profile("zh_crm"),
        "--data".into(),
        sample.display().to_string(),
    ];
    direct.extend(args.iter().map(|s| s.to_string()));
    let direct: Vec<&str> = direct.iter().map(String::as_str).collect();
    let expected = scorecard_rows(&direct);
    for format in ["csv", "parquet"] {
        let out = tempfile::tempdir().unwrap();
        let to = out.path().join("tables");
        let o = run_ingest(&profile("zh_crm"), &sample, &to, &["--format", format]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("orders: 6 rows written, 0 rejected, 0 skipped by the profile"));
        let mut converted = vec!["--data", to.to_str().unwrap()];
        converted.extend_from_slice(&args);
        assert_eq!(scorecard_rows(&converted), expected, "{format}");
    }
}

/// The zh sample with its order lines split over two monthly files
/// (`订单明细_1.csv`, `订单明细_2.csv`) read through a path pattern.
fn split_order_lines(
    second_file_edit: Option<(&str, &str)>,
) -> (tempfile::TempDir, tempfile::NamedTempFile) {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(zh_sample()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let lines_path = dir.path().join("订单明细.csv");
    let bytes = std::fs::read(&lines_path).unwrap();
    let text = encoding_rs::GBK.decode(&bytes).0.into_owned();
    std::fs::remove_file(&lines_path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (header, body) = (lines[0], &lines[1..]);
    let first = format!("{header}\r\n{}\r\n", body[..3].join("\r\n"));
    let second = format!("{header}\r\n{}\r\n", body[3..].join("\r\n"));
    let second = match second_file_edit {
        Some((from, to)) => second.replace(from, to),
        None => second,
    };
    for (name, part) in [("订单明细_1.csv", first), ("订单明细_2.csv", second)] {
        std::fs::write(dir.path().join(name), encoding_rs::GBK.encode(&part).0).unwrap();
    }
    let p = edited_zh_profile("path = \"订单明细.csv\"", "path = \"订单明细_*.csv\"");
    (dir, p)
}

#[test]
fn a_path_pattern_reads_monthly_files_as_one_table_and_errors_name_the_file() {
    let (dir, p) = split_order_lines(None);
    let args = [
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--columns",
        "rep_id,sales_amount",
    ];
    let mut split = vec![
        "--profile",
        p.path().to_str().unwrap(),
        "--data",
        dir.path().to_str().unwrap(),
    ];
    split.extend_from_slice(&args);
    let whole_profile = profile("zh_crm");
    let sample = zh_sample();
    let mut whole = vec![
        "--profile",
        whole_profile.as_str(),
        "--data",
        sample.to_str().unwrap(),
    ];
    whole.extend_from_slice(&args);
    assert_eq!(scorecard_rows(&split), scorecard_rows(&whole));

    // Row 2 of the second file is row 5 of the table; the message says both.
    let (dir, p) = split_order_lines(Some(("2026/10/21", "2026/10/32")));
    let o = run(&[
        "validate",
        "--profile",
        p.path().to_str().unwrap(),
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error: orders row 5 column order_date (订单明细_2.csv row 2, column 下单日期): unparsable value `2026/10/32`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn quarantined_rows_are_listed_as_the_export_wrote_them() {
    let (dir, p) = split_order_lines(Some(("2026/10/21", "2026/10/32")));
    let out = tempfile::tempdir().unwrap();
    let to = out.path().join("tables");
    let o = run_ingest(
        p.path().to_str().unwrap(),
        dir.path(),
        &to,
        &["--max-reject-share", "0.5"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("orders: 5 rows written, 1 rejected"),
        "{}",
        stdout(&o)
    );
    let rejects = csv_rows(&std::fs::read_to_string(to.join("rejects.csv")).unwrap());
    let orders = rejects.iter().find(|r| r[0] == "orders").unwrap();
    assert_eq!(&orders[1..4], ["5", "订单明细_2.csv row 2", "rejected"]);
    assert!(
        orders[5].contains("下单日期=2026/10/32; 销售员=刘洋"),
        "{orders:?}"
    );
    // The invoice of that order goes with it, said as such.
    let invoice = rejects.iter().find(|r| r[0] == "invoices").unwrap();
    assert!(
        invoice[4].starts_with("order_id: reference to a rejected row"),
        "{invoice:?}"
    );
    assert!(invoice[5].contains("发票号码=FP0003"), "{invoice:?}");
}
