//! `kefu explain ID`: how the readers decided, for one session (`conv#n`, as in sessions.csv) or one order (its
//! `order_id`), printed for a supervisor who doubts a figure.
//!
//! A session: every message it holds with what each term added to each lexicon (topic, refund, complaint) — weight ×
//! the message's factor — then each lexicon's totals, its threshold and the reading, with the evidence. The
//! reading is the tally's own decision over the same messages in the same order as the report's text stage, so the
//! explanation and sessions.csv cannot disagree (a test holds them together). An order: its reason for not paying,
//! the reader's totals and threshold, and every clue that could have decided it (a reasons-lexicon term or a
//! reason rule's hit within the attribution window: weight × the speaker's factor, × its nearness to the order),
//! in time order, the evidence marked — the same clues and reading as `payments`. Texts are masked as in every output.
//!
//! Reads the input like `report` does; writes nothing.

use crate::config::Settings;
use crate::detect::{self, is_cut};
use crate::error::{KefuError, Result};
use crate::mask;
use crate::model::{Input, Sender};
use crate::readers::{self, Readers, Tally, Which};
use crate::sessions::{self, Derived};
use crate::timefmt::format_ts;
use crate::tokenize::Tokenizer;
use std::fmt::Write;
use std::path::Path;

/// The explanation of `id` (a session id, else an order id) in the folder `dir`.
pub fn explain(dir: &Path, settings: &Settings, id: &str) -> Result<String> {
    let input = crate::ingest::load_input(dir, settings)?;
    let d = sessions::build(&input.messages, settings);
    let rules = detect::load(&settings.rules)?;
    let readers = readers::load(&settings.rules)?;
    let tok = Tokenizer::new(rules.terms());
    if let Some(si) = find_session(&input, &d, id) {
        return Ok(session(&input, &d, si, &readers, &tok));
    }
    if let Some(oi) = input.names.lookup(id).and_then(|n| input.orders.iter().position(|o| o.id == n)) {
        let signals = crate::order_windows::SignalScope::new(&input);
        let findings = detect::run(&input, &d, &rules, &tok, &signals, &readers);
        return Ok(order(&input, &findings, &rules, &readers, oi, settings.attribution_secs));
    }
    Err(KefuError::Usage(format!(
        "no session or order '{id}' in {}: a session id is conversation#n as in sessions.csv, an order id as in \
         orders.csv",
        dir.display()
    )))
}

/// The index of session `conv#n`.
fn find_session(input: &Input, d: &Derived, id: &str) -> Option<usize> {
    let (conv, no) = id.rsplit_once('#')?;
    let (conv, no): (u32, u32) = (input.names.lookup(conv)?, no.parse().ok()?);
    d.sessions.iter().position(|s| s.conv == conv && s.no == no)
}

