//! `kefu measure`: how well the text readers agree with a labelled folder — accuracy, recall and precision per
//! category, and the most frequent confusions — so a change to a lexicon is judged on real words, not by feel.
//!
//! A labelled folder is an ordinary input folder plus one or more label files (every one optional):
//! - `expected_topics.csv`: `conversation_id, topic` (optionally `session_no`): the session topic (SPEC §3);
//! - `expected_intents.csv`: `conversation_id` and a 0/1 column `refund` and/or `complaint`;
//! - `expected.csv` or `expected_unpaid.csv`: `order_id, reason`: the unpaid reason of each listed order;
//! - `truth/intents.csv`, `truth/unpaid.csv`: the planted truth `kefu gen` writes (intents there list only the
//!   positive sessions; every other session is a negative); `truth/topics.csv` in the form of expected_topics.csv
//!   (with `session_no`); rows of truth/unpaid.csv without a reason (orders reminded, then paid) are skipped;
//! - `expected_violations.csv` or `truth/violations.csv`: `conversation_id, rule_id` and optionally `timestamp`
//!   (`YYYY-MM-DD HH:MM:SS`): every violation of the 质检 rules (SPEC §5) the folder holds; anything else the
//!   rules find is a false positive. With `timestamp` a violation is one message (the hit must be on it), without
//!   it one conversation. Precision and recall per rule; every rule of the labels or of the findings is listed.
//!
//! A label without `session_no` speaks of the whole conversation: its topic is that of the conversation's first
//! session, and an intent is found when any of its sessions carries it. The scoring here is pure
//! (`score_categories`, `score_binary`); `measure` only reads the files and asks the pipeline for its reading.

use crate::error::{KefuError, Result};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

/// One labelled item: what the label says and what kefu read.
pub type Pair = (String, String);

/// A multi-class reader against its labels.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryScore {
    pub task: String,
    pub items: usize,
    pub correct: usize,
    /// Per category of the labels or of the readings: (category, labelled, found of those, read as it, right).
    pub categories: Vec<CategoryRow>,
    /// (label, reading, count), most frequent first, only disagreements.
    pub confusions: Vec<(String, String, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRow {
    pub category: String,
    /// Items labelled with the category.
    pub labelled: usize,
    /// Items read as the category.
    pub read: usize,
    /// Items both labelled and read as the category.
    pub right: usize,
}

impl CategoryRow {
    pub fn recall(&self) -> Option<f64> {
        ratio(self.right, self.labelled)
    }
    pub fn precision(&self) -> Option<f64> {
        ratio(self.right, self.read)
    }
}

impl CategoryScore {
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.correct, self.items)
    }
    pub fn category(&self, name: &str) -> Option<&CategoryRow> {
        self.categories.iter().find(|c| c.category == name)
    }
}

/// A yes/no reader (an intent) against its labels.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryScore {
    pub task: String,
    pub positives: usize,
    pub found: usize,
    pub negatives: usize,
    pub flagged: usize,
}

