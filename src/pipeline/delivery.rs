//! Delivery (`[delivery]`): after a run has published, each team's manager
//! gets the team's reports, each region's director the region's, and
//! finance the commission files, by SMTP (lettre) or, as a dry run, as
//! `.eml` files. A message is planned only from published files, so nothing
//! unpublished is ever sent; a failed delivery is a warning in the log and
//! the manifest and never unpublishes the run.
//!
//! Recipients come from the reps table (SPEC section 1: `email` is where a
//! person's reports go): a team's reports go to the reps of that team whose
//! role is `manager`, a region's to the reps of that region whose role is
//! `director`. Credentials come from environment variables named in the
//! config, never from the config file itself.

use std::path::{Path, PathBuf};

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::report::{audiences, file_stems, Audience, AudienceKind, Lang, ReportFormat};
use crate::{Error, Result};

/// How messages leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DeliveryMode {
    /// Sent through the SMTP server of `host` and `port`.
    Smtp,
    /// Written as `.eml` files to `eml_dir` (a dry run: nothing is sent).
    Eml,
}

/// Transport security of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TlsMode {
    /// Plain SMTP (a relay on the same host or a test server only).
    None,
    /// STARTTLS upgrade, usually port 587.
    Starttls,
    /// TLS from the first byte, usually port 465.
    Tls,
}

/// `[delivery]`: optional; without it nothing is sent.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeliveryConfig {
    /// `smtp` or `eml` (dry run).
    pub mode: DeliveryMode,
    /// SMTP server host (`smtp` mode).
    #[serde(default)]
    pub host: String,
    /// SMTP server port (default 587).
    #[serde(default = "default_port")]
    pub port: u16,
    /// `none`, `starttls` (default) or `tls`.
    #[serde(default = "default_tls")]
    pub tls: TlsMode,
    /// Sender, e.g. `salesops <reports@example.com>`.
    pub from: String,
    /// Environment variable holding the SMTP user name (none: no login).
    #[serde(default)]
    pub username_env: Option<String>,
    /// Environment variable holding the SMTP password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// Addresses that get the commission files.
    #[serde(default)]
    pub finance: Vec<String>,
    /// Language of the reports attached (default: the first of
    /// `[output] report_languages`).
    #[serde(default)]
    pub language: Option<Lang>,
    /// Format of the reports attached (default pdf); a period without a
    /// report in this format is attached in the other one.
    #[serde(default = "default_format")]
    pub format: ReportFormat,
    /// Folder of the `.eml` files (`eml` mode), relative to the config
    /// (default `<output dir>/outbox`); each run writes `<as_of>/` in it.
    #[serde(default)]
    pub eml_dir: Option<PathBuf>,
}

fn default_port() -> u16 {
    587
}

fn default_tls() -> TlsMode {
    TlsMode::Starttls
}

fn default_format() -> ReportFormat {
    ReportFormat::Pdf
}

impl DeliveryConfig {
    /// Refuses a config that could never deliver: an SMTP mode without a
    /// host, an unparsable sender or finance address, a credentials
    /// variable named without its pair.
    pub(crate) fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Usage(format!("[delivery] {m}")));
        if self.mode == DeliveryMode::Smtp && self.host.trim().is_empty() {
            return bad("mode = \"smtp\" needs host".into());
        }
        if let Err(e) = self.from.parse::<Mailbox>() {
            return bad(format!("from = {:?} is not an address: {e}", self.from));
        }
        for a in &self.finance {
            if let Err(e) = a.parse::<Mailbox>() {
                return bad(format!("finance address {a:?} is not an address: {e}"));
            }
        }
        if self.username_env.is_some() != self.password_env.is_some() {
            return bad("username_env and password_env go together".into());
        }
        Ok(())
    }
}

/// One message of a run, as the manifest records it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeliveryRecord {
    /// Recipients.
    pub to: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Attached files, relative to the run folder.
    pub files: Vec<String>,
    /// `sent`, `written <path>` (dry run) or `failed: <why>`.
    pub status: String,
}

/// A message to build: who gets which published files.
struct Planned {
    to: Vec<String>,
    subject: String,
    files: Vec<String>,
}

/// What delivery needs to know of the run.
pub(crate) struct RunFacts<'a> {
    /// The published run folder.
    pub folder: &'a Path,
    /// As of.
    pub as_of: chrono::NaiveDate,
    /// `(rule folder, period label)` of each period computed.
    pub periods: Vec<(String, String)>,
    /// The reps table (rep_id, team, region, role, email).
    pub reps: &'a DataFrame,
    /// Which reports were written.
    pub audiences: &'a [AudienceKind],
    /// Languages of the reports written.
    pub languages: &'a [Lang],
    /// The commission files written, relative to the run folder.
    pub commission_files: Vec<String>,
}

