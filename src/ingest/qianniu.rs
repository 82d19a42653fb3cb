//! 千牛 chat transcripts (SPEC §7): the text a chat window's copy or export gives, in any mix of its layouts.
//!
//! Each line is classified on its own (`classify`), then lines are put together into messages:
//! * standard: a name line, a time line, the text lines, optionally 已读/未读, and a blank line;
//! * header: `NAME YYYY-MM-DD HH:MM:SS` (or `NAME HH:MM:SS`), then the text lines;
//! * compact: name and time run together, one-digit month, day and hour allowed: `小美2024-1-5 9:05:03`;
//! * arrow: `SENDER --> RECEIVER 2024-1-5 9:05:03`, then the text lines.
//!
//! Lines that are not messages are skipped and counted by kind, never taken as text: read marks, recalls, transfer
//! notices (kept as `Transfer`s), `当前用户来自…`, the offline-message banner, history separators, date lines, bare
//! product-card links. A name `店铺:子账号` is an agent, a bot name (`bots`) a bot, `系统` the system, any other name
//! the customer; an agent's message starting `[自动回复]` is that sub-account's bot message. A customer, bot or system
//! message belongs to the receiver the arrow names, else to the agent the
//! customer is talking to (`bots::assign`: the last human agent who wrote, was named receiver or was handed the
//! conversation before it, else the first after it). One file is one conversation: its id is the file stem (with
//! the customer's name added when a file holds several customers). A time without a date takes the last date seen;
//! times without seconds are counted for the warning of SPEC §7.

use super::bots::{Bots, Event, assign};
use super::rows::push_message;
use crate::config::Settings;
use crate::model::{FileStats, Input, Reject, Sender, Transfer, Ts};
use crate::timefmt::from_parts;
use regex::Regex;
use std::sync::LazyLock;

/// A time as a transcript writes it: with or without a date, with or without seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct When {
    date: Option<(i64, i64, i64)>,
    secs: i64,
    has_seconds: bool,
}

/// The kinds of non-message lines, as counted in `FileStats::skipped`.
pub(crate) const READ_MARK: &str = "read mark";
pub(crate) const RECALL: &str = "recall notice";
pub(crate) const TRANSFER: &str = "transfer notice";
pub(crate) const SOURCE: &str = "source notice (当前用户来自)";
pub(crate) const OFFLINE: &str = "offline-message banner";
pub(crate) const HISTORY: &str = "history separator";
pub(crate) const DATE_LINE: &str = "date line";
pub(crate) const CARD_LINK: &str = "product-card link";
pub(crate) const SEPARATOR: &str = "separator line";

#[derive(Debug, Clone, PartialEq)]
enum Line<'a> {
    Blank,
    /// A message's first line, with its sender's name and time on it.
    Start {
        layout: &'static str,
        name: &'a str,
        receiver: Option<&'a str>,
        when: When,
    },
    /// A time alone: the second line of the standard layout.
    Time(When),
    /// A line that is not a message: its kind, and for a transfer notice the two names.
    Notice(&'static str, Option<(&'a str, &'a str)>),
    Date((i64, i64, i64)),
    Text(&'a str),
}

const DATE: &str = r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日)";
const CLOCK: &str = r"(\d{1,2}):(\d{2})(?::(\d{2}))?";

static START: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"^(.*?)(\s*){DATE}\s+{CLOCK}$")).expect("regex"));
static START_CLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\S.*?)\s+(\d{1,2}):(\d{2}):(\d{2})$").expect("regex"));
static TIME: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"^(?:{DATE}\s+)?{CLOCK}$")).expect("regex"));
static DATE_ONLY: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"^{DATE}$")).expect("regex"));
static TRANSFER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:会话)?(?:已由|由)?\s*(?:客服)?(.*?)\s*(?:已将会话|将会话|已)?\s*(?:转交给|转接给|转交至|转接至)\s*(.*?)\s*(?:处理)?[。.!！]*$")
        .expect("regex")
});

