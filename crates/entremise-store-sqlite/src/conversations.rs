//! Conversations, their messages and each participant's read mark.
//!
//! A read mark is the id of the last message the participant has read
//! (0 for none): message ids only grow, so "unread" is "by someone else,
//! with a greater id".

use crate::SqliteStore;
use crate::codec::{DbResult, Ts, count_at, limit};
use crate::events::record;
use async_trait::async_trait;
use entremise_domain::conversation::{Conversation, ConversationEntry, Interaction, Message};
use entremise_domain::events::Change;
use entremise_domain::store::ConversationStore;
use entremise_domain::{Error, ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

fn message_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Message> {
    Ok(Message {
        id: row.get(first)?,
        conversation: row.get(first + 1)?,
        author: ProfileId(row.get(first + 2)?),
        text: row.get(first + 3)?,
        created_at: row.get::<_, Ts>(first + 4)?.0,
    })
}

/// The participants of a conversation, in id order.
fn participants(conn: &Connection, conversation: i64) -> rusqlite::Result<Vec<ProfileId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT member_id FROM conversation_participants
         WHERE conversation_id = ?1 ORDER BY member_id",
    )?;
    let rows = stmt.query_map([conversation], |row| row.get(0).map(ProfileId))?;
    rows.collect()
}

fn load_conversation(conn: &Connection, id: i64) -> DbResult<Option<Conversation>> {
    let created_at = conn
        .prepare_cached("SELECT created_at FROM conversations WHERE id = ?1")?
        .query_row([id], |row| row.get::<_, Ts>(0))
        .optional()?;
    let Some(Ts(created_at)) = created_at else {
        return Ok(None);
    };
    Ok(Some(Conversation {
        id,
        participants: participants(conn, id)?,
        created_at,
    }))
}

/// The conversation whose participants are exactly `x` and `y`, if any
/// (the oldest, should there be several).
fn one_to_one(conn: &Connection, x: ProfileId, y: ProfileId) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT px.conversation_id
         FROM conversation_participants px
         JOIN conversation_participants py
           ON py.conversation_id = px.conversation_id AND py.member_id = ?2
         WHERE px.member_id = ?1
           AND (SELECT count(*) FROM conversation_participants p
                 WHERE p.conversation_id = px.conversation_id) = 2
         ORDER BY px.conversation_id
         LIMIT 1",
    )?
    .query_row(params![x.0, y.0], |row| row.get(0))
    .optional()
}

/// Creates a conversation between the (deduplicated) participants, or
/// returns the existing one-to-one conversation when there are two.
pub(crate) fn create_conversation(
    conn: &Connection,
    participants: &[ProfileId],
    at: OffsetDateTime,
) -> DbResult<Conversation> {
    let mut members = participants.to_vec();
    members.sort_unstable();
    members.dedup();
    if let [x, y] = members[..]
        && let Some(id) = one_to_one(conn, x, y)?
    {
        return load_conversation(conn, id)?.ok_or_else(|| {
            Error::internal("create conversation: the conversation vanished").into()
        });
    }
    conn.prepare_cached("INSERT INTO conversations (created_at) VALUES (?1)")?
        .execute([Ts(at)])?;
    let id = conn.last_insert_rowid();
    let mut insert = conn.prepare_cached(
        "INSERT INTO conversation_participants (conversation_id, member_id) VALUES (?1, ?2)",
    )?;
    for member in &members {
        insert.execute(params![id, member.0])?;
    }
    record(
        conn,
        at,
        Change::ConversationStarted {
            conversation: id,
            members: members.clone(),
        },
    )?;
    Ok(Conversation {
        id,
        participants: members,
        created_at: at,
    })
}

/// The member's conversations with their last message and unread count,
/// most recently active first, strictly after the position `before`.
fn conversations_of(
    conn: &Connection,
    member: ProfileId,
    before: Option<(OffsetDateTime, i64)>,
    limit_to: usize,
) -> DbResult<Vec<ConversationEntry>> {
    macro_rules! conversations_of {
        ($before:literal) => {
            concat!(
                "SELECT c.id, c.created_at,
                        (SELECT count(*) FROM messages u
                          WHERE u.conversation_id = c.id AND u.id > p.last_read_message_id
                            AND u.author_id <> p.member_id),
                        m.id, m.conversation_id, m.author_id, m.text, m.created_at,
                        coalesce(c.last_message_at, c.created_at) AS active_at
                 FROM conversation_participants p
                 JOIN conversations c ON c.id = p.conversation_id
                 LEFT JOIN messages m
                   ON m.id = (SELECT max(l.id) FROM messages l WHERE l.conversation_id = c.id)
                 WHERE p.member_id = ?1 ",
                $before,
                " ORDER BY active_at DESC, c.id DESC
                 LIMIT ?2"
            )
        };
    }
    let read = |row: &Row<'_>| {
        let last_message = match row.get::<_, Option<i64>>(3)? {
            Some(_) => Some(message_from_row(row, 3)?),
            None => None,
        };
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, Ts>(1)?.0,
            count_at(row, 2)?,
            last_message,
            row.get::<_, Ts>(8)?.0,
        ))
    };
    let rows = match before {
        Some((at, id)) => conn
            .prepare_cached(conversations_of!(
                "AND (coalesce(c.last_message_at, c.created_at), c.id) < (?3, ?4)"
            ))?
            .query_map(params![member.0, limit(limit_to), Ts(at), id], read)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => conn
            .prepare_cached(conversations_of!(""))?
            .query_map(params![member.0, limit(limit_to)], read)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    let mut entries = Vec::with_capacity(rows.len());
    for (id, created_at, unread, last_message, active_at) in rows {
        entries.push(ConversationEntry {
            conversation: Conversation {
                id,
                participants: participants(conn, id)?,
                created_at,
            },
            active_at,
            last_message,
            unread: u32::try_from(unread).unwrap_or(u32::MAX),
        });
    }
    Ok(entries)
}

