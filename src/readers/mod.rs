//! Readers: which one category a stretch of conversation is about, read from weighted terms over the jieba tokens
//! — the session topic (咨询类型 / 热点问题, SPEC §3) with the lexicon `topics.toml`, editable like the rules.
//!
//! A lexicon names categories and, for each, terms with weights. A message is cut once (by the text stage). A term
//! of two or more characters counts wherever it occurs (发货 inside the rules' compound token 什么时候发货); a
//! one-character term (退, 改, 票) only where it is a whole token, so 退 does not count inside 退货. Each term found
//! adds its weight once per message to its
//! category, multiplied by the message's factor (a text the same speaker already wrote in the stretch — a menu pick
//! sent four times, a question pasted twice — counts once): `agent_weight` for an agent's message (the customer's own words
//! weigh more), `opening_weight` for the customer's messages before the first agent reply (the question that opens
//! the session). With `negation = true`, a term right after a negation (不/没 …) adds nothing. The category with
//! the highest total is the reading, if it reaches `min_score`; otherwise the lexicon's `default` (其他): thin
//! evidence is said plainly rather than guessed. Ties go to the category listed first. The evidence is the message
//! that added the most to the winning category (the first such), with the span of its strongest term.
//!
//! The terms are not added to the tokenizer's dictionary: a lexicon never changes how the rules cut a message.
//!
//! Pure: a `Tally` per stretch, fed message by message; nothing here reads files but `load_topics`.

use crate::trie::Trie;
use jieba_rs::Token;
use serde::Deserialize;
use std::hash::BuildHasher;

/// The built-in topic lexicon.
pub const DEFAULT_TOPICS: &str = include_str!("topics.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    default: String,
    min_score: f32,
    #[serde(default = "one")]
    agent_weight: f32,
    #[serde(default = "one")]
    opening_weight: f32,
    #[serde(default)]
    negation: bool,
    category: Vec<CategoryDef>,
}

fn one() -> f32 {
    1.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryDef {
    name: String,
    #[serde(default)]
    about: String,
    terms: Vec<TermGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TermGroup {
    weight: f32,
    words: Vec<String>,
}

/// A compiled lexicon.
pub struct Reader {
    categories: Vec<String>,
    /// Each category's `about`: what it covers, for the page's definitions.
    abouts: Vec<String>,
    default: String,
    min_score: f32,
    agent_weight: f32,
    opening_weight: f32,
    negation: bool,
    terms: Vec<String>,
    /// Per term: its category and weight.
    term_of: Vec<(u8, f32)>,
    /// Per term: whether it is one character (counted only as a whole token).
    single: Vec<bool>,
    trie: Trie,
    negations: Trie,
}

/// What a reader decided for one stretch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// The category's index, or None for the default.
    pub category: Option<u8>,
    /// The winning category's total (0 with no evidence at all).
    pub score: f32,
    /// The message that added the most to it, and the byte span of its strongest term.
    pub evidence: Option<Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    pub msg: u32,
    pub start: u32,
    pub end: u32,
}

impl Reader {
    /// Parses and checks a lexicon; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Reader, String> {
        let f: LexiconFile = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        if f.category.is_empty() || f.category.len() > 64 {
            return Err(format!("{origin}: a lexicon needs 1 to 64 categories"));
        }
        if f.min_score.is_nan() || f.min_score <= 0.0 {
            return Err(format!("{origin}: min_score must be above 0"));
        }
        let mut terms: Vec<String> = Vec::new();
        let mut term_of: Vec<(u8, f32)> = Vec::new();
        for (ci, c) in f.category.iter().enumerate() {
            if c.name.trim().is_empty() || c.name == f.default {
                return Err(format!("{origin}: category '{}' needs a name other than the default", c.name));
            }
            if f.category[..ci].iter().any(|d| d.name == c.name) {
                return Err(format!("{origin}: category '{}' is listed twice", c.name));
            }
            for g in &c.terms {
                for w in &g.words {
                    let w = w.trim();
                    if w.is_empty() {
                        continue;
                    }
                    if let Some(i) = terms.iter().position(|t| t == w) {
                        return Err(format!(
                            "{origin}: '{w}' is a term of both {} and {}",
                            f.category[term_of[i].0 as usize].name, c.name
                        ));
                    }
                    terms.push(w.to_string());
                    term_of.push((ci as u8, g.weight));
                }
            }
        }
        let trie = Trie::new(&terms, |_| true);
        let negs: Vec<String> = crate::words::NEGATIONS.iter().map(|s| s.to_string()).collect();
        Ok(Reader {
            categories: f.category.iter().map(|c| c.name.clone()).collect(),
            abouts: f.category.iter().map(|c| c.about.clone()).collect(),
            default: f.default,
            min_score: f.min_score,
            agent_weight: f.agent_weight,
            opening_weight: f.opening_weight,
            negation: f.negation,
            single: terms.iter().map(|t| t.chars().count() == 1).collect(),
            terms,
            term_of,
            trie,
            negations: Trie::new(&negs, |_| true),
        })
    }

    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// What category `c` covers, as its lexicon says.
    pub fn about(&self, c: usize) -> &str {
        &self.abouts[c]
    }

    /// The category a reading gives when the evidence is thin.
    pub fn default_label(&self) -> &str {
        &self.default
    }

    /// The name of a reading's category (the default for None).
    pub fn label(&self, r: &Reading) -> &str {
        r.category.map_or(self.default.as_str(), |c| self.categories[c as usize].as_str())
    }

    /// The weight factor of a message: by speaker and whether it opens the session.
    fn factor(&self, customer: bool, opening: bool) -> f32 {
        match (customer, opening) {
            (false, _) => self.agent_weight,
            (true, true) => self.opening_weight,
            (true, false) => 1.0,
        }
    }

    /// Each term of the message once (its first occurrence not right after a negation, when the lexicon says so):
    /// `found(term, byte start, byte end)`.
    pub fn terms_in(&self, text: &str, tokens: &[Token], mut found: impl FnMut(u32, usize, usize)) {
        let mut seen: [u32; 8] = [u32::MAX; 8];
        let mut more: Vec<u32> = Vec::new();
        let mut n = 0;
        self.trie.substrings(text, |term, start, end| {
            use std::ops::ControlFlow::Continue;
            // The token the occurrence starts in (tokens cover the text in order).
            let first = tokens.partition_point(|t| t.byte_end <= start);
            if self.single[term as usize]
                && !tokens.get(first).is_some_and(|t| t.byte_start == start && t.byte_end == end)
            {
                return Continue(());
            }
            if self.negation && first > 0 && self.negated_before(text, tokens, first) {
                return Continue(());
            }
            let dup = seen[..n.min(8)].contains(&term) || more.contains(&term);
            if !dup {
                if n < 8 {
                    seen[n] = term
                } else {
                    more.push(term)
                }
                n += 1;
                found(term, start, end);
            }
            Continue(())
        });
    }

    /// The terms found in a message (each once), for checks of the lexicon against a corpus.
    pub fn found<'t>(&'t self, text: &str, tokens: &[Token]) -> Vec<&'t str> {
        let mut v = Vec::new();
        self.terms_in(text, tokens, |t, _, _| v.push(self.terms[t as usize].as_str()));
        v
    }

    /// Whether one of the two tokens before token `first` is a negation.
    fn negated_before(&self, text: &str, tokens: &[Token], first: usize) -> bool {
        let from = first.saturating_sub(2);
        let mut hit = false;
        self.negations.occurrences(text.as_bytes(), &tokens[from..first], |_, _, _, _, _| {
            hit = true;
            std::ops::ControlFlow::Break(())
        });
        hit
    }
}

