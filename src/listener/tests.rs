//! The listener without sockets: requests through [`handle`] against the
//! test shop in memory, and the orphan and replay paths.

use std::time::Instant;

use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Value, json};
use sha2::Sha256;

use super::handler::{Body, Context, Handled, Request, WebhookConfig, WriteGate, handle};
use super::metrics::Metrics;
use crate::domain::{
    Currency, Money, OrderPaymentStatus, OrderStatus, PaymentStatus, StatusSource, Timestamp,
    parse_ts,
};
use crate::ingest::{apply, orphans};
use crate::providers::paypal::CertSource;
use crate::providers::stripe::sign_stripe;
use crate::report::{Filter, Rule, Settings as CheckSettings, scan};
use crate::store::Store;
use crate::testing::{events, get, now, sample, sample_json, shop};

const SECRET: &str = "whsec_test_secret";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/webhooks");
const TEST_CERT_URL: &str = "https://api-m.paypal.com/v1/notifications/certs/CERT-tally-test-0001";

/// A listener context over the test shop: Stripe with [`SECRET`], PayPal
/// with the test certificate pinned.
struct Harness {
    settings: WebhookConfig,
    certs: CertSource,
    metrics: Metrics,
    gate: WriteGate,
    now: Timestamp,
}

impl Harness {
    fn new() -> Harness {
        Harness::with_store(shop())
    }

    fn with_store(store: Store) -> Harness {
        let pem = std::fs::read(format!("{FIXTURES}/paypal-test-cert.pem")).unwrap();
        Harness {
            settings: WebhookConfig {
                stripe_secrets: vec![SECRET.to_owned()],
                paypal_webhook_id: Some("WH-TEST-ID".to_owned()),
                stripe_tolerance: 300,
                paypal_tolerance: Some(300),
                wave: wave::verifier(),
            },
            certs: CertSource::pinned(&pem).unwrap(),
            metrics: Metrics::new(),
            gate: WriteGate::new(store),
            now: now(),
        }
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Body<'_>,
    ) -> Handled {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        let req = Request {
            method,
            path,
            headers: &headers,
            body,
            remote_addr: Some("127.0.0.1:5555"),
            now: self.now,
            started: Instant::now(),
        };
        let mut ctx = Context {
            settings: &self.settings,
            gate: &self.gate,
            certs: Some(&self.certs),
            metrics: &self.metrics,
        };
        handle(&req, &mut ctx)
    }

    /// POSTs a Stripe body signed now with [`SECRET`].
    fn stripe(&mut self, body: &[u8]) -> Handled {
        let header = sign_stripe(SECRET, self.now.timestamp(), body).unwrap();
        self.send(
            "POST",
            "/webhooks/stripe",
            &[("Stripe-Signature", &header)],
            Body::Complete(body),
        )
    }

    /// POSTs a PayPal body signed now with the test key.
    fn paypal(&mut self, body: &[u8]) -> Handled {
        let time = crate::domain::format_ts(self.now);
        let headers = paypal_headers("tx-1", &time, "WH-TEST-ID", body);
        let refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.send("POST", "/webhooks/paypal", &refs, Body::Complete(body))
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.gate.enter()
    }

