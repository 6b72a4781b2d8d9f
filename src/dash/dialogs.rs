//! The dialogs around an action, their keys and their drawing: the status
//! chooser (`p`, `s`), the confirmation, the progress of a running action,
//! and its summary. Also the frame every overlay is drawn in ([`popup`],
//! [`framed`]).
//!
//! An action always goes chooser (for a status) → confirmation → working →
//! summary; only the confirmation's `y` runs anything ([`Task::Run`]).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget, Wrap};

use super::actions::{Action, Confirm, Summary, Targets};
use super::app::{App, Mode, Task, Tone, scrolled};
use super::detail::heading;
use super::theme::Theme;
use crate::domain::{OrderPaymentStatus, PaymentStatus};
use crate::i18n::{Lang, tr};

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

    pub fn title(self, lang: Lang) -> String {
        lang.t(match self {
            ChooseFor::OrderPayment => "dash-choose-order-payment",
            ChooseFor::Payment => "dash-choose-payment",
        })
    }

    /// The status words in `lang`, in the order of [`ChooseFor::words`].
    pub fn shown(self, lang: Lang) -> Vec<String> {
        match self {
            ChooseFor::OrderPayment => OrderPaymentStatus::ALL
                .iter()
                .map(|s| lang.word(*s))
                .collect(),
            ChooseFor::Payment => PaymentStatus::ALL.iter().map(|s| lang.word(*s)).collect(),
        }
    }
}

/// The chooser: `↑`/`↓` and `y`, or the status's number.
pub fn choose_keys(
    app: &mut App,
    ev: &KeyEvent,
    what: ChooseFor,
    cursor: usize,
    targets: Targets,
) -> Task {
    let k = &app.keys;
    let n = what.words().len();
    let pick = |i: usize, app: &mut App, targets: Targets| match what.action(i) {
        Some(a) => {
            app.mode = Mode::Normal;
            Task::Prepare(a, targets)
        }
        None => Task::None,
    };
    if k.decline.matches(ev) {
        app.mode = Mode::Normal;
        return Task::None;
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
    Task::None
}

/// The confirmation: `y` runs the action, `n` declines; other keys wait.
pub fn confirm_keys(app: &mut App, ev: &KeyEvent, c: Confirm) -> Task {
    if c.refund_offer.is_some() && app.keys.and_refund.matches(ev) {
        // The cancel's offer taken: cancel and refund the same orders.
        let c = Confirm {
            action: Action::CancelRefund,
            title: format!("{} and refund them", c.title),
            refund_offer: None,
            ..c
        };
        app.mode = Mode::Working {
            title: c.title.clone(),
            done: 0,
            total: c.targets.len(),
        };
        Task::Run(c)
    } else if app.keys.confirm.matches(ev) {
        app.mode = Mode::Working {
            title: c.title.clone(),
            done: 0,
            total: c.targets.len(),
        };
        Task::Run(c)
    } else if app.keys.decline.matches(ev) {
        app.mode = Mode::Normal;
        app.say(app.lang.t("dash-declined"), Tone::Info);
        Task::None
    } else {
        Task::None
    }
}

/// While an action runs, keys only say so (Ctrl-c still quits).
pub fn working_keys(app: &mut App) -> Task {
    app.say(app.lang.t("dash-working-keys"), Tone::Info);
    Task::None
}

/// The summary: scrolls; `Esc`, `Enter` or `q` closes it.
pub fn summary_keys(app: &mut App, ev: &KeyEvent, summary: Summary, scroll: u16) -> Task {
    let k = &app.keys;
    if k.close.matches(ev) || k.confirm.matches(ev) || k.quit.matches(ev) {
        app.mode = Mode::Normal;
    } else if let Some(s) = scrolled(app, ev, scroll) {
        app.mode = Mode::Summary { summary, scroll: s };
    }
    Task::None
}

/// How many rows `lines` take when wrapped at `width` (about: by words).
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    lines
        .iter()
        .map(|l| {
            let mut rows = 1;
            let mut col = 0;
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            for word in text.split(' ') {
                let w = word.chars().count();
                if col > 0 && col + 1 + w > width {
                    rows += 1;
                    col = w;
                } else {
                    col += if col > 0 { 1 + w } else { w };
                }
                while col > width {
                    rows += 1;
                    col -= width;
                }
            }
            rows
        })
        .sum::<usize>()
        .try_into()
        .unwrap_or(u16::MAX)
}

