//! `kefu gen --layout`: the same synthetic shop written as supervisors' real exports, so every figure of a
//! real-layout folder can be compared with its canonical twin (same seed, no `--layout`).
//!
//! The canonical files are written first and then turned into the layout here (they are removed after):
//! * `qianniu`: `transcripts/<conversation>.txt` in the 千牛 standard layout (name line, time line, text, 已读, blank
//!   line), with the non-message lines a real window has (当前用户来自…, history separators, product-card links, read
//!   marks, transfer notices); a customer's message is written in the arrow layout where its receiver could not be
//!   told otherwise (a night message received by the agent on duty who never wrote); a quarter of the files in
//!   GB18030 with CRLF. Orders as the Taobao order export (orders.xlsx), after-sales as the Tmall refund export
//!   plus a sheet of exchanges and complaints (aftersales.xlsx), ratings as the 服务评价 export (服务评价.xlsx).
//! * `compact`: the transcripts in the compact and arrow layouts (one-digit month, day and hour), canonical CSVs
//!   for orders and after-sales.
//! * `xlsx`: messages.xlsx, orders.xlsx and aftersales.xlsx with Chinese headers, title rows above the header and a
//!   合计 row at the bottom; times as Excel dates.
//! * `platform`: GB18030 CSVs with the platforms' own headers and values: 聊天记录.csv, ExportOrderList.csv,
//!   ExportRefundList.csv and 售后工单.csv.

use crate::error::{KefuError, Result};
use crate::ingest::bots::{Event, assign};
use std::collections::HashMap;
use std::path::Path;

/// The layouts `kefu gen --layout` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// messages.csv, orders.csv, aftersales.csv (SPEC §2)
    Canonical,
    /// 千牛 transcripts (standard layout), orders.xlsx and aftersales.xlsx as the platforms export them
    Qianniu,
    /// 千牛 transcripts in the compact and arrow layouts
    Compact,
    /// Hand-kept workbooks: Chinese headers, title rows, a 合计 row
    Xlsx,
    /// GB18030 CSVs with the Taobao/Tmall export headers
    Platform,
}

type Row = HashMap<String, String>;

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> KefuError + '_ {
    move |e| KefuError::output(path, e)
}

fn read_rows(path: &Path) -> Result<Vec<Row>> {
    let mut r = csv::Reader::from_path(path).map_err(|e| KefuError::input(path, e.to_string()))?;
    let headers = r.headers().map_err(|e| KefuError::input(path, e.to_string()))?.clone();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| KefuError::input(path, e.to_string()))?;
        rows.push(headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect());
    }
    Ok(rows)
}

fn xlsx_err(path: &Path) -> impl Fn(rust_xlsxwriter::XlsxError) -> KefuError + '_ {
    move |e| KefuError::output(path, std::io::Error::other(e.to_string()))
}

/// Turns the canonical folder `out` (just written by `generate`) into `layout`.
pub(crate) fn convert(out: &Path, layout: Layout) -> Result<()> {
    if layout == Layout::Canonical {
        return Ok(());
    }
    let (mpath, opath, cpath) = (out.join("messages.csv"), out.join("orders.csv"), out.join("aftersales.csv"));
    let messages = read_rows(&mpath)?;
    let orders = read_rows(&opath)?;
    let cases = read_rows(&cpath)?;
    match layout {
        Layout::Canonical => unreachable!("returned above"),
        Layout::Qianniu | Layout::Compact => {
            transcripts(out, &messages, layout == Layout::Compact)?;
            std::fs::remove_file(&mpath).map_err(io_err(&mpath))?;
            if layout == Layout::Qianniu {
                platform_orders_xlsx(&out.join("orders.xlsx"), &orders)?;
                platform_cases_xlsx(&out.join("aftersales.xlsx"), &cases)?;
                let rpath = out.join("ratings.csv");
                ratings_xlsx(&out.join("服务评价.xlsx"), &read_rows(&rpath)?)?;
                for p in [&opath, &cpath, &rpath] {
                    std::fs::remove_file(p).map_err(io_err(p))?;
                }
            }
        }
        Layout::Xlsx => {
            hand_kept_xlsx(out, &messages, &orders, &cases)?;
            for p in [&mpath, &opath, &cpath] {
                std::fs::remove_file(p).map_err(io_err(p))?;
            }
        }
        Layout::Platform => {
            platform_csvs(out, &messages, &orders, &cases)?;
            for p in [&mpath, &opath, &cpath] {
                std::fs::remove_file(p).map_err(io_err(p))?;
            }
        }
    }
    Ok(())
}

