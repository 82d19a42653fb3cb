//! Running the rules over the conversations: in parallel by chunks of conversations (rayon), in order within one
//! (promise and context rules look back), signal rules only in `SignalScope`; session rules at each session's end.
//! Each cut message also feeds the session's tally of the readers (topic, intents), so they cost no second cut,
//! and gives its marks of the reason lexicon.

use super::agent::read_agent;
use super::idset::{IdSet, positions, set_bits};
use super::rules::{Scope, SessionCheck};
use super::ruleset::{RuleSet, kind};
use super::scan::Scan;
use super::{Findings, Hit, Politeness, is_cut};
use crate::model::{Input, Sender};
use crate::order_windows::SignalScope;
use crate::readers::{Mark, Readers, Reading, Tally, Which};
use crate::sessions::Derived;
use crate::tokenize::Tokenizer;
use rayon::prelude::*;

/// Runs every rule over every message, conversation by conversation in parallel; signal rules only on the
/// messages in `signals` (where the payment figures can use them); reads each session's topic and intents with
/// `readers`.
pub fn run(
    input: &Input,
    d: &Derived,
    set: &RuleSet,
    tok: &Tokenizer,
    signals: &SignalScope,
    readers: &Readers,
) -> Findings {
    run_counted(input, d, set, tok, signals, readers, &|_| {})
}

/// `run`, calling `done(n)` as each chunk of `n` sessions is finished (from the worker threads), for progress.
pub(crate) fn run_counted(
    input: &Input,
    d: &Derived,
    set: &RuleSet,
    tok: &Tokenizer,
    signals: &SignalScope,
    readers: &Readers,
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
    let ctx = Ctx { input, d, set, tok, signals, readers };
    // Chunks of conversations, each run by one worker with one set of buffers; results stay in input order.
    let parts: Vec<ConvResult> = convs
        .par_chunks(64)
        .map(|chunk| {
            let (mut scan, mut memory) = (Scan::new(set.terms.len()), Memory::new(set, readers));
            let mut out = ConvResult::default();
            for r in chunk {
                conversation(&ctx, r.clone(), &mut scan, &mut memory, &mut out);
            }
            done(chunk.iter().map(|r| r.len() as u64).sum());
            out
        })
        .collect();
    merge(parts, input.messages.len())
}

/// The chunks' results, joined in order, one kind at a time: each kind's vector is made at its full size, the chunks'
/// pieces of it are moved in and freed, and the freed memory is handed back before the next kind (`memory::release`).
/// Joined all at once, the chunks' results and the joined ones were both held (0.3 GB each at 10 M messages): the
/// text stage's peak.
fn merge(mut parts: Vec<ConvResult>, messages: usize) -> Findings {
    fn join<T>(parts: &mut [ConvResult], of: impl Fn(&mut ConvResult) -> &mut Vec<T>) -> Vec<T> {
        let mut all = Vec::with_capacity(parts.iter_mut().map(|p| of(p).len()).sum());
        for p in parts.iter_mut() {
            all.append(of(p));
            *of(p) = Vec::new();
        }
        crate::memory::release();
        all
    }
    let mut politeness = vec![Politeness::default(); messages];
    for p in parts.iter_mut() {
        for (m, pol) in std::mem::take(&mut p.politeness) {
            politeness[m as usize] = pol;
        }
    }
    crate::memory::release();
    Findings {
        politeness,
        readings: join(&mut parts, |p| &mut p.readings),
        marks: join(&mut parts, |p| &mut p.marks),
        violations: join(&mut parts, |p| &mut p.violations),
        signals: join(&mut parts, |p| &mut p.signals),
        bytes: parts.iter().map(|p| p.bytes).sum(),
    }
}

/// What a chunk of conversations gave.
#[derive(Default)]
struct ConvResult {
    violations: Vec<Hit>,
    signals: Vec<Hit>,
    /// Per agent message.
    politeness: Vec<(u32, Politeness)>,
    /// Bytes cut.
    bytes: u64,
    /// Per session.
    readings: Vec<[Reading; 3]>,
    /// The reason lexicon's marks of each message.
    marks: Vec<Mark>,
}

/// What every conversation of a run reads.
struct Ctx<'a> {
    input: &'a Input,
    d: &'a Derived,
    set: &'a RuleSet,
    tok: &'a Tokenizer,
    /// The messages signal rules run on.
    signals: &'a SignalScope<'a>,
    readers: &'a Readers,
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
    /// The rules whose `reply.to` the customer's latest message of the session said: an agent's answer opening
    /// with the rule's reply terms hits.
    answering: IdSet,
    customer_orders: crate::order_windows::CustomerOrders,
    tally: Tally,
}