/// Plans and delivers the run's messages; every failure is a warning (the
/// returned strings) and a `failed` record, never an error.
pub(crate) fn deliver(
    config: &DeliveryConfig,
    facts: &RunFacts,
    eml_root: &Path,
) -> (Vec<DeliveryRecord>, Vec<String>) {
    let mut warnings = Vec::new();
    let planned = match plan(config, facts, &mut warnings) {
        Ok(p) => p,
        Err(e) => return (Vec::new(), vec![format!("delivery: nothing sent: {e}")]),
    };
    let transport = match config.mode {
        DeliveryMode::Smtp => match transport(config) {
            Ok(t) => Some(t),
            Err(e) => {
                warnings.push(format!("delivery: nothing sent: {e}"));
                return (Vec::new(), warnings);
            }
        },
        DeliveryMode::Eml => None,
    };
    let mut records = Vec::new();
    for (n, p) in planned.into_iter().enumerate() {
        let status = match build(config, facts.folder, &p) {
            Err(e) => format!("failed: {e}"),
            Ok(message) => match &transport {
                Some(t) => match t.send(&message) {
                    Ok(_) => "sent".to_string(),
                    Err(e) => format!("failed: {e}"),
                },
                None => {
                    let path = eml_root.join(format!("{:03}.eml", n + 1));
                    match write_eml(&path, &message.formatted()) {
                        Ok(()) => format!("written {}", path.display()),
                        Err(e) => format!("failed: {e}"),
                    }
                }
            },
        };
        if let Some(why) = status.strip_prefix("failed: ") {
            warnings.push(format!(
                "delivery: \"{}\" to {} failed: {why}",
                p.subject,
                p.to.join(", ")
            ));
        }
        records.push(DeliveryRecord {
            to: p.to,
            subject: p.subject,
            files: p.files,
            status,
        });
    }
    if config.mode == DeliveryMode::Eml {
        if let Err(e) = remove_stale_eml(eml_root, records.len()) {
            warnings.push(format!("delivery: {e}"));
        }
    }
    (records, warnings)
}

/// Removes the `NNN.eml` files numbered above `written` that an earlier
/// run of the same as_of left in `eml_root`, so the folder holds exactly
/// this run's messages; other files are left alone.
fn remove_stale_eml(eml_root: &Path, written: usize) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(eml_root) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let number = name
            .to_str()
            .and_then(|n| n.strip_suffix(".eml"))
            .filter(|n| n.len() == 3)
            .and_then(|n| n.parse::<usize>().ok());
        if number.is_some_and(|n| n > written) {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}

fn write_eml(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
    }
    crate::output::write_atomic(path, |f| {
        std::io::Write::write_all(f, bytes).map_err(|e| Error::io(path, e))
    })
}

fn transport(config: &DeliveryConfig) -> Result<SmtpTransport> {
    let smtp = |e: lettre::transport::smtp::Error| {
        Error::Usage(format!(
            "[delivery] SMTP {}:{}: {e}",
            config.host, config.port
        ))
    };
    let builder = match config.tls {
        TlsMode::None => SmtpTransport::builder_dangerous(&config.host),
        TlsMode::Starttls => SmtpTransport::starttls_relay(&config.host).map_err(smtp)?,
        TlsMode::Tls => SmtpTransport::relay(&config.host).map_err(smtp)?,
    }
    .port(config.port)
    .timeout(Some(std::time::Duration::from_secs(30)));
    let builder = match (&config.username_env, &config.password_env) {
        (Some(user), Some(pass)) => {
            let read = |name: &String| {
                std::env::var(name).map_err(|_| {
                    Error::Usage(format!(
                        "[delivery] the environment variable {name} (SMTP credentials) is not set"
                    ))
                })
            };
            builder.credentials(Credentials::new(read(user)?, read(pass)?))
        }
        _ => builder,
    };
    Ok(builder.build())
}

/// The reps' addresses by team (role manager) and region (role director);
/// a rep with a role but an unusable address is a warning.
fn recipients(
    reps: &DataFrame,
    role: &str,
    group: &str,
    warnings: &mut Vec<String>,
) -> Result<std::collections::BTreeMap<String, Vec<String>>> {
    let text = |c: &str| -> Result<Vec<Option<String>>> {
        Ok(match reps.column(c) {
            Ok(col) => col
                .str()?
                .iter()
                .map(|v| v.map(|s| s.trim().to_string()))
                .collect(),
            Err(_) => vec![None; reps.height()],
        })
    };
    let (ids, roles, groups, emails) =
        (text("rep_id")?, text("role")?, text(group)?, text("email")?);
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for i in 0..reps.height() {
        if roles[i].as_deref().map(str::to_lowercase).as_deref() != Some(role) {
            continue;
        }
        let (Some(g), id) = (groups[i].clone(), ids[i].clone().unwrap_or_default()) else {
            continue;
        };
        match emails[i].as_deref() {
            Some(e) if e.parse::<Mailbox>().is_ok() => {
                out.entry(g).or_default().push(e.to_string())
            }
            Some(e) if !e.is_empty() => warnings.push(format!(
                "delivery: reps row {id} email {e:?} is not an address, so {id} gets nothing"
            )),
            _ => warnings.push(format!(
                "delivery: {role} {id} of {g} has no email, so gets nothing"
            )),
        }
    }
    Ok(out)
}

