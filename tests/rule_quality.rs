//! Precision and recall of every text rule: against the violations and intents `kefu gen` plants, and against a
//! hand-labelled set of dialogues written apart from the rules (tests/fixtures/heldout_dialogues.csv).

mod common;
use common::*;
use std::collections::{BTreeMap, HashSet};

type Key = (String, String, String);

/// Per rule: (true positives, found, expected).
fn score(truth: &HashSet<Key>, got: &HashSet<Key>) -> BTreeMap<String, (usize, usize, usize)> {
    let mut m: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for k in truth {
        m.entry(k.2.clone()).or_default().2 += 1;
    }
    for k in got {
        let e = m.entry(k.2.clone()).or_default();
        e.1 += 1;
        if truth.contains(k) {
            e.0 += 1;
        }
    }
    m
}

fn check(name: &str, m: &BTreeMap<String, (usize, usize, usize)>, min_support: usize) {
    let mut failures = Vec::new();
    for (rule, (tp, found, expected)) in m {
        let p = if *found == 0 { 1.0 } else { *tp as f64 / *found as f64 };
        let r = if *expected == 0 { 1.0 } else { *tp as f64 / *expected as f64 };
        println!("{name}: {rule:22} expected {expected:5} found {found:5} precision {p:.3} recall {r:.3}");
        if p < 0.95 || r < 0.95 {
            failures.push(format!("{rule}: precision {p:.3}, recall {r:.3}"));
        }
        if *expected < min_support {
            failures.push(format!("{rule}: only {expected} labelled cases"));
        }
    }
    assert!(failures.is_empty(), "{name}: {failures:?}");
}

/// The ids of the 质检 rules `kefu rules INPUT` lists (run in `dir`): every rule but the signals (催付 and the unpaid
/// reasons, scored in tests/payments_truth.rs).
fn violation_rules(dir: &std::path::Path, input: &str) -> Vec<String> {
    let out = kefu_ok(dir, &["rules", input]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter(|line| !line.trim_end().ends_with("signal"))
        .map(|line| line.split_whitespace().next().unwrap().to_string())
        .collect()
}

fn intents_found(sessions: &[Row]) -> HashSet<Key> {
    let mut got = HashSet::new();
    for s in sessions {
        let (conv, no) = s["session_id"].split_once('#').unwrap();
        for it in ["refund_intent", "complaint_intent"] {
            if s[it] == "true" {
                got.insert((conv.to_string(), no.to_string(), it.to_string()));
            }
        }
    }
    got
}

#[test]
fn generated_data_every_rule_at_least_95_percent() {
    let tmp = gen_and_report(&["--messages", "100000", "--seed", "11"]);
    let (data, out) = (tmp.path().join("data"), tmp.path().join("out"));
    let truth: HashSet<Key> = read_csv(&data.join("truth/violations.csv"))
        .into_iter()
        .map(|t| (t["conversation_id"].clone(), t["timestamp"].clone(), t["rule_id"].clone()))
        .collect();
    let got: HashSet<Key> = read_csv(&out.join("violations.csv"))
        .into_iter()
        .map(|v| (v["session_id"].split('#').next().unwrap().to_string(), v["timestamp"].clone(), v["rule_id"].clone()))
        .collect();
    let m = score(&truth, &got);
    // Intents are scored below (they are read by the intent lexicon, not listed as rules).
    for id in violation_rules(tmp.path(), "data") {
        assert!(m.contains_key(&id), "no planted case of {id}");
    }
    check("generated", &m, 10);
    let itruth: HashSet<Key> = read_csv(&data.join("truth/intents.csv"))
        .into_iter()
        .map(|t| (t["conversation_id"].clone(), t["session_no"].clone(), t["intent"].clone()))
        .collect();
    check("generated", &score(&itruth, &intents_found(&read_csv(&out.join("sessions.csv")))), 10);
    generated_topics_agree(&data, &out);
}

/// The planted session topics (truth/topics.csv: sessions whose questions all come from one category) against
/// sessions.csv: every topic read is right (precision 1 where planted), and at least 0.95 of them are found. The
/// misses are questions the lexicon has no word for that is not also a word of one development dialogue only
/// (满减怎么算: 满减 occurs in one CSDS dialogue, so it is not in the lexicon; BENCHMARKS.md).
fn generated_topics_agree(data: &std::path::Path, out: &std::path::Path) {
    let read: std::collections::HashMap<String, String> = read_csv(&out.join("sessions.csv"))
        .into_iter()
        .map(|s| (s["session_id"].clone(), s["topic"].clone()))
        .collect();
    let truth = read_csv(&data.join("truth/topics.csv"));
    assert!(truth.len() > 1000, "{} planted topics", truth.len());
    let mut right = 0;
    for t in &truth {
        let got = &read[&format!("{}#{}", t["conversation_id"], t["session_no"])];
        assert!(got == &t["topic"] || got == "其他", "planted {} read as {got}", t["topic"]);
        right += usize::from(got == &t["topic"]);
    }
    let accuracy = right as f64 / truth.len() as f64;
    println!("generated: topic accuracy {accuracy:.3} ({right} of {})", truth.len());
    assert!(accuracy >= 0.95, "generated topic accuracy {accuracy}");
}

#[test]
fn held_out_dialogues_every_rule_at_least_95_percent() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/heldout_dialogues.csv");
    let rows = read_csv(&fixture);
    let tmp = tempdir();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    // One message a minute per dialogue, agents on the shop's sub-account; session rules are judged on generated
    // data only (the dialogues are excerpts without greetings and closings).
    let mut w = csv::Writer::from_path(dir.join("messages.csv")).unwrap();
    w.write_record(["conversation_id", "timestamp", "customer_id", "agent_id", "sender", "text"]).unwrap();
    let mut truth: HashSet<Key> = HashSet::new();
    let mut itruth: HashSet<Key> = HashSet::new();
    for (i, r) in rows.iter().enumerate() {
        let ts = format!("2026-11-11 {:02}:{:02}:00", 9 + i / 60, i % 60);
        let d = &r["dialogue"];
        w.write_record([d.as_str(), &ts, &format!("buyer_{d}"), "店:客服", &r["speaker"], &r["text"]]).unwrap();
        for e in r["expect"].split(';').filter(|e| !e.is_empty()) {
            if e.ends_with("_intent") {
                itruth.insert((d.clone(), "1".into(), e.to_string()));
            } else {
                truth.insert((d.clone(), ts.clone(), e.to_string()));
            }
        }
    }
    w.flush().unwrap();
    std::fs::write(dir.join("kefu.toml"), "[rules]\ndisabled = [\"no_greeting\", \"no_closing\"]\n").unwrap();
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let got: HashSet<Key> = read_csv(&tmp.path().join("out/violations.csv"))
        .into_iter()
        .map(|v| (v["session_id"].split('#').next().unwrap().to_string(), v["timestamp"].clone(), v["rule_id"].clone()))
        .collect();
    check("held-out", &score(&truth, &got), 3);
    check("held-out", &score(&itruth, &intents_found(&read_csv(&tmp.path().join("out/sessions.csv")))), 3);
}

