//! Mapping profiles: a TOML file telling how a CRM's raw export becomes the
//! contract's tables (which file feeds which table, column renames, lookups
//! into other files, value maps, date formats, number and null conventions).
//! `pipelines/profiles/README.md` documents every key with a worked example.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::format::{Item, StrftimeItems};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::mapping::constant_refusal;
use super::parse::{CONTRACT_DATETIME_FORMATS, CONTRACT_DATE_FORMAT};
use crate::schema::{self, Kind, TABLES};
use crate::suggest::{suggestion, with_suggestion};
use crate::{Error, Result};

/// A whole mapping profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    /// Display name of the source system.
    pub name: Option<String>,
    /// Free text: where the export comes from, what its quirks are.
    pub description: Option<String>,
    /// Conventions shared by every file and column unless overridden.
    pub defaults: Defaults,
    /// Raw files by a short name the tables refer to.
    pub files: BTreeMap<String, FileSpec>,
    /// Contract tables by name.
    pub tables: BTreeMap<String, TableSpec>,
    /// The file the profile was read from (source of tables written as `rows`).
    #[serde(skip)]
    pub path: Option<std::path::PathBuf>,
}

/// Conventions of the export. Every default is written here, once.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Defaults {
    /// Encoding label or `auto` (BOM, then UTF-8, then a statistical guess).
    pub encoding: String,
    /// `,` `;` `\t` `|` or `auto` (detected from the header line).
    pub delimiter: String,
    /// Lines above the header row to skip.
    pub skip_rows: usize,
    /// Cell texts meaning "no value" (compared after trimming).
    pub null_tokens: Vec<String>,
    /// Texts meaning true in boolean columns.
    pub true_tokens: Vec<String>,
    /// Texts meaning false in boolean columns.
    pub false_tokens: Vec<String>,
    /// chrono formats tried in order for date columns.
    pub date_formats: Vec<String>,
    /// chrono formats tried in order for datetime columns.
    pub datetime_formats: Vec<String>,
    /// Numbers written `1.234,56` (dots and spaces group thousands).
    pub decimal_comma: bool,
    /// A thousands separator to remove from numbers, e.g. `,` in `1,234.56`.
    pub thousands_separator: Option<String>,
    /// Indian digit grouping (`12,34,567.89`) with the thousands separator.
    pub indian_grouping: bool,
    /// The one currency money may be written in (ISO code, e.g. `USD`):
    /// a value naming another currency is refused. Default: any.
    pub currency: Option<String>,
    /// The last this many non-blank lines of a delimited file are a footer
    /// (default: a footer after a blank line is recognised by its shape).
    pub footer_lines: Option<usize>,
    /// A regular expression: the data of a delimited file ends before the
    /// first record whose first field matches it (e.g. `^Grand Total`).
    pub stop_at: Option<String>,
    /// Business time zone (IANA name, e.g. `Asia/Shanghai`): a timestamp
    /// with a UTC offset is converted to this zone's local date and time.
    /// Default: the local date and time as written (SPEC section 1).
    pub time_zone: Option<String>,
}

impl Defaults {
    /// The number convention of the export.
    pub fn numbers(&self) -> super::numbers::NumberConvention {
        super::numbers::NumberConvention {
            decimal_comma: self.decimal_comma,
            thousands_separator: self.thousands_separator.clone(),
            indian_grouping: self.indian_grouping,
            currency: self.currency.clone(),
        }
    }
}

impl Default for Defaults {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        Defaults {
            encoding: "auto".into(),
            delimiter: "auto".into(),
            skip_rows: 0,
            null_tokens: s(&["", "NULL", "null", "N/A", "n/a", "#N/A"]),
            true_tokens: s(&["true", "TRUE", "True", "1", "yes", "Yes", "Y", "是"]),
            false_tokens: s(&["false", "FALSE", "False", "0", "no", "No", "N", "否"]),
            date_formats: s(&[CONTRACT_DATE_FORMAT]),
            datetime_formats: s(&CONTRACT_DATETIME_FORMATS),
            decimal_comma: false,
            thousands_separator: None,
            indian_grouping: false,
            currency: None,
            footer_lines: None,
            stop_at: None,
            time_zone: None,
        }
    }
}

