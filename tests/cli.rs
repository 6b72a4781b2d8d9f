//! End-to-end tests of the `tally` binary: each test runs the real executable
//! on a database in its own temporary directory and checks what a user relies
//! on: the exit code, the key lines of output, then the database state, read
//! back through `tally order show --json`, `tally export`, or SQL.
//!
//! Fixtures live in `fixtures/import/`: `shop.json` (the seed's three
//! inconsistent orders and a few ordinary ones, EUR and XOF, Stripe, PayPal,
//! Wave and cash), a CSV pair, an update file, `ledger.json` (attempts and
//! their movements: refunds, disputes, a reversal, a refund owed), and
//! broken files in `bad/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------

/// A fixture file.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/import")
        .join(name)
}

/// One temporary directory with one database path in it (`shop.db`, not
/// created until a command creates it).
struct Tally {
    dir: TempDir,
    db: PathBuf,
}

impl Tally {
    /// An empty directory: the database does not exist yet.
    fn new() -> Tally {
        Tally::in_dir(TempDir::new().unwrap())
    }

    fn in_dir(dir: TempDir) -> Tally {
        let db = dir.path().join("shop.db");
        Tally { dir, db }
    }

    /// A database holding `fixtures/import/shop.json`, imported by `importer`.
    fn with_shop() -> Tally {
        let t = Tally::new();
        t.args(["import"])
            .arg(fixture("shop.json"))
            .actor("importer")
            .run()
            .ok();
        t
    }

    /// A demo database of `orders` orders.
    fn with_demo(orders: usize) -> Tally {
        let t = Tally::new();
        t.args(["demo", "--orders", &orders.to_string()]).run().ok();
        t
    }

    /// A path inside the temporary directory.
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts a command line; `TALLY_DB` points at this database.
    fn args<I, S>(&self, args: I) -> Invocation<'_>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Invocation {
            tally: self,
            args: Vec::new(),
        }
        .args(args)
    }

    /// `order show NUMBER --json`, which must succeed.
    fn show(&self, number: &str) -> Value {
        self.args(["order", "show", number, "--json"])
            .run()
            .ok()
            .json()
    }

    /// `export` (JSON to standard output), which must succeed.
    fn export(&self) -> String {
        self.args(["export"]).run().ok().stdout
    }

    /// One integer from SQL run directly on the database file.
    fn count(&self, sql: &str) -> i64 {
        let conn = rusqlite::Connection::open_with_flags(
            &self.db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// (orders, payments, audit rows).
    fn counts(&self) -> (i64, i64, i64) {
        (
            self.count("SELECT count(*) FROM orders"),
            self.count("SELECT count(*) FROM payments"),
            self.count("SELECT count(*) FROM audit_log"),
        )
    }
}

/// A command line being built.
struct Invocation<'a> {
    tally: &'a Tally,
    args: Vec<OsString>,
}

impl Invocation<'_> {
    fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// `--actor NAME`, for the audit log.
    fn actor(self, name: &str) -> Self {
        self.arg("--actor").arg(name)
    }

    fn run(self) -> Run {
        let output = Command::cargo_bin("tally")
            .unwrap()
            .current_dir(self.tally.dir.path())
            .env("TALLY_DB", &self.tally.db)
            .env("USER", "tester")
            .env_remove("TALLY_LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C")
            .env_remove("TZ")
            .args(&self.args)
            .output()
            .unwrap();
        Run {
            args: self.args,
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

/// What a finished `tally` run did.
#[derive(Debug)]
struct Run {
    args: Vec<OsString>,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "{what}\n--- tally {:?} exited with {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }

    /// Asserts the exit code.
    fn code(self, code: i32) -> Self {
        if self.code != Some(code) {
            self.fail(&format!("expected exit code {code}"));
        }
        self
    }

    fn ok(self) -> Self {
        self.code(0)
    }

    fn stdout_has(self, text: &str) -> Self {
        if !self.stdout.contains(text) {
            self.fail(&format!("stdout lacks {text:?}"));
        }
        self
    }

    fn stderr_has(self, text: &str) -> Self {
        if !self.stderr.contains(text) {
            self.fail(&format!("stderr lacks {text:?}"));
        }
        self
    }

    fn stdout_lacks(self, text: &str) -> Self {
        if self.stdout.contains(text) {
            self.fail(&format!("stdout has {text:?}"));
        }
        self
    }

    /// The lines of standard output.
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| self.fail(&format!("stdout is not JSON: {e}")))
    }
}

/// The newest audit row of an order.
fn last_log(show: &Value) -> &Value {
    show["log"]
        .as_array()
        .and_then(|l| l.last())
        .expect("an audit row")
}

