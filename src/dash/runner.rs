//! The loop: draw, wait for one event, handle it, carry out its [`Task`].
//!
//! The [`Runner`] owns the main connection and the workers; it is the only
//! part of the dashboard that reads (through [`super::data`]) or asks the
//! workers for anything. The key handler ([`super::app`]) only says what to
//! do.
//!
//! # What it promises
//! - No read transaction is held across frames; other processes' commits
//!   are noticed by polling `PRAGMA data_version` every [`POLL`] and the
//!   visible rows are read again, keeping the cursor, the marks and the
//!   filter.
//! - Typed-ahead search keys are read once, after the last of them; counts
//!   wait until the keys are quiet.

use std::collections::HashMap;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use chrono::Utc;
use ratatui::layout::Rect;

use super::actions::{self, Summary};
use super::app::{self, App, Mode, Task, Tone, View};
use super::data::{
    self, ListKind, ListSource, ListSpec, Load, MARK_CAP, OrphanSource, RowKey, StatementSource,
    WebhookSource,
};
use super::detail::Detail;
use super::event::Event;
use super::sync;
use super::ui;
use super::views;
use super::worker::{Workers, settings};
use crate::i18n::tr;
use crate::report::Finding;
use crate::store::Reader;
use crate::store::Store;

/// How often other processes' commits are looked for.
pub const POLL: Duration = Duration::from_millis(500);

/// How long the keys must be quiet before a count is asked for.
const COUNT_AFTER: Duration = Duration::from_millis(150);

/// How stale the Findings view may get while another view is shown.
const RESCAN_AFTER: Duration = Duration::from_secs(30);

/// How stale it may get while shown.
const RESCAN_SHOWN: Duration = Duration::from_secs(3);

/// The loop's own state: the main connection, the workers, what was
/// planned and counted.
pub struct Runner {
    store: Store,
    workers: Option<Workers>,
    lists: Lists,
    data_version: i64,
    last_poll: Instant,
    scan_wanted: bool,
    scanning: bool,
    last_scan: Option<Instant>,
    /// A search or filter change not yet read: typed-ahead keys are read
    /// once, after the last of them ([`Runner::flush`]).
    requery: bool,
    /// Whether requeries wait for [`Runner::flush`] (the live loop) or run
    /// at once (tests).
    defer: bool,
    /// The sync's clients when there is no worker (tests); the worker
    /// reads the environment's.
    pub sync_clients: Box<dyn Fn() -> Result<crate::sync::clients::Clients, crate::i18n::Msg>>,
}

/// What the order and payment lists were planned and counted for.
#[derive(Default)]
struct Lists {
    /// The spec each list was last planned for.
    planned: HashMap<ListKind, ListSpec>,
    /// The count generation each list waits for.
    counting: HashMap<ListKind, u64>,
    generation: u64,
    /// Trigram counts for choosing search index queries.
    trigrams: data::Trigrams,
    /// A count to ask for once the keys have been quiet for [`COUNT_AFTER`]:
    /// counting while someone types would take a core from the reads.
    count_due: Option<(u64, ListSpec, Instant)>,
}

/// Whether the loop goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Go,
    Quit,
}

impl Runner {
    /// A runner with its background threads.
    pub fn new(store: Store, workers: Workers) -> Runner {
        let mut r = Runner::bare(store);
        r.workers = Some(workers);
        r
    }

