//! The derived tables the SQL metrics run over (SPEC §4): `message_counts` (what the default reports read of the
//! messages), `messages` (one row per message, built only when a query names it: `Needs`), `sessions`, `turns`,
//! `violations`, `orders`, `unpaid`, `aftersales`, plus the small helper tables `weeks`, `phases` and `settings`.
//! String columns of ids are views into one pool (`Pool`), never a copy per row.
//!
//! Columns computed from settings (`in_hours`, `capped_secs`, `within_target`, `phase`) are materialised here so
//! every query applies the same definitions. Times are polars `Datetime` (ms, naive local time); day, hour, ISO
//! week and phase are precomputed so queries group on plain columns. Names of every column are documented in
//! docs/outputs.md.

use crate::config::Settings;
use crate::detect::{Findings, RuleSet};
use crate::mask;
use crate::model::{Input, SECS_PER_DAY, Ts};
use crate::sessions::Derived;
use crate::timefmt::{day_of, week_label};
use chrono::NaiveDate;
use polars::prelude::*;

mod cols;
mod counts;
mod merge;
mod reasons;
mod reception;
mod responses;
mod topics;
mod violations;
use cols::*;

pub use merge::merge;

/// The name of every derived table (`messages` and `turns` only when a query reads them; `agent_spans`,
/// `agent_stretches` and `agent_turns` only in a partial run, `Needs`).
pub const NAMES: &[&str] = &[
    "messages",
    "message_counts",
    "violations",
    "orders",
    "unpaid",
    "transfers",
    "agent_load",
    "agent_days",
    "ratings",
    "agent_spans",
    "agent_stretches",
    "agent_turns",
    "lost",
    "topic_examples",
    "sessions",
    "turns",
    "response_counts",
    "hourly_response_counts",
    "aftersales",
    "weeks",
    "phases",
    "settings",
];

/// The number keys of the large tables and the id each stands for (`cols::key_col`).
pub const KEYS: [(&str, &str); 3] =
    [("session_key", "session_id"), ("customer_key", "customer_id"), ("agent_key", "agent_id")];

/// Derived tables with the names queries use, as a group of them is built.
pub(crate) type Named = Vec<(&'static str, DataFrame)>;

/// Every derived table, by the name queries use, and the days they cover (the calendar's first and last day, days
/// since 1970-01-01; `merge` needs it to rebuild the weeks of a union).
pub struct Tables {
    pub tables: Vec<(&'static str, DataFrame)>,
    pub day_range: (i64, i64),
}

impl Tables {
    pub fn get(&self, name: &str) -> Option<&DataFrame> {
        self.tables.iter().find(|(n, _)| *n == name).map(|(_, d)| d)
    }
    /// The number of turns, from `response_counts` (the `turns` table is built only when a query reads it).
    pub fn turns(&self) -> u64 {
        let sum = |df: &DataFrame| df.column("turns").ok()?.as_materialized_series().sum::<u64>().ok();
        self.get("response_counts").and_then(sum).unwrap_or(0)
    }
}

pub(crate) fn session_ids(input: &Input, d: &Derived) -> Vec<String> {
    d.sessions.iter().map(|s| session_id(input.name(s.conv), s.no)).collect()
}

/// A session's id: its conversation's, `#`, its number in the conversation (a partial rebuilds it so: `partial.rs`).
pub(crate) fn session_id(conversation: &str, no: impl std::fmt::Display) -> String {
    format!("{conversation}#{no}")
}

/// The amount of the order a session is about: an order id mentioned in the session, else the customer's first
/// order created within the attribution window around the session. Used for order-share compensations.
struct SessionOrders {
    by_id: std::collections::HashMap<u32, f64>,
    by_customer: std::collections::HashMap<u32, Vec<(Ts, f64)>>,
}

impl SessionOrders {
    fn new(input: &Input) -> Self {
        let mut by_customer: std::collections::HashMap<u32, Vec<(Ts, f64)>> = Default::default();
        for o in &input.orders {
            by_customer.entry(o.customer).or_default().push((o.created, o.amount));
        }
        for v in by_customer.values_mut() {
            v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        }
        SessionOrders { by_id: input.orders.iter().map(|o| (o.id, o.amount)).collect(), by_customer }
    }

    fn amount(&self, input: &Input, d: &Derived, session: usize, window: i64) -> Option<f64> {
        let s = &d.sessions[session];
        let mentioned = d.order[s.first..s.first + s.len]
            .iter()
            .map(|&k| input.messages[k as usize].order)
            .find_map(|o| if o == 0 { None } else { self.by_id.get(&o).copied() });
        mentioned.or_else(|| {
            self.by_customer
                .get(&s.customer)?
                .iter()
                .find(|(created, _)| *created >= s.start - window && *created <= s.end + window)
                .map(|(_, a)| *a)
        })
    }
}

/// The text stage's results and the rules that produced them.
pub struct TextResults<'a> {
    pub findings: &'a Findings,
    pub rules: &'a RuleSet,
    pub payments: &'a crate::payments::Payments,
    /// The readers, for the names of `findings.readings`.
    pub readers: &'a crate::readers::Readers,
}

/// The messages whose words the tables read, by index: every message a violation, a 催付 or reason signal, a reason
/// mark or a reading's evidence names, or every message when the `messages` table is built (its `text_chars`). The
/// excerpts and evidence of `violations`, `unpaid`, `lost` and `topic_examples` come from these: over-reminders are
/// signals, and the evidence of a reason (an unpaid order's, a lost inquiry's) is one of the customer's clues, which
/// are marks and signals (`payments::clues`). The pipeline keeps only their texts for the tables
/// (`Input::keep_texts`, which refuses to read the others).
pub fn texts_read(input: &Input, f: &Findings, needs: Needs) -> Vec<bool> {
    let mut read = vec![needs.messages; input.messages.len()];
    let hits = f.violations.iter().chain(&f.signals).map(|h| h.msg);
    let marks = f.marks.iter().map(|m| m.msg);
    let evidence = f.readings.iter().flatten().filter_map(|r| r.evidence).map(|e| e.msg);
    for msg in hits.chain(marks).chain(evidence) {
        read[msg as usize] = true;
    }
    read
}

/// Which derived tables to build: `messages` and `turns` (one row per message, per turn: the largest) only when a
/// query reads them; `agent_spans`, `agent_stretches` and `agent_turns` (what a partial run keeps of the agents'
/// times) only for a partial run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    pub messages: bool,
    pub turns: bool,
    pub partial: bool,
}

