//! Value conversion: a rule's source value (constant, lookup result, cells,
//! concatenation) turned into the contract's text form: dates and times (time
//! zone, local dates), periods, numbers, percentages, discounts and booleans.

use polars::prelude::*;

use super::lookups::lookup_value;
use crate::ingest::numbers::{number_expr, number_or_null, refused_expr, rounded_expr, split_why};
use crate::ingest::parse::{
    expected_form, strptime, typed_expr, CONTRACT_DATETIME_FORMATS, CONTRACT_DATE_FORMAT,
};
use crate::ingest::profile::{has_time, ColumnSpec, Defaults, PeriodOf, TableSpec};
use crate::ingest::rawfile::serial_column;
use crate::money::{div_round_half_away, parse_units, units_text, UNITS_PER_ONE, UNIT_DECIMALS};
use crate::schema::{Kind, Table};

/// A source cell as the rules see it: trimmed, and null when it is one of
/// the export's null tokens. Applied only to the columns a rule reads.
pub(super) fn cell(name: &str, tokens: &[String]) -> Expr {
    let text = crate::text::trimmed(col(name));
    let list = lit(Series::new("tokens".into(), tokens)).implode(false);
    when(text.clone().is_in(list, false))
        .then(lit(NULL).cast(DataType::String))
        .otherwise(text)
}

/// `column` with its workbook date-formatted number cells as their numbers,
/// when the file has such cells in it.
pub(super) fn as_number(frame: &DataFrame, column: &str) -> Option<Expr> {
    let serial = serial_column(column);
    frame
        .schema()
        .contains(&serial)
        .then(|| coalesce(&[col(serial), col(column)]).alias(column))
}

/// Workbook cells formatted as dates that hold numbers are read as numbers
/// wherever the contract column is not a date (ids, codes, amounts: a
/// column of order numbers formatted as dates reads `50001`, not
/// `2036-11-22`), and as dates only for date and datetime columns.
pub(super) fn date_cells_as_numbers(
    frame: &DataFrame,
    table: &Table,
    spec: &TableSpec,
) -> Vec<Expr> {
    let used_as_date = |c: &str| {
        spec.columns.iter().any(|(name, rule)| {
            let kind = table.column(name).map(|col| col.kind);
            matches!(kind, Some(Kind::Date | Kind::Datetime))
                && (rule.column.as_deref() == Some(c) || rule.fallback.as_deref() == Some(c))
        })
    };
    let mut sources: Vec<&str> = spec
        .columns
        .values()
        .flat_map(|r| {
            r.column
                .iter()
                .chain(r.fallback.iter())
                .chain(r.concat.iter())
                .map(String::as_str)
        })
        .collect();
    sources.sort();
    sources.dedup();
    sources
        .into_iter()
        .filter(|c| !used_as_date(c))
        .filter_map(|c| as_number(frame, c))
        .collect()
}

/// The formats a date or datetime column is read with.
pub(super) fn date_formats(
    kind: Kind,
    rule: &ColumnSpec,
    defaults: &Defaults,
) -> Option<Vec<String>> {
    let fallback = match kind {
        Kind::Date => &defaults.date_formats,
        Kind::Datetime => &defaults.datetime_formats,
        _ => return None,
    };
    Some(rule.format.clone().unwrap_or_else(|| fallback.clone()))
}

/// The value a rule reads before `map` and `default`: its constant, its
/// lookup's result, or its source cell (else the fallback cell); null when
/// the export has none.
pub(super) fn source_value(rule: &ColumnSpec, tokens: &[String], i: usize) -> Expr {
    if !rule.concat.is_empty() {
        let parts: Vec<Expr> = rule.concat.iter().map(|c| cell(c, tokens)).collect();
        let joined = concat_str(parts, rule.separator.as_deref().unwrap_or(" "), true);
        return when(joined.clone().eq(lit("")))
            .then(lit(NULL).cast(DataType::String))
            .otherwise(joined);
    }
    match (&rule.value, &rule.lookup, &rule.column) {
        (Some(v), _, _) => lit(v.trim().to_string()),
        // A key the lookup does not find (or finds empty) takes the
        // fallback column of the table's own file.
        (None, Some(_), _) => match &rule.fallback {
            Some(f) => coalesce(&[col(lookup_value(i)), cell(f, tokens)]),
            None => col(lookup_value(i)),
        },
        (None, None, Some(c)) => match &rule.fallback {
            Some(f) => coalesce(&[cell(c, tokens), cell(f, tokens)]),
            None => cell(c, tokens),
        },
        (None, None, None) => lit(NULL).cast(DataType::String),
    }
}

