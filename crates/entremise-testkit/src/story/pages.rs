//! Pages: creation with an owner, roles and the last owner, children,
//! offices, services, contact messages and the audit trail.

use crate::fixtures::{at, audit, new_account, new_page, role_audit};
use entremise_domain::account::Account;
use entremise_domain::error::Forbidden;
use entremise_domain::page::{AuditEntry, Role};
use entremise_domain::privacy::Audiences;
use entremise_domain::profile::{ProfileKind, ProfileRef};
use entremise_domain::store::{NewContactMessage, NewOffice, NewService, Store};
use entremise_domain::{Error, ProfileId};
use std::sync::Arc;

fn person_ref(account: &Account) -> ProfileRef {
    ProfileRef {
        handle: account.handle.clone(),
        name: account.name.clone(),
        kind: ProfileKind::Person,
        persona_of: None,
    }
}

async fn actions(store: &dyn Store, page: ProfileId) -> Vec<String> {
    let log: Vec<AuditEntry> = store.audit_log(page, None, 500).await.unwrap();
    log.into_iter().map(|e| e.action).collect()
}

/// A page is created with its owner's role and a first audit line; roles
/// are granted, changed and revoked, each with its audit line.
pub async fn pages_and_roles(store: Arc<dyn Store>) {
    let ada = store
        .create_account(new_account("pag_ada", "ada@pages.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("pag_bob", "bob@pages.example"))
        .await
        .unwrap();
    let new = new_page(ProfileKind::Organization, "pag_acme", None, ada.id);
    let acme = store.create_page(new.clone()).await.unwrap();
    assert_eq!(acme.handle, new.handle);
    assert_eq!(acme.kind, ProfileKind::Organization);
    assert_eq!(acme.fields.name, new.name);
    assert_eq!((acme.parent, acme.account), (None, None));
    assert_eq!(acme.audiences, Audiences::for_page());
    assert_eq!(acme.created_at, new.created_at);
    assert_eq!(store.profile(acme.id).await.unwrap(), Some(acme.clone()));

    assert_eq!(
        store.role_of(acme.id, ada.id).await.unwrap(),
        Some(Role::Owner)
    );
    assert_eq!(store.role_of(acme.id, bob.id).await.unwrap(), None);
    assert_eq!(
        store.roles_of_account(ada.id).await.unwrap(),
        [(acme.id, Role::Owner)]
    );
    let log = store.audit_log(acme.id, None, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].page, acme.id);
    assert_eq!(log[0].action, "page.create");
    assert_eq!(log[0].actor, person_ref(&ada));
    assert_eq!(log[0].at, new.created_at);

    store
        .set_role(
            acme.id,
            bob.id,
            Some(Role::Editor),
            role_audit(acme.id, ada.id, Some(Role::Editor), 2),
        )
        .await
        .unwrap();
    assert_eq!(
        store.role_of(acme.id, bob.id).await.unwrap(),
        Some(Role::Editor)
    );
    store
        .set_role(
            acme.id,
            bob.id,
            Some(Role::Admin),
            role_audit(acme.id, ada.id, Some(Role::Admin), 3),
        )
        .await
        .unwrap();
    let managers = store.managers(acme.id).await.unwrap();
    let summary: Vec<_> = managers
        .iter()
        .map(|m| (m.account, m.member.clone(), m.role))
        .collect();
    assert_eq!(
        summary,
        [
            (ada.id, person_ref(&ada), Role::Owner),
            (bob.id, person_ref(&bob), Role::Admin),
        ],
        "owners first"
    );
    assert_eq!(managers[0].since, new.created_at);
    assert_eq!(managers[1].since, at(3), "since the role was last changed");

    let beta = store
        .create_page(new_page(
            ProfileKind::Organization,
            "pag_beta",
            None,
            bob.id,
        ))
        .await
        .unwrap();
    let mut bobs = store.roles_of_account(bob.id).await.unwrap();
    bobs.sort();
    let mut want = vec![(acme.id, Role::Admin), (beta.id, Role::Owner)];
    want.sort();
    assert_eq!(bobs, want);

    store
        .set_role(acme.id, bob.id, None, role_audit(acme.id, bob.id, None, 4))
        .await
        .unwrap();
    assert_eq!(store.role_of(acme.id, bob.id).await.unwrap(), None);
    assert_eq!(
        actions(&*store, acme.id).await,
        ["role.set", "role.set", "role.set", "page.create"],
        "newest first"
    );
    let log = store.audit_log(acme.id, None, 2).await.unwrap();
    assert_eq!(log.len(), 2, "limited");
    assert_eq!(
        log[0].actor,
        person_ref(&bob),
        "the actor is the acting account's person"
    );
    assert_eq!(log[0].at, at(4));
}

/// A page never loses its last owner: demoting or removing him is refused
/// inside the transaction, and the refused change leaves no audit line.
pub async fn last_owner(store: Arc<dyn Store>) {
    let ada = store
        .create_account(new_account("own_ada", "ada@owners.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("own_bob", "bob@owners.example"))
        .await
        .unwrap();
    let page = store
        .create_page(new_page(
            ProfileKind::Organization,
            "own_acme",
            None,
            ada.id,
        ))
        .await
        .unwrap();
    let is_last_owner =
        |r: Result<(), Error>| matches!(r, Err(Error::Forbidden(Forbidden::LastOwner)));

    for role in [Some(Role::Admin), Some(Role::Analyst), None] {
        let result = store
            .set_role(page.id, ada.id, role, role_audit(page.id, ada.id, role, 2))
            .await;
        assert!(is_last_owner(result), "{role:?}");
        assert_eq!(
            store.role_of(page.id, ada.id).await.unwrap(),
            Some(Role::Owner)
        );
    }
    assert_eq!(actions(&*store, page.id).await, ["page.create"]);

    // Re-granting the same role to the last owner is fine.
    store
        .set_role(
            page.id,
            ada.id,
            Some(Role::Owner),
            role_audit(page.id, ada.id, Some(Role::Owner), 3),
        )
        .await
        .unwrap();

    // With a second owner, the first may step down.
    store
        .set_role(
            page.id,
            bob.id,
            Some(Role::Owner),
            role_audit(page.id, ada.id, Some(Role::Owner), 4),
        )
        .await
        .unwrap();
    store
        .set_role(
            page.id,
            ada.id,
            Some(Role::Editor),
            role_audit(page.id, ada.id, Some(Role::Editor), 5),
        )
        .await
        .unwrap();
    assert_eq!(
        store.role_of(page.id, ada.id).await.unwrap(),
        Some(Role::Editor)
    );
    let result = store
        .set_role(page.id, bob.id, None, role_audit(page.id, bob.id, None, 6))
        .await;
    assert!(is_last_owner(result), "bob is now the last owner");
    assert_eq!(
        store.role_of(page.id, bob.id).await.unwrap(),
        Some(Role::Owner)
    );
    assert_eq!(actions(&*store, page.id).await.len(), 4);
}

/// An organization's children are its brands and personas, nothing else.
pub async fn children(store: Arc<dyn Store>) {
    let ada = store
        .create_account(new_account("chi_ada", "ada@children.example"))
        .await
        .unwrap();
    let org = |h| new_page(ProfileKind::Organization, h, None, ada.id);
    let acme = store.create_page(org("chi_acme")).await.unwrap();
    let other = store.create_page(org("chi_other")).await.unwrap();
    assert!(store.children(acme.id).await.unwrap().is_empty());

    let brand = store
        .create_page(new_page(
            ProfileKind::Brand,
            "chi_brand",
            Some(acme.id),
            ada.id,
        ))
        .await
        .unwrap();
    assert_eq!(brand.parent, Some(acme.id));
    let persona = store
        .create_page(new_page(
            ProfileKind::Persona,
            "chi_persona",
            Some(acme.id),
            ada.id,
        ))
        .await
        .unwrap();
    store
        .create_page(new_page(
            ProfileKind::Brand,
            "chi_elsewhere",
            Some(other.id),
            ada.id,
        ))
        .await
        .unwrap();
    let refs = |p: &entremise_domain::profile::Profile| ProfileRef {
        handle: p.handle.clone(),
        name: p.fields.name.clone(),
        kind: p.kind,
        persona_of: None,
    };
    assert_eq!(
        store.children(acme.id).await.unwrap(),
        [refs(&brand), refs(&persona)]
    );
    assert!(store.children(brand.id).await.unwrap().is_empty());
}

/// Offices and services: added and deleted for their own page only, each
/// change with its audit line, none for a refused delete.
pub async fn offices_and_services(store: Arc<dyn Store>) {
    let ada = store
        .create_account(new_account("off_ada", "ada@offices.example"))
        .await
        .unwrap();
    let acme = store
        .create_page(new_page(
            ProfileKind::Organization,
            "off_acme",
            None,
            ada.id,
        ))
        .await
        .unwrap();
    let other = store
        .create_page(new_page(
            ProfileKind::Organization,
            "off_other",
            None,
            ada.id,
        ))
        .await
        .unwrap();
    let line = |page, action| audit(page, ada.id, action, "detail", 2);

    let caen = store
        .add_office(
            acme.id,
            NewOffice {
                name: "Head office".into(),
                address: "1 rue de la Gare".into(),
                town: "Caen".into(),
                phone: Some("+33 2 31 00 00 00".into()),
            },
            line(acme.id, "office.add"),
        )
        .await
        .unwrap();
    assert_eq!(caen.name, "Head office");
    assert_eq!(caen.phone.as_deref(), Some("+33 2 31 00 00 00"));
    let rouen = store
        .add_office(
            acme.id,
            NewOffice {
                name: "Workshop".into(),
                address: "2 quai".into(),
                town: "Rouen".into(),
                phone: None,
            },
            line(acme.id, "office.add"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.offices(acme.id).await.unwrap(),
        [caen.clone(), rouen.clone()]
    );
    assert!(store.offices(other.id).await.unwrap().is_empty());
    assert!(
        !store
            .delete_office(other.id, caen.id, line(other.id, "office.delete"))
            .await
            .unwrap()
    );
    assert!(
        store
            .delete_office(acme.id, caen.id, line(acme.id, "office.delete"))
            .await
            .unwrap()
    );
    assert_eq!(store.offices(acme.id).await.unwrap(), [rouen]);

    let audit_svc = store
        .add_service(
            acme.id,
            NewService {
                name: "Audit".into(),
                description: Some("Of engines".into()),
            },
            line(acme.id, "service.add"),
        )
        .await
        .unwrap();
    let repair = store
        .add_service(
            acme.id,
            NewService {
                name: "Repair".into(),
                description: None,
            },
            line(acme.id, "service.add"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.services(acme.id).await.unwrap(),
        [audit_svc.clone(), repair.clone()]
    );
    assert!(
        !store
            .delete_service(other.id, repair.id, line(other.id, "service.delete"))
            .await
            .unwrap()
    );
    assert!(
        store
            .delete_service(acme.id, audit_svc.id, line(acme.id, "service.delete"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_service(acme.id, audit_svc.id, line(acme.id, "service.delete"))
            .await
            .unwrap()
    );
    assert_eq!(store.services(acme.id).await.unwrap(), [repair]);

    let mut acme_actions = actions(&*store, acme.id).await;
    acme_actions.sort();
    assert_eq!(
        acme_actions,
        [
            "office.add",
            "office.add",
            "office.delete",
            "page.create",
            "service.add",
            "service.add",
            "service.delete"
        ]
    );
    assert_eq!(actions(&*store, other.id).await, ["page.create"]);
}

/// Contact-form messages: kept per page, newest first, with the sender
/// when he was signed in.
pub async fn contact_messages(store: Arc<dyn Store>) {
    let ada = store
        .create_account(new_account("msg_ada", "ada@messages.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("msg_bob", "bob@messages.example"))
        .await
        .unwrap();
    let acme = store
        .create_page(new_page(
            ProfileKind::Organization,
            "msg_acme",
            None,
            ada.id,
        ))
        .await
        .unwrap();
    let new = |sender: Option<ProfileId>, minutes| NewContactMessage {
        page: acme.id,
        sender,
        name: "Visitor".into(),
        email: "visitor@elsewhere.example".into(),
        message: format!("Hello at {minutes}"),
        created_at: at(minutes),
    };
    let anonymous = store.add_contact_message(new(None, 1)).await.unwrap();
    assert_eq!(anonymous.page, acme.id);
    assert_eq!(anonymous.sender, None);
    assert_eq!(anonymous.message, "Hello at 1");
    assert_eq!(anonymous.created_at, at(1));
    let signed = store
        .add_contact_message(new(Some(bob.person), 3))
        .await
        .unwrap();
    assert_eq!(signed.sender, Some(person_ref(&bob)));
    let middle = store.add_contact_message(new(None, 2)).await.unwrap();

    assert_eq!(
        store.contact_messages(acme.id, None, 10).await.unwrap(),
        [signed.clone(), middle.clone(), anonymous]
    );
    assert_eq!(
        store.contact_messages(acme.id, None, 2).await.unwrap(),
        [signed, middle]
    );
    assert!(
        store
            .contact_messages(bob.person, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
