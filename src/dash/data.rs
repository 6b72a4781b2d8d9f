//! The dashboard's reads: only the rows on screen, by keyset, never OFFSET
//! and never a whole table in memory.
//!
//! # What it promises
//! - A page is read by *keyset*: "the `limit` rows after (or before) this
//!   row's sort key", through an index on the sort column, so showing page
//!   40,000 costs what page 1 costs. [`window`] reads the rows around the row
//!   under the cursor; the navigation functions find the next focus row and
//!   call it.
//! - Every statement runs in autocommit mode and is reset before the
//!   function returns: no read transaction outlives a frame, so WAL
//!   checkpoints are never held back by the dashboard.
//! - Search goes through the `order_search` trigram index (migration 004):
//!   the index gives a superset of candidates, each checked against the real
//!   columns with `LIKE`, so the result is exactly "the text occurs in the
//!   number, the customer, the email or the payment reference" (ASCII case
//!   ignored).
//!
//! # Plans
//! A filtered or searched list is read one of three ways, chosen by
//! [`plan`] from capped counts (each reads at most [`SET_CAP`] index
//! entries):
//! - [`Plan::Set`]: one condition matches at most [`SET_CAP`] rows: read
//!   through its index, sort those few.
//! - [`Plan::Stream`]: a search in the default "newest first" order: walk the
//!   search index backwards by order id, which *is* the sort order (chosen
//!   over `Set` unless a filter is rarer than the search).
//! - [`Plan::Dense`]: walk the sort index and test each row. Used when
//!   matches are common; a walk that finds its rows too slowly (matches
//!   common overall but rare here) falls back to `Set` after
//!   [`DENSE_BUDGET`].
//!
//! Counts of the whole result are not needed to draw a page; they are
//! computed by the counting thread ([`count`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rusqlite::types::Value;
use rusqlite::{ErrorCode, OptionalExtension, params_from_iter};

use crate::domain::{AuditEntry, Money, Order, OrderPaymentStatus, OrderStatus, Payment, Provider};
use crate::report::Rule;
use crate::report::rules::{Finding, Settings, evaluate};
use crate::report::scan::findings_for_order;
use crate::store::Reader;
use crate::store::rows::{
    ORDER_COLUMNS, ORDER_WIDTH, PAYMENT_COLUMNS, order_from_row, payment_from_row,
};

/// A condition matching at most this many rows is read through its index.
pub const SET_CAP: i64 = 2_000;

/// How long a dense walk may look for its rows before the set plan is used.
pub const DENSE_BUDGET: Duration = Duration::from_millis(25);

/// The most rows `*` or a range marks at once.
pub const MARK_CAP: usize = 10_000;

/// Number of columns in [`PAYMENT_COLUMNS`].
const PAYMENT_WIDTH: usize = 18;

/// A row's position in its sort order: the sort columns' values, the unique
/// tie-breaker last.
pub type Key = Vec<Value>;

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
            (ListKind::Payments, SortCol::Newest) => &["p.order_id"],
            (_, SortCol::Date) => &["o.created_at", "o.id"],
            (_, SortCol::Number) => &["o.number"],
            (_, SortCol::Customer) => &["o.customer_name", "o.id"],
            (_, SortCol::Total) => &["o.total_minor", "o.id"],
            (_, SortCol::Status) => &["o.status", "o.id"],
            (_, SortCol::PaymentStatus) => &["o.payment_status", "o.id"],
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

    /// Newest and dates read best newest first.
    pub fn default_desc(self) -> bool {
        matches!(self, SortCol::Newest | SortCol::Date)
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
    /// The search index query chosen for `search` ([`Trigrams::choose`]);
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
    pub payment: Option<Payment>,
    pub key: Key,
    /// The `check` rules this order breaks (resolved findings excluded).
    pub flags: Vec<Rule>,
}

/// One row of the webhook log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: i64,
    pub received_at: String,
    pub provider: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub result: String,
    pub signature: String,
    pub http_status: i64,
    pub order_number: Option<String>,
    pub error: Option<String>,
    pub event_state: Option<String>,
    pub replayable: bool,
}

impl WebhookRow {
    /// A delivery that failed: an error, or an event still failed.
    pub fn failed(&self) -> bool {
        self.result == "error" || self.event_state.as_deref() == Some("failed")
    }
}

