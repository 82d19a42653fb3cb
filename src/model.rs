//! Typed in-memory tables produced by ingest and consumed by every later stage.
//!
//! Identifiers (agents, customers, shops, conversations, orders) are interned once into `Names`, so rows are small
//! fixed-size structs and joins are integer compares. Id `0` is always the empty string, which stands for "absent".
//! Message text lives once in one arena (`Messages::text`); a row holds only its span.

use std::collections::HashMap;

pub(crate) use crate::timefmt::SECS_PER_DAY;
pub use crate::timefmt::Ts;

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Sender {
    Customer,
    Agent,
    Bot,
    System,
}

impl Sender {
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::Customer => "customer",
            Sender::Agent => "agent",
            Sender::Bot => "bot",
            Sender::System => "system",
        }
    }
}

/// An unpaid order's reason (SPEC §3 "Unpaid reason"), the one table of the categories and their Chinese labels. A
/// rule of category `未付款原因` is named with one of these labels (checked when the rules load, so a typo in a rule
/// file is refused rather than becoming a category of its own); `Unknown` (未知) is the reason of an order with no
/// evidence.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum UnpaidReason {
    Forgot,
    Funds,
    Payment,
    Price,
    Coupon,
    Comparing,
    Shipping,
    Delivery,
    Size,
    Quality,
    AfterSales,
    Mistake,
    Details,
    Stock,
    Unknown,
}

impl UnpaidReason {
    /// Every reason with its label, in the SPEC's order.
    pub const ALL: [(UnpaidReason, &'static str); 15] = [
        (UnpaidReason::Forgot, "忘记付款"),
        (UnpaidReason::Funds, "资金不足"),
        (UnpaidReason::Payment, "支付问题"),
        (UnpaidReason::Price, "价格/议价"),
        (UnpaidReason::Coupon, "等优惠"),
        (UnpaidReason::Comparing, "比价/考虑"),
        (UnpaidReason::Shipping, "运费"),
        (UnpaidReason::Delivery, "发货/物流时效"),
        (UnpaidReason::Size, "尺码/规格"),
        (UnpaidReason::Quality, "质量顾虑"),
        (UnpaidReason::AfterSales, "售后顾虑"),
        (UnpaidReason::Mistake, "拍错/重复"),
        (UnpaidReason::Details, "改地址/信息"),
        (UnpaidReason::Stock, "缺货"),
        (UnpaidReason::Unknown, "未知"),
    ];

    pub fn label(self) -> &'static str {
        Self::ALL.iter().find(|(r, _)| *r == self).map_or("未知", |(_, l)| l)
    }

    pub fn from_label(s: &str) -> Option<UnpaidReason> {
        Self::ALL.iter().find(|(_, l)| *l == s).map(|(r, _)| *r)
    }
}

/// String interner: every distinct id string once, addressed by a dense `u32`. Id 0 is "".
///
/// The strings sit back to back in one buffer and the table holds only `(hash, id)`: five ids are interned per
/// message read, and two heap allocations per distinct id (a key and a copy) were, with freeing them, a tenth of
/// ingest at 10 M messages.
#[derive(Debug, Clone)]
pub struct Names {
    text: String,
    /// Byte range of each id's string in `text`, by id.
    spans: Vec<(usize, usize)>,
    /// `(hash of the string, id)`; the hash is kept so growing the table never hashes a string again.
    table: hashbrown::HashTable<(u64, u32)>,
}

impl Default for Names {
    fn default() -> Self {
        let mut n = Names { text: String::new(), spans: Vec::new(), table: hashbrown::HashTable::new() };
        n.intern("");
        n
    }
}

/// foldhash with a fixed seed, for ingest's tables of ids and messages: SipHash was a visible part of ingest, and
/// the input is not chosen by an attacker.
pub(crate) fn fixed_hash<T: std::hash::Hash>(x: T) -> u64 {
    std::hash::BuildHasher::hash_one(&foldhash::fast::FixedState::default(), x)
}

