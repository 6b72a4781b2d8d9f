//! The dashboard against a real (in-memory or temporary) database: keyset
//! paging against plain SQL for every sort and plan (on shops where some
//! orders have several payments), live refresh, actions through the loop,
//! and a snapshot of every view at a fixed size.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rusqlite::types::Value;

use std::time::Duration;

use super::actions::Action;
use super::app::{self, App, Mode, Task, View};
use super::data::{
    ListKind, ListSource, ListSpec, Nav, ORDER_SORTS, PAYMENT_SORTS, Pager, Plan, Seed, Sort,
    fetch, navigate, plan, window,
};
use super::event::Event;
use super::runner::Runner;
use super::*;
use crate::domain::ledger::{Flow, Movement, MovementSource};
use crate::domain::{
    Money, Order, OrderPaymentStatus, OrderStatus, Payment, PaymentStatus, Provider, StatusSource,
    Timestamp,
};
use crate::testing;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

/// A demo shop of `n` orders in memory, built at the tests' fixed now,
/// where every fifth order has a second payment ([`with_attempts`]).
fn demo(n: usize) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    crate::demo::build(&mut store, n, 7, testing::now(), |_| {}).unwrap();
    with_attempts(&mut store, 5);
    store
}

/// A payment of `order` for its total, not yet written.
fn attempt(order: &Order, provider: Provider, reference: &str, at: Timestamp) -> Payment {
    Payment {
        id: 0,
        order_id: order.id,
        provider,
        reference: Some(reference.to_owned()),
        amount: order.total,
        status: PaymentStatus::Pending,
        provider_status: None,
        created_at: at,
        updated_at: at,
        completed_at: None,
        status_source: StatusSource::Owner,
        captured: None,
        charge_id: None,
        refunded_minor: 0,
        refund_pending: false,
        disputed: false,
        attempt: 0,
        refunds_pending_minor: 0,
        refunds_failed_minor: 0,
        disputed_minor: 0,
        lost_minor: 0,
        owed_minor: 0,
    }
}

