//! Ingest: canonical CSVs, duplicates, rejects and the reading of a whole folder.

use super::*;
use crate::model::{CaseKind, Sender, Ts};

fn parse(text: &str) -> (Input, FileStats) {
    let mut input = Input::default();
    let stats = parse_messages_csv(text, "messages.csv", &Settings::default(), &mut input).unwrap();
    (input, stats)
}

#[test]
fn a_reject_is_numbered_by_its_own_line() {
    // CRLF (Excel on Windows) and a blank line before the bad row; once quote-free, once through the csv crate.
    for text in [
        "会话ID,时间,买家,客服,发送方,内容\r\nc1,2026-11-11 10:00:00,u,a,买家,在吗\r\n\r\nc1,坏时间,u,a,买家,在吗\r\n",
        "会话ID,时间,买家,客服,发送方,内容\r\nc1,2026-11-11 10:00:00,u,a,买家,在吗\r\n\r\nc1,坏时间,u,a,买家,\"在,吗\"\r\n",
    ] {
        let (input, _) = parse(text);
        let r = &input.rejects[0];
        assert_eq!(r.line, 4, "{text:?}");
        assert!(r.raw.starts_with("c1,坏时间,"), "{:?}", r.raw);
    }
}

#[test]
fn repeats_are_dropped_and_the_first_is_kept() {
    let row = |ts: &str, text: &str| format!("c1,2026-11-11 10:00:{ts},店,买家A,小美,买家,{text}\n");
    let text = format!(
        "会话ID,时间,店铺,买家,客服,发送方,内容\n{}{}{}{}{}{}",
        row("00", "在吗"),
        row("00", "在吗"),
        row("00", "在吗?"),
        row("01", "在吗"),
        row("00", "在吗"),
        row("02", "有货吗")
    );
    let (mut input, stats) = parse(&text);
    input.files.push(stats);
    drop_duplicate_messages(&mut input, &[(0, 0..6)]);
    let kept: Vec<(Ts, &str)> = input.messages.iter().map(|m| (m.ts % 60, input.text(m))).collect();
    assert_eq!(kept, vec![(0, "在吗"), (0, "在吗?"), (1, "在吗"), (2, "有货吗")]);
    assert_eq!((input.files[0].rows_used, input.files[0].rows_duplicate), (4, 2));
}

#[test]
fn chinese_headers_quotes_and_newlines() {
    let text = "会话ID,时间,店铺,买家,客服,发送方,内容\n\
                c1,2026-11-11 10:00:00,小店,tb_张三,小店:小美,买家,\"你好，在吗\n有货吗\"\"?\"\"\"\n\
                c1,2026/11/11 10:00:09,小店,tb_张三,小店:小美,客服,\"亲, 在的哦~\"\n";
    let (input, stats) = parse(text);
    assert_eq!((stats.rows_read, stats.rows_used, stats.rows_rejected), (2, 2, 0));
    assert_eq!(input.text(&input.messages[0]), "你好，在吗\n有货吗\"?\"");
    assert_eq!(input.text(&input.messages[1]), "亲, 在的哦~");
    assert_eq!(input.messages[1].sender, Sender::Agent);
    assert_eq!(input.messages[1].ts - input.messages[0].ts, 9);
    assert_eq!(input.name(input.messages[0].agent), "小店:小美");
}

#[test]
fn bad_rows_are_rejected_with_line_and_reason() {
    let text = "timestamp,customer_id,agent_id,sender,text\n\
                2026-11-11 10:00:00,c,a,customer,ok\n\
                not a time,c,a,customer,x\n\
                2026-11-11 10:00:00,c,a,robot,x\n\
                2026-11-11 10:00:00,,a,customer,x\n\
                2026-11-11 10:00:00,c,a,customer\n\
                \n\
                2026-11-11 10:00:01,c,a,agent,\"two\nlines\"\n\
                2026-11-11 10:00:00,c,a,agent,x,extra\n";
    let (input, stats) = parse(text);
    assert_eq!((stats.rows_read, stats.rows_used, stats.rows_rejected), (7, 2, 5));
    let got: Vec<(u64, &str)> = input.rejects.iter().map(|r| (r.line, r.reason.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (3, "unparseable timestamp 'not a time'"),
            (4, "unknown sender 'robot'"),
            (5, "missing customer_id"),
            (6, "expected 5 fields, found 4"),
            (10, "expected 5 fields, found 6"),
        ]
    );
    assert_eq!(input.rejects[1].raw, "2026-11-11 10:00:00,c,a,robot,x");
}

