//! Text cells as exports write them: values trimmed of surrounding
//! whitespace before they are read.

use polars::prelude::*;

/// The column as String: an all-null column may come typed Null.
fn as_strings(c: Column) -> PolarsResult<Column> {
    match c.dtype() {
        DataType::String => Ok(c),
        _ => c.cast(&DataType::String),
    }
}

/// `text` (a String expression) with leading and trailing whitespace
/// removed, exactly as polars' `strip_chars(null)` (Rust's `str::trim`), and
/// nulls kept. A column with nothing to trim, as most export columns are, is
/// passed through without copying: `strip_chars` copies every string, which
/// was a quarter of the validation time of a million-row table.
pub(crate) fn trimmed(text: Expr) -> Expr {
    text.map(
        |c| {
            let c = as_strings(c)?;
            let strings = c.str()?;
            let clean = strings
                .downcast_iter()
                .all(|array| array.values_iter().all(|s| s.trim().len() == s.len()));
            if clean {
                Ok(c)
            } else {
                let whitespace = Column::full_null(PlSmallStr::EMPTY, 1, &DataType::Null);
                Ok(strings.strip_chars(&whitespace)?.into_column())
            }
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::String)),
    )
}

/// `text` trimmed (as [`trimmed`]) and lower-cased, exactly as
/// `trimmed(text).str().to_lowercase()`, nulls kept. Every code compared
/// whatever its case (a rep's role, an opportunity's stage) is read through
/// this one function; exports mostly write codes trimmed in ASCII lower case
/// already, and such a column is passed through without copying
/// (lower-casing copies every string char by char).
pub(crate) fn folded(text: Expr) -> Expr {
    text.map(
        |c| {
            let c = as_strings(c)?;
            let strings = c.str()?;
            // Only an ASCII string without upper case and surrounding
            // whitespace is known to fold to itself; anything else takes the
            // general path.
            let folded_already = strings.downcast_iter().all(|array| {
                array.values_iter().all(|s| {
                    s.is_ascii()
                        && !s.bytes().any(|b| b.is_ascii_uppercase())
                        && s.trim().len() == s.len()
                })
            });
            if folded_already {
                Ok(c)
            } else {
                let whitespace = Column::full_null(PlSmallStr::EMPTY, 1, &DataType::Null);
                Ok(strings
                    .strip_chars(&whitespace)?
                    .to_lowercase()
                    .into_column())
            }
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::String)),
    )
}

/// Whether `text` trimmed and lower-cased equals `target` (itself trimmed
/// ASCII lower case), exactly as `trimmed(text).str().to_lowercase() ==
/// target`, null for null. Without a copy per row: an ASCII string folds to
/// its ASCII lower case, so it is compared ignoring ASCII case; only a
/// non-ASCII one is folded in full.
pub(crate) fn folded_eq(text: Expr, target: &'static str) -> Expr {
    assert!(
        target.is_ascii() && !target.bytes().any(|b| b.is_ascii_uppercase()),
        "folded_eq compares with ASCII lower case"
    );
    text.map(
        move |c| {
            let c = as_strings(c)?;
            let out: BooleanChunked = c
                .str()?
                .iter()
                .map(|v| {
                    v.map(|s| {
                        let s = s.trim();
                        if s.is_ascii() {
                            s.eq_ignore_ascii_case(target)
                        } else {
                            s.to_lowercase() == target
                        }
                    })
                })
                .collect();
            Ok(out.with_name(c.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Boolean)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `values` through a string expression `f` of column `t`.
    fn through(f: fn(Expr) -> Expr, values: &[Option<&str>]) -> Vec<Option<String>> {
        let df = df!("t" => values).unwrap();
        let out = df.lazy().select([f(col("t"))]).collect().unwrap();
        out.column("t")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    fn trim_all(values: &[Option<&str>]) -> Vec<Option<String>> {
        through(trimmed, values)
    }

    fn fold_all(values: &[Option<&str>]) -> Vec<Option<String>> {
        through(folded, values)
    }

    #[test]
    fn folds_like_trim_then_to_lowercase() {
        let cases: &[&[Option<&str>]] = &[
            // Already folded: passed through.
            &[Some("won"), None, Some("cancelled"), Some("")],
            // Upper case, whitespace, non-ASCII: the general path.
            &[Some(" Cancelled "), None, Some("WON")],
            &[Some("won"), Some("\u{3000}ÉTAPE\t")],
            &[Some("lost"), Some("\u{212A}elvin")],
        ];
        for values in cases {
            let expected: Vec<Option<String>> = values
                .iter()
                .map(|v| v.map(|s| s.trim().to_lowercase()))
                .collect();
            assert_eq!(fold_all(values), expected, "{values:?}");
        }
    }

    #[test]
    fn folded_eq_is_fold_then_compare() {
        let values = [
            Some("cancelled"),
            Some(" CANCELLED\t"),
            Some("Cancelled"),
            Some("cancel"),
            Some("\u{3000}cancelled"),
            Some("ｃancelled"),
            Some("canceled"),
            None,
            Some(""),
        ];
        let df = df!("t" => values).unwrap();
        let out = df
            .lazy()
            .select([folded_eq(col("t"), "cancelled")])
            .collect()
            .unwrap();
        let got: Vec<Option<bool>> = out.column("t").unwrap().bool().unwrap().iter().collect();
        let expected: Vec<Option<bool>> = values
            .iter()
            .map(|v| v.map(|s| s.trim().to_lowercase() == "cancelled"))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(got[..3], [Some(true); 3]);
    }

    #[test]
    fn trims_like_str_trim_and_keeps_nulls() {
        assert_eq!(
            trim_all(&[Some(" R001 "), None, Some("\u{3000}张伟\t"), Some("")]),
            [
                Some("R001".to_string()),
                None,
                Some("张伟".to_string()),
                Some(String::new())
            ]
        );
    }

    #[test]
    fn a_clean_column_is_returned_as_it_is() {
        assert_eq!(
            trim_all(&[Some("R001"), None, Some("a b")]),
            [Some("R001".to_string()), None, Some("a b".to_string())]
        );
    }
}
