//! The pipeline config file (TOML). Every section and key is optional and
//! unknown keys are refused; the defaults live in the `Default` impls of the
//! section structs (KPI settings: [`Settings::default`]).

use crate::suggest::{suggestion, with_suggestion};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use chrono::NaiveDate;

use crate::kpi::flags::FlagSettings;
use crate::kpi::Settings;
use crate::output::FileFormat;
use crate::period::{Period, PeriodKind};
use crate::plan::settings::PlanSettings;
use crate::{Error, Result};

/// A pipeline config file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Config {
    /// Where the exports are (`[input]`).
    pub input: InputConfig,
    /// Which periods a run computes (`[periods]`).
    pub periods: PeriodsConfig,
    /// KPI settings (`[kpi]`): churn_days, legacy_days, stages, stage
    /// probabilities, discount authority.
    pub kpi: Settings,
    /// Commission inputs (`[commission]`).
    pub commission: CommissionConfig,
    /// Where and how outputs are written (`[output]`).
    pub output: OutputConfig,
    /// Data-quality gate (`[quality]`).
    pub quality: QualityConfig,
    /// Thresholds of the integrity flags (`[flags]`; defaults in
    /// [`FlagSettings::default`]).
    pub flags: FlagSettings,
    /// How `salesops plan` splits a year's target (`[plan]`; defaults in
    /// [`PlanSettings::default`]).
    pub plan: PlanSettings,
    /// Where the reports go after publishing (`[delivery]`, optional).
    pub delivery: Option<super::delivery::DeliveryConfig>,
}

/// Which file format the inputs must have.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum InputFormat {
    /// Each table as whatever it is found as (`<table>.csv` or `.parquet`).
    #[default]
    Auto,
    /// Every table must be CSV.
    Csv,
    /// Every table must be Parquet.
    Parquet,
}

/// `[input]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct InputConfig {
    /// The data directory, relative to the config file (required by `run`);
    /// with `profile`, the folder of the raw export.
    pub data: Option<PathBuf>,
    /// Mapping profile, relative to the config file: read a raw CRM export
    /// directly (see pipelines/profiles/README.md).
    pub profile: Option<PathBuf>,
    /// `auto` (default), `csv` or `parquet`.
    pub format: InputFormat,
    /// Keep a clean load's typed tables in the validated store and read
    /// them from it while the input files are unchanged (default true;
    /// not used with `profile`).
    pub reuse_validated: bool,
    /// The validated store's folder, relative to the config file (default
    /// `<output dir>/.store`).
    pub store: Option<PathBuf>,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            data: None,
            profile: None,
            format: InputFormat::Auto,
            reuse_validated: true,
            store: None,
        }
    }
}

/// A period relative to as_of.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PeriodRule {
    /// The month holding as_of, cut at as_of.
    MonthToDate,
    /// The whole month before the month of as_of.
    PreviousMonth,
    /// The quarter holding as_of, cut at as_of.
    QuarterToDate,
    /// The whole quarter before the quarter of as_of.
    PreviousQuarter,
    /// The year holding as_of, cut at as_of.
    YearToDate,
    /// The ISO week (Monday to Sunday) holding as_of, cut at as_of.
    WeekToDate,
    /// The whole ISO week before the week of as_of.
    PreviousWeek,
}

impl PeriodRule {
    /// Name used for the rule's output folder.
    pub(crate) fn name(self) -> &'static str {
        match self {
            PeriodRule::MonthToDate => "month_to_date",
            PeriodRule::PreviousMonth => "previous_month",
            PeriodRule::QuarterToDate => "quarter_to_date",
            PeriodRule::PreviousQuarter => "previous_quarter",
            PeriodRule::YearToDate => "year_to_date",
            PeriodRule::WeekToDate => "week_to_date",
            PeriodRule::PreviousWeek => "previous_week",
        }
    }

    /// The period the rule picks for `as_of` (cut at as_of later, rule 1).
    pub(crate) fn period(self, as_of: NaiveDate) -> Period {
        let holding = |kind| Period::containing(kind, as_of);
        match self {
            PeriodRule::MonthToDate => holding(PeriodKind::Month),
            PeriodRule::PreviousMonth => holding(PeriodKind::Month).previous(),
            PeriodRule::QuarterToDate => holding(PeriodKind::Quarter),
            PeriodRule::PreviousQuarter => holding(PeriodKind::Quarter).previous(),
            PeriodRule::YearToDate => holding(PeriodKind::Year),
            PeriodRule::WeekToDate => holding(PeriodKind::Week),
            PeriodRule::PreviousWeek => holding(PeriodKind::Week).previous(),
        }
    }
}

