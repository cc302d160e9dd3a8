//! Commission inputs for finance (SPEC section 5, rule 13, section 7): the
//! plan ([`plan`]), the arithmetic ([`compute`]), the commission table, the
//! per-source detail that foots to each rep's basis, and explanations.

pub(crate) mod compute;
pub(crate) mod explain;
pub(crate) mod plan;

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::kpi::date_lit;

use crate::column_type::ColumnType;
use crate::kpi::{Engine, Grouping, KpiContext};
use crate::output::{render_file, FileFormat};
use crate::period::Period;
use crate::{Error, Result};
use compute::{CommissionRun, RepInput};
use plan::{Basis, Plan};

/// Everything a commission run produces, balanced and checked.
pub(crate) struct CommissionOutput {
    /// Per-rep payouts and team pools.
    pub run: CommissionRun,
    /// The commission table (section 7).
    pub table: DataFrame,
    /// Column types of the table.
    pub types: Vec<(String, ColumnType)>,
    /// The per-source detail, when asked for (already checked to foot).
    pub detail: Option<DataFrame>,
    /// Reps of `reps` without a paid row, and why.
    pub without_row: Vec<NoRow>,
}

/// Why a rep of the reps table has no commission row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoRow {
    /// The rep.
    pub rep_id: String,
    /// Display name.
    pub rep_name: String,
    /// Team.
    pub team: String,
    /// The plan excludes the rep (listed as an `excluded` row) rather than
    /// the rep being out of employment (no row at all).
    pub excluded: bool,
    /// The reason in words, e.g. "left on 2026-08-31, before the period".
    pub reason: String,
}

/// Computes the commission of `period` under `plan` from the engine's rep
/// scorecard (shared with the run's KPI files and report): refuses a period
/// before `valid_from`, aborts unless Σ final payable + Σ discretionary
/// pools = Σ capped commission, and (with `with_detail`) checks that the
/// detail rows foot to each rep's basis. Nothing is written here.
pub(crate) fn commission_for(
    engine: &Engine,
    period: &Period,
    plan: &Plan,
    with_detail: bool,
) -> Result<CommissionOutput> {
    let ctx = &engine.context(period)?;
    check_validity(plan, ctx)?;
    let card = &engine.scorecard(period, Grouping::Rep)?;
    let (inputs, without_row) = rep_inputs(ctx, plan, card)?;
    let run = compute::compute(plan, inputs);
    if run.imbalance() != 0 {
        return Err(Error::Internal(format!(
            "Σ final payable + Σ discretionary pools differs from Σ capped commission by {} cents; nothing was written",
            run.imbalance()
        )));
    }
    let detail = if with_detail {
        let d = detail(engine, period, plan)?;
        check_detail_foots(&d, &run)?;
        Some(d)
    } else {
        None
    };
    let excluded: Vec<&NoRow> = without_row.iter().filter(|n| n.excluded).collect();
    let table = commission_table(&run, &excluded, &ctx.period.to_string())?;
    let types = table_columns(plan.tiers.len());
    Ok(CommissionOutput {
        run,
        table,
        types,
        detail,
        without_row,
    })
}

impl CommissionOutput {
    /// The table rendered in `format` (its total row bold in XLSX).
    pub(crate) fn table_bytes(&self, format: FileFormat, excel: bool) -> Result<Vec<u8>> {
        let types: Vec<(&str, ColumnType)> =
            self.types.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let last = self.table.height().saturating_sub(1);
        render_file(&self.table, &types, format, excel, "commission", &[last])
    }

    /// The detail rendered in `format`, if it was computed.
    pub(crate) fn detail_bytes(&self, format: FileFormat, excel: bool) -> Result<Option<Vec<u8>>> {
        self.detail
            .as_ref()
            .map(|d| render_file(d, DETAIL_COLUMNS, format, excel, "detail", &[]))
            .transpose()
    }
}

