//! How rows are read into the domain's values and how the domain's words
//! are stored: column lists, row decoders, and `ToSql`/`FromSql` for the
//! closed enums.
//!
//! A mode that reads rows of its own (the dashboard's pages, the report's
//! scan) selects these column lists and decodes with these functions, so a
//! row means the same everywhere.

use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Row, ToSql};

use crate::domain::{
    AuditEvent, Currency, EventState, IntentState, LogResult, LogSource, Money, MovementKind,
    MovementSource, Order, OrderPaymentStatus, OrderStatus, OrphanState, Payment, PaymentStatus,
    Provider, SignatureCheck, StatusSource, Timestamp, parse_ts,
};

/// Columns of `orders`, in the order [`order_from_row`] reads them.
pub const ORDER_COLUMNS: &str = "o.id, o.number, o.customer_name, o.customer_email, o.total_minor, \
     o.currency, o.status, o.payment_status, o.created_at, o.updated_at, o.paid_at, o.cancelled_at";

/// Columns of `payments`, in the order [`payment_from_row`] reads them.
pub const PAYMENT_COLUMNS: &str = "p.id, p.order_id, p.provider, p.reference, p.amount_minor, \
     p.currency, p.status, p.provider_status, p.created_at, p.updated_at, p.completed_at, \
     p.status_source, p.captured_minor, p.captured_currency, p.charge_id, p.refunded_minor, \
     p.refund_pending, p.disputed, p.attempt, p.refunds_pending_minor, p.refunds_failed_minor, \
     p.disputed_minor, p.lost_minor, p.owed_minor";

/// Number of columns in [`ORDER_COLUMNS`].
pub const ORDER_WIDTH: usize = 12;

/// Number of columns in [`PAYMENT_COLUMNS`].
pub const PAYMENT_WIDTH: usize = 24;

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
sql_word!(
    OrderStatus,
    OrderPaymentStatus,
    PaymentStatus,
    Provider,
    AuditEvent,
    EventState,
    OrphanState,
    LogResult,
    LogSource,
    SignatureCheck,
    MovementKind,
    MovementSource,
    IntentState
);

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
        attempt: row.get(at + 18)?,
        refunds_pending_minor: row.get(at + 19)?,
        refunds_failed_minor: row.get(at + 20)?,
        disputed_minor: row.get(at + 21)?,
        lost_minor: row.get(at + 22)?,
        owed_minor: row.get(at + 23)?,
    })
}
