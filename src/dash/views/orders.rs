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

use crate::dash::app::App;
use crate::dash::data::{ListRow, OrderMoney};
use crate::dash::table::{fit_width, words_width};
use crate::domain::{Order, OrderPaymentStatus, OrderStatus, PaymentStatus, Provider};
use crate::i18n::Lang;

/// The Date column's place in the header.
const DATE: usize = 2;

/// A date with its time takes this many columns.
const DATE_TIME: u16 = 16;

/// The narrowest table that has room for every column at its full width:
/// 114 in English.
pub fn wide_at(lang: Lang) -> u16 {
    let fixed: u16 = columns(lang, true).iter().sum();
    // The mark, ten columns one space apart, the pointer, the customer.
    fixed + 2 + 9 + 1 + 12
}

/// The column titles; the first column is the mark.
pub fn header(width: u16, lang: Lang) -> Vec<String> {
    let pay = if width >= wide_at(lang) {
        "dash-col-order-pay"
    } else {
        "dash-col-order-pay-short"
    };
    [
        "dash-col-number",
        "dash-col-date",
        "dash-col-customer",
        "dash-col-total",
        "dash-col-kept",
        "dash-col-status",
        pay,
        "dash-col-provider",
        "dash-col-payment",
    ]
    .iter()
    .map(|id| lang.t(id))
    .fold(vec![String::new()], |mut v, h| {
        v.push(h);
        v
    })
}

/// The widths of the columns but the mark and the customer: number, date,
/// total, kept, status, order's payment, provider, payment. Each has room
/// for its words in `lang` (English: the widths it always had).
fn columns(lang: Lang, wide: bool) -> [u16; 8] {
    let pick = |wide_len: u16, narrow_len: u16| if wide { wide_len } else { narrow_len };
    let head = |id: &'static str| lang.t(id);
    let money = match lang {
        Lang::En => 0,
        // "1 500 000 F CFA": a space between thousands and a longer symbol.
        Lang::Fr => 1,
    };
    [
        fit_width(11, [head("dash-col-number")]),
        pick(DATE_TIME, 10),
        pick(14, 12) + money,
        fit_width(pick(10, 8), [head("dash-col-kept")]),
        words_width::<OrderStatus>(lang, 10),
        words_width::<OrderPaymentStatus>(lang, pick(12, 8)),
        fit_width(
            words_width::<Provider>(lang, 8),
            [head("dash-col-provider")],
        ),
        fit_width(
            words_width::<PaymentStatus>(lang, 9),
            [head("dash-col-payment")],
        ),
    ]
}

/// The columns' widths for a table `width` columns wide.
pub fn widths(width: u16, lang: Lang) -> Vec<Constraint> {
    let wide = width >= wide_at(lang);
    let [number, date, total, kept, status, pay, provider, payment] = columns(lang, wide);
    // The French words take four more columns: at 100 the customer gives
    // them up rather than a status word being cut.
    let customer = match (lang, wide) {
        (Lang::Fr, false) => 8,
        (Lang::En, _) | (Lang::Fr, true) => 12,
    };
    vec![
        Constraint::Length(2),
        Constraint::Length(number),
        Constraint::Length(date),
        Constraint::Min(customer),
        Constraint::Length(total),
        Constraint::Length(kept),
        Constraint::Length(status),
        Constraint::Length(pay),
        Constraint::Length(provider),
        Constraint::Length(payment),
    ]
}

/// What the order keeps, in its currency without the code (the total
/// beside it has it), when it differs from the total; else nothing.
pub fn kept(order: &Order, money: &OrderMoney, lang: Lang) -> String {
    let Some(kept) = money.kept_apart(order) else {
        return String::new();
    };
    lang.decimal_minor(kept, order.total.currency())
}

/// One order's cells, after its mark cell; `fit` is each column's width
/// as drawn.
pub fn cells<'a>(app: &App, r: &'a ListRow, mark: Cell<'static>, fit: &[u16]) -> Vec<Cell<'a>> {
    let (l, zone) = (app.lang, &app.zone);
    let o = &r.order;
    let p = r.payment.as_ref();
    let created = if fit.get(DATE).is_some_and(|w| *w < DATE_TIME) {
        l.day(o.created_at, zone)
    } else {
        l.datetime(o.created_at, zone)
    };
    let none = || "—".to_owned();
    vec![
        mark,
        Cell::from(o.number.as_str()),
        Cell::from(created),
        Cell::from(o.customer_name.as_str()),
        Cell::from(Line::from(l.money(&o.total)).alignment(Alignment::Right)),
        Cell::from(Line::from(kept(o, &r.money, l)).alignment(Alignment::Right)),
        Cell::from(l.word(o.status)),
        Cell::from(l.word(o.payment_status)),
        Cell::from(p.map_or_else(none, |p| l.word(p.provider))),
        Cell::from(p.map_or_else(none, |p| l.word(p.status))),
    ]
}
