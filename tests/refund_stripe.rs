//! `tally refund` and the cancel guard against localstripe (a real,
//! stateful fake of Stripe's API, `tests/support`), behind
//! `tests/support/refund_proxy.py`.
//!
//! localstripe's limits, and how these tests deal with them: it ignores
//! idempotency keys (the proxy stores and replays the first answer per key,
//! and answers 409 while a key is running, as Stripe does); it answers 400
//! to a refund `reason` (the proxy strips it); it has no PaymentIntent
//! search (the proxy answers it from localstripe's PaymentIntents); it
//! never caps a refund at what was captured (the over-refund test shows
//! tally refusing before any call); it always answers `succeeded`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{Run, Shop, tally_with};
use serde_json::{Value, json};
use support::{Localstripe, localstripe_python, ureq_agent};

const KEY: &str = "sk_test_tally_refund";

/// The proxy of `refund_proxy.py`, in front of `upstream`.
struct RefundProxy {
    child: Child,
    port: u16,
}

impl RefundProxy {
    fn start(python: &Path, upstream: &str) -> RefundProxy {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/refund_proxy.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(upstream)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the proxy prints its port");
        RefundProxy { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn fault(&self, path: &str, kind: &str, times: u32) {
        ureq_agent()
            .post(&format!(
                "{}/_proxy/fault?path={path}&kind={kind}&times={times}",
                self.url()
            ))
            .send_empty()
            .unwrap();
    }

    fn calls(&self, path: &str) -> u64 {
        let mut r = ureq_agent()
            .get(&format!("{}/_proxy/calls?path={path}", self.url()))
            .call()
            .unwrap();
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        v["calls"].as_u64().unwrap()
    }
}

impl Drop for RefundProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// localstripe, the proxy, and a shop.
struct World {
    ls: Localstripe,
    proxy: RefundProxy,
    shop: Shop,
    _dir: tempfile::TempDir,
}

/// localstripe and its proxy, running; `None` (the test is skipped) when
/// localstripe is not installed outside CI.
fn servers() -> Option<(Localstripe, RefundProxy, tempfile::TempDir)> {
    let python = localstripe_python()?;
    let dir = tempfile::TempDir::new().unwrap();
    let ls = Localstripe::start(&python, dir.path());
    let proxy = RefundProxy::start(&python, &ls.url());
    Some((ls, proxy, dir))
}

/// A world whose shop is made once the PaymentIntents exist: `shop` gets
/// localstripe to create them, and returns the shop's orders and payments.
fn world(shop: impl FnOnce(&Localstripe) -> Value) -> Option<World> {
    let (ls, proxy, dir) = servers()?;
    let shop = Shop::import(&shop(&ls));
    Some(World {
        ls,
        proxy,
        shop,
        _dir: dir,
    })
}

fn order(number: &str, total: &str, payment_status: &str) -> Value {
    json!({"number": number, "customer_name": "Test Buyer", "customer_email": "b@example.com",
           "total": total, "currency": "EUR", "status": "processing",
           "payment_status": payment_status, "created_at": "2026-11-20T10:00:00Z"})
}

fn paid(number: &str, pi: &str, total: &str) -> Value {
    json!({"order": number, "provider": "stripe", "reference": pi, "amount": total,
           "currency": "EUR", "status": "completed", "created_at": "2026-11-20T10:01:00Z",
           "completed_at": "2026-11-20T10:02:00Z", "captured_amount": total})
}

fn pending(number: &str, pi: Option<&str>, total: &str) -> Value {
    json!({"order": number, "provider": "stripe", "reference": pi, "amount": total,
           "currency": "EUR", "status": "pending", "created_at": "2026-11-20T10:01:00Z"})
}

impl World {
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("STRIPE_API_KEY", KEY.to_owned()),
            ("TALLY_STRIPE_API", self.proxy.url()),
            ("TALLY_API_TIMEOUT", "3".to_owned()),
        ]
    }

