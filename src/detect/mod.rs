//! Detect: the text rules of SPEC §5 (质检) applied to every message; the readers (topic, intents) fed as it goes.
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
//!
//! The files, in the order data flows through them:
//! - `rules.rs`: the TOML schema of a rule file and its validation;
//! - `idset.rs`: sets of term and rule ids as bits;
//! - `rule.rs`: one compiled rule and the cheap tests that let a message skip it;
//! - `ruleset.rs`: `RuleSet::compile`, the one place every fast-path table is derived from the rule data;
//! - `scan.rs`: one message scanned, its clauses, and a rule matched against it;
//! - `agent.rs`: politeness and personal-data hints of an agent message, in one pass;
//! - `run.rs`: the rules over every conversation, in parallel.

mod agent;
mod idset;
mod rule;
pub mod rules;
mod ruleset;
mod run;
mod scan;

pub use ruleset::RuleSet;
pub use run::run;
pub(crate) use run::run_counted;

use crate::model::{Input, Sender};
use rules::RuleDef;

/// The active rules of a run: the defaults (unless `replace_defaults`), then each rule file (a rule with an
/// existing id replaces it), minus `disabled`, with `banned_words` added to the `banned_words` rule and the
/// shop's `allowed` words to their rules' `unless_clause`.
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
    for (id, words) in &cfg.allowed {
        let Some(d) = defs.iter_mut().find(|d| &d.id == id) else {
            return Err(config_error(format!("allowed words are set for rule '{id}', which is not active")));
        };
        if words.iter().any(|w| w.trim().is_empty()) {
            return Err(config_error(format!("allowed words of rule '{id}': an empty word")));
        }
        d.unless_clause.extend(words.iter().cloned());
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
    /// Signals (every message that matches: 催付 reminders, unpaid reasons), in session order.
    pub signals: Vec<Hit>,
    /// Per message (by input index); all zero for non-agent messages.
    pub politeness: Vec<Politeness>,
    /// Bytes of text cut.
    pub bytes: u64,
    /// What the readers read in each session (by index in `Derived::sessions`): its topic and intents, indexed by
    /// `readers::Which`.
    pub readings: Vec<[crate::readers::Reading; 3]>,
    /// What each message adds to the reason lexicon (`readers::Which::Reason`), in session order: `payments` and
    /// the lost inquiries tally them around an order or a customer's last words.
    pub marks: Vec<crate::readers::Mark>,
}

/// Whether the text stage cuts and checks a message of this sender: customer and agent messages are people's words;
/// bot auto-replies and system notices are not.
pub(crate) fn is_cut(sender: Sender) -> bool {
    matches!(sender, Sender::Customer | Sender::Agent)
}

/// The texts the text stage cuts, in input order (for measuring the cut alone: `kefu cut`, `benches/text.rs`).
pub fn cut_texts(input: &Input) -> Vec<&str> {
    input.messages.iter().filter(|m| is_cut(m.sender)).map(|m| input.text(m)).collect()
}

#[cfg(test)]
use {
    crate::order_windows::SignalScope, crate::tokenize::Tokenizer, crate::trie::Trie, crate::words::POLITE,
    agent::read_agent, ruleset::kind, scan::Scan,
};

#[cfg(test)]
mod tests;