/// `2026-11-01 08:05:03` as the compact layout writes it: `2026-11-1 8:05:03`.
fn compact_time(ts: &str) -> String {
    let (date, time) = ts.split_once(' ').unwrap_or((ts, ""));
    let d: Vec<&str> = date.split('-').collect();
    let strip = |s: &str| s.trim_start_matches('0').to_string();
    let hour = time.get(..2).map(strip).map(|h| if h.is_empty() { "0".into() } else { h }).unwrap_or_default();
    format!("{}-{}-{} {hour}{}", d[0], strip(d[1]), strip(d[2]), time.get(2..).unwrap_or(""))
}

/// The agent a transfer notice of the synthetic shop (`小美将会话转接给小雪`) hands over to, as a full account name.
fn transfer_target(text: &str, shop: &str) -> Option<(String, String)> {
    let (from, to) = text.split_once("将会话转接给")?;
    Some((format!("{shop}:{from}"), format!("{shop}:{to}")))
}

/// For each message of one conversation, whether it must be written in the arrow layout for the reader to give it
/// its agent: starting from none, the first customer message whose agent the reader would get wrong becomes an
/// arrow, until none is wrong (`bots::assign` is the reader's rule).
fn arrows(msgs: &[&Row], shop: &str) -> Vec<bool> {
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut id = |s: &str| {
        let n = ids.len() as u32 + 1;
        *ids.entry(s.to_string()).or_insert(n)
    };
    let agents: Vec<u32> = msgs.iter().map(|m| id(&m["agent_id"])).collect();
    let transfers: Vec<Option<u32>> = msgs
        .iter()
        .map(|m| if m["sender"] == "system" { transfer_target(&m["text"], shop).map(|(_, to)| id(&to)) } else { None })
        .collect();
    let mut arrow = vec![false; msgs.len()];
    loop {
        let events: Vec<Event> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| match m["sender"].as_str() {
                "agent" => Event::Human(agents[i]),
                "customer" if arrow[i] => Event::Human(agents[i]),
                "system" if transfers[i].is_some() => Event::Human(transfers[i].unwrap_or(0)),
                _ => Event::Needs,
            })
            .collect();
        let got = assign(&events);
        let wrong = (0..msgs.len()).find(|&i| events[i] == Event::Needs && got[i] != agents[i]);
        let Some(wrong) = wrong else { return arrow };
        // The customer message to write as an arrow: this one, else the last plain one before it.
        let fix = (0..=wrong).rev().find(|&j| msgs[j]["sender"] == "customer" && !arrow[j]);
        match fix {
            Some(j) => arrow[j] = true,
            None => return arrow,
        }
    }
}

