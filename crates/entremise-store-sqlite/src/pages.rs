//! Pages and personas: creation, roles, children, and (in [`content`]) their
//! offices, services, contact messages and audit trail.

mod content;

use crate::SqliteStore;
use crate::codec::{DbResult, Json, Ts, conflict, text_enum, write_audit};
use crate::events::record;
use crate::profiles::{load_profile, profile_ref_at};
use async_trait::async_trait;
use entremise_domain::error::Forbidden;
use entremise_domain::events::Change;
use entremise_domain::ids::{OfficeId, ServiceId};
use entremise_domain::page::{AuditEntry, ContactMessage, Manager, Office, Role, Service};
use entremise_domain::privacy::{Audiences, ReachSettings};
use entremise_domain::profile::{Profile, ProfileRef};
use entremise_domain::store::{
    AuditRecord, NewContactMessage, NewOffice, NewPage, NewService, PageStore,
};
use entremise_domain::{AccountId, Error, ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use time::OffsetDateTime;

/// Creates the page's profile, its owner's role and the first audit line.
fn create_page(tx: &Transaction<'_>, new: &NewPage) -> DbResult<Profile> {
    tx.prepare_cached(
        "INSERT INTO profiles (handle, kind, parent_id, name, audiences, settings,
                               created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        new.handle.as_str(),
        new.kind.as_str(),
        new.parent.map(|p| p.0),
        new.name,
        Json(Audiences::for_page()),
        Json(ReachSettings::default()),
        Ts(new.created_at),
    ])
    .map_err(conflict)?;
    let page = ProfileId(tx.last_insert_rowid());
    tx.prepare_cached(
        "INSERT INTO page_roles (page_id, account_id, role, since) VALUES (?1, ?2, 'owner', ?3)",
    )?
    .execute(params![page.0, new.owner.0, Ts(new.created_at)])?;
    write_audit(
        tx,
        &AuditRecord {
            page,
            actor: new.owner,
            action: "page.create",
            detail: new.handle.to_string(),
            at: new.created_at,
        },
    )?;
    record(tx, new.created_at, Change::ProfileChanged { profile: page })?;
    let change = Change::PageRoleChanged {
        page,
        account: new.owner,
        role: Some(Role::Owner),
    };
    record(tx, new.created_at, change)?;
    load_profile(tx, page)?
        .ok_or_else(|| Error::internal("create page: the new page vanished").into())
}

/// Grants, changes or revokes a role, then refuses the result if the page
/// would be left without an owner (the transaction then rolls back).
fn set_role(
    tx: &Transaction<'_>,
    page: ProfileId,
    account: AccountId,
    role: Option<Role>,
    audit: &AuditRecord,
) -> DbResult<()> {
    match role {
        Some(role) => {
            // `since` tells when the current role was given: kept when the
            // role does not change.
            tx.prepare_cached(
                "INSERT INTO page_roles (page_id, account_id, role, since)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (page_id, account_id) DO UPDATE
                 SET role = excluded.role, since = excluded.since
                 WHERE page_roles.role <> excluded.role",
            )?
            .execute(params![page.0, account.0, role.as_str(), Ts(audit.at)])?;
        }
        None => {
            tx.prepare_cached("DELETE FROM page_roles WHERE page_id = ?1 AND account_id = ?2")?
                .execute(params![page.0, account.0])?;
        }
    }
    let owners: i64 = tx
        .prepare_cached("SELECT count(*) FROM page_roles WHERE page_id = ?1 AND role = 'owner'")?
        .query_row([page.0], |row| row.get(0))?;
    if owners == 0 {
        return Err(Error::Forbidden(Forbidden::LastOwner).into());
    }
    write_audit(tx, audit)?;
    let change = Change::PageRoleChanged {
        page,
        account,
        role,
    };
    record(tx, audit.at, change)?;
    Ok(())
}

