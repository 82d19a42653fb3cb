//! `kefu gen`: a realistic synthetic input folder with planted ground truth.
//!
//! One women's-clothing shop around a Double-11 promotion: a warm-up that ramps up, a peak day with a midnight
//! rush, and an after-sale tail. Agents differ in speed and work shifts; replies slow down with load; customers
//! open with greetings, ask about size, fabric, price, shipping, invoices, stock and returns; auto-replies answer
//! first (and do not stop the clock); night messages get a bot notice and usually wait for the morning; some
//! conversations are transferred; some customers come back after ordering (a second session).
//!
//! Written with the files: `messages.csv`, `orders.csv`, `aftersales.csv`, `ratings.csv`, `kefu.toml` (the promotion
//! phases, the teams and the shifts, a night one among them), and
//! `truth/`: `turns.csv`, every planted turn with its owner and intended response time (empty = unanswered);
//! `violations.csv`, every planted rule hit (8 % of conversations carry a planted exchange — a violation, a near
//! miss that must not be flagged, or an intent — and every session's greeting/closing follows from how its agent
//! lines were made); `intents.csv`, every session with a planted refund or complaint intent; `topics.csv`, the
//! topic (SPEC §3) of every session whose questions all come from one category and that holds nothing else (no
//! planted exchange, no stated reason, no question about an order); `transfers.csv`, every
//! planted transfer (the system's `甲将会话转接给乙`, SPEC §8); `lost.csv`, every customer who wrote and never ordered
//! (询单流失) with the reason planted in its words: a stated one, else the strongest, then latest, doubt, else 未知;
//! `ratings.csv`, every planted satisfaction rating with the session it belongs to and the agent it counts for
//! (`ratings.rs`; the ratings themselves are the input file `ratings.csv`).
//! Guarantees: the same options give byte-identical files; memory holds one day of messages at a time, so
//! `--messages 10000000` runs in bounded memory.
//!
//! This file holds the calendar, the agents and the writing of the files; `script.rs` plays one conversation
//! message by message; `lexicon.rs` holds the words; `layouts.rs` rewrites the canonical files as real exports.

pub mod layouts;
mod lexicon;
mod ratings;
mod script;

use crate::error::{KefuError, Result};
use crate::model::{SECS_PER_DAY, Sender, Ts};
use crate::rng::Rng;
use crate::timefmt::{day_start, format_ts};
use chrono::{Datelike, NaiveDate};
use lexicon::*;
use script::{Ctx, conversation};
use std::io::BufWriter;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct GenOptions {
    /// About this many messages are written (generation stops at the first conversation past each day's share).
    pub messages: u64,
    pub agents: u32,
    pub start: NaiveDate,
    pub days: u32,
    pub seed: u64,
    /// The files the shop is written as (`layouts`): the canonical CSVs, or a supervisor's real exports.
    pub layout: layouts::Layout,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSummary {
    pub messages: u64,
    pub conversations: u64,
    pub turns: u64,
    pub orders: u64,
    pub cases: u64,
}

/// Longest silence planted inside a session; sessions split only where intended (gap 30 min).
const MAX_INNER_GAP: i64 = 1700;
/// Shortest silence between two planted sessions of a conversation.
const MIN_SESSION_GAP: i64 = 2400;

const HOUR_WEIGHTS: [f64; 24] = [
    0.5, 0.3, 0.15, 0.1, 0.08, 0.08, 0.15, 0.3, 0.6, 0.9, 1.0, 1.0, 0.8, 0.8, 0.95, 1.0, 0.95, 0.85, 0.8, 0.9, 1.0,
    1.0, 0.85, 0.6,
];

struct Agent {
    id: String,
    name: &'static str,
    /// Median seconds to answer a plain question at normal load.
    base_secs: f64,
    /// Chance of leaving a turn unanswered at normal load.
    miss: f64,
    /// Working hours [start, end).
    shift: (i64, i64),
}

struct Row {
    ts: Ts,
    conv: u64,
    customer: u32,
    agent: usize,
    sender: Sender,
    text: String,
    order: Option<u64>,
}

/// What an agent line is, by construction: the session truth of no_greeting/no_closing follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Greeting,
    Closing,
    Plain,
}

/// A planted rule hit: when, which rule, by which agent.
struct TruthHit {
    conv: u64,
    ts: Ts,
    rule: &'static str,
    agent: usize,
}

/// A planted transfer (SPEC §8): when, from which agent to which.
struct TruthTransfer {
    conv: u64,
    ts: Ts,
    from: usize,
    to: usize,
}

