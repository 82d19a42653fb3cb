//! Charts: PNG pictures of the report tables, drawn with plotters, for a supervisor to forward.
//!
//! Pure apart from nothing: `render` takes plain figures (`ChartData`, read from the result tables by
//! `data::from_results`) and returns PNG bytes; the report stage writes them. Every number drawn comes from the
//! data; the only constants are the layout's. Text is drawn with an embedded subset of WenQuanYi Micro Hei
//! (`font/`), registered as plotters' `sans-serif`, so Chinese labels render on a machine with no CJK font.
//! The same figures give the same bytes (plotters rasterises deterministically; PNG encoding has no timestamp).

mod canvas;
pub mod data;

use crate::error::{KefuError, Result};
use canvas::Canvas;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

pub use data::ChartData;

/// The embedded font (see `font/README.md` for its licence and how the subset was made).
pub static FONT: &[u8] = include_bytes!("font/wqy-microhei-gb2312.ttf");

/// Colours, used consistently: blue for volumes and the main series, orange for the slower/second series, red for
/// targets and bad news, green for good news, grey for reference lines.
pub const BLUE: RGBColor = RGBColor(54, 110, 180);
pub const ORANGE: RGBColor = RGBColor(230, 140, 40);
pub const RED: RGBColor = RGBColor(200, 50, 50);
pub const GREEN: RGBColor = RGBColor(60, 150, 80);
pub const GREY: RGBColor = RGBColor(120, 120, 120);
pub const PURPLE: RGBColor = RGBColor(130, 90, 170);

const WIDTH: u32 = 1000;
const TITLE: u32 = 24;
const LABEL: u32 = 15;

/// One rendered chart: its file name under `charts/`, its title (also used by the HTML page) and PNG bytes.
pub struct Chart {
    pub file: String,
    pub title: String,
    pub png: Vec<u8>,
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font("sans-serif", style, FONT)
                .unwrap_or_else(|_| panic!("the embedded font is a valid TrueType file"));
        }
    });
}

/// The characters of `text` the embedded font cannot draw (they would show as empty boxes).
pub fn missing_glyphs(text: &str) -> Vec<char> {
    use ab_glyph::Font;
    let font = ab_glyph::FontRef::try_from_slice(FONT).expect("the embedded font parses");
    let mut missing: Vec<char> = text.chars().filter(|c| !c.is_control() && font.glyph_id(*c).0 == 0).collect();
    missing.dedup();
    missing
}

fn chart_err(name: &str) -> impl Fn(String) -> KefuError + '_ {
    move |reason| KefuError::Chart { name: name.to_string(), reason }
}

/// Draws into an RGB buffer of `height` rows and encodes it as PNG.
fn draw_png(
    name: &str,
    height: u32,
    draw: impl FnOnce(&DrawingArea<Canvas, Shift>) -> std::result::Result<(), String>,
) -> Result<Vec<u8>> {
    register_font();
    let mut buf = vec![255u8; (WIDTH * height * 3) as usize];
    {
        let root = Canvas::new(&mut buf, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(name)(e.to_string()))?;
        draw(&root).map_err(chart_err(name))?;
        root.present().map_err(|e| chart_err(name)(e.to_string()))?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, WIDTH, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Balanced);
        let mut w = enc.write_header().map_err(|e| chart_err(name)(e.to_string()))?;
        w.write_image_data(&buf).map_err(|e| chart_err(name)(e.to_string()))?;
    }
    Ok(png_bytes)
}