    /// A runner without background threads (tests): counts and scans are
    /// then computed in place.
    pub fn bare(store: Store) -> Runner {
        let data_version = data::data_version(&store.reader()).unwrap_or(0);
        Runner {
            store,
            workers: None,
            lists: Lists::default(),
            data_version,
            last_poll: Instant::now(),
            scan_wanted: true,
            scanning: false,
            last_scan: None,
            requery: false,
            defer: false,
            sync_clients: Box::new(sync::clients_from_env),
        }
    }

    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Runs until the user quits, a signal stops it, or the terminal fails.
    pub fn run(
        &mut self,
        terminal: &mut ratatui::DefaultTerminal,
        app: &mut App,
        rx: &Receiver<Event>,
    ) -> anyhow::Result<()> {
        let size = terminal.size()?;
        app.page_size = ui::table_height(Rect::new(0, 0, size.width, size.height));
        self.start(app);
        self.defer = true;
        loop {
            self.flush(app);
            terminal.draw(|f| f.render_widget(&*app, f.area()))?;
            self.scan_if_due(app);
            let Ok(first) = rx.recv() else {
                return Ok(());
            };
            let mut next = Some(first);
            // Handle what is already waiting before drawing again.
            while let Some(ev) = next {
                match ev {
                    Event::Resize => {
                        let size = terminal.size()?;
                        app.page_size = ui::table_height(Rect::new(0, 0, size.width, size.height));
                        self.perform(app, Task::Reload);
                    }
                    Event::Stop => return Ok(()),
                    Event::InputError(e) => anyhow::bail!("cannot read the terminal: {e}"),
                    ev @ (Event::Key(_)
                    | Event::Mouse(_)
                    | Event::Tick
                    | Event::Counted { .. }
                    | Event::Scanned(_)
                    | Event::Progress { .. }
                    | Event::Finished(_)
                    | Event::SyncProgress(_)
                    | Event::Synced(_)) => {
                        if self.handle(app, ev) == Flow::Quit {
                            return Ok(());
                        }
                    }
                }
                next = rx.try_recv().ok();
            }
        }
    }

    /// Reads the first screen.
    pub fn start(&mut self, app: &mut App) {
        self.side_counts(app);
        self.perform(app, Task::Reload);
        if self.workers.is_none() {
            // No thread to wait for: check in place.
            self.request_scan(app);
        }
    }

    /// Handles one event other than resize and stop.
    pub fn handle(&mut self, app: &mut App, ev: Event) -> Flow {
        let task = match ev {
            Event::Key(k) => app::handle_key(app, k),
            Event::Mouse(m) => app::handle_mouse(app, m),
            Event::Tick => {
                self.tick(app);
                Task::None
            }
            Event::Counted { generation, count } => {
                self.counted(app, generation, count);
                Task::None
            }
            Event::Scanned(result) => {
                self.scanned(app, result);
                Task::None
            }
            Event::Progress { done, total } => {
                if let Mode::Working { title, .. } = &app.mode {
                    app.mode = Mode::Working {
                        title: title.clone(),
                        done,
                        total,
                    };
                }
                Task::None
            }
            Event::Finished(summary) => self.finished(app, summary),
            Event::SyncProgress(p) => {
                let text = sync::progress_text(&p, app.lang);
                sync::progressed(app, text);
                Task::None
            }
            Event::Synced(outcome) => {
                sync::finished(app, outcome, Utc::now());
                // The sync's changes: check again at once.
                self.last_scan = None;
                Task::Refresh
            }
            Event::Resize | Event::Stop | Event::InputError(_) => Task::None,
        };
        match task {
            Task::Quit => return Flow::Quit,
            Task::None => {}
            Task::Requery => {
                self.requery = true;
                if !self.defer {
                    self.flush(app);
                }
            }
            Task::Nav(_)
            | Task::Reload
            | Task::Refresh
            | Task::Detail
            | Task::MarkAll
            | Task::MarkRange { .. }
            | Task::Prepare(..)
            | Task::Run(_)
            | Task::Sync => {
                self.flush(app);
                self.perform(app, task);
            }
        }
        Flow::Go
    }

    /// The counting thread's answer: kept if a list still waits for it.
    fn counted(&mut self, app: &mut App, generation: u64, count: Result<i64, String>) {
        for kind in [ListKind::Orders, ListKind::Payments] {
            if self.lists.counting.get(&kind) == Some(&generation) {
                match &count {
                    Ok(n) => app.list_mut(kind).count = Some(*n),
                    Err(e) => {
                        let text = tr!(app.lang, "dash-count-failed", error = e.as_str());
                        app.status = Some((text, Tone::Error));
                    }
                }
            }
        }
    }

