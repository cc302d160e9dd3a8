//! The planning settings: `[plan]` of the pipeline config, defaults written
//! once here (how they were chosen: docs/plan.md, "Defaults").

use crate::Result;

/// How `salesops plan` splits a year's target (`[plan]` in the config).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PlanSettings {
    /// Weight of the history share (base-year sales pace × plan-year
    /// rep-years) in a unit's share; the rest is its share of the
    /// siblings' rep-years (0.8). 1 follows history only, 0 splits by
    /// rep-years.
    pub(crate) history_weight: f64,
    /// Months over which a new hire ramps up (3): in the j-th month of
    /// employment (the hire month is the first) a rep carries
    /// `j / (ramp_months + 1)` of a full month, from month `ramp_months + 1`
    /// on all of it. 0: no ramp.
    pub(crate) ramp_months: u32,
    /// Collection target as a share of the sales target (e.g. 0.95); unset:
    /// no collection targets (the column stays empty). `--collection-ratio`
    /// overrides it.
    pub(crate) collection_ratio: Option<f64>,
    /// Roles that carry a sales target (all three by default: managers and
    /// directors who sell carry one too).
    pub(crate) roles: Vec<String>,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            history_weight: 0.8,
            ramp_months: 3,
            collection_ratio: None,
            roles: ["rep", "manager", "director"]
                .iter()
                .map(|r| r.to_string())
                .collect(),
        }
    }
}

/// Ramp months beyond which a ramp stops meaning "getting started".
const MAX_RAMP_MONTHS: u32 = 24;

impl PlanSettings {
    /// Refuses settings that cannot mean anything (a usage error naming the
    /// key): a history weight outside `[0, 1]`, a ramp over 24 months, a
    /// collection ratio not above 0, no role or an unknown one.
    pub(crate) fn check(&self) -> Result<()> {
        let bad = |m: String| Err(crate::Error::Usage(format!("[plan] {m}")));
        if !(0.0..=1.0).contains(&self.history_weight) {
            return bad(format!(
                "history_weight = {} must be between 0 and 1",
                self.history_weight
            ));
        }
        if self.ramp_months > MAX_RAMP_MONTHS {
            return bad(format!(
                "ramp_months = {} must be at most {MAX_RAMP_MONTHS}",
                self.ramp_months
            ));
        }
        if let Some(r) = self.collection_ratio {
            check_collection_ratio(r).or_else(bad)?;
        }
        if self.roles.is_empty() {
            return bad("roles must name at least one of rep, manager, director".into());
        }
        for role in &self.roles {
            if !["rep", "manager", "director"].contains(&role.as_str()) {
                return bad(format!(
                    "roles: `{role}` is not a role of the reps table (rep, manager, director)"
                ));
            }
        }
        Ok(())
    }
}

/// A collection ratio must be a finite number above 0 (collections may
/// exceed sales, so there is no upper bound below 10).
pub(crate) fn check_collection_ratio(r: f64) -> std::result::Result<(), String> {
    if r.is_finite() && r > 0.0 && r <= 10.0 {
        Ok(())
    } else {
        Err(format!(
            "collection_ratio = {r} must be above 0 and at most 10"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_nonsense_is_refused() {
        assert!(PlanSettings::default().check().is_ok());
        let with = |f: fn(&mut PlanSettings)| {
            let mut s = PlanSettings::default();
            f(&mut s);
            s.check().unwrap_err().to_string()
        };
        assert!(with(|s| s.history_weight = 1.5).contains("history_weight = 1.5"));
        assert!(with(|s| s.ramp_months = 25).contains("ramp_months = 25"));
        assert!(with(|s| s.collection_ratio = Some(0.0)).contains("collection_ratio = 0"));
        assert!(with(|s| s.roles = vec!["boss".into()]).contains("`boss`"));
    }
}
