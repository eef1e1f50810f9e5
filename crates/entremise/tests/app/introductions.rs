//! The story the product exists for: A and B are contacts, B and C are
//! contacts; A cannot reach C; B introduces A to C; C accepts.

use crate::support::{Member, PASSWORD, TestApp, code};
use axum::http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_stranger_is_introduced_hop_by_hop() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Stranger").await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    let r = app
        .call(
            Method::PATCH,
            Some(&carol),
            "/api/v1/profiles/carol",
            json!({"fields": {"phone": "+33 2 31 99 99 99"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // How Ada is connected to Carol.
    let connection = app.get_as(&ada, "/api/v1/profiles/carol/connection").await;
    assert_eq!(connection.status, StatusCode::OK);
    insta::assert_json_snapshot!(connection.json(), @r#"
    {
      "degree": 2,
      "mutual_contacts": [
        "bob"
      ],
      "paths": [
        {
          "hops": [
            "bob"
          ],
          "score": 1.0
        }
      ]
    }
    "#);

    // Ada cannot reach Carol directly; a wrong address changes nothing.
    let direct = app
        .post_json(
            Some(&ada),
            "/api/v1/contact-requests",
            json!({"to": "carol"}),
        )
        .await;
    assert_eq!(direct.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&direct), "introduction_required");
    let guessed = app
        .post_json(
            Some(&ada),
            "/api/v1/contact-requests",
            json!({"to": "carol", "email": "carol@example.com"}),
        )
        .await;
    assert_eq!(guessed.status, StatusCode::FORBIDDEN);
    assert_eq!(guessed.json(), direct.json());
    let closed = app
        .post_json(
            Some(&ada),
            "/api/v1/conversations",
            json!({"with": ["carol"]}),
        )
        .await;
    assert_eq!(code(&closed), "messages_closed");
    assert!(
        app.get_as(&ada, "/api/v1/profiles/carol")
            .await
            .json()
            .get("phone")
            .is_none()
    );

    // Ada asks Bob to introduce her.
    let asked = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "note": "I would like to meet Carol about the audit."}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.text());
    assert_eq!(asked.json()["status"], "pending");
    assert_eq!(asked.json()["next"], "bob");
    let id = asked.json()["id"].as_str().unwrap().to_owned();

    // Carol does not know of it yet; she cannot act.
    assert!(
        app.get_as(&carol, "/api/v1/introductions").await.json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let early = app
        .post_json(
            Some(&carol),
            &format!("/api/v1/introductions/{id}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(early.status, StatusCode::NOT_FOUND);
    // Ada cannot pass her own request on.
    let cheat = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/introductions/{id}/forward"),
            json!({"note": "me"}),
        )
        .await;
    assert_eq!(code(&cheat), "not_your_turn");

    let for_bob = app.get_as(&bob, "/api/v1/introductions").await.json();
    assert_eq!(for_bob["items"][0]["your_turn"], true);
    assert_eq!(
        for_bob["items"][0]["notes"][0]["text"],
        "I would like to meet Carol about the audit."
    );
    let forwarded = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/introductions/{id}/forward"),
            json!({"note": "Ada is a sharp auditor."}),
        )
        .await;
    assert_eq!(forwarded.status, StatusCode::OK, "{}", forwarded.text());
    assert_eq!(forwarded.json()["status"], "forwarded");
    let twice = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/introductions/{id}/forward"),
            json!({"note": "again"}),
        )
        .await;
    assert_eq!(code(&twice), "not_your_turn");

    let for_carol = app
        .get_as(&carol, &format!("/api/v1/introductions/{id}"))
        .await
        .json();
    assert_eq!(for_carol["role"], "target");
    assert_eq!(for_carol["your_turn"], true);
    let notes: Vec<&str> = for_carol["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "I would like to meet Carol about the audit.",
            "Ada is a sharp auditor."
        ]
    );

    let accepted = app
        .post_json(
            Some(&carol),
            &format!("/api/v1/introductions/{id}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    assert_eq!(accepted.json()["status"], "accepted");
    let conversation = accepted.json()["conversation"].as_str().unwrap().to_owned();
    let again = app
        .post_json(
            Some(&carol),
            &format!("/api/v1/introductions/{id}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Ada and Carol are contacts: contacts-only fields, messages.
    assert_eq!(
        app.get_as(&ada, "/api/v1/profiles/carol").await.json()["phone"],
        "+33 2 31 99 99 99"
    );
    assert_eq!(
        app.get_as(&ada, "/api/v1/profiles/carol/connection")
            .await
            .json()["degree"],
        1
    );
    let sent = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"text": "Thank you, Carol!"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
    let inbox = app.get_as(&carol, "/api/v1/conversations").await.json();
    assert_eq!(inbox["unread_total"], 1);
    assert_eq!(inbox["items"][0]["with"][0]["handle"], "ada");
    let read = app
        .get_as(
            &carol,
            &format!("/api/v1/conversations/{conversation}/messages"),
        )
        .await
        .json();
    assert_eq!(read["items"][0]["text"], "Thank you, Carol!");
    assert_eq!(
        app.get_as(&carol, "/api/v1/conversations").await.json()["unread_total"],
        0
    );

    // Dan, a stranger, still sees nothing and cannot write.
    assert!(
        app.get_as(&dan, "/api/v1/profiles/carol")
            .await
            .json()
            .get("phone")
            .is_none()
    );
    let dan_writes = app
        .post_json(
            Some(&dan),
            "/api/v1/conversations",
            json!({"with": ["carol"]}),
        )
        .await;
    assert_eq!(dan_writes.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&dan_writes), "messages_closed");
    let dan_reads = app
        .get_as(
            &dan,
            &format!("/api/v1/conversations/{conversation}/messages"),
        )
        .await;
    assert_eq!(dan_reads.status, StatusCode::NOT_FOUND);
    let no_path = app
        .post_json(
            Some(&dan),
            "/api/v1/introductions",
            json!({"to": "carol", "note": "hi"}),
        )
        .await;
    assert_eq!(no_path.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.get_as(&dan, &format!("/api/v1/introductions/{id}"))
            .await
            .status
            == StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn declines_expiry_and_chosen_paths() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let eve = app.member("eve", "Eve").await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    app.connect(&ada, &eve).await;

    // A path through someone who is not a contact of the target is refused.
    let wrong = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "via": ["eve"], "note": "x"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json()["fields"][0]["reason"], "not_a_path");

    // Bob declines: Ada sees it, and nobody can act any more.
    let id = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "via": ["bob"], "note": "x"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/introductions/{id}/decline"),
            json!({}),
        )
        .await;
    assert_eq!(r.json()["status"], "declined");
    assert_eq!(
        app.get_as(&ada, &format!("/api/v1/introductions/{id}"))
            .await
            .json()["status"],
        "declined"
    );
    assert_eq!(
        app.get_as(&carol, &format!("/api/v1/introductions/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Not asked again for 90 days.
    let soon = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "note": "again"}),
        )
        .await;
    assert_eq!(
        soon.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        soon.text()
    );
    app.clock.advance(time::Duration::days(90));
    let (ada, bob) = (again(&app, &ada).await, again(&app, &bob).await);

    // An introduction nobody answers expires after 30 days.
    let id = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "note": "again"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.advance(time::Duration::days(31));
    assert_eq!(
        app.get_as(&ada, &format!("/api/v1/introductions/{id}"))
            .await
            .json()["status"],
        "expired"
    );
    let late = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/introductions/{id}/forward"),
            json!({"note": "sorry, late"}),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);

    // Someone who does not relay introductions is never proposed.
    app.call(
        Method::PATCH,
        Some(&bob),
        "/api/v1/profiles/bob",
        json!({"settings": {"relay_introductions": false}}),
    )
    .await;
    let c = app
        .get_as(&ada, "/api/v1/profiles/carol/connection")
        .await
        .json();
    assert_eq!(c["degree"], 2);
    assert_eq!(c["paths"], json!([]));
    let none = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "note": "x"}),
        )
        .await;
    assert_eq!(none.json()["fields"][0]["reason"], "no_path");
}