/// Gives every `every`-th order a later payment: by turns a completed Wave
/// payment that captured the total (the main payment now; with a first one
/// that kept money too, the order is paid twice) and a failed Stripe
/// attempt (the main payment only when the first kept nothing).
fn with_attempts(store: &mut Store, every: i64) {
    let ids: Vec<i64> = store
        .conn()
        .prepare("SELECT id FROM orders WHERE id % ?1 = 0 ORDER BY id")
        .unwrap()
        .query_map([every], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for id in ids {
        let order = store.reader().order_by_id(id).unwrap().unwrap();
        let at = order.created_at + chrono::Duration::minutes(30);
        let (mut p, movements) = if (id / every) % 2 == 0 {
            let mut p = attempt(&order, Provider::Wave, &format!("T_RETRY_{id:06}"), at);
            p.status = PaymentStatus::Completed;
            p.completed_at = Some(at);
            let m =
                Movement::new(Flow::Captured, order.total, at).with_id(&format!("T_RETRY_{id:06}"));
            (p, vec![m])
        } else {
            let mut p = attempt(&order, Provider::Stripe, &format!("pi_3retry{id:010}"), at);
            p.status = PaymentStatus::Failed;
            (p, Vec::new())
        };
        store
            .write(|tx| {
                tx.insert_payment_with_ledger(&mut p, &movements, MovementSource::Import, at)
            })
            .unwrap();
    }
}

/// A list row as the tests tell rows apart: its order number and its
/// payment's id (an order appears once per payment in the Payments view).
fn ident(number: &str, payment: Option<i64>) -> String {
    format!(
        "{number}/{}",
        payment.map_or("-".to_owned(), |id| id.to_string())
    )
}

/// The rows a spec selects, by plain SQL: no index tricks, no keyset. An
/// order's row carries its main payment, as [`crate::store::Reader`] says.
fn expected(store: &Store, spec: &ListSpec) -> Vec<String> {
    let from = match spec.kind {
        ListKind::Orders => "orders o",
        ListKind::Payments => "payments p JOIN orders o ON o.id = p.order_id",
    };
    // The payments the provider filter and the search look at.
    let any = match spec.kind {
        ListKind::Orders => "EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND",
        ListKind::Payments => "(",
    };
    let mut conds = vec!["1".to_owned()];
    if let Some(s) = spec.filter.status {
        conds.push(format!("o.status = '{s}'"));
    }
    if let Some(s) = spec.filter.payment {
        conds.push(format!("o.payment_status = '{s}'"));
    }
    if let Some(p) = spec.filter.provider {
        conds.push(format!("{any} p.provider = '{p}')"));
    }
    if !spec.search.is_empty() {
        let q = spec.search.to_lowercase();
        conds.push(format!(
            "(instr(lower(o.number), '{q}') OR instr(lower(o.customer_name), '{q}') \
             OR instr(lower(o.customer_email), '{q}') OR {any} instr(lower(p.reference), '{q}')))"
        ));
    }
    let dir = if spec.sort.desc { "DESC" } else { "ASC" };
    let order = match (spec.kind, spec.sort.col) {
        (ListKind::Orders, data::SortCol::Newest) => vec!["o.id"],
        (ListKind::Payments, data::SortCol::Newest) => vec!["p.order_id", "p.attempt", "p.id"],
        (_, data::SortCol::Date) => vec!["o.created_at", "o.id"],
        (_, data::SortCol::Number) => vec!["o.number"],
        (_, data::SortCol::Customer) => vec!["o.customer_name", "o.id"],
        (_, data::SortCol::Total) => vec!["o.total_minor", "o.id"],
        (_, data::SortCol::Status) => vec!["o.status", "o.id"],
        (_, data::SortCol::PaymentStatus) => vec!["o.payment_status", "o.id"],
        (_, data::SortCol::PayStatus) => vec!["p.status", "p.created_at", "p.id"],
    };
    let mut order: Vec<String> = order.iter().map(|c| format!("{c} {dir}")).collect();
    // A payment row's last tie-breaker is its id.
    if spec.kind == ListKind::Payments && !order.iter().any(|c| c.starts_with("p.id")) {
        order.push(format!("p.id {dir}"));
    }
    let payment = match spec.kind {
        ListKind::Orders => "NULL",
        ListKind::Payments => "p.id",
    };
    let sql = format!(
        "SELECT o.id, o.number, {payment} FROM {from} WHERE {} ORDER BY {}",
        conds.join(" AND "),
        order.join(", ")
    );
    let mut stmt = store.conn().prepare(&sql).unwrap();
    let rows: Vec<(i64, String, Option<i64>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    rows.into_iter()
        .map(|(id, number, payment)| match spec.kind {
            ListKind::Orders => {
                let main = store.reader().payment_for_order(id).unwrap();
                ident(&number, main.map(|p| p.id))
            }
            ListKind::Payments => ident(&number, payment),
        })
        .collect()
}

fn walk(store: &Store, spec: &ListSpec, mut plan: Plan, height: usize) -> [Vec<String>; 3] {
    let st = worker::settings(testing::now());
    let mut src = ListSource {
        conn: &store.reader(),
        spec,
        plan: &mut plan,
        settings: &st,
    };
    let row = |r: &data::ListRow| ident(&r.order.number, r.payment.as_ref().map(|p| p.id));
    let number = |p: &Pager<data::ListRow>| p.current().map(row);
    // Row by row, down.
    let mut pager = window(&mut src, None, 0, height).unwrap();
    let mut down = Vec::new();
    while let Some(n) = number(&pager) {
        if down.last() == Some(&n) {
            break;
        }
        down.push(n);
        pager = navigate(&mut src, &pager, Nav::Down(1), height).unwrap();
    }
    // Row by row, up from the end.
    let mut pager = navigate(&mut src, &pager, Nav::Bottom, height).unwrap();
    let mut up = Vec::new();
    while let Some(n) = number(&pager) {
        if up.last() == Some(&n) {
            break;
        }
        up.push(n);
        pager = navigate(&mut src, &pager, Nav::Up(1), height).unwrap();
    }
    up.reverse();
    // Page by page: every row seen once, in order.
    let mut pager = window(&mut src, None, 0, height).unwrap();
    let mut pages: Vec<String> = Vec::new();
    for _ in 0..400 {
        for r in pager.rows.iter().map(row) {
            if !pages.contains(&r) {
                pages.push(r);
            }
        }
        let next = navigate(&mut src, &pager, Nav::PageDown, height).unwrap();
        if next.rows == pager.rows {
            break;
        }
        pager = next;
    }
    [down, up, pages]
}

fn check_spec(store: &Store, spec: &ListSpec) {
    check_one(store, spec);
    // With the search index query the dashboard chooses (rarest trigrams).
    let mut chosen = spec.clone();
    chosen.fts = data::Trigrams::default()
        .choose(&store.reader(), &spec.search)
        .unwrap();
    if chosen.fts.is_some() {
        check_one(store, &chosen);
    }
}

fn check_one(store: &Store, spec: &ListSpec) {
    let want = expected(store, spec);
    let chosen = plan(&store.reader(), spec).unwrap();
    let mut plans = vec![chosen, Plan::Dense { fallback: None }];
    for (seed, on) in [
        (Seed::Status, spec.filter.status.is_some()),
        (Seed::Payment, spec.filter.payment.is_some()),
        (Seed::Provider, spec.filter.provider.is_some()),
        (Seed::Search, data::fts_query(&spec.search).is_some()),
    ] {
        if on {
            plans.push(Plan::Set(seed));
        }
    }
    if spec.sort.col == data::SortCol::Newest && data::fts_query(&spec.search).is_some() {
        plans.push(Plan::Stream);
    }
    for p in plans {
        for height in [1, 7] {
            let [down, up, pages] = walk(store, spec, p, height);
            assert_eq!(down, want, "down, {spec:?} {p:?} h={height}");
            assert_eq!(up, want, "up, {spec:?} {p:?} h={height}");
            assert_eq!(pages, want, "pages, {spec:?} {p:?} h={height}");
        }
    }
    assert_eq!(
        data::count(&store.reader(), spec).unwrap(),
        want.len() as i64,
        "count {spec:?}"
    );
}

fn spec(kind: ListKind, sort: Sort) -> ListSpec {
    ListSpec {
        kind,
        sort,
        filter: Default::default(),
        search: String::new(),
        fts: None,
    }
}

#[test]
fn keyset_paging_reads_every_sort_in_order_both_ways() {
    let store = demo(90);
    // Orders with two payments, of either kind of main payment, are there.
    let two: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM (SELECT order_id FROM payments GROUP BY order_id \
             HAVING count(*) = 2)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(two >= 15, "{two} orders with two payments");
    for (kind, sorts) in [
        (ListKind::Orders, ORDER_SORTS),
        (ListKind::Payments, PAYMENT_SORTS),
    ] {
        for &col in sorts {
            for desc in [false, true] {
                check_spec(&store, &spec(kind, Sort { col, desc }));
            }
        }
    }
}

#[test]
fn filters_and_searches_read_the_same_rows_whatever_the_plan() {
    let store = demo(150);
    let mut cases = Vec::new();
    let date = Sort {
        col: data::SortCol::Date,
        desc: true,
    };
    let mut s = spec(ListKind::Orders, date);
    s.filter.status = Some(OrderStatus::Cancelled);
    cases.push(s);
    let mut s = spec(ListKind::Payments, Sort::default());
    s.filter.provider = Some(Provider::Wave);
    cases.push(s);
    let mut s = spec(ListKind::Orders, Sort::default());
    s.filter.payment = Some(OrderPaymentStatus::Failed);
    s.filter.status = Some(OrderStatus::Pending);
    cases.push(s);
    let mut s = spec(ListKind::Orders, Sort::default());
    s.filter.provider = Some(Provider::Cash);
    cases.push(s);
    for search in [
        "diop",
        "DIOP",
        "pi_3demo00000011",
        "pi_3retry",
        "T_RETRY_0000",
        "ST10",
        "a",
        "T_WAVE",
        "%",
        "ab\"c",
    ] {
        for kind in [ListKind::Orders, ListKind::Payments] {
            let mut s = spec(kind, Sort::default());
            s.search = search.to_owned();
            cases.push(s.clone());
            s.sort = Sort {
                col: data::SortCol::Customer,
                desc: false,
            };
            cases.push(s);
        }
    }
    let mut s = spec(ListKind::Orders, date);
    s.search = "diop".to_owned();
    s.filter.provider = Some(Provider::Stripe);
    cases.push(s);
    for s in &cases {
        check_spec(&store, s);
    }
}

#[test]
fn the_search_index_follows_every_writer() {
    let mut store = testing::shop();
    let find = |store: &Store, q: &str| {
        let mut s = spec(ListKind::Orders, Sort::default());
        s.search = q.to_owned();
        let mut p = Plan::Set(Seed::Search);
        let st = worker::settings(testing::now());
        fetch(&store.reader(), &s, &mut p, data::Anchor::First, 50, &st)
            .unwrap()
            .into_iter()
            .map(|r| r.order.number)
            .collect::<Vec<_>>()
    };
    assert_eq!(find(&store, "5O190127"), ["TEST1014"]);
    // A reference set by validation is found.
    crate::ops::validate(
        &mut store,
        "TEST2002",
        Some("T_WAVE_NEW1"),
        "t",
        testing::now(),
    )
    .unwrap();
    assert_eq!(find(&store, "wave_new"), ["TEST2002"]);
    // A customer renamed by an import is found under the new name only.
    store
        .conn()
        .execute(
            "UPDATE orders SET customer_name = 'Zoé Quist' WHERE number = 'TEST2001'",
            [],
        )
        .unwrap();
    assert_eq!(find(&store, "quist"), ["TEST2001"]);
    assert!(find(&store, "lucas bernard").is_empty());
    // A deleted payment takes its reference with it.
    store
        .conn()
        .execute("DELETE FROM payments WHERE reference = 'pi_3Nghi'", [])
        .unwrap();
    assert!(find(&store, "pi_3Nghi").is_empty());
    assert_eq!(find(&store, "hugo"), ["TEST2003"]);
}

#[test]
fn a_dense_read_that_is_too_slow_falls_back_to_the_set_plan() {
    let store = demo(60);
    let mut s = spec(ListKind::Orders, Sort::default());
    s.filter.status = Some(OrderStatus::Cancelled);
    let mut p = Plan::Dense {
        fallback: Some(Seed::Status),
    };
    let st = worker::settings(testing::now());
    // A budget of zero: interrupted at once.
    let rows = fetch(&store.reader(), &s, &mut p, data::Anchor::First, 5, &st).unwrap();
    assert!(
        rows.iter()
            .all(|r| r.order.status == OrderStatus::Cancelled)
    );
    assert!(matches!(p, Plan::Dense { .. } | Plan::Set(Seed::Status)));
}

/// An app on the test shop, read by a runner without threads.
fn shop_app(store: Store, page: usize) -> (App, Runner) {
    let mut app = App::new("shop.db", "tester", false, testing::now());
    app.page_size = page;
    let mut runner = Runner::bare(store);
    runner.start(&mut app);
    (app, runner)
}

fn press(app: &mut App, runner: &mut Runner, ev: KeyEvent) {
    let _ = runner.handle(app, Event::Key(ev));
}

fn type_keys(app: &mut App, runner: &mut Runner, text: &str) {
    for c in text.chars() {
        press(app, runner, key(c));
    }
}

#[test]
fn search_narrows_as_you_type_and_keeps_marks() {
    let (mut app, mut r) = shop_app(testing::shop(), 20);
    press(&mut app, &mut r, key(' '));
    press(&mut app, &mut r, key('/'));
    type_keys(&mut app, &mut r, "ca");
    let n = app.orders.pager.rows.len();
    type_keys(&mut app, &mut r, "mille");
    assert!(app.orders.pager.rows.len() < n);
    let numbers: Vec<&str> = app
        .orders
        .pager
        .rows
        .iter()
        .map(|r| r.order.number.as_str())
        .collect();
    assert_eq!(numbers, ["TEST1014"]);
    assert_eq!(app.orders.count, Some(1));
    press(&mut app, &mut r, code(KeyCode::Enter));
    assert_eq!(app.search, "camille");
    assert_eq!(app.marks.len(), 1, "marks survive a search");
}

#[test]
fn marking_everything_and_a_range_reads_the_ids() {
    let (mut app, mut r) = shop_app(demo(40), 5);
    press(&mut app, &mut r, key('*'));
    assert_eq!(app.marks.len(), 40);
    press(&mut app, &mut r, key('u'));
    press(&mut app, &mut r, key('v'));
    for _ in 0..8 {
        press(&mut app, &mut r, key('j'));
    }
    press(&mut app, &mut r, key('v'));
    let marked: Vec<&String> = app.marks.values().collect();
    assert_eq!(marked.len(), 9, "{marked:?}");
    assert_eq!(marked[0], "TEST1032");
    assert_eq!(marked[8], "TEST1040");
}

#[test]
fn cancelling_marked_orders_goes_through_the_confirmation_and_the_operations() {
    let (mut app, mut r) = shop_app(testing::shop(), 20);
    press(&mut app, &mut r, key(' '));
    press(&mut app, &mut r, key(' '));
    press(&mut app, &mut r, key('x'));
    let Mode::Confirm(c) = &app.mode else {
        panic!("a confirmation: {:?}", app.mode);
    };
    assert_eq!(c.title, "Cancel 2 orders");
    // Nothing here keeps money at a provider: no refund to offer.
    assert_eq!(c.refund_offer, None);
    press(&mut app, &mut r, key('y'));
    let Mode::Summary { summary, .. } = &app.mode else {
        panic!("a summary: {:?}", app.mode);
    };
    assert_eq!(summary.done.len(), 2);
    assert!(app.marks.is_empty(), "marks are cleared after an action");
    for n in ["TEST2004", "TEST2003"] {
        let (o, _) = testing::get(r.store(), n);
        assert_eq!(o.status, OrderStatus::Cancelled);
        let events = testing::events(r.store(), n);
        assert_eq!(
            events.last().unwrap(),
            &(
                crate::domain::AuditEvent::OrderAndPaymentCancelled.to_string(),
                "tester".to_owned()
            )
        );
    }
    // The list shows the new state.
    assert_eq!(
        app.orders.pager.rows[0].order.status,
        OrderStatus::Cancelled
    );
    let _ = Action::Cancel;
}

#[test]
fn another_process_commit_is_shown_keeping_cursor_marks_and_filter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.db");
    let mut store = Store::open(&path, crate::store::OpenMode::CreateIfMissing).unwrap();
    let set = crate::transfer::read_bytes("shop.json", testing::SHOP.as_bytes()).unwrap();
    crate::transfer::import(&mut store, &set, "fixture", testing::now()).unwrap();
    let (mut app, mut r) = shop_app(store, 20);
    app.filter.status = Some(OrderStatus::Pending);
    r.perform(&mut app, Task::Requery);
    press(&mut app, &mut r, key(' '));
    let before: Vec<String> = app
        .orders
        .pager
        .rows
        .iter()
        .map(|r| r.order.number.clone())
        .collect();
    assert_eq!(app.orders.pager.cursor, 1);
    // Another process pays TEST2003.
    let mut other = Store::open(&path, crate::store::OpenMode::MustExist).unwrap();
    crate::ops::set_order_payment_status(
        &mut other,
        "TEST2003",
        OrderPaymentStatus::Paid,
        "cron",
        testing::now(),
    )
    .unwrap();
    std::thread::sleep(POLL + Duration::from_millis(50));
    let _ = r.handle(&mut app, Event::Tick);
    let row = app
        .orders
        .pager
        .rows
        .iter()
        .find(|r| r.order.number == "TEST2003")
        .unwrap();
    assert_eq!(row.order.payment_status, OrderPaymentStatus::Paid);
    let after: Vec<String> = app
        .orders
        .pager
        .rows
        .iter()
        .map(|r| r.order.number.clone())
        .collect();
    assert_eq!(after, before);
    assert_eq!(app.orders.pager.cursor, 1);
    assert_eq!(app.marks.len(), 1);
    assert_eq!(app.filter.status, Some(OrderStatus::Pending));
}

// Snapshots: every view and overlay at 120×30, on the fixed test shop.

fn render(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| f.render_widget(app, f.area())).unwrap();
    terminal.backend().to_string()
}

