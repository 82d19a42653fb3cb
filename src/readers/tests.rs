//! Readers on hand-made stretches with the totals worked out by hand.

use super::*;
use crate::tokenize::Tokenizer;

const LEXICON: &str = r#"
default = "其他"
min_score = 2.0
agent_weight = 0.5
opening_weight = 2.0
negation = true

[[category]]
name = "物流"
terms = [{ weight = 3, words = ["快递", "发货"] }, { weight = 1, words = ["几天"] }]

[[category]]
name = "发票"
terms = [{ weight = 3, words = ["发票"] }, { weight = 1, words = ["抬头"] }]
"#;

/// Reads messages (customer?, text) as one session: the opening lasts until the first agent message.
fn read(r: &Reader, msgs: &[(bool, &str)]) -> (String, f32, Option<u32>) {
    let rules = crate::detect::load(&Default::default()).unwrap();
    let tok = Tokenizer::new(rules.terms());
    let mut t = Tally::new(r);
    t.reset();
    let mut opening = true;
    for (i, (customer, text)) in msgs.iter().enumerate() {
        opening &= *customer;
        let tokens = tok.cut(text);
        t.add(r, text, &tokens, *customer, opening, i as u32);
    }
    let reading = t.decide(r);
    (r.label(&reading).to_string(), reading.score, reading.evidence.map(|e| e.msg))
}

fn lexicon() -> Reader {
    Reader::parse(LEXICON, "test").unwrap()
}

#[test]
fn the_opening_question_weighs_double_and_agents_weigh_half() {
    let r = lexicon();
    // 快递 in the opening: 3 × 2 = 6; the agent's 发票 ×2 messages: 3 × 0.5 each = 3; the customer's later 发票 3.
    // 物流 6 against 发票 6: the tie goes to the category listed first.
    let msgs = [(true, "快递到哪了"), (false, "亲，发票已开"), (false, "发票请查收"), (true, "发票收到了")];
    assert_eq!(read(&r, &msgs), ("物流".into(), 6.0, Some(0)));
    // One more customer word for 发票 (抬头 1) tips it: 7 against 6, and the evidence is the message that added
    // the most to it (发票 + 抬头 = 4 in message 3).
    let msgs = [(true, "快递到哪了"), (false, "亲，发票已开"), (false, "发票请查收"), (true, "发票抬头错了")];
    assert_eq!(read(&r, &msgs), ("发票".into(), 7.0, Some(3)));
}

#[test]
fn a_term_counts_once_per_message_and_thin_evidence_is_the_default() {
    let r = lexicon();
    // 发票 three times in one message is 3 (× 2 opening = 6), not 18.
    assert_eq!(read(&r, &[(true, "发票发票发票")]).1, 6.0);
    // 几天 after the agent's reply: 1, under min_score 2: 其他, with its score and no evidence.
    assert_eq!(read(&r, &[(false, "您好"), (true, "要几天")]), ("其他".into(), 1.0, None));
    assert_eq!(read(&r, &[(true, "在吗"), (true, "好的谢谢")]), ("其他".into(), 0.0, None));
}

#[test]
fn a_negated_term_adds_nothing_when_the_lexicon_says_so() {
    let r = lexicon();
    // 不要发票: nothing; 快递 is not negated: 3 × 2.
    assert_eq!(read(&r, &[(true, "不要发票，快递就行")]).0, "物流");
    let plain = Reader::parse(&LEXICON.replace("negation = true", "negation = false"), "test").unwrap();
    assert_eq!(read(&plain, &[(false, "好"), (true, "不要发票")]), ("发票".into(), 3.0, Some(1)));
}

#[test]
fn bad_lexicons_are_refused_with_the_reason() {
    let twice = LEXICON.replace(r#"words = ["发票"]"#, r#"words = ["发票", "快递"]"#);
    assert!(Reader::parse(&twice, "t").err().unwrap().contains("'快递' is a term of both 物流 and 发票"));
    let default_named = LEXICON.replace(r#"name = "发票""#, r#"name = "其他""#);
    assert!(Reader::parse(&default_named, "t").is_err());
    assert!(Reader::parse(&LEXICON.replace("min_score = 2.0", "min_score = 0.0"), "t").is_err());
    assert!(Reader::parse("default = \"其他\"\nmin_score = 1.0\ncategory = []", "t").is_err());
}

#[test]
fn the_built_in_topics_read_plain_questions() {
    let r = load_topics(&Default::default()).unwrap();
    for (text, topic) in [
        ("我想开个增值税专用发票", "发票"),
        ("这个订单什么时候发货", "物流配送"),
        ("能用白条分期吗", "支付"),
        ("退款什么时候到账", "退款"),
        ("买了以后降价了，能补差价吗", "价格优惠"),
        ("收货地址填错了，帮我改一下", "订单修改"),
        ("这个键盘坏了，怎么申请保修", "售后服务"),
        ("这款有没有现货，内存多大", "商品咨询"),
        ("在吗", "其他"),
    ] {
        assert_eq!(read(&r, &[(true, text)]).0, topic, "{text}");
    }
}
