//! Property-based fuzzing (proptest) of everything that reads user files: the byte decoder, the CSV parsers of
//! messages, orders and after-sales, the transcript parser, rule loading, masking, and the whole pipeline on
//! generated hostile folders. Properties: no panic; every row is accounted for (read = used + rejected + outside the
//! period, one reject listed per rejected row); masking leaves no phone number behind.
//!
//! CI runs proptest's default 256 cases per parser property and 8 of the whole report. For a longer hunt:
//! `PROPTEST_CASES=2000 cargo test --release --test fuzz` (about 11 minutes on two cores, nearly all of it the
//! whole-report property, which then also runs 2000 cases). A failing case is shrunk by proptest and printed;
//! it becomes a case of `tests/corpus/` or a unit test, and proptest keeps its seed under
//! `tests/fuzz.proptest-regressions` (committed) so it is replayed first on every run.

use kefu::ingest::{self, decode::decode, qianniu::parse_transcript};
use kefu::model::Input;
use kefu::{Settings, mask};
use proptest::prelude::*;

/// Field values that have broken CSV readers and date code elsewhere.
const NASTY: &[&str] = &[
    "",
    " ",
    "\"",
    "\"\"",
    "a\"b",
    ",",
    "\n",
    "\r\n",
    "\0",
    "😀👍🏻",
    "\u{200b}\u{202e}",
    "买家",
    "客服",
    "机器人",
    "系统",
    "customer",
    "agent",
    "bot",
    "system",
    "AGENT",
    "小店:小美",
    "tb_张三",
    "13912345678",
    "110101199003071234",
    "北京市朝阳区建国路88号",
    "2026-11-11 10:00:00",
    "2026/11/11 10:00",
    "2026-11-11T02:00:12Z",
    "2026-11-11T10:00:00+08:00",
    "9999-12-31 23:59:59",
    "0001-01-01 00:00:00",
    "1970-01-01 00:00:00",
    "2026-02-29 10:00:00",
    "2024-02-29 10:00:00",
    "-1",
    "1e308",
    "NaN",
    "¥1,299.00",
    "0",
    "1",
    "亲，一定明天发货，包邮的哦",
    "你们是骗子吧，我要投诉，退款",
    "有没有发票",
    "[订单x]",
];

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(NASTY).prop_map(str::to_string),
        1 => ".{0,12}",
        1 => "[0-9 :/TZ+-]{0,25}",
    ]
}

fn csv_cell(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v.to_string() }
}

/// A CSV text with the given header and rows of random fields (sometimes too few or too many, sometimes raw).
fn csv_text(header: &'static str) -> impl Strategy<Value = String> {
    let width = header.split(',').count();
    prop::collection::vec((prop::collection::vec(field(), 0..width + 2), any::<bool>()), 0..12).prop_map(move |rows| {
        let mut t = format!("{header}\n");
        for (cells, quote) in rows {
            let cells: Vec<String> = cells.iter().map(|c| if quote { csv_cell(c) } else { c.clone() }).collect();
            t.push_str(&cells.join(","));
            t.push('\n');
        }
        t
    })
}

/// A row that is mostly valid, with hostile values where the format allows them (extreme years, PII in ids,
/// any text), so the fuzzing reaches sessions, rules, metrics, charts and the page, not only the parser.
fn valid_ish_row(columns: &'static [&'static [&'static str]]) -> impl Strategy<Value = String> {
    columns
        .iter()
        .map(|pool| prop_oneof![6 => prop::sample::select(*pool).prop_map(str::to_string), 1 => field()])
        .collect::<Vec<_>>()
        .prop_map(|cells| cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","))
}

