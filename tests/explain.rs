//! `kefu explain`: the reading it prints is the report's, and the terms, weights and totals are those worked out by
//! hand from the built-in lexicons.

mod common;
use common::*;
use std::path::Path;

const CHAT: &str = "conversation_id,timestamp,customer_id,agent_id,sender,text\n\
    c1,2026-11-11 10:00:00,tb_a,店:小美,customer,钱什么时候退回来？我的电话13812345678\n\
    c1,2026-11-11 10:00:10,店:小美,店:小美,agent,亲，申请退款后原路退回哦\n\
    c1,2026-11-11 10:01:00,tb_a,店:小美,customer,钱什么时候退回来？我的电话13812345678\n\
    c2,2026-11-11 11:00:00,tb_b,店:小丽,customer,我要退货，不想要了\n\
    c2,2026-11-11 11:00:30,tb_b,店:小丽,agent,好的亲\n\
    c3,2026-11-11 12:00:00,tb_c,店:小丽,customer,在吗\n\
    c3,2026-11-11 12:00:30,tb_c,店:小丽,agent,在的亲\n\
    c4,2026-11-11 13:00:00,tb_d,店:小丽,customer,钱不够了，发工资再买\n\
    c4,2026-11-11 13:00:30,tb_d,店:小丽,agent,好的亲\n\
    c5,2026-11-11 14:00:00,tb_e,店:小丽,customer,这款有现货吗\n\
    c5,2026-11-11 14:00:30,tb_e,店:小丽,agent,有的亲\n\
    c5,2026-11-11 14:01:00,tb_e,店:小丽,customer,几天到上海\n\
    c5,2026-11-11 14:01:30,tb_e,店:小丽,agent,亲，一般两天就能送到\n";

const ORDERS: &str = "order_id,customer_id,created_at,paid_at,amount\n\
    o1,tb_c,2026-11-11 12:05:00,,99.00\n\
    o2,tb_a,2026-11-11 10:30:00,2026-11-11 10:31:00,50.00\n\
    o3,tb_d,2026-11-11 12:50:00,,80.00\n\
    o4,tb_e,2026-11-11 14:05:00,,60.00\n";

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn explain(dir: &Path, id: &str) -> String {
    String::from_utf8(kefu_ok(dir, &["explain", "in", id]).stdout).unwrap()
}

/// The value after `label: ` on the line that starts with it.
fn verdict<'a>(text: &'a str, label: &str) -> &'a str {
    let line = text.lines().find(|l| l.starts_with(&format!("{label}: "))).unwrap_or_else(|| panic!("{label}\n{text}"));
    line[label.len() + 2..].split(" — ").next().unwrap()
}

#[test]
fn explain_prints_the_reports_reading_with_each_term() {
    let tmp = tempdir();
    write(tmp.path(), "in/messages.csv", CHAT);
    write(tmp.path(), "in/orders.csv", ORDERS);
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let sessions = read_csv(&tmp.path().join("out/sessions.csv"));
    for s in &sessions {
        let text = explain(tmp.path(), &s["session_id"]);
        assert_eq!(verdict(&text, "topic"), s["topic"], "{text}");
        let yes = |v: &str| if v == "true" { "yes" } else { "no" };
        assert!(verdict(&text, "refund_intent").starts_with(yes(&s["refund_intent"])), "{text}");
        assert!(verdict(&text, "complaint_intent").starts_with(yes(&s["complaint_intent"])), "{text}");
        assert!(!text.contains("13812345678"), "a phone number in the explanation:\n{text}");
    }
    let c1 = explain(tmp.path(), "c1#1");
    // 钱 1 + 退回来 3 (× 1: the refund lexicon has no opening weight); the agent's 退款 3 + 原路 3 + 退回 2, × 0.3;
    // the customer's repeated question counts once: 4 + 2.4 = 6.4.
    assert!(c1.contains("refund_intent    退款 +3 × 1 opening  (退回来)"), "{c1}");
    assert!(c1.contains("refund_intent    退款 +3 × 0.3  (原路)"), "{c1}");
    assert!(c1.contains("counted once"), "{c1}");
    assert!(c1.contains("refund_intent: yes — score 6.4 (threshold 3)"), "{c1}");
    // A return without a word about the money: no refund intent.
    assert!(verdict(&explain(tmp.path(), "c2#1"), "refund_intent").starts_with("no"));
}

#[test]
fn explain_an_unpaid_order_and_refuse_an_unknown_id() {
    let tmp = tempdir();
    write(tmp.path(), "in/messages.csv", CHAT);
    write(tmp.path(), "in/orders.csv", ORDERS);
    let o1 = explain(tmp.path(), "o1");
    assert!(o1.contains("unpaid_reason: 未知"), "{o1}");
    assert!(o1.contains("no reason term or reason rule"), "{o1}");
    assert!(explain(tmp.path(), "o2").contains("paid: no reason"));
    // A reason stated after the order: the rule's strength 3 × stated_weight 5, at full weight (rank 0).
    let o3 = explain(tmp.path(), "o3");
    assert!(o3.contains("unpaid_reason: 资金不足 — score 15.00 (threshold 2)"), "{o3}");
    assert!(o3.contains("→ 2026-11-11 13:00:00 customer 资金不足 +15 × 1.00 near (reason rule)"), "{o3}");
    // Questions before the order, weighed by nearness (halved per customer message with clues back from it):
    // 几天到 3 × 0.5 (rank 1) and the agent's answer 送到 3 × 0.5 (agent) × 0.5 (ranks with the question before it)
    // = 2.25 for 发货/物流时效; 现货 3 × 0.25 (rank 2) = 0.75 for 缺货. The evidence: the question (1.5).
    let o4 = explain(tmp.path(), "o4");
    assert!(
        o4.contains("unpaid_reason: 发货/物流时效 — score 2.25 (threshold 2); totals: 发货/物流时效 2.25, 缺货 0.75"),
        "{o4}"
    );
    assert!(o4.contains("→ 2026-11-11 14:01:00 customer 发货/物流时效 +3 × 0.50 near (lexicon)"), "{o4}");
    assert!(o4.contains("  2026-11-11 14:01:30 agent    发货/物流时效 +1.5 × 0.50 near (lexicon)"), "{o4}");
    assert!(o4.contains("  2026-11-11 14:00:00 customer 缺货 +3 × 0.25 near (lexicon)"), "{o4}");
    let out = kefu(tmp.path(), &["explain", "in", "nowhere#1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no session or order 'nowhere#1'"));
}