#[test]
fn missing_required_column_fails_the_file() {
    let mut input = Input::default();
    let e = parse_messages_csv("timestamp,text\n", "messages.csv", &Settings::default(), &mut input).unwrap_err();
    assert!(e.contains("customer_id") && e.contains("sender"), "{e}");
    let e = parse_messages_csv("", "messages.csv", &Settings::default(), &mut input).unwrap_err();
    assert!(e.contains("empty"), "{e}");
}

#[test]
fn tab_and_semicolon_delimiters() {
    for d in ["\t", ";"] {
        let text = format!(
            "timestamp{d}customer_id{d}agent_id{d}sender{d}text\n2026-11-11 10:00:00{d}c{d}a{d}customer{d}hi, there\n"
        );
        let (input, stats) = parse(&text);
        assert_eq!(stats.rows_used, 1, "{d:?}");
        assert_eq!(input.text(&input.messages[0]), "hi, there");
    }
}

#[test]
fn conversation_defaults_to_shop_customer_agent() {
    let text = "timestamp,shop,customer_id,agent_id,sender,text\n\
                2026-11-11 10:00:00,s,c,a,customer,x\n2026-11-11 10:00:00,s,c,b,customer,x\n\
                2026-11-11 10:00:00,s,c,a,agent,x\n";
    let (input, _) = parse(text);
    let convs: Vec<u32> = input.messages.iter().map(|m| m.conv).collect();
    assert_eq!(convs[0], convs[2]);
    assert_ne!(convs[0], convs[1]);
    assert_eq!(input.name(convs[0]), "s/c/a");
}

#[test]
fn period_filter_counts_rows_out() {
    let text = "timestamp,customer_id,agent_id,sender,text\n\
                2026-11-10 23:59:59,c,a,customer,x\n2026-11-11 00:00:00,c,a,customer,x\n";
    let mut input = Input::default();
    let ov = crate::config::Overrides { from: Some("2026-11-11".into()), ..Default::default() };
    let s = Settings::resolve(Default::default(), &ov, "t".into()).unwrap();
    let stats = parse_messages_csv(text, "m", &s, &mut input).unwrap();
    assert_eq!((stats.rows_read, stats.rows_used, stats.rows_out_of_period), (2, 1, 1));
}

#[test]
fn orders_and_cases() {
    let mut input = Input::default();
    let s = Settings::default();
    let orders = "订单号,买家,店铺,下单时间,付款时间,实付金额\n\
                  o1,c,s,2026-11-11 10:00:00,2026-11-11 10:05:00,\"¥1,299.00\"\n\
                  o2,c,s,2026-11-11 11:00:00,,59\n\
                  o1,c,s,2026-11-11 10:00:00,,1\n\
                  o3,c,s,2026-11-11 11:00:00,2026-11-11 10:00:00,5\n";
    let st = parse_orders_csv(orders, "orders.csv", &s, &mut input).unwrap();
    assert_eq!((st.rows_used, st.rows_rejected), (2, 2));
    assert_eq!(input.orders[0].amount, 1299.0);
    assert_eq!(input.orders[1].paid, None);
    // A missing payment time written as exports write it is no time: the order is unpaid, not a reject.
    let dashes = "order_id,customer_id,created_at,paid_at,amount\no4,c,2026-11-11 10:00:00,-,1\n\
                  o5,c,2026-11-11 10:00:00,0000-00-00 00:00:00,1\no6,c,2026-11-11 10:00:00,NULL,1\n";
    let st = parse_orders_csv(dashes, "orders2.csv", &s, &mut input).unwrap();
    assert_eq!((st.rows_used, st.rows_rejected), (3, 0));
    assert!(input.orders[2..].iter().all(|o| o.paid.is_none()));
    let cases = "case_id,order_id,customer_id,agent_id,type,reason,opened_at,closed_at,refund_amount,platform_intervened\n\
                 k1,o1,c,s:售后,仅退款,不想要了,2026-11-12 10:00:00,2026-11-12 18:00:00,99.5,0\n\
                 k2,o1,c,s:售后,投诉,态度差,2026-11-12 10:00:00,,,是\n\
                 k3,o1,c,s:售后,退款,x,2026-11-12 10:00:00,,,maybe\n";
    let st = parse_aftersales_csv(cases, "aftersales.csv", &s, &mut input).unwrap();
    assert_eq!((st.rows_used, st.rows_rejected), (2, 1));
    assert_eq!(input.cases[0].kind, CaseKind::RefundOnly);
    assert!(input.cases[1].intervened && input.cases[1].closed.is_none());
}

