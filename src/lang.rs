//! The languages salesops writes for readers: the reports and the
//! sentences of the flags table (`zh`, `en`).

/// A reader's language (reports, flag details).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Lang {
    /// 中文.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The catalogue key and file-name suffix.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}
