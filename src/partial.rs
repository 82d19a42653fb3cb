//! Partial runs and their merge (SPEC §6, docs/scale-out.md): `kefu report INPUT --partial OUT` keeps, for one
//! partition of the input, what every output derives from; `kefu merge PARTIALS… --out DIR` writes the outputs of
//! a single run over the union of the partitions.
//!
//! A partial is a folder: `manifest.json` (format, version, the kefu version, the settings, the days covered, the
//! input's file counts, rejects and warnings, and the list of tables) and one Parquet file per derived table under
//! `tables/` (the tables the queries read, plus `agent_spans` and `agent_stretches`, the agents' times that the
//! merge needs: `tables::merge`). Parquet because every engine a user already runs (Spark, Ray, DuckDB, pandas)
//! reads it. The files leave out the number keys and the ids that follow from others (`Rebuilt`, listed per table in
//! the manifest, each left out only where every row equals its rule), which reading puts back.
//!
//! Before merging, the partials are checked, and the merge refuses, naming the partials, rather than give figures
//! that a single run would not: the same format version and kefu version, the same settings, and no conversation,
//! customer or order in two partials (a customer's sessions decide which agent an order is credited to, and a
//! customer is counted once). The partials are merged in the order of their smallest session id, so the result
//! does not depend on the order they are named in.

use crate::config::Settings;
use crate::error::{KefuError, Result};
use crate::model::{FileStats, Input, Joins, Reject, Ts, Unread, Warning};
use crate::report::OutputFile;
use crate::tables::{self, Tables};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What `manifest.json` says a folder is.
pub const FORMAT: &str = "kefu-partial";
/// The version of the partial's layout and tables; a merge reads only its own. 2: the turns kept counted
/// (`response_counts`, `hourly_response_counts`, `agent_turns`), not listed. 3: ids that follow from others left out
/// of the files (`TableEntry::rebuilt`).
pub const VERSION: u32 = 3;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    kefu_version: String,
    /// The settings of the run, as summary.json writes them (without where they came from).
    settings: serde_json::Value,
    /// The days the input covers (days since 1970-01-01, local).
    day_range: (i64, i64),
    first_message: Option<Ts>,
    last_message: Option<Ts>,
    files: Vec<FileStats>,
    not_read: Vec<Unread>,
    joins: Joins,
    warnings: Vec<Warning>,
    rejects: Vec<Reject>,
    /// The tables, in the order the queries see them.
    tables: Vec<TableEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct TableEntry {
    name: String,
    rows: usize,
    /// Its columns in order, with the number keys the Parquet file leaves out.
    columns: Vec<String>,
    /// The id columns the Parquet file leaves out because they follow from others (`Rebuilt`), checked row by row
    /// when the partial is written: `session_id` of `sessions`, `customer_id` of a table with `session_id`.
    #[serde(default)]
    rebuilt: Vec<String>,
}

/// The ids a partial need not store, each rebuilt by one rule from columns it keeps. Ids are half a partial's bytes
/// (BENCHMARKS.md, issue 31); these two are most of them.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Rebuilt {
    /// `sessions.session_id`: its `conversation_id`, `#`, its `session_no` (`tables::session_ids`).
    SessionId,
    /// A row's `customer_id`: the customer of its `session_id` in `sessions`.
    SessionCustomer,
}

impl Rebuilt {
    fn of(table: &str, column: &str) -> Option<Rebuilt> {
        match (table, column) {
            ("sessions", "session_id") => Some(Rebuilt::SessionId),
            (t, "customer_id") if t != "sessions" => Some(Rebuilt::SessionCustomer),
            _ => None,
        }
    }

    /// The column as this rule gives it for `df`, with `customers` the session → customer map of `sessions`; None
    /// where the columns it needs are missing or a session is not in `sessions`.
    fn column(self, df: &DataFrame, customers: &Customers) -> Option<Column> {
        match self {
            Rebuilt::SessionId => {
                let conv = df.column("conversation_id").ok()?.str().ok()?;
                let no = df.column("session_no").ok()?.cast(&DataType::UInt64).ok()?;
                let no = no.u64().ok()?;
                let ids: Option<Vec<String>> =
                    conv.iter().zip(no.iter()).map(|(c, n)| Some(tables::session_id(c?, n?))).collect();
                Some(Column::new("session_id".into(), ids?))
            }
            Rebuilt::SessionCustomer => {
                let sessions = df.column("session_id").ok()?.str().ok()?;
                let ids: Option<Vec<&str>> = sessions.iter().map(|s| customers.get(s?).map(String::as_str)).collect();
                Some(Column::new("customer_id".into(), ids?))
            }
        }
    }
}

/// Session → customer.
type Customers = HashMap<String, String, foldhash::fast::RandomState>;

