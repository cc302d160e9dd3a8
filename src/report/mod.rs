//! Reports: a self-contained page per period, in HTML and PDF, in Chinese
//! and English, that reads the KPI tables of the engine — it never
//! recomputes a KPI, so every number agrees with `salesops kpi`. Labels come
//! from the message catalogue `reports/messages.toml`, the page from the
//! template `reports/report.html.j2`.
//!
//! One concept per file, in the order the data flows: `data` (what the
//! engine hands over) → `format` (cells for reading) and `i18n` (labels) →
//! `summary`, `figures` (+ `charts`, the drawing), `rep_page` → `page` (the
//! whole page) → `html` and `pdf`.

mod audience;
pub(crate) mod charts;
mod data;
mod figures;
mod format;
mod gaps;
mod html;
mod i18n;
mod integrity;
mod page;
pub(crate) mod pdf;
mod rep_page;
mod summary;
mod workers;

use crate::Result;

pub(crate) use audience::{audiences, file_stems, Audience, AudienceKind};
pub(crate) use data::{parse_currency, ReportData, ReportOptions};
pub(crate) use i18n::Lang;

/// File format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ReportFormat {
    /// One self-contained HTML file (inline SVG and CSS).
    Html,
    /// A4 PDF typeset by typst (needs the fonts-noto-cjk package).
    Pdf,
}

impl ReportFormat {
    /// File name extension.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
        }
    }
}

/// Renders a report's page (one audience, one language) in one format;
/// errors name the period, language and format.
fn render(
    page: &page::Page,
    scope: &data::Scope,
    lang: Lang,
    format: ReportFormat,
) -> Result<Vec<u8>> {
    let rendered = match format {
        ReportFormat::Html => html::render_html(page).map(String::into_bytes),
        ReportFormat::Pdf => pdf::render_pdf(page, scope, lang),
    };
    rendered.map_err(|e| {
        e.in_report(
            &scope.period.to_string(),
            lang.code(),
            &format.extension().to_uppercase(),
        )
    })
}

/// Rendered report files: `(relative path, bytes)`.
type Files = Vec<(String, Vec<u8>)>;

/// An audience's narrowed data, shared by the workers of its languages
/// (`None` when narrowing failed).
type SharedView = std::sync::Arc<std::sync::OnceLock<Option<ReportData>>>;