/// Writes one transcript file per conversation.
fn transcripts(out: &Path, messages: &[Row], compact: bool) -> Result<()> {
    let dir = out.join("transcripts");
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let mut by_conv: Vec<(&str, Vec<&Row>)> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for m in messages {
        let c = m["conversation_id"].as_str();
        let i = *at.entry(c).or_insert_with(|| {
            by_conv.push((c, Vec::new()));
            by_conv.len() - 1
        });
        by_conv[i].1.push(m);
    }
    for (n, (conv, msgs)) in by_conv.iter().enumerate() {
        let shop = msgs[0]["shop"].as_str();
        let bot = format!("{shop}:店小蜜");
        let arrow = arrows(msgs, shop);
        let mut t = String::new();
        if n % 3 == 0 {
            t.push_str("当前用户来自 手机淘宝 商品详情页\n");
        }
        if n % 5 == 0 {
            t.push_str("———— 以上是历史消息 ————\n\n");
        }
        for (i, m) in msgs.iter().enumerate() {
            let (ts, customer, agent, text) = (&m["timestamp"], &m["customer_id"], &m["agent_id"], &m["text"]);
            let name = match m["sender"].as_str() {
                "customer" => customer.as_str(),
                "agent" => agent.as_str(),
                "bot" => bot.as_str(),
                _ => "系统",
            };
            if m["sender"] == "system"
                && let Some((from, to)) = transfer_target(text, shop)
            {
                // A transfer notice, as the window shows it: a line of its own, or a system line.
                if compact {
                    t.push_str(&format!("系统{}\n{from} 将会话转接给 {to}\n", compact_time(ts)));
                } else {
                    t.push_str(&format!("{from} 转交给 {to}\n\n"));
                }
                continue;
            }
            let time = if compact { compact_time(ts) } else { ts.clone() };
            let use_arrow = arrow[i] || (compact && n % 2 == 0 && m["sender"] == "customer");
            if use_arrow {
                t.push_str(&format!("{customer} --> {agent} {time}\n{text}\n"));
            } else if compact {
                t.push_str(&format!("{name}{time}\n{text}\n"));
            } else {
                t.push_str(&format!("{name}\n{time}\n{text}\n"));
            }
            if m["sender"] == "customer" && i % 7 == 3 {
                t.push_str("https://item.taobao.com/item.htm?id=6543210987\n");
            }
            if !compact {
                t.push_str(if i + 1 == msgs.len() { "未读\n\n" } else { "已读\n\n" });
            }
        }
        let path = dir.join(format!("{conv}.txt"));
        let bytes = if n % 4 == 1 {
            encoding_rs::GB18030.encode(&t.replace('\n', "\r\n")).0.into_owned()
        } else {
            t.into_bytes()
        };
        std::fs::write(&path, bytes).map_err(io_err(&path))?;
    }
    Ok(())
}

/// A cell of a generated workbook.
enum Cell<'a> {
    Text(&'a str),
    Time(&'a str),
    Number(f64),
}

/// A sheet: its name, title rows, header, rows and an optional 合计 row.
struct SheetOut<'a> {
    name: &'a str,
    titles: &'a [&'a str],
    header: &'a [&'a str],
    rows: Vec<Vec<Cell<'a>>>,
    total: Option<Vec<Cell<'a>>>,
}

