//! `tally dash`: the terminal dashboard for browsing orders and payments and
//! acting on them in bulk.
//!
//! The rooms: [`app`] (state and the pure key handler), [`keys`] (the key
//! bindings as data), [`event`] (input, ticks and signals on one channel),
//! [`data`] (keyset reads of the visible rows), [`worker`] (counting,
//! checking and acting off the input path), [`actions`] (confirmations and
//! the operations), [`ui`] (drawing). This module is the loop that ties them:
//! draw, wait for one event, handle it, carry out its effect.
//!
//! # What it promises
//! - The database is opened before the screen is taken over, so a bad
//!   `--db` gives a plain message on a normal terminal.
//! - The terminal is always restored: on quit, on error (the loop's result
//!   is returned only after restoring), on panic (ratatui's hook, and ours
//!   for the mouse), on SIGTERM and SIGHUP (a clean quit).
//! - No read transaction is held across frames; other processes' commits
//!   are noticed by polling `PRAGMA data_version` every [`POLL`] and the
//!   visible rows are read again, keeping the cursor, the marks and the
//!   filter.
//! - With `read_only`, no action runs: the keys say why.

pub mod actions;
pub mod app;
pub mod data;
pub mod event;
pub mod keys;
pub mod ui;
pub mod worker;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::layout::Rect;

use self::app::{App, Detail, Effect, Mode, Tone, View};
use self::data::{
    ListKind, ListSource, ListSpec, MARK_CAP, Nav, OrphanSource, WebhookSource, navigate, window,
};
use self::event::Event;
use self::worker::{Workers, settings};
use crate::store::{OpenMode, Store};

/// How often other processes' commits are looked for.
pub const POLL: Duration = Duration::from_millis(500);

/// How long the keys must be quiet before a count is asked for.
const COUNT_AFTER: Duration = Duration::from_millis(150);

/// How stale the Findings view may get while another view is shown.
const RESCAN_AFTER: Duration = Duration::from_secs(30);

/// How stale it may get while shown.
const RESCAN_SHOWN: Duration = Duration::from_secs(3);

/// What `tally dash` runs with.
#[derive(Debug, Clone)]
pub struct Options {
    pub db: PathBuf,
    pub actor: String,
    pub read_only: bool,
}

/// Runs the dashboard until the user quits.
pub fn run(opts: &Options) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "tally dash needs a terminal (standard output is not one); use `tally check` or `tally export` in scripts"
        );
    }
    // Before the screen is taken: a bad database gets a plain message.
    let store = Store::open(&opts.db, OpenMode::MustExist)?;
    let (tx, rx) = mpsc::channel();
    let workers = Workers::start(&opts.db, &opts.actor, &tx)?;
    let mut app = App::new(&db_name(&opts.db), &opts.actor, opts.read_only, Utc::now());
    app.trace = std::env::var_os("TALLY_DASH_TRACE").is_some();

    // Ours first, so ratatui's hook (installed by try_init) restores the
    // screen before this one turns the mouse off and prints the panic.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            anyhow::bail!("cannot take over the terminal: {e}");
        }
    };
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    event::start(&tx);
    let mut runner = Runner::new(store, workers);
    let result = runner.run(&mut terminal, &mut app, &rx);
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

/// The loop's own state: the main connection, the workers, what was
/// planned and counted.
pub struct Runner {
    store: Store,
    workers: Option<Workers>,
    /// The spec each list was last planned for.
    planned: HashMap<ListKind, ListSpec>,
    /// The count generation each list waits for.
    counting: HashMap<ListKind, u64>,
    generation: u64,
    data_version: i64,
    last_poll: Instant,
    scan_wanted: bool,
    scanning: bool,
    last_scan: Option<Instant>,
    /// Trigram counts for choosing search index queries.
    trigrams: data::Trigrams,
    /// A search or filter change not yet read: typed-ahead keys are read
    /// once, after the last of them ([`Runner::flush`]).
    requery: bool,
    /// Whether requeries wait for [`Runner::flush`] (the live loop) or run
    /// at once (tests).
    defer: bool,
    /// A count to ask for once the keys have been quiet for [`COUNT_AFTER`]:
    /// counting while someone types would take a core from the reads.
    count_due: Option<(u64, ListSpec, Instant)>,
}

impl Runner {
    /// A runner without background threads (tests): counts and scans are
    /// then computed in place.
    pub fn new(store: Store, workers: Workers) -> Runner {
        let mut r = Runner::bare(store);
        r.workers = Some(workers);
        r
    }

    pub fn bare(store: Store) -> Runner {
        let data_version = data::data_version(store.conn()).unwrap_or(0);
        Runner {
            store,
            workers: None,
            planned: HashMap::new(),
            counting: HashMap::new(),
            generation: 0,
            data_version,
            last_poll: Instant::now(),
            scan_wanted: true,
            scanning: false,
            last_scan: None,
            trigrams: data::Trigrams::default(),
            requery: false,
            defer: false,
            count_due: None,
        }
    }

    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    fn run(
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
                        self.perform(app, Effect::Reload);
                    }
                    Event::Stop => return Ok(()),
                    Event::InputError(e) => anyhow::bail!("cannot read the terminal: {e}"),
                    ev => {
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
        self.perform(app, Effect::Reload);
        if self.workers.is_none() {
            // No thread to wait for: check in place.
            self.request_scan(app);
        }
    }

