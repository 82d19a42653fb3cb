//! Sessions and turns (SPEC §3), pure functions over ingested messages.
//!
//! * A conversation's messages are ordered by time; equal timestamps keep input order.
//! * A session is split where two consecutive messages are more than `session_gap` apart.
//! * A turn is a run of consecutive customer messages: it starts at the first and is answered by the first
//!   following agent message. Bot and system messages neither start nor answer a turn; further customer messages
//!   only extend it. A turn still open when its session ends is unanswered.
//! * A turn belongs to the agent of its first customer message (the sub-account that received it).
//! * A turn counts toward response metrics when it starts within business hours; response times are capped for
//!   averages and an unanswered turn counts as the cap.

use crate::config::Settings;
use crate::model::{Message, Sender, Ts};
use rayon::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub conv: u32,
    /// 1-based number of the session within its conversation.
    pub no: u32,
    /// Range of this session's messages in `Derived::order`.
    pub first: usize,
    pub len: usize,
    pub start: Ts,
    pub end: Ts,
    pub shop: u32,
    pub customer: u32,
    /// The agent of the session's first customer message (else of its first message).
    pub agent: u32,
    pub customer_msgs: u32,
    pub agent_msgs: u32,
    pub bot_msgs: u32,
    pub system_msgs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Index into `Derived::sessions`.
    pub session: u32,
    /// 1-based number of the turn within its session.
    pub no: u32,
    /// The agent who received the turn's first customer message.
    pub owner: u32,
    /// The agent whose message answered it; 0 when unanswered.
    pub answered_by: u32,
    pub start: Ts,
    pub answer: Option<Ts>,
    pub customer_msgs: u32,
    /// Starts within business hours, so it counts toward response metrics.
    pub in_hours: bool,
    /// The first counted (business-hours) turn of its session: its response is the session's first response.
    pub first_in_session: bool,
    /// The first counted turn its owner has in the session: the start of the owner's reception there (SPEC §8; a
    /// customer transferred to an agent is a new reception for that agent, 赤兔's count).
    pub first_of_owner: bool,
    /// The first agent message after the turn in its conversation: the answer, else the first agent message of a
    /// later session of the conversation (a 留言 answered next morning); none when no agent wrote after it.
    pub reply_at: Option<Ts>,
}

impl Turn {
    pub fn response_secs(&self) -> Option<i64> {
        self.answer.map(|a| a - self.start)
    }
    /// Response capped at `cap`; an unanswered turn counts as the cap.
    pub fn capped_secs(&self, cap: i64) -> i64 {
        self.response_secs().map_or(cap, |r| r.min(cap))
    }
    /// Answered within the target (unanswered = missed).
    pub fn within_target(&self, target: i64) -> bool {
        self.response_secs().is_some_and(|r| r <= target)
    }
    /// Received outside business hours and replied in time (`Settings::offhours_replied`; 留言回复, SPEC §8): the
    /// one definition of the `offhours_replied` column of `turns` and `response_counts`.
    pub fn offhours_replied(&self, settings: &Settings) -> bool {
        !self.in_hours && settings.offhours_replied(self.start, self.reply_at)
    }
}

#[derive(Debug, Default)]
pub struct Derived {
    /// Message indices in session order: by conversation, then time, then input order.
    pub order: Vec<u32>,
    /// For each message (by its index in the input), the index of its session.
    pub msg_session: Vec<u32>,
    pub sessions: Vec<Session>,
    pub turns: Vec<Turn>,
}

/// Orders the messages and derives sessions and turns.
pub fn build(messages: &[Message], settings: &Settings) -> Derived {
    let order = session_order(messages);
    let mut d = Derived { msg_session: vec![0; messages.len()], ..Default::default() };
    let mut i = 0;
    while i < order.len() {
        let conv = messages[order[i] as usize].conv;
        let mut j = i;
        while j < order.len() && messages[order[j] as usize].conv == conv {
            j += 1;
        }
        conversation(messages, &order, i..j, settings, &mut d);
        i = j;
    }
    d.order = order;
    d
}

