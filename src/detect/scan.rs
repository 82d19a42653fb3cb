//! One cut message scanned: the occurrences of the terms a rule may read, its clauses and questions, and the
//! matching of a rule against them (candidates, guards, negation, promises stated).

use super::idset::IdSet;
use super::rule::Rule;
use super::ruleset::{KIND_BITS, RuleSet};
use crate::trie::Trie;
use crate::words::{QUESTION_FINALS, REPLY_FILLERS, ends_clause, is_punct};
use jieba_rs::Token;

/// A term found in a message, starting and ending on token boundaries (a whole-word match).
#[derive(Debug, Clone, Copy)]
pub(super) struct Occ {
    pub(super) term: u32,
    /// Token range [t0, t1).
    pub(super) t0: u32,
    pub(super) t1: u32,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) clause: u32,
}

/// One message, cut and scanned. The buffers are reused from message to message.
pub(super) struct Scan {
    pub(super) occ: Vec<Occ>,
    /// Terms with an occurrence in the message.
    pub(super) present: IdSet,
    pub(super) question: Vec<bool>,
    pub(super) token_clause: Vec<u32>,
    pub(super) token_starts: Vec<usize>,
    pub(super) token_ends: Vec<usize>,
    /// Whether `question`, `token_clause` and the clauses of `occ` are filled (only messages a rule looks at).
    pub(super) clauses: bool,
    /// The personal-data prefilter's reading of the message, once a regex rule asks.
    pub(super) hints: Option<crate::mask::Hints>,
}

impl Scan {
    /// Empties the buffers for the next scan (the hints are the caller's: they are read before the scan).
    pub(super) fn clear(&mut self) {
        self.occ.clear();
        self.present.clear();
        self.token_starts.clear();
        self.token_ends.clear();
        self.clauses = false;
    }

    pub(super) fn new(terms: usize) -> Scan {
        Scan {
            occ: Vec::new(),
            present: IdSet::of([], terms),
            question: Vec::new(),
            token_clause: Vec::new(),
            token_starts: Vec::new(),
            token_ends: Vec::new(),
            clauses: false,
            hints: None,
        }
    }
}

impl RuleSet {
    /// Whether a message of this `kind` with these tokens holds a term that can give a rule something to do, or
    /// both halves of a sequence's pair (`Triggers`); without, and without a regex to try, the message concerns
    /// no rule.
    pub(super) fn triggered(&self, text: &str, tokens: &[Token], kind: usize) -> bool {
        let (tr, kind_bits) = (&self.trigger, KIND_BITS[kind]);
        let (mut first, mut second, mut hit) = (0u64, 0u64, false);
        self.triggers[kind].occurrences(text.as_bytes(), tokens, |term, _, _, _, _| {
            let t = &tr.terms[term as usize];
            (first, second) = (first | t.first, second | t.second);
            hit = t.alone & kind_bits != 0 || first & second & tr.sequences[kind] != 0;
            if hit { std::ops::ControlFlow::Break(()) } else { std::ops::ControlFlow::Continue(()) }
        });
        hit
    }

    /// Finds every occurrence, in a cut message of this `kind`, of the terms a rule may read in it
    /// (`needed_bits`) that starts and ends on token boundaries. Clauses are left for `clauses`: most messages
    /// concern no rule and never need them.
    pub(super) fn scan(&self, text: &str, tokens: &[Token], kind: usize, s: &mut Scan) {
        s.clear();
        s.token_starts.extend(tokens.iter().map(|t| t.byte_start));
        s.token_ends.extend(tokens.iter().map(|t| t.byte_end));
        self.tries[kind].occurrences(text.as_bytes(), tokens, |term, t0, t1, start, end| {
            s.occ.push(Occ { term, t0: t0 as u32, t1: t1 as u32, start, end, clause: 0 });
            s.present.insert(term);
            std::ops::ControlFlow::Continue(())
        });
    }

    /// Splits a scanned message into clauses at punctuation and spaces, and marks the questions: a clause ending
    /// in ？/? or 吗/么/嘛, or holding a question word (是否, 有没有 …).
    pub(super) fn clauses(&self, text: &str, s: &mut Scan) {
        if s.clauses {
            return;
        }
        s.clauses = true;
        s.question.clear();
        s.question.push(false);
        s.token_clause.clear();
        let mut last_word: Option<(usize, usize)> = None;
        let is_final = |w: Option<(usize, usize)>| w.is_some_and(|(a, b)| QUESTION_FINALS.contains(&&text[a..b]));
        for (&a, &b) in s.token_starts.iter().zip(&s.token_ends) {
            let c = s.question.len() as u32 - 1;
            s.token_clause.push(c);
            // Most tokens are words, told by their first byte (as in `is_punct`) without slicing the text.
            if text.as_bytes().get(a).is_some_and(|b0| matches!(b0, 0xE4..=0xE9) || b0.is_ascii_alphanumeric()) {
                last_word = Some((a, b));
                continue;
            }
            let word = &text[a..b];
            if is_punct(word) {
                if word.contains(['？', '?']) || is_final(last_word) {
                    s.question[c as usize] = true;
                }
                if ends_clause(word) {
                    s.question.push(false);
                    last_word = None;
                }
            } else {
                last_word = Some((a, b));
            }
        }
        if is_final(last_word) {
            *s.question.last_mut().expect("a clause") = true;
        }
        for o in &mut s.occ {
            o.clause = s.token_clause[o.t0 as usize];
            if self.question_words.contains(o.term) {
                s.question[o.clause as usize] = true;
            }
        }
    }
}

