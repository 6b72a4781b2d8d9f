//! Orphans (the seed's OrphanTransaction) and replays: the owner's ways
//! back into an event the listener could not place or could not apply.
//!
//! - [`link`] attaches an open orphan to an order's payment and applies its
//!   event there, through the same [`apply::apply_event`] as a delivery, in
//!   one `BEGIN IMMEDIATE` transaction with the orphan's new state and an
//!   audit row naming the owner.
//! - [`dismiss`] closes an open orphan once dealt with elsewhere (audited).
//! - [`replay`] re-runs the processing of a stored verified delivery through
//!   [`apply::process`], the listener's own code path; the signature check
//!   is not repeated (it passed when the event arrived, and its timestamp
//!   has since expired).
//!
//! Each one changes nothing when it fails, and says why.

use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::apply::{self, ApplyError, Delivery, Processed, Processing};
use super::log::{self, LogResult, SignatureCheck};
use crate::domain::{AuditEntry, Provider, Timestamp, format_ts};
use crate::providers::{self, EventError};
use crate::store::{Store, queries};

/// Audit event names.
pub const EVENT_LINKED: &str = "orphan_linked";
pub const EVENT_DISMISSED: &str = "orphan_dismissed";

#[derive(Debug, thiserror::Error)]
pub enum OrphanError {
    #[error("no orphan #{0} (see `tally orphans`)")]
    Unknown(i64),
    #[error("orphan #{id} is already {state}")]
    Closed { id: i64, state: String },
    #[error(
        "orphan #{id}: the body of event {event_id} is not stored (only verified deliveries keep theirs)"
    )]
    NoBody { id: i64, event_id: String },
    #[error("no webhook log row #{0} (see `tally webhooks`)")]
    UnknownRow(i64),
    #[error("webhook log row #{0} has no stored body: only verified deliveries can be replayed")]
    NotReplayable(i64),
    #[error("orphan #{id}: {source}")]
    Event { id: i64, source: EventError },
    #[error("{0}")]
    Apply(#[from] ApplyError),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// One orphan, as `tally orphans` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Orphan {
    pub id: i64,
    pub provider: String,
    pub reference: Option<String>,
    /// "12.50 EUR", when the event said.
    pub amount: Option<String>,
    pub event_id: String,
    pub event_type: String,
    /// The order the event named (a possible double charge), if any.
    pub order_number: Option<String>,
    pub received_at: String,
    pub state: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub note: Option<String>,
}

const ORPHAN_SELECT: &str = "SELECT id, provider, reference, amount_minor, currency, event_id,
        event_type, order_number, received_at, state, resolved_at, resolved_by, note
     FROM orphans";

fn orphan_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Orphan> {
    let minor: Option<i64> = r.get(3)?;
    let currency: Option<String> = r.get(4)?;
    let amount = match (minor, currency) {
        (Some(m), Some(c)) => Some(crate::domain::Money::from_stored(m, &c).map_or_else(
            |_| format!("{m} (minor units) {c}"),
            |money| money.to_string(),
        )),
        _ => None,
    };
    Ok(Orphan {
        id: r.get(0)?,
        provider: r.get(1)?,
        reference: r.get(2)?,
        amount,
        event_id: r.get(5)?,
        event_type: r.get(6)?,
        order_number: r.get(7)?,
        received_at: r.get(8)?,
        state: r.get(9)?,
        resolved_at: r.get(10)?,
        resolved_by: r.get(11)?,
        note: r.get(12)?,
    })
}

