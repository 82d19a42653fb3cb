//! Personal data in text: the named patterns (phone, ID number, QQ/WeChat ids, address) that both the privacy
//! rules and the masking of every excerpt use, so what is detected is exactly what is hidden.
//!
//! Masking keeps enough to recognise a value without revealing it: `138****5678`, `110101********1234`,
//! `上海市浦东新区****`, `微信:ab****`.

use regex::Regex;
use std::sync::LazyLock;

/// Built-in patterns rules may name as `@name` in their `regex` list.
pub(crate) const NAMED: &[(&str, &str)] = &[
    // Written whole or in groups (139 1234 5678, 139-1234-5678).
    ("phone", r"(?:^|[^0-9])(1[3-9][0-9](?:[ -]?[0-9]{4}){2})(?:$|[^0-9])"),
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
/// and nearly every message has none of them. (Tests: the detect stage holds `Hints` and asks them.)
#[cfg(test)]
pub(crate) fn may_match(name: &str, text: &str) -> bool {
    Hints::of(text).may_match(name)
}

/// The character at the start of `bytes` (valid UTF-8 from a character boundary on) as its UTF-8 bytes in a
/// little-endian word — the key the text stage's tables use for a character, read without decoding it — and its
/// byte length.
#[inline(always)]
pub(crate) fn char_key(bytes: &[u8]) -> Option<(u32, usize)> {
    match *bytes {
        // Three-byte characters (CJK, full-width punctuation), the most frequent, first.
        [b0, b1, b2, ..] if b0 & 0xF0 == 0xE0 => Some((u32::from_le_bytes([b0, b1, b2, 0]), 3)),
        [b0, ..] if b0 < 0x80 => Some((b0 as u32, 1)),
        [b0, b1, ..] if b0 & 0xE0 == 0xC0 => Some((u32::from_le_bytes([b0, b1, 0, 0]), 2)),
        [b0, b1, b2, b3, ..] => Some((u32::from_le_bytes([b0, b1, b2, b3]), 4)),
        _ => None,
    }
}

/// `char_key` of one character.
pub(crate) fn key_of(c: char) -> u32 {
    char_key(c.encode_utf8(&mut [0u8; 4]).as_bytes()).expect("a character").0
}

/// What the prefilters of the named patterns need to know about a text, read in one pass over it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Hints {
    digits: u32,
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

/// The classes of characters the prefilter reads (`Classes`): digits (counted), q/Q, 扣 企 (QQ), 信, v/w and x
/// (WeChat), 县 旗 and 区 (district), street words (路 街 道 巷 弄 村 厦 园; 区 is both), 人 名 叫 (name).
/// Classes 2–4 and 16–31 are free for other readings of the same pass (the politeness of agent messages).
pub mod class {
    pub const DIGIT: u8 = 1;
    pub const QQ: u8 = 5;
    pub const XIN: u8 = 6;
    pub const V_OR_W: u8 = 7;
    pub const X: u8 = 8;
    pub const DISTRICT: u8 = 9;
    pub const QU: u8 = 10;
    pub const STREET: u8 = 11;
    pub const NAME: u8 = 12;
}

/// The characters of the prefilter's classes.
pub(crate) fn hint_classes() -> Vec<(char, u8)> {
    use class::*;
    let mut v: Vec<(char, u8)> = ('0'..='9').map(|c| (c, DIGIT)).collect();
    v.extend([('q', QQ), ('Q', QQ), ('扣', QQ), ('企', QQ), ('信', XIN), ('县', DISTRICT), ('旗', DISTRICT)]);
    v.extend(['v', 'V', 'w', 'W'].map(|c| (c, V_OR_W)).into_iter().chain([('x', X), ('X', X), ('区', QU)]));
    v.extend("路街道巷弄村厦园".chars().map(|c| (c, STREET)).chain("人名叫".chars().map(|c| (c, NAME))));
    v
}

/// The pairs of classes the prefilter reads: v/w followed by x.
pub(crate) const HINT_PAIRS: &[(u8, u8)] = &[(class::V_OR_W, class::X)];

static HINT_READER: LazyLock<Classes> = LazyLock::new(|| Classes::new(&hint_classes(), HINT_PAIRS));

/// Characters sorted into classes (numbered 1–31; 0 is every other character), to read a text for them in one
/// pass (`read`) with no branch that depends on which character comes: a scan that stopped at each character of
/// interest (您, 我, 请 and the digits are in most agent messages) paid a mispredicted branch at every stop, which
/// cost more time than the reading itself. Two CJK characters per 8-byte load and counts in packed lanes buy 2 % of
/// the whole run at 10 M messages (0.8 % at 1 M; BENCHMARKS.md, session 17).
pub(crate) struct Classes {
    /// The three-byte characters (CJK, full-width punctuation), hashed by their `char_key` (`class3`): each entry
    /// is the key (in the low 24 bits) shifted left by 8, plus its class; 0 is empty. Small
    /// (a few hundred bytes), so that it stays in the first-level cache while jieba's dictionary passes through.
    three: Vec<u32>,
    mul: u32,
    shift: u32,
    ascii: [u8; 128],
    /// Per class, the classes that complete a pair when they come right after it (as bits).
    after: [u32; 32],
}

/// What `Classes::read` found in a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// The classes present, as bits (bit 0: a character of no class).
    pub seen: u32,
    /// The second classes of the pairs present (a character of the first class right before one of the second).
    pub pairs: u32,
    /// How many characters of classes 1, 2, 3 and 4 there are.
    pub counts: [u32; 4],
}

