//! Charts as inline SVG (plotters' SVG backend, no fonts needed: label areas
//! are sized explicitly; each text names its font, see [`font_for`]). Each function takes plain numbers already read
//! from the KPI tables; nothing is computed here beyond scaling.
//!
//! Every chart handles any shape of data: a value axis always includes 0 and
//! extends below it for negative values (a net return is a bar downwards,
//! never a sliver on the zero line); tick labels carry as many decimals as
//! the range needs; a chart with no value at all is `None`, so the page says
//! "no data" instead of drawing an empty axis.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::{Error, Result};

/// Pixel size of a chart: width, height.
pub(crate) type Size = (u32, u32);
/// A full-width chart: the HTML page at desktop width and the PDF.
pub(crate) const WIDE: Size = (760, 320);
/// A chart for a phone's width (390 px screens): drawn at its size, so
/// its text stays as large as on the desktop instead of shrinking.
pub(crate) const NARROW: Size = (370, 300);
#[cfg(test)]
const WIDTH: u32 = WIDE.0;
/// The font of chart text in Latin script: Liberation Sans (Arial's
/// metrics, Debian's fonts-liberation) where installed. In the PDF each chart
/// text is shaped separately by the SVG renderer (usvg), which builds the
/// font's shaping tables anew for every text: for Noto Sans CJK's large
/// tables that was a third of the team PDFs' typesetting. Without it the
/// text falls to the CJK family, which has Latin glyphs too.
const LATIN_FONT: &str = "Liberation Sans, Arial, Noto Sans CJK SC, sans-serif";
/// The font of chart text holding any other script (Chinese names, the
/// Chinese report's labels), named so the renderer never picks another CJK
/// face (Japanese or Korean glyph forms) for Chinese text.
const CJK_FONT: &str = "Noto Sans CJK SC, sans-serif";

/// The font for a group of texts drawn with one style (an axis' labels):
/// [`LATIN_FONT`] when every character is Latin, else [`CJK_FONT`].
fn font_for<'t>(texts: impl IntoIterator<Item = &'t str>) -> &'static str {
    // Basic Latin through Latin Extended-B, with the punctuation of numbers.
    let latin = |c: char| (c as u32) < 0x250 || matches!(c, '−' | '–' | '…');
    if texts.into_iter().all(|t| t.chars().all(latin)) {
        LATIN_FONT
    } else {
        CJK_FONT
    }
}
const PALETTE: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
];

fn chart_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("drawing a chart: {e}"))
}

/// Renders into an SVG string with `draw`.
fn svg_sized(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<()>,
) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        draw(&root)?;
        root.present().map_err(chart_error)?;
    }
    Ok(out)
}

/// A named data series; `None` is a null value, which is not drawn (never as 0).
pub(crate) type Series = (String, Vec<Option<f64>>);

/// The value range of an axis over `values`: always including 0, with 10 %
/// headroom on the side(s) the values reach, and `0..1` when all are 0.
fn value_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo == 0.0 && hi == 0.0 {
        return 0.0..1.0;
    }
    (lo * 1.1)..(hi * 1.1)
}

/// Whether any series has a value to draw: all null or all zero is
/// nothing to plot (an empty axis of fractional ticks says nothing).
fn has_values(series: &[Series]) -> bool {
    series
        .iter()
        .any(|(_, v)| v.iter().flatten().any(|x| *x != 0.0))
}

/// Decimals a tick label needs for an axis spanning `range` (about 10 ticks):
/// 0 for a span of 10 or more, 1 for 1 to 10, and so on.
fn tick_decimals(range: &std::ops::Range<f64>) -> usize {
    let step = (range.end - range.start) / 10.0;
    if step >= 1.0 || step <= 0.0 {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 6.0) as usize
    }
}

/// A tick label: thousands grouped, with `decimals` decimals, no `-0`.
fn tick_label(y: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, y);
    let text = if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_string()
    } else {
        text
    };
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// What a value axis measures, which decides its tick labels.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) enum AxisUnit {
    /// Plain numbers, thousands grouped.
    #[default]
    Plain,
    /// Money in currency units; in Chinese, large amounts in 万 (10⁴) or
    /// 亿 (10⁸) as Chinese readers count.
    Money {
        /// Whether the report is in Chinese.
        chinese: bool,
    },
    /// Whole counts: only integer ticks are labelled.
    Count,
    /// Percentages (values already × 100), ticks end in `%`.
    Percent,
}

/// A value axis: its title and unit.
#[derive(Debug, Clone, Default)]
pub(crate) struct ValueAxis {
    /// The axis title ("Amount", "金额"); the 万/亿 scale is added to it.
    pub(crate) title: String,
    /// The unit of the values.
    pub(crate) unit: AxisUnit,
    /// For money, the ISO 4217 code of the currency, named in the title.
    pub(crate) currency: Option<String>,
}

impl ValueAxis {
    /// Divisor and suffix of money shown in 万 or 亿 (Chinese reports).
    fn scale(&self, range: &std::ops::Range<f64>) -> (f64, &'static str) {
        let top = range.start.abs().max(range.end.abs());
        match self.unit {
            AxisUnit::Money { chinese: true } if top >= 1e8 => (1e8, "亿"),
            AxisUnit::Money { chinese: true } if top >= 1e5 => (1e4, "万"),
            _ => (1.0, ""),
        }
    }

