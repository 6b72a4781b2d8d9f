//! End-to-end tests of `tally serve` over a real socket: each test imports a
//! shop into its own temporary database, starts the real binary on
//! `127.0.0.1:0` (the first stderr line names the bound port), talks plain
//! HTTP/1.1 to it, and reads the database back with SQL.
//!
//! Stripe events are the samples of `../shared/webhook-samples/stripe/`
//! with their ids, amounts and metadata edited, re-serialised and signed
//! here. PayPal events are signed with the test-only key of
//! `fixtures/webhooks/`, whose certificate the listener pins.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::{BIN, Listener, Shop, manifest, unix_now};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Value, json};
use sha2::Sha256;
use tally::providers::stripe::sign_stripe;
use tempfile::TempDir;

const SECRET: &str = "whsec_e2e_secret";
const OLD_SECRET: &str = "whsec_e2e_previous";
const PAYPAL_ID: &str = "WH-E2E-WEBHOOK";
const CERT_URL: &str = "https://api.paypal.com/v1/notifications/certs/CERT-tally-e2e";

fn sample(rel: &str) -> Value {
    let path = manifest("../shared/webhook-samples").join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

// ---------------------------------------------------------------------------
// The shop
// ---------------------------------------------------------------------------

/// (number, provider, reference, payment status, captured) of the e2e shop.
/// Every order is consistent; totals are 50.00 EUR (Stripe) or 20.00 EUR
/// (PayPal).
const ROWS: &[(&str, &str, Option<&str>, &str, bool)] = &[
    ("S01", "stripe", Some("pi_S01"), "pending", false),
    ("S02", "stripe", Some("pi_S02"), "pending", false),
    ("S03", "stripe", Some("pi_S03"), "pending", false),
    ("S04", "stripe", Some("pi_S04"), "failed", false),
    ("S05", "stripe", Some("pi_S05"), "pending", false),
    ("S06", "stripe", Some("pi_S06"), "pending", false),
    ("S07", "stripe", Some("pi_S07"), "completed", true),
    ("S08", "stripe", Some("pi_S08"), "completed", true),
    ("S09", "stripe", None, "pending", false),
    ("S10", "stripe", Some("pi_S10"), "pending", false),
    ("P01", "paypal", Some("SALE01"), "pending", false),
    ("P02", "paypal", Some("CAP02"), "pending", false),
    ("P03", "paypal", Some("SALE03"), "pending", false),
    ("P04", "paypal", Some("CAP04"), "pending", false),
    ("P05", "paypal", Some("SALE05"), "failed", false),
    ("P06", "paypal", Some("CAP06"), "failed", false),
    ("P07", "paypal", Some("SALE07"), "completed", true),
    ("P08", "paypal", Some("CAP08"), "completed", true),
    ("P09", "paypal", Some("CAP09"), "completed", true),
    ("P10", "paypal", Some("CAP10"), "completed", true),
];

fn shop_json() -> Value {
    let mut orders = Vec::new();
    let mut payments = Vec::new();
    for &(number, provider, reference, status, captured) in ROWS {
        let total = if provider == "stripe" {
            "50.00"
        } else {
            "20.00"
        };
        let order_payment = match status {
            "completed" => "paid",
            other => other,
        };
        let mut order = json!({
            "number": number, "customer_name": "Test Customer",
            "customer_email": "test@example.com", "total": total, "currency": "EUR",
            "status": "pending", "payment_status": order_payment,
            "created_at": "2026-11-20T10:00:00Z",
        });
        let mut payment = json!({
            "order": number, "provider": provider, "reference": reference, "amount": total,
            "currency": "EUR", "status": status, "created_at": "2026-11-20T10:01:00Z",
        });
        if status == "completed" {
            order["paid_at"] = json!("2026-11-20T10:02:00Z");
            payment["completed_at"] = json!("2026-11-20T10:02:00Z");
        }
        if captured {
            payment["captured_amount"] = json!(total);
        }
        if provider == "stripe" && captured {
            payment["charge_id"] = json!(format!("ch_{number}"));
        }
        orders.push(order);
        payments.push(payment);
    }
    json!({"orders": orders, "payments": payments})
}

impl Shop {
    fn new() -> Shop {
        Shop::import(&shop_json())
    }

    /// (order payment status, payment status, provider status, disputed, refund pending).
    fn state(&self, number: &str) -> (String, String, Option<String>, bool, bool) {
        self.conn()
            .query_row(
                "SELECT o.payment_status, p.status, p.provider_status, p.disputed, p.refund_pending
                 FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.number = ?1",
                [number],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap()
    }

    /// Runs `tally --db DB ARGS` to completion: (exit code, stdout, stderr).
    fn tally(&self, args: &[&str]) -> (i32, String, String) {
        self.run(args, &[("STRIPE_WEBHOOK_SECRET", SECRET)])
    }
}

// ---------------------------------------------------------------------------
// The listener
// ---------------------------------------------------------------------------

impl Listener {
    fn start(shop: &Shop) -> Listener {
        Listener::start_with(shop, &[], &[])
    }

    fn start_with(shop: &Shop, args: &[&str], env: &[(&str, &str)]) -> Listener {
        let mut cmd = Listener::command(&shop.db, &["--bind", "127.0.0.1:0"]);
        cmd.args(if args.contains(&"--workers") {
            &[][..]
        } else {
            &["--workers", "3"][..]
        })
        .arg("--paypal-cert")
        .arg(manifest("fixtures/webhooks/paypal-test-cert.pem"))
        .args(args)
        .env("STRIPE_WEBHOOK_SECRET", format!("{OLD_SECRET},{SECRET}"))
        .env("PAYPAL_WEBHOOK_ID", PAYPAL_ID);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Listener::spawn(cmd)
    }

    /// POSTs a Stripe body signed now with the current secret.
    fn stripe(&self, body: &[u8]) -> (u16, Value) {
        let header = sign_stripe(SECRET, unix_now(), body).unwrap();
        let (status, text) = self.request(
            "POST",
            "/webhooks/stripe",
            &[("Stripe-Signature", header)],
            body,
        );
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// POSTs a PayPal body signed now with the test key.
    fn paypal(&self, body: &[u8]) -> (u16, Value) {
        let (status, text) = self.request(
            "POST",
            "/webhooks/paypal",
            &paypal_headers(body, PAYPAL_ID),
            body,
        );
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Sends `signal` and waits (at most 20 s) for the exit code.
    fn stop(mut self, signal: &str) -> Option<i32> {
        self.signal(signal);
        self.wait_exit(Duration::from_secs(20))
            .and_then(|status| status.code())
    }
}

fn paypal_headers(body: &[u8], webhook_id: &str) -> Vec<(&'static str, String)> {
    paypal_headers_at(body, webhook_id, chrono::Utc::now())
}

/// PayPal headers for a transmission signed at `sent`.
fn paypal_headers_at(
    body: &[u8],
    webhook_id: &str,
    sent: chrono::DateTime<chrono::Utc>,
) -> Vec<(&'static str, String)> {
    let pem = std::fs::read_to_string(manifest("fixtures/webhooks/paypal-test-key.pem")).unwrap();
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let id = format!("tx-{}", unix_now());
    let time = sent.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let message = format!("{id}|{time}|{webhook_id}|{}", crc32fast::hash(body));
    let sig = SigningKey::<Sha256>::new(key).sign(message.as_bytes());
    vec![
        ("PAYPAL-TRANSMISSION-ID", id),
        ("PAYPAL-TRANSMISSION-TIME", time),
        ("PAYPAL-CERT-URL", CERT_URL.to_owned()),
        ("PAYPAL-AUTH-ALGO", "SHA256withRSA".to_owned()),
        (
            "PAYPAL-TRANSMISSION-SIG",
            base64::engine::general_purpose::STANDARD.encode(sig.to_bytes()),
        ),
    ]
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/// A Stripe sample with its id, creation time and object fields replaced.
fn stripe(kind: &str, id: &str, created: i64, fields: Value) -> Vec<u8> {
    let file = match kind {
        "charge.dispute.closed" => "charge.dispute.created",
        other => other,
    };
    let mut v = sample(&format!("stripe/{file}.json"));
    v["id"] = json!(id);
    v["type"] = json!(kind);
    v["created"] = json!(created);
    for (k, val) in fields.as_object().unwrap() {
        v["data"]["object"][k] = val.clone();
    }
    serde_json::to_vec(&v).unwrap()
}

fn intent(id: &str) -> Value {
    json!({"id": id, "amount": 5000, "amount_received": 5000, "currency": "eur",
           "latest_charge": format!("ch_{id}")})
}

/// A PayPal sample with its event id and resource fields replaced.
fn paypal(file: &str, event_type: &str, id: &str, fields: Value) -> Vec<u8> {
    let mut v = sample(&format!("paypal/{file}.json"));
    v["id"] = json!(id);
    v["event_type"] = json!(event_type);
    for (k, val) in fields.as_object().unwrap() {
        v["resource"][k] = val.clone();
    }
    serde_json::to_vec(&v).unwrap()
}

fn paypal_dispute(event_type: &str, id: &str, capture: &str, outcome: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": id, "event_type": event_type, "resource_type": "dispute",
        "create_time": "2026-11-21T10:00:00Z",
        "resource": {
            "dispute_id": "PP-D-E2E",
            "disputed_transactions": [{"seller_transaction_id": capture}],
            "dispute_amount": {"currency_code": "EUR", "value": "20.00"},
            "dispute_outcome": {"outcome_code": outcome},
        }
    }))
    .unwrap()
}

fn eur(value: &str) -> Value {
    json!({"value": value, "currency_code": "EUR"})
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

#[test]
fn every_event_type_moves_the_payment_and_its_order() {
    let shop = Shop::new();
    let l = Listener::start(&shop);
    let now = unix_now();
    // No refunds list (the sample's would name another refund): the
    // cumulative total is all the event says.
    let refunded = json!({"id": "ch_S07", "payment_intent": "pi_S07", "amount": 5000,
                          "amount_captured": 5000, "amount_refunded": 5000, "currency": "eur",
                          "refunds": null});
    let dispute = |status: &str| {
        json!({"charge": "ch_S08", "payment_intent": "pi_S08",
                                        "amount": 5000, "currency": "eur", "status": status})
    };
    type Case = (
        &'static str,
        Vec<u8>,
        &'static str,
        (&'static str, &'static str, bool),
    );
    let cases: Vec<(bool, Case)> = vec![
        (
            true,
            (
                "S01",
                stripe("payment_intent.succeeded", "evt_e1", now, intent("pi_S01")),
                "",
                ("paid", "completed", false),
            ),
        ),
        (
            true,
            (
                "S02",
                stripe(
                    "invoice.payment_succeeded",
                    "evt_e2",
                    now,
                    json!({"payment_intent": "pi_S02", "charge": "ch_S02", "amount_paid": 5000, "currency": "eur"}),
                ),
                "",
                ("paid", "completed", false),
            ),
        ),
        (
            true,
            (
                "S03",
                stripe(
                    "payment_intent.payment_failed",
                    "evt_e3",
                    now,
                    intent("pi_S03"),
                ),
                "",
                ("failed", "failed", false),
            ),
        ),
        (
            true,
            (
                "S04",
                stripe("payment_intent.processing", "evt_e4", now, intent("pi_S04")),
                "processing",
                ("pending", "pending", false),
            ),
        ),
        (
            true,
            (
                "S05",
                stripe(
                    "payment_intent.requires_action",
                    "evt_e5",
                    now,
                    intent("pi_S05"),
                ),
                "requires_action",
                ("pending", "pending", false),
            ),
        ),
        (
            true,
            (
                "S06",
                stripe("payment_intent.canceled", "evt_e6", now, intent("pi_S06")),
                "",
                // Nothing was captured: a failed attempt, not a refund.
                ("failed", "failed", false),
            ),
        ),
        (
            true,
            (
                "S07",
                stripe("charge.refunded", "evt_e7", now, refunded),
                "",
                ("refunded", "cancelled", false),
            ),
        ),
        (
            true,
            (
                "S08",
                stripe(
                    "charge.dispute.created",
                    "evt_e8",
                    now,
                    dispute("needs_response"),
                ),
                "",
                ("paid", "completed", true),
            ),
        ),
        (
            true,
            (
                "S08",
                stripe("charge.dispute.closed", "evt_e9", now, dispute("lost")),
                "",
                ("refunded", "cancelled", false),
            ),
        ),
        (
            false,
            (
                "P01",
                paypal(
                    "PAYMENT.SALE.COMPLETED",
                    "PAYMENT.SALE.COMPLETED",
                    "WH-E1",
                    json!({"id": "SALE01", "amount": {"total": "20.00", "currency": "EUR"}}),
                ),
                "",
                ("paid", "completed", false),
            ),
        ),
        (
            false,
            (
                "P02",
                paypal(
                    "PAYMENT.CAPTURE.COMPLETED",
                    "PAYMENT.CAPTURE.COMPLETED",
                    "WH-E2",
                    json!({"id": "CAP02", "amount": eur("20.00")}),
                ),
                "",
                ("paid", "completed", false),
            ),
        ),
        (
            false,
            (
                "P03",
                paypal(
                    "PAYMENT.SALE.DENIED",
                    "PAYMENT.SALE.DENIED",
                    "WH-E3",
                    json!({"id": "SALE03"}),
                ),
                "",
                ("failed", "failed", false),
            ),
        ),
        (
            false,
            (
                "P04",
                paypal(
                    "PAYMENT.CAPTURE.DENIED",
                    "PAYMENT.CAPTURE.DENIED",
                    "WH-E4",
                    json!({"id": "CAP04"}),
                ),
                "",
                ("failed", "failed", false),
            ),
        ),
        (
            false,
            (
                "P05",
                paypal(
                    "PAYMENT.SALE.PENDING",
                    "PAYMENT.SALE.PENDING",
                    "WH-E5",
                    json!({"id": "SALE05"}),
                ),
                "pending (UNILATERAL)",
                ("pending", "pending", false),
            ),
        ),
        (
            false,
            (
                "P06",
                paypal(
                    "PAYMENT.CAPTURE.PENDING",
                    "PAYMENT.CAPTURE.PENDING",
                    "WH-E6",
                    json!({"id": "CAP06"}),
                ),
                "PENDING (UNILATERAL)",
                ("pending", "pending", false),
            ),
        ),
        (
            false,
            (
                "P07",
                paypal(
                    "PAYMENT.SALE.REFUNDED",
                    "PAYMENT.SALE.REFUNDED",
                    "WH-E7",
                    json!({"id": "REF07", "sale_id": "SALE07", "amount": {"total": "-20.00", "currency": "EUR"}}),
                ),
                "",
                ("refunded", "cancelled", false),
            ),
        ),
        (
            false,
            (
                "P08",
                paypal(
                    "PAYMENT.CAPTURE.REFUNDED",
                    "PAYMENT.CAPTURE.REFUNDED",
                    "WH-E8",
                    json!({"id": "REF08", "amount": eur("20.00"),
                   "seller_payable_breakdown": {"total_refunded_amount": eur("20.00")},
                   "links": [{"href": "https://api.paypal.com/v2/payments/captures/CAP08", "rel": "up", "method": "GET"}]}),
                ),
                "",
                ("refunded", "cancelled", false),
            ),
        ),
        (
            false,
            (
                "P09",
                paypal(
                    "PAYMENT.CAPTURE.REFUNDED",
                    "PAYMENT.CAPTURE.REVERSED",
                    "WH-E9",
                    json!({"id": "REV09", "amount": eur("20.00"), "seller_payable_breakdown": {},
                   "links": [{"href": "https://api.paypal.com/v2/payments/captures/CAP09", "rel": "up", "method": "GET"}]}),
                ),
                "",
                // The money was taken back: lost (`dispute_lost`), not an
                // open dispute.
                ("refunded", "cancelled", false),
            ),
        ),
        (
            false,
            (
                "P10",
                paypal_dispute("CUSTOMER.DISPUTE.CREATED", "WH-E10", "CAP10", ""),
                "",
                ("paid", "completed", true),
            ),
        ),
        (
            false,
            (
                "P10",
                paypal_dispute(
                    "CUSTOMER.DISPUTE.RESOLVED",
                    "WH-E11",
                    "CAP10",
                    "RESOLVED_BUYER_FAVOUR",
                ),
                "",
                ("refunded", "cancelled", false),
            ),
        ),
    ];
    for (is_stripe, (number, body, raw, (order, payment, disputed))) in cases {
        let (status, answer) = if is_stripe {
            l.stripe(&body)
        } else {
            l.paypal(&body)
        };
        assert_eq!(status, 200, "{number}: {answer}\n{}", l.log());
        assert_eq!(answer["result"], "applied", "{number}: {answer}");
        assert_eq!(answer["order"], number, "{number}");
        let (o, p, provider_status, d, _) = shop.state(number);
        assert_eq!(
            (o.as_str(), p.as_str(), d),
            (order, payment, disputed),
            "{number}: {answer}"
        );
        if !raw.is_empty() {
            assert_eq!(provider_status.as_deref(), Some(raw), "{number}");
        }
        let actor: String = shop
            .conn()
            .query_row(
                "SELECT actor FROM audit_log WHERE order_number = ?1 ORDER BY id DESC LIMIT 1",
                [number],
                |r| r.get(0),
            )
            .unwrap();
        let provider = if is_stripe { "stripe" } else { "paypal" };
        assert!(
            actor.starts_with(&format!("webhook:{provider}:")),
            "{number}: {actor}"
        );
    }
    // One log line per request, none of them with a secret or signature.
    let log = l.log_when(|log| log.matches(" 200 applied ").count() >= 20);
    assert_eq!(log.matches(" 200 applied ").count(), 20, "{log}");
    assert!(!log.contains(SECRET) && !log.contains("v1="), "{log}");
    assert_eq!(l.stop("TERM"), Some(0));
}

#[test]
fn a_metadata_order_id_finds_a_payment_without_reference() {
    let shop = Shop::new();
    let l = Listener::start(&shop);
    let mut fields = intent("pi_NEW09");
    fields["metadata"] = json!({"order_id": "S09"});
    let (status, answer) = l.stripe(&stripe(
        "payment_intent.succeeded",
        "evt_m9",
        unix_now(),
        fields,
    ));
    assert_eq!((status, answer["result"].as_str()), (200, Some("applied")));
    assert_eq!(shop.state("S09").1, "completed");
    assert_eq!(
        shop.count("SELECT count(*) FROM payments WHERE reference = 'pi_NEW09'"),
        1
    );
}

#[test]
fn a_duplicate_is_applied_once_and_out_of_order_events_end_right() {
    let shop = Shop::new();
    let l = Listener::start(&shop);
    let now = unix_now();
    let succeeded = stripe("payment_intent.succeeded", "evt_d1", now, intent("pi_S10"));
    assert_eq!(l.stripe(&succeeded).1["result"], "applied");
    let after = shop.snapshot();
    let audit = shop.count("SELECT count(*) FROM audit_log");
    let (status, answer) = l.stripe(&succeeded);
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("duplicate"))
    );
    assert_eq!(shop.snapshot(), after);
    assert_eq!(shop.count("SELECT count(*) FROM audit_log"), audit);

    // Late deliveries of older events: stale, 200, nothing moves back.
    for (kind, id) in [
        ("payment_intent.processing", "evt_d0"),
        ("payment_intent.payment_failed", "evt_dm"),
        ("payment_intent.canceled", "evt_dc"),
    ] {
        let (status, answer) = l.stripe(&stripe(kind, id, now - 60, intent("pi_S10")));
        assert_eq!(
            (status, answer["result"].as_str()),
            (200, Some("stale")),
            "{kind}"
        );
    }
    assert_eq!(shop.state("S10").0, "paid");
    assert_eq!(shop.state("S10").1, "completed");
    assert!(
        l.log_when(|log| log.contains(" 200 stale "))
            .contains(" warn POST /webhooks/stripe 200 stale ")
    );
}

/// PayPal retries for 3 days and nothing says a retry is signed afresh: a
/// delivery transmitted three days ago verifies and applies by default, and
/// is refused only when `--paypal-tolerance` sets a window.
#[test]
fn a_paypal_delivery_three_days_old_verifies_and_applies() {
    let shop = Shop::new();
    let body = paypal(
        "PAYMENT.CAPTURE.COMPLETED.paypal-docs-pui",
        "PAYMENT.CAPTURE.COMPLETED",
        "WH-LATE-RETRY",
        json!({"id": "CAP02", "amount": eur("50.00")}),
    );
    let three_days_ago = chrono::Utc::now() - chrono::Duration::days(3);
    let headers = paypal_headers_at(&body, PAYPAL_ID, three_days_ago);

    let windowed = Listener::start_with(&shop, &["--paypal-tolerance", "300"], &[]);
    let before = shop.snapshot();
    let (status, text) = windowed.request("POST", "/webhooks/paypal", &headers, &body);
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("old"), "{text}");
    assert_eq!(shop.snapshot(), before);
    drop(windowed);

    let l = Listener::start(&shop);
    let (status, text) = l.request("POST", "/webhooks/paypal", &headers, &body);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("applied"), "{text}");
    let (order, payment, ..) = shop.state("P02");
    assert_eq!((order.as_str(), payment.as_str()), ("paid", "completed"));
    // The same retry once more: a duplicate, nothing changes.
    let after = shop.snapshot();
    let (status, text) = l.request("POST", "/webhooks/paypal", &headers, &body);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("duplicate"), "{text}");
    assert_eq!(shop.snapshot(), after);
}