/// `?` for plotters' errors inside a drawing closure.
trait Draw<T> {
    fn d(self) -> std::result::Result<T, String>;
}
impl<T, E: std::fmt::Display> Draw<T> for std::result::Result<T, E> {
    fn d(self) -> std::result::Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// Every chart the data allows: a chart with nothing to show (no orders, no phases) is left out.
pub fn render(d: &ChartData) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let mut add = |file: &str, title: String, png: Vec<u8>| {
        out.push(Chart { file: format!("charts/{file}"), title, png });
    };
    if !d.response_secs.is_empty() {
        let t = format!("响应时间分布（目标 {} 秒）", fmt_num(d.target_secs));
        add("response_times.png", t.clone(), response_histogram(d, &t)?);
    }
    if !d.agents_within.is_empty() {
        let t = format!("各客服 {} 秒内响应率", fmt_num(d.target_secs));
        let line = d.team_within.map(|v| (v, "团队".to_string()));
        let png = hbars("agents_within_target", &t, &d.agents_within, BLUE, line, Fmt::Percent)?;
        add("agents_within_target.png", t, png);
    }
    if !d.hourly.is_empty() {
        let t = "每小时咨询量与响应时间".to_string();
        add("hourly_load.png", t.clone(), hourly(d, &t)?);
    }
    if !d.unpaid_reasons.is_empty() {
        let t = "未付款原因（订单数）".to_string();
        add("unpaid_reasons.png", t.clone(), hbars("unpaid_reasons", &t, &d.unpaid_reasons, ORANGE, None, Fmt::Count)?);
    }
    if !d.violations_by_rule.is_empty() {
        let t = "质检违规：按规则".to_string();
        let png = hbars("violations_by_rule", &t, &d.violations_by_rule, RED, None, Fmt::Count)?;
        add("violations_by_rule.png", t, png);
        let t = "质检违规：按客服（次数与扣分）".to_string();
        let png = hbars("violations_by_agent", &t, &d.violations_by_agent, RED, None, Fmt::Count)?;
        add("violations_by_agent.png", t, png);
    }
    if !d.aftersales.is_empty() {
        let t = "售后：各客服退款、投诉、纠纷与售后得分".to_string();
        add("aftersales_agents.png", t.clone(), aftersales(d, &t)?);
    }
    if !d.phases.is_empty() {
        let t = "大促各阶段对比".to_string();
        add("phases.png", t.clone(), phases(d, &t)?);
    }
    if let Some((week, bars)) = &d.week_change
        && !bars.is_empty()
    {
        let t = format!("{week} 较上周：综合得分变化");
        add("weekly_change.png", t.clone(), diverging("weekly_change", &t, bars)?);
    }
    Ok(out)
}

#[derive(Clone, Copy)]
enum Fmt {
    Count,
    Percent,
    /// One decimal always (scores).
    Score,
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

fn fmt_value(v: f64, f: Fmt) -> String {
    match f {
        Fmt::Count => fmt_num(v),
        Fmt::Percent => format!("{:.1}%", v * 100.0),
        Fmt::Score => format!("{v:.1}"),
    }
}

/// Height of a horizontal bar chart with `n` bars: every label gets its own line.
fn bars_height(n: usize) -> u32 {
    (110 + 30 * n as u32).max(320)
}

/// Rows of a bar chart: segment `i` is row `i` (plotters' discrete ranges include their end, so `0..n-1`; one bar
/// gets a spare row because a one-value range cannot be mapped).
fn rows(n: usize) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize> {
    (0..n.saturating_sub(1).max(1)).into_segmented()
}

/// Horizontal bars, largest first, value written at the end of each bar; an optional reference line.
fn hbars(
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

fn response_histogram(d: &ChartData, title: &str) -> Result<Vec<u8>> {
    let h = data::histogram(&d.response_secs, d.target_secs);
    let n = h.counts.len();
    let total: usize = h.counts.iter().sum();
    let y_max = (*h.counts.iter().max().unwrap_or(&1) as f64 * 1.15).max(1.0);
    // As `within_target_rate`: an unanswered turn is a miss.
    let within = d.response_secs.iter().filter(|s| **s <= d.target_secs).count();
    let note = format!(
        "{} 秒内回复 {:.1}%（已回复 {} 轮，未回复 {} 轮）",
        fmt_num(d.target_secs),
        100.0 * within as f64 / (total + d.unanswered).max(1) as f64,
        total,
        d.unanswered
    );
    draw_png("response_times", 460, |root| {
        let x_max = h.width * n as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", TITLE))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..x_max, 0f64..y_max)
            .d()?;
        let last = h.overflow_from;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .disable_x_mesh()
            .x_desc("首次回复用时（秒）")
            .y_desc("轮次")
            .axis_desc_style(("sans-serif", LABEL))
            .label_style(("sans-serif", LABEL - 2))
            .x_label_formatter(&|v| if *v >= last { format!("≥{}", fmt_num(last)) } else { fmt_num(*v) })
            .y_label_formatter(&|v| fmt_num(*v))
            .draw()
            .d()?;
        chart
            .draw_series(h.counts.iter().enumerate().map(|(i, c)| {
                let x0 = i as f64 * h.width;
                let over = x0 >= d.target_secs;
                let colour = if over { ORANGE } else { BLUE };
                let mut r = Rectangle::new([(x0, 0.0), (x0 + h.width, *c as f64)], colour.filled());
                r.set_margin(0, 0, 1, 1);
                r
            }))
            .d()?;
        if let Some(c) = h.counts.last().filter(|c| **c > 0) {
            // The last bar holds everything slower: say so above it.
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("≥{} 秒", fmt_num(last)),
                    (last + h.width / 2.0, *c as f64),
                    ("sans-serif", LABEL - 2).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                )))
                .d()?;
        }
        chart
            .draw_series(DashedLineSeries::new(
                [(d.target_secs, 0.0), (d.target_secs, y_max)],
                6,
                4,
                RED.stroke_width(2),
            ))
            .d()?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!(" 目标 {} 秒", fmt_num(d.target_secs)),
                (d.target_secs, y_max * 0.97),
                ("sans-serif", LABEL).into_font().color(&RED),
            )))
            .d()?;
        chart
            .draw_series(std::iter::once(Text::new(
                note.clone(),
                (x_max * 0.45, y_max * 0.9),
                ("sans-serif", LABEL).into_font(),
            )))
            .d()?;
        Ok(())
    })
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `v` (an axis end a reader can take in at a glance).
fn nice_ceil(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|c| *c >= v * (1.0 - 1e-12)).unwrap_or(10.0 * p)
}

