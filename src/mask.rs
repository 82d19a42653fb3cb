//! Personal data in text: the named patterns (phone, ID number, QQ/WeChat ids, address) that both the privacy
//! rules and the masking of every excerpt use, so what is detected is exactly what is hidden.
//!
//! Masking keeps enough to recognise a value without revealing it: `138****5678`, `110101********1234`,
//! `上海市浦东新区****`, `微信:ab****`.

use regex::Regex;
use std::sync::LazyLock;

/// Built-in patterns rules may name as `@name` in their `regex` list.
pub const NAMED: &[(&str, &str)] = &[
    ("phone", r"(?:^|[^0-9])(1[3-9][0-9]{9})(?:$|[^0-9])"),
    (
        "id_card",
        r"(?:^|[^0-9])([1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx])(?:$|[^0-9])",
    ),
    ("qq", r"(?i)(?:qq|扣扣|企鹅)号?\s*[:：是为]?\s*([1-9][0-9]{4,10})"),
    ("wechat", r"(?i)(?:微信|vx|wx|v信|威信)号?\s*[:：是为]?\s*([a-z][-_a-z0-9]{5,19})"),
    // A person's name where the text says it is one (收货人 张三, 姓名：李四, 我叫王五): only with such a word
    // before it, since a bare two-character name cannot be told from other words.
    ("name", r"(?:收货人|收件人|联系人|签收人|姓名|名字叫|名字是|我叫)\s*[:：是为叫]?\s*(\p{Han}{2,4})"),
    (
        "address",
        r"((?:\p{Han}{2,6}(?:省|自治区))?\p{Han}{2,6}(?:市|州|盟)?\p{Han}{1,6}(?:区|县|旗)\p{Han}{0,12}?[0-9\p{Han}]{1,12}?(?:路|街|大道|巷|弄|村|小区|大厦|花园)[0-9一二三四五六七八九十\-]*(?:号|栋|幢|单元|室|楼|弄)?[0-9\-]*(?:号|栋|幢|单元|室|楼)?[0-9\-]*(?:室|号)?)",
    ),
];

static COMPILED: LazyLock<Vec<(&'static str, Regex)>> =
    LazyLock::new(|| NAMED.iter().map(|(n, p)| (*n, Regex::new(p).expect("built-in pattern compiles"))).collect());

/// A cheap test that a text may hold a match of the named pattern: the regexes are far slower than this scan,
/// and nearly every message has none of them.
pub fn may_match(name: &str, text: &str) -> bool {
    Hints::of(text).may_match(name)
}

/// ASCII bytes the prefilter reads: digits, q/Q (QQ) and x/X (vx, wx), by value.
const ASCII_KEYS: [bool; 128] = {
    let mut m = [false; 128];
    let mut c = b'0';
    while c <= b'9' {
        m[c as usize] = true;
        c += 1;
    }
    m[b'q' as usize] = true;
    m[b'Q' as usize] = true;
    m[b'x' as usize] = true;
    m[b'X' as usize] = true;
    m
};

/// The position, from `i` (a character boundary) on, of the next character of a set — a three-byte one in `keys`,
/// an ASCII one marked in `ascii`, any two- or four-byte one if `others` —, or the text's length. The loop runs
/// over every byte of every agent message (`Hints::of_and`) and of the messages session rules check, so it is
/// kept to the test of one bit per character and nothing else, and stays in registers.
#[inline(always)]
pub fn next_of(b: &[u8], mut i: usize, keys: &CjkSet, ascii: &[bool; 128], others: bool) -> usize {
    loop {
        // Two three-byte characters at a time, from one 8-byte load, while the text is CJK. `i` is a character
        // boundary of valid UTF-8, so bytes 0 and 3 being lead bytes 1110xxxx makes bytes 0–5 two characters.
        while i + 8 <= b.len() {
            let x = u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
            if x & 0xF000_00F0 != 0xE000_00E0 {
                break;
            }
            let first = keys[((x & 0x0F) << 6 | (x >> 8) & 0x3F) as usize] >> ((x >> 16) & 0x3F);
            let second = keys[((x >> 24 & 0x0F) << 6 | (x >> 32) & 0x3F) as usize] >> ((x >> 40) & 0x3F);
            if (first | second) & 1 != 0 {
                return if first & 1 != 0 { i } else { i + 3 };
            }
            i += 6;
        }
        // One character.
        let Some(&c) = b.get(i) else { return i };
        if c & 0xF0 == 0xE0 && i + 2 < b.len() {
            let (w, bit) = cjk_slot(c, b[i + 1], b[i + 2]);
            if keys[w] & bit != 0 {
                return i;
            }
            i += 3;
        } else if c < 0x80 {
            if ascii[c as usize] {
                return i;
            }
            i += 1;
        } else {
            // A lead byte of a two- or four-byte character (continuation bytes are 0x80–0xBF).
            if others && c >= 0xC0 {
                return i;
            }
            i += 1;
        }
    }
}

/// The code point of a three-byte UTF-8 character (lead byte 0xE0–0xEF) from its bytes: the byte scans of the text
/// stage decode only these (CJK and full-width punctuation), never every character.
pub fn char3(b0: u8, b1: u8, b2: u8) -> u32 {
    ((b0 as u32 & 0x0F) << 12) | ((b1 as u32 & 0x3F) << 6) | (b2 as u32 & 0x3F)
}

/// What the prefilters of the named patterns need to know about a text, read in one pass over it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints {
    digits: usize,
    /// q/Q, 扣 or 企 (QQ, 扣扣, 企鹅).
    qq: bool,
    /// v/w followed by x (vx, wx, any case), or 信 (微信, v信, 威信).
    wechat: bool,
    /// 区/县/旗, and a street word (路 街 道 巷 弄 村 区 厦 园).
    district: bool,
    street: bool,
    /// 人/名/叫 (收货人, 姓名, 我叫).
    name: bool,
}

