//! The help screen (`?`): every key binding, grouped, drawn from the same
//! [`KeyList`](super::keys::KeyList) the key handler reads, so it can never
//! disagree with what the keys do.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::app::{App, Mode, Task, scrolled};
use super::dialogs::{framed, popup};
use super::keys::Group;
use super::theme::Theme;

/// The screen's keys: scroll; `Esc`, `?` or `q` closes it.
pub fn keys(app: &mut App, ev: &KeyEvent, scroll: u16) -> Task {
    let k = &app.keys;
    if k.close.matches(ev) || k.help.matches(ev) || k.quit.matches(ev) {
        app.mode = Mode::Normal;
    } else if let Some(s) = scrolled(app, ev, scroll) {
        app.mode = Mode::Help { scroll: s };
    }
    Task::None
}

/// Draws the key table, group by group.
pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme, scroll: u16) {
    let l = app.lang;
    let inner = framed(
        popup(area, 96, area.height.saturating_sub(2)),
        buf,
        &l.t("dash-help-title"),
        theme,
    );
    let entries = app.keys.entries();
    let mut lines: Vec<Line> = Vec::new();
    for group in Group::ALL {
        let of: Vec<_> = entries.iter().filter(|b| b.group == group).collect();
        if of.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(l.t(group.title()), theme.group)));
        for b in of {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<22}", b.label(l)), theme.key),
                Span::raw(l.t(b.help)),
            ]));
        }
    }
    Paragraph::new(lines).scroll((scroll, 0)).render(inner, buf);
}
