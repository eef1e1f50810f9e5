//! A consistent copy of a database file while the server goes on writing
//! to it, through SQLite's online backup API.
//!
//! The copy runs inside one read transaction on its own connection: under
//! WAL every step then reads the same snapshot, so the server's commits
//! during the copy neither tear it nor make it start over, and the server
//! is never blocked (it only cannot checkpoint past the snapshot until the
//! copy ends).

use crate::connections::BUSY_TIMEOUT;
use entremise_domain::{Error, Result};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// Pages copied per step, between two progress reports (16 MiB of 4 KiB pages).
const PAGES_PER_STEP: i32 = 4096;

/// What [`backup_database`] copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseCopy {
    /// Pages in the copy and their size in bytes.
    pub pages: u64,
    pub page_size: u64,
    /// The content addresses of every image the copy refers to, each once:
    /// the media files a restore needs.
    pub media_keys: Vec<String>,
}

/// Copies the database at `source` (which must exist; the server may be
/// writing to it) into a new file `dest`, reporting `(pages copied, pages in
/// all)` after each step, then checks the copy (`PRAGMA integrity_check`)
/// and lists the media it refers to. Errors name the file at fault.
pub fn backup_database(
    source: &Path,
    dest: &Path,
    progress: impl FnMut(u64, u64),
) -> Result<DatabaseCopy> {
    backup_in_steps(source, dest, PAGES_PER_STEP, progress)
}

fn backup_in_steps(
    source: &Path,
    dest: &Path,
    pages_per_step: i32,
    mut progress: impl FnMut(u64, u64),
) -> Result<DatabaseCopy> {
    let at = |path: &Path, what: &str, e: &dyn std::fmt::Display| {
        Error::internal(format!("backup: {what} {}: {e}", path.display()))
    };
    if dest.exists() {
        return Err(Error::internal(format!(
            "backup: {} already exists; the copy goes into a new file",
            dest.display()
        )));
    }
    // Read-write without CREATE: a missing database is an error, not a new
    // empty one, and SQLite may create the WAL index if the server is down.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let from =
        Connection::open_with_flags(source, flags).map_err(|e| at(source, "cannot open", &e))?;
    from.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| at(source, "cannot open", &e))?;
    // Starts the read transaction the whole copy reads from (a deferred
    // BEGIN takes its snapshot at the first read).
    from.execute_batch("BEGIN DEFERRED; SELECT count(*) FROM sqlite_schema;")
        .map_err(|e| at(source, "cannot read", &e))?;
    let mut to = Connection::open(dest).map_err(|e| at(dest, "cannot create", &e))?;
    // The copy is a new file, worthless until complete: no journal and no
    // sync per step, one sync of the whole file at the end.
    to.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(|e| at(dest, "cannot set up", &e))?;
    {
        let backup =
            Backup::new(&from, &mut to).map_err(|e| at(dest, "cannot start copy to", &e))?;
        loop {
            let step = backup
                .step(pages_per_step)
                .map_err(|e| at(dest, "copy failed into", &e))?;
            let p = backup.progress();
            let total = u64::try_from(p.pagecount).unwrap_or(0);
            let left = u64::try_from(p.remaining).unwrap_or(0);
            progress(total.saturating_sub(left), total);
            match step {
                StepResult::Done => break,
                StepResult::More => {}
                // Another connection holds the destination: wait a little.
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
    from.execute_batch("COMMIT")
        .map_err(|e| at(source, "cannot end the read of", &e))?;
    drop(from);
    let checked: String = to
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| at(dest, "cannot check", &e))?;
    if checked != "ok" {
        return Err(at(dest, "the copy fails its integrity check", &checked));
    }
    let read = |sql: &str| -> rusqlite::Result<u64> {
        to.query_row(sql, [], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))
    };
    let pages = read("PRAGMA page_count").map_err(|e| at(dest, "cannot read", &e))?;
    let page_size = read("PRAGMA page_size").map_err(|e| at(dest, "cannot read", &e))?;
    let media_keys = to
        .prepare("SELECT DISTINCT key FROM media ORDER BY key")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| at(dest, "cannot list the media of", &e))?;
    drop(to);
    std::fs::File::open(dest)
        .and_then(|f| f.sync_all())
        .map_err(|e| at(dest, "cannot sync", &e))?;
    Ok(DatabaseCopy {
        pages,
        page_size,
        media_keys,
    })
}