fn with_events(store: &Store) {
    store
        .conn()
        .execute_batch(
            "INSERT INTO webhook_log (received_at, provider, path, event_id, event_type,
                 signature, result, http_status, duration_us, error, order_number, source)
             VALUES
             ('2026-11-20T09:00:00.000Z', 'stripe', '/v1/events', 'evt_1', 'payment_intent.succeeded',
              'not_checked', 'applied', 200, 850, NULL, 'TEST2001', 'sync'),
             ('2026-11-20T10:00:00.000Z', 'paypal', '/webhooks/paypal', 'WH-2', 'PAYMENT.CAPTURE.COMPLETED',
              'verified', 'error', 500, 1200, 'database is locked', 'TEST1014', 'webhook'),
             ('2026-11-20T11:00:00.000Z', 'stripe', '/webhooks/stripe', NULL, NULL,
              'invalid', 'rejected', 400, 90, 'signature does not match', NULL, 'webhook');
             INSERT INTO orphans (provider, reference, amount_minor, currency, event_id,
                 event_type, order_number, received_at)
             VALUES
             ('stripe', 'pi_3Nzzz', 4990, 'EUR', 'evt_9', 'payment_intent.succeeded', NULL,
              '2026-11-19T08:00:00.000Z'),
             ('paypal', '7XY12345', 8990, 'EUR', 'WH-9', 'PAYMENT.CAPTURE.COMPLETED', 'TEST1014',
              '2026-11-19T09:30:00.000Z');",
        )
        .unwrap();
}

