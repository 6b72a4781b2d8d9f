//! The Orphans view: the unresolved provider events that matched no
//! payment, newest first, a page at a time ([`App::orphans`], read by
//! keyset). One can be linked to an order (after typing its number in a
//! prompt) or dismissed.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Widget};

use crate::dash::actions::{confirm_dismiss, confirm_link};
use crate::dash::app::{App, Mode, Task, Tone, is_text, read_only_text};
use crate::dash::data::OrphanRow;
use crate::dash::detail::field;
use crate::dash::dialogs::{framed, popup};
use crate::dash::keys::KeyList;
use crate::dash::table::fit_width;
use crate::dash::table::{self, Cursor, Grid};
use crate::dash::theme::Theme;
use crate::dash::ui::opt;
use crate::i18n::{Lang, tr};

use super::hint;

/// The view's keys in the main view: `l` links the orphan (the prompt
/// first), `d` dismisses it.
pub fn keys(app: &mut App, ev: &KeyEvent) -> Option<Task> {
    let link = app.keys.link.matches(ev);
    if !link && !app.keys.dismiss.matches(ev) {
        return None;
    }
    if app.read_only {
        app.say(read_only_text(app.lang), Tone::Warn);
        return Some(Task::None);
    }
    match app.orphans.current() {
        Some(o) if link => {
            app.mode = Mode::Prompt {
                orphan: o.clone(),
                text: o.order_number.clone().unwrap_or_default(),
            }
        }
        Some(o) => app.mode = Mode::Confirm(confirm_dismiss(o, app.lang)),
        None => app.say(app.lang.t("dash-no-orphan"), Tone::Info),
    }
    Some(Task::None)
}

/// Typing the order number an orphan is linked to.
pub fn prompt_keys(app: &mut App, ev: &KeyEvent, orphan: OrphanRow, mut text: String) -> Task {
    let k = &app.keys;
    if k.close.matches(ev) {
        app.mode = Mode::Normal;
        return Task::None;
    }
    if k.search_keep.matches(ev) {
        let number = text.trim().to_owned();
        if number.is_empty() {
            app.say(app.lang.t("dash-type-number"), Tone::Info);
            app.mode = Mode::Prompt { orphan, text };
        } else {
            app.mode = Mode::Confirm(confirm_link(&orphan, &number, app.lang));
        }
        return Task::None;
    }
    if k.search_clear_line.matches(ev) {
        text.clear();
    } else if ev.code == KeyCode::Backspace {
        text.pop();
    } else if let Some(c) = is_text(ev) {
        text.push(c);
    }
    app.mode = Mode::Prompt { orphan, text };
    Task::None
}

/// Draws the prompt for the order number.
pub fn render_prompt(
    app: &App,
    orphan: &OrphanRow,
    text: &str,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let l = app.lang;
    let inner = framed(
        popup(area, 60, 6),
        buf,
        &tr!(l, "dash-link-prompt-title", id = orphan.id.to_string()),
        theme,
    );
    Paragraph::new(vec![
        Line::from(format!(" {} {}", orphan.provider, orphan.event_type)),
        Line::from(vec![
            Span::raw(format!(" {} ", l.t("dash-link-prompt-number"))),
            Span::styled(format!("{text}▏"), theme.query),
        ]),
        Line::default(),
        Line::from(Span::styled(
            format!(
                " {}",
                tr!(
                    l,
                    "dash-link-prompt-keys",
                    next = app.keys.search_keep.first(l),
                    cancel = app.keys.close.first(l)
                )
            ),
            theme.muted,
        )),
    ])
    .render(inner, buf);
}

/// The status line's hints.
pub fn hints(k: &KeyList, l: Lang) -> Vec<String> {
    vec![
        hint(k.open.first(l), "dash-hint-details", l),
        hint(k.link.first(l), "dash-hint-link", l),
        hint(k.dismiss.first(l), "dash-hint-dismiss", l),
    ]
}

/// The tab title's count: the open orphans.
pub fn tab_note(app: &App) -> String {
    format!(" ({})", app.lang.count(app.orphans_open))
}

/// The line above the table.
pub fn query(app: &App, theme: &Theme) -> Vec<Span<'static>> {
    vec![Span::styled(app.lang.t("dash-orphans-query"), theme.info)]
}

/// Draws the open orphans.
pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let l = app.lang;
    let header: Vec<String> = [
        "#",
        "dash-col-received",
        "dash-col-source",
        "dash-col-event",
        "dash-col-reference",
        "dash-col-amount",
        "dash-col-names-order",
    ]
    .iter()
    .map(|id| if *id == "#" { "#".to_owned() } else { l.t(id) })
    .collect();
    let widths = vec![
        Constraint::Length(6),
        Constraint::Length(16),
        Constraint::Length(fit_width(8, [&header[2]])),
        Constraint::Length(28),
        Constraint::Min(14),
        Constraint::Length(14),
        Constraint::Length(fit_width(11, [&header[6]])),
    ];
    let cursor = Cursor::Row(app.orphans.cursor);
    // The Reference column: a long one keeps its start and its end.
    let room = table::column_widths(&widths, area.width, cursor)
        .get(4)
        .map_or(usize::MAX, |w| usize::from(*w));
    let empty = l.t("dash-no-orphans");
    let grid = Grid {
        header,
        widths,
        rows: app.orphans.rows.iter().map(|o| row(app, o, room)).collect(),
        cursor,
        empty: &empty,
    };
    table::render(grid, area, buf, theme);
}

fn row<'a>(app: &App, o: &'a OrphanRow, room: usize) -> Row<'a> {
    Row::new(vec![
        Cell::from(o.id.to_string()),
        Cell::from(app.lang.stored(&o.received_at, &app.zone)),
        Cell::from(o.provider.as_str()),
        Cell::from(o.event_type.as_str()),
        Cell::from(table::middle_ellipsis(opt(&o.reference), room)),
        Cell::from(Line::from(opt(&o.amount)).alignment(Alignment::Right)),
        Cell::from(opt(&o.order_number)),
    ])
}

/// The detail pane of an orphan: its title and lines.
pub fn detail(o: &OrphanRow, l: Lang, theme: &Theme) -> (String, Vec<Line<'static>>) {
    (
        tr!(l, "dash-orphan-title", id = o.id.to_string()),
        vec![
            field(&l.t("dash-f-received"), o.received_at.clone(), theme),
            field(&l.t("dash-f-provider"), o.provider.clone(), theme),
            field(&l.t("dash-f-event"), o.event_type.clone(), theme),
            field(&l.t("dash-f-event-id"), o.event_id.clone(), theme),
            field(
                &l.t("dash-f-reference"),
                opt(&o.reference).to_owned(),
                theme,
            ),
            field(&l.t("dash-f-amount"), opt(&o.amount).to_owned(), theme),
            field(
                &l.t("dash-f-names-order"),
                opt(&o.order_number).to_owned(),
                theme,
            ),
            Line::default(),
            Line::from(format!(
                "  {}",
                tr!(l, "dash-orphan-how", id = o.id.to_string())
            )),
        ],
    )
}
