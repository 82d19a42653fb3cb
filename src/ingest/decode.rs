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
    match String::from_utf8(bytes) {
        Ok(text) => Decoded { text, encoding: utf8_name, had_errors: false },
        Err(e) => {
            let bytes = e.into_bytes();
            let (text, had_errors) = GB18030.decode_without_bom_handling(&bytes);
            Decoded { text: text.into_owned(), encoding: "GB18030", had_errors }
        }
    }
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
}
