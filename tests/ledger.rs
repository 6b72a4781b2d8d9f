#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The money ledger's thirteen cases, end to end through the real binary:
//! each test imports a small shop (`tally import`), starts `tally serve` on
//! `127.0.0.1:0`, POSTs signed provider events, then reads the figures with
//! `tally order show N --json` and the findings with `tally check --json`.
//!
//! Every event starts from a real body of `../shared/webhook-samples/`
//! (read at test time, never copied; `ledger-cases.md` there says which
//! sample shows which money fact), with its ids, amounts, currency,
//! metadata or custom ids and times changed as each case's comment says.
//! Where no sample of an event exists, the case says which body it starts
//! from instead. Stripe deliveries are signed with the listener's secret;
//! PayPal ones with the test-only key of `fixtures/webhooks/`, whose
//! certificate the listener pins (`--paypal-cert`).

mod common;

use base64::Engine as _;
use common::{Listener, Run, Shop, manifest, tally_with, unix_now};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Value, json};
use sha2::Sha256;
use tally::providers::stripe::sign_stripe;

const SECRET: &str = "whsec_ledger_cases";
const PAYPAL_ID: &str = "WH-LEDGER-CASES";
const CERT_URL: &str = "https://api.paypal.com/v1/notifications/certs/CERT-tally-ledger";

/// A day, in seconds.
const DAY: i64 = 86_400;
/// The time of each case's first Stripe event (2026-09-21); later events
/// are `T + n`.
const T: i64 = 1_790_000_000;

