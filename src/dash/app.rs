//! The dashboard's state and its key handler.
//!
//! [`App`] is everything on screen: the view, the mode (which overlay has
//! the keys), each view's page and cursor, the search, the filters, the
//! marks. [`handle_key`] is a pure function of the state and one key press:
//! it changes the state and returns an [`Effect`] for the loop to carry out
//! (read a page, prepare or run an action, quit). It never touches the
//! terminal or the database, so every key is tested without either.
//!
//! Keys are modal: while the search line is open every key is text; `Esc`
//! closes the innermost overlay (search line, dialog, detail, help); `q`
//! quits from the main view only.

use std::collections::{BTreeMap, BTreeSet};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use super::data::{
    Filter, ListKind, ListRow, ListSpec, Nav, ORDER_SORTS, OrderDetail, OrphanRow, PAYMENT_SORTS,
    Pager, Plan, RowKey, Sort, WebhookRow,
};
use super::keys::KeyList;
use crate::domain::{OrderPaymentStatus, OrderStatus, PaymentStatus, Provider, Timestamp};
use crate::report::{Finding, Rule};

/// The dashboard's views, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Orders,
    Payments,
    Findings,
    Webhooks,
    Orphans,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Orders,
        View::Payments,
        View::Findings,
        View::Webhooks,
        View::Orphans,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Orders => "Orders",
            View::Payments => "Payments",
            View::Findings => "Findings",
            View::Webhooks => "Webhooks",
            View::Orphans => "Orphans",
        }
    }

    pub fn index(self) -> usize {
        match self {
            View::Orders => 0,
            View::Payments => 1,
            View::Findings => 2,
            View::Webhooks => 3,
            View::Orphans => 4,
        }
    }

    fn step(self, forward: bool) -> View {
        let n = View::ALL.len();
        let i = if forward {
            (self.index() + 1) % n
        } else {
            (self.index() + n - 1) % n
        };
        View::ALL[i]
    }

    /// The list an order/payment view shows.
    pub fn list_kind(self) -> Option<ListKind> {
        match self {
            View::Orders => Some(ListKind::Orders),
            View::Payments => Some(ListKind::Payments),
            View::Findings | View::Webhooks | View::Orphans => None,
        }
    }
}

/// An action on orders, through [`crate::ops`] (or the fixer for `Fix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Cancel,
    Validate,
    SetOrderPayment(OrderPaymentStatus),
    SetPayment(PaymentStatus),
    Fix,
    /// Webhooks: process a stored delivery again.
    Replay,
    /// Orphans: attach the event to an order and apply it.
    Link,
    /// Orphans: close without applying.
    Dismiss,
}

/// What an action acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    /// Order ids and numbers.
    pub orders: Vec<(i64, String)>,
    /// For `Fix`: the findings.
    pub findings: Vec<Finding>,
    /// For `Replay`: webhook log ids; for `Link` and `Dismiss`: orphan ids.
    pub events: Vec<i64>,
    /// For `Link`: the order number.
    pub link_to: Option<String>,
}

/// The confirmation of an action: what it touches and what will happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub action: Action,
    pub targets: Targets,
    pub title: String,
    pub lines: Vec<String>,
    pub warnings: Vec<String>,
}

/// What an action did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub title: String,
    /// (order, what was done)
    pub done: Vec<(String, String)>,
    /// (order, why nothing was done)
    pub skipped: Vec<(String, String)>,
    /// What the owner must still do.
    pub warnings: Vec<String>,
}

/// Which status the chooser picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChooseFor {
    OrderPayment,
    Payment,
}

