//! Workbooks (.xlsx, .xlsm, .xls) → rows of the tables, read with calamine (SPEC §7).
//!
//! Every sheet is read on its own: its header is the first row within the first 10 that maps to a table (title
//! rows above it are skipped and counted), and its rows go through the same typed readers as CSV rows (`rows`), as
//! text cells: Excel dates and times become `YYYY-MM-DD HH:MM:SS` (a number in a time column is taken as an Excel
//! date), whole numbers have no `.0`, and a number too long for Excel to have kept (15 digits and more) comes out in
//! scientific notation, so the id readers reject it with that reason. Totals rows are skipped and counted. A sheet
//! that maps to no table is listed as not read; a workbook none of whose sheets maps is an error naming the file and
//! the sheets seen.

use super::columns::{Table, c, m, o};
use super::delimited::{self, Header, Outcome, Sink};
use calamine::{Data, Reader as _};
use std::path::Path;

/// One sheet that maps to a table: its name, header, and rows from below the header.
pub struct Sheet {
    pub name: String,
    pub header: Header,
    pub titles: u64,
    /// The sheet's cells, as calamine read them: rows are turned into text one at a time as they are read.
    range: calamine::Range<Data>,
    /// The sheet row (1-based) of the range's first row, and the range row the data starts at.
    first_row: u64,
    data_from: usize,
    /// The cell indices of the table's time columns.
    times: Vec<usize>,
}

/// What a workbook holds: the sheets that map to a table, and the others with why.
pub struct Workbook {
    pub format: &'static str,
    pub sheets: Vec<Sheet>,
    pub other: Vec<(String, String)>,
}

/// Whole numbers below this are written without exponent; from here on Excel has lost digits of an id.
const EXACT_DIGITS_LIMIT: f64 = 1e15;

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < EXACT_DIGITS_LIMIT {
        format!("{}", v as i64)
    } else if v.fract() == 0.0 {
        // What Excel shows for it, and what a CSV saved by Excel holds: the id is gone.
        format!("{v:E}").replace('E', "E+")
    } else {
        format!("{v}")
    }
}

fn datetime_text(dt: chrono::NaiveDateTime) -> String {
    // Excel stores times as fractions of a day: round to the second.
    (dt + chrono::Duration::milliseconds(500)).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A cell as text. `time` says the cell is in a time column (a plain number there is an Excel date).
pub(crate) fn cell_text(cell: &Data, time: bool) -> String {
    let mut s = String::new();
    cell_into(&mut s, cell, time);
    s
}

/// `cell_text`, appended to `out` (no allocation for the common text and whole-number cells).
fn cell_into(out: &mut String, cell: &Data, time: bool) {
    use std::fmt::Write;
    match cell {
        Data::Empty => {}
        Data::String(s) => out.push_str(s),
        Data::Int(i) if time => out.push_str(&serial_text(*i as f64).unwrap_or_else(|| i.to_string())),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) if time => out.push_str(&serial_text(*f).unwrap_or_else(|| number_text(*f))),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < EXACT_DIGITS_LIMIT => {
            let _ = write!(out, "{}", *f as i64);
        }
        Data::Float(f) => out.push_str(&number_text(*f)),
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(d) => {
                let _ = write!(out, "{}", (d + chrono::Duration::milliseconds(500)).format("%Y-%m-%d %H:%M:%S"));
            }
            None => out.push_str(&dt.as_f64().to_string()),
        },
        Data::DateTime(dt) => out.push_str(&number_text(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Error(e) => {
            let _ = write!(out, "#{e:?}");
        }
    }
}

/// An Excel serial date (days since 1899-12-30) in the years 1990–2100 as text; other numbers are not dates.
fn serial_text(v: f64) -> Option<String> {
    if !(32874.0..73051.0).contains(&v) {
        return None;
    }
    let dt = calamine::ExcelDateTime::new(v, calamine::ExcelDateTimeType::DateTime, false);
    dt.as_datetime().map(datetime_text)
}

/// The time columns of a table (their cells may be Excel dates).
fn time_columns(table: Table) -> &'static [usize] {
    match table {
        Table::Messages => &[m::TS],
        Table::Orders => &[o::CREATED, o::PAID],
        Table::Aftersales => &[c::OPENED, c::CLOSED],
        Table::Ratings => &[super::columns::r::RATED],
    }
}

/// Opens a workbook and finds the table of each sheet. `table` fixes the table (a file named after one). Fails when
/// the file cannot be opened or is damaged, or when no sheet maps to a table.
pub fn open(path: &Path, table: Option<Table>) -> Result<Workbook, String> {
    // calamine 0.38 can panic on a damaged file (an .xls whose sector table points past its end, found by mutating
    // the corpus's workbooks): that is a damaged file to report, not a crash. The default hook would print the panic
    // as if kefu had failed, so it is silenced while the workbook is read (workbooks are read on one thread).
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_workbook(path, table)));
    std::panic::set_hook(hook);
    read.unwrap_or_else(|_| {
        Err("the workbook is damaged: it cannot be read (open it in Excel and save it again)".into())
    })
}