impl Names {
    pub fn intern(&mut self, s: &str) -> u32 {
        let hash = fixed_hash(s);
        if let Some(id) = self.find(hash, s) {
            return id;
        }
        let id = u32::try_from(self.spans.len()).expect("more than 4 billion distinct ids");
        let start = self.text.len();
        self.text.push_str(s);
        self.spans.push((start, self.text.len()));
        self.table.insert_unique(hash, (hash, id), |&(h, _)| h);
        id
    }
    fn find(&self, hash: u64, s: &str) -> Option<u32> {
        self.table.find(hash, |&(h, id)| h == hash && self.get(id) == s).map(|&(_, id)| id)
    }
    pub fn get(&self, id: u32) -> &str {
        let (a, b) = self.spans[id as usize];
        &self.text[a..b]
    }
    /// Replaces every id that holds personal data (a phone or ID number, an address, …: `mask::find_pii`) by its
    /// masked form, numbered when two masked forms would be equal (`138****5678`, `138****5678~2`, in the order
    /// the ids were first read), so ids stay distinct in every output without showing the data. Run once, after
    /// every file is read: `lookup` by the original string no longer finds a masked id.
    pub fn mask_personal_data(&mut self) {
        let mut seen: HashMap<String, u32> = HashMap::new();
        for id in 0..self.spans.len() as u32 {
            let original = self.get(id);
            if crate::mask::find_pii(original).is_empty() {
                continue;
            }
            let masked = crate::mask::mask(original);
            let n = seen.entry(masked.clone()).or_insert(0);
            *n += 1;
            let shown = if *n == 1 { masked } else { format!("{masked}~{n}") };
            if let Ok(entry) = self.table.find_entry(fixed_hash(original), |&(_, i)| i == id) {
                entry.remove();
            }
            let start = self.text.len();
            self.text.push_str(&shown);
            self.spans[id as usize] = (start, self.text.len());
        }
    }
    /// Every id string, by id (index 0 is "").
    pub fn all(&self) -> impl ExactSizeIterator<Item = &str> {
        self.spans.iter().map(|&(a, b)| &self.text[a..b])
    }
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.find(fixed_hash(s), s)
    }
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.len() <= 1
    }
}

/// One chat message. Its index in `Input::messages` is its position in input order (files in name order, rows in file
/// order), which breaks timestamp ties. 40 bytes: at 10 M messages the rows are the largest thing held.
#[derive(Debug, Clone, Copy)]
pub struct Message {
    pub conv: u32,
    pub ts: Ts,
    pub shop: u32,
    pub customer: u32,
    pub agent: u32,
    pub sender: Sender,
    pub order: u32,
    /// Where its text starts in `Input::text` (`TEXT_LIMIT`).
    pub text_start: u32,
    pub text_len: u32,
}

/// The most bytes of message text one run holds: a text's start is kept in 32 bits. A larger input is refused as
/// it is read (`ingest::load_input`), never read with texts that overlap; it is split by shop or customer and read
/// as partial runs (docs/scale-out.md).
pub const TEXT_LIMIT: usize = u32::MAX as usize;

const _: () = assert!(std::mem::size_of::<Message>() == 40, "a message row stays 40 bytes");

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Order {
    pub id: u32,
    pub customer: u32,
    pub shop: u32,
    pub created: Ts,
    pub paid: Option<Ts>,
    pub amount: f64,
    /// Explicit `agent_id` of the order file; 0 when absent (then attributed, SPEC §3).
    pub agent: u32,
    /// The export's 订单状态, kept as read (an order is unpaid when it has no payment time, whatever its status).
    pub status: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CaseKind {
    RefundOnly,
    ReturnRefund,
    Exchange,
    Complaint,
}

impl CaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::RefundOnly => "refund_only",
            CaseKind::ReturnRefund => "return_refund",
            CaseKind::Exchange => "exchange",
            CaseKind::Complaint => "complaint",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: u32,
    pub order: u32,
    pub customer: u32,
    pub agent: u32,
    pub kind: CaseKind,
    pub reason: String,
    pub opened: Ts,
    pub closed: Option<Ts>,
    pub refund_amount: f64,
    pub intervened: bool,
    /// The export's 退款状态, kept as read.
    pub status: u32,
}

/// A satisfaction rating (满意度, SPEC §8): a customer's stars for an agent (`agent` 0 when the export names none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub customer: u32,
    pub agent: u32,
    pub at: Ts,
    /// 5 很满意, 4 满意, 3 一般, 2 不满意, 1 很不满意.
    pub stars: u8,
}

/// A row that could not be used, with where it came from (SPEC §2: never dropped silently).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    pub reason: String,
    pub raw: String,
}

