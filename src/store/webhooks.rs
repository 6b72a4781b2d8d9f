//! The tables behind received provider events: the webhook log (one row per
//! request), `provider_events` (one row per event id: de-duplication and
//! failures) and the orphans (events that matched no payment).
//!
//! What a webhook log row promises: it never holds a signature or a secret;
//! it holds the raw body only when the delivery's signature was verified (so
//! that `tally webhooks replay` can re-run it); its `result` is one of the
//! closed [`LogResult`] words the schema allows. A row written for an event
//! that was processed is part of that event's transaction, so the log never
//! claims an event was applied when it was not.
//!
//! Retention: [`Writer::prune_webhook_bodies`] drops the stored bodies (they
//! hold customers' names, e-mails and addresses) and the remote addresses of
//! old rows, and keeps everything de-duplication and the reports need: event
//! ids, types, results, and `provider_events`.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Reader, Writer};
use crate::domain::{
    EventState, LogResult, LogSource, Money, OrphanState, Provider, SignatureCheck, Timestamp,
    format_ts,
};

/// One webhook log row to write.
#[derive(Debug, Clone)]
pub struct NewLogRow<'a> {
    pub received_at: Timestamp,
    pub provider: Option<Provider>,
    pub path: &'a str,
    pub remote_addr: Option<&'a str>,
    pub event_id: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub signature: SignatureCheck,
    pub result: LogResult,
    pub http_status: u16,
    pub duration_us: i64,
    pub error: Option<&'a str>,
    /// The raw body: kept only for verified deliveries.
    pub body: Option<&'a [u8]>,
    pub order_number: Option<&'a str>,
    pub source: LogSource,
}

/// A stored webhook log row, as `tally webhooks` shows it (never the body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub id: i64,
    pub received_at: String,
    pub provider: Option<Provider>,
    pub path: String,
    pub remote_addr: Option<String>,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub signature: SignatureCheck,
    pub result: LogResult,
    pub http_status: i64,
    pub duration_us: i64,
    pub error: Option<String>,
    pub order_number: Option<String>,
    /// Whether the verified body is kept (and the row can be replayed).
    pub replayable: bool,
    /// For an event: its current state in `provider_events` (a failed
    /// delivery later retried successfully reads "applied").
    pub event_state: Option<EventState>,
    /// The listener, a replay, or `tally sync`.
    pub source: LogSource,
}

/// What [`Writer::prune_webhook_bodies`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Stored bodies dropped.
    pub bodies: i64,
    /// Remote addresses dropped.
    pub addresses: i64,
    /// Old bodies kept because an open orphan or an unresolved failed event
    /// still needs them (to link or replay it).
    pub kept: i64,
}

/// One orphan, as `tally orphans` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Orphan {
    pub id: i64,
    pub provider: Provider,
    pub reference: Option<String>,
    /// "12.50 EUR", when the event said.
    pub amount: Option<String>,
    pub event_id: String,
    pub event_type: String,
    /// The order the event named (a possible double charge), if any.
    pub order_number: Option<String>,
    pub received_at: String,
    pub state: OrphanState,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub note: Option<String>,
}

/// An orphan to record.
#[derive(Debug, Clone)]
pub struct NewOrphan<'a> {
    pub provider: Provider,
    pub reference: Option<&'a str>,
    pub amount: Option<Money>,
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub order_number: Option<&'a str>,
    pub received_at: Timestamp,
    pub note: &'a str,
}

/// One provider event id's new state.
#[derive(Debug, Clone)]
pub struct EventRecord<'a> {
    pub provider: Provider,
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub received_at: Timestamp,
    pub state: EventState,
    pub payment_id: Option<i64>,
    pub order_number: Option<&'a str>,
    /// The provider's own time of the event.
    pub created: Option<Timestamp>,
}

const ENTRY_SELECT: &str = "SELECT w.id, w.received_at, w.provider, w.path, w.remote_addr,
        w.event_id, w.event_type, w.signature, w.result, w.http_status, w.duration_us, w.error,
        w.order_number, w.body IS NOT NULL, e.state, w.source
     FROM webhook_log w
     LEFT JOIN provider_events e ON e.provider = w.provider AND e.event_id = w.event_id";

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogEntry> {
    Ok(LogEntry {
        id: r.get(0)?,
        received_at: r.get(1)?,
        provider: r.get(2)?,
        path: r.get(3)?,
        remote_addr: r.get(4)?,
        event_id: r.get(5)?,
        event_type: r.get(6)?,
        signature: r.get(7)?,
        result: r.get(8)?,
        http_status: r.get(9)?,
        duration_us: r.get(10)?,
        error: r.get(11)?,
        order_number: r.get(12)?,
        replayable: r.get(13)?,
        event_state: r.get(14)?,
        source: r.get(15)?,
    })
}

const ORPHAN_SELECT: &str = "SELECT id, provider, reference, amount_minor, currency, event_id,
        event_type, order_number, received_at, state, resolved_at, resolved_by, note
     FROM orphans";

