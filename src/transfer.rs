//! Import and export of orders and payments, in JSON and CSV.
//!
//! The format (README, "Import format"): amounts are decimal strings in major
//! units, timestamps RFC 3339. JSON holds `orders` and `payments` arrays; CSV
//! comes as an orders file and a payments file with the same field names as
//! header row, the kind recognised from the header.
//!
//! # All or nothing
//! Every row of every file is validated before anything is written; any
//! problem (named by file, row and field) means nothing is imported. The
//! valid set is then written in one `BEGIN IMMEDIATE` transaction.
//! Re-importing updates orders by number and payments by order, never
//! duplicating them; a row identical to what is stored changes nothing.
//!
//! # Round trip
//! [`export_json`] and [`export_csv`] write every field the import reads,
//! including the provider-reported ones (captured amount, charge id, refunds,
//! dispute), so export → import reproduces the shop.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::Write;
use std::path::Path;

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::domain::{
    AuditEntry, Currency, Money, OrderPaymentStatus, OrderStatus, PaymentStatus, Provider,
    Timestamp, format_ts, parse_ts,
};
use crate::store::{Store, queries};

/// Audit event of a row created or changed by an import.
pub const EVENT_IMPORT: &str = "imported";

/// One thing wrong with one field of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// `orders[3]`, `payments[0]` (JSON) or `line 4` (CSV).
    pub row: String,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.row)?;
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("{} problem(s), nothing imported:\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// A validated order row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub number: String,
    pub customer_name: String,
    pub customer_email: String,
    pub total: Money,
    pub status: OrderStatus,
    pub payment_status: OrderPaymentStatus,
    pub created_at: Timestamp,
    pub updated_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
}

/// A validated payment row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPayment {
    /// Where the row came from (file, row), for problems only the database
    /// can reveal.
    pub source: (String, String),
    pub order: String,
    pub provider: Provider,
    pub reference: Option<String>,
    pub amount: Money,
    pub status: PaymentStatus,
    pub created_at: Timestamp,
    pub updated_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub provider_status: Option<String>,
    pub captured: Option<Money>,
    pub charge_id: Option<String>,
    pub refunded_minor: i64,
    pub refund_pending: bool,
    pub disputed: bool,
}

/// Everything to import, validated.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportSet {
    pub orders: Vec<NewOrder>,
    pub payments: Vec<NewPayment>,
}

const ORDER_FIELDS: &[&str] = &[
    "number",
    "customer_name",
    "customer_email",
    "total",
    "currency",
    "status",
    "payment_status",
    "created_at",
    "updated_at",
    "paid_at",
    "cancelled_at",
];
const PAYMENT_FIELDS: &[&str] = &[
    "order",
    "provider",
    "reference",
    "amount",
    "currency",
    "status",
    "created_at",
    "updated_at",
    "completed_at",
    "provider_status",
    "captured_amount",
    "captured_currency",
    "charge_id",
    "refunded_amount",
    "refund_pending",
    "disputed",
];

/// One row as field → text, whatever file it came from; absent and empty
/// fields are `None`.
struct RawRow {
    file: String,
    row: String,
    fields: BTreeMap<String, Option<String>>,
    problems: Vec<Problem>,
}

