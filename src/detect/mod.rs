//! Detect: the text rules of SPEC §5 (质检) applied to every message, and the customer intents.
//!
//! Rules are data (`rules.rs`, `default_rules.toml`). Each message is cut once by the shared tokenizer; rule
//! terms are found by walking a trie of them from each token start, and an occurrence counts only where it starts
//! and ends on token boundaries (so 没有 inside 有没有 is not 没有). Most messages give no rule anything to do, so
//! a first walk looks only for the terms that could (`Triggers`: a rule's own terms, both of a sequence's two least
//! common groups); the full scan, the clauses and the guards run only for messages passing it, or a regex rule's
//! prefilter. Both look only for the terms some rule may read in that kind of message (agent or customer, where a
//! signal can count or not: `order_windows::SignalScope`). The hits are the same as scanning every message for every
//! term (a test compares both). Clauses split at punctuation and spaces; a clause is a question when it ends in
//! ？/? or 吗/么/嘛 or asks 是否/有没有/能不能 …. Conversations are independent, so they run in parallel (rayon);
//! within one, messages run in order because promise and context rules look back. Tokens of a message are dropped
//! before the next message: they are never all held.

pub mod rules;

use crate::mask::{char_key, key_of};
use crate::model::{Input, Sender};
use crate::order_windows::SignalScope;
use crate::sessions::Derived;
use crate::tokenize::Tokenizer;
use jieba_rs::Token;
use rayon::prelude::*;
use regex::Regex;
use rules::RuleDef;
use std::collections::{BTreeMap, HashMap};

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

/// A set of small ids (terms, rules) as bits, and which words of them hold any: a rule's terms fill a few
/// words of the dozen or more all terms take, so testing them against a message's reads only those.
#[derive(Debug, Clone, Default)]
struct IdSet {
    bits: Vec<u64>,
    used: Vec<u32>,
}

