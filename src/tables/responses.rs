//! The turns counted, not listed (SPEC §3, §8): `response_counts`, the number of turns per agent, ISO week, phase,
//! capped response second and the flags the figures filter on, and `hourly_response_counts`, the same per calendar
//! hour. Every response figure of the default reports (counts, rates, means, and the median and p90, which come out
//! of a histogram of whole seconds exactly) derives from them in `queries/_response_stats.sql`, so the queries read a
//! few hundred thousand rows where the turns are millions, and a partial run keeps them instead of the turns.
//!
//! Guarantee: summing `turns` over any set of rows gives the number of turns of the `turns` table with those values,
//! row for row: the flags are the turns table's own columns (`within_30s` is `answered AND response_secs <= 30`,
//! `within_3min` the same with 180).

use super::Builder;
use super::cols::*;
use crate::config::Settings;
use crate::sessions::{Derived, Turn};
use polars::prelude::*;
use std::collections::HashMap;
use std::hash::Hash;

/// The flags of a turn, as bits.
const IN_HOURS: u8 = 1;
const ANSWERED: u8 = 2;
const WITHIN_TARGET: u8 = 4;
const WITHIN_30S: u8 = 8;
const WITHIN_3MIN: u8 = 16;
const FIRST_OF_OWNER: u8 = 32;
const OFFHOURS_REPLIED: u8 = 64;

/// The flag columns, in the tables' order, with their bit.
const FLAGS: [(&str, u8); 7] = [
    ("in_hours", IN_HOURS),
    ("answered", ANSWERED),
    ("within_target", WITHIN_TARGET),
    ("within_30s", WITHIN_30S),
    ("within_3min", WITHIN_3MIN),
    ("first_of_owner", FIRST_OF_OWNER),
    ("offhours_replied", OFFHOURS_REPLIED),
];

fn flags(t: &Turn, settings: &Settings) -> u8 {
    let mut f = 0;
    for (on, bit) in [
        (t.in_hours, IN_HOURS),
        (t.answer.is_some(), ANSWERED),
        (t.within_target(settings.target_secs), WITHIN_TARGET),
        (t.within_target(30), WITHIN_30S),
        (t.within_target(180), WITHIN_3MIN),
        (t.first_of_owner, FIRST_OF_OWNER),
        (t.offhours_replied(settings), OFFHOURS_REPLIED),
    ] {
        if on {
            f |= bit;
        }
    }
    f
}

/// The turns counted by `key`, capped second and flags, in key order.
fn count<K: Hash + Eq + Ord + Copy>(
    d: &Derived,
    settings: &Settings,
    key: impl Fn(&Turn) -> K,
) -> Vec<((K, i64, u8), u32)> {
    let mut n: HashMap<(K, i64, u8), u32, foldhash::fast::RandomState> = HashMap::default();
    for t in &d.turns {
        *n.entry((key(t), t.capped_secs(settings.cap_secs), flags(t, settings))).or_default() += 1;
    }
    let mut rows: Vec<_> = n.into_iter().collect();
    rows.sort_unstable_by_key(|r| r.0);
    rows
}

/// The capped second, the flags and the count of each row.
fn count_cols<K>(rows: &[((K, i64, u8), u32)]) -> Vec<Column> {
    let mut cols = vec![Column::new("capped_secs".into(), rows.iter().map(|r| r.0.1).collect::<Vec<i64>>())];
    for (name, bit) in FLAGS {
        cols.push(Column::new(name.into(), rows.iter().map(|r| r.0.2 & bit != 0).collect::<Vec<bool>>()));
    }
    cols.push(Column::new("turns".into(), rows.iter().map(|r| r.1).collect::<Vec<u32>>()));
    cols
}

impl Builder<'_> {
    /// `response_counts` and `hourly_response_counts`.
    pub(super) fn response_tables(&self, d: &Derived, settings: &Settings) -> super::Named {
        let Builder { names, cal, .. } = self;
        let (by_agent, by_hour) = rayon::join(
            || count(d, settings, |t| (t.owner, cal.week_no(t.start), cal.phase(t.start))),
            || count(d, settings, |t| hour_start(t.start)),
        );
        let mut agent = vec![
            names.col("agent_id", by_agent.iter().map(|r| r.0.0.0)),
            str_col("week", by_agent.iter().map(|r| cal.week_of_no(r.0.0.1))),
            opt_str_col("phase", by_agent.iter().map(|r| r.0.0.2)),
        ];
        agent.extend(count_cols(&by_agent));
        let mut hour = vec![dt_col("hour_start", by_hour.iter().map(|r| Some(r.0.0)))];
        hour.extend(count_cols(&by_hour));
        vec![("response_counts", df(agent)), ("hourly_response_counts", df(hour))]
    }
}

/// What the tables take of the turns, taken before the message tables are gathered so that the turns (3.6 M at 10 M
/// messages, 233 MB) can be freed before the tables stage's peak when no query reads the `turns` table: the response
/// counts, each session's counted turns (for `sessions`), and the tables of the agents' times (`agent_tables`; they
/// read the messages too), whose intermediate times are then freed before the gathering as well.
pub(super) struct Turned {
    pub(super) responses: super::Named,
    pub(super) answered: Vec<super::SessionTurns>,
    pub(super) agents: super::Named,
}

impl Builder<'_> {
    /// Takes what the tables need of the turns (`Turned`); `message_tables` and `finish` take it from here.
    pub fn turn_tables(&mut self, input: &crate::model::Input, d: &Derived, settings: &Settings, partial: bool) {
        let this = &*self;
        let ((responses, answered), agents) = rayon::join(
            || (this.response_tables(d, settings), super::session_turns(d, settings.cap_secs)),
            || this.agent_tables(input, d, settings, partial),
        );
        self.turned = Some(Turned { responses, answered, agents });
    }
}
