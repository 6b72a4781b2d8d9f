//! Writing a validated [`ImportSet`]: one `BEGIN IMMEDIATE` transaction,
//! orders by number and payments by (order, provider, reference), never a
//! duplicate; every payment's movements through the store's movement
//! writer; every created or changed row audited, an identical row left
//! alone.

use crate::i18n::{Msg, msg};
use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::{ImportSet, NewMovement, NewOrder, NewPayment, PaymentKey, Problem, TransferError};
use crate::domain::ledger::{self, Flow, Movement, MovementSource, legacy_movements};
use crate::domain::{AuditEntry, AuditEvent, Order, Payment, StatusSource, Timestamp};
use crate::store::{Reader, Store, Writer};

/// The stored payment of `order` named exactly by `provider` and
/// `reference`, if any.
fn stored_payment(
    conn: &Reader<'_>,
    key: &PaymentKey,
) -> rusqlite::Result<Option<(Order, Payment)>> {
    let (number, provider, reference) = key;
    let Some(order) = conn.order_by_number(number)? else {
        return Ok(None);
    };
    let payment = conn
        .payments_of_order(order.id)?
        .into_iter()
        .find(|p| p.provider == *provider && p.reference == *reference);
    Ok(payment.map(|p| (order, p)))
}

/// Checks what only the database can tell: every payment's order exists in
/// the set or the database, no reference belongs to another order, and
/// every movement's payment is in the set or the database.
pub fn check_against_db(conn: &Reader<'_>, set: &ImportSet) -> Result<(), TransferError> {
    let numbers: HashSet<&str> = set.orders.iter().map(|o| o.number.as_str()).collect();
    let mut problems = Vec::new();
    for p in &set.payments {
        let problem = |field: &str, message: Msg| Problem {
            file: p.source.0.clone(),
            row: p.source.1.clone(),
            field: Some(field.to_owned()),
            message,
        };
        if !numbers.contains(p.order.as_str()) && conn.order_by_number(&p.order)?.is_none() {
            problems.push(problem(
                "order",
                msg!("import-order-unknown", number = format!("{:?}", p.order)),
            ));
        }
        if let Some(r) = &p.reference
            && let Some(other) = conn.order_number_for_reference(p.provider, r)?
            && other != p.order
        {
            problems.push(problem(
                "reference",
                msg!(
                    "import-reference-taken",
                    provider = p.provider.as_str(),
                    reference = format!("{r:?}"),
                    other = other
                ),
            ));
        }
    }
    let in_set: HashSet<PaymentKey> = set.payments.iter().map(NewPayment::key).collect();
    let mut in_db: HashMap<PaymentKey, bool> = HashMap::new();
    for m in &set.movements {
        let key = m.key();
        if in_set.contains(&key) {
            continue;
        }
        let found = match in_db.get(&key) {
            Some(found) => *found,
            None => {
                let found = stored_payment(conn, &key)?.is_some();
                in_db.insert(key, found);
                found
            }
        };
        if !found {
            let payment = match &m.payment {
                Some(r) => msg!("import-with-reference", reference = format!("{r:?}")),
                None => msg!("import-with-no-reference"),
            };
            problems.push(Problem {
                file: m.source.0.clone(),
                row: m.source.1.clone(),
                field: Some("payment".to_owned()),
                message: msg!(
                    "import-payment-unknown",
                    provider = m.provider.as_str(),
                    number = format!("{:?}", m.order),
                    payment = payment
                ),
            });
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
    /// Orders and payments left as they were.
    pub unchanged: usize,
    /// Movements recorded (those of the file the store did not hold yet,
    /// and those made from the figures of payments without movement rows).
    pub movements_recorded: usize,
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
        // Each payment's movement rows, in file order; the payments named
        // only by movements in the order they first appear.
        let mut movements: HashMap<PaymentKey, Vec<&NewMovement>> = HashMap::new();
        let mut stored_only = Vec::new();
        let in_set: HashSet<PaymentKey> = set.payments.iter().map(NewPayment::key).collect();
        for m in &set.movements {
            let key = m.key();
            if !in_set.contains(&key) && !movements.contains_key(&key) {
                stored_only.push(key.clone());
            }
            movements.entry(key).or_default().push(m);
        }
        // Stored payments first, while they are still as the rows name
        // them (a payment row may give one of them its reference).
        for key in &stored_only {
            let rows = movements.get(key).map_or(&[][..], Vec::as_slice);
            add_movements(tx, key, rows, actor, now, &mut summary)?;
        }
        for p in &set.payments {
            let rows = movements.get(&p.key()).map(Vec::as_slice);
            upsert_payment(tx, p, rows, &in_set, actor, now, &mut summary)?;
        }
        Ok(summary)
    })
}

