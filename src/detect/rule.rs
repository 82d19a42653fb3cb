//! One validated rule as the text stage runs it: its terms as id sets over the shared term list, its sequences,
//! regexes and guards, whom it applies to, and the cheap tests (`can_match`, `concerns`) that let a message skip it.

use super::idset::IdSet;
use super::rules::{RuleDef, Scope, SessionCheck};
use super::scan::Scan;
use crate::model::Sender;
use crate::trie::Trie;
use regex::Regex;

pub(super) enum Pattern {
    /// A built-in pattern, with its bit in `Hints::possible`.
    Named(u8, &'static Regex),
    Own(Regex),
}

impl Pattern {
    /// The regex, unless a cheap test (the text's `Hints::possible`) shows the text cannot match it.
    pub(super) fn regex_for(&self, possible: u8) -> Option<&Regex> {
        match self {
            Pattern::Named(bit, r) => (possible & bit != 0).then_some(*r),
            Pattern::Own(r) => Some(r),
        }
    }
}

/// A validated rule ready to run.
pub struct Rule {
    pub def: RuleDef,
    pub(super) speaker: Option<Sender>,
    pub(super) terms: IdSet,
    /// (groups, window, unless_message) of each sequence.
    pub(super) sequences: Vec<(Vec<IdSet>, usize, IdSet)>,
    pub(super) regex: Vec<Pattern>,
    pub(super) unless_after: IdSet,
    pub(super) unless_clause: IdSet,
    pub(super) unless_message: IdSet,
    pub(super) after: Option<(IdSet, Option<Sender>, Scope)>,
    /// `unless_asked`: the customer's words that ask, and those that make a message not a request.
    pub(super) unless_asked: Option<(IdSet, IdSet)>,
    /// An answer (`reply`): what the customer's latest message said (and what it must not have said), and the
    /// terms opening the agent's answer.
    pub(super) reply: Option<(IdSet, IdSet, IdSet)>,
    /// For session rules: which agent message to check, the terms, searched together as substrings of it, and the
    /// longer words they do not count within (`unless_within`).
    pub(super) session: Option<(SessionCheck, Trie, Trie)>,
}

impl Rule {
    /// Whether the message has what a match needs: one of the terms, every group of a sequence, a regex to try,
    /// or — when it answers the customer's words (`replying`) — an answer's term.
    pub(super) fn can_match(&self, s: &Scan, replying: bool) -> bool {
        !self.regex.is_empty() || self.terms_match(&s.present) || (replying && self.answers(&s.present))
    }

    /// Whether the message's terms hold one of the rule's terms or every group of one of its sequences.
    pub(super) fn terms_match(&self, present: &IdSet) -> bool {
        self.terms.intersects(present)
            || self.sequences.iter().any(|(groups, _, _)| groups.iter().all(|g| g.intersects(present)))
    }

    /// Whether the message's terms hold one of the terms an answer opens with (`reply`).
    pub(super) fn answers(&self, present: &IdSet) -> bool {
        self.reply.as_ref().is_some_and(|(_, terms, _)| terms.intersects(present))
    }

    /// Whether a message of `sender` with these terms can hit this rule (leaving regexes aside) or teach it
    /// something (a promise, a customer's question); `replying`: the rule waits for an answer to the customer's
    /// latest words (the text stage then scans every agent message, so the first walk need not look for answers).
    pub(super) fn concerns(&self, sender: Sender, present: &IdSet, replying: bool) -> bool {
        let hits = self.speaker.is_none_or(|sp| sp == sender)
            && (self.terms_match(present) || (replying && self.answers(present)));
        let learns = self
            .after
            .as_ref()
            .is_some_and(|(terms, sp, _)| sp.is_none_or(|sp| sp == sender) && terms.intersects(present))
            || (sender == Sender::Customer && self.unless_asked.as_ref().is_some_and(|(t, _)| t.intersects(present)))
            || (sender == Sender::Customer && self.reply.as_ref().is_some_and(|(to, _, _)| to.intersects(present)));
        hits || learns
    }

    /// The penalty as a person reads it: "6 pts", "¥200", "30% of order ≤ ¥500", "internal", "signal".
    pub fn penalty_label(&self) -> String {
        let d = &self.def;
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
}