/// How a canonical column is written in a generated sheet.
#[derive(Clone, Copy)]
enum Col {
    Text(&'static str),
    Time(&'static str),
    Amount(&'static str),
    /// `sender` in Chinese (买家, 客服, 机器人, 系统).
    Sender,
    /// `type` in Chinese (仅退款, 退货退款, 换货, 投诉).
    CaseType,
    /// `platform_intervened` as the number 0 or 1.
    Flag,
    /// The Taobao 订单状态 of an order.
    OrderStatus,
    /// `rating` as the 评价 export words it (很满意 … 很不满意).
    Rating,
    /// An account's sub-account alone (`小美` for `店铺:小美`), as a supervisor types an agent's name.
    SubAccount(&'static str),
}

/// A canonical row as the cells of `cols`.
fn cells<'a>(r: &'a Row, cols: &[Col]) -> Vec<Cell<'a>> {
    cols.iter()
        .map(|c| match *c {
            Col::Text(k) => Cell::Text(&r[k]),
            Col::SubAccount(k) => Cell::Text(r[k].rsplit(':').next().unwrap_or(&r[k])),
            Col::Time(k) => Cell::Time(&r[k]),
            Col::Amount(k) => Cell::Number(amount(&r[k])),
            Col::Sender => Cell::Text(sender_zh(&r["sender"])),
            Col::CaseType => Cell::Text(type_zh(&r["type"])),
            Col::Flag => Cell::Number(if r["platform_intervened"] == "1" { 1.0 } else { 0.0 }),
            Col::OrderStatus => Cell::Text(order_status(r)),
            Col::Rating => Cell::Text(match r["rating"].as_str() {
                "5" => "很满意",
                "4" => "满意",
                "3" => "一般",
                "2" => "不满意",
                _ => "很不满意",
            }),
        })
        .collect()
}

const MESSAGE_COLS: &[Col] = &[
    Col::Text("conversation_id"),
    Col::Time("timestamp"),
    Col::Text("shop"),
    Col::Text("customer_id"),
    Col::Text("agent_id"),
    Col::Sender,
    Col::Text("text"),
    Col::Text("order_id"),
];
/// The hand-kept order workbook names the agent by sub-account (客服 小美), as a supervisor types it.
const ORDER_COLS: &[Col] = &[
    Col::Text("order_id"),
    Col::Text("customer_id"),
    Col::Text("shop"),
    Col::Time("created_at"),
    Col::Time("paid_at"),
    Col::Amount("amount"),
    Col::SubAccount("agent_id"),
];
/// The Taobao order export's columns (`TAOBAO_ORDERS`): 总金额 and 买家实际支付金额 are the same amount here.
const TAOBAO_COLS: &[Col] = &[
    Col::Text("order_id"),
    Col::Text("customer_id"),
    Col::Text("shop"),
    Col::Time("created_at"),
    Col::Time("paid_at"),
    Col::Amount("amount"),
    Col::Amount("amount"),
    Col::OrderStatus,
    Col::Text("agent_id"),
];
const CASE_COLS: &[Col] = &[
    Col::Text("case_id"),
    Col::Text("order_id"),
    Col::Text("customer_id"),
    Col::Text("agent_id"),
    Col::CaseType,
    Col::Text("reason"),
    Col::Time("opened_at"),
    Col::Time("closed_at"),
    Col::Amount("refund_amount"),
    Col::Flag,
];

/// Rows in one sheet at most (Excel's limit is 1,048,576).
const SHEET_ROWS: usize = 1_000_000;

fn write_workbook(path: &Path, sheets: Vec<SheetOut>) -> Result<()> {
    let err = xlsx_err(path);
    let mut wb = rust_xlsxwriter::Workbook::new();
    // A fixed creation time: the same options give byte-identical files.
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).map_err(&err)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for s in sheets {
        let chunks: Vec<&[Vec<Cell>]> = if s.rows.is_empty() { vec![&[]] } else { s.rows.chunks(SHEET_ROWS).collect() };
        let parts = chunks.len();
        for (k, chunk) in chunks.into_iter().enumerate() {
            let ws = wb.add_worksheet();
            let name = if parts > 1 { format!("{}{}", s.name, k + 1) } else { s.name.to_string() };
            ws.set_name(&name).map_err(&err)?;
            let mut r: u32 = 0;
            for title in s.titles {
                ws.write_string(r, 0, *title).map_err(&err)?;
                r += 1;
            }
            for (c, h) in s.header.iter().enumerate() {
                ws.write_string(r, c as u16, *h).map_err(&err)?;
            }
            r += 1;
            let last = k + 1 == parts;
            let total = if last { s.total.as_ref() } else { None };
            for row in chunk.iter().chain(total) {
                for (c, cell) in row.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text("") => {}
                        Cell::Text(t) => {
                            ws.write_string(r, c, *t).map_err(&err)?;
                        }
                        Cell::Time("") => {}
                        Cell::Time(t) => {
                            let dt = rust_xlsxwriter::ExcelDateTime::parse_from_str(t).map_err(&err)?;
                            ws.write_datetime_with_format(r, c, &dt, &date).map_err(&err)?;
                        }
                        Cell::Number(v) => {
                            ws.write_number(r, c, *v).map_err(&err)?;
                        }
                    }
                }
                r += 1;
            }
        }
    }
    wb.save(path).map_err(&err)?;
    Ok(())
}

fn amount(v: &str) -> f64 {
    v.parse().unwrap_or(0.0)
}

/// Taobao order export columns.
const TAOBAO_ORDERS: &[&str] = &[
    "订单编号",
    "买家会员名",
    "店铺名称",
    "订单创建时间",
    "订单付款时间",
    "总金额",
    "买家实际支付金额",
    "订单状态",
    "成交客服",
];

fn order_status(o: &Row) -> &'static str {
    if o["paid_at"].is_empty() { "等待买家付款" } else { "交易成功" }
}

fn platform_orders_xlsx(path: &Path, orders: &[Row]) -> Result<()> {
    let rows = orders.iter().map(|o| cells(o, TAOBAO_COLS)).collect();
    let sheet = SheetOut { name: "订单列表", titles: &[], header: TAOBAO_ORDERS, rows, total: None };
    write_workbook(path, vec![sheet])
}

