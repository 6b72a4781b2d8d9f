//! Benchmark of statements: importing them, and `tally check` with them.
//!
//! Run with `cargo bench --bench statements` (BENCH_ORDERS=100000 by
//! default). It builds `tally demo --orders N --statements DIR` (the demo
//! shop's Stripe, PayPal and Wave statements: a line for every capture,
//! refund and dispute of its six months, and the payouts), copies the
//! database, then measures:
//!
//! 1. `tally statement import` of the three files (target: a statement of
//!    100,000 lines in under 10 s);
//! 2. `tally check --json` on the shop with its statements against the same
//!    shop without them, side by side, medians of 5 (target < 2×).
//!
//! Machines are noisy: compare the ratio, not the milliseconds. Run by
//! `cargo test --all-targets` (without `--bench`), it is a quick smoke test
//! on a small shop.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TALLY: &str = env!("CARGO_BIN_EXE_tally");

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn tally(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(TALLY);
    c.arg("--db").arg(db).arg("--actor").arg("bench").args(args);
    c
}

fn run(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .expect("command runs");
    let elapsed = start.elapsed();
    // check exits 1 when findings remain: a result, not a failure.
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

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .expect("statement file")
        .lines()
        .count()
        .saturating_sub(1)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let orders = env_usize("BENCH_ORDERS", if full { 100_000 } else { 2_000 });
    let dir = tempfile::tempdir().expect("temp dir");
    let with = dir.path().join("with.db");
    let without = dir.path().join("without.db");
    let files = dir.path().join("statements");

    let demo = run(tally(
        &with,
        &[
            "demo",
            "--orders",
            &orders.to_string(),
            "--statements",
            files.to_str().expect("utf-8 path"),
        ],
    )
    .env_remove("TERM"));
    println!(
        "demo --orders {orders} --statements: {:.2} s",
        demo.as_secs_f64()
    );
    // The shop without statements: a consistent copy, before the import.
    run(&mut tally(
        &with,
        &["backup", without.to_str().expect("path")],
    ));

    let names = [
        "stripe_balance_change_from_activity.csv",
        "paypal_activity.csv",
        "wave_transactions.csv",
    ];
    let paths: Vec<String> = names
        .iter()
        .map(|n| files.join(n).to_string_lossy().into_owned())
        .collect();
    let total: usize = names.iter().map(|n| lines(&files.join(n))).sum();
    let mut args = vec!["statement", "import", "--date-format", "DD/MM/YYYY"];
    args.extend(paths.iter().map(String::as_str));
    let import = run(&mut tally(&with, &args));
    println!(
        "statement import of {total} lines ({}): {:.2} s (target: 100,000 lines < 10 s)",
        names
            .iter()
            .map(|n| format!("{n} {}", lines(&files.join(n))))
            .collect::<Vec<_>>()
            .join(", "),
        import.as_secs_f64()
    );
    let again = run(&mut tally(&with, &args));
    println!("re-import (a no-op): {:.2} s", again.as_secs_f64());

    // Warm the page cache, then side by side.
    run(&mut tally(&with, &["check", "--json"]));
    run(&mut tally(&without, &["check", "--json"]));
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        a.push(run(&mut tally(&with, &["check", "--json"])));
        b.push(run(&mut tally(&without, &["check", "--json"])));
    }
    let (a, b) = (median(a), median(b));
    println!(
        "check --json with {total} statement lines: median {:.0} ms; without: {:.0} ms; ratio {:.2}× (target < 2×)",
        ms(a),
        ms(b),
        a.as_secs_f64() / b.as_secs_f64()
    );
    let payouts = run(&mut tally(&with, &["payouts", "--json"]));
    let report = run(&mut tally(&with, &["report", "--json"]));
    println!(
        "payouts --json: {:.0} ms; report --json: {:.0} ms",
        ms(payouts),
        ms(report)
    );
}
