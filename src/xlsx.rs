//! `report.xlsx` (`--xlsx`, SPEC §7 "Workbook out"): every CSV table as a sheet named in Chinese, after a first
//! sheet of the page's headline figures.
//!
//! Pure: takes the result tables, the rejects and the headline cards, returns the file's bytes (the report stage
//! writes it with the others). Cells are typed: numbers as numbers, rates (the registry's `rate` figures, `src/figures.toml`) as percentages,
//! seconds and amounts as numbers, times as Excel dates, yes/no as booleans; every sheet has a bold frozen header,
//! an autofilter and widths that fit its widest text (Chinese characters counted double). The same inputs give the same bytes (the workbook's creation time is fixed).

use crate::error::{KefuError, Result};
use crate::figures;
use crate::html::Card;
use crate::model::Reject;
use polars::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Sheet names of the CSV tables (Excel allows 31 characters and no `[]:*?/\`); other tables (a user's queries)
/// keep their file name.
const SHEETS: &[(&str, &str)] = &[
    ("agent_scorecard", "客服绩效"),
    ("teams", "客服分组"),
    ("weekly_agents", "每周客服"),
    ("agent_days", "客服班次"),
    ("sessions", "会话"),
    ("violations", "质检违规"),
    ("unpaid_orders", "未付款订单"),
    ("unpaid_reasons", "未付款原因"),
    ("lost_inquiries", "询单流失"),
    ("lost_reasons", "询单流失原因"),
    ("topics", "热点问题"),
    ("aftersales_agents", "售后处理"),
    ("hourly", "分时段"),
    ("phases", "大促阶段"),
    ("shops", "店铺"),
    ("rejects", "拒收行"),
];

/// The first sheet.
pub(crate) const HEADLINE_SHEET: &str = "核心指标";

/// The sheet a CSV table is written to.
pub(crate) fn sheet_name(table: &str) -> String {
    match SHEETS.iter().find(|(t, _)| *t == table) {
        Some((_, name)) => name.to_string(),
        None => table.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect(),
    }
}

fn err(e: XlsxError) -> KefuError {
    KefuError::output("report.xlsx", std::io::Error::other(e.to_string()))
}

struct Formats {
    header: Format,
    rate: Format,
    decimal: Format,
    datetime: Format,
    date: Format,
    money: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            rate: Format::new().set_num_format("0.0%"),
            decimal: Format::new().set_num_format("0.0##"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            money: Format::new().set_num_format("¥#,##0.00"),
        }
    }
}

fn header(ws: &mut Worksheet, names: &[&str], f: &Formats) -> Result<()> {
    for (c, h) in names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.header).map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    Ok(())
}

/// Columns are never made wider than this many characters (long excerpts wrap off screen instead).
const MAX_WIDTH: usize = 60;

/// Display width of a text in character cells: two for CJK and other wide characters (Excel's own autofit counts a
/// Chinese character as a narrow one, which cuts every Chinese column short).
fn text_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum()
}

/// The widest text of each column, header included.
struct Widths(Vec<usize>);

impl Widths {
    fn new(headers: &[&str]) -> Widths {
        Widths(headers.iter().map(|h| text_width(h)).collect())
    }
    fn see(&mut self, col: u16, width: usize) {
        let w = &mut self.0[col as usize];
        *w = (*w).max(width.min(MAX_WIDTH));
    }
}

fn finish(ws: &mut Worksheet, rows: u32, widths: &Widths) -> Result<()> {
    let cols = widths.0.len() as u16;
    if cols > 0 {
        ws.autofilter(0, 0, rows, cols - 1).map_err(err)?;
    }
    for (c, w) in widths.0.iter().enumerate() {
        // Room for the autofilter button.
        ws.set_column_width(c as u16, *w as f64 + 3.0).map_err(err)?;
    }
    Ok(())
}

/// Seconds of a datetime value (naive local time, as every table holds it).
fn datetime_secs(t: i64, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Nanoseconds => t.div_euclid(1_000_000_000),
        TimeUnit::Microseconds => t.div_euclid(1_000_000),
        TimeUnit::Milliseconds => t.div_euclid(1_000),
    }
}

fn write_table(ws: &mut Worksheet, df: &DataFrame, f: &Formats) -> Result<()> {
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    header(ws, &names, f)?;
    let mut widths = Widths::new(&names);
    for (c, col) in df.columns().iter().enumerate() {
        let (c, name) = (c as u16, col.name().as_str());
        for r in 0..df.height() {
            let row = r as u32 + 1;
            let v = col.get(r).map_err(|e| KefuError::Query { name: "report.xlsx".into(), reason: e.to_string() })?;
            widths.see(c, shown_width(&v));
            match v {
                AnyValue::Null => continue,
                AnyValue::Boolean(b) => ws.write_boolean(row, c, b),
                AnyValue::String(s) => ws.write_string(row, c, s),
                AnyValue::StringOwned(s) => ws.write_string(row, c, s.as_str()),
                AnyValue::Datetime(t, unit, _) => {
                    let dt = ExcelDateTime::from_timestamp(datetime_secs(t, unit)).map_err(err)?;
                    ws.write_datetime_with_format(row, c, &dt, &f.datetime)
                }
                AnyValue::Date(d) => {
                    let dt = ExcelDateTime::from_timestamp(d as i64 * 86_400).map_err(err)?;
                    ws.write_datetime_with_format(row, c, &dt, &f.date)
                }
                v if v.is_primitive_numeric() => {
                    let x = v.extract::<f64>().unwrap_or(f64::NAN);
                    if figures::is_rate(name) {
                        ws.write_number_with_format(row, c, x, &f.rate)
                    } else if x.fract() != 0.0 {
                        ws.write_number_with_format(row, c, x, &f.decimal)
                    } else {
                        ws.write_number(row, c, x)
                    }
                }
                other => ws.write_string(row, c, other.to_string()),
            }
            .map_err(err)?;
        }
    }
    finish(ws, df.height() as u32, &widths)
}

/// How wide a value shows.
fn shown_width(v: &AnyValue) -> usize {
    match v {
        AnyValue::Null => 0,
        AnyValue::String(s) => text_width(s),
        AnyValue::StringOwned(s) => text_width(s),
        AnyValue::Datetime(..) => 19,
        AnyValue::Date(_) => 10,
        AnyValue::Boolean(_) => 5,
        v => v.extract::<f64>().map_or(8, |x| format!("{x:.3}").trim_end_matches('0').len()),
    }
}

fn write_headline(ws: &mut Worksheet, cards: &[Card], f: &Formats) -> Result<()> {
    let names = ["指标", "数值", "备注", "说明"];
    header(ws, &names, f)?;
    let mut widths = Widths::new(&names);
    for (i, card) in cards.iter().enumerate() {
        let r = i as u32 + 1;
        widths.see(0, text_width(&card.label));
        widths.see(1, 12);
        widths.see(2, card.note.as_deref().map_or(0, text_width));
        widths.see(3, text_width(&card.def));
        ws.write_string(r, 0, &card.label).map_err(err)?;
        let v = card.value;
        match card.format {
            figures::Format::Rate => ws.write_number_with_format(r, 1, v, &f.rate),
            figures::Format::Money => ws.write_number_with_format(r, 1, v, &f.money),
            _ if v.fract() != 0.0 => ws.write_number_with_format(r, 1, v, &f.decimal),
            _ => ws.write_number(r, 1, v),
        }
        .map_err(err)?;
        if let Some(n) = &card.note {
            ws.write_string(r, 2, n).map_err(err)?;
        }
        ws.write_string(r, 3, &card.def).map_err(err)?;
    }
    finish(ws, cards.len() as u32, &widths)
}

fn write_rejects(ws: &mut Worksheet, rejects: &[Reject], f: &Formats) -> Result<()> {
    let names = ["file", "line", "reason", "raw"];
    header(ws, &names, f)?;
    let mut widths = Widths::new(&names);
    for (i, rj) in rejects.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, w) in [(0, text_width(&rj.file)), (1, 6), (2, text_width(&rj.reason)), (3, text_width(&rj.raw))] {
            widths.see(c, w);
        }
        ws.write_string(r, 0, &rj.file).map_err(err)?;
        ws.write_number(r, 1, rj.line as f64).map_err(err)?;
        ws.write_string(r, 2, crate::mask::mask(&rj.reason)).map_err(err)?;
        ws.write_string(r, 3, crate::mask::mask(&rj.raw)).map_err(err)?;
    }
    finish(ws, rejects.len() as u32, &widths)
}

/// The bytes of report.xlsx: the headline sheet, then each table in `tables` (name, frame), then the rejects.
pub fn workbook(tables: &[(&str, &DataFrame)], rejects: &[Reject], cards: &[Card]) -> Result<Vec<u8>> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    // A fixed creation time: the same figures give the same bytes.
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let ws = wb.add_worksheet().set_name(HEADLINE_SHEET).map_err(err)?;
    write_headline(ws, cards, &f)?;
    for (name, df) in tables {
        let ws = wb.add_worksheet().set_name(sheet_name(name)).map_err(err)?;
        write_table(ws, df, &f)?;
    }
    let ws = wb.add_worksheet().set_name(sheet_name("rejects")).map_err(err)?;
    write_rejects(ws, rejects, &f)?;
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader};

    #[test]
    fn typed_cells_read_back() {
        let df = df!(
            "agent_id" => ["店:小美", "店:小雪"],
            "turns" => [12i64, 3],
            "within_target_rate" => [Some(0.5), None],
            "avg_response_secs" => [12.25, 30.0],
            "paid" => [true, false],
        )
        .unwrap();
        let cards = vec![Card {
            label: "询单转化率".into(),
            value: 0.25,
            format: figures::Format::Rate,
            note: None,
            def: "x".into(),
        }];
        let rejects = vec![Reject { file: "m.csv".into(), line: 3, reason: "r".into(), raw: "13812345678".into() }];
        let bytes = workbook(&[("agent_scorecard", &df)], &rejects, &cards).unwrap();
        assert_eq!(bytes, workbook(&[("agent_scorecard", &df)], &rejects, &cards).unwrap(), "same bytes");
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), ["核心指标", "客服绩效", "拒收行"]);
        let s = wb.worksheet_range("客服绩效").unwrap();
        assert_eq!(s.get((0, 0)), Some(&Data::String("agent_id".into())));
        assert_eq!(s.get((1, 1)), Some(&Data::Float(12.0)));
        assert_eq!(s.get((1, 2)), Some(&Data::Float(0.5)));
        assert_eq!(s.get((2, 2)), Some(&Data::Empty));
        assert_eq!(s.get((1, 4)), Some(&Data::Bool(true)));
        let h = wb.worksheet_range("核心指标").unwrap();
        assert_eq!(h.get((1, 1)), Some(&Data::Float(0.25)));
        let r = wb.worksheet_range("拒收行").unwrap();
        assert_eq!(r.get((1, 3)), Some(&Data::String("138****5678".into())));
    }
}