/// Refuses a period that starts before the plan is valid.
pub(crate) fn check_validity(plan: &Plan, ctx: &KpiContext) -> Result<()> {
    if ctx.period.start < plan.valid_from {
        return Err(Error::Usage(format!(
            "commission plan `{}` is valid from {}, but period {} starts on {}; use a plan valid for the period",
            plan.name, plan.valid_from, ctx.period, ctx.period.start
        )));
    }
    Ok(())
}

/// Text cell of a frame.
fn text(df: &DataFrame, column: &str, row: usize) -> Result<String> {
    Ok(df
        .column(column)?
        .str()?
        .get(row)
        .unwrap_or_default()
        .to_string())
}

/// Money (Int64 cents) cell of a frame.
fn cents(df: &DataFrame, column: &str, row: usize) -> Result<Option<i64>> {
    Ok(df.column(column)?.i64()?.get(row))
}

/// A rep's employment as the reps table gives it.
struct Employment {
    /// Employed on some day of `[start, PE]`.
    employed: bool,
    hire_date: Option<chrono::NaiveDate>,
    leave_date: Option<chrono::NaiveDate>,
}

impl Employment {
    /// Why a rep was not employed in the period, in words.
    fn reason(&self, ctx: &KpiContext) -> String {
        match (self.leave_date, self.hire_date) {
            (Some(l), _) if l < ctx.period.start => format!(
                "left on {l}, before the period (starts {})",
                ctx.period.start
            ),
            (_, Some(h)) if h > ctx.pe => {
                format!("hired on {h}, after the period's data end {}", ctx.pe)
            }
            _ => "not employed in the period".into(),
        }
    }
}

/// Each rep's employment: employed on some day of `[start, PE]`, with the
/// dates that decide it.
fn employment(ctx: &KpiContext) -> Result<BTreeMap<String, Employment>> {
    let reps = ctx
        .reps()?
        .select([
            col("rep_id"),
            col("hire_date"),
            col("leave_date"),
            col("hire_date")
                .is_null()
                .or(col("hire_date").lt_eq(date_lit(ctx.pe)))
                .and(
                    col("leave_date")
                        .is_null()
                        .or(col("leave_date").gt_eq(date_lit(ctx.period.start))),
                )
                .alias("employed"),
        ])
        .collect()?;
    let ids = reps.column("rep_id")?.str()?;
    let employed = reps.column("employed")?.bool()?;
    let date = |c: &str, row: usize| -> Result<Option<chrono::NaiveDate>> {
        Ok(match reps.column(c)?.get(row)? {
            AnyValue::Date(d) => crate::kpi::date_of_days(d),
            _ => None,
        })
    };
    let mut out = BTreeMap::new();
    for row in 0..reps.height() {
        out.insert(
            ids.get(row).unwrap_or_default().to_string(),
            Employment {
                employed: employed.get(row).unwrap_or(false),
                hire_date: date("hire_date", row)?,
                leave_date: date("leave_date", row)?,
            },
        );
    }
    Ok(out)
}

/// Why the plan excludes a rep, if it does: by rep_id (`exclude_reps`) or
/// by role (`exclude_roles`, case-insensitive; an empty role is `rep`).
fn exclusion(plan: &Plan, rep_id: &str, role: &str) -> Option<String> {
    if plan.exclude_reps.iter().any(|r| r == rep_id) {
        return Some(format!(
            "excluded by the plan (exclude_reps lists {rep_id})"
        ));
    }
    let role = role.trim().to_lowercase();
    let role = if role.is_empty() {
        "rep".to_string()
    } else {
        role
    };
    plan.exclude_roles
        .contains(&role)
        .then(|| format!("excluded by the plan (exclude_roles lists the role {role})"))
}

