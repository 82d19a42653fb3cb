//! 千牛 transcripts: every layout, mixed, multi-line, GBK and CRLF, and the non-message lines counted by kind.

use super::*;

fn parse(text: &str) -> (Input, FileStats) {
    let mut input = Input::default();
    let st = parse_transcript(text, "transcripts/w1.txt", &Settings::default(), &mut input);
    (input, st)
}

fn messages(input: &Input) -> Vec<(String, &str, Sender, &str, &str)> {
    input
        .messages
        .iter()
        .map(|m| {
            let t = crate::timefmt::format_ts(m.ts);
            (t, input.name(m.agent), m.sender, input.name(m.customer), input.text(m))
        })
        .collect()
}

#[test]
fn each_line_on_its_own() {
    let w = |d: Option<(i64, i64, i64)>, secs: i64, s: bool| When { date: d, secs, has_seconds: s };
    let d = Some((2024, 1, 5));
    assert_eq!(
        classify("小美2024-1-5 9:05:03"),
        Line::Start { layout: "compact", name: "小美", receiver: None, when: w(d, 32703, true) }
    );
    assert_eq!(
        classify("tb_小太阳56 2024-01-05 09:05:03"),
        Line::Start { layout: "header", name: "tb_小太阳56", receiver: None, when: w(d, 32703, true) }
    );
    assert_eq!(
        classify("tb_小太阳562024-1-5 9:05"),
        Line::Start { layout: "compact", name: "tb_小太阳56", receiver: None, when: w(d, 32700, false) }
    );
    assert_eq!(
        classify("店:小美 --> tb_张三 2024-1-5 9:05:03"),
        Line::Start { layout: "arrow", name: "店:小美", receiver: Some("tb_张三"), when: w(d, 32703, true) }
    );
    assert_eq!(classify("2024年1月5日 09:05:03"), Line::Time(w(d, 32703, true)));
    assert_eq!(classify("09:05:03"), Line::Time(w(None, 32703, true)));
    assert_eq!(classify("———— 2024-01-05 ————"), Line::Date((2024, 1, 5)));
    assert_eq!(classify("已读"), Line::Notice(READ_MARK, None));
    assert_eq!(classify("对方撤回了一条消息"), Line::Notice(RECALL, None));
    assert_eq!(classify("店:小美 转交给 店:小雪"), Line::Notice(TRANSFER, Some(("店:小美", "店:小雪"))));
    assert_eq!(classify("会话已由小美转交给小雪"), Line::Notice(TRANSFER, Some(("小美", "小雪"))));
    assert_eq!(classify("当前用户来自 手机淘宝 商品详情页"), Line::Notice(SOURCE, None));
    assert_eq!(classify("---- 以上是历史消息 ----"), Line::Notice(HISTORY, None));
    assert_eq!(classify("以下为离线消息"), Line::Notice(OFFLINE, None));
    assert_eq!(classify("https://item.taobao.com/item.htm?id=123"), Line::Notice(CARD_LINK, None));
    assert_eq!(classify("这个链接 https://a.b 可以吗"), Line::Text("这个链接 https://a.b 可以吗"));
    assert_eq!(classify("我10:30到"), Line::Text("我10:30到"));
    assert_eq!(classify("亲，在的哦：好"), Line::Text("亲，在的哦：好"));
}

#[test]
fn the_four_layouts_in_one_file() {
    let text = "tb_张三\r\n2024-01-05 09:05:03\r\n在吗\r\n这件有货吗\r\n已读\r\n\r\n\
                店:服务助手 2024-01-05 09:05:05\r\n您好，我是智能助手\r\n\
                店:小美2024-1-5 9:05:43\r\n亲，在的哦~\r\n未读\r\n\r\n\
                tb_张三 --> 店:小美 2024-1-5 9:06:00\r\n好的\r\n";
    let (input, st) = parse(text);
    assert_eq!(
        messages(&input),
        [
            ("2024-01-05 09:05:03".into(), "店:小美", Sender::Customer, "tb_张三", "在吗\n这件有货吗"),
            ("2024-01-05 09:05:05".into(), "店:小美", Sender::Bot, "tb_张三", "您好，我是智能助手"),
            ("2024-01-05 09:05:43".into(), "店:小美", Sender::Agent, "tb_张三", "亲，在的哦~"),
            ("2024-01-05 09:06:00".into(), "店:小美", Sender::Customer, "tb_张三", "好的"),
        ]
    );
    assert_eq!((st.rows_read, st.rows_used, st.rows_skipped, st.rows_rejected), (6, 4, 2, 0));
    assert_eq!(st.skipped.get(READ_MARK), Some(&2));
    let layouts: Vec<(&str, u64)> = st.layouts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(layouts, [("arrow", 1), ("compact", 1), ("header", 1), ("standard", 1)]);
    assert_eq!(input.name(input.messages[0].conv), "w1");
    assert_eq!(input.name(input.messages[0].shop), "店");
}

