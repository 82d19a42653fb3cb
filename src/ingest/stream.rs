//! The fast path for the largest file: a quote-free UTF-8 `messages.csv` read in pieces of whole lines, parsed on
//! every thread, with exactly the rows, ids, lines, rejects and counts of reading it whole (a test checks it with
//! pieces as small as one byte). Any file that shows to be something else is handed back to be read whole.

use super::columns::Table;
use super::delimited::{self, Header, Records, Sink, read_rows, sniff_delimiter};
use super::rows::Reader;
use crate::config::Settings;
use crate::model::{FileStats, Input};

/// Bytes of messages.csv read at a time.
pub(crate) const PIECE: usize = 8 << 20;

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
    fn next(&mut self, mut buf: Vec<u8>) -> Result<Option<(Vec<u8>, u64)>, String> {
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
    let mut reader = Reader::new(settings);
    let mut sink = Sink { file: "messages.csv", stats: &mut part.stats, rejects: &mut rejects };
    let input = &mut part.input;
    read_rows(&mut records, text, &mut csv::ByteRecord::new(), &table.0, &mut sink, &mut |r| {
        reader.row(Table::Messages, r, input)
    });
    part.stats.minute_only_times += reader.take_minute_only();
    part.input.rejects = rejects;
    Some(part)
}

/// Up to `len` pieces, read into the buffers of `free` while there are any.
fn read_batch<R: std::io::Read>(
    pieces: &mut Pieces<R>,
    free: &mut Vec<Vec<u8>>,
    len: usize,
) -> Result<Vec<(Vec<u8>, u64)>, String> {
    let mut batch = Vec::with_capacity(len);
    while batch.len() < len {
        match pieces.next(free.pop().unwrap_or_default())? {
            Some(p) => batch.push(p),
            None => break,
        }
    }
    Ok(batch)
}

/// Appends the parts, in file order, to `input` and their counts to `stats`.
fn merge(input: &mut Input, stats: &mut FileStats, parts: Vec<Part>) {
    for Part { input: part, stats: s } in parts {
        input.append(part);
        stats.add_counts(&s);
    }
}

/// Reads a messages.csv piece by piece — whole lines, about `piece` bytes at a time — so the file is never held
/// whole: at 10 M messages (1.5 GB) reading it into fresh memory took about 4 s and 1.4 GB, reading it through a
/// few reused buffers a tenth of that. After the first piece (the header), pieces are parsed on every thread,
/// a batch at a time, each into a `Part` of its own; while a batch is parsed, the parts of the one before are
/// appended in file order and the next one is read. Ids are renumbered so that they come out as one pass would
/// number them (`Input::append`).
///
/// Only for the files this reads exactly as `parse_messages_csv` reads the whole text: UTF-8 (with or without
/// BOM) without any `"`, where every line feed ends a record (exports written by kefu gen, JDDC and most shops'
/// systems). `Ok(None)` as soon as the file shows to be anything else (a quote, bytes that are not UTF-8, a UTF-16
/// BOM): the caller then reads it whole. After `Ok(None)` or `Err` (`parse_messages_csv`'s, or a read error),
/// `input` holds what was read so far: use a fresh one.
pub(crate) fn stream_messages_csv(
    file: impl std::io::Read + Send,
    piece: usize,
    settings: &Settings,
    input: &mut Input,
) -> Result<Option<FileStats>, String> {
    use rayon::prelude::*;
    let mut stats = FileStats::new("messages.csv", "messages", "CSV");
    stats.encoding = "UTF-8".into();
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
    // The first piece grows, a piece at a time, until it holds the header (title rows may come before it).
    let (records, delimiter, (header, titles)) = loop {
        let Some(text) = plain_text(&first) else { return Ok(None) };
        let delimiter = sniff_delimiter(text);
        let mut records = Records::plain(&first, delimiter, 1);
        match delimited::read_header(&mut records, &mut csv::ByteRecord::new(), Some(Table::Messages)) {
            Ok(h) => break (records, delimiter, h),
            Err(e) if memchr::memchr_iter(b'\n', &first).count() >= 4 * delimited::HEADER_SEARCH => return Err(e),
            Err(e) => match pieces.next(Vec::new())? {
                Some((more, _)) => first.extend_from_slice(&more),
                None => return Err(e),
            },
        }
    };
    for _ in titles {
        delimited::skip(&mut stats, "title row");
    }
    delimited::note_header(&mut stats, &header);
    let table = (header, delimiter);
    let Records::Plain { pos, line, .. } = records else { unreachable!("a plain reader") };
    let pseudonyms = input.pseudonyms.clone();
    let part = || Input { pseudonyms: pseudonyms.clone(), ..Default::default() };
    // The rest of the first piece, after the header, is a piece like the others.
    let Some(rest) = parse_piece(&first[pos..], line, &table, settings, part()) else { return Ok(None) };
    let mut parsed = vec![rest];
    let mut free = vec![first];
    let batch_len = 2 * rayon::current_num_threads();
    let mut batch = read_batch(&mut pieces, &mut free, batch_len)?;
    while !batch.is_empty() {
        // While this batch is parsed, the parts of the batch before are appended and the next batch is read: the
        // reading (copying 1.5 GB out of the page cache at 10 M messages) no longer waits between batches.
        let (read, next) = rayon::join(
            || {
                merge(input, &mut stats, std::mem::take(&mut parsed));
                read_batch(&mut pieces, &mut free, batch_len)
            },
            || -> Option<Vec<Part>> {
                batch.par_iter().map(|(b, line)| parse_piece(b, *line, &table, settings, part())).collect()
            },
        );
        let Some(next) = next else { return Ok(None) };
        parsed = next;
        free.extend(std::mem::replace(&mut batch, read?).into_iter().map(|(b, _)| b));
    }
    merge(input, &mut stats, parsed);
    Ok(Some(stats))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::parse_messages_csv;

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
                format!("{conv}|{}|{shop}|{customer}|{agent}|{:?}|{order}|{}|{ids:?}", m.ts, m.sender, input.text(m))
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
            if rng.chance(0.2) {
                text.push_str("聊天记录导出\n");
            }
            text.push_str(header[tabs as usize]);
            for _ in 0..rng.range(0, 30) {
                let end = rng.pick(&["\n", "\r\n", "\n\n", "\r\n\r\n", "\r", "\n  \n"]);
                text.push_str(end);
                let ts = rng.pick(&["2026-11-11 10:00:00", "2026-11-11 10:00:05", "2026/11/11 10:01", "坏时间", ""]);
                let sender = rng.pick(&["买家", "客服", "老板", "customer", "agent"]);
                let body = rng.pick(&["在吗", "亲，在的哦~", "", " 空格 ", "😀好评", "多,一,列"]);
                let conv = rng.pick(&["c1", "c2", "", "合计"]);
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
                    stats.encoding = crate::ingest::encoding_label(&whole);
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
}