fn num(c: Option<regex::Match>) -> Option<i64> {
    c.and_then(|m| m.as_str().parse().ok())
}

/// The date of captures starting at group `g` of `DATE`.
fn date_at(c: &regex::Captures, g: usize) -> Option<(i64, i64, i64)> {
    let y = num(c.get(g))?;
    let (m, d) = match num(c.get(g + 1)) {
        Some(m) => (m, num(c.get(g + 2))?),
        None => (num(c.get(g + 3))?, num(c.get(g + 4))?),
    };
    Some((y, m, d))
}

/// The time of captures starting at group `g` of `CLOCK`.
fn clock_at(c: &regex::Captures, g: usize, date: Option<(i64, i64, i64)>) -> Option<When> {
    let (h, mi) = (num(c.get(g))?, num(c.get(g + 1))?);
    let s = num(c.get(g + 2));
    if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..60).contains(&s.unwrap_or(0)) {
        return None;
    }
    Some(When { date, secs: h * 3600 + mi * 60 + s.unwrap_or(0), has_seconds: s.is_some() })
}

/// Characters of decorative separator lines (`-----`, `=====`, `————`).
fn is_rule_char(c: char) -> bool {
    matches!(c, '-' | '=' | '—' | '─' | '_' | '*' | '~' | '·') || c.is_whitespace()
}

/// The longest name a message line is taken to start with.
const NAME_MAX: usize = 40;

fn notice(line: &str) -> Option<Line<'_>> {
    let core = line.trim_matches(is_rule_char);
    if core.is_empty() {
        return Some(Line::Notice(SEPARATOR, None));
    }
    let kind = match core {
        "已读" | "未读" | "[已读]" | "[未读]" => READ_MARK,
        _ if core.ends_with("撤回了一条消息") => RECALL,
        _ if core.starts_with("当前用户来自") => SOURCE,
        _ if ["以上是历史消息", "以上为历史消息", "以下是新消息", "以下为新消息", "查看更多消息", "历史消息"]
            .contains(&core) =>
        {
            HISTORY
        }
        _ if core.chars().count() <= 30
            && (core.contains("离线消息") || core.contains("留言消息") || core.contains("当前不在线")) =>
        {
            OFFLINE
        }
        _ if (core.starts_with("http://") || core.starts_with("https://")) && !core.contains(char::is_whitespace) => {
            CARD_LINK
        }
        _ if core.contains("转交") || core.contains("转接") => {
            let c = TRANSFER_RE.captures(core)?;
            let (from, to) = (c.get(1)?.as_str(), c.get(2)?.as_str());
            return Some(Line::Notice(TRANSFER, Some((from, to))));
        }
        _ => {
            if let Some(c) = DATE_ONLY.captures(core) {
                return date_at(&c, 1).map(Line::Date);
            }
            return None;
        }
    };
    Some(Line::Notice(kind, None))
}

/// What one line is, on its own.
fn classify(line: &str) -> Line<'_> {
    let line = line.trim_end();
    if line.trim().is_empty() {
        return Line::Blank;
    }
    // Every message start and time line has an ASCII colon; most text lines (full-width `：`) have none.
    if line.contains(':') {
        if let Some((from, rest)) = line.split_once("-->")
            && let Some(c) = START.captures(rest.trim())
            && let Some(when) = clock_at(&c, 8, date_at(&c, 3))
        {
            let (from, to) = (from.trim(), c.get(1).map_or("", |m| m.as_str()).trim());
            if !from.is_empty() && !to.is_empty() {
                return Line::Start { layout: "arrow", name: from, receiver: Some(to), when };
            }
        }
        if let Some(c) = TIME.captures(line.trim()) {
            let date = if c.get(1).is_some() { date_at(&c, 1) } else { None };
            if let Some(when) = clock_at(&c, 6, date) {
                return Line::Time(when);
            }
        }
        if let Some(c) = START.captures(line) {
            let name = c.get(1).map_or("", |m| m.as_str()).trim();
            let layout = if c.get(2).is_some_and(|m| m.as_str().is_empty()) { "compact" } else { "header" };
            if !name.is_empty()
                && name.chars().count() <= NAME_MAX
                && let Some(when) = clock_at(&c, 8, date_at(&c, 3))
            {
                return Line::Start { layout, name, receiver: None, when };
            }
        }
        if let Some(c) = START_CLOCK.captures(line)
            && let Some(name) = c.get(1).map(|m| m.as_str().trim()).filter(|n| n.chars().count() <= NAME_MAX)
            && let Some(when) = clock_at(&c, 2, None)
        {
            return Line::Start { layout: "header", name, receiver: None, when };
        }
    }
    notice(line).unwrap_or(Line::Text(line))
}

