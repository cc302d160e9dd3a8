//! The data contract of SPEC section 1: every input table, its columns, keys
//! and references. Ingest, validation and the generator all read from here.

/// How a column's text is parsed and what it becomes once ingested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Identifier kept as text (leading zeros survive).
    Id,
    /// Free Unicode text.
    Text,
    /// `YYYY-MM-DD` → Date.
    Date,
    /// `YYYY-MM-DD HH:MM[:SS]` → Datetime (ms, no zone).
    Datetime,
    /// Money, up to 4 decimals, rounded half away from zero to integer cents.
    Money,
    /// Unit price or cost, kept with 4 decimals as integer 1/10000 units.
    Price,
    /// Quantity, up to 4 decimals, as integer 1/10000 units.
    Quantity,
    /// Whole number.
    Int,
    /// Fraction such as a probability, as Float64.
    Ratio,
    /// `true/false`, `1/0`, `yes/no` → Boolean.
    Bool,
    /// A target period: a month `YYYY-MM`, a quarter `YYYY-Qn` or a year
    /// `YYYY` → the same text (SPEC section 1).
    Period,
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Column name as it appears in the file header.
    pub name: &'static str,
    /// Parsing rule.
    pub kind: Kind,
    /// Whether the column must exist and every value be non-empty.
    pub required: bool,
}

/// A reference from a column to the key of another table.
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// Referencing column in this table.
    pub column: &'static str,
    /// Referenced table.
    pub table: &'static str,
    /// Key column in the referenced table.
    pub key: &'static str,
}

/// One input table of the contract.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// Table (and file stem) name.
    pub name: &'static str,
    /// Columns in canonical order.
    pub columns: &'static [Column],
    /// Columns forming the unique key.
    pub key: &'static [&'static str],
    /// Foreign references checked by validation.
    pub references: &'static [Reference],
}

impl Table {
    /// The column with this name, if the contract has it.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const fn req(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        required: false,
    }
}

const fn refs(column: &'static str, table: &'static str, key: &'static str) -> Reference {
    Reference { column, table, key }
}

use Kind::*;

/// Every table of SPEC section 1, in dependency order (referenced tables first).
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "reps",
        columns: &[
            req("rep_id", Id),
            req("rep_name", Text),
            req("region", Text),
            req("team", Text),
            opt("manager_id", Id),
            opt("role", Text),
            opt("hire_date", Date),
            opt("leave_date", Date),
            opt("email", Text),
        ],
        key: &["rep_id"],
        references: &[],
    },
    Table {
        name: "customers",
        columns: &[
            req("customer_id", Id),
            req("customer_name", Text),
            req("region", Text),
            opt("owner_rep_id", Id),
            opt("segment", Text),
            opt("created_date", Date),
        ],
        key: &["customer_id"],
        references: &[refs("owner_rep_id", "reps", "rep_id")],
    },
    Table {
        name: "products",
        columns: &[
            req("product_id", Id),
            req("product_name", Text),
            opt("category", Text),
            opt("list_price", Price),
            opt("unit_cost", Price),
        ],
        key: &["product_id"],
        references: &[],
    },
    Table {
        name: "visits",
        columns: &[
            req("visit_id", Id),
            req("rep_id", Id),
            req("customer_id", Id),
            req("visit_start", Datetime),
            opt("duration_minutes", Int),
            opt("visit_type", Text),
            opt("cost", Money),
        ],
        key: &["visit_id"],
        references: &[
            refs("rep_id", "reps", "rep_id"),
            refs("customer_id", "customers", "customer_id"),
        ],
    },
    Table {
        name: "orders",
        columns: &[
            req("order_id", Id),
            req("line_no", Int),
            req("order_date", Date),
            req("rep_id", Id),
            req("customer_id", Id),
            req("product_id", Id),
            req("quantity", Quantity),
            // Required unless the line carries `line_amount` (checked in validation).
            opt("unit_price", Price),
            opt("list_price", Price),
            opt("unit_cost", Price),
            opt("ship_region", Text),
            opt("status", Text),
            opt("line_amount", Money),
        ],
        key: &["order_id", "line_no"],
        references: &[
            refs("rep_id", "reps", "rep_id"),
            refs("customer_id", "customers", "customer_id"),
            refs("product_id", "products", "product_id"),
        ],
    },
    Table {
        name: "invoices",
        columns: &[
            req("invoice_id", Id),
            req("customer_id", Id),
            req("invoice_date", Date),
            req("due_date", Date),
            req("amount", Money),
            opt("order_id", Id),
            opt("rep_id", Id),
        ],
        key: &["invoice_id"],
        references: &[
            refs("customer_id", "customers", "customer_id"),
            refs("order_id", "orders", "order_id"),
            refs("rep_id", "reps", "rep_id"),
        ],
    },
    Table {
        name: "payments",
        columns: &[
            req("payment_id", Id),
            req("invoice_id", Id),
            req("payment_date", Date),
            req("amount", Money),
        ],
        key: &["payment_id"],
        references: &[refs("invoice_id", "invoices", "invoice_id")],
    },
    Table {
        name: "opportunities",
        columns: &[
            req("opportunity_id", Id),
            req("rep_id", Id),
            req("customer_id", Id),
            req("created_date", Date),
            req("stage", Text),
            req("amount", Money),
            opt("close_date", Date),
            opt("probability", Ratio),
        ],
        key: &["opportunity_id"],
        references: &[
            refs("rep_id", "reps", "rep_id"),
            refs("customer_id", "customers", "customer_id"),
        ],
    },
    Table {
        name: "opportunity_stages",
        columns: &[
            req("opportunity_id", Id),
            req("stage", Text),
            req("entered_at", Datetime),
        ],
        key: &["opportunity_id", "stage", "entered_at"],
        references: &[refs("opportunity_id", "opportunities", "opportunity_id")],
    },
    Table {
        name: "targets",
        columns: &[
            req("period", Period),
            req("rep_id", Id),
            opt("sales_target", Money),
            opt("collection_target", Money),
            opt("visit_target", Int),
            opt("new_customer_target", Int),
        ],
        key: &["period", "rep_id"],
        references: &[refs("rep_id", "reps", "rep_id")],
    },
    Table {
        name: "expenses",
        columns: &[
            req("expense_id", Id),
            req("rep_id", Id),
            req("expense_date", Date),
            opt("category", Text),
            req("amount", Money),
        ],
        key: &["expense_id"],
        references: &[refs("rep_id", "reps", "rep_id")],
    },
    Table {
        name: "calendar",
        columns: &[req("date", Date), req("is_workday", Bool)],
        key: &["date"],
        references: &[],
    },
];

/// The table of the contract with this name.
pub(crate) fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_points_at_a_key_of_an_earlier_table() {
        for (i, t) in TABLES.iter().enumerate() {
            for r in t.references {
                let pos = TABLES.iter().position(|x| x.name == r.table).unwrap();
                assert!(pos < i, "{} refers to later table {}", t.name, r.table);
                assert!(TABLES[pos].key.contains(&r.key));
                assert!(t.column(r.column).is_some());
            }
        }
    }
}
