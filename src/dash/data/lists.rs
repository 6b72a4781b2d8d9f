//! The order and payment lists: sorts, filters, search, how each is read
//! (its plan), and counts.
//!
//! # Plans
//! A filtered or searched list is read one of three ways, chosen by
//! [`plan`] from capped counts (each reads at most [`SET_CAP`] index
//! entries):
//! - [`Plan::Set`]: one condition matches at most [`SET_CAP`] rows: read
//!   through its index, sort those few.
//! - [`Plan::Stream`]: a search in the Orders view's default "newest first"
//!   order: walk the search index backwards by order id, which *is* the sort
//!   order (chosen over `Set` unless a filter is rarer than the search). Not
//!   for the Payments view: an order's payments need a tie-breaker after the
//!   order id, and SQLite lets the search index give its order only to an
//!   `ORDER BY` on its own columns, so every match would be sorted.
//! - [`Plan::Dense`]: walk the sort index and test each row. Used when
//!   matches are common; a walk that finds its rows too slowly (matches
//!   common overall but rare here) falls back to `Set` after
//!   [`DENSE_BUDGET`].
//!
//! Counts of the whole result are not needed to draw a page; they are
//! computed by the counting thread ([`count`]).
//!
//! # Rows
//! An order may have several payments (attempts). The Orders view shows
//! each order once, with its *main* payment (the one that keeps money, else
//! the latest: [`Reader::payment_for_order`]'s order, joined by a correlated
//! subquery); its provider filter and its search look at every payment of
//! the order. The Payments view shows one row per payment. Each row also
//! carries the order's money over all its payments ([`OrderMoney`]). Every
//! sort ends in a unique tie-breaker, so keyset paging never skips or
//! repeats a row.

use std::time::{Duration, Instant};

use rusqlite::types::Value;
use rusqlite::{ErrorCode, params_from_iter};

use super::keyset::{Anchor, Keyset, RowKey, Source};
use super::search::{VERIFY_ORDER, VERIFY_PAYMENT, fts_query, like_pattern};
use crate::domain::{Order, OrderPaymentStatus, OrderStatus, Payment, Provider};
use crate::report::Rule;
use crate::report::rules::{Settings, evaluate};
use crate::report::scan::findings_for_order;
use crate::store::Reader;
use crate::store::rows::{
    ORDER_COLUMNS, ORDER_WIDTH, PAYMENT_COLUMNS, PAYMENT_WIDTH, order_from_row, payment_from_row,
};

/// A condition matching at most this many rows is read through its index.
pub const SET_CAP: i64 = 2_000;

/// How long a dense walk may look for its rows before the set plan is used.
pub const DENSE_BUDGET: Duration = Duration::from_millis(25);

/// The most rows `*` or a range marks at once.
pub const MARK_CAP: usize = 10_000;

/// Which table drives a list of orders and payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// Every order, with its payment when it has one.
    Orders,
    /// Every payment, with its order.
    Payments,
}

/// A sort column of the order and payment lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortCol {
    /// By order id: the order in which orders reached tally.
    Newest,
    Date,
    Number,
    Customer,
    Total,
    Status,
    PaymentStatus,
    /// Payments: by the payment's status, then its date.
    PayStatus,
}

/// The sorts each list offers, the default first.
pub const ORDER_SORTS: &[SortCol] = &[
    SortCol::Newest,
    SortCol::Date,
    SortCol::Number,
    SortCol::Customer,
    SortCol::Total,
    SortCol::Status,
    SortCol::PaymentStatus,
];
pub const PAYMENT_SORTS: &[SortCol] = &[SortCol::Newest, SortCol::PayStatus];