/// The running totals of one stretch (a session): reset, fed each message, then decided.
#[derive(Clone, Default)]
pub struct Tally {
    scores: Vec<f32>,
    /// Per category: the most one message added, that message and its strongest term's span.
    best: Vec<(f32, Evidence)>,
    /// This message's additions per category, while it is read.
    this: Vec<(f32, f32, u32, u32)>,
    /// Hashes of the texts read in the stretch, with their speaker (a repeated text counts once).
    seen: Vec<u64>,
}

impl Tally {
    pub fn new(r: &Reader) -> Tally {
        let n = r.categories.len();
        Tally {
            scores: vec![0.0; n],
            best: vec![(0.0, Evidence { msg: 0, start: 0, end: 0 }); n],
            this: vec![(0.0, 0.0, 0, 0); n],
            seen: Vec::new(),
        }
    }

    pub fn reset(&mut self) {
        self.scores.fill(0.0);
        self.best.iter_mut().for_each(|b| b.0 = 0.0);
        self.seen.clear();
    }

    /// Adds one message (its index `msg`, its tokens): the customer's or an agent's, and whether it comes before
    /// the stretch's first agent reply.
    pub fn add(&mut self, r: &Reader, text: &str, tokens: &[Token], customer: bool, opening: bool, msg: u32) {
        let factor = r.factor(customer, opening);
        if factor <= 0.0 {
            return;
        }
        let key = foldhash::fast::FixedState::with_seed(customer as u64).hash_one(text);
        if self.seen.contains(&key) {
            return;
        }
        self.seen.push(key);
        let mut any = false;
        r.terms_in(text, tokens, |term, start, end| {
            let (c, w) = r.term_of[term as usize];
            let t = &mut self.this[c as usize];
            if !any {
                any = true;
            }
            t.0 += w * factor;
            if w > t.1 {
                *t = (t.0, w, start as u32, end as u32);
            }
        });
        if !any {
            return;
        }
        for (c, t) in self.this.iter_mut().enumerate() {
            if t.0 > 0.0 {
                self.scores[c] += t.0;
                if t.0 > self.best[c].0 {
                    self.best[c] = (t.0, Evidence { msg, start: t.2, end: t.3 });
                }
            }
            *t = (0.0, 0.0, 0, 0);
        }
    }

    /// The reading: the highest total if it reaches the lexicon's `min_score`, else the default.
    pub fn decide(&self, r: &Reader) -> Reading {
        let mut top: Option<usize> = None;
        for (c, &s) in self.scores.iter().enumerate() {
            if s > 0.0 && top.is_none_or(|t| s > self.scores[t]) {
                top = Some(c);
            }
        }
        match top {
            Some(c) if self.scores[c] >= r.min_score => {
                Reading { category: Some(c as u8), score: self.scores[c], evidence: Some(self.best[c].1) }
            }
            Some(c) => Reading { category: None, score: self.scores[c], evidence: None },
            None => Reading { category: None, score: 0.0, evidence: None },
        }
    }
}

/// The topic reader of a run: the user's lexicon (`[rules] topics`) or the built-in one.
pub fn load_topics(cfg: &crate::config::RulesConfig) -> crate::Result<Reader> {
    use crate::error::KefuError;
    match &cfg.topics {
        None => Reader::parse(DEFAULT_TOPICS, "built-in topics.toml").map_err(KefuError::Usage),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| KefuError::Config {
                file: path.clone(),
                reason: format!("cannot read topic lexicon: {e}"),
            })?;
            Reader::parse(&text, &path.display().to_string())
                .map_err(|reason| KefuError::Config { file: path.clone(), reason })
        }
    }
}

#[cfg(test)]
mod tests;
