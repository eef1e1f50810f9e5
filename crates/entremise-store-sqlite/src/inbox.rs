//! The follow-up inbox ([`InboxStore`]): items, their cycles (for the
//! first-response figures), open counts per profile, and pages' inbox
//! settings. Items are written only by the inbox projection
//! ([`InboxStore::apply_inbox`]), which applies each effect in commit order
//! and keeps the counts in the same transaction.

use crate::SqliteStore;
use crate::codec::{DbResult, Json, Ts, limit, text_enum, write_audit};
use crate::events::{record, save_checkpoint};
use async_trait::async_trait;
use entremise_domain::events::Change;
use entremise_domain::inbox::{
    Cycle, Effect, InboxAct, InboxCounts, InboxItem, InboxKind, InboxOp, InboxQuery, InboxSettings,
    InboxStatus, Subject, Word, WordText,
};
use entremise_domain::post::ReplyControl;
use entremise_domain::store::{AuditRecord, InboxStore};
use entremise_domain::{ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::{Duration, OffsetDateTime};

/// Columns read by [`from_row`].
macro_rules! select_item {
    () => {
        "SELECT id, owner_id, kind, subject, post_id, from_id, word, status, hostile,
                since, last_at, closed_at, assignee_id, snoozed_until, reason, seq
         FROM inbox_items"
    };
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<InboxItem> {
    let key: String = row.get(3)?;
    let post: Option<i64> = row.get(4)?;
    let subject = Subject::parse(&key, post).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            3,
            rusqlite::types::Type::Text,
            format!("unknown subject {key:?}").into(),
        )
    })?;
    Ok(InboxItem {
        id: row.get(0)?,
        owner: ProfileId(row.get(1)?),
        kind: text_enum(row, 2, InboxKind::parse)?,
        subject,
        from: row.get::<_, Option<i64>>(5)?.map(ProfileId),
        word: row.get::<_, Option<Json<Word>>>(6)?.map(|j| j.0),
        status: text_enum(row, 7, InboxStatus::parse)?,
        hostile: row.get(8)?,
        since: row.get::<_, Ts>(9)?.0,
        last_at: row.get::<_, Ts>(10)?.0,
        closed_at: row.get::<_, Option<Ts>>(11)?.map(|t| t.0),
        assignee: row.get::<_, Option<i64>>(12)?.map(ProfileId),
        snoozed_until: row.get::<_, Option<Ts>>(13)?.map(|t| t.0),
        reason: row.get(14)?,
        seq: row.get(15)?,
    })
}

/// What an item counts for in its owner's open counts.
fn counted(status: InboxStatus, hostile: bool) -> (i64, i64) {
    if status == InboxStatus::Open {
        (1, i64::from(hostile))
    } else {
        (0, 0)
    }
}

/// Moves `owner`'s counts from what an item counted for to what it counts
/// for now.
fn recount(
    conn: &Connection,
    owner: ProfileId,
    before: (i64, i64),
    after: (i64, i64),
) -> rusqlite::Result<()> {
    let (open, hostile) = (after.0 - before.0, after.1 - before.1);
    if open == 0 && hostile == 0 {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO inbox_counts (owner_id, open, hostile) VALUES (?1, max(?2, 0), max(?3, 0))
         ON CONFLICT (owner_id) DO UPDATE
         SET open = max(open + ?2, 0), hostile = max(hostile + ?3, 0)",
    )?
    .execute(params![owner.0, open, hostile])?;
    Ok(())
}

fn item_by_subject(
    conn: &Connection,
    owner: ProfileId,
    subject: Subject,
) -> rusqlite::Result<Option<InboxItem>> {
    conn.prepare_cached(concat!(
        select_item!(),
        " WHERE owner_id = ?1 AND subject = ?2"
    ))?
    .query_row(params![owner.0, subject.key()], from_row)
    .optional()
}