/// Marker column: the rule's `default` stood in for a missing source value.
pub(super) fn defaulted_flag(i: usize) -> String {
    format!("__defaulted{i}")
}

/// The expression producing contract column `name` as canonical text.
pub(super) fn column_expr(
    name: &str,
    kind: Kind,
    rule: &ColumnSpec,
    defaults: &Defaults,
    i: usize,
) -> Expr {
    let tokens = &defaults.null_tokens;
    let mut e = source_value(rule, tokens, i);
    if !rule.map.is_empty() {
        let old = Series::new("old".into(), rule.map.keys().cloned().collect::<Vec<_>>());
        let new = Series::new("new".into(), rule.map.values().cloned().collect::<Vec<_>>());
        let mapped = |v: Expr| {
            v.replace(
                lit(old.clone()).implode(false),
                lit(new.clone()).implode(false),
            )
        };
        e = mapped(e);
        // A value mapped to "" has no value: the fallback column is read
        // instead (mapped too) — a deal's status `won`/`lost`, else its stage.
        let none = || lit(NULL).cast(DataType::String);
        let instead = match &rule.fallback {
            Some(f) if rule.lookup.is_none() => mapped(cell(f, tokens)),
            _ => none(),
        };
        e = when(e.clone().eq(lit(""))).then(instead).otherwise(e);
    }
    if let Some(d) = &rule.default {
        e = e.fill_null(lit(d.clone()));
    }
    match kind {
        Kind::Date | Kind::Datetime => {
            let formats = date_formats(kind, rule, defaults).expect("a date kind");
            normalized_date(
                e,
                &formats,
                kind == Kind::Datetime,
                defaults.time_zone.as_deref(),
            )
        }
        // A source system's line total (often 4+ decimals: 23190.651792) is
        // the line's amount rounded to the cent (SPEC section 1).
        Kind::Money if name == "line_amount" => rounded_expr(
            number_expr(e, &defaults.numbers(), true, number_places(kind, name)),
            2,
        ),
        Kind::Money => number_expr(e, &defaults.numbers(), true, number_places(kind, name)),
        Kind::Quantity => number_expr(e, &defaults.numbers(), false, number_places(kind, name)),
        Kind::Price => match &rule.discount {
            Some(d) => discounted_price(
                number_expr(e, &defaults.numbers(), true, number_places(kind, name)),
                percent_number(cell(d, tokens), defaults),
            ),
            None => number_expr(e, &defaults.numbers(), true, number_places(kind, name)),
        },
        Kind::Ratio if rule.percent => {
            let n = percent_number(e.clone(), defaults);
            let percent = n.clone().cast(DataType::Float64);
            // Out of 0–100 % the cell is refused as written, not as the
            // fraction it would make (150 % is not "1.5, write 0.4 not 40").
            // Compared at the 8 decimals of a percent that make the
            // fraction's 10, so a spreadsheet's 100.00000000000001 is 100 %.
            let rounded = percent.clone().round(8, RoundMode::HalfAwayFromZero);
            let out_of_range = rounded.clone().lt(lit(0.0)).or(rounded.gt(lit(100.0)));
            let refused = refused_expr(
                e,
                "not a percentage between 0 and 100 (the profile reads this column as percent)",
            );
            // The contract reads ratios as floats: rounding the quotient to 10
            // decimals gives the float the fraction's own text would parse to
            // (14.3 % → 0.143, not 0.14300000000000002).
            when(out_of_range).then(refused).otherwise(
                (percent / lit(100.0))
                    .round(10, RoundMode::HalfAwayFromZero)
                    .cast(DataType::String)
                    .fill_null(n),
            )
        }
        Kind::Ratio | Kind::Int => {
            number_expr(e, &defaults.numbers(), false, number_places(kind, name))
        }
        Kind::Bool => canonical_bool(e, defaults),
        Kind::Period => match rule.to_period {
            Some(of) => period_of_date(e, of, rule, defaults),
            None => e,
        },
        Kind::Id | Kind::Text => e,
    }
    .alias(name)
}

