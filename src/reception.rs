//! What the platform counts of an agent's receptions beyond turns (SPEC §8): transfers between agents, the most
//! sessions open at once (最大同时接待) and active time (在线时长, estimated). Pure functions over the messages and
//! sessions; `tables` turns their results into the `transfers` and `agent_load` tables.
//!
//! * A transfer is, within a session, an agent message from another agent than the previous agent message, or a
//!   transcript's transfer notice. A notice names who takes over, so that agent's next message is no second
//!   transfer; a notice to the agent already answering is none.
//! * An agent's sessions are those with a message carrying its id; each is open from its first to its last message,
//!   both ends included, so two sessions that touch at one second were open together.
//! * Active time is the union of `[t, t + idle]` over the agent's own messages: chat logs hold no login records.

use crate::model::{Input, Sender, Ts};
use crate::sessions::Derived;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// One transfer: in `session`, at `ts`, from one agent to another (`from` is 0 when a notice names nobody and no
/// agent had written yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    pub session: u32,
    pub ts: Ts,
    pub from: u32,
    pub to: u32,
    /// From a transcript's transfer notice, not from who wrote.
    pub notice: bool,
}

/// Every transfer, by session then time.
pub fn transfers(input: &Input, d: &Derived) -> Vec<Transfer> {
    let mut notices: Vec<&crate::model::Transfer> = input.transfers.iter().filter(|t| t.to != 0).collect();
    notices.sort_by_key(|t| (t.conv, t.ts));
    let mut next = 0;
    let mut out = Vec::new();
    for (si, s) in d.sessions.iter().enumerate() {
        while next < notices.len() && (notices[next].conv, notices[next].ts) < (s.conv, s.start) {
            next += 1;
        }
        let mut current = 0u32;
        let mut note = |from: u32, to: u32, ts: Ts, notice: bool, current: &mut u32| {
            if to != *current && (notice || *current != 0) {
                out.push(Transfer { session: si as u32, ts, from, to, notice });
            }
            *current = to;
        };
        // Each message after the notices written before it; after the last message, the notices up to the end.
        let msgs = d.order[s.first..s.first + s.len].iter().map(|&k| Some(&input.messages[k as usize]));
        for m in msgs.chain([None]) {
            while let Some(n) =
                notices.get(next).filter(|n| n.conv == s.conv && m.map_or(n.ts <= s.end, |m| n.ts < m.ts))
            {
                note(if n.from != 0 { n.from } else { current }, n.to, n.ts, true, &mut current);
                next += 1;
            }
            if let Some(m) = m.filter(|m| m.sender == Sender::Agent && m.agent != 0) {
                note(current, m.agent, m.ts, false, &mut current);
            }
        }
    }
    out
}

/// An agent's load in one group of time (`key`: a week, a shift day; `None`: everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load<K> {
    pub agent: u32,
    pub key: Option<K>,
    pub max_concurrent: u32,
    pub active_secs: i64,
    /// The agent's sessions that start in the group.
    pub sessions: u32,
    /// The agent's first and last own message in the group.
    pub first_own: Option<Ts>,
    pub last_own: Option<Ts>,
    /// The agent's counted turns (business hours) that start in the group, and those answered within the target.
    pub turns: u32,
    pub within: u32,
}

impl<K> Load<K> {
    fn new(agent: u32, key: Option<K>) -> Load<K> {
        Load {
            agent,
            key,
            max_concurrent: 0,
            active_secs: 0,
            sessions: 0,
            first_own: None,
            last_own: None,
            turns: 0,
            within: 0,
        }
    }
    fn open(&mut self, run: &[(Ts, Ts)]) {
        self.max_concurrent = most_open(run);
        self.sessions = run.len() as u32;
    }
    /// From the agent's activity stretches in the group, sorted by start (`AgentTimes::own`).
    fn own(&mut self, run: &[(Ts, Ts)], idle_secs: i64) {
        self.active_secs = union_of_stretches(run, idle_secs);
        self.first_own = run.first().map(|s| s.0);
        self.last_own = run.iter().map(|s| s.1).max();
    }
    fn turns(&mut self, run: &[(Ts, bool)]) {
        self.turns = run.len() as u32;
        self.within = run.iter().filter(|t| t.1).count() as u32;
    }
}

