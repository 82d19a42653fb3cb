//! One criterion bench per pipeline stage, in the order the data flows: ingest (files → typed tables; bytes/s),
//! sessions and turns, derived tables, SQL metrics and charts (messages/s). Tokenize + detect, against plain jieba
//! cutting the same texts, is `benches/text.rs`.
//! Data: a generated folder (200,000 messages, `kefu gen`, seed 1) and the real JDDC chats
//! (../shared/realdata/jddc, 12,136 messages, no orders).
//! Run: `cargo bench --bench stages` (`-- generated` or `-- jddc` for one data set).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kefu::config::{Overrides, Settings};
use kefu::detect::{self, RuleSet};
use kefu::model::Input;
use kefu::sessions::{self, Derived};
use kefu::tables::{self, Needs, Tables};
use kefu::tokenize::Tokenizer;
use std::hint::black_box;
use std::path::Path;

/// Everything a stage needs from the stages before it, computed once.
struct Upstream {
    settings: Settings,
    input: Input,
    derived: Derived,
    rules: RuleSet,
    readers: kefu::readers::Readers,
    findings: detect::Findings,
    payments: kefu::payments::Payments,
}

fn upstream(dir: &Path) -> Upstream {
    let settings = Settings::load(dir, None, &Overrides::default()).expect("settings");
    let input = kefu::ingest::load_input(dir, &settings).expect("input");
    let derived = sessions::build(&input.messages, &settings);
    let rules = detect::load(&settings.rules).expect("default rules");
    let readers = kefu::readers::load(&settings.rules).expect("readers");
    let tok = Tokenizer::new(rules.terms());
    let signals = kefu::order_windows::SignalScope::new(&input);
    let findings = detect::run(&input, &derived, &rules, &tok, &signals, &readers);
    let payments = kefu::payments::analyse(&input, &findings, &rules, &readers, settings.attribution_secs);
    Upstream { settings, input, derived, rules, readers, findings, payments }
}

fn build_tables(u: &Upstream) -> Tables {
    let text =
        tables::TextResults { findings: &u.findings, rules: &u.rules, payments: &u.payments, readers: &u.readers };
    tables::build(&u.input, &u.derived, &u.settings, &text, Needs::default())
}

fn input_bytes(dir: &Path) -> u64 {
    ["messages.csv", "orders.csv", "aftersales.csv"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

fn bench_stages(c: &mut Criterion, name: &str, dir: &Path) {
    let u = upstream(dir);
    let messages = u.input.messages.len() as u64;
    let queries = kefu::metrics::load_queries(None).expect("built-in queries");
    let tables = build_tables(&u);
    let results = kefu::metrics::run_all(&tables, &queries).expect("queries run");
    let turns = tables.get("turns").expect("turns table");

    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    g.throughput(Throughput::Bytes(input_bytes(dir)));
    g.bench_function("ingest", |b| b.iter(|| black_box(kefu::ingest::load_input(dir, &u.settings).expect("input"))));
    g.throughput(Throughput::Elements(messages));
    g.bench_function("sessions_turns", |b| b.iter(|| black_box(sessions::build(&u.input.messages, &u.settings))));
    g.bench_function("tables", |b| b.iter(|| black_box(build_tables(&u))));
    g.bench_function("sql_metrics", |b| {
        b.iter(|| black_box(kefu::metrics::run_all(&tables, &queries).expect("queries run")))
    });
    g.bench_function("charts", |b| {
        b.iter(|| {
            let d = kefu::charts::data::from_results(&results, turns, u.settings.target_secs as f64).expect("data");
            black_box(kefu::charts::render(&d).expect("charts"))
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated = tempfile::tempdir().expect("temp dir");
    let opts = kefu::synth::GenOptions {
        messages: 200_000,
        agents: 12,
        start: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
        days: 21,
        seed: 1,
        layout: kefu::synth::layouts::Layout::Canonical,
    };
    kefu::synth::generate(generated.path(), &opts).expect("generate");
    bench_stages(c, "generated", generated.path());
    bench_stages(c, "jddc", &root.join("../shared/realdata/jddc"));
}

// No plots: criterion's plotter needs a system font, which a fresh machine may not have.
criterion_group! {
    name = stages;
    config = Criterion::default().without_plots();
    targets = benches
}
criterion_main!(stages);
