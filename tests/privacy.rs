//! Personal data never leaves kefu unmasked: phone numbers, ID numbers, addresses and names planted in every text
//! field of every input file (message text next to rule hits so excerpts show it, ids, order and case fields,
//! rejected rows, a transcript's file name) appear in no output file. Chart labels are drawn from the same table
//! values the CSVs hold, so clean CSVs mean clean labels; the page is checked as text.
//! `--pseudonymize` replaces customer ids by stable keyed pseudonyms.

mod common;
use common::*;
use std::path::Path;

const PHONE: &str = "13912345678";
const PHONE2: &str = "15800001111";
const ID_CARD: &str = "110101199003071234";
const STREET: &str = "建国路88号";
const NAME: &str = "王小明";

/// Every raw value that must not appear in an output, and the parts of them that would give them away.
const SECRETS: &[&str] = &[PHONE, PHONE2, ID_CARD, "1990030712", STREET, "12345678", NAME, "小明"];

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn planted(dir: &Path) {
    let pii = format!("电话{PHONE}，身份证{ID_CARD}，地址北京市朝阳区{STREET}，收货人：{NAME}");
    let messages = format!(
        "conversation_id,timestamp,shop,customer_id,agent_id,sender,text,order_id\n\
         {PHONE},2026-11-11 10:00:00,店{PHONE2},{PHONE},店{PHONE2}:小美,customer,\"{pii} 在吗，有发票吗\",{PHONE2}\n\
         {PHONE},2026-11-11 10:00:30,店{PHONE2},{PHONE},店{PHONE2}:小美,agent,\"{pii}，亲，一定明天发货，包邮的哦\",{PHONE2}\n\
         {PHONE},2026-11-11 10:01:00,店{PHONE2},{PHONE},店{PHONE2}:小美,customer,\"{pii} 你们是骗子吧，我要投诉，退款\",\n\
         {PHONE},2026-11-11 10:01:40,店{PHONE2},{PHONE},店{PHONE2}:小美,agent,\"{pii} 你自己看不懂吗，补运费\",\n\
         {PHONE},2026-11-11 10:02:00,店{PHONE2},{PHONE},店{PHONE2}:小美,{PHONE},\"{pii}\",\n\
         {PHONE},{PHONE},店{PHONE2},{PHONE},店{PHONE2}:小美,agent,\"{pii}\",\n"
    );
    write(dir, "in/messages.csv", &messages);
    write(
        dir,
        "in/orders.csv",
        &format!(
            "order_id,customer_id,shop,created_at,paid_at,amount\n\
             {PHONE2},{PHONE},店{PHONE2},2026-11-11 10:05:00,,99\n\
             {ID_CARD},{PHONE},店{PHONE2},{PHONE},,99\n\
             o3,{PHONE2},店{PHONE2},2026-11-11 10:06:00,,99\n\
             o4,客户{ID_CARD},店{PHONE2},2026-11-11 10:07:00,,99\n"
        ),
    );
    write(
        dir,
        "in/aftersales.csv",
        &format!(
            "case_id,order_id,customer_id,agent_id,type,reason,opened_at,closed_at,refund_amount,platform_intervened\n\
             {PHONE},{PHONE2},{PHONE},店{PHONE2}:售后,投诉,\"{pii}\",2026-11-12 09:00:00,,0,1\n\
             k2,{PHONE2},{PHONE},店{PHONE2}:售后,{PHONE},\"{pii}\",2026-11-12 09:00:00,,0,1\n"
        ),
    );
    // A file named after a buyer that kefu does not read: listed (and warned about) by its masked name.
    write(dir, &format!("in/{PHONE}的退货照片.docx"), "not a document");
    write(
        dir,
        &format!("in/transcripts/{PHONE}.txt"),
        &format!(
            "{pii}\n{PHONE} 2026-11-12 10:00:00\n{pii} 在吗\n店{PHONE2}:小美 2026-11-12 10:00:20\n{pii} 亲，保证今天发货\n"
        ),
    );
}

