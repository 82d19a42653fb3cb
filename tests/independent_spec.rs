//! agent_scorecard.csv against an independent implementation of SPEC §3 (tests/independent/spec3.py, Python
//! standard library only, written from the spec text): counts exactly, averages within a second; with orders.csv,
//! order attribution, conversion and refund rates exactly (amounts to the cent); aftersales_agents.csv against
//! tests/independent/aftersales.py.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

/// The same figure in both rows: both empty, or within `tolerance`.
fn same(g: &Row, w: &Row, c: &str, tolerance: f64) {
    if w[c].is_empty() {
        assert!(g[c].is_empty(), "{} {c}: {} vs empty", g["agent_id"], g[c]);
    } else {
        assert!((num(g, c) - num(w, c)).abs() < tolerance, "{} {c}: {} vs {}", g["agent_id"], g[c], w[c]);
    }
}

fn compare(messages: &Path, scorecard: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/spec3.py");
    let orders = messages.with_file_name("orders.csv");
    let mut cmd = Command::new("python3");
    cmd.arg(&script).arg(messages);
    if orders.exists() {
        cmd.arg(&orders);
    }
    let out = cmd.output().expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let want = parse_csv(&out.stdout);
    let got = read_csv(scorecard);
    assert_eq!(got.len(), want.len(), "number of agents");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["agent_id"], w["agent_id"]);
        for c in [
            "sessions",
            "customers",
            "turns",
            "unanswered_turns",
            "offhours_turns",
            "inquiries",
            "transfers_in",
            "transfers_out",
            "max_concurrent",
        ] {
            assert_eq!(g[c], w[c], "{} {c}", g["agent_id"]);
        }
        same(g, w, "active_hours", 0.001);
        for c in ["avg_response_secs", "median_response_secs", "p90_response_secs", "first_response_secs"] {
            same(g, w, c, 1.0);
        }
        if orders.exists() {
            for c in ["paid_customers", "orders", "unpaid_orders", "ordering_customers", "lost_customers"] {
                assert_eq!(g[c], w[c], "{} {c}", g["agent_id"]);
            }
            for c in ["conversion_rate", "sales_amount", "avg_order_value", "refund_rate", "order_rate", "payment_rate"]
            {
                same(g, w, c, 0.001);
            }
            assert!(want.iter().any(|w| num(w, "orders") > 0.0), "the data credits some orders");
        }
        if messages.with_file_name("ratings.csv").exists() {
            assert_eq!(g["ratings"], w["ratings"], "{} ratings", g["agent_id"]);
            same(g, w, "satisfied_rate", 0.001);
            same(g, w, "dissatisfied_rate", 0.001);
        }
        for c in ["within_target_rate", "reply_30s_rate", "qa_ratio", "offhours_reply_rate", "human_3min_rate"] {
            if !w[c].is_empty() {
                assert!((num(g, c) - num(w, c)).abs() < 0.001, "{} {c}: {} vs {}", g["agent_id"], g[c], w[c]);
            }
        }
    }
}

#[test]
fn real_jddc_chats() {
    let tmp = tempdir();
    let Some(jddc) = jddc_dir() else { return };
    kefu_ok(tmp.path(), &["report", jddc.to_str().unwrap(), "--out", "out", "--quiet"]);
    compare(&jddc.join("messages.csv"), &tmp.path().join("out/agent_scorecard.csv"));
}

#[test]
fn generated_promotion_data() {
    let tmp =
        gen_and_report(&["--messages", "6000", "--agents", "6", "--days", "4", "--start", "2026-11-09", "--seed", "3"]);
    compare(&tmp.path().join("data/messages.csv"), &tmp.path().join("out/agent_scorecard.csv"));
}

/// The shipped sample and its committed reports (tests/sample.rs keeps the reports current).
#[test]
fn shipped_sample() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    compare(&root.join("sample_data/messages.csv"), &root.join("reports/agent_scorecard.csv"));
}

/// aftersales_agents.csv against tests/independent/aftersales.py, on generated data and on the shipped sample.
fn compare_aftersales(cases: &Path, report: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/aftersales.py");
    let out = Command::new("python3").arg(&script).arg(cases).output().expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let want = parse_csv(&out.stdout);
    let got = read_csv(report);
    assert!(!want.is_empty(), "the data has after-sales cases");
    assert_eq!(got.len(), want.len(), "number of handlers");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["agent_id"], w["agent_id"]);
        for c in ["cases", "refund_cases", "disputes", "complaints"] {
            assert_eq!(g[c], w[c], "{} {c}", g["agent_id"]);
        }
        for c in
            ["refund_amount", "avg_handle_hours", "same_day_rate", "dispute_rate", "complaint_rate", "aftersales_score"]
        {
            same(g, w, c, 0.001);
        }
    }
}

#[test]
fn aftersales_figures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    compare_aftersales(&root.join("sample_data/aftersales.csv"), &root.join("reports/aftersales_agents.csv"));
    let tmp =
        gen_and_report(&["--messages", "6000", "--agents", "6", "--days", "4", "--start", "2026-11-09", "--seed", "3"]);
    compare_aftersales(&tmp.path().join("data/aftersales.csv"), &tmp.path().join("out/aftersales_agents.csv"));
}