/// Records movement rows on `payment`, runs of the same source at a time so
/// that they are stored in file order; returns how many were new.
fn record_rows(
    tx: &Writer<'_>,
    payment: &mut Payment,
    rows: &[&NewMovement],
    now: Timestamp,
) -> rusqlite::Result<usize> {
    let mut added = 0;
    for run in rows.chunk_by(|a, b| a.recorded_by == b.recorded_by) {
        let movements: Vec<Movement> = run.iter().map(|m| m.movement.clone()).collect();
        added += tx
            .record_movements(payment, &movements, run[0].recorded_by, now)?
            .1;
    }
    Ok(added)
}

/// Movement rows of a payment that is stored but not in the set.
fn add_movements(
    tx: &Writer<'_>,
    key: &PaymentKey,
    rows: &[&NewMovement],
    actor: &str,
    now: Timestamp,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    let (order, mut payment) =
        stored_payment(tx, key)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let added = record_rows(tx, &mut payment, rows, now)?;
    summary.movements_recorded += added;
    if added == 0 {
        return Ok(());
    }
    summary.payments_updated += 1;
    let entry = import_entry(
        &order.number,
        actor,
        now,
        json!({"updated": "payment", "movements": added}),
    );
    tx.insert_audit(Some(order.id), Some(payment.id), &entry)
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

/// Whether the payment fields of `p` other than the figures are those of
/// the stored `e`.
fn same_fields(e: &Payment, p: &NewPayment) -> bool {
    e.provider == p.provider
        && e.reference == p.reference
        && e.amount == p.amount
        && e.status == p.status
        && e.provider_status == p.provider_status
        && e.created_at == p.created_at
        && p.updated_at.is_none_or(|u| u == e.updated_at)
        && e.completed_at == p.completed_at
        && e.charge_id == p.charge_id
}

/// Whether the figures a row without movements gives (folded from the
/// movements they describe, as its import stores them) are the stored
/// ones: a completed payment captured its amount whether or not the row
/// says so.
fn same_legacy_figures(e: &Payment, p: &NewPayment, now: Timestamp) -> bool {
    let mut want = payment_of(p, e.id, e.order_id, now);
    let movements = legacy_movements(&want, want.updated_at);
    let currency = movements
        .iter()
        .find(|m| m.flow == Flow::Captured)
        .map_or(want.money_currency(), |m| m.amount.currency());
    want.set_figures(&ledger::figures(&movements, currency), currency);
    want.captured == e.captured
        && want.refunded_minor == e.refunded_minor
        && want.refund_pending == e.refund_pending
        && want.disputed == e.disputed
}

/// The stored payment a row describes. Payments are keyed on (order,
/// provider, reference): the same one, or one of this provider still
/// without a reference, or for a row without a reference the order's only
/// payment; anything else is another attempt at paying the order. A stored
/// payment that another row of the set names exactly is that row's, never
/// taken by these fallbacks (an export's attempts stay apart).
fn existing_payment(
    tx: &Writer<'_>,
    p: &NewPayment,
    order: &Order,
    in_set: &HashSet<PaymentKey>,
) -> rusqlite::Result<Option<Payment>> {
    let attempts = tx.payments_of_order(order.id)?;
    let free = |e: &&Payment| !in_set.contains(&(p.order.clone(), e.provider, e.reference.clone()));
    Ok(attempts
        .iter()
        .find(|e| e.provider == p.provider && e.reference == p.reference)
        .or_else(|| {
            attempts
                .iter()
                .filter(free)
                .find(|e| e.provider == p.provider && e.reference.is_none())
        })
        .or_else(|| {
            attempts
                .first()
                .filter(|_| attempts.len() == 1 && p.reference.is_none())
                .filter(free)
        })
        .cloned())
}

/// When a payment's legacy movements are recorded: its completion, else
/// its last change.
fn legacy_at(p: &NewPayment, payment: &Payment) -> Timestamp {
    p.completed_at.unwrap_or(payment.updated_at)
}

/// Creates or updates one payment; `rows` are its movement rows, if the set
/// has any, else its figures become movements.
fn upsert_payment(
    tx: &Writer<'_>,
    p: &NewPayment,
    rows: Option<&[&NewMovement]>,
    in_set: &HashSet<PaymentKey>,
    actor: &str,
    now: Timestamp,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    let order = tx
        .order_by_number(&p.order)?
        .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    match existing_payment(tx, p, &order, in_set)? {
        None => create_payment(tx, p, &order, rows, actor, now, summary),
        Some(e) => update_payment(tx, p, &order, &e, rows, actor, now, summary),
    }
}

#[allow(clippy::too_many_arguments)]
fn create_payment(
    tx: &Writer<'_>,
    p: &NewPayment,
    order: &Order,
    rows: Option<&[&NewMovement]>,
    actor: &str,
    now: Timestamp,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    let mut payment = payment_of(p, 0, order.id, now);
    let id = match rows {
        None => {
            let movements = legacy_movements(&payment, legacy_at(p, &payment));
            summary.movements_recorded += movements.len();
            tx.insert_payment_with_ledger(&mut payment, &movements, MovementSource::Import, now)?
        }
        Some(rows) => {
            let id =
                tx.insert_payment_with_ledger(&mut payment, &[], MovementSource::Import, now)?;
            summary.movements_recorded += record_rows(tx, &mut payment, rows, now)?;
            id
        }
    };
    summary.payments_created += 1;
    let entry = import_entry(&p.order, actor, now, json!({"created": "payment"}))
        .with_payment_status(None, Some(p.status));
    tx.insert_audit(Some(order.id), Some(id), &entry)
}

#[allow(clippy::too_many_arguments)]
fn update_payment(
    tx: &Writer<'_>,
    p: &NewPayment,
    order: &Order,
    e: &Payment,
    rows: Option<&[&NewMovement]>,
    actor: &str,
    now: Timestamp,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    let same = same_fields(e, p);
    let rewrite = || -> rusqlite::Result<Payment> {
        let mut payment = payment_of(p, e.id, order.id, now);
        payment.attempt = e.attempt;
        tx.update_payment(&payment)?;
        Ok(payment)
    };
    let (changed, added) = match rows {
        None if same && same_legacy_figures(e, p, now) => (false, 0),
        None => {
            let mut payment = rewrite()?;
            let movements = legacy_movements(&payment, legacy_at(p, &payment));
            let (_, added) =
                tx.record_movements(&mut payment, &movements, MovementSource::Import, now)?;
            (true, added)
        }
        Some(rows) => {
            // The figures are folded again as the rows are recorded.
            let mut payment = if same { e.clone() } else { rewrite()? };
            let added = record_rows(tx, &mut payment, rows, now)?;
            (!same || added > 0, added)
        }
    };
    summary.movements_recorded += added;
    if !changed {
        summary.unchanged += 1;
        return Ok(());
    }
    summary.payments_updated += 1;
    let mut details = json!({"updated": "payment"});
    if added > 0 {
        details["movements"] = json!(added);
    }
    let entry = import_entry(&p.order, actor, now, details)
        .with_payment_status(Some(e.status), Some(p.status));
    tx.insert_audit(Some(order.id), Some(e.id), &entry)
}