impl RawRow {
    fn problem(&mut self, field: Option<&str>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.clone(),
            row: self.row.clone(),
            field: field.map(str::to_owned),
            message: message.into(),
        });
    }

    fn check_known(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self
            .fields
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect();
        for field in unknown {
            self.problem(
                Some(&field),
                format!("unknown field (known fields: {})", known.join(", ")),
            );
        }
    }

    fn optional(&self, field: &str) -> Option<String> {
        self.fields
            .get(field)
            .cloned()
            .flatten()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    fn required(&mut self, field: &str) -> Option<String> {
        let value = self.optional(field);
        let reported = self
            .problems
            .iter()
            .any(|p| p.field.as_deref() == Some(field));
        if value.is_none() && !reported {
            self.problem(Some(field), "missing (required)");
        }
        value
    }

    fn parse<T: std::str::FromStr>(&mut self, field: &str, required: bool) -> Option<T>
    where
        T::Err: fmt::Display,
    {
        let text = if required {
            self.required(field)?
        } else {
            self.optional(field)?
        };
        match text.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(Some(field), e.to_string());
                None
            }
        }
    }

    fn time(&mut self, field: &str, required: bool) -> Option<Timestamp> {
        let text = if required {
            self.required(field)?
        } else {
            self.optional(field)?
        };
        match parse_ts(&text) {
            Ok(t) => Some(t),
            Err(e) => {
                self.problem(
                    Some(field),
                    format!(
                        "{text:?} is not an RFC 3339 timestamp (e.g. 2026-11-01T10:00:00Z): {e}"
                    ),
                );
                None
            }
        }
    }

    fn money(&mut self, field: &str, currency: Option<Currency>, required: bool) -> Option<Money> {
        let text = if required {
            self.required(field)?
        } else {
            self.optional(field)?
        };
        match Money::parse(&text, currency?) {
            Ok(m) => Some(m),
            Err(e) => {
                self.problem(Some(field), e.to_string());
                None
            }
        }
    }

    fn flag(&mut self, field: &str) -> Option<bool> {
        match self.optional(field).as_deref() {
            None | Some("false") | Some("0") => Some(false),
            Some("true") | Some("1") => Some(true),
            Some(other) => {
                self.problem(
                    Some(field),
                    format!("{other:?} is not a boolean (valid values: true, false)"),
                );
                None
            }
        }
    }

    fn into_order(mut self) -> Result<NewOrder, Vec<Problem>> {
        self.check_known(ORDER_FIELDS);
        let number = self.required("number");
        let customer_name = self.required("customer_name");
        let customer_email = self.required("customer_email");
        if let Some(email) = &customer_email
            && !email.contains('@')
        {
            let msg = format!("{email:?} is not an email address");
            self.problem(Some("customer_email"), msg);
        }
        let currency = self.parse::<Currency>("currency", true);
        let total = self.money("total", currency, true);
        let status = self.parse("status", true);
        let payment_status = self.parse("payment_status", true);
        let created_at = self.time("created_at", true);
        let updated_at = self.time("updated_at", false);
        let paid_at = self.time("paid_at", false);
        let cancelled_at = self.time("cancelled_at", false);
        match (
            number,
            customer_name,
            customer_email,
            total,
            status,
            payment_status,
            created_at,
        ) {
            (
                Some(number),
                Some(customer_name),
                Some(customer_email),
                Some(total),
                Some(status),
                Some(payment_status),
                Some(created_at),
            ) if self.problems.is_empty() => Ok(NewOrder {
                number,
                customer_name,
                customer_email,
                total,
                status,
                payment_status,
                created_at,
                updated_at,
                paid_at,
                cancelled_at,
            }),
            _ => Err(self.problems),
        }
    }

    fn into_payment(mut self) -> Result<NewPayment, Vec<Problem>> {
        self.check_known(PAYMENT_FIELDS);
        let order = self.required("order");
        let provider = self.parse("provider", true);
        let reference = self.optional("reference");
        let currency = self.parse::<Currency>("currency", true);
        let amount = self.money("amount", currency, true);
        let status = self.parse("status", true);
        let created_at = self.time("created_at", true);
        let updated_at = self.time("updated_at", false);
        let completed_at = self.time("completed_at", false);
        let provider_status = self.optional("provider_status");
        let captured_currency = match self.optional("captured_currency") {
            Some(_) => self.parse::<Currency>("captured_currency", false),
            None => currency,
        };
        let captured = self.money("captured_amount", captured_currency, false);
        let charge_id = self.optional("charge_id");
        let refunded = self.money("refunded_amount", currency, false);
        let refund_pending = self.flag("refund_pending");
        let disputed = self.flag("disputed");
        match (
            order,
            provider,
            amount,
            status,
            created_at,
            refund_pending,
            disputed,
        ) {
            (
                Some(order),
                Some(provider),
                Some(amount),
                Some(status),
                Some(created_at),
                Some(refund_pending),
                Some(disputed),
            ) if self.problems.is_empty() => Ok(NewPayment {
                source: (self.file.clone(), self.row.clone()),
                order,
                provider,
                reference,
                amount,
                status,
                created_at,
                updated_at,
                completed_at,
                provider_status,
                captured,
                charge_id,
                refunded_minor: refunded.map_or(0, |m| m.minor()),
                refund_pending,
                disputed,
            }),
            _ => Err(self.problems),
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Orders,
    Payments,
}

/// Reads one file into raw rows, or a problem naming why it cannot be read.
fn read_file(path: &Path) -> Result<Vec<(Kind, RawRow)>, TransferError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TransferError::Read {
        path: name.clone(),
        source,
    })?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    parse_rows(&name, &bytes, json)
}

