//! Delimited text (CSV, TSV, semicolon) → rows of a table, with every row accounted for.
//!
//! Guarantees: the header is the first row within the first `HEADER_SEARCH` that maps to the table (title rows
//! above it are skipped and counted); every later non-blank row is used, skipped and counted (a totals row), or
//! rejected with its line; a quoted field that runs over following lines which themselves look like records is a
//! broken quote: that row is rejected and the lines after it are read on their own, so one stray `"` never
//! swallows the rest of a file. A quote-free text is split directly (the csv crate's reading of such a text, at a
//! fraction of its cost); a test checks the two agree. `Row` is also what workbook rows are read through, so every
//! input form reaches the typed readers (`rows`) the same way.

use super::columns::{self, Mapping, Table};
use crate::model::{FileStats, Reject};

/// Longest `raw` kept in a reject row.
pub(crate) const RAW_MAX: usize = 2000;

/// A header is looked for in this many first rows (SPEC §7: title rows above it are skipped).
pub(crate) const HEADER_SEARCH: usize = 10;

pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The delimiter of a CSV export: whichever of comma, tab and semicolon the first line uses most.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.chars().filter(|&x| x == c).count();
    [(b',', count(',')), (b'\t', count('\t')), (b';', count(';'))]
        .into_iter()
        .max_by_key(|&(d, n)| (n, d == b','))
        .map(|(d, _)| d)
        .unwrap_or(b',')
}

/// `str::trim` (Unicode whitespace, so the ideographic space U+3000 too), without decoding any character when the
/// value's first and last characters cannot be whitespace, as with nearly every id, time, sender and shop name:
/// trimming every field was 6 % of ingest's instructions. Unicode whitespace is ASCII or starts with the byte C2, E1,
/// E2 or E3 (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000); any other character is kept without looking further.
pub(crate) fn trim(s: &str) -> &str {
    let visible = |lead: u8| lead.is_ascii_graphic() || (lead >= 0xC3 && !matches!(lead, 0xE1..=0xE3));
    let b = s.as_bytes();
    // The last character's first byte: at most three continuation bytes (10xxxxxx) back.
    let last = b.iter().rev().take(4).find(|&&x| x & 0xC0 != 0x80);
    match (b.first(), last) {
        (Some(&first), Some(&last)) if visible(first) && visible(last) => s,
        _ => s.trim(),
    }
}

/// A field of a record holding UTF-8 (read from a `&str`, or built from workbook cells).
pub fn field(rec: &csv::ByteRecord, i: usize) -> Option<&str> {
    // SAFETY: records are read from a `&str` (valid UTF-8) and split only at ASCII bytes (the delimiter, quotes,
    // line ends), which never occur inside a multi-byte UTF-8 sequence; unescaping `""` drops an ASCII byte; workbook
    // rows are built from `String`s. So every field is valid UTF-8, and validating it again cost a visible share of
    // ingest.
    rec.get(i).map(|b| unsafe { std::str::from_utf8_unchecked(b) })
}

/// One data row, with its columns addressed by table position (`columns::m`, `o`, `c`).
pub struct Row<'a> {
    pub rec: &'a csv::ByteRecord,
    pub idx: &'a [Option<usize>],
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
    /// Whether the table has this column.
    pub fn has(&self, col: usize) -> bool {
        self.idx[col].is_some()
    }
}

/// What a typed reader did with a row.
pub enum Outcome {
    Used,
    OutOfPeriod,
    Reject(String),
}

/// Where a record was read: the line of its first byte (the header is line 1) and its bytes, from its first byte to
/// the end of its line end. Blank lines before a record are not part of it.
pub(crate) struct RecordAt {
    pub line: u64,
    pub start: usize,
    pub end: usize,
}

/// A record that cannot be read as one: where it is and why.
pub(crate) struct BadRecord {
    pub at: RecordAt,
    pub reason: String,
}

