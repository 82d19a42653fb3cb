//! `topic_examples`: for each ISO week and session topic (SPEC §3 热点问题), one masked example of what buyers
//! asked — the evidence message of the week's session read with the highest score for that topic (on a tie, the
//! session that started first, then the first conversation id), cut around the deciding term. `topics.sql` joins it
//! to its counts. Sessions read as the default topic (其他) have no evidence, and so no example. The choice depends
//! on the sessions alone, not on the order of the input's rows, so a merge of partial runs picks the same example
//! (`score`, `start` and `conversation_id` are kept for it).

use super::Builder;
use super::cols::*;
use crate::detect::Findings;
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
        // Whether session `a` beats session `b`: a higher score, else an earlier start, else a smaller conversation id.
        let beats = |a: usize, b: usize| {
            let (sa, sb) = (&d.sessions[a], &d.sessions[b]);
            topic(a)
                .score
                .total_cmp(&topic(b).score)
                .reverse()
                .then(sa.start.cmp(&sb.start))
                .then_with(|| input.name(sa.conv).cmp(input.name(sb.conv)))
                == std::cmp::Ordering::Less
        };
        // (week number, category) → its best session
        let mut best: BTreeMap<(u32, u8), usize> = BTreeMap::new();
        for (si, s) in d.sessions.iter().enumerate() {
            let r = topic(si);
            let (Some(c), Some(_)) = (r.category, r.evidence) else { continue };
            let e = best.entry((self.cal.week_no(s.start), c)).or_insert(si);
            if beats(si, *e) {
                *e = si;
            }
        }
        let rows: Vec<(&str, &str, String, usize)> = best
            .iter()
            .map(|(&(week, c), &si)| {
                let ev = topic(si).evidence.expect("kept only with evidence");
                let example = evidence_excerpt(input, &ev);
                let label = readers.lexicon(Which::Topic).categories()[c as usize].as_str();
                (self.cal.week_of_no(week), label, example, si)
            })
            .collect();
        let table = table![
            str_col("week", rows.iter().map(|r| r.0)),
            str_col("topic", rows.iter().map(|r| r.1)),
            str_col("example", rows.iter().map(|r| r.2.as_str())),
            polars::prelude::Column::new("score".into(), rows.iter().map(|r| topic(r.3).score).collect::<Vec<f32>>()),
            dt_col("start", rows.iter().map(|r| Some(d.sessions[r.3].start))),
            self.names.col("conversation_id", rows.iter().map(|r| d.sessions[r.3].conv)),
        ];
        ("topic_examples", table)
    }
}