/// The characters the prefilter reads: 扣 企 (QQ), 信 (WeChat), 区 县 旗 (district), street words, 人 名 叫 (name).
pub const HINT_KEYS: [char; 17] =
    ['扣', '企', '信', '区', '县', '旗', '路', '街', '道', '巷', '弄', '村', '厦', '园', '人', '名', '叫'];

/// A set of three-byte characters (U+0800–U+FFFF: CJK, full-width punctuation) as a bitmap indexed straight by
/// the character's UTF-8 bytes, for the byte scans: word `(b0 & 0x0F) << 6 | (b1 & 0x3F)`, bit `b2 & 0x3F`.
pub type CjkSet = [u64; 1024];

/// Where a three-byte character's bit is in a `CjkSet`: the word, and the bit as a mask.
#[inline(always)]
pub fn cjk_slot(b0: u8, b1: u8, b2: u8) -> (usize, u64) {
    (((b0 as usize & 0x0F) << 6) | (b1 as usize & 0x3F), 1 << (b2 & 0x3F))
}

/// The bitmap of `keys` (each a three-byte character), to test a character with one load and no decoding.
pub const fn cjk_set(keys: &[char]) -> CjkSet {
    let mut m = [0u64; 1024];
    let mut i = 0;
    while i < keys.len() {
        let c = keys[i] as usize;
        assert!(c >= 0x800 && c <= 0xFFFF, "a three-byte character");
        m[c / 64] |= 1 << (c % 64);
        i += 1;
    }
    m
}

const HINT_SET: CjkSet = cjk_set(&HINT_KEYS);

impl Hints {
    pub fn of(text: &str) -> Hints {
        Hints::of_and(text, &HINT_SET, |_, _| {})
    }

    /// `of`, and in the same pass over the bytes `also(c, rest)` for each character `c` of `keys` that is not one
    /// of `HINT_KEYS`, with the bytes after it. `keys` must hold `HINT_KEYS` (a `cjk_set` of them and more).
    #[inline(always)]
    pub fn of_and(text: &str, keys: &CjkSet, mut also: impl FnMut(char, &[u8])) -> Hints {
        // One pass over the bytes: `next_of` skips what does not matter in a tight loop, and each character that
        // does is handled here, decoded only then. This runs for every agent message.
        let mut h = Hints::default();
        let b = text.as_bytes();
        let mut i = 0;
        loop {
            i = next_of(b, i, keys, &ASCII_KEYS, false);
            let Some(&c) = b.get(i) else { return h };
            if c < 0x80 {
                match c {
                    b'0'..=b'9' => h.digits += 1,
                    b'q' | b'Q' => h.qq = true,
                    _ if i > 0 && matches!(b[i - 1] | 0x20, b'v' | b'w') => h.wechat = true,
                    _ => {}
                }
                i += 1;
                continue;
            }
            let (b1, b2) = (b[i + 1], b[i + 2]);
            let ch = char::from_u32(char3(c, b1, b2)).expect("a three-byte character");
            i += 3;
            let (w, bit) = cjk_slot(c, b1, b2);
            if HINT_SET[w] & bit == 0 {
                // 您, 我 and the polite words, the most frequent: no need to compare with every hint character.
                also(ch, &b[i..]);
                continue;
            }
            match ch {
                '扣' | '企' => h.qq = true,
                '信' => h.wechat = true,
                '县' | '旗' => h.district = true,
                '人' | '名' | '叫' => h.name = true,
                '区' => {
                    h.district = true;
                    h.street = true;
                }
                '路' | '街' | '道' | '巷' | '弄' | '村' | '厦' | '园' => h.street = true,
                _ => also(ch, &b[i..]),
            }
        }
    }

