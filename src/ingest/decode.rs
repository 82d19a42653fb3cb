//! Bytes → text. SPEC §2: UTF-8, UTF-8 with BOM, or GB18030/GBK (Excel on Chinese Windows); UTF-16 with a BOM is
//! accepted too since Excel's "Unicode text" writes it. Detection: a BOM wins; else valid UTF-8 is UTF-8; else
//! GB18030 (a superset of GBK and GB2312).

use encoding_rs::{GB18030, UTF_8, UTF_16BE, UTF_16LE};

#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// Whether some bytes were not valid in the detected encoding and were replaced by U+FFFD.
    pub had_errors: bool,
}

pub fn decode(bytes: Vec<u8>) -> Decoded {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(&bytes) {
        if enc == UTF_8 {
            let mut bytes = bytes;
            bytes.drain(..bom_len);
            return utf8_or_gb18030(bytes, "UTF-8 (BOM)");
        }
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let name = if enc == UTF_16LE || enc == UTF_16BE { "UTF-16" } else { enc.name() };
        return Decoded { text: text.into_owned(), encoding: name, had_errors };
    }
    utf8_or_gb18030(bytes, "UTF-8")
}

fn utf8_or_gb18030(bytes: Vec<u8>, utf8_name: &'static str) -> Decoded {
    // simdutf8 validates Chinese text several times faster than `std::str::from_utf8` (which was a sixth of
    // ingest's instructions). A file that is not UTF-8 goes on to the per-line and GB18030 decoding as before.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: `bytes` was just validated as UTF-8 and is not changed in between.
        let text = unsafe { String::from_utf8_unchecked(bytes) };
        return Decoded { text, encoding: utf8_name, had_errors: false };
    }
    if let Some(d) = mixed(&bytes) {
        return d;
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(&bytes);
    Decoded { text: text.into_owned(), encoding: "GB18030", had_errors }
}

/// A UTF-8 file with some GB18030 lines (exports pasted together, a few rows edited in Excel on Windows): when
/// more lines hold valid non-ASCII UTF-8 than hold invalid UTF-8, each invalid line is decoded as GB18030 and the
/// rest as UTF-8. Decoding the whole file as GB18030 would garble every UTF-8 line without an error, since nearly
/// any byte sequence is valid GB18030.
fn mixed(bytes: &[u8]) -> Option<Decoded> {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let (mut utf8, mut other) = (0usize, 0usize);
    for l in &lines {
        match std::str::from_utf8(l) {
            Ok(s) if !s.is_ascii() => utf8 += 1,
            Ok(_) => {}
            Err(_) => other += 1,
        }
    }
    if utf8 <= other {
        return None;
    }
    let mut text = String::with_capacity(bytes.len());
    let mut had_errors = false;
    let mut gb_lines = 0;
    for l in lines {
        match std::str::from_utf8(l) {
            Ok(s) => text.push_str(s),
            Err(_) => {
                // A UTF-8 line with a few broken bytes keeps its UTF-8 (the broken bytes become U+FFFD); a line
                // that is mostly not UTF-8 is GB18030.
                let lossy = String::from_utf8_lossy(l);
                let broken = lossy.chars().filter(|&c| c == char::REPLACEMENT_CHARACTER).count();
                let fine = lossy.chars().filter(|&c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER).count();
                if fine > broken {
                    had_errors = true;
                    text.push_str(&lossy);
                } else {
                    gb_lines += 1;
                    let (t, e) = GB18030.decode_without_bom_handling(l);
                    had_errors |= e;
                    text.push_str(&t);
                }
            }
        }
    }
    let encoding = if gb_lines > 0 { "UTF-8 with GB18030 lines" } else { "UTF-8" };
    Some(Decoded { text, encoding, had_errors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_encoding() {
        let s = "时间,内容\n2026-11-11 10:00:00,亲，在的哦~\n";
        let d = decode(s.as_bytes().to_vec());
        assert_eq!((d.text.as_str(), d.encoding), (s, "UTF-8"));

        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        let d = decode(bom);
        assert_eq!((d.text.as_str(), d.encoding), (s, "UTF-8 (BOM)"));

        let (gbk, _, _) = GB18030.encode(s);
        let d = decode(gbk.into_owned());
        assert_eq!((d.text.as_str(), d.encoding, d.had_errors), (s, "GB18030", false));

        let mut u16 = vec![0xFF, 0xFE];
        u16.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let d = decode(u16);
        assert_eq!((d.text.as_str(), d.encoding), (s, "UTF-16"));
    }

    #[test]
    fn utf8_file_with_some_gbk_lines_decodes_each_line() {
        let utf8 = "时间,内容\n2026-11-11 10:00:00,亲，在的哦~\n2026-11-11 10:00:05,好的呢\n";
        let gbk_line = "2026-11-11 10:00:09,谢谢亲\n";
        let mut bytes = utf8.as_bytes().to_vec();
        bytes.extend_from_slice(&GB18030.encode(gbk_line).0);
        let d = decode(bytes);
        assert_eq!(
            (d.text, d.encoding, d.had_errors),
            (format!("{utf8}{gbk_line}"), "UTF-8 with GB18030 lines", false)
        );
        // A UTF-8 line with broken bytes stays UTF-8 around them.
        let mut bytes = utf8.as_bytes().to_vec();
        bytes.extend_from_slice(b"2026-11-11 10:00:09,\xff\xe8\xb0\xa2\xe8\xb0\xa2\xe4\xba\xb2\n");
        let d = decode(bytes);
        assert_eq!((d.encoding, d.had_errors), ("UTF-8", true));
        assert!(d.text.ends_with("10:00:09,\u{FFFD}谢谢亲\n"), "{}", d.text);
        // Mostly GBK: the whole file is GB18030.
        let mut bytes = GB18030.encode(utf8).0.into_owned();
        bytes.extend_from_slice(gbk_line.as_bytes());
        assert_eq!(decode(bytes).encoding, "GB18030");
    }
}
