//! Reading numbers as exports write them (money, prices, quantities,
//! probabilities): a value is either read exactly or refused — never
//! rescaled by a separator in the wrong place.
//!
//! Accepted, by default: a currency symbol or ISO code before or after the
//! number (`$ € £ ¥ ￥ 元`, `USD`, `EUR`, `CNY`, `RMB`, …; money and prices
//! only), accounting negatives `(1,234.00)`, a trailing minus `1234-`, a
//! leading `-` before or after the symbol (`-$50.00`, `$-50.00`). Grouping
//! separators must stand at group positions: groups of three digits (with
//! `indian_grouping`, 2-digit groups before the last three: `12,34,567.00`).
//! Which characters group is the profile's convention: its
//! `thousands_separator` (decimal point), or `.`, space and `'` with
//! `decimal_comma`; non-breaking and narrow no-break spaces group in both.
//! A value that does not fit — `12.5` under a decimal comma, `15,40` under
//! a `,` thousands separator — is refused: the text is kept as written, with
//! the reason after [`WHY_MARK`], so validation quotes the original cell and
//! says how this export writes numbers.

use polars::prelude::*;

use crate::money::PARSE_SCALE;

/// The number convention of an export (from the profile's `[defaults]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberConvention {
    /// `,` is the decimal mark (and `.`, space, `'` group thousands).
    pub decimal_comma: bool,
    /// The thousands separator of a decimal-point export (e.g. `,`).
    pub thousands_separator: Option<String>,
    /// Indian grouping: `12,34,567.89`.
    pub indian_grouping: bool,
    /// The one currency the export may name (ISO code, e.g. `USD`); others are refused.
    pub currency: Option<String>,
}

/// Currency symbols and codes, with the ISO code each stands for (a symbol
/// shared by several currencies lists each).
const CURRENCIES: &[(&str, &[&str])] = &[
    ("US$", &["USD"]),
    ("$", &["USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN"]),
    ("€", &["EUR"]),
    ("£", &["GBP"]),
    ("¥", &["CNY", "JPY"]),
    ("￥", &["CNY", "JPY"]),
    ("元", &["CNY"]),
    ("RMB", &["CNY"]),
    ("₹", &["INR"]),
    ("CHF", &["CHF"]),
];

/// Three upper-case letters: an ISO 4217 code such as `USD`.
fn iso_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// The currency codes a symbol or code stands for.
fn codes_of(mark: &str) -> Vec<String> {
    CURRENCIES
        .iter()
        .find(|(m, _)| *m == mark)
        .map(|(_, codes)| codes.iter().map(|c| c.to_string()).collect())
        .unwrap_or_else(|| vec![mark.to_string()])
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}'
}

/// Splits a currency mark off the start (`prefix`) or end of `s`.
fn strip_currency(s: &str, prefix: bool) -> Option<(&str, String)> {
    let marks = CURRENCIES.iter().map(|(m, _)| *m);
    for mark in marks {
        let rest = if prefix {
            s.strip_prefix(mark)
        } else {
            s.strip_suffix(mark)
        };
        if let Some(rest) = rest {
            return Some((rest.trim_matches(is_space), mark.to_string()));
        }
    }
    // An ISO code separated from the number, or touching it.
    let code = if prefix {
        s.get(..3)
    } else {
        s.len().checked_sub(3).and_then(|i| s.get(i..))
    }?;
    if !iso_code(code) {
        return None;
    }
    let rest = if prefix { &s[3..] } else { &s[..s.len() - 3] };
    Some((rest.trim_matches(is_space), code.to_string()))
}

/// Reads `text` in the convention and returns the number in the contract's
/// form (`-1234.56`: optional minus, digits, optional point and decimals),
/// or `None` when the text is not a number in this convention.
/// `currency_allowed`: money and prices may carry a currency mark.
pub(crate) fn read_number(
    text: &str,
    conv: &NumberConvention,
    currency_allowed: bool,
) -> Option<String> {
    read_with_currency(text, conv, currency_allowed).map(|(number, _)| number)
}

