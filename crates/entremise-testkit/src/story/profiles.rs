//! Profiles: saving every field, listing, blocks, and positions.

use crate::fixtures::{at, audit, handle, new_account, new_page};
use entremise_domain::ProfileId;
use entremise_domain::ids::PositionId;
use entremise_domain::privacy::{
    Audience, ContactListAudience, ContactRequestPolicy, Field, MessagePolicy, ReachSettings,
    VisitVisibility,
};
use entremise_domain::profile::{ProfileFields, ProfileKind, ProfileRef};
use entremise_domain::store::{NewPosition, Store};
use std::sync::Arc;

/// Every field, audience and setting of a profile survives a save; a
/// page's save writes its audit line with it.
pub async fn profile_round_trip(store: Arc<dyn Store>) {
    let ada = store
        .create_account(new_account("pro_ada", "ada@profiles.example"))
        .await
        .unwrap();
    let mut profile = store.profile(ada.person).await.unwrap().expect("ada");
    profile.fields = ProfileFields {
        name: "Ada Lovelace".into(),
        headline: Some("Analyst of engines".into()),
        about: Some("Line one\nLine two, with “quotes” and émojis 🚂".into()),
        location: Some("Caen".into()),
        organization: Some("ACME".into()),
        skills: vec!["Audit".into(), "Poetry".into(), "Mathematics".into()],
        languages: vec!["French".into(), "English".into()],
        website: Some("https://ada.example".into()),
        phone: Some("+33 2 31 00 00 00".into()),
        email: Some("ada@contact.example".into()),
        avatar: Some("avatars/ada.webp".into()),
        cover: Some("covers/ada.webp".into()),
    };
    let audiences = [
        Audience::Public,
        Audience::Members,
        Audience::Network,
        Audience::Contacts,
        Audience::OnlyMe,
    ];
    for (field, audience) in Field::ALL.into_iter().zip(audiences.into_iter().cycle()) {
        profile.audiences.set(field, audience);
    }
    profile.settings = ReachSettings {
        contact_requests: ContactRequestPolicy::Everyone,
        messages: MessagePolicy::ContactsAndGroups,
        relay_introductions: false,
        contact_list: ContactListAudience::OnlyMe,
        visits: VisitVisibility::Organization,
    };
    store.save_profile(&profile, None).await.unwrap();
    assert_eq!(
        store.profile(ada.person).await.unwrap(),
        Some(profile.clone())
    );
    let ada_again = store.account(ada.id).await.unwrap().expect("ada");
    assert_eq!(
        ada_again.name, "Ada Lovelace",
        "the account shows the new name"
    );

    // Back to empty: absent values stay absent, lists stay empty.
    profile.fields = ProfileFields {
        name: "Ada".into(),
        ..ProfileFields::default()
    };
    profile.audiences.overrides.clear();
    profile.settings = ReachSettings::default();
    store.save_profile(&profile, None).await.unwrap();
    assert_eq!(
        store.profile_by_handle(&profile.handle).await.unwrap(),
        Some(profile)
    );

    // A page: the audit line is written with the change.
    let org = store
        .create_page(new_page(
            ProfileKind::Organization,
            "pro_acme",
            None,
            ada.id,
        ))
        .await
        .unwrap();
    let mut page = org.clone();
    page.fields.headline = Some("Engines since 1843".into());
    page.audiences.set(Field::Phone, Audience::Members);
    let line = audit(org.id, ada.id, "profile.update", "headline", 5);
    store.save_profile(&page, Some(line)).await.unwrap();
    assert_eq!(store.profile(org.id).await.unwrap(), Some(page));
    let log = store.audit_log(org.id, None, 10).await.unwrap();
    assert_eq!(log[0].action, "profile.update");
    assert_eq!(log[0].detail, "headline");
    assert_eq!(log[0].at, at(5));
    assert_eq!(log[0].actor.handle, handle("pro_ada"));
}

