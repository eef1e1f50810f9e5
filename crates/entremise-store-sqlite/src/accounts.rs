//! Accounts, created together with their person profile.

use crate::SqliteStore;
use crate::codec::{Json, Ts, conflict, handle, text_enum};
use crate::events::record;
use async_trait::async_trait;
use entremise_domain::account::{Account, Approval, NewAccount};
use entremise_domain::events::Change;
use entremise_domain::locale::Locale;
use entremise_domain::moderation::Sanction;
use entremise_domain::privacy::{Audiences, ReachSettings};
use entremise_domain::store::AccountStore;
use entremise_domain::validate::Email;
use entremise_domain::{AccountId, ProfileId, Result};
use rusqlite::{OptionalExtension, Row, params};
use time::OffsetDateTime;

/// An account with the handle and name of its person profile, read by
/// [`account_from_row`].
macro_rules! select_account {
    () => {
        "SELECT a.id, a.email, a.password_hash, a.locale, a.person_id,
                p.handle, p.name, a.moderator, a.created_at, a.admin, a.approval
         FROM accounts a JOIN profiles p ON p.id = a.person_id"
    };
}

pub(crate) fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: AccountId(row.get(0)?),
        email: Email::from_trusted(row.get(1)?),
        password_hash: row.get(2)?,
        locale: text_enum(row, 3, Locale::parse)?,
        person: ProfileId(row.get(4)?),
        handle: handle(row, 5)?,
        name: row.get(6)?,
        moderator: row.get(7)?,
        created_at: row.get::<_, Ts>(8)?.0,
        admin: row.get(9)?,
        approval: text_enum(row, 10, Approval::parse)?,
    })
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(&self, new: NewAccount) -> Result<Account> {
        self.write("create account", move |tx| {
            // The person profile first (it takes the handle), then the
            // account pointing at it, then the profile's link back.
            tx.prepare_cached(
                "INSERT INTO profiles (handle, kind, name, audiences, settings,
                                       created_at, updated_at)
                 VALUES (?1, 'person', ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![
                new.handle.as_str(),
                new.name,
                Json(Audiences::for_person()),
                Json(ReachSettings::default()),
                Ts(new.created_at),
            ])
            .map_err(conflict)?;
            let person = ProfileId(tx.last_insert_rowid());
            tx.prepare_cached(
                "INSERT INTO accounts (email, email_key, password_hash, locale,
                                       person_id, created_at, approval, signup_answer)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                new.email.as_str(),
                new.email.lookup_key(),
                new.password_hash,
                new.locale.as_str(),
                person.0,
                Ts(new.created_at),
                new.approval.as_str(),
                new.signup_answer,
            ])
            .map_err(conflict)?;
            let id = AccountId(tx.last_insert_rowid());
            if let Some(code) = &new.code {
                // The code is used up with the sign-up, or refused: in the
                // same transaction, so two sign-ups never share it.
                let n = tx
                    .prepare_cached(
                        "UPDATE signup_codes SET used_by = ?2, used_at = ?3
                         WHERE code = ?1 AND used_by IS NULL",
                    )?
                    .execute(params![code, id.0, Ts(new.created_at)])?;
                if n == 0 {
                    return Err(entremise_domain::Error::invalid(
                        "code",
                        "unknown",
                        "this invitation code is unknown or already used",
                    )
                    .into());
                }
            }
            tx.prepare_cached("UPDATE profiles SET account_id = ?1 WHERE id = ?2")?
                .execute(params![id.0, person.0])?;
            let change = Change::MemberJoined {
                account: id,
                profile: person,
            };
            record(tx, new.created_at, change)?;
            if new.approval != Approval::Approved {
                // Until approved, the member is out of sight like a
                // suspended one (his profile is not found, not searched).
                crate::moderation::write_sanction(tx, person, Sanction::pending(), new.created_at)?;
            }
            Ok(Account {
                id,
                email: new.email,
                password_hash: new.password_hash,
                locale: new.locale,
                person,
                handle: new.handle,
                name: new.name,
                moderator: false,
                admin: false,
                approval: new.approval,
                created_at: new.created_at,
            })
        })
        .await
    }

    async fn account_by_email(&self, email_key: &str) -> Result<Option<Account>> {
        let key = email_key.to_owned();
        self.read("account by email", move |conn| {
            Ok(conn
                .prepare_cached(concat!(select_account!(), " WHERE a.email_key = ?1"))?
                .query_row([key], account_from_row)
                .optional()?)
        })
        .await
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>> {
        self.read("account", move |conn| {
            Ok(conn
                .prepare_cached(concat!(select_account!(), " WHERE a.id = ?1"))?
                .query_row([id.0], account_from_row)
                .optional()?)
        })
        .await
    }

    async fn set_account_locale(&self, id: AccountId, locale: Locale) -> Result<()> {
        self.write("set account locale", move |tx| {
            let changed = tx
                .prepare_cached("UPDATE accounts SET locale = ?1 WHERE id = ?2")?
                .execute(params![locale.as_str(), id.0])?;
            if changed > 0 {
                let change = Change::AccountChanged { account: id };
                record(tx, OffsetDateTime::now_utc(), change)?;
            }
            Ok(())
        })
        .await
    }
}
