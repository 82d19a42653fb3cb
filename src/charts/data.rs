//! The figures the charts draw, read from the result tables of the metrics stage (so a chart always shows what
//! the CSV next to it says), plus the response times of the counted turns for the distribution.

use crate::error::{KefuError, Result};
use polars::prelude::*;

/// A labelled value; `note` replaces the value written at the bar's end.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HourRow {
    /// `YYYY-MM-DD HH:00`.
    pub hour: String,
    pub customer_messages: f64,
    pub median_secs: Option<f64>,
    pub p90_secs: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AftersalesRow {
    pub agent: String,
    pub refund_cases: f64,
    pub complaints: f64,
    pub disputes: f64,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhaseRow {
    pub phase: String,
    pub within_target_rate: Option<f64>,
    pub median_response_secs: Option<f64>,
    pub conversion_rate: Option<f64>,
    pub violations_per_1000: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartData {
    pub target_secs: f64,
    /// Response seconds of the answered counted turns (business hours), capped as in the tables, as a distribution:
    /// each second with how many turns took it (never 0), by second. One value per turn was millions of values to
    /// sort at 10 M messages, for one percentile.
    pub response_secs: Vec<(f64, usize)>,
    pub unanswered: usize,
    pub agents_within: Vec<Bar>,
    pub team_within: Option<f64>,
    /// The shop's funnel (SPEC §8): customers who asked, ordered and paid, from the `all` row of `_team_periods`;
    /// empty without orders.
    pub funnel: Vec<Bar>,
    pub hourly: Vec<HourRow>,
    pub unpaid_reasons: Vec<Bar>,
    /// Lost inquiries per reason (`lost_reasons`): customers, with their share.
    pub lost_reasons: Vec<Bar>,
    /// The last week of `topics` and its sessions per topic (noted with the share and its change against the week
    /// before), most asked first.
    pub topics: Option<(String, Vec<Bar>)>,
    pub violations_by_rule: Vec<Bar>,
    pub violations_by_agent: Vec<Bar>,
    pub aftersales: Vec<AftersalesRow>,
    pub phases: Vec<PhaseRow>,
    /// The last week of the data and each agent's change in score against the week before.
    pub week_change: Option<(String, Vec<Bar>)>,
}

/// Bins of a response-time distribution: `counts[i]` holds `[i·width, (i+1)·width)`, the last bin everything from
/// `overflow_from` up.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub width: f64,
    pub overflow_from: f64,
    pub counts: Vec<usize>,
}

/// Bins a quarter of the target wide, up to the 95th percentile (at least twice the target, at most 40 bins).
pub(crate) fn histogram(secs: &[(f64, usize)], target: f64) -> Histogram {
    let width = if target > 0.0 { target / 4.0 } else { 5.0 };
    // The 95th percentile as the value at index ⌊0.95 n⌋ of the n sorted values (`secs` is sorted).
    let n: usize = secs.iter().map(|s| s.1).sum();
    let k = ((n as f64 * 0.95) as usize).min(n.saturating_sub(1));
    let mut seen = 0;
    let p95 = secs.iter().find(|s| {
        seen += s.1;
        seen > k
    });
    let p95 = p95.map(|s| s.0);
    let upper = ((p95.unwrap_or(0.0) / width).ceil() * width).clamp(2.0 * target.max(width), 40.0 * width);
    let bins = (upper / width).round() as usize;
    let mut counts = vec![0usize; bins + 1];
    for &(s, n) in secs {
        let i = ((s / width).floor().max(0.0) as usize).min(bins);
        counts[i] += n;
    }
    Histogram { width, overflow_from: upper, counts }
}

/// Agent labels for charts: the part after `shop:` when that is unique, else the whole id.
pub(crate) fn short_names(ids: &[String]) -> Vec<String> {
    let short: Vec<&str> = ids.iter().map(|id| id.rsplit_once(':').map_or(id.as_str(), |(_, s)| s)).collect();
    ids.iter()
        .zip(&short)
        .map(|(id, s)| {
            // Ambiguous when another id (not the same one again) has the same short name.
            let clash = ids.iter().zip(&short).any(|(other, o)| o == s && other != id);
            if clash { id.clone() } else { s.to_string() }
        })
        .collect()
}

fn table<'a>(results: &'a [(String, DataFrame)], name: &str) -> Option<&'a DataFrame> {
    results.iter().find(|(n, _)| n == name).map(|(_, df)| df)
}