/// A centred rectangle of at most `w` × `h` cells.
pub fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2));
    let h = h.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears `area`, draws a titled frame around it, returns its inside.
pub fn framed(area: Rect, buf: &mut Buffer, title: &str, theme: &Theme) -> Rect {
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.group));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

pub fn render_confirm(app: &App, c: &Confirm, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut lines: Vec<Line> = c.lines.iter().map(|l| Line::from(l.clone())).collect();
    if !c.warnings.is_empty() {
        lines.push(Line::default());
        for w in &c.warnings {
            lines.push(Line::from(Span::styled(format!("⚠ {w}"), theme.warn)));
        }
    }
    let l = app.lang;
    lines.push(Line::default());
    lines.push(Line::from(tr!(
        l,
        "dash-audited-as",
        actor = app.actor.as_str()
    )));
    lines.push(Line::default());
    let mut keys = vec![
        Span::styled(app.keys.confirm.label(l), theme.key),
        Span::raw(format!(" {}    ", l.t("key-confirm"))),
        Span::styled(app.keys.decline.label(l), theme.key),
        Span::raw(format!(" {}", l.t("key-decline"))),
    ];
    if let Some(offer) = &c.refund_offer {
        keys.push(Span::raw("    "));
        keys.push(Span::styled(app.keys.and_refund.label(l), theme.key));
        keys.push(Span::raw(format!(
            " {}",
            tr!(l, "dash-cancel-and-refund", offer = offer.as_str())
        )));
    }
    lines.push(Line::from(keys));
    let width = 90.min(area.width.saturating_sub(2));
    let height = wrapped_height(&lines, width.saturating_sub(2)) + 2;
    let inner = framed(popup(area, width, height), buf, &c.title, theme);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

pub fn render_working(
    app: &App,
    title: &str,
    done: usize,
    total: usize,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let inner = framed(popup(area, 50, 5), buf, title, theme);
    Paragraph::new(tr!(app.lang, "dash-working", done = done, total = total))
        .alignment(Alignment::Center)
        .render(inner, buf);
}

pub fn render_summary(
    app: &App,
    s: &Summary,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    scroll: u16,
) {
    let l = app.lang;
    let mut lines: Vec<Line> = vec![heading(
        tr!(l, "dash-summary-done", n = s.done.len()),
        theme,
    )];
    for (n, what) in &s.done {
        lines.push(Line::from(format!("  {n:<11} {what}")));
    }
    lines.push(Line::default());
    lines.push(heading(
        tr!(l, "dash-summary-skipped", n = s.skipped.len()),
        theme,
    ));
    for (n, why) in &s.skipped {
        lines.push(Line::from(Span::styled(
            format!("  {n:<11} {why}"),
            theme.warn,
        )));
    }
    if !s.warnings.is_empty() {
        lines.push(Line::default());
        lines.push(heading(l.t("dash-summary-todo"), theme));
        for w in &s.warnings {
            lines.push(Line::from(Span::styled(format!("⚠ {w}"), theme.warn)));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled(app.keys.close.label(l), theme.key),
        Span::raw(format!(" {}", l.t("dash-close"))),
    ]));
    let width = 96.min(area.width.saturating_sub(2));
    let height = wrapped_height(&lines, width.saturating_sub(2)) + 2;
    let inner = framed(popup(area, width, height), buf, &s.title, theme);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(inner, buf);
}

pub fn render_choose(
    app: &App,
    what: ChooseFor,
    cursor: usize,
    n: usize,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let l = app.lang;
    let mut lines: Vec<Line> = vec![Line::from(format!(" {}", tr!(l, "dash-choose-for", n = n)))];
    for (i, word) in what.shown(l).iter().enumerate() {
        let line = Line::from(format!(" {}  {word}", i + 1));
        lines.push(if i == cursor {
            line.style(theme.selected)
        } else {
            line
        });
    }
    lines.push(Line::from(Span::styled(
        format!(
            " {}",
            tr!(
                l,
                "dash-choose-keys",
                pick = app.keys.confirm.label(l),
                cancel = app.keys.decline.label(l)
            )
        ),
        theme.muted,
    )));
    let height = lines.len() as u16 + 2;
    let title = what.title(l);
    let width = lines
        .iter()
        .map(|line| line.width() as u16 + 2)
        .chain([super::table::text_width(&title) + 4])
        .fold(46, u16::max);
    let inner = framed(popup(area, width, height), buf, &title, theme);
    Paragraph::new(Text::from(lines)).render(inner, buf);
}