/// The 千牛 服务评价 export: the rating in words.
fn ratings_xlsx(path: &Path, ratings: &[Row]) -> Result<()> {
    let cols = [Col::Time("rated_at"), Col::Text("customer_id"), Col::Text("agent_id"), Col::Rating];
    let rows = ratings.iter().map(|r| cells(r, &cols)).collect();
    let header = &["评价时间", "买家昵称", "被评价客服", "评价结果"];
    write_workbook(path, vec![SheetOut { name: "服务评价", titles: &[], header, rows, total: None }])
}

/// Tmall refund export columns.
const TMALL_REFUNDS: &[&str] = &[
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

/// A work-order sheet of exchanges and complaints (a refund export holds refunds only).
const WORK_ORDERS: &[&str] =
    &["售后单号", "订单编号", "买家", "处理人", "售后类型", "售后原因", "申请时间", "完结时间", "退款金额", "平台介入"];

fn is_refund(c: &Row) -> bool {
    matches!(c["type"].as_str(), "refund_only" | "return_refund")
}

/// A case as a row of the Tmall refund export (`refund`) or of the work-order sheet: the same cells, but for how
/// each says the type and the intervention, and the refund export's 退款状态.
fn case_row(c: &Row, refund: bool) -> Vec<Cell<'_>> {
    let intervened = c["platform_intervened"] == "1";
    let (kind, intervention) = if refund {
        (if c["type"] == "return_refund" { "是" } else { "否" }, if intervened { "客服介入中" } else { "无" })
    } else {
        (if c["type"] == "exchange" { "换货" } else { "投诉" }, if intervened { "是" } else { "否" })
    };
    let mut row = vec![
        Cell::Text(&c["case_id"]),
        Cell::Text(&c["order_id"]),
        Cell::Text(&c["customer_id"]),
        Cell::Text(&c["agent_id"]),
        Cell::Text(kind),
        Cell::Text(&c["reason"]),
        Cell::Time(&c["opened_at"]),
        Cell::Time(&c["closed_at"]),
        Cell::Number(amount(&c["refund_amount"])),
        Cell::Text(intervention),
    ];
    if refund {
        row.push(Cell::Text(if c["closed_at"].is_empty() { "退款中" } else { "退款成功" }));
    }
    row
}

fn platform_cases_xlsx(path: &Path, cases: &[Row]) -> Result<()> {
    let refunds = cases.iter().filter(|c| is_refund(c)).map(|c| case_row(c, true)).collect();
    let others = cases.iter().filter(|c| !is_refund(c)).map(|c| case_row(c, false)).collect();
    write_workbook(
        path,
        vec![
            SheetOut { name: "退款", titles: &[], header: TMALL_REFUNDS, rows: refunds, total: None },
            SheetOut { name: "售后工单", titles: &[], header: WORK_ORDERS, rows: others, total: None },
        ],
    )
}

fn sender_zh(s: &str) -> &'static str {
    match s {
        "customer" => "买家",
        "agent" => "客服",
        "bot" => "机器人",
        _ => "系统",
    }
}

const MESSAGES_ZH: &[&str] = &["会话ID", "时间", "店铺", "买家", "客服", "发送方", "内容", "订单号"];
const ORDERS_ZH: &[&str] = &["订单号", "买家", "店铺", "下单时间", "付款时间", "实付金额", "客服"];
const CASES_ZH: &[&str] =
    &["售后单号", "订单号", "买家", "处理人", "售后类型", "原因", "申请时间", "完结时间", "退款金额", "平台介入"];

fn type_zh(t: &str) -> &'static str {
    match t {
        "refund_only" => "仅退款",
        "return_refund" => "退货退款",
        "exchange" => "换货",
        _ => "投诉",
    }
}

