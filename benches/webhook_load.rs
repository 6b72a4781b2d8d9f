//! Load benchmark of `tally serve`: signed Stripe events from concurrent
//! clients over loopback, next to raw rusqlite loops doing the same
//! one-transaction-per-event writes with the same PRAGMAs, in one run.
//!
//! Run with `cargo bench --bench webhook_load` (about 20 s; under
//! `cargo test --all-targets` it runs as a one-second smoke test). It builds a
//! demo shop (`tally demo`, WEBHOOK_BENCH_ORDERS orders, 40 000 by default)
//! whose Stripe payments all await capture, copies it three times, then:
//!
//! 1. starts the release `tally serve` (4 workers) on `127.0.0.1:0` and
//!    sends one `payment_intent.succeeded` per payment from
//!    WEBHOOK_BENCH_CLIENTS keep-alive clients (8 by default) for
//!    WEBHOOK_BENCH_SECS seconds (6): HMAC-signed, verified, matched, the
//!    payment completed and the order paid through the operations, audit,
//!    de-duplication and webhook log rows, one IMMEDIATE transaction per
//!    event, `synchronous=FULL`, the answer after the commit;
//! 2. the same writes for the same events as a plain loop on one rusqlite
//!    connection of its own, set up as `Store::open` sets up tally's (WAL,
//!    `synchronous=FULL`, foreign keys): the raw loop, one thread;
//! 3. the same loop from as many threads as there are clients, taking
//!    turns in arrival order on one connection as the listener's workers
//!    do: raw SQLite at the listener's concurrency, where each
//!    transaction's latency includes its wait behind the ones queued
//!    before it (an ideal listener with no HTTP, JSON or HMAC cost).
//!
//! It reports events/s and p50/p99 latency for each (client-side, per
//! request, for the listener; per transaction, lock wait included, for the
//! raw loops) and the ratios the README quotes: the listener's rate against
//! the raw loop's (target ≥ 70%), its p99 against the raw p99 at the same
//! concurrency (target ≤ 3×). With 8 clients in a closed loop each request
//! waits for up to 7 others' commits, so its p99 is also shown against the
//! one-thread loop's for what it is. Machines are noisy: compare the
//! ratios, not the numbers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use tally::providers::stripe::sign_stripe;
use tally::store::{OpenMode, Store};

const TALLY: &str = env!("CARGO_BIN_EXE_tally");
const SECRET: &str = "whsec_bench_secret";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One event to send: the payment it completes and its signed body.
struct Event {
    id: String,
    reference: String,
    body: Vec<u8>,
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Builds the demo shop, puts every Stripe payment back to awaiting
/// capture, and returns one event per payment.
fn prepare(db: &Path, orders: usize) -> Vec<Event> {
    let out = Command::new(TALLY)
        .arg("--db")
        .arg(db)
        .args(["demo", "--orders", &orders.to_string()])
        .output()
        .expect("run tally demo");
    assert!(
        out.status.success(),
        "tally demo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(Store::open(db, OpenMode::MustExist).expect("open (and migrate) the demo"));
    let conn = raw_open(db);
    conn.execute_batch(
        "UPDATE orders SET payment_status = 'pending', paid_at = NULL
          WHERE id IN (SELECT order_id FROM payments WHERE provider = 'stripe'
                       AND reference IS NOT NULL);
         UPDATE payments SET status = 'pending', completed_at = NULL, captured_minor = NULL,
                captured_currency = NULL, charge_id = NULL, refunded_minor = 0,
                refund_pending = 0, disputed = 0, provider_status = 'processing',
                refunds_pending_minor = 0, refunds_failed_minor = 0, disputed_minor = 0,
                lost_minor = 0, owed_minor = 0
          WHERE provider = 'stripe' AND reference IS NOT NULL;
         DELETE FROM movements WHERE payment_id IN
             (SELECT id FROM payments WHERE provider = 'stripe' AND reference IS NOT NULL);
         PRAGMA wal_checkpoint(TRUNCATE);",
    )
    .expect("reset the Stripe payments");
    let mut stmt = conn
        .prepare(
            "SELECT o.number, p.reference, p.amount_minor, p.currency FROM payments p
             JOIN orders o ON o.id = p.order_id
             WHERE p.provider = 'stripe' AND p.reference IS NOT NULL ORDER BY p.id",
        )
        .expect("prepare");
    let created = unix_now();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })
    .expect("query")
    .map(|row| {
        let (number, reference, minor, currency) = row.expect("row");
        let id = format!("evt_bench_{reference}");
        let body = json!({
            "id": id, "object": "event", "api_version": "2024-06-20", "created": created,
            "livemode": false, "pending_webhooks": 1, "type": "payment_intent.succeeded",
            "request": {"id": null, "idempotency_key": null},
            "data": {"object": {
                "id": reference, "object": "payment_intent", "amount": minor,
                "amount_received": minor, "currency": currency.to_ascii_lowercase(),
                "status": "succeeded", "latest_charge": format!("ch_{reference}"),
                "metadata": {"order_id": number}, "livemode": false, "created": created,
            }},
        });
        Event {
            id,
            reference,
            body: serde_json::to_vec(&body).expect("json"),
        }
    })
    .collect()
}

