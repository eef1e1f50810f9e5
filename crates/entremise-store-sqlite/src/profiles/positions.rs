//! Positions held by persons, linked to an organization's page when it
//! exists on this instance.

use crate::codec::DbResult;
use crate::profiles::profile_ref_at;
use entremise_domain::ProfileId;
use entremise_domain::ids::PositionId;
use entremise_domain::profile::{Position, ProfileRef};
use entremise_domain::store::NewPosition;
use entremise_domain::validate::Handle;
use rusqlite::{Connection, Row, params};

/// A position with its organization's current name and handle when linked,
/// read by [`position_from_row`] (nine columns).
macro_rules! position_columns {
    () => {
        "SELECT p.id, p.person_id, p.title, p.organization_id,
                COALESCE(o.name, p.organization_name), o.handle,
                p.since_year, p.until_year, p.confirmed"
    };
}

macro_rules! position_tables {
    () => {
        " FROM positions p LEFT JOIN profiles o ON o.id = p.organization_id"
    };
}

/// Current positions first, then the most recent; stable by id.
macro_rules! position_order {
    () => {
        " ORDER BY p.until_year IS NULL DESC, p.since_year DESC, p.id"
    };
}

fn position_from_row(row: &Row<'_>) -> rusqlite::Result<Position> {
    Ok(Position {
        id: PositionId(row.get(0)?),
        person: ProfileId(row.get(1)?),
        title: row.get(2)?,
        organization: row.get::<_, Option<i64>>(3)?.map(ProfileId),
        organization_name: row.get(4)?,
        organization_handle: row.get::<_, Option<String>>(5)?.map(Handle::from_trusted),
        since_year: row.get(6)?,
        until_year: row.get(7)?,
        confirmed: row.get(8)?,
    })
}

pub(super) fn of_person(conn: &Connection, person: ProfileId) -> DbResult<Vec<Position>> {
    let mut stmt = conn.prepare_cached(concat!(
        position_columns!(),
        position_tables!(),
        " WHERE p.person_id = ?1",
        position_order!()
    ))?;
    let rows = stmt.query_map([person.0], position_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn at_organization(
    conn: &Connection,
    organization: ProfileId,
) -> DbResult<Vec<(Position, ProfileRef)>> {
    let mut stmt = conn.prepare_cached(concat!(
        position_columns!(),
        ", h.handle, h.name, h.kind",
        position_tables!(),
        " JOIN profiles h ON h.id = p.person_id",
        " WHERE p.organization_id = ?1",
        position_order!()
    ))?;
    let rows = stmt.query_map([organization.0], |row| {
        Ok((position_from_row(row)?, profile_ref_at(row, 9)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn add(conn: &Connection, new: &NewPosition) -> DbResult<Position> {
    conn.prepare_cached(
        "INSERT INTO positions (person_id, title, organization_id, organization_name,
                                since_year, until_year)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        new.person.0,
        new.title,
        new.organization.map(|o| o.0),
        new.organization_name,
        new.since_year,
        new.until_year,
    ])?;
    let id = conn.last_insert_rowid();
    let mut stmt = conn.prepare_cached(concat!(
        position_columns!(),
        position_tables!(),
        " WHERE p.id = ?1"
    ))?;
    Ok(stmt.query_row([id], position_from_row)?)
}
