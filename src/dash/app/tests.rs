//! Key handling without a terminal or a database: key → state and effect.
//! The rows are read once from the test shop; everything after that is the
//! pure handler.

use super::*;
use crate::dash::data::Sort;
use crate::dash::runner::Runner;
use crate::dash::views::findings::Item;
use crate::domain::{OrderPaymentStatus, OrderStatus, PaymentStatus};
use crate::testing;

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// An app on the test shop's first page (7 orders), `page` rows high.
fn app(page: usize) -> App {
    let mut app = App::new("shop.db", "tester", false, testing::now());
    app.page_size = page;
    let mut runner = Runner::bare(testing::shop());
    runner.start(&mut app);
    app
}

fn numbers(app: &App) -> Vec<String> {
    app.orders
        .pager
        .rows
        .iter()
        .map(|r| r.order.number.clone())
        .collect()
}

#[test]
fn j_and_k_move_inside_the_page_without_reading() {
    let mut a = app(20);
    assert_eq!(a.orders.pager.rows.len(), 7);
    assert_eq!(handle_key(&mut a, key('j')), Task::None);
    assert_eq!(handle_key(&mut a, code(KeyCode::Down)), Task::None);
    assert_eq!(a.orders.pager.cursor, 2);
    assert_eq!(handle_key(&mut a, key('k')), Task::None);
    assert_eq!(a.orders.pager.cursor, 1);
    // Past the rows in memory: the loop must read.
    a.orders.pager.cursor = 6;
    assert_eq!(handle_key(&mut a, key('j')), Task::Nav(Nav::Down(1)));
    a.orders.pager.cursor = 0;
    assert_eq!(handle_key(&mut a, key('k')), Task::Nav(Nav::Up(1)));
}

#[test]
fn paging_keys_ask_the_loop_to_read() {
    let mut a = app(3);
    assert_eq!(numbers(&a), ["TEST2004", "TEST2003", "TEST2002"]);
    assert_eq!(
        handle_key(&mut a, code(KeyCode::PageDown)),
        Task::Nav(Nav::PageDown)
    );
    assert_eq!(handle_key(&mut a, ctrl('u')), Task::Nav(Nav::PageUp));
    assert_eq!(handle_key(&mut a, key('G')), Task::Nav(Nav::Bottom));
    assert_eq!(handle_key(&mut a, key('g')), Task::Nav(Nav::Top));
    // The cursor at the bottom row of the screen reads the next row.
    a.orders.pager.cursor = 2;
    assert_eq!(handle_key(&mut a, key('j')), Task::Nav(Nav::Down(1)));
}

#[test]
fn tab_shift_tab_and_numbers_switch_views() {
    let mut a = app(20);
    assert_eq!(handle_key(&mut a, code(KeyCode::Tab)), Task::Reload);
    assert_eq!(a.view, View::Payments);
    assert_eq!(handle_key(&mut a, code(KeyCode::BackTab)), Task::Reload);
    assert_eq!(a.view, View::Orders);
    assert_eq!(handle_key(&mut a, code(KeyCode::BackTab)), Task::Reload);
    assert_eq!(a.view, View::Orphans);
    assert_eq!(handle_key(&mut a, key('3')), Task::Reload);
    assert_eq!(a.view, View::Findings);
    assert_eq!(handle_key(&mut a, key('3')), Task::None, "already there");
}

#[test]
fn while_searching_every_key_is_text() {
    let mut a = app(20);
    assert_eq!(handle_key(&mut a, key('/')), Task::None);
    assert_eq!(a.mode, Mode::Search);
    for c in "q?jx".chars() {
        assert_eq!(handle_key(&mut a, key(c)), Task::Requery);
    }
    assert_eq!(a.search, "q?jx");
    assert_eq!(handle_key(&mut a, code(KeyCode::Backspace)), Task::Requery);
    assert_eq!(a.search, "q?j");
    assert_eq!(handle_key(&mut a, ctrl('u')), Task::Requery);
    assert_eq!(a.search, "");
    handle_key(&mut a, key('d'));
    // Enter keeps the search and leaves the line.
    assert_eq!(handle_key(&mut a, code(KeyCode::Enter)), Task::None);
    assert_eq!(a.mode, Mode::Normal);
    assert_eq!(a.search, "d");
    // Esc on the line clears it.
    handle_key(&mut a, key('/'));
    assert_eq!(handle_key(&mut a, code(KeyCode::Esc)), Task::Requery);
    assert_eq!((a.mode.clone(), a.search.as_str()), (Mode::Normal, ""));
    // Ctrl-c quits from anywhere.
    handle_key(&mut a, key('/'));
    assert_eq!(handle_key(&mut a, ctrl('c')), Task::Quit);
}