/// A sample body of `../shared/webhook-samples/`, read now.
fn sample(rel: &str) -> Value {
    let path = format!(
        "{}/{rel}",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/webhook-samples")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Sets `fields` (a JSON object) into `target`, key by key.
fn set(target: &mut Value, fields: Value) {
    for (k, v) in fields.as_object().unwrap() {
        target[k] = v.clone();
    }
}

/// A Stripe sample as a new event: its id, type and `created` replaced,
/// then `fields` set into `data.object`.
fn stripe_event(file: &str, event_type: &str, id: &str, created: i64, fields: Value) -> Value {
    let mut v = sample(file);
    v["id"] = json!(id);
    v["type"] = json!(event_type);
    v["created"] = json!(created);
    set(&mut v["data"]["object"], fields);
    v
}

/// A PaymentIntent sample (`stripe/{file}.json`) as PaymentIntent `pi` of
/// order `order` for `amount` USD cents, `received` of them received, its
/// charge `ch` (the charge listed in the sample, when it lists one, becomes
/// that charge, with the same amounts).
fn intent_event(
    file: &str,
    event_type: &str,
    id: &str,
    created: i64,
    (pi, ch, order): (&str, &str, &str),
    amount: i64,
    received: i64,
) -> Value {
    let mut v = stripe_event(
        file,
        event_type,
        id,
        created,
        json!({"id": pi, "amount": amount, "amount_received": received, "currency": "usd",
               "latest_charge": ch, "metadata": {"order_id": order}}),
    );
    let o = &mut v["data"]["object"];
    if o["amount_capturable"].as_i64().is_some_and(|c| c > 0) {
        o["amount_capturable"] = json!(amount);
    }
    if let Some(charge) = o
        .get_mut("charges")
        .and_then(|c| c.get_mut("data"))
        .and_then(Value::as_array_mut)
        .and_then(|list| list.first_mut())
    {
        set(
            charge,
            json!({"id": ch, "payment_intent": pi, "amount": amount, "currency": "usd"}),
        );
        if charge.get("amount_captured").is_some() {
            charge["amount_captured"] = json!(received);
        }
    }
    v
}

/// `payment_intent.succeeded` (from `stripe/payment_intent.succeeded.json`)
/// for PaymentIntent `pi`, charge `ch`, order `order`: `amount` cents asked
/// and received.
fn succeeded(id: &str, created: i64, pi: &str, ch: &str, order: &str, amount: i64) -> Value {
    intent_event(
        "stripe/payment_intent.succeeded.json",
        "payment_intent.succeeded",
        id,
        created,
        (pi, ch, order),
        amount,
        amount,
    )
}

/// The dahlia dispute samples (`charge.dispute.created` `needs_response`,
/// `charge.dispute.closed` `lost`) as dispute `dispute` of `amount` cents on
/// charge `ch` of PaymentIntent `pi`, its `status` set. The balance
/// transactions inside are left as sent: tally does not read them.
fn dispute_event(
    file: &str,
    event_type: &str,
    id: &str,
    created: i64,
    (dispute, pi, ch): (&str, &str, &str),
    amount: i64,
    status: &str,
) -> Value {
    stripe_event(
        file,
        event_type,
        id,
        created,
        json!({"id": dispute, "charge": ch, "payment_intent": pi, "amount": amount,
               "currency": "usd", "status": status}),
    )
}

const DISPUTE_CREATED: &str = "stripe/ledger/charge.dispute.created.dahlia.zulip.json";
const DISPUTE_CLOSED: &str = "stripe/ledger/charge.dispute.closed.lost.dahlia.zulip.json";
const CHARGE_REFUNDED: &str = "stripe/ledger/charge.refunded.full.supabase.json";
const REFUND_FAILED: &str = "stripe/ledger/charge.refund.updated.failed.zulip.json";

/// `charge.refunded` (from `charge.refunded.full.supabase.json`) for
/// charge `ch` of PaymentIntent `pi`: `amount` cents charged and captured,
/// `refunded` of them refunded by the refunds listed (id, cents), each
/// `succeeded`.
fn charge_refunded(
    id: &str,
    created: i64,
    (pi, ch): (&str, &str),
    amount: i64,
    refunds: &[(&str, i64)],
) -> Value {
    let refunded: i64 = refunds.iter().map(|r| r.1).sum();
    let mut v = stripe_event(
        CHARGE_REFUNDED,
        "charge.refunded",
        id,
        created,
        json!({"id": ch, "payment_intent": pi, "amount": amount, "amount_captured": amount,
               "amount_refunded": refunded, "refunded": refunded == amount,
               "currency": "usd", "metadata": {}}),
    );
    let listed = &mut v["data"]["object"]["refunds"];
    let template = listed["data"][0].clone();
    let data: Vec<Value> = refunds
        .iter()
        .map(|&(re, cents)| {
            let mut r = template.clone();
            set(
                &mut r,
                json!({"id": re, "amount": cents, "charge": ch, "payment_intent": pi,
                       "currency": "usd", "status": "succeeded", "created": created}),
            );
            r
        })
        .collect();
    listed["total_count"] = json!(data.len());
    listed["data"] = json!(data);
    listed["url"] = json!(format!("/v1/charges/{ch}/refunds"));
    v
}

/// A PayPal sample as a new event: its id and `create_time` replaced, then
/// `fields` set into `resource`.
fn paypal_event(file: &str, id: &str, create_time: &str, fields: Value) -> Value {
    let mut v = sample(file);
    v["id"] = json!(id);
    v["create_time"] = json!(create_time);
    set(&mut v["resource"], fields);
    v
}

fn usd(value: &str) -> Value {
    json!({"currency_code": "USD", "value": value})
}

// ---------------------------------------------------------------------------
// A shop, its listener, and what the owner reads
// ---------------------------------------------------------------------------

/// An order of the import format; `payment` is (provider, reference,
/// status): a completed payment captured the order's total (with a charge
/// `ch_…` for Stripe, named after the reference).
fn order(
    number: &str,
    total: &str,
    status: &str,
    payment: (&str, Option<&str>, &str),
) -> (Value, Value) {
    let (provider, reference, payment_status) = payment;
    let order_payment = match payment_status {
        "completed" => "paid",
        "cancelled" => "refunded",
        other => other,
    };
    let mut o = json!({
        "number": number, "customer_name": "Awa Diop", "customer_email": "awa@example.com",
        "total": total, "currency": "USD", "status": status, "payment_status": order_payment,
        "created_at": "2026-09-20T10:00:00Z",
    });
    let mut p = json!({
        "order": number, "provider": provider, "reference": reference, "amount": total,
        "currency": "USD", "status": payment_status, "created_at": "2026-09-20T10:01:00Z",
    });
    if payment_status == "completed" {
        o["paid_at"] = json!("2026-09-20T10:02:00Z");
        p["completed_at"] = json!("2026-09-20T10:02:00Z");
        p["captured_amount"] = json!(total);
        if provider == "stripe"
            && let Some(r) = reference
        {
            p["charge_id"] = json!(r.replacen("pi_", "ch_", 1));
        }
    }
    (o, p)
}

/// One case: its shop and the listener on it.
struct Case {
    shop: Shop,
    listener: Listener,
}

impl Case {
    fn new(orders: &[(Value, Value)]) -> Case {
        let (orders, payments): (Vec<Value>, Vec<Value>) = orders.iter().cloned().unzip();
        let shop = Shop::import(&json!({"orders": orders, "payments": payments}));
        let mut cmd = Listener::command(&shop.db, &["--bind", "127.0.0.1:0", "--workers", "2"]);
        cmd.arg("--paypal-cert")
            .arg(manifest("fixtures/webhooks/paypal-test-cert.pem"))
            .env("STRIPE_WEBHOOK_SECRET", SECRET)
            .env("PAYPAL_WEBHOOK_ID", PAYPAL_ID);
        let listener = Listener::spawn(cmd);
        Case { shop, listener }
    }

    /// POSTs a Stripe event signed now; it must be answered 200 with
    /// `result`.
    fn stripe(&self, event: &Value, result: &str) -> Value {
        let body = serde_json::to_vec(event).unwrap();
        let header = sign_stripe(SECRET, unix_now(), &body).unwrap();
        let answer = self.listener.request(
            "POST",
            "/webhooks/stripe",
            &[("Stripe-Signature", header)],
            &body,
        );
        self.answered(event, answer, result)
    }

    /// POSTs a PayPal event signed now with the test key; it must be
    /// answered 200 with `result`.
    fn paypal(&self, event: &Value, result: &str) -> Value {
        let body = serde_json::to_vec(event).unwrap();
        let answer =
            self.listener
                .request("POST", "/webhooks/paypal", &paypal_headers(&body), &body);
        self.answered(event, answer, result)
    }

    fn answered(&self, event: &Value, (status, text): (u16, String), result: &str) -> Value {
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let what = event["type"].as_str().or(event["event_type"].as_str());
        assert_eq!(
            (status, answer["result"].as_str()),
            (200, Some(result)),
            "{what:?} {}: {text}\n{}",
            event["id"],
            self.listener.log()
        );
        answer
    }

    fn tally(&self, args: &[&str]) -> Run {
        tally_with(&self.shop.db, args, &[])
    }

    /// `tally order show N --json`.
    fn show(&self, number: &str) -> Value {
        let run = self.tally(&["order", "show", number, "--json"]);
        assert_eq!(run.code, 0, "{}", run.text());
        serde_json::from_str(&run.stdout).unwrap()
    }

    /// The findings of `tally check --json --order N`.
    fn findings(&self, number: &str) -> Vec<Value> {
        let run = self.tally(&["check", "--json", "--order", number]);
        assert!(run.code == 0 || run.code == 1, "{}", run.text());
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        report["findings"].as_array().unwrap().clone()
    }

    /// The findings of the whole shop (`tally check --json`).
    fn all_findings(&self) -> Vec<Value> {
        let run = self.tally(&["check", "--json"]);
        assert!(run.code == 0 || run.code == 1, "{}", run.text());
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        report["findings"].as_array().unwrap().clone()
    }
}

/// The headers of a PayPal delivery of `body`, signed now with the test key
/// (PayPal's scheme: `id|time|webhook id|crc32(body)`, SHA256withRSA).
fn paypal_headers(body: &[u8]) -> Vec<(&'static str, String)> {
    let pem = std::fs::read_to_string(manifest("fixtures/webhooks/paypal-test-key.pem")).unwrap();
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let id = format!("tx-ledger-{}", crc32fast::hash(body));
    let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let message = format!("{id}|{time}|{PAYPAL_ID}|{}", crc32fast::hash(body));
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

/// The attempt of `shown` (an `order show --json`) with this reference.
fn attempt<'a>(shown: &'a Value, reference: &str) -> &'a Value {
    shown["payments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["reference"] == json!(reference))
        .unwrap_or_else(|| panic!("no payment {reference} in {shown:#}"))
}

/// An attempt's figures, by name, as decimal strings.
fn figures<'a>(p: &'a Value, names: &[&str]) -> Vec<(String, &'a str)> {
    names
        .iter()
        .map(|n| {
            let v = p[*n]
                .as_str()
                .unwrap_or_else(|| panic!("no figure {n} in {p:#}"));
            ((*n).to_owned(), v)
        })
        .collect()
}

/// Asserts each named figure of `p`.
fn assert_figures(p: &Value, expected: &[(&str, &str)]) {
    let names: Vec<&str> = expected.iter().map(|e| e.0).collect();
    let want: Vec<(String, &str)> = expected.iter().map(|e| (e.0.to_owned(), e.1)).collect();
    assert_eq!(figures(p, &names), want, "{p:#}");
}

/// (payment status, order payment status) as `order show --json` says, for
/// the attempt with `reference`.
fn statuses(shown: &Value, reference: &str) -> (String, String) {
    (
        attempt(shown, reference)["status"]
            .as_str()
            .unwrap()
            .to_owned(),
        shown["order"]["payment_status"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

/// The findings of one rule.
fn of_rule<'a>(findings: &'a [Value], rule: &str) -> Vec<&'a Value> {
    findings
        .iter()
        .filter(|f| f["rule"] == json!(rule))
        .collect()
}

/// The one finding of `rule`, with its payment and provider id checked.
fn one<'a>(
    findings: &'a [Value],
    rule: &str,
    payment: Option<&str>,
    provider_id: Option<&str>,
) -> &'a Value {
    let found = of_rule(findings, rule);
    assert_eq!(found.len(), 1, "one {rule}: {findings:#?}");
    let f = found[0];
    assert_eq!(
        (f["payment"].as_str(), f["provider_id"].as_str()),
        (payment, provider_id),
        "{f:#}"
    );
    f
}

