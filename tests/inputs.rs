//! Input handling end to end through the binary: encodings, header styles, transcripts, rejects, failures,
//! and the real JDDC chat sample.

mod common;
use common::*;
use std::path::Path;

const CHINESE: &str = "会话ID,时间,店铺,买家,客服,发送方,内容,订单号\n\
    c1,2026-11-11 10:00:00,小店,tb_张三,小店:小美,买家,\"在吗，这件有货吗？\",\n\
    c1,2026-11-11 10:00:02,小店,tb_张三,小店:小美,机器人,您好，客服马上来~,\n\
    c1,2026-11-11 10:00:12,小店,tb_张三,小店:小美,客服,\"亲，在的哦, 有货\",\n\
    c1,2026-11-11 10:01:00,小店,tb_张三,小店:小美,买家,好的,\n\
    c1,2026-11-11 10:01:30,小店,tb_张三,小店:小美,客服,感谢支持~,\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Runs the report on a folder and returns the scorecard row of 小店:小美.
fn scorecard_of(dir: &Path) -> Row {
    kefu_ok(dir, &["report", "in", "--out", "out", "--quiet"]);
    let card = read_csv(&dir.join("out/agent_scorecard.csv"));
    assert_eq!(card.len(), 1, "{card:?}");
    card.into_iter().next().unwrap()
}

#[test]
fn utf8_bom_and_gb18030_give_the_same_figures() {
    let mut rows = Vec::new();
    for (name, bytes) in [
        ("utf8", CHINESE.as_bytes().to_vec()),
        ("bom", [b"\xEF\xBB\xBF".as_slice(), CHINESE.as_bytes()].concat()),
        ("gb18030", encoding_rs::GB18030.encode(CHINESE).0.into_owned()),
    ] {
        let tmp = tempdir();
        write(tmp.path(), "in/messages.csv", &bytes);
        let r = scorecard_of(tmp.path());
        assert_eq!(r["agent_id"], "小店:小美", "{name}");
        rows.push(r);
    }
    assert!(rows.iter().all(|r| *r == rows[0]));
    let r = &rows[0];
    // Two turns: 12 s (the bot reply does not stop the clock) and 30 s.
    assert_eq!((num(r, "turns"), num(r, "avg_response_secs"), num(r, "within_target_rate")), (2.0, 21.0, 0.5));
    assert_eq!(num(r, "qa_ratio"), 1.0);
}

#[test]
fn transcripts_parse_into_the_same_table() {
    let tmp = tempdir();
    let t = "tb_张三 2026-11-11 10:00:00\n在吗，这件有货吗？\n\
             小店:小美 2026-11-11 10:00:02\n[自动回复]您好，客服马上来~\n\
             小店:小美 2026-11-11 10:00:12\n亲，在的哦, 有货\n\
             tb_张三 2026-11-11 10:01:00\n好的\n\
             小店:小美 2026-11-11 10:01:30\n感谢支持~\n";
    write(tmp.path(), "in/transcripts/window1.txt", t.as_bytes());
    let r = scorecard_of(tmp.path());
    assert_eq!((num(&r, "turns"), num(&r, "avg_response_secs")), (2.0, 21.0));
    let sessions = read_csv(&tmp.path().join("out/sessions.csv"));
    assert_eq!(sessions[0]["bot_messages"], "1");
}

/// The case of issue 26 in the header layout: the shop robot (店铺:服务助手) replies in 2 s, a person in 40 s. The
/// robot neither answers the turn nor owns it, and is no agent; the same holds in a table with the robot as 客服.
#[test]
fn a_shop_robot_in_the_header_layout_is_no_agent() {
    let t = "tb_张三 2026-11-11 10:00:00\n在吗\n\
             店铺:服务助手 2026-11-11 10:00:02\n您好，我是智能助手\n\
             店铺:小美 2026-11-11 10:00:40\n亲，在的\n";
    let csv = "时间,店铺,买家,客服,发送方,内容\n\
               2026-11-11 10:00:00,店铺,tb_张三,店铺:服务助手,买家,在吗\n\
               2026-11-11 10:00:02,店铺,tb_张三,店铺:服务助手,客服,您好，我是智能助手\n\
               2026-11-11 10:00:40,店铺,tb_张三,店铺:小美,客服,亲，在的\n";
    for (name, bytes) in [("in/transcripts/w.txt", t), ("in/messages.csv", csv)] {
        let tmp = tempdir();
        write(tmp.path(), name, bytes.as_bytes());
        kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
        let card = read_csv(&tmp.path().join("out/agent_scorecard.csv"));
        assert_eq!(card.len(), 1, "{name}: {card:?}");
        let r = &card[0];
        assert_eq!(r["agent_id"], "店铺:小美", "{name}");
        assert_eq!((num(r, "turns"), num(r, "avg_response_secs")), (1.0, 40.0), "{name}");
        let sessions = read_csv(&tmp.path().join("out/sessions.csv"));
        assert_eq!((sessions[0]["agent_id"].as_str(), sessions[0]["bot_messages"].as_str()), ("店铺:小美", "1"));
    }
}

