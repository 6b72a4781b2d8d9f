//! End-to-end tests of Wave's webhooks through the real binary: `tally
//! demo` builds the shop, `tally serve` listens on `127.0.0.1:0` with
//! `WAVE_WEBHOOK_SECRET`, events are signed here as Wave signs them
//! (`../shared/providers/wave.md` §1.4: HMAC-SHA256 over the timestamp
//! immediately followed by the body), and the money is read back with
//! `tally order show --json`.
//!
//! The demo's Wave orders used here: TEST1033 (45000 XOF, Wave pending for
//! five days, no reference), TEST1014 (45000 XOF, order paid while its Wave
//! payment is pending), TEST1008 (45000 XOF, order failed while its Wave
//! payment is pending). Event bodies follow the documented shapes (wave.md
//! §1.3) and the live `checkout.session.completed` sample.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Listener, Shop, manifest, tally, unix_now};
use serde_json::{Value, json};
use tally::providers::wave::sign_wave;
use tempfile::TempDir;

const SECRET: &str = "wave_sn_WHS_e2e00000000000000000000000000000000000000000000000000";

/// The demo shop (60 orders, seed 42) in a temporary database.
fn demo() -> Shop {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("shop.db");
    let run = tally(&db, &["demo", "--orders", "60", "--seed", "42"]);
    assert_eq!(run.code, 0, "{}", run.text());
    Shop { dir, db }
}

fn serve(shop: &Shop, args: &[&str], secret: Option<&str>) -> Listener {
    let mut cmd = Listener::command(&shop.db, &["--bind", "127.0.0.1:0", "--workers", "2"]);
    cmd.args(args);
    if let Some(secret) = secret {
        cmd.env("WAVE_WEBHOOK_SECRET", secret);
    }
    Listener::spawn(cmd)
}

