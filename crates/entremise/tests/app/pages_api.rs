//! Pages and personas through the API: roles, audit trail, offices,
//! services, executives, contact form.

use crate::support::{Member, Req, TestApp, code};
use axum::http::{Method, StatusCode};
use serde_json::json;

async fn firm(app: &TestApp, owner: &Member) {
    let r = app
        .post_json(
            Some(owner),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn organizations_brands_and_personas() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    firm(&app, &ada).await;
    let org = app.get("/api/v1/profiles/acme").await.json();
    assert_eq!(org["kind"], "organization");

    // A brand needs its organization, administered by the creator.
    let no_parent = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "brand", "handle": "acme_paie", "name": "ACME Paie"}),
        )
        .await;
    assert_eq!(no_parent.status, StatusCode::UNPROCESSABLE_ENTITY);
    let not_admin = app
        .post_json(
            Some(&bob),
            "/api/v1/pages",
            json!({"kind": "brand", "handle": "acme_paie", "name": "ACME Paie", "parent": "acme"}),
        )
        .await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);
    let brand = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "brand", "handle": "acme_paie", "name": "ACME Paie", "parent": "acme"}),
        )
        .await;
    assert_eq!(brand.status, StatusCode::CREATED);
    assert_eq!(brand.json()["brand_of"]["handle"], "acme");

    let persona = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "persona", "handle": "margot", "name": "Margot", "parent": "acme"}),
        )
        .await;
    assert_eq!(persona.status, StatusCode::CREATED);
    // Labelled as persona of its organization, for every viewer.
    let for_anonymous = app.get("/api/v1/profiles/margot").await.json();
    let for_member = app.get_as(&bob, "/api/v1/profiles/margot").await.json();
    assert_eq!(for_anonymous["persona_of"], for_member["persona_of"]);
    insta::assert_json_snapshot!(for_member["persona_of"], @r#"
    {
      "handle": "acme",
      "kind": "organization",
      "name": "ACME Expertise"
    }
    "#);
    let page = app.get("/api/v1/pages/acme").await.json();
    let children: Vec<&str> = page["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["handle"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["acme_paie", "margot"]);

    let taken = app
        .post_json(
            Some(&bob),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "ada", "name": "X"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let bad_kind = app
        .post_json(
            Some(&bob),
            "/api/v1/pages",
            json!({"kind": "person", "handle": "bobco", "name": "X"}),
        )
        .await;
    assert_eq!(bad_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A person's profile is not a page.
    assert_eq!(
        app.get("/api/v1/pages/ada").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn roles_are_granted_changed_revoked_and_audited() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    firm(&app, &ada).await;

    let grant = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/pages/acme/managers/bob",
            json!({"role": "editor"}),
        )
        .await;
    assert_eq!(grant.status, StatusCode::NO_CONTENT, "{}", grant.text());

    // Managers are visible to the page's admins only; others get 404.
    let list = app.get_as(&ada, "/api/v1/pages/acme/managers").await;
    let roles: Vec<(String, String)> = list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["member"]["handle"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("ada".to_owned(), "owner".to_owned()),
            ("bob".to_owned(), "editor".to_owned())
        ]
    );
    assert_eq!(
        app.get_as(&bob, "/api/v1/pages/acme/managers").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_as(&carol, "/api/v1/pages/acme/managers")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Anonymous: sign-in is asked first, for any page, which tells nothing.
    assert_eq!(
        app.get("/api/v1/pages/acme/managers").await.status,
        StatusCode::UNAUTHORIZED
    );

    // An editor cannot grant roles nor edit the page's profile.
    let r = app
        .call(
            Method::PUT,
            Some(&bob),
            "/api/v1/pages/acme/managers/carol",
            json!({"role": "analyst"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            Method::PATCH,
            Some(&bob),
            "/api/v1/profiles/acme",
            json!({"fields": {"headline": "x"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // An admin manages roles below owner.
    app.call(
        Method::PUT,
        Some(&ada),
        "/api/v1/pages/acme/managers/bob",
        json!({"role": "admin"}),
    )
    .await;
    let r = app
        .call(
            Method::PUT,
            Some(&bob),
            "/api/v1/pages/acme/managers/carol",
            json!({"role": "analyst"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .call(
            Method::PUT,
            Some(&bob),
            "/api/v1/pages/acme/managers/ada",
            json!({"role": "editor"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&r), "insufficient_role");

    // The last owner can neither leave nor be demoted.
    let leave = app
        .send(Req::new(Method::DELETE, "/api/v1/pages/acme/managers/ada").bearer(&ada.token))
        .await;
    assert_eq!(leave.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&leave), "last_owner");
    let demote = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/pages/acme/managers/ada",
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!(code(&demote), "last_owner");
    // With a second owner she may leave.
    app.call(
        Method::PUT,
        Some(&ada),
        "/api/v1/pages/acme/managers/carol",
        json!({"role": "owner"}),
    )
    .await;
    let leave = app
        .send(Req::new(Method::DELETE, "/api/v1/pages/acme/managers/ada").bearer(&ada.token))
        .await;
    assert_eq!(leave.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_as(&ada, "/api/v1/pages/acme/managers").await.status,
        StatusCode::NOT_FOUND
    );

    // The audit trail names the account that acted.
    let audit = app.get_as(&carol, "/api/v1/pages/acme/audit").await.json();
    let lines: Vec<String> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{} {} {}",
                a["actor"]["handle"].as_str().unwrap(),
                a["action"].as_str().unwrap(),
                a["detail"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_debug_snapshot!(lines, @r#"
    [
        "ada role.set ada: owner -> none",
        "ada role.set carol: analyst -> owner",
        "bob role.set carol: none -> analyst",
        "ada role.set bob: editor -> admin",
        "ada role.set bob: none -> editor",
        "ada page.create acme",
    ]
    "#);
}

#[tokio::test]
async fn page_profile_edits_are_audited_and_public_by_default() {
    let app = TestApp::new().await;
    let (ada, _, _) = app.cast().await;
    firm(&app, &ada).await;
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/profiles/acme",
            json!({"fields": {"headline": "Accounting in Normandy", "phone": "+33 2 31 45 67 89"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let anonymous = app.get("/api/v1/profiles/acme").await.json();
    assert_eq!(anonymous["phone"], "+33 2 31 45 67 89");
    let audit = app.get_as(&ada, "/api/v1/pages/acme/audit").await.json();
    assert_eq!(audit["items"][0]["action"], "profile.update");
    assert_eq!(audit["items"][0]["detail"], "headline, phone");
}

#[tokio::test]
async fn offices_services_and_executives() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    firm(&app, &ada).await;
    let office = app
        .post_json(Some(&ada), "/api/v1/pages/acme/offices", json!({"name": "Siège", "address": "12 rue Écuyère", "town": "Caen", "phone": "+33 2 31 00 00 00"}))
        .await;
    assert_eq!(office.status, StatusCode::CREATED, "{}", office.text());
    let bad = app
        .post_json(
            Some(&ada),
            "/api/v1/pages/acme/offices",
            json!({"name": "", "address": "", "town": "Caen"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stranger = app
        .post_json(
            Some(&bob),
            "/api/v1/pages/acme/offices",
            json!({"name": "X", "address": "Y", "town": "Z"}),
        )
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    let service = app
        .post_json(
            Some(&ada),
            "/api/v1/pages/acme/services",
            json!({"name": "Audit légal", "description": "Certification"}),
        )
        .await;
    assert_eq!(service.status, StatusCode::CREATED);

    // Bob declares a position at ACME; its admins confirm it.
    let position = app
        .post_json(
            Some(&bob),
            "/api/v1/profiles/bob/positions",
            json!({"title": "Associé", "organization": "acme", "since_year": 2015}),
        )
        .await;
    assert_eq!(position.status, StatusCode::CREATED, "{}", position.text());
    let pid = position.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(position.json()["confirmed"], false);
    let not_admin = app
        .call(
            Method::PUT,
            Some(&carol),
            &format!("/api/v1/pages/acme/positions/{pid}/confirmation"),
            json!({"confirmed": true}),
        )
        .await;
    assert_eq!(not_admin.status, StatusCode::NOT_FOUND);
    let pending = app
        .get_as(&ada, "/api/v1/pages/acme/positions")
        .await
        .json();
    assert_eq!(pending["items"][0]["member"]["handle"], "bob");
    let ok = app
        .call(
            Method::PUT,
            Some(&ada),
            &format!("/api/v1/pages/acme/positions/{pid}/confirmation"),
            json!({"confirmed": true}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);

    let page = app.get_as(&carol, "/api/v1/pages/acme").await.json();
    insta::assert_json_snapshot!(page, {
        ".profile.id" => "[id]", ".offices[].id" => "[id]", ".services[].id" => "[id]",
        ".executives[].position.id" => "[id]", ".executives[].position.person" => "[id]",
        ".executives[].position.organization" => "[id]"
    });
    // Positions are for members by default: anonymous sees no executive.
    let anonymous = app.get("/api/v1/pages/acme").await.json();
    assert_eq!(anonymous["executives"], json!([]));
    assert_eq!(
        app.get("/api/v1/profiles/bob")
            .await
            .json()
            .get("positions"),
        None
    );
}

#[tokio::test]
async fn the_contact_form_reaches_the_page_editors_only() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    firm(&app, &ada).await;
    app.call(
        Method::PUT,
        Some(&ada),
        "/api/v1/pages/acme/managers/bob",
        json!({"role": "editor"}),
    )
    .await;
    let sent = app
        .post_json(None, "/api/v1/pages/acme/contact-messages", json!({"name": "Dora", "email": "dora@example.org", "message": "Bonjour, pouvez-vous me rappeler ?"}))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
    let invalid = app
        .post_json(
            None,
            "/api/v1/pages/acme/contact-messages",
            json!({"name": "Dora", "email": "nope", "message": ""}),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let to_person = app
        .post_json(
            None,
            "/api/v1/pages/ada/contact-messages",
            json!({"name": "Dora", "email": "dora@example.org", "message": "hi"}),
        )
        .await;
    assert_eq!(to_person.status, StatusCode::NOT_FOUND);

    let for_editor = app
        .get_as(&bob, "/api/v1/pages/acme/contact-messages")
        .await;
    assert_eq!(
        for_editor.json()["items"][0]["message"],
        "Bonjour, pouvez-vous me rappeler ?"
    );
    assert_eq!(
        app.get_as(&carol, "/api/v1/pages/acme/contact-messages")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Rate-limited per address.
    let mut last = StatusCode::CREATED;
    for _ in 0..12 {
        last = app
            .post_json(
                None,
                "/api/v1/pages/acme/contact-messages",
                json!({"name": "Spam", "email": "s@example.org", "message": "spam"}),
            )
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// An organization's admins see a position declared there only as far as
/// the member's positions audience admits them: declaring it at the
/// organization does not widen that audience.
#[tokio::test]
async fn admins_see_declared_positions_as_far_as_their_audience_allows() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    firm(&app, &ada).await;
    let position = app
        .post_json(
            Some(&bob),
            "/api/v1/profiles/bob/positions",
            json!({"title": "Associé", "organization": "acme"}),
        )
        .await;
    assert_eq!(position.status, StatusCode::CREATED, "{}", position.text());
    async fn listed(app: &TestApp, admin: &Member) -> usize {
        let r = app.get_as(admin, "/api/v1/pages/acme/positions").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["items"].as_array().unwrap().len()
    }
    // Ada is a member to Bob, then a contact.
    for (audience, seen) in [
        ("public", 1),
        ("members", 1),
        ("network", 0),
        ("contacts", 0),
        ("only_me", 0),
    ] {
        app.patch_profile(&bob, "bob", json!({"audiences": {"positions": audience}}))
            .await;
        assert_eq!(listed(&app, &ada).await, seen, "{audience}, as a member");
    }
    app.connect(&ada, &bob).await;
    for (audience, seen) in [("network", 1), ("contacts", 1), ("only_me", 0)] {
        app.patch_profile(&bob, "bob", json!({"audiences": {"positions": audience}}))
            .await;
        assert_eq!(listed(&app, &ada).await, seen, "{audience}, as a contact");
    }
    // A position the admin may not see cannot be confirmed either: it
    // answers like a missing one.
    let pid = position.json()["id"].as_str().unwrap().to_owned();
    let hidden = app
        .call(
            Method::PUT,
            Some(&ada),
            &format!("/api/v1/pages/acme/positions/{pid}/confirmation"),
            json!({"confirmed": true}),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    app.patch_profile(&bob, "bob", json!({"audiences": {"positions": "contacts"}}))
        .await;
    let seen = app
        .call(
            Method::PUT,
            Some(&ada),
            &format!("/api/v1/pages/acme/positions/{pid}/confirmation"),
            json!({"confirmed": true}),
        )
        .await;
    assert_eq!(seen.status, StatusCode::NO_CONTENT);
}
