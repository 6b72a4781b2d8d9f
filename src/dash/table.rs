//! The one table renderer every view draws with: a header, the rows, the
//! cursor, and a line saying why there is nothing when there is nothing.
//!
//! The views build the rows (they know their columns); this draws them the
//! same way everywhere: the header in [`Theme::header`], a `▶` column for
//! the cursor, the row under it in [`Theme::selected`], one space between
//! columns. A view whose rows draw their own pointer (the Findings, whose
//! group headers start in the pointer column) asks for no pointer column.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::widgets::{
    Cell, HighlightSpacing, Paragraph, Row, StatefulWidget, Table, TableState, Widget,
};

use super::theme::Theme;

/// How the cursor is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The table draws `▶` at this row, in a column of its own.
    Row(usize),
    /// The rows draw their own pointer; the table shows them from `offset`.
    Drawn { offset: usize },
}

/// A table to draw.
pub struct Grid<'a> {
    pub header: &'a [&'a str],
    pub widths: Vec<Constraint>,
    pub rows: Vec<Row<'a>>,
    pub cursor: Cursor,
    /// Said under the header when there are no rows.
    pub empty: &'a str,
}

/// Draws a table; without rows, its header and why it is empty.
pub fn render(grid: Grid<'_>, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let header = Row::new(grid.header.iter().map(|h| Cell::from(*h))).style(theme.header);
    let table = Table::default()
        .widths(grid.widths)
        .header(header)
        .column_spacing(1);
    let table = match grid.cursor {
        Cursor::Row(_) => table
            .row_highlight_style(theme.selected)
            .highlight_symbol("▶")
            .highlight_spacing(HighlightSpacing::Always),
        Cursor::Drawn { .. } => table.highlight_spacing(HighlightSpacing::Never),
    };
    if grid.rows.is_empty() {
        let [h, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        StatefulWidget::render(table, h, buf, &mut TableState::default());
        empty(rest, buf, grid.empty, theme);
        return;
    }
    let mut state = match grid.cursor {
        Cursor::Row(cursor) => TableState::default().with_selected(Some(cursor)),
        Cursor::Drawn { offset } => TableState::default().with_offset(offset),
    };
    StatefulWidget::render(table.rows(grid.rows), area, buf, &mut state);
}

/// A muted, centred line in place of rows.
pub fn empty(area: Rect, buf: &mut Buffer, text: &str, theme: &Theme) {
    Paragraph::new(text)
        .style(theme.muted)
        .alignment(Alignment::Center)
        .render(area, buf);
}
