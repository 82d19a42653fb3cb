//! Payments (SPEC §3): 催付 reminders linked to orders, recovered orders, over-reminder findings, and the reason of
//! every order still unpaid.
//!
//! Works on what the text stage found (`Findings::signals`), never on text:
//! - A **reminder** is a `payment_reminder` signal on an agent message to a customer who, at that moment, has an
//!   order created and not yet paid; it counts for each such order. An order is **recovered** when it was paid
//!   after its first reminder.
//! - An **over-reminder** (过度催付) is a reminder that is the 4th or later to the same customer within 24 h, or one
//!   sent between 22:00 and 08:00; each becomes an `over_reminder` hit (when that rule is on).
//! - An order unpaid at the end of the data gets its **unpaid reason** from the reason reader over the customer's
//!   conversation within the attribution window before or after the order's creation: every term of the reasons
//!   lexicon (`reasons.toml`: what the customer asked about or worried over — 什么时候发货, 保修多久) adds its
//!   weight, and every hit of a reason rule (category 未付款原因: a reason stated — 太贵了, 钱不够 — often only
//!   recognisable as a pair of words) adds its strength × `stated_weight`, each × the speaker's factor (the
//!   customer's own words weigh more) × the message's nearness to the order (1 at or after it, then halved per
//!   customer message with clues further back: `half_life_messages`). The category with the largest total wins if
//!   its total before nearness reaches the lexicon's `min_score`; otherwise 未知, with no evidence. The evidence is
//!   the message that added the most to it, the customer's if any.
//!
//! When a message can speak of an order (pending, the reason window) is `order_windows`, shared with the text stage.
//!
//! Pure: no I/O; the output is in input order, so it is deterministic.

use crate::detect::{Findings, Hit, RuleSet};
use crate::model::{Input, Order, Sender, Ts, UnpaidReason};
use crate::order_windows::{OrdersByCustomer, pending, reason_window};
use crate::readers::{self, Evidence, Mark, Readers, Reading, Which};
use rayon::prelude::*;
use std::collections::HashMap;

pub(crate) const REMINDER_RULE: &str = "payment_reminder";
pub(crate) const OVER_REMINDER_RULE: &str = "over_reminder";

/// More than this many reminders to one customer within `OVER_WINDOW` is over-reminding.
pub(crate) const OVER_COUNT: usize = 3;
pub(crate) const OVER_WINDOW: i64 = 24 * 3600;
/// Reminders sent in [22:00, 08:00) are over-reminders.
pub(crate) const NIGHT_START: i64 = 22 * 3600;
pub(crate) const NIGHT_END: i64 = 8 * 3600;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderPayment {
    /// Reminder messages sent while the order was created and unpaid.
    pub reminders: u32,
    pub first_reminder: Option<Ts>,
    /// Paid after its first reminder.
    pub recovered: bool,
    /// For an order unpaid at the end of the data: its reason.
    pub reason: Option<Reason>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// The category the reader gave, or `UnpaidReason::Unknown`.
    pub reason: UnpaidReason,
    /// The evidence: the message that added the most to the category and its strongest term's span; none for
    /// `Unknown`.
    pub evidence: Option<Evidence>,
    /// The winning category's total (for 未知, the highest total, below the threshold).
    pub score: f32,
}

#[derive(Debug, Default)]
pub struct Payments {
    /// Per order, in `Input::orders` order.
    pub orders: Vec<OrderPayment>,
    /// `over_reminder` hits, ordered by session then message.
    pub over_reminders: Vec<Hit>,
}

pub fn analyse(input: &Input, findings: &Findings, rules: &RuleSet, readers: &Readers, window: i64) -> Payments {
    let rule_index = |id: &str| rules.rules.iter().position(|r| r.def.id == id);
    let reminder_rule = rule_index(REMINDER_RULE);
    let over_rule = rule_index(OVER_REMINDER_RULE);
    let orders_of = OrdersByCustomer::new(&input.orders);
    let mut out = Payments { orders: vec![OrderPayment::default(); input.orders.len()], over_reminders: Vec::new() };

    // Reminders, linked to the orders pending at that moment; per customer, for the over-reminder check.
    let mut reminded: HashMap<u32, Vec<(Ts, Hit)>> = HashMap::new();
    for h in findings.signals.iter().filter(|h| Some(h.rule as usize) == reminder_rule) {
        let m = &input.messages[h.msg as usize];
        if m.sender != Sender::Agent {
            continue;
        }
        let mut linked = false;
        for &oi in orders_of.of(m.customer) {
            let oi = oi as usize;
            let o = &input.orders[oi];
            if pending(o, m.ts) {
                let p = &mut out.orders[oi];
                p.reminders += 1;
                p.first_reminder = Some(p.first_reminder.map_or(m.ts, |t| t.min(m.ts)));
                linked = true;
            }
        }
        if linked {
            reminded.entry(m.customer).or_default().push((m.ts, h.clone()));
        }
    }
    for (o, p) in input.orders.iter().zip(&mut out.orders) {
        p.recovered = matches!((o.paid, p.first_reminder), (Some(paid), Some(first)) if paid > first);
    }
    if let Some(rule) = over_rule {
        for list in reminded.values_mut() {
            list.sort_by_key(|(ts, h)| (*ts, h.msg));
            for (i, (ts, h)) in list.iter().enumerate() {
                let within = list[..=i].iter().filter(|(t, _)| *t > ts - OVER_WINDOW).count();
                let clock = ts.rem_euclid(crate::model::SECS_PER_DAY);
                if within > OVER_COUNT || !(NIGHT_END..NIGHT_START).contains(&clock) {
                    out.over_reminders.push(Hit { rule: rule as u16, ..h.clone() });
                }
            }
        }
        out.over_reminders.sort_by_key(|h| (h.session, h.msg));
    }

    // Unpaid reasons: the reason reader over the customer's words around the order.
    let mut unpaid = vec![false; input.names.len()];
    for o in input.orders.iter().filter(|o| o.paid.is_none()) {
        unpaid[o.customer as usize] = true;
    }
    let clues = clues(input, findings, rules, readers, |c| unpaid[c as usize]);
    let of = by_customer(&clues);
    for (o, p) in input.orders.iter().zip(&mut out.orders) {
        if o.paid.is_some() {
            continue;
        }
        let own = of.get(&o.customer).map_or(&[][..], |r| &clues[r.clone()]);
        let reading = decide(readers, nearness(readers, around(o, own, window), o.created));
        p.reason =
            Some(Reason { reason: readers.reason_of(&reading), evidence: reading.evidence, score: reading.score });
    }
    out
}