#[test]
fn esc_closes_the_innermost_overlay_and_q_quits_only_the_main_view() {
    let mut a = app(20);
    handle_key(&mut a, key('?'));
    assert_eq!(a.mode, Mode::Help { scroll: 0 });
    handle_key(&mut a, key('j'));
    assert_eq!(a.mode, Mode::Help { scroll: 1 });
    assert_eq!(handle_key(&mut a, key('q')), Task::None, "q closes help");
    assert_eq!(a.mode, Mode::Normal);
    handle_key(&mut a, key('?'));
    handle_key(&mut a, code(KeyCode::Esc));
    assert_eq!(a.mode, Mode::Normal);
    assert_eq!(handle_key(&mut a, code(KeyCode::Enter)), Task::Detail);
    handle_key(&mut a, key('F'));
    assert_eq!(a.mode, Mode::Filter { row: 0 });
    handle_key(&mut a, code(KeyCode::Esc));
    assert_eq!(a.mode, Mode::Normal);
    assert_eq!(handle_key(&mut a, key('q')), Task::Quit);
}

#[test]
fn space_marks_and_moves_u_clears_star_marks_the_filter() {
    let mut a = app(20);
    handle_key(&mut a, key(' '));
    handle_key(&mut a, key(' '));
    assert_eq!(a.orders.pager.cursor, 2);
    let marked: Vec<&String> = a.marks.values().collect();
    assert_eq!(marked, ["TEST2003", "TEST2004"]);
    // Space again on a marked row unmarks it.
    handle_key(&mut a, key('k'));
    handle_key(&mut a, key(' '));
    assert_eq!(a.marks.len(), 1);
    handle_key(&mut a, key('u'));
    assert!(a.marks.is_empty());
    assert_eq!(handle_key(&mut a, key('*')), Task::MarkAll);
}

#[test]
fn v_marks_a_range_between_two_rows() {
    let mut a = app(20);
    assert_eq!(handle_key(&mut a, key('v')), Task::None);
    assert!(a.range.is_some());
    let from = a.orders.pager.rows[0].key.clone();
    handle_key(&mut a, key('j'));
    handle_key(&mut a, key('j'));
    let to = a.orders.pager.rows[2].key.clone();
    assert_eq!(handle_key(&mut a, key('v')), Task::MarkRange { from, to });
    assert!(a.range.is_none());
    // Esc drops a started range.
    handle_key(&mut a, key('v'));
    handle_key(&mut a, code(KeyCode::Esc));
    assert!(a.range.is_none());
}

#[test]
fn an_action_acts_on_the_marks_or_else_the_current_row() {
    let mut a = app(20);
    let Task::Prepare(Action::Cancel, t) = handle_key(&mut a, key('x')) else {
        panic!("x prepares a cancel");
    };
    assert_eq!(t.orders.len(), 1);
    assert_eq!(t.orders[0].1, "TEST2004");
    handle_key(&mut a, key(' '));
    handle_key(&mut a, key(' '));
    let Task::Prepare(Action::Validate, t) = handle_key(&mut a, key('a')) else {
        panic!("a prepares a validation");
    };
    let numbers: Vec<&str> = t.orders.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(numbers, ["TEST2003", "TEST2004"]);
}

#[test]
fn p_and_s_pick_a_status_first() {
    let mut a = app(20);
    assert_eq!(handle_key(&mut a, key('p')), Task::None);
    assert!(matches!(
        a.mode,
        Mode::Choose {
            what: ChooseFor::OrderPayment,
            cursor: 0,
            ..
        }
    ));
    handle_key(&mut a, key('j'));
    let e = handle_key(&mut a, code(KeyCode::Enter));
    assert!(matches!(
        e,
        Task::Prepare(Action::SetOrderPayment(OrderPaymentStatus::Paid), _)
    ));
    assert_eq!(a.mode, Mode::Normal);
    handle_key(&mut a, key('s'));
    let e = handle_key(&mut a, key('4'));
    assert!(matches!(
        e,
        Task::Prepare(Action::SetPayment(PaymentStatus::Cancelled), _)
    ));
    handle_key(&mut a, key('s'));
    assert_eq!(handle_key(&mut a, key('n')), Task::None);
    assert_eq!(a.mode, Mode::Normal);
}

