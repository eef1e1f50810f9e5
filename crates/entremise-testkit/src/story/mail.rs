//! E-mail preferences (nothing until the member consents), the digest's
//! window (started when the digest is turned on, moved only forwards by a
//! sent digest) and the server's secrets (made once, then kept).

use crate::fixtures::{T0, member_accounts};
use entremise_domain::locale::Locale;
use entremise_domain::mail::{DigestFrequency, EmailPreferences};
use entremise_domain::store::Store;
use std::sync::Arc;
use time::Duration;

fn prefs(consent: bool, digest: DigestFrequency) -> EmailPreferences {
    EmailPreferences::new(consent, digest).expect("valid preferences")
}

/// A member is asked nothing until he says so; a digest is due one period
/// after it was turned on, then one period after each window's end; a
/// change of frequency keeps the window; withdrawing consent stops it.
pub async fn email_preferences_and_digests(store: Arc<dyn Store>) {
    let [ada, bob, cy] = member_accounts(&*store, ["ml_ada", "ml_bob", "ml_cy"]).await;
    assert_eq!(
        store.email_preferences(ada.id).await.unwrap(),
        EmailPreferences::NONE
    );
    assert!(
        store
            .digests_due(T0 + Duration::weeks(10))
            .await
            .unwrap()
            .is_empty()
    );

    let on = T0 + Duration::hours(1);
    store
        .set_email_preferences(ada.id, prefs(true, DigestFrequency::Daily), on)
        .await
        .unwrap();
    store
        .set_email_preferences(bob.id, prefs(true, DigestFrequency::Weekly), on)
        .await
        .unwrap();
    // Consent alone mails no digest.
    store
        .set_email_preferences(cy.id, prefs(true, DigestFrequency::Off), on)
        .await
        .unwrap();
    assert_eq!(
        store.email_preferences(ada.id).await.unwrap(),
        prefs(true, DigestFrequency::Daily)
    );

    let due_at = |at: time::OffsetDateTime| {
        let store = store.clone();
        async move {
            store
                .digests_due(at)
                .await
                .unwrap()
                .into_iter()
                .filter(|d| d.handle.as_str().starts_with("ml_"))
                .map(|d| (d.handle.to_string(), d.frequency, d.since))
                .collect::<Vec<_>>()
        }
    };
    assert!(due_at(on + Duration::hours(23)).await.is_empty());
    let day = on + Duration::days(1);
    assert_eq!(
        due_at(day).await,
        [("ml_ada".to_owned(), DigestFrequency::Daily, on)]
    );
    let due = store.digests_due(day).await.unwrap();
    let first = due.iter().find(|d| d.account == ada.id).unwrap();
    assert_eq!(first.email, ada.email);
    assert_eq!(first.name, ada.name);
    assert_eq!(first.locale, Locale::En);

    // Sent: the window moves to its end, and never back.
    store.mark_digest_sent(ada.id, day).await.unwrap();
    store.mark_digest_sent(ada.id, on).await.unwrap();
    assert!(due_at(day + Duration::hours(23)).await.is_empty());
    assert_eq!(
        due_at(day + Duration::days(1)).await,
        [("ml_ada".to_owned(), DigestFrequency::Daily, day)]
    );

    // Daily to weekly keeps the window; the weekly one falls due a week on.
    store
        .set_email_preferences(ada.id, prefs(true, DigestFrequency::Weekly), day)
        .await
        .unwrap();
    let week = on + Duration::weeks(1);
    assert_eq!(
        due_at(week).await,
        [("ml_bob".to_owned(), DigestFrequency::Weekly, on)]
    );
    assert_eq!(
        due_at(day + Duration::weeks(1)).await,
        [
            ("ml_ada".to_owned(), DigestFrequency::Weekly, day),
            ("ml_bob".to_owned(), DigestFrequency::Weekly, on),
        ]
    );

    // Unsubscribed: nothing is due, whatever the time.
    store
        .set_email_preferences(bob.id, EmailPreferences::NONE, week)
        .await
        .unwrap();
    assert_eq!(
        store.email_preferences(bob.id).await.unwrap(),
        EmailPreferences::NONE
    );
    assert!(
        due_at(week + Duration::weeks(50))
            .await
            .iter()
            .all(|(h, _, _)| h != "ml_bob")
    );
    // Turned on again, the window starts afresh: no digest of the weeks off.
    let back = week + Duration::weeks(3);
    store
        .set_email_preferences(bob.id, prefs(true, DigestFrequency::Daily), back)
        .await
        .unwrap();
    assert!(
        due_at(back + Duration::hours(1))
            .await
            .iter()
            .all(|(h, _, _)| h != "ml_bob")
    );
    assert!(due_at(back + Duration::days(1)).await.contains(&(
        "ml_bob".to_owned(),
        DigestFrequency::Daily,
        back
    )));
}

/// A secret is made by the first caller and kept: later callers, with
/// other fresh values, get the first.
pub async fn server_secrets(store: Arc<dyn Store>) {
    let first = store.server_secret("story-key", [1; 32]).await.unwrap();
    assert_eq!(first, [1; 32]);
    assert_eq!(
        store.server_secret("story-key", [2; 32]).await.unwrap(),
        [1; 32]
    );
    assert_eq!(
        store.server_secret("story-other", [3; 32]).await.unwrap(),
        [3; 32]
    );
}
