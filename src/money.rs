//! Exact money: integer cents for amounts, integer 1/10000 units for prices
//! and quantities (SPEC section 2). Parsing and rounding are polars
//! expressions so they run column-wise inside lazy plans; no float ever
//! touches a money value.

use polars::prelude::*;

/// Scale of prices and quantities: 4 decimals.
pub(crate) const UNITS_PER_ONE: i64 = 10_000;

/// Decimals a money, price or quantity value may be written with (the
/// contract's `at most 4 decimals`; [`UNITS_PER_ONE`] = 10^4).
pub(crate) const UNIT_DECIMALS: usize = 4;

/// Decimals the parser reads before deciding whether a value fits 4 decimals:
/// text with more decimals is rounded to this scale first, so only values
/// within 5e-11 of a 4-decimal number are taken as that number.
pub(crate) const PARSE_SCALE: usize = 10;

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
/// half away from zero, exact for every pair of Int64 values (the product is
/// taken in 128 bits when it does not fit 64); null when either is null or
/// the cents do not fit Int64. See [`line_cents_of`].
pub(crate) fn line_cents(quantity_units: Expr, price_units: Expr) -> Expr {
    int64_pairs(quantity_units, price_units, line_cents_of)
}

/// `round(q × p / 10^6)` half away from zero for 1/10000-unit `q` and `p`:
/// the line's cents. 64-bit arithmetic where the product fits (every
/// realistic line), 128-bit otherwise; `None` when the cents overflow Int64.
pub(crate) fn line_cents_of(quantity_units: i64, price_units: i64) -> Option<i64> {
    const DIVISOR: i64 = UNITS_PER_ONE * 100;
    // |product| + half must fit too; any overflow on the way goes wide.
    let narrow = || {
        let product = quantity_units.checked_mul(price_units)?;
        let up = product.checked_abs()?.checked_add(DIVISOR / 2)?;
        Some(product.signum() * (up / DIVISOR))
    };
    narrow().or_else(|| wide_cents(quantity_units, price_units))
}

fn wide_cents(quantity_units: i64, price_units: i64) -> Option<i64> {
    let product = i128::from(quantity_units) * i128::from(price_units);
    i64::try_from(div_round_half_away_i128(
        product,
        i128::from(UNITS_PER_ONE * 100),
    ))
    .ok()
}

/// An Int64 column from two Int64 expressions by a function of each row's
/// pair (null when either is null or `f` gives `None`), in one native pass:
/// the exact integer arithmetic of line money as polars expressions needed
/// 128-bit casts and two divisions per row, most of the time of pricing a
/// million order lines. A length-1 side is broadcast.
pub(crate) fn int64_pairs(a: Expr, b: Expr, f: fn(i64, i64) -> Option<i64>) -> Expr {
    a.cast(DataType::Int64).map_many(
        move |columns| {
            let name = columns[0].name().clone();
            let x = columns[0].as_materialized_series().i64()?.clone();
            let y = columns[1].as_materialized_series().i64()?.clone();
            let pair = |u: Option<i64>, v: Option<i64>| match (u, v) {
                (Some(u), Some(v)) => f(u, v),
                _ => None,
            };
            let out: Int64Chunked = match (x.len(), y.len()) {
                (n, m) if n == m => x.iter().zip(y.iter()).map(|(u, v)| pair(u, v)).collect(),
                (1, _) => {
                    let u = x.get(0);
                    y.iter().map(|v| pair(u, v)).collect()
                }
                (_, 1) => {
                    let v = y.get(0);
                    x.iter().map(|u| pair(u, v)).collect()
                }
                (n, m) => polars_bail!(ShapeMismatch: "int64_pairs: lengths {n} and {m}"),
            };
            Ok(out.with_name(name).into_column())
        },
        &[b.cast(DataType::Int64)],
        |_, fields| Ok(Field::new(fields[0].name().clone(), DataType::Int64)),
    )
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

/// Digits of the Decimal columns salesops writes (money Decimal(18,2),
/// prices and quantities Decimal(18,4)).
pub(crate) const DECIMAL_DIGITS: usize = 18;

/// An integer column counting 10^-`decimals` (cents with 2, 1/10000 units
/// with 4) as Decimal(18, `decimals`) of exactly the same value: the
/// integer becomes the decimal's unscaled value, with no text or float in
/// between. Nulls stay null. A value of 19 digits or more (10^16 and up
/// with 2 decimals), which Parquet's Decimal(18, ·) cannot hold, is a
/// usage error (exit 3) naming `table`, the column and the value, and
/// saying that CSV holds it.
pub(crate) fn scaled_decimal(
    values: &Column,
    decimals: usize,
    table: &str,
) -> crate::Result<Column> {
    let unscaled = values.as_materialized_series().cast(&DataType::Int128)?;
    let unscaled = unscaled.i128()?;
    let limit = 10i128.pow(DECIMAL_DIGITS as u32);
    if let Some(wide) = unscaled.iter().flatten().find(|v| v.abs() >= limit) {
        return Err(crate::Error::Usage(format!(
            "{table}: column {}: {} has more than {DECIMAL_DIGITS} digits, so Parquet's Decimal({DECIMAL_DIGITS},{decimals}) cannot hold it; write this table as CSV (--format csv), which holds any amount",
            values.name(),
            scaled_text_of(wide, decimals as u32)
        )));
    }
    let decimal = unscaled.clone().into_decimal(DECIMAL_DIGITS, decimals)?;
    Ok(decimal
        .into_series()
        .with_name(values.name().clone())
        .into())
}

/// An integer count of 10^-`decimals` as decimal text (`-1234` with 2 →
/// `-12.34`): [`format_cents`] and messages; [`scaled_text`] is the same
/// for a column.
fn scaled_text_of(value: i128, decimals: u32) -> String {
    let per_one = 10u128.pow(decimals);
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / per_one,
        abs % per_one,
        width = decimals as usize
    )
}