    fn tally(&self, args: &[&str]) -> Run {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        tally_with(&self.shop.db, args, &env)
    }

    fn spawn(&self, args: &[&str]) -> Child {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tally"));
        cmd.arg("--db").arg(&self.shop.db).args(args);
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd.env_remove("TALLY_DB")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The refunds localstripe holds for `pi`.
    fn refunds(&self, pi: &str) -> Vec<Value> {
        let mut r = ureq_agent()
            .get(&format!(
                "{}/v1/refunds?payment_intent={pi}&limit=100",
                self.ls.url()
            ))
            .header("Authorization", &format!("Bearer {KEY}"))
            .call()
            .unwrap();
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        v["data"].as_array().unwrap().clone()
    }

    fn intent_status(&self, pi: &str) -> String {
        let mut r = ureq_agent()
            .get(&format!("{}/v1/payment_intents/{pi}", self.ls.url()))
            .header("Authorization", &format!("Bearer {KEY}"))
            .call()
            .unwrap();
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        v["status"].as_str().unwrap().to_owned()
    }

    fn one(&self, sql: &str) -> String {
        self.shop
            .conn()
            .query_row(sql, [], |r| r.get::<_, String>(0))
            .unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        self.shop.count(sql)
    }
}

/// A PaymentIntent for `order`, confirmed with a good card (succeeded).
fn paid_at_stripe(ls: &Localstripe, order: &str, minor: i64) -> String {
    ls.pay(order, minor, "eur", "4242424242424242")
}

#[test]
fn a_timed_out_refund_retried_by_the_owner_is_one_refund() {
    let mut pi = String::new();
    let Some(w) = world(|ls| {
        pi = paid_at_stripe(ls, "RF1001", 8990);
        json!({"orders": [order("RF1001", "89.90", "paid")], "payments": [paid("RF1001", &pi, "89.90")]})
    }) else {
        return;
    };
    // Every try reaches localstripe, and no answer comes back.
    w.proxy.fault("/v1/refunds", "drop", 100);
    let run = w.tally(&["refund", "RF1001", "--yes"]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stdout.contains("is unknown"), "{}", run.text());
    assert!(
        run.stdout.contains("run `tally refund RF1001` again"),
        "{}",
        run.text()
    );
    assert_eq!(
        w.refunds(&pi).len(),
        1,
        "the first try refunded; its retries did not"
    );
    assert!(w.proxy.calls("/v1/refunds") > 1, "the client retried");
    assert_eq!(w.one("SELECT state FROM refund_intents"), "unknown");
    assert_eq!(
        w.count("SELECT refunded_minor FROM payments"),
        0,
        "nothing recorded as refunded while unknown"
    );
    // A new refund of that payment waits for the unknown one: the owner
    // runs the same command again once Stripe answers.
    w.proxy.fault("/v1/refunds", "drop", 0);
    let run = w.tally(&["refund", "RF1001", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("is succeeded (re_"), "{}", run.text());
    assert_eq!(
        w.refunds(&pi).len(),
        1,
        "still exactly one refund at Stripe"
    );
    assert_eq!(w.one("SELECT state FROM refund_intents"), "succeeded");
    assert_eq!(w.count("SELECT refunded_minor FROM payments"), 8990);
    assert_eq!(w.one("SELECT payment_status FROM orders"), "refunded");
    let refund_id = w.refunds(&pi)[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        w.one("SELECT provider_id FROM movements WHERE kind = 'refund'"),
        refund_id,
        "the ledger's refund is Stripe's, by its id"
    );
    assert_eq!(
        w.refunds(&pi)[0]["metadata"]["order_id"],
        "RF1001",
        "the refund's metadata names the order"
    );
    // A third run: nothing left, refused by tally, no call.
    let before = w.proxy.calls("/v1/refunds");
    let run = w.tally(&["refund", "RF1001", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(run.stdout.contains("keeps nothing"), "{}", run.text());
    assert_eq!(w.proxy.calls("/v1/refunds"), before);
}

#[test]
fn two_owners_refunding_one_order_at_once_make_one_refund() {
    let mut pi = String::new();
    let Some(w) = world(|ls| {
        pi = paid_at_stripe(ls, "RF2001", 5990);
        json!({"orders": [order("RF2001", "59.90", "paid")], "payments": [paid("RF2001", &pi, "59.90")]})
    }) else {
        return;
    };
    let a = w.spawn(&["--actor", "alice", "refund", "RF2001", "--yes"]);
    let b = w.spawn(&["--actor", "bob", "refund", "RF2001", "--yes"]);
    let outs: Vec<_> = [a, b]
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let text: Vec<String> = outs
        .iter()
        .map(|o| {
            format!(
                "exit {:?}\n{}{}",
                o.status.code(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        })
        .collect();
    assert_eq!(w.refunds(&pi).len(), 1, "one refund at Stripe: {text:?}");
    let mut codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap()).collect();
    codes.sort();
    assert_eq!(
        codes,
        [0, 1],
        "one refunds, the other finds nothing left: {text:?}"
    );
    assert_eq!(
        w.count("SELECT count(*) FROM refund_intents"),
        1,
        "{text:?}"
    );
    assert_eq!(w.count("SELECT refunded_minor FROM payments"), 5990);
}

#[test]
fn an_over_refund_is_refused_by_tally_before_any_call() {
    let mut pi = String::new();
    let Some(w) = world(|ls| {
        pi = paid_at_stripe(ls, "RF3001", 2500);
        json!({"orders": [order("RF3001", "25.00", "paid")], "payments": [paid("RF3001", &pi, "25.00")]})
    }) else {
        return;
    };
    let before = w.shop.snapshot();
    let run = w.tally(&["refund", "RF3001", "--amount", "25.01", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stdout.contains(
            "25.01 EUR is more than the Stripe payment keeps (25.00 EUR may still be refunded)"
        ),
        "{}",
        run.text()
    );
    assert_eq!(w.proxy.calls("/v1/refunds"), 0);
    assert_eq!(w.shop.snapshot(), before, "nothing changed");
    assert_eq!(w.count("SELECT count(*) FROM refund_intents"), 0);
    // Partial refunds. The first try's answer is lost: the client's own
    // retry sends the same key and gets Stripe's first answer back.
    w.proxy.fault("/v1/refunds", "drop", 1);
    let run = w.tally(&[
        "refund",
        "RF3001",
        "--amount",
        "10",
        "--reason",
        "requested_by_customer",
        "--yes",
    ]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("the order keeps 15.00 EUR"),
        "{}",
        run.text()
    );
    assert_eq!(w.refunds(&pi).len(), 1, "one refund for two tries");
    // A 500, then a 429 with Retry-After: retried, one refund each.
    w.proxy.fault("/v1/refunds", "500", 1);
    let run = w.tally(&["refund", "RF3001", "--amount", "5", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    w.proxy.fault("/v1/refunds", "429", 1);
    let run = w.tally(&["refund", "RF3001", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("refunded 10.00 EUR"), "{}", run.text());
    let amounts: Vec<i64> = w
        .refunds(&pi)
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts.iter().sum::<i64>(), 2500, "{amounts:?}");
    assert_eq!(amounts.len(), 3);
}

#[test]
fn cancel_guard_a_pending_order_paid_at_stripe_is_brought_up_to_date_not_cancelled() {
    // Paid at Stripe; its webhook never came: tally has it pending. One
    // payment knows its PaymentIntent, the other (a checkout that never
    // told tally) is found by the order number.
    let mut pi = String::new();
    let Some(w) = world(|ls| {
        pi = paid_at_stripe(ls, "RF4001", 4990);
        let _ = paid_at_stripe(ls, "RF4002", 1990);
        json!({
            "orders": [order("RF4001", "49.90", "pending"), order("RF4002", "19.90", "pending")],
            "payments": [pending("RF4001", Some(&pi), "49.90"), pending("RF4002", None, "19.90")]})
    }) else {
        return;
    };
    let run = w.tally(&["order", "cancel", "RF4001", "RF4002"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stdout
            .contains("RF4001: skipped: RF4001: paid at Stripe"),
        "{}",
        run.text()
    );
    assert!(
        run.stdout.contains("`tally order cancel RF4001 --refund`"),
        "{}",
        run.text()
    );
    assert!(
        run.stdout
            .contains("RF4002: skipped: RF4002: paid at Stripe"),
        "{}",
        run.text()
    );
    assert!(
        run.stdout.contains("0 cancelled, 2 skipped"),
        "{}",
        run.text()
    );
    assert_eq!(
        w.count("SELECT count(*) FROM orders WHERE status = 'cancelled'"),
        0
    );
    assert_eq!(
        w.count("SELECT count(*) FROM orders WHERE payment_status = 'paid'"),
        2,
        "both brought up to date"
    );
    assert_eq!(
        w.count("SELECT count(*) FROM payments WHERE status = 'completed'"),
        2
    );
    assert_eq!(w.intent_status(&pi), "succeeded");
}

#[test]
fn cancel_guard_a_cancellable_payment_intent_is_cancelled_at_stripe_with_the_order() {
    // A PaymentIntent the customer has not confirmed yet.
    let mut pi = String::new();
    let Some(w) = world(|ls| {
        let pm = ls.card("4242424242424242");
        let created = ls.post(
            "/v1/payment_intents",
            &[
                ("amount", "3990"),
                ("currency", "eur"),
                ("payment_method", pm.as_str()),
                ("metadata[order_id]", "RF5001"),
            ],
        );
        pi = created["id"].as_str().unwrap().to_owned();
        json!({"orders": [order("RF5001", "39.90", "pending")],
               "payments": [pending("RF5001", Some(&pi), "39.90")]})
    }) else {
        return;
    };
    let run = w.tally(&["order", "cancel", "RF5001"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout
            .contains(&format!("PaymentIntent {pi} cancelled at Stripe")),
        "{}",
        run.text()
    );
    assert_eq!(w.intent_status(&pi), "canceled", "no capture can follow");
    assert_eq!(w.one("SELECT status FROM orders"), "cancelled");
}

#[test]
fn cancel_guard_refuses_when_stripe_cannot_be_reached_unless_offline() {
    let Some(w) = world(|_| {
        json!({"orders": [order("RF6001", "10.00", "pending")],
               "payments": [pending("RF6001", Some("pi_unreachable"), "10.00")]})
    }) else {
        return;
    };
    w.proxy
        .fault("/v1/payment_intents/pi_unreachable", "500", 100);
    let before = w.shop.snapshot();
    let run = w.tally(&["order", "cancel", "RF6001"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(run.stdout.contains("cannot be asked"), "{}", run.text());
    assert!(
        run.stdout
            .contains("`--offline` cancels without asking Stripe"),
        "{}",
        run.text()
    );
    assert_eq!(w.shop.snapshot(), before, "nothing changed");
    let run = w.tally(&["order", "cancel", "RF6001", "--offline"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("not checked with Stripe (--offline)"),
        "{}",
        run.text()
    );
    assert_eq!(w.one("SELECT status FROM orders"), "cancelled");
}

#[test]
fn cancel_with_refund_gives_the_money_back_and_closes_what_is_owed() {
    let mut pi = String::new();
    let Some(w) = world(|ls| {
        pi = paid_at_stripe(ls, "RF7001", 12000);
        json!({"orders": [order("RF7001", "120.00", "paid")], "payments": [paid("RF7001", &pi, "120.00")]})
    }) else {
        return;
    };
    let run = w.tally(&["order", "cancel", "RF7001", "--refund", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("RF7001: cancelled:"), "{}", run.text());
    assert!(
        run.stdout.contains("refunded 120.00 EUR through Stripe"),
        "{}",
        run.text()
    );
    assert_eq!(w.refunds(&pi).len(), 1);
    assert_eq!(w.one("SELECT status FROM orders"), "cancelled");
    assert_eq!(
        w.count("SELECT owed_minor FROM payments"),
        0,
        "nothing owed any more"
    );
    let check = w.tally(&["check", "--json"]);
    let report: Value = serde_json::from_str(&check.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["order"] != "RF7001"),
        "{}",
        check.stdout
    );
}

/// The refusals that need no provider: each says why, changes nothing and
/// exits as documented.
#[test]
fn refusals_change_nothing_and_exit_as_documented() {
    let shop = Shop::import(&json!({
        "orders": [order("RX1", "10.00", "paid"), order("RX2", "10.00", "paid"),
                   order("RX3", "10.00", "paid"), order("RX4", "10.00", "paid")],
        "payments": [
            paid("RX1", "pi_rx1", "10.00"),
            {"order": "RX2", "provider": "cash", "amount": "10.00", "currency": "EUR",
             "status": "completed", "created_at": "2026-11-20T10:01:00Z",
             "completed_at": "2026-11-20T10:02:00Z"},
            {"order": "RX3", "provider": "wave", "reference": "T_QRPAY1", "amount": "10.00",
             "currency": "EUR", "status": "completed", "created_at": "2026-11-20T10:01:00Z",
             "completed_at": "2026-11-20T10:02:00Z"},
            {"order": "RX4", "provider": "wave", "reference": "cos-1abc", "amount": "10.00",
             "currency": "EUR", "status": "completed", "created_at": "2026-11-20T10:01:00Z",
             "completed_at": "2026-11-20T10:02:00Z"}]}));
    let before = shop.snapshot();
    let wave = [
        ("WAVE_API_KEY", "wave_sn_prod_test"),
        ("TALLY_WAVE_API", "http://127.0.0.1:9"),
    ];
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], i32, &'a str);
    let cases: &[Case<'_>] = &[
        (
            &["refund", "RX1"],
            &[],
            2,
            "no terminal to confirm the refunds on: add --yes",
        ),
        (
            &["order", "cancel", "RX1", "--refund"],
            &[],
            2,
            "no terminal to confirm",
        ),
        (
            &["refund", "RX1", "--yes"],
            &[],
            1,
            "Stripe API credentials are not configured (STRIPE_API_KEY)",
        ),
        (
            &["refund", "RX2", "--yes"],
            &[],
            1,
            "a cash payment cannot be refunded through tally",
        ),
        (
            &["refund", "RX3", "--yes"],
            &wave,
            1,
            "not made through Wave Checkout",
        ),
        (
            &["refund", "RX4", "--amount", "4", "--yes"],
            &wave,
            1,
            "Wave refunds only the whole payment (10.00 EUR)",
        ),
        (
            &["refund", "RX1", "RX2", "--amount", "4", "--yes"],
            &[],
            2,
            "--amount is about one payment",
        ),
        (
            &["refund", "NOPE", "--yes"],
            &[],
            2,
            "no order numbered \"NOPE\"",
        ),
        (
            &["order", "cancel", "RX2", "--refund", "--yes"],
            &[],
            1,
            "not cancelled: RX2: a cash payment",
        ),
    ];
    for (args, env, code, says) in cases {
        let run = tally_with(&shop.db, args, env);
        assert_eq!(run.code, *code, "{args:?}: {}", run.text());
        assert!(run.text().contains(says), "{args:?}: {}", run.text());
        assert_eq!(shop.snapshot(), before, "{args:?} changed nothing");
    }
    // A dry run says what would be refunded, and does it not.
    let run = tally_with(&shop.db, &["refund", "RX4", "--dry-run"], &wave);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout
            .contains("RX4: refund 10.00 EUR through Wave (cos-1abc)"),
        "{}",
        run.text()
    );
    assert_eq!(shop.snapshot(), before);
}
