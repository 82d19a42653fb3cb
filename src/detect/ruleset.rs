//! The one place rule data becomes the fast path. `RuleSet::compile` takes the rule definitions and derives every
//! table the text stage reads — the shared term list, each rule's id sets, the per-kind tries of needed terms, the
//! trigger tries and pairs of the first walk, the term → rule masks, the regex, session and signal rule lists —
//! so no table is kept in step with the rules by hand. `RuleSet::exhaustive` (tests) swaps the short cuts for a
//! scan of every message for every term, and the differential tests compare both.

use super::idset::IdSet;
use super::rule::{Pattern, Rule};
use super::rules::RuleDef;
use crate::model::Sender;
use crate::trie::Trie;
use crate::words::{NEGATIONS, QUESTION_WORDS};
use regex::Regex;
use std::collections::HashMap;

/// Every active rule, compiled over one shared term dictionary.
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub(super) terms: Vec<String>,
    /// Per kind of message (`kind`: agent or customer, signals wanted or not), the terms a rule may read in it
    /// (`needed_bits`) as a trie: an occurrence counts only where it starts on a token start and ends on a token
    /// end, so the trie is walked from each token start. The terms only other senders' rules read are left out.
    pub(super) tries: [Trie; 4],
    /// Per kind of message, the terms that can give a rule something to do in it (`Triggers`), as a trie of
    /// their own: a message holding none of them (most) is not scanned for the rest. Buys ~9 % of the text stage,
    /// 2–4 % of the whole run on 1 M generated messages (BENCHMARKS.md, session 16).
    pub(super) triggers: [Trie; 4],
    pub(super) trigger: Triggers,
    /// Whether a message is walked for its trigger terms before it is scanned (off only in tests, which compare
    /// the findings with a scan of every message for every term).
    pub(super) first_walk: bool,
    /// Per term, the rules (a bit mask of `rule_words` words) that can act on a message containing it; regex
    /// rules (`regex_rules`) are looked at for every message of their speaker. Session rules are in neither:
    /// they are decided at the end of the session.
    pub(super) term_rules: Vec<u64>,
    /// The regex rules of agents' messages and of customers': each rule, the bits of its built-in patterns in
    /// `Hints::possible`, and whether it has patterns of its own (which no prefilter turns away).
    pub(super) regex_rules: [Vec<(u16, u8, bool)>; 2],
    /// The session rules, decided at the end of each session.
    pub(super) session_rules: Vec<usize>,
    /// Signal rules (催付 and unpaid reasons): they only matter where the payment figures can use them
    /// (`SignalScope`), so they are skipped in every other message — but for those with a context (`after`),
    /// which must learn it wherever it is said.
    pub(super) signal_rules: Vec<u64>,
    pub(super) rule_words: usize,
    pub(super) negations: IdSet,
    pub(super) question_words: IdSet,
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
    asked_except: Vec<u32>,
    reply_to: Vec<u32>,
    reply_terms: Vec<u32>,
    reply_except: Vec<u32>,
}

/// Per-term bits (`Triggers`, `needed_bits`): the term matters in a message of this sender; the `_SIGNAL`
/// bits when only for signal rules, which matter only in the messages of the signal scope.
const AGENT: u8 = 1;
const AGENT_SIGNAL: u8 = 2;
const CUSTOMER: u8 = 4;
const CUSTOMER_SIGNAL: u8 = 8;

/// The kinds of message the text stage reads differently, as an index 0..4 of `RuleSet::tries` and `triggers`:
/// from an agent or a customer, in the signal scope (`SignalScope::wants`) or not.
pub(super) fn kind(sender: Sender, signals: bool) -> usize {
    (sender == Sender::Customer) as usize * 2 + signals as usize
}

/// The per-term bits of each `kind` of message.
pub(super) const KIND_BITS: [u8; 4] = [AGENT, AGENT | AGENT_SIGNAL, CUSTOMER, CUSTOMER | CUSTOMER_SIGNAL];

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
pub(super) struct Triggers {
    pub(super) terms: Vec<TriggerTerm>,
    /// Per kind of message (`kind`), the sequences that can match in it.
    pub(super) sequences: [u64; 4],
}

