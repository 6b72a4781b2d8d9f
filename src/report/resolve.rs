//! `tally resolve NUMBER RULE --note TEXT`: the owner closes a finding that
//! `tally` never fixes by itself (a refund made by hand, a dispute settled,
//! an orphan dealt with elsewhere).
//!
//! The acknowledgement is audited (event `finding_resolved`) and holds while
//! the order and its payment stay as they were: `check` reports the finding
//! again as soon as either changes.

use std::collections::HashSet;

use rusqlite::params;
use serde_json::json;

use super::rules::{Rule, Settings};
use super::scan::{Filter, findings_for_order};
use crate::domain::{AuditEntry, Timestamp, format_ts};
use crate::store::{Store, queries};

/// Audit event of a resolution.
pub const EVENT_RESOLVED: &str = "finding_resolved";

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("no order numbered {0:?}")]
    UnknownOrder(String),
    #[error(
        "{0} is fixed by `tally fix`, not resolved by hand (resolve closes the findings tally never fixes)"
    )]
    Fixable(Rule),
    #[error("order {number} has no open {rule} finding to resolve")]
    NothingOpen { number: String, rule: Rule },
    #[error("--note must say what was done")]
    EmptyNote,
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Records the owner's acknowledgement of one finding.
pub fn resolve(
    store: &mut Store,
    number: &str,
    rule: Rule,
    note: &str,
    actor: &str,
    now: Timestamp,
    stale_after: chrono::Duration,
) -> Result<(), ResolveError> {
    if rule.auto_fixable() {
        return Err(ResolveError::Fixable(rule));
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(ResolveError::EmptyNote);
    }
    store.write(|tx| {
        let order = queries::order_by_number(tx, number)?
            .ok_or_else(|| ResolveError::UnknownOrder(number.to_owned()))?;
        let nothing = || ResolveError::NothingOpen {
            number: number.to_owned(),
            rule,
        };
        let at = format_ts(now);
        let closed = match rule {
            Rule::OrphanTransaction => tx
                .prepare_cached(
                    "UPDATE orphans SET state = 'dismissed', resolved_at = ?2, resolved_by = ?3,
                            note = ?4
                     WHERE state = 'open' AND order_number = ?1",
                )?
                .execute(params![number, at, actor, note])?,
            Rule::WebhookFailed => tx
                .prepare_cached(
                    "UPDATE provider_events SET resolved_at = ?2
                     WHERE state = 'failed' AND resolved_at IS NULL AND order_number = ?1",
                )?
                .execute(params![number, at])?,
            _ => {
                let settings = Settings {
                    now,
                    stale_after,
                    prefer: None,
                };
                let filter = Filter {
                    order: None,
                    rules: HashSet::from([rule]),
                };
                let Some((order, payment, found)) =
                    findings_for_order(tx, order.id, &settings, &filter)?
                else {
                    return Err(nothing());
                };
                if found.is_empty() {
                    return Err(nothing());
                }
                tx.prepare_cached(
                    "INSERT INTO resolutions (order_id, rule, note, actor, at, order_updated_at,
                            payment_updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    order.id,
                    rule.as_str(),
                    note,
                    actor,
                    at,
                    format_ts(order.updated_at),
                    payment.as_ref().map(|p| format_ts(p.updated_at)),
                ])?
            }
        };
        if closed == 0 {
            return Err(nothing());
        }
        let payment = queries::payment_for_order(tx, order.id)?;
        let entry = AuditEntry {
            at,
            order_number: Some(order.number.clone()),
            event: EVENT_RESOLVED.to_owned(),
            actor: actor.to_owned(),
            old_order_status: Some(order.status.to_string()),
            new_order_status: Some(order.status.to_string()),
            old_order_payment_status: Some(order.payment_status.to_string()),
            new_order_payment_status: Some(order.payment_status.to_string()),
            old_payment_status: payment.as_ref().map(|p| p.status.to_string()),
            new_payment_status: payment.as_ref().map(|p| p.status.to_string()),
            details: json!({"rule": rule, "note": note}),
        };
        queries::insert_audit(tx, Some(order.id), payment.map(|p| p.id), &entry)?;
        Ok(())
    })
}