    /// The tick label of `y` on an axis spanning `range`.
    fn tick(&self, y: f64, range: &std::ops::Range<f64>) -> String {
        let (divisor, _) = self.scale(range);
        let scaled = (range.start / divisor)..(range.end / divisor);
        let decimals = tick_decimals(&scaled);
        match self.unit {
            AxisUnit::Count if (y - y.round()).abs() > 1e-9 => String::new(),
            AxisUnit::Count => tick_label(y, 0),
            AxisUnit::Percent => format!("{}%", tick_label(y, decimals)),
            // The 万/亿 scale is in the axis title, not repeated on each tick.
            _ => tick_label(y / divisor, decimals),
        }
    }

    /// The axis title with its unit: the currency of money ("Amount
    /// (CNY)"), in Chinese with the 万/亿 scale and 元 for yuan ("金额（万元）",
    /// "金额（万美元）", "金额（万 CHF）").
    fn title_for(&self, range: &std::ops::Range<f64>) -> String {
        let (_, scale) = self.scale(range);
        let currency = self
            .currency
            .as_deref()
            .filter(|_| matches!(self.unit, AxisUnit::Money { .. }));
        match self.unit {
            AxisUnit::Money { chinese: true } => {
                let unit = match (scale, currency.map(|c| (c, chinese_currency(c)))) {
                    (scale, Some((_, Some(name)))) => format!("{scale}{name}"),
                    ("", Some((code, None))) => code.to_string(),
                    (scale, Some((code, None))) => format!("{scale} {code}"),
                    (scale, None) => scale.to_string(),
                };
                if unit.is_empty() {
                    self.title.clone()
                } else {
                    format!("{}（{unit}）", self.title)
                }
            }
            _ => match currency {
                Some(code) => format!("{} ({code})", self.title),
                None => self.title.clone(),
            },
        }
    }
}

/// The Chinese name of a common currency, as written after 万 or 亿
/// ("万美元"); other codes are written as the code.
fn chinese_currency(code: &str) -> Option<&'static str> {
    Some(match code {
        "CNY" => "元",
        "USD" => "美元",
        "EUR" => "欧元",
        "HKD" => "港元",
        "JPY" => "日元",
        "GBP" => "英镑",
        "TWD" => "新台币",
        _ => return None,
    })
}

/// A legend entry: name, colour, and whether it is a line (else a box).
type LegendItem = (String, RGBColor, bool);

/// Height of the legend strip above the plot.
const LEGEND_HEIGHT: u32 = 24;

/// The legend's entries laid out in rows from the left, each entry at
/// (x, row), wrapping to a new row where an entry would run past `width`;
/// the number of rows is one more than the last entry's row.
fn legend_layout(items: &[LegendItem], width: i32) -> Vec<(i32, i32)> {
    // Past the value axis' labels on a full-width chart; from the left
    // edge on a narrow one, which has no room to spare.
    let start = if width < 500 { 10 } else { 80 };
    let (mut x, mut row) = (start, 0);
    items
        .iter()
        .map(|(name, _, _)| {
            let entry = 18 + label_width(name) as i32;
            if x > start && x + entry > width - 10 {
                (x, row) = (start, row + 1);
            }
            let at = (x, row);
            x += entry + 20;
            at
        })
        .collect()
}

/// Draws the legend above the plot, outside it (a legend inside hides
/// data), in as many rows as it needs, and returns the area left for the
/// chart.
fn legend_strip<'a>(
    root: &DrawingArea<SVGBackend<'a>, plotters::coord::Shift>,
    items: &[LegendItem],
) -> Result<DrawingArea<SVGBackend<'a>, plotters::coord::Shift>> {
    let layout = legend_layout(items, root.dim_in_pixel().0 as i32);
    let rows = layout.last().map_or(1, |(_, row)| row + 1);
    let (strip, rest) = root.split_vertically(LEGEND_HEIGHT as i32 * rows);
    for ((name, color, line), (x, row)) in items.iter().zip(layout) {
        let y = row * LEGEND_HEIGHT as i32;
        if *line {
            strip
                .draw(&PathElement::new(
                    [(x, y + 12), (x + 14, y + 12)],
                    color.stroke_width(2),
                ))
                .map_err(chart_error)?;
        } else {
            strip
                .draw(&Rectangle::new(
                    [(x, y + 6), (x + 12, y + 18)],
                    color.filled(),
                ))
                .map_err(chart_error)?;
        }
        strip
            .draw(&Text::new(
                name.clone(),
                (x + 18, y + 6),
                (font_for([name.as_str()]), 12),
            ))
            .map_err(chart_error)?;
    }
    Ok(rest)
}

type Plane = Cartesian2d<RangedCoordf64, RangedCoordf64>;

/// An x axis whose integer ticks are the centres of `n` categories.
fn category_axis(n: usize) -> std::ops::Range<f64> {
    -0.5..(n.max(1) as f64 - 0.5)
}

/// The category under an integer tick; other ticks stay unlabelled.
fn category_label(categories: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-9 || i < 0.0 {
        return String::new();
    }
    categories.get(i as usize).cloned().unwrap_or_default()
}

/// How the category labels of a bar chart are set: side by side when the
/// longest fits the width of its bar group, else turned to run downwards
/// (many teams would otherwise run into one another), with the label area
/// tall enough for the longest.
struct CategoryLabels {
    turned: bool,
    area: u32,
}

/// Width in pixels of a label set at plotters' size 12, a little over
/// rather than under: plotters writes a font of size s as `font-size`
/// s / 1.24 (9.7 px), where a CJK character is 1 em wide and a Latin one
/// about 0.55 em; counted as 10 and 6 px.
fn label_width(label: &str) -> u32 {
    label
        .chars()
        .map(|c| if (c as u32) < 0x250 { 6 } else { 10 })
        .sum()
}

