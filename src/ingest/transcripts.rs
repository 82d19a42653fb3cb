//! `transcripts/*.txt`: the plain-text export of a chat window (SPEC §2).
//!
//! A message is a header line `NAME YYYY-MM-DD HH:MM:SS` (or `YYYY/MM/DD HH:MM[:SS]`) followed by its text lines.
//! A NAME of the form `店铺:子账号` is an agent, `系统`/`系统消息` is the system, any other NAME is the customer.
//! An agent line whose text starts with an auto-reply marker (`[自动回复]`, `【自动回复】`, `自动回复：`) is a bot
//! message. The file is one chat window: its conversation id is the file stem and the customer; a customer message
//! belongs to the agent who spoke last before it (else the first agent of the file), as the window's sub-account.

use super::push_message;
use crate::config::Settings;
use crate::model::{FileStats, Input, Reject, Sender, Ts};
use crate::timefmt::parse_ts;

const AUTO_REPLY_MARKERS: &[&str] = &["[自动回复]", "【自动回复】", "自动回复：", "自动回复:"];
const SYSTEM_NAMES: &[&str] = &["系统", "系统消息", "system"];

struct Block<'a> {
    line: u64,
    name: &'a str,
    ts: Ts,
    lines: Vec<&'a str>,
}

/// Splits a header line into NAME and timestamp, if it is one.
fn header<'a>(line: &'a str, settings: &Settings) -> Option<(&'a str, Ts)> {
    let line = line.trim_end();
    let mut parts = line.rsplitn(3, ' ');
    let time = parts.next()?;
    let date = parts.next()?;
    let name = parts.next()?.trim();
    if name.is_empty() || !date.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let ts = parse_ts(&format!("{date} {time}"), settings.tz)?;
    Some((name, ts))
}

fn agent_shop(name: &str) -> Option<&str> {
    name.split_once([':', '：']).map(|(shop, _)| shop.trim()).filter(|s| !s.is_empty())
}

fn kind_of(name: &str) -> Sender {
    if SYSTEM_NAMES.contains(&name) {
        Sender::System
    } else if agent_shop(name).is_some() {
        Sender::Agent
    } else {
        Sender::Customer
    }
}

/// Parses one transcript file's text into `input`.
pub fn parse_transcript(text: &str, file: &str, settings: &Settings, input: &mut Input) -> FileStats {
    let mut stats = FileStats { file: file.into(), ..Default::default() };
    let stem = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".txt").trim_end_matches(".TXT");
    let mut blocks: Vec<Block> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        if let Some((name, ts)) = header(line, settings) {
            blocks.push(Block { line: line_no, name, ts, lines: Vec::new() });
        } else if let Some(b) = blocks.last_mut() {
            b.lines.push(line);
        } else if !line.trim().is_empty() {
            stats.rows_read += 1;
            stats.rows_rejected += 1;
            input.rejects.push(Reject {
                file: file.into(),
                line: line_no,
                reason: "text before the first message header (NAME YYYY-MM-DD HH:MM:SS)".into(),
                raw: line.chars().take(2000).collect(),
            });
        }
    }
    let first_agent = blocks.iter().find(|b| kind_of(b.name) == Sender::Agent).map(|b| b.name);
    let first_customer = blocks.iter().find(|b| kind_of(b.name) == Sender::Customer).map(|b| b.name);
    let (mut agent, mut customer) = (first_agent, first_customer);
    for b in &blocks {
        stats.rows_read += 1;
        let kind = kind_of(b.name);
        match kind {
            Sender::Agent => agent = Some(b.name),
            Sender::Customer => customer = Some(b.name),
            _ => {}
        }
        let mut body = b.lines.join("\n");
        body.truncate(body.trim_end().len());
        let reject = |reason: &str, input: &mut Input| {
            input.rejects.push(Reject {
                file: file.into(),
                line: b.line,
                reason: reason.into(),
                raw: format!("{} {}", b.name, body.chars().take(2000).collect::<String>()),
            });
        };
        let (Some(agent), Some(customer)) = (agent, customer) else {
            stats.rows_rejected += 1;
            let why = if first_agent.is_none() {
                "no agent in this transcript (an agent NAME looks like 店铺:子账号)"
            } else {
                "no customer in this transcript"
            };
            reject(why, input);
            continue;
        };
        if !settings.in_period(b.ts) {
            stats.rows_out_of_period += 1;
            continue;
        }
        let mut sender = kind;
        let mut text = body.as_str();
        if kind == Sender::Agent
            && let Some(m) = AUTO_REPLY_MARKERS.iter().find(|m| text.starts_with(**m))
        {
            sender = Sender::Bot;
            text = text[m.len()..].trim_start();
        }
        let shop = agent_shop(agent).unwrap_or("");
        let conv = format!("{stem}/{}", input.customer_id(customer));
        push_message(input, &conv, b.ts, shop, customer, agent, sender, text, "");
        stats.rows_used += 1;
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_chat_window() {
        let text = "tb_张三 2026-11-11 10:00:00\n在吗\n这件有货吗\n\
                    小店:小美 2026-11-11 10:00:02\n[自动回复]您好，客服马上就来\n\
                    小店:小美 2026-11-11 10:00:15\n亲，在的哦~\n\n\
                    系统 2026-11-11 10:01:00\n客服小美已转接给小丽\n\
                    小店:小丽 2026/11/11 10:01:30\n您好，我是小丽\n";
        let mut input = Input::default();
        let st = parse_transcript(text, "transcripts/w1.txt", &Settings::default(), &mut input);
        assert_eq!((st.rows_read, st.rows_used, st.rows_rejected), (5, 5, 0));
        let ms = &input.messages;
        let senders: Vec<Sender> = ms.iter().map(|m| m.sender).collect();
        assert_eq!(senders, [Sender::Customer, Sender::Bot, Sender::Agent, Sender::System, Sender::Agent]);
        assert_eq!(input.text(&ms[0]), "在吗\n这件有货吗");
        assert_eq!(input.text(&ms[1]), "您好，客服马上就来");
        assert_eq!(input.text(&ms[2]), "亲，在的哦~");
        // The customer's first message belongs to the window's first agent; the shop comes from the agent NAME.
        assert_eq!(input.name(ms[0].agent), "小店:小美");
        assert_eq!(input.name(ms[4].agent), "小店:小丽");
        assert_eq!(input.name(ms[0].shop), "小店");
        assert_eq!(input.name(ms[4].customer), "tb_张三");
        assert!(ms.iter().all(|m| m.conv == ms[0].conv));
        assert_eq!(input.name(ms[0].conv), "w1/tb_张三");
    }

    #[test]
    fn stray_text_and_agentless_files_are_rejected() {
        let text = "导出时间：昨天\ntb_李四 2026-11-11 10:00:00\n在吗\n";
        let mut input = Input::default();
        let st = parse_transcript(text, "transcripts/w2.txt", &Settings::default(), &mut input);
        assert_eq!((st.rows_read, st.rows_used, st.rows_rejected), (2, 0, 2));
        assert_eq!(input.rejects[0].line, 1);
        assert!(input.rejects[1].reason.contains("no agent"));
    }
}
