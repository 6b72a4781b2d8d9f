//! The Orders view: every order once, with its main payment (the one that
//! keeps money, else the latest attempt), newest first by default. Its keys,
//! marks and actions are the lists' ([`super::list`], [`super::find`]); what
//! is its own is the columns.
//!
//! Beside the total, the Kept column says what the order keeps over all its
//! payments (captured − refunded − lost, in the order's currency) where that
//! differs from the total ([`OrderMoney::kept_apart`]): an order paid twice,
//! refunded, or marked paid with nothing captured. It stays blank where they
//! agree, and for an unpaid order that has kept nothing yet.
//!
//! Below [`WIDE`] columns (at 100, say) the dates lose their time and the
//! money and status columns narrow, so that every column, the customer
//! included, stays readable.

use ratatui::layout::{Alignment, Constraint};
use ratatui::text::Line;
use ratatui::widgets::Cell;

use crate::dash::data::{ListRow, OrderMoney};
use crate::dash::ui::{date, day};
use crate::domain::{Money, Order};

/// The narrowest table that has room for every column at its full width.
pub const WIDE: u16 = 114;

/// The Date column's place in the header.
const DATE: usize = 2;

/// A date with its time takes this many columns.
const DATE_TIME: u16 = 16;

/// The column titles; the first column is the mark.
pub fn header(width: u16) -> &'static [&'static str] {
    if width >= WIDE {
        &[
            "",
            "Number",
            "Date",
            "Customer",
            "Total",
            "Kept",
            "Status",
            "Order's pay.",
            "Provider",
            "Payment",
        ]
    } else {
        &[
            "", "Number", "Date", "Customer", "Total", "Kept", "Status", "Ord.pay.", "Provider",
            "Payment",
        ]
    }
}

/// The columns' widths for a table `width` columns wide.
pub fn widths(width: u16) -> Vec<Constraint> {
    let wide = width >= WIDE;
    let pick = |wide_len, narrow_len| Constraint::Length(if wide { wide_len } else { narrow_len });
    vec![
        Constraint::Length(2),
        Constraint::Length(11),
        pick(DATE_TIME, 10),
        Constraint::Min(12),
        pick(14, 12),
        pick(10, 8),
        Constraint::Length(10),
        pick(12, 8),
        Constraint::Length(8),
        Constraint::Length(9),
    ]
}

/// What the order keeps, in its currency without the code (the total
/// beside it has it), when it differs from the total; else nothing.
pub fn kept(order: &Order, money: &OrderMoney) -> String {
    let Some(kept) = money.kept_apart(order) else {
        return String::new();
    };
    Money::decimal_minor(kept, order.total.currency())
}

/// One order's cells, after its mark cell; `fit` is each column's width
/// as drawn.
pub fn cells<'a>(r: &'a ListRow, mark: Cell<'static>, fit: &[u16]) -> Vec<Cell<'a>> {
    let o = &r.order;
    let p = r.payment.as_ref();
    let created = if fit.get(DATE).is_some_and(|w| *w < DATE_TIME) {
        day(o.created_at)
    } else {
        date(o.created_at)
    };
    vec![
        mark,
        Cell::from(o.number.as_str()),
        Cell::from(created),
        Cell::from(o.customer_name.as_str()),
        Cell::from(Line::from(o.total.to_string()).alignment(Alignment::Right)),
        Cell::from(Line::from(kept(o, &r.money)).alignment(Alignment::Right)),
        Cell::from(o.status.as_str()),
        Cell::from(o.payment_status.as_str()),
        Cell::from(p.map_or("—", |p| p.provider.as_str())),
        Cell::from(p.map_or("—", |p| p.status.as_str())),
    ]
}