/// Latency summary: (count, p50 ms, p99 ms).
fn summary(latencies: &mut [Duration]) -> (usize, f64, f64) {
    latencies.sort_unstable();
    let pick = |q: f64| {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    (latencies.len(), pick(0.50), pick(0.99))
}

struct Listener {
    child: Child,
    addr: String,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_listener(db: &Path, workers: usize) -> Listener {
    let mut child = Command::new(TALLY)
        .arg("--db")
        .arg(db)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            &workers.to_string(),
        ])
        .env("STRIPE_WEBHOOK_SECRET", SECRET)
        .env_remove("PAYPAL_WEBHOOK_ID")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tally serve");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().expect("a first line").expect("utf-8");
    let addr = first
        .strip_prefix("tally serve: listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    // One log line per request: keep reading so the pipe never fills.
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    Listener { child, addr }
}

/// Sends `events` over one keep-alive connection until `deadline`.
fn client(addr: &str, events: &[&Event], deadline: Instant) -> (Vec<Duration>, usize) {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut writer = stream.try_clone().expect("clone");
    let mut reader = BufReader::new(stream);
    let mut latencies = Vec::with_capacity(events.len());
    let mut errors = 0;
    for event in events {
        if Instant::now() >= deadline {
            break;
        }
        let signature = sign_stripe(SECRET, unix_now(), &event.body).expect("sign");
        let mut request = format!(
            "POST /webhooks/stripe HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n\
             Stripe-Signature: {signature}\r\nContent-Length: {}\r\n\r\n",
            event.body.len()
        )
        .into_bytes();
        request.extend_from_slice(&event.body);
        let started = Instant::now();
        writer.write_all(&request).expect("send");
        let mut status = String::new();
        reader.read_line(&mut status).expect("status line");
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("header");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).expect("body");
        latencies.push(started.elapsed());
        if !status.contains(" 200 ") || !body.windows(9).any(|w| w == b"\"applied\"") {
            errors += 1;
        }
    }
    (latencies, errors)
}

/// A connection of the benchmark's own, set up as tally sets up its own:
/// the baseline must not go through tally's store.
fn raw_open(db: &Path) -> Connection {
    let conn = Connection::open(db).expect("open");
    conn.busy_timeout(Duration::from_secs(10))
        .expect("busy timeout");
    conn.pragma_update(None, "journal_mode", "wal")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "full")
        .expect("synchronous");
    conn.pragma_update(None, "foreign_keys", "on")
        .expect("foreign keys");
    conn
}

