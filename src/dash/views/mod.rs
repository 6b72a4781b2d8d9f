//! The dashboard's views, one room each, like the tabs of ratatui's demo2:
//! [`orders`] and [`payments`] (two lists of the same rows, sharing
//! [`list`] and [`find`]), [`findings`], [`webhooks`], [`orphans`], and
//! [`statements`] (once a statement was imported). Each
//! holds its state, its keys in the main view and its drawing; this module
//! dispatches to the current one and holds what acting on orders needs in
//! any of them.
//!
//! A view's key handler returns `None` for a key it does not take; the
//! common keys ([`super::app`]) then move, switch views, or say where the key
//! works.

pub mod find;
pub mod findings;
pub mod list;
pub mod orders;
pub mod orphans;
pub mod payments;
pub mod statements;
pub mod webhooks;

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::actions::{Action, Targets};
use super::app::{App, Mode, Task, Tone, View, read_only_text};
use super::data::{ListKind, Nav, Pager};
use super::dialogs::ChooseFor;
use super::keys::KeyList;
use super::theme::Theme;
use crate::i18n::Lang;

/// A hint of the status line: the key, then what it does.
pub fn hint(key: String, what: &'static str, lang: Lang) -> String {
    format!("{key} {}", lang.t(what))
}

/// The current view's keys in the main view.
pub fn keys(app: &mut App, ev: &KeyEvent) -> Option<Task> {
    match app.view {
        View::Orders => list::keys(app, ListKind::Orders, ev),
        View::Payments => list::keys(app, ListKind::Payments, ev),
        View::Findings => findings::keys(app, ev),
        View::Webhooks => webhooks::keys(app, ev),
        View::Orphans => orphans::keys(app, ev),
        View::Statements => None,
    }
}

/// Draws the current view's table.
pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    match app.view {
        View::Orders => list::render(app, ListKind::Orders, area, buf, theme),
        View::Payments => list::render(app, ListKind::Payments, area, buf, theme),
        View::Findings => findings::render(app, area, buf, theme),
        View::Webhooks => webhooks::render(app, area, buf, theme),
        View::Orphans => orphans::render(app, area, buf, theme),
        View::Statements => statements::render(app, area, buf, theme),
    }
}

/// A view's tab title: its number, its name, and what it counts.
pub fn tab_title(app: &App, view: View) -> String {
    let extra = match view {
        View::Orders | View::Payments => String::new(),
        View::Findings => findings::tab_note(app),
        View::Webhooks => webhooks::tab_note(app),
        View::Orphans => orphans::tab_note(app),
        View::Statements => statements::tab_note(app),
    };
    format!("{} {}{extra}", view.index() + 1, view.title(app.lang))
}

/// The line above the table: what the current view shows.
pub fn query(app: &App, theme: &Theme) -> Vec<Span<'static>> {
    match app.view {
        View::Orders => list::query(app, ListKind::Orders, theme),
        View::Payments => list::query(app, ListKind::Payments, theme),
        View::Findings => findings::query(app, theme),
        View::Webhooks => webhooks::query(app, theme),
        View::Orphans => orphans::query(app, theme),
        View::Statements => statements::query(app, theme),
    }
}

/// The key hints of the status line.
pub fn hints(app: &App) -> Vec<String> {
    let (k, l) = (&app.keys, app.lang);
    match app.view {
        View::Orders | View::Payments => list::hints(k, l),
        View::Findings => findings::hints(k, l),
        View::Webhooks => webhooks::hints(k, l),
        View::Orphans => orphans::hints(k, l),
        View::Statements => statements::hints(app, k),
    }
}

/// Whether the current view has a row under the cursor.
pub fn has_current(app: &App) -> bool {
    match app.view {
        View::Orders | View::Payments => app.current_row().is_some(),
        View::Findings => app.findings.current().is_some(),
        View::Webhooks => app.webhooks.current().is_some(),
        View::Orphans => app.orphans.current().is_some(),
        View::Statements => app.statements.current().is_some(),
    }
}

/// Moves the cursor by `delta` rows: within the page in memory when it can,
/// otherwise asks the loop to read.
pub fn move_rows(app: &mut App, delta: isize) -> Task {
    let page = app.page_size;
    match app.view {
        View::Orders => move_in_page(&mut app.orders.pager, delta, page),
        View::Payments => move_in_page(&mut app.payments.pager, delta, page),
        View::Findings => {
            app.findings.step(delta, page);
            Task::None
        }
        View::Webhooks => move_in_page(&mut app.webhooks, delta, page),
        View::Orphans => move_in_page(&mut app.orphans, delta, page),
        View::Statements => {
            let page = statements::table_rows(app, page);
            move_in_page(&mut app.statements, delta, page)
        }
    }
}

fn move_in_page<R>(pager: &mut Pager<R>, delta: isize, page: usize) -> Task {
    let to = pager.cursor as isize + delta;
    if to >= 0 && (to as usize) < pager.rows.len() && (to as usize) < page {
        pager.cursor = to as usize;
        Task::None
    } else if delta > 0 {
        Task::Nav(Nav::Down(delta as usize))
    } else {
        Task::Nav(Nav::Up(delta.unsigned_abs()))
    }
}

/// A page or end key: the paged views ask the loop to read, the Findings
/// move in memory.
pub fn jump(app: &mut App, nav: Nav) -> Task {
    match app.view {
        View::Findings => {
            app.findings.jump(nav, app.page_size);
            Task::None
        }
        View::Orders | View::Payments | View::Webhooks | View::Orphans | View::Statements => {
            Task::Nav(nav)
        }
    }
}

/// What an order action key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Confirm this action.
    Now(Action),
    /// Pick a status first.
    Choose(ChooseFor),
}

/// The order action a key asks for, if any.
pub fn order_action(k: &KeyList, ev: &KeyEvent) -> Option<Ask> {
    if k.cancel.matches(ev) {
        Some(Ask::Now(Action::Cancel))
    } else if k.cancel_refund.matches(ev) {
        Some(Ask::Now(Action::CancelRefund))
    } else if k.refund.matches(ev) {
        Some(Ask::Now(Action::Refund))
    } else if k.validate.matches(ev) {
        Some(Ask::Now(Action::Validate))
    } else if k.set_order_payment.matches(ev) {
        Some(Ask::Choose(ChooseFor::OrderPayment))
    } else if k.set_payment.matches(ev) {
        Some(Ask::Choose(ChooseFor::Payment))
    } else {
        None
    }
}

/// Starts an action on orders or findings: the chooser, or the
/// confirmation (which the loop prepares).
pub fn act(app: &mut App, ask: Ask, targets: Targets) -> Task {
    if app.read_only {
        app.say(read_only_text(app.lang), Tone::Warn);
        return Task::None;
    }
    if targets.is_empty() {
        app.say(app.lang.t("dash-no-row"), Tone::Info);
        return Task::None;
    }
    match ask {
        Ask::Now(action) => Task::Prepare(action, targets),
        Ask::Choose(what) => {
            app.mode = Mode::Choose {
                what,
                cursor: 0,
                targets,
            };
            Task::None
        }
    }
}
