//! Contact requests and their gates, limits, invitation codes, blocks,
//! conversations, and the privacy matrix with contacts and 2nd degree.

use crate::support::{Member, Req, TestApp, code};
use axum::http::{Method, StatusCode};
use serde_json::json;

async fn request(
    app: &TestApp,
    from: &Member,
    body: serde_json::Value,
) -> crate::support::Response {
    app.post_json(Some(from), "/api/v1/contact-requests", body)
        .await
}

#[tokio::test]
async fn each_gate_of_a_contact_request() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    // Default: introductions only.
    let r = request(&app, &ada, json!({"to": "bob"})).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::FORBIDDEN, "introduction_required".into())
    );
    // The exact e-mail address opens the door, whatever the setting.
    let r = request(
        &app,
        &ada,
        json!({"to": "bob", "email": "BOB@example.org", "message": "We met in Caen"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["status"], "pending");
    let again = request(&app, &ada, json!({"to": "bob", "email": "bob@example.org"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let incoming = app.get_as(&bob, "/api/v1/contact-requests").await.json();
    assert_eq!(incoming["items"][0]["from"]["handle"], "ada");
    assert_eq!(incoming["items"][0]["message"], "We met in Caen");

    // An invitation code too; a revoked one no longer.
    let code_r = app
        .post_json(Some(&carol), "/api/v1/invitation-codes", json!({}))
        .await;
    assert_eq!(code_r.status, StatusCode::CREATED);
    let invitation = code_r.json()["code"].as_str().unwrap().to_owned();
    assert!(
        code_r.json()["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/invite/{invitation}"))
    );
    let wrong_owner = request(
        &app,
        &ada,
        json!({"to": "bob", "invitation_code": invitation}),
    )
    .await;
    assert_eq!(
        wrong_owner.status,
        StatusCode::CONFLICT,
        "a request is already pending to bob"
    );
    let revoke = app
        .send(
            Req::new(
                Method::DELETE,
                &format!("/api/v1/invitation-codes/{invitation}"),
            )
            .bearer(&carol.token),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NO_CONTENT);
    let r = request(
        &app,
        &ada,
        json!({"to": "carol", "invitation_code": invitation}),
    )
    .await;
    assert_eq!(code(&r), "introduction_required");
    let fresh = app
        .post_json(Some(&carol), "/api/v1/invitation-codes", json!({}))
        .await
        .json()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = request(&app, &ada, json!({"to": "carol", "invitation_code": fresh})).await;
    assert_eq!(r.status, StatusCode::CREATED);

    // Setting "network": only members at 2nd degree.
    let dan = app.member("dan", "Dan").await;
    app.connect(&bob, &dan).await;
    app.call(
        Method::PATCH,
        Some(&dan),
        "/api/v1/profiles/dan",
        json!({"settings": {"contact_requests": "network"}}),
    )
    .await;
    assert_eq!(
        code(&request(&app, &ada, json!({"to": "dan"})).await),
        "introduction_required"
    );
    let id = app.get_as(&bob, "/api/v1/contact-requests").await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_json(
        Some(&bob),
        &format!("/api/v1/contact-requests/{id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(
        request(&app, &ada, json!({"to": "dan"})).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_declined_request_waits_90_days() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let r = request(&app, &ada, json!({"to": "bob", "email": "bob@example.org"})).await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    // Only the target decides; the requester may withdraw.
    let r = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/contact-requests/{id}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/contact-requests/{id}/decline"),
            json!({}),
        )
        .await;
    assert_eq!(r.json()["status"], "declined");
    let r = request(&app, &ada, json!({"to": "bob", "email": "bob@example.org"})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 89 * 86_400 && wait <= 90 * 86_400, "{wait}");
    app.clock.advance(time::Duration::days(91));
    // API sessions last 90 days: sign in again.
    let ada = Member {
        token: app.sign_in(&ada.email, crate::support::PASSWORD).await,
        ..ada
    };
    let r = request(&app, &ada, json!({"to": "bob", "email": "bob@example.org"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/contact-requests/{id}/withdraw"),
            json!({}),
        )
        .await;
    assert_eq!(r.json()["status"], "withdrawn");
}

#[tokio::test]
async fn pending_requests_are_bounded() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada").await;
    for i in 0..21 {
        let m = app.member(&format!("m{i}"), "Someone").await;
        app.call(
            Method::PATCH,
            Some(&m),
            &format!("/api/v1/profiles/m{i}"),
            json!({"settings": {"contact_requests": "everyone"}}),
        )
        .await;
        let r = request(&app, &ada, json!({"to": format!("m{i}")})).await;
        if i < 20 {
            assert_eq!(r.status, StatusCode::CREATED, "{i}: {}", r.text());
        } else {
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
            assert!(r.header("retry-after").is_some());
        }
    }
}

#[tokio::test]
async fn guessing_addresses_is_bounded() {
    let app = TestApp::new().await;
    let (ada, _, _) = app.cast().await;
    for i in 0..10 {
        let r = request(
            &app,
            &ada,
            json!({"to": "bob", "email": format!("guess{i}@example.org")}),
        )
        .await;
        assert_eq!(code(&r), "introduction_required");
    }
    let r = request(&app, &ada, json!({"to": "bob", "email": "bob@example.org"})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_block_hides_both_and_breaks_paths() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    assert_eq!(
        app.get_as(&ada, "/api/v1/profiles/carol/connection")
            .await
            .json()["degree"],
        2
    );
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/blocks/bob").bearer(&carol.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // Invisible both ways, like a missing member.
    assert_eq!(
        app.get_as(&carol, "/api/v1/profiles/bob").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_as(&bob, "/api/v1/profiles/carol").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/profiles/carol").await.status,
        StatusCode::OK
    );
    // The contact is gone and so is every path through it.
    let c = app
        .get_as(&ada, "/api/v1/profiles/carol/connection")
        .await
        .json();
    assert_eq!(c["degree"], serde_json::Value::Null);
    assert_eq!(
        code(
            &app.post_json(
                Some(&bob),
                "/api/v1/conversations",
                json!({"with": ["carol"]})
            )
            .await
        ),
        "not_found"
    );
    let blocks = app.get_as(&carol, "/api/v1/blocks").await.json();
    assert_eq!(blocks["items"][0]["handle"], "bob");
    let r = app
        .send(Req::new(Method::DELETE, "/api/v1/blocks/bob").bearer(&carol.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_as(&bob, "/api/v1/profiles/carol").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get_as(&ada, "/api/v1/profiles/carol/connection")
            .await
            .json()["degree"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn conversations_follow_message_settings() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    app.connect(&ada, &carol).await;
    let group = app
        .post_json(
            Some(&ada),
            "/api/v1/conversations",
            json!({"with": ["bob", "carol"]}),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.text());
    let id = group.json()["id"].as_str().unwrap().to_owned();
    // Bob and Carol are not contacts, but both are in Ada's group.
    for i in 0..3 {
        let r = app
            .post_json(
                Some(&bob),
                &format!("/api/v1/conversations/{id}/messages"),
                json!({"text": format!("message {i}")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let page = app
        .get_as(
            &carol,
            &format!("/api/v1/conversations/{id}/messages?limit=2"),
        )
        .await
        .json();
    let texts: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["message 2", "message 1"]);
    let next = page["next"].as_str().unwrap();
    let older = app
        .get_as(
            &carol,
            &format!("/api/v1/conversations/{id}/messages?cursor={next}"),
        )
        .await
        .json();
    assert_eq!(older["items"][0]["text"], "message 0");
    assert_eq!(older["next"], serde_json::Value::Null);
    let empty = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"text": "  "}),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nobody: closed even to contacts.
    app.call(
        Method::PATCH,
        Some(&bob),
        "/api/v1/profiles/bob",
        json!({"settings": {"messages": "nobody"}}),
    )
    .await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/conversations",
            json!({"with": ["bob"]}),
        )
        .await;
    assert_eq!(code(&r), "messages_closed");
    // One-to-one with a contact is reused.
    let first = app
        .post_json(
            Some(&ada),
            "/api/v1/conversations",
            json!({"with": ["carol"]}),
        )
        .await
        .json()["id"]
        .clone();
    let second = app
        .post_json(
            Some(&carol),
            "/api/v1/conversations",
            json!({"with": ["ada"]}),
        )
        .await
        .json()["id"]
        .clone();
    assert_eq!(first, second);
    let too_many: Vec<String> = (0..20).map(|i| format!("x{i}")).collect();
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/conversations",
            json!({"with": too_many}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Every field × every audience × every relation, through the API, now
/// that contacts and 2nd degree exist.
#[tokio::test]
async fn privacy_matrix_with_contacts_and_second_degree() {
    let app = TestApp::new().await;
    let owner = app.member("owner", "Owner").await;
    let contact = app.member("contact", "Contact").await;
    let second = app.member("second", "Second").await;
    let member = app.member("member", "Member").await;
    app.connect(&owner, &contact).await;
    app.connect(&contact, &second).await;
    app.call(Method::PATCH, Some(&owner), "/api/v1/profiles/owner", json!({"fields": {"headline": "H", "phone": "+33 1 00 00 00 00", "website": "https://o.example"}})).await;
    let viewers: [(&str, Option<&Member>); 5] = [
        ("self", Some(&owner)),
        ("contact", Some(&contact)),
        ("network", Some(&second)),
        ("member", Some(&member)),
        ("anonymous", None),
    ];
    let table = [
        ("public", [true, true, true, true, true]),
        ("members", [true, true, true, true, false]),
        ("network", [true, true, true, false, false]),
        ("contacts", [true, true, false, false, false]),
        ("only_me", [true, false, false, false, false]),
    ];
    for (audience, row) in table {
        let r = app
            .call(Method::PATCH, Some(&owner), "/api/v1/profiles/owner", json!({"audiences": {"headline": audience, "phone": audience, "website": audience}}))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        for ((who, viewer), want) in viewers.iter().zip(row) {
            let seen = match viewer {
                Some(m) => app.get_as(m, "/api/v1/profiles/owner").await.json(),
                None => app.get("/api/v1/profiles/owner").await.json(),
            };
            for field in ["headline", "phone", "website"] {
                assert_eq!(
                    seen.get(field).is_some(),
                    want,
                    "{field}={audience} seen by {who}: {seen}"
                );
            }
        }
    }
    // The contact list follows its own audience.
    let lists = [
        ("contacts", [true, true, false, false, false]),
        ("members", [true, true, true, true, false]),
        ("only_me", [true, false, false, false, false]),
    ];
    for (audience, row) in lists {
        app.call(
            Method::PATCH,
            Some(&owner),
            "/api/v1/profiles/owner",
            json!({"settings": {"contact_list": audience}}),
        )
        .await;
        for ((who, viewer), want) in viewers.iter().zip(row) {
            let r = match viewer {
                Some(m) => app.get_as(m, "/api/v1/profiles/owner/contacts").await,
                None => app.get("/api/v1/profiles/owner/contacts").await,
            };
            assert_eq!(
                r.status == StatusCode::OK,
                want,
                "contact list {audience} seen by {who}"
            );
            if want {
                assert_eq!(r.json()["items"], json!(["contact"]));
            }
        }
    }
}

#[tokio::test]
async fn people_you_may_know_and_network_health() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan").await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    app.connect(&bob, &dan).await;
    app.connect(&ada, &carol).await;
    let pymk = app.get_as(&ada, "/api/v1/people-you-may-know").await.json();
    assert_eq!(
        pymk["items"],
        json!([{"handle": "dan", "name": "Dan", "mutual_count": 1, "actions": {
            "contact_request": false, "introduction": true, "message": false, "follow": false
        }}])
    );
    app.clock.advance(time::Duration::days(200));
    let ada = Member {
        token: app.sign_in(&ada.email, crate::support::PASSWORD).await,
        ..ada
    };
    let health = app.get_as(&ada, "/api/v1/network-health").await.json();
    assert_eq!(health["contacts"], 2);
    assert_eq!(health["stale"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get("/api/v1/people-you-may-know").await.status,
        StatusCode::UNAUTHORIZED
    );
}
