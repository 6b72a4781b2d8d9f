//! Export: the whole shop in the import format, JSON or CSV, so that
//! export → import reproduces it.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::TransferError;
use crate::domain::{Money, OrderPaymentStatus, OrderStatus, PaymentStatus, Provider, format_ts};
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