/// Why a constant the profile writes for contract column `name` (its
/// `default` or `value`) could not be that column's value, `None` when it
/// could (or is blank: no constant). The constant goes through the rule's
/// `map`, the column's conversion ([`column_expr`]) and the contract's parse
/// exactly as a cell taking it would, so a profile whose constant every
/// such row would be refused for is refused once, at load.
pub(crate) fn constant_refusal(
    name: &str,
    kind: Kind,
    rule: &ColumnSpec,
    defaults: &Defaults,
    constant: &str,
) -> Option<String> {
    if constant.trim().is_empty() {
        return None;
    }
    // The constant as the rule's only source; how it is read stays the rule's.
    let as_value = ColumnSpec {
        value: Some(constant.to_string()),
        map: rule.map.clone(),
        format: rule.format.clone(),
        percent: rule.percent,
        to_period: rule.to_period,
        ..ColumnSpec::default()
    };
    let row = DataFrame::new(1, vec![Column::new("__one".into(), [1i32])]).ok()?;
    let out = row
        .lazy()
        .select([column_expr(name, kind, &as_value, defaults, 0).alias("text")])
        .with_column(typed_expr("text", kind, &DataType::String).alias("typed"))
        .collect()
        .ok()?;
    let text = out.column("text").ok()?.str().ok()?.get(0)?.to_string();
    match split_why(&text) {
        (_, Some(why)) => Some(why.to_string()),
        _ if out.column("typed").ok()?.is_null().get(0)? => {
            Some(format!("expected {}", expected_form(kind)))
        }
        _ => None,
    }
}

/// Text parsed as a timestamp (ms) with a chrono format; null where it does not parse.
fn timestamp(text: Expr, format: &str) -> Expr {
    text.str().to_datetime(
        Some(TimeUnit::Milliseconds),
        None,
        strptime(format),
        lit("raise"),
    )
}

/// Parses with each format in turn and writes the contract's form
/// (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`). A timestamp with a UTC offset
/// (`%z`) keeps the local date and time as written (SPEC section 1: an
/// evening deal in Chicago stays on its day), unless the profile names a
/// business time zone, to which it is converted (DST-correct, IANA rules).
/// Text no format reads is kept, so validation reports it as found.
fn normalized_date(text: Expr, formats: &[String], datetime: bool, zone: Option<&str>) -> Expr {
    // Formats the contract itself reads need no rewriting (and no second parse).
    let contract_form = |f: &String| {
        if datetime {
            CONTRACT_DATETIME_FORMATS.contains(&f.as_str())
        } else {
            f == CONTRACT_DATE_FORMAT
        }
    };
    if formats.iter().all(contract_form) {
        return text;
    }
    let mut parsed: Vec<Expr> = formats
        .iter()
        .map(|f| {
            let offset = f.contains("%z") || f.contains("%:z") || f.contains("%#z");
            // A literal `Z` at the end of a format (`…%SZ`) means UTC.
            let utc = !offset && f.ends_with('Z');
            let value = match (has_time(f), offset || utc, zone) {
                (true, true, Some(zone)) => {
                    let zone = TimeZone::opt_try_new(Some(zone))
                        .ok()
                        .flatten()
                        .unwrap_or(TimeZone::UTC);
                    let instant = if utc {
                        timestamp(text.clone(), f).dt().replace_time_zone(
                            Some(TimeZone::UTC),
                            lit("raise"),
                            NonExistent::Raise,
                        )
                    } else {
                        timestamp(text.clone(), f)
                    };
                    instant.dt().convert_time_zone(zone).dt().replace_time_zone(
                        None,
                        lit("raise"),
                        NonExistent::Raise,
                    )
                }
                (true, true, None) if utc => timestamp(text.clone(), f),
                (true, true, None) => {
                    // The wall-clock time as written: the offset is dropped
                    // from the text and from the format alike.
                    let local_format = f
                        .replace("%:z", "")
                        .replace("%#z", "")
                        .replace("%z", "")
                        .trim_end()
                        .to_string();
                    text.clone()
                        .str()
                        .replace(lit(r"\s*(Z|[+-]\d{2}:?\d{2})$"), lit(""), false)
                        .str()
                        .to_datetime(
                            Some(TimeUnit::Milliseconds),
                            None,
                            strptime(&local_format),
                            lit("raise"),
                        )
                }
                (true, false, _) => timestamp(text.clone(), f),
                (false, _, _) => text
                    .clone()
                    .str()
                    .to_date(strptime(f))
                    .cast(DataType::Datetime(TimeUnit::Milliseconds, None)),
            };
            if datetime {
                value.dt().to_string("%Y-%m-%d %H:%M:%S")
            } else {
                value.dt().date().dt().to_string("%Y-%m-%d")
            }
        })
        .collect();
    parsed.push(text);
    coalesce(&parsed)
}

