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

const WIDTH: u32 = 760;
const HEIGHT: u32 = 320;
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

/// Renders a full-width chart into an SVG string with `draw`.
fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<()>,
) -> Result<String> {
    svg_sized((WIDTH, HEIGHT), draw)
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

    /// The axis title, with the 万/亿 scale when one is used.
    fn title_for(&self, range: &std::ops::Range<f64>) -> String {
        match self.scale(range) {
            (_, "") => self.title.clone(),
            (_, suffix) => format!("{}（{suffix}）", self.title),
        }
    }
}

/// A legend entry: name, colour, and whether it is a line (else a box).
type LegendItem = (String, RGBColor, bool);

/// Height of the legend strip above the plot.
const LEGEND_HEIGHT: u32 = 24;

/// Draws the legend as one row above the plot, outside it (a legend inside
/// hides data), and returns the area left for the chart.
fn legend_strip<'a>(
    root: &DrawingArea<SVGBackend<'a>, plotters::coord::Shift>,
    items: &[LegendItem],
) -> Result<DrawingArea<SVGBackend<'a>, plotters::coord::Shift>> {
    let (strip, rest) = root.split_vertically(LEGEND_HEIGHT);
    let mut x = 80i32;
    for (name, color, line) in items {
        if *line {
            strip
                .draw(&PathElement::new(
                    [(x, 12), (x + 14, 12)],
                    color.stroke_width(2),
                ))
                .map_err(chart_error)?;
        } else {
            strip
                .draw(&Rectangle::new([(x, 6), (x + 12, 18)], color.filled()))
                .map_err(chart_error)?;
        }
        strip
            .draw(&Text::new(
                name.clone(),
                (x + 18, 6),
                (font_for([name.as_str()]), 12),
            ))
            .map_err(chart_error)?;
        // Wide (CJK) characters take about twice the width of Latin ones.
        let width: i32 = name
            .chars()
            .map(|c| if c.len_utf8() > 1 { 12 } else { 7 })
            .sum();
        x += 18 + width + 20;
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

/// Width of a 12 px label: CJK characters are square, Latin about 7 px.
fn label_width(label: &str) -> u32 {
    label
        .chars()
        .map(|c| if (c as u32) < 0x250 { 7 } else { 12 })
        .sum()
}

fn category_labels(categories: &[String]) -> CategoryLabels {
    let longest = categories.iter().map(|c| label_width(c)).max().unwrap_or(0);
    // The plot spans the width less the value axes and margins.
    let slot = (WIDTH - 150) / categories.len().max(1) as u32;
    if longest + 8 <= slot {
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
    let turned = category_labels(categories).turned;
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
    grouped_bars_on(categories, series, line, &ValueAxis::default())
}

/// Grouped bars: for each category, one bar per series (`series[k].1[i]`),
/// drawn from 0 up or down on `axis`; `line` (optional, right axis in %) is
/// drawn as a polyline over the categories. The legend sits above the plot.
/// `None` when no series has a value.
pub(crate) fn grouped_bars_on(
    categories: &[String],
    series: &[Series],
    line: Option<Series>,
    axis: &ValueAxis,
) -> Result<Option<String>> {
    if categories.is_empty() || !has_values(series) {
        return Ok(None);
    }
    svg(|root| {
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
            .x_label_area_size(category_labels(categories).area)
            .y_label_area_size(80)
            .right_y_label_area_size(if line.is_some() { 50 } else { 0 })
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
        if let Some((_, values)) = &line {
            let percent_decimals =
                tick_decimals(&((line_range_pct.start * 100.0)..(line_range_pct.end * 100.0)));
            chart
                .configure_secondary_axes()
                .y_label_formatter(&|y| format!("{}%", tick_label(y * 100.0, percent_decimals)))
                .label_style((LATIN_FONT, 12))
                .draw()
                .map_err(chart_error)?;
            let points: Vec<(f64, f64)> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
                .collect();
            chart
                .draw_secondary_series(LineSeries::new(points.clone(), BLACK.stroke_width(2)))
                .map_err(chart_error)?;
            chart
                .draw_secondary_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, BLACK.filled())),
                )
                .map_err(chart_error)?;
        }
        Ok(())
    })
    .map(Some)
}

/// Lines over labelled x positions (months); `None` when no series has a value.
#[cfg(test)]
pub(crate) fn lines(labels: &[String], series: &[Series]) -> Result<Option<String>> {
    lines_sized((WIDTH, HEIGHT), labels, series, &ValueAxis::default())
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
        let n = labels.len().max(1);
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
            .x_label_formatter(&|x| labels.get(x.round() as usize).cloned().unwrap_or_default())
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
    stacked_bars_on(categories, series, &ValueAxis::default())
}

/// Stacked bars: per category, the series' positive values stacked bottom
/// to top (aging buckets are never negative) on `axis`, the legend above
/// the plot; `None` when no series has a value.
pub(crate) fn stacked_bars_on(
    categories: &[String],
    series: &[Series],
    axis: &ValueAxis,
) -> Result<Option<String>> {
    if categories.is_empty() || !has_values(series) {
        return Ok(None);
    }
    svg(|root| {
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
            .x_label_area_size(category_labels(categories).area)
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

/// Scatter of labelled points with lines at the means (a quadrant); `None`
/// without points.
pub(crate) fn quadrant(
    points: &[(String, f64, f64)],
    x_name: &str,
    y_name: &str,
) -> Result<Option<String>> {
    if points.iter().all(|p| p.1 == 0.0 && p.2 == 0.0) {
        return Ok(None);
    }
    svg(|root| {
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
            .draw_series(points.iter().map(|(label, x, y)| {
                EmptyElement::at((*x, *y))
                    + Circle::new((0, 0), 4, PALETTE[0].filled())
                    + Text::new(label.clone(), (6, -6), (point_font, 11))
            }))
            .map_err(chart_error)?;
        Ok(())
    })
    .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_labels_turn_when_they_would_run_into_one_another() {
        let few: Vec<String> = ["华东一组", "华东二组", "华南一组"]
            .map(String::from)
            .to_vec();
        assert!(!category_labels(&few).turned);
        let many: Vec<String> = (0..18).map(|i| format!("华东{i}组")).collect();
        let turned = category_labels(&many);
        assert!(turned.turned);
        // Tall enough for the longest label (华东17组: 3 CJK characters and 2 digits).
        assert!(turned.area >= 60, "{}", turned.area);
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
        assert!(quadrant(&[], "x", "y").unwrap().is_none());
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