/// One unresolved provider event that matched no payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrphanRow {
    pub id: i64,
    pub received_at: String,
    pub provider: String,
    pub event_type: String,
    pub event_id: String,
    pub reference: Option<String>,
    pub amount: Option<String>,
    pub order_number: Option<String>,
}

/// Where a read starts, in display order.
#[derive(Debug, Clone, Copy)]
pub enum Anchor<'a> {
    First,
    Last,
    After(&'a Key),
    AtOrAfter(&'a Key),
    Before(&'a Key),
}

/// A keyset read: `FROM`, conditions, key expressions; builds the SQL for
/// any anchor.
struct Keyset<'a> {
    select: String,
    from: &'a str,
    conds: Vec<String>,
    params: Vec<Value>,
    keys: Vec<String>,
    desc: bool,
}

impl Keyset<'_> {
    /// The SQL and parameters for `limit` rows from `anchor`, returned in
    /// the order of the walk (reversed for `Before` and `Last`).
    fn sql(&self, anchor: Anchor<'_>, limit: usize) -> (String, Vec<Value>, bool) {
        let mut conds = self.conds.clone();
        let mut params = self.params.clone();
        let backwards = matches!(anchor, Anchor::Before(_) | Anchor::Last);
        // The walk goes up the index unless the display order is descending
        // (or, walking backwards, ascending).
        let walk_up = self.desc == backwards;
        let key_op = |strict: bool| match (strict, walk_up) {
            (true, true) => ">",
            (false, true) => ">=",
            (true, false) => "<",
            (false, false) => "<=",
        };
        let bound = |op: &str, key: &Key, conds: &mut Vec<String>, params: &mut Vec<Value>| {
            let lhs = self.keys.join(", ");
            let rhs = vec!["?"; self.keys.len()].join(", ");
            conds.push(format!("({lhs}) {op} ({rhs})"));
            params.extend(key.iter().take(self.keys.len()).cloned());
        };
        match anchor {
            Anchor::First | Anchor::Last => {}
            Anchor::After(k) | Anchor::Before(k) => bound(key_op(true), k, &mut conds, &mut params),
            Anchor::AtOrAfter(k) => bound(key_op(false), k, &mut conds, &mut params),
        }
        let dir = if walk_up { "ASC" } else { "DESC" };
        let order = self
            .keys
            .iter()
            .map(|k| format!("{k} {dir}"))
            .collect::<Vec<_>>()
            .join(", ");
        let where_ = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let sql = format!(
            "SELECT {}, {} FROM {} {where_} ORDER BY {order} LIMIT {limit}",
            self.select,
            self.keys.join(", "),
            self.from
        );
        (sql, params, backwards)
    }
}

/// The `FROM` of each list, and of each with the search index in front.
fn from_clause(kind: ListKind, stream: bool) -> &'static str {
    match (kind, stream) {
        (ListKind::Orders, false) => "orders o LEFT JOIN payments p ON p.order_id = o.id",
        (ListKind::Payments, false) => "payments p JOIN orders o ON o.id = p.order_id",
        (ListKind::Orders, true) => {
            "order_search s JOIN orders o ON o.id = s.rowid \
             LEFT JOIN payments p ON p.order_id = o.id"
        }
        (ListKind::Payments, true) => {
            "order_search s JOIN payments p ON p.order_id = s.rowid \
             JOIN orders o ON o.id = p.order_id"
        }
    }
}

