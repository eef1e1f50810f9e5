//! Profile visits ("who viewed my profile"), each visitor shown as his own
//! setting says, and a page's statistics for its managers.

use crate::support::{Member, PASSWORD, Req, TestApp, code};
use axum::http::{Method, StatusCode};
use entremise_media::samples;
use serde_json::{Value, json};
use time::Duration;

async fn image_id(app: &TestApp, m: &Member) -> String {
    let photo = samples::jpeg(samples::gradient(64, 32));
    let r = app.upload(m, &photo, "Le port de Honfleur").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

/// Views a profile, a minute after the previous visit.
async fn visit(app: &TestApp, m: Option<&Member>, handle: &str) -> StatusCode {
    app.clock.advance(Duration::minutes(1));
    let uri = format!("/api/v1/profiles/{handle}");
    match m {
        Some(m) => app.get_as(m, &uri).await.status,
        None => app.get(&uri).await.status,
    }
}

async fn visitors(app: &TestApp, m: &Member) -> Value {
    let r = app.get_as(m, "/api/v1/me/visitors").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn each_visitor_is_shown_as_his_own_setting_says() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let bob = app.member("bob", "Bob Marchand").await;
    let carol = app.member("carol", "Carol Hébert").await;
    let dan = app.member("dan", "Dan Perrin").await;
    let eve = app.member("eve", "Eve Quéré").await;
    // Bob shows his name (the default); Carol her organization only; Dan
    // too, but he has none; Eve nothing.
    app.patch_profile(
        &carol,
        "carol",
        json!({"fields": {"organization": "ACME Conseil"}, "settings": {"visits": "organization"}}),
    )
    .await;
    app.patch_profile(&dan, "dan", json!({"settings": {"visits": "organization"}}))
        .await;
    app.patch_profile(&eve, "eve", json!({"settings": {"visits": "nothing"}}))
        .await;

    assert!(
        visitors(&app, &ada).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    for m in [&eve, &dan, &carol, &bob] {
        assert_eq!(visit(&app, Some(m), "ada").await, StatusCode::OK);
    }
    // Bob again (the same day: still one entry), Ada herself, an anonymous
    // visitor: nothing more.
    assert_eq!(visit(&app, Some(&bob), "ada").await, StatusCode::OK);
    assert_eq!(visit(&app, Some(&ada), "ada").await, StatusCode::OK);
    assert_eq!(visit(&app, None, "ada").await, StatusCode::OK);

    let r = app.get_as(&ada, "/api/v1/me/visitors").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let list = r.json();
    assert_eq!(
        list,
        json!({
            "items": [
                {"kind": "named", "handle": "bob", "name": "Bob Marchand", "visited_on": "2026-11-30"},
                {"kind": "organization", "organization": "ACME Conseil", "visited_on": "2026-11-30"},
                {"kind": "organization", "organization": null, "visited_on": "2026-11-30"},
            ],
            "next": null,
            "anonymous_count": 1,
        })
    );
    // Nothing else of those who did not show their name.
    let body = r.text();
    for leak in ["carol", "Carol", "dan", "Dan", "eve", "Eve", "ada"] {
        assert!(!body.contains(leak), "{leak} leaked: {body}");
    }
    // Ada visited nobody else; Bob was visited by nobody.
    assert_eq!(
        visitors(&app, &bob).await,
        json!({"items": [], "next": null, "anonymous_count": 0})
    );

    // The page, in the viewer's language.
    let page = app.get_as(&ada, "/settings/visitors").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Bob Marchand") && html.contains("ACME Conseil"));
    assert!(!html.contains("Carol H") && !html.contains("Eve Qu"));
    assert!(
        app.get_as(&ada, "/network")
            .await
            .text()
            .contains("/settings/visitors")
    );
    let r = app.get_as(&ada, "/api/v1/me/visitors?limit=many").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["fields"][0]["field"], "limit");
    // Signed out: the API says 401, the page sends to sign-in.
    assert_eq!(
        app.get("/api/v1/me/visitors").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/settings/visitors").await.status,
        StatusCode::SEE_OTHER
    );

    // A visitor who changes his mind is shown as he says now.
    app.patch_profile(&bob, "bob", json!({"settings": {"visits": "nothing"}}))
        .await;
    let list = visitors(&app, &ada).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["anonymous_count"], 2);

    // Visits older than 90 days are forgotten.
    app.clock.advance(Duration::days(91));
    let ada = Member {
        token: app.sign_in(&ada.email, PASSWORD).await,
        ..ada
    };
    assert_eq!(
        visitors(&app, &ada).await,
        json!({"items": [], "next": null, "anonymous_count": 0})
    );
}

#[tokio::test]
async fn blocked_pairs_are_neither_recorded_nor_shown() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let bob = app.member("bob", "Bob Marchand").await;
    let carol = app.member("carol", "Carol Hébert").await;
    assert_eq!(visit(&app, Some(&bob), "ada").await, StatusCode::OK);
    assert_eq!(visit(&app, Some(&carol), "ada").await, StatusCode::OK);
    let handles = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["handle"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(handles(&visitors(&app, &ada).await), ["carol", "bob"]);

    // Ada blocks Bob: his earlier visit is no longer shown, and he cannot
    // visit again.
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/blocks/bob").bearer(&ada.token))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(handles(&visitors(&app, &ada).await), ["carol"]);
    assert_eq!(visit(&app, Some(&bob), "ada").await, StatusCode::NOT_FOUND);
    // Carol blocks Ada: her visit goes too, both ways.
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/blocks/ada").bearer(&carol.token))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        visitors(&app, &ada).await,
        json!({"items": [], "next": null, "anonymous_count": 0})
    );
    // Nothing was recorded while blocked: unblocking shows only the old visit.
    let r = app
        .send(Req::new(Method::DELETE, "/api/v1/blocks/bob").bearer(&ada.token))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(handles(&visitors(&app, &ada).await), ["bob"]);
}