/// The listener's writes for one event, as plain SQL in one IMMEDIATE
/// transaction.
fn raw_apply(conn: &mut Connection, event: &Event) -> rusqlite::Result<()> {
    let now = tally::domain::format_ts(chrono::Utc::now());
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let seen: Option<String> = tx
            .prepare_cached(
                "SELECT state FROM provider_events WHERE provider = 'stripe' AND event_id = ?1",
            )?
            .query_row([&event.id], |r| r.get(0))
            .optional()?;
        if seen.is_some() {
            return Ok(());
        }
        let (payment_id, order_id, number, minor, currency): (i64, i64, String, i64, String) = tx
            .prepare_cached(
                "SELECT p.id, o.id, o.number, p.amount_minor, p.currency
                 FROM payments p JOIN orders o ON o.id = p.order_id
                 WHERE p.provider = 'stripe' AND p.reference = ?1",
            )?
            .query_row([&event.reference], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
        let _: Option<String> = tx
            .prepare_cached(
                "SELECT max(event_created_at) FROM provider_events
                 WHERE payment_id = ?1 AND state = 'applied'",
            )?
            .query_row([payment_id], |r| r.get(0))?;
        // The capture, in the payment's ledger.
        tx.prepare_cached(
            "INSERT OR IGNORE INTO movements (payment_id, kind, amount_minor, currency,
                    provider_id, at, event_id, source, recorded_at)
             VALUES (?1, 'captured', ?2, ?3, ?4, ?5, ?6, 'provider', ?5)",
        )?
        .execute(params![
            payment_id,
            minor,
            currency,
            format!("ch_{}", event.reference),
            now,
            event.id
        ])?;
        let _: i64 = tx
            .prepare_cached("SELECT count(*) FROM movements WHERE payment_id = ?1")?
            .query_row([payment_id], |r| r.get(0))?;
        tx.prepare_cached(
            "UPDATE payments SET status = 'completed', status_source = 'provider',
                    provider_status = 'succeeded', captured_minor = ?2, captured_currency = ?3,
                    charge_id = ?4, updated_at = ?5, completed_at = ?5
             WHERE id = ?1",
        )?
        .execute(params![
            payment_id,
            minor,
            currency,
            format!("ch_{}", event.reference),
            now
        ])?;
        tx.prepare_cached(
            "UPDATE orders SET payment_status = 'paid', paid_at = ?2, updated_at = ?2 WHERE id = ?1",
        )?
        .execute(params![order_id, now])?;
        tx.prepare_cached(
            "INSERT INTO audit_log (at, order_id, payment_id, order_number, event, actor,
                    old_order_status, new_order_status, old_order_payment_status,
                    new_order_payment_status, old_payment_status, new_payment_status, details)
             VALUES (?1, ?2, ?3, ?4, 'status_synchronized', ?5, 'processing', 'processing',
                     'pending', 'paid', 'pending', 'completed', ?6)",
        )?
        .execute(params![
            now,
            order_id,
            payment_id,
            number,
            format!("webhook:stripe:{}", event.id),
            json!({"event_type": "payment_intent.succeeded", "event_id": event.id}).to_string(),
        ])?;
        tx.prepare_cached(
            "INSERT INTO provider_events (provider, event_id, event_type, received_at, state,
                    payment_id, order_number, event_created_at)
             VALUES ('stripe', ?1, 'payment_intent.succeeded', ?2, 'applied', ?3, ?4, ?2)",
        )?
        .execute(params![event.id, now, payment_id, number])?;
        tx.prepare_cached(
            "INSERT INTO webhook_log (received_at, provider, path, remote_addr, event_id,
                    event_type, signature, result, http_status, duration_us, body, order_number)
             VALUES (?1, 'stripe', '/webhooks/stripe', '127.0.0.1', ?2,
                     'payment_intent.succeeded', 'verified', 'applied', 200, 0, ?3, ?4)",
        )?
        .execute(params![now, event.id, event.body, number])?;
    }
    tx.commit()
}

/// A first-come, first-served lock: writers take turns in arrival order,
/// as requests queue in the listener. (A plain mutex lets a thread that
/// just unlocked take it again and starve the others, which would inflate
/// the raw loop's tail and flatter the listener.)
#[derive(Default)]
struct TicketLock {
    state: Mutex<(u64, u64)>,
    turn: Condvar,
}

impl TicketLock {
    fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let ticket = state.0;
        state.0 += 1;
        while state.1 != ticket {
            state = self.turn.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        drop(state);
        let value = f();
        self.state.lock().unwrap_or_else(|p| p.into_inner()).1 += 1;
        self.turn.notify_all();
        value
    }
}

