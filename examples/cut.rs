//! The tokenize-only limit of BENCHMARKS.md, out of the product: cut every customer and agent message of an input
//! folder with jieba-rs, with the text stage's dictionary (every rule term added), on the same rayon threads, and
//! nothing else; print the timings as JSON. `kefu report`'s total ÷ `cut_secs` says how close the whole pipeline is
//! to the slowest step it cannot skip.
//!
//! `cargo build --release --examples`, then `target/release/examples/cut DIR [THREADS]` (`benches/peer/scale.py`
//! runs it beside `kefu report`).

use kefu::config::Settings;
use kefu::tokenize::Tokenizer;
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

#[derive(serde::Serialize)]
struct CutRun {
    /// Customer and agent messages cut (the ones the text stage cuts).
    messages: u64,
    bytes: u64,
    tokens: u64,
    /// Reading the input (not part of the limit).
    ingest_secs: f64,
    /// Building the dictionary with every rule term (the text stage does the same once per run).
    dictionary_secs: f64,
    /// Cutting every message, on the rayon pool, tokens counted and dropped.
    cut_secs: f64,
}

fn main() -> Result<(), kefu::KefuError> {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(1).map_or("sample_data", String::as_str));
    if let Some(n) = args.get(2) {
        let n: usize = n.parse().expect("THREADS: a number");
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().expect("one thread pool");
    }
    let settings = Settings::load(dir, None, &Default::default())?;
    let t = Instant::now();
    let input = kefu::ingest::load_input(dir, &settings)?;
    let ingest_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let rules = kefu::detect::load(&settings.rules)?;
    let tok = Tokenizer::new(rules.terms());
    let dictionary_secs = t.elapsed().as_secs_f64();
    let texts = kefu::detect::cut_texts(&input);
    let t = Instant::now();
    let tokens: usize = texts.par_iter().map(|s| tok.cut(s).len()).sum();
    let run = CutRun {
        messages: texts.len() as u64,
        bytes: texts.iter().map(|s| s.len() as u64).sum(),
        tokens: tokens as u64,
        ingest_secs,
        dictionary_secs,
        cut_secs: t.elapsed().as_secs_f64(),
    };
    println!("{}", serde_json::to_string(&run).expect("timings serialise"));
    Ok(())
}