impl SortCol {
    /// The key expressions, tie-breaker last; every list has an index that
    /// walks them in this order.
    fn exprs(self, kind: ListKind) -> &'static [&'static str] {
        match (kind, self) {
            (ListKind::Orders, SortCol::Newest) => &["o.id"],
            // An order's payments, newest attempt first when descending;
            // the index on (order_id, attempt) ends in the id.
            (ListKind::Payments, SortCol::Newest) => &["p.order_id", "p.attempt", "p.id"],
            (ListKind::Orders, SortCol::Date) => &["o.created_at", "o.id"],
            (ListKind::Orders, SortCol::Number) => &["o.number"],
            (ListKind::Orders, SortCol::Customer) => &["o.customer_name", "o.id"],
            (ListKind::Orders, SortCol::Total) => &["o.total_minor", "o.id"],
            (ListKind::Orders, SortCol::Status) => &["o.status", "o.id"],
            (ListKind::Orders, SortCol::PaymentStatus) => &["o.payment_status", "o.id"],
            // By an order's column, an order's payments need a tie-breaker.
            (ListKind::Payments, SortCol::Date) => &["o.created_at", "o.id", "p.id"],
            (ListKind::Payments, SortCol::Number) => &["o.number", "p.id"],
            (ListKind::Payments, SortCol::Customer) => &["o.customer_name", "o.id", "p.id"],
            (ListKind::Payments, SortCol::Total) => &["o.total_minor", "o.id", "p.id"],
            (ListKind::Payments, SortCol::Status) => &["o.status", "o.id", "p.id"],
            (ListKind::Payments, SortCol::PaymentStatus) => &["o.payment_status", "o.id", "p.id"],
            (_, SortCol::PayStatus) => &["p.status", "p.created_at", "p.id"],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortCol::Newest => "newest",
            SortCol::Date => "date",
            SortCol::Number => "number",
            SortCol::Customer => "customer",
            SortCol::Total => "total",
            SortCol::Status => "order status",
            SortCol::PaymentStatus => "payment status",
            SortCol::PayStatus => "status",
        }
    }

    /// The label's id in the catalogues.
    pub fn label_key(self) -> &'static str {
        match self {
            SortCol::Newest => "dash-sort-newest",
            SortCol::Date => "dash-sort-date",
            SortCol::Number => "dash-sort-number",
            SortCol::Customer => "dash-sort-customer",
            SortCol::Total => "dash-sort-total",
            SortCol::Status => "dash-sort-order-status",
            SortCol::PaymentStatus => "dash-sort-payment-status",
            SortCol::PayStatus => "dash-sort-status",
        }
    }

    /// Newest and dates read best newest first.
    pub fn default_desc(self) -> bool {
        match self {
            SortCol::Newest | SortCol::Date => true,
            SortCol::Number
            | SortCol::Customer
            | SortCol::Total
            | SortCol::Status
            | SortCol::PaymentStatus
            | SortCol::PayStatus => false,
        }
    }
}

/// The sort of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub col: SortCol,
    pub desc: bool,
}

impl Default for Sort {
    fn default() -> Sort {
        Sort {
            col: SortCol::Newest,
            desc: true,
        }
    }
}

/// The filters, shared by the order and payment lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub status: Option<OrderStatus>,
    /// The order's payment status.
    pub payment: Option<OrderPaymentStatus>,
    pub provider: Option<Provider>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.payment.is_none() && self.provider.is_none()
    }
}

/// Everything that decides which rows a list shows, in which order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListSpec {
    pub kind: ListKind,
    pub sort: Sort,
    pub filter: Filter,
    /// What was typed after `/` (trimmed); empty for none.
    pub search: String,
    /// The search index query chosen for `search` ([`super::Trigrams::choose`]);
    /// `None` means every trigram of it.
    pub fts: Option<String>,
}

impl ListSpec {
    /// The search index query: the chosen one, or every trigram.
    pub fn match_query(&self) -> Option<String> {
        fts_query(&self.search).and(self.fts.clone().or_else(|| fts_query(&self.search)))
    }
}

/// A condition that can drive the read through its own index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    Status,
    Payment,
    Provider,
    Search,
}

/// How a list is read (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Dense { fallback: Option<Seed> },
    Set(Seed),
    Stream,
}

/// One row of the order or payment list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub order: Order,
    /// The order's main payment in the Orders view; the row's payment in
    /// the Payments view.
    pub payment: Option<Payment>,
    /// The order's money over all its payments.
    pub money: OrderMoney,
    pub key: RowKey,
    /// The `check` rules this order breaks (resolved findings excluded).
    pub flags: Vec<Rule>,
}

/// An order's money over all its payments, in minor units of the order's
/// currency (payments whose money moved in another currency are left out,
/// as `order show` does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderMoney {
    /// How many payments (attempts) the order has.
    pub payments: i64,
    pub captured: i64,
    /// Captured − refunded − lost.
    pub kept: i64,
}