impl ChooseFor {
    pub fn words(self) -> &'static [&'static str] {
        match self {
            ChooseFor::OrderPayment => OrderPaymentStatus::WORDS,
            ChooseFor::Payment => PaymentStatus::WORDS,
        }
    }

    fn action(self, i: usize) -> Option<Action> {
        match self {
            ChooseFor::OrderPayment => OrderPaymentStatus::ALL
                .get(i)
                .map(|s| Action::SetOrderPayment(*s)),
            ChooseFor::Payment => PaymentStatus::ALL.get(i).map(|s| Action::SetPayment(*s)),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ChooseFor::OrderPayment => "Set the order's payment status",
            ChooseFor::Payment => "Set the payment's status",
        }
    }
}

/// What the detail pane shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    Order(Box<OrderDetail>),
    Webhook(WebhookRow),
    Orphan(OrphanRow),
    Finding(Finding),
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

/// What the loop must do after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
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
}

/// How a status line message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warn,
    Error,
}

/// The state of the Findings view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// `None` until the first scan arrives.
    pub list: Option<Vec<Finding>>,
    /// Rows on screen: group headers and findings.
    pub items: Vec<Item>,
    /// Index into `items` (never a header while there are findings).
    pub cursor: usize,
    /// First item on screen.
    pub offset: usize,
    pub scanning: bool,
    pub error: Option<String>,
}

/// A row of the Findings view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Header { rule: Rule, count: usize },
    Finding(usize),
}

impl Findings {
    /// Takes a new scan, keeping the cursor on the same finding if it is
    /// still there.
    pub fn set(&mut self, list: Vec<Finding>) {
        let keep = self.current().map(finding_key);
        let mut items = Vec::new();
        let mut i = 0;
        while i < list.len() {
            let rule = list[i].rule;
            let count = list[i..].iter().take_while(|f| f.rule == rule).count();
            items.push(Item::Header { rule, count });
            items.extend((i..i + count).map(Item::Finding));
            i += count;
        }
        self.items = items;
        self.list = Some(list);
        self.cursor = keep
            .and_then(|k| {
                self.items.iter().position(|it| match it {
                    Item::Finding(j) => self.finding(*j).map(finding_key).as_ref() == Some(&k),
                    Item::Header { .. } => false,
                })
            })
            .unwrap_or(1.min(self.items.len().saturating_sub(1)));
        self.offset = self.offset.min(self.cursor);
    }

    fn finding(&self, i: usize) -> Option<&Finding> {
        self.list.as_ref().and_then(|l| l.get(i))
    }

    /// The finding under the cursor.
    pub fn current(&self) -> Option<&Finding> {
        match self.items.get(self.cursor) {
            Some(Item::Finding(i)) => self.finding(*i),
            _ => None,
        }
    }

    pub fn all(&self) -> &[Finding] {
        self.list.as_deref().unwrap_or(&[])
    }

    /// Moves the cursor by `delta` findings (headers skipped), keeping it on
    /// screen.
    fn step(&mut self, delta: isize, height: usize) {
        let positions: Vec<usize> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| matches!(it, Item::Finding(_)))
            .map(|(i, _)| i)
            .collect();
        if positions.is_empty() {
            return;
        }
        let at = positions
            .iter()
            .position(|&p| p >= self.cursor)
            .unwrap_or(positions.len() - 1) as isize;
        let to = (at + delta).clamp(0, positions.len() as isize - 1) as usize;
        self.cursor = positions[to];
        self.scroll_to_cursor(height);
    }

    fn scroll_to_cursor(&mut self, height: usize) {
        let height = height.max(1);
        // Keep the group header above the first finding in view.
        let top = if self.cursor == 1 { 0 } else { self.cursor };
        if top < self.offset {
            self.offset = top;
        }
        if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
    }
}

/// The key that identifies a finding across scans.
pub fn finding_key(f: &Finding) -> (Rule, String) {
    (f.rule, f.order.clone().unwrap_or_else(|| f.detail.clone()))
}

/// One order or payment list: its page, sort and plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ListView {
    pub pager: Pager<ListRow>,
    pub sort: Sort,
    pub plan: Plan,
    /// Rows the current search and filters select; `None` while counting.
    pub count: Option<i64>,
}

