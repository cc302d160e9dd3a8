//! Charts as inline SVG (plotters' SVG backend, no fonts needed: label areas
//! are sized explicitly). Each function takes plain numbers already read
//! from the KPI tables; nothing is computed here beyond scaling.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::{Error, Result};

const WIDTH: u32 = 760;
const HEIGHT: u32 = 320;
const FONT: &str = "sans-serif";
const PALETTE: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
];

fn chart_error(e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("drawing a chart: {e}"))
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
pub type Series = (String, Vec<Option<f64>>);

fn upper(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.fold(0.0f64, f64::max);
    if max > 0.0 {
        max * 1.1
    } else {
        1.0
    }
}

type Plane = Cartesian2d<RangedCoordf64, RangedCoordf64>;

fn draw_legend<'a, 'b: 'a>(chart: &mut ChartContext<'a, SVGBackend<'b>, Plane>) -> Result<()> {
    chart
        .configure_series_labels()
        .label_font((FONT, 12))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(chart_error)
}

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

/// Axes for bar charts: one label under each category, no vertical grid.
fn draw_category_mesh<'a, 'b: 'a>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Plane>,
    categories: &[String],
) -> Result<()> {
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(categories.len().max(1))
        .x_label_formatter(&|x| category_label(categories, *x))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style((FONT, 12))
        .draw()
        .map_err(chart_error)
}

/// Grouped bars: for each category, one bar per series (`series[k].1[i]`);
/// `line` (optional, right axis 0..max) is drawn as a polyline over the categories.
pub fn grouped_bars(
    categories: &[String],
    series: &[Series],
    line: Option<Series>,
) -> Result<String> {
    svg(|root| {
        let n = categories.len().max(1);
        let top = upper(series.iter().flat_map(|(_, v)| v.iter().flatten().copied()));
        let line_top = line
            .as_ref()
            .map(|(_, v)| upper(v.iter().flatten().copied()))
            .unwrap_or(1.0);
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .right_y_label_area_size(if line.is_some() { 50 } else { 0 })
            .build_cartesian_2d(category_axis(n), 0.0..top)
            .map_err(chart_error)?
            .set_secondary_coord(category_axis(n), 0.0..line_top);
        draw_category_mesh(&mut chart, categories)?;
        let width = 0.8 / series.len().max(1) as f64;
        for (k, (name, values)) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                    let x0 = i as f64 - 0.4 + k as f64 * width;
                    v.map(|v| Rectangle::new([(x0, 0.0), (x0 + width, v)], color.filled()))
                }))
                .map_err(chart_error)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        if let Some((name, values)) = &line {
            chart
                .configure_secondary_axes()
                .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
                .label_style((FONT, 12))
                .draw()
                .map_err(chart_error)?;
            let points: Vec<(f64, f64)> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
                .collect();
            chart
                .draw_secondary_series(LineSeries::new(points.clone(), BLACK.stroke_width(2)))
                .map_err(chart_error)?
                .label(name.clone())
                .legend(|(x, y)| PathElement::new([(x, y), (x + 10, y)], BLACK));
            chart
                .draw_secondary_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, BLACK.filled())),
                )
                .map_err(chart_error)?;
        }
        if series.len() > 1 || line.is_some() {
            draw_legend(&mut chart)?;
        }
        Ok(())
    })
}

/// Lines over labelled x positions (months).
pub fn lines(labels: &[String], series: &[Series]) -> Result<String> {
    lines_sized((WIDTH, HEIGHT), labels, series)
}

/// [`lines`] at a given pixel size (small multiples on the rep pages).
pub fn lines_sized(size: (u32, u32), labels: &[String], series: &[Series]) -> Result<String> {
    svg_sized(size, |root| {
        let n = labels.len().max(1);
        let values = series.iter().flat_map(|(_, v)| v.iter().flatten().copied());
        let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let hi = if hi > lo { hi * 1.1 } else { lo + 1.0 };
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..(n as f64 - 1.0).max(1.0), lo..hi)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| labels.get(x.round() as usize).cloned().unwrap_or_default())
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, 11))
            .draw()
            .map_err(chart_error)?;
        for (k, (name, values)) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(
                    runs(values)
                        .into_iter()
                        .map(|run| PathElement::new(run, color.stroke_width(2))),
                )
                .map_err(chart_error)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 10, y)], color.stroke_width(2))
                });
        }
        draw_legend(&mut chart)
    })
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

/// Stacked bars: per category, the series stacked bottom to top.
pub fn stacked_bars(categories: &[String], series: &[Series]) -> Result<String> {
    svg(|root| {
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
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(category_axis(n), 0.0..upper(totals.into_iter()))
            .map_err(chart_error)?;
        draw_category_mesh(&mut chart, categories)?;
        let mut base = vec![0.0f64; categories.len()];
        for (k, (name, values)) in series.iter().enumerate() {
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
            chart
                .draw_series(bars)
                .map_err(chart_error)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        draw_legend(&mut chart)
    })
}

/// Scatter of labelled points with dashed lines at the means (a quadrant).
pub fn quadrant(points: &[(String, f64, f64)], x_name: &str, y_name: &str) -> Result<String> {
    svg(|root| {
        let x_hi = upper(points.iter().map(|p| p.1));
        let y_hi = upper(points.iter().map(|p| p.2));
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..x_hi, 0.0..y_hi)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .x_desc(x_name)
            .y_desc(y_name)
            .label_style((FONT, 12))
            .draw()
            .map_err(chart_error)?;
        let n = points.len().max(1) as f64;
        let mx = points.iter().map(|p| p.1).sum::<f64>() / n;
        let my = points.iter().map(|p| p.2).sum::<f64>() / n;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series([
                PathElement::new([(mx, 0.0), (mx, y_hi)], grey),
                PathElement::new([(0.0, my), (x_hi, my)], grey),
            ])
            .map_err(chart_error)?;
        chart
            .draw_series(points.iter().map(|(label, x, y)| {
                EmptyElement::at((*x, *y))
                    + Circle::new((0, 0), 4, PALETTE[0].filled())
                    + Text::new(label.clone(), (6, -6), (FONT, 11))
            }))
            .map_err(chart_error)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        .unwrap();
        let with_zero = grouped_bars(
            &["A".into(), "B".into()],
            &[("s".into(), vec![Some(5.0), Some(0.0)])],
            None,
        )
        .unwrap();
        assert_eq!(
            with_null.matches("<rect").count() + 1,
            with_zero.matches("<rect").count()
        );
    }
}
