//! Writing a validated [`ImportSet`]: one `BEGIN IMMEDIATE` transaction,
//! orders by number and payments by order, never a duplicate; every created
//! or changed row audited, an identical row left alone.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{ImportSet, NewOrder, NewPayment, Problem, TransferError};
use crate::domain::ledger::{MovementSource, legacy_movements};
use crate::domain::{AuditEntry, AuditEvent, Order, Payment, StatusSource, Timestamp};
use crate::store::{Reader, Store, Writer};

/// Checks what only the database can tell: every payment's order exists in
/// the set or the database, and no reference belongs to another order.
pub fn check_against_db(conn: &Reader<'_>, set: &ImportSet) -> Result<(), TransferError> {
    let numbers: HashSet<&str> = set.orders.iter().map(|o| o.number.as_str()).collect();
    let mut problems = Vec::new();
    for p in &set.payments {
        let problem = |field: &str, message: String| Problem {
            file: p.source.0.clone(),
            row: p.source.1.clone(),
            field: Some(field.to_owned()),
            message,
        };
        if !numbers.contains(p.order.as_str()) && conn.order_by_number(&p.order)?.is_none() {
            problems.push(problem(
                "order",
                format!(
                    "order {:?} is neither in the import nor in the database",
                    p.order
                ),
            ));
        }
        if let Some(r) = &p.reference
            && let Some(other) = conn.order_number_for_reference(p.provider, r)?
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

/// The audit row of an imported order or payment.
fn import_entry(number: &str, actor: &str, now: Timestamp, details: Value) -> AuditEntry {
    AuditEntry::new(AuditEvent::Imported, actor, now)
        .with_order(number)
        .with_details(details)
}

/// The order a validated row describes; `id` is the stored one's, or 0.
fn order_of(o: &NewOrder, id: i64, now: Timestamp) -> Order {
    Order {
        id,
        number: o.number.clone(),
        customer_name: o.customer_name.clone(),
        customer_email: o.customer_email.clone(),
        total: o.total,
        status: o.status,
        payment_status: o.payment_status,
        created_at: o.created_at,
        updated_at: o.updated_at.unwrap_or(now),
        paid_at: o.paid_at,
        cancelled_at: o.cancelled_at,
    }
}

/// The payment a validated row describes, as the owner's word.
fn payment_of(p: &NewPayment, id: i64, order_id: i64, now: Timestamp) -> Payment {
    Payment {
        id,
        order_id,
        provider: p.provider,
        reference: p.reference.clone(),
        amount: p.amount,
        status: p.status,
        provider_status: p.provider_status.clone(),
        created_at: p.created_at,
        updated_at: p.updated_at.unwrap_or(now),
        completed_at: p.completed_at,
        status_source: StatusSource::Owner,
        captured: p.captured,
        charge_id: p.charge_id.clone(),
        refunded_minor: p.refunded_minor,
        refund_pending: p.refund_pending,
        disputed: p.disputed,
        attempt: 0,
        refunds_pending_minor: 0,
        refunds_failed_minor: 0,
        disputed_minor: 0,
        lost_minor: 0,
        owed_minor: 0,
    }
}

fn upsert_order(
    tx: &Writer<'_>,
    o: &NewOrder,
    actor: &str,
    now: Timestamp,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    match tx.order_by_number(&o.number)? {
        None => {
            let id = tx.insert_order(&order_of(o, 0, now))?;
            summary.orders_created += 1;
            let entry = import_entry(&o.number, actor, now, json!({"created": "order"}))
                .with_order_status(None, Some(o.status))
                .with_order_payment_status(None, Some(o.payment_status));
            tx.insert_audit(Some(id), None, &entry)
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
            tx.update_order(&order_of(o, e.id, now))?;
            summary.orders_updated += 1;
            let entry = import_entry(&o.number, actor, now, json!({"updated": "order"}))
                .with_order_status(Some(e.status), Some(o.status))
                .with_order_payment_status(Some(e.payment_status), Some(o.payment_status));
            tx.insert_audit(Some(e.id), None, &entry)
        }
    }
}

fn upsert_payment(
    tx: &Writer<'_>,
    p: &NewPayment,
    actor: &str,
    now: Timestamp,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    let order = tx
        .order_by_number(&p.order)?
        .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    // Payments are keyed on (order, provider, reference): the same one, or
    // one of this provider still without a reference; anything else is
    // another attempt at paying the order.
    let attempts = tx.payments_of_order(order.id)?;
    let existing = attempts
        .iter()
        .find(|e| e.provider == p.provider && e.reference == p.reference)
        .or_else(|| {
            attempts
                .iter()
                .find(|e| e.provider == p.provider && e.reference.is_none())
        })
        .or_else(|| {
            attempts
                .first()
                .filter(|_| attempts.len() == 1 && p.reference.is_none())
        })
        .cloned();
    match existing {
        None => {
            let mut payment = payment_of(p, 0, order.id, now);
            let movements =
                legacy_movements(&payment, p.completed_at.unwrap_or(payment.updated_at));
            let id = tx.insert_payment_with_ledger(
                &mut payment,
                &movements,
                MovementSource::Import,
                now,
            )?;
            summary.payments_created += 1;
            let entry = import_entry(&p.order, actor, now, json!({"created": "payment"}))
                .with_payment_status(None, Some(p.status));
            tx.insert_audit(Some(order.id), Some(id), &entry)
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
            let mut payment = payment_of(p, e.id, order.id, now);
            payment.attempt = e.attempt;
            tx.update_payment(&payment)?;
            let movements =
                legacy_movements(&payment, p.completed_at.unwrap_or(payment.updated_at));
            tx.record_movements(&mut payment, &movements, MovementSource::Import, now)?;
            summary.payments_updated += 1;
            let entry = import_entry(&p.order, actor, now, json!({"updated": "payment"}))
                .with_payment_status(Some(e.status), Some(p.status));
            tx.insert_audit(Some(order.id), Some(e.id), &entry)
        }
    }
}
