//! What a page publishes and keeps: offices, services, messages left through
//! its contact form, and its audit trail. Every write that carries an audit
//! record writes it in the same transaction, and only when something changed.

use crate::codec::{DbResult, Ts, limit, write_audit};
use crate::profiles::profile_ref_at;
use entremise_domain::ProfileId;
use entremise_domain::ids::{ContactMessageId, OfficeId, ServiceId};
use entremise_domain::page::{AuditEntry, ContactMessage, Office, Service};
use entremise_domain::profile::ProfileRef;
use entremise_domain::store::{AuditRecord, NewContactMessage, NewOffice, NewService};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

pub(super) fn offices(conn: &Connection, page: ProfileId) -> DbResult<Vec<Office>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, address, town, phone FROM offices WHERE page_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([page.0], |row| {
        Ok(Office {
            id: OfficeId(row.get(0)?),
            name: row.get(1)?,
            address: row.get(2)?,
            town: row.get(3)?,
            phone: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn add_office(
    conn: &Connection,
    page: ProfileId,
    new: NewOffice,
    audit: &AuditRecord,
) -> DbResult<Office> {
    conn.prepare_cached(
        "INSERT INTO offices (page_id, name, address, town, phone) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![page.0, new.name, new.address, new.town, new.phone])?;
    let id = OfficeId(conn.last_insert_rowid());
    write_audit(conn, audit)?;
    Ok(Office {
        id,
        name: new.name,
        address: new.address,
        town: new.town,
        phone: new.phone,
    })
}

pub(super) fn delete_office(
    conn: &Connection,
    page: ProfileId,
    id: OfficeId,
    audit: &AuditRecord,
) -> DbResult<bool> {
    let deleted = conn
        .prepare_cached("DELETE FROM offices WHERE id = ?1 AND page_id = ?2")?
        .execute(params![id.0, page.0])?;
    if deleted > 0 {
        write_audit(conn, audit)?;
    }
    Ok(deleted > 0)
}

pub(super) fn services(conn: &Connection, page: ProfileId) -> DbResult<Vec<Service>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, description FROM services WHERE page_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([page.0], |row| {
        Ok(Service {
            id: ServiceId(row.get(0)?),
            name: row.get(1)?,
            description: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn add_service(
    conn: &Connection,
    page: ProfileId,
    new: NewService,
    audit: &AuditRecord,
) -> DbResult<Service> {
    conn.prepare_cached("INSERT INTO services (page_id, name, description) VALUES (?1, ?2, ?3)")?
        .execute(params![page.0, new.name, new.description])?;
    let id = ServiceId(conn.last_insert_rowid());
    write_audit(conn, audit)?;
    Ok(Service {
        id,
        name: new.name,
        description: new.description,
    })
}

pub(super) fn delete_service(
    conn: &Connection,
    page: ProfileId,
    id: ServiceId,
    audit: &AuditRecord,
) -> DbResult<bool> {
    let deleted = conn
        .prepare_cached("DELETE FROM services WHERE id = ?1 AND page_id = ?2")?
        .execute(params![id.0, page.0])?;
    if deleted > 0 {
        write_audit(conn, audit)?;
    }
    Ok(deleted > 0)
}

pub(super) fn add_contact_message(
    conn: &Connection,
    new: NewContactMessage,
) -> DbResult<ContactMessage> {
    conn.prepare_cached(
        "INSERT INTO contact_messages (page_id, sender_id, name, email, message, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        new.page.0,
        new.sender.map(|s| s.0),
        new.name,
        new.email,
        new.message,
        Ts(new.created_at),
    ])?;
    let id = ContactMessageId(conn.last_insert_rowid());
    let sender = match new.sender {
        Some(sender) => conn
            .prepare_cached("SELECT handle, name, kind FROM profiles WHERE id = ?1")?
            .query_row([sender.0], |row| profile_ref_at(row, 0))
            .optional()?,
        None => None,
    };
    Ok(ContactMessage {
        id,
        page: new.page,
        sender,
        name: new.name,
        email: new.email,
        message: new.message,
        created_at: new.created_at,
    })
}

/// The sender's reference, when the message was written signed in.
fn sender_at(row: &Row<'_>, first: usize) -> rusqlite::Result<Option<ProfileRef>> {
    match row.get::<_, Option<String>>(first)? {
        Some(_) => profile_ref_at(row, first).map(Some),
        None => Ok(None),
    }
}

pub(super) fn contact_messages(
    conn: &Connection,
    page: ProfileId,
    before: Option<(OffsetDateTime, i64)>,
    max: usize,
) -> DbResult<Vec<ContactMessage>> {
    macro_rules! contact_messages {
        ($before:literal) => {
            concat!(
                "SELECT m.id, m.page_id, m.name, m.email, m.message, m.created_at,
                        s.handle, s.name, s.kind
                 FROM contact_messages m LEFT JOIN profiles s ON s.id = m.sender_id
                 WHERE m.page_id = ?1 ",
                $before,
                " ORDER BY m.created_at DESC, m.id DESC
                 LIMIT ?2"
            )
        };
    }
    let read = |row: &Row<'_>| {
        Ok(ContactMessage {
            id: ContactMessageId(row.get(0)?),
            page: ProfileId(row.get(1)?),
            sender: sender_at(row, 6)?,
            name: row.get(2)?,
            email: row.get(3)?,
            message: row.get(4)?,
            created_at: row.get::<_, Ts>(5)?.0,
        })
    };
    Ok(match before {
        Some((at, id)) => conn
            .prepare_cached(contact_messages!("AND (m.created_at, m.id) < (?3, ?4)"))?
            .query_map(params![page.0, limit(max), Ts(at), id], read)?
            .collect::<rusqlite::Result<_>>()?,
        None => conn
            .prepare_cached(contact_messages!(""))?
            .query_map(params![page.0, limit(max)], read)?
            .collect::<rusqlite::Result<_>>()?,
    })
}

pub(super) fn audit_log(
    conn: &Connection,
    page: ProfileId,
    before: Option<(OffsetDateTime, i64)>,
    max: usize,
) -> DbResult<Vec<AuditEntry>> {
    macro_rules! audit_log {
        ($before:literal) => {
            concat!(
                "SELECT l.page_id, p.handle, p.name, p.kind, l.action, l.detail, l.at, l.id
                 FROM audit_log l
                 JOIN accounts a ON a.id = l.actor_id
                 JOIN profiles p ON p.id = a.person_id
                 WHERE l.page_id = ?1 ",
                $before,
                " ORDER BY l.at DESC, l.id DESC
                 LIMIT ?2"
            )
        };
    }
    let read = |row: &Row<'_>| {
        Ok(AuditEntry {
            id: row.get(7)?,
            page: ProfileId(row.get(0)?),
            actor: profile_ref_at(row, 1)?,
            action: row.get(4)?,
            detail: row.get(5)?,
            at: row.get::<_, Ts>(6)?.0,
        })
    };
    Ok(match before {
        Some((at, id)) => conn
            .prepare_cached(audit_log!("AND (l.at, l.id) < (?3, ?4)"))?
            .query_map(params![page.0, limit(max), Ts(at), id], read)?
            .collect::<rusqlite::Result<_>>()?,
        None => conn
            .prepare_cached(audit_log!(""))?
            .query_map(params![page.0, limit(max)], read)?
            .collect::<rusqlite::Result<_>>()?,
    })
}
