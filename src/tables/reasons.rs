//! `lost`: one row per lost inquiry (询单流失, SPEC §8): a customer who wrote at least one message and has no order
//! credited to an agent. The row names the customer's last session (its id, its agent as in `sessions`, its last
//! message) and the reason read from everything the customer wrote: the signals of the 未付款原因 rules, the
//! strongest and then the latest, as `payments` reads an unpaid order's reason; 未知 with none. The evidence is that
//! message around the matched words, masked. Without orders (no orders.csv) nobody is known lost: no rows.
//!
//! Rows are in the order of `lost_inquiries.csv`: by agent (name), last message, customer (name).
//!
//! Ids are dense (`Names`), so each customer's state is a slot in a vector rather than a hash map entry: at 10 M
//! messages there are about a million lost customers.

use super::Builder;
use super::cols::*;
use crate::attribution::Attribution;
use crate::detect::{Findings, RuleSet};
use crate::mask;
use crate::model::{Input, Sender, Ts, UnpaidReason};
use crate::sessions::Derived;
use rayon::prelude::*;

/// A customer while the lost inquiries are found: 24 bytes, one per id (a million customers at 10 M messages).
#[derive(Clone, Copy, Default)]
struct Customer {
    /// The customer's last session: its end, and its index + 1 (0: none).
    last: (Ts, u32),
    /// The best reason signal so far: its index in `Findings::signals` + 1 (0: none).
    best: u32,
    wrote: bool,
    ordered: bool,
}

impl Builder<'_> {
    pub(super) fn lost_table(
        &mut self,
        input: &Input,
        d: &Derived,
        credited: &[Attribution],
        f: &Findings,
        rules: &RuleSet,
    ) {
        // Without orders no customer is known to have ordered, and none is called lost: the table stays empty.
        let ids = if input.orders.is_empty() { 0 } else { input.names.len() };
        let mut by_id: Vec<Customer> = vec![Customer::default(); ids];
        for (si, s) in d.sessions.iter().enumerate().filter(|_| ids > 0) {
            let c = &mut by_id[s.customer as usize];
            c.wrote |= s.customer_msgs > 0;
            c.last = c.last.max((s.end, si as u32 + 1));
        }
        for (o, a) in input.orders.iter().zip(credited) {
            if a.agent != 0 {
                by_id[o.customer as usize].ordered = true;
            }
        }
        // The rank of a signal: strength, then time, then message (larger is better), as `payments` reads an
        // unpaid order's reason.
        let rank = |i: usize| {
            let h = &f.signals[i];
            (rules.rules[h.rule as usize].def.strength.unwrap_or(1), input.messages[h.msg as usize].ts, h.msg)
        };
        for (i, h) in f.signals.iter().enumerate() {
            let m = &input.messages[h.msg as usize];
            let reason = rules.rules[h.rule as usize].def.reason;
            let (Some(_), Some(c)) = (reason, by_id.get_mut(m.customer as usize)) else { continue };
            if m.sender != Sender::Customer || c.ordered {
                continue;
            }
            if c.best == 0 || rank(c.best as usize - 1) <= rank(i) {
                c.best = i as u32 + 1;
            }
        }
        let lost: Vec<(u32, &Customer)> = by_id
            .iter()
            .enumerate()
            .filter(|(_, c)| c.wrote && !c.ordered && c.last.1 > 0)
            .map(|(id, c)| (id as u32, c))
            .collect();
        let session = |c: &Customer| &d.sessions[c.last.1 as usize - 1];
        // In the order lost_inquiries.csv lists them: by agent (no agent first, then by name), last message and
        // customer name. Sorted here, by each agent's rank among a few hundred names rather than by comparing
        // strings over a million rows in SQL.
        let mut agents: Vec<u32> = lost.iter().map(|(_, c)| session(c).agent).collect();
        agents.sort_unstable();
        agents.dedup();
        agents.sort_by(|&a, &b| (a != 0, input.name(a)).cmp(&(b != 0, input.name(b))));
        let mut rank = vec![0u32; if agents.is_empty() { 0 } else { input.names.len() }];
        for (r, &a) in agents.iter().enumerate() {
            rank[a as usize] = r as u32;
        }
        // (agent's rank, last message, customer, the customer's state)
        let mut rows: Vec<(u32, Ts, u32, &Customer)> =
            lost.into_iter().map(|(id, c)| (rank[session(c).agent as usize], c.last.0, id, c)).collect();
        rows.par_sort_unstable_by(|a, b| {
            (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| input.name(a.2).cmp(input.name(b.2)))
        });
        let rows: Vec<(u32, &Customer)> = rows.into_iter().map(|(_, _, id, c)| (id, c)).collect();
        let hit = |c: &Customer| (c.best > 0).then(|| &f.signals[c.best as usize - 1]);
        let evidence: Vec<Option<String>> = rows
            .par_iter()
            .map(|(_, c)| {
                hit(c).map(|h| mask::excerpt(input.text(&input.messages[h.msg as usize]), (h.start, h.end), 20))
            })
            .collect();
        let reason = |c: &Customer| {
            hit(c).and_then(|h| rules.rules[h.rule as usize].def.reason).unwrap_or(UnpaidReason::Unknown).label()
        };
        let Builder { names, sids, .. } = self;
        let table = table![
            names.col("customer_id", rows.iter().map(|(id, _)| *id)),
            names.opt_col("agent_id", rows.iter().map(|(_, c)| session(c).agent)),
            sids.col("session_id", rows.iter().map(|(_, c)| c.last.1 - 1)),
            dt_col("last_message_at", rows.iter().map(|(_, c)| Some(c.last.0))),
            str_col("reason", rows.iter().map(|(_, c)| reason(c))),
            opt_str_col("evidence", evidence.iter().map(Option::as_deref)),
        ];
        self.tables.push(("lost", table));
    }
}
