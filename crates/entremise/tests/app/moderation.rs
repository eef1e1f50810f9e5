//! Moderation through the API, as members, page teams, moderators and
//! administrators use it: mutes and muted words, reports and their queues,
//! decisions and what each member is told, comments edited, deleted,
//! hidden and removed, the moderation log, moderators seeing through
//! blocks (logged), and a matrix of hidden, removed, limited and
//! suspended content over author, page editor, moderator, contact, member
//! and anonymous viewers.

use crate::support::{Member, TestApp, code};
use axum::http::{Method, StatusCode};
use entremise_domain::validate::Handle;
use serde_json::{Value, json};

fn later(app: &TestApp) {
    app.clock.advance(time::Duration::minutes(1));
}

async fn settle(app: &TestApp) {
    app.app.dispatcher().settle_all().await;
}

/// Grants instance roles straight in the store (the first administrator
/// is named from the shell).
async fn staff(app: &TestApp, handle: &str, admin: bool, moderator: bool) {
    let store = app.app.store();
    let p = store
        .profile_by_handle(&Handle::parse(handle).unwrap())
        .await
        .unwrap()
        .unwrap();
    store
        .set_instance_roles(p.account.unwrap(), admin, moderator)
        .await
        .unwrap();
    settle(app).await;
}

async fn publish(app: &TestApp, m: &Member, body: Value) -> String {
    later(app);
    let r = app.post_json(Some(m), "/api/v1/posts", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn comment(app: &TestApp, m: &Member, post: &str, text: &str) -> String {
    later(app);
    let r = app
        .post_json(
            Some(m),
            &format!("/api/v1/posts/{post}/comments"),
            json!({"text": text}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn report(
    app: &TestApp,
    m: &Member,
    target: Value,
    reason: &str,
) -> crate::support::Response {
    later(app);
    app.post_json(
        Some(m),
        "/api/v1/reports",
        json!({"target": target, "reason": reason, "note": "Ce n'est pas acceptable"}),
    )
    .await
}

async fn reported(app: &TestApp, m: &Member, target: Value) -> String {
    let r = report(app, m, target, "harassment").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn decide(app: &TestApp, m: &Member, report: &str, body: Value) -> crate::support::Response {
    later(app);
    app.post_json(
        Some(m),
        &format!("/api/v1/moderation/reports/{report}/decision"),
        body,
    )
    .await
}

/// The ids of the comments (replies too) `m` sees under `post`.
async fn comment_ids(app: &TestApp, m: Option<&Member>, post: &str) -> Vec<String> {
    let uri = format!("/api/v1/posts/{post}/comments");
    let r = match m {
        Some(m) => app.get_as(m, &uri).await,
        None => app.get(&uri).await,
    };
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut out = Vec::new();
    for c in r.json()["items"].as_array().unwrap() {
        out.push(c["id"].as_str().unwrap().to_owned());
        for r in c["replies"].as_array().unwrap() {
            out.push(r["id"].as_str().unwrap().to_owned());
        }
    }
    out
}

async fn feed_ids(app: &TestApp, m: &Member) -> Vec<String> {
    settle(app).await;
    let r = app.get_as(m, "/api/v1/feed").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn notification_kinds(app: &TestApp, m: &Member) -> Vec<(String, String)> {
    settle(app).await;
    let r = app.get_as(m, "/api/v1/notifications").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["actors"][0].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// ACME, a firm's page owned by ada.
async fn acme(app: &TestApp, ada: &Member) {
    let r = app
        .post_json(
            Some(ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn a_muted_member_leaves_the_feed_and_the_notifications_unaware() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    app.connect(&ada, &carol).await;
    let by_bob = publish(
        &app,
        &bob,
        json!({"text": "Bilan du trimestre", "audience": "contacts"}),
    )
    .await;
    assert!(feed_ids(&app, &ada).await.contains(&by_bob));

    let r = app
        .call(Method::PUT, Some(&ada), "/api/v1/mutes/bob", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    // Muting twice changes nothing; oneself cannot be muted.
    let r = app
        .call(Method::PUT, Some(&ada), "/api/v1/mutes/bob", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .call(Method::PUT, Some(&ada), "/api/v1/mutes/ada", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(Method::PUT, Some(&ada), "/api/v1/mutes/nobody", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let muted = app.get_as(&ada, "/api/v1/mutes").await.json();
    assert_eq!(muted["items"][0]["handle"], "bob");

    assert!(!feed_ids(&app, &ada).await.contains(&by_bob));
    // He still sees his post and ada's profile as before: nothing tells him.
    assert!(feed_ids(&app, &bob).await.contains(&by_bob));
    // His comment on ada's post tells ada nothing; carol's does.
    let mine = publish(
        &app,
        &ada,
        json!({"text": "Qui vient jeudi ?", "audience": "contacts"}),
    )
    .await;
    comment(&app, &bob, &mine, "Moi").await;
    comment(&app, &carol, &mine, "Moi aussi").await;
    let told = notification_kinds(&app, &ada).await;
    assert!(
        told.iter().any(|(k, a)| k == "comment" && a == "carol"),
        "{told:?}"
    );
    assert!(!told.iter().any(|(_, a)| a == "bob"), "{told:?}");

    // Muted words and hashtags leave the feed too, as whole words.
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/muted-words",
            json!({"words": ["Crypto", "#nft"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["words"], json!(["crypto", "#nft"]));
    let crypto = publish(
        &app,
        &carol,
        json!({"text": "Tout sur la crypto", "audience": "contacts"}),
    )
    .await;
    let nft = publish(
        &app,
        &carol,
        json!({"text": "Drop #NFT ce soir", "audience": "contacts"}),
    )
    .await;
    let science = publish(
        &app,
        &carol,
        json!({"text": "La cryptographie expliquée", "audience": "contacts"}),
    )
    .await;
    let feed = feed_ids(&app, &ada).await;
    assert!(!feed.contains(&crypto) && !feed.contains(&nft), "{feed:?}");
    assert!(feed.contains(&science));
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/muted-words",
            json!({"words": ["x".repeat(61)]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = app
        .call(Method::DELETE, Some(&ada), "/api/v1/mutes/bob", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(feed_ids(&app, &ada).await.contains(&by_bob));
    let r = app
        .call(Method::PUT, None, "/api/v1/mutes/bob", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_report_goes_to_its_queues_and_each_decision_tells_the_members() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Moderator").await;
    let eve = app.member("eve", "Eve Outsider").await;
    staff(&app, "dan", false, true).await;
    acme(&app, &ada).await;
    let post = publish(
        &app,
        &ada,
        json!({"text": "Notre nouvelle offre", "audience": "public", "as": "acme"}),
    )
    .await;
    let hostile = comment(&app, &bob, &post, "Vous êtes des escrocs, bande de nuls").await;
    let own = comment(&app, &ada, &post, "Merci de vos retours").await;

    // Reports: on what one may see, never on oneself, at most 20 an hour.
    let id = reported(&app, &carol, json!({"kind": "comment", "id": hostile})).await;
    let r = report(
        &app,
        &bob,
        json!({"kind": "comment", "id": hostile}),
        "spam",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = report(
        &app,
        &carol,
        json!({"kind": "comment", "id": "999999"}),
        "spam",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = report(&app, &carol, json!({"kind": "comment"}), "spam").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = report(
        &app,
        &carol,
        json!({"kind": "comment", "id": hostile}),
        "rudeness",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A report on ada's own comment (which she may not judge).
    reported(&app, &carol, json!({"kind": "comment", "id": own})).await;

    let mine = app.get_as(&carol, "/api/v1/reports/mine").await.json();
    assert_eq!(mine["items"][1]["id"], id.as_str());
    assert_eq!(mine["items"][1]["status"], "open");
    assert_eq!(
        mine["items"][1]["target"],
        json!({"kind": "comment", "id": hostile})
    );

    // The page's team sees the report on its post's comment, without the
    // reporter; not the one about ada herself.
    settle(&app).await;
    let q = app
        .get_as(&ada, "/api/v1/moderation/queue?queue=page:acme")
        .await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.text());
    let items = q.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["target"]["id"], hostile.as_str());
    assert_eq!(items[0]["member"]["handle"], "bob");
    assert_eq!(
        items[0]["snapshot"]["text"],
        "Vous êtes des escrocs, bande de nuls"
    );
    assert!(items[0]["reports"][0]["reporter"].is_null());
    assert_eq!(
        items[0]["actions"],
        json!(["dismiss", "hide", "remove", "lift"])
    );
    // Nobody else works it; the instance's is the moderators'.
    for (who, queue) in [
        (&bob, "page:acme"),
        (&eve, "page:acme"),
        (&ada, "instance"),
        (&bob, "instance"),
    ] {
        let r = app
            .get_as(who, &format!("/api/v1/moderation/queue?queue={queue}"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{queue}: {}", r.text());
    }
    let r = app
        .get_as(&ada, "/api/v1/moderation/queue?queue=nonsense")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The moderator sees both, with who reported.
    let q = app.get_as(&dan, "/api/v1/moderation/queue").await.json();
    assert_eq!(q["items"].as_array().unwrap().len(), 2);
    assert_eq!(q["items"][0]["reports"][0]["reporter"]["handle"], "carol");
    let queues = app.get_as(&ada, "/api/v1/moderation/queues").await.json();
    assert_eq!(queues["queues"], json!(["page:acme"]));
    // A queue is named as written: empty or padded names are refused.
    for bad in ["", "%20instance", "page:", "nonsense"] {
        let r = app
            .get_as(&dan, &format!("/api/v1/moderation/queue?queue={bad}"))
            .await;
        assert!(
            matches!(r.status, StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND),
            "{bad}: {}",
            r.status
        );
    }
    let r = app
        .get_as(&dan, "/api/v1/moderation/log?queue=page:nobody")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Bob edits his comment: the moderators keep what was reported.
    later(&app);
    let r = app
        .call(
            Method::PATCH,
            Some(&bob),
            &format!("/api/v1/comments/{hostile}"),
            json!({"text": "Je retire"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // The page hides it: a page may not suspend; a reason is required.
    let r = decide(
        &app,
        &ada,
        &id,
        json!({"queue": "page:acme", "action": "suspend", "reason": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = decide(
        &app,
        &ada,
        &id,
        json!({"queue": "page:acme", "action": "hide"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = decide(
        &app,
        &ada,
        &id,
        json!({"queue": "page:acme", "action": "hide", "reason": "Insultes"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["action"], "hide");
    assert_eq!(r.json()["queue"], "page:acme");
    settle(&app).await;
    assert!(
        !comment_ids(&app, Some(&carol), &post)
            .await
            .contains(&hostile)
    );
    assert!(!comment_ids(&app, None, &post).await.contains(&hostile));
    assert!(
        comment_ids(&app, Some(&bob), &post)
            .await
            .contains(&hostile)
    );
    assert!(
        comment_ids(&app, Some(&ada), &post)
            .await
            .contains(&hostile)
    );

    // Carol learns it was handled, never by whom; bob what and why.
    let mine = app.get_as(&carol, "/api/v1/reports/mine").await.json();
    assert_eq!(mine["items"][1]["status"], "actioned");
    assert_eq!(mine["items"][1]["action"], "hide");
    let told = notification_kinds(&app, &carol).await;
    assert!(told.iter().any(|(k, _)| k == "report_handled"), "{told:?}");
    let told = notification_kinds(&app, &bob).await;
    let n = app.get_as(&bob, "/api/v1/notifications").await.json();
    let decision = n["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "moderation_decision")
        .unwrap_or_else(|| panic!("{told:?}"))
        .clone();
    assert_eq!(
        decision["actors"],
        json!(["bob"]),
        "nobody is named: {decision}"
    );
    let entry = decision["object"]["id"].as_str().unwrap().to_owned();
    let seen = app
        .get_as(&bob, &format!("/api/v1/moderation/decisions/{entry}"))
        .await
        .json();
    assert_eq!(seen["reason"], "Insultes");
    assert_eq!(seen["concerns_me"], true);
    let seen = app
        .get_as(&carol, &format!("/api/v1/moderation/decisions/{entry}"))
        .await
        .json();
    assert!(seen["reason"].is_null());
    let r = app
        .get_as(&eve, &format!("/api/v1/moderation/decisions/{entry}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The instance's queue still has it open: the moderator suspends bob
    // for a week. His sessions end; he cannot sign in; he is out of sight.
    let q = app.get_as(&dan, "/api/v1/moderation/queue").await.json();
    let item = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["target"]["id"] == hostile.as_str())
        .unwrap()
        .clone();
    assert_eq!(item["status"], "open");
    assert_eq!(
        item["snapshot"]["text"],
        "Vous êtes des escrocs, bande de nuls"
    );
    let r = decide(
        &app,
        &dan,
        &id,
        json!({"action": "suspend_for", "days": 400, "reason": "Harcèlement"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = decide(
        &app,
        &dan,
        &id,
        json!({"action": "suspend_for", "days": 7, "reason": "Harcèlement répété"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    settle(&app).await;
    assert_eq!(
        app.get_as(&bob, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post_json(
            None,
            "/api/v1/sessions",
            json!({"email": bob.email, "password": crate::support::PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(code(&r), "suspended");
    assert_eq!(
        app.get_as(&carol, "/api/v1/profiles/bob").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/profiles/bob").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_as(&dan, "/api/v1/profiles/bob").await.status,
        StatusCode::OK
    );
    let history = app
        .get_as(&dan, "/api/v1/moderation/queue?all=true")
        .await
        .json();
    let item = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["target"]["id"] == hostile.as_str())
        .unwrap()
        .clone();
    assert!(
        item["history"]["sanction"]["suspended_until"].is_string(),
        "{item}"
    );

    // The log: the instance's shows both acts, the page's its own.
    let log = app.get_as(&dan, "/api/v1/moderation/log").await.json();
    let acts: Vec<(String, String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["queue"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["actor"]["handle"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        acts,
        vec![
            ("instance".into(), "suspend_for".into(), "dan".into()),
            ("page:acme".into(), "hide".into(), "ada".into()),
        ]
    );
    let log = app
        .get_as(&ada, "/api/v1/moderation/log?queue=page:acme")
        .await
        .json();
    assert_eq!(log["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get_as(&ada, "/api/v1/moderation/log").await.status,
        StatusCode::FORBIDDEN
    );

    // On appeal the moderator lifts it: bob is back in sight and signs in.
    let r = decide(
        &app,
        &dan,
        &id,
        json!({"action": "lift", "reason": "Levée après appel"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    settle(&app).await;
    assert_eq!(sign_in_status(&app, "bob").await.0, StatusCode::CREATED);
    assert_eq!(
        app.get_as(&carol, "/api/v1/profiles/bob").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn reports_are_bounded_per_hour() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let post = publish(
        &app,
        &bob,
        json!({"text": "Publicité", "audience": "public"}),
    )
    .await;
    for _ in 0..entremise_domain::service::REPORTS_PER_HOUR {
        let r = app
            .post_json(
                Some(&ada),
                "/api/v1/reports",
                json!({"target": {"kind": "post", "id": post}, "reason": "spam"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/reports",
            json!({"target": {"kind": "post", "id": post}, "reason": "spam"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
}

#[tokio::test]
async fn moderators_see_reported_content_through_blocks_and_it_is_logged() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    staff(&app, "ada", false, true).await;
    let post = publish(
        &app,
        &bob,
        json!({"text": "Message douteux", "audience": "public"}),
    )
    .await;
    let r = app
        .call(Method::PUT, Some(&bob), "/api/v1/blocks/ada", json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    // The block hides bob's post from ada everywhere else.
    assert_eq!(
        app.get_as(&ada, &format!("/api/v1/posts/{post}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    reported(&app, &carol, json!({"kind": "post", "id": post})).await;
    settle(&app).await;
    let q = app.get_as(&ada, "/api/v1/moderation/queue").await.json();
    assert_eq!(q["items"][0]["snapshot"]["text"], "Message douteux");
    let log = app.get_as(&ada, "/api/v1/moderation/log").await.json();
    assert_eq!(log["items"][0]["entry"], "viewed_through_block");
    assert_eq!(log["items"][0]["actor"]["handle"], "ada");
    // Still hidden outside the queue.
    assert_eq!(
        app.get_as(&ada, &format!("/api/v1/posts/{post}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Reports on profiles, groups and messages reach the moderators too.
    reported(&app, &carol, json!({"kind": "profile", "handle": "bob"})).await;
    let r = report(&app, &carol, json!({"kind": "message", "id": "1"}), "spam").await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "not a message carol may see"
    );
}

#[tokio::test]
async fn comments_are_edited_deleted_hidden_and_removed_by_whom_may() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    acme(&app, &ada).await;
    let page_post = publish(
        &app,
        &ada,
        json!({"text": "Offre", "audience": "public", "as": "acme"}),
    )
    .await;
    let person_post = publish(
        &app,
        &carol,
        json!({"text": "Mon avis", "audience": "public"}),
    )
    .await;
    let c1 = comment(&app, &bob, &page_post, "Premier jet").await;
    let c2 = comment(&app, &bob, &person_post, "Hors sujet").await;
    let c3 = comment(&app, &bob, &page_post, "Spam spam").await;

    // Its author edits it; the earlier text is kept.
    later(&app);
    let r = app
        .call(
            Method::PATCH,
            Some(&bob),
            &format!("/api/v1/comments/{c1}"),
            json!({"text": "Version corrigée"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["text"], "Version corrigée");
    assert!(r.json()["edited_at"].is_string());
    let h = app
        .get(&format!("/api/v1/comments/{c1}/history"))
        .await
        .json();
    assert_eq!(h["items"][0]["text"], "Premier jet");
    let r = app
        .call(
            Method::PATCH,
            Some(&carol),
            &format!("/api/v1/comments/{c1}"),
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            Method::PATCH,
            Some(&bob),
            &format!("/api/v1/comments/{c1}"),
            json!({"text": ""}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A person hides a comment on his post (bob still sees it) but does
    // not delete or remove it; a page's team removes and deletes.
    let r = app
        .call(
            Method::DELETE,
            Some(&carol),
            &format!("/api/v1/comments/{c2}"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_json(
            Some(&carol),
            &format!("/api/v1/comments/{c2}/moderation"),
            json!({"action": "remove"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_json(
            Some(&carol),
            &format!("/api/v1/comments/{c2}/moderation"),
            json!({"action": "hide"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    settle(&app).await;
    assert!(
        comment_ids(&app, Some(&bob), &person_post)
            .await
            .contains(&c2)
    );
    assert!(
        comment_ids(&app, Some(&carol), &person_post)
            .await
            .contains(&c2)
    );
    assert!(
        !comment_ids(&app, Some(&ada), &person_post)
            .await
            .contains(&c2)
    );
    let r = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/comments/{c2}/moderation"),
            json!({"action": "hide"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "hidden from her, so not found"
    );
    let r = app
        .post_json(
            Some(&carol),
            &format!("/api/v1/comments/{c2}/moderation"),
            json!({"action": "lift"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(
        comment_ids(&app, Some(&ada), &person_post)
            .await
            .contains(&c2)
    );

    let r = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/comments/{c3}/moderation"),
            json!({"action": "remove", "reason": "Spam"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    settle(&app).await;
    assert!(
        !comment_ids(&app, Some(&bob), &page_post)
            .await
            .contains(&c3)
    );
    assert!(
        !comment_ids(&app, Some(&ada), &page_post)
            .await
            .contains(&c3)
    );
    // The counters follow.
    let p = app.get(&format!("/api/v1/posts/{page_post}")).await.json();
    assert_eq!(p["counts"]["comments"], 1, "{p}");
    let r = app
        .call(
            Method::DELETE,
            Some(&ada),
            &format!("/api/v1/comments/{c1}"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(comment_ids(&app, None, &page_post).await.is_empty());
    let r = app
        .call(
            Method::DELETE,
            Some(&bob),
            &format!("/api/v1/comments/{c2}"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "its author deletes it");
    let log = app
        .get_as(&ada, "/api/v1/moderation/log?queue=page:acme")
        .await
        .json();
    assert_eq!(log["items"][0]["action"], "remove");
    assert_eq!(log["items"][0]["reason"], "Spam");
}

/// Who sees what once moderation acted: hidden, removed, limited and
/// suspended content over each viewer (the lens decides, like an
/// audience; counters and search follow).
#[tokio::test]
async fn moderated_content_matrix() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Moderator").await;
    let eve = app.member("eve", "Eve Member").await;
    let fay = app.member("fay", "Fay Author").await;
    staff(&app, "dan", false, true).await;
    acme(&app, &ada).await;
    app.connect(&bob, &carol).await;
    app.connect(&fay, &carol).await;
    // bob: author; ada: page editor; dan: moderator; carol: bob's contact;
    // eve: a member; anonymous.
    let page_post = publish(
        &app,
        &ada,
        json!({"text": "Annonce ACME", "audience": "public", "as": "acme"}),
    )
    .await;
    let hidden_c = comment(&app, &bob, &page_post, "commentaire masqué").await;
    let removed_c = comment(&app, &bob, &page_post, "commentaire retiré").await;
    let hidden_p = publish(
        &app,
        &bob,
        json!({"text": "publication masquée zebulon", "audience": "public"}),
    )
    .await;
    let limited_p = publish(
        &app,
        &fay,
        json!({"text": "publication restreinte xylophone", "audience": "public"}),
    )
    .await;
    let r1 = reported(&app, &eve, json!({"kind": "comment", "id": hidden_c})).await;
    let r2 = reported(&app, &eve, json!({"kind": "comment", "id": removed_c})).await;
    let r3 = reported(&app, &eve, json!({"kind": "post", "id": hidden_p})).await;
    let r4 = reported(&app, &eve, json!({"kind": "post", "id": limited_p})).await;
    for (who, report, body) in [
        (
            &ada,
            &r1,
            json!({"queue": "page:acme", "action": "hide", "reason": "r"}),
        ),
        (
            &ada,
            &r2,
            json!({"queue": "page:acme", "action": "remove", "reason": "r"}),
        ),
        (&dan, &r3, json!({"action": "hide", "reason": "r"})),
        (&dan, &r4, json!({"action": "limit", "reason": "r"})),
    ] {
        let r = decide(&app, who, report, body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    settle(&app).await;

    let viewers: [(&str, Option<&Member>); 6] = [
        ("author", Some(&bob)),
        ("page editor", Some(&ada)),
        ("moderator", Some(&dan)),
        ("contact", Some(&carol)),
        ("member", Some(&eve)),
        ("anonymous", None),
    ];
    // (viewer, hidden comment, removed comment, hidden post, limited post)
    let expected = [
        ("author", true, false, true, false),
        ("page editor", true, false, false, false),
        ("moderator", true, true, true, true),
        ("contact", false, false, false, true),
        ("member", false, false, false, false),
        ("anonymous", false, false, false, false),
    ];
    for ((name, viewer), (ename, hc, rc, hp, lp)) in viewers.iter().zip(expected) {
        assert_eq!(*name, ename);
        let comments = comment_ids(&app, *viewer, &page_post).await;
        assert_eq!(comments.contains(&hidden_c), hc, "{name}: hidden comment");
        assert_eq!(comments.contains(&removed_c), rc, "{name}: removed comment");
        let get = |id: &str| format!("/api/v1/posts/{id}");
        let seen = |r: crate::support::Response| r.status == StatusCode::OK;
        let (hp_seen, lp_seen) = match viewer {
            Some(m) => (
                seen(app.get_as(m, &get(&hidden_p)).await),
                seen(app.get_as(m, &get(&limited_p)).await),
            ),
            None => (
                seen(app.get(&get(&hidden_p)).await),
                seen(app.get(&get(&limited_p)).await),
            ),
        };
        assert_eq!(hp_seen, hp, "{name}: hidden post");
        // fay (the limited author) is not among the viewers: as author she
        // sees her post; carol is her contact.
        assert_eq!(lp_seen, lp, "{name}: limited post");
    }
    assert_eq!(
        app.get_as(&fay, &format!("/api/v1/posts/{limited_p}"))
            .await
            .status,
        StatusCode::OK
    );
    // Search follows: the hidden post is out of the index, the limited one
    // is not found by a member.
    for (m, q) in [(&eve, "zebulon"), (&eve, "xylophone"), (&carol, "zebulon")] {
        let r = app
            .get_as(m, &format!("/api/v1/search?q={q}&kind=post"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(
            r.json()["items"].as_array().unwrap().is_empty(),
            "{q}: {}",
            r.text()
        );
    }
    let r = app
        .get_as(&carol, "/api/v1/search?q=xylophone&kind=post")
        .await
        .json();
    assert_eq!(r["items"].as_array().unwrap().len(), 1, "{r}");
    // Counters: the page's post counts no moderated comment for anyone.
    let p = app
        .get_as(&bob, &format!("/api/v1/posts/{page_post}"))
        .await
        .json();
    assert_eq!(p["counts"]["comments"], 0, "{p}");

    // Suspended: out of sight for all but moderators.
    let r5 = reported(&app, &eve, json!({"kind": "profile", "handle": "fay"})).await;
    let r = decide(&app, &dan, &r5, json!({"action": "suspend", "reason": "r"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    settle(&app).await;
    for (name, viewer) in viewers {
        let (profile, post) = match viewer {
            Some(m) => (
                app.get_as(m, "/api/v1/profiles/fay").await.status,
                app.get_as(m, &format!("/api/v1/posts/{limited_p}"))
                    .await
                    .status,
            ),
            None => (
                app.get("/api/v1/profiles/fay").await.status,
                app.get(&format!("/api/v1/posts/{limited_p}")).await.status,
            ),
        };
        let want = if name == "moderator" {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!((profile, post), (want, want), "{name}: suspended");
    }
    let r = app.get_as(&carol, "/api/v1/search?q=fay").await.json();
    assert!(r["items"].as_array().unwrap().is_empty(), "{r}");
}

async fn set_mode(app: &TestApp, admin: &Member, body: Value) {
    let r = app
        .call(Method::PATCH, Some(admin), "/api/v1/admin/settings", body)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

async fn sign_up(app: &TestApp, handle: &str, extra: Value) -> crate::support::Response {
    let mut body = json!({"email": format!("{handle}@example.org"), "password": crate::support::PASSWORD,
                          "handle": handle, "name": format!("Member {handle}")});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post_json(None, "/api/v1/accounts", body).await
}

async fn sign_in_status(app: &TestApp, handle: &str) -> (StatusCode, String) {
    let r = app
        .post_json(
            None,
            "/api/v1/sessions",
            json!({"email": format!("{handle}@example.org"), "password": crate::support::PASSWORD}),
        )
        .await;
    (
        r.status,
        if r.status.is_success() {
            String::new()
        } else {
            code(&r)
        },
    )
}

#[tokio::test]
async fn registration_modes_end_to_end() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    staff(&app, "ada", true, false).await;
    // Administration is for administrators.
    for uri in [
        "/api/v1/admin/dashboard",
        "/api/v1/admin/settings",
        "/api/v1/admin/staff",
        "/api/v1/admin/signups",
        "/api/v1/admin/codes",
    ] {
        assert_eq!(
            app.get_as(&bob, uri).await.status,
            StatusCode::FORBIDDEN,
            "{uri}"
        );
        assert_eq!(app.get_as(&ada, uri).await.status, StatusCode::OK, "{uri}");
    }
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/admin/settings",
            json!({"registration": "closed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // By invitation: a code is needed, and each signs up one account.
    set_mode(
        &app,
        &ada,
        json!({"registration": "invitation", "name": "Club des dirigeants"}),
    )
    .await;
    let info = app.get("/api/v1/instance").await.json();
    assert_eq!(info["registration"], "invitation");
    assert_eq!(info["name"], "Club des dirigeants");
    let r = sign_up(&app, "gil", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app
        .post_json(Some(&ada), "/api/v1/admin/codes", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let code_made = r.json()["code"].as_str().unwrap().to_owned();
    let r = sign_up(&app, "gil", json!({"code": "wrong"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = sign_up(&app, "gil", json!({"code": code_made})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(sign_in_status(&app, "gil").await.0, StatusCode::CREATED);
    let r = sign_up(&app, "hal", json!({"code": code_made})).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code is used once: {}",
        r.text()
    );
    assert!(r.text().contains("\"code\""), "{}", r.text());
    let codes = app.get_as(&ada, "/api/v1/admin/codes").await.json();
    assert_eq!(codes["items"][0]["used_by"], "gil");

    // By approval: the answer waits; the member is out of sight until then.
    set_mode(
        &app,
        &ada,
        json!({"registration": "approval", "question": "Quelle est votre entreprise ?"}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/instance").await.json()["question"],
        "Quelle est votre entreprise ?"
    );
    let r = sign_up(&app, "ivy", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for h in ["ivy", "jon"] {
        let r = sign_up(&app, h, json!({"answer": "Une PME de Caen"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    assert_eq!(
        sign_in_status(&app, "ivy").await,
        (StatusCode::FORBIDDEN, "account_not_approved".into())
    );
    settle(&app).await;
    assert_eq!(
        app.get_as(&bob, "/api/v1/profiles/ivy").await.status,
        StatusCode::NOT_FOUND
    );
    let waiting = app.get_as(&ada, "/api/v1/admin/signups").await.json();
    assert_eq!(waiting["items"][0]["handle"], "ivy");
    assert_eq!(waiting["items"][0]["answer"], "Une PME de Caen");
    assert_eq!(
        app.get_as(&ada, "/api/v1/admin/dashboard").await.json()["pending_signups"],
        2
    );
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/admin/signups/ivy",
            json!({"approve": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/admin/signups/jon",
            json!({"approve": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/admin/signups/jon",
            json!({"approve": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "declined is decided");
    settle(&app).await;
    assert_eq!(sign_in_status(&app, "ivy").await.0, StatusCode::CREATED);
    assert_eq!(
        sign_in_status(&app, "jon").await,
        (StatusCode::FORBIDDEN, "account_not_approved".into())
    );
    assert_eq!(
        app.get_as(&bob, "/api/v1/profiles/ivy").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get_as(&bob, "/api/v1/profiles/jon").await.status,
        StatusCode::NOT_FOUND
    );

    // Open again, but not from a blocked domain (nor its subdomains).
    set_mode(&app, &ada, json!({"registration": "open"})).await;
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/admin/domain-blocks/example.org",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = sign_up(&app, "kim", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("domain_blocked"), "{}", r.text());
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/admin/domain-blocks/not%20a%20domain",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            Method::DELETE,
            Some(&ada),
            "/api/v1/admin/domain-blocks/example.org",
            json!({}),
        )
        .await;
    assert_eq!(r.json()["domains"], json!([]));
    assert_eq!(
        sign_up(&app, "kim", json!({})).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn roles_are_granted_and_revoked_by_administrators() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    staff(&app, "ada", true, false).await;
    assert_eq!(
        app.get_as(&carol, "/api/v1/moderation/queue").await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/admin/staff/carol",
            json!({"admin": false, "moderator": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    settle(&app).await;
    assert_eq!(
        app.get_as(&carol, "/api/v1/moderation/queue").await.status,
        StatusCode::OK
    );
    let staff_list = app.get_as(&ada, "/api/v1/admin/staff").await.json();
    let handles: Vec<&str> = staff_list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["handle"].as_str().unwrap())
        .collect();
    assert_eq!(handles, ["ada", "carol"]);
    let r = app
        .call(
            Method::PUT,
            Some(&bob),
            "/api/v1/admin/staff/bob",
            json!({"admin": true, "moderator": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/admin/staff/ada",
            json!({"admin": false, "moderator": false}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "an administrator keeps his own role"
    );
    assert_eq!(code(&r), "own_administration");
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/admin/staff/carol",
            json!({"admin": false, "moderator": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    settle(&app).await;
    assert_eq!(
        app.get_as(&carol, "/api/v1/moderation/queue").await.status,
        StatusCode::FORBIDDEN
    );
    let d = app.get_as(&ada, "/api/v1/admin/dashboard").await.json();
    assert_eq!(d["members"], 3);
}

/// The same story through the pages, as a browser without JavaScript
/// uses them: report a comment, the page's team hides it from its queue,
/// the moderator suspends its author from the instance's, the log and the
/// reporter's list; mutes and the administration page.
#[tokio::test]
async fn moderation_through_the_pages() {
    use crate::post_pages::{Browser, location};
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Moderator").await;
    staff(&app, "dan", true, true).await;
    acme(&app, &ada).await;
    let post = publish(
        &app,
        &ada,
        json!({"text": "Offre", "audience": "public", "as": "acme"}),
    )
    .await;
    let hostile = comment(&app, &bob, &post, "Bande de voleurs").await;

    let mut c = Browser::signed_in(&app, &carol.email).await;
    let page = c.get(&format!("/posts/{post}")).await.text();
    assert!(
        page.contains(&format!("/report?kind=comment&amp;id={hostile}")),
        "{page}"
    );
    let form = c.get(&format!("/report?kind=comment&id={hostile}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text().contains("You are reporting a comment"),
        "{}",
        form.text()
    );
    // No reason: the form comes back, saying so.
    let r = c
        .post(
            "/report",
            &[("kind", "comment"), ("id", &hostile), ("note", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Choose why you report it."));
    let r = c
        .post(
            "/report",
            &[
                ("kind", "comment"),
                ("id", &hostile),
                ("reason", "harassment"),
                ("note", "Insultes"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/reports?filed=1");
    let mine = c.get("/reports?filed=1").await.text();
    assert!(mine.contains("Waiting for a moderator"), "{mine}");

    // Ada's queue for the page: the comment as reported, no reporter.
    settle(&app).await;
    let mut a = Browser::signed_in(&app, &ada.email).await;
    let home = a.get("/").await.text();
    assert!(
        home.contains("data-testid=\"nav-moderation\""),
        "an editor has a queue"
    );
    let q = a.get("/moderation?queue=page:acme").await.text();
    assert!(
        q.contains("Bande de voleurs") && !q.contains("Carol"),
        "{q}"
    );
    let report_id = q
        .split("/moderation/reports/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let r = a
        .post(
            &format!("/moderation/reports/{report_id}/decision"),
            &[("queue", "page:acme"), ("action", "hide"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("Say why: the member is told."),
        "{}",
        r.text()
    );
    let r = a
        .post(
            &format!("/moderation/reports/{report_id}/decision"),
            &[
                ("queue", "page:acme"),
                ("action", "hide"),
                ("reason", "Insultes"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/moderation?queue=page%3Aacme&decided=1");
    settle(&app).await;
    assert!(
        !c.get(&format!("/posts/{post}"))
            .await
            .text()
            .contains("Bande de voleurs")
    );
    let mut b = Browser::signed_in(&app, &bob.email).await;
    let own = b.get(&format!("/posts/{post}")).await.text();
    assert!(
        own.contains("Bande de voleurs") && own.contains("data-testid=\"comment-state\""),
        "{own}"
    );

    // The moderator suspends bob from the instance's queue; the log.
    let mut d = Browser::signed_in(&app, &dan.email).await;
    let q = d.get("/moderation").await.text();
    assert!(
        q.contains("Carol"),
        "the instance's queue names the reporter: {q}"
    );
    let r = d
        .post(
            &format!("/moderation/reports/{report_id}/decision"),
            &[
                ("queue", "instance"),
                ("action", "suspend_for"),
                ("days", "7"),
                ("reason", "Insultes répétées"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/moderation?queue=instance&decided=1");
    settle(&app).await;
    let log = d.get("/moderation/log").await.text();
    assert!(
        log.contains("member suspended for a time") && log.contains("hidden"),
        "{log}"
    );
    assert!(log.contains("Insultes répétées"));
    let r = b.get("/").await;
    assert!(
        r.text().contains("data-testid=\"nav-signin\""),
        "bob's session ended"
    );
    let r = b
        .post(
            "/signin",
            &[
                ("email", &bob.email),
                ("password", crate::support::PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.text().contains("Insultes répétées"),
        "he is told why: {}",
        r.text()
    );
    let mine = c.get("/reports").await.text();
    assert!(
        mine.contains("Handled: member suspended for a time"),
        "{mine}"
    );

    // Mutes from the profile and the settings page.
    let r = c.post("/@ada/mute", &[]).await;
    assert_eq!(location(&r), "/@ada");
    let settings = c.get("/settings/mutes").await.text();
    assert!(
        settings.contains("data-testid=\"unmute-ada\""),
        "{settings}"
    );
    let r = c
        .post("/settings/mutes", &[("words", "crypto\n#nft")])
        .await;
    assert_eq!(location(&r), "/settings/mutes?saved=1");
    assert!(
        c.get("/settings/mutes?saved=1")
            .await
            .text()
            .contains("#nft")
    );

    // The administration page: for administrators only.
    assert_eq!(c.get("/admin").await.status, StatusCode::FORBIDDEN);
    let admin = d.get("/admin").await.text();
    assert!(
        admin.contains("data-testid=\"dashboard\"") && admin.contains("Dan Moderator"),
        "{admin}"
    );
    let r = d
        .post(
            "/admin/settings",
            &[
                ("registration", "invitation"),
                ("name", "Club"),
                ("rules_en", "Be kind."),
            ],
        )
        .await;
    assert_eq!(location(&r), "/admin?done=1#settings");
    let r = d.post("/admin/codes", &[]).await;
    let code = location(&r)
        .split("code=")
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned();
    let signup = app.get(&format!("/signup?code={code}")).await.text();
    assert!(
        signup.contains("data-testid=\"signup-code\"") && signup.contains(&code),
        "{signup}"
    );
    assert!(app.get("/about/rules").await.text().contains("Be kind."));
}

#[tokio::test]
async fn a_groups_moderators_work_its_queue() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/groups",
            json!({"handle": "club", "name": "Club", "kind": "open"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    for m in [&bob, &carol] {
        let r = app
            .post_json(Some(m), "/api/v1/groups/club/members", json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let post = publish(
        &app,
        &bob,
        json!({"text": "Achetez mes cryptos", "audience": "group:club"}),
    )
    .await;
    let id = reported(&app, &carol, json!({"kind": "post", "id": post})).await;
    settle(&app).await;
    let q = app
        .get_as(&ada, "/api/v1/moderation/queue?queue=group:club")
        .await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.text());
    assert_eq!(
        q.json()["items"][0]["actions"],
        json!(["dismiss", "remove", "lift"])
    );
    assert_eq!(
        app.get_as(&carol, "/api/v1/moderation/queue?queue=group:club")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = decide(
        &app,
        &ada,
        &id,
        json!({"queue": "group:club", "action": "limit", "reason": "x"}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "sanctions are the instance's"
    );
    let r = decide(
        &app,
        &ada,
        &id,
        json!({"queue": "group:club", "action": "remove", "reason": "Spam"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    settle(&app).await;
    assert_eq!(
        app.get_as(&carol, &format!("/api/v1/posts/{post}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_as(&bob, &format!("/api/v1/posts/{post}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let feed = app.get_as(&carol, "/api/v1/groups/club/posts").await.json();
    assert!(feed["items"].as_array().unwrap().is_empty(), "{feed}");
    let queues = app.get_as(&ada, "/api/v1/moderation/queues").await.json();
    assert_eq!(queues["queues"], json!(["group:club"]));
    // (Found by the contract fuzzing: an empty standing is no standing.)
    let r = app
        .get_as(&ada, "/api/v1/groups/club/members?standing=")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_keyword_filters_feed_the_pages_queue() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    acme(&app, &ada).await;
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/pages/acme/inbox-settings",
            json!({"response_target_hours": 4, "replies": "everyone", "keyword_filters": ["arnaque"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let post = publish(
        &app,
        &ada,
        json!({"text": "Offre", "audience": "public", "as": "acme"}),
    )
    .await;
    let held = comment(&app, &bob, &post, "C'est une arnaque").await;
    let kept = comment(&app, &bob, &post, "Encore une arnaque").await;
    settle(&app).await;
    assert!(!comment_ids(&app, Some(&carol), &post).await.contains(&held));
    let q = app
        .get_as(&ada, "/api/v1/moderation/held?queue=page:acme")
        .await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.text());
    let ids: Vec<&str> = q.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned().leak() as &str)
        .collect();
    assert_eq!(ids, [held.as_str(), kept.as_str()]);
    assert_eq!(
        app.get_as(&carol, "/api/v1/moderation/held?queue=page:acme")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post_json(
            Some(&carol),
            &format!("/api/v1/moderation/held/{held}/publish"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/moderation/held/{held}/publish"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .call(
            Method::DELETE,
            Some(&ada),
            &format!("/api/v1/comments/{kept}"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    settle(&app).await;
    assert_eq!(
        comment_ids(&app, Some(&carol), &post).await,
        vec![held.clone()]
    );
    let q = app
        .get_as(&ada, "/api/v1/moderation/held?queue=page:acme")
        .await
        .json();
    assert!(q["items"].as_array().unwrap().is_empty());
    let r = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/moderation/held/{held}/publish"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "published already");
}

#[tokio::test]
async fn a_message_is_reported_by_who_received_it() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    staff(&app, "carol", false, true).await;
    app.connect(&ada, &bob).await;
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/conversations",
            json!({"with": ["ada"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let conversation = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"text": "Achetez mes formations"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let message = r.json()["id"].as_str().unwrap().to_owned();
    // Only a participant reports it; its author may not.
    let r = report(
        &app,
        &carol,
        json!({"kind": "message", "id": message}),
        "spam",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = report(
        &app,
        &bob,
        json!({"kind": "message", "id": message}),
        "spam",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    reported(&app, &ada, json!({"kind": "message", "id": message})).await;
    settle(&app).await;
    let q = app.get_as(&carol, "/api/v1/moderation/queue").await.json();
    assert_eq!(q["items"][0]["snapshot"]["text"], "Achetez mes formations");
    assert_eq!(q["items"][0]["target"]["kind"], "message");
    assert_eq!(
        q["items"][0]["actions"],
        json!(["dismiss", "warn", "limit", "suspend_for", "suspend", "lift"])
    );
    // A group and a profile are reported by handle.
    reported(&app, &ada, json!({"kind": "profile", "handle": "bob"})).await;
    let r = report(
        &app,
        &ada,
        json!({"kind": "group", "handle": "nowhere"}),
        "spam",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_block_keeps_a_member_out_of_a_pages_queue_and_a_reporters_list() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    acme(&app, &ada).await;
    let post = publish(
        &app,
        &ada,
        json!({"text": "Offre", "audience": "public", "as": "acme"}),
    )
    .await;
    let hostile = comment(&app, &bob, &post, "Nuls").await;
    let id = reported(&app, &carol, json!({"kind": "comment", "id": hostile})).await;
    reported(&app, &carol, json!({"kind": "profile", "handle": "bob"})).await;
    // Bob blocks ada: her page's team no longer sees the report on him
    // (only instance moderators see through blocks), nor acts on it.
    let r = app
        .call(Method::PUT, Some(&bob), "/api/v1/blocks/ada", json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    settle(&app).await;
    let q = app
        .get_as(&ada, "/api/v1/moderation/queue?queue=page:acme")
        .await
        .json();
    assert!(q["items"].as_array().unwrap().is_empty(), "{q}");
    let r = decide(
        &app,
        &ada,
        &id,
        json!({"queue": "page:acme", "action": "hide", "reason": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Bob blocks carol: her list of reports no longer names him.
    let r = app
        .call(Method::PUT, Some(&bob), "/api/v1/blocks/carol", json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    settle(&app).await;
    let mine = app.get_as(&carol, "/api/v1/reports/mine").await.json();
    assert_eq!(
        mine["items"][0]["target"],
        json!({"kind": "profile"}),
        "{mine}"
    );
}

/// Items waiting in the firm's inbox.
async fn open_items(app: &TestApp, m: &Member) -> usize {
    settle(app).await;
    app.get_as(m, "/api/v1/inbox?as=acme").await.json()["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_removed_comment_leaves_the_pages_inbox() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    staff(&app, "carol", false, true).await;
    acme(&app, &ada).await;
    let post = publish(
        &app,
        &ada,
        json!({"text": "Offre", "audience": "public", "as": "acme"}),
    )
    .await;
    let hostile = comment(&app, &bob, &post, "Escrocs").await;
    settle(&app).await;
    assert_eq!(open_items(&app, &ada).await, 1);
    let id = reported(&app, &ada, json!({"kind": "comment", "id": hostile})).await;
    let r = decide(
        &app,
        &carol,
        &id,
        json!({"action": "remove", "reason": "Injure"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        open_items(&app, &ada).await,
        0,
        "removed, it awaits no answer from the page"
    );
}
