//! Metrics: the SQL files of `queries/` run by polars' SQL engine over the derived tables (`tables/`).
//!
//! One file → one output table named after the file (`agent_scorecard.sql` → `agent_scorecard.csv`). The default
//! queries are compiled into the binary; `--queries DIR` adds files or replaces defaults of the same name without
//! recompiling. Queries run in order (defaults first, then the user's in name order) and each result is registered
//! as a table under its name, so a later query may read an earlier one (e.g. `SELECT * FROM agent_scorecard`).

use crate::error::{KefuError, Result};
use crate::tables::Tables;
use polars::prelude::*;
use polars::sql::SQLContext;
use std::path::Path;

/// A query: its name (the output's file stem), text, and where it came from.
#[derive(Debug, Clone)]
pub struct Query {
    pub name: String,
    pub sql: String,
    pub source: String,
}

/// The default queries, in the order they run.
pub const BUILTIN: &[(&str, &str)] = &[
    ("_response_stats", include_str!("../queries/_response_stats.sql")),
    ("_handler_periods", include_str!("../queries/_handler_periods.sql")),
    ("_agent_periods", include_str!("../queries/_agent_periods.sql")),
    ("_agent_scored", include_str!("../queries/_agent_scored.sql")),
    ("_team_periods", include_str!("../queries/_team_periods.sql")),
    // Before `sessions`, whose result takes the name of the derived table for the queries after it.
    ("topics", include_str!("../queries/topics.sql")),
    ("sessions", include_str!("../queries/sessions.sql")),
    ("agent_scorecard", include_str!("../queries/agent_scorecard.sql")),
    ("weekly_agents", include_str!("../queries/weekly_agents.sql")),
    ("agent_days", include_str!("../queries/agent_days.sql")),
    ("aftersales_agents", include_str!("../queries/aftersales_agents.sql")),
    ("phases", include_str!("../queries/phases.sql")),
    ("unpaid_orders", include_str!("../queries/unpaid_orders.sql")),
    ("unpaid_reasons", include_str!("../queries/unpaid_reasons.sql")),
    ("lost_inquiries", include_str!("../queries/lost_inquiries.sql")),
    ("lost_reasons", include_str!("../queries/lost_reasons.sql")),
    ("hourly", include_str!("../queries/hourly.sql")),
    ("shops", include_str!("../queries/shops.sql")),
    ("violations", include_str!("../queries/violations.sql")),
];

/// The default queries, then the `.sql` files of `dir` (adding, or replacing a default of the same name).
pub fn load_queries(dir: Option<&Path>) -> Result<Vec<Query>> {
    let mut queries: Vec<Query> = BUILTIN
        .iter()
        .map(|(n, sql)| Query { name: n.to_string(), sql: sql.to_string(), source: "built-in".into() })
        .collect();
    let Some(dir) = dir else { return Ok(queries) };
    let rd = std::fs::read_dir(dir).map_err(|e| KefuError::input(dir, format!("cannot read queries folder: {e}")))?;
    let mut files: Vec<_> =
        rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "sql")).collect();
    files.sort();
    for path in files {
        let sql = std::fs::read_to_string(&path).map_err(|e| KefuError::input(&path, e.to_string()))?;
        let name = path.file_stem().unwrap_or_default().to_string_lossy().to_string();
        let q = Query { name: name.clone(), sql, source: path.display().to_string() };
        match queries.iter_mut().find(|x| x.name == name) {
            Some(existing) => *existing = q,
            None => queries.push(q),
        }
    }
    Ok(queries)
}

/// A SQL context with every derived table registered.
pub fn context(tables: &Tables) -> SQLContext {
    let ctx = SQLContext::new();
    for (name, df) in &tables.tables {
        ctx.register(name, df.clone().lazy());
    }
    ctx
}

/// Runs one SQL text in a context, after expanding its `{{deltas …}}` (see [`expand_deltas`]).
pub fn run_sql(ctx: &mut SQLContext, name: &str, sql: &str) -> Result<DataFrame> {
    let fail = |e: PolarsError| KefuError::Query { name: name.to_string(), reason: e.to_string() };
    let sql = expand_deltas(ctx, name, sql)?;
    ctx.execute(&sql).map_err(fail)?.collect().map_err(fail)
}

