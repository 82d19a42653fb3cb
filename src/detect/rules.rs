//! Rule files: the TOML schema, loading and validation (clear errors naming the file and the rule).

use crate::model::{Sender, UnpaidReason};
use serde::Deserialize;

/// What a rule's hits are: violations (质检, the default) or signals (facts for the order figures, every matching
/// message). `intent` is refused with a pointer: the customer's intents are read by the intent lexicon
/// (`readers`, intents.toml), which weighs rival words (a return is not a refund) where a rule cannot.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    #[default]
    Violation,
    Intent,
    Signal,
}

/// Whose messages a rule reads.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Agent,
    Customer,
    Any,
}

impl Speaker {
    /// The sender a rule of this speaker reads, none for any.
    pub fn sender(self) -> Option<Sender> {
        match self {
            Speaker::Agent => Some(Sender::Agent),
            Speaker::Customer => Some(Sender::Customer),
            Speaker::Any => None,
        }
    }

    /// As written in a rule file.
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Agent => "agent",
            Speaker::Customer => "customer",
            Speaker::Any => "any",
        }
    }
}

/// How far back a rule looks for what it needs (`after`, `unless_asked`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    #[default]
    Session,
    Conversation,
}

/// Which agent message of a session a session rule checks.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SessionCheck {
    FirstAgentLacks,
    LastAgentLacks,
}

/// Hits a later stage finds instead of the text matching (`over_reminder`: from the 催付 reminders).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Computed {
    OverReminder,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub rule: Vec<RuleDef>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SequenceDef {
    pub groups: Vec<Vec<String>>,
    #[serde(default = "default_window")]
    pub window: usize,
    /// This sequence does not count in a message containing one of these terms.
    #[serde(default)]
    pub unless_message: Vec<String>,
}

