//! Benchmark of `tally dash` through a real terminal (tmux) on a big shop.
//!
//! Run with `cargo bench --bench dash` (needs tmux). It builds
//! `tally demo --orders N` (BENCH_ORDERS, 1,000,000 by default, 20,000 in the
//! smoke run of `cargo test --all-targets`; or reuses the
//! database at BENCH_DB), starts the dashboard in a 120×40 tmux pane and
//! measures, from outside, what a person at the keyboard sees:
//!
//! 1. the first screen: from starting the process to the first page of
//!    orders drawn (target ≤ 150 ms);
//! 2. per-key redraw latency, 50 keys each (median ≤ 30 ms, p95 ≤ 60 ms):
//!    scroll (`j`), page (`PgDn`), jump to the end and back (`G` / `g`),
//!    search keystrokes (typing and erasing order numbers, names and
//!    references after `/`), tab switch (`Tab`);
//! 3. peak resident memory of the process (`VmHWM`, target < 60 MB).
//!
//! A key counts as redrawn when the pane shows its frame: the dashboard,
//! started with `TALLY_DASH_TRACE=1`, prints how many keys it has handled
//! at the end of its status line, the last line of each frame written.
//! The figures include tmux's own delivery and the polling of
//! `capture-pane` (a few ms): they are upper bounds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TALLY: &str = env!("CARGO_BIN_EXE_tally");
const SOCKET: &str = "tally-dash-bench";

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .arg("-L")
        .arg(SOCKET)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn screen() -> String {
    tmux(&["capture-pane", "-p", "-t", "dash"])
}

/// Polls the pane until `done` holds; returns when it did.
fn wait(done: impl Fn(&str) -> bool, what: &str) -> Instant {
    let limit = Instant::now() + Duration::from_secs(30);
    loop {
        let s = screen();
        if done(&s) {
            return Instant::now();
        }
        assert!(Instant::now() < limit, "timed out waiting for {what}:\n{s}");
    }
}

fn handled(s: &str) -> Option<u64> {
    let last = s.lines().rfind(|l| !l.trim().is_empty())?;
    let n = last.trim_end().rsplit('#').next()?;
    n.parse().ok()
}

