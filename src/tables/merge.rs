//! The derived tables of a union, from the tables of its parts (partial runs over inputs with no conversation and no
//! customer in common: `crate::partial` checks that before calling here).
//!
//! Guarantee: for parts that split an input that way, `merge` gives the tables a single run over the whole input
//! gives, up to the order of rows where no query depends on it, so every output is the same to the byte (a test
//! holds it: tests/partials.rs). Most tables are rows of one conversation, customer, order or case, and are put one
//! after the other. The rest are rebuilt from what the parts keep for it:
//! - `weeks` from the union of the parts' days (a week between two parts' data is still a week);
//! - `agent_load` and `agent_days` from the agents' session spans, activity stretches and counted turns
//!   (`agent_spans`, `agent_stretches`, `agent_turns`: an agent serves customers of every part, so its most
//!   concurrent sessions and its active hours are not sums of the parts');
//! - `topic_examples`: per week and topic the best of the parts' examples, by the rule a single run uses;
//! - `lost` sorted again as it is built (by agent, last message, customer), since `lost_inquiries.sql` keeps its order;
//! - the number keys (`session_key`, `customer_key`, `agent_key`) given again from their ids over the union.
//!
//! `phases` and `settings` come from the settings, the same for every part.

use super::cols::*;
use super::{KEYS, NAMES, Tables, reception::load_tables, weeks_table};
use crate::config::Settings;
use crate::reception::AgentTimes;
use polars::prelude::*;
use std::collections::HashMap;

type Res<T> = std::result::Result<T, String>;