/// The raw loop from `threads` threads taking turns in arrival order on
/// one connection, as the listener's workers do. Returns (latencies, wall
/// time).
fn raw_loop(db: &Path, events: &[Event], threads: usize, secs: u64) -> (Vec<Duration>, Duration) {
    let gate = Arc::new(TicketLock::default());
    let store = Arc::new(Mutex::new(raw_open(db)));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let all = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let gate = gate.clone();
                let store = store.clone();
                let mine: Vec<&Event> = events.iter().skip(t).step_by(threads).collect();
                scope.spawn(move || {
                    let mut latencies = Vec::with_capacity(mine.len());
                    for event in mine {
                        if Instant::now() >= deadline {
                            break;
                        }
                        let t0 = Instant::now();
                        gate.run(|| {
                            let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
                            raw_apply(&mut store, event).expect("raw write")
                        });
                        latencies.push(t0.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("raw thread"))
            .collect::<Vec<_>>()
    });
    (all, started.elapsed())
}

/// Lets the previous phase's dirty pages reach the disk, so that its
/// writeback does not slow the next phase's fsyncs.
fn settle() {
    let _ = Command::new("sync").status();
    std::thread::sleep(Duration::from_secs(1));
}

fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy the database");
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this
    // binary without it, as a one-second smoke test of the benchmark itself.
    let full = std::env::args().any(|a| a == "--bench");
    let orders = env_usize("WEBHOOK_BENCH_ORDERS", if full { 40_000 } else { 2_000 });
    let clients = env_usize("WEBHOOK_BENCH_CLIENTS", 8).max(1);
    let secs = env_usize("WEBHOOK_BENCH_SECS", if full { 6 } else { 1 }).max(1) as u64;
    let workers = env_usize("WEBHOOK_BENCH_WORKERS", 4).max(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let base: PathBuf = dir.path().join("base.db");
    let events = prepare(&base, orders);
    for name in ["serve.db", "raw1.db", "raw8.db"] {
        copy_db(&base, &dir.path().join(name));
    }
    println!(
        "webhook load: {} Stripe events available (demo shop of {orders} orders), {clients} clients, \
         {secs} s per phase, synchronous=FULL on {}",
        events.len(),
        dir.path().display()
    );

    // 1. The listener.
    settle();
    let listener = start_listener(&dir.path().join("serve.db"), workers);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let (mut served, errors) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let mine: Vec<&Event> = events.iter().skip(c).step_by(clients).collect();
                let addr = listener.addr.clone();
                scope.spawn(move || client(&addr, &mine, deadline))
            })
            .collect();
        let mut all = Vec::new();
        let mut errors = 0;
        for h in handles {
            let (lat, err) = h.join().expect("client");
            all.extend(lat);
            errors += err;
        }
        (all, errors)
    });
    let served_wall = started.elapsed();
    let _ = Command::new("kill")
        .args(["-TERM", &listener.child.id().to_string()])
        .status();
    drop(listener);
    let (n_served, p50_served, p99_served) = summary(&mut served);
    let rate_served = n_served as f64 / served_wall.as_secs_f64();

    // 2. The raw loop, one thread; 3. the raw loop at the clients' concurrency.
    settle();
    let (mut raw1, raw1_wall) = raw_loop(&dir.path().join("raw1.db"), &events, 1, secs.min(4));
    let (n_raw1, p50_raw1, p99_raw1) = summary(&mut raw1);
    settle();
    let rate_raw1 = n_raw1 as f64 / raw1_wall.as_secs_f64();
    let (mut raw8, raw8_wall) =
        raw_loop(&dir.path().join("raw8.db"), &events, clients, secs.min(4));
    let (n_raw8, p50_raw8, p99_raw8) = summary(&mut raw8);
    let rate_raw8 = n_raw8 as f64 / raw8_wall.as_secs_f64();

    println!();
    println!(
        "{:<44} {:>8} {:>10} {:>9} {:>9}",
        "", "events", "events/s", "p50 ms", "p99 ms"
    );
    println!(
        "{:<44} {n_served:>8} {rate_served:>10.0} {p50_served:>9.2} {p99_served:>9.2}",
        format!("tally serve, {clients} HTTP clients ({workers} workers)")
    );
    println!(
        "{:<44} {n_raw1:>8} {rate_raw1:>10.0} {p50_raw1:>9.2} {p99_raw1:>9.2}",
        "raw rusqlite loop, 1 thread"
    );
    println!(
        "{:<44} {n_raw8:>8} {rate_raw8:>10.0} {p50_raw8:>9.2} {p99_raw8:>9.2}",
        format!("raw rusqlite loop, {clients} threads")
    );
    println!();
    if !full {
        println!("smoke test (no --bench): the figures below mean nothing; run `cargo bench`");
    }
    let rate_ratio = rate_served / rate_raw1;
    let p99_ratio = p99_served / p99_raw8;
    println!(
        "rate: listener / raw loop = {:.0}% (target >= 70%): {}",
        rate_ratio * 100.0,
        if rate_ratio >= 0.70 { "met" } else { "NOT met" }
    );
    println!(
        "p99: listener / raw loop at {clients} threads = {p99_ratio:.2}x (target <= 3x): {}",
        if p99_ratio <= 3.0 { "met" } else { "NOT met" }
    );
    println!(
        "p99: listener / raw loop at 1 thread = {:.2}x (queueing behind {} other clients included)",
        p99_served / p99_raw1,
        clients - 1
    );
    // Every event must have been applied, whatever the figures.
    assert_eq!(errors, 0, "{errors} answers were not 200 applied");
}