    /// The named patterns the text may hold a match of (supersets of the keywords: the regex decides), as bits by
    /// their index in `NAMED`, all at once: it runs for every agent message.
    pub fn possible(&self) -> u8 {
        // The bits in the order of `NAMED`: phone, id_card, qq, wechat, name, address.
        let bit = |yes: bool, i: u8| (yes as u8) << i;
        bit(self.digits >= 11, 0)
            | bit(self.digits >= 11, 1)
            | bit(self.digits >= 5 && self.qq, 2)
            | bit(self.wechat, 3)
            | bit(self.name, 4)
            | bit(self.district && self.street, 5)
    }

    /// Whether the text may hold a match of the named pattern (`possible`; yes for a name not in `NAMED`).
    pub fn may_match(&self, name: &str) -> bool {
        NAMED.iter().position(|(n, _)| *n == name).is_none_or(|i| self.possible() >> i & 1 == 1)
    }
}

/// The built-in pattern of this name: its bit in `Hints::possible` (its index in `NAMED`) and compiled regex.
pub fn named(name: &str) -> Option<(u8, &'static Regex)> {
    COMPILED.iter().position(|(n, _)| *n == name).map(|i| (1 << i, &COMPILED[i].1))
}

/// Byte spans of personal data in a text (the captured value of each pattern), sorted and non-overlapping.
pub fn find_pii(text: &str) -> Vec<(usize, usize)> {
    find_kinds(text).into_iter().map(|(s, e, _)| (s, e)).collect()
}

/// `find_pii` with the pattern that found each span (the first, where two overlap).
fn find_kinds(text: &str) -> Vec<(usize, usize, &'static str)> {
    let mut spans: Vec<(usize, usize, &'static str)> = Vec::new();
    let possible = Hints::of(text).possible();
    for (i, (name, re)) in COMPILED.iter().enumerate() {
        if possible >> i & 1 == 0 {
            continue;
        }
        // The patterns match the character before and after a number (no look-around in `regex`), so the next
        // search starts where the value ends, not where the match does: `13912345678,13912345678` is two phones.
        let mut at = 0;
        while let Some(c) = re.captures_at(text, at) {
            let Some(m) = c.get(1) else { break };
            spans.push((m.start(), m.end(), name));
            at = m.end().max(at + 1);
            while !text.is_char_boundary(at) {
                at += 1;
            }
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize, &'static str)> = Vec::with_capacity(spans.len());
    for (s, e, k) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e, k)),
        }
    }
    merged
}

fn mask_value(v: &str, kind: &str) -> String {
    let chars: Vec<char> = v.chars().collect();
    let n = chars.len();
    if kind == "name" {
        // The family name only: 张*, 欧阳**.
        return format!("{}{}", chars[0], "*".repeat(n - 1));
    }
    let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
    if digits * 2 >= n {
        // Numbers: keep the first 3 (phones) or 6 (ID numbers) and the last 4.
        let keep_head = if n >= 15 { 6 } else { 3.min(n / 3) };
        let keep_tail = if n >= 8 { 4 } else { 0 };
        let head: String = chars[..keep_head].iter().collect();
        let tail: String = chars[n - keep_tail..].iter().collect();
        return format!("{head}{}{tail}", "*".repeat(n - keep_head - keep_tail));
    }
    // Addresses and ids: keep the city/district head (up to the first 区/县/市 within 9 chars), else 2 chars.
    let cut = chars.iter().take(9).rposition(|c| matches!(c, '区' | '县' | '市' | '旗')).map_or(2.min(n), |i| i + 1);
    let head: String = chars[..cut].iter().collect();
    format!("{head}****")
}