/// One agent's times, each list sorted: the spans of its sessions (first to last message), its activity stretches
/// and its counted turns (business hours: start, answered within the target). A stretch is a run of the agent's own
/// messages with no gap over `idle` and no change of group (week, shift day) inside, kept as its first and last
/// time: the union of `[t, t + idle]` over a group's messages is the union of `[first, last + idle]` over its
/// stretches. So these lists hold everything `loads` needs, and the lists of two inputs with no conversation in
/// common, put together, are the lists of their union: what a partial run keeps of an agent (`partial`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentTimes {
    pub agent: u32,
    pub open: Vec<(Ts, Ts)>,
    pub own: Vec<(Ts, Ts)>,
    pub turns: Vec<(Ts, bool)>,
}

impl AgentTimes {
    /// Sorts the lists (after lists of several inputs were put together).
    pub fn sort(&mut self) {
        self.open.sort_unstable();
        self.own.sort_unstable();
        self.turns.sort_unstable();
    }
}

/// Each agent's times (`AgentTimes`), in the order agents first appear in the messages. `same_group(a, b)`: whether
/// two times fall in the same group of every grouping `loads` will use (a stretch never crosses groups). Gathered on
/// every core: each chunk of the sessions (of the turns) into lists of its own, joined per agent after.
pub fn agent_times(
    input: &Input,
    d: &Derived,
    (idle_secs, target_secs): (i64, i64),
    same_group: impl Fn(Ts, Ts) -> bool + Sync,
) -> Vec<AgentTimes> {
    // Agents as dense slots (ids are shared with customers and shops, so there are far more ids than agents).
    let mut slot = vec![u32::MAX; input.names.len()];
    let mut agents: Vec<u32> = Vec::new();
    for m in input.messages.iter().filter(|m| m.agent != 0) {
        if slot[m.agent as usize] == u32::MAX {
            slot[m.agent as usize] = agents.len() as u32;
            agents.push(m.agent);
        }
    }
    let n = agents.len();
    let chunk = |len: usize| len.div_ceil(2 * rayon::current_num_threads()).max(1);
    let parts: Vec<_> = d
        .sessions
        .par_chunks(chunk(d.sessions.len()))
        .map(|ss| {
            let mut open: Vec<Vec<(Ts, Ts)>> = vec![Vec::new(); n];
            let mut own: Vec<Vec<Ts>> = vec![Vec::new(); n];
            // The agents a session carries: one or two, so a list.
            let mut in_session: Vec<u32> = Vec::new();
            for s in ss {
                in_session.clear();
                for &k in &d.order[s.first..s.first + s.len] {
                    let m = &input.messages[k as usize];
                    if m.agent == 0 {
                        continue;
                    }
                    if !in_session.contains(&m.agent) {
                        in_session.push(m.agent);
                    }
                    if m.sender == Sender::Agent {
                        own[slot[m.agent as usize] as usize].push(m.ts);
                    }
                }
                for &a in &in_session {
                    open[slot[a as usize] as usize].push((s.start, s.end));
                }
            }
            (open, own)
        })
        .collect();
    let turn_parts: Vec<Vec<Vec<(Ts, bool)>>> = d
        .turns
        .par_chunks(chunk(d.turns.len()))
        .map(|ts| {
            let mut turns: Vec<Vec<(Ts, bool)>> = vec![Vec::new(); n];
            for t in ts.iter().filter(|t| t.in_hours && t.owner != 0) {
                if let Some(v) = turns.get_mut(slot[t.owner as usize] as usize) {
                    v.push((t.start, t.within_target(target_secs)));
                }
            }
            turns
        })
        .collect();
    let (open, own): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
    let (open, own, turns) = (join(open, n), join(own, n), join(turn_parts, n));
    open.into_par_iter()
        .zip(own)
        .zip(turns)
        .zip(agents)
        .map(|(((open, mut own), turns), agent)| {
            own.sort_unstable();
            let own = stretches(&own, idle_secs, &same_group);
            let mut t = AgentTimes { agent, open, own, turns };
            t.sort();
            t
        })
        .collect()
}

