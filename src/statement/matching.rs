//! Which payment a statement line is about.
//!
//! Provider ids first, then the order number the shop gave the provider:
//!
//! 1. any id of the line ([`LineIds::payment_keys`]: its own object, the
//!    PaymentIntent, the charge, PayPal's reference transaction, Wave's
//!    checkout session) that is a payment's reference, its charge id, or the
//!    provider id of one of its movements (a refund `re_…`, a dispute
//!    `dp_…`, a capture `ch_…`), for the same provider;
//! 2. else an order number the line names (Stripe metadata, PayPal invoice
//!    or custom number, Wave client reference): that order's payment by the
//!    same provider, its main payment first.
//!
//! Only lines about customers' payments are matched
//! ([`LineKind::is_customer`](super::LineKind::is_customer)); payouts, fees,
//! conversions and the rest are classified, not matched. Matching is done
//! in memory over [`Keys`] built in one pass from the shop, never one query
//! per line.

use std::collections::HashMap;

use super::LineIds;
use crate::domain::Provider;
use crate::domain::status::closed_enum;

closed_enum! {
    /// How a line found its payment (`statement_lines.matched_by`).
    MatchedBy, "match" {
        Id => "id",
        Order => "order",
    }
}

/// The shop's keys, for matching.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    ids: HashMap<(Provider, String), i64>,
    orders: HashMap<String, Vec<(Provider, i64)>>,
}

impl Keys {
    /// `id` names payment `payment_id` at `provider`. The first payment
    /// given an id keeps it.
    pub fn add_id(&mut self, provider: Provider, id: &str, payment_id: i64) {
        self.ids
            .entry((provider, id.to_owned()))
            .or_insert(payment_id);
    }

    /// Order `number` has payment `payment_id` at `provider`; give an
    /// order's main payment first.
    pub fn add_order_payment(&mut self, number: &str, provider: Provider, payment_id: i64) {
        self.orders
            .entry(number.to_owned())
            .or_default()
            .push((provider, payment_id));
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.orders.is_empty()
    }
}

/// The payment a line of `provider` is about, and how it was found.
pub fn match_line(provider: Provider, ids: &LineIds, keys: &Keys) -> Option<(i64, MatchedBy)> {
    for id in ids.payment_keys() {
        if let Some(&p) = keys.ids.get(&(provider, id.to_owned())) {
            return Some((p, MatchedBy::Id));
        }
    }
    ids.order_refs().find_map(|number| {
        keys.orders.get(number).and_then(|payments| {
            payments
                .iter()
                .find(|(p, _)| *p == provider)
                .map(|&(_, id)| (id, MatchedBy::Order))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        let mut k = Keys::default();
        k.add_id(Provider::Stripe, "pi_1", 1);
        k.add_id(Provider::Stripe, "ch_1", 1);
        k.add_id(Provider::Stripe, "re_1", 1);
        k.add_id(Provider::Paypal, "CAPTURE2", 2);
        k.add_order_payment("TEST1003", Provider::Wave, 3);
        k.add_order_payment("TEST1003", Provider::Stripe, 4);
        k.add_order_payment("TEST1005", Provider::Stripe, 5);
        k
    }

    fn ids(f: impl FnOnce(&mut LineIds)) -> LineIds {
        let mut i = LineIds::default();
        f(&mut i);
        i
    }

    #[test]
    fn provider_ids_first() {
        let k = keys();
        let refund = ids(|i| {
            i.own = Some("re_1".into());
            i.charge = Some("ch_1".into());
        });
        assert_eq!(
            match_line(Provider::Stripe, &refund, &k),
            Some((1, MatchedBy::Id))
        );
        // An id names a payment only at its own provider.
        assert_eq!(match_line(Provider::Paypal, &refund, &k), None);
        let paypal_refund = ids(|i| {
            i.own = Some("REFUND9".into());
            i.related = Some("CAPTURE2".into());
        });
        assert_eq!(
            match_line(Provider::Paypal, &paypal_refund, &k),
            Some((2, MatchedBy::Id))
        );
        // An id beats an order number that names another order.
        let both = ids(|i| {
            i.payment_intent = Some("pi_1".into());
            i.order_ref = Some("TEST1005".into());
        });
        assert_eq!(
            match_line(Provider::Stripe, &both, &k),
            Some((1, MatchedBy::Id))
        );
    }

    #[test]
    fn then_the_order_number_with_the_same_provider() {
        let k = keys();
        let wave = ids(|i| i.order_ref = Some("TEST1003".into()));
        assert_eq!(
            match_line(Provider::Wave, &wave, &k),
            Some((3, MatchedBy::Order))
        );
        assert_eq!(
            match_line(Provider::Stripe, &wave, &k),
            Some((4, MatchedBy::Order))
        );
        assert_eq!(match_line(Provider::Paypal, &wave, &k), None);
        let custom = ids(|i| {
            i.order_ref = Some("31".into());
            i.order_ref2 = Some("TEST1005".into());
        });
        assert_eq!(
            match_line(Provider::Stripe, &custom, &k),
            Some((5, MatchedBy::Order))
        );
        assert_eq!(match_line(Provider::Stripe, &LineIds::default(), &k), None);
    }
}
