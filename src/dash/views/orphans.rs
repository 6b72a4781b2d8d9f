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
use crate::dash::table::{self, Cursor, Grid};
use crate::dash::theme::Theme;
use crate::dash::ui::{opt, short_ts, thousands};

/// The view's keys in the main view: `l` links the orphan (the prompt
/// first), `d` dismisses it.
pub fn keys(app: &mut App, ev: &KeyEvent) -> Option<Task> {
    let link = app.keys.link.matches(ev);
    if !link && !app.keys.dismiss.matches(ev) {
        return None;
    }
    if app.read_only {
        app.say(read_only_text(), Tone::Warn);
        return Some(Task::None);
    }
    match app.orphans.current() {
        Some(o) if link => {
            app.mode = Mode::Prompt {
                orphan: o.clone(),
                text: o.order_number.clone().unwrap_or_default(),
            }
        }
        Some(o) => app.mode = Mode::Confirm(confirm_dismiss(o)),
        None => app.say("no orphan here", Tone::Info),
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
            app.say("type the order number to link to", Tone::Info);
            app.mode = Mode::Prompt { orphan, text };
        } else {
            app.mode = Mode::Confirm(confirm_link(&orphan, &number));
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
    let inner = framed(
        popup(area, 60, 6),
        buf,
        &format!("Link orphan #{} to an order", orphan.id),
        theme,
    );
    Paragraph::new(vec![
        Line::from(format!(" {} {}", orphan.provider, orphan.event_type)),
        Line::from(vec![
            Span::raw(" order number: "),
            Span::styled(format!("{text}▏"), theme.query),
        ]),
        Line::default(),
        Line::from(Span::styled(
            format!(
                " {} next (a confirmation) · {} cancel",
                app.keys.search_keep.first(),
                app.keys.close.first()
            ),
            theme.muted,
        )),
    ])
    .render(inner, buf);
}

/// The status line's hints.
pub fn hints(k: &KeyList) -> Vec<String> {
    vec![
        format!("{} details", k.open.first()),
        format!("{} link", k.link.first()),
        format!("{} dismiss", k.dismiss.first()),
    ]
}

/// The tab title's count: the open orphans.
pub fn tab_note(app: &App) -> String {
    format!(" ({})", thousands(app.orphans_open))
}

/// The line above the table.
pub fn query(theme: &Theme) -> Vec<Span<'static>> {
    vec![Span::styled(
        "unresolved provider events, newest first",
        theme.info,
    )]
}

/// Draws the open orphans.
pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let widths = vec![
        Constraint::Length(6),
        Constraint::Length(16),
        Constraint::Length(8),
        Constraint::Length(28),
        Constraint::Min(14),
        Constraint::Length(14),
        Constraint::Length(11),
    ];
    let cursor = Cursor::Row(app.orphans.cursor);
    // The Reference column: a long one keeps its start and its end.
    let room = table::column_widths(&widths, area.width, cursor)
        .get(4)
        .map_or(usize::MAX, |w| usize::from(*w));
    let grid = Grid {
        header: &[
            "#",
            "Received",
            "Provider",
            "Event",
            "Reference",
            "Amount",
            "Names order",
        ],
        widths,
        rows: app.orphans.rows.iter().map(|o| row(o, room)).collect(),
        cursor,
        empty: "no unresolved provider events",
    };
    table::render(grid, area, buf, theme);
}

fn row(o: &OrphanRow, room: usize) -> Row<'_> {
    Row::new(vec![
        Cell::from(o.id.to_string()),
        Cell::from(short_ts(&o.received_at)),
        Cell::from(o.provider.as_str()),
        Cell::from(o.event_type.as_str()),
        Cell::from(table::middle_ellipsis(opt(&o.reference), room)),
        Cell::from(Line::from(opt(&o.amount)).alignment(Alignment::Right)),
        Cell::from(opt(&o.order_number)),
    ])
}

/// The detail pane of an orphan: its title and lines.
pub fn detail(o: &OrphanRow, theme: &Theme) -> (String, Vec<Line<'static>>) {
    (
        format!("Orphan #{}", o.id),
        vec![
            field("received", o.received_at.clone(), theme),
            field("provider", o.provider.clone(), theme),
            field("event", o.event_type.clone(), theme),
            field("event id", o.event_id.clone(), theme),
            field("reference", opt(&o.reference).to_owned(), theme),
            field("amount", opt(&o.amount).to_owned(), theme),
            field("names order", opt(&o.order_number).to_owned(), theme),
            Line::default(),
            Line::from(format!(
                "  link it: `tally orphans link {} ORDER`; dismiss it: `tally orphans dismiss {}`",
                o.id, o.id
            )),
        ],
    )
}
