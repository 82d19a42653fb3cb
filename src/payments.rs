//! Payments (SPEC §3): 催付 reminders linked to orders, recovered orders, over-reminder findings, and the reason of
//! every order still unpaid.
//!
//! Works on what the text stage found (`Findings::signals`), never on text:
//! - A **reminder** is a `payment_reminder` signal on an agent message to a customer who, at that moment, has an
//!   order created and not yet paid; it counts for each such order. An order is **recovered** when it was paid
//!   after its first reminder.
//! - An **over-reminder** (过度催付) is a reminder that is the 4th or later to the same customer within 24 h, or one
//!   sent between 22:00 and 08:00; each becomes an `over_reminder` hit (when that rule is on).
//! - An order unpaid at the end of the data gets the **unpaid reason** of the strongest, then the latest, reason
//!   signal (rules of category 未付款原因, named after the SPEC categories) in the customer's messages within the
//!   attribution window before or after the order's creation; with none the reason is 未知 (unknown) and there
//!   is no evidence.
//!
//! When a message can speak of an order (pending, the reason window) is `order_windows`, shared with the text stage.
//!
//! Pure: no I/O; the output is in input order, so it is deterministic.

use crate::detect::{Findings, Hit, RuleSet};
use crate::model::{Input, Order, Sender, Ts, UnpaidReason};
use crate::order_windows::{OrdersByCustomer, pending, reason_window};
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
    /// The category (named by the signal rule), or `UnpaidReason::Unknown`.
    pub reason: UnpaidReason,
    /// The evidence: the signal hit (message and span), none for `Unknown`.
    pub evidence: Option<Hit>,
}

#[derive(Debug, Default)]
pub struct Payments {
    /// Per order, in `Input::orders` order.
    pub orders: Vec<OrderPayment>,
    /// `over_reminder` hits, ordered by session then message.
    pub over_reminders: Vec<Hit>,
}

pub fn analyse(input: &Input, findings: &Findings, rules: &RuleSet, window: i64) -> Payments {
    let rule_index = |id: &str| rules.rules.iter().position(|r| r.def.id == id);
    let reminder_rule = rule_index(REMINDER_RULE);
    let over_rule = rule_index(OVER_REMINDER_RULE);
    let by_customer = OrdersByCustomer::new(&input.orders);
    let mut out = Payments { orders: vec![OrderPayment::default(); input.orders.len()], over_reminders: Vec::new() };

    // Reminders, linked to the orders pending at that moment; per customer, for the over-reminder check.
    let mut reminded: HashMap<u32, Vec<(Ts, Hit)>> = HashMap::new();
    for h in findings.signals.iter().filter(|h| Some(h.rule as usize) == reminder_rule) {
        let m = &input.messages[h.msg as usize];
        if m.sender != Sender::Agent {
            continue;
        }
        let mut linked = false;
        for &oi in by_customer.of(m.customer) {
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

    // Unpaid reasons: the customer's reason signals, strongest then latest.
    let signals = reason_signals(input, findings, rules);
    for (o, p) in input.orders.iter().zip(&mut out.orders) {
        if o.paid.is_some() {
            continue;
        }
        let best = ranked(o, &signals, window).into_iter().next();
        p.reason = Some(match best {
            Some((_, _, h, reason)) => Reason { reason: *reason, evidence: Some((*h).clone()) },
            None => Reason { reason: UnpaidReason::Unknown, evidence: None },
        });
    }
    out
}

/// A customer's reason signal: its strength, time, hit and reason.
pub(crate) type ReasonSignal<'f> = (u8, Ts, &'f Hit, UnpaidReason);

/// The reason signals (rules naming an unpaid reason) of each customer, in the order they were found.
pub(crate) fn reason_signals<'f>(
    input: &Input,
    findings: &'f Findings,
    rules: &RuleSet,
) -> HashMap<u32, Vec<ReasonSignal<'f>>> {
    let mut signals: HashMap<u32, Vec<ReasonSignal<'f>>> = HashMap::new();
    for h in &findings.signals {
        let def = &rules.rules[h.rule as usize].def;
        let Some(reason) = def.reason else { continue };
        let m = &input.messages[h.msg as usize];
        signals.entry(m.customer).or_default().push((def.strength.unwrap_or(1), m.ts, h, reason));
    }
    signals
}

/// The signals that can give order `o` its reason (the customer's, within the reason window), strongest, then
/// latest, then last found first: the first is the order's reason (`kefu explain` lists the rest).
pub(crate) fn ranked<'s, 'f>(
    o: &Order,
    signals: &'s HashMap<u32, Vec<ReasonSignal<'f>>>,
    window: i64,
) -> Vec<&'s ReasonSignal<'f>> {
    let mut v: Vec<&ReasonSignal> =
        signals.get(&o.customer).into_iter().flatten().filter(|s| reason_window(o, s.1, window)).collect();
    // Among equal keys the one found last comes first (as a maximum taken in found order would).
    v.reverse();
    v.sort_by_key(|(strength, ts, h, _)| std::cmp::Reverse((*strength, *ts, h.msg)));
    v
}