/// The tables of the union of `parts` (at least one), in the first part's order of tables.
pub fn merge(parts: Vec<Tables>, settings: &Settings) -> Res<Tables> {
    let first = parts.first().ok_or("nothing to merge")?;
    let names: Vec<&'static str> = first.tables.iter().map(|(n, _)| *n).collect();
    for p in &parts[1..] {
        let these: Vec<&str> = p.tables.iter().map(|(n, _)| *n).collect();
        if these != names {
            return Err(format!("the parts hold different tables: {names:?} and {these:?}"));
        }
    }
    let range = parts
        .iter()
        .map(|p| p.day_range)
        .filter(|(a, b)| a <= b)
        .fold((i64::MAX, i64::MIN), |acc, r| (acc.0.min(r.0), acc.1.max(r.1)));
    let day_range = if range.0 > range.1 { (0, -1) } else { range };
    let cal = Calendar::of_days(day_range, settings);
    let mut by_name: Vec<Vec<DataFrame>> = vec![Vec::new(); names.len()];
    for p in parts {
        for (i, (_, df)) in p.tables.into_iter().enumerate() {
            by_name[i].push(df);
        }
    }
    let fail = |what: &str, e: PolarsError| format!("{what}: {e}");
    let mut tables: Vec<(&'static str, DataFrame)> = Vec::with_capacity(names.len());
    for (name, dfs) in names.iter().zip(by_name) {
        let df = match *name {
            "weeks" => weeks_table(&cal),
            "phases" | "settings" => dfs.into_iter().next().expect("one per part"),
            "lost" => {
                let opts = SortMultipleOptions::default().with_nulls_last(false).with_maintain_order(true);
                stack(dfs)?.sort(["agent_id", "last_message_at", "customer_id"], opts).map_err(|e| fail("lost", e))?
            }
            "topic_examples" => best_examples(stack(dfs)?).map_err(|e| fail("topic_examples", e))?,
            _ => stack(dfs)?,
        };
        tables.push((name, df));
    }
    rekey(&mut tables).map_err(|e| fail("keys", e))?;
    let (agent_load, agent_days) = agents(&tables, &cal, settings).map_err(|e| fail("agent_load", e))?;
    for (name, df) in tables.iter_mut() {
        match *name {
            "agent_load" => *df = agent_load.clone(),
            "agent_days" => *df = agent_days.clone(),
            _ => {}
        }
    }
    debug_assert!(tables.iter().all(|(n, _)| NAMES.contains(n)));
    Ok(Tables { tables, day_range })
}

/// The parts' frames of one table, one after the other.
fn stack(dfs: Vec<DataFrame>) -> Res<DataFrame> {
    let mut it = dfs.into_iter();
    let mut out = it.next().ok_or("no frame")?;
    for df in it {
        out.vstack_mut_owned(df).map_err(|e| format!("the parts' tables differ in their columns: {e}"))?;
    }
    out.rechunk_mut();
    Ok(out)
}

/// Per week and topic, the example of the session with the highest score, then the earliest start, then the
/// smallest conversation id (`tables/topics.rs`).
fn best_examples(df: DataFrame) -> PolarsResult<DataFrame> {
    let opts = SortMultipleOptions::default()
        .with_order_descending_multi([false, false, true, false, false])
        .with_maintain_order(true);
    let sorted = df.sort(["week", "topic", "score", "start", "conversation_id"], opts)?;
    sorted.unique_stable(Some(&["week".into(), "topic".into()]), UniqueKeepStrategy::First, None)
}

/// The number keys given again over the union: each id its number, in order of first appearance. A table has a key
/// column where a single run gives it one (a partial does not keep them: `partial` puts back an empty column).
fn rekey(tables: &mut [(&'static str, DataFrame)]) -> PolarsResult<()> {
    for (key, id) in KEYS {
        let mut numbers: HashMap<String, u32, foldhash::fast::RandomState> = HashMap::default();
        for (_, df) in tables.iter_mut() {
            if df.column(key).is_err() {
                continue;
            }
            let ids = df.column(id)?.str()?.clone();
            let mut number = |s: &str| match numbers.get(s) {
                Some(&n) => n,
                None => {
                    let n = numbers.len() as u32;
                    numbers.insert(s.to_string(), n);
                    n
                }
            };
            // Null only where the id is, as `key_col` and `opt_key_col` build them: keys built as a column with a
            // validity mask but no nulls gave wrong joins and distinct counts over the 10 M-message merge (sessions
            // with another session's turns), while the same keys as a plain column are right (BENCHMARKS.md).
            let keys = if ids.null_count() == 0 {
                Column::new(key.into(), ids.iter().map(|s| number(s.unwrap_or_default())).collect::<Vec<u32>>())
            } else {
                Column::new(key.into(), ids.iter().map(|s| s.map(&mut number)).collect::<Vec<Option<u32>>>())
            };
            df.replace(key, keys)?;
        }
    }
    Ok(())
}

/// `agent_load` and `agent_days` of the union, from the agents' spans, stretches and counted turns.
fn agents(
    tables: &[(&'static str, DataFrame)],
    cal: &Calendar,
    settings: &Settings,
) -> PolarsResult<(DataFrame, DataFrame)> {
    let get = |name: &str| {
        tables.iter().find(|(n, _)| *n == name).map(|(_, d)| d).ok_or_else(|| {
            PolarsError::ComputeError(format!("a partial keeps the table {name}; this one has none").into())
        })
    };
    let (spans, stretches, turns) = (get("agent_spans")?, get("agent_stretches")?, get("agent_turns")?);
    let mut ids: Vec<String> = Vec::new();
    for df in [spans, stretches] {
        ids.extend(df.column("agent_id")?.str()?.iter().flatten().map(str::to_string));
    }
    ids.sort_unstable();
    ids.dedup();
    let slot: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, a)| (a.as_str(), i)).collect();
    let mut times: Vec<AgentTimes> =
        (0..ids.len()).map(|i| AgentTimes { agent: i as u32, ..Default::default() }).collect();
    let secs = |df: &DataFrame, c: &str| -> PolarsResult<Vec<i64>> {
        Ok(df.column(c)?.cast(&DataType::Int64)?.i64()?.into_no_null_iter().map(|ms| ms / 1000).collect())
    };
    for (df, (a, b), spans) in [(spans, ("start", "end"), true), (stretches, ("first", "last"), false)] {
        let (xs, ys) = (secs(df, a)?, secs(df, b)?);
        for ((agent, x), y) in df.column("agent_id")?.str()?.iter().flatten().zip(xs).zip(ys) {
            let t = &mut times[slot[agent]];
            if spans { t.open.push((x, y)) } else { t.own.push((x, y)) }
        }
    }
    // Each count again as that many turns at its time (`agent_turns`: a count's time is in the week and shift day of
    // all its turns, which is all `load_tables` reads of them).
    let ats = secs(turns, "at")?;
    let owners = turns.column("agent_id")?.str()?;
    let within = turns.column("within_target")?.bool()?;
    let n = turns.column("turns")?.cast(&DataType::UInt32)?;
    for (((owner, at), within), n) in owners.iter().zip(ats).zip(within.iter()).zip(n.u32()?.iter()) {
        if let Some(&i) = owner.and_then(|o| slot.get(o)) {
            times[i].turns.extend(std::iter::repeat_n((at, within == Some(true)), n.unwrap_or(0) as usize));
        }
    }
    times.iter_mut().for_each(AgentTimes::sort);
    let pool = NamePool(Pool::new(ids.iter().map(String::as_str)));
    Ok(load_tables(&times, cal, settings, &pool))
}
