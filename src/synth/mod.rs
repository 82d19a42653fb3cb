//! `kefu gen`: a realistic synthetic input folder with planted ground truth.
//!
//! One women's-clothing shop around a Double-11 promotion: a warm-up that ramps up, a peak day with a midnight
//! rush, and an after-sale tail. Agents differ in speed and work shifts; replies slow down with load; customers
//! open with greetings, ask about size, fabric, price, shipping, invoices, stock and returns; auto-replies answer
//! first (and do not stop the clock); night messages get a bot notice and usually wait for the morning; some
//! conversations are transferred; some customers come back after ordering (a second session).
//!
//! Written with the files: `messages.csv`, `orders.csv`, `aftersales.csv`, `kefu.toml` (the promotion phases), and
//! `truth/`: `turns.csv`, every planted turn with its owner and intended response time (empty = unanswered);
//! `violations.csv`, every planted rule hit (8 % of conversations carry a planted exchange — a violation, a near
//! miss that must not be flagged, or an intent — and every session's greeting/closing follows from how its agent
//! lines were made); `intents.csv`, every session with a planted refund or complaint intent.
//! Guarantees: the same options give byte-identical files; memory holds one day of messages at a time, so
//! `--messages 10000000` runs in bounded memory.

pub mod layouts;
mod lexicon;

use crate::error::{KefuError, Result};
use crate::model::{SECS_PER_DAY, Sender, Ts};
use crate::rng::Rng;
use crate::timefmt::{day_start, format_ts};
use chrono::{Datelike, NaiveDate};
use lexicon::*;
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

/// A planted intent of a session.
struct TruthIntent {
    conv: u64,
    session: u32,
    intent: &'static str,
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

struct Ctx<'a> {
    agents: &'a [Agent],
    hour_w: [f64; 24],
    max_hour_w: f64,
    day_w: f64,
    promo: bool,
}

impl Ctx<'_> {
    /// How much slower replies are at this moment because of load.
    fn load_mult(&self, ts: Ts) -> f64 {
        let h = (ts.rem_euclid(SECS_PER_DAY) / 3600) as usize;
        (1.0 + 0.7 * (self.day_w - 1.0).max(0.0) * self.hour_w[h] / self.max_hour_w).min(5.0)
    }

    fn on_duty(&self, ts: Ts) -> Vec<usize> {
        let h = ts.rem_euclid(SECS_PER_DAY) / 3600;
        (0..self.agents.len()).filter(|&i| self.agents[i].shift.0 <= h && h < self.agents[i].shift.1).collect()
    }

    fn assign(&self, ts: Ts, rng: &mut Rng) -> usize {
        let mut pool = self.on_duty(ts);
        if pool.is_empty() {
            pool = (0..self.agents.len()).filter(|&i| self.agents[i].shift.1 == 23).collect();
        }
        if pool.is_empty() {
            pool = (0..self.agents.len()).collect();
        }
        let w: Vec<f64> = pool.iter().map(|&i| 1.0 / self.agents[i].base_secs.sqrt()).collect();
        pool[rng.weighted(&w)]
    }
}

fn in_business_hours(ts: Ts) -> bool {
    let h = ts.rem_euclid(SECS_PER_DAY) / 3600;
    (8..23).contains(&h)
}

/// Fills `{slots}` of a template.
fn fill(t: &str, rng: &mut Rng, product: (&str, i64, i64, &str), agent: &str) -> String {
    if !t.contains('{') {
        return t.to_string();
    }
    t.replace("{product}", product.0)
        .replace("{fabric}", product.3)
        .replace("{agent}", agent)
        .replace("{size}", rng.pick(SIZES))
        .replace("{color}", rng.pick(COLORS))
        .replace("{city}", rng.pick(CITIES))
        .replace("{h}", &rng.range(150, 178).to_string())
        .replace("{w}", &rng.range(85, 150).to_string())
        .replace("{n}", &(rng.range(1, 6) * 10).to_string())
}

