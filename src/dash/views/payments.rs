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

use crate::dash::app::App;
use crate::dash::data::ListRow;
use crate::dash::table::{fit_width, middle_ellipsis, words_width};
use crate::domain::{PaymentStatus, Provider};
use crate::i18n::Lang;

/// The Reference column's place in the header.
const REFERENCE: usize = 2;

/// The column titles' ids; the first column is the mark.
const HEADER: [&str; 7] = [
    "dash-col-provider",
    "dash-col-reference",
    "dash-col-amount",
    "dash-col-status",
    "dash-col-raw-status",
    "dash-col-order",
    "dash-col-date",
];

/// The column titles; the first column is the mark.
pub fn header(lang: Lang) -> Vec<String> {
    std::iter::once(String::new())
        .chain(HEADER.iter().map(|id| lang.t(id)))
        .collect()
}

/// The columns' widths: room for the words and titles of `lang`.
pub fn widths(lang: Lang) -> Vec<Constraint> {
    let head = |i: usize| lang.t(HEADER[i]);
    let money = match lang {
        Lang::En => 14,
        Lang::Fr => 15,
    };
    vec![
        Constraint::Length(2),
        Constraint::Length(fit_width(words_width::<Provider>(lang, 8), [head(0)])),
        Constraint::Min(14),
        Constraint::Length(fit_width(money, [head(2)])),
        Constraint::Length(fit_width(words_width::<PaymentStatus>(lang, 9), [head(3)])),
        Constraint::Length(fit_width(23, [head(4)])),
        Constraint::Length(fit_width(11, [head(5)])),
        Constraint::Length(16),
    ]
}

/// One payment's cells, after its mark cell; `fit` is each column's width
/// as drawn.
pub fn cells<'a>(app: &App, r: &'a ListRow, mark: Cell<'static>, fit: &[u16]) -> Vec<Cell<'a>> {
    let (l, zone) = (app.lang, &app.zone);
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
        Cell::from(p.map_or_else(|| "—".to_owned(), |p| l.word(p.provider))),
        Cell::from(middle_ellipsis(reference, room)),
        Cell::from(
            Line::from(p.map_or(String::new(), |p| l.money(&p.amount))).alignment(Alignment::Right),
        ),
        Cell::from(p.map_or_else(|| "—".to_owned(), |p| l.word(p.status))),
        Cell::from(p.and_then(|p| p.provider_status.as_deref()).unwrap_or("—")),
        order,
        Cell::from(p.map_or(String::new(), |p| l.datetime(p.created_at, zone))),
    ]
}