fn hand_kept_xlsx(out: &Path, messages: &[Row], orders: &[Row], cases: &[Row]) -> Result<()> {
    let span = |rows: &[Row], col: &str| {
        let first = rows.iter().map(|r| &r[col][..10.min(r[col].len())]).min().unwrap_or("");
        let last = rows.iter().map(|r| &r[col][..10.min(r[col].len())]).max().unwrap_or("");
        format!("统计时间：{first} 至 {last}")
    };
    let period = span(messages, "timestamp");
    let mrows = messages.iter().map(|m| cells(m, MESSAGE_COLS)).collect();
    let titles = ["聊天记录导出", period.as_str()];
    let count = messages.len() as f64;
    let sheet = SheetOut {
        name: "聊天记录",
        titles: &titles,
        header: MESSAGES_ZH,
        rows: mrows,
        total: Some(vec![Cell::Text("合计"), Cell::Number(count)]),
    };
    write_workbook(&out.join("messages.xlsx"), vec![sheet])?;
    let sum: f64 = orders.iter().map(|o| amount(&o["amount"])).sum();
    let orows = orders.iter().map(|o| cells(o, ORDER_COLS)).collect();
    let otitles = ["订单明细（手工整理）"];
    let total =
        vec![Cell::Text("合计"), Cell::Text(""), Cell::Text(""), Cell::Text(""), Cell::Text(""), Cell::Number(sum)];
    let sheet = SheetOut { name: "订单", titles: &otitles, header: ORDERS_ZH, rows: orows, total: Some(total) };
    write_workbook(&out.join("orders.xlsx"), vec![sheet])?;
    let crows = cases.iter().map(|c| cells(c, CASE_COLS)).collect();
    let ctitles = ["售后登记表", "（客服组每日更新）"];
    let refunds: f64 = cases.iter().map(|c| amount(&c["refund_amount"])).sum();
    let mut total = vec![Cell::Text("合计")];
    total.extend((0..7).map(|_| Cell::Text("")));
    total.push(Cell::Number(refunds));
    let sheet = SheetOut { name: "售后", titles: &ctitles, header: CASES_ZH, rows: crows, total: Some(total) };
    write_workbook(&out.join("aftersales.xlsx"), vec![sheet])
}

/// Writes a CSV in GB18030 (Excel on Chinese Windows), CRLF line ends.
fn gbk_csv(path: &Path, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let io = |e: csv::Error| KefuError::output(path, std::io::Error::other(e.to_string()));
    w.write_record(header).map_err(io)?;
    for r in rows {
        w.write_record(&r).map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| KefuError::output(path, std::io::Error::other(e.to_string())))?;
    let text = String::from_utf8(bytes).map_err(|e| KefuError::output(path, std::io::Error::other(e.to_string())))?;
    std::fs::write(path, encoding_rs::GB18030.encode(&text).0).map_err(io_err(path))
}

/// Cells as the text a CSV holds (amounts with 2 decimals).
fn texts(cells: Vec<Cell>) -> Vec<String> {
    cells
        .into_iter()
        .map(|c| match c {
            Cell::Text(t) | Cell::Time(t) => t.to_string(),
            Cell::Number(v) => format!("{v:.2}"),
        })
        .collect()
}

fn platform_csvs(out: &Path, messages: &[Row], orders: &[Row], cases: &[Row]) -> Result<()> {
    gbk_csv(&out.join("聊天记录.csv"), MESSAGES_ZH, messages.iter().map(|m| texts(cells(m, MESSAGE_COLS))))?;
    // Taobao writes long order ids as `="…"` so that Excel keeps them as text.
    let orders = orders.iter().map(|o| {
        let mut row = texts(cells(o, TAOBAO_COLS));
        row[0] = format!("=\"{}\"", row[0]);
        row
    });
    gbk_csv(&out.join("ExportOrderList.csv"), TAOBAO_ORDERS, orders)?;
    let refunds = cases.iter().filter(|c| is_refund(c)).map(|c| texts(case_row(c, true)));
    gbk_csv(&out.join("ExportRefundList.csv"), TMALL_REFUNDS, refunds)?;
    let others = cases.iter().filter(|c| !is_refund(c)).map(|c| texts(case_row(c, false)));
    gbk_csv(&out.join("售后工单.csv"), WORK_ORDERS, others)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_times_drop_leading_zeros() {
        assert_eq!(compact_time("2026-11-01 08:05:03"), "2026-11-1 8:05:03");
        assert_eq!(compact_time("2026-01-10 00:00:09"), "2026-1-10 0:00:09");
        assert_eq!(compact_time("2026-12-31 23:59:59"), "2026-12-31 23:59:59");
    }
}
