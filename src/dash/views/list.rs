//! What the Orders and Payments views share: the same rows (an order and
//! its payment) read through the same plans, the same marks, the same
//! actions; only the driving table, the columns and the sorts differ
//! ([`super::orders`], [`super::payments`]). The search, the filters and the
//! sort are in [`super::find`].

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::{find, order_action, orders, payments};
use crate::dash::actions::Targets;
use crate::dash::app::{App, RangeAnchor, Task, Tone};
use crate::dash::data::{ListKind, ListRow, Pager, Plan, Sort};
use crate::dash::keys::KeyList;
use crate::dash::table::{self, Cursor, Grid};
use crate::dash::theme::Theme;
use crate::i18n::{Lang, count, tr};

use super::hint;

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
    pub fn new() -> ListView {
        ListView {
            pager: Pager::default(),
            sort: Sort::default(),
            plan: Plan::Dense { fallback: None },
            count: None,
        }
    }
}

impl Default for ListView {
    fn default() -> ListView {
        ListView::new()
    }
}

/// The list's keys in the main view.
pub fn keys(app: &mut App, kind: ListKind, ev: &KeyEvent) -> Option<Task> {
    if let Some(task) = find::keys(app, kind, ev) {
        return Some(task);
    }
    let k = &app.keys;
    if k.mark.matches(ev) {
        return Some(mark(app));
    }
    if k.mark_range.matches(ev) {
        return Some(mark_range(app));
    }
    if k.mark_all.matches(ev) {
        return Some(Task::MarkAll);
    }
    if let Some(ask) = order_action(k, ev) {
        let targets = Targets {
            orders: targets(app),
            ..Targets::default()
        };
        return Some(super::act(app, ask, targets));
    }
    None
}

/// The marked orders, or the current one: what an action acts on.
fn targets(app: &App) -> Vec<(i64, String)> {
    if app.marks.is_empty() {
        app.current_row()
            .map(|r| vec![(r.order.id, r.order.number.clone())])
            .unwrap_or_default()
    } else {
        app.marks.iter().map(|(id, n)| (*id, n.clone())).collect()
    }
}

/// Marks or unmarks the current order and moves down.
fn mark(app: &mut App) -> Task {
    let Some(row) = app.current_row() else {
        return Task::None;
    };
    let (id, number) = (row.order.id, row.order.number.clone());
    if app.marks.remove(&id).is_none() {
        app.marks.insert(id, number);
    }
    super::move_rows(app, 1)
}

/// Starts a range at the current row, or marks the rows from its start.
fn mark_range(app: &mut App) -> Task {
    let view = app.view;
    let anchor = app.range.take();
    let Some((key, number)) = app
        .current_row()
        .map(|r| (r.key.clone(), r.order.number.clone()))
    else {
        return Task::None;
    };
    match anchor {
        Some(RangeAnchor::List {
            view: v, key: from, ..
        }) if v == view => Task::MarkRange { from, to: key },
        Some(RangeAnchor::List { .. } | RangeAnchor::Findings(_)) | None => {
            app.say(
                tr!(app.lang, "dash-range-from", number = number.as_str()),
                Tone::Info,
            );
            app.range = Some(RangeAnchor::List { view, key, number });
            Task::None
        }
    }
}

/// The status line's hints in a list.
pub fn hints(k: &KeyList, l: Lang) -> Vec<String> {
    vec![
        hint(k.search.first(l), "dash-hint-search", l),
        hint(k.filter.first(l), "dash-hint-filter", l),
        hint(k.sort.first(l), "dash-hint-sort", l),
        hint(k.mark.first(l), "dash-hint-mark", l),
        hint(k.cancel.first(l), "dash-hint-cancel", l),
        hint(k.validate.first(l), "dash-hint-validate", l),
        hint(k.open.first(l), "dash-hint-details", l),
    ]
}

/// The line above the table: search, filters, sort, and how many rows.
pub fn query(app: &App, kind: ListKind, theme: &Theme) -> Vec<Span<'static>> {
    let list = app.list(kind);
    let mut spans = find::spans(app, list.sort, theme);
    let l = app.lang;
    let count = match (kind, list.count) {
        (ListKind::Orders, Some(n)) => tr!(l, "dash-count-orders", n = count(n)),
        (ListKind::Payments, Some(n)) => tr!(l, "dash-count-payments", n = count(n)),
        (ListKind::Orders, None) => l.t("dash-counting-orders"),
        (ListKind::Payments, None) => l.t("dash-counting-payments"),
    };
    spans.push(Span::styled(count, theme.info));
    spans
}

/// The first cell of a row: `●` marked, `!` reported by `tally check`.
fn mark_cell(marked: bool, flagged: bool, theme: &Theme) -> Cell<'static> {
    let mut spans = Vec::new();
    spans.push(if marked {
        Span::styled("●", theme.marked)
    } else {
        Span::raw(" ")
    });
    spans.push(if flagged {
        Span::styled("!", theme.flagged)
    } else {
        Span::raw(" ")
    });
    Cell::from(ratatui::text::Line::from(spans))
}

fn row_style(marked: bool, flagged: bool, theme: &Theme) -> Style {
    match (marked, flagged) {
        (true, _) => theme.marked,
        (false, true) => theme.flagged,
        (false, false) => Style::new(),
    }
}

/// Draws the list.
pub fn render(app: &App, kind: ListKind, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let pager = &app.list(kind).pager;
    let l = app.lang;
    let (header, widths) = match kind {
        ListKind::Orders => (orders::header(area.width, l), orders::widths(area.width, l)),
        ListKind::Payments => (payments::header(l), payments::widths(l)),
    };
    let cursor = Cursor::Row(pager.cursor);
    let fit = table::column_widths(&widths, area.width, cursor);
    let rows = pager
        .rows
        .iter()
        .map(|r| {
            let marked = app.marks.contains_key(&r.order.id);
            let flagged = !r.flags.is_empty();
            let mark = mark_cell(marked, flagged, theme);
            let cells = match kind {
                ListKind::Orders => orders::cells(app, r, mark, &fit),
                ListKind::Payments => payments::cells(app, r, mark, &fit),
            };
            Row::new(cells).style(row_style(marked, flagged, theme))
        })
        .collect();
    let empty = if app.search.trim().is_empty() && app.filter.is_empty() {
        l.t("dash-no-rows")
    } else {
        l.t("dash-no-match")
    };
    let grid = Grid {
        header,
        widths,
        rows,
        cursor,
        empty: &empty,
    };
    table::render(grid, area, buf, theme);
}
