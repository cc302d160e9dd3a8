//! The self-contained HTML page, rendered from `reports/report.html.j2`.

use super::page::Page;
use crate::{Error, Result};

/// The page template.
pub(super) const TEMPLATE: &str = include_str!("../../reports/report.html.j2");

/// Renders a report's page (built by [`super::page::build_page`] for one
/// audience and language) as one HTML file.
pub(super) fn render_html(page: &Page) -> Result<String> {
    let mut env = minijinja::Environment::new();
    // Every value is HTML-escaped, whatever the template's name: text from
    // the data (a rep named `<img onerror=…>`) never becomes markup. The
    // charts are the one `safe` input: plotters escapes their text.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report", TEMPLATE)
        .map_err(|e| Error::Internal(format!("reports/report.html.j2: {e}")))?;
    env.get_template("report")
        .and_then(|tpl| tpl.render(minijinja::Value::from_serialize(page)))
        .map_err(|e| Error::Internal(format!("rendering the report: {e}")))
}
