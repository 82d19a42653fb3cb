//! Memory and time of each SQL query at scale: `cargo run --release --example querymem -- INPUT [FILE.sql ...]`.
//!
//! Runs the pipeline up to the derived tables once, then every default query in order (each result registered, as
//! `kefu report` does), then each FILE given; per query it prints the resident memory before it and the peak above
//! that while it ran (Linux: the peak is reset through `/proc/self/clear_refs` before each query). This is how the
//! doubled-rows UNIONs of `_agent_periods.sql` were found (BENCHMARKS.md).

use kefu::config::{Overrides, Settings};
use kefu::memory::{peak_rss_mb, release, rss_mb};
use polars::prelude::IntoLazy;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(Path::new) else {
        eprintln!("usage: querymem INPUT [FILE.sql ...]");
        std::process::exit(2);
    };
    let settings = Settings::load(dir, None, &Overrides::default()).expect("settings");
    let queries = kefu::metrics::load_queries(None).expect("default queries");
    let extra: Vec<(String, String)> =
        args[1..].iter().map(|f| (f.clone(), std::fs::read_to_string(f).expect("readable SQL file"))).collect();
    let needs =
        kefu::tables::Needs::of(queries.iter().map(|q| q.sql.as_str()).chain(extra.iter().map(|e| e.1.as_str())));
    let mut timer = kefu::pipeline::Timer::default();
    let a = kefu::pipeline::analyse(dir, &settings, needs, kefu::progress::Progress::hidden(), &mut timer)
        .expect("analyse");
    println!(
        "tables built: {:.0} MB resident, peak so far {:.0} MB",
        rss_mb().unwrap_or(0.0),
        peak_rss_mb().unwrap_or(0.0)
    );
    let mut ctx = kefu::metrics::context(&a.tables);
    let run = |ctx: &mut polars::sql::SQLContext, name: &str, sql: &str| {
        release();
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let base = rss_mb().unwrap_or(0.0);
        let t = std::time::Instant::now();
        let df = kefu::metrics::run_sql(ctx, name, sql).expect("query runs");
        let peak = peak_rss_mb().unwrap_or(0.0) - base;
        println!(
            "{name}: {} rows, {:.2} s, from {base:.0} MB, peak +{peak:.0} MB",
            df.height(),
            t.elapsed().as_secs_f64()
        );
        df
    };
    let mut results = Vec::new();
    for q in &queries {
        let df = run(&mut ctx, &q.name, &q.sql);
        ctx.register(&q.name, df.clone().lazy());
        results.push((q.name.clone(), df));
    }
    // The files see the derived tables and the default results, except where a result has a table's name
    // (`sessions.sql`, `violations.sql`): there they see the table.
    let mut ctx = kefu::metrics::context(&a.tables);
    for (name, df) in results.into_iter().filter(|(n, _)| a.tables.get(n).is_none()) {
        ctx.register(&name, df.lazy());
    }
    for (file, sql) in &extra {
        run(&mut ctx, file, sql);
    }
}