impl OrderMoney {
    /// What the order keeps, when it is worth showing beside its total:
    /// when it differs from the total, unless nothing was ever captured and
    /// the order does not claim to be paid (an unpaid order keeping nothing
    /// is the ordinary case, not news).
    pub fn kept_apart(&self, order: &Order) -> Option<i64> {
        let claims = match order.payment_status {
            OrderPaymentStatus::Paid | OrderPaymentStatus::Refunded => true,
            OrderPaymentStatus::Pending | OrderPaymentStatus::Failed => false,
        };
        (self.kept != order.total.minor() && (self.captured > 0 || claims)).then_some(self.kept)
    }
}

/// The order's money as columns ([`OrderMoney`]'s fields, in order), after
/// [`ORDER_COLUMNS`] and [`PAYMENT_COLUMNS`]; each a lookup through the
/// index on the order's payments, made only for the rows read.
const MONEY_COLUMNS: &str = "(SELECT count(*) FROM payments q WHERE q.order_id = o.id), \
     (SELECT coalesce(sum(coalesce(q.captured_minor, 0)), 0) FROM payments q \
      WHERE q.order_id = o.id AND coalesce(q.captured_currency, q.currency) = o.currency), \
     (SELECT coalesce(sum(coalesce(q.captured_minor, 0) - q.refunded_minor - q.lost_minor), 0) \
      FROM payments q \
      WHERE q.order_id = o.id AND coalesce(q.captured_currency, q.currency) = o.currency)";

/// Number of columns in [`MONEY_COLUMNS`].
const MONEY_WIDTH: usize = 3;

/// The join of an order `o` to its main payment `p`: the one that keeps
/// money, else the latest, in [`Reader::payment_for_order`]'s order (keep
/// them alike).
macro_rules! main_payment {
    () => {
        "LEFT JOIN payments p ON p.id = (SELECT q.id FROM payments q WHERE q.order_id = o.id \
         ORDER BY coalesce(q.captured_minor, 0) - q.refunded_minor - q.lost_minor > 0 DESC, \
         CASE WHEN coalesce(q.captured_minor, 0) - q.refunded_minor - q.lost_minor > 0 \
         THEN q.created_at END ASC, q.created_at DESC, q.id DESC LIMIT 1)"
    };
}
pub(super) use main_payment;

/// The `FROM` of each list, and of each with the search index in front.
fn from_clause(kind: ListKind, stream: bool) -> &'static str {
    match (kind, stream) {
        (ListKind::Orders, false) => concat!("orders o ", main_payment!()),
        (ListKind::Payments, false) => "payments p JOIN orders o ON o.id = p.order_id",
        (ListKind::Orders, true) => concat!(
            "order_search s JOIN orders o ON o.id = s.rowid ",
            main_payment!()
        ),
        (ListKind::Payments, true) => {
            "order_search s JOIN payments p ON p.order_id = s.rowid \
             JOIN orders o ON o.id = p.order_id"
        }
    }
}

