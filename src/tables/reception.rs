//! The tables of SPEC §8's reception figures (`crate::reception`): `transfers`, one row per transfer, and
//! `agent_load`, each agent's most concurrent sessions and active hours per ISO week and over everything;
//! `agent_days`, the same and the agent's sessions, first and last message and counted turns per shift day; and
//! `ratings` (`crate::satisfaction`), one row per satisfaction rating with its session, counted in the week and phase
//! of that session's start (of the rating's time when it has none).

use super::Builder;
use super::cols::*;
use crate::config::Settings;
use crate::model::Input;
use crate::reception;
use crate::sessions::Derived;
use polars::prelude::*;

impl Builder<'_> {
    /// `transfers` and `ratings` (`agent_load`, `agent_days` and a partial run's agents' times come with the turns:
    /// `agent_tables`).
    pub(super) fn reception_tables(&self, input: &Input, d: &Derived) -> super::Named {
        let Builder { names, sids, cal, .. } = self;
        let tr = reception::transfers(input, d);
        let transfers = table![
            sids.col("session_id", tr.iter().map(|t| t.session)),
            dt_col("timestamp", tr.iter().map(|t| Some(t.ts))),
            names.opt_col("from_agent", tr.iter().map(|t| t.from)),
            names.col("to_agent", tr.iter().map(|t| t.to)),
            str_col("source", tr.iter().map(|t| if t.notice { "notice" } else { "message" })),
            str_col("week", tr.iter().map(|t| cal.week(t.ts))),
        ];
        let rated = crate::satisfaction::join(input, d);
        let counted_at =
            |r: &crate::satisfaction::Rated| r.session.map_or(r.rating.at, |si| d.sessions[si as usize].start);
        let ratings = table![
            names.col("customer_id", rated.iter().map(|r| r.rating.customer)),
            names.opt_col("agent_id", rated.iter().map(|r| r.agent)),
            dt_col("rated_at", rated.iter().map(|r| Some(r.rating.at))),
            Column::new("rating".into(), rated.iter().map(|r| r.rating.stars as i32).collect::<Vec<_>>()),
            sids.opt_col("session_id", rated.iter().map(|r| r.session)),
            str_col("week", rated.iter().map(|r| cal.week(counted_at(r)))),
            opt_str_col("phase", rated.iter().map(|r| cal.phase(counted_at(r)))),
        ];
        vec![("transfers", transfers), ("ratings", ratings)]
    }

    /// `agent_load`, `agent_days` and, for a partial run, the agents' times (`times_tables`), from the agents' session
    /// spans, stretches of their own messages and counted turns (`reception::agent_times`).
    pub(super) fn agent_tables(&self, input: &Input, d: &Derived, settings: &Settings, partial: bool) -> super::Named {
        let limits = (settings.idle_secs, settings.target_secs);
        let times = reception::agent_times(input, d, limits, self.same_group(settings));
        let (agent_load, agent_days) = load_tables(&times, &self.cal, settings, &self.names);
        let mut out = vec![("agent_load", agent_load), ("agent_days", agent_days)];
        if partial {
            out.extend(times_tables(&times, &self.names, self.same_group(settings)));
        }
        out
    }

    /// Whether two times fall in one ISO week and one shift day: a stretch of an agent's messages stays in both (SPEC
    /// §8: a night shift's hours after midnight are the day it started), so `reception::loads` can group them by
    /// either.
    pub(super) fn same_group<'s>(&'s self, settings: &'s Settings) -> impl Fn(i64, i64) -> bool + Sync + 's {
        let (cal, shifts) = (&self.cal, &settings.shifts);
        move |a, b| cal.week_no(a) == cal.week_no(b) && shifts.key(a) == shifts.key(b)
    }
}