/// Integer 1/10000 units as decimal text with 4 decimals (`-12.3400`).
pub(crate) fn units_text(units: Expr) -> Expr {
    scaled_text(units, 4)
}

/// Formats integer cents as decimal text with exactly 2 decimals.
pub(crate) fn format_cents(cents: i64) -> String {
    scaled_text_of(i128::from(cents), 2)
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
    fn scaled_decimals_hold_the_integers_exactly_and_refuse_19_digits() {
        let cents = Column::new(
            "amount".into(),
            [
                Some(-5i64),
                Some(123_450),
                None,
                Some(0),
                Some(99_999_999_999_999_999),
            ],
        );
        let decimal = scaled_decimal(&cents, 2, "t").unwrap();
        assert_eq!(decimal.dtype(), &DataType::Decimal(18, 2));
        assert_eq!(decimal.name().as_str(), "amount");
        let text: Vec<Option<String>> = decimal
            .cast(&DataType::String)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect();
        let expected = ["-0.05", "1234.50", "", "0.00", "999999999999999.99"];
        let expected: Vec<Option<String>> = expected
            .iter()
            .map(|t| (!t.is_empty()).then(|| t.to_string()))
            .collect();
        assert_eq!(text, expected);
        let units = Column::new("unit_price".into(), [12_3400i64]);
        let price = scaled_decimal(&units, UNIT_DECIMALS, "t").unwrap();
        assert_eq!(price.dtype(), &DataType::Decimal(18, 4));
        // 10^16.00 is the first amount of 19 digits.
        let wide = Column::new(
            "amount".into(),
            [Some(5i64), None, Some(-1_000_000_000_000_000_000)],
        );
        let err = scaled_decimal(&wide, 2, "invoices").unwrap_err();
        assert!(matches!(err, crate::Error::Usage(_)));
        let err = err.to_string();
        assert!(
            err.contains("column amount: -10000000000000000.00 has more than 18 digits")
                && err.contains("--format csv"),
            "{err}"
        );
        assert!(err.starts_with("invoices: "), "{err}");
    }

    #[test]
    fn line_cents_agree_with_128_bit_arithmetic_everywhere() {
        let reference = |q: i64, p: i64| {
            i64::try_from(div_round_half_away_i128(
                i128::from(q) * i128::from(p),
                i128::from(UNITS_PER_ONE * 100),
            ))
            .ok()
        };
        let edges = [
            0,
            1,
            -1,
            5_000,
            -5_000,
            499_999,
            500_000,
            -500_000,
            1_000_000,
            123_456_789,
            -987_654_321,
            i64::from(i32::MAX),
            i64::from(i32::MIN),
            3_037_000_499,
            3_037_000_500,
            i64::MAX,
            i64::MIN,
            i64::MAX / 2,
            i64::MIN / 3,
        ];
        for &q in &edges {
            for &p in &edges {
                assert_eq!(line_cents_of(q, p), reference(q, p), "{q} × {p}");
            }
        }
        // 2.5 units × 0.01 = 0.025 → 0.03; negative rounds away from zero.
        assert_eq!(line_cents_of(25_000, 100), Some(3));
        assert_eq!(line_cents_of(-25_000, 100), Some(-3));
    }

    #[test]
    fn line_cents_column_keeps_nulls_and_broadcasts() {
        let df = df!(
            "q" => [Some(20_000i64), None, Some(-15_000)],
            "p" => [Some(12_345i64), Some(1), Some(3_333)]
        )
        .unwrap();
        let out = df
            .lazy()
            .select([
                line_cents(col("q"), col("p")).alias("c"),
                line_cents(col("q"), lit(10_000i64)).alias("b"),
            ])
            .collect()
            .unwrap();
        let c: Vec<Option<i64>> = out.column("c").unwrap().i64().unwrap().iter().collect();
        // 2 × 1.2345 = 2.469 → 2.47; −1.5 × 0.3333 = −0.49995 → −0.50.
        assert_eq!(c, [Some(247), None, Some(-50)]);
        let b: Vec<Option<i64>> = out.column("b").unwrap().i64().unwrap().iter().collect();
        assert_eq!(b, [Some(200), None, Some(-150)]);
    }

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