/// Each rep's basis and target from the rep scorecard, so commission agrees
/// with the KPI tables to the cent, and the reps without a paid row with
/// the reason: excluded by the plan (`exclude_reps`, `exclude_roles`; they
/// earn nothing and are not pool members), or not employed on any day of
/// the period with a zero basis. Fails when a rep's basis is null (a gross
/// margin basis with lines lacking a cost), naming the reps.
pub(crate) fn rep_inputs(
    ctx: &KpiContext,
    plan: &Plan,
    card: &DataFrame,
) -> Result<(Vec<RepInput>, Vec<NoRow>)> {
    let employed = employment(ctx)?;
    let basis_column = plan.basis.column();
    if !ctx.data.has(match plan.basis {
        Basis::CollectedAmount => "payments",
        Basis::SalesAmount | Basis::GrossMargin => "orders",
    }) {
        return Err(Error::Invalid(format!(
            "commission basis {basis_column} cannot be computed: its source table is absent from the data"
        )));
    }
    if plan.basis.target_column().is_none() {
        ctx.warn(
            "commission: the contract has no gross margin target, so every rep is paid the first tier's rate on the whole margin",
        );
    }
    let known: std::collections::BTreeSet<String> = (0..card.height())
        .map(|row| text(card, "rep_id", row))
        .collect::<Result<_>>()?;
    for listed in plan.exclude_reps.iter().filter(|r| !known.contains(*r)) {
        ctx.warn(format!(
            "commission: exclude_reps lists {listed}, which is not in the reps table{}",
            crate::suggest::suggestion(listed, known.iter().map(String::as_str))
        ));
    }
    let mut inputs = Vec::new();
    let mut without_row = Vec::new();
    let mut null_basis = Vec::new();
    for row in 0..card.height() {
        let rep_id = text(card, "rep_id", row)?;
        let (rep_name, team) = (text(card, "rep_name", row)?, text(card, "team", row)?);
        if let Some(reason) = exclusion(plan, &rep_id, &text(card, "role", row)?) {
            without_row.push(NoRow {
                rep_id,
                rep_name,
                team,
                excluded: true,
                reason,
            });
            continue;
        }
        let Some(basis) = cents(card, basis_column, row)? else {
            null_basis.push(rep_id);
            continue;
        };
        let target = match plan.basis.target_column() {
            Some(c) => cents(card, c, row)?,
            None => None,
        };
        let job = employed.get(&rep_id);
        let is_employed = job.is_some_and(|e| e.employed);
        if !is_employed && basis == 0 {
            without_row.push(NoRow {
                reason: job.map_or("not in the reps table".into(), |e| e.reason(ctx)),
                rep_id,
                rep_name,
                team,
                excluded: false,
            });
            continue;
        }
        inputs.push(RepInput {
            rep_name,
            team,
            rep_id,
            basis,
            target,
            employed: is_employed,
        });
    }
    if !null_basis.is_empty() {
        return Err(Error::Invalid(format!(
            "commission: {basis_column} is null for rep(s) {} (some order lines have neither a unit_cost nor a product cost); add the costs or choose another basis",
            null_basis.join(", ")
        )));
    }
    Ok((inputs, without_row))
}

/// Columns of the detail file, in order, with their types.
pub(crate) const DETAIL_COLUMNS: &[(&str, ColumnType)] = &[
    ("period", ColumnType::Text),
    ("rep_id", ColumnType::Text),
    ("source", ColumnType::Text),
    ("source_id", ColumnType::Text),
    ("date", ColumnType::Text),
    ("amount", ColumnType::Money),
];