#[test]
fn an_orphan_is_stored_answered_200_and_listed() {
    let shop = Shop::new();
    let l = Listener::start(&shop);
    let before = shop.snapshot();
    let (status, answer) = l.stripe(&stripe(
        "payment_intent.succeeded",
        "evt_orphan",
        unix_now(),
        intent("pi_NOBODY"),
    ));
    assert_eq!((status, answer["result"].as_str()), (200, Some("orphan")));
    assert_ne!(shop.snapshot(), before);
    assert_eq!(
        shop.count("SELECT count(*) FROM orphans WHERE state = 'open'"),
        1
    );
    assert!(
        l.log_when(|log| log.contains(" 200 orphan "))
            .contains(" warn POST /webhooks/stripe 200 orphan ")
    );
    let (code, out, _) = shop.tally(&["orphans", "--json"]);
    assert_eq!(code, 1, "open orphans exit 1");
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["reference"], "pi_NOBODY");
    assert_eq!(list[0]["amount"], "50.00 EUR");
    let id = list[0]["id"].as_i64().unwrap().to_string();
    let (code, out, err) = shop.tally(&["orphans", "link", &id, "S01"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(shop.state("S01").1, "completed");
    let (code, _, _) = shop.tally(&["orphans"]);
    assert_eq!(code, 0);
}

#[test]
fn refused_requests_change_nothing() {
    let shop = Shop::new();
    let l = Listener::start_with(&shop, &["--max-body", "65536"], &[]);
    let before = shop.snapshot();
    let now = unix_now();
    let body = stripe("payment_intent.succeeded", "evt_r", now, intent("pi_S01"));
    let sig = |secret: &str, t: i64, b: &[u8]| {
        vec![("Stripe-Signature", sign_stripe(secret, t, b).unwrap())]
    };
    let mut tampered = body.clone();
    let last = tampered.len() - 2;
    tampered[last] ^= 0x01;
    let paypal_body = paypal(
        "PAYMENT.CAPTURE.COMPLETED",
        "PAYMENT.CAPTURE.COMPLETED",
        "WH-R",
        json!({"id": "CAP02"}),
    );
    let mut paypal_missing = paypal_headers(&paypal_body, PAYPAL_ID);
    paypal_missing.retain(|(k, _)| *k != "PAYPAL-TRANSMISSION-SIG");
    let mut paypal_foreign = paypal_headers(&paypal_body, PAYPAL_ID);
    paypal_foreign[2].1 = "https://evil.example.com/cert.pem".to_owned();
    let big = vec![b' '; 70_000];

    /// (name, method, path, headers, body, expected status)
    type Refused<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Vec<(&'a str, String)>,
        &'a [u8],
        u16,
    );
    let cases: Vec<Refused<'_>> = vec![
        (
            "missing signature",
            "POST",
            "/webhooks/stripe",
            vec![],
            &body,
            400,
        ),
        (
            "bad signature",
            "POST",
            "/webhooks/stripe",
            sig("whsec_wrong", now, &body),
            &body,
            400,
        ),
        (
            "tampered body",
            "POST",
            "/webhooks/stripe",
            sig(SECRET, now, &body),
            &tampered,
            400,
        ),
        (
            "expired timestamp",
            "POST",
            "/webhooks/stripe",
            sig(SECRET, now - 400, &body),
            &body,
            400,
        ),
        (
            "malformed json",
            "POST",
            "/webhooks/stripe",
            sig(SECRET, now, b"{\"id\": "),
            b"{\"id\": ",
            400,
        ),
        (
            "paypal missing headers",
            "POST",
            "/webhooks/paypal",
            paypal_missing,
            &paypal_body,
            400,
        ),
        (
            "paypal no headers",
            "POST",
            "/webhooks/paypal",
            vec![],
            &paypal_body,
            400,
        ),
        (
            "paypal foreign cert url",
            "POST",
            "/webhooks/paypal",
            paypal_foreign,
            &paypal_body,
            400,
        ),
        (
            "paypal wrong webhook id",
            "POST",
            "/webhooks/paypal",
            paypal_headers(&paypal_body, "WH-OTHER"),
            &paypal_body,
            400,
        ),
        (
            "oversize",
            "POST",
            "/webhooks/stripe",
            sig(SECRET, now, &big),
            &big,
            413,
        ),
        ("wrong path", "POST", "/webhooks/cash", vec![], &body, 404),
        (
            "wave without its secret",
            "POST",
            "/webhooks/wave",
            vec![],
            &body,
            503,
        ),
        ("wrong method", "GET", "/webhooks/stripe", vec![], b"", 405),
        (
            "wrong method on health",
            "DELETE",
            "/healthz",
            vec![],
            b"",
            405,
        ),
    ];
    for (name, method, path, headers, body, expected) in cases {
        let (status, answer) = l.request(method, path, &headers, body);
        assert_eq!(status, expected, "{name}: {answer}");
        assert_eq!(shop.snapshot(), before, "{name} changed the shop");
    }
    // An announced body past the limit is refused without being read.
    let (status, _) =
        l.raw(b"POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Length: 900000000\r\n\r\n");
    assert_eq!(status, 413);
    // A chunked body is cut at the limit.
    let mut chunked = b"POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..20 {
        chunked.extend_from_slice(format!("{:x}\r\n", 4096).as_bytes());
        chunked.extend_from_slice(&[b'a'; 4096]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(l.raw(&chunked).0, 413);
    assert_eq!(shop.snapshot(), before);
    // The rows were logged, without bodies, and the listener is still well.
    assert_eq!(shop.count("SELECT count(*) FROM webhook_log WHERE body IS NOT NULL AND result = 'rejected' AND signature <> 'verified'"), 0);
    assert_eq!(l.request("GET", "/healthz", &[], b"").0, 200);
    // The rotated (previous) secret still verifies.
    let (status, answer) = l.request(
        "POST",
        "/webhooks/stripe",
        &sig(OLD_SECRET, now, &body),
        &body,
    );
    assert_eq!(
        (status, answer.contains("applied")),
        (200, true),
        "{answer}"
    );
}

#[test]
fn a_handler_panic_answers_500_and_the_listener_goes_on() {
    let shop = Shop::new();
    let l = Listener::start_with(
        &shop,
        &["--workers", "1"],
        &[("TALLY_TEST_PANIC_PATH", "/boom")],
    );
    for _ in 0..3 {
        assert_eq!(l.request("POST", "/boom", &[], b"{}").0, 500);
    }
    assert_eq!(l.request("GET", "/healthz", &[], b"").0, 200);
    let (status, answer) = l.stripe(&stripe(
        "payment_intent.succeeded",
        "evt_after_panic",
        unix_now(),
        intent("pi_S01"),
    ));
    assert_eq!((status, answer["result"].as_str()), (200, Some("applied")));
    let log = l.log_when(|log| log.contains("handler panicked"));
    assert!(log.contains("handler panicked"), "{log}");
}

#[test]
fn sigterm_and_sigint_stop_cleanly() {
    let shop = Shop::new();
    let l = Listener::start(&shop);
    assert_eq!(l.request("GET", "/healthz", &[], b"").0, 200);
    let log = l.stderr.clone();
    assert_eq!(l.stop("TERM"), Some(0));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log.lock().unwrap().contains("stopped") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(log.lock().unwrap().contains("tally serve: stopped"));
    let l = Listener::start(&shop);
    assert_eq!(l.stop("INT"), Some(0));
}

#[test]
fn metrics_count_requests_by_provider_and_result() {
    let shop = Shop::new();
    let l = Listener::start(&shop);
    l.stripe(&stripe(
        "payment_intent.succeeded",
        "evt_x1",
        unix_now(),
        intent("pi_S01"),
    ));
    l.request("POST", "/webhooks/stripe", &[], b"{}");
    let (status, text) = l.request("GET", "/metrics", &[], b"");
    assert_eq!(status, 200);
    assert!(
        text.contains("tally_webhook_requests_total{provider=\"stripe\",result=\"applied\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("tally_webhook_requests_total{provider=\"stripe\",result=\"rejected\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("tally_webhook_duration_seconds_count"),
        "{text}"
    );
}

#[test]
fn the_simulator_id_is_refused_unless_allowed() {
    let shop = Shop::new();
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&shop.db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("PAYPAL_WEBHOOK_ID", "WEBHOOK_ID")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--paypal-allow-simulator"), "{err}");
    let l = Listener::start_with(
        &shop,
        &["--paypal-allow-simulator"],
        &[("PAYPAL_WEBHOOK_ID", "WEBHOOK_ID")],
    );
    assert_eq!(l.stop("TERM"), Some(0));
}

#[test]
fn a_missing_database_is_refused_before_binding() {
    let dir = TempDir::new().unwrap();
    let out = Command::new(BIN)
        .arg("--db")
        .arg(dir.path().join("typo.db"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database"));
    assert!(!dir.path().join("typo.db").exists());
}

#[test]
fn send_test_event_changes_the_named_order() {
    let shop = Shop::new();
    let l = Listener::start(&shop);
    let url = format!("http://{}/webhooks/stripe", l.addr);
    let (code, out, err) = shop.tally(&[
        "send-test-event",
        "stripe",
        "payment_intent.succeeded",
        "--order",
        "S01",
        "--url",
        &url,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("will apply it to order S01"), "{out}");
    assert!(out.contains("HTTP 200"), "{out}");
    assert_eq!(shop.state("S01").1, "completed");
    let (code, _, err) = shop.tally(&[
        "send-test-event",
        "stripe",
        "customer.created",
        "--order",
        "S01",
        "--url",
        &url,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("payment_intent.succeeded"), "{err}");
    let (code, out, _) = shop.tally(&["webhooks", "--json"]);
    assert_eq!(code, 0);
    let rows: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["result"], "applied");
    assert_eq!(rows[0]["order_number"], "S01");
    let _ = &shop.dir;
}