/// The conditions of a list read, and their parameters. `seed` keeps its
/// condition usable by an index; the others are wrapped (`+x`) so the
/// planner walks what the plan says.
fn conditions(spec: &ListSpec, seed: Option<Seed>, count: bool) -> (Vec<String>, Vec<Value>) {
    let mut conds = Vec::new();
    let mut params = Vec::new();
    let indexed = |s: Seed| count || seed == Some(s);
    let text = |v: &str| Value::Text(v.to_owned());
    if let Some(status) = spec.filter.status {
        conds.push(match (indexed(Seed::Status), spec.kind) {
            (true, ListKind::Orders) => "o.status = ?".to_owned(),
            (true, ListKind::Payments) => {
                "p.order_id IN (SELECT id FROM orders WHERE status = ?)".to_owned()
            }
            (false, _) => "+o.status = ?".to_owned(),
        });
        params.push(text(status.as_str()));
    }
    if let Some(payment) = spec.filter.payment {
        conds.push(match (indexed(Seed::Payment), spec.kind) {
            (true, ListKind::Orders) => "o.payment_status = ?".to_owned(),
            (true, ListKind::Payments) => {
                "p.order_id IN (SELECT id FROM orders WHERE payment_status = ?)".to_owned()
            }
            (false, _) => "+o.payment_status = ?".to_owned(),
        });
        params.push(text(payment.as_str()));
    }
    if let Some(provider) = spec.filter.provider {
        conds.push(match (indexed(Seed::Provider), spec.kind) {
            // An order with a payment at the provider, whichever attempt.
            (true, ListKind::Orders) => {
                "o.id IN (SELECT order_id FROM payments WHERE provider = ?)".to_owned()
            }
            (false, ListKind::Orders) => "EXISTS (SELECT 1 FROM payments q \
                 WHERE q.order_id = o.id AND q.provider = ?)"
                .to_owned(),
            (true, ListKind::Payments) => "p.provider = ?".to_owned(),
            (false, ListKind::Payments) => "+p.provider = ?".to_owned(),
        });
        params.push(text(provider.as_str()));
    }
    if !spec.search.is_empty() {
        if let Some(q) = spec.match_query()
            && indexed(Seed::Search)
        {
            let id = match spec.kind {
                ListKind::Orders => "o.id",
                ListKind::Payments => "p.order_id",
            };
            conds.push(format!(
                "{id} IN (SELECT rowid FROM order_search WHERE order_search MATCH ?)"
            ));
            params.push(Value::Text(q));
        }
        conds.push(
            match spec.kind {
                ListKind::Orders => VERIFY_ORDER,
                ListKind::Payments => VERIFY_PAYMENT,
            }
            .to_owned(),
        );
        let pattern = like_pattern(&spec.search);
        params.extend(std::iter::repeat_n(Value::Text(pattern), 4));
    }
    (conds, params)
}

fn keyset(spec: &ListSpec, plan: Plan) -> Keyset<'static> {
    let stream = plan == Plan::Stream;
    let seed = match plan {
        Plan::Set(s) => Some(s),
        Plan::Dense { .. } | Plan::Stream => None,
    };
    let (mut conds, mut params) = conditions(spec, seed, false);
    if stream && let Some(q) = spec.match_query() {
        conds.insert(0, "order_search MATCH ?".to_owned());
        params.insert(0, Value::Text(q));
    }
    let keys = spec
        .sort
        .col
        .exprs(spec.kind)
        .iter()
        .enumerate()
        .map(|(i, k)| match plan {
            // In the set plan the seed's index drives; the sort is done on
            // its few rows, so the sort index must not be used.
            Plan::Set(_) => format!("+{k}"),
            // Newest first, the order id leads, and it is the index's rowid;
            // a payment's tie-breakers follow it.
            Plan::Stream if i == 0 => "s.rowid".to_owned(),
            Plan::Stream | Plan::Dense { .. } => (*k).to_owned(),
        })
        .collect();
    Keyset {
        select: format!("{ORDER_COLUMNS}, {PAYMENT_COLUMNS}, {MONEY_COLUMNS}"),
        from: from_clause(spec.kind, stream),
        conds,
        params,
        keys,
        desc: spec.sort.desc,
    }
}

/// Counts up to `cap + 1` rows of a condition through its index.
fn capped(conn: &Reader<'_>, sql: &str, param: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached(&format!(
        "SELECT count(*) FROM ({sql} LIMIT {})",
        SET_CAP + 1
    ))?
    .query_row([param], |r| r.get(0))
}

/// Chooses how to read a list (see the module doc). Cheap: each probe reads
/// at most [`SET_CAP`] index entries.
pub fn plan(conn: &Reader<'_>, spec: &ListSpec) -> rusqlite::Result<Plan> {
    let mut seeds: Vec<(i64, Seed)> = Vec::new();
    if let Some(s) = spec.filter.status {
        let n = capped(conn, "SELECT 1 FROM orders WHERE status = ?", s.as_str())?;
        seeds.push((n, Seed::Status));
    }
    if let Some(s) = spec.filter.payment {
        let n = capped(
            conn,
            "SELECT 1 FROM orders WHERE payment_status = ?",
            s.as_str(),
        )?;
        seeds.push((n, Seed::Payment));
    }
    if let Some(p) = spec.filter.provider {
        let n = capped(
            conn,
            "SELECT 1 FROM payments WHERE provider = ?",
            p.as_str(),
        )?;
        seeds.push((n, Seed::Provider));
    }
    if let Some(q) = spec.match_query() {
        let n = capped(
            conn,
            "SELECT rowid FROM order_search WHERE order_search MATCH ?",
            &q,
        )?;
        seeds.push((n, Seed::Search));
    }
    seeds.sort_by_key(|(n, _)| *n);
    let best = seeds.first().copied();
    let stream = spec.kind == ListKind::Orders
        && spec.sort.col == SortCol::Newest
        && spec.match_query().is_some();
    Ok(match best {
        // Newest first, the search index walks in the sort order itself and
        // stops at the first screenful: better than reading every candidate,
        // unless a filter is rarer still.
        Some((_, Seed::Search)) if stream => Plan::Stream,
        Some((n, seed)) if n <= SET_CAP => Plan::Set(seed),
        _ if stream => Plan::Stream,
        best => Plan::Dense {
            fallback: best.map(|(_, s)| s),
        },
    })
}