fn is_timestamp(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

// ---------------------------------------------------------------------------
// import
// ---------------------------------------------------------------------------

#[test]
fn import_json_creates_orders_and_payments() {
    let t = Tally::new();
    t.args(["import"])
        .arg(fixture("shop.json"))
        .actor("importer")
        .run()
        .ok()
        .stdout_has("10 orders created, 0 updated; 9 payments created, 0 updated; 0 unchanged");
    let (orders, payments, audit) = t.counts();
    assert_eq!((orders, payments), (10, 9));
    assert_eq!(audit, 19, "one `imported` audit row per created row");

    // The seed's inconsistencies arrive as they are: an import does not sync.
    let s = t.show("TEST1001");
    assert_eq!(s["order"]["status"], "pending");
    assert_eq!(s["order"]["payment_status"], "pending");
    assert_eq!(s["order"]["total"], "45000");
    assert_eq!(s["order"]["currency"], "XOF");
    assert_eq!(s["payment"]["provider"], "stripe");
    assert_eq!(s["payment"]["reference"], "pi_3Nabc1001");
    assert_eq!(s["payment"]["status"], "completed");
    assert_eq!(last_log(&s)["event"], "imported");
    assert_eq!(last_log(&s)["actor"], "importer");

    let s = t.show("TEST2001");
    assert_eq!(s["order"]["total"], "89.90");
    assert_eq!(s["payment"]["amount"], "89.90");
    assert_eq!(s["order"]["paid_at"], "2026-11-04T08:02:00.000Z");
    // A lower-case currency code is accepted and stored upper-case.
    assert_eq!(t.show("TEST2005")["order"]["currency"], "XOF");
    assert_eq!(t.show("TEST2004")["payment"], Value::Null);
    assert_eq!(t.show("TEST2002")["payment"]["provider"], "paypal");
    assert_eq!(t.show("TEST2003")["payment"]["provider"], "cash");
    assert_eq!(t.show("TEST1014")["payment"]["provider"], "wave");
}

#[test]
fn import_csv_pair_recognises_each_file_from_its_header() {
    let t = Tally::new();
    // Payments first: the kind of file comes from its header, not its order.
    t.args(["import"])
        .arg(fixture("payments.csv"))
        .arg(fixture("orders.csv"))
        .run()
        .ok()
        .stdout_has("4 orders created, 0 updated; 3 payments created, 0 updated");
    assert_eq!(t.counts().0, 4);
    assert_eq!(t.counts().1, 3);

    let s = t.show("CSV3001");
    assert_eq!(s["order"]["total"], "75000");
    assert_eq!(s["order"]["status"], "processing");
    assert_eq!(s["payment"]["provider"], "wave");
    assert_eq!(s["payment"]["reference"], "T_WAVE_3001");
    assert_eq!(s["payment"]["completed_at"], "2026-11-10T09:04:00.000Z");
    assert_eq!(t.show("CSV3002")["payment"]["amount"], "119.80");
    assert_eq!(t.show("CSV3003")["payment"]["currency"], "XOF");
    let s = t.show("CSV3004");
    assert_eq!(s["order"]["customer_name"], "Yanis Lefebvre, Jr.");
    assert_eq!(s["order"]["paid_at"], Value::Null);
    assert_eq!(s["payment"], Value::Null);
}

#[test]
fn reimporting_the_same_file_changes_and_duplicates_nothing() {
    let t = Tally::with_shop();
    let before = t.export();
    let counts = t.counts();
    t.args(["import"])
        .arg(fixture("shop.json"))
        .run()
        .ok()
        .stdout_has("0 orders created, 0 updated; 0 payments created, 0 updated; 19 unchanged");
    assert_eq!(t.counts(), counts, "no new rows, no new audit rows");
    assert_eq!(t.export(), before);

    // The same holds for the CSV pair.
    t.args(["import"])
        .arg(fixture("orders.csv"))
        .arg(fixture("payments.csv"))
        .run()
        .ok();
    let counts = t.counts();
    t.args(["import"])
        .arg(fixture("orders.csv"))
        .arg(fixture("payments.csv"))
        .run()
        .ok()
        .stdout_has("0 orders created, 0 updated; 0 payments created, 0 updated; 7 unchanged");
    assert_eq!(t.counts(), counts);
}

#[test]
fn reimporting_a_changed_status_updates_by_number() {
    let t = Tally::with_shop();
    let (orders, payments, audit) = t.counts();
    let untouched = t.show("TEST2001");
    t.args(["import"])
        .arg(fixture("shop_update.json"))
        .actor("importer")
        .run()
        .ok()
        .stdout_has("0 orders created, 1 updated; 0 payments created, 1 updated; 0 unchanged");
    assert_eq!(t.counts(), (orders, payments, audit + 2));

    let s = t.show("TEST2004");
    assert_eq!(s["order"]["status"], "processing");
    let row = last_log(&s);
    assert_eq!(row["event"], "imported");
    assert_eq!(row["old_order_status"], "pending");
    assert_eq!(row["new_order_status"], "processing");
    let s = t.show("TEST2003");
    assert_eq!(s["payment"]["status"], "completed");
    assert_eq!(s["payment"]["completed_at"], "2026-11-06T17:00:00.000Z");
    assert_eq!(t.show("TEST2001"), untouched);
    assert_eq!(
        t.count("SELECT count(*) FROM orders WHERE number = 'TEST2004'"),
        1
    );
}

/// Each bad file: the row and field it must name, and a piece of the reason.
const BAD_FILES: &[(&str, &str, &str, &str)] = &[
    (
        "bad/status.json",
        "orders[1]",
        "payment_status",
        "\"payed\" is not a valid order payment status (valid values: pending, paid, failed, refunded)",
    ),
    (
        "bad/xof_fraction.json",
        "orders[0]",
        "total",
        "\"45000.5\" has 1 decimals but XOF allows 0",
    ),
    (
        "bad/currency.json",
        "orders[0]",
        "currency",
        "unknown currency code \"XYZ\"",
    ),
    (
        "bad/missing_field.json",
        "orders[0]",
        "customer_email",
        "missing (required)",
    ),
    (
        "bad/number_amount.json",
        "orders[0]",
        "total",
        "expected a string, found 89.9",
    ),
    (
        "bad/duplicate.json",
        "orders[1]",
        "",
        "order TEST5001 already appears at",
    ),
    ("bad/malformed.json", "file", "", "not valid JSON"),
    (
        "bad/movement_unknown_payment.json",
        "movements[1]",
        "payment",
        "the stripe payment of order \"BADM1001\" with reference \"pi_3Nnope9999\" is neither in the import nor in the database",
    ),
    (
        "bad/movement_state.json",
        "movements[0]",
        "state",
        "\"lost\" is not a valid refund state (valid values: pending, succeeded, failed, cancelled)",
    ),
    (
        "bad/movement_decimals.json",
        "movements[1]",
        "amount",
        "amount \"10.005\" has 3 decimals but EUR allows 2",
    ),
    (
        "bad/movements.csv",
        "line 3",
        "state",
        "\"closed\" is not a valid dispute state",
    ),
    (
        "bad/orders.csv",
        "line 3",
        "status",
        "\"deliverd\" is not a valid order status",
    ),
];

#[test]
fn a_bad_file_imports_nothing_and_names_file_row_and_field() {
    for &(name, row, field, reason) in BAD_FILES {
        let t = Tally::new();
        let file = fixture(name);
        let run = t.args(["import"]).arg(&file).run().code(2);
        let at = if field.is_empty() {
            format!("{}: {row}: ", file.display())
        } else {
            format!("{}: {row}: {field}", file.display())
        };
        let run = run
            .stderr_has("nothing imported")
            .stderr_has(&at)
            .stderr_has(reason);
        assert!(run.stdout.is_empty(), "{name}: {run:?}");
        assert!(
            !t.db.exists(),
            "{name}: a failed import created the database"
        );
    }
}

#[test]
fn a_missing_import_file_is_an_error() {
    let t = Tally::new();
    let missing = t.path("nowhere.json");
    t.args(["import"])
        .arg(fixture("shop.json"))
        .arg(&missing)
        .run()
        .code(2)
        .stderr_has(&format!("cannot read {}", missing.display()));
    assert!(!t.db.exists());
}

#[test]
fn a_duplicate_order_names_both_rows() {
    let t = Tally::new();
    let file = fixture("bad/duplicate.json");
    let shown = file.display().to_string();
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has(&format!(
            "{shown}: orders[1]: number: order TEST5001 already appears at {shown}: orders[0]"
        ));
    assert!(!t.db.exists());
}

#[test]
fn a_duplicate_order_number_names_the_field() {
    let t = Tally::new();
    let file = fixture("bad/duplicate.json");
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has(&format!("{}: orders[1]: number: ", file.display()));
}

#[test]
fn a_file_with_several_bad_rows_lists_every_problem() {
    let t = Tally::new();
    let file = fixture("bad/many.json");
    let f = file.display().to_string();
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has("5 problem(s), nothing imported")
        .stderr_has(&format!("{f}: orders[1]: status: \"shiped\""))
        .stderr_has(&format!("{f}: orders[2]: total: amount \"45000.5\""))
        .stderr_has(&format!("{f}: orders[3]: currency: unknown currency code"))
        .stderr_has(&format!("{f}: payments[0]: provider: \"bitcoin\""))
        .stderr_has(&format!("{f}: payments[1]: created_at: \"yesterday\""));

    let file = fixture("bad/orders.csv");
    let f = file.display().to_string();
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has("2 problem(s), nothing imported")
        .stderr_has(&format!("{f}: line 3: status: \"deliverd\""))
        .stderr_has(&format!("{f}: line 4: total: amount \"30000.5\""));
    assert!(!t.db.exists());
}

#[test]
fn a_bad_file_leaves_an_existing_database_unchanged() {
    let t = Tally::with_shop();
    let before = t.export();
    let counts = t.counts();
    for (name, ..) in BAD_FILES {
        t.args(["import"]).arg(fixture(name)).run().code(2);
    }
    t.args(["import"])
        .arg(fixture("bad/unknown_order.json"))
        .run()
        .code(2)
        .stderr_has("nothing imported")
        .stderr_has("NOPE9999");
    assert_eq!(t.export(), before);
    assert_eq!(t.counts(), counts);
    // The valid order in the file with the unknown payment was not imported.
    t.args(["order", "show", "TEST5001"]).run().code(2);
}

#[test]
fn mixing_a_good_and_a_bad_file_imports_nothing() {
    let t = Tally::new();
    t.args(["import"])
        .arg(fixture("shop.json"))
        .arg(fixture("bad/xof_fraction.json"))
        .run()
        .code(2)
        .stderr_has("bad/xof_fraction.json: orders[0]: total");
    assert!(!t.db.exists());

    // Into an existing database: the good file's orders do not appear.
    t.args(["import"])
        .arg(fixture("orders.csv"))
        .arg(fixture("payments.csv"))
        .run()
        .ok();
    let before = t.export();
    let counts = t.counts();
    t.args(["import"])
        .arg(fixture("shop.json"))
        .arg(fixture("bad/status.json"))
        .run()
        .code(2);
    assert_eq!(t.counts(), counts);
    assert_eq!(t.export(), before);
    t.args(["order", "show", "TEST1001"]).run().code(2);
}

#[test]
fn a_payment_for_an_unknown_order_names_file_and_row() {
    let t = Tally::new();
    let file = fixture("bad/unknown_order.json");
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has("nothing imported")
        .stderr_has(&format!("{}: payments[0]", file.display()))
        .stderr_has("NOPE9999");
}

#[test]
fn a_payment_for_an_unknown_order_does_not_create_the_database() {
    let t = Tally::new();
    t.args(["import"])
        .arg(fixture("bad/unknown_order.json"))
        .run()
        .code(2);
    assert!(
        !t.db.exists(),
        "a refused import created {}",
        t.db.display()
    );
}

// ---------------------------------------------------------------------------
// export
// ---------------------------------------------------------------------------

/// Exports `t` as JSON into a file, imports it into a fresh database, and
/// checks that the fresh database exports the same text.
fn assert_json_round_trip(t: &Tally) {
    let first = t.export();
    let doc: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(doc["orders"].as_array().unwrap().len() as i64, t.counts().0);
    let file = t.path("export.json");
    t.args(["export", "--output"]).arg(&file).run().ok();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);

    let fresh = Tally::new();
    fresh.args(["import"]).arg(&file).run().ok();
    assert_eq!(fresh.export(), first, "export → import → export differs");
}