/// The Taobao order export and the Tmall refund export, with their own headers and values.
#[test]
fn platform_exports() {
    let mut input = Input::default();
    let s = Settings::default();
    let orders = "订单编号,买家会员名,店铺名称,订单创建时间,订单付款时间,总金额,买家实际支付金额,订单状态\n\
                  =\"2084938472938472938\",tb_张三,小店,2026-11-11 10:00:00,2026-11-11 10:05:00,99.00,89.00,交易成功\n\
                  2.08494E+18,tb_李四,小店,2026-11-11 10:00:00,,59.00,59.00,等待买家付款\n\
                  2084938472938472939,tb_王五,小店,2026-11-11 10:00:00,,59.00,59.00,交易关闭\n";
    let st = parse_orders_csv(orders, "ExportOrderList.csv", &s, &mut input).unwrap();
    assert_eq!((st.rows_used, st.rows_rejected), (2, 1));
    assert!(input.rejects[0].reason.contains("scientific notation"), "{:?}", input.rejects[0]);
    assert_eq!(input.name(input.orders[0].id), "2084938472938472938");
    assert_eq!(input.orders[0].amount, 89.0);
    assert_eq!(input.name(input.orders[1].status), "交易关闭");
    assert_eq!(input.orders[1].paid, None, "unpaid: no payment time, whatever the status");
    // An order credited to a shop robot is credited through the chat.
    let robot = "订单编号,买家会员名,订单创建时间,订单付款时间,买家实际支付金额,成交客服\n\
                 9,tb_张三,2026-11-11 10:00:00,,1,小店:店小蜜\n10,tb_张三,2026-11-11 10:00:00,,1,小店:小美\n";
    parse_orders_csv(robot, "o.csv", &s, &mut input).unwrap();
    let agents: Vec<&str> = input.orders[2..].iter().map(|o| input.name(o.agent)).collect();
    assert_eq!(agents, ["", "小店:小美"]);
    let refunds = "退款编号,订单编号,买家会员名称,审核操作人,是否需要退货,买家退款原因,退款的申请时间,退款完结时间,买家退款金额,客服介入状态,退款状态\n\
                   r1,2084938472938472938,tb_张三,小店:售后,是,七天无理由,2026-11-12 10:00:00,2026-11-13 10:00:00,89.00,客服介入中,退款成功\n\
                   r2,2084938472938472938,tb_张三,小店:售后,否,不想要了,2026-11-12 10:00:00,,10.00,无,退款关闭\n";
    let st = parse_aftersales_csv(refunds, "ExportRefundList.csv", &s, &mut input).unwrap();
    assert_eq!((st.rows_used, st.rows_rejected), (2, 0));
    let kinds: Vec<(CaseKind, bool)> = input.cases.iter().map(|c| (c.kind, c.intervened)).collect();
    assert_eq!(kinds, [(CaseKind::ReturnRefund, true), (CaseKind::RefundOnly, false)]);
}

#[test]
fn texts_beyond_what_one_run_holds_are_refused_not_wrapped() {
    let dir = Path::new("shop");
    assert!(within_text_limit(dir, crate::model::TEXT_LIMIT).is_ok());
    let err = within_text_limit(dir, crate::model::TEXT_LIMIT + 1).unwrap_err().to_string();
    assert!(err.contains("4 GiB") && err.contains("--partial"), "{err}");
}

/// What a folder's reading left in an input, in a form to compare (ids by number and name).
fn read_contents(i: &Input) -> String {
    let names: Vec<&str> = i.names.all().collect();
    format!(
        "{names:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        i.messages, i.text, i.orders, i.cases, i.ratings, i.rejects, i.files, i.transfers, i.unread
    )
}

