//! The KPI catalogue: one entry per KPI column of the scorecard and its
//! roll-ups, in output order (SPEC sections 3 and 7).
//!
//! Everything that describes a column rather than computes it lives here and
//! nowhere else: its unit (how it is stored and shown), how a roll-up gets
//! it (rule 11), whether a rise is good news, the formula shown in the
//! report's appendix and in `docs/kpis.md`, and the family that computes it.
//! The output column order and types, the report's number formats and
//! colours, the definitions appendix and the roll-up property test all read
//! this table; a unit test fails when a computed column has no entry or an
//! entry has no label in either language.
//!
//! Adding a KPI: compute it in its family's module, add one [`Kpi`] here and
//! its two labels in `reports/messages.toml`.

use super::context::Grouping;
use crate::column_type::ColumnType;

/// How a KPI's value is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Exact money: Int64 cents, written with 2 decimals.
    Money,
    /// A mean of money (Float64, currency units, shown with 1 decimal):
    /// not exact, because a mean of cents is not a whole number of cents.
    MoneyMean,
    /// A whole count (Int64).
    Count,
    /// A plain rate or ratio (Float64, shown with 1 decimal).
    Ratio,
    /// A fraction shown as a percentage (Float64: 0.25 is shown `25.0 %`).
    Percent,
    /// A length of time in days (Float64, shown with 1 decimal).
    Days,
    /// A length of time in minutes (Float64, shown with 1 decimal).
    Minutes,
}

impl Unit {
    /// How a column of this unit is stored and written.
    pub fn column_type(self) -> ColumnType {
        match self {
            Unit::Money => ColumnType::Money,
            Unit::Count => ColumnType::Count,
            Unit::MoneyMean | Unit::Ratio | Unit::Percent | Unit::Days | Unit::Minutes => {
                ColumnType::Ratio
            }
        }
    }

    /// The unit's name in `docs/kpis.md`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Money => "money (cents)",
            Unit::MoneyMean => "money (mean, currency units)",
            Unit::Count => "count",
            Unit::Ratio => "ratio",
            Unit::Percent => "percent (fraction)",
            Unit::Days => "days",
            Unit::Minutes => "minutes",
        }
    }
}

/// How a roll-up (team, region, company) gets a column from its members
/// (SPEC rule 11): never by averaging the members' values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rollup {
    /// The sum of the members' values, exactly.
    Sum,
    /// Recounted over the group's facts (distinct customers, distinct
    /// orders): at most the sum of the members' values.
    Recount,
    /// `Σ numerator / Σ (denominator columns) × scale`, from the group's
    /// summed output columns.
    FromParts {
        /// Output column summed for the numerator.
        numerator: &'static str,
        /// Output columns whose sum is the denominator.
        denominator: &'static [&'static str],
        /// Factor applied to the quotient (100 for "per 100", 0.01 for cents
        /// to currency units).
        scale: f64,
    },
    /// Recomputed from parts summed at group level that are not output
    /// columns themselves (durations, settle days, list amounts…).
    FromHiddenParts,
    /// `Σ numerator / Σ denominator` over the members that have a value of
    /// the denominator (a target): members without one are left out of both.
    TargetedOnly {
        /// Output column summed over the targeted members.
        numerator: &'static str,
        /// The target column.
        denominator: &'static str,
    },
    /// The same value for every group (a property of the period).
    Same,
}

impl Rollup {
    /// The rule in words, for `docs/kpis.md`.
    pub fn describe(self) -> String {
        match self {
            Rollup::Sum => "sum of members".into(),
            Rollup::Recount => "recounted over the group's facts".into(),
            Rollup::FromParts {
                numerator,
                denominator,
                scale,
            } => {
                let den = denominator.join(" + ");
                let den = if denominator.len() > 1 {
                    format!("({den})")
                } else {
                    den
                };
                let scale = if scale == 1.0 {
                    String::new()
                } else {
                    format!(" × {scale}")
                };
                format!("from parts: Σ {numerator} / Σ {den}{scale}")
            }
            Rollup::FromHiddenParts => "from parts summed at group level".into(),
            Rollup::TargetedOnly {
                numerator,
                denominator,
            } => format!("targeted members only: Σ {numerator} / Σ {denominator}"),
            Rollup::Same => "same for every group".into(),
        }
    }
}