/// Builds one conversation message by message, keeping the clock and the open turn as the definitions see them.
struct Script<'a, 'b> {
    ctx: &'a Ctx<'b>,
    rng: Rng,
    conv: u64,
    customer: u32,
    agent: usize,
    t: Ts,
    session: u32,
    turn_no: u32,
    open: Option<(Ts, usize)>,
    rows: Vec<Row>,
    truth: Vec<TruthTurn>,
    hits: Vec<TruthHit>,
    intents: Vec<TruthIntent>,
    /// (time, strength, category) of the customer's lines hinting at an unpaid reason (`PLANTED_HINTS`).
    hints: Vec<(Ts, u8, &'static str)>,
    /// (time, agent, kind) of the current session's first and last agent line.
    first_agent: Option<(Ts, usize, Line)>,
    last_agent: Option<(Ts, usize, Line)>,
}

impl Script<'_, '_> {
    fn push(&mut self, sender: Sender, text: String, order: Option<u64>) {
        self.rows.push(Row {
            ts: self.t,
            conv: self.conv,
            customer: self.customer,
            agent: self.agent,
            sender,
            text,
            order,
        });
    }
    fn push_agent(&mut self, text: String, kind: Line) {
        let at = (self.t, self.agent, kind);
        self.first_agent.get_or_insert(at);
        self.last_agent = Some(at);
        self.push(Sender::Agent, text, None);
    }
    fn plant(&mut self, rule: &'static str) {
        let (conv, ts, agent) = (self.conv, self.t, self.agent);
        self.hits.push(TruthHit { conv, ts, rule, agent });
    }
    fn wait(&mut self, secs: i64) {
        self.t += secs.clamp(1, MAX_INNER_GAP);
    }
    /// Waits a random number of seconds in [lo, hi].
    fn pause(&mut self, lo: i64, hi: i64) {
        let secs = self.rng.range(lo, hi);
        self.wait(secs);
    }
    fn customer_says(&mut self, text: String, order: Option<u64>) {
        for &(phrase, category, strength) in PLANTED_HINTS {
            if text.contains(phrase) {
                self.hints.push((self.t, strength, category));
            }
        }
        if self.open.is_none() {
            self.turn_no += 1;
            self.open = Some((self.t, self.agent));
        }
        self.push(Sender::Customer, text, order);
    }
    fn bot_says(&mut self, text: &str) {
        self.pause(1, 3);
        self.push(Sender::Bot, text.to_string(), None);
    }
    /// The agent answers the open turn after a planted response time; returns false when it stays unanswered.
    fn agent_answers(&mut self, text: String, kind: Line, difficulty: f64, answer_p: f64) -> bool {
        let Some((start, owner)) = self.open else { return false };
        let a = &self.ctx.agents[self.agent];
        let load = self.ctx.load_mult(start);
        let miss = (a.miss * load.sqrt()).min(0.5);
        if !self.rng.chance(answer_p * (1.0 - miss)) {
            return false;
        }
        let mut rt = self.rng.lognormal(a.base_secs * load * difficulty, 0.55);
        if self.rng.chance(0.02) {
            rt += self.rng.range(200, 1200) as f64;
        }
        let rt = (rt.round() as i64).clamp(2, MAX_INNER_GAP);
        // The answer comes after every customer message of the turn.
        self.t = (start + rt).max(self.t + 1);
        let response = self.t - start;
        self.open = None;
        self.record(start, owner, Some(response));
        self.push_agent(text, kind);
        true
    }
    /// Ends the current session: an open turn is unanswered; a first agent line that is no greeting and a last
    /// one that is no closing are the session's no_greeting / no_closing.
    fn end_session(&mut self) {
        if let Some((start, owner)) = self.open.take() {
            self.record(start, owner, None);
        }
        let conv = self.conv;
        if let Some((ts, agent, kind)) = self.first_agent.take()
            && kind != Line::Greeting
        {
            self.hits.push(TruthHit { conv, ts, rule: "no_greeting", agent });
        }
        if let Some((ts, agent, kind)) = self.last_agent.take()
            && kind != Line::Closing
        {
            self.hits.push(TruthHit { conv, ts, rule: "no_closing", agent });
        }
    }
    /// Records a closed turn in the truth.
    fn record(&mut self, start: Ts, owner: usize, response: Option<i64>) {
        let (conv, session, turn) = (self.conv, self.session, self.turn_no);
        self.truth.push(TruthTurn { conv, session, turn, agent: owner, start, response });
    }
    fn new_session(&mut self, gap: i64) {
        self.end_session();
        self.t += gap.max(MIN_SESSION_GAP);
        self.session += 1;
        self.turn_no = 0;
    }
    /// Plays a planted exchange; false when the agent left a turn unanswered (the session ends there).
    fn scenario(&mut self, sc: &Scenario) -> bool {
        for (i, (c, a)) in sc.pairs.iter().enumerate() {
            self.pause(5, 120);
            self.customer_says(c.to_string(), None);
            if i == 0
                && let Some(intent) = sc.intent
            {
                let (conv, session) = (self.conv, self.session);
                self.intents.push(TruthIntent { conv, session, intent });
            }
            let text = a.replace("{phone}", &format!("1{}{:09}", self.rng.range(3, 9), self.rng.range(0, 999_999_999)));
            if !self.agent_answers(text, Line::Plain, 1.0, 1.0) {
                return false;
            }
            if let Some((rule, at)) = sc.rule
                && at == i
            {
                self.plant(rule);
            }
        }
        true
    }
    fn finish(mut self, order: Option<OrderRow>) -> ConvOut {
        self.end_session();
        ConvOut { rows: self.rows, truth: self.truth, hits: self.hits, intents: self.intents, order }
    }
    /// 催付 for an order created at `created` and not paid: a later session opened by the agent's reminder (now
    /// and then four in a row, or one at night: planted over-reminders). Returns (paid at, reminders, reason).
    fn remind(&mut self, created: Ts, order_id: u64) -> (Option<Ts>, u32, Option<&'static str>) {
        let at = created + self.rng.range(900, 6 * 3600);
        self.new_session(at - self.t);
        if self.rng.chance(0.08) {
            // At night: move to 22:00–23:30 of the day unless it is night already.
            let clock = self.t.rem_euclid(SECS_PER_DAY);
            if (8 * 3600..22 * 3600).contains(&clock) {
                self.t += 22 * 3600 - clock + self.rng.range(0, 5400);
            }
        }
        let count = if self.rng.chance(0.1) { 4 } else { 1 };
        let mut sent: Vec<Ts> = Vec::new();
        for i in 0..count {
            if i > 0 {
                self.pause(120, 900);
            }
            let text = self.rng.pick(PAYMENT_REMINDERS).to_string();
            self.push_agent(text, Line::Greeting);
            sent.push(self.t);
        }
        // Over-reminders by construction: the 4th within 24 h, and any sent in [22:00, 08:00).
        for (i, &ts) in sent.iter().enumerate() {
            let clock = ts.rem_euclid(SECS_PER_DAY);
            if i >= 3 || !(8 * 3600..22 * 3600).contains(&clock) {
                let (conv, agent) = (self.conv, self.agent);
                self.hits.push(TruthHit { conv, ts, rule: "over_reminder", agent });
            }
        }
        self.pause(30, 900);
        let outcome = if self.rng.chance(0.35) {
            0
        } else if self.rng.chance(0.9) {
            1
        } else {
            2
        };
        match outcome {
            0 => {
                let text = self.rng.pick(PAY_AFTER_REMINDER).to_string();
                self.customer_says(text, Some(order_id));
                let c = self.rng.pick(AGENT_CLOSINGS).to_string();
                self.agent_answers(c, Line::Closing, 0.8, 1.0);
                (Some(self.t + self.rng.range(30, 600)), count as u32, None)
            }
            1 => {
                let (category, lines) = self.rng.pick(UNPAID_REASONS);
                let text = self.rng.pick(lines).to_string();
                self.customer_says(text, Some(order_id));
                let c = self.rng.pick(AGENT_CLOSINGS).to_string();
                self.agent_answers(c, Line::Closing, 0.8, 1.0);
                (None, count as u32, Some(category))
            }
            _ => (None, count as u32, None),
        }
    }
    fn agent_name(&self) -> &'static str {
        self.ctx.agents[self.agent].name
    }
}

