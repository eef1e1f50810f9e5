//! Contacts, contact requests, invitation codes and blocks.
//!
//! A contact is one row `(a, b)` with `a < b`: [`pair`] orders any two
//! members that way, so every method accepts them in either order.

use crate::SqliteStore;
use crate::codec::{DbResult, Ts, conflict, count_at, handle, limit, text_enum};
use crate::events::record;
use async_trait::async_trait;
use entremise_domain::contact::{
    ContactEntry, ContactRequest, InvitationCode, RequestStatus, RequestVia,
};
use entremise_domain::events::Change;
use entremise_domain::store::{ContactStore, NewContactRequest};
use entremise_domain::validate::Handle;
use entremise_domain::{ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

/// The two members of a contact in stored order (smaller id first).
pub(crate) fn pair(x: ProfileId, y: ProfileId) -> (i64, i64) {
    (x.0.min(y.0), x.0.max(y.0))
}

/// Makes two members contacts since `since`; nothing if they already are.
pub(crate) fn insert_contact(
    conn: &Connection,
    x: ProfileId,
    y: ProfileId,
    since: OffsetDateTime,
) -> DbResult<()> {
    let (a, b) = pair(x, y);
    let added = conn
        .prepare_cached("INSERT OR IGNORE INTO contacts (a, b, since) VALUES (?1, ?2, ?3)")?
        .execute(params![a, b, Ts(since)])?;
    if added > 0 {
        record(
            conn,
            since,
            Change::ContactAdded {
                a: ProfileId(a),
                b: ProfileId(b),
            },
        )?;
    }
    Ok(())
}

/// Columns read by [`request_from_row`].
macro_rules! select_request {
    () => {
        "SELECT id, from_id, to_id, message, via, status, created_at, decided_at
         FROM contact_requests"
    };
}

fn request_from_row(row: &Row<'_>) -> rusqlite::Result<ContactRequest> {
    Ok(ContactRequest {
        id: row.get(0)?,
        from: ProfileId(row.get(1)?),
        to: ProfileId(row.get(2)?),
        message: row.get(3)?,
        via: text_enum(row, 4, RequestVia::parse)?,
        status: text_enum(row, 5, RequestStatus::parse)?,
        created_at: row.get::<_, Ts>(6)?.0,
        decided_at: row.get::<_, Option<Ts>>(7)?.map(|t| t.0),
    })
}

fn code_from_row(row: &Row<'_>) -> rusqlite::Result<InvitationCode> {
    Ok(InvitationCode {
        code: row.get(0)?,
        owner: ProfileId(row.get(1)?),
        created_at: row.get::<_, Ts>(2)?.0,
        revoked_at: row.get::<_, Option<Ts>>(3)?.map(|t| t.0),
    })
}

/// Sets a pending request's status and, on acceptance, makes the contact.
fn decide_request(
    conn: &Connection,
    id: i64,
    status: RequestStatus,
    at: OffsetDateTime,
) -> DbResult<bool> {
    // "Pending" decides nothing: the request stays as it is.
    if status == RequestStatus::Pending {
        return Ok(false);
    }
    let decided = conn
        .prepare_cached(
            "UPDATE contact_requests SET status = ?2, decided_at = ?3
             WHERE id = ?1 AND status = 'pending'
             RETURNING from_id, to_id",
        )?
        .query_row(params![id, status.as_str(), Ts(at)], |row| {
            Ok((ProfileId(row.get(0)?), ProfileId(row.get(1)?)))
        })
        .optional()?;
    let Some((from, to)) = decided else {
        return Ok(false);
    };
    let accepted = status == RequestStatus::Accepted;
    record(
        conn,
        at,
        Change::ContactRequestDecided {
            request: id,
            from,
            to,
            accepted,
            withdrawn: status == RequestStatus::Withdrawn,
        },
    )?;
    if accepted {
        insert_contact(conn, from, to, at)?;
    }
    Ok(true)
}

/// The block and its consequences: no contact, no pending request either
/// way, no open introduction with both on the path.
fn block(
    conn: &Connection,
    blocker: ProfileId,
    blocked: ProfileId,
    at: OffsetDateTime,
) -> DbResult<()> {
    let added = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![blocker.0, blocked.0, Ts(at)])?;
    if added > 0 {
        record(conn, at, Change::Blocked { blocker, blocked })?;
    }
    let (a, b) = pair(blocker, blocked);
    let removed = conn
        .prepare_cached("DELETE FROM contacts WHERE a = ?1 AND b = ?2")?
        .execute(params![a, b])?;
    if removed > 0 {
        let (a, b) = (ProfileId(a), ProfileId(b));
        record(conn, at, Change::ContactRemoved { a, b })?;
    }
    conn.prepare_cached(
        "UPDATE contact_requests SET status = 'withdrawn', decided_at = ?3
         WHERE status = 'pending'
           AND ((from_id = ?1 AND to_id = ?2) OR (from_id = ?2 AND to_id = ?1))",
    )?
    .execute(params![blocker.0, blocked.0, Ts(at)])?;
    // Open means not yet decided and not yet expired: an expired one stays
    // expired.
    conn.prepare_cached(
        "WITH on_path (introduction_id, member_id) AS (
             SELECT id, requester_id FROM introductions
              WHERE requester_id IN (?1, ?2) AND status IN ('pending', 'forwarded')
             UNION
             SELECT id, target_id FROM introductions
              WHERE target_id IN (?1, ?2) AND status IN ('pending', 'forwarded')
             UNION
             SELECT introduction_id, member_id FROM introduction_hops
              WHERE member_id IN (?1, ?2)
         )
         UPDATE introductions
            SET status = 'declined', declined_by = ?1, decided_at = ?3
          WHERE status IN ('pending', 'forwarded') AND expires_at > ?3
            AND id IN (SELECT introduction_id FROM on_path
                        GROUP BY introduction_id
                       HAVING count(DISTINCT member_id) = 2)",
    )?
    .execute(params![blocker.0, blocked.0, Ts(at)])?;
    Ok(())
}