fn snapshot_app() -> (App, Runner) {
    let store = testing::shop();
    with_events(&store);
    shop_app(
        store,
        ui::table_height(ratatui::layout::Rect::new(0, 0, 120, 30)),
    )
}

#[test]
fn snapshot_orders() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('j'));
    press(&mut app, &mut r, key(' '));
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_payments() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('2'));
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_findings() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('3'));
    press(&mut app, &mut r, key('j'));
    press(&mut app, &mut r, key(' '));
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_webhooks() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('4'));
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_orphans() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('5'));
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_search_line() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('/'));
    type_keys(&mut app, &mut r, "example.com");
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_filter_dialog_and_sort() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('o'));
    press(&mut app, &mut r, key('F'));
    press(&mut app, &mut r, key('l'));
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_detail() {
    let (mut app, mut r) = snapshot_app();
    let at = app
        .orders
        .pager
        .rows
        .iter()
        .position(|r| r.order.number == "TEST1014")
        .unwrap();
    for _ in 0..at {
        press(&mut app, &mut r, key('j'));
    }
    press(&mut app, &mut r, code(KeyCode::Enter));
    insta::assert_snapshot!(render(&app, 120, 30));
}

/// The test shop and TEST3001, paid with Wave after a failed Stripe
/// attempt whose authorisation was released.
fn retried_shop() -> Store {
    let mut store = testing::shop();
    with_events(&store);
    let at = |m: u32| {
        use chrono::TimeZone;
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 9, m, 0)
            .single()
            .unwrap()
    };
    let eur = crate::domain::Currency::parse("EUR").unwrap();
    let total = Money::parse("29.90", eur).unwrap();
    let mut order = Order {
        id: 0,
        number: "TEST3001".to_owned(),
        customer_name: "Aminata Ba".to_owned(),
        customer_email: "aminata@example.com".to_owned(),
        total,
        status: OrderStatus::Processing,
        payment_status: OrderPaymentStatus::Paid,
        created_at: at(0),
        updated_at: at(20),
        paid_at: Some(at(20)),
        cancelled_at: None,
    };
    store
        .write(|tx| -> rusqlite::Result<()> {
            order.id = tx.insert_order(&order)?;
            let reference = "pi_3Qfail000000000042";
            let mut stripe = attempt(&order, Provider::Stripe, reference, at(1));
            stripe.status = PaymentStatus::Failed;
            stripe.provider_status = Some("canceled".to_owned());
            stripe.status_source = StatusSource::Provider;
            stripe.updated_at = at(9);
            let stripe_moves = [
                Movement::new(Flow::Authorised, total, at(2)).with_id(reference),
                Movement::new(Flow::Released, total, at(9)).with_id(reference),
            ];
            tx.insert_payment_with_ledger(
                &mut stripe,
                &stripe_moves,
                MovementSource::Import,
                at(9),
            )?;
            let mut wave = attempt(&order, Provider::Wave, "T_WAVE_3001", at(15));
            wave.status = PaymentStatus::Completed;
            wave.completed_at = Some(at(20));
            wave.updated_at = at(20);
            let wave_moves = [Movement::new(Flow::Captured, total, at(20)).with_id("T_WAVE_3001")];
            tx.insert_payment_with_ledger(&mut wave, &wave_moves, MovementSource::Import, at(20))?;
            Ok(())
        })
        .unwrap();
    store
}

#[test]
fn an_order_paid_twice_is_one_order_row_two_payment_rows_and_flagged() {
    let mut store = retried_shop();
    let (order, first) = testing::get(&store, "TEST2001");
    let at = order.created_at + chrono::Duration::hours(1);
    let mut wave = attempt(&order, Provider::Wave, "T_WAVE_2001", at);
    wave.status = PaymentStatus::Completed;
    wave.completed_at = Some(at);
    let captured = Movement::new(Flow::Captured, order.total, at).with_id("T_WAVE_2001");
    store
        .write(|tx| {
            tx.insert_payment_with_ledger(&mut wave, &[captured], MovementSource::Import, at)
        })
        .unwrap();
    let (mut app, mut r) = shop_app(store, 20);
    let rows: Vec<&data::ListRow> = app
        .orders
        .pager
        .rows
        .iter()
        .filter(|r| r.order.number == "TEST2001")
        .collect();
    assert_eq!(rows.len(), 1, "one row per order");
    let row = rows[0];
    // The main payment: the first of those that keep money (the later one
    // is the double charge).
    let first = first.map(|p| p.id);
    assert_eq!(row.payment.as_ref().map(|p| p.id), first);
    assert_ne!(first, Some(wave.id));
    assert_eq!(
        row.money,
        data::OrderMoney {
            payments: 2,
            captured: 11_980,
            kept: 11_980
        }
    );
    assert_eq!(
        views::orders::kept(&row.order, &row.money, crate::i18n::Lang::En),
        "119.80"
    );
    assert!(
        row.flags.contains(&crate::report::Rule::DuplicatePayment),
        "{:?}",
        row.flags
    );
    // TEST3001 keeps its total: nothing beside it.
    let t3001 = &app.orders.pager.rows[0];
    assert_eq!(t3001.order.number, "TEST3001");
    assert_eq!(
        views::orders::kept(&t3001.order, &t3001.money, crate::i18n::Lang::En),
        ""
    );
    press(&mut app, &mut r, key('2'));
    let numbers: Vec<&str> = app
        .payments
        .pager
        .rows
        .iter()
        .map(|r| r.order.number.as_str())
        .collect();
    assert_eq!(numbers.iter().filter(|n| **n == "TEST2001").count(), 2);
    assert_eq!(numbers.iter().filter(|n| **n == "TEST3001").count(), 2);
    assert_eq!(app.payments.count, Some(9));
    assert_eq!(app.orders.count, Some(8));
}

