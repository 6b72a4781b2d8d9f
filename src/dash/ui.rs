//! Drawing the dashboard's frame: `impl Widget for &App`. The chrome is
//! drawn here (title, tabs, the query line's marks, the status line); the
//! table is the current view's ([`super::views`]) and the overlay is its
//! dialog's ([`super::dialogs`], [`super::detail`], [`super::help`]).
//!
//! Rendering reads the state and nothing else: no database, no clock, so a
//! frame is a pure function of [`App`] and the area, and snapshot tests draw
//! it into a `TestBackend`. A terminal smaller than [`MIN_WIDTH`] ×
//! [`MIN_HEIGHT`] gets a "terminal too small" message instead of a layout.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs, Widget, Wrap};

use super::app::{App, Mode, RangeAnchor, Tone};
use super::theme::Theme;
use super::views::{self, find, orphans};
use super::{detail, dialogs, help};
use crate::domain::Timestamp;
use crate::i18n::tr;

/// The smallest terminal the layout needs.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 10;

/// Lines above and below the table: title, tabs, query line, table header,
/// status line.
const CHROME: u16 = 5;

/// How many rows the table shows in a terminal of this size.
pub fn table_height(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(CHROME)).max(1)
}

/// `1234567` → `"1,234,567"`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A timestamp to the minute.
pub fn date(ts: Timestamp) -> String {
    ts.format("%Y-%m-%d %H:%M").to_string()
}

/// A timestamp's day alone, where a column has no room for its time.
pub fn day(ts: Timestamp) -> String {
    ts.format("%Y-%m-%d").to_string()
}

/// A stored timestamp text, shortened to the minute.
pub fn short_ts(text: &str) -> String {
    text.chars()
        .take(16)
        .map(|c| if c == 'T' { ' ' } else { c })
        .collect()
}

/// An optional text, or `—`.
pub fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("—")
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = Theme::default();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            render_too_small(self, area, buf, &theme);
            return;
        }
        let [title, tabs, query, table, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(2),
            Constraint::Length(1),
        ])
        .areas(area);
        render_title(self, title, buf, &theme);
        render_tabs(self, tabs, buf, &theme);
        render_query(self, query, buf, &theme);
        views::render(self, table, buf, &theme);
        render_status(self, status, buf, &theme);
        render_overlay(self, area, buf, &theme);
    }
}

fn render_too_small(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let text = tr!(
        app.lang,
        "dash-too-small",
        width = area.width.to_string(),
        height = area.height.to_string(),
        min_width = MIN_WIDTH.to_string(),
        min_height = MIN_HEIGHT.to_string()
    );
    Paragraph::new(text)
        .style(theme.warn)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn render_title(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let l = app.lang;
    let mut left = tr!(
        l,
        "dash-title",
        db = app.db_name.as_str(),
        actor = app.actor.as_str()
    );
    left.insert(0, ' ');
    if app.read_only {
        left.push_str(&format!(" · {}", l.t("dash-title-read-only")));
    }
    // Which zone the dates on screen are in, always (UTC when TZ is unset).
    left.push_str(&format!(
        " · {}",
        tr!(l, "dash-title-zone", zone = app.zone.name())
    ));
    if let Some(note) = super::sync::title_note(app) {
        left.push_str(" · ");
        left.push_str(&note);
    }
    let right = format!(
        "{} · {} ",
        super::views::hint(app.keys.help.first(l), "dash-hint-help", l),
        super::views::hint(app.keys.quit.first(l), "dash-hint-quit", l)
    );
    // When both do not fit, the left part gives way: the hints stay whole.
    let room = usize::from(area.width).saturating_sub(right.chars().count());
    if left.chars().count() > room {
        left = left.chars().take(room.saturating_sub(2)).collect();
        left.push_str("… ");
    }
    let pad = usize::from(area.width).saturating_sub(left.chars().count() + right.chars().count());
    Line::from(format!("{left}{}{right}", " ".repeat(pad)))
        .style(theme.title)
        .render(area, buf);
}

fn render_tabs(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let titles: Vec<Line> = app
        .views()
        .iter()
        .map(|v| Line::from(views::tab_title(app, *v)))
        .collect();
    Tabs::new(titles)
        .select(app.view.index())
        .style(theme.tab)
        .highlight_style(theme.tab_active)
        .divider("│")
        .render(area, buf);
}

/// The line above the table: the view's account of what it shows, then
/// the marks and a started range.
fn render_query(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut spans = views::query(app, theme);
    let marked = app.marked();
    if marked > 0 {
        spans.push(Span::styled(
            format!(
                "  ● {}",
                tr!(
                    app.lang,
                    "dash-query-marked",
                    n = crate::i18n::count(marked)
                )
            ),
            theme.marked,
        ));
    }
    if let Some(r) = &app.range {
        let from = match r {
            RangeAnchor::List { number, .. } => number.clone(),
            RangeAnchor::Findings(_) => app.lang.t("dash-range-here"),
        };
        spans.push(Span::styled(
            format!("  {}", tr!(app.lang, "dash-query-range", from = from)),
            theme.marked,
        ));
    }
    Line::from(spans).render(area, buf);
}

fn render_status(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let (text, style) = match &app.status {
        Some((t, Tone::Info)) => (t.clone(), theme.info),
        Some((t, Tone::Warn)) => (t.clone(), theme.warn),
        Some((t, Tone::Error)) => (t.clone(), theme.error),
        None => {
            let hints = if app.mode == Mode::Search {
                find::search_hints(&app.keys, app.lang)
            } else {
                views::hints(app)
            };
            (format!(" {}", hints.join(" · ")), theme.muted)
        }
    };
    Line::from(Span::styled(text, style)).render(area, buf);
    if app.trace {
        Line::from(format!("#{} ", app.keys_handled))
            .alignment(Alignment::Right)
            .render(area, buf);
    }
}

/// The overlay of the current mode, if any.
fn render_overlay(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    match &app.mode {
        Mode::Normal | Mode::Search => {}
        Mode::Help { scroll } => help::render(app, area, buf, theme, *scroll),
        Mode::Detail { detail, scroll } => detail::render(app, detail, area, buf, theme, *scroll),
        Mode::Confirm(c) => dialogs::render_confirm(app, c, area, buf, theme),
        Mode::Working { title, done, total } => {
            dialogs::render_working(app, title, *done, *total, area, buf, theme)
        }
        Mode::Summary { summary, scroll } => {
            dialogs::render_summary(app, summary, area, buf, theme, *scroll)
        }
        Mode::Filter { row } => find::render_filter(app, *row, area, buf, theme),
        Mode::Prompt { orphan, text } => {
            orphans::render_prompt(app, orphan, text, area, buf, theme)
        }
        Mode::Choose {
            what,
            cursor,
            targets,
        } => dialogs::render_choose(app, *what, *cursor, targets.orders.len(), area, buf, theme),
    }
}
