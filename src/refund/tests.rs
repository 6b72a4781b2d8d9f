//! Tests of the refund room against a fake provider (no network): what the
//! owner relies on is that a refund is asked for once, recorded once, and
//! that every refusal changes nothing.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;

use super::issue::{self, Outcome, Request};
use super::{Call, Provide, Reply};
use crate::domain::{IntentState, Money, OrderPaymentStatus, PaymentStatus, Provider, RefundState};
use crate::ops::Select;
use crate::providers::issued::IssuedRefund;
use crate::store::Store;
use crate::testing::{get, shop};

/// A fake provider: answers from a script, records every call.
struct Fake {
    replies: RefCell<VecDeque<Reply>>,
    calls: RefCell<Vec<(&'static str, Call)>>,
    configured: Vec<Provider>,
}

impl Fake {
    fn new(replies: Vec<Reply>) -> Fake {
        Fake {
            replies: RefCell::new(replies.into()),
            calls: RefCell::new(Vec::new()),
            configured: vec![Provider::Stripe, Provider::Paypal, Provider::Wave],
        }
    }

    fn next(&self, kind: &'static str, call: &Call) -> Reply {
        self.calls.borrow_mut().push((kind, call.clone()));
        self.replies
            .borrow_mut()
            .pop_front()
            .expect("a scripted reply")
    }

    fn keys(&self) -> Vec<(&'static str, String)> {
        self.calls
            .borrow()
            .iter()
            .map(|(k, c)| (*k, c.key.clone()))
            .collect()
    }
}

impl Provide for Fake {
    fn configured(&self, provider: Provider) -> Result<bool, String> {
        Ok(self.configured.contains(&provider))
    }
    fn refund(&self, call: &Call) -> Reply {
        self.next("refund", call)
    }
    fn lookup(&self, call: &Call) -> Reply {
        self.next("lookup", call)
    }
    fn in_flight(&self) -> Duration {
        Duration::from_millis(300)
    }
}

fn refunded(id: &str, minor: i64) -> Reply {
    Reply::Refund(IssuedRefund {
        id: id.to_owned(),
        state: RefundState::Succeeded,
        amount: Some(Money::from_stored(minor, "EUR").unwrap()),
        at: None,
    })
}

fn all() -> Request<'static> {
    Request {
        select: Select::Main,
        amount: None,
        reason: None,
    }
}

fn run(store: &mut Store, api: &Fake, number: &str, request: &Request<'_>) -> Outcome {
    let mut quiet = |_: &crate::i18n::Msg| {};
    match issue::prepare(store, api, number, request, &mut quiet) {
        Ok((plan, _)) => issue::execute(store, api, &plan, "alice", &mut quiet),
        Err(o) => o,
    }
}

fn intents(store: &Store, number: &str) -> Vec<(IntentState, Option<String>)> {
    let (o, _) = get(store, number);
    store
        .reader()
        .refund_intents_of_order(o.id)
        .unwrap()
        .into_iter()
        .map(|i| (i.state, i.provider_refund_id))
        .collect()
}

#[test]
fn a_full_refund_is_recorded_as_the_providers_refund_and_the_payment_follows() {
    let mut store = shop();
    let api = Fake::new(vec![refunded("re_1", 5990)]);
    let out = run(&mut store, &api, "TEST2001", &all());
    assert!(matches!(out, Outcome::Refunded { .. }), "{out:?}");
    assert_eq!(out.code(), 0);
    let calls = api.calls.borrow();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].1.target, "pi_3Ndef");
    assert_eq!(calls[0].1.amount.to_string(), "59.90 EUR");
    assert_eq!(calls[0].1.actor, "alice");
    drop(calls);
    let (o, p) = get(&store, "TEST2001");
    let p = p.unwrap();
    assert_eq!(p.refunded_minor, 5990);
    assert_eq!(p.status, PaymentStatus::Cancelled);
    assert_eq!(o.payment_status, OrderPaymentStatus::Refunded);
    let refund = store
        .reader()
        .movements(p.id)
        .unwrap()
        .into_iter()
        .find(|m| m.movement.provider_id.as_deref() == Some("re_1"))
        .expect("the refund movement, keyed by the provider's id");
    assert_eq!(refund.movement.amount.minor(), 5990);
    assert_eq!(
        intents(&store, "TEST2001"),
        [(IntentState::Succeeded, Some("re_1".to_owned()))]
    );
    // Nothing is left: a second refund is refused by tally, no call made.
    let out = run(&mut store, &api, "TEST2001", &all());
    assert!(
        matches!(&out, Outcome::Refused { reason } if reason.contains("keeps nothing")),
        "{out:?}"
    );
    assert_eq!(api.calls.borrow().len(), 1);
}

