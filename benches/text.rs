//! Tokenize + detect throughput against the limit: plain jieba-rs cutting the same texts with the same
//! dictionary, on one thread and on all threads (Throughput::Bytes → MB/s in the report).
//! Texts: the real JDDC chats (../shared/realdata/jddc) and the shipped generated sample (with its orders).
//! Run: `cargo bench --bench text`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kefu::config::Settings;
use kefu::detect::{self, RuleSet};
use kefu::model::Input;
use kefu::tokenize::Tokenizer;
use rayon::prelude::*;
use std::hint::black_box;
use std::path::Path;

/// The messages, and the orders beside them if any (so the signal rules run where the payment figures use them).
fn load(path: &Path) -> Input {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut input = Input::default();
    kefu::ingest::parse_messages_csv(&text, "messages.csv", &Settings::default(), &mut input).expect("messages parse");
    if let Ok(orders) = std::fs::read_to_string(path.with_file_name("orders.csv")) {
        kefu::ingest::parse_orders_csv(&orders, "orders.csv", &Settings::default(), &mut input).expect("orders parse");
    }
    input
}

fn bench_corpus(c: &mut Criterion, name: &str, path: &Path) {
    let input = load(path);
    let settings = Settings::default();
    let derived = kefu::sessions::build(&input.messages, &settings);
    let rules: RuleSet = detect::load(&settings.rules).expect("default rules");
    let readers = kefu::readers::load(&settings.rules).expect("readers");
    let tok = Tokenizer::new(rules.terms());
    let signals = kefu::order_windows::SignalScope::new(&input);
    let texts = detect::cut_texts(&input);
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("jieba_cut/1_thread", |b| {
        b.iter(|| one.install(|| texts.par_iter().map(|t| tok.cut(t).len()).sum::<usize>()))
    });
    g.bench_function("jieba_cut/all_threads", |b| b.iter(|| texts.par_iter().map(|t| tok.cut(t).len()).sum::<usize>()));
    g.bench_function("tokenize_detect/1_thread", |b| {
        b.iter(|| one.install(|| black_box(detect::run(&input, &derived, &rules, &tok, &signals, &readers))))
    });
    g.bench_function("tokenize_detect/all_threads", |b| {
        b.iter(|| black_box(detect::run(&input, &derived, &rules, &tok, &signals, &readers)))
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench_corpus(c, "jddc", &root.join("../shared/realdata/jddc/messages.csv"));
    bench_corpus(c, "generated", &root.join("sample_data/messages.csv"));
}

// No plots: criterion's plotter needs a system font, which a fresh machine may not have.
criterion_group! {
    name = text;
    config = Criterion::default().without_plots();
    targets = benches
}
criterion_main!(text);
