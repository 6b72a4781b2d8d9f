//! Search, filter, sort: what narrows and orders the Orders and Payments
//! lists. The keys that open the search line and the filter dialog and turn
//! the sort; the search line's keys (every key is text); the filter dialog's
//! keys and drawing; the part of the query line that says what is applied.
//!
//! The search and the filters are shared by both lists; each list keeps its
//! own sort. Every change asks the loop to read again ([`Task::Requery`]).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::dash::app::{App, Mode, Task, is_text};
use crate::dash::data::{ListKind, ORDER_SORTS, PAYMENT_SORTS, Sort};
use crate::dash::dialogs::{framed, popup};
use crate::dash::keys::KeyList;
use crate::dash::theme::Theme;
use crate::domain::{OrderPaymentStatus, OrderStatus, Provider};
use crate::i18n::{Lang, tr};

/// The filter dialog's rows (their names' ids).
pub const FILTER_ROWS: [&str; 3] = [
    "dash-filter-order-status",
    "dash-filter-payment-status",
    "dash-filter-provider",
];

/// The keys that open the search line or the filter dialog, or turn the
/// sort.
pub fn keys(app: &mut App, kind: ListKind, ev: &KeyEvent) -> Option<Task> {
    let k = &app.keys;
    if k.search.matches(ev) {
        app.mode = Mode::Search;
        return Some(Task::None);
    }
    if k.filter.matches(ev) {
        app.mode = Mode::Filter { row: 0 };
        return Some(Task::None);
    }
    let next = k.sort.matches(ev);
    if !next && !k.sort_reverse.matches(ev) {
        return None;
    }
    let sorts = match kind {
        ListKind::Orders => ORDER_SORTS,
        ListKind::Payments => PAYMENT_SORTS,
    };
    let list = app.list_mut(kind);
    if next {
        let i = sorts.iter().position(|s| *s == list.sort.col).unwrap_or(0);
        let col = sorts[(i + 1) % sorts.len()];
        list.sort = Sort {
            col,
            desc: col.default_desc(),
        };
    } else {
        list.sort.desc = !list.sort.desc;
    }
    Some(Task::Requery)
}

/// The search line: every key is text; `Enter` keeps the search, `Esc`
/// clears it.
pub fn search_keys(app: &mut App, ev: &KeyEvent) -> Task {
    let k = &app.keys;
    if k.close.matches(ev) {
        app.mode = Mode::Normal;
        if app.search.is_empty() {
            return Task::None;
        }
        app.search.clear();
        return Task::Requery;
    }
    if k.search_keep.matches(ev) {
        app.mode = Mode::Normal;
        return Task::None;
    }
    if k.search_clear_line.matches(ev) {
        app.search.clear();
        return Task::Requery;
    }
    if ev.code == KeyCode::Backspace {
        return if app.search.pop().is_some() {
            Task::Requery
        } else {
            Task::None
        };
    }
    match is_text(ev) {
        Some(c) => {
            app.search.push(c);
            Task::Requery
        }
        None => Task::None,
    }
}

/// The status line's hints while the search line is open.
pub fn search_hints(k: &KeyList, l: Lang) -> Vec<String> {
    vec![
        l.t("dash-hint-type"),
        super::hint(k.search_keep.first(l), "dash-hint-keep", l),
        super::hint(k.close.first(l), "dash-hint-clear", l),
    ]
}

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

/// The filter dialog: `↑`/`↓` choose a filter, `←`/`→` change it.
pub fn filter_keys(app: &mut App, ev: &KeyEvent, row: usize) -> Task {
    let k = &app.keys;
    if k.close.matches(ev) || k.search_keep.matches(ev) || k.filter.matches(ev) {
        app.mode = Mode::Normal;
        return Task::None;
    }
    if k.down.matches(ev) {
        app.mode = Mode::Filter {
            row: (row + 1).min(FILTER_ROWS.len() - 1),
        };
        return Task::None;
    }
    if k.up.matches(ev) {
        app.mode = Mode::Filter {
            row: row.saturating_sub(1),
        };
        return Task::None;
    }
    if k.filter_change.matches(ev) {
        let forward = matches!(ev.code, KeyCode::Right | KeyCode::Char('l'));
        let f = &mut app.filter;
        match row {
            0 => f.status = cycle(f.status, OrderStatus::ALL, forward),
            1 => f.payment = cycle(f.payment, OrderPaymentStatus::ALL, forward),
            _ => f.provider = cycle(f.provider, Provider::ALL, forward),
        }
        return Task::Requery;
    }
    Task::None
}

/// Draws the filter dialog.
pub fn render_filter(app: &App, row: usize, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let f = &app.filter;
    let l = app.lang;
    let any = || l.t("dash-filter-any");
    let values = [
        f.status.map_or_else(any, |s| l.word(s)),
        f.payment.map_or_else(any, |s| l.word(s)),
        f.provider.map_or_else(any, |s| l.word(s)),
    ];
    let names: Vec<String> = FILTER_ROWS.iter().map(|id| l.t(id)).collect();
    let name_width = names.iter().map(|n| n.chars().count()).fold(15, usize::max);
    let mut lines: Vec<Line> = names
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (name, value))| {
            let line = Line::from(format!(" {name:<name_width$} ◀ {value:^12} ▶"));
            if i == row {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!(" {}", l.t("dash-filter-keys")),
        theme.muted,
    )));
    let width = u16::try_from(name_width).unwrap_or(15) + 29;
    let inner = framed(popup(area, width, 7), buf, &l.t("dash-filter-title"), theme);
    Paragraph::new(lines).render(inner, buf);
}

/// The query line's account of the search (or the search line), the
/// filters and the sort.
pub fn spans(app: &App, sort: Sort, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans: Vec<Span> = Vec::new();
    let l = app.lang;
    if app.mode == Mode::Search {
        spans.push(Span::styled("/", theme.key));
        spans.push(Span::styled(format!("{}▏", app.search), theme.query));
        spans.push(Span::raw("  "));
    } else if !app.search.trim().is_empty() {
        spans.push(Span::styled(
            format!(
                "{}  ",
                tr!(l, "dash-query-search", text = app.search.trim())
            ),
            theme.query,
        ));
    }
    let f = &app.filter;
    let mut filters = Vec::new();
    if let Some(s) = f.status {
        filters.push(format!("{}={}", l.t("dash-query-status"), l.word(s)));
    }
    if let Some(s) = f.payment {
        filters.push(format!("{}={}", l.t("dash-query-payment"), l.word(s)));
    }
    if let Some(p) = f.provider {
        filters.push(format!("{}={}", l.t("dash-query-provider"), l.word(p)));
    }
    if !filters.is_empty() {
        spans.push(Span::styled(
            format!(
                "{}  ",
                tr!(l, "dash-query-filter", filters = filters.join(" "))
            ),
            theme.query,
        ));
    }
    let arrow = if sort.desc { "↓" } else { "↑" };
    spans.push(Span::styled(
        format!(
            "{} {arrow}  ",
            tr!(l, "dash-query-sort", col = l.t(sort.col.label_key()))
        ),
        theme.info,
    ));
    spans
}