fn yes() -> bool {
    true
}

/// One raw file of the export.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Path relative to the export folder (`--from`).
    pub path: String,
    /// Worksheet of a workbook (default: the first).
    pub sheet: Option<String>,
    /// Overrides `defaults.encoding`.
    pub encoding: Option<String>,
    /// Overrides `defaults.delimiter`.
    pub delimiter: Option<String>,
    /// Overrides `defaults.skip_rows`.
    pub skip_rows: Option<usize>,
    /// `false`: the file has no header row (bcp / BULK INSERT dumps, many
    /// ERP extracts); `columns` names its columns. Default `true`.
    #[serde(default = "yes")]
    pub header: bool,
    /// The column names of a file without a header row, in order.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Overrides `defaults.footer_lines`.
    pub footer_lines: Option<usize>,
    /// Overrides `defaults.stop_at`.
    pub stop_at: Option<String>,
}

/// How one contract table is built.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TableSpec {
    /// The file (a key of `[files]`) with one row per row of this table.
    pub from: Option<String>,
    /// Contract column → where its value comes from.
    #[serde(deserialize_with = "column_rules")]
    pub columns: BTreeMap<String, ColumnSpec>,
    /// Source rows to leave out, by source column and values; they are
    /// counted and written to the rejects, never dropped silently.
    pub skip_when: BTreeMap<String, Vec<String>>,
    /// Keep only the first row of each key (a table derived from another
    /// file's repeated values, e.g. reps from opportunity owners).
    pub distinct: bool,
    /// Rows written out in the profile, appended after the file's rows
    /// (e.g. the one rep of an export that has no rep file).
    pub rows: Vec<BTreeMap<String, String>>,
}

/// Where one contract column's value comes from. In TOML either a source
/// column name (`rep_id = "sales_agent"`) or a table of options.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ColumnSpec {
    /// Source column of the table's file.
    pub column: Option<String>,
    /// Source column read where `column` is empty.
    pub fallback: Option<String>,
    /// A constant instead of a column.
    pub value: Option<String>,
    /// Look the column's value up in another file.
    pub lookup: Option<Lookup>,
    /// Source value → contract value (others pass unchanged).
    pub map: BTreeMap<String, String>,
    /// Value used where the source is empty.
    pub default: Option<String>,
    /// Date or datetime formats for this column (string or list), tried in order.
    #[serde(deserialize_with = "one_or_many")]
    pub format: Option<Vec<String>>,
    /// The source writes the fraction as a percentage (40 = 0.4).
    pub percent: bool,
    /// Source column holding a fractional discount: price × (1 − discount).
    pub discount: Option<String>,
    /// Source columns joined into one value (first and last name), empty
    /// ones left out; instead of `column`.
    pub concat: Vec<String>,
    /// What stands between the `concat` parts (default one space).
    pub separator: Option<String>,
    /// A target period column written as a date (`2026-10-01`,
    /// `2026-10-31 00:00:00`): the month or quarter it falls in.
    pub to_period: Option<PeriodOf>,
}

/// What a date becomes in a target period column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodOf {
    /// `YYYY-MM`.
    Month,
    /// `YYYY-Qn`.
    Quarter,
}

/// A lookup into another file: the value of `column` is found in `key` of
/// `file` and the row's `value` column is taken.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    /// The file (a key of `[files]`).
    pub file: String,
    /// Its key column.
    pub key: String,
    /// Its column to take.
    pub value: String,
    /// Largest share (0..1) of the table's keys allowed to be missing from
    /// the lookup file before the load stops; default: any share is a warning.
    pub max_unmatched_share: Option<f64>,
    /// A second lookup, keyed by this one's value (order line → order head
    /// → territory).
    pub then: Option<Box<Lookup>>,
}

