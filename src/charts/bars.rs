//! Horizontal bar charts: one value per agent, reason or rule, largest first (`hbars`); the after-sales panels side
//! by side (`aftersales`); and the week-on-week change left and right of zero (`diverging`).

use super::canvas::Canvas;
use super::{
    BLUE, ChartData, Draw, Fmt, GREEN, GREY, LABEL, ORANGE, RED, TITLE, WIDTH, data, draw_png, fmt_num, fmt_value,
};
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Height of a horizontal bar chart with `n` bars: every label gets its own line.
fn bars_height(n: usize) -> u32 {
    (110 + 30 * n as u32).max(320)
}

/// Rows of a bar chart: segment `i` is row `i` (plotters' discrete ranges include their end, so `0..n-1`; one bar
/// gets a spare row because a one-value range cannot be mapped).
pub(super) fn rows(n: usize) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize> {
    (0..n.saturating_sub(1).max(1)).into_segmented()
}

/// Horizontal bars, largest first, value written at the end of each bar; an optional reference line.
pub(super) fn hbars(
    name: &str,
    title: &str,
    bars: &[data::Bar],
    colour: RGBColor,
    line: Option<(f64, String)>,
    fmt: Fmt,
) -> Result<Vec<u8>> {
    let mut bars: Vec<&data::Bar> = bars.iter().collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.label.cmp(&b.label)));
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let values: Vec<Option<f64>> = bars.iter().map(|b| Some(b.value)).collect();
    let notes: Vec<Option<String>> = bars.iter().map(|b| b.note.clone()).collect();
    draw_png(name, bars_height(bars.len()), |root| {
        let area = root.titled(title, ("sans-serif", TITLE)).d()?;
        let panel = BarPanel { labels: Some(&labels), values: &values, notes: &notes, colour, fmt, x_max: None, line };
        panel.draw(&area, label_area(&labels))
    })
}

/// One panel of horizontal bars, row `i` of `values` from the top; `labels` on the left (or none, when a panel to
/// the left already names the rows).
struct BarPanel<'a> {
    labels: Option<&'a [String]>,
    values: &'a [Option<f64>],
    notes: &'a [Option<String>],
    colour: RGBColor,
    fmt: Fmt,
    /// The axis end (else a little beyond the largest value).
    x_max: Option<f64>,
    /// A reference line and its name (drawn dashed; named under the axis).
    line: Option<(f64, String)>,
}

