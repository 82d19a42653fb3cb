//! Readers: which one category a stretch of conversation is about, read from weighted terms over the jieba tokens
//! — the session topic (咨询类型 / 热点问题, SPEC §3) with the lexicon `topics.toml`, and the customer's intents
//! (refund_intent, complaint_intent of sessions.csv) with `intents.toml`; and the reasons a customer asks about
//! (unpaid orders, lost inquiries) with `reasons.toml`, read per message into [`Mark`]s that `payments` tallies
//! around each order ([`read_marks`]) rather than per session. All editable like the rules.
//!
//! A lexicon names categories and, for each, terms with weights. A message is cut once (by the text stage) and its
//! terms are found once for every lexicon (one trie holds them all). A term
//! of two or more characters counts wherever it occurs (发货 inside the rules' compound token 什么时候发货); a
//! one-character term (退, 改, 票) only where it is a whole token, so 退 does not count inside 退货. Each term found
//! adds its weight once per message to its
//! category, multiplied by the message's factor (a text the same speaker already wrote in the stretch — a menu pick
//! sent four times, a question pasted twice — counts once): `agent_weight` for an agent's message (the customer's own words
//! weigh more), `opening_weight` for the customer's messages before the first agent reply (the question that opens
//! the session). With `negation = true`, a term right after a negation (不/没 …, or a wish turned down: 不想/不要)
//! adds nothing. A term found inside a longer term of the same lexicon counts only as the longer one (退回 inside
//! 退回来), so the weights add up as written. The category with
//! the highest total is the reading, if it reaches `min_score`; otherwise the lexicon's `default` (其他): thin
//! evidence is said plainly rather than guessed. Ties go to the category listed first. The evidence is the message
//! that added the most to the winning category (the first such), with the span of its strongest term.
//!
//! An intent is a lexicon whose first category is the intent and whose other categories are its rivals: a session
//! shows the intent when its reading is the first category (a shop may add a 价保 rival so that 退差价 outweighed
//! by price-protection words is no refund intent; the built-in intents have no rival, BENCHMARKS.md).
//!
//! The terms are not added to the tokenizer's dictionary: a lexicon never changes how the rules cut a message.
//!
//! Pure: a `Tally` per stretch, fed message by message; nothing here reads files but `load`.

mod lexicon;

pub use lexicon::Lexicon;
use lexicon::{IntentsFile, LexiconFile};

use crate::trie::Trie;
use jieba_rs::Token;
use std::hash::BuildHasher;

/// The built-in topic lexicon.
pub const DEFAULT_TOPICS: &str = include_str!("topics.toml");
/// The built-in intent lexicons.
pub const DEFAULT_INTENTS: &str = include_str!("intents.toml");
/// The built-in lexicon of the reasons asked about (unpaid orders, lost inquiries).
pub const DEFAULT_REASONS: &str = include_str!("reasons.toml");

/// What a lexicon reads; the index of its lexicon in [`Readers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Topic = 0,
    Refund = 1,
    Complaint = 2,
    /// The reasons a customer asks about (`reasons.toml`): read per message into [`Mark`]s, tallied per order or
    /// lost customer by [`read_marks`], not per session.
    Reason = 3,
}

impl Which {
    /// The lexicons read per session (sessions.csv).
    pub const ALL: [Which; 3] = [Which::Topic, Which::Refund, Which::Complaint];

    /// The column it fills (sessions.csv; the reason column of unpaid_orders.csv and lost_inquiries.csv).
    pub fn column(self) -> &'static str {
        match self {
            Which::Topic => "topic",
            Which::Refund => "refund_intent",
            Which::Complaint => "complaint_intent",
            Which::Reason => "reason",
        }
    }
}

/// What one message adds to one category of the reason lexicon: the message, the category, the weight (× the
/// speaker's factor) and the span of its strongest term. The text stage keeps them; `payments` and the lost
/// inquiries tally those around an order or a customer's last words (`read_marks`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub msg: u32,
    pub category: u8,
    pub weight: f32,
    pub start: u32,
    pub end: u32,
}

/// Where a term counts: its lexicon, category and weight.
#[derive(Debug, Clone, Copy)]
struct Use {
    lexicon: u8,
    category: u8,
    weight: f32,
}

/// What one term of a message adds to one lexicon's category (`Readers::contributions`).
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution<'t> {
    pub which: Which,
    pub category: &'t str,
    pub term: &'t str,
    pub weight: f32,
    pub factor: f32,
}

