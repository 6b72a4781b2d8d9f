//! Reliability under load and crashes, end to end: the real binary on a real
//! file under `target/tmp` (not tmpfs: the fsyncs are real), loopback HTTP
//! only.
//!
//! - [`soak`]: `tally serve` receives signed Stripe events from 8 clients
//!   (every event type it acts on, with duplicates, out-of-order deliveries,
//!   and a few events all 8 clients send at once) while two overlapping
//!   `tally check --fix` loops run, bulk `tally order cancel` /
//!   `tally order validate` run from other processes on other orders, and the
//!   test breaks yet other orders with SQL for the fix loops to repair.
//!   Afterwards: every request was answered 200 (nothing failed because the
//!   database was busy, and no "locked"/"busy" anywhere in the logs or
//!   outputs), every event was applied exactly once, the audit log has one
//!   row per change and none otherwise, untouched orders are byte for byte as
//!   they were, and `tally check` reports exactly the findings the scenario
//!   set out to create.
//! - [`crash_listener`]: the same events, while the listener is killed with
//!   SIGKILL a few times at random moments and restarted on the same file;
//!   every event that did not get a 2xx is sent again, as a provider would.
//!   The final state equals a run without crashes on a copy of the same
//!   starting database, and `PRAGMA integrity_check` is ok.
//! - [`crash_fix`]: `tally fix` killed part-way through thousands of status
//!   mismatches leaves every order either fixed (both sides agree, one audit
//!   row) or untouched; a re-run completes, and a third run has nothing to do.
//!
//! # The scenario
//! Each webhook order gets one of the [`SCRIPTS`]: a sequence of Stripe
//! events, some delivered twice, some delivered after newer ones, each with
//! what it must do (change the payment, change nothing, be stale, be a
//! duplicate) and the state the order must end in. Each order belongs to one
//! client, which sends its events in order (interleaved with its other
//! orders'), so an order's outcome does not depend on how the clients
//! interleave: that is what makes the crash run comparable with the run
//! without crashes.
//!
//! # Sizes
//! The default sizes run in CI in a debug build. Larger ones are benchmarks:
//! `TALLY_SOAK_EVENTS`, `TALLY_CRASH_EVENTS` / `TALLY_CRASH_KILLS` /
//! `TALLY_CRASH_SEED`, `TALLY_FIX_ORDERS` / `TALLY_FIX_MISMATCHES`, or the
//! ignored tests with their large defaults:
//! `cargo test --release --test reliability -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, Listener, Run, tally, unix_now};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, params};
use serde_json::{Value, json};
use tally::providers::stripe::sign_stripe;
use tempfile::TempDir;

const SECRET: &str = "whsec_reliability";
/// Webhook clients sending at once.
const CLIENTS: usize = 8;
/// The listener's worker threads.
const WORKERS: &str = "4";
/// The actors of the soak's other processes.
const FIX_ACTOR: &str = "soak-fix";
const CLI_ACTOR: &str = "soak-cli";

// ---------------------------------------------------------------------------
// Plumbing
// ---------------------------------------------------------------------------

/// The tests here each load the machine (a listener, 8 clients, other
/// processes): they run one at a time so that their timings mean something
/// on a 2-core machine.
static SERIAL: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// A directory on disk under `target/tmp`.
fn workdir(prefix: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

/// How long a phase of `events` events may take before the test gives up:
/// generous, for a loaded debug build.
fn phase_deadline(events: usize) -> Instant {
    Instant::now() + Duration::from_secs(180) + Duration::from_millis(events as u64 * 20)
}

/// Whether a text says the database was busy.
fn mentions_lock(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("locked") || text.contains("busy")
}

fn read_only(db: &Path) -> Connection {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    conn
}

fn read_write(db: &Path) -> Connection {
    let conn = Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    conn
}

fn integrity(db: &Path) -> String {
    read_only(db)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn count(conn: &Connection, sql: &str) -> usize {
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as usize
}

/// A column's value as text (NULL as `NULL`).
fn text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".to_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

/// Every column of a query's rows, as text.
fn dump(conn: &Connection, sql: &str) -> Vec<Vec<String>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n).map(|i| text(r.get_ref(i).unwrap())).collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Each order's row and its payment's, by order number.
fn rows_by_number(db: &Path) -> BTreeMap<String, Vec<String>> {
    dump(
        &read_only(db),
        "SELECT o.number, o.*, p.* FROM orders o LEFT JOIN payments p ON p.order_id = o.id",
    )
    .into_iter()
    .map(|mut row| {
        let number = row.remove(0);
        (number, row)
    })
    .collect()
}

/// The demo orders built with a deliberate inconsistency.
fn special_numbers() -> HashSet<&'static str> {
    tally::demo::SPECIAL.iter().map(|(n, _)| *n).collect()
}

/// The findings the demo's special orders leave once `fix` has run: every
/// special case but the two rules `fix` repairs.
fn demo_findings_after_fix() -> Vec<(String, Option<String>)> {
    // Each case names its rules before the colon ("dispute_lost,
    // fulfilled_unpaid: ..."), or "no finding".
    tally::demo::SPECIAL
        .iter()
        .flat_map(|(number, what)| {
            let rules = what.split(':').next().unwrap_or_default();
            rules.split(',').map(move |r| (r.trim(), number))
        })
        .filter(|(rule, _)| {
            !matches!(
                *rule,
                "status_mismatch" | "missing_timestamp" | "no finding"
            )
        })
        .map(|(rule, number)| (rule.to_owned(), Some((*number).to_owned())))
        .collect()
}

/// The demo orders the first `fix` changes: status mismatches and missing
/// timestamps.
fn demo_fixed_numbers() -> Vec<&'static str> {
    tally::demo::SPECIAL
        .iter()
        .filter(|(_, what)| {
            what.starts_with("status_mismatch") || what.starts_with("missing_timestamp")
        })
        .map(|(n, _)| *n)
        .collect()
}

/// `tally check --json`'s findings, as sorted (rule, order) pairs.
fn findings(db: &Path) -> Vec<(String, Option<String>)> {
    let run = tally(db, &["check", "--json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.text());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut found: Vec<(String, Option<String>)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["order"].as_str().map(str::to_owned),
            )
        })
        .collect();
    found.sort();
    found
}

// ---------------------------------------------------------------------------
// HTTP and the listener
// ---------------------------------------------------------------------------

/// POSTs a Stripe body signed now; (status, body), or the transport error.
fn post(addr: &str, body: &[u8]) -> io::Result<(u16, String)> {
    let socket: SocketAddr = addr.parse().map_err(io::Error::other)?;
    let stream = TcpStream::connect_timeout(&socket, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    stream.set_nodelay(true)?;
    let signature = sign_stripe(SECRET, unix_now(), body).unwrap();
    let mut request = format!(
        "POST /webhooks/stripe HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nStripe-Signature: {signature}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    (&stream).write_all(&request)?;
    let eof = |what: &str| io::Error::new(io::ErrorKind::UnexpectedEof, what.to_owned());
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| eof("no status line"))?;
    let mut length = 0;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(eof("the headers did not end"));
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().map_err(io::Error::other)?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

impl Listener {
    fn start(db: &Path) -> Listener {
        Listener::start_on(db, "127.0.0.1:0")
    }

    fn start_on(db: &Path, bind: &str) -> Listener {
        let mut cmd = Listener::command(db, &["--bind", bind, "--workers", WORKERS]);
        cmd.env("STRIPE_WEBHOOK_SECRET", SECRET);
        Listener::spawn(cmd)
    }

    /// SIGTERM, and the clean exit it promises.
    fn stop(mut self) -> String {
        assert!(self.signal("TERM"));
        let Some(status) = self.wait_exit(Duration::from_secs(60)) else {
            panic!("tally serve ignored SIGTERM");
        };
        let log = self.finish();
        assert!(status.success(), "tally serve exited with {status}:\n{log}");
        log
    }
}

// ---------------------------------------------------------------------------
// The scenario: events and what each must do
// ---------------------------------------------------------------------------

/// The Stripe event types the listener acts on.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Succeeded,
    Failed,
    Processing,
    RequiresAction,
    Canceled,
    /// `charge.refunded`: half the amount, or all of it.
    Refund {
        half: bool,
    },
    DisputeCreated,
    DisputeClosed {
        lost: bool,
    },
    Invoice,
}

/// What one delivery must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Applied, and it changed the payment or the order: one audit row.
    Changed,
    /// Applied, with nothing to record: no audit row.
    Unchanged,
    /// Would move the payment backwards: recorded as stale, no audit row.
    Stale,
    /// An event id received before: nothing happens.
    Duplicate,
    /// Matches no payment: an orphan row.
    Orphan,
    /// A type tally does not act on.
    Ignored,
    /// The same event sent by every client at once: exactly one of them
    /// applies it (one audit row), the others are duplicates.
    Raced,
}