/// Sorted times as stretches: a new one where the gap exceeds `idle` or the group changes.
fn stretches(times: &[Ts], idle: i64, same_group: &impl Fn(Ts, Ts) -> bool) -> Vec<(Ts, Ts)> {
    let mut out: Vec<(Ts, Ts)> = Vec::new();
    for &t in times {
        match out.last_mut() {
            Some(s) if t - s.1 <= idle && same_group(s.1, t) => s.1 = t,
            _ => out.push((t, t)),
        }
    }
    out
}

/// Each agent's most sessions open at once, active time, sessions, own messages and counted turns, over everything
/// and per group of two groupings at once (a week, a shift day): a session falls in the group of its start, a
/// message and a turn in the group of their time. A key must not decrease as time goes on, so that a group is a run
/// of the agent's times in order; the stretches must not cross groups of either (`agent_times`). The first list
/// holds everything and `key`'s groups, the second `key2`'s groups; both sorted by agent, then key.
pub fn loads<K: Copy + Ord + Send, K2: Copy + Ord + Send>(
    times: &[AgentTimes],
    idle_secs: i64,
    key: impl Fn(Ts) -> K + Sync,
    key2: impl Fn(Ts) -> K2 + Sync,
) -> (Vec<Load<K>>, Vec<Load<K2>>) {
    let per_agent: Vec<Grouped<K, K2>> = times
        .par_iter()
        .map(|t| {
            let lists = (t.open.as_slice(), t.own.as_slice(), t.turns.as_slice());
            let mut all = Load::new(t.agent, None);
            all.open(&t.open);
            all.own(&t.own, idle_secs);
            all.turns(&t.turns);
            let mut first = vec![all];
            first.extend(groups(t.agent, lists, idle_secs, &key));
            (first, groups(t.agent, lists, idle_secs, &key2).collect())
        })
        .collect();
    let (mut out, mut out2): (Vec<Load<K>>, Vec<Load<K2>>) = (Vec::new(), Vec::new());
    for (a, b) in per_agent {
        out.extend(a);
        out2.extend(b);
    }
    out.sort_by_key(|l| (l.agent, l.key));
    out2.sort_by_key(|l| (l.agent, l.key));
    (out, out2)
}

/// Per-agent lists gathered by chunks, joined per agent (`n` agents).
fn join<T: Copy>(chunks: Vec<Vec<Vec<T>>>, n: usize) -> Vec<Vec<T>> {
    (0..n).map(|a| chunks.iter().flat_map(|c| c[a].iter().copied()).collect()).collect()
}

/// One agent's loads by the two groupings of `load`.
type Grouped<K, K2> = (Vec<Load<K>>, Vec<Load<K2>>);
/// One agent's sorted session spans, activity stretches and counted turns (start, within the target).
type Times<'a> = (&'a [(Ts, Ts)], &'a [(Ts, Ts)], &'a [(Ts, bool)]);

/// One agent's groups by `key`, from its sorted session spans, own messages and counted turns.
fn groups<K: Copy + Ord>(
    agent: u32,
    (open, own, turns): Times,
    idle_secs: i64,
    key: &impl Fn(Ts) -> K,
) -> impl Iterator<Item = Load<K>> {
    let mut groups: BTreeMap<K, Load<K>> = BTreeMap::new();
    for run in open.chunk_by(|a, b| key(a.0) == key(b.0)) {
        let k = key(run[0].0);
        groups.entry(k).or_insert_with(|| Load::new(agent, Some(k))).open(run);
    }
    for run in own.chunk_by(|a, b| key(a.0) == key(b.0)) {
        let k = key(run[0].0);
        groups.entry(k).or_insert_with(|| Load::new(agent, Some(k))).own(run, idle_secs);
    }
    for run in turns.chunk_by(|a, b| key(a.0) == key(b.0)) {
        let k = key(run[0].0);
        groups.entry(k).or_insert_with(|| Load::new(agent, Some(k))).turns(run);
    }
    groups.into_values()
}

/// The most intervals open at one instant, ends included: at equal times an opening counts before a closing.
fn most_open(intervals: &[(Ts, Ts)]) -> u32 {
    let mut events: Vec<(Ts, i8)> = intervals.iter().flat_map(|&(a, b)| [(a, -1), (b, 1)]).collect();
    events.sort_unstable();
    let (mut now, mut most) = (0i64, 0i64);
    for (_, e) in events {
        now -= e as i64;
        most = most.max(now);
    }
    most as u32
}