/// Whether a rise of the KPI is good news (the report's arrows and colours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// More is better (sales, visits, collections).
    HigherIsBetter,
    /// Less is better (receivables, DSO, lost customers).
    LowerIsBetter,
    /// Neither: a context figure (workdays, targets, costs).
    Neutral,
}

/// The module that computes a KPI (`src/kpi/<family>.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `activity`: visits and workdays.
    Activity,
    /// `sales`: order lines and orders (the scorecard derives the ratios).
    Sales,
    /// `customers`: new, lost and legacy customers.
    Customers,
    /// `receivables`: invoices, payments, aging.
    Receivables,
    /// `opportunities`: the sales pipeline.
    Opportunities,
    /// `expenses`.
    Expenses,
    /// `targets`: targets, attainment, run rate.
    Targets,
    /// `discipline`: discount authority and cross-region lines.
    Discipline,
    /// `flags`: the process integrity flags (SPEC section 9).
    Flags,
    /// `scorecard`: properties of the period itself.
    Period,
}

impl Family {
    /// The module's file name.
    pub fn module(self) -> &'static str {
        match self {
            Family::Activity => "activity",
            Family::Sales => "sales",
            Family::Customers => "customers",
            Family::Receivables => "receivables",
            Family::Opportunities => "opportunities",
            Family::Expenses => "expenses",
            Family::Targets => "targets",
            Family::Discipline => "discipline",
            Family::Flags => "flags/mod",
            Family::Period => "scorecard",
        }
    }
}

/// One KPI column.
#[derive(Debug, Clone, Copy)]
pub struct Kpi {
    /// Output column name.
    pub name: &'static str,
    /// The family that computes it.
    pub family: Family,
    /// Its unit.
    pub unit: Unit,
    /// How roll-ups get it.
    pub rollup: Rollup,
    /// Whether a rise is good news.
    pub direction: Direction,
    /// The formula, as shown in the report's appendix and `docs/kpis.md`.
    pub formula: &'static str,
    /// The SPEC rule or section it follows.
    pub spec: &'static str,
    /// Only in roll-ups (team, region, company), not per rep.
    pub rollup_only: bool,
}

const fn kpi(
    name: &'static str,
    family: Family,
    unit: Unit,
    rollup: Rollup,
    direction: Direction,
    formula: &'static str,
    spec: &'static str,
) -> Kpi {
    Kpi {
        name,
        family,
        unit,
        rollup,
        direction,
        formula,
        spec,
        rollup_only: false,
    }
}

const fn parts(
    numerator: &'static str,
    denominator: &'static [&'static str],
    scale: f64,
) -> Rollup {
    Rollup::FromParts {
        numerator,
        denominator,
        scale,
    }
}

const fn aging(name: &'static str, formula: &'static str) -> Kpi {
    Kpi {
        name,
        family: Family::Receivables,
        unit: Unit::Money,
        rollup: Rollup::Sum,
        direction: Direction::Neutral,
        formula,
        spec: "§3 aging, §7",
        rollup_only: true,
    }
}

use Direction::{HigherIsBetter as Up, LowerIsBetter as Down, Neutral};
use Family as F;
use Rollup::{FromHiddenParts, Recount, Same, Sum};