/// The message indices by conversation, then time, then input order (a message's index). Each message's key
/// is packed into one integer — conversation, seconds since the earliest message, index — and the integers are
/// sorted: sorting the indices by a key read from the messages took a cache miss per comparison at 10 M messages.
fn session_order(messages: &[Message]) -> Vec<u32> {
    let base = messages.iter().map(|m| m.ts).min().unwrap_or(0);
    // `ts - base` lies in 0..2^64 for any two i64; as u64 it is exact.
    let key = |(i, m): (usize, &Message)| {
        (u128::from(m.conv) << 96) | (u128::from(m.ts.wrapping_sub(base) as u64) << 32) | i as u128
    };
    let mut keys: Vec<u128> = messages.par_iter().enumerate().map(key).collect();
    keys.par_sort_unstable();
    keys.into_par_iter().map(|k| k as u32).collect()
}

/// Splits one conversation (a range of `order`) into sessions and their turns.
fn conversation(
    messages: &[Message],
    order: &[u32],
    range: std::ops::Range<usize>,
    settings: &Settings,
    d: &mut Derived,
) {
    let (first_session, first_turn) = (d.sessions.len(), d.turns.len());
    let mut no = 0;
    let mut s = range.start;
    while s < range.end {
        let mut e = s + 1;
        while e < range.end
            && messages[order[e] as usize].ts - messages[order[e - 1] as usize].ts <= settings.session_gap_secs
        {
            e += 1;
        }
        no += 1;
        session(messages, order, s..e, no, settings, d);
        s = e;
    }
    // Each turn's reply: its answer, else the first agent message of a later session (sessions walked backwards).
    let mut next_agent: Option<Ts> = None;
    let mut t = d.turns.len();
    for si in (first_session..d.sessions.len()).rev() {
        while t > first_turn && d.turns[t - 1].session as usize == si {
            t -= 1;
            d.turns[t].reply_at = d.turns[t].answer.or(next_agent);
        }
        let s = &d.sessions[si];
        let mut msgs = order[s.first..s.first + s.len].iter().map(|&k| &messages[k as usize]);
        if let Some(m) = msgs.find(|m| m.sender == Sender::Agent) {
            next_agent = Some(m.ts);
        }
    }
}