/// A message as read: where it starts, its sender's name, the receiver an arrow names, its time and text.
struct Block<'a> {
    line: u64,
    layout: &'static str,
    name: &'a str,
    receiver: Option<&'a str>,
    ts: Option<Ts>,
    text: Vec<&'a str>,
    /// The block held a notice line (a system block made only of a notice is no message).
    had_notice: bool,
}

/// Something that happened at a point of the file: a message or a transfer notice.
enum Item<'a> {
    Message(Block<'a>),
    Transfer(&'a str, &'a str),
}

const SYSTEM_NAMES: &[&str] = &["系统", "系统消息", "system"];

/// How an agent's own auto-reply starts.
const AUTO_REPLY_MARKERS: &[&str] = &["[自动回复]", "【自动回复】", "自动回复：", "自动回复:"];

fn shop_of(name: &str) -> Option<&str> {
    name.split_once([':', '：']).map(|(shop, _)| shop.trim()).filter(|s| !s.is_empty())
}

fn kind_of(name: &str, bots: &Bots) -> Sender {
    if SYSTEM_NAMES.contains(&name) {
        Sender::System
    } else if bots.is_bot(name) {
        Sender::Bot
    } else if shop_of(name).is_some() {
        Sender::Agent
    } else {
        Sender::Customer
    }
}

/// Whether a text could be the name line of a standard-layout message.
fn name_like(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && s.chars().count() <= NAME_MAX
}

/// Whether a text holds a chat message: a line with a name and a time, or a name line followed by a time line.
pub(crate) fn looks_like_transcript(text: &str) -> bool {
    let lines: Vec<Line> = text.lines().take(200).map(classify).collect();
    lines.iter().enumerate().any(|(i, l)| match l {
        Line::Start { .. } => true,
        Line::Text(t) => name_like(t) && matches!(lines.get(i + 1), Some(Line::Time(_))),
        _ => false,
    })
}

/// Whether line `i` (a name-like text) starts a standard-layout message: the next line is a time alone, and either
/// the line before is no text (a blank line, a notice, the start of the file), the name already started a message,
/// the name is an account (`店铺:子账号`, a robot), or the time line has a full date (a text line of a message is
/// seldom followed by a line holding only a date and time). Exports that leave out the blank lines between messages
/// are read so as well.
fn standard_start(lines: &[Line], i: usize, name: &str, known: &[&str], bots: &Bots) -> bool {
    let Some(Line::Time(when)) = lines.get(i + 1) else { return false };
    let name = name.trim();
    i == 0
        || matches!(lines[i - 1], Line::Blank | Line::Notice(..) | Line::Date(_))
        || known.contains(&name)
        || shop_of(name).is_some()
        || bots.is_bot(name)
        || when.date.is_some()
}