fn fail(e: PolarsError) -> KefuError {
    KefuError::Chart { name: "data".into(), reason: e.to_string() }
}

/// A column as floats (missing column → all empty, so a user's replaced query does not break the charts).
fn floats(df: &DataFrame, col: &str) -> Result<Vec<Option<f64>>> {
    let Ok(c) = df.column(col) else { return Ok(vec![None; df.height()]) };
    let s = c.as_materialized_series().cast(&DataType::Float64).map_err(fail)?;
    Ok(s.f64().map_err(fail)?.iter().collect())
}

/// One bar per reason of a reasons table (`unpaid_reasons`, `lost_reasons`): its count, noted with its share.
fn reason_bars(df: &DataFrame, count: &str) -> Result<Vec<Bar>> {
    let reasons = strings(df, "reason")?;
    let counts = floats(df, count)?;
    let shares = floats(df, "share")?;
    let bars = reasons.into_iter().zip(counts).zip(shares).map(|((r, n), s)| {
        let value = n.unwrap_or(0.0);
        let note = s.map(|s| format!("{}（{:.0}%）", value, s * 100.0));
        Bar { label: r.unwrap_or_default(), value, note }
    });
    Ok(bars.collect())
}

/// The last week's rows of `topics` as bars: sessions, noted with the share and its change in percentage points.
fn topic_bars(df: &DataFrame) -> Result<Option<(String, Vec<Bar>)>> {
    let weeks = strings(df, "week")?;
    let Some(last) = weeks.iter().flatten().max().cloned() else { return Ok(None) };
    let (topics, sessions) = (strings(df, "topic")?, floats(df, "sessions")?);
    let (shares, deltas) = (floats(df, "share")?, floats(df, "share_delta")?);
    let mut bars = Vec::new();
    for i in (0..df.height()).filter(|&i| weeks[i].as_deref() == Some(last.as_str())) {
        let value = sessions[i].unwrap_or(0.0);
        let mut note = format!("{}（{:.0}%", value, shares[i].unwrap_or(0.0) * 100.0);
        if let Some(dl) = deltas[i] {
            note += &format!("，较上周 {:+.0} 个百分点", dl * 100.0);
        }
        note += "）";
        bars.push(Bar { label: topics[i].clone().unwrap_or_default(), value, note: Some(note) });
    }
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    Ok(Some((last, bars)))
}

fn strings(df: &DataFrame, col: &str) -> Result<Vec<Option<String>>> {
    let Ok(c) = df.column(col) else { return Ok(vec![None; df.height()]) };
    let s = c.as_materialized_series().cast(&DataType::String).map_err(fail)?;
    Ok(s.str().map_err(fail)?.iter().map(|o| o.map(str::to_string)).collect())
}