/// `agent_load` and `agent_days` from the agents' times (`names`: the agents' ids by `AgentTimes::agent`). Weeks are
/// numbers and shift days keys, neither decreasing as time goes on, as `loads` groups runs of them.
pub(super) fn load_tables(
    times: &[reception::AgentTimes],
    cal: &Calendar,
    settings: &Settings,
    names: &NamePool,
) -> (DataFrame, DataFrame) {
    let shifts = &settings.shifts;
    let (rows, days) = reception::loads(times, settings.idle_secs, |ts| cal.week_no(ts), |ts| shifts.key(ts));
    let agent_load = table![
        names.col("agent_id", rows.iter().map(|l| l.agent)),
        str_col("period", rows.iter().map(|l| l.key.map_or("all", |k| cal.week_of_no(k)))),
        Column::new("max_concurrent".into(), rows.iter().map(|l| l.max_concurrent).collect::<Vec<_>>()),
        Column::new("active_hours".into(), rows.iter().map(|l| l.active_secs as f64 / 3600.0).collect::<Vec<_>>()),
    ];
    let described: Vec<_> = days.iter().map(|l| shifts.describe(l.key.expect("kept above"))).collect();
    let agent_days = table![
        names.col("agent_id", days.iter().map(|l| l.agent)),
        date_col("date", described.iter().map(|x| x.0)),
        str_col("shift", described.iter().map(|x| x.1)),
        Column::new("slot".into(), described.iter().map(|x| x.2).collect::<Vec<_>>()),
        dt_col("first_message_at", days.iter().map(|l| l.first_own)),
        dt_col("last_message_at", days.iter().map(|l| l.last_own)),
        Column::new("active_hours".into(), days.iter().map(|l| l.active_secs as f64 / 3600.0).collect::<Vec<_>>()),
        Column::new("sessions".into(), days.iter().map(|l| l.sessions).collect::<Vec<_>>()),
        Column::new("turns".into(), days.iter().map(|l| l.turns).collect::<Vec<_>>()),
        Column::new(
            "within_target_rate".into(),
            days.iter().map(|l| (l.turns > 0).then(|| l.within as f64 / l.turns as f64)).collect::<Vec<_>>(),
        ),
        Column::new("max_concurrent".into(), days.iter().map(|l| l.max_concurrent).collect::<Vec<_>>()),
    ];
    (agent_load, agent_days)
}

/// What a partial run keeps of the agents' times (`partial`): `agent_spans` (agent_id, start, end: each session of
/// the agent), `agent_stretches` (agent_id, first, last: each stretch of its own messages) and `agent_turns`
/// (agent_id, at, within_target, turns: the agent's counted turns counted per week and shift day (`same` says
/// whether two times share both) and whether answered within the target, at the first one's start, which falls in
/// the week and shift day of them all).
fn times_tables(
    times: &[reception::AgentTimes],
    names: &NamePool,
    same: impl Fn(i64, i64) -> bool,
) -> [(&'static str, DataFrame); 3] {
    let each = |f: fn(&reception::AgentTimes) -> &[(i64, i64)]| -> Vec<(u32, i64, i64)> {
        times.iter().flat_map(|t| f(t).iter().map(|&(a, b)| (t.agent, a, b))).collect()
    };
    let frame = |rows: Vec<(u32, i64, i64)>, from: &str, to: &str| {
        table![
            names.col("agent_id", rows.iter().map(|r| r.0)),
            dt_col(from, rows.iter().map(|r| Some(r.1))),
            dt_col(to, rows.iter().map(|r| Some(r.2))),
        ]
    };
    let mut counted: Vec<(u32, i64, bool, u32)> = Vec::new();
    for t in times {
        for run in t.turns.chunk_by(|a, b| same(a.0, b.0)) {
            let within = run.iter().filter(|x| x.1).count() as u32;
            let rest = run.len() as u32 - within;
            counted.extend(
                [(t.agent, run[0].0, true, within), (t.agent, run[0].0, false, rest)].iter().filter(|r| r.3 > 0),
            );
        }
    }
    let agent_turns = table![
        names.col("agent_id", counted.iter().map(|r| r.0)),
        dt_col("at", counted.iter().map(|r| Some(r.1))),
        Column::new("within_target".into(), counted.iter().map(|r| r.2).collect::<Vec<_>>()),
        Column::new("turns".into(), counted.iter().map(|r| r.3).collect::<Vec<_>>()),
    ];
    [
        ("agent_spans", frame(each(|t| &t.open), "start", "end")),
        ("agent_stretches", frame(each(|t| &t.own), "first", "last")),
        ("agent_turns", agent_turns),
    ]
}