/// Session → customer, from `sessions` (empty without it).
fn session_customers(sessions: Option<&DataFrame>) -> Customers {
    let pairs = sessions
        .and_then(|df| Some((df.column("session_id").ok()?.str().ok()?, df.column("customer_id").ok()?.str().ok()?)));
    let Some((s, c)) = pairs else { return Customers::default() };
    s.iter().zip(c.iter()).filter_map(|(s, c)| Some((s?.to_string(), c?.to_string()))).collect()
}

/// The columns of `df` (table `name`) that a rule rebuilds exactly as they are: every row equal, no nulls.
fn rebuildable(name: &str, df: &DataFrame, customers: &Customers) -> Vec<String> {
    df.get_column_names()
        .into_iter()
        .filter(|c| {
            let Some(rule) = Rebuilt::of(name, c.as_str()) else { return false };
            let have = df.column(c.as_str()).expect("listed");
            have.null_count() == 0
                && rule
                    .column(df, customers)
                    .is_some_and(|got| got.as_materialized_series().equals(have.as_materialized_series()))
        })
        .map(|c| c.to_string())
        .collect()
}

/// The settings as a partial records them: everything but where they were read from.
fn settings_value(settings: &Settings) -> serde_json::Value {
    let mut v = serde_json::to_value(settings).expect("settings serialise");
    if let Some(m) = v.as_object_mut() {
        m.remove("source");
    }
    v
}

/// What a run read and derived, as a partial keeps it and a merge gives it back: the input's file counts, rejects and
/// warnings (its rows are gone by then), the derived tables, and the first and last message time.
pub struct Parts {
    pub input: Input,
    pub tables: Tables,
    pub period: (Option<Ts>, Option<Ts>),
}

/// The files of a partial of what a run read and derived.
pub(crate) fn files(a: &Parts, settings: &Settings) -> Result<Vec<OutputFile>> {
    use rayon::prelude::*;
    let customers = session_customers(a.tables.get("sessions"));
    // zstd level 9: a partial 7 % smaller than at the default level 3. Written one table after the other it cost
    // 0.45 s more of a 2.6 s partial run at 10 M / 8; the tables written side by side, 0.17 s (BENCHMARKS.md).
    let level = polars_parquet::write::ZstdLevel::try_new(9).expect("a zstd level");
    let written: Vec<(OutputFile, Vec<String>)> = a
        .tables
        .tables
        .par_iter()
        .map(|(name, df)| {
            // Not the number keys: the merge gives them again over the union, from the ids (a sixth of a partial);
            // nor the ids that follow from others (`Rebuilt`).
            let keys: Vec<&str> = tables::KEYS.iter().map(|k| k.0).filter(|k| df.column(k).is_ok()).collect();
            let these = rebuildable(name, df, &customers);
            let mut bytes = Vec::new();
            ParquetWriter::new(&mut bytes)
                .with_compression(ParquetCompression::Zstd(Some(level)))
                .finish(&mut df.drop_many(keys.into_iter().chain(these.iter().map(String::as_str))))
                .map_err(|e| KefuError::Usage(format!("partial: table {name}: {e}")))?;
            Ok((OutputFile { path: format!("tables/{name}.parquet").into(), bytes }, these))
        })
        .collect::<Result<_>>()?;
    let (mut out, rebuilt): (Vec<OutputFile>, Vec<Vec<String>>) = written.into_iter().unzip();
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        kefu_version: env!("CARGO_PKG_VERSION").into(),
        settings: settings_value(settings),
        day_range: a.tables.day_range,
        first_message: a.period.0,
        last_message: a.period.1,
        files: a.input.files.clone(),
        not_read: a.input.unread.clone(),
        joins: a.input.joins.clone(),
        warnings: a.input.warnings.clone(),
        rejects: a.input.rejects.clone(),
        tables: a
            .tables
            .tables
            .iter()
            .zip(rebuilt)
            .map(|((n, d), rebuilt)| TableEntry {
                name: n.to_string(),
                rows: d.height(),
                columns: d.get_column_names().iter().map(|c| c.to_string()).collect(),
                rebuilt,
            })
            .collect(),
    };
    out.push(OutputFile { path: "manifest.json".into(), bytes: serde_json::to_vec_pretty(&manifest).expect("json") });
    Ok(out)
}

/// One partial, read back.
struct Partial {
    dir: PathBuf,
    manifest: Manifest,
    tables: Tables,
}