#[test]
fn what_an_order_keeps_is_shown_where_it_differs_from_its_total() {
    let (order, _) = testing::get(&testing::shop(), "TEST2003");
    let money = |payments, captured, kept| data::OrderMoney {
        payments,
        captured,
        kept,
    };
    let mut paid = order.clone();
    paid.payment_status = OrderPaymentStatus::Paid;
    // 79.90 EUR, pending: nothing kept, nothing to say.
    assert_eq!(money(1, 0, 0).kept_apart(&order), None);
    assert_eq!(money(0, 0, 0).kept_apart(&order), None);
    // Paid, and nothing captured: it keeps nothing.
    assert_eq!(money(1, 0, 0).kept_apart(&paid), Some(0));
    // Captured, then refunded in part, or twice.
    assert_eq!(money(1, 7_990, 2_990).kept_apart(&order), Some(2_990));
    assert_eq!(money(2, 15_980, 15_980).kept_apart(&paid), Some(15_980));
    // Keeps its total: nothing to say.
    assert_eq!(money(2, 7_990, 7_990).kept_apart(&paid), None);
    assert_eq!(
        views::orders::kept(&paid, &money(1, 7_990, 2_990), crate::i18n::Lang::En),
        "29.90"
    );
}

#[test]
fn snapshot_detail_of_an_order_with_two_attempts() {
    let (mut app, mut r) = shop_app(
        retried_shop(),
        ui::table_height(ratatui::layout::Rect::new(0, 0, 120, 50)),
    );
    // TEST3001 is the newest order: the first row.
    assert_eq!(app.orders.pager.rows[0].order.number, "TEST3001");
    press(&mut app, &mut r, code(KeyCode::Enter));
    insta::assert_snapshot!(render(&app, 120, 50));
}

#[test]
fn snapshot_payments_at_100_columns() {
    let (mut app, mut r) = shop_app(
        demo(30),
        ui::table_height(ratatui::layout::Rect::new(0, 0, 100, 30)),
    );
    press(&mut app, &mut r, key('2'));
    let screen = render(&app, 100, 30);
    // The references' unique ends are shown.
    assert!(screen.contains(" pi_3dem…001020 "), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn snapshot_help() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('?'));
    insta::assert_snapshot!(render(&app, 120, 50));
}

#[test]
fn snapshot_confirm_and_summary() {
    let (mut app, mut r) = snapshot_app();
    // TEST2001 (completed at Stripe) and TEST2002 (pending Wave).
    for _ in 0..2 {
        press(&mut app, &mut r, key('j'));
    }
    press(&mut app, &mut r, key(' '));
    press(&mut app, &mut r, key(' '));
    press(&mut app, &mut r, key('x'));
    let confirm = render(&app, 120, 30);
    press(&mut app, &mut r, key('y'));
    let summary = render(&app, 120, 30);
    insta::assert_snapshot!("snapshot_confirm", confirm);
    insta::assert_snapshot!("snapshot_summary", summary);
}

#[test]
fn snapshot_choose_status() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('s'));
    press(&mut app, &mut r, key('j'));
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_read_only_and_too_small() {
    let (mut app, mut r) = snapshot_app();
    app.read_only = true;
    press(&mut app, &mut r, key('x'));
    insta::assert_snapshot!("snapshot_read_only", render(&app, 120, 30));
    insta::assert_snapshot!("snapshot_too_small", render(&app, 50, 8));
}

#[test]
fn the_webhook_and_orphan_views_act_through_the_listener() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('5'));
    assert_eq!(app.view, View::Orphans);
    press(&mut app, &mut r, key('d'));
    let Mode::Confirm(c) = &app.mode else {
        panic!("a confirmation: {:?}", app.mode);
    };
    assert_eq!(c.title, "Dismiss orphan #2");
    press(&mut app, &mut r, key('y'));
    let Mode::Summary { summary, .. } = &app.mode else {
        panic!("a summary: {:?}", app.mode);
    };
    assert_eq!(summary.done, [("#2".to_owned(), "dismissed".to_owned())]);
    press(&mut app, &mut r, code(KeyCode::Esc));
    assert_eq!(app.orphans.rows.len(), 1);
    assert_eq!(app.orphans_open, 1);
    // Link asks for the order number first.
    press(&mut app, &mut r, key('l'));
    type_keys(&mut app, &mut r, "TEST2001");
    press(&mut app, &mut r, code(KeyCode::Enter));
    let Mode::Confirm(c) = &app.mode else {
        panic!("a confirmation: {:?}", app.mode);
    };
    assert_eq!(c.title, "Link orphan #1 to TEST2001");
    press(&mut app, &mut r, key('n'));
    // Replay of a delivery without a stored body is refused, and says so.
    press(&mut app, &mut r, key('4'));
    press(&mut app, &mut r, key('r'));
    press(&mut app, &mut r, key('y'));
    let Mode::Summary { summary, .. } = &app.mode else {
        panic!("a summary: {:?}", app.mode);
    };
    assert_eq!(summary.skipped.len(), 1, "{summary:?}");
    let _ = Value::Null;
}

/// A one-session stand-in for Wave's Checkout API (`GET
/// /v1/checkout/sessions/{id}`, wave.md §2): `cos-dash1` is paid; any
/// other path is a 404. Answers until the test's end.
fn wave_stand_in() -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let (code, body) = if req.url() == "/v1/checkout/sessions/cos-dash1" {
                (
                    200,
                    serde_json::json!({"id": "cos-dash1", "amount": "25000", "currency": "XOF",
                        "checkout_status": "complete", "payment_status": "succeeded",
                        "transaction_id": "TDASH1", "client_reference": "TEST2002",
                        "when_created": "2026-11-29T10:00:00Z",
                        "when_completed": "2026-11-29T10:01:00Z"})
                    .to_string(),
                )
            } else {
                (
                    404,
                    r#"{"code":"not-found","message":"not found"}"#.to_owned(),
                )
            };
            let _ = req.respond(tiny_http::Response::from_string(body).with_status_code(code));
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn s_syncs_through_the_sync_room_and_the_lists_show_it() {
    let store = testing::shop();
    // TEST2002's Wave payment: a checkout session paid at Wave whose
    // webhook never came, created just now (sync asks about recent ones).
    store
        .conn()
        .execute(
            "UPDATE payments SET reference = 'cos-dash1', created_at = ?1
             WHERE order_id = (SELECT id FROM orders WHERE number = 'TEST2002')",
            [crate::domain::format_ts(chrono::Utc::now())],
        )
        .unwrap();
    let (mut app, mut runner) = shop_app(store, 20);
    let url = wave_stand_in();
    runner.sync_clients = Box::new(move || {
        let wave = crate::providers::wave::api::WaveApi::new(
            &url,
            crate::providers::credentials::WaveKey::new("wave_sn_prod_dash"),
            Duration::from_secs(5),
        )
        .map_err(|e| e.msg())?;
        Ok(crate::sync::clients::Clients {
            wave: Some(wave),
            ..Default::default()
        })
    });
    press(&mut app, &mut runner, key('S'));
    let (text, tone) = app.status.clone().unwrap();
    assert_eq!(tone, app::Tone::Info, "{text}");
    assert_eq!(
        text,
        "sync: 1 change (wave 1; 1 API call): see the Webhooks view, source sync"
    );
    let row = app
        .orders
        .pager
        .rows
        .iter()
        .find(|r| r.order.number == "TEST2002")
        .unwrap();
    assert_eq!(
        row.order.payment_status,
        OrderPaymentStatus::Paid,
        "the list was not read again"
    );
    assert!(
        render(&app, 120, 30).contains("synced "),
        "{}",
        render(&app, 120, 30)
    );
    // The Webhooks view shows the fact, with its source.
    press(&mut app, &mut runner, key('4'));
    let screen = render(&app, 120, 30);
    assert!(
        screen.contains("wave     sync    checkout.session.completed     applied"),
        "{screen}"
    );
    // Again: nothing new.
    press(&mut app, &mut runner, key('S'));
    assert!(
        app.status
            .clone()
            .unwrap()
            .0
            .starts_with("sync: nothing new (wave; 0 API calls)"),
        "{:?}",
        app.status
    );
}

