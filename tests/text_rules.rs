//! The text stage end to end: rules from kefu.toml, violations.csv with masked evidence, intents on sessions.

mod common;
use common::*;
use std::path::Path;

const CHAT: &str = "conversation_id,timestamp,customer_id,agent_id,sender,text\n\
    c1,2026-11-11 10:00:00,tb_a,店:小美,customer,包邮吗？我要退款\n\
    c1,2026-11-11 10:00:10,店:小美,店:小美,agent,亲，全国包邮的，有事打我电话13812345678\n\
    c1,2026-11-11 10:01:00,tb_a,店:小美,customer,好的\n\
    c1,2026-11-11 10:01:20,tb_a,店:小美,agent,亲，偏远地区需要补运费哦，胖子也能穿\n\
    c2,2026-11-11 11:00:00,tb_b,店:小丽,customer,你们这样我要投诉\n\
    c2,2026-11-11 11:00:30,tb_b,店:小丽,agent,您好，非常抱歉，感谢您的反馈\n";

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn violations_carry_rule_points_and_masked_evidence() {
    let tmp = tempdir();
    write(tmp.path(), "in/messages.csv", CHAT);
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let v = read_csv(&tmp.path().join("out/violations.csv"));
    let ids: Vec<&str> = v.iter().map(|r| r["rule_id"].as_str()).collect();
    for id in ["privacy_leak", "offsite_contact", "free_shipping_breach", "banned_words"] {
        assert!(ids.contains(&id), "{id} not found in {ids:?}");
    }
    let leak = v.iter().find(|r| r["rule_id"] == "privacy_leak").unwrap();
    assert_eq!((leak["penalty_points"].as_str(), leak["category"].as_str()), ("6.000", "隐私"));
    assert_eq!(leak["matched"], "138****5678");
    let all = std::fs::read_to_string(tmp.path().join("out/violations.csv")).unwrap();
    assert!(!all.contains("13812345678"), "a phone number leaked into violations.csv");
    let sessions = read_csv(&tmp.path().join("out/sessions.csv"));
    let flags: Vec<(&str, &str, &str)> = sessions
        .iter()
        .map(|s| (s["refund_intent"].as_str(), s["complaint_intent"].as_str(), s["violations"].as_str()))
        .collect();
    assert_eq!(flags[0].0, "true");
    assert_eq!(flags[1].1, "true");
    let card = read_csv(&tmp.path().join("out/agent_scorecard.csv"));
    let mei = card.iter().find(|r| r["agent_id"] == "店:小美").unwrap();
    assert_eq!(num(mei, "violations") as usize, v.iter().filter(|r| r["agent_id"] == "店:小美").count());
    assert!(num(mei, "penalty_points") >= 16.0, "{mei:?}");
}