fn read(dir: &Path) -> Result<Partial> {
    let bad = |reason: String| KefuError::input(dir, reason);
    let path = dir.join("manifest.json");
    let text = std::fs::read(&path).map_err(|e| bad(format!("not a kefu partial (no manifest.json: {e})")))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| bad(format!("manifest.json is not a kefu partial's: {e}")))?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(bad(format!(
            "a {} of version {}; this kefu merges {FORMAT} of version {VERSION}",
            manifest.format, manifest.version
        )));
    }
    let mut files = Vec::with_capacity(manifest.tables.len());
    for TableEntry { name, rows, .. } in &manifest.tables {
        let known = tables::NAMES.iter().find(|n| **n == name).ok_or_else(|| bad(format!("unknown table {name}")))?;
        let file = dir.join("tables").join(format!("{name}.parquet"));
        let f = std::fs::File::open(&file).map_err(|e| KefuError::input(&file, e.to_string()))?;
        let df = ParquetReader::new(f).finish().map_err(|e| KefuError::input(&file, e.to_string()))?;
        if df.height() != *rows {
            return Err(KefuError::input(&file, format!("{} rows, the manifest says {rows}", df.height())));
        }
        files.push((*known, file, df));
    }
    // The ids left out, rebuilt: `sessions`' own first, since the others' customers come from it.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| files[i].0 != "sessions");
    let mut customers: Option<Customers> = None;
    for i in order {
        let entry = &manifest.tables[i];
        for c in &entry.rebuilt {
            let rule =
                Rebuilt::of(&entry.name, c).ok_or_else(|| bad(format!("{}: no rule rebuilds {c}", entry.name)))?;
            if rule == Rebuilt::SessionCustomer && customers.is_none() {
                let sessions = files.iter().find(|f| f.0 == "sessions").map(|f| &f.2);
                customers = Some(session_customers(sessions));
            }
            let file = files[i].1.clone();
            let got = rule.column(&files[i].2, customers.as_ref().unwrap_or(&Customers::default()));
            let got = got.ok_or_else(|| KefuError::input(&file, format!("cannot rebuild {c}")))?;
            files[i].2.with_column(got).map_err(|e| KefuError::input(&file, e.to_string()))?;
        }
    }
    let mut tables = Vec::with_capacity(files.len());
    for ((known, file, df), TableEntry { rows, columns, .. }) in files.into_iter().zip(&manifest.tables) {
        // The number keys back in their places, empty: the merge fills them (`tables::merge`).
        let mut df = df;
        for c in columns {
            if df.column(c).is_err() && tables::KEYS.iter().any(|k| k.0 == c) {
                df.with_column(Column::full_null(c.as_str().into(), *rows, &DataType::UInt32))
                    .map_err(|e| KefuError::input(&file, e.to_string()))?;
            }
        }
        // In the manifest's order, every one there (a file without one is refused, naming it), no other.
        let df = df.select(columns.iter().map(String::as_str)).map_err(|e| {
            KefuError::input(&file, format!("{e}: columns {:?}, the manifest says {columns:?}", df.get_column_names()))
        })?;
        tables.push((known, df));
    }
    let tables = Tables { tables, day_range: manifest.day_range };
    Ok(Partial { dir: dir.to_path_buf(), manifest, tables })
}

/// The ids of one column of one table of a partial (none when it has no such table or column).
fn ids<'a>(p: &'a Partial, table: &str, column: &str) -> Vec<&'a str> {
    let col = p.tables.get(table).and_then(|df| df.column(column).ok()).and_then(|c| c.str().ok());
    col.map(|ca| ca.iter().flatten().collect()).unwrap_or_default()
}

/// Refuses partials that share a conversation, customer or order: their union is not what they hold apart.
fn check_disjoint(parts: &[Partial]) -> Result<()> {
    let kinds = [
        ("conversation", &[("sessions", "conversation_id")][..]),
        (
            "customer",
            &[
                ("sessions", "customer_id"),
                ("orders", "customer_id"),
                ("aftersales", "customer_id"),
                ("ratings", "customer_id"),
            ][..],
        ),
        ("order", &[("orders", "order_id")][..]),
    ];
    // The three kinds side by side, each over millions of ids at 10 M messages (a fast hash: the ids are the user's
    // own, not an attacker's); the first kind in this order that fails is the one reported, whichever ends first.
    use rayon::prelude::*;
    let checked: Vec<Result<()>> = kinds
        .par_iter()
        .map(|&(kind, places)| -> Result<()> {
            let mut seen: HashMap<&str, usize, foldhash::fast::RandomState> = HashMap::default();
            for (i, p) in parts.iter().enumerate() {
                for (table, column) in places {
                    for id in ids(p, table, column) {
                        match seen.insert(id, i) {
                            Some(j) if j != i => {
                                return Err(KefuError::Usage(format!(
                                    "{kind} {id} is in two partials, {} and {}: a partition must hold all of a \
                                 customer's conversations, orders and after-sales cases (partition by shop, or by \
                                 customer; docs/scale-out.md)",
                                    parts[j].dir.display(),
                                    p.dir.display()
                                )));
                            }
                            _ => {}
                        }
                    }
                }
            }
            Ok(())
        })
        .collect();
    checked.into_iter().collect()
}