impl Lookup {
    /// This lookup and every `then` after it, in order.
    pub fn chain(&self) -> Vec<&Lookup> {
        let mut out = vec![self];
        while let Some(next) = &out.last().expect("one").then {
            out.push(next);
        }
        out
    }
}

impl ColumnSpec {
    fn from_column(name: String) -> Self {
        ColumnSpec {
            column: Some(name),
            ..ColumnSpec::default()
        }
    }
}

/// A column rule as written in TOML: a bare source column name or a table of
/// options (whose unknown keys are refused).
struct StringOrRule(ColumnSpec);

impl<'de> Deserialize<'de> for StringOrRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringOrRule;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a source column name or a table such as { column = \"…\", map = { … } }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<StringOrRule, E> {
                Ok(StringOrRule(ColumnSpec::from_column(v.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<StringOrRule, A::Error> {
                ColumnSpec::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(StringOrRule)
            }
        }
        d.deserialize_any(V)
    }
}

fn column_rules<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<BTreeMap<String, ColumnSpec>, D::Error> {
    let raw = BTreeMap::<String, StringOrRule>::deserialize(d)?;
    Ok(raw.into_iter().map(|(k, v)| (k, v.0)).collect())
}

fn one_or_many<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(Option::<OneOrMany>::deserialize(d)?.map(|v| match v {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    }))
}