fn category_labels(categories: &[String], width: u32) -> CategoryLabels {
    let longest = categories.iter().map(|c| label_width(c)).max().unwrap_or(0);
    // The plot spans the width less the value axes and margins.
    let slot = width.saturating_sub(150) / categories.len().max(1) as u32;
    if longest <= slot {
        CategoryLabels {
            turned: false,
            area: 40,
        }
    } else {
        CategoryLabels {
            turned: true,
            area: (longest + 16).max(40),
        }
    }
}

/// Axes for bar charts: one label under each category, no vertical grid.
/// Labels that would not fit side by side ([`category_labels`]) are drawn
/// here, turned, each starting just below the axis and running down:
/// plotters centres its own axis labels on the tick, which puts the top
/// half of a turned label inside the plot.
fn draw_category_mesh<'a, 'b: 'a>(
    area: &DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    chart: &mut ChartContext<'a, SVGBackend<'b>, Plane>,
    categories: &[String],
    range: &std::ops::Range<f64>,
    axis: &ValueAxis,
) -> Result<()> {
    let turned = category_labels(categories, area.dim_in_pixel().0).turned;
    let font = font_for(categories.iter().map(String::as_str));
    chart
        .configure_mesh()
        .max_light_lines(0)
        .disable_x_mesh()
        .x_labels(categories.len().max(1))
        .x_label_formatter(&|x| {
            if turned {
                String::new()
            } else {
                category_label(categories, *x)
            }
        })
        .y_label_formatter(&|y| axis.tick(*y, range))
        .y_desc(axis.title_for(range))
        .x_label_style((font, 12))
        .y_label_style((LATIN_FONT, 12))
        .axis_desc_style((font_for([axis.title.as_str()]), 12))
        .draw()
        .map_err(chart_error)?;
    if turned {
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        let style = TextStyle::from((font, 12).into_font().transform(FontTransform::Rotate90))
            .pos(Pos::new(HPos::Left, VPos::Center));
        let (base_x, base_y) = area.get_base_pixel();
        for (i, label) in categories.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(i as f64, range.start));
            area.draw_text(label, &style, (x - base_x, y - base_y + 8))
                .map_err(chart_error)?;
        }
    }
    Ok(())
}

/// [`grouped_bars_on`] with a plain, untitled value axis.
#[cfg(test)]
pub(crate) fn grouped_bars(
    categories: &[String],
    series: &[Series],
    line: Option<Series>,
) -> Result<Option<String>> {
    grouped_bars_on(WIDE, categories, series, line, &ValueAxis::default(), None)
}

/// Grouped bars: for each category, one bar per series (`series[k].1[i]`),
/// drawn from 0 up or down on `axis`; `line` (optional, right axis in %,
/// titled with its name) is drawn as a polyline over the categories. The
/// legend sits above the plot. `gap`: the index of the first category after
/// a cut (the bottom of a ranking after its top), marked by a grey line the
/// polyline does not cross. `None` when no series has a value.
pub(crate) fn grouped_bars_on(
    size: Size,
    categories: &[String],
    series: &[Series],
    line: Option<Series>,
    axis: &ValueAxis,
    gap: Option<usize>,
) -> Result<Option<String>> {
    if categories.is_empty() || !has_values(series) {
        return Ok(None);
    }
    svg_sized(size, |root| {
        let mut items: Vec<LegendItem> = series
            .iter()
            .enumerate()
            .map(|(k, (name, _))| (name.clone(), PALETTE[k % PALETTE.len()], false))
            .collect();
        if let Some((name, _)) = &line {
            items.push((name.clone(), BLACK, true));
        }
        let area = if items.len() > 1 {
            legend_strip(root, &items)?
        } else {
            root.clone()
        };
        let root = &area;
        let n = categories.len().max(1);
        let range = value_range(series.iter().flat_map(|(_, v)| v.iter().flatten().copied()));
        let line_range = line
            .as_ref()
            .map(|(_, v)| value_range(v.iter().flatten().copied()))
            .unwrap_or(0.0..1.0);
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(category_labels(categories, size.0).area)
            .y_label_area_size(80)
            .right_y_label_area_size(if line.is_some() { 70 } else { 0 })
            .build_cartesian_2d(category_axis(n), range.clone())
            .map_err(chart_error)?
            .set_secondary_coord(category_axis(n), line_range.clone());
        let line_range_pct = line_range;
        draw_category_mesh(root, &mut chart, categories, &range, axis)?;
        let width = 0.8 / series.len().max(1) as f64;
        for (k, (_, values)) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                    let x0 = i as f64 - 0.4 + k as f64 * width;
                    v.map(|v| Rectangle::new([(x0, 0.0), (x0 + width, v)], color.filled()))
                }))
                .map_err(chart_error)?;
        }
        if let Some(gap) = gap.filter(|g| (1..categories.len()).contains(g)) {
            let x = gap as f64 - 0.5;
            chart
                .draw_series([PathElement::new(
                    [(x, range.start), (x, range.end)],
                    RGBColor(150, 150, 150).stroke_width(1),
                )])
                .map_err(chart_error)?;
        }
        if let Some((name, values)) = &line {
            let percent_decimals =
                tick_decimals(&((line_range_pct.start * 100.0)..(line_range_pct.end * 100.0)));
            let title = if font_for([name.as_str()]) == LATIN_FONT {
                format!("{name} (%)")
            } else {
                format!("{name}（%）")
            };
            chart
                .configure_secondary_axes()
                .y_label_formatter(&|y| format!("{}%", tick_label(y * 100.0, percent_decimals)))
                .y_desc(title.as_str())
                .label_style((LATIN_FONT, 12))
                .axis_desc_style((font_for([title.as_str()]), 12))
                .draw()
                .map_err(chart_error)?;
            // Broken at the gap: the categories either side are not neighbours.
            let (top, bottom) = values.split_at(gap.unwrap_or(values.len()).min(values.len()));
            let offset = top.len();
            let mut lines = runs(top);
            lines.extend(runs(bottom).into_iter().map(|run| {
                run.into_iter()
                    .map(|(x, y)| (x + offset as f64, y))
                    .collect()
            }));
            for run in lines {
                chart
                    .draw_secondary_series(LineSeries::new(run.clone(), BLACK.stroke_width(2)))
                    .map_err(chart_error)?;
                chart
                    .draw_secondary_series(
                        run.into_iter().map(|p| Circle::new(p, 3, BLACK.filled())),
                    )
                    .map_err(chart_error)?;
            }
        }
        Ok(())
    })
    .map(Some)
}