    /// Handles one event other than resize and stop.
    pub fn handle(&mut self, app: &mut App, ev: Event) -> Flow {
        let effect = match ev {
            Event::Key(k) => app::handle_key(app, k),
            Event::Mouse(m) => app::handle_mouse(app, m),
            Event::Tick => {
                self.tick(app);
                Effect::None
            }
            Event::Counted { generation, count } => {
                for kind in [ListKind::Orders, ListKind::Payments] {
                    if self.counting.get(&kind) == Some(&generation) {
                        match &count {
                            Ok(n) => app.list_mut(kind).count = Some(*n),
                            Err(e) => {
                                app.status = Some((format!("count failed: {e}"), Tone::Error))
                            }
                        }
                    }
                }
                Effect::None
            }
            Event::Scanned(result) => {
                self.scanning = false;
                self.last_scan = Some(Instant::now());
                app.findings.scanning = false;
                match result {
                    Ok(list) => {
                        app.findings.error = None;
                        app.findings.set(list);
                        let h = app.page_size;
                        if app.findings.cursor >= app.findings.offset + h {
                            app.findings.offset = app.findings.cursor + 1 - h;
                        }
                    }
                    Err(e) => app.findings.error = Some(e),
                }
                Effect::None
            }
            Event::Progress { done, total } => {
                if let Mode::Working { title, .. } = &app.mode {
                    app.mode = Mode::Working {
                        title: title.clone(),
                        done,
                        total,
                    };
                }
                Effect::None
            }
            Event::Finished(summary) => {
                app.mode = Mode::Summary { summary, scroll: 0 };
                // Our own change: check again at once.
                self.last_scan = None;
                app.marks.clear();
                app.finding_marks.clear();
                app.range = None;
                Effect::Refresh
            }
            Event::Resize | Event::Stop | Event::InputError(_) => Effect::None,
        };
        match effect {
            Effect::Quit => return Flow::Quit,
            Effect::None => {}
            Effect::Requery => {
                self.requery = true;
                if !self.defer {
                    self.flush(app);
                }
            }
            effect => {
                self.flush(app);
                self.perform(app, effect);
            }
        }
        Flow::Go
    }

    /// Reads a pending search or filter change.
    pub fn flush(&mut self, app: &mut App) {
        if std::mem::take(&mut self.requery) {
            self.perform(app, Effect::Requery);
        }
    }