/// Splits one file's bytes into raw rows: JSON when `json` or when the text
/// starts with `{`, CSV otherwise.
fn parse_rows(name: &str, bytes: &[u8], json: bool) -> Result<Vec<(Kind, RawRow)>, TransferError> {
    let file_problem = |message: String| {
        TransferError::Invalid(vec![Problem {
            file: name.to_owned(),
            row: "file".to_owned(),
            field: None,
            message,
        }])
    };
    if json || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        let doc: Value = serde_json::from_slice(bytes)
            .map_err(|e| file_problem(format!("not valid JSON: {e}")))?;
        json_rows(name, doc).map_err(file_problem)
    } else {
        csv_rows(name, bytes).map_err(file_problem)
    }
}

fn json_rows(name: &str, doc: Value) -> Result<Vec<(Kind, RawRow)>, String> {
    let Value::Object(mut top) = doc else {
        return Err("expected a JSON object with \"orders\" and/or \"payments\" arrays".into());
    };
    let mut rows = Vec::new();
    for (key, kind) in [("orders", Kind::Orders), ("payments", Kind::Payments)] {
        let list = match top.remove(key) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(list)) => list,
            Some(_) => return Err(format!("\"{key}\" must be an array")),
        };
        for (i, item) in list.into_iter().enumerate() {
            let mut raw = RawRow {
                file: name.to_owned(),
                row: format!("{key}[{i}]"),
                fields: BTreeMap::new(),
                problems: Vec::new(),
            };
            match item {
                Value::Object(map) => {
                    for (field, value) in map {
                        let text = match value {
                            Value::Null => None,
                            Value::String(s) => Some(s),
                            Value::Bool(b) => Some(b.to_string()),
                            other => {
                                raw.problem(
                                    Some(&field),
                                    format!(
                                        "expected a string, found {other} (amounts are decimal strings such as \"89.90\")"
                                    ),
                                );
                                continue;
                            }
                        };
                        raw.fields.insert(field, text);
                    }
                }
                _ => raw.problem(None, "expected an object"),
            }
            rows.push((kind, raw));
        }
    }
    if let Some(extra) = top.keys().next() {
        return Err(format!(
            "unknown top-level key {extra:?} (expected \"orders\" and \"payments\")"
        ));
    }
    Ok(rows)
}

fn csv_rows(name: &str, bytes: &[u8]) -> Result<Vec<(Kind, RawRow)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("cannot read the CSV header: {e}"))?
        .clone();
    let has = |h: &str| headers.iter().any(|x| x == h);
    let kind = if has("number") {
        Kind::Orders
    } else if has("order") && has("provider") {
        Kind::Payments
    } else {
        return Err(
            "unrecognised CSV header: an orders file has a \"number\" column, a payments file \"order\" and \"provider\" columns"
                .into(),
        );
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("malformed CSV: {e}"))?;
        let line = record.position().map_or(0, |p| p.line());
        let fields = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.to_owned(), Some(v.to_owned())))
            .collect();
        rows.push((
            kind,
            RawRow {
                file: name.to_owned(),
                row: format!("line {line}"),
                fields,
                problems: Vec::new(),
            },
        ));
    }
    Ok(rows)
}

/// Reads and validates every file; any problem anywhere fails the whole set.
pub fn read_files(paths: &[&Path]) -> Result<ImportSet, TransferError> {
    validate(paths.iter().map(|p| read_file(p)))
}

/// Validates one document held in memory (JSON, or CSV), named `name` in
/// problems.
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<ImportSet, TransferError> {
    validate(std::iter::once(parse_rows(name, bytes, false)))
}

