//! Analyst views of a scorecard: row filters, sorting and column choice for
//! `salesops scorecard`. Views only select and order; they never recompute.

use polars::prelude::*;

use super::context::Grouping;
use crate::column_type::ColumnType;
use crate::{Error, Result};

/// Filters, sort and column selection applied to a computed scorecard.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScorecardView {
    /// Level of the rows.
    pub by: Option<Grouping>,
    /// Keep rows of these rep_ids (rep level only).
    pub reps: Vec<String>,
    /// Keep rows of these teams (rep or team level).
    pub teams: Vec<String>,
    /// Keep rows of these regions (rep or region level).
    pub regions: Vec<String>,
    /// `COLUMN`, `COLUMN:asc` or `COLUMN:desc`.
    pub sort: Option<String>,
    /// Columns to show, in order; empty = all.
    pub columns: Vec<String>,
}

impl ScorecardView {
    fn grouping(&self) -> Grouping {
        self.by.unwrap_or(Grouping::Rep)
    }

    /// Refuses filters that do not exist at the chosen level.
    pub(crate) fn check(&self) -> Result<()> {
        let level = self.grouping();
        let refuse = |flag: &str, allowed: &str| {
            Err(Error::Usage(format!(
                "--{flag} filters {allowed} rows; it cannot be used with --by {}",
                match level {
                    Grouping::Rep => "rep",
                    Grouping::Team => "team",
                    Grouping::Region => "region",
                    Grouping::Company => "company",
                }
            )))
        };
        if !self.reps.is_empty() && level != Grouping::Rep {
            return refuse("rep", "rep");
        }
        if !self.teams.is_empty() && !matches!(level, Grouping::Rep | Grouping::Team) {
            return refuse("team", "rep or team");
        }
        if !self.regions.is_empty() && !matches!(level, Grouping::Rep | Grouping::Region) {
            return refuse("region", "rep or region");
        }
        Ok(())
    }