/// [`read_number`], with the currency mark the text carries (`$`, `EUR`,
/// …; `None` without one).
fn read_with_currency(
    text: &str,
    conv: &NumberConvention,
    currency_allowed: bool,
) -> Option<(String, Option<String>)> {
    let mut s = text.trim_matches(is_space);
    let mut negative = false;
    let mut signs = 0;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        signs += 1;
        s = inner.trim_matches(is_space);
    }
    let mut currency = None;
    let take_sign = |s: &mut &str, negative: &mut bool, signs: &mut i32| {
        if let Some(rest) = s.strip_prefix(['-', '\u{2212}']) {
            *negative = true;
            *signs += 1;
            *s = rest.trim_start_matches(is_space);
        } else if let Some(rest) = s.strip_prefix('+') {
            *signs += 1;
            *s = rest.trim_start_matches(is_space);
        }
    };
    take_sign(&mut s, &mut negative, &mut signs);
    if currency_allowed {
        if let Some((rest, mark)) = strip_currency(s, true) {
            currency = Some(mark);
            s = rest;
            take_sign(&mut s, &mut negative, &mut signs);
        }
    }
    let trailing_sign = |s: &mut &str, negative: &mut bool, signs: &mut i32| {
        if let Some(rest) = s.strip_suffix(['-', '\u{2212}']) {
            *negative = true;
            *signs += 1;
            *s = rest.trim_end_matches(is_space);
        }
    };
    trailing_sign(&mut s, &mut negative, &mut signs);
    if currency_allowed && currency.is_none() {
        if let Some((rest, mark)) = strip_currency(s, false) {
            currency = Some(mark);
            s = rest;
            trailing_sign(&mut s, &mut negative, &mut signs);
        }
    }
    if signs > 1 {
        return None;
    }
    if let (Some(wanted), Some(found)) = (&conv.currency, &currency) {
        if !codes_of(found)
            .iter()
            .any(|c| c.eq_ignore_ascii_case(wanted))
        {
            return None;
        }
    }
    let body = plain_digits(s, conv)?;
    let number = if negative { format!("-{body}") } else { body };
    Some((number, currency))
}

/// The characters that group digits in this convention.
fn grouping_chars(conv: &NumberConvention) -> Vec<char> {
    let mut chars = vec!['\u{a0}', '\u{202f}'];
    if conv.decimal_comma {
        chars.extend(['.', ' ', '\'']);
    } else if let Some(sep) = &conv.thousands_separator {
        chars.extend(sep.chars());
    }
    chars
}