fn item_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<InboxItem>> {
    conn.prepare_cached(concat!(select_item!(), " WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

fn open_cycle(
    conn: &Connection,
    item: i64,
    owner: ProfileId,
    at: OffsetDateTime,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO inbox_cycles (item_id, owner_id, opened_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![item, owner.0, Ts(at)])?;
    Ok(conn.last_insert_rowid())
}

/// Writes an item's status and what goes with it, keeping the counts.
#[allow(clippy::too_many_arguments)]
fn set_status(
    conn: &Connection,
    item: &InboxItem,
    status: InboxStatus,
    closed_at: Option<OffsetDateTime>,
    snoozed_until: Option<OffsetDateTime>,
    reason: Option<&str>,
    seq: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE inbox_items SET status = ?2, closed_at = ?3, snoozed_until = ?4, reason = ?5,
                seq = max(seq, ?6)
         WHERE id = ?1",
    )?
    .execute(params![
        item.id,
        status.as_str(),
        closed_at.map(Ts),
        snoozed_until.map(Ts),
        reason,
        seq
    ])?;
    recount(
        conn,
        item.owner,
        counted(item.status, item.hostile),
        counted(status, item.hostile),
    )
}

fn answer(conn: &Connection, item: &InboxItem, at: OffsetDateTime, seq: i64) -> DbResult<()> {
    if item.status == InboxStatus::Answered {
        return Ok(());
    }
    set_status(conn, item, InboxStatus::Answered, Some(at), None, None, seq)?;
    conn.prepare_cached(
        "UPDATE inbox_cycles SET answered_at = ?2, dismissed = 0
         WHERE id = (SELECT cycle_id FROM inbox_items WHERE id = ?1) AND answered_at IS NULL",
    )?
    .execute(params![item.id, Ts(at)])?;
    Ok(())
}

/// Deletes items (and their unanswered cycles), keeping the counts.
fn delete_items(conn: &Connection, items: Vec<InboxItem>) -> rusqlite::Result<()> {
    for item in items {
        recount(conn, item.owner, counted(item.status, item.hostile), (0, 0))?;
        conn.prepare_cached("DELETE FROM inbox_cycles WHERE item_id = ?1 AND answered_at IS NULL")?
            .execute([item.id])?;
        // Answered cycles stay in the figures; the item goes.
        conn.prepare_cached("DELETE FROM inbox_items WHERE id = ?1")?
            .execute([item.id])?;
    }
    Ok(())
}

fn items_where(conn: &Connection, clause: &str, value: i64) -> rusqlite::Result<Vec<InboxItem>> {
    let sql = format!("{} WHERE {clause}", select_item!());
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([value], from_row)?;
    rows.collect()
}

fn apply(conn: &Connection, op: &InboxOp) -> DbResult<()> {
    let (seq, at) = (op.seq, op.at);
    match &op.effect {
        Effect::Awaits {
            owner,
            kind,
            subject,
            from,
            word,
        } => match item_by_subject(conn, *owner, *subject)? {
            None => {
                conn.prepare_cached(
                    "INSERT INTO inbox_items (owner_id, kind, subject, post_id, from_id, word,
                         status, hostile, rank, since, last_at, seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?9, ?10)",
                )?
                .execute(params![
                    owner.0,
                    kind.as_str(),
                    subject.key(),
                    subject.post(),
                    from.map(|f| f.0),
                    word.map(Json),
                    op.hostile,
                    if op.hostile { 0 } else { 1 },
                    Ts(at),
                    seq
                ])?;
                let id = conn.last_insert_rowid();
                let cycle = open_cycle(conn, id, *owner, at)?;
                conn.prepare_cached("UPDATE inbox_items SET cycle_id = ?2 WHERE id = ?1")?
                    .execute(params![id, cycle])?;
                recount(conn, *owner, (0, 0), counted(InboxStatus::Open, op.hostile))?;
            }
            Some(item) if item.status == InboxStatus::Open => {
                let hostile = item.hostile || op.hostile;
                conn.prepare_cached(
                    "UPDATE inbox_items SET from_id = coalesce(?2, from_id), word = coalesce(?3, word),
                         last_at = ?4, hostile = ?5, rank = ?6, seq = max(seq, ?7)
                     WHERE id = ?1",
                )?
                .execute(params![
                    item.id,
                    from.map(|f| f.0),
                    word.map(Json),
                    Ts(at),
                    hostile,
                    if hostile { 0 } else { 1 },
                    seq
                ])?;
                recount(
                    conn,
                    *owner,
                    counted(InboxStatus::Open, item.hostile),
                    counted(InboxStatus::Open, hostile),
                )?;
            }
            Some(item) => {
                // A new word brings back an answered, dismissed or snoozed
                // item: a new wait begins.
                let cycle = open_cycle(conn, item.id, *owner, at)?;
                conn.prepare_cached(
                    "UPDATE inbox_items SET status = 'open', from_id = coalesce(?2, from_id),
                         word = coalesce(?3, word), since = ?4, last_at = ?4, hostile = ?5,
                         rank = ?6, closed_at = NULL, snoozed_until = NULL, reason = NULL,
                         cycle_id = ?7, seq = max(seq, ?8)
                     WHERE id = ?1",
                )?
                .execute(params![
                    item.id,
                    from.map(|f| f.0),
                    word.map(Json),
                    Ts(at),
                    op.hostile,
                    if op.hostile { 0 } else { 1 },
                    cycle,
                    seq
                ])?;
                recount(
                    conn,
                    *owner,
                    counted(item.status, item.hostile),
                    counted(InboxStatus::Open, op.hostile),
                )?;
            }
        },
        Effect::Answered { owner, subject } => {
            if let Some(item) = item_by_subject(conn, *owner, *subject)? {
                answer(conn, &item, at, seq)?;
            }
        }
        Effect::Gone { subject } => {
            let items = {
                let mut stmt =
                    conn.prepare_cached(concat!(select_item!(), " WHERE subject = ?1"))?;
                let rows = stmt.query_map([subject.key()], from_row)?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            delete_items(conn, items)?;
        }
        Effect::PostGone { post } => {
            let items = items_where(conn, "post_id = ?1", *post)?;
            delete_items(conn, items)?;
        }
        Effect::Blocked { a, b } => {
            let mut items = items_where(conn, "from_id = ?1", b.0)?;
            items.retain(|i| i.owner == *a);
            let mut other = items_where(conn, "from_id = ?1", a.0)?;
            other.retain(|i| i.owner == *b);
            items.extend(other);
            delete_items(conn, items)?;
        }
        Effect::Acted { item, act, .. } => {
            let Some(item) = item_by_id(conn, *item)? else {
                return Ok(());
            };
            match act {
                InboxAct::Assign { to } => {
                    conn.prepare_cached(
                        "UPDATE inbox_items SET assignee_id = ?2, seq = max(seq, ?3) WHERE id = ?1",
                    )?
                    .execute(params![item.id, to.map(|p| p.0), seq])?;
                }
                InboxAct::Dismiss { reason } => {
                    set_status(
                        conn,
                        &item,
                        InboxStatus::Dismissed,
                        Some(at),
                        None,
                        Some(reason),
                        seq,
                    )?;
                    conn.prepare_cached(
                        "UPDATE inbox_cycles SET dismissed = 1
                         WHERE id = (SELECT cycle_id FROM inbox_items WHERE id = ?1)
                           AND answered_at IS NULL",
                    )?
                    .execute([item.id])?;
                }
                InboxAct::Snooze { until } => {
                    set_status(
                        conn,
                        &item,
                        InboxStatus::Snoozed,
                        Some(at),
                        Some(*until),
                        None,
                        seq,
                    )?;
                }
                InboxAct::Reopen => match item.status {
                    InboxStatus::Open => {}
                    InboxStatus::Answered => {
                        let cycle = open_cycle(conn, item.id, item.owner, at)?;
                        conn.prepare_cached(
                            "UPDATE inbox_items SET since = ?2, cycle_id = ?3 WHERE id = ?1",
                        )?
                        .execute(params![item.id, Ts(at), cycle])?;
                        set_status(conn, &item, InboxStatus::Open, None, None, None, seq)?;
                    }
                    InboxStatus::Dismissed | InboxStatus::Snoozed => {
                        conn.prepare_cached(
                            "UPDATE inbox_cycles SET dismissed = 0
                             WHERE id = (SELECT cycle_id FROM inbox_items WHERE id = ?1)",
                        )?
                        .execute([item.id])?;
                        set_status(conn, &item, InboxStatus::Open, None, None, None, seq)?;
                    }
                },
                InboxAct::MarkAnswered => answer(conn, &item, at, seq)?,
            }
        }
    }
    Ok(())
}

/// One page of one owner's items of `query.status`, in the list's order.
fn owner_items(
    conn: &Connection,
    owner: ProfileId,
    q: &InboxQuery,
    status: InboxStatus,
) -> rusqlite::Result<Vec<InboxItem>> {
    let mut filters = String::new();
    if let Some(kind) = q.kind {
        filters.push_str(&format!(" AND kind = '{}'", kind.as_str()));
    }
    match q.assignee {
        Some(Some(p)) => filters.push_str(&format!(" AND assignee_id = {}", p.0)),
        Some(None) => filters.push_str(" AND assignee_id IS NULL"),
        None => {}
    }
    if q.hostile_only {
        filters.push_str(" AND hostile = 1");
    }
    let waiting = matches!(status, InboxStatus::Open | InboxStatus::Snoozed);
    // The keyset bound: after the last item shown (see `InboxKey`).
    let (rank, at, id) = match (q.after, waiting) {
        (Some(k), true) => (k.rank, k.at_ns, k.id),
        (Some(k), false) => (0, -k.at_ns, -k.id),
        (None, true) => (i64::MIN, i64::MIN, i64::MIN),
        (None, false) => (0, i64::MAX, i64::MAX),
    };
    let sql = match status {
        InboxStatus::Open => format!(
            "{} WHERE owner_id = ?1 AND status = 'open' {filters}
               AND (rank, since, id) > (?2, ?3, ?4)
             ORDER BY rank, since, id LIMIT ?5",
            select_item!()
        ),
        InboxStatus::Snoozed => format!(
            "{} WHERE owner_id = ?1 AND status = 'snoozed' {filters}
               AND (rank, since, id) > (?2, ?3, ?4)
               AND snoozed_until {} ?6
             ORDER BY rank, since, id LIMIT ?5",
            select_item!(),
            // Listed as open once the date comes; as snoozed until then.
            if q.status == InboxStatus::Open {
                "<="
            } else {
                ">"
            }
        ),
        InboxStatus::Answered | InboxStatus::Dismissed => format!(
            "{} WHERE owner_id = ?1 AND status = '{}' {filters} AND ?2 = 0
               AND (closed_at, id) < (?3, ?4)
             ORDER BY closed_at DESC, id DESC LIMIT ?5",
            select_item!(),
            status.as_str()
        ),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = if status == InboxStatus::Snoozed {
        stmt.query_map(
            params![owner.0, rank, at, id, limit(q.limit), Ts(q.now)],
            from_row,
        )?
    } else {
        stmt.query_map(params![owner.0, rank, at, id, limit(q.limit)], from_row)?
    };
    rows.collect()
}

fn history(
    conn: &Connection,
    after: Option<entremise_domain::inbox::HistoryKey>,
    max: usize,
) -> DbResult<Vec<(entremise_domain::inbox::HistoryKey, Change)>> {
    let (at, ord, id) = after.unwrap_or((OffsetDateTime::UNIX_EPOCH, -1, 0));
    // Every source as (at, ord, id): posts that may name someone (0),
    // messages (1), comments (2), pending contact requests (3), open
    // introductions (4), contact-form messages (5).
    let mut stmt = conn.prepare_cached(
        "SELECT at, ord, id FROM (
             SELECT published_at AS at, 0 AS ord, id FROM posts WHERE instr(text, '@') > 0
             UNION ALL SELECT created_at, 1, id FROM messages
             UNION ALL SELECT created_at, 2, id FROM comments
             UNION ALL SELECT created_at, 3, id FROM contact_requests WHERE status = 'pending'
             UNION ALL SELECT created_at, 4, id FROM introductions
                       WHERE status IN ('pending', 'forwarded')
             UNION ALL SELECT created_at, 5, id FROM contact_messages
         )
         WHERE (at, ord, id) > (?1, ?2, ?3)
         ORDER BY at, ord, id LIMIT ?4",
    )?;
    let keys = stmt
        .query_map(params![Ts(at), ord, id, limit(max)], |row| {
            Ok((row.get::<_, Ts>(0)?.0, row.get::<_, i64>(1)?, row.get(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let (_, ord, id) = key;
        let change = match ord {
            0 => conn
                .prepare_cached(
                    "SELECT author_id, audience, published_at, group_id FROM posts WHERE id = ?1",
                )?
                .query_row([id], |row| {
                    Ok(Change::PostPublished {
                        post: id,
                        author: ProfileId(row.get(0)?),
                        audience: text_enum(row, 1, entremise_domain::privacy::Audience::parse)?,
                        group: row
                            .get::<_, Option<i64>>(3)?
                            .map(entremise_domain::ids::GroupId),
                        published_at: row.get::<_, Ts>(2)?.0,
                        reshare_of: None,
                    })
                })
                .optional()?,
            1 => {
                let m = conn
                    .prepare_cached(
                        "SELECT conversation_id, author_id FROM messages WHERE id = ?1",
                    )?
                    .query_row([id], |row| {
                        Ok((row.get::<_, i64>(0)?, ProfileId(row.get(1)?)))
                    })
                    .optional()?;
                match m {
                    Some((conversation, author)) => {
                        let mut stmt = conn.prepare_cached(
                            "SELECT member_id FROM conversation_participants
                             WHERE conversation_id = ?1 ORDER BY member_id",
                        )?;
                        let members = stmt
                            .query_map([conversation], |row| Ok(ProfileId(row.get(0)?)))?
                            .collect::<rusqlite::Result<Vec<_>>>()?;
                        Some(Change::MessagePosted {
                            conversation,
                            message: id,
                            author,
                            members,
                        })
                    }
                    None => None,
                }
            }
            2 => conn
                .prepare_cached(
                    "SELECT c.post_id, p.author_id, c.author_id, c.parent_id, pc.author_id, c.held
                     FROM comments c JOIN posts p ON p.id = c.post_id
                     LEFT JOIN comments pc ON pc.id = c.parent_id
                     WHERE c.id = ?1",
                )?
                .query_row([id], |row| {
                    let parent: Option<i64> = row.get(3)?;
                    let parent_author: Option<i64> = row.get(4)?;
                    Ok(Change::CommentAdded {
                        post: row.get(0)?,
                        post_author: ProfileId(row.get(1)?),
                        comment: id,
                        author: ProfileId(row.get(2)?),
                        parent: parent.zip(parent_author.map(ProfileId)),
                        held: row.get(5)?,
                    })
                })
                .optional()?,
            3 => conn
                .prepare_cached("SELECT from_id, to_id FROM contact_requests WHERE id = ?1")?
                .query_row([id], |row| {
                    Ok(Change::ContactRequested {
                        request: id,
                        from: ProfileId(row.get(0)?),
                        to: ProfileId(row.get(1)?),
                    })
                })
                .optional()?,
            4 => conn
                .prepare_cached(
                    "SELECT i.requester_id, i.target_id,
                            coalesce((SELECT member_id FROM introduction_hops h
                                      WHERE h.introduction_id = i.id AND h.position = i.step),
                                     i.target_id)
                     FROM introductions i WHERE i.id = ?1",
                )?
                .query_row([id], |row| {
                    Ok(Change::IntroductionRequested {
                        introduction: id,
                        requester: ProfileId(row.get(0)?),
                        target: ProfileId(row.get(1)?),
                        next: ProfileId(row.get(2)?),
                    })
                })
                .optional()?,
            _ => conn
                .prepare_cached("SELECT page_id FROM contact_messages WHERE id = ?1")?
                .query_row([id], |row| {
                    Ok(Change::ContactFormMessage {
                        page: ProfileId(row.get(0)?),
                        message: id,
                    })
                })
                .optional()?,
        };
        if let Some(change) = change {
            out.push((key, change));
        }
    }
    Ok(out)
}

#[async_trait]
impl InboxStore for SqliteStore {
    async fn apply_inbox(&self, ops: &[InboxOp], checkpoint: (&str, i64)) -> Result<()> {
        let ops = ops.to_vec();
        let (name, seq) = (checkpoint.0.to_owned(), checkpoint.1);
        self.write_derived("apply inbox", move |tx| {
            let done: i64 = tx
                .prepare_cached(
                    "SELECT coalesce(max(seq), 0) FROM projection_checkpoints WHERE name = ?1",
                )?
                .query_row([&name], |row| row.get(0))?;
            for op in ops.iter().filter(|o| o.seq > done || o.seq == 0) {
                apply(tx, op)?;
            }
            save_checkpoint(tx, &name, seq)?;
            Ok(())
        })
        .await
    }

    async fn reset_inbox(&self, checkpoint: &str) -> Result<()> {
        let name = checkpoint.to_owned();
        self.write("reset inbox", move |tx| {
            tx.execute_batch(
                "DELETE FROM inbox_cycles; DELETE FROM inbox_items; DELETE FROM inbox_counts;",
            )?;
            tx.execute(
                "DELETE FROM projection_checkpoints WHERE name = ?1",
                [&name],
            )?;
            Ok(())
        })
        .await
    }

    async fn inbox_items(&self, query: &InboxQuery) -> Result<Vec<InboxItem>> {
        let q = query.clone();
        self.read("inbox items", move |conn| {
            let mut all = Vec::new();
            for owner in &q.owners {
                all.extend(owner_items(conn, *owner, &q, q.status)?);
                if q.status == InboxStatus::Open {
                    // Snoozes whose date came are open again.
                    all.extend(owner_items(conn, *owner, &q, InboxStatus::Snoozed)?);
                }
            }
            all.sort_by_key(|i| i.key(q.status));
            all.truncate(q.limit);
            Ok(all)
        })
        .await
    }

    async fn inbox_item(&self, id: i64) -> Result<Option<InboxItem>> {
        self.read("inbox item", move |conn| Ok(item_by_id(conn, id)?))
            .await
    }

    async fn inbox_counts(&self, owners: &[ProfileId], now: OffsetDateTime) -> Result<InboxCounts> {
        let owners = owners.to_vec();
        self.read("inbox counts", move |conn| {
            let mut counts = InboxCounts::default();
            for owner in owners {
                let (open, hostile): (i64, i64) = conn
                    .prepare_cached("SELECT open, hostile FROM inbox_counts WHERE owner_id = ?1")?
                    .query_row([owner.0], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()?
                    .unwrap_or((0, 0));
                let (woke, woke_hostile): (i64, i64) = conn
                    .prepare_cached(
                        "SELECT count(*), coalesce(sum(hostile), 0) FROM inbox_items
                         WHERE status = 'snoozed' AND snoozed_until <= ?2 AND owner_id = ?1",
                    )?
                    .query_row(params![owner.0, Ts(now)], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })?;
                counts.open += (open + woke).max(0) as u64;
                counts.hostile += (hostile + woke_hostile).max(0) as u64;
            }
            Ok(counts)
        })
        .await
    }

    async fn inbox_cycles(&self, owner: ProfileId, since: OffsetDateTime) -> Result<Vec<Cycle>> {
        self.read("inbox cycles", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT opened_at, answered_at, dismissed FROM inbox_cycles
                 WHERE owner_id = ?1 AND opened_at >= ?2 ORDER BY opened_at",
            )?;
            let rows = stmt.query_map(params![owner.0, Ts(since)], |row| {
                Ok(Cycle {
                    opened_at: row.get::<_, Ts>(0)?.0,
                    answered_at: row.get::<_, Option<Ts>>(1)?.map(|t| t.0),
                    dismissed: row.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn record_inbox_act(
        &self,
        change: Change,
        audit: Option<AuditRecord>,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("record inbox act", move |tx| {
            if let Some(audit) = &audit {
                write_audit(tx, audit)?;
            }
            record(tx, at, change)?;
            Ok(())
        })
        .await
    }

    async fn inbox_settings(&self, page: ProfileId) -> Result<Option<InboxSettings>> {
        self.read("inbox settings", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT target_seconds, replies, keyword_filters FROM inbox_settings
                     WHERE page_id = ?1",
                )?
                .query_row([page.0], |row| {
                    Ok(InboxSettings {
                        target: Duration::seconds(row.get(0)?),
                        replies: text_enum(row, 1, ReplyControl::parse)?,
                        keyword_filters: row.get::<_, Json<Vec<String>>>(2)?.0,
                    })
                })
                .optional()?)
        })
        .await
    }

    async fn set_inbox_settings(
        &self,
        page: ProfileId,
        settings: &InboxSettings,
        audit: AuditRecord,
    ) -> Result<()> {
        let settings = settings.clone();
        self.write("set inbox settings", move |tx| {
            tx.prepare_cached(
                "INSERT INTO inbox_settings (page_id, target_seconds, replies, keyword_filters)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (page_id) DO UPDATE SET target_seconds = excluded.target_seconds,
                     replies = excluded.replies, keyword_filters = excluded.keyword_filters",
            )?
            .execute(params![
                page.0,
                settings.target.whole_seconds(),
                settings.replies.as_str(),
                Json(&settings.keyword_filters)
            ])?;
            write_audit(tx, &audit)?;
            record(tx, audit.at, Change::InboxSettingsChanged { page })?;
            Ok(())
        })
        .await
    }

    async fn word_texts(&self, words: &[Word]) -> Result<Vec<Option<WordText>>> {
        let words = words.to_vec();
        self.read("inbox words", move |conn| {
            let mut out = Vec::with_capacity(words.len());
            for w in words {
                let (sql, id) = match w {
                    Word::Message(id) => ("SELECT text, author_id, NULL, NULL, 0 FROM messages WHERE id = ?1", id),
                    // Removed by moderation, a comment is gone from the
                    // inbox like a deleted one (a hidden one stays: the
                    // team hid it); so is a post no longer visible.
                    Word::Comment(id) => ("SELECT text, author_id, NULL, NULL, held FROM comments WHERE id = ?1 AND state <> 'removed'", id),
                    Word::Post(id) => ("SELECT text, author_id, NULL, NULL, 0 FROM posts WHERE id = ?1 AND state = 'visible'", id),
                    Word::ContactForm(id) => (
                        "SELECT message, sender_id, name, email, 0 FROM contact_messages WHERE id = ?1",
                        id,
                    ),
                };
                out.push(
                    conn.prepare_cached(sql)?
                        .query_row([id], |row| {
                            Ok(WordText {
                                text: row.get(0)?,
                                author: row.get::<_, Option<i64>>(1)?.map(ProfileId),
                                name: row.get(2)?,
                                email: row.get(3)?,
                                held: row.get(4)?,
                            })
                        })
                        .optional()?,
                );
            }
            Ok(out)
        })
        .await
    }

    async fn inbox_touched(&self, after: i64, up_to: i64) -> Result<Vec<(ProfileId, i64)>> {
        self.read("inbox touched", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT owner_id, max(seq) FROM inbox_items WHERE seq > ?1 AND seq <= ?2
                 GROUP BY owner_id",
            )?;
            let rows = stmt.query_map(params![after, up_to], |row| {
                Ok((ProfileId(row.get(0)?), row.get(1)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn inbox_history(
        &self,
        after: Option<entremise_domain::inbox::HistoryKey>,
        limit_to: usize,
    ) -> Result<Vec<(entremise_domain::inbox::HistoryKey, Change)>> {
        self.read("inbox history", move |conn| history(conn, after, limit_to))
            .await
    }
}