/// The month or quarter a date falls in (`2026-10-31 00:00:00` → `2026-10`
/// or `2026-Q4`), reading it with the rule's formats, else the profile's
/// date and datetime formats; text already in period form, or that no
/// format reads, is kept for validation to judge.
fn period_of_date(text: Expr, of: PeriodOf, rule: &ColumnSpec, defaults: &Defaults) -> Expr {
    let formats = rule.format.clone().unwrap_or_else(|| {
        defaults
            .date_formats
            .iter()
            .chain(&defaults.datetime_formats)
            .cloned()
            .collect()
    });
    let dates: Vec<Expr> = formats
        .iter()
        .map(|f| {
            if has_time(f) {
                timestamp(text.clone(), f).dt().date()
            } else {
                text.clone().str().to_date(strptime(f))
            }
        })
        .collect();
    let date = coalesce(&dates);
    let label = match of {
        PeriodOf::Month => date.dt().to_string("%Y-%m"),
        PeriodOf::Quarter => concat_str(
            [
                date.clone().dt().year().cast(DataType::String),
                lit("-Q"),
                date.dt().quarter().cast(DataType::String),
            ],
            "",
            false,
        ),
    };
    // Text already in the requested form passes; anything else (a month
    // under `to_period = "quarter"`) is marked so validation refuses it
    // instead of putting a quarter's quota into one month.
    let (requested, what) = match of {
        PeriodOf::Month => (r"^\s*\d{4}-(0[1-9]|1[0-2])\s*$", "month"),
        PeriodOf::Quarter => (r"^\s*\d{4}-Q[1-4]\s*$", "quarter"),
    };
    let kept = when(text.clone().str().contains(lit(requested), false))
        .then(text.clone())
        .otherwise(refused_expr(
            text,
            &format!("not a date, and to_period = \"{what}\" takes a date or a {what}"),
        ));
    label.fill_null(kept)
}

/// Decimals a cell of a number column may be written with (`None`: any):
/// money, prices and quantities 4 (the contract's), whole numbers none,
/// fractions any, and a line total any, as it is rounded to the cent (SPEC
/// section 1). `None` too for columns that are not numbers.
fn number_places(kind: Kind, column: &str) -> Option<usize> {
    match kind {
        Kind::Money if column == "line_amount" => None,
        Kind::Money | Kind::Price | Kind::Quantity => Some(UNIT_DECIMALS),
        Kind::Int => Some(0),
        _ => None,
    }
}

/// A number written with or without a trailing `%` (40 or 40 %), read in
/// the export's convention, without the sign.
fn percent_number(text: Expr, defaults: &Defaults) -> Expr {
    let bare = crate::text::trimmed(text.clone().str().strip_chars_end(lit("%")));
    // Unreadable text stays as written, `%` included (and marked when the
    // contract's own form would read it).
    number_or_null(bare, &defaults.numbers(), false).fill_null(number_expr(
        text,
        &defaults.numbers(),
        false,
        None,
    ))
}