fn managers(conn: &Connection, page: ProfileId) -> DbResult<Vec<Manager>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.account_id, p.handle, p.name, p.kind, r.role, r.since
         FROM page_roles r
         JOIN accounts a ON a.id = r.account_id
         JOIN profiles p ON p.id = a.person_id
         WHERE r.page_id = ?1
         ORDER BY CASE r.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1
                              WHEN 'editor' THEN 2 ELSE 3 END,
                  r.since, r.account_id",
    )?;
    let rows = stmt.query_map([page.0], |row| {
        Ok(Manager {
            account: AccountId(row.get(0)?),
            member: profile_ref_at(row, 1)?,
            role: text_enum(row, 4, Role::parse)?,
            since: row.get::<_, Ts>(5)?.0,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[async_trait]
impl PageStore for SqliteStore {
    async fn create_page(&self, new: NewPage) -> Result<Profile> {
        self.write("create page", move |tx| create_page(tx, &new))
            .await
    }

    async fn roles_of_account(&self, account: AccountId) -> Result<Vec<(ProfileId, Role)>> {
        self.read("roles of account", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT page_id, role FROM page_roles WHERE account_id = ?1 ORDER BY page_id",
            )?;
            let rows = stmt.query_map([account.0], |row| {
                Ok((ProfileId(row.get(0)?), text_enum(row, 1, Role::parse)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn role_of(&self, page: ProfileId, account: AccountId) -> Result<Option<Role>> {
        self.read("role on page", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT role FROM page_roles WHERE page_id = ?1 AND account_id = ?2",
                )?
                .query_row(params![page.0, account.0], |row| {
                    text_enum(row, 0, Role::parse)
                })
                .optional()?)
        })
        .await
    }

    async fn managers(&self, page: ProfileId) -> Result<Vec<Manager>> {
        self.read("managers of page", move |conn| managers(conn, page))
            .await
    }

    async fn set_role(
        &self,
        page: ProfileId,
        account: AccountId,
        role: Option<Role>,
        audit: AuditRecord,
    ) -> Result<()> {
        self.write("set role", move |tx| {
            set_role(tx, page, account, role, &audit)
        })
        .await
    }

    async fn children(&self, organization: ProfileId) -> Result<Vec<ProfileRef>> {
        self.read("children of organization", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT handle, name, kind FROM profiles
                 WHERE parent_id = ?1 AND kind IN ('brand', 'persona')
                 ORDER BY id",
            )?;
            let rows = stmt.query_map([organization.0], |row| profile_ref_at(row, 0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn offices(&self, page: ProfileId) -> Result<Vec<Office>> {
        self.read("offices of page", move |conn| content::offices(conn, page))
            .await
    }

    async fn add_office(
        &self,
        page: ProfileId,
        new: NewOffice,
        audit: AuditRecord,
    ) -> Result<Office> {
        self.write("add office", move |tx| {
            content::add_office(tx, page, new, &audit)
        })
        .await
    }

    async fn delete_office(
        &self,
        page: ProfileId,
        id: OfficeId,
        audit: AuditRecord,
    ) -> Result<bool> {
        self.write("delete office", move |tx| {
            content::delete_office(tx, page, id, &audit)
        })
        .await
    }

    async fn services(&self, page: ProfileId) -> Result<Vec<Service>> {
        self.read("services of page", move |conn| {
            content::services(conn, page)
        })
        .await
    }

    async fn add_service(
        &self,
        page: ProfileId,
        new: NewService,
        audit: AuditRecord,
    ) -> Result<Service> {
        self.write("add service", move |tx| {
            content::add_service(tx, page, new, &audit)
        })
        .await
    }

    async fn delete_service(
        &self,
        page: ProfileId,
        id: ServiceId,
        audit: AuditRecord,
    ) -> Result<bool> {
        self.write("delete service", move |tx| {
            content::delete_service(tx, page, id, &audit)
        })
        .await
    }

    async fn add_contact_message(&self, new: NewContactMessage) -> Result<ContactMessage> {
        self.write("add contact message", move |tx| {
            let message = content::add_contact_message(tx, new)?;
            let change = Change::ContactFormMessage {
                page: message.page,
                message: message.id.0,
            };
            record(tx, message.created_at, change)?;
            Ok(message)
        })
        .await
    }

    async fn contact_messages(
        &self,
        page: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit: usize,
    ) -> Result<Vec<ContactMessage>> {
        self.read("contact messages of page", move |conn| {
            content::contact_messages(conn, page, before, limit)
        })
        .await
    }

    async fn audit_log(
        &self,
        page: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        self.read("audit log of page", move |conn| {
            content::audit_log(conn, page, before, limit)
        })
        .await
    }
}