    fn count(&self, sql: &str) -> i64 {
        self.store()
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    /// Everything an event may change, to compare before and after.
    fn shop_state(&self) -> String {
        let mut out = String::new();
        let store = self.store();
        for table in [
            "orders",
            "payments",
            "audit_log",
            "provider_events",
            "orphans",
        ] {
            let mut stmt = store
                .conn()
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
                .unwrap();
            let n = stmt.column_count();
            let rows: Vec<String> = stmt
                .query_map([], |r| {
                    let cols: Vec<String> = (0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect();
                    Ok(cols.join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            out.push_str(&format!("{table}: {}\n", rows.join("\n")));
        }
        out
    }

    fn findings(&self, rule: Rule) -> Vec<String> {
        let settings = CheckSettings {
            now: self.now,
            stale_after: chrono::Duration::hours(48),
            prefer: None,
        };
        let filter = Filter {
            order: None,
            rules: [rule].into_iter().collect(),
        };
        scan::scan(&self.store().reader(), &settings, &filter)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| format!("{} {}", f.order.unwrap_or_default(), f.detail))
            .collect()
    }
}

fn paypal_headers(
    id: &str,
    time: &str,
    webhook_id: &str,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let pem = std::fs::read_to_string(format!("{FIXTURES}/paypal-test-key.pem")).unwrap();
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let message = format!("{id}|{time}|{webhook_id}|{}", crc32fast::hash(body));
    let signature = SigningKey::<Sha256>::new(key).sign(message.as_bytes());
    use base64::Engine as _;
    let sig = base64::engine::general_purpose::STANDARD.encode(signature.to_bytes());
    vec![
        ("PAYPAL-TRANSMISSION-ID", id.to_owned()),
        ("PAYPAL-TRANSMISSION-TIME", time.to_owned()),
        ("PAYPAL-CERT-URL", TEST_CERT_URL.to_owned()),
        ("PAYPAL-AUTH-ALGO", "SHA256withRSA".to_owned()),
        ("PAYPAL-TRANSMISSION-SIG", sig),
    ]
}

/// A Stripe event from a sample, with its own id, creation time and object
/// fields set.
fn stripe_event(kind: &str, id: &str, created: i64, object: Value) -> Vec<u8> {
    let mut v = sample_json(&format!("stripe/{kind}.json"));
    v["id"] = json!(id);
    v["created"] = json!(created);
    if let (Some(target), Some(fields)) = (v["data"]["object"].as_object_mut(), object.as_object())
    {
        for (k, val) in fields {
            target.insert(k.clone(), val.clone());
        }
    }
    v.to_string().into_bytes()
}

fn t(offset: i64) -> i64 {
    now().timestamp() + offset
}

fn pi(id: &str, amount: i64, currency: &str) -> Value {
    json!({"id": id, "amount": amount, "amount_received": amount, "currency": currency,
           "latest_charge": format!("ch_{id}")})
}

fn result(h: &Handled) -> (u16, String) {
    let body: Value = serde_json::from_str(&h.response.body).unwrap_or(Value::Null);
    (
        h.response.status,
        body["result"]
            .as_str()
            .unwrap_or(h.report.result)
            .to_owned(),
    )
}

#[test]
fn routes_methods_and_health() {
    let mut h = Harness::new();
    let before = h.shop_state();
    assert_eq!(
        h.send("GET", "/nope", &[], Body::Complete(b""))
            .response
            .status,
        404
    );
    let got = h.send("GET", "/webhooks/stripe", &[], Body::Complete(b""));
    assert_eq!(got.response.status, 405);
    assert_eq!(got.response.headers, [("Allow", "POST".to_owned())]);
    assert_eq!(
        h.send("POST", "/healthz", &[], Body::Complete(b""))
            .response
            .status,
        405
    );
    let health = h.send("GET", "/healthz", &[], Body::Complete(b""));
    assert_eq!(
        (health.response.status, health.response.body.as_str()),
        (200, "ok\n")
    );
    h.metrics
        .observe("stripe", "applied", std::time::Duration::from_millis(2));
    let metrics = h.send("GET", "/metrics?x=1", &[], Body::Complete(b""));
    assert_eq!(metrics.response.status, 200);
    assert!(
        metrics
            .response
            .body
            .contains("tally_webhook_requests_total")
    );
    assert_eq!(h.shop_state(), before);
    // The seed's paths, with or without their trailing slash.
    for path in [
        "/accounts/webhooks/stripe/",
        "/accounts/webhooks/stripe",
        "/webhooks/stripe/",
    ] {
        let body = stripe_event("payment_intent.processing", "evt_p", t(0), json!({}));
        let header = sign_stripe(SECRET, t(0), &body).unwrap();
        let got = h.send(
            "POST",
            path,
            &[("stripe-signature", &header)],
            Body::Complete(&body),
        );
        assert_eq!(got.response.status, 200, "{path}: {}", got.response.body);
    }
}

#[test]
fn refused_deliveries_change_nothing_and_keep_no_body() {
    let mut h = Harness::new();
    let before = h.shop_state();
    let body = stripe_event(
        "payment_intent.succeeded",
        "evt_1",
        t(0),
        pi("pi_3Nghi", 7990, "eur"),
    );
    let good = sign_stripe(SECRET, t(0), &body).unwrap();
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    let old = sign_stripe(SECRET, t(-301), &body).unwrap();
    let wrong = sign_stripe("whsec_other", t(0), &body).unwrap();
    /// (headers, body, expected status, expected signature outcome)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a [u8], u16, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (vec![], &body, 400, "missing"),
        (vec![("Stripe-Signature", "")], &body, 400, "missing"),
        (vec![("Stripe-Signature", "garbage")], &body, 400, "invalid"),
        (vec![("Stripe-Signature", &good)], &tampered, 400, "invalid"),
        (vec![("Stripe-Signature", &wrong)], &body, 400, "invalid"),
        (vec![("Stripe-Signature", &old)], &body, 400, "expired"),
    ];
    for (i, (headers, body, status, signature)) in cases.into_iter().enumerate() {
        let got = h.send("POST", "/webhooks/stripe", &headers, Body::Complete(body));
        assert_eq!(
            got.response.status, status,
            "case {i}: {}",
            got.response.body
        );
        assert!(!got.response.body.contains(SECRET));
        let logged: (String, String, Option<Vec<u8>>) = h
            .store()
            .conn()
            .query_row(
                "SELECT signature, result, body FROM webhook_log ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            logged,
            (signature.to_owned(), "rejected".to_owned(), None),
            "case {i}"
        );
    }
    let got = h.send("POST", "/webhooks/stripe", &[], Body::TooLarge);
    assert_eq!(got.response.status, 413);
    assert_eq!(h.shop_state(), before);
    assert_eq!(h.count("SELECT count(*) FROM webhook_log"), 7);
}

#[test]
fn an_unconfigured_provider_answers_503_and_says_why() {
    let mut h = Harness::new();
    h.settings.stripe_secrets.clear();
    h.settings.paypal_webhook_id = None;
    let got = h.stripe(b"{}");
    assert_eq!(got.response.status, 503);
    assert!(got.report.detail.unwrap().contains("STRIPE_WEBHOOK_SECRET"));
    let got = h.paypal(b"{}");
    assert_eq!(got.response.status, 503);
    assert!(got.report.detail.unwrap().contains("PAYPAL_WEBHOOK_ID"));
    assert_eq!(
        h.count("SELECT count(*) FROM webhook_log WHERE signature = 'unconfigured'"),
        2
    );
}

#[test]
fn a_signed_body_that_is_not_an_event_is_400() {
    let mut h = Harness::new();
    let before = h.shop_state();
    for body in [&b"{not json"[..], b"[1,2]", br#"{"type":"x"}"#] {
        assert_eq!(h.stripe(body).response.status, 400);
    }
    assert_eq!(h.shop_state(), before);
}

#[test]
fn a_success_completes_the_payment_and_pays_the_order_once() {
    let mut h = Harness::new();
    let body = stripe_event(
        "payment_intent.succeeded",
        "evt_ok",
        t(0),
        pi("pi_3Nghi", 7990, "eur"),
    );
    assert_eq!(result(&h.stripe(&body)), (200, "applied".to_owned()));
    let (o, p) = get(&h.store(), "TEST2003");
    let p = p.unwrap();
    assert_eq!(p.status, PaymentStatus::Completed);
    assert_eq!(p.status_source, StatusSource::Provider);
    assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
    assert_eq!(o.paid_at, Some(now()));
    assert_eq!(
        p.captured,
        Some(Money::parse("79.90", Currency::parse("EUR").unwrap()).unwrap())
    );
    assert_eq!(p.charge_id.as_deref(), Some("ch_pi_3Nghi"));
    assert_eq!(p.provider_status.as_deref(), Some("succeeded"));
    let audit = events(&h.store(), "TEST2003");
    assert_eq!(
        audit.last().unwrap(),
        &(
            "status_synchronized".to_owned(),
            "webhook:stripe:evt_ok".to_owned()
        )
    );
    let stored: Vec<u8> = h
        .store()
        .conn()
        .query_row(
            "SELECT body FROM webhook_log WHERE event_id = 'evt_ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, body, "the verified body is kept byte for byte");

    // The same event again: 200, nothing changes.
    let state = h.shop_state();
    assert_eq!(result(&h.stripe(&body)), (200, "duplicate".to_owned()));
    assert_eq!(h.shop_state(), state);
    assert_eq!(h.count("SELECT count(*) FROM webhook_log"), 2);
}

#[test]
fn out_of_order_events_end_in_the_right_state() {
    let mut h = Harness::new();
    let send = |h: &mut Harness, kind: &str, id: &str, created: i64| {
        let body = stripe_event(kind, id, created, pi("pi_3Nghi", 7990, "eur"));
        result(&h.stripe(&body))
    };
    // Sent: failed (t1), processing (t2, a retry), succeeded (t3); received
    // succeeded, failed, processing.
    assert_eq!(
        send(&mut h, "payment_intent.succeeded", "evt_3", t(-10)).1,
        "applied"
    );
    assert_eq!(
        send(&mut h, "payment_intent.payment_failed", "evt_1", t(-30)).1,
        "stale"
    );
    assert_eq!(
        send(&mut h, "payment_intent.processing", "evt_2", t(-20)).1,
        "stale"
    );
    let (o, p) = get(&h.store(), "TEST2003");
    assert_eq!(p.unwrap().status, PaymentStatus::Completed);
    assert_eq!(o.payment_status, OrderPaymentStatus::Paid);

    // A decline, then an older "processing": the decline stands.
    let mut h = Harness::new();
    assert_eq!(
        send(&mut h, "payment_intent.payment_failed", "evt_b", t(-10)).1,
        "applied"
    );
    assert_eq!(
        send(&mut h, "payment_intent.processing", "evt_a", t(-20)).1,
        "stale"
    );
    assert_eq!(
        get(&h.store(), "TEST2003").1.unwrap().status,
        PaymentStatus::Failed
    );
    // A newer retry moves it back to pending, then it succeeds.
    assert_eq!(
        send(&mut h, "payment_intent.requires_action", "evt_c", t(-5)).1,
        "applied"
    );
    let (o, p) = get(&h.store(), "TEST2003");
    let p = p.unwrap();
    assert_eq!(p.status, PaymentStatus::Pending);
    assert_eq!(p.provider_status.as_deref(), Some("requires_action"));
    assert_eq!(o.payment_status, OrderPaymentStatus::Pending);
    assert_eq!(
        send(&mut h, "payment_intent.succeeded", "evt_d", t(0)).1,
        "applied"
    );
    assert_eq!(
        get(&h.store(), "TEST2003").1.unwrap().status,
        PaymentStatus::Completed
    );
}

#[test]
fn cancel_and_fail_follow_the_table() {
    let mut h = Harness::new();
    let body = stripe_event(
        "payment_intent.canceled",
        "evt_c",
        t(0),
        pi("pi_3Nghi", 7990, "eur"),
    );
    assert_eq!(result(&h.stripe(&body)).1, "applied");
    let (o, p) = get(&h.store(), "TEST2003");
    // Nothing was captured: a failed attempt, not a refund.
    assert_eq!(p.unwrap().status, PaymentStatus::Failed);
    assert_eq!(o.payment_status, OrderPaymentStatus::Failed);
    // Cancelling a completed payment is not something a provider event does.
    let body = stripe_event(
        "payment_intent.canceled",
        "evt_c2",
        t(0),
        pi("pi_3Ndef", 5990, "eur"),
    );
    assert_eq!(result(&h.stripe(&body)).1, "stale");
    assert_eq!(
        get(&h.store(), "TEST2001").1.unwrap().status,
        PaymentStatus::Completed
    );
}

#[test]
fn refunds_partial_then_full_cancel_the_payment() {
    let mut h = Harness::new();
    let refund = |id: &str, refunded: i64| {
        stripe_event(
            "charge.refunded",
            id,
            t(0),
            // No refunds list (API 2022-11-15 and later): the cumulative
            // total is all the event says.
            json!({"id": "ch_3Ndef", "payment_intent": "pi_3Ndef", "amount": 5990,
                   "amount_captured": 5990, "amount_refunded": refunded, "currency": "eur",
                   "refunds": null}),
        )
    };
    assert_eq!(result(&h.stripe(&refund("evt_r1", 1000))).1, "applied");
    let (o, p) = get(&h.store(), "TEST2001");
    let p = p.unwrap();
    assert_eq!(p.status, PaymentStatus::Completed);
    assert_eq!(p.refunded_minor, 1000);
    assert_eq!(p.charge_id.as_deref(), Some("ch_3Ndef"));
    assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
    assert_eq!(
        events(&h.store(), "TEST2001").last().unwrap().0,
        "provider_event_recorded"
    );

    assert_eq!(result(&h.stripe(&refund("evt_r2", 5990))).1, "applied");
    let (o, p) = get(&h.store(), "TEST2001");
    let p = p.unwrap();
    assert_eq!(p.status, PaymentStatus::Cancelled);
    assert_eq!(p.refunded_minor, 5990);
    assert!(!p.refund_pending);
    assert_eq!(o.payment_status, OrderPaymentStatus::Refunded);
}

#[test]
fn a_refund_confirms_the_owners_cancel() {
    let mut h = Harness::new();
    crate::ops::cancel(&mut h.store(), "TEST2001", "alice", now()).unwrap();
    assert!(get(&h.store(), "TEST2001").1.unwrap().refund_pending);
    assert_eq!(h.findings(Rule::RefundAwaitingProvider).len(), 1);
    // Only the charge id: found through the charge the capture reported.
    h.store()
        .conn()
        .execute(
            "UPDATE payments SET charge_id = 'ch_X' WHERE reference = 'pi_3Ndef'",
            [],
        )
        .unwrap();
    let body = stripe_event(
        "charge.refunded",
        "evt_rf",
        t(0),
        json!({"id": "ch_X", "payment_intent": null, "amount": 5990, "amount_captured": 5990,
               "amount_refunded": 5990, "currency": "eur", "refunds": null}),
    );
    assert_eq!(result(&h.stripe(&body)).1, "applied");
    let (o, p) = get(&h.store(), "TEST2001");
    let p = p.unwrap();
    assert!(!p.refund_pending);
    assert_eq!(p.status, PaymentStatus::Cancelled);
    assert_eq!(o.status, OrderStatus::Cancelled);
    assert!(h.findings(Rule::RefundAwaitingProvider).is_empty());
}

#[test]
fn a_capture_after_the_owners_cancel_is_reported_as_cancelled_but_captured() {
    let mut h = Harness::new();
    crate::ops::cancel(&mut h.store(), "TEST2003", "alice", now()).unwrap();
    let body = stripe_event(
        "payment_intent.succeeded",
        "evt_late",
        t(0),
        pi("pi_3Nghi", 7990, "eur"),
    );
    let got = h.stripe(&body);
    assert_eq!(result(&got).1, "applied");
    let (o, p) = get(&h.store(), "TEST2003");
    assert_eq!(o.status, OrderStatus::Cancelled);
    assert_eq!(p.unwrap().status, PaymentStatus::Completed);
    let found = h.findings(Rule::CancelledButCaptured);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("TEST2003"));
}

#[test]
fn disputes_mark_clear_and_a_lost_one_cancels() {
    let mut h = Harness::new();
    h.store()
        .conn()
        .execute(
            "UPDATE payments SET charge_id = 'ch_D' WHERE reference = 'pi_3Ndef'",
            [],
        )
        .unwrap();
    let dispute = |kind: &str, id: &str, dispute: &str, status: &str| {
        let mut v = sample_json("stripe/charge.dispute.created.json");
        v["id"] = json!(id);
        v["type"] = json!(kind);
        v["created"] = json!(t(0));
        v["data"]["object"]["id"] = json!(dispute);
        v["data"]["object"]["charge"] = json!("ch_D");
        v["data"]["object"]["amount"] = json!(5990);
        v["data"]["object"]["currency"] = json!("eur");
        v["data"]["object"]["status"] = json!(status);
        v.to_string().into_bytes()
    };
    let got = h.stripe(&dispute(
        "charge.dispute.created",
        "evt_d1",
        "dp_1",
        "needs_response",
    ));
    assert_eq!(result(&got).1, "applied");
    assert!(get(&h.store(), "TEST2001").1.unwrap().disputed);
    assert_eq!(h.findings(Rule::Disputed).len(), 1);
    let got = h.stripe(&dispute("charge.dispute.closed", "evt_d2", "dp_1", "won"));
    assert_eq!(result(&got).1, "applied");
    let p = get(&h.store(), "TEST2001").1.unwrap();
    assert!(!p.disputed);
    assert_eq!(p.status, PaymentStatus::Completed);

    // A second chargeback, lost: the money is gone, the payment cancelled.
    h.stripe(&dispute(
        "charge.dispute.created",
        "evt_d3",
        "dp_2",
        "needs_response",
    ));
    h.stripe(&dispute("charge.dispute.closed", "evt_d4", "dp_2", "lost"));
    let (o, p) = get(&h.store(), "TEST2001");
    let p = p.unwrap();
    assert!(!p.disputed);
    assert_eq!(p.lost_minor, 5990);
    assert_eq!(p.status, PaymentStatus::Cancelled);
    assert_eq!(o.payment_status, OrderPaymentStatus::Refunded);
    assert_eq!(h.findings(Rule::DisputeLost).len(), 1);
}

#[test]
fn matching_by_order_number_records_the_reference() {
    let mut h = Harness::new();
    h.store()
        .conn()
        .execute(
            "UPDATE payments SET reference = NULL WHERE reference = 'pi_3Nghi'",
            [],
        )
        .unwrap();
    let mut object = pi("pi_NEW", 7990, "eur");
    object["metadata"] = json!({"order_id": "TEST2003"});
    let body = stripe_event("payment_intent.succeeded", "evt_m", t(0), object);
    assert_eq!(result(&h.stripe(&body)).1, "applied");
    let p = get(&h.store(), "TEST2003").1.unwrap();
    assert_eq!(p.reference.as_deref(), Some("pi_NEW"));
    assert_eq!(p.status, PaymentStatus::Completed);
}

#[test]
fn orphans_are_stored_and_a_second_charge_names_its_order() {
    let mut h = Harness::new();
    let audit_before = events(&h.store(), "TEST2003").len();
    let body = stripe_event(
        "payment_intent.succeeded",
        "evt_o1",
        t(0),
        pi("pi_UNKNOWN", 1500, "eur"),
    );
    let got = h.stripe(&body);
    assert_eq!(result(&got), (200, "orphan".to_owned()));
    assert_eq!(got.report.level, super::handler::Level::Warn);

    // A second PaymentIntent naming a known order is another attempt at
    // paying it, not an orphan.
    let mut object = pi("pi_SECOND", 7990, "eur");
    object["metadata"] = json!({"order_id": "TEST2003"});
    let body = stripe_event("payment_intent.succeeded", "evt_o2", t(0), object);
    assert_eq!(result(&h.stripe(&body)).1, "applied");

    let list = h.store().reader().orphans(false).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].reference.as_deref(), Some("pi_UNKNOWN"));
    assert_eq!(list[0].amount.as_deref(), Some("15.00 EUR"));
    assert_eq!(list[0].order_number, None);
    let order = get(&h.store(), "TEST2003").0;
    let attempts = h.store().reader().payments_of_order(order.id).unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].reference.as_deref(), Some("pi_SECOND"));
    assert_eq!(attempts[0].status, PaymentStatus::Completed);
    assert_eq!(order.payment_status, OrderPaymentStatus::Paid);
    // The payment holding pi_3Nghi was not touched; the one that keeps the
    // money is now the order's main payment.
    assert_eq!(attempts[1].reference.as_deref(), Some("pi_3Nghi"));
    assert_eq!(attempts[1].status, PaymentStatus::Pending);
    assert_eq!(
        get(&h.store(), "TEST2003").1.unwrap().reference.as_deref(),
        Some("pi_SECOND")
    );
    let found = h.findings(Rule::OrphanTransaction);
    assert_eq!(found.len(), 1, "{found:?}");
    // The new attempt and its capture are audited on the order.
    let audit = events(&h.store(), "TEST2003");
    assert_eq!(audit.len(), audit_before + 2, "{audit:?}");
    assert_eq!(audit[audit_before].0, "provider_event_recorded");
    assert_eq!(audit[audit_before + 1].0, "status_synchronized");
}

