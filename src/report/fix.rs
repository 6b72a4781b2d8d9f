//! `tally fix`: applies the fixes the rules plan, in small `BEGIN IMMEDIATE`
//! transactions.
//!
//! # Locking
//! Each batch holds the write lock for at most about [`BATCH_BUDGET`]: the
//! webhook listener's and the dashboard's writes slip in between batches, so
//! a fix of 100,000 rows never makes them wait long. Inside its transaction,
//! every order is judged again from what is stored *now* before anything
//! changes: a webhook that settled the mismatch since the scan wins, and a
//! finding that is gone is left alone.
//!
//! # Crash safety
//! A batch commits whole or not at all. A fix killed half-way leaves fixed
//! orders fixed and the others untouched; running it again finishes the work.

use std::time::{Duration, Instant};

use serde_json::json;

use super::rules::{Finding, Fix, Rule, Settings, Side, evaluate};
use super::scan::{Filter, Judged};
use crate::domain::{
    AuditEntry, AuditEvent, Order, OrderPaymentStatus, OrderStatus, Payment, PaymentStatus,
    StatusSource, Timestamp, format_ts, parse_ts,
};
use crate::ops::{self, Change};
use crate::store::{AuditField, Reader, Store, Writer};

/// How long one batch may hold the write lock, about.
pub const BATCH_BUDGET: Duration = Duration::from_millis(15);

/// The pause between batches, for other writers.
pub const YIELD: Duration = Duration::from_millis(2);

/// Fixes every fixable finding of `planned` (re-checked first), and returns
/// what was done.
pub fn apply(
    store: &mut Store,
    planned: &[Finding],
    settings: &Settings,
    filter: &Filter,
    actor: &str,
) -> rusqlite::Result<Vec<Finding>> {
    let mut ids: Vec<i64> = planned
        .iter()
        .filter(|f| f.fixable && !f.rule.from_statements())
        .filter_map(|f| f.order_id)
        .collect();
    ids.dedup();
    let mut fixed = Vec::new();
    let mut next = 0;
    while next < ids.len() {
        store.write(|tx| -> rusqlite::Result<()> {
            let started = Instant::now();
            while next < ids.len() && started.elapsed() < BATCH_BUDGET {
                fixed.extend(fix_order(tx, ids[next], settings, filter, actor)?);
                next += 1;
            }
            Ok(())
        })?;
        // Step aside between batches so other writers take the lock.
        std::thread::sleep(YIELD);
    }
    fixed.extend(super::statements::apply_fixes(
        store,
        planned,
        filter,
        actor,
        settings.now,
    )?);
    Ok(fixed)
}

/// The order and its payment as stored now, and their fixable findings.
/// Resolutions are not consulted: fixable rules cannot be resolved by hand.
fn judge_now(
    conn: &Reader<'_>,
    order_id: i64,
    settings: &Settings,
    filter: &Filter,
) -> rusqlite::Result<Option<Judged>> {
    let Some(order) = conn.order_by_id(order_id)? else {
        return Ok(None);
    };
    let payment = conn.payment_for_order(order.id)?;
    let fixable = evaluate(&order, payment.as_ref(), settings)
        .into_iter()
        .filter(|f| f.fixable && filter.wants(f.rule))
        .collect();
    Ok(Some((order, payment, fixable)))
}

/// Re-judges one order and fixes what is fixable: the status first (which
/// may stamp a missing timestamp itself), then, judged again, the timestamps.
fn fix_order(
    conn: &Writer<'_>,
    order_id: i64,
    settings: &Settings,
    filter: &Filter,
    actor: &str,
) -> rusqlite::Result<Vec<Finding>> {
    let mut done = Vec::new();
    let Some((order, payment, findings)) = judge_now(conn, order_id, settings, filter)? else {
        return Ok(done);
    };
    let mut timestamps = false;
    let mut current = Some((order, payment));
    for finding in findings {
        match &finding.fix {
            Some(Fix::SyncStatus {
                winner,
                reason,
                forced,
            }) => {
                if let Some((order, Some(payment))) = current.take() {
                    sync(
                        conn,
                        order,
                        payment,
                        *winner,
                        reason,
                        *forced,
                        settings.now,
                        actor,
                    )?;
                    done.push(finding);
                }
            }
            Some(Fix::FillTimestamps { .. }) => timestamps = true,
            // Statement fixes are applied by `statements::apply_fixes`.
            Some(Fix::RecordMovement { .. }) | None => {}
        }
    }
    if !timestamps {
        return Ok(done);
    }
    // After a status fix, judge again: the operation may have stamped them.
    let current = match current {
        Some(c) => Some((c.0, c.1, Vec::new())),
        None => judge_now(conn, order_id, settings, filter)?,
    };
    if let Some((order, payment, _)) = current {
        let still = evaluate(&order, payment.as_ref(), settings)
            .into_iter()
            .find(|f| f.rule == Rule::MissingTimestamp);
        if let Some(finding) = still {
            fill_timestamps(conn, &order, payment.as_ref(), settings.now, actor)?;
            done.push(finding);
        }
    }
    Ok(done)
}

