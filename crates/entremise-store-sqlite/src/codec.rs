//! How domain values are written to and read from SQLite columns, and how
//! SQLite errors become domain errors.

use entremise_domain::Error;
use entremise_domain::store::AuditRecord;
use entremise_domain::validate::Handle;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, Type, ValueRef};
use rusqlite::{Connection, ErrorCode, Row, ToSql, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

/// What a store closure may fail with: a database error (reported as
/// `Error::Internal` naming the operation) or a domain answer such as a
/// conflict.
pub(crate) enum DbError {
    Sql(rusqlite::Error),
    Domain(Error),
}

pub(crate) type DbResult<T> = Result<T, DbError>;

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sql(e)
    }
}

impl From<Error> for DbError {
    fn from(e: Error) -> Self {
        Self::Domain(e)
    }
}

/// Turns the violation of a unique value the domain knows about into
/// `Conflict { field }`; anything else stays a database error.
pub(crate) fn conflict(e: rusqlite::Error) -> DbError {
    if let rusqlite::Error::SqliteFailure(failure, Some(message)) = &e
        && failure.code == ErrorCode::ConstraintViolation
        && message.starts_with("UNIQUE constraint failed")
    {
        if message.contains("profiles.handle") || message.contains("groups.handle") {
            return Error::Conflict { field: "handle" }.into();
        }
        if message.contains("accounts.email_key") {
            return Error::Conflict { field: "email" }.into();
        }
        if message.contains("invitation_codes.code") || message.contains("signup_codes.code") {
            return Error::Conflict { field: "code" }.into();
        }
    }
    DbError::Sql(e)
}

/// An instant, stored as INTEGER nanoseconds since the Unix epoch (UTC).
/// Exact to the nanosecond; covers the years 1677 to 2262.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ts(pub OffsetDateTime);

impl ToSql for Ts {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        let nanos = i64::try_from(self.0.unix_timestamp_nanos()).map_err(|_| {
            rusqlite::Error::ToSqlConversionFailure(
                format!("instant {} out of the storable range", self.0).into(),
            )
        })?;
        Ok(nanos.into())
    }
}

impl FromSql for Ts {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let nanos = i64::column_result(value)?;
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
            .map(Ts)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// A value stored as JSON text (lists, audiences, reach settings).
#[derive(Debug, Clone)]
pub(crate) struct Json<T>(pub T);

impl<T: Serialize> ToSql for Json<T> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        serde_json::to_string(&self.0)
            .map(ToSqlOutput::from)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
    }
}

impl<T: DeserializeOwned> FromSql for Json<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        serde_json::from_str(value.as_str()?)
            .map(Json)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// Reads a column holding a domain enum in its `as_str` form.
pub(crate) fn text_enum<T>(
    row: &Row<'_>,
    idx: usize,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let raw = row
        .get_ref(idx)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))?;
    parse(raw).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            Type::Text,
            format!("unknown value {raw:?}").into(),
        )
    })
}

/// Reads a handle (validated when it was written).
pub(crate) fn handle(row: &Row<'_>, idx: usize) -> rusqlite::Result<Handle> {
    row.get(idx).map(Handle::from_trusted)
}

/// A step or position from a `usize` (SQLite's integers are signed).
pub(crate) fn index_to_sql(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Reads a non-negative step or position.
pub(crate) fn index_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<usize> {
    let raw: i64 = row.get(idx)?;
    usize::try_from(raw)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Integer, Box::new(e)))
}

/// A count from SQLite's signed integers (never negative).
pub(crate) fn count_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let raw: i64 = row.get(idx)?;
    Ok(u64::try_from(raw).unwrap_or(0))
}

/// A `LIMIT` from a `usize` (SQLite's integers are signed).
pub(crate) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Appends one line to a page's audit trail (inside the caller's transaction).
pub(crate) fn write_audit(conn: &Connection, audit: &AuditRecord) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (page_id, actor_id, action, detail, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        audit.page.0,
        audit.actor.0,
        audit.action,
        audit.detail,
        Ts(audit.at)
    ])?;
    Ok(())
}
