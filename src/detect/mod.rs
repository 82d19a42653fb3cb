//! Detect: the text rules of SPEC §5 (质检) applied to every message, and the customer intents.
//!
//! Rules are data (`rules.rs`, `default_rules.toml`). Each message is cut once by the shared tokenizer; one
//! Aho-Corasick pass finds every rule term in the text, and an occurrence counts only where it starts and ends on
//! token boundaries (so 没有 inside 有没有 is not 没有). Clauses split at punctuation and spaces; a clause is a question when it
//! ends in ？/? or 吗/么/嘛 or asks 是否/有没有/能不能 …. Conversations are independent, so they run in parallel
//! (rayon); within one, messages run in order because promise and context rules look back. Tokens of a message
//! are dropped before the next message: they are never all held.

pub mod rules;

use crate::model::{Input, Sender};
use crate::sessions::Derived;
use crate::tokenize::Tokenizer;
use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use regex::Regex;
use rules::RuleDef;
use std::collections::HashMap;

/// Negations that, right before a match, turn an assertion around (不包邮, 不支持货到付款).
pub const NEGATIONS: &[&str] = &[
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
/// Words that make a clause a question wherever they stand.
pub const QUESTION_WORDS: &[&str] =
    &["是否", "有没有", "能不能", "可不可以", "是不是", "要不要", "会不会", "可以吗", "行不行"];
/// Particles that make a clause a question when they end it.
pub const QUESTION_FINALS: &[&str] = &["吗", "么", "嘛"];
/// Politeness (SPEC §5): an agent message using any of these is polite.
pub const POLITE: &[&str] = &["您", "请", "麻烦", "抱歉", "感谢"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Session,
    Conversation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SessionCheck {
    FirstAgentLacks,
    LastAgentLacks,
}

/// The character of a one-character string.
fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// A set of term ids.
#[derive(Debug, Clone, Default)]
struct TermSet(Vec<u64>);

impl TermSet {
    fn of(ids: impl IntoIterator<Item = u32>, n: usize) -> Self {
        let mut bits = vec![0u64; n.div_ceil(64)];
        for i in ids {
            bits[i as usize / 64] |= 1 << (i % 64);
        }
        TermSet(bits)
    }
    fn contains(&self, i: u32) -> bool {
        self.0.get(i as usize / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
    fn intersects(&self, other: &TermSet) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }
    fn insert(&mut self, i: u32) {
        self.0[i as usize / 64] |= 1 << (i % 64);
    }
}

enum Pattern {
    Named(&'static str, &'static Regex),
    Own(Regex),
}

impl Pattern {
    /// The regex, unless a cheap test shows the text cannot match it.
    fn regex_for(&self, text: &str, digits: usize) -> Option<&Regex> {
        match self {
            Pattern::Named(name, r) => crate::mask::may_match_counted(name, text, digits).then_some(*r),
            Pattern::Own(r) => Some(r),
        }
    }
}

/// A validated rule ready to run.
pub struct Rule {
    pub def: RuleDef,
    speaker: Option<Sender>,
    terms: TermSet,
    /// (groups, window, unless_message) of each sequence.
    sequences: Vec<(Vec<TermSet>, usize, TermSet)>,
    regex: Vec<Pattern>,
    unless_after: TermSet,
    unless_clause: TermSet,
    unless_message: TermSet,
    after: Option<(TermSet, Option<Sender>, Scope)>,
    unless_asked: Option<TermSet>,
    session: Option<SessionCheck>,
    /// The rule's single-character terms, for the substring test of session checks (亲 in 亲爱的).
    single_chars: Vec<char>,
}

impl Rule {
    /// Whether the message has what a match needs: one of the terms, every group of a sequence, or a regex to try.
    /// Nearly every message lacks it for nearly every rule, and this test is a few word compares.
    fn can_match(&self, s: &Scan) -> bool {
        !self.regex.is_empty()
            || self.terms.intersects(&s.present)
            || self.sequences.iter().any(|(groups, _, _)| groups.iter().all(|g| g.intersects(&s.present)))
    }

    /// The penalty as a person reads it: "6 pts", "¥200", "30% of order ≤ ¥500", "internal", "intent".
    pub fn penalty_label(&self) -> String {
        let d = &self.def;
        if d.is_intent() {
            return "intent".into();
        }
        let mut parts = Vec::new();
        if d.points > 0.0 {
            parts.push(format!("{} pts", d.points));
        }
        if d.money > 0.0 {
            parts.push(format!("¥{}", d.money));
        }
        if d.order_share > 0.0 {
            let cap = d.money_cap.map(|c| format!(" ≤ ¥{c}")).unwrap_or_default();
            parts.push(format!("{}% of order{cap}", d.order_share * 100.0));
        }
        if parts.is_empty() { "internal".into() } else { parts.join(" + ") }
    }

    pub fn is_intent(&self) -> bool {
        self.def.is_intent()
    }
}

fn speaker(s: &str) -> Option<Sender> {
    match s {
        "agent" => Some(Sender::Agent),
        "customer" => Some(Sender::Customer),
        _ => None,
    }
}

/// Every active rule, compiled over one shared term dictionary.
pub struct RuleSet {
    pub rules: Vec<Rule>,
    terms: Vec<String>,
    /// Matcher of the terms of two or more characters; `ac_terms` maps its pattern ids to term ids.
    ac: AhoCorasick,
    ac_terms: Vec<u32>,
    /// Single-character terms (不, 没, 吗, 把, 亲 …): they only ever count as a whole token, so they are matched by
    /// token equality instead of being reported by the automaton at every occurrence.
    single: std::collections::HashMap<char, u32>,
    negations: TermSet,
    question_words: TermSet,
}

impl RuleSet {
    pub fn compile(defs: Vec<RuleDef>) -> Result<RuleSet, String> {
        let mut terms: Vec<String> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut id = |t: &str| -> u32 {
            let t = t.trim();
            if let Some(&i) = index.get(t) {
                return i;
            }
            terms.push(t.to_string());
            index.insert(t.to_string(), terms.len() as u32 - 1);
            terms.len() as u32 - 1
        };
        let negations: Vec<u32> = NEGATIONS.iter().map(|t| id(t)).collect();
        let question_words: Vec<u32> = QUESTION_WORDS.iter().map(|t| id(t)).collect();
        struct Ids {
            terms: Vec<u32>,
            seqs: Vec<(Vec<Vec<u32>>, usize, Vec<u32>)>,
            after: Vec<u32>,
            unless_after: Vec<u32>,
            unless_clause: Vec<u32>,
            unless_message: Vec<u32>,
            asked: Vec<u32>,
        }
        let mut ids = Vec::new();
        for d in &defs {
            ids.push(Ids {
                terms: d.terms.iter().map(|t| id(t)).collect(),
                seqs: d
                    .sequences
                    .iter()
                    .map(|s| {
                        let groups = s.groups.iter().map(|g| g.iter().map(|t| id(t)).collect()).collect();
                        (groups, s.window, s.unless_message.iter().map(|t| id(t)).collect())
                    })
                    .collect(),
                after: d.after.iter().flat_map(|a| a.terms.iter()).map(|t| id(t)).collect(),
                unless_after: d.unless_after.iter().map(|t| id(t)).collect(),
                unless_clause: d.unless_clause.iter().map(|t| id(t)).collect(),
                unless_message: d.unless_message.iter().map(|t| id(t)).collect(),
                asked: d.unless_asked.iter().flat_map(|a| a.terms.iter()).map(|t| id(t)).collect(),
            });
        }
        let n = terms.len();
        let set = |v: &[u32]| TermSet::of(v.iter().copied(), n);
        let mut rules = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (d, i) in defs.into_iter().zip(ids) {
            if !seen.insert(d.id.clone()) {
                return Err(format!("rule '{}' is defined twice", d.id));
            }
            let regex = d
                .regex
                .iter()
                .map(|r| match r.strip_prefix('@') {
                    Some(name) => {
                        let named = crate::mask::named(name).map(|(n, r)| Pattern::Named(n, r));
                        named.ok_or(format!("rule '{}': unknown @{name}", d.id))
                    }
                    None => Regex::new(r).map(Pattern::Own).map_err(|e| format!("rule '{}': {e}", d.id)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            rules.push(Rule {
                speaker: speaker(&d.speaker),
                terms: set(&i.terms),
                sequences: i.seqs.iter().map(|(g, w, u)| (g.iter().map(|x| set(x)).collect(), *w, set(u))).collect(),
                regex,
                unless_after: set(&i.unless_after),
                unless_clause: set(&i.unless_clause),
                unless_message: set(&i.unless_message),
                after: d.after.as_ref().map(|a| {
                    let sp = speaker(a.speaker.as_deref().unwrap_or(&d.speaker));
                    (set(&i.after), sp, if a.scope == "conversation" { Scope::Conversation } else { Scope::Session })
                }),
                unless_asked: d.unless_asked.as_ref().map(|_| set(&i.asked)),
                single_chars: d.terms.iter().filter_map(|t| single_char(t.trim())).collect(),
                session: d.session.as_deref().map(|s| {
                    if s == "first_agent_lacks" { SessionCheck::FirstAgentLacks } else { SessionCheck::LastAgentLacks }
                }),
                def: d,
            });
        }
        let mut single = std::collections::HashMap::new();
        let mut ac_terms = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            match single_char(t) {
                Some(c) => {
                    single.insert(c, i as u32);
                }
                None => ac_terms.push(i as u32),
            }
        }
        let ac = AhoCorasick::new(ac_terms.iter().map(|&i| &terms[i as usize]))
            .map_err(|e| format!("cannot build the term matcher: {e}"))?;
        Ok(RuleSet {
            negations: set(&negations),
            question_words: set(&question_words),
            rules,
            terms,
            ac,
            ac_terms,
            single,
        })
    }

    /// Every term the rules use: they all go into the tokenizer's dictionary.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(String::as_str)
    }
}

/// A term found in a message.
#[derive(Debug, Clone, Copy)]
struct Occ {
    term: u32,
    /// Token range [t0, t1).
    t0: u32,
    t1: u32,
    start: usize,
    end: usize,
    clause: u32,
    /// Starts and ends on token boundaries (a whole-word match).
    whole: bool,
}

/// One message, cut and scanned.
struct Scan {
    occ: Vec<Occ>,
    /// Terms with a whole-word occurrence in the message.
    present: TermSet,
    question: Vec<bool>,
    token_clause: Vec<u32>,
    token_starts: Vec<usize>,
    /// ASCII digits in the message, for the personal-data prefilter.
    digits: usize,
}

fn is_punct(w: &str) -> bool {
    w.chars().all(|c| {
        !('\u{4E00}'..='\u{9FFF}').contains(&c)
            && (c.is_whitespace()
                || (c.is_ascii_punctuation() && c != '@')
                || "，。！？；：、～…“”‘’（）【】《》·~".contains(c))
    })
}

impl RuleSet {
    fn scan(&self, tok: &Tokenizer, text: &str) -> Scan {
        let tokens = tok.cut(text);
        let mut token_clause = Vec::with_capacity(tokens.len());
        let mut token_starts = Vec::with_capacity(tokens.len());
        let mut token_ends = Vec::with_capacity(tokens.len());
        let mut question = vec![false];
        let mut last_word: Option<&str> = None;
        let mut occ = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            if let Some(c) = single_char(t.word)
                && let Some(&term) = self.single.get(&c)
            {
                let clause = question.len() as u32 - 1;
                let (t0, t1) = (i as u32, i as u32 + 1);
                occ.push(Occ { term, t0, t1, start: t.byte_start, end: t.byte_end, clause, whole: true });
            }
            token_starts.push(t.byte_start);
            token_ends.push(t.byte_end);
            let c = question.len() as u32 - 1;
            token_clause.push(c);
            if is_punct(t.word) {
                if t.word.contains(['？', '?']) {
                    question[c as usize] = true;
                }
                if last_word.is_some_and(|w| QUESTION_FINALS.contains(&w)) {
                    question[c as usize] = true;
                }
                if t.word.contains(|ch: char| "，。！？；,.!?;~～…\n\t 　".contains(ch)) {
                    question.push(false);
                    last_word = None;
                }
            } else {
                last_word = Some(t.word);
            }
        }
        if let Some(w) = last_word
            && QUESTION_FINALS.contains(&w)
        {
            *question.last_mut().expect("a clause") = true;
        }
        drop(tokens);
        let token_at = |byte: usize, v: &[usize]| v.binary_search(&byte).ok();
        let containing = |byte: usize| token_starts.partition_point(|&s| s <= byte).saturating_sub(1);
        for m in self.ac.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            let (t0, t1, whole) = match (token_at(s, &token_starts), token_at(e, &token_ends)) {
                (Some(a), Some(b)) => (a, b + 1, true),
                _ => (containing(s), containing(e.saturating_sub(1)) + 1, false),
            };
            let clause = token_clause.get(t0).copied().unwrap_or(0);
            let term = self.ac_terms[m.pattern().as_usize()];
            occ.push(Occ { term, t0: t0 as u32, t1: t1 as u32, start: s, end: e, clause, whole });
        }
        let mut present = TermSet::of([], self.terms.len());
        for o in occ.iter().filter(|o| o.whole) {
            present.insert(o.term);
            if self.question_words.contains(o.term) {
                question[o.clause as usize] = true;
            }
        }
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        Scan { occ, present, question, token_clause, token_starts, digits }
    }
}

impl Scan {
    fn whole<'a>(&'a self, set: &'a TermSet) -> impl Iterator<Item = &'a Occ> + 'a {
        self.occ.iter().filter(move |o| o.whole && set.contains(o.term))
    }
    fn any_substring(&self, set: &TermSet) -> bool {
        self.occ.iter().any(|o| set.contains(o.term))
    }
    fn clause_of_byte(&self, byte: usize) -> u32 {
        let t = self.token_starts.partition_point(|&s| s <= byte).saturating_sub(1);
        self.token_clause.get(t).copied().unwrap_or(0)
    }
}

/// A candidate match: byte span, token range (None for regex matches) and clause.
#[derive(Debug, Clone, Copy)]
struct Cand {
    start: usize,
    end: usize,
    tokens: Option<(u32, u32)>,
    clause: u32,
}

impl RuleSet {
    /// A negation ending at most one token before token `t0`, in the same clause (不包邮, 不支持货到付款; but not
    /// the 不 of 不合适可以退货 two words away).
    fn negated(&self, s: &Scan, clause: u32, t0: u32) -> bool {
        s.whole(&self.negations).any(|n| n.clause == clause && n.t1 <= t0 && t0 - n.t1 <= 1)
    }

    /// A negation before the match (as `negated`) or between its first and last token (发票不能开成).
    fn negated_span(&self, s: &Scan, clause: u32, t0: u32, t1: u32) -> bool {
        self.negated(s, clause, t0) || s.whole(&self.negations).any(|n| n.clause == clause && n.t0 > t0 && n.t1 < t1)
    }

    fn candidates(&self, r: &Rule, s: &Scan, text: &str) -> Vec<Cand> {
        let mut out: Vec<Cand> = s
            .whole(&r.terms)
            .map(|o| Cand { start: o.start, end: o.end, tokens: Some((o.t0, o.t1)), clause: o.clause })
            .collect();
        for (groups, window, unless) in &r.sequences {
            if !unless.is_empty() && s.whole(unless).next().is_some() {
                continue;
            }
            for first in s.whole(&groups[0]) {
                let mut last = *first;
                let mut ok = true;
                for g in &groups[1..] {
                    match s
                        .whole(g)
                        .filter(|o| o.clause == last.clause && o.t0 >= last.t1 && (o.t0 - last.t1) as usize <= *window)
                        .min_by_key(|o| (o.t0, o.t1))
                    {
                        Some(o) => last = *o,
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                if ok {
                    out.push(Cand {
                        start: first.start,
                        end: last.end,
                        tokens: Some((first.t0, last.t1)),
                        clause: first.clause,
                    });
                }
            }
        }
        for re in r.regex.iter().filter_map(|p| p.regex_for(text, s.digits)) {
            for c in re.captures_iter(text) {
                let m = c.get(1).or_else(|| c.get(0)).expect("a match");
                out.push(Cand { start: m.start(), end: m.end(), tokens: None, clause: s.clause_of_byte(m.start()) });
            }
        }
        out.sort_by_key(|c| (c.start, c.end));
        out
    }

    /// The first candidate of `r` in this message that survives its guards.
    fn first_hit(&self, r: &Rule, s: &Scan, text: &str) -> Option<Cand> {
        if !r.can_match(s) || r.unless_message.intersects(&s.present) {
            return None;
        }
        self.candidates(r, s, text).into_iter().find(|c| {
            if r.def.unless_question && s.question.get(c.clause as usize).copied().unwrap_or(false) {
                return false;
            }
            if let Some((t0, t1)) = c.tokens {
                if r.def.unless_negated && self.negated_span(s, c.clause, t0, t1) {
                    return false;
                }
                if !r.unless_after.is_empty() && s.whole(&r.unless_after).any(|o| o.t0 == t1) {
                    return false;
                }
            }
            r.unless_clause.is_empty() || !s.whole(&r.unless_clause).any(|o| o.clause == c.clause)
        })
    }

    /// Whether a message states one of `set` (not negated, not a question): a promise later ones may break.
    fn states(&self, s: &Scan, set: &TermSet) -> bool {
        set.intersects(&s.present)
            && s.whole(set).any(|o| !s.question[o.clause as usize] && !self.negated(s, o.clause, o.t0))
    }
}

/// The active rules of a run: the defaults (unless `replace_defaults`), then each rule file (a rule with an
/// existing id replaces it), minus `disabled`, with `banned_words` added to the `banned_words` rule.
pub fn load(cfg: &crate::config::RulesConfig) -> crate::Result<RuleSet> {
    use crate::error::KefuError;
    let mut defs: Vec<RuleDef> = if cfg.replace_defaults {
        Vec::new()
    } else {
        rules::parse(rules::DEFAULT_RULES, "built-in rules").map_err(KefuError::Usage)?
    };
    for path in &cfg.files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| KefuError::Config { file: path.clone(), reason: format!("cannot read rule file: {e}") })?;
        let more = rules::parse(&text, &path.display().to_string())
            .map_err(|reason| KefuError::Config { file: path.clone(), reason })?;
        for r in more {
            match defs.iter_mut().find(|d| d.id == r.id) {
                Some(d) => *d = r,
                None => defs.push(r),
            }
        }
    }
    let config_error = |reason: String| KefuError::Config { file: "kefu.toml [rules]".into(), reason };
    for id in &cfg.disabled {
        if !defs.iter().any(|d| &d.id == id) {
            return Err(config_error(format!("disabled rule '{id}' does not exist")));
        }
    }
    defs.retain(|d| !cfg.disabled.contains(&d.id));
    if !cfg.banned_words.is_empty() {
        let Some(b) = defs.iter_mut().find(|d| d.id == "banned_words") else {
            return Err(config_error("banned_words are set but the banned_words rule is off".into()));
        };
        b.terms.extend(cfg.banned_words.iter().filter(|w| !w.trim().is_empty()).cloned());
    }
    RuleSet::compile(defs).map_err(config_error)
}

/// A rule hit (violation or intent) on one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the message in `Input::messages`.
    pub msg: u32,
    /// Index of the session in `Derived::sessions`.
    pub session: u32,
    /// Index of the rule in `RuleSet::rules`.
    pub rule: u16,
    /// Byte span of the matched text in the message (empty for session rules).
    pub start: usize,
    pub end: usize,
}

