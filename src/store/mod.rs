//! The SQLite file: opening it, its schema, and every write to it.
//!
//! # Ownership
//! The store owns its connection and hands out none that can write. Every
//! write to orders, payments, the audit log, resolutions, provider events,
//! orphans and the webhook log is one [`Writer`] method, reached only
//! through [`Store::write`]'s transaction. Reads go through a [`Reader`]
//! ([`Store::reader`], [`Store::read`], or a `Writer`, which dereferences
//! to one), which refuses any statement that is not read-only.
//!
//! # Opening
//! [`Store::open`] is the only place a connection is set up: PRAGMAs first
//! (WAL, foreign keys, `synchronous=FULL`, a busy timeout), then the embedded
//! migrations from `sql/`, then the refusal of a schema newer than this
//! binary. A new database file is created readable by its owner only (0600);
//! SQLite gives its `-wal` and `-shm` files the same permissions.
//!
//! # Locking
//! Several `tally` processes share one file: a dashboard, a cron
//! `check --fix`, the webhook listener. Every transaction this store opens
//! with [`Store::write`] starts with `BEGIN IMMEDIATE`, so a writer takes the
//! write lock before it reads and waits (up to the busy timeout) instead of
//! failing with SQLITE_BUSY half-way. Reads outside `write` run in autocommit
//! mode or in short read transactions; nothing holds a read transaction open
//! across user interaction, which would block WAL checkpoints.
//!
//! # Durability
//! `synchronous=FULL`: once `write` returns `Ok`, the change survives a power
//! cut. The webhook listener acknowledges an event only after that.
//!
//! # Compatibility
//! The schema version lives in `PRAGMA user_version`. Migrations are
//! append-only; a database migrated by a newer `tally` is refused rather than
//! misread.

pub mod bulk;
pub mod ledger;
mod reader;
pub mod refunds;
pub mod rows;
pub mod search;
pub mod statements;
pub mod sync;
pub mod webhooks;
mod writer;

pub use reader::{AuditField, MAIN_PAYMENT_ORDER, PaymentKey, Reader};
pub use writer::Writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

/// The schema, in order. Do not change the order or edit a shipped file.
const MIGRATION_LIST: &[M<'static>] = &[
    M::up(include_str!("../../sql/001_initial.sql")),
    M::up(include_str!("../../sql/002_webhooks_and_resolutions.sql")),
    M::up(include_str!("../../sql/003_webhook_event_time.sql")),
    M::up(include_str!("../../sql/004_dashboard.sql")),
    M::up(include_str!("../../sql/005_check_indexes.sql")),
    M::up(include_str!("../../sql/006_ledger.sql")),
    M::up(include_str!("../../sql/007_statements.sql")),
    M::up(include_str!("../../sql/008_sync.sql")),
    M::up(include_str!("../../sql/009_refunds.sql")),
];
static MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_LIST);

/// How long a writer waits for another process's write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What went wrong in a migration, in one line: SQLite's message when
/// there is one.
fn migration_reason(e: &rusqlite_migration::Error) -> String {
    let text = match e {
        rusqlite_migration::Error::RusqliteError {
            err: rusqlite::Error::SqliteFailure(_, Some(message)),
            ..
        } => message.clone(),
        rusqlite_migration::Error::RusqliteError { err, .. } => err.to_string(),
        other => other.to_string(),
    };
    // SQLite names the failing batch after " in ": our migrations begin
    // with a "-- " comment, so the SQL starts at " in -- ".
    let line = text.lines().next().unwrap_or_default();
    let line = line.split(" in -- ").next().unwrap_or(line);
    line.chars().take(200).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no database at {0} (create one with `tally import FILE` or `tally demo`, or point --db / TALLY_DB at yours)"
    )]
    Missing(PathBuf),
    #[error("cannot open database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create database {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "database {path} has schema version {found}, newer than this tally supports ({supported}): upgrade tally"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: usize,
    },
    /// The reason is SQLite's own message, without the migration's SQL
    /// (which the migration library's error repeats at length).
    #[error("cannot migrate database {path} to schema {to}: {reason}")]
    Migrate {
        path: PathBuf,
        to: usize,
        reason: String,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Polls for a busy lock every 0.5–1 ms, giving up after [`BUSY_TIMEOUT`]'s
/// worth of polls.
///
/// SQLite's own busy timeout backs off to 100 ms sleeps, so a waiting writer
/// keeps missing the short gaps between another process's small
/// transactions (a fix in batches, a bulk cancel) and may wait for the whole
/// run. Short, jittered polls take the lock in those gaps.
fn wait_for_lock(attempt: i32) -> bool {
    const POLL_MICROS: u64 = 500;
    let attempt = u64::from(attempt.unsigned_abs());
    if attempt * POLL_MICROS > BUSY_TIMEOUT.as_micros() as u64 {
        return false;
    }
    // Jitter, so two waiters do not wake in step.
    std::thread::sleep(Duration::from_micros(
        POLL_MICROS + (attempt * 379) % POLL_MICROS,
    ));
    true
}

/// Whether [`Store::open`] may create the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file (0600) when it does not exist.
    CreateIfMissing,
    /// Refuse a path with no database: a typo in `--db` must not silently
    /// start an empty shop.
    MustExist,
}

