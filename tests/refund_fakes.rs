//! `tally refund` and the cancel guard through PayPal and Wave, against the
//! test tree's fakes (`tests/support`: `Fake`, a small HTTP server answering
//! from a handler). These are fakes: only the calls tally makes, in the
//! shapes `../shared/providers/paypal-api.md` (§1 token, §3 refunds) and
//! `wave.md` (§2 Checkout) document.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Run, Shop, tally_with};
use serde_json::{Value, json};
use support::{Fake, Fault};

const PP_ID: &str = "AYpp-refund-client";
const PP_SECRET: &str = "EPpp-refund-secret-value";

fn order(number: &str, total: &str, currency: &str, payment_status: &str) -> Value {
    json!({"number": number, "customer_name": "Test Buyer", "customer_email": "b@example.com",
           "total": total, "currency": currency, "status": "processing",
           "payment_status": payment_status, "created_at": "2026-11-20T10:00:00Z"})
}

fn payment(
    number: &str,
    provider: &str,
    reference: &str,
    total: &str,
    currency: &str,
    status: &str,
) -> Value {
    let mut p = json!({"order": number, "provider": provider, "reference": reference,
           "amount": total, "currency": currency, "status": status,
           "created_at": "2026-11-20T10:01:00Z"});
    if status == "completed" {
        p["completed_at"] = json!("2026-11-20T10:02:00Z");
        p["captured_amount"] = json!(total);
    }
    p
}

/// The PayPal fake's books: refunds made per capture, answers per
/// PayPal-Request-Id.
#[derive(Default)]
struct PaypalBooks {
    /// capture id → (captured minor, refunded minor)
    captures: HashMap<String, (i64, i64)>,
    /// PayPal-Request-Id → the answer first given
    answers: HashMap<String, (u16, String)>,
    refunds: Vec<Value>,
    /// How many more refund calls are acted on and answered too late.
    slow: u32,
}

/// A fake of PayPal's token and refund calls: v2 captures in `captures`,
/// v1 sales in `sales` (a v2 call for a sale id is a 404).
fn paypal_fake(captures: &[(&str, i64)], sales: &[(&str, i64)]) -> (Fake, Arc<Mutex<PaypalBooks>>) {
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{PP_ID}:{PP_SECRET}"))
    );
    let books: Arc<Mutex<PaypalBooks>> = Arc::default();
    {
        let mut b = books.lock().unwrap();
        for (id, minor) in captures.iter().chain(sales) {
            b.captures.insert((*id).to_owned(), (*minor, 0));
        }
    }
    let sales: Vec<String> = sales.iter().map(|(id, _)| (*id).to_owned()).collect();
    let b = books.clone();
    let fake = Fake::start(move |r| {
        if r.path == "/v1/oauth2/token" {
            if r.authorization != basic {
                return (
                    401,
                    vec![],
                    json!({"error": "invalid_client",
                    "error_description": "Client Authentication failed"})
                    .to_string(),
                );
            }
            return (
                200,
                vec![],
                json!({"access_token": "A21AA-refund-token",
                "token_type": "Bearer", "expires_in": 32398})
                .to_string(),
            );
        }
        if r.authorization != "Bearer A21AA-refund-token" {
            return (
                401,
                vec![],
                json!({"name": "AUTHENTICATION_FAILURE",
                "message": "Authentication failed due to invalid authentication credentials"})
                .to_string(),
            );
        }
        let parts: Vec<&str> = r.path.trim_matches('/').split('/').collect();
        let (v1, id) = match parts.as_slice() {
            ["v2", "payments", "captures", id, "refund"] => (false, *id),
            ["v1", "payments", "sale", id, "refund"] => (true, *id),
            _ => {
                return (
                    404,
                    vec![],
                    json!({"name": "RESOURCE_NOT_FOUND", "message": "no such path"}).to_string(),
                );
            }
        };
        if v1 != sales.iter().any(|s| s == id) {
            return (
                404,
                vec![],
                json!({"name": "RESOURCE_NOT_FOUND",
                "message": "The specified resource does not exist."})
                .to_string(),
            );
        }
        let request_id = r
            .header("PayPal-Request-Id")
            .expect("every refund carries PayPal-Request-Id")
            .to_owned();
        let mut books = b.lock().unwrap();
        if let Some((status, body)) = books.answers.get(&request_id).cloned() {
            if books.slow > 0 {
                books.slow -= 1;
                drop(books);
                std::thread::sleep(Duration::from_millis(1500));
            }
            return (status, vec![], body);
        }
        let body: Value = serde_json::from_str(&r.body).unwrap();
        let amount = if v1 {
            &body["amount"]["total"]
        } else {
            &body["amount"]["value"]
        };
        let value = amount.as_str().expect("an explicit amount").to_owned();
        let minor = (value.parse::<f64>().unwrap() * 100.0).round() as i64;
        let (captured, refunded) = books.captures[id];
        let answer = if refunded + minor > captured {
            (422, json!({"name": "UNPROCESSABLE_ENTITY", "message": "The requested action could not be performed.",
                "details": [{"issue": "REFUND_AMOUNT_EXCEEDED"}]}).to_string())
        } else {
            books
                .captures
                .insert(id.to_owned(), (captured, refunded + minor));
            let n = books.refunds.len() + 1;
            let refund = if v1 {
                json!({"id": format!("SALE-RF-{n}"), "state": "completed", "sale_id": id,
                       "amount": {"total": value, "currency": "EUR"}, "invoice_number": body["invoice_number"],
                       "create_time": "2026-11-21T12:00:00Z"})
            } else {
                json!({"id": format!("RF-{n}"), "status": "COMPLETED",
                       "amount": {"value": value, "currency_code": "EUR"}, "custom_id": body["custom_id"],
                       "create_time": "2026-11-21T12:00:00Z"})
            };
            books.refunds.push(refund.clone());
            (201, refund.to_string())
        };
        books.answers.insert(request_id, answer.clone());
        if books.slow > 0 {
            books.slow -= 1;
            drop(books);
            std::thread::sleep(Duration::from_millis(1500));
        }
        (answer.0, vec![], answer.1)
    });
    (fake, books)
}