#[test]
fn a_confirmation_runs_on_y_or_enter_and_declines_on_n_or_esc() {
    let confirm = Confirm {
        action: Action::Cancel,
        targets: Targets {
            orders: vec![(1, "TEST1".into())],
            ..Targets::default()
        },
        title: "Cancel 1 order".into(),
        lines: vec![],
        warnings: vec![],
        lang: crate::i18n::Lang::En,
        refund_offer: None,
    };
    let mut a = app(20);
    a.mode = Mode::Confirm(confirm.clone());
    assert_eq!(
        handle_key(&mut a, key('r')),
        Task::None,
        "no offer: r waits"
    );
    assert_eq!(handle_key(&mut a, key('j')), Task::None, "other keys wait");
    // A cancel that offers to refund too: r takes the offer.
    let offering = Confirm {
        refund_offer: Some("Stripe 89.90 EUR".into()),
        ..confirm.clone()
    };
    a.mode = Mode::Confirm(offering.clone());
    let Task::Run(taken) = handle_key(&mut a, key('r')) else {
        panic!("r runs the cancel and refund");
    };
    assert_eq!(taken.action, Action::CancelRefund);
    assert_eq!(taken.targets, confirm.targets);
    assert_eq!(taken.title, "Cancel 1 order and refund them");
    a.mode = Mode::Confirm(confirm.clone());
    assert_eq!(handle_key(&mut a, key('y')), Task::Run(confirm.clone()));
    assert!(matches!(a.mode, Mode::Working { total: 1, .. }));
    a.mode = Mode::Confirm(confirm.clone());
    assert_eq!(
        handle_key(&mut a, code(KeyCode::Enter)),
        Task::Run(confirm.clone())
    );
    for decline in [key('n'), code(KeyCode::Esc)] {
        a.mode = Mode::Confirm(confirm.clone());
        assert_eq!(handle_key(&mut a, decline), Task::None);
        assert_eq!(a.mode, Mode::Normal);
    }
}

#[test]
fn read_only_disables_every_action_and_says_why() {
    let mut a = app(20);
    a.read_only = true;
    for c in ['x', 'a', 'p', 's'] {
        assert_eq!(handle_key(&mut a, key(c)), Task::None);
        assert_eq!(a.mode, Mode::Normal);
        let (text, _) = a.status.clone().unwrap_or_default_status();
        assert!(text.contains("--read-only"), "{c}: {text}");
    }
    handle_key(&mut a, key('3'));
    assert_eq!(handle_key(&mut a, key('f')), Task::None);
    assert!(a.status.is_some());
}

trait StatusExt {
    fn unwrap_or_default_status(self) -> (String, Tone);
}

impl StatusExt for Option<(String, Tone)> {
    fn unwrap_or_default_status(self) -> (String, Tone) {
        self.unwrap_or((String::new(), Tone::Info))
    }
}

#[test]
fn filters_and_sort_change_the_query() {
    let mut a = app(20);
    handle_key(&mut a, key('F'));
    assert_eq!(handle_key(&mut a, key('l')), Task::Requery);
    assert_eq!(a.filter.status, Some(OrderStatus::Pending));
    handle_key(&mut a, key('j'));
    assert_eq!(handle_key(&mut a, code(KeyCode::Left)), Task::Requery);
    assert_eq!(a.filter.payment, Some(OrderPaymentStatus::Refunded));
    handle_key(&mut a, code(KeyCode::Esc));
    assert_eq!(handle_key(&mut a, key('o')), Task::Requery);
    assert_eq!(
        a.orders.sort,
        Sort {
            col: crate::dash::data::SortCol::Date,
            desc: true
        }
    );
    handle_key(&mut a, key('O'));
    assert!(!a.orders.sort.desc);
    assert_eq!(handle_key(&mut a, key('c')), Task::Requery);
    assert!(a.filter.is_empty());
    assert_eq!(handle_key(&mut a, key('c')), Task::None, "nothing to clear");
}

#[test]
fn the_mouse_wheel_scrolls_three_rows() {
    let mut a = app(20);
    let wheel = |kind| MouseEvent {
        kind,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    };
    assert_eq!(
        handle_mouse(&mut a, wheel(MouseEventKind::ScrollDown)),
        Task::None
    );
    assert_eq!(a.orders.pager.cursor, 3);
    handle_mouse(&mut a, wheel(MouseEventKind::ScrollUp));
    assert_eq!(a.orders.pager.cursor, 0);
}

#[test]
fn findings_move_over_findings_and_skip_group_headers() {
    let mut a = app(20);
    handle_key(&mut a, key('3'));
    let f = &a.findings;
    assert!(matches!(f.items[0], Item::Header { .. }));
    assert_eq!(f.cursor, 1, "on the first finding, not its header");
    let before = a.findings.current().cloned();
    handle_key(&mut a, key('j'));
    handle_key(&mut a, key('j'));
    assert_ne!(a.findings.current().cloned(), before);
    assert!(matches!(
        a.findings.items[a.findings.cursor],
        Item::Finding(_)
    ));
    handle_key(&mut a, key('g'));
    assert_eq!(a.findings.current().cloned(), before);
    // Space marks findings; f prepares a fix of the marked ones.
    handle_key(&mut a, key(' '));
    let Task::Prepare(Action::Fix, t) = handle_key(&mut a, key('f')) else {
        panic!("f prepares a fix");
    };
    assert_eq!(t.findings.len(), 1);
}
