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

use serde_json::json;

use super::apply::{self, ApplyError, Delivery, Processed, Processing};
use crate::domain::{
    AuditEntry, AuditEvent, LogResult, LogSource, OrphanState, Provider, SignatureCheck, Timestamp,
};
use crate::providers::{self, EventError};
use crate::store::webhooks::Orphan;
use crate::store::{Reader, Store, Writer};

#[derive(Debug, thiserror::Error)]
pub enum OrphanError {
    #[error("no orphan #{0} (see `tally orphans`)")]
    Unknown(i64),
    #[error("orphan #{id} is already {state}")]
    Closed { id: i64, state: OrphanState },
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

impl OrphanError {
    /// The error as the owner reads it.
    pub fn localize(&self, lang: crate::i18n::Lang) -> String {
        use crate::tr;
        match self {
            OrphanError::Unknown(id) => tr!(lang, "orphan-unknown", id = id.to_string()),
            OrphanError::Closed { id, state } => {
                tr!(lang, "orphan-closed", id = id.to_string(), state = *state)
            }
            OrphanError::NoBody { id, event_id } => tr!(
                lang,
                "orphan-no-body",
                id = id.to_string(),
                event_id = event_id.as_str()
            ),
            OrphanError::UnknownRow(id) => tr!(lang, "orphan-unknown-row", id = id.to_string()),
            OrphanError::NotReplayable(id) => {
                tr!(lang, "orphan-not-replayable", id = id.to_string())
            }
            OrphanError::Event { id, source } => tr!(
                lang,
                "orphan-event",
                id = id.to_string(),
                error = source.to_string()
            ),
            OrphanError::Apply(e) => e.to_string(),
            OrphanError::Sqlite(e) => tr!(lang, "database-error", error = e.to_string()),
        }
    }
}

fn open_orphan(tx: &Reader<'_>, id: i64) -> Result<(Orphan, Provider), OrphanError> {
    let orphan = tx.orphan(id)?.ok_or(OrphanError::Unknown(id))?;
    match orphan.state {
        OrphanState::Open => {}
        state @ (OrphanState::Linked | OrphanState::Dismissed) => {
            return Err(OrphanError::Closed { id, state });
        }
    }
    let provider = orphan.provider;
    Ok((orphan, provider))
}

fn audit(
    tx: &Writer<'_>,
    order_number: Option<&str>,
    event: AuditEvent,
    actor: &str,
    now: Timestamp,
    details: serde_json::Value,
) -> rusqlite::Result<()> {
    let order = match order_number {
        Some(n) => tx.order_by_number(n)?,
        None => None,
    };
    let mut entry = AuditEntry::new(event, actor, now).with_details(details);
    if let Some(n) = order_number {
        entry = entry.with_order(n);
    }
    tx.insert_audit(order.as_ref().map(|o| o.id), None, &entry)
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
        let (_, path, body) = tx
            .webhook_body_of_event(provider, &orphan.event_id)?
            .ok_or_else(|| OrphanError::NoBody {
                id,
                event_id: orphan.event_id.clone(),
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
            source: LogSource::Replay,
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
        tx.link_orphan(id, number, actor, now)?;
        audit(
            tx,
            Some(number),
            AuditEvent::OrphanLinked,
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
        tx.dismiss_orphan(id, note, actor, now)?;
        audit(
            tx,
            orphan.order_number.as_deref(),
            AuditEvent::OrphanDismissed,
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
        Ok(tx.orphan(id)?.unwrap_or(orphan))
    })
}

/// Re-runs the processing of webhook log row `id`'s stored verified body.
pub fn replay(
    store: &mut Store,
    id: i64,
    actor: &str,
    now: Timestamp,
) -> Result<Processing, OrphanError> {
    let reader = store.reader();
    let entry = reader
        .webhook_log_entry(id)?
        .ok_or(OrphanError::UnknownRow(id))?;
    let body = reader
        .webhook_body(id)?
        .ok_or(OrphanError::NotReplayable(id))?;
    let provider = entry.provider.ok_or(OrphanError::NotReplayable(id))?;
    let remote = format!("replay of #{id}");
    let delivery = Delivery {
        received_at: now,
        started: Instant::now(),
        path: &entry.path,
        remote_addr: Some(&remote),
        signature: SignatureCheck::NotChecked,
        requested_by: Some(actor),
        source: LogSource::Replay,
    };
    Ok(apply::process(store, provider, &body, &delivery, None))
}