#[test]
fn linking_an_orphan_applies_it_and_dismissing_closes_it() {
    let mut h = Harness::new();
    let body = stripe_event(
        "payment_intent.succeeded",
        "evt_o",
        t(0),
        pi("pi_LOST", 7990, "eur"),
    );
    h.stripe(&body);
    let id = h.store().reader().orphans(false).unwrap()[0].id;
    // A wave payment cannot take a Stripe event.
    let err = orphans::link(&mut h.store(), id, "TEST2002", "alice", now()).unwrap_err();
    assert!(err.to_string().contains("Wave"), "{err}");
    let err = orphans::link(&mut h.store(), id, "NOPE", "alice", now()).unwrap_err();
    assert!(err.to_string().contains("NOPE"), "{err}");

    let done = orphans::link(&mut h.store(), id, "TEST2003", "alice", now()).unwrap();
    assert_eq!(done.result, crate::domain::LogResult::Applied);
    let p = get(&h.store(), "TEST2003").1.unwrap();
    assert_eq!(p.status, PaymentStatus::Completed);
    assert_eq!(
        p.reference.as_deref(),
        Some("pi_3Nghi"),
        "the reference is kept"
    );
    let audit = events(&h.store(), "TEST2003");
    assert!(
        audit.contains(&("orphan_linked".to_owned(), "alice".to_owned())),
        "{audit:?}"
    );
    assert!(h.store().reader().orphans(false).unwrap().is_empty());
    assert!(matches!(
        orphans::link(&mut h.store(), id, "TEST2003", "alice", now()),
        Err(orphans::OrphanError::Closed { .. })
    ));
    // The event is now applied: a redelivery is a duplicate.
    assert_eq!(result(&h.stripe(&body)).1, "duplicate");

    let body = stripe_event(
        "payment_intent.succeeded",
        "evt_o3",
        t(0),
        pi("pi_OTHER", 100, "eur"),
    );
    h.stripe(&body);
    let id = h.store().reader().orphans(false).unwrap()[0].id;
    let o = orphans::dismiss(&mut h.store(), id, Some("test charge"), "alice", now()).unwrap();
    assert_eq!(o.state, crate::domain::OrphanState::Dismissed);
    assert_eq!(o.note.as_deref(), Some("test charge"));
    assert!(h.findings(Rule::OrphanTransaction).is_empty());
    assert!(orphans::dismiss(&mut h.store(), 999, None, "alice", now()).is_err());
}