    /// The scanning thread's answer: the Findings view's new report.
    fn scanned(&mut self, app: &mut App, result: Result<Vec<Finding>, String>) {
        self.scanning = false;
        self.last_scan = Some(Instant::now());
        app.findings.scanning = false;
        match result {
            Ok(list) => {
                app.findings.error = None;
                app.findings.set(list);
                app.findings.fit(app.page_size);
            }
            Err(e) => app.findings.error = Some(e),
        }
    }

    /// An action finished: its summary, and everything read again.
    fn finished(&mut self, app: &mut App, summary: Summary) -> Task {
        app.mode = Mode::Summary { summary, scroll: 0 };
        // Our own change: check again at once.
        self.last_scan = None;
        app.marks.clear();
        app.finding_marks.clear();
        app.range = None;
        Task::Refresh
    }

    /// Reads a pending search or filter change.
    pub fn flush(&mut self, app: &mut App) {
        if std::mem::take(&mut self.requery) {
            self.perform(app, Task::Requery);
        }
    }

    /// Asks for a due count once the keys have been quiet long enough.
    fn count_if_quiet(&mut self) {
        if let Some((_, _, since)) = &self.lists.count_due
            && since.elapsed() >= COUNT_AFTER
            && let (Some((generation, spec, _)), Some(w)) =
                (self.lists.count_due.take(), &self.workers)
        {
            w.count(generation, spec);
        }
    }

    /// Live refresh: another process committed.
    fn tick(&mut self, app: &mut App) {
        app.now = Utc::now();
        self.count_if_quiet();
        if self.last_poll.elapsed() >= POLL {
            self.last_poll = Instant::now();
            match data::data_version(&self.store.reader()) {
                Ok(v) if v != self.data_version => {
                    self.data_version = v;
                    self.perform(app, Task::Refresh);
                }
                Ok(_) => {}
                Err(e) => {
                    app.status = Some((
                        tr!(app.lang, "database-error", error = e.to_string()),
                        Tone::Error,
                    ))
                }
            }
        }
        self.scan_if_due(app);
    }

    /// Checks the shop again when the data changed, at most every
    /// [`RESCAN_SHOWN`] while the Findings view is shown and every
    /// [`RESCAN_AFTER`] otherwise: a check of a million orders takes a core
    /// for a second or two, and webhooks may commit every second.
    fn scan_if_due(&mut self, app: &mut App) {
        let every = if app.view == View::Findings {
            RESCAN_SHOWN
        } else {
            RESCAN_AFTER
        };
        if self.scan_wanted && !self.scanning && self.last_scan.is_none_or(|t| t.elapsed() >= every)
        {
            self.request_scan(app);
        }
    }

    fn request_scan(&mut self, app: &mut App) {
        self.scan_wanted = false;
        app.findings.scanning = true;
        match &self.workers {
            Some(w) => {
                self.scanning = true;
                w.scan();
            }
            None => {
                let r = crate::report::scan::scan(
                    &self.store.reader(),
                    &settings(app.now),
                    &crate::report::Filter::default(),
                )
                .map(|s| s.findings)
                .map_err(|e| e.to_string());
                self.handle(app, Event::Scanned(r));
            }
        }
    }

    fn side_counts(&mut self, app: &mut App) {
        match data::side_counts(&self.store.reader()) {
            Ok((orphans, failed)) => {
                app.orphans_open = orphans;
                app.webhooks_failed = failed;
            }
            Err(e) => {
                app.status = Some((
                    tr!(app.lang, "database-error", error = e.to_string()),
                    Tone::Error,
                ))
            }
        }
        match data::statement_files(&self.store.reader()) {
            Ok((files, unmatched)) => {
                app.statement_files = files;
                app.statements_unmatched = unmatched;
            }
            Err(e) => {
                let text = crate::i18n::tr!(app.lang, "database-error", error = e.to_string());
                app.status = Some((text, Tone::Error));
            }
        }
    }