fn read_workbook(path: &Path, table: Option<Table>) -> Result<Workbook, String> {
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| format!("cannot read the workbook: {e}"))?;
    let format = match wb {
        calamine::Sheets::Xls(_) => "xls",
        calamine::Sheets::Xlsx(_) => "xlsx",
        calamine::Sheets::Xlsb(_) => "xlsb",
        calamine::Sheets::Ods(_) => "ods",
    };
    let names = wb.sheet_names();
    let (mut sheets, mut other, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for name in &names {
        let range = match wb.worksheet_range(name) {
            Ok(r) => r,
            Err(e) => {
                other.push((name.clone(), format!("cannot read the sheet: {e}")));
                continue;
            }
        };
        let first_row = range.start().map_or(0, |(r, _)| r as u64);
        // The header: the first of the first rows that maps (`find_header`), as text cells.
        let head: Vec<(u64, Vec<String>)> = range
            .rows()
            .enumerate()
            .map(|(i, r)| (first_row + i as u64 + 1, r))
            .take(delimited::HEADER_SEARCH * 4)
            .map(|(n, r)| (n, r.iter().map(|c| cell_text(c, false)).collect()))
            .collect();
        let view = head.iter().map(|(n, c)| (*n, c.iter().map(String::as_str).collect()));
        match delimited::find_header(view, table) {
            Ok((header, titles)) => {
                let times: Vec<usize> =
                    time_columns(header.mapping.table).iter().filter_map(|&c| header.mapping.idx[c]).collect();
                let data_from = (header.line - first_row) as usize;
                let titles = titles.len() as u64;
                sheets.push(Sheet { name: name.clone(), header, titles, range, first_row, data_from, times });
            }
            Err(_) if head.is_empty() => other.push((name.clone(), "empty sheet".into())),
            Err(e) => {
                errors.push(e.clone());
                let why = match table {
                    Some(_) => e.clone(),
                    None => "its first rows name the columns of no table (messages, orders or after-sales)".into(),
                };
                other.push((name.clone(), why));
            }
        }
    }
    if sheets.is_empty() {
        let why = match (table, errors.first()) {
            (Some(_), Some(e)) => e.clone(),
            _ => "no sheet has the columns of messages, orders or after-sales in its first 10 rows".into(),
        };
        return Err(format!("{why} (sheets: {})", names.join(", ")));
    }
    Ok(Workbook { format, sheets, other })
}

impl Sheet {
    /// Reads the sheet's rows through `sink`, calling `row` on each.
    pub fn read(&self, sink: &mut Sink, mut row: impl FnMut(&delimited::Row) -> Outcome) {
        for _ in 0..self.titles {
            delimited::skip(sink.stats, "title row");
        }
        delimited::note_header(sink.stats, &self.header);
        let mut rec = csv::ByteRecord::new();
        let mut cell = String::new();
        for (i, r) in self.range.rows().enumerate().skip(self.data_from) {
            rec.clear();
            for (c, d) in r.iter().enumerate() {
                cell.clear();
                cell_into(&mut cell, d, self.times.contains(&c));
                rec.push_field(cell.as_bytes());
            }
            let line = self.first_row + i as u64 + 1;
            let raw = || r.iter().map(|d| cell_text(d, false)).collect::<Vec<_>>().join(",");
            sink.take(&rec, &self.header.mapping.idx, None, line, raw, &mut row);
        }
    }

    pub fn table(&self) -> Table {
        self.header.mapping.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_as_text() {
        assert_eq!(cell_text(&Data::Float(12345.0), false), "12345");
        assert_eq!(cell_text(&Data::Float(12.5), false), "12.5");
        assert_eq!(cell_text(&Data::Int(7), false), "7");
        let lost = cell_text(&Data::Float(2084938472938472938.0), false);
        assert!(crate::ingest::rows::is_scientific(&lost), "{lost}");
        // 2026-11-11 10:00:07 as an Excel serial number.
        let serial = 46337.0 + (10.0 * 3600.0 + 7.0) / 86400.0;
        assert_eq!(cell_text(&Data::Float(serial), true), "2026-11-11 10:00:07");
        assert_eq!(cell_text(&Data::Float(serial), false), format!("{serial}"));
        let dt = calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(dt), false), "2026-11-11 10:00:07");
        assert_eq!(cell_text(&Data::Bool(true), false), "true");
    }
}
