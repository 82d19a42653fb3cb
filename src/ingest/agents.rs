//! The agents that orders, after-sales cases and ratings name, read as the chat's agents (SPEC §7: ids must meet
//! across files).
//!
//! The chat names an agent by its account, `店铺:子账号`; an order export, a refund export's 审核操作人 or a rating
//! export often names the sub-account alone (`小美`), or the chat does. A name that is an agent of the chat (an agent id
//! of a message) stays as it is. Any other name whose sub-account is the sub-account of exactly one agent of the chat
//! — of the order's shop, when the order names one of theirs — becomes that agent, as `[teams]` names agents.
//! Without this an order credited to `小美` counted for no agent and her conversion came out low, silently.
//!
//! First, an account typed with a full-width colon or spaces around it (`店铺：小美`) is `店铺:小美` wherever an agent is
//! named (`unify_accounts`): otherwise one person counted as two agents.
//!
//! A name that matches no agent of the chat, or several, is kept, and orders and ratings naming such names are
//! warned about (`agent_names`): their sales count in shops.csv and in no agent's row, and such a rating counts for
//! no agent of the chat. An after-sales handler often handles cases without chatting (a back-office account): cases
//! keep such names without a warning, and aftersales_agents.csv lists them by name.

use super::bots::{shop_of, sub_account};
use crate::model::{Input, Warning};
use std::collections::HashMap;

/// How a name of a side file reads against the chat's agents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Match {
    /// An agent of the chat (the name itself, or the one agent with its sub-account).
    Agent(u32),
    /// No agent of the chat has its sub-account.
    Unknown,
    /// Several agents of the chat have its sub-account, and the shop does not tell which.
    Ambiguous,
}

/// The chat's agents by sub-account, to read other files' names against.
struct ChatAgents<'a> {
    is_agent: Vec<bool>,
    by_sub: HashMap<&'a str, Vec<(u32, &'a str)>>,
}

impl<'a> ChatAgents<'a> {
    fn new(input: &'a Input) -> Self {
        let mut is_agent = vec![false; input.names.len()];
        for m in input.messages.iter().filter(|m| m.agent != 0) {
            is_agent[m.agent as usize] = true;
        }
        let mut by_sub: HashMap<&str, Vec<(u32, &str)>> = HashMap::new();
        for (id, _) in is_agent.iter().enumerate().filter(|(_, a)| **a) {
            let name = input.name(id as u32);
            by_sub.entry(sub_account(name)).or_default().push((id as u32, name));
        }
        ChatAgents { is_agent, by_sub }
    }

    /// Agents of the chat named by sub-account alone (`小美`) while exactly one other agent of the chat is an account
    /// with that sub-account (`店铺:小美`): likely one person counted as two. (`店A:小美` and `店B:小美` are two.)
    fn named_twice(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for same in self.by_sub.values().filter(|v| v.len() > 1) {
            let (alone, accounts): (Vec<_>, Vec<_>) = same.iter().partition(|(_, n)| shop_of(n).is_none());
            if let ([(_, sub)], [(_, full)]) = (&alone[..], &accounts[..]) {
                out.push((sub.to_string(), full.to_string()));
            }
        }
        out.sort();
        out
    }

    /// `name` (id `id`) against the agents; `shop`: the record's shop, when it names one.
    fn read(&self, id: u32, name: &str, shop: Option<&str>) -> Match {
        if self.is_agent.get(id as usize).copied().unwrap_or(false) {
            return Match::Agent(id);
        }
        let Some(same) = self.by_sub.get(sub_account(name)) else { return Match::Unknown };
        // A shop named on both sides must agree: the name's own (`店A:小美`), else the record's — when it is the shop
        // of one of these agents at all (an order export may write the shop otherwise: `checks::shops`).
        let record_shop = shop.filter(|s| same.iter().any(|(_, n)| shop_of(n) == Some(s)));
        let wanted = shop_of(name).or(record_shop);
        let fits = |agent: &&(u32, &str)| match (wanted, shop_of(agent.1)) {
            (Some(w), Some(s)) => w == s,
            _ => true,
        };
        let mut fitting = same.iter().filter(fits);
        match (fitting.next(), fitting.next()) {
            (Some(&(agent, _)), None) => Match::Agent(agent),
            (None, _) => Match::Unknown,
            (Some(_), Some(_)) => Match::Ambiguous,
        }
    }
}

/// What was not matched in one kind of record: how many records, and their names (sorted, distinct).
#[derive(Default)]
struct Unmatched {
    records: usize,
    names: Vec<String>,
}

impl Unmatched {
    fn add(&mut self, name: &str) {
        self.records += 1;
        if let Err(at) = self.names.binary_search_by(|n| n.as_str().cmp(name)) {
            self.names.insert(at, name.to_string());
        }
    }
}