/// The hand-labelled agent-rule set (tests/fixtures/agent_rules, its README.md): 378 dialogues in everyday agent
/// phrasing, each rule's violations and hard negatives (dialogues named `<rule>-p…` and `<rule>-n…`), measured
/// with `kefu measure` as a user would. Every 质检 rule holds ≥ 0.95 precision and ≥ 0.90 recall on it.
#[test]
fn labelled_agent_rule_set_every_rule_holds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agent_rules");
    let out = kefu_ok(&dir, &["measure", dir.to_str().unwrap(), "--quiet"]);
    let text = String::from_utf8(out.stdout).unwrap();
    println!("{text}");
    // rule, labelled, recall, found, precision
    let rows: BTreeMap<String, (usize, f64, usize, f64)> = text
        .lines()
        .skip_while(|l| !l.starts_with("rules: per violation"))
        .skip(2)
        .take_while(|l| l.starts_with("  "))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let num = |s: &str| if s == "-" { 1.0 } else { s.parse::<f64>().unwrap() };
            (f[0].to_string(), (f[1].parse().unwrap(), num(f[2]), f[3].parse().unwrap(), num(f[4])))
        })
        .collect();
    let dialogues: HashSet<String> =
        read_csv(&dir.join("messages.csv")).into_iter().map(|m| m["conversation_id"].clone()).collect();
    assert!(dialogues.len() >= 200, "{} dialogues", dialogues.len());
    let mut failures = Vec::new();
    for id in violation_rules(&dir, dir.to_str().unwrap()) {
        let Some(&(labelled, recall, _, precision)) = rows.get(&id) else {
            failures.push(format!("{id}: not in the labelled set"));
            continue;
        };
        // Hard negatives: dialogues written to look like a violation of the rule and not be one.
        let negatives = dialogues.iter().filter(|d| d.starts_with(&format!("{id}-")) && d.contains("-n")).count();
        if labelled < 5 || negatives < 5 {
            failures
                .push(format!("{id}: {labelled} violations and {negatives} hard negatives labelled (want ≥ 5 each)"));
        }
        if precision < 0.95 || recall < 0.90 {
            failures.push(format!("{id}: precision {precision:.2}, recall {recall:.2}"));
        }
    }
    assert!(failures.is_empty(), "{failures:?}\n{text}");
}
