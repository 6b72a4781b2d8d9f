//! [`Reader`]: the read-only handle the store hands out, and the reads
//! every room shares (an order by number, its payment, its audit trail).
//!
//! A `Reader` prepares only statements SQLite reports as read-only
//! (`sqlite3_stmt_readonly`); anything else is refused with
//! `rusqlite::Error::InvalidQuery` before it runs. So a mode that needs
//! reads of its own (the dashboard's keyset pages and search, the report's
//! set-based scan) writes its SELECTs against the schema, and every write
//! still goes through a [`Writer`](super::Writer) method.

use rusqlite::{CachedStatement, Connection, OptionalExtension, Params, Row, Statement, params};

use super::rows::{ORDER_COLUMNS, ORDER_WIDTH, PAYMENT_COLUMNS, order_from_row, payment_from_row};
use crate::domain::{AuditEntry, EventState, Order, Payment, Provider, Timestamp, format_ts};

/// A read-only view of the database: in autocommit mode from
/// [`Store::reader`](super::Store::reader), or inside a transaction.
#[derive(Clone, Copy)]
pub struct Reader<'c> {
    pub(super) conn: &'c Connection,
}

impl<'c> Reader<'c> {
    /// A cached read-only statement.
    pub fn prepare_cached(&self, sql: &str) -> rusqlite::Result<CachedStatement<'c>> {
        let stmt = self.conn.prepare_cached(sql)?;
        if stmt.readonly() {
            Ok(stmt)
        } else {
            Err(rusqlite::Error::InvalidQuery)
        }
    }

    /// A read-only statement, not cached (a query built once per run).
    pub fn prepare(&self, sql: &str) -> rusqlite::Result<Statement<'c>> {
        let stmt = self.conn.prepare(sql)?;
        if stmt.readonly() {
            Ok(stmt)
        } else {
            Err(rusqlite::Error::InvalidQuery)
        }
    }

    /// Runs a read-only query that returns one row.
    pub fn query_row<T, P: Params, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// `PRAGMA data_version`: changes when another connection commits.
    pub fn data_version(&self) -> rusqlite::Result<i64> {
        self.conn
            .pragma_query_value(None, "data_version", |r| r.get(0))
    }

    /// Calls `handler` every `n` virtual machine steps of this connection's
    /// queries; a handler that returns `true` interrupts the query (a time
    /// budget for a read). `n` = 0 removes it.
    pub fn progress_handler<F>(
        &self,
        n: std::ffi::c_int,
        handler: Option<F>,
    ) -> rusqlite::Result<()>
    where
        F: FnMut() -> bool + Send + 'static,
    {
        self.conn.progress_handler(n, handler)
    }

    /// A handle that interrupts this connection's running query from
    /// another thread.
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn.get_interrupt_handle()
    }

    pub fn order_by_number(&self, number: &str) -> rusqlite::Result<Option<Order>> {
        self.prepare_cached(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders o WHERE o.number = ?1"
        ))?
        .query_row([number], |r| order_from_row(r, 0))
        .optional()
    }

    pub fn order_by_id(&self, id: i64) -> rusqlite::Result<Option<Order>> {
        self.prepare_cached(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders o WHERE o.id = ?1"
        ))?
        .query_row([id], |r| order_from_row(r, 0))
        .optional()
    }

    /// The order's main payment: the one that keeps money (the first of
    /// them: a later one is the double charge to refund), else the latest
    /// attempt. It is what `order show` puts under `payment` and what the
    /// operations act on by default.
    pub fn payment_for_order(&self, order_id: i64) -> rusqlite::Result<Option<Payment>> {
        self.prepare_cached(&format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.order_id = ?1
             ORDER BY {MAIN_PAYMENT_ORDER}
             LIMIT 1"
        ))?
        .query_row([order_id], |r| payment_from_row(r, 0))
        .optional()
    }

    /// The order number that holds a payment with this provider and reference.
    pub fn order_number_for_reference(
        &self,
        provider: Provider,
        reference: &str,
    ) -> rusqlite::Result<Option<String>> {
        self.prepare_cached(
            "SELECT o.number FROM payments p JOIN orders o ON o.id = p.order_id
             WHERE p.provider = ?1 AND p.reference = ?2",
        )?
        .query_row(params![provider, reference], |r| r.get(0))
        .optional()
    }

    /// The first payment of `provider` holding `value` as its reference
    /// ([`PaymentKey::Reference`]) or its charge id, with its order.
    pub fn payment_by_key(
        &self,
        key: PaymentKey,
        provider: Provider,
        value: &str,
    ) -> rusqlite::Result<Option<(Order, Payment)>> {
        let column = match key {
            PaymentKey::Reference => "reference",
            PaymentKey::ChargeId => "charge_id",
        };
        self.prepare_cached(&format!(
            "SELECT {ORDER_COLUMNS}, {PAYMENT_COLUMNS}
             FROM payments p JOIN orders o ON o.id = p.order_id
             WHERE p.provider = ?1 AND p.{column} = ?2 ORDER BY p.id LIMIT 1"
        ))?
        .query_row(params![provider, value], |r| {
            Ok((order_from_row(r, 0)?, payment_from_row(r, ORDER_WIDTH)?))
        })
        .optional()
    }

    /// The audit trail of one order, oldest first.
    pub fn audit_for_order(&self, order_id: i64) -> rusqlite::Result<Vec<AuditEntry>> {
        self.prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE order_id = ?1 ORDER BY id"
        ))?
        .query_map([order_id], audit_from_row)?
        .collect()
    }

    /// The most recent `limit` audit rows of the whole shop, oldest first.
    pub fn audit_recent(&self, limit: i64) -> rusqlite::Result<Vec<AuditEntry>> {
        let mut rows: Vec<AuditEntry> = self
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?1"
            ))?
            .query_map([limit], audit_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.reverse();
        Ok(rows)
    }

    /// When the audit log last saw `field` of order `order_id` become
    /// `value` (from another value), latest first.
    pub fn audit_time(
        &self,
        order_id: i64,
        field: AuditField,
        value: &str,
    ) -> rusqlite::Result<Option<String>> {
        let (new, old) = match field {
            AuditField::OrderStatus => ("new_order_status", "old_order_status"),
            AuditField::OrderPaymentStatus => {
                ("new_order_payment_status", "old_order_payment_status")
            }
            AuditField::PaymentStatus => ("new_payment_status", "old_payment_status"),
        };
        self.prepare_cached(&format!(
            "SELECT at FROM audit_log WHERE order_id = ?1 AND {new} = ?2
               AND ({old} IS NULL OR {old} <> ?2)
             ORDER BY id DESC LIMIT 1"
        ))?
        .query_row(params![order_id, value], |r| r.get(0))
        .optional()
    }

    pub fn count_orders(&self) -> rusqlite::Result<i64> {
        self.prepare_cached("SELECT count(*) FROM orders")?
            .query_row([], |r| r.get(0))
    }

    /// The recorded state of a provider's event id, if any.
    pub fn event_state(
        &self,
        provider: Provider,
        event_id: &str,
    ) -> rusqlite::Result<Option<EventState>> {
        self.prepare_cached(
            "SELECT state FROM provider_events WHERE provider = ?1 AND event_id = ?2",
        )?
        .query_row(params![provider, event_id], |r| r.get(0))
        .optional()
    }

    /// The provider's time of the latest event applied to a payment.
    pub fn last_applied_event_at(&self, payment_id: i64) -> rusqlite::Result<Option<String>> {
        self.prepare_cached(
            "SELECT max(event_created_at) FROM provider_events
             WHERE payment_id = ?1 AND state = 'applied'",
        )?
        .query_row([payment_id], |r| r.get(0))
    }

    /// Whether `at` is strictly before the latest event applied to the
    /// payment (an older event arriving late).
    pub fn is_older_than_applied(&self, payment_id: i64, at: Timestamp) -> rusqlite::Result<bool> {
        Ok(match self.last_applied_event_at(payment_id)? {
            Some(last) => format_ts(at) < last,
            None => false,
        })
    }
}