fn orphans(case: &Case) -> i64 {
    case.shop.count("SELECT count(*) FROM orphans")
}

// ---------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------

/// Case 1: a lost chargeback on a shipped order.
///
/// Events: the dahlia `charge.dispute.created` (`needs_response`) and
/// `charge.dispute.closed` (`lost`) samples, as dispute `du_L1001` of the
/// whole 89.90 USD on the order's charge (ids, amount, times changed).
#[test]
fn case_01_a_lost_chargeback_on_a_shipped_order() {
    let (pi, ch, du) = ("pi_L1001", "ch_L1001", "du_L1001");
    let case = Case::new(&[order(
        "L1001",
        "89.90",
        "shipped",
        ("stripe", Some(pi), "completed"),
    )]);
    case.stripe(
        &dispute_event(
            DISPUTE_CREATED,
            "charge.dispute.created",
            "evt_L1001_created",
            T,
            (du, pi, ch),
            8990,
            "needs_response",
        ),
        "applied",
    );
    let shown = case.show("L1001");
    assert_figures(
        attempt(&shown, pi),
        &[
            ("captured", "89.90"),
            ("disputed", "89.90"),
            ("lost", "0.00"),
        ],
    );
    one(&case.findings("L1001"), "disputed", Some(pi), Some(du));

    case.stripe(
        &dispute_event(
            DISPUTE_CLOSED,
            "charge.dispute.closed",
            "evt_L1001_closed",
            T + 30 * DAY,
            (du, pi, ch),
            8990,
            "lost",
        ),
        "applied",
    );
    let shown = case.show("L1001");
    assert_figures(
        attempt(&shown, pi),
        &[
            ("captured", "89.90"),
            ("refunded", "0.00"),
            ("disputed", "0.00"),
            ("lost", "89.90"),
            ("kept", "0.00"),
        ],
    );
    assert_figures(
        &shown["money"],
        &[
            ("lost", "89.90"),
            ("kept", "0.00"),
            ("outstanding", "89.90"),
        ],
    );
    let findings = case.findings("L1001");
    one(&findings, "dispute_lost", Some(pi), Some(du));
    one(&findings, "fulfilled_unpaid", Some(pi), None);
    assert!(of_rule(&findings, "disputed").is_empty(), "{findings:#?}");
}

