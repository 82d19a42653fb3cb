//! The same synthetic shop written in every real layout (`kefu gen --layout`) gives the figures of its canonical
//! twin (SPEC §7: "every figure is the same as for the canonical form of the same data"): 千牛 transcripts in the
//! standard layout, in the compact and arrow layouts, hand-kept workbooks with title and totals rows, and GB18030
//! CSVs with the platforms' headers. sessions.csv differs only in `end`: the synthetic shop's transfer notices are
//! system messages in messages.csv and, as SPEC §7 says, never messages in a transcript.

mod common;
use common::*;
use std::path::Path;

const SAME: &[&str] = &[
    "agent_scorecard.csv",
    "weekly_agents.csv",
    "unpaid_reasons.csv",
    "unpaid_orders.csv",
    "lost_reasons.csv",
    "aftersales_agents.csv",
    "hourly.csv",
    "phases.csv",
    "violations.csv",
    "shops.csv",
];

fn gen_report(tmp: &Path, layout: &str) {
    let data = format!("{layout}-in");
    let args = ["gen", "--out", &data, "--messages", "6000", "--days", "8", "--seed", "5", "--layout", layout];
    kefu_ok(tmp, &[&args[..], &["--quiet"]].concat());
    kefu_ok(tmp, &["report", &data, "--out", &format!("{layout}-out"), "--quiet"]);
}

fn summary(tmp: &Path, layout: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(tmp.join(format!("{layout}-out/summary.json"))).unwrap()).unwrap()
}

/// sessions.csv without its `end` column.
fn sessions_but_end(path: &Path) -> Vec<Vec<(String, String)>> {
    read_csv(path)
        .into_iter()
        .map(|r| {
            let mut v: Vec<(String, String)> = r.into_iter().filter(|(k, _)| k != "end").collect();
            v.sort();
            v
        })
        .collect()
}

