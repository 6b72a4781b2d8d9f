//! The dashboard's state and its key handler.
//!
//! [`App`] is everything on screen: the view, the mode (which overlay has
//! the keys), each view's state, the search, the filters, the marks.
//! [`handle_key`] is a pure function of the state and one key press: it
//! changes the state and returns a [`Task`] for the loop to carry out (read
//! a page, prepare or run an action, quit). It never touches the terminal or
//! the database, so every key is tested without either.
//!
//! Keys are modal: while the search line is open every key is text; `Esc`
//! closes the innermost overlay (search line, dialog, detail, help); `q`
//! quits from the main view only. In the main view the current view's room
//! ([`super::views`]) has the keys first; what is left is common to every
//! view (moving, switching views, help, quit) or says where a key works.

use std::collections::{BTreeMap, BTreeSet};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use super::actions::{Action, Confirm, Summary, Targets};
use super::data::{
    Filter, ListKind, ListRow, ListSpec, Nav, OrphanRow, Pager, RowKey, StatementRow, WebhookRow,
};
use super::detail::{self, Detail};
use super::dialogs::{self, ChooseFor};
use super::help;
use super::keys::KeyList;
use super::sync::SyncState;
use super::views::{self, find, findings::Findings, list::ListView, orphans};
use crate::domain::Timestamp;
use crate::i18n::{Lang, Zone, tr};
use crate::report::Rule;
use crate::store::statements::StoredFile;

/// The dashboard's views, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Orders,
    Payments,
    Findings,
    Webhooks,
    Orphans,
    /// Shown only once a statement was imported ([`App::views`]).
    Statements,
}

impl View {
    pub const ALL: [View; 6] = [
        View::Orders,
        View::Payments,
        View::Findings,
        View::Webhooks,
        View::Orphans,
        View::Statements,
    ];

    /// The view's name on its tab, in `lang`.
    pub fn title(self, lang: Lang) -> String {
        lang.t(match self {
            View::Orders => "dash-view-orders",
            View::Payments => "dash-view-payments",
            View::Findings => "dash-view-findings",
            View::Webhooks => "dash-view-webhooks",
            View::Orphans => "dash-view-orphans",
            View::Statements => views::statements::text::TITLE,
        })
    }

    pub fn index(self) -> usize {
        match self {
            View::Orders => 0,
            View::Payments => 1,
            View::Findings => 2,
            View::Webhooks => 3,
            View::Orphans => 4,
            View::Statements => 5,
        }
    }

    /// The next (previous) view among `shown`, which hold `self`.
    fn step(self, forward: bool, shown: &[View]) -> View {
        let n = shown.len().max(1);
        let at = shown.iter().position(|v| *v == self).unwrap_or(0);
        let i = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        shown.get(i).copied().unwrap_or(self)
    }

    /// The list an order/payment view shows.
    pub fn list_kind(self) -> Option<ListKind> {
        match self {
            View::Orders => Some(ListKind::Orders),
            View::Payments => Some(ListKind::Payments),
            View::Findings | View::Webhooks | View::Orphans | View::Statements => None,
        }
    }
}

/// Which overlay, if any, has the keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Normal,
    /// Typing after `/`.
    Search,
    /// The filter dialog; `row` is the filter being changed.
    Filter {
        row: usize,
    },
    /// Picking a status for `p` or `s`.
    Choose {
        what: ChooseFor,
        cursor: usize,
        targets: Targets,
    },
    /// Typing the order number to link an orphan to.
    Prompt {
        orphan: OrphanRow,
        text: String,
    },
    Confirm(Confirm),
    /// An action is running.
    Working {
        title: String,
        done: usize,
        total: usize,
    },
    Summary {
        summary: Summary,
        scroll: u16,
    },
    Detail {
        detail: Detail,
        scroll: u16,
    },
    Help {
        scroll: u16,
    },
}

/// What the loop must do after a key: the key handler's only way to reach
/// the database or the workers.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    None,
    Quit,
    /// Move through the current list past the rows in memory.
    Nav(Nav),
    /// The search, a filter or the sort changed: plan, read from the top,
    /// count again.
    Requery,
    /// Read the current view where it is (after a view switch).
    Reload,
    /// Reload everything now.
    Refresh,
    /// Open the detail of the current row.
    Detail,
    /// Mark every row the filter shows (up to a cap).
    MarkAll,
    /// Mark the rows between the range anchor and the current row.
    MarkRange {
        from: RowKey,
        to: RowKey,
    },
    /// Read the targets and open the confirmation.
    Prepare(Action, Targets),
    /// Run the confirmed action.
    Run(Confirm),
    /// Start a sync in the background.
    Sync,
}

