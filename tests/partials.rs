//! Partial runs and their merge (docs/scale-out.md): a generated shop split by customer into partitions, each run
//! with `report --partial`, merged with `kefu merge` in another order, gives byte for byte the CSVs of one run over
//! the whole shop; and a merge of partials that share a customer is refused.

mod common;
use common::*;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// Splits every CSV of `from` into `n` folders `to/part-K` by a hash of its `customer_id` column, keeping the header
/// and each row's bytes; the other files (kefu.toml, truth/) are left behind.
fn split_by_customer(from: &Path, to: &Path, n: usize) {
    for k in 0..n {
        std::fs::create_dir_all(to.join(format!("part-{k}"))).unwrap();
    }
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let headers = reader.headers().unwrap().clone();
        let at = headers.iter().position(|h| h == "customer_id").expect("every generated table has customer_id");
        let mut writers: Vec<csv::Writer<std::fs::File>> = (0..n)
            .map(|k| {
                let mut w =
                    csv::Writer::from_path(to.join(format!("part-{k}")).join(path.file_name().unwrap())).unwrap();
                w.write_record(&headers).unwrap();
                w
            })
            .collect();
        for record in reader.records() {
            let record = record.unwrap();
            let mut h = DefaultHasher::new();
            record[at].hash(&mut h);
            writers[(h.finish() % n as u64) as usize].write_record(&record).unwrap();
        }
    }
}