/// A customer who writes at night is received by the agent on duty (named by the arrow), not by the morning
/// agent who writes first; after a transfer notice the customer talks to the new agent.
#[test]
fn receivers_from_arrows_and_transfer_notices() {
    let text = "tb_a --> 店:小琳 2026-11-01 00:37:19\nhello\n\
                店:店小蜜 2026-11-01 00:37:21\n亲，现在是非工作时间\n\
                店:小悦 2026-11-01 08:54:17\n早上好\n\
                店:小悦 转交给 店:小雪\n\
                tb_a 2026-11-01 08:55:00\n嗯\n\
                店:小雪 2026-11-01 08:55:30\n您好\n";
    let (input, st) = parse(text);
    let agents: Vec<&str> = input.messages.iter().map(|m| input.name(m.agent)).collect();
    assert_eq!(agents, ["店:小琳", "店:小琳", "店:小悦", "店:小雪", "店:小雪"]);
    assert_eq!(st.skipped.get(TRANSFER), Some(&1));
    let t = input.transfers[0];
    assert_eq!((input.name(t.from), input.name(t.to)), ("店:小悦", "店:小雪"));
    assert_eq!(crate::timefmt::format_ts(t.ts), "2026-11-01 08:54:17");
}

#[test]
fn notices_are_never_text_and_dates_carry_over() {
    let text = "———— 2024-01-05 ————\n\
                当前用户来自 手机淘宝\n\
                https://item.taobao.com/item.htm?id=1\n\
                tb_李四 09:00:00\n这个有货吗\nhttps://item.taobao.com/item.htm?id=1\n\
                以上是历史消息\n\
                店:小美 09:00:30\n有的\n对方撤回了一条消息\n\
                系统 2024-01-05 09:01:00\n店:小美 转交给 店:小雪\n";
    let (input, st) = parse(text);
    let texts: Vec<&str> = input.messages.iter().map(|m| input.text(m)).collect();
    assert_eq!(texts, ["这个有货吗", "有的"]);
    assert_eq!(crate::timefmt::format_ts(input.messages[1].ts), "2024-01-05 09:00:30");
    assert_eq!(st.rows_read, st.rows_used + st.rows_skipped);
    assert_eq!(st.rows_skipped, 7, "{:?}", st.skipped);
    assert_eq!(input.transfers.len(), 1);
}

/// A standard export without blank lines between messages, where the agent's lines are sometimes shown by
/// sub-account alone.
#[test]
fn standard_layout_without_blank_lines() {
    let text = "tb_张三\n2024-01-05 09:05:03\n在吗\n\
                店:小美\n2024-01-05 09:05:10\n在的亲\n\
                tb_张三\n2024-01-05 09:06:00\n发什么快递\n\
                小美\n2024-01-05 09:06:20\n中通哦\n";
    let (input, st) = parse(text);
    let got: Vec<(&str, Sender, &str)> =
        input.messages.iter().map(|m| (input.name(m.agent), m.sender, input.text(m))).collect();
    assert_eq!(
        got,
        [
            ("店:小美", Sender::Customer, "在吗"),
            ("店:小美", Sender::Agent, "在的亲"),
            ("店:小美", Sender::Customer, "发什么快递"),
            ("店:小美", Sender::Agent, "中通哦"),
        ]
    );
    assert_eq!(st.layouts.get("standard"), Some(&4));
}

#[test]
fn stray_text_and_agentless_files_are_rejected() {
    let (input, st) = parse("导出时间：昨天\ntb_李四 2026-11-11 10:00:00\n在吗\n");
    assert_eq!((st.rows_read, st.rows_used, st.rows_rejected), (2, 0, 2));
    assert_eq!(input.rejects[0].line, 1);
    assert!(input.rejects[1].reason.contains("no agent"));
    // A time with no date anywhere before it.
    let (input, st) = parse("店:小美 09:00:00\n您好\ntb_李四 09:00:05\n在\n");
    assert_eq!((st.rows_used, st.rows_rejected), (0, 2));
    assert!(input.rejects[0].reason.contains("without a date"));
    // Minute-only times are read, and counted.
    let (_, st) = parse("tb_李四 2026-11-11 10:00\n在吗\n店:小美 2026-11-11 10:01\n在的\n");
    assert_eq!((st.rows_used, st.minute_only_times), (2, 2));
}
