//! Rule files: the TOML schema, loading and validation (clear errors naming the file and the rule).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
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
    pub speaker: Option<String>,
    #[serde(default = "default_scope")]
    pub scope: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AskedDef {
    pub terms: Vec<String>,
    #[serde(default = "default_scope")]
    pub scope: String,
}

fn default_scope() -> String {
    "session".into()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub name: String,
    pub category: String,
    pub speaker: String,
    #[serde(default)]
    pub kind: Option<String>,
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
    pub session: Option<String>,
    /// For signals: how strongly the message states what the rule names (1 = a hint such as a question, 3 = a
    /// plain statement). Among unpaid reasons the strongest, then the latest, wins.
    pub strength: Option<u8>,
    /// Hits found by a later stage rather than by matching text (`over_reminder`: from the 催付 reminders).
    pub computed: Option<String>,
}

pub const SPEAKERS: &[&str] = &["agent", "customer", "any"];
pub const SCOPES: &[&str] = &["session", "conversation"];
pub const SESSION_CHECKS: &[&str] = &["first_agent_lacks", "last_agent_lacks"];
pub const COMPUTED: &[&str] = &["over_reminder"];

fn empty_term(list: &[String]) -> bool {
    list.iter().any(|t| t.trim().is_empty())
}

impl RuleDef {
    /// Checks one rule; the error says what is wrong (the caller adds file and rule id).
    pub fn validate(&self) -> Result<(), String> {
        if self.id.trim().is_empty() || !self.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err("id must be non-empty letters, digits and _".into());
        }
        if !SPEAKERS.contains(&self.speaker.as_str()) {
            return Err(format!("speaker '{}' is not one of {}", self.speaker, SPEAKERS.join(", ")));
        }
        if let Some(k) = &self.kind
            && !["violation", "intent", "signal"].contains(&k.as_str())
        {
            return Err(format!("kind '{k}' is not violation, intent or signal"));
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
        if let Some(s) = &self.session {
            if !SESSION_CHECKS.contains(&s.as_str()) {
                return Err(format!("session '{s}' is not one of {}", SESSION_CHECKS.join(", ")));
            }
            if self.terms.is_empty() {
                return Err("a session rule needs terms".into());
            }
        } else if let Some(c) = &self.computed {
            if !COMPUTED.contains(&c.as_str()) {
                return Err(format!("computed '{c}' is not one of {}", COMPUTED.join(", ")));
            }
            if !self.terms.is_empty() || !self.sequences.is_empty() || !self.regex.is_empty() {
                return Err("a computed rule has no terms, sequences or regex".into());
            }
        } else if self.terms.is_empty() && self.sequences.is_empty() && self.regex.is_empty() {
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
        if let Some(a) = &self.after {
            if a.terms.is_empty() || empty_term(&a.terms) {
                return Err("after needs terms".into());
            }
            if let Some(sp) = &a.speaker
                && !SPEAKERS.contains(&sp.as_str())
            {
                return Err(format!("after.speaker '{sp}' is not one of {}", SPEAKERS.join(", ")));
            }
            if !SCOPES.contains(&a.scope.as_str()) {
                return Err(format!("after.scope '{}' is not session or conversation", a.scope));
            }
        }
        if let Some(a) = &self.unless_asked {
            if a.terms.is_empty() || empty_term(&a.terms) {
                return Err("unless_asked needs terms".into());
            }
            if a.scope != "session" {
                return Err("unless_asked.scope must be session".into());
            }
        }
        Ok(())
    }

    pub fn is_intent(&self) -> bool {
        self.kind.as_deref() == Some("intent")
    }

    /// A message signal: every matching message is reported (not once per session), and it is not a violation.
    pub fn is_signal(&self) -> bool {
        self.kind.as_deref() == Some("signal")
    }
}

/// Parses and validates one rule file's text; errors name the file and the rule.
pub fn parse(text: &str, file: &str) -> Result<Vec<RuleDef>, String> {
    let f: RuleFile = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    for r in &f.rule {
        r.validate().map_err(|e| format!("{file}: rule '{}': {e}", r.id))?;
    }
    Ok(f.rule)
}

pub const DEFAULT_RULES: &str = include_str!("default_rules.toml");

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
        assert!(e.contains("speaker 'boss'"), "{e}");
    }
}
