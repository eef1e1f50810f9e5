//! The connections to one database: a single writer behind a mutex, a few
//! read-only connections for reads, and the async front door that runs every
//! call on tokio's blocking pool.

use crate::SqliteStore;
use crate::codec::{DbError, DbResult};
use crate::migrate;
use entremise_domain::events::Bus;
use entremise_domain::timings::{OpKind, OpTimings};
use entremise_domain::{Error, Result};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a connection waits for another process's lock before failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements kept per connection (the store has a few dozen).
const STATEMENT_CACHE: usize = 64;

/// What a write acknowledged by the store survives: the `synchronous`
/// setting of every connection, under the WAL journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=FULL`: each commit is flushed to the WAL file on disk
    /// (one fsync) before the write returns, so an acknowledged write
    /// survives the process being killed, an operating system crash and a
    /// power cut.
    #[default]
    Full,
    /// `synchronous=NORMAL`: the WAL is flushed only at checkpoints. An
    /// acknowledged write survives the process being killed, but the last
    /// commits before an operating system crash or a power cut may be lost
    /// (the database itself stays consistent).
    Normal,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

pub(crate) struct Connections {
    location: String,
    writer: Mutex<Connection>,
    /// Empty for an in-memory database: the writer serves reads too.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    /// Where committed events are published, in commit order.
    bus: Arc<Bus>,
    durability: Durability,
    /// How long each operation took, from the caller's side (the wait for
    /// a blocking thread and a connection included).
    timings: OpTimings,
}

impl Connections {
    /// Opens the writer (creating the file, switching it to WAL and applying
    /// migrations), then `readers` read-only connections. A file SQLite will
    /// not journal in WAL mode (a filesystem without shared memory, a
    /// special name) is refused with an error naming it and the mode
    /// obtained: the rollback journal would make every read wait on the
    /// writer, and with `synchronous=NORMAL` could corrupt the database on a
    /// power cut.
    pub(crate) fn open_file(path: &Path, readers: usize, durability: Durability) -> Result<Self> {
        let op = "open store";
        let mut writer = Connection::open(path).map_err(|e| internal(op, e))?;
        configure(&writer, durability).map_err(|e| internal(op, e))?;
        let mode: String = writer
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|e| internal(op, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::internal(format!(
                "{op}: {}: SQLite refused the WAL journal mode and answered {mode:?}; \
                 the store needs WAL (its readers alongside the writer and its \
                 crash safety rest on it). Put the data directory on a \
                 local filesystem that supports shared memory (not a network share).",
                path.display()
            )));
        }
        migrate::apply(&mut writer)?;
        let readers = (0..readers)
            .map(|_| {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(path, flags)?;
                configure(&conn, durability)?;
                Ok(Mutex::new(conn))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| internal(op, e))?;
        let bus = bus_after(&writer).map_err(|e| internal(op, e))?;
        Ok(Self {
            location: path.display().to_string(),
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            bus,
            durability,
            timings: OpTimings::default(),
        })
    }

    /// One private in-memory database behind a single connection.
    pub(crate) fn open_in_memory() -> Result<Self> {
        let op = "open in-memory store";
        let mut conn = Connection::open_in_memory().map_err(|e| internal(op, e))?;
        configure(&conn, Durability::Full).map_err(|e| internal(op, e))?;
        migrate::apply(&mut conn)?;
        let bus = bus_after(&conn).map_err(|e| internal(op, e))?;
        Ok(Self {
            location: ":memory:".to_owned(),
            writer: Mutex::new(conn),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
            bus,
            durability: Durability::Full,
            timings: OpTimings::default(),
        })
    }

    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    pub(crate) fn bus(&self) -> &Arc<Bus> {
        &self.bus
    }

    pub(crate) fn timings(&self) -> &OpTimings {
        &self.timings
    }

    /// Records a call of `op` begun at `started` that ended with `out`.
    fn timed<T>(&self, op: &'static str, kind: OpKind, started: Instant, out: &Result<T>) {
        let failed = matches!(out, Err(Error::Internal(_) | Error::StorageFull(_)));
        self.timings.record(op, kind, started.elapsed(), failed);
    }