/// Politeness of one agent message (SPEC §5): uses a polite word; counts of 您 and 我.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Politeness {
    pub polite: bool,
    pub nin: u16,
    pub wo: u16,
}

/// What the text stage found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Violations, in session order.
    pub violations: Vec<Hit>,
    /// Intents (at most one hit per rule and session), in session order.
    pub intents: Vec<Hit>,
    /// Per message (by input index); all zero for non-agent messages.
    pub politeness: Vec<Politeness>,
    /// Bytes of text cut.
    pub bytes: u64,
}

fn politeness(text: &str) -> Politeness {
    let (mut nin, mut wo, mut polite) = (0usize, 0usize, false);
    for c in text.chars() {
        match c {
            '您' => {
                nin += 1;
                polite = true;
            }
            '我' => wo += 1,
            '请' => polite = true,
            _ => {}
        }
    }
    polite = polite || POLITE.iter().any(|w| w.chars().count() > 1 && text.contains(w));
    Politeness { polite, nin: nin.min(u16::MAX as usize) as u16, wo: wo.min(u16::MAX as usize) as u16 }
}

/// Runs every rule over every message, conversation by conversation in parallel.
pub fn run(input: &Input, d: &Derived, set: &RuleSet, tok: &Tokenizer) -> Findings {
    // Sessions of one conversation are contiguous in `d.sessions`.
    let mut convs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while i < d.sessions.len() {
        let mut j = i + 1;
        while j < d.sessions.len() && d.sessions[j].conv == d.sessions[i].conv {
            j += 1;
        }
        convs.push(i..j);
        i = j;
    }
    let parts: Vec<ConvResult> =
        convs.into_par_iter().with_min_len(64).map(|r| conversation(input, d, set, tok, r)).collect();
    let mut f = Findings { politeness: vec![Politeness::default(); input.messages.len()], ..Default::default() };
    for (v, it, pol, bytes) in parts {
        f.violations.extend(v);
        f.intents.extend(it);
        for (m, p) in pol {
            f.politeness[m as usize] = p;
        }
        f.bytes += bytes;
    }
    f
}

