//! Charts: PNG pictures of the report tables, drawn with plotters, for a supervisor to forward.
//!
//! Pure apart from nothing: `render` takes plain figures (`ChartData`, read from the result tables by
//! `data::from_results`) and returns PNG bytes; the report stage writes them. Every number drawn comes from the
//! data; the only constants are the layout's. Text is drawn with an embedded subset of WenQuanYi Micro Hei
//! (`font/`), registered as plotters' `sans-serif`, so Chinese labels render on a machine with no CJK font.
//! The same figures give the same bytes (plotters rasterises deterministically; PNG encoding has no timestamp).
//!
//! `bars.rs` draws the horizontal and diverging bar charts (agents, reasons, rules, after-sales); `time.rs` the
//! charts over time and duration (response histogram, hourly load, promotion phases).

mod bars;
mod canvas;
pub mod data;
mod time;

use crate::error::{KefuError, Result};
use bars::{aftersales, diverging, hbars};
use canvas::Canvas;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::Once;
use time::{hourly, phases, response_histogram};

pub use data::{Bar, ChartData};

/// The embedded font (see `font/README.md` for its licence and how the subset was made).
pub(crate) static FONT: &[u8] = include_bytes!("font/wqy-microhei-gb2312.ttf");

/// Colours, used consistently: blue for volumes and the main series, orange for the slower/second series, red for
/// targets and bad news, green for good news, grey for reference lines.
pub(crate) const BLUE: RGBColor = RGBColor(54, 110, 180);
pub(crate) const ORANGE: RGBColor = RGBColor(230, 140, 40);
pub(crate) const RED: RGBColor = RGBColor(200, 50, 50);
pub(crate) const GREEN: RGBColor = RGBColor(60, 150, 80);
pub(crate) const GREY: RGBColor = RGBColor(120, 120, 120);
pub(crate) const PURPLE: RGBColor = RGBColor(130, 90, 170);

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
    if !d.funnel.is_empty() {
        let t = "询单 → 下单 → 付款（人数）".to_string();
        add("funnel.png", t.clone(), hbars("funnel", &t, &d.funnel, BLUE, None, Fmt::Count)?);
    }
    if !d.hourly.is_empty() {
        let t = "每小时咨询量与响应时间".to_string();
        add("hourly_load.png", t.clone(), hourly(d, &t)?);
    }
    if !d.unpaid_reasons.is_empty() {
        let t = "未付款原因（订单数）".to_string();
        add("unpaid_reasons.png", t.clone(), hbars("unpaid_reasons", &t, &d.unpaid_reasons, ORANGE, None, Fmt::Count)?);
    }
    if !d.lost_reasons.is_empty() {
        let t = "询单流失原因（顾客数）".to_string();
        add("lost_reasons.png", t.clone(), hbars("lost_reasons", &t, &d.lost_reasons, ORANGE, None, Fmt::Count)?);
    }
    if let Some((week, bars)) = d.topics.as_ref().filter(|(_, b)| !b.is_empty()) {
        let t = format!("本周热点问题（{week}，会话数）");
        add("topics.png", t.clone(), hbars("topics", &t, bars, BLUE, None, Fmt::Count)?);
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

#[cfg(test)]
mod tests;