    /// Carries out a task; a database error becomes a status message.
    pub fn perform(&mut self, app: &mut App, task: Task) {
        if let Err(e) = self.try_perform(app, task) {
            app.status = Some((
                tr!(app.lang, "database-error", error = e.to_string()),
                Tone::Error,
            ));
        }
    }

    fn try_perform(&mut self, app: &mut App, task: Task) -> rusqlite::Result<()> {
        match task {
            Task::None | Task::Quit => {}
            Task::Nav(nav) => self.load(app, Load::Nav(nav))?,
            Task::Reload => self.load(app, Load::Keep)?,
            Task::Requery => {
                self.lists.planned.clear();
                self.load(app, Load::Top)?;
            }
            Task::Refresh => {
                self.lists.planned.clear();
                self.lists.trigrams.clear();
                self.scan_wanted = true;
                self.side_counts(app);
                self.load(app, Load::Keep)?;
            }
            Task::Detail => self.detail(app)?,
            Task::MarkAll => self.mark(app, None)?,
            Task::MarkRange { from, to } => self.mark(app, Some((from, to)))?,
            Task::Prepare(action, targets) => {
                let ids: Vec<i64> = targets.orders.iter().map(|(id, _)| *id).collect();
                let rows = data::load_orders(&self.store.reader(), &ids)?;
                app.mode = Mode::Confirm(actions::confirm(action, targets, &rows, app.lang));
            }
            Task::Run(confirm) => match &self.workers {
                Some(w) => w.act(confirm),
                None => {
                    let s = actions::run(
                        &mut self.store,
                        &confirm,
                        &app.actor,
                        &settings(app.now),
                        |_, _| {},
                    );
                    self.handle(app, Event::Finished(s));
                }
            },
            Task::Sync => match &self.workers {
                Some(w) => w.sync(),
                None => {
                    // No thread (tests): in place, on the runner's own
                    // store, with the clients it was given.
                    let outcome = (self.sync_clients)().and_then(|clients| {
                        sync::run(&mut self.store, None, &clients, &mut |p| {
                            app.sync = sync::SyncState::Running {
                                progress: sync::progress_text(&p, app.lang),
                            };
                        })
                    });
                    self.handle(app, Event::Synced(outcome));
                }
            },
        }
        Ok(())
    }

    /// Reads the current view's rows.
    fn load(&mut self, app: &mut App, how: Load) -> rusqlite::Result<()> {
        let h = app.page_size;
        let conn = &self.store.reader();
        let workers = self.workers.as_ref();
        match app.view {
            View::Orders => self.lists.load(conn, workers, app, ListKind::Orders, how)?,
            View::Payments => self
                .lists
                .load(conn, workers, app, ListKind::Payments, how)?,
            View::Webhooks => {
                app.webhooks = data::page(&mut WebhookSource(conn), &app.webhooks, how, h)?;
            }
            View::Orphans => {
                app.orphans = data::page(&mut OrphanSource(conn), &app.orphans, how, h)?;
            }
            View::Statements => {
                let h = views::statements::table_rows(app, h);
                app.statements = data::page(&mut StatementSource(conn), &app.statements, how, h)?;
            }
            View::Findings => app.findings.fit(h),
        }
        Ok(())
    }

