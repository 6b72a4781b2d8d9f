//! The order search index (`order_search`, schema version 4), filled in
//! bulk.
//!
//! Every writer keeps the index in step through its triggers, one row at a
//! time. A bulk load (`tally demo`) turns triggers off on its own connection
//! and hands the index to a [`BulkIndex`] instead, which costs the load
//! almost nothing on a machine with a second core.
//!
//! # How
//! For a database file, a thread with its own connection indexes each
//! committed batch into a private temporary database (it never takes the
//! shop's write lock while it works), and at the end copies the finished
//! index's tables into the shop in one transaction. The copy is made from
//! that thread's connection, so every other connection (the loader's
//! included) sees a new data version and reads the index afresh. Both
//! tables are created by the same SQLite from the same definition (read
//! back from the schema), so their tables hold the same format.
//!
//! A database in memory (tests), or a thread that failed, is indexed in one
//! statement on the loader's connection instead.
//!
//! # What it promises
//! After [`BulkIndex::finish`] returns `Ok`, the index holds exactly one
//! entry per order, as the triggers would have made it.

use std::path::Path;
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use super::{OpenMode, Store, StoreError};

/// The search index's tables, copied as they are.
const SHADOW: [&str; 4] = ["data", "idx", "docsize", "config"];

/// The indexing thread: its wake-up channel and its result.
type Worker = (Sender<()>, JoinHandle<Result<(), StoreError>>);

/// Fills the search index of a bulk load (see the module doc).
pub struct BulkIndex {
    worker: Option<Worker>,
}

impl BulkIndex {
    /// Starts indexing the orders `store` is about to load.
    pub fn start(store: &Store) -> BulkIndex {
        let path = store.path().to_owned();
        if path == Path::new(":memory:") {
            return BulkIndex { worker: None };
        }
        let (tx, rx) = mpsc::channel::<()>();
        let handle = std::thread::spawn(move || -> Result<(), StoreError> {
            let mut own = Store::open(&path, OpenMode::MustExist)?;
            let conn = own.conn();
            conn.execute_batch("ATTACH '' AS bulk; PRAGMA bulk.cache_size = -131072;")?;
            let create: String = conn.query_row(
                "SELECT sql FROM main.sqlite_master WHERE name = 'order_search'",
                [],
                |r| r.get(0),
            )?;
            conn.execute_batch(&create.replacen("order_search", "bulk.order_search", 1))?;
            let mut done: i64 = 0;
            let mut index_committed = |conn: &rusqlite::Connection| -> rusqlite::Result<()> {
                // One snapshot: index what is committed, note how far.
                conn.execute_batch("BEGIN")?;
                conn.execute(
                    "INSERT INTO bulk.order_search (rowid, doc)
                     SELECT id, doc FROM main.order_search_doc WHERE id > ?1",
                    [done],
                )?;
                done = conn.query_row("SELECT coalesce(max(id), 0) FROM main.orders", [], |r| {
                    r.get(0)
                })?;
                conn.execute_batch("COMMIT")
            };
            while rx.recv().is_ok() {
                // Several batches may have been committed meanwhile.
                while rx.try_recv().is_ok() {}
                index_committed(conn)?;
            }
            index_committed(conn)?;
            own.write(|tx| -> rusqlite::Result<()> {
                for t in SHADOW {
                    tx.conn().execute_batch(&format!(
                        "DELETE FROM main.order_search_{t};
                         INSERT INTO main.order_search_{t} SELECT * FROM bulk.order_search_{t};"
                    ))?;
                }
                Ok(())
            })?;
            own.conn().execute_batch("DETACH bulk")?;
            Ok(())
        });
        BulkIndex {
            worker: Some((tx, handle)),
        }
    }

    /// Says a batch of orders was committed.
    pub fn committed(&self) {
        if let Some((tx, _)) = &self.worker {
            let _ = tx.send(());
        }
    }

    /// Finishes the index; call it with no transaction open on `store`.
    pub fn finish(self, store: &mut Store) -> rusqlite::Result<()> {
        if let Some((tx, handle)) = self.worker {
            drop(tx);
            if matches!(handle.join(), Ok(Ok(()))) {
                return Ok(());
            }
        }
        // In memory, or the thread failed: index here, in one statement.
        store.write(|tx| {
            tx.conn().execute_batch(
                "INSERT INTO order_search (order_search) VALUES ('delete-all');
                 INSERT INTO order_search (rowid, doc) SELECT id, doc FROM order_search_doc;",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(store: &Store, q: &str) -> Vec<i64> {
        let mut stmt = store
            .conn()
            .prepare("SELECT rowid FROM order_search WHERE order_search MATCH ?1 ORDER BY rowid")
            .unwrap();
        let chars: Vec<char> = q.chars().collect();
        let query = chars
            .windows(3)
            .map(|w| format!("\"{}\"", w.iter().collect::<String>()))
            .collect::<Vec<_>>()
            .join(" AND ");
        stmt.query_map([query], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn like(store: &Store, q: &str) -> Vec<i64> {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT o.id FROM orders o LEFT JOIN payments p ON p.order_id = o.id
                 WHERE instr(lower(o.number || ' ' || o.customer_name || ' ' || o.customer_email
                       || ' ' || coalesce(p.reference, '')), lower(?1)) ORDER BY o.id",
            )
            .unwrap();
        stmt.query_map([q], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_bulk_built_index_is_the_one_the_triggers_make_and_stays_writable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulk.db");
        let mut store = Store::open(&path, OpenMode::CreateIfMissing).unwrap();
        crate::demo::build(&mut store, 3_000, 3, crate::testing::now(), |_| {}).unwrap();
        for q in [
            "TEST1",
            "Dio",
            "pi_3demo000000201",
            "T_WAVE",
            "example",
            "Chloé",
        ] {
            let found = search(&store, q);
            for id in like(&store, q) {
                assert!(found.contains(&id), "{q}: order {id} not found");
            }
        }
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM order_search_docsize", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 3_000);
        // The triggers go on from there: a rename replaces the entry.
        store
            .conn()
            .execute(
                "UPDATE orders SET customer_name = 'Zoé Quist' WHERE number = 'TEST1500'",
                [],
            )
            .unwrap();
        assert_eq!(search(&store, "Quist").len(), 1);
        // FTS5's own check of its structures.
        store
            .conn()
            .execute(
                "INSERT INTO order_search (order_search, rank) VALUES ('integrity-check', 0)",
                [],
            )
            .unwrap();
    }
}