#[test]
fn every_layout_gives_the_canonical_figures() {
    let tmp = tempdir();
    let t = tmp.path();
    gen_report(t, "canonical");
    let canonical = t.join("canonical-out");
    assert!(read_csv(&canonical.join("agent_scorecard.csv")).len() >= 5);
    for layout in ["qianniu", "compact", "xlsx", "platform"] {
        gen_report(t, layout);
        let out = t.join(format!("{layout}-out"));
        for f in SAME {
            let (a, b) = (std::fs::read(canonical.join(f)).unwrap(), std::fs::read(out.join(f)).unwrap());
            assert!(a == b, "{layout}: {f} differs from the canonical run's");
        }
        assert_eq!(sessions_but_end(&canonical.join("sessions.csv")), sessions_but_end(&out.join("sessions.csv")));
        let s = summary(t, layout);
        assert_eq!(s["rows"]["rejected"], 0, "{layout}: {}", s["rows"]);
        assert_eq!(s["warnings"].as_array().unwrap().len(), 0, "{layout}: {}", s["warnings"]);
        // No shop robot in any per-agent table (the qianniu layouts write robot lines as 店铺:店小蜜).
        for f in ["agent_scorecard.csv", "weekly_agents.csv", "aftersales_agents.csv"] {
            for r in read_csv(&out.join(f)) {
                assert!(!r["agent_id"].contains("店小蜜") && !r["agent_id"].is_empty(), "{layout} {f}: {r:?}");
            }
        }
    }
    // What the transcripts held besides messages was skipped and counted by kind.
    let s = summary(t, "qianniu");
    let mut kinds = std::collections::BTreeMap::<String, u64>::new();
    for f in s["files"].as_array().unwrap() {
        for (k, v) in f["skipped"].as_object().into_iter().flatten() {
            *kinds.entry(k.clone()).or_default() += v.as_u64().unwrap();
        }
    }
    for k in ["read mark", "product-card link", "source notice (当前用户来自)", "history separator", "transfer notice"]
    {
        assert!(kinds.get(k).is_some_and(|n| *n > 0), "{k}: {kinds:?}");
    }
    let files = s["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["encoding"] == "GB18030") && files.iter().any(|f| f["layouts"]["arrow"].is_u64()));
    let compact = summary(t, "compact");
    let layouts: Vec<&str> = compact["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["layouts"].as_object().into_iter().flat_map(|o| o.keys().map(String::as_str)))
        .collect();
    assert!(layouts.contains(&"compact") && layouts.contains(&"arrow"), "{layouts:?}");
    // kefu check names what it read from each file.
    let check = kefu_ok(t, &["check", "xlsx-in"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(stdout.contains("orders.xlsx[订单] → orders (xlsx)"), "{stdout}");
    assert!(stdout.contains("title row 1, total row 1"), "{stdout}");
}

/// An order export that writes the shop otherwise than the chat's accounts (店铺名称 `暖暖女装官方店` beside the
/// chat's `暖暖女装旗舰店:小美`) gives the figures of the same export with the chat's name, and says so
/// (`shops`): before, every order of such a file came out 静默下单 and every conversion near zero, without a word.
#[test]
fn an_order_export_naming_the_shop_otherwise_is_credited_through_the_chat() {
    let tmp = gen_and_report(&["--messages", "6000", "--days", "8", "--seed", "5"]);
    let t = tmp.path();
    let orders = t.join("data/orders.csv");
    let text = std::fs::read_to_string(&orders).unwrap();
    assert!(text.matches(",暖暖女装旗舰店,").count() > 100);
    std::fs::write(&orders, text.replace(",暖暖女装旗舰店,", ",暖暖女装官方店,")).unwrap();
    kefu_ok(t, &["report", "data", "--out", "renamed", "--quiet"]);
    for f in ["agent_scorecard.csv", "weekly_agents.csv", "teams.csv", "unpaid_orders.csv", "lost_inquiries.csv"] {
        let (a, b) = (std::fs::read(t.join("out").join(f)).unwrap(), std::fs::read(t.join("renamed").join(f)).unwrap());
        assert!(a == b, "{f} differs when the orders name the shop otherwise");
    }
    let shops = read_csv(&t.join("renamed/shops.csv"));
    assert_eq!(shops.len(), 1);
    assert_eq!(shops[0]["shop"], "暖暖女装官方店");
    assert_eq!(shops[0]["chat_orders"], read_csv(&t.join("out/shops.csv"))[0]["chat_orders"]);
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(t.join("renamed/summary.json")).unwrap()).unwrap();
    let kinds: Vec<&str> = s["warnings"].as_array().unwrap().iter().map(|w| w["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["shops"]);
    assert!(s["warnings"][0]["message"].as_str().unwrap().contains("(暖暖女装官方店; the chat's: 暖暖女装旗舰店)"));

    // Beside orders of the chat's shop, an order of another shop is that shop's: credited through no chat.
    let mixed: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i % 2 == 1 { l.replace(",暖暖女装旗舰店,", ",另一家店,") } else { l.to_string() })
        .collect();
    std::fs::write(&orders, mixed.join("\n") + "\n").unwrap();
    kefu_ok(t, &["report", "data", "--out", "mixed", "--quiet"]);
    let shops = read_csv(&t.join("mixed/shops.csv"));
    let other = shops.iter().find(|r| r["shop"] == "另一家店").unwrap();
    assert!(num(other, "orders") > 50.0 && num(other, "chat_orders") == 0.0, "{other:?}");
    let own = shops.iter().find(|r| r["shop"] == "暖暖女装旗舰店").unwrap();
    assert!(num(own, "chat_orders") > 0.0, "{own:?}");
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(t.join("mixed/summary.json")).unwrap()).unwrap();
    let w = s["warnings"][0]["message"].as_str().unwrap();
    assert!(w.contains("(另一家店; the chat's: 暖暖女装旗舰店) beside orders of the chat's shops"), "{w}");
}

/// Agents typed with a full-width colon in some rows (`暖暖女装旗舰店：小美`, a Chinese input method's colon) are the
/// agents of the other rows: the same figures as the file written alike. Before, each agent counted as two.
#[test]
fn an_agent_typed_with_a_full_width_colon_is_one_agent() {
    let tmp = gen_and_report(&["--messages", "6000", "--days", "8", "--seed", "5"]);
    let t = tmp.path();
    for name in ["messages.csv", "orders.csv", "aftersales.csv"] {
        let path = t.join("data").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i % 2 == 1 { l.replace("暖暖女装旗舰店:", "暖暖女装旗舰店：") } else { l.to_string() }
            })
            .collect();
        assert!(lines.iter().any(|l| l.contains("旗舰店：")), "{name}");
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    }
    kefu_ok(t, &["report", "data", "--out", "typed", "--quiet"]);
    for f in ["agent_scorecard.csv", "weekly_agents.csv", "teams.csv", "agent_days.csv", "aftersales_agents.csv"] {
        let (a, b) = (std::fs::read(t.join("out").join(f)).unwrap(), std::fs::read(t.join("typed").join(f)).unwrap());
        assert!(a == b, "{f} differs when some agents are typed with a full-width colon");
    }
}