/// Checks a database file on its own (`PRAGMA integrity_check`, then
/// `foreign_key_check`): `Ok` with SQLite's answer `ok`, else the first
/// problems found.
pub fn check_database(path: &Path) -> Result<()> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| Error::internal(format!("check: cannot open {}: {e}", path.display())))?;
    let problems = |sql: &str| -> rusqlite::Result<Vec<String>> {
        let mut s = conn.prepare(sql)?;
        let rows = s.query_map([], |r| {
            let cells = (0..r.as_ref().column_count())
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(cells.join(" "))
        })?;
        rows.take(10).collect()
    };
    let integrity = problems("PRAGMA integrity_check")
        .map_err(|e| Error::internal(format!("check: {}: {e}", path.display())))?;
    if integrity != ["Text(\"ok\")"] {
        return Err(Error::internal(format!(
            "check: {} fails its integrity check: {}",
            path.display(),
            integrity.join("; ")
        )));
    }
    let dangling = problems("PRAGMA foreign_key_check")
        .map_err(|e| Error::internal(format!("check: {}: {e}", path.display())))?;
    if !dangling.is_empty() {
        return Err(Error::internal(format!(
            "check: {} has rows pointing at missing rows (table, rowid, parent, key): {}",
            path.display(),
            dangling.join("; ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A copy made page by page while another connection keeps committing
    /// ends (it is not restarted by each commit) and holds one consistent
    /// state: every row up to some point, each with its pair.
    #[test]
    fn a_copy_under_writes_is_one_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("live.db");
        drop(SqliteStore::open(&source).unwrap());
        let setup = Connection::open(&source).unwrap();
        setup
            .execute_batch(
                "CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT NOT NULL);
                 CREATE TABLE u (n INTEGER PRIMARY KEY);",
            )
            .unwrap();
        setup
            .execute_batch(
                "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 1999)
                 INSERT INTO t SELECT n, hex(randomblob(200)) FROM s;
                 INSERT INTO u SELECT n FROM t;",
            )
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (stop, source) = (stop.clone(), source.clone());
            std::thread::spawn(move || {
                let conn = Connection::open(&source).unwrap();
                conn.busy_timeout(BUSY_TIMEOUT).unwrap();
                let mut n = 2000;
                while !stop.load(Ordering::Relaxed) {
                    conn.execute_batch(&format!(
                        "BEGIN IMMEDIATE; INSERT INTO t VALUES ({n}, hex(randomblob(200)));
                         INSERT INTO u VALUES ({n}); COMMIT;"
                    ))
                    .unwrap();
                    n += 1;
                }
                n
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        let dest = dir.path().join("copy.db");
        let mut reports = 0;
        let copy = backup_in_steps(&source, &dest, 1, |done, total| {
            assert!(done <= total);
            reports += 1;
        })
        .unwrap();
        stop.store(true, Ordering::Relaxed);
        let written = writer.join().unwrap();
        assert!(written > 2000, "the writer wrote nothing during the copy");
        assert!(reports as u64 >= copy.pages, "{reports} reports");
        let conn = Connection::open(&dest).unwrap();
        let (t, t_max): (i64, i64) = conn
            .query_row("SELECT count(*), max(n) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        let u: i64 = conn
            .query_row("SELECT count(*) FROM u", [], |r| r.get(0))
            .unwrap();
        assert_eq!((t, t), (t_max + 1, u), "a torn copy");
        assert!(copy.media_keys.is_empty());
    }

    /// A missing database and an existing destination are refused, each
    /// error naming the file.
    #[test]
    fn refuses_a_missing_source_and_an_existing_copy() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.db");
        let err = backup_database(&missing, &dir.path().join("copy.db"), |_, _| {}).unwrap_err();
        assert!(err.to_string().contains("missing.db"), "{err}");
        assert!(!missing.exists(), "the backup created the source");
        let source = dir.path().join("live.db");
        drop(SqliteStore::open(&source).unwrap());
        let taken = dir.path().join("taken.db");
        std::fs::write(&taken, b"x").unwrap();
        let err = backup_database(&source, &taken, |_, _| {}).unwrap_err();
        assert!(
            err.to_string().contains("taken.db") && err.to_string().contains("already exists"),
            "{err}"
        );
        check_database(&source).unwrap();
    }
}