impl Expect {
    /// The answer's `result`, the `webhook_log` row's, and (for a first
    /// delivery) the `provider_events` state.
    fn result(self) -> &'static str {
        match self {
            Expect::Changed | Expect::Unchanged => "applied",
            Expect::Stale => "stale",
            Expect::Duplicate => "duplicate",
            Expect::Orphan => "orphan",
            Expect::Ignored => "ignored",
            Expect::Raced => "applied or duplicate",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Step {
    /// A new event: its kind, its `created` (seconds after the order's base
    /// time: the order in which the provider created the events), and what
    /// it must do, delivered at this point.
    New(Kind, i64, Expect),
    /// The event of step N delivered again: same id, same bytes.
    Again(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refunded {
    Nothing,
    Half,
    All,
}

/// The state an order must end in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct End {
    payment: &'static str,
    order: &'static str,
    /// Disputed at the end: `check` reports it (`disputed`).
    disputed: bool,
    /// A dispute lost: `check` reports the money gone (`dispute_lost`).
    lost: bool,
    refunded: Refunded,
}

struct Script {
    name: &'static str,
    steps: &'static [Step],
    end: End,
}

use Kind as K;
use Step::{Again, New};

/// Every payment starts pending, with no provider status; every order
/// pending.
const SCRIPTS: &[Script] = &[
    Script {
        name: "captured; a late requires_action",
        steps: &[
            New(K::Processing, 10, Expect::Changed),
            New(K::Succeeded, 30, Expect::Changed),
            Again(1),
            New(K::RequiresAction, 20, Expect::Stale),
            Again(0),
        ],
        end: End {
            payment: "completed",
            order: "paid",
            disputed: false,
            lost: false,
            refunded: Refunded::Nothing,
        },
    },
    Script {
        name: "declined, retried, captured, refunded; a late decline",
        steps: &[
            New(K::Failed, 10, Expect::Changed),
            New(K::Processing, 20, Expect::Changed),
            Again(0),
            New(K::Succeeded, 30, Expect::Changed),
            New(K::Refund { half: false }, 40, Expect::Changed),
            New(K::Failed, 5, Expect::Stale),
            Again(4),
        ],
        end: End {
            payment: "cancelled",
            order: "refunded",
            disputed: false,
            lost: false,
            refunded: Refunded::All,
        },
    },
    Script {
        name: "captured, dispute opened; a late processing",
        steps: &[
            New(K::Succeeded, 10, Expect::Changed),
            New(K::DisputeCreated, 20, Expect::Changed),
            Again(1),
            New(K::Processing, 5, Expect::Stale),
        ],
        end: End {
            payment: "completed",
            order: "paid",
            disputed: true,
            lost: false,
            refunded: Refunded::Nothing,
        },
    },
    Script {
        name: "captured, dispute lost",
        steps: &[
            New(K::Succeeded, 10, Expect::Changed),
            New(K::DisputeCreated, 20, Expect::Changed),
            New(K::DisputeClosed { lost: true }, 30, Expect::Changed),
            Again(2),
            Again(0),
        ],
        end: End {
            payment: "cancelled",
            order: "refunded",
            disputed: false,
            lost: true,
            refunded: Refunded::Nothing,
        },
    },
    Script {
        name: "cancelled before capture; a late processing",
        steps: &[
            New(K::RequiresAction, 10, Expect::Changed),
            New(K::Canceled, 20, Expect::Changed),
            New(K::Processing, 15, Expect::Stale),
            Again(1),
        ],
        // Nothing was captured: a failed attempt, not a refund.
        end: End {
            payment: "failed",
            order: "failed",
            disputed: false,
            lost: false,
            refunded: Refunded::Nothing,
        },
    },
    Script {
        name: "paid by invoice, then the intent's own event",
        steps: &[
            New(K::Invoice, 10, Expect::Changed),
            New(K::Succeeded, 20, Expect::Changed),
            Again(0),
        ],
        end: End {
            payment: "completed",
            order: "paid",
            disputed: false,
            lost: false,
            refunded: Refunded::Nothing,
        },
    },
    Script {
        name: "partly then fully refunded; the partial refund late",
        steps: &[
            New(K::Succeeded, 10, Expect::Changed),
            New(K::Refund { half: true }, 20, Expect::Changed),
            New(K::Refund { half: false }, 40, Expect::Changed),
            Again(1),
            // Another partial-refund event created before the full one:
            // refunds are cumulative, so it changes nothing.
            New(K::Refund { half: true }, 30, Expect::Unchanged),
        ],
        end: End {
            payment: "cancelled",
            order: "refunded",
            disputed: false,
            lost: false,
            refunded: Refunded::All,
        },
    },
    Script {
        name: "declined; a late requires_action",
        steps: &[
            New(K::Processing, 10, Expect::Changed),
            New(K::Failed, 20, Expect::Changed),
            New(K::RequiresAction, 15, Expect::Stale),
            Again(1),
        ],
        end: End {
            payment: "failed",
            order: "failed",
            disputed: false,
            lost: false,
            refunded: Refunded::Nothing,
        },
    },
    Script {
        name: "still waiting for the customer",
        steps: &[
            New(K::Processing, 10, Expect::Changed),
            New(K::RequiresAction, 20, Expect::Changed),
            New(K::Processing, 30, Expect::Changed),
            Again(1),
        ],
        end: End {
            payment: "pending",
            order: "pending",
            disputed: false,
            lost: false,
            refunded: Refunded::Nothing,
        },
    },
    Script {
        name: "captured, dispute won",
        steps: &[
            New(K::Succeeded, 10, Expect::Changed),
            New(K::DisputeCreated, 20, Expect::Changed),
            New(K::DisputeClosed { lost: false }, 30, Expect::Changed),
            Again(1),
        ],
        end: End {
            payment: "completed",
            order: "paid",
            disputed: false,
            lost: false,
            refunded: Refunded::Nothing,
        },
    },
];

/// For orders whose one event every client sends at the same time.
const RACE: Script = Script {
    name: "captured, delivered by every client at once",
    steps: &[New(K::Succeeded, 10, Expect::Changed)],
    end: End {
        payment: "completed",
        order: "paid",
        disputed: false,
        lost: false,
        refunded: Refunded::Nothing,
    },
};

/// A Stripe payment the events are about.
struct Pay {
    number: String,
    intent: String,
    charge: String,
    minor: i64,
    currency: String,
}

fn stripe_body(id: &str, kind: Kind, created: i64, p: &Pay) -> Vec<u8> {
    let currency = p.currency.to_ascii_lowercase();
    let intent = |status: &str, extra: Value| {
        let mut object = json!({
            "id": p.intent, "object": "payment_intent", "amount": p.minor,
            "currency": currency, "status": status, "livemode": false,
            "metadata": {"order_id": p.number},
        });
        for (k, v) in extra.as_object().unwrap() {
            object[k] = v.clone();
        }
        object
    };
    let dispute = |status: &str| {
        json!({
            "id": format!("dp_{}", p.number), "object": "dispute", "charge": p.charge,
            "payment_intent": p.intent, "amount": p.minor, "currency": currency,
            "reason": "fraudulent", "status": status,
        })
    };
    let (event_type, object) = match kind {
        K::Succeeded => (
            "payment_intent.succeeded",
            intent(
                "succeeded",
                json!({"amount_received": p.minor, "latest_charge": p.charge}),
            ),
        ),
        K::Failed => (
            "payment_intent.payment_failed",
            intent(
                "requires_payment_method",
                json!({"amount_received": 0, "last_payment_error": {"code": "card_declined"}}),
            ),
        ),
        K::Processing => (
            "payment_intent.processing",
            intent("processing", json!({"amount_received": 0})),
        ),
        K::RequiresAction => (
            "payment_intent.requires_action",
            intent("requires_action", json!({"amount_received": 0})),
        ),
        K::Canceled => (
            "payment_intent.canceled",
            intent(
                "canceled",
                json!({"amount_received": 0, "cancellation_reason": "abandoned"}),
            ),
        ),
        K::Refund { half } => (
            "charge.refunded",
            json!({
                "id": p.charge, "object": "charge", "payment_intent": p.intent,
                "amount": p.minor, "amount_captured": p.minor,
                "amount_refunded": if half { p.minor / 2 } else { p.minor },
                "refunded": !half, "currency": currency, "status": "succeeded",
                "metadata": {"order_id": p.number},
            }),
        ),
        K::DisputeCreated => ("charge.dispute.created", dispute("needs_response")),
        K::DisputeClosed { lost } => (
            "charge.dispute.closed",
            dispute(if lost { "lost" } else { "won" }),
        ),
        K::Invoice => (
            "invoice.payment_succeeded",
            json!({
                "id": format!("in_{}", p.number), "object": "invoice",
                "payment_intent": p.intent, "charge": p.charge, "amount_due": p.minor,
                "amount_paid": p.minor, "currency": currency, "status": "paid",
            }),
        ),
    };
    event(id, event_type, created, object)
}

fn event(id: &str, event_type: &str, created: i64, object: Value) -> Vec<u8> {
    json!({
        "id": id, "object": "event", "api_version": "2024-06-20", "created": created,
        "livemode": false, "pending_webhooks": 1, "type": event_type,
        "request": {"id": null, "idempotency_key": null},
        "data": {"object": object},
    })
    .to_string()
    .into_bytes()
}

/// One distinct event.
struct Event {
    id: String,
    body: Vec<u8>,
    /// What its first delivery must do.
    first: Expect,
}

/// One delivery a client makes.
#[derive(Debug, Clone, Copy)]
struct Send {
    event: usize,
    expect: Expect,
}

struct WebOrder {
    number: String,
    script: &'static Script,
    minor: i64,
    /// The events of its steps, in step order.
    events: Vec<usize>,
}

/// The shop and everything that will be sent to it.
struct Plan {
    demo_orders: usize,
    events: Vec<Event>,
    /// Each client's deliveries, in order.
    clients: Vec<Vec<Send>>,
    web: Vec<WebOrder>,
    /// Orders `tally order cancel` cancels, and whether a refund is then owed.
    cancel: Vec<(String, bool)>,
    /// Orders `tally order validate` validates.
    validate: Vec<String>,
    /// Paid orders whose order side the test breaks with SQL during the
    /// run (payment status failed): `check --fix` sets them paid again.
    broken: Vec<String>,
}

impl Plan {
    fn sends(&self) -> usize {
        self.clients.iter().map(Vec::len).sum()
    }
}

/// A demo order and its payment, as chosen from.
struct ShopRow {
    id: i64,
    number: String,
    status: String,
    provider: String,
    /// The payment's status.
    payment: String,
    minor: i64,
    currency: String,
}

/// Builds a demo shop in `db` big enough for about `target` deliveries (and
/// `with_cli` orders for the bulk commands), puts the chosen orders in their
/// starting state, and prepares every event.
fn prepare(db: &Path, target: usize, with_cli: bool, tag: &str) -> Plan {
    let steps: usize = SCRIPTS.iter().map(|s| s.steps.len()).sum();
    // Orders whose one event all the clients send: about 4% of the deliveries.
    let race_count = (target / 200).max(2);
    // Per client: the raced events, an orphan and an ignored event sent twice each.
    let extra = race_count + 4;
    let web_count = (target.saturating_sub(CLIENTS * extra) * SCRIPTS.len())
        .div_ceil(steps)
        .max(SCRIPTS.len());
    let cli_count = if with_cli { (web_count / 3).max(16) } else { 0 };
    let demo_orders = ((web_count + race_count) * 9 / 4 + cli_count * 5 + 60).max(300);
    let run = tally(
        db,
        &["demo", "--orders", &demo_orders.to_string(), "--seed", "42"],
    );
    assert_eq!(run.code, 0, "{}", run.text());

    let special = special_numbers();
    let mut conn = read_write(db);
    let rows: Vec<ShopRow> = conn
        .prepare(
            "SELECT o.id, o.number, o.status, p.provider, p.status, p.amount_minor, p.currency
             FROM orders o JOIN payments p ON p.order_id = o.id ORDER BY o.id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok(ShopRow {
                id: r.get(0)?,
                number: r.get(1)?,
                status: r.get(2)?,
                provider: r.get(3)?,
                payment: r.get(4)?,
                minor: r.get(5)?,
                currency: r.get(6)?,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .filter(|row| !special.contains(row.number.as_str()) && row.status != "cancelled")
        .collect();
    let stripe: Vec<_> = rows.iter().filter(|r| r.provider == "stripe").collect();
    let others: Vec<_> = rows.iter().filter(|r| r.provider != "stripe").collect();
    assert!(
        stripe.len() >= web_count + race_count && others.len() >= 2 * cli_count,
        "the demo of {demo_orders} orders is too small: {} Stripe orders for {web_count} + {race_count}, {} others for {}",
        stripe.len(),
        others.len(),
        2 * cli_count
    );
    let broken: Vec<String> = stripe[web_count + race_count..]
        .iter()
        .chain(&others[2 * cli_count..])
        .filter(|r| r.payment == "completed")
        .take(cli_count)
        .map(|r| r.number.clone())
        .collect();
    assert_eq!(broken.len(), cli_count, "the demo is too small");

    // Payments awaiting the provider: pending, nothing captured, created an
    // hour ago (recent: a pending one is not stale_pending).
    let recent = tally::domain::format_ts(chrono::Utc::now() - chrono::Duration::hours(1));
    let tx = conn.transaction().unwrap();
    let reset = |tx: &Connection, order_id: i64| {
        tx.execute(
            "UPDATE orders SET status = 'pending', payment_status = 'pending', paid_at = NULL,
                    cancelled_at = NULL, created_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![order_id, recent],
        )
        .unwrap();
        tx.execute(
            "UPDATE payments SET status = 'pending', status_source = 'owner',
                    provider_status = NULL, completed_at = NULL, captured_minor = NULL,
                    captured_currency = NULL, charge_id = NULL, refunded_minor = 0,
                    refund_pending = 0, disputed = 0, created_at = ?2, updated_at = ?2,
                    refunds_pending_minor = 0, refunds_failed_minor = 0, disputed_minor = 0,
                    lost_minor = 0, owed_minor = 0
             WHERE order_id = ?1",
            params![order_id, recent],
        )
        .unwrap();
        // A payment not yet paid has no money in its ledger.
        tx.execute(
            "DELETE FROM movements WHERE payment_id IN
                 (SELECT id FROM payments WHERE order_id = ?1)",
            params![order_id],
        )
        .unwrap();
    };
    let mut web = Vec::new();
    let mut pays = Vec::new();
    for (i, row) in stripe.iter().take(web_count + race_count).enumerate() {
        reset(&tx, row.id);
        let n = row.number.trim_start_matches("TEST");
        pays.push(Pay {
            number: row.number.clone(),
            intent: format!("pi_3demo{n:0>10}"),
            charge: format!("ch_3demo{n:0>10}"),
            minor: row.minor,
            currency: row.currency.clone(),
        });
        web.push(WebOrder {
            number: row.number.clone(),
            script: if i < web_count {
                &SCRIPTS[i % SCRIPTS.len()]
            } else {
                &RACE
            },
            minor: row.minor,
            events: Vec::new(),
        });
    }
    let mut cancel = Vec::new();
    let mut validate = Vec::new();
    for pair in others.chunks(2).take(cli_count) {
        cancel.push((pair[0].number.clone(), pair[0].payment == "completed"));
        reset(&tx, pair[1].id);
        validate.push(pair[1].number.clone());
    }
    tx.commit().unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    drop(conn);
    // The intents are where the demo put them.
    let conn = read_only(db);
    for p in &pays {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM payments WHERE provider = 'stripe' AND reference = ?1",
                [&p.intent],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1, "no payment holds {}", p.intent);
    }
    drop(conn);

    // The events: created an hour ago and after, in each script's order.
    let base = unix_now() - 3600;
    let mut events = Vec::new();
    let mut per_client: Vec<Vec<Vec<Send>>> = vec![Vec::new(); CLIENTS];
    let mut raced = Vec::new();
    for (i, (order, pay)) in web.iter_mut().zip(&pays).enumerate() {
        let script = order.script;
        let mut sends = Vec::new();
        for (k, step) in script.steps.iter().enumerate() {
            match *step {
                New(kind, t, expect) => {
                    let id = format!("evt_{tag}_{}_{k}", order.number);
                    events.push(Event {
                        body: stripe_body(&id, kind, base + t, pay),
                        id,
                        first: expect,
                    });
                    order.events.push(events.len() - 1);
                    sends.push(Send {
                        event: events.len() - 1,
                        expect,
                    });
                }
                Again(of) => {
                    let event = order.events[of];
                    order.events.push(event);
                    sends.push(Send {
                        event,
                        expect: Expect::Duplicate,
                    });
                }
            }
        }
        if i < web_count {
            per_client[i % CLIENTS].push(sends);
        } else {
            raced.extend(sends.iter().map(|s| Send {
                event: s.event,
                expect: Expect::Raced,
            }));
        }
    }
    let mut clients = Vec::new();
    for (c, orders) in per_client.into_iter().enumerate() {
        // The client's orders, interleaved step by step.
        let rounds = orders.iter().map(Vec::len).max().unwrap_or(0);
        let mut list: Vec<Send> = (0..rounds)
            .flat_map(|r| orders.iter().filter_map(move |o| o.get(r).copied()))
            .collect();
        // Every client starts with the raced events, in the same order.
        list.splice(0..0, raced.iter().copied());
        let orphan = format!("evt_{tag}_orphan_{c}");
        events.push(Event {
            body: event(
                &orphan,
                "payment_intent.succeeded",
                base,
                json!({
                    "id": format!("pi_{tag}_orphan_{c}"), "object": "payment_intent",
                    "amount": 1234, "amount_received": 1234, "currency": "eur",
                    "status": "succeeded", "latest_charge": format!("ch_{tag}_orphan_{c}"),
                    "metadata": {},
                }),
            ),
            id: orphan,
            first: Expect::Orphan,
        });
        let orphan = events.len() - 1;
        let ignored = format!("evt_{tag}_ignored_{c}");
        events.push(Event {
            body: event(
                &ignored,
                "customer.created",
                base,
                json!({"id": format!("cus_{tag}_{c}"), "object": "customer"}),
            ),
            id: ignored,
            first: Expect::Ignored,
        });
        let ignored = events.len() - 1;
        list.insert(
            0,
            Send {
                event: orphan,
                expect: Expect::Orphan,
            },
        );
        list.insert(
            list.len() / 2,
            Send {
                event: orphan,
                expect: Expect::Duplicate,
            },
        );
        list.push(Send {
            event: ignored,
            expect: Expect::Ignored,
        });
        list.push(Send {
            event: ignored,
            expect: Expect::Duplicate,
        });
        clients.push(list);
    }
    Plan {
        demo_orders,
        events,
        clients,
        web,
        cancel,
        validate,
        broken,
    }
}

// ---------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------

/// The answer to one delivery, once it got a 2xx.
#[derive(Debug, Clone)]
struct Record {
    event: usize,
    expect: Expect,
    result: String,
    detail: String,
    /// Of the attempt that got the 2xx.
    latency: Duration,
    /// Attempts before it that got no 2xx.
    failed_attempts: u32,
}

/// What all the clients saw.
#[derive(Default)]
struct Sent {
    records: Vec<Record>,
    /// Attempts answered with a status other than 2xx: (status, body).
    refused: Vec<(u16, String)>,
    /// Attempts that got no answer (connection refused or reset).
    transport_errors: usize,
}

/// What the clients share.
struct Traffic<'a> {
    plan: &'a Plan,
    /// The listener's address (a restarted listener binds it again).
    addr: String,
    /// Deliveries answered 2xx so far.
    delivered: AtomicUsize,
    /// When false, any delivery without a 2xx fails the test at once.
    resend: bool,
    deadline: Instant,
    /// Set when a thread of the run panicked: the others stop waiting.
    failed: AtomicBool,
}

impl Traffic<'_> {
    fn new(plan: &Plan, addr: String, resend: bool) -> Traffic<'_> {
        Traffic {
            plan,
            addr,
            delivered: AtomicUsize::new(0),
            resend,
            deadline: phase_deadline(plan.sends()),
            failed: AtomicBool::new(false),
        }
    }

    /// Whether to give up waiting: a thread failed (its panic is what the
    /// test reports), or the deadline passed.
    fn give_up(&self) -> bool {
        assert!(Instant::now() < self.deadline, "the run stalled");
        self.failed.load(Ordering::SeqCst)
    }
}

/// Held by each thread of a run: counts it out when it ends, and flags the
/// run as failed when it ends in a panic.
struct Exit<'a> {
    running: Option<&'a AtomicUsize>,
    failed: &'a AtomicBool,
}

impl Drop for Exit<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            self.failed.store(true, Ordering::SeqCst);
        }
        if let Some(running) = self.running {
            running.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Sends one client's deliveries in order; with `resend`, each until it
/// gets a 2xx.
fn client(t: &Traffic<'_>, sends: &[Send], running: Option<&AtomicUsize>) -> Sent {
    let _exit = Exit {
        running,
        failed: &t.failed,
    };
    let mut sent = Sent::default();
    for send in sends {
        let event = &t.plan.events[send.event];
        let mut failed_attempts = 0;
        loop {
            assert!(
                Instant::now() < t.deadline && !t.failed.load(Ordering::SeqCst),
                "{} never got a 2xx ({failed_attempts} attempts)",
                event.id
            );
            let started = Instant::now();
            match post(&t.addr, &event.body) {
                Ok((status, body)) if (200..300).contains(&status) => {
                    let answer: Value = serde_json::from_str(&body)
                        .unwrap_or_else(|e| panic!("{} answered {body:?}: {e}", event.id));
                    sent.records.push(Record {
                        event: send.event,
                        expect: send.expect,
                        result: answer["result"].as_str().unwrap_or_default().to_owned(),
                        detail: answer["detail"].as_str().unwrap_or_default().to_owned(),
                        latency: started.elapsed(),
                        failed_attempts,
                    });
                    t.delivered.fetch_add(1, Ordering::SeqCst);
                    break;
                }
                Ok((status, body)) => {
                    assert!(t.resend, "{} answered {status}: {body}", event.id);
                    sent.refused.push((status, body));
                }
                Err(e) => {
                    assert!(t.resend, "{}: {e}", event.id);
                    sent.transport_errors += 1;
                }
            }
            failed_attempts += 1;
            thread::sleep(Duration::from_millis(
                5 * u64::from(failed_attempts.min(20)),
            ));
        }
    }
    sent
}

fn merge(all: Vec<Sent>) -> Sent {
    let mut out = Sent::default();
    for s in all {
        out.records.extend(s.records);
        out.refused.extend(s.refused);
        out.transport_errors += s.transport_errors;
    }
    out
}

/// (p50, p99) in milliseconds.
fn percentiles(records: &[Record]) -> (f64, f64) {
    let mut ms: Vec<f64> = records
        .iter()
        .map(|r| r.latency.as_secs_f64() * 1000.0)
        .collect();
    ms.sort_by(f64::total_cmp);
    let pick = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    (pick(0.5), pick(0.99))
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

/// Every answer is the one its step calls for (a run without lost answers).
fn check_answers(plan: &Plan, records: &[Record]) {
    let mut raced: HashMap<usize, usize> = HashMap::new();
    for r in records {
        let id = &plan.events[r.event].id;
        if r.expect == Expect::Raced {
            assert!(
                matches!(r.result.as_str(), "applied" | "duplicate"),
                "{id}: {} ({})",
                r.result,
                r.detail
            );
            *raced.entry(r.event).or_default() += usize::from(r.result == "applied");
            continue;
        }
        assert_eq!(
            r.result,
            r.expect.result(),
            "{id}: expected {:?}, answered {} ({})",
            r.expect,
            r.result,
            r.detail
        );
        if r.result == "applied" {
            assert_eq!(
                r.detail.contains("nothing to record"),
                r.expect == Expect::Unchanged,
                "{id}: expected {:?}, answered {:?}",
                r.expect,
                r.detail
            );
        }
    }
    assert!(!raced.is_empty());
    for (event, applied) in raced {
        assert_eq!(
            applied, 1,
            "{}: applied by {applied} clients",
            plan.events[event].id
        );
    }
}

/// Every event was processed exactly once and applied as planned; every
/// webhook order ended as its script says. With `records_exact`, the
/// webhook log holds exactly the answers the clients got, in order.
fn check_events(db: &Path, plan: &Plan, records: &[Record], records_exact: bool) {
    let conn = read_only(db);
    // One provider_events row per event id, in the state of its first delivery.
    let states: HashMap<String, String> = dump(
        &conn,
        "SELECT event_id, state FROM provider_events WHERE provider = 'stripe'",
    )
    .into_iter()
    .map(|r| (r[0].clone(), r[1].clone()))
    .collect();
    assert_eq!(states.len(), plan.events.len(), "provider_events rows");
    for e in &plan.events {
        assert_eq!(
            states.get(&e.id).map(String::as_str),
            Some(e.first.result()),
            "{}",
            e.id
        );
    }
    // One audit row per event that changed something, none for the others.
    let audits: HashMap<String, usize> = dump(
        &conn,
        "SELECT actor, count(*) FROM audit_log WHERE actor LIKE 'webhook:%' GROUP BY actor",
    )
    .into_iter()
    .map(|r| (r[0].clone(), r[1].parse().unwrap()))
    .collect();
    let mut changed = 0;
    for e in &plan.events {
        let want = usize::from(e.first == Expect::Changed);
        changed += want;
        let got = audits.get(&format!("webhook:stripe:{}", e.id)).copied();
        assert_eq!(got.unwrap_or(0), want, "audit rows of {}", e.id);
    }
    assert_eq!(
        audits.values().sum::<usize>(),
        changed,
        "audit rows of webhooks"
    );
    // The webhook log: every request answered 200, each event processed
    // (not a duplicate) exactly once.
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM webhook_log WHERE http_status <> 200"
        ),
        0,
        "{:?}",
        dump(
            &conn,
            "SELECT event_id, result, http_status, error FROM webhook_log WHERE http_status <> 200 LIMIT 5"
        )
    );
    let mut logged: HashMap<String, Vec<String>> = HashMap::new();
    for row in dump(
        &conn,
        "SELECT event_id, result FROM webhook_log ORDER BY id",
    ) {
        logged
            .entry(row[0].clone())
            .or_default()
            .push(row[1].clone());
    }
    for e in &plan.events {
        let results = &logged[&e.id];
        let processed: Vec<_> = results.iter().filter(|r| *r != "duplicate").collect();
        assert_eq!(processed, [e.first.result()], "{}: {results:?}", e.id);
    }
    if records_exact {
        let total: usize = logged.values().map(Vec::len).sum();
        assert_eq!(total, records.len(), "webhook_log rows");
        let mut answered: HashMap<&str, Vec<&str>> = HashMap::new();
        for r in records {
            answered
                .entry(&plan.events[r.event].id)
                .or_default()
                .push(&r.result);
        }
        for e in &plan.events {
            // Sorted: the clients that raced each other were answered in
            // any order.
            let mut logged = logged[&e.id].clone();
            logged.sort();
            let mut answered = answered[e.id.as_str()].clone();
            answered.sort();
            assert_eq!(logged, answered, "{}", e.id);
        }
    } else {
        assert!(logged.values().map(Vec::len).sum::<usize>() >= plan.sends());
    }
    // Each order ends as its script says, its audit trail in step order.
    for order in &plan.web {
        let script = order.script;
        type Row = (String, String, bool, bool, i64, bool);
        let (ops, ps, disputed, refund_pending, refunded, lost): Row = conn
            .query_row(
                "SELECT o.payment_status, p.status, p.disputed, p.refund_pending, p.refunded_minor,
                        p.lost_minor > 0
                 FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.number = ?1",
                [&order.number],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .unwrap();
        let end = End {
            payment: if ps == script.end.payment {
                script.end.payment
            } else {
                "?"
            },
            order: if ops == script.end.order {
                script.end.order
            } else {
                "?"
            },
            disputed,
            lost,
            refunded: match refunded {
                0 => Refunded::Nothing,
                r if r == order.minor => Refunded::All,
                r if r == order.minor / 2 => Refunded::Half,
                _ => panic!("{}: refunded {refunded} of {}", order.number, order.minor),
            },
        };
        assert_eq!(
            end, script.end,
            "{} ({}): order {ops}, payment {ps}",
            order.number, script.name
        );
        assert!(!refund_pending, "{}", order.number);
        let actors: Vec<String> = conn
            .prepare("SELECT actor FROM audit_log WHERE order_number = ?1 ORDER BY id")
            .unwrap()
            .query_map([&order.number], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut want = Vec::new();
        let mut seen = HashSet::new();
        for &e in &order.events {
            if seen.insert(e) && plan.events[e].first == Expect::Changed {
                want.push(format!("webhook:stripe:{}", plan.events[e].id));
            }
        }
        assert_eq!(actors, want, "{} ({})", order.number, script.name);
    }
}

/// Each order's audit rows chain up (each row's "new" side is the next
/// one's "old" side) and end at the order's current statuses: no change
/// without its audit row.
fn check_audit_chains(db: &Path) {
    let conn = read_only(db);
    let rows = dump(
        &conn,
        "SELECT a.order_number, a.old_order_status, a.old_order_payment_status,
                a.old_payment_status, a.new_order_status, a.new_order_payment_status,
                a.new_payment_status, o.status, o.payment_status, p.status
         FROM audit_log a JOIN orders o ON o.number = a.order_number
         LEFT JOIN payments p ON p.order_id = o.id ORDER BY a.order_number, a.id",
    );
    for (i, row) in rows.iter().enumerate() {
        let last = rows.get(i + 1).is_none_or(|next| next[0] != row[0]);
        let next: &[String] = if last {
            &row[7..10]
        } else {
            &rows[i + 1][1..4]
        };
        assert_eq!(&row[4..7], next, "audit trail of {} breaks", row[0]);
    }
}

/// What a run leaves, without what depends on the clock or on how the
/// clients interleaved: the order and payment columns, the events' states,
/// each order's audit trail (in order, without times), the orphans.
fn final_state(db: &Path) -> Vec<String> {
    let conn = read_only(db);
    let mut out = Vec::new();
    for (table, sql) in [
        (
            "order",
            "SELECT number, status, payment_status, paid_at IS NOT NULL, cancelled_at IS NOT NULL,
                    total_minor FROM orders ORDER BY number",
        ),
        (
            "payment",
            "SELECT o.number, p.provider, p.reference, p.status, p.status_source,
                    p.provider_status, p.captured_minor, p.captured_currency, p.charge_id,
                    p.refunded_minor, p.refund_pending, p.disputed, p.completed_at IS NOT NULL
             FROM payments p JOIN orders o ON o.id = p.order_id ORDER BY o.number",
        ),
        (
            "event",
            "SELECT provider, event_id, event_type, state, payment_id, order_number,
                    event_created_at, error FROM provider_events ORDER BY provider, event_id",
        ),
        (
            "audit",
            "SELECT order_number, event, actor, old_order_status, new_order_status,
                    old_order_payment_status, new_order_payment_status, old_payment_status,
                    new_payment_status, details FROM audit_log ORDER BY order_number, id",
        ),
        (
            "orphan",
            "SELECT provider, reference, amount_minor, currency, event_id, event_type,
                    order_number, state, note FROM orphans ORDER BY event_id",
        ),
    ] {
        for row in dump(&conn, sql) {
            out.push(format!("{table}: {}", row.join(" | ")));
        }
    }
    out
}

fn assert_same_state(expected: &[String], got: &[String]) {
    let differences: Vec<String> = expected
        .iter()
        .zip(got)
        .filter(|(a, b)| a != b)
        .take(10)
        .map(|(a, b)| format!("  without crashes: {a}\n  with crashes:    {b}"))
        .collect();
    assert!(
        differences.is_empty() && expected.len() == got.len(),
        "the final states differ ({} and {} rows):\n{}",
        expected.len(),
        got.len(),
        differences.join("\n")
    );
}

// ---------------------------------------------------------------------------
// 1. The soak
// ---------------------------------------------------------------------------

/// Runs the soak with about `target` deliveries; prints and returns its
/// figures.
fn soak(target: usize) {
    let dir = workdir("soak");
    let db = dir.path().join("shop.db");
    let started = Instant::now();
    let plan = prepare(&db, target, true, "soak");
    let before = rows_by_number(&db);
    let prepared = started.elapsed();

    let listener = Listener::start(&db);
    let traffic = Traffic::new(&plan, listener.addr.clone(), false);
    let total = plan.sends();
    let clients_done = AtomicBool::new(false);
    // The clients, the two bulk commands and the SQL breaker.
    let running = AtomicUsize::new(CLIENTS + 3);
    // Waits until chunk i of n is due: chunks are spread over the run.
    let pace = |i: usize, n: usize| {
        let due = total * (i + 1) / (n + 2);
        while traffic.delivered.load(Ordering::SeqCst) < due
            && !clients_done.load(Ordering::SeqCst)
            && !traffic.give_up()
        {
            thread::sleep(Duration::from_millis(2));
        }
    };
    let exit = || Exit {
        running: Some(&running),
        failed: &traffic.failed,
    };
    // The bulk commands, a process per chunk.
    let bulk = |verb: &str, numbers: Vec<String>| -> Vec<Run> {
        let _exit = exit();
        let chunks: Vec<&[String]> = numbers.chunks(4).collect();
        let mut runs = Vec::new();
        for (i, chunk) in chunks.iter().enumerate() {
            pace(i, chunks.len());
            let mut args = vec!["--actor", CLI_ACTOR, "order", verb];
            args.extend(chunk.iter().map(String::as_str));
            runs.push(tally(&db, &args));
        }
        runs
    };
    // New status mismatches for the fix loops to fix while the rest runs.
    let breaker = || {
        let _exit = exit();
        let mut conn = read_write(&db);
        let chunks: Vec<&[String]> = plan.broken.chunks(3).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            pace(i, chunks.len());
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .unwrap();
            for number in *chunk {
                let changed = tx
                    .execute(
                        "UPDATE orders SET payment_status = 'failed' WHERE number = ?1",
                        [number],
                    )
                    .unwrap();
                assert_eq!(changed, 1);
            }
            tx.commit().unwrap();
        }
    };
    // `check --fix` in a loop, until two runs after everything else is done.
    let fix_loop = || {
        let _exit = Exit {
            running: None,
            failed: &traffic.failed,
        };
        let mut runs = Vec::new();
        let mut after = 0;
        while after < 2 && runs.len() < 2000 && !traffic.give_up() {
            if running.load(Ordering::SeqCst) == 0 {
                after += 1;
            }
            runs.push(tally(&db, &["--actor", FIX_ACTOR, "check", "--fix"]));
        }
        runs
    };
    let phase = Instant::now();
    let (sent, fix_runs, cancel_runs, validate_runs) = thread::scope(|s| {
        let clients: Vec<_> = plan
            .clients
            .iter()
            .map(|sends| s.spawn(|| client(&traffic, sends, Some(&running))))
            .collect();
        // Two fix loops: cron runs that overlap.
        let fixers = [s.spawn(fix_loop), s.spawn(fix_loop)];
        let cancel = s.spawn(|| bulk("cancel", plan.cancel.iter().map(|c| c.0.clone()).collect()));
        let validate = s.spawn(|| bulk("validate", plan.validate.clone()));
        s.spawn(breaker);
        let sent = merge(clients.into_iter().map(|h| h.join().unwrap()).collect());
        clients_done.store(true, Ordering::SeqCst);
        let elapsed = phase.elapsed();
        (
            (sent, elapsed),
            fixers
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
            cancel.join().unwrap(),
            validate.join().unwrap(),
        )
    });
    let (sent, elapsed) = sent;
    let log = listener.stop();

    // Nothing failed, nothing was busy.
    assert!(sent.refused.is_empty() && sent.transport_errors == 0);
    assert_eq!(sent.records.len(), total);
    assert!(!mentions_lock(&log), "the listener's log:\n{log}");
    let requests: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" POST /webhooks/"))
        .collect();
    assert_eq!(requests.len(), total);
    assert!(
        requests
            .iter()
            .all(|l| l.contains(" POST /webhooks/stripe 200 ")),
        "{log}"
    );
    for run in fix_runs.iter().chain(&cancel_runs).chain(&validate_runs) {
        assert!(!mentions_lock(&run.text()), "{}", run.text());
    }
    for run in &fix_runs {
        // 1: findings remain (the scenario creates some).
        assert_eq!(run.code, 1, "check --fix: {}", run.text());
    }
    for (runs, verb) in [(&cancel_runs, "cancelled"), (&validate_runs, "validated")] {
        for run in runs {
            assert_eq!(run.code, 0, "{}", run.text());
            assert!(
                run.stdout.contains(&format!(" {verb}, 0 skipped")),
                "{}",
                run.text()
            );
        }
    }

    // Every event applied exactly once, as planned.
    check_answers(&plan, &sent.records);
    check_events(&db, &plan, &sent.records, true);
    check_audit_chains(&db);

    // The audit log: one row per change, by whoever made it, and none
    // for anything else.
    let conn = read_only(&db);
    let mut actors: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for row in dump(
        &conn,
        "SELECT order_number, event, actor FROM audit_log ORDER BY id",
    ) {
        actors
            .entry(row[0].clone())
            .or_default()
            .push((row[1].clone(), row[2].clone()));
    }
    let mut touched: HashSet<String> = HashSet::new();
    for order in &plan.web {
        touched.insert(order.number.clone());
    }
    for (number, _) in &plan.cancel {
        assert_eq!(
            actors.get(number),
            Some(&vec![(
                "order_and_payment_cancelled".to_owned(),
                CLI_ACTOR.to_owned()
            )]),
            "{number}"
        );
        touched.insert(number.clone());
    }
    for number in &plan.validate {
        assert_eq!(
            actors.get(number),
            Some(&vec![(
                "payment_validated".to_owned(),
                CLI_ACTOR.to_owned()
            )]),
            "{number}"
        );
        touched.insert(number.clone());
    }
    // Fixed once each, though two fix loops saw them.
    let fixed = demo_fixed_numbers().into_iter().map(str::to_owned);
    for number in fixed.chain(plan.broken.iter().cloned()) {
        assert_eq!(
            actors.get(&number),
            Some(&vec![(
                "status_synchronized".to_owned(),
                FIX_ACTOR.to_owned()
            )]),
            "{number}: fixed exactly once"
        );
        touched.insert(number);
    }
    for number in &plan.broken {
        assert_eq!(
            read_only(&db)
                .query_row(
                    "SELECT payment_status FROM orders WHERE number = ?1",
                    [number],
                    |r| r.get::<_, String>(0),
                )
                .unwrap(),
            "paid",
            "{number}"
        );
    }
    let strays: Vec<_> = actors.keys().filter(|n| !touched.contains(*n)).collect();
    assert!(
        strays.is_empty(),
        "audit rows for untouched orders: {strays:?}"
    );
    // Untouched orders are exactly as they were.
    let after = rows_by_number(&db);
    for (number, row) in &before {
        if !touched.contains(number) {
            assert_eq!(&after[number], row, "{number} changed");
        }
    }

    // `check` reports exactly what the scenario created: the demo's cases
    // `fix` leaves, the disputes left open, the refunds owed for cancelled
    // paid orders, the orphans.
    let mut expected = demo_findings_after_fix();
    for order in &plan.web {
        if order.script.end.disputed {
            expected.push(("disputed".to_owned(), Some(order.number.clone())));
        }
        if order.script.end.lost {
            expected.push(("dispute_lost".to_owned(), Some(order.number.clone())));
        }
    }
    for (number, owed) in &plan.cancel {
        if *owed {
            expected.push(("refund_awaiting_provider".to_owned(), Some(number.clone())));
        }
    }
    for _ in 0..CLIENTS {
        expected.push(("orphan_transaction".to_owned(), None));
    }
    expected.sort();
    assert_eq!(findings(&db), expected);
    assert_eq!(integrity(&db), "ok");

    let (p50, p99) = percentiles(&sent.records);
    let duplicates = sent
        .records
        .iter()
        .filter(|r| r.result == "duplicate")
        .count();
    let stale = sent
        .records
        .iter()
        .filter(|r| r.expect == Expect::Stale)
        .count();
    println!(
        "soak: demo of {} orders ({} webhook orders, {} of them raced; {} cancelled and {} \
         validated by the CLI; {} broken by SQL for check --fix), prepared in {:.1} s",
        plan.demo_orders,
        plan.web.len(),
        plan.web
            .iter()
            .filter(|o| o.script.name == RACE.name)
            .count(),
        plan.cancel.len(),
        plan.validate.len(),
        plan.broken.len(),
        prepared.as_secs_f64()
    );
    println!(
        "soak: {} deliveries ({} events, {duplicates} duplicates, {stale} stale) from {CLIENTS} \
         clients in {:.2} s = {:.0} deliveries/s, p50 {p50:.1} ms, p99 {p99:.1} ms; \
         {} check --fix runs (2 loops), {} cancel and {} validate processes meanwhile; \
         0 failed",
        sent.records.len(),
        plan.events.len(),
        elapsed.as_secs_f64(),
        sent.records.len() as f64 / elapsed.as_secs_f64(),
        fix_runs.len(),
        cancel_runs.len(),
        validate_runs.len(),
    );
}