/// A piece of reason evidence of a customer's: a mark of the reason lexicon (what was asked about), or a reason
/// rule's hit (a reason stated) as a mark whose weight is the rule's strength × the speaker's factor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clue {
    pub customer: u32,
    pub ts: Ts,
    pub mark: Mark,
    /// A reason rule's hit.
    pub stated: bool,
    /// In a message of the customer's (else an agent's).
    pub by_customer: bool,
}

/// The reason evidence of the customers `wanted` keeps, sorted by customer, time and message.
pub(crate) fn clues(
    input: &Input,
    findings: &Findings,
    rules: &RuleSet,
    readers: &Readers,
    wanted: impl Fn(u32) -> bool + Sync,
) -> Vec<Clue> {
    let lexicon = readers.lexicon(Which::Reason);
    let clue = |mark: Mark, stated: bool| {
        let m = &input.messages[mark.msg as usize];
        let by_customer = m.sender == Sender::Customer;
        wanted(m.customer).then_some(Clue { customer: m.customer, ts: m.ts, mark, stated, by_customer })
    };
    let mut v: Vec<Clue> = findings.marks.par_iter().filter_map(|m| clue(*m, false)).collect();
    v.par_extend(findings.signals.par_iter().filter_map(|h| {
        let def = &rules.rules[h.rule as usize].def;
        let category = readers.reason_category(def.reason?)?;
        let mut c = clue(Mark { msg: h.msg, category, weight: 0.0, start: h.start as u32, end: h.end as u32 }, true)?;
        c.mark.weight =
            def.strength.unwrap_or(1) as f32 * lexicon.stated_weight() * lexicon.factor(c.by_customer, false);
        Some(c)
    }));
    v.par_sort_unstable_by_key(|c| (c.customer, c.ts, c.mark.msg, c.mark.category));
    v
}

/// Where each customer's clues lie in `clues` (sorted by customer).
pub(crate) fn by_customer(clues: &[Clue]) -> HashMap<u32, std::ops::Range<usize>> {
    let mut of: HashMap<u32, std::ops::Range<usize>> = HashMap::new();
    for (i, c) in clues.iter().enumerate() {
        of.entry(c.customer).or_insert(i..i).end = i + 1;
    }
    of
}

/// The clues of one customer (sorted by time) that can give order `o` its reason: those within the reason window.
pub(crate) fn around<'c>(o: &Order, clues: &'c [Clue], window: i64) -> &'c [Clue] {
    // The window is one stretch of time around the creation: the clues before it, then those in it.
    let from = clues.partition_point(|c| c.ts < o.created && !reason_window(o, c.ts, window));
    let to = clues.partition_point(|c| c.ts < o.created || reason_window(o, c.ts, window));
    &clues[from..to.max(from)]
}

/// Each clue of one customer (sorted by time) with its nearness to `anchor` (an order's creation, or the time of a
/// lost customer's last clue), as the reasons lexicon weighs it, latest first: by its rank counting back from the
/// anchor — 0 at or after the anchor (what is said once the order exists is about it; a lost customer's last
/// words), else 1 + the customer's messages with clues between it and the anchor (an agent's answer ranks with the
/// question before it). One pass, no allocation: a lost customer is one of a million at 10 M messages.
pub(crate) fn nearness<'c>(
    readers: &'c Readers,
    clues: &'c [Clue],
    anchor: Ts,
) -> impl Iterator<Item = (&'c Clue, f32)> + 'c {
    let lexicon = readers.lexicon(Which::Reason);
    // (customer messages with clues before the anchor passed so far, the message at hand, its rank, whether it
    // is one of those).
    let mut state: (u32, Option<u32>, u32, bool) = (0, None, 0, false);
    clues.iter().rev().map(move |c| {
        let (passed, msg, rank, counts) = &mut state;
        if *msg != Some(c.mark.msg) {
            *passed += *counts as u32;
            *msg = Some(c.mark.msg);
            *rank = if c.ts >= anchor { 0 } else { 1 + *passed };
            *counts = c.ts < anchor && c.by_customer;
        }
        (c, lexicon.nearness(*rank))
    })
}

/// The reason lexicon's tally of clues with their nearness (`readers::MarkTally`).
pub(crate) fn tally<'c>(clues: impl Iterator<Item = (&'c Clue, f32)>) -> readers::MarkTally {
    readers::MarkTally::of(clues.map(|(c, f)| (c.mark, f, c.by_customer)))
}

/// The reason of clues with their nearness: the tally's reading (each category's total of weight × nearness, the
/// largest if it reaches `min_score`, else 未知; the evidence the customer's if any).
pub(crate) fn decide<'c>(readers: &Readers, clues: impl Iterator<Item = (&'c Clue, f32)>) -> Reading {
    tally(clues).reading(readers)
}