fn validate(
    files: impl Iterator<Item = Result<Vec<(Kind, RawRow)>, TransferError>>,
) -> Result<ImportSet, TransferError> {
    let mut set = ImportSet::default();
    let mut problems = Vec::new();
    let mut order_rows: HashMap<String, String> = HashMap::new();
    let mut payment_rows: HashMap<String, String> = HashMap::new();
    let mut references: HashMap<(Provider, String), String> = HashMap::new();
    for file in files {
        let rows = match file {
            Ok(rows) => rows,
            Err(TransferError::Invalid(p)) => {
                problems.extend(p);
                continue;
            }
            Err(e) => return Err(e),
        };
        for (kind, raw) in rows {
            let (file, row) = (raw.file.clone(), raw.row.clone());
            let dup = |field: &str, what: &str, first: &str| Problem {
                file: file.clone(),
                row: row.clone(),
                field: Some(field.to_owned()),
                message: format!("{what} already appears at {first}"),
            };
            match kind {
                Kind::Orders => match raw.into_order() {
                    Ok(o) => {
                        let at = format!("{file}: {row}");
                        if let Some(first) = order_rows.insert(o.number.clone(), at) {
                            problems.push(dup("number", &format!("order {}", o.number), &first));
                        }
                        set.orders.push(o);
                    }
                    Err(p) => problems.extend(p),
                },
                Kind::Payments => match raw.into_payment() {
                    Ok(p) => {
                        let at = format!("{file}: {row}");
                        if let Some(first) = payment_rows.insert(p.order.clone(), at.clone()) {
                            problems.push(dup(
                                "order",
                                &format!("a payment for order {}", p.order),
                                &first,
                            ));
                        }
                        if let Some(r) = &p.reference
                            && let Some(first) = references.insert((p.provider, r.clone()), at)
                        {
                            problems.push(dup(
                                "reference",
                                &format!("{} reference {r}", p.provider),
                                &first,
                            ));
                        }
                        set.payments.push(p);
                    }
                    Err(p) => problems.extend(p),
                },
            }
        }
    }
    if problems.is_empty() {
        Ok(set)
    } else {
        Err(TransferError::Invalid(problems))
    }
}