/// POSTs `body` to /webhooks/wave with these headers: (status, answer).
fn post(l: &Listener, headers: &[(&str, String)], body: &[u8]) -> (u16, Value) {
    let (status, text) = l.request("POST", "/webhooks/wave", headers, body);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// POSTs `event` signed now with [`SECRET`], as Wave would.
fn wave(l: &Listener, event: &Value) -> (u16, Value) {
    let body = event.to_string().into_bytes();
    let header = sign_wave(SECRET, unix_now(), &body).unwrap();
    post(l, &[("Wave-Signature", header)], &body)
}

/// The live `checkout.session.completed` sample, as this shop's session.
fn completed(id: &str, session: &str, order: Option<&str>, amount: &str) -> Value {
    let path =
        manifest("../shared/providers/wave-samples/checkout.session.completed.elitecars.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["id"] = json!(id);
    let data = &mut v["data"];
    data["id"] = json!(session);
    data["client_reference"] = json!(order);
    data["amount"] = json!(amount);
    data["transaction_id"] = json!(format!("TX{}", session.trim_start_matches("cos-")));
    data["when_created"] = json!("2026-11-29T09:00:00Z");
    data["when_completed"] = json!("2026-11-29T09:01:00Z");
    v
}

/// A failed attempt at paying `session` (wave.md §1.3, with the session's
/// own fields).
fn failed(id: &str, session: &str, order: &str, checkout_status: &str) -> Value {
    json!({"id": id, "type": "checkout.session.payment_failed",
        "data": {"id": session, "amount": "45000", "currency": "XOF",
            "checkout_status": checkout_status, "payment_status": "processing",
            "client_reference": order, "when_created": "2026-11-29T08:59:00Z",
            "when_expires": "2026-11-29T09:29:00Z",
            "last_payment_error": {"code": "insufficient-funds", "message": "Insufficient balance"}}})
}

/// A QR-code payment: `amount` is what reached the wallet, `fee` what Wave kept.
fn merchant(id: &str, tx: &str, order: &str, amount: &str, fee: &str) -> Value {
    json!({"id": id, "type": "merchant.payment_received",
        "data": {"id": tx, "amount": amount, "fee": fee, "currency": "XOF",
            "sender_mobile": "+221761110001", "merchant_name": "Ma Boutique",
            "custom_fields": {"order": order}, "when_created": "2026-11-29T10:00:00Z"}})
}

fn b2b(id: &str, tx: &str, order: &str, amount: &str) -> Value {
    json!({"id": id, "type": "b2b.payment_received",
        "data": {"id": tx, "amount": amount, "currency": "XOF", "sender_id": "M_qn0zhfcKV1Tl",
            "client_reference": order, "when_created": "2026-11-29T11:00:00Z"}})
}

/// `tally order show NUMBER --json`.
fn show(shop: &Shop, number: &str) -> Value {
    let run = tally(&shop.db, &["order", "show", number, "--json"]);
    assert_eq!(run.code, 0, "{}", run.text());
    serde_json::from_str(&run.stdout).unwrap()
}

/// The rule ids `tally check --order NUMBER` reports.
fn rules(shop: &Shop, number: &str) -> Vec<String> {
    let run = tally(&shop.db, &["check", "--order", number, "--json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// One payment's (provider, reference, status, captured, movements as
/// "kind amount provider_id").
fn attempt(p: &Value) -> (String, String, String, String, Vec<String>) {
    let s = |v: &Value| v.as_str().unwrap_or("-").to_owned();
    (
        s(&p["provider"]),
        s(&p["reference"]),
        s(&p["status"]),
        s(&p["captured"]),
        p["movements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                format!(
                    "{} {} {}",
                    s(&m["kind"]),
                    s(&m["amount"]),
                    s(&m["provider_id"])
                )
            })
            .collect(),
    )
}

fn strs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn each_wave_event_type_on_the_demo_shop() {
    let shop = demo();
    let l = serve(&shop, &[], Some(SECRET));

    // TEST1033: a failed attempt leaves the payment pending, the failure
    // and the session recorded; no money moved.
    let (status, answer) = wave(&l, &failed("AE_sn_f1", "cos-e2e1033", "TEST1033", "open"));
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
    let s = show(&shop, "TEST1033");
    assert_eq!(s["order"]["payment_status"], "pending");
    assert_eq!(
        s["payment"]["provider_status"],
        "processing (insufficient-funds)"
    );
    assert_eq!(
        attempt(&s["payments"][0]),
        (
            "wave".into(),
            "cos-e2e1033".into(),
            "pending".into(),
            "0".into(),
            vec![]
        )
    );

    // The session completes; the event names the session only.
    let (status, answer) = wave(&l, &completed("AE_sn_c1", "cos-e2e1033", None, "45000"));
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
    let s = show(&shop, "TEST1033");
    assert_eq!(s["order"]["payment_status"], "paid");
    assert_eq!(s["payment"]["charge_id"], "TXe2e1033");
    assert_eq!(
        attempt(&s["payments"][0]),
        (
            "wave".into(),
            "cos-e2e1033".into(),
            "completed".into(),
            "45000".into(),
            strs(&["captured 45000 TXe2e1033"])
        )
    );
    assert_eq!(s["money"]["outstanding"], "0");
    assert_eq!(s["money"]["kept"], "45000");
    assert!(
        rules(&shop, "TEST1033").is_empty(),
        "{:?}",
        rules(&shop, "TEST1033")
    );

    // The same delivery again: 200, nothing changes.
    let before = shop.snapshot();
    let (status, answer) = wave(&l, &completed("AE_sn_c1", "cos-e2e1033", None, "45000"));
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("duplicate"))
    );
    assert_eq!(shop.snapshot(), before);

    // TEST1014: a QR payment of 45000, 44550 net of a 450 fee, the order
    // number in a custom field: captured 45000, no amount_mismatch, and
    // the seed's status mismatch is gone.
    assert!(rules(&shop, "TEST1014").contains(&"status_mismatch".to_owned()));
    let (status, answer) = wave(
        &l,
        &merchant("AE_sn_q1", "T_E2EQR1014", "TEST1014", "44550", "450"),
    );
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
    let s = show(&shop, "TEST1014");
    assert_eq!(
        attempt(&s["payments"][0]),
        (
            "wave".into(),
            "T_E2EQR1014".into(),
            "completed".into(),
            "45000".into(),
            strs(&["captured 45000 T_E2EQR1014"])
        )
    );
    assert_eq!(s["order"]["payment_status"], "paid");
    assert!(
        rules(&shop, "TEST1014").is_empty(),
        "{:?}",
        rules(&shop, "TEST1014")
    );
    let audited = s["log"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["details"]["fee"] == "450 XOF");
    assert!(audited, "the fee is in the audit row: {}", s["log"]);

    // TEST1008: the checkout expires (the attempt fails), then another
    // business pays by B2B: a second, completed attempt.
    let (status, _) = wave(
        &l,
        &failed("AE_sn_x1", "cos-e2e1008", "TEST1008", "expired"),
    );
    assert_eq!(status, 200);
    let s = show(&shop, "TEST1008");
    assert_eq!(s["payment"]["status"], "failed");
    assert_eq!(
        s["payment"]["provider_status"],
        "expired (insufficient-funds)"
    );
    assert_eq!(s["order"]["payment_status"], "failed");
    let (status, answer) = wave(&l, &b2b("AE_sn_b1", "b2b-e2e1008", "TEST1008", "45000"));
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
    let s = show(&shop, "TEST1008");
    let payments = s["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 2);
    let by_ref = |r: &str| payments.iter().find(|p| p["reference"] == r).unwrap();
    assert_eq!(
        attempt(by_ref("b2b-e2e1008")),
        (
            "wave".into(),
            "b2b-e2e1008".into(),
            "completed".into(),
            "45000".into(),
            strs(&["captured 45000 b2b-e2e1008"])
        )
    );
    assert_eq!(attempt(by_ref("cos-e2e1008")).2, "failed");
    // The main payment is the one that keeps the money.
    assert_eq!(s["payment"]["reference"], "b2b-e2e1008");
    assert_eq!(s["order"]["payment_status"], "paid");
    assert_eq!(s["money"]["captured"], "45000");
    assert!(
        rules(&shop, "TEST1008").is_empty(),
        "{:?}",
        rules(&shop, "TEST1008")
    );

    // Money for no order the shop knows: an orphan, the books untouched.
    let books = |shop: &Shop| {
        let all = shop.snapshot();
        all.split("provider_events:").next().unwrap().to_owned()
    };
    let before = books(&shop);
    let (status, answer) = wave(
        &l,
        &merchant("AE_sn_o1", "T_E2EORPHAN", "NOPE-77", "990", "10"),
    );
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("orphan")),
        "{answer}"
    );
    assert_eq!(books(&shop), before);
    let run = tally(&shop.db, &["orphans", "--json"]);
    let orphans: Value = serde_json::from_str(&run.stdout).unwrap();
    let orphan = orphans
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["reference"] == "T_E2EORPHAN")
        .expect("listed");
    assert_eq!(orphan["provider"], "wave");
    assert_eq!(orphan["amount"], "1000 XOF");

    // The portal's test button: 200, logged, nothing changed.
    let (status, answer) = wave(
        &l,
        &json!({"id": "AE_sn_t1", "type": "test.test_event", "data": {}}),
    );
    assert_eq!((status, answer["result"].as_str()), (200, Some("ignored")));
    assert_eq!(books(&shop), before);

    // /metrics counts Wave like the others.
    let (status, metrics) = l.request("GET", "/metrics", &[], b"");
    assert_eq!(status, 200);
    for line in [
        "tally_webhook_requests_total{provider=\"wave\",result=\"applied\"} 5",
        "tally_webhook_requests_total{provider=\"wave\",result=\"duplicate\"} 1",
        "tally_webhook_requests_total{provider=\"wave\",result=\"orphan\"} 1",
        "tally_webhook_requests_total{provider=\"wave\",result=\"ignored\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    assert!(!l.log().contains(SECRET));
}