#[test]
fn a_processing_failure_answers_500_is_reported_and_a_retry_applies_it() {
    let mut h = Harness::new();
    let before = get(&h.store(), "TEST2003");
    h.store()
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
        )
        .unwrap();
    let body = stripe_event(
        "payment_intent.succeeded",
        "evt_f",
        t(0),
        pi("pi_3Nghi", 7990, "eur"),
    );
    let got = h.stripe(&body);
    assert_eq!(got.response.status, 500);
    assert_eq!(got.report.result, "error");
    assert_eq!(get(&h.store(), "TEST2003"), before, "nothing applied");
    let failed = h.findings(Rule::WebhookFailed);
    assert_eq!(failed.len(), 1);
    assert!(failed[0].contains("disk on fire"), "{failed:?}");
    let listed = h.store().reader().webhook_log(true, 10).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].replayable);

    h.store().conn().execute_batch("DROP TRIGGER boom").unwrap();
    assert_eq!(result(&h.stripe(&body)).1, "applied");
    assert_eq!(
        get(&h.store(), "TEST2003").1.unwrap().status,
        PaymentStatus::Completed
    );
    assert!(h.findings(Rule::WebhookFailed).is_empty());
    assert!(h.store().reader().webhook_log(true, 10).unwrap().is_empty());
}

#[test]
fn a_replay_reruns_a_failed_event_without_its_expired_signature() {
    let mut h = Harness::new();
    h.store()
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
        )
        .unwrap();
    let body = stripe_event(
        "payment_intent.payment_failed",
        "evt_rp",
        t(0),
        pi("pi_3Nghi", 7990, "eur"),
    );
    assert_eq!(h.stripe(&body).response.status, 500);
    h.store().conn().execute_batch("DROP TRIGGER boom").unwrap();
    let row = h.store().reader().webhook_log(true, 10).unwrap()[0].id;
    let later = now() + chrono::Duration::days(2);
    let replayed = orphans::replay(&mut h.store(), row, "alice", later).unwrap();
    let apply::Processing::Done(done) = replayed else {
        panic!("{replayed:?}")
    };
    assert_eq!(done.result, crate::domain::LogResult::Applied);
    assert_eq!(
        get(&h.store(), "TEST2003").1.unwrap().status,
        PaymentStatus::Failed
    );
    // Replaying again is a duplicate; a rejected row has no body to replay.
    let apply::Processing::Done(again) =
        orphans::replay(&mut h.store(), row, "alice", later).unwrap()
    else {
        panic!()
    };
    assert_eq!(again.result, crate::domain::LogResult::Duplicate);
    h.send("POST", "/webhooks/stripe", &[], Body::Complete(b"{}"));
    let rejected = h.store().reader().webhook_log(false, 1).unwrap()[0].id;
    assert!(matches!(
        orphans::replay(&mut h.store(), rejected, "alice", later),
        Err(orphans::OrphanError::NotReplayable(_))
    ));
}

#[test]
fn ignored_types_are_200_and_recorded() {
    let mut h = Harness::new();
    let body = br#"{"id":"evt_i","type":"customer.created","created":1,"data":{"object":{}}}"#;
    assert_eq!(result(&h.stripe(body)), (200, "ignored".to_owned()));
    assert_eq!(
        h.count("SELECT count(*) FROM provider_events WHERE state = 'ignored'"),
        1
    );
}

