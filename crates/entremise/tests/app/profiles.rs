//! Profiles through the API: what each viewer sees, editing, view-as.

use crate::support::{Req, TestApp, code};
use axum::http::{Method, StatusCode};
use serde_json::json;

async fn ada_with_everything(app: &TestApp) -> crate::support::Member {
    let ada = app.member("ada", "Ada Lovelace").await;
    let r = app
        .call(Method::PATCH, Some(&ada), "/api/v1/profiles/ada", json!({"fields": {
            "headline": "Analyst", "about": "Notes on the engine", "location": "Caen",
            "organization": "ACME", "skills": ["Audit", "Tax"], "languages": "French, English",
            "website": "https://ada.example", "phone": "+33 2 31 00 00 00", "email": "ada@example.org"
        }}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    ada
}

#[tokio::test]
async fn anonymous_member_and_self_see_what_privacy_md_says() {
    let app = TestApp::new().await;
    let ada = ada_with_everything(&app).await;
    let bob = app.member("bob", "Bob").await;

    let anonymous = app.get("/api/v1/profiles/ada").await;
    assert_eq!(anonymous.status, StatusCode::OK);
    insta::assert_json_snapshot!("profile_anonymous", anonymous.json(), {".id" => "[id]"});

    let member = app.get_as(&bob, "/api/v1/profiles/ada").await;
    insta::assert_json_snapshot!("profile_member", member.json(), {".id" => "[id]"});

    let me = app.get_as(&ada, "/api/v1/profiles/ada").await;
    insta::assert_json_snapshot!("profile_self", me.json(), {".id" => "[id]"});
    // Absent, not null.
    assert!(member.json().get("phone").is_none());
    assert!(!member.text().contains("null"));
}

#[tokio::test]
async fn audiences_change_what_others_see() {
    let app = TestApp::new().await;
    let ada = ada_with_everything(&app).await;
    let bob = app.member("bob", "Bob").await;
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/profiles/ada",
            json!({"audiences": {"phone": "public", "headline": "only_me"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["audiences"]["phone"], "public");
    let anonymous = app.get("/api/v1/profiles/ada").await.json();
    assert_eq!(anonymous["phone"], "+33 2 31 00 00 00");
    assert!(anonymous.get("headline").is_none());
    assert!(
        app.get_as(&bob, "/api/v1/profiles/ada")
            .await
            .json()
            .get("headline")
            .is_none()
    );
    assert_eq!(
        app.get_as(&ada, "/api/v1/profiles/ada").await.json()["headline"],
        "Analyst"
    );
}

#[tokio::test]
async fn view_as_is_for_the_member_himself() {
    let app = TestApp::new().await;
    let ada = ada_with_everything(&app).await;
    let bob = app.member("bob", "Bob").await;
    let as_anonymous = app
        .get_as(&ada, "/api/v1/profiles/ada?view_as=anonymous")
        .await
        .json();
    assert_eq!(as_anonymous, app.get("/api/v1/profiles/ada").await.json());
    let as_member = app
        .get_as(&ada, "/api/v1/profiles/ada?view_as=member")
        .await
        .json();
    assert_eq!(
        as_member,
        app.get_as(&bob, "/api/v1/profiles/ada").await.json()
    );
    let as_contact = app
        .get_as(&ada, "/api/v1/profiles/ada?view_as=contact")
        .await
        .json();
    assert_eq!(as_contact["phone"], "+33 2 31 00 00 00");
    assert!(as_contact.get("audiences").is_none());
    // Bob asking to see Ada "as self" or "as contact" gets his own view.
    let cheat = app
        .get_as(&bob, "/api/v1/profiles/ada?view_as=self")
        .await
        .json();
    assert!(cheat.get("phone").is_none() && cheat.get("audiences").is_none());
    // A query parameter of a read that is not allowed: 400, as for lists.
    let bad = app.get_as(&ada, "/api/v1/profiles/ada?view_as=boss").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn nobody_edits_someone_else() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let r = app
        .call(
            Method::PATCH,
            Some(&bob),
            "/api/v1/profiles/ada",
            json!({"fields": {"headline": "pwned"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let anon = app
        .send(
            Req::new(Method::PATCH, "/api/v1/profiles/ada")
                .json(&json!({"fields": {"headline": "pwned"}})),
        )
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    assert!(
        app.get_as(&ada, "/api/v1/profiles/ada")
            .await
            .json()
            .get("headline")
            .is_none()
    );
}

#[tokio::test]
async fn invalid_edits_change_nothing() {
    let app = TestApp::new().await;
    let ada = ada_with_everything(&app).await;
    let r = app
        .call(Method::PATCH, Some(&ada), "/api/v1/profiles/ada", json!({"fields": {"headline": "New", "website": "javascript:alert(1)"}, "audiences": {"phone": "world"}}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["fields.website", "audiences.phone"]);
    assert_eq!(
        app.get_as(&ada, "/api/v1/profiles/ada").await.json()["headline"],
        "Analyst"
    );
    let unknown = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/profiles/ada",
            json!({"colour": "red"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn unknown_handles_are_not_found() {
    let app = TestApp::new().await;
    for path in [
        "/api/v1/profiles/nobody",
        "/api/v1/profiles/NOT%20A%20HANDLE",
        "/api/v1/pages/nobody",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(code(&r), "not_found");
    }
}

#[tokio::test]
async fn reach_settings_are_the_members_own() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let me = app.get_as(&ada, "/api/v1/profiles/ada").await.json();
    insta::assert_json_snapshot!(me["settings"], @r#"
    {
      "contact_list": "contacts",
      "contact_requests": "nobody",
      "messages": "contacts",
      "relay_introductions": true,
      "visits": "name"
    }
    "#);
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/profiles/ada",
            json!({"settings": {"contact_requests": "everyone", "visits": "nothing"}}),
        )
        .await;
    assert_eq!(r.json()["settings"]["contact_requests"], "everyone");
    assert_eq!(r.json()["settings"]["messages"], "contacts");
    assert!(
        app.get_as(&bob, "/api/v1/profiles/ada")
            .await
            .json()
            .get("settings")
            .is_none()
    );
}

/// Bidi controls and invisible characters in names and headlines are
/// refused, naming the field and the reason, on profiles and pages alike.
#[tokio::test]
async fn names_refuse_bidi_and_invisible_characters() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada").await;
    for (field, value, reason) in [
        ("name", "Ada \u{202E}ecalevoL", "bidi_control"),
        ("name", "A\u{200B}da", "invisible"),
        ("headline", "CEO\u{2066} of ACME", "bidi_control"),
        ("organization", "AC\u{FEFF}ME", "invisible"),
    ] {
        let r = app
            .call(
                Method::PATCH,
                Some(&ada),
                "/api/v1/profiles/ada",
                json!({"fields": {field: value}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let problem = &r.json()["fields"][0];
        assert_eq!(problem["field"], format!("fields.{field}"));
        assert_eq!(problem["reason"], reason);
    }
    let signup = app
        .post_json(
            None,
            "/api/v1/accounts",
            json!({"email": "eve@example.org", "password": crate::support::PASSWORD, "handle": "eve", "name": "Ada\u{200F} Lovelace"}),
        )
        .await;
    assert_eq!(signup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(signup.json()["fields"][0]["field"], "name");
    assert_eq!(signup.json()["fields"][0]["reason"], "bidi_control");
    let page = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME\u{202E}"}),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.json()["fields"][0]["field"], "name");
    assert_eq!(page.json()["fields"][0]["reason"], "bidi_control");
    assert_eq!(app.get("/api/v1/profiles/ada").await.json()["name"], "Ada");
}
