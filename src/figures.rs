//! The figure registry: `src/figures.toml`, read once. For each figure column of the reports it gives the Chinese
//! name, the format, whether it is a headline card, and the sentence that defines it. The page (cards, number
//! formats, 指标定义) and report.xlsx (核心指标, cell formats) read these instead of restating them, so a new figure
//! is its SQL plus one entry here.
//!
//! Guarantees (tested): the file parses, every entry is well formed (a card has a column, a number format and a
//! definition; an entry without a column is a term with a definition), no column is registered twice, and every
//! numeric column of the default reports is registered.

use serde::Deserialize;
use std::sync::OnceLock;

/// How a figure's number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Count,
    /// A share: a percentage on the page and in the workbook, a decimal in the CSV.
    Rate,
    Secs,
    Hours,
    /// Yuan.
    Money,
    Decimal,
    /// 0–100.
    Score,
    Text,
}

/// One entry of the registry (see the head of `src/figures.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub column: Option<String>,
    pub zh: String,
    pub format: Option<Format>,
    #[serde(default)]
    pub card: bool,
    pub def: Option<String>,
    pub term: Option<String>,
    pub note: Option<String>,
}

impl Figure {
    /// The term the page's 指标定义 shows.
    pub fn term(&self) -> &str {
        self.term.as_deref().unwrap_or(&self.zh)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    figure: Vec<Figure>,
}

/// The registry's text, compiled in.
pub(crate) const SOURCE: &str = include_str!("figures.toml");

/// Parses a registry text (the compiled-in one is `all()`).
pub fn parse(text: &str) -> Result<Vec<Figure>, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    for (i, f) in file.figure.iter().enumerate() {
        let at = || format!("figure {} ({})", i + 1, f.column.as_deref().unwrap_or(&f.zh));
        match &f.column {
            None if f.def.is_none() || f.card || f.format.is_some() => {
                return Err(format!("{}: an entry without a column is a term, with a def only", at()));
            }
            Some(_) if f.format.is_none() => return Err(format!("{}: no format", at())),
            Some(c) if file.figure[..i].iter().any(|g| g.column.as_ref() == Some(c)) => {
                return Err(format!("{}: registered twice", at()));
            }
            _ => {}
        }
        if f.card && (f.def.is_none() || f.format == Some(Format::Text)) {
            return Err(format!("{}: a card needs a number format and a def", at()));
        }
    }
    Ok(file.figure)
}

/// Every entry, in the file's order.
pub fn all() -> &'static [Figure] {
    static ALL: OnceLock<Vec<Figure>> = OnceLock::new();
    ALL.get_or_init(|| parse(SOURCE).unwrap_or_else(|e| panic!("src/figures.toml: {e}")))
}

/// The entry of a column.
pub fn get(column: &str) -> Option<&'static Figure> {
    all().iter().find(|f| f.column.as_deref() == Some(column))
}

/// Whether a column holds a share (a percentage on the page and in the workbook). A column the registry does not
/// know (a user's query) is a share when its name ends in `_rate` or `share`.
pub(crate) fn is_rate(column: &str) -> bool {
    match get(column).and_then(|f| f.format) {
        Some(f) => f == Format::Rate,
        None => column.ends_with("_rate") || column.ends_with("share"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_parses_and_is_well_formed() {
        let all = all();
        assert!(all.iter().filter(|f| f.card).count() >= 10);
        assert_eq!(get("within_target_rate").and_then(|f| f.format), Some(Format::Rate));
        assert!(is_rate("silent_share") && !is_rate("score") && !is_rate("within_target_rate_delta"));
        assert!(is_rate("my_rate"), "an unknown column falls back to its name");
    }

    #[test]
    fn malformed_entries_are_refused_with_where() {
        let twice =
            "[[figure]]\ncolumn='a'\nzh='甲'\nformat='count'\n[[figure]]\ncolumn='a'\nzh='乙'\nformat='count'\n";
        assert!(parse(twice).unwrap_err().contains("figure 2 (a): registered twice"));
        let card = "[[figure]]\ncolumn='a'\nzh='甲'\nformat='count'\ncard=true\n";
        assert!(parse(card).unwrap_err().contains("a card needs"));
        let bad = "[[figure]]\ncolumn='a'\nzh='甲'\nformat='percent'\n";
        assert!(parse(bad).unwrap_err().contains("unknown variant `percent`"));
        let term = "[[figure]]\nzh='甲'\n";
        assert!(parse(term).unwrap_err().contains("a term, with a def only"));
    }
}
