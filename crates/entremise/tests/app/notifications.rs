//! Notifications, produced by members acting through the API, read back
//! through the API and the page, with PRIVACY.md's promises held.

use crate::support::{Member, PASSWORD, Req, Response, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

/// Waits until every projection, notifications included, has applied
/// everything committed so far.
async fn settle(app: &TestApp) {
    app.app.dispatcher().settle_all().await;
}

/// The member's notifications as `(kind, [actor handles], object)`.
async fn told(app: &TestApp, m: &Member) -> Vec<(String, Vec<String>, Value)> {
    settle(app).await;
    let r = app.get_as(m, "/api/v1/notifications?limit=100").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let actors = n["actors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect();
            (
                n["kind"].as_str().unwrap().to_owned(),
                actors,
                n["object"].clone(),
            )
        })
        .collect()
}

/// The kinds the member was told of, newest first.
async fn kinds(app: &TestApp, m: &Member) -> Vec<String> {
    told(app, m).await.into_iter().map(|(k, _, _)| k).collect()
}

async fn unread(app: &TestApp, m: &Member) -> u64 {
    settle(app).await;
    app.get_as(m, "/api/v1/notifications/unread").await.json()["unread"]
        .as_u64()
        .unwrap()
}

/// A minute passes between two acts, so "most recent first" is defined.
fn later(app: &TestApp) {
    app.clock.advance(time::Duration::minutes(1));
}