#[test]
fn export_json_round_trips() {
    let t = Tally::with_shop();
    let doc: Value = serde_json::from_str(&t.export()).unwrap();
    assert_eq!(doc["orders"].as_array().unwrap().len(), 10);
    assert_eq!(doc["payments"].as_array().unwrap().len(), 9);
    let first = &doc["orders"][0];
    assert_eq!(first["number"], "TEST1001");
    assert_eq!(first["total"], "45000");
    assert_json_round_trip(&t);

    // After the operations too (refund owed, validated reference, stamps).
    t.args(["order", "cancel", "TEST2001"]).run().ok();
    t.args(["order", "validate", "TEST2005", "--reference", "T_WAVE_1"])
        .run()
        .ok();
    assert_json_round_trip(&t);
}

#[test]
fn export_json_of_the_demo_shop_round_trips() {
    // Captured amounts in another currency, refunds, disputes, no references.
    assert_json_round_trip(&Tally::with_demo(60));
}

#[test]
fn export_csv_round_trips() {
    let t = Tally::with_demo(60);
    t.args(["order", "cancel", "TEST1040"]).run().ok();
    let first = t.path("first");
    t.args(["export", "--format", "csv", "--output"])
        .arg(&first)
        .run()
        .ok();
    let orders = std::fs::read_to_string(first.join("orders.csv")).unwrap();
    let payments = std::fs::read_to_string(first.join("payments.csv")).unwrap();
    let movements = std::fs::read_to_string(first.join("movements.csv")).unwrap();
    assert_eq!(orders.lines().count(), 61, "a header and 60 orders");
    assert!(orders.starts_with("number,"), "{orders}");
    assert!(payments.starts_with("order,"), "{payments}");
    assert!(
        movements.starts_with("order,provider,payment,kind,"),
        "{movements}"
    );

    let fresh = Tally::new();
    fresh
        .args(["import"])
        .arg(first.join("orders.csv"))
        .arg(first.join("payments.csv"))
        .arg(first.join("movements.csv"))
        .run()
        .ok();
    let second = fresh.path("second");
    fresh
        .args(["export", "--format", "csv", "--output"])
        .arg(&second)
        .run()
        .ok();
    assert_eq!(
        std::fs::read_to_string(second.join("orders.csv")).unwrap(),
        orders
    );
    assert_eq!(
        std::fs::read_to_string(second.join("payments.csv")).unwrap(),
        payments
    );
    assert_eq!(
        std::fs::read_to_string(second.join("movements.csv")).unwrap(),
        movements
    );
    assert_eq!(fresh.export(), t.export());
}

// ---------------------------------------------------------------------------
// attempts and movements
// ---------------------------------------------------------------------------

/// A database holding `fixtures/import/ledger.json`: two attempts on
/// LEDG1001 (a declined card, then a capture with refunds and a lost
/// dispute) and on LEDG1003 (a failed Wave payment, then cash refunded),
/// a PayPal reversal won back (LEDG1002), and LEDG1004 in the old format.
fn with_ledger() -> Tally {
    let t = Tally::new();
    t.args(["import"])
        .arg(fixture("ledger.json"))
        .run()
        .ok()
        .stdout_has(
            "4 orders created, 0 updated; 6 payments created, 0 updated; 0 unchanged; 18 movements recorded",
        );
    t
}

/// The attempt of `show` whose reference (or provider) is `name`.
fn attempt<'a>(show: &'a Value, name: &str) -> &'a Value {
    show["payments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["reference"] == name || p["provider"] == name)
        .unwrap_or_else(|| panic!("no attempt {name} in {show:#}"))
}