/// The text with the given personal-data spans (sorted, non-overlapping byte ranges) masked.
fn mask_spans(text: &str, spans: &[(usize, usize, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(s, e, kind) in spans {
        out.push_str(&text[at..s]);
        out.push_str(&mask_value(&text[s..e], kind));
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

/// The text with every personal-data span masked.
pub fn mask(text: &str) -> String {
    mask_spans(text, &find_kinds(text))
}

/// A short excerpt around a byte span (about `radius` characters each side), masked. The personal data is found
/// in the whole text and the excerpt is widened so that it never cuts through a value: a value at its edge is
/// masked whole, never shown in part.
pub fn excerpt(text: &str, span: (usize, usize), radius: usize) -> String {
    let mut start = text[..span.0].char_indices().rev().nth(radius.saturating_sub(1)).map_or(0, |(i, _)| i);
    let mut end = text[span.1..].char_indices().nth(radius).map_or(text.len(), |(i, _)| span.1 + i);
    let spans = find_kinds(text);
    for &(s, e, _) in &spans {
        if s < start && e > start {
            start = s;
        }
        if s < end && e > end {
            end = e;
        }
    }
    let inside: Vec<(usize, usize, &str)> =
        spans.iter().filter(|(s, e, _)| *s >= start && *e <= end).map(|(s, e, k)| (s - start, e - start, *k)).collect();
    let inner = mask_spans(&text[start..end], &inside).replace(['\n', '\r'], " ");
    format!("{}{}{}", if start > 0 { "…" } else { "" }, inner, if end < text.len() { "…" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_each_kind() {
        assert_eq!(mask("电话13812345678，谢谢"), "电话138****5678，谢谢");
        assert_eq!(mask("身份证110101199003071234"), "身份证110101********1234");
        assert_eq!(mask("身份证11010119900307123X号"), "身份证110101********123X号");
        assert_eq!(mask("加我微信: kefu_xiaomei88"), "加我微信: ke****");
        assert_eq!(mask("QQ 12345678"), "QQ 12**5678");
        assert_eq!(mask("寄到上海市浦东新区张江路88号3栋201室吧"), "寄到上海市浦东新区****吧");
        assert_eq!(mask("订单号2026111112345678901"), "订单号2026111112345678901");
        assert_eq!(mask("亲，这款是纯棉的哦"), "亲，这款是纯棉的哦");
        assert_eq!(mask("收货人：张三，电话13812345678"), "收货人：张*，电话138****5678");
        assert_eq!(mask("姓名欧阳娜娜"), "姓名欧***");
        assert_eq!(mask("我叫李四哦"), "我叫李**");
        assert_eq!(mask("13912345678,13912345678"), "139****5678,139****5678");
    }

    #[test]
    fn prefilter_never_hides_a_match() {
        for t in [
            "电话13812345678",
            "身份证110101199003071234",
            "QQ 12345678",
            "加我微信: kefu_xiaomei88",
            "寄到上海市浦东新区张江路88号3栋201室吧",
            "vx: abc12345",
            "收件人 王五",
            "我叫李四",
        ] {
            for (name, re) in COMPILED.iter() {
                if re.is_match(t) {
                    assert!(may_match(name, t), "{name} on {t}");
                }
            }
        }
    }

    #[test]
    fn hints_agree_with_reading_every_character() {
        // The prefilter's flags, worked out the slow way: every character decoded and compared.
        let reference = |t: &str, name: &str| {
            let has = |set: &str| t.chars().any(|c| set.contains(c));
            let digits = t.chars().filter(char::is_ascii_digit).count();
            let vx = t.as_bytes().windows(2).any(|w| matches!(w[0] | 0x20, b'v' | b'w') && w[1] | 0x20 == b'x');
            match name {
                "phone" | "id_card" => digits >= 11,
                "qq" => digits >= 5 && has("qQ扣企"),
                "wechat" => vx || has("信"),
                "address" => has("区县旗") && has("路街道巷弄村区厦园"),
                "name" => has("人名叫"),
                _ => true,
            }
        };
        let alphabet: Vec<char> = "0123456789qQvVwWxX扣企信区县旗路街道巷弄村厦园人名叫的 a😀é，".chars().collect();
        let mut rng = crate::rng::Rng::new(7);
        for n in 0..4000 {
            let t: String = (0..n % 40).map(|_| rng.pick(&alphabet)).collect();
            let possible = Hints::of(&t).possible();
            for (i, (name, _)) in NAMED.iter().enumerate() {
                assert_eq!(may_match(name, &t), reference(&t, name), "{name} on {t:?}");
                assert_eq!(possible >> i & 1 == 1, reference(&t, name), "{name} on {t:?}");
            }
        }
    }

    #[test]
    fn excerpts_are_masked_and_bounded() {
        let t = "亲，您的电话是13812345678对吧，我们保证11号之前发货，请放心";
        let i = t.find("保证").unwrap();
        let e = excerpt(t, (i, i + "保证".len()), 8);
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert!(!e.contains("13812345678"));
        let e = excerpt(t, (0, 3), 100);
        assert!(e.contains("138****5678") && !e.contains('…'), "{e}");
        // An excerpt edge inside a value shows the value masked whole, never a raw part of it.
        let t = "寄到上海市浦东新区张江路88号3栋201室，保证明天发货";
        let i = t.find("保证").unwrap();
        for radius in 1..30 {
            let e = excerpt(t, (i, i + "保证".len()), radius);
            assert!(!e.contains("张江路") && !e.contains("88号") && !e.contains("201"), "radius {radius}: {e}");
        }
        let t = "电话13812345678，一定明天到";
        let i = t.find("一定").unwrap();
        for radius in 1..20 {
            let e = excerpt(t, (i, i + "一定".len()), radius);
            assert!(!e.contains("2345678") && !e.contains("1234"), "radius {radius}: {e}");
        }
    }
}