/// A term found in a message: where, and whether right after a negation.
#[derive(Debug, Clone, Copy)]
struct Occurrence {
    term: u32,
    start: u32,
    end: u32,
    negated: bool,
}

/// The lexicons of a run, compiled: every term of every lexicon in one trie.
pub struct Readers {
    lexicons: Vec<Lexicon>,
    terms: Vec<String>,
    /// Per term: where it counts (a word may serve several lexicons: 退款 is a topic word and a refund word).
    uses: Vec<Vec<Use>>,
    /// Per term: whether it is one character (counted only as a whole token).
    single: Vec<bool>,
    trie: Trie,
    negations: Trie,
    any_negation: bool,
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

impl Reading {
    /// Whether an intent's reading shows the intent (its lexicon's first category).
    pub fn shows_intent(&self) -> bool {
        self.category == Some(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    pub msg: u32,
    pub start: u32,
    pub end: u32,
}

impl Readers {
    /// Parses and checks the topic lexicon and the intents file, with the built-in reasons lexicon; `*_origin`
    /// name them in errors.
    pub fn parse(topics: &str, topics_origin: &str, intents: &str, intents_origin: &str) -> Result<Readers, String> {
        Readers::parse_all([
            (topics, topics_origin),
            (intents, intents_origin),
            (DEFAULT_REASONS, "built-in reasons.toml"),
        ])
    }

    /// Parses and checks the topic lexicon, the intents file and the reasons lexicon, each given as (text, origin);
    /// the origin names it in errors.
    pub fn parse_all(
        [(topics, t_origin), (intents, i_origin), (reasons, r_origin)]: [(&str, &str); 3],
    ) -> Result<Readers, String> {
        let t: LexiconFile = toml::from_str(topics).map_err(|e| format!("{t_origin}: {e}"))?;
        let i: IntentsFile = toml::from_str(intents).map_err(|e| format!("{i_origin}: {e}"))?;
        let r: LexiconFile = toml::from_str(reasons).map_err(|e| format!("{r_origin}: {e}"))?;
        let checked = [
            Lexicon::check(t, t_origin)?,
            Lexicon::check(i.refund_intent, &format!("{i_origin} [refund_intent]"))?,
            Lexicon::check(i.complaint_intent, &format!("{i_origin} [complaint_intent]"))?,
            Lexicon::check_reasons(r, r_origin)?,
        ];
        for (l, origin) in checked.iter().zip([t_origin, i_origin, i_origin]) {
            if l.0.half_life_messages.is_some() || l.0.stated_weight.is_some() {
                return Err(format!("{origin}: half_life_messages and stated_weight are for the reasons lexicon only"));
            }
        }
        let mut lexicons = Vec::new();
        let mut terms: Vec<String> = Vec::new();
        let mut uses: Vec<Vec<Use>> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        for (li, (lexicon, defs)) in checked.into_iter().enumerate() {
            lexicons.push(lexicon);
            for d in defs {
                let u = Use { lexicon: li as u8, category: d.category, weight: d.weight };
                let at = *index.entry(d.word.clone()).or_insert_with(|| {
                    terms.push(d.word);
                    uses.push(Vec::new());
                    terms.len() - 1
                });
                uses[at].push(u);
            }
        }
        let trie = Trie::new(&terms, |_| true);
        let negs: Vec<String> =
            crate::words::NEGATIONS.iter().chain(crate::words::UNWANTED).map(|s| s.to_string()).collect();
        Ok(Readers {
            any_negation: lexicons.iter().any(|l| l.negation),
            lexicons,
            single: terms.iter().map(|t| t.chars().count() == 1).collect(),
            terms,
            uses,
            trie,
            negations: Trie::new(&negs, |_| true),
        })
    }

    pub fn lexicon(&self, w: Which) -> &Lexicon {
        &self.lexicons[w as usize]
    }

    /// The category of the reason lexicon for an unpaid reason (every reason but 未知 has one).
    pub fn reason_category(&self, reason: crate::model::UnpaidReason) -> Option<u8> {
        self.lexicon(Which::Reason).categories.iter().position(|c| c == reason.label()).map(|c| c as u8)
    }

    /// The unpaid reason of a reading of the reason lexicon (未知 for the default).
    pub fn reason_of(&self, r: &Reading) -> crate::model::UnpaidReason {
        let label = self.lexicon(Which::Reason).label(r);
        crate::model::UnpaidReason::from_label(label).unwrap_or(crate::model::UnpaidReason::Unknown)
    }

    /// Every occurrence of a term in the message, a one-character term only as a whole token:
    /// `found(term, byte start, byte end, right after a negation)`, by start, shortest first.
    fn occurrences(&self, text: &str, tokens: &[Token], mut found: impl FnMut(u32, usize, usize, bool)) {
        self.trie.substrings(text, |term, start, end| {
            let first = tokens.partition_point(|t| t.byte_end <= start);
            if self.single[term as usize]
                && !tokens.get(first).is_some_and(|t| t.byte_start == start && t.byte_end == end)
            {
                return std::ops::ControlFlow::Continue(());
            }
            let negated = self.any_negation && first > 0 && self.negated_before(text, tokens, first);
            found(term, start, end, negated);
            std::ops::ControlFlow::Continue(())
        });
    }

    /// What counts for lexicon `l` among a message's occurrences: each term once (its first counted occurrence),
    /// not one found inside a longer term of the same lexicon (退回 inside 退回来: a lexicon's weights add up as
    /// written), not a negated one when the lexicon says so. `out(term, occurrence)`.
    fn counted(&self, l: u8, occ: &[Occurrence], mut out: impl FnMut(Use, &Occurrence)) {
        let negation = self.lexicons[l as usize].negation;
        let use_in = |o: &Occurrence| self.uses[o.term as usize].iter().find(|u| u.lexicon == l).copied();
        let inside_longer = |o: &Occurrence| {
            occ.iter().any(|p| {
                p.start <= o.start && o.end <= p.end && p.end - p.start > o.end - o.start && use_in(p).is_some()
            })
        };
        let eligible = |o: &Occurrence| use_in(o).is_some() && !(negation && o.negated) && !inside_longer(o);
        for (i, o) in occ.iter().enumerate() {
            if eligible(o) && !occ[..i].iter().any(|p| p.term == o.term && eligible(p)) {
                out(use_in(o).expect("eligible"), o);
            }
        }
    }

    /// The terms of lexicon `w` that count in a message (each once), for checks of a lexicon against a corpus.
    pub fn found<'t>(&'t self, w: Which, text: &str, tokens: &[Token]) -> Vec<&'t str> {
        let mut occ = Vec::new();
        self.occurrences(text, tokens, |term, start, end, negated| {
            occ.push(Occurrence { term, start: start as u32, end: end as u32, negated })
        });
        let mut v = Vec::new();
        self.counted(w as u8, &occ, |_, o| v.push(self.terms[o.term as usize].as_str()));
        v
    }

