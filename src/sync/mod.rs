//! `tally sync`: asks the providers for what their webhooks may not have
//! delivered, and applies it exactly as the listener would.
//!
//! A pass, per provider ([`Source`]: [`stripe`], [`paypal`], [`wave`]):
//!
//! 1. **Fetch**, with no transaction open: every event tally acts on,
//!    created since the watermark less [`MARGIN`] (first run: `--since`,
//!    default [`DEFAULT_SINCE`]), every page; then sorted by (created, id),
//!    so that a newest-first API and an oldest-first one give the same pass.
//! 2. **Apply** each event through the webhook path
//!    ([`ingest::apply::process`]): the same de-duplication by event id,
//!    each event its own `BEGIN IMMEDIATE` transaction, its `webhook_log`
//!    row with source `sync`. An event already recorded (the listener got
//!    it) is counted as a duplicate without a log row, so that a cron run
//!    every few minutes does not fill the log with the margin's repeats.
//! 3. **Refresh**: the provider's payments pending in tally created within
//!    the window (and those of `--order`), asked about one by one; what the
//!    provider says is recorded as a provider fact through the same path,
//!    forward-only like an event (see the rooms' `*_fact` functions).
//! 4. **Watermark**: only after a complete pass (every page fetched, every
//!    pending payment asked about, no event or fact failed) does it move,
//!    to the time the pass started. A pass killed or stopped half-way
//!    leaves it where it was: the next pass redoes the window, and what was
//!    applied is found as duplicates.
//!
//! Wave lists no events (`wave.md` §1.5): its pass is the refresh alone,
//! over a window of at least [`wave::LOOKBACK`] ([`Source::refresh_since`]),
//! and it also asks about pending payments that hold no session id yet,
//! found by their order's number ([`Source::asks_unreferenced`]).
//!
//! # Locking
//! One sync per database: [`SyncLock`] holds an exclusive lock on a file
//! beside the database for the whole run (released by the system if the
//! process dies). No database transaction is held across a network call.
//!
//! # Dry run
//! Fetches as usual, then applies everything inside one transaction that
//! is rolled back ([`Store::rehearse`]): what would change is reported,
//! nothing is written, not even the watermark.

pub mod clients;
pub mod paypal;
pub mod stripe;
pub mod wave;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Utc;
use serde::Serialize;

use crate::domain::{LogResult, LogSource, Provider, SignatureCheck, Timestamp};
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Msg, msg};
use crate::ingest::apply::{self, Delivery, Processing};
use crate::providers::api::ApiError;
use crate::store::sync::{PendingPayment, Watermark};
use crate::store::{Store, StoreError};

/// How far before the watermark a pass starts listing: events that became
/// visible late, clocks that disagree.
pub const MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// The first pass's window when `--since` is not given.
pub const DEFAULT_SINCE: chrono::TimeDelta = chrono::TimeDelta::days(3);

/// One event fetched from a provider, ready to apply.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub id: String,
    pub created: Timestamp,
    /// The event as the provider's API returned it (JSON).
    pub body: Vec<u8>,
}

/// A provider's API, as a pass uses it.
pub trait Source {
    fn provider(&self) -> Provider;
    /// The API path events come from, for the log rows.
    fn events_path(&self) -> &'static str;
    /// How long the provider keeps events, when documented.
    fn retention(&self) -> Option<chrono::TimeDelta>;
    /// Every event tally acts on created at or after `since`, up to `now`.
    fn events(
        &self,
        since: Timestamp,
        now: Timestamp,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Vec<Fetched>, ApiError>;
    /// What the provider says now of a payment tally has as pending: an
    /// event body to apply, or `None` when there is nothing to record.
    fn fact(&self, payment: &PendingPayment, now: Timestamp) -> Result<Option<Fetched>, ApiError>;
    /// How far back pending payments are asked about, given the events
    /// window's start and the pass's: the events window itself, where the
    /// events tell the rest.
    fn refresh_since(&self, since: Timestamp, _started: Timestamp) -> Timestamp {
        since
    }
    /// Whether payments that hold no provider reference are asked about
    /// too (the source finds them by their order's number).
    fn asks_unreferenced(&self) -> bool {
        false
    }
    /// Whether the provider can be asked about this payment at all (a
    /// reference of a kind its API looks up): the others are not counted
    /// as asked about.
    fn can_ask(&self, _payment: &PendingPayment) -> bool {
        true
    }
    /// HTTP requests made so far.
    fn calls(&self) -> u32;
}

/// What the command asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Overrides the watermark: the window starts here.
    pub since: Option<Timestamp>,
    /// Orders whose payments are refreshed whatever their age.
    pub orders: Vec<String>,
    pub dry_run: bool,
}

