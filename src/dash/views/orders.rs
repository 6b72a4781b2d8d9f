//! The Orders view: every order with its payment, newest first by default.
//! Its keys, marks and actions are the lists' ([`super::list`],
//! [`super::find`]); what is its own is the columns.

use ratatui::layout::{Alignment, Constraint};
use ratatui::text::Line;
use ratatui::widgets::Cell;

use crate::dash::data::ListRow;
use crate::dash::ui::date;

/// The column titles; the first column is the mark.
pub const HEADER: &[&str] = &[
    "",
    "Number",
    "Date",
    "Customer",
    "Total",
    "Status",
    "Order's pay.",
    "Provider",
    "Payment",
];

pub fn widths() -> Vec<Constraint> {
    vec![
        Constraint::Length(2),
        Constraint::Length(11),
        Constraint::Length(16),
        Constraint::Min(12),
        Constraint::Length(14),
        Constraint::Length(10),
        Constraint::Length(12),
        Constraint::Length(8),
        Constraint::Length(9),
    ]
}

/// One order's cells, after its mark cell.
pub fn cells<'a>(r: &'a ListRow, mark: Cell<'static>) -> Vec<Cell<'a>> {
    let o = &r.order;
    let p = r.payment.as_ref();
    vec![
        mark,
        Cell::from(o.number.as_str()),
        Cell::from(date(o.created_at)),
        Cell::from(o.customer_name.as_str()),
        Cell::from(Line::from(o.total.to_string()).alignment(Alignment::Right)),
        Cell::from(o.status.as_str()),
        Cell::from(o.payment_status.as_str()),
        Cell::from(p.map_or("—", |p| p.provider.as_str())),
        Cell::from(p.map_or("—", |p| p.status.as_str())),
    ]
}