    /// What each term of a message adds, lexicon by lexicon, for `kefu explain`: the term, its category and its
    /// weight × the message's factor. The same terms the tally counts (not for a repeated text: see `Tally::add`).
    pub fn contributions<'t>(
        &'t self,
        text: &str,
        tokens: &[Token],
        customer: bool,
        opening: bool,
    ) -> Vec<Contribution<'t>> {
        let mut occ = Vec::new();
        self.occurrences(text, tokens, |term, start, end, negated| {
            occ.push(Occurrence { term, start: start as u32, end: end as u32, negated })
        });
        let mut out = Vec::new();
        for w in Which::ALL {
            let l = self.lexicon(w);
            let factor = l.factor(customer, opening);
            if factor <= 0.0 {
                continue;
            }
            self.counted(w as u8, &occ, |u, o| {
                out.push(Contribution {
                    which: w,
                    category: l.categories[u.category as usize].as_str(),
                    term: self.terms[o.term as usize].as_str(),
                    weight: u.weight,
                    factor,
                })
            });
        }
        out
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

/// One lexicon's running totals in a stretch.
#[derive(Clone, Default)]
struct Scores {
    scores: Vec<f32>,
    /// Per category: the most one message added, that message and its strongest term's span.
    best: Vec<(f32, Evidence)>,
    /// This message's additions per category, while it is read: total, strongest weight, its span.
    this: Vec<(f32, f32, u32, u32)>,
    /// Whether this message added anything.
    touched: bool,
}

/// The running totals of one stretch (a session) for every lexicon: reset, fed each message, then decided.
#[derive(Clone, Default)]
pub struct Tally {
    per: Vec<Scores>,
    /// Hashes of the texts read in the stretch, with their speaker (a repeated text counts once).
    seen: Vec<u64>,
    /// The message at hand's occurrences.
    occ: Vec<Occurrence>,
    /// What the last message added to the reason lexicon (cleared by each `add`).
    pub marks: Vec<Mark>,
}

impl Tally {
    pub fn new(r: &Readers) -> Tally {
        let per = r
            .lexicons
            .iter()
            .map(|l| {
                let n = l.categories.len();
                Scores {
                    scores: vec![0.0; n],
                    best: vec![(0.0, Evidence { msg: 0, start: 0, end: 0 }); n],
                    this: vec![(0.0, 0.0, 0, 0); n],
                    touched: false,
                }
            })
            .collect();
        Tally { per, seen: Vec::new(), occ: Vec::new(), marks: Vec::new() }
    }