struct ConvOut {
    rows: Vec<Row>,
    truth: Vec<TruthTurn>,
    hits: Vec<TruthHit>,
    intents: Vec<TruthIntent>,
    order: Option<OrderRow>,
}

/// Share of conversations with a planted exchange (a violation, a near miss or an intent).
const PLANT_RATE: f64 = 0.08;
/// Share of conversations whose agent answers the opening without a greeting.
const BARE_GREETING_RATE: f64 = 0.03;

fn conversation(ctx: &Ctx, rng: Rng, conv: u64, customer: u32, start: Ts, order_id: u64) -> ConvOut {
    let mut s = Script {
        ctx,
        rng,
        conv,
        customer,
        agent: 0,
        t: start,
        session: 1,
        turn_no: 0,
        open: None,
        rows: Vec::new(),
        truth: Vec::new(),
        hits: Vec::new(),
        intents: Vec::new(),
        hints: Vec::new(),
        first_agent: None,
        last_agent: None,
    };
    s.agent = ctx.assign(start, &mut s.rng);
    let product = s.rng.pick(PRODUCTS);
    let night = !in_business_hours(start);

    // Opening: a greeting, often with the first question right behind it.
    let opener = s.rng.pick(CUSTOMER_OPENERS).to_string();
    s.customer_says(opener, None);
    let first_topic = s.rng.pick(TOPICS);
    if s.rng.chance(0.5) {
        s.pause(2, 15);
        let q = fill(s.rng.pick(first_topic.questions), &mut s.rng, product, "");
        s.customer_says(q, None);
    }
    if night {
        s.bot_says(BOT_NIGHT);
        if !s.rng.chance(0.25) {
            // Waits for the morning: the agent picks the message up in a new session (or never).
            if s.rng.chance(0.6) {
                let next_morning = (start.div_euclid(SECS_PER_DAY)
                    + i64::from(start.rem_euclid(SECS_PER_DAY) >= 8 * 3600))
                    * SECS_PER_DAY
                    + 8 * 3600
                    + s.rng.range(60, 5400);
                s.new_session(next_morning - s.t);
                s.agent = ctx.assign(s.t, &mut s.rng);
                s.push_agent("亲，早上好，看到您的留言了，请问还需要帮助吗？".into(), Line::Greeting);
                s.pause(30, 900);
                s.customer_says("嗯，想再问一下".into(), None);
            } else {
                return s.finish(None);
            }
        }
    } else if s.rng.chance(if ctx.promo { 0.8 } else { 0.45 }) {
        let text = if ctx.promo && s.rng.chance(0.5) { BOT_PROMO } else { s.rng.pick(BOT_WELCOME) };
        s.bot_says(text);
    }
    let name = s.agent_name();
    let (greet, kind) = if s.rng.chance(BARE_GREETING_RATE) {
        (s.rng.pick(BARE_FIRST_REPLIES).to_string(), Line::Plain)
    } else {
        (fill(s.rng.pick(AGENT_GREETINGS), &mut s.rng, product, name), Line::Greeting)
    };
    if !s.agent_answers(greet, kind, 0.7, 1.0) {
        return s.finish(None);
    }

    // Questions and answers.
    let topics = s.rng.range(1, 4);
    let mut topic = first_topic;
    let plant_at = s.rng.chance(PLANT_RATE).then(|| s.rng.range(0, topics - 1));
    for k in 0..topics {
        if plant_at == Some(k) {
            let sc = &SCENARIOS[s.rng.range(0, SCENARIOS.len() as i64 - 1) as usize];
            if !s.scenario(sc) {
                return s.finish(None);
            }
        }
        if k > 0 || s.rows.iter().filter(|r| r.sender == Sender::Customer).count() == 1 {
            s.pause(5, 240);
            let q = fill(s.rng.pick(topic.questions), &mut s.rng, product, "");
            s.customer_says(q, None);
            // Sometimes a second message before the answer: it only extends the turn.
            if s.rng.chance(0.2) {
                s.pause(2, 12);
                let q = fill(s.rng.pick(topic.questions), &mut s.rng, product, "");
                s.customer_says(q, None);
            }
        }
        // A transfer to a colleague, announced by the system.
        if s.rng.chance(0.03) && ctx.agents.len() > 1 {
            let from = s.agent;
            let mut to = s.rng.range(0, ctx.agents.len() as i64 - 1) as usize;
            if to == from {
                to = (to + 1) % ctx.agents.len();
            }
            s.pause(3, 20);
            s.push(Sender::System, format!("{}将会话转接给{}", ctx.agents[from].name, ctx.agents[to].name), None);
            s.agent = to;
        }
        let answer = fill(s.rng.pick(topic.answers), &mut s.rng, product, "");
        if !s.agent_answers(answer, Line::Plain, topic.difficulty, 1.0) {
            return s.finish(None);
        }
        if s.rng.chance(0.3) {
            s.pause(3, 15);
            let text = s.rng.pick(AGENT_SECOND_LINES).to_string();
            s.push_agent(text, Line::Closing);
        }
        if s.rng.chance(0.25) {
            s.pause(3, 60);
            let text = s.rng.pick(CUSTOMER_FOLLOWUPS).to_string();
            s.customer_says(text, None);
        }
        topic = s.rng.pick(TOPICS);
    }
    // Closing: the customer thanks; the agent usually answers with a closing line.
    s.pause(5, 120);
    let text = s.rng.pick(CUSTOMER_CLOSINGS).to_string();
    s.customer_says(text, None);
    let closing = s.rng.pick(AGENT_CLOSINGS).to_string();
    s.agent_answers(closing, Line::Closing, 0.8, 0.9);

    // An order may follow; some customers come back to ask about it.
    let mut order = None;
    if s.rng.chance(0.38) {
        let created = s.t + s.rng.range(60, 7200);
        let paid = s.rng.chance(0.8).then(|| created + (s.rng.lognormal(240.0, 1.2).round() as i64).clamp(5, 86_400));
        let qty = if s.rng.chance(0.15) { 2 } else { 1 };
        let price = s.rng.range(product.1 / 10, product.2 / 10) * 10 - 1;
        let explicit = s.rng.chance(0.1).then_some(s.agent);
        let (mut reminders, mut reason) = (0, None);
        let paid = if paid.is_some() || !s.rng.chance(0.7) {
            paid
        } else {
            // Not paid: the agent reminds (催付) in a later session; the customer pays, gives a reason, or is silent.
            let (paid, n, r) = s.remind(created, order_id);
            reminders = n;
            reason = r;
            paid
        };
        if paid.is_none() && reason.is_none() {
            // Unpaid without a stated reason: the strongest, then latest, doubt the customer voiced, if any.
            let best = s.hints.iter().max_by_key(|(ts, strength, _)| (*strength, *ts));
            reason = Some(best.map_or(crate::payments::UNKNOWN, |h| h.2));
        }
        order = Some(OrderRow {
            id: order_id,
            customer,
            created,
            paid,
            amount: price * qty,
            agent: explicit,
            reminders,
            reason,
        });
        if let Some(paid) = paid
            && reminders == 0
            && s.rng.chance(0.25)
        {
            let back = paid.max(created) + s.rng.range(600, 20_000);
            s.new_session(back - s.t);
            let q = s.rng.pick(RETURN_QUESTIONS).to_string();
            s.customer_says(q, Some(order_id));
            // Most agents greet a returning customer before answering.
            let greets = s.rng.chance(0.85);
            let first = if greets { s.rng.pick(RETURN_GREETINGS) } else { s.rng.pick(RETURN_ANSWERS) };
            let answered =
                s.agent_answers(first.to_string(), if greets { Line::Greeting } else { Line::Plain }, 1.0, 1.0);
            if answered && greets {
                s.pause(3, 20);
                let a = s.rng.pick(RETURN_ANSWERS).to_string();
                s.push_agent(a, Line::Plain);
            }
            if answered && s.rng.chance(0.5) {
                s.pause(5, 60);
                s.customer_says("好的，谢谢".into(), None);
                let c = s.rng.pick(AGENT_CLOSINGS).to_string();
                s.agent_answers(c, Line::Closing, 0.8, 0.9);
            }
        }
    }
    s.finish(order)
}

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

    let mut summary = GenSummary::default();
    let mut orders: Vec<OrderRow> = Vec::new();
    let mut next_customer: u32 = 1;
    let mut conv_no: u64 = 0;
    let conv_id = |n: u64| format!("C{n:08}");
    for (di, day) in days.iter().enumerate() {
        let mut rng = root.fork(1 + di as u64);
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
            rows.extend(c.rows);
            truth.extend(c.truth);
            hits.extend(c.hits);
            intents.extend(c.intents);
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
                reason: paid.is_none().then_some(crate::payments::UNKNOWN),
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
    }
    mw.flush().map_err(io_err(&mpath))?;
    tw.flush().map_err(io_err(&tpath))?;
    vw.flush().map_err(io_err(&vpath))?;
    iw.flush().map_err(io_err(&ipath))?;

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
    let kpath = out.join("kefu.toml");
    std::fs::write(&kpath, toml).map_err(io_err(&kpath))?;
    layouts::convert(out, opts.layout)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

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