/// Position of each hour on the time axis, in days since midnight of the first day (hours without activity are
/// absent from the table, so positions come from the timestamps, not the row numbers).
fn hour_positions(hs: &[data::HourRow]) -> (Option<chrono::NaiveDate>, Vec<Option<f64>>) {
    let parse = |h: &str| chrono::NaiveDateTime::parse_from_str(h, "%Y-%m-%d %H:%M").ok();
    let first = hs.iter().filter_map(|h| parse(&h.hour)).map(|t| t.date()).min();
    let xs = hs
        .iter()
        .map(|h| {
            let t = parse(&h.hour)?;
            let start = first?.and_hms_opt(0, 0, 0)?;
            Some((t - start).num_minutes() as f64 / 1440.0)
        })
        .collect();
    (first, xs)
}

/// Runs of consecutive hours that all have a value (a line is not drawn across a gap).
fn hour_runs(xs: &[Option<f64>], values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut last_x: Option<f64> = None;
    for (x, v) in xs.iter().zip(values) {
        match (x, v) {
            (Some(x), Some(v)) => {
                let joined = last_x.is_some_and(|l| (x - l) <= 1.0 / 24.0 + 1e-9);
                if !joined {
                    runs.push(Vec::new());
                }
                runs.last_mut().expect("a run was started").push((*x, *v));
                last_x = Some(*x);
            }
            _ => last_x = None,
        }
    }
    runs
}