#[test]
fn real_paypal_deliveries_verify_and_a_flipped_byte_fails() {
    let vectors = sample_json("paypal/signature_vectors.json");
    for v in vectors["vectors"].as_array().unwrap() {
        let mut h = Harness::new();
        let pem = sample(&format!("paypal/{}", v["cert_file"].as_str().unwrap()));
        h.certs = CertSource::pinned(&pem).unwrap();
        h.settings.paypal_webhook_id = Some(v["webhook_id"].as_str().unwrap().to_owned());
        let headers: Vec<(String, String)> = v["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, val)| (k.clone(), val.as_str().unwrap().to_owned()))
            .collect();
        h.now = parse_ts(
            &headers
                .iter()
                .find(|(k, _)| k == "PAYPAL-TRANSMISSION-TIME")
                .unwrap()
                .1,
        )
        .unwrap();
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let body = sample(&format!("paypal/{}", v["body_file"].as_str().unwrap()));
        let name = v["body_file"].as_str().unwrap();

        let before = h.shop_state();
        let mut flipped = body.clone();
        flipped[body.len() / 2] ^= 1;
        let got = h.send("POST", "/webhooks/paypal", &refs, Body::Complete(&flipped));
        assert_eq!(got.response.status, 400, "{name}");
        h.settings.paypal_webhook_id = Some("WRONG".to_owned());
        assert_eq!(
            h.send("POST", "/webhooks/paypal", &refs, Body::Complete(&body))
                .response
                .status,
            400,
            "{name}"
        );
        assert_eq!(h.shop_state(), before, "{name}");

        h.settings.paypal_webhook_id = Some(v["webhook_id"].as_str().unwrap().to_owned());
        let got = h.send(
            "POST",
            "/accounts/webhooks/paypal/",
            &refs,
            Body::Complete(&body),
        );
        assert_eq!(got.response.status, 200, "{name}: {}", got.response.body);
        // None of these sales is in the test shop.
        assert_eq!(got.report.result, "orphan", "{name}");

        // A day later the same delivery is too old.
        h.now += chrono::Duration::days(1);
        let got = h.send("POST", "/webhooks/paypal", &refs, Body::Complete(&body));
        assert_eq!(got.response.status, 400, "{name}");
    }
}

#[test]
fn paypal_refuses_missing_headers_and_foreign_certificate_urls() {
    let mut h = Harness::new();
    let body = sample("paypal/PAYMENT.CAPTURE.COMPLETED.paypal-docs-pui.json");
    let time = crate::domain::format_ts(h.now);
    let headers = paypal_headers("tx-9", &time, "WH-TEST-ID", &body);
    for skip in 0..headers.len() {
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, (k, v))| (*k, v.as_str()))
            .collect();
        let got = h.send("POST", "/webhooks/paypal", &refs, Body::Complete(&body));
        assert_eq!(got.response.status, 400);
        assert!(
            got.response.body.contains(headers[skip].0),
            "{}",
            got.response.body
        );
    }
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| {
            if *k == "PAYPAL-CERT-URL" {
                (*k, "https://evil.example.com/cert.pem")
            } else {
                (*k, v.as_str())
            }
        })
        .collect();
    let got = h.send("POST", "/webhooks/paypal", &refs, Body::Complete(&body));
    assert_eq!(got.response.status, 400);
    assert!(got.response.body.contains("PAYPAL-CERT-URL"));
}

#[test]
fn paypal_capture_then_refund_through_the_capture_id() {
    let mut h = Harness::new();
    // TEST1014's PayPal payment holds the PayPal order id the capture names.
    let mut capture = sample_json("paypal/PAYMENT.CAPTURE.COMPLETED.paypal-docs-pui.json");
    capture["resource"]["amount"] = json!({"value": "89.90", "currency_code": "EUR"});
    let body = capture.to_string().into_bytes();
    let got = h.paypal(&body);
    assert_eq!(
        result(&got),
        (200, "applied".to_owned()),
        "{}",
        got.response.body
    );
    let (o, p) = get(&h.store(), "TEST1014");
    let p = p.unwrap();
    assert_eq!(p.status, PaymentStatus::Completed);
    assert_eq!(p.charge_id.as_deref(), Some("84745544P6340640G"));
    assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
    assert_eq!(
        events(&h.store(), "TEST1014").last().unwrap().1,
        "webhook:paypal:WH-6WA12701B00483532-15737896PW730511B"
    );

    let mut refund = sample_json("paypal/PAYMENT.CAPTURE.REFUNDED.json");
    refund["id"] = json!("WH-REFUND-1");
    refund["resource"]["amount"] = json!({"value": "89.90", "currency_code": "EUR"});
    refund["resource"]["seller_payable_breakdown"]["total_refunded_amount"] =
        json!({"value": "89.90", "currency_code": "EUR"});
    refund["resource"]["links"][1]["href"] =
        json!("https://api.paypal.com/v2/payments/captures/84745544P6340640G");
    let got = h.paypal(refund.to_string().as_bytes());
    assert_eq!(result(&got).1, "applied", "{}", got.response.body);
    let (o, p) = get(&h.store(), "TEST1014");
    assert_eq!(p.unwrap().status, PaymentStatus::Cancelled);
    assert_eq!(o.payment_status, OrderPaymentStatus::Refunded);
}

/// PayPal retries a failed delivery for 3 days and nothing says a retry is
/// signed afresh: by default no transmission-time window refuses it. With
/// `--paypal-tolerance` the window is back, with its old meaning.
#[test]
fn a_paypal_retry_three_days_late_applies_unless_a_window_is_set() {
    let mut capture = sample_json("paypal/PAYMENT.CAPTURE.COMPLETED.paypal-docs-pui.json");
    capture["resource"]["amount"] = json!({"value": "89.90", "currency_code": "EUR"});
    let body = capture.to_string().into_bytes();
    let sent = crate::domain::format_ts(now() - chrono::Duration::days(3));
    let headers = paypal_headers("tx-late", &sent, "WH-TEST-ID", &body);
    let refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();

    let mut windowed = Harness::new();
    let before = windowed.shop_state();
    let got = windowed.send("POST", "/webhooks/paypal", &refs, Body::Complete(&body));
    assert_eq!(result(&got), (400, "rejected".to_owned()));
    assert!(got.response.body.contains("old"), "{}", got.response.body);
    assert_eq!(windowed.shop_state(), before);

    let mut h = Harness::new();
    h.settings.paypal_tolerance = None;
    let got = h.send("POST", "/webhooks/paypal", &refs, Body::Complete(&body));
    assert_eq!(
        result(&got),
        (200, "applied".to_owned()),
        "{}",
        got.response.body
    );
    let (o, p) = get(&h.store(), "TEST1014");
    assert_eq!(p.unwrap().status, PaymentStatus::Completed);
    assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
    // The same retry again: a duplicate, nothing changes.
    let state = h.shop_state();
    let got = h.send("POST", "/webhooks/paypal", &refs, Body::Complete(&body));
    assert_eq!(result(&got), (200, "duplicate".to_owned()));
    assert_eq!(h.shop_state(), state);
}

#[test]
fn pruning_drops_old_bodies_keeps_what_is_still_needed_and_duplicates_stay_duplicates() {
    let mut h = Harness::new();
    let applied = stripe_event(
        "payment_intent.succeeded",
        "evt_old",
        t(0),
        pi("pi_3Nghi", 7990, "eur"),
    );
    assert_eq!(result(&h.stripe(&applied)).1, "applied");
    let orphan = stripe_event(
        "payment_intent.succeeded",
        "evt_orphan",
        t(0),
        pi("pi_UNKNOWN", 1500, "eur"),
    );
    assert_eq!(result(&h.stripe(&orphan)).1, "orphan");
    h.store()
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
        )
        .unwrap();
    let failing = stripe_event(
        "payment_intent.succeeded",
        "evt_failed",
        t(0),
        pi("pi_3Nabc", 45000, "xof"),
    );
    assert_eq!(h.stripe(&failing).response.status, 500);
    h.store().conn().execute_batch("DROP TRIGGER boom").unwrap();
    h.send("POST", "/webhooks/stripe", &[], Body::Complete(b"{}"));
    // Everything so far was received 40 days ago; one more row today.
    h.store()
        .conn()
        .execute_batch("UPDATE webhook_log SET received_at = '2026-10-12T12:00:00.000Z'")
        .unwrap();
    let today = stripe_event(
        "payment_intent.processing",
        "evt_today",
        t(0),
        json!({"id": "pi_3Nzzz"}),
    );
    h.stripe(&today);
    let rows = h.count("SELECT count(*) FROM webhook_log");
    let before = h.shop_state();

    let cutoff = h.now - chrono::Duration::days(30);
    let pruned = h
        .store()
        .write(|tx| tx.prune_webhook_bodies(cutoff))
        .unwrap();
    assert_eq!(
        pruned,
        crate::store::webhooks::Pruned {
            bodies: 1,
            addresses: 4,
            kept: 2
        }
    );
    let body_of = |id: &str| {
        h.count(&format!(
            "SELECT count(*) FROM webhook_log WHERE event_id = '{id}' AND body IS NOT NULL"
        ))
    };
    assert_eq!(body_of("evt_old"), 0);
    assert_eq!(
        body_of("evt_orphan"),
        1,
        "an open orphan can still be linked"
    );
    assert_eq!(
        body_of("evt_failed"),
        1,
        "a failed event can still be replayed"
    );
    assert_eq!(body_of("evt_today"), 1);
    assert_eq!(
        h.count("SELECT count(*) FROM webhook_log WHERE remote_addr IS NOT NULL"),
        1
    );
    assert_eq!(h.count("SELECT count(*) FROM webhook_log"), rows);
    assert_eq!(h.shop_state(), before, "provider_events untouched");

    // A re-delivery of the pruned event is still a duplicate and changes nothing.
    assert_eq!(result(&h.stripe(&applied)), (200, "duplicate".to_owned()));
    assert_eq!(h.shop_state(), before);
    // Pruning again finds nothing more to drop.
    let again = h
        .store()
        .write(|tx| tx.prune_webhook_bodies(cutoff))
        .unwrap();
    assert_eq!((again.bodies, again.addresses, again.kept), (0, 0, 2));
}