/// Appends a message, marks the conversation active and moves the
/// author's read mark to it. `NotFound` if there is no such conversation.
fn add_message(
    conn: &Connection,
    conversation: i64,
    author: ProfileId,
    text: &str,
    at: OffsetDateTime,
) -> DbResult<Message> {
    let touched = conn
        .prepare_cached("UPDATE conversations SET last_message_at = ?2 WHERE id = ?1")?
        .execute(params![conversation, Ts(at)])?;
    if touched == 0 {
        return Err(Error::NotFound.into());
    }
    conn.prepare_cached(
        "INSERT INTO messages (conversation_id, author_id, text, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![conversation, author.0, text, Ts(at)])?;
    let id = conn.last_insert_rowid();
    mark_read(conn, conversation, author, id)?;
    let members = conn
        .prepare_cached(
            "SELECT member_id FROM conversation_participants WHERE conversation_id = ?1
             ORDER BY member_id",
        )?
        .query_map([conversation], |row| Ok(ProfileId(row.get(0)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    record(
        conn,
        at,
        Change::MessagePosted {
            conversation,
            message: id,
            author,
            members,
        },
    )?;
    Ok(Message {
        id,
        conversation,
        author,
        text: text.to_owned(),
        created_at: at,
    })
}

/// Moves a participant's read mark forward to `up_to`, never backward.
fn mark_read(
    conn: &Connection,
    conversation: i64,
    member: ProfileId,
    up_to: i64,
) -> rusqlite::Result<bool> {
    let moved = conn
        .prepare_cached(
            "UPDATE conversation_participants SET last_read_message_id = ?3
             WHERE conversation_id = ?1 AND member_id = ?2 AND last_read_message_id < ?3",
        )?
        .execute(params![conversation, member.0, up_to])?;
    Ok(moved > 0)
}

#[async_trait]
impl ConversationStore for SqliteStore {
    /// Participants are kept in id order, without duplicates.
    async fn create_conversation(
        &self,
        participants: &[ProfileId],
        at: OffsetDateTime,
    ) -> Result<Conversation> {
        let participants = participants.to_vec();
        self.write("create conversation", move |tx| {
            create_conversation(tx, &participants, at)
        })
        .await
    }

    async fn conversation(&self, id: i64) -> Result<Option<Conversation>> {
        self.read("conversation", move |conn| load_conversation(conn, id))
            .await
    }

    async fn conversations_of(
        &self,
        member: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit_to: usize,
    ) -> Result<Vec<ConversationEntry>> {
        self.read("conversations of member", move |conn| {
            conversations_of(conn, member, before, limit_to)
        })
        .await
    }

    async fn add_message(
        &self,
        conversation: i64,
        author: ProfileId,
        text: &str,
        at: OffsetDateTime,
    ) -> Result<Message> {
        let text = text.to_owned();
        self.write("add message", move |tx| {
            add_message(tx, conversation, author, &text, at)
        })
        .await
    }

    async fn messages(
        &self,
        conversation: i64,
        before: Option<i64>,
        limit_to: usize,
    ) -> Result<Vec<Message>> {
        self.read("messages of conversation", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, conversation_id, author_id, text, created_at FROM messages
                 WHERE conversation_id = ?1 AND id < ?2
                 ORDER BY id DESC LIMIT ?3",
            )?;
            let before = before.unwrap_or(i64::MAX);
            let rows = stmt.query_map(params![conversation, before, limit(limit_to)], |row| {
                message_from_row(row, 0)
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn mark_read(&self, conversation: i64, member: ProfileId, up_to: i64) -> Result<()> {
        self.write("mark conversation read", move |tx| {
            if mark_read(tx, conversation, member, up_to)? {
                let change = Change::ConversationRead {
                    conversation,
                    member,
                    up_to,
                };
                record(tx, OffsetDateTime::now_utc(), change)?;
            }
            Ok(())
        })
        .await
    }

    async fn unread_total(&self, member: ProfileId) -> Result<u64> {
        self.read("unread total", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT count(*) FROM conversation_participants p
                     JOIN messages m
                       ON m.conversation_id = p.conversation_id
                      AND m.id > p.last_read_message_id
                      AND m.author_id <> p.member_id
                     WHERE p.member_id = ?1",
                )?
                .query_row([member.0], |row| count_at(row, 0))?)
        })
        .await
    }

    /// One line per one-to-one partner (with no message yet: a count of 0),
    /// in the partner's id order.
    async fn interactions_of(&self, member: ProfileId) -> Result<Vec<Interaction>> {
        self.read("interactions of member", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT o.member_id, count(m.id), max(m.created_at)
                 FROM conversation_participants p
                 JOIN conversation_participants o
                   ON o.conversation_id = p.conversation_id AND o.member_id <> p.member_id
                 LEFT JOIN messages m ON m.conversation_id = p.conversation_id
                 WHERE p.member_id = ?1
                   AND (SELECT count(*) FROM conversation_participants n
                         WHERE n.conversation_id = p.conversation_id) = 2
                 GROUP BY o.member_id
                 ORDER BY o.member_id",
            )?;
            let rows = stmt.query_map([member.0], |row| {
                Ok(Interaction {
                    other: ProfileId(row.get(0)?),
                    messages: count_at(row, 1)?,
                    last_message_at: row.get::<_, Option<Ts>>(2)?.map(|t| t.0),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}