/// One row per contributing source, summing exactly to each rep's basis:
/// payments dated in `[start, PE]` credited to the rep of their invoice
/// (collected basis; refunds are negative rows), or live order lines dated in
/// `[start, PE]` (sales basis: `line_amount`; margin basis:
/// `line_amount − line_cost`). Sorted by rep_id, date, source_id.
pub(crate) fn detail(engine: &Engine, period: &Period, plan: &Plan) -> Result<DataFrame> {
    let rows = match plan.basis {
        Basis::CollectedAmount => engine
            .payments_in(period)?
            .ok_or_else(|| Error::Invalid("commission detail needs invoices and payments".into()))?
            .select([
                col("rep_id"),
                lit("payment").alias("source"),
                col("payment_id").alias("source_id"),
                col("payment_date").alias("date"),
                col("amount"),
            ]),
        Basis::SalesAmount | Basis::GrossMargin => {
            let amount = match plan.basis {
                Basis::SalesAmount => col("line_amount"),
                _ => col("line_amount") - col("line_cost"),
            };
            engine
                .order_lines_in(period)?
                .ok_or_else(|| Error::Invalid("commission detail needs orders".into()))?
                .select([
                    col("rep_id"),
                    lit("order_line").alias("source"),
                    concat_str(
                        [col("order_id"), col("line_no").cast(DataType::String)],
                        "/",
                        false,
                    )
                    .alias("source_id"),
                    col("order_date").alias("date"),
                    amount.alias("amount"),
                ])
        }
    };
    Ok(rows
        .with_column(lit(period.to_string()).alias("period"))
        .sort(
            ["rep_id", "date", "source_id"],
            SortMultipleOptions::default(),
        )
        .select(
            DETAIL_COLUMNS
                .iter()
                .map(|(c, _)| match *c {
                    "date" => col("date").cast(DataType::String),
                    other => col(other),
                })
                .collect::<Vec<_>>(),
        )
        .collect()?)
}

/// Checks that the detail rows of each rep sum to its basis, to the cent.
pub(crate) fn check_detail_foots(detail: &DataFrame, run: &CommissionRun) -> Result<()> {
    let sums = detail
        .clone()
        .lazy()
        .group_by([col("rep_id")])
        .agg([col("amount").sum()])
        .collect()?;
    let ids = sums.column("rep_id")?.str()?;
    let amounts = sums.column("amount")?.i64()?;
    let by_rep: BTreeMap<&str, i64> = ids
        .iter()
        .zip(amounts.iter())
        .map(|(id, a)| (id.unwrap_or_default(), a.unwrap_or(0)))
        .collect();
    for r in &run.reps {
        let sum = by_rep.get(r.input.rep_id.as_str()).copied().unwrap_or(0);
        if sum != r.input.basis {
            return Err(Error::Internal(format!(
                "detail rows of rep {} sum to {} cents but its basis is {} cents; nothing was written",
                r.input.rep_id, sum, r.input.basis
            )));
        }
    }
    Ok(())
}

/// Column names and types of the commission table for a plan with `tiers` tiers.
pub(crate) fn table_columns(tiers: usize) -> Vec<(String, ColumnType)> {
    let mut cols: Vec<(String, ColumnType)> = [
        ("period", ColumnType::Text),
        ("row_type", ColumnType::Text),
        ("team", ColumnType::Text),
        ("rep_id", ColumnType::Text),
        ("rep_name", ColumnType::Text),
        ("basis", ColumnType::Money),
        ("target", ColumnType::Money),
        ("attainment", ColumnType::Ratio),
    ]
    .iter()
    .map(|(n, t)| (n.to_string(), *t))
    .collect();
    for k in 1..=tiers {
        cols.push((format!("tier{k}_basis"), ColumnType::Money));
        cols.push((format!("tier{k}_amount"), ColumnType::Money));
    }
    for name in [
        "gross_commission",
        "cap_effect",
        "capped_commission",
        "pool_adjustment",
        "final_payable",
        "discretionary_pool",
        "control_total",
    ] {
        cols.push((name.to_string(), ColumnType::Money));
    }
    cols
}

