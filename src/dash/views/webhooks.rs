//! The Webhooks view: the webhook log, newest first, a page at a time
//! ([`App::webhooks`], read by keyset), with where each row came from (the
//! listener, a replay, `tally sync`); `✗` marks failed deliveries, and a
//! delivery can be replayed from here.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use crate::dash::actions::confirm_replay;
use crate::dash::app::{App, Mode, Task, Tone, read_only_text};
use crate::dash::data::WebhookRow;
use crate::dash::detail::field;
use crate::dash::keys::KeyList;
use crate::dash::table::{self, Cursor, Grid};
use crate::dash::theme::Theme;
use crate::dash::ui::{opt, short_ts, thousands};

/// The view's keys in the main view: `r` replays the delivery.
pub fn keys(app: &mut App, ev: &KeyEvent) -> Option<Task> {
    if !app.keys.replay.matches(ev) {
        return None;
    }
    if app.read_only {
        app.say(read_only_text(), Tone::Warn);
        return Some(Task::None);
    }
    match app.webhooks.current() {
        Some(w) => app.mode = Mode::Confirm(confirm_replay(w)),
        None => app.say("no webhook delivery here", Tone::Info),
    }
    Some(Task::None)
}

/// The status line's hints.
pub fn hints(k: &KeyList) -> Vec<String> {
    vec![
        format!("{} details", k.open.first()),
        format!("{} replay", k.replay.first()),
    ]
}

/// The tab title's count: failed events, when there are any.
pub fn tab_note(app: &App) -> String {
    if app.webhooks_failed > 0 {
        format!(" ({} failed)", thousands(app.webhooks_failed))
    } else {
        String::new()
    }
}

/// The line above the table.
pub fn query(theme: &Theme) -> Vec<Span<'static>> {
    vec![Span::styled(
        "webhook log, newest first; ✗ failed",
        theme.info,
    )]
}

/// Draws the log.
pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let grid = Grid {
        header: &[
            "", "#", "Received", "Provider", "Source", "Event", "Result", "HTTP", "Order", "Error",
        ],
        widths: vec![
            Constraint::Length(1),
            Constraint::Length(6),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Length(30),
            Constraint::Length(9),
            Constraint::Length(4),
            Constraint::Length(11),
            Constraint::Min(10),
        ],
        rows: app.webhooks.rows.iter().map(|w| row(w, theme)).collect(),
        cursor: Cursor::Row(app.webhooks.cursor),
        empty: "no webhook deliveries yet",
    };
    table::render(grid, area, buf, theme);
}

fn row<'a>(w: &'a WebhookRow, theme: &Theme) -> Row<'a> {
    let failed = w.failed();
    Row::new(vec![
        Cell::from(if failed { "✗" } else { " " }),
        Cell::from(w.id.to_string()),
        Cell::from(short_ts(&w.received_at)),
        Cell::from(opt(&w.provider)),
        Cell::from(w.source.as_str()),
        Cell::from(opt(&w.event_type)),
        Cell::from(w.result.as_str()),
        Cell::from(w.http_status.to_string()),
        Cell::from(opt(&w.order_number)),
        Cell::from(w.error.as_deref().unwrap_or("")),
    ])
    .style(if failed { theme.failed } else { Style::new() })
}

/// The detail pane of a delivery: its title and lines.
pub fn detail(w: &WebhookRow, theme: &Theme) -> (String, Vec<Line<'static>>) {
    (
        format!("Webhook delivery #{}", w.id),
        vec![
            field("received", w.received_at.clone(), theme),
            field("provider", opt(&w.provider).to_owned(), theme),
            field("source", w.source.clone(), theme),
            field("event", opt(&w.event_type).to_owned(), theme),
            field("event id", opt(&w.event_id).to_owned(), theme),
            field("signature", w.signature.clone(), theme),
            field("result", w.result.clone(), theme),
            field("event state", opt(&w.event_state).to_owned(), theme),
            field("HTTP status", w.http_status.to_string(), theme),
            field("order", opt(&w.order_number).to_owned(), theme),
            field(
                "error",
                w.error.clone().unwrap_or_else(|| "—".into()),
                theme,
            ),
            field(
                "replayable",
                if w.replayable {
                    format!("yes: `tally webhooks replay {}`", w.id)
                } else {
                    "no (no verified body kept)".to_owned()
                },
                theme,
            ),
        ],
    )
}