/// Every KPI column, in output order (identity columns come before them).
#[rustfmt::skip]
pub const CATALOG: &[Kpi] = &[
    kpi("visits", F::Activity, Unit::Count, Sum, Up,
        "visits with visit_start date in [start, PE]", "§3"),
    kpi("workdays", F::Activity, Unit::Count, Sum, Neutral,
        "the rep's workdays in [max(start, hire_date), min(PE, leave_date)] by the calendar", "§3, rule 2"),
    kpi("visits_per_workday", F::Activity, Unit::Ratio, parts("visits", &["workdays"], 1.0), Up,
        "visits / workdays", "§3"),
    kpi("avg_visit_minutes", F::Activity, Unit::Minutes, FromHiddenParts, Neutral,
        "Σ duration_minutes / count of visits with a duration", "§3"),
    kpi("visited_customers", F::Activity, Unit::Count, Recount, Up,
        "distinct customer_id of the period's visits", "§3, rule 11"),
    kpi("orders", F::Sales, Unit::Count, Recount, Up,
        "distinct order_id with a live line dated in [start, PE]", "§3, rule 4"),
    kpi("sales_amount", F::Sales, Unit::Money, Sum, Up,
        "Σ line_amount over live order lines dated in [start, PE]; line_amount as given, else round(quantity × unit_price, 2)", "§1, §3, rules 4–5"),
    kpi("cost_amount", F::Sales, Unit::Money, Sum, Neutral,
        "Σ round(quantity × unit_cost, 2) (line cost, else the product's); null when a line has none", "§3, rule 5"),
    kpi("gross_margin", F::Sales, Unit::Money, Sum, Up,
        "sales_amount − cost_amount", "§3"),
    kpi("gross_margin_pct", F::Sales, Unit::Percent, parts("gross_margin", &["sales_amount"], 1.0), Up,
        "gross_margin / sales_amount", "§3"),
    kpi("discount_pct", F::Sales, Unit::Percent, FromHiddenParts, Down,
        "1 − sales_amount / Σ round(quantity × list_price, 2)", "§3"),
    kpi("avg_order_value", F::Sales, Unit::MoneyMean, parts("sales_amount", &["orders"], 0.01), Up,
        "sales_amount / orders", "§3"),
    kpi("orders_per_100_visits", F::Sales, Unit::Ratio, parts("orders", &["visits"], 100.0), Up,
        "orders / visits × 100", "§3"),
    kpi("sales_per_visit", F::Sales, Unit::MoneyMean, parts("sales_amount", &["visits"], 0.01), Up,
        "sales_amount / visits", "§3"),
    kpi("active_customers", F::Sales, Unit::Count, Recount, Up,
        "distinct customer_id with a live order line dated in [start, PE]", "§3, rule 11"),
    kpi("new_customers", F::Customers, Unit::Count, Sum, Up,
        "customers whose first-ever order (any rep) is in [start, PE], credited to that order's rep", "§3, rule 7"),
    kpi("lost_customers", F::Customers, Unit::Count, Sum, Down,
        "customers whose last order (any rep) + churn_days falls in [start, PE], credited to that order's rep", "§3, rule 7"),
    kpi("legacy_sales_share", F::Customers, Unit::Percent, FromHiddenParts, Neutral,
        "sales to customers first served ≥ legacy_days before start / sales_amount", "§3"),
    kpi("invoiced_amount", F::Receivables, Unit::Money, Sum, Up,
        "Σ amount of invoices dated in [start, PE], credit notes (negative amounts) included", "§3, rule 8"),
    kpi("collected_amount", F::Receivables, Unit::Money, Sum, Up,
        "Σ payments dated in [start, PE], refunds included", "§3, rule 8"),
    kpi("collection_ratio", F::Receivables, Unit::Percent, parts("collected_amount", &["invoiced_amount"], 1.0), Up,
        "collected_amount / invoiced_amount", "§3"),
    kpi("repayment_cycle_days", F::Receivables, Unit::Days, FromHiddenParts, Down,
        "mean over invoices settled in [start, PE] of settle_date − invoice_date", "§3, rule 8"),
    kpi("receivables_end", F::Receivables, Unit::Money, Sum, Down,
        "Σ per invoice dated ≤ PE of max(0, amount − payments dated ≤ PE)", "§3, rule 8"),
    kpi("overdue_end", F::Receivables, Unit::Money, Sum, Down,
        "the part of receivables_end whose due_date < PE", "§3, rule 8"),
    kpi("overdue_ratio", F::Receivables, Unit::Percent, parts("overdue_end", &["receivables_end"], 1.0), Down,
        "overdue_end / receivables_end", "§3"),
    kpi("dso_days", F::Receivables, Unit::Days, FromHiddenParts, Down,
        "receivables_end / Σ invoiced in [PE − 89, PE] × 90", "§3, rule 8"),
    kpi("opps_created", F::Opportunities, Unit::Count, Sum, Up,
        "opportunities created in [start, PE]", "§3, rule 9"),
    kpi("opps_won", F::Opportunities, Unit::Count, Sum, Up,
        "opportunities with close_date in [start, PE] and stage won", "§3, rule 9"),
    kpi("opps_lost", F::Opportunities, Unit::Count, Sum, Down,
        "opportunities with close_date in [start, PE] and stage lost", "§3, rule 9"),
    kpi("win_rate", F::Opportunities, Unit::Percent, parts("opps_won", &["opps_won", "opps_lost"], 1.0), Up,
        "opps_won / (opps_won + opps_lost)", "§3, rule 9"),
    kpi("avg_sales_cycle_days", F::Opportunities, Unit::Days, FromHiddenParts, Down,
        "mean of close_date − created_date over opps_won", "§3, rule 9"),
    kpi("open_pipeline", F::Opportunities, Unit::Money, Sum, Up,
        "Σ amount of opportunities created ≤ PE and not closed by PE", "§3, rule 9"),
    kpi("weighted_pipeline", F::Opportunities, Unit::Money, Sum, Up,
        "Σ per opportunity round(amount × probability, 2), probability else the stage default, over open_pipeline's set", "§2, §3, rule 9"),
    kpi("expenses_amount", F::Expenses, Unit::Money, Sum, Down,
        "Σ expenses dated in [start, PE] + Σ visit cost of the period's visits", "§3"),
    kpi("expense_ratio", F::Expenses, Unit::Percent, parts("expenses_amount", &["sales_amount"], 1.0), Down,
        "expenses_amount / sales_amount", "§3"),
    kpi("sales_target", F::Targets, Unit::Money, Sum, Neutral,
        "Σ sales targets of the months the nominal period touches (quarter and year rows spread to months)", "§3, rule 3"),
    kpi("collection_target", F::Targets, Unit::Money, Sum, Neutral,
        "Σ collection targets of the months the nominal period touches", "§3, rule 3"),
    kpi("visit_target", F::Targets, Unit::Count, Sum, Neutral,
        "Σ visit targets of the months the nominal period touches", "§3, rule 3"),
    kpi("new_customer_target", F::Targets, Unit::Count, Sum, Neutral,
        "Σ new-customer targets of the months the nominal period touches", "§3, rule 3"),
    kpi("sales_attainment", F::Targets, Unit::Percent,
        Rollup::TargetedOnly { numerator: "sales_amount", denominator: "sales_target" }, Up,
        "sales_amount / sales_target", "§3, rule 11"),
    kpi("collection_attainment", F::Targets, Unit::Percent,
        Rollup::TargetedOnly { numerator: "collected_amount", denominator: "collection_target" }, Up,
        "collected_amount / collection_target", "§3, rule 11"),
    kpi("run_rate_sales", F::Targets, Unit::Money, FromHiddenParts, Up,
        "round(sales_amount × total_workdays / elapsed_workdays, 2)", "§3, rule 2"),
    kpi("forecast_sales", F::Targets, Unit::Money, FromHiddenParts, Up,
        "run_rate_sales + Σ round(amount × probability, 2) of the opportunities open at PE whose close_date falls after PE and within the nominal period; null where a part is (no workday elapsed, no opportunities table)", "§8"),
    kpi("forecast_attainment", F::Targets, Unit::Percent, FromHiddenParts, Up,
        "forecast_sales / sales_target; in a roll-up, the forecast of the members with a sales target (run rate of their summed sales + their closing pipeline) / sales_target", "§8, rule 11"),
    kpi("discount_violations", F::Discipline, Unit::Count, Sum, Down,
        "live lines dated in [start, PE] with list_price > 0 and unit_price < list_price × (1 − discount authority of the rep's role); exactly at the authority is allowed", "§3, rule 6"),
    kpi("cross_region_lines", F::Discipline, Unit::Count, Sum, Down,
        "live lines dated in [start, PE] whose ship_region (else the customer's region) differs from the rep's region", "§3, rule 6"),
    kpi("flags_count", F::Flags, Unit::Count, Sum, Down,
        "rows of the flags table credited to the rep: every integrity rule judged for the period (docs/flags.md); a rule not judged (its table absent, or period_end_stuffing before the return_workdays after the period have passed as_of) adds nothing and is named in the warnings", "§9 (salesops extension)"),
    kpi("visits_per_active_customer", F::Activity, Unit::Ratio, parts("visits", &["active_customers"], 1.0), Neutral,
        "visits / active_customers", "§3 (salesops extension)"),
    aging("aging_not_due", "Σ open amount at PE of invoices not yet due"),
    aging("aging_1_30", "Σ open amount at PE of invoices 1–30 days past due"),
    aging("aging_31_60", "Σ open amount at PE of invoices 31–60 days past due"),
    aging("aging_61_90", "Σ open amount at PE of invoices 61–90 days past due"),
    aging("aging_91_plus", "Σ open amount at PE of invoices 91 or more days past due"),
    kpi("elapsed_workdays", F::Period, Unit::Count, Same, Neutral,
        "calendar workdays in [start, PE]", "rule 2"),
    kpi("total_workdays", F::Period, Unit::Count, Same, Neutral,
        "calendar workdays of the nominal period", "rule 2"),
];

