//! Instruction counts of the text stage against the cut alone, for callgrind (deterministic, unlike timings on a
//! noisy machine). `textcost FILE none|cut|detect [PASSES]`: loads the messages, builds the rules and the
//! tokenizer, then does nothing, cuts every text, or runs tokenize + detect, PASSES times (1). The difference of
//! two runs' totals is the cost of the step:
//! `RAYON_NUM_THREADS=1 valgrind --tool=callgrind target/release/examples/textcost FILE cut`.
//! It also prints the wall time a pass takes to stderr, for the alternating timing runs of BENCHMARKS.md
//! (`RAYON_NUM_THREADS=1 taskset -c 1 textcost FILE detect 30`).

use kefu::config::Settings;
use kefu::detect;
use kefu::model::Input;
use kefu::tokenize::Tokenizer;
use rayon::prelude::*;
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, mode) = (&args[1], args[2].as_str());
    // Passes after the first cost what the stage costs in a long run, without the one-time set-up (the regexes'
    // lazy automata) the first pass pays: `3 passes − 1 pass`, halved, is that steady cost.
    let passes: usize = args.get(3).map_or(1, |r| r.parse().expect("passes: a number"));
    let text = std::fs::read_to_string(path).expect("read");
    let settings = Settings::default();
    let mut input = Input::default();
    kefu::ingest::parse_messages_csv(&text, "messages.csv", &settings, &mut input).expect("parse");
    // The orders beside the messages, if any: the rules that matter only for customers with an order run for them.
    let orders = std::path::Path::new(path).with_file_name("orders.csv");
    if let Ok(text) = std::fs::read_to_string(&orders) {
        kefu::ingest::parse_orders_csv(&text, "orders.csv", &settings, &mut input).expect("parse orders");
    }
    let derived = kefu::sessions::build(&input.messages, &settings);
    let rules = detect::load(&settings.rules).expect("rules");
    let readers = kefu::readers::load(&settings.rules).expect("readers");
    let tok = Tokenizer::new(rules.terms());
    let signals = kefu::order_windows::SignalScope::new(&input);
    let start = std::time::Instant::now();
    match mode {
        "none" => {}
        "cut" => {
            for _ in 0..passes {
                let n: usize = detect::cut_texts(&input).par_iter().map(|t| tok.cut(t).len()).sum();
                black_box(n);
            }
        }
        "detect" => {
            for _ in 0..passes {
                black_box(detect::run(&input, &derived, &rules, &tok, &signals, &readers));
            }
        }
        _ => panic!("mode: none, cut or detect"),
    }
    // Wall time of the passes alone (not the loading), for timing runs: `textcost FILE cut 60 2>&1 >/dev/null`.
    eprintln!("{mode}: {:.3} ms per pass", start.elapsed().as_secs_f64() * 1e3 / passes as f64);
}
