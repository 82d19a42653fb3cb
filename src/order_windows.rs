//! When a message can say something about an order (SPEC §3 催付 and unpaid reasons), shared by the text stage and
//! `payments`: an order is **pending** while created and unpaid (a reminder then counts for it), and an order unpaid
//! at the end has a **reason window** around its creation (a reason signal then can be its reason). `SignalScope`
//! tells the text stage, before it runs, which messages `payments` can use a signal of, so that it looks for signal
//! rules only there (same figures, less text read).
//!
//! Depends only on the model: below both the text stage and `payments`, which read it.

use crate::model::{Input, Message, Order, Sender, Ts};

/// The order is created and not yet paid at `ts`: a reminder then counts for it.
pub fn pending(o: &Order, ts: Ts) -> bool {
    o.created <= ts && o.paid.is_none_or(|p| p > ts)
}

/// The order is unpaid at the end of the data and `ts` lies within `window` of its creation: a reason signal then
/// can be its reason.
pub(crate) fn reason_window(o: &Order, ts: Ts, window: i64) -> bool {
    o.paid.is_none() && ts >= o.created - window && ts <= o.created + window
}

/// The orders of each customer, in input order: `of(customer)` gives their indices in `Input::orders`.
pub(crate) struct OrdersByCustomer {
    /// Customer `c`'s orders are `index[starts[c]..starts[c + 1]]`.
    starts: Vec<u32>,
    index: Vec<u32>,
}

impl OrdersByCustomer {
    pub fn new(orders: &[Order]) -> OrdersByCustomer {
        let customers = orders.iter().map(|o| o.customer as usize + 1).max().unwrap_or(0);
        let customer = |i: &u32| orders[*i as usize].customer as usize;
        let mut index: Vec<u32> = (0..orders.len() as u32).collect();
        index.sort_by_key(customer);
        let starts = (0..=customers).map(|c| index.partition_point(|i| customer(i) < c) as u32).collect();
        OrdersByCustomer { starts, index }
    }

    #[inline]
    pub fn of(&self, customer: u32) -> &[u32] {
        let c = customer as usize;
        match self.starts.get(c..c + 2) {
            Some(range) => &self.index[range[0] as usize..range[1] as usize],
            None => &[],
        }
    }
}

/// The messages whose signals a figure can use: an agent message while an order of its customer is pending (a
/// reminder), and every customer message (a reason: of an order unpaid at the end, within its window, or of a lost
/// inquiry, SPEC §8, whose customer has no order to window by). The text stage looks for signal rules only there;
/// elsewhere a signal would change no figure.
pub struct SignalScope<'a> {
    orders: &'a [Order],
    /// `None`: every message is in scope.
    by_customer: Option<OrdersByCustomer>,
}

impl<'a> SignalScope<'a> {
    pub fn new(input: &'a Input) -> SignalScope<'a> {
        SignalScope { orders: &input.orders, by_customer: Some(OrdersByCustomer::new(&input.orders)) }
    }

    /// Every message (signals found wherever their rules match, as in a rule test).
    pub fn everywhere() -> SignalScope<'static> {
        SignalScope { orders: &[], by_customer: None }
    }

    /// Whether `m` is in the scope. `orders` keeps the last customer's orders: the text stage asks for every
    /// message, and a conversation's messages share their customer.
    #[inline]
    pub fn wants(&self, m: &Message, orders: &mut CustomerOrders) -> bool {
        let Some(by_customer) = &self.by_customer else { return true };
        if m.sender == Sender::Customer {
            return true;
        }
        if orders.customer != Some(m.customer) {
            orders.customer = Some(m.customer);
            orders.orders.clear();
            orders.orders.extend(by_customer.of(m.customer).iter().map(|&i| self.orders[i as usize]));
        }
        m.sender == Sender::Agent && orders.orders.iter().any(|o| pending(o, m.ts))
    }
}

/// One customer's orders, copied side by side for `SignalScope::wants`: looked up once per customer rather than
/// once per message, whose lookups (customer → order indices → orders) missed the cache after each cut.
#[derive(Default)]
pub struct CustomerOrders {
    customer: Option<u32>,
    orders: Vec<Order>,
}
