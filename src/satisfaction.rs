//! Satisfaction (满意度, SPEC §8): each rating joined to the session it belongs to, the agent's session with the
//! customer that was open when the rating came, else the last one before it. Pure; `tables` writes the result as
//! the `ratings` table, which the scorecard, the weekly file and the team figures count.
//!
//! * The agent's sessions with a customer are the customer's sessions with a message carrying the agent's id (as
//!   for `max_concurrent`). A rating that names no agent belongs to the customer's session, whoever answered, and
//!   goes to that session's agent (`sessions.csv`'s agent_id).
//! * Open means first message ≤ rating time ≤ last message; of several open sessions the latest started wins. With
//!   none open, the session that ended last before the rating wins. A session that starts after the rating is never
//!   its session.
//! * A rating with no such session keeps the agent it names (or none) and no session.

use crate::model::{Input, Rating, Ts};
use crate::sessions::Derived;

/// A rating with its session (index into `Derived::sessions`) and the agent it counts for (0: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rated {
    pub rating: Rating,
    pub session: Option<u32>,
    pub agent: u32,
}

/// Every rating of `input`, in input order, joined to its session.
pub fn join(input: &Input, d: &Derived) -> Vec<Rated> {
    if input.ratings.is_empty() {
        return Vec::new();
    }
    // The sessions of each rated customer, as offsets into one list (ids are dense).
    let mut rated = vec![false; input.names.len()];
    for r in &input.ratings {
        rated[r.customer as usize] = true;
    }
    let mut start = vec![0u32; input.names.len() + 1];
    for s in d.sessions.iter().filter(|s| rated[s.customer as usize]) {
        start[s.customer as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut fill = start.clone();
    let mut list = vec![0u32; start[start.len() - 1] as usize];
    for (si, s) in d.sessions.iter().enumerate().filter(|(_, s)| rated[s.customer as usize]) {
        list[fill[s.customer as usize] as usize] = si as u32;
        fill[s.customer as usize] += 1;
    }
    let of_customer = |c: u32| &list[start[c as usize] as usize..start[c as usize + 1] as usize];
    // A session's own agent carries its id; another agent only when one of its messages does.
    let carries = |si: u32, agent: u32| {
        let s = &d.sessions[si as usize];
        s.agent == agent || d.order[s.first..s.first + s.len].iter().any(|&k| input.messages[k as usize].agent == agent)
    };
    input
        .ratings
        .iter()
        .map(|&rating| {
            let candidates = of_customer(rating.customer).iter().copied().filter(|&si| {
                d.sessions[si as usize].start <= rating.at && (rating.agent == 0 || carries(si, rating.agent))
            });
            let session = best(candidates.map(|si| (si, &d.sessions[si as usize])), rating.at);
            let agent = match (rating.agent, session) {
                (0, Some(si)) => d.sessions[si as usize].agent,
                (a, _) => a,
            };
            Rated { rating, session, agent }
        })
        .collect()
}

/// Of sessions that started no later than `at`: an open one, the latest started; else the one that ended last.
fn best<'a>(sessions: impl Iterator<Item = (u32, &'a crate::sessions::Session)>, at: Ts) -> Option<u32> {
    // Open sessions rank above closed ones; then by start (open) or end (closed); then by index.
    sessions.max_by_key(|(si, s)| if s.end >= at { (1, s.start, *si) } else { (0, s.end, *si) }).map(|(si, _)| si)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::model::Sender;

    fn shop() -> Input {
        let mut input = Input::default();
        // c1 with A: 10:00–10:05, then 12:00–12:10 (a new session after 30 minutes of silence); c1 with B: 11:00.
        for (ts, agent, sender) in [
            (10 * 3600, "A", Sender::Customer),
            (10 * 3600 + 300, "A", Sender::Agent),
            (11 * 3600, "B", Sender::Customer),
            (11 * 3600 + 20, "B", Sender::Agent),
            (12 * 3600, "A", Sender::Customer),
            (12 * 3600 + 600, "A", Sender::Agent),
        ] {
            crate::ingest::push_message(&mut input, "t1", ts, "S", "c1", agent, sender, "在吗", "");
        }
        input
    }

    fn rate(input: &mut Input, agent: &str, at: Ts) -> Rating {
        let r = Rating { customer: input.names.intern("c1"), agent: input.names.intern(agent), at, stars: 5 };
        input.ratings.push(r);
        r
    }

    #[test]
    fn a_rating_goes_to_the_open_session_else_the_last_before_it() {
        let mut input = shop();
        // A at 10:03 (open: the first session), A at 11:30 (between A's two sessions: the first; B's at 11:00 is not
        // A's), A at 12:05 (open: the third), B at 12:05 (B's only session, over at 11:00:20), anyone at 11:30 (the
        // customer's last session before it: B's), A at 09:00 (before any session: none).
        for (agent, at) in [("A", 36_180), ("A", 41_400), ("A", 43_500), ("B", 43_500), ("", 41_400), ("A", 32_400)] {
            rate(&mut input, agent, at);
        }
        let d = crate::sessions::build(&input.messages, &Settings::default());
        let got: Vec<(Option<u32>, &str)> = join(&input, &d).iter().map(|r| (r.session, input.name(r.agent))).collect();
        assert_eq!(got, [(Some(0), "A"), (Some(0), "A"), (Some(2), "A"), (Some(1), "B"), (Some(1), "B"), (None, "A")]);
    }
}