#[test]
fn a_timed_out_refund_is_unknown_and_its_retry_sends_the_same_key() {
    let mut store = shop();
    let api = Fake::new(vec![
        Reply::NoAnswer("Stripe: create refund: no answer within 1 s".into()),
        refunded("re_1", 5990),
    ]);
    let out = run(&mut store, &api, "TEST2001", &all());
    let Outcome::Unknown { message } = &out else {
        panic!("{out:?}")
    };
    assert_eq!(out.code(), 2);
    assert!(
        message.contains("run `tally refund TEST2001` again"),
        "{message}"
    );
    assert_eq!(intents(&store, "TEST2001"), [(IntentState::Unknown, None)]);
    let before = get(&store, "TEST2001").1.unwrap();
    assert_eq!(before.refunded_minor, 0, "nothing recorded as refunded");
    // The owner runs it again: the open intent is settled with its own key
    // first; it gave everything back, which is what the run reports.
    let out = run(&mut store, &api, "TEST2001", &all());
    assert!(
        matches!(&out, Outcome::Refunded { summary } if summary.contains("is succeeded (re_1)")),
        "{out:?}"
    );
    let keys = api.keys();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the retry reuses the key");
    assert_eq!(
        intents(&store, "TEST2001"),
        [(IntentState::Succeeded, Some("re_1".to_owned()))]
    );
    assert_eq!(get(&store, "TEST2001").1.unwrap().refunded_minor, 5990);
}

#[test]
fn an_intent_older_than_the_key_is_settled_by_a_lookup() {
    let mut store = shop();
    let (o, p) = get(&store, "TEST2001");
    let p = p.unwrap();
    let old = chrono::Utc::now() - chrono::TimeDelta::hours(30);
    store
        .write(|tx| {
            let i = tx.insert_refund_intent(&crate::store::refunds::NewIntent {
                order_id: o.id,
                payment_id: p.id,
                provider: Provider::Stripe,
                target: "pi_3Ndef",
                amount: Money::from_stored(1000, "EUR").unwrap(),
                reason: None,
                key: "tally_ri_old",
                actor: "bob",
                now: old,
            })?;
            tx.settle_refund_intent(i.id, IntentState::Unknown, None, Some("timeout"), old)
        })
        .unwrap();
    let api = Fake::new(vec![Reply::NotFound, refunded("re_2", 5990)]);
    let out = run(&mut store, &api, "TEST2001", &all());
    assert!(matches!(out, Outcome::Refunded { .. }), "{out:?}");
    let keys = api.keys();
    assert_eq!(keys[0], ("lookup", "tally_ri_old".to_owned()));
    assert_eq!(keys[1].0, "refund");
    assert_ne!(keys[1].1, "tally_ri_old", "a new intent, a new key");
    assert_eq!(
        intents(&store, "TEST2001"),
        [
            (IntentState::Failed, None),
            (IntentState::Succeeded, Some("re_2".to_owned()))
        ]
    );
}

