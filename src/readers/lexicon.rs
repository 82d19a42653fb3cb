//! Lexicon files: the TOML a user edits (categories, their weighted terms, the weights of speakers and of the
//! opening), parsed and checked at the edge. `topics.toml` is one lexicon; `intents.toml` holds one lexicon per
//! intent, under the intent's id (`[refund_intent]`, `[complaint_intent]`).

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
        };
        Ok((lexicon, terms))
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
    pub(super) fn factor(&self, customer: bool, opening: bool) -> f32 {
        match (customer, opening) {
            (false, _) => self.agent_weight,
            (true, true) => self.opening_weight,
            (true, false) => 1.0,
        }
    }
}