/// kefu.toml's `bots` adds robot names: the shop's own helper account is then no agent.
#[test]
fn bots_named_in_kefu_toml_are_bots() {
    let csv = "会话ID,时间,店铺,买家,客服,发送方,内容\n\
               c1,2026-11-11 10:00:00,店铺,tb_张三,店铺:小美,买家,在吗\n\
               c1,2026-11-11 10:00:03,店铺,tb_张三,店铺:小助手,客服,您好，欢迎光临\n\
               c1,2026-11-11 10:00:30,店铺,tb_张三,店铺:小美,客服,亲，在的\n";
    let tmp = tempdir();
    write(tmp.path(), "in/messages.csv", csv.as_bytes());
    let agents = |tmp: &Path| -> Vec<(String, String)> {
        kefu_ok(tmp, &["report", "in", "--out", "out", "--quiet"]);
        let card = read_csv(&tmp.join("out/agent_scorecard.csv"));
        card.iter().map(|r| (r["agent_id"].clone(), r["avg_response_secs"].clone())).collect()
    };
    // Without the setting the helper is an agent who answered in 3 s.
    assert_eq!(agents(tmp.path()), [("店铺:小助手".into(), String::new()), ("店铺:小美".into(), "3.000".into())]);
    write(tmp.path(), "in/kefu.toml", "bots = [\"店铺:小助手\"]\n".as_bytes());
    assert_eq!(agents(tmp.path()), [("店铺:小美".to_string(), "30.000".to_string())]);
}