impl Memory {
    fn new(set: &RuleSet, readers: &Readers) -> Memory {
        let (words, n) = (vec![0u64; set.rule_words], IdSet::of([], set.rules.len()));
        Memory {
            cand: words.clone(),
            regex_cand: words,
            promised_conv: n.clone(),
            promised: n.clone(),
            asked: n.clone(),
            answering: n,
            customer_orders: Default::default(),
            tally: Tally::new(readers),
        }
    }
}

fn conversation(
    ctx: &Ctx,
    sessions: std::ops::Range<usize>,
    scan: &mut Scan,
    memory: &mut Memory,
    ConvResult { violations, signals, politeness: pol, bytes, readings, marks }: &mut ConvResult,
) {
    let Ctx { input, d, set, tok, signals: scope, readers } = ctx;
    let Memory { cand, regex_cand, promised_conv, promised, asked, answering, customer_orders, tally } = memory;
    promised_conv.clear();
    for si in sessions {
        let sess = &d.sessions[si];
        promised.clear();
        asked.clear();
        answering.clear();
        tally.reset();
        let (mut first_agent, mut last_agent) = (None, None);
        for pos in sess.first..sess.first + sess.len {
            // The next messages of a conversation lie anywhere in the input: ask for the row of the one four
            // ahead and for the text of the one two ahead (whose row was asked for before), so neither is
            // waited for. Buys ~8 % of the text stage at 1 M messages, ~3 % of the run at 10 M (BENCHMARKS.md).
            if let Some(&ahead) = d.order.get(pos + 4) {
                prefetch(&input.messages[ahead as usize]);
            }
            if let Some(&ahead) = d.order.get(pos + 2) {
                prefetch(input.text.as_bytes()[input.messages[ahead as usize].text_start as usize..].as_ptr());
            }
            let k = d.order[pos];
            let m = &input.messages[k as usize];
            if !is_cut(m.sender) {
                continue;
            }
            let text = input.text(m);
            *bytes += text.len() as u64;
            let tokens = tok.cut(text);
            let customer = m.sender == Sender::Customer;
            if customer {
                // An answer answers the latest customer message only.
                answering.clear();
            }
            tally.add(readers, text, &tokens, customer, first_agent.is_none(), k);
            marks.extend_from_slice(&tally.marks);
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
            regex_cand.fill(0);
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
            cand.fill(0);
            // While a rule waits for an agent's answer (`reply`), the agent's message is scanned whatever it holds.
            let awaited = m.sender == Sender::Agent && !answering.is_empty();
            if needed || awaited || !set.first_walk || set.triggered(text, &tokens, kind) {
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
                        let ri = (w * 64 + b) as u32;
                        if set.rules[ri as usize].concerns(m.sender, &scan.present, answering.contains(ri)) {
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
                if let Some(c) = set.first_hit(r, scan, text, answering.contains(ri as u32)) {
                    let hit = Hit { msg: k, session: si as u32, rule: ri as u16, start: c.start, end: c.end };
                    if r.def.is_signal() {
                        signals.push(hit);
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
                if let Some((terms, except)) = &r.unless_asked
                    && customer
                    && terms.intersects(&scan.present)
                    && !except.intersects(&scan.present)
                {
                    asked.insert(ri as u32);
                }
                if let Some((to, _, except)) = &r.reply
                    && customer
                    && to.intersects(&scan.present)
                    && !except.intersects(&scan.present)
                {
                    answering.insert(ri as u32);
                }
            }
        }
        readings.push(Which::ALL.map(|w| tally.decide(readers, w)));
        // Session rules: the first / last agent message lacks every term (as a substring: 亲 in 亲爱的).
        for &ri in &set.session_rules {
            let Some((check, terms, within)) = &set.rules[ri].session else { continue };
            let msg = match check {
                SessionCheck::FirstAgentLacks => first_agent,
                SessionCheck::LastAgentLacks => last_agent,
            };
            if let Some(msg) = msg {
                let text = input.text(&input.messages[msg as usize]);
                if !super::scan::occurs_outside(terms, within, text) {
                    violations.push(Hit { msg, session: si as u32, rule: ri as u16, start: 0, end: 0 });
                }
            }
        }
    }
}