#[test]
fn import_carries_attempts_and_their_movements() {
    let t = with_ledger();
    assert_eq!(t.count("SELECT count(*) FROM movements"), 18);

    let s = t.show("LEDG1001");
    assert_eq!(s["payments"].as_array().unwrap().len(), 2, "{s:#}");
    let declined = attempt(&s, "pi_3Ldecl1001");
    assert_eq!(declined["attempt"], 1);
    assert_eq!(declined["status"], "failed");
    assert_eq!(declined["captured"], "0.00");
    let paid = attempt(&s, "pi_3Lok1001");
    assert_eq!(paid["attempt"], 2);
    assert_eq!(paid["captured"], "120.00");
    assert_eq!(paid["refunded"], "20.00");
    assert_eq!(paid["refunds_failed"], "10.00");
    assert_eq!(paid["lost"], "50.00");
    assert_eq!(paid["kept"], "50.00");
    let m = paid["movements"].as_array().unwrap();
    assert_eq!(m.len(), 7);
    assert_eq!(m[0]["kind"], "captured");
    assert_eq!(m[0]["event_id"], "evt_L3");
    assert_eq!(m[3]["source"], "owner");
    assert_eq!(
        (&m[6]["kind"], &m[6]["state"]),
        (&"dispute".into(), &"lost".into())
    );
    // A row without `source` was recorded by the import.
    assert_eq!(declined["movements"][0]["source"], "import");

    // The reversal and the dispute share their flow: won, nothing lost.
    let s = t.show("LEDG1002");
    assert_eq!(s["payments"][0]["lost"], "0");
    assert_eq!(s["payments"][0]["kept"], "45000");
    assert_eq!(s["payments"][0]["movements"][0]["source"], "migration");

    // Two attempts without a reference, told apart by their provider.
    let s = t.show("LEDG1003");
    assert_eq!(attempt(&s, "wave")["attempt"], 1);
    let cash = attempt(&s, "cash");
    assert_eq!(cash["attempt"], 2);
    assert_eq!(cash["refunded"], "59.90");
    assert_eq!(cash["owed"], "0.00");
    assert_eq!(cash["movements"].as_array().unwrap().len(), 3);

    // A payment without movement rows: its figures became movements.
    let s = t.show("LEDG1004");
    let wave = &s["payments"][0];
    assert_eq!(wave["refunded"], "5000");
    let kinds: Vec<(&Value, &Value)> = wave["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (&m["kind"], &m["state"]))
        .collect();
    assert_eq!(
        kinds,
        [
            (&"captured".into(), &Value::Null),
            (&"refund".into(), &"succeeded".into())
        ]
    );
}

#[test]
fn export_json_of_attempts_and_movements_round_trips() {
    let t = with_ledger();
    // And a movement of the owner's own.
    t.args(["payment", "record-refund", "LEDG1004", "--amount", "1000"])
        .args(["--note", "cash back at the counter"])
        .run()
        .ok();
    let doc: Value = serde_json::from_str(&t.export()).unwrap();
    assert_eq!(doc["payments"].as_array().unwrap().len(), 6);
    assert_eq!(doc["movements"].as_array().unwrap().len(), 19);
    let first = &doc["movements"][0];
    assert_eq!(first["order"], "LEDG1001");
    assert_eq!(first["payment"], "pi_3Ldecl1001");
    assert_eq!(first["kind"], "authorised");
    assert_eq!(first["amount"], "120.00");
    assert_json_round_trip(&t);

    // Re-importing the export into the same shop changes nothing.
    let file = t.path("export.json");
    let before = t.export();
    let counts = (t.counts(), t.count("SELECT count(*) FROM movements"));
    t.args(["import"])
        .arg(&file)
        .run()
        .ok()
        .stdout_has(
            "0 orders created, 0 updated; 0 payments created, 0 updated; 10 unchanged; 0 movements recorded",
        );
    assert_eq!(
        (t.counts(), t.count("SELECT count(*) FROM movements")),
        counts
    );
    assert_eq!(t.export(), before);
}

#[test]
fn export_csv_of_attempts_and_movements_round_trips() {
    let t = with_ledger();
    let first = t.path("first");
    t.args(["export", "--format", "csv", "--output"])
        .arg(&first)
        .run()
        .ok();
    let movements = std::fs::read_to_string(first.join("movements.csv")).unwrap();
    assert_eq!(movements.lines().count(), 19, "a header and 18 movements");
    assert!(
        movements.starts_with(
            "order,provider,payment,kind,state,amount,currency,provider_id,flow_key,at,event_id,source\n"
        ),
        "{movements}"
    );

    // The kind of each file comes from its header, not its name or order.
    let fresh = Tally::new();
    let renamed = fresh.path("ledger-moves.csv");
    std::fs::copy(first.join("movements.csv"), &renamed).unwrap();
    fresh
        .args(["import"])
        .arg(&renamed)
        .arg(first.join("payments.csv"))
        .arg(first.join("orders.csv"))
        .run()
        .ok()
        .stdout_has("6 payments created, 0 updated; 0 unchanged; 18 movements recorded");
    let second = fresh.path("second");
    fresh
        .args(["export", "--format", "csv", "--output"])
        .arg(&second)
        .run()
        .ok();
    for name in ["orders.csv", "payments.csv", "movements.csv"] {
        assert_eq!(
            std::fs::read_to_string(second.join(name)).unwrap(),
            std::fs::read_to_string(first.join(name)).unwrap(),
            "{name}"
        );
    }
    assert_eq!(fresh.export(), t.export());

    // Again into the same shop: nothing changes.
    fresh
        .args(["import"])
        .arg(second.join("orders.csv"))
        .arg(second.join("payments.csv"))
        .arg(second.join("movements.csv"))
        .run()
        .ok()
        .stdout_has("10 unchanged; 0 movements recorded");
    assert_eq!(fresh.export(), t.export());
}

#[test]
fn a_file_in_the_old_format_imports_its_figures_as_movements() {
    let t = Tally::with_shop();
    let doc: Value = serde_json::from_str(&t.export()).unwrap();
    let of = |number: &str| -> Vec<Value> {
        doc["movements"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["order"] == number)
            .map(|m| serde_json::json!([m["kind"], m["state"], m["amount"], m["at"], m["source"]]))
            .collect()
    };
    // Completed: its amount captured, at its completion.
    assert_eq!(
        of("TEST1001"),
        [serde_json::json!([
            "captured",
            null,
            "45000",
            "2026-11-01T10:02:00.000Z",
            "import"
        ])]
    );
    // Cancelled with its refund.
    assert_eq!(
        of("TEST2006"),
        [
            serde_json::json!([
                "captured",
                null,
                "99.90",
                "2026-10-20T10:01:00.000Z",
                "import"
            ]),
            serde_json::json!([
                "refund",
                "succeeded",
                "99.90",
                "2026-10-20T10:01:00.000Z",
                "import"
            ])
        ]
    );
    // Pending: nothing moved.
    assert!(of("TEST1008").is_empty());
    let s = t.show("TEST2006");
    assert_eq!(s["payments"][0]["refunded"], "99.90");
    assert_eq!(s["payments"][0]["kept"], "0.00");

    // The CSV pair of today's format too.
    let t = Tally::new();
    t.args(["import"])
        .arg(fixture("orders.csv"))
        .arg(fixture("payments.csv"))
        .run()
        .ok()
        .stdout_has("3 payments created, 0 updated; 0 unchanged; 2 movements recorded");
    assert_eq!(t.show("CSV3001")["payments"][0]["captured"], "75000");
    assert_eq!(
        t.show("CSV3003")["payments"][0]["movements"],
        serde_json::json!([])
    );

    // An export's payments without its movements: the figures agree with
    // the stored ledger, so nothing is added.
    let t = with_ledger();
    let dir = t.path("out");
    t.args(["export", "--format", "csv", "--output"])
        .arg(&dir)
        .run()
        .ok();
    let before = t.export();
    t.args(["import"])
        .arg(dir.join("orders.csv"))
        .arg(dir.join("payments.csv"))
        .run()
        .ok()
        .stdout_has("10 unchanged; 0 movements recorded");
    assert_eq!(t.export(), before);
}

#[test]
fn every_bad_movement_row_is_named_and_nothing_is_imported() {
    let t = Tally::with_shop();
    let before = t.export();
    let counts = (t.counts(), t.count("SELECT count(*) FROM movements"));

    let file = fixture("bad/movement_state.json");
    let f = file.display().to_string();
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has("3 problem(s), nothing imported")
        .stderr_has(&format!(
            "{f}: movements[0]: state: \"lost\" is not a valid refund state"
        ))
        .stderr_has(&format!(
            "{f}: movements[1]: state: \"succeeded\": a captured movement has no state"
        ))
        .stderr_has(&format!(
            "{f}: movements[2]: state: a dispute movement needs a state"
        ));

    let file = fixture("bad/movements.csv");
    let f = file.display().to_string();
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has("3 problem(s), nothing imported")
        .stderr_has(&format!(
            "{f}: line 3: state: \"closed\" is not a valid dispute state"
        ))
        .stderr_has(&format!(
            "{f}: line 4: amount: amount \"100.5\" has 1 decimals but XOF allows 0"
        ))
        .stderr_has(&format!(
            "{f}: line 4: source: \"bank\" is not a valid movement source"
        ));

    let file = fixture("bad/movement_decimals.json");
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has("1 problem(s), nothing imported")
        .stderr_has(&format!(
            "{}: movements[1]: amount: amount \"10.005\" has 3 decimals",
            file.display()
        ));

    let file = fixture("bad/movement_unknown_payment.json");
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has("1 problem(s), nothing imported")
        .stderr_has(&format!("{}: movements[1]: payment: ", file.display()))
        .stderr_has("pi_3Nnope9999");

    assert_eq!(
        (t.counts(), t.count("SELECT count(*) FROM movements")),
        counts
    );
    assert_eq!(t.export(), before);
    t.args(["order", "show", "BADM1001"]).run().code(2);
}

#[test]
fn movements_of_a_stored_payment_join_its_ledger() {
    let t = Tally::with_shop();
    let file = t.path("refund.json");
    std::fs::write(
        &file,
        r#"{"movements": [
            {"order": "TEST2001", "provider": "stripe", "payment": "pi_3Nxyz2001",
             "kind": "refund", "state": "succeeded", "amount": "19.90", "currency": "EUR",
             "provider_id": "re_3Nxyz", "at": "2026-11-20T10:00:00Z", "source": "provider"}
        ]}"#,
    )
    .unwrap();
    t.args(["import"])
        .arg(&file)
        .run()
        .ok()
        .stdout_has("0 payments created, 1 updated; 0 unchanged; 1 movements recorded");
    let s = t.show("TEST2001");
    assert_eq!(s["payments"][0]["refunded"], "19.90");
    assert_eq!(s["payments"][0]["kept"], "70.00");
    assert_eq!(s["payments"][0]["movements"][1]["provider_id"], "re_3Nxyz");
    assert_eq!(last_log(&s)["event"], "imported");
    // The same movement again is already stored.
    t.args(["import"])
        .arg(&file)
        .run()
        .ok()
        .stdout_has("0 payments created, 0 updated; 0 unchanged; 0 movements recorded");

    // A payment named by movements only must exist.
    std::fs::write(
        &file,
        r#"{"movements": [
            {"order": "TEST2001", "provider": "paypal", "payment": "pi_3Nxyz2001",
             "kind": "captured", "amount": "89.90", "currency": "EUR",
             "at": "2026-11-20T10:00:00Z"}
        ]}"#,
    )
    .unwrap();
    t.args(["import"])
        .arg(&file)
        .run()
        .code(2)
        .stderr_has(
            "movements[0]: payment: the paypal payment of order \"TEST2001\" with reference \"pi_3Nxyz2001\" is neither in the import nor in the database",
        );
}

#[test]
fn export_csv_without_output_is_an_error() {
    let t = Tally::with_shop();
    let run = t
        .args(["export", "--format", "csv"])
        .run()
        .code(2)
        .stderr_has("--output");
    assert!(run.stdout.is_empty(), "{run:?}");
}

// ---------------------------------------------------------------------------
// the four operations
// ---------------------------------------------------------------------------

