//! Typed rows: one data row of any input form (a CSV line, a workbook row) → a message, an order or an after-sales
//! case, or the reason it cannot be used.
//!
//! Guarantees: a value is read the same whatever form it came in (the column map and value aliases of `columns`);
//! ids are text (`="2084…"` and `'2084…` wrappers of exports are taken off) and an id Excel turned into scientific
//! notation is a reject with that reason, never a wrong id; a repeated order or case id is a reject (the first row
//! read wins, across files); times without seconds are counted for the warning of SPEC §7.

use super::columns::{self, Table, c, m, o, r as rt};
use super::delimited::{Outcome, Row, truncate};
use crate::config::Settings;
use crate::model::{Case, Input, Message, Order, Rating, Sender, Ts};
use crate::pseudonym::Pseudonymizer;
use crate::timefmt::parse_ts_precision;
use std::collections::HashSet;

/// The largest amount accepted (one trillion yuan): beyond it a value is a wrong column or a typo, and sums of such
/// values would overflow to `inf` in the reports.
pub(crate) const MAX_AMOUNT: f64 = 1e12;

/// Parses an amount as exports write it: `¥1,299.00`, `1299`, `￥ 12.5`.
pub(crate) fn parse_amount(v: &str) -> Option<f64> {
    let cleaned: String = v.chars().filter(|c| !matches!(c, '¥' | '￥' | ',' | ' ' | '元')).collect();
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite() && (0.0..=MAX_AMOUNT).contains(x))
}

fn amount(v: &str, what: &str, empty_is_zero: bool) -> Result<f64, String> {
    if v.is_empty() {
        return if empty_is_zero { Ok(0.0) } else { Err(format!("missing {what}")) };
    }
    parse_amount(v).ok_or_else(|| format!("unparseable {what} '{}'", truncate(v, 40)))
}

/// Whether a value is a number in scientific notation (`1.23457E+17`): what Excel shows, and saves, for a long id it
/// has turned into a number, its last digits lost.
pub(crate) fn is_scientific(v: &str) -> bool {
    let Some((mantissa, exp)) = v.split_once(['E', 'e']) else { return false };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// An id as text: the `="…"` and leading `'` that exports put around long numbers so Excel keeps them are taken off;
/// an id in scientific notation is an error (the id is lost).
pub fn id<'a>(v: &'a str, what: &str) -> Result<&'a str, String> {
    let v = v.strip_prefix("=\"").and_then(|x| x.strip_suffix('"')).or_else(|| v.strip_prefix('\'')).unwrap_or(v);
    if is_scientific(v) {
        return Err(format!(
            "{what} in scientific notation '{v}': Excel turned the id into a number and lost its last digits \
             (format the column as text before saving)"
        ));
    }
    Ok(v)
}

/// Appends one message to the input tables.
#[allow(clippy::too_many_arguments)]
pub(crate) fn push_message(
    input: &mut Input,
    conversation: &str,
    ts: Ts,
    shop: &str,
    customer: &str,
    agent: &str,
    sender: Sender,
    text: &str,
    order: &str,
) {
    let customer = &*input.customer_id(customer);
    let names = &mut input.names;
    let conv = if conversation.is_empty() {
        names.intern(&implicit_conversation(shop, customer, agent))
    } else {
        names.intern(conversation)
    };
    let m = Message {
        conv,
        ts,
        shop: names.intern(shop),
        customer: names.intern(customer),
        agent: names.intern(agent),
        sender,
        order: names.intern(order),
        // Past `TEXT_LIMIT` the start wraps; `load_input` refuses such an input before any text is read.
        text_start: input.text.len() as u32,
        text_len: text.len() as u32,
    };
    input.text.push_str(text);
    input.messages.push(m);
}

/// The conversation of a message when the file names none (SPEC §2): (shop, customer, agent).
pub(crate) fn implicit_conversation(shop: &str, customer: &str, agent: &str) -> String {
    format!("{shop}/{customer}/{agent}")
}

/// Handler names of after-sales cases that no person handled.
const SYSTEM_HANDLERS: &[&str] = &["系统", "系统自动", "自动", "system"];

/// Reads rows of every table into an `Input`, remembering what must hold across rows and files: the order and case
/// ids read (a repeat is a reject) and how many times had no seconds.
pub struct Reader<'s> {
    pub settings: &'s Settings,
    bots: super::bots::Bots,
    orders_seen: HashSet<String>,
    cases_seen: HashSet<String>,
    /// Times read without seconds since the last `take_minute_only`.
    minute_only: u64,
}