/// Case 2: a PayPal dispute for 20.00 of a 129.90 capture, resolved in the
/// buyer's favour.
///
/// Events: `CUSTOMER.DISPUTE.CREATED.paypal-docs.json` (inquiry stage) as
/// dispute `PP-D-2001` for 20.00 USD on the order's capture; then
/// `CUSTOMER.DISPUTE.RESOLVED`: the envelope of
/// `CUSTOMER.DISPUTE.RESOLVED.CANCELED_BY_BUYER.paypal-docs.json` around the
/// laravel-paypal resource `dispute.PP-D-4012.RESOLVED_BUYER_FAVOUR` (no
/// signed or complete RESOLVED_BUYER_FAVOUR event exists), its dispute id,
/// capture, amounts (20.00 of 129.90, `amount_refunded` 20.00) and times
/// changed.
#[test]
fn case_02_a_paypal_dispute_for_part_of_a_capture_lost_to_the_buyer() {
    let capture = "2AB05013RG0P2001";
    let case = Case::new(&[order(
        "P2001",
        "129.90",
        "processing",
        ("paypal", Some(capture), "completed"),
    )]);
    let mut created = paypal_event(
        "paypal/ledger/CUSTOMER.DISPUTE.CREATED.paypal-docs.json",
        "WH-P2001-CREATED",
        "2026-09-22T09:00:00.000Z",
        json!({"dispute_id": "PP-D-2001", "dispute_amount": usd("20.00"),
               "create_time": "2026-09-22T08:59:00.000Z",
               "update_time": "2026-09-22T08:59:00.000Z"}),
    );
    created["resource"]["disputed_transactions"][0]["seller_transaction_id"] = json!(capture);
    case.paypal(&created, "applied");
    let shown = case.show("P2001");
    assert_figures(
        attempt(&shown, capture),
        &[("disputed", "20.00"), ("kept", "129.90")],
    );
    one(
        &case.findings("P2001"),
        "disputed",
        Some(capture),
        Some("PP-D-2001"),
    );

    let mut resource =
        sample("paypal/ledger/dispute.PP-D-4012.RESOLVED_BUYER_FAVOUR.laravel-paypal.json");
    set(
        &mut resource,
        json!({"dispute_id": "PP-D-2001", "dispute_amount": usd("20.00"),
               "create_time": "2026-09-22T08:59:00.000Z",
               "update_time": "2026-10-10T12:00:00.000Z",
               "offer": {"buyer_requested_amount": usd("20.00")}}),
    );
    resource["dispute_outcome"]["amount_refunded"] = usd("20.00");
    set(
        &mut resource["disputed_transactions"][0],
        json!({"seller_transaction_id": capture, "gross_amount": usd("129.90")}),
    );
    let mut resolved =
        sample("paypal/ledger/CUSTOMER.DISPUTE.RESOLVED.CANCELED_BY_BUYER.paypal-docs.json");
    resolved["id"] = json!("WH-P2001-RESOLVED");
    resolved["create_time"] = json!("2026-10-10T12:00:05.000Z");
    resolved["resource"] = resource;
    case.paypal(&resolved, "applied");

    let shown = case.show("P2001");
    assert_figures(
        attempt(&shown, capture),
        &[
            ("captured", "129.90"),
            ("disputed", "0.00"),
            ("lost", "20.00"),
            ("kept", "109.90"),
        ],
    );
    assert_eq!(
        statuses(&shown, capture),
        ("completed".to_owned(), "paid".to_owned())
    );
    let findings = case.findings("P2001");
    one(&findings, "dispute_lost", Some(capture), Some("PP-D-2001"));
    assert!(of_rule(&findings, "disputed").is_empty(), "{findings:#?}");
}

/// Case 3: a partial capture (179.80 authorised, 100.00 captured, 79.80
/// released), then a refund of 20.20.
///
/// Events: `payment_intent.amount_capturable_updated.stripe-ruby-mock.json`
/// (179.80 capturable), `payment_intent.succeeded.json` with 100.00 of
/// 179.80 received (no real sample of a partial capture exists), then
/// `charge.refunded.full.supabase.json` made partial: `amount` 179.80,
/// `amount_captured` 100.00, `amount_refunded` 100.00 (Stripe counts the
/// released 79.80 in it), `refunded: false`, no `refunds` list (API
/// 2022-11-15 and later). Ids, metadata and times changed.
#[test]
fn case_03_a_partial_capture_then_a_partial_refund() {
    let (pi, ch) = ("pi_S3001", "ch_S3001");
    let case = Case::new(&[order(
        "S3001",
        "179.80",
        "processing",
        ("stripe", Some(pi), "pending"),
    )]);
    case.stripe(
        &intent_event(
            "stripe/ledger/payment_intent.amount_capturable_updated.stripe-ruby-mock.json",
            "payment_intent.amount_capturable_updated",
            "evt_S3001_authorised",
            T,
            (pi, ch, "S3001"),
            17980,
            0,
        ),
        "applied",
    );
    case.stripe(
        &intent_event(
            "stripe/payment_intent.succeeded.json",
            "payment_intent.succeeded",
            "evt_S3001_captured",
            T + 3600,
            (pi, ch, "S3001"),
            17980,
            10000,
        ),
        "applied",
    );
    let shown = case.show("S3001");
    assert_figures(
        attempt(&shown, pi),
        &[
            ("captured", "100.00"),
            ("refunded", "0.00"),
            ("kept", "100.00"),
        ],
    );

    let mut refunded = stripe_event(
        CHARGE_REFUNDED,
        "charge.refunded",
        "evt_S3001_refunded",
        T + DAY,
        json!({"id": ch, "payment_intent": pi, "amount": 17980, "amount_captured": 10000,
               "amount_refunded": 10000, "refunded": false, "currency": "usd",
               "metadata": {"order_id": "S3001"}}),
    );
    refunded["data"]["object"]
        .as_object_mut()
        .unwrap()
        .remove("refunds");
    case.stripe(&refunded, "applied");

    let shown = case.show("S3001");
    let p = attempt(&shown, pi);
    assert_figures(
        p,
        &[
            ("captured", "100.00"),
            ("refunded", "20.20"),
            ("refunds_pending", "0.00"),
            ("lost", "0.00"),
            ("kept", "79.80"),
        ],
    );
    assert_eq!(
        statuses(&shown, pi),
        ("completed".to_owned(), "paid".to_owned())
    );
}