    pub fn reset(&mut self) {
        for s in &mut self.per {
            s.scores.fill(0.0);
            s.best.iter_mut().for_each(|b| b.0 = 0.0);
        }
        self.seen.clear();
    }

    /// Adds one message (its index `msg`, its tokens): the customer's or an agent's, and whether it comes before
    /// the stretch's first agent reply. False when the same speaker already wrote this text in the stretch (it
    /// counts once, and this time adds nothing).
    pub fn add(&mut self, r: &Readers, text: &str, tokens: &[Token], customer: bool, opening: bool, msg: u32) -> bool {
        self.marks.clear();
        let key = foldhash::fast::FixedState::with_seed(customer as u64).hash_one(text);
        if self.seen.contains(&key) {
            return false;
        }
        self.seen.push(key);
        let mut occ = std::mem::take(&mut self.occ);
        occ.clear();
        r.occurrences(text, tokens, |term, start, end, negated| {
            occ.push(Occurrence { term, start: start as u32, end: end as u32, negated })
        });
        let mut any = false;
        for (l, s) in self.per.iter_mut().enumerate() {
            let factor = r.lexicons[l].factor(customer, opening);
            if occ.is_empty() || factor <= 0.0 {
                continue;
            }
            r.counted(l as u8, &occ, |u, o| {
                let t = &mut s.this[u.category as usize];
                t.0 += u.weight * factor;
                if u.weight > t.1 {
                    *t = (t.0, u.weight, o.start, o.end);
                }
                s.touched = true;
                any = true;
            });
        }
        self.occ = occ;
        if !any {
            return true;
        }
        for (l, s) in self.per.iter_mut().enumerate().filter(|(_, s)| s.touched) {
            s.touched = false;
            for (c, t) in s.this.iter_mut().enumerate() {
                // The reason lexicon is tallied around orders, not per session: its additions are marks only.
                if t.0 > 0.0 && l == Which::Reason as usize {
                    self.marks.push(Mark { msg, category: c as u8, weight: t.0, start: t.2, end: t.3 });
                } else if t.0 > 0.0 {
                    s.scores[c] += t.0;
                    if t.0 > s.best[c].0 {
                        s.best[c] = (t.0, Evidence { msg, start: t.2, end: t.3 });
                    }
                }
                *t = (0.0, 0.0, 0, 0);
            }
        }
        true
    }

    /// The running total of each category of lexicon `w`, in the lexicon's order.
    pub fn totals(&self, w: Which) -> &[f32] {
        &self.per[w as usize].scores
    }