impl BinaryScore {
    /// Positives found ÷ positives.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.found, self.positives)
    }
    /// Negatives flagged ÷ negatives.
    pub fn false_positive_rate(&self) -> Option<f64> {
        ratio(self.flagged, self.negatives)
    }
    pub fn precision(&self) -> Option<f64> {
        ratio(self.found, self.found + self.flagged)
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Accuracy, per-category counts and confusions of `pairs` (label, reading).
pub fn score_categories(task: &str, pairs: &[Pair]) -> CategoryScore {
    let mut rows: BTreeMap<&str, CategoryRow> = BTreeMap::new();
    let mut conf: HashMap<(&str, &str), usize> = HashMap::new();
    for (label, read) in pairs {
        rows.entry(label).or_insert_with(|| CategoryRow::new(label)).labelled += 1;
        rows.entry(read).or_insert_with(|| CategoryRow::new(read)).read += 1;
        if label == read {
            rows.get_mut(label.as_str()).expect("inserted above").right += 1;
        } else {
            *conf.entry((label, read)).or_default() += 1;
        }
    }
    let mut confusions: Vec<(String, String, usize)> =
        conf.into_iter().map(|((a, b), n)| (a.to_string(), b.to_string(), n)).collect();
    confusions.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    let mut categories: Vec<CategoryRow> = rows.into_values().collect();
    categories.sort_by(|a, b| b.labelled.cmp(&a.labelled).then_with(|| a.category.cmp(&b.category)));
    CategoryScore {
        task: task.to_string(),
        items: pairs.len(),
        correct: pairs.iter().filter(|(a, b)| a == b).count(),
        categories,
        confusions,
    }
}

impl CategoryRow {
    fn new(c: &str) -> CategoryRow {
        CategoryRow { category: c.to_string(), labelled: 0, read: 0, right: 0 }
    }
}

/// Recall and flag rate of `pairs` (label, reading).
pub fn score_binary(task: &str, pairs: &[(bool, bool)]) -> BinaryScore {
    let count = |l: bool, r: bool| pairs.iter().filter(|p| **p == (l, r)).count();
    BinaryScore {
        task: task.to_string(),
        positives: count(true, true) + count(true, false),
        found: count(true, true),
        negatives: count(false, true) + count(false, false),
        flagged: count(false, true),
    }
}

/// Everything measured on one folder.
#[derive(Debug, Clone, Default)]
pub struct Measurement {
    pub categories: Vec<CategoryScore>,
    pub binary: Vec<BinaryScore>,
    /// Per rule id of the violation labels: labelled, found (`read`) and right.
    pub rules: Vec<CategoryRow>,
}

impl Measurement {
    pub fn categories(&self, task: &str) -> Option<&CategoryScore> {
        self.categories.iter().find(|c| c.task == task)
    }
    pub fn binary(&self, task: &str) -> Option<&BinaryScore> {
        self.binary.iter().find(|c| c.task == task)
    }
    pub fn rule(&self, id: &str) -> Option<&CategoryRow> {
        self.rules.iter().find(|c| c.category == id)
    }
}

/// Per rule, the labelled violations against the found ones (each a key: conversation, and the message's time
/// when the labels give it), by rule id.
pub fn score_rules(labelled: &[(String, String)], found: &[(String, String)]) -> Vec<CategoryRow> {
    use std::collections::HashSet;
    let truth: HashSet<&(String, String)> = labelled.iter().collect();
    let got: HashSet<&(String, String)> = found.iter().collect();
    let mut rows: BTreeMap<&str, CategoryRow> = BTreeMap::new();
    for (_, rule) in &truth {
        rows.entry(rule).or_insert_with(|| CategoryRow::new(rule)).labelled += 1;
    }
    for k in &got {
        let row = rows.entry(&k.1).or_insert_with(|| CategoryRow::new(&k.1));
        row.read += 1;
        row.right += usize::from(truth.contains(k));
    }
    rows.into_values().collect()
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{:.2}", x))
}

impl fmt::Display for Measurement {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for c in &self.categories {
            writeln!(f, "{}: accuracy {} ({} of {})", c.task, pct(c.accuracy()), c.correct, c.items)?;
            writeln!(f, "  {:<14} {:>8} {:>7} {:>6} {:>9}", "category", "labelled", "recall", "read", "precision")?;
            for r in &c.categories {
                let pad = 14usize.saturating_sub(crate::progress::display_width(&r.category));
                writeln!(
                    f,
                    "  {}{} {:>8} {:>7} {:>6} {:>9}",
                    r.category,
                    " ".repeat(pad),
                    r.labelled,
                    pct(r.recall()),
                    r.read,
                    pct(r.precision())
                )?;
            }
            if !c.confusions.is_empty() {
                writeln!(f, "  top confusions (label → read):")?;
                for (a, b, n) in c.confusions.iter().take(8) {
                    writeln!(f, "    {a} → {b}: {n}")?;
                }
            }
        }
        if !self.rules.is_empty() {
            writeln!(f, "rules: per violation")?;
            writeln!(f, "  {:<22} {:>8} {:>7} {:>6} {:>9}", "rule", "labelled", "recall", "found", "precision")?;
            for r in &self.rules {
                writeln!(
                    f,
                    "  {:<22} {:>8} {:>7} {:>6} {:>9}",
                    r.category,
                    r.labelled,
                    pct(r.recall()),
                    r.read,
                    pct(r.precision())
                )?;
            }
        }
        for b in &self.binary {
            writeln!(
                f,
                "{}: recall {} ({} of {}), flags {} of the others ({} of {}), precision {}",
                b.task,
                pct(b.recall()),
                b.found,
                b.positives,
                pct(b.false_positive_rate()),
                b.flagged,
                b.negatives,
                pct(b.precision())
            )?;
        }
        Ok(())
    }
}