#[tokio::test]
async fn hidden_hops_are_null() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dora = app.member("dora", "Dora").await;
    // ada – bob – carol – dora: dora is at 3rd degree of ada.
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    app.connect(&carol, &dora).await;
    let c = app
        .get_as(&ada, "/api/v1/profiles/dora/connection")
        .await
        .json();
    assert_eq!(c["degree"], 3);
    // Carol's contact list is for her contacts, Dora's too: Ada may not see
    // that carol–dora are contacts, so that hop is "a contact of bob".
    assert_eq!(c["paths"][0]["hops"], json!(["bob", null]));
    assert_eq!(c["mutual_contacts"], json!([]));
    // When Carol opens her contact list to members, the hop shows.
    app.call(
        Method::PATCH,
        Some(&carol),
        "/api/v1/profiles/carol",
        json!({"settings": {"contact_list": "members"}}),
    )
    .await;
    let c = app
        .get_as(&ada, "/api/v1/profiles/dora/connection")
        .await
        .json();
    assert_eq!(c["paths"][0]["hops"], json!(["bob", "carol"]));
    // The requester of an introduction along that path sees the same.
    app.call(
        Method::PATCH,
        Some(&carol),
        "/api/v1/profiles/carol",
        json!({"settings": {"contact_list": "only_me"}}),
    )
    .await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "dora", "note": "hello"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["intermediaries"][1], serde_json::Value::Null);
}

async fn ask(app: &TestApp, who: &Member, to: &str) -> crate::support::Response {
    app.post_json(
        Some(who),
        "/api/v1/introductions",
        json!({"to": to, "note": "I would like to meet you."}),
    )
    .await
}