/// A system message saying the conversation was handed over (`小婷将会话转接给小薇`: how canonical and platform
/// exports carry the transfer notice of a transcript) records the transfer as the notice line does, so a shop's
/// transfers count the same in every layout (SPEC §8). A name is the agent of that name, or of that sub-account in
/// the message's shop, among the agents who wrote; a notice whose taker is none of them records nothing.
pub(crate) fn transfers_in_system_messages(input: &mut Input) {
    let mut agents: Vec<u32> = input.messages.iter().filter(|m| m.sender == Sender::Agent).map(|m| m.agent).collect();
    agents.sort_unstable();
    agents.dedup();
    let found: Vec<Transfer> = input
        .messages
        .iter()
        .filter(|m| m.sender == Sender::System)
        .filter_map(|m| {
            let Line::Notice(TRANSFER, Some((from, to))) = classify(input.text(m).trim()) else { return None };
            let shop = input.names.get(m.shop);
            let id = |name: &str| {
                let name = name.trim();
                let named = |&&a: &&u32| input.names.get(a) == name;
                let in_shop = |&&a: &&u32| {
                    let full = input.names.get(a);
                    super::bots::sub_account(full) == name && (shop.is_empty() || shop_of(full) == Some(shop))
                };
                agents.iter().find(named).or_else(|| agents.iter().find(in_shop)).copied().unwrap_or(0)
            };
            let to = id(to);
            (to != 0).then(|| Transfer { conv: m.conv, ts: m.ts, from: id(from), to })
        })
        .collect();
    input.transfers.extend(found);
}

/// Whether a transfer notice's names look like accounts (one has a shop, or one is a name that started a message),
/// so that a buyer's "能帮我转接给人工吗" stays the buyer's text.
fn plausible_transfer(known: &[&str], from: &str, to: &str) -> bool {
    let account = |n: &str| {
        let n = n.trim();
        !n.is_empty() && (shop_of(n).is_some() || known.iter().any(|k| *k == n || super::bots::sub_account(k) == n))
    };
    account(from) || account(to)
}

/// Parses one transcript file's text into `input` (messages, rejects, transfers) and says what it read.
pub fn parse_transcript<'a>(text: &'a str, file: &str, settings: &Settings, input: &mut Input) -> FileStats {
    let bots = Bots::new(&settings.bots);
    let mut stats = FileStats::new(file, "messages", "千牛 transcript");
    let stem = file.rsplit('/').next().unwrap_or(file);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let lines: Vec<Line<'a>> = text.lines().map(classify).collect();
    let raw: Vec<&'a str> = text.lines().collect();
    let reject = |input: &mut Input, stats: &mut FileStats, line: usize, reason: &str, raw: String| {
        stats.rows_read += 1;
        stats.rows_rejected += 1;
        input.rejects.push(Reject { file: file.into(), line: line as u64 + 1, reason: reason.into(), raw });
    };
    // Names seen starting a message, so that a standard name line after a text line (no blank line) is known.
    let mut known: Vec<&'a str> = Vec::new();
    let mut items: Vec<Item<'a>> = Vec::new();
    let mut date: Option<(i64, i64, i64)> = None;
    let mut i = 0;
    while i < lines.len() {
        let start = match &lines[i] {
            Line::Start { layout, name, receiver, when } => Some((*layout, *name, *receiver, *when, 1)),
            Line::Text(name) if name_like(name) && standard_start(&lines, i, name, &known, &bots) => {
                let Some(Line::Time(when)) = lines.get(i + 1) else { unreachable!("checked") };
                Some(("standard", name.trim(), None, *when, 2))
            }
            _ => None,
        };
        if let Some((layout, name, receiver, when, used)) = start {
            if let Some(d) = when.date {
                date = Some(d);
            }
            let day = when.date.or(date);
            let ts =
                day.and_then(|(y, m, d)| from_parts(y, m, d, when.secs / 3600, when.secs / 60 % 60, when.secs % 60));
            stats.minute_only_times += !when.has_seconds as u64;
            if !known.contains(&name) {
                known.push(name);
            }
            items.push(Item::Message(Block {
                line: i as u64 + 1,
                layout,
                name,
                receiver,
                ts,
                text: Vec::new(),
                had_notice: false,
            }));
            i += used;
            continue;
        }
        let last = items.iter().rposition(|it| matches!(it, Item::Message(_)));
        let text_line = |items: &mut Vec<Item<'a>>, t: &'a str, input: &mut Input, stats: &mut FileStats| match last {
            Some(k) => {
                if let Item::Message(b) = &mut items[k] {
                    b.text.push(t);
                }
            }
            None => reject(
                input,
                stats,
                i,
                "text before the first message (NAME and time)",
                raw[i].chars().take(2000).collect(),
            ),
        };
        match &lines[i] {
            Line::Blank => {
                if let Some(Item::Message(b)) = last.map(|k| &mut items[k]) {
                    b.text.push("");
                }
            }
            Line::Notice(TRANSFER, Some((from, to))) if !plausible_transfer(&known, from, to) => {
                text_line(&mut items, raw[i].trim_end(), input, &mut stats)
            }
            Line::Notice(kind, names) => {
                super::delimited::skip(&mut stats, kind);
                if let Some(Item::Message(b)) = last.map(|k| &mut items[k]) {
                    b.had_notice = true;
                }
                if let Some((from, to)) = names {
                    items.push(Item::Transfer(from, to));
                }
            }
            Line::Date(d) => {
                date = Some(*d);
                super::delimited::skip(&mut stats, DATE_LINE);
            }
            Line::Text(t) => text_line(&mut items, t, input, &mut stats),
            Line::Time(_) => text_line(&mut items, raw[i].trim_end(), input, &mut stats),
            Line::Start { .. } => unreachable!("handled above"),
        }
        i += 1;
    }
    finish(items, stem, file, &bots, settings, input, &mut stats);
    stats
}