/// Checks what only the database can tell: every payment's order exists in
/// the set or the database, and no reference belongs to another order.
pub fn check_against_db(conn: &Connection, set: &ImportSet) -> Result<(), TransferError> {
    let numbers: HashSet<&str> = set.orders.iter().map(|o| o.number.as_str()).collect();
    let mut problems = Vec::new();
    for p in &set.payments {
        let problem = |field: &str, message: String| Problem {
            file: p.source.0.clone(),
            row: p.source.1.clone(),
            field: Some(field.to_owned()),
            message,
        };
        if !numbers.contains(p.order.as_str())
            && queries::order_by_number(conn, &p.order)?.is_none()
        {
            problems.push(problem(
                "order",
                format!(
                    "order {:?} is neither in the import nor in the database",
                    p.order
                ),
            ));
        }
        if let Some(r) = &p.reference
            && let Some(other) = queries::order_number_for_reference(conn, p.provider, r)?
            && other != p.order
        {
            problems.push(problem(
                "reference",
                format!(
                    "{} reference {r:?} already belongs to order {other}",
                    p.provider
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(TransferError::Invalid(problems))
    }
}

/// How many rows an import created and changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub orders_created: usize,
    pub orders_updated: usize,
    pub payments_created: usize,
    pub payments_updated: usize,
    pub unchanged: usize,
}

/// Writes a validated set in one transaction, auditing every created or
/// changed row.
pub fn import(
    store: &mut Store,
    set: &ImportSet,
    actor: &str,
    now: Timestamp,
) -> Result<ImportSummary, TransferError> {
    store.write(|tx| {
        check_against_db(tx, set)?;
        let mut summary = ImportSummary::default();
        for o in &set.orders {
            upsert_order(tx, o, actor, now, &mut summary)?;
        }
        for p in &set.payments {
            upsert_payment(tx, p, actor, now, &mut summary)?;
        }
        Ok(summary)
    })
}

/// The audit row of an imported order or payment; `sides` are the old and
/// new order status, order payment status and payment status.
fn import_entry(
    number: &str,
    actor: &str,
    now: Timestamp,
    sides: [Option<String>; 6],
    details: Value,
) -> AuditEntry {
    let [oo, no, oop, nop, op, np] = sides;
    AuditEntry {
        at: format_ts(now),
        order_number: Some(number.to_owned()),
        event: EVENT_IMPORT.to_owned(),
        actor: actor.to_owned(),
        old_order_status: oo,
        new_order_status: no,
        old_order_payment_status: oop,
        new_order_payment_status: nop,
        old_payment_status: op,
        new_payment_status: np,
        details,
    }
}

fn upsert_order(
    conn: &Connection,
    o: &NewOrder,
    actor: &str,
    now: Timestamp,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    let existing = queries::order_by_number(conn, &o.number)?;
    let updated_at = o.updated_at.unwrap_or(now);
    match existing {
        None => {
            conn.prepare_cached(
                "INSERT INTO orders (number, customer_name, customer_email, total_minor, currency,
                        status, payment_status, created_at, updated_at, paid_at, cancelled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                o.number,
                o.customer_name,
                o.customer_email,
                o.total.minor(),
                o.total.currency(),
                o.status,
                o.payment_status,
                format_ts(o.created_at),
                format_ts(updated_at),
                o.paid_at.map(format_ts),
                o.cancelled_at.map(format_ts),
            ])?;
            let id = conn.last_insert_rowid();
            summary.orders_created += 1;
            let sides = [
                None,
                Some(o.status.to_string()),
                None,
                Some(o.payment_status.to_string()),
                None,
                None,
            ];
            queries::insert_audit(
                conn,
                Some(id),
                None,
                &import_entry(&o.number, actor, now, sides, json!({"created": "order"})),
            )
        }
        Some(e) => {
            let same = e.customer_name == o.customer_name
                && e.customer_email == o.customer_email
                && e.total == o.total
                && e.status == o.status
                && e.payment_status == o.payment_status
                && e.created_at == o.created_at
                && o.updated_at.is_none_or(|u| u == e.updated_at)
                && e.paid_at == o.paid_at
                && e.cancelled_at == o.cancelled_at;
            if same {
                summary.unchanged += 1;
                return Ok(());
            }
            conn.prepare_cached(
                "UPDATE orders SET customer_name = ?2, customer_email = ?3, total_minor = ?4,
                        currency = ?5, status = ?6, payment_status = ?7, created_at = ?8,
                        updated_at = ?9, paid_at = ?10, cancelled_at = ?11
                 WHERE id = ?1",
            )?
            .execute(params![
                e.id,
                o.customer_name,
                o.customer_email,
                o.total.minor(),
                o.total.currency(),
                o.status,
                o.payment_status,
                format_ts(o.created_at),
                format_ts(updated_at),
                o.paid_at.map(format_ts),
                o.cancelled_at.map(format_ts),
            ])?;
            summary.orders_updated += 1;
            let sides = [
                Some(e.status.to_string()),
                Some(o.status.to_string()),
                Some(e.payment_status.to_string()),
                Some(o.payment_status.to_string()),
                None,
                None,
            ];
            queries::insert_audit(
                conn,
                Some(e.id),
                None,
                &import_entry(&o.number, actor, now, sides, json!({"updated": "order"})),
            )
        }
    }
}

fn upsert_payment(
    conn: &Connection,
    p: &NewPayment,
    actor: &str,
    now: Timestamp,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    let order =
        queries::order_by_number(conn, &p.order)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let existing = queries::payment_for_order(conn, order.id)?;
    let updated_at = p.updated_at.unwrap_or(now);
    let values = params![
        order.id,
        p.provider,
        p.reference,
        p.amount.minor(),
        p.amount.currency(),
        p.status,
        p.provider_status,
        format_ts(p.created_at),
        format_ts(updated_at),
        p.completed_at.map(format_ts),
        p.captured.map(|m| m.minor()),
        p.captured.map(|m| m.currency()),
        p.charge_id,
        p.refunded_minor,
        p.refund_pending,
        p.disputed,
    ];
    match existing {
        None => {
            conn.prepare_cached(
                "INSERT INTO payments (order_id, provider, reference, amount_minor, currency, status,
                        provider_status, created_at, updated_at, completed_at, captured_minor,
                        captured_currency, charge_id, refunded_minor, refund_pending, disputed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )?
            .execute(values)?;
            let id = conn.last_insert_rowid();
            summary.payments_created += 1;
            let sides = [None, None, None, None, None, Some(p.status.to_string())];
            queries::insert_audit(
                conn,
                Some(order.id),
                Some(id),
                &import_entry(&p.order, actor, now, sides, json!({"created": "payment"})),
            )
        }
        Some(e) => {
            let same = e.provider == p.provider
                && e.reference == p.reference
                && e.amount == p.amount
                && e.status == p.status
                && e.provider_status == p.provider_status
                && e.created_at == p.created_at
                && p.updated_at.is_none_or(|u| u == e.updated_at)
                && e.completed_at == p.completed_at
                && e.captured == p.captured
                && e.charge_id == p.charge_id
                && e.refunded_minor == p.refunded_minor
                && e.refund_pending == p.refund_pending
                && e.disputed == p.disputed;
            if same {
                summary.unchanged += 1;
                return Ok(());
            }
            conn.prepare_cached(
                "UPDATE payments SET provider = ?2, reference = ?3, amount_minor = ?4, currency = ?5,
                        status = ?6, provider_status = ?7, created_at = ?8, updated_at = ?9,
                        completed_at = ?10, captured_minor = ?11, captured_currency = ?12,
                        charge_id = ?13, refunded_minor = ?14, refund_pending = ?15, disputed = ?16,
                        status_source = 'owner'
                 WHERE order_id = ?1",
            )?
            .execute(values)?;
            summary.payments_updated += 1;
            let sides = [
                None,
                None,
                None,
                None,
                Some(e.status.to_string()),
                Some(p.status.to_string()),
            ];
            queries::insert_audit(
                conn,
                Some(order.id),
                Some(e.id),
                &import_entry(&p.order, actor, now, sides, json!({"updated": "payment"})),
            )
        }
    }
}

/// An order as exported: the import format's field names.
#[derive(Debug, Serialize)]
struct OrderOut {
    number: String,
    customer_name: String,
    customer_email: String,
    total: String,
    currency: String,
    status: OrderStatus,
    payment_status: OrderPaymentStatus,
    created_at: String,
    updated_at: String,
    paid_at: Option<String>,
    cancelled_at: Option<String>,
}

/// A payment as exported.
#[derive(Debug, Serialize)]
struct PaymentOut {
    order: String,
    provider: Provider,
    reference: Option<String>,
    amount: String,
    currency: String,
    status: PaymentStatus,
    created_at: String,
    updated_at: String,
    completed_at: Option<String>,
    provider_status: Option<String>,
    captured_amount: Option<String>,
    captured_currency: Option<String>,
    charge_id: Option<String>,
    refunded_amount: Option<String>,
    refund_pending: bool,
    disputed: bool,
}

fn each_order(
    conn: &Connection,
    mut f: impl FnMut(OrderOut) -> Result<(), TransferError>,
) -> Result<(), TransferError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM orders o ORDER BY o.id",
        queries::ORDER_COLUMNS
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let o = queries::order_from_row(row, 0)?;
        f(OrderOut {
            number: o.number,
            customer_name: o.customer_name,
            customer_email: o.customer_email,
            total: o.total.decimal(),
            currency: o.total.currency().to_string(),
            status: o.status,
            payment_status: o.payment_status,
            created_at: format_ts(o.created_at),
            updated_at: format_ts(o.updated_at),
            paid_at: o.paid_at.map(format_ts),
            cancelled_at: o.cancelled_at.map(format_ts),
        })?;
    }
    Ok(())
}

