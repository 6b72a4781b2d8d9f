//! The dashboard's styles, in one place: every view and dialog draws with
//! a [`Theme`], never with a colour of its own.

use ratatui::style::{Color, Modifier, Style};

/// The dashboard's styles.
pub struct Theme {
    pub title: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub query: Style,
    pub header: Style,
    pub selected: Style,
    pub marked: Style,
    pub flagged: Style,
    pub failed: Style,
    pub muted: Style,
    pub group: Style,
    pub info: Style,
    pub warn: Style,
    pub error: Style,
    pub border: Style,
    pub key: Style,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme {
            title: Style::new().fg(Color::Black).bg(Color::Cyan),
            tab: Style::new().fg(Color::Gray),
            tab_active: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            query: Style::new().fg(Color::White),
            header: Style::new()
                .add_modifier(Modifier::BOLD)
                .add_modifier(Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            marked: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
            flagged: Style::new().fg(Color::Yellow),
            failed: Style::new().fg(Color::Red),
            muted: Style::new().fg(Color::DarkGray),
            group: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            info: Style::new().fg(Color::Gray),
            warn: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Cyan),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        }
    }
}
