//! The page: headline cards and tables escaped, highlights, definitions that follow the settings, same bytes twice.

use super::*;

fn results() -> Vec<(String, DataFrame)> {
    let team = df!(
        "period" => ["phase:预热", "all"],
        "sessions" => [10i64, 30],
        "within_target_rate" => [0.5, 0.425],
        "median_response_secs" => [12.0, 24.0],
        "unpaid_orders" => [1i64, 4],
        "top_unpaid_reason" => ["运费", "价格/议价"]
    )
    .unwrap();
    let sc = df!("agent_id" => ["店:小婷", "店:<b>"], "within_target_rate" => [Some(0.213), None],
        "sales_amount" => [12303.0, 0.5])
    .unwrap();
    vec![("_team_periods".into(), team), ("agent_scorecard".into(), sc)]
}

fn page_of(results: &[(String, DataFrame)], charts: &[Chart], d: &ChartData) -> String {
    page(&Page {
        version: "0.0.0",
        period: "2026-11-01 00:00:00 → 2026-11-21 23:59:00".into(),
        rows: crate::model::RowCounts { read: 13, used: 10, rejected: 2, out_of_period: 0, duplicates: 1, skipped: 0 },
        settings: &crate::config::Settings::default(),
        results,
        charts,
        chart_data: d,
        embed_font: false,
        warnings: &[],
    })
    .unwrap()
}

#[test]
fn headline_tables_and_escaping() {
    let r = results();
    let charts = vec![Chart { file: "charts/x.png".into(), title: "标题".into(), png: vec![1, 2, 3] }];
    let html = page_of(&r, &charts, &ChartData::default());
    // Headline from the `all` row, as a percentage and seconds.
    assert!(html.contains("42.5%"), "{html}");
    assert!(html.contains("24 秒"));
    assert!(html.contains(
        "读入 13 行，使用 10 行，拒收 2 行（见 <a href=\"rejects.csv\">rejects.csv</a>），重复消息 1 条（只计一次）。"
    ));
    assert!(
        html.contains(
            "<div class=\"v\">4</div><div class=\"l\">未付款订单</div><div class=\"s\">最多：价格/议价</div>"
        )
    );
    assert_eq!(
        (big(397166.0), big(999.0), big(1000.0), big(-1234567.0)),
        ("397,166".into(), "999".into(), "1,000".into(), "-1,234,567".into())
    );
    // The scorecard is shown with a link, `_team_periods` is not a table on the page.
    assert!(html.contains("<a href=\"agent_scorecard.csv\">agent_scorecard.csv</a>"));
    assert!(!html.contains("t-_team_periods"));
    assert!(html.contains("<td>小婷</td>") || html.contains("<td>店:小婷</td>"));
    assert!(html.contains("21.3%") && html.contains("12303") && html.contains("<td class=\"n\">0.5</td>"));
    // Text from data is escaped.
    assert!(html.contains("店:&lt;b&gt;") && !html.contains("店:<b>"));
    // The chart is embedded, not linked only.
    assert!(html.contains("data:image/png;base64,AQID"));
    assert!(html.contains("rejects.csv"));
    assert!(!html.contains("http://") && !html.contains("https://"), "no network");
}

#[test]
fn highlights_name_the_peak_the_slowest_and_the_top_reason() {
    let d = crate::charts::data::tests::small();
    let hl = highlights(&d, 20);
    // The busiest hour (23:00) is also counted here; its median 12 s, P90 63 s (hour 23 of the first day).
    assert!(
        hl[0].starts_with("咨询高峰：2026-11-01 23:00，顾客消息 23 条/小时，响应时间中位数 12 秒、P90 63 秒"),
        "{hl:?}"
    );
    let mut off = d.clone();
    off.hourly[23].median_secs = None;
    let hl = highlights(&off, 20);
    assert!(hl[0].contains("；考核时段内最忙的是 2026-11-02 23:00，23 条"), "{hl:?}");
    assert!(hl[1].contains("小婷 21.0%") && hl[1].contains("团队 40.0%"), "{hl:?}");
    assert!(hl[2].contains("最多的是：售后顾虑 19 单") && hl[2].contains("另有 60 单"), "{hl:?}");
    assert!(hl.iter().any(|s| s.contains("爆发") && s.contains("27.0%")), "{hl:?}");
}

/// A shop's own business hours, cap, session gap and attribution window are what the page's definitions name.
#[test]
fn definitions_follow_the_settings() {
    let file = crate::config::ConfigFile {
        business_hours: crate::config::BusinessHours { start: "09:00".into(), end: "21:30".into() },
        cap_secs: 300,
        session_gap_mins: 45,
        attribution_hours: 48,
        target_secs: 30,
        ..Default::default()
    };
    let settings = crate::config::Settings::resolve(file, &Default::default(), "t".into()).unwrap();
    let r = results();
    let html = page(&Page {
        version: "0",
        period: String::new(),
        rows: crate::model::RowCounts::default(),
        settings: &settings,
        results: &r,
        charts: &[],
        chart_data: &ChartData::default(),
        embed_font: false,
        warnings: &[],
    })
    .unwrap();
    for want in ["考核时段（09:00–21:30）", "上限 300 秒", "不超过 45 分钟", "下单前 48 小时", "30 秒内响应率"]
    {
        assert!(html.contains(want), "{want}");
    }
    for stale in ["08:00–23:00", "600 秒", "72 小时", "30 分钟"] {
        assert!(!html.contains(stale), "{stale}");
    }
}

#[test]
fn same_input_same_bytes_and_font_embedded_when_asked() {
    let r = results();
    let d = ChartData::default();
    assert_eq!(page_of(&r, &[], &d), page_of(&r, &[], &d));
    let with_font = page(&Page {
        version: "0",
        period: String::new(),
        rows: crate::model::RowCounts::default(),
        settings: &crate::config::Settings::default(),
        results: &r,
        charts: &[],
        chart_data: &d,
        embed_font: true,
        warnings: &[],
    })
    .unwrap();
    assert!(with_font.contains("@font-face{font-family:kefu-cjk;src:url(data:font/ttf;base64,"));
}
