//! Orders, conversion, after-sales and the performance score on a hand-built shop whose every figure was worked
//! out by hand (the arithmetic is in the comments). Edge cases: a customer who talked to two agents before one
//! order, an order outside the 72 h window (静默下单), an explicit agent_id, a refund on an unpaid order, an open
//! case, a case closed the next day, a dispute.

mod common;
use common::*;
use std::collections::HashMap;

const MESSAGES: &str = "\
conversation_id,timestamp,shop,customer_id,agent_id,sender,text
a1,2026-11-10 10:00:00,S,c1,S:A,customer,在吗
a1,2026-11-10 10:00:10,S,c1,S:A,agent,您好亲，在的
b1,2026-11-11 10:00:00,S,c1,S:B,customer,这件有货吗
b1,2026-11-11 10:00:30,S,c1,S:B,agent,您好亲，有货的
a2,2026-11-10 09:00:00,S,c2,S:A,customer,在吗
a2,2026-11-10 09:00:05,S,c2,S:A,agent,您好亲，在的
a3,2026-11-10 11:00:00,S,c3,S:A,customer,在吗
a3,2026-11-10 11:00:25,S,c3,S:A,agent,您好亲，在的
a4,2026-11-10 12:00:00,S,c4,S:A,customer,在吗
a4,2026-11-10 12:00:10,S,c4,S:A,agent,您好亲，在的
a5,2026-11-10 14:00:00,S,c5,S:A,customer,在吗
a5,2026-11-10 14:00:10,S,c5,S:A,agent,您好亲，在的
";

const ORDERS: &str = "\
order_id,customer_id,shop,created_at,paid_at,amount,agent_id
O1,c1,S,2026-11-11 12:00:00,2026-11-11 12:05:00,200.00,
O2,c2,S,2026-11-14 10:00:00,2026-11-14 10:01:00,80.00,
O3,c3,S,2026-11-10 11:30:00,2026-11-10 11:31:00,300.00,S:B
O4,c4,S,2026-11-10 13:00:00,,50.00,
O5,c5,S,2026-11-10 15:00:00,2026-11-10 15:02:00,100.00,
";

const CASES: &str = "\
case_id,order_id,customer_id,agent_id,type,reason,opened_at,closed_at,refund_amount,platform_intervened
K1,O4,c4,S:H,refund_only,拍错,2026-11-10 16:00:00,,50.00,0
K2,O5,c5,S:H,return_refund,尺码,2026-11-11 10:00:00,2026-11-11 20:00:00,100.00,0
K3,O5,c5,S:H,complaint,态度,2026-11-12 10:00:00,2026-11-13 10:00:00,0.00,1
";

// Session rules off, so that quality is exactly 100 (no violation at all).
const CONFIG: &str = "[rules]\ndisabled = [\"no_greeting\", \"no_closing\"]\n";

fn run() -> (tempfile::TempDir, HashMap<String, Row>) {
    report_files(&[
        ("messages.csv", MESSAGES),
        ("orders.csv", ORDERS),
        ("aftersales.csv", CASES),
        ("kefu.toml", CONFIG),
    ])
}