impl BarPanel<'_> {
    fn draw(&self, area: &DrawingArea<Canvas, Shift>, label_width: u32) -> std::result::Result<(), String> {
        let n = self.values.len();
        let max = self.values.iter().flatten().copied().fold(self.line.as_ref().map_or(0.0, |l| l.0), f64::max);
        // Room right of the longest bar for the text written at its end.
        let text_px = self
            .values
            .iter()
            .zip(0..)
            .filter_map(|(v, i)| {
                let v = (*v)?;
                let t = self.notes.get(i).cloned().flatten().unwrap_or_else(|| fmt_value(v, self.fmt));
                Some(text_width(&t, LABEL - 2) + 12)
            })
            .max()
            .unwrap_or(0);
        let plot_px = area.dim_in_pixel().0.saturating_sub(label_width + 24).max(1);
        let reserve = (text_px as f64 / plot_px as f64).clamp(0.1, 0.6);
        let x_max = self.x_max.unwrap_or(if max > 0.0 { max / (1.0 - reserve) } else { 1.0 });
        let fmt = self.fmt;
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(if self.line.is_some() { 46 } else { 30 })
            .y_label_area_size(label_width)
            .build_cartesian_2d(0f64..x_max, rows(n))
            .d()?;
        let desc = self.line.as_ref().map(|(v, name)| format!("灰色虚线：{name} {}", fmt_value(*v, fmt)));
        let x_fmt = |v: &f64| if let Fmt::Score = fmt { fmt_num(*v) } else { fmt_value(*v, fmt) };
        let y_fmt = |v: &SegmentValue<usize>| match (v, self.labels) {
            // Largest at the top: segment 0 is the bottom row.
            (SegmentValue::CenterOf(i), Some(labels)) if *i < n => labels[n - 1 - i].clone(),
            _ => String::new(),
        };
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(WHITE)
            .disable_y_mesh()
            .y_labels(n.max(2))
            .y_label_style(("sans-serif", LABEL))
            .x_label_style(("sans-serif", LABEL - 2))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .axis_desc_style(("sans-serif", LABEL - 1));
        if let Some(desc) = &desc {
            mesh.x_desc(desc.as_str());
        }
        mesh.draw().d()?;
        let colour = self.colour;
        chart
            .draw_series(self.values.iter().enumerate().filter_map(|(i, v)| {
                let row = n - 1 - i;
                let mut r = Rectangle::new(
                    [(0.0, SegmentValue::Exact(row)), ((*v)?, SegmentValue::Exact(row + 1))],
                    colour.filled(),
                );
                r.set_margin(4, 4, 0, 0);
                Some(r)
            }))
            .d()?;
        chart
            .draw_series(self.values.iter().enumerate().filter_map(|(i, v)| {
                let v = (*v)?;
                let text = self.notes.get(i).cloned().flatten().unwrap_or_else(|| fmt_value(v, fmt));
                Some(Text::new(
                    format!(" {text}"),
                    (v, SegmentValue::CenterOf(n - 1 - i)),
                    ("sans-serif", LABEL - 2).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
            }))
            .d()?;
        if let Some((v, _)) = &self.line {
            chart
                .draw_series(DashedLineSeries::new(
                    [(*v, SegmentValue::Exact(0)), (*v, SegmentValue::Last)],
                    6,
                    4,
                    GREY.stroke_width(2),
                ))
                .d()?;
        }
        Ok(())
    }
}

/// Estimated width of `text` at `size` px (CJK characters are about a font size wide, others about half).
fn text_width(text: &str, size: u32) -> u32 {
    text.chars().map(|c| if c.is_ascii() { size / 2 + 1 } else { size + 1 }).sum()
}

/// Width of the label area for these labels.
fn label_area(labels: &[String]) -> u32 {
    let widest = labels.iter().map(|l| text_width(l, LABEL)).max().unwrap_or(0);
    (widest + 16).clamp(60, 360)
}

/// After-sales per handler: refund cases, complaints, disputes and the after-sales score, four panels side by side
/// sharing the handler names on the left.
pub(super) fn aftersales(d: &ChartData, title: &str) -> Result<Vec<u8>> {
    let rows = &d.aftersales;
    let labels: Vec<String> = rows.iter().map(|r| r.agent.clone()).collect();
    let label_width = label_area(&labels);
    let count_max = rows.iter().map(|r| r.refund_cases.max(r.complaints).max(r.disputes)).fold(0.0, f64::max);
    let count_axis = if count_max > 0.0 { count_max * 1.25 } else { 1.0 };
    type Get = fn(&data::AftersalesRow) -> Option<f64>;
    let panels: [(&str, RGBColor, Fmt, f64, Get); 4] = [
        ("退款（件）", BLUE, Fmt::Count, count_axis, |r| Some(r.refund_cases)),
        ("投诉（件）", ORANGE, Fmt::Count, count_axis, |r| Some(r.complaints)),
        ("纠纷（平台介入，件）", RED, Fmt::Count, count_axis, |r| Some(r.disputes)),
        ("售后得分（0–100）", GREEN, Fmt::Score, 115.0, |r| r.score),
    ];
    let no_notes: Vec<Option<String>> = vec![None; rows.len()];
    draw_png("aftersales_agents", bars_height(rows.len()) + 20, |root| {
        let area = root.titled(title, ("sans-serif", TITLE)).d()?;
        let panel_w = (WIDTH - label_width) / 4;
        let breaks: Vec<i32> = (1..4).map(|k| (label_width + k * panel_w) as i32).collect();
        let cells = area.split_by_breakpoints(breaks, Vec::<i32>::new());
        for (k, (cell, (caption, colour, fmt, x_max, get))) in cells.iter().zip(panels.iter()).enumerate() {
            let cell = cell.titled(caption, ("sans-serif", LABEL + 1)).d()?;
            let values: Vec<Option<f64>> = rows.iter().map(get).collect();
            let panel = BarPanel {
                labels: if k == 0 { Some(&labels) } else { None },
                values: &values,
                notes: &no_notes,
                colour: *colour,
                fmt: *fmt,
                x_max: Some(*x_max),
                line: None,
            };
            panel.draw(&cell, if k == 0 { label_width } else { 8 })?;
        }
        Ok(())
    })
}

/// Bars left (red, worse) or right (green, better) of zero, one per agent.
pub(super) fn diverging(name: &str, title: &str, bars: &[data::Bar]) -> Result<Vec<u8>> {
    let mut bars: Vec<&data::Bar> = bars.iter().collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.label.cmp(&b.label)));
    let n = bars.len();
    let reach = bars.iter().map(|b| b.value.abs()).fold(0.0, f64::max).max(1.0) * 1.25;
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let label_width = label_area(&labels);
    draw_png(name, bars_height(n), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", TITLE))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(label_width)
            .build_cartesian_2d(-reach..reach, rows(n))
            .d()?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .disable_y_mesh()
            .y_labels(n.max(2))
            .y_label_style(("sans-serif", LABEL))
            .x_label_style(("sans-serif", LABEL - 2))
            .x_label_formatter(&|v| format!("{v:+.0}"))
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < n => labels[n - 1 - i].clone(),
                _ => String::new(),
            })
            .draw()
            .d()?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let row = n - 1 - i;
                let colour = if b.value >= 0.0 { GREEN } else { RED };
                let mut r = Rectangle::new(
                    [(0.0, SegmentValue::Exact(row)), (b.value, SegmentValue::Exact(row + 1))],
                    colour.filled(),
                );
                r.set_margin(4, 4, 0, 0);
                r
            }))
            .d()?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let row = n - 1 - i;
                let h = if b.value >= 0.0 { HPos::Left } else { HPos::Right };
                Text::new(
                    format!(" {:+.1} ", b.value),
                    (b.value, SegmentValue::CenterOf(row)),
                    ("sans-serif", LABEL - 2).into_font().color(&BLACK).pos(Pos::new(h, VPos::Center)),
                )
            }))
            .d()?;
        chart.draw_series(LineSeries::new([(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Last)], GREY)).d()?;
        Ok(())
    })
}
