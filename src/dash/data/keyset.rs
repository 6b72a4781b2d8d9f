//! The one generic page read: every paged view (orders, payments, the
//! webhook log, the orphans) is read through a [`Keyset`] and a [`Source`],
//! and moved through with [`page`].
//!
//! # What it promises
//! - A page is "the `limit` rows after (or before) this row's sort key",
//!   walked through an index on the sort columns, so page 40,000 costs what
//!   page 1 costs. [`window`] reads the rows around the row under the
//!   cursor; [`navigate`] finds the next focus row and calls it.
//! - Rows come back in display order whichever way the index was walked.
//! - Every statement is a cached statement, reset when the read returns: no
//!   read transaction outlives a frame.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::store::Reader;

/// A row's position in its sort order: the sort columns' values, the unique
/// tie-breaker last.
pub type RowKey = Vec<Value>;

/// Where a read starts, in display order.
#[derive(Debug, Clone, Copy)]
pub enum Anchor<'a> {
    First,
    Last,
    After(&'a RowKey),
    AtOrAfter(&'a RowKey),
    Before(&'a RowKey),
}

/// A keyset read: `FROM`, conditions, key expressions; builds the SQL for
/// any anchor.
pub(super) struct Keyset<'a> {
    /// The columns a row is made of; the key columns follow them.
    pub select: String,
    pub from: &'a str,
    pub conds: Vec<String>,
    pub params: Vec<Value>,
    pub keys: Vec<String>,
    /// Whether the display order is descending.
    pub desc: bool,
}

impl Keyset<'_> {
    /// The SQL and parameters for `limit` rows from `anchor`, returned in
    /// the order of the walk (reversed for `Before` and `Last`).
    fn sql(&self, anchor: Anchor<'_>, limit: usize) -> (String, Vec<Value>, bool) {
        let mut conds = self.conds.clone();
        let mut params = self.params.clone();
        let backwards = match anchor {
            Anchor::Before(_) | Anchor::Last => true,
            Anchor::First | Anchor::After(_) | Anchor::AtOrAfter(_) => false,
        };
        // The walk goes up the index unless the display order is descending
        // (or, walking backwards, ascending).
        let walk_up = self.desc == backwards;
        let key_op = |strict: bool| match (strict, walk_up) {
            (true, true) => ">",
            (false, true) => ">=",
            (true, false) => "<",
            (false, false) => "<=",
        };
        let mut bound = |op: &str, key: &RowKey| {
            conds.push(self.compare(op));
            params.extend(key.iter().take(self.keys.len()).cloned());
        };
        match anchor {
            Anchor::First | Anchor::Last => {}
            Anchor::After(k) | Anchor::Before(k) => bound(key_op(true), k),
            Anchor::AtOrAfter(k) => bound(key_op(false), k),
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

    /// The condition "the key compares `op` the parameters".
    pub fn compare(&self, op: &str) -> String {
        let lhs = self.keys.join(", ");
        let rhs = vec!["?"; self.keys.len()].join(", ");
        format!("({lhs}) {op} ({rhs})")
    }

    /// Reads `limit` rows from `anchor`, in display order; `row` makes one
    /// from the selected columns (the key columns follow them).
    pub fn fetch<R>(
        &self,
        conn: &Reader<'_>,
        anchor: Anchor<'_>,
        limit: usize,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<R>,
    ) -> rusqlite::Result<Vec<R>> {
        let (sql, params, backwards) = self.sql(anchor, limit);
        let mut rows = conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(params), row)?
            .collect::<rusqlite::Result<Vec<R>>>()?;
        if backwards {
            rows.reverse();
        }
        Ok(rows)
    }
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
    fn key(row: &Self::Row) -> RowKey;
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

/// How a view's rows are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// From the first row.
    Top,
    /// Around the row under the cursor, where it is on screen.
    Keep,
    /// After a move.
    Nav(Nav),
}

/// Reads the page of any paged view: the one read every view pages with.
pub fn page<S: Source>(
    src: &mut S,
    pager: &Pager<S::Row>,
    how: Load,
    height: usize,
) -> rusqlite::Result<Pager<S::Row>> {
    match how {
        Load::Top => window(src, None, 0, height),
        Load::Keep => {
            let focus = pager.current().map(S::key);
            window(src, focus.as_ref(), pager.cursor, height)
        }
        Load::Nav(nav) => navigate(src, pager, nav, height),
    }
}

/// Reads the rows around `focus` (the row under the cursor, or the nearest
/// after it), placing it `cursor` rows from the top when the list allows,
/// and filling the screen near either end.
pub fn window<S: Source>(
    src: &mut S,
    focus: Option<&RowKey>,
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
        return last_page(src, height);
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

/// The last screenful, the cursor on the last row.
fn last_page<S: Source>(src: &mut S, height: usize) -> rusqlite::Result<Pager<S::Row>> {
    let rows = src.fetch(Anchor::Last, height)?;
    let cursor = rows.len().saturating_sub(1);
    Ok(Pager { rows, cursor })
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
    // How far, which way, and whether the cursor keeps its screen row.
    let (n, down, keep) = match nav {
        Nav::Top => return window(src, None, 0, height),
        Nav::Bottom => return last_page(src, height),
        Nav::Down(n) => (n, true, false),
        Nav::Up(n) => (n, false, false),
        Nav::PageDown => (height, true, true),
        Nav::PageUp => (height, false, true),
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