/// The label files of `dir` measured against kefu's reading of the folder (see the module header).
pub fn measure(dir: &Path, settings: &crate::Settings) -> Result<Measurement> {
    let topics = first_file(dir, &["expected_topics.csv", "truth/topics.csv"]);
    let intents = first_file(dir, &["expected_intents.csv", "truth/intents.csv"]);
    let unpaid = first_file(dir, &["expected.csv", "expected_unpaid.csv", "truth/unpaid.csv"]);
    let violations = first_file(dir, &["expected_violations.csv", "truth/violations.csv"]);
    if topics.is_none() && intents.is_none() && unpaid.is_none() && violations.is_none() {
        return Err(KefuError::input(
            dir,
            "no label file (expected_topics.csv, expected_intents.csv, expected.csv, expected_violations.csv, \
             truth/…)"
                .to_string(),
        ));
    }
    let sessions_sql = "SELECT conversation_id, session_no, topic, refund_intent, complaint_intent FROM sessions";
    let unpaid_sql = "SELECT order_id, reason FROM unpaid";
    let violations_sql = "SELECT session_id, timestamp, rule_id FROM violations";
    let frames = crate::pipeline::query_derived(dir, settings, &[sessions_sql, unpaid_sql, violations_sql])?;
    let sessions = Sessions::from_frame(&frames[0])?;
    let mut m = Measurement::default();
    if let Some(path) = topics {
        let rows = read_labels(&path)?;
        let mut pairs = Vec::new();
        for r in &rows {
            let (Some(conv), Some(topic)) = (r.get("conversation_id"), r.get("topic")) else {
                return Err(bad(&path, "needs the columns conversation_id and topic"));
            };
            let no = r.get("session_no").map(|s| s.parse::<u32>()).transpose().map_err(|_| bad(&path, "session_no"))?;
            let read = sessions.of(conv, no).first().map_or("(no session)".to_string(), |s| s.topic.clone());
            pairs.push((topic.clone(), read));
        }
        m.categories.push(score_categories("topic", &pairs));
    }
    if let Some(path) = intents {
        let rows = read_labels(&path)?;
        for (intent, column) in [("refund_intent", "refund"), ("complaint_intent", "complaint")] {
            let pairs: Vec<(bool, bool)> = if rows.first().is_some_and(|r| r.contains_key("intent")) {
                // The planted truth: the positive sessions only; every session is labelled.
                let positive: std::collections::HashSet<(String, u32)> = rows
                    .iter()
                    .filter(|r| r.get("intent").is_some_and(|i| i == intent))
                    .filter_map(|r| Some((r.get("conversation_id")?.clone(), r.get("session_no")?.parse().ok()?)))
                    .collect();
                if positive.is_empty() {
                    continue;
                }
                sessions.rows.iter().map(|s| (positive.contains(&(s.conv.clone(), s.no)), s.intent(intent))).collect()
            } else {
                if !rows.first().is_some_and(|r| r.contains_key(column)) {
                    continue;
                }
                rows.iter()
                    .map(|r| {
                        let conv = r.get("conversation_id").map_or("", |s| s.as_str());
                        let label = r.get(column).is_some_and(|v| v == "1" || v == "true");
                        (label, sessions.of(conv, None).iter().any(|s| s.intent(intent)))
                    })
                    .collect()
            };
            m.binary.push(score_binary(intent, &pairs));
        }
    }
    if let Some(path) = unpaid {
        let rows = read_labels(&path)?;
        let df = &frames[1];
        let read: HashMap<String, String> = strings(df, "order_id")?.into_iter().zip(strings(df, "reason")?).collect();
        let mut pairs = Vec::new();
        for r in &rows {
            let (Some(order), Some(reason)) = (r.get("order_id"), r.get("reason")) else {
                return Err(bad(&path, "needs the columns order_id and reason"));
            };
            if reason.is_empty() {
                // kefu gen's truth/unpaid.csv also lists orders reminded and then paid: no reason to read.
                continue;
            }
            pairs.push((reason.clone(), read.get(order).cloned().unwrap_or_else(|| "(paid or absent)".into())));
        }
        m.categories.push(score_categories("unpaid_reason", &pairs));
    }
    if let Some(path) = violations {
        let rows = read_labels(&path)?;
        let timed = rows.first().is_some_and(|r| r.contains_key("timestamp"));
        let key = |conv: &str, ts: &str| if timed { format!("{conv} {ts}") } else { conv.to_string() };
        let mut labelled = Vec::new();
        for r in &rows {
            let (Some(conv), Some(rule)) = (r.get("conversation_id"), r.get("rule_id")) else {
                return Err(bad(&path, "needs the columns conversation_id and rule_id"));
            };
            labelled.push((key(conv, r.get("timestamp").map_or("", |t| t.as_str())), rule.clone()));
        }
        let df = &frames[2];
        let (sid, ts, rule) = (strings(df, "session_id")?, strings(df, "timestamp")?, strings(df, "rule_id")?);
        let found: Vec<(String, String)> = (0..sid.len())
            .map(|i| {
                let conv = sid[i].rsplit_once('#').map_or(sid[i].as_str(), |(c, _)| c);
                // Seconds are the labels' precision (a datetime column prints its fraction).
                (key(conv, ts[i].get(..19).unwrap_or(&ts[i])), rule[i].clone())
            })
            .collect();
        m.rules = score_rules(&labelled, &found);
    }
    Ok(m)
}