#[test]
fn attribution_conversion_and_refunds() {
    let (_tmp, card) = run();
    let (a, b) = (&card["S:A"], &card["S:B"]);
    // A: inquirers c1..c5. Credited: O4 (c4, unpaid; latest session a4 at 12:00, 1 h before) and O5 (c5, paid
    // 100). O2 (c2) is 4 days after a2: outside 72 h, silent. O3 names B explicitly. O1: c1's latest session
    // before it is b1 (B), not a1.
    assert_eq!(a["inquiries"], "5");
    assert_eq!(a["orders"], "2");
    assert_eq!(a["paid_customers"], "1");
    close(a, "conversion_rate", 0.2);
    close(a, "sales_amount", 100.0);
    close(a, "avg_order_value", 100.0);
    assert_eq!(a["unpaid_orders"], "1");
    // The refund on unpaid O4 is no refunded sale; O5 (paid) was refunded: 1 of 1 paid orders.
    close(a, "refund_rate", 1.0);
    // B: inquirer c1 only. Credited O1 (chat, paid 200) and O3 (explicit, paid 300; c3 never wrote to B).
    assert_eq!(b["inquiries"], "1");
    assert_eq!(b["orders"], "2");
    assert_eq!(b["paid_customers"], "1");
    close(b, "conversion_rate", 1.0);
    close(b, "sales_amount", 500.0);
    close(b, "avg_order_value", 250.0); // 500 ÷ {c1, c3}
    close(b, "refund_rate", 0.0);
    for r in [a, b] {
        assert_eq!(r["violations"], "0");
        assert!(r["dispute_rate"].is_empty() && r["aftersales_score"].is_empty(), "A and B handle no case");
    }
}

#[test]
fn silent_orders_are_counted_for_the_shop() {
    let (tmp, _) = run();
    let shops = read_csv(&tmp.path().join("out/shops.csv"));
    assert_eq!(shops.len(), 1);
    let s = &shops[0];
    assert_eq!((s["orders"].as_str(), s["silent_orders"].as_str()), ("5", "1"));
    assert_eq!((s["chat_orders"].as_str(), s["explicit_orders"].as_str()), ("3", "1"));
    close(s, "silent_sales_amount", 80.0);
}

#[test]
fn aftersales_handler_figures_and_score() {
    let (tmp, card) = run();
    let rows = read_csv(&tmp.path().join("out/aftersales_agents.csv"));
    assert_eq!(rows.len(), 1);
    let h = &rows[0];
    assert_eq!(h["agent_id"], "S:H");
    assert_eq!((h["cases"].as_str(), h["refund_cases"].as_str()), ("3", "2"));
    close(h, "refund_amount", 150.0);
    close(h, "avg_handle_hours", 17.0); // K2 10 h, K3 24 h; K1 is open
    close(h, "same_day_rate", 0.5); // K2 same day, K3 the next day
    close(h, "dispute_rate", 1.0 / 3.0);
    close(h, "complaint_rate", 1.0 / 3.0);
    // 100 × (0.3 × 2/3 + 0.2 × 2/3 + 0.3 × 0.5 + 0.2 × (1 − 17/48)) ÷ 1.0 = 61.25
    close(h, "aftersales_score", 61.25);
    assert!(!card.contains_key("S:H"), "a handler who never chats has no scorecard row");
}

#[test]
fn performance_score_and_rank() {
    let (_tmp, card) = run();
    let (a, b) = (&card["S:A"], &card["S:B"]);
    // A: 4 of 5 turns within 20 s (c3 waited 25 s) → 80; conversion 0.2 ÷ best 1.0 → 20; no penalty → 100;
    // not a handler, refund_rate 1.0 → 0. Score (0.3·80 + 0.3·20 + 0.2·100 + 0.2·0) ÷ 1.0 = 50.
    close(a, "score_response", 80.0);
    close(a, "score_conversion", 20.0);
    close(a, "score_quality", 100.0);
    close(a, "score_aftersales", 0.0);
    close(a, "score", 50.0);
    // B: 30 s → 0; 1.0 → 100; 100; refund_rate 0 → 100. Score 0 + 30 + 20 + 20 = 70.
    close(b, "score_response", 0.0);
    close(b, "score", 70.0);
    assert_eq!((a["rank"].as_str(), b["rank"].as_str()), ("2", "1"));
}

