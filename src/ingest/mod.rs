//! Ingest: the files of an INPUT folder → typed tables (`model::Input`), rejects and warnings.
//!
//! Guarantees (SPEC §2, §7): every data row or line read is used, outside `--from/--to` (counted), a duplicate
//! message (counted), skipped as not data (counted by kind: title and totals rows, read marks, notices…), or listed
//! in `rejects` with file, line and reason; every file of the folder is read or listed as not read, with why; a file
//! that cannot be used at all is an error naming it; no input panics.
//!
//! One file per input form, each producing the same typed rows through one column map (`columns`, data in
//! `aliases.toml`): `delimited` (CSV/TSV, title rows, broken quotes), `stream` (the fast parallel path for a
//! quote-free messages.csv), `workbook` (.xlsx/.xls), `qianniu` (千牛 transcripts in any mix of layouts); `rows`
//! turns a row of any of them into a message, order or case; `bots` makes shop robots bots and gives their messages
//! to the human agent; `agents` reads the agents that orders, cases and ratings name as the chat's (a sub-account
//! alone is its agent); `checks` looks at the whole (join rate, minute-only times, unread files, nothing usable).
//! Files are read in a fixed order (`scan`), and what they add comes out numbered as that order reads it, also where
//! a file is read beside another (an orders CSV while the messages stream in: `read_beside_messages`).
//! Adding a format is one file and one line in `Kind`.

pub(crate) mod agents;
pub(crate) mod bots;
pub(crate) mod checks;
pub mod columns;
pub mod decode;
pub(crate) mod delimited;
pub mod qianniu;
pub(crate) mod rows;
pub(crate) mod stream;
pub(crate) mod workbook;

pub use checks::usable;
pub use decode::{Decoded, decode};
#[cfg(test)]
pub(crate) use rows::push_message;
pub(crate) use stream::stream_messages_csv;

use crate::config::Settings;
use crate::error::{KefuError, Result};
use crate::model::{FileStats, Input, Message, Reject, Unread};
use columns::Table;
use delimited::Sink;
use rows::Reader;
use std::path::{Path, PathBuf};

/// What a file of the folder is, by its name and place.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// CSV of a table; the table is known from a canonical name (`orders.csv`), else found from the header.
    Csv(Option<Table>),
    Workbook(Option<Table>),
    /// A `.txt`: in `transcripts/` always a transcript; in the folder itself when it holds a chat message.
    Transcript {
        in_folder: bool,
    },
    Unread(String),
    /// kefu.toml and the rule files it names: read by the settings, not here.
    Settings,
}

/// The table a file is named after (`orders.csv`, `orders.xlsx`), if any.
fn canonical(stem: &str) -> Option<Table> {
    Table::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(stem))
}