#[async_trait]
impl ContactStore for SqliteStore {
    async fn contacts_page(
        &self,
        after: Option<(ProfileId, ProfileId)>,
        limit_to: usize,
    ) -> Result<Vec<(ProfileId, ProfileId, OffsetDateTime)>> {
        self.read("contacts page", move |conn| {
            let read = |row: &Row<'_>| {
                Ok((
                    ProfileId(row.get(0)?),
                    ProfileId(row.get(1)?),
                    row.get::<_, Ts>(2)?.0,
                ))
            };
            let rows = match after {
                Some((a, b)) => conn
                    .prepare_cached(
                        "SELECT a, b, since FROM contacts
                         WHERE (a, b) > (?1, ?2) ORDER BY a, b LIMIT ?3",
                    )?
                    .query_map(params![a.0, b.0, limit(limit_to)], read)?
                    .collect::<rusqlite::Result<_>>()?,
                None => conn
                    .prepare_cached("SELECT a, b, since FROM contacts ORDER BY a, b LIMIT ?1")?
                    .query_map([limit(limit_to)], read)?
                    .collect::<rusqlite::Result<_>>()?,
            };
            Ok(rows)
        })
        .await
    }

    /// Newest contacts first.
    async fn contacts_of(&self, member: ProfileId) -> Result<Vec<ContactEntry>> {
        self.read("contacts of member", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT b AS contact, since FROM contacts WHERE a = ?1
                 UNION ALL
                 SELECT a, since FROM contacts WHERE b = ?1
                 ORDER BY since DESC, contact",
            )?;
            let rows = stmt.query_map([member.0], |row| {
                Ok(ContactEntry {
                    contact: ProfileId(row.get(0)?),
                    since: row.get::<_, Ts>(1)?.0,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn contacts_by_handle(
        &self,
        member: ProfileId,
        after: Option<Handle>,
        limit_to: usize,
    ) -> Result<Vec<(ProfileId, Handle)>> {
        self.read("contacts of member by handle", move |conn| {
            macro_rules! contacts_by_handle {
                ($after:literal) => {
                    concat!(
                        "SELECT p.id, p.handle FROM (
                             SELECT b AS contact FROM contacts WHERE a = ?1
                             UNION ALL
                             SELECT a FROM contacts WHERE b = ?1) c
                         JOIN profiles p ON p.id = c.contact ",
                        $after,
                        " ORDER BY p.handle LIMIT ?2"
                    )
                };
            }
            let read = |row: &Row<'_>| Ok((ProfileId(row.get(0)?), handle(row, 1)?));
            let rows = match after {
                Some(after) => conn
                    .prepare_cached(contacts_by_handle!("WHERE p.handle > ?3"))?
                    .query_map(params![member.0, limit(limit_to), after.as_str()], read)?
                    .collect::<rusqlite::Result<_>>()?,
                None => conn
                    .prepare_cached(contacts_by_handle!(""))?
                    .query_map(params![member.0, limit(limit_to)], read)?
                    .collect::<rusqlite::Result<_>>()?,
            };
            Ok(rows)
        })
        .await
    }

    async fn is_contact(&self, x: ProfileId, y: ProfileId) -> Result<bool> {
        self.read("is contact", move |conn| {
            let (a, b) = pair(x, y);
            Ok(conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM contacts WHERE a = ?1 AND b = ?2)")?
                .query_row(params![a, b], |row| row.get(0))?)
        })
        .await
    }

    async fn remove_contact(&self, x: ProfileId, y: ProfileId) -> Result<bool> {
        self.write("remove contact", move |tx| {
            let (a, b) = pair(x, y);
            let removed = tx
                .prepare_cached("DELETE FROM contacts WHERE a = ?1 AND b = ?2")?
                .execute(params![a, b])?;
            if removed > 0 {
                let (a, b) = (ProfileId(a), ProfileId(b));
                record(
                    tx,
                    OffsetDateTime::now_utc(),
                    Change::ContactRemoved { a, b },
                )?;
            }
            Ok(removed > 0)
        })
        .await
    }

    async fn create_contact_request(&self, new: NewContactRequest) -> Result<ContactRequest> {
        self.write("create contact request", move |tx| {
            tx.prepare_cached(
                "INSERT INTO contact_requests (from_id, to_id, message, via, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
            )?
            .execute(params![
                new.from.0,
                new.to.0,
                new.message,
                new.via.as_str(),
                Ts(new.created_at),
            ])?;
            let id = tx.last_insert_rowid();
            record(
                tx,
                new.created_at,
                Change::ContactRequested {
                    request: id,
                    from: new.from,
                    to: new.to,
                },
            )?;
            Ok(ContactRequest {
                id,
                from: new.from,
                to: new.to,
                message: new.message,
                via: new.via,
                status: RequestStatus::Pending,
                created_at: new.created_at,
                decided_at: None,
            })
        })
        .await
    }

    async fn contact_request(&self, id: i64) -> Result<Option<ContactRequest>> {
        self.read("contact request", move |conn| {
            Ok(conn
                .prepare_cached(concat!(select_request!(), " WHERE id = ?1"))?
                .query_row([id], request_from_row)
                .optional()?)
        })
        .await
    }

    async fn pending_request(
        &self,
        from: ProfileId,
        to: ProfileId,
    ) -> Result<Option<ContactRequest>> {
        self.read("pending contact request", move |conn| {
            Ok(conn
                .prepare_cached(concat!(
                    select_request!(),
                    " WHERE from_id = ?1 AND to_id = ?2 AND status = 'pending'
                      ORDER BY id DESC LIMIT 1"
                ))?
                .query_row(params![from.0, to.0], request_from_row)
                .optional()?)
        })
        .await
    }

    async fn pending_requests(
        &self,
        member: ProfileId,
        outgoing: bool,
    ) -> Result<Vec<ContactRequest>> {
        self.read("pending contact requests", move |conn| {
            let sql = if outgoing {
                concat!(
                    select_request!(),
                    " WHERE from_id = ?1 AND status = 'pending'
                      ORDER BY created_at DESC, id DESC"
                )
            } else {
                concat!(
                    select_request!(),
                    " WHERE to_id = ?1 AND status = 'pending'
                      ORDER BY created_at DESC, id DESC"
                )
            };
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map([member.0], request_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn pending_requests_page(
        &self,
        member: ProfileId,
        outgoing: bool,
        before: Option<(OffsetDateTime, i64)>,
        limit_to: usize,
    ) -> Result<Vec<ContactRequest>> {
        self.read("pending contact requests, a page", move |conn| {
            macro_rules! pending {
                ($side:literal, $before:literal) => {
                    concat!(
                        select_request!(),
                        " WHERE ",
                        $side,
                        " = ?1 AND status = 'pending' ",
                        $before,
                        " ORDER BY created_at DESC, id DESC LIMIT ?2"
                    )
                };
            }
            let sql = match (outgoing, before.is_some()) {
                (true, false) => pending!("from_id", ""),
                (true, true) => pending!("from_id", "AND (created_at, id) < (?3, ?4)"),
                (false, false) => pending!("to_id", ""),
                (false, true) => pending!("to_id", "AND (created_at, id) < (?3, ?4)"),
            };
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = match before {
                Some((at, id)) => stmt
                    .query_map(
                        params![member.0, limit(limit_to), Ts(at), id],
                        request_from_row,
                    )?
                    .collect::<rusqlite::Result<_>>()?,
                None => stmt
                    .query_map(params![member.0, limit(limit_to)], request_from_row)?
                    .collect::<rusqlite::Result<_>>()?,
            };
            Ok(rows)
        })
        .await
    }

    async fn count_requests_since(&self, from: ProfileId, since: OffsetDateTime) -> Result<u64> {
        self.read("count contact requests", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT count(*) FROM contact_requests WHERE from_id = ?1 AND created_at >= ?2",
                )?
                .query_row(params![from.0, Ts(since)], |row| count_at(row, 0))?)
        })
        .await
    }

    async fn last_declined(
        &self,
        from: ProfileId,
        to: ProfileId,
    ) -> Result<Option<OffsetDateTime>> {
        self.read("last declined contact request", move |conn| {
            let last: Option<Ts> = conn
                .prepare_cached(
                    "SELECT max(decided_at) FROM contact_requests
                     WHERE from_id = ?1 AND to_id = ?2 AND status = 'declined'",
                )?
                .query_row(params![from.0, to.0], |row| row.get(0))?;
            Ok(last.map(|t| t.0))
        })
        .await
    }

    async fn decide_contact_request(
        &self,
        id: i64,
        status: RequestStatus,
        at: OffsetDateTime,
    ) -> Result<bool> {
        self.write("decide contact request", move |tx| {
            decide_request(tx, id, status, at)
        })
        .await
    }

    async fn create_invitation_code(
        &self,
        owner: ProfileId,
        code: &str,
        at: OffsetDateTime,
    ) -> Result<InvitationCode> {
        let code = code.to_owned();
        self.write("create invitation code", move |tx| {
            tx.prepare_cached(
                "INSERT INTO invitation_codes (code, owner_id, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![code, owner.0, Ts(at)])
            .map_err(conflict)?;
            Ok(InvitationCode {
                code,
                owner,
                created_at: at,
                revoked_at: None,
            })
        })
        .await
    }

    async fn invitation_code(&self, code: &str) -> Result<Option<InvitationCode>> {
        let code = code.to_owned();
        self.read("invitation code", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT code, owner_id, created_at, revoked_at
                     FROM invitation_codes WHERE code = ?1",
                )?
                .query_row([code], code_from_row)
                .optional()?)
        })
        .await
    }

    /// Newest first, revoked ones included.
    async fn invitation_codes_of(
        &self,
        owner: ProfileId,
        before: Option<(OffsetDateTime, String)>,
        limit_to: usize,
    ) -> Result<Vec<InvitationCode>> {
        self.read("invitation codes of member", move |conn| {
            macro_rules! codes_of {
                ($before:literal) => {
                    concat!(
                        "SELECT code, owner_id, created_at, revoked_at
                         FROM invitation_codes WHERE owner_id = ?1 ",
                        $before,
                        " ORDER BY created_at DESC, code LIMIT ?2"
                    )
                };
            }
            let rows = match before {
                Some((at, code)) => conn
                    .prepare_cached(codes_of!(
                        "AND (created_at < ?3 OR (created_at = ?3 AND code > ?4))"
                    ))?
                    .query_map(
                        params![owner.0, limit(limit_to), Ts(at), code],
                        code_from_row,
                    )?
                    .collect::<rusqlite::Result<_>>()?,
                None => conn
                    .prepare_cached(codes_of!(""))?
                    .query_map(params![owner.0, limit(limit_to)], code_from_row)?
                    .collect::<rusqlite::Result<_>>()?,
            };
            Ok(rows)
        })
        .await
    }

    async fn revoke_invitation_code(
        &self,
        owner: ProfileId,
        code: &str,
        at: OffsetDateTime,
    ) -> Result<bool> {
        let code = code.to_owned();
        self.write("revoke invitation code", move |tx| {
            let revoked = tx
                .prepare_cached(
                    "UPDATE invitation_codes SET revoked_at = ?3
                     WHERE code = ?1 AND owner_id = ?2 AND revoked_at IS NULL",
                )?
                .execute(params![code, owner.0, Ts(at)])?;
            Ok(revoked > 0)
        })
        .await
    }

    async fn block(
        &self,
        blocker: ProfileId,
        blocked: ProfileId,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("block member", move |tx| block(tx, blocker, blocked, at))
            .await
    }

    async fn unblock(&self, blocker: ProfileId, blocked: ProfileId) -> Result<bool> {
        self.write("unblock member", move |tx| {
            let removed = tx
                .prepare_cached("DELETE FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2")?
                .execute(params![blocker.0, blocked.0])?;
            if removed > 0 {
                let now = OffsetDateTime::now_utc();
                record(tx, now, Change::Unblocked { blocker, blocked })?;
            }
            Ok(removed > 0)
        })
        .await
    }

    async fn blocked_by(&self, blocker: ProfileId) -> Result<Vec<ProfileId>> {
        self.read("members blocked by", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT blocked_id FROM blocks WHERE blocker_id = ?1 ORDER BY blocked_id",
            )?;
            let rows = stmt.query_map([blocker.0], |row| row.get(0).map(ProfileId))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn all_blocks(&self) -> Result<Vec<(ProfileId, ProfileId)>> {
        self.read("all blocks", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT blocker_id, blocked_id FROM blocks ORDER BY blocker_id, blocked_id",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok((ProfileId(row.get(0)?), ProfileId(row.get(1)?)))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}
