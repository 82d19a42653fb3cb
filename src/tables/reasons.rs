//! `lost`: one row per lost inquiry (询单流失, SPEC §8): a customer who wrote at least one message and has no order
//! credited to an agent. The row names the customer's last session (its id, its agent as in `sessions`, its last
//! message) and the reason read from the whole conversation by the reader of the unpaid orders (`payments`), each
//! message's nearness counted back from the customer's last message with a clue rather than from an order; 未知
//! when the evidence is thin. The evidence is the deciding message around its strongest term, masked. Without orders (no
//! orders.csv) nobody is known lost: no rows.
//!
//! Rows are in the order of `lost_inquiries.csv`: by agent (name), last message, customer (name).
//!
//! Ids are dense (`Names`), so each customer's state is a slot in a vector rather than a hash map entry: at 10 M
//! messages there are about a million lost customers.

use super::Builder;
use super::cols::*;
use crate::attribution::Attribution;
use crate::model::{Input, Ts};
use crate::payments;
use crate::readers::Reading;
use crate::sessions::Derived;
use rayon::prelude::*;

/// A customer while the lost inquiries are found: 24 bytes, one per id (a million customers at 10 M messages).
#[derive(Clone, Copy, Default)]
struct Customer {
    /// The customer's last session: its end, and its index + 1 (0: none).
    last: (Ts, u32),
    /// A lost customer's reading: its index in the readings + 1 (0: no clue at all).
    reading: u32,
    wrote: bool,
    ordered: bool,
}

/// How many ranges of customer ids the lost customers' clues are gathered in, one after the other.
const CLUE_RANGES: usize = 4;

/// A row of `lost`, owned (it outlives the message rows and their text: `Builder::message_frames`), but its evidence.
pub(super) struct LostRow {
    customer: u32,
    /// The last session's agent (0: none).
    agent: u32,
    /// The last session's index.
    session: u32,
    last_message_at: Ts,
    reason: crate::model::UnpaidReason,
}

/// The rows of `lost`, in its order, and their `evidence` column (masked excerpts, made a column already:
/// `par_str_col`).
pub(super) struct Lost {
    rows: Vec<LostRow>,
    evidence: polars::prelude::Column,
}

/// `lost` from its rows.
pub(super) fn lost_frame(b: &Builder, lost: &Lost) -> polars::prelude::DataFrame {
    let Builder { names, sids, .. } = b;
    let rows = &lost.rows;
    table![
        names.col("customer_id", rows.iter().map(|r| r.customer)),
        names.opt_col("agent_id", rows.iter().map(|r| r.agent)),
        sids.col("session_id", rows.iter().map(|r| r.session)),
        dt_col("last_message_at", rows.iter().map(|r| Some(r.last_message_at))),
        str_col("reason", rows.iter().map(|r| r.reason.label())),
        lost.evidence.rechunk(),
    ]
}

impl Builder<'_> {
    /// The rows of `lost`, in its order (`lost_frame` makes the table).
    pub(super) fn lost_rows(
        &self,
        input: &Input,
        d: &Derived,
        credited: &[Attribution],
        text: &super::TextResults,
    ) -> Lost {
        let (f, readers) = (text.findings, text.readers);
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
        let is_lost = |c: &Customer| c.wrote && !c.ordered && c.last.1 > 0;
        // Each lost customer's reading, in one pass over the clues of the lost customers, customer by customer
        // (sorted so), rather than a search of them per row. The clues are gathered for a range of customer ids at
        // a time (`CLUE_RANGES`): all at once they were 0.2 GB at 10 M messages, on the tables stage's peak.
        let mut readings: Vec<Reading> = Vec::new();
        let ranges = ids.div_ceil(CLUE_RANGES).max(1);
        for lo in (0..ids).step_by(ranges) {
            let wanted = |id: u32| (lo..lo + ranges).contains(&(id as usize)) && is_lost(&by_id[id as usize]);
            let clues = payments::clues(input, f, text.rules, readers, wanted);
            let (of, read): (Vec<u32>, Vec<Reading>) = clues
                .par_chunk_by(|a, b| a.customer == b.customer)
                .map(|own| {
                    let last = own.last().map_or(0, |k| k.ts);
                    (own[0].customer, payments::decide(readers, payments::nearness(readers, own, last)))
                })
                .unzip();
            drop(clues);
            for (i, id) in of.iter().enumerate() {
                by_id[*id as usize].reading = (readings.len() + i) as u32 + 1;
            }
            readings.extend(read);
        }
        let unknown = Reading { category: None, score: 0.0, evidence: None };
        let reading = |c: &Customer| if c.reading == 0 { unknown } else { readings[c.reading as usize - 1] };
        let lost: Vec<(u32, &Customer)> =
            by_id.iter().enumerate().filter(|(_, c)| is_lost(c)).map(|(id, c)| (id as u32, c)).collect();
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
        let evidence =
            par_str_col("evidence", &rows, |&(_, _, _, c)| Some(evidence_excerpt(input, &reading(c).evidence?)));
        let rows = rows
            .iter()
            .map(|&(_, _, id, c)| LostRow {
                customer: id,
                agent: session(c).agent,
                session: c.last.1 - 1,
                last_message_at: c.last.0,
                reason: readers.reason_of(&reading(c)),
            })
            .collect();
        Lost { rows, evidence }
    }
}
