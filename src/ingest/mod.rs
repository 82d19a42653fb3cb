//! Ingest: the files of an INPUT folder → typed tables (`model::Input`) and rejects.
//!
//! Guarantees (SPEC §2): every data row read is either used, outside `--from/--to` (counted), or listed in
//! `rejects` with file, line and reason; a file that cannot be used at all is an error naming it; no input panics.
//! Files may be UTF-8 (with or without BOM), GB18030/GBK or UTF-16; headers may be English or Chinese; the
//! delimiter may be a comma, a tab or a semicolon. The parsers here are pure (text in, rows out); `load_input` is the
//! I/O wrapper around them. A quote-free UTF-8 `messages.csv` is read in pieces of whole lines, parsed in parallel
//! (`stream_messages_csv`, from any `Read`), with exactly the rows, ids, lines and rejects of reading it whole.

pub mod decode;
pub mod transcripts;

pub use decode::{Decoded, decode};

use crate::config::{Pseudonymizer, Settings};
use crate::error::{KefuError, Result};
use crate::model::{Case, CaseKind, FileStats, Input, Message, Names, Order, Reject, Sender, Ts};
use crate::timefmt::parse_ts;
use std::path::Path;

/// A column of an input file: its English name, Chinese and other aliases, and whether the file is unusable
/// without it.
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec { name, aliases, required }
}

pub const MESSAGE_COLUMNS: &[ColumnSpec] = &[
    col("conversation_id", &["会话ID", "会话id", "会话编号", "会话"], false),
    col("timestamp", &["时间", "发送时间", "消息时间", "time"], true),
    col("shop", &["店铺", "店铺名", "店铺名称"], false),
    col("customer_id", &["买家", "买家昵称", "买家账号", "顾客", "客户"], true),
    col("agent_id", &["客服", "子账号", "客服账号", "客服子账号"], true),
    col("sender", &["发送方", "发送者", "发送人角色", "角色"], true),
    col("text", &["内容", "消息内容", "聊天内容", "消息"], true),
    col("order_id", &["订单号", "订单编号", "订单ID"], false),
];
const M_CONV: usize = 0;
const M_TS: usize = 1;
const M_SHOP: usize = 2;
const M_CUSTOMER: usize = 3;
const M_AGENT: usize = 4;
const M_SENDER: usize = 5;
const M_TEXT: usize = 6;
const M_ORDER: usize = 7;

pub const ORDER_COLUMNS: &[ColumnSpec] = &[
    col("order_id", &["订单号", "订单编号", "订单ID"], true),
    col("customer_id", &["买家", "买家昵称", "买家账号"], true),
    col("shop", &["店铺", "店铺名"], false),
    col("created_at", &["下单时间", "创建时间", "订单创建时间"], true),
    col("paid_at", &["付款时间", "支付时间"], true),
    col("amount", &["金额", "实付金额", "订单金额", "实付款"], true),
    col("agent_id", &["客服", "子账号", "客服账号"], false),
];
const O_ID: usize = 0;
const O_CUSTOMER: usize = 1;
const O_SHOP: usize = 2;
const O_CREATED: usize = 3;
const O_PAID: usize = 4;
const O_AMOUNT: usize = 5;
const O_AGENT: usize = 6;

pub const CASE_COLUMNS: &[ColumnSpec] = &[
    col("case_id", &["售后单号", "工单号", "退款编号", "售后编号"], true),
    col("order_id", &["订单号", "订单编号"], false),
    col("customer_id", &["买家", "买家昵称"], false),
    col("agent_id", &["处理人", "客服", "售后客服", "子账号"], true),
    col("type", &["类型", "售后类型"], true),
    col("reason", &["原因", "售后原因", "退款原因"], false),
    col("opened_at", &["申请时间", "创建时间", "发起时间"], true),
    col("closed_at", &["完结时间", "关闭时间", "完成时间"], false),
    col("refund_amount", &["退款金额"], false),
    col("platform_intervened", &["平台介入", "是否平台介入"], false),
];
const C_ID: usize = 0;
const C_ORDER: usize = 1;
const C_CUSTOMER: usize = 2;
const C_AGENT: usize = 3;
const C_TYPE: usize = 4;
const C_REASON: usize = 5;
const C_OPENED: usize = 6;
const C_CLOSED: usize = 7;
const C_REFUND: usize = 8;
const C_INTERVENED: usize = 9;

/// Longest `raw` kept in a reject row.
const RAW_MAX: usize = 2000;

fn norm_header(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// Maps a header row to the spec's columns; errors name every missing required column.
fn map_header(header: &csv::StringRecord, spec: &[ColumnSpec]) -> std::result::Result<Vec<Option<usize>>, String> {
    let names: Vec<String> = header.iter().map(norm_header).collect();
    let idx: Vec<Option<usize>> = spec
        .iter()
        .map(|c| names.iter().position(|h| h == c.name || c.aliases.iter().any(|a| norm_header(a) == *h)))
        .collect();
    let missing: Vec<&str> =
        spec.iter().zip(&idx).filter(|(c, i)| c.required && i.is_none()).map(|(c, _)| c.name).collect();
    if missing.is_empty() {
        Ok(idx)
    } else {
        Err(format!(
            "missing required column(s) {} (found: {})",
            missing.join(", "),
            header.iter().collect::<Vec<_>>().join(", ")
        ))
    }
}

/// The delimiter of a CSV export: whichever of comma, tab and semicolon the header line uses most.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.chars().filter(|&x| x == c).count();
    [(b',', count(',')), (b'\t', count('\t')), (b';', count(';'))]
        .into_iter()
        .max_by_key(|&(d, n)| (n, d == b','))
        .map(|(d, _)| d)
        .unwrap_or(b',')
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `str::trim` (Unicode whitespace, so the ideographic space U+3000 too), without decoding any character when the
/// value's first and last characters cannot be whitespace, as with nearly every id, time, sender and shop name:
/// trimming every field was 6 % of ingest's instructions. Unicode whitespace is ASCII or starts with the byte C2, E1,
/// E2 or E3 (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000); any other character is kept without looking further.
fn trim(s: &str) -> &str {
    let visible = |lead: u8| lead.is_ascii_graphic() || (lead >= 0xC3 && !matches!(lead, 0xE1..=0xE3));
    let b = s.as_bytes();
    // The last character's first byte: at most three continuation bytes (10xxxxxx) back.
    let last = b.iter().rev().take(4).find(|&&x| x & 0xC0 != 0x80);
    match (b.first(), last) {
        (Some(&first), Some(&last)) if visible(first) && visible(last) => s,
        _ => s.trim(),
    }
}

/// One data row of a CSV file, with its columns addressed by spec position.
pub struct Row<'a> {
    rec: &'a csv::ByteRecord,
    idx: &'a [Option<usize>],
}

