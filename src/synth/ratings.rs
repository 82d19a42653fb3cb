//! The satisfaction ratings `kefu gen` plants (满意度, SPEC §8): after a quarter of the conversations the customer
//! rates the agent who wrote last, a few minutes after the conversation's last message; one rating in ten names no
//! agent (some 评价 exports leave it out), and then counts for the agent of the conversation's last session. A
//! conversation with an unanswered turn is rated worse. The truth is the session each rating belongs to.

use super::Row;
use super::script::ConvOut;
use crate::model::{Sender, Ts};
use crate::rng::Rng;

/// Share of conversations the customer rates.
const RATED: f64 = 0.25;
/// Share of ratings that name no agent.
const WITHOUT_AGENT: f64 = 0.1;
/// Stars 5..1 after a conversation answered throughout, and after one with an unanswered turn.
const STARS_ANSWERED: [f64; 5] = [0.6, 0.25, 0.08, 0.04, 0.03];
const STARS_UNANSWERED: [f64; 5] = [0.1, 0.15, 0.25, 0.25, 0.25];

/// A planted rating: what the ratings file says, and the truth (the session it belongs to and its agent).
pub(super) struct Planted {
    pub(super) conv: u64,
    pub(super) customer: u32,
    /// The agent the file names (`None`: left out).
    pub(super) named: Option<usize>,
    pub(super) at: Ts,
    pub(super) stars: u8,
    /// The conversation's last session (1-based) and the agent the rating counts for.
    pub(super) session: u32,
    pub(super) agent: usize,
}

/// The rating of conversation `c`, if its customer rates it.
pub(super) fn plant(c: &ConvOut, rng: &mut Rng) -> Option<Planted> {
    if !rng.chance(RATED) {
        return None;
    }
    // The last session: the messages after the last silence longer than a session gap (planted gaps are either
    // under 30 minutes or over 40, script.rs).
    let rows: &[Row] = &c.rows;
    let cut = rows.windows(2).rposition(|w| w[1].ts - w[0].ts > super::MAX_INNER_GAP).map_or(0, |i| i + 1);
    let last = &rows[cut..];
    let writer = last.iter().rev().find(|r| r.sender == Sender::Agent)?.agent;
    // A session's agent (sessions.csv) is the agent of its first customer message, else of its first message.
    let owner = last.iter().find(|r| r.sender == Sender::Customer).unwrap_or(&last[0]).agent;
    let session = 1 + rows.windows(2).filter(|w| w[1].ts - w[0].ts > super::MAX_INNER_GAP).count() as u32;
    let unanswered = c.truth.iter().any(|t| t.response.is_none());
    let weights = if unanswered { &STARS_UNANSWERED } else { &STARS_ANSWERED };
    let stars = 5 - rng.weighted(weights) as u8;
    let at = rows.last()?.ts + rng.range(10, 900);
    let named = (!rng.chance(WITHOUT_AGENT)).then_some(writer);
    Some(Planted {
        conv: rows[0].conv,
        customer: rows[0].customer,
        named,
        at,
        stars,
        session,
        agent: named.unwrap_or(owner),
    })
}
