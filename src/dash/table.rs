//! The one table renderer every view draws with: a header, the rows, the
//! cursor, and a line saying why there is nothing when there is nothing.
//!
//! The views build the rows (they know their columns); this draws them the
//! same way everywhere: the header in [`Theme::header`], a `▶` column for
//! the cursor, the row under it in [`Theme::selected`], one space between
//! columns. A view whose rows draw their own pointer (the Findings, whose
//! group headers start in the pointer column) asks for no pointer column.
//!
//! A cell never wraps: text wider than its column is cut. For references
//! (`pi_3demo0000001199`), whose start is shared and whose end tells them
//! apart, a view asks [`column_widths`] what each column will get and fits
//! the text with [`middle_ellipsis`] (`pi_3d…1199`) before drawing.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Flex, Layout, Rect};
use ratatui::text::Span;
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
    pub header: Vec<String>,
    pub widths: Vec<Constraint>,
    pub rows: Vec<Row<'a>>,
    pub cursor: Cursor,
    /// Said under the header when there are no rows.
    pub empty: &'a str,
}

/// The pointer drawn by the table at the cursor's row.
const POINTER: &str = "▶";

/// Columns are this far apart.
const SPACING: u16 = 1;

/// The width each column gets when a table of `widths` is drawn by
/// [`render`] `width` cells wide: the table's own layout (flex from the
/// start, one space apart, after the pointer column when it has one).
pub fn column_widths(widths: &[Constraint], width: u16, cursor: Cursor) -> Vec<u16> {
    let pointer = match cursor {
        Cursor::Row(_) => Span::raw(POINTER).width() as u16,
        Cursor::Drawn { .. } => 0,
    };
    let area = Rect::new(0, 0, width.saturating_sub(pointer), 1);
    Layout::horizontal(widths.iter().copied())
        .flex(Flex::Start)
        .spacing(SPACING)
        .split(area)
        .iter()
        .map(|r| r.width)
        .collect()
}

/// How many cells a text takes on screen.
pub fn text_width(text: &str) -> u16 {
    u16::try_from(Span::raw(text).width()).unwrap_or(u16::MAX)
}

/// A column's width: at least `floor` (what the English words need), and
/// room for the widest of `texts` (a language's longer words).
pub fn fit_width<S: AsRef<str>>(floor: u16, texts: impl IntoIterator<Item = S>) -> u16 {
    texts
        .into_iter()
        .map(|t| text_width(t.as_ref()))
        .fold(floor, u16::max)
}

/// The widest word of a closed set in `lang`, at least `floor`.
pub fn words_width<W: crate::i18n::Word>(lang: crate::i18n::Lang, floor: u16) -> u16 {
    fit_width(floor, W::all().iter().map(|w| lang.word(*w)))
}

/// How many cells a character takes on screen.
fn char_width(c: char) -> usize {
    let mut utf8 = [0; 4];
    Span::raw(&*c.encode_utf8(&mut utf8)).width()
}

/// `text` fitted in `width` cells: as it is when it fits, else its start
/// and its end with `…` between (`pi_3d…1199`), the start taking the odd
/// cell. Cuts between characters only, never inside one.
pub fn middle_ellipsis(text: &str, width: usize) -> Cow<'_, str> {
    let total: usize = text.chars().map(char_width).sum();
    if total <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let room = width - 1;
    let head_room = room - room / 2;
    let (mut head_end, mut head_used) = (0, 0);
    for (i, c) in text.char_indices() {
        let w = char_width(c);
        if head_used + w > head_room {
            break;
        }
        head_used += w;
        head_end = i + c.len_utf8();
    }
    // What the start could not use (a wide character) goes to the end.
    let tail_room = room - head_used;
    let (mut tail_start, mut tail_used) = (text.len(), 0);
    for (i, c) in text.char_indices().rev() {
        let w = char_width(c);
        if tail_used + w > tail_room || i < head_end {
            break;
        }
        tail_used += w;
        tail_start = i;
    }
    Cow::Owned(format!("{}…{}", &text[..head_end], &text[tail_start..]))
}

/// Draws a table; without rows, its header and why it is empty.
pub fn render(grid: Grid<'_>, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let header = Row::new(grid.header.into_iter().map(Cell::from)).style(theme.header);
    let table = Table::default()
        .widths(grid.widths)
        .header(header)
        .column_spacing(SPACING);
    let table = match grid.cursor {
        Cursor::Row(_) => table
            .row_highlight_style(theme.selected)
            .highlight_symbol(POINTER)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_too_long_keeps_its_start_and_its_end() {
        assert_eq!(middle_ellipsis("pi_3demo0000001199", 10), "pi_3d…1199");
        assert_eq!(middle_ellipsis("pi_3demo0000001199", 14), "pi_3dem…001199");
        assert_eq!(
            middle_ellipsis("pi_3demo0000001199", 18),
            "pi_3demo0000001199"
        );
        assert_eq!(
            middle_ellipsis("pi_3demo0000001199", 40),
            "pi_3demo0000001199"
        );
        assert_eq!(middle_ellipsis("abcdef", 5), "ab…ef");
        assert_eq!(middle_ellipsis("abcdef", 2), "a…");
        assert_eq!(middle_ellipsis("abcdef", 1), "…");
        assert_eq!(middle_ellipsis("abcdef", 0), "");
        assert_eq!(middle_ellipsis("", 0), "");
    }

    #[test]
    fn the_middle_ellipsis_cuts_between_characters_and_fits() {
        // Two-byte, three-byte and two-cell characters.
        assert_eq!(middle_ellipsis("éééééééé", 5), "éé…éé");
        assert_eq!(middle_ellipsis("ré€f-ö€ü", 6), "ré€…€ü");
        assert_eq!(middle_ellipsis("日本語のテキスト", 7), "日…スト");
        for text in [
            "pi_3demo0000001199",
            "éa€日本xyz",
            "日本語のテキスト",
            "a日b",
        ] {
            for width in 0..20 {
                let fitted = middle_ellipsis(text, width);
                let cells: usize = fitted.chars().map(char_width).sum();
                assert!(cells <= width, "{text:?} in {width}: {fitted:?}");
            }
        }
    }

    #[test]
    fn column_widths_are_the_widths_the_table_draws() {
        let widths = [
            Constraint::Length(4),
            Constraint::Min(6),
            Constraint::Length(5),
        ];
        for width in [14, 20, 30] {
            let cols = column_widths(&widths, width, Cursor::Row(0));
            // Each column filled with its own digit, exactly its width.
            let cells: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, w)| i.to_string().repeat(usize::from(*w)))
                .collect();
            let grid = Grid {
                header: vec![String::new(); 3],
                widths: widths.to_vec(),
                rows: vec![Row::new(cells.iter().map(|c| Cell::from(c.as_str())))],
                cursor: Cursor::Row(0),
                empty: "",
            };
            let area = Rect::new(0, 0, width, 2);
            let mut buf = Buffer::empty(area);
            render(grid, area, &mut buf, &Theme::default());
            let line: String = (0..width)
                .map(|x| buf[(x, 1)].symbol().to_owned())
                .collect();
            let want = format!("{POINTER}{}", cells.join(" "));
            assert_eq!(line.trim_end(), want.trim_end(), "at {width}");
        }
    }
}
