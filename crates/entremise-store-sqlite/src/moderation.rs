//! Moderation and administration ([`ModerationStore`]): mutes, comment
//! edits and deletions, reports and their queues, decisions with the
//! moderation log and sanctions, instance roles and settings. Every change
//! records its event in the same transaction.

use crate::SqliteStore;
use crate::codec::{DbResult, Json, Ts, conflict, limit, text_enum};
use crate::events::record;
use async_trait::async_trait;
use entremise_domain::account::{Account, Approval};
use entremise_domain::events::Change;
use entremise_domain::ids::{GroupId, SessionId};
use entremise_domain::moderation::{
    Action, ContentState, LogEntry, NewDecision, NewReport, QueueStanding, Report, ReportReason,
    ReportStatus, Sanction, Scope, TargetKind,
};
use entremise_domain::post::Comment;
use entremise_domain::store::ModerationStore;
use entremise_domain::{AccountId, Error, ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::HashMap;
use time::OffsetDateTime;

macro_rules! select_report {
    () => {
        "SELECT r.id, r.reporter_id, r.target_kind, r.target_id, r.member_id, r.page_id,
                r.group_id, r.reason, r.note, r.snapshot, r.created_at
         FROM reports r"
    };
}

fn report_from_row(row: &Row<'_>) -> rusqlite::Result<Report> {
    Ok(Report {
        id: row.get(0)?,
        reporter: ProfileId(row.get(1)?),
        kind: text_enum(row, 2, TargetKind::parse)?,
        target: row.get(3)?,
        member: ProfileId(row.get(4)?),
        page: row.get::<_, Option<i64>>(5)?.map(ProfileId),
        group: row.get::<_, Option<i64>>(6)?.map(GroupId),
        reason: text_enum(row, 7, ReportReason::parse)?,
        note: row.get(8)?,
        snapshot: row.get(9)?,
        created_at: row.get::<_, Ts>(10)?.0,
        queues: Vec::new(),
    })
}

/// Fills each report's standing in its queues, in one query.
fn with_queues(conn: &Connection, mut reports: Vec<Report>) -> DbResult<Vec<Report>> {
    if reports.is_empty() {
        return Ok(reports);
    }
    let ids: Vec<i64> = reports.iter().map(|r| r.id).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT report_id, scope, status, action, decided_at FROM report_queues
         WHERE report_id IN (SELECT value FROM json_each(?1)) ORDER BY report_id, scope",
    )?;
    let mut by: HashMap<i64, Vec<QueueStanding>> = HashMap::new();
    let rows = stmt.query_map([Json(ids)], |row| {
        let scope: String = row.get(1)?;
        let action: Option<String> = row.get(3)?;
        Ok((
            row.get::<_, i64>(0)?,
            QueueStanding {
                scope: Scope::parse_key(&scope).unwrap_or(Scope::Instance),
                status: text_enum(row, 2, ReportStatus::parse)?,
                action: action.as_deref().and_then(Action::parse),
                decided_at: row.get::<_, Option<Ts>>(4)?.map(|t| t.0),
            },
        ))
    })?;
    for row in rows {
        let (id, standing) = row?;
        by.entry(id).or_default().push(standing);
    }
    for r in &mut reports {
        r.queues = by.remove(&r.id).unwrap_or_default();
    }
    Ok(reports)
}

macro_rules! select_log {
    () => {
        "SELECT id, at, scope, entry, action, target_kind, target_id, member_id, actor_id,
                report_id, reason
         FROM moderation_log"
    };
}

fn log_from_row(row: &Row<'_>) -> rusqlite::Result<LogEntry> {
    let scope: String = row.get(2)?;
    let action: Option<String> = row.get(4)?;
    Ok(LogEntry {
        id: row.get(0)?,
        at: row.get::<_, Ts>(1)?.0,
        scope: Scope::parse_key(&scope),
        entry: row.get(3)?,
        action: action.as_deref().and_then(Action::parse),
        kind: text_enum(row, 5, TargetKind::parse)?,
        target: row.get(6)?,
        member: ProfileId(row.get(7)?),
        actor: ProfileId(row.get(8)?),
        report: row.get(9)?,
        reason: row.get(10)?,
    })
}

