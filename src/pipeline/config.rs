//! The pipeline config file (TOML). Every section and key is optional and
//! unknown keys are refused; the defaults live in the `Default` impls of the
//! section structs (KPI settings: [`Settings::default`]).

use std::path::Path;

use serde::Deserialize;

use crate::kpi::Settings;
use crate::{Error, Result};

/// A pipeline config file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// KPI settings (`[kpi]`): churn_days, legacy_days, stages, stage
    /// probabilities, discount authority.
    pub kpi: Settings,
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Config::parse(&text).map_err(|e| match e {
            Error::Usage(m) => Error::Usage(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Parses and checks config text.
    pub fn parse(text: &str) -> Result<Config> {
        let config: Config =
            toml::from_str(text).map_err(|e| Error::Usage(format!("config is not valid: {e}")))?;
        config.kpi.check()?;
        Ok(config)
    }
}

impl Settings {
    /// Refuses settings that would make KPIs meaningless.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Usage(format!("[kpi] {m}")));
        if self.churn_days <= 0 {
            return bad(format!(
                "churn_days = {} must be a positive number of days",
                self.churn_days
            ));
        }
        if self.legacy_days < 0 {
            return bad(format!(
                "legacy_days = {} must not be negative",
                self.legacy_days
            ));
        }
        if self.stages.is_empty() {
            return bad("stages must list at least one stage".into());
        }
        for (i, s) in self.stages.iter().enumerate() {
            if s.trim().is_empty() || s != &s.trim().to_lowercase() {
                return bad(format!("stage {s:?} must be a non-empty lower-case name"));
            }
            if self.stages[..i].contains(s) {
                return bad(format!("stage {s:?} is listed twice in stages"));
            }
        }
        for (stage, p) in &self.stage_probabilities {
            if !(0.0..=1.0).contains(p) {
                return bad(format!(
                    "stage_probabilities.{stage} = {p} must be between 0 and 1"
                ));
            }
        }
        for (role, a) in &self.discount_authority {
            if !(0.0..=1.0).contains(a) {
                return bad(format!(
                    "discount_authority.{role} = {a} must be between 0 and 1"
                ));
            }
        }
        if !self.discount_authority.contains_key("rep") {
            return bad(
                "discount_authority must give the authority of role \"rep\", the default role"
                    .into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_gives_the_documented_defaults() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.kpi.churn_days, 90);
        assert_eq!(c.kpi.legacy_days, 365);
        assert_eq!(c.kpi.discount_authority["manager"], 0.20);
        assert_eq!(c.kpi.stages.last().map(String::as_str), Some("won"));
    }

    #[test]
    fn the_example_config_states_exactly_the_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/pipelines/kpi.toml");
        let c = Config::load(Path::new(path)).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn keys_override_defaults_and_keep_the_rest() {
        let c = Config::parse("[kpi]\nchurn_days = 60\n").unwrap();
        assert_eq!(c.kpi.churn_days, 60);
        assert_eq!(c.kpi.legacy_days, 365);
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let e = Config::parse("[kpi]\nchurn_dayz = 60\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("churn_dayz"), "{e}");
        let e = Config::parse("[kpis]\n").unwrap_err().to_string();
        assert!(e.contains("kpis"), "{e}");
    }

    #[test]
    fn out_of_range_settings_are_refused() {
        for text in [
            "[kpi]\nchurn_days = 0\n",
            "[kpi]\nstages = []\n",
            "[kpi]\nstages = [\"a\", \"a\"]\n",
            "[kpi.stage_probabilities]\nlead = 1.5\n",
            "[kpi.discount_authority]\nrep = -0.1\n",
        ] {
            assert!(Config::parse(text).is_err(), "{text}");
        }
    }
}
