//! Who is who and when in a shop's roster, from kefu.toml: the teams (`[teams]`, 客服分组) and the shifts
//! (`[[shifts]]`, 班次) of SPEC §8. Parsed and checked once when the settings are read; the stages ask an agent's
//! team, and the shift day of a time.
//!
//! Shifts: each is a daily interval [start, end) of local time; one whose end is not after its start passes
//! midnight and belongs to the day it started. Shifts may not overlap. The hours no shift covers are `班外` slots,
//! so every time has exactly one shift day; with no shifts, the day is one slot, `全天`. A time's shift day is a
//! number that never decreases as time goes on (`Shifts::key`), which `reception::load` groups by.

use crate::timefmt::{SECS_PER_DAY, Ts};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// The slot of the hours no shift covers.
pub const OFF_SHIFT: &str = "班外";
/// The one slot of a day when kefu.toml sets no shifts.
pub const WHOLE_DAY: &str = "全天";

/// The team of the agents listed in no team.
pub const UNGROUPED: &str = "未分组";

/// Agent → team, from `[teams]`: an agent is named by its full id (`店:小美`) or its sub-account name (`小美`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Teams {
    /// The teams as kefu.toml lists them (summary.json's settings).
    pub listed: Vec<(String, Vec<String>)>,
    #[serde(skip)]
    full: HashMap<String, String>,
    #[serde(skip)]
    sub: HashMap<String, String>,
}

impl Teams {
    /// Errors when an agent is listed in two teams, or a team is named `未分组`.
    pub fn new(teams: &[(String, Vec<String>)]) -> std::result::Result<Teams, String> {
        let mut t = Teams::default();
        for (team, agents) in teams {
            if team == UNGROUPED {
                return Err(format!(
                    "[teams]: {UNGROUPED} is the team of the agents listed in none; name yours otherwise"
                ));
            }
            for a in agents {
                let map = if a.contains(':') { &mut t.full } else { &mut t.sub };
                if let Some(other) = map.insert(a.clone(), team.clone()) {
                    return Err(format!("[teams]: {a} is listed in both {other} and {team}"));
                }
            }
        }
        t.listed = teams.to_vec();
        Ok(t)
    }

    pub fn is_empty(&self) -> bool {
        self.full.is_empty() && self.sub.is_empty()
    }

    /// The team of an agent id; the empty id (no agent) stays empty.
    pub fn of<'a>(&'a self, agent: &'a str) -> &'a str {
        if agent.is_empty() {
            return agent;
        }
        let sub = agent.rsplit(':').next().unwrap_or(agent);
        self.full.get(agent).or_else(|| self.sub.get(sub)).map_or(UNGROUPED, String::as_str)
    }
}

/// The shifts of `[[shifts]]` and the gaps between them, as slots of the day ordered by start.
#[derive(Debug, Clone, Serialize)]
pub struct Shifts {
    /// (name, start in seconds after midnight), sorted by start; each slot lasts until the next one starts (the
    /// last until the first's start the next day).
    slots: Vec<(String, i64)>,
}

impl Default for Shifts {
    fn default() -> Self {
        Shifts { slots: vec![(WHOLE_DAY.to_string(), 0)] }
    }
}

impl Shifts {
    /// From (name, start, end) in seconds after midnight. Errors name the shifts that overlap, a shift of no length,
    /// or a reserved name.
    pub fn new(defs: &[(String, i64, i64)]) -> std::result::Result<Shifts, String> {
        if defs.is_empty() {
            return Ok(Shifts::default());
        }
        let mut spans: Vec<(i64, i64, &str)> = Vec::new();
        for (name, start, end) in defs {
            if name.trim().is_empty() || name == OFF_SHIFT || name == WHOLE_DAY {
                return Err(format!(
                    "[[shifts]]: '{name}' cannot name a shift ({OFF_SHIFT} and {WHOLE_DAY} are kefu's)"
                ));
            }
            let (start, end) = (start.rem_euclid(SECS_PER_DAY), end.rem_euclid(SECS_PER_DAY));
            let len = (end - start).rem_euclid(SECS_PER_DAY);
            let len = if len == 0 && defs.len() == 1 { SECS_PER_DAY } else { len };
            if len == 0 {
                return Err(format!("[[shifts]]: {name} starts when it ends"));
            }
            spans.push((start, start + len, name));
        }
        spans.sort();
        let mut slots = Vec::new();
        for (i, &(start, end, name)) in spans.iter().enumerate() {
            // The next shift's start, on the following day for the last.
            let next = spans.get(i + 1).map_or(spans[0].0 + SECS_PER_DAY, |n| n.0);
            if end > next {
                let other = spans.get(i + 1).map_or(spans[0].2, |n| n.2);
                return Err(format!("[[shifts]]: {name} and {other} overlap"));
            }
            slots.push((name.to_string(), start));
            if end < next {
                slots.push((OFF_SHIFT.to_string(), end.rem_euclid(SECS_PER_DAY)));
            }
        }
        slots.sort_by_key(|s| s.1);
        Ok(Shifts { slots })
    }