    /// Applies filters, sort and column choice; returns the frame with the
    /// types of its remaining columns.
    pub(crate) fn apply(
        &self,
        df: DataFrame,
        types: Vec<(&'static str, ColumnType)>,
    ) -> Result<(DataFrame, Vec<(&'static str, ColumnType)>)> {
        self.check()?;
        for (column, flag, values) in [
            ("rep_id", "--rep", &self.reps),
            ("team", "--team", &self.teams),
            ("region", "--region", &self.regions),
        ] {
            check_filter_values(&df, column, flag, values)?;
        }
        let mut lf = df.lazy();
        for (column, values) in [
            ("rep_id", &self.reps),
            ("team", &self.teams),
            ("region", &self.regions),
        ] {
            if !values.is_empty() {
                let keep = Series::new("keep".into(), values.clone());
                lf = lf.filter(col(column).is_in(lit(keep).implode(false), false));
            }
        }
        if let Some(spec) = &self.sort {
            let (column, descending) = sort_spec(spec, &types)?;
            lf = lf.sort(
                [column],
                SortMultipleOptions::default()
                    .with_order_descending(descending)
                    .with_nulls_last(true)
                    .with_maintain_order(true),
            );
        }
        let types = if self.columns.is_empty() {
            types
        } else {
            self.columns
                .iter()
                .map(|c| find_column(c, &types))
                .collect::<Result<Vec<_>>>()?
        };
        let out = lf
            .select(types.iter().map(|(c, _)| col(*c)).collect::<Vec<_>>())
            .collect()?;
        Ok((out, types))
    }
}

fn find_column(
    name: &str,
    types: &[(&'static str, ColumnType)],
) -> Result<(&'static str, ColumnType)> {
    types
        .iter()
        .find(|(c, _)| *c == name)
        .copied()
        .ok_or_else(|| {
            let names: Vec<&str> = types.iter().map(|(c, _)| *c).collect();
            Error::Usage(format!(
                "unknown column {name:?}; the columns are: {}",
                names.join(", ")
            ))
        })
}

/// Parses `COLUMN[:asc|:desc]`; numbers default to descending, text to ascending.
fn sort_spec(spec: &str, types: &[(&'static str, ColumnType)]) -> Result<(&'static str, bool)> {
    let (name, order) = match spec.rsplit_once(':') {
        Some((n, o)) => (n, Some(o)),
        None => (spec, None),
    };
    let (column, kind) = find_column(name, types)?;
    let descending = match order {
        None => kind != ColumnType::Text,
        Some("desc") => true,
        Some("asc") => false,
        Some(other) => {
            return Err(Error::Usage(format!(
                "--sort {spec}: order {other:?} must be asc or desc"
            )))
        }
    };
    Ok((column, descending))
}

/// Refuses a filter value that matches no row of `column` (a typo would
/// otherwise print an empty table that reads as "no such sales"), naming
/// the nearest value and some of the values there are.
pub(crate) fn check_filter_values(
    df: &DataFrame,
    column: &str,
    flag: &str,
    values: &[String],
) -> Result<()> {
    if values.is_empty() || !df.schema().contains(column) {
        return Ok(());
    }
    let present: std::collections::BTreeSet<String> = df
        .column(column)?
        .str()?
        .iter()
        .flatten()
        .map(String::from)
        .collect();
    for v in values {
        if !present.contains(v) {
            let listed: Vec<&str> = present.iter().take(20).map(String::as_str).collect();
            return Err(Error::Usage(format!(
                "{flag} {v} matches no {column}{}; known: {}{}",
                crate::suggest::suggestion(v, present.iter().map(String::as_str)),
                listed.join(", "),
                if present.len() > listed.len() {
                    ", …"
                } else {
                    ""
                }
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> (DataFrame, Vec<(&'static str, ColumnType)>) {
        let df = df!(
            "rep_id" => ["R1", "R2", "R3"],
            "team" => ["T1", "T1", "T2"],
            "region" => ["N", "N", "S"],
            "sales_amount" => [Some(500i64), None, Some(900)],
        )
        .unwrap();
        let types = vec![
            ("rep_id", ColumnType::Text),
            ("team", ColumnType::Text),
            ("region", ColumnType::Text),
            ("sales_amount", ColumnType::Money),
        ];
        (df, types)
    }

    fn ids(df: &DataFrame) -> Vec<String> {
        df.column("rep_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .map(String::from)
            .collect()
    }

    #[test]
    fn numbers_sort_descending_with_nulls_last() {
        let (df, types) = frame();
        let view = ScorecardView {
            sort: Some("sales_amount".into()),
            ..Default::default()
        };
        let (out, _) = view.apply(df, types).unwrap();
        assert_eq!(ids(&out), ["R3", "R1", "R2"]);
    }

    #[test]
    fn explicit_ascending_order_and_team_filter() {
        let (df, types) = frame();
        let view = ScorecardView {
            sort: Some("sales_amount:asc".into()),
            teams: vec!["T1".into()],
            ..Default::default()
        };
        let (out, _) = view.apply(df, types).unwrap();
        assert_eq!(ids(&out), ["R1", "R2"]);
    }

    #[test]
    fn columns_are_chosen_in_order_and_unknown_ones_named() {
        let (df, types) = frame();
        let view = ScorecardView {
            columns: vec!["sales_amount".into(), "rep_id".into()],
            ..Default::default()
        };
        let (out, t) = view.apply(df.clone(), types.clone()).unwrap();
        assert_eq!(out.get_column_names(), ["sales_amount", "rep_id"]);
        assert_eq!(t[0].1, ColumnType::Money);
        let bad = ScorecardView {
            columns: vec!["salez".into()],
            ..Default::default()
        };
        let e = bad.apply(df, types).unwrap_err().to_string();
        assert!(e.contains("salez") && e.contains("sales_amount"), "{e}");
    }

    #[test]
    fn rep_filter_is_refused_on_team_rows() {
        let view = ScorecardView {
            by: Some(Grouping::Team),
            reps: vec!["R1".into()],
            ..Default::default()
        };
        assert!(view.check().is_err());
    }
}