fn default_window() -> usize {
    3
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AfterDef {
    pub terms: Vec<String>,
    pub speaker: Option<Speaker>,
    #[serde(default)]
    pub scope: Scope,
}

/// An answer to the customer: the agent's message opens with one of `terms` (可以的, 不行哦, 支持的) while the
/// customer's latest message said one of `to` (货到付款, 开成, 信用卡), asked or stated, and none of `except`
/// (能开到公司抬头吗 asks for no other amount).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReplyDef {
    pub to: Vec<String>,
    pub terms: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AskedDef {
    pub terms: Vec<String>,
    #[serde(default)]
    pub scope: Scope,
    /// A customer message holding one of these does not ask (订单怎么被取消了 is not 帮我取消).
    #[serde(default)]
    pub except: Vec<String>,
}

/// A rule's category: a label of the user's choosing (violations.csv's `category`), except `未付款原因`: the signal
/// rules that read an unpaid order's reason, each named with one of the reasons of `model::UnpaidReason`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "String")]
pub enum Category {
    UnpaidReason,
    Label(String),
}

impl Category {
    const UNPAID_REASON: &str = "未付款原因";

    pub fn as_str(&self) -> &str {
        match self {
            Category::UnpaidReason => Self::UNPAID_REASON,
            Category::Label(s) => s,
        }
    }
}

impl From<String> for Category {
    fn from(s: String) -> Category {
        if s == Category::UNPAID_REASON { Category::UnpaidReason } else { Category::Label(s) }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub name: String,
    pub category: Category,
    pub speaker: Speaker,
    #[serde(default)]
    pub kind: RuleKind,
    #[serde(default)]
    pub points: f64,
    #[serde(default)]
    pub money: f64,
    #[serde(default)]
    pub order_share: f64,
    pub money_cap: Option<f64>,
    #[serde(default)]
    pub terms: Vec<String>,
    #[serde(default)]
    pub sequences: Vec<SequenceDef>,
    #[serde(default)]
    pub regex: Vec<String>,
    #[serde(default)]
    pub unless_question: bool,
    #[serde(default)]
    pub unless_negated: bool,
    #[serde(default)]
    pub unless_after: Vec<String>,
    #[serde(default)]
    pub unless_clause: Vec<String>,
    #[serde(default)]
    pub unless_message: Vec<String>,
    pub after: Option<AfterDef>,
    pub unless_asked: Option<AskedDef>,
    pub reply: Option<ReplyDef>,
    pub session: Option<SessionCheck>,
    /// For a session rule: longer words its terms occur in that do not count (您好 in 您好好看看).
    #[serde(default)]
    pub unless_within: Vec<String>,
    /// For signals: how strongly the message states what the rule names (1 = a hint such as a question, 3 = a
    /// plain statement). Among unpaid reasons the strongest, then the latest, wins.
    pub strength: Option<u8>,
    /// Hits found by a later stage rather than by matching text.
    pub computed: Option<Computed>,
    /// For a rule of category 未付款原因: the reason its name stands for (set by `parse`).
    #[serde(skip)]
    pub reason: Option<UnpaidReason>,
}

fn empty_term(list: &[String]) -> bool {
    list.iter().any(|t| t.trim().is_empty())
}

impl RuleDef {
    /// Checks one rule; the error says what is wrong (the caller adds file and rule id).
    pub fn validate(&self) -> Result<(), String> {
        if self.id.trim().is_empty() || !self.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err("id must be non-empty letters, digits and _".into());
        }
        if self.kind == RuleKind::Intent {
            return Err(
                "kind = \"intent\" is no longer a rule: the intents (refund_intent, complaint_intent) are read \
                        by the intent lexicon intents.toml: `kefu rules --intents > intents.toml`, edit it and name it \
                        in kefu.toml under [rules]: intents = \"intents.toml\""
                    .into(),
            );
        }
        if self.strength.is_some() && !self.is_signal() {
            return Err("strength is for kind = \"signal\" rules".into());
        }
        for (v, what) in [(self.points, "points"), (self.money, "money"), (self.order_share, "order_share")] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("{what} must be a non-negative number"));
            }
        }
        if self.order_share > 1.0 {
            return Err("order_share is a share of the order amount, at most 1".into());
        }
        if !self.unless_within.is_empty() && self.session.is_none() {
            return Err("unless_within is for session rules".into());
        }
        if empty_term(&self.unless_within) {
            return Err("empty term".into());
        }
        if let Some(r) = &self.reply {
            if r.to.is_empty()
                || r.terms.is_empty()
                || empty_term(&r.to)
                || empty_term(&r.terms)
                || empty_term(&r.except)
            {
                return Err("reply needs terms and to".into());
            }
            if self.speaker != Speaker::Agent {
                return Err("reply is for agent rules (an answer to the customer)".into());
            }
        }
        if self.session.is_some() {
            if self.terms.is_empty() {
                return Err("a session rule needs terms".into());
            }
        } else if self.computed.is_some() {
            if !self.terms.is_empty() || !self.sequences.is_empty() || !self.regex.is_empty() {
                return Err("a computed rule has no terms, sequences or regex".into());
            }
        } else if self.terms.is_empty() && self.sequences.is_empty() && self.regex.is_empty() && self.reply.is_none() {
            return Err("the rule has no terms, sequences or regex: it can never match".into());
        }
        if empty_term(&self.terms)
            || empty_term(&self.unless_after)
            || empty_term(&self.unless_clause)
            || empty_term(&self.unless_message)
        {
            return Err("empty term".into());
        }
        for (i, s) in self.sequences.iter().enumerate() {
            if s.groups.len() < 2 {
                return Err(format!("sequence {} needs at least two groups", i + 1));
            }
            if s.groups.iter().any(|g| g.is_empty() || empty_term(g)) || empty_term(&s.unless_message) {
                return Err(format!("sequence {} has an empty group or term", i + 1));
            }
            if s.window == 0 {
                return Err(format!("sequence {} has window 0", i + 1));
            }
        }
        for r in &self.regex {
            if r.trim().is_empty() {
                return Err("empty regex".into());
            }
            if let Some(name) = r.strip_prefix('@') {
                if crate::mask::named(name).is_none() {
                    let names: Vec<&str> = crate::mask::NAMED.iter().map(|(n, _)| *n).collect();
                    return Err(format!("unknown named pattern '@{name}' (known: {})", names.join(", ")));
                }
            } else if let Err(e) = regex::Regex::new(r) {
                return Err(format!("bad regex '{r}': {e}"));
            }
        }
        if let Some(a) = &self.after
            && (a.terms.is_empty() || empty_term(&a.terms))
        {
            return Err("after needs terms".into());
        }
        if let Some(a) = &self.unless_asked {
            if a.terms.is_empty() || empty_term(&a.terms) || empty_term(&a.except) {
                return Err("unless_asked needs terms".into());
            }
            if a.scope != Scope::Session {
                return Err("unless_asked.scope must be session".into());
            }
        }
        Ok(())
    }

    /// A message signal: every matching message is reported (not once per session), and it is not a violation.
    pub fn is_signal(&self) -> bool {
        self.kind == RuleKind::Signal
    }
}

