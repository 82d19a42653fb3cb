//! Lexicon files: the TOML a user edits (categories, their weighted terms, the weights of speakers and of the
//! opening), parsed and checked at the edge. `topics.toml` is one lexicon; `intents.toml` holds one lexicon per
//! intent, under the intent's id (`[refund_intent]`, `[complaint_intent]`); `reasons.toml` is one lexicon whose
//! categories are unpaid-reason categories of SPEC §3 and which alone weighs messages by their nearness to the
//! order (`half_life_messages`) and the reason rules' hits (`stated_weight`).

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LexiconFile {
    default: String,
    min_score: f32,
    #[serde(default = "one")]
    agent_weight: f32,
    #[serde(default = "one")]
    opening_weight: f32,
    #[serde(default)]
    negation: bool,
    /// The message this many clue-bearing messages back from the order (or from a lost customer's last words)
    /// counts half (reasons only).
    #[serde(default)]
    half_life_messages: Option<f32>,
    /// A reason rule's hit adds its strength × this (reasons only).
    #[serde(default)]
    stated_weight: Option<f32>,
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

/// The intents file: one lexicon per intent of sessions.csv.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IntentsFile {
    pub refund_intent: LexiconFile,
    pub complaint_intent: LexiconFile,
}

/// One lexicon, checked: its categories and how its evidence is weighed (the terms live in [`super::Readers`]).
#[derive(Debug)]
pub struct Lexicon {
    pub(super) categories: Vec<String>,
    /// Each category's `about`: what it covers, for the page's definitions.
    abouts: Vec<String>,
    default: String,
    pub(super) min_score: f32,
    agent_weight: f32,
    opening_weight: f32,
    pub(super) negation: bool,
    pub(super) stated_weight: Option<f32>,
    pub(super) half_life_messages: Option<f32>,
}

/// A term of a lexicon: its text, category and weight.
pub(super) struct TermDef {
    pub word: String,
    pub category: u8,
    pub weight: f32,
}

impl Lexicon {
    /// Checks a parsed lexicon; its terms, in file order. `origin` names it in errors.
    pub(super) fn check(f: LexiconFile, origin: &str) -> Result<(Lexicon, Vec<TermDef>), String> {
        if f.category.is_empty() || f.category.len() > 64 {
            return Err(format!("{origin}: a lexicon needs 1 to 64 categories"));
        }
        for (what, v) in
            [("min_score", f.min_score), ("agent_weight", f.agent_weight), ("opening_weight", f.opening_weight)]
        {
            if v.is_nan() || v < 0.0 || (what == "min_score" && v == 0.0) {
                return Err(format!("{origin}: {what} must be above 0"));
            }
        }
        for (what, v) in [("half_life_messages", f.half_life_messages), ("stated_weight", f.stated_weight)] {
            if v.is_some_and(|h| h.is_nan() || h <= 0.0) {
                return Err(format!("{origin}: {what} must be above 0"));
            }
        }
        let mut terms: Vec<TermDef> = Vec::new();
        for (ci, c) in f.category.iter().enumerate() {
            if c.name.trim().is_empty() || c.name == f.default {
                return Err(format!("{origin}: category '{}' needs a name other than the default", c.name));
            }
            if f.category[..ci].iter().any(|d| d.name == c.name) {
                return Err(format!("{origin}: category '{}' is listed twice", c.name));
            }
            for g in &c.terms {
                if g.weight.is_nan() || g.weight <= 0.0 {
                    return Err(format!("{origin}: category '{}' has a weight that is not above 0", c.name));
                }
                for w in &g.words {
                    let w = w.trim();
                    if w.is_empty() {
                        continue;
                    }
                    if let Some(t) = terms.iter().find(|t| t.word == w) {
                        return Err(format!(
                            "{origin}: '{w}' is a term of both {} and {}",
                            f.category[t.category as usize].name, c.name
                        ));
                    }
                    terms.push(TermDef { word: w.to_string(), category: ci as u8, weight: g.weight });
                }
            }
        }
        let lexicon = Lexicon {
            categories: f.category.iter().map(|c| c.name.clone()).collect(),
            abouts: f.category.iter().map(|c| c.about.clone()).collect(),
            default: f.default,
            min_score: f.min_score,
            agent_weight: f.agent_weight,
            opening_weight: f.opening_weight,
            negation: f.negation,
            stated_weight: f.stated_weight,
            half_life_messages: f.half_life_messages,
        };
        Ok((lexicon, terms))
    }

    /// `check`, for the reasons lexicon: its default is 未知 and each category an unpaid-reason category (SPEC §3);
    /// the categories it does not list follow, without terms (the reason rules may still name them).
    pub(super) fn check_reasons(mut f: LexiconFile, origin: &str) -> Result<(Lexicon, Vec<TermDef>), String> {
        use crate::model::UnpaidReason;
        let unknown = UnpaidReason::Unknown.label();
        if f.default != unknown {
            return Err(format!("{origin}: the default of the reasons lexicon is {unknown}"));
        }
        if let Some(c) = f.category.iter().find(|c| UnpaidReason::from_label(&c.name).is_none()) {
            return Err(format!("{origin}: '{}' is not an unpaid-reason category of SPEC §3", c.name));
        }
        for (_, label) in UnpaidReason::ALL.iter().filter(|(r, _)| *r != UnpaidReason::Unknown) {
            if !f.category.iter().any(|c| c.name == *label) {
                f.category.push(CategoryDef { name: label.to_string(), about: String::new(), terms: Vec::new() });
            }
        }
        Lexicon::check(f, origin)
    }

    /// The factor of a message that is `rank` messages with clues back from the order (0: at or after it):
    /// halved every `half_life_messages` (0.5 ^ (rank / half life)); 1 without a half life.
    pub fn nearness(&self, rank: u32) -> f32 {
        match self.half_life_messages {
            Some(h) => 0.5f32.powf(rank as f32 / h),
            None => 1.0,
        }
    }

    /// What a reason rule's strength is multiplied by in the tally (1 unless the lexicon says).
    pub fn stated_weight(&self) -> f32 {
        self.stated_weight.unwrap_or(1.0)
    }

    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// What category `c` covers, as its lexicon says.
    pub fn about(&self, c: usize) -> &str {
        &self.abouts[c]
    }

    /// The least total a reading needs; below it, the default.
    pub fn min_score(&self) -> f32 {
        self.min_score
    }

    /// The category a reading gives when the evidence is thin.
    pub fn default_label(&self) -> &str {
        &self.default
    }

    /// The name of a reading's category (the default for None).
    pub fn label(&self, r: &super::Reading) -> &str {
        r.category.map_or(self.default.as_str(), |c| self.categories[c as usize].as_str())
    }

    /// The weight factor of a message: by speaker and whether it opens the session.
    pub fn factor(&self, customer: bool, opening: bool) -> f32 {
        match (customer, opening) {
            (false, _) => self.agent_weight,
            (true, true) => self.opening_weight,
            (true, false) => 1.0,
        }
    }
}