/// The findings of each row, from the pure rules; an order with any is
/// judged again with the owner's resolutions taken into account. An order
/// with several payments, or whose payment shows a dispute, a loss or a
/// failed refund, is always judged whole (as `tally check` does): the rules
/// about money need every attempt.
fn flag(conn: &Reader<'_>, row: &mut ListRow, settings: &Settings) -> rusqlite::Result<()> {
    let whole = row.money.payments > 1
        || row.payment.as_ref().is_some_and(|p| {
            p.disputed_minor > 0 || p.lost_minor > 0 || p.refunds_failed_minor > 0
        });
    if !whole && evaluate(&row.order, row.payment.as_ref(), settings).is_empty() {
        return Ok(());
    }
    let all = crate::report::Filter::default();
    if let Some((_, _, found)) = findings_for_order(conn, row.order.id, settings, &all)? {
        row.flags = found.iter().map(|f| f.rule).collect();
        row.flags.dedup();
    }
    Ok(())
}

/// An order and its payment (absent when the payment columns are NULL),
/// from [`ORDER_COLUMNS`] and [`PAYMENT_COLUMNS`].
pub(super) fn order_and_payment(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(Order, Option<Payment>)> {
    let order = order_from_row(r, 0)?;
    let payment = match r.get_ref(ORDER_WIDTH)? {
        rusqlite::types::ValueRef::Null => None,
        _ => Some(payment_from_row(r, ORDER_WIDTH)?),
    };
    Ok((order, payment))
}

/// Runs one keyset read of the list.
fn run_list(
    conn: &Reader<'_>,
    ks: &Keyset<'_>,
    anchor: Anchor<'_>,
    limit: usize,
) -> rusqlite::Result<Vec<ListRow>> {
    let nkeys = ks.keys.len();
    ks.fetch(conn, anchor, limit, |r| {
        let (order, payment) = order_and_payment(r)?;
        let at = ORDER_WIDTH + PAYMENT_WIDTH;
        let money = OrderMoney {
            payments: r.get(at)?,
            captured: r.get(at + 1)?,
            kept: r.get(at + 2)?,
        };
        let first_key = at + MONEY_WIDTH;
        let key = (0..nkeys)
            .map(|i| r.get::<_, Value>(first_key + i))
            .collect::<rusqlite::Result<RowKey>>()?;
        Ok(ListRow {
            order,
            payment,
            money,
            key,
            flags: Vec::new(),
        })
    })
}

fn is_interrupt(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::OperationInterrupted)
}

/// Reads `limit` rows of a list from `anchor`, in display order. A dense
/// walk that runs past [`DENSE_BUDGET`] is abandoned for the set plan, and
/// `plan` is updated so the next reads use it at once.
pub fn fetch(
    conn: &Reader<'_>,
    spec: &ListSpec,
    plan: &mut Plan,
    anchor: Anchor<'_>,
    limit: usize,
    settings: &Settings,
) -> rusqlite::Result<Vec<ListRow>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut rows = match *plan {
        Plan::Dense {
            fallback: Some(seed),
        } => {
            let started = Instant::now();
            conn.progress_handler(1_000, Some(move || started.elapsed() > DENSE_BUDGET))?;
            let first = run_list(conn, &keyset(spec, *plan), anchor, limit);
            conn.progress_handler(0, None::<fn() -> bool>)?;
            match first {
                Err(e) if is_interrupt(&e) => {
                    *plan = Plan::Set(seed);
                    run_list(conn, &keyset(spec, *plan), anchor, limit)?
                }
                other => other?,
            }
        }
        Plan::Dense { fallback: None } | Plan::Set(_) | Plan::Stream => {
            run_list(conn, &keyset(spec, *plan), anchor, limit)?
        }
    };
    for row in &mut rows {
        flag(conn, row, settings)?;
    }
    Ok(rows)
}