/// The length of the union of `[t, t + idle]` over the times, in order.
#[cfg(test)]
fn union_secs(times: &[Ts], idle: i64) -> i64 {
    times.windows(2).map(|w| (w[1] - w[0]).min(idle)).sum::<i64>() + if times.is_empty() { 0 } else { idle }
}

/// The length of the union of `[first, last + idle]` over stretches sorted by first (they may overlap: stretches
/// of two partitions interleave).
fn union_of_stretches(stretches: &[(Ts, Ts)], idle: i64) -> i64 {
    let mut total = 0;
    let mut open: Option<(Ts, Ts)> = None;
    for &(a, b) in stretches {
        let (a, b) = (a, b + idle);
        open = match open {
            Some((x, y)) if a <= y => Some((x, y.max(b))),
            Some((x, y)) => {
                total += y - x;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    total + open.map_or(0, |(x, y)| y - x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transcript with a transfer notice, a return by message, and a robot in between.
    #[test]
    fn transfers_by_notice_and_by_message() {
        let text = "tb_a 2026-11-01 08:54:00\n在吗\n\
                    店:小悦 2026-11-01 08:54:17\n早上好\n\
                    店:小悦 转交给 店:小雪\n\
                    tb_a 2026-11-01 08:55:00\n嗯\n\
                    店:小雪 2026-11-01 08:55:30\n您好\n\
                    店:店小蜜 2026-11-01 08:56:00\n亲，有什么可以帮您\n\
                    店:小悦 2026-11-01 08:57:00\n我回来了\n";
        let s = crate::config::Settings::default();
        let mut input = Input::default();
        crate::ingest::qianniu::parse_transcript(text, "t.txt", &s, &mut input);
        let d = crate::sessions::build(&input.messages, &s);
        let got: Vec<(&str, &str, bool)> =
            transfers(&input, &d).iter().map(|t| (input.name(t.from), input.name(t.to), t.notice)).collect();
        // The notice hands 小悦's customer to 小雪, whose message is then no second transfer; 小悦 writing again
        // after 小雪 is a transfer back; the robot is no agent.
        assert_eq!(got, [("店:小悦", "店:小雪", true), ("店:小雪", "店:小悦", false)]);
    }

    #[test]
    fn sessions_touching_at_one_second_were_open_together() {
        assert_eq!(most_open(&[(0, 10), (10, 20)]), 2);
        assert_eq!(most_open(&[(0, 10), (11, 20)]), 1);
        assert_eq!(most_open(&[(0, 100), (5, 6), (7, 8), (50, 60), (55, 58)]), 3);
        assert_eq!(most_open(&[]), 0);
    }

    #[test]
    fn active_time_is_the_union_of_idle_windows() {
        // 600 s windows from 0, 100 and 2000: [0, 700) ∪ [2000, 2600) = 700 + 600.
        assert_eq!(union_secs(&[0, 100, 2000], 600), 1300);
        assert_eq!(union_secs(&[5], 600), 600);
        assert_eq!(union_secs(&[], 600), 0);
    }

    /// The stretches of a partition keep the union exact, also when two partitions' stretches interleave.
    #[test]
    fn stretches_give_the_union_of_idle_windows() {
        let all = [0, 100, 900, 2000, 2100, 5000];
        let whole = |t: &[Ts]| union_of_stretches(&stretches(t, 600, &|_, _| true), 600);
        assert_eq!(whole(&all), union_secs(&all, 600));
        // Two partitions' times, each made into stretches, put together: the same union.
        let (a, b) = ([0, 900, 2100], [100, 2000, 5000]);
        let mut both = stretches(&a, 600, &|_, _| true);
        both.extend(stretches(&b, 600, &|_, _| true));
        both.sort_unstable();
        assert_eq!(union_of_stretches(&both, 600), union_secs(&all, 600));
        // A group boundary at 1000 splits the stretch [900, 900] from [0, 100] without changing the union.
        let split = stretches(&all, 600, &|x, y| (x < 1000) == (y < 1000));
        assert_eq!(split[..2], [(0, 100), (900, 900)]);
        assert_eq!(union_of_stretches(&split, 600), union_secs(&all, 600));
    }
}