/// Turns the file's items into messages and transfers.
fn finish(
    items: Vec<Item>,
    stem: &str,
    file: &str,
    bots: &Bots,
    settings: &Settings,
    input: &mut Input,
    stats: &mut FileStats,
) {
    let mut items = items;
    // An agent's own lines shown by sub-account alone (`小美` beside `店铺:小美`) are that agent's, not a buyer's.
    let accounts: Vec<&str> = items
        .iter()
        .filter_map(|it| if let Item::Message(b) = it { Some([Some(b.name), b.receiver]) } else { None })
        .flatten()
        .flatten()
        .filter(|n| kind_of(n, bots) == Sender::Agent)
        .collect();
    for it in &mut items {
        if let Item::Message(b) = it
            && kind_of(b.name, bots) == Sender::Customer
            && let Some(a) = accounts.iter().find(|a| super::bots::sub_account(a) == b.name)
        {
            b.name = a;
        }
    }
    let blocks = || items.iter().filter_map(|it| if let Item::Message(b) = it { Some(b) } else { None });
    // The human agents of the file: who wrote, and the receivers arrows name.
    let mut humans: Vec<&str> = Vec::new();
    for name in blocks().flat_map(|b| [Some(b.name), b.receiver]).flatten() {
        if kind_of(name, bots) == Sender::Agent && !humans.contains(&name) {
            humans.push(name);
        }
    }
    let has_bot = blocks().any(|b| kind_of(b.name, bots) == Sender::Bot);
    let mut customers: Vec<&str> = Vec::new();
    for b in blocks().filter(|b| kind_of(b.name, bots) == Sender::Customer) {
        if !customers.contains(&b.name) {
            customers.push(b.name);
        }
    }
    let shop = blocks().find_map(|b| shop_of(b.name)).unwrap_or("");
    let human = |name: &str| human_named(&humans, name, bots).map(str::to_string);
    let events: Vec<Event> = items
        .iter()
        .map(|it| match it {
            Item::Transfer(_, to) => human(to).map_or(Event::Other, |h| Event::Human(input.names.intern(&h))),
            Item::Message(b) => match kind_of(b.name, bots) {
                Sender::Agent => Event::Human(input.names.intern(b.name)),
                Sender::Customer => match b.receiver.and_then(human) {
                    Some(r) => Event::Human(input.names.intern(&r)),
                    None => Event::Needs,
                },
                _ => Event::Needs,
            },
        })
        .collect();
    let assigned = assign(&events);
    let mut customer = customers.first().copied();
    let mut last_ts: Option<Ts> = None;
    for ((it, ev), agent) in items.iter().zip(&events).zip(assigned) {
        let b = match it {
            Item::Transfer(from, to) => {
                let id = |n: Option<String>, input: &mut Input| n.map_or(0, |n| input.names.intern(&n));
                let (from, to) = (id(human(from), input), id(human(to), input));
                let conv = conversation(stem, &customers, &input.customer_id(customer.unwrap_or("")));
                let conv = input.names.intern(&conv);
                input.transfers.push(Transfer { conv, ts: last_ts.unwrap_or(0), from, to });
                continue;
            }
            Item::Message(b) => b,
        };
        let mut kind = kind_of(b.name, bots);
        if kind == Sender::Customer {
            customer = Some(b.name);
        }
        let mut body = b.text.join("\n");
        body.truncate(body.trim_end().len());
        let mut body = body.trim_start_matches('\n');
        // An agent's own auto-reply (`[自动回复]…`) is a bot message of that sub-account.
        if kind == Sender::Agent
            && let Some(m) = AUTO_REPLY_MARKERS.iter().find(|m| body.starts_with(**m))
        {
            kind = Sender::Bot;
            body = body[m.len()..].trim_start();
        }
        let raw = || format!("{} {}", b.name, body.chars().take(2000).collect::<String>());
        let reject = |reason: &str, input: &mut Input, stats: &mut FileStats| {
            stats.rows_read += 1;
            stats.rows_rejected += 1;
            input.rejects.push(Reject { file: file.into(), line: b.line, reason: reason.into(), raw: raw() });
        };
        if kind == Sender::System && body.is_empty() && b.had_notice {
            // A system line that only carried a notice (already counted by its kind).
            continue;
        }
        if humans.is_empty() && !has_bot {
            reject("no agent in this transcript (an agent NAME looks like 店铺:子账号)", input, stats);
            continue;
        }
        let Some(customer) = customer else {
            reject("no customer in this transcript", input, stats);
            continue;
        };
        let Some(ts) = b.ts else {
            reject("a time without a date, and no date line before it", input, stats);
            continue;
        };
        last_ts = Some(ts);
        if !settings.in_period(ts) {
            stats.rows_read += 1;
            stats.rows_out_of_period += 1;
            continue;
        }
        let agent_id = match *ev {
            Event::Human(a) => a,
            _ => agent,
        };
        let agent = input.names.get(agent_id).to_string();
        let shop = shop_of(&agent).unwrap_or(shop).to_string();
        // With --pseudonymize the conversation id carries the pseudonym, never the buyer's name.
        let conv = conversation(stem, &customers, &input.customer_id(customer));
        push_message(input, &conv, ts, &shop, customer, &agent, kind, body, "");
        stats.rows_read += 1;
        stats.rows_used += 1;
        *stats.layouts.entry(b.layout.to_string()).or_insert(0) += 1;
    }
}

/// The human agent a name in a notice or an arrow stands for: a human agent of the file by full name or by
/// sub-account (`小美` for `店:小美`), else the name itself when it is an agent's (`店铺:子账号`).
fn human_named<'n>(humans: &[&'n str], name: &'n str, bots: &Bots) -> Option<&'n str> {
    let name = name.trim();
    let exact = humans.iter().find(|h| **h == name);
    let by_sub = || humans.iter().find(|h| super::bots::sub_account(h) == name);
    exact.or_else(by_sub).copied().or_else(|| (kind_of(name, bots) == Sender::Agent).then_some(name))
}

/// The conversation id of a file: its stem, with the customer added when the file holds several.
fn conversation(stem: &str, customers: &[&str], customer: &str) -> String {
    if customers.len() > 1 { format!("{stem}/{customer}") } else { stem.to_string() }
}

#[cfg(test)]
mod tests;