fn kind_of(path: &Path, settings_files: &[PathBuf]) -> Kind {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let stem = path.file_stem().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if path.is_dir() {
        return Kind::Unread("a folder: kefu reads the files of the input folder and of transcripts/".into());
    }
    if name.starts_with("~$") {
        return Kind::Unread("an Excel lock file (the workbook is open in Excel)".into());
    }
    if settings_files.iter().any(|s| same_file(s, path)) || name.eq_ignore_ascii_case("kefu.toml") {
        return Kind::Settings;
    }
    match ext.as_str() {
        "csv" | "tsv" => Kind::Csv(canonical(&stem)),
        "xlsx" | "xlsm" | "xls" => Kind::Workbook(canonical(&stem)),
        "txt" => Kind::Transcript { in_folder: true },
        "" => Kind::Unread("no file extension: not a format kefu reads".into()),
        other => Kind::Unread(format!(".{other}: not a format kefu reads (CSV, xlsx, xls, txt)")),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A file to read: its path, the name it is shown by, and what it is.
struct Entry {
    path: PathBuf,
    name: String,
    kind: Kind,
}

fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| KefuError::input(dir, format!("cannot read the folder: {e}")))?;
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.retain(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')));
    paths.sort();
    Ok(paths)
}

/// Every file of the folder and of `transcripts/`, in reading order: messages.csv, orders.csv, aftersales.csv, the
/// other files of the folder by name, then the transcripts by name.
fn scan(dir: &Path, settings: &Settings) -> Result<Vec<Entry>> {
    let rule_files: Vec<PathBuf> = settings.rules.files.clone();
    let mut entries = Vec::new();
    for path in list(dir)? {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if path.is_dir() && name == "transcripts" {
            for p in list(&path)? {
                let file = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                // A window's file is often named after the buyer: the name is shown masked like any id.
                let shown = crate::mask::mask(&format!("transcripts/{file}"));
                let is_txt = p.extension().is_some_and(|x| x.eq_ignore_ascii_case("txt")) && p.is_file();
                let kind = if is_txt {
                    Kind::Transcript { in_folder: false }
                } else {
                    Kind::Unread("in transcripts/, only .txt chat transcripts are read".into())
                };
                entries.push(Entry { path: p, name: shown, kind });
            }
            continue;
        }
        let kind = kind_of(&path, &rule_files);
        // Files are often named after a buyer: names are shown masked like any id.
        let name = crate::mask::mask(&if path.is_dir() { format!("{name}/") } else { name });
        entries.push(Entry { path, name, kind });
    }
    let rank = |e: &Entry| match (&e.kind, e.name.to_ascii_lowercase().as_str()) {
        (Kind::Csv(_), "messages.csv") => 0,
        (Kind::Csv(_), "orders.csv") => 1,
        (Kind::Csv(_), "aftersales.csv") => 2,
        (Kind::Transcript { in_folder: false }, _) => 4,
        _ => 3,
    };
    entries.sort_by_key(|e| rank(e));
    Ok(entries)
}

fn read_file(path: &Path) -> Result<Decoded> {
    let bytes = std::fs::read(path).map_err(|e| KefuError::input(path, format!("cannot read: {e}")))?;
    Ok(decode(bytes))
}

pub(crate) fn encoding_label(d: &Decoded) -> String {
    if d.had_errors { format!("{} (invalid bytes replaced)", d.encoding) } else { d.encoding.to_string() }
}

/// Reads a CSV text of `table` into `input`. Errors when no header maps to the table.
fn read_table_csv(
    text: &str,
    file: &str,
    table: Table,
    reader: &mut Reader,
    input: &mut Input,
) -> std::result::Result<FileStats, String> {
    let mut stats = FileStats::new(file, table.as_str(), "CSV");
    let mut rejects = std::mem::take(&mut input.rejects);
    let mut sink = Sink { file, stats: &mut stats, rejects: &mut rejects };
    let res = delimited::read_csv(text, Some(table), &mut sink, |r| reader.row(table, r, input));
    input.rejects = rejects;
    res?;
    stats.minute_only_times += reader.take_minute_only();
    Ok(stats)
}

/// Parses a `messages.csv` text into `input`. Errors only when the header is unusable.
pub fn parse_messages_csv(
    text: &str,
    file: &str,
    settings: &Settings,
    input: &mut Input,
) -> std::result::Result<FileStats, String> {
    read_table_csv(text, file, Table::Messages, &mut Reader::new(settings), input)
}

/// Parses an `orders.csv` text into `input.orders`. A repeated order_id is rejected (the first row wins).
pub fn parse_orders_csv(
    text: &str,
    file: &str,
    settings: &Settings,
    input: &mut Input,
) -> std::result::Result<FileStats, String> {
    read_table_csv(text, file, Table::Orders, &mut Reader::new(settings), input)
}

/// Parses an `aftersales.csv` text into `input.cases`. A repeated case_id is rejected (the first row wins).
pub fn parse_aftersales_csv(
    text: &str,
    file: &str,
    settings: &Settings,
    input: &mut Input,
) -> std::result::Result<FileStats, String> {
    read_table_csv(text, file, Table::Aftersales, &mut Reader::new(settings), input)
}

/// The table a CSV text's header maps to, if any (for files not named after a table).
fn detect_csv(text: &str) -> std::result::Result<Table, String> {
    let mut records = delimited::Records::new(text, delimited::sniff_delimiter(text));
    delimited::read_header(&mut records, &mut csv::ByteRecord::new(), None).map(|(h, _)| h.mapping.table)
}

/// The kind of a reject reason, for grouping: the reason without the quoted value and with numbers as `N`
/// (`unknown sender '老板'` → `unknown sender`, `expected 8 fields, found 3` → `expected N fields, found N`).
pub(crate) fn reject_kind(reason: &str) -> String {
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

/// How many duplicate messages `kefu check` shows by example.
pub(crate) const DUPLICATE_EXAMPLES: usize = 5;

/// Leaves out every message that repeats an earlier one exactly (same conversation, time, sender, shop, customer,
/// agent, order and text; the earliest in input order is kept), moves its count from `rows_used` to
/// `rows_duplicate` of the file it came from (`spans`: file index → the messages it added).
/// Exports that overlap (two weekly files pasted together, a day exported twice) would otherwise count every
/// such message, turn and violation twice.
pub(crate) fn drop_duplicate_messages(input: &mut Input, spans: &[(usize, std::ops::Range<usize>)]) {
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
}

/// Refuses an input whose message texts add up to more than one run holds (`TEXT_LIMIT`): past it, the texts'
/// starts have wrapped and no text may be read.
fn within_text_limit(dir: &Path, bytes: usize) -> Result<()> {
    if bytes <= crate::model::TEXT_LIMIT {
        return Ok(());
    }
    Err(KefuError::input(
        dir,
        format!(
            "the messages' texts add up to {:.1} GiB, more than the 4 GiB one run holds: split the input by shop or by \
             customer, run `kefu report --partial` on each part, then `kefu merge` (docs/scale-out.md)",
            bytes as f64 / (1u64 << 30) as f64
        ),
    ))
}

/// Reads a decoded CSV file of `table` into `input`, with `reader`'s state across files.
fn read_decoded_csv(d: &Decoded, e: &Entry, table: Table, reader: &mut Reader, input: &mut Input) -> Result<FileStats> {
    let mut stats = read_table_csv(&d.text, &e.name, table, reader, input).map_err(|r| KefuError::input(&e.path, r))?;
    stats.encoding = encoding_label(d);
    Ok(stats)
}

/// Which files are read on another worker while the messages stream in (`read_files`): an orders, after-sales or
/// ratings CSV named after its table (`orders.csv`) when no other file of the folder may hold that table (a second
/// one, or a CSV or workbook whose table shows only once it is opened). What a reader carries from file to file (the
/// order and case ids read, so that a repeat is a reject) then never spans two files, and a file read into an input
/// of its own and appended in its turn (`Input::append`) gives what reading it in turn gives. At 10 M messages these
/// files took 0.75 s on one core after the messages.
fn read_beside_messages(entries: &[Entry]) -> Vec<bool> {
    let may_hold = |e: &Entry, t: Table| match e.kind {
        Kind::Csv(table) | Kind::Workbook(table) => table.is_none_or(|x| x == t),
        _ => false,
    };
    entries
        .iter()
        .map(|e| match e.kind {
            Kind::Csv(Some(t)) if t != Table::Messages => entries.iter().filter(|o| may_hold(o, t)).count() == 1,
            _ => false,
        })
        .collect()
}

/// Reads a CSV of `table` into an input of its own, with a reader of its own (`read_beside_messages`).
fn read_apart(e: &Entry, table: Table, settings: &Settings) -> Result<(Input, FileStats)> {
    let d = read_file(&e.path)?;
    let mut part = fresh_input(settings);
    let stats = read_decoded_csv(&d, e, table, &mut Reader::new(settings), &mut part)?;
    Ok((part, stats))
}

/// An input to read into, empty.
fn fresh_input(settings: &Settings) -> Input {
    Input { pseudonyms: settings.pseudonym_key.clone(), ..Default::default() }
}

/// Reading state across the files of a folder.
struct Load<'s> {
    input: Input,
    reader: Reader<'s>,
    /// The messages each message file added (file index → range), to attribute duplicates to files.
    spans: Vec<(usize, std::ops::Range<usize>)>,
}

impl<'s> Load<'s> {
    fn new(settings: &'s Settings) -> Load<'s> {
        Load { input: fresh_input(settings), reader: Reader::new(settings), spans: Vec::new() }
    }

    /// Reads the files of `entries` in turn; those of `apart` were read on their own (`read_apart`), and the next of
    /// `read_apart` is appended in their turn.
    fn read_in_turn(
        &mut self,
        settings: &Settings,
        (entries, apart): (&[Entry], &[bool]),
        read_apart: &mut dyn Iterator<Item = Result<(Input, FileStats)>>,
    ) -> Result<()> {
        let mut i = 0;
        while i < entries.len() {
            let e = &entries[i];
            if apart[i] {
                self.append_part(read_apart.next().expect("a result for each file read apart")?);
                i += 1;
                continue;
            }
            // A run of transcripts is read together, in parallel.
            if let Kind::Transcript { .. } = e.kind {
                let run: Vec<&Entry> =
                    entries[i..].iter().take_while(|e| matches!(e.kind, Kind::Transcript { .. })).collect();
                i += run.len();
                self.transcripts(&run, settings)?;
                continue;
            }
            i += 1;
            match &e.kind {
                Kind::Csv(Some(Table::Messages)) if self.input.files.is_empty() && e.name == "messages.csv" => {
                    // The first file read, into the fresh input: streamed when it can be, else read whole.
                    let fail = |r| KefuError::input(&e.path, r);
                    let file = std::fs::File::open(&e.path).map_err(|err| fail(format!("cannot read: {err}")))?;
                    match stream_messages_csv(file, stream::PIECE, settings, &mut self.input).map_err(fail)? {
                        Some(stats) => self.push(stats, 0),
                        None => {
                            self.input = fresh_input(settings);
                            self.csv(e, Some(Table::Messages))?;
                        }
                    }
                }
                Kind::Csv(table) => self.csv(e, *table)?,
                Kind::Workbook(table) => self.workbook(e, *table)?,
                Kind::Transcript { .. } => unreachable!("read above"),
                Kind::Unread(why) => self.unread(&e.name, why.clone()),
                Kind::Settings => {}
            }
        }
        Ok(())
    }

    /// Adds a file's stats, noting the messages it added since `first`.
    fn push(&mut self, stats: FileStats, first: usize) {
        if stats.table == "messages" {
            self.spans.push((self.input.files.len(), first..self.input.messages.len()));
        }
        self.input.files.push(stats);
    }

    fn unread(&mut self, file: &str, reason: impl Into<String>) {
        self.input.unread.push(Unread { file: file.into(), reason: reason.into() });
    }

    fn csv(&mut self, e: &Entry, table: Option<Table>) -> Result<()> {
        let d = read_file(&e.path)?;
        let table = match table {
            Some(t) => t,
            None => match detect_csv(&d.text) {
                Ok(t) => t,
                Err(_) => {
                    self.unread(
                        &e.name,
                        "its first rows name the columns of no table (messages, orders or after-sales)",
                    );
                    return Ok(());
                }
            },
        };
        let first = self.input.messages.len();
        let stats = read_decoded_csv(&d, e, table, &mut self.reader, &mut self.input)?;
        self.push(stats, first);
        Ok(())
    }

    /// Appends a file read into an input of its own (a transcript, `read_apart`), and its stats.
    fn append_part(&mut self, (part, stats): (Input, FileStats)) {
        let first = self.input.messages.len();
        self.input.append(part);
        self.push(stats, first);
    }

    fn workbook(&mut self, e: &Entry, table: Option<Table>) -> Result<()> {
        let wb = workbook::open(&e.path, table).map_err(|r| KefuError::input(&e.path, r))?;
        for sheet in &wb.sheets {
            let file = format!("{}[{}]", e.name, sheet.name);
            let mut stats = FileStats::new(&file, sheet.table().as_str(), wb.format);
            let first = self.input.messages.len();
            let mut rejects = std::mem::take(&mut self.input.rejects);
            let mut sink = Sink { file: &file, stats: &mut stats, rejects: &mut rejects };
            let (reader, input, table) = (&mut self.reader, &mut self.input, sheet.table());
            sheet.read(&mut sink, |r| reader.row(table, r, input));
            self.input.rejects = rejects;
            stats.minute_only_times += self.reader.take_minute_only();
            self.push(stats, first);
        }
        for (sheet, why) in &wb.other {
            self.unread(&format!("{}[{sheet}]", e.name), why.clone());
        }
        Ok(())
    }

    /// Reads transcripts, on every thread (each file into an input of its own), and appends them in order.
    fn transcripts(&mut self, entries: &[&Entry], settings: &Settings) -> Result<()> {
        use rayon::prelude::*;
        let parse = |e: &&Entry| -> Result<Option<(Input, FileStats)>> {
            let d = read_file(&e.path)?;
            if e.kind == (Kind::Transcript { in_folder: true }) && !qianniu::looks_like_transcript(&d.text) {
                return Ok(None);
            }
            let mut part = fresh_input(settings);
            let mut stats = qianniu::parse_transcript(&d.text, &e.name, settings, &mut part);
            stats.encoding = encoding_label(&d);
            Ok(Some((part, stats)))
        };
        for batch in entries.chunks(TRANSCRIPT_BATCH) {
            let parts: Vec<Result<Option<(Input, FileStats)>>> = batch.par_iter().map(parse).collect();
            for (e, part) in batch.iter().zip(parts) {
                match part? {
                    None => self.unread(&e.name, "a text file with no chat message (NAME and time) in it"),
                    Some(read) => self.append_part(read),
                }
            }
        }
        Ok(())
    }
}

/// Transcripts parsed in parallel at a time (each batch is held whole before it is appended).
const TRANSCRIPT_BATCH: usize = 1024;

/// Reads every file of `entries` in turn, but those of `apart` (`read_beside_messages`): they are read while the
/// files before the first of them are (the messages), on another of the workers, each into an input of its own,
/// and appended in their turn.
fn read_files<'s>(settings: &'s Settings, entries: &[Entry], apart: &[bool]) -> Result<Load<'s>> {
    let first = apart.iter().position(|a| *a).unwrap_or(entries.len());
    let read_aside = || -> Vec<Result<(Input, FileStats)>> {
        let read = |e: &Entry| match e.kind {
            Kind::Csv(Some(table)) => read_apart(e, table, settings),
            _ => unreachable!("only CSVs of a known table are read apart"),
        };
        entries.iter().zip(apart).filter(|(_, a)| **a).map(|(e, _)| read(e)).collect()
    };
    let mut load = Load::new(settings);
    let (before, parts) = rayon::join(
        || load.read_in_turn(settings, (&entries[..first], &apart[..first]), &mut std::iter::empty()),
        read_aside,
    );
    before?;
    load.read_in_turn(settings, (&entries[first..], &apart[first..]), &mut parts.into_iter())?;
    Ok(load)
}