/// A field of a record read from a `&str`.
fn field(rec: &csv::ByteRecord, i: usize) -> Option<&str> {
    // SAFETY: records are read from a `&str` (valid UTF-8) and split only at ASCII bytes (the delimiter, quotes,
    // line ends), which never occur inside a multi-byte UTF-8 sequence; unescaping `""` drops an ASCII byte. So
    // every field is valid UTF-8, and validating it again cost a visible share of ingest.
    rec.get(i).map(|b| unsafe { std::str::from_utf8_unchecked(b) })
}

impl Row<'_> {
    /// The trimmed value of a column; "" when the column is absent or the row is short.
    pub fn get(&self, col: usize) -> &str {
        trim(self.raw(col))
    }
    /// The untrimmed value (for message text, where leading spaces may matter little but are the user's).
    pub fn raw(&self, col: usize) -> &str {
        self.idx[col].and_then(|i| field(self.rec, i)).unwrap_or("")
    }
}

pub enum Outcome {
    Used,
    OutOfPeriod,
    Reject(String),
}

/// Where a record was read: the line of its first byte (the header is line 1) and its bytes, from its first byte to
/// the end of its line end (`read_csv` trims the line end off for a reject's `raw`). Blank lines before a record
/// are not part of it: counting from the end of the record before (as the csv crate's positions do) numbered a row
/// after a blank line, and every row of a CRLF file (the LF is read with the next record), one line too early.
struct RecordAt {
    line: u64,
    start: usize,
    end: usize,
}

/// The records of a CSV text. A text without any `"` is split directly — a record ends at each CR or LF (empty
/// lines are skipped) and fields end at the delimiter, which is all the csv crate does when nothing is quoted — at
/// a fraction of its cost (csv_core was a third of ingest's instructions, and exports written by kefu gen, JDDC and
/// most shops' systems quote nothing). Any other text (or one starting with a byte-order mark) goes through the csv
/// crate. A test checks that both give the same records, lines and positions.
enum Records<'a> {
    Csv(csv::Reader<&'a [u8]>, &'a [u8]),
    Plain { text: &'a [u8], delimiter: u8, pos: usize, line: u64 },
}

/// The line ends at the start of `bytes` (blank lines, or the LF of a CRLF): how many bytes, and how many LFs.
fn line_ends(bytes: &[u8]) -> (usize, u64) {
    let ends = bytes.iter().take_while(|&&b| b == b'\r' || b == b'\n');
    ends.fold((0, 0), |(n, lfs), &b| (n + 1, lfs + (b == b'\n') as u64))
}

impl<'a> Records<'a> {
    fn new(text: &'a str, delimiter: u8) -> Self {
        let bytes = text.as_bytes();
        // The csv crate also drops a byte-order mark at the very start (decoding has removed it from files already).
        if bytes.contains(&b'"') || bytes.starts_with("\u{feff}".as_bytes()) {
            Records::csv(bytes, delimiter)
        } else {
            Records::plain(bytes, delimiter, 1)
        }
    }

    /// Split directly (the text must hold no `"`), numbering lines from `line`: a piece of a file that starts on
    /// that line.
    fn plain(bytes: &'a [u8], delimiter: u8, line: u64) -> Self {
        Records::Plain { text: bytes, delimiter, pos: 0, line }
    }

    /// Through the csv crate, whatever the text.
    fn csv(bytes: &'a [u8], delimiter: u8) -> Self {
        let rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(bytes);
        Records::Csv(rdr, bytes)
    }

    /// Reads the next record into `rec`: `Ok(None)` at the end, `Err((line, reason))` for a record the csv crate
    /// cannot read.
    fn next(&mut self, rec: &mut csv::ByteRecord) -> std::result::Result<Option<RecordAt>, (u64, String)> {
        match self {
            Records::Csv(rdr, text) => {
                let (start, line) = (rdr.position().byte() as usize, rdr.position().line());
                match rdr.read_byte_record(rec) {
                    Ok(false) => Ok(None),
                    Ok(true) => {
                        // The csv crate skips line ends before a record; the record starts after them.
                        let (n, lfs) = line_ends(text.get(start..).unwrap_or(&[]));
                        Ok(Some(RecordAt { line: line + lfs, start: start + n, end: rdr.position().byte() as usize }))
                    }
                    Err(e) => Err((line, e.to_string())),
                }
            }
            Records::Plain { text, delimiter, pos, line } => {
                let (n, lfs) = line_ends(&text[*pos..]);
                *pos += n;
                *line += lfs;
                let (start, record_line) = (*pos, *line);
                if *pos == text.len() {
                    return Ok(None);
                }
                let rest = &text[*pos..];
                let len = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
                let line_bytes = &rest[..len];
                rec.clear();
                let mut from = 0;
                for at in memchr::memchr_iter(*delimiter, line_bytes) {
                    rec.push_field(&line_bytes[from..at]);
                    from = at + 1;
                }
                rec.push_field(&line_bytes[from..]);
                *pos += len;
                if let Some(&b) = text.get(*pos) {
                    *line += (b == b'\n') as u64;
                    *pos += 1;
                }
                Ok(Some(RecordAt { line: record_line, start, end: *pos }))
            }
        }
    }
}

