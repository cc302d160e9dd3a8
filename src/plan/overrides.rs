//! The overrides file of `salesops plan --overrides`: fixed annual sales
//! targets for some regions, teams or reps; the plan spreads the rest.
//!
//! A CSV file with a header `level,id,sales_target`: `level` is `region`,
//! `team` or `rep`; `id` the region, the team or the rep_id; `sales_target`
//! the year's sales target as decimal money (rounded to the cent as read).

use std::path::Path;

use chrono::Datelike;

use crate::money::parse_cents_text;
use crate::suggest::suggestion;
use crate::{Error, Result};

use super::tree::{Level, StaffRow, Tree};

/// One fixed target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Override {
    /// 1-based data row of the file.
    pub(crate) row: usize,
    /// The unit's level.
    pub(crate) level: Level,
    /// The unit's id as written (trimmed).
    pub(crate) id: String,
    /// The fixed annual sales target (cents, ≥ 0).
    pub(crate) sales_target: i64,
}

const COLUMNS: [&str; 3] = ["level", "id", "sales_target"];

/// Reads an overrides file. Errors (invalid input, naming file, row,
/// column and the value as written): a missing or unknown column, an
/// unknown level, an empty id, an amount that is not money or is negative,
/// the same unit twice.
pub(crate) fn read_overrides(path: &Path) -> Result<Vec<Override>> {
    let file = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| Error::Invalid(format!("overrides {file}: {e}")))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::Invalid(format!("overrides {file}: {e}")))?
        .clone();
    let headers: Vec<String> = headers
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    for h in &headers {
        if !COLUMNS.contains(&h.as_str()) {
            return Err(Error::Invalid(format!(
                "overrides {file}: column `{h}` is not one of level, id, sales_target{}",
                suggestion(h, COLUMNS.iter().copied())
            )));
        }
    }
    let at = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::Invalid(format!(
                "overrides {file}: the header lacks column `{name}` (expected level,id,sales_target)"
            ))
        })
    };
    let (level_at, id_at, amount_at) = (at("level")?, at("id")?, at("sales_target")?);
    let mut out: Vec<Override> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        let record =
            record.map_err(|e| Error::Invalid(format!("overrides {file}, row {row}: {e}")))?;
        let field = |k: usize| record.get(k).unwrap_or("");
        let bad = |column: &str, value: &str, why: &str| {
            Error::Invalid(format!(
                "overrides {file}, row {row}, column {column}: `{value}` {why}"
            ))
        };
        let level = match field(level_at) {
            "region" => Level::Region,
            "team" => Level::Team,
            "rep" => Level::Rep,
            other => return Err(bad("level", other, "is not region, team or rep")),
        };
        let id = field(id_at).to_string();
        if id.is_empty() {
            return Err(bad("id", "", "is empty: name the region, team or rep_id"));
        }
        let written = field(amount_at);
        let sales_target = parse_cents_text(written)
            .filter(|c| *c >= 0)
            .ok_or_else(|| {
                bad(
                    "sales_target",
                    written,
                    "is not an amount of money ≥ 0 (e.g. 1200000.00)",
                )
            })?;
        if let Some(first) = out.iter().find(|o| o.level == level && o.id == id) {
            return Err(bad(
                "id",
                &id,
                &format!("is fixed twice (first on row {})", first.row),
            ));
        }
        out.push(Override {
            row,
            level,
            id,
            sales_target,
        });
    }
    Ok(out)
}

/// Fixes the overridden units of `tree`. Errors (usage): a unit the plan
/// does not have — unknown (naming the nearest id), or a rep who carries no
/// target in the plan year (saying why: left before it, hired after it, a
/// role outside `[plan] roles`), or a team or region with nobody in it.
pub(crate) fn apply_overrides(
    tree: &mut Tree,
    overrides: &[Override],
    file: &Path,
    (staff, year, roles): (&[StaffRow], i32, &[String]),
) -> Result<()> {
    for o in overrides {
        let Some(i) = tree.find(o.level, &o.id) else {
            let why = absent_because(o, staff, year, roles).unwrap_or_else(|| {
                let known: Vec<String> =
                    tree.at(o.level).map(|i| tree.units[i].id.clone()).collect();
                format!(
                    "is not in the reps table{}",
                    suggestion(&o.id, known.iter().map(String::as_str))
                )
            });
            return Err(Error::Usage(format!(
                "overrides {}, row {}: {} `{}` carries no target in this plan: it {why}",
                file.display(),
                o.row,
                o.level.name(),
                o.id,
            )));
        };
        tree.units[i].fixed = Some(o.sales_target);
    }
    Ok(())
}

/// Why a unit the reps table knows is not in the plan.
fn absent_because(o: &Override, staff: &[StaffRow], year: i32, roles: &[String]) -> Option<String> {
    match o.level {
        Level::Rep => {
            let s = staff.iter().find(|s| s.rep_id == o.id)?;
            let role = if s.role.is_empty() {
                "rep"
            } else {
                s.role.as_str()
            };
            Some(if !roles.iter().any(|r| r == role) {
                format!("is a {role}, a role outside [plan] roles")
            } else if let Some(l) = s.job.leave.filter(|l| l.year() < year) {
                format!("left on {l}, before {year}")
            } else if let Some(h) = s.job.hire.filter(|h| h.year() > year) {
                format!("is hired on {h}, after {year}")
            } else {
                format!("has no workday to carry in {year}")
            })
        }
        Level::Team | Level::Region => {
            let known = staff.iter().any(|s| {
                (o.level == Level::Team && s.team == o.id)
                    || (o.level == Level::Region && s.region == o.id)
            });
            known.then(|| format!("has nobody who carries a target in {year}"))
        }
        Level::Company => None,
    }
}