/// Where a pass is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    Fetching {
        provider: Provider,
        events: usize,
    },
    Applying {
        provider: Provider,
        done: usize,
        total: usize,
    },
    Refreshing {
        provider: Provider,
        done: usize,
        total: usize,
    },
}

/// One change a pass made (or would make).
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub provider: Provider,
    pub order: Option<String>,
    /// What changed, in words.
    pub change: String,
    pub event_id: String,
    pub event_type: String,
    /// `event` (from the events list) or `fact` (a payment asked about).
    pub from: &'static str,
    pub result: LogResult,
}

/// What one provider's pass did.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderReport {
    pub provider: Provider,
    /// The window's start.
    pub since: Option<String>,
    pub events_seen: usize,
    pub applied: usize,
    pub duplicates: usize,
    pub stale: usize,
    pub orphans: usize,
    pub ignored: usize,
    pub failed: usize,
    pub payments_refreshed: usize,
    pub watermark: Option<String>,
    pub calls: u32,
    /// What remains wrong (exit 1); English in JSON.
    pub problems: Vec<Msg>,
    /// Why the pass stopped (exit 2); English in JSON.
    pub error: Option<Msg>,
}

impl ProviderReport {
    /// An empty report of `provider`'s pass.
    pub fn new(provider: Provider) -> ProviderReport {
        ProviderReport {
            provider,
            since: None,
            events_seen: 0,
            applied: 0,
            duplicates: 0,
            stale: 0,
            orphans: 0,
            ignored: 0,
            failed: 0,
            payments_refreshed: 0,
            watermark: None,
            calls: 0,
            problems: Vec::new(),
            error: None,
        }
    }
}

/// What a whole run did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub dry_run: bool,
    pub providers: Vec<ProviderReport>,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn has_error(&self) -> bool {
        self.providers.iter().any(|p| p.error.is_some())
    }

    pub fn has_problems(&self) -> bool {
        self.providers.iter().any(|p| !p.problems.is_empty())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot take the sync lock {path}: {source}")]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SyncError {
    /// The error as a message, in the owner's language where read (the
    /// store's own errors are the command line's to render).
    pub fn msg(&self) -> Msg {
        match self {
            SyncError::Store(e) => msg!("plain", text = e.to_string()),
            SyncError::Sqlite(e) => msg!("database-error", error = e.to_string()),
            SyncError::Lock { path, source } => msg!(
                "sync-lock",
                path = path.display().to_string(),
                error = source.to_string()
            ),
        }
    }
}

/// The exclusive lock of one database's sync, held while it lives.
pub struct SyncLock {
    _file: File,
}

/// The lock file of the database at `db`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".sync-lock");
    db.with_file_name(name)
}

