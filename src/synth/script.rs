//! One conversation played message by message (`conversation`): who answers and when (shifts, load, auto-replies,
//! night notices, transfers), what is said (the lexicon's templates, planted violations, near misses and intents),
//! and the truth each planted turn and hit leaves behind.

use super::lexicon::*;
use super::{
    Agent, Line, MAX_INNER_GAP, MIN_SESSION_GAP, OrderRow, Row, TruthHit, TruthIntent, TruthTopic, TruthTransfer,
    TruthTurn,
};
use crate::model::{SECS_PER_DAY, Sender, Ts};
use crate::rng::Rng;

pub(super) struct Ctx<'a> {
    pub(super) agents: &'a [Agent],
    pub(super) hour_w: [f64; 24],
    pub(super) max_hour_w: f64,
    pub(super) day_w: f64,
    pub(super) promo: bool,
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
    transfers: Vec<TruthTransfer>,
    /// (time, strength, category) of the customer's lines hinting at an unpaid reason (`PLANTED_HINTS`).
    hints: Vec<(Ts, u8, &'static str)>,
    /// (session, topic category) of every question asked from `TOPICS`.
    asked: Vec<(u32, &'static str)>,
    /// Sessions holding other words than those questions (a planted exchange, a stated reason, a question about an
    /// order): their topic is not planted.
    mixed: Vec<u32>,
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
        self.mixed.push(self.session);
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
    /// The customer asks a question of `topic`.
    fn ask(&mut self, topic: &Topic, product: (&str, i64, i64, &str)) {
        let q = fill(self.rng.pick(topic.questions), &mut self.rng, product, "");
        self.customer_says(q, None);
        self.asked.push((self.session, topic.category));
    }
    /// The planted topic of every session whose questions all come from one category and which holds nothing else.
    fn planted_topics(&self) -> Vec<TruthTopic> {
        let mut out: Vec<TruthTopic> = Vec::new();
        for &(session, category) in &self.asked {
            let one = self.asked.iter().all(|&(s, c)| s != session || c == category);
            if one && !self.mixed.contains(&session) && !out.iter().any(|t| t.session == session) {
                out.push(TruthTopic { conv: self.conv, session, topic: category });
            }
        }
        out
    }
    fn finish(mut self, order: Option<OrderRow>) -> ConvOut {
        self.end_session();
        let topics = self.planted_topics();
        ConvOut {
            rows: self.rows,
            truth: self.truth,
            hits: self.hits,
            intents: self.intents,
            topics,
            transfers: self.transfers,
            hints: self.hints,
            order,
        }
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

pub(super) struct ConvOut {
    pub(super) rows: Vec<Row>,
    pub(super) truth: Vec<TruthTurn>,
    pub(super) hits: Vec<TruthHit>,
    pub(super) intents: Vec<TruthIntent>,
    /// Sessions whose topic is planted (`planted_topics`).
    pub(super) topics: Vec<TruthTopic>,
    pub(super) transfers: Vec<TruthTransfer>,
    /// (time, strength, category) of every doubt the customer voiced, a stated reason for not buying included: the
    /// planted reason of a lost inquiry is the strongest, then latest, over all of the customer's conversations.
    pub(super) hints: Vec<(Ts, u8, &'static str)>,
    pub(super) order: Option<OrderRow>,
}

/// Share of conversations with a planted exchange (a violation, a near miss or an intent).
const PLANT_RATE: f64 = 0.08;
/// Share of conversations without an order whose customer says why before leaving.
const LOST_STATED_RATE: f64 = 0.35;
/// A stated reason counts as strongly as the strongest hint (`PLANTED_HINTS`); being later, it wins.
const STATED_STRENGTH: u8 = 3;
/// Share of conversations whose agent answers the opening without a greeting.
const BARE_GREETING_RATE: f64 = 0.03;

pub(super) fn conversation(ctx: &Ctx, rng: Rng, conv: u64, customer: u32, start: Ts, order_id: u64) -> ConvOut {
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
        transfers: Vec::new(),
        hints: Vec::new(),
        asked: Vec::new(),
        mixed: Vec::new(),
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
        s.ask(&first_topic, product);
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
            s.ask(&topic, product);
            // Sometimes a second message before the answer: it only extends the turn.
            if s.rng.chance(0.2) {
                s.pause(2, 12);
                s.ask(&topic, product);
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
            s.transfers.push(TruthTransfer { conv: s.conv, ts: s.t, from, to });
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
    // A customer who will not buy sometimes says why first (询单流失 with a stated reason, SPEC §8).
    let buys = s.rng.chance(0.38);
    if !buys && s.rng.chance(LOST_STATED_RATE) {
        s.pause(5, 120);
        let mut reasons = UNPAID_REASONS.iter().filter(|r| !ONLY_WITH_AN_ORDER.contains(&r.0));
        let k = s.rng.range(0, reasons.clone().count() as i64 - 1) as usize;
        let (category, lines) = reasons.nth(k).expect("k < count");
        let text = s.rng.pick(lines).to_string();
        s.customer_says(text, None);
        s.hints.push((s.t, STATED_STRENGTH, category));
        s.mixed.push(s.session);
    }
    // Closing: the customer thanks; the agent usually answers with a closing line.
    s.pause(5, 120);
    let text = s.rng.pick(CUSTOMER_CLOSINGS).to_string();
    s.customer_says(text, None);
    let closing = s.rng.pick(AGENT_CLOSINGS).to_string();
    s.agent_answers(closing, Line::Closing, 0.8, 0.9);

    // An order may follow; some customers come back to ask about it.
    let mut order = None;
    if buys {
        let created = s.t + s.rng.range(60, 7200);
        let paid = s.rng.chance(0.8).then(|| created + (s.rng.lognormal(240.0, 1.2).round() as i64).clamp(5, 86_400));
        let qty = if s.rng.chance(0.15) { 2 } else { 1 };
        let price = s.rng.range(product.1 / 10, product.2 / 10) * 10 - 1;
        // Some orders name their agent; a third of those name a teammate of the agent asked (a sale closed by
        // another agent of the team, by the order's number so that the random stream is the same).
        let explicit = s.rng.chance(0.1).then(|| match order_id % 3 {
            0 => super::teammate(s.ctx.agents.len(), s.agent).unwrap_or(s.agent),
            _ => s.agent,
        });
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
            reason = Some(best.map_or(crate::model::UnpaidReason::Unknown.label(), |h| h.2));
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