/// How a status line message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warn,
    Error,
}

/// Where a `v` range started.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeAnchor {
    List {
        view: View,
        key: RowKey,
        number: String,
    },
    Findings(usize),
}

/// Everything the dashboard shows.
#[derive(Debug, Clone)]
pub struct App {
    pub view: View,
    pub mode: Mode,
    pub keys: KeyList,
    pub read_only: bool,
    /// The database file's name (never its full path: snapshots stay stable).
    pub db_name: String,
    pub actor: String,
    /// "Now" for the rules (stale payments); refreshed by the loop.
    pub now: Timestamp,
    /// Rows the table shows; set by the loop from the terminal size.
    pub page_size: usize,
    pub search: String,
    pub filter: Filter,
    pub orders: ListView,
    pub payments: ListView,
    pub findings: Findings,
    pub webhooks: Pager<WebhookRow>,
    pub orphans: Pager<OrphanRow>,
    /// The Statements view's lines on screen.
    pub statements: Pager<StatementRow>,
    /// The imported statement files, oldest first; none: no Statements tab.
    pub statement_files: Vec<StoredFile>,
    /// Unmatched customer lines, for the tab title.
    pub statements_unmatched: i64,
    /// Marked orders (id → number), shared by Orders and Payments.
    pub marks: BTreeMap<i64, String>,
    /// Marked findings.
    pub finding_marks: BTreeSet<(Rule, String)>,
    pub range: Option<RangeAnchor>,
    /// Open orphans and failed events, for the tab titles.
    pub orphans_open: i64,
    pub webhooks_failed: i64,
    pub status: Option<(String, Tone)>,
    /// The background sync (`S`).
    pub sync: SyncState,
    /// Keys handled so far; shown with `TALLY_DASH_TRACE` for the benchmark.
    pub keys_handled: u64,
    pub trace: bool,
    /// The language everything on screen is in.
    pub lang: Lang,
    /// The zone dates are shown in (named in the title unless UTC).
    pub zone: Zone,
}

impl App {
    pub fn new(db_name: &str, actor: &str, read_only: bool, now: Timestamp) -> App {
        App {
            view: View::Orders,
            mode: Mode::Normal,
            keys: KeyList::default(),
            read_only,
            db_name: db_name.to_owned(),
            actor: actor.to_owned(),
            now,
            page_size: 20,
            search: String::new(),
            filter: Filter::default(),
            orders: ListView::new(),
            payments: ListView::new(),
            findings: Findings::default(),
            webhooks: Pager::default(),
            orphans: Pager::default(),
            statements: Pager::default(),
            statement_files: Vec::new(),
            statements_unmatched: 0,
            marks: BTreeMap::new(),
            finding_marks: BTreeSet::new(),
            range: None,
            orphans_open: 0,
            webhooks_failed: 0,
            status: None,
            sync: SyncState::Idle,
            keys_handled: 0,
            trace: false,
            lang: Lang::En,
            zone: Zone::Utc,
        }
    }

    /// The same dashboard in `lang`, its dates in `zone`.
    pub fn in_lang(mut self, lang: Lang, zone: Zone) -> App {
        self.lang = lang;
        self.zone = zone;
        self
    }

    /// Whether a statement file was ever imported: the Statements tab.
    pub fn has_statements(&self) -> bool {
        !self.statement_files.is_empty()
    }

    /// The views shown, in tab order: the Statements view only once a
    /// statement was imported.
    pub fn views(&self) -> Vec<View> {
        View::ALL
            .into_iter()
            .filter(|v| *v != View::Statements || self.has_statements())
            .collect()
    }

    /// The list of an order/payment view.
    pub fn list(&self, kind: ListKind) -> &ListView {
        match kind {
            ListKind::Orders => &self.orders,
            ListKind::Payments => &self.payments,
        }
    }

    pub fn list_mut(&mut self, kind: ListKind) -> &mut ListView {
        match kind {
            ListKind::Orders => &mut self.orders,
            ListKind::Payments => &mut self.payments,
        }
    }

