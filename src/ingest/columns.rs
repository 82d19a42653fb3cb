//! The one column map every input form reads through: which table a header belongs to, which cell is which column,
//! and what the values of sender, type and the other coded columns mean.
//!
//! The data is `aliases.toml` (embedded, parsed once): English names, Chinese and platform-export aliases (Taobao
//! order export, Tmall refund export), value aliases, the default bot names and the totals-row markers. Code refers to
//! a column by its position in `Table::columns`, and the file is checked against those positions when it is parsed,
//! so the two cannot drift apart. The alias tables of docs/inputs.md are generated from the same data (`readme_section`).

use crate::model::{CaseKind, Sender};
use serde::Deserialize;
use std::sync::LazyLock;

/// The input tables (SPEC §2, and the satisfaction ratings of §8).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    Messages,
    Orders,
    Aftersales,
    Ratings,
}

impl Table {
    pub const ALL: [Table; 4] = [Table::Messages, Table::Orders, Table::Aftersales, Table::Ratings];

    pub fn as_str(self) -> &'static str {
        match self {
            Table::Messages => "messages",
            Table::Orders => "orders",
            Table::Aftersales => "aftersales",
            Table::Ratings => "ratings",
        }
    }

    /// The columns code addresses by position, in that order; `aliases.toml` must list them so.
    pub fn column_names(self) -> &'static [&'static str] {
        match self {
            Table::Messages => {
                &["conversation_id", "timestamp", "shop", "customer_id", "agent_id", "sender", "text", "order_id"]
            }
            Table::Orders => {
                &["order_id", "customer_id", "shop", "created_at", "paid_at", "amount", "agent_id", "status"]
            }
            Table::Aftersales => &[
                "case_id",
                "order_id",
                "customer_id",
                "agent_id",
                "type",
                "reason",
                "opened_at",
                "closed_at",
                "refund_amount",
                "platform_intervened",
                "needs_return",
                "status",
            ],
            Table::Ratings => &["customer_id", "agent_id", "rated_at", "rating"],
        }
    }

    pub fn columns(self) -> &'static [ColumnSpec] {
        let a = &*ALIASES;
        match self {
            Table::Messages => &a.messages,
            Table::Orders => &a.orders,
            Table::Aftersales => &a.aftersales,
            Table::Ratings => &a.ratings,
        }
    }
}

/// Positions of the messages columns.
pub mod m {
    pub const CONV: usize = 0;
    pub const TS: usize = 1;
    pub const SHOP: usize = 2;
    pub const CUSTOMER: usize = 3;
    pub const AGENT: usize = 4;
    pub const SENDER: usize = 5;
    pub const TEXT: usize = 6;
    pub const ORDER: usize = 7;
}

/// Positions of the orders columns.
pub mod o {
    pub const ID: usize = 0;
    pub const CUSTOMER: usize = 1;
    pub const SHOP: usize = 2;
    pub const CREATED: usize = 3;
    pub const PAID: usize = 4;
    pub const AMOUNT: usize = 5;
    pub const AGENT: usize = 6;
    pub const STATUS: usize = 7;
}

/// Positions of the aftersales columns.
pub mod c {
    pub const ID: usize = 0;
    pub const ORDER: usize = 1;
    pub const CUSTOMER: usize = 2;
    pub const AGENT: usize = 3;
    pub const TYPE: usize = 4;
    pub const REASON: usize = 5;
    pub const OPENED: usize = 6;
    pub const CLOSED: usize = 7;
    pub const REFUND: usize = 8;
    pub const INTERVENED: usize = 9;
    pub const NEEDS_RETURN: usize = 10;
    pub const STATUS: usize = 11;
}

/// Positions of the ratings columns.
pub mod r {
    pub const CUSTOMER: usize = 0;
    pub const AGENT: usize = 1;
    pub const RATED: usize = 2;
    pub const RATING: usize = 3;
}