fn first_file(dir: &Path, names: &[&str]) -> Option<std::path::PathBuf> {
    names.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

fn bad(path: &Path, what: &str) -> KefuError {
    KefuError::input(path, format!("label file: {what}"))
}

/// A label file as rows of column → value.
fn read_labels(path: &Path) -> Result<Vec<HashMap<String, String>>> {
    let mut r = csv::Reader::from_path(path).map_err(|e| KefuError::input(path, e.to_string()))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| KefuError::input(path, e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| KefuError::input(path, e.to_string()))?;
        rows.push(header.iter().cloned().zip(rec.iter().map(|v| v.trim().to_string())).collect());
    }
    Ok(rows)
}

/// A column of `df` as text (null as "").
fn strings(df: &polars::prelude::DataFrame, name: &str) -> Result<Vec<String>> {
    use polars::prelude::DataType;
    let err = |e: polars::error::PolarsError| KefuError::Usage(format!("measure: column {name}: {e}"));
    let c = df.column(name).map_err(err)?.cast(&DataType::String).map_err(err)?;
    Ok(c.str().map_err(err)?.iter().map(|v| v.unwrap_or("").to_string()).collect())
}

struct SessionRow {
    conv: String,
    no: u32,
    topic: String,
    refund: bool,
    complaint: bool,
}

impl SessionRow {
    fn intent(&self, id: &str) -> bool {
        if id == "refund_intent" { self.refund } else { self.complaint }
    }
}

/// kefu's sessions, findable by conversation in session order.
struct Sessions {
    rows: Vec<SessionRow>,
    by_conv: HashMap<String, Vec<usize>>,
}