    /// A read connection: the first idle one from a rotating start, else
    /// waits for the next in turn.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        let n = self.readers.len();
        if n == 0 {
            return lock(&self.writer);
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed) % n;
        (0..n)
            .find_map(|i| self.readers[(start + i) % n].try_lock().ok())
            .unwrap_or_else(|| lock(&self.readers[start]))
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        lock(&self.writer)
    }
}

impl Drop for Connections {
    /// Lets SQLite refresh its query planner statistics before closing, as
    /// it recommends for long-lived connections; a failure changes nothing.
    fn drop(&mut self) {
        let writer = self
            .writer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        let _ = writer.execute_batch("PRAGMA optimize");
    }
}

/// A connection stays usable after a panic elsewhere: an open transaction
/// was rolled back when it was dropped.
fn lock(mutex: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Bytes of the database file each connection may map (SQLite caps it to
/// the file's size; 0 where mapping is not supported).
const MMAP_BYTES: i64 = 1 << 30;

/// Per-connection settings. `journal_mode` is a property of the file, set
/// by [`Connections::open_file`] on the writer; these hold per connection.
fn configure(conn: &Connection, durability: Durability) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", durability.pragma())?;
    // Reads map the file instead of copying pages through read(2), and each
    // connection keeps a larger page cache (32 MiB): hot indexes (posts by
    // author, contacts) stay in memory.
    // (An in-memory database answers the pragma with no row: not an error.)
    conn.execute_batch(&format!("PRAGMA mmap_size = {MMAP_BYTES}"))?;
    conn.pragma_update(None, "cache_size", -32_768)?;
    Ok(())
}

/// The node's bus, started after what the outbox already holds.
fn bus_after(conn: &Connection) -> rusqlite::Result<Arc<Bus>> {
    let bus = Bus::default();
    bus.start_at(crate::events::last_seq(conn)?);
    Ok(Arc::new(bus))
}

fn internal(op: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("{op}: {e}"))
}

impl SqliteStore {
    /// Runs `f` on a read connection, off the async workers. `op` names the
    /// operation in internal errors and in the store's timings
    /// ([`entremise_domain::events::EventLog::op_timings`]).
    pub(crate) async fn read<T, F>(&self, op: &'static str, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> DbResult<T> + Send + 'static,
    {
        let started = Instant::now();
        let connections = self.connections.clone();
        let out = blocking(op, move || f(&connections.reader())).await;
        self.connections.timed(op, OpKind::Read, started, &out);
        out
    }

    /// [`Self::write`] for state derived from the change events with its
    /// checkpoint in the same transaction (a projection's rows): its commit
    /// is not flushed on its own (`synchronous=NORMAL` for it). A crash of
    /// the machine may lose it, and with it its checkpoint, so the
    /// projection derives it again from the outbox; the next flushed commit
    /// (any member's write) flushes it too, since the WAL is written in
    /// order. Members' writes keep their own flush.
    pub(crate) async fn write_derived<T, F>(&self, op: &'static str, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> DbResult<T> + Send + 'static,
    {
        if self.connections.durability != Durability::Full {
            return self.write(op, f).await;
        }
        let started = Instant::now();
        let connections = self.connections.clone();
        let out = blocking(op, move || {
            let mut conn = connections.writer();
            conn.pragma_update(None, "synchronous", Durability::Normal.pragma())?;
            // Members' writes are flushed again whatever happens in `f`,
            // a panic included.
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                crate::events::forget_recorded();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let out = f(&tx)?;
                tx.commit()?;
                let recorded = crate::events::take_recorded();
                if !recorded.is_empty() {
                    connections.bus.publish(recorded);
                }
                Ok(out)
            }));
            let restored = conn.pragma_update(None, "synchronous", Durability::Full.pragma());
            let out = match out {
                Ok(out) => out,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            restored?;
            out
        })
        .await;
        self.connections.timed(op, OpKind::Write, started, &out);
        out
    }