/// An account written with a full-width colon or spaces around its colon (`店铺：小美`, `店铺 : 小美`, as typed with a
/// Chinese input method) in the form 千牛 writes it (`店铺:小美`); `None` when it is in that form already.
fn account_form(name: &str) -> Option<String> {
    let (shop, sub) = name.rsplit_once([':', '：'])?;
    let form = format!("{}:{}", shop.trim(), sub.trim());
    (form != name).then_some(form)
}

/// Every agent id of the input (messages, transfers, orders, cases, ratings) whose name is an account not in 千牛's
/// form (`account_form`) becomes the id of that form, so `店铺：小美` in one file and `店铺:小美` in another are one
/// agent. (Conversations a file without `conversation_id` named after the agent keep their names.)
fn unify_accounts(input: &mut Input) {
    // Distinct by a flag per id: one pass over the 10 M messages' agents at scale, no sort.
    let mut named = vec![false; input.names.len()];
    let messages = input.messages.iter().map(|m| m.agent);
    let transfers = input.transfers.iter().flat_map(|t| [t.from, t.to]);
    let others = input.orders.iter().map(|o| o.agent).chain(input.cases.iter().map(|c| c.agent));
    for id in messages.chain(transfers).chain(others).chain(input.ratings.iter().map(|r| r.agent)) {
        named[id as usize] = true;
    }
    let renamed: Vec<(u32, String)> = (1..named.len() as u32)
        .filter(|&id| named[id as usize])
        .filter_map(|id| Some((id, account_form(input.name(id))?)))
        .collect();
    if renamed.is_empty() {
        return;
    }
    let map: HashMap<u32, u32> = renamed.into_iter().map(|(id, form)| (id, input.names.intern(&form))).collect();
    let to = |id: &mut u32| {
        if let Some(&form) = map.get(id) {
            *id = form;
        }
    };
    input.messages.iter_mut().for_each(|m| to(&mut m.agent));
    input.transfers.iter_mut().for_each(|t| {
        to(&mut t.from);
        to(&mut t.to)
    });
    input.orders.iter_mut().for_each(|o| to(&mut o.agent));
    input.cases.iter_mut().for_each(|c| to(&mut c.agent));
    input.ratings.iter_mut().for_each(|r| to(&mut r.agent));
}

/// Reads the agents of orders, cases and ratings as the chat's agents (module doc), and warns about the orders and
/// ratings whose agent is none of them. Run after the bots are resolved (no message keeps a bot as its agent).
pub(crate) fn resolve(input: &mut Input) {
    unify_accounts(input);
    let chat = ChatAgents::new(input);
    let mut seen: HashMap<(u32, u32), Match> = HashMap::new();
    let mut read = |id: u32, shop: u32| -> Match {
        if id == 0 {
            return Match::Agent(0); // names no agent: nothing to read (most orders)
        }
        *seen.entry((id, shop)).or_insert_with(|| {
            let shop = (shop != 0).then(|| input.name(shop)).filter(|s| !s.is_empty());
            chat.read(id, input.name(id), shop)
        })
    };
    let orders: Vec<Match> = input.orders.iter().map(|o| read(o.agent, o.shop)).collect();
    let cases: Vec<Match> = input.cases.iter().map(|c| read(c.agent, 0)).collect();
    let ratings: Vec<Match> = input.ratings.iter().map(|r| read(r.agent, 0)).collect();
    let twice = chat.named_twice();
    drop(chat);
    let (mut unmatched_orders, mut unmatched_ratings) = (Unmatched::default(), Unmatched::default());
    for (o, m) in input.orders.iter_mut().zip(orders).filter(|(o, _)| o.agent != 0) {
        match m {
            Match::Agent(a) => o.agent = a,
            Match::Unknown | Match::Ambiguous => unmatched_orders.add(input.names.get(o.agent)),
        }
    }
    for (c, m) in input.cases.iter_mut().zip(cases).filter(|(c, _)| c.agent != 0) {
        if let Match::Agent(a) = m {
            c.agent = a;
        }
    }
    for (r, m) in input.ratings.iter_mut().zip(ratings).filter(|(r, _)| r.agent != 0) {
        match m {
            Match::Agent(a) => r.agent = a,
            Match::Unknown | Match::Ambiguous => unmatched_ratings.add(input.names.get(r.agent)),
        }
    }
    warn(input, &unmatched_orders, &unmatched_ratings);
    warn_twice(input, &twice);
}

