//! `message_counts`: what the default reports need of the messages, in a few rows per session instead of one per
//! message (SPEC §4). Counted from the message rows into owned rows (`count_rows`), so the rows can be freed before
//! the frame is made (`counts_frame`).

use super::Builder;
use super::cols::*;
use crate::model::{Input, Ts};
use crate::sessions::Derived;
use crate::timefmt::day_of;
use polars::prelude::*;

/// Message counts per session, agent, customer and hour, in session order (rows of a session in the order their key
/// first occurs): what the default reports need from the messages, in a few rows per session instead of one per
/// message. Politeness figures count agent messages only.
pub(super) fn count_rows(input: &Input, d: &Derived, pol: &[crate::detect::Politeness]) -> Vec<CountRow> {
    let mut rows: Vec<CountRow> = Vec::with_capacity(d.sessions.len() * 2);
    let mut first = 0; // the current session's first row
    for &k in &d.order {
        let m = &input.messages[k as usize];
        let session = d.msg_session[k as usize];
        if rows.get(first).is_some_and(|r| r.session != session) {
            first = rows.len();
        }
        let hour = hour_start(m.ts);
        let at = rows[first..].iter().position(|r| r.agent == m.agent && r.customer == m.customer && r.hour == hour);
        let r = match at {
            Some(i) => &mut rows[first + i],
            None => {
                rows.push(CountRow { session, agent: m.agent, customer: m.customer, hour, ..Default::default() });
                rows.last_mut().expect("just pushed")
            }
        };
        r.by_sender[m.sender as usize] += 1;
        if m.sender == crate::model::Sender::Agent {
            let p = &pol[k as usize];
            r.polite += p.polite as u32;
            r.nin += p.nin as u32;
            r.wo += p.wo as u32;
        }
    }
    rows
}

#[derive(Default)]
pub(super) struct CountRow {
    session: u32,
    agent: u32,
    customer: u32,
    hour: Ts,
    /// Messages by `Sender` (customer, agent, bot, system).
    by_sender: [u32; 4],
    polite: u32,
    nin: u32,
    wo: u32,
}

/// `message_counts` from its rows.
pub(super) fn counts_frame(b: &Builder, counts: &[CountRow]) -> DataFrame {
    let Builder { names, sids, cal, .. } = b;
    table![
        sids.col("session_id", counts.iter().map(|r| r.session)),
        names.col("agent_id", counts.iter().map(|r| r.agent)),
        names.col("customer_id", counts.iter().map(|r| r.customer)),
        key_col("session_key", counts.iter().map(|r| r.session)),
        key_col("agent_key", counts.iter().map(|r| r.agent)),
        key_col("customer_key", counts.iter().map(|r| r.customer)),
        dt_col("hour_start", counts.iter().map(|r| Some(r.hour))),
        date_col("date", counts.iter().map(|r| day_of(r.hour))),
        str_col("week", counts.iter().map(|r| cal.week(r.hour))),
        opt_str_col("phase", counts.iter().map(|r| cal.phase(r.hour))),
        Column::new("customer_messages".into(), counts.iter().map(|r| r.by_sender[0]).collect::<Vec<_>>()),
        Column::new("agent_messages".into(), counts.iter().map(|r| r.by_sender[1]).collect::<Vec<_>>()),
        Column::new("bot_messages".into(), counts.iter().map(|r| r.by_sender[2]).collect::<Vec<_>>()),
        Column::new("system_messages".into(), counts.iter().map(|r| r.by_sender[3]).collect::<Vec<_>>()),
        Column::new("polite_messages".into(), counts.iter().map(|r| r.polite).collect::<Vec<_>>()),
        Column::new("nin_count".into(), counts.iter().map(|r| r.nin).collect::<Vec<_>>()),
        Column::new("wo_count".into(), counts.iter().map(|r| r.wo).collect::<Vec<_>>()),
    ]
}