/// `{{deltas TABLE CUR PREV}}` in a query's text becomes `CUR.c - PREV.c AS c_delta, …` for every numeric column `c`
/// of TABLE (a derived table or an earlier result), in TABLE's order. `weekly_agents.sql` writes its week-on-week
/// changes so: a figure added to `_agent_periods.sql` gets its `_delta` column without another line of SQL.
pub(crate) fn expand_deltas(ctx: &mut SQLContext, name: &str, sql: &str) -> Result<String> {
    const OPEN: &str = "{{deltas ";
    let fail = |reason: String| KefuError::Query { name: name.to_string(), reason };
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let body = &rest[at + OPEN.len()..];
        let end = body.find("}}").ok_or_else(|| fail("`{{deltas` without its closing `}}`".into()))?;
        let words: Vec<&str> = body[..end].split_whitespace().collect();
        let [table, cur, prev] = words[..] else {
            return Err(fail(format!("`{{{{deltas {}}}}}`: write `{{{{deltas TABLE CUR PREV}}}}`", &body[..end])));
        };
        let schema = ctx
            .execute(&format!("SELECT * FROM {table}"))
            .and_then(|mut lf| lf.collect_schema())
            .map_err(|e| fail(format!("{{{{deltas}}}}: {e}")))?;
        let deltas: Vec<String> = schema
            .iter()
            .filter(|(_, dtype)| dtype.is_primitive_numeric())
            // A count is unsigned in polars (COUNT, SUM of counts): its change can be negative, so it is taken
            // between signed numbers, or a fall of 1 read 4294967295.
            .map(|(c, dtype)| match dtype.is_unsigned_integer() {
                true => format!("CAST({cur}.{c} AS BIGINT) - CAST({prev}.{c} AS BIGINT) AS {c}_delta"),
                false => format!("{cur}.{c} - {prev}.{c} AS {c}_delta"),
            })
            .collect();
        out.push_str(&deltas.join(",\n    "));
        rest = &body[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Runs the queries in order; each result becomes a table later queries can read. Every result is returned; a
/// name starting with `_` (see [`is_report`]) is an intermediate for later queries and the page, not a CSV.
pub fn run_all(tables: &Tables, queries: &[Query]) -> Result<Vec<(String, DataFrame)>> {
    let mut ctx = context(tables);
    let mut out = Vec::with_capacity(queries.len());
    for q in queries {
        let df = run_sql(&mut ctx, &q.name, &q.sql)?;
        ctx.register(&q.name, df.clone().lazy());
        out.push((q.name.clone(), df));
    }
    // The queries' intermediate tables are freed by now; without this glibc kept them resident and the charts and
    // report stood on them. Once here, not after every query: memory handed back between queries had to be
    // faulted in again by the next one (≈ 0.7 s of the metrics stage at 10 M messages), while the stage's own peak
    // was the same either way (BENCHMARKS.md).
    crate::memory::release();
    Ok(out)
}

/// Whether a query's result is written as a CSV (`_`-named results are intermediates).
pub(crate) fn is_report(name: &str) -> bool {
    !name.starts_with('_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> SQLContext {
        let df = df!("agent_id" => ["a", "b"], "turns" => [3i64, 4], "rate" => [0.5, 0.25], "why" => ["x", "y"],
            "n" => [1u32, 2])
        .unwrap();
        let ctx = SQLContext::new();
        ctx.register("t", df.lazy());
        ctx
    }

    #[test]
    fn deltas_expand_to_every_numeric_column_in_order() {
        let mut c = ctx();
        let sql = "SELECT cur.agent_id, {{deltas t cur prev}} FROM t cur JOIN t prev ON cur.agent_id <> prev.agent_id";
        let got = expand_deltas(&mut c, "q", sql).unwrap();
        assert_eq!(
            got,
            "SELECT cur.agent_id, cur.turns - prev.turns AS turns_delta,\n    cur.rate - prev.rate AS rate_delta,\n    \
             CAST(cur.n AS BIGINT) - CAST(prev.n AS BIGINT) AS n_delta FROM t cur JOIN t prev ON cur.agent_id <> \
             prev.agent_id"
        );
        let df = run_sql(&mut c, "q", sql).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["agent_id", "turns_delta", "rate_delta", "n_delta"]);
        assert_eq!(df.column("turns_delta").unwrap().i64().unwrap().get(0), Some(-1));
        // A count's fall is negative, not the wrap-around of an unsigned number.
        assert_eq!(df.column("n_delta").unwrap().i64().unwrap().get(0), Some(-1));
    }

    #[test]
    fn a_malformed_deltas_names_the_query_and_the_form() {
        let mut c = ctx();
        let e = expand_deltas(&mut c, "q", "SELECT {{deltas t cur}} FROM t").unwrap_err().to_string();
        assert!(e.contains("q") && e.contains("{{deltas TABLE CUR PREV}}"), "{e}");
        let e = expand_deltas(&mut c, "q", "SELECT {{deltas t cur prev FROM t").unwrap_err().to_string();
        assert!(e.contains("without its closing"), "{e}");
        let e = expand_deltas(&mut c, "q", "SELECT {{deltas nowhere cur prev}} FROM t").unwrap_err().to_string();
        assert!(e.contains("nowhere"), "{e}");
    }
}
