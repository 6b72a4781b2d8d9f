//! Parsing through [`parse`](super::parse), whatever the provider: the
//! rooms side by side, and hostile input against both.

use super::*;
use crate::domain::{Flow, RefundState};
use serde_json::Value;

#[test]
fn unknown_types_are_ignored_without_reading_the_object() {
    let body = br#"{"id":"evt_1","type":"customer.created","data":{"object":"nonsense"}}"#;
    let e = parse(Provider::Stripe, body).unwrap();
    assert_eq!(e.kind, EventKind::Ignored);
    assert_eq!(e.event_type, "customer.created");
    let body = br#"{"id":"WH-1","event_type":"BILLING.PLAN.CREATED"}"#;
    assert_eq!(
        parse(Provider::Paypal, body).unwrap().kind,
        EventKind::Ignored
    );
}

#[test]
fn cash_has_no_webhooks() {
    let body = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{}}}"#;
    let err = parse(Provider::Cash, body).unwrap_err();
    assert!(err.is_malformed(), "{err}");
    assert_eq!(err.to_string(), "no webhook support for cash yet");
}

#[test]
fn each_provider_reads_only_its_own_shape() {
    // A Stripe body through Wave's parser: a type Wave does not send.
    let body = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{}}}"#;
    assert_eq!(
        parse(Provider::Wave, body).unwrap().kind,
        EventKind::Ignored
    );
    // A Wave body through Stripe's: not one of Stripe's types either.
    let body = br#"{"id":"AE_1","type":"checkout.session.completed","data":{"id":"cos-1"}}"#;
    assert_eq!(
        parse(Provider::Stripe, body).unwrap().kind,
        EventKind::Ignored
    );
    assert_eq!(
        parse(
            Provider::Wave,
            crate::testing::wave_sample("checkout.session.completed.elitecars.json").as_slice()
        )
        .unwrap()
        .kind,
        EventKind::Succeeded
    );
}