fn hourly(d: &ChartData, title: &str) -> Result<Vec<u8>> {
    let hs = &d.hourly;
    let (first_day, xs) = hour_positions(hs);
    let days = xs.iter().flatten().fold(0.0f64, |a, x| a.max(*x)).ceil().max(1.0);
    let load_max = (hs.iter().map(|h| h.customer_messages).fold(0.0, f64::max) * 1.15).max(1.0);
    // The right axis reaches the 95th percentile of the hourly P90s (at least twice the target): a few hours at the
    // 600 s cap would otherwise flatten every other hour. Hours above it are drawn at the top as triangles.
    let mut p90s: Vec<f64> = hs.iter().filter_map(|h| h.p90_secs).collect();
    p90s.sort_by(f64::total_cmp);
    let p90_reach = p90s.get((p90s.len() as f64 * 0.95) as usize).or(p90s.last()).copied().unwrap_or(0.0);
    let secs_max = nice_ceil(p90_reach.max(2.0 * d.target_secs) * 1.05);
    let peak = hs
        .iter()
        .zip(&xs)
        .filter_map(|(h, x)| x.map(|x| (h, x)))
        .max_by(|a, b| a.0.customer_messages.total_cmp(&b.0.customer_messages).then(b.1.total_cmp(&a.1)));
    draw_png("hourly_load", 500, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", TITLE))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .right_y_label_area_size(70)
            .build_cartesian_2d(0f64..days, 0f64..load_max)
            .d()?
            .set_secondary_coord(0f64..days, 0f64..secs_max);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            // Whole days only: plotters picks steps of 1, 2 or 5 days, so labels never crowd.
            .x_labels((days as usize + 1).min(16))
            .x_label_formatter(&|v| match first_day {
                Some(day) if (v - v.round()).abs() < 1e-6 => {
                    (day + chrono::Days::new(v.round() as u64)).format("%m-%d").to_string()
                }
                _ => String::new(),
            })
            .y_label_formatter(&|v| fmt_num(*v))
            .x_desc("日期（刻度为当天 0 点）")
            .y_desc("顾客消息数 / 小时")
            .axis_desc_style(("sans-serif", LABEL))
            .label_style(("sans-serif", LABEL - 2))
            .draw()
            .d()?;
        chart
            .configure_secondary_axes()
            .y_desc("响应时间（秒）")
            .y_label_formatter(&|v| fmt_num(*v))
            .axis_desc_style(("sans-serif", LABEL))
            .label_style(("sans-serif", LABEL - 2))
            .draw()
            .d()?;
        chart
            .draw_series(
                AreaSeries::new(
                    hs.iter().zip(&xs).filter_map(|(h, x)| x.map(|x| (x, h.customer_messages))),
                    0.0,
                    BLUE.mix(0.3),
                )
                .border_style(BLUE.mix(0.8)),
            )
            .d()?
            .label("顾客消息数（左轴）")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], BLUE.mix(0.5).filled()));
        // P90 as dots (those beyond the axis as triangles at its top), the median as a line through the hours.
        let p90: Vec<(f64, f64)> = hs.iter().zip(&xs).filter_map(|(h, x)| Some((((*x)?), h.p90_secs?))).collect();
        chart
            .draw_secondary_series(
                p90.iter().filter(|(_, v)| *v <= secs_max).map(|(x, v)| Circle::new((*x, *v), 2, ORANGE.filled())),
            )
            .d()?
            .label("响应时间 P90（右轴）")
            .legend(|(x, y)| Circle::new((x + 9, y), 3, ORANGE.filled()));
        let above: Vec<(f64, f64)> = p90.iter().filter(|(_, v)| *v > secs_max).map(|(x, _)| (*x, secs_max)).collect();
        if !above.is_empty() {
            chart
                .draw_secondary_series(above.into_iter().map(|p| TriangleMarker::new(p, 4, ORANGE.filled())))
                .d()?
                .label(format!("P90 超过 {} 秒（画在顶端）", fmt_num(secs_max)))
                .legend(|(x, y)| TriangleMarker::new((x + 9, y), 4, ORANGE.filled()));
        }
        let medians: Vec<Option<f64>> = hs.iter().map(|h| h.median_secs).collect();
        let style = GREEN.stroke_width(2);
        for (i, run) in hour_runs(&xs, &medians).into_iter().enumerate() {
            let s = chart.draw_secondary_series(LineSeries::new(run, style)).d()?;
            if i == 0 {
                s.label("响应时间中位数（右轴）")
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
            }
        }
        chart
            .draw_secondary_series(DashedLineSeries::new(
                [(0.0, d.target_secs), (days, d.target_secs)],
                6,
                4,
                RED.stroke_width(1),
            ))
            .d()?
            .label(format!("目标 {} 秒（右轴）", fmt_num(d.target_secs)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RED));
        if let Some((h, x)) = peak {
            // Name the busiest hour where it is, right of it unless it is near the right edge.
            let left = x > days * 0.75;
            let text = format!(" 高峰 {}：{} 条 ", h.hour.get(5..).unwrap_or(&h.hour), fmt_num(h.customer_messages));
            let anchor = if left { HPos::Right } else { HPos::Left };
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (x, h.customer_messages),
                    ("sans-serif", LABEL - 1).into_font().color(&BLACK).pos(Pos::new(anchor, VPos::Bottom)),
                )))
                .d()?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(("sans-serif", LABEL - 1))
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .draw()
            .d()?;
        Ok(())
    })
}