impl IdSet {
    fn of(ids: impl IntoIterator<Item = u32>, n: usize) -> Self {
        let mut set = IdSet { bits: vec![0u64; n.div_ceil(64)], used: Vec::new() };
        ids.into_iter().for_each(|i| set.insert(i));
        set
    }
    fn contains(&self, i: u32) -> bool {
        self.bits.get(i as usize / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn is_empty(&self) -> bool {
        self.used.is_empty()
    }
    /// Whether the sets share an id (`other` at least as large as this one).
    fn intersects(&self, other: &IdSet) -> bool {
        self.used.iter().any(|&w| self.bits[w as usize] & other.bits[w as usize] != 0)
    }
    fn insert(&mut self, i: u32) {
        let w = &mut self.bits[i as usize / 64];
        if *w == 0 {
            self.used.push(i / 64);
        }
        *w |= 1 << (i % 64);
    }
    fn clear(&mut self) {
        self.used.iter().for_each(|&w| self.bits[w as usize] = 0);
        self.used.clear();
    }
}

enum Pattern {
    /// A built-in pattern, with its bit in `Hints::possible`.
    Named(u8, &'static Regex),
    Own(Regex),
}

impl Pattern {
    /// The regex, unless a cheap test (the text's `Hints::possible`) shows the text cannot match it.
    fn regex_for(&self, possible: u8) -> Option<&Regex> {
        match self {
            Pattern::Named(bit, r) => (possible & bit != 0).then_some(*r),
            Pattern::Own(r) => Some(r),
        }
    }
}

/// A validated rule ready to run.
pub struct Rule {
    pub def: RuleDef,
    speaker: Option<Sender>,
    terms: IdSet,
    /// (groups, window, unless_message) of each sequence.
    sequences: Vec<(Vec<IdSet>, usize, IdSet)>,
    regex: Vec<Pattern>,
    unless_after: IdSet,
    unless_clause: IdSet,
    unless_message: IdSet,
    after: Option<(IdSet, Option<Sender>, Scope)>,
    unless_asked: Option<IdSet>,
    /// For session rules: which agent message to check, and the terms, searched together as substrings of it.
    session: Option<(SessionCheck, Trie)>,
}

impl Rule {
    /// Whether the message has what a match needs: one of the terms, every group of a sequence, or a regex to try.
    /// Nearly every message lacks it for nearly every rule, and this test is a few word compares.
    fn can_match(&self, s: &Scan) -> bool {
        !self.regex.is_empty() || self.terms_match(&s.present)
    }

    /// Whether the message's terms hold one of the rule's terms or every group of one of its sequences.
    fn terms_match(&self, present: &IdSet) -> bool {
        self.terms.intersects(present)
            || self.sequences.iter().any(|(groups, _, _)| groups.iter().all(|g| g.intersects(present)))
    }

    /// Whether a message of `sender` with these terms can hit this rule (leaving regexes aside) or teach it
    /// something (a promise, a customer's question).
    fn concerns(&self, sender: Sender, present: &IdSet) -> bool {
        let hits = self.speaker.is_none_or(|sp| sp == sender) && self.terms_match(present);
        let learns = self
            .after
            .as_ref()
            .is_some_and(|(terms, sp, _)| sp.is_none_or(|sp| sp == sender) && terms.intersects(present))
            || (sender == Sender::Customer && self.unless_asked.as_ref().is_some_and(|t| t.intersects(present)));
        hits || learns
    }

    /// The penalty as a person reads it: "6 pts", "¥200", "30% of order ≤ ¥500", "internal", "intent".
    pub fn penalty_label(&self) -> String {
        let d = &self.def;
        if d.is_intent() {
            return "intent".into();
        }
        if d.is_signal() {
            return "signal".into();
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
    /// Per kind of message (`kind`: agent or customer, signals wanted or not), the terms a rule may read in it
    /// (`needed_bits`) as a trie: an occurrence counts only where it starts on a token start and ends on a token
    /// end, so the trie is walked from each token start. The terms only other senders' rules read are left out.
    tries: [Trie; 4],
    /// Per kind of message, the terms that can give a rule something to do in it (`Triggers`), as a trie of
    /// their own: a message holding none of them (most) is not scanned for the rest.
    triggers: [Trie; 4],
    trigger: Triggers,
    /// Whether a message is walked for its trigger terms before it is scanned (off only in tests, which compare
    /// the findings with a scan of every message for every term).
    first_walk: bool,
    /// Per term, the rules (a bit mask of `rule_words` words) that can act on a message containing it; regex
    /// rules (`regex_rules`) are looked at for every message of their speaker. Session rules are in neither:
    /// they are decided at the end of the session.
    term_rules: Vec<u64>,
    /// The regex rules of agents' messages and of customers': each rule, the bits of its built-in patterns in
    /// `Hints::possible`, and whether it has patterns of its own (which no prefilter turns away).
    regex_rules: [Vec<(u16, u8, bool)>; 2],
    /// The session rules, decided at the end of each session.
    session_rules: Vec<usize>,
    /// Signal rules (催付 and unpaid reasons): they only matter where the payment figures can use them
    /// (`SignalScope`), so they are skipped in every other message.
    signal_rules: Vec<u64>,
    rule_words: usize,
    negations: IdSet,
    question_words: IdSet,
}

/// A rule's terms as ids into the shared term list.
struct Ids {
    terms: Vec<u32>,
    seqs: Vec<(Vec<Vec<u32>>, usize, Vec<u32>)>,
    after: Vec<u32>,
    unless_after: Vec<u32>,
    unless_clause: Vec<u32>,
    unless_message: Vec<u32>,
    asked: Vec<u32>,
}

/// Per-term bits (`Triggers`, `needed_bits`): the term matters in a message of this sender; the `_SIGNAL`
/// bits when only for signal rules, which matter only in the messages of the signal scope.
const AGENT: u8 = 1;
const AGENT_SIGNAL: u8 = 2;
const CUSTOMER: u8 = 4;
const CUSTOMER_SIGNAL: u8 = 8;

/// The kinds of message the text stage reads differently, as an index 0..4 of `RuleSet::tries` and `triggers`:
/// from an agent or a customer, in the signal scope (`SignalScope::wants`) or not.
fn kind(sender: Sender, signals: bool) -> usize {
    (sender == Sender::Customer) as usize * 2 + signals as usize
}

/// The per-term bits of each `kind` of message.
const KIND_BITS: [u8; 4] = [AGENT, AGENT | AGENT_SIGNAL, CUSTOMER, CUSTOMER | CUSTOMER_SIGNAL];

/// The bits of a rule's terms for messages of `speaker` (any sender if none): `_SIGNAL` bits for a signal rule.
fn speaker_bits(signal: bool, speaker: Option<Sender>) -> u8 {
    let (agent, customer) = if signal { (AGENT_SIGNAL, CUSTOMER_SIGNAL) } else { (AGENT, CUSTOMER) };
    match speaker {
        Some(Sender::Agent) => agent,
        Some(Sender::Customer) => customer,
        _ => agent | customer,
    }
}

/// What the first walk looks for: per term, the kinds of message in which it alone can make a rule act
/// (`Rule::concerns`) — a rule's own terms for the rule's speaker, a promise's terms (`after`) for its speaker, the
/// terms of `unless_asked` for customers —, and the sequences it is half of a pair for. A sequence matches only
/// where every one of its groups occurs, so its two least common groups stand for it, and only a message holding a
/// term of each is walked further: the common words of a sequence (订单, 帮您, 不) alone are in many messages. A
/// group's commonness is guessed from its terms' lengths (a one-character term such as 不 or 到 is in most
/// messages). Session rules are decided apart. A message holding none of these concerns no rule except through a
/// regex, so its full scan is skipped.
#[derive(Default)]
struct Triggers {
    terms: Vec<TriggerTerm>,
    /// Per kind of message (`kind`), the sequences that can match in it.
    sequences: [u64; 4],
}

#[derive(Default, Clone, Copy)]
struct TriggerTerm {
    alone: u8,
    /// The sequences (one bit each, numbered across the rules) whose least common group holds the term, and those
    /// whose second least common group does.
    first: u64,
    second: u64,
}

impl Triggers {
    fn new(rules: &[Rule], ids: &[Ids], terms: &[String]) -> Triggers {
        let commonness = |g: &Vec<u32>| -> u64 {
            g.iter().map(|&t| [0, 10_000, 100, 1][terms[t as usize].chars().count().min(3)]).sum()
        };
        let n = terms.len();
        let mut tr = Triggers { terms: vec![TriggerTerm::default(); n], ..Default::default() };
        let mut sequence = 0;
        for (r, i) in rules.iter().zip(ids) {
            if r.session.is_some() {
                continue;
            }
            let of = |sp: Option<Sender>| speaker_bits(r.def.is_signal(), sp);
            let mark = |terms: &mut [TriggerTerm], ts: &[u32], set: &dyn Fn(&mut TriggerTerm)| {
                ts.iter().for_each(|&t| set(&mut terms[t as usize]))
            };
            let alone = |terms: &mut [TriggerTerm], ts: &[u32], b: u8| mark(terms, ts, &|t| t.alone |= b);
            alone(&mut tr.terms, &i.terms, of(r.speaker));
            if let Some((_, sp, _)) = &r.after {
                alone(&mut tr.terms, &i.after, of(*sp));
            }
            if r.unless_asked.is_some() {
                alone(&mut tr.terms, &i.asked, of(Some(Sender::Customer)));
            }
            for (groups, _, _) in &i.seqs {
                let mut by_commonness: Vec<&Vec<u32>> = groups.iter().collect();
                by_commonness.sort_by_key(|g| commonness(g));
                match by_commonness[..] {
                    [] => {}
                    // One group, or more sequences than bits: the least common group alone.
                    [g] => alone(&mut tr.terms, g, of(r.speaker)),
                    [g, ..] if sequence == 64 => alone(&mut tr.terms, g, of(r.speaker)),
                    [a, b, ..] => {
                        let bit = 1u64 << sequence;
                        sequence += 1;
                        mark(&mut tr.terms, a, &|t| t.first |= bit);
                        mark(&mut tr.terms, b, &|t| t.second |= bit);
                        for (k, kind_bits) in KIND_BITS.iter().enumerate() {
                            if of(r.speaker) & kind_bits != 0 {
                                tr.sequences[k] |= bit;
                            }
                        }
                    }
                }
            }
        }
        tr
    }

    /// Whether the first walk looks for this term in messages of this kind.
    fn wants(&self, term: usize, kind: usize) -> bool {
        let t = &self.terms[term];
        t.alone & KIND_BITS[kind] != 0 || (t.first | t.second) & self.sequences[kind] != 0
    }
}

/// Per term, the messages in which a rule may read it once the message is scanned: every term of a rule (its
/// terms, every group of its sequences, its `unless_*` guards) in messages of the rule's speaker, a promise's terms
/// in its speaker's, the terms of `unless_asked` in customers', and the negations and question words (guards of
/// every rule) in all. A term no rule reads in a kind of message is not looked for in it: its occurrences could
/// change nothing.
fn needed_bits(rules: &[Rule], ids: &[Ids], negations: &[u32], questions: &[u32], terms: usize) -> Vec<u8> {
    let mut bits = vec![0u8; terms];
    let all = KIND_BITS[1] | KIND_BITS[3];
    for &t in negations.iter().chain(questions) {
        bits[t as usize] = all;
    }
    for (r, i) in rules.iter().zip(ids) {
        if r.session.is_some() {
            continue;
        }
        let of = |sp: Option<Sender>| speaker_bits(r.def.is_signal(), sp);
        let own = i.terms.iter().chain(&i.unless_after).chain(&i.unless_clause).chain(&i.unless_message);
        let seqs = i.seqs.iter().flat_map(|(groups, _, unless)| groups.iter().flatten().chain(unless));
        for &t in own.chain(seqs) {
            bits[t as usize] |= of(r.speaker);
        }
        if let Some((_, sp, _)) = &r.after {
            i.after.iter().for_each(|&t| bits[t as usize] |= of(*sp));
        }
        i.asked.iter().for_each(|&t| bits[t as usize] |= of(Some(Sender::Customer)));
    }
    bits
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
        let set = |v: &[u32]| IdSet::of(v.iter().copied(), n);
        // The terms whose presence in a message gives each rule something to do (match, or update its state).
        let term_ids: Vec<Vec<u32>> = ids
            .iter()
            .map(|i| {
                let seqs = i.seqs.iter().flat_map(|(g, _, _)| g.iter().flatten());
                i.terms.iter().chain(seqs).chain(&i.after).chain(&i.asked).copied().collect()
            })
            .collect();
        let mut rules = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (d, i) in defs.into_iter().zip(&ids) {
            if !seen.insert(d.id.clone()) {
                return Err(format!("rule '{}' is defined twice", d.id));
            }
            let regex = d
                .regex
                .iter()
                .map(|r| match r.strip_prefix('@') {
                    Some(name) => {
                        let named = crate::mask::named(name).map(|(bit, r)| Pattern::Named(bit, r));
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
                session: match d.session.as_deref() {
                    Some(s) => Some((
                        if s == "first_agent_lacks" {
                            SessionCheck::FirstAgentLacks
                        } else {
                            SessionCheck::LastAgentLacks
                        },
                        {
                            let own: Vec<String> = d.terms.iter().map(|t| t.trim().to_string()).collect();
                            Trie::new(&own, |_| true)
                        },
                    )),
                    None => None,
                },
                def: d,
            });
        }
        if terms.iter().any(|t| t.is_empty()) {
            return Err("a rule has an empty term".into());
        }
        let trigger = Triggers::new(&rules, &ids, &terms);
        let needed = needed_bits(&rules, &ids, &negations, &question_words, n);
        let rule_words = rules.len().div_ceil(64).max(1);
        let mut term_rules = vec![0u64; n * rule_words];
        let mut regex_rules: [Vec<(u16, u8, bool)>; 2] = Default::default();
        let mut signal_rules = vec![0u64; rule_words];
        for (ri, (r, i)) in rules.iter().zip(&term_ids).enumerate() {
            let bit = (ri / 64, 1u64 << (ri % 64));
            if r.session.is_some() {
                continue;
            }
            if !r.regex.is_empty() {
                let named =
                    r.regex.iter().map(|p| if let Pattern::Named(b, _) = p { *b } else { 0 }).fold(0, |a, b| a | b);
                let own = r.regex.iter().any(|p| matches!(p, Pattern::Own(_)));
                for (senders, sender) in regex_rules.iter_mut().zip([Sender::Agent, Sender::Customer]) {
                    if r.speaker.is_none_or(|sp| sp == sender) {
                        senders.push((ri as u16, named, own));
                    }
                }
            }
            if r.def.is_signal() {
                signal_rules[bit.0] |= bit.1;
            }
            for &t in i {
                term_rules[t as usize * rule_words + bit.0] |= bit.1;
            }
        }
        let session_rules = (0..rules.len()).filter(|&ri| rules[ri].session.is_some()).collect();
        Ok(RuleSet {
            negations: set(&negations),
            question_words: set(&question_words),
            rules,
            tries: KIND_BITS.map(|k| Trie::new(&terms, |t| needed[t] & k != 0)),
            triggers: [0, 1, 2, 3].map(|k| Trie::new(&terms, |t| trigger.wants(t, k))),
            trigger,
            first_walk: true,
            terms,
            term_rules,
            regex_rules,
            session_rules,
            signal_rules,
            rule_words,
        })
    }

    /// The same rules run the slow way, for tests to compare with: every message scanned for every term.
    #[cfg(test)]
    fn exhaustive(mut self) -> RuleSet {
        let all = Trie::new(&self.terms, |_| true);
        self.tries = [(); 4].map(|_| all.clone());
        self.first_walk = false;
        self
    }

    /// Every term the rules use: they all go into the tokenizer's dictionary.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(String::as_str)
    }
}

/// The terms as a trie over characters. A token's first character picks its node off `Roots`; each further
/// character of the text follows one edge among the node's few children. So a token costs one step per character
/// of the longest term prefix found there (usually none or one), however many terms share its first character.
#[derive(Clone)]
struct Trie {
    roots: Roots,
    /// Node 0 is "no node"; the others are reached from `roots`.
    nodes: Vec<Node>,
    /// Every node's children, as (character, node), contiguous per node; characters by `mask::char_key`, so the
    /// text is never decoded.
    edges: Vec<(u32, u32)>,
}

/// A trie's first characters and their nodes, for the test every token goes through. A filter of 4,096 bits
/// (512 bytes, a bit per character hashed from its bytes) turns most tokens away with one load that stays in the
/// first-level cache while jieba's dictionary passes through it; the tokens that pass (an eighth to a fifth) look
/// the node up in a table a quarter full. The 8 KB bitmap over the character's bytes and the node tables of up to
/// 30 KB it replaced missed the first-level cache more (BENCHMARKS.md, session 13).
#[derive(Clone)]
struct Roots {
    filter: [u64; 64],
    /// The first characters (`mask::char_key`; `NO_KEY` is an empty slot), open-addressed, and their nodes beside
    /// them.
    keys: Vec<u32>,
    nodes: Vec<u32>,
    shift: u32,
}

/// An empty slot of `Roots::keys`: no character's UTF-8 bytes hold 0xFF.
const NO_KEY: u32 = u32::MAX;

impl Roots {
    fn new(roots: &BTreeMap<u32, u32>) -> Roots {
        let bits = (roots.len() * 4).next_power_of_two().trailing_zeros().max(4);
        let mut r =
            Roots { filter: [0; 64], keys: vec![NO_KEY; 1 << bits], nodes: vec![0; 1 << bits], shift: 32 - bits };
        for (&key, &node) in roots {
            let bit = Roots::filter_bit(key);
            r.filter[bit / 64] |= 1 << (bit % 64);
            let mut i = r.slot(key);
            while r.keys[i] != NO_KEY {
                i = (i + 1) & (r.keys.len() - 1);
            }
            (r.keys[i], r.nodes[i]) = (key, node);
        }
        r
    }

    #[inline(always)]
    fn filter_bit(key: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B1) >> 20) as usize
    }

    #[inline(always)]
    fn slot(&self, key: u32) -> usize {
        (key.wrapping_mul(0x85EB_CA77) >> self.shift) as usize
    }

    /// The node of the character `key`, if it starts a term.
    #[inline(always)]
    fn get(&self, key: u32) -> Option<u32> {
        let bit = Roots::filter_bit(key);
        if self.filter[bit / 64] >> (bit % 64) & 1 == 0 {
            return None;
        }
        let mut i = self.slot(key);
        loop {
            match self.keys[i] {
                k if k == key => return Some(self.nodes[i]),
                NO_KEY => return None,
                _ => i = (i + 1) & (self.keys.len() - 1),
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Node {
    /// The term ending here, or `NO_TERM`.
    term: u32,
    edges: u32,
    edge_count: u32,
}

const NO_TERM: u32 = u32::MAX;

impl Trie {
    /// The trie of the terms `keep` selects (by index), which keep their indices as ids.
    fn new(terms: &[String], keep: impl Fn(usize) -> bool) -> Trie {
        // Built with a map per node, then flattened into `edges`.
        let kept = || terms.iter().enumerate().filter(|(id, _)| keep(*id));
        let firsts: std::collections::BTreeSet<u32> =
            kept().map(|(_, t)| key_of(t.chars().next().expect("terms are not empty"))).collect();
        let roots: BTreeMap<u32, u32> = firsts.into_iter().zip(1..).collect();
        let mut kids: Vec<BTreeMap<u32, u32>> = vec![BTreeMap::new(); roots.len() + 1];
        let mut term_at: Vec<u32> = vec![NO_TERM; roots.len() + 1];
        for (id, t) in kept() {
            let mut chars = t.chars().map(key_of);
            let mut node = roots[&chars.next().expect("terms are not empty")];
            for c in chars {
                let next = kids.len() as u32;
                node = *kids[node as usize].entry(c).or_insert(next);
                if node == next {
                    kids.push(BTreeMap::new());
                    term_at.push(NO_TERM);
                }
            }
            term_at[node as usize] = id as u32;
        }
        let mut trie = Trie { roots: Roots::new(&roots), nodes: Vec::new(), edges: Vec::new() };
        for (k, term) in kids.iter().zip(term_at) {
            trie.nodes.push(Node { term, edges: trie.edges.len() as u32, edge_count: k.len() as u32 });
            trie.edges.extend(k.iter().map(|(&c, &n)| (c, n)));
        }
        trie
    }

    /// The node of the first character of `word` (a token's bytes), and that character's byte length.
    #[inline(always)]
    fn root(&self, word: &[u8]) -> Option<(u32, usize)> {
        let (key, len) = char_key(word)?;
        Some((self.roots.get(key)?, len))
    }

    /// Every occurrence of a term that starts on a token start and ends on a token end (so 没有 inside 有没有 is
    /// not 没有), in token order: `found(term, first token, past the last token, byte start, byte end)`, until it
    /// breaks.
    #[inline]
    fn occurrences(
        &self,
        bytes: &[u8],
        tokens: &[Token],
        mut found: impl FnMut(u32, usize, usize, usize, usize) -> std::ops::ControlFlow<()>,
    ) {
        for (i, t) in tokens.iter().enumerate() {
            let Some((mut node, len)) = self.root(t.word.as_bytes()) else { continue };
            let start = t.byte_start;
            let (mut end, mut j) = (start + len, i);
            loop {
                let n = self.nodes[node as usize];
                if n.term != NO_TERM {
                    // A whole-word match only if a token ends where the term ends.
                    while j < tokens.len() && tokens[j].byte_end < end {
                        j += 1;
                    }
                    if tokens.get(j).is_some_and(|t| t.byte_end == end)
                        && found(n.term, i, j + 1, start, end).is_break()
                    {
                        return;
                    }
                }
                if n.edge_count == 0 {
                    break;
                }
                match char_key(&bytes[end..]).and_then(|(c, l)| Some((self.child(&n, c)?, l))) {
                    Some((next, l)) => (node, end) = (next, end + l),
                    None => break,
                }
            }
        }
    }

    /// Whether a term occurs anywhere in `text`, as a substring (亲 in 亲爱的): the trie walked from every
    /// character that starts a term (`roots`' filter turns the others away).
    fn occurs_in(&self, text: &str) -> bool {
        let b = text.as_bytes();
        let mut i = 0;
        while let Some((key, char_len)) = char_key(&b[i..]) {
            if let Some(mut node) = self.roots.get(key) {
                let mut end = i + char_len;
                loop {
                    let n = self.nodes[node as usize];
                    if n.term != NO_TERM {
                        return true;
                    }
                    match char_key(&b[end..]).and_then(|(c, l)| Some((self.child(&n, c)?, l))) {
                        Some((next, l)) => (node, end) = (next, end + l),
                        None => break,
                    }
                }
            }
            i += char_len;
        }
        false
    }

    #[inline]
    fn child(&self, node: &Node, c: u32) -> Option<u32> {
        let edges = &self.edges[node.edges as usize..][..node.edge_count as usize];
        if edges.len() <= 8 {
            edges.iter().find(|e| e.0 == c).map(|e| e.1)
        } else {
            edges.binary_search_by_key(&c, |e| e.0).ok().map(|i| edges[i].1)
        }
    }
}

/// A term found in a message, starting and ending on token boundaries (a whole-word match).
#[derive(Debug, Clone, Copy)]
struct Occ {
    term: u32,
    /// Token range [t0, t1).
    t0: u32,
    t1: u32,
    start: usize,
    end: usize,
    clause: u32,
}

/// One message, cut and scanned. The buffers are reused from message to message.
struct Scan {
    occ: Vec<Occ>,
    /// Terms with an occurrence in the message.
    present: IdSet,
    question: Vec<bool>,
    token_clause: Vec<u32>,
    token_starts: Vec<usize>,
    token_ends: Vec<usize>,
    /// Whether `question`, `token_clause` and the clauses of `occ` are filled (only messages a rule looks at).
    clauses: bool,
    /// The personal-data prefilter's reading of the message, once a regex rule asks.
    hints: Option<crate::mask::Hints>,
}

impl Scan {
    /// Empties the buffers for the next scan (the hints are the caller's: they are read before the scan).
    fn clear(&mut self) {
        self.occ.clear();
        self.present.clear();
        self.token_starts.clear();
        self.token_ends.clear();
        self.clauses = false;
    }

    fn new(terms: usize) -> Scan {
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

fn is_punct(w: &str) -> bool {
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
fn ends_clause(w: &str) -> bool {
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

impl RuleSet {
    /// Whether a message of this `kind` with these tokens holds a term that can give a rule something to do, or
    /// both halves of a sequence's pair (`Triggers`); without, and without a regex to try, the message concerns
    /// no rule.
    fn triggered(&self, text: &str, tokens: &[Token], kind: usize) -> bool {
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
    fn scan(&self, text: &str, tokens: &[Token], kind: usize, s: &mut Scan) {
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
    fn clauses(&self, text: &str, s: &mut Scan) {
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
    fn whole<'a>(&'a self, set: &'a IdSet) -> impl Iterator<Item = &'a Occ> + 'a {
        self.occ.iter().filter(move |o| set.contains(o.term))
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
        let possible = s.hints.unwrap_or_else(|| crate::mask::Hints::of(text)).possible();
        for re in r.regex.iter().filter_map(|p| p.regex_for(possible)) {
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
    fn states(&self, s: &Scan, set: &IdSet) -> bool {
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
    /// Signals (every message that matches: 催付 reminders, unpaid reasons), in session order.
    pub signals: Vec<Hit>,
    /// Per message (by input index); all zero for non-agent messages.
    pub politeness: Vec<Politeness>,
    /// Bytes of text cut.
    pub bytes: u64,
}

/// The classes an agent message is read for, in one pass over its bytes (`mask::Classes`): the personal-data
/// prefilter's, 您 and 我 (counted), and the polite words: a one-character word as a class, a two-character one as
/// a pair of classes.
static AGENT_READER: std::sync::LazyLock<(crate::mask::Classes, PoliteClasses)> = std::sync::LazyLock::new(|| {
    let (mut chars, mut pairs) = (crate::mask::hint_classes(), crate::mask::HINT_PAIRS.to_vec());
    chars.extend([('您', NIN), ('我', WO)]);
    let mut polite = PoliteClasses::default();
    let mut next = 16u8;
    let mut class_of = |c: char, chars: &mut Vec<(char, u8)>| match chars.iter().find(|x| x.0 == c) {
        Some(&(_, class)) => class,
        None => {
            chars.push((c, next));
            next += 1;
            next - 1
        }
    };
    for w in POLITE {
        match w.chars().collect::<Vec<char>>()[..] {
            [c] => polite.one |= 1 << class_of(c, &mut chars),
            [a, b] => {
                let (a, b) = (class_of(a, &mut chars), class_of(b, &mut chars));
                pairs.push((a, b));
                polite.second |= 1 << b;
            }
            _ => panic!("polite words have one or two characters: {w}"),
        }
    }
    (crate::mask::Classes::new(&chars, &pairs), polite)
});

/// The classes of 您 and 我 in `AGENT_READER` (counted ones: 2 and 3).
const NIN: u8 = 2;
const WO: u8 = 3;

/// The polite words as `AGENT_READER` classes: the one-character words' classes, the two-character words' second
/// classes (as pairs).
#[derive(Default)]
struct PoliteClasses {
    one: u32,
    second: u32,
}

/// An agent message's politeness (您 and 我 counted, a polite word anywhere) and its personal-data hints, read in
/// one pass over the bytes: both run over every agent message, and agent messages are the long ones.
fn read_agent(text: &str) -> (crate::mask::Hints, Politeness) {
    let (reader, words) = &*AGENT_READER;
    let t = reader.read(text);
    let (nin, wo) = (t.counts[NIN as usize - 1], t.counts[WO as usize - 1]);
    let polite = t.seen & words.one != 0 || t.pairs & words.second != 0;
    let cap = |n: u32| n.min(u16::MAX as u32) as u16;
    (crate::mask::Hints::from_tally(&t), Politeness { polite, nin: cap(nin), wo: cap(wo) })
}

/// Zeroes a bit mask of rules: a store when there is one word (up to 64 rules), where `fill` would call memset
/// for every message.
#[inline(always)]
fn zero(words: &mut [u64]) {
    match words {
        [w] => *w = 0,
        _ => words.fill(0),
    }
}

/// The positions of the set bits of a bit mask of several words, lowest first.
fn positions(words: &[u64]) -> impl Iterator<Item = usize> + '_ {
    words.iter().enumerate().flat_map(|(w, &bits)| set_bits(bits).map(move |b| w * 64 + b))
}

/// The positions of the set bits of `bits`, lowest first.
fn set_bits(mut bits: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let b = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            b
        })
    })
}

/// Whether the text stage cuts and checks a message of this sender: customer and agent messages are people's words;
/// bot auto-replies and system notices are not.
pub fn is_cut(sender: Sender) -> bool {
    matches!(sender, Sender::Customer | Sender::Agent)
}

/// The texts the text stage cuts, in input order (for measuring the cut alone: `kefu cut`, `benches/text.rs`).
pub fn cut_texts(input: &Input) -> Vec<&str> {
    input.messages.iter().filter(|m| is_cut(m.sender)).map(|m| input.text(m)).collect()
}

/// Runs every rule over every message, conversation by conversation in parallel; signal rules only on the
/// messages in `signals` (where the payment figures can use them).
pub fn run(input: &Input, d: &Derived, set: &RuleSet, tok: &Tokenizer, signals: &SignalScope) -> Findings {
    run_counted(input, d, set, tok, signals, &|_| {})
}

/// `run`, calling `done(n)` as each chunk of `n` sessions is finished (from the worker threads), for progress.
pub fn run_counted(
    input: &Input,
    d: &Derived,
    set: &RuleSet,
    tok: &Tokenizer,
    signals: &SignalScope,
    done: &(dyn Fn(u64) + Sync),
) -> Findings {
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
    let ctx = Ctx { input, d, set, tok, signals };
    // Chunks of conversations, each run by one worker with one set of buffers; results stay in input order.
    let parts: Vec<ConvResult> = convs
        .par_chunks(64)
        .map(|chunk| {
            let (mut scan, mut memory) = (Scan::new(set.terms.len()), Memory::new(set));
            let mut out = ConvResult::default();
            for r in chunk {
                conversation(&ctx, r.clone(), &mut scan, &mut memory, &mut out);
            }
            done(chunk.iter().map(|r| r.len() as u64).sum());
            out
        })
        .collect();
    let mut f = Findings { politeness: vec![Politeness::default(); input.messages.len()], ..Default::default() };
    for (v, it, sig, pol, bytes) in parts {
        f.violations.extend(v);
        f.intents.extend(it);
        f.signals.extend(sig);
        for (m, p) in pol {
            f.politeness[m as usize] = p;
        }
        f.bytes += bytes;
    }
    f
}

/// Violations, intents, signals, politeness per agent message, bytes cut.
type ConvResult = (Vec<Hit>, Vec<Hit>, Vec<Hit>, Vec<(u32, Politeness)>, u64);

/// What every conversation of a run reads.
struct Ctx<'a> {
    input: &'a Input,
    d: &'a Derived,
    set: &'a RuleSet,
    tok: &'a Tokenizer,
    /// The messages signal rules run on.
    signals: &'a SignalScope<'a>,
}

/// Starts loading the cache line at `p`; nothing where the target has no prefetch instruction.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    // SAFETY: a prefetch only hints the cache: it reads nothing the program sees and never faults, whatever the
    // address; SSE, which it needs, is part of every x86_64 CPU.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// What the rules of a conversation carry from message to message, per rule, as sets of rule indices cleared
/// word by word (and the candidate rules of the message at hand, as bit masks of `rule_words` words): buffers a
/// worker reuses from conversation to conversation.
struct Memory {
    cand: Vec<u64>,
    regex_cand: Vec<u64>,
    promised_conv: IdSet,
    promised: IdSet,
    asked: IdSet,
    intent_seen: IdSet,
    customer_orders: crate::order_windows::CustomerOrders,
}

impl Memory {
    fn new(set: &RuleSet) -> Memory {
        let (words, n) = (vec![0u64; set.rule_words], IdSet::of([], set.rules.len()));
        Memory {
            cand: words.clone(),
            regex_cand: words,
            promised_conv: n.clone(),
            promised: n.clone(),
            asked: n.clone(),
            intent_seen: n,
            customer_orders: Default::default(),
        }
    }
}

fn conversation(
    ctx: &Ctx,
    sessions: std::ops::Range<usize>,
    scan: &mut Scan,
    memory: &mut Memory,
    (violations, intents, signals, pol, bytes): &mut ConvResult,
) {
    let Ctx { input, d, set, tok, signals: scope } = ctx;
    let Memory { cand, regex_cand, promised_conv, promised, asked, intent_seen, customer_orders } = memory;
    promised_conv.clear();
    for si in sessions {
        let sess = &d.sessions[si];
        promised.clear();
        asked.clear();
        intent_seen.clear();
        let (mut first_agent, mut last_agent) = (None, None);
        for pos in sess.first..sess.first + sess.len {
            // The next messages of a conversation lie anywhere in the input: ask for the row of the one four
            // ahead and for the text of the one two ahead (whose row was asked for before), so neither is
            // waited for.
            if let Some(&ahead) = d.order.get(pos + 4) {
                prefetch(&input.messages[ahead as usize]);
            }
            if let Some(&ahead) = d.order.get(pos + 2) {
                prefetch(input.text.as_bytes()[input.messages[ahead as usize].text_start..].as_ptr());
            }
            let k = d.order[pos];
            let m = &input.messages[k as usize];
            if !is_cut(m.sender) {
                continue;
            }
            let text = input.text(m);
            *bytes += text.len() as u64;
            let tokens = tok.cut(text);
            scan.hints = None;
            if m.sender == Sender::Agent {
                let (hints, p) = read_agent(text);
                scan.hints = Some(hints);
                pol.push((k, p));
                first_agent.get_or_insert(k);
                last_agent = Some(k);
            }
            // The rules this message can concern: regex rules whose prefilter passes, and those using a term it
            // contains. Nearly every message concerns none, and is done after the short search for the terms
            // that could give a rule something to do.
            zero(regex_cand);
            let regex_rules = &set.regex_rules[(m.sender == Sender::Customer) as usize];
            if !regex_rules.is_empty() {
                let possible = scan.hints.get_or_insert_with(|| crate::mask::Hints::of(text)).possible();
                for &(ri, named, own) in regex_rules {
                    if own || named & possible != 0 {
                        regex_cand[ri as usize / 64] |= 1 << (ri % 64);
                    }
                }
            }
            let mut needed = regex_cand.iter().any(|w| *w != 0);
            let wants_signals = scope.wants(m, customer_orders);
            let kind = kind(m.sender, wants_signals);
            zero(cand);
            if needed || !set.first_walk || set.triggered(text, &tokens, kind) {
                set.scan(text, &tokens, kind, scan);
                for o in &scan.occ {
                    let rules = &set.term_rules[o.term as usize * set.rule_words..][..set.rule_words];
                    cand.iter_mut().zip(rules).for_each(|(c, r)| *c |= r);
                }
                if cand.iter().zip(&set.signal_rules).any(|(c, s)| c & s != 0) && !wants_signals {
                    cand.iter_mut().zip(&set.signal_rules).for_each(|(c, s)| *c &= !s);
                }
                for (w, c) in cand.iter_mut().enumerate() {
                    for b in set_bits(*c) {
                        if set.rules[w * 64 + b].concerns(m.sender, &scan.present) {
                            needed = true;
                        } else {
                            *c &= !(1 << b);
                        }
                    }
                }
                cand.iter_mut().zip(regex_cand.iter()).for_each(|(c, r)| *c |= r);
            }
            drop(tokens);
            if !needed {
                continue;
            }
            set.clauses(text, scan);
            let candidates = || positions(cand);
            for ri in candidates() {
                let r = &set.rules[ri];
                if r.session.is_some() || r.speaker.is_some_and(|sp| sp != m.sender) {
                    continue;
                }
                if let Some((_, _, scope)) = &r.after {
                    let ok = match scope {
                        Scope::Session => promised.contains(ri as u32),
                        Scope::Conversation => promised_conv.contains(ri as u32),
                    };
                    if !ok {
                        continue;
                    }
                }
                if r.unless_asked.is_some() && asked.contains(ri as u32) {
                    continue;
                }
                if r.is_intent() && intent_seen.contains(ri as u32) {
                    continue;
                }
                if let Some(c) = set.first_hit(r, scan, text) {
                    let hit = Hit { msg: k, session: si as u32, rule: ri as u16, start: c.start, end: c.end };
                    if r.def.is_signal() {
                        signals.push(hit);
                    } else if r.is_intent() {
                        intent_seen.insert(ri as u32);
                        intents.push(hit);
                    } else {
                        violations.push(hit);
                    }
                }
            }
            // Update what later messages look back at.
            for ri in candidates() {
                let r = &set.rules[ri];
                if let Some((terms, sp, _)) = &r.after
                    && sp.is_none_or(|sp| sp == m.sender)
                    && set.states(scan, terms)
                {
                    promised.insert(ri as u32);
                    promised_conv.insert(ri as u32);
                }
                if let Some(terms) = &r.unless_asked
                    && m.sender == Sender::Customer
                    && terms.intersects(&scan.present)
                {
                    asked.insert(ri as u32);
                }
            }
        }
        // Session rules: the first / last agent message lacks every term (as a substring: 亲 in 亲爱的).
        for &ri in &set.session_rules {
            let Some((check, terms)) = &set.rules[ri].session else { continue };
            let msg = match check {
                SessionCheck::FirstAgentLacks => first_agent,
                SessionCheck::LastAgentLacks => last_agent,
            };
            if let Some(msg) = msg {
                let text = input.text(&input.messages[msg as usize]);
                if !terms.occurs_in(text) {
                    violations.push(Hit { msg, session: si as u32, rule: ri as u16, start: 0, end: 0 });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