#[test]
fn kefu_toml_switches_rules_adds_words_and_files() {
    let tmp = tempdir();
    write(tmp.path(), "in/messages.csv", CHAT);
    write(
        tmp.path(),
        "in/kefu.toml",
        "[rules]\ndisabled = [\"no_greeting\", \"no_closing\"]\nbanned_words = [\"小仙女\"]\nfiles = [\"extra.toml\"]\n",
    );
    write(
        tmp.path(),
        "in/extra.toml",
        "[[rule]]\nid = \"shop_slang\"\nname = \"店铺忌语\"\ncategory = \"用语\"\nspeaker = \"agent\"\npoints = 2\nterms = [\"偏远地区\"]\n",
    );
    let out = kefu_ok(tmp.path(), &["rules", "in"]);
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("shop_slang") && listing.contains("2 pts"), "{listing}");
    assert!(!listing.contains("no_greeting"));
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let v = read_csv(&tmp.path().join("out/violations.csv"));
    assert!(v.iter().any(|r| r["rule_id"] == "shop_slang" && r["matched"] == "偏远地区"));
    assert!(!v.iter().any(|r| r["rule_id"] == "no_closing"));

    write(
        tmp.path(),
        "in/extra.toml",
        "[[rule]]\nid = \"broken\"\nname = \"n\"\ncategory = \"c\"\nspeaker = \"agent\"\nregex = [\"(oops\"]\n",
    );
    let out = kefu(tmp.path(), &["report", "in", "--out", "out2"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("extra.toml") && err.contains("broken") && err.contains("bad regex"), "{err}");
    write(tmp.path(), "in/kefu.toml", "[rules]\ndisabled = [\"no_such_rule\"]\n");
    let out = kefu(tmp.path(), &["rules", "in"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_rule"));
}

/// What the shop's own terms allow (`[rules.allowed]`): a clause naming one of the words is no violation of that
/// rule; words for a rule that is not active are refused, not ignored.
#[test]
fn kefu_toml_allows_what_the_shops_terms_allow() {
    let tmp = tempdir();
    write(tmp.path(), "in/messages.csv", CHAT);
    let breaches = |out: &str| {
        read_csv(&tmp.path().join(out).join("violations.csv"))
            .iter()
            .filter(|r| r["rule_id"] == "free_shipping_breach")
            .count()
    };
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    assert_eq!(breaches("out"), 1);
    write(tmp.path(), "in/kefu.toml", "[rules.allowed]\nfree_shipping_breach = [\"偏远地区\", \"新疆\"]\n");
    kefu_ok(tmp.path(), &["report", "in", "--out", "out2", "--quiet"]);
    assert_eq!(breaches("out2"), 0);
    write(
        tmp.path(),
        "in/kefu.toml",
        "[rules]\ndisabled = [\"free_shipping_breach\"]\n[rules.allowed]\nfree_shipping_breach = [\"新疆\"]\n",
    );
    let out = kefu(tmp.path(), &["report", "in", "--out", "out3"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("free_shipping_breach") && err.contains("not active"), "{err}");
}

/// A shop's own intent lexicon, named in kefu.toml, replaces the built-in one; a rule file that still declares an
/// intent is refused with a pointer to the lexicon.
#[test]
fn kefu_toml_names_an_intent_lexicon_and_intent_rules_are_refused() {
    let tmp = tempdir();
    write(
        tmp.path(),
        "in/messages.csv",
        "conversation_id,timestamp,customer_id,agent_id,sender,text\n\
         c1,2026-11-11 10:00:00,tb_a,店:小美,customer,我要退单\n\
         c1,2026-11-11 10:00:10,店:小美,店:小美,agent,好的亲\n\
         c2,2026-11-11 11:00:00,tb_b,店:小美,customer,我要退款\n\
         c2,2026-11-11 11:00:10,店:小美,店:小美,agent,好的亲\n",
    );
    let lexicon = |refund: &str| {
        format!(
            "[refund_intent]\ndefault = \"无\"\nmin_score = 3.0\n[[refund_intent.category]]\nname = \"退款\"\n\
             terms = [{{ weight = 3, words = [\"{refund}\"] }}]\n\n[complaint_intent]\ndefault = \"无\"\nmin_score = 3.0\n\
             [[complaint_intent.category]]\nname = \"投诉\"\nterms = [{{ weight = 3, words = [\"投诉\"] }}]\n"
        )
    };
    write(tmp.path(), "in/my_intents.toml", &lexicon("退单"));
    write(tmp.path(), "in/kefu.toml", "[rules]\nintents = \"my_intents.toml\"\n");
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let flags: Vec<String> =
        read_csv(&tmp.path().join("out/sessions.csv")).iter().map(|s| s["refund_intent"].clone()).collect();
    assert_eq!(flags, ["true", "false"]);
    // A broken lexicon names its file.
    write(tmp.path(), "in/my_intents.toml", &lexicon("退单").replace("[complaint_intent]", "[complaint]"));
    let out = kefu(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("my_intents.toml"), "{out:?}");
    // An intent rule in a rule file is refused with a pointer to the lexicon.
    write(tmp.path(), "in/my_intents.toml", &lexicon("退单"));
    write(
        tmp.path(),
        "in/rules.toml",
        "[[rule]]\nid = \"my_refund\"\nname = \"退款\"\ncategory = \"意向\"\nspeaker = \"customer\"\nkind = \"intent\"\n\
         terms = [\"退款\"]\n",
    );
    write(tmp.path(), "in/kefu.toml", "[rules]\nfiles = [\"rules.toml\"]\n");
    let out = kefu(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("my_refund") && err.contains("intents.toml"), "{err}");
}

/// A shop's own reasons lexicon, named in kefu.toml, replaces the built-in one for unpaid orders and lost inquiries;
/// a broken one names its file.
#[test]
fn kefu_toml_names_a_reasons_lexicon() {
    let tmp = tempdir();
    write(
        tmp.path(),
        "in/messages.csv",
        "conversation_id,timestamp,customer_id,agent_id,sender,text\n\
         c1,2026-11-11 10:00:00,tb_a,店:小美,customer,能刻字吗\n\
         c1,2026-11-11 10:00:10,店:小美,店:小美,agent,可以的亲\n\
         c2,2026-11-11 11:00:00,tb_b,店:小美,customer,能刻字吗\n\
         c2,2026-11-11 11:00:10,店:小美,店:小美,agent,可以的亲\n",
    );
    write(
        tmp.path(),
        "in/orders.csv",
        "order_id,customer_id,created_at,paid_at,amount\no1,tb_a,2026-11-11 10:05:00,,99.00\n",
    );
    let report = |dir: &std::path::Path| {
        kefu_ok(dir, &["report", "in", "--out", "out", "--quiet"]);
        let unpaid = read_csv(&dir.join("out/unpaid_orders.csv"));
        let lost = read_csv(&dir.join("out/lost_inquiries.csv"));
        (unpaid[0]["reason"].clone(), lost[0]["reason"].clone())
    };
    // The built-in lexicon knows no 刻字: 未知 for both.
    assert_eq!(report(tmp.path()), ("未知".to_string(), "未知".to_string()));
    let lexicon = "default = \"未知\"\nmin_score = 2.0\n[[category]]\nname = \"尺码/规格\"\n\
                   terms = [{ weight = 3, words = [\"刻字\"] }]\n";
    write(tmp.path(), "in/my_reasons.toml", lexicon);
    write(tmp.path(), "in/kefu.toml", "[rules]\nreasons = \"my_reasons.toml\"\n");
    assert_eq!(report(tmp.path()), ("尺码/规格".to_string(), "尺码/规格".to_string()));
    write(tmp.path(), "in/my_reasons.toml", &lexicon.replace("尺码/规格", "刻字服务"));
    let out = kefu(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("my_reasons.toml") && err.contains("刻字服务"), "{err}");
}
