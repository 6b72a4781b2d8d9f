//! `tally sync` against hand-written fakes of Stripe's and PayPal's APIs
//! (`tests/support`): real Stripe's newest-first paging, PayPal's token,
//! paging by links, a token that expires mid-run, an event listed twice,
//! and every error path: bad credentials, a timeout, a malformed page, a
//! 500 then success. Each error exits 2 with a message naming the provider,
//! the call and the provider's text, and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Shop, tally_with};
use serde_json::{Value, json};
use support::{Fake, Fault, fake_stripe};

const STRIPE_KEY: &str = "rk_test_tally_fake";

/// Eight pending orders: SHOP1001..1004 awaiting Stripe, SHOP1005..1008
/// awaiting PayPal.
fn shop() -> Shop {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut orders = Vec::new();
    let mut payments = Vec::new();
    for i in 1..=8 {
        let number = format!("SHOP{}", 1000 + i);
        let provider = if i <= 4 { "stripe" } else { "paypal" };
        orders.push(
            json!({"number": number, "customer_name": "B", "customer_email": "b@example.com",
            "total": format!("{}.00", 10 + i), "currency": "EUR", "status": "pending",
            "payment_status": "pending", "created_at": now}),
        );
        payments.push(
            json!({"order": number, "provider": provider, "amount": format!("{}.00", 10 + i),
            "currency": "EUR", "status": "pending", "created_at": now}),
        );
    }
    Shop::import(&json!({"orders": orders, "payments": payments}))
}