    /// The shift day of a local time: its slot's day (the day the slot started) × slots + the slot's rank.
    pub fn key(&self, ts: Ts) -> u32 {
        let (day, clock) = (ts.div_euclid(SECS_PER_DAY), ts.rem_euclid(SECS_PER_DAY));
        let n = self.slots.len() as i64;
        let key = match self.slots.iter().rposition(|s| s.1 <= clock) {
            Some(rank) => day * n + rank as i64,
            // Before the first slot's start: the last slot of the day before, which passes midnight.
            None => (day - 1) * n + n - 1,
        };
        key as u32
    }

    /// The day and shift name of a `key`.
    pub fn describe(&self, key: u32) -> (NaiveDate, &str, u32) {
        let n = self.slots.len() as u32;
        let day = crate::timefmt::day_of((key / n) as i64 * SECS_PER_DAY);
        (day, &self.slots[(key % n) as usize].0, key % n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_by_full_id_or_sub_account_and_the_rest_ungrouped() {
        let t =
            Teams::new(&[("售前".into(), vec!["店:小美".into(), "小雪".into()]), ("售后".into(), vec!["小美".into()])])
                .unwrap();
        // The full id wins over the sub-account name.
        assert_eq!(
            (t.of("店:小美"), t.of("店:小雪"), t.of("别店:小美"), t.of("店:小王"), t.of("")),
            ("售前", "售前", "售后", UNGROUPED, "")
        );
        let twice = Teams::new(&[("A".into(), vec!["x".into()]), ("B".into(), vec!["x".into()])]).unwrap_err();
        assert!(twice.contains("both A and B"), "{twice}");
        assert!(Teams::new(&[(UNGROUPED.into(), vec![])]).is_err());
    }

    #[test]
    fn a_night_shift_belongs_to_the_day_it_started() {
        let h = |x: i64| x * 3600;
        let s = Shifts::new(&[("晚班".into(), h(18), h(2)), ("早班".into(), h(8), h(18))]).unwrap();
        let at = |day: i64, clock: i64| {
            let (d, name, _) = s.describe(s.key(day * SECS_PER_DAY + clock));
            (d.to_string(), name.to_string())
        };
        // Day 20,402 is 2025-11-10 (days since 1970-01-01).
        let day = 20_402;
        assert_eq!(at(day, h(9)), ("2025-11-10".into(), "早班".into()));
        assert_eq!(at(day, h(23)), ("2025-11-10".into(), "晚班".into()));
        assert_eq!(at(day + 1, h(1)), ("2025-11-10".into(), "晚班".into()), "01:00 is the night before's");
        assert_eq!(at(day + 1, h(2)), ("2025-11-11".into(), OFF_SHIFT.into()), "02:00–08:00 is no shift");
        assert_eq!(at(day + 1, h(8) - 1), ("2025-11-11".into(), OFF_SHIFT.into()));
        // The key never decreases as time goes on.
        let keys: Vec<u32> = (0..96).map(|q| s.key(day * SECS_PER_DAY + q * 900)).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]));
        assert!(Shifts::new(&[("A".into(), h(8), h(18)), ("B".into(), h(17), h(20))]).unwrap_err().contains("overlap"));
        assert!(Shifts::new(&[("A".into(), h(8), h(8)), ("B".into(), h(9), h(10))]).is_err());
        let whole = Shifts::default();
        assert_eq!(whole.describe(whole.key(day * SECS_PER_DAY + h(23))).1, WHOLE_DAY);
    }
}
