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
        // A counting sort: each customer's count, their running sum (where each customer's orders start), then each
        // order into its customer's next place, in input order. (Sorting, then a binary search for each of the
        // 3 M ids at 10 M messages, took 0.15 s.)
        let mut starts = vec![0u32; customers + 1];
        for o in orders {
            starts[o.customer as usize + 1] += 1;
        }
        for c in 1..starts.len() {
            starts[c] += starts[c - 1];
        }
        let mut next = starts.clone();
        let mut index = vec![0u32; orders.len()];
        for (i, o) in orders.iter().enumerate() {
            let place = &mut next[o.customer as usize];
            index[*place as usize] = i as u32;
            *place += 1;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_customers_orders_in_input_order() {
        let order =
            |customer| Order { id: 0, customer, shop: 0, created: 0, paid: None, amount: 1.0, agent: 0, status: 0 };
        let orders: Vec<Order> = [3, 1, 3, 0, 1, 3].into_iter().map(order).collect();
        let by = OrdersByCustomer::new(&orders);
        assert_eq!((by.of(3), by.of(1), by.of(0)), (&[0, 2, 5][..], &[1, 4][..], &[3][..]));
        assert!(by.of(2).is_empty() && by.of(4).is_empty() && by.of(u32::MAX).is_empty());
        assert!(OrdersByCustomer::new(&[]).of(0).is_empty());
    }
}
