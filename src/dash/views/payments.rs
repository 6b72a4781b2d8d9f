//! The Payments view: every payment with its order. Its keys, marks and
//! actions are the lists' ([`super::list`], [`super::find`]) and act on the
//! payments' orders; what is its own is the columns.

use ratatui::layout::{Alignment, Constraint};
use ratatui::text::Line;
use ratatui::widgets::Cell;

use crate::dash::data::ListRow;
use crate::dash::ui::date;

/// The column titles; the first column is the mark.
pub const HEADER: &[&str] = &[
    "",
    "Provider",
    "Reference",
    "Amount",
    "Status",
    "Raw status",
    "Order",
    "Date",
];

pub fn widths() -> Vec<Constraint> {
    vec![
        Constraint::Length(2),
        Constraint::Length(8),
        Constraint::Min(14),
        Constraint::Length(14),
        Constraint::Length(9),
        Constraint::Length(23),
        Constraint::Length(11),
        Constraint::Length(16),
    ]
}

/// One payment's cells, after its mark cell.
pub fn cells<'a>(r: &'a ListRow, mark: Cell<'static>) -> Vec<Cell<'a>> {
    let o = &r.order;
    let p = r.payment.as_ref();
    vec![
        mark,
        Cell::from(p.map_or("—", |p| p.provider.as_str())),
        Cell::from(p.and_then(|p| p.reference.as_deref()).unwrap_or("—")),
        Cell::from(
            Line::from(p.map_or(String::new(), |p| p.amount.to_string()))
                .alignment(Alignment::Right),
        ),
        Cell::from(p.map_or("—", |p| p.status.as_str())),
        Cell::from(p.and_then(|p| p.provider_status.as_deref()).unwrap_or("—")),
        Cell::from(o.number.as_str()),
        Cell::from(p.map_or(String::new(), |p| date(p.created_at))),
    ]
}
