//! Embedded schema migrations, tracked with `PRAGMA user_version`.
//!
//! Migration `n` (1-based) brings the schema to version `n`. All pending
//! migrations run in one transaction at open, so a database is never left
//! half-upgraded; migrations already applied are skipped, so opening twice
//! is harmless.

use entremise_domain::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};

/// Every migration, in order. Append only: never edit one that shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_contacts.sql"),
    include_str!("../migrations/0003_posts.sql"),
    include_str!("../migrations/0004_visits.sql"),
    include_str!("../migrations/0005_reshare_counters.sql"),
    include_str!("../migrations/0006_media_quota.sql"),
    include_str!("../migrations/0007_events.sql"),
    include_str!("../migrations/0008_notifications.sql"),
    include_str!("../migrations/0009_mail.sql"),
    include_str!("../migrations/0010_inbox.sql"),
    include_str!("../migrations/0011_groups.sql"),
    include_str!("../migrations/0012_moderation.sql"),
];

/// The schema version this build expects.
pub(crate) const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Applies the migrations the database lacks.
pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    let fail = |e: rusqlite::Error| Error::internal(format!("migrate store: {e}"));
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    // Read inside the write transaction: a second process opening the same
    // file waits here, then sees the migrations done.
    let current: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(fail)?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    if current > SCHEMA_VERSION {
        return Err(Error::internal(format!(
            "migrate store: database schema version {current} is newer than this build's \
             {SCHEMA_VERSION}"
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        tx.execute_batch(sql)
            .map_err(|e| Error::internal(format!("migrate store: migration {}: {e}", index + 1)))?;
    }
    if current < SCHEMA_VERSION {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION as i64)
            .map_err(fail)?;
    }
    tx.commit().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applying_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        let version = |c: &Connection| -> i64 {
            c.pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap()
        };
        assert_eq!(version(&conn), SCHEMA_VERSION as i64);
        apply(&mut conn).unwrap();
        assert_eq!(version(&conn), SCHEMA_VERSION as i64);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        assert!(matches!(apply(&mut conn), Err(Error::Internal(_))));
    }
}