/// The database: owns its connection. One `Store` per thread.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (and if allowed creates) the database at `path`, migrated.
    pub fn open(path: &Path, mode: OpenMode) -> Result<Store, StoreError> {
        if !path.exists() {
            match mode {
                OpenMode::MustExist => return Err(StoreError::Missing(path.to_owned())),
                OpenMode::CreateIfMissing => create_private(path)?,
            }
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        Store::setup(conn, path)
    }

    /// A private in-memory database, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        Store::setup(conn, Path::new(":memory:"))
    }

    fn setup(mut conn: Connection, path: &Path) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        conn.busy_handler(Some(wait_for_lock)).map_err(open_err)?;
        // journal_mode must be set outside a transaction, so before migrations.
        conn.pragma_update(None, "journal_mode", "wal")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "full")
            .map_err(open_err)?;
        // Foreign keys stay off while migrations run (a migration that
        // rebuilds a table must not cascade its drop into the rows that
        // refer to it: SQLite's documented procedure), and are turned on
        // below, before anything else is written.
        conn.pragma_update(None, "foreign_keys", "off")
            .map_err(open_err)?;
        // Every `transaction()` on this connection is BEGIN IMMEDIATE,
        // the migrations' included.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);

        let found: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(open_err)?;
        let supported = MIGRATION_LIST.len();
        if found > supported as i64 {
            return Err(StoreError::TooNew {
                path: path.to_owned(),
                found,
                supported,
            });
        }
        if found < supported as i64
            && let Err(source) = MIGRATIONS.to_latest(&mut conn)
        {
            // Another process may have migrated the file between our read of
            // the version and our own attempt: that is success too.
            let now: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if now != supported as i64 {
                return Err(StoreError::Migrate {
                    path: path.to_owned(),
                    to: supported,
                    reason: migration_reason(&source),
                });
            }
        }
        conn.pragma_update(None, "foreign_keys", "on")
            .map_err(open_err)?;
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    /// Opens an existing database read-only, without migrating it, and
    /// reads its schema version (`user_version`): for `tally doctor`, which
    /// looks and changes nothing. The connection must not be used to write.
    pub fn inspect(path: &Path) -> Result<(Connection, i64), StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_owned()));
        }
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let version = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(open_err)?;
        Ok((conn, version))
    }

    /// Lets this connection keep up to `mib` MiB of pages in memory, for a
    /// command that reads the whole shop (a check, a fix); the default is
    /// SQLite's 2 MiB, which suits the long-running dashboard and listener.
    pub fn set_cache_mib(&self, mib: i64) -> Result<(), StoreError> {
        Ok(self.conn.pragma_update(None, "cache_size", -mib * 1024)?)
    }

    /// The schema version this binary writes.
    pub fn schema_version() -> usize {
        MIGRATION_LIST.len()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection: the store's own, and unit tests' (which break a
    /// shop on purpose).
    #[cfg(not(test))]
    fn conn(&self) -> &Connection {
        &self.conn
    }

    #[cfg(test)]
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Reads in autocommit mode: each statement sees the latest commit.
    pub fn reader(&self) -> Reader<'_> {
        Reader { conn: &self.conn }
    }

    /// Turns `PRAGMA secure_delete` on for this connection, so that deleted
    /// bytes (pruned webhook bodies) are overwritten in the file.
    pub fn set_secure_delete(&self) -> Result<(), StoreError> {
        Ok(self.conn.pragma_update(None, "secure_delete", "on")?)
    }

    /// Checkpoints the WAL into the main file and truncates it (so pruned
    /// bytes leave the `-wal` file too). Returns whether a reader kept the
    /// checkpoint from completing.
    pub fn checkpoint_truncate(&self) -> Result<bool, StoreError> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok(busy != 0)
    }

    /// Rolls back a transaction left open by a panic in a handler, so the
    /// connection can serve the next request. Does nothing otherwise.
    pub fn recover_after_panic(&self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// Writes a consistent copy of the database to `dest` (which must not
    /// exist), readable by its owner only, with `VACUUM INTO`: safe while
    /// other processes write, unlike copying the file.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        create_new_private(dest)?;
        let dest_text = dest.to_string_lossy();
        self.conn
            .execute("VACUUM INTO ?1", [dest_text.as_ref()])
            .map(drop)
            .map_err(|e| {
                let _ = std::fs::remove_file(dest);
                StoreError::Sqlite(e)
            })
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: all of it is committed,
    /// or, when `f` fails, none of it.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&Writer {
            reader: Reader { conn: &tx },
        })?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction and rolls all of it
    /// back, whatever `f` returns: a rehearsal (`--dry-run`) that goes
    /// through the real writes and keeps none.
    pub fn rehearse<T, E>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&Writer {
            reader: Reader { conn: &tx },
        });
        tx.rollback()?;
        value
    }

    /// Runs `f` in one short read transaction, for reads that must see one
    /// consistent snapshot. Do not hold it across user interaction.
    pub fn read<T, E>(&mut self, f: impl FnOnce(&Reader<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        let value = f(&Reader { conn: &tx })?;
        tx.finish()?;
        Ok(value)
    }
}