/// `[periods]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PeriodsConfig {
    /// Periods computed by each run (default: month_to_date).
    pub rules: Vec<PeriodRule>,
}

impl Default for PeriodsConfig {
    fn default() -> Self {
        PeriodsConfig {
            rules: vec![PeriodRule::MonthToDate],
        }
    }
}

/// `[commission]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct CommissionConfig {
    /// The plan file, relative to the config file; absent: no commission.
    pub plan: Option<PathBuf>,
    /// Periods (among `[periods] rules`) for which commission is computed
    /// (default: previous_month, the month finance pays).
    pub periods: Vec<PeriodRule>,
    /// File formats of the commission table and its detail (default csv).
    pub formats: Vec<FileFormat>,
    /// CSV with a byte order mark, for Excel (default true).
    pub excel_csv: bool,
}

impl Default for CommissionConfig {
    fn default() -> Self {
        CommissionConfig {
            plan: None,
            periods: vec![PeriodRule::PreviousMonth],
            formats: vec![FileFormat::Csv],
            excel_csv: true,
        }
    }
}

/// `[output]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct OutputConfig {
    /// Output root, relative to the config file (required by `run`); each run
    /// writes `<dir>/<as_of>/` and points `<dir>/latest` at it.
    pub dir: Option<PathBuf>,
    /// File formats of the KPI tables (default csv and parquet).
    pub kpi_formats: Vec<FileFormat>,
    /// KPI CSV files for people opening them in Excel: a UTF-8 byte order
    /// mark and formula-like text made inert (default false: plain CSV for
    /// machines).
    pub kpi_excel_csv: bool,
    /// Languages of the report written for each period (default zh and en;
    /// empty: no report).
    pub report_languages: Vec<crate::report::Lang>,
    /// Formats of the report (default html and pdf).
    pub report_formats: Vec<crate::report::ReportFormat>,
    /// Periods (among `[periods] rules`) whose reports are also typeset as
    /// PDF when `report_formats` has pdf; the others get the other formats
    /// only (default: every period). A PDF is for forwarding and filing a
    /// closed period, and typesetting is most of a nightly run's time, so
    /// the nightly config typesets the closed month only.
    pub pdf_periods: Option<Vec<PeriodRule>>,
    /// Which reports each period gets (default all three): `company`
    /// (`report_<lang>.<ext>`), `teams` (`teams/<team>.<lang>.<ext>`, each
    /// team's reps with their pages) and `regions`
    /// (`regions/<region>.<lang>.<ext>`).
    pub report_audiences: Vec<crate::report::AudienceKind>,
    /// Reps listed at the top and at the bottom of the company and region
    /// reports, and teams shown in their charts (default 10).
    pub report_top_n: usize,
    /// The ISO 4217 code of the data's money (`CNY`), named on the reports'
    /// money axes: "Amount (CNY)", "金额（万元）". Default none: the
    /// contract has no currency column, so none is assumed.
    pub report_currency: Option<String>,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: None,
            kpi_formats: vec![FileFormat::Csv, FileFormat::Parquet],
            kpi_excel_csv: false,
            report_languages: vec![crate::report::Lang::Zh, crate::report::Lang::En],
            report_formats: vec![
                crate::report::ReportFormat::Html,
                crate::report::ReportFormat::Pdf,
            ],
            pdf_periods: None,
            report_audiences: vec![
                crate::report::AudienceKind::Company,
                crate::report::AudienceKind::Regions,
                crate::report::AudienceKind::Teams,
            ],
            report_top_n: 10,
            report_currency: None,
        }
    }
}

impl OutputConfig {
    /// How the reports are set: top N and currency.
    pub(crate) fn report_options(&self) -> crate::report::ReportOptions {
        crate::report::ReportOptions {
            top_n: self.report_top_n,
            currency: self.report_currency.clone(),
        }
    }

    /// The report formats of one period: `report_formats`, without pdf
    /// for a period outside `pdf_periods`.
    pub(crate) fn report_formats_of(&self, rule: PeriodRule) -> Vec<crate::report::ReportFormat> {
        let typeset = self
            .pdf_periods
            .as_ref()
            .is_none_or(|periods| periods.contains(&rule));
        self.report_formats
            .iter()
            .copied()
            .filter(|f| typeset || *f != crate::report::ReportFormat::Pdf)
            .collect()
    }
}

