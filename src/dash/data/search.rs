//! Search: the `order_search` trigram index (migration 004) and the `LIKE`
//! check of its candidates.
//!
//! The index gives a superset of candidates, each checked against the real
//! columns with `LIKE`, so the result is exactly "the text occurs in the
//! number, the customer, the email or a payment reference" (ASCII case
//! ignored): any of the order's payments in the Orders view, the row's own
//! payment in the Payments view. Searches shorter than three characters
//! have no trigram and are checked with `LIKE` alone.

use std::collections::HashMap;

use crate::store::Reader;

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
pub(super) fn like_pattern(search: &str) -> String {
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

/// The check of a search index candidate against the real columns, with
/// [`like_pattern`] four times: a row of the Payments view is one payment,
/// checked against its own reference.
pub(super) const VERIFY_PAYMENT: &str = "(o.number LIKE ? ESCAPE '\\' OR o.customer_name LIKE ? ESCAPE '\\' \
     OR o.customer_email LIKE ? ESCAPE '\\' OR p.reference LIKE ? ESCAPE '\\')";

/// The same check for a row of the Orders view: the order is found by the
/// reference of any of its payments (attempts), as the index document holds
/// them all (migration 006), not only by its main payment's.
pub(super) const VERIFY_ORDER: &str = "(o.number LIKE ? ESCAPE '\\' OR o.customer_name LIKE ? ESCAPE '\\' \
     OR o.customer_email LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM payments q \
     WHERE q.order_id = o.id AND q.reference LIKE ? ESCAPE '\\'))";