/// Case 4: a refund that fails after `charge.refunded`.
///
/// Events: `charge.refunded.full.supabase.json` as a full refund `re_…` of
/// the 89.90 USD charge, then the refund's failure: for S4001
/// `charge.refund.updated.failed.zulip.json` (status `failed`), for S4002
/// the same body sent as `refund.failed` (no real `refund.failed` event
/// exists; its object is the same refund). Ids, amounts (300000.00 INR →
/// 89.90 USD) and times changed.
#[test]
fn case_04_a_refund_that_fails_after_charge_refunded() {
    let case = Case::new(&[
        order(
            "S4001",
            "89.90",
            "processing",
            ("stripe", Some("pi_S4001"), "completed"),
        ),
        order(
            "S4002",
            "89.90",
            "processing",
            ("stripe", Some("pi_S4002"), "completed"),
        ),
    ]);
    for (number, failure) in [
        ("S4001", "charge.refund.updated"),
        ("S4002", "refund.failed"),
    ] {
        let (pi, ch, re) = (
            format!("pi_{number}"),
            format!("ch_{number}"),
            format!("re_{number}"),
        );
        case.stripe(
            &charge_refunded(
                &format!("evt_{number}_refunded"),
                T,
                (&pi, &ch),
                8990,
                &[(&re, 8990)],
            ),
            "applied",
        );
        let shown = case.show(number);
        assert_figures(
            attempt(&shown, &pi),
            &[("refunded", "89.90"), ("kept", "0.00")],
        );
        assert_eq!(
            statuses(&shown, &pi),
            ("cancelled".to_owned(), "refunded".to_owned())
        );

        case.stripe(
            &stripe_event(
                REFUND_FAILED,
                failure,
                &format!("evt_{number}_failed"),
                T + 3 * DAY,
                json!({"id": re, "charge": ch, "payment_intent": pi, "amount": 8990,
                       "currency": "usd", "created": T}),
            ),
            "applied",
        );
        let shown = case.show(number);
        assert_figures(
            attempt(&shown, &pi),
            &[
                ("captured", "89.90"),
                ("refunded", "0.00"),
                ("refunds_failed", "89.90"),
                ("kept", "89.90"),
            ],
        );
        assert_eq!(
            statuses(&shown, &pi),
            ("completed".to_owned(), "paid".to_owned()),
            "{failure}"
        );
        one(
            &case.findings(number),
            "refund_failed",
            Some(&pi),
            Some(&re),
        );
    }
}

/// Case 5: an order shipped whose SEPA debit then failed.
///
/// Events: `payment_intent.processing.json` then, four days later,
/// `payment_intent.payment_failed.json`, as PaymentIntent `pi_S5001` of
/// 50.00 USD with `payment_method_types: [sepa_debit]` (ids, amounts,
/// currency, metadata and times changed).
#[test]
fn case_05_a_shipped_order_whose_debit_then_failed() {
    let (pi, ch) = ("pi_S5001", "ch_S5001");
    let case = Case::new(&[order(
        "S5001",
        "50.00",
        "shipped",
        ("stripe", Some(pi), "pending"),
    )]);
    for (file, event_type, id, at) in [
        (
            "stripe/payment_intent.processing.json",
            "payment_intent.processing",
            "evt_S5001_processing",
            T,
        ),
        (
            "stripe/payment_intent.payment_failed.json",
            "payment_intent.payment_failed",
            "evt_S5001_failed",
            T + 4 * DAY,
        ),
    ] {
        let mut v = intent_event(file, event_type, id, at, (pi, ch, "S5001"), 5000, 0);
        v["data"]["object"]["payment_method_types"] = json!(["sepa_debit"]);
        case.stripe(&v, "applied");
    }
    let shown = case.show("S5001");
    assert_eq!(
        statuses(&shown, pi),
        ("failed".to_owned(), "failed".to_owned())
    );
    assert_figures(
        &shown["money"],
        &[("captured", "0.00"), ("outstanding", "50.00")],
    );
    one(&case.findings("S5001"), "fulfilled_unpaid", Some(pi), None);
}

/// Case 6: dispute events told apart by id and ordered.
///
/// S6001: the dahlia `charge.dispute.closed` sample with `status: won`
/// (no modern `won` sample exists) delivered before the dahlia
/// `charge.dispute.created` of the same dispute `du_S6001`.
/// S6002: an inquiry `dp_S6002_inquiry` opened (the lago
/// `charge.dispute.closed.warning_closed` sample sent as
/// `charge.dispute.created` with `status: warning_needs_response`), a
/// chargeback `du_S6002_chargeback` opened (dahlia `charge.dispute.created`),
/// then the inquiry closed (the lago `warning_closed` sample). Ids,
/// amounts, currency and times changed.
#[test]
fn case_06_dispute_events_are_told_apart_by_id_and_ordered() {
    let case = Case::new(&[
        order(
            "S6001",
            "50.00",
            "processing",
            ("stripe", Some("pi_S6001"), "completed"),
        ),
        order(
            "S6002",
            "50.00",
            "processing",
            ("stripe", Some("pi_S6002"), "completed"),
        ),
    ]);

    // A `closed (won)` delivered before its `created`.
    let ids = ("du_S6001", "pi_S6001", "ch_S6001");
    case.stripe(
        &dispute_event(
            DISPUTE_CLOSED,
            "charge.dispute.closed",
            "evt_S6001_closed",
            T + 20 * DAY,
            ids,
            5000,
            "won",
        ),
        "applied",
    );
    case.stripe(
        &dispute_event(
            DISPUTE_CREATED,
            "charge.dispute.created",
            "evt_S6001_created",
            T,
            ids,
            5000,
            "needs_response",
        ),
        "applied",
    );
    let shown = case.show("S6001");
    assert_figures(
        attempt(&shown, "pi_S6001"),
        &[("disputed", "0.00"), ("lost", "0.00"), ("kept", "50.00")],
    );
    assert_eq!(
        statuses(&shown, "pi_S6001"),
        ("completed".to_owned(), "paid".to_owned())
    );
    let findings = case.findings("S6001");
    assert!(
        of_rule(&findings, "disputed").is_empty() && of_rule(&findings, "dispute_lost").is_empty(),
        "{findings:#?}"
    );

    // An inquiry closing does not clear a second, open chargeback.
    let (pi, ch) = ("pi_S6002", "ch_S6002");
    let (inquiry, chargeback) = ("dp_S6002_inquiry", "du_S6002_chargeback");
    let inquiry_event = |event_type: &str, id: &str, at: i64, status: &str| {
        stripe_event(
            "stripe/ledger/charge.dispute.closed.warning_closed.basil.lago.json",
            event_type,
            id,
            at,
            json!({"id": inquiry, "charge": ch, "payment_intent": pi, "amount": 5000,
                   "currency": "usd", "status": status}),
        )
    };
    let mut opened = inquiry_event(
        "charge.dispute.created",
        "evt_S6002_inquiry_opened",
        T,
        "warning_needs_response",
    );
    opened["data"]
        .as_object_mut()
        .unwrap()
        .remove("previous_attributes");
    case.stripe(&opened, "applied");
    case.stripe(
        &dispute_event(
            DISPUTE_CREATED,
            "charge.dispute.created",
            "evt_S6002_chargeback_opened",
            T + DAY,
            (chargeback, pi, ch),
            5000,
            "needs_response",
        ),
        "applied",
    );
    case.stripe(
        &inquiry_event(
            "charge.dispute.closed",
            "evt_S6002_inquiry_closed",
            T + 2 * DAY,
            "warning_closed",
        ),
        "applied",
    );
    let shown = case.show("S6002");
    assert_figures(
        attempt(&shown, pi),
        &[("disputed", "50.00"), ("lost", "0.00"), ("kept", "50.00")],
    );
    one(
        &case.findings("S6002"),
        "disputed",
        Some(pi),
        Some(chargeback),
    );
}