/// Lines over labelled x positions (months); `None` when no series has a value.
#[cfg(test)]
pub(crate) fn lines(labels: &[String], series: &[Series]) -> Result<Option<String>> {
    lines_sized(WIDE, labels, series, &ValueAxis::default())
}

/// [`lines`] at a given pixel size (small multiples on the rep pages) on a
/// titled value axis; the legend sits above the plot, and the plot keeps a
/// right margin so the last month's label is never cut.
pub(crate) fn lines_sized(
    size: (u32, u32),
    labels: &[String],
    series: &[Series],
    axis: &ValueAxis,
) -> Result<Option<String>> {
    if labels.is_empty() || !has_values(series) {
        return Ok(None);
    }
    let n = labels.len().max(1);
    let every = label_step(labels, size.0);
    svg_sized(size, |root| {
        let items: Vec<LegendItem> = series
            .iter()
            .enumerate()
            .map(|(k, (name, _))| (name.clone(), PALETTE[k % PALETTE.len()], true))
            .collect();
        let area = if items.len() > 1 {
            legend_strip(root, &items)?
        } else {
            root.clone()
        };
        let root = &area;
        let range = value_range(series.iter().flat_map(|(_, v)| v.iter().flatten().copied()));
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(36)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..(n as f64 - 1.0).max(1.0), range.clone())
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round() as usize;
                if (n - 1 - i.min(n - 1)).is_multiple_of(every) {
                    labels.get(i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| axis.tick(*y, &range))
            .y_desc(axis.title_for(&range))
            .x_label_style((font_for(labels.iter().map(String::as_str)), 11))
            .y_label_style((LATIN_FONT, 11))
            .axis_desc_style((font_for([axis.title.as_str()]), 12))
            .draw()
            .map_err(chart_error)?;
        for (k, (_, values)) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(
                    runs(values)
                        .into_iter()
                        .map(|run| PathElement::new(run, color.stroke_width(2))),
                )
                .map_err(chart_error)?;
        }
        Ok(())
    })
    .map(Some)
}

/// Every how many x positions a line chart `width` pixels wide labels, so
/// that its labels (months) do not run into one another: 1 when all fit,
/// else the smallest step that fits; the last position is always labelled.
fn label_step(labels: &[String], width: u32) -> usize {
    let longest = labels.iter().map(|l| label_width(l)).max().unwrap_or(0) + 8;
    // The plot spans the width less the value axis and the margins.
    let plot = width.saturating_sub(130).max(1);
    (labels.len() as u32 * longest).div_ceil(plot).max(1) as usize
}

/// The runs of consecutive non-null values as (x, y) polylines: a line
/// breaks where a value is null instead of dropping to 0.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i as f64, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// [`stacked_bars_on`] with a plain, untitled value axis.
#[cfg(test)]
pub(crate) fn stacked_bars(categories: &[String], series: &[Series]) -> Result<Option<String>> {
    stacked_bars_on(WIDE, categories, series, &ValueAxis::default())
}

/// Stacked bars: per category, the series' positive values stacked bottom
/// to top (aging buckets are never negative) on `axis`, the legend above
/// the plot; `None` when no series has a value.
pub(crate) fn stacked_bars_on(
    size: Size,
    categories: &[String],
    series: &[Series],
    axis: &ValueAxis,
) -> Result<Option<String>> {
    if categories.is_empty() || !has_values(series) {
        return Ok(None);
    }
    svg_sized(size, |root| {
        let items: Vec<LegendItem> = series
            .iter()
            .enumerate()
            .map(|(k, (name, _))| (name.clone(), PALETTE[k % PALETTE.len()], false))
            .collect();
        let area = legend_strip(root, &items)?;
        let root = &area;
        let n = categories.len().max(1);
        let totals: Vec<f64> = (0..categories.len())
            .map(|i| {
                series
                    .iter()
                    .filter_map(|(_, v)| v[i])
                    .map(|v| v.max(0.0))
                    .sum()
            })
            .collect();
        let range = value_range(totals.into_iter());
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(category_labels(categories, size.0).area)
            .y_label_area_size(80)
            .build_cartesian_2d(category_axis(n), range.clone())
            .map_err(chart_error)?;
        draw_category_mesh(root, &mut chart, categories, &range, axis)?;
        let mut base = vec![0.0f64; categories.len()];
        for (k, (_, values)) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let bars: Vec<Rectangle<(f64, f64)>> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let y0 = base[i];
                    base[i] += v.as_ref()?.max(0.0);
                    Some(Rectangle::new(
                        [(i as f64 - 0.35, y0), (i as f64 + 0.35, base[i])],
                        color.filled(),
                    ))
                })
                .collect();
            chart.draw_series(bars).map_err(chart_error)?;
        }
        Ok(())
    })
    .map(Some)
}

/// A drawn quadrant and the points it left unlabelled (indices into the
/// points given), for the caption to name.
pub(crate) struct Scatter {
    pub(crate) svg: String,
    pub(crate) unlabelled: Vec<usize>,
}

