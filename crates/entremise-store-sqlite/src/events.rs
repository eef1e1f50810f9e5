//! The outbox ([`EventLog`]): changes recorded in the transaction of the
//! write they describe, published on the node's [`Bus`] once committed.

use crate::SqliteStore;
use crate::codec::{DbResult, Ts, limit};
use async_trait::async_trait;
use entremise_domain::Result;
use entremise_domain::events::{Bus, Change, EVENT_VERSION, Event, EventLog};
use rusqlite::{Connection, OptionalExtension, params};
use std::cell::RefCell;
use std::sync::Arc;
use time::OffsetDateTime;

thread_local! {
    /// Events recorded by the write transaction running on this thread,
    /// published by [`SqliteStore::write`] after its commit (and dropped
    /// if it rolls back). A transaction runs on one blocking thread from
    /// start to commit, holding the write lock, so nothing else writes here
    /// meanwhile.
    static RECORDED: RefCell<Vec<Event>> = const { RefCell::new(Vec::new()) };
}

/// Records `change` in the outbox, inside the caller's write transaction.
pub(crate) fn record(conn: &Connection, at: OffsetDateTime, change: Change) -> DbResult<()> {
    conn.prepare_cached("INSERT INTO events (at, version, kind, body) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            Ts(at),
            EVENT_VERSION,
            change.kind(),
            change.encode()
        ])?;
    let seq = conn.last_insert_rowid();
    RECORDED.with(|r| r.borrow_mut().push(Event { seq, at, change }));
    Ok(())
}

/// Forgets what an earlier, failed transaction on this thread recorded.
pub(crate) fn forget_recorded() {
    RECORDED.with(|r| r.borrow_mut().clear());
}

/// What the transaction that just committed on this thread recorded.
pub(crate) fn take_recorded() -> Vec<Event> {
    RECORDED.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

/// Moves a projection's checkpoint forward (never back), inside the
/// caller's transaction.
pub(crate) fn save_checkpoint(conn: &Connection, name: &str, seq: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO projection_checkpoints (name, seq) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET seq = max(seq, excluded.seq)",
    )?
    .execute(params![name, seq])?;
    Ok(())
}

pub(crate) fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)",
        [],
        |r| r.get(0),
    )
}

fn read_event(row: &rusqlite::Row<'_>) -> DbResult<Event> {
    let seq: i64 = row.get(0)?;
    let Ts(at) = row.get(1)?;
    let version: u32 = row.get(2)?;
    let body: String = row.get(3)?;
    let change = Change::decode(version, &body)
        .map_err(|e| entremise_domain::Error::internal(format!("outbox event {seq}: {e}")))?;
    Ok(Event { seq, at, change })
}

#[async_trait]
impl EventLog for SqliteStore {
    async fn events_after(&self, after: i64, max: usize) -> Result<Vec<Event>> {
        self.read("read events", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, at, version, body FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![after, limit(max)])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(read_event(row)?);
            }
            Ok(out)
        })
        .await
    }

    async fn last_event_seq(&self) -> Result<i64> {
        self.read("last event", |conn| Ok(last_seq(conn)?)).await
    }

    async fn first_event_seq(&self) -> Result<Option<i64>> {
        self.read("first event", |conn| {
            Ok(conn.query_row("SELECT min(seq) FROM events", [], |r| r.get(0))?)
        })
        .await
    }

    async fn compact_events(&self, before: OffsetDateTime, up_to: i64) -> Result<u64> {
        self.write("compact events", move |tx| {
            let n = tx.execute(
                "DELETE FROM events WHERE seq <= ?1 AND at < ?2",
                params![up_to, Ts(before)],
            )?;
            Ok(n as u64)
        })
        .await
    }

    async fn checkpoint(&self, projection: &str) -> Result<Option<i64>> {
        let name = projection.to_owned();
        self.read("read checkpoint", move |conn| {
            Ok(conn
                .query_row(
                    "SELECT seq FROM projection_checkpoints WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await
    }

    async fn set_checkpoint(&self, projection: &str, seq: i64) -> Result<()> {
        let name = projection.to_owned();
        self.write("save checkpoint", move |tx| {
            Ok(save_checkpoint(tx, &name, seq)?)
        })
        .await
    }

    fn bus(&self) -> &Arc<Bus> {
        self.connections.bus()
    }

    fn op_timings(&self) -> Option<&entremise_domain::timings::OpTimings> {
        Some(self.connections.timings())
    }
}
