//! E-mail: the [`Mailer`] port, a member's e-mail preferences, the
//! unsubscribe token and the digest.
//!
//! Nothing is mailed to a member who has not consented: consent is off
//! until he turns it on, and the digest is off until then too
//! ([`EmailPreferences`] cannot hold a digest without consent). Every mail
//! to a member carries a link that withdraws his consent without signing
//! in ([`unsubscribe`]).
//!
//! Adapters (SMTP, `.eml` files in the data directory) live in the
//! `entremise-mail` crate; this module names no mail library.

pub mod digest;
pub mod unsubscribe;

use crate::error::{Error, Result};
use crate::validate::Email;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::Duration;

/// One message to one member, ready to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: Email,
    /// The display name of the recipient (may be empty).
    pub to_name: String,
    pub subject: String,
    /// The plain-text body, always present.
    pub text: String,
    /// An HTML alternative of the same content.
    pub html: Option<String>,
    /// Extra headers, such as `List-Unsubscribe` and
    /// `List-Unsubscribe-Post` (RFC 8058). Names are ASCII, values one line.
    pub headers: Vec<(String, String)>,
    /// A `Message-ID` (`<id@host>`) chosen by the sender, stable across
    /// retries of the same message so a receiver may recognise a repeat;
    /// `None` lets the adapter draw one.
    pub message_id: Option<String>,
}

/// Where outgoing mail goes: an SMTP relay, or files in the data directory.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hands the message over. `Ok` means the relay accepted it (or it was
    /// written durably); an error means it was not sent and may be retried.
    async fn send(&self, mail: &OutgoingMail) -> Result<()>;
}

/// How often a member gets the digest of his notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DigestFrequency {
    #[default]
    Off,
    Daily,
    Weekly,
}

impl DigestFrequency {
    pub const ALL: [DigestFrequency; 3] = [Self::Off, Self::Daily, Self::Weekly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "off" => Some(Self::Off),
            "daily" => Some(Self::Daily),
            "weekly" => Some(Self::Weekly),
            _ => None,
        }
    }

    /// The time between two digests; `None` when off.
    pub fn period(self) -> Option<Duration> {
        match self {
            Self::Off => None,
            Self::Daily => Some(Duration::days(1)),
            Self::Weekly => Some(Duration::weeks(1)),
        }
    }
}

/// A member's e-mail preferences. *Invariant:* no digest without consent
/// (built by [`EmailPreferences::new`], which refuses one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailPreferences {
    /// The member agrees to receive e-mails from the instance. Off until
    /// he turns it on.
    pub consent: bool,
    /// How often the digest of his notifications is mailed; `off` while
    /// there is no consent.
    pub digest: DigestFrequency,
}

impl EmailPreferences {
    /// Nothing is mailed: what a member has before consenting, and after
    /// unsubscribing.
    pub const NONE: EmailPreferences = EmailPreferences {
        consent: false,
        digest: DigestFrequency::Off,
    };

    /// Refuses a digest without consent (`invalid_input` on `digest`).
    pub fn new(consent: bool, digest: DigestFrequency) -> Result<Self> {
        if !consent && digest != DigestFrequency::Off {
            return Err(Error::invalid(
                "digest",
                "consent_required",
                "The digest needs your consent to e-mails.",
            ));
        }
        Ok(Self { consent, digest })
    }

    /// The digest's period when one is due at all.
    pub fn digest_period(self) -> Option<Duration> {
        if self.consent {
            self.digest.period()
        } else {
            None
        }
    }
}

/// What a member sends to change his preferences
/// (`PUT /api/v1/me/email-preferences`, the settings form).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailPreferencesInput {
    pub consent: bool,
    /// Must be `off` unless `consent` is true.
    pub digest: DigestFrequency,
}

/// The storage of e-mail preferences, digest times and the server's
/// signing secrets.
#[async_trait]
pub trait MailStore: Send + Sync {
    /// The member's preferences; [`EmailPreferences::NONE`] when he never
    /// set any.
    async fn email_preferences(&self, account: crate::AccountId) -> Result<EmailPreferences>;
    /// Saves the preferences. When the digest goes from off to on, its
    /// window starts at `at` (the first digest comes one period later and
    /// reports what happened since); a change of frequency keeps the window.
    async fn set_email_preferences(
        &self,
        account: crate::AccountId,
        preferences: EmailPreferences,
        at: time::OffsetDateTime,
    ) -> Result<()>;
    /// The members whose digest is due at `now`: consent given, a
    /// frequency, and one period passed since the end of the last digest's
    /// window. Ordered by account.
    async fn digests_due(&self, now: time::OffsetDateTime) -> Result<Vec<digest::DigestDue>>;
    /// Records that everything up to `until` was reported to the member
    /// (his digest was sent, or there was nothing to send). Never moves
    /// the window backwards.
    async fn mark_digest_sent(
        &self,
        account: crate::AccountId,
        until: time::OffsetDateTime,
    ) -> Result<()>;
    /// The secret named `name`: the stored one, or `fresh` stored now if
    /// there is none yet (the first caller's value wins, atomically).
    async fn server_secret(&self, name: &str, fresh: [u8; 32]) -> Result<[u8; 32]>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_digest_without_consent() {
        assert!(EmailPreferences::new(false, DigestFrequency::Daily).is_err());
        assert!(EmailPreferences::new(false, DigestFrequency::Weekly).is_err());
        assert_eq!(
            EmailPreferences::new(false, DigestFrequency::Off).unwrap(),
            EmailPreferences::NONE
        );
        let weekly = EmailPreferences::new(true, DigestFrequency::Weekly).unwrap();
        assert_eq!(weekly.digest_period(), Some(Duration::weeks(1)));
        assert_eq!(EmailPreferences::default(), EmailPreferences::NONE);
        assert_eq!(EmailPreferences::NONE.digest_period(), None);
    }

    #[test]
    fn frequencies_read_back_as_themselves() {
        for f in DigestFrequency::ALL {
            assert_eq!(DigestFrequency::parse(f.as_str()), Some(f));
        }
        assert_eq!(DigestFrequency::parse("hourly"), None);
    }
}