/// A column of an input table: its English name, its aliases in order of preference, and whether a file is
/// unusable without it (or without the column named by `or`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub column: String,
    #[serde(default)]
    pub required: bool,
    pub or: Option<String>,
    pub aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Values {
    sender: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(rename = "type")]
    case_type: std::collections::BTreeMap<String, Vec<String>>,
    needs_return: std::collections::BTreeMap<String, Vec<String>>,
    platform_intervened: std::collections::BTreeMap<String, Vec<String>>,
    rating: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Markers {
    markers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Aliases {
    messages: Vec<ColumnSpec>,
    orders: Vec<ColumnSpec>,
    aftersales: Vec<ColumnSpec>,
    ratings: Vec<ColumnSpec>,
    values: Values,
    bots: Names,
    totals: Markers,
    no_time: Markers,
}

const ALIASES_TOML: &str = include_str!("aliases.toml");

/// A value table as (lower-cased alias, value), in the file's order.
type ValueMap<T> = Vec<(String, T)>;

struct Parsed {
    raw: Aliases,
    sender: ValueMap<Sender>,
    case_type: ValueMap<CaseKind>,
    needs_return: ValueMap<CaseKind>,
    intervened: ValueMap<bool>,
    rating: ValueMap<u8>,
    /// The first characters of the totals markers.
    total_firsts: Vec<char>,
}

impl std::ops::Deref for Parsed {
    type Target = Aliases;
    fn deref(&self) -> &Aliases {
        &self.raw
    }
}

fn values<T: Copy>(
    map: &std::collections::BTreeMap<String, Vec<String>>,
    what: &str,
    key: impl Fn(&str) -> Option<T>,
) -> ValueMap<T> {
    let mut out = Vec::new();
    for (k, aliases) in map {
        let v = key(k).unwrap_or_else(|| panic!("aliases.toml: unknown {what} '{k}'"));
        out.extend(aliases.iter().map(|a| (a.trim().to_lowercase(), v)));
    }
    out
}

static ALIASES: LazyLock<Parsed> = LazyLock::new(|| {
    let raw: Aliases = toml::from_str(ALIASES_TOML).unwrap_or_else(|e| panic!("aliases.toml: {e}"));
    for t in Table::ALL {
        let names: Vec<&str> = match t {
            Table::Messages => &raw.messages,
            Table::Orders => &raw.orders,
            Table::Aftersales => &raw.aftersales,
            Table::Ratings => &raw.ratings,
        }
        .iter()
        .map(|c| c.column.as_str())
        .collect();
        assert_eq!(names, t.column_names(), "aliases.toml: the {} columns, in the order code reads them", t.as_str());
    }
    let sender = values(&raw.values.sender, "sender", |k| {
        Some(match k {
            "customer" => Sender::Customer,
            "agent" => Sender::Agent,
            "bot" => Sender::Bot,
            "system" => Sender::System,
            _ => return None,
        })
    });
    let case_kind = |k: &str| {
        Some(match k {
            "refund_only" => CaseKind::RefundOnly,
            "return_refund" => CaseKind::ReturnRefund,
            "exchange" => CaseKind::Exchange,
            "complaint" => CaseKind::Complaint,
            _ => return None,
        })
    };
    let case_type = values(&raw.values.case_type, "type", case_kind);
    let needs_return = values(&raw.values.needs_return, "needs_return", case_kind);
    let intervened = values(&raw.values.platform_intervened, "platform_intervened", |k| match k {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    });
    let rating = values(&raw.values.rating, "rating", |k| k.parse::<u8>().ok().filter(|n| (1..=5).contains(n)));
    let total_firsts = raw.totals.markers.iter().filter_map(|m| m.chars().next()).collect();
    Parsed { raw, sender, case_type, needs_return, intervened, rating, total_firsts }
});

fn lookup<T: Copy>(map: &ValueMap<T>, v: &str) -> Option<T> {
    let v = v.trim();
    // ASCII values compare without allocating (the common `customer`/`agent` of every message row).
    map.iter().find(|(a, _)| a.eq_ignore_ascii_case(v)).map(|&(_, t)| t)
}

/// A sender value (`customer`, `买家`, `机器人`, …).
pub fn sender(v: &str) -> Option<Sender> {
    lookup(&ALIASES.sender, v)
}

/// An after-sales type value (`refund_only`, `仅退款`, …).
pub(crate) fn case_type(v: &str) -> Option<CaseKind> {
    lookup(&ALIASES.case_type, v)
}

/// The type a Tmall refund export's 是否需要退货 says (是 → return_refund, 否 → refund_only).
pub(crate) fn needs_return(v: &str) -> Option<CaseKind> {
    lookup(&ALIASES.needs_return, v)
}

/// platform_intervened: 0/1 or a 客服介入状态 value.
pub(crate) fn intervened(v: &str) -> Option<bool> {
    lookup(&ALIASES.intervened, v)
}

/// A satisfaction rating as stars, 5 (很满意) to 1 (很不满意).
pub(crate) fn rating(v: &str) -> Option<u8> {
    lookup(&ALIASES.rating, v)
}

/// The default bot sub-account names.
pub(crate) fn default_bots() -> &'static [String] {
    &ALIASES.bots.names
}