/// The `agent_names` warning for agents of the chat named both by sub-account alone and as an account.
fn warn_twice(input: &mut Input, twice: &[(String, String)]) {
    if twice.is_empty() {
        return;
    }
    let pairs: Vec<String> = twice.iter().take(5).map(|(sub, full)| format!("{sub} and {full}")).collect();
    let more = if twice.len() > 5 { format!(" and {} more", twice.len() - 5) } else { String::new() };
    let pairs_zh: Vec<String> = twice.iter().take(5).map(|(sub, full)| format!("{sub} 与 {full}")).collect();
    input.warnings.push(Warning {
        kind: "agent_names".into(),
        message: format!(
            "the chat names {} both by sub-account alone and as an account ({}{more}): each is counted as two \
             agents; export every chat file with the same account names (店铺:子账号)",
            super::checks::plural(twice.len(), "agent"),
            pairs.join(", ")
        ),
        zh: format!(
            "聊天记录中有 {} 个客服同时以子账号和完整账号出现（{}）：每人被算作两个客服，请用一致的账号名（店铺:子账号）导出",
            twice.len(),
            pairs_zh.join("、")
        ),
    });
}

/// `1 order is`, `2 orders are`.
fn plural(n: usize, what: &str, one: &str, many: &str) -> String {
    format!("{} {}", super::checks::plural(n, what), if n == 1 { one } else { many })
}