impl Profile {
    /// Reads and checks a profile file.
    pub fn load(path: &Path) -> Result<Profile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Usage(format!("profile {}: cannot be read: {e}", path.display()))
        })?;
        let mut profile = Profile::parse(&text, &path.display().to_string())?;
        profile.path = Some(path.to_path_buf());
        Ok(profile)
    }

    /// Parses and checks profile text; `label` names it in messages.
    pub fn parse(text: &str, label: &str) -> Result<Profile> {
        let profile: Profile = toml::from_str(text).map_err(|e| {
            Error::Usage(format!(
                "profile {label}: {}",
                with_suggestion(&e.to_string())
            ))
        })?;
        let problems = profile.problems();
        if !problems.is_empty() {
            return Err(Error::Usage(format!(
                "profile {label}:\n  {}",
                problems.join("\n  ")
            )));
        }
        Ok(profile)
    }

    /// How to read `file`: its own settings over the profile's defaults.
    pub fn read_spec(&self, file: &FileSpec) -> super::rawfile::ReadSpec {
        super::rawfile::ReadSpec {
            encoding: Some(
                file.encoding
                    .clone()
                    .unwrap_or(self.defaults.encoding.clone()),
            ),
            delimiter: Some(
                file.delimiter
                    .clone()
                    .unwrap_or(self.defaults.delimiter.clone()),
            ),
            skip_rows: file.skip_rows.unwrap_or(self.defaults.skip_rows),
            sheet: file.sheet.clone(),
            columns: (!file.header).then(|| file.columns.clone()),
            data_end: super::structure::DataEnd {
                footer_lines: file.footer_lines.or(self.defaults.footer_lines),
                // Checked by `problems` when the profile was parsed.
                stop_at: file
                    .stop_at
                    .as_ref()
                    .or(self.defaults.stop_at.as_ref())
                    .and_then(|p| regex::Regex::new(p).ok()),
            },
        }
    }

    /// Every mistake that can be seen without reading the export.
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let table_names = TABLES.iter().map(|t| t.name);
        for f in self
            .defaults
            .date_formats
            .iter()
            .chain(&self.defaults.datetime_formats)
        {
            check_format(f, "defaults", &mut out);
        }
        for (name, f) in &self.files {
            if !f.header && f.columns.is_empty() {
                out.push(format!(
                    "files.{name}: `header = false` needs `columns = [\"…\", …]`, the names of the file's columns in order"
                ));
            }
            if f.header && !f.columns.is_empty() {
                out.push(format!(
                    "files.{name}: `columns` names the columns of a file without a header row; add `header = false` (or remove `columns` and use the file's own header)"
                ));
            }
        }
        for (at, pattern) in std::iter::once(("defaults", &self.defaults.stop_at))
            .chain(self.files.iter().map(|(n, f)| (n.as_str(), &f.stop_at)))
        {
            if let Some(Err(e)) = pattern.as_ref().map(|p| regex::Regex::new(p)) {
                out.push(format!(
                    "{at}.stop_at is not a valid regular expression: {e}"
                ));
            }
        }
        if let Some(zone) = &self.defaults.time_zone {
            if !matches!(
                polars::prelude::TimeZone::opt_try_new(Some(zone.as_str())),
                Ok(Some(_))
            ) {
                out.push(format!(
                    "defaults.time_zone = {zone:?} is not an IANA time zone name (e.g. \"Asia/Shanghai\", \"America/Chicago\")"
                ));
            }
        }
        if let Some(code) = &self.defaults.currency {
            if !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())) {
                out.push(format!(
                    "defaults.currency = {code:?} must be an ISO 4217 code such as \"USD\", \"EUR\" or \"CNY\""
                ));
            }
        }
        let mark = if self.defaults.decimal_comma {
            ","
        } else {
            "."
        };
        if self.defaults.thousands_separator.as_deref() == Some(mark) {
            out.push(if self.defaults.decimal_comma {
                "defaults.thousands_separator = \",\" is the decimal mark under decimal_comma; remove thousands_separator (with decimal_comma, `.`, space and `'` group thousands)".to_string()
            } else {
                "defaults.thousands_separator = \".\" is the decimal point, so 1.234 could not be told from 1,234; for numbers written 1.234,56 set decimal_comma = true instead".to_string()
            });
        }
        if self.defaults.indian_grouping
            && self.defaults.thousands_separator.as_deref() != Some(",")
        {
            out.push("defaults.indian_grouping needs thousands_separator = \",\"".into());
        }
        if !self.tables.contains_key("reps") {
            out.push(
                "[tables.reps] is missing: every dataset needs reps (map a file, or write `rows`)"
                    .into(),
            );
        }
        for (name, spec) in &self.tables {
            let Some(table) = schema::table(name) else {
                out.push(format!(
                    "[tables.{name}]: no such table in the contract{}",
                    suggestion(name, table_names.clone())
                ));
                continue;
            };
            let at = format!("tables.{name}");
            match &spec.from {
                Some(f) if !self.files.contains_key(f) => out.push(format!(
                    "{at}.from = \"{f}\": no [files.{f}]{}",
                    suggestion(f, self.files.keys().map(String::as_str))
                )),
                None if spec.rows.is_empty() => out.push(format!(
                    "{at}: give `from` (a file) or `rows` (values written in the profile)"
                )),
                None if !spec.columns.is_empty() || !spec.skip_when.is_empty() => {
                    out.push(format!(
                        "{at}: `columns` and `skip_when` need `from` (a file to read them from)"
                    ))
                }
                _ => {}
            }
            for (column, rule) in &spec.columns {
                let Some(c) = table.column(column) else {
                    out.push(format!(
                        "{at}.columns.{column}: no such column in {name}{}",
                        suggestion(column, table.columns.iter().map(|c| c.name))
                    ));
                    continue;
                };
                self.check_rule(
                    &format!("{at}.columns.{column}"),
                    column,
                    c.kind,
                    rule,
                    &mut out,
                );
            }
            for (i, row) in spec.rows.iter().enumerate() {
                for column in row.keys() {
                    if table.column(column).is_none() {
                        out.push(format!(
                            "{at}.rows[{}].{column}: no such column in {name}{}",
                            i + 1,
                            suggestion(column, table.columns.iter().map(|c| c.name))
                        ));
                    }
                }
            }
            for c in table.columns.iter().filter(|c| c.required) {
                let in_rows =
                    !spec.rows.is_empty() && spec.rows.iter().all(|r| r.contains_key(c.name));
                let mapped = spec.from.is_some() && spec.columns.contains_key(c.name);
                if !(mapped || (spec.from.is_none() && in_rows)) {
                    out.push(format!(
                        "{at}: required column {} is not mapped (add `{} = \"<source column>\"` under [{at}.columns])",
                        c.name, c.name
                    ));
                }
            }
        }
        out
    }

    fn check_rule(
        &self,
        at: &str,
        column: &str,
        kind: Kind,
        rule: &ColumnSpec,
        out: &mut Vec<String>,
    ) {
        match (&rule.column, &rule.value) {
            _ if !rule.concat.is_empty()
                && (rule.column.is_some() || rule.value.is_some() || rule.lookup.is_some()) =>
            {
                out.push(format!(
                    "{at}: `concat` takes the place of `column`, `value` and `lookup`"
                ))
            }
            _ if !rule.concat.is_empty() => {}
            (Some(_), Some(_)) => out.push(format!("{at}: give `column` or `value`, not both")),
            (None, None) => out.push(format!(
                "{at}: give `column` (a source column), `value` (a constant) or `concat` (columns joined)"
            )),
            (None, Some(_)) if rule.lookup.is_some() => out.push(format!(
                "{at}: `lookup` needs `column` (the value to look up)"
            )),
            _ => {}
        }
        if rule.fallback.is_some() && rule.column.is_none() {
            out.push(format!("{at}: `fallback` needs `column`"));
        }
        for l in rule.lookup.iter().flat_map(|l| l.chain()) {
            if !self.files.contains_key(&l.file) {
                out.push(format!(
                    "{at}.lookup.file = \"{}\": no [files.{}]{}",
                    l.file,
                    l.file,
                    suggestion(&l.file, self.files.keys().map(String::as_str))
                ));
            }
        }
        if rule.to_period.is_some() && kind != Kind::Period {
            out.push(format!(
                "{at}: `to_period` applies to the targets period column only"
            ));
        }
        if let Some(formats) = &rule.format {
            let dated = matches!(kind, Kind::Date | Kind::Datetime)
                || kind == Kind::Period && rule.to_period.is_some();
            if !dated {
                out.push(format!(
                    "{at}: `format` applies to date and datetime columns (and a period with `to_period`) only"
                ));
            }
            for f in formats {
                check_format(f, at, out);
            }
        }
        // A constant every row taking it would be refused for is refused
        // here, once (`0.00` under `decimal_comma`, `150` as a percent).
        for (key, constant) in [("default", &rule.default), ("value", &rule.value)] {
            let refusal = constant
                .as_deref()
                .and_then(|c| constant_refusal(column, kind, rule, &self.defaults, c));
            if let (Some(constant), Some(why)) = (constant, refusal) {
                out.push(format!(
                    "{at}.{key} = \"{constant}\": {why}; write it as the export writes this column's values"
                ));
            }
        }
        if rule.percent && kind != Kind::Ratio {
            out.push(format!(
                "{at}: `percent` applies to fraction columns (probability) only"
            ));
        }
        if rule.discount.is_some() && kind != Kind::Price {
            out.push(format!(
                "{at}: `discount` applies to price columns (unit_price) only"
            ));
        }
    }
}