/// Scatter of labelled points with grey lines at the means (a quadrant);
/// `None` without points. A label goes only where it covers no other label
/// or point and its own point is clearly the nearest one
/// ([`place_point_labels`]), outliers first; where points crowd, the
/// labels that find no such spot are left out and returned.
pub(crate) fn quadrant(
    size: Size,
    points: &[(String, f64, f64)],
    x_name: &str,
    y_name: &str,
) -> Result<Option<Scatter>> {
    if points.iter().all(|p| p.1 == 0.0 && p.2 == 0.0) {
        return Ok(None);
    }
    let mut unlabelled = Vec::new();
    let svg = svg_sized(size, |root| {
        let x_range = value_range(points.iter().map(|p| p.1));
        let y_range = value_range(points.iter().map(|p| p.2));
        let (x_lo, x_hi, y_lo, y_hi) = (x_range.start, x_range.end, y_range.start, y_range.end);
        let (x_decimals, y_decimals) = (tick_decimals(&x_range), tick_decimals(&y_range));
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x_range, y_range)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .x_desc(x_name)
            .y_desc(y_name)
            .x_label_formatter(&|x| tick_label(*x, x_decimals))
            .y_label_formatter(&|y| tick_label(*y, y_decimals))
            .label_style((LATIN_FONT, 12))
            .axis_desc_style((font_for([x_name, y_name]), 12))
            .draw()
            .map_err(chart_error)?;
        let point_font = font_for(points.iter().map(|p| p.0.as_str()));
        let n = points.len().max(1) as f64;
        let mx = points.iter().map(|p| p.1).sum::<f64>() / n;
        let my = points.iter().map(|p| p.2).sum::<f64>() / n;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series([
                PathElement::new([(mx, y_lo), (mx, y_hi)], grey),
                PathElement::new([(x_lo, my), (x_hi, my)], grey),
            ])
            .map_err(chart_error)?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|(_, x, y)| Circle::new((*x, *y), 4, PALETTE[0].filled())),
            )
            .map_err(chart_error)?;
        let pixels: Vec<(i32, i32)> = points
            .iter()
            .map(|(_, x, y)| chart.backend_coord(&(*x, *y)))
            .collect();
        let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
        let widths: Vec<u32> = points
            .iter()
            .map(|p| label_width(&p.0) * POINT_FONT / 12)
            .collect();
        let plot = (plot_x.start, plot_y.start, plot_x.end, plot_y.end);
        let placed = place_point_labels(&pixels, &widths, &label_priority(points, mx, my), plot);
        for (i, spot) in placed.iter().enumerate() {
            match spot {
                Some(spot) => {
                    // Anchored at the edge nearest its point, so the gap to
                    // the point is exact whatever the text's true width.
                    let style = TextStyle::from((point_font, POINT_FONT as i32).into_font())
                        .pos(spot.anchor);
                    root.draw_text(&points[i].0, &style, spot.at)
                        .map_err(chart_error)?
                }
                None => unlabelled.push(i),
            }
        }
        Ok(())
    })?;
    Ok(Some(Scatter { svg, unlabelled }))
}

/// Font size of a point's label in a quadrant.
const POINT_FONT: u32 = 11;
/// Height of a label set at plotters' size 11 (an 8.9 px font), from above.
const LABEL_HEIGHT: i32 = 12;

/// The order in which a quadrant's points get their labels: farthest from
/// the means first, each axis measured in its largest distance from its
/// mean, since outliers are what a quadrant is read for; ties by position.
fn label_priority(points: &[(String, f64, f64)], mx: f64, my: f64) -> Vec<usize> {
    let reach = |d: &dyn Fn(&(String, f64, f64)) -> f64| {
        let r = points.iter().map(|p| d(p).abs()).fold(0.0, f64::max);
        if r > 0.0 {
            r
        } else {
            1.0
        }
    };
    let (rx, ry) = (reach(&|p| p.1 - mx), reach(&|p| p.2 - my));
    let score = |p: &(String, f64, f64)| ((p.1 - mx) / rx).abs() + ((p.2 - my) / ry).abs();
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| {
        score(&points[b])
            .total_cmp(&score(&points[a]))
            .then(a.cmp(&b))
    });
    order
}

/// A pixel box: left, top, right, bottom.
type PixelBox = (i32, i32, i32, i32);

/// Distance in pixels from a point to the nearest edge of a box (0 inside).
fn distance_to_box(&(x, y): &(i32, i32), b: &PixelBox) -> f64 {
    let dx = (b.0 - x).max(x - b.2).max(0) as f64;
    let dy = (b.1 - y).max(y - b.3).max(0) as f64;
    dx.hypot(dy)
}

/// Where a point's label is drawn: the pixel `at`, which is the label's
/// edge or corner named by `anchor` (the one facing its point), and the box
/// it may cover at most (its width and height are estimates from above).
#[derive(Clone, Copy)]
struct LabelSpot {
    at: (i32, i32),
    anchor: plotters::style::text_anchor::Pos,
    bounds: PixelBox,
}

impl std::fmt::Debug for LabelSpot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "label at {:?} within {:?}", self.at, self.bounds)
    }
}