fn session(input: &Input, d: &Derived, si: usize, readers: &Readers, tok: &Tokenizer) -> String {
    let s = &d.sessions[si];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "session {}#{} · shop {} · agent {} · customer {} · {} → {} · {} messages\n",
        input.name(s.conv),
        s.no,
        input.name(s.shop),
        input.name(s.agent),
        input.name(s.customer),
        format_ts(s.start),
        format_ts(s.end),
        s.len
    );
    // The text stage's walk: customer and agent messages, the opening until the first agent message.
    let mut tally = Tally::new(readers);
    tally.reset();
    let mut opening = true;
    for &k in &d.order[s.first..s.first + s.len] {
        let m = &input.messages[k as usize];
        let text = input.text(m);
        let time = format_ts(m.ts);
        let _ =
            writeln!(out, "{} {:8} {}", &time[11..], m.sender.as_str(), mask::mask(text).replace(['\n', '\r'], " "));
        if !is_cut(m.sender) {
            let _ = writeln!(out, "      (not read: only customer and agent messages are)");
            continue;
        }
        let customer = m.sender == Sender::Customer;
        opening &= customer;
        let tokens = tok.cut(text);
        if !tally.add(readers, text, &tokens, customer, opening, k) {
            let _ = writeln!(out, "      (the same text again from the same side: counted once, before)");
            continue;
        }
        for c in readers.contributions(text, &tokens, customer, opening) {
            let _ = writeln!(
                out,
                "      {:16} {} +{} × {}{}  ({})",
                c.which.column(),
                c.category,
                c.weight,
                c.factor,
                if customer && opening { " opening" } else { "" },
                c.term
            );
        }
    }
    out.push('\n');
    for w in Which::ALL {
        let lexicon = readers.lexicon(w);
        let reading = tally.decide(readers, w);
        let totals: Vec<String> = lexicon
            .categories()
            .iter()
            .zip(tally.totals(w))
            .filter(|(_, t)| **t > 0.0)
            .map(|(c, t)| format!("{c} {t}"))
            .collect();
        let verdict = match w {
            Which::Topic => lexicon.label(&reading).to_string(),
            _ if reading.shows_intent() => "yes".into(),
            _ => format!("no ({})", lexicon.label(&reading)),
        };
        let _ = writeln!(
            out,
            "{}: {verdict} — score {} (threshold {}); totals: {}",
            w.column(),
            reading.score,
            lexicon.min_score(),
            if totals.is_empty() { "none".to_string() } else { totals.join(", ") }
        );
        if let Some(e) = reading.evidence {
            let text = input.text(&input.messages[e.msg as usize]);
            let _ = writeln!(out, "    evidence: {}", mask::excerpt(text, (e.start as usize, e.end as usize), 20));
        }
    }
    out
}

fn order(
    input: &Input,
    f: &detect::Findings,
    rules: &detect::RuleSet,
    readers: &Readers,
    oi: usize,
    window: i64,
) -> String {
    let o = &input.orders[oi];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "order {} · customer {} · created {} · {} · amount {:.2}\n",
        input.name(o.id),
        input.name(o.customer),
        format_ts(o.created),
        o.paid.map_or("unpaid".to_string(), |t| format!("paid {}", format_ts(t))),
        o.amount
    );
    if o.paid.is_some() {
        out.push_str("paid: no reason for not paying is read.\n");
        return out;
    }
    // What payments::analyse reads: the customer's clues within the window, each × its nearness to the order.
    let clues = crate::payments::clues(input, f, rules, readers, |c| c == o.customer);
    let mut near: Vec<_> =
        crate::payments::nearness(readers, crate::payments::around(o, &clues, window), o.created).collect();
    let tally = crate::payments::tally(near.iter().copied());
    let reading = tally.reading(readers);
    near.reverse();
    let lexicon = readers.lexicon(Which::Reason);
    let totals: Vec<String> = lexicon
        .categories()
        .iter()
        .zip(tally.totals(readers))
        .filter(|(_, t)| **t > 0.0)
        .map(|(c, t)| format!("{c} {t:.2}"))
        .collect();
    let _ = writeln!(
        out,
        "unpaid_reason: {} — score {:.2} (threshold {}); totals: {}",
        lexicon.label(&reading),
        reading.score,
        lexicon.min_score(),
        if totals.is_empty() { "none".to_string() } else { totals.join(", ") }
    );
    if near.is_empty() {
        out.push_str(
            "    no reason term or reason rule in the conversation within the attribution window around the order\n",
        );
    }
    for (c, factor) in &near {
        let (m, msg) = (&c.mark, &input.messages[c.mark.msg as usize]);
        let text = input.text(msg);
        let chosen = reading.evidence.is_some_and(|e| e.msg == m.msg && Some(m.category) == reading.category);
        let source = if c.stated { "reason rule" } else { "lexicon" };
        let weight = format!("+{} × {factor:.2} near ({source})", (m.weight * 100.0).round() / 100.0);
        let _ = writeln!(
            out,
            "  {} {} {:8} {} {weight}: {}",
            if chosen { "→" } else { " " },
            format_ts(msg.ts),
            msg.sender.as_str(),
            lexicon.categories()[m.category as usize],
            mask::excerpt(text, (m.start as usize, m.end as usize), 20)
        );
    }
    out
}
