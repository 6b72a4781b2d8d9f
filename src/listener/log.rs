//! The webhook log (the seed's WebhookLog): one row per request to a
//! webhook route, and the reads behind `tally webhooks`.
//!
//! What a row promises: it never holds a signature or a secret; it holds
//! the raw body only when the delivery's signature was verified (so that
//! `tally webhooks replay` can re-run it); its `result` is one of the closed
//! [`LogResult`] words the schema allows. A row written for an event that was
//! processed is part of that event's transaction, so the log never claims
//! an event was applied when it was not.
//!
//! Retention: [`prune`] (`tally webhooks prune`) drops the stored bodies
//! (they hold customers' names, e-mails and addresses) and the remote
//! addresses of old rows, and keeps everything de-duplication and the
//! reports need: event ids, types, results, and `provider_events`.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::domain::status::closed_enum;
use crate::domain::{Provider, Timestamp, format_ts};

closed_enum! {
    /// What became of a request (`webhook_log.result`).
    LogResult, "webhook result" {
        Applied => "applied",
        Duplicate => "duplicate",
        Stale => "stale",
        Orphan => "orphan",
        Ignored => "ignored",
        Rejected => "rejected",
        Error => "error",
    }
}

closed_enum! {
    /// The outcome of the signature check (`webhook_log.signature`).
    SignatureCheck, "signature check" {
        Verified => "verified",
        Invalid => "invalid",
        Missing => "missing",
        Expired => "expired",
        Unconfigured => "unconfigured",
        NotChecked => "not_checked",
    }
}

/// One row to write.
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
    /// The raw body: only for verified deliveries.
    pub body: Option<&'a [u8]>,
    pub order_number: Option<&'a str>,
}

/// Appends one row; returns its id.
pub fn insert(conn: &Connection, row: &NewLogRow<'_>) -> rusqlite::Result<i64> {
    let body = match row.signature {
        SignatureCheck::Verified | SignatureCheck::NotChecked => row.body,
        SignatureCheck::Invalid
        | SignatureCheck::Missing
        | SignatureCheck::Expired
        | SignatureCheck::Unconfigured => None,
    };
    conn.prepare_cached(
        "INSERT INTO webhook_log (received_at, provider, path, remote_addr, event_id,
                event_type, signature, result, http_status, duration_us, error, body,
                order_number)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        format_ts(row.received_at),
        row.provider.map(Provider::as_str),
        row.path,
        row.remote_addr,
        row.event_id,
        row.event_type,
        row.signature.as_str(),
        row.result.as_str(),
        row.http_status,
        row.duration_us,
        row.error,
        body,
        row.order_number,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A stored row, as `tally webhooks` shows it (never the body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub id: i64,
    pub received_at: String,
    pub provider: Option<String>,
    pub path: String,
    pub remote_addr: Option<String>,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub signature: String,
    pub result: String,
    pub http_status: i64,
    pub duration_us: i64,
    pub error: Option<String>,
    pub order_number: Option<String>,
    /// Whether the verified body is kept (and the row can be replayed).
    pub replayable: bool,
    /// For an event: its current state in `provider_events` (a failed
    /// delivery later retried successfully reads "applied").
    pub event_state: Option<String>,
}

const ENTRY_SELECT: &str = "SELECT w.id, w.received_at, w.provider, w.path, w.remote_addr,
        w.event_id, w.event_type, w.signature, w.result, w.http_status, w.duration_us, w.error,
        w.order_number, w.body IS NOT NULL, e.state
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
    })
}

/// The most recent `limit` rows, oldest first. With `failed_only`, only the
/// rows of events still failed (state 'failed', not resolved): what
/// `tally check` reports as `webhook_failed`.
pub fn recent(conn: &Connection, failed_only: bool, limit: i64) -> rusqlite::Result<Vec<LogEntry>> {
    let filter = if failed_only {
        "WHERE w.result = 'error' AND e.state = 'failed' AND e.resolved_at IS NULL"
    } else {
        ""
    };
    let mut rows: Vec<LogEntry> = conn
        .prepare_cached(&format!(
            "{ENTRY_SELECT} {filter} ORDER BY w.id DESC LIMIT ?1"
        ))?
        .query_map([limit], entry_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.reverse();
    Ok(rows)
}

/// One row by id.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<LogEntry>> {
    conn.prepare_cached(&format!("{ENTRY_SELECT} WHERE w.id = ?1"))?
        .query_row([id], entry_from_row)
        .optional()
}

/// The stored verified body of one row.
pub fn body(conn: &Connection, id: i64) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT body FROM webhook_log WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Option<Vec<u8>>>(0))
        .optional()
        .map(Option::flatten)
}

/// The most recent stored verified body of an event.
pub fn body_of_event(
    conn: &Connection,
    provider: Provider,
    event_id: &str,
) -> rusqlite::Result<Option<(i64, String, Vec<u8>)>> {
    conn.prepare_cached(
        "SELECT id, path, body FROM webhook_log
         WHERE provider = ?1 AND event_id = ?2 AND body IS NOT NULL ORDER BY id DESC LIMIT 1",
    )?
    .query_row(params![provider.as_str(), event_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()
}

/// What [`prune`] changed.
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

/// Rows whose body an open orphan or a failed, unresolved event still needs.
const BODY_NEEDED: &str = "(EXISTS (SELECT 1 FROM orphans o
         WHERE o.state = 'open' AND o.provider = webhook_log.provider
           AND o.event_id = webhook_log.event_id)
     OR EXISTS (SELECT 1 FROM provider_events e
         WHERE e.state = 'failed' AND e.resolved_at IS NULL
           AND e.provider = webhook_log.provider AND e.event_id = webhook_log.event_id))";

/// Drops the bodies and remote addresses of the rows received before
/// `before`, except the bodies still needed (see [`Pruned::kept`]). Event
/// ids, types and results stay, and `provider_events` is not touched, so a
/// re-delivered event is still recognised as a duplicate.
///
/// Run it inside a write transaction; with `PRAGMA secure_delete` on, the
/// dropped bytes are overwritten in the file too.
pub fn prune(conn: &Connection, before: Timestamp) -> rusqlite::Result<Pruned> {
    let before = format_ts(before);
    let kept = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM webhook_log
             WHERE received_at < ?1 AND body IS NOT NULL AND {BODY_NEEDED}"
        ))?
        .query_row([&before], |r| r.get(0))?;
    let bodies = conn
        .prepare_cached(&format!(
            "UPDATE webhook_log SET body = NULL
             WHERE received_at < ?1 AND body IS NOT NULL AND NOT {BODY_NEEDED}"
        ))?
        .execute([&before])?;
    let addresses = conn
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