impl ListView {
    fn new() -> ListView {
        ListView {
            pager: Pager::default(),
            sort: Sort::default(),
            plan: Plan::Dense { fallback: None },
            count: None,
        }
    }
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
    /// Marked orders (id → number), shared by Orders and Payments.
    pub marks: BTreeMap<i64, String>,
    /// Marked findings.
    pub finding_marks: BTreeSet<(Rule, String)>,
    pub range: Option<RangeAnchor>,
    /// Open orphans and failed events, for the tab titles.
    pub orphans_open: i64,
    pub webhooks_failed: i64,
    pub status: Option<(String, Tone)>,
    /// Keys handled so far; shown with `TALLY_DASH_TRACE` for the benchmark.
    pub keys_handled: u64,
    pub trace: bool,
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
            marks: BTreeMap::new(),
            finding_marks: BTreeSet::new(),
            range: None,
            orphans_open: 0,
            webhooks_failed: 0,
            status: None,
            keys_handled: 0,
            trace: false,
        }
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

    fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.status = Some((text.into(), tone));
    }

    /// Rows in memory and the cursor of the current paged view.
    fn paged(&self) -> Option<(usize, usize)> {
        match self.view {
            View::Orders => Some((self.orders.pager.rows.len(), self.orders.pager.cursor)),
            View::Payments => Some((self.payments.pager.rows.len(), self.payments.pager.cursor)),
            View::Webhooks => Some((self.webhooks.rows.len(), self.webhooks.cursor)),
            View::Orphans => Some((self.orphans.rows.len(), self.orphans.cursor)),
            View::Findings => None,
        }
    }

    fn set_cursor(&mut self, cursor: usize) {
        match self.view {
            View::Orders => self.orders.pager.cursor = cursor,
            View::Payments => self.payments.pager.cursor = cursor,
            View::Webhooks => self.webhooks.cursor = cursor,
            View::Orphans => self.orphans.cursor = cursor,
            View::Findings => {}
        }
    }

    /// The order/payment row under the cursor.
    pub fn current_row(&self) -> Option<&ListRow> {
        self.view
            .list_kind()
            .and_then(|k| self.list(k).pager.current())
    }

    /// The marked orders, or the current one: what an action acts on.
    fn order_targets(&self) -> Vec<(i64, String)> {
        match self.view {
            View::Orders | View::Payments => {
                if self.marks.is_empty() {
                    self.current_row()
                        .map(|r| vec![(r.order.id, r.order.number.clone())])
                        .unwrap_or_default()
                } else {
                    self.marks.iter().map(|(id, n)| (*id, n.clone())).collect()
                }
            }
            View::Findings => {
                let mut out: Vec<(i64, String)> = self
                    .finding_targets()
                    .iter()
                    .filter_map(|f| Some((f.order_id?, f.order.clone()?)))
                    .collect();
                out.sort();
                out.dedup();
                out
            }
            View::Webhooks | View::Orphans => Vec::new(),
        }
    }

    /// The marked findings, or the current one.
    fn finding_targets(&self) -> Vec<Finding> {
        if self.finding_marks.is_empty() {
            self.findings.current().cloned().into_iter().collect()
        } else {
            self.findings
                .all()
                .iter()
                .filter(|f| self.finding_marks.contains(&finding_key(f)))
                .cloned()
                .collect()
        }
    }

    /// How many rows are marked in the current view's family.
    pub fn marked(&self) -> usize {
        match self.view {
            View::Findings => self.finding_marks.len(),
            _ => self.marks.len(),
        }
    }
}