    /// Runs `f` inside one write transaction, off the async workers: it
    /// commits when `f` succeeds and rolls back when it fails.
    pub(crate) async fn write<T, F>(&self, op: &'static str, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> DbResult<T> + Send + 'static,
    {
        let started = Instant::now();
        let connections = self.connections.clone();
        let out = blocking(op, move || {
            let mut conn = connections.writer();
            // IMMEDIATE takes the write lock up front, so a transaction never
            // fails half-way because another process started writing.
            crate::events::forget_recorded();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            // Still under the write lock: the bus gets events in commit order.
            let recorded = crate::events::take_recorded();
            if !recorded.is_empty() {
                connections.bus.publish(recorded);
            }
            Ok(out)
        })
        .await;
        self.connections.timed(op, OpKind::Write, started, &out);
        out
    }
}

async fn blocking<T, F>(op: &'static str, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> DbResult<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(DbError::Domain(e))) => Err(e),
        Ok(Err(DbError::Sql(e))) if disk_full(&e) => Err(Error::StorageFull(format!("{op}: {e}"))),
        Ok(Err(DbError::Sql(e))) => Err(internal(op, e)),
        Err(join) => Err(internal(op, join)),
    }
}

/// SQLite's answer when a write finds no room left on the disk (the
/// transaction is rolled back, the database intact).
fn disk_full(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
}

#[cfg(test)]
mod tests {
    use crate::SqliteStore;
    use entremise_domain::Error;
    use std::path::Path;

    /// A database that will not journal in WAL mode (here one in memory,
    /// which answers `memory`, as a filesystem without shared memory
    /// answers `delete`) is not opened: the error names the file and the
    /// mode obtained.
    #[test]
    fn a_refused_wal_mode_fails_the_opening() {
        let err = SqliteStore::open(Path::new(":memory:")).unwrap_err();
        let Error::Internal(cause) = err else {
            panic!("not an internal error: {err:?}");
        };
        assert!(cause.contains(":memory:"), "{cause}");
        assert!(cause.contains("WAL"), "{cause}");
        assert!(cause.contains("\"memory\""), "{cause}");
    }

    /// Every connection, writer and readers, commits as durably as asked:
    /// FULL (2) by default, NORMAL (1) when relaxed.
    #[test]
    fn connections_sync_as_asked() {
        use crate::Durability;
        let dir = tempfile::tempdir().unwrap();
        for (durability, level) in [(Durability::Full, 2), (Durability::Normal, 1)] {
            let path = dir.path().join(format!("{durability:?}.db"));
            let store = SqliteStore::open_with(&path, durability).unwrap();
            let c = &store.connections;
            let writer: i64 = c
                .writer()
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap();
            assert_eq!(writer, level, "{durability:?}: writer");
            for reader in &c.readers {
                let got: i64 = super::lock(reader)
                    .query_row("PRAGMA synchronous", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(got, level, "{durability:?}: reader");
            }
        }
        let default = dir.path().join("default.db");
        let store = SqliteStore::open(&default).unwrap();
        let level: i64 = store
            .connections
            .writer()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(level, 2, "FULL by default");
    }

    /// A file on an ordinary filesystem gets WAL.
    #[test]
    fn a_file_opens_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.db");
        SqliteStore::open(&path).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    /// A projection's write is not flushed on its own, and every write
    /// after it is flushed again, even when the projection's write fails
    /// or panics.
    #[tokio::test]
    async fn derived_writes_leave_the_writer_flushing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("d.db")).unwrap();
        let level = |store: &SqliteStore| -> i64 {
            store
                .connections
                .writer()
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap()
        };
        let seen = store
            .write_derived("probe", |tx| {
                Ok(tx.query_row("PRAGMA synchronous", [], |r| r.get::<_, i64>(0))?)
            })
            .await
            .unwrap();
        assert_eq!(seen, 1, "NORMAL inside");
        assert_eq!(level(&store), 2, "FULL after");
        let failed: entremise_domain::Result<()> = store
            .write_derived("fails", |_| Err(Error::NotFound.into()))
            .await;
        assert!(failed.is_err());
        assert_eq!(level(&store), 2, "FULL after a failure");
        let panicked: entremise_domain::Result<()> = store
            .write_derived("panics", |_| panic!("a bug in a projection"))
            .await;
        assert!(panicked.is_err());
        assert_eq!(level(&store), 2, "FULL after a panic");
    }
}
