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

use crate::Result;

pub(crate) use audience::{audiences, file_stems, Audience, AudienceKind};
pub(crate) use data::ReportData;
pub(crate) use html::render_html;
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

/// Renders the report of the data's period in one language and format.
pub(crate) fn render(
    data: &ReportData,
    lang: Lang,
    format: ReportFormat,
    input_rows: &[(String, usize)],
) -> Result<Vec<u8>> {
    let ctx = &data.scope;
    let rendered = match format {
        ReportFormat::Html => render_html(data, lang, input_rows).map(String::into_bytes),
        ReportFormat::Pdf => pdf::render_pdf(data, lang, input_rows),
    };
    rendered.map_err(|e| {
        e.in_report(
            &ctx.period.to_string(),
            lang.code(),
            &format.extension().to_uppercase(),
        )
    })
}

/// Every report of a period: the audiences of `kinds` (company, regions,
/// teams) over the data's reps, each in every language and format, as
/// `(relative path, bytes)` in a fixed order. The company report is
/// `<company_stem>_<lang>.<ext>`, the others `regions/<region>.<lang>.<ext>`
/// and `teams/<team>.<lang>.<ext>` (see [`file_stems`]).
///
/// The audiences are narrowed one by one, then rendered in parallel on
/// rayon's pool (one typesetting per core at a time, each document bounded
/// by one team's reps), and nothing is written here.
pub(crate) fn render_all(
    data: &ReportData,
    kinds: &[AudienceKind],
    langs: &[Lang],
    formats: &[ReportFormat],
    company_stem: &str,
    input_rows: &[(String, usize)],
    on_rendered: &(dyn Fn() + Sync),
) -> Result<Vec<(String, Vec<u8>)>> {
    use rayon::prelude::*;
    let audiences = audiences(kinds, data.reps()?)?;
    let stems = file_stems(&audiences);
    let views = audiences
        .iter()
        .map(|a| data.for_audience(a))
        .collect::<Result<Vec<_>>>()?;
    let jobs: Vec<(usize, Lang, ReportFormat)> = (0..views.len())
        .flat_map(|v| {
            langs
                .iter()
                .flat_map(move |l| formats.iter().map(move |f| (v, *l, *f)))
        })
        .collect();
    jobs.par_iter()
        .map(|&(v, lang, format)| {
            let path = match &audiences[v] {
                Audience::Company => {
                    format!("{company_stem}_{}.{}", lang.code(), format.extension())
                }
                _ => format!("{}.{}.{}", stems[v], lang.code(), format.extension()),
            };
            let bytes = render(&views[v], lang, format, input_rows)?;
            on_rendered();
            Ok((path, bytes))
        })
        .collect()
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