#[test]
fn set_payment_status_paid_completes_the_payment() {
    let t = Tally::with_shop();
    t.args(["order", "set-payment-status", "TEST2005", "paid"])
        .actor("alice")
        .run()
        .ok()
        .stdout_has("TEST2005: done: order paid, payment completed");
    let s = t.show("TEST2005");
    assert_eq!(s["order"]["payment_status"], "paid");
    assert!(is_timestamp(&s["order"]["paid_at"]), "{s:#}");
    assert_eq!(s["payment"]["status"], "completed");
    assert!(is_timestamp(&s["payment"]["completed_at"]), "{s:#}");
    let row = last_log(&s);
    assert_eq!(row["event"], "status_synchronized");
    assert_eq!(row["actor"], "alice");
    assert_eq!(row["old_order_payment_status"], "pending");
    assert_eq!(row["new_order_payment_status"], "paid");
    assert_eq!(row["old_payment_status"], "pending");
    assert_eq!(row["new_payment_status"], "completed");
}

#[test]
fn set_payment_status_repairs_test1014_and_then_has_nothing_to_do() {
    let t = Tally::with_shop();
    // The seed's TEST1014: order paid, payment pending.
    t.args(["order", "set-payment-status", "TEST1014", "paid"])
        .run()
        .ok();
    let s = t.show("TEST1014");
    assert_eq!(s["payment"]["status"], "completed");
    assert!(is_timestamp(&s["payment"]["completed_at"]));
    // paid_at was already stamped by the import: it is kept.
    assert_eq!(s["order"]["paid_at"], "2026-11-03T14:05:00.000Z");
    assert_eq!(
        last_log(&s)["actor"],
        "tester",
        "the actor defaults to $USER"
    );

    let audit = t.counts().2;
    t.args(["order", "set-payment-status", "TEST1014", "paid"])
        .run()
        .code(1)
        .stdout_has("TEST1014: skipped: payment status is already paid");
    assert_eq!(t.counts().2, audit);
}

#[test]
fn payment_set_status_completed_marks_the_order_paid() {
    let t = Tally::with_shop();
    // The seed's TEST1001: order pending, payment completed.
    t.args(["payment", "set-status", "TEST1001", "completed"])
        .actor("bob")
        .run()
        .ok()
        .stdout_has("TEST1001: done: payment completed, order paid");
    let s = t.show("TEST1001");
    assert_eq!(s["order"]["payment_status"], "paid");
    assert!(is_timestamp(&s["order"]["paid_at"]));
    assert_eq!(s["payment"]["status"], "completed");
    assert_eq!(s["payment"]["completed_at"], "2026-11-01T10:02:00.000Z");
    let row = last_log(&s);
    assert_eq!(row["event"], "status_synchronized");
    assert_eq!(row["actor"], "bob");
    assert_eq!(row["old_order_payment_status"], "pending");
    assert_eq!(row["new_order_payment_status"], "paid");

    // The seed's TEST1008: order failed, payment pending.
    t.args(["payment", "set-status", "TEST1008", "failed"])
        .run()
        .ok();
    let s = t.show("TEST1008");
    assert_eq!(s["payment"]["status"], "failed");
    assert_eq!(s["order"]["payment_status"], "failed");

    // An order with no payment record: nothing to set.
    t.args(["payment", "set-status", "TEST2004", "completed"])
        .run()
        .code(1)
        .stdout_has("TEST2004: skipped: the order has no payment record");
    assert_eq!(t.show("TEST2004")["order"]["payment_status"], "pending");
}

#[test]
fn cancelling_a_completed_stripe_payment_owes_a_refund_and_says_so() {
    let t = Tally::with_shop();
    t.args(["order", "cancel", "TEST2001"])
        .actor("carol")
        .run()
        .ok()
        .stdout_has("TEST2001: cancelled: order cancelled, payment cancelled")
        .stdout_has("warning: TEST2001: the customer was charged 89.90 EUR at Stripe")
        .stdout_has("refunds nothing")
        .stdout_has("1 cancelled, 0 skipped");
    let s = t.show("TEST2001");
    assert_eq!(s["order"]["status"], "cancelled");
    assert_eq!(s["order"]["payment_status"], "refunded");
    assert!(is_timestamp(&s["order"]["cancelled_at"]));
    assert_eq!(s["payment"]["status"], "cancelled");
    assert_eq!(s["payment"]["refund_pending"], true);
    let row = last_log(&s);
    assert_eq!(row["event"], "order_and_payment_cancelled");
    assert_eq!(row["actor"], "carol");
    assert_eq!(row["old_payment_status"], "completed");
    assert_eq!(row["new_payment_status"], "cancelled");

    // The owed refund stays visible.
    t.args(["order", "show", "TEST2001"])
        .run()
        .ok()
        .stdout_has("owed to the customer, not yet confirmed");
}

#[test]
fn cancelling_a_pending_payment_owes_nothing() {
    let t = Tally::with_shop();
    t.args(["order", "cancel", "TEST2003"])
        .run()
        .ok()
        .stdout_lacks("warning");
    let s = t.show("TEST2003");
    assert_eq!(s["order"]["status"], "cancelled");
    assert_eq!(s["order"]["payment_status"], "refunded");
    assert_eq!(s["payment"]["status"], "cancelled");
    assert_eq!(s["payment"]["refund_pending"], false);
}

#[test]
fn cancelling_an_order_without_payment_leaves_its_payment_status() {
    let t = Tally::with_shop();
    t.args(["order", "cancel", "TEST2004"])
        .run()
        .ok()
        .stdout_has("TEST2004: cancelled: order cancelled (no payment record)");
    let s = t.show("TEST2004");
    assert_eq!(s["order"]["status"], "cancelled");
    assert_eq!(s["order"]["payment_status"], "pending");
    assert!(is_timestamp(&s["order"]["cancelled_at"]));
    assert_eq!(s["payment"], Value::Null);
    assert_eq!(last_log(&s)["event"], "order_and_payment_cancelled");
}

#[test]
fn cancelling_a_cancelled_order_is_skipped_with_a_reason() {
    let t = Tally::with_shop();
    let before = t.export();
    let audit = t.counts().2;
    t.args(["order", "cancel", "TEST2006"])
        .run()
        .code(1)
        .stdout_has("TEST2006: skipped: already cancelled")
        .stdout_has("0 cancelled, 1 skipped");
    assert_eq!(t.export(), before);
    assert_eq!(t.counts().2, audit);
}

#[test]
fn validate_completes_the_payment_and_records_the_reference() {
    let t = Tally::with_shop();
    t.args([
        "order",
        "validate",
        "TEST2005",
        "--reference",
        "T_WAVE_8842",
    ])
    .actor("dana")
    .run()
    .ok()
    .stdout_has("TEST2005: validated: payment completed, order paid")
    .stdout_has("1 validated, 0 skipped")
    .stdout_lacks("warning");
    let s = t.show("TEST2005");
    assert_eq!(s["order"]["payment_status"], "paid");
    assert!(is_timestamp(&s["order"]["paid_at"]));
    assert_eq!(s["payment"]["status"], "completed");
    assert!(is_timestamp(&s["payment"]["completed_at"]));
    assert_eq!(s["payment"]["reference"], "T_WAVE_8842");
    let row = last_log(&s);
    assert_eq!(row["event"], "payment_validated");
    assert_eq!(row["actor"], "dana");
    assert_eq!(row["details"]["reference"], "T_WAVE_8842");

    // Validating it again has nothing to do.
    t.args(["order", "validate", "TEST2005"])
        .run()
        .code(1)
        .stdout_has("TEST2005: skipped: already validated");
}

#[test]
fn validate_refuses_a_cancelled_order() {
    let t = Tally::with_shop();
    let before = t.export();
    t.args(["order", "validate", "TEST2006"])
        .run()
        .code(1)
        .stdout_has("TEST2006: skipped:")
        .stdout_has("cancelled order cannot be validated");
    assert_eq!(t.export(), before);
    let s = t.show("TEST2006");
    assert_eq!(s["order"]["status"], "cancelled");
    assert_eq!(s["payment"]["status"], "cancelled");
}

#[test]
fn validating_a_stripe_payment_by_hand_warns() {
    let t = Tally::with_shop();
    t.args(["order", "validate", "TEST2007"])
        .run()
        .ok()
        .stdout_has("TEST2007: validated: payment completed, order paid")
        .stdout_has("warning: TEST2007: a Stripe payment validated by hand");
    let s = t.show("TEST2007");
    assert_eq!(s["payment"]["status"], "completed");
    assert_eq!(s["order"]["payment_status"], "paid");
}