/// Hostile input through the whole pure handler: any method, path, headers
/// and body get an answer from a closed set of statuses, never a panic;
/// nothing unsigned changes the shop; every request but a health check or
/// a metrics scrape leaves exactly one log row.
mod properties {
    use super::*;
    use crate::providers::wave::sign_wave;
    use proptest::prelude::*;

    const STATUSES: [u16; 7] = [200, 400, 404, 405, 413, 500, 503];

    fn method() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(vec!["POST", "GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
                .prop_map(str::to_owned),
            1 => "[A-Za-z]{0,8}",
            1 => "\\PC{0,8}",
        ]
    }

    fn path() -> impl Strategy<Value = String> {
        let known = prop::sample::select(vec![
            "/webhooks/stripe",
            "/webhooks/stripe/",
            "/accounts/webhooks/stripe/",
            "/webhooks/paypal",
            "/accounts/webhooks/paypal",
            "/webhooks/wave",
            "/healthz",
            "/metrics",
            "/",
            "",
            "//webhooks/stripe",
            "/webhooks/stripe//",
            "/WEBHOOKS/STRIPE",
        ]);
        prop_oneof![
            4 => (known, prop_oneof![Just(String::new()), "[?#][ -~]{0,20}"])
                .prop_map(|(p, q)| format!("{p}{q}")),
            1 => "\\PC{0,40}",
            1 => "/[ -~]{0,60}",
        ]
    }

    fn header() -> impl Strategy<Value = (String, String)> {
        let name = prop_oneof![
            4 => prop::sample::select(vec![
                "Stripe-Signature",
                "stripe-signature",
                "PAYPAL-TRANSMISSION-ID",
                "PAYPAL-TRANSMISSION-TIME",
                "PAYPAL-CERT-URL",
                "paypal-auth-algo",
                "PAYPAL-TRANSMISSION-SIG",
                "Wave-Signature",
                "Authorization",
                "Content-Type",
                "X-Forwarded-For",
            ])
            .prop_map(str::to_owned),
            1 => "\\PC{0,12}",
        ];
        let value = prop_oneof![
            "\\PC{0,60}",
            "t=[0-9]{1,12},v1=[0-9a-f]{64}",
            Just(TEST_CERT_URL.to_owned()),
            Just("SHA256withRSA".to_owned()),
            "Bearer [ -~]{0,60}",
            Just("2026-11-21T12:00:00Z".to_owned()),
            "[A-Za-z0-9+/]{340,344}={0,2}",
        ];
        (name, value)
    }

    /// A body: random bytes, or a real event with a random part replaced.
    fn body() -> impl Strategy<Value = Option<Vec<u8>>> {
        let event = (
            prop::sample::select(vec![
                "stripe/payment_intent.succeeded.json",
                "stripe/charge.refunded.json",
                "stripe/charge.dispute.created.json",
                "stripe/invoice.payment_succeeded.json",
                "paypal/PAYMENT.CAPTURE.COMPLETED.json",
                "paypal/PAYMENT.SALE.REFUNDED.json",
            ]),
            prop::sample::select(vec![
                "/id",
                "/type",
                "/event_type",
                "/data/object/amount_received",
                "/data/object/currency",
                "/data/object/id",
                "/data/object/metadata",
                "/resource/amount",
                "/resource/id",
                "/resource",
                "/data",
            ]),
            prop_oneof![
                Just(Value::Null),
                any::<i64>().prop_map(|n| json!(n)),
                "\\PC{0,20}".prop_map(Value::String),
                Just(json!("pi_3Nghi")),
                Just(json!({"value": "-1", "currency_code": "EUR"})),
            ],
        )
            .prop_map(|(file, pointer, new)| {
                let mut v = sample_json(file);
                if let Some(slot) = v.pointer_mut(pointer) {
                    *slot = new;
                }
                Some(v.to_string().into_bytes())
            });
        let wave = (
            prop::sample::select(vec![
                "/id",
                "/type",
                "/data/amount",
                "/data/currency",
                "/data/id",
                "/data",
            ]),
            prop_oneof![
                Just(Value::Null),
                any::<i64>().prop_map(|n| json!(n)),
                "\\PC{0,20}".prop_map(Value::String),
                Just(json!("45000.5")),
            ],
        )
            .prop_map(|(pointer, new)| {
                let mut v: Value = serde_json::from_slice(&crate::testing::wave_sample(
                    "checkout.session.completed.elitecars.json",
                ))
                .unwrap();
                if let Some(slot) = v.pointer_mut(pointer) {
                    *slot = new;
                }
                Some(v.to_string().into_bytes())
            });
        prop_oneof![
            1 => Just(None),
            3 => prop::collection::vec(any::<u8>(), 0..300).prop_map(Some),
            4 => event,
            2 => wave,
        ]
    }

    fn logged_rows(h: &Harness) -> i64 {
        h.count("SELECT count(*) FROM webhook_log")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_request_gets_an_answer_and_only_signed_ones_change_the_shop(
            method in method(),
            path in path(),
            headers in prop::collection::vec(header(), 0..7),
            body in body(),
            sign in prop::sample::select(vec!["no", "no", "stripe", "paypal", "wave"]),
        ) {
            let mut h = Harness::new();
            let before = h.shop_state();
            let rows = logged_rows(&h);
            let mut headers: Vec<(String, String)> = headers;
            if let Some(bytes) = &body {
                match sign {
                    "stripe" => headers.insert(0, (
                        "Stripe-Signature".to_owned(),
                        sign_stripe(SECRET, h.now.timestamp(), bytes).unwrap(),
                    )),
                    "paypal" => {
                        let time = crate::domain::format_ts(h.now);
                        for (n, v) in paypal_headers("tx-p", &time, "WH-TEST-ID", bytes).into_iter().rev() {
                            headers.insert(0, (n.to_owned(), v));
                        }
                    }
                    "wave" => headers.insert(0, (
                        "Wave-Signature".to_owned(),
                        sign_wave(wave::SECRET, h.now.timestamp(), bytes).unwrap(),
                    )),
                    _ => {}
                }
            }
            let refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let got = h.send(
                &method,
                &path,
                &refs,
                body.as_deref().map_or(Body::TooLarge, Body::Complete),
            );
            let status = got.response.status;
            prop_assert!(STATUSES.contains(&status), "status {}", status);
            prop_assert!(!got.response.body.contains(SECRET));
            prop_assert!(!got.response.body.contains(wave::SECRET));
            if sign == "no" || body.is_none() {
                prop_assert_eq!(h.shop_state(), before, "an unsigned request changed the shop");
            }
            if status == 200 && got.report.provider.is_some() {
                let answer: Value = serde_json::from_str(&got.response.body).unwrap_or(Value::Null);
                prop_assert_eq!(&answer["received"], &json!(true));
            }
            let bare = path.split(['?', '#']).next().unwrap_or_default();
            let bare = bare.strip_suffix('/').unwrap_or(bare);
            let scrape = matches!(bare, "/healthz" | "/metrics") && matches!(method.as_str(), "GET" | "HEAD");
            prop_assert_eq!(logged_rows(&h) - rows, if scrape { 0 } else { 1 });
        }
    }
}

