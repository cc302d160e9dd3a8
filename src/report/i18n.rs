//! The report's languages and the message catalogue `reports/messages.toml`:
//! every label in Chinese and English.

use crate::{Error, Result};
use std::collections::BTreeMap;

/// The message catalogue.
pub(super) const MESSAGES: &str = include_str!("../../reports/messages.toml");

pub(crate) use crate::lang::Lang;

/// Every label of the catalogue in one language.
pub(crate) fn catalogue(lang: Lang) -> Result<BTreeMap<String, String>> {
    let all: BTreeMap<String, BTreeMap<String, String>> = toml::from_str(MESSAGES)
        .map_err(|e| Error::Internal(format!("reports/messages.toml: {e}")))?;
    all.into_iter()
        .map(|(key, texts)| {
            texts
                .get(lang.code())
                .cloned()
                .map(|t| (key.clone(), t))
                .ok_or_else(|| {
                    Error::Internal(format!(
                        "reports/messages.toml: `{key}` has no {} text",
                        lang.code()
                    ))
                })
        })
        .collect()
}

pub(super) fn label(t: &BTreeMap<String, String>, key: &str) -> String {
    t.get(key).cloned().unwrap_or_else(|| key.to_string())
}