fn each_payment(
    conn: &Connection,
    mut f: impl FnMut(PaymentOut) -> Result<(), TransferError>,
) -> Result<(), TransferError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT o.number, {} FROM payments p JOIN orders o ON o.id = p.order_id ORDER BY p.id",
        queries::PAYMENT_COLUMNS
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let number: String = row.get(0)?;
        let p = queries::payment_from_row(row, 1)?;
        let refunded = Money::from_minor(p.refunded_minor, p.amount.currency())
            .ok()
            .filter(|m| m.minor() > 0);
        f(PaymentOut {
            order: number,
            provider: p.provider,
            reference: p.reference,
            amount: p.amount.decimal(),
            currency: p.amount.currency().to_string(),
            status: p.status,
            created_at: format_ts(p.created_at),
            updated_at: format_ts(p.updated_at),
            completed_at: p.completed_at.map(format_ts),
            provider_status: p.provider_status,
            captured_amount: p.captured.map(|m| m.decimal()),
            captured_currency: p.captured.map(|m| m.currency().to_string()),
            charge_id: p.charge_id,
            refunded_amount: refunded.map(|m| m.decimal()),
            refund_pending: p.refund_pending,
            disputed: p.disputed,
        })?;
    }
    Ok(())
}

/// Streams the whole shop as one JSON document in the import format.
pub fn export_json(store: &mut Store, out: &mut dyn Write) -> Result<(), TransferError> {
    let io = |source| TransferError::Write {
        path: "output".into(),
        source,
    };
    store.read(|tx| {
        out.write_all(b"{\n  \"orders\": [").map_err(io)?;
        let mut first = true;
        each_order(tx, |o| {
            out.write_all(if first { b"\n    " } else { b",\n    " })
                .map_err(io)?;
            first = false;
            serde_json::to_writer(&mut *out, &o)?;
            Ok(())
        })?;
        out.write_all(b"\n  ],\n  \"payments\": [").map_err(io)?;
        first = true;
        each_payment(tx, |p| {
            out.write_all(if first { b"\n    " } else { b",\n    " })
                .map_err(io)?;
            first = false;
            serde_json::to_writer(&mut *out, &p)?;
            Ok(())
        })?;
        out.write_all(b"\n  ]\n}\n").map_err(io)?;
        Ok(())
    })
}

