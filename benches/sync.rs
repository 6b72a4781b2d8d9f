//! `tally sync` over 10,000 Stripe events served by a local fake of
//! `GET /v1/events` (newest first, pages of 100, as documented): each
//! event applied in its own transaction. Prints events/s; then a second
//! sync with nothing new, and the calls it made.
//!
//! `cargo bench --bench sync` (`TALLY_SYNC_EVENTS` sets the size).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::time::Instant;

use serde_json::json;

const KEY: &str = "rk_test_bench";

fn main() {
    let n: usize = std::env::var("TALLY_SYNC_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = dir.path().join("shop.db");
    let now = chrono::Utc::now();
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut orders = Vec::with_capacity(n);
    let mut payments = Vec::with_capacity(n);
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let number = format!("B{:06}", i);
        orders.push(
            json!({"number": number, "customer_name": "B", "customer_email": "b@example.com",
            "total": "12.50", "currency": "EUR", "status": "pending", "payment_status": "pending",
            "created_at": stamp}),
        );
        payments.push(
            json!({"order": number, "provider": "stripe", "amount": "12.50",
            "currency": "EUR", "status": "pending", "created_at": stamp}),
        );
        events.push(json!({"id": format!("evt_{i:06}"), "object": "event",
            "type": "payment_intent.succeeded",
            "created": now.timestamp() - 7200 + (i as i64 % 3000),
            "data": {"object": {"id": format!("pi_{i:06}"), "object": "payment_intent",
                "amount": 1250, "amount_received": 1250, "currency": "eur", "status": "succeeded",
                "latest_charge": format!("ch_{i:06}"), "metadata": {"order_id": number}}}}));
    }
    let file = dir.path().join("shop.json");
    std::fs::write(
        &file,
        json!({"orders": orders, "payments": payments}).to_string(),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_tally");
    let import = Command::new(bin)
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let fake = support::fake_stripe(events, KEY, 100);
    let sync = |label: &str| {
        let calls = fake.total_calls();
        let started = Instant::now();
        let out = Command::new(bin)
            .arg("--db")
            .arg(&db)
            .args(["sync", "stripe", "--quiet", "--stripe-api", &fake.url()])
            .env("STRIPE_API_KEY", KEY)
            .output()
            .unwrap();
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let applied = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with('B'))
            .count();
        println!(
            "{label}: {:.2} s, {applied} events applied, {:.0} events/s, {} API calls",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            fake.total_calls() - calls
        );
    };
    sync("first sync (every event new)");
    sync("second sync (nothing new)");
}