#[test]
fn soak_webhooks_with_fix_and_bulk_commands_running() {
    let _one = one_at_a_time();
    soak(env_usize("TALLY_SOAK_EVENTS", 480));
}

#[test]
#[ignore = "benchmark: cargo test --release --test reliability -- --ignored --nocapture"]
fn soak_benchmark() {
    let _one = one_at_a_time();
    soak(env_usize("TALLY_SOAK_EVENTS", 20_000));
}

// ---------------------------------------------------------------------------
// 2. The listener killed under load
// ---------------------------------------------------------------------------

/// Sends every delivery of `plan` to a listener on `db`; with `kills`, kills
/// it with SIGKILL that many times at random moments (seeded by `seed`) and
/// restarts it, the clients re-sending what got no 2xx. Returns what the
/// clients saw, the kills made, and the time taken.
fn deliver(db: &Path, plan: &Plan, kills: usize, seed: u64) -> (Sent, usize, Duration) {
    let mut listener = Some(Listener::start(db));
    let traffic = Traffic::new(plan, listener.as_ref().unwrap().addr.clone(), kills > 0);
    let total = plan.sends();
    let mut rng = fastrand::Rng::with_seed(seed);
    // Kill i falls in the (2i+1)-th of 2k+2 equal slices of the run.
    let thresholds: Vec<usize> = (0..kills)
        .map(|i| {
            let lo = total * (2 * i + 1) / (2 * kills + 2);
            let hi = total * (2 * i + 2) / (2 * kills + 2);
            rng.usize(lo..hi.max(lo + 1))
        })
        .collect();
    let done = AtomicBool::new(false);
    let started = Instant::now();
    let (sent, made, logs) = thread::scope(|s| {
        let clients: Vec<_> = plan
            .clients
            .iter()
            .map(|sends| s.spawn(|| client(&traffic, sends, None)))
            .collect();
        let killer = s.spawn(|| {
            let _exit = Exit {
                running: None,
                failed: &traffic.failed,
            };
            let mut made = 0;
            let mut logs = Vec::new();
            for &at in &thresholds {
                while traffic.delivered.load(Ordering::SeqCst) < at
                    && !done.load(Ordering::SeqCst)
                    && !traffic.give_up()
                {
                    thread::sleep(Duration::from_millis(1));
                }
                if done.load(Ordering::SeqCst) || traffic.failed.load(Ordering::SeqCst) {
                    break;
                }
                thread::sleep(Duration::from_micros(rng.u64(0..5000)));
                // Killed mid-transaction more often than not; the restart
                // then finds the WAL as the dead process left it.
                let dead = listener.take().unwrap();
                let addr = dead.addr.clone();
                logs.push(dead.kill());
                // Restarted on the same port, as a supervisor does, though
                // the dead process's connections are barely closed.
                let restarted = Listener::start_on(db, &addr);
                assert_eq!(restarted.addr, addr);
                listener = Some(restarted);
                made += 1;
            }
            (made, logs)
        });
        let sent = merge(clients.into_iter().map(|h| h.join().unwrap()).collect());
        done.store(true, Ordering::SeqCst);
        let (made, logs) = killer.join().unwrap();
        (sent, made, logs)
    });
    let elapsed = started.elapsed();
    let log = listener.unwrap().stop();
    for log in logs.iter().chain([&log]) {
        assert!(!mentions_lock(log), "a listener's log:\n{log}");
    }
    (sent, made, elapsed)
}