impl Tally {
    pub fn has(&self, class: u8) -> bool {
        self.seen >> class & 1 == 1
    }
    pub fn has_pair(&self, second: u8) -> bool {
        self.pairs >> second & 1 == 1
    }
}

impl Classes {
    /// The classes of `chars` (ASCII or three-byte characters, each with one class) and the `pairs` to note.
    pub fn new(chars: &[(char, u8)], pairs: &[(u8, u8)]) -> Classes {
        let key = |c: char| -> u32 {
            assert!(c.len_utf8() == 3, "{c}: ASCII or a three-byte character");
            key_of(c)
        };
        let mut ascii = [0u8; 128];
        let three: Vec<(u32, u8)> = chars
            .iter()
            .filter(|&&(c, class)| {
                assert!((1..32).contains(&class), "classes are 1-31");
                if c.is_ascii() {
                    ascii[c as usize] = class;
                }
                !c.is_ascii()
            })
            .map(|&(c, class)| (key(c), class))
            .collect();
        let mut after = [0u32; 32];
        for &(a, b) in pairs {
            after[a as usize] |= 1 << b;
        }
        // The smallest table (from two entries per character up) and a multiplier that send every character to a
        // slot of its own: a search of a few thousand multipliers at most, once per run.
        let least = (three.len() * 2).next_power_of_two().trailing_zeros().max(4);
        for bits in least..=16 {
            let mut mul: u32 = 0x9E37_79B1;
            for _ in 0..20_000 {
                let mut table = vec![0u32; 1 << bits];
                let fits = three.iter().all(|&(k, class)| {
                    let slot = &mut table[(k.wrapping_mul(mul) >> (32 - bits)) as usize];
                    let free = *slot == 0 || *slot >> 8 == k;
                    *slot = k << 8 | class as u32;
                    free
                });
                if fits {
                    return Classes { three: table, mul, shift: 32 - bits, ascii, after };
                }
                mul = mul.wrapping_add(0x2000_0002).wrapping_mul(0x0101_0101) | 1;
            }
        }
        panic!("no hash table of up to 65,536 entries separates {} characters", three.len());
    }

    /// The class of a three-byte character given by its `char_key`.
    #[inline(always)]
    fn class3(&self, k: u32) -> u32 {
        let e = self.three[(k.wrapping_mul(self.mul) >> self.shift) as usize];
        (e & 0xFF) * (e >> 8 == k) as u32
    }

