//! How a table column is stored and written: a leaf every writer and KPI
//! table shares, so the writers need not know the KPI modules.

/// How a scorecard column is stored and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text (ids, names).
    Text,
    /// Whole count (Int64).
    Count,
    /// Money held as Int64 cents, written with 2 decimals.
    Money,
    /// Float ratio, mean or rate.
    Ratio,
}
