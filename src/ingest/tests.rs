//! Ingest's convergence: whatever order a payment's provider events arrive
//! in, and however often each is delivered, the payment ends with the same
//! movements, figures and status.

use std::time::Instant;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::apply::{Delivery, Processing, process};
use crate::domain::{PaymentStatus, Provider, SignatureCheck};
use crate::store::Store;
use crate::testing::{get, now, shop};

/// One Stripe event about TEST2001's payment (`pi_3Ndef`, charge `ch_P`,
/// 59.90 EUR), built from the documented objects.
fn event(id: &str, kind: &str, created: i64, object: Value) -> Vec<u8> {
    json!({
        "id": id, "object": "event", "type": kind, "created": created,
        "data": {"object": object},
    })
    .to_string()
    .into_bytes()
}

/// The history: a retry after a decline, the capture, a partial refund that
/// goes pending then succeeded, another that fails, a chargeback opened and
/// won, an inquiry opened and closed.
fn history() -> Vec<Vec<u8>> {
    let t = now().timestamp() - 1000;
    let pi = |status: &str| {
        json!({"id": "pi_3Ndef", "object": "payment_intent", "amount": 5990,
               "amount_received": if status == "succeeded" { 5990 } else { 0 },
               "currency": "eur", "status": status, "latest_charge": "ch_P"})
    };
    let refund = |id: &str, amount: i64, status: &str| {
        json!({"id": id, "object": "refund", "amount": amount, "currency": "eur",
               "status": status, "charge": "ch_P", "payment_intent": "pi_3Ndef"})
    };
    let dispute = |id: &str, status: &str| {
        json!({"id": id, "object": "dispute", "amount": 5990, "currency": "eur",
               "status": status, "charge": "ch_P", "payment_intent": "pi_3Ndef"})
    };
    vec![
        event(
            "evt_1",
            "payment_intent.payment_failed",
            t,
            pi("requires_payment_method"),
        ),
        event(
            "evt_2",
            "payment_intent.processing",
            t + 10,
            pi("processing"),
        ),
        event("evt_3", "payment_intent.succeeded", t + 20, pi("succeeded")),
        event(
            "evt_4",
            "refund.created",
            t + 30,
            refund("re_1", 1000, "pending"),
        ),
        event(
            "evt_5",
            "refund.updated",
            t + 40,
            refund("re_1", 1000, "succeeded"),
        ),
        event(
            "evt_6",
            "refund.created",
            t + 50,
            refund("re_2", 2000, "pending"),
        ),
        event(
            "evt_7",
            "refund.failed",
            t + 60,
            refund("re_2", 2000, "failed"),
        ),
        event(
            "evt_8",
            "charge.dispute.created",
            t + 70,
            dispute("dp_1", "needs_response"),
        ),
        event(
            "evt_9",
            "charge.dispute.closed",
            t + 80,
            dispute("dp_1", "won"),
        ),
        event(
            "evt_10",
            "charge.dispute.created",
            t + 90,
            dispute("dp_2", "warning_needs_response"),
        ),
        event(
            "evt_11",
            "charge.dispute.closed",
            t + 100,
            dispute("dp_2", "warning_closed"),
        ),
    ]
}

/// A fresh shop with TEST2001's payment back to pending and its ledger
/// empty, so that the history is all it knows.
fn fresh() -> Store {
    let store = shop();
    store
        .conn()
        .execute_batch(
            "UPDATE payments SET status = 'pending', completed_at = NULL, captured_minor = NULL,
                    captured_currency = NULL, charge_id = 'ch_P', status_source = 'provider'
             WHERE reference = 'pi_3Ndef';
             UPDATE orders SET payment_status = 'pending', paid_at = NULL WHERE number = 'TEST2001';
             DELETE FROM movements WHERE payment_id =
                 (SELECT id FROM payments WHERE reference = 'pi_3Ndef');",
        )
        .unwrap();
    store
}

/// Delivers `bodies` in order; returns the payment's status, figures and
/// movements (as a sorted list of their facts).
fn deliver(bodies: &[&Vec<u8>]) -> (PaymentStatus, crate::domain::Figures, Vec<String>) {
    let mut store = fresh();
    for body in bodies {
        let delivery = Delivery {
            received_at: now(),
            started: Instant::now(),
            path: "/webhooks/stripe",
            remote_addr: None,
            signature: SignatureCheck::Verified,
            requested_by: None,
            source: crate::domain::LogSource::Webhook,
        };
        let done = process(&mut store, Provider::Stripe, body, &delivery, None);
        assert!(matches!(done, Processing::Done(_)), "{done:?}");
    }
    let (_, payment) = get(&store, "TEST2001");
    let payment = payment.unwrap();
    let mut facts: Vec<String> = store
        .reader()
        .movements(payment.id)
        .unwrap()
        .into_iter()
        .map(|s| {
            let m = s.movement;
            format!("{:?} {} {:?} {}", m.flow, m.amount, m.provider_id, m.at)
        })
        .collect();
    facts.sort();
    (payment.status, payment.figures(), facts)
}

#[test]
fn the_history_in_order_ends_completed_with_its_money() {
    let all = history();
    let (status, f, _) = deliver(&all.iter().collect::<Vec<_>>());
    assert_eq!(status, PaymentStatus::Completed);
    assert_eq!(f.captured, 5990);
    assert_eq!(f.refunded, 1000);
    assert_eq!(f.refunds_failed, 2000);
    assert_eq!(f.disputed, 0);
    assert_eq!(f.lost, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any permutation of the events, with any of them delivered twice,
    /// gives the same movements, figures and status; refunded + lost never
    /// exceed captured.
    #[test]
    fn any_order_and_any_duplicate_converge(
        order in Just((0..11usize).collect::<Vec<_>>()).prop_shuffle(),
        again in prop::collection::vec(0..11usize, 0..6),
    ) {
        let all = history();
        let in_order = deliver(&all.iter().collect::<Vec<_>>());
        let mut bodies: Vec<&Vec<u8>> = order.iter().map(|&i| &all[i]).collect();
        for (k, &i) in again.iter().enumerate() {
            let at = (k * 3) % (bodies.len() + 1);
            bodies.insert(at, &all[i]);
        }
        let shuffled = deliver(&bodies);
        prop_assert_eq!(&shuffled, &in_order);
        let f = shuffled.1;
        prop_assert!(f.refunded + f.lost <= f.captured);
    }
}
