//! The dashboard's background threads: whatever may take longer than a
//! frame runs here, off the input path, so a key press never waits for it.
//!
//! - the counter: how many rows the current search and filters select (a
//!   count over a million rows takes longer than a frame). A newer request
//!   interrupts the running one.
//! - the scanner: the full `check` report for the Findings view.
//! - the actor: runs confirmed actions, one transaction per order, and
//!   reports progress, so the screen stays live during a bulk action.
//! - the syncer: runs `S`'s sync ([`super::sync::run`]) with the clients the
//!   environment configures, reporting progress; the keys stay live and
//!   the network calls never hold the loop.
//!
//! Each thread owns its own [`Store`] (one connection per thread), opened by
//! [`Workers::start`] before the screen is taken, reads in autocommit mode
//! and stops when its request channel closes or its event channel fails.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::InterruptHandle;

use super::actions;
use super::actions::Confirm;
use super::data::{self, ListSpec};
use super::event::Event;
use super::sync;
use crate::report::{self, Settings};
use crate::store::{OpenMode, Store, StoreError};

/// How long a payment may stay pending before `check` reports it, as in
/// `tally check`'s default.
pub fn settings(now: crate::domain::Timestamp) -> Settings {
    Settings {
        now,
        stale_after: chrono::Duration::hours(48),
        prefer: None,
    }
}

/// Handles to the background threads.
pub struct Workers {
    count: Sender<(u64, ListSpec)>,
    count_interrupt: InterruptHandle,
    scan: Sender<()>,
    act: Sender<Confirm>,
    sync: Sender<()>,
}

/// Takes the newest of the waiting requests.
fn latest<T>(rx: &Receiver<T>, mut got: T) -> T {
    while let Ok(newer) = rx.try_recv() {
        got = newer;
    }
    got
}

impl Workers {
    /// Opens one store per thread and starts them.
    pub fn start(path: &Path, actor: &str, events: &Sender<Event>) -> Result<Workers, StoreError> {
        let counter = Store::open(path, OpenMode::MustExist)?;
        let scanner = Store::open(path, OpenMode::MustExist)?;
        let doer = Store::open(path, OpenMode::MustExist)?;
        let syncer = Store::open(path, OpenMode::MustExist)?;
        let count_interrupt = counter.reader().interrupt_handle();
        Ok(Workers {
            count: spawn_counter(counter, events.clone()),
            count_interrupt,
            scan: spawn_scanner(scanner, events.clone()),
            act: spawn_actor(doer, actor.to_owned(), events.clone()),
            sync: spawn_syncer(syncer, path.to_owned(), events.clone()),
        })
    }

    /// Asks for the count of a list; a running count is abandoned.
    pub fn count(&self, generation: u64, spec: ListSpec) {
        self.count_interrupt.interrupt();
        let _ = self.count.send((generation, spec));
    }

    /// Abandons the running count, if any.
    pub fn interrupt_count(&self) {
        self.count_interrupt.interrupt();
    }

    /// Asks for a new scan of the findings.
    pub fn scan(&self) {
        let _ = self.scan.send(());
    }

    /// Runs a confirmed action.
    pub fn act(&self, confirm: Confirm) {
        let _ = self.act.send(confirm);
    }

    /// Starts a sync.
    pub fn sync(&self) {
        let _ = self.sync.send(());
    }
}

/// The counter: the newest count asked for; an interrupted one says nothing.
fn spawn_counter(counter: Store, tx: Sender<Event>) -> Sender<(u64, ListSpec)> {
    let (count, rx) = mpsc::channel::<(u64, ListSpec)>();
    thread::spawn(move || {
        while let Ok(req) = rx.recv() {
            let (generation, spec) = latest(&rx, req);
            let count = data::count(&counter.reader(), &spec);
            if let Err(e) = &count
                && e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted)
            {
                continue;
            }
            let count = count.map_err(|e| e.to_string());
            if tx.send(Event::Counted { generation, count }).is_err() {
                return;
            }
        }
    });
    count
}

/// The scanner: one `check` for any number of waiting requests.
fn spawn_scanner(scanner: Store, tx: Sender<Event>) -> Sender<()> {
    let (scan, rx) = mpsc::channel::<()>();
    thread::spawn(move || {
        while let Ok(req) = rx.recv() {
            latest(&rx, req);
            let result = report::scan::scan(
                &scanner.reader(),
                &settings(Utc::now()),
                &report::Filter::default(),
            )
            .map(|s| s.findings)
            .map_err(|e| e.to_string());
            if tx.send(Event::Scanned(result)).is_err() {
                return;
            }
        }
    });
    scan
}

/// The actor: runs each confirmed action, reporting progress at most every
/// 50 ms and once at the end.
fn spawn_actor(mut doer: Store, actor: String, tx: Sender<Event>) -> Sender<Confirm> {
    let (act, rx) = mpsc::channel::<Confirm>();
    thread::spawn(move || {
        while let Ok(confirm) = rx.recv() {
            let mut last = Instant::now();
            let summary = actions::run(
                &mut doer,
                &confirm,
                &actor,
                &settings(Utc::now()),
                |done, total| {
                    if done == total || last.elapsed() > Duration::from_millis(50) {
                        last = Instant::now();
                        let _ = tx.send(Event::Progress { done, total });
                    }
                },
            );
            if tx.send(Event::Finished(summary)).is_err() {
                return;
            }
        }
    });
    act
}

/// The syncer: one sync per request, its progress at most every 100 ms.
fn spawn_syncer(mut store: Store, db: PathBuf, tx: Sender<Event>) -> Sender<()> {
    let (sync, rx) = mpsc::channel::<()>();
    thread::spawn(move || {
        while let Ok(req) = rx.recv() {
            latest(&rx, req);
            let mut last: Option<Instant> = None;
            let outcome = sync::clients_from_env().and_then(|clients| {
                sync::run(&mut store, Some(&db), &clients, &mut |p| {
                    if last.is_none_or(|t| t.elapsed() > Duration::from_millis(100)) {
                        last = Some(Instant::now());
                        let _ = tx.send(Event::SyncProgress(p));
                    }
                })
            });
            if tx.send(Event::Synced(outcome)).is_err() {
                return;
            }
        }
    });
    sync
}
