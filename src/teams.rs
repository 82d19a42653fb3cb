//! `teams.csv` (客服分组, SPEC §8): the agent scorecard's figures per team of `[teams]` in kefu.toml, computed over the
//! team's own turns, sessions, orders, cases and ratings — never averages of its agents' rates.
//!
//! How: every derived table is copied with each agent id replaced by its team's name (agents listed in no team are
//! `未分组`), and the scorecard's own queries (`_response_stats`, `_handler_periods`, `_agent_periods`, a user's
//! replacement included) run over the copies, so a team's figure has the one definition an agent's has (the turns
//! counted per second of a team's agents add up to the team's). What a team is not as an agent:
//! a transfer between two agents of one team is no transfer of the team's, and the two figures `reception.rs`
//! computes per agent are combined — `max_concurrent` is the most one agent of the team served at once, and
//! `active_hours` the sum of its agents' (person-hours). Run only when kefu.toml has `[teams]`.

use crate::error::Result;
use crate::metrics::{Query, run_sql};
use crate::roster::{Teams, UNGROUPED};
use crate::tables::Tables;
use polars::prelude::*;
use polars::sql::SQLContext;
use rayon::prelude::*;
use std::collections::HashMap;

/// The columns of the derived tables that hold an agent id.
const AGENT_COLUMNS: &[&str] = &["agent_id", "from_agent", "to_agent", "answered_by"];

/// The scorecard's queries, run again over the teams' tables.
const TEAM_QUERIES: &[&str] = &["_response_stats", "_handler_periods", "_agent_periods"];

/// `df` with every agent column holding team names, and its agent keys (`agent_key`, the number the queries join
/// and count an agent by) numbering the teams (`team_keys`): a customer who asked one agent of a team and ordered
/// through another asked and ordered through the team. A column holds a few hundred distinct agents over millions
/// of rows: each is looked up once.
fn by_team(df: &DataFrame, teams: &Teams, keys: &HashMap<&str, u32>) -> Result<DataFrame> {
    let mut df = df.clone();
    for &name in AGENT_COLUMNS {
        let Ok(c) = df.column(name) else { continue };
        let Ok(ca) = c.str() else { continue };
        let mut seen: HashMap<&str, &str> = HashMap::new();
        let mapped: StringChunked =
            ca.iter().map(|v| v.map(|a| *seen.entry(a).or_insert_with(|| teams.of(a)))).collect();
        df.with_column(mapped.with_name(name.into()).into_column()).map_err(polars_err)?;
    }
    if df.column("agent_key").is_ok() {
        let team = df.column("agent_id").and_then(|c| c.str().cloned()).map_err(polars_err)?;
        let key = |t: &str| *keys.get(t).unwrap_or_else(|| panic!("{t} is a team of [teams] (team_keys)"));
        let keyed: UInt32Chunked = team.iter().map(|t| t.map(key)).collect();
        df.with_column(keyed.with_name("agent_key".into()).into_column()).map_err(polars_err)?;
    }
    Ok(df)
}

/// A number for each team an agent id can be read as (`Teams::of`): the teams of kefu.toml, `未分组`, and the empty
/// id (no agent).
fn team_keys(teams: &Teams) -> HashMap<&str, u32> {
    let names = ["", UNGROUPED].into_iter().chain(teams.listed.iter().map(|(team, _)| team.as_str()));
    names.enumerate().map(|(i, t)| (t, i as u32)).collect()
}

fn polars_err(e: PolarsError) -> crate::error::KefuError {
    crate::error::KefuError::Query { name: "teams".into(), reason: e.to_string() }
}

/// One row per team (`未分组` last): `team`, then every column of `_agent_periods` over the whole data.
pub fn run(tables: &Tables, teams: &Teams, queries: &[Query]) -> Result<DataFrame> {
    let team_queries: Vec<&Query> = TEAM_QUERIES.iter().filter_map(|n| queries.iter().find(|q| q.name == *n)).collect();
    // Only the tables those queries name are copied (a table not named costs nothing), on every core.
    let read = |table: &str| team_queries.iter().any(|q| crate::tables::names_table(&q.sql, table));
    let keys = team_keys(teams);
    let copies: Vec<(String, DataFrame)> = tables
        .tables
        .par_iter()
        .filter(|(name, _)| read(name))
        .map(|(name, df)| {
            let name = match *name {
                "transfers" | "agent_load" => format!("_team_{name}"),
                other => other.to_string(),
            };
            Ok((name, by_team(df, teams, &keys)?))
        })
        .collect::<Result<_>>()?;
    let mut ctx = SQLContext::new();
    for (name, df) in copies {
        ctx.register(&name, df.lazy());
    }
    let transfers = "SELECT * FROM _team_transfers WHERE from_agent IS NULL OR from_agent <> to_agent";
    let df = run_sql(&mut ctx, "teams", transfers)?;
    ctx.register("transfers", df.lazy());
    let load = "SELECT agent_id, period, MAX(max_concurrent) AS max_concurrent, SUM(active_hours) AS active_hours \
                FROM _team_agent_load GROUP BY agent_id, period";
    let df = run_sql(&mut ctx, "teams", load)?;
    ctx.register("agent_load", df.lazy());
    // Registered as plans, not results: the final `WHERE period = 'all'` then reaches into them, and the weekly
    // groupings a team's row never reads are not computed (a third of the time they took collected).
    for q in team_queries {
        let sql = crate::metrics::expand_deltas(&mut ctx, &q.name, &q.sql)?;
        let plan = ctx
            .execute(&sql)
            .map_err(|e| crate::error::KefuError::Query { name: q.name.clone(), reason: e.to_string() })?;
        ctx.register(&q.name, plan);
    }
    let sql = format!(
        "SELECT * EXCLUDE (period) RENAME (agent_id AS team) FROM _agent_periods WHERE period = 'all' \
         ORDER BY CASE WHEN team = '{UNGROUPED}' THEN 1 ELSE 0 END, team"
    );
    run_sql(&mut ctx, "teams", &sql)
}
