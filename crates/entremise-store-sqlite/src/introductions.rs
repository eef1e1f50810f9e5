//! Introductions: the row with its step and status, its intermediaries
//! (`introduction_hops`, by position) and the notes written along the way.
//!
//! Transitions are decided by the domain ([`Introduction::apply`]); the
//! store only writes them, refusing one computed from a stale read.
//!
//! [`Introduction::apply`]: entremise_domain::introduction::Introduction::apply

use crate::SqliteStore;
use crate::codec::{DbResult, Ts, count_at, index_at, index_to_sql, limit, text_enum};
use crate::contacts::insert_contact;
use crate::conversations::create_conversation;
use crate::events::record;
use async_trait::async_trait;
use entremise_domain::events::Change;
use entremise_domain::introduction::{Introduction, IntroductionNote, IntroductionStatus};
use entremise_domain::store::{IntroductionStore, NewIntroduction, RelayStats};
use entremise_domain::{Error, ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

/// Columns read by [`introduction_from_row`].
macro_rules! select_introduction {
    () => {
        "SELECT id, requester_id, target_id, step, status, created_at, expires_at,
                decided_at, declined_by
         FROM introductions"
    };
}

/// The row alone: intermediaries and notes are filled by [`complete`].
fn introduction_from_row(row: &Row<'_>) -> rusqlite::Result<Introduction> {
    Ok(Introduction {
        id: row.get(0)?,
        requester: ProfileId(row.get(1)?),
        intermediaries: Vec::new(),
        target: ProfileId(row.get(2)?),
        step: index_at(row, 3)?,
        status: text_enum(row, 4, IntroductionStatus::parse)?,
        notes: Vec::new(),
        created_at: row.get::<_, Ts>(5)?.0,
        expires_at: row.get::<_, Ts>(6)?.0,
        decided_at: row.get::<_, Option<Ts>>(7)?.map(|t| t.0),
        declined_by: row.get::<_, Option<i64>>(8)?.map(ProfileId),
    })
}

/// Reads the intermediaries and notes of an introduction read by
/// [`introduction_from_row`].
fn complete(conn: &Connection, mut introduction: Introduction) -> rusqlite::Result<Introduction> {
    let mut hops = conn.prepare_cached(
        "SELECT member_id FROM introduction_hops WHERE introduction_id = ?1 ORDER BY position",
    )?;
    introduction.intermediaries = hops
        .query_map([introduction.id], |row| row.get(0).map(ProfileId))?
        .collect::<rusqlite::Result<_>>()?;
    let mut notes = conn.prepare_cached(
        "SELECT author_id, recipient_id, text, at FROM introduction_notes
         WHERE introduction_id = ?1 ORDER BY seq",
    )?;
    introduction.notes = notes
        .query_map([introduction.id], |row| {
            Ok(IntroductionNote {
                author: ProfileId(row.get(0)?),
                recipient: ProfileId(row.get(1)?),
                text: row.get(2)?,
                at: row.get::<_, Ts>(3)?.0,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(introduction)
}

fn load_introduction(conn: &Connection, id: i64) -> DbResult<Option<Introduction>> {
    let row = conn
        .prepare_cached(concat!(select_introduction!(), " WHERE id = ?1"))?
        .query_row([id], introduction_from_row)
        .optional()?;
    Ok(row.map(|i| complete(conn, i)).transpose()?)
}

/// Appends notes after those already stored, in order.
fn append_notes(
    conn: &Connection,
    introduction: i64,
    notes: &[IntroductionNote],
) -> rusqlite::Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO introduction_notes (introduction_id, seq, author_id, recipient_id, text, at)
         SELECT ?1, coalesce(max(seq) + 1, 0), ?2, ?3, ?4, ?5
         FROM introduction_notes WHERE introduction_id = ?1",
    )?;
    for note in notes {
        insert.execute(params![
            introduction,
            note.author.0,
            note.recipient.0,
            note.text,
            Ts(note.at)
        ])?;
    }
    Ok(())
}

fn create_introduction(conn: &Connection, new: NewIntroduction) -> DbResult<Introduction> {
    conn.prepare_cached(
        "INSERT INTO introductions (requester_id, target_id, step, status, created_at, expires_at)
         VALUES (?1, ?2, 0, 'pending', ?3, ?4)",
    )?
    .execute(params![
        new.requester.0,
        new.target.0,
        Ts(new.created_at),
        Ts(new.expires_at)
    ])?;
    let id = conn.last_insert_rowid();
    let mut hop = conn.prepare_cached(
        "INSERT INTO introduction_hops (introduction_id, position, member_id) VALUES (?1, ?2, ?3)",
    )?;
    for (position, member) in new.intermediaries.iter().enumerate() {
        hop.execute(params![id, index_to_sql(position), member.0])?;
    }
    append_notes(conn, id, &new.notes)?;
    let next = new.intermediaries.first().copied().unwrap_or(new.target);
    record(
        conn,
        new.created_at,
        Change::IntroductionRequested {
            introduction: id,
            requester: new.requester,
            target: new.target,
            next,
        },
    )?;
    Ok(Introduction {
        id,
        requester: new.requester,
        intermediaries: new.intermediaries,
        target: new.target,
        step: 0,
        status: IntroductionStatus::Pending,
        notes: new.notes,
        created_at: new.created_at,
        expires_at: new.expires_at,
        decided_at: None,
        declined_by: None,
    })
}

/// Writes `before` → `after` if the stored introduction is still at
/// `before`'s step and status; on acceptance, makes requester and target
/// contacts and returns their one-to-one conversation.
fn apply_introduction(
    conn: &Connection,
    before: &Introduction,
    after: &Introduction,
) -> DbResult<Option<i64>> {
    let updated = conn
        .prepare_cached(
            "UPDATE introductions SET step = ?4, status = ?5, decided_at = ?6, declined_by = ?7
             WHERE id = ?1 AND step = ?2 AND status = ?3",
        )?
        .execute(params![
            before.id,
            index_to_sql(before.step),
            before.status.as_str(),
            index_to_sql(after.step),
            after.status.as_str(),
            after.decided_at.map(Ts),
            after.declined_by.map(|p| p.0),
        ])?;
    if updated == 0 {
        return Err(Error::Conflict { field: "status" }.into());
    }
    let new_notes = after.notes.get(before.notes.len()..).unwrap_or_default();
    append_notes(conn, before.id, new_notes)?;
    // The domain always dates a decision, and a note its forwarding; the
    // clock is only a fallback.
    let at = after
        .decided_at
        .or_else(|| new_notes.last().map(|n| n.at))
        .unwrap_or_else(OffsetDateTime::now_utc);
    let actor = match after.status {
        IntroductionStatus::Declined => after.declined_by,
        IntroductionStatus::Expired => None,
        _ => Some(before.holder()),
    };
    record(
        conn,
        at,
        Change::IntroductionAdvanced {
            introduction: before.id,
            requester: before.requester,
            target: before.target,
            actor,
            status: after.status,
            next: after.status.is_open().then(|| after.holder()),
        },
    )?;
    if after.status != IntroductionStatus::Accepted {
        return Ok(None);
    }
    insert_contact(conn, before.requester, before.target, at)?;
    let conversation = create_conversation(conn, &[before.requester, before.target], at)?;
    Ok(Some(conversation.id))
}

/// Relay counts over the joined `introductions i` and `introduction_hops h`
/// rows: passed on (the step moved past his position), declined by him,
/// and passed on then accepted.
macro_rules! relay_counts {
    () => {
        "count(*) FILTER (WHERE i.step > h.position),
         count(*) FILTER (WHERE i.declined_by = h.member_id),
         count(*) FILTER (WHERE i.step > h.position AND i.status = 'accepted')"
    };
}

fn relay_stats_at(row: &Row<'_>, first: usize) -> rusqlite::Result<RelayStats> {
    Ok(RelayStats {
        forwarded: count_at(row, first)?,
        declined: count_at(row, first + 1)?,
        accepted: count_at(row, first + 2)?,
    })
}

#[async_trait]
impl IntroductionStore for SqliteStore {
    async fn create_introduction(&self, new: NewIntroduction) -> Result<Introduction> {
        self.write("create introduction", move |tx| {
            create_introduction(tx, new)
        })
        .await
    }

    async fn introduction(&self, id: i64) -> Result<Option<Introduction>> {
        self.read("introduction", move |conn| load_introduction(conn, id))
            .await
    }

    async fn apply_introduction(
        &self,
        before: &Introduction,
        after: &Introduction,
    ) -> Result<Option<i64>> {
        let (before, after) = (before.clone(), after.clone());
        self.write("apply introduction", move |tx| {
            apply_introduction(tx, &before, &after)
        })
        .await
    }

    async fn introductions_of(
        &self,
        member: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit_to: usize,
    ) -> Result<Vec<Introduction>> {
        self.read("introductions of member", move |conn| {
            macro_rules! introductions_of {
                ($before:literal) => {
                    concat!(
                        select_introduction!(),
                        " WHERE id IN (
                              SELECT id FROM introductions WHERE requester_id = ?1
                              UNION SELECT id FROM introductions WHERE target_id = ?1
                              UNION SELECT introduction_id FROM introduction_hops
                                    WHERE member_id = ?1) ",
                        $before,
                        " ORDER BY created_at DESC, id DESC LIMIT ?2"
                    )
                };
            }
            let rows = match before {
                Some((at, id)) => conn
                    .prepare_cached(introductions_of!("AND (created_at, id) < (?3, ?4)"))?
                    .query_map(
                        params![member.0, limit(limit_to), Ts(at), id],
                        introduction_from_row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
                None => conn
                    .prepare_cached(introductions_of!(""))?
                    .query_map(params![member.0, limit(limit_to)], introduction_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            };
            Ok(rows
                .into_iter()
                .map(|i| complete(conn, i))
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn count_open_introductions(
        &self,
        requester: ProfileId,
        now: OffsetDateTime,
    ) -> Result<u64> {
        self.read("count open introductions", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT count(*) FROM introductions
                     WHERE requester_id = ?1 AND status IN ('pending', 'forwarded')
                       AND expires_at > ?2",
                )?
                .query_row(params![requester.0, Ts(now)], |row| count_at(row, 0))?)
        })
        .await
    }

    async fn count_introductions_since(
        &self,
        requester: ProfileId,
        since: OffsetDateTime,
    ) -> Result<u64> {
        self.read("count introductions", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT count(*) FROM introductions
                     WHERE requester_id = ?1 AND created_at >= ?2",
                )?
                .query_row(params![requester.0, Ts(since)], |row| count_at(row, 0))?)
        })
        .await
    }

    async fn open_introduction(
        &self,
        requester: ProfileId,
        target: ProfileId,
        now: OffsetDateTime,
    ) -> Result<Option<Introduction>> {
        self.read("open introduction", move |conn| {
            let row = conn
                .prepare_cached(concat!(
                    select_introduction!(),
                    " WHERE requester_id = ?1 AND target_id = ?2
                        AND status IN ('pending', 'forwarded') AND expires_at > ?3
                      ORDER BY id DESC LIMIT 1"
                ))?
                .query_row(
                    params![requester.0, target.0, Ts(now)],
                    introduction_from_row,
                )
                .optional()?;
            Ok(row.map(|i| complete(conn, i)).transpose()?)
        })
        .await
    }

    async fn last_declined_introduction(
        &self,
        requester: ProfileId,
        target: ProfileId,
        by: Option<ProfileId>,
    ) -> Result<Option<OffsetDateTime>> {
        self.read("last declined introduction", move |conn| {
            let last: Option<Ts> = conn
                .prepare_cached(
                    "SELECT max(decided_at) FROM introductions
                     WHERE requester_id = ?1 AND target_id = ?2 AND status = 'declined'
                       AND declined_by IS NOT requester_id
                       AND (?3 IS NULL OR declined_by = ?3)",
                )?
                .query_row(params![requester.0, target.0, by.map(|p| p.0)], |row| {
                    row.get(0)
                })?;
            Ok(last.map(|t| t.0))
        })
        .await
    }

    async fn relay_stats(&self, intermediary: ProfileId) -> Result<RelayStats> {
        self.read("relay stats", move |conn| {
            Ok(conn
                .prepare_cached(concat!(
                    "SELECT ",
                    relay_counts!(),
                    " FROM introduction_hops h
                      JOIN introductions i ON i.id = h.introduction_id
                      WHERE h.member_id = ?1"
                ))?
                .query_row([intermediary.0], |row| relay_stats_at(row, 0))?)
        })
        .await
    }

    /// Every intermediary of the requester's introductions, in id order,
    /// including those who have not acted yet (all counts 0).
    async fn relays_for(&self, requester: ProfileId) -> Result<Vec<(ProfileId, RelayStats)>> {
        self.read("relays for requester", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                "SELECT h.member_id, ",
                relay_counts!(),
                " FROM introductions i
                  JOIN introduction_hops h ON h.introduction_id = i.id
                  WHERE i.requester_id = ?1
                  GROUP BY h.member_id
                  ORDER BY h.member_id"
            ))?;
            let rows = stmt.query_map([requester.0], |row| {
                Ok((ProfileId(row.get(0)?), relay_stats_at(row, 1)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}