/// After-sales per handler: refund cases, complaints, disputes and the after-sales score, four panels side by side
/// sharing the handler names on the left.
fn aftersales(d: &ChartData, title: &str) -> Result<Vec<u8>> {
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

fn phases(d: &ChartData, title: &str) -> Result<Vec<u8>> {
    let ps = &d.phases;
    let n = ps.len();
    type Get = fn(&data::PhaseRow) -> Option<f64>;
    let panels: [(&str, Fmt, Get); 4] = [
        ("20 秒内响应率", Fmt::Percent, |p| p.within_target_rate),
        ("响应时间中位数（秒）", Fmt::Count, |p| p.median_response_secs),
        ("询单转化率", Fmt::Percent, |p| p.conversion_rate),
        ("每千会话违规数", Fmt::Count, |p| p.violations_per_1000),
    ];
    let colours = [BLUE, ORANGE, GREEN, PURPLE, RED, GREY];
    draw_png("phases", 640, |root| {
        let area = root.titled(title, ("sans-serif", TITLE)).d()?;
        let cells = area.split_evenly((2, 2));
        for (cell, (panel_title, fmt, get)) in cells.iter().zip(panels.iter()) {
            let panel_title = if panel_title.starts_with("20 秒") {
                format!("{} 秒内响应率", fmt_num(d.target_secs))
            } else {
                panel_title.to_string()
            };
            let max = ps.iter().filter_map(get).fold(0.0, f64::max);
            let y_max = if max > 0.0 { max * 1.25 } else { 1.0 };
            let mut chart = ChartBuilder::on(cell)
                .caption(panel_title, ("sans-serif", LABEL + 2))
                .margin(10)
                .x_label_area_size(28)
                .y_label_area_size(56)
                .build_cartesian_2d(rows(n), 0f64..y_max)
                .d()?;
            chart
                .configure_mesh()
                .light_line_style(WHITE)
                .disable_x_mesh()
                .x_labels(n.max(2))
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) if *i < n => ps[*i].phase.clone(),
                    _ => String::new(),
                })
                .y_label_formatter(&|v| fmt_value(*v, *fmt))
                .label_style(("sans-serif", LABEL - 1))
                .draw()
                .d()?;
            chart
                .draw_series(ps.iter().enumerate().filter_map(|(i, p)| {
                    let v = get(p)?;
                    let mut r = Rectangle::new(
                        [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v)],
                        colours[i % colours.len()].filled(),
                    );
                    r.set_margin(0, 0, 18, 18);
                    Some(r)
                }))
                .d()?;
            chart
                .draw_series(ps.iter().enumerate().filter_map(|(i, p)| {
                    let v = get(p)?;
                    Some(Text::new(
                        fmt_value(v, *fmt),
                        (SegmentValue::CenterOf(i), v),
                        ("sans-serif", LABEL - 1).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    ))
                }))
                .d()?;
        }
        Ok(())
    })
}