#[derive(Default, Clone, Copy)]
pub(super) struct TriggerTerm {
    pub(super) alone: u8,
    /// The sequences (one bit each, numbered across the rules) whose least common group holds the term, and those
    /// whose second least common group does.
    pub(super) first: u64,
    pub(super) second: u64,
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
            // A context is learned wherever it is said (`needed_bits`).
            if let Some((_, sp, _)) = &r.after {
                alone(&mut tr.terms, &i.after, speaker_bits(false, *sp));
            }
            if r.unless_asked.is_some() {
                alone(&mut tr.terms, &i.asked, of(Some(Sender::Customer)));
            }
            // An answer (`reply`): what it answers, in customers' messages. Its opening words (可以, 能, 不行 — in
            // many messages) are not looked for: while a rule waits for an answer every agent message is scanned.
            alone(&mut tr.terms, &i.reply_to, of(Some(Sender::Customer)));
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
    pub(super) fn wants(&self, term: usize, kind: usize) -> bool {
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
        let own = i
            .terms
            .iter()
            .chain(&i.unless_after)
            .chain(&i.unless_clause)
            .chain(&i.unless_message)
            .chain(&i.reply_terms);
        let seqs = i.seqs.iter().flat_map(|(groups, _, unless)| groups.iter().flatten().chain(unless));
        for &t in own.chain(seqs) {
            bits[t as usize] |= of(r.speaker);
        }
        // A context is learned wherever it is said, in or out of the signal scope (a 催付 before its order).
        if let Some((_, sp, _)) = &r.after {
            i.after.iter().for_each(|&t| bits[t as usize] |= speaker_bits(false, *sp));
        }
        let customer = i.asked.iter().chain(&i.asked_except).chain(&i.reply_to).chain(&i.reply_except);
        customer.for_each(|&t| bits[t as usize] |= of(Some(Sender::Customer)));
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
                asked_except: d.unless_asked.iter().flat_map(|a| a.except.iter()).map(|t| id(t)).collect(),
                reply_to: d.reply.iter().flat_map(|a| a.to.iter()).map(|t| id(t)).collect(),
                reply_terms: d.reply.iter().flat_map(|a| a.terms.iter()).map(|t| id(t)).collect(),
                reply_except: d.reply.iter().flat_map(|a| a.except.iter()).map(|t| id(t)).collect(),
            });
        }
        let n = terms.len();
        let set = |v: &[u32]| IdSet::of(v.iter().copied(), n);
        // The terms whose presence in a message gives each rule something to do (match, or update its state).
        let term_ids: Vec<Vec<u32>> = ids
            .iter()
            .map(|i| {
                let seqs = i.seqs.iter().flat_map(|(g, _, _)| g.iter().flatten());
                let reply = i.reply_to.iter().chain(&i.reply_terms);
                i.terms.iter().chain(seqs).chain(&i.after).chain(&i.asked).chain(reply).copied().collect()
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
                speaker: d.speaker.sender(),
                terms: set(&i.terms),
                sequences: i.seqs.iter().map(|(g, w, u)| (g.iter().map(|x| set(x)).collect(), *w, set(u))).collect(),
                regex,
                unless_after: set(&i.unless_after),
                unless_clause: set(&i.unless_clause),
                unless_message: set(&i.unless_message),
                after: d.after.as_ref().map(|a| (set(&i.after), a.speaker.unwrap_or(d.speaker).sender(), a.scope)),
                unless_asked: d.unless_asked.as_ref().map(|_| (set(&i.asked), set(&i.asked_except))),
                reply: d.reply.as_ref().map(|_| (set(&i.reply_to), set(&i.reply_terms), set(&i.reply_except))),
                session: d.session.map(|check| {
                    let trie =
                        |v: &[String]| Trie::new(&v.iter().map(|t| t.trim().to_string()).collect::<Vec<_>>(), |_| true);
                    (check, trie(&d.terms), trie(&d.unless_within))
                }),
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
            // A signal rule with a context runs everywhere, so that it learns its context out of the scope too.
            if r.def.is_signal() && r.after.is_none() {
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
    pub(super) fn exhaustive(mut self) -> RuleSet {
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
