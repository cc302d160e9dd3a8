//! Exact money: integer cents for amounts, integer 1/10000 units for prices
//! and quantities (SPEC section 2). Parsing and rounding are polars
//! expressions so they run column-wise inside lazy plans; no float ever
//! touches a money value.

use polars::prelude::*;

/// Scale of prices and quantities: 4 decimals.
pub(crate) const UNITS_PER_ONE: i64 = 10_000;

/// Decimals the parser reads before deciding whether a value fits 4 decimals:
/// text with more decimals is rounded to this scale first, so only values
/// within 5e-11 of a 4-decimal number are taken as that number.
const PARSE_SCALE: usize = 10;

/// Parses decimal text (`1234.5`, `-20.00`, `.5`, `1e3`) or a native number
/// into integer 1/10000 units; null when it is not a number or has more than
/// 4 decimals. Uses polars' native decimal parser, one pass per column.
pub(crate) fn parse_units(value: Expr) -> Expr {
    let scaled = crate::text::trimmed(value)
        .cast(DataType::Decimal(38, PARSE_SCALE))
        .to_physical();
    decimal_to_units(scaled)
}

/// Native numbers (Parquet decimals, integers, floats) into 1/10000 units;
/// floats go through their shortest decimal text, so 0.1 is 0.1000.
pub(crate) fn native_units(value: Expr, source: &DataType) -> Expr {
    match source {
        DataType::Float32 | DataType::Float64 => parse_units(value.cast(DataType::String)),
        _ => decimal_to_units(value.cast(DataType::Decimal(38, PARSE_SCALE)).to_physical()),
    }
}

fn decimal_to_units(scaled: Expr) -> Expr {
    let per_unit = 10i128.pow(PARSE_SCALE as u32) / i128::from(UNITS_PER_ONE);
    when((scaled.clone() % lit(per_unit)).eq(lit(0i128)))
        .then((scaled / lit(per_unit)).cast(DataType::Int64))
        .otherwise(lit(NULL).cast(DataType::Int64))
}

/// Divides an integer expression by `divisor` (> 0), rounding half away from
/// zero. Works on Int64 and Int128.
pub(crate) fn div_round_half_away(value: Expr, divisor: i64) -> Expr {
    let half = divisor / 2;
    when(value.clone().gt_eq(lit(0)))
        .then((value.clone() + lit(half)).floor_div(lit(divisor)))
        .otherwise(lit(0) - (lit(0) - value + lit(half)).floor_div(lit(divisor)))
}

/// `value / divisor` (divisor > 0) rounded half away from zero, for scalars.
pub(crate) fn div_round_half_away_i128(value: i128, divisor: i128) -> i128 {
    let half = divisor / 2;
    if value >= 0 {
        (value + half) / divisor
    } else {
        -((-value + half) / divisor)
    }
}

/// One decimal text (`1200000`, `0.12`, `1e8`) as 1/10000 units, by the
/// same parser as the ingested columns ([`parse_units`]): `None` when it is
/// not a number or has more than 4 decimals. For command-line and override
/// values, so a total is read exactly as a CSV amount would be.
pub(crate) fn parse_units_text(text: &str) -> Option<i64> {
    let df = DataFrame::new(1, vec![Column::new("v".into(), [text])]).ok()?;
    let out = df
        .lazy()
        .select([parse_units(col("v")).alias("u")])
        .collect()
        .ok()?;
    out.column("u").ok()?.i64().ok()?.get(0)
}

/// One decimal text as integer cents, rounded half away from zero from up
/// to 4 decimals (SPEC section 2: money is rounded to the cent as it is
/// read); `None` when [`parse_units_text`] refuses it.
pub(crate) fn parse_cents_text(text: &str) -> Option<i64> {
    let units = parse_units_text(text)?;
    i64::try_from(div_round_half_away_i128(i128::from(units), 100)).ok()
}

/// Rounds 1/10000 units to integer cents, half away from zero.
pub(crate) fn units_to_cents(units: Expr) -> Expr {
    div_round_half_away(units, 100)
}

/// `round(quantity × price, 2)` in cents from two 1/10000-unit columns,
/// computed in 128-bit integers so no product can overflow.
pub(crate) fn line_cents(quantity_units: Expr, price_units: Expr) -> Expr {
    let product = quantity_units.cast(DataType::Int128) * price_units.cast(DataType::Int128);
    div_round_half_away(product, UNITS_PER_ONE * 100).cast(DataType::Int64)
}