/// Whether an optional time's cell says there is none (`-`, `null`, a zero date: `[no_time]`), case-insensitively.
pub(crate) fn is_no_time(v: &str) -> bool {
    let v = v.trim();
    ALIASES.no_time.markers.iter().any(|m| m.eq_ignore_ascii_case(v))
}

/// Whether a row whose first cell is `v` is a totals row (合计, 总计, 汇总, 平均, also with a colon or spaces).
pub(crate) fn is_total_marker(v: &str) -> bool {
    // A cell that starts with no marker's first character is not looked at further (this runs on every row).
    let first = &ALIASES.total_firsts;
    if !v.trim_start().chars().next().is_some_and(|c| first.contains(&c)) {
        return false;
    }
    let v: String = v.chars().filter(|c| !c.is_whitespace() && !matches!(c, ':' | '：')).collect();
    ALIASES.totals.markers.contains(&v)
}

fn norm_header(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// A header row mapped to a table: table column position → cell index.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub table: Table,
    pub idx: Vec<Option<usize>>,
}

impl Mapping {
    /// `header cell → column` for every mapped column, as `kefu check` prints it.
    pub fn describe(&self, cells: &[&str]) -> Vec<String> {
        let names = self.table.column_names();
        self.idx.iter().zip(names).filter_map(|(i, n)| i.map(|i| format!("{} → {n}", cells[i].trim()))).collect()
    }
}

/// Maps header cells to `table`'s columns: for each column the first of its name and aliases (in that order) that
/// is a header cell. Errors name every missing required column and the cells found.
pub(crate) fn map_header(cells: &[&str], table: Table) -> Result<Mapping, String> {
    let normed: Vec<String> = cells.iter().map(|c| norm_header(c)).collect();
    let spec = table.columns();
    let idx: Vec<Option<usize>> = spec
        .iter()
        .map(|c| {
            std::iter::once(&c.column).chain(&c.aliases).find_map(|a| normed.iter().position(|h| *h == norm_header(a)))
        })
        .collect();
    let has = |name: &str| spec.iter().zip(&idx).any(|(c, i)| c.column == name && i.is_some());
    let missing: Vec<&str> = spec
        .iter()
        .zip(&idx)
        .filter(|(c, i)| c.required && i.is_none() && !c.or.as_deref().is_some_and(has))
        .map(|(c, _)| c.column.as_str())
        .collect();
    if missing.is_empty() {
        Ok(Mapping { table, idx })
    } else {
        let found: Vec<&str> = cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
        Err(format!("missing required column(s) {} (found: {})", missing.join(", "), found.join(", ")))
    }
}

/// The table a header row belongs to, when it maps to one: the table with every required column that maps the
/// most columns (messages before orders before after-sales on a tie).
pub fn detect(cells: &[&str]) -> Option<Mapping> {
    Table::ALL
        .into_iter()
        .filter_map(|t| map_header(cells, t).ok())
        .max_by_key(|m| (m.idx.iter().flatten().count(), std::cmp::Reverse(m.table)))
}

/// How many of `table`'s columns a row's cells name: to tell a header that lacks a column from a title row.
pub(crate) fn matched_columns(cells: &[&str], table: Table) -> usize {
    let normed: Vec<String> = cells.iter().map(|c| norm_header(c)).collect();
    table
        .columns()
        .iter()
        .filter(|c| std::iter::once(&c.column).chain(&c.aliases).any(|a| normed.contains(&norm_header(a))))
        .count()
}

