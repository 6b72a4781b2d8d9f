//! Row-level reads and writes of orders, payments and the audit log.
//!
//! Each function takes a `&Connection`, so it works the same in autocommit
//! mode and inside a [`Store::write`](super::Store::write) transaction
//! (a `Transaction` dereferences to its connection). Statements are
//! `prepare_cached`: the hot paths (webhook events, fixes) reuse them.

use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};

use crate::domain::{
    AuditEntry, Currency, Money, Order, OrderPaymentStatus, OrderStatus, Payment, PaymentStatus,
    Provider, StatusSource, Timestamp, format_ts, parse_ts,
};

/// Columns of `orders`, in the order [`order_from_row`] reads them.
pub const ORDER_COLUMNS: &str = "o.id, o.number, o.customer_name, o.customer_email, o.total_minor, \
     o.currency, o.status, o.payment_status, o.created_at, o.updated_at, o.paid_at, o.cancelled_at";

/// Columns of `payments`, in the order [`payment_from_row`] reads them.
pub const PAYMENT_COLUMNS: &str = "p.id, p.order_id, p.provider, p.reference, p.amount_minor, \
     p.currency, p.status, p.provider_status, p.created_at, p.updated_at, p.completed_at, \
     p.status_source, p.captured_minor, p.captured_currency, p.charge_id, p.refunded_minor, \
     p.refund_pending, p.disputed";

/// Number of columns in [`ORDER_COLUMNS`].
pub const ORDER_WIDTH: usize = 12;

fn parsed<T: FromStr>(value: ValueRef<'_>) -> FromSqlResult<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    value
        .as_str()?
        .parse()
        .map_err(|e| FromSqlError::Other(Box::new(e)))
}

macro_rules! sql_word {
    ($($t:ty),+) => {$(
        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                parsed(value)
            }
        }
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
    )+};
}
sql_word!(OrderStatus, OrderPaymentStatus, PaymentStatus, Provider);

impl FromSql for Currency {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        parsed(value)
    }
}

impl ToSql for Currency {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.code()))
    }
}

impl ToSql for StatusSource {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for StatusSource {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "owner" => Ok(StatusSource::Owner),
            "provider" => Ok(StatusSource::Provider),
            other => Err(FromSqlError::Other(
                format!("unknown status source {other:?}").into(),
            )),
        }
    }
}

/// A stored timestamp column.
pub fn ts_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Timestamp> {
    let text: String = row.get(idx)?;
    parse_ts(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// A nullable stored timestamp column.
pub fn opt_ts_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    match row.get_ref(idx)? {
        ValueRef::Null => Ok(None),
        _ => ts_at(row, idx).map(Some),
    }
}

fn money_at(row: &Row<'_>, minor: usize, currency: usize) -> rusqlite::Result<Money> {
    let cur: Currency = row.get(currency)?;
    Money::from_minor(row.get(minor)?, cur).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            minor,
            rusqlite::types::Type::Integer,
            Box::new(e),
        )
    })
}

/// Reads an order from [`ORDER_COLUMNS`] starting at column `at`.
pub fn order_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Order> {
    Ok(Order {
        id: row.get(at)?,
        number: row.get(at + 1)?,
        customer_name: row.get(at + 2)?,
        customer_email: row.get(at + 3)?,
        total: money_at(row, at + 4, at + 5)?,
        status: row.get(at + 6)?,
        payment_status: row.get(at + 7)?,
        created_at: ts_at(row, at + 8)?,
        updated_at: ts_at(row, at + 9)?,
        paid_at: opt_ts_at(row, at + 10)?,
        cancelled_at: opt_ts_at(row, at + 11)?,
    })
}

/// Reads a payment from [`PAYMENT_COLUMNS`] starting at column `at`.
pub fn payment_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Payment> {
    let captured = match row.get_ref(at + 12)? {
        ValueRef::Null => None,
        _ => Some(money_at(row, at + 12, at + 13)?),
    };
    Ok(Payment {
        id: row.get(at)?,
        order_id: row.get(at + 1)?,
        provider: row.get(at + 2)?,
        reference: row.get(at + 3)?,
        amount: money_at(row, at + 4, at + 5)?,
        status: row.get(at + 6)?,
        provider_status: row.get(at + 7)?,
        created_at: ts_at(row, at + 8)?,
        updated_at: ts_at(row, at + 9)?,
        completed_at: opt_ts_at(row, at + 10)?,
        status_source: row.get(at + 11)?,
        captured,
        charge_id: row.get(at + 14)?,
        refunded_minor: row.get(at + 15)?,
        refund_pending: row.get(at + 16)?,
        disputed: row.get(at + 17)?,
    })
}

