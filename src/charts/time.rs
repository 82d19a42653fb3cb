//! Charts over time and duration: the distribution of response times against the target, the hourly load with
//! its response times, and the promotion phases compared.

use super::bars::rows;
use super::{
    BLUE, ChartData, Draw, Fmt, GREEN, GREY, LABEL, ORANGE, PURPLE, RED, TITLE, data, draw_png, fmt_num, fmt_value,
};
use crate::error::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(super) fn response_histogram(d: &ChartData, title: &str) -> Result<Vec<u8>> {
    let h = data::histogram(&d.response_secs, d.target_secs);
    let n = h.counts.len();
    let total: usize = h.counts.iter().sum();
    let y_max = (*h.counts.iter().max().unwrap_or(&1) as f64 * 1.15).max(1.0);
    // As `within_target_rate`: an unanswered turn is a miss.
    let within: usize = d.response_secs.iter().filter(|s| s.0 <= d.target_secs).map(|s| s.1).sum();
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
pub(super) fn nice_ceil(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|c| *c >= v * (1.0 - 1e-12)).unwrap_or(10.0 * p)
}

/// Position of each hour on the time axis, in days since midnight of the first day (hours without activity are
/// absent from the table, so positions come from the timestamps, not the row numbers).
pub(super) fn hour_positions(hs: &[data::HourRow]) -> (Option<chrono::NaiveDate>, Vec<Option<f64>>) {
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
pub(super) fn hour_runs(xs: &[Option<f64>], values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
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

pub(super) fn hourly(d: &ChartData, title: &str) -> Result<Vec<u8>> {
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

pub(super) fn phases(d: &ChartData, title: &str) -> Result<Vec<u8>> {
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
