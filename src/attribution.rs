//! Order attribution (SPEC §3): which agent an order is credited to.
//!
//! An order with an `agent_id` in orders.csv belongs to that agent (the shop said so). Otherwise it belongs to
//! the agent of the customer's latest session that *started* within the attribution window [72 h] before the
//! order was created (a session starting at the very moment of creation counts); the session's agent is the one
//! who received its first customer message. An order with neither is 静默下单 (a silent order), counted for the
//! shop and for no agent. When both the order and the session name a shop, they must name the same one — unless
//! no order names a shop of the chat at all: then the order export writes the shop otherwise than the chat
//! (店铺名称 `暖暖女装官方店` beside the accounts `暖暖女装旗舰店:小美`), and orders are matched with the customer's
//! sessions at any shop rather than every one coming out 静默下单. Where some orders name the chat's shops, an order
//! of another shop is that shop's: silent unless it names its agent. `ingest::checks::shops` warns about both.
//!
//! Pure: sessions and orders in, one `Attribution` per order out (same order as the input), no I/O.

use crate::model::{Order, Ts};
use crate::sessions::Session;
use rayon::slice::ParallelSliceMut;

/// How an order found its agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// `agent_id` given in orders.csv.
    Explicit,
    /// The customer's latest session started within the window before the order.
    Chat,
    /// No agent: 静默下单.
    Silent,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Explicit => "explicit",
            Via::Chat => "chat",
            Via::Silent => "silent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attribution {
    /// The credited agent's name id; 0 for a silent order.
    pub agent: u32,
    /// The session the order is credited through (index into the sessions), for `Via::Chat`; for an explicit
    /// order, the customer's latest session in the window when there is one.
    pub session: Option<u32>,
    pub via: Via,
}

/// Attributes every order. `window` is the attribution window in seconds.
pub(crate) fn attribute(orders: &[Order], sessions: &[Session], window: i64) -> Vec<Attribution> {
    // Sessions by customer, then start time (ties: the later session in the list, i.e. the later conversation),
    // in one sorted vector: a map of one vector per customer cost more than a second at 10 M messages.
    let mut by_customer: Vec<(u32, Ts, u32)> =
        sessions.iter().enumerate().map(|(i, s)| (s.customer, s.start, i as u32)).collect();
    by_customer.par_sort_unstable();
    let chat_shops = shops(sessions);
    // No order names a shop of the chat: the shops are written otherwise, not other shops.
    let written_otherwise = !orders.iter().any(|o| chat_shops.contains(&o.shop));
    orders
        .iter()
        .map(|o| {
            // The customer's sessions started at or before the order, newest first, while still inside the window.
            let from = by_customer.partition_point(|&(c, _, _)| c < o.customer);
            let upto = by_customer.partition_point(|&(c, start, _)| (c, start) <= (o.customer, o.created));
            let latest = by_customer[from..upto]
                .iter()
                .rev()
                .take_while(|&&(_, start, _)| start >= o.created - window)
                .find(|&&(_, _, i)| {
                    let s = &sessions[i as usize];
                    o.shop == 0 || s.shop == 0 || s.shop == o.shop || written_otherwise
                })
                .map(|&(_, _, i)| i);
            if o.agent != 0 {
                Attribution { agent: o.agent, session: latest, via: Via::Explicit }
            } else if let Some(i) = latest {
                Attribution { agent: sessions[i as usize].agent, session: Some(i), via: Via::Chat }
            } else {
                Attribution { agent: 0, session: None, via: Via::Silent }
            }
        })
        .collect()
}

/// The shops the sessions name (a few), distinct.
pub(crate) fn shops(sessions: &[Session]) -> Vec<u32> {
    let mut shops: Vec<u32> = Vec::new();
    let mut last = 0;
    for s in sessions {
        if s.shop != 0 && s.shop != last {
            last = s.shop;
            if !shops.contains(&s.shop) {
                shops.push(s.shop);
            }
        }
    }
    shops
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    fn session(customer: u32, agent: u32, start: Ts) -> Session {
        Session {
            conv: 0,
            no: 1,
            first: 0,
            len: 1,
            start,
            end: start + 60,
            shop: 1,
            customer,
            agent,
            customer_msgs: 1,
            agent_msgs: 1,
            bot_msgs: 0,
            system_msgs: 0,
        }
    }

    fn order(customer: u32, created: Ts, agent: u32) -> Order {
        Order { id: 1, customer, shop: 1, created, paid: None, amount: 100.0, agent, status: 0 }
    }

    // Customer 7 chats with agent 10 at t=0 and with agent 20 at t=10 h.
    fn two_agents() -> Vec<Session> {
        vec![session(7, 10, 0), session(7, 20, 10 * H)]
    }

    #[test]
    fn the_latest_session_before_the_order_wins() {
        let a = attribute(&[order(7, 11 * H, 0)], &two_agents(), 72 * H);
        assert_eq!(a[0], Attribution { agent: 20, session: Some(1), via: Via::Chat });
    }

    #[test]
    fn a_session_after_the_order_does_not_count() {
        // Ordered at 5 h: only agent 10's session (t=0) had started.
        let a = attribute(&[order(7, 5 * H, 0)], &two_agents(), 72 * H);
        assert_eq!(a[0], Attribution { agent: 10, session: Some(0), via: Via::Chat });
    }

    #[test]
    fn the_window_is_inclusive_and_ends_at_72_hours() {
        let s = vec![session(7, 10, 0)];
        assert_eq!(attribute(&[order(7, 72 * H, 0)], &s, 72 * H)[0].via, Via::Chat);
        assert_eq!(attribute(&[order(7, 72 * H + 1, 0)], &s, 72 * H)[0].via, Via::Silent);
        assert_eq!(attribute(&[order(7, 0, 0)], &s, 72 * H)[0].via, Via::Chat, "session starting at creation");
    }

    #[test]
    fn an_explicit_agent_wins_over_the_chat() {
        let a = attribute(&[order(7, 11 * H, 30)], &two_agents(), 72 * H);
        assert_eq!(a[0], Attribution { agent: 30, session: Some(1), via: Via::Explicit });
    }

    #[test]
    fn another_customer_or_shop_is_silent() {
        let a = attribute(&[order(8, 11 * H, 0)], &two_agents(), 72 * H);
        assert_eq!(a[0], Attribution { agent: 0, session: None, via: Via::Silent });
        // Shop 2 is a shop of the chat (customer 9 wrote to it): customer 7 never did.
        let mut sessions = two_agents();
        sessions.push(Session { shop: 2, ..session(9, 30, 0) });
        let mut other_shop = order(7, 11 * H, 0);
        other_shop.shop = 2;
        assert_eq!(attribute(&[other_shop], &sessions, 72 * H)[0].via, Via::Silent);
    }

    #[test]
    fn orders_naming_no_shop_of_the_chat_at_all_are_matched_at_any_shop() {
        // Shop 3 is no shop of the chat: the order export names the shop otherwise.
        let mut elsewhere = order(7, 11 * H, 0);
        elsewhere.shop = 3;
        let a = attribute(&[elsewhere], &two_agents(), 72 * H);
        assert_eq!(a[0], Attribution { agent: 20, session: Some(1), via: Via::Chat });
        assert_eq!(shops(&two_agents()), [1]);
        // Beside an order of the chat's shop, it is another shop's order: silent.
        let a = attribute(&[elsewhere, order(7, 11 * H, 0)], &two_agents(), 72 * H);
        assert_eq!((a[0].via, a[1].via), (Via::Silent, Via::Chat));
    }
}
