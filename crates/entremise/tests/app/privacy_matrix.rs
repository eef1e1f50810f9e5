//! Every field × every audience × every relation reachable without
//! contacts (self, member, anonymous), through the real API: the field is in
//! the object exactly when PRIVACY.md's table admits the relation. The
//! domain's own table test covers contact and 2nd degree as well.

use crate::support::TestApp;
use axum::http::Method;
use serde_json::json;

const FIELDS: [(&str, serde_json::Value); 10] = [
    ("name", serde_json::Value::Null),
    ("headline", serde_json::Value::Null),
    ("about", serde_json::Value::Null),
    ("location", serde_json::Value::Null),
    ("organization", serde_json::Value::Null),
    ("skills", serde_json::Value::Null),
    ("languages", serde_json::Value::Null),
    ("website", serde_json::Value::Null),
    ("phone", serde_json::Value::Null),
    ("email", serde_json::Value::Null),
];

fn value_for(field: &str) -> serde_json::Value {
    match field {
        "name" => json!("Ada Lovelace"),
        "skills" => json!(["Audit"]),
        "languages" => json!(["French"]),
        "website" => json!("https://ada.example"),
        "phone" => json!("+33 2 31 00 00 00"),
        "email" => json!("ada@example.org"),
        other => json!(format!("{other} of Ada")),
    }
}

#[tokio::test]
async fn field_audience_relation_matrix() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let bob = app.member("bob", "Bob").await;
    let fields: serde_json::Map<String, serde_json::Value> = FIELDS
        .iter()
        .map(|(f, _)| (f.to_string(), value_for(f)))
        .collect();
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/profiles/ada",
            json!({"fields": fields}),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.text());

    // (audience, self, member, anonymous)
    let table = [
        ("public", true, true, true),
        ("members", true, true, false),
        ("network", true, false, false),
        ("contacts", true, false, false),
        ("only_me", true, false, false),
    ];
    for (audience, for_self, for_member, for_anonymous) in table {
        // The name is for members at least (tested on its own below).
        let audiences: serde_json::Map<String, serde_json::Value> = FIELDS
            .iter()
            .filter(|(f, _)| *f != "name")
            .map(|(f, _)| (f.to_string(), json!(audience)))
            .collect();
        let r = app
            .call(
                Method::PATCH,
                Some(&ada),
                "/api/v1/profiles/ada",
                json!({"audiences": audiences}),
            )
            .await;
        assert_eq!(r.status, axum::http::StatusCode::OK);
        let seen_by_self = app.get_as(&ada, "/api/v1/profiles/ada").await.json();
        let seen_by_member = app.get_as(&bob, "/api/v1/profiles/ada").await.json();
        let seen_by_anonymous = app.get("/api/v1/profiles/ada").await.json();
        for (field, _) in FIELDS.iter().filter(|(f, _)| *f != "name") {
            let field = *field;
            for (who, seen, want) in [
                ("self", &seen_by_self, for_self),
                ("member", &seen_by_member, for_member),
                ("anonymous", &seen_by_anonymous, for_anonymous),
            ] {
                assert_eq!(
                    seen.get(field).is_some(),
                    want,
                    "{field} with audience {audience}, seen by {who}: {seen}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_name_is_shown_to_members_at_least() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let bob = app.member("bob", "Bob").await;
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/profiles/ada",
            json!({"audiences": {"name": "contacts"}}),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/profiles/ada",
            json!({"audiences": {"name": "members"}}),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::OK);
    assert!(
        app.get("/api/v1/profiles/ada")
            .await
            .json()
            .get("name")
            .is_none()
    );
    assert_eq!(
        app.get_as(&bob, "/api/v1/profiles/ada").await.json()["name"],
        "Ada Lovelace"
    );
}