    /// Asks for a due count once the keys have been quiet long enough.
    fn count_if_quiet(&mut self) {
        if let Some((_, _, since)) = &self.count_due
            && since.elapsed() >= COUNT_AFTER
            && let (Some((generation, spec, _)), Some(w)) = (self.count_due.take(), &self.workers)
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
            match data::data_version(self.store.conn()) {
                Ok(v) if v != self.data_version => {
                    self.data_version = v;
                    self.perform(app, Effect::Refresh);
                }
                Ok(_) => {}
                Err(e) => app.status = Some((format!("database error: {e}"), Tone::Error)),
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
                    self.store.conn(),
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
        match data::side_counts(self.store.conn()) {
            Ok((orphans, failed)) => {
                app.orphans_open = orphans;
                app.webhooks_failed = failed;
            }
            Err(e) => app.status = Some((format!("database error: {e}"), Tone::Error)),
        }
    }

    /// Carries out an effect; a database error becomes a status message.
    pub fn perform(&mut self, app: &mut App, effect: Effect) {
        if let Err(e) = self.try_perform(app, effect) {
            app.status = Some((format!("database error: {e}"), Tone::Error));
        }
    }

    fn try_perform(&mut self, app: &mut App, effect: Effect) -> rusqlite::Result<()> {
        match effect {
            Effect::None | Effect::Quit => {}
            Effect::Nav(nav) => self.load(app, Load::Nav(nav))?,
            Effect::Reload => self.load(app, Load::Keep)?,
            Effect::Requery => {
                self.planned.clear();
                self.load(app, Load::Top)?;
            }
            Effect::Refresh => {
                self.planned.clear();
                self.trigrams.clear();
                self.scan_wanted = true;
                self.side_counts(app);
                self.load(app, Load::Keep)?;
            }
            Effect::Detail => self.detail(app)?,
            Effect::MarkAll => self.mark(app, None)?,
            Effect::MarkRange { from, to } => self.mark(app, Some((from, to)))?,
            Effect::Prepare(action, targets) => {
                let ids: Vec<i64> = targets.orders.iter().map(|(id, _)| *id).collect();
                let rows = data::load_orders(self.store.conn(), &ids)?;
                app.mode = Mode::Confirm(actions::confirm(action, targets, &rows));
            }
            Effect::Run(confirm) => match &self.workers {
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
        }
        Ok(())
    }

    /// Reads the current view's rows.
    fn load(&mut self, app: &mut App, how: Load) -> rusqlite::Result<()> {
        let h = app.page_size;
        let conn = self.store.conn();
        match app.view {
            View::Orders | View::Payments => {
                let kind = app.view.list_kind().unwrap_or(ListKind::Orders);
                let mut spec = app.spec(kind);
                spec.fts = self.trigrams.choose(conn, &spec.search)?;
                let how = if self.planned.get(&kind) != Some(&spec) {
                    let list = app.list_mut(kind);
                    list.plan = data::plan(conn, &spec)?;
                    list.count = None;
                    self.generation += 1;
                    self.counting.insert(kind, self.generation);
                    match &self.workers {
                        Some(w) => {
                            // The running count is stale: stop it now.
                            w.interrupt_count();
                            self.count_due = Some((self.generation, spec.clone(), Instant::now()))
                        }
                        None => list.count = Some(data::count(conn, &spec)?),
                    }
                    self.planned.insert(kind, spec.clone());
                    how
                } else {
                    how
                };
                let now = app.now;
                let list = app.list_mut(kind);
                let st = settings(now);
                let mut src = ListSource {
                    conn,
                    spec: &spec,
                    plan: &mut list.plan,
                    settings: &st,
                };
                let pager = match how {
                    Load::Top => window(&mut src, None, 0, h)?,
                    Load::Keep => {
                        let focus = list.pager.current().map(|r| r.key.clone());
                        window(&mut src, focus.as_ref(), list.pager.cursor, h)?
                    }
                    Load::Nav(nav) => navigate(&mut src, &list.pager, nav, h)?,
                };
                list.pager = pager;
            }
            View::Webhooks => {
                let mut src = WebhookSource(conn);
                app.webhooks = match how {
                    Load::Top => window(&mut src, None, 0, h)?,
                    Load::Keep => {
                        let focus = app.webhooks.current().map(|w| w.id);
                        let focus = focus.map(|id| vec![rusqlite::types::Value::Integer(id)]);
                        window(&mut src, focus.as_ref(), app.webhooks.cursor, h)?
                    }
                    Load::Nav(nav) => navigate(&mut src, &app.webhooks, nav, h)?,
                };
            }
            View::Orphans => {
                let mut src = OrphanSource(conn);
                app.orphans = match how {
                    Load::Top => window(&mut src, None, 0, h)?,
                    Load::Keep => {
                        let focus = app.orphans.current().map(|o| o.id);
                        let focus = focus.map(|id| vec![rusqlite::types::Value::Integer(id)]);
                        window(&mut src, focus.as_ref(), app.orphans.cursor, h)?
                    }
                    Load::Nav(nav) => navigate(&mut src, &app.orphans, nav, h)?,
                };
            }
            View::Findings => {
                let f = &mut app.findings;
                if f.cursor >= f.offset + h {
                    f.offset = f.cursor + 1 - h;
                }
            }
        }
        Ok(())
    }

    fn detail(&mut self, app: &mut App) -> rusqlite::Result<()> {
        let conn = self.store.conn();
        let st = settings(app.now);
        let order_id = match app.view {
            View::Orders | View::Payments => app.current_row().map(|r| r.order.id),
            View::Findings => app.findings.current().and_then(|f| f.order_id),
            View::Webhooks | View::Orphans => None,
        };
        let detail = match (app.view, order_id) {
            (_, Some(id)) => data::order_detail(conn, id, &st)?.map(|d| Detail::Order(Box::new(d))),
            (View::Findings, None) => app.findings.current().cloned().map(Detail::Finding),
            (View::Webhooks, None) => app.webhooks.current().cloned().map(Detail::Webhook),
            (View::Orphans, None) => app.orphans.current().cloned().map(Detail::Orphan),
            (View::Orders | View::Payments, None) => None,
        };
        match detail {
            Some(detail) => app.mode = Mode::Detail { detail, scroll: 0 },
            None => app.status = Some(("that row is gone".to_owned(), Tone::Warn)),
        }
        Ok(())
    }

    fn mark(
        &mut self,
        app: &mut App,
        range: Option<(data::RowKey, data::RowKey)>,
    ) -> rusqlite::Result<()> {
        let Some(kind) = app.view.list_kind() else {
            return Ok(());
        };
        let mut spec = app.spec(kind);
        spec.fts = self.trigrams.choose(self.store.conn(), &spec.search)?;
        let list = app.list_mut(kind);
        let ids = data::ids_between(
            self.store.conn(),
            &spec,
            &mut list.plan,
            range.as_ref().map(|(a, b)| (a, b)),
        )?;
        let n = ids.len();
        app.marks.extend(ids);
        let text = if n >= MARK_CAP {
            format!(
                "marked the first {} rows (the most at once): narrow the search or filters for the rest",
                ui::thousands(n as i64)
            )
        } else {
            format!("{} rows marked", ui::thousands(n as i64))
        };
        app.status = Some((text, Tone::Info));
        Ok(())
    }
}

/// Whether the loop goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Go,
    Quit,
}

/// How a view's rows are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Load {
    Top,
    Keep,
    Nav(Nav),
}

/// The file name shown in the title, from a path.
pub fn db_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests;