#[test]
fn validate_with_one_reference_for_two_orders_is_an_error() {
    let t = Tally::with_shop();
    let before = t.export();
    let counts = t.counts();
    let run = t
        .args([
            "order",
            "validate",
            "TEST2005",
            "TEST1014",
            "--reference",
            "T_WAVE_1",
        ])
        .run()
        .code(2)
        .stderr_has("--reference");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert_eq!(t.export(), before);
    assert_eq!(t.counts(), counts);
}

// ---------------------------------------------------------------------------
// bulk skips and exit codes
// ---------------------------------------------------------------------------

#[test]
fn bulk_cancel_reports_each_item_and_skips_unknown_numbers() {
    let t = Tally::with_shop();
    let run = t
        .args(["order", "cancel", "TEST2002", "TEST2003", "UNKNOWN"])
        .run()
        .code(1);
    let items: Vec<&str> = run
        .lines()
        .into_iter()
        .filter(|l| !l.starts_with("  "))
        .collect();
    assert_eq!(
        items,
        [
            "TEST2002: cancelled: order cancelled, payment cancelled",
            "TEST2003: cancelled: order cancelled, payment cancelled",
            "UNKNOWN: skipped: no such order",
            "2 cancelled, 1 skipped",
        ],
        "{run:?}"
    );
    // TEST2002's PayPal payment was completed: a refund is owed there.
    let run = run.stdout_has("warning: TEST2002: the customer was charged 129.90 EUR at PayPal");
    assert!(!run.stdout.contains("warning: TEST2003"), "{run:?}");
    for number in ["TEST2002", "TEST2003"] {
        let s = t.show(number);
        assert_eq!(s["order"]["status"], "cancelled", "{number}");
        assert_eq!(s["payment"]["status"], "cancelled", "{number}");
    }
    assert_eq!(t.show("TEST2002")["payment"]["refund_pending"], true);
}

#[test]
fn bulk_commands_with_nothing_skipped_exit_0() {
    let t = Tally::with_shop();
    t.args(["order", "cancel", "TEST2003", "TEST2004"])
        .run()
        .ok()
        .stdout_has("2 cancelled, 0 skipped");
    t.args(["order", "validate", "TEST1014", "TEST1008"])
        .run()
        .ok()
        .stdout_has("2 validated, 0 skipped");
    for number in ["TEST1014", "TEST1008"] {
        let s = t.show(number);
        assert_eq!(s["order"]["payment_status"], "paid", "{number}");
        assert_eq!(s["payment"]["status"], "completed", "{number}");
    }
}

#[test]
fn a_bad_status_word_names_the_valid_values_and_changes_nothing() {
    let t = Tally::with_shop();
    let before = t.export();
    let counts = t.counts();
    t.args(["order", "set-payment-status", "TEST1001", "payed"])
        .run()
        .code(2)
        .stderr_has("payed")
        .stderr_has("pending, paid, failed, refunded");
    t.args(["payment", "set-status", "TEST1001", "paid"])
        .run()
        .code(2)
        .stderr_has("pending, completed, failed, cancelled");
    assert_eq!(t.export(), before);
    assert_eq!(t.counts(), counts);
}

#[test]
fn an_unknown_order_in_a_single_order_command_is_an_error() {
    let t = Tally::with_shop();
    let before = t.export();
    let counts = t.counts();
    for args in [
        &["order", "show", "NOPE"][..],
        &["order", "show", "NOPE", "--json"],
        &["payment", "set-status", "NOPE", "completed"],
        &["order", "set-payment-status", "NOPE", "paid"],
        &["log", "NOPE"],
    ] {
        let run = t.args(args).run().code(2).stderr_has("NOPE");
        assert!(run.stdout.is_empty(), "{run:?}");
    }
    assert_eq!(t.export(), before);
    assert_eq!(t.counts(), counts);
}

#[test]
fn a_missing_database_is_an_error_naming_its_path() {
    let t = Tally::new();
    let missing = t.path("typo.db");
    for args in [
        &["order", "show", "TEST1001"][..],
        &["order", "cancel", "TEST1001"],
        &["order", "validate", "TEST1001"],
        &["payment", "set-status", "TEST1001", "completed"],
        &["export"],
        &["log"],
    ] {
        t.args(["--db"])
            .arg(&missing)
            .args(args)
            .run()
            .code(2)
            .stderr_has(&missing.display().to_string());
        assert!(!missing.exists(), "{args:?} created {}", missing.display());
    }
    // TALLY_DB is honoured the same way.
    t.args(["order", "show", "TEST1001"])
        .run()
        .code(2)
        .stderr_has(&t.db.display().to_string());
    assert!(!t.db.exists());
}

#[test]
fn help_exits_0() {
    let t = Tally::new();
    let run = t.args(["--help"]).run().ok();
    for command in [
        "import", "export", "demo", "order", "payment", "log", "--db",
    ] {
        assert!(run.stdout.contains(command), "--help lacks {command}");
    }
    t.args(["order", "--help"])
        .run()
        .ok()
        .stdout_has("set-payment-status");
    t.args(["order", "cancel"]).run().code(2);
    t.args(["no-such-command"]).run().code(2);
    assert!(!t.db.exists());
}

// ---------------------------------------------------------------------------
// order show, log
// ---------------------------------------------------------------------------

#[test]
fn order_show_json_has_the_documented_fields() {
    let t = Tally::with_shop();
    t.args(["order", "validate", "TEST2007"])
        .actor("erin")
        .run()
        .ok();
    let s = t.show("TEST2007");
    let order = &s["order"];
    assert_eq!(order["number"], "TEST2007");
    assert_eq!(order["status"], "pending");
    assert_eq!(order["payment_status"], "paid");
    assert_eq!(order["total"], "149.90");
    assert_eq!(order["currency"], "EUR");
    let payment = &s["payment"];
    assert_eq!(payment["provider"], "stripe");
    assert_eq!(payment["reference"], "pi_3Npend2007");
    assert_eq!(payment["status"], "completed");
    assert_eq!(payment["amount"], "149.90");
    assert_eq!(payment["currency"], "EUR");
    let log = s["log"].as_array().unwrap();
    assert_eq!(
        log.len(),
        3,
        "two `imported` rows and the validation: {s:#}"
    );
    for row in log {
        assert!(row["event"].is_string(), "{row}");
        assert!(row["actor"].is_string(), "{row}");
        assert!(is_timestamp(&row["at"]), "{row}");
    }
    assert_eq!(log[2]["event"], "payment_validated");
    assert_eq!(log[2]["actor"], "erin");

    // Zero-decimal amounts have no decimals; no payment is null.
    let s = t.show("TEST1014");
    assert_eq!(s["order"]["total"], "45000");
    assert_eq!(s["payment"]["amount"], "45000");
    assert_eq!(s["payment"]["reference"], Value::Null);
    assert_eq!(t.show("TEST2004")["payment"], Value::Null);

    // The human view shows the same order.
    t.args(["order", "show", "TEST2007"])
        .run()
        .ok()
        .stdout_has("Order TEST2007")
        .stdout_has("149.90 EUR")
        .stdout_has("Stripe pi_3Npend2007")
        .stdout_has("payment_validated");
}

