//! Shop robots by name (SPEC §7), and who a customer is talking to.
//!
//! A sub-account named 服务助手, 店小蜜, 阿里店小蜜, 智能客服, 机器人 or 自动回复 (alone or as `店铺:…`), or listed in
//! kefu.toml's `bots`, is a bot in every input form: its messages are `bot` messages (they neither start nor answer
//! a turn), and no message keeps a bot as its agent. A message that names a bot as its agent — the bot's own, or a
//! customer's message the bot received — belongs to the human agent the customer is talking to at that point
//! (`assign`): the last human agent who wrote or was named as the receiver before it in the conversation, else the
//! first one after it; with no human agent at all, to no agent (id 0, left out of every per-agent figure).

use super::rows::implicit_conversation;
use crate::model::{Input, Sender};
use std::collections::{HashMap, HashSet};

/// The bot names in force: the defaults of `aliases.toml` and kefu.toml's `bots`.
#[derive(Debug, Clone)]
pub(crate) struct Bots {
    names: Vec<String>,
}

/// The sub-account part of an account name: after the last `:` or `：`, else the whole name.
pub(crate) fn sub_account(name: &str) -> &str {
    name.rsplit([':', '：']).next().unwrap_or(name).trim()
}

/// The shop part of an account name, before the last `:` or `：` (`店铺` of `店铺:小美`), if it has one.
pub(crate) fn shop_of(name: &str) -> Option<&str> {
    name.rsplit_once([':', '：']).map(|(shop, _)| shop.trim()).filter(|s| !s.is_empty())
}

impl Bots {
    pub fn new(extra: &[String]) -> Bots {
        let names = super::columns::default_bots().iter().chain(extra).map(|n| n.trim().to_string()).collect();
        Bots { names }
    }

    /// Whether an account is a bot: its whole name or its sub-account part is one of the names.
    pub fn is_bot(&self, name: &str) -> bool {
        let (name, sub) = (name.trim(), sub_account(name));
        !name.is_empty() && self.names.iter().any(|b| b == name || b == sub)
    }
}

/// A message's part in deciding who the customer is talking to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// A human agent wrote, was named as a message's receiver, or was handed the conversation.
    Human(u32),
    /// A message that belongs to whichever human agent the customer is talking to here.
    Needs,
    /// Anything else.
    Other,
}

/// For each `Needs`, the human agent the customer is talking to there: the last `Human` before it, else the first
/// after it, else 0. Other events get 0.
pub(crate) fn assign(events: &[Event]) -> Vec<u32> {
    let first = events.iter().find_map(|e| if let Event::Human(a) = e { Some(*a) } else { None }).unwrap_or(0);
    let mut current = first;
    events
        .iter()
        .map(|e| match *e {
            Event::Human(a) => {
                current = a;
                0
            }
            Event::Needs => current,
            Event::Other => 0,
        })
        .collect()
}