/// Sends one key and returns how long until its frame is on the pane.
fn key(k: &str, literal: bool, count: &mut u64) -> Duration {
    let want = *count + 1;
    let start = Instant::now();
    if literal {
        tmux(&["send-keys", "-t", "dash", "-l", k]);
    } else {
        tmux(&["send-keys", "-t", "dash", k]);
    }
    let end = wait(|s| handled(s) == Some(want), k);
    *count = want;
    end - start
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Stats {
    median: f64,
    p95: f64,
    max: f64,
}

fn stats(mut xs: Vec<Duration>) -> Stats {
    xs.sort();
    let at = |q: f64| ms(xs[((xs.len() as f64 - 1.0) * q).round() as usize]);
    Stats {
        median: at(0.5),
        p95: at(0.95),
        max: ms(*xs.last().expect("samples")),
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

fn peak_rss_kb(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db = match std::env::var("BENCH_DB") {
        Ok(p) => Path::new(&p).to_owned(),
        Err(_) => {
            let orders: usize = std::env::var("BENCH_ORDERS")
                .ok()
                .and_then(|v| v.parse().ok())
                // `cargo bench` passes --bench; `cargo test --all-targets`
                // runs this binary without it, as a smoke test of the
                // benchmark itself on a small shop (a million orders in a
                // debug build took minutes of CI for no figure).
                .unwrap_or(if std::env::args().any(|a| a == "--bench") {
                    1_000_000
                } else {
                    20_000
                });
            let db = dir.path().join("bench.db");
            let started = Instant::now();
            let status = Command::new(TALLY)
                .arg("--db")
                .arg(&db)
                .args(["demo", "--orders", &orders.to_string()])
                .stdout(Stdio::null())
                .status()
                .expect("tally demo runs");
            assert!(status.success(), "tally demo failed");
            println!(
                "demo --orders {orders}: {:.1} s",
                started.elapsed().as_secs_f64()
            );
            db
        }
    };
    // A server already running, so that starting the pane costs what it
    // costs a person's terminal.
    tmux(&["kill-server"]);
    tmux(&["new-session", "-d", "-s", "idle", "sleep 100000"]);
    // Warm the page cache the way any earlier use of the shop would.
    let _ = Command::new(TALLY)
        .arg("--db")
        .arg(&db)
        .args(["order", "show", "TEST1001"])
        .stdout(Stdio::null())
        .status();

    let cmd = format!(
        "TALLY_DASH_TRACE=1 LANG=C TALLY_LANG=en exec {TALLY} --db {} --actor bench dash",
        db.display()
    );
    let started = Instant::now();
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "dash",
        "-x",
        "120",
        "-y",
        "40",
        &cmd,
    ]);
    let first = wait(
        |s| handled(s) == Some(0) && s.contains("TEST"),
        "the first screen",
    ) - started;
    let pid = tmux(&["display-message", "-p", "-t", "dash", "#{pane_pid}"])
        .trim()
        .to_owned();
    // Let the background check of the whole shop finish, as a person would
    // find it after a few seconds.
    wait(|s| !s.contains("Findings (…)"), "the findings");

    let mut count = 0;
    let mut results: Vec<(&str, Stats)> = Vec::new();

    let scroll: Vec<Duration> = (0..50).map(|_| key("j", false, &mut count)).collect();
    results.push(("scroll (j)", stats(scroll)));
    let page: Vec<Duration> = (0..50)
        .map(|_| key("PageDown", false, &mut count))
        .collect();
    results.push(("page (PgDn)", stats(page)));
    let jump: Vec<Duration> = (0..50)
        .map(|i| key(if i % 2 == 0 { "G" } else { "g" }, false, &mut count))
        .collect();
    results.push(("jump (G / g)", stats(jump)));

    key("/", true, &mut count);
    let mut search = Vec::new();
    let verbose = std::env::var_os("BENCH_VERBOSE").is_some();
    for word in ["TEST54321", "diop", "pi_3demo000077", "Chloé Ba"] {
        let mut typed = String::new();
        for c in word.chars() {
            typed.push(c);
            let d = key(&c.to_string(), true, &mut count);
            if verbose {
                println!("  /{typed}: {:.1} ms", ms(d));
            }
            search.push(d);
        }
        for _ in word.chars() {
            typed.pop();
            let d = key("BSpace", false, &mut count);
            if verbose {
                println!("  /{typed}: {:.1} ms (erasing)", ms(d));
            }
            search.push(d);
        }
    }
    search.truncate(50);
    key("Escape", false, &mut count);
    results.push(("search keystroke", stats(search)));

    let tabs: Vec<Duration> = (0..50).map(|_| key("Tab", false, &mut count)).collect();
    results.push(("tab switch (Tab)", stats(tabs)));

    let rss = peak_rss_kb(&pid);
    tmux(&["send-keys", "-t", "dash", "q"]);
    std::thread::sleep(Duration::from_millis(200));
    tmux(&["kill-server"]);

    println!(
        "first screen: {:.0} ms (target ≤ 150 ms) {}",
        ms(first),
        verdict(ms(first) <= 150.0)
    );
    println!("key redraw, 50 keys each (targets: median ≤ 30 ms, p95 ≤ 60 ms):");
    for (what, s) in &results {
        println!(
            "  {what:<18} median {:>5.1} ms  p95 {:>5.1} ms  max {:>6.1} ms  {}",
            s.median,
            s.p95,
            s.max,
            verdict(s.median <= 30.0 && s.p95 <= 60.0)
        );
    }
    match rss {
        Some(kb) => println!(
            "peak resident memory: {:.1} MB (target < 60 MB) {}",
            kb as f64 / 1024.0,
            verdict(kb < 60 * 1024)
        ),
        None => println!("peak resident memory: unknown (no /proc)"),
    }
}
