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
use crate::dash::table::{fit_width, words_width};
use crate::dash::theme::Theme;
use crate::dash::ui::opt;
use crate::domain::{LogResult, LogSource, SignatureCheck, webhook::EventState};
use crate::i18n::{Lang, Word, count, tr};

use super::hint;

/// A stored word of a closed set in `lang`; the text itself when it is
/// not one.
pub fn stored_word<W: Word + std::str::FromStr>(lang: Lang, text: &str) -> String {
    text.parse::<W>()
        .map_or_else(|_| text.to_owned(), |w| lang.word(w))
}

/// The view's keys in the main view: `r` replays the delivery.
pub fn keys(app: &mut App, ev: &KeyEvent) -> Option<Task> {
    if !app.keys.replay.matches(ev) {
        return None;
    }
    if app.read_only {
        app.say(read_only_text(app.lang), Tone::Warn);
        return Some(Task::None);
    }
    match app.webhooks.current() {
        Some(w) => app.mode = Mode::Confirm(confirm_replay(w, app.lang)),
        None => app.say(app.lang.t("dash-no-delivery"), Tone::Info),
    }
    Some(Task::None)
}

/// The status line's hints.
pub fn hints(k: &KeyList, l: Lang) -> Vec<String> {
    vec![
        hint(k.open.first(l), "dash-hint-details", l),
        hint(k.replay.first(l), "dash-hint-replay", l),
    ]
}

/// The tab title's count: failed events, when there are any.
pub fn tab_note(app: &App) -> String {
    if app.webhooks_failed > 0 {
        format!(
            " ({})",
            tr!(app.lang, "dash-tab-failed", n = count(app.webhooks_failed))
        )
    } else {
        String::new()
    }
}

/// The line above the table.
pub fn query(app: &App, theme: &Theme) -> Vec<Span<'static>> {
    vec![Span::styled(app.lang.t("dash-webhooks-query"), theme.info)]
}

/// Draws the log.
pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let l = app.lang;
    let header: Vec<String> = [
        "",
        "#",
        "dash-col-received",
        "dash-col-source",
        "dash-col-log-source",
        "dash-col-event",
        "dash-col-result",
        "HTTP",
        "dash-col-order",
        "dash-col-error",
    ]
    .iter()
    .map(|id| match *id {
        "" | "#" | "HTTP" => (*id).to_owned(),
        _ => l.t(id),
    })
    .collect();
    let widths = vec![
        Constraint::Length(1),
        Constraint::Length(6),
        Constraint::Length(16),
        Constraint::Length(fit_width(8, [&header[3]])),
        Constraint::Length(fit_width(words_width::<LogSource>(l, 7), [&header[4]])),
        Constraint::Length(30),
        Constraint::Length(fit_width(words_width::<LogResult>(l, 9), [&header[6]])),
        Constraint::Length(4),
        Constraint::Length(fit_width(11, [&header[8]])),
        Constraint::Min(10),
    ];
    let empty = l.t("dash-no-deliveries");
    let grid = Grid {
        header,
        widths,
        rows: app
            .webhooks
            .rows
            .iter()
            .map(|w| row(app, w, theme))
            .collect(),
        cursor: Cursor::Row(app.webhooks.cursor),
        empty: &empty,
    };
    table::render(grid, area, buf, theme);
}

fn row<'a>(app: &App, w: &'a WebhookRow, theme: &Theme) -> Row<'a> {
    let failed = w.failed();
    Row::new(vec![
        Cell::from(if failed { "✗" } else { " " }),
        Cell::from(w.id.to_string()),
        Cell::from(app.lang.stored(&w.received_at, &app.zone)),
        Cell::from(opt(&w.provider)),
        Cell::from(stored_word::<LogSource>(app.lang, &w.source)),
        Cell::from(opt(&w.event_type)),
        Cell::from(stored_word::<LogResult>(app.lang, &w.result)),
        Cell::from(w.http_status.to_string()),
        Cell::from(opt(&w.order_number)),
        Cell::from(w.error.as_deref().unwrap_or("")),
    ])
    .style(if failed { theme.failed } else { Style::new() })
}

/// The detail pane of a delivery: its title and lines.
pub fn detail(w: &WebhookRow, l: Lang, theme: &Theme) -> (String, Vec<Line<'static>>) {
    let state = w
        .event_state
        .as_deref()
        .map_or_else(|| "—".to_owned(), stored_word_of::<EventState>(l));
    (
        tr!(l, "dash-delivery-title", id = w.id.to_string()),
        vec![
            field(&l.t("dash-f-received"), w.received_at.clone(), theme),
            field(&l.t("dash-f-provider"), opt(&w.provider).to_owned(), theme),
            field(
                &l.t("dash-f-source"),
                stored_word::<LogSource>(l, &w.source),
                theme,
            ),
            field(&l.t("dash-f-event"), opt(&w.event_type).to_owned(), theme),
            field(&l.t("dash-f-event-id"), opt(&w.event_id).to_owned(), theme),
            field(
                &l.t("dash-f-signature"),
                stored_word::<SignatureCheck>(l, &w.signature),
                theme,
            ),
            field(
                &l.t("dash-f-result"),
                stored_word::<LogResult>(l, &w.result),
                theme,
            ),
            field(&l.t("dash-f-event-state"), state, theme),
            field(&l.t("dash-f-http"), w.http_status.to_string(), theme),
            field(&l.t("dash-f-order"), opt(&w.order_number).to_owned(), theme),
            field(
                &l.t("dash-f-error"),
                w.error.clone().unwrap_or_else(|| "—".into()),
                theme,
            ),
            field(
                &l.t("dash-f-replayable"),
                if w.replayable {
                    tr!(l, "dash-replayable-yes", id = w.id.to_string())
                } else {
                    l.t("dash-replayable-no")
                },
                theme,
            ),
        ],
    )
}

/// [`stored_word`] as a function of the text.
fn stored_word_of<W: Word + std::str::FromStr>(l: Lang) -> impl Fn(&str) -> String {
    move |text| stored_word::<W>(l, text)
}
