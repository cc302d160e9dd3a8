//! The PDF report: the same page data as the HTML, typeset by typst (as a
//! library) from the template `reports/report.typ.j2` — A4, tables that
//! paginate with repeated headers, page numbers, CJK line breaking, fonts
//! embedded and subset. Fonts come from the system only; a missing CJK
//! family and any typst warning are errors, so a PDF is never silently wrong.

use chrono::Datelike;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::{FontSlot, Fonts};

use super::data::Scope;
use super::page::Page;
use super::Lang;
use crate::{Error, Result};

/// The typst template of the report.
const TEMPLATE: &str = include_str!("../../reports/report.typ.j2");
/// The font family the report is set in; it covers Chinese and Latin.
pub(crate) const CJK_FAMILY: &str = "Noto Sans CJK SC";

/// The typesetting environment: one generated source, the charts as SVG
/// files, system fonts, and a fixed date.
struct ReportWorld {
    library: &'static LazyHash<Library>,
    book: &'static LazyHash<FontBook>,
    fonts: &'static [FontSlot],
    main: Source,
    files: BTreeMap<String, Bytes>,
    today: Option<Datetime>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.vpath().as_rootless_path();
        path.to_str()
            .and_then(|p| self.files.get(p))
            .cloned()
            .ok_or_else(|| FileError::NotFound(path.into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index)?.get()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        self.today
    }
}

/// What every typesetting of a process shares: the standard library and the
/// system fonts, searched once and each font file loaded once (a run
/// typesets one PDF per team, language and period).
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<FontSlot>,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

/// The shared library and system fonts, refusing to go on without the CJK
/// family.
fn shared() -> Result<&'static Shared> {
    let shared = SHARED.get_or_init(|| {
        let fonts: Fonts = Fonts::searcher().include_system_fonts(true).search();
        Shared {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(fonts.book),
            fonts: fonts.fonts,
        }
    });
    if !shared.book.families().any(|(name, _)| name == CJK_FAMILY) {
        return Err(Error::Usage(format!(
            "the PDF report needs the font family {CJK_FAMILY}, which is not installed: install the Debian package fonts-noto-cjk (apt-get install -y fonts-noto-cjk)"
        )));
    }
    Ok(shared)
}

/// A typst string literal.
fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A typst array literal of the value's strings, nested for lists of lists
/// (a trailing comma keeps one-element arrays arrays).
fn typst_value(v: &minijinja::Value) -> String {
    if let Some(s) = v.as_str() {
        return typst_string(s);
    }
    if let Ok(iter) = v.try_iter() {
        let items: Vec<String> = iter.map(|item| typst_value(&item)).collect();
        // `()` is typst's empty array; `(,)` would be a syntax error.
        if items.is_empty() {
            return "()".into();
        }
        return format!("({},)", items.join(", "));
    }
    if v.is_true() && v.kind() == minijinja::value::ValueKind::Bool {
        return "true".into();
    }
    if v.kind() == minijinja::value::ValueKind::Bool {
        return "false".into();
    }
    typst_string(&v.to_string())
}

/// The typst markup of a page; charts are referenced as `chart-N.svg` and
/// `rep-N.svg`, whose bytes are returned alongside.
fn markup(page: &Page, date: (i32, u32, u32)) -> Result<(String, BTreeMap<String, Bytes>)> {
    let mut files = BTreeMap::new();
    for (i, c) in page.charts.iter().enumerate() {
        files.insert(
            format!("chart-{i}.svg"),
            Bytes::new(c.svg.clone().into_bytes()),
        );
    }
    for (i, p) in page.rep_pages.iter().enumerate() {
        files.insert(
            format!("rep-{i}.svg"),
            Bytes::new(p.svg.clone().into_bytes()),
        );
    }
    let mut env = minijinja::Environment::new();
    env.add_filter("t", |v: minijinja::Value| typst_value(&v));
    env.add_template("report", TEMPLATE)
        .map_err(|e| Error::Internal(format!("reports/report.typ.j2: {e}")))?;
    let mut context = minijinja::Value::from_serialize(page);
    let extra = minijinja::context! { year => date.0, month => date.1, day => date.2 };
    context = minijinja::context! { ..context, ..extra };
    let text = env
        .get_template("report")
        .and_then(|tpl| tpl.render(context))
        .map_err(|e| Error::Internal(format!("rendering the PDF report: {e}")))?;
    Ok((text, files))
}

/// Typesets a report's page (built by [`super::page::build_page`] for one
/// audience and `lang`) as PDF. The document date is as_of and the PDF
/// identifier is derived from period and language, so the same inputs give
/// a byte-identical file.
pub(super) fn render_pdf(page: &Page, ctx: &Scope, lang: Lang) -> Result<Vec<u8>> {
    let shared = shared()?;
    let date = (ctx.as_of.year(), ctx.as_of.month(), ctx.as_of.day());
    let (text, files) = markup(page, date)?;
    let today = Datetime::from_ymd(date.0, date.1 as u8, date.2 as u8);
    let world = ReportWorld {
        library: &shared.library,
        book: &shared.book,
        fonts: &shared.fonts,
        main: Source::new(FileId::new(None, VirtualPath::new("report.typ")), text),
        files,
        today,
    };
    let pdf = typeset(&world, ctx, lang, today);
    // typst memoises across compiles in a process-wide cache; a run that
    // typesets one PDF per team, language and period would keep every
    // document's intermediate results (15 GB at 800 reps). Nothing is
    // shared between reports, so the cache is cleared after each.
    typst::comemo::evict(0);
    pdf
}

/// Compiles the world and exports the PDF; warnings count as errors.
fn typeset(
    world: &ReportWorld,
    ctx: &Scope,
    lang: Lang,
    today: Option<Datetime>,
) -> Result<Vec<u8>> {
    let warned = typst::compile::<PagedDocument>(world);
    let messages = |diags: &[typst::diag::SourceDiagnostic]| {
        diags
            .iter()
            .map(|d| d.message.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    if !warned.warnings.is_empty() {
        return Err(Error::Internal(format!(
            "typesetting the PDF report warned (treated as an error): {}",
            messages(&warned.warnings)
        )));
    }
    let document = warned.output.map_err(|e| {
        Error::Internal(format!(
            "typesetting the PDF report failed: {}",
            messages(&e)
        ))
    })?;
    let ident = format!("salesops-report-{}-{}", ctx.period, lang.code());
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(&ident),
        timestamp: today.map(typst_pdf::Timestamp::new_utc),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options)
        .map_err(|e| Error::Internal(format!("writing the PDF report failed: {}", messages(&e))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typst_literals_escape_and_nest() {
        assert_eq!(typst_string("a\"b\\c#[x]"), "\"a\\\"b\\\\c#[x]\"");
        let v = minijinja::Value::from_serialize(vec![vec!["张伟", "1,234.00"]]);
        assert_eq!(typst_value(&v), "((\"张伟\", \"1,234.00\",),)");
        assert_eq!(typst_value(&minijinja::Value::from(true)), "true");
        // An empty list (no rep below 80 %) is an empty array, not `(,)`.
        let empty = minijinja::Value::from_serialize(Vec::<Vec<String>>::new());
        assert_eq!(typst_value(&empty), "()");
    }
}