fn session(
    messages: &[Message],
    order: &[u32],
    range: std::ops::Range<usize>,
    no: u32,
    settings: &Settings,
    d: &mut Derived,
) {
    let idx = d.sessions.len() as u32;
    let msgs = || order[range.clone()].iter().map(|&k| &messages[k as usize]);
    let first = msgs().next().expect("a session has a message");
    let opener = msgs().find(|m| m.sender == Sender::Customer).unwrap_or(first);
    let mut s = Session {
        conv: first.conv,
        no,
        first: range.start,
        len: range.len(),
        start: first.ts,
        end: msgs().next_back().map_or(first.ts, |m| m.ts),
        shop: opener.shop,
        customer: opener.customer,
        agent: opener.agent,
        customer_msgs: 0,
        agent_msgs: 0,
        bot_msgs: 0,
        system_msgs: 0,
    };
    let mut open: Option<Turn> = None;
    let mut turn_no = 0;
    let mut seen_first_counted = false;
    // The owners with a counted turn so far (a session has one or a few).
    let mut owners: Vec<u32> = Vec::new();
    let mut close = |t: Turn, d: &mut Derived| {
        let mut t = t;
        if t.in_hours && !seen_first_counted {
            t.first_in_session = true;
            seen_first_counted = true;
        }
        if t.in_hours && !owners.contains(&t.owner) {
            t.first_of_owner = true;
            owners.push(t.owner);
        }
        d.turns.push(t);
    };
    for &k in &order[range.clone()] {
        let m = &messages[k as usize];
        d.msg_session[k as usize] = idx;
        match m.sender {
            Sender::Customer => {
                s.customer_msgs += 1;
                match open.as_mut() {
                    Some(t) => t.customer_msgs += 1,
                    None => {
                        turn_no += 1;
                        open = Some(Turn {
                            session: idx,
                            no: turn_no,
                            owner: m.agent,
                            answered_by: 0,
                            start: m.ts,
                            answer: None,
                            customer_msgs: 1,
                            in_hours: settings.in_business_hours(m.ts),
                            first_in_session: false,
                            first_of_owner: false,
                            reply_at: None,
                        });
                    }
                }
            }
            Sender::Agent => {
                s.agent_msgs += 1;
                if let Some(mut t) = open.take() {
                    t.answer = Some(m.ts);
                    t.answered_by = m.agent;
                    close(t, d);
                }
            }
            Sender::Bot => s.bot_msgs += 1,
            Sender::System => s.system_msgs += 1,
        }
    }
    if let Some(t) = open.take() {
        close(t, d);
    }
    d.sessions.push(s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timefmt::parse_ts;

    /// Builds messages of one conversation from (time, sender, agent) triples; agent ids are small integers.
    fn msgs(rows: &[(&str, Sender, u32)]) -> Vec<Message> {
        rows.iter()
            .map(|&(t, sender, agent)| Message {
                conv: 1,
                ts: parse_ts(&format!("2026-11-11 {t}"), Settings::default().tz)
                    .or_else(|| parse_ts(t, Settings::default().tz))
                    .unwrap(),
                shop: 0,
                customer: 9,
                agent,
                sender,
                order: 0,
                text_start: 0,
                text_len: 0,
            })
            .collect()
    }

    fn responses(d: &Derived) -> Vec<Option<i64>> {
        d.turns.iter().map(Turn::response_secs).collect()
    }

    use Sender::{Agent as A, Bot as B, Customer as C, System as S};

    #[test]
    fn merged_customer_messages_and_bot_reply_do_not_stop_the_clock() {
        let d = build(
            &msgs(&[
                ("10:00:00", C, 1),
                ("10:00:05", C, 1),
                ("10:00:06", B, 1),
                ("10:00:30", A, 1),
                ("10:00:40", A, 1),
            ]),
            &Settings::default(),
        );
        assert_eq!(responses(&d), [Some(30)]);
        assert_eq!(d.turns[0].customer_msgs, 2);
        assert_eq!(d.sessions[0].bot_msgs, 1);
        assert!(d.turns[0].first_in_session);
    }

    #[test]
    fn unanswered_at_session_end_and_gap_split() {
        // 31 minutes of silence split the session: the 10:00 turn is unanswered, the 10:31 agent message opens a
        // new session that has no turn (an agent message answers nothing there).
        let s = Settings::default();
        let d = build(&msgs(&[("10:00:00", C, 1), ("10:31:00", A, 1), ("10:40:00", C, 1), ("10:40:10", A, 1)]), &s);
        assert_eq!(d.sessions.len(), 2);
        assert_eq!(responses(&d), [None, Some(10)]);
        assert_eq!(d.turns[0].capped_secs(s.cap_secs), 600);
        assert!(!d.turns[0].within_target(s.target_secs));
        assert_eq!((d.sessions[1].no, d.sessions[1].agent_msgs, d.sessions[1].customer_msgs), (2, 2, 1));
        // Exactly 30 minutes does not split.
        let d = build(&msgs(&[("10:00:00", C, 1), ("10:30:00", A, 1)]), &s);
        assert_eq!((d.sessions.len(), responses(&d)), (1, vec![Some(1800)]));
        assert_eq!(d.turns[0].capped_secs(s.cap_secs), 600);
    }

    #[test]
    fn system_messages_and_transfer() {
        // Received by agent 1, transferred by the system, answered by agent 2: the turn stays agent 1's.
        let d = build(&msgs(&[("10:00:00", C, 1), ("10:00:10", S, 1), ("10:00:50", A, 2)]), &Settings::default());
        assert_eq!(responses(&d), [Some(50)]);
        assert_eq!((d.turns[0].owner, d.turns[0].answered_by), (1, 2));
    }

    #[test]
    fn off_hours_and_cross_midnight() {
        let s = Settings::default();
        let d = build(
            &msgs(&[
                ("2026-11-11 22:59:50", C, 1),
                ("2026-11-11 23:00:20", A, 1),
                ("2026-11-11 23:10:00", C, 1),
                ("2026-11-11 23:30:00", A, 1),
                ("2026-11-11 23:55:00", C, 1),
                ("2026-11-12 00:05:00", A, 1),
                ("2026-11-12 07:59:59", C, 1),
                ("2026-11-12 08:00:05", A, 1),
                ("2026-11-12 08:00:30", C, 1),
                ("2026-11-12 08:00:40", A, 1),
            ]),
            &s,
        );
        assert_eq!(responses(&d), [Some(30), Some(1200), Some(600), Some(6), Some(10)]);
        let in_hours: Vec<bool> = d.turns.iter().map(|t| t.in_hours).collect();
        assert_eq!(in_hours, [true, false, false, false, true]);
        // The 23:55 → 00:05 turn is one session across midnight; 07:59:59 is a new session (gap > 30 min).
        assert_eq!(d.sessions.len(), 2);
        assert!(d.turns[0].first_in_session && d.turns[4].first_in_session);
        assert!(!d.turns[3].first_in_session);
    }

    #[test]
    fn receptions_and_replies_in_later_sessions() {
        let s = Settings::default();
        // Agent 1 owns turns 1 and 3 of the first session, agent 2 turn 2 (a transfer and a return). The last turn,
        // at 23:40, is unanswered in its session; its reply is the first agent message of the next session.
        let d = build(
            &msgs(&[
                ("2026-11-11 10:00:00", C, 1),
                ("2026-11-11 10:00:05", A, 1),
                ("2026-11-11 10:01:00", C, 2),
                ("2026-11-11 10:01:30", A, 2),
                ("2026-11-11 10:02:00", C, 1),
                ("2026-11-11 10:02:30", A, 1),
                ("2026-11-11 23:40:00", C, 1),
                ("2026-11-12 09:00:00", B, 0),
                ("2026-11-12 09:10:00", A, 1),
            ]),
            &s,
        );
        let first_of_owner: Vec<bool> = d.turns.iter().map(|t| t.first_of_owner).collect();
        assert_eq!(first_of_owner, [true, true, false, false], "the off-hours turn is no reception");
        let reply: Vec<Option<i64>> = d.turns.iter().map(|t| t.reply_at.map(|r| r - t.start)).collect();
        assert_eq!(reply, [Some(5), Some(30), Some(30), Some(9 * 3600 + 30 * 60)], "a bot's message is no reply");
        assert!(s.offhours_replied(d.turns[3].start, d.turns[3].reply_at), "09:10 is within 08:00 + 2 h");
        assert!(!s.offhours_replied(d.turns[3].start, d.turns[3].reply_at.map(|r| r + 3600)), "10:10 is not");
    }

    #[test]
    fn equal_timestamps_keep_input_order_and_agent_first_opens_nothing() {
        let d = build(&msgs(&[("10:00:00", A, 1), ("10:00:00", C, 1), ("10:00:00", A, 1)]), &Settings::default());
        assert_eq!(responses(&d), [Some(0)]);
        assert_eq!(d.sessions[0].agent, 1);
        assert_eq!(d.order, [0, 1, 2]);
    }

    #[test]
    fn the_packed_sort_orders_as_the_key_does() {
        // Conversation ids at both ends of u32, times before 1970 and far apart, ties broken by the index.
        let (convs, times) = ([u32::MAX, 0, 7, u32::MAX, 7, 0, 7], [5, -86_400 * 400, 5, i64::MIN / 4, 5, 0, -1]);
        let mut m = msgs(&[("10:00:00", C, 1); 7]);
        for ((x, c), t) in m.iter_mut().zip(convs).zip(times) {
            (x.conv, x.ts) = (c, t);
        }
        let mut expected: Vec<u32> = (0..m.len() as u32).collect();
        expected.sort_by_key(|&i| (m[i as usize].conv, m[i as usize].ts, i));
        assert_eq!(session_order(&m), expected);
        assert_eq!(expected, [1, 5, 6, 2, 4, 3, 0]);
    }

    #[test]
    fn input_order_does_not_matter_beyond_ties() {
        let mut m = msgs(&[("10:00:00", C, 1), ("10:00:07", A, 1), ("10:05:00", C, 1), ("10:05:12", A, 1)]);
        m.reverse();
        let d = build(&m, &Settings::default());
        assert_eq!(responses(&d), [Some(7), Some(12)]);
        assert_eq!(d.msg_session, [0, 0, 0, 0]);
    }
}
