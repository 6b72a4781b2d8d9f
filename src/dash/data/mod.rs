//! The dashboard's reads: only the rows on screen, by keyset, never OFFSET
//! and never a whole table in memory. Every database read of the dashboard
//! goes through here.
//!
//! # What it promises
//! - A page is read by *keyset*: "the `limit` rows after (or before) this
//!   row's sort key", through an index on the sort column, so showing page
//!   40,000 costs what page 1 costs. Every paged view is read by the one
//!   generic [`page`] over a [`Source`].
//! - Every statement runs in autocommit mode and is reset before the
//!   function returns: no read transaction outlives a frame, so WAL
//!   checkpoints are never held back by the dashboard.
//! - Search goes through the `order_search` trigram index (migration 004):
//!   the index gives a superset of candidates, each checked against the real
//!   columns with `LIKE`, so the result is exactly "the text occurs in the
//!   number, the customer, the email or a payment reference" (ASCII case
//!   ignored).
//! - An order with several payments (attempts) is one row of the Orders
//!   view, with its main payment; each payment is one row of the Payments
//!   view.
//!
//! The rooms: `keyset` (the generic page read), `lists` (the order and
//! payment lists: sorts, filters, plans, counts), `search` (the trigram
//! index), `events` (the webhook log and the orphans), `statements` (the
//! Statements view's files and lines), `detail` (single
//! orders: the detail pane with every attempt and its movements, an
//! action's targets).

mod detail;
mod events;
mod keyset;
mod lists;
mod search;
mod statements;

pub use self::detail::{OrderDetail, StatementMoney, load_orders, order_detail};
pub use self::events::{
    OrphanRow, OrphanSource, WebhookRow, WebhookSource, fetch_orphans, fetch_webhooks, side_counts,
};
pub use self::keyset::{Anchor, Load, Nav, Pager, RowKey, Source, navigate, page, window};
pub use self::lists::{
    DENSE_BUDGET, Filter, ListKind, ListRow, ListSource, ListSpec, MARK_CAP, ORDER_SORTS,
    OrderMoney, PAYMENT_SORTS, Plan, SET_CAP, Seed, Sort, SortCol, count, fetch, ids_between, plan,
};
pub use self::search::{Trigrams, fts_query};
pub use self::statements::{StatementRow, StatementSource, statement_files};

use crate::store::Reader;

/// The database's change counter for commits by other connections.
pub fn data_version(conn: &Reader<'_>) -> rusqlite::Result<i64> {
    conn.data_version()
}