async fn create_post(app: &TestApp, m: &Member, body: Value) -> String {
    let r = app.post_json(Some(m), "/api/v1/posts", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

fn stats_of<'a>(stats: &'a Value, id: &str) -> &'a Value {
    stats["posts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("post {id} in {stats}"))
}

#[tokio::test]
async fn a_pages_statistics_are_for_its_managers() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Perrin").await;
    let eve = app.member("eve", "Eve Quéré").await;
    let fay = app.member("fay", "Fay Le Bris").await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    for (member, role) in [("bob", "analyst"), ("carol", "editor")] {
        let r = app
            .call(
                Method::PUT,
                Some(&ada),
                &format!("/api/v1/pages/acme/managers/{member}"),
                json!({"role": role}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }

    // Two text posts and one with an image, as the page.
    let text1 = create_post(
        &app,
        &ada,
        json!({"text": "Nos bureaux ouvrent à Rennes", "audience": "public", "as": "acme"}),
    )
    .await;
    app.clock.advance(Duration::minutes(1));
    let media = image_id(&app, &carol).await;
    let image = create_post(
        &app,
        &carol,
        json!({"text": "Le port", "audience": "public", "as": "acme", "media": [media]}),
    )
    .await;
    app.clock.advance(Duration::minutes(1));
    let text2 = create_post(
        &app,
        &ada,
        json!({"text": "Un séminaire #fiscalité", "audience": "public", "as": "acme"}),
    )
    .await;
    app.clock.advance(Duration::minutes(1));

    // Opened: Dan twice, Eve once; the image by Dan and Eve. The page's own
    // managers do not count.
    for (m, id) in [
        (&dan, &text1),
        (&dan, &text1),
        (&eve, &text1),
        (&dan, &image),
        (&eve, &image),
        (&ada, &text1),
        (&bob, &image),
    ] {
        let r = app.get_as(m, &format!("/api/v1/posts/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    // An anonymous reader does not count either.
    assert_eq!(
        app.get(&format!("/api/v1/posts/{text2}")).await.status,
        StatusCode::OK
    );
    // Fay follows the page and is shown all three in her feed.
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/follows/acme").bearer(&fay.token))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let feed = app.get_as(&fay, "/api/v1/feed").await;
    assert_eq!(feed.json()["items"].as_array().unwrap().len(), 3);
    // Dan reshares the image; Eve likes the first text.
    create_post(
        &app,
        &dan,
        json!({"text": "", "audience": "public", "reshare_of": image}),
    )
    .await;
    let r = app
        .send(
            Req::new(
                Method::PUT,
                &format!("/api/v1/posts/{text1}/reactions/like"),
            )
            .bearer(&eve.token),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());

    // Owner, analyst and editor all see the numbers.
    for m in [&ada, &bob, &carol] {
        let r = app.get_as(m, "/api/v1/pages/acme/stats").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let stats = app.get_as(&bob, "/api/v1/pages/acme/stats").await.json();
    assert_eq!(stats["page"]["handle"], "acme");
    let ids: Vec<&str> = stats["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [text2.as_str(), image.as_str(), text1.as_str()]);
    let t1 = stats_of(&stats, &text1);
    assert_eq!(
        (
            &t1["reach"],
            &t1["reactions"],
            &t1["comments"],
            &t1["reshares"],
            &t1["images"]
        ),
        (&json!(3), &json!(1), &json!(0), &json!(0), &json!(0))
    );
    let img = stats_of(&stats, &image);
    assert_eq!(
        (&img["reach"], &img["reshares"], &img["images"]),
        (&json!(3), &json!(1), &json!(1))
    );
    assert_eq!(stats_of(&stats, &text2)["reach"], 1);
    assert_eq!(
        stats["image_posts"],
        json!({"posts": 1, "average_reshares": 1.0, "average_reach": 3.0})
    );
    assert_eq!(
        stats["text_posts"],
        json!({"posts": 2, "average_reshares": 0.0, "average_reach": 2.0})
    );

    // Members without a role, and strangers: like a missing page.
    for m in [&dan, &fay] {
        let r = app.get_as(m, "/api/v1/pages/acme/stats").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(code(&r), "not_found");
    }
    assert_eq!(
        app.get("/api/v1/pages/acme/stats").await.status,
        StatusCode::UNAUTHORIZED
    );
    // A person has no statistics, not even for himself.
    assert_eq!(
        app.get_as(&ada, "/api/v1/pages/ada/stats").await.status,
        StatusCode::NOT_FOUND
    );
    // A role taken away takes the numbers with it.
    let r = app
        .call(
            Method::DELETE,
            Some(&ada),
            "/api/v1/pages/acme/managers/bob",
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        app.get_as(&bob, "/api/v1/pages/acme/stats").await.status,
        StatusCode::NOT_FOUND
    );

    // The page, linked from the manage page.
    let html = app.get_as(&carol, "/@acme/stats").await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.text().contains("Nos bureaux ouvrent à Rennes"));
    assert!(
        app.get_as(&carol, "/@acme/manage")
            .await
            .text()
            .contains("/@acme/stats")
    );
    assert_eq!(
        app.get_as(&dan, "/@acme/stats").await.status,
        StatusCode::NOT_FOUND
    );
}
