//! Schema 6 (the money ledger) migrates a shop made by the tally of schema 5
//! in place, and the shop's findings stay what they were but for the
//! differences listed here, each with its reason.
//!
//! The fixture, `fixtures/db/`: `v5-shop.db`, made by the last tally of
//! schema 5 (commit f0986a2) with `make-v5.sh` from `v5-shop.json` (import,
//! owner's cancels and resolutions, signed Stripe events through
//! `tally serve`, two of them orphans), and `v5-shop.check.json`, that
//! binary's `check --json` on it. Each test copies the file to a temporary
//! directory (the copy `v5.db` is only read; `shop.db` is migrated by this
//! binary's first `check --json`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{manifest, tally};
use serde_json::Value;
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// What changes, and why
// ---------------------------------------------------------------------------

/// A finding that appears (`old: None`), disappears (`new: None`) or changes
/// rule (both) when the shop is migrated.
struct Difference {
    order: Option<&'static str>,
    old: Option<&'static str>,
    new: Option<&'static str>,
    reason: &'static str,
}

/// Every difference between schema 5's report and the migrated shop's, by
/// (rule, order). Any other difference fails the test, and so does an entry
/// here that no longer happens.
const DIFFERENCES: &[Difference] = &[
    Difference {
        order: Some("MIG1004"),
        old: Some("disputed"),
        new: Some("dispute_lost"),
        reason: "a PayPal reversal (schema 5: a cancelled payment, disputed, no refund owed) \
                 becomes a `reversed` dispute: the money was taken back, which the ledger \
                 reports as money lost, no longer as an open chargeback",
    },
    Difference {
        order: Some("MIG1004"),
        old: None,
        new: Some("fulfilled_unpaid"),
        reason: "new rule: the order was shipped and the reversal took back the whole \
                 120.00 EUR it was paid with; schema 5 had no rule for goods sent unpaid",
    },
];

// ---------------------------------------------------------------------------
// The migrated shop
// ---------------------------------------------------------------------------

/// The fixture copied twice: `v5` as made by schema 5 (never opened by this
/// binary), `db` migrated by this binary's `check --json`.
struct Migrated {
    _dir: TempDir,
    v5: PathBuf,
    db: PathBuf,
    /// The first `check --json` on the migrated shop: its exit code and
    /// output.
    code: i32,
    report: String,
}

impl Migrated {
    fn new() -> Migrated {
        let dir = TempDir::new().unwrap();
        let fixture = manifest("fixtures/db/v5-shop.db");
        let v5 = dir.path().join("v5.db");
        let db = dir.path().join("shop.db");
        std::fs::copy(&fixture, &v5).unwrap();
        std::fs::copy(&fixture, &db).unwrap();
        assert_eq!(user_version(&db), 5, "the fixture is a schema-5 shop");
        let run = tally(&db, &["check", "--json"]);
        assert!(run.code == 0 || run.code == 1, "{}", run.text());
        Migrated {
            _dir: dir,
            v5,
            db,
            code: run.code,
            report: run.stdout,
        }
    }

    fn report(&self) -> Value {
        serde_json::from_str(&self.report).unwrap()
    }

    /// `order show NUMBER --json` on the migrated shop.
    fn show(&self, number: &str) -> Value {
        let run = tally(&self.db, &["order", "show", number, "--json"]);
        assert_eq!(run.code, 0, "{}", run.text());
        serde_json::from_str(&run.stdout).unwrap()
    }

    /// Rows of `sql` on `db`, each column as text (NULL as "NULL").
    fn rows(db: &PathBuf, sql: &str) -> Vec<Vec<String>> {
        let conn =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            Ok((0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Real(v) => v.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
                })
                .collect())
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }
}

fn user_version(db: &PathBuf) -> i64 {
    Migrated::rows(db, "PRAGMA user_version")[0][0]
        .parse()
        .unwrap()
}