    fn detail(&mut self, app: &mut App) -> rusqlite::Result<()> {
        let conn = &self.store.reader();
        let st = settings(app.now);
        let order_id = match app.view {
            View::Orders | View::Payments => app.current_row().map(|r| r.order.id),
            View::Findings => app.findings.current().and_then(|f| f.order_id),
            View::Statements => app.statements.current().and_then(|r| r.order_id),
            View::Webhooks | View::Orphans => None,
        };
        let detail = match (app.view, order_id) {
            (_, Some(id)) => data::order_detail(conn, id, &st)?.map(|d| Detail::Order(Box::new(d))),
            (View::Findings, None) => app.findings.current().cloned().map(Detail::Finding),
            (View::Webhooks, None) => app.webhooks.current().cloned().map(Detail::Webhook),
            (View::Orphans, None) => app.orphans.current().cloned().map(Detail::Orphan),
            (View::Statements, None) => app.statements.current().map(|r| {
                let file = app
                    .statement_files
                    .iter()
                    .find(|f| f.id == r.line.file_id)
                    .cloned();
                Detail::Statement(Box::new((r.clone(), file)))
            }),
            (View::Orders | View::Payments, None) => None,
        };
        match detail {
            Some(detail) => app.mode = Mode::Detail { detail, scroll: 0 },
            None => app.status = Some((app.lang.t("dash-row-gone"), Tone::Warn)),
        }
        Ok(())
    }

    fn mark(&mut self, app: &mut App, range: Option<(RowKey, RowKey)>) -> rusqlite::Result<()> {
        let Some(kind) = app.view.list_kind() else {
            return Ok(());
        };
        let conn = &self.store.reader();
        let spec = self.lists.spec(conn, app, kind)?;
        let list = app.list_mut(kind);
        let ids = data::ids_between(
            conn,
            &spec,
            &mut list.plan,
            range.as_ref().map(|(a, b)| (a, b)),
        )?;
        let n = ids.len();
        app.marks.extend(ids);
        let text = if n >= MARK_CAP {
            tr!(app.lang, "dash-marked-cap", n = crate::i18n::count(n))
        } else {
            tr!(app.lang, "dash-rows-marked", n = crate::i18n::count(n))
        };
        app.status = Some((text, Tone::Info));
        Ok(())
    }
}

impl Lists {
    /// What decides a list's rows, with the search index query chosen.
    fn spec(&mut self, conn: &Reader<'_>, app: &App, kind: ListKind) -> rusqlite::Result<ListSpec> {
        let mut spec = app.spec(kind);
        spec.fts = self.trigrams.choose(conn, &spec.search)?;
        Ok(spec)
    }

    /// Reads an order or payment list, planning (and counting) it again
    /// when its search, filters or sort changed.
    fn load(
        &mut self,
        conn: &Reader<'_>,
        workers: Option<&Workers>,
        app: &mut App,
        kind: ListKind,
        how: Load,
    ) -> rusqlite::Result<()> {
        let spec = self.spec(conn, app, kind)?;
        if self.planned.get(&kind) != Some(&spec) {
            self.plan(conn, workers, app, &spec)?;
        }
        let st = settings(app.now);
        let h = app.page_size;
        let list = app.list_mut(kind);
        let mut src = ListSource {
            conn,
            spec: &spec,
            plan: &mut list.plan,
            settings: &st,
        };
        list.pager = data::page(&mut src, &list.pager, how, h)?;
        Ok(())
    }

    /// Plans a list for a new spec and has it counted: by the counting
    /// thread once the keys are quiet, or in place without workers.
    fn plan(
        &mut self,
        conn: &Reader<'_>,
        workers: Option<&Workers>,
        app: &mut App,
        spec: &ListSpec,
    ) -> rusqlite::Result<()> {
        let list = app.list_mut(spec.kind);
        list.plan = data::plan(conn, spec)?;
        list.count = None;
        self.generation += 1;
        self.counting.insert(spec.kind, self.generation);
        match workers {
            Some(w) => {
                // The running count is stale: stop it now.
                w.interrupt_count();
                self.count_due = Some((self.generation, spec.clone(), Instant::now()))
            }
            None => list.count = Some(data::count(conn, spec)?),
        }
        self.planned.insert(spec.kind, spec.clone());
        Ok(())
    }
}