/// How a record tells a broken quote: a line inside a quoted field that has the header's number of fields and a
/// time in the table's time column is a record of its own, not text.
pub(crate) struct QuoteCheck {
    width: usize,
    time_field: usize,
    delimiter: u8,
}

impl QuoteCheck {
    fn looks_like_record(&self, line: &[u8]) -> bool {
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(self.delimiter).from_reader(line);
        let mut rec = csv::ByteRecord::new();
        matches!(rdr.read_byte_record(&mut rec), Ok(true))
            && rec.len() == self.width
            && field(&rec, self.time_field)
                .is_some_and(|t| crate::timefmt::parse_ts(t, crate::timefmt::utc()).is_some())
    }
}

/// The records of a CSV text. A text without any `"` is split directly — a record ends at each CR or LF (empty
/// lines are skipped) and fields end at the delimiter, which is all the csv crate does when nothing is quoted — at
/// a fraction of its cost (csv_core was a third of ingest's instructions, and exports written by kefu gen, JDDC and
/// most shops' systems quote nothing). Any other text (or one starting with a byte-order mark) goes through the csv
/// crate, restarted after a broken quote.
pub(crate) enum Records<'a> {
    Csv {
        rdr: csv::Reader<&'a [u8]>,
        text: &'a [u8],
        delimiter: u8,
        /// Where the reader starts in `text`, and the line before its first.
        base: usize,
        base_line: u64,
        check: Option<QuoteCheck>,
    },
    Plain {
        text: &'a [u8],
        delimiter: u8,
        pos: usize,
        line: u64,
    },
}

/// The line ends at the start of `bytes` (blank lines, or the LF of a CRLF): how many bytes, and how many LFs.
fn line_ends(bytes: &[u8]) -> (usize, u64) {
    let ends = bytes.iter().take_while(|&&b| b == b'\r' || b == b'\n');
    ends.fold((0, 0), |(n, lfs), &b| (n + 1, lfs + (b == b'\n') as u64))
}