/// Hostile input: any bytes and any JSON, event-shaped or not, parse into
/// an event or an [`EventError`], never a panic; and what parses keeps the
/// promises the matching relies on.
mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, json};

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/webhook-samples");

    const STRIPE_TYPES: [&str; 19] = [
        "payment_intent.succeeded",
        "invoice.payment_succeeded",
        "invoice_payment.paid",
        "payment_intent.payment_failed",
        "payment_intent.processing",
        "payment_intent.requires_action",
        "payment_intent.amount_capturable_updated",
        "payment_intent.canceled",
        "charge.refunded",
        "charge.refund.updated",
        "refund.created",
        "refund.failed",
        "charge.dispute.created",
        "charge.dispute.updated",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated",
        "charge.dispute.closed",
        "customer.created",
        "refund.updated",
    ];
    const PAYPAL_TYPES: [&str; 17] = [
        "PAYMENT.SALE.COMPLETED",
        "PAYMENT.CAPTURE.COMPLETED",
        "PAYMENT.SALE.DENIED",
        "PAYMENT.CAPTURE.DENIED",
        "PAYMENT.SALE.PENDING",
        "PAYMENT.CAPTURE.PENDING",
        "PAYMENT.SALE.REFUNDED",
        "PAYMENT.CAPTURE.REFUNDED",
        "PAYMENT.SALE.REVERSED",
        "PAYMENT.CAPTURE.REVERSED",
        "CUSTOMER.DISPUTE.CREATED",
        "CUSTOMER.DISPUTE.UPDATED",
        "CUSTOMER.DISPUTE.RESOLVED",
        "PAYMENT.CAPTURE.DECLINED",
        "BILLING.PLAN.CREATED",
        "payment.sale.completed",
        "",
    ];
    const WAVE_TYPES: [&str; 7] = [
        "checkout.session.completed",
        "checkout.session.payment_failed",
        "merchant.payment_received",
        "b2b.payment_received",
        "b2b.payment_failed",
        "test.test_event",
        "",
    ];
    /// The keys the parser looks at, so that random objects reach its branches.
    const KEYS: [&str; 66] = [
        "transaction_id",
        "client_reference",
        "checkout_status",
        "payment_status",
        "last_payment_error",
        "code",
        "when_created",
        "when_completed",
        "fee",
        "custom_fields",
        "id",
        "type",
        "event_type",
        "created",
        "create_time",
        "data",
        "object",
        "resource",
        "payment_intent",
        "latest_charge",
        "charges",
        "charge",
        "metadata",
        "order_id",
        "status",
        "amount",
        "amount_received",
        "amount_paid",
        "amount_refunded",
        "amount_captured",
        "currency",
        "value",
        "total",
        "currency_code",
        "links",
        "rel",
        "href",
        "sale_id",
        "capture_id",
        "parent_payment",
        "supplementary_data",
        "related_ids",
        "disputed_transactions",
        "seller_transaction_id",
        "dispute_amount",
        "dispute_outcome",
        "outcome_code",
        "custom_id",
        "invoice_id",
        "invoice_number",
        "custom",
        "seller_payable_breakdown",
        "total_refunded_amount",
        "status_details",
        "amount_capturable",
        "captured",
        "refunds",
        "has_more",
        "payment",
        "state",
        "dispute_id",
        "dispute_life_cycle_stage",
        "amount_refunded",
        "update_time",
        "capture_id",
        "invoice",
    ];
    const WORDS: [&str; 37] = [
        "45000.5",
        "expired",
        "XOF",
        "990",
        "payment_intent",
        "charge",
        "invoice",
        "dispute",
        "eur",
        "EUR",
        "xof",
        "KWD",
        "zzz",
        "",
        " ",
        "-0.01",
        "--1",
        "12.345",
        "1e3",
        "99999999999999999999",
        "lost",
        "up",
        "sale",
        "capture",
        "https://api.paypal.com/v1/payments/sale/ABC?x=1#y",
        "/",
        "RESOLVED_BUYER_FAVOUR",
        "2026-11-21T10:00:00Z",
        "refund",
        "invoice_payment",
        "succeeded",
        "warning_closed",
        "INQUIRY",
        "PENDING",
        "COMPLETED",
        "ACCEPTED",
        "RESOLVED_WITH_PAYOUT",
    ];

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            (-10_000i64..1_000_000).prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            prop::sample::select(WORDS.to_vec()).prop_map(|s| json!(s)),
            "\\PC{0,12}".prop_map(Value::String),
            "[ -~]{0,300}".prop_map(Value::String),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..6).prop_map(
                    |kv| {
                        Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                    }
                ),
            ]
        })
    }

    fn ident() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => "[a-zA-Z0-9_-]{1,30}".prop_map(Value::String),
            1 => leaf(),
        ]
    }

    /// An event of a known (or nearly known) type with random contents.
    fn event_like() -> impl Strategy<Value = (Provider, Value)> {
        let stripe = (
            ident(),
            prop::sample::select(STRIPE_TYPES.to_vec()),
            leaf(),
            value(),
        )
            .prop_map(|(id, t, created, object)| {
                (
                    Provider::Stripe,
                    json!({"id": id, "type": t, "created": created, "data": {"object": object}}),
                )
            });
        let paypal = (
            ident(),
            prop::sample::select(PAYPAL_TYPES.to_vec()),
            leaf(),
            value(),
        )
            .prop_map(|(id, t, time, resource)| {
                (
                    Provider::Paypal,
                    json!({"id": id, "event_type": t, "create_time": time, "resource": resource}),
                )
            });
        let wave = (ident(), prop::sample::select(WAVE_TYPES.to_vec()), value())
            .prop_map(|(id, t, data)| (Provider::Wave, json!({"id": id, "type": t, "data": data})));
        prop_oneof![stripe, paypal, wave]
    }

    /// Every sample body (the ledger ones included, bare objects too),
    /// with its provider.
    fn samples() -> Vec<(Provider, Value)> {
        let mut out = Vec::new();
        for (dir, provider) in [
            ("stripe", Provider::Stripe),
            ("stripe/ledger", Provider::Stripe),
            ("paypal", Provider::Paypal),
            ("paypal/ledger", Provider::Paypal),
        ] {
            let mut paths: Vec<_> = std::fs::read_dir(format!("{SAMPLES}/{dir}"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "json")
                        && !p.to_string_lossy().contains("signature_vectors")
                })
                .collect();
            paths.sort();
            for p in paths {
                let v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
                out.push((provider, v));
            }
        }
        let wave = crate::testing::wave_sample("checkout.session.completed.elitecars.json");
        out.push((Provider::Wave, serde_json::from_slice(&wave).unwrap()));
        out
    }

    /// Every path to a value inside `v` (object keys and array indexes).
    fn paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(prefix.clone());
        let children: Vec<(String, &Value)> = match v {
            Value::Object(map) => map.iter().map(|(k, c)| (k.clone(), c)).collect(),
            Value::Array(list) => list
                .iter()
                .enumerate()
                .map(|(i, c)| (i.to_string(), c))
                .collect(),
            _ => Vec::new(),
        };
        for (k, c) in children {
            prefix.push(k);
            paths(c, prefix, out);
            prefix.pop();
        }
    }

    fn replace(v: &mut Value, path: &[String], new: Value) {
        let Some((first, rest)) = path.split_first() else {
            *v = new;
            return;
        };
        let child = match v {
            Value::Object(map) => map.get_mut(first),
            Value::Array(list) => first.parse::<usize>().ok().and_then(|i| list.get_mut(i)),
            _ => None,
        };
        if let Some(child) = child {
            replace(child, rest, new);
        }
    }

    /// What every parsed event promises.
    fn check(provider: Provider, body: &[u8]) -> Result<(), TestCaseError> {
        match parse(provider, body) {
            Ok(e) => {
                prop_assert_eq!(e.provider, provider);
                for id in [&e.id, &e.event_type] {
                    prop_assert!(!id.is_empty() && id.len() <= 255);
                    prop_assert!(id.bytes().all(|b| b.is_ascii_graphic()));
                }
                for (i, r) in e.references.iter().enumerate() {
                    prop_assert!(!r.is_empty() && r.trim() == r);
                    prop_assert!(!e.references[..i].contains(r), "duplicate reference {r}");
                }
                for n in &e.order_numbers {
                    prop_assert!(!n.is_empty() && n.trim() == n);
                }
                if let Some(m) = e.amount {
                    prop_assert!(m.minor() >= 0);
                }
                if let EventKind::Refunded(r) = e.kind {
                    prop_assert!(r.amount.minor() >= 0);
                }
                if e.kind == EventKind::Ignored {
                    prop_assert!(e.references.is_empty() && e.amount.is_none());
                    prop_assert!(e.movements.is_empty());
                }
                for m in &e.movements {
                    prop_assert!(m.amount.minor() >= 0);
                    prop_assert_eq!(m.event_id.as_deref(), Some(e.id.as_str()));
                    if let Some(created) = e.created {
                        prop_assert_eq!(m.at, created);
                    }
                    // A refund naming nothing is a cumulative total, and
                    // only a succeeded one; a dispute always names something.
                    if m.provider_id.is_none() && m.key.is_none() {
                        prop_assert!(matches!(
                            m.flow,
                            Flow::Refund(RefundState::Succeeded)
                                | Flow::Captured
                                | Flow::Released
                                | Flow::Authorised
                        ));
                    }
                }
            }
            Err(err) => {
                // Every error says what is wrong, and short: it ends up in a log row.
                let text = err.to_string();
                prop_assert!(!text.is_empty());
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_bytes_are_an_event_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            for provider in [Provider::Stripe, Provider::Paypal, Provider::Wave] {
                check(provider, &bytes)?;
            }
        }

        #[test]
        fn any_json_is_an_event_or_an_error(v in value()) {
            let body = v.to_string();
            for provider in [Provider::Stripe, Provider::Paypal, Provider::Wave] {
                check(provider, body.as_bytes())?;
            }
        }

        #[test]
        fn any_event_shaped_json_is_an_event_or_an_error((provider, v) in event_like()) {
            check(provider, v.to_string().as_bytes())?;
        }

        #[test]
        fn a_real_event_with_random_parts_replaced_is_an_event_or_an_error(
            pick in any::<prop::sample::Index>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), value()), 1..4),
        ) {
            let all = samples();
            let (provider, mut v) = all[pick.index(all.len())].clone();
            for (at, new) in edits {
                let mut found = Vec::new();
                paths(&v, &mut Vec::new(), &mut found);
                let path = found[at.index(found.len())].clone();
                replace(&mut v, &path, new);
            }
            check(provider, v.to_string().as_bytes())?;
        }

        #[test]
        fn a_real_event_with_a_key_dropped_is_an_event_or_an_error(
            pick in any::<prop::sample::Index>(),
            drop_at in any::<prop::sample::Index>(),
        ) {
            let all = samples();
            let (provider, mut v) = all[pick.index(all.len())].clone();
            let mut found = Vec::new();
            paths(&v, &mut Vec::new(), &mut found);
            let path = found[drop_at.index(found.len())].clone();
            if let Some((last, parent)) = path.split_last() {
                replace(&mut v, parent, Value::Null);
                let _ = last;
            }
            check(provider, v.to_string().as_bytes())?;
            let _ = Map::<String, Value>::new();
        }
    }
}