/// Wave deliveries through the handler: the route, both strategies, the
/// freshness default, and each event type against the test shop (TEST2002:
/// a Wave payment of 25000 XOF pending without a reference; TEST2004:
/// 35000 XOF, no payment yet).
mod wave {
    use super::*;
    use crate::providers::wave::{WaveAuth, WaveVerifier, sign_wave};
    use crate::testing::wave_sample;

    pub(super) const SECRET: &str =
        "wave_sn_WHS_testsecret0000000000000000000000000000000000000000";

    /// Wave with [`SECRET`], the signing strategy, no timestamp window.
    pub(super) fn verifier() -> WaveVerifier {
        WaveVerifier {
            secrets: vec![SECRET.to_owned()],
            auth: WaveAuth::Signing,
            tolerance: None,
        }
    }

    impl Harness {
        /// POSTs a Wave body signed at `t` with [`SECRET`].
        fn wave_at(&mut self, body: &[u8], t: i64) -> Handled {
            let header = sign_wave(SECRET, t, body).unwrap();
            self.send(
                "POST",
                "/webhooks/wave",
                &[("Wave-Signature", &header)],
                Body::Complete(body),
            )
        }

        fn wave(&mut self, body: &[u8]) -> Handled {
            let t = self.now.timestamp();
            self.wave_at(body, t)
        }

        /// The orders, payments and audit rows: what "nothing changed" means
        /// for an event tally logs but does not act on.
        fn books(&self) -> String {
            let state = self.shop_state();
            let (books, _) = state.split_once("provider_events:").unwrap();
            let movements = self.count("SELECT count(*) FROM movements");
            format!("{books}movements: {movements}")
        }
    }

    /// The real `checkout.session.completed` body with its id, session,
    /// transaction, order number and amount set.
    fn checkout(id: &str, session: &str, order: Option<&str>, amount: &str) -> Value {
        let mut v: Value =
            serde_json::from_slice(&wave_sample("checkout.session.completed.elitecars.json"))
                .unwrap();
        v["id"] = json!(id);
        let data = &mut v["data"];
        data["id"] = json!(session);
        data["client_reference"] = json!(order);
        data["amount"] = json!(amount);
        data["transaction_id"] = json!(format!("T{}", session.trim_start_matches("cos-")));
        data["when_created"] = json!("2026-11-21T11:50:00Z");
        data["when_completed"] = json!("2026-11-21T11:51:00Z");
        v
    }

    /// The same session's `checkout.session.payment_failed`.
    fn failed(id: &str, session: &str, order: Option<&str>, checkout_status: &str) -> Value {
        let mut v = checkout(id, session, order, "25000");
        v["type"] = json!("checkout.session.payment_failed");
        let data = v["data"].as_object_mut().unwrap();
        data.remove("transaction_id");
        data.remove("when_completed");
        data.insert("checkout_status".into(), json!(checkout_status));
        data.insert("payment_status".into(), json!("processing"));
        data.insert(
            "last_payment_error".into(),
            json!({"code": "insufficient-funds", "message": "Insufficient balance"}),
        );
        v
    }

    /// A QR-code payment as documented (wave.md §1.3): net amount and fee.
    fn received(id: &str, tx: &str, fields: Value, amount: &str, fee: &str) -> Value {
        json!({"id": id, "type": "merchant.payment_received",
            "data": {"id": tx, "amount": amount, "fee": fee, "currency": "XOF",
                "sender_mobile": "+221761110001", "merchant_name": "Ma Boutique",
                "custom_fields": fields, "when_created": "2026-11-21T11:55:00Z"}})
    }

    fn bytes(v: &Value) -> Vec<u8> {
        v.to_string().into_bytes()
    }

    fn xof(amount: &str) -> Money {
        crate::testing::money(amount, "XOF")
    }

    #[test]
    fn a_completed_checkout_pays_the_order_records_the_session_and_a_duplicate_changes_nothing() {
        let mut h = Harness::new();
        let body = bytes(&checkout("AE_sn_1", "cos-abc", Some("TEST2002"), "25000"));
        assert_eq!(result(&h.wave(&body)), (200, "applied".to_owned()));
        let (o, p) = get(&h.store(), "TEST2002");
        let p = p.unwrap();
        assert_eq!(p.status, PaymentStatus::Completed);
        assert_eq!(p.status_source, StatusSource::Provider);
        assert_eq!(p.reference.as_deref(), Some("cos-abc"));
        assert_eq!(p.charge_id.as_deref(), Some("Tabc"));
        assert_eq!(p.captured, Some(xof("25000")));
        assert_eq!(p.provider_status.as_deref(), Some("succeeded"));
        assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
        assert_eq!(
            events(&h.store(), "TEST2002").last().unwrap(),
            &(
                "status_synchronized".to_owned(),
                "webhook:wave:AE_sn_1".to_owned()
            )
        );
        assert!(h.findings(Rule::AmountMismatch).is_empty());

        let state = h.shop_state();
        assert_eq!(result(&h.wave(&body)), (200, "duplicate".to_owned()));
        assert_eq!(h.shop_state(), state);
    }

    #[test]
    fn a_failed_attempt_keeps_the_payment_pending_and_the_session_then_matches_it() {
        let mut h = Harness::new();
        let body = bytes(&failed("AE_sn_f1", "cos-s1", Some("TEST2002"), "open"));
        assert_eq!(result(&h.wave(&body)), (200, "applied".to_owned()));
        let (o, p) = get(&h.store(), "TEST2002");
        let p = p.unwrap();
        assert_eq!(p.status, PaymentStatus::Pending);
        assert_eq!(
            p.provider_status.as_deref(),
            Some("processing (insufficient-funds)")
        );
        assert_eq!(p.reference.as_deref(), Some("cos-s1"));
        assert_eq!(p.captured, None);
        assert_eq!(o.payment_status, OrderPaymentStatus::Pending);

        // The retry succeeds; the event names no order, only the session.
        let body = bytes(&checkout("AE_sn_c1", "cos-s1", None, "25000"));
        assert_eq!(result(&h.wave(&body)), (200, "applied".to_owned()));
        let (o, p) = get(&h.store(), "TEST2002");
        assert_eq!(p.unwrap().status, PaymentStatus::Completed);
        assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
        // A late failure of the same session cannot undo the capture.
        let late = bytes(&failed("AE_sn_f2", "cos-s1", None, "open"));
        assert_eq!(result(&h.wave(&late)), (200, "stale".to_owned()));
        assert_eq!(
            get(&h.store(), "TEST2002").1.unwrap().status,
            PaymentStatus::Completed
        );
    }

    #[test]
    fn an_expired_session_fails_the_attempt() {
        let mut h = Harness::new();
        let body = bytes(&failed("AE_sn_x", "cos-x", Some("TEST2002"), "expired"));
        assert_eq!(result(&h.wave(&body)), (200, "applied".to_owned()));
        let (o, p) = get(&h.store(), "TEST2002");
        let p = p.unwrap();
        assert_eq!(p.status, PaymentStatus::Failed);
        assert_eq!(
            p.provider_status.as_deref(),
            Some("expired (insufficient-funds)")
        );
        assert_eq!(o.payment_status, OrderPaymentStatus::Failed);
    }