fn is_text(ev: &KeyEvent) -> Option<char> {
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

/// Handles one key press: changes the state, returns what the loop must do.
pub fn handle_key(app: &mut App, ev: KeyEvent) -> Effect {
    app.keys_handled += 1;
    app.status = None;
    if app.keys.force_quit.matches(&ev) {
        return Effect::Quit;
    }
    match app.mode.clone() {
        Mode::Normal => normal(app, &ev),
        Mode::Search => search(app, &ev),
        Mode::Filter { row } => filter(app, &ev, row),
        Mode::Choose {
            what,
            cursor,
            targets,
        } => choose(app, &ev, what, cursor, targets),
        Mode::Confirm(c) => {
            if app.keys.confirm.matches(&ev) {
                app.mode = Mode::Working {
                    title: c.title.clone(),
                    done: 0,
                    total: c
                        .targets
                        .orders
                        .len()
                        .max(c.targets.findings.len())
                        .max(c.targets.events.len()),
                };
                Effect::Run(c)
            } else if app.keys.decline.matches(&ev) {
                app.mode = Mode::Normal;
                app.say("declined: nothing was changed", Tone::Info);
                Effect::None
            } else {
                Effect::None
            }
        }
        Mode::Prompt { orphan, text } => prompt(app, &ev, orphan, text),
        Mode::Working { .. } => {
            app.say(
                "working… (Ctrl-c quits; each order is committed on its own)",
                Tone::Info,
            );
            Effect::None
        }
        Mode::Summary { summary, scroll } => {
            if app.keys.close.matches(&ev)
                || app.keys.confirm.matches(&ev)
                || app.keys.quit.matches(&ev)
            {
                app.mode = Mode::Normal;
            } else if let Some(s) = scrolled(app, &ev, scroll) {
                app.mode = Mode::Summary { summary, scroll: s };
            }
            Effect::None
        }
        Mode::Detail { detail, scroll } => {
            if app.keys.close.matches(&ev)
                || app.keys.open.matches(&ev)
                || app.keys.quit.matches(&ev)
            {
                app.mode = Mode::Normal;
            } else if let Some(s) = scrolled(app, &ev, scroll) {
                app.mode = Mode::Detail { detail, scroll: s };
            }
            Effect::None
        }
        Mode::Help { scroll } => {
            if app.keys.close.matches(&ev)
                || app.keys.help.matches(&ev)
                || app.keys.quit.matches(&ev)
            {
                app.mode = Mode::Normal;
            } else if let Some(s) = scrolled(app, &ev, scroll) {
                app.mode = Mode::Help { scroll: s };
            }
            Effect::None
        }
    }
}

/// Handles the mouse: the wheel scrolls the current list by three rows.
pub fn handle_mouse(app: &mut App, ev: MouseEvent) -> Effect {
    let (code, n) = match ev.kind {
        MouseEventKind::ScrollDown => (KeyCode::Down, 3),
        MouseEventKind::ScrollUp => (KeyCode::Up, 3),
        _ => return Effect::None,
    };
    if app.mode != Mode::Normal {
        return match &app.mode {
            Mode::Detail { .. } | Mode::Help { .. } | Mode::Summary { .. } => {
                handle_key(app, KeyEvent::new(code, KeyModifiers::NONE))
            }
            _ => Effect::None,
        };
    }
    let down = code == KeyCode::Down;
    move_rows(app, if down { n } else { -n })
}

/// A scroll key in a scrollable overlay.
fn scrolled(app: &App, ev: &KeyEvent, scroll: u16) -> Option<u16> {
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

/// Moves the cursor by `delta` rows: within the page in memory when it can,
/// otherwise asks the loop to read.
fn move_rows(app: &mut App, delta: isize) -> Effect {
    if app.view == View::Findings {
        app.findings.step(delta, app.page_size);
        return Effect::None;
    }
    let Some((len, cursor)) = app.paged() else {
        return Effect::None;
    };
    let to = cursor as isize + delta;
    if to >= 0 && (to as usize) < len && (to as usize) < app.page_size {
        app.set_cursor(to as usize);
        Effect::None
    } else if delta > 0 {
        Effect::Nav(Nav::Down(delta as usize))
    } else {
        Effect::Nav(Nav::Up(delta.unsigned_abs()))
    }
}

fn switch(app: &mut App, view: View) -> Effect {
    if view == app.view {
        return Effect::None;
    }
    app.view = view;
    app.range = None;
    Effect::Reload
}

fn normal(app: &mut App, ev: &KeyEvent) -> Effect {
    let k = app.keys.clone();
    let page = app.page_size;
    if k.down.matches(ev) {
        return move_rows(app, 1);
    }
    if k.up.matches(ev) {
        return move_rows(app, -1);
    }
    if k.page_down.matches(ev) || k.page_up.matches(ev) || k.top.matches(ev) || k.bottom.matches(ev)
    {
        let nav = if k.page_down.matches(ev) {
            Nav::PageDown
        } else if k.page_up.matches(ev) {
            Nav::PageUp
        } else if k.top.matches(ev) {
            Nav::Top
        } else {
            Nav::Bottom
        };
        if app.view == View::Findings {
            let f = &mut app.findings;
            match nav {
                Nav::PageDown => f.step(page as isize, page),
                Nav::PageUp => f.step(-(page as isize), page),
                Nav::Top => f.step(isize::MIN / 2, page),
                Nav::Bottom | Nav::Down(_) | Nav::Up(_) => f.step(isize::MAX / 2, page),
            }
            return Effect::None;
        }
        return Effect::Nav(nav);
    }
    if k.next_view.matches(ev) {
        return switch(app, app.view.step(true));
    }
    if k.prev_view.matches(ev) {
        return switch(app, app.view.step(false));
    }
    if let Some(i) = k.goto_view.position(ev) {
        return switch(app, View::ALL[i.min(View::ALL.len() - 1)]);
    }
    if k.open.matches(ev) {
        let any = match app.view {
            View::Orders | View::Payments => app.current_row().is_some(),
            View::Findings => app.findings.current().is_some(),
            View::Webhooks => app.webhooks.current().is_some(),
            View::Orphans => app.orphans.current().is_some(),
        };
        return if any { Effect::Detail } else { Effect::None };
    }
    if k.search.matches(ev) {
        if app.view.list_kind().is_some() {
            app.mode = Mode::Search;
        } else {
            app.say("search works in Orders and Payments", Tone::Info);
        }
        return Effect::None;
    }
    if k.filter.matches(ev) {
        if app.view.list_kind().is_some() {
            app.mode = Mode::Filter { row: 0 };
        } else {
            app.say("filters work in Orders and Payments", Tone::Info);
        }
        return Effect::None;
    }
    if k.sort.matches(ev) || k.sort_reverse.matches(ev) {
        let Some(kind) = app.view.list_kind() else {
            app.say("sorting works in Orders and Payments", Tone::Info);
            return Effect::None;
        };
        let sorts = match kind {
            ListKind::Orders => ORDER_SORTS,
            ListKind::Payments => PAYMENT_SORTS,
        };
        let list = app.list_mut(kind);
        if k.sort.matches(ev) {
            let i = sorts.iter().position(|s| *s == list.sort.col).unwrap_or(0);
            let col = sorts[(i + 1) % sorts.len()];
            list.sort = Sort {
                col,
                desc: col.default_desc(),
            };
        } else {
            list.sort.desc = !list.sort.desc;
        }
        return Effect::Requery;
    }
    if k.clear.matches(ev) {
        if app.search.is_empty() && app.filter.is_empty() {
            app.say("no search or filter to clear", Tone::Info);
            return Effect::None;
        }
        app.search.clear();
        app.filter = Filter::default();
        return Effect::Requery;
    }
    if k.mark.matches(ev) {
        return mark(app);
    }
    if k.mark_range.matches(ev) {
        return mark_range(app);
    }
    if k.mark_all.matches(ev) {
        return match app.view {
            View::Orders | View::Payments => Effect::MarkAll,
            View::Findings => {
                let keys: Vec<_> = app.findings.all().iter().map(finding_key).collect();
                app.finding_marks.extend(keys);
                app.say(
                    format!("{} findings marked", app.finding_marks.len()),
                    Tone::Info,
                );
                Effect::None
            }
            View::Webhooks | View::Orphans => {
                app.say("nothing to mark here", Tone::Info);
                Effect::None
            }
        };
    }
    if k.unmark.matches(ev) {
        let n = app.marked();
        match app.view {
            View::Findings => app.finding_marks.clear(),
            _ => app.marks.clear(),
        }
        app.range = None;
        app.say(format!("{n} marks cleared"), Tone::Info);
        return Effect::None;
    }
    if k.cancel.matches(ev) {
        return act(app, Some(Action::Cancel), None);
    }
    if k.validate.matches(ev) {
        return act(app, Some(Action::Validate), None);
    }
    if k.set_order_payment.matches(ev) {
        return act(app, None, Some(ChooseFor::OrderPayment));
    }
    if k.set_payment.matches(ev) {
        return act(app, None, Some(ChooseFor::Payment));
    }
    if k.fix.matches(ev) {
        if app.view != View::Findings {
            app.say("f fixes findings: open the Findings view (3)", Tone::Info);
            return Effect::None;
        }
        return act(app, Some(Action::Fix), None);
    }
    if k.replay.matches(ev) {
        return external(app, View::Webhooks, Action::Replay);
    }
    if k.link.matches(ev) {
        return external(app, View::Orphans, Action::Link);
    }
    if k.dismiss.matches(ev) {
        return external(app, View::Orphans, Action::Dismiss);
    }
    if k.refresh.matches(ev) {
        return Effect::Refresh;
    }
    if k.help.matches(ev) {
        app.mode = Mode::Help { scroll: 0 };
        return Effect::None;
    }
    if k.quit.matches(ev) {
        return Effect::Quit;
    }
    if k.close.matches(ev) && app.range.take().is_some() {
        app.say("range cancelled", Tone::Info);
    }
    Effect::None
}

/// The webhook and orphan actions, through the listener's own functions.
fn external(app: &mut App, view: View, action: Action) -> Effect {
    let what = match action {
        Action::Replay => "replay",
        Action::Link => "link",
        _ => "dismiss",
    };
    if app.view != view {
        app.say(
            format!("{what} works in the {} view", view.title()),
            Tone::Info,
        );
        return Effect::None;
    }
    if app.read_only {
        app.say(read_only_text(), Tone::Warn);
        return Effect::None;
    }
    match action {
        Action::Replay => match app.webhooks.current() {
            Some(w) => app.mode = Mode::Confirm(super::actions::confirm_replay(w)),
            None => app.say("no webhook delivery here", Tone::Info),
        },
        Action::Link => match app.orphans.current() {
            Some(o) => {
                app.mode = Mode::Prompt {
                    orphan: o.clone(),
                    text: o.order_number.clone().unwrap_or_default(),
                }
            }
            None => app.say("no orphan here", Tone::Info),
        },
        _ => match app.orphans.current() {
            Some(o) => app.mode = Mode::Confirm(super::actions::confirm_dismiss(o)),
            None => app.say("no orphan here", Tone::Info),
        },
    }
    Effect::None
}

/// Typing the order number an orphan is linked to.
fn prompt(app: &mut App, ev: &KeyEvent, orphan: OrphanRow, mut text: String) -> Effect {
    let k = &app.keys;
    if k.close.matches(ev) {
        app.mode = Mode::Normal;
        return Effect::None;
    }
    if k.search_keep.matches(ev) {
        let number = text.trim().to_owned();
        if number.is_empty() {
            app.say("type the order number to link to", Tone::Info);
            app.mode = Mode::Prompt { orphan, text };
        } else {
            app.mode = Mode::Confirm(super::actions::confirm_link(&orphan, &number));
        }
        return Effect::None;
    }
    if k.search_clear_line.matches(ev) {
        text.clear();
    } else if ev.code == KeyCode::Backspace {
        text.pop();
    } else if let Some(c) = is_text(ev) {
        text.push(c);
    }
    app.mode = Mode::Prompt { orphan, text };
    Effect::None
}

fn read_only_text() -> &'static str {
    "read-only (--read-only): actions are disabled"
}

fn act(app: &mut App, action: Option<Action>, choose: Option<ChooseFor>) -> Effect {
    if app.read_only {
        app.say(read_only_text(), Tone::Warn);
        return Effect::None;
    }
    if matches!(app.view, View::Webhooks | View::Orphans) {
        app.say(
            "actions on orders work in Orders, Payments and Findings",
            Tone::Info,
        );
        return Effect::None;
    }
    let targets = if action == Some(Action::Fix) {
        Targets {
            findings: app.finding_targets(),
            ..Targets::default()
        }
    } else {
        Targets {
            orders: app.order_targets(),
            ..Targets::default()
        }
    };
    if targets.orders.is_empty() && targets.findings.is_empty() {
        app.say("nothing to act on: no row here", Tone::Info);
        return Effect::None;
    }
    match (action, choose) {
        (Some(a), _) => Effect::Prepare(a, targets),
        (None, Some(what)) => {
            app.mode = Mode::Choose {
                what,
                cursor: 0,
                targets,
            };
            Effect::None
        }
        (None, None) => Effect::None,
    }
}

fn mark(app: &mut App) -> Effect {
    match app.view {
        View::Orders | View::Payments => {
            let Some(row) = app.current_row() else {
                return Effect::None;
            };
            let (id, number) = (row.order.id, row.order.number.clone());
            if app.marks.remove(&id).is_none() {
                app.marks.insert(id, number);
            }
            move_rows(app, 1)
        }
        View::Findings => {
            let Some(f) = app.findings.current() else {
                return Effect::None;
            };
            let key = finding_key(f);
            if !app.finding_marks.remove(&key) {
                app.finding_marks.insert(key);
            }
            move_rows(app, 1)
        }
        View::Webhooks | View::Orphans => {
            app.say("nothing to mark here", Tone::Info);
            Effect::None
        }
    }
}

fn mark_range(app: &mut App) -> Effect {
    match (app.view, app.range.take()) {
        (View::Findings, Some(RangeAnchor::Findings(from))) => {
            let to = app.findings.cursor;
            let (a, b) = (from.min(to), from.max(to));
            let keys: Vec<_> = app.findings.items[a..=b.min(app.findings.items.len() - 1)]
                .iter()
                .filter_map(|it| match it {
                    Item::Finding(i) => app.findings.all().get(*i).map(finding_key),
                    Item::Header { .. } => None,
                })
                .collect();
            let n = keys.len();
            app.finding_marks.extend(keys);
            app.say(format!("{n} findings marked"), Tone::Info);
            Effect::None
        }
        (View::Findings, _) => {
            if app.findings.current().is_some() {
                app.range = Some(RangeAnchor::Findings(app.findings.cursor));
                app.say(
                    "range started: move, then v again to mark it (Esc cancels)",
                    Tone::Info,
                );
            }
            Effect::None
        }
        (view @ (View::Orders | View::Payments), anchor) => {
            let Some((key, number)) = app
                .current_row()
                .map(|r| (r.key.clone(), r.order.number.clone()))
            else {
                return Effect::None;
            };
            match anchor {
                Some(RangeAnchor::List {
                    view: v, key: from, ..
                }) if v == view => Effect::MarkRange { from, to: key },
                _ => {
                    app.say(
                        format!("range from {number}: move, then v again to mark it (Esc cancels)"),
                        Tone::Info,
                    );
                    app.range = Some(RangeAnchor::List { view, key, number });
                    Effect::None
                }
            }
        }
        (View::Webhooks | View::Orphans, _) => {
            app.say("nothing to mark here", Tone::Info);
            Effect::None
        }
    }
}

fn search(app: &mut App, ev: &KeyEvent) -> Effect {
    let k = &app.keys;
    if k.close.matches(ev) {
        app.mode = Mode::Normal;
        if app.search.is_empty() {
            return Effect::None;
        }
        app.search.clear();
        return Effect::Requery;
    }
    if k.search_keep.matches(ev) {
        app.mode = Mode::Normal;
        return Effect::None;
    }
    if k.search_clear_line.matches(ev) {
        app.search.clear();
        return Effect::Requery;
    }
    if ev.code == KeyCode::Backspace {
        return if app.search.pop().is_some() {
            Effect::Requery
        } else {
            Effect::None
        };
    }
    match is_text(ev) {
        Some(c) => {
            app.search.push(c);
            Effect::Requery
        }
        None => Effect::None,
    }
}

/// The filter dialog's rows.
pub const FILTER_ROWS: [&str; 3] = ["order status", "payment status", "provider"];

/// Steps an optional value through `None, all[0], all[1], …`.
fn cycle<T: Copy + PartialEq>(value: Option<T>, all: &[T], forward: bool) -> Option<T> {
    let n = all.len() + 1;
    let i = value
        .and_then(|v| all.iter().position(|x| *x == v))
        .map_or(0, |p| p + 1);
    let j = if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    };
    if j == 0 { None } else { Some(all[j - 1]) }
}

