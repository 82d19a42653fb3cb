//! `topic_examples`: for each ISO week and session topic (SPEC §3 热点问题), one masked example of what buyers
//! asked — the evidence message of the week's session read with the highest score for that topic (on a tie, the
//! first in session order: by conversation, then session), cut around the deciding term. `topics.sql` joins it to its counts. Sessions read as the
//! default topic (其他) have no evidence, and so no example.

use super::Builder;
use super::cols::*;
use crate::detect::Findings;
use crate::mask;
use crate::model::Input;
use crate::readers::{Readers, Which};
use crate::sessions::Derived;
use std::collections::BTreeMap;

impl Builder<'_> {
    pub(super) fn topic_examples(
        &self,
        input: &Input,
        d: &Derived,
        f: &Findings,
        readers: &Readers,
    ) -> (&'static str, polars::prelude::DataFrame) {
        let topic = |si: usize| f.readings[si][Which::Topic as usize];
        // (week number, category) → (best score, its session)
        let mut best: BTreeMap<(u32, u8), (f32, usize)> = BTreeMap::new();
        for (si, s) in d.sessions.iter().enumerate() {
            let r = topic(si);
            let (Some(c), Some(_)) = (r.category, r.evidence) else { continue };
            let key = (self.cal.week_no(s.start), c);
            let e = best.entry(key).or_insert((r.score, si));
            if r.score > e.0 {
                *e = (r.score, si);
            }
        }
        let rows: Vec<(&str, &str, String)> = best
            .iter()
            .map(|(&(week, c), &(_, si))| {
                let ev = topic(si).evidence.expect("kept only with evidence");
                let text = input.text(&input.messages[ev.msg as usize]);
                let example = mask::excerpt(text, (ev.start as usize, ev.end as usize), 20);
                (self.cal.week_of_no(week), readers.lexicon(Which::Topic).categories()[c as usize].as_str(), example)
            })
            .collect();
        let table = table![
            str_col("week", rows.iter().map(|r| r.0)),
            str_col("topic", rows.iter().map(|r| r.1)),
            str_col("example", rows.iter().map(|r| r.2.as_str())),
        ];
        ("topic_examples", table)
    }
}