/// What ingest did with one input file (or one sheet of a workbook).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct FileStats {
    pub file: String,
    /// The table its rows went to: `messages`, `orders` or `aftersales`.
    pub table: String,
    /// How it was read: `CSV`, `xlsx`, `xls`, `千牛 transcript`.
    pub format: String,
    pub encoding: String,
    /// The header's line (or sheet row), when the format has a header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_row: Option<u64>,
    /// `header cell → column` for every column read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_rejected: u64,
    /// Rows outside `--from/--to`: read and valid, deliberately left out.
    pub rows_out_of_period: u64,
    /// Messages that repeat an earlier message exactly (same conversation, time, sender, ids, order and text):
    /// counted once, the repeats left out.
    pub rows_duplicate: u64,
    /// Rows and lines that are not data and were left out on purpose, counted by kind in `skipped` (title rows, totals
    /// rows, read marks, recalls, transfer notices, …). `rows_read = rows_used + rows_rejected + rows_out_of_period +
    /// rows_duplicate + rows_skipped`.
    pub rows_skipped: u64,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub skipped: std::collections::BTreeMap<String, u64>,
    /// Messages per transcript layout (`standard`, `header`, `compact`, `arrow`).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub layouts: std::collections::BTreeMap<String, u64>,
    /// Times read without seconds (`2026-11-11 10:05`): response seconds cannot be measured from them.
    #[serde(skip_serializing_if = "is_zero")]
    pub minute_only_times: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl FileStats {
    pub fn new(file: &str, table: &str, format: &str) -> FileStats {
        FileStats { file: file.into(), table: table.into(), format: format.into(), ..Default::default() }
    }
    /// Adds another part's counts (a piece of the same file).
    pub fn add_counts(&mut self, o: &FileStats) {
        self.rows_read += o.rows_read;
        self.rows_used += o.rows_used;
        self.rows_rejected += o.rows_rejected;
        self.rows_out_of_period += o.rows_out_of_period;
        self.rows_duplicate += o.rows_duplicate;
        self.rows_skipped += o.rows_skipped;
        for (k, n) in &o.skipped {
            *self.skipped.entry(k.clone()).or_insert(0) += n;
        }
        for (k, n) in &o.layouts {
            *self.layouts.entry(k.clone()).or_insert(0) += n;
        }
        self.minute_only_times += o.minute_only_times;
    }
}

/// Rows read, used, rejected and the rest, summed over files (summary.json `rows`, the page, the terminal).
#[derive(Debug, Clone, serde::Serialize, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub read: u64,
    pub used: u64,
    pub rejected: u64,
    pub out_of_period: u64,
    /// Repeats of a message already read (counted once).
    pub duplicates: u64,
    /// Rows and lines that are not data, skipped and counted by kind (summary.json `files[].skipped`).
    /// `read = used + rejected + out_of_period + duplicates + skipped`.
    pub skipped: u64,
}

impl RowCounts {
    pub fn of(files: &[FileStats]) -> RowCounts {
        files.iter().fold(RowCounts::default(), |a, f| RowCounts {
            read: a.read + f.rows_read,
            used: a.used + f.rows_used,
            rejected: a.rejected + f.rows_rejected,
            out_of_period: a.out_of_period + f.rows_out_of_period,
            duplicates: a.duplicates + f.rows_duplicate,
            skipped: a.skipped + f.rows_skipped,
        })
    }
}

/// One duplicate message left out, as `kefu check` shows it: where, which conversation, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub file: String,
    /// The conversation's id (`Names`).
    pub conversation: u32,
    pub ts: Ts,
}

/// A notice about the input as a whole that a supervisor must see before trusting the figures (SPEC §7: ids that do
/// not meet across files, times without seconds, files not read): printed on the terminal, listed in summary.json
/// and shown on the page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// A short key (`join`, `minute_only`, `not_read`, …).
    pub kind: String,
    /// For the terminal and summary.json.
    pub message: String,
    /// The same in Chinese, for the page.
    pub zh: String,
}

/// A file or folder of the input that kefu did not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unread {
    pub file: String,
    pub reason: String,
}

/// A conversation handed from one agent to another, from a transcript's transfer notice (SPEC §7, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    pub conv: u32,
    /// The time of the message before the notice (a notice carries no time of its own).
    pub ts: Ts,
    /// The agents' ids; 0 where the notice does not name one.
    pub from: u32,
    pub to: u32,
}

/// How order customers meet the chat customers (SPEC §7 join warnings; summary.json `joins`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Joins {
    /// Distinct customers of the orders read.
    pub order_customers: u64,
    /// Of those, customers with a chat message.
    pub in_chat: u64,
}

/// Everything read from an INPUT folder.
#[derive(Debug, Default)]
pub struct Input {
    pub names: Names,
    pub messages: Vec<Message>,
    /// Arena holding every message text once; `Message::text_start/text_len` index into it. After the text stage,
    /// only the texts the tables read (`keep_texts`).
    pub text: String,
    pub orders: Vec<Order>,
    pub cases: Vec<Case>,
    pub ratings: Vec<Rating>,
    pub rejects: Vec<Reject>,
    /// The first few duplicate messages left out (their count is in `files`).
    pub duplicates: Vec<Duplicate>,
    pub files: Vec<FileStats>,
    /// Files and folders not read.
    pub unread: Vec<Unread>,
    pub warnings: Vec<Warning>,
    pub transfers: Vec<Transfer>,
    pub joins: Joins,
    /// `--pseudonymize`: customer ids are replaced as they are read.
    pub pseudonyms: Option<crate::pseudonym::Pseudonymizer>,
}

