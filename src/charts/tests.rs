//! Charts: axis ends, hour placement, glyphs drawn from the embedded font, and the same figures giving the same bytes.

use super::time::{hour_positions, hour_runs, nice_ceil};
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
    assert_eq!(a.len(), 12);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.png, y.png, "{}", x.file);
        assert!(x.png.starts_with(b"\x89PNG"));
    }
    // No phases, no orders: those charts are left out, the rest stay.
    let mut d2 = d.clone();
    d2.phases.clear();
    d2.unpaid_reasons.clear();
    d2.lost_reasons.clear();
    d2.funnel.clear();
    let names: Vec<String> = render(&d2).unwrap().into_iter().map(|c| c.file).collect();
    let gone = ["phases", "unpaid", "lost", "funnel"];
    assert!(!names.iter().any(|n| gone.iter().any(|g| n.contains(g))));
    assert_eq!(names.len(), 8);
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
    d.lost_reasons.truncate(1);
    d.violations_by_rule.truncate(1);
    d.violations_by_agent.truncate(1);
    d.response_secs.truncate(1);
    if let Some((_, b)) = &mut d.week_change {
        b.truncate(1);
    }
    if let Some((_, b)) = &mut d.topics {
        b.truncate(1);
    }
    let charts = render(&d).unwrap();
    assert_eq!(charts.len(), 12);
}
