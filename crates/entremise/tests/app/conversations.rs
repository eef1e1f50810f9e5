//! Conversations and blocks: a conversation never joins two members with a
//! block between them, and a block made later hides the pair from each
//! other inside the conversations they share.

use crate::support::{Member, Req, TestApp, code};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

async fn block(app: &TestApp, who: &Member, handle: &str) {
    let r = app
        .send(Req::new(Method::PUT, &format!("/api/v1/blocks/{handle}")).bearer(&who.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
}

async fn say(app: &TestApp, who: &Member, id: &str, text: &str) -> crate::support::Response {
    app.post_json(
        Some(who),
        &format!("/api/v1/conversations/{id}/messages"),
        json!({"text": text}),
    )
    .await
}

/// The texts of the messages `who` reads, newest first.
async fn texts(app: &TestApp, who: &Member, id: &str) -> Vec<String> {
    let r = app
        .get_as(who, &format!("/api/v1/conversations/{id}/messages"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

fn handles(with: &Value) -> Vec<&str> {
    with.as_array()
        .unwrap()
        .iter()
        .map(|p| p["handle"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_conversation_never_joins_two_blocked_members() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan").await;
    app.connect(&ada, &bob).await;
    app.connect(&ada, &carol).await;
    app.connect(&ada, &dan).await;
    block(&app, &bob, "carol").await;

    // Ada may write to each, but not put the two in one room, in any order
    // and whoever else is there; the answer names nobody.
    for with in [
        json!(["bob", "carol"]),
        json!(["carol", "bob"]),
        json!(["dan", "carol", "bob"]),
    ] {
        let r = app
            .post_json(Some(&ada), "/api/v1/conversations", json!({"with": with}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{with}: {}", r.text());
        assert_eq!(code(&r), "blocked_participants");
        let message = r.json()["message"].as_str().unwrap().to_owned();
        assert!(
            !message.contains("bob") && !message.contains("carol") && !message.contains("Bob"),
            "{message}"
        );
    }
    assert_eq!(
        app.get_as(&ada, "/api/v1/conversations").await.json()["items"],
        json!([]),
        "nothing was created"
    );
    for with in [
        json!(["bob", "dan"]),
        json!(["carol", "dan"]),
        json!(["bob"]),
    ] {
        let r = app
            .post_json(Some(&ada), "/api/v1/conversations", json!({"with": with}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{with}: {}", r.text());
    }

    // Bob, blocked with Carol himself, still finds her missing.
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/conversations",
            json!({"with": ["ada", "carol"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
}

#[tokio::test]
async fn a_later_block_hides_the_pair_inside_their_conversation() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    app.connect(&ada, &carol).await;
    app.connect(&bob, &carol).await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/conversations",
            json!({"with": ["bob", "carol"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let group = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/conversations",
            json!({"with": ["carol"]}),
        )
        .await;
    let pair = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        say(&app, &bob, &group, "Bob before").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        say(&app, &carol, &group, "Carol before").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        say(&app, &bob, &pair, "Just us").await.status,
        StatusCode::CREATED
    );

    block(&app, &carol, "bob").await;

    // Inside the group, each of the two no longer sees the other, nor what
    // he wrote; Ada sees everyone.
    for (viewer, gone, left) in [
        (&bob, "carol", "Bob before"),
        (&carol, "bob", "Carol before"),
    ] {
        let view = app
            .get_as(viewer, &format!("/api/v1/conversations/{group}"))
            .await;
        assert_eq!(view.status, StatusCode::OK, "{}", view.text());
        assert_eq!(handles(&view.json()["with"]), ["ada"], "{gone} is hidden");
        assert_eq!(texts(&app, viewer, &group).await, [left]);
    }
    assert_eq!(
        handles(
            &app.get_as(&ada, &format!("/api/v1/conversations/{group}"))
                .await
                .json()["with"]
        ),
        ["bob", "carol"]
    );

    // The others still talk, and so do the two: neither reads the other.
    assert_eq!(
        say(&app, &bob, &group, "Bob after").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        say(&app, &ada, &group, "Ada after").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        say(&app, &bob, &group, "Bob last").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        texts(&app, &ada, &group).await,
        [
            "Bob last",
            "Ada after",
            "Bob after",
            "Carol before",
            "Bob before"
        ]
    );
    // Carol's list: Bob's messages are neither her last message nor unread.
    let list = app.get_as(&carol, "/api/v1/conversations").await.json();
    assert_eq!(list["unread_total"], 1, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the one-to-one with Bob is gone: {list}");
    assert_eq!(handles(&items[0]["with"]), ["ada"]);
    assert_eq!(items[0]["last_message"]["text"], "Ada after");
    assert_eq!(items[0]["unread"], 1);
    let paged = app
        .get_as(
            &carol,
            &format!("/api/v1/conversations/{group}/messages?limit=1"),
        )
        .await
        .json();
    assert_eq!(paged["items"][0]["text"], "Ada after");
    let next = paged["next"].as_str().unwrap();
    let older = app
        .get_as(
            &carol,
            &format!("/api/v1/conversations/{group}/messages?limit=1&cursor={next}"),
        )
        .await
        .json();
    assert_eq!(older["items"][0]["text"], "Carol before");
    assert_eq!(older["next"], Value::Null);
    assert_eq!(
        app.get_as(&carol, "/api/v1/conversations").await.json()["unread_total"],
        0
    );

    // Their one-to-one conversation has nobody left either can see: it is
    // gone for both, as if the other did not exist.
    for viewer in [&bob, &carol] {
        for r in [
            app.get_as(viewer, &format!("/api/v1/conversations/{pair}"))
                .await,
            app.get_as(viewer, &format!("/api/v1/conversations/{pair}/messages"))
                .await,
            say(&app, viewer, &pair, "Hello?").await,
        ] {
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        }
    }
    let bobs = app.get_as(&bob, "/api/v1/conversations").await.json();
    assert_eq!(bobs["items"].as_array().unwrap().len(), 1, "{bobs}");

    // Lifting the block brings everything back.
    let r = app
        .send(Req::new(Method::DELETE, "/api/v1/blocks/bob").bearer(&carol.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(texts(&app, &carol, &pair).await, ["Just us"]);
    assert_eq!(
        handles(
            &app.get_as(&carol, &format!("/api/v1/conversations/{group}"))
                .await
                .json()["with"]
        ),
        ["ada", "bob"]
    );
}