/// Case 7: PayPal `PAYMENT.CAPTURE.REVERSED`, then `CUSTOMER.DISPUTE.RESOLVED`
/// in the seller's favour on the same capture.
///
/// Events: `PAYMENT.CAPTURE.REVERSED.json` as a reversal of the order's
/// 60.00 USD capture (its `up` link, amounts and ids changed); then
/// `CUSTOMER.DISPUTE.RESOLVED.CANCELED_BY_BUYER.paypal-docs.json` with
/// outcome `RESOLVED_SELLER_FAVOUR` (no sample of that outcome exists), the
/// capture in `disputed_transactions[].seller_transaction_id`, dispute id,
/// amount and times changed.
#[test]
fn case_07_a_paypal_reversal_then_a_resolution_for_the_seller() {
    let capture = "4L335234718P7001";
    let case = Case::new(&[order(
        "P7001",
        "60.00",
        "processing",
        ("paypal", Some(capture), "completed"),
    )]);
    let mut reversed = paypal_event(
        "paypal/ledger/PAYMENT.CAPTURE.REVERSED.json",
        "WH-P7001-REVERSED",
        "2026-09-25T10:00:00.000Z",
        json!({"id": "09E71677NSP7001R", "amount": usd("60.00"),
               "create_time": "2026-09-25T09:59:00Z", "update_time": "2026-09-25T09:59:00Z"}),
    );
    let r = &mut reversed["resource"];
    for key in ["gross_amount", "net_amount", "total_refunded_amount"] {
        r["seller_payable_breakdown"][key] = usd("60.00");
    }
    r["links"] = json!([
        {"href": "https://api.paypal.com/v2/payments/refunds/09E71677NSP7001R", "rel": "self", "method": "GET"},
        {"href": format!("https://api.paypal.com/v2/payments/captures/{capture}"), "rel": "up", "method": "GET"},
    ]);
    case.paypal(&reversed, "applied");
    let shown = case.show("P7001");
    assert_figures(
        attempt(&shown, capture),
        &[("refunded", "0.00"), ("lost", "60.00"), ("kept", "0.00")],
    );
    assert_eq!(
        statuses(&shown, capture),
        ("cancelled".to_owned(), "refunded".to_owned())
    );
    // The reversal is named by its own id (a refund id at PayPal).
    one(
        &case.findings("P7001"),
        "dispute_lost",
        Some(capture),
        Some("09E71677NSP7001R"),
    );

    let mut resolved = paypal_event(
        "paypal/ledger/CUSTOMER.DISPUTE.RESOLVED.CANCELED_BY_BUYER.paypal-docs.json",
        "WH-P7001-RESOLVED",
        "2026-10-20T10:00:00.000Z",
        json!({"dispute_id": "PP-D-7001", "dispute_amount": usd("60.00"),
               "dispute_outcome": {"outcome_code": "RESOLVED_SELLER_FAVOUR"},
               "create_time": "2026-09-25T09:58:00.000Z",
               "update_time": "2026-10-20T09:59:00.000Z"}),
    );
    resolved["resource"]["disputed_transactions"][0]["seller_transaction_id"] = json!(capture);
    case.paypal(&resolved, "applied");
    let shown = case.show("P7001");
    assert_figures(
        attempt(&shown, capture),
        &[
            ("captured", "60.00"),
            ("disputed", "0.00"),
            ("lost", "0.00"),
            ("kept", "60.00"),
        ],
    );
    assert_eq!(
        statuses(&shown, capture),
        ("completed".to_owned(), "paid".to_owned())
    );
    let findings = case.findings("P7001");
    assert!(
        of_rule(&findings, "dispute_lost").is_empty() && of_rule(&findings, "disputed").is_empty(),
        "{findings:#?}"
    );
}

/// Case 8: `PAYMENT.CAPTURE.DECLINED` fails the payment.
///
/// Event: `PAYMENT.CAPTURE.DECLINED.json` as the order's capture (its id,
/// `custom_id` and times changed; amount 185.10 USD as sent).
#[test]
fn case_08_a_declined_paypal_capture_fails_the_payment() {
    let capture = "7U133281TB32P8001";
    let case = Case::new(&[order(
        "P8001",
        "185.10",
        "processing",
        ("paypal", Some(capture), "pending"),
    )]);
    case.paypal(
        &paypal_event(
            "paypal/ledger/PAYMENT.CAPTURE.DECLINED.json",
            "WH-P8001-DECLINED",
            "2026-09-21T10:00:00.000Z",
            json!({"id": capture, "custom_id": "P8001",
                   "create_time": "2026-09-21T09:59:00Z", "update_time": "2026-09-21T09:59:00Z"}),
        ),
        "applied",
    );
    let shown = case.show("P8001");
    assert_eq!(
        statuses(&shown, capture),
        ("failed".to_owned(), "failed".to_owned())
    );
    assert_eq!(shown["payment"]["provider_status"], json!("DECLINED"));
    assert_figures(attempt(&shown, capture), &[("captured", "0.00")]);
}