/// Each value of a string column (empty cells left out) with its rows and the sum of `summed` (the values of another
/// column, row by row; an empty cell adds 0) over them, by value. One pass over the column's own strings: the
/// violations table has a row per hit, a million at 10 M messages, and a `String` made per row took most of the
/// charts stage.
fn tally(df: &DataFrame, col: &str, summed: &[Option<f64>]) -> Result<std::collections::BTreeMap<String, (f64, f64)>> {
    let Ok(c) = df.column(col) else { return Ok(Default::default()) };
    let s = c.as_materialized_series().cast(&DataType::String).map_err(fail)?;
    let mut m: std::collections::HashMap<&str, (f64, f64)> = Default::default();
    for (v, x) in s.str().map_err(fail)?.iter().zip(summed) {
        if let Some(v) = v {
            let e = m.entry(v).or_default();
            e.0 += 1.0;
            e.1 += x.unwrap_or(0.0);
        }
    }
    Ok(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// A `tally`'s rows per value as bars (largest first), labelled by `names` of the values.
fn bars_of(t: &std::collections::BTreeMap<String, (f64, f64)>, names: impl Fn(&[String]) -> Vec<String>) -> Vec<Bar> {
    let keys: Vec<String> = t.keys().cloned().collect();
    let mut bars: Vec<Bar> =
        names(&keys).into_iter().zip(t.values()).map(|(label, v)| Bar { label, value: v.0, note: None }).collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
    bars
}

/// Reads the chart figures from the metrics' results (`agent_scorecard`, `hourly`, …, and `_team_periods`) and the
/// derived `response_counts` table (turns counted per capped second).
pub fn from_results(results: &[(String, DataFrame)], counted: &DataFrame, target_secs: f64) -> Result<ChartData> {
    let mut d = ChartData { target_secs, ..Default::default() };

    let answered = floats(counted, "answered")?;
    let in_hours = floats(counted, "in_hours")?;
    let turns = floats(counted, "turns")?;
    let secs = floats(counted, "capped_secs")?;
    for (((secs, a), h), n) in secs.into_iter().zip(answered).zip(in_hours).zip(turns) {
        let n = n.unwrap_or(0.0) as usize;
        if h != Some(1.0) {
            continue;
        }
        match secs.filter(|_| a == Some(1.0)) {
            Some(s) if n > 0 => d.response_secs.push((s, n)),
            Some(_) => {}
            None => d.unanswered += n,
        }
    }
    d.response_secs.sort_by(|a, b| a.0.total_cmp(&b.0));
    d.response_secs.dedup_by(|b, a| {
        let same = a.0.total_cmp(&b.0).is_eq();
        if same {
            a.1 += b.1;
        }
        same
    });

    if let Some(df) = table(results, "agent_scorecard") {
        let ids: Vec<String> = strings(df, "agent_id")?.into_iter().map(Option::unwrap_or_default).collect();
        for (label, v) in short_names(&ids).into_iter().zip(floats(df, "within_target_rate")?) {
            if let Some(value) = v {
                d.agents_within.push(Bar { label, value, note: None });
            }
        }
    }
    if let Some(df) = table(results, "_team_periods") {
        let periods = strings(df, "period")?;
        let rates = floats(df, "within_target_rate")?;
        d.team_within = periods.iter().zip(rates).find(|(p, _)| p.as_deref() == Some("all")).and_then(|(_, r)| r);
        let all = periods.iter().position(|p| p.as_deref() == Some("all"));
        let at = |col: &str| -> Result<f64> { Ok(all.and_then(|i| floats(df, col).ok()?[i]).unwrap_or(0.0)) };
        let (asked, ordered, paid) = (at("customers")?, at("ordering_customers")?, at("paid_customers")?);
        if ordered > 0.0 {
            let pct = |n: f64, of: f64| if of > 0.0 { n / of * 100.0 } else { 0.0 };
            d.funnel = vec![
                Bar { label: "询单".into(), value: asked, note: None },
                Bar {
                    label: "下单".into(),
                    value: ordered,
                    note: Some(format!("{ordered}（询单的 {:.1}%）", pct(ordered, asked))),
                },
                Bar {
                    label: "付款".into(),
                    value: paid,
                    note: Some(format!("{paid}（下单的 {:.1}%，询单的 {:.1}%）", pct(paid, ordered), pct(paid, asked))),
                },
            ];
        }
    }
    if let Some(df) = table(results, "hourly") {
        let hours = strings(df, "hour")?;
        let msgs = floats(df, "customer_messages")?;
        let med = floats(df, "median_response_secs")?;
        let p90 = floats(df, "p90_response_secs")?;
        for (((h, m), md), p) in hours.into_iter().zip(msgs).zip(med).zip(p90) {
            let h = h.unwrap_or_default();
            d.hourly.push(HourRow {
                hour: h.get(0..16).unwrap_or(&h).to_string(),
                customer_messages: m.unwrap_or(0.0),
                median_secs: md,
                p90_secs: p,
            });
        }
    }
    if let Some(df) = table(results, "unpaid_reasons") {
        d.unpaid_reasons = reason_bars(df, "orders")?;
    }
    if let Some(df) = table(results, "lost_reasons") {
        d.lost_reasons = reason_bars(df, "customers")?;
    }
    if let Some(df) = table(results, "topics") {
        d.topics = topic_bars(df)?;
    }
    if let Some(df) = table(results, "violations") {
        let points = floats(df, "penalty_points")?;
        d.violations_by_rule = bars_of(&tally(df, "rule", &points)?, |k| k.to_vec());
        let agents = tally(df, "agent_id", &points)?;
        d.violations_by_agent = bars_of(&agents, short_names);
        // Most hits are zero-point service rules (no closing): each agent's bar also says the penalty points.
        let ids: Vec<String> = agents.keys().cloned().collect();
        let points: std::collections::HashMap<String, f64> =
            short_names(&ids).into_iter().zip(agents.values().map(|v| v.1)).collect();
        for b in &mut d.violations_by_agent {
            if let Some(p) = points.get(b.label.as_str()) {
                b.note = Some(format!("{} 次，扣 {} 分", b.value, p));
            }
        }
    }
    if let Some(df) = table(results, "aftersales_agents") {
        let ids: Vec<String> = strings(df, "agent_id")?.into_iter().map(Option::unwrap_or_default).collect();
        let (r, c, x, s) = (
            floats(df, "refund_cases")?,
            floats(df, "complaints")?,
            floats(df, "disputes")?,
            floats(df, "aftersales_score")?,
        );
        for (i, agent) in short_names(&ids).into_iter().enumerate() {
            d.aftersales.push(AftersalesRow {
                agent,
                refund_cases: r[i].unwrap_or(0.0),
                complaints: c[i].unwrap_or(0.0),
                disputes: x[i].unwrap_or(0.0),
                score: s[i],
            });
        }
    }
    if let Some(df) = table(results, "phases") {
        let names = strings(df, "phase")?;
        let (w, m, c, v, s) = (
            floats(df, "within_target_rate")?,
            floats(df, "median_response_secs")?,
            floats(df, "conversion_rate")?,
            floats(df, "violations")?,
            floats(df, "sessions")?,
        );
        for (i, phase) in names.into_iter().enumerate() {
            let per_1000 = match (v[i], s[i]) {
                (Some(v), Some(s)) if s > 0.0 => Some(1000.0 * v / s),
                _ => None,
            };
            d.phases.push(PhaseRow {
                phase: phase.unwrap_or_default(),
                within_target_rate: w[i],
                median_response_secs: m[i],
                conversion_rate: c[i],
                violations_per_1000: per_1000,
            });
        }
    }
    if let Some(df) = table(results, "weekly_agents") {
        let weeks = strings(df, "week")?;
        let ids: Vec<String> = strings(df, "agent_id")?.into_iter().map(Option::unwrap_or_default).collect();
        let deltas = floats(df, "score_delta")?;
        if let Some(last) = weeks.iter().flatten().max().cloned() {
            let names = short_names(&ids);
            let bars: Vec<Bar> = (0..ids.len())
                .filter(|i| weeks[*i].as_deref() == Some(last.as_str()))
                .filter_map(|i| deltas[i].map(|v| Bar { label: names[i].clone(), value: v, note: None }))
                .collect();
            d.week_change = Some((last, bars));
        }
    }
    Ok(d)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar { label: label.into(), value, note: None }
    }

    /// Small figures with every chart present (used by the drawing tests too).
    pub(crate) fn small() -> ChartData {
        ChartData {
            target_secs: 20.0,
            response_secs: [3.0, 8.0, 12.0, 19.0, 21.0, 35.0, 60.0, 600.0].map(|s| (s, 1)).to_vec(),
            unanswered: 1,
            agents_within: vec![bar("小婷", 0.21), bar("小悦", 0.43), bar("售后小宁", 0.6)],
            team_within: Some(0.4),
            funnel: vec![bar("询单", 100.0), bar("下单", 20.0), bar("付款", 15.0)],
            topics: Some(("2026-W47".into(), vec![bar("物流配送", 40.0), bar("售后服务", 25.0), bar("其他", 9.0)])),
            hourly: (0..48)
                .map(|h| HourRow {
                    hour: format!("2026-11-{:02} {:02}:00", 1 + h / 24, h % 24),
                    customer_messages: (h % 24) as f64,
                    median_secs: Some(10.0 + (h % 7) as f64),
                    p90_secs: if h % 5 == 0 { None } else { Some(40.0 + h as f64) },
                })
                .collect(),
            unpaid_reasons: vec![bar("未知", 60.0), bar("售后顾虑", 19.0)],
            lost_reasons: vec![bar("未知", 300.0), bar("尺码/规格", 41.0)],
            violations_by_rule: vec![bar("未使用结束语", 80.0), bar("辱骂客户", 2.0)],
            violations_by_agent: vec![bar("小婷", 30.0), bar("小悦", 52.0)],
            aftersales: vec![
                AftersalesRow {
                    agent: "售后小宁".into(),
                    refund_cases: 28.0,
                    complaints: 6.0,
                    disputes: 0.0,
                    score: Some(76.7),
                },
                AftersalesRow {
                    agent: "售后小静".into(),
                    refund_cases: 32.0,
                    complaints: 1.0,
                    disputes: 3.0,
                    score: None,
                },
            ],
            phases: vec![
                PhaseRow {
                    phase: "预热".into(),
                    within_target_rate: Some(0.65),
                    median_response_secs: Some(14.0),
                    conversion_rate: Some(0.157),
                    violations_per_1000: Some(600.0),
                },
                PhaseRow {
                    phase: "爆发".into(),
                    within_target_rate: Some(0.27),
                    median_response_secs: Some(39.0),
                    conversion_rate: None,
                    violations_per_1000: Some(560.0),
                },
            ],
            week_change: Some(("2026-W46".into(), vec![bar("小婷", 4.98), bar("小悦", -7.3)])),
        }
    }

    #[test]
    fn histogram_bins_and_overflow() {
        let h = histogram(&[(0.0, 1), (4.9, 1), (5.0, 1), (19.9, 1), (20.0, 1), (39.0, 1), (1000.0, 1)], 20.0);
        assert_eq!(h.width, 5.0);
        // p95 is 1000 → clamped to 40 bins of 5 s; 1000 lands in the overflow bin.
        assert_eq!(h.overflow_from, 200.0);
        assert_eq!(h.counts.len(), 41);
        assert_eq!((h.counts[0], h.counts[1], h.counts[3], h.counts[4], h.counts[7], h.counts[40]), (2, 1, 1, 1, 1, 1));
        assert_eq!(h.counts.iter().sum::<usize>(), 7);
        // Small data: at least twice the target.
        assert_eq!(histogram(&[(1.0, 1), (2.0, 1)], 20.0).overflow_from, 40.0);
        // The 95th percentile counts each second as often as turns took it: of 100 turns, the 96th decides.
        assert_eq!(histogram(&[(10.0, 94), (100.0, 6)], 20.0).overflow_from, 100.0);
        assert_eq!(histogram(&[(10.0, 96), (100.0, 4)], 20.0).overflow_from, 40.0);
        assert_eq!(histogram(&[(10.0, 96), (100.0, 4)], 20.0).counts[2], 96);
        assert_eq!(histogram(&[], 20.0).counts.iter().sum::<usize>(), 0);
    }

    #[test]
    fn short_names_keep_ambiguous_ids_whole() {
        let ids: Vec<String> =
            ["店A:小婷", "店A:小悦", "店B:小悦", "无店名", "店A:小婷"].iter().map(|s| s.to_string()).collect();
        assert_eq!(short_names(&ids), ["小婷", "店A:小悦", "店B:小悦", "无店名", "小婷"]);
    }

    #[test]
    fn reads_the_result_tables() {
        let sc = df!("agent_id" => ["店:小婷", "店:小悦"], "within_target_rate" => [Some(0.2), None]).unwrap();
        let team = df!("period" => ["phase:预热", "all"], "within_target_rate" => [0.5, 0.4]).unwrap();
        let v = df!("rule" => ["未使用结束语", "未使用结束语", "辱骂客户"], "agent_id" => ["店:小婷", "店:小悦", "店:小婷"],
            "penalty_points" => [0.0, 0.0, 12.0])
            .unwrap();
        let w = df!("week" => ["2026-W45", "2026-W46", "2026-W46"], "agent_id" => ["店:小婷", "店:小婷", "店:小悦"],
            "score_delta" => [None, Some(3.5), None])
        .unwrap();
        let counted = df!("answered" => [true, false, true, true], "in_hours" => [true, true, false, true],
            "capped_secs" => [5.0, 600.0, 7.0, 30.0], "turns" => [2u32, 3, 1, 1])
        .unwrap();
        let results: Vec<(String, DataFrame)> = vec![
            ("agent_scorecard".into(), sc),
            ("_team_periods".into(), team),
            ("violations".into(), v),
            ("weekly_agents".into(), w),
        ];
        let d = from_results(&results, &counted, 20.0).unwrap();
        assert_eq!(d.response_secs, [(5.0, 2), (30.0, 1)]);
        assert_eq!(d.unanswered, 3);
        assert_eq!(d.agents_within, [bar("小婷", 0.2)]);
        assert_eq!(d.team_within, Some(0.4));
        assert_eq!(d.violations_by_rule, [bar("未使用结束语", 2.0), bar("辱骂客户", 1.0)]);
        let noted = |l: &str, v: f64, n: &str| Bar { label: l.into(), value: v, note: Some(n.into()) };
        assert_eq!(d.violations_by_agent, [noted("小婷", 2.0, "2 次，扣 12 分"), noted("小悦", 1.0, "1 次，扣 0 分")]);
        assert_eq!(d.week_change, Some(("2026-W46".into(), vec![bar("小婷", 3.5)])));
        assert!(d.hourly.is_empty() && d.phases.is_empty() && d.aftersales.is_empty());
    }
}
