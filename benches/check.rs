//! Benchmark of `tally check` and `tally fix` on a big shop.
//!
//! Run with `cargo bench --bench check` (BENCH_ORDERS=1000000 by default,
//! BENCH_FIXES=100000). It builds `tally demo --orders N`, then measures, side
//! by side in one run on a warm page cache:
//!
//! 1. `tally check --json` against the baseline: one `count(*)` over
//!    the left join of orders and payments comparing the two status words
//!    (and the cancelled orders), run by the `sqlite3` shell on the same file
//!    (median of 5 runs each; target ≤ 1.5×);
//! 2. `tally fix` of BENCH_FIXES status mismatches (target ≤ 10 s) while a
//!    second writer keeps committing small IMMEDIATE transactions to the
//!    same file (target: none waits more than 100 ms).
//!
//! Machines are noisy: compare the ratio, not the seconds. Run by
//! `cargo test --all-targets` (without `--bench`), it is a quick smoke test on
//! a small shop.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tally::domain::{LogResult, LogSource, SignatureCheck};
use tally::store::webhooks::NewLogRow;
use tally::store::{OpenMode, Store};

const TALLY: &str = env!("CARGO_BIN_EXE_tally");

/// The baseline `tally check` is measured against (the ledger issue's query).
const BASELINE: &str = "select count(*) from orders o left join payments p on p.order_id = o.id \
     where coalesce(o.payment_status,'') <> coalesce(p.status,'') or o.status = 'cancelled';";

/// Status mismatches through the seed's mapping, counted after the fix.
const BARE_JOIN: &str = "SELECT count(*) FROM orders o JOIN payments p ON p.order_id = o.id \
     WHERE o.payment_status <> CASE p.status WHEN 'pending' THEN 'pending' \
     WHEN 'completed' THEN 'paid' WHEN 'failed' THEN 'failed' WHEN 'cancelled' THEN 'refunded' END;";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn run(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .expect("command runs");
    let elapsed = start.elapsed();
    // check exits 1 when findings remain: that is a result, not a failure.
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "{cmd:?} failed: {status}"
    );
    elapsed
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this
    // binary without it, as a quick smoke test of the benchmark itself.
    let full = std::env::args().any(|a| a == "--bench");
    let orders = env_usize("BENCH_ORDERS", if full { 1_000_000 } else { 2_000 });
    let fixes = env_usize("BENCH_FIXES", if full { 100_000 } else { 200 });
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    let tally = |args: &[&str]| {
        let mut c = Command::new(TALLY);
        c.arg("--db")
            .arg(&db)
            .arg("--actor")
            .arg("bench")
            .args(args);
        c
    };

    let demo = run(tally(&["demo", "--orders", &orders.to_string()]).env_remove("TERM"));
    println!(
        "demo --orders {orders}: {:.2} s (target ≤ 30 s)",
        demo.as_secs_f64()
    );

    // Warm the page cache.
    run(&mut tally(&["check", "--json"]));
    run(Command::new("sqlite3").arg(&db).arg(BASELINE));

    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        ours.push(run(&mut tally(&["check", "--json"])));
        bare.push(run(Command::new("sqlite3").arg(&db).arg(BASELINE)));
    }
    let (ours, bare) = (median(ours), median(bare));
    println!(
        "check --json: median {:.0} ms; baseline count(*) in sqlite3: median {:.0} ms; ratio {:.2}× (target ≤ 1.5×)",
        ms(ours),
        ms(bare),
        ours.as_secs_f64() / bare.as_secs_f64()
    );

    // Make `fixes` status mismatches: paid orders whose order side says failed.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    conn.pragma_update(None, "synchronous", "full")
        .expect("pragma");
    let made = conn
        .execute(
            "UPDATE orders SET payment_status = 'failed' WHERE id IN (
                 SELECT order_id FROM payments WHERE status = 'completed' LIMIT ?1)",
            [fixes as i64],
        )
        .expect("make mismatches");
    println!("made {made} status mismatches");

    // A second writer, as the webhook listener would be.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let db = db.clone();
        std::thread::spawn(move || {
            // Opened as every tally process opens the file (the listener's
            // connection set-up).
            let mut store = Store::open(&db, OpenMode::MustExist).expect("open");
            let mut waits = Vec::new();
            let mut i: i64 = 0;
            while !stop.load(Ordering::Relaxed) {
                let start = Instant::now();
                store
                    .write(|tx| {
                        // What the webhook listener writes for each request.
                        tx.insert_webhook_log(&NewLogRow {
                            received_at: chrono::Utc::now(),
                            provider: None,
                            path: "/bench",
                            remote_addr: None,
                            event_id: None,
                            event_type: None,
                            signature: SignatureCheck::NotChecked,
                            result: LogResult::Ignored,
                            http_status: 200,
                            duration_us: 0,
                            error: None,
                            body: None,
                            order_number: None,
                            source: LogSource::Webhook,
                        })
                    })
                    .expect("write");
                waits.push(start.elapsed());
                i += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            (i, waits)
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    let fix = run(&mut tally(&[
        "fix",
        "--quiet",
        "--json",
        "--rule",
        "status_mismatch",
    ]));
    stop.store(true, Ordering::Relaxed);
    let (writes, mut waits) = writer.join().expect("writer");
    waits.sort();
    let p99 = waits[(waits.len() * 99 / 100).min(waits.len() - 1)];
    let max = waits.last().copied().unwrap_or_default();
    println!(
        "fix of {made} mismatches: {:.2} s (target ≤ 10 s); concurrent writer: {writes} commits, p99 {:.1} ms, max {:.1} ms (target ≤ 100 ms)",
        fix.as_secs_f64(),
        ms(p99),
        ms(max)
    );
    let left: i64 = conn
        .query_row(&BARE_JOIN.replace(';', ""), [], |r| r.get(0))
        .expect("count");
    println!("status mismatches left after fix: {left}");
}