/// A planted intent of a session.
struct TruthIntent {
    conv: u64,
    session: u32,
    intent: &'static str,
}

/// The planted topic of a session (SPEC §3): its questions all come from one category and it holds nothing else.
struct TruthTopic {
    conv: u64,
    session: u32,
    topic: &'static str,
}

struct TruthTurn {
    conv: u64,
    session: u32,
    turn: u32,
    agent: usize,
    start: Ts,
    response: Option<i64>,
}

struct OrderRow {
    id: u64,
    customer: u32,
    created: Ts,
    paid: Option<Ts>,
    amount: i64,
    agent: Option<usize>,
    /// 催付 messages planted while the order was unpaid.
    reminders: u32,
    /// For an order left unpaid: the planted reason (a SPEC category, or 未知 when the customer gave none).
    reason: Option<&'static str>,
}

/// Load of a day relative to a normal day: the promotion shape.
fn day_weight(day: NaiveDate, peak: NaiveDate) -> f64 {
    let d = (day - peak).num_days();
    let w = match d {
        0 => 5.0,
        -3..=-1 => 1.0 + 0.3 * (4 + d) as f64,
        1 => 2.2,
        2 => 1.6,
        3 => 1.3,
        _ if d > 3 => 1.1,
        _ => 1.0,
    };
    if day.weekday().num_days_from_monday() >= 5 { w * 1.1 } else { w }
}

fn hour_weights(is_peak: bool) -> [f64; 24] {
    let mut w = HOUR_WEIGHTS;
    if is_peak {
        w[0] *= 6.0; // the promotion opens at midnight
        w[1] *= 3.0;
        for x in &mut w[20..24] {
            *x *= 1.3;
        }
    }
    w
}

/// The peak day: 11 November when it falls in the generated days, else the middle day.
fn peak_day(start: NaiveDate, days: u32) -> NaiveDate {
    let end = start + chrono::Days::new(days.saturating_sub(1) as u64);
    (start.year()..=end.year())
        .filter_map(|y| NaiveDate::from_ymd_opt(y, 11, 11))
        .find(|d| *d >= start && *d <= end)
        .unwrap_or(start + chrono::Days::new((days / 2) as u64))
}

/// The phases the generated data has (预热 warm-up, 爆发 peak, 返场 after), as date ranges.
pub fn phases(start: NaiveDate, days: u32) -> Vec<(&'static str, NaiveDate, NaiveDate)> {
    let end = start + chrono::Days::new(days.saturating_sub(1) as u64);
    let peak = peak_day(start, days);
    let mut v = Vec::new();
    if peak > start {
        v.push(("预热", start, peak.pred_opt().expect("date")));
    }
    v.push(("爆发", peak, peak));
    if peak < end {
        v.push(("返场", peak.succ_opt().expect("date"), end));
    }
    v
}

fn make_agents(n: u32, rng: &mut Rng) -> Vec<Agent> {
    let n = n.max(1) as usize;
    // Speeds from fast to slow, dealt to names in a shuffled order.
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.range(0, i as i64) as usize);
    }
    (0..n)
        .map(|i| {
            let name = AGENT_NAMES[i % AGENT_NAMES.len()];
            let rank = order[i] as f64 / (n.max(2) - 1) as f64;
            let suffix = if i >= AGENT_NAMES.len() { format!("{}", i / AGENT_NAMES.len() + 1) } else { String::new() };
            Agent {
                id: format!("{SHOP}:{name}{suffix}"),
                name,
                base_secs: 4.0 + 26.0 * rank.powf(1.3),
                miss: 0.004 + 0.03 * rank,
                shift: match i % 3 {
                    0 => (8, 17),
                    1 => (14, 23),
                    _ => (9, 21),
                },
            }
        })
        .collect()
}

