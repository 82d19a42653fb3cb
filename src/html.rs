//! `index.html`: one self-contained page a supervisor can open or forward (SPEC §4).
//!
//! Pure: `page` takes the figures (result tables, rendered charts, row counts, period) and returns the HTML text;
//! the report stage writes it. Nothing is fetched: the charts are embedded as base64 PNGs and the embedded CJK font
//! is declared as a fallback, so the page reads the same on a machine with no Chinese font and no network.
//! Everything shown comes from the result tables the CSVs are written from (text excerpts are already masked
//! there), and every text is HTML-escaped. The same inputs give the same bytes (no clock, no random ids).

use crate::charts::{Bar, Chart, ChartData};
use crate::error::Result;
use crate::figures::{self, Format};
use crate::model::UnpaidReason;
use base64::Engine;
use polars::prelude::*;
use std::fmt::Write;

/// Rows of each table shown on the page (the CSV has them all).
pub(crate) const TOP_ROWS: usize = 10;

/// What the page shows.
pub struct Page<'a> {
    pub version: &'a str,
    /// `first → last message`, and the `--from/--to` filter if one was given.
    pub period: String,
    pub rows: crate::model::RowCounts,
    /// The resolved settings: every threshold a sentence of the page names (target, business hours, cap, session
    /// gap, attribution window) is read from here.
    pub settings: &'a crate::config::Settings,
    /// The metrics' results in order (`_`-named intermediates are not shown as tables; `_team_periods` gives the
    /// headline).
    pub results: &'a [(String, DataFrame)],
    pub charts: &'a [Chart],
    /// The chart figures, for the sentences under "what stands out".
    pub chart_data: &'a ChartData,
    /// Embed the CJK font as a fallback (off only in tests, to keep their pages small).
    pub embed_font: bool,
    /// What the supervisor must know about the input before trusting the figures (SPEC §7), shown first.
    pub warnings: &'a [crate::model::Warning],
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A whole number with thousands separators (`397,166`), else `num`.
fn big(v: f64) -> String {
    if v.fract() != 0.0 || v.abs() >= 1e15 {
        return num(v);
    }
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v:.1}") }
}