/// The `agent_names` warning, when orders or ratings name agents the chat does not have.
fn warn(input: &mut Input, orders: &Unmatched, ratings: &Unmatched) {
    let shown = |u: &Unmatched| {
        let mut s = u.names.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        if u.names.len() > 5 {
            s.push_str(&format!(" and {} more", u.names.len() - 5));
        }
        s
    };
    let shown_zh = |u: &Unmatched| {
        let s = u.names.iter().take(5).cloned().collect::<Vec<_>>().join("、");
        if u.names.len() > 5 { format!("{s} 等 {} 个", u.names.len()) } else { s }
    };
    let mut en = Vec::new();
    let mut zh = Vec::new();
    if orders.records > 0 {
        en.push(format!(
            "{} credited to agents who are no agent of the chat ({}): their sales count in shops.csv and in no \
             agent's row",
            plural(orders.records, "order", "is", "are"),
            shown(orders)
        ));
        zh.push(format!(
            "{} 个订单的客服（{}）不是聊天记录里的客服：这些订单只计入店铺合计（shops.csv），不计入任何客服",
            orders.records,
            shown_zh(orders)
        ));
    }
    if ratings.records > 0 {
        en.push(format!(
            "{} agents who are no agent of the chat ({}): they count for no agent",
            plural(ratings.records, "rating", "names", "name"),
            shown(ratings)
        ));
        zh.push(format!(
            "{} 条评价的客服（{}）不是聊天记录里的客服：不计入任何客服",
            ratings.records,
            shown_zh(ratings)
        ));
    }
    if en.is_empty() {
        return;
    }
    input.warnings.push(Warning {
        kind: "agent_names".into(),
        message: format!(
            "{}; name agents as the chat does (店铺:子账号, or the sub-account alone when one agent of the chat has it)",
            en.join("; ")
        ),
        zh: format!("{}。请使用与聊天记录一致的客服名（店铺:子账号，或唯一的子账号名）", zh.join("；")),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Order, Rating, Sender};

    /// A chat with agents `店A:小美`, `店B:小美` and `店A:小雪`, and an order and a rating naming `agent` (shop `shop`).
    fn input_naming(agent: &str, shop: &str) -> Input {
        let mut input = Input::default();
        for (i, a) in ["店A:小美", "店B:小美", "店A:小雪"].into_iter().enumerate() {
            let conv = format!("c{i}");
            crate::ingest::push_message(&mut input, &conv, 60, "店A", "买家", a, Sender::Agent, "在的亲", "");
        }
        let (customer, agent, shop) = (input.names.intern("买家"), input.names.intern(agent), input.names.intern(shop));
        let order = Order {
            id: input.names.intern("O1"),
            customer,
            shop,
            created: 0,
            paid: None,
            amount: 1.0,
            agent,
            status: 0,
        };
        input.orders.push(order);
        input.ratings.push(Rating { customer, agent, at: 0, stars: 5 });
        input
    }

    fn credited(agent: &str, shop: &str) -> (String, String, Vec<String>) {
        let mut input = input_naming(agent, shop);
        resolve(&mut input);
        let warnings = input.warnings.iter().map(|w| w.message.clone()).collect();
        (input.name(input.orders[0].agent).to_string(), input.name(input.ratings[0].agent).to_string(), warnings)
    }

    #[test]
    fn a_sub_account_is_the_one_agent_of_the_chat_that_has_it() {
        // 小雪: one agent has it; 小美 of 店A: the order's shop tells; 店B:小美 as written.
        let (order, rating, warnings) = credited("小雪", "");
        assert_eq!((order.as_str(), rating.as_str()), ("店A:小雪", "店A:小雪"));
        assert!(warnings.is_empty(), "{warnings:?}");
        let (order, _, _) = credited("小美", "店A");
        assert_eq!(order, "店A:小美");
        // An order's shop written otherwise than the chat's tells nothing.
        assert_eq!(credited("小雪", "店A旗舰店").0, "店A:小雪");
        let (order, rating, warnings) = credited("店B:小美", "店A");
        assert_eq!((order.as_str(), rating.as_str()), ("店B:小美", "店B:小美"));
        assert!(warnings.is_empty(), "{warnings:?}");
        // A full-width colon is the same account.
        assert_eq!(credited("店A：小雪", "").0, "店A:小雪");
    }

    #[test]
    fn a_name_no_agent_or_several_agents_have_is_kept_and_warned_about() {
        // 小美 without a shop: two agents have it. 小林: none. 店C:小雪: another shop's.
        for (agent, shop) in [("小美", ""), ("小林", "店A"), ("店C:小雪", "")] {
            let (order, rating, warnings) = credited(agent, shop);
            assert_eq!((order.as_str(), rating.as_str()), (agent, agent));
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            let w = &warnings[0];
            assert!(w.starts_with("1 order is credited to agents who are no agent of the chat"), "{w}");
            assert!(w.contains("1 rating names agents") && w.contains(agent), "{w}");
        }
    }

    #[test]
    fn a_chat_naming_agents_by_sub_account_takes_the_accounts_of_other_files() {
        let mut input = Input::default();
        crate::ingest::push_message(&mut input, "c", 60, "店A", "买家", "小林", Sender::Agent, "在的亲", "");
        let (customer, agent) = (input.names.intern("买家"), input.names.intern("店A:小林"));
        input.ratings.push(Rating { customer, agent, at: 0, stars: 5 });
        resolve(&mut input);
        assert_eq!(input.name(input.ratings[0].agent), "小林");
        assert!(input.warnings.is_empty());
    }

    #[test]
    fn one_agent_named_two_ways_in_the_chat_is_warned_about() {
        let mut input = input_naming("店A:小雪", "");
        crate::ingest::push_message(&mut input, "c9", 60, "店A", "买家", "小雪", Sender::Agent, "好的", "");
        // 小美 alone beside 店A:小美 and 店B:小美: which is meant is not known, and nothing is said.
        crate::ingest::push_message(&mut input, "c8", 60, "店A", "买家", "小美", Sender::Agent, "好的", "");
        resolve(&mut input);
        let w: Vec<&str> = input.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("the chat names 1 agent both by sub-account alone and as an account (小雪 and 店A:小雪)")
        );
    }

    #[test]
    fn an_account_typed_with_a_full_width_colon_is_the_same_agent() {
        assert_eq!(account_form("店A：小美").as_deref(), Some("店A:小美"));
        assert_eq!(account_form("店A : 小美").as_deref(), Some("店A:小美"));
        assert_eq!((account_form("店A:小美"), account_form("小美")), (None, None));
        let mut input = input_naming("店A：小雪", "");
        crate::ingest::push_message(&mut input, "c9", 90, "店A", "买家", "店A：小雪", Sender::Agent, "好的", "");
        resolve(&mut input);
        let agents: Vec<&str> = input.messages.iter().map(|m| input.name(m.agent)).collect();
        assert_eq!(agents, ["店A:小美", "店B:小美", "店A:小雪", "店A:小雪"]);
        assert_eq!(input.name(input.orders[0].agent), "店A:小雪");
        assert!(input.warnings.is_empty(), "{:?}", input.warnings);
    }

    #[test]
    fn cases_take_the_chat_agent_and_keep_a_back_office_handler_quietly() {
        let mut input = input_naming("店A:小雪", "");
        let case = |agent: u32| crate::model::Case {
            id: 0,
            order: 0,
            customer: 0,
            agent,
            kind: crate::model::CaseKind::RefundOnly,
            reason: String::new(),
            opened: 0,
            closed: None,
            refund_amount: 0.0,
            intervened: false,
            status: 0,
        };
        let (sub, office) = (input.names.intern("小雪"), input.names.intern("店A:售后专员"));
        input.cases.extend([case(sub), case(office)]);
        resolve(&mut input);
        let names: Vec<&str> = input.cases.iter().map(|c| input.name(c.agent)).collect();
        assert_eq!(names, ["店A:小雪", "店A:售后专员"]);
        assert!(input.warnings.is_empty());
    }
}