/// The generated teams by agent index: 售前 the first half, 售后 the rest but the last, who is in no team (未分组).
fn teams(agents: usize) -> [(&'static str, std::ops::Range<usize>); 2] {
    let half = agents.div_ceil(2);
    [("售前", 0..half), ("售后", half..agents.saturating_sub(1).max(half))]
}

/// Another agent of `agent`'s team (the next one, round the team), or `None` for an agent without a teammate: the
/// agent some orders are credited to instead of the one the customer asked (a sale closed by a teammate).
pub(super) fn teammate(agents: usize, agent: usize) -> Option<usize> {
    let (_, team) = teams(agents).into_iter().find(|(_, r)| r.contains(&agent))?;
    (team.len() > 1).then(|| team.start + (agent - team.start + 1) % team.len())
}

/// kefu.toml's `[teams]` and `[[shifts]]` (SPEC §8): the teams of `teams`, 售前 by full id, 售后 by sub-account name
/// (as supervisors write them); a day shift and a night shift that passes midnight, which the late agents work when
/// they answer night messages.
fn roster(agents: &[Agent]) -> String {
    let quoted = |xs: Vec<&str>| xs.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(", ");
    let [(pre_name, pre), (after_name, after)] = teams(agents.len());
    let pre: Vec<&str> = agents[pre].iter().map(|a| a.id.as_str()).collect();
    let after: Vec<&str> = agents[after].iter().map(|a| a.id.rsplit(':').next().unwrap_or(&a.id)).collect();
    let mut t = format!("\n[teams]\n{pre_name} = [{}]\n", quoted(pre));
    if !after.is_empty() {
        t.push_str(&format!("{after_name} = [{}]\n", quoted(after)));
    }
    t.push_str("\n[[shifts]]\nname = \"早班\"\nstart = \"08:00\"\nend = \"16:00\"\n");
    t.push_str("\n[[shifts]]\nname = \"晚班\"\nstart = \"16:00\"\nend = \"02:00\"\n");
    t
}

/// A doubt a customer voiced: (strength, time, unpaid-reason category).
type Hint = (u8, Ts, &'static str);

fn customer_name(id: u32) -> String {
    let nick = NICK_PARTS[(id as usize * 7) % NICK_PARTS.len()];
    format!("tb_{nick}{id}")
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> KefuError + '_ {
    move |e| KefuError::output(path, e)
}

fn csv_writer(path: &Path) -> Result<csv::Writer<BufWriter<std::fs::File>>> {
    let f = std::fs::File::create(path).map_err(io_err(path))?;
    Ok(csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, f)))
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> KefuError + '_ {
    move |e| KefuError::output(path, std::io::Error::other(e.to_string()))
}