/// Parses and validates one rule file's text; errors name the file and the rule.
pub fn parse(text: &str, file: &str) -> Result<Vec<RuleDef>, String> {
    let mut f: RuleFile = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    for r in &mut f.rule {
        r.validate().map_err(|e| format!("{file}: rule '{}': {e}", r.id))?;
        if r.category == Category::UnpaidReason {
            let reason = UnpaidReason::from_label(&r.name).filter(|x| *x != UnpaidReason::Unknown);
            r.reason = Some(reason.ok_or_else(|| {
                let names: Vec<&str> = UnpaidReason::ALL[..UnpaidReason::ALL.len() - 1].iter().map(|x| x.1).collect();
                format!(
                    "{file}: rule '{}': a rule of category 未付款原因 is named with an unpaid reason ({}), not '{}'",
                    r.id,
                    names.join(", "),
                    r.name
                )
            })?);
        }
    }
    Ok(f.rule)
}

pub(crate) const DEFAULT_RULES: &str = include_str!("default_rules.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_cover_the_spec() {
        let rules = parse(DEFAULT_RULES, "default").unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        for id in [
            "invoice_refusal",
            "invoice_mismatch",
            "free_shipping_breach",
            "credit_card_refusal",
            "cod_promise",
            "privacy_leak",
            "order_close",
            "install_refusal",
            "ship_date_promise",
            "offsite_contact",
            "offline_store",
            "banned_words",
            "negative_language",
            "no_greeting",
            "no_closing",
        ] {
            assert!(ids.contains(&id), "{id} missing");
        }
    }

    #[test]
    fn a_reason_rule_is_named_with_an_unpaid_reason() {
        let defaults = parse(DEFAULT_RULES, "default").unwrap();
        let reasons: Vec<_> = defaults.iter().filter(|r| r.category == Category::UnpaidReason).collect();
        assert!(reasons.len() >= 14 && reasons.iter().all(|r| r.reason.is_some()));
        assert!(defaults.iter().filter(|r| r.category != Category::UnpaidReason).all(|r| r.reason.is_none()));
        let rule = |name: &str| {
            format!(
                "[[rule]]\nid = \"r1\"\nname = \"{name}\"\ncategory = \"未付款原因\"\nspeaker = \"customer\"\nkind = \"signal\"\nterms = [\"x\"]"
            )
        };
        assert_eq!(parse(&rule("运费"), "f").unwrap()[0].reason, Some(UnpaidReason::Shipping));
        for bad in ["运 费", "未知"] {
            let e = parse(&rule(bad), "mine.toml").unwrap_err();
            assert!(e.contains("mine.toml: rule 'r1'") && e.contains("忘记付款, 资金不足") && e.contains(bad), "{e}");
        }
        let other = parse(&rule("x").replace("未付款原因", "服务规范"), "f").unwrap();
        assert_eq!(other[0].category, Category::Label("服务规范".into()));
        assert_eq!(other[0].category.as_str(), "服务规范");
    }

    #[test]
    fn errors_name_file_rule_and_problem() {
        let bad = |body: &str| {
            parse(
                &format!("[[rule]]\nid = \"r1\"\nname = \"n\"\ncategory = \"c\"\nspeaker = \"agent\"\n{body}"),
                "mine.toml",
            )
            .unwrap_err()
        };
        let e = bad("terms = [\"x\"]\nsevere = true");
        assert!(e.contains("mine.toml") && e.contains("severe"), "{e}");
        let e = bad("terms = [\"\"]");
        assert!(e.contains("rule 'r1'") && e.contains("empty term"), "{e}");
        assert!(bad("regex = [\"(unclosed\"]").contains("bad regex"));
        assert!(bad("regex = [\"@passport\"]").contains("unknown named pattern"));
        assert!(bad("").contains("can never match"));
        assert!(bad("terms = [\"x\"]\nspeaker2 = 1").contains("speaker2"));
        assert!(bad("sequences = [{ groups = [[\"a\"]] }]").contains("two groups"));
        let e =
            parse("[[rule]]\nid = \"r1\"\nname = \"n\"\ncategory = \"c\"\nspeaker = \"boss\"\nterms = [\"x\"]", "f")
                .unwrap_err();
        assert!(e.contains("f:") && e.contains("boss") && e.contains("`agent`, `customer`, `any`"), "{e}");
        let e = bad("terms = [\"x\"]\nkind = \"warning\"");
        assert!(
            e.contains("mine.toml") && e.contains("warning") && e.contains("`violation`, `intent`, `signal`"),
            "{e}"
        );
    }
}