#[test]
fn snapshot_help_general_and_syncing() {
    let (mut app, mut r) = snapshot_app();
    press(&mut app, &mut r, key('?'));
    press(&mut app, &mut r, code(KeyCode::PageDown));
    insta::assert_snapshot!(render(&app, 120, 30));
    press(&mut app, &mut r, code(KeyCode::Esc));
    app.sync = super::sync::SyncState::Running {
        progress: "wave: pending payments 2/5".to_owned(),
    };
    insta::assert_snapshot!(render(&app, 120, 30));
}

// In French: the same views and overlays, snapshot at the same sizes, and
// a walk through every one of them that fails on an English status word
// or hint on screen.

mod french {
    use super::*;
    use crate::i18n::{Lang, Zone};

    fn fr_app() -> (App, Runner) {
        let (mut app, r) = snapshot_app();
        app.lang = Lang::Fr;
        (app, r)
    }

    fn keys(app: &mut App, r: &mut Runner, keys: &[KeyEvent]) {
        for k in keys {
            press(app, r, *k);
        }
    }

    #[test]
    fn fr_snapshot_views() {
        for (name, view) in [
            ("fr_orders", '1'),
            ("fr_payments", '2'),
            ("fr_findings", '3'),
            ("fr_webhooks", '4'),
            ("fr_orphans", '5'),
        ] {
            let (mut app, mut r) = fr_app();
            keys(&mut app, &mut r, &[key(view), key('j'), key(' ')]);
            insta::assert_snapshot!(name, render(&app, 120, 30));
        }
    }

    #[test]
    fn fr_snapshot_overlays() {
        let cases: Vec<(&str, Vec<KeyEvent>, u16)> = vec![
            ("fr_search_line", vec![key('/'), key('e'), key('x')], 30),
            (
                "fr_filter_dialog_and_sort",
                vec![key('o'), key('F'), key('l')],
                30,
            ),
            ("fr_help", vec![key('?')], 50),
            ("fr_choose_status", vec![key('s'), key('j')], 30),
            ("fr_choose_order_payment_status", vec![key('p')], 30),
            (
                "fr_detail_webhook",
                vec![key('4'), key('j'), code(KeyCode::Enter)],
                30,
            ),
            ("fr_detail_orphan", vec![key('5'), code(KeyCode::Enter)], 30),
            (
                "fr_detail_finding",
                vec![key('3'), code(KeyCode::Enter)],
                30,
            ),
            ("fr_link_prompt", vec![key('5'), key('l')], 30),
            ("fr_dismiss", vec![key('5'), key('d')], 30),
            ("fr_replay", vec![key('4'), key('j'), key('r')], 30),
            ("fr_fix", vec![key('3'), key('f')], 30),
        ];
        for (name, ks, h) in cases {
            let (mut app, mut r) = fr_app();
            keys(&mut app, &mut r, &ks);
            insta::assert_snapshot!(name, render(&app, 120, h));
        }
    }

    #[test]
    fn fr_snapshot_detail_confirm_and_summary() {
        let (mut app, mut r) = fr_app();
        let at = app
            .orders
            .pager
            .rows
            .iter()
            .position(|r| r.order.number == "TEST1014")
            .unwrap();
        for _ in 0..at {
            press(&mut app, &mut r, key('j'));
        }
        press(&mut app, &mut r, code(KeyCode::Enter));
        insta::assert_snapshot!("fr_detail", render(&app, 120, 30));

        let (mut app, mut r) = fr_app();
        keys(
            &mut app,
            &mut r,
            &[key('j'), key('j'), key(' '), key(' '), key('x')],
        );
        insta::assert_snapshot!("fr_confirm", render(&app, 120, 30));
        press(&mut app, &mut r, key('y'));
        insta::assert_snapshot!("fr_summary", render(&app, 120, 30));

        // Cancel and refund (X), refund ($): what each provider gives back.
        for (k, name) in [
            ('X', "fr_confirm_cancel_refund"),
            ('$', "fr_confirm_refund"),
        ] {
            let (mut app, mut r) = fr_app();
            keys(
                &mut app,
                &mut r,
                &[key('j'), key('j'), key(' '), key(' '), key(k)],
            );
            insta::assert_snapshot!(name, render(&app, 120, 30));
        }

        let (mut app, mut r) = shop_app(
            retried_shop(),
            ui::table_height(ratatui::layout::Rect::new(0, 0, 120, 50)),
        );
        app.lang = Lang::Fr;
        press(&mut app, &mut r, code(KeyCode::Enter));
        insta::assert_snapshot!(
            "fr_detail_of_an_order_with_two_attempts",
            render(&app, 120, 50)
        );
    }

    /// The Statements view, a line's detail and the sixth tab, in French,
    /// with no English status word or hint on screen.
    #[test]
    fn fr_snapshot_statements() {
        let cases: Vec<(&str, Vec<KeyEvent>)> = vec![
            ("fr_statements", vec![code(KeyCode::BackTab), key('j')]),
            (
                "fr_statement_line_detail",
                vec![code(KeyCode::BackTab), code(KeyCode::Enter)],
            ),
            ("fr_orders_with_statements", vec![]),
        ];
        for (name, ks) in cases {
            let (mut app, mut r) = statements_app(true);
            app.lang = Lang::Fr;
            keys(&mut app, &mut r, &ks);
            let screen = render(&app, 120, 30);
            // The provider's own type text ("Express Checkout Payment") is
            // the file's words, shown as they are.
            let ours: String = screen
                .lines()
                .filter(|line| !line.contains("type (fichier)"))
                .collect::<Vec<_>>()
                .join("\n");
            let english: Vec<String> = words(&ours)
                .into_iter()
                .filter(|w| ENGLISH.contains(&w.as_str()))
                .collect();
            assert!(english.is_empty(), "{name}: {english:?}\n{screen}");
            insta::assert_snapshot!(name, screen);
        }
    }

    #[test]
    fn fr_snapshot_help_general_and_syncing() {
        let (mut app, mut r) = fr_app();
        press(&mut app, &mut r, key('?'));
        press(&mut app, &mut r, code(KeyCode::PageDown));
        insta::assert_snapshot!("fr_help_general", render(&app, 120, 30));
        press(&mut app, &mut r, code(KeyCode::Esc));
        app.sync = crate::dash::sync::SyncState::Running {
            progress: crate::dash::sync::progress_text(
                &crate::sync::Progress::Refreshing {
                    provider: crate::domain::Provider::Wave,
                    done: 2,
                    total: 5,
                },
                Lang::Fr,
            ),
        };
        insta::assert_snapshot!("fr_syncing", render(&app, 120, 30));
        app.sync = crate::dash::sync::SyncState::Done {
            at: crate::testing::now(),
            summary: String::new(),
            tone: crate::dash::app::Tone::Warn,
        };
        assert!(
            render(&app, 120, 30).contains("synchronisé à 12:00, avec des problèmes"),
            "{}",
            render(&app, 120, 30)
        );
    }