/// The distinct trigrams of the search text, in order.
fn trigrams(search: &str) -> Vec<String> {
    let chars: Vec<char> = search.chars().collect();
    let mut out: Vec<String> = Vec::new();
    for w in chars.windows(3) {
        let t: String = w.iter().collect();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

fn quote(trigram: &str) -> String {
    format!("\"{}\"", trigram.replace('"', "\"\""))
}

/// The search text as an FTS5 query: an AND of its trigrams, each quoted.
/// `None` when shorter than three characters (no trigram to look up).
pub fn fts_query(search: &str) -> Option<String> {
    let t = trigrams(search);
    if t.is_empty() {
        return None;
    }
    Some(t.iter().map(|t| quote(t)).collect::<Vec<_>>().join(" AND "))
}

/// How many rows one trigram may be counted up to when choosing.
const TRIGRAM_CAP: i64 = 20_000;

/// How many trigrams a search index query uses at most.
const TRIGRAMS_USED: usize = 3;

/// Chooses the rarest trigrams of a search, so the search index intersects
/// short lists instead of walking the long lists of common trigrams (`TES`
/// of every order number, `exa` of every email). Fewer trigrams find a few
/// more candidates; every candidate is checked against the columns anyway.
/// Counts are cached until the data changes ([`Trigrams::clear`]).
#[derive(Debug, Default)]
pub struct Trigrams {
    counts: HashMap<String, i64>,
}

impl Trigrams {
    pub fn clear(&mut self) {
        self.counts.clear();
    }

    /// The search index query for `search`, or `None` below three characters.
    pub fn choose(&mut self, conn: &Reader<'_>, search: &str) -> rusqlite::Result<Option<String>> {
        let all = trigrams(search);
        if all.is_empty() {
            return Ok(None);
        }
        let mut scored = Vec::with_capacity(all.len());
        for t in all {
            let n = match self.counts.get(&t) {
                Some(n) => *n,
                None => {
                    let n: i64 = conn
                        .prepare_cached(&format!(
                            "SELECT count(*) FROM (SELECT rowid FROM order_search \
                             WHERE order_search MATCH ? LIMIT {TRIGRAM_CAP})"
                        ))?
                        .query_row([quote(&t)], |r| r.get(0))?;
                    self.counts.insert(t.clone(), n);
                    n
                }
            };
            scored.push((n, t));
        }
        scored.sort();
        let used: Vec<String> = match scored.first() {
            // One trigram found nowhere: nothing matches, and one says so.
            Some((0, t)) => vec![quote(t)],
            _ => scored
                .iter()
                .take(TRIGRAMS_USED)
                .map(|(_, t)| quote(t))
                .collect(),
        };
        Ok(Some(used.join(" AND ")))
    }
}

/// The search text as a `LIKE` pattern (escape `\`).
fn like_pattern(search: &str) -> String {
    let mut p = String::from("%");
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

const VERIFY: &str = "(o.number LIKE ? ESCAPE '\\' OR o.customer_name LIKE ? ESCAPE '\\' \
     OR o.customer_email LIKE ? ESCAPE '\\' OR p.reference LIKE ? ESCAPE '\\')";

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
            (true, ListKind::Orders) => {
                "o.id IN (SELECT order_id FROM payments WHERE provider = ?)".to_owned()
            }
            (true, ListKind::Payments) => "p.provider = ?".to_owned(),
            (false, _) => "+p.provider = ?".to_owned(),
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
        conds.push(VERIFY.to_owned());
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
        .map(|k| match plan {
            // In the set plan the seed's index drives; the sort is done on
            // its few rows, so the sort index must not be used.
            Plan::Set(_) => format!("+{k}"),
            Plan::Stream => "s.rowid".to_owned(),
            Plan::Dense { .. } => (*k).to_owned(),
        })
        .collect();
    Keyset {
        select: format!("{ORDER_COLUMNS}, {PAYMENT_COLUMNS}"),
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
    let stream = spec.sort.col == SortCol::Newest && spec.match_query().is_some();
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
/// judged again with the owner's resolutions taken into account.
fn flag(conn: &Reader<'_>, row: &mut ListRow, settings: &Settings) -> rusqlite::Result<()> {
    if evaluate(&row.order, row.payment.as_ref(), settings).is_empty() {
        return Ok(());
    }
    let all = crate::report::Filter::default();
    if let Some((_, _, found)) = findings_for_order(conn, row.order.id, settings, &all)? {
        row.flags = found.iter().map(|f| f.rule).collect();
        row.flags.dedup();
    }
    Ok(())
}

/// Runs one keyset read of the list.
fn run_list(
    conn: &Reader<'_>,
    ks: &Keyset<'_>,
    anchor: Anchor<'_>,
    limit: usize,
) -> rusqlite::Result<Vec<ListRow>> {
    let (sql, params, backwards) = ks.sql(anchor, limit);
    let nkeys = ks.keys.len();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows: Vec<ListRow> = stmt
        .query_map(params_from_iter(params), |r| {
            let order = order_from_row(r, 0)?;
            let payment = match r.get_ref(ORDER_WIDTH)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(payment_from_row(r, ORDER_WIDTH)?),
            };
            let first_key = ORDER_WIDTH + PAYMENT_WIDTH;
            let key = (0..nkeys)
                .map(|i| r.get::<_, Value>(first_key + i))
                .collect::<rusqlite::Result<Key>>()?;
            Ok(ListRow {
                order,
                payment,
                key,
                flags: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if backwards {
        rows.reverse();
    }
    Ok(rows)
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
        _ => run_list(conn, &keyset(spec, *plan), anchor, limit)?,
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
    let sql = format!(
        "SELECT count(*) FROM {} WHERE {}",
        from_clause(spec.kind, false),
        conds.join(" AND ")
    );
    conn.prepare_cached(&sql)?
        .query_row(params_from_iter(params), |r| r.get(0))
}

/// The ids and numbers of the list's rows from `from` to `to` (inclusive,
/// either order), at most [`MARK_CAP`]; all of them when both are `None`.
pub fn ids_between(
    conn: &Reader<'_>,
    spec: &ListSpec,
    plan: &mut Plan,
    range: Option<(&Key, &Key)>,
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
        ks.conds.push(format!(
            "({}) {forward_le} ({})",
            ks.keys.join(", "),
            vec!["?"; ks.keys.len()].join(", ")
        ));
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
fn compare_keys(a: &Key, b: &Key, desc: bool) -> std::cmp::Ordering {
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

/// The webhook log, newest first.
pub fn fetch_webhooks(
    conn: &Reader<'_>,
    anchor: Anchor<'_>,
    limit: usize,
) -> rusqlite::Result<Vec<WebhookRow>> {
    let ks = Keyset {
        select: "w.received_at, w.provider, w.event_type, w.event_id, w.result, w.signature, \
                 w.http_status, w.order_number, w.error, e.state, w.body IS NOT NULL"
            .to_owned(),
        from: "webhook_log w LEFT JOIN provider_events e \
               ON e.provider = w.provider AND e.event_id = w.event_id",
        conds: Vec::new(),
        params: Vec::new(),
        keys: vec!["w.id".to_owned()],
        desc: true,
    };
    let (sql, params, backwards) = ks.sql(anchor, limit);
    let mut rows: Vec<WebhookRow> = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(params), |r| {
            Ok(WebhookRow {
                received_at: r.get(0)?,
                provider: r.get(1)?,
                event_type: r.get(2)?,
                event_id: r.get(3)?,
                result: r.get(4)?,
                signature: r.get(5)?,
                http_status: r.get(6)?,
                order_number: r.get(7)?,
                error: r.get(8)?,
                event_state: r.get(9)?,
                replayable: r.get(10)?,
                id: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if backwards {
        rows.reverse();
    }
    Ok(rows)
}

fn amount_text(minor: Option<i64>, currency: Option<String>) -> Option<String> {
    Money::from_stored(minor?, &currency?)
        .ok()
        .map(|m| m.to_string())
}

/// The open orphans, newest first.
pub fn fetch_orphans(
    conn: &Reader<'_>,
    anchor: Anchor<'_>,
    limit: usize,
) -> rusqlite::Result<Vec<OrphanRow>> {
    let ks = Keyset {
        select: "received_at, provider, event_type, event_id, reference, amount_minor, \
                 currency, order_number"
            .to_owned(),
        from: "orphans",
        conds: vec!["state = 'open'".to_owned()],
        params: Vec::new(),
        keys: vec!["id".to_owned()],
        desc: true,
    };
    let (sql, params, backwards) = ks.sql(anchor, limit);
    let mut rows: Vec<OrphanRow> = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(params), |r| {
            Ok(OrphanRow {
                received_at: r.get(0)?,
                provider: r.get(1)?,
                event_type: r.get(2)?,
                event_id: r.get(3)?,
                reference: r.get(4)?,
                amount: amount_text(r.get(5)?, r.get(6)?),
                order_number: r.get(7)?,
                id: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if backwards {
        rows.reverse();
    }
    Ok(rows)
}

/// The small counts in the tab titles: open orphans, failed events. Both
/// read partial indexes.
pub fn side_counts(conn: &Reader<'_>) -> rusqlite::Result<(i64, i64)> {
    let orphans = conn
        .prepare_cached("SELECT count(*) FROM orphans WHERE state = 'open'")?
        .query_row([], |r| r.get(0))?;
    let failed = conn
        .prepare_cached(
            "SELECT count(*) FROM provider_events WHERE state = 'failed' AND resolved_at IS NULL",
        )?
        .query_row([], |r| r.get(0))?;
    Ok((orphans, failed))
}

/// The database's change counter for commits by other connections.
pub fn data_version(conn: &Reader<'_>) -> rusqlite::Result<i64> {
    conn.data_version()
}

/// A page of rows and the cursor in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pager<R> {
    pub rows: Vec<R>,
    pub cursor: usize,
}

impl<R> Default for Pager<R> {
    fn default() -> Self {
        Pager {
            rows: Vec::new(),
            cursor: 0,
        }
    }
}

impl<R> Pager<R> {
    pub fn current(&self) -> Option<&R> {
        self.rows.get(self.cursor)
    }
}

/// A way to read a list by keyset.
pub trait Source {
    type Row: Clone;
    fn fetch(&mut self, anchor: Anchor<'_>, limit: usize) -> rusqlite::Result<Vec<Self::Row>>;
    fn key(row: &Self::Row) -> Key;
}

/// Reads the rows around `focus` (the row under the cursor, or the nearest
/// after it), placing it `cursor` rows from the top when the list allows,
/// and filling the screen near either end.
pub fn window<S: Source>(
    src: &mut S,
    focus: Option<&Key>,
    cursor: usize,
    height: usize,
) -> rusqlite::Result<Pager<S::Row>> {
    let height = height.max(1);
    let Some(focus) = focus else {
        let rows = src.fetch(Anchor::First, height)?;
        return Ok(Pager { rows, cursor: 0 });
    };
    let cursor = cursor.min(height - 1);
    let mut before = src.fetch(Anchor::Before(focus), cursor)?;
    let after = src.fetch(Anchor::AtOrAfter(focus), height - before.len())?;
    if after.is_empty() {
        // The focus and everything after it is gone: show the end.
        let rows = src.fetch(Anchor::Last, height)?;
        let cursor = rows.len().saturating_sub(1);
        return Ok(Pager { rows, cursor });
    }
    if before.len() == cursor && before.len() + after.len() < height {
        // Near the end: fill the screen from above.
        let first = before
            .first()
            .map(S::key)
            .unwrap_or_else(|| S::key(&after[0]));
        let mut more = src.fetch(Anchor::Before(&first), height - before.len() - after.len())?;
        more.append(&mut before);
        before = more;
    }
    let cursor = before.len();
    before.extend(after);
    Ok(Pager {
        rows: before,
        cursor,
    })
}

/// A move through a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Down(usize),
    Up(usize),
    PageDown,
    PageUp,
    Top,
    Bottom,
}

/// Moves through a list: finds the new focus row by keyset and reads the
/// window around it.
pub fn navigate<S: Source>(
    src: &mut S,
    pager: &Pager<S::Row>,
    nav: Nav,
    height: usize,
) -> rusqlite::Result<Pager<S::Row>> {
    let height = height.max(1);
    let focus = pager.current().map(S::key);
    let Some(focus) = focus else {
        return window(src, None, 0, height);
    };
    match nav {
        Nav::Top => window(src, None, 0, height),
        Nav::Bottom => {
            let rows = src.fetch(Anchor::Last, height)?;
            let cursor = rows.len().saturating_sub(1);
            Ok(Pager { rows, cursor })
        }
        Nav::Down(_) | Nav::Up(_) | Nav::PageDown | Nav::PageUp => {
            let (n, down, keep) = match nav {
                Nav::Down(n) => (n, true, false),
                Nav::Up(n) => (n, false, false),
                Nav::PageDown => (height, true, true),
                _ => (height, false, true),
            };
            let moved = if down {
                src.fetch(Anchor::After(&focus), n)?
            } else {
                src.fetch(Anchor::Before(&focus), n)?
            };
            let target = if down { moved.last() } else { moved.first() };
            let Some(target) = target else {
                // Already at that end: the cursor goes to the last (first) row.
                let mut same = pager.clone();
                same.cursor = if down {
                    pager.rows.len().saturating_sub(1)
                } else {
                    0
                };
                return Ok(same);
            };
            let key = S::key(target);
            let cursor = match (keep, down) {
                (true, _) => pager.cursor,
                (false, true) => (pager.cursor + moved.len()).min(height - 1),
                (false, false) => pager.cursor.saturating_sub(moved.len()),
            };
            window(src, Some(&key), cursor, height)
        }
    }
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
    fn key(row: &ListRow) -> Key {
        row.key.clone()
    }
}

/// The webhook log as a [`Source`].
pub struct WebhookSource<'a>(pub &'a Reader<'a>);

impl Source for WebhookSource<'_> {
    type Row = WebhookRow;
    fn fetch(&mut self, anchor: Anchor<'_>, limit: usize) -> rusqlite::Result<Vec<WebhookRow>> {
        fetch_webhooks(self.0, anchor, limit)
    }
    fn key(row: &WebhookRow) -> Key {
        vec![Value::Integer(row.id)]
    }
}

/// The open orphans as a [`Source`].
pub struct OrphanSource<'a>(pub &'a Reader<'a>);

impl Source for OrphanSource<'_> {
    type Row = OrphanRow;
    fn fetch(&mut self, anchor: Anchor<'_>, limit: usize) -> rusqlite::Result<Vec<OrphanRow>> {
        fetch_orphans(self.0, anchor, limit)
    }
    fn key(row: &OrphanRow) -> Key {
        vec![Value::Integer(row.id)]
    }
}

/// Orders and their payments by id, for a confirmation or an action.
pub fn load_orders(
    conn: &Reader<'_>,
    ids: &[i64],
) -> rusqlite::Result<Vec<(Order, Option<Payment>)>> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    let sql = format!(
        "SELECT {ORDER_COLUMNS}, {PAYMENT_COLUMNS} FROM orders o \
         LEFT JOIN payments p ON p.order_id = o.id \
         WHERE o.id IN (SELECT value FROM json_each(?1)) ORDER BY o.id"
    );
    conn.prepare_cached(&sql)?
        .query_map([json], |r| {
            let order = order_from_row(r, 0)?;
            let payment = match r.get_ref(ORDER_WIDTH)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(payment_from_row(r, ORDER_WIDTH)?),
            };
            Ok((order, payment))
        })?
        .collect()
}

/// Everything the detail pane shows about one order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDetail {
    pub order: Order,
    pub payment: Option<Payment>,
    pub findings: Vec<Finding>,
    pub audit: Vec<AuditEntry>,
    pub webhooks: Vec<WebhookRow>,
}

/// Reads the detail of one order.
pub fn order_detail(
    conn: &Reader<'_>,
    order_id: i64,
    settings: &Settings,
) -> rusqlite::Result<Option<OrderDetail>> {
    let all = crate::report::Filter::default();
    let Some((order, payment, findings)) = findings_for_order(conn, order_id, settings, &all)?
    else {
        return Ok(None);
    };
    let audit = conn.audit_for_order(order.id)?;
    let mut webhooks: HashMap<i64, WebhookRow> = HashMap::new();
    let select = "SELECT w.received_at, w.provider, w.event_type, w.event_id, w.result, \
         w.signature, w.http_status, w.order_number, w.error, e.state, w.body IS NOT NULL, w.id \
         FROM webhook_log w LEFT JOIN provider_events e \
         ON e.provider = w.provider AND e.event_id = w.event_id";
    let map = |r: &rusqlite::Row<'_>| {
        Ok(WebhookRow {
            received_at: r.get(0)?,
            provider: r.get(1)?,
            event_type: r.get(2)?,
            event_id: r.get(3)?,
            result: r.get(4)?,
            signature: r.get(5)?,
            http_status: r.get(6)?,
            order_number: r.get(7)?,
            error: r.get(8)?,
            event_state: r.get(9)?,
            replayable: r.get(10)?,
            id: r.get(11)?,
        })
    };
    for row in conn
        .prepare_cached(&format!(
            "{select} WHERE w.order_number = ?1 ORDER BY w.id DESC LIMIT 50"
        ))?
        .query_map([&order.number], map)?
    {
        let row = row?;
        webhooks.insert(row.id, row);
    }
    if let Some(p) = &payment {
        for row in conn
            .prepare_cached(&format!(
                "{select} WHERE (w.provider, w.event_id) IN \
                 (SELECT provider, event_id FROM provider_events WHERE payment_id = ?1) \
                 ORDER BY w.id DESC LIMIT 50"
            ))?
            .query_map([p.id], map)?
        {
            let row = row?;
            webhooks.insert(row.id, row);
        }
    }
    let mut webhooks: Vec<WebhookRow> = webhooks.into_values().collect();
    webhooks.sort_by_key(|w| std::cmp::Reverse(w.id));
    Ok(Some(OrderDetail {
        order,
        payment,
        findings,
        audit,
        webhooks,
    }))
}

/// The id of an order by its number.
pub fn order_id(conn: &Reader<'_>, number: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM orders WHERE number = ?1")?
        .query_row([number], |r| r.get(0))
        .optional()
}