/// Writes a synthetic INPUT folder.
pub fn generate(out: &Path, opts: &GenOptions) -> Result<GenSummary> {
    if opts.days == 0 || opts.agents == 0 {
        return Err(KefuError::Usage("--days and --agents must be at least 1".into()));
    }
    let truth_dir = out.join("truth");
    std::fs::create_dir_all(&truth_dir).map_err(io_err(&truth_dir))?;
    let root = Rng::new(opts.seed);
    let agents = make_agents(opts.agents, &mut root.fork(0xA6E47));
    let peak = peak_day(opts.start, opts.days);
    let days: Vec<NaiveDate> = (0..opts.days).map(|i| opts.start + chrono::Days::new(i as u64)).collect();
    let weights: Vec<f64> = days.iter().map(|d| day_weight(*d, peak)).collect();
    let total_w: f64 = weights.iter().sum();

    let mpath = out.join("messages.csv");
    let mut mw = csv_writer(&mpath)?;
    mw.write_record(["conversation_id", "timestamp", "shop", "customer_id", "agent_id", "sender", "text", "order_id"])
        .map_err(csv_err(&mpath))?;
    let tpath = truth_dir.join("turns.csv");
    let mut tw = csv_writer(&tpath)?;
    tw.write_record(["conversation_id", "session_no", "turn_no", "agent_id", "start", "response_secs"])
        .map_err(csv_err(&tpath))?;
    let vpath = truth_dir.join("violations.csv");
    let mut vw = csv_writer(&vpath)?;
    vw.write_record(["conversation_id", "timestamp", "agent_id", "rule_id"]).map_err(csv_err(&vpath))?;
    let ipath = truth_dir.join("intents.csv");
    let mut iw = csv_writer(&ipath)?;
    iw.write_record(["conversation_id", "session_no", "intent"]).map_err(csv_err(&ipath))?;
    let topath = truth_dir.join("topics.csv");
    let mut tow = csv_writer(&topath)?;
    tow.write_record(["conversation_id", "session_no", "topic"]).map_err(csv_err(&topath))?;
    let xpath = truth_dir.join("transfers.csv");
    let mut xw = csv_writer(&xpath)?;
    xw.write_record(["conversation_id", "timestamp", "from_agent", "to_agent"]).map_err(csv_err(&xpath))?;

    let rpath = out.join("ratings.csv");
    let mut rw = csv_writer(&rpath)?;
    rw.write_record(["customer_id", "agent_id", "rated_at", "rating"]).map_err(csv_err(&rpath))?;
    let rtpath = truth_dir.join("ratings.csv");
    let mut rtw = csv_writer(&rtpath)?;
    rtw.write_record(["customer_id", "rated_at", "agent_id", "session_id", "rating"]).map_err(csv_err(&rtpath))?;

    let mut summary = GenSummary::default();
    // Per customer id, for those who wrote (every conversation opens with the customer): whether the customer
    // ordered in any conversation, and the strongest, then latest, doubt it voiced anywhere (the lost inquiries).
    let mut customers: Vec<Option<(bool, Option<Hint>)>> = Vec::new();
    let mut orders: Vec<OrderRow> = Vec::new();
    let mut next_customer: u32 = 1;
    let mut conv_no: u64 = 0;
    let conv_id = |n: u64| format!("C{n:08}");
    for (di, day) in days.iter().enumerate() {
        let mut rng = root.fork(1 + di as u64);
        // Ratings draw from their own stream, so planting them changes nothing else.
        let mut rating_rng = root.fork(0x5A7_0000 + di as u64);
        let mut rated: Vec<ratings::Planted> = Vec::new();
        let is_peak = *day == peak;
        let hour_w = hour_weights(is_peak);
        let ctx = Ctx {
            agents: &agents,
            hour_w,
            // Load is relative to a normal day's busiest hour.
            max_hour_w: HOUR_WEIGHTS.iter().cloned().fold(0.0, f64::max),
            day_w: weights[di],
            promo: (day_weight(*day, peak) >= 1.5),
        };
        let quota = (opts.messages as f64 * weights[di] / total_w).round() as u64;
        let mut rows: Vec<Row> = Vec::new();
        let mut truth: Vec<TruthTurn> = Vec::new();
        let mut hits: Vec<TruthHit> = Vec::new();
        let mut intents: Vec<TruthIntent> = Vec::new();
        let mut topics: Vec<TruthTopic> = Vec::new();
        let mut transfers: Vec<TruthTransfer> = Vec::new();
        let midnight = day_start(*day);
        while (rows.len() as u64) < quota {
            conv_no += 1;
            let hour = rng.weighted(&hour_w) as i64;
            let start = midnight + hour * 3600 + rng.range(0, 3599);
            // Some customers come back on a later conversation.
            let customer = if next_customer > 50 && rng.chance(0.15) {
                rng.range(1, next_customer as i64 - 1) as u32
            } else {
                next_customer += 1;
                next_customer - 1
            };
            let c = conversation(&ctx, rng.fork(conv_no), conv_no, customer, start, orders.len() as u64 + 1);
            summary.conversations += 1;
            rated.extend(ratings::plant(&c, &mut rating_rng));
            rows.extend(c.rows);
            truth.extend(c.truth);
            hits.extend(c.hits);
            intents.extend(c.intents);
            topics.extend(c.topics);
            transfers.extend(c.transfers);
            if customers.len() <= customer as usize {
                customers.resize(customer as usize + 1, None);
            }
            let known = customers[customer as usize].get_or_insert((false, None));
            known.0 |= c.order.is_some();
            for &(ts, strength, category) in &c.hints {
                known.1 = known.1.max(Some((strength, ts, category)));
            }
            orders.extend(c.order);
        }
        // Silent orders: bought without chatting.
        for _ in 0..(quota / 80) {
            let created = midnight + rng.range(0, SECS_PER_DAY - 1);
            let product = rng.pick(PRODUCTS);
            let paid = rng.chance(0.9).then(|| created + rng.range(10, 1800));
            next_customer += 1;
            orders.push(OrderRow {
                id: orders.len() as u64 + 1,
                customer: next_customer - 1,
                created,
                paid,
                amount: rng.range(product.1 / 10, product.2 / 10) * 10 - 1,
                agent: None,
                reminders: 0,
                reason: paid.is_none().then_some(crate::model::UnpaidReason::Unknown.label()),
            });
        }
        // A day's messages in time order, as a chat export lists them; ties keep generation order.
        rows.sort_by_key(|r| r.ts);
        for r in &rows {
            mw.write_record([
                conv_id(r.conv).as_str(),
                &format_ts(r.ts),
                SHOP,
                &customer_name(r.customer),
                &agents[r.agent].id,
                r.sender.as_str(),
                &r.text,
                &r.order.map(|o| format!("O{o:08}")).unwrap_or_default(),
            ])
            .map_err(csv_err(&mpath))?;
        }
        summary.messages += rows.len() as u64;
        for t in &truth {
            tw.write_record([
                conv_id(t.conv).as_str(),
                &t.session.to_string(),
                &t.turn.to_string(),
                &agents[t.agent].id,
                &format_ts(t.start),
                &t.response.map(|r| r.to_string()).unwrap_or_default(),
            ])
            .map_err(csv_err(&tpath))?;
        }
        summary.turns += truth.len() as u64;
        for h in &hits {
            let rec = [conv_id(h.conv), format_ts(h.ts), agents[h.agent].id.clone(), h.rule.to_string()];
            vw.write_record(&rec).map_err(csv_err(&vpath))?;
        }
        for i in &intents {
            let rec = [conv_id(i.conv), i.session.to_string(), i.intent.to_string()];
            iw.write_record(&rec).map_err(csv_err(&ipath))?;
        }
        for t in &topics {
            let rec = [conv_id(t.conv), t.session.to_string(), t.topic.to_string()];
            tow.write_record(&rec).map_err(csv_err(&topath))?;
        }
        for r in &rated {
            let (customer, at) = (customer_name(r.customer), format_ts(r.at));
            let named = r.named.map(|a| agents[a].id.as_str()).unwrap_or_default();
            rw.write_record([customer.as_str(), named, &at, &r.stars.to_string()]).map_err(csv_err(&rpath))?;
            let session = format!("{}#{}", conv_id(r.conv), r.session);
            let rec = [customer.as_str(), &at, &agents[r.agent].id, &session, &r.stars.to_string()];
            rtw.write_record(rec).map_err(csv_err(&rtpath))?;
        }
        for x in &transfers {
            let rec = [conv_id(x.conv), format_ts(x.ts), agents[x.from].id.clone(), agents[x.to].id.clone()];
            xw.write_record(&rec).map_err(csv_err(&xpath))?;
        }
    }
    mw.flush().map_err(io_err(&mpath))?;
    rw.flush().map_err(io_err(&rpath))?;
    rtw.flush().map_err(io_err(&rtpath))?;
    let lpath = truth_dir.join("lost.csv");
    let mut lw = csv_writer(&lpath)?;
    lw.write_record(["customer_id", "reason"]).map_err(csv_err(&lpath))?;
    for (id, known) in customers.iter().enumerate() {
        if let Some((false, best)) = known {
            let reason = best.map_or(crate::model::UnpaidReason::Unknown.label(), |b| b.2);
            lw.write_record([customer_name(id as u32).as_str(), reason]).map_err(csv_err(&lpath))?;
        }
    }
    lw.flush().map_err(io_err(&lpath))?;
    tw.flush().map_err(io_err(&tpath))?;
    vw.flush().map_err(io_err(&vpath))?;
    iw.flush().map_err(io_err(&ipath))?;
    tow.flush().map_err(io_err(&topath))?;

    // Orders, and after-sales cases on some paid ones.
    orders.sort_by_key(|o| (o.created, o.id));
    let opath = out.join("orders.csv");
    let mut ow = csv_writer(&opath)?;
    ow.write_record(["order_id", "customer_id", "shop", "created_at", "paid_at", "amount", "agent_id"])
        .map_err(csv_err(&opath))?;
    let cpath = out.join("aftersales.csv");
    let mut cw = csv_writer(&cpath)?;
    cw.write_record([
        "case_id",
        "order_id",
        "customer_id",
        "agent_id",
        "type",
        "reason",
        "opened_at",
        "closed_at",
        "refund_amount",
        "platform_intervened",
    ])
    .map_err(csv_err(&cpath))?;
    let upath = truth_dir.join("unpaid.csv");
    let mut uw = csv_writer(&upath)?;
    uw.write_record(["order_id", "reason", "reminders", "recovered"]).map_err(csv_err(&upath))?;
    let mut rng = root.fork(0xCA5E);
    let kinds = [0.35, 0.35, 0.2, 0.1];
    for o in &orders {
        ow.write_record([
            format!("O{:08}", o.id),
            customer_name(o.customer),
            SHOP.to_string(),
            format_ts(o.created),
            o.paid.map(format_ts).unwrap_or_default(),
            format!("{}.00", o.amount),
            o.agent.map(|a| agents[a].id.clone()).unwrap_or_default(),
        ])
        .map_err(csv_err(&opath))?;
        summary.orders += 1;
        if o.reminders > 0 || o.paid.is_none() {
            let rec = [
                format!("O{:08}", o.id),
                o.reason.unwrap_or_default().to_string(),
                o.reminders.to_string(),
                (o.paid.is_some() && o.reminders > 0).to_string(),
            ];
            uw.write_record(&rec).map_err(csv_err(&upath))?;
        }
        let Some(paid) = o.paid else { continue };
        if !rng.chance(0.08) {
            continue;
        }
        summary.cases += 1;
        let k = rng.weighted(&kinds);
        let (kind, reasons) = CASE_REASONS[k];
        let opened = paid + rng.range(3600, 6 * SECS_PER_DAY);
        let closed = rng
            .chance(0.85)
            .then(|| opened + (rng.lognormal(10.0 * 3600.0, 1.0).round() as i64).clamp(600, 10 * SECS_PER_DAY));
        let refund = match kind {
            "refund_only" | "return_refund" => o.amount,
            _ => 0,
        };
        cw.write_record([
            format!("K{:07}", summary.cases),
            format!("O{:08}", o.id),
            customer_name(o.customer),
            format!("{SHOP}:{}", rng.pick(AFTERSALES_AGENTS)),
            kind.to_string(),
            rng.pick(reasons).to_string(),
            format_ts(opened),
            closed.map(format_ts).unwrap_or_default(),
            format!("{refund}.00"),
            if rng.chance(0.04) { "1" } else { "0" }.to_string(),
        ])
        .map_err(csv_err(&cpath))?;
    }
    ow.flush().map_err(io_err(&opath))?;
    cw.flush().map_err(io_err(&cpath))?;
    uw.flush().map_err(io_err(&upath))?;

    let mut toml = format!(
        "# Settings of a synthetic shop written by `kefu gen --seed {} --start {} --days {}`.\n\
         # Every key is optional; these are the defaults of SPEC §3 except the phases.\n\
         target_secs = 20\ncap_secs = 600\nsession_gap_mins = 30\nattribution_hours = 72\n\
         business_hours = {{ start = \"08:00\", end = \"23:00\" }}\n",
        opts.seed, opts.start, opts.days
    );
    for (name, a, b) in phases(opts.start, opts.days) {
        toml.push_str(&format!("\n[[phases]]\nname = \"{name}\"\nstart = \"{a}\"\nend = \"{b}\"\n"));
    }
    toml.push_str(&roster(&agents));
    let kpath = out.join("kefu.toml");
    std::fs::write(&kpath, toml).map_err(io_err(&kpath))?;
    layouts::convert(out, opts.layout)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_planted_reason_is_an_unpaid_reason_of_the_spec() {
        use crate::model::UnpaidReason;
        let planted = lexicon::UNPAID_REASONS.iter().map(|r| r.0).chain(lexicon::PLANTED_HINTS.iter().map(|h| h.1));
        for label in planted {
            assert!(UnpaidReason::from_label(label).is_some(), "{label}");
        }
    }

    use super::*;

    #[test]
    fn a_teammate_is_the_next_agent_of_the_same_team() {
        // 12 agents: 售前 0–5, 售后 6–10, 11 in no team.
        let mates: Vec<Option<usize>> = (0..12).map(|a| teammate(12, a)).collect();
        let want = [1, 2, 3, 4, 5, 0, 7, 8, 9, 10, 6].map(Some);
        assert_eq!(mates[..11], want);
        assert_eq!(mates[11], None);
        // A team of one has no teammate; 3 agents: 售前 0–1, no 售后, 2 in no team.
        assert_eq!((0..2).map(|a| teammate(2, a)).collect::<Vec<_>>(), [None, None]);
        assert_eq!((0..3).map(|a| teammate(3, a)).collect::<Vec<_>>(), [Some(1), Some(0), None]);
        // The same split as kefu.toml's [teams].
        assert_eq!(teams(12).map(|(_, r)| r), [0..6, 6..11]);
    }

    #[test]
    fn promotion_shape() {
        let start = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(peak_day(start, 21), NaiveDate::from_ymd_opt(2026, 11, 11).unwrap());
        let ph = phases(start, 21);
        assert_eq!(ph.iter().map(|p| p.0).collect::<Vec<_>>(), ["预热", "爆发", "返场"]);
        assert_eq!(ph[2].2, NaiveDate::from_ymd_opt(2026, 11, 21).unwrap());
        let jan = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(peak_day(jan, 1), jan);
        assert_eq!(phases(jan, 1).len(), 1);
        let peak = peak_day(start, 21);
        assert!(day_weight(peak, peak) > 4.0 * day_weight(start, peak));
    }
}