/// Refuses a chrono format string with an unknown specifier.
fn check_format(format: &str, at: &str, out: &mut Vec<String>) {
    if StrftimeItems::new(format).any(|i| matches!(i, Item::Error)) {
        out.push(format!(
            "{at}: date format `{format}` is not valid (use chrono specifiers such as %Y-%m-%d, %m/%d/%Y, %d.%m.%Y %H:%M)"
        ));
    }
}

/// Whether the format reads a time of day or a zone (parsed as a datetime).
pub(crate) fn has_time(format: &str) -> bool {
    ["%H", "%I", "%M", "%S", "%T", "%R", "%z", "%:z", "%p", "%s"]
        .iter()
        .any(|s| format.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
        [files.pipe]
        path = "sales_pipeline.csv"
        [tables.reps]
        rows = [{ rep_id = "r1", rep_name = "A", region = "X", team = "T" }]
        [tables.opportunities]
        from = "pipe"
        [tables.opportunities.columns]
        opportunity_id = "id"
        rep_id = { value = "r1" }
        customer_id = { column = "account", default = "(none)" }
        created_date = { column = "engage_date", format = ["%Y-%m-%d", "%m/%d/%Y"] }
        stage = { column = "deal_stage", map = { Won = "won", Lost = "lost" } }
        amount = "close_value"
        probability = { column = "Probability", percent = true }
    "#;

    #[test]
    fn a_good_profile_parses_with_bare_and_table_rules() {
        let p = Profile::parse(OK, "ok.toml").unwrap();
        let opp = &p.tables["opportunities"];
        assert_eq!(opp.columns["opportunity_id"].column.as_deref(), Some("id"));
        assert_eq!(opp.columns["stage"].map["Won"], "won");
        assert_eq!(
            opp.columns["created_date"].format.as_ref().unwrap().len(),
            2
        );
        assert_eq!(p.defaults.date_formats, vec!["%Y-%m-%d"]);
    }

    #[test]
    fn a_number_default_is_read_in_the_exports_convention() {
        let german = |default: &str| {
            OK.replace(
                "[files.pipe]",
                "[defaults]\ndecimal_comma = true\n[files.pipe]",
            )
            .replace(
                "amount = \"close_value\"",
                &format!("amount = {{ column = \"close_value\", default = \"{default}\" }}"),
            )
        };
        let percent = |default: &str| {
            OK.replace(
                "probability = { column = \"Probability\", percent = true }",
                &format!("probability = {{ column = \"Probability\", percent = true, default = \"{default}\" }}"),
            )
        };
        // Loads (an empty default is no default), or is refused saying why.
        for (profile, refusal) in [
            (german("0,00"), None),
            (german(""), None),
            (percent("40 %"), None),
            (
                german("0.00"),
                Some("tables.opportunities.columns.amount.default = \"0.00\": not a number in this export's convention: it writes 1.234,50"),
            ),
            (
                german("0,12345"),
                Some("amount.default = \"0,12345\": 5 decimals, more than the 4 this column takes"),
            ),
            (
                percent("150"),
                Some("probability.default = \"150\": not a percentage between 0 and 100"),
            ),
        ] {
            match (Profile::parse(&profile, "p.toml"), refusal) {
                (Ok(_), None) => {}
                (Err(e), Some(want)) => assert!(e.to_string().contains(want), "{e}"),
                (got, _) => panic!("{refusal:?}: {:?}", got.map(|_| ())),
            }
        }
    }

    #[test]
    fn mistakes_are_named_with_suggestions() {
        let bad = OK
            .replace("amount = \"close_value\"", "amuont = \"close_value\"")
            .replace("%m/%d/%Y", "%m/%Q/%Y")
            .replace("from = \"pipe\"", "from = \"pipes\"");
        let err = Profile::parse(&bad, "bad.toml").unwrap_err().to_string();
        assert!(err.contains("tables.opportunities.columns.amuont: no such column in opportunities; did you mean `amount`?"), "{err}");
        assert!(
            err.contains("required column amount is not mapped"),
            "{err}"
        );
        assert!(err.contains("date format `%m/%Q/%Y` is not valid"), "{err}");
        assert!(
            err.contains("from = \"pipes\": no [files.pipes]; did you mean `pipe`?"),
            "{err}"
        );
        let err = Profile::parse(&OK.replace("percent = true", "percnt = true"), "x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `percnt`"), "{err}");
    }

    #[test]
    fn time_formats_are_recognised() {
        assert!(has_time("%m/%d/%y %I:%M %p"));
        assert!(has_time("%Y-%m-%dT%H:%M:%S%.f%z"));
        assert!(!has_time("%m/%d/%Y"));
    }
}
