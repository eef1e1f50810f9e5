//! Notifications ([`NotificationStore`]): one row per (member, kind,
//! object) while unread, with its actors in `notification_actors`.

use crate::SqliteStore;
use crate::codec::{DbResult, Json, Ts, limit, text_enum};
use crate::events::save_checkpoint;
use async_trait::async_trait;
use entremise_domain::notification::{
    Notification, NotificationDraft, NotificationKind, NotificationObject,
};
use entremise_domain::store::NotificationStore;
use entremise_domain::{ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::HashMap;
use time::OffsetDateTime;

/// Columns read by [`from_row`].
macro_rules! select_notification {
    () => {
        "SELECT id, member_id, kind, object, created_at, updated_at, read_at, seq
         FROM notifications"
    };
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Notification> {
    Ok(Notification {
        id: row.get(0)?,
        recipient: ProfileId(row.get(1)?),
        kind: text_enum(row, 2, NotificationKind::parse)?,
        actors: Vec::new(),
        object: row
            .get::<_, Option<Json<NotificationObject>>>(3)?
            .map(|j| j.0),
        created_at: row.get::<_, Ts>(4)?.0,
        updated_at: row.get::<_, Ts>(5)?.0,
        read: row.get::<_, Option<Ts>>(6)?.is_some(),
        seq: row.get(7)?,
    })
}

/// Fills each notification's actors, most recent first.
fn with_actors(
    conn: &Connection,
    mut list: Vec<Notification>,
) -> rusqlite::Result<Vec<Notification>> {
    if list.is_empty() {
        return Ok(list);
    }
    let ids: Vec<i64> = list.iter().map(|n| n.id).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT notification_id, actor_id FROM notification_actors
         WHERE notification_id IN (SELECT value FROM json_each(?1))
         ORDER BY notification_id, at DESC, actor_id",
    )?;
    let mut actors: HashMap<i64, Vec<ProfileId>> = HashMap::new();
    let rows = stmt.query_map([Json(ids)], |row| {
        Ok((row.get::<_, i64>(0)?, ProfileId(row.get(1)?)))
    })?;
    for row in rows {
        let (id, actor) = row?;
        actors.entry(id).or_default().push(actor);
    }
    for n in &mut list {
        n.actors = actors.remove(&n.id).unwrap_or_default();
    }
    Ok(list)
}

fn apply(conn: &Connection, d: &NotificationDraft) -> DbResult<()> {
    let object = d.object.map(Json);
    let open = conn
        .prepare_cached(
            "SELECT id FROM notifications
             WHERE member_id = ?1 AND kind = ?2 AND coalesce(object, '') = coalesce(?3, '')
               AND read_at IS NULL",
        )?
        .query_row(params![d.recipient.0, d.kind.as_str(), object], |row| {
            row.get::<_, i64>(0)
        })
        .optional()?;
    let id =
        match open {
            Some(id) => {
                conn.prepare_cached(
                    "UPDATE notifications SET updated_at = max(updated_at, ?2), seq = max(seq, ?3)
                 WHERE id = ?1",
                )?
                .execute(params![id, Ts(d.at), d.seq])?;
                id
            }
            None => {
                conn.prepare_cached(
                "INSERT INTO notifications (member_id, kind, object, created_at, updated_at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            )?
            .execute(params![d.recipient.0, d.kind.as_str(), object, Ts(d.at), d.seq])?;
                conn.last_insert_rowid()
            }
        };
    conn.prepare_cached(
        "INSERT INTO notification_actors (notification_id, actor_id, at) VALUES (?1, ?2, ?3)
         ON CONFLICT (notification_id, actor_id) DO UPDATE SET at = max(at, excluded.at)",
    )?
    .execute(params![id, d.actor.0, Ts(d.at)])?;
    Ok(())
}

#[async_trait]
impl NotificationStore for SqliteStore {
    async fn apply_notifications(
        &self,
        drafts: &[NotificationDraft],
        checkpoint: (&str, i64),
    ) -> Result<()> {
        let drafts = drafts.to_vec();
        let (name, seq) = (checkpoint.0.to_owned(), checkpoint.1);
        self.write_derived("apply notifications", move |tx| {
            // A draft from an event the checkpoint already passed was
            // applied before: replaying it must not add it twice.
            let done: i64 = tx
                .prepare_cached(
                    "SELECT coalesce(max(seq), 0) FROM projection_checkpoints WHERE name = ?1",
                )?
                .query_row([&name], |row| row.get(0))?;
            for d in drafts.iter().filter(|d| d.seq > done) {
                apply(tx, d)?;
            }
            save_checkpoint(tx, &name, seq)?;
            Ok(())
        })
        .await
    }

    async fn notifications_of(
        &self,
        member: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit_to: usize,
    ) -> Result<Vec<Notification>> {
        self.read("notifications of member", move |conn| {
            let (at, id) = before.unwrap_or((
                OffsetDateTime::now_utc() + time::Duration::days(36_500),
                i64::MAX,
            ));
            let list = conn
                .prepare_cached(concat!(
                    select_notification!(),
                    " WHERE member_id = ?1 AND (updated_at, id) < (?2, ?3)
                      ORDER BY updated_at DESC, id DESC LIMIT ?4"
                ))?
                .query_map(params![member.0, Ts(at), id, limit(limit_to)], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(with_actors(conn, list)?)
        })
        .await
    }

    async fn notifications_between(&self, after: i64, up_to: i64) -> Result<Vec<Notification>> {
        self.read("notifications between events", move |conn| {
            let list = conn
                .prepare_cached(concat!(
                    select_notification!(),
                    " WHERE seq > ?1 AND seq <= ?2 ORDER BY seq, id"
                ))?
                .query_map(params![after, up_to], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(with_actors(conn, list)?)
        })
        .await
    }

    async fn notifications_since(
        &self,
        member: ProfileId,
        after: i64,
        limit_to: usize,
    ) -> Result<Vec<Notification>> {
        self.read("notifications since event", move |conn| {
            let list = conn
                .prepare_cached(concat!(
                    select_notification!(),
                    " WHERE member_id = ?1 AND seq > ?2 ORDER BY seq, id LIMIT ?3"
                ))?
                .query_map(params![member.0, after, limit(limit_to)], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(with_actors(conn, list)?)
        })
        .await
    }

    async fn unread_notifications(&self, member: ProfileId) -> Result<u64> {
        self.read("unread notifications", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT count(*) FROM notifications WHERE member_id = ?1 AND read_at IS NULL",
                )?
                .query_row([member.0], |row| row.get::<_, i64>(0))?
                .max(0) as u64)
        })
        .await
    }

    async fn mark_notifications_read(&self, member: ProfileId, up_to: i64) -> Result<u64> {
        self.write("mark notifications read", move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE notifications SET read_at = ?3
                     WHERE member_id = ?1 AND id <= ?2 AND read_at IS NULL",
                )?
                .execute(params![member.0, up_to, Ts(OffsetDateTime::now_utc())])?;
            Ok(n as u64)
        })
        .await
    }

    async fn muted_notification_kinds(&self, member: ProfileId) -> Result<Vec<NotificationKind>> {
        self.read("muted notification kinds", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT kind FROM notification_kinds_off WHERE member_id = ?1 ORDER BY kind",
            )?;
            let rows =
                stmt.query_map([member.0], |row| text_enum(row, 0, NotificationKind::parse))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_notification_kind(
        &self,
        member: ProfileId,
        kind: NotificationKind,
        enabled: bool,
    ) -> Result<()> {
        self.write("set notification kind", move |tx| {
            if enabled {
                tx.prepare_cached(
                    "DELETE FROM notification_kinds_off WHERE member_id = ?1 AND kind = ?2",
                )?
                .execute(params![member.0, kind.as_str()])?;
            } else {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO notification_kinds_off (member_id, kind) VALUES (?1, ?2)",
                )?
                .execute(params![member.0, kind.as_str()])?;
            }
            Ok(())
        })
        .await
    }
}