    #[test]
    fn a_qr_payment_captures_amount_plus_fee_and_matches_no_amount_mismatch() {
        let mut h = Harness::new();
        // 35000 paid: 34650 reached the wallet, Wave kept 350.
        let body = bytes(&received(
            "AE_sn_q",
            "T_QR1",
            json!({"order": "TEST2004"}),
            "34650",
            "350",
        ));
        assert_eq!(result(&h.wave(&body)), (200, "applied".to_owned()));
        let (o, p) = get(&h.store(), "TEST2004");
        let p = p.unwrap();
        assert_eq!(p.provider, crate::domain::Provider::Wave);
        assert_eq!(p.reference.as_deref(), Some("T_QR1"));
        assert_eq!(p.captured, Some(xof("35000")));
        assert_eq!(p.status, PaymentStatus::Completed);
        assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
        assert!(h.findings(Rule::AmountMismatch).is_empty());
        let fee: String = h
            .store()
            .conn()
            .query_row(
                "SELECT json_extract(details, '$.fee') FROM audit_log
                 WHERE actor = 'webhook:wave:AE_sn_q' AND json_extract(details, '$.fee') IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(fee, "350 XOF");
    }

    #[test]
    fn a_payment_for_no_known_order_is_an_orphan_and_the_test_event_changes_nothing() {
        let mut h = Harness::new();
        let before = h.books();
        let body = bytes(&received(
            "AE_sn_o",
            "T_ORPH",
            json!({"order": "NOPE"}),
            "990",
            "10",
        ));
        assert_eq!(result(&h.wave(&body)), (200, "orphan".to_owned()));
        let orphan: (String, String, String) = h
            .store()
            .conn()
            .query_row(
                "SELECT provider, reference, event_type FROM orphans",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            orphan,
            (
                "wave".to_owned(),
                "T_ORPH".to_owned(),
                "merchant.payment_received".to_owned()
            )
        );
        // The real body names no order and a session nobody holds.
        let real = wave_sample("checkout.session.completed.elitecars.json");
        assert_eq!(result(&h.wave(&real)), (200, "orphan".to_owned()));
        assert_eq!(h.findings(Rule::OrphanTransaction).len(), 2);

        let test = br#"{"id":"AE_sn_t","type":"test.test_event","data":{}}"#;
        assert_eq!(result(&h.wave(test)), (200, "ignored".to_owned()));
        assert!(
            h.books() == before,
            "orders, payments, movements or audit changed"
        );
    }

    #[test]
    fn an_amount_with_decimals_is_refused_and_reported() {
        let mut h = Harness::new();
        let before = get(&h.store(), "TEST2002");
        let body = bytes(&checkout("AE_sn_d", "cos-d", Some("TEST2002"), "25000.5"));
        let got = h.wave(&body);
        assert_eq!(got.response.status, 500);
        assert!(got.report.detail.unwrap().contains("25000.5"));
        assert_eq!(get(&h.store(), "TEST2002"), before);
        let failed = h.findings(Rule::WebhookFailed);
        assert_eq!(failed.len(), 1, "{failed:?}");
    }

    #[test]
    fn refused_deliveries_change_nothing() {
        let mut h = Harness::new();
        let before = h.shop_state();
        let body = bytes(&checkout("AE_sn_r", "cos-r", Some("TEST2002"), "25000"));
        let now = h.now.timestamp();
        let good = sign_wave(SECRET, now, &body).unwrap();
        let wrong = sign_wave("wave_sn_WHS_other", now, &body).unwrap();
        // Stripe's construction, `t.` + body, under the right secret.
        let dotted = {
            let mut message = format!("{now}.").into_bytes();
            message.extend_from_slice(&body);
            let mut mac =
                <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(SECRET.as_bytes()).unwrap();
            hmac::Mac::update(&mut mac, &message);
            format!(
                "t={now},v1={}",
                hex::encode(hmac::Mac::finalize(mac).into_bytes())
            )
        };
        let bearer = format!("Bearer {SECRET}");
        let tampered = crate::testing::flip_one_byte(&body);
        type Case<'a> = (Vec<(&'a str, &'a str)>, &'a [u8], &'a str);
        let cases: Vec<Case<'_>> = vec![
            (vec![], &body, "missing"),
            (vec![("Wave-Signature", " ")], &body, "missing"),
            (vec![("Authorization", &bearer)], &body, "missing"),
            (vec![("Wave-Signature", "t=1")], &body, "invalid"),
            (vec![("Wave-Signature", &wrong)], &body, "invalid"),
            (vec![("Wave-Signature", &dotted)], &body, "invalid"),
            (vec![("Wave-Signature", &good)], &tampered, "invalid"),
        ];
        for (i, (headers, body, signature)) in cases.into_iter().enumerate() {
            let got = h.send("POST", "/webhooks/wave", &headers, Body::Complete(body));
            assert_eq!(got.response.status, 400, "case {i}: {}", got.response.body);
            assert!(!got.response.body.contains(SECRET));
            let logged: (String, String) = h
                .store()
                .conn()
                .query_row(
                    "SELECT signature, provider FROM webhook_log ORDER BY id DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!(
                logged,
                (signature.to_owned(), "wave".to_owned()),
                "case {i}"
            );
        }
        assert_eq!(h.shop_state(), before);

        h.settings.wave.secrets.clear();
        let got = h.wave(&body);
        assert_eq!(got.response.status, 503);
        assert!(got.report.detail.unwrap().contains("WAVE_WEBHOOK_SECRET"));
        assert_eq!(h.shop_state(), before);
    }

    #[test]
    fn the_bearer_strategy_and_a_rotation() {
        let mut h = Harness::new();
        h.settings.wave.auth = WaveAuth::Bearer;
        h.settings.wave.secrets = vec![SECRET.to_owned(), "wave_sn_WHS_next".to_owned()];
        let body = bytes(&checkout("AE_sn_b", "cos-b", Some("TEST2002"), "25000"));
        // A signature is not what this webhook sends.
        assert_eq!(h.wave(&body).response.status, 400);
        let wrong = h.send(
            "POST",
            "/webhooks/wave",
            &[("Authorization", "Bearer wave_sn_WHS_other")],
            Body::Complete(&body),
        );
        assert_eq!(wrong.response.status, 400);
        let got = h.send(
            "POST",
            "/webhooks/wave",
            &[("authorization", "Bearer wave_sn_WHS_next")],
            Body::Complete(&body),
        );
        assert_eq!(result(&got), (200, "applied".to_owned()));
        assert_eq!(
            get(&h.store(), "TEST2002").1.unwrap().status,
            PaymentStatus::Completed
        );
    }

    #[test]
    fn no_timestamp_window_unless_one_is_set() {
        let mut h = Harness::new();
        let three_days_ago = h.now.timestamp() - 3 * 24 * 3600;
        let body = bytes(&checkout("AE_sn_old", "cos-old", Some("TEST2002"), "25000"));
        h.settings.wave.tolerance = Some(300);
        let got = h.wave_at(&body, three_days_ago);
        assert_eq!(got.response.status, 400);
        let signature: String = h
            .store()
            .conn()
            .query_row(
                "SELECT signature FROM webhook_log ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(signature, "expired");
        // The default: a retry signed three days ago is still Wave's.
        h.settings.wave.tolerance = None;
        assert_eq!(
            result(&h.wave_at(&body, three_days_ago)),
            (200, "applied".to_owned())
        );
    }

    #[test]
    fn metrics_count_wave_like_the_others() {
        let mut h = Harness::new();
        let body = bytes(&checkout("AE_sn_m", "cos-m", Some("TEST2002"), "25000"));
        let got = h.wave(&body);
        // The server counts what the handler reports: provider and result.
        assert_eq!(got.report.provider, Some(crate::domain::Provider::Wave));
        assert_eq!(got.report.result, "applied");
        let missing = h.send("POST", "/webhooks/wave", &[], Body::Complete(&body));
        assert_eq!(missing.report.provider, Some(crate::domain::Provider::Wave));
        assert_eq!(missing.report.result, "rejected");
    }
}
