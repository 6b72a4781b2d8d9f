//! Export: the whole shop in the import format, JSON or CSV, so that
//! export → import reproduces it: orders, payments (attempts) in id order,
//! and every movement of every payment, payment by payment in the order
//! they were recorded.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::TransferError;
use super::read::{MOVEMENT_FIELDS, ORDER_FIELDS, PAYMENT_FIELDS};
use crate::domain::ledger::{Flow, MovementKind, MovementSource};
use crate::domain::{
    Currency, Money, OrderPaymentStatus, OrderStatus, PaymentStatus, Provider, format_ts,
};
use crate::store::{Reader, Store, rows};

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

/// A movement as exported.
#[derive(Debug, Serialize)]
struct MovementOut {
    order: String,
    provider: Provider,
    payment: Option<String>,
    kind: MovementKind,
    state: Option<&'static str>,
    amount: String,
    currency: String,
    provider_id: Option<String>,
    flow_key: Option<String>,
    at: String,
    event_id: Option<String>,
    source: MovementSource,
}

fn each_order(
    conn: &Reader<'_>,
    mut f: impl FnMut(OrderOut) -> Result<(), TransferError>,
) -> Result<(), TransferError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM orders o ORDER BY o.id",
        rows::ORDER_COLUMNS
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let o = rows::order_from_row(row, 0)?;
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
    conn: &Reader<'_>,
    mut f: impl FnMut(PaymentOut) -> Result<(), TransferError>,
) -> Result<(), TransferError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT o.number, {} FROM payments p JOIN orders o ON o.id = p.order_id ORDER BY p.id",
        rows::PAYMENT_COLUMNS
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let number: String = row.get(0)?;
        let p = rows::payment_from_row(row, 1)?;
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

fn each_movement(
    conn: &Reader<'_>,
    mut f: impl FnMut(MovementOut) -> Result<(), TransferError>,
) -> Result<(), TransferError> {
    let mut stmt = conn.prepare(
        "SELECT o.number, p.provider, p.reference, m.kind, m.state, m.amount_minor, m.currency,
                m.provider_id, m.flow_key, m.at, m.event_id, m.source
         FROM payments p
         JOIN orders o ON o.id = p.order_id
         JOIN movements m ON m.payment_id = p.id
         ORDER BY p.id, m.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let kind: MovementKind = row.get(3)?;
        let state: Option<String> = row.get(4)?;
        let flow = Flow::from_parts(kind, state.as_deref()).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.into())
        })?;
        let currency: Currency = row.get(6)?;
        let amount = Money::from_minor(row.get(5)?, currency).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Integer, e.into())
        })?;
        f(MovementOut {
            order: row.get(0)?,
            provider: row.get(1)?,
            payment: row.get(2)?,
            kind,
            state: flow.state(),
            amount: amount.decimal(),
            currency: currency.to_string(),
            provider_id: row.get(7)?,
            flow_key: row.get(8)?,
            at: format_ts(rows::ts_at(row, 9)?),
            event_id: row.get(10)?,
            source: row.get(11)?,
        })?;
    }
    Ok(())
}

/// Writes the items `each` gives as one JSON array's items, each on its own
/// line.
fn json_items<T: Serialize>(
    out: &mut dyn Write,
    each: impl FnOnce(&mut dyn FnMut(T) -> Result<(), TransferError>) -> Result<(), TransferError>,
) -> Result<(), TransferError> {
    let mut first = true;
    each(&mut |item| {
        out.write_all(if first { b"\n    " } else { b",\n    " })
            .map_err(write_error)?;
        first = false;
        serde_json::to_writer(&mut *out, &item)?;
        Ok(())
    })
}

fn write_error(source: std::io::Error) -> TransferError {
    TransferError::Write {
        path: "output".into(),
        source,
    }
}

/// Streams the whole shop as one JSON document in the import format.
pub fn export_json(store: &mut Store, out: &mut dyn Write) -> Result<(), TransferError> {
    store.read(|tx| {
        out.write_all(b"{\n  \"orders\": [").map_err(write_error)?;
        json_items(out, |f| each_order(tx, f))?;
        out.write_all(b"\n  ],\n  \"payments\": [")
            .map_err(write_error)?;
        json_items(out, |f| each_payment(tx, f))?;
        out.write_all(b"\n  ],\n  \"movements\": [")
            .map_err(write_error)?;
        json_items(out, |f| each_movement(tx, f))?;
        out.write_all(b"\n  ]\n}\n").map_err(write_error)?;
        Ok(())
    })
}

/// A CSV file in `dir` with its header row, written even when no row
/// follows so that the file still says what it holds.
fn csv_file(
    dir: &Path,
    name: &str,
    header: &[&str],
) -> Result<csv::Writer<std::fs::File>, TransferError> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_path(dir.join(name))?;
    w.write_record(header)?;
    Ok(w)
}

fn finish(mut w: csv::Writer<std::fs::File>, name: &str) -> Result<(), TransferError> {
    w.flush().map_err(|source| TransferError::Write {
        path: name.into(),
        source,
    })
}

/// Writes `orders.csv`, `payments.csv` and `movements.csv` into `dir`.
pub fn export_csv(store: &mut Store, dir: &Path) -> Result<(), TransferError> {
    std::fs::create_dir_all(dir).map_err(|source| TransferError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let mut orders = csv_file(dir, "orders.csv", ORDER_FIELDS)?;
    let mut payments = csv_file(dir, "payments.csv", PAYMENT_FIELDS)?;
    let mut movements = csv_file(dir, "movements.csv", MOVEMENT_FIELDS)?;
    store.read(|tx| {
        each_order(tx, |o| Ok(orders.serialize(o)?))?;
        each_payment(tx, |p| Ok(payments.serialize(p)?))?;
        each_movement(tx, |m| Ok(movements.serialize(m)?))
    })?;
    finish(orders, "orders.csv")?;
    finish(payments, "payments.csv")?;
    finish(movements, "movements.csv")
}