impl Scan {
    pub(super) fn whole<'a>(&'a self, set: &'a IdSet) -> impl Iterator<Item = &'a Occ> + 'a {
        self.occ.iter().filter(move |o| set.contains(o.term))
    }
    pub(super) fn clause_of_byte(&self, byte: usize) -> u32 {
        let t = self.token_starts.partition_point(|&s| s <= byte).saturating_sub(1);
        self.token_clause.get(t).copied().unwrap_or(0)
    }
}

/// A candidate match: byte span, token range (None for regex matches) and clause.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cand {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) tokens: Option<(u32, u32)>,
    pub(super) clause: u32,
}

impl RuleSet {
    /// A negation ending at most one token before token `t0`, in the same clause (不包邮, 不支持货到付款; but not
    /// the 不 of 不合适可以退货 two words away).
    pub(super) fn negated(&self, s: &Scan, clause: u32, t0: u32) -> bool {
        s.whole(&self.negations).any(|n| n.clause == clause && n.t1 <= t0 && t0 - n.t1 <= 1)
    }

    /// A negation before the match (as `negated`) or between its first and last token (发票不能开成).
    pub(super) fn negated_span(&self, s: &Scan, clause: u32, t0: u32, t1: u32) -> bool {
        self.negated(s, clause, t0) || s.whole(&self.negations).any(|n| n.clause == clause && n.t0 > t0 && n.t1 < t1)
    }

    /// Where `r` may match in this message, in the order they are tried: its terms, sequences and regexes by
    /// position, then — when the message answers the customer's words (`replying`) — the reply terms opening its
    /// answer (`opens_answer`).
    pub(super) fn candidates(&self, r: &Rule, s: &Scan, text: &str, replying: bool) -> Vec<Cand> {
        let cand = |o: &Occ| Cand { start: o.start, end: o.end, tokens: Some((o.t0, o.t1)), clause: o.clause };
        let mut out: Vec<Cand> = s.whole(&r.terms).map(cand).collect();
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
        let possible = s.hints.unwrap_or_else(|| crate::mask::Hints::of(text)).possible();
        for re in r.regex.iter().filter_map(|p| p.regex_for(possible)) {
            for c in re.captures_iter(text) {
                let m = c.get(1).or_else(|| c.get(0)).expect("a match");
                out.push(Cand { start: m.start(), end: m.end(), tokens: None, clause: s.clause_of_byte(m.start()) });
            }
        }
        out.sort_by_key(|c| (c.start, c.end));
        // An answer comes last: where the rule's own words match too, they are what violations.csv shows.
        if replying && let Some((_, terms, _)) = &r.reply {
            out.extend(s.whole(terms).filter(|o| opens_answer(s, text, o)).map(cand));
        }
        out
    }

    /// The first candidate of `r` in this message that survives its guards.
    pub(super) fn first_hit(&self, r: &Rule, s: &Scan, text: &str, replying: bool) -> Option<Cand> {
        if !r.can_match(s, replying) || r.unless_message.intersects(&s.present) {
            return None;
        }
        self.candidates(r, s, text, replying).into_iter().find(|c| {
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
    pub(super) fn states(&self, s: &Scan, set: &IdSet) -> bool {
        set.intersects(&s.present)
            && s.whole(set).any(|o| !s.question[o.clause as usize] && !self.negated(s, o.clause, o.t0))
    }
}

/// Whether the occurrence opens the message's answer: only fillers (`REPLY_FILLERS`), punctuation and spaces stand
/// before it (亲，可以的 / 嗯嗯可以 / 好的，不行哦), so it is the first thing the message says — not a 可以 after a
/// refusal (发票不开具办公用品哦，可以选大类) or in a closing (感谢您的支持).
fn opens_answer(s: &Scan, text: &str, o: &Occ) -> bool {
    (0..o.t0 as usize).all(|t| {
        let w = text[s.token_starts[t]..s.token_ends[t]].trim();
        w.is_empty() || is_punct(w) || REPLY_FILLERS.contains(&w)
    })
}

/// Whether one of `terms` occurs in `text` as a substring outside every occurrence of the longer words `within`
/// (a session rule's greeting 您好, but not in 您好好看看).
pub(super) fn occurs_outside(terms: &Trie, within: &Trie, text: &str) -> bool {
    let mut covered: Vec<(usize, usize)> = Vec::new();
    within.substrings(text, |_, s, e| {
        covered.push((s, e));
        std::ops::ControlFlow::Continue(())
    });
    if covered.is_empty() {
        return terms.occurs_in(text);
    }
    let mut hit = false;
    terms.substrings(text, |_, s, e| {
        hit = !covered.iter().any(|&(a, b)| a <= s && e <= b);
        if hit { std::ops::ControlFlow::Break(()) } else { std::ops::ControlFlow::Continue(()) }
    });
    hit
}