/// Writes `orders.csv` and `payments.csv` into `dir`.
pub fn export_csv(store: &mut Store, dir: &Path) -> Result<(), TransferError> {
    std::fs::create_dir_all(dir).map_err(|source| TransferError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let mut orders = csv::Writer::from_path(dir.join("orders.csv"))?;
    let mut payments = csv::Writer::from_path(dir.join("payments.csv"))?;
    store.read(|tx| {
        each_order(tx, |o| Ok(orders.serialize(o)?))?;
        each_payment(tx, |p| Ok(payments.serialize(p)?))
    })?;
    orders.flush().map_err(|source| TransferError::Write {
        path: "orders.csv".into(),
        source,
    })?;
    payments.flush().map_err(|source| TransferError::Write {
        path: "payments.csv".into(),
        source,
    })?;
    Ok(())
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn field_value() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            "\\PC{0,12}".prop_map(Value::String),
            prop::sample::select(vec![
                "89.90",
                "45000",
                "45000.5",
                "EUR",
                "xof",
                "paid",
                "stripe",
                "2026-11-01T10:00:00Z",
                "TEST1001",
                "a@b.c"
            ])
            .prop_map(|s| json!(s)),
        ]
    }

    fn row() -> impl Strategy<Value = serde_json::Map<String, Value>> {
        let names = prop::sample::select(
            ORDER_FIELDS
                .iter()
                .chain(PAYMENT_FIELDS)
                .copied()
                .chain(["bogus"])
                .collect::<Vec<_>>(),
        );
        prop::collection::btree_map(names, field_value(), 0..12)
            .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    proptest! {
        #[test]
        fn any_bytes_give_a_set_or_problems(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = read_bytes("fuzz", &bytes);
        }

        #[test]
        fn any_json_rows_give_a_set_or_problems(
            orders in prop::collection::vec(row(), 0..4),
            payments in prop::collection::vec(row(), 0..4),
        ) {
            let doc = json!({"orders": orders, "payments": payments}).to_string();
            match read_bytes("fuzz.json", doc.as_bytes()) {
                Ok(set) => {
                    // A valid set imports into an empty shop, or is refused
                    // for payments whose order is missing; never a panic.
                    let mut store = Store::open_in_memory().unwrap();
                    let _ = import(&mut store, &set, "fuzz", chrono::Utc::now());
                }
                Err(TransferError::Invalid(problems)) => prop_assert!(!problems.is_empty()),
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }

        #[test]
        fn any_csv_gives_a_set_or_problems(
            header in prop::sample::subsequence(ORDER_FIELDS.to_vec(), 0..ORDER_FIELDS.len()),
            cells in prop::collection::vec("[^\\n]{0,10}", 0..30),
        ) {
            let mut text = header.join(",");
            text.push('\n');
            text.push_str(&cells.join(","));
            let _ = read_bytes("fuzz.csv", text.as_bytes());
        }
    }
}
