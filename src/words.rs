//! The words the rules' guards read and how a message splits into clauses: negations, question words and
//! finals, polite words (SPEC §5), and which tokens are punctuation and end a clause.

/// Negations that, right before a match, turn an assertion around (不包邮, 不支持货到付款).
pub(crate) const NEGATIONS: &[&str] = &[
    "不",
    "没",
    "没有",
    "无法",
    "不能",
    "不可以",
    "不支持",
    "不会",
    "别",
    "不用",
    "未",
    "非",
    "不提供",
    "无",
    "不是",
    "暂不",
];
/// Wishes turned down (不想退了, 不要发票): negations too for the readers, which read what a buyer wants; the rules'
/// guards keep to `NEGATIONS` (a promise of 不要担心 is still a promise).
pub(crate) const UNWANTED: &[&str] = &["不想", "不要", "不需要", "不打算"];
/// Words that make a clause a question wherever they stand.
pub(crate) const QUESTION_WORDS: &[&str] =
    &["是否", "有没有", "能不能", "可不可以", "是不是", "要不要", "会不会", "可以吗", "行不行"];
/// Particles that make a clause a question when they end it.
pub(crate) const QUESTION_FINALS: &[&str] = &["吗", "么", "嘛"];

/// What may stand before an answer's first word (嗯嗯可以, 亲亲，不行哦, 是的支持): a rule's `reply` terms count
/// where they open the message, after these (and punctuation) at most.
pub(crate) const REPLY_FILLERS: &[&str] =
    &["嗯", "嗯嗯", "恩", "恩恩", "亲", "亲亲", "亲爱的", "哦", "噢", "哈", "是的", "对", "对的", "好", "好的", "嗯呢"];
/// Politeness (SPEC §5): an agent message using any of these is polite.
pub(crate) const POLITE: &[&str] = &["您", "请", "麻烦", "抱歉", "感谢"];

pub(crate) fn is_punct(w: &str) -> bool {
    // Fast answers for the common cases: a CJK character (lead byte E4..E9) or an ASCII letter or digit.
    if let Some(b) = w.as_bytes().first()
        && (matches!(b, 0xE4..=0xE9) || b.is_ascii_alphanumeric())
    {
        return false;
    }
    w.chars().all(|c| {
        c.is_whitespace()
            || (c.is_ascii_punctuation() && c != '@')
            || matches!(
                c,
                '，' | '。'
                    | '！'
                    | '？'
                    | '；'
                    | '：'
                    | '、'
                    | '～'
                    | '…'
                    | '“'
                    | '”'
                    | '‘'
                    | '’'
                    | '（'
                    | '）'
                    | '【'
                    | '】'
                    | '《'
                    | '》'
                    | '·'
            )
    })
}

/// Whether a punctuation token ends a clause.
pub(crate) fn ends_clause(w: &str) -> bool {
    w.contains(|c| {
        matches!(
            c,
            '，' | '。'
                | '！'
                | '？'
                | '；'
                | ','
                | '.'
                | '!'
                | '?'
                | ';'
                | '~'
                | '～'
                | '…'
                | '\n'
                | '\t'
                | ' '
                | '　'
        )
    })
}