async fn publish(app: &TestApp, m: &Member, text: &str, audience: &str) -> String {
    later(app);
    let r = app
        .post_json(
            Some(m),
            "/api/v1/posts",
            json!({"text": text, "audience": audience}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn react(app: &TestApp, m: &Member, post: &str) -> Response {
    later(app);
    let r = app
        .send(
            Req::new(Method::PUT, &format!("/api/v1/posts/{post}/reactions/like")).bearer(&m.token),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    r
}

async fn comment(app: &TestApp, m: &Member, post: &str, body: Value) -> String {
    later(app);
    let r = app
        .post_json(Some(m), &format!("/api/v1/posts/{post}/comments"), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn block(app: &TestApp, m: &Member, handle: &str) {
    let r = app
        .send(Req::new(Method::PUT, &format!("/api/v1/blocks/{handle}")).bearer(&m.token))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
}

fn handles(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn contact_requests_and_introductions_tell_each_side() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.patch_profile(
        &bob,
        "bob",
        json!({"settings": {"contact_requests": "everyone"}}),
    )
    .await;
    let asked = app
        .post_json(Some(&ada), "/api/v1/contact-requests", json!({"to": "bob"}))
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.text());
    let request = asked.json()["id"].as_str().unwrap().to_owned();
    let bob_told = told(&app, &bob).await;
    assert_eq!(bob_told.len(), 1);
    assert_eq!(bob_told[0].0, "contact_request");
    assert_eq!(bob_told[0].1, handles(&["ada"]));
    assert_eq!(bob_told[0].2["kind"], "contact_request");
    assert!(
        kinds(&app, &ada).await.is_empty(),
        "nobody is told of his own act"
    );

    let r = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/contact-requests/{request}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let ada_told = told(&app, &ada).await;
    assert_eq!(ada_told[0].0, "contact_accepted");
    assert_eq!(ada_told[0].1, handles(&["bob"]));
    assert_eq!(ada_told[0].2, json!({"kind": "profile", "handle": "bob"}));

    // Ada asks Bob to introduce her to Carol.
    app.connect(&bob, &carol).await;
    let intro = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "note": "About the audit."}),
        )
        .await;
    assert_eq!(intro.status, StatusCode::CREATED, "{}", intro.text());
    let id = intro.json()["id"].as_str().unwrap().to_owned();
    let bob_told = told(&app, &bob).await;
    assert_eq!(bob_told[0].0, "introduction_waiting");
    assert_eq!(bob_told[0].1, handles(&["ada"]));
    assert_eq!(bob_told[0].2, json!({"kind": "introduction", "id": id}));
    assert!(
        !kinds(&app, &carol)
            .await
            .contains(&"introduction_waiting".to_owned()),
        "the target hears of it when it reaches her"
    );

    let r = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/introductions/{id}/forward"),
            json!({"note": "Ada is great."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let carol_told = told(&app, &carol).await;
    assert_eq!(carol_told[0].0, "introduction_waiting");
    assert_eq!(carol_told[0].1, handles(&["ada"]));
    // The requester is told with the target named, never the intermediary.
    let ada_told = told(&app, &ada).await;
    assert_eq!(ada_told[0].0, "introduction_forwarded");
    assert_eq!(ada_told[0].1, handles(&["carol"]));

    let r = app
        .post_json(
            Some(&carol),
            &format!("/api/v1/introductions/{id}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let ada_told = told(&app, &ada).await;
    assert_eq!(ada_told[0].0, "introduction_accepted");
    assert_eq!(ada_told[0].1, handles(&["carol"]));
}

#[tokio::test]
async fn a_declined_introduction_does_not_name_the_intermediary() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    let intro = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "carol", "note": "About the audit."}),
        )
        .await;
    let id = intro.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/introductions/{id}/decline"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let ada_told = told(&app, &ada).await;
    assert_eq!(ada_told[0].0, "introduction_declined");
    assert_eq!(ada_told[0].1, handles(&["carol"]));
}

#[tokio::test]
async fn messages_tell_the_other_participants_only() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    let c = app
        .post_json(
            Some(&ada),
            "/api/v1/conversations",
            json!({"with": ["bob"]}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
    let id = c.json()["id"].as_str().unwrap().to_owned();
    for text in ["Bonjour Bob", "Tu as vu le rapport ?"] {
        let r = app
            .post_json(
                Some(&ada),
                &format!("/api/v1/conversations/{id}/messages"),
                json!({"text": text}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let bob_told = told(&app, &bob).await;
    let messages: Vec<_> = bob_told.iter().filter(|n| n.0 == "message").collect();
    assert_eq!(
        messages.len(),
        1,
        "one notification per conversation while unread"
    );
    assert_eq!(messages[0].1, handles(&["ada"]));
    assert_eq!(messages[0].2, json!({"kind": "conversation", "id": id}));
    assert!(!kinds(&app, &ada).await.contains(&"message".to_owned()));
    assert!(!kinds(&app, &carol).await.contains(&"message".to_owned()));
}

#[tokio::test]
async fn posts_tell_of_comments_replies_reactions_reshares_and_mentions() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let post = publish(&app, &ada, "Notre rapport annuel", "public").await;

    let bobs = comment(&app, &bob, &post, json!({"text": "Bravo"})).await;
    comment(&app, &ada, &post, json!({"text": "Merci !"})).await;
    comment(
        &app,
        &carol,
        &post,
        json!({"text": "D'accord avec toi", "parent": bobs}),
    )
    .await;
    let bob_told = told(&app, &bob).await;
    assert_eq!(bob_told.len(), 1, "{bob_told:?}");
    assert_eq!(bob_told[0].0, "reply");
    assert_eq!(bob_told[0].1, handles(&["carol"]));
    assert_eq!(bob_told[0].2, json!({"kind": "post", "id": post}));
    let ada_told = told(&app, &ada).await;
    assert_eq!(
        ada_told.len(),
        1,
        "her own comment tells her nothing: {ada_told:?}"
    );
    assert_eq!(ada_told[0].0, "comment");
    assert_eq!(ada_told[0].1, handles(&["carol", "bob"]));

    react(&app, &bob, &post).await;
    react(&app, &ada, &post).await;
    let r = app
        .post_json(
            Some(&carol),
            "/api/v1/posts",
            json!({"text": "À lire", "audience": "public", "reshare_of": post}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    publish(&app, &bob, "Merci @carol et @bob pour l'aide", "public").await;

    let ada_told = told(&app, &ada).await;
    let ada_kinds: Vec<&str> = ada_told.iter().map(|n| n.0.as_str()).collect();
    assert_eq!(ada_kinds, ["reshare", "reaction", "comment"]);
    assert_eq!(ada_told[1].1, handles(&["bob"]), "not her own reaction");
    assert_eq!(ada_told[0].1, handles(&["carol"]));
    let carol_told = told(&app, &carol).await;
    assert_eq!(carol_told[0].0, "mention");
    assert_eq!(carol_told[0].1, handles(&["bob"]));
    assert!(
        !kinds(&app, &bob).await.contains(&"mention".to_owned()),
        "mentioning oneself tells nothing"
    );

    // Taking a reaction back tells nobody.
    let before = told(&app, &ada).await;
    let r = app
        .send(
            Req::new(Method::DELETE, &format!("/api/v1/posts/{post}/reactions")).bearer(&bob.token),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(told(&app, &ada).await, before);
}

#[tokio::test]
async fn pages_tell_their_managers_of_followers_and_confirm_positions() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/pages/acme/managers/carol",
            json!({"role": "analyst"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/follows/acme").bearer(&bob.token))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    for manager in [&ada, &carol] {
        let t = told(&app, manager).await;
        assert_eq!(t[0].0, "follower");
        assert_eq!(t[0].1, handles(&["bob"]));
        assert_eq!(t[0].2, json!({"kind": "profile", "handle": "acme"}));
    }

    // A comment on the page's post is for those who answer as the page.
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "Nous recrutons", "audience": "public", "as": "acme"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let post = r.json()["id"].as_str().unwrap().to_owned();
    comment(&app, &bob, &post, json!({"text": "Intéressé"})).await;
    assert_eq!(kinds(&app, &ada).await[0], "comment");
    assert_eq!(
        kinds(&app, &carol).await,
        ["follower"],
        "an analyst does not answer"
    );

    let position = app
        .post_json(
            Some(&bob),
            "/api/v1/profiles/bob/positions",
            json!({"title": "Associé", "organization": "acme", "since_year": 2015}),
        )
        .await;
    assert_eq!(position.status, StatusCode::CREATED, "{}", position.text());
    let pid = position.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            &format!("/api/v1/pages/acme/positions/{pid}/confirmation"),
            json!({"confirmed": true}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let bob_told = told(&app, &bob).await;
    assert_eq!(bob_told[0].0, "position_confirmed");
    assert_eq!(bob_told[0].1, handles(&["acme"]));
}

/// Six members react to Ada's post: one notification, every actor in it.
async fn six_reactions(app: &TestApp) -> (Member, String) {
    let ada = app.member("ada", "Ada Lovelace").await;
    let post = publish(app, &ada, "Bienvenue", "public").await;
    for (handle, name) in [
        ("marc", "Marc"),
        ("lea", "Léa"),
        ("noe", "Noé"),
        ("ines", "Inès"),
        ("paul", "Paul"),
        ("zoe", "Zoé"),
    ] {
        let m = app.member(handle, name).await;
        react(app, &m, &post).await;
    }
    (ada, post)
}

#[tokio::test]
async fn reactions_group_until_read_and_read_marks_hold() {
    let app = TestApp::new().await;
    let (ada, post) = six_reactions(&app).await;
    let t = told(&app, &ada).await;
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].0, "reaction");
    assert_eq!(
        t[0].1,
        handles(&["zoe", "paul", "ines", "noe", "lea", "marc"]),
        "most recent first"
    );
    assert_eq!(unread(&app, &ada).await, 1);

    let list = app.get_as(&ada, "/api/v1/notifications").await.json();
    let item = &list["items"][0];
    assert_eq!(item["read"], false);
    assert_eq!(item["url"], format!("/posts/{post}"));
    assert!(list["next"].is_null());
    let id = item["id"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/notifications/read",
            json!({"up_to": id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["unread"], 0);
    let list = app.get_as(&ada, "/api/v1/notifications").await.json();
    assert_eq!(list["items"][0]["read"], true);

    // A reaction after the read mark starts a new notification.
    let late = app.member("yann", "Yann").await;
    react(&app, &late, &post).await;
    let t = told(&app, &ada).await;
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].1, handles(&["yann"]));
    assert_eq!(unread(&app, &ada).await, 1);

    let bad = app
        .post_json(
            Some(&ada),
            "/api/v1/notifications/read",
            json!({"up_to": "nope"}),
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
}

#[tokio::test]
async fn the_list_pages_by_cursor() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    for i in 0..5 {
        let post = publish(&app, &ada, &format!("Post {i}"), "public").await;
        let m = app.member(&format!("fan{i}"), &format!("Fan {i}")).await;
        react(&app, &m, &post).await;
    }
    settle(&app).await;
    let mut seen = Vec::new();
    let mut uri = "/api/v1/notifications?limit=2".to_owned();
    loop {
        let page = app.get_as(&ada, &uri).await.json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|n| n["actors"][0].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => uri = format!("/api/v1/notifications?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ["fan4", "fan3", "fan2", "fan1", "fan0"]);
    let r = app.get_as(&ada, "/api/v1/notifications?limit=101").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.get("/api/v1/notifications").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_kind_switched_off_records_nothing() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/notifications/settings",
            json!({"kinds": {"reaction": false}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["kinds"]["reaction"], false);
    assert_eq!(r.json()["kinds"]["comment"], true);
    let post = publish(&app, &ada, "Bonjour", "public").await;
    react(&app, &bob, &post).await;
    assert!(kinds(&app, &ada).await.is_empty());
    comment(&app, &bob, &post, json!({"text": "Salut"})).await;
    assert_eq!(kinds(&app, &ada).await, ["comment"]);

    // Switching it back on brings nothing back.
    app.call(
        Method::PUT,
        Some(&ada),
        "/api/v1/notifications/settings",
        json!({"kinds": {"reaction": true}}),
    )
    .await;
    assert_eq!(kinds(&app, &ada).await, ["comment"]);
    let got = app
        .get_as(&ada, "/api/v1/notifications/settings")
        .await
        .json();
    assert_eq!(got["kinds"]["reaction"], true);
    assert_eq!(got["kinds"].as_object().unwrap().len(), 20);

    let unknown = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/notifications/settings",
            json!({"kinds": {"gossip": false}}),
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.text()
    );
}

#[tokio::test]
async fn a_blocked_actor_tells_nothing_and_a_later_block_hides_what_he_told() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Roux").await;
    let post = publish(&app, &ada, "Bonjour", "public").await;
    react(&app, &bob, &post).await;
    react(&app, &carol, &post).await;
    comment(&app, &bob, &post, json!({"text": "Salut"})).await;
    assert_eq!(unread(&app, &ada).await, 2);

    // Bob blocks Ada: he disappears from what she was told.
    block(&app, &bob, "ada").await;
    let t = told(&app, &ada).await;
    assert_eq!(t.len(), 1, "the comment had only Bob: {t:?}");
    assert_eq!(t[0].0, "reaction");
    assert_eq!(t[0].1, handles(&["carol"]));
    assert_eq!(unread(&app, &ada).await, 1);
    let page = app.get_as(&ada, "/api/v1/notifications").await.text();
    assert!(!page.contains("bob"), "{page}");

    // Ada blocks Dan: his mention of her records nothing.
    block(&app, &ada, "dan").await;
    publish(&app, &dan, "Merci @ada", "public").await;
    settle(&app).await;
    let stored: i64 = rusqlite::Connection::open(app.db_path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM notification_actors WHERE actor_id = (SELECT id FROM profiles WHERE handle = 'dan')",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn a_mention_in_a_post_the_member_may_not_see_tells_nothing() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    // Carol is no contact of Bob's: his contacts-only post is not hers to see.
    publish(&app, &bob, "Entre nous, @carol et @ada", "contacts").await;
    assert!(kinds(&app, &carol).await.is_empty());
    assert_eq!(kinds(&app, &ada).await, ["mention", "contact_accepted"]);
}

#[tokio::test]
async fn replaying_the_events_notifies_nobody_twice() {
    let app = TestApp::new().await;
    let (ada, post) = six_reactions(&app).await;
    let bob = app.member("bob", "Bob Marchand").await;
    comment(&app, &bob, &post, json!({"text": "Salut"})).await;
    settle(&app).await;
    let first = app.get_as(&ada, "/api/v1/notifications").await.json()["items"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_json(
        Some(&ada),
        "/api/v1/notifications/read",
        json!({"up_to": first}),
    )
    .await;
    let before = app.get_as(&ada, "/api/v1/notifications").await.json();

    // The projection applies every event again, from the first.
    let events = app.app.store().events_after(0, 10_000).await.unwrap();
    assert!(events.len() > 10);
    let events: Vec<_> = events.into_iter().map(std::sync::Arc::new).collect();
    app.app
        .notifications()
        .projection()
        .apply(&events)
        .await
        .unwrap();
    let after = app.get_as(&ada, "/api/v1/notifications").await.json();
    assert_eq!(after, before);

    // And a restart on the same data resumes from the checkpoint.
    let store =
        std::sync::Arc::new(entremise_store_sqlite::SqliteStore::open(&app.db_path()).unwrap());
    let again = entremise::server::domain_with(
        store,
        std::sync::Arc::new(entremise_search::TantivyIndex::in_memory().unwrap()),
        std::sync::Arc::new(entremise_media::ObjectMediaStore::in_memory()),
        app.clock.clone(),
        crate::support::test_limits(),
    )
    .await
    .unwrap();
    again.dispatcher().settle_all().await;
    let ada_id = again
        .store()
        .profile_by_handle(&entremise_domain::validate::Handle::parse("ada").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let stored = again
        .store()
        .notifications_of(ada_id, None, 100)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(stored.iter().filter(|n| !n.read).count(), 1);
}

/// A browser signed in with a cookie, in the language it asks for.
async fn browser_get(app: &TestApp, email: &str, path: &str, lang: &str) -> (String, Vec<String>) {
    let signin = app
        .send(Req::new(Method::GET, "/signin").header("accept-language", lang))
        .await;
    let mut cookies: Vec<String> = signin.cookies();
    let token = cookies
        .iter()
        .find_map(|c| c.strip_prefix("entremise_csrf="))
        .unwrap()
        .to_owned();
    let r = app
        .send(
            Req::new(Method::POST, "/signin")
                .header("cookie", &cookies.join("; "))
                .header("origin", "http://127.0.0.1:8080")
                .header("accept-language", lang)
                .form(&[
                    ("csrf", token.as_str()),
                    ("email", email),
                    ("password", PASSWORD),
                    ("next", "/"),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    for c in r.cookies() {
        let name = c.split('=').next().unwrap().to_owned();
        cookies.retain(|k| !k.starts_with(&format!("{name}=")));
        cookies.push(c);
    }
    let page = app
        .send(
            Req::new(Method::GET, path)
                .header("cookie", &cookies.join("; "))
                .header("accept-language", lang),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    (page.text(), cookies)
}

#[tokio::test]
async fn the_page_words_grouped_notifications_in_both_languages() {
    let app = TestApp::new().await;
    let (ada, post) = six_reactions(&app).await;
    let marc = app.member("marc2", "Marc").await;
    let one = publish(&app, &ada, "Un autre", "public").await;
    react(&app, &marc, &one).await;
    let lea = app.member("lea2", "Léa").await;
    react(&app, &lea, &one).await;
    settle(&app).await;

    let (page_en, _) = browser_get(&app, &ada.email, "/notifications", "en").await;
    assert!(page_en.contains("<html lang=\"en\">"), "{page_en}");
    assert!(
        page_en.contains("Zoé and 5 others reacted to your post"),
        "{page_en}"
    );
    assert!(
        page_en.contains("Léa and Marc reacted to your post"),
        "{page_en}"
    );
    assert!(page_en.contains(&format!("href=\"/posts/{post}\"")));
    assert!(page_en.contains("data-testid=\"notification-unread\""));
    assert!(page_en.contains("data-testid=\"notifications-mark-read\""));

    // In French, through the language switch.
    let (_, cookies) = browser_get(&app, &ada.email, "/notifications", "en").await;
    let token = cookies
        .iter()
        .find_map(|c| c.strip_prefix("entremise_csrf="))
        .unwrap()
        .to_owned();
    let r = app
        .send(
            Req::new(Method::POST, "/lang")
                .header("cookie", &cookies.join("; "))
                .header("origin", "http://127.0.0.1:8080")
                .form(&[
                    ("csrf", token.as_str()),
                    ("lang", "fr"),
                    ("next", "/notifications"),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut cookies = cookies;
    for c in r.cookies() {
        let name = c.split('=').next().unwrap().to_owned();
        cookies.retain(|k| !k.starts_with(&format!("{name}=")));
        cookies.push(c);
    }
    let page_fr = app
        .send(Req::new(Method::GET, "/notifications").header("cookie", &cookies.join("; ")))
        .await
        .text();
    assert!(page_fr.contains("<html lang=\"fr\">"), "{page_fr}");
    assert!(
        page_fr.contains("Zoé et 5 autres ont réagi à votre publication"),
        "{page_fr}"
    );
    assert!(
        page_fr.contains("Léa et Marc ont réagi à votre publication"),
        "{page_fr}"
    );

    // "Mark all as read" through the form.
    let up_to = page_fr
        .split("name=\"up_to\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = app
        .send(
            Req::new(Method::POST, "/notifications/read")
                .header("cookie", &cookies.join("; "))
                .header("origin", "http://127.0.0.1:8080")
                .form(&[("csrf", token.as_str()), ("up_to", up_to.as_str())]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(unread(&app, &ada).await, 0);

    // Without the form token, nothing is marked.
    let r = app
        .send(
            Req::new(Method::POST, "/notifications/read")
                .header("cookie", &cookies.join("; "))
                .header("origin", "http://127.0.0.1:8080")
                .form(&[("csrf", "forged"), ("up_to", "999")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_settings_page_switches_kinds_off() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let (page, cookies) = browser_get(&app, &ada.email, "/settings/notifications", "en").await;
    assert!(
        page.contains("checked data-testid=\"notification-kind-reaction\""),
        "{page}"
    );
    let token = cookies
        .iter()
        .find_map(|c| c.strip_prefix("entremise_csrf="))
        .unwrap()
        .to_owned();
    // Every box ticked but reactions.
    let mut fields = vec![("csrf".to_owned(), token)];
    for kind in ["comment", "reply", "mention", "message"] {
        fields.push((format!("k_{kind}"), "on".to_owned()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app
        .send(
            Req::new(Method::POST, "/settings/notifications")
                .header("cookie", &cookies.join("; "))
                .header("origin", "http://127.0.0.1:8080")
                .form(&pairs),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let got = app
        .get_as(&ada, "/api/v1/notifications/settings")
        .await
        .json();
    assert_eq!(got["kinds"]["reaction"], false);
    assert_eq!(got["kinds"]["comment"], true);
    let post = publish(&app, &ada, "Bonjour", "public").await;
    react(&app, &bob, &post).await;
    assert!(kinds(&app, &ada).await.is_empty());
}