/// A folder whose orders, after-sales and ratings files hold what reading them must get right: ids the messages
/// also hold and new ones, a repeated order and case id (the repeat is a reject), rows that cannot be used, rows
/// outside the period.
fn folder_with_side_tables(dir: &Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write(
        "messages.csv",
        "conversation_id,timestamp,shop,customer_id,agent_id,sender,text,order_id\n\
         c1,2026-11-11 10:00:00,店,tb_甲,店:小美,customer,在吗,\n\
         c1,2026-11-11 10:00:10,店,tb_甲,店:小美,agent,在的亲,o1\n\
         c2,2026-11-12 09:00:00,店,tb_乙,店:小王,customer,发货了吗,\n",
    );
    write(
        "orders.csv",
        "order_id,customer_id,shop,created_at,paid_at,amount,agent_id\n\
         o1,tb_甲,店,2026-11-11 10:05:00,2026-11-11 10:06:00,99.00,店:小美\n\
         o2,tb_丙,店,2026-11-11 11:00:00,,59.00,\n\
         o1,tb_甲,店,2026-11-11 10:05:00,,1.00,\n\
         o3,tb_丁,店,坏时间,,5.00,\n\
         o4,tb_戊,店,2026-10-01 10:00:00,,5.00,\n\
         o5,tb_乙,店,2026-11-12 10:00:00,2026-11-12 10:01:00,20.00,店:小王\n",
    );
    write(
        "aftersales.csv",
        "case_id,order_id,customer_id,agent_id,type,reason,opened_at,closed_at,refund_amount,platform_intervened\n\
         k1,o1,tb_甲,店:售后,仅退款,不想要了,2026-11-12 10:00:00,,99,0\n\
         k1,o1,tb_甲,店:售后,仅退款,不想要了,2026-11-12 10:00:00,,99,0\n\
         k2,o5,tb_乙,店:新售后,退货退款,尺码不对,2026-11-13 10:00:00,,20,1\n",
    );
    write(
        "ratings.csv",
        "customer_id,agent_id,rated_at,rating\n\
         tb_甲,店:小美,2026-11-11 12:00:00,5\n\
         tb_乙,,2026-11-12 12:00:00,很不满意\n\
         tb_己,店:小新,2026-11-12 13:00:00,六星\n",
    );
}

/// The orders, after-sales and ratings files read on their own beside the messages, and appended in their turn,
/// give the input that reading every file in turn gives: the same ids in the same numbering, rows,
/// rejects and counts. Under `--pseudonymize` and a period too.
#[test]
fn files_read_beside_the_messages_read_as_in_turn() {
    let dir = tempfile::tempdir().unwrap();
    folder_with_side_tables(dir.path());
    let mut settings = Settings::default();
    for (pseudonyms, from) in [(false, None), (true, chrono::NaiveDate::from_ymd_opt(2026, 11, 1))] {
        settings.pseudonym_key =
            pseudonyms.then(|| crate::pseudonym::Pseudonymizer::new("a key of sixteen or more").unwrap());
        settings.from = from;
        let entries = scan(dir.path(), &settings).unwrap();
        let apart = read_beside_messages(&entries);
        assert_eq!(apart.iter().filter(|a| **a).count(), 3, "orders, after-sales and ratings");
        let beside = read_files(&settings, &entries, &apart).unwrap().input;
        let in_turn = read_files(&settings, &entries, &vec![false; entries.len()]).unwrap().input;
        assert_eq!(read_contents(&beside), read_contents(&in_turn));
        // The folder's rows are all there: the repeats and the bad rows rejected, the old order out of the period.
        let counts = |t: &str| {
            let f = beside.files.iter().find(|f| f.table == t).unwrap();
            (f.rows_used, f.rows_rejected)
        };
        let used = if from.is_some() { 3 } else { 4 };
        assert_eq!((counts("orders"), counts("aftersales"), counts("ratings")), ((used, 2), (2, 1), (2, 1)));
        assert_eq!(beside.orders.len(), used as usize);
    }
    // And through `load_input`, whichever way it reads them.
    let read = load_input(dir.path(), &settings).unwrap();
    assert_eq!(read.orders.len(), 3);
}

/// A file is read beside the messages only when no other file of the folder may hold its table.
#[test]
fn a_table_that_two_files_may_hold_is_read_in_turn() {
    let apart = |extra: &str| {
        let d = tempfile::tempdir().unwrap();
        folder_with_side_tables(d.path());
        if !extra.is_empty() {
            std::fs::write(d.path().join(extra), "x").unwrap();
        }
        let entries = scan(d.path(), &Settings::default()).unwrap();
        let mut names: Vec<String> = entries
            .iter()
            .zip(read_beside_messages(&entries))
            .filter(|(_, a)| *a)
            .map(|(e, _)| e.name.clone())
            .collect();
        names.sort();
        names
    };
    assert_eq!(apart(""), ["aftersales.csv", "orders.csv", "ratings.csv"]);
    // A workbook named after a table, or a file whose table shows only once opened: that table is read in turn.
    assert_eq!(apart("orders.xlsx"), ["aftersales.csv", "ratings.csv"]);
    assert!(apart("export.csv").is_empty());
    assert!(apart("export.xlsx").is_empty());
    // Transcripts and other files hold no orders.
    assert_eq!(apart("notes.pdf").len(), 3);
}