/// What a single run over the union of the partials in `dirs` (made with `settings`) reads and derives.
pub fn merge(dirs: &[PathBuf], settings: &Settings) -> Result<Parts> {
    if dirs.is_empty() {
        return Err(KefuError::Usage("merge: name at least one partial folder".into()));
    }
    use rayon::prelude::*;
    let mut parts: Vec<Partial> = dirs.par_iter().map(|d| read(d)).collect::<Result<_>>()?;
    let want = settings_value(settings);
    for p in &parts {
        if p.manifest.kefu_version != env!("CARGO_PKG_VERSION") {
            return Err(KefuError::input(
                &p.dir,
                format!("made by kefu {}, this is {}", p.manifest.kefu_version, env!("CARGO_PKG_VERSION")),
            ));
        }
        if p.manifest.settings != want {
            let differ: Vec<&String> = want
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| p.manifest.settings.get(k.as_str()) != Some(v))
                .map(|(k, _)| k)
                .collect();
            return Err(KefuError::input(
                &p.dir,
                format!(
                    "made with other settings than this merge ({}): give merge the --config (and --from/--to/\
                     --target-secs) the partials were made with",
                    differ.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    check_disjoint(&parts)?;
    // The order of the partials named must not matter: by their smallest session id (no two share one).
    parts.sort_by_cached_key(|p| ids(p, "sessions", "session_id").into_iter().min().map(str::to_string));
    let mut input = Input::default();
    let (mut first, mut last): (Option<Ts>, Option<Ts>) = (None, None);
    let mut tables = Vec::with_capacity(parts.len());
    for p in parts {
        let m = p.manifest;
        input.files.extend(m.files);
        input.unread.extend(m.not_read);
        input.rejects.extend(m.rejects);
        input.joins.order_customers += m.joins.order_customers;
        input.joins.in_chat += m.joins.in_chat;
        for w in m.warnings {
            if !input.warnings.contains(&w) {
                input.warnings.push(w);
            }
        }
        first = first.into_iter().chain(m.first_message).min();
        last = last.into_iter().chain(m.last_message).max();
        tables.push(p.tables);
    }
    let tables = tables::merge(tables, settings).map_err(|e| KefuError::Usage(format!("merge: {e}")))?;
    Ok(Parts { input, tables, period: (first, last) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions() -> DataFrame {
        df!(
            "session_id" => ["c1#1", "c1#2", "c2#1"],
            "conversation_id" => ["c1", "c1", "c2"],
            "session_no" => [1u32, 2, 1],
            "customer_id" => ["ann", "ann", "bo"],
        )
        .unwrap()
    }

    #[test]
    fn ids_are_left_out_only_where_their_rule_gives_every_row() {
        let s = sessions();
        let customers = session_customers(Some(&s));
        assert_eq!(rebuildable("sessions", &s, &customers), ["session_id"]);
        let follows = df!("session_id" => ["c2#1", "c1#2"], "customer_id" => ["bo", "ann"]).unwrap();
        assert_eq!(rebuildable("lost", &follows, &customers), ["customer_id"]);
        // One row whose customer is not its session's, one session unknown, one null: kept as they are.
        let other = df!("session_id" => ["c2#1", "c1#2"], "customer_id" => ["bo", "cy"]).unwrap();
        assert!(rebuildable("lost", &other, &customers).is_empty());
        let unknown = df!("session_id" => ["c9#1"], "customer_id" => ["bo"]).unwrap();
        assert!(rebuildable("lost", &unknown, &customers).is_empty());
        let null = df!("session_id" => [Some("c1#1"), None], "customer_id" => [Some("ann"), None]).unwrap();
        assert!(rebuildable("orders", &null, &customers).is_empty());
        // A session id that is not its conversation and number.
        let mut odd = sessions();
        odd.with_column(Column::new("session_id".into(), ["c1#1", "x", "c2#1"])).unwrap();
        assert!(rebuildable("sessions", &odd, &session_customers(Some(&odd))).is_empty());
        // And what is left out comes back as it was.
        let back = Rebuilt::SessionCustomer.column(&follows.drop("customer_id").unwrap(), &customers).unwrap();
        assert!(back.as_materialized_series().equals(follows.column("customer_id").unwrap().as_materialized_series()));
        let back = Rebuilt::SessionId.column(&s.drop("session_id").unwrap(), &customers).unwrap();
        assert!(back.as_materialized_series().equals(s.column("session_id").unwrap().as_materialized_series()));
    }
}
