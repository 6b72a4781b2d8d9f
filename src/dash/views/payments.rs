//! The Payments view: every payment (every attempt of every order) with
//! its order. Its keys, marks and actions are the lists' ([`super::list`],
//! [`super::find`]) and act on the payments' orders; what is its own is the
//! columns. A reference too long for its column keeps its start and its end
//! (`pi_3d…1199`): references share their start and differ at the end. An
//! order's later attempts show their number after the order's (`TEST1014
//! #2`).

use ratatui::layout::{Alignment, Constraint};
use ratatui::text::Line;
use ratatui::widgets::Cell;

use crate::dash::data::ListRow;
use crate::dash::table::middle_ellipsis;
use crate::dash::ui::date;

/// The Reference column's place in [`HEADER`].
const REFERENCE: usize = 2;

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

/// One payment's cells, after its mark cell; `fit` is each column's width
/// as drawn.
pub fn cells<'a>(r: &'a ListRow, mark: Cell<'static>, fit: &[u16]) -> Vec<Cell<'a>> {
    let o = &r.order;
    let p = r.payment.as_ref();
    let reference = p.and_then(|p| p.reference.as_deref()).unwrap_or("—");
    let room = fit.get(REFERENCE).map_or(usize::MAX, |w| usize::from(*w));
    let order = match p {
        Some(p) if p.attempt > 1 => Cell::from(format!("{} #{}", o.number, p.attempt)),
        Some(_) | None => Cell::from(o.number.as_str()),
    };
    vec![
        mark,
        Cell::from(p.map_or("—", |p| p.provider.as_str())),
        Cell::from(middle_ellipsis(reference, room)),
        Cell::from(
            Line::from(p.map_or(String::new(), |p| p.amount.to_string()))
                .alignment(Alignment::Right),
        ),
        Cell::from(p.map_or("—", |p| p.status.as_str())),
        Cell::from(p.and_then(|p| p.provider_status.as_deref()).unwrap_or("—")),
        order,
        Cell::from(p.map_or(String::new(), |p| date(p.created_at))),
    ]
}