fn plan(
    config: &DeliveryConfig,
    facts: &RunFacts,
    warnings: &mut Vec<String>,
) -> Result<Vec<Planned>> {
    let lang = config
        .language
        .or_else(|| facts.languages.first().copied())
        .ok_or_else(|| Error::Usage("[delivery] no report language is configured".into()))?;
    let ext = config.format.extension();
    let title = match lang {
        Lang::Zh => "销售报告",
        Lang::En => "Sales report",
    };
    let all = audiences(facts.audiences, facts.reps)?;
    let stems = file_stems(&all);
    let managers = recipients(facts.reps, "manager", "team", warnings)?;
    let directors = recipients(facts.reps, "director", "region", warnings)?;
    let period_text: Vec<String> = facts.periods.iter().map(|(_, p)| p.clone()).collect();
    let mut out = Vec::new();
    for (audience, stem) in all.iter().zip(&stems) {
        let to = match audience {
            Audience::Team(t) => managers.get(t),
            Audience::Region(r) => directors.get(r),
            Audience::Company => continue,
        };
        let Some(to) = to else {
            warnings.push(format!(
                "delivery: {} {} has no {} with an email, so its reports were not sent",
                audience.label_key(),
                audience.name(),
                if matches!(audience, Audience::Team(_)) {
                    "manager"
                } else {
                    "director"
                }
            ));
            continue;
        };
        // A period typeset without PDF ([output] pdf_periods) is attached
        // in the format it has, so a manager still gets every period.
        let files: Vec<String> = facts
            .periods
            .iter()
            .filter_map(|(rule, _)| {
                [ext, "pdf", "html"]
                    .iter()
                    .map(|e| format!("{rule}/{stem}.{}.{e}", lang.code()))
                    .find(|f| facts.folder.join(f).is_file())
            })
            .collect();
        if files.is_empty() {
            continue;
        }
        out.push(Planned {
            to: to.clone(),
            subject: format!(
                "{title} · {} · {} · {}",
                audience.name(),
                period_text.join(", "),
                facts.as_of
            ),
            files,
        });
    }
    let commission: Vec<String> = facts
        .commission_files
        .iter()
        .filter(|f| facts.folder.join(f).is_file())
        .cloned()
        .collect();
    if !config.finance.is_empty() && !commission.is_empty() {
        let word = match lang {
            Lang::Zh => "提成",
            Lang::En => "Commission",
        };
        // The periods the commission is for (the files sit in their
        // rule's folder), then the run's as_of, as in the team messages.
        let periods: Vec<&str> = facts
            .periods
            .iter()
            .filter(|(rule, _)| {
                commission
                    .iter()
                    .any(|f| f.starts_with(&format!("{rule}/")))
            })
            .map(|(_, period)| period.as_str())
            .collect();
        out.push(Planned {
            to: config.finance.clone(),
            subject: format!("{word} · {} · {}", periods.join(", "), facts.as_of),
            files: commission,
        });
    }
    Ok(out)
}

fn build(config: &DeliveryConfig, folder: &Path, p: &Planned) -> Result<Message> {
    let bad = |e: String| Error::Usage(format!("delivery: {e}"));
    let mut builder = Message::builder()
        .message_id(None)
        .from(config.from.parse().map_err(|e| bad(format!("from: {e}")))?)
        .subject(p.subject.clone());
    for to in &p.to {
        builder = builder.to(to.parse().map_err(|e| bad(format!("{to}: {e}")))?);
    }
    let body = format!(
        "{}\n\n{}\n",
        p.subject,
        p.files
            .iter()
            .map(|f| format!("- {f}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(body));
    for f in &p.files {
        let path = folder.join(f);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("pdf") => "application/pdf",
            Some("html") => "text/html; charset=utf-8",
            Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Some("csv") => "text/csv; charset=utf-8",
            _ => "application/octet-stream",
        };
        let name = f.replace('/', "_");
        parts = parts.singlepart(
            Attachment::new(name).body(bytes, ContentType::parse(kind).expect("a valid type")),
        );
    }
    builder
        .multipart(parts)
        .map_err(|e| bad(format!("building \"{}\": {e}", p.subject)))
}