/// An integer count of 10^-`decimals` as decimal text with exactly
/// `decimals` decimals (`-1234` with 2 → `-12.34`).
pub(crate) fn scaled_text(value: Expr, decimals: u32) -> Expr {
    let per_one = 10i64.pow(decimals);
    let abs = value.clone().abs();
    concat_str(
        [
            when(value.lt(lit(0))).then(lit("-")).otherwise(lit("")),
            abs.clone().floor_div(lit(per_one)).cast(DataType::String),
            lit("."),
            (abs % lit(per_one))
                .cast(DataType::String)
                .str()
                .pad_start(lit(decimals as u64), '0'),
        ],
        "",
        false,
    )
}

/// Integer 1/10000 units as decimal text with 4 decimals (`-12.3400`).
pub(crate) fn units_text(units: Expr) -> Expr {
    scaled_text(units, 4)
}

/// Formats integer cents as decimal text with exactly 2 decimals.
pub(crate) fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Formats integer cents with thousands separators (`1,234,567.89`).
pub(crate) fn format_cents_grouped(cents: i64) -> String {
    let plain = format_cents(cents);
    let (sign, rest) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{frac}")
}

/// Integer cents → text with exactly 2 decimals (`-0.05`, `1234.50`).
pub(crate) fn cents_text(cents: Expr) -> Expr {
    scaled_text(cents, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_is_read_like_a_column() {
        assert_eq!(parse_cents_text("1200000"), Some(120_000_000));
        assert_eq!(parse_cents_text(" 1e3 "), Some(100_000));
        assert_eq!(parse_cents_text("0.005"), Some(1));
        assert_eq!(parse_cents_text("-0.005"), Some(-1));
        assert_eq!(parse_units_text("0.12"), Some(1_200));
        assert_eq!(parse_units_text("0.12345"), None);
        assert_eq!(parse_units_text("twelve"), None);
        assert_eq!(parse_units_text(""), None);
    }

    fn eval(values: &[Option<&str>], f: impl Fn(Expr) -> Expr) -> Vec<Option<i64>> {
        let df = df!("v" => values).unwrap();
        let out = df
            .lazy()
            .select([f(col("v")).alias("o")])
            .collect()
            .unwrap();
        out.column("o").unwrap().i64().unwrap().iter().collect()
    }

    #[test]
    fn parses_decimal_text_exactly() {
        let got = eval(
            &[
                Some("1234.5"),
                Some("-20.00"),
                Some(".5"),
                Some("7"),
                Some(" 0.0001 "),
                Some("1.23456"),
                Some("abc"),
                Some(""),
                None,
                Some("-"),
                Some("1,5"),
                Some("+3"),
                Some("2.50000"),
                Some("1.00001"),
            ],
            parse_units,
        );
        assert_eq!(
            got,
            vec![
                Some(12_345_000),
                Some(-200_000),
                Some(5_000),
                Some(70_000),
                Some(1),
                None,
                None,
                None,
                None,
                None,
                None,
                Some(30_000),
                Some(25_000),
                None
            ]
        );
    }

    #[test]
    fn rounds_half_away_from_zero_to_cents() {
        let got = eval(
            &[
                Some("1.005"),
                Some("-1.005"),
                Some("2.0049"),
                Some("-2.0050"),
                Some("0.125"),
            ],
            |e| units_to_cents(parse_units(e)),
        );
        assert_eq!(
            got,
            vec![Some(101), Some(-101), Some(200), Some(-201), Some(13)]
        );
    }

    #[test]
    fn line_amount_is_rounded_once_from_exact_product() {
        // 3 × 0.3333 = 0.9999 → 1.00; -2 × 1.0025 = -2.005 → -2.01
        let df =
            df!("q" => [30_000i64, -20_000, 1_000_000_000], "p" => [3_333i64, 10_025, 99_999_999])
                .unwrap();
        let out = df
            .lazy()
            .select([line_cents(col("q"), col("p")).alias("c")])
            .collect()
            .unwrap();
        let got: Vec<_> = out.column("c").unwrap().i64().unwrap().iter().collect();
        assert_eq!(got, vec![Some(100), Some(-201), Some(99_999_999_000)]);
    }

    #[test]
    fn formats_cents() {
        assert_eq!(format_cents(-5), "-0.05");
        assert_eq!(format_cents(123_456), "1234.56");
        assert_eq!(format_cents_grouped(-123_456_789), "-1,234,567.89");
        assert_eq!(format_cents_grouped(99), "0.99");
    }
}