/// A cell as text for the page: rates as percentages, other decimals to two places, times without fractions.
fn cell(col: &str, v: &AnyValue) -> String {
    match v {
        AnyValue::Null => String::new(),
        AnyValue::Float64(f) if figures::is_rate(col) => pct(*f),
        AnyValue::Float32(f) if figures::is_rate(col) => pct(*f as f64),
        AnyValue::Float64(f) => trim_decimals(*f),
        AnyValue::Float32(f) => trim_decimals(*f as f64),
        AnyValue::Boolean(b) => if *b { "是" } else { "否" }.to_string(),
        AnyValue::Datetime(t, unit, _) => {
            let secs = match unit {
                TimeUnit::Nanoseconds => t.div_euclid(1_000_000_000),
                TimeUnit::Microseconds => t.div_euclid(1_000_000),
                TimeUnit::Milliseconds => t.div_euclid(1_000),
            };
            chrono::DateTime::from_timestamp(secs, 0)
                .map(|d| d.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default()
        }
        other => other.get_str().map(str::to_string).unwrap_or_else(|| other.to_string()),
    }
}

fn trim_decimals(f: f64) -> String {
    let s = format!("{f:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// The `all` row of `_team_periods`, as column → value.
fn headline(results: &[(String, DataFrame)]) -> Vec<(String, AnyValue<'static>)> {
    let Some((_, df)) = results.iter().find(|(n, _)| n == "_team_periods") else { return Vec::new() };
    let Ok(period) = df.column("period").and_then(|c| c.str().cloned()) else { return Vec::new() };
    let Some(i) = period.iter().position(|p| p == Some("all")) else { return Vec::new() };
    df.columns().iter().filter_map(|c| c.get(i).ok().map(|v| (c.name().to_string(), v.into_static()))).collect()
}

fn value_of<'v>(h: &'v [(String, AnyValue<'static>)], col: &str) -> Option<&'v AnyValue<'static>> {
    h.iter().find(|(c, _)| c == col).map(|(_, v)| v).filter(|v| !v.is_null())
}

/// A headline figure: its label, value and format, a note under it, and the sentence that defines it (from an entry
/// of the figure registry with `card = true`, the settings filled in).
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub label: String,
    pub value: f64,
    pub format: Format,
    pub note: Option<String>,
    pub def: String,
}

impl Card {
    /// The value as the page shows it.
    fn text(&self) -> String {
        let v = self.value;
        match self.format {
            Format::Count => big(v),
            Format::Rate => pct(v),
            Format::Secs => format!("{} 秒", num(v)),
            Format::Hours => format!("{} 小时", num(v)),
            Format::Money => format!("¥{}", big(v.round())),
            Format::Decimal | Format::Score | Format::Text => num(v),
        }
    }
}

/// The settings a definition names, put into its text: `{target}` seconds, `{hours}` (business hours, `08:00–23:00`),
/// `{cap}` seconds, `{gap}` minutes, `{attribution}` hours, `{offhours_reply}` hours, `{idle}` minutes; and the over-reminder limits of `payments`
/// (`{over_hours}`, `{over_count}`, `{night}`). Definitions are written once with these placeholders, so a shop that
/// changes its business hours reads its own hours on the page.
fn fill(text: &str, s: &crate::config::Settings) -> String {
    let clock = |secs: i64| format!("{:02}:{:02}", secs / 3600, secs / 60 % 60);
    text.replace("{target}", &s.target_secs.to_string())
        .replace("{hours}", &format!("{}–{}", clock(s.business_start), clock(s.business_end)))
        .replace("{cap}", &s.cap_secs.to_string())
        .replace("{gap}", &(s.session_gap_secs / 60).to_string())
        .replace("{attribution}", &(s.attribution_secs / 3600).to_string())
        .replace("{offhours_reply}", &(s.offhours_reply_secs / 3600).to_string())
        .replace("{idle}", &(s.idle_secs / 60).to_string())
        .replace("{over_hours}", &(crate::payments::OVER_WINDOW / 3600).to_string())
        .replace("{over_count}", &crate::payments::OVER_COUNT.to_string())
        .replace("{night}", &format!("{}–{}", clock(crate::payments::NIGHT_START), clock(crate::payments::NIGHT_END)))
}

/// A card's note: its `{column}` placeholders replaced by that column's value in the headline row; none when one of
/// them is empty.
fn note(text: &str, h: &[(String, AnyValue<'static>)]) -> Option<String> {
    let mut out = text.to_string();
    while let Some(open) = out.find('{') {
        let close = open + out[open..].find('}')?;
        let v = value_of(h, &out[open + 1..close])?.get_str()?.to_string();
        out.replace_range(open..=close, &v);
    }
    Some(out)
}

/// The headline figures of the page (and of report.xlsx's first sheet): the registry's cards, in its order, valued
/// from the `all` row of `_team_periods`; a card whose value is empty is left out.
pub(crate) fn headline_cards(results: &[(String, DataFrame)], settings: &crate::config::Settings) -> Vec<Card> {
    let h = headline(results);
    figures::all()
        .iter()
        .filter(|f| f.card)
        .filter_map(|f| {
            let value = value_of(&h, f.column.as_deref()?).and_then(|v| v.extract::<f64>())?;
            Some(Card {
                label: fill(&f.zh, settings),
                value,
                format: f.format?,
                note: f.note.as_deref().and_then(|n| note(n, &h)),
                def: fill(f.def.as_deref()?, settings),
            })
        })
        .collect()
}

/// Sentences naming what a supervisor looks for first: the busiest hour and its slowdown, the slowest agents, the
/// top unpaid reasons, the most frequent rule, the weakest phase. Each is drawn from the chart figures.
fn highlights(d: &ChartData, target: i64) -> Vec<String> {
    let mut out = Vec::new();
    let busiest = |counted: bool| {
        d.hourly
            .iter()
            .filter(|h| h.customer_messages > 0.0 && (!counted || h.median_secs.is_some()))
            .max_by(|a, b| a.customer_messages.total_cmp(&b.customer_messages).then(b.hour.cmp(&a.hour)))
    };
    if let Some(peak) = busiest(false) {
        let mut meds: Vec<f64> = d.hourly.iter().filter_map(|h| h.median_secs).collect();
        meds.sort_by(f64::total_cmp);
        let typical = meds.get(meds.len() / 2).copied();
        let mut s = format!("咨询高峰：{}，顾客消息 {} 条/小时", peak.hour, num(peak.customer_messages));
        // The peak may fall outside business hours (no response figures): then also the busiest counted hour.
        if let Some(h) = busiest(true) {
            if h.hour != peak.hour {
                let _ = write!(s, "；考核时段内最忙的是 {}，{} 条", h.hour, num(h.customer_messages));
            }
            if let Some(m) = h.median_secs {
                let _ = write!(s, "，响应时间中位数 {} 秒", num(m));
            }
            if let Some(p) = h.p90_secs {
                let _ = write!(s, "、P90 {} 秒", num(p));
            }
            if let Some(t) = typical {
                let _ = write!(s, "（各小时中位数的中位数 {} 秒）", num(t));
            }
        }
        s.push('。');
        out.push(s);
    }
    if !d.agents_within.is_empty() {
        let mut a: Vec<_> = d.agents_within.iter().collect();
        a.sort_by(|x, y| x.value.total_cmp(&y.value).then(x.label.cmp(&y.label)));
        let names: Vec<String> = a.iter().take(3).map(|b| format!("{} {}", b.label, pct(b.value))).collect();
        let mut s = format!("{target} 秒内响应率最低的客服：{}", names.join("、"));
        if let Some(t) = d.team_within {
            let _ = write!(s, "（团队 {}）", pct(t));
        }
        s.push('。');
        out.push(s);
    }
    if !d.unpaid_reasons.is_empty() {
        out.push(reasons_sentence(&d.unpaid_reasons, "单", "未付款原因最多的是", "未付款订单在聊天中都没有找到原因"));
    }
    if !d.lost_reasons.is_empty() {
        let lost: f64 = d.lost_reasons.iter().map(|b| b.value).sum();
        let s = reasons_sentence(&d.lost_reasons, "人", "原因最多的是", "都没有说原因");
        out.push(format!("询单流失 {} 人，{s}", num(lost)));
    }
    if let Some(top) = d.violations_by_rule.first() {
        out.push(format!("最常见的质检违规：{}（{} 次）。", top.label, num(top.value)));
    }
    if d.phases.len() > 1
        && let Some(w) = d
            .phases
            .iter()
            .filter(|p| p.within_target_rate.is_some())
            .min_by(|a, b| a.within_target_rate.unwrap_or(0.0).total_cmp(&b.within_target_rate.unwrap_or(0.0)))
    {
        let mut s = format!(
            "响应最慢的大促阶段：{}，{target} 秒内响应率 {}",
            w.phase,
            pct(w.within_target_rate.unwrap_or(0.0))
        );
        if let Some(m) = w.median_response_secs {
            let _ = write!(s, "，中位数 {} 秒", num(m));
        }
        s.push('。');
        out.push(s);
    }
    out
}

/// The three most frequent known reasons of a reasons chart, and how many said none (未知).
fn reasons_sentence(bars: &[Bar], unit: &str, lead: &str, none: &str) -> String {
    let mut r: Vec<_> = bars.iter().collect();
    r.sort_by(|x, y| y.value.total_cmp(&x.value).then(x.label.cmp(&y.label)));
    let unknown_label = UnpaidReason::Unknown.label();
    let names: Vec<String> = r
        .iter()
        .filter(|b| b.label != unknown_label)
        .take(3)
        .map(|b| format!("{} {} {unit}", b.label, num(b.value)))
        .collect();
    let unknown = r.iter().find(|b| b.label == unknown_label).map_or(0.0, |b| b.value);
    let mut s = if names.is_empty() { none.to_string() } else { format!("{lead}：{}", names.join("、")) };
    if unknown > 0.0 && !names.is_empty() {
        let _ = write!(s, "（另有 {} {unit}聊天中没有线索，记为未知）", num(unknown));
    }
    s.push('。');
    s
}

/// A sentence for each table: what one row is and what it is for.
fn table_about(name: &str) -> (&'static str, &'static str) {
    match name {
        "agent_scorecard" => ("客服绩效表", "每位客服一行：响应、转化、催付、质检、售后与综合得分，按名次排列。"),
        "teams" => (
            "客服分组表",
            "每个分组（kefu.toml 的 [teams]）一行：按分组自己的轮次、会话、订单与评价计算的各项指标；未列入分组的客服为“未分组”。",
        ),
        "agent_days" => (
            "客服班次表",
            "客服 × 班次日一行：首末条消息、在线时长、会话、轮次、达标率与最大同时接待；跨零点的夜班算在开始那天。",
        ),
        "weekly_agents" => ("每周客服表", "客服 × ISO 周一行，*_delta 为与该客服上一周相比的变化。"),
        "sessions" => {
            ("会话表", "每个会话一行：客服、顾客、消息数、首次响应、未回复轮次、退款/投诉意向、咨询类型与违规数。")
        }
        "violations" => ("质检违规明细", "每次规则命中一行，含命中文字和已脱敏的上下文。"),
        "unpaid_orders" => ("未付款订单", "每个仍未付款的订单一行，含原因类别、证据消息与催付次数。"),
        "unpaid_reasons" => ("未付款原因汇总", "每个原因类别一行：订单数、占比与金额。"),
        "lost_inquiries" => {
            ("询单流失明细", "每位咨询过却没有下单的顾客一行：最后一次会话、接待客服、从顾客原话读出的原因与证据。")
        }
        "lost_reasons" => ("询单流失原因汇总", "每个原因类别一行：流失顾客数与占比。"),
        "topics" => (
            "热点问题（咨询类型）",
            "ISO 周 × 咨询类型一行：顾客开口的会话数、占当周比例、与上周相比的变化，以及一条已脱敏的顾客原话示例。",
        ),
        "aftersales_agents" => ("售后客服表", "每位售后处理人一行：退款、处理时长、当日结案率、纠纷、投诉与售后得分。"),
        "hourly" => ("每小时负荷", "每小时一行：顾客消息数、轮次、响应时间中位数与 P90、达标率、在线客服数。"),
        "phases" => ("大促阶段表", "每个大促阶段（kefu.toml 中设置）一行，各项核心指标。"),
        "shops" => ("店铺汇总", "每个店铺一行：会话、订单与静默下单。"),
        _ => ("", "自定义查询（--queries）的结果。"),
    }
}

/// The rows shown for a table: its first rows, except `hourly`, where the busiest hours say more than the first.
fn shown_rows(name: &str, df: &DataFrame) -> (DataFrame, &'static str) {
    if name == "hourly" && df.column("customer_messages").is_ok() {
        let opts = SortMultipleOptions::default().with_order_descending(true).with_maintain_order(true);
        if let Ok(sorted) = df.sort(["customer_messages"], opts) {
            return (sorted.head(Some(TOP_ROWS)), "最忙的");
        }
    }
    (df.head(Some(TOP_ROWS)), "前")
}

fn table_html(out: &mut String, name: &str, df: &DataFrame) {
    let (title, about) = table_about(name);
    let (top, which) = shown_rows(name, df);
    let heading = if title.is_empty() { name.to_string() } else { format!("{title} · {name}") };
    let _ = write!(
        out,
        "<section class=\"table\" id=\"t-{id}\"><h3>{h}</h3><p>{about} 共 {n} 行{shown}，完整数据见 \
         <a href=\"{id}.csv\">{id}.csv</a>。</p>",
        id = esc(name),
        h = esc(&heading),
        about = esc(about),
        n = df.height(),
        shown = if df.height() > TOP_ROWS { format!("，下表为{which} {TOP_ROWS} 行") } else { String::new() },
    );
    out.push_str("<div class=\"scroll\"><table><thead><tr>");
    for c in df.columns() {
        let _ = write!(out, "<th>{}</th>", esc(c.name()));
    }
    out.push_str("</tr></thead><tbody>");
    for i in 0..top.height() {
        out.push_str("<tr>");
        for c in top.columns() {
            let v = c.get(i).map(|v| cell(c.name(), &v)).unwrap_or_default();
            let class = match c.dtype() {
                d if d.is_primitive_numeric() => " class=\"n\"",
                _ => "",
            };
            let _ = write!(out, "<td{class}>{}</td>", esc(&v));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></section>\n");
}

/// The page's style sheet, a file a designer can edit (`src/html/page.css`).
const STYLE: &str = include_str!("html/page.css");

/// A sentence under each chart saying how to read it.
fn chart_about(file: &str, target: i64) -> String {
    match file {
        "charts/response_times.png" => {
            format!("考核时段内每轮首次回复用时的分布；红色虚线为 {target} 秒目标，橙色为超过目标的轮次。")
        }
        "charts/agents_within_target.png" => "每位客服在目标时间内回复的轮次比例，由高到低；灰色虚线为团队整体。".into(),
        "charts/hourly_load.png" => {
            "蓝色面积为每小时顾客消息数（左轴），绿点和橙点为该小时响应时间中位数和 P90（右轴）：高峰时段的变慢一目了然。"
                .into()
        }
        "charts/funnel.png" => {
            "全店询单顾客中下单、付款的人数（订单归属到客服的才算）；未下单的即询单流失。".into()
        }
        "charts/unpaid_reasons.png" => "仍未付款的订单按原因分类的订单数与占比。".into(),
        "charts/lost_reasons.png" => "咨询过却没有下单的顾客，按其原话读出的原因分类的人数与占比（未知：没说原因）。".into(),
        "charts/topics.png" => "数据最后一周顾客开口的会话按咨询类型（热点问题）分类的会话数，条尾注明占比与较上周的变化；其他：说得太少，读不出类型。".into(),
        "charts/violations_by_rule.png" => "各质检规则的命中次数。".into(),
        "charts/violations_by_agent.png" => "每位客服的质检命中次数，条尾注明扣分（多数命中是不扣分的服务规范，如未使用结束语）。".into(),
        "charts/aftersales_agents.png" => "左：每位售后处理人的退款、投诉、纠纷件数；右：售后得分（0–100）。".into(),
        "charts/phases.png" => "各大促阶段的响应、转化与违规对比。".into(),
        "charts/weekly_change.png" => "最后一周每位客服综合得分与上一周相比的变化：绿色上升，红色下降。".into(),
        _ => String::new(),
    }
}

/// The page.
pub fn page(p: &Page) -> Result<String> {
    let mut o = String::with_capacity(64 * 1024);
    o.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
    o.push_str("<title>客服数据报告 · kefu</title><style>");
    if p.embed_font {
        let b64 = base64::engine::general_purpose::STANDARD.encode(crate::charts::FONT);
        let _ = write!(o, "@font-face{{font-family:kefu-cjk;src:url(data:font/ttf;base64,{b64}) format('truetype')}}");
    }
    o.push_str(STYLE);
    o.push_str("</style></head><body><main>\n");
    let _ = writeln!(
        o,
        "<h1>客服数据报告</h1><p class=\"meta\">数据期间：{}<br>读入 {} 行，使用 {} 行，拒收 {} 行{}{}{}。</p>",
        esc(&p.period),
        p.rows.read,
        p.rows.used,
        p.rows.rejected,
        if p.rows.rejected > 0 { "（见 <a href=\"rejects.csv\">rejects.csv</a>）" } else { "" },
        if p.rows.duplicates > 0 {
            format!("，重复消息 {} 条（只计一次）", p.rows.duplicates)
        } else {
            String::new()
        },
        if p.rows.out_of_period > 0 {
            format!("，筛选期间外 {} 行", p.rows.out_of_period)
        } else {
            String::new()
        }
    );
    if p.rows.skipped > 0 {
        let _ = writeln!(
            o,
            "<p class=\"meta\">另有非数据行 {} 行已跳过并计数（标题行、合计行、已读标记、撤回与转接提示等，见 summary.json）。</p>",
            p.rows.skipped
        );
    }
    if !p.warnings.is_empty() {
        o.push_str("<div class=\"warn\"><b>请先看：输入数据的问题</b><ul>");
        for w in p.warnings {
            let _ = write!(o, "<li>{}</li>", esc(&w.zh));
        }
        o.push_str("</ul></div>\n");
    }

    let target = p.settings.target_secs;
    let cards = headline_cards(p.results, p.settings);
    if !cards.is_empty() {
        o.push_str("<h2>核心指标</h2><div class=\"cards\">");
        for c in &cards {
            // The note is a line under the label (the top unpaid reason).
            let note = c.note.as_ref().map(|n| format!("<div class=\"s\">{}</div>", esc(n))).unwrap_or_default();
            let _ = write!(
                o,
                "<div class=\"card\" title=\"{}\"><div class=\"v\">{}</div><div class=\"l\">{}</div>{note}</div>",
                esc(&c.def),
                esc(&c.text()),
                esc(&c.label)
            );
        }
        o.push_str("</div>\n");
    }
    let hl = highlights(p.chart_data, target);
    if !hl.is_empty() {
        o.push_str("<h2>值得关注</h2><ul class=\"hl\">");
        for s in &hl {
            let _ = write!(o, "<li>{}</li>", esc(s));
        }
        o.push_str("</ul>\n");
    }

    if !p.charts.is_empty() {
        o.push_str("<h2>图表</h2>\n");
        for c in p.charts {
            let b64 = base64::engine::general_purpose::STANDARD.encode(&c.png);
            let _ = writeln!(
                o,
                "<figure id=\"{id}\"><img alt=\"{t}\" src=\"data:image/png;base64,{b64}\"><figcaption><b>{t}</b>　{about} \
                 （<a href=\"{f}\">{f}</a>）</figcaption></figure>",
                id = esc(c.file.trim_start_matches("charts/").trim_end_matches(".png")),
                t = esc(&c.title),
                about = esc(&chart_about(&c.file, target)),
                f = esc(&c.file),
            );
        }
    }

    o.push_str("<h2>数据表</h2>\n");
    for (name, df) in p.results.iter().filter(|(n, _)| !n.starts_with('_')) {
        table_html(&mut o, name, df);
    }
    let _ = writeln!(
        o,
        "<section class=\"table\" id=\"t-rejects\"><h3>拒收行 · rejects</h3><p>无法使用的输入行（文件、行号、原因）：{} 行，\
         见 <a href=\"rejects.csv\">rejects.csv</a>。</p></section>",
        p.rows.rejected
    );

    o.push_str("<h2>指标定义</h2><dl>");
    for c in &cards {
        let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", esc(&c.label), esc(&c.def));
    }
    for f in figures::all().iter().filter(|f| !f.card) {
        if let Some(def) = &f.def {
            let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", esc(f.term()), esc(&fill(def, p.settings)));
        }
    }
    o.push_str("</dl>\n");
    let _ = write!(
        o,
        "<footer>kefu {} 生成。文本摘录中的手机号、身份证号和地址已脱敏。summary.json 记录输入、设置与各阶段用时。</footer>",
        esc(p.version)
    );
    o.push_str("</main></body></html>\n");
    Ok(o)
}

#[cfg(test)]
mod tests;