/// The order of an order's payments that puts its main payment first (see
/// [`Reader::payment_for_order`]), over a `payments p`.
pub const MAIN_PAYMENT_ORDER: &str =
    "coalesce(p.captured_minor, 0) - p.refunded_minor - p.lost_minor > 0 DESC,
     CASE WHEN coalesce(p.captured_minor, 0) - p.refunded_minor - p.lost_minor > 0
          THEN p.created_at END ASC,
     p.created_at DESC, p.id DESC";

/// The provider id a payment is looked up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentKey {
    /// `payments.reference`: the PaymentIntent, capture or sale id.
    Reference,
    /// `payments.charge_id`: the Stripe charge refunds and disputes carry.
    ChargeId,
}

/// A status column of the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditField {
    OrderStatus,
    OrderPaymentStatus,
    PaymentStatus,
}

const AUDIT_COLUMNS: &str = "at, order_number, event, actor, old_order_status, new_order_status, \
     old_order_payment_status, new_order_payment_status, old_payment_status, new_payment_status, \
     details";

fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let details: String = row.get(10)?;
    Ok(AuditEntry {
        at: row.get(0)?,
        order_number: row.get(1)?,
        event: row.get(2)?,
        actor: row.get(3)?,
        old_order_status: row.get(4)?,
        new_order_status: row.get(5)?,
        old_order_payment_status: row.get(6)?,
        new_order_payment_status: row.get(7)?,
        old_payment_status: row.get(8)?,
        new_payment_status: row.get(9)?,
        details: serde_json::from_str(&details).unwrap_or(serde_json::Value::String(details)),
    })
}