/// Builds the commission table (section 7): one `rep` row per rep, one
/// `team_pool` row per team when the plan pools (its discretionary pool),
/// and a `total` row. In every money column the total row equals the sum of
/// the other rows; `control_total` = Σ capped commission.
pub(crate) fn commission_table(
    run: &CommissionRun,
    excluded: &[&NoRow],
    period: &str,
) -> Result<DataFrame> {
    let tiers = run.reps.first().map_or(0, |r| r.tiers.len());
    let columns = table_columns(tiers);
    let mut text_cols: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    let mut money_cols: BTreeMap<String, Vec<Option<i64>>> = BTreeMap::new();
    let mut attainment: Vec<Option<f64>> = Vec::new();
    let mut push_text = |name: &str, v: Option<&str>| {
        text_cols
            .entry(name.into())
            .or_default()
            .push(v.map(str::to_string));
    };
    let mut money_rows: Vec<BTreeMap<String, Option<i64>>> = Vec::new();
    for r in &run.reps {
        push_text("period", Some(period));
        push_text("row_type", Some("rep"));
        push_text("team", Some(&r.input.team));
        push_text("rep_id", Some(&r.input.rep_id));
        push_text("rep_name", Some(&r.input.rep_name));
        attainment.push(r.attainment);
        let mut m = BTreeMap::new();
        m.insert("basis".into(), Some(r.input.basis));
        m.insert("target".into(), r.input.target);
        for (k, (slice, amount)) in r.tiers.iter().enumerate() {
            m.insert(format!("tier{}_basis", k + 1), Some(*slice));
            m.insert(format!("tier{}_amount", k + 1), Some(*amount));
        }
        m.insert("gross_commission".into(), Some(r.gross));
        m.insert("cap_effect".into(), Some(r.cap_effect));
        m.insert("capped_commission".into(), Some(r.capped));
        m.insert("pool_adjustment".into(), Some(r.pool_adjustment));
        m.insert("final_payable".into(), Some(r.final_payable));
        money_rows.push(m);
    }
    for p in &run.pools {
        push_text("period", Some(period));
        push_text("row_type", Some("team_pool"));
        push_text("team", Some(&p.team));
        push_text("rep_id", None);
        push_text("rep_name", None);
        attainment.push(None);
        let mut m = BTreeMap::new();
        m.insert("discretionary_pool".into(), Some(p.discretionary));
        money_rows.push(m);
    }
    // Excluded reps are listed, earning 0.00, with no other amount.
    for x in excluded {
        push_text("period", Some(period));
        push_text("row_type", Some("excluded"));
        push_text("team", Some(&x.team));
        push_text("rep_id", Some(&x.rep_id));
        push_text("rep_name", Some(&x.rep_name));
        attainment.push(None);
        let mut m = BTreeMap::new();
        m.insert("final_payable".into(), Some(0));
        money_rows.push(m);
    }
    // The total row: every money column summed over the rows above; the
    // target stays empty when no rep has one (a sum of nothing is not 0.00).
    let mut total = BTreeMap::new();
    for (name, t) in &columns {
        if *t == ColumnType::Money && name != "control_total" {
            let values: Vec<i64> = money_rows
                .iter()
                .filter_map(|m| m.get(name).copied().flatten())
                .collect();
            let sum = (name != "target" || !values.is_empty()).then(|| values.iter().sum::<i64>());
            total.insert(name.clone(), sum);
        }
    }
    total.insert("control_total".into(), Some(run.control_total));
    push_text("period", Some(period));
    push_text("row_type", Some("total"));
    push_text("team", None);
    push_text("rep_id", None);
    push_text("rep_name", None);
    attainment.push(None);
    money_rows.push(total);
    for (name, t) in &columns {
        if *t == ColumnType::Money {
            money_cols.insert(
                name.clone(),
                money_rows
                    .iter()
                    .map(|m| m.get(name).copied().flatten())
                    .collect(),
            );
        }
    }
    let height = money_rows.len();
    let series: Vec<Column> = columns
        .iter()
        .map(|(name, t)| match t {
            ColumnType::Money => {
                Column::new(name.into(), money_cols.remove(name).unwrap_or_default())
            }
            ColumnType::Ratio => Column::new(name.into(), attainment.clone()),
            _ => Column::new(name.into(), text_cols.remove(name).unwrap_or_default()),
        })
        .collect();
    Ok(DataFrame::new(height, series)?)
}