type ConvResult = (Vec<Hit>, Vec<Hit>, Vec<(u32, Politeness)>, u64);

fn conversation(
    input: &Input,
    d: &Derived,
    set: &RuleSet,
    tok: &Tokenizer,
    sessions: std::ops::Range<usize>,
) -> ConvResult {
    let n = set.rules.len();
    let mut violations = Vec::new();
    let mut intents = Vec::new();
    let mut pol = Vec::new();
    let mut bytes = 0u64;
    let mut promised_conv = vec![false; n];
    for si in sessions {
        let sess = &d.sessions[si];
        let mut promised = vec![false; n];
        let mut asked = vec![false; n];
        let mut intent_seen = vec![false; n];
        // (message, lacks-the-terms) of the first and last agent message, per session rule.
        let mut first_agent: Vec<Option<(u32, bool)>> = vec![None; n];
        let mut last_agent: Vec<Option<(u32, bool)>> = vec![None; n];
        for &k in &d.order[sess.first..sess.first + sess.len] {
            let m = &input.messages[k as usize];
            if matches!(m.sender, Sender::Bot | Sender::System) {
                continue;
            }
            let text = input.text(m);
            bytes += text.len() as u64;
            let scan = set.scan(tok, text);
            if m.sender == Sender::Agent {
                pol.push((k, politeness(text)));
            }
            for (ri, r) in set.rules.iter().enumerate() {
                if r.speaker.is_some_and(|sp| sp != m.sender) {
                    continue;
                }
                if let Some(check) = r.session {
                    let lacks = !scan.any_substring(&r.terms) && !r.single_chars.iter().any(|c| text.contains(*c));
                    match check {
                        SessionCheck::FirstAgentLacks if first_agent[ri].is_none() => {
                            first_agent[ri] = Some((k, lacks))
                        }
                        SessionCheck::LastAgentLacks => last_agent[ri] = Some((k, lacks)),
                        _ => {}
                    }
                    continue;
                }
                if let Some((_, _, scope)) = &r.after {
                    let ok = match scope {
                        Scope::Session => promised[ri],
                        Scope::Conversation => promised_conv[ri],
                    };
                    if !ok {
                        continue;
                    }
                }
                if r.unless_asked.is_some() && asked[ri] {
                    continue;
                }
                if r.is_intent() && intent_seen[ri] {
                    continue;
                }
                if let Some(c) = set.first_hit(r, &scan, text) {
                    let hit = Hit { msg: k, session: si as u32, rule: ri as u16, start: c.start, end: c.end };
                    if r.is_intent() {
                        intent_seen[ri] = true;
                        intents.push(hit);
                    } else {
                        violations.push(hit);
                    }
                }
            }
            // Update what later messages look back at.
            for (ri, r) in set.rules.iter().enumerate() {
                if let Some((terms, sp, _)) = &r.after
                    && sp.is_none_or(|sp| sp == m.sender)
                    && set.states(&scan, terms)
                {
                    promised[ri] = true;
                    promised_conv[ri] = true;
                }
                if let Some(terms) = &r.unless_asked
                    && m.sender == Sender::Customer
                    && terms.intersects(&scan.present)
                {
                    asked[ri] = true;
                }
            }
        }
        for ri in 0..n {
            for (msg, lacks) in [first_agent[ri], last_agent[ri]].into_iter().flatten() {
                if lacks {
                    violations.push(Hit { msg, session: si as u32, rule: ri as u16, start: 0, end: 0 });
                }
            }
        }
    }
    (violations, intents, pol, bytes)
}

#[cfg(test)]
mod tests;
