//! Profiles (persons and pages alike), blocks and positions.

mod positions;

use crate::SqliteStore;
use crate::codec::{DbResult, Json, Ts, handle, limit, text_enum, write_audit};
use crate::events::record;
use async_trait::async_trait;
use entremise_domain::events::Change;
use entremise_domain::ids::PositionId;
use entremise_domain::profile::{Position, Profile, ProfileFields, ProfileKind, ProfileRef};
use entremise_domain::store::{AuditRecord, NewPosition, ProfileStore};
use entremise_domain::validate::Handle;
use entremise_domain::{AccountId, Error, ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

/// Every column of a profile, read by [`profile_from_row`].
macro_rules! select_profile {
    () => {
        "SELECT id, handle, kind, parent_id, account_id, name, headline, about,
                location, organization, skills, languages, website, phone, email,
                avatar, cover, audiences, settings, created_at
         FROM profiles"
    };
}

pub(crate) fn profile_from_row(row: &Row<'_>) -> rusqlite::Result<Profile> {
    Ok(Profile {
        id: ProfileId(row.get(0)?),
        handle: handle(row, 1)?,
        kind: text_enum(row, 2, ProfileKind::parse)?,
        parent: row.get::<_, Option<i64>>(3)?.map(ProfileId),
        account: row.get::<_, Option<i64>>(4)?.map(AccountId),
        fields: ProfileFields {
            name: row.get(5)?,
            headline: row.get(6)?,
            about: row.get(7)?,
            location: row.get(8)?,
            organization: row.get(9)?,
            skills: row.get::<_, Json<_>>(10)?.0,
            languages: row.get::<_, Json<_>>(11)?.0,
            website: row.get(12)?,
            phone: row.get(13)?,
            email: row.get(14)?,
            avatar: row.get(15)?,
            cover: row.get(16)?,
        },
        audiences: row.get::<_, Json<_>>(17)?.0,
        settings: row.get::<_, Json<_>>(18)?.0,
        created_at: row.get::<_, Ts>(19)?.0,
    })
}

/// Reads a [`ProfileRef`] from three columns: handle, name, kind.
pub(crate) fn profile_ref_at(row: &Row<'_>, first: usize) -> rusqlite::Result<ProfileRef> {
    Ok(ProfileRef {
        handle: handle(row, first)?,
        name: row.get(first + 1)?,
        kind: text_enum(row, first + 2, ProfileKind::parse)?,
        persona_of: None,
    })
}

/// One profile by id, inside any connection or transaction.
pub(crate) fn load_profile(conn: &Connection, id: ProfileId) -> DbResult<Option<Profile>> {
    Ok(conn
        .prepare_cached(concat!(select_profile!(), " WHERE id = ?1"))?
        .query_row([id.0], profile_from_row)
        .optional()?)
}

#[async_trait]
impl ProfileStore for SqliteStore {
    async fn profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>> {
        let handle = handle.as_str().to_owned();
        self.read("profile by handle", move |conn| {
            Ok(conn
                .prepare_cached(concat!(select_profile!(), " WHERE handle = ?1"))?
                .query_row([handle], profile_from_row)
                .optional()?)
        })
        .await
    }

    async fn profile(&self, id: ProfileId) -> Result<Option<Profile>> {
        self.read("profile", move |conn| load_profile(conn, id))
            .await
    }

    async fn profile_ref(&self, id: ProfileId) -> Result<Option<ProfileRef>> {
        self.read("profile ref", move |conn| {
            Ok(conn
                .prepare_cached("SELECT handle, name, kind FROM profiles WHERE id = ?1")?
                .query_row([id.0], |row| profile_ref_at(row, 0))
                .optional()?)
        })
        .await
    }

    async fn save_profile(&self, profile: &Profile, audit: Option<AuditRecord>) -> Result<()> {
        let profile = profile.clone();
        self.write("save profile", move |tx| {
            // The port carries no clock here: the audit line's time when
            // there is one, else the system's.
            let now = audit
                .as_ref()
                .map_or_else(OffsetDateTime::now_utc, |a| a.at);
            let f = &profile.fields;
            let updated = tx
                .prepare_cached(
                    "UPDATE profiles SET
                        name = ?2, headline = ?3, about = ?4, location = ?5,
                        organization = ?6, skills = ?7, languages = ?8, website = ?9,
                        phone = ?10, email = ?11, avatar = ?12, cover = ?13,
                        audiences = ?14, settings = ?15, updated_at = ?16
                     WHERE id = ?1",
                )?
                .execute(params![
                    profile.id.0,
                    f.name,
                    f.headline,
                    f.about,
                    f.location,
                    f.organization,
                    Json(&f.skills),
                    Json(&f.languages),
                    f.website,
                    f.phone,
                    f.email,
                    f.avatar,
                    f.cover,
                    Json(&profile.audiences),
                    Json(&profile.settings),
                    Ts(now),
                ])?;
            if updated == 0 {
                return Err(Error::NotFound.into());
            }
            if let Some(audit) = &audit {
                write_audit(tx, audit)?;
            }
            record(
                tx,
                now,
                Change::ProfileChanged {
                    profile: profile.id,
                },
            )?;
            Ok(())
        })
        .await
    }

    async fn list_profiles(
        &self,
        kind: Option<ProfileKind>,
        after: Option<ProfileId>,
        limit_to: usize,
    ) -> Result<Vec<Profile>> {
        self.read("list profiles", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                select_profile!(),
                " WHERE (?1 IS NULL OR kind = ?1) AND id > ?2 ORDER BY id LIMIT ?3"
            ))?;
            let rows = stmt.query_map(
                params![
                    kind.map(ProfileKind::as_str),
                    after.map_or(i64::MIN, |a| a.0),
                    limit(limit_to)
                ],
                profile_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn count_profiles(&self) -> Result<u64> {
        self.read("count profiles", |conn| {
            let n: i64 = conn
                .prepare_cached("SELECT count(*) FROM profiles")?
                .query_row([], |row| row.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn is_blocked(&self, a: ProfileId, b: ProfileId) -> Result<bool> {
        self.read("is blocked", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT EXISTS (
                        SELECT 1 FROM blocks
                        WHERE (blocker_id = ?1 AND blocked_id = ?2)
                           OR (blocker_id = ?2 AND blocked_id = ?1))",
                )?
                .query_row(params![a.0, b.0], |row| row.get(0))?)
        })
        .await
    }

    async fn positions_of(&self, person: ProfileId) -> Result<Vec<Position>> {
        self.read("positions of person", move |conn| {
            positions::of_person(conn, person)
        })
        .await
    }

    async fn positions_at(&self, organization: ProfileId) -> Result<Vec<(Position, ProfileRef)>> {
        self.read("positions at organization", move |conn| {
            positions::at_organization(conn, organization)
        })
        .await
    }

    async fn add_position(&self, new: NewPosition) -> Result<Position> {
        self.write("add position", move |tx| {
            let position = positions::add(tx, &new)?;
            let change = Change::PositionChanged {
                person: position.person,
                position: position.id,
                organization: new.organization,
                confirmed: None,
            };
            record(tx, OffsetDateTime::now_utc(), change)?;
            Ok(position)
        })
        .await
    }

    async fn delete_position(&self, person: ProfileId, id: PositionId) -> Result<bool> {
        self.write("delete position", move |tx| {
            let organization = tx
                .prepare_cached(
                    "DELETE FROM positions WHERE id = ?1 AND person_id = ?2
                     RETURNING organization_id",
                )?
                .query_row(params![id.0, person.0], |row| {
                    Ok(row.get::<_, Option<i64>>(0)?.map(ProfileId))
                })
                .optional()?;
            let Some(organization) = organization else {
                return Ok(false);
            };
            let change = Change::PositionChanged {
                person,
                position: id,
                organization,
                confirmed: None,
            };
            record(tx, OffsetDateTime::now_utc(), change)?;
            Ok(true)
        })
        .await
    }

    async fn confirm_position(
        &self,
        organization: ProfileId,
        id: PositionId,
        confirmed: bool,
        audit: AuditRecord,
    ) -> Result<bool> {
        self.write("confirm position", move |tx| {
            let person = tx
                .prepare_cached(
                    "UPDATE positions SET confirmed = ?1
                     WHERE id = ?2 AND organization_id = ?3
                     RETURNING person_id",
                )?
                .query_row(params![confirmed, id.0, organization.0], |row| {
                    Ok(ProfileId(row.get(0)?))
                })
                .optional()?;
            let Some(person) = person else {
                return Ok(false);
            };
            write_audit(tx, &audit)?;
            let change = Change::PositionChanged {
                person,
                position: id,
                organization: Some(organization),
                confirmed: Some(confirmed),
            };
            record(tx, audit.at, change)?;
            Ok(true)
        })
        .await
    }
}