/// Fails with "missing X" for the first of these columns that is empty.
fn require(r: &Row, cols: &[(usize, &str)]) -> Result<(), String> {
    match cols.iter().find(|(c, _)| r.get(*c).is_empty()) {
        Some((_, what)) => Err(format!("missing {what}")),
        None => Ok(()),
    }
}

impl<'s> Reader<'s> {
    pub fn new(settings: &'s Settings) -> Reader<'s> {
        let bots = super::bots::Bots::new(&settings.bots);
        Reader { settings, bots, orders_seen: HashSet::new(), cases_seen: HashSet::new(), minute_only: 0 }
    }

    /// The count of times without seconds read since the last call.
    pub fn take_minute_only(&mut self) -> u64 {
        std::mem::take(&mut self.minute_only)
    }

    fn ts(&mut self, v: &str, what: &str) -> Result<Ts, String> {
        if v.is_empty() {
            return Err(format!("missing {what}"));
        }
        let (ts, secs) = parse_ts_precision(v, self.settings.tz)
            .ok_or_else(|| format!("unparseable {what} '{}'", truncate(v, 60)))?;
        self.minute_only += !secs as u64;
        Ok(ts)
    }

    /// An optional time: none when the cell is empty or says so (`columns::is_no_time`: `-`, a zero date).
    fn opt_ts(&mut self, v: &str, what: &str) -> Result<Option<Ts>, String> {
        if v.is_empty() || columns::is_no_time(v) { Ok(None) } else { self.ts(v, what).map(Some) }
    }

    /// Reads one row of `table` into `input`.
    pub fn row(&mut self, table: Table, r: &Row, input: &mut Input) -> Outcome {
        let res = match table {
            Table::Messages => return self.message(r, input),
            Table::Orders => self.order(r, input),
            Table::Aftersales => self.case(r, input),
            Table::Ratings => self.rating(r, input),
        };
        match res {
            Ok(true) => Outcome::Used,
            Ok(false) => Outcome::OutOfPeriod,
            Err(e) => Outcome::Reject(e),
        }
    }

    fn message(&mut self, r: &Row, input: &mut Input) -> Outcome {
        let ts = match self.ts(r.get(m::TS), "timestamp") {
            Ok(ts) => ts,
            Err(e) => return Outcome::Reject(e),
        };
        let sender = match columns::sender(r.get(m::SENDER)) {
            Some(s) => s,
            None if r.get(m::SENDER).is_empty() => return Outcome::Reject("missing sender".into()),
            None => return Outcome::Reject(format!("unknown sender '{}'", truncate(r.get(m::SENDER), 40))),
        };
        if let Err(e) = require(r, &[(m::CUSTOMER, "customer_id"), (m::AGENT, "agent_id")]) {
            return Outcome::Reject(e);
        }
        let order = match id(r.get(m::ORDER), "order_id") {
            Ok(o) => o,
            Err(e) => return Outcome::Reject(e),
        };
        if !self.settings.in_period(ts) {
            return Outcome::OutOfPeriod;
        }
        let (shop, customer, agent) = (r.get(m::SHOP), r.get(m::CUSTOMER), r.get(m::AGENT));
        push_message(input, r.get(m::CONV), ts, shop, customer, agent, sender, r.raw(m::TEXT), order);
        Outcome::Used
    }

    /// An order row: `Ok(false)` when it is outside the period.
    fn order(&mut self, r: &Row, input: &mut Input) -> Result<bool, String> {
        require(r, &[(o::ID, "order_id"), (o::CUSTOMER, "customer_id")])?;
        let order_id = id(r.get(o::ID), "order_id")?;
        let created = self.ts(r.get(o::CREATED), "created_at")?;
        let paid = self.opt_ts(r.get(o::PAID), "paid_at")?;
        if paid.is_some_and(|p| p < created) {
            return Err("paid_at is before created_at".into());
        }
        let amount = amount(r.get(o::AMOUNT), "amount", false)?;
        if !self.orders_seen.insert(order_id.to_string()) {
            return Err(format!("duplicate order_id '{}'", truncate(order_id, 60)));
        }
        if !self.settings.in_period(created) {
            return Ok(false);
        }
        let customer = Pseudonymizer::customer_id(input.pseudonyms.as_ref(), r.get(o::CUSTOMER)).into_owned();
        // An order a shop robot is credited with (店小蜜 closes sales too) is credited through the chat instead.
        let agent = if self.bots.is_bot(r.get(o::AGENT)) { "" } else { r.get(o::AGENT) };
        let names = &mut input.names;
        input.orders.push(Order {
            id: names.intern(order_id),
            customer: names.intern(&customer),
            shop: names.intern(r.get(o::SHOP)),
            created,
            paid,
            amount,
            agent: names.intern(agent),
            status: names.intern(r.get(o::STATUS)),
        });
        Ok(true)
    }

    /// An after-sales row: `Ok(false)` when it is outside the period.
    fn case(&mut self, r: &Row, input: &mut Input) -> Result<bool, String> {
        require(r, &[(c::ID, "case_id"), (c::AGENT, "agent_id")])?;
        let case_id = id(r.get(c::ID), "case_id")?;
        let order_id = id(r.get(c::ORDER), "order_id")?;
        let kind = if r.has(c::TYPE) {
            columns::case_type(r.get(c::TYPE))
                .ok_or_else(|| format!("unknown type '{}'", truncate(r.get(c::TYPE), 40)))?
        } else {
            let v = r.get(c::NEEDS_RETURN);
            columns::needs_return(v).ok_or_else(|| format!("unknown 是否需要退货 '{}'", truncate(v, 40)))?
        };
        let opened = self.ts(r.get(c::OPENED), "opened_at")?;
        let closed = self.opt_ts(r.get(c::CLOSED), "closed_at")?;
        if closed.is_some_and(|c| c < opened) {
            return Err("closed_at is before opened_at".into());
        }
        let refund_amount = amount(r.get(c::REFUND), "refund_amount", true)?;
        let intervened = columns::intervened(r.get(c::INTERVENED))
            .ok_or_else(|| format!("platform_intervened '{}' is not 0/1", truncate(r.get(c::INTERVENED), 20)))?;
        if !self.cases_seen.insert(case_id.to_string()) {
            return Err(format!("duplicate case_id '{}'", truncate(case_id, 60)));
        }
        if !self.settings.in_period(opened) {
            return Ok(false);
        }
        let customer = Pseudonymizer::customer_id(input.pseudonyms.as_ref(), r.get(c::CUSTOMER)).into_owned();
        // A case a bot or the system handled (an automatic refund) has no human handler.
        let handler = r.get(c::AGENT);
        let handler = if self.bots.is_bot(handler) || SYSTEM_HANDLERS.contains(&handler) { "" } else { handler };
        let names = &mut input.names;
        input.cases.push(Case {
            id: names.intern(case_id),
            order: names.intern(order_id),
            customer: names.intern(&customer),
            agent: names.intern(handler),
            kind,
            reason: r.get(c::REASON).to_string(),
            opened,
            closed,
            refund_amount,
            intervened,
            status: names.intern(r.get(c::STATUS)),
        });
        Ok(true)
    }

    /// A satisfaction rating (SPEC §8). Without an agent it goes to the customer's session (`satisfaction`).
    fn rating(&mut self, r: &Row, input: &mut Input) -> Result<bool, String> {
        require(r, &[(rt::CUSTOMER, "customer_id")])?;
        let v = r.get(rt::RATING);
        let stars = columns::rating(v)
            .ok_or_else(|| format!("rating '{}' is not 5–1 or 很满意/满意/一般/不满意/很不满意", truncate(v, 20)))?;
        let at = self.ts(r.get(rt::RATED), "rated_at")?;
        if !self.settings.in_period(at) {
            return Ok(false);
        }
        let customer =
            Pseudonymizer::customer_id(input.pseudonyms.as_ref(), id(r.get(rt::CUSTOMER), "customer_id")?).into_owned();
        let agent = r.get(rt::AGENT);
        let agent = if self.bots.is_bot(agent) { "" } else { agent };
        let names = &mut input.names;
        input.ratings.push(Rating { customer: names.intern(&customer), agent: names.intern(agent), at, stars });
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_exports_write_them_and_no_absurd_ones() {
        assert_eq!(parse_amount("¥1,299.00"), Some(1299.0));
        assert_eq!(parse_amount("￥ 12.5元"), Some(12.5));
        // Sums of such values were `inf` in shops.csv (found by tests/fuzz.rs).
        for bad in ["1e308", "-5", "NaN", "inf", "1e13", ""] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn ids_are_text_and_scientific_notation_is_refused() {
        assert_eq!(id("=\"2084938472938472938\"", "order_id"), Ok("2084938472938472938"));
        assert_eq!(id("'2084938472938472938", "order_id"), Ok("2084938472938472938"));
        assert_eq!(id("O00000038", "order_id"), Ok("O00000038"));
        for sci in ["1.23457E+17", "2.08494e+18", "3E+15"] {
            let e = id(sci, "order_id").unwrap_err();
            assert!(e.contains("scientific notation"), "{e}");
        }
        for fine in ["E12345", "1E", "12-E+3", "1.2.3"] {
            assert!(!is_scientific(fine), "{fine}");
        }
    }
}