/// The columns of a file, from its header row.
struct Header {
    /// Spec position → field index.
    idx: Vec<Option<usize>>,
    /// Fields per row.
    width: usize,
}

/// Reads the header row. Fails when there is none or a required column is missing.
fn read_header(
    records: &mut Records,
    rec: &mut csv::ByteRecord,
    spec: &[ColumnSpec],
) -> std::result::Result<Header, String> {
    let header = match records.next(rec) {
        Ok(Some(_)) => (0..rec.len()).map(|i| field(rec, i).unwrap_or("")).collect::<csv::StringRecord>(),
        Ok(None) => return Err("the file is empty (no header row)".into()),
        Err((_, e)) => return Err(format!("cannot read the header row: {e}")),
    };
    Ok(Header { idx: map_header(&header, spec)?, width: header.len() })
}

/// Reads the data rows of `records` (which read `text`), calling `row` on each; rows with the wrong field count and
/// rows `row` rejects go to `rejects`.
#[allow(clippy::too_many_arguments)]
fn read_rows(
    records: &mut Records,
    text: &str,
    rec: &mut csv::ByteRecord,
    header: &Header,
    file: &str,
    stats: &mut FileStats,
    rejects: &mut Vec<Reject>,
    row: &mut impl FnMut(&Row) -> Outcome,
) {
    let width = header.width;
    loop {
        let at = match records.next(rec) {
            Ok(None) => break,
            Ok(Some(at)) => at,
            Err((line, e)) => {
                // The csv crate only fails here on I/O, which cannot happen on a &str; still, never panic.
                stats.rows_read += 1;
                stats.rows_rejected += 1;
                rejects.push(Reject {
                    file: file.into(),
                    line,
                    reason: format!("unreadable row: {e}"),
                    raw: String::new(),
                });
                continue;
            }
        };
        // Whitespace-only lines are not rows.
        if rec.len() == 1 && field(rec, 0).is_some_and(|f| f.trim().is_empty()) {
            continue;
        }
        stats.rows_read += 1;
        let outcome = if rec.len() != width {
            Outcome::Reject(format!("expected {width} fields, found {}", rec.len()))
        } else {
            row(&Row { rec, idx: &header.idx })
        };
        match outcome {
            Outcome::Used => stats.rows_used += 1,
            Outcome::OutOfPeriod => stats.rows_out_of_period += 1,
            Outcome::Reject(reason) => {
                stats.rows_rejected += 1;
                let raw = text.get(at.start..at.end.min(text.len())).unwrap_or("").trim_end_matches(['\r', '\n']);
                let raw = truncate(raw, RAW_MAX).to_string();
                rejects.push(Reject { file: file.into(), line: at.line, reason, raw });
            }
        }
    }
}

/// Reads a CSV text row by row, calling `row` on each; rows with the wrong field count and rows `row` rejects go
/// to `rejects`. Fails only when the header is unusable.
pub fn read_csv(
    text: &str,
    file: &str,
    spec: &[ColumnSpec],
    stats: &mut FileStats,
    rejects: &mut Vec<Reject>,
    mut row: impl FnMut(&Row) -> Outcome,
) -> std::result::Result<(), String> {
    let mut records = Records::new(text, sniff_delimiter(text));
    let mut rec = csv::ByteRecord::new();
    let header = read_header(&mut records, &mut rec, spec)?;
    read_rows(&mut records, text, &mut rec, &header, file, stats, rejects, &mut row);
    Ok(())
}

fn required_ts(v: &str, what: &str, settings: &Settings) -> std::result::Result<Ts, String> {
    if v.is_empty() {
        return Err(format!("missing {what}"));
    }
    parse_ts(v, settings.tz).ok_or_else(|| format!("unparseable {what} '{}'", truncate(v, 60)))
}

fn optional_ts(v: &str, what: &str, settings: &Settings) -> std::result::Result<Option<Ts>, String> {
    if v.is_empty() { Ok(None) } else { required_ts(v, what, settings).map(Some) }
}

/// The largest amount accepted (one trillion yuan): beyond it a value is a wrong column or a typo, and sums of such
/// values would overflow to `inf` in the reports.
pub const MAX_AMOUNT: f64 = 1e12;

/// Parses an amount as exports write it: `¥1,299.00`, `1299`, `￥ 12.5`.
pub fn parse_amount(v: &str) -> Option<f64> {
    let cleaned: String = v.chars().filter(|c| !matches!(c, '¥' | '￥' | ',' | ' ' | '元')).collect();
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite() && (0.0..=MAX_AMOUNT).contains(x))
}

fn amount(v: &str, what: &str, empty_is_zero: bool) -> std::result::Result<f64, String> {
    if v.is_empty() {
        return if empty_is_zero { Ok(0.0) } else { Err(format!("missing {what}")) };
    }
    parse_amount(v).ok_or_else(|| format!("unparseable {what} '{}'", truncate(v, 40)))
}

fn parse_flag(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "n" | "否" => Some(false),
        "1" | "true" | "yes" | "y" | "是" => Some(true),
        _ => None,
    }
}

/// Appends one message to the input tables.
#[allow(clippy::too_many_arguments)]
pub(crate) fn push_message(
    input: &mut Input,
    conversation: &str,
    ts: Ts,
    shop: &str,
    customer: &str,
    agent: &str,
    sender: Sender,
    text: &str,
    order: &str,
) {
    let customer = &*input.customer_id(customer);
    let names = &mut input.names;
    let conv = if conversation.is_empty() {
        names.intern(&format!("{shop}/{customer}/{agent}"))
    } else {
        names.intern(conversation)
    };
    let m = Message {
        conv,
        ts,
        shop: names.intern(shop),
        customer: names.intern(customer),
        agent: names.intern(agent),
        sender,
        order: names.intern(order),
        text_start: input.text.len(),
        text_len: text.len() as u32,
        seq: input.messages.len() as u32,
    };
    input.text.push_str(text);
    input.messages.push(m);
}