/// Bars left (red, worse) or right (green, better) of zero, one per agent.
fn diverging(name: &str, title: &str, bars: &[data::Bar]) -> Result<Vec<u8>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Pixels of one character drawn alone at 40 px.
    fn glyph_pixels(c: char) -> Vec<u8> {
        register_font();
        let (w, h) = (60u32, 60u32);
        let mut buf = vec![255u8; (w * h * 3) as usize];
        {
            let root = Canvas::new(&mut buf, (w, h)).into_drawing_area();
            root.draw(&Text::new(c.to_string(), (5, 5), ("sans-serif", 40).into_font().color(&BLACK))).unwrap();
            root.present().unwrap();
        }
        buf
    }

    fn ink(px: &[u8]) -> usize {
        px.chunks(3).filter(|p| p[0] < 128).count()
    }

    #[test]
    fn nice_axis_ends() {
        assert_eq!(nice_ceil(435.6), 500.0);
        assert_eq!(nice_ceil(200.0), 200.0);
        assert_eq!(nice_ceil(42.0), 50.0);
        assert_eq!(nice_ceil(21.0), 25.0);
        assert_eq!(nice_ceil(0.0), 1.0);
    }

    #[test]
    fn hours_are_placed_by_time_and_lines_break_at_gaps() {
        let row = |hour: &str, m: Option<f64>| data::HourRow {
            hour: hour.into(),
            customer_messages: 1.0,
            median_secs: m,
            p90_secs: None,
        };
        let hs = [
            row("2026-11-01 10:00", Some(5.0)),
            row("2026-11-01 11:00", Some(6.0)),
            row("2026-11-01 13:00", Some(7.0)),
            row("2026-11-02 00:00", None),
            row("2026-11-02 01:00", Some(8.0)),
        ];
        let (first, xs) = hour_positions(&hs);
        assert_eq!(first, chrono::NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(xs[0], Some(10.0 / 24.0));
        assert_eq!(xs[3], Some(1.0));
        let medians: Vec<Option<f64>> = hs.iter().map(|h| h.median_secs).collect();
        let runs = hour_runs(&xs, &medians);
        assert_eq!(runs.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1, 1]);
    }

    #[test]
    fn glyphs_keep_their_side_bearings() {
        // A full-width opening bracket sits in the right half of its square; plotters' own text drawing puts it
        // at the left edge (and leaves gaps after narrow digits).
        let px = glyph_pixels('（');
        let leftmost = px.chunks(3).enumerate().filter(|(_, p)| p[0] < 128).map(|(i, _)| i % 60).min().unwrap();
        assert!(leftmost >= 5 + 10, "（ starts at column {leftmost}");
    }

    #[test]
    fn chinese_glyphs_are_drawn_not_boxes() {
        // A character the font lacks draws as the .notdef box; real glyphs differ from it and from each other.
        let tofu = glyph_pixels('\u{E000}');
        let mut seen = Vec::new();
        for c in ['客', '服', '响', '应', '率', '退', '款', 'A', '7'] {
            let px = glyph_pixels(c);
            assert!(ink(&px) > 20, "{c} draws something");
            assert_ne!(px, tofu, "{c} is not the missing-glyph box");
            assert!(!seen.contains(&px), "{c} differs from the others");
            seen.push(px);
        }
        assert!(missing_glyphs("暖暖女装旗舰店:小婷 售后顾虑 ≥20 秒 P90 %").is_empty());
        assert_eq!(missing_glyphs("a\u{E000}b"), vec!['\u{E000}']);
    }

    #[test]
    fn same_figures_same_bytes_and_every_chart_present() {
        let d = data::tests::small();
        let a = render(&d).unwrap();
        let b = render(&d).unwrap();
        assert_eq!(a.len(), 9);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.png, y.png, "{}", x.file);
            assert!(x.png.starts_with(b"\x89PNG"));
        }
        // No phases, no orders: those charts are left out, the rest stay.
        let mut d2 = d.clone();
        d2.phases.clear();
        d2.unpaid_reasons.clear();
        let names: Vec<String> = render(&d2).unwrap().into_iter().map(|c| c.file).collect();
        assert!(!names.iter().any(|n| n.contains("phases") || n.contains("unpaid")));
        assert_eq!(names.len(), 7);
    }

    #[test]
    fn one_agent_one_phase_one_hour_still_draw() {
        // Single values are where plotters' discrete axes misbehave (a one-value range, zero label counts).
        let mut d = data::tests::small();
        d.agents_within.truncate(1);
        d.aftersales.truncate(1);
        d.phases.truncate(1);
        d.hourly.truncate(1);
        d.unpaid_reasons.truncate(1);
        d.violations_by_rule.truncate(1);
        d.violations_by_agent.truncate(1);
        d.response_secs.truncate(1);
        if let Some((_, b)) = &mut d.week_change {
            b.truncate(1);
        }
        let charts = render(&d).unwrap();
        assert_eq!(charts.len(), 9);
    }
}
