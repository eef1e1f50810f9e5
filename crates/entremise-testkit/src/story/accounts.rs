//! Accounts, their person profiles, sessions, and concurrent writers.

use crate::fixtures::{T0, at, email, handle, new_account, new_page};
use entremise_domain::locale::Locale;
use entremise_domain::privacy::{Audiences, ReachSettings};
use entremise_domain::profile::{ProfileKind, ProfileRef};
use entremise_domain::session::SessionKind;
use entremise_domain::store::{NewSession, Store};
use entremise_domain::{AccountId, Error};
use std::sync::Arc;
use time::Duration;

/// An account comes with its person profile, found by id, handle and
/// case-insensitive e-mail key.
pub async fn accounts(store: Arc<dyn Store>) {
    let mut new = new_account("acc_ada", "Ada.Lovelace@Example.org");
    new.locale = Locale::Fr;
    let ada = store.create_account(new.clone()).await.expect("create ada");
    assert_eq!(ada.email, new.email);
    assert_eq!(ada.email.as_str(), "Ada.Lovelace@example.org");
    assert_eq!(ada.handle, new.handle);
    assert_eq!(ada.name, new.name);
    assert_eq!(ada.password_hash, new.password_hash);
    assert_eq!(ada.locale, Locale::Fr);
    assert!(!ada.moderator);
    assert_eq!(ada.created_at, T0);

    assert_eq!(store.account(ada.id).await.unwrap(), Some(ada.clone()));
    let by_key = store
        .account_by_email(&email("ADA.LOVELACE@example.ORG").lookup_key())
        .await
        .unwrap();
    assert_eq!(by_key, Some(ada.clone()), "e-mail keys ignore case");
    assert_eq!(
        store.account_by_email("nobody@example.org").await.unwrap(),
        None
    );
    assert_eq!(store.account(AccountId(i64::MAX)).await.unwrap(), None);

    let person = store
        .profile(ada.person)
        .await
        .unwrap()
        .expect("person profile");
    assert_eq!(person.id, ada.person);
    assert_eq!(person.handle, ada.handle);
    assert_eq!(person.kind, ProfileKind::Person);
    assert_eq!(person.account, Some(ada.id));
    assert_eq!(person.parent, None);
    assert_eq!(person.fields.name, ada.name);
    assert_eq!(person.fields.headline, None);
    assert!(person.fields.skills.is_empty());
    assert_eq!(person.audiences, Audiences::for_person());
    assert_eq!(person.settings, ReachSettings::default());
    assert_eq!(person.created_at, T0);
    assert_eq!(
        store.profile_by_handle(&ada.handle).await.unwrap(),
        Some(person)
    );
    assert_eq!(
        store.profile_ref(ada.person).await.unwrap(),
        Some(ProfileRef {
            handle: ada.handle.clone(),
            name: ada.name.clone(),
            kind: ProfileKind::Person,
            persona_of: None,
        })
    );
    assert_eq!(
        store
            .profile_by_handle(&handle("acc_nobody"))
            .await
            .unwrap(),
        None
    );

    store.set_account_locale(ada.id, Locale::En).await.unwrap();
    let ada = store.account(ada.id).await.unwrap().expect("ada");
    assert_eq!(ada.locale, Locale::En);
}

/// A taken e-mail (whatever its case) or handle is a conflict naming the
/// field, and leaves nothing behind.
pub async fn account_conflicts(store: Arc<dyn Store>) {
    let bob = store
        .create_account(new_account("con_bob", "bob@conflict.example"))
        .await
        .expect("create bob");
    let before = store.count_profiles().await.unwrap();

    let same_email = new_account("con_bob2", "BOB@Conflict.Example");
    let err = store.create_account(same_email).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "email" }), "{err:?}");
    assert_eq!(
        store.profile_by_handle(&handle("con_bob2")).await.unwrap(),
        None,
        "no person profile left by a refused account"
    );
    assert_eq!(store.count_profiles().await.unwrap(), before);

    let same_handle = new_account("con_bob", "other@conflict.example");
    let err = store.create_account(same_handle).await.unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "handle" }),
        "{err:?}"
    );
    let other_key = email("other@conflict.example").lookup_key();
    assert_eq!(store.account_by_email(&other_key).await.unwrap(), None);
    assert_eq!(store.count_profiles().await.unwrap(), before);

    // Persons and pages share one space of handles.
    let page = new_page(ProfileKind::Organization, "con_bob", None, bob.id);
    let err = store.create_page(page).await.unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "handle" }),
        "{err:?}"
    );
    assert_eq!(store.count_profiles().await.unwrap(), before);
    assert!(store.roles_of_account(bob.id).await.unwrap().is_empty());

    let org = new_page(ProfileKind::Organization, "con_acme", None, bob.id);
    store.create_page(org).await.expect("create acme");
    let err = store
        .create_account(new_account("con_acme", "acme@conflict.example"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "handle" }),
        "{err:?}"
    );
    assert_eq!(store.count_profiles().await.unwrap(), before + 1);
    // The refused address stays free.
    store
        .create_account(new_account("con_acme2", "acme@conflict.example"))
        .await
        .expect("the address is still free");
}