async fn act(app: &TestApp, who: &Member, id: &str, action: &str) {
    let body = if action == "forward" {
        json!({"note": "Worth meeting."})
    } else {
        json!({})
    };
    let r = app
        .post_json(
            Some(who),
            &format!("/api/v1/introductions/{id}/{action}"),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.text());
}

fn id_of(r: &crate::support::Response) -> String {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

/// Seconds of the Retry-After of a 429.
fn retry_after(r: &crate::support::Response) -> i64 {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert_eq!(code(r), "rate_limited");
    r.header("retry-after").unwrap().parse().unwrap()
}

/// The member signed in again (sessions end after 90 days).
async fn again(app: &TestApp, m: &Member) -> Member {
    Member {
        token: app.sign_in(&m.email, PASSWORD).await,
        ..m.clone()
    }
}

const DAY: i64 = 86_400;

/// One open introduction per requester and target; a declined one, by an
/// intermediary or by the target, is not asked again for 90 days, whatever
/// the path.
#[tokio::test]
async fn an_introduction_is_not_repeated_while_open_nor_for_90_days_after_a_decline() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let eve = app.member("eve", "Eve").await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    app.connect(&ada, &eve).await;
    app.connect(&eve, &carol).await;

    let asked = ask(&app, &ada, "carol").await;
    let first = id_of(&asked);
    // Open: asking again is a conflict, whatever the path.
    let twice = ask(&app, &ada, "carol").await;
    assert_eq!(
        (twice.status, code(&twice)),
        (StatusCode::CONFLICT, "conflict".into()),
        "{}",
        twice.text()
    );
    let (via, other) = if asked.json()["next"] == "bob" {
        (&bob, "eve")
    } else {
        (&eve, "bob")
    };
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "via": [other], "note": "the other way"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());

    // The intermediary declines: 90 days before asking again, by any path.
    act(&app, via, &first, "decline").await;
    let wait = retry_after(&ask(&app, &ada, "carol").await);
    assert!(wait > 89 * DAY && wait <= 90 * DAY, "{wait}");
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "via": [other], "note": "the other way"}),
        )
        .await;
    retry_after(&r);
    // Someone else may still ask.
    let dan = app.member("dan", "Dan").await;
    app.connect(&dan, &bob).await;
    id_of(&ask(&app, &dan, "carol").await);

    app.clock.advance(time::Duration::days(89));
    let (ada, bob) = (again(&app, &ada).await, again(&app, &bob).await);
    let wait = retry_after(&ask(&app, &ada, "carol").await);
    assert!(wait > 0 && wait <= DAY, "{wait}");

    // After 90 days it goes through; the target declines this time.
    app.clock.advance(time::Duration::days(1));
    let second = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "via": ["bob"], "note": "Again, three months on."}),
        )
        .await;
    let second = id_of(&second);
    act(&app, &bob, &second, "forward").await;
    let carol = again(&app, &carol).await;
    act(&app, &carol, &second, "decline").await;
    let wait = retry_after(&ask(&app, &ada, "carol").await);
    assert!(wait > 89 * DAY && wait <= 90 * DAY, "{wait}");
    app.clock.advance(time::Duration::days(90));
    let ada = again(&app, &ada).await;
    id_of(&ask(&app, &ada, "carol").await);
}

/// A member who declined being introduced gets no contact request from the
/// same requester for 90 days either, e-mail address or not; one who
/// declined a contact request is not asked for an introduction instead.
#[tokio::test]
async fn a_declined_request_is_not_repeated_through_the_other_door() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan").await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    app.connect(&bob, &dan).await;
    let contact_request = |to: &str, email: &str| json!({"to": to, "email": email});

    // Carol declines the introduction: no contact request from Ada.
    let id = id_of(&ask(&app, &ada, "carol").await);
    act(&app, &bob, &id, "forward").await;
    act(&app, &carol, &id, "decline").await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/contact-requests",
            contact_request("carol", "carol@example.org"),
        )
        .await;
    let wait = retry_after(&r);
    assert!(wait > 89 * DAY && wait <= 90 * DAY, "{wait}");

    // Dan declines Ada's contact request: no introduction to him instead.
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/contact-requests",
            contact_request("dan", "dan@example.org"),
        )
        .await;
    let request = id_of(&r);
    let r = app
        .post_json(
            Some(&dan),
            &format!("/api/v1/contact-requests/{request}/decline"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    retry_after(&ask(&app, &ada, "dan").await);

    // A decline by an intermediary says nothing of the target: the
    // contact request is judged by its usual gates.
    let eve = app.member("eve", "Eve").await;
    app.connect(&bob, &eve).await;
    let id = id_of(&ask(&app, &ada, "eve").await);
    act(&app, &bob, &id, "decline").await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/contact-requests",
            contact_request("eve", "eve@example.org"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    app.clock.advance(time::Duration::days(90));
    let ada = again(&app, &ada).await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/contact-requests",
            contact_request("carol", "carol@example.org"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    id_of(&ask(&app, &ada, "dan").await);
}