/// Every report of a period: the audiences of `kinds` (company, regions,
/// teams) over the data's reps, each in every language and format, as
/// `(relative path, bytes)` in a fixed order. The company report is
/// `<company_stem>_<lang>.<ext>`, the others `regions/<region>.<lang>.<ext>`
/// and `teams/<team>.<lang>.<ext>` (see [`file_stems`]).
///
/// The (audience, language) pairs are rendered by [`workers::on_workers`],
/// one thread per core: each builds the page once (the polars reads and
/// the charts) and renders each format from it. An audience's data is
/// narrowed once, shared by its languages and dropped when the last is
/// done, so memory is bounded by what the workers hold, not by the number
/// of teams. Nothing is written here; the first failure (in report order)
/// is returned.
pub(crate) fn render_all(
    data: &ReportData,
    kinds: &[AudienceKind],
    langs: &[Lang],
    formats: &[ReportFormat],
    company_stem: &str,
    input_rows: &[(String, usize)],
    on_rendered: &(dyn Fn() + Sync),
) -> Result<Files> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let audiences = audiences(kinds, data.reps()?)?;
    let stems = file_stems(&audiences);
    let path = |v: usize, lang: Lang, format: ReportFormat| match &audiences[v] {
        Audience::Company => format!("{company_stem}_{}.{}", lang.code(), format.extension()),
        _ => format!("{}.{}.{}", stems[v], lang.code(), format.extension()),
    };
    let all_formats = formats
        .iter()
        .map(|f| f.extension().to_uppercase())
        .collect::<Vec<_>>()
        .join("/");
    let units = audiences.len() * langs.len();
    // Each audience's narrowed data, built by the first of its languages
    // to start and dropped by the last to finish.
    let views: Vec<Mutex<Option<SharedView>>> = (0..audiences.len())
        .map(|_| Mutex::new(Some(Default::default())))
        .collect();
    let left: Vec<AtomicUsize> = (0..audiences.len())
        .map(|_| AtomicUsize::new(langs.len()))
        .collect();
    let render_unit = |u: usize| -> Result<Files> {
        let (v, lang) = (u / langs.len(), langs[u % langs.len()]);
        let cell = views[v]
            .lock()
            .map_err(|_| crate::Error::Internal("a report worker panicked".into()))?
            .clone()
            .ok_or_else(|| crate::Error::Internal("report data dropped early".into()))?;
        // The language that narrows the data returns its error; the other
        // is told where to look.
        let mut failed = None;
        let view = cell.get_or_init(|| {
            data.for_audience(&audiences[v])
                .map_err(|e| failed = Some(e))
                .ok()
        });
        let rendered = match view {
            None => Err(failed.unwrap_or_else(|| {
                crate::Error::Internal(format!(
                    "the report data of {} could not be narrowed (see the error before)",
                    audiences[v].name()
                ))
            })),
            Some(view) => page::build_page(view, lang, input_rows)
                .map_err(|e| e.in_report(&view.scope.period.to_string(), lang.code(), &all_formats))
                .and_then(|page| {
                    formats
                        .iter()
                        .map(|&format| {
                            let bytes = render(&page, &view.scope, lang, format)?;
                            on_rendered();
                            Ok((path(v, lang, format), bytes))
                        })
                        .collect()
                }),
        };
        drop(cell);
        if left[v].fetch_sub(1, Ordering::AcqRel) == 1 {
            if let Ok(mut slot) = views[v].lock() {
                slot.take();
            }
        }
        rendered
    };
    Ok(workers::on_workers(units, render_unit)?
        .into_iter()
        .flatten()
        .collect())
}

/// How many files [`render_all`] writes: one per audience and per
/// language × format (`per_audience`).
pub(crate) fn report_count(
    data: &ReportData,
    kinds: &[AudienceKind],
    per_audience: usize,
) -> Result<usize> {
    Ok(audiences(kinds, data.reps()?)?.len() * per_audience)
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::format::formatted;
    use super::i18n::{catalogue, Lang};
    use super::page::{BOARD, GROUP_COLUMNS};
    use super::summary::SUMMARY;
    use crate::column_type::ColumnType;

    #[test]
    fn every_label_exists_in_both_languages() {
        let zh = catalogue(Lang::Zh).unwrap();
        let en = catalogue(Lang::En).unwrap();
        assert_eq!(zh.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>());
        for (c, _, _) in SUMMARY {
            assert!(zh.contains_key(*c), "{c}");
        }
        for c in BOARD
            .iter()
            .chain(GROUP_COLUMNS)
            .filter(|c| **c != "sales_target")
        {
            assert!(zh.contains_key(*c), "{c}");
        }
    }

    #[test]
    fn every_catalogued_kpi_has_a_label_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let t = catalogue(lang).unwrap();
            for k in crate::kpi::catalog::CATALOG {
                assert!(
                    t.contains_key(k.name),
                    "reports/messages.toml: no {} label for `{}`",
                    lang.code(),
                    k.name
                );
            }
        }
    }

    #[test]
    fn numbers_are_formatted_for_reading() {
        assert_eq!(
            formatted(
                "sales_amount",
                ColumnType::Money,
                &AnyValue::Int64(123_456_789)
            ),
            "1,234,567.89"
        );
        assert_eq!(
            formatted(
                "sales_attainment",
                ColumnType::Ratio,
                &AnyValue::Float64(0.8125)
            ),
            "81.2 %"
        );
        assert_eq!(
            formatted("dso_days", ColumnType::Ratio, &AnyValue::Float64(45.06)),
            "45.1"
        );
        assert_eq!(
            formatted("visits", ColumnType::Count, &AnyValue::Int64(-1234567)),
            "-1,234,567"
        );
        assert_eq!(
            formatted("dso_days", ColumnType::Ratio, &AnyValue::Null),
            "—"
        );
    }
}