/// Case 9: new attempts by `metadata.order_id`.
///
/// Events: `payment_intent.payment_failed.json` and
/// `payment_intent.succeeded.json`, as PaymentIntents of 50.00 USD with the
/// order in `metadata.order_id` (ids, amounts, currency and times changed).
/// S9001: the first PaymentIntent fails, a second one pays. S9002: two
/// PaymentIntents both succeed. S9003: the order was to be paid by Wave
/// (a pending Wave payment without reference) and is paid by Stripe.
#[test]
fn case_09_a_second_payment_intent_is_a_new_attempt() {
    let case = Case::new(&[
        order(
            "S9001",
            "50.00",
            "pending",
            ("stripe", Some("pi_S9001_first"), "pending"),
        ),
        order(
            "S9002",
            "50.00",
            "pending",
            ("stripe", Some("pi_S9002_first"), "pending"),
        ),
        order("S9003", "50.00", "pending", ("wave", None, "pending")),
    ]);

    // A failed PaymentIntent, then a second one that pays.
    case.stripe(
        &intent_event(
            "stripe/payment_intent.payment_failed.json",
            "payment_intent.payment_failed",
            "evt_S9001_failed",
            T,
            ("pi_S9001_first", "ch_S9001_first", "S9001"),
            5000,
            0,
        ),
        "applied",
    );
    case.stripe(
        &succeeded(
            "evt_S9001_second",
            T + 600,
            "pi_S9001_second",
            "ch_S9001_second",
            "S9001",
            5000,
        ),
        "applied",
    );
    let shown = case.show("S9001");
    assert_eq!(shown["payments"].as_array().unwrap().len(), 2, "{shown:#}");
    let second = attempt(&shown, "pi_S9001_second");
    assert_eq!(second["attempt"], json!(2), "{second:#}");
    assert_figures(second, &[("captured", "50.00"), ("kept", "50.00")]);
    assert_eq!(
        statuses(&shown, "pi_S9001_second"),
        ("completed".to_owned(), "paid".to_owned())
    );
    assert_eq!(attempt(&shown, "pi_S9001_first")["status"], json!("failed"));
    let findings = case.findings("S9001");
    assert!(
        of_rule(&findings, "duplicate_payment").is_empty(),
        "{findings:#?}"
    );

    // Two PaymentIntents that both succeed.
    for (n, pi) in [(0, "pi_S9002_first"), (1, "pi_S9002_second")] {
        case.stripe(
            &succeeded(
                &format!("evt_S9002_{n}"),
                T + n * 600,
                pi,
                &pi.replacen("pi_", "ch_", 1),
                "S9002",
                5000,
            ),
            "applied",
        );
    }
    let shown = case.show("S9002");
    assert_figures(
        &shown["money"],
        &[("captured", "100.00"), ("kept", "100.00")],
    );
    // The finding names the later charge, the double one, as the payment
    // to refund (the order's main payment is the first that keeps money),
    // and both in its detail.
    let findings = case.findings("S9002");
    let dup = of_rule(&findings, "duplicate_payment");
    assert_eq!(dup.len(), 1, "{findings:#?}");
    assert_eq!(dup[0]["payment"], "pi_S9002_second", "{findings:#?}");
    let detail = dup[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("pi_S9002_first") && detail.contains("pi_S9002_second"),
        "{detail}"
    );

    // An order planned for Wave, paid by Stripe.
    case.stripe(
        &succeeded("evt_S9003", T, "pi_S9003", "ch_S9003", "S9003", 5000),
        "applied",
    );
    let shown = case.show("S9003");
    let stripe = attempt(&shown, "pi_S9003");
    assert_eq!(stripe["provider"], json!("stripe"));
    assert_figures(stripe, &[("captured", "50.00"), ("kept", "50.00")]);
    assert_eq!(
        statuses(&shown, "pi_S9003"),
        ("completed".to_owned(), "paid".to_owned())
    );

    assert_eq!(orphans(&case), 0);
    let all = case.all_findings();
    assert!(of_rule(&all, "orphan_transaction").is_empty(), "{all:#?}");
}