/// How many rows the list holds. For the counting thread: it may read many
/// index entries.
pub fn count(conn: &Reader<'_>, spec: &ListSpec) -> rusqlite::Result<i64> {
    let (conds, params) = conditions(spec, None, true);
    if conds.is_empty() {
        let table = match spec.kind {
            ListKind::Orders => "orders",
            ListKind::Payments => "payments",
        };
        return conn
            .prepare_cached(&format!("SELECT count(*) FROM {table}"))?
            .query_row([], |r| r.get(0));
    }
    // An order's conditions never name its main payment: no join to count.
    let from = match spec.kind {
        ListKind::Orders => "orders o",
        ListKind::Payments => from_clause(spec.kind, false),
    };
    let sql = format!("SELECT count(*) FROM {from} WHERE {}", conds.join(" AND "));
    conn.prepare_cached(&sql)?
        .query_row(params_from_iter(params), |r| r.get(0))
}

/// The ids and numbers of the list's rows from `from` to `to` (inclusive,
/// either order), at most [`MARK_CAP`]; all of them when both are `None`.
pub fn ids_between(
    conn: &Reader<'_>,
    spec: &ListSpec,
    plan: &mut Plan,
    range: Option<(&RowKey, &RowKey)>,
) -> rusqlite::Result<Vec<(i64, String)>> {
    // Ranges are read in display order from the earlier key.
    let (start, end) = match range {
        Some((a, b)) => {
            let ordered = compare_keys(a, b, spec.sort.desc);
            if ordered == std::cmp::Ordering::Greater {
                (Some(b.clone()), Some(a.clone()))
            } else {
                (Some(a.clone()), Some(b.clone()))
            }
        }
        None => (None, None),
    };
    let mut ks = keyset(spec, *plan);
    if let Some(end) = &end {
        let forward_le = if spec.sort.desc { ">=" } else { "<=" };
        ks.conds.push(ks.compare(forward_le));
        ks.params.extend(end.iter().cloned());
    }
    let anchor = match &start {
        Some(k) => Anchor::AtOrAfter(k),
        None => Anchor::First,
    };
    let rows = run_list(conn, &ks, anchor, MARK_CAP)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.order.id, r.order.number))
        .collect())
}

/// Compares two keys in display order.
fn compare_keys(a: &RowKey, b: &RowKey, desc: bool) -> std::cmp::Ordering {
    let cmp = a
        .iter()
        .zip(b.iter())
        .map(|(x, y)| match (x, y) {
            (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
            (Value::Text(x), Value::Text(y)) => x.cmp(y),
            (Value::Real(x), Value::Real(y)) => x.total_cmp(y),
            _ => std::cmp::Ordering::Equal,
        })
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal);
    if desc { cmp.reverse() } else { cmp }
}

/// The order and payment lists as a [`Source`].
pub struct ListSource<'a> {
    pub conn: &'a Reader<'a>,
    pub spec: &'a ListSpec,
    pub plan: &'a mut Plan,
    pub settings: &'a Settings,
}

impl Source for ListSource<'_> {
    type Row = ListRow;
    fn fetch(&mut self, anchor: Anchor<'_>, limit: usize) -> rusqlite::Result<Vec<ListRow>> {
        fetch(
            self.conn,
            self.spec,
            self.plan,
            anchor,
            limit,
            self.settings,
        )
    }
    fn key(row: &ListRow) -> RowKey {
        row.key.clone()
    }
}

#[cfg(test)]
mod main_payment_tests {
    /// The dashboard's join and the store's main payment agree.
    #[test]
    fn the_join_orders_payments_as_the_store_does() {
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let store = words(&crate::store::MAIN_PAYMENT_ORDER.replace("p.", "q."));
        assert!(words(main_payment!()).contains(&store), "{store}");
    }
}