#[test]
fn bad_rows_go_to_rejects_and_the_sums_add_up() {
    let tmp = tempdir();
    let text = format!(
        "{CHINESE}c2,yesterday,小店,tb_李四,小店:小美,买家,x,\n\
         c2,2026-11-11 11:00:00,小店,tb_李四,小店:小美,老板,x,\n\
         c2,2026-11-11 11:00:00,小店,,小店:小美,买家,x,\n\
         c2,2026-11-11 11:00:00,小店\n"
    );
    write(tmp.path(), "in/messages.csv", text.as_bytes());
    write(
        tmp.path(),
        "in/orders.csv",
        "order_id,customer_id,shop,created_at,paid_at,amount\no1,tb_张三,s,2026-11-11 10:05:00,,99\no2,x,s,bad,,1\n"
            .as_bytes(),
    );
    let out = kefu_ok(tmp.path(), &["report", "in", "--out", "out"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rejected 5") && stderr.contains("rejects.csv"), "{stderr}");
    let rejects = read_csv(&tmp.path().join("out/rejects.csv"));
    let got: Vec<(&str, &str)> = rejects.iter().map(|r| (r["file"].as_str(), r["line"].as_str())).collect();
    assert_eq!(
        got,
        [
            ("messages.csv", "7"),
            ("messages.csv", "8"),
            ("messages.csv", "9"),
            ("messages.csv", "10"),
            ("orders.csv", "3")
        ]
    );
    assert!(rejects[1]["reason"].contains("unknown sender '老板'"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("out/summary.json")).unwrap()).unwrap();
    let rows = &summary["rows"];
    assert_eq!((rows["read"].as_u64(), rows["used"].as_u64(), rows["rejected"].as_u64()), (Some(11), Some(6), Some(5)));
    for f in summary["files"].as_array().unwrap() {
        assert_eq!(f["rows_read"], f["rows_used"].as_u64().unwrap() + f["rows_rejected"].as_u64().unwrap());
    }
    // check prints the same problems with file and line, and writes nothing.
    let check = kefu_ok(tmp.path(), &["check", "in"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(stdout.contains("messages.csv:8: unknown sender '老板'"), "{stdout}");
    assert!(stdout.contains("orders.csv:3: unparseable created_at 'bad'"), "{stdout}");
}

#[test]
fn unusable_input_fails_with_the_file_named() {
    let tmp = tempdir();
    std::fs::create_dir_all(tmp.path().join("empty")).unwrap();
    let out = kefu(tmp.path(), &["report", "empty", "--out", "out"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no chat messages in the input folder"));

    write(tmp.path(), "bad/messages.csv", b"time,who,what\n1,2,3\n");
    let out = kefu(tmp.path(), &["report", "bad", "--out", "out"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("messages.csv") && err.contains("customer_id"), "{err}");
    assert!(!tmp.path().join("out").exists(), "a failed run must not write reports");

    write(tmp.path(), "cfg/messages.csv", CHINESE.as_bytes());
    write(tmp.path(), "cfg/kefu.toml", b"target_sec = 30\n");
    let out = kefu(tmp.path(), &["report", "cfg", "--out", "out"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kefu.toml"));

    let out = kefu(tmp.path(), &["report", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    write(tmp.path(), "ok/messages.csv", CHINESE.as_bytes());
    let out = kefu(tmp.path(), &["report", "ok", "--out", "out", "--from", "11/11"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn user_queries_add_and_replace_reports() {
    let tmp = tempdir();
    write(tmp.path(), "in/messages.csv", CHINESE.as_bytes());
    write(tmp.path(), "q/senders.sql", b"SELECT sender, COUNT(*) AS n FROM messages GROUP BY sender ORDER BY sender");
    write(tmp.path(), "q/hourly.sql", b"SELECT hour_start AS hour, COUNT(*) AS turns FROM turns GROUP BY hour_start");
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--queries", "q", "--quiet"]);
    let s = read_csv(&tmp.path().join("out/senders.csv"));
    let got: Vec<(&str, &str)> = s.iter().map(|r| (r["sender"].as_str(), r["n"].as_str())).collect();
    assert_eq!(got, [("agent", "2"), ("bot", "1"), ("customer", "2")]);
    assert_eq!(header(&tmp.path().join("out/hourly.csv")), ["hour", "turns"]);
    write(tmp.path(), "q/broken.sql", b"SELEC nonsense");
    let out = kefu(tmp.path(), &["report", "in", "--out", "out", "--queries", "q"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken"));
}

/// Every file (name → bytes) under a folder.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    files_under(dir).into_iter().map(|f| (f.clone(), std::fs::read(dir.join(f)).unwrap())).collect()
}

#[test]
fn a_failed_run_leaves_the_previous_reports_intact() {
    let tmp = tempdir();
    write(tmp.path(), "in/messages.csv", CHINESE.as_bytes());
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let before = snapshot(&tmp.path().join("out"));
    assert!(
        before.contains_key("index.html") && before.contains_key("charts/response_times.png"),
        "{:?}",
        before.keys()
    );
    // Fails in the metrics stage, after the input was read and analysed.
    write(tmp.path(), "q/broken.sql", b"SELECT no_such_column FROM turns");
    let failed = kefu(tmp.path(), &["report", "in", "--out", "out", "--queries", "q"]);
    assert_eq!(failed.status.code(), Some(1));
    // Fails while writing: a file where the charts folder must go.
    write(tmp.path(), "in2/messages.csv", CHINESE.replace("好的", "好的呀").as_bytes());
    kefu_ok(tmp.path(), &["report", "in2", "--out", "out2", "--quiet"]);
    std::fs::remove_dir_all(tmp.path().join("out2/charts")).unwrap();
    write(tmp.path(), "out2/charts", b"in the way");
    let before2 = snapshot(&tmp.path().join("out2"));
    let failed = kefu(tmp.path(), &["report", "in", "--out", "out2", "--quiet"]);
    assert_eq!(failed.status.code(), Some(1), "{}", String::from_utf8_lossy(&failed.stderr));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("charts"));
    assert!(snapshot(&tmp.path().join("out")) == before, "the failed run changed reports/");
    assert!(snapshot(&tmp.path().join("out2")) == before2, "the run that failed to write changed reports/");
    // No temporary folder is left beside the reports.
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn excel_flag_writes_a_bom() {
    let tmp = tempdir();
    write(tmp.path(), "in/messages.csv", CHINESE.as_bytes());
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet", "--excel"]);
    let bytes = std::fs::read(tmp.path().join("out/agent_scorecard.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFagent_id,"));
}

#[test]
fn real_jddc_chats_run_with_no_rejects() {
    let tmp = tempdir();
    let Some(jddc) = jddc_dir() else { return };
    kefu_ok(tmp.path(), &["report", jddc.to_str().unwrap(), "--out", "out", "--quiet"]);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("out/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["rows"]["read"], 12_136);
    assert_eq!(summary["rows"]["used"], 12_136);
    assert_eq!(summary["rows"]["rejected"], 0);
    assert_eq!(read_csv(&tmp.path().join("out/rejects.csv")).len(), 0);
    let sessions = read_csv(&tmp.path().join("out/sessions.csv"));
    let conversations: std::collections::HashSet<&str> =
        sessions.iter().map(|s| s["conversation_id"].as_str()).collect();
    assert_eq!(conversations.len(), 994);
}