/// The orphans, oldest first: the open ones, or all with `all`.
pub fn list(conn: &Connection, all: bool) -> rusqlite::Result<Vec<Orphan>> {
    let filter = if all { "" } else { "WHERE state = 'open'" };
    conn.prepare_cached(&format!("{ORPHAN_SELECT} {filter} ORDER BY id"))?
        .query_map([], orphan_from_row)?
        .collect()
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Orphan>> {
    conn.prepare_cached(&format!("{ORPHAN_SELECT} WHERE id = ?1"))?
        .query_row([id], orphan_from_row)
        .optional()
}

fn open_orphan(conn: &Connection, id: i64) -> Result<(Orphan, Provider), OrphanError> {
    let orphan = get(conn, id)?.ok_or(OrphanError::Unknown(id))?;
    if orphan.state != "open" {
        return Err(OrphanError::Closed {
            id,
            state: orphan.state,
        });
    }
    let provider: Provider = orphan
        .provider
        .parse()
        .map_err(|e| ApplyError::Refused(format!("orphan #{id}: {e}")))?;
    Ok((orphan, provider))
}

fn audit(
    conn: &Connection,
    order_number: Option<&str>,
    event: &str,
    actor: &str,
    now: Timestamp,
    details: serde_json::Value,
) -> rusqlite::Result<()> {
    let order = match order_number {
        Some(n) => queries::order_by_number(conn, n)?,
        None => None,
    };
    queries::insert_audit(
        conn,
        order.as_ref().map(|o| o.id),
        None,
        &AuditEntry {
            at: format_ts(now),
            order_number: order_number.map(str::to_owned),
            event: event.to_owned(),
            actor: actor.to_owned(),
            old_order_status: None,
            new_order_status: None,
            old_order_payment_status: None,
            new_order_payment_status: None,
            old_payment_status: None,
            new_payment_status: None,
            details,
        },
    )
}

/// Attaches open orphan `id` to order `number`'s payment and applies its
/// event there.
pub fn link(
    store: &mut Store,
    id: i64,
    number: &str,
    actor: &str,
    now: Timestamp,
) -> Result<Processed, OrphanError> {
    store.write(|tx| {
        let (orphan, provider) = open_orphan(tx, id)?;
        let (_, path, body) =
            log::body_of_event(tx, provider, &orphan.event_id)?.ok_or_else(|| {
                OrphanError::NoBody {
                    id,
                    event_id: orphan.event_id.clone(),
                }
            })?;
        let ev = providers::parse(provider, &body)
            .map_err(|source| OrphanError::Event { id, source })?;
        let delivery = Delivery {
            received_at: now,
            started: Instant::now(),
            path: &path,
            remote_addr: None,
            signature: SignatureCheck::NotChecked,
            requested_by: Some(actor),
        };
        let processed = apply::apply_event(tx, &ev, &delivery, Some(number))?;
        match processed.result {
            LogResult::Applied | LogResult::Stale => {}
            other @ (LogResult::Duplicate
            | LogResult::Orphan
            | LogResult::Ignored
            | LogResult::Rejected
            | LogResult::Error) => {
                return Err(ApplyError::Refused(format!(
                    "orphan #{id}: its event {} was {other}, not linked",
                    orphan.event_id
                ))
                .into());
            }
        }
        tx.prepare_cached(
            "UPDATE orphans SET state = 'linked', resolved_at = ?2, resolved_by = ?3,
                    order_number = ?4
             WHERE id = ?1 AND state = 'open'",
        )?
        .execute(params![id, format_ts(now), actor, number])?;
        audit(
            tx,
            Some(number),
            EVENT_LINKED,
            actor,
            now,
            json!({
                "orphan_id": id,
                "provider": provider.as_str(),
                "event_id": orphan.event_id,
                "event_type": orphan.event_type,
                "result": processed.result.as_str(),
            }),
        )?;
        Ok(processed)
    })
}

/// Closes open orphan `id` without applying it.
pub fn dismiss(
    store: &mut Store,
    id: i64,
    note: Option<&str>,
    actor: &str,
    now: Timestamp,
) -> Result<Orphan, OrphanError> {
    store.write(|tx| {
        let (orphan, provider) = open_orphan(tx, id)?;
        tx.prepare_cached(
            "UPDATE orphans SET state = 'dismissed', resolved_at = ?2, resolved_by = ?3,
                    note = coalesce(?4, note)
             WHERE id = ?1 AND state = 'open'",
        )?
        .execute(params![id, format_ts(now), actor, note])?;
        audit(
            tx,
            orphan.order_number.as_deref(),
            EVENT_DISMISSED,
            actor,
            now,
            json!({
                "orphan_id": id,
                "provider": provider.as_str(),
                "event_id": orphan.event_id,
                "event_type": orphan.event_type,
                "note": note,
            }),
        )?;
        Ok(get(tx, id)?.unwrap_or(orphan))
    })
}

/// Re-runs the processing of webhook log row `id`'s stored verified body.
pub fn replay(
    store: &mut Store,
    id: i64,
    actor: &str,
    now: Timestamp,
) -> Result<Processing, OrphanError> {
    let entry = log::get(store.conn(), id)?.ok_or(OrphanError::UnknownRow(id))?;
    let body = log::body(store.conn(), id)?.ok_or(OrphanError::NotReplayable(id))?;
    let provider: Provider = entry
        .provider
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|_| OrphanError::NotReplayable(id))?;
    let remote = format!("replay of #{id}");
    let delivery = Delivery {
        received_at: now,
        started: Instant::now(),
        path: &entry.path,
        remote_addr: Some(&remote),
        signature: SignatureCheck::NotChecked,
        requested_by: Some(actor),
    };
    Ok(apply::process(store, provider, &body, &delivery, None))
}