/// The CSV files of a report folder, by name.
fn csvs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn partitions_merged_give_the_single_run_byte_for_byte() {
    let tmp = tempdir();
    let t = tmp.path();
    kefu_ok(t, &["gen", "--out", "data", "--messages", "100000", "--seed", "5", "--quiet"]);
    kefu_ok(t, &["report", "data", "--out", "single", "--quiet"]);
    split_by_customer(&t.join("data"), &t.join("parts"), 3);
    for k in 0..3 {
        let (part, partial) = (format!("parts/part-{k}"), format!("partial-{k}"));
        kefu_ok(t, &["report", &part, "--config", "data/kefu.toml", "--partial", &partial, "--quiet"]);
        assert!(t.join(&partial).join("manifest.json").is_file());
        leaves_out_the_ids_that_follow(&t.join(&partial));
    }
    // Named in another order than they were made: the merge does not depend on it.
    let merge = ["merge", "partial-2", "partial-0", "partial-1", "--config", "data/kefu.toml", "--out", "merged"];
    kefu_ok(t, &[&merge[..], &["--quiet"]].concat());
    let (single, merged) = (csvs(&t.join("single")), csvs(&t.join("merged")));
    assert_eq!(
        single.iter().map(|f| &f.0).collect::<Vec<_>>(),
        merged.iter().map(|f| &f.0).collect::<Vec<_>>(),
        "the same files"
    );
    assert!(single.len() >= 15, "every report: {:?}", single.iter().map(|f| &f.0).collect::<Vec<_>>());
    for ((name, a), (_, b)) in single.iter().zip(&merged) {
        // A file with rows, so the comparison says something.
        assert!(a.iter().filter(|&&c| c == b'\n').count() >= 2 || name == "rejects.csv", "{name} is empty");
        if a != b {
            let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
            let first = a.lines().zip(b.lines()).position(|(x, y)| x != y);
            let show = first.map(|i| (a.lines().nth(i).unwrap().to_string(), b.lines().nth(i).unwrap().to_string()));
            panic!("{name} differs (single, merged; first differing line {first:?}: {show:?})");
        }
    }

    // A merge of merges is the merge of all: partial-0 and partial-2 merged into a partial, merged with partial-1.
    kefu_ok(t, &["merge", "partial-0", "partial-2", "--config", "data/kefu.toml", "--partial", "p02", "--quiet"]);
    kefu_ok(t, &["merge", "partial-1", "p02", "--config", "data/kefu.toml", "--out", "tree", "--quiet"]);
    assert!(csvs(&t.join("tree")) == merged, "merge(merge(0, 2), 1) differs from merge(2, 0, 1)");

    // Partials sharing customers (the same partition twice) are refused, naming the problem.
    let out = kefu(t, &["merge", "partial-0", "partial-0", "--config", "data/kefu.toml", "--out", "twice"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in two partials"), "{err}");
    // Settings other than the partials' are refused too.
    let out = kefu(t, &["merge", "partial-0", "partial-1", "--out", "defaults"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("other settings"));
    // And a partial of another layout version (one an older kefu wrote, with other tables).
    let manifest = t.join("partial-1/manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    m["version"] = serde_json::json!(1);
    std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
    let out = kefu(t, &["merge", "partial-0", "partial-1", "--config", "data/kefu.toml", "--out", "old"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let this = format!("of version {}", kefu::partial::VERSION);
    assert!(err.contains("of version 1") && err.contains(&this), "{err}");
}

/// A partial's manifest names the ids its files leave out (each checked as it was written: `Rebuilt` in
/// partial.rs), and its Parquet files do not hold them: the generated shop's sessions' own ids and the customers of
/// the tables that name a session. The merge above giving the single run's CSVs shows they come back right.
fn leaves_out_the_ids_that_follow(partial: &Path) {
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(partial.join("manifest.json")).unwrap()).unwrap();
    let rebuilt = |table: &str| -> Vec<String> {
        let t = m["tables"].as_array().unwrap().iter().find(|t| t["name"] == table).expect(table);
        t["rebuilt"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
    };
    assert_eq!(rebuilt("sessions"), ["session_id"]);
    for table in ["message_counts", "violations", "lost"] {
        assert_eq!(rebuilt(table), ["customer_id"], "{table}");
        let f = std::fs::File::open(partial.join("tables").join(format!("{table}.parquet"))).unwrap();
        use polars::prelude::SerReader;
        let df = polars::prelude::ParquetReader::new(f).finish().unwrap();
        assert!(df.column("customer_id").is_err() && df.column("session_id").is_ok(), "{table}: {:?}", df.schema());
    }
}

/// Whether python3 can import `module`; if not, says which test skips and how to install it.
fn python_has(module: &str, test: &str) -> bool {
    let out = std::process::Command::new("python3").args(["-c", &format!("import {module}")]).output();
    let has = out.is_ok_and(|o| o.status.success());
    if !has {
        eprintln!("skipped: python3 cannot import {module} (pip install {module}) — {test} of docs/scale-out.md");
    }
    has
}

/// Runs a script of the project (`scaleout/…`) with python3 in `dir`, which must succeed.
fn python(dir: &Path, script: &str, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    let out =
        std::process::Command::new("python3").current_dir(dir).arg(script).args(args).output().expect("python3 runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The engine example of docs/scale-out.md: scaleout/partition.py splits a generated shop, scaleout/ray_report.py
/// runs the partitions as Ray tasks on a local cluster and merges them: the same CSVs as one run. Skipped (with a
/// message) where Python has no `ray` (`pip install ray`).
#[test]
fn the_ray_example_gives_the_single_run() {
    if !python_has("ray", "the Ray example") {
        return;
    }
    let tmp = tempdir();
    let t = tmp.path();
    kefu_ok(t, &["gen", "--out", "data", "--messages", "30000", "--seed", "9", "--quiet"]);
    kefu_ok(t, &["report", "data", "--out", "single", "--quiet"]);
    python(t, "scaleout/partition.py", &["data", "parts", "3"]);
    let kefu = env!("CARGO_BIN_EXE_kefu");
    let args = ["parts", "--config", "data/kefu.toml", "--out", "merged", "--kefu", kefu];
    python(t, "scaleout/ray_report.py", &args);
    let (single, merged) = (csvs(&t.join("single")), csvs(&t.join("merged")));
    assert!(single.len() >= 15);
    assert_eq!(single, merged, "the Ray run's CSVs equal the single run's");
}

/// The SQL is portable: scaleout/duckdb_reports.py runs kefu's default queries in DuckDB over the tables of a merged
/// partial (two partitions merged with `kefu merge --partial`), and every report agrees with the one kefu writes from
/// the same partials, cell for cell: text equal, numbers to the 3 decimals kefu writes, times to the second.
/// Skipped (with a message) where Python has no `duckdb` (`pip install duckdb`).
#[test]
fn duckdb_runs_the_default_queries_over_a_partial_and_agrees() {
    if !python_has("duckdb", "the portable SQL") {
        return;
    }
    let tmp = tempdir();
    let t = tmp.path();
    kefu_ok(t, &["gen", "--out", "data", "--messages", "30000", "--seed", "3", "--quiet"]);
    split_by_customer(&t.join("data"), &t.join("parts"), 2);
    for k in 0..2 {
        let (part, partial) = (format!("parts/part-{k}"), format!("partial-{k}"));
        kefu_ok(t, &["report", &part, "--config", "data/kefu.toml", "--partial", &partial, "--quiet"]);
    }
    let both = ["partial-0", "partial-1", "--config", "data/kefu.toml"];
    kefu_ok(t, &[&["merge"], &both[..], &["--partial", "merged", "--quiet"]].concat());
    kefu_ok(t, &[&["merge"], &both[..], &["--out", "kefu", "--quiet"]].concat());
    let queries = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    python(t, "scaleout/duckdb_reports.py", &["merged", queries.to_str().unwrap(), "duckdb"]);
    let mut compared = 0;
    for (name, _) in csvs(&t.join("kefu")) {
        if name == "rejects.csv" || name == "teams.csv" {
            continue; // not queries: the input's rejected rows, and teams.rs
        }
        let (ours, theirs) = (read_csv(&t.join("kefu").join(&name)), read_csv(&t.join("duckdb").join(&name)));
        assert_eq!(ours.len(), theirs.len(), "{name}: rows");
        assert!(!ours.is_empty(), "{name} has rows, so the comparison says something");
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            for (col, x) in a {
                let y = b.get(col).unwrap_or_else(|| panic!("{name}: DuckDB has no column {col}"));
                let same = x == y
                    || x.eq_ignore_ascii_case(y)
                    || matches!((x.parse::<f64>(), y.parse::<f64>()), (Ok(p), Ok(q)) if (p - q).abs() <= 0.0005 + 1e-9)
                    || (x.len() >= 19 && y.len() >= 19 && x[..19] == y[..19]);
                assert!(same, "{name} row {i} {col}: kefu {x:?}, DuckDB {y:?}");
            }
        }
        compared += 1;
    }
    assert!(compared >= 14, "every report compared: {compared}");
}