#[test]
fn a_refusal_by_tally_changes_nothing_and_calls_no_one() {
    let mut store = shop();
    let api = Fake::new(Vec::new());
    let before = get(&store, "TEST2001");
    let over = Request {
        amount: Some("60.00"),
        ..all()
    };
    let out = run(&mut store, &api, "TEST2001", &over);
    assert!(
        matches!(&out, Outcome::Refused { reason } if reason.contains("more than")),
        "{out:?}"
    );
    assert_eq!(out.code(), 1);
    // A pending payment keeps nothing; cash is refunded by hand.
    let out = run(&mut store, &api, "TEST2003", &all());
    assert!(
        matches!(&out, Outcome::Refused { reason } if reason.contains("keeps nothing")),
        "{out:?}"
    );
    assert!(api.calls.borrow().is_empty());
    assert_eq!(get(&store, "TEST2001"), before);
    assert!(intents(&store, "TEST2001").is_empty());
}

#[test]
fn no_credentials_is_refused() {
    let mut store = shop();
    let mut api = Fake::new(Vec::new());
    api.configured.clear();
    let out = run(&mut store, &api, "TEST2001", &all());
    assert!(
        matches!(&out, Outcome::Refused { reason } if reason.contains("STRIPE_API_KEY")),
        "{out:?}"
    );
    assert!(intents(&store, "TEST2001").is_empty());
}

#[test]
fn a_partial_refund_keeps_the_payment_completed() {
    let mut store = shop();
    let api = Fake::new(vec![refunded("re_p", 1000)]);
    let part = Request {
        amount: Some("10.00"),
        reason: Some("requested_by_customer"),
        ..all()
    };
    let out = run(&mut store, &api, "TEST2001", &part);
    let Outcome::Refunded { summary } = &out else {
        panic!("{out:?}")
    };
    assert!(summary.contains("the order keeps 49.90 EUR"), "{summary}");
    assert_eq!(
        api.calls.borrow()[0].1.reason.as_deref(),
        Some("requested_by_customer")
    );
    let (o, p) = get(&store, "TEST2001");
    assert_eq!(p.unwrap().status, PaymentStatus::Completed);
    assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
}

#[test]
fn the_providers_refusal_is_recorded_and_moves_no_money() {
    let mut store = shop();
    let api = Fake::new(vec![Reply::Refused(
        "Stripe: create refund: 400 Charge ch_1 has already been refunded. (charge_already_refunded)"
            .into(),
    )]);
    let out = run(&mut store, &api, "TEST2001", &all());
    assert!(
        matches!(&out, Outcome::Refused { reason } if reason.contains("already been refunded")),
        "{out:?}"
    );
    assert_eq!(intents(&store, "TEST2001"), [(IntentState::Refused, None)]);
    assert_eq!(get(&store, "TEST2001").1.unwrap().refunded_minor, 0);
}

#[test]
fn several_payments_that_keep_money_need_payment() {
    let mut store = shop();
    // TEST2001 gets a second captured payment (a double charge).
    let (o, p) = get(&store, "TEST2001");
    let p = p.unwrap();
    store
        .write(|tx| {
            let mut second = p.clone();
            second.reference = Some("pi_second".into());
            second.attempt = 0;
            tx.insert_payment_with_ledger(
                &mut second,
                &[crate::domain::Movement::new(
                    crate::domain::Flow::Captured,
                    p.amount,
                    crate::testing::now(),
                )],
                crate::domain::MovementSource::Provider,
                crate::testing::now(),
            )
            .map(drop)
        })
        .unwrap();
    let api = Fake::new(vec![refunded("re_s", 5990)]);
    let out = run(&mut store, &api, "TEST2001", &all());
    let Outcome::Refused { reason } = &out else {
        panic!("{out:?}")
    };
    assert!(reason.contains("--payment"), "{reason}");
    assert!(
        reason.contains("pi_3Ndef") && reason.contains("pi_second"),
        "{reason}"
    );
    assert!(api.calls.borrow().is_empty());
    let chosen = Request {
        select: Select::Reference("pi_second"),
        ..all()
    };
    let out = run(&mut store, &api, "TEST2001", &chosen);
    assert!(matches!(out, Outcome::Refunded { .. }), "{out:?}");
    assert_eq!(api.calls.borrow()[0].1.target, "pi_second");
    assert_eq!(store.reader().payments_of_order(o.id).unwrap().len(), 2);
}