/// The stored report of schema 5.
fn old_report() -> Value {
    let text = std::fs::read_to_string(manifest("fixtures/db/v5-shop.check.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

type Key = (String, Option<String>);

/// Findings by (rule, order), with how many and their fixable flags.
fn by_key(report: &Value) -> BTreeMap<Key, Vec<&Value>> {
    let mut out: BTreeMap<Key, Vec<&Value>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let key = (
            f["rule"].as_str().unwrap().to_owned(),
            f["order"].as_str().map(str::to_owned),
        );
        out.entry(key).or_default().push(f);
    }
    out
}

/// Takes one (rule, order) out of a multiset; false when it is not there.
fn take(set: &mut BTreeMap<Key, usize>, rule: &str, order: Option<&str>) -> bool {
    let k = (rule.to_owned(), order.map(str::to_owned));
    match set.get_mut(&k) {
        Some(n) if *n > 1 => {
            *n -= 1;
            true
        }
        Some(_) => {
            set.remove(&k);
            true
        }
        None => false,
    }
}

/// A decimal amount string ("60.00", "45000") as minor units.
fn minor(amount: &Value) -> i64 {
    amount.as_str().unwrap().replace('.', "").parse().unwrap()
}

// ---------------------------------------------------------------------------
// The findings
// ---------------------------------------------------------------------------

#[test]
fn the_migrated_shop_reports_what_schema_5_reported_but_the_listed_differences() {
    let m = Migrated::new();
    let (old, new) = (old_report(), m.report());
    assert_eq!(m.code, 1, "findings remain, as before");
    assert_eq!(old["orders_checked"], new["orders_checked"]);

    let (old_keys, new_keys) = (by_key(&old), by_key(&new));
    let count = |map: &BTreeMap<Key, Vec<&Value>>, k: &Key| map.get(k).map_or(0, Vec::len);
    // What disappeared and what appeared, as multisets.
    let mut gone: BTreeMap<Key, usize> = BTreeMap::new();
    let mut added: BTreeMap<Key, usize> = BTreeMap::new();
    for k in old_keys.keys().chain(new_keys.keys()) {
        let (o, n) = (count(&old_keys, k), count(&new_keys, k));
        if o > n {
            gone.insert(k.clone(), o - n);
        } else if n > o {
            added.insert(k.clone(), n - o);
        }
    }
    let mut unexplained_table = Vec::new();
    for d in DIFFERENCES {
        assert!(!d.reason.trim().is_empty());
        let old_ok = d.old.is_none_or(|r| take(&mut gone, r, d.order));
        let new_ok = d.new.is_none_or(|r| take(&mut added, r, d.order));
        if !(old_ok && new_ok) {
            unexplained_table.push(format!(
                "{:?}: {:?} -> {:?} is listed but did not happen",
                d.order, d.old, d.new
            ));
        }
    }
    let describe = |set: &BTreeMap<Key, usize>, map: &BTreeMap<Key, Vec<&Value>>| {
        set.keys()
            .map(|k| format!("{k:?}: {}", map[k][0]["detail"]))
            .collect::<Vec<_>>()
    };
    assert!(
        gone.is_empty() && added.is_empty() && unexplained_table.is_empty(),
        "findings that disappeared without a listed reason: {:#?}\n\
         findings that appeared without a listed reason: {:#?}\n\
         listed differences that did not happen: {unexplained_table:#?}\n\
         new report: {}",
        describe(&gone, &old_keys),
        describe(&added, &new_keys),
        m.report
    );

    // A finding that stays keeps its fixability.
    for (k, olds) in &old_keys {
        if let Some(news) = new_keys.get(k) {
            for (o, n) in olds.iter().zip(news) {
                assert_eq!(o["fixable"], n["fixable"], "{k:?}");
            }
        }
    }
    // What the owner resolved before stays resolved: a dispute won (MIG1016),
    // a refund made by hand (MIG1017), a reversal written off (MIG1018).
    for number in ["MIG1016", "MIG1017", "MIG1018"] {
        assert!(
            !new_keys.keys().any(|(_, o)| o.as_deref() == Some(number)),
            "{number} was resolved before the migration: {}",
            m.report
        );
    }
}

#[test]
fn the_schema_is_6_after_and_check_twice_says_the_same() {
    let m = Migrated::new();
    assert_eq!(user_version(&m.v5), 5);
    assert_eq!(user_version(&m.db), 7);
    let again = tally(&m.db, &["check", "--json"]);
    assert_eq!(again.code, m.code, "{}", again.text());
    assert_eq!(again.stdout, m.report);
    assert_eq!(user_version(&m.db), 7);
    // Nothing dangles: the rebuilt payments table kept every id.
    assert!(Migrated::rows(&m.db, "PRAGMA foreign_key_check").is_empty());
    assert_eq!(
        Migrated::rows(&m.db, "PRAGMA integrity_check"),
        vec![vec!["ok".to_owned()]]
    );
}

// ---------------------------------------------------------------------------
// The movements and the figures
// ---------------------------------------------------------------------------

/// One payment of the fixture: its figures in schema 5 (status, amount,
/// captured, refunded, refund owed, disputed, in minor units) and the
/// movements they must become (kind, state, amount as `order show` prints
/// it).
struct Case {
    order: &'static str,
    what: &'static str,
    old: (&'static str, i64, Option<i64>, i64, bool, bool),
    movements: &'static [(&'static str, Option<&'static str>, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        order: "MIG1001",
        what: "partial refund of a completed Stripe payment",
        old: ("completed", 10000, Some(10000), 3000, false, false),
        movements: &[
            ("captured", None, "100.00"),
            ("refund", Some("succeeded"), "30.00"),
        ],
    },
    Case {
        order: "MIG1002",
        what: "full refund (cancelled)",
        old: ("cancelled", 5990, Some(5990), 5990, false, false),
        movements: &[
            ("captured", None, "59.90"),
            ("refund", Some("succeeded"), "59.90"),
        ],
    },
    Case {
        order: "MIG1003",
        what: "open dispute on a completed Stripe payment",
        old: ("completed", 7500, Some(7500), 0, false, true),
        movements: &[
            ("captured", None, "75.00"),
            ("dispute", Some("open"), "75.00"),
        ],
    },
    Case {
        order: "MIG1004",
        what: "PayPal reversal (cancelled and disputed)",
        old: ("cancelled", 12000, Some(12000), 0, false, true),
        movements: &[
            ("captured", None, "120.00"),
            ("dispute", Some("reversed"), "120.00"),
        ],
    },
    Case {
        order: "MIG1005",
        what: "refund owed: the owner cancelled a completed Wave payment",
        old: ("cancelled", 45000, None, 0, true, false),
        movements: &[("captured", None, "45000"), ("owed", None, "45000")],
    },
    Case {
        order: "MIG1006",
        what: "refund owed after a partial refund: captured − refunded",
        old: ("cancelled", 8000, Some(8000), 2000, true, false),
        movements: &[
            ("captured", None, "80.00"),
            ("refund", Some("succeeded"), "20.00"),
            ("owed", None, "60.00"),
        ],
    },
    Case {
        order: "MIG1007",
        what: "completed with no captured amount: the payment's amount",
        old: ("completed", 6450, None, 0, false, false),
        movements: &[("captured", None, "64.50")],
    },
    Case {
        order: "MIG1008",
        what: "pending: nothing moved",
        old: ("pending", 14990, None, 0, false, false),
        movements: &[],
    },
    Case {
        order: "MIG1010",
        what: "amount mismatch: the captured amount, not the payment's",
        old: ("completed", 5000, Some(4500), 0, false, false),
        movements: &[("captured", None, "45.00")],
    },
    Case {
        order: "MIG1011",
        what: "open Stripe dispute, then the owner cancelled: still open, refund still owed",
        old: ("cancelled", 9000, Some(9000), 0, true, true),
        movements: &[
            ("captured", None, "90.00"),
            ("dispute", Some("open"), "90.00"),
            ("owed", None, "90.00"),
        ],
    },
    Case {
        order: "MIG1012",
        what: "cancelled order, payment still completed",
        old: ("completed", 3500, Some(3500), 0, false, false),
        movements: &[("captured", None, "35.00")],
    },
    Case {
        order: "MIG1013",
        what: "completed by a verified Stripe event",
        old: ("completed", 4200, Some(4200), 0, false, false),
        movements: &[("captured", None, "42.00")],
    },
    Case {
        order: "MIG1014",
        what: "failed: nothing moved",
        old: ("failed", 9900, None, 0, false, false),
        movements: &[],
    },
    Case {
        order: "MIG1015",
        what: "cash pending while the order says paid",
        old: ("pending", 2500, None, 0, false, false),
        movements: &[],
    },
    Case {
        order: "MIG1016",
        what: "open dispute the owner resolved",
        old: ("completed", 11000, Some(11000), 0, false, true),
        movements: &[
            ("captured", None, "110.00"),
            ("dispute", Some("open"), "110.00"),
        ],
    },
    Case {
        order: "MIG1017",
        what: "refund owed the owner resolved (refunded by hand)",
        old: ("cancelled", 15000, None, 0, true, false),
        movements: &[("captured", None, "15000"), ("owed", None, "15000")],
    },
    Case {
        order: "MIG1018",
        what: "PayPal reversal the owner resolved, order cancelled",
        old: ("cancelled", 6600, Some(6600), 0, false, true),
        movements: &[
            ("captured", None, "66.00"),
            ("dispute", Some("reversed"), "66.00"),
        ],
    },
    Case {
        order: "MIG1019",
        what: "chargeback opened on a fully refunded Stripe payment: still open, for the charge",
        old: ("cancelled", 4000, Some(4000), 4000, false, true),
        movements: &[
            ("captured", None, "40.00"),
            ("refund", Some("succeeded"), "40.00"),
            ("dispute", Some("open"), "40.00"),
        ],
    },
];

#[test]
fn every_payment_s_old_figures_became_its_movements() {
    let m = Migrated::new();
    let old = Migrated::rows(
        &m.v5,
        "SELECT o.number, p.status, p.amount_minor, p.captured_minor, p.refunded_minor,
                p.refund_pending, p.disputed, coalesce(p.reference, 'NULL'),
                coalesce(p.completed_at, p.updated_at)
         FROM payments p JOIN orders o ON o.id = p.order_id ORDER BY o.number",
    );
    let numbers: Vec<&str> = old.iter().map(|r| r[0].as_str()).collect();
    let cased: Vec<&str> = CASES.iter().map(|c| c.order).collect();
    assert_eq!(numbers, cased, "one case per payment of the fixture");

    for (c, row) in CASES.iter().zip(&old) {
        let (status, amount, captured, refunded, owed, disputed) = c.old;
        let captured = captured.map_or("NULL".to_owned(), |v| v.to_string());
        let flag = |b: bool| if b { "1" } else { "0" };
        assert_eq!(
            row[1..7],
            [
                status.to_owned(),
                amount.to_string(),
                captured,
                refunded.to_string(),
                flag(owed).to_owned(),
                flag(disputed).to_owned()
            ],
            "{} ({}): the fixture's schema-5 figures",
            c.order,
            c.what
        );

        let shown = m.show(c.order);
        let payments = shown["payments"].as_array().unwrap();
        assert_eq!(payments.len(), 1, "{}: one attempt", c.order);
        let got: Vec<(String, Option<String>, String)> = payments[0]["movements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|mv| {
                (
                    mv["kind"].as_str().unwrap().to_owned(),
                    mv["state"].as_str().map(str::to_owned),
                    mv["amount"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let want: Vec<(String, Option<String>, String)> = c
            .movements
            .iter()
            .map(|(k, s, a)| ((*k).to_owned(), s.map(str::to_owned), (*a).to_owned()))
            .collect();
        assert_eq!(got, want, "{} ({})", c.order, c.what);
        for mv in payments[0]["movements"].as_array().unwrap() {
            assert_eq!(mv["source"], "migration", "{}", c.order);
            assert_eq!(mv["currency"], payments[0]["currency"], "{}", c.order);
            if mv["kind"] == "captured" {
                // The capture carries the payment's reference and happened
                // when the payment completed.
                assert_eq!(mv["provider_id"].as_str().unwrap_or("NULL"), row[7]);
                assert_eq!(mv["at"].as_str().unwrap(), row[8], "{}", c.order);
            }
        }
    }

    // The order paid without a payment has none, and no movements.
    let shown = m.show("MIG1009");
    assert_eq!(shown["payments"], Value::Array(Vec::new()));
    // The refund owed is what is still owed.
    let report = m.report();
    let owed: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "refund_awaiting_provider" && f["order"] == "MIG1006")
        .collect();
    assert_eq!(owed.len(), 1);
    assert!(
        owed[0]["detail"]
            .as_str()
            .unwrap()
            .contains("60.00 EUR still to refund"),
        "{}",
        owed[0]
    );
}

#[test]
fn the_figure_caches_equal_the_fold_of_the_movements() {
    let m = Migrated::new();
    for c in CASES {
        let shown = m.show(c.order);
        let p = &shown["payments"][0];
        // The fold, the simple way for these shapes (one movement per flow).
        let (mut captured, mut refunded, mut disputed, mut lost, mut owed) = (0, 0, 0, 0, 0);
        for mv in p["movements"].as_array().unwrap() {
            let a = minor(&mv["amount"]);
            match (mv["kind"].as_str().unwrap(), mv["state"].as_str()) {
                ("captured", _) => captured += a,
                ("refund", Some("succeeded")) => refunded += a,
                ("dispute", Some("open" | "inquiry")) => disputed += a,
                ("dispute", Some("reversed" | "lost")) => lost += a,
                ("owed", _) => owed += a,
                other => panic!(
                    "{}: a movement the migration does not make: {other:?}",
                    c.order
                ),
            }
        }
        let refunded = refunded.min(captured);
        let lost = lost.min(captured - refunded);
        let owed = owed.min(captured - refunded - lost);
        let cached = [
            ("captured", captured),
            ("refunded", refunded),
            ("disputed", disputed),
            ("lost", lost),
            ("owed", owed),
            ("kept", captured - refunded - lost),
        ];
        for (name, want) in cached {
            assert_eq!(minor(&p[name]), want, "{} ({}): {name}", c.order, c.what);
        }
        // The old flags are the cache's too.
        let flags = Migrated::rows(
            &m.db,
            &format!(
                "SELECT p.refund_pending, p.disputed, p.status FROM payments p
                 JOIN orders o ON o.id = p.order_id WHERE o.number = '{}'",
                c.order
            ),
        );
        let flag = |b: bool| if b { "1" } else { "0" };
        assert_eq!(
            flags[0],
            [
                flag(owed > 0).to_owned(),
                flag(disputed > 0).to_owned(),
                c.old.0.to_owned()
            ],
            "{}: refund_pending, disputed, status",
            c.order
        );
    }
}

// ---------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------

#[test]
fn audit_rows_and_provider_events_keep_their_payment_ids() {
    let m = Migrated::new();
    let same = |sql: &str| {
        let (before, after) = (Migrated::rows(&m.v5, sql), Migrated::rows(&m.db, sql));
        assert_eq!(before, after, "{sql}");
        before
    };
    let payments = same("SELECT id, order_id, reference FROM payments ORDER BY id");
    // Payment ids differ from order ids after MIG1009 (no payment), so a
    // payment id read as an order id would show.
    assert!(payments.iter().any(|r| r[0] != r[1]));
    let audit = same("SELECT id, order_id, payment_id, event, actor FROM audit_log ORDER BY id");
    assert!(
        audit.iter().filter(|r| r[2] != "NULL").count() >= 20,
        "{audit:?}"
    );
    let events = same(
        "SELECT provider, event_id, state, payment_id, order_number FROM provider_events
         ORDER BY event_id",
    );
    assert!(events.iter().any(|r| r[3] != "NULL"), "{events:?}");
    same("SELECT id, reference, event_id, order_number, state FROM orphans ORDER BY id");
    // And each still names the payment of its order.
    assert!(
        Migrated::rows(
            &m.db,
            "SELECT a.id FROM audit_log a LEFT JOIN payments p ON p.id = a.payment_id
             WHERE a.payment_id IS NOT NULL AND p.order_id IS NOT a.order_id
             UNION ALL
             SELECT e.event_id FROM provider_events e LEFT JOIN payments p ON p.id = e.payment_id
             LEFT JOIN orders o ON o.id = p.order_id
             WHERE e.payment_id IS NOT NULL AND o.number IS NOT e.order_number"
        )
        .is_empty()
    );
}
