//! The e-mail digest's contents: each member's unread notifications of
//! the digest's window, in his language, as the notifications page words
//! them (the [`DigestSource`] the mail scheduler reads).

use crate::i18n::Catalog;
use async_trait::async_trait;
use entremise_domain::mail::digest::{DigestLine, DigestSource, DueDigest};
use entremise_domain::{AccountId, Entremise, Result};
use std::sync::Arc;
use time::OffsetDateTime;

struct NotificationDigests {
    app: Arc<Entremise>,
    catalog: Catalog,
    /// The public URL, without a trailing slash.
    base: String,
}

/// The digests' source over the notifications; links start with `public_url`.
pub fn digest_source(app: Arc<Entremise>, public_url: &str) -> Arc<dyn DigestSource> {
    Arc::new(NotificationDigests {
        app,
        catalog: Catalog::load(),
        base: public_url.trim_end_matches('/').to_owned(),
    })
}

#[async_trait]
impl DigestSource for NotificationDigests {
    async fn due_digests(&self, now: OffsetDateTime) -> Result<Vec<DueDigest>> {
        let mut out = Vec::new();
        for member in self.app.store().digests_due(now).await? {
            let views = self
                .app
                .notifications()
                .unread_between(member.account, member.since, now)
                .await?;
            let lines = views
                .iter()
                .map(|n| DigestLine {
                    text: crate::pages::notification_sentence(&self.catalog, member.locale, n),
                    url: format!("{}{}", self.base, n.url),
                })
                .collect();
            out.push(DueDigest { member, lines });
        }
        Ok(out)
    }

    async fn mark_sent(&self, account: AccountId, at: OffsetDateTime) -> Result<()> {
        self.app.store().mark_digest_sent(account, at).await
    }
}