    /// Reads `text` once: which classes occur, which pairs, and how many characters of classes 1–4.
    pub fn read(&self, text: &str) -> Tally {
        let mut t = Tally::default();
        // The counts are added 16 bits each in one word, emptied into `t.counts` after each block of at most
        // 65,535 bytes (a byte at least per character, so no lane overflows); blocks end on character boundaries.
        let (mut seen, mut pairs, mut prev) = (0u32, 0u32, 0u32);
        let mut start = 0;
        while start < text.len() {
            let mut end = (start + u16::MAX as usize).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let b = &text.as_bytes()[start..end];
            start = end;
            let mut packed = 0u64;
            let mut note = |class: u32| {
                seen |= 1 << class;
                pairs |= self.after[prev as usize] & (1 << class);
                // Classes 1-4 are counted, each in 16 bits of `packed`.
                let counted = class.wrapping_sub(1);
                packed += ((counted < 4) as u64) << (16 * (counted & 3));
                prev = class;
            };
            let mut i = 0;
            while i < b.len() {
                // Two three-byte characters at a time, from one 8-byte load, while the text is CJK.
                if i + 8 <= b.len() {
                    let x = u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
                    if x & 0xF000_00F0 == 0xE000_00E0 {
                        note(self.class3(x as u32 & 0xFF_FFFF));
                        note(self.class3((x >> 24) as u32 & 0xFF_FFFF));
                        i += 6;
                        continue;
                    }
                }
                let c = b[i];
                if c < 0x80 {
                    note(self.ascii[c as usize] as u32);
                    i += 1;
                } else if c & 0xF0 == 0xE0 {
                    note(self.class3(u32::from_le_bytes([c, b[i + 1], b[i + 2], 0])));
                    i += 3;
                } else {
                    // A two- or four-byte character: no class has one.
                    note(0);
                    i += if c >= 0xF0 { 4 } else { 2 };
                }
            }
            for (k, n) in t.counts.iter_mut().enumerate() {
                *n += (packed >> (16 * k) & 0xFFFF) as u32;
            }
        }
        t.seen = seen;
        t.pairs = pairs;
        t
    }
}

impl Hints {
    pub fn of(text: &str) -> Hints {
        Hints::from_tally(&HINT_READER.read(text))
    }

    /// The hints in a reading by classes holding the prefilter's (`hint_classes`, `HINT_PAIRS`).
    pub fn from_tally(t: &Tally) -> Hints {
        use class::*;
        Hints {
            digits: t.counts[DIGIT as usize - 1],
            qq: t.has(QQ),
            wechat: t.has(XIN) || t.has_pair(X),
            district: t.has(DISTRICT) || t.has(QU),
            street: t.has(STREET) || t.has(QU),
            name: t.has(NAME),
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

    /// Whether the text may hold a match of the named pattern (`possible`; yes for a name not in `NAMED`). Tests.
    #[cfg(test)]
    pub fn may_match(&self, name: &str) -> bool {
        NAMED.iter().position(|(n, _)| *n == name).is_none_or(|i| self.possible() >> i & 1 == 1)
    }
}

/// The built-in pattern of this name: its bit in `Hints::possible` (its index in `NAMED`) and compiled regex.
pub fn named(name: &str) -> Option<(u8, &'static Regex)> {
    COMPILED.iter().position(|(n, _)| *n == name).map(|i| (1 << i, &COMPILED[i].1))
}

/// Byte spans of personal data in a text (the captured value of each pattern), sorted and non-overlapping.
pub(crate) fn find_pii(text: &str) -> Vec<(usize, usize)> {
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
        // Written in groups: the whole number is found and masked, separators and all.
        assert_eq!(mask("电话139 1234 5678"), "电话139******5678");
        assert_eq!(mask("电话177-1234-5678。"), "电话177******5678。");
        // A tracking or order number is no phone.
        assert_eq!(mask("单号SF1234567890123"), "单号SF1234567890123");
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
    fn classes_count_past_a_block_and_separate_many_characters() {
        // Counts are added 16 bits each within blocks of at most 65,535 bytes: a longer text overflows no lane,
        // and a block edge cuts no character (three-byte ones straddle the first edge here).
        let r = Classes::new(&[('1', 1), ('我', 2), ('x', 4)], &[(1, 4)]);
        let t = "1".repeat(70_000) + &"我".repeat(30_000) + "1x";
        let tally = r.read(&t);
        assert_eq!(tally.counts, [70_001, 30_000, 0, 1]);
        assert!(tally.has_pair(4) && !tally.has(3));
        let t = "1".to_string() + &"我".repeat(21_846);
        assert_eq!(r.read(&t).counts, [1, 21_846, 0, 0]);
        // A hundred characters, each with a class, each found alone and none confused with another; a character
        // of no class reads as class 0.
        let chars: Vec<(char, u8)> =
            ('一'..='龥').step_by(97).take(100).enumerate().map(|(i, c)| (c, (i % 31 + 1) as u8)).collect();
        let r = Classes::new(&chars, &[]);
        for &(c, class) in &chars {
            assert_eq!(r.read(&c.to_string()).seen, 1 << class, "{c}");
            let next = char::from_u32(c as u32 + 1).unwrap();
            assert_eq!(r.read(&next.to_string()).seen, 1, "{next}");
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
