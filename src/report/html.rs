//! The self-contained HTML page, rendered from `reports/report.html.j2`.

use super::data::ReportData;
use super::i18n::Lang;
use super::page::build_page;
use crate::{Error, Result};

/// The page template.
pub(super) const TEMPLATE: &str = include_str!("../../reports/report.html.j2");

/// Renders the HTML report of the context's period in `lang`; `input_rows`
/// are the row counts of the inputs, for the appendix.
pub(crate) fn render_html(
    data: &ReportData,
    lang: Lang,
    input_rows: &[(String, usize)],
) -> Result<String> {
    let page = build_page(data, lang, input_rows)?;
    let mut env = minijinja::Environment::new();
    // Every value is HTML-escaped, whatever the template's name: text from
    // the data (a rep named `<img onerror=…>`) never becomes markup. The
    // charts are the one `safe` input: plotters escapes their text.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report", TEMPLATE)
        .map_err(|e| Error::Internal(format!("reports/report.html.j2: {e}")))?;
    env.get_template("report")
        .and_then(|tpl| tpl.render(minijinja::Value::from_serialize(&page)))
        .map_err(|e| Error::Internal(format!("rendering the report: {e}")))
}