/// The spots tried around a point at (x, y) for a label `w` × `h`, in
/// order: right, right above, right below, left, left above, left below,
/// above, below — each anchored on the side facing the point.
fn spots_around((x, y): (i32, i32), w: i32, h: i32) -> [LabelSpot; 8] {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    const NEAR: i32 = 4 + 3;
    let spot = |at: (i32, i32), hpos: HPos, vpos: VPos| {
        let left = match hpos {
            HPos::Left => at.0,
            HPos::Right => at.0 - w,
            HPos::Center => at.0 - w / 2,
        };
        let top = match vpos {
            VPos::Top => at.1,
            VPos::Bottom => at.1 - h,
            VPos::Center => at.1 - h / 2,
        };
        LabelSpot {
            at,
            anchor: Pos::new(hpos, vpos),
            bounds: (left, top, left + w, top + h),
        }
    };
    [
        spot((x + NEAR, y), HPos::Left, VPos::Center),
        spot((x + NEAR, y - NEAR), HPos::Left, VPos::Bottom),
        spot((x + NEAR, y + NEAR), HPos::Left, VPos::Top),
        spot((x - NEAR, y), HPos::Right, VPos::Center),
        spot((x - NEAR, y - NEAR), HPos::Right, VPos::Bottom),
        spot((x - NEAR, y + NEAR), HPos::Right, VPos::Top),
        spot((x, y - NEAR), HPos::Center, VPos::Bottom),
        spot((x, y + NEAR), HPos::Center, VPos::Top),
    ]
}