#[test]
fn log_lists_audit_rows() {
    let t = Tally::with_shop();
    t.args(["order", "set-payment-status", "TEST2005", "failed"])
        .actor("alice")
        .run()
        .ok();
    t.args(["order", "cancel", "TEST2001"])
        .actor("bob")
        .run()
        .ok();

    let rows = t.args(["log", "TEST2001", "--json"]).run().ok().json();
    let rows = rows.as_array().unwrap();
    let events: Vec<&str> = rows.iter().map(|r| r["event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        ["imported", "imported", "order_and_payment_cancelled"]
    );
    assert!(rows.iter().all(|r| r["order_number"] == "TEST2001"));
    assert_eq!(rows[2]["actor"], "bob");
    assert!(is_timestamp(&rows[2]["at"]));

    let recent = t.args(["log", "--json"]).run().ok().json();
    let recent = recent.as_array().unwrap();
    assert_eq!(recent.len(), 21, "19 imported rows and 2 operations");
    let last_two: Vec<(&str, &str)> = recent[19..]
        .iter()
        .map(|r| (r["event"].as_str().unwrap(), r["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        last_two,
        [
            ("status_synchronized", "alice"),
            ("order_and_payment_cancelled", "bob")
        ]
    );
    let one = t.args(["log", "--json", "--limit", "1"]).run().ok().json();
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["order_number"], "TEST2001");

    t.args(["log"])
        .run()
        .ok()
        .stdout_has("order_and_payment_cancelled")
        .stdout_has("status_synchronized")
        .stdout_has("TEST2005")
        .stdout_has("bob");
    t.args(["log", "--limit", "0"]).run().code(2);
}

// ---------------------------------------------------------------------------
// demo
// ---------------------------------------------------------------------------

#[test]
fn demo_fills_a_fresh_file_with_the_seeds_inconsistencies() {
    let t = Tally::new();
    t.args(["demo", "--orders", "40"])
        .run()
        .ok()
        .stdout_has("40 orders")
        .stdout_has("TEST1014");
    assert_eq!(t.counts().0, 40);
    assert_eq!(t.counts().2, 0, "the demo writes no audit rows");
    t.show("TEST1040");
    t.args(["order", "show", "TEST1041"]).run().code(2);

    let s = t.show("TEST1014");
    assert_eq!(s["order"]["payment_status"], "paid");
    assert_eq!(s["payment"]["status"], "pending");
    let s = t.show("TEST1008");
    assert_eq!(s["order"]["payment_status"], "failed");
    assert_eq!(s["payment"]["status"], "pending");
    let s = t.show("TEST1001");
    assert_eq!(s["order"]["status"], "pending");
    assert_eq!(s["order"]["payment_status"], "pending");
    assert_eq!(s["payment"]["status"], "completed");

    // A realistic shop: both currencies, the three online providers.
    for (sql, what) in [
        ("SELECT count(*) FROM orders WHERE currency = 'EUR'", "EUR"),
        ("SELECT count(*) FROM orders WHERE currency = 'XOF'", "XOF"),
        (
            "SELECT count(*) FROM payments WHERE provider = 'stripe'",
            "stripe",
        ),
        (
            "SELECT count(*) FROM payments WHERE provider = 'paypal'",
            "paypal",
        ),
        (
            "SELECT count(*) FROM payments WHERE provider = 'wave'",
            "wave",
        ),
    ] {
        assert!(t.count(sql) > 0, "no {what} in the demo");
    }
}

#[test]
fn demo_without_flags_prints_a_summary() {
    let t = Tally::new();
    t.args(["demo"])
        .run()
        .ok()
        .stdout_has("demo shop in")
        .stdout_has("200 orders")
        .stdout_has("tally order show TEST1014");
    assert_eq!(t.counts().0, 200);
}

#[test]
fn demo_into_a_non_empty_database_is_an_error() {
    let t = Tally::with_shop();
    let before = t.export();
    t.args(["demo", "--orders", "40"])
        .run()
        .code(2)
        .stderr_has("already holds 10 orders");
    assert_eq!(t.export(), before);

    let t = Tally::with_demo(40);
    t.args(["demo", "--orders", "40"]).run().code(2);
    assert_eq!(t.counts().0, 40);
}

#[cfg(unix)]
#[test]
fn a_new_database_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let t = Tally::with_shop();
    assert_eq!(mode(&t.db), 0o600, "created by import");
    let t = Tally::with_demo(40);
    assert_eq!(mode(&t.db), 0o600, "created by demo");
}

// ---------------------------------------------------------------------------
// concurrency
// ---------------------------------------------------------------------------

/// Puts `numbers` back to an open order with a pending payment, directly in
/// the file (no `tally` process is running).
fn reset_to_pending(db: &Path, numbers: &[String]) {
    let mut conn = rusqlite::Connection::open(db).unwrap();
    let tx = conn.transaction().unwrap();
    for n in numbers {
        tx.execute(
            "UPDATE orders SET status = 'processing', payment_status = 'pending',
                    paid_at = NULL, cancelled_at = NULL
             WHERE number = ?1",
            [n],
        )
        .unwrap();
        tx.execute(
            "UPDATE payments SET status = 'pending', completed_at = NULL, refund_pending = 0
             WHERE order_id = (SELECT id FROM orders WHERE number = ?1)",
            [n],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn two_processes_write_one_file_at_once() {
    const PER_SIDE: usize = 100;
    const ROUNDS: usize = 3;
    // On the target directory's disk rather than /tmp (often tmpfs), so that
    // every commit's fsync takes real time and the two writers overlap.
    let t = Tally::in_dir(TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap());
    t.args(["demo", "--orders", "400"]).run().ok();

    let special: HashSet<&str> = tally::demo::SPECIAL.iter().map(|(n, _)| *n).collect();
    let eligible: Vec<String> = {
        let conn = rusqlite::Connection::open(&t.db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT o.number FROM orders o JOIN payments p ON p.order_id = o.id
                 WHERE o.status != 'cancelled' ORDER BY o.id",
            )
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .filter(|n| !special.contains(n.as_str()))
            .collect()
    };
    assert!(
        eligible.len() >= 2 * PER_SIDE,
        "{} eligible",
        eligible.len()
    );
    let bin = assert_cmd::cargo::cargo_bin("tally");

    let mut overlapping_rounds = 0;
    for round in 0..ROUNDS {
        // A different split each round.
        let mut pool = eligible.clone();
        pool.rotate_left(round * 67);
        let (cancel, validate) = (&pool[..PER_SIDE], &pool[PER_SIDE..2 * PER_SIDE]);
        reset_to_pending(&t.db, &pool[..2 * PER_SIDE]);
        let audit_before = t.counts().2;

        let spawn = |verb: &str, numbers: &[String], actor: &str| {
            std::process::Command::new(&bin)
                .current_dir(t.dir.path())
                .arg("--db")
                .arg(&t.db)
                .args(["--actor", actor, "order", verb])
                .args(numbers)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        // Both started before either is waited on.
        let mut canceller = spawn("cancel", cancel, "cron");
        let validator = spawn("validate", validate, "owner");
        if canceller.try_wait().unwrap().is_none() {
            overlapping_rounds += 1;
        }
        for (child, verb) in [(canceller, "cancelled"), (validator, "validated")] {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let context = format!(
                "round {round}, {verb}: {:?}\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}",
                out.status
            );
            assert_eq!(out.status.code(), Some(0), "{context}");
            for word in ["locked", "busy"] {
                assert!(
                    !stdout.to_lowercase().contains(word) && !stderr.to_lowercase().contains(word),
                    "{word}: {context}"
                );
            }
            assert!(
                stdout.contains(&format!("{PER_SIDE} {verb}, 0 skipped")),
                "{context}"
            );
        }

        let conn = rusqlite::Connection::open(&t.db).unwrap();
        let state = |n: &String| -> (String, String, String) {
            conn.query_row(
                "SELECT o.status, o.payment_status, p.status
                 FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.number = ?1",
                [n],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
        };
        for n in cancel {
            let (status, payment_status, payment) = state(n);
            assert_eq!(
                (status.as_str(), payment_status.as_str(), payment.as_str()),
                ("cancelled", "refunded", "cancelled"),
                "round {round}: {n} after cancel"
            );
        }
        for n in validate {
            let (status, payment_status, payment) = state(n);
            assert_eq!(
                (status.as_str(), payment_status.as_str(), payment.as_str()),
                ("processing", "paid", "completed"),
                "round {round}: {n} after validate"
            );
        }
        drop(conn);
        assert_eq!(
            t.counts().2,
            audit_before + 2 * PER_SIDE as i64,
            "round {round}: one audit row per change"
        );
    }
    assert!(
        overlapping_rounds > 0,
        "the first writer always finished before the second started: nothing was tested"
    );
}

// ---------------------------------------------------------------------------
// check / fix / resolve
// ---------------------------------------------------------------------------

fn finding_orders(report: &Value, key: &str, rule: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["order"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_seeds_scenario_three_findings_before_fix_none_after() {
    let t = Tally::with_shop();
    let before = t
        .args(["check", "--json", "--rule", "status_mismatch"])
        .run()
        .code(1)
        .json();
    assert_eq!(
        finding_orders(&before, "findings", "status_mismatch"),
        ["TEST1001", "TEST1008", "TEST1014"]
    );
    assert_eq!(before["counts"]["status_mismatch"], 3);
    for f in before["findings"].as_array().unwrap() {
        assert_eq!(f["fixable"], true);
        assert!(f["action"].as_str().unwrap().starts_with("set the"), "{f}");
    }

    let fixed = t
        .args(["check", "--fix", "--json", "--rule", "status_mismatch"])
        .actor("cron")
        .run()
        .ok()
        .json();
    assert_eq!(
        finding_orders(&fixed, "fixed", "status_mismatch"),
        ["TEST1001", "TEST1008", "TEST1014"]
    );
    assert_eq!(fixed["findings"].as_array().unwrap().len(), 0);
    for n in ["TEST1001", "TEST1008", "TEST1014"] {
        let show = t.show(n);
        let log = last_log(&show);
        assert_eq!(log["event"], "status_synchronized", "{n}");
        assert_eq!(log["actor"], "cron", "{n}");
    }
    // A second run has nothing to fix.
    let again = t
        .args(["fix", "--json", "--rule", "status_mismatch"])
        .run()
        .ok()
        .json();
    assert_eq!(again["fixed"].as_array().unwrap().len(), 0);
}

#[test]
fn dry_run_prints_the_plan_and_leaves_the_file_byte_identical() {
    let t = Tally::with_demo(300);
    let before = std::fs::read(&t.db).unwrap();
    let plan = t
        .args(["check", "--fix", "--dry-run", "--json"])
        .run()
        .code(1)
        .json();
    assert_eq!(
        finding_orders(&plan, "planned", "status_mismatch"),
        ["TEST1001", "TEST1008", "TEST1014"]
    );
    let which = plan["planned"][0]["fix"]["winner"].as_str().unwrap();
    assert!(which == "payment" || which == "order");
    assert!(plan.get("fixed").is_none());
    t.args(["fix", "--dry-run"])
        .run()
        .code(1)
        .stdout_has("Dry run")
        .stdout_has("nothing was written");
    assert!(std::fs::read(&t.db).unwrap() == before, "the file changed");
    assert!(
        !t.path("shop.db-wal").exists()
            || std::fs::metadata(t.path("shop.db-wal")).unwrap().len() == 0
    );
}

#[test]
fn check_exit_codes_and_quiet() {
    let t = Tally::with_demo(300);
    t.args(["check"])
        .run()
        .code(1)
        .stdout_has("status_mismatch");
    t.args(["check", "--order", "NOPE"])
        .run()
        .code(2)
        .stderr_has("NOPE");
    t.args(["check", "--rule", "bogus"])
        .run()
        .code(2)
        .stderr_has("status_mismatch");
    t.args(["check", "--stale-after", "soon"]).run().code(2);
    // Fixes made are printed even with --quiet; what remains is reported.
    t.args([
        "fix",
        "--quiet",
        "--rule",
        "status_mismatch",
        "--rule",
        "missing_timestamp",
    ])
    .actor("cron")
    .run()
    .ok()
    .stdout_has("Fixed 5 finding(s)");
    // Nothing remains: --quiet prints nothing, exit 0.
    let quiet = t
        .args(["check", "--quiet", "--rule", "status_mismatch"])
        .run()
        .ok();
    assert_eq!(quiet.stdout, "");
    // One order, all its rules.
    let one = t
        .args(["check", "--order", "TEST1030", "--json"])
        .run()
        .code(1)
        .json();
    assert_eq!(one["orders_checked"], 1);
    assert_eq!(finding_orders(&one, "findings", "disputed"), ["TEST1030"]);
}

#[test]
fn resolve_closes_a_finding_until_the_order_changes() {
    let t = Tally::with_demo(300);
    t.args([
        "resolve",
        "TEST1029",
        "refund_awaiting_provider",
        "--note",
        "refunded by Wave",
    ])
    .actor("alice")
    .run()
    .ok()
    .stdout_has("resolved");
    let report = t.args(["check", "--json"]).run().code(1).json();
    assert_eq!(
        finding_orders(&report, "findings", "refund_awaiting_provider"),
        ["TEST1028"]
    );
    let show = t.show("TEST1029");
    assert_eq!(last_log(&show)["event"], "finding_resolved");
    assert_eq!(last_log(&show)["actor"], "alice");
    // Fixable rules are not resolved by hand; absent findings are refused.
    t.args(["resolve", "TEST1001", "status_mismatch", "--note", "x"])
        .run()
        .code(2)
        .stderr_has("tally fix");
    t.args(["resolve", "TEST1050", "disputed", "--note", "x"])
        .run()
        .code(2)
        .stderr_has("no open disputed finding");
    // The payment changes again: the finding is back.
    t.args(["payment", "set-status", "TEST1029", "completed"])
        .run()
        .ok();
    t.args(["payment", "set-status", "TEST1029", "cancelled"])
        .run()
        .ok();
    let report = t.args(["check", "--json"]).run().code(1).json();
    assert_eq!(
        finding_orders(&report, "findings", "refund_awaiting_provider"),
        ["TEST1028", "TEST1029"]
    );
}

#[test]
fn fix_runs_while_another_process_writes_without_locking_errors() {
    let t = Tally::in_dir(TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap());
    t.args(["demo", "--orders", "3000"]).run().ok();
    // Many status mismatches on orders the other process does not touch.
    {
        let conn = rusqlite::Connection::open(&t.db).unwrap();
        conn.execute(
            "UPDATE orders SET payment_status = 'failed' WHERE id IN (
                SELECT order_id FROM payments WHERE status = 'completed' AND order_id > 1500)",
            [],
        )
        .unwrap();
    }
    let others: Vec<String> = (1100..1400).map(|n| format!("TEST{n}")).collect();
    let bin = assert_cmd::cargo::cargo_bin("tally");
    let spawn = |args: &[&str], extra: &[String]| {
        std::process::Command::new(&bin)
            .arg("--db")
            .arg(&t.db)
            .args(args)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let fixer = spawn(
        &[
            "--actor",
            "cron",
            "fix",
            "--quiet",
            "--rule",
            "status_mismatch",
        ],
        &[],
    );
    let writer = spawn(&["--actor", "owner", "order", "cancel"], &others);
    for (child, name) in [(fixer, "fix"), (writer, "cancel")] {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let all = format!("{stdout}{stderr}").to_lowercase();
        assert!(
            !all.contains("locked") && !all.contains("busy"),
            "{name}: {all}"
        );
        // The cancel skips the demo's already-cancelled orders (exit 1).
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{name}: {:?}\n{all}",
            out.status
        );
        assert!(stderr.is_empty(), "{name}: {stderr}");
    }
    let left = t
        .args(["check", "--json", "--rule", "status_mismatch"])
        .run()
        .json();
    assert_eq!(left["counts"]["status_mismatch"], 0, "{left}");
    assert_eq!(
        t.count("SELECT count(*) FROM orders WHERE number BETWEEN 'TEST1100' AND 'TEST1399' AND status != 'cancelled'"),
        0
    );
}

// ---------------------------------------------------------------------------
// backup, completions, man
// ---------------------------------------------------------------------------

#[test]
fn backup_writes_a_consistent_private_copy_while_another_process_writes() {
    let t = Tally::in_dir(TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap());
    t.args(["demo", "--orders", "2000"]).run().ok();
    let bin = assert_cmd::cargo::cargo_bin("tally");
    let numbers: Vec<String> = (1100..1700).map(|n| format!("TEST{n}")).collect();
    let writer = std::process::Command::new(&bin)
        .arg("--db")
        .arg(&t.db)
        .args(["order", "cancel"])
        .args(&numbers)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let copy = t.path("backup.db");
    t.args(["backup"])
        .arg(&copy)
        .run()
        .ok()
        .stdout_has("backup of");
    let out = writer.wait_with_output().unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let conn = rusqlite::Connection::open(&copy).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let orders: i64 = conn
        .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert_eq!(orders, 2000);
    // Every cancelled order in the copy is whole: both sides changed.
    let torn: i64 = conn
        .query_row(
            "SELECT count(*) FROM orders o JOIN payments p ON p.order_id = o.id
             WHERE o.number BETWEEN 'TEST1100' AND 'TEST1699'
               AND (o.status = 'cancelled') <> (p.status = 'cancelled')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(torn, 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never overwrites.
    t.args(["backup"])
        .arg(&copy)
        .run()
        .code(2)
        .stderr_has("already exists");
}

#[test]
fn completions_and_man_page_are_generated() {
    let t = Tally::new();
    for shell in ["bash", "zsh", "fish"] {
        t.args(["completions", shell])
            .run()
            .ok()
            .stdout_has("check");
    }
    t.args(["completions", "tcsh"]).run().code(2);
    t.args(["man"]).run().ok().stdout_has(".TH tally 1");
    assert!(!t.db.exists());
}