/// Digits with grouping and a decimal mark → `digits[.digits]`, when every
/// separator stands where the convention puts it.
fn plain_digits(s: &str, conv: &NumberConvention) -> Option<String> {
    let mark = if conv.decimal_comma { ',' } else { '.' };
    let (int, frac) = match s.split_once(mark) {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let groups_chars = grouping_chars(conv);
    let digits = if int.contains(|c: char| groups_chars.contains(&c)) {
        // One kind of separator per value, at group positions only.
        let sep = int.chars().find(|c| groups_chars.contains(c))?;
        let groups: Vec<&str> = int.split(sep).collect();
        if !groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let (first, rest) = groups.split_first()?;
        let fits = if conv.indian_grouping && sep == ',' {
            let (last, middle) = rest.split_last()?;
            (1..=2).contains(&first.len()) && middle.iter().all(|g| g.len() == 2) && last.len() == 3
                || rest.len() == 1 && (1..=3).contains(&first.len()) && last.len() == 3
        } else {
            (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3)
        };
        if !fits {
            return None;
        }
        groups.concat()
    } else {
        if !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        int.to_string()
    };
    if digits.is_empty() && frac.is_none() {
        return None;
    }
    let digits = if digits.is_empty() {
        "0".into()
    } else {
        digits
    };
    Some(match frac {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    })
}

/// The text column in the contract's number form where it reads in the
/// convention with at most `places` decimals (`None`: any, for values the
/// mapping rounds itself; `Some(0)`: a whole number); text that does not
/// read is kept as written with the reason, for validation to report with
/// the original cell ([`WHY_MARK`]).
pub(crate) fn number_expr(
    text: Expr,
    conv: &NumberConvention,
    currency_allowed: bool,
    places: Option<usize>,
) -> Expr {
    let conv = conv.clone();
    map_text(text, move |t| {
        Some(read_or_explain(t, &conv, currency_allowed, places))
    })
}

/// Applies `f` to every non-null value of a text column (null stays null,
/// and so does a value `f` maps to `None`).
fn map_text(text: Expr, f: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Expr {
    text.map(
        move |c: Column| {
            let out: StringChunked = c.str()?.iter().map(|v| v.and_then(&f)).collect();
            Ok(out.with_name(c.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
    )
}

/// The number in the contract's form, or the text as written followed by
/// [`WHY_MARK`] and the reason it does not read, so that validation refuses
/// it quoting the cell as written and saying why. The reason is needed where
/// the contract's own form would otherwise read the text (`12.5` under a
/// decimal comma must not slip through as 12.50), where the text names a
/// currency the profile does not allow, and wherever the export has its own
/// convention (the contract's `e.g. 1234.50` would mislead there).
fn read_or_explain(
    text: &str,
    conv: &NumberConvention,
    currency_allowed: bool,
    places: Option<usize>,
) -> String {
    if let Some(n) = read_number(text, conv, currency_allowed) {
        let frac = n.split_once('.').map_or("", |(_, f)| f);
        return match places {
            Some(0) if !frac.is_empty() => format!("{text}{WHY_MARK}not a whole number"),
            Some(max) if !fits_places(frac, max) => {
                let decimals = frac.trim_end_matches('0').len();
                format!(
                    "{text}{WHY_MARK}{decimals} decimals, more than the {max} this column takes"
                )
            }
            _ => n,
        };
    }
    if text.trim_matches(is_space).is_empty() {
        // Blank stays blank: validation reports it as an empty value.
        return text.to_string();
    }
    if let (Some(wanted), true) = (&conv.currency, currency_allowed) {
        let other = NumberConvention {
            currency: None,
            ..conv.clone()
        };
        if let Some((_, found)) = read_with_currency(text, &other, true) {
            let found = found.map(|f| format!("names {f}, ")).unwrap_or_default();
            return format!(
                "{text}{WHY_MARK}{found}not {wanted}, the one currency the profile allows"
            );
        }
    }
    // Exponent notation (`1.5E+1`) is the contract parser's to read, in
    // every convention, as it reads it without a profile.
    let t = text.trim_matches(is_space);
    if t.contains(['e', 'E']) && t.parse::<f64>().is_ok_and(f64::is_finite) {
        return text.to_string();
    }
    match convention_form(conv) {
        Some(form) => format!("{text}{WHY_MARK}not a number in this export's convention: {form}"),
        None => text.to_string(),
    }
}

/// Whether decimals `frac` (the digits after the point) fit `places` as the
/// contract's parser reads them: rounded to [`PARSE_SCALE`] decimals first,
/// so trailing zeros and a spreadsheet's float noise
/// (`20.186500000000002`) fit 4 places, `1.23456` does not.
fn fits_places(frac: &str, places: usize) -> bool {
    if frac.len() <= places {
        return true;
    }
    let tail = &frac[places..];
    let (kept, rest) = tail.split_at(tail.len().min(PARSE_SCALE.saturating_sub(places)));
    if rest.bytes().next().is_some_and(|b| b >= b'5') {
        // Rounding up carries through: only all nines become zeros.
        kept.bytes().all(|b| b == b'9')
    } else {
        kept.bytes().all(|b| b == b'0')
    }
}

/// How an export of this convention writes numbers, for messages; `None`
/// for the contract's own form (whose hint is the column's expected form).
fn convention_form(conv: &NumberConvention) -> Option<String> {
    if conv.decimal_comma {
        Some(
            "it writes 1.234,50 (`,` is the decimal mark; `.`, a space or `'` group \
             thousands, always 3 digits to a group)"
                .into(),
        )
    } else if conv.indian_grouping {
        Some(
            "it writes 12,34,567.89 (`.` is the decimal mark; `,` groups digits the Indian way)"
                .into(),
        )
    } else {
        conv.thousands_separator.as_ref().map(|sep| {
            format!(
                "it writes 1{sep}234.50 (`.` is the decimal mark; `{sep}` groups thousands, \
                 always 3 digits to a group)"
            )
        })
    }
}

/// Separates a mapped value as written from the reason the mapping gave for
/// it not reading as its column's type (a number here, a period in
/// `to_period`): U+001F U+001E, the unit and record separators, which no
/// CRM export writes together inside a cell (a stray U+001F alone is kept
/// as part of the value). Validation quotes the text before the last mark
/// and gives the reason after it as the hint; rejects files hold the text
/// only.
pub(crate) const WHY_MARK: &str = "\u{1f}\u{1e}";

/// A mapped value split into the text as written and, where the mapping
/// explained why it does not read, that reason (after the last mark: a
/// reason never holds one).
pub(crate) fn split_why(value: &str) -> (&str, Option<&str>) {
    match value.rsplit_once(WHY_MARK) {
        Some((written, why)) => (written, Some(why)),
        None => (value, None),
    }
}

/// `text` refused with the reason `why` after [`WHY_MARK`], for validation
/// to quote as written (the mapping's own refusals: a period, a percent).
pub(crate) fn refused_expr(text: Expr, why: &str) -> Expr {
    concat_str([text, lit(format!("{WHY_MARK}{why}"))], "", false)
}

/// A text column as written, without the reasons [`WHY_MARK`] appended.
pub(crate) fn as_written_expr(text: Expr) -> Expr {
    map_text(text, |t| Some(split_why(t).0.to_string()))
}

/// The reasons appended after [`WHY_MARK`]; null where there is none.
pub(crate) fn why_expr(text: Expr) -> Expr {
    map_text(text, |t| split_why(t).1.map(str::to_string))
}

/// A number in the contract's form rounded to `places` decimals, half away
/// from zero, exactly (decimal digits, no float): `23190.651792` → `23190.65`.
/// Text that is not in the contract's form passes unchanged.
pub(crate) fn round_decimal_text(text: &str, places: usize) -> String {
    let (negative, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if frac.len() <= places || int.is_empty() || int.len() > 30 || !digits(int) || !digits(frac) {
        return text.to_string();
    }
    let scale = 10i128.pow(places as u32);
    let kept: i128 = if places == 0 {
        0
    } else {
        frac[..places].parse().unwrap_or(0)
    };
    let mut value = int.parse::<i128>().unwrap_or(0) * scale + kept;
    if frac.as_bytes()[places] >= b'5' {
        value += 1;
    }
    let (whole, part) = (value / scale, value % scale);
    let sign = if negative && value != 0 { "-" } else { "" };
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{part:0width$}", width = places)
    }
}

/// The text column with every contract-form number rounded to `places`
/// decimals ([`round_decimal_text`]).
pub(crate) fn rounded_expr(text: Expr, places: usize) -> Expr {
    map_text(text, move |t| Some(round_decimal_text(t, places)))
}

/// The text column in the contract's number form; null where it does not
/// read in the convention (or is null).
pub(crate) fn number_or_null(text: Expr, conv: &NumberConvention, currency_allowed: bool) -> Expr {
    let conv = conv.clone();
    map_text(text, move |t| read_number(t, &conv, currency_allowed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn us() -> NumberConvention {
        NumberConvention {
            thousands_separator: Some(",".into()),
            ..NumberConvention::default()
        }
    }

    fn de() -> NumberConvention {
        NumberConvention {
            decimal_comma: true,
            ..NumberConvention::default()
        }
    }

    fn read(t: &str, c: &NumberConvention) -> Option<String> {
        read_number(t, c, true)
    }

    /// ../shared/cases/currency-accounting.
    #[test]
    fn currency_and_accounting_negatives() {
        let c = us();
        assert_eq!(read("$2,400.00", &c).as_deref(), Some("2400.00"));
        assert_eq!(read("($150.00)", &c).as_deref(), Some("-150.00"));
        assert_eq!(read("-$50.00", &c).as_deref(), Some("-50.00"));
        assert_eq!(read("$-50.00", &c).as_deref(), Some("-50.00"));
        assert_eq!(read("1234-", &c).as_deref(), Some("-1234"));
        assert_eq!(read("1,234.56 USD", &c).as_deref(), Some("1234.56"));
        assert_eq!(read("RMB 88", &c).as_deref(), Some("88"));
        assert_eq!(read("88元", &c).as_deref(), Some("88"));
        assert_eq!(read("(-5)", &c), None, "two signs");
        // Quantities carry no currency.
        assert_eq!(read_number("$5", &c, false), None);
        // A declared currency refuses another.
        let usd = NumberConvention {
            currency: Some("USD".into()),
            ..us()
        };
        assert_eq!(read("$1.00", &usd).as_deref(), Some("1.00"));
        assert_eq!(read("€1.00", &usd), None);
        assert_eq!(read("1.00 EUR", &usd), None);
    }

    /// ../shared/cases/decimal-mark-misread.
    #[test]
    fn separators_must_stand_at_group_positions() {
        assert_eq!(read("1.234,56", &de()).as_deref(), Some("1234.56"));
        assert_eq!(read("99,50", &de()).as_deref(), Some("99.50"));
        assert_eq!(read("12.5", &de()), None);
        assert_eq!(read("7.5", &de()), None);
        assert_eq!(read("15,40", &us()), None);
        assert_eq!(read("1,2345.00", &us()), None);
        assert_eq!(read("1,234,5", &us()), None);
        assert_eq!(
            read("1\u{a0}234\u{a0}567,5", &de()).as_deref(),
            Some("1234567.5")
        );
        assert_eq!(read("1\u{202f}234.5", &us()).as_deref(), Some("1234.5"));
        assert_eq!(read("1,234.5.6", &us()), None);
        let indian = NumberConvention {
            indian_grouping: true,
            ..us()
        };
        assert_eq!(read("12,34,567.00", &indian).as_deref(), Some("1234567.00"));
        assert_eq!(read("1,234.00", &indian).as_deref(), Some("1234.00"));
        assert_eq!(read("1,234,567.00", &indian), None);
        // No grouping declared: a comma is not a number.
        assert_eq!(read("1,234.00", &NumberConvention::default()), None);
    }

    /// How a generated value is written.
    #[derive(Debug, Clone)]
    struct Written {
        cents: i64,
        decimals: u32,
        convention: usize,
        negative_style: usize,
        currency: usize,
    }

    fn conventions() -> Vec<(NumberConvention, char, char)> {
        vec![
            (us(), ',', '.'),
            (de(), '.', ','),
            (
                NumberConvention {
                    decimal_comma: true,
                    ..NumberConvention::default()
                },
                '\u{a0}',
                ',',
            ),
            (NumberConvention::default(), '\u{202f}', '.'),
        ]
    }

    fn group(digits: &str, sep: char) -> String {
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(ch);
        }
        out
    }

    fn write(w: &Written) -> (String, String, NumberConvention) {
        let (conv, sep, mark) = conventions()[w.convention].clone();
        let scale = 10i64.pow(w.decimals);
        let magnitude = w.cents.unsigned_abs();
        let int = (magnitude / scale as u64).to_string();
        let frac = format!(
            "{:0width$}",
            magnitude % scale as u64,
            width = w.decimals as usize
        );
        let mut body = group(&int, sep);
        let mut canonical = int.clone();
        if w.decimals > 0 {
            body = format!("{body}{mark}{frac}");
            canonical = format!("{canonical}.{frac}");
        }
        let body = match w.currency {
            0 => body,
            1 => format!("${body}"),
            2 => format!("{body} €"),
            _ => format!("CNY {body}"),
        };
        let negative = w.cents < 0;
        let text = match (negative, w.negative_style) {
            (false, _) => body,
            (true, 0) => format!("-{body}"),
            (true, 1) => format!("({body})"),
            (true, _) => format!("{body}-"),
        };
        let canonical = if negative {
            format!("-{canonical}")
        } else {
            canonical
        };
        (text, canonical, conv)
    }

    proptest! {
        #[test]
        fn every_written_value_reads_back_exactly(
            cents in -10_000_000_000_000i64..10_000_000_000_000,
            decimals in 0u32..5,
            convention in 0usize..4,
            negative_style in 0usize..3,
            currency in 0usize..4,
        ) {
            let w = Written { cents, decimals, convention, negative_style, currency };
            let (text, canonical, conv) = write(&w);
            prop_assert_eq!(read_number(&text, &conv, true), Some(canonical), "{}", text);
        }

        #[test]
        fn a_misplaced_separator_is_refused(
            whole in 1_000u64..10_000_000_000,
            shift in 1usize..3,
            convention in 0usize..4,
        ) {
            let (conv, sep, mark) = conventions()[convention].clone();
            let grouped = group(&whole.to_string(), sep);
            // Move the last separator `shift` digits to the right: its group
            // is then 3 − shift digits long.
            let at = grouped.rfind(sep).unwrap();
            let mut chars: Vec<char> = grouped.chars().collect();
            let i = grouped[..at].chars().count();
            let c = chars.remove(i);
            chars.insert(i + shift, c);
            let text: String = chars.into_iter().collect();
            prop_assert_eq!(read_number(&text, &conv, true), None, "{}", text);
            let with_decimals = format!("{text}{mark}5");
            prop_assert_eq!(read_number(&with_decimals, &conv, true), None, "{}", with_decimals);
        }

        #[test]
        fn arbitrary_text_is_refused_or_read_as_its_digits(text in "\\PC{0,12}") {
            if let Some(n) = read_number(&text, &us(), true) {
                // Whatever reads must consist of the text's own digits, in order.
                let own: String = text.chars().filter(char::is_ascii_digit).collect();
                let read: String = n.chars().filter(char::is_ascii_digit).collect();
                let own = own.trim_start_matches('0');
                prop_assert!(read.trim_start_matches('0') == own, "{} -> {}", text, n);
            }
        }
    }

    #[test]
    fn a_value_that_does_not_read_keeps_its_text_and_says_why() {
        let read_or_explain =
            |t: &str, c: &NumberConvention, a: bool| read_or_explain(t, c, a, Some(4));
        // Read: the contract's form, no reason.
        assert_eq!(read_or_explain("1.234,56", &de(), true), "1234.56");
        // `12.5` would read as 12.50 in the contract's form: it must carry a
        // reason, after the mark, and stay `12.5` as written before it.
        let refused = read_or_explain("12.5", &de(), true);
        let (written, why) = split_why(&refused);
        assert_eq!(written, "12.5");
        assert_eq!(
            why,
            Some(
                "not a number in this export's convention: it writes 1.234,50 (`,` is the \
                 decimal mark; `.`, a space or `'` group thousands, always 3 digits to a group)"
            )
        );
        let refused = read_or_explain("15,40", &us(), true);
        let (written, why) = split_why(&refused);
        assert_eq!(written, "15,40");
        assert!(why.unwrap().contains("it writes 1,234.50"), "{why:?}");
        // The contract's own convention: its hint (e.g. 1234.50) is right.
        assert_eq!(
            read_or_explain("abc", &NumberConvention::default(), true),
            "abc"
        );
        // Blank stays blank, for the empty-value check.
        assert_eq!(read_or_explain("  ", &de(), true), "  ");
        let eur = NumberConvention {
            currency: Some("EUR".into()),
            ..us()
        };
        assert_eq!(
            split_why(&read_or_explain("$2,400.00", &eur, true)),
            (
                "$2,400.00",
                Some("names $, not EUR, the one currency the profile allows")
            )
        );
    }

    #[test]
    fn a_value_with_more_decimals_than_its_column_takes_is_quoted_as_written() {
        assert_eq!(
            read_or_explain("1.234,5678", &de(), true, Some(4)),
            "1234.5678"
        );
        assert_eq!(
            split_why(&read_or_explain("1.234,56789 €", &de(), true, Some(4))),
            (
                "1.234,56789 €",
                Some("5 decimals, more than the 4 this column takes")
            )
        );
        // A line total is rounded by the mapping: any number of decimals.
        assert_eq!(
            read_or_explain("1.234,56789", &de(), true, None),
            "1234.56789"
        );
        assert_eq!(
            split_why(&read_or_explain("45,5", &de(), false, Some(0))),
            ("45,5", Some("not a whole number"))
        );
        assert_eq!(read_or_explain("1.045", &de(), false, Some(0)), "1045");
        // As the contract's parser reads them: trailing zeros and float
        // noise fit 4 places.
        assert_eq!(
            read_or_explain("1.971,994200", &de(), true, Some(4)),
            "1971.994200"
        );
        assert_eq!(
            read_or_explain("20.186500000000002", &us(), true, Some(4)),
            "20.186500000000002"
        );
        assert_eq!(
            read_or_explain("1.99999999999", &us(), true, Some(4)),
            "1.99999999999"
        );
        assert!(split_why(&read_or_explain("1.00005", &us(), true, Some(4)))
            .1
            .is_some());
        assert!(
            split_why(&read_or_explain("1.0000499999", &us(), true, Some(4)))
                .1
                .is_some()
        );
        // Exponent notation is left to the contract's parser.
        assert_eq!(read_or_explain("1.5E+1", &us(), true, Some(4)), "1.5E+1");
    }

    #[test]
    fn a_stray_separator_in_a_cell_is_part_of_the_value() {
        let refused = read_or_explain("12\u{1f}5", &de(), true, Some(4));
        let (written, why) = split_why(&refused);
        assert_eq!(written, "12\u{1f}5");
        assert!(why
            .unwrap()
            .starts_with("not a number in this export's convention"));
        assert_eq!(
            split_why("abc\u{1f}this is fine"),
            ("abc\u{1f}this is fine", None)
        );
    }

    #[test]
    fn line_totals_round_to_the_cent_exactly() {
        assert_eq!(round_decimal_text("23190.651792", 2), "23190.65");
        assert_eq!(round_decimal_text("20.1865", 2), "20.19");
        assert_eq!(round_decimal_text("-0.005", 2), "-0.01");
        assert_eq!(round_decimal_text("-0.004", 2), "0.00");
        assert_eq!(round_decimal_text("9.995", 2), "10.00");
        assert_eq!(round_decimal_text("12.5", 2), "12.5");
        assert_eq!(round_decimal_text("abc", 2), "abc");
    }
}