/// Applies the bot names to messages read from tables (CSV, workbooks): a bot's `agent` message becomes a `bot`
/// message, and every message naming a bot as its agent is given the human agent of `assign` within its
/// conversation (for a conversation the file does not name, within the customer's messages at the shop, and the
/// conversation becomes the one of that agent). Costs one pass over the messages when no bot is named.
pub(crate) fn resolve(input: &mut Input, bots: &Bots) {
    // 0 not looked at, 1 human, 2 bot: by name id, for the agent ids only.
    let mut kind = vec![0u8; input.names.len()];
    let mut any = false;
    for m in &input.messages {
        let k = &mut kind[m.agent as usize];
        if *k == 0 {
            *k = if m.agent != 0 && bots.is_bot(input.names.get(m.agent)) { 2 } else { 1 };
        }
        any |= *k == 2;
    }
    if !any {
        return;
    }
    let is_bot = |agent: u32| kind[agent as usize] == 2;
    // A conversation is implicit when its name is the one `push_message` makes from (shop, customer, agent).
    let implicit = |input: &Input, i: usize| {
        let m = &input.messages[i];
        let n = |id| input.names.get(id);
        n(m.conv) == implicit_conversation(n(m.shop), n(m.customer), n(m.agent))
    };
    #[derive(Hash, PartialEq, Eq, Clone, Copy)]
    enum Thread {
        Conv(u32),
        ShopCustomer(u32, u32),
    }
    let thread_of = |input: &Input, i: usize| {
        let m = &input.messages[i];
        if implicit(input, i) { Thread::ShopCustomer(m.shop, m.customer) } else { Thread::Conv(m.conv) }
    };
    let wanted: HashSet<Thread> =
        (0..input.messages.len()).filter(|&i| is_bot(input.messages[i].agent)).map(|i| thread_of(input, i)).collect();
    let mut threads: HashMap<Thread, Vec<usize>> = HashMap::new();
    for i in 0..input.messages.len() {
        let m = &input.messages[i];
        let candidates = [Thread::Conv(m.conv), Thread::ShopCustomer(m.shop, m.customer)];
        if let Some(t) = candidates.into_iter().find(|t| wanted.contains(t))
            && thread_of(input, i) == t
        {
            threads.entry(t).or_default().push(i);
        }
    }
    let mut threads: Vec<(Thread, Vec<usize>)> = threads.into_iter().collect();
    threads.sort_by_key(|(_, ms)| ms[0]);
    for (thread, mut ms) in threads {
        ms.sort_by_key(|&i| (input.messages[i].ts, i));
        let events: Vec<Event> = ms
            .iter()
            .map(|&i| {
                let m = &input.messages[i];
                match m.sender {
                    _ if is_bot(m.agent) => Event::Needs,
                    Sender::Agent | Sender::Customer if m.agent != 0 => Event::Human(m.agent),
                    _ => Event::Other,
                }
            })
            .collect();
        for (&i, agent) in ms.iter().zip(assign(&events)) {
            if !is_bot(input.messages[i].agent) {
                continue;
            }
            let m = input.messages[i];
            if m.sender == Sender::Agent {
                input.messages[i].sender = Sender::Bot;
            }
            input.messages[i].agent = agent;
            if let Thread::ShopCustomer(..) = thread {
                let n = |id| input.names.get(id);
                let conv = implicit_conversation(n(m.shop), n(m.customer), n(agent));
                input.messages[i].conv = input.names.intern(&conv);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::ingest::parse_messages_csv;

    #[test]
    fn bot_names_with_and_without_a_shop() {
        let bots = Bots::new(&["小店:小助手".into()]);
        for b in ["店铺:服务助手", "店小蜜", "阿里店小蜜", "旗舰店：智能客服", "小店:小助手"]
        {
            assert!(bots.is_bot(b), "{b}");
        }
        for h in ["店铺:小美", "服务助手小美", "别家:小助手x", ""] {
            assert!(!bots.is_bot(h), "{h}");
        }
    }

    #[test]
    fn the_customer_talks_to_the_last_human_before_else_the_first_after() {
        use Event::*;
        assert_eq!(assign(&[Needs, Needs, Human(7), Needs, Other, Human(9), Needs]), [7, 7, 0, 7, 0, 0, 9]);
        assert_eq!(assign(&[Needs, Other]), [0, 0]);
    }

    /// The header-layout case of the issue, as a CSV: the shop robot answers in 2 s, a human in 40 s. The robot is a
    /// bot, the customer's message belongs to the human, and the conversation is the human's.
    #[test]
    fn a_robot_answer_belongs_to_no_agent_and_does_not_own_the_turn() {
        let text = "时间,店铺,买家,客服,发送方,内容\n\
                    2026-11-11 10:00:00,店,tb_a,店:服务助手,买家,在吗\n\
                    2026-11-11 10:00:02,店,tb_a,店:服务助手,客服,您好，我是智能助手\n\
                    2026-11-11 10:00:40,店,tb_a,店:小美,客服,亲在的\n\
                    2026-11-11 10:05:00,店,tb_b,店:店小蜜,买家,有货吗\n";
        let mut input = Input::default();
        parse_messages_csv(text, "messages.csv", &Settings::default(), &mut input).unwrap();
        resolve(&mut input, &Bots::new(&[]));
        let got: Vec<(&str, Sender, &str)> =
            input.messages.iter().map(|m| (input.name(m.agent), m.sender, input.name(m.conv))).collect();
        assert_eq!(
            got,
            [
                ("店:小美", Sender::Customer, "店/tb_a/店:小美"),
                ("店:小美", Sender::Bot, "店/tb_a/店:小美"),
                ("店:小美", Sender::Agent, "店/tb_a/店:小美"),
                ("", Sender::Customer, "店/tb_b/"),
            ]
        );
    }
}