/// Every output file's text (PNGs are compressed pixels; their labels come from the CSV values).
fn outputs(out: &Path) -> Vec<(String, String)> {
    files_under(out)
        .into_iter()
        .filter(|f| !f.ends_with(".png"))
        .map(|f| (f.clone(), String::from_utf8_lossy(&std::fs::read(out.join(&f)).unwrap()).into_owned()))
        .collect()
}

fn assert_clean(out: &Path) {
    let files = outputs(out);
    assert!(files.len() >= 12, "{files:?}");
    for (path, text) in &files {
        for s in SECRETS {
            assert!(!text.contains(s), "{path} shows '{s}':\n{}", text.chars().take(3000).collect::<String>());
        }
    }
}

#[test]
fn planted_personal_data_appears_in_no_output() {
    let tmp = tempdir();
    planted(tmp.path());
    let run = kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet", "--xlsx"]);
    let out = tmp.path().join("out");
    assert_clean(&out);
    // The warnings quote ids and file names (the join of order buyers, the file not read): masked, on the terminal
    // and in the workbook as everywhere.
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("warning") && stderr.contains("139****5678"), "{stderr}");
    for s in SECRETS {
        assert!(!stderr.contains(s), "the terminal shows '{s}': {stderr}");
    }
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("report.xlsx")).unwrap();
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        for cell in range.used_cells() {
            let text = cell.2.to_string();
            for s in SECRETS {
                assert!(!text.contains(s), "report.xlsx sheet {sheet} shows '{s}': {text}");
            }
        }
    }
    // The data was used and the evidence is there, masked.
    let v = read_csv(&out.join("violations.csv"));
    assert!(v.iter().any(|r| r["rule_id"] == "privacy_leak" && r["matched"] == "139****5678"));
    assert!(v.iter().any(|r| r["excerpt"].contains("王**")), "{v:?}");
    let rejects = read_csv(&out.join("rejects.csv"));
    assert!(rejects.len() >= 3, "{rejects:?}");
    // The buyer id that is a phone number is shown masked everywhere.
    let sessions = read_csv(&out.join("sessions.csv"));
    assert!(sessions.iter().all(|s| s["customer_id"] == "139****5678"), "{sessions:?}");
    // check prints the rejects masked too.
    let check = kefu_ok(tmp.path(), &["check", "in"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    for s in SECRETS {
        assert!(!stdout.contains(s), "check shows '{s}': {stdout}");
    }
}

#[test]
fn pseudonyms_are_stable_keyed_and_hide_the_id() {
    let tmp = tempdir();
    planted(tmp.path());
    let run = |out: &str, key: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
            .current_dir(tmp.path())
            .env("KEFU_PSEUDONYM_KEY", key)
            .args(["report", "in", "--out", out, "--quiet", "--pseudonymize"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        read_csv(&tmp.path().join(out).join("sessions.csv"))
    };
    let a = run("a", "team secret of the week 47");
    let b = run("b", "team secret of the week 47");
    let c = run("c", "another team secret entirely");
    let ids = |rows: &[Row]| rows.iter().map(|r| r["customer_id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b), "same key, same pseudonyms");
    assert_ne!(ids(&a), ids(&c), "another key, other pseudonyms");
    assert!(ids(&a).iter().all(|id| id.starts_with("客户_") && id.len() == "客户_".len() + 12), "{a:?}");
    assert_clean(&tmp.path().join("a"));
    let summary = std::fs::read_to_string(tmp.path().join("a/summary.json")).unwrap();
    assert!(summary.contains("\"pseudonymized\": true") && !summary.contains("week 47"), "{summary}");
    // Without a key the flag is a usage error, not a silent no-op.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
        .current_dir(tmp.path())
        .env_remove("KEFU_PSEUDONYM_KEY")
        .args(["report", "in", "--out", "d", "--pseudonymize"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("KEFU_PSEUDONYM_KEY"));
}