fn paid(shop: &Shop, number: &str) -> bool {
    shop.conn()
        .query_row(
            "SELECT payment_status FROM orders WHERE number = ?1",
            [number],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
        == "paid"
}

fn stripe_event(id: &str, order: &str, minor: i64, created: i64, kind: &str) -> Value {
    let (status, error) = match kind {
        "payment_intent.succeeded" => ("succeeded", Value::Null),
        _ => ("requires_payment_method", json!({"code": "card_declined"})),
    };
    json!({"id": id, "object": "event", "type": kind, "created": created,
        "data": {"object": {"id": format!("pi_{order}"), "object": "payment_intent",
            "amount": minor, "amount_received": if status == "succeeded" { minor } else { 0 },
            "currency": "eur", "status": status, "last_payment_error": error,
            "latest_charge": format!("ch_{order}"), "metadata": {"order_id": order}}}})
}

fn sync_stripe(shop: &Shop, fake: &Fake, key: &str, extra: &[(&str, &str)]) -> common::Run {
    let mut env = vec![("STRIPE_API_KEY", key)];
    env.extend_from_slice(extra);
    tally_with(
        &shop.db,
        &["sync", "stripe", "--stripe-api", &fake.url()],
        &env,
    )
}

#[test]
fn stripe_newest_first_pages_are_applied_oldest_first() {
    let shop = shop();
    let now = common::unix_now();
    let mut events = Vec::new();
    // SHOP1001 was declined, then paid; the rest paid. Seven events, pages
    // of two, newest first as real Stripe lists them.
    events.push(stripe_event(
        "evt_a",
        "SHOP1001",
        1100,
        now - 600,
        "payment_intent.payment_failed",
    ));
    events.push(stripe_event(
        "evt_b",
        "SHOP1001",
        1100,
        now - 500,
        "payment_intent.succeeded",
    ));
    for (i, n) in [2, 3, 4].iter().enumerate() {
        let order = format!("SHOP100{n}");
        events.push(stripe_event(
            &format!("evt_c{i}"),
            &order,
            1000 + n * 100,
            now - 400 + i as i64,
            "payment_intent.succeeded",
        ));
    }
    // Types tally does not act on are not applied.
    events.push(
        json!({"id": "evt_x", "object": "event", "type": "customer.created", "created": now - 10,
        "data": {"object": {"id": "cus_1", "object": "customer"}}}),
    );
    let fake = fake_stripe(events, STRIPE_KEY, 2);
    let run = sync_stripe(&shop, &fake, STRIPE_KEY, &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    for n in 1..=4 {
        assert!(
            paid(&shop, &format!("SHOP100{n}")),
            "SHOP100{n}\n{}",
            run.text()
        );
    }
    assert_eq!(
        fake.calls("/v1/events"),
        3,
        "pages of two: 3 pages for 6 events"
    );
    // Applied in the providers' time order, whatever the listing order.
    let conn = shop.conn();
    let logged: Vec<String> = conn
        .prepare("SELECT event_id FROM webhook_log WHERE source = 'sync' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(logged, ["evt_a", "evt_b", "evt_c0", "evt_c1", "evt_c2"]);
    // Nothing new: the margin's three pages of two again, nothing applied.
    let before = shop.snapshot();
    let calls = fake.total_calls();
    let again = sync_stripe(&shop, &fake, STRIPE_KEY, &[]);
    assert_eq!(again.code, 0, "{}", again.text());
    assert_eq!(shop.snapshot(), before);
    assert!(fake.total_calls() - calls <= 3);
    assert!(again.stdout.contains("0 applied"), "{}", again.stdout);
}

/// Runs `sync stripe` against a fake that fails as `setup` says; the run
/// must exit 2 with `message` and change nothing.
fn stripe_error(
    setup: impl FnOnce(&Fake),
    key: &str,
    env: &[(&str, &str)],
    message: &[&str],
    body: Option<&'static str>,
) {
    let shop = shop();
    let now = common::unix_now();
    let fake = match body {
        Some(body) => Fake::start(move |_| (200, vec![], body.to_owned())),
        None => fake_stripe(
            vec![stripe_event(
                "evt_1",
                "SHOP1001",
                1100,
                now - 60,
                "payment_intent.succeeded",
            )],
            STRIPE_KEY,
            100,
        ),
    };
    setup(&fake);
    let before = shop.snapshot();
    let run = sync_stripe(&shop, &fake, key, env);
    assert_eq!(run.code, 2, "{}", run.text());
    for m in message {
        assert!(run.stderr.contains(m), "{m:?} missing from\n{}", run.text());
    }
    assert!(
        !run.stderr.contains(key) || key.len() < 8,
        "the key was printed"
    );
    assert_eq!(shop.snapshot(), before, "an error changed the shop");
    assert_eq!(shop.count("SELECT count(*) FROM sync_state"), 0);
}

#[test]
fn stripe_bad_credentials_exit_2_and_change_nothing() {
    stripe_error(
        |_| {},
        "rk_test_wrong_key_123",
        &[],
        &["Stripe: list events: 401 Invalid API Key provided"],
        None,
    );
}

#[test]
fn stripe_timeout_exits_2_and_changes_nothing() {
    stripe_error(
        |f| {
            for _ in 0..5 {
                f.fault(Fault::Delay(Duration::from_millis(1500)));
            }
        },
        STRIPE_KEY,
        &[("TALLY_API_TIMEOUT", "0.5")],
        &["Stripe: list events: no answer within"],
        None,
    );
}

#[test]
fn stripe_malformed_page_exits_2_and_changes_nothing() {
    stripe_error(
        |_| {},
        STRIPE_KEY,
        &[],
        &[
            "Stripe: list events: the answer is not what the API documents: the page has no data list",
        ],
        Some(r#"{"object":"list","has_more":false}"#),
    );
    stripe_error(
        |_| {},
        STRIPE_KEY,
        &[],
        &["has_more is true but the page moved no further"],
        Some(r#"{"object":"list","has_more":true,"data":[]}"#),
    );
    stripe_error(
        |_| {},
        STRIPE_KEY,
        &[],
        &["not JSON"],
        Some("<html>gateway</html>"),
    );
}

#[test]
fn stripe_500_then_success_and_should_retry_false() {
    let shop = shop();
    let now = common::unix_now();
    let fake = fake_stripe(
        vec![stripe_event(
            "evt_1",
            "SHOP1001",
            1100,
            now - 60,
            "payment_intent.succeeded",
        )],
        STRIPE_KEY,
        100,
    );
    fake.fault(Fault::Status(
        500,
        None,
        r#"{"error":{"type":"api_error","message":"boom"}}"#,
    ));
    let run = sync_stripe(&shop, &fake, STRIPE_KEY, &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(paid(&shop, "SHOP1001"));
    assert_eq!(fake.calls("/v1/events"), 2);
    // Five 503s in a row: given up, exit 2, Stripe's text quoted.
    let shop = self::shop();
    for _ in 0..5 {
        fake.fault(Fault::Status(
            503,
            Some("0"),
            r#"{"error":{"type":"api_error","message":"overloaded"}}"#,
        ));
    }
    let before = shop.snapshot();
    let run = sync_stripe(&shop, &fake, STRIPE_KEY, &[]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(
        run.stderr.contains("Stripe: list events: 503 overloaded"),
        "{}",
        run.text()
    );
    assert_eq!(shop.snapshot(), before);
}

// ---------------------------------------------------------------------------
// PayPal
// ---------------------------------------------------------------------------

const PP_ID: &str = "AppClientId";
const PP_SECRET: &str = "AppClientSecret-not-shown";

/// A fake of PayPal's token and webhook-events APIs (paypal-api.md §1,
/// §4.1): HTTP Basic for the token; each token good for `uses` calls, then
/// 401 (it expired); events newest first in pages of two, paged by an
/// absolute `next` link; the event `listed_twice` appears on two pages.
struct PaypalFake {
    fake: Fake,
    tokens: Arc<Mutex<usize>>,
}

fn capture_event(id: &str, order: &str, value: &str, at: &str) -> Value {
    json!({"id": id, "event_type": "PAYMENT.CAPTURE.COMPLETED", "create_time": at,
        "resource_type": "capture", "event_version": "1.0", "resource_version": "2.0",
        "summary": "Payment completed",
        "resource": {"id": format!("CAP{order}"), "status": "COMPLETED", "custom_id": order,
            "amount": {"currency_code": "EUR", "value": value}, "create_time": at, "update_time": at}})
}

fn paypal_fake(events: Vec<Value>, uses: usize, captures: Vec<Value>) -> PaypalFake {
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{PP_ID}:{PP_SECRET}"))
    );
    let tokens: Arc<Mutex<usize>> = Arc::default();
    let used: Arc<Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
    let t = tokens.clone();
    let mut listed = events;
    listed.sort_by(|a, b| b["create_time"].as_str().cmp(&a["create_time"].as_str()));
    // The newest event shows again at the top of the second page (a page
    // boundary that moved): tally must apply it once.
    let twice = listed.first().cloned();
    let fake = Fake::start(move |r| {
        if r.path == "/v1/oauth2/token" {
            if r.authorization != basic || !r.body.contains("grant_type=client_credentials") {
                return (
                    401,
                    vec![],
                    json!({"error": "invalid_client",
                    "error_description": "Client Authentication failed"})
                    .to_string(),
                );
            }
            let mut n = t.lock().unwrap();
            *n += 1;
            return (
                200,
                vec![],
                json!({"scope": "https://uri.paypal.com/services/reporting/search/read",
                "access_token": format!("A21AA-token-{n}"), "token_type": "Bearer",
                "app_id": "APP-1", "expires_in": 32398, "nonce": "n"})
                .to_string(),
            );
        }
        let token = r
            .authorization
            .strip_prefix("Bearer ")
            .unwrap_or_default()
            .to_owned();
        {
            let mut used = used.lock().unwrap();
            let count = used.entry(token.clone()).or_default();
            *count += 1;
            if !token.starts_with("A21AA-token-") || *count > uses {
                return (401, vec![], json!({"name": "AUTHENTICATION_FAILURE",
                    "message": "Authentication failed due to invalid authentication credentials or a missing Authorization header."}).to_string());
            }
        }
        if r.path == "/v1/notifications/webhooks-events" {
            let page: usize = r.param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let start = r.param("start_time").unwrap_or_default().to_owned();
            let mut these: Vec<Value> = listed
                .iter()
                .filter(|e| e["create_time"].as_str().unwrap_or_default() >= start.as_str())
                .skip((page - 1) * 2)
                .take(2)
                .cloned()
                .collect();
            if page == 2
                && let Some(t) = &twice
            {
                these.insert(0, t.clone());
            }
            let more = listed.len() > page * 2;
            let mut links = vec![json!({"href": "self", "rel": "self", "method": "GET"})];
            if more {
                let mut next = url::Url::parse(&format!("http://127.0.0.1:0{}", r.path)).unwrap();
                {
                    let mut q = next.query_pairs_mut();
                    for (k, v) in &r.query {
                        if k != "page" {
                            q.append_pair(k, v);
                        }
                    }
                    q.append_pair("page", &(page + 1).to_string());
                }
                let href = format!("{}?{}", next.path(), next.query().unwrap_or_default());
                links.push(json!({"href": href, "rel": "next", "method": "GET"}));
            }
            return (
                200,
                vec![],
                json!({"events": these, "count": these.len(), "links": links}).to_string(),
            );
        }
        if let Some(id) = r.path.strip_prefix("/v2/payments/captures/")
            && let Some(c) = captures.iter().find(|c| c["id"] == id)
        {
            return (200, vec![], c.to_string());
        }
        (
            404,
            vec![],
            json!({"name": "RESOURCE_NOT_FOUND",
            "message": "The specified resource does not exist."})
            .to_string(),
        )
    });
    PaypalFake { fake, tokens }
}

fn sync_paypal(shop: &Shop, fake: &Fake, secret: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["sync", "paypal", "--paypal-api"];
    let url = fake.url();
    args.push(&url);
    args.extend_from_slice(extra);
    tally_with(
        &shop.db,
        &args,
        &[
            ("PAYPAL_CLIENT_ID", PP_ID),
            ("PAYPAL_CLIENT_SECRET", secret),
            ("PAYPAL_MODE", "sandbox"),
        ],
    )
}

fn at(secs_ago: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(secs_ago))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[test]
fn paypal_pages_newest_first_with_a_token_expiring_mid_run_and_an_event_twice() {
    let shop = shop();
    let events: Vec<Value> = (5..=8)
        .map(|n| {
            capture_event(
                &format!("WH-{n}"),
                &format!("SHOP100{n}"),
                &format!("{}.00", 10 + n),
                &at(600 - n * 10),
            )
        })
        .collect();
    // Each token answers one call, then 401: the second page needs a new one.
    let pp = paypal_fake(events, 1, vec![]);
    let run = sync_paypal(&shop, &pp.fake, PP_SECRET, &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    for n in 5..=8 {
        assert!(
            paid(&shop, &format!("SHOP100{n}")),
            "SHOP100{n}\n{}",
            run.text()
        );
    }
    assert!(
        *pp.tokens.lock().unwrap() >= 2,
        "the expired token was not renewed"
    );
    assert_eq!(
        shop.count("SELECT count(*) FROM webhook_log WHERE source = 'sync' AND result = 'applied'"),
        4,
        "the event listed twice was applied twice"
    );
    assert!(!run.stdout.contains(PP_SECRET) && !run.stderr.contains(PP_SECRET));
    let before = shop.snapshot();
    let calls = pp.fake.total_calls();
    let again = sync_paypal(&shop, &pp.fake, PP_SECRET, &["--quiet"]);
    assert_eq!(again.code, 0, "{}", again.text());
    assert_eq!(again.stdout, "");
    assert_eq!(shop.snapshot(), before);
    // A token, the margin's two pages, and (this fake's tokens last one
    // call) one renewal: a handful, whatever the shop's size.
    let made = pp.fake.total_calls() - calls;
    assert!(made <= 5, "a sync with nothing new made {made} calls");
}

#[test]
fn paypal_bad_credentials_exit_2_and_change_nothing() {
    let shop = shop();
    let pp = paypal_fake(
        vec![capture_event("WH-1", "SHOP1005", "15.00", &at(60))],
        100,
        vec![],
    );
    let before = shop.snapshot();
    let run = sync_paypal(&shop, &pp.fake, "wrong-secret-value", &[]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(
        run.stderr.contains(
            "PayPal: get an access token: 401 Client Authentication failed (invalid_client)"
        ),
        "{}",
        run.text()
    );
    assert!(!run.stderr.contains("wrong-secret-value"));
    assert_eq!(shop.snapshot(), before);
}

#[test]
fn paypal_429_is_retried_and_a_pending_capture_is_refreshed() {
    let shop = shop();
    shop.conn_rw()
        .execute(
            "UPDATE payments SET reference = 'CAPSHOP1006' WHERE order_id =
             (SELECT id FROM orders WHERE number = 'SHOP1006')",
            [],
        )
        .unwrap();
    let capture = json!({"id": "CAPSHOP1006", "status": "COMPLETED", "custom_id": "SHOP1006",
        "amount": {"currency_code": "EUR", "value": "16.00"}, "create_time": at(30), "update_time": at(30)});
    let pp = paypal_fake(vec![], 100, vec![capture]);
    pp.fake.fault(Fault::Status(
        429,
        Some("0"),
        r#"{"name":"RATE_LIMIT_REACHED","message":"Too many requests"}"#,
    ));
    let run = sync_paypal(&shop, &pp.fake, PP_SECRET, &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(paid(&shop, "SHOP1006"), "{}", run.text());
    assert!(run.stdout.contains("SHOP1006"), "{}", run.stdout);
    assert_eq!(pp.fake.calls("/v2/payments/captures/CAPSHOP1006"), 1);
}

#[test]
fn a_second_sync_while_one_runs_says_so_and_exits_0() {
    let shop = shop();
    let fake = fake_stripe(vec![], STRIPE_KEY, 100);
    fake.fault(Fault::Delay(Duration::from_secs(3)));
    let db = shop.db.clone();
    let url = fake.url();
    let first = std::thread::spawn(move || {
        tally_with(
            &db,
            &["sync", "stripe", "--stripe-api", &url],
            &[("STRIPE_API_KEY", STRIPE_KEY)],
        )
    });
    std::thread::sleep(Duration::from_millis(1000));
    let second = sync_stripe(&shop, &fake, STRIPE_KEY, &[]);
    assert_eq!(second.code, 0, "{}", second.text());
    assert!(
        second.stderr.contains("another sync is running"),
        "{}",
        second.text()
    );
    let first = first.join().unwrap();
    assert_eq!(first.code, 0, "{}", first.text());
}

#[test]
fn no_credentials_is_a_clear_error() {
    let shop = shop();
    let run = tally_with(&shop.db, &["sync"], &[]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("STRIPE_API_KEY"), "{}", run.text());
    let run = tally_with(
        &shop.db,
        &["sync", "stripe"],
        &[("STRIPE_API_KEY", "whsec_nope123")],
    );
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(
        run.stderr
            .contains("not a Stripe secret or restricted API key"),
        "{}",
        run.text()
    );
    let run = tally_with(
        &shop.db,
        &["sync", "stripe", "--stripe-api", "http://example.com"],
        &[("STRIPE_API_KEY", STRIPE_KEY)],
    );
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("loopback"), "{}", run.text());
}

#[test]
fn doctor_checks_the_apis_and_warns_of_events_only_sync_saw() {
    let shop = shop();
    let now = common::unix_now();
    let fake = fake_stripe(
        vec![stripe_event(
            "evt_1",
            "SHOP1001",
            1100,
            now - 60,
            "payment_intent.succeeded",
        )],
        "sk_test_full_power_key",
        100,
    );
    let url = fake.url();
    let env = [
        ("STRIPE_API_KEY", "sk_test_full_power_key"),
        ("TALLY_STRIPE_API", url.as_str()),
    ];
    let run = tally_with(&shop.db, &["doctor", "--json"], &env);
    let checks: Value = serde_json::from_str(&run.stdout).unwrap();
    let find = |name: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
    };
    assert_eq!(
        find("stripe api").unwrap()["status"],
        "ok",
        "{}",
        run.stdout
    );
    assert_eq!(find("stripe api key").unwrap()["status"], "warning");
    assert!(find("sync").is_none());
    assert!(!run.stdout.contains("full_power"), "the key was printed");

    let synced = tally_with(&shop.db, &["sync"], &env);
    assert_eq!(synced.code, 0, "{}", synced.text());
    let run = tally_with(&shop.db, &["doctor", "--json"], &env);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("that the listener never received"),
        "{}",
        run.stdout
    );

    let bad = tally_with(
        &shop.db,
        &["doctor"],
        &[
            ("STRIPE_API_KEY", "rk_test_wrong_key_1"),
            ("TALLY_STRIPE_API", &fake.url()),
        ],
    );
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout.contains("Stripe: list events: 401"),
        "{}",
        bad.stdout
    );
}