/// `price × (1 − discount)` rounded half away from zero to 4 decimals, as
/// text; left as the price text where either does not parse.
fn discounted_price(price: Expr, discount: Expr) -> Expr {
    let p = parse_units(price.clone()).cast(DataType::Int128);
    let d = parse_units(discount).cast(DataType::Int128);
    let net = div_round_half_away(p * (lit(UNITS_PER_ONE as i128) - d), UNITS_PER_ONE)
        .cast(DataType::Int64);
    units_text(net).fill_null(price)
}

fn canonical_bool(text: Expr, defaults: &Defaults) -> Expr {
    let list = |v: &[String]| lit(Series::new("t".into(), v)).implode(false);
    when(text.clone().is_in(list(&defaults.true_tokens), false))
        .then(lit("true"))
        .when(text.clone().is_in(list(&defaults.false_tokens), false))
        .then(lit("false"))
        .otherwise(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::numbers::WHY_MARK;

    fn apply(
        values: &[Option<&str>],
        kind: Kind,
        rule: ColumnSpec,
        defaults: &Defaults,
    ) -> Vec<Option<String>> {
        let df = df!("src" => values, "disc" => vec![Some("0.15"); values.len()]).unwrap();
        let out = df
            .lazy()
            .select([column_expr("out", kind, &rule, defaults, 0)])
            .collect()
            .unwrap();
        out.column("out")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(String::from))
            .collect()
    }

    fn rule(f: impl FnOnce(&mut ColumnSpec)) -> ColumnSpec {
        let mut r = ColumnSpec {
            column: Some("src".into()),
            ..ColumnSpec::default()
        };
        f(&mut r);
        r
    }

    fn some(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| Some(s.to_string())).collect()
    }

    #[test]
    fn dates_are_rewritten_in_contract_form_and_unreadable_text_is_kept() {
        let d = Defaults {
            date_formats: vec!["%m/%d/%Y".into(), "%Y-%m-%dT%H:%M:%S%.f%z".into()],
            ..Defaults::default()
        };
        let got = apply(
            &[
                Some("1/2/2013"),
                Some("2024-01-22T23:14:25.000+0800"),
                Some("2013-02-01"),
                Some("13/13/2013"),
                None,
            ],
            Kind::Date,
            rule(|_| {}),
            &d,
        );
        // The zoned timestamp keeps its local date as written (SPEC section 1); ISO text passes as is.
        assert_eq!(
            got,
            vec![
                Some("2013-01-02".into()),
                Some("2024-01-22".into()),
                Some("2013-02-01".into()),
                Some("13/13/2013".into()),
                None
            ]
        );
        let got = apply(
            &[Some("02/23/26 08:55 PM")],
            Kind::Datetime,
            rule(|r| r.format = Some(vec!["%m/%d/%y %I:%M %p".into()])),
            &d,
        );
        assert_eq!(got, some(&["2026-02-23 20:55:00"]));
    }

    proptest::proptest! {
        /// Timestamps written in each supported shape read back as the
        /// local wall-clock time written, whatever their UTC offset.
        #[test]
        fn written_timestamps_read_back_as_written(
            days in 0u64..40_000,
            secs in 0u32..86_400,
            offset_minutes in -720i32..=840,
            shape in 0usize..4,
        ) {
            let day = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(days);
            let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap();
            let at = day.and_time(time);
            let sign = if offset_minutes < 0 { '-' } else { '+' };
            let (h, m) = (offset_minutes.abs() / 60, offset_minutes.abs() % 60);
            let (text, format) = match shape {
                0 => (format!("{}{sign}{h:02}:{m:02}", at.format("%Y-%m-%dT%H:%M:%S")), "%Y-%m-%dT%H:%M:%S%:z"),
                1 => (format!("{}{sign}{h:02}{m:02}", at.format("%Y-%m-%dT%H:%M:%S%.3f")), "%Y-%m-%dT%H:%M:%S%.f%z"),
                2 => (at.format("%m/%d/%Y %I:%M:%S %p").to_string(), "%m/%d/%Y %I:%M:%S %p"),
                _ => (at.format("%d.%m.%Y %H:%M:%S").to_string(), "%d.%m.%Y %H:%M:%S"),
            };
            let got = apply(
                &[Some(&text)],
                Kind::Datetime,
                rule(|r| r.format = Some(vec![format.into()])),
                &Defaults::default(),
            );
            proptest::prop_assert_eq!(got, vec![Some(at.format("%Y-%m-%d %H:%M:%S").to_string())], "{}", text);
        }

        /// A date that does not exist is kept as written (validation refuses
        /// it), never read as another day.
        #[test]
        fn impossible_dates_are_kept_as_written(
            year in 1950i32..2100,
            month in 1u32..=14,
            day in 28u32..=35,
        ) {
            let text = format!("{month:02}/{day:02}/{year}");
            let exists = chrono::NaiveDate::from_ymd_opt(year, month, day).is_some();
            let got = apply(
                &[Some(&text)],
                Kind::Date,
                rule(|r| r.format = Some(vec!["%m/%d/%Y".into()])),
                &Defaults::default(),
            );
            let expected = if exists {
                chrono::NaiveDate::from_ymd_opt(year, month, day).unwrap().to_string()
            } else {
                text.clone()
            };
            proptest::prop_assert_eq!(got, vec![Some(expected)]);
        }
    }

    #[test]
    fn numbers_lose_grouping_and_percent_becomes_a_fraction() {
        let comma = Defaults {
            decimal_comma: true,
            ..Defaults::default()
        };
        assert_eq!(
            apply(
                &[Some("1.234,56"), Some("-0,5")],
                Kind::Money,
                rule(|_| {}),
                &comma
            ),
            some(&["1234.56", "-0.5"])
        );
        let grouped = Defaults {
            thousands_separator: Some(",".into()),
            ..Defaults::default()
        };
        assert_eq!(
            apply(&[Some("1,150.00")], Kind::Money, rule(|_| {}), &grouped),
            some(&["1150.00"])
        );
        let got = apply(
            &[Some("40"), Some("100%"), Some("14.3 %"), Some("x")],
            Kind::Ratio,
            rule(|r| r.percent = true),
            &Defaults::default(),
        );
        assert_eq!(got, some(&["0.4", "1.0", "0.143", "x"]));
        // Out of 0–100 %: refused as written, with the reason after the mark.
        let got = apply(
            &[Some("150 %"), Some("-5"), Some("0")],
            Kind::Ratio,
            rule(|r| r.percent = true),
            &Defaults::default(),
        );
        let why = "not a percentage between 0 and 100 (the profile reads this column as percent)";
        assert_eq!(
            got,
            some(&[
                &format!("150 %{WHY_MARK}{why}"),
                &format!("-5{WHY_MARK}{why}"),
                "0.0"
            ])
        );
    }

    #[test]
    fn discount_gives_the_net_price_rounded_half_away_from_zero() {
        // 42.40 × 0.85 = 36.04; 0.0003 × 0.85 = 0.000255 → 0.0003; −10 × 0.85 = −8.5.
        let got = apply(
            &[Some("42.4"), Some("0.0003"), Some("-10"), Some("abc")],
            Kind::Price,
            rule(|r| r.discount = Some("disc".into())),
            &Defaults::default(),
        );
        assert_eq!(got, some(&["36.0400", "0.0003", "-8.5000", "abc"]));
    }

    #[test]
    fn map_then_default_then_constant() {
        let stage = rule(|r| {
            r.map = [("Closed Won".to_string(), "won".to_string())].into();
            r.default = Some("lead".into());
        });
        let got = apply(
            &[Some(" Closed Won "), Some("Other"), None],
            Kind::Text,
            stage,
            &Defaults::default(),
        );
        assert_eq!(got, some(&["won", "Other", "lead"]));
        let constant = ColumnSpec {
            value: Some("AR".into()),
            ..ColumnSpec::default()
        };
        assert_eq!(
            apply(&[Some("x")], Kind::Id, constant, &Defaults::default()),
            some(&["AR"])
        );
    }
}