/// Reads one row of messages.csv into `input`.
fn message_row(r: &Row, settings: &Settings, input: &mut Input) -> Outcome {
    let ts = match required_ts(r.get(M_TS), "timestamp", settings) {
        Ok(ts) => ts,
        Err(e) => return Outcome::Reject(e),
    };
    let sender = match Sender::parse(r.get(M_SENDER)) {
        Some(s) => s,
        None if r.get(M_SENDER).is_empty() => return Outcome::Reject("missing sender".into()),
        None => return Outcome::Reject(format!("unknown sender '{}'", truncate(r.get(M_SENDER), 40))),
    };
    if let Err(e) = require(r, &[(M_CUSTOMER, "customer_id"), (M_AGENT, "agent_id")]) {
        return Outcome::Reject(e);
    }
    if !settings.in_period(ts) {
        return Outcome::OutOfPeriod;
    }
    push_message(
        input,
        r.get(M_CONV),
        ts,
        r.get(M_SHOP),
        r.get(M_CUSTOMER),
        r.get(M_AGENT),
        sender,
        r.raw(M_TEXT),
        r.get(M_ORDER),
    );
    Outcome::Used
}

/// Parses a `messages.csv` text into `input`. Errors only when the header is unusable.
pub fn parse_messages_csv(
    text: &str,
    file: &str,
    settings: &Settings,
    input: &mut Input,
) -> std::result::Result<FileStats, String> {
    let mut stats = FileStats { file: file.into(), ..Default::default() };
    let mut rejects = std::mem::take(&mut input.rejects);
    let res = read_csv(text, file, MESSAGE_COLUMNS, &mut stats, &mut rejects, |r| message_row(r, settings, input));
    input.rejects = rejects;
    res.map(|_| stats)
}

/// Bytes of messages.csv read at a time (`stream_messages_csv`).
const PIECE: usize = 8 << 20;

/// A file's whole lines, about `piece` bytes at a time (more when a line is longer), read into buffers the caller
/// hands back, so reading never touches fresh memory after the first pieces.
struct Pieces<R> {
    file: R,
    piece: usize,
    /// The bytes read past the last line feed of the piece before.
    carry: Vec<u8>,
    eof: bool,
    /// The line the next piece starts on.
    line: u64,
}

impl<R: std::io::Read> Pieces<R> {
    /// The next piece, into `buf`, and the line it starts on: whole lines ending at a line feed, or the rest of the
    /// file. `None` at the end.
    fn next(&mut self, mut buf: Vec<u8>) -> std::result::Result<Option<(Vec<u8>, u64)>, String> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut want = self.piece;
        let end = loop {
            if self.eof {
                break buf.len();
            }
            let more = want.saturating_sub(buf.len()) as u64;
            let n = std::io::Read::read_to_end(&mut std::io::Read::take(&mut self.file, more), &mut buf)
                .map_err(|e| format!("cannot read: {e}"))?;
            self.eof = (n as u64) < more;
            match memchr::memrchr(b'\n', &buf) {
                Some(i) if !self.eof => break i + 1,
                // A line longer than a piece: read on.
                _ => want = buf.len().max(self.piece) * 2,
            }
        };
        if buf.is_empty() {
            return Ok(None);
        }
        self.carry.extend_from_slice(&buf[end..]);
        buf.truncate(end);
        let line = self.line;
        self.line += memchr::memchr_iter(b'\n', &buf).count() as u64;
        Ok(Some((buf, line)))
    }
}

/// A piece as text, if this reading applies to it: valid UTF-8 without any `"`.
fn plain_text(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok().filter(|_| memchr::memchr(b'"', bytes).is_none())
}

/// What one piece of messages.csv added: its messages, texts and ids (numbered from 0 as in a file of their own),
/// rejects, and counts.
struct Part {
    input: Input,
    stats: FileStats,
}

/// Reads the rows of one piece (from its line `line` on) into a `Part`; `None` if the piece is not `plain_text`.
fn parse_piece(bytes: &[u8], line: u64, table: &(Header, u8), settings: &Settings, input: Input) -> Option<Part> {
    let text = plain_text(bytes)?;
    let mut part = Part { input, stats: FileStats::default() };
    let mut rejects = Vec::new();
    let mut records = Records::plain(bytes, table.1, line);
    read_rows(
        &mut records,
        text,
        &mut csv::ByteRecord::new(),
        &table.0,
        "messages.csv",
        &mut part.stats,
        &mut rejects,
        &mut |r| message_row(r, settings, &mut part.input),
    );
    part.input.rejects = rejects;
    Some(part)
}

/// Appends the parts, in file order, to `input` and their counts to `stats`.
fn merge(input: &mut Input, stats: &mut FileStats, parts: Vec<Part>) {
    for Part { input: part, stats: s } in parts {
        input.append(part);
        stats.rows_read += s.rows_read;
        stats.rows_used += s.rows_used;
        stats.rows_rejected += s.rows_rejected;
        stats.rows_out_of_period += s.rows_out_of_period;
    }
}