#[cfg(unix)]
fn create_private(path: &Path) -> Result<(), StoreError> {
    create_private_file(path, true)
}

#[cfg(unix)]
fn create_private_file(path: &Path, existing_ok: bool) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .or_else(|e| match e.kind() {
            // Created by another process in the meantime: fine.
            std::io::ErrorKind::AlreadyExists if existing_ok => Ok(()),
            _ => Err(e),
        })
        .map_err(|source| StoreError::Create {
            path: path.to_owned(),
            source,
        })
}

/// Creates an empty file readable by its owner only; it must not exist.
#[cfg(unix)]
fn create_new_private(path: &Path) -> Result<(), StoreError> {
    create_private_file(path, false)
}

#[cfg(not(unix))]
fn create_new_private(path: &Path) -> Result<(), StoreError> {
    create_private(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> Result<(), StoreError> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map(drop)
        .map_err(|source| StoreError::Create {
            path: path.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }

    #[test]
    fn a_new_file_is_private_and_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        let store = Store::open(&path, OpenMode::CreateIfMissing).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mode: String = store
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = store
            .conn()
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let fk: i64 = store
            .conn()
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn a_missing_file_is_refused_unless_creating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typo.db");
        let err = Store::open(&path, OpenMode::MustExist).err().unwrap();
        assert!(matches!(err, StoreError::Missing(_)));
        assert!(!path.exists());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        drop(Store::open(&path, OpenMode::CreateIfMissing).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = Store::open(&path, OpenMode::MustExist).err().unwrap();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("upgrade tally"));
    }

    #[test]
    fn a_failed_migration_says_why_in_one_line_without_its_sql() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("odd.db");
        drop(Store::open(&path, OpenMode::CreateIfMissing).unwrap());
        // A database that says it is one schema behind, but already has
        // the last migration's table.
        let conn = Connection::open(&path).unwrap();
        let behind = i64::try_from(MIGRATION_LIST.len()).unwrap() - 1;
        conn.pragma_update(None, "user_version", behind).unwrap();
        drop(conn);
        let err = Store::open(&path, OpenMode::MustExist).err().unwrap();
        let text = err.to_string();
        assert!(text.contains("already exists"), "{text}");
        assert!(!text.contains('\n') && !text.contains("CREATE"), "{text}");
        assert!(
            text.contains(&format!("to schema {}", MIGRATION_LIST.len())),
            "{text}"
        );
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let r: Result<(), StoreError> = store.write(|tx| {
            tx.conn().execute(
                "INSERT INTO audit_log (at, event, actor) VALUES ('x', 'e', 'a')",
                [],
            )?;
            Err(StoreError::Missing(PathBuf::from("boom")))
        });
        assert!(r.is_err());
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
