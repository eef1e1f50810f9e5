//! Signed-in sessions, found by the hash of their token.

use crate::SqliteStore;
use crate::codec::{Ts, text_enum};
use crate::events::record;
use async_trait::async_trait;
use entremise_domain::events::Change;
use entremise_domain::session::{Session, SessionKind};
use entremise_domain::store::{NewSession, SessionStore};
use entremise_domain::{AccountId, Result, SessionId};
use rusqlite::{OptionalExtension, Row, params};
use time::OffsetDateTime;

/// Columns read by [`session_from_row`].
macro_rules! select_session {
    () => {
        "SELECT id, account_id, kind, created_at, last_seen_at, expires_at, user_agent
         FROM sessions"
    };
}

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: SessionId(row.get(0)?),
        account: AccountId(row.get(1)?),
        kind: text_enum(row, 2, SessionKind::parse)?,
        created_at: row.get::<_, Ts>(3)?.0,
        last_seen_at: row.get::<_, Ts>(4)?.0,
        expires_at: row.get::<_, Ts>(5)?.0,
        user_agent: row.get(6)?,
    })
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, new: NewSession) -> Result<Session> {
        self.write("create session", move |tx| {
            tx.prepare_cached(
                "INSERT INTO sessions (account_id, token_hash, kind, user_agent,
                                       created_at, last_seen_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            )?
            .execute(params![
                new.account.0,
                new.token_hash,
                new.kind.as_str(),
                new.user_agent,
                Ts(new.created_at),
                Ts(new.expires_at),
            ])?;
            Ok(Session {
                id: SessionId(tx.last_insert_rowid()),
                account: new.account,
                kind: new.kind,
                created_at: new.created_at,
                last_seen_at: new.created_at,
                expires_at: new.expires_at,
                user_agent: new.user_agent,
            })
        })
        .await
    }

    async fn session_by_token_hash(
        &self,
        hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Session>> {
        let hash = hash.to_owned();
        self.read("session by token", move |conn| {
            Ok(conn
                .prepare_cached(concat!(
                    select_session!(),
                    " WHERE token_hash = ?1 AND expires_at > ?2"
                ))?
                .query_row(params![hash, Ts(now)], session_from_row)
                .optional()?)
        })
        .await
    }

    async fn touch_session(&self, id: SessionId, now: OffsetDateTime) -> Result<()> {
        self.write("touch session", move |tx| {
            tx.prepare_cached("UPDATE sessions SET last_seen_at = ?1 WHERE id = ?2")?
                .execute(params![Ts(now), id.0])?;
            Ok(())
        })
        .await
    }

    async fn sessions_of(&self, account: AccountId, now: OffsetDateTime) -> Result<Vec<Session>> {
        self.read("sessions of account", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                select_session!(),
                " WHERE account_id = ?1 AND expires_at > ?2
                  ORDER BY created_at DESC, id DESC"
            ))?;
            let rows = stmt.query_map(params![account.0, Ts(now)], session_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn delete_session(&self, account: AccountId, id: SessionId) -> Result<bool> {
        self.write("delete session", move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM sessions WHERE id = ?1 AND account_id = ?2")?
                .execute(params![id.0, account.0])?;
            if deleted > 0 {
                let change = Change::SessionEnded {
                    account,
                    session: id,
                };
                record(tx, OffsetDateTime::now_utc(), change)?;
            }
            Ok(deleted > 0)
        })
        .await
    }
}
