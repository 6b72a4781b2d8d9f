//! `tally sync stripe` against localstripe, a real stateful fake of Stripe's
//! API that signs and sends its own webhooks (`tests/support`).
//!
//! localstripe's limits, and how these tests deal with them: it lists
//! events oldest first (tally sorts every pass, so order does not matter;
//! the newest-first order of real Stripe is covered in `sync_fakes.rs`); it
//! answers 400 to `types[]` (the proxy in front of it drops the parameter,
//! and tally filters types itself); its PaymentIntents carry no
//! `amount_received` (tally reads `amount`); it sends no refund or dispute
//! events.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::time::{Duration, Instant};

use common::{Listener, Shop, tally_with};
use support::{Fault, Localstripe, Proxy, localstripe_python};

const SECRET: &str = "whsec_tally_sync_test";
const KEY: &str = "sk_test_tally_sync";

/// A demo shop, plus eight new orders awaiting a Stripe payment (the
/// checkout created them; no webhook came yet): (number, total minor,
/// currency).
fn demo_shop() -> (Shop, Vec<(String, i64, String)>) {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("shop.db");
    let run = common::tally(&db, &["demo", "--orders", "60", "--seed", "11"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut orders = Vec::new();
    let mut payments = Vec::new();
    let mut out = Vec::new();
    for i in 0..8 {
        let number = format!("SYNC{}", 1001 + i);
        let (total, currency) = if i % 2 == 0 {
            (1250 + i * 100, "EUR")
        } else {
            (15000 + i * 1000, "XOF")
        };
        let shown = if currency == "EUR" {
            format!("{}.{:02}", total / 100, total % 100)
        } else {
            total.to_string()
        };
        orders.push(
            serde_json::json!({"number": number, "customer_name": "Test Buyer",
            "customer_email": "buyer@example.com", "total": shown, "currency": currency,
            "status": "pending", "payment_status": "pending", "created_at": now}),
        );
        payments.push(serde_json::json!({"order": number, "provider": "stripe",
            "amount": shown, "currency": currency, "status": "pending", "created_at": now}));
        out.push((number, total, currency.to_owned()));
    }
    let file = dir.path().join("new.json");
    std::fs::write(
        &file,
        serde_json::json!({"orders": orders, "payments": payments}).to_string(),
    )
    .unwrap();
    let run = common::tally(&db, &["import", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.text());
    (Shop { dir, db }, out)
}

fn payment_status(shop: &Shop, number: &str) -> String {
    shop.conn()
        .query_row(
            "SELECT payment_status FROM orders WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn sync(shop: &Shop, api: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["sync", "stripe", "--stripe-api", api];
    args.extend_from_slice(extra);
    tally_with(
        &shop.db,
        &args,
        &[("STRIPE_API_KEY", KEY), ("TALLY_API_TIMEOUT", "10")],
    )
}

/// Pays the first half of `orders` while `tally serve` receives the
/// webhooks, the rest with the listener stopped. Returns the shop's
/// pending orders and the listener-free half.
fn scene(ls: &Localstripe, shop: &Shop, orders: &[(String, i64, String)]) -> usize {
    let mut cmd = Listener::command(&shop.db, &["--bind", "127.0.0.1:0"]);
    cmd.env("STRIPE_WEBHOOK_SECRET", SECRET);
    let listener = Listener::spawn(cmd);
    ls.webhook(&format!("http://{}/webhooks/stripe", listener.addr), SECRET);
    let half = orders.len() / 2;
    for (number, total, currency) in &orders[..half] {
        ls.pay(number, *total, currency, "4242424242424242");
    }
    for (number, ..) in &orders[..half] {
        wait_until(&format!("the listener to apply {number}"), || {
            payment_status(shop, number) == "paid"
        });
    }
    listener.kill();
    // These webhooks are lost: nothing listens any more.
    for (number, total, currency) in &orders[half..] {
        ls.pay(number, *total, currency, "4242424242424242");
    }
    std::thread::sleep(Duration::from_millis(1500));
    for (number, ..) in &orders[half..] {
        assert_eq!(payment_status(shop, number), "pending", "{number}");
    }
    orders.len() - half
}

#[test]
fn sync_brings_every_order_up_to_date_exactly_once() {
    let Some(python) = localstripe_python() else {
        return;
    };
    let (shop, orders) = demo_shop();
    let ls = Localstripe::start(&python, shop.dir.path());
    let proxy = Proxy::start(&ls.url());
    let lost = scene(&ls, &shop, &orders);

    let dry = sync(&shop, &proxy.url(), &["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.text());
    assert!(dry.stdout.contains("would: "), "{}", dry.text());
    for (number, ..) in &orders[orders.len() - lost..] {
        assert_eq!(payment_status(&shop, number), "pending", "dry run wrote");
    }
    assert_eq!(shop.count("SELECT count(*) FROM sync_state"), 0);

    let first = sync(&shop, &proxy.url(), &[]);
    assert_eq!(first.code, 0, "{}", first.text());
    for (number, ..) in &orders {
        assert_eq!(
            payment_status(&shop, number),
            "paid",
            "{number}\n{}",
            first.text()
        );
        assert!(
            first.stdout.contains(number.as_str())
                || orders[..orders.len() - lost].iter().any(|o| &o.0 == number),
            "{number} not reported\n{}",
            first.stdout
        );
    }
    assert!(
        first.stdout.contains(&format!("{} applied", lost)),
        "{}",
        first.stdout
    );
    // Each event once: the listener's half as the listener's, the lost half
    // as sync's, and no event applied twice.
    let dup_events = shop.count(
        "SELECT count(*) FROM (SELECT event_id FROM webhook_log WHERE result = 'applied'
         GROUP BY provider, event_id HAVING count(*) > 1)",
    );
    assert_eq!(dup_events, 0);
    assert_eq!(
        shop.count("SELECT count(*) FROM webhook_log WHERE source = 'sync' AND result = 'applied'"),
        lost as i64
    );
    assert_eq!(
        shop.count("SELECT count(*) FROM sync_state WHERE provider = 'stripe'"),
        1
    );

    // A second sync finds nothing new, changes nothing, and asks little.
    let before = shop.snapshot();
    let calls_before = proxy.total_calls();
    let second = sync(&shop, &proxy.url(), &["--quiet"]);
    assert_eq!(second.code, 0, "{}", second.text());
    assert_eq!(second.stdout, "", "--quiet with nothing new prints nothing");
    assert_eq!(shop.snapshot(), before);
    let calls = proxy.total_calls() - calls_before;
    assert!(calls <= 3, "a sync with nothing new made {calls} calls");

    let check = common::tally(&shop.db, &["check", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let ours: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["order"].as_str().unwrap_or_default().starts_with("SYNC"))
        .collect();
    assert!(ours.is_empty(), "findings on the synced orders: {ours:?}");
}

#[test]
fn a_sync_killed_half_way_converges_on_the_next_run() {
    let Some(python) = localstripe_python() else {
        return;
    };
    let (shop, orders) = demo_shop();
    let ls = Localstripe::start(&python, shop.dir.path());
    let proxy = Proxy::start(&ls.url());
    let lost = scene(&ls, &shop, &orders);
    assert!(lost >= 3);

    let killed = tally_with(
        &shop.db,
        &["sync", "stripe", "--stripe-api", &proxy.url()],
        &[("STRIPE_API_KEY", KEY), ("TALLY_TEST_SYNC_KILL_AFTER", "2")],
    );
    assert_ne!(killed.code, 0, "the sync was not killed: {}", killed.text());
    assert_eq!(
        shop.count("SELECT count(*) FROM sync_state"),
        0,
        "the watermark moved"
    );
    let paid_then = orders
        .iter()
        .filter(|o| payment_status(&shop, &o.0) == "paid")
        .count();
    assert!(paid_then < orders.len(), "nothing was left to do");
    let integrity: String = shop
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");

    let rerun = sync(&shop, &proxy.url(), &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.text());
    for (number, ..) in &orders {
        assert_eq!(payment_status(&shop, number), "paid", "{number}");
    }
    assert_eq!(
        shop.count("SELECT count(*) FROM webhook_log WHERE source = 'sync' AND result = 'applied'"),
        lost as i64,
        "an event applied twice"
    );
    let before = shop.snapshot();
    let again = sync(&shop, &proxy.url(), &[]);
    assert_eq!(again.code, 0, "{}", again.text());
    assert_eq!(shop.snapshot(), before);
}

#[test]
fn a_429_with_retry_after_and_a_500_are_retried() {
    let Some(python) = localstripe_python() else {
        return;
    };
    let (shop, orders) = demo_shop();
    let ls = Localstripe::start(&python, shop.dir.path());
    let proxy = Proxy::start(&ls.url());
    for (number, total, currency) in &orders[..2] {
        ls.pay(number, *total, currency, "4242424242424242");
    }
    proxy.fault(Fault::Status(
        429,
        Some("1"),
        r#"{"error":{"type":"invalid_request_error","message":"Too many requests"}}"#,
    ));
    proxy.fault(Fault::Status(
        500,
        None,
        r#"{"error":{"type":"api_error","message":"Something went wrong"}}"#,
    ));
    let started = Instant::now();
    let run = sync(&shop, &proxy.url(), &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not waited for"
    );
    assert_eq!(proxy.calls("/v1/events"), 3, "one 429, one 500, one answer");
    for (number, ..) in &orders[..2] {
        assert_eq!(payment_status(&shop, number), "paid", "{number}");
    }
}

#[test]
fn a_pending_payment_is_refreshed_from_its_payment_intent() {
    let Some(python) = localstripe_python() else {
        return;
    };
    let (shop, orders) = demo_shop();
    let ls = Localstripe::start(&python, shop.dir.path());
    let proxy = Proxy::start(&ls.url());
    let (number, total, currency) = &orders[0];
    let pi = ls.pay(number, *total, currency, "4242424242424242");
    // The shop knows the PaymentIntent (its checkout recorded it) but its
    // events were lost and are out of the window (as if older than --since).
    shop.conn_rw()
        .execute(
            "UPDATE payments SET reference = ?1, provider = 'stripe', status = 'pending'
             WHERE id = (SELECT p.id FROM payments p JOIN orders o ON o.id = p.order_id
                         WHERE o.number = ?2 ORDER BY p.id DESC LIMIT 1)",
            [&pi, number],
        )
        .unwrap();
    let future = (chrono::Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
    let run = sync(
        &shop,
        &proxy.url(),
        &["--since", &future, "--order", number],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert_eq!(payment_status(&shop, number), "paid", "{}", run.text());
    assert!(run.stdout.contains("fact"), "{}", run.stdout);
    assert_eq!(proxy.calls(&format!("/v1/payment_intents/{pi}")), 1);
    let before = shop.snapshot();
    let again = sync(
        &shop,
        &proxy.url(),
        &["--since", &future, "--order", number],
    );
    assert_eq!(again.code, 0, "{}", again.text());
    assert_eq!(shop.snapshot(), before, "the same fact twice");
}