impl Needs {
    /// What these SQL texts read: `messages` or `turns` when one of them reads the table (`names_table`: after
    /// `FROM` or `JOIN`, so `customer_messages` and a `turns` column do not count).
    pub fn of<'a>(sql: impl IntoIterator<Item = &'a str> + Clone) -> Needs {
        let names = |table: &str| sql.clone().into_iter().any(|q| names_table(q, table));
        Needs { messages: names("messages"), turns: names("turns"), partial: false }
    }
    /// Needs of a partial run, whose merge runs `sql`.
    pub fn partial<'a>(sql: impl IntoIterator<Item = &'a str> + Clone) -> Needs {
        Needs { partial: true, ..Needs::of(sql) }
    }
}

/// Whether a SQL text reads `table`: names it after `FROM` or `JOIN`, outside its comments, as a whole word, quoted
/// or not (`turns` is also a column of the counted tables, and `SUM(turns)` reads no table; `turns_in` is not
/// `turns`). A table read another way (`FROM a, turns`) is not seen, and the query then fails, naming it.
pub(crate) fn names_table(sql: &str, table: &str) -> bool {
    let read = regex::Regex::new(&format!(r#"(?i)\b(?:from|join)\s+"?{}"?(?:\W|$)"#, regex::escape(table)))
        .expect("valid regex");
    read.is_match(&strip_sql_comments(sql))
}

/// SQL text without its `-- …` comments (a comment saying "messages" does not read the table).
fn strip_sql_comments(sql: &str) -> String {
    sql.lines().map(|l| l.split("--").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// `messages`: one row per message, in session order.
fn messages_table(
    input: &Input,
    d: &Derived,
    names: &NamePool,
    sids: &Pool,
    cal: &Calendar,
    pol: &[crate::detect::Politeness],
) -> DataFrame {
    let ms: Vec<_> = d.order.iter().map(|&k| (k, &input.messages[k as usize])).collect();
    table![
        sids.col("session_id", ms.iter().map(|(k, _)| d.msg_session[*k as usize])),
        names.col("conversation_id", ms.iter().map(|(_, m)| m.conv)),
        names.col("shop", ms.iter().map(|(_, m)| m.shop)),
        names.col("customer_id", ms.iter().map(|(_, m)| m.customer)),
        names.col("agent_id", ms.iter().map(|(_, m)| m.agent)),
        str_col("sender", ms.iter().map(|(_, m)| m.sender.as_str())),
        dt_col("ts", ms.iter().map(|(_, m)| Some(m.ts))),
        date_col("date", ms.iter().map(|(_, m)| day_of(m.ts))),
        Column::new(
            "hour".into(),
            ms.iter().map(|(_, m)| (m.ts.rem_euclid(SECS_PER_DAY) / 3600) as i32).collect::<Vec<_>>(),
        ),
        dt_col("hour_start", ms.iter().map(|(_, m)| Some(hour_start(m.ts)))),
        str_col("week", ms.iter().map(|(_, m)| cal.week(m.ts))),
        names.opt_col("order_id", ms.iter().map(|(_, m)| m.order)),
        opt_str_col("phase", ms.iter().map(|(_, m)| cal.phase(m.ts))),
        Column::new(
            "text_chars".into(),
            ms.iter().map(|(_, m)| input.text(m).chars().count() as u32).collect::<Vec<_>>(),
        ),
        Column::new("polite".into(), ms.iter().map(|(k, _)| pol[*k as usize].polite).collect::<Vec<_>>()),
        Column::new("nin_count".into(), ms.iter().map(|(k, _)| pol[*k as usize].nin as u32).collect::<Vec<_>>()),
        Column::new("wo_count".into(), ms.iter().map(|(k, _)| pol[*k as usize].wo as u32).collect::<Vec<_>>()),
    ]
}

/// Builds every table at once (for callers that keep the message rows anyway).
pub fn build(input: &Input, d: &Derived, settings: &Settings, text: &TextResults, needs: Needs) -> Tables {
    let mut b = Builder::new(input, d, settings);
    b.turn_tables(input, d, settings, needs.partial);
    let gathered = b.message_tables(input, d, settings, text, needs);
    b.message_frames(gathered, text.rules);
    b.finish(input, d, settings, (text.findings, text.readers), needs)
}

/// What `Builder::message_tables` keeps, owned, of the message rows and their text for the three largest tables it
/// leaves to `Builder::message_frames`.
pub struct Gathered {
    counts: Vec<counts::CountRow>,
    violations: violations::Violations,
    lost: reasons::Lost,
}

/// The tables built in steps, so that the pipeline can free the turns, the message rows, their text and the
/// per-message vectors in between (at 10 M messages they are about a gigabyte, and the build and the SQL stage need the memory):
/// `turn_tables` takes what the tables need of the turns (so the pipeline can free them unless a query reads the
/// `turns` table), `message_tables` builds or gathers every table that reads the message rows (`messages`, `orders`,
/// `unpaid`, the reception tables, `topic_examples`; gathered: `message_counts`, `violations`, `lost`),
/// `message_frames` makes the gathered ones into frames, and `finish` builds the rest from sessions and cases.
pub(crate) struct Builder<'a> {
    names: NamePool,
    sids: Pool,
    cal: Calendar<'a>,
    tables: Named,
    /// What the tables take of the turns (`turn_tables`).
    turned: Option<responses::Turned>,
}

impl<'a> Builder<'a> {
    pub fn new(input: &Input, d: &Derived, settings: &'a Settings) -> Self {
        Builder {
            names: NamePool(Pool::new(input.names.all())),
            sids: Pool::new(session_ids(input, d).iter().map(String::as_str)),
            cal: Calendar::new(input, settings),
            tables: Vec::new(),
            turned: None,
        }
    }

    /// The tables that read message rows, their text or the per-message vectors of `d` and the findings, in three
    /// groups that read only shared data and are built side by side: the message counts and violations; the orders,
    /// unpaid orders, lost inquiries and topic examples; the reception tables. Each group's own work is mostly one
    /// pass on one core (the counts, the transfer and load sweeps, the lost customers' clues), so one after the
    /// other they left a core idle for most of the stage (BENCHMARKS.md, issue 30).
    ///
    /// The three largest (`message_counts`, `violations`, `lost`) are gathered here into owned rows, returned, and
    /// made into frames by `message_frames` once the caller has freed the message rows and their text: built here,
    /// their frames stood on the gigabyte of rows the rest no longer reads (the tables stage's peak at 10 M messages).
    pub fn message_tables(
        &mut self,
        input: &Input,
        d: &Derived,
        settings: &Settings,
        text: &TextResults,
        needs: Needs,
    ) -> Gathered {
        let this = &*self;
        let (((messages, counts, violations), (ordered, lost, topic_examples)), reception) = rayon::join(
            || {
                rayon::join(
                    || {
                        let pol = &text.findings.politeness;
                        let messages =
                            needs.messages.then(|| messages_table(input, d, &this.names, &this.sids, &this.cal, pol));
                        let counts = counts::count_rows(input, d, pol);
                        let hits = &text.findings.violations;
                        (messages, counts, violations::violation_rows(input, d, settings, hits, text.rules))
                    },
                    || this.order_tables(input, d, settings, text),
                )
            },
            || this.reception_tables(input, d),
        );
        self.tables.extend(messages.map(|m| ("messages", m)).into_iter().chain(ordered).chain(reception));
        self.tables.push(topic_examples);
        let turned = self.turned.as_mut().expect("turn_tables before the message tables");
        self.tables.append(&mut turned.agents);
        Gathered { counts, violations, lost }
    }

    /// The frames of what `message_tables` gathered, side by side, each in its place among the tables (`NAMES`'s
    /// order, which summary.json and a partial's manifest list).
    pub fn message_frames(&mut self, g: Gathered, rules: &RuleSet) {
        let this = &*self;
        let (counted, (violations, lost)) = rayon::join(
            || counts::counts_frame(this, &g.counts),
            || {
                rayon::join(
                    || violations::violations_frame(this, &g.violations, rules),
                    || reasons::lost_frame(this, &g.lost),
                )
            },
        );
        drop(g);
        self.tables.extend([("message_counts", counted), ("violations", violations), ("lost", lost)]);
        let place = |name: &str| NAMES.iter().position(|n| *n == name).expect("every table is in NAMES");
        self.tables.sort_by_key(|(name, _)| place(name));
    }

    /// `orders` and `unpaid`, the rows of `lost` (`message_frames` makes its frame) and `topic_examples`.
    fn order_tables(
        &self,
        input: &Input,
        d: &Derived,
        settings: &Settings,
        text: &TextResults,
    ) -> (Named, reasons::Lost, (&'static str, DataFrame)) {
        let Builder { names, sids, cal, .. } = self;
        let os = &input.orders;
        let credited = crate::attribution::attribute(os, &d.sessions, settings.attribution_secs);
        let pay = &text.payments.orders;
        let orders_df = table![
            names.col("order_id", os.iter().map(|o| o.id)),
            names.col("customer_id", os.iter().map(|o| o.customer)),
            names.col("shop", os.iter().map(|o| o.shop)),
            dt_col("created_at", os.iter().map(|o| Some(o.created))),
            dt_col("paid_at", os.iter().map(|o| o.paid)),
            Column::new("paid".into(), os.iter().map(|o| o.paid.is_some()).collect::<Vec<_>>()),
            Column::new("amount".into(), os.iter().map(|o| o.amount).collect::<Vec<_>>()),
            // The credited agent (SPEC §3 attribution); null for 静默下单.
            names.opt_col("agent_id", credited.iter().map(|a| a.agent)),
            opt_key_col("agent_key", credited.iter().map(|a| a.agent)),
            key_col("customer_key", os.iter().map(|o| o.customer)),
            str_col("attribution", credited.iter().map(|a| a.via.as_str())),
            sids.opt_col("session_id", credited.iter().map(|a| a.session)),
            opt_str_col("phase", os.iter().map(|o| cal.phase(o.created))),
            str_col("week", os.iter().map(|o| cal.week(o.created))),
            Column::new("reminders".into(), pay.iter().map(|p| p.reminders).collect::<Vec<_>>()),
            dt_col("first_reminder_at", pay.iter().map(|p| p.first_reminder)),
            Column::new("recovered".into(), pay.iter().map(|p| p.recovered).collect::<Vec<_>>()),
            opt_str_col("unpaid_reason", pay.iter().map(|p| p.reason.as_ref().map(|r| r.reason.label()))),
            // The export's 订单状态, as read (null when the file has none).
            names.opt_col("status", os.iter().map(|o| o.status)),
        ];

        // unpaid: one row per order unpaid at the end of the data, with its reason and masked evidence.
        let unpaid: Vec<usize> = (0..os.len()).filter(|&i| pay[i].reason.is_some()).collect();
        let reason = |i: usize| pay[i].reason.as_ref().expect("unpaid orders have a reason");
        let evidence: Vec<String> = unpaid
            .iter()
            .map(|&i| reason(i).evidence.as_ref().map_or_else(String::new, |e| evidence_excerpt(input, e)))
            .collect();
        let unpaid_df = table![
            names.col("order_id", unpaid.iter().map(|&i| os[i].id)),
            names.col("customer_id", unpaid.iter().map(|&i| os[i].customer)),
            names.opt_col("agent_id", unpaid.iter().map(|&i| credited[i].agent)),
            dt_col("created_at", unpaid.iter().map(|&i| Some(os[i].created))),
            Column::new("amount".into(), unpaid.iter().map(|&i| os[i].amount).collect::<Vec<_>>()),
            str_col("reason", unpaid.iter().map(|&i| reason(i).reason.label())),
            str_col("evidence", evidence.iter().map(String::as_str)),
            dt_col(
                "evidence_at",
                unpaid.iter().map(|&i| reason(i).evidence.as_ref().map(|h| input.messages[h.msg as usize].ts)),
            ),
            Column::new("reminders".into(), unpaid.iter().map(|&i| pay[i].reminders).collect::<Vec<_>>()),
            opt_str_col("phase", unpaid.iter().map(|&i| cal.phase(os[i].created))),
            str_col("week", unpaid.iter().map(|&i| cal.week(os[i].created))),
        ];

        let lost = self.lost_rows(input, d, &credited, text);
        let topic_examples = self.topic_examples(input, d, text.findings, text.readers);
        (vec![("orders", orders_df), ("unpaid", unpaid_df)], lost, topic_examples)
    }

    /// The tables built from sessions, turns and cases: `sessions`, `turns` (when `needs` says so),
    /// `response_counts`, `hourly_response_counts`, `aftersales`, `weeks`, `phases`, `settings`. Needs neither the
    /// message rows nor their text.
    pub fn finish(
        self,
        input: &Input,
        d: &Derived,
        settings: &Settings,
        (f, readers): (&Findings, &crate::readers::Readers),
        needs: Needs,
    ) -> Tables {
        let Builder { names, sids, cal, mut tables, turned } = self;
        let responses::Turned { responses, answered, .. } = turned.expect("turn_tables before finish");
        let ss = &d.sessions;
        use crate::readers::Which;
        let intent = |w: Which| -> Vec<bool> { f.readings.iter().map(|r| r[w as usize].shows_intent()).collect() };
        let topic = |r: &[crate::readers::Reading; 3]| r[Which::Topic as usize];
        let topics = readers.lexicon(Which::Topic);
        let mut violations_per_session = vec![0u32; ss.len()];
        for h in &f.violations {
            violations_per_session[h.session as usize] += 1;
        }
        let sessions = table![
            sids.col("session_id", 0..ss.len() as u32),
            names.col("conversation_id", ss.iter().map(|s| s.conv)),
            Column::new("session_no".into(), ss.iter().map(|s| s.no).collect::<Vec<_>>()),
            names.col("shop", ss.iter().map(|s| s.shop)),
            names.col("agent_id", ss.iter().map(|s| s.agent)),
            names.col("customer_id", ss.iter().map(|s| s.customer)),
            key_col("session_key", 0..ss.len() as u32),
            key_col("customer_key", ss.iter().map(|s| s.customer)),
            dt_col("start", ss.iter().map(|s| Some(s.start))),
            dt_col("end", ss.iter().map(|s| Some(s.end))),
            date_col("date", ss.iter().map(|s| day_of(s.start))),
            str_col("week", ss.iter().map(|s| cal.week(s.start))),
            opt_str_col("phase", ss.iter().map(|s| cal.phase(s.start))),
            Column::new("customer_messages".into(), ss.iter().map(|s| s.customer_msgs).collect::<Vec<_>>()),
            Column::new("agent_messages".into(), ss.iter().map(|s| s.agent_msgs).collect::<Vec<_>>()),
            Column::new("bot_messages".into(), ss.iter().map(|s| s.bot_msgs).collect::<Vec<_>>()),
            Column::new("system_messages".into(), ss.iter().map(|s| s.system_msgs).collect::<Vec<_>>()),
            Column::new("refund_intent".into(), intent(Which::Refund)),
            Column::new("complaint_intent".into(), intent(Which::Complaint)),
            str_col("topic", f.readings.iter().map(|r| topics.label(&topic(r)))),
            Column::new("topic_score".into(), f.readings.iter().map(|r| topic(r).score).collect::<Vec<f32>>()),
            Column::new("violations".into(), violations_per_session),
            Column::new("turns".into(), answered.iter().map(|a| a.turns).collect::<Vec<u32>>()),
            Column::new("first_response_secs".into(), answered.iter().map(|a| a.first).collect::<Vec<Option<i64>>>()),
            Column::new(
                "avg_response_secs".into(),
                answered.iter().map(|a| (a.turns > 0).then(|| a.sum as f64 / a.turns as f64)).collect::<Vec<_>>(),
            ),
            Column::new("unanswered_turns".into(), answered.iter().map(|a| a.unanswered).collect::<Vec<u32>>()),
        ];

        let ts = &d.turns;
        let (cap, target) = (settings.cap_secs, settings.target_secs);
        let turns = needs.turns.then(|| {
            table![
                sids.col("session_id", ts.iter().map(|t| t.session)),
                Column::new("turn_no".into(), ts.iter().map(|t| t.no).collect::<Vec<_>>()),
                names.col("agent_id", ts.iter().map(|t| t.owner)),
                names.opt_col("answered_by", ts.iter().map(|t| t.answered_by)),
                names.col("customer_id", ts.iter().map(|t| ss[t.session as usize].customer)),
                names.col("shop", ts.iter().map(|t| ss[t.session as usize].shop)),
                key_col("session_key", ts.iter().map(|t| t.session)),
                dt_col("start", ts.iter().map(|t| Some(t.start))),
                dt_col("answer_at", ts.iter().map(|t| t.answer)),
                date_col("date", ts.iter().map(|t| day_of(t.start))),
                Column::new(
                    "hour".into(),
                    ts.iter().map(|t| (t.start.rem_euclid(SECS_PER_DAY) / 3600) as i32).collect::<Vec<_>>(),
                ),
                dt_col("hour_start", ts.iter().map(|t| Some(hour_start(t.start)))),
                str_col("week", ts.iter().map(|t| cal.week(t.start))),
                opt_str_col("phase", ts.iter().map(|t| cal.phase(t.start))),
                Column::new("customer_messages".into(), ts.iter().map(|t| t.customer_msgs).collect::<Vec<_>>()),
                Column::new("answered".into(), ts.iter().map(|t| t.answer.is_some()).collect::<Vec<_>>()),
                Column::new("response_secs".into(), ts.iter().map(|t| t.response_secs()).collect::<Vec<_>>()),
                Column::new("capped_secs".into(), ts.iter().map(|t| t.capped_secs(cap)).collect::<Vec<_>>()),
                Column::new("within_target".into(), ts.iter().map(|t| t.within_target(target)).collect::<Vec<_>>()),
                Column::new("in_hours".into(), ts.iter().map(|t| t.in_hours).collect::<Vec<_>>()),
                Column::new("first_in_session".into(), ts.iter().map(|t| t.first_in_session).collect::<Vec<_>>()),
                Column::new("first_of_owner".into(), ts.iter().map(|t| t.first_of_owner).collect::<Vec<_>>()),
                Column::new(
                    "offhours_replied".into(),
                    ts.iter().map(|t| t.offhours_replied(settings)).collect::<Vec<_>>(),
                ),
            ]
        });

        let cs = &input.cases;
        let aftersales = table![
            names.col("case_id", cs.iter().map(|c| c.id)),
            names.opt_col("order_id", cs.iter().map(|c| c.order)),
            names.opt_col("customer_id", cs.iter().map(|c| c.customer)),
            // null when no human handled the case (a bot or the system).
            names.opt_col("agent_id", cs.iter().map(|c| c.agent)),
            str_col("type", cs.iter().map(|c| c.kind.as_str())),
            // Free text typed by after-sales staff: masked like every excerpt.
            Column::new("reason".into(), cs.iter().map(|c| mask::mask(&c.reason)).collect::<Vec<String>>()),
            dt_col("opened_at", cs.iter().map(|c| Some(c.opened))),
            dt_col("closed_at", cs.iter().map(|c| c.closed)),
            Column::new("refund_amount".into(), cs.iter().map(|c| c.refund_amount).collect::<Vec<_>>()),
            Column::new("platform_intervened".into(), cs.iter().map(|c| c.intervened).collect::<Vec<_>>()),
            // The export's 退款状态, as read (null when the file has none).
            names.opt_col("status", cs.iter().map(|c| c.status)),
            Column::new(
                "handle_hours".into(),
                cs.iter().map(|c| c.closed.map(|x| (x - c.opened) as f64 / 3600.0)).collect::<Vec<_>>(),
            ),
            opt_str_col("phase", cs.iter().map(|c| cal.phase(c.opened))),
            str_col("week", cs.iter().map(|c| cal.week(c.opened))),
            Column::new(
                "same_day".into(),
                cs.iter().map(|c| c.closed.map(|x| day_of(x) == day_of(c.opened))).collect::<Vec<_>>(),
            ),
        ];

        let weeks = weeks_table(&cal);
        let phases = table![
            str_col("phase", settings.phases.iter().map(|p| p.name.as_str())),
            date_col("start", settings.phases.iter().map(|p| p.start)),
            date_col("end", settings.phases.iter().map(|p| p.end)),
        ];
        let settings_df = table![
            Column::new("target_secs".into(), vec![settings.target_secs]),
            Column::new("cap_secs".into(), vec![settings.cap_secs]),
            Column::new("session_gap_secs".into(), vec![settings.session_gap_secs]),
            Column::new("business_start_secs".into(), vec![settings.business_start]),
            Column::new("business_end_secs".into(), vec![settings.business_end]),
            Column::new("attribution_secs".into(), vec![settings.attribution_secs]),
            Column::new("weight_response".into(), vec![settings.weights.response]),
            Column::new("weight_conversion".into(), vec![settings.weights.conversion]),
            Column::new("weight_quality".into(), vec![settings.weights.quality]),
            Column::new("weight_aftersales".into(), vec![settings.weights.aftersales]),
            Column::new("as_weight_disputes".into(), vec![settings.aftersales_weights.disputes]),
            Column::new("as_weight_complaints".into(), vec![settings.aftersales_weights.complaints]),
            Column::new("as_weight_same_day".into(), vec![settings.aftersales_weights.same_day]),
            Column::new("as_weight_handling".into(), vec![settings.aftersales_weights.handling]),
            Column::new("handling_target_hours".into(), vec![settings.aftersales_weights.handling_target_hours]),
        ];
        tables.push(("sessions", sessions));
        tables.extend(turns.map(|t| ("turns", t)));
        tables.extend(responses);
        tables.extend([("aftersales", aftersales), ("weeks", weeks), ("phases", phases), ("settings", settings_df)]);
        Tables { tables, day_range: cal.day_range() }
    }
}

/// A session's counted turns (business hours, SPEC §3): how many, the capped response of the first, the sum of the
/// capped responses, and how many went unanswered — the response columns of sessions.csv, summed here in one pass
/// rather than grouped from the turns table in SQL.
#[derive(Clone, Copy, Default)]
pub(super) struct SessionTurns {
    turns: u32,
    first: Option<i64>,
    sum: i64,
    unanswered: u32,
}

pub(super) fn session_turns(d: &Derived, cap: i64) -> Vec<SessionTurns> {
    let mut out = vec![SessionTurns::default(); d.sessions.len()];
    for t in d.turns.iter().filter(|t| t.in_hours) {
        let s = &mut out[t.session as usize];
        let secs = t.capped_secs(cap);
        s.turns += 1;
        s.sum += secs;
        s.unanswered += u32::from(t.answer.is_none());
        if t.first_in_session {
            s.first = Some(secs);
        }
    }
    out
}

/// `weeks`: every ISO week the calendar touches, with the week before it and its Monday.
fn weeks_table(cal: &Calendar) -> DataFrame {
    let mut weeks: Vec<(String, String, NaiveDate)> = Vec::new();
    for day in cal.days() {
        let w = week_label(day);
        if weeks.last().is_none_or(|(last, _, _)| *last != w) {
            let monday = day - chrono::Days::new(chrono::Datelike::weekday(&day).num_days_from_monday() as u64);
            weeks.push((w, week_label(monday - chrono::Days::new(7)), monday));
        }
    }
    table![
        str_col("week", weeks.iter().map(|w| w.0.as_str())),
        str_col("prev_week", weeks.iter().map(|w| w.1.as_str())),
        date_col("week_start", weeks.iter().map(|w| w.2)),
    ]
}
