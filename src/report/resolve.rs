//! `tally resolve NUMBER RULE --note TEXT`: the owner closes a finding that
//! `tally` never fixes by itself (a refund made by hand, a dispute settled,
//! an orphan dealt with elsewhere).
//!
//! The acknowledgement is audited (event `finding_resolved`) and holds while
//! the order and its payment stay as they were: `check` reports the finding
//! again as soon as either changes.

use std::collections::HashSet;

use serde_json::json;

use super::rules::{Rule, Settings};
use super::scan::{Filter, findings_for_order};
use crate::domain::Order;
use crate::domain::{AuditEntry, AuditEvent, Timestamp, format_ts};
use crate::store::{Store, Writer};

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
    #[error("order {number} has several open {rule} findings ({ids}): name one with --id")]
    Several {
        number: String,
        rule: Rule,
        ids: String,
    },
    #[error("--note must say what was done")]
    EmptyNote,
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// What the owner asked to resolve.
struct Ask<'a> {
    number: &'a str,
    rule: Rule,
    provider_id: Option<&'a str>,
    note: &'a str,
    actor: &'a str,
    at: &'a str,
}

/// Records a resolution of the open finding of `ask.rule` on `order` (the
/// one with `ask.provider_id` when the order has several); returns how many
/// were recorded (0 or 1).
fn acknowledge(
    tx: &Writer<'_>,
    order: &Order,
    ask: &Ask<'_>,
    now: Timestamp,
    stale_after: chrono::Duration,
) -> Result<usize, ResolveError> {
    let settings = Settings {
        now,
        stale_after,
        prefer: None,
    };
    let filter = Filter {
        order: None,
        rules: HashSet::from([ask.rule]),
    };
    let judged = if ask.rule.from_statements() {
        let filter = Filter {
            order: Some(order.number.clone()),
            ..filter
        };
        let found = super::statements::findings(tx, &settings, &filter)?;
        Some((order.clone(), tx.payment_for_order(order.id)?, found))
    } else {
        findings_for_order(tx, order.id, &settings, &filter)?
    };
    let Some((order, payment, found)) = judged else {
        return Ok(0);
    };
    let found: Vec<_> = found
        .into_iter()
        .filter(|f| ask.provider_id.is_none() || f.provider_id.as_deref() == ask.provider_id)
        .collect();
    let Some(first) = found.first() else {
        return Ok(0);
    };
    if found.len() > 1 && ask.provider_id.is_none() {
        let ids: Vec<&str> = found
            .iter()
            .filter_map(|f| f.provider_id.as_deref())
            .collect();
        if ids.len() == found.len() {
            return Err(ResolveError::Several {
                number: ask.number.to_owned(),
                rule: ask.rule,
                ids: ids.join(", "),
            });
        }
    }
    let about = match &first.payment {
        Some(r) => tx
            .payments_of_order(order.id)?
            .into_iter()
            .find(|p| p.reference.as_deref() == Some(r.as_str())),
        None => None,
    }
    .or(payment);
    Ok(tx.insert_resolution(
        &order,
        about.as_ref(),
        ask.rule.as_str(),
        first.provider_id.as_deref(),
        ask.note,
        ask.actor,
        ask.at,
    )?)
}

/// Records the owner's acknowledgement of one finding; `provider_id`
/// picks one of several (a dispute's or a refund's id).
#[allow(clippy::too_many_arguments)]
pub fn resolve(
    store: &mut Store,
    number: &str,
    rule: Rule,
    provider_id: Option<&str>,
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
        let order = tx
            .order_by_number(number)?
            .ok_or_else(|| ResolveError::UnknownOrder(number.to_owned()))?;
        let nothing = || ResolveError::NothingOpen {
            number: number.to_owned(),
            rule,
        };
        let at = format_ts(now);
        let closed = match rule {
            Rule::OrphanTransaction => tx.dismiss_orphans_of_order(number, note, actor, &at)?,
            Rule::WebhookFailed => tx.resolve_failed_events(number, &at)?,
            Rule::StatusMismatch
            | Rule::PaidWithoutPayment
            | Rule::AmountMismatch
            | Rule::CurrencyMismatch
            | Rule::CancelledButCaptured
            | Rule::RefundAwaitingProvider
            | Rule::Disputed
            | Rule::MissingTimestamp
            | Rule::StalePending
            | Rule::FulfilledUnpaid
            | Rule::DisputeLost
            | Rule::RefundFailed
            | Rule::DuplicatePayment
            | Rule::MissingAtProvider
            | Rule::UnknownToTally
            | Rule::StatementMismatch
            | Rule::UnrecordedRefund
            | Rule::UnrecordedDispute => {
                let ask = Ask {
                    number,
                    rule,
                    provider_id,
                    note,
                    actor,
                    at: &at,
                };
                acknowledge(tx, &order, &ask, now, stale_after)?
            }
        };
        if closed == 0 {
            return Err(nothing());
        }
        let payment = tx.payment_for_order(order.id)?;
        let status = payment.as_ref().map(|p| p.status);
        let entry = AuditEntry::new(AuditEvent::FindingResolved, actor, now)
            .with_order(&order.number)
            .with_order_status(Some(order.status), Some(order.status))
            .with_order_payment_status(Some(order.payment_status), Some(order.payment_status))
            .with_payment_status(status, status)
            .with_details(json!({"rule": rule, "note": note}));
        tx.insert_audit(Some(order.id), payment.map(|p| p.id), &entry)?;
        Ok(())
    })
}