fn paypal(shop: &Shop, fake: &Fake, args: &[&str]) -> Run {
    tally_with(
        &shop.db,
        args,
        &[
            ("PAYPAL_CLIENT_ID", PP_ID),
            ("PAYPAL_CLIENT_SECRET", PP_SECRET),
            ("TALLY_PAYPAL_API", &fake.url()),
            ("TALLY_API_TIMEOUT", "1"),
        ],
    )
}

#[test]
fn paypal_a_timed_out_refund_is_settled_with_the_same_request_id() {
    let shop = Shop::import(&json!({
        "orders": [order("PP1001", "89.90", "EUR", "paid")],
        "payments": [payment("PP1001", "paypal", "5O190127TN364715T", "89.90", "EUR", "completed")]}));
    let (fake, books) = paypal_fake(&[("5O190127TN364715T", 8990)], &[]);
    // Every try is acted on and answered too late: PayPal refunded, tally
    // never heard.
    books.lock().unwrap().slow = 100;
    let run = paypal(&shop, &fake, &["refund", "PP1001", "--yes"]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stdout.contains("is unknown"), "{}", run.text());
    books.lock().unwrap().slow = 0;
    std::thread::sleep(Duration::from_millis(1600));
    // A 500 on the next try is retried too.
    fake.faults.lock().unwrap().push_back(Fault::Status(
        500,
        None,
        r#"{"name":"INTERNAL_SERVER_ERROR","message":"x"}"#,
    ));
    assert_eq!(
        books.lock().unwrap().refunds.len(),
        1,
        "one refund for every try"
    );
    assert_eq!(shop.count("SELECT refunded_minor FROM payments"), 0);
    let run = paypal(&shop, &fake, &["refund", "PP1001", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("is succeeded (RF-1)"), "{}", run.text());
    assert_eq!(books.lock().unwrap().refunds.len(), 1);
    assert_eq!(shop.count("SELECT refunded_minor FROM payments"), 8990);
    let key: String = shop
        .conn()
        .query_row("SELECT idempotency_key FROM refund_intents", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(books.lock().unwrap().refunds[0]["custom_id"], key.as_str());
    assert!(!run.stdout.contains(PP_SECRET) && !run.stderr.contains(PP_SECRET));
}

#[test]
fn paypal_partial_then_v1_sale_and_the_providers_refusal() {
    let shop = Shop::import(&json!({
        "orders": [order("PP2001", "50.00", "EUR", "paid"), order("PP2002", "20.00", "EUR", "paid")],
        "payments": [payment("PP2001", "paypal", "CAPTURE00000000001", "50.00", "EUR", "completed"),
                     payment("PP2002", "paypal", "SALE0000000000001", "20.00", "EUR", "completed")]}));
    let (fake, books) = paypal_fake(
        &[("CAPTURE00000000001", 5000)],
        &[("SALE0000000000001", 2000)],
    );
    let run = paypal(
        &shop,
        &fake,
        &[
            "refund", "PP2001", "--amount", "12.50", "--reason", "damaged", "--yes",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("the order keeps 37.50 EUR"),
        "{}",
        run.text()
    );
    let run = paypal(&shop, &fake, &["refund", "PP2002", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout
            .contains("refunded 20.00 EUR through PayPal (SALE-RF-2)"),
        "{}",
        run.text()
    );
    assert_eq!(books.lock().unwrap().refunds.len(), 2);
    // PayPal's own refusal (its books say more was refunded than tally
    // knows): recorded as refused, nothing moved.
    books
        .lock()
        .unwrap()
        .captures
        .insert("CAPTURE00000000001".into(), (5000, 5000));
    let run = paypal(&shop, &fake, &["refund", "PP2001", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stdout
            .contains("PayPal refused the refund of 37.50 EUR"),
        "{}",
        run.text()
    );
    assert_eq!(
        shop.count("SELECT count(*) FROM refund_intents WHERE state = 'refused'"),
        1
    );
}

/// A fake of Wave's Checkout API: sessions by id, refunds (once each) and
/// expiry.
/// The Wave fake, its sessions, and the sessions refunded.
type WaveFake = (
    Fake,
    Arc<Mutex<HashMap<String, Value>>>,
    Arc<Mutex<Vec<String>>>,
);

fn wave_fake(sessions: Vec<Value>) -> WaveFake {
    let store: Arc<Mutex<HashMap<String, Value>>> = Arc::new(Mutex::new(
        sessions
            .into_iter()
            .map(|s| (s["id"].as_str().unwrap().to_owned(), s))
            .collect(),
    ));
    let refunded: Arc<Mutex<Vec<String>>> = Arc::default();
    let (s, rf) = (store.clone(), refunded.clone());
    let fake = Fake::start(move |r| {
        if r.authorization != "Bearer wave_sn_prod_refund" {
            return (
                401,
                vec![],
                json!({"code": "invalid-auth", "message": "Invalid API key"}).to_string(),
            );
        }
        let parts: Vec<&str> = r.path.trim_matches('/').split('/').collect();
        let mut sessions = s.lock().unwrap();
        match parts.as_slice() {
            ["v1", "checkout", "sessions", "search"] => {
                let found: Vec<Value> = sessions
                    .values()
                    .filter(|v| v["client_reference"].as_str() == r.param("client_reference"))
                    .cloned()
                    .collect();
                (200, vec![], json!({"result": found}).to_string())
            }
            ["v1", "checkout", "sessions", id] => match sessions.get(*id) {
                Some(v) => (200, vec![], v.to_string()),
                None => (
                    404,
                    vec![],
                    json!({"code": "not-found", "message": "No such session"}).to_string(),
                ),
            },
            ["v1", "checkout", "sessions", id, "refund"] => {
                let mut rf = rf.lock().unwrap();
                // "If you try to refund a checkout twice, no additional
                // transaction will be created."
                if !rf.iter().any(|x| x == id) {
                    rf.push((*id).to_owned());
                }
                (200, vec![], String::new())
            }
            ["v1", "checkout", "sessions", id, "expire"] => match sessions.get_mut(*id) {
                Some(v) if v["checkout_status"] == "open" => {
                    v["checkout_status"] = json!("expired");
                    (200, vec![], v.to_string())
                }
                _ => (
                    400,
                    vec![],
                    json!({"code": "checkout-session-not-open", "message": "not open"}).to_string(),
                ),
            },
            _ => (404, vec![], "{}".to_owned()),
        }
    });
    (fake, store, refunded)
}

fn wave(shop: &Shop, fake: &Fake, args: &[&str]) -> Run {
    tally_with(
        &shop.db,
        args,
        &[
            ("WAVE_API_KEY", "wave_sn_prod_refund"),
            ("TALLY_WAVE_API", &fake.url()),
            ("TALLY_API_TIMEOUT", "2"),
        ],
    )
}

fn session(id: &str, order: &str, checkout: &str, payment: &str) -> Value {
    json!({"id": id, "amount": "25000", "currency": "XOF", "checkout_status": checkout,
           "payment_status": payment, "client_reference": order,
           "when_created": "2026-11-21T10:00:00Z", "when_expires": "2026-11-21T10:30:00Z"})
}

#[test]
fn wave_refunds_a_whole_checkout_once() {
    let shop = Shop::import(&json!({
        "orders": [order("WV1001", "25000", "XOF", "paid")],
        "payments": [payment("WV1001", "wave", "cos-1paid", "25000", "XOF", "completed")]}));
    let (fake, _, refunded) = wave_fake(vec![session(
        "cos-1paid",
        "WV1001",
        "complete",
        "succeeded",
    )]);
    let run = wave(
        &shop,
        &fake,
        &["refund", "WV1001", "--amount", "1000", "--yes"],
    );
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stdout.contains("Wave refunds only the whole payment"),
        "{}",
        run.text()
    );
    assert!(refunded.lock().unwrap().is_empty());
    let run = wave(&shop, &fake, &["refund", "WV1001", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("refunded 25000 XOF through Wave"),
        "{}",
        run.text()
    );
    assert_eq!(*refunded.lock().unwrap(), ["cos-1paid"]);
    assert_eq!(
        shop.count("SELECT count(*) FROM movements WHERE kind = 'refund' AND provider_id = 'cos-1paid/refund'"),
        1
    );
    assert_eq!(
        shop.conn()
            .query_row("SELECT payment_status FROM orders", [], |r| r
                .get::<_, String>(0))
            .unwrap(),
        "refunded"
    );
}

#[test]
fn wave_cancel_guard_expires_an_open_checkout_and_keeps_a_paid_one() {
    let shop = Shop::import(&json!({
        "orders": [order("WV2001", "25000", "XOF", "pending"), order("WV2002", "25000", "XOF", "pending")],
        "payments": [payment("WV2001", "wave", "cos-2open", "25000", "XOF", "pending"),
                     {"order": "WV2002", "provider": "wave", "amount": "25000", "currency": "XOF",
                      "status": "pending", "created_at": "2026-11-20T10:01:00Z"}]}));
    let (fake, sessions, _) = wave_fake(vec![
        session("cos-2open", "WV2001", "open", "processing"),
        session("cos-2paid", "WV2002", "complete", "succeeded"),
    ]);
    let run = wave(&shop, &fake, &["order", "cancel", "WV2001", "WV2002"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stdout
            .contains("checkout session cos-2open expired at Wave"),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("WV2001: cancelled:"), "{}", run.text());
    assert!(
        run.stdout
            .contains("WV2002: skipped: WV2002: paid at Wave (cos-2paid)"),
        "{}",
        run.text()
    );
    assert_eq!(
        sessions.lock().unwrap()["cos-2open"]["checkout_status"],
        "expired"
    );
    let status = |n: &str| -> (String, String) {
        shop.conn()
            .query_row(
                "SELECT o.status, p.status FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.number = ?1",
                [n],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    assert_eq!(status("WV2001").0, "cancelled");
    assert_eq!(
        status("WV2002"),
        ("processing".to_owned(), "completed".to_owned())
    );
}
