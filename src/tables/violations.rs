//! `violations`: one row per rule hit (SPEC §5), with the compensation it costs, the matched words and a masked
//! excerpt of its message. Gathered from the message rows and their text into owned rows (`violation_rows`), so the
//! rows and text can be freed before the frame is made (`violations_frame`); the two give what building the frame
//! from the message rows directly gave.

use super::cols::*;
use super::{Builder, SessionOrders};
use crate::config::Settings;
use crate::detect::{Hit, RuleSet};
use crate::mask;
use crate::model::{Input, Sender, Ts};
use crate::sessions::Derived;
use crate::timefmt::day_of;
use polars::prelude::*;
use rayon::prelude::*;

/// What `violations` needs of a hit once the message rows are gone.
pub(super) struct Violation {
    ts: Ts,
    session: u32,
    agent: u32,
    customer: u32,
    sender: Sender,
    /// Index of the rule in `RuleSet::rules`.
    rule: u16,
    compensation: f64,
}

/// The rows of `violations` (in the order of the hits: session order) and their `matched` and `excerpt` columns.
pub(super) struct Violations {
    rows: Vec<Violation>,
    matched: Column,
    excerpt: Column,
}

/// The rows of `violations`, with the matched words and excerpt of each hit masked and made columns already
/// (`par_str_col`): as Rust strings they were the largest part of what the tables stage gathers.
pub(super) fn violation_rows(
    input: &Input,
    d: &Derived,
    settings: &Settings,
    hits: &[Hit],
    rules: &RuleSet,
) -> Violations {
    let orders = SessionOrders::new(input);
    // Masking is the costly part of this table (a second at 10 M messages on one core): on every core.
    let text = |h: &Hit| input.text(&input.messages[h.msg as usize]);
    let matched = par_str_col("matched", hits, |h| Some(mask::mask(&text(h)[h.start..h.end])));
    let excerpt = par_str_col("excerpt", hits, |h| Some(mask::excerpt(text(h), (h.start, h.end), 20)));
    let rows = hits
        .par_iter()
        .map(|h| {
            let def = &rules.rules[h.rule as usize].def;
            let share = if def.order_share > 0.0 {
                let amount = orders.amount(input, d, h.session as usize, settings.attribution_secs).unwrap_or(0.0);
                let v = def.order_share * amount;
                def.money_cap.map_or(v, |c| v.min(c))
            } else {
                0.0
            };
            let m = &input.messages[h.msg as usize];
            Violation {
                ts: m.ts,
                session: h.session,
                agent: m.agent,
                customer: m.customer,
                sender: m.sender,
                rule: h.rule,
                compensation: def.money + share,
            }
        })
        .collect();
    Violations { rows, matched, excerpt }
}

/// `violations` from its rows.
pub(super) fn violations_frame(b: &Builder, v: &Violations, rules: &RuleSet) -> DataFrame {
    let Builder { names, sids, cal, .. } = b;
    let vs = &v.rows;
    let rule = |v: &Violation| &rules.rules[v.rule as usize].def;
    table![
        dt_col("timestamp", vs.iter().map(|v| Some(v.ts))),
        sids.col("session_id", vs.iter().map(|v| v.session)),
        names.col("agent_id", vs.iter().map(|v| v.agent)),
        names.col("customer_id", vs.iter().map(|v| v.customer)),
        str_col("rule_id", vs.iter().map(|v| rule(v).id.as_str())),
        str_col("rule", vs.iter().map(|v| rule(v).name.as_str())),
        str_col("category", vs.iter().map(|v| rule(v).category.as_str())),
        Column::new("penalty_points".into(), vs.iter().map(|v| rule(v).points).collect::<Vec<_>>()),
        Column::new("compensation".into(), vs.iter().map(|v| v.compensation).collect::<Vec<_>>()),
        v.matched.rechunk(),
        v.excerpt.rechunk(),
        date_col("date", vs.iter().map(|v| day_of(v.ts))),
        str_col("week", vs.iter().map(|v| cal.week(v.ts))),
        opt_str_col("phase", vs.iter().map(|v| cal.phase(v.ts))),
        str_col("sender", vs.iter().map(|v| v.sender.as_str())),
    ]
}