#[test]
fn refused_deliveries_change_nothing() {
    let shop = demo();
    let l = serve(&shop, &[], Some(SECRET));
    let before = shop.snapshot();
    let body = completed("AE_sn_r1", "cos-e2er", Some("TEST1033"), "45000")
        .to_string()
        .into_bytes();
    let now = unix_now();
    let good = sign_wave(SECRET, now, &body).unwrap();
    let mut tampered = body.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    /// (headers, body)
    type Case<'a> = (Vec<(&'a str, String)>, &'a [u8]);
    let cases: Vec<Case<'_>> = vec![
        (vec![], &body),
        (
            vec![(
                "Wave-Signature",
                sign_wave("wave_sn_WHS_other", now, &body).unwrap(),
            )],
            &body,
        ),
        (vec![("Wave-Signature", good.clone())], &tampered),
        (vec![("Authorization", format!("Bearer {SECRET}"))], &body),
    ];
    for (headers, body) in cases {
        let (status, answer) = post(&l, &headers, body);
        assert_eq!(status, 400, "{headers:?}: {answer}");
    }
    assert_eq!(shop.snapshot(), before);

    // An amount XOF cannot hold: refused, recorded as failed, reported.
    let event = completed("AE_sn_d1", "cos-e2ed", Some("TEST1033"), "45000.5");
    let (status, _) = wave(&l, &event);
    assert_eq!(status, 500);
    let run = tally(&shop.db, &["check", "--rule", "webhook_failed", "--json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let detail = report["findings"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("45000.5"), "{detail}");
    assert_eq!(show(&shop, "TEST1033")["payment"]["status"], "pending");
    drop(l);

    // No secret configured: 503, and the log says why.
    let l = serve(&shop, &[], None);
    let (status, answer) = post(&l, &[("Wave-Signature", good)], &body);
    assert_eq!(status, 503, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("WAVE_WEBHOOK_SECRET")
    );
    assert!(l.log().contains("Wave disabled"), "{}", l.log());
}

#[test]
fn a_retry_signed_days_ago_applies_unless_a_window_is_set() {
    let shop = demo();
    let body = completed("AE_sn_old", "cos-e2eold", Some("TEST1033"), "45000")
        .to_string()
        .into_bytes();
    let three_days_ago = unix_now() - 3 * 24 * 3600;
    let header = sign_wave(SECRET, three_days_ago, &body).unwrap();
    {
        let l = serve(&shop, &["--wave-tolerance", "300"], Some(SECRET));
        let (status, answer) = post(&l, &[("Wave-Signature", header.clone())], &body);
        assert_eq!(status, 400, "{answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("old"),
            "{answer}"
        );
    }
    let l = serve(&shop, &[], Some(SECRET));
    let (status, answer) = post(&l, &[("Wave-Signature", header)], &body);
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
}

#[test]
fn send_test_event_signs_as_wave_with_either_strategy() {
    let shop = demo();
    let env = [("WAVE_WEBHOOK_SECRET", SECRET)];
    {
        let l = serve(&shop, &[], Some(SECRET));
        let url = format!("http://{}/webhooks/wave", l.addr);
        let (code, out, err) = shop.run(
            &[
                "send-test-event",
                "wave",
                "checkout.session.completed",
                "--order",
                "TEST1033",
                "--url",
                &url,
            ],
            &env,
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("HTTP 200") && out.contains("applied"), "{out}");
        assert!(!out.contains(SECRET), "{out}");
        let s = show(&shop, "TEST1033");
        assert_eq!(s["payment"]["status"], "completed");
        assert!(
            s["payment"]["reference"]
                .as_str()
                .unwrap()
                .starts_with("cos-")
        );
    }
    let l = serve(&shop, &["--wave-auth", "bearer"], Some(SECRET));
    let url = format!("http://{}/webhooks/wave", l.addr);
    let send = |extra: &[&str]| {
        let mut args = vec![
            "send-test-event",
            "wave",
            "merchant.payment_received",
            "--order",
            "TEST1014",
            "--url",
            &url,
        ];
        args.extend_from_slice(extra);
        shop.run(&args, &env)
    };
    // Signed, where the webhook is set up for a bearer token: refused.
    let (code, out, _) = send(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("HTTP 400"), "{out}");
    let (code, out, err) = send(&["--wave-auth", "bearer"]);
    assert_eq!(code, 0, "{out}{err}");
    let s = show(&shop, "TEST1014");
    assert_eq!(s["payment"]["status"], "completed");
    assert_eq!(s["payment"]["captured_amount"], "45000");
    assert!(rules(&shop, "TEST1014").is_empty());

    // Without the secret, nothing is sent.
    let (code, _, err) = shop.run(
        &[
            "send-test-event",
            "wave",
            "test.test_event",
            "--order",
            "TEST1033",
            "--url",
            &url,
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("WAVE_WEBHOOK_SECRET"), "{err}");
}

#[test]
fn serve_refuses_a_wave_api_key_before_listening() {
    let shop = demo();
    let mut cmd = Listener::command(&shop.db, &["--bind", "127.0.0.1:0"]);
    cmd.env("WAVE_WEBHOOK_SECRET", "wave_sn_prod_YhUNb9dsecretvalue");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("API key") && !err.contains("secretvalue"),
        "{err}"
    );
}