    #[test]
    fn fr_snapshot_read_only_too_small_and_zone() {
        let (mut app, mut r) = fr_app();
        app.read_only = true;
        press(&mut app, &mut r, key('x'));
        insta::assert_snapshot!("fr_read_only", render(&app, 120, 30));
        insta::assert_snapshot!("fr_too_small", render(&app, 50, 8));
        // Dates in the machine's zone, named in the title.
        let (mut app, _r) = fr_app();
        app.zone = Zone::Fixed(
            chrono::FixedOffset::east_opt(3600).unwrap(),
            "Europe/Paris".into(),
        );
        insta::assert_snapshot!("fr_orders_in_paris", render(&app, 120, 30));
        let (mut app, mut r) = shop_app(
            demo(30),
            ui::table_height(ratatui::layout::Rect::new(0, 0, 100, 30)),
        );
        app.lang = Lang::Fr;
        press(&mut app, &mut r, key('2'));
        insta::assert_snapshot!("fr_payments_at_100_columns", render(&app, 100, 30));
        let (mut app, mut r) = shop_app(
            demo(30),
            ui::table_height(ratatui::layout::Rect::new(0, 0, 100, 30)),
        );
        app.lang = Lang::Fr;
        press(&mut app, &mut r, key('1'));
        insta::assert_snapshot!("fr_orders_at_100_columns", render(&app, 100, 30));
    }

    /// English words that must not be on a French screen: the status
    /// words and the hints' verbs and key names.
    const ENGLISH: &[&str] = &[
        "pending",
        "processing",
        "shipped",
        "delivered",
        "cancelled",
        "paid",
        "failed",
        "refunded",
        "completed",
        "search",
        "filter",
        "sort",
        "mark",
        "details",
        "cancel",
        "validate",
        "replay",
        "link",
        "dismiss",
        "help",
        "quit",
        "fix",
        "Enter",
        "Esc",
        "Space",
        "orders",
        "payments",
        "findings",
        "Orders",
        "Payments",
        "Findings",
        "Orphans",
        "order",
        "payment",
        "confirm",
        "decline",
        "close",
        "none",
        "yes",
        "no",
        "marked",
        "skipped",
        "Done",
        "Skipped",
        "Number",
        "Customer",
        "Status",
        "Provider",
        "Amount",
        "Reference",
        "Received",
        "Event",
        "Result",
        "Error",
        "Kept",
        "Payment",
        "Order",
        "Keys",
        "Filter",
        "any",
        "captured",
        "owed",
        "kept",
        "lost",
        "refund",
        "dispute",
        "chargeback",
    ];

    /// The words of a screen, without what is quoted as a command (`tally
    /// orphans link 1 ORDER`) and without identifiers (`payment_intent.succeeded`,
    /// `status_mismatch`, e-mail addresses).
    fn words(screen: &str) -> Vec<String> {
        let mut text = String::new();
        let mut quoted = false;
        for c in screen.chars() {
            if c == '`' {
                quoted = !quoted;
            } else if !quoted {
                text.push(c);
            }
        }
        text.split(|c: char| !(c.is_alphanumeric() || "_.@-'".contains(c)))
            .map(|w| w.trim_matches(|c: char| c == '.' || c == '-' || c == '\''))
            .filter(|w| !w.contains(['_', '@', '.']))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn no_english_status_word_or_hint_on_any_french_screen() {
        let mut walks: Vec<(String, Vec<KeyEvent>, u16, u16)> = Vec::new();
        for view in ['1', '2', '3', '4', '5'] {
            for extra in [
                vec![],
                vec![key('?')],
                vec![code(KeyCode::Enter)],
                vec![key('j'), code(KeyCode::Enter)],
                vec![key(' '), key('v')],
                vec![key('x')],
                vec![key('X')],
                vec![key('$')],
                vec![key('a')],
                vec![key('s')],
                vec![key('p')],
                vec![key('f')],
                vec![key('r')],
                vec![key('l')],
                vec![key('d')],
                vec![key('/'), key('a')],
                vec![key('F'), key('l'), code(KeyCode::Down), key('l')],
                vec![key('o'), key('O')],
                vec![key('*')],
                vec![key('x'), key('y')],
                vec![key('x'), key('n')],
                vec![key('x'), key('r')],
                vec![key('S')],
                vec![key('?'), code(KeyCode::PageDown)],
                vec![key('X'), key('y')],
                vec![key('$'), key('y')],
                vec![key('j'), key('a'), key('y')],
                vec![key('f'), key('y')],
                vec![key('q')],
                vec![key('c')],
                vec![key('u')],
            ] {
                let mut ks = vec![key(view)];
                ks.extend(extra);
                walks.push((format!("view {view} keys {ks:?}"), ks, 120, 30));
            }
        }
        walks.push(("too small".into(), vec![], 50, 8));
        // The same screen in English has them: the walk can fail.
        let (app, _r) = snapshot_app();
        let english = words(&render(&app, 120, 30));
        for w in ["pending", "paid", "search", "Enter", "Orders"] {
            assert!(
                english.iter().any(|x| x == w),
                "{w} not found in {english:?}"
            );
        }
        let mut screens = 0;
        for (name, ks, w, h) in walks {
            for read_only in [false, true] {
                let (mut app, mut r) = fr_app();
                app.read_only = read_only;
                keys(&mut app, &mut r, &ks);
                let screen = render(&app, w, h);
                screens += 1;
                let english: Vec<String> = words(&screen)
                    .into_iter()
                    .filter(|w| ENGLISH.contains(&w.as_str()))
                    .collect();
                assert!(
                    english.is_empty(),
                    "{name} (read-only {read_only}): English on screen {english:?}\n{screen}"
                );
            }
        }
        assert!(screens > 200);
    }
}

// The Statements view: on the statements' fixture shop with its three
// statement files imported (tests/fixtures/statements: Stripe, PayPal,
// Wave; see tests/statements.rs for what each line is).

fn statements_fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/statements")
            .join(name),
    )
    .unwrap()
}

/// The fixture shop, with (or without) its statements imported.
fn statements_shop(imported: bool) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let shop = statements_fixture("shop.json");
    let set = crate::transfer::read_bytes("shop.json", &shop).unwrap();
    crate::transfer::import(&mut store, &set, "fixture", testing::now()).unwrap();
    if imported {
        let statements = [
            "stripe_balance.csv",
            "paypal_activity.csv",
            "wave_transactions.csv",
        ]
        .iter()
        .map(|name| {
            crate::statement::read::read_statement(
                name,
                &statements_fixture(name),
                &crate::statement::read::ReadOptions::default(),
            )
            .unwrap()
        })
        .collect();
        crate::ops::statement::import_statements(&mut store, statements, "fixture", testing::now())
            .unwrap();
    }
    store
}

