//! A bulk load (`tally demo`): the settings that make writing a million
//! rows on one connection fast, and putting them back.
//!
//! [`BulkLoad::start`] gives this connection a large page cache and two
//! sorter threads, drops the secondary indexes of orders and payments (their
//! definitions are read back from the schema, so the migrations stay the
//! only place they are written; partial indexes hold a few rows each and
//! stay, and so does `payments_order`, which the search document reads for
//! every order), and turns triggers off on this connection only (the search index
//! is filled batch by batch by a [`BulkIndex`](super::search::BulkIndex)
//! instead). [`BulkLoad::finish`] turns triggers back on and rebuilds the
//! indexes in one transaction.

use rusqlite::config::DbConfig;

use super::{Store, StoreError};

/// Index definitions dropped for a bulk load, to rebuild after it.
pub struct BulkLoad {
    indexes: Vec<(String, String)>,
}

impl BulkLoad {
    pub fn start(store: &mut Store) -> Result<BulkLoad, StoreError> {
        let conn = store.conn();
        conn.pragma_update(None, "cache_size", -262_144)?;
        conn.pragma_update(None, "threads", 2)?;
        let indexes: Vec<(String, String)> = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                   AND tbl_name IN ('orders', 'payments') AND sql NOT LIKE '% WHERE %'
                   AND name <> 'payments_order'",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &indexes {
            conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
        Ok(BulkLoad { indexes })
    }

    pub fn finish(self, store: &mut Store) -> Result<(), StoreError> {
        store
            .conn()
            .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, true)?;
        store.write(|tx| {
            self.indexes
                .iter()
                .try_for_each(|(_, sql)| tx.conn().execute_batch(sql))
        })?;
        Ok(())
    }
}