/// The catalogue entry of a column, `None` for identity and view columns.
pub fn lookup(name: &str) -> Option<&'static Kpi> {
    CATALOG.iter().find(|k| k.name == name)
}

/// The KPI columns of a grouping level in output order, with their types:
/// the aging buckets only in roll-ups.
pub fn kpi_columns(grouping: Grouping) -> impl Iterator<Item = (&'static str, ColumnType)> {
    CATALOG
        .iter()
        .filter(move |k| grouping != Grouping::Rep || !k.rollup_only)
        .map(|k| (k.name, k.unit.column_type()))
}

/// Whether a column is shown as a percentage (its unit is [`Unit::Percent`]).
pub fn is_percent(name: &str) -> bool {
    lookup(name).is_some_and(|k| k.unit == Unit::Percent)
}

/// `docs/kpis.md`: every column with its unit, formula, roll-up rule and
/// the SPEC rule it follows, generated from [`CATALOG`].
pub fn markdown() -> String {
    let mut out = String::from(
        "# KPI definitions\n\n\
         Generated from `src/kpi/catalog.rs` by `salesops catalog`; a test keeps this file in\n\
         sync, so edit the catalogue, never this file. `PE = min(period end, as_of)` (SPEC rule 1);\n\
         a ratio whose denominator is 0 or null is null, never 0. Roll-ups (team, region,\n\
         company) recompute every ratio from summed parts, never by averaging (rule 11).\n\
         The SPEC column cites [`SPEC.md`](SPEC.md): § is a section, a rule is one of section 6.\n\n\
         | column | unit | formula | roll-up | better | family | SPEC |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for k in CATALOG {
        let better = match k.direction {
            Direction::HigherIsBetter => "higher",
            Direction::LowerIsBetter => "lower",
            Direction::Neutral => "—",
        };
        let only = if k.rollup_only {
            " (roll-ups only)"
        } else {
            ""
        };
        out.push_str(&format!(
            "| `{}`{only} | {} | {} | {} | {better} | `kpi/{}.rs` | {} |\n",
            k.name,
            k.unit.name(),
            k.formula.replace('|', "\\|"),
            k.rollup.describe(),
            k.family.module(),
            k.spec,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn docs_kpis_md_is_generated_from_the_catalogue() {
        let committed = include_str!("../../docs/kpis.md");
        assert!(
            committed == markdown(),
            "docs/kpis.md is out of date: run `cargo run -- catalog > docs/kpis.md`"
        );
    }

    #[test]
    fn names_are_unique() {
        let names: BTreeSet<&str> = CATALOG.iter().map(|k| k.name).collect();
        assert_eq!(names.len(), CATALOG.len());
    }

    #[test]
    fn parts_name_catalogued_summable_columns() {
        for k in CATALOG {
            let named: Vec<&str> = match k.rollup {
                Rollup::FromParts {
                    numerator,
                    denominator,
                    ..
                } => std::iter::once(numerator)
                    .chain(denominator.iter().copied())
                    .collect(),
                Rollup::TargetedOnly {
                    numerator,
                    denominator,
                } => vec![numerator, denominator],
                _ => continue,
            };
            for part in named {
                let entry = lookup(part).unwrap_or_else(|| panic!("{}: no entry {part}", k.name));
                assert!(
                    matches!(entry.rollup, Rollup::Sum | Rollup::Recount),
                    "{}: part {part} is not summed or recounted",
                    k.name
                );
            }
        }
    }

    #[test]
    fn only_exact_money_and_counts_are_summed() {
        for k in CATALOG {
            if k.rollup == Rollup::Sum {
                assert!(
                    matches!(k.unit, Unit::Money | Unit::Count),
                    "{} is summed but is a {:?}",
                    k.name,
                    k.unit
                );
            }
        }
    }

    #[test]
    fn rep_columns_leave_out_the_aging_buckets() {
        assert!(kpi_columns(Grouping::Rep).all(|(n, _)| !n.starts_with("aging_")));
        assert_eq!(kpi_columns(Grouping::Team).count(), CATALOG.len());
    }
}