/// docs/inputs.md's tables of recognised columns and values, generated from `aliases.toml`.
pub fn readme_section() -> String {
    let a = &*ALIASES;
    let mut s = String::from(
        "<!-- generated from src/ingest/aliases.toml by `KEFU_BLESS=1 cargo test --release readme`; do not edit -->\n",
    );
    for t in Table::ALL {
        s.push_str(&format!(
            "\n**{}** (required columns in bold)\n\n| column | also read as |\n| --- | --- |\n",
            t.as_str()
        ));
        for c in t.columns() {
            let name = if c.required { format!("**{}**", c.column) } else { c.column.clone() };
            let name = match &c.or {
                Some(or) => format!("{name} (or {or})"),
                None => name,
            };
            s.push_str(&format!("| {name} | {} |\n", c.aliases.join(", ")));
        }
    }
    s.push_str("\n**Values**\n\n| column | value | also read as |\n| --- | --- | --- |\n");
    let groups = [
        ("sender", &a.values.sender),
        ("type", &a.values.case_type),
        ("needs_return (是否需要退货)", &a.values.needs_return),
        ("platform_intervened", &a.values.platform_intervened),
        ("rating", &a.values.rating),
    ];
    for (col, map) in groups {
        for (k, v) in map {
            let shown: Vec<&str> = v.iter().map(|x| if x.is_empty() { "(empty)" } else { x.as_str() }).collect();
            s.push_str(&format!("| {col} | {k} | {} |\n", shown.join(", ")));
        }
    }
    s.push_str(&format!(
        "\n**Bots** (sub-account names, with or without `店铺:`): {}. **Totals rows** (first cell): {}. **No time** \
         (an optional time, paid_at or closed_at, like an empty cell): {}.\n",
        a.bots.names.join(", "),
        a.totals.markers.join(", "),
        a.no_time.markers.join(", ")
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alias_file_parses_and_matches_the_code() {
        for t in Table::ALL {
            assert_eq!(t.columns().len(), t.column_names().len());
        }
        assert_eq!(sender("买家"), Some(Sender::Customer));
        assert_eq!(sender("Customer"), Some(Sender::Customer));
        assert_eq!(sender("老板"), None);
        assert_eq!(case_type("仅退款"), Some(CaseKind::RefundOnly));
        assert_eq!(needs_return("是"), Some(CaseKind::ReturnRefund));
        assert_eq!(intervened("客服介入中"), Some(true));
        assert_eq!(intervened(""), Some(false));
        assert_eq!(intervened("maybe"), None);
        assert!(is_total_marker("合 计") && is_total_marker("合计：") && !is_total_marker("合计金额"));
        assert!(
            is_no_time("-") && is_no_time(" NULL ") && is_no_time("0000-00-00 00:00:00") && !is_no_time("2026-11-11")
        );
        assert_eq!(
            (rating("很满意"), rating("5"), rating("不满意"), rating("1")),
            (Some(5), Some(5), Some(2), Some(1))
        );
        assert_eq!((rating("6"), rating("好")), (None, None));
    }

    #[test]
    fn headers_map_by_alias_preference_and_tables_are_told_apart() {
        let taobao =
            ["订单编号", "买家会员名", "总金额", "买家实际支付金额", "订单创建时间", "订单付款时间", "订单状态"];
        let m = detect(&taobao).expect("orders");
        assert_eq!(m.table, Table::Orders);
        assert_eq!(m.idx[o::AMOUNT], Some(3), "买家实际支付金额 wins over 总金额");
        assert_eq!(m.idx[o::STATUS], Some(6));
        let tmall = [
            "退款编号",
            "订单编号",
            "买家会员名称",
            "审核操作人",
            "是否需要退货",
            "买家退款原因",
            "退款的申请时间",
            "退款完结时间",
            "买家退款金额",
            "客服介入状态",
            "退款状态",
        ];
        let m = detect(&tmall).expect("aftersales");
        assert_eq!((m.table, m.idx[c::TYPE], m.idx[c::NEEDS_RETURN]), (Table::Aftersales, None, Some(4)));
        let chat = ["会话ID", "时间", "买家", "客服", "发送方", "内容"];
        assert_eq!(detect(&chat).map(|m| m.table), Some(Table::Messages));
        assert_eq!(detect(&["聊天记录导出", "", ""]), None);
        let ratings = ["评价时间", "买家昵称", "被评价客服", "评价结果"];
        assert_eq!(detect(&ratings).map(|m| m.table), Some(Table::Ratings));
        let e = map_header(&["时间", "内容"], Table::Messages).unwrap_err();
        assert!(e.contains("customer_id") && e.contains("sender") && e.contains("found: 时间, 内容"), "{e}");
    }
}