/// Where each point's label goes, given the points' pixels, the labels'
/// widths and the order in which they are placed: the first spot around
/// the point ([`spots_around`]) that lies inside `plot`, overlaps no label
/// placed before and no point, and is nearer its own point than any other
/// by a clear margin, so a reader never takes a label for a neighbour's;
/// `None` where no spot is. A label's box is an estimate from above and
/// its near edge exact (the anchor), so the true label is as near its own
/// point as checked and no nearer any other.
fn place_point_labels(
    pixels: &[(i32, i32)],
    widths: &[u32],
    order: &[usize],
    plot: PixelBox,
) -> Vec<Option<LabelSpot>> {
    const DOT: i32 = 4;
    /// How much nearer its own point a label must be than any other's.
    const MARGIN: f64 = 6.0;
    let overlaps = |a: &PixelBox, b: &PixelBox| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    let mut taken: Vec<PixelBox> = pixels
        .iter()
        .map(|&(x, y)| (x - DOT, y - DOT, x + DOT, y + DOT))
        .collect();
    let mut out = vec![None; pixels.len()];
    for &i in order {
        let free = spots_around(pixels[i], widths[i] as i32, LABEL_HEIGHT)
            .into_iter()
            .find(|spot| {
                let b = spot.bounds;
                let inside = b.0 >= plot.0 && b.1 >= plot.1 && b.2 <= plot.2 && b.3 <= plot.3;
                let own = distance_to_box(&pixels[i], &b);
                inside
                    && !taken.iter().any(|t| overlaps(t, &b))
                    && pixels
                        .iter()
                        .enumerate()
                        .all(|(j, p)| j == i || distance_to_box(p, &b) > own + MARGIN)
            });
        if let Some(spot) = free {
            taken.push(spot.bounds);
            out[i] = Some(spot);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_labels_turn_when_they_would_run_into_one_another() {
        let few: Vec<String> = ["华东一组", "华东二组", "华南一组"]
            .map(String::from)
            .to_vec();
        assert!(!category_labels(&few, WIDTH).turned);
        let many: Vec<String> = (0..18).map(|i| format!("华东{i}组")).collect();
        let turned = category_labels(&many, WIDTH);
        assert!(turned.turned);
        // Tall enough for the longest label (华东17组: 3 CJK characters and 2 digits).
        assert!(
            turned.area >= label_width("华东17组") + 16,
            "{}",
            turned.area
        );
    }

    #[test]
    fn turned_labels_start_below_the_axis_and_run_down() {
        let many: Vec<String> = (0..18).map(|i| format!("华东{i}组")).collect();
        let values: Vec<Option<f64>> = (0..18).map(|i| Some(i as f64 + 1.0)).collect();
        let svg = grouped_bars(&many, &[("sales".into(), values)], None)
            .unwrap()
            .unwrap();
        for label in &many {
            let text = svg
                .split("<text")
                .find(|t| t.contains(label.as_str()))
                .unwrap_or_else(|| panic!("{label} not drawn"));
            assert!(
                text.contains("text-anchor=\"start\"") && text.contains("rotate(90"),
                "{text}"
            );
        }
    }

    #[test]
    fn point_labels_never_cover_one_another_or_a_point_and_sit_nearest_their_own() {
        // 30 points crowded into a 60 px square, 10 spread out.
        let mut pixels: Vec<(i32, i32)> = (0..30)
            .map(|i| (300 + (i % 6) * 10, 150 + (i / 6) * 12))
            .collect();
        pixels.extend((0..10).map(|i| (100 + i * 60, 60 + (i % 2) * 200)));
        let widths = vec![40u32; pixels.len()];
        let order: Vec<usize> = (0..pixels.len()).rev().collect();
        let plot = (60, 10, 750, 280);
        let placed = place_point_labels(&pixels, &widths, &order, plot);
        let boxes: Vec<(usize, PixelBox)> = placed
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|spot| (i, spot.bounds)))
            .collect();
        let overlaps =
            |a: &PixelBox, b: &PixelBox| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
        for (k, (i, a)) in boxes.iter().enumerate() {
            assert!(
                a.0 >= plot.0 && a.1 >= plot.1 && a.2 <= plot.2 && a.3 <= plot.3,
                "{a:?}"
            );
            for (_, b) in &boxes[k + 1..] {
                assert!(!overlaps(a, b), "{a:?} and {b:?}");
            }
            let own = distance_to_box(&pixels[*i], a);
            for (j, &(x, y)) in pixels.iter().enumerate() {
                assert!(
                    !overlaps(a, &(x - 4, y - 4, x + 4, y + 4)),
                    "{a:?} covers ({x}, {y})"
                );
                if j != *i {
                    assert!(
                        distance_to_box(&(x, y), a) > own,
                        "label {i} nearer point {j}"
                    );
                }
            }
        }
        // Every spread-out point is labelled; the crowd loses some labels.
        assert!(placed[30..].iter().all(Option::is_some), "{placed:?}");
        assert!(placed[..30].iter().any(Option::is_none), "{placed:?}");
    }

    #[test]
    fn a_crowded_quadrant_returns_the_points_it_left_unlabelled() {
        let points: Vec<(String, f64, f64)> = (0..40)
            .map(|i| {
                (
                    format!("华东{i}组"),
                    100.0 + (i % 7) as f64,
                    20.0 + (i % 5) as f64,
                )
            })
            .chain([("Far".to_string(), 400.0, 60.0)])
            .collect();
        let scatter = quadrant(WIDE, &points, "visits", "orders")
            .unwrap()
            .unwrap();
        let texts = tick_texts(&scatter.svg);
        assert!(!scatter.unlabelled.is_empty());
        for (i, (name, _, _)) in points.iter().enumerate() {
            let drawn = texts.iter().any(|t| t == name);
            assert_eq!(drawn, !scatter.unlabelled.contains(&i), "{name}");
        }
        assert!(
            texts.iter().any(|t| t == "Far"),
            "the outlier is labelled first"
        );
    }

    #[test]
    fn a_legend_wider_than_the_chart_wraps_into_rows() {
        let item = |name: &str| (name.to_string(), BLACK, false);
        let aging: Vec<LegendItem> = [
            "Not due",
            "1–30 days overdue",
            "31–60 days overdue",
            "61–90 days overdue",
            "91+ days overdue",
        ]
        .map(item)
        .to_vec();
        // One row on a full-width chart, two on a narrow one.
        assert_eq!(legend_layout(&aging, WIDTH as i32).last().unwrap().1, 0);
        let narrow = 560;
        let layout = legend_layout(&aging, narrow);
        assert_eq!(layout[0], (80, 0));
        assert_eq!(layout.last().unwrap().1, 1, "{layout:?}");
        for ((name, _, _), (x, _)) in aging.iter().zip(&layout) {
            assert!(
                x + 18 + label_width(name) as i32 <= narrow - 10,
                "{name} at {x}"
            );
        }
    }

    #[test]
    fn a_money_axis_names_its_currency_and_chinese_scale() {
        let axis = |chinese, currency: Option<&str>| ValueAxis {
            title: if chinese { "金额" } else { "Amount" }.into(),
            unit: AxisUnit::Money { chinese },
            currency: currency.map(String::from),
        };
        let big = 0.0..2_000_000.0;
        let small = 0.0..5_000.0;
        assert_eq!(axis(false, Some("CNY")).title_for(&big), "Amount (CNY)");
        assert_eq!(axis(false, None).title_for(&big), "Amount");
        assert_eq!(axis(true, Some("CNY")).title_for(&big), "金额（万元）");
        assert_eq!(axis(true, Some("CNY")).title_for(&small), "金额（元）");
        assert_eq!(axis(true, Some("USD")).title_for(&big), "金额（万美元）");
        assert_eq!(axis(true, Some("CHF")).title_for(&big), "金额（万 CHF）");
        assert_eq!(axis(true, Some("CHF")).title_for(&small), "金额（CHF）");
        assert_eq!(axis(true, None).title_for(&big), "金额（万）");
        assert_eq!(axis(true, None).title_for(&small), "金额");
        let share = ValueAxis {
            title: "Share".into(),
            unit: AxisUnit::Percent,
            currency: Some("CNY".into()),
        };
        assert_eq!(share.title_for(&big), "Share");
    }

    #[test]
    fn a_cut_ranking_breaks_its_line_at_the_gap() {
        let teams: Vec<String> = ["A", "B", "C", "D"].map(String::from).to_vec();
        let sales = (
            "s".to_string(),
            vec![Some(4.0), Some(3.0), Some(2.0), Some(1.0)],
        );
        let attainment = (
            "a".to_string(),
            vec![Some(0.4), Some(0.3), Some(0.2), Some(0.1)],
        );
        let whole = grouped_bars_on(
            WIDE,
            &teams,
            std::slice::from_ref(&sales),
            Some(attainment.clone()),
            &ValueAxis::default(),
            None,
        )
        .unwrap()
        .unwrap();
        let cut = grouped_bars_on(
            WIDE,
            &teams,
            &[sales],
            Some(attainment),
            &ValueAxis::default(),
            Some(2),
        )
        .unwrap()
        .unwrap();
        // The legend's line, then one line of 4 points, or two of 2 and a
        // grey line at the gap.
        let lines = |svg: &str| svg.matches("stroke-width=\"2\"").count();
        assert_eq!(lines(&whole), 1 + 1, "{whole}");
        assert_eq!(lines(&cut), 1 + 2, "{cut}");
        assert!(!whole.contains("#969696") && cut.contains("#969696"));
        assert!(cut.contains("(%)"), "the right axis is titled");
    }

    #[test]
    fn month_labels_are_thinned_to_fit_a_narrow_chart() {
        let months: Vec<String> = (1..=12).map(|m| format!("2026-{m:02}")).collect();
        assert_eq!(label_step(&months, WIDE.0), 1);
        let step = label_step(&months, NARROW.0);
        assert!(step >= 2, "{step}");
        // The labels kept fit side by side.
        let kept = months.len().div_ceil(step) as u32;
        assert!(kept * (label_width("2026-10") + 8) <= NARROW.0 - 130);
    }

    #[test]
    fn a_null_breaks_the_line_instead_of_dropping_to_zero() {
        let v = [Some(1.0), Some(2.0), None, Some(4.0), None, None];
        assert_eq!(
            runs(&v),
            vec![vec![(0.0, 1.0), (1.0, 2.0)], vec![(3.0, 4.0)]]
        );
        assert!(runs(&[None, None]).is_empty());
    }

    #[test]
    fn null_bars_are_not_drawn() {
        let with_null = grouped_bars(
            &["A".into(), "B".into()],
            &[("s".into(), vec![Some(5.0), None])],
            None,
        )
        .unwrap()
        .unwrap();
        let with_zero = grouped_bars(
            &["A".into(), "B".into()],
            &[("s".into(), vec![Some(5.0), Some(0.0)])],
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            with_null.matches("<rect").count() + 1,
            with_zero.matches("<rect").count()
        );
    }

    /// The y tick labels of an SVG chart, in document order.
    fn tick_texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| t.split_once('>').and_then(|(_, r)| r.split_once('<')))
            .map(|(text, _)| text.trim().to_string())
            .collect()
    }

    /// ../shared/cases/chart-negative-values: team Beta's net sales are
    /// −300 (a return only) at −30 % of target.
    #[test]
    fn negative_values_extend_the_axes_below_zero() {
        let svg = grouped_bars(
            &["Alpha".into(), "Beta".into()],
            &[
                ("sales".into(), vec![Some(600.0), Some(-300.0)]),
                ("target".into(), vec![Some(1000.0), Some(1000.0)]),
            ],
            Some(("attainment".into(), vec![Some(0.6), Some(-0.3)])),
        )
        .unwrap()
        .unwrap();
        let ticks = tick_texts(&svg);
        assert!(
            ticks.iter().any(|t| t.starts_with('-') && t != "-0"),
            "{ticks:?}"
        );
        assert!(
            ticks.iter().any(|t| t.starts_with('-') && t.ends_with('%')),
            "{ticks:?}"
        );
        assert!(!ticks.iter().any(|t| t == "-0%" || t == "-0"), "{ticks:?}");
        // Beta's bar hangs below the zero line: its rectangle is as tall as
        // half of Alpha's, not a one-pixel sliver (the first is the legend's,
        // drawn above the plot).
        let heights: Vec<f64> = svg
            .split("<rect")
            .skip(1)
            .filter(|r| r.contains("#1F77B4"))
            .filter_map(|r| r.split("height=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert_eq!(heights.len(), 3, "{svg}");
        let (alpha, beta) = (heights[1], heights[2]);
        assert!((beta / alpha - 0.5).abs() < 0.05, "{heights:?}");
    }

    #[test]
    fn a_chart_without_values_is_none_not_an_empty_axis() {
        assert!(grouped_bars(&[], &[("s".into(), vec![])], None)
            .unwrap()
            .is_none());
        assert!(
            grouped_bars(&["A".into()], &[("s".into(), vec![None])], None)
                .unwrap()
                .is_none()
        );
        assert!(lines(&["2026-10".into()], &[("s".into(), vec![None])])
            .unwrap()
            .is_none());
        assert!(stacked_bars(&[], &[]).unwrap().is_none());
        assert!(quadrant(WIDE, &[], "x", "y").unwrap().is_none());
        // All zeros is nothing to plot either, not an axis of `0 0 0 1 1`.
        let zeros = [("s".to_string(), vec![Some(0.0), Some(0.0)])];
        assert!(lines(&["a".into(), "b".into()], &zeros).unwrap().is_none());
        // A small range gets decimals in its ticks.
        let small = [("s".to_string(), vec![Some(0.2), Some(0.6)])];
        let svg = lines(&["a".into(), "b".into()], &small).unwrap().unwrap();
        let ticks = tick_texts(&svg);
        assert!(ticks.iter().any(|t| t.contains('.')), "{ticks:?}");
    }

    #[test]
    fn tick_labels_group_thousands_and_never_say_minus_zero() {
        assert_eq!(tick_label(1_234_567.0, 0), "1,234,567");
        assert_eq!(tick_label(-1_234.5, 1), "-1,234.5");
        assert_eq!(tick_label(-0.0001, 1), "0.0");
        assert_eq!(tick_decimals(&(0.0..1.0)), 1);
        assert_eq!(tick_decimals(&(-330.0..1100.0)), 0);
    }

    /// Chinese text is always set in the Simplified Chinese face (never
    /// left to a fallback that may pick Japanese glyph forms); numbers and
    /// Latin labels in the light Latin font.
    #[test]
    fn each_text_names_the_font_of_its_script() {
        assert_eq!(font_for(["1,400,000", "−20%", "R0521"]), LATIN_FONT);
        assert_eq!(font_for(["R0521", "东北11组"]), CJK_FONT);
        let svg = grouped_bars(
            &["东北11组".into(), "华南一组".into()],
            &[
                ("Sales".into(), vec![Some(5.0), Some(3.0)]),
                ("Target".into(), vec![Some(4.0), Some(4.0)]),
            ],
            None,
        )
        .unwrap()
        .unwrap();
        let family_of = |text: &str| {
            svg.split("<text")
                .skip(1)
                .find(|t| {
                    t.split_once('>')
                        .and_then(|(_, r)| r.split_once('<'))
                        .is_some_and(|(content, _)| content.trim() == text)
                })
                .and_then(|t| t.split("font-family=\"").nth(1))
                .and_then(|f| f.split('"').next())
                .map(str::to_string)
        };
        assert_eq!(family_of("东北11组").as_deref(), Some(CJK_FONT));
        assert_eq!(family_of("Sales").as_deref(), Some(LATIN_FONT));
    }
}