fn sanction_of(conn: &Connection, member: ProfileId) -> rusqlite::Result<Sanction> {
    Ok(conn
        .prepare_cached("SELECT limited, suspended_until FROM sanctions WHERE member_id = ?1")?
        .query_row([member.0], |row| {
            Ok(Sanction {
                limited: row.get(0)?,
                suspended_until: row.get::<_, Option<Ts>>(1)?.map(|t| t.0),
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// Sets a member's sanction and records `SanctionChanged`.
pub(crate) fn write_sanction(
    tx: &Connection,
    member: ProfileId,
    sanction: Sanction,
    at: OffsetDateTime,
) -> DbResult<()> {
    tx.prepare_cached(
        "INSERT INTO sanctions (member_id, limited, suspended_until, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (member_id) DO UPDATE SET limited = excluded.limited,
             suspended_until = excluded.suspended_until, updated_at = excluded.updated_at",
    )?
    .execute(params![
        member.0,
        sanction.limited,
        sanction.suspended_until.map(Ts),
        Ts(at)
    ])?;
    record(tx, at, Change::SanctionChanged { member, sanction })?;
    Ok(())
}

/// Sets a post's or a comment's state; `NotFound` when it is gone.
fn set_content_state(
    tx: &Connection,
    kind: TargetKind,
    id: i64,
    state: ContentState,
    at: OffsetDateTime,
) -> DbResult<()> {
    let (post, author): (i64, i64) = match kind {
        TargetKind::Post => tx
            .prepare_cached("SELECT id, author_id FROM posts WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(Error::NotFound)?,
        TargetKind::Comment => tx
            .prepare_cached("SELECT post_id, author_id FROM comments WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(Error::NotFound)?,
        _ => return Err(Error::internal("only posts and comments have a state").into()),
    };
    let sql = match kind {
        TargetKind::Post => "UPDATE posts SET state = ?2 WHERE id = ?1 AND state <> ?2",
        _ => "UPDATE comments SET state = ?2 WHERE id = ?1 AND state <> ?2",
    };
    let n = tx
        .prepare_cached(sql)?
        .execute(params![id, state.as_str()])?;
    if n > 0 {
        record(
            tx,
            at,
            Change::ContentModerated {
                kind,
                id,
                post,
                author: ProfileId(author),
                state,
            },
        )?;
    }
    Ok(())
}

#[async_trait]
impl ModerationStore for SqliteStore {
    async fn set_mute(
        &self,
        muter: ProfileId,
        muted: ProfileId,
        on: bool,
        at: OffsetDateTime,
    ) -> Result<bool> {
        self.write("set mute", move |tx| {
            let n = if on {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO mutes (muter_id, muted_id, created_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![muter.0, muted.0, Ts(at)])?
            } else {
                tx.prepare_cached("DELETE FROM mutes WHERE muter_id = ?1 AND muted_id = ?2")?
                    .execute(params![muter.0, muted.0])?
            };
            if n > 0 {
                record(tx, at, Change::MuteChanged { muter, muted, on })?;
            }
            Ok(n > 0)
        })
        .await
    }

    async fn mutes_of(&self, muter: ProfileId) -> Result<Vec<ProfileId>> {
        self.read("mutes of", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT muted_id FROM mutes WHERE muter_id = ?1 ORDER BY created_at DESC",
            )?;
            let rows = stmt.query_map([muter.0], |r| Ok(ProfileId(r.get(0)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn all_mutes(&self) -> Result<Vec<(ProfileId, ProfileId)>> {
        self.read("all mutes", move |conn| {
            let mut stmt = conn.prepare_cached("SELECT muter_id, muted_id FROM mutes")?;
            let rows = stmt.query_map([], |r| Ok((ProfileId(r.get(0)?), ProfileId(r.get(1)?))))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_muted_words(
        &self,
        member: ProfileId,
        words: Vec<String>,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("set muted words", move |tx| {
            if words.is_empty() {
                tx.prepare_cached("DELETE FROM muted_words WHERE member_id = ?1")?
                    .execute([member.0])?;
            } else {
                tx.prepare_cached(
                    "INSERT INTO muted_words (member_id, words) VALUES (?1, ?2)
                     ON CONFLICT (member_id) DO UPDATE SET words = excluded.words",
                )?
                .execute(params![member.0, Json(&words)])?;
            }
            record(tx, at, Change::MutedWordsChanged { member })?;
            Ok(())
        })
        .await
    }

    async fn muted_words(&self, member: ProfileId) -> Result<Vec<String>> {
        self.read("muted words", move |conn| {
            Ok(conn
                .prepare_cached("SELECT words FROM muted_words WHERE member_id = ?1")?
                .query_row([member.0], |r| r.get::<_, Json<Vec<String>>>(0))
                .optional()?
                .map(|j| j.0)
                .unwrap_or_default())
        })
        .await
    }

    async fn all_muted_words(&self) -> Result<Vec<(ProfileId, Vec<String>)>> {
        self.read("all muted words", move |conn| {
            let mut stmt = conn.prepare_cached("SELECT member_id, words FROM muted_words")?;
            let rows = stmt.query_map([], |r| {
                Ok((ProfileId(r.get(0)?), r.get::<_, Json<Vec<String>>>(1)?.0))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn edit_comment(&self, id: i64, text: &str, at: OffsetDateTime) -> Result<()> {
        let text = text.to_owned();
        self.write("edit comment", move |tx| {
            let (post, author, old): (i64, i64, String) = tx
                .prepare_cached("SELECT post_id, author_id, text FROM comments WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?
                .ok_or(Error::NotFound)?;
            if old == text {
                return Ok(());
            }
            tx.prepare_cached(
                "INSERT INTO comment_edits (comment_id, text, replaced_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![id, old, Ts(at)])?;
            tx.prepare_cached("UPDATE comments SET text = ?2, edited_at = ?3 WHERE id = ?1")?
                .execute(params![id, text, Ts(at)])?;
            record(
                tx,
                at,
                Change::CommentEdited {
                    post,
                    comment: id,
                    author: ProfileId(author),
                },
            )?;
            Ok(())
        })
        .await
    }

    async fn comment_history(&self, id: i64) -> Result<Vec<(String, OffsetDateTime)>> {
        self.read("comment history", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT text, replaced_at FROM comment_edits WHERE comment_id = ?1
                 ORDER BY replaced_at, rowid",
            )?;
            let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get::<_, Ts>(1)?.0)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn delete_comment(&self, id: i64, at: OffsetDateTime) -> Result<()> {
        self.write("delete comment", move |tx| {
            let (post, author): (i64, i64) = tx
                .prepare_cached("SELECT post_id, author_id FROM comments WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .ok_or(Error::NotFound)?;
            tx.prepare_cached("DELETE FROM comments WHERE id = ?1")?
                .execute([id])?;
            record(
                tx,
                at,
                Change::CommentDeleted {
                    post,
                    comment: id,
                    author: ProfileId(author),
                },
            )?;
            Ok(())
        })
        .await
    }

    async fn held_comments(&self, page: ProfileId, limit_to: usize) -> Result<Vec<Comment>> {
        self.read("held comments", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.id, c.post_id, c.parent_id, c.author_id, c.text, c.created_at,
                        c.operator_id, c.held, c.state, c.edited_at
                 FROM comments c JOIN posts p ON p.id = c.post_id
                 WHERE p.author_id = ?1 AND c.held = 1
                 ORDER BY c.created_at, c.id LIMIT ?2",
            )?;
            let rows = stmt.query_map(
                params![page.0, limit(limit_to)],
                crate::posts::comment_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn message(&self, id: i64) -> Result<Option<entremise_domain::conversation::Message>> {
        self.read("message", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, conversation_id, author_id, text, created_at FROM messages
                     WHERE id = ?1",
                )?
                .query_row([id], |r| {
                    Ok(entremise_domain::conversation::Message {
                        id: r.get(0)?,
                        conversation: r.get(1)?,
                        author: ProfileId(r.get(2)?),
                        text: r.get(3)?,
                        created_at: r.get::<_, Ts>(4)?.0,
                    })
                })
                .optional()?)
        })
        .await
    }

    async fn create_report(&self, new: NewReport) -> Result<i64> {
        self.write("create report", move |tx| {
            tx.prepare_cached(
                "INSERT INTO reports (reporter_id, target_kind, target_id, member_id, page_id,
                                      group_id, reason, note, snapshot, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                new.reporter.0,
                new.placement.kind.as_str(),
                new.target,
                new.placement.member.0,
                new.placement.page.map(|p| p.0),
                new.placement.group.map(|g| g.0),
                new.reason.as_str(),
                new.note,
                new.snapshot,
                Ts(new.at),
            ])?;
            let id = tx.last_insert_rowid();
            let mut queues = Vec::with_capacity(new.queues.len());
            for scope in &new.queues {
                tx.prepare_cached("INSERT INTO report_queues (report_id, scope) VALUES (?1, ?2)")?
                    .execute(params![id, scope.key()])?;
                queues.push(scope.key());
            }
            record(
                tx,
                new.at,
                Change::ReportFiled {
                    report: id,
                    reporter: new.reporter,
                    member: new.placement.member,
                    queues,
                },
            )?;
            Ok(id)
        })
        .await
    }

    async fn report(&self, id: i64) -> Result<Option<Report>> {
        self.read("report", move |conn| {
            let found = conn
                .prepare_cached(concat!(select_report!(), " WHERE r.id = ?1"))?
                .query_row([id], report_from_row)
                .optional()?;
            Ok(with_queues(conn, found.into_iter().collect())?.pop())
        })
        .await
    }

    async fn reports_by(&self, reporter: ProfileId, limit_to: usize) -> Result<Vec<Report>> {
        self.read("reports by", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                select_report!(),
                " WHERE r.reporter_id = ?1 ORDER BY r.created_at DESC, r.id DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![reporter.0, limit(limit_to)], report_from_row)?;
            let reports = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            with_queues(conn, reports)
        })
        .await
    }

    async fn count_reports_since(&self, reporter: ProfileId, since: OffsetDateTime) -> Result<u64> {
        self.read("count reports", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT count(*) FROM reports WHERE reporter_id = ?1 AND created_at >= ?2",
                )?
                .query_row(params![reporter.0, Ts(since)], |r| r.get::<_, i64>(0))?
                .max(0) as u64)
        })
        .await
    }

    async fn queue(&self, scope: Scope, open_only: bool, limit_to: usize) -> Result<Vec<Report>> {
        self.read("queue", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                select_report!(),
                " JOIN report_queues q ON q.report_id = r.id
                  WHERE q.scope = ?1 AND (NOT ?2 OR q.status = 'open')
                  ORDER BY r.created_at, r.id LIMIT ?3"
            ))?;
            let rows = stmt.query_map(
                params![scope.key(), open_only, limit(limit_to)],
                report_from_row,
            )?;
            let reports = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            with_queues(conn, reports)
        })
        .await
    }

    async fn queue_stats(&self) -> Result<Vec<(String, u64, Option<OffsetDateTime>)>> {
        self.read("queue stats", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT q.scope, count(*), min(r.created_at) FROM report_queues q
                 JOIN reports r ON r.id = q.report_id
                 WHERE q.status = 'open' GROUP BY q.scope ORDER BY q.scope",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?.max(0) as u64,
                    r.get::<_, Option<Ts>>(2)?.map(|t| t.0),
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn decide(&self, d: NewDecision) -> Result<i64> {
        self.write("decide", move |tx| {
            let scope = d.scope.key();
            // The open reports on the same target in this queue.
            let mut stmt = tx.prepare_cached(
                "SELECT r.id, r.reporter_id FROM reports r
                 JOIN report_queues q ON q.report_id = r.id
                 WHERE q.scope = ?1 AND q.status = 'open'
                   AND r.target_kind = ?2 AND r.target_id = ?3",
            )?;
            let open: Vec<(i64, i64)> = stmt
                .query_map(params![scope, d.kind.as_str(), d.target], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            drop(stmt);
            let status = if d.action == Action::Dismiss {
                ReportStatus::Dismissed
            } else {
                ReportStatus::Actioned
            };
            for (report, _) in &open {
                tx.prepare_cached(
                    "UPDATE report_queues SET status = ?3, action = ?4, decided_at = ?5
                     WHERE report_id = ?1 AND scope = ?2",
                )?
                .execute(params![
                    report,
                    scope,
                    status.as_str(),
                    d.action.as_str(),
                    Ts(d.at)
                ])?;
            }
            if let Some(state) = d.content {
                set_content_state(tx, d.kind, d.target, state, d.at)?;
            }
            if let Some(sanction) = d.sanction {
                write_sanction(tx, d.member, sanction, d.at)?;
                if sanction.suspended(d.at) {
                    // A suspended member is signed out everywhere.
                    let mut stmt = tx.prepare_cached(
                        "SELECT s.id, s.account_id FROM sessions s
                         JOIN accounts a ON a.id = s.account_id WHERE a.person_id = ?1",
                    )?;
                    let sessions: Vec<(i64, i64)> = stmt
                        .query_map([d.member.0], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<_>>()?;
                    drop(stmt);
                    for (session, account) in sessions {
                        tx.prepare_cached("DELETE FROM sessions WHERE id = ?1")?
                            .execute([session])?;
                        record(
                            tx,
                            d.at,
                            Change::SessionEnded {
                                account: AccountId(account),
                                session: SessionId(session),
                            },
                        )?;
                    }
                }
            }
            tx.prepare_cached(
                "INSERT INTO moderation_log (at, scope, entry, action, target_kind, target_id,
                                             member_id, actor_id, account_id, report_id, reason)
                 VALUES (?1, ?2, 'decision', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                Ts(d.at),
                scope,
                d.action.as_str(),
                d.kind.as_str(),
                d.target,
                d.member.0,
                d.actor.0,
                d.account.0,
                d.report,
                d.reason,
            ])?;
            let entry = tx.last_insert_rowid();
            let mut reporters: Vec<ProfileId> = open.iter().map(|(_, r)| ProfileId(*r)).collect();
            reporters.sort_unstable();
            reporters.dedup();
            record(
                tx,
                d.at,
                Change::ReportDecided {
                    entry,
                    scope,
                    action: d.action,
                    kind: d.kind,
                    target: d.target,
                    member: d.member,
                    reports: open.iter().map(|(id, _)| *id).collect(),
                    reporters,
                },
            )?;
            Ok(entry)
        })
        .await
    }

    async fn log_view(
        &self,
        report: &Report,
        actor: ProfileId,
        account: AccountId,
        at: OffsetDateTime,
    ) -> Result<()> {
        let (kind, target, member, id) = (report.kind, report.target, report.member, report.id);
        self.write("log view", move |tx| {
            tx.prepare_cached(
                "INSERT INTO moderation_log (at, scope, entry, target_kind, target_id, member_id,
                                             actor_id, account_id, report_id)
                 VALUES (?1, 'instance', 'viewed_through_block', ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                Ts(at),
                kind.as_str(),
                target,
                member.0,
                actor.0,
                account.0,
                id
            ])?;
            Ok(())
        })
        .await
    }

    async fn moderation_log(
        &self,
        scope: Option<Scope>,
        member: Option<ProfileId>,
        before: Option<i64>,
        limit_to: usize,
    ) -> Result<Vec<LogEntry>> {
        self.read("moderation log", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                select_log!(),
                " WHERE (?1 IS NULL OR scope = ?1) AND (?2 IS NULL OR member_id = ?2)
                    AND (?3 IS NULL OR id < ?3)
                  ORDER BY id DESC LIMIT ?4"
            ))?;
            let rows = stmt.query_map(
                params![
                    scope.map(Scope::key),
                    member.map(|m| m.0),
                    before,
                    limit(limit_to)
                ],
                log_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn log_entry(&self, id: i64) -> Result<Option<LogEntry>> {
        self.read("log entry", move |conn| {
            Ok(conn
                .prepare_cached(concat!(select_log!(), " WHERE id = ?1"))?
                .query_row([id], log_from_row)
                .optional()?)
        })
        .await
    }

    async fn report_counts(&self, member: ProfileId) -> Result<(u64, u64)> {
        self.read("report counts", move |conn| {
            let count = |sql: &str| -> rusqlite::Result<u64> {
                Ok(conn
                    .prepare_cached(sql)?
                    .query_row([member.0], |r| r.get::<_, i64>(0))?
                    .max(0) as u64)
            };
            Ok((
                count("SELECT count(*) FROM reports WHERE member_id = ?1")?,
                count("SELECT count(*) FROM reports WHERE reporter_id = ?1")?,
            ))
        })
        .await
    }

    async fn sanction(&self, member: ProfileId) -> Result<Sanction> {
        self.read("sanction", move |conn| Ok(sanction_of(conn, member)?))
            .await
    }

    async fn all_sanctions(&self) -> Result<Vec<(ProfileId, Sanction)>> {
        self.read("all sanctions", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT member_id, limited, suspended_until FROM sanctions
                 WHERE limited = 1 OR suspended_until IS NOT NULL",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    ProfileId(r.get(0)?),
                    Sanction {
                        limited: r.get(1)?,
                        suspended_until: r.get::<_, Option<Ts>>(2)?.map(|t| t.0),
                    },
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_instance_roles(
        &self,
        account: AccountId,
        admin: bool,
        moderator: bool,
    ) -> Result<()> {
        self.write("set instance roles", move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE accounts SET admin = ?2, moderator = ?3
                     WHERE id = ?1 AND (admin <> ?2 OR moderator <> ?3)",
                )?
                .execute(params![account.0, admin, moderator])?;
            if n > 0 {
                record(
                    tx,
                    OffsetDateTime::now_utc(),
                    Change::AccountChanged { account },
                )?;
            }
            Ok(())
        })
        .await
    }

    async fn staff(&self) -> Result<Vec<Account>> {
        self.read("staff", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                select_account!(),
                " WHERE a.admin = 1 OR a.moderator = 1 ORDER BY p.handle"
            ))?;
            let rows = stmt.query_map([], crate::accounts::account_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn pending_accounts(&self) -> Result<Vec<Account>> {
        self.read("pending accounts", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                select_account!(),
                " WHERE a.approval = 'pending' ORDER BY a.created_at, a.id"
            ))?;
            let rows = stmt.query_map([], crate::accounts::account_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn signup_answer(&self, account: AccountId) -> Result<Option<String>> {
        self.read("signup answer", move |conn| {
            Ok(conn
                .prepare_cached("SELECT signup_answer FROM accounts WHERE id = ?1")?
                .query_row([account.0], |r| r.get(0))
                .optional()?
                .flatten())
        })
        .await
    }

    async fn set_approval(&self, account: AccountId, approval: Approval) -> Result<bool> {
        self.write("set approval", move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE accounts SET approval = ?2 WHERE id = ?1 AND approval = 'pending'",
                )?
                .execute(params![account.0, approval.as_str()])?;
            if n > 0 {
                let now = OffsetDateTime::now_utc();
                record(tx, now, Change::AccountChanged { account })?;
                if approval == Approval::Approved {
                    // In sight from now on.
                    let person: i64 = tx
                        .prepare_cached("SELECT person_id FROM accounts WHERE id = ?1")?
                        .query_row([account.0], |r| r.get(0))?;
                    write_sanction(tx, ProfileId(person), Sanction::default(), now)?;
                }
            }
            Ok(n > 0)
        })
        .await
    }

    async fn instance_settings(&self) -> Result<Vec<(String, String)>> {
        self.read("instance settings", move |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT key, value FROM instance_settings ORDER BY key")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_instance_settings(&self, values: Vec<(String, String)>) -> Result<()> {
        self.write("set instance settings", move |tx| {
            for (key, value) in values {
                tx.prepare_cached(
                    "INSERT INTO instance_settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![key, value])?;
            }
            Ok(())
        })
        .await
    }

    async fn create_signup_code(
        &self,
        code: &str,
        by: AccountId,
        at: OffsetDateTime,
    ) -> Result<()> {
        let code = code.to_owned();
        self.write("create signup code", move |tx| {
            tx.prepare_cached(
                "INSERT INTO signup_codes (code, created_by, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![code, by.0, Ts(at)])
            .map_err(conflict)?;
            Ok(())
        })
        .await
    }

    async fn signup_codes(
        &self,
        limit_to: usize,
    ) -> Result<Vec<(String, OffsetDateTime, Option<String>)>> {
        self.read("signup codes", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.code, c.created_at, p.handle FROM signup_codes c
                 LEFT JOIN accounts a ON a.id = c.used_by
                 LEFT JOIN profiles p ON p.id = a.person_id
                 ORDER BY c.created_at DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit(limit_to)], |r| {
                Ok((r.get(0)?, r.get::<_, Ts>(1)?.0, r.get(2)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn email_domain_blocks(&self) -> Result<Vec<String>> {
        self.read("email domain blocks", move |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT domain FROM email_domain_blocks ORDER BY domain")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_email_domain_block(
        &self,
        domain: &str,
        blocked: bool,
        at: OffsetDateTime,
    ) -> Result<()> {
        let domain = domain.to_owned();
        self.write("set email domain block", move |tx| {
            if blocked {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO email_domain_blocks (domain, created_at) VALUES (?1, ?2)",
                )?
                .execute(params![domain, Ts(at)])?;
            } else {
                tx.prepare_cached("DELETE FROM email_domain_blocks WHERE domain = ?1")?
                    .execute([domain])?;
            }
            Ok(())
        })
        .await
    }

    async fn instance_counts(&self, active_since: OffsetDateTime) -> Result<(u64, u64, u64)> {
        self.read("instance counts", move |conn| {
            let members: i64 = conn
                .prepare_cached("SELECT count(*) FROM accounts WHERE approval = 'approved'")?
                .query_row([], |r| r.get(0))?;
            let active: i64 = conn
                .prepare_cached(
                    "SELECT count(DISTINCT account_id) FROM sessions WHERE last_seen_at >= ?1",
                )?
                .query_row([Ts(active_since)], |r| r.get(0))?;
            let posts: i64 = conn
                .prepare_cached("SELECT count(*) FROM posts")?
                .query_row([], |r| r.get(0))?;
            Ok((
                members.max(0) as u64,
                active.max(0) as u64,
                posts.max(0) as u64,
            ))
        })
        .await
    }
}