fn filter(app: &mut App, ev: &KeyEvent, row: usize) -> Effect {
    let k = &app.keys;
    if k.close.matches(ev) || k.search_keep.matches(ev) || k.filter.matches(ev) {
        app.mode = Mode::Normal;
        return Effect::None;
    }
    if k.down.matches(ev) {
        app.mode = Mode::Filter {
            row: (row + 1).min(FILTER_ROWS.len() - 1),
        };
        return Effect::None;
    }
    if k.up.matches(ev) {
        app.mode = Mode::Filter {
            row: row.saturating_sub(1),
        };
        return Effect::None;
    }
    if k.filter_change.matches(ev) {
        let forward = matches!(ev.code, KeyCode::Right | KeyCode::Char('l'));
        let f = &mut app.filter;
        match row {
            0 => f.status = cycle(f.status, OrderStatus::ALL, forward),
            1 => f.payment = cycle(f.payment, OrderPaymentStatus::ALL, forward),
            _ => f.provider = cycle(f.provider, Provider::ALL, forward),
        }
        return Effect::Requery;
    }
    Effect::None
}

fn choose(
    app: &mut App,
    ev: &KeyEvent,
    what: ChooseFor,
    cursor: usize,
    targets: Targets,
) -> Effect {
    let k = &app.keys;
    let n = what.words().len();
    let pick = |i: usize, app: &mut App, targets: Targets| match what.action(i) {
        Some(a) => {
            app.mode = Mode::Normal;
            Effect::Prepare(a, targets)
        }
        None => Effect::None,
    };
    if k.decline.matches(ev) {
        app.mode = Mode::Normal;
        return Effect::None;
    }
    if k.confirm.matches(ev) {
        return pick(cursor, app, targets);
    }
    if let KeyCode::Char(c) = ev.code
        && let Some(d) = c.to_digit(10)
        && (1..=n as u32).contains(&d)
    {
        return pick(d as usize - 1, app, targets);
    }
    let cursor = if k.down.matches(ev) {
        (cursor + 1).min(n - 1)
    } else if k.up.matches(ev) {
        cursor.saturating_sub(1)
    } else {
        cursor
    };
    app.mode = Mode::Choose {
        what,
        cursor,
        targets,
    };
    Effect::None
}

#[cfg(test)]
mod tests;