impl Sessions {
    fn from_frame(df: &polars::prelude::DataFrame) -> Result<Sessions> {
        let (conv, no, topic) = (strings(df, "conversation_id")?, strings(df, "session_no")?, strings(df, "topic")?);
        let (refund, complaint) = (strings(df, "refund_intent")?, strings(df, "complaint_intent")?);
        let mut rows: Vec<SessionRow> = (0..conv.len())
            .map(|i| SessionRow {
                conv: conv[i].clone(),
                no: no[i].parse().unwrap_or(0),
                topic: topic[i].clone(),
                refund: refund[i] == "true",
                complaint: complaint[i] == "true",
            })
            .collect();
        rows.sort_by(|a, b| (&a.conv, a.no).cmp(&(&b.conv, b.no)));
        let mut by_conv: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            by_conv.entry(r.conv.clone()).or_default().push(i);
        }
        Ok(Sessions { rows, by_conv })
    }

    /// The sessions of a conversation (only session `no` when given).
    fn of(&self, conv: &str, no: Option<u32>) -> Vec<&SessionRow> {
        self.by_conv
            .get(conv)
            .map(|ix| ix.iter().map(|&i| &self.rows[i]).filter(|s| no.is_none_or(|n| s.no == n)).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<Pair> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn categories_are_scored_by_hand() {
        // 发票 ×3 (2 right, 1 read 其他), 物流 ×2 (1 right, 1 read 发票), plus one 其他 read as 物流.
        let p = pairs(&[
            ("发票", "发票"),
            ("发票", "发票"),
            ("发票", "其他"),
            ("物流", "物流"),
            ("物流", "发票"),
            ("其他", "物流"),
        ]);
        let s = score_categories("topic", &p);
        assert_eq!((s.items, s.correct), (6, 3));
        assert_eq!(s.accuracy(), Some(0.5));
        let f = s.category("发票").unwrap();
        assert_eq!((f.labelled, f.read, f.right), (3, 3, 2));
        let w = s.category("物流").unwrap();
        assert_eq!((w.recall(), w.precision()), (Some(0.5), Some(0.5)));
        assert_eq!(s.category("其他").unwrap().recall(), Some(0.0));
        // Most labelled first; each confusion once here, then by name.
        assert_eq!(s.categories.iter().map(|c| c.category.as_str()).collect::<Vec<_>>(), ["发票", "物流", "其他"]);
        assert_eq!(s.confusions.len(), 3);
        assert!(s.confusions.iter().all(|c| c.2 == 1));
        assert!(s.to_string_lossless().contains("accuracy 0.50 (3 of 6)"));
    }

    #[test]
    fn intents_are_scored_by_hand() {
        // 4 positives, 3 found; 6 negatives, 1 flagged.
        let mut p = vec![(true, true); 3];
        p.push((true, false));
        p.push((false, true));
        p.extend([(false, false); 5]);
        let b = score_binary("refund_intent", &p);
        assert_eq!((b.positives, b.found, b.negatives, b.flagged), (4, 3, 6, 1));
        assert_eq!((b.recall(), b.precision()), (Some(0.75), Some(0.75)));
        assert!((b.false_positive_rate().unwrap() - 1.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn rules_are_scored_by_hand() {
        let k = |c: &str, r: &str| (c.to_string(), r.to_string());
        // a: two labelled, one found plus one found on another message; b: none labelled, one found; c: one
        // labelled, never found. A duplicate finding counts once.
        let labelled = [k("d1 09:00", "a"), k("d2 09:01", "a"), k("d3 09:02", "c")];
        let found = [k("d1 09:00", "a"), k("d1 09:00", "a"), k("d2 09:03", "a"), k("d4 09:04", "b")];
        let rows = score_rules(&labelled, &found);
        let get = |id: &str| rows.iter().find(|r| r.category == id).unwrap();
        assert_eq!((get("a").labelled, get("a").read, get("a").right), (2, 2, 1));
        assert_eq!((get("b").recall(), get("b").precision()), (None, Some(0.0)));
        assert_eq!((get("c").recall(), get("c").precision()), (Some(0.0), None));
        let text = Measurement { rules: rows.clone(), ..Default::default() }.to_string();
        assert!(text.contains("rules: per violation"), "{text}");
        assert!(text.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["a", "2", "0.50", "2", "0.50"]));
    }

    impl CategoryScore {
        fn to_string_lossless(&self) -> String {
            Measurement { categories: vec![self.clone()], ..Default::default() }.to_string()
        }
    }
}