/// Reads every input file of an INPUT folder. Fails when the folder has no chat messages, or a file is unusable.
pub fn load_input(dir: &Path, settings: &Settings) -> Result<Input> {
    if !dir.is_dir() {
        return Err(KefuError::input(dir, "input folder not found"));
    }
    let entries = scan(dir, settings)?;
    let load = read_files(settings, &entries, &read_beside_messages(&entries))?;
    let Load { mut input, spans, .. } = load;
    within_text_limit(dir, input.text.len())?;
    if !input.files.iter().any(|f| f.table == "messages") {
        let seen: Vec<&str> = entries.iter().map(|e| e.name.as_str()).take(8).collect();
        return Err(KefuError::input(
            dir,
            format!(
                "no chat messages in the input folder: expected messages.csv, a CSV or workbook with chat columns, or \
                 transcripts/*.txt (found: {})",
                if seen.is_empty() { "nothing".to_string() } else { seen.join(", ") }
            ),
        ));
    }
    bots::resolve(&mut input, &bots::Bots::new(&settings.bots));
    drop_duplicate_messages(&mut input, &spans);
    qianniu::transfers_in_system_messages(&mut input);
    agents::resolve(&mut input);
    input.joins = checks::joins(&mut input);
    checks::shops(&mut input);
    checks::minute_only(&mut input);
    checks::unread(&mut input);
    // From here on, ids are only shown: hide the personal data some of them hold (a phone number as buyer id). The
    // checks above read the ids as exported (a nick the export masked, `t******7`, is told from one kefu masks) and
    // mask the ones they quote.
    input.names.mask_personal_data();
    Ok(input)
}

#[cfg(test)]
mod tests;
