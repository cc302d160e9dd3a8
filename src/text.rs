//! Text cells as exports write them: values trimmed of surrounding
//! whitespace before they are read.

use polars::prelude::*;

/// `text` (a String expression) with leading and trailing whitespace
/// removed, exactly as polars' `strip_chars(null)` (Rust's `str::trim`), and
/// nulls kept. A column with nothing to trim, as most export columns are, is
/// passed through without copying: `strip_chars` copies every string, which
/// was a quarter of the validation time of a million-row table.
pub(crate) fn trimmed(text: Expr) -> Expr {
    text.map(
        |c| {
            // An all-null column may come typed Null.
            let c = match c.dtype() {
                DataType::String => c,
                _ => c.cast(&DataType::String)?,
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn trim_all(values: &[Option<&str>]) -> Vec<Option<String>> {
        let df = df!("t" => values).unwrap();
        let out = df.lazy().select([trimmed(col("t"))]).collect().unwrap();
        out.column("t")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
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
