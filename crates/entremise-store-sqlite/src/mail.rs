//! E-mail preferences, digest windows and the server's secrets.

use crate::SqliteStore;
use crate::codec::{Ts, handle, text_enum};
use async_trait::async_trait;
use entremise_domain::locale::Locale;
use entremise_domain::mail::digest::DigestDue;
use entremise_domain::mail::{DigestFrequency, EmailPreferences, MailStore};
use entremise_domain::validate::Email;
use entremise_domain::{AccountId, Error, Result};
use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

const DAY_NANOS: i64 = 86_400 * 1_000_000_000;

#[async_trait]
impl MailStore for SqliteStore {
    async fn email_preferences(&self, account: AccountId) -> Result<EmailPreferences> {
        self.read("email preferences", move |conn| {
            let found = conn
                .prepare_cached(
                    "SELECT consent, digest FROM email_preferences WHERE account_id = ?1",
                )?
                .query_row(params![account.0], |row| {
                    Ok((
                        row.get::<_, bool>(0)?,
                        text_enum(row, 1, DigestFrequency::parse)?,
                    ))
                })
                .optional()?;
            Ok(found)
        })
        .await?
        .map_or(Ok(EmailPreferences::NONE), |(consent, digest)| {
            EmailPreferences::new(consent, digest)
        })
    }

    async fn set_email_preferences(
        &self,
        account: AccountId,
        preferences: EmailPreferences,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("set email preferences", move |tx| {
            // A digest turned on starts its window now; a change of
            // frequency keeps it; turned off, the value no longer counts.
            tx.prepare_cached(
                "INSERT INTO email_preferences (account_id, consent, digest, digest_since, updated_at)
                 VALUES (?1, ?2, ?3, CASE WHEN ?3 = 'off' THEN NULL ELSE ?4 END, ?4)
                 ON CONFLICT (account_id) DO UPDATE SET
                     consent = excluded.consent,
                     digest = excluded.digest,
                     digest_since = CASE
                         WHEN excluded.digest = 'off' THEN email_preferences.digest_since
                         WHEN email_preferences.digest = 'off' OR email_preferences.digest_since IS NULL
                             THEN excluded.updated_at
                         ELSE email_preferences.digest_since
                     END,
                     updated_at = excluded.updated_at",
            )?
            .execute(params![
                account.0,
                preferences.consent,
                preferences.digest.as_str(),
                Ts(at),
            ])?;
            Ok(())
        })
        .await
    }

    async fn digests_due(&self, now: OffsetDateTime) -> Result<Vec<DigestDue>> {
        self.read("digests due", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT a.id, a.email, p.name, p.handle, a.locale, e.digest, e.digest_since
                 FROM email_preferences e
                 JOIN accounts a ON a.id = e.account_id
                 JOIN profiles p ON p.id = a.person_id
                 WHERE e.consent = 1 AND e.digest <> 'off' AND e.digest_since IS NOT NULL
                   AND e.digest_since <= ?1 - CASE e.digest WHEN 'daily' THEN ?2 ELSE ?3 END
                 ORDER BY a.id",
            )?;
            let rows = stmt.query_map(params![Ts(now), DAY_NANOS, 7 * DAY_NANOS], |row| {
                Ok(DigestDue {
                    account: AccountId(row.get(0)?),
                    email: Email::from_trusted(row.get(1)?),
                    name: row.get(2)?,
                    handle: handle(row, 3)?,
                    locale: text_enum(row, 4, Locale::parse)?,
                    frequency: text_enum(row, 5, DigestFrequency::parse)?,
                    since: row.get::<_, Ts>(6)?.0,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn mark_digest_sent(&self, account: AccountId, until: OffsetDateTime) -> Result<()> {
        self.write("mark digest sent", move |tx| {
            tx.prepare_cached(
                "UPDATE email_preferences
                 SET digest_since = max(coalesce(digest_since, ?2), ?2)
                 WHERE account_id = ?1",
            )?
            .execute(params![account.0, Ts(until)])?;
            Ok(())
        })
        .await
    }

    async fn server_secret(&self, name: &str, fresh: [u8; 32]) -> Result<[u8; 32]> {
        let name = name.to_owned();
        let stored: Vec<u8> = self
            .write("server secret", move |tx| {
                tx.prepare_cached(
                    "INSERT INTO server_secrets (name, value) VALUES (?1, ?2)
                     ON CONFLICT (name) DO NOTHING",
                )?
                .execute(params![name, fresh.as_slice()])?;
                let value = tx
                    .prepare_cached("SELECT value FROM server_secrets WHERE name = ?1")?
                    .query_row(params![name], |row| row.get(0))?;
                Ok(value)
            })
            .await?;
        stored
            .try_into()
            .map_err(|_| Error::internal("server secret: not 32 bytes"))
    }
}