fn statements_app(imported: bool) -> (App, Runner) {
    shop_app(
        statements_shop(imported),
        ui::table_height(ratatui::layout::Rect::new(0, 0, 120, 30)),
    )
}

/// Every line in display order by plain SQL: unmatched customer lines
/// that counted money first, then the rest, newest first within each.
fn statement_lines_by_sql(store: &Store) -> Vec<String> {
    store
        .conn()
        .prepare(
            "SELECT line_id FROM statement_lines ORDER BY
               CASE WHEN payment_id IS NULL
                     AND kind IN ('charge', 'refund', 'dispute', 'dispute_reversal')
                     AND status IN ('completed', 'pending') THEN 0 ELSE 1 END,
               at DESC, id DESC",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn the_statements_tab_is_shown_only_once_a_statement_is_imported() {
    let (mut app, mut r) = statements_app(false);
    assert!(!app.has_statements());
    assert!(!app.views().contains(&View::Statements));
    // Tab goes round the five views, never to Statements.
    for _ in 0..5 {
        press(&mut app, &mut r, code(KeyCode::Tab));
        assert_ne!(app.view, View::Statements);
    }
    assert_eq!(app.view, View::Orders);
    press(&mut app, &mut r, code(KeyCode::BackTab));
    assert_eq!(app.view, View::Orphans);

    let (mut app, mut r) = statements_app(true);
    assert_eq!(app.statement_files.len(), 3);
    assert_eq!(app.views().last(), Some(&View::Statements));
    press(&mut app, &mut r, code(KeyCode::BackTab));
    assert_eq!(app.view, View::Statements);
    press(&mut app, &mut r, code(KeyCode::Tab));
    assert_eq!(app.view, View::Orders);
    // The tab counts the unmatched customer lines.
    let unmatched = r
        .store()
        .reader()
        .unmatched_lines()
        .unwrap()
        .iter()
        .map(|l| l.line.line_id.clone())
        .collect::<Vec<_>>();
    // txn_fx07 is the charge ch_3fxUnknown, for an order the shop lacks.
    assert!(unmatched.contains(&"txn_fx07".to_owned()), "{unmatched:?}");
    assert!(
        unmatched.contains(&"3FXSTRANGER".to_owned()),
        "{unmatched:?}"
    );
    assert_eq!(app.statements_unmatched, unmatched.len() as i64);
    assert!(
        views::tab_title(&app, View::Statements).starts_with("6 Statements ("),
        "{}",
        views::tab_title(&app, View::Statements)
    );
}

#[test]
fn the_statement_lines_page_unmatched_first_both_ways() {
    let (mut app, mut r) = statements_app(true);
    let all = statement_lines_by_sql(r.store());
    assert!(all.len() > 10, "{all:?}");
    // A small screen: every line, walking down one at a time and a page at
    // a time, then back up, in the plain SQL's order.
    app.page_size = 6;
    press(&mut app, &mut r, code(KeyCode::BackTab));
    assert_eq!(app.view, View::Statements);
    let shown = views::statements::table_rows(&app, app.page_size);
    assert_eq!(shown, 6 - 4, "three files and the findings above");
    let ids = |app: &App| -> Vec<String> {
        app.statements
            .rows
            .iter()
            .map(|r| r.line.line.line_id.clone())
            .collect()
    };
    assert_eq!(ids(&app), all[..shown]);
    let mut walked = vec![app.statements.current().unwrap().line.line.line_id.clone()];
    for _ in 1..all.len() {
        press(&mut app, &mut r, key('j'));
        assert!(app.statements.rows.len() <= shown);
        walked.push(app.statements.current().unwrap().line.line.line_id.clone());
    }
    assert_eq!(walked, all);
    // At the end, down stays.
    press(&mut app, &mut r, key('j'));
    assert_eq!(
        app.statements.current().unwrap().line.line.line_id,
        all[all.len() - 1]
    );
    let mut back = Vec::new();
    for _ in 0..all.len() {
        back.push(app.statements.current().unwrap().line.line.line_id.clone());
        press(&mut app, &mut r, key('k'));
    }
    back.reverse();
    assert_eq!(back, all);
    // The unmatched customer lines come first, marked so.
    let unmatched = app.statements_unmatched as usize;
    press(&mut app, &mut r, key('g'));
    let mut seen = Vec::new();
    for _ in 0..all.len() {
        seen.push(app.statements.current().unwrap().unmatched());
        press(&mut app, &mut r, key('j'));
    }
    assert!(seen[..unmatched].iter().all(|u| *u));
    assert!(seen[unmatched..].iter().all(|u| !*u));
}

#[test]
fn enter_on_a_matched_line_opens_its_order_and_on_another_the_line() {
    let (mut app, mut r) = statements_app(true);
    press(&mut app, &mut r, code(KeyCode::BackTab));
    // The first line is unmatched: Enter shows the line and its file.
    let first = app.statements.current().unwrap().clone();
    assert!(first.unmatched() && first.order_id.is_none());
    assert_eq!(views::hints(&app), vec!["Enter details".to_owned()]);
    press(&mut app, &mut r, code(KeyCode::Enter));
    match &app.mode {
        Mode::Detail {
            detail: detail::Detail::Statement(s),
            ..
        } => {
            assert_eq!(s.0.line.line.line_id, first.line.line.line_id);
            assert_eq!(
                s.1.as_ref().map(|f| f.id),
                Some(first.line.file_id),
                "the line's file"
            );
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, &mut r, code(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
    // Down to TEST3001's charge, matched by its ids: Enter opens the order.
    for _ in 0..100 {
        if app.statements.current().unwrap().order_number.as_deref() == Some("TEST3001") {
            break;
        }
        press(&mut app, &mut r, key('j'));
    }
    let line = app.statements.current().unwrap().clone();
    assert_eq!(line.order_number.as_deref(), Some("TEST3001"));
    let (order, _) = testing::get(r.store(), "TEST3001");
    assert_eq!(line.order_id, Some(order.id));
    assert_eq!(views::hints(&app), vec!["Enter order".to_owned()]);
    press(&mut app, &mut r, code(KeyCode::Enter));
    match &app.mode {
        Mode::Detail {
            detail: detail::Detail::Order(d),
            ..
        } => assert_eq!(d.order.number, "TEST3001"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn snapshot_statements() {
    let (mut app, mut r) = statements_app(true);
    press(&mut app, &mut r, code(KeyCode::BackTab));
    press(&mut app, &mut r, key('j'));
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_statement_line_detail() {
    let (mut app, mut r) = statements_app(true);
    press(&mut app, &mut r, code(KeyCode::BackTab));
    press(&mut app, &mut r, code(KeyCode::Enter));
    insta::assert_snapshot!(render(&app, 120, 30));
}

#[test]
fn snapshot_orders_with_statements() {
    // The sixth tab, counting the unmatched lines.
    let (app, _r) = statements_app(true);
    insta::assert_snapshot!(render(&app, 120, 30));
}