fn orphan_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Orphan> {
    let minor: Option<i64> = r.get(3)?;
    let currency: Option<String> = r.get(4)?;
    let amount = match (minor, currency) {
        (Some(m), Some(c)) => Some(Money::from_stored(m, &c).map_or_else(
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

/// Rows whose body an open orphan or a failed, unresolved event still needs.
const BODY_NEEDED: &str = "(EXISTS (SELECT 1 FROM orphans o
         WHERE o.state = 'open' AND o.provider = webhook_log.provider
           AND o.event_id = webhook_log.event_id)
     OR EXISTS (SELECT 1 FROM provider_events e
         WHERE e.state = 'failed' AND e.resolved_at IS NULL
           AND e.provider = webhook_log.provider AND e.event_id = webhook_log.event_id))";

impl Reader<'_> {
    /// The most recent `limit` webhook log rows, oldest first. With
    /// `failed_only`, only the rows of events still failed (state 'failed',
    /// not resolved): what `tally check` reports as `webhook_failed`.
    pub fn webhook_log(&self, failed_only: bool, limit: i64) -> rusqlite::Result<Vec<LogEntry>> {
        let filter = if failed_only {
            "WHERE w.result = 'error' AND e.state = 'failed' AND e.resolved_at IS NULL"
        } else {
            ""
        };
        let mut rows: Vec<LogEntry> = self
            .prepare_cached(&format!(
                "{ENTRY_SELECT} {filter} ORDER BY w.id DESC LIMIT ?1"
            ))?
            .query_map([limit], entry_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.reverse();
        Ok(rows)
    }

    /// One webhook log row by id.
    pub fn webhook_log_entry(&self, id: i64) -> rusqlite::Result<Option<LogEntry>> {
        self.prepare_cached(&format!("{ENTRY_SELECT} WHERE w.id = ?1"))?
            .query_row([id], entry_from_row)
            .optional()
    }

    /// The stored verified body of one webhook log row.
    pub fn webhook_body(&self, id: i64) -> rusqlite::Result<Option<Vec<u8>>> {
        self.prepare_cached("SELECT body FROM webhook_log WHERE id = ?1")?
            .query_row([id], |r| r.get::<_, Option<Vec<u8>>>(0))
            .optional()
            .map(Option::flatten)
    }

    /// The most recent stored verified body of an event: its row id, path
    /// and bytes.
    pub fn webhook_body_of_event(
        &self,
        provider: Provider,
        event_id: &str,
    ) -> rusqlite::Result<Option<(i64, String, Vec<u8>)>> {
        self.prepare_cached(
            "SELECT id, path, body FROM webhook_log
             WHERE provider = ?1 AND event_id = ?2 AND body IS NOT NULL ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![provider, event_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
    }

    /// The orphans, oldest first: the open ones, or all with `all`.
    pub fn orphans(&self, all: bool) -> rusqlite::Result<Vec<Orphan>> {
        let filter = if all { "" } else { "WHERE state = 'open'" };
        self.prepare_cached(&format!("{ORPHAN_SELECT} {filter} ORDER BY id"))?
            .query_map([], orphan_from_row)?
            .collect()
    }

    pub fn orphan(&self, id: i64) -> rusqlite::Result<Option<Orphan>> {
        self.prepare_cached(&format!("{ORPHAN_SELECT} WHERE id = ?1"))?
            .query_row([id], orphan_from_row)
            .optional()
    }
}

impl Writer<'_> {
    /// Appends one webhook log row; returns its id. The body is dropped
    /// unless the signature was verified.
    pub fn insert_webhook_log(&self, row: &NewLogRow<'_>) -> rusqlite::Result<i64> {
        let body = if row.signature.keeps_body() {
            row.body
        } else {
            None
        };
        self.conn()
            .prepare_cached(
                "INSERT INTO webhook_log (received_at, provider, path, remote_addr, event_id,
                        event_type, signature, result, http_status, duration_us, error, body,
                        order_number, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                format_ts(row.received_at),
                row.provider,
                row.path,
                row.remote_addr,
                row.event_id,
                row.event_type,
                row.signature,
                row.result,
                row.http_status,
                row.duration_us,
                row.error,
                body,
                row.order_number,
                row.source,
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Drops the bodies and remote addresses of the rows received before
    /// `before`, except the bodies still needed (see [`Pruned::kept`]).
    /// Event ids, types and results stay, and `provider_events` is not
    /// touched, so a re-delivered event is still recognised as a duplicate.
    /// With `PRAGMA secure_delete` on ([`Store::set_secure_delete`]), the
    /// dropped bytes are overwritten in the file too.
    ///
    /// [`Store::set_secure_delete`]: super::Store::set_secure_delete
    pub fn prune_webhook_bodies(&self, before: Timestamp) -> rusqlite::Result<Pruned> {
        let before = format_ts(before);
        let kept = self
            .conn()
            .prepare_cached(&format!(
                "SELECT count(*) FROM webhook_log
                 WHERE received_at < ?1 AND body IS NOT NULL AND {BODY_NEEDED}"
            ))?
            .query_row([&before], |r| r.get(0))?;
        let bodies = self
            .conn()
            .prepare_cached(&format!(
                "UPDATE webhook_log SET body = NULL
                 WHERE received_at < ?1 AND body IS NOT NULL AND NOT {BODY_NEEDED}"
            ))?
            .execute([&before])?;
        let addresses = self
            .conn()
            .prepare_cached(
                "UPDATE webhook_log SET remote_addr = NULL
                 WHERE received_at < ?1 AND remote_addr IS NOT NULL",
            )?
            .execute([&before])?;
        Ok(Pruned {
            bodies: i64::try_from(bodies).unwrap_or(i64::MAX),
            addresses: i64::try_from(addresses).unwrap_or(i64::MAX),
            kept,
        })
    }

    /// Records what became of an event id (insert, or overwrite the state
    /// of a failed or orphaned event being processed again).
    pub fn record_event(&self, e: &EventRecord<'_>) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO provider_events (provider, event_id, event_type, received_at, state,
                        payment_id, order_number, event_created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (provider, event_id) DO UPDATE SET state = excluded.state,
                        payment_id = excluded.payment_id, order_number = excluded.order_number,
                        event_created_at = excluded.event_created_at, error = NULL",
            )?
            .execute(params![
                e.provider,
                e.event_id,
                e.event_type,
                format_ts(e.received_at),
                e.state,
                e.payment_id,
                e.order_number,
                e.created.map(format_ts),
            ])?;
        Ok(())
    }

    /// Records an event whose processing failed, so `check` reports it. A
    /// failed event is never recorded over a state that is not failed.
    pub fn record_failed_event(
        &self,
        provider: Provider,
        event_id: &str,
        event_type: &str,
        received_at: Timestamp,
        error: &str,
    ) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO provider_events (provider, event_id, event_type, received_at, state,
                        error)
                 VALUES (?1, ?2, ?3, ?4, 'failed', ?5)
                 ON CONFLICT (provider, event_id) DO UPDATE SET error = excluded.error
                 WHERE provider_events.state = 'failed'",
            )?
            .execute(params![
                provider,
                event_id,
                event_type,
                format_ts(received_at),
                error
            ])?;
        Ok(())
    }

    /// Marks the failed, unresolved events of an order resolved; returns
    /// how many.
    pub fn resolve_failed_events(&self, order_number: &str, at: &str) -> rusqlite::Result<usize> {
        self.conn()
            .prepare_cached(
                "UPDATE provider_events SET resolved_at = ?2
                 WHERE state = 'failed' AND resolved_at IS NULL AND order_number = ?1",
            )?
            .execute(params![order_number, at])
    }

    /// Records an orphan.
    pub fn insert_orphan(&self, o: &NewOrphan<'_>) -> rusqlite::Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO orphans (provider, reference, amount_minor, currency, event_id,
                        event_type, order_number, received_at, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                o.provider,
                o.reference,
                o.amount.map(|m| m.minor()),
                o.amount.map(|m| m.currency()),
                o.event_id,
                o.event_type,
                o.order_number,
                format_ts(o.received_at),
                o.note,
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Closes open orphan `id` as linked to order `number`.
    pub fn link_orphan(
        &self,
        id: i64,
        number: &str,
        actor: &str,
        at: Timestamp,
    ) -> rusqlite::Result<usize> {
        self.conn()
            .prepare_cached(
                "UPDATE orphans SET state = 'linked', resolved_at = ?2, resolved_by = ?3,
                        order_number = ?4
                 WHERE id = ?1 AND state = 'open'",
            )?
            .execute(params![id, format_ts(at), actor, number])
    }

    /// Closes open orphan `id` as dismissed, keeping its note unless a new
    /// one is given.
    pub fn dismiss_orphan(
        &self,
        id: i64,
        note: Option<&str>,
        actor: &str,
        at: Timestamp,
    ) -> rusqlite::Result<usize> {
        self.conn()
            .prepare_cached(
                "UPDATE orphans SET state = 'dismissed', resolved_at = ?2, resolved_by = ?3,
                        note = coalesce(?4, note)
                 WHERE id = ?1 AND state = 'open'",
            )?
            .execute(params![id, format_ts(at), actor, note])
    }

    /// Dismisses every open orphan naming order `number` with `note`
    /// (`tally resolve NUMBER orphan_transaction`); returns how many.
    pub fn dismiss_orphans_of_order(
        &self,
        number: &str,
        note: &str,
        actor: &str,
        at: &str,
    ) -> rusqlite::Result<usize> {
        self.conn()
            .prepare_cached(
                "UPDATE orphans SET state = 'dismissed', resolved_at = ?2, resolved_by = ?3,
                        note = ?4
                 WHERE state = 'open' AND order_number = ?1",
            )?
            .execute(params![number, at, actor, note])
    }
}