/// Reads a messages.csv piece by piece — whole lines, about `piece` bytes at a time — so the file is never held
/// whole: at 10 M messages (1.5 GB) reading it into fresh memory took about 4 s and 1.4 GB, reading it through a
/// few reused buffers a tenth of that. After the first piece (the header), pieces are parsed on every thread,
/// a batch at a time, each into a `Part` of its own, and the parts are appended in file order while the next batch
/// is parsed: ids are renumbered so that they come out as one pass would number them (`Input::append`).
///
/// Only for the files this reads exactly as `parse_messages_csv` reads the whole text: UTF-8 (with or without
/// BOM) without any `"`, where every line feed ends a record (exports written by kefu gen, JDDC and most shops'
/// systems). `Ok(None)` as soon as the file shows to be anything else (a quote, bytes that are not UTF-8, a UTF-16
/// BOM): the caller then reads it whole. After `Ok(None)` or `Err` (`parse_messages_csv`'s, or a read error),
/// `input` holds what was read so far: use a fresh one.
pub fn stream_messages_csv(
    file: impl std::io::Read,
    piece: usize,
    settings: &Settings,
    input: &mut Input,
) -> std::result::Result<Option<FileStats>, String> {
    use rayon::prelude::*;
    let mut stats = FileStats { file: "messages.csv".into(), encoding: "UTF-8".into(), ..Default::default() };
    let mut pieces = Pieces { file, piece, carry: Vec::new(), eof: false, line: 1 };
    let (mut first, _) = pieces.next(Vec::new())?.unwrap_or_default();
    if first.starts_with("\u{feff}".as_bytes()) {
        first.drain(..3);
        stats.encoding = "UTF-8 (BOM)".into();
    }
    // A UTF-16 BOM, or a second UTF-8 one (which the csv crate reads): read whole.
    if encoding_rs::Encoding::for_bom(&first).is_some() {
        return Ok(None);
    }
    let Some(text) = plain_text(&first) else { return Ok(None) };
    let delimiter = sniff_delimiter(text);
    let mut records = Records::plain(&first, delimiter, 1);
    let table = (read_header(&mut records, &mut csv::ByteRecord::new(), MESSAGE_COLUMNS)?, delimiter);
    let Records::Plain { pos, line, .. } = records else { unreachable!("a plain reader") };
    let pseudonyms = input.pseudonyms.clone();
    let part = || Input { pseudonyms: pseudonyms.clone(), ..Default::default() };
    // The rest of the first piece, after the header, is a piece like the others.
    let Some(rest) = parse_piece(&first[pos..], line, &table, settings, part()) else { return Ok(None) };
    let mut parsed = vec![rest];
    let mut free = vec![first];
    let batch_len = 2 * rayon::current_num_threads();
    loop {
        let mut batch = Vec::with_capacity(batch_len);
        while batch.len() < batch_len {
            match pieces.next(free.pop().unwrap_or_default())? {
                Some(p) => batch.push(p),
                None => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        // The parts of the batch before are appended while this batch is parsed.
        let (_, next) = rayon::join(
            || merge(input, &mut stats, std::mem::take(&mut parsed)),
            || -> Option<Vec<Part>> {
                batch.par_iter().map(|(b, line)| parse_piece(b, *line, &table, settings, part())).collect()
            },
        );
        let Some(next) = next else { return Ok(None) };
        parsed = next;
        free.extend(batch.into_iter().map(|(b, _)| b));
    }
    merge(input, &mut stats, parsed);
    Ok(Some(stats))
}

/// Fails with "missing X" for the first of these columns that is empty.
fn require(r: &Row, cols: &[(usize, &str)]) -> std::result::Result<(), String> {
    match cols.iter().find(|(c, _)| r.get(*c).is_empty()) {
        Some((_, what)) => Err(format!("missing {what}")),
        None => Ok(()),
    }
}

/// Reads a table of records keyed by one column: `parse` turns a row into a record (None = outside the period);
/// a row repeating an earlier valid row's key is rejected (the first row wins).
fn parse_keyed<T>(
    text: &str,
    file: &str,
    spec: &[ColumnSpec],
    key: (usize, &str),
    input: &mut Input,
    mut parse: impl FnMut(&Row, &mut Names) -> std::result::Result<Option<T>, String>,
) -> std::result::Result<(FileStats, Vec<T>), String> {
    let mut stats = FileStats { file: file.into(), ..Default::default() };
    let mut records = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let Input { names, rejects, .. } = input;
    read_csv(text, file, spec, &mut stats, rejects, |r| match parse(r, names) {
        Err(e) => Outcome::Reject(e),
        Ok(_) if !seen.insert(r.get(key.0).to_string()) => {
            Outcome::Reject(format!("duplicate {} '{}'", key.1, truncate(r.get(key.0), 60)))
        }
        Ok(Some(x)) => {
            records.push(x);
            Outcome::Used
        }
        Ok(None) => Outcome::OutOfPeriod,
    })?;
    Ok((stats, records))
}

/// Parses an `orders.csv` text into `input.orders`. A repeated order_id is rejected (the first row wins).
pub fn parse_orders_csv(
    text: &str,
    file: &str,
    settings: &Settings,
    input: &mut Input,
) -> std::result::Result<FileStats, String> {
    let pseudonyms = input.pseudonyms.clone();
    let (stats, orders) = parse_keyed(text, file, ORDER_COLUMNS, (O_ID, "order_id"), input, |r, names| {
        require(r, &[(O_ID, "order_id"), (O_CUSTOMER, "customer_id")])?;
        let created = required_ts(r.get(O_CREATED), "created_at", settings)?;
        let paid = optional_ts(r.get(O_PAID), "paid_at", settings)?;
        if paid.is_some_and(|p| p < created) {
            return Err("paid_at is before created_at".into());
        }
        let amount = amount(r.get(O_AMOUNT), "amount", false)?;
        if !settings.in_period(created) {
            return Ok(None);
        }
        Ok(Some(Order {
            id: names.intern(r.get(O_ID)),
            customer: names.intern(&Pseudonymizer::customer_id(pseudonyms.as_ref(), r.get(O_CUSTOMER))),
            shop: names.intern(r.get(O_SHOP)),
            created,
            paid,
            amount,
            agent: names.intern(r.get(O_AGENT)),
        }))
    })?;
    input.orders.extend(orders);
    Ok(stats)
}

/// Parses an `aftersales.csv` text into `input.cases`. A repeated case_id is rejected (the first row wins).
pub fn parse_aftersales_csv(
    text: &str,
    file: &str,
    settings: &Settings,
    input: &mut Input,
) -> std::result::Result<FileStats, String> {
    let pseudonyms = input.pseudonyms.clone();
    let (stats, cases) = parse_keyed(text, file, CASE_COLUMNS, (C_ID, "case_id"), input, |r, names| {
        require(r, &[(C_ID, "case_id"), (C_AGENT, "agent_id")])?;
        let kind =
            CaseKind::parse(r.get(C_TYPE)).ok_or_else(|| format!("unknown type '{}'", truncate(r.get(C_TYPE), 40)))?;
        let opened = required_ts(r.get(C_OPENED), "opened_at", settings)?;
        let closed = optional_ts(r.get(C_CLOSED), "closed_at", settings)?;
        if closed.is_some_and(|c| c < opened) {
            return Err("closed_at is before opened_at".into());
        }
        let refund_amount = amount(r.get(C_REFUND), "refund_amount", true)?;
        let intervened = parse_flag(r.get(C_INTERVENED))
            .ok_or_else(|| format!("platform_intervened '{}' is not 0/1", truncate(r.get(C_INTERVENED), 20)))?;
        if !settings.in_period(opened) {
            return Ok(None);
        }
        Ok(Some(Case {
            id: names.intern(r.get(C_ID)),
            order: names.intern(r.get(C_ORDER)),
            customer: names.intern(&Pseudonymizer::customer_id(pseudonyms.as_ref(), r.get(C_CUSTOMER))),
            agent: names.intern(r.get(C_AGENT)),
            kind,
            reason: r.get(C_REASON).to_string(),
            opened,
            closed,
            refund_amount,
            intervened,
        }))
    })?;
    input.cases.extend(cases);
    Ok(stats)
}

fn read_file(path: &Path) -> Result<Decoded> {
    let bytes = std::fs::read(path).map_err(|e| KefuError::input(path, format!("cannot read: {e}")))?;
    Ok(decode(bytes))
}

fn encoding_label(d: &Decoded) -> String {
    if d.had_errors { format!("{} (invalid bytes replaced)", d.encoding) } else { d.encoding.to_string() }
}

/// The kind of a reject reason, for grouping: the reason without the quoted value and with numbers as `N`
/// (`unknown sender '老板'` → `unknown sender`, `expected 8 fields, found 3` → `expected N fields, found N`).
pub fn reject_kind(reason: &str) -> String {
    let head = reason.split(" '").next().unwrap_or(reason).trim_end_matches(':');
    let mut out = String::with_capacity(head.len());
    let mut in_number = false;
    for c in head.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// Rejects grouped by `reject_kind`, kinds in the order they first occur, rows in input order.
pub fn group_rejects(rejects: &[Reject]) -> Vec<(String, Vec<&Reject>)> {
    let mut groups: Vec<(String, Vec<&Reject>)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for r in rejects {
        let kind = reject_kind(&r.reason);
        let i = *at.entry(kind.clone()).or_insert_with(|| {
            groups.push((kind, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(r);
    }
    groups
}

/// Whether a file of `FileStats::file` holds chat messages (messages.csv or a transcript).
pub fn is_message_file(file: &str) -> bool {
    file == "messages.csv" || file.starts_with("transcripts/")
}

/// How many duplicate messages `kefu check` shows by example.
pub const DUPLICATE_EXAMPLES: usize = 5;

/// Leaves out every message that repeats an earlier one exactly (same conversation, time, sender, shop, customer,
/// agent, order and text; the earliest in input order is kept), moves its count from `rows_used` to
/// `rows_duplicate` of the file it came from (`spans`: file index → the messages it added), and renumbers `seq`.
/// Exports that overlap (two weekly files pasted together, a day exported twice) would otherwise count every
/// such message, turn and violation twice.
pub fn drop_duplicate_messages(input: &mut Input, spans: &[(usize, std::ops::Range<usize>)]) {
    use rayon::prelude::*;
    let msgs = &input.messages;
    let key = |m: &Message| (m.conv, m.ts, m.sender, m.customer, m.agent, m.shop, m.order);
    // Messages sorted by a hash of what makes two the same, then by position: equal messages end up side by side,
    // the first read first. Sorting plain (hash, index) pairs instead of comparing the messages themselves (a cache
    // miss per comparison at 10 M messages) made this a fraction of its cost; a run of equal hashes is then checked
    // message by message, so a collision never drops a message.
    let hash = |m: &Message| crate::model::fixed_hash((key(m), input.text(m)));
    let mut order: Vec<(u64, u32)> =
        (0..msgs.len() as u32).into_par_iter().map(|i| (hash(&msgs[i as usize]), i)).collect();
    order.par_sort_unstable();
    let mut dup = vec![false; msgs.len()];
    let mut found = 0;
    for run in order.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        for (j, &(_, b)) in run.iter().enumerate().skip(1) {
            let y = &msgs[b as usize];
            let same = |&(_, a): &(u64, u32)| {
                let x = &msgs[a as usize];
                key(x) == key(y) && input.text(x) == input.text(y)
            };
            if run[..j].iter().any(same) {
                dup[b as usize] = true;
                found += 1;
            }
        }
    }
    if found == 0 {
        return;
    }
    for (file, range) in spans {
        let n = dup[range.clone()].iter().filter(|d| **d).count() as u64;
        let stats = &mut input.files[*file];
        stats.rows_used -= n;
        stats.rows_duplicate += n;
        for i in range.clone().filter(|&i| dup[i]).take(DUPLICATE_EXAMPLES.saturating_sub(input.duplicates.len())) {
            let m = &input.messages[i];
            input.duplicates.push(crate::model::Duplicate { file: stats.file.clone(), conversation: m.conv, ts: m.ts });
        }
    }
    let mut i = 0;
    input.messages.retain(|_| {
        i += 1;
        !dup[i - 1]
    });
    for (i, m) in input.messages.iter_mut().enumerate() {
        m.seq = i as u32;
    }
}

/// Reads every input file of an INPUT folder. Fails when the folder has no messages, or a file is unusable.
pub fn load_input(dir: &Path, settings: &Settings) -> Result<Input> {
    if !dir.is_dir() {
        return Err(KefuError::input(dir, "input folder not found"));
    }
    let fresh = || Input { pseudonyms: settings.pseudonym_key.clone(), ..Default::default() };
    let mut input = fresh();
    let messages_csv = dir.join("messages.csv");
    let transcript_dir = dir.join("transcripts");
    let mut transcript_files: Vec<_> = match std::fs::read_dir(&transcript_dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("txt")) && p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    transcript_files.sort();
    if !messages_csv.is_file() && transcript_files.is_empty() {
        return Err(KefuError::input(dir, "no messages.csv and no transcripts/*.txt in the input folder"));
    }
    // The messages each message file added, to attribute duplicates to files.
    let mut spans: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    if messages_csv.is_file() {
        // The first file read, into the fresh `input`: streamed when it can be, else read whole into another.
        let fail = |r| KefuError::input(&messages_csv, r);
        let file = std::fs::File::open(&messages_csv).map_err(|e| fail(format!("cannot read: {e}")))?;
        let stats = match stream_messages_csv(file, PIECE, settings, &mut input).map_err(fail)? {
            Some(stats) => stats,
            None => {
                input = fresh();
                let d = read_file(&messages_csv)?;
                let mut stats = parse_messages_csv(&d.text, "messages.csv", settings, &mut input).map_err(fail)?;
                stats.encoding = encoding_label(&d);
                stats
            }
        };
        spans.push((input.files.len(), 0..input.messages.len()));
        input.files.push(stats);
    }
    for path in &transcript_files {
        let d = read_file(path)?;
        // A window's file is often named after the buyer: the name is shown masked like any id.
        let name =
            crate::mask::mask(&format!("transcripts/{}", path.file_name().unwrap_or_default().to_string_lossy()));
        let first = input.messages.len();
        let mut stats = transcripts::parse_transcript(&d.text, &name, settings, &mut input);
        stats.encoding = encoding_label(&d);
        spans.push((input.files.len(), first..input.messages.len()));
        input.files.push(stats);
    }
    drop_duplicate_messages(&mut input, &spans);
    type Parser = fn(&str, &str, &Settings, &mut Input) -> std::result::Result<FileStats, String>;
    let optional: [(&str, Parser); 2] = [("orders.csv", parse_orders_csv), ("aftersales.csv", parse_aftersales_csv)];
    for (name, parse) in optional {
        let path = dir.join(name);
        if path.is_file() {
            let d = read_file(&path)?;
            let mut stats = parse(&d.text, name, settings, &mut input).map_err(|r| KefuError::input(&path, r))?;
            stats.encoding = encoding_label(&d);
            input.files.push(stats);
        }
    }
    // From here on, ids are only shown: hide the personal data some of them hold (a phone number as buyer id).
    input.names.mask_personal_data();
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Input, FileStats) {
        let mut input = Input::default();
        let stats = parse_messages_csv(text, "messages.csv", &Settings::default(), &mut input).unwrap();
        (input, stats)
    }

    /// Every record of `records`: fields, line, start and end.
    fn all_records(mut records: Records) -> Vec<(Vec<Vec<u8>>, u64, usize, usize)> {
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while let Some(at) = records.next(&mut rec).expect("a &str never fails") {
            out.push((rec.iter().map(<[u8]>::to_vec).collect(), at.line, at.start, at.end));
        }
        out
    }

    #[test]
    fn quote_free_text_splits_as_the_csv_crate_reads_it() {
        let pieces = ["a", "bc", ",", ";", "\t", "\r", "\n", "\r\n", " ", "中", "\u{3000}", "\n\n", "\u{feff}", "#"];
        let mut rng = crate::rng::Rng::new(7);
        for case in 0..3000 {
            let n = rng.range(0, 40) as usize;
            let text: String = (0..n).map(|_| rng.pick(&pieces)).collect();
            let delimiter = rng.pick(b",\t;");
            let plain = Records::new(&text, delimiter);
            assert_eq!(matches!(plain, Records::Plain { .. }), !text.starts_with('\u{feff}'));
            let csv = Records::csv(text.as_bytes(), delimiter);
            assert_eq!(all_records(plain), all_records(csv), "case {case}: {text:?}");
        }
        assert!(matches!(Records::new("a,\"b\"\n", b','), Records::Csv(..)));
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

    /// What a parse left in `input`, in a form to compare: messages (ids as names and numbers), rejects, and the
    /// stats.
    fn contents(input: &Input, stats: &FileStats) -> String {
        let messages: Vec<String> = input
            .messages
            .iter()
            .map(|m| {
                let n = |id| input.name(id);
                let (conv, shop, customer, agent, order) =
                    (n(m.conv), n(m.shop), n(m.customer), n(m.agent), n(m.order));
                let ids = [m.conv, m.shop, m.customer, m.agent, m.order];
                format!(
                    "{conv}|{}|{shop}|{customer}|{agent}|{:?}|{order}|{}|{}|{ids:?}",
                    m.ts,
                    m.sender,
                    m.seq,
                    input.text(m)
                )
            })
            .collect();
        format!("{messages:#?}\n{:#?}\n{stats:?}", input.rejects)
    }

    /// A messages.csv read piece by piece — pieces as small as a byte, so that pieces end inside lines, CRLFs and
    /// characters, lines are longer than a piece, and many pieces are parsed in parallel and merged — gives exactly
    /// what reading the whole text gives: messages, ids and their numbers, text, rejects with their lines and raw
    /// text, counts, encoding.
    #[test]
    fn a_file_read_piece_by_piece_reads_as_the_whole_text() {
        let header = [
            "会话ID,时间,店铺,买家,客服,发送方,内容",
            "conversation_id\ttimestamp\tcustomer_id\tagent_id\tsender\ttext",
        ];
        let mut rng = crate::rng::Rng::new(11);
        let mut checked = 0;
        for case in 0..400 {
            let tabs = rng.chance(0.3);
            let mut text = String::new();
            if rng.chance(0.2) {
                text.push('\u{feff}');
            }
            text.push_str(header[tabs as usize]);
            for _ in 0..rng.range(0, 30) {
                let end = rng.pick(&["\n", "\r\n", "\n\n", "\r\n\r\n", "\r", "\n  \n"]);
                text.push_str(end);
                let ts = rng.pick(&["2026-11-11 10:00:00", "2026-11-11 10:00:05", "坏时间", ""]);
                let sender = rng.pick(&["买家", "客服", "老板", "customer", "agent"]);
                let body = rng.pick(&["在吗", "亲，在的哦~", "", " 空格 ", "😀好评", "多,一,列"]);
                let conv = rng.pick(&["c1", "c2", ""]);
                let row = if tabs {
                    format!("{conv}\t{ts}\tu{}\ta\t{sender}\t{}", rng.range(0, 3), body.replace(',', "\t"))
                } else {
                    format!("{conv},{ts},店,u{},a,{sender},{body}", rng.range(0, 3))
                };
                text.push_str(&row);
            }
            if rng.chance(0.5) {
                text.push('\n');
            }
            let whole = crate::ingest::decode(text.clone().into_bytes());
            let mut expected_input = Input::default();
            let expected = parse_messages_csv(&whole.text, "messages.csv", &Settings::default(), &mut expected_input)
                .map(|mut stats| {
                    stats.encoding = encoding_label(&whole);
                    contents(&expected_input, &stats)
                });
            for piece in [1, 2, 3, 5, 16, 1 << 20] {
                let mut input = Input::default();
                let got = stream_messages_csv(text.as_bytes(), piece, &Settings::default(), &mut input)
                    .map(|stats| contents(&input, &stats.expect("UTF-8 without quotes is streamed")));
                assert_eq!(got, expected, "case {case}, pieces of {piece} bytes: {text:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 2400);
        // The header's errors are the whole text's.
        let mut input = Input::default();
        let err = |text: &str, input: &mut Input| stream_messages_csv(text.as_bytes(), 4, &Settings::default(), input);
        assert_eq!(err("", &mut input), Err("the file is empty (no header row)".into()));
        assert!(err("时间,内容\n", &mut input).unwrap_err().starts_with("missing required column"));
    }

    /// A file the pieces cannot be read from exactly as the whole text is handed back, wherever that shows.
    #[test]
    fn files_with_quotes_or_other_encodings_are_read_whole() {
        let ok = "会话ID,时间,买家,客服,发送方,内容\nc1,2026-11-11 10:00:00,u,a,买家,在吗\n";
        let gbk = encoding_rs::GB18030.encode("c1,2026-11-11 10:00:01,u,a,买家,谢谢亲\n").0.into_owned();
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(ok.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let late = |tail: &[u8]| [ok.repeat(50).as_bytes(), tail].concat();
        for (what, bytes) in [
            ("a quote", format!("{ok}c1,2026-11-11 10:00:01,u,a,买家,\"在,吗\"\n").into_bytes()),
            ("a quote in a later piece", late(b"c1,2026-11-11 10:00:01,u,a,x,\"\"\n")),
            ("GB18030 lines", late(&gbk)),
            ("UTF-16", utf16),
            ("two BOMs", ["\u{feff}\u{feff}", ok].concat().into_bytes()),
        ] {
            let mut input = Input::default();
            assert_eq!(stream_messages_csv(&bytes[..], 64, &Settings::default(), &mut input), Ok(None), "{what}");
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
        assert_eq!(input.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        assert_eq!((input.files[0].rows_used, input.files[0].rows_duplicate), (4, 2));
    }

    #[test]
    fn trim_is_str_trim() {
        let cases = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{3000}客服\u{3000}",
            "客服",
            "x\u{3000}",
            "\u{a0}1",
            "1\t",
            "tb_张三",
            "a b",
            "客服\u{85}",
            "\u{2003}客",
            "「好」",
            "é",
            "x\u{2003}",
            "\u{1680}",
            "😀",
            "😀 ",
            "\u{feff}",
        ];
        for s in cases {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
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
    fn amounts_as_exports_write_them_and_no_absurd_ones() {
        assert_eq!(parse_amount("¥1,299.00"), Some(1299.0));
        assert_eq!(parse_amount("￥ 12.5元"), Some(12.5));
        // Sums of such values were `inf` in shops.csv (found by tests/fuzz.rs).
        for bad in ["1e308", "-5", "NaN", "inf", "1e13", ""] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
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
        let cases = "case_id,order_id,customer_id,agent_id,type,reason,opened_at,closed_at,refund_amount,platform_intervened\n\
                     k1,o1,c,s:售后,仅退款,不想要了,2026-11-12 10:00:00,2026-11-12 18:00:00,99.5,0\n\
                     k2,o1,c,s:售后,投诉,态度差,2026-11-12 10:00:00,,,是\n\
                     k3,o1,c,s:售后,退款,x,2026-11-12 10:00:00,,,maybe\n";
        let st = parse_aftersales_csv(cases, "aftersales.csv", &s, &mut input).unwrap();
        assert_eq!((st.rows_used, st.rows_rejected), (2, 1));
        assert_eq!(input.cases[0].kind, CaseKind::RefundOnly);
        assert!(input.cases[1].intervened && input.cases[1].closed.is_none());
    }
}
