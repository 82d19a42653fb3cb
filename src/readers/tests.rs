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

/// Reads messages (customer?, text) as one session with lexicon `w`: the opening lasts until the first agent
/// message.
fn read_as(r: &Readers, w: Which, msgs: &[(bool, &str)]) -> (String, f32, Option<u32>) {
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
    let reading = t.decide(r, w);
    (r.lexicon(w).label(&reading).to_string(), reading.score, reading.evidence.map(|e| e.msg))
}

fn read(r: &Readers, msgs: &[(bool, &str)]) -> (String, f32, Option<u32>) {
    read_as(r, Which::Topic, msgs)
}

/// `topics` as the topic lexicon, with the built-in intents.
fn parse(topics: &str) -> Result<Readers, String> {
    Readers::parse(topics, "test", DEFAULT_INTENTS, "intents")
}

fn lexicon() -> Readers {
    parse(LEXICON).unwrap()
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
    let plain = parse(&LEXICON.replace("negation = true", "negation = false")).unwrap();
    assert_eq!(read(&plain, &[(false, "好"), (true, "不要发票")]), ("发票".into(), 3.0, Some(1)));
}

#[test]
fn bad_lexicons_are_refused_with_the_reason() {
    let twice = LEXICON.replace(r#"words = ["发票"]"#, r#"words = ["发票", "快递"]"#);
    assert!(parse(&twice).err().unwrap().contains("'快递' is a term of both 物流 and 发票"));
    let default_named = LEXICON.replace(r#"name = "发票""#, r#"name = "其他""#);
    assert!(parse(&default_named).is_err());
    assert!(parse(&LEXICON.replace("min_score = 2.0", "min_score = 0.0")).is_err());
    assert!(parse("default = \"其他\"\nmin_score = 1.0\ncategory = []").is_err());
}

#[test]
fn the_built_in_topics_read_plain_questions() {
    let r = load(&Default::default()).unwrap();
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

/// The built-in intents on plain sentences, with the totals worked out by hand from intents.toml.
#[test]
fn the_built_in_intents_read_money_back_not_returns() {
    let r = load(&Default::default()).unwrap();
    let refund = |msgs: &[(bool, &str)]| read_as(&r, Which::Refund, msgs);
    // 退款 3: one money word of the customer's is enough (min_score 3), wherever it comes.
    assert_eq!(refund(&[(true, "在吗"), (false, "您好"), (true, "我要退款")]), ("退款".into(), 3.0, Some(2)));
    // 钱 1 + 退回来 3 in one message: 4 (退回 2, inside 退回来, counts only as the longer term).
    assert_eq!(refund(&[(true, "钱什么时候退回来")]).1, 4.0);
    // A return without a word about the money is no refund intent; 退 alone (1) is a hint that needs company.
    assert_eq!(refund(&[(true, "我要退货")]).0, "无");
    assert_eq!(refund(&[(true, "那就退吧")]), ("无".into(), 1.0, None));
    // ... such as the agent's money words: 退 1 + (退款 3 + 原路 3 + 退回 2) × 0.3 = 3.4.
    let talk = [(true, "那就退吧"), (false, "申请退款后原路退回")];
    assert_eq!(refund(&talk).0, "退款");
    assert!((refund(&talk).1 - 3.4).abs() < 1e-5, "{:?}", refund(&talk));
    // The agent's words alone: 2.4, under 3.
    assert_eq!(refund(&[(true, "在吗"), (false, "申请退款后原路退回")]), ("无".into(), 2.4, None));
    // Negated: 不想退款了 adds nothing.
    assert_eq!(refund(&[(true, "算了不想退款了")]).0, "无");
    let complaint = |msgs: &[(bool, &str)]| read_as(&r, Which::Complaint, msgs);
    assert_eq!(complaint(&[(true, "再不处理我就投诉，给差评")]).0, "投诉");
    // Not negated, not the agent's words (agent_weight 0).
    assert_eq!(complaint(&[(true, "我不会给差评的")]).0, "无");
    assert_eq!(complaint(&[(false, "有问题可以投诉哦")]), ("无".into(), 0.0, None));
    let shows = |msgs: &[(bool, &str)], w| {
        let rules = crate::detect::load(&Default::default()).unwrap();
        let tok = Tokenizer::new(rules.terms());
        let mut t = Tally::new(&r);
        for (i, (c, text)) in msgs.iter().enumerate() {
            t.add(&r, text, &tok.cut(text), *c, i == 0, i as u32);
        }
        t.decide(&r, w).shows_intent()
    };
    assert!(shows(&[(true, "退款什么时候到账")], Which::Refund));
    assert!(!shows(&[(true, "退款什么时候到账")], Which::Complaint));
}

/// An intent lexicon's first category is the intent; a rival that outweighs it keeps the session out.
#[test]
fn a_rival_outweighing_the_intent_is_no_intent() {
    let intents = r#"
[refund_intent]
default = "无"
min_score = 3.0
[[refund_intent.category]]
name = "退款"
terms = [{ weight = 3, words = ["退款", "退差价"] }]
[[refund_intent.category]]
name = "价保"
terms = [{ weight = 3, words = ["价保"] }, { weight = 2, words = ["降价"] }]

[complaint_intent]
default = "无"
min_score = 3.0
[[complaint_intent.category]]
name = "投诉"
terms = [{ weight = 3, words = ["投诉"] }]
"#;
    let r = Readers::parse(LEXICON, "t", intents, "i").unwrap();
    // 退差价 3 against 降价 2 + 价保 3 = 5: the price-protection rival wins, no refund intent.
    let rival = [(true, "降价了，能退差价吗"), (true, "价保怎么申请")];
    assert_eq!(read_as(&r, Which::Refund, &rival), ("价保".into(), 5.0, Some(1)));
    assert_eq!(read_as(&r, Which::Refund, &[(true, "我要退款")]).0, "退款");
    // The same word may serve the topics and an intent (快递 here is a topic word only).
    assert!(
        Readers::parse(LEXICON, "t", &intents.replace(r#"words = ["投诉"]"#, r#"words = ["投诉", "快递"]"#), "i")
            .is_ok()
    );
    // An intents file must name both intents.
    let one = intents.split("[complaint_intent]").next().unwrap();
    assert!(Readers::parse(LEXICON, "t", one, "i").err().unwrap().contains("complaint_intent"));
}

/// A reasons lexicon with the built-in topics and intents.
fn with_reasons(reasons: &str) -> Result<Readers, String> {
    Readers::parse_all([(LEXICON, "t"), (DEFAULT_INTENTS, "i"), (reasons, "r")])
}

const REASONS: &str = r#"
default = "未知"
min_score = 2.0
half_life_messages = 1.0
stated_weight = 5.0

[[category]]
name = "发货/物流时效"
terms = [{ weight = 3, words = ["发货"] }, { weight = 1, words = ["几天"] }]

[[category]]
name = "缺货"
terms = [{ weight = 3, words = ["现货"] }]
"#;

#[test]
fn reasons_are_read_from_marks_weighed_by_nearness_and_judged_before_it() {
    let r = with_reasons(REASONS).unwrap();
    let l = r.lexicon(Which::Reason);
    // Categories not listed follow, without terms, so that the reason rules may name them.
    let forgot = r.reason_category(crate::model::UnpaidReason::Forgot).unwrap();
    assert_eq!(l.categories()[forgot as usize], "忘记付款");
    assert_eq!(l.stated_weight(), 5.0);
    assert_eq!([l.nearness(0), l.nearness(1), l.nearness(2)], [1.0, 0.5, 0.25]);
    let mark = |msg, category, weight| Mark { msg, category, weight, start: 0, end: 3 };
    // 缺货 3 at rank 0 (× 1) against 发货 3 at rank 1 (× 0.5) and 3 at rank 2 (× 0.25), 1.5 + 0.75: 缺货 wins.
    let marks = [(mark(0, 0, 3.0), 0.25, true), (mark(1, 0, 3.0), 0.5, true), (mark(2, 1, 3.0), 1.0, true)];
    let reading = read_marks(&r, marks);
    assert_eq!((r.reason_of(&reading).label(), reading.score, reading.evidence.map(|e| e.msg)), ("缺货", 3.0, Some(2)));
    // Nearness ranks; the threshold is judged on the weights alone: 几天 (1) + 几天 (1) far back is 2, enough.
    let reading = read_marks(&r, [(mark(0, 0, 1.0), 0.25, true), (mark(1, 0, 1.0), 0.125, true)]);
    assert_eq!((r.reason_of(&reading).label(), reading.score), ("发货/物流时效", 0.375));
    // The agent's words alone count (3 × 0.5 twice reaches 2), with the agent's message as evidence; with a
    // customer's mark beside them the evidence is the customer's, not the agent's heavier one.
    let agent = [(mark(0, 0, 1.5), 1.0, false), (mark(1, 0, 1.5), 1.0, false)];
    let reading = read_marks(&r, agent);
    assert_eq!((r.reason_of(&reading).label(), reading.evidence.map(|e| e.msg)), ("发货/物流时效", Some(0)));
    let reading = read_marks(&r, [agent[0], (mark(2, 0, 1.0), 0.5, true)]);
    assert_eq!((r.reason_of(&reading).label(), reading.evidence.map(|e| e.msg)), ("发货/物流时效", Some(2)));
    // One hint alone is thin: 未知, with no evidence.
    let reading = read_marks(&r, [(mark(0, 0, 1.0), 1.0, true)]);
    assert_eq!((r.reason_of(&reading).label(), reading.evidence), ("未知", None));
}

#[test]
fn a_reasons_lexicon_is_checked_at_the_edge() {
    let err = |text: &str| with_reasons(text).err().unwrap_or_default();
    assert!(err(&REASONS.replace(r#"default = "未知""#, r#"default = "其他""#)).contains("default"));
    assert!(err(&REASONS.replace("缺货", "好看")).contains("'好看' is not an unpaid-reason category"));
    assert!(err(&REASONS.replace("stated_weight = 5.0", "stated_weight = 0.0")).contains("stated_weight"));
    // Nearness and stated weights belong to the reasons lexicon alone.
    let topics = LEXICON.replace("negation = true", "negation = true\nhalf_life_messages = 2.0");
    let e = Readers::parse_all([(&topics, "t"), (DEFAULT_INTENTS, "i"), (REASONS, "r")]).err().unwrap();
    assert!(e.contains("for the reasons lexicon only"), "{e}");
}

#[test]
fn a_message_marks_the_reason_lexicon_once_per_category() {
    let r = with_reasons(REASONS).unwrap();
    let rules = crate::detect::load(&Default::default()).unwrap();
    let tok = Tokenizer::new(rules.terms());
    let mut t = Tally::new(&r);
    t.reset();
    // 发货 3 + 几天 1 in one message: one mark of 4, spanning its strongest term; an agent's × agent_weight (1 here).
    let text = "几天发货";
    assert!(t.add(&r, text, &tok.cut(text), true, true, 7));
    assert_eq!(t.marks, [Mark { msg: 7, category: 0, weight: 4.0, start: 6, end: 12 }]);
    // The same text again from the same side adds nothing, and marks nothing.
    assert!(!t.add(&r, text, &tok.cut(text), true, false, 8));
    assert!(t.marks.is_empty());
}
