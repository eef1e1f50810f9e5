//! A member's e-mail preferences, the unsubscribe link, and sending the
//! digests that are due.

use super::{Core, Viewer};
use crate::AccountId;
use crate::error::{Error, Result};
use crate::mail::digest::{DigestLinks, DigestRun, DigestSource, send_due_digests};
use crate::mail::unsubscribe::{SECRET_NAME, TokenError, UnsubscribeKey};
use crate::mail::{EmailPreferences, EmailPreferencesInput, Mailer};
use std::sync::Arc;

/// What the unsubscribe page shows before and after the member confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsubscribeCheck {
    /// A genuine, unexpired link.
    Valid(UnsubscribeTarget),
    /// Made up or altered (or its account is gone): nothing is said of
    /// any account.
    Invalid,
    /// A genuine link past its lifetime: the member signs in instead.
    Expired,
}

/// Whose e-mails a valid link stops, as far as the page may say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeTarget {
    /// The address, half hidden (`z•••@example.org`): enough for its owner
    /// to recognise, little for someone the mail was forwarded to.
    pub masked_email: String,
    /// Whether the member still receives e-mails (false once done).
    pub subscribed: bool,
}

/// Hides all of an address's local part but its first character.
fn mask(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

/// E-mail preferences and digests.
#[derive(Clone)]
pub struct Mail {
    core: Arc<Core>,
    /// The unsubscribe signing key, read (or made) once from the store.
    key: Arc<tokio::sync::OnceCell<UnsubscribeKey>>,
}

impl Mail {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            key: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// The server's key for unsubscribe tokens: stored in the database,
    /// made at random the first time (so it survives restarts, and goes
    /// with the database into backups and restores).
    pub async fn unsubscribe_key(&self) -> Result<UnsubscribeKey> {
        self.key
            .get_or_try_init(|| async {
                let mut fresh = [0u8; 32];
                getrandom::fill(&mut fresh)
                    .map_err(|e| Error::internal(format!("random source: {e}")))?;
                let stored = self.core.store.server_secret(SECRET_NAME, fresh).await?;
                Ok::<_, Error>(UnsubscribeKey::new(stored))
            })
            .await
            .cloned()
    }

    /// The signed-in member's preferences.
    pub async fn preferences(&self, viewer: &Viewer) -> Result<EmailPreferences> {
        let me = viewer.require()?;
        self.core.store.email_preferences(me.account).await
    }

    /// Saves the signed-in member's preferences; a digest without consent
    /// is refused (`invalid_input` on `digest`).
    pub async fn set_preferences(
        &self,
        viewer: &Viewer,
        input: EmailPreferencesInput,
    ) -> Result<EmailPreferences> {
        let me = viewer.require()?;
        let preferences = EmailPreferences::new(input.consent, input.digest)?;
        self.core
            .store
            .set_email_preferences(me.account, preferences, self.core.clock.now())
            .await?;
        Ok(preferences)
    }

    /// The account a link's token names, with what the page may show of
    /// it; `Err` holds the answer for a link that names none.
    async fn resolve(
        &self,
        token: &str,
    ) -> Result<std::result::Result<(AccountId, UnsubscribeTarget), UnsubscribeCheck>> {
        let key = self.unsubscribe_key().await?;
        let account = match key.verify(token, self.core.clock.now()) {
            Ok(account) => account,
            Err(TokenError::Invalid) => return Ok(Err(UnsubscribeCheck::Invalid)),
            Err(TokenError::Expired) => return Ok(Err(UnsubscribeCheck::Expired)),
        };
        let Some(found) = self.core.store.account(account).await? else {
            return Ok(Err(UnsubscribeCheck::Invalid));
        };
        let preferences = self.core.store.email_preferences(account).await?;
        Ok(Ok((
            account,
            UnsubscribeTarget {
                masked_email: mask(found.email.as_str()),
                subscribed: preferences.consent,
            },
        )))
    }

    /// What a link's token names, for the confirmation page (changes
    /// nothing).
    pub async fn check_unsubscribe(&self, token: &str) -> Result<UnsubscribeCheck> {
        Ok(match self.resolve(token).await? {
            Ok((_, target)) => UnsubscribeCheck::Valid(target),
            Err(check) => check,
        })
    }

    /// Withdraws the consent (and so the digest) of the account a valid
    /// link names, without signing in. Doing it twice is harmless.
    pub async fn unsubscribe(&self, token: &str) -> Result<UnsubscribeCheck> {
        let (account, target) = match self.resolve(token).await? {
            Ok(found) => found,
            Err(check) => return Ok(check),
        };
        self.core
            .store
            .set_email_preferences(account, EmailPreferences::NONE, self.core.clock.now())
            .await?;
        Ok(UnsubscribeCheck::Valid(UnsubscribeTarget {
            subscribed: false,
            ..target
        }))
    }

    /// Sends the digests due now (see [`send_due_digests`]), each with an
    /// unsubscribe link signed by this server.
    pub async fn send_due_digests(
        &self,
        source: &dyn DigestSource,
        mailer: &dyn Mailer,
        links: &DigestLinks,
    ) -> Result<DigestRun> {
        let key = self.unsubscribe_key().await?;
        send_due_digests(source, mailer, &key, links, self.core.clock.now()).await
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn an_address_is_half_hidden() {
        assert_eq!(mask("zoe.martin@example.org"), "z•••@example.org");
        assert_eq!(mask("é@example.org"), "é•••@example.org");
        assert_eq!(mask("nonsense"), "•••");
    }
}