const TIMES: &[&str] = &[
    "2026-11-11 10:00:00",
    "2026-11-11 10:00:19",
    "2026-11-11 10:00:21",
    "2026-11-11 10:45:00",
    "2026-11-11 23:59:59",
    "2026-11-12 00:00:00",
    "2026/11/11 10:01",
    "2026-11-11T02:00:12Z",
    "9999-12-31 23:59:59",
    "0001-01-01 00:00:00",
    "1970-01-01 00:00:00",
    "2024-02-29 12:00:00",
];
const MESSAGE_POOLS: &[&[&str]] = &[
    &["c1", "c2", "", "13912345678"],
    TIMES,
    &["小店", "", "店13912345678"],
    &["tb_张三", "tb_李四", "13912345678", "😀"],
    &["小店:小美", "小店:小丽", "小店:13912345678"],
    &["customer", "customer", "agent", "agent", "bot", "system", "买家", "客服"],
    NASTY,
    &["", "", "o1", "o2"],
];
const ORDER_POOLS: &[&[&str]] = &[
    &["o1", "o2", "o3"],
    &["tb_张三", "tb_李四", "13912345678"],
    &["小店", ""],
    TIMES,
    &["", "", "2026-11-11 10:30:00", "9999-12-31 23:59:59"],
    &["99", "0", "¥1,299.00", "1e308"],
    &["", "小店:小美"],
];
const CASE_POOLS: &[&[&str]] = &[
    &["k1", "k2"],
    &["o1", "o9", ""],
    &["tb_张三", "13912345678", ""],
    &["小店:售后", "小店:小美"],
    &["仅退款", "退货退款", "换货", "投诉"],
    NASTY,
    TIMES,
    &["", "2026-11-12 10:00:00", "9999-12-31 23:59:59"],
    &["0", "20", "1e308"],
    &["0", "1"],
];

fn valid_ish_csv(header: &'static str, pools: &'static [&'static [&'static str]]) -> impl Strategy<Value = String> {
    prop::collection::vec(valid_ish_row(pools), 0..25).prop_map(move |rows| format!("{header}\n{}\n", rows.join("\n")))
}

const MESSAGES: &str = "conversation_id,timestamp,shop,customer_id,agent_id,sender,text,order_id";
const ORDERS: &str = "order_id,customer_id,shop,created_at,paid_at,amount,agent_id";
const CASES: &str =
    "case_id,order_id,customer_id,agent_id,type,reason,opened_at,closed_at,refund_amount,platform_intervened";

fn accounted(input: &Input, stats: &kefu::model::FileStats, rejects_before: usize) {
    assert_eq!(
        stats.rows_read,
        stats.rows_used + stats.rows_rejected + stats.rows_out_of_period + stats.rows_skipped,
        "{stats:?}"
    );
    assert_eq!(stats.rows_skipped, stats.skipped.values().sum::<u64>(), "{stats:?}");
    assert_eq!((input.rejects.len() - rejects_before) as u64, stats.rows_rejected);
}