/// `[quality]`: when a run refuses to publish.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct QualityConfig {
    /// Largest share of bad rows per table that is quarantined instead of
    /// failing the run (default 0: any bad row fails it).
    pub max_reject_share: f64,
    /// Tables that must be present (default: reps, orders, invoices, payments).
    pub required_tables: Vec<String>,
}

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig {
            max_reject_share: 0.0,
            required_tables: ["reps", "orders", "invoices", "payments"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl Config {
    /// Reads and checks a config file.
    pub(crate) fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Config::parse(&text).map_err(|e| match e {
            Error::Usage(m) => Error::Usage(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Parses and checks config text.
    pub(crate) fn parse(text: &str) -> Result<Config> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            Error::Usage(format!(
                "config is not valid: {}",
                with_suggestion(&e.to_string())
            ))
        })?;
        config.kpi.check()?;
        config.flags.check()?;
        config.plan.check()?;
        config.check()?;
        config.kpi.flags = config.flags.clone();
        Ok(config)
    }

    /// Checks the sections beyond `[kpi]`.
    fn check(&self) -> Result<()> {
        if let Some(d) = &self.delivery {
            d.check()?;
            // Reports in another language are never written, so no manager
            // or director would get anything.
            if let Some(lang) = d.language {
                if !self.output.report_languages.contains(&lang) {
                    return Err(Error::Usage(format!(
                        "[delivery] language = \"{}\" is not among [output] report_languages; add it there or choose one of them",
                        lang.code()
                    )));
                }
            }
        }
        let bad = |m: String| Err(Error::Usage(m));
        if !(0.0..=1.0).contains(&self.quality.max_reject_share) {
            return bad(format!(
                "[quality] max_reject_share = {} must be between 0 and 1",
                self.quality.max_reject_share
            ));
        }
        for t in &self.quality.required_tables {
            if crate::schema::table(t).is_none() {
                return bad(format!(
                    "[quality] required_tables: `{t}` is not a table of the contract{}",
                    suggestion(t, crate::schema::TABLES.iter().map(|t| t.name))
                ));
            }
        }
        if self.periods.rules.is_empty() {
            return bad("[periods] rules must name at least one period".into());
        }
        let commission_periods = match self.commission.plan {
            Some(_) => self.commission.periods.as_slice(),
            None => &[],
        };
        for rule in commission_periods {
            if !self.periods.rules.contains(rule) {
                return bad(format!(
                    "[commission] periods: `{}` is not among [periods] rules; add it there or remove it here",
                    rule.name()
                ));
            }
        }
        if let Some(pdf_periods) = &self.output.pdf_periods {
            if !self
                .output
                .report_formats
                .contains(&crate::report::ReportFormat::Pdf)
            {
                return bad(
                    "[output] pdf_periods is set but report_formats has no pdf; add pdf there or remove pdf_periods".into(),
                );
            }
            for rule in pdf_periods {
                if !self.periods.rules.contains(rule) {
                    return bad(format!(
                        "[output] pdf_periods: `{}` is not among [periods] rules; add it there or remove it here",
                        rule.name()
                    ));
                }
            }
        }
        if let Some(currency) = &self.output.report_currency {
            crate::report::parse_currency(currency)
                .map_err(|e| Error::Usage(format!("[output] report_currency: {e}")))?;
        }
        if self.output.kpi_formats.is_empty() {
            return bad("[output] kpi_formats must name at least one format".into());
        }
        Ok(())
    }
}

impl Settings {
    /// Refuses settings that would make KPIs meaningless.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Usage(format!("[kpi] {m}")));
        if self.churn_days <= 0 {
            return bad(format!(
                "churn_days = {} must be a positive number of days",
                self.churn_days
            ));
        }
        if self.legacy_days < 0 {
            return bad(format!(
                "legacy_days = {} must not be negative",
                self.legacy_days
            ));
        }
        if self.stages.is_empty() {
            return bad("stages must list at least one stage".into());
        }
        for (i, s) in self.stages.iter().enumerate() {
            if s.trim().is_empty() || s != &s.trim().to_lowercase() {
                return bad(format!("stage {s:?} must be a non-empty lower-case name"));
            }
            if self.stages[..i].contains(s) {
                return bad(format!("stage {s:?} is listed twice in stages"));
            }
        }
        for (stage, p) in &self.stage_probabilities {
            if !(0.0..=1.0).contains(p) {
                return bad(format!(
                    "stage_probabilities.{stage} = {p} must be between 0 and 1"
                ));
            }
        }
        for (role, a) in &self.discount_authority {
            if !(0.0..=1.0).contains(a) {
                return bad(format!(
                    "discount_authority.{role} = {a} must be between 0 and 1"
                ));
            }
        }
        if !self.discount_authority.contains_key("rep") {
            return bad(
                "discount_authority must give the authority of role \"rep\", the default role"
                    .into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_gives_the_documented_defaults() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.kpi.churn_days, 90);
        assert_eq!(c.kpi.legacy_days, 365);
        assert_eq!(c.kpi.discount_authority["manager"], 0.20);
        assert_eq!(c.kpi.stages.last().map(String::as_str), Some("won"));
    }

    #[test]
    fn the_example_config_states_exactly_the_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/pipelines/kpi.toml");
        let c = Config::load(Path::new(path)).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn keys_override_defaults_and_keep_the_rest() {
        let c = Config::parse("[kpi]\nchurn_days = 60\n").unwrap();
        assert_eq!(c.kpi.churn_days, 60);
        assert_eq!(c.kpi.legacy_days, 365);
    }

    #[test]
    fn unknown_keys_get_the_nearest_valid_name() {
        let e = Config::parse("[kpi]\nchurn_day = 60\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("did you mean `churn_days` instead of `churn_day`?"),
            "{e}"
        );
        let e = Config::parse("[ouput]\n").unwrap_err().to_string();
        assert!(e.contains("did you mean `output`"), "{e}");
        let e = Config::parse("[quality]\nrequired_tables = [\"order\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `orders`?"), "{e}");
        let e = Config::parse("[periods]\nrules = [\"month_to_dat\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("month_to_dat"), "{e}");
    }

    #[test]
    fn a_delivery_language_without_reports_is_refused() {
        let e = Config::parse(
            "[output]\nreport_languages = [\"zh\"]\n[delivery]\nmode = \"eml\"\nfrom = \"a@example.com\"\nlanguage = \"en\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("[delivery] language = \"en\" is not among"),
            "{e}"
        );
    }

    #[test]
    fn a_report_currency_must_be_an_iso_code() {
        let c = Config::parse("[output]\nreport_currency = \"CNY\"\n").unwrap();
        assert_eq!(c.output.report_options().currency.as_deref(), Some("CNY"));
        for bad in ["rmb", "元", "", "CNYX"] {
            let e = Config::parse(&format!("[output]\nreport_currency = \"{bad}\"\n"))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("[output] report_currency") && e.contains(&format!("`{bad}`")),
                "{e}"
            );
        }
    }

    #[test]
    fn pdf_is_typeset_for_the_pdf_periods_only() {
        use crate::report::ReportFormat::{Html, Pdf};
        let c = Config::parse(
            "[periods]\nrules = [\"month_to_date\", \"previous_month\"]\n[output]\npdf_periods = [\"previous_month\"]\n",
        )
        .unwrap();
        assert_eq!(c.output.report_formats_of(PeriodRule::MonthToDate), [Html]);
        assert_eq!(
            c.output.report_formats_of(PeriodRule::PreviousMonth),
            [Html, Pdf]
        );
        // Unset: every period gets every format.
        let c = Config::parse("").unwrap();
        assert_eq!(
            c.output.report_formats_of(PeriodRule::MonthToDate),
            [Html, Pdf]
        );
        let e = Config::parse("[output]\npdf_periods = [\"previous_month\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`previous_month` is not among [periods] rules"),
            "{e}"
        );
        let e = Config::parse(
            "[output]\nreport_formats = [\"html\"]\npdf_periods = [\"month_to_date\"]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("report_formats has no pdf"), "{e}");
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let e = Config::parse("[kpi]\nchurn_dayz = 60\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("churn_dayz"), "{e}");
        let e = Config::parse("[kpis]\n").unwrap_err().to_string();
        assert!(e.contains("kpis"), "{e}");
    }

    #[test]
    fn out_of_range_settings_are_refused() {
        for text in [
            "[kpi]\nchurn_days = 0\n",
            "[kpi]\nstages = []\n",
            "[kpi]\nstages = [\"a\", \"a\"]\n",
            "[kpi.stage_probabilities]\nlead = 1.5\n",
            "[kpi.discount_authority]\nrep = -0.1\n",
        ] {
            assert!(Config::parse(text).is_err(), "{text}");
        }
    }
}
