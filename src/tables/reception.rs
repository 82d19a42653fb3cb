//! The tables of SPEC §8's reception figures (`crate::reception`): `transfers`, one row per transfer, and
//! `agent_load`, each agent's most concurrent sessions and active hours per ISO week and over everything; and
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
    pub(super) fn reception_tables(&mut self, input: &Input, d: &Derived, settings: &Settings) {
        let Builder { names, sids, cal, .. } = self;
        let tr = reception::transfers(input, d);
        let transfers = df(vec![
            sids.col("session_id", tr.iter().map(|t| t.session)),
            dt_col("timestamp", tr.iter().map(|t| Some(t.ts))),
            names.opt_col("from_agent", tr.iter().map(|t| t.from)),
            names.col("to_agent", tr.iter().map(|t| t.to)),
            str_col("source", tr.iter().map(|t| if t.notice { "notice" } else { "message" })),
            str_col("week", tr.iter().map(|t| cal.week(t.ts))),
        ]);
        // Weeks as numbers, which do not decrease as time goes on (`load` groups runs of them).
        let rows = reception::load(input, d, settings.idle_secs, |ts| cal.week_no(ts));
        let agent_load = df(vec![
            names.col("agent_id", rows.iter().map(|l| l.agent)),
            str_col("period", rows.iter().map(|l| l.key.map_or("all", |k| cal.week_of_no(k)))),
            Column::new("max_concurrent".into(), rows.iter().map(|l| l.max_concurrent).collect::<Vec<_>>()),
            Column::new("active_hours".into(), rows.iter().map(|l| l.active_secs as f64 / 3600.0).collect::<Vec<_>>()),
        ]);
        let rated = crate::satisfaction::join(input, d);
        let counted_at = |r: &crate::satisfaction::Rated| r.session.map_or(r.rating.at, |si| d.sessions[si as usize].start);
        let ratings = df(vec![
            names.col("customer_id", rated.iter().map(|r| r.rating.customer)),
            names.opt_col("agent_id", rated.iter().map(|r| r.agent)),
            dt_col("rated_at", rated.iter().map(|r| Some(r.rating.at))),
            Column::new("rating".into(), rated.iter().map(|r| r.rating.stars as i32).collect::<Vec<_>>()),
            sids.opt_col("session_id", rated.iter().map(|r| r.session)),
            str_col("week", rated.iter().map(|r| cal.week(counted_at(r)))),
            opt_str_col("phase", rated.iter().map(|r| cal.phase(counted_at(r)))),
        ]);
        self.tables.extend([("transfers", transfers), ("agent_load", agent_load), ("ratings", ratings)]);
    }
}