fn csv_reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(bytes)
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str, delimiter: u8) -> Self {
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
    pub fn plain(bytes: &'a [u8], delimiter: u8, line: u64) -> Self {
        Records::Plain { text: bytes, delimiter, pos: 0, line }
    }

    /// Through the csv crate, whatever the text.
    pub fn csv(bytes: &'a [u8], delimiter: u8) -> Self {
        Records::Csv { rdr: csv_reader(bytes, delimiter), text: bytes, delimiter, base: 0, base_line: 0, check: None }
    }

    /// From here on, a record spanning lines that look like records is a broken quote (`QuoteCheck`).
    fn check_quotes(&mut self, width: usize, time_field: usize) {
        if let Records::Csv { delimiter, check, .. } = self {
            *check = Some(QuoteCheck { width, time_field, delimiter: *delimiter });
        }
    }

    /// Reads the next record into `rec`: `Ok(None)` at the end.
    pub fn next(&mut self, rec: &mut csv::ByteRecord) -> Result<Option<RecordAt>, BadRecord> {
        match self {
            Records::Csv { rdr, text, delimiter, base, base_line, check } => {
                let (start, line) = (*base + rdr.position().byte() as usize, *base_line + rdr.position().line());
                // The csv crate skips line ends before a record; the record starts after them.
                let (n, lfs) = line_ends(text.get(start..).unwrap_or(&[]));
                let (start, line) = (start + n, line + lfs);
                match rdr.read_byte_record(rec) {
                    Ok(false) => Ok(None),
                    Ok(true) => {
                        let end = *base + rdr.position().byte() as usize;
                        let at = RecordAt { line, start, end };
                        let Some(check) = check else { return Ok(Some(at)) };
                        let bytes = &text[start..end];
                        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
                        let Some(first_end) = memchr::memchr(b'\n', body) else { return Ok(Some(at)) };
                        let inner = &body[first_end + 1..];
                        if !inner.split(|&b| b == b'\n').any(|l| check.looks_like_record(l.trim_ascii_end())) {
                            return Ok(Some(at));
                        }
                        // A broken quote: reject the record's first line and read on from the next.
                        let next = start + first_end + 1;
                        *rdr = csv_reader(&text[next..], *delimiter);
                        (*base, *base_line) = (next, line);
                        let reason = "a quote (\") that opens here is never closed: this row is rejected and the rows \
                                      after it are read on their own"
                            .to_string();
                        Err(BadRecord { at: RecordAt { line, start, end: next }, reason })
                    }
                    Err(e) => Err(BadRecord { at: RecordAt { line, start, end: start }, reason: e.to_string() }),
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

/// The columns of a table, from its header row.
#[derive(Debug, Clone)]
pub struct Header {
    pub mapping: Mapping,
    /// Fields per row.
    pub width: usize,
    /// The header's line (row of a sheet), 1-based.
    pub line: u64,
    /// `header cell → column`, for `kefu check`.
    pub columns: Vec<String>,
}

/// A row as text cells, for header matching.
pub fn cells(rec: &csv::ByteRecord) -> Vec<&str> {
    (0..rec.len()).map(|i| field(rec, i).unwrap_or("")).collect()
}

/// Finds the header among the first `HEADER_SEARCH` non-blank rows: the first that maps to `table` (or, when
/// `table` is `None`, to any table). The rows above it are title rows, returned as `(line, raw)`. Fails with the
/// mapping error of the row naming most of the table's columns.
pub(crate) fn find_header<'r>(
    rows: impl Iterator<Item = (u64, Vec<&'r str>)>,
    table: Option<Table>,
) -> Result<(Header, Vec<(u64, String)>), String> {
    let mut titles = Vec::new();
    let mut best: Option<(usize, String)> = None;
    for (line, cells) in rows.filter(|(_, c)| c.iter().any(|x| !x.trim().is_empty())).take(HEADER_SEARCH) {
        let mapped = match table {
            Some(t) => columns::map_header(&cells, t),
            None => columns::detect(&cells).ok_or_else(|| "no table's columns".to_string()),
        };
        match mapped {
            Ok(mapping) => {
                let columns = mapping.describe(&cells);
                return Ok((Header { mapping, width: cells.len(), line, columns }, titles));
            }
            Err(e) => {
                let named = table.map_or(0, |t| columns::matched_columns(&cells, t));
                if best.as_ref().is_none_or(|(n, _)| named > *n) {
                    best = Some((named, e));
                }
                titles.push((line, cells.join(",")));
            }
        }
    }
    Err(best.map_or_else(|| "the file is empty (no header row)".to_string(), |(_, e)| e))
}

/// Reads the header of a CSV text (`find_header`) and leaves `records` at the first data row.
pub(crate) fn read_header(
    records: &mut Records,
    rec: &mut csv::ByteRecord,
    table: Option<Table>,
) -> Result<(Header, Vec<(u64, String)>), String> {
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let mut found = None;
    for _ in 0..HEADER_SEARCH * 4 {
        match records.next(rec) {
            Ok(Some(at)) => rows.push((at.line, cells(rec).into_iter().map(String::from).collect())),
            Ok(None) => break,
            Err(e) => return Err(format!("cannot read the header row: {}", e.reason)),
        }
        let last = rows.last().expect("just pushed");
        if last.1.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let view = rows.iter().map(|(l, c)| (*l, c.iter().map(String::as_str).collect()));
        match find_header(view, table) {
            Ok(h) => {
                found = Some(Ok(h));
                break;
            }
            Err(e) => found = Some(Err(e)),
        }
        if rows.iter().filter(|(_, c)| c.iter().any(|x| !x.trim().is_empty())).count() >= HEADER_SEARCH {
            break;
        }
    }
    let (header, titles) = found.unwrap_or_else(|| Err("the file is empty (no header row)".into()))?;
    let time_col = match header.mapping.table {
        Table::Messages => columns::m::TS,
        Table::Orders => columns::o::CREATED,
        Table::Aftersales => columns::c::OPENED,
        Table::Ratings => columns::r::RATED,
    };
    if let Some(i) = header.mapping.idx[time_col] {
        records.check_quotes(header.width, i);
    }
    Ok((header, titles))
}

/// Counts a skipped row of a kind (`title row`, `total row`, …) in a file's stats.
pub fn skip(stats: &mut FileStats, kind: &str) {
    stats.rows_read += 1;
    stats.rows_skipped += 1;
    *stats.skipped.entry(kind.to_string()).or_insert(0) += 1;
}

/// Whether a row is a totals row: its first non-empty cell is 合计, 总计, 汇总 or 平均.
pub(crate) fn is_total_row(rec: &csv::ByteRecord) -> bool {
    (0..rec.len())
        .filter_map(|i| field(rec, i))
        .map(str::trim)
        .find(|c| !c.is_empty())
        .is_some_and(columns::is_total_marker)
}

/// Where rows go: the file's name for rejects, its counts, and the rejects.
pub struct Sink<'a> {
    pub file: &'a str,
    pub stats: &'a mut FileStats,
    pub rejects: &'a mut Vec<Reject>,
}

impl Sink<'_> {
    pub fn reject(&mut self, line: u64, reason: String, raw: &str) {
        self.stats.rows_read += 1;
        self.stats.rows_rejected += 1;
        let raw = truncate(raw.trim_end_matches(['\r', '\n']), RAW_MAX).to_string();
        self.rejects.push(Reject { file: self.file.into(), line, reason, raw });
    }

    /// One data row: blank rows are not rows, totals rows are skipped and counted, rows with the wrong number of
    /// fields (when `width` is given) are rejected; the rest go to `row`.
    pub fn take(
        &mut self,
        rec: &csv::ByteRecord,
        idx: &[Option<usize>],
        width: Option<usize>,
        line: u64,
        raw: impl FnOnce() -> String,
        row: &mut impl FnMut(&Row) -> Outcome,
    ) {
        if (0..rec.len()).all(|i| field(rec, i).is_none_or(|f| f.trim().is_empty())) {
            return;
        }
        if is_total_row(rec) {
            skip(self.stats, "total row");
            return;
        }
        let outcome = match width {
            Some(w) if rec.len() != w => Outcome::Reject(format!("expected {w} fields, found {}", rec.len())),
            _ => row(&Row { rec, idx }),
        };
        match outcome {
            Outcome::Used => {
                self.stats.rows_read += 1;
                self.stats.rows_used += 1;
            }
            Outcome::OutOfPeriod => {
                self.stats.rows_read += 1;
                self.stats.rows_out_of_period += 1;
            }
            Outcome::Reject(reason) => self.reject(line, reason, &raw()),
        }
    }
}

/// Reads the data rows of `records` (which read `text`) through `sink`.
pub(crate) fn read_rows(
    records: &mut Records,
    text: &str,
    rec: &mut csv::ByteRecord,
    header: &Header,
    sink: &mut Sink,
    row: &mut impl FnMut(&Row) -> Outcome,
) {
    let raw = |at: &RecordAt| text.get(at.start..at.end.min(text.len())).unwrap_or("").to_string();
    loop {
        match records.next(rec) {
            Ok(None) => break,
            Ok(Some(at)) => sink.take(rec, &header.mapping.idx, Some(header.width), at.line, || raw(&at), row),
            Err(bad) => sink.reject(bad.at.line, bad.reason, &raw(&bad.at)),
        }
    }
}

/// Reads a CSV text of `table` (or of whichever table its header maps to) row by row through `sink`, calling `row`
/// on each data row. Fails only when no header is found. Returns the header.
pub fn read_csv(
    text: &str,
    table: Option<Table>,
    sink: &mut Sink,
    mut row: impl FnMut(&Row) -> Outcome,
) -> Result<Header, String> {
    let mut records = Records::new(text, sniff_delimiter(text));
    let mut rec = csv::ByteRecord::new();
    let (header, titles) = read_header(&mut records, &mut rec, table)?;
    for _ in titles {
        skip(sink.stats, "title row");
    }
    note_header(sink.stats, &header);
    read_rows(&mut records, text, &mut rec, &header, sink, &mut row);
    Ok(header)
}

/// Records a header in the file's stats (for `kefu check` and summary.json).
pub(crate) fn note_header(stats: &mut FileStats, header: &Header) {
    stats.table = header.mapping.table.as_str().into();
    stats.header_row = Some(header.line);
    stats.columns = header.columns.clone();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `records`: fields, line, start and end.
    fn all_records(mut records: Records) -> Vec<(Vec<Vec<u8>>, u64, usize, usize)> {
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while let Ok(Some(at)) = records.next(&mut rec) {
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
        assert!(matches!(Records::new("a,\"b\"\n", b','), Records::Csv { .. }));
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

    /// Reads a text as a messages table: the text of every used row, the rejects and the counts.
    fn read(text: &str) -> (Vec<String>, Vec<Reject>, FileStats) {
        let (mut stats, mut rejects, mut used) = (FileStats::default(), Vec::new(), Vec::new());
        let mut sink = Sink { file: "m.csv", stats: &mut stats, rejects: &mut rejects };
        read_csv(text, Some(Table::Messages), &mut sink, |r| {
            used.push(r.raw(columns::m::TEXT).to_string());
            Outcome::Used
        })
        .unwrap();
        (used, rejects, stats)
    }

    #[test]
    fn a_stray_quote_does_not_swallow_the_rows_after_it() {
        let text = "时间,买家,客服,发送方,内容\n\
                    2026-11-11 10:00:00,u,a,买家,在吗\n\
                    2026-11-11 10:00:05,u,a,买家,\"这个\n\
                    2026-11-11 10:00:09,u,a,客服,亲在的\n\
                    2026-11-11 10:00:20,u,a,买家,有货吗\n\
                    2026-11-11 10:00:30,u,a,客服,\"有的,亲\"\n";
        let (used, rejects, stats) = read(text);
        assert_eq!(used, ["在吗", "亲在的", "有货吗", "有的,亲"]);
        assert_eq!(rejects.len(), 1);
        assert_eq!((rejects[0].line, rejects[0].raw.as_str()), (3, "2026-11-11 10:00:05,u,a,买家,\"这个"));
        assert!(rejects[0].reason.contains("never closed"), "{}", rejects[0].reason);
        assert_eq!((stats.rows_read, stats.rows_used, stats.rows_rejected), (5, 4, 1));
        // A real multi-line text stays one row.
        let text = "时间,买家,客服,发送方,内容\n2026-11-11 10:00:05,u,a,买家,\"第一行\n第二行, 2026-11-11\"\n";
        let (used, rejects, _) = read(text);
        assert_eq!((used.len(), rejects.len()), (1, 0));
        assert_eq!(used[0], "第一行\n第二行, 2026-11-11");
    }

    #[test]
    fn title_rows_above_the_header_and_totals_rows_are_skipped_and_counted() {
        let text = "聊天记录导出,,,,\n统计时间：2026-11-01 至 2026-11-07,,,,\n\
                    时间,买家,客服,发送方,内容\n2026-11-11 10:00:00,u,a,买家,在吗\n合计,1,,,\n";
        let (used, rejects, stats) = read(text);
        assert_eq!((used.len(), rejects.len()), (1, 0));
        assert_eq!(stats.header_row, Some(3));
        assert_eq!((stats.rows_read, stats.rows_skipped), (4, 3));
        assert_eq!(stats.skipped.get("title row"), Some(&2));
        assert_eq!(stats.skipped.get("total row"), Some(&1));
    }
}