impl Input {
    /// A message's text. Panics for a message whose text `keep_texts` let go: reading it is a bug, not an empty text.
    pub fn text(&self, m: &Message) -> &str {
        let start = m.text_start as usize;
        self.text.get(start..start + m.text_len as usize).expect("the text of a message kept (keep_texts)")
    }
    /// Keeps the texts of the messages `keep` names (by index) and frees the rest: after the text stage the tables read
    /// the words of a few messages only (excerpts and evidence), and at 10 M messages the texts are 375 MB. The other
    /// messages' texts can no longer be read (`text` panics).
    pub fn keep_texts(&mut self, keep: &[bool]) {
        if keep.iter().all(|k| *k) {
            return;
        }
        let span = |m: &Message| m.text_start as usize..m.text_start as usize + m.text_len as usize;
        let kept: usize = self.messages.iter().zip(keep).filter(|(_, k)| **k).map(|(m, _)| m.text_len as usize).sum();
        let mut text = String::with_capacity(kept);
        for (m, &k) in self.messages.iter_mut().zip(keep) {
            if k {
                let start = text.len();
                text.push_str(&self.text[span(m)]);
                // Shorter than the texts of before, which were within `TEXT_LIMIT`.
                m.text_start = start as u32;
            } else {
                // Out of any text: `text` refuses it.
                m.text_start = u32::MAX;
                m.text_len = 0;
            }
        }
        self.text = text;
    }
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id)
    }
    /// Appends what was read from the next piece of a file, or the next file (in reading order): its messages, texts,
    /// orders, cases, ratings, rejects and transfers. Ids are renumbered into this input's: each of the piece's
    /// names, in the order the piece first read them, keeps the id it already has here or takes the next one — so
    /// ids come out as one pass over the whole file numbers them.
    pub fn append(&mut self, part: Input) {
        let ids: Vec<u32> = part.names.all().map(|n| self.names.intern(n)).collect();
        let id = |i: u32| ids[i as usize];
        // Past `TEXT_LIMIT` the starts wrap; `ingest::load_input` refuses such an input before any text is read.
        let text_offset = self.text.len() as u32;
        self.text.push_str(&part.text);
        self.messages.extend(part.messages.into_iter().map(|m| Message {
            conv: id(m.conv),
            shop: id(m.shop),
            customer: id(m.customer),
            agent: id(m.agent),
            order: id(m.order),
            text_start: m.text_start.wrapping_add(text_offset),
            ..m
        }));
        self.orders.extend(part.orders.into_iter().map(|o| Order {
            id: id(o.id),
            customer: id(o.customer),
            shop: id(o.shop),
            agent: id(o.agent),
            status: id(o.status),
            ..o
        }));
        self.cases.extend(part.cases.into_iter().map(|c| Case {
            id: id(c.id),
            order: id(c.order),
            customer: id(c.customer),
            agent: id(c.agent),
            status: id(c.status),
            ..c
        }));
        self.ratings.extend(part.ratings.into_iter().map(|r| Rating {
            customer: id(r.customer),
            agent: id(r.agent),
            ..r
        }));
        self.rejects.extend(part.rejects);
        self.transfers.extend(part.transfers.into_iter().map(|t| Transfer {
            conv: id(t.conv),
            from: id(t.from),
            to: id(t.to),
            ..t
        }));
    }
    /// A customer id as it is kept: the id read, or its pseudonym under `--pseudonymize`.
    pub fn customer_id<'a>(&self, read: &'a str) -> std::borrow::Cow<'a, str> {
        crate::pseudonym::Pseudonymizer::customer_id(self.pseudonyms.as_ref(), read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_texts_read_as_before_and_the_others_are_refused() {
        let mut input = Input::default();
        let texts = ["你好", "在吗？亲", "", "发货了吗"];
        for (i, t) in texts.iter().enumerate() {
            crate::ingest::push_message(
                &mut input,
                "c1",
                60 * i as i64,
                "店",
                "买家",
                "店:小美",
                Sender::Customer,
                t,
                "",
            );
        }
        input.keep_texts(&[true, false, true, true]);
        let read = |i: usize| input.text(&input.messages[i]).to_string();
        assert_eq!((read(0), read(2), read(3)), ("你好".into(), "".into(), "发货了吗".into()));
        // Only the kept texts are held.
        assert_eq!(input.text, "你好发货了吗");
        let dropped = std::panic::catch_unwind(|| input.text(&input.messages[1]).len());
        assert!(dropped.is_err(), "a dropped text must not read as empty");
    }
}
