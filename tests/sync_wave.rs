//! `tally sync wave` against the test tree's fake of Wave's Checkout API
//! (`tests/support/wave.rs`, following `wave.md` §2): the checkout sessions
//! of recent pending Wave payments, by session id or by the order's number,
//! brought up to date exactly once; a second sync that changes nothing and
//! asks only about what is still open; and every error path (bad key, a
//! timeout, a malformed answer, a 429 and a 500 retried), each exiting 2
//! with a message naming Wave, the call and Wave's text, changing nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::time::Duration;

use common::{Run, Shop, tally_with};
use serde_json::{Value, json};
use support::Fault;
use support::wave::{WaveFake, pay, session};

const KEY: &str = "wave_sn_prod_fake_sync_key";

fn ago(secs: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(secs))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Pending Wave orders (XOF):
/// - WV1001 `cos-paid1`: paid at Wave, its webhook lost;
/// - WV1002 `cos-open2`: open (the customer has not paid yet);
/// - WV1003 `cos-gone3`: expired unpaid;
/// - WV1004 no session id: three sessions by its number, one paid;
/// - WV1005 no session id, no session at Wave (paid by hand later?);
/// - WV1006 `T_WAVE_6`: a transaction id, no session: not asked;
/// - WV1007 `cos-old7`: paid at Wave, but created five days ago: outside
///   the window unless named with `--order`.
fn shop() -> (Shop, WaveFake) {
    let mut orders = Vec::new();
    let mut payments = Vec::new();
    let plan: [(&str, Option<&str>, i64); 7] = [
        ("WV1001", Some("cos-paid1"), 600),
        ("WV1002", Some("cos-open2"), 500),
        ("WV1003", Some("cos-gone3"), 4000),
        ("WV1004", None, 300),
        ("WV1005", None, 200),
        ("WV1006", Some("T_WAVE_6"), 100),
        ("WV1007", Some("cos-old7"), 5 * 86_400),
    ];
    for (i, (number, reference, age)) in plan.iter().enumerate() {
        let total = format!("{}", 10_000 + 1000 * i);
        orders.push(json!({"number": number, "customer_name": "Awa Diop",
            "customer_email": "awa@example.com", "total": total, "currency": "XOF",
            "status": "pending", "payment_status": "pending", "created_at": ago(*age)}));
        payments.push(
            json!({"order": number, "provider": "wave", "reference": reference,
            "amount": total, "currency": "XOF", "status": "pending", "created_at": ago(*age)}),
        );
    }
    let shop = Shop::import(&json!({"orders": orders, "payments": payments}));
    let sessions = vec![
        session("cos-paid1", Some("WV1001"), "10000", &ago(590), "paid"),
        session("cos-open2", Some("WV1002"), "11000", &ago(490), "open"),
        session("cos-gone3", Some("WV1003"), "12000", &ago(3990), "expired"),
        session("cos-try4a", Some("WV1004"), "13000", &ago(290), "expired"),
        session("cos-try4b", Some("WV1004"), "13000", &ago(250), "expired"),
        session("cos-try4c", Some("WV1004"), "13000", &ago(200), "paid"),
        session(
            "cos-old7",
            Some("WV1007"),
            "16000",
            &ago(5 * 86_400),
            "paid",
        ),
    ];
    (shop, WaveFake::start(KEY, sessions))
}

fn sync(shop: &Shop, fake: &WaveFake, key: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let url = fake.fake.url();
    let mut all = vec!["sync", "wave", "--wave-api", url.as_str()];
    all.extend_from_slice(args);
    let mut vars = vec![("WAVE_API_KEY", key)];
    vars.extend_from_slice(env);
    tally_with(&shop.db, &all, &vars)
}

