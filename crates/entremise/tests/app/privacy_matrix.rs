//! The privacy matrix through the real API: every field × every audience ×
//! self, member and anonymous; then every exit (fields, posts, comments and
//! counters, connection paths and mutual contacts, visits, conversations)
//! for self, contact, 2nd degree, member, anonymous and blocked. The domain's
//! property test checks the lens itself against an oracle.

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

/// PRIVACY.md's audience table, written out again for the matrix below:
/// (relation, audience) → admitted.
fn admits(relation: &str, audience: &str) -> bool {
    match audience {
        "public" => relation != "blocked",
        "members" => matches!(relation, "self" | "contact" | "network" | "member"),
        "network" => matches!(relation, "self" | "contact" | "network"),
        "contacts" => matches!(relation, "self" | "contact"),
        "only_me" => relation == "self",
        _ => unreachable!("{audience}"),
    }
}

/// Every exit of the server, for a viewer at each relation to Tanguy —
/// himself, a contact, 2nd degree, a member, anonymous, and a member he is
/// blocked with — each decided through the viewer's lens: fields, posts,
/// comments and their counters, "how you are connected" (degree, mutual
/// contacts, paths), visits and conversations.
#[tokio::test]
async fn every_exit_per_relation_including_blocked() {
    use crate::support::{Member, Req, code};
    use axum::http::StatusCode;
    let app = TestApp::new().await;
    let tanguy = app.member("tanguy", "Tanguy Le Bihan").await;
    let claire = app.member("claire", "Claire Hamon").await;
    let noe = app.member("noe", "Noé Prigent").await;
    let marc = app.member("marc", "Marc Guillou").await;
    let blaise = app.member("blaise", "Blaise Tanguy").await;
    // Tanguy – Claire – Noé; Blaise knows Claire, then Tanguy blocks him.
    app.connect(&claire, &tanguy).await;
    app.connect(&noe, &claire).await;
    app.connect(&blaise, &claire).await;
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/blocks/blaise").bearer(&tanguy.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let viewers: [(&str, Option<&Member>); 6] = [
        ("self", Some(&tanguy)),
        ("contact", Some(&claire)),
        ("network", Some(&noe)),
        ("member", Some(&marc)),
        ("anonymous", None),
        ("blocked", Some(&blaise)),
    ];
    let get = |m: Option<&Member>, uri: &str| {
        let req = Req::new(Method::GET, uri);
        let req = match m {
            Some(m) => req.bearer(&m.token),
            None => req,
        };
        app.send(req)
    };

    // Fields: one audience at a time on Tanguy's location.
    for audience in ["public", "members", "network", "contacts", "only_me"] {
        let r = app
            .call(
                Method::PATCH,
                Some(&tanguy),
                "/api/v1/profiles/tanguy",
                json!({"fields": {"location": "Lannion"}, "audiences": {"location": audience}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        for (relation, viewer) in viewers {
            let r = get(viewer, "/api/v1/profiles/tanguy").await;
            if relation == "blocked" {
                assert_eq!(r.status, StatusCode::NOT_FOUND, "a block hides the profile");
                continue;
            }
            assert_eq!(
                r.json().get("location").is_some(),
                admits(relation, audience),
                "location for {audience} seen by {relation}"
            );
        }
    }

    // Posts, their comments and counters: Tanguy and Claire comment.
    for audience in ["public", "members", "network", "contacts"] {
        let r = app
            .post_json(
                Some(&tanguy),
                "/api/v1/posts",
                json!({"text": format!("Pour {audience}"), "audience": audience}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_owned();
        for who in [&tanguy, &claire] {
            let r = app
                .post_json(
                    Some(who),
                    &format!("/api/v1/posts/{id}/comments"),
                    json!({"text": "Bien vu"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
        for (relation, viewer) in viewers {
            let sees = admits(relation, audience);
            let post = get(viewer, &format!("/api/v1/posts/{id}")).await;
            assert_eq!(
                post.status == StatusCode::OK,
                sees,
                "{audience} post, {relation}"
            );
            let comments = get(viewer, &format!("/api/v1/posts/{id}/comments")).await;
            assert_eq!(comments.status == StatusCode::OK, sees);
            if sees {
                let listed = comments.json()["items"].as_array().unwrap().len();
                assert_eq!(listed, 2, "{audience} comments, {relation}");
                assert_eq!(post.json()["counts"]["comments"], 2, "{relation}");
            } else {
                assert_eq!(post.status, StatusCode::NOT_FOUND);
            }
        }
    }

    // How each is connected to Tanguy. Claire shows her list to her
    // contacts, so Noé sees Claire–Tanguy; Marc sees no path.
    for (relation, viewer) in viewers {
        let r = get(viewer, "/api/v1/profiles/tanguy/connection").await;
        let want = match relation {
            "blocked" => {
                assert_eq!(r.status, StatusCode::NOT_FOUND);
                continue;
            }
            "network" => {
                json!({"degree": 2, "mutual_contacts": ["claire"], "paths": [{"hops": ["claire"], "score": 1.0}]})
            }
            "contact" => json!({"degree": 1, "mutual_contacts": [], "paths": []}),
            _ => json!({"degree": null, "mutual_contacts": [], "paths": []}),
        };
        assert_eq!(r.json(), want, "connection for {relation}");
    }
    // Claire keeps her list to herself: the hop and the mutual are hidden
    // from Noé, though the degree stays.
    let r = app
        .call(
            Method::PATCH,
            Some(&claire),
            "/api/v1/profiles/claire",
            json!({"settings": {"contact_list": "only_me"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = get(Some(&noe), "/api/v1/profiles/tanguy/connection").await;
    assert_eq!(
        r.json(),
        json!({"degree": 2, "mutual_contacts": [], "paths": [{"hops": [null], "score": 1.0}]})
    );

    // Visits: every signed-in viewer but Tanguy himself (and Blaise, who
    // cannot see him) is recorded.
    let visitors = get(Some(&tanguy), "/api/v1/me/visitors").await.json();
    let mut seen: Vec<&str> = visitors["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["handle"].as_str())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, ["claire", "marc", "noe"], "{visitors}");

    // Conversations: only a contact may write (default setting); the
    // blocked member does not find him.
    for (relation, viewer) in viewers {
        if relation == "self" {
            continue;
        }
        let mut req =
            Req::new(Method::POST, "/api/v1/conversations").json(&json!({"with": ["tanguy"]}));
        if let Some(m) = viewer {
            req = req.bearer(&m.token);
        }
        let r = app.send(req).await;
        let want = match relation {
            "contact" => StatusCode::CREATED,
            "network" | "member" => StatusCode::FORBIDDEN,
            "anonymous" => StatusCode::UNAUTHORIZED,
            _ => StatusCode::NOT_FOUND,
        };
        assert_eq!(
            r.status,
            want,
            "conversation started by {relation}: {}",
            r.text()
        );
        if want == StatusCode::FORBIDDEN {
            assert_eq!(code(&r), "messages_closed");
        }
    }
    // Nor may Claire join Tanguy and Blaise in one conversation.
    let r = app
        .post_json(
            Some(&claire),
            "/api/v1/conversations",
            json!({"with": ["tanguy", "blaise"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
}