proptest! {
    #[test]
    fn decoding_any_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let d = decode(bytes.clone());
        // Valid UTF-8 (without a BOM) is taken as it is.
        if let Ok(s) = std::str::from_utf8(&bytes)
            && !s.starts_with('\u{feff}')
        {
            prop_assert_eq!(d.text, s);
        }
    }

    #[test]
    fn messages_csv_rows_are_all_accounted_for(text in csv_text(MESSAGES)) {
        let settings = Settings::default();
        let mut input = Input::default();
        if let Ok(stats) = ingest::parse_messages_csv(&text, "messages.csv", &settings, &mut input) {
            accounted(&input, &stats, 0);
            prop_assert_eq!(input.messages.len() as u64, stats.rows_used);
        }
    }

    #[test]
    fn any_text_as_messages_csv_never_panics(text in "(?s).{0,300}") {
        let mut input = Input::default();
        if let Ok(stats) = ingest::parse_messages_csv(&text, "messages.csv", &Settings::default(), &mut input) {
            accounted(&input, &stats, 0);
        }
    }

    #[test]
    fn orders_and_cases_rows_are_all_accounted_for(orders in csv_text(ORDERS), cases in csv_text(CASES)) {
        let settings = Settings::default();
        let mut input = Input::default();
        if let Ok(stats) = ingest::parse_orders_csv(&orders, "orders.csv", &settings, &mut input) {
            accounted(&input, &stats, 0);
        }
        let before = input.rejects.len();
        if let Ok(stats) = ingest::parse_aftersales_csv(&cases, "aftersales.csv", &settings, &mut input) {
            accounted(&input, &stats, before);
        }
    }

    #[test]
    fn transcripts_rows_are_all_accounted_for(
        lines in prop::collection::vec(prop_oneof![
            2 => (prop::sample::select(&["tb_张三", "小店:小美", "系统", "小店：小丽", "x y", "店:店小蜜"][..]), field())
                .prop_map(|(n, t)| format!("{n} {t}")),
            1 => (prop::sample::select(&["tb_张三", "小店:小美 --> tb_张三", "店:服务助手"][..]),
                  prop::sample::select(&["2026-1-5 9:05:03", "2026-11-11 10:00", "09:05:03", "2026-11-11 10:00:00"][..]))
                .prop_map(|(n, t)| format!("{n}{t}")),
            1 => prop::sample::select(&["已读", "未读", "", "以上是历史消息", "小店:小美 转交给 小店:小丽",
                                         "对方撤回了一条消息", "2026-11-11", "https://item.taobao.com/x"][..])
                .prop_map(String::from),
            1 => field(),
        ], 0..15)
    ) {
        let mut input = Input::default();
        let stats = parse_transcript(&lines.join("\n"), "transcripts/w.txt", &Settings::default(), &mut input);
        accounted(&input, &stats, 0);
    }

    #[test]
    fn rule_files_load_or_fail_with_a_message(
        rules in prop::collection::vec(
            (prop::sample::select(&["id", "name", "category", "speaker", "kind", "terms", "regex", "window",
                                    "points", "money", "unknown_field", "question_guard", "negation_guard"][..]),
             prop_oneof![
                 field().prop_map(|v| format!("{v:?}")),
                 prop::collection::vec(field(), 0..3).prop_map(|v| format!("{v:?}")),
                 any::<i64>().prop_map(|n| n.to_string()),
                 Just("[\"@phone\", \"(\"]".to_string()),
                 Just("true".to_string()),
             ]),
            0..8),
    ) {
        let text = format!(
            "[[rule]]\n{}",
            rules.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join("\n")
        );
        match kefu::detect::rules::parse(&text, "fuzz.toml") {
            Ok(defs) => {
                let _ = kefu::detect::RuleSet::compile(defs);
            }
            Err(e) => prop_assert!(e.contains("fuzz.toml"), "{}", e),
        }
    }

    #[test]
    fn masking_leaves_no_phone_number(
        prefix in "(.{0,20}[^0-9])?",
        sep in "[^0-9]{1,2}",
        suffix in "([^0-9].{0,20})?",
    ) {
        // Delimited by anything but digits (inside a longer number it is no phone number).
        let text = format!("{prefix}13912345678{sep}15800001111{suffix}");
        let masked = mask::mask(&text);
        prop_assert!(!masked.contains("13912345678") && !masked.contains("15800001111"), "{}", masked);
        let i = text.find("1391").unwrap();
        let e = mask::excerpt(&text, (i, i + 4), 5);
        prop_assert!(!e.contains("2345678") && !e.contains("0001111"), "{}", e);
    }
}

proptest! {
    // The whole pipeline is slower (it loads the dictionary): fewer cases.
    // The whole pipeline takes about 0.35 s a case (dictionary, charts, page): a 32nd of the default 256 cases.
    // PROPTEST_CASES, when set, overrides this too.
    #![proptest_config(ProptestConfig { cases: ProptestConfig::default().cases / 32, ..ProptestConfig::default() })]

    #[test]
    fn the_whole_report_survives_hostile_folders(
        messages in valid_ish_csv(MESSAGES, MESSAGE_POOLS),
        orders in valid_ish_csv(ORDERS, ORDER_POOLS),
        cases in valid_ish_csv(CASES, CASE_POOLS),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        std::fs::create_dir_all(&input).unwrap();
        std::fs::write(input.join("messages.csv"), &messages).unwrap();
        std::fs::write(input.join("orders.csv"), &orders).unwrap();
        std::fs::write(input.join("aftersales.csv"), &cases).unwrap();
        let opts = kefu::pipeline::ReportOptions {
            out: tmp.path().join("out"),
            queries: None,
            excel: false,
            xlsx: true,
            progress: kefu::progress::Progress::hidden(),
        };
        if let Ok(summary) = kefu::pipeline::report(&input, &Settings::default(), &opts) {
            let r = &summary.rows;
            prop_assert_eq!(r.read, r.used + r.rejected + r.out_of_period + r.duplicates + r.skipped);
        }
    }
}