/// (order payment status, payment status, payment reference) of an order.
fn state(shop: &Shop, number: &str) -> (String, String, Option<String>) {
    shop.conn()
        .query_row(
            "SELECT o.payment_status, p.status, p.reference FROM orders o
             JOIN payments p ON p.order_id = o.id WHERE o.number = ?1",
            [number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

fn captured(shop: &Shop, number: &str) -> i64 {
    shop.conn()
        .query_row(
            "SELECT count(*) FROM movements m JOIN payments p ON p.id = m.payment_id
             JOIN orders o ON o.id = p.order_id WHERE o.number = ?1 AND m.kind = 'captured'",
            [number],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn pending_wave_payments_are_brought_up_to_date_once() {
    let (shop, wave) = shop();
    let run = sync(&shop, &wave, KEY, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.text());

    // Paid at Wave: paid here, once, with Wave's transaction as charge id.
    assert_eq!(
        state(&shop, "WV1001"),
        ("paid".into(), "completed".into(), Some("cos-paid1".into()))
    );
    assert_eq!(captured(&shop, "WV1001"), 1);
    // Open: still pending. Expired unpaid: failed.
    assert_eq!(state(&shop, "WV1002").1, "pending");
    assert_eq!(
        state(&shop, "WV1003"),
        ("failed".into(), "failed".into(), Some("cos-gone3".into()))
    );
    // Found by its number: the paid one of its three sessions, whose id the
    // payment now holds.
    assert_eq!(
        state(&shop, "WV1004"),
        ("paid".into(), "completed".into(), Some("cos-try4c".into()))
    );
    assert_eq!(
        shop.count("SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.number = 'WV1004'"),
        1,
        "a new attempt instead of the pending payment"
    );
    assert_eq!(state(&shop, "WV1005").1, "pending");
    assert_eq!(state(&shop, "WV1006").1, "pending");
    assert_eq!(state(&shop, "WV1007").1, "pending", "outside the window");

    // What was asked: each session by id, the search paged (three sessions,
    // pages of two), nothing for a transaction id or an old payment.
    let f = &wave.fake;
    assert_eq!(f.calls("/v1/checkout/sessions/cos-paid1"), 1);
    assert_eq!(f.calls("/v1/checkout/sessions/cos-open2"), 1);
    assert_eq!(f.calls("/v1/checkout/sessions/cos-gone3"), 1);
    assert_eq!(f.calls("/v1/checkout/sessions/search"), 2 + 1);
    assert_eq!(f.calls("/v1/checkout/sessions/cos-old7"), 0);
    assert_eq!(f.total_calls(), 6);

    // One line per change, the facts in the log with source `sync`.
    for n in ["WV1001", "WV1003", "WV1004"] {
        assert!(run.stdout.contains(n), "{n}\n{}", run.stdout);
    }
    assert!(
        run.stdout.contains("wave: 0 events seen, 3 applied"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("5 pending payments asked about; 6 API calls"),
        "{}",
        run.stdout
    );
    let logged: Vec<String> = shop
        .conn()
        .prepare("SELECT event_id FROM webhook_log WHERE source = 'sync' ORDER BY event_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        logged,
        [
            "sync:cos-gone3:expired",
            "sync:cos-paid1:complete",
            "sync:cos-try4c:complete"
        ]
    );
    assert!(!run.stdout.contains(KEY) && !run.stderr.contains(KEY));
    // `tally webhooks` says where each row came from.
    let log = tally_with(&shop.db, &["webhooks"], &[]);
    assert!(log.stdout.contains("┆ source "), "{}", log.stdout);
    assert!(
        log.stdout
            .lines()
            .any(|l| l.contains("┆ sync ") && l.contains("sync:cos-paid1:complete")),
        "{}",
        log.stdout
    );

    // Nothing new at Wave: nothing changes, and only what is still pending
    // is asked about (the open session, the order without one).
    let before = shop.snapshot();
    let calls = f.total_calls();
    let again = sync(&shop, &wave, KEY, &["--quiet"], &[]);
    assert_eq!(again.code, 0, "{}", again.text());
    assert_eq!(again.stdout, "");
    assert_eq!(shop.snapshot(), before);
    assert_eq!(f.total_calls() - calls, 2, "a sync with nothing new");

    // The customer pays the open session; its webhook is lost too.
    wave.set("cos-open2", pay);
    let third = sync(&shop, &wave, KEY, &[], &[]);
    assert_eq!(third.code, 0, "{}", third.text());
    assert_eq!(state(&shop, "WV1002").0, "paid");
    assert_eq!(captured(&shop, "WV1002"), 1);
    let before = shop.snapshot();
    let fourth = sync(&shop, &wave, KEY, &[], &[]);
    assert_eq!(fourth.code, 0, "{}", fourth.text());
    assert_eq!(shop.snapshot(), before);
    assert_eq!(captured(&shop, "WV1002"), 1);

    // An old payment is asked about when named.
    let named = sync(&shop, &wave, KEY, &["--order", "WV1007"], &[]);
    assert_eq!(named.code, 0, "{}", named.text());
    assert_eq!(state(&shop, "WV1007").0, "paid");
}

#[test]
fn the_webhook_after_the_sync_changes_nothing_more() {
    // The webhook that was only late arrives after sync recorded the same
    // session: the payment keeps one capture and its status.
    let (shop, wave) = shop();
    let run = sync(&shop, &wave, KEY, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    let before = captured(&shop, "WV1001");
    let data = wave.sessions.lock().unwrap()["cos-paid1"].clone();
    let event = json!({"id": "AE_sn_late1", "type": "checkout.session.completed", "data": data});
    let served = serve_one(&shop, &event);
    assert_eq!(served, 200);
    assert_eq!(captured(&shop, "WV1001"), before);
    assert_eq!(state(&shop, "WV1001").0, "paid");
    let money: String = shop
        .conn()
        .query_row(
            "SELECT p.captured_minor FROM payments p JOIN orders o ON o.id = p.order_id
             WHERE o.number = 'WV1001'",
            [],
            |r| r.get::<_, i64>(0).map(|v| v.to_string()),
        )
        .unwrap();
    assert_eq!(money, "10000");
}

/// Delivers `event` to a `tally serve` on the shop with the bearer
/// strategy; the HTTP status.
fn serve_one(shop: &Shop, event: &Value) -> u16 {
    let secret = "wave_sn_WHS_synctestsecret";
    let mut cmd = common::Listener::command(
        &shop.db,
        &["--bind", "127.0.0.1:0", "--wave-auth", "bearer"],
    );
    cmd.env("WAVE_WEBHOOK_SECRET", secret);
    let listener = common::Listener::spawn(cmd);
    let body = event.to_string();
    let (status, text) = listener.request(
        "POST",
        "/webhooks/wave",
        &[("Authorization", format!("Bearer {secret}"))],
        body.as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    status
}

/// A sync that must fail: exit 2, `message` in its stderr, the key never
/// shown, the shop unchanged and no watermark.
fn fails(setup: impl FnOnce(&WaveFake), key: &str, env: &[(&str, &str)], message: &[&str]) {
    let (shop, wave) = shop();
    setup(&wave);
    let before = shop.snapshot();
    let run = sync(&shop, &wave, key, &[], env);
    assert_eq!(run.code, 2, "{}", run.text());
    for m in message {
        assert!(run.stderr.contains(m), "{m:?} missing from\n{}", run.text());
    }
    assert!(!run.stderr.contains(key) && !run.stdout.contains(key));
    assert_eq!(shop.snapshot(), before, "an error changed the shop");
    assert_eq!(shop.count("SELECT count(*) FROM sync_state"), 0);
}

#[test]
fn a_bad_key_exits_2_and_changes_nothing() {
    fails(
        |_| {},
        "wave_sn_prod_wrong_key",
        &[],
        &["Wave: retrieve checkout session: 401 Invalid or missing API key (invalid-auth)"],
    );
}

#[test]
fn a_timeout_exits_2_and_changes_nothing() {
    fails(
        |w| {
            for _ in 0..5 {
                w.fake.fault(Fault::Delay(Duration::from_millis(1500)));
            }
        },
        KEY,
        &[("TALLY_API_TIMEOUT", "0.5")],
        &["Wave: retrieve checkout session: no answer within 1 s (tried 5 times)"],
    );
}

#[test]
fn a_malformed_answer_exits_2_and_changes_nothing() {
    fails(
        |w| {
            w.set("cos-gone3", |s| {
                drop(s.as_object_mut().unwrap().remove("checkout_status"))
            })
        },
        KEY,
        &[],
        &[
            "Wave: retrieve checkout session: the answer is not what the API documents: \
             checkout session cos-gone3 has no checkout_status",
        ],
    );
    fails(
        |w| {
            w.fake
                .fault(Fault::Status(200, None, "<html>not json</html>"))
        },
        KEY,
        &[],
        &["Wave: retrieve checkout session: the answer is not what the API documents: not JSON"],
    );
}

#[test]
fn five_500s_exit_2_and_a_500_or_a_429_then_success_is_retried() {
    fails(
        |w| {
            for _ in 0..5 {
                w.fake.fault(Fault::Status(
                    500,
                    Some("0"),
                    r#"{"code":"internal-error","message":"Something went wrong"}"#,
                ));
            }
        },
        KEY,
        &[],
        &["Wave: retrieve checkout session: 500 Something went wrong (internal-error)"],
    );
    let (shop, wave) = shop();
    wave.fake.fault(Fault::Status(
        429,
        Some("1"),
        r#"{"code":"rate-limit-exceeded","message":"Too many requests"}"#,
    ));
    wave.fake.fault(Fault::Status(
        500,
        None,
        r#"{"code":"internal-error","message":"Something went wrong"}"#,
    ));
    let started = std::time::Instant::now();
    let run = sync(&shop, &wave, KEY, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    assert_eq!(state(&shop, "WV1001").0, "paid");
    assert_eq!(state(&shop, "WV1003").0, "failed");
    // The first session asked (the oldest payment's) was asked three
    // times: 429, 500, then the answer.
    assert_eq!(wave.fake.calls("/v1/checkout/sessions/cos-gone3"), 3);
}

#[test]
fn an_error_half_way_keeps_what_was_applied_and_the_next_sync_converges() {
    // The oldest payment's session (WV1003, expired) answers; then Wave
    // fails for good. WV1003 is recorded (its own transaction), nothing
    // else is, the watermark stays; the next sync finishes the work and
    // changes WV1003 no more.
    let (shop, wave) = shop();
    wave.fake.fault(Fault::Delay(Duration::from_millis(1)));
    for _ in 0..5 {
        wave.fake.fault(Fault::Status(
            503,
            Some("0"),
            r#"{"code":"service-unavailable","message":"Try again later"}"#,
        ));
    }
    let run = sync(&shop, &wave, KEY, &[], &[]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(
        run.stderr
            .contains("Wave: retrieve checkout session: 503 Try again later"),
        "{}",
        run.text()
    );
    assert_eq!(state(&shop, "WV1003").1, "failed");
    assert_eq!(state(&shop, "WV1001").1, "pending");
    assert_eq!(state(&shop, "WV1004").1, "pending");
    assert_eq!(shop.count("SELECT count(*) FROM sync_state"), 0);
    let audit = shop.count("SELECT count(*) FROM audit_log");
    let run = sync(&shop, &wave, KEY, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert_eq!(state(&shop, "WV1001").0, "paid");
    assert_eq!(state(&shop, "WV1004").0, "paid");
    assert_eq!(captured(&shop, "WV1001"), 1);
    assert!(
        !run.stdout.contains("WV1003"),
        "WV1003 changed again:\n{}",
        run.stdout
    );
    assert!(shop.count("SELECT count(*) FROM audit_log") > audit);
    assert_eq!(shop.count("SELECT count(*) FROM sync_state"), 1);
}

#[test]
fn a_dry_run_says_what_would_change_and_writes_nothing() {
    let (shop, wave) = shop();
    let before = shop.snapshot();
    let run = sync(&shop, &wave, KEY, &["--dry-run", "--json"], &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["dry_run"], true);
    let orders: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["order"].as_str().unwrap())
        .collect();
    assert_eq!(orders, ["WV1003", "WV1001", "WV1004"]);
    assert_eq!(report["providers"][0]["provider"], "wave");
    assert_eq!(report["providers"][0]["applied"], 3);
    // The window is the asking's: a first sync's three days.
    let since = report["providers"][0]["since"].as_str().unwrap();
    let since = chrono::DateTime::parse_from_rfc3339(since).unwrap();
    let first = chrono::Utc::now() - chrono::Duration::days(3);
    assert!(
        (since.with_timezone(&chrono::Utc) - first)
            .num_seconds()
            .abs()
            < 60,
        "{since}"
    );
    assert_eq!(shop.snapshot(), before);
    assert_eq!(
        shop.count("SELECT count(*) FROM webhook_log WHERE source = 'sync'"),
        0
    );
    assert_eq!(shop.count("SELECT count(*) FROM sync_state"), 0);
}

#[test]
fn every_configured_provider_includes_wave_and_doctor_asks_it() {
    let (shop, wave) = shop();
    let url = wave.fake.url();
    let env = [("WAVE_API_KEY", KEY), ("TALLY_WAVE_API", url.as_str())];
    let run = tally_with(&shop.db, &["sync"], &env);
    assert_eq!(run.code, 0, "{}", run.text());
    assert_eq!(state(&shop, "WV1001").0, "paid");

    let doctor = tally_with(&shop.db, &["doctor", "--json"], &env);
    let checks: Value = serde_json::from_str(&doctor.stdout).unwrap();
    let wave_check = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "wave api")
        .cloned()
        .unwrap();
    assert_eq!(wave_check["status"], "ok", "{}", doctor.stdout);
    assert!(!doctor.stdout.contains(KEY));
    let bad = tally_with(
        &shop.db,
        &["doctor"],
        &[
            ("WAVE_API_KEY", "wave_sn_prod_nope"),
            ("TALLY_WAVE_API", url.as_str()),
        ],
    );
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout
            .contains("Wave: retrieve checkout session: 401 Invalid or missing API key"),
        "{}",
        bad.stdout
    );
    assert!(!bad.stdout.contains("wave_sn_prod_nope"));

    // Named without its key: a clear error.
    let unset = tally_with(&shop.db, &["sync", "wave"], &[]);
    assert_eq!(unset.code, 2, "{}", unset.text());
    assert!(
        unset.stderr.contains("WAVE_API_KEY is not set"),
        "{}",
        unset.text()
    );
}

#[test]
fn a_search_answered_404_is_no_session() {
    // Whether Wave answers an empty search (or a search it does not have)
    // with 404 is not published: the order's payment then waits, and the
    // rest of the pass goes on.
    let (shop, wave) = shop();
    // cos-gone3, cos-paid1, cos-open2, WV1004's two pages: answered; then
    // WV1005's search: 404.
    for _ in 0..5 {
        wave.fake.fault(Fault::Delay(Duration::ZERO));
    }
    wave.fake.fault(Fault::Status(
        404,
        None,
        r#"{"code":"not-found","message":"Not found"}"#,
    ));
    let run = sync(&shop, &wave, KEY, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert_eq!(state(&shop, "WV1004").0, "paid");
    assert_eq!(state(&shop, "WV1005").1, "pending");
    assert_eq!(wave.fake.calls("/v1/checkout/sessions/search"), 3);
}