pub fn order_by_number(conn: &Connection, number: &str) -> rusqlite::Result<Option<Order>> {
    conn.prepare_cached(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders o WHERE o.number = ?1"
    ))?
    .query_row([number], |r| order_from_row(r, 0))
    .optional()
}

pub fn order_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Order>> {
    conn.prepare_cached(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders o WHERE o.id = ?1"
    ))?
    .query_row([id], |r| order_from_row(r, 0))
    .optional()
}

pub fn payment_for_order(conn: &Connection, order_id: i64) -> rusqlite::Result<Option<Payment>> {
    conn.prepare_cached(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.order_id = ?1"
    ))?
    .query_row([order_id], |r| payment_from_row(r, 0))
    .optional()
}

/// The order number that holds a payment with this provider and reference.
pub fn order_number_for_reference(
    conn: &Connection,
    provider: Provider,
    reference: &str,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT o.number FROM payments p JOIN orders o ON o.id = p.order_id
         WHERE p.provider = ?1 AND p.reference = ?2",
    )?
    .query_row(params![provider, reference], |r| r.get(0))
    .optional()
}

/// Writes an order's mutable state (statuses and timestamps).
pub fn save_order_state(conn: &Connection, o: &Order) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE orders SET status = ?2, payment_status = ?3, updated_at = ?4, paid_at = ?5,
                cancelled_at = ?6
         WHERE id = ?1",
    )?
    .execute(params![
        o.id,
        o.status,
        o.payment_status,
        format_ts(o.updated_at),
        o.paid_at.map(format_ts),
        o.cancelled_at.map(format_ts),
    ])?;
    Ok(())
}

/// Writes a payment's mutable state.
pub fn save_payment_state(conn: &Connection, p: &Payment) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE payments SET reference = ?2, status = ?3, provider_status = ?4, updated_at = ?5,
                completed_at = ?6, status_source = ?7, captured_minor = ?8,
                captured_currency = ?9, charge_id = ?10, refunded_minor = ?11,
                refund_pending = ?12, disputed = ?13
         WHERE id = ?1",
    )?
    .execute(params![
        p.id,
        p.reference,
        p.status,
        p.provider_status,
        format_ts(p.updated_at),
        p.completed_at.map(format_ts),
        p.status_source,
        p.captured.map(|m| m.minor()),
        p.captured.map(|m| m.currency()),
        p.charge_id,
        p.refunded_minor,
        p.refund_pending,
        p.disputed,
    ])?;
    Ok(())
}

/// Appends one audit row.
pub fn insert_audit(
    conn: &Connection,
    order_id: Option<i64>,
    payment_id: Option<i64>,
    e: &AuditEntry,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, order_id, payment_id, order_number, event, actor,
                old_order_status, new_order_status, old_order_payment_status,
                new_order_payment_status, old_payment_status, new_payment_status, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        e.at,
        order_id,
        payment_id,
        e.order_number,
        e.event,
        e.actor,
        e.old_order_status,
        e.new_order_status,
        e.old_order_payment_status,
        e.new_order_payment_status,
        e.old_payment_status,
        e.new_payment_status,
        e.details.to_string(),
    ])?;
    Ok(())
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

/// The audit trail of one order, oldest first.
pub fn audit_for_order(conn: &Connection, order_id: i64) -> rusqlite::Result<Vec<AuditEntry>> {
    conn.prepare_cached(&format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE order_id = ?1 ORDER BY id"
    ))?
    .query_map([order_id], audit_from_row)?
    .collect()
}

/// The most recent `limit` audit rows of the whole shop, oldest first.
pub fn audit_recent(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut rows: Vec<AuditEntry> = conn
        .prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?1"
        ))?
        .query_map([limit], audit_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.reverse();
    Ok(rows)
}

pub fn count_orders(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM orders")?
        .query_row([], |r| r.get(0))
}