fn crash_listener(target: usize, kills: usize) {
    let dir = workdir("crash");
    let calm = dir.path().join("calm.db");
    let crashed = dir.path().join("crashed.db");
    let plan = prepare(&calm, target, false, "crash");
    std::fs::copy(&calm, &crashed).unwrap();
    assert_eq!(
        rows_by_number(&calm),
        rows_by_number(&crashed),
        "the copies differ"
    );
    let seed = std::env::var("TALLY_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("crash: TALLY_CRASH_SEED={seed}");

    // The run without crashes: every answer as planned.
    let (calm_sent, _, calm_time) = deliver(&calm, &plan, 0, seed);
    check_answers(&plan, &calm_sent.records);
    check_events(&calm, &plan, &calm_sent.records, true);
    check_audit_chains(&calm);
    assert_eq!(integrity(&calm), "ok");

    // The same deliveries, with the listener killed `kills` times.
    let (sent, made, crash_time) = deliver(&crashed, &plan, kills, seed);
    assert_eq!(made, kills, "not every kill happened before the end");
    assert!(
        sent.refused.is_empty(),
        "answers other than 2xx: {:?}",
        &sent.refused[..sent.refused.len().min(5)]
    );
    assert_eq!(sent.records.len(), plan.sends());
    let resent = sent
        .records
        .iter()
        .filter(|r| r.failed_attempts > 0)
        .count();
    assert!(resent > 0, "no delivery was interrupted by the kills");
    // An answer lost to a kill after the commit: the re-sent event is a
    // duplicate, and nothing is applied twice (check_events).
    let lost_answers = sent
        .records
        .iter()
        .filter(|r| {
            r.failed_attempts > 0
                && r.result == "duplicate"
                && !matches!(r.expect, Expect::Duplicate | Expect::Raced)
        })
        .count();
    check_events(&crashed, &plan, &sent.records, false);
    check_audit_chains(&crashed);
    assert_eq!(integrity(&crashed), "ok");
    assert_same_state(&final_state(&calm), &final_state(&crashed));
    println!(
        "crash: {} deliveries ({} events) from {CLIENTS} clients; without crashes {:.2} s, \
         with {made} SIGKILLs {:.2} s; {resent} deliveries re-sent ({} attempts without an answer, \
         {lost_answers} applied before the kill and answered duplicate when re-sent); \
         final states equal; integrity_check ok",
        plan.sends(),
        plan.events.len(),
        calm_time.as_secs_f64(),
        crash_time.as_secs_f64(),
        sent.transport_errors,
    );
}

#[test]
fn listener_killed_under_load_loses_and_doubles_nothing() {
    let _one = one_at_a_time();
    crash_listener(
        env_usize("TALLY_CRASH_EVENTS", 360),
        env_usize("TALLY_CRASH_KILLS", 4),
    );
}

#[test]
#[ignore = "benchmark: cargo test --release --test reliability -- --ignored --nocapture"]
fn crash_benchmark() {
    let _one = one_at_a_time();
    crash_listener(
        env_usize("TALLY_CRASH_EVENTS", 5_000),
        env_usize("TALLY_CRASH_KILLS", 10),
    );
}

// ---------------------------------------------------------------------------
// 3. `tally fix` killed half-way
// ---------------------------------------------------------------------------

const FIXER: &str = "fixer";

fn fixer_rows(conn: &Connection) -> usize {
    count(conn, "SELECT count(*) FROM audit_log WHERE actor = 'fixer'")
}

/// Nothing is half-applied: every order outside `broken` is as it was;
/// every broken order is either untouched (still failed on the order side,
/// no audit row) or fixed (paid, its payment untouched, exactly one
/// `status_synchronized` row by the fixer). Returns (fixed, untouched).
fn check_fix_state(
    db: &Path,
    before: &BTreeMap<String, Vec<String>>,
    columns: &[String],
    broken: &HashSet<String>,
) -> (usize, usize) {
    let conn = read_only(db);
    let after = rows_by_number(db);
    let mut audit: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    for row in dump(
        &conn,
        "SELECT order_number, event, old_order_payment_status, new_order_payment_status,
                old_payment_status, new_payment_status
         FROM audit_log WHERE actor = 'fixer' ORDER BY id",
    ) {
        audit
            .entry(row[0].clone())
            .or_default()
            .push(row[1..].to_vec());
    }
    let col = |name: &str| columns.iter().position(|c| c == name).unwrap();
    let (payment_status, updated_at) = (col("payment_status"), col("updated_at"));
    let (mut fixed, mut untouched) = (0, 0);
    for (number, was) in before {
        let now = &after[number];
        if !broken.contains(number) {
            assert_eq!(
                now, was,
                "{number} is not one of the mismatches but changed"
            );
            assert!(!audit.contains_key(number), "{number}");
            continue;
        }
        match audit.get(number).map(Vec::as_slice) {
            None => {
                assert_eq!(now, was, "{number} changed without an audit row");
                untouched += 1;
            }
            Some([row]) => {
                assert_eq!(
                    row,
                    &[
                        "status_synchronized",
                        "failed",
                        "paid",
                        "completed",
                        "completed"
                    ],
                    "{number}"
                );
                for (i, (a, b)) in was.iter().zip(now).enumerate() {
                    match i {
                        i if i == payment_status => {
                            assert_eq!((a.as_str(), b.as_str()), ("failed", "paid"), "{number}")
                        }
                        i if i == updated_at => {}
                        _ => assert_eq!(a, b, "{number}: {} changed", columns[i]),
                    }
                }
                fixed += 1;
            }
            Some(rows) => panic!("{number} fixed {} times: {rows:?}", rows.len()),
        }
    }
    (fixed, untouched)
}

fn crash_fix(orders: usize, mismatches: usize) {
    let dir = workdir("fix");
    let db = dir.path().join("shop.db");
    let run = tally(
        &db,
        &["demo", "--orders", &orders.to_string(), "--seed", "7"],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    // The demo's own cases first, so that only ours remain to fix.
    let run = tally(&db, &["fix"]);
    assert_eq!(run.code, 1, "{}", run.text());

    // Orders marked failed whose payment is completed: `fix` sets them paid.
    let special = special_numbers();
    let conn = read_write(&db);
    let candidates: Vec<String> = conn
        .prepare(
            "SELECT o.number FROM orders o JOIN payments p ON p.order_id = o.id
             WHERE p.status = 'completed' AND o.payment_status = 'paid'
               AND o.status <> 'cancelled' AND o.paid_at IS NOT NULL ORDER BY o.id",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .filter(|n: &String| !special.contains(n.as_str()))
        .take(mismatches)
        .collect();
    assert_eq!(candidates.len(), mismatches, "the demo is too small");
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    for number in &candidates {
        conn.execute(
            "UPDATE orders SET payment_status = 'failed' WHERE number = ?1",
            [number],
        )
        .unwrap();
    }
    conn.execute_batch("COMMIT").unwrap();
    let columns: Vec<String> = {
        let stmt = conn
            .prepare("SELECT o.*, p.* FROM orders o LEFT JOIN payments p ON p.order_id = o.id")
            .unwrap();
        stmt.column_names().into_iter().map(str::to_owned).collect()
    };
    drop(conn);
    let broken: HashSet<String> = candidates.into_iter().collect();
    let before = rows_by_number(&db);
    let started = Instant::now();

    // Kill it twice: once right after its first batch commits, once half-way
    // through what is left.
    let conn = read_only(&db);
    let mut kills = 0;
    let mut fixed_before_rerun = 0;
    for round in 0..2 {
        let already = fixer_rows(&conn);
        let target = if round == 0 {
            already + 1
        } else {
            already + (mismatches - already) / 2
        };
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["--actor", FIXER, "fix"])
            .env_remove("TALLY_DB")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(300);
        let finished = loop {
            if child.try_wait().unwrap().is_some() {
                break true;
            }
            if fixer_rows(&conn) >= target {
                break false;
            }
            assert!(Instant::now() < deadline, "tally fix made no progress");
            thread::sleep(Duration::from_millis(1));
        };
        if finished {
            // Faster than the poll: nothing left to kill in this round.
            fixed_before_rerun = fixer_rows(&conn);
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        let (fixed, untouched) = check_fix_state(&db, &before, &columns, &broken);
        assert_eq!(fixed + untouched, mismatches);
        assert_eq!(fixed, fixer_rows(&conn));
        assert!(fixed >= target, "{fixed} fixed, {target} wanted");
        if round == 0 {
            assert!(untouched > 0, "the first kill came after the whole fix");
        }
        assert_eq!(integrity(&db), "ok");
        fixed_before_rerun = fixed;
    }
    assert!(kills > 0, "tally fix was never killed part-way");

    // A re-run completes the work; a third has nothing left to do.
    let run = tally(&db, &["--actor", FIXER, "fix", "--json"]);
    assert_eq!(run.code, 1, "demo findings remain: {}", run.text());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report["fixed"].as_array().unwrap().len(),
        mismatches - fixed_before_rerun,
        "the re-run fixes exactly what was left"
    );
    let (fixed, untouched) = check_fix_state(&db, &before, &columns, &broken);
    assert_eq!((fixed, untouched), (mismatches, 0));
    let run = tally(&db, &["--actor", FIXER, "fix", "--json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["fixed"], json!([]), "{}", run.text());
    assert_eq!(fixer_rows(&conn), mismatches);
    assert_eq!(findings(&db), {
        let mut f = demo_findings_after_fix();
        f.sort();
        f
    });
    assert_eq!(integrity(&db), "ok");
    println!(
        "fix: {mismatches} status mismatches in a demo of {orders} orders; killed {kills} times \
         ({fixed_before_rerun} fixed by then), re-run fixed the remaining {}; all in {:.1} s; \
         nothing half-applied, integrity_check ok",
        mismatches - fixed_before_rerun,
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn fix_killed_half_way_leaves_nothing_half_applied() {
    let _one = one_at_a_time();
    crash_fix(
        env_usize("TALLY_FIX_ORDERS", 4_000),
        env_usize("TALLY_FIX_MISMATCHES", 2_000),
    );
}

#[test]
#[ignore = "benchmark: cargo test --release --test reliability -- --ignored --nocapture"]
fn fix_benchmark() {
    let _one = one_at_a_time();
    crash_fix(
        env_usize("TALLY_FIX_ORDERS", 100_000),
        env_usize("TALLY_FIX_MISMATCHES", 50_000),
    );
}
