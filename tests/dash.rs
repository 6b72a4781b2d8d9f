//! End to end: the real `tally` binary in a real terminal (tmux), driven by
//! `send-keys` and read with `capture-pane`.
//!
//! A demo shop is built first (non-interactive: standard output is a pipe),
//! then the dashboard searches for an order, marks two, cancels them, confirms
//! and quits; the database must then hold both orders and their payments
//! cancelled, with audit rows naming the actor. Every step waits for the
//! screen it expects (polling, with a timeout), never a fixed sleep.
//!
//! A sync started with `S` runs in the background against the test tree's
//! fake of Wave's Checkout API: the keys keep working while it runs.
//!
//! Skipped, with a message, only when tmux is not installed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;

const TALLY: &str = env!("CARGO_BIN_EXE_tally");

/// A tmux server of its own (a private socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn available() -> bool {
        Command::new("tmux")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Starts `command` in a `width`×`height` pane.
    fn start(name: &str, command: &str, width: u16, height: u16) -> Tmux {
        let t = Tmux {
            socket: format!("tally-test-{name}-{}", std::process::id()),
        };
        let (w, h) = (width.to_string(), height.to_string());
        let out = t.run(&[
            "new-session",
            "-d",
            "-s",
            "dash",
            "-x",
            &w,
            "-y",
            &h,
            command,
        ]);
        assert!(out.status.success(), "tmux new-session failed: {out:?}");
        t
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "dash"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "dash", "-l", text]);
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "dash"]).stdout)
            .into_owned()
    }

    fn alive(&self) -> bool {
        self.run(&["has-session", "-t", "dash"]).status.success()
    }

    /// Waits until the screen satisfies `done`; panics with the screen after
    /// a timeout.
    fn wait(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let limit = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if done(&s) {
                return s;
            }
            if Instant::now() > limit {
                panic!("timed out waiting for {what}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait(text, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tally(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(TALLY)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("TALLY_DB")
        .env_remove("TALLY_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .output()
        .expect("tally runs")
}

/// Two consistent, not cancelled orders with a payment, whose numbers match
/// no other order as a substring.
fn two_orders(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT o.number FROM orders o JOIN payments p ON p.order_id = o.id
             WHERE o.status <> 'cancelled' AND p.status <> 'cancelled'
               AND length(o.number) = 8 AND o.number LIKE 'TEST11%'
             ORDER BY o.id LIMIT 2",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// What the end-to-end test reads on screen, in the language it runs in.
struct Screen {
    /// The tmux server's name.
    name: &'static str,
    /// `LANG` for the dashboard's process.
    lang: &'static str,
    count: &'static str,
    one: &'static str,
    one_marked: &'static str,
    two_marked: &'static str,
    title: &'static str,
    says: &'static str,
    done: &'static str,
    skipped: &'static str,
}

const ENGLISH: Screen = Screen {
    name: "cancel",
    lang: "C",
    count: "200 orders",
    one: " 1 order",
    one_marked: "● 1 marked",
    two_marked: "● 2 marked",
    title: "Cancel 2 orders",
    says: "Cancels 2 orders and their payments",
    done: "Done: 2",
    skipped: "Skipped: 0",
};

const FRENCH: Screen = Screen {
    name: "cancel-fr",
    lang: "fr_FR.UTF-8",
    count: "200 commandes",
    one: " 1 commande",
    one_marked: "● 1 marquée",
    two_marked: "● 2 marquées",
    title: "Annuler 2 commandes",
    says: "Annule 2 commandes et leurs paiements",
    done: "Fait : 2",
    skipped: "Ignoré : 0",
};

#[test]
fn search_mark_two_cancel_confirm_quit_in_a_real_terminal() {
    search_mark_two_cancel_confirm_quit(&ENGLISH);
}

/// The same, once in French (the locale says so).
#[test]
fn search_mark_two_cancel_confirm_quit_in_french() {
    search_mark_two_cancel_confirm_quit(&FRENCH);
}

fn search_mark_two_cancel_confirm_quit(say: &Screen) {
    if !Tmux::available() {
        eprintln!("skipped: tmux is not installed (the end-to-end dashboard test needs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let out = tally(&db, &["demo", "--orders", "200"]);
    assert!(out.status.success(), "demo failed: {out:?}");
    let numbers = two_orders(&db);
    assert_eq!(numbers.len(), 2);

    let command = format!(
        "exec env -u TALLY_LANG -u LC_ALL -u LC_MESSAGES -u TZ LANG={} {TALLY} --db {} --actor e2e dash",
        say.lang,
        db.display()
    );
    let t = Tmux::start(say.name, &command, 120, 40);
    t.wait_for(say.count);

    // Search for the first order, keep the search, mark it.
    t.text("/");
    t.text(&numbers[0]);
    t.wait("the search narrowing to one order", |s| {
        s.contains(&numbers[0]) && s.contains(say.one)
    });
    t.keys(&["Enter"]);
    t.keys(&["Space"]);
    t.wait_for(say.one_marked);

    // The second: a new search (Ctrl-u clears the line), mark it.
    t.text("/");
    t.wait_for(&format!("/{}", numbers[0]));
    t.keys(&["C-u"]);
    t.text(&numbers[1]);
    t.wait("the second order alone", |s| {
        s.contains(&numbers[1])
            && !s.contains(&format!("  {}  ", numbers[0]))
            && s.contains(say.one)
    });
    t.keys(&["Enter"]);
    t.keys(&["Space"]);
    t.wait_for(say.two_marked);

    // Cancel both, confirm.
    t.text("x");
    let confirm = t.wait_for(say.title);
    assert!(confirm.contains(say.says), "{confirm}");
    t.text("y");
    let summary = t.wait_for(say.done);
    assert!(summary.contains(say.skipped), "{summary}");
    t.keys(&["Escape"]);
    t.wait("the summary closed", |s| !s.contains(say.done));
    t.text("q");
    let limit = Instant::now() + Duration::from_secs(10);
    while t.alive() {
        assert!(
            Instant::now() < limit,
            "tally did not quit:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // Both orders and their payments are cancelled, with audit rows.
    let conn = Connection::open(&db).unwrap();
    for n in &numbers {
        let (order, payment): (String, String) = conn
            .query_row(
                "SELECT o.status, p.status FROM orders o JOIN payments p ON p.order_id = o.id
                 WHERE o.number = ?1",
                [n],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (order.as_str(), payment.as_str()),
            ("cancelled", "cancelled"),
            "{n}"
        );
        let audited: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_log WHERE order_number = ?1
                   AND event = 'order_and_payment_cancelled' AND actor = 'e2e'
                   AND new_order_status = 'cancelled' AND new_payment_status = 'cancelled'",
                [n],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, 1, "{n}");
    }
    // Nothing else was touched.
    let others: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(others, 2);
}

#[test]
fn a_database_that_cannot_be_opened_is_refused_before_the_screen_is_taken() {
    if !Tmux::available() {
        eprintln!("skipped: tmux is not installed (the end-to-end dashboard test needs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    let command = format!(
        "LANG=C TALLY_LANG=en {TALLY} --db {} dash; echo \"exit=$?\"; sleep 30",
        db.display()
    );
    let t = Tmux::start("missing", &command, 100, 20);
    let s = t.wait_for("exit=");
    assert!(s.contains("error: no database at"), "{s}");
    assert!(s.contains("exit=2"), "{s}");
    assert!(!db.exists(), "no database is created");
}

#[test]
fn the_terminal_is_restored_on_quit_and_a_small_one_gets_a_message() {
    if !Tmux::available() {
        eprintln!("skipped: tmux is not installed (the end-to-end dashboard test needs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    assert!(tally(&db, &["demo", "--orders", "40"]).status.success());
    let command = format!(
        "LANG=C TALLY_LANG=en {TALLY} --db {} dash; echo \"exit=$?\"; stty -a | grep -o -- '-\\?icanon'; sleep 30",
        db.display()
    );
    let t = Tmux::start("small", &command, 40, 8);
    t.wait_for("terminal too small");
    t.text("q");
    let s = t.wait_for("exit=");
    assert!(s.contains("exit=0"), "{s}");
    // Raw mode is off again: canonical input is back.
    let s = t.wait("stty's answer", |s| s.contains("icanon"));
    assert!(!s.contains("-icanon"), "the terminal is still raw:\n{s}");
}

#[test]
fn s_syncs_in_the_background_while_the_keys_keep_working() {
    if !Tmux::available() {
        eprintln!("skipped: tmux is not installed (the end-to-end dashboard test needs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let shop = serde_json::json!({
        "orders": [{"number": "WV1001", "customer_name": "Awa Diop",
            "customer_email": "awa@example.com", "total": "25000", "currency": "XOF",
            "status": "pending", "payment_status": "pending", "created_at": now}],
        "payments": [{"order": "WV1001", "provider": "wave", "reference": "cos-tmux1",
            "amount": "25000", "currency": "XOF", "status": "pending", "created_at": now}]});
    let file = dir.path().join("shop.json");
    std::fs::write(&file, shop.to_string()).unwrap();
    let out = tally(&db, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "import failed: {out:?}");
    let key = "wave_sn_prod_tmux_key";
    let wave = support::wave::WaveFake::start(
        key,
        vec![support::wave::session(
            "cos-tmux1",
            Some("WV1001"),
            "25000",
            &now,
            "paid",
        )],
    );
    // Wave takes three seconds to answer: the dashboard must not wait.
    wave.fake
        .fault(support::Fault::Delay(Duration::from_secs(3)));

    let command = format!(
        "exec env -u STRIPE_API_KEY -u PAYPAL_CLIENT_ID -u PAYPAL_CLIENT_SECRET \
         WAVE_API_KEY={key} TALLY_WAVE_API={} {TALLY} --db {} --actor e2e dash",
        wave.fake.url(),
        db.display()
    );
    let t = Tmux::start("sync", &command, 120, 30);
    t.wait_for("1 order");
    t.text("S");
    t.wait_for("syncing: ");
    // While Wave is slow: another view, and back.
    t.text("2");
    let payments = t.wait_for("cos-tmux1");
    assert!(payments.contains("syncing: "), "{payments}");
    t.text("1");
    let done = t.wait_for("synced ");
    assert!(
        done.contains("sync: 1 change (wave 1; 1 API call)"),
        "{done}"
    );
    t.wait("the order paid on screen", |s| {
        s.lines()
            .any(|l| l.contains("WV1001") && l.contains("paid"))
    });
    t.text("q");
    let limit = Instant::now() + Duration::from_secs(10);
    while t.alive() {
        assert!(
            Instant::now() < limit,
            "tally did not quit:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let conn = Connection::open(&db).unwrap();
    let (status, source): (String, String) = conn
        .query_row(
            "SELECT o.payment_status, w.source FROM orders o, webhook_log w
             WHERE o.number = 'WV1001' AND w.event_id = 'sync:cos-tmux1:complete'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((status.as_str(), source.as_str()), ("paid", "sync"));
}