/// Directories page through profiles by id, optionally of one kind.
pub async fn list_and_count(store: Arc<dyn Store>) {
    let before = store.count_profiles().await.unwrap();
    let mut persons = Vec::new();
    for i in 0..5 {
        let account = store
            .create_account(new_account(
                &format!("lst_{i}"),
                &format!("lst{i}@list.example"),
            ))
            .await
            .unwrap();
        persons.push(account.person);
    }
    let org = store
        .create_page(new_page(
            ProfileKind::Organization,
            "lst_org",
            None,
            store
                .account_by_email("lst0@list.example")
                .await
                .unwrap()
                .unwrap()
                .id,
        ))
        .await
        .unwrap();
    assert_eq!(store.count_profiles().await.unwrap(), before + 6);

    let everything = store.list_profiles(None, None, 10_000).await.unwrap();
    let ids: Vec<ProfileId> = everything.iter().map(|p| p.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "id order");
    assert!(persons.iter().chain([&org.id]).all(|id| ids.contains(id)));

    // Paging after the first new person, two at a time.
    let first = persons[0];
    let page1 = store
        .list_profiles(Some(ProfileKind::Person), Some(first), 2)
        .await
        .unwrap();
    let page1: Vec<_> = page1.iter().map(|p| p.id).collect();
    assert_eq!(page1, persons[1..3]);
    let page2 = store
        .list_profiles(Some(ProfileKind::Person), Some(persons[2]), 2)
        .await
        .unwrap();
    let page2: Vec<_> = page2.iter().map(|p| p.id).collect();
    assert_eq!(page2, persons[3..5]);
    let orgs = store
        .list_profiles(Some(ProfileKind::Organization), Some(first), 100)
        .await
        .unwrap();
    assert!(orgs.iter().all(|p| p.kind == ProfileKind::Organization));
    assert!(orgs.iter().any(|p| p.id == org.id));
    assert!(
        store
            .list_profiles(None, Some(org.id), 0)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Nobody blocks anybody until someone blocks (see `block_side_effects`).
pub async fn blocks(store: Arc<dyn Store>) {
    let a = store
        .create_account(new_account("blk_a", "a@blocks.example"))
        .await
        .unwrap();
    let b = store
        .create_account(new_account("blk_b", "b@blocks.example"))
        .await
        .unwrap();
    assert!(!store.is_blocked(a.person, b.person).await.unwrap());
    assert!(!store.is_blocked(b.person, a.person).await.unwrap());
}

/// Positions: ordered current first then most recent, linked to the
/// organization's page, confirmed only by that organization (with an
/// audit line), deleted only by their holder.
pub async fn positions(store: Arc<dyn Store>) {
    let ada = store
        .create_account(new_account("pos_ada", "ada@positions.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("pos_bob", "bob@positions.example"))
        .await
        .unwrap();
    let acme = store
        .create_page(new_page(
            ProfileKind::Organization,
            "pos_acme",
            None,
            bob.id,
        ))
        .await
        .unwrap();
    let other = store
        .create_page(new_page(
            ProfileKind::Organization,
            "pos_other",
            None,
            bob.id,
        ))
        .await
        .unwrap();
    let add = |title: &str, organization: Option<ProfileId>, since, until| NewPosition {
        person: ada.person,
        title: title.to_owned(),
        organization,
        organization_name: match organization {
            Some(_) => "Page pos_acme".to_owned(),
            None => "Babbage & Co".to_owned(),
        },
        since_year: since,
        until_year: until,
    };
    let old = store
        .add_position(add("Apprentice", None, Some(1830), Some(1835)))
        .await
        .unwrap();
    assert_eq!(old.person, ada.person);
    assert_eq!(old.title, "Apprentice");
    assert_eq!(old.organization, None);
    assert_eq!(old.organization_name, "Babbage & Co");
    assert_eq!(old.organization_handle, None);
    assert_eq!((old.since_year, old.until_year), (Some(1830), Some(1835)));
    assert!(!old.confirmed);
    let current = store
        .add_position(add("Analyst", Some(acme.id), Some(1840), None))
        .await
        .unwrap();
    assert_eq!(current.organization, Some(acme.id));
    assert_eq!(current.organization_name, "Page pos_acme");
    assert_eq!(current.organization_handle, Some(handle("pos_acme")));
    let recent = store
        .add_position(add("Translator", None, Some(1842), Some(1843)))
        .await
        .unwrap();
    let undated = store
        .add_position(add("Volunteer", None, None, None))
        .await
        .unwrap();

    let order: Vec<PositionId> = store
        .positions_of(ada.person)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(order, [current.id, undated.id, recent.id, old.id]);

    let at_acme = store.positions_at(acme.id).await.unwrap();
    let holder = ProfileRef {
        handle: ada.handle.clone(),
        name: ada.name.clone(),
        kind: ProfileKind::Person,
        persona_of: None,
    };
    assert_eq!(at_acme, [(current.clone(), holder.clone())]);
    assert!(store.positions_at(other.id).await.unwrap().is_empty());

    let log_len = |page| {
        let store = store.clone();
        async move { store.audit_log(page, None, 100).await.unwrap().len() }
    };
    let before = log_len(other.id).await;
    let line = audit(other.id, bob.id, "executive.confirm", "x", 2);
    assert!(
        !store
            .confirm_position(other.id, current.id, true, line)
            .await
            .unwrap(),
        "another organization cannot confirm"
    );
    assert_eq!(log_len(other.id).await, before, "no audit for nothing done");
    let line = audit(acme.id, bob.id, "executive.confirm", "x", 2);
    assert!(
        !store
            .confirm_position(acme.id, old.id, true, line)
            .await
            .unwrap(),
        "an unlinked position cannot be confirmed"
    );

    let before = log_len(acme.id).await;
    let detail = current.id.to_string();
    let line = audit(acme.id, bob.id, "executive.confirm", &detail, 3);
    assert!(
        store
            .confirm_position(acme.id, current.id, true, line)
            .await
            .unwrap()
    );
    assert_eq!(log_len(acme.id).await, before + 1);
    let log = store.audit_log(acme.id, None, 1).await.unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].detail.as_str()),
        ("executive.confirm", detail.as_str())
    );
    assert_eq!(log[0].actor.handle, bob.handle);
    let confirmed = store.positions_at(acme.id).await.unwrap();
    assert!(confirmed[0].0.confirmed);
    assert!(store.positions_of(ada.person).await.unwrap()[0].confirmed);
    let line = audit(acme.id, bob.id, "executive.withdraw", &detail, 4);
    assert!(
        store
            .confirm_position(acme.id, current.id, false, line)
            .await
            .unwrap()
    );
    assert!(!store.positions_at(acme.id).await.unwrap()[0].0.confirmed);

    assert!(
        !store.delete_position(bob.person, old.id).await.unwrap(),
        "only the holder deletes"
    );
    assert!(store.delete_position(ada.person, old.id).await.unwrap());
    assert!(!store.delete_position(ada.person, old.id).await.unwrap());
    assert_eq!(store.positions_of(ada.person).await.unwrap().len(), 3);
    assert!(store.positions_of(bob.person).await.unwrap().is_empty());
}