#[test]
fn weights_come_from_kefu_toml() {
    let tmp = tempdir();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let config = format!("{CONFIG}\n[weights]\nresponse = 1.0\nconversion = 0.0\nquality = 0.0\naftersales = 0.0\n");
    for (name, text) in [("messages.csv", MESSAGES), ("orders.csv", ORDERS), ("kefu.toml", config.as_str())] {
        std::fs::write(input.join(name), text).unwrap();
    }
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let card = read_csv(&tmp.path().join("out/agent_scorecard.csv"));
    // Response only: A 80, B 0.
    close(&card[0], "score", 80.0);
    close(&card[1], "score", 0.0);
    assert_eq!((card[0]["rank"].as_str(), card[1]["rank"].as_str()), ("1", "2"));
}

#[test]
fn phases_hold_the_team_figures_of_their_days() {
    let tmp = tempdir();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let config = format!("{CONFIG}\n[[phases]]\nname = \"爆发\"\nstart = \"2026-11-10\"\nend = \"2026-11-11\"\n");
    for (name, text) in
        [("messages.csv", MESSAGES), ("orders.csv", ORDERS), ("aftersales.csv", CASES), ("kefu.toml", config.as_str())]
    {
        std::fs::write(input.join(name), text).unwrap();
    }
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let rows = read_csv(&tmp.path().join("out/phases.csv"));
    assert_eq!(rows.len(), 1);
    let p = &rows[0];
    assert_eq!((p["phase"].as_str(), p["start"].as_str(), p["end"].as_str()), ("爆发", "2026-11-10", "2026-11-11"));
    // Six sessions (a1..a5 on the 10th, b1 on the 11th), five customers, six turns of which 4 within 20 s.
    assert_eq!((p["sessions"].as_str(), p["customers"].as_str(), p["turns"].as_str()), ("6", "5", "6"));
    close(p, "within_target_rate", 4.0 / 6.0);
    // Orders created on the 10th–11th: O1, O3, O4, O5 (O2 on the 14th is outside). Paying customers who wrote:
    // c1 (O1), c3 (O3), c5 (O5) → 3 of 5.
    assert_eq!((p["orders"].as_str(), p["paid_orders"].as_str(), p["unpaid_orders"].as_str()), ("4", "3", "1"));
    assert_eq!((p["paid_customers"].as_str(), p["silent_orders"].as_str()), ("3", "0"));
    close(p, "conversion_rate", 0.6);
    close(p, "sales_amount", 600.0);
    // Cases opened on the 10th–11th: K1 and K2 (both refunds); K3 (complaint, dispute) opened on the 12th.
    assert_eq!((p["refund_cases"].as_str(), p["complaints"].as_str(), p["disputes"].as_str()), ("2", "0", "0"));
    close(p, "refund_amount", 150.0);
}

#[test]
fn phase_figures_add_up_to_the_whole_on_the_sample() {
    // The sample's phases (预热, 爆发, 返场) cover its 21 days; only the night after the last one (sessions running
    // past midnight into 11-22) is outside every phase. Counts split without loss.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    let phases = read_csv(&root.join("phases.csv"));
    assert_eq!(phases.iter().map(|p| p["phase"].as_str()).collect::<Vec<_>>(), ["预热", "爆发", "返场"]);
    let sum = |col: &str| phases.iter().map(|p| num(p, col)).sum::<f64>();
    let sessions = read_csv(&root.join("sessions.csv"));
    assert_eq!(sum("sessions") as usize, sessions.iter().filter(|s| !s["phase"].is_empty()).count());
    let shops = read_csv(&root.join("shops.csv"));
    let (orders, violations) = (num(&shops[0], "orders"), read_csv(&root.join("violations.csv")).len() as f64);
    for (part, whole) in [(sum("orders"), orders), (sum("violations"), violations)] {
        assert!(part <= whole && part >= 0.99 * whole, "{part} of {whole}");
    }
    // The promotion day is the slowest: its within-target rate is the lowest of the three.
    let peak = phases.iter().find(|p| p["phase"] == "爆发").unwrap();
    assert!(phases.iter().all(|p| num(p, "within_target_rate") >= num(peak, "within_target_rate")));
}
