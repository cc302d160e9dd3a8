//! `[delivery]` (issue 18): after publishing, each team's manager gets the
//! team's reports, each region's director the region's, finance the
//! commission workbook — by SMTP to a real server started here on
//! 127.0.0.1 (Python's aiosmtpd, which `.ci/run` installs), or as `.eml`
//! files in a dry run. A failed delivery is a warning and never unpublishes.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// sample_data with an `email` per rep (`r0001@example.com`…).
fn data_with_emails() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let reps = std::fs::read_to_string(root.join("reps.csv")).unwrap();
    let with_email: Vec<String> = reps
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                format!("{line},email")
            } else {
                let id = line.split(',').next().unwrap().to_lowercase();
                format!("{line},{id}@example.com")
            }
        })
        .collect();
    std::fs::write(dir.path().join("reps.csv"), with_email.join("\n") + "\n").unwrap();
    dir
}

/// rep_id → team from sample_data.
fn teams() -> BTreeMap<String, String> {
    let rows = csv_rows(&std::fs::read_to_string("sample_data/reps.csv").unwrap());
    rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[3].clone()))
        .collect()
}

struct Server {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// aiosmtpd on 127.0.0.1, storing every message in a maildir.
fn smtp_server() -> Server {
    let maildir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir.path().join("box"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (pip install aiosmtpd; .ci/run installs it)");
    // Dropped (killed and waited for) on every path, the panic included.
    let server = Server {
        child,
        port,
        maildir,
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("aiosmtpd did not listen on 127.0.0.1:{port} (is it installed?)");
}

/// A stored message: to, subject, and its attachments (name, text).
type Mail = (String, String, Vec<(String, String)>);

/// Each stored message, decoded by Python's email package.
fn messages(maildir: &Path) -> Vec<Mail> {
    let script = r#"
import email, email.policy, json, mailbox, sys
out = []
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
for key in box.keys():
    m = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
    files = []
    for part in m.walk():
        name = part.get_filename()
        if name:
            files.append([name, part.get_payload(decode=True).decode("utf-8", "replace")])
    out.append([m["To"], str(m["Subject"]), files])
print(json.dumps(out))
"#;
    let o = Command::new("python3")
        .args(["-c", script])
        .arg(maildir.join("box"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut all: Vec<Mail> = serde_json::from_slice(&o.stdout).unwrap();
    all.sort();
    all
}

fn config(dir: &Path, data: &Path, delivery: &str) -> std::path::PathBuf {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/commission.toml");
    let text = format!(
        r#"[input]
data = "{data}"
[periods]
rules = ["month_to_date"]
[commission]
plan = "{plan}"
periods = ["month_to_date"]
formats = ["xlsx"]
[output]
dir = "{out}"
report_languages = ["en"]
report_formats = ["html"]
report_audiences = ["company", "teams", "regions"]
[quality]
required_tables = ["reps"]
[delivery]
from = "salesops <reports@example.com>"
finance = ["finance@example.com"]
format = "html"
{delivery}
"#,
        data = data.display(),
        plan = plan.display(),
        out = dir.join("out").display(),
    );
    let path = dir.join("nightly.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A dry run's config (`.eml` files in `<dir>/outbox`), with each
/// `(from, to)` replacement made in the text of [`config`].
fn eml_config(dir: &Path, data: &Path, edits: &[(&str, &str)]) -> std::path::PathBuf {
    let cfg = config(dir, data, "mode = \"eml\"\neml_dir = \"outbox\"");
    edit_config(&cfg, edits);
    cfg
}

/// Makes each `(from, to)` replacement in the config file, which must hold
/// every `from`.
fn edit_config(cfg: &Path, edits: &[(&str, &str)]) {
    let mut text = std::fs::read_to_string(cfg).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from} not in {text}");
        text = text.replace(from, to);
    }
    std::fs::write(cfg, text).unwrap();
}

/// The names in `dir`, sorted.
fn sorted_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn manifest(dir: &Path, as_of: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(format!("out/{as_of}/manifest.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn each_manager_gets_only_the_team_report_and_finance_the_commission() {
    let data = data_with_emails();
    let work = tempfile::tempdir().unwrap();
    let server = smtp_server();
    let cfg = config(
        work.path(),
        data.path(),
        &format!(
            "mode = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"",
            server.port
        ),
    );
    let o = run(&["run", cfg.to_str().unwrap(), "--as-of", "2026-10-31"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 华南 has no director: said, not silent.
    assert!(
        stderr(&o).contains("region 华南 has no director with an email"),
        "{}",
        stderr(&o)
    );
    let got = messages(server.maildir.path());
    let to: Vec<&str> = got.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        to,
        [
            "finance@example.com",
            "r0001@example.com",
            "r0002@example.com",
            "r0005@example.com",
            "r0007@example.com"
        ]
    );
    let members = teams();
    for (to, subject, files) in &got {
        assert!(subject.contains("2026-10"), "{subject}");
        match to.as_str() {
            "finance@example.com" => {
                // Names the commission's period, then the run's as_of.
                assert_eq!(subject, "Commission · 2026-10 · 2026-10-31");
                let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
                assert_eq!(
                    names,
                    [
                        "month_to_date_commission.xlsx",
                        "month_to_date_commission_detail.xlsx"
                    ]
                );
            }
            "r0001@example.com" => {
                assert!(subject.contains("华东"), "{subject}");
                assert_eq!(files[0].0, "month_to_date_regions_华东.en.html");
            }
            manager => {
                let id = manager.split('@').next().unwrap().to_uppercase();
                let team = &members[&id];
                assert!(subject.contains(team.as_str()), "{subject}");
                assert_eq!(files.len(), 1);
                assert_eq!(files[0].0, format!("month_to_date_teams_{team}.en.html"));
                // No message carries another team's rep.
                for (rep, their_team) in &members {
                    assert_eq!(
                        files[0].1.contains(rep.as_str()),
                        their_team == team,
                        "{manager}: {rep} of {their_team}"
                    );
                }
            }
        }
    }
    let m = manifest(work.path(), "2026-10-31");
    let records = m["delivery"].as_array().unwrap();
    assert_eq!(records.len(), 5);
    assert!(records.iter().all(|r| r["status"] == "sent"), "{records:?}");
}

#[test]
fn a_failed_delivery_is_a_warning_and_the_run_stays_published() {
    let data = data_with_emails();
    let work = tempfile::tempdir().unwrap();
    // Nothing listens on this port.
    let cfg = config(
        work.path(),
        data.path(),
        &format!(
            "mode = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"",
            free_port()
        ),
    );
    let o = run(&["run", cfg.to_str().unwrap(), "--as-of", "2026-10-31"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("delivery: "), "{}", stderr(&o));
    assert!(work
        .path()
        .join("out/latest/month_to_date/report_en.html")
        .is_file());
    let m = manifest(work.path(), "2026-10-31");
    let records = m["delivery"].as_array().unwrap();
    assert_eq!(records.len(), 5);
    assert!(records
        .iter()
        .all(|r| r["status"].as_str().unwrap().starts_with("failed: ")));
    assert!(m["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("failed")));
}

#[test]
fn a_dry_run_writes_the_messages_as_eml_files() {
    let data = data_with_emails();
    let work = tempfile::tempdir().unwrap();
    let cfg = eml_config(work.path(), data.path(), &[]);
    let o = run(&["run", cfg.to_str().unwrap(), "--as-of", "2026-10-31"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let outbox = work.path().join("outbox/2026-10-31");
    assert_eq!(
        sorted_names(&outbox),
        ["001.eml", "002.eml", "003.eml", "004.eml", "005.eml"]
    );
    // A second run of the same as_of with fewer messages leaves only its own.
    edit_config(
        &cfg,
        &[(
            "report_audiences = [\"company\", \"teams\", \"regions\"]",
            "report_audiences = [\"company\"]",
        )],
    );
    let o = run(&["run", cfg.to_str().unwrap(), "--as-of", "2026-10-31"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sorted_names(&outbox), ["001.eml"]);
    let first = std::fs::read_to_string(outbox.join("001.eml")).unwrap();
    assert!(
        first.contains("From: salesops <reports@example.com>"),
        "{first}"
    );
}

/// With `[output] pdf_periods`, a period typeset without PDF is attached as
/// HTML: each manager still gets every period, the closed month as PDF.
#[test]
fn a_period_without_pdf_is_attached_as_html() {
    let data = data_with_emails();
    let work = tempfile::tempdir().unwrap();
    let cfg = eml_config(
        work.path(),
        data.path(),
        &[
            (
                "rules = [\"month_to_date\"]",
                "rules = [\"month_to_date\", \"previous_month\"]",
            ),
            (
                "report_formats = [\"html\"]",
                "report_formats = [\"html\", \"pdf\"]\npdf_periods = [\"previous_month\"]",
            ),
            (
                "report_audiences = [\"company\", \"teams\", \"regions\"]",
                "report_audiences = [\"teams\"]",
            ),
            ("format = \"html\"", "format = \"pdf\""),
        ],
    );
    let o = run(&["run", cfg.to_str().unwrap(), "--as-of", "2026-10-31"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = work.path().join("out/2026-10-31");
    let m = manifest(work.path(), "2026-10-31");
    let teams: std::collections::BTreeSet<String> = teams().into_values().collect();
    let mut attached = 0;
    for record in m["delivery"].as_array().unwrap() {
        let files: Vec<&str> = record["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        if files[0].contains("commission") {
            continue;
        }
        let team = teams
            .iter()
            .find(|t| files[0] == format!("month_to_date/teams/{t}.en.html"))
            .unwrap_or_else(|| panic!("{files:?}"));
        assert_eq!(
            files,
            [
                format!("month_to_date/teams/{team}.en.html"),
                format!("previous_month/teams/{team}.en.pdf")
            ]
        );
        attached += 1;
    }
    assert_eq!(attached, teams.len());
    assert!(!folder
        .join("month_to_date/teams")
        .read_dir()
        .unwrap()
        .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "pdf")));
    assert!(m["reports"]
        .as_str()
        .unwrap()
        .contains("pdf only for previous_month"));
}