impl SyncLock {
    /// Takes the lock; `Ok(None)` when another sync holds it.
    pub fn try_take(db: &Path) -> Result<Option<SyncLock>, SyncError> {
        let path = lock_path(db);
        let err = |source| SyncError::Lock {
            path: path.clone(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(err)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(SyncLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(err(e)),
        }
    }
}

/// Runs a pass over each source in turn. A provider's API error stops that
/// provider's pass (reported in its [`ProviderReport::error`]); the others
/// still run. Only a database error stops the run.
pub fn run(
    store: &mut Store,
    sources: &[&dyn Source],
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, SyncError> {
    let mut report = Report {
        dry_run: options.dry_run,
        providers: Vec::new(),
        changes: Vec::new(),
    };
    for source in sources {
        let mut pr = ProviderReport::new(source.provider());
        let outcome = pass(
            store,
            *source,
            options,
            &mut pr,
            &mut report.changes,
            progress,
        );
        pr.calls = source.calls();
        match outcome {
            Ok(()) => {}
            Err(PassError::Api(e)) => pr.error = Some(e.msg()),
            Err(PassError::Store(e)) => return Err(e),
        }
        report.providers.push(pr);
    }
    Ok(report)
}

enum PassError {
    Api(ApiError),
    Store(SyncError),
}

impl From<ApiError> for PassError {
    fn from(e: ApiError) -> PassError {
        PassError::Api(e)
    }
}

impl From<rusqlite::Error> for PassError {
    fn from(e: rusqlite::Error) -> PassError {
        PassError::Store(SyncError::Sqlite(e))
    }
}

/// Sorts fetched events by (created, id) and drops repeats of an id.
pub fn in_order(mut events: Vec<Fetched>) -> Vec<Fetched> {
    events.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    events.dedup_by(|a, b| a.id == b.id);
    events
}

fn pass(
    store: &mut Store,
    source: &dyn Source,
    options: &Options,
    pr: &mut ProviderReport,
    changes: &mut Vec<Change>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), PassError> {
    let provider = source.provider();
    let started = Utc::now();
    let mark = store.reader().watermark(provider)?;
    let mut since = match (options.since, &mark) {
        (Some(since), _) => since,
        (None, Some(mark)) => mark.at - MARGIN,
        (None, None) => started - DEFAULT_SINCE,
    };
    if let Some(keep) = source.retention()
        && since < started - keep
    {
        let oldest = started - keep + chrono::TimeDelta::minutes(1);
        let what = match (options.since, &mark) {
            (None, Some(_)) => msg!("sync-the-watermark"),
            _ => msg!("plain", text = "--since"),
        };
        pr.problems.push(msg!(
            "sync-problem-retention",
            what = what,
            since = crate::domain::format_ts(since),
            provider = ProviderTitle(provider),
            days = keep.num_days(),
            oldest = crate::domain::format_ts(oldest)
        ));
        since = oldest;
    }
    pr.since = Some(crate::domain::format_ts(since));
    pr.watermark = mark.as_ref().map(|m| crate::domain::format_ts(m.at));

    let fetched = in_order(source.events(since, started, &mut |events| {
        progress(Progress::Fetching { provider, events });
    })?);
    pr.events_seen = fetched.len();
    let path = source.events_path();
    if options.dry_run {
        rehearse(
            store, provider, path, "event", &fetched, pr, changes, progress,
        )?;
    } else {
        let kill_after = test_kill_after();
        for (i, event) in fetched.iter().enumerate() {
            apply_one(store, provider, path, "event", event, pr, changes)?;
            if kill_after == Some(i + 1) {
                // The tests' stand-in for a power cut half-way through.
                std::process::abort();
            }
            progress(Progress::Applying {
                provider,
                done: i + 1,
                total: fetched.len(),
            });
        }
    }
    // What the events did, for the watermark's row (facts come next).
    let events_applied = pr.applied + pr.orphans;

    let refresh_from = source.refresh_since(since, started);
    if refresh_from < since {
        // A source without events (Wave): its window is the asking's.
        pr.since = Some(crate::domain::format_ts(refresh_from));
    }
    let mut pending = store.reader().pending_payments(
        provider,
        refresh_from,
        &options.orders,
        source.asks_unreferenced(),
    )?;
    pending.retain(|p| source.can_ask(p));
    let total = pending.len();
    let mut facts = Vec::new();
    for (i, payment) in pending.iter().enumerate() {
        let fact = source.fact(payment, Utc::now())?;
        pr.payments_refreshed += 1;
        progress(Progress::Refreshing {
            provider,
            done: i + 1,
            total,
        });
        let Some(fact) = fact else { continue };
        if options.dry_run {
            facts.push(fact);
        } else {
            apply_one(store, provider, "fact", "fact", &fact, pr, changes)?;
        }
    }
    if options.dry_run && !facts.is_empty() {
        rehearse(
            store,
            provider,
            "fact",
            "fact",
            &facts,
            pr,
            changes,
            &mut |_| {},
        )?;
    }
    // The watermark moves once the whole pass is done, the refresh
    // included: for Wave the refresh is the whole pass, and a pass stopped
    // by an error (returned above) must leave the window where it was.
    if pr.failed == 0 && !options.dry_run {
        store
            .write(|tx| {
                tx.set_watermark(&Watermark {
                    provider,
                    at: started,
                    passed_at: Utc::now(),
                    seen: i64::try_from(pr.events_seen).unwrap_or(i64::MAX),
                    applied: i64::try_from(events_applied).unwrap_or(i64::MAX),
                })
            })
            .map_err(|e: rusqlite::Error| PassError::Store(e.into()))?;
        pr.watermark = Some(crate::domain::format_ts(started));
    }
    if pr.failed > 0 {
        pr.problems.push(msg!(
            "sync-problem-failed",
            n = pr.failed,
            provider = ProviderTitle(provider)
        ));
    }
    Ok(())
}

/// `TALLY_TEST_SYNC_KILL_AFTER=N`: the process dies at once after applying
/// its Nth event (tests of a pass killed half-way).
fn test_kill_after() -> Option<usize> {
    std::env::var("TALLY_TEST_SYNC_KILL_AFTER")
        .ok()
        .and_then(|v| v.parse().ok())
}

fn delivery<'a>(path: &'a str) -> Delivery<'a> {
    Delivery {
        received_at: Utc::now(),
        started: Instant::now(),
        path,
        remote_addr: None,
        signature: SignatureCheck::NotChecked,
        requested_by: None,
        source: LogSource::Sync,
    }
}

fn count(pr: &mut ProviderReport, result: LogResult) {
    match result {
        LogResult::Applied => pr.applied += 1,
        LogResult::Duplicate => pr.duplicates += 1,
        LogResult::Stale => pr.stale += 1,
        LogResult::Orphan => pr.orphans += 1,
        LogResult::Ignored => pr.ignored += 1,
        LogResult::Rejected | LogResult::Error => pr.failed += 1,
    }
}

/// Whether a result is a change worth a line.
fn shows(result: LogResult) -> bool {
    match result {
        LogResult::Applied | LogResult::Orphan => true,
        LogResult::Duplicate
        | LogResult::Stale
        | LogResult::Ignored
        | LogResult::Rejected
        | LogResult::Error => false,
    }
}

/// Applies one fetched event in its own transaction.
fn apply_one(
    store: &mut Store,
    provider: Provider,
    path: &str,
    from: &'static str,
    event: &Fetched,
    pr: &mut ProviderReport,
    changes: &mut Vec<Change>,
) -> Result<(), PassError> {
    let known = store.reader().event_state(provider, &event.id)?;
    if known.is_some_and(|s| s != crate::domain::EventState::Failed) {
        pr.duplicates += 1;
        return Ok(());
    }
    match apply::process(store, provider, &event.body, &delivery(path), None) {
        Processing::Done(p) => {
            count(pr, p.result);
            if shows(p.result) {
                changes.push(Change {
                    provider,
                    order: p.order_number,
                    change: p.detail,
                    event_id: p.event_id,
                    event_type: p.event_type,
                    from,
                    result: p.result,
                });
            }
        }
        Processing::Malformed(e) => {
            pr.failed += 1;
            pr.problems.push(msg!(
                "sync-problem-malformed",
                provider = ProviderTitle(provider),
                id = event.id.as_str(),
                error = e.to_string()
            ));
        }
        Processing::Failed { error, .. } => {
            pr.failed += 1;
            pr.problems.push(msg!(
                "sync-problem-event-failed",
                provider = ProviderTitle(provider),
                id = event.id.as_str(),
                error = error.to_string()
            ));
        }
    }
    Ok(())
}

/// Applies `events` in one transaction that is rolled back: what they would
/// do, written nowhere.
#[allow(clippy::too_many_arguments)]
fn rehearse(
    store: &mut Store,
    provider: Provider,
    path: &str,
    from: &'static str,
    events: &[Fetched],
    pr: &mut ProviderReport,
    changes: &mut Vec<Change>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), PassError> {
    let d = delivery(path);
    let outcomes = store.rehearse(|tx| -> rusqlite::Result<Vec<_>> {
        let mut out = Vec::new();
        for (i, event) in events.iter().enumerate() {
            let outcome = match crate::providers::parse(provider, &event.body) {
                Ok(ev) => apply::apply_event(tx, &ev, &d, None).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            out.push((event.id.clone(), outcome));
            progress(Progress::Applying {
                provider,
                done: i + 1,
                total: events.len(),
            });
        }
        Ok(out)
    })?;
    for (id, outcome) in outcomes {
        match outcome {
            Ok(p) => {
                count(pr, p.result);
                if shows(p.result) {
                    changes.push(Change {
                        provider,
                        order: p.order_number,
                        change: p.detail,
                        event_id: p.event_id,
                        event_type: p.event_type,
                        from,
                        result: p.result,
                    });
                }
            }
            Err(e) => {
                pr.failed += 1;
                pr.problems.push(msg!(
                    "sync-problem-would-fail",
                    provider = ProviderTitle(provider),
                    id = id,
                    error = e
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