#[allow(clippy::too_many_arguments)]
fn sync(
    conn: &Writer<'_>,
    order: Order,
    payment: Payment,
    winner: Side,
    reason: &crate::i18n::Msg,
    forced: bool,
    now: Timestamp,
    actor: &str,
) -> rusqlite::Result<()> {
    let change = Change {
        actor,
        event: AuditEvent::StatusSynchronized,
        now,
        source: StatusSource::Owner,
        details: json!({
            "rule": Rule::StatusMismatch.as_str(),
            "winner": winner,
            "reason": reason,
            "forced": forced,
        }),
    };
    match winner {
        Side::Payment => {
            let status = payment.status;
            ops::sync_from_payment(conn, order, payment, status, &change)?;
        }
        Side::Order => {
            let status = order.payment_status;
            ops::sync_from_order(conn, order, Some(payment), status, &change)?;
        }
    }
    Ok(())
}

/// When the audit log saw `field` become `value`, latest first.
fn audit_time(
    conn: &Reader<'_>,
    order_id: i64,
    field: AuditField,
    value: &str,
) -> rusqlite::Result<Option<Timestamp>> {
    let at = conn.audit_time(order_id, field, value)?;
    Ok(at.and_then(|t| parse_ts(&t).ok()))
}

fn fill_timestamps(
    conn: &Writer<'_>,
    order: &Order,
    payment: Option<&Payment>,
    now: Timestamp,
    actor: &str,
) -> rusqlite::Result<()> {
    let mut filled = serde_json::Map::new();
    let mut pick = |name: &str,
                    field: AuditField,
                    value: &str,
                    fallback: Timestamp|
     -> rusqlite::Result<Timestamp> {
        let (at, source) = match audit_time(conn, order.id, field, value)? {
            Some(t) => (t, "audit log"),
            None => (fallback, "updated_at"),
        };
        filled.insert(
            name.to_owned(),
            json!({"value": format_ts(at), "from": source}),
        );
        Ok(at)
    };
    let mut stamped = order.clone();
    if order.payment_status == OrderPaymentStatus::Paid && order.paid_at.is_none() {
        stamped.paid_at = Some(pick(
            "paid_at",
            AuditField::OrderPaymentStatus,
            "paid",
            order.updated_at,
        )?);
    }
    if order.status == OrderStatus::Cancelled && order.cancelled_at.is_none() {
        stamped.cancelled_at = Some(pick(
            "cancelled_at",
            AuditField::OrderStatus,
            "cancelled",
            order.updated_at,
        )?);
    }
    if stamped != *order {
        conn.update_order_state(&stamped)?;
    }
    if let Some(p) = payment
        && p.status == PaymentStatus::Completed
        && p.completed_at.is_none()
    {
        let mut stamped = p.clone();
        stamped.completed_at = Some(pick(
            "completed_at",
            AuditField::PaymentStatus,
            "completed",
            p.updated_at,
        )?);
        conn.update_payment_state(&stamped)?;
    }
    let entry = AuditEntry::new(AuditEvent::StatusSynchronized, actor, now)
        .with_order(&order.number)
        .with_order_status(Some(order.status), Some(order.status))
        .with_order_payment_status(Some(order.payment_status), Some(order.payment_status))
        .with_payment_status(payment.map(|p| p.status), payment.map(|p| p.status))
        .with_details(json!({"rule": Rule::MissingTimestamp.as_str(), "filled": filled}));
    conn.insert_audit(Some(order.id), payment.map(|p| p.id), &entry)
}