/// Sessions: found while unexpired, touched, listed newest first, revoked
/// only by their own account.
pub async fn sessions(store: Arc<dyn Store>) {
    let ada = store
        .create_account(new_account("ses_ada", "ada@sessions.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("ses_bob", "bob@sessions.example"))
        .await
        .unwrap();
    let open = |account, hash: &str, kind, minutes, lifetime_minutes| NewSession {
        account,
        kind,
        token_hash: hash.to_owned(),
        user_agent: format!("agent {hash}"),
        created_at: at(minutes),
        expires_at: at(minutes + lifetime_minutes),
    };

    let web = store
        .create_session(open(ada.id, "ses_h1", SessionKind::Web, 0, 60))
        .await
        .unwrap();
    assert_eq!(web.account, ada.id);
    assert_eq!(web.kind, SessionKind::Web);
    assert_eq!(web.created_at, at(0));
    assert_eq!(web.last_seen_at, at(0));
    assert_eq!(web.expires_at, at(60));
    assert_eq!(web.user_agent, "agent ses_h1");
    let api = store
        .create_session(open(ada.id, "ses_h2", SessionKind::Api, 10, 1000))
        .await
        .unwrap();
    let short = store
        .create_session(open(ada.id, "ses_h3", SessionKind::Web, 20, 5))
        .await
        .unwrap();
    let bobs = store
        .create_session(open(bob.id, "ses_h4", SessionKind::Web, 0, 60))
        .await
        .unwrap();

    let found = store.session_by_token_hash("ses_h1", at(30)).await.unwrap();
    assert_eq!(found, Some(web.clone()));
    assert_eq!(
        store.session_by_token_hash("ses_h1", at(60)).await.unwrap(),
        None,
        "a session is gone at its expiry"
    );
    assert_eq!(
        store
            .session_by_token_hash("ses_none", at(0))
            .await
            .unwrap(),
        None
    );

    let seen = at(30) + Duration::milliseconds(7);
    store.touch_session(web.id, seen).await.unwrap();
    let touched = store
        .session_by_token_hash("ses_h1", at(31))
        .await
        .unwrap()
        .expect("touched session");
    assert_eq!(touched.last_seen_at, seen);
    assert_eq!(touched.created_at, web.created_at);

    let listed = store.sessions_of(ada.id, at(21)).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|s| s.id).collect();
    assert_eq!(ids, [short.id, api.id, web.id], "newest first");
    let listed = store.sessions_of(ada.id, at(26)).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|s| s.id).collect();
    assert_eq!(ids, [api.id, web.id], "expired sessions are not listed");

    assert!(
        !store.delete_session(bob.id, web.id).await.unwrap(),
        "bob cannot revoke ada's session"
    );
    assert!(
        store
            .session_by_token_hash("ses_h1", at(31))
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.delete_session(ada.id, web.id).await.unwrap());
    assert!(!store.delete_session(ada.id, web.id).await.unwrap());
    assert_eq!(
        store.session_by_token_hash("ses_h1", at(31)).await.unwrap(),
        None
    );
    assert_eq!(
        store.sessions_of(bob.id, at(1)).await.unwrap(),
        [bobs],
        "bob's session untouched"
    );
}

/// Writers racing for the same handle: exactly one wins, the others get a
/// conflict; many distinct writers and readers all succeed.
pub async fn concurrent_writes(store: Arc<dyn Store>) {
    let mut race = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = store.clone();
        race.spawn(async move {
            store
                .create_account(new_account("race_same", &format!("race{i}@race.example")))
                .await
        });
    }
    let (mut won, mut conflicts) = (0, 0);
    while let Some(result) = race.join_next().await {
        match result.expect("task") {
            Ok(_) => won += 1,
            Err(Error::Conflict { field: "handle" }) => conflicts += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((won, conflicts), (1, 7));

    let mut crowd = tokio::task::JoinSet::new();
    for i in 0..16 {
        let store = store.clone();
        crowd.spawn(async move {
            let account = store
                .create_account(new_account(
                    &format!("crowd_{i}"),
                    &format!("crowd{i}@race.example"),
                ))
                .await
                .expect("create");
            let read = store.account(account.id).await.expect("read");
            assert_eq!(read, Some(account));
        });
    }
    while let Some(result) = crowd.join_next().await {
        result.expect("task");
    }
}