    /// The reading of lexicon `w`: the highest total if it reaches the lexicon's `min_score`, else the default.
    pub fn decide(&self, r: &Readers, w: Which) -> Reading {
        let s = &self.per[w as usize];
        pick(&s.scores, r.lexicons[w as usize].min_score, |c| Some(s.best[c].1))
    }
}

/// The reading of a lexicon's totals: the highest if it reaches `min_score` (ties: the category listed first),
/// with `evidence` of it; else the default, with the highest total as the score.
fn pick(totals: &[f32], min_score: f32, evidence: impl Fn(usize) -> Option<Evidence>) -> Reading {
    let mut top: Option<usize> = None;
    for (c, &v) in totals.iter().enumerate() {
        if v > 0.0 && top.is_none_or(|t| v > totals[t]) {
            top = Some(c);
        }
    }
    match top {
        Some(c) if totals[c] >= min_score => {
            Reading { category: Some(c as u8), score: totals[c], evidence: evidence(c) }
        }
        Some(c) => Reading { category: None, score: totals[c], evidence: None },
        None => Reading { category: None, score: 0.0, evidence: None },
    }
}

/// The reason lexicon's tally of marks, each with its nearness factor (`Lexicon::nearness`) and whether the
/// customer said it: per category the total of weight × factor (which ranks), the total of weight alone (which
/// must reach `min_score`: thin evidence is about how much was said, not when), and the mark that added the most,
/// the customer's before the agent's. On the stack (at most 64 categories): a million lost customers are read at
/// 10 M messages.
pub struct MarkTally {
    near: [f32; 64],
    plain: [f32; 64],
    /// Per category: (said by the customer, addition) of the best mark, and its evidence.
    best: [((bool, f32), Option<Evidence>); 64],
}

impl MarkTally {
    pub fn of(marks: impl IntoIterator<Item = (Mark, f32, bool)>) -> MarkTally {
        let mut t = MarkTally { near: [0.0; 64], plain: [0.0; 64], best: [((false, 0.0), None); 64] };
        for (m, factor, customer) in marks {
            let (c, add) = (m.category as usize, m.weight * factor);
            t.near[c] += add;
            t.plain[c] += m.weight;
            let ((was_customer, was), first) = (t.best[c].0, t.best[c].1.is_none());
            if first || (customer && !was_customer) || (customer == was_customer && add > was) {
                t.best[c] = ((customer, add), Some(Evidence { msg: m.msg, start: m.start, end: m.end }));
            }
        }
        t
    }

    /// Each category's total of weight × nearness, in the lexicon's order.
    pub fn totals<'t>(&'t self, r: &Readers) -> &'t [f32] {
        &self.near[..r.lexicon(Which::Reason).categories.len()]
    }

    /// The reading: the category with the highest total (ties: the one listed first), if its total of weight alone
    /// reaches `min_score`; else the default (未知). The evidence is the mark that added the most to the winner,
    /// the customer's if any (the reason is the customer's; an agent's answer names it only when the customer's
    /// words hold no term): the first such in the order given (`payments::nearness` gives the latest first). The
    /// score is the winner's total.
    pub fn reading(&self, r: &Readers) -> Reading {
        let top = pick(self.totals(r), f32::MIN_POSITIVE, |c| self.best[c].1);
        match top.category {
            Some(c) if self.plain[c as usize] < r.lexicon(Which::Reason).min_score => {
                Reading { category: None, evidence: None, ..top }
            }
            _ => top,
        }
    }
}

/// The reason lexicon's reading of marks (`MarkTally::reading`).
pub fn read_marks(r: &Readers, marks: impl IntoIterator<Item = (Mark, f32, bool)>) -> Reading {
    MarkTally::of(marks).reading(r)
}

/// The readers of a run: the user's lexicons (`[rules] topics`, `intents`, `reasons`) or the built-in ones.
pub fn load(cfg: &crate::config::RulesConfig) -> crate::Result<Readers> {
    use crate::error::KefuError;
    let read = |path: &Option<std::path::PathBuf>, builtin: &'static str, name: &str| match path {
        None => Ok((builtin.to_string(), format!("built-in {name}"))),
        Some(p) => std::fs::read_to_string(p)
            .map(|t| (t, p.display().to_string()))
            .map_err(|e| KefuError::Config { file: p.clone(), reason: format!("cannot read lexicon: {e}") }),
    };
    let (topics, t_origin) = read(&cfg.topics, DEFAULT_TOPICS, "topics.toml")?;
    let (intents, i_origin) = read(&cfg.intents, DEFAULT_INTENTS, "intents.toml")?;
    let (reasons, r_origin) = read(&cfg.reasons, DEFAULT_REASONS, "reasons.toml")?;
    Readers::parse_all([(&topics, &t_origin), (&intents, &i_origin), (&reasons, &r_origin)]).map_err(|reason| {
        // The error names the file it is about; a built-in lexicon failing is a defect of kefu's own.
        match [&cfg.topics, &cfg.intents, &cfg.reasons]
            .into_iter()
            .flatten()
            .find(|p| reason.starts_with(&p.display().to_string()))
        {
            Some(p) => KefuError::Config { file: p.clone(), reason },
            None => KefuError::Usage(reason),
        }
    })
}

#[cfg(test)]
mod tests;