/// Case 10: a partial refund on an order the owner cancelled.
///
/// `tally order cancel` records the 89.90 owed; then
/// `charge.refunded.full.supabase.json` as a refund `re_C1001` of 60.00 of
/// the 89.90 USD charge (ids, amounts, `refunded: false` and times changed).
#[test]
fn case_10_a_partial_refund_after_the_owner_cancelled() {
    let (pi, ch) = ("pi_C1001", "ch_C1001");
    let case = Case::new(&[order(
        "C1001",
        "89.90",
        "processing",
        ("stripe", Some(pi), "completed"),
    )]);
    let run = case.tally(&["order", "cancel", "C1001"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let shown = case.show("C1001");
    assert_figures(&shown["money"], &[("owed", "89.90")]);

    case.stripe(
        &charge_refunded(
            "evt_C1001_refunded",
            unix_now(),
            (pi, ch),
            8990,
            &[("re_C1001", 6000)],
        ),
        "applied",
    );
    let shown = case.show("C1001");
    assert_figures(
        attempt(&shown, pi),
        &[
            ("captured", "89.90"),
            ("refunded", "60.00"),
            ("kept", "29.90"),
            ("owed", "29.90"),
        ],
    );
    assert_figures(&shown["money"], &[("refunded", "60.00"), ("owed", "29.90")]);
    let findings = case.findings("C1001");
    let f = one(&findings, "refund_awaiting_provider", Some(pi), None);
    let detail = f["detail"].as_str().unwrap();
    assert!(detail.contains("29.90"), "{f:#}");
    assert!(
        of_rule(&findings, "cancelled_but_captured").is_empty(),
        "{findings:#?}"
    );
}

/// Case 11: Stripe's 2025-03-31 `invoice_payment.paid` captures the
/// invoice's PaymentIntent; a refund of that PaymentIntent applies to it.
///
/// Events: `invoice_payment.paid.supabase.json` as a payment of the order's
/// PaymentIntent `pi_I1101` (event id, `payment.payment_intent` and time
/// changed; 20.00 USD as sent), then `refund.created.supabase.json` as a
/// refund `re_I1101` of 10.00 on that PaymentIntent (ids and time changed).
#[test]
fn case_11_an_invoice_payment_then_a_refund_of_its_payment_intent() {
    let pi = "pi_I1101";
    let case = Case::new(&[order(
        "I1101",
        "20.00",
        "processing",
        ("stripe", Some(pi), "pending"),
    )]);
    let mut paid = stripe_event(
        "stripe/ledger/invoice_payment.paid.supabase.json",
        "invoice_payment.paid",
        "evt_I1101_paid",
        T,
        json!({"id": "inpay_I1101", "invoice": "in_I1101"}),
    );
    paid["data"]["object"]["payment"]["payment_intent"] = json!(pi);
    case.stripe(&paid, "applied");
    let shown = case.show("I1101");
    assert_figures(
        attempt(&shown, pi),
        &[("captured", "20.00"), ("kept", "20.00")],
    );
    assert_eq!(
        statuses(&shown, pi),
        ("completed".to_owned(), "paid".to_owned())
    );

    case.stripe(
        &stripe_event(
            "stripe/ledger/refund.created.supabase.json",
            "refund.created",
            "evt_I1101_refund",
            T + DAY,
            json!({"id": "re_I1101", "payment_intent": pi, "charge": "ch_I1101",
                   "created": T + DAY}),
        ),
        "applied",
    );
    let shown = case.show("I1101");
    assert_figures(
        attempt(&shown, pi),
        &[
            ("captured", "20.00"),
            ("refunded", "10.00"),
            ("kept", "10.00"),
        ],
    );
    assert_eq!(
        statuses(&shown, pi),
        ("completed".to_owned(), "paid".to_owned())
    );
    assert_eq!(orphans(&case), 0);
}

/// Case 12: dispute statuses do not overwrite the payment's raw provider
/// status.
///
/// Events: `payment_intent.succeeded.json` as `pi_S1201` (50.00 USD), then
/// the dahlia `charge.dispute.created` (`needs_response`) and
/// `charge.dispute.closed` samples (status `won`) as dispute `du_S1201`.
#[test]
fn case_12_dispute_statuses_leave_the_provider_status_alone() {
    let (pi, ch, du) = ("pi_S1201", "ch_S1201", "du_S1201");
    let case = Case::new(&[order(
        "S1201",
        "50.00",
        "processing",
        ("stripe", Some(pi), "pending"),
    )]);
    case.stripe(
        &succeeded("evt_S1201_paid", T, pi, ch, "S1201", 5000),
        "applied",
    );
    let shown = case.show("S1201");
    assert_eq!(shown["payment"]["provider_status"], json!("succeeded"));
    for (file, event_type, id, at, status) in [
        (
            DISPUTE_CREATED,
            "charge.dispute.created",
            "evt_S1201_dispute",
            T + DAY,
            "needs_response",
        ),
        (
            DISPUTE_CLOSED,
            "charge.dispute.closed",
            "evt_S1201_won",
            T + 20 * DAY,
            "won",
        ),
    ] {
        case.stripe(
            &dispute_event(file, event_type, id, at, (du, pi, ch), 5000, status),
            "applied",
        );
        let shown = case.show("S1201");
        assert_eq!(
            shown["payment"]["provider_status"],
            json!("succeeded"),
            "after {status}"
        );
        assert_eq!(
            statuses(&shown, pi),
            ("completed".to_owned(), "paid".to_owned())
        );
    }
}

/// Case 13: a PaymentIntent cancelled with nothing ever captured.
///
/// Events: `payment_intent.canceled.duplicate.basil.lago.json` as
/// `pi_S1301` (`cancellation_reason: duplicate`, 230.40 USD as sent), and
/// the same body as `pi_S1302` with `cancellation_reason: abandoned` (no
/// sample of that reason exists). Ids and times changed.
#[test]
fn case_13_a_payment_intent_cancelled_before_any_capture_fails() {
    let case = Case::new(&[
        order(
            "S1301",
            "230.40",
            "processing",
            ("stripe", Some("pi_S1301"), "pending"),
        ),
        order(
            "S1302",
            "230.40",
            "processing",
            ("stripe", Some("pi_S1302"), "pending"),
        ),
    ]);
    for (number, reason) in [("S1301", "duplicate"), ("S1302", "abandoned")] {
        let pi = format!("pi_{number}");
        case.stripe(
            &stripe_event(
                "stripe/ledger/payment_intent.canceled.duplicate.basil.lago.json",
                "payment_intent.canceled",
                &format!("evt_{number}_canceled"),
                T,
                json!({"id": pi, "canceled_at": T, "cancellation_reason": reason,
                       "client_secret": format!("{pi}_secret_test")}),
            ),
            "applied",
        );
        let shown = case.show(number);
        assert_eq!(
            statuses(&shown, &pi),
            ("failed".to_owned(), "failed".to_owned()),
            "{reason}"
        );
        assert_figures(
            attempt(&shown, &pi),
            &[("captured", "0.00"), ("refunded", "0.00"), ("kept", "0.00")],
        );
        assert_eq!(shown["payment"]["provider_status"], json!("canceled"));
    }
}