    /// What decides the rows of a list.
    pub fn spec(&self, kind: ListKind) -> ListSpec {
        ListSpec {
            kind,
            sort: self.list(kind).sort,
            filter: self.filter.clone(),
            search: self.search.trim().to_owned(),
            fts: None,
        }
    }

    pub fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.status = Some((text.into(), tone));
    }

    /// The order/payment row under the cursor.
    pub fn current_row(&self) -> Option<&ListRow> {
        self.view
            .list_kind()
            .and_then(|k| self.list(k).pager.current())
    }

    /// How many rows are marked in the current view's family.
    pub fn marked(&self) -> usize {
        match self.view {
            View::Findings => self.finding_marks.len(),
            View::Orders | View::Payments | View::Webhooks | View::Orphans | View::Statements => {
                self.marks.len()
            }
        }
    }

    /// Clears the marks of the current view's family.
    fn unmark(&mut self) {
        match self.view {
            View::Findings => self.finding_marks.clear(),
            View::Orders | View::Payments | View::Webhooks | View::Orphans | View::Statements => {
                self.marks.clear()
            }
        }
    }
}

/// The text of a key typed into a line, if it is text.
pub fn is_text(ev: &KeyEvent) -> Option<char> {
    match ev.code {
        KeyCode::Char(c)
            if !ev
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

pub fn read_only_text(lang: Lang) -> String {
    lang.t("dash-read-only")
}

/// Handles one key press: changes the state, returns what the loop must do.
pub fn handle_key(app: &mut App, ev: KeyEvent) -> Task {
    app.keys_handled += 1;
    app.status = None;
    if app.keys.force_quit.matches(&ev) {
        return Task::Quit;
    }
    match app.mode.clone() {
        Mode::Normal => normal(app, &ev),
        Mode::Search => find::search_keys(app, &ev),
        Mode::Filter { row } => find::filter_keys(app, &ev, row),
        Mode::Choose {
            what,
            cursor,
            targets,
        } => dialogs::choose_keys(app, &ev, what, cursor, targets),
        Mode::Confirm(c) => dialogs::confirm_keys(app, &ev, c),
        Mode::Prompt { orphan, text } => orphans::prompt_keys(app, &ev, orphan, text),
        Mode::Working { .. } => dialogs::working_keys(app),
        Mode::Summary { summary, scroll } => dialogs::summary_keys(app, &ev, summary, scroll),
        Mode::Detail { detail, scroll } => detail::keys(app, &ev, detail, scroll),
        Mode::Help { scroll } => help::keys(app, &ev, scroll),
    }
}

/// Handles the mouse: the wheel scrolls the current list by three rows.
pub fn handle_mouse(app: &mut App, ev: MouseEvent) -> Task {
    let (code, n) = match ev.kind {
        MouseEventKind::ScrollDown => (KeyCode::Down, 3),
        MouseEventKind::ScrollUp => (KeyCode::Up, 3),
        _ => return Task::None,
    };
    match &app.mode {
        Mode::Normal => {
            let down = code == KeyCode::Down;
            views::move_rows(app, if down { n } else { -n })
        }
        Mode::Detail { .. } | Mode::Help { .. } | Mode::Summary { .. } => {
            handle_key(app, KeyEvent::new(code, KeyModifiers::NONE))
        }
        Mode::Search
        | Mode::Filter { .. }
        | Mode::Choose { .. }
        | Mode::Prompt { .. }
        | Mode::Confirm(_)
        | Mode::Working { .. } => Task::None,
    }
}

/// A scroll key in a scrollable overlay.
pub fn scrolled(app: &App, ev: &KeyEvent, scroll: u16) -> Option<u16> {
    let k = &app.keys;
    let page = app.page_size as u16;
    if k.down.matches(ev) {
        Some(scroll.saturating_add(1))
    } else if k.up.matches(ev) {
        Some(scroll.saturating_sub(1))
    } else if k.page_down.matches(ev) {
        Some(scroll.saturating_add(page))
    } else if k.page_up.matches(ev) {
        Some(scroll.saturating_sub(page))
    } else if k.top.matches(ev) {
        Some(0)
    } else {
        None
    }
}

fn switch(app: &mut App, view: View) -> Task {
    if view == app.view {
        return Task::None;
    }
    app.view = view;
    app.range = None;
    Task::Reload
}

/// The main view: the current view's keys first, then the common ones.
fn normal(app: &mut App, ev: &KeyEvent) -> Task {
    if let Some(task) = views::keys(app, ev) {
        return task;
    }
    if let Some(task) = moves(app, ev) {
        return task;
    }
    let k = &app.keys;
    if k.open.matches(ev) {
        return if views::has_current(app) {
            Task::Detail
        } else {
            Task::None
        };
    }
    if k.clear.matches(ev) {
        if app.search.is_empty() && app.filter.is_empty() {
            app.say(app.lang.t("dash-nothing-to-clear"), Tone::Info);
            return Task::None;
        }
        app.search.clear();
        app.filter = Filter::default();
        return Task::Requery;
    }
    if k.unmark.matches(ev) {
        let n = app.marked();
        app.unmark();
        app.range = None;
        app.say(tr!(app.lang, "dash-marks-cleared", n = n), Tone::Info);
        return Task::None;
    }
    if k.refresh.matches(ev) {
        return Task::Refresh;
    }
    if k.sync.matches(ev) {
        return super::sync::key(app);
    }
    if k.help.matches(ev) {
        app.mode = Mode::Help { scroll: 0 };
        return Task::None;
    }
    if k.quit.matches(ev) {
        return Task::Quit;
    }
    if let Some((text, tone)) = not_here(app, ev) {
        app.say(text, tone);
        return Task::None;
    }
    if app.keys.close.matches(ev) && app.range.take().is_some() {
        app.say(app.lang.t("dash-range-cancelled"), Tone::Info);
    }
    Task::None
}

/// Moving the cursor and switching views.
fn moves(app: &mut App, ev: &KeyEvent) -> Option<Task> {
    let k = &app.keys;
    let task = if k.down.matches(ev) {
        views::move_rows(app, 1)
    } else if k.up.matches(ev) {
        views::move_rows(app, -1)
    } else if let Some(nav) = page_nav(k, ev) {
        views::jump(app, nav)
    } else if k.next_view.matches(ev) {
        switch(app, app.view.step(true, &app.views()))
    } else if k.prev_view.matches(ev) {
        switch(app, app.view.step(false, &app.views()))
    } else if let Some(i) = k.goto_view.position(ev) {
        let shown = app.views();
        match shown.get(i.min(shown.len().saturating_sub(1))) {
            Some(v) => switch(app, *v),
            None => Task::None,
        }
    } else {
        return None;
    };
    Some(task)
}

/// The move a page or end key asks for.
fn page_nav(k: &KeyList, ev: &KeyEvent) -> Option<Nav> {
    if k.page_down.matches(ev) {
        Some(Nav::PageDown)
    } else if k.page_up.matches(ev) {
        Some(Nav::PageUp)
    } else if k.top.matches(ev) {
        Some(Nav::Top)
    } else if k.bottom.matches(ev) {
        Some(Nav::Bottom)
    } else {
        None
    }
}

/// What a key that the current view does not take says about where it
/// works.
fn not_here(app: &App, ev: &KeyEvent) -> Option<(String, Tone)> {
    let k = &app.keys;
    let l = app.lang;
    let info = |id: &'static str| Some((l.t(id), Tone::Info));
    let works_in = |what: &'static str, view: View| {
        Some((
            tr!(l, "dash-works-in", what = l.t(what), view = view.title(l)),
            Tone::Info,
        ))
    };
    if k.search.matches(ev) {
        info("dash-search-where")
    } else if k.filter.matches(ev) {
        info("dash-filter-where")
    } else if k.sort.matches(ev) || k.sort_reverse.matches(ev) {
        info("dash-sort-where")
    } else if k.mark.matches(ev) || k.mark_range.matches(ev) || k.mark_all.matches(ev) {
        info("dash-nothing-to-mark")
    } else if views::order_action(k, ev).is_some() {
        if app.read_only {
            Some((read_only_text(l), Tone::Warn))
        } else {
            info("dash-actions-where")
        }
    } else if k.fix.matches(ev) {
        info("dash-fix-where")
    } else if k.replay.matches(ev) {
        works_in("dash-what-replay", View::Webhooks)
    } else if k.link.matches(ev) {
        works_in("dash-what-link", View::Orphans)
    } else if k.dismiss.matches(ev) {
        works_in("dash-what-dismiss", View::Orphans)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
