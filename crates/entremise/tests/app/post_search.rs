//! Search over posts and groups through the real API and page: each post
//! found exactly by the viewers its audience admits (contacts, a group's
//! members, the author of a scheduled post, nobody across a block), ranked
//! by relation then recency, hashtags with or without `#`, edits and
//! deletions reflected at once; groups by name or tag, secret ones only by
//! their members.

use crate::support::{Member, Req, TestApp};
use axum::http::{Method, StatusCode};
use entremise_domain::service::Viewer;
use serde_json::{Value, json};

async fn search(app: &TestApp, viewer: Option<&Member>, query: &str) -> Value {
    let uri = format!("/api/v1/search?{query}");
    let r = match viewer {
        Some(m) => app.get_as(m, &uri).await,
        None => app.get(&uri).await,
    };
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
    r.json()
}

/// The ids of the posts found by `q`.
async fn posts_found(app: &TestApp, viewer: Option<&Member>, q: &str) -> Vec<String> {
    let found = search(app, viewer, &format!("kind=post&q={}", urlencode(q))).await;
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["kind"], "post", "{i}");
            i["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn groups_found(app: &TestApp, viewer: Option<&Member>, q: &str) -> Vec<String> {
    let found = search(app, viewer, &format!("kind=group&q={}", urlencode(q))).await;
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["kind"], "group", "{i}");
            i["handle"].as_str().unwrap().to_owned()
        })
        .collect()
}

fn urlencode(s: &str) -> String {
    crate::support::urlencode(s)
}

async fn post(app: &TestApp, m: &Member, body: Value) -> String {
    let r = app.post_json(Some(m), "/api/v1/posts", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn viewer(app: &TestApp, m: &Member) -> Viewer {
    app.app.accounts().authenticate(&m.token).await.unwrap()
}

async fn create_group(app: &TestApp, owner: &Member, input: Value) {
    let input = serde_json::from_value(input).unwrap();
    app.app
        .groups()
        .create(&viewer(app, owner).await, input)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_contacts_post_is_found_by_contacts_only() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    let id = post(
        &app,
        &ada,
        json!({"text": "Bilan trimestriel des audits de la coopérative", "audience": "contacts"}),
    )
    .await;
    // Stems: "audit" finds "audits"; accents folded.
    assert_eq!(
        posts_found(&app, Some(&bob), "audit cooperative").await,
        vec![id.clone()]
    );
    assert_eq!(
        posts_found(&app, Some(&ada), "audits").await,
        vec![id.clone()]
    );
    assert!(posts_found(&app, Some(&carol), "audit").await.is_empty());
    assert!(posts_found(&app, None, "audit").await.is_empty());
    // Profiles are still what a search without a kind finds.
    let plain = search(&app, Some(&bob), "q=audit").await;
    assert_eq!(plain["total"], 0, "{plain}");
}

#[tokio::test]
async fn a_public_post_is_found_by_anonymous_viewers_with_its_author_and_a_snippet() {
    let app = TestApp::new().await;
    let (ada, _bob, _carol) = app.cast().await;
    let id = post(
        &app,
        &ada,
        json!({"text": "Retour sur le salon de la comptabilité à Lyon, et nos notes.", "audience": "public"}),
    )
    .await;
    let found = search(&app, None, "kind=post&q=comptabilite").await;
    assert_eq!(found["total"], 1, "{found}");
    let item = &found["items"][0];
    assert_eq!(item["id"], id.as_str());
    assert_eq!(item["name"], "Ada Lovelace");
    assert_eq!(item["author"]["handle"], "ada");
    assert!(
        item["snippet"].as_str().unwrap().contains("comptabilité"),
        "{item}"
    );
    assert!(item["published_at"].is_string(), "{item}");
    assert!(item.get("relation").is_some(), "{item}");
}

#[tokio::test]
async fn a_post_authors_name_follows_his_name_audience() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    app.patch_profile(&ada, "ada", json!({"audiences": {"name": "members"}}))
        .await;
    post(
        &app,
        &ada,
        json!({"text": "Les registres de la vigne", "audience": "public"}),
    )
    .await;
    let anonymous = search(&app, None, "kind=post&q=registres").await;
    assert_eq!(anonymous["items"][0]["name"], "ada", "{anonymous}");
    assert_eq!(
        anonymous["items"][0]["author"]["name"], "ada",
        "{anonymous}"
    );
    let member = search(&app, Some(&bob), "kind=post&q=registres").await;
    assert_eq!(member["items"][0]["name"], "Ada Lovelace", "{member}");
}

#[tokio::test]
async fn a_group_post_is_found_by_the_groups_members_only() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &carol).await;
    create_group(
        &app,
        &ada,
        json!({"handle": "compta", "name": "Comptables de l'Ouest", "kind": "open"}),
    )
    .await;
    app.app
        .groups()
        .join(&viewer(&app, &bob).await, "compta")
        .await
        .unwrap();
    let id = post(
        &app,
        &ada,
        json!({"text": "Réunion des liasses fiscales jeudi", "audience": "group:compta"}),
    )
    .await;
    assert_eq!(
        posts_found(&app, Some(&bob), "liasses").await,
        vec![id.clone()]
    );
    assert_eq!(
        posts_found(&app, Some(&ada), "liasses").await,
        vec![id.clone()]
    );
    // A contact of the author outside the group does not find it.
    assert!(posts_found(&app, Some(&carol), "liasses").await.is_empty());
    assert!(posts_found(&app, None, "liasses").await.is_empty());
}

#[tokio::test]
async fn a_blocked_authors_posts_are_never_found_either_way() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let from_ada = post(
        &app,
        &ada,
        json!({"text": "Atelier kamishibai ouvert à tous", "audience": "public"}),
    )
    .await;
    let from_carol = post(
        &app,
        &carol,
        json!({"text": "Mon kamishibai du dimanche", "audience": "public"}),
    )
    .await;
    assert_eq!(posts_found(&app, Some(&carol), "kamishibai").await.len(), 2);
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/blocks/ada").bearer(&carol.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        posts_found(&app, Some(&carol), "kamishibai").await,
        vec![from_carol.clone()]
    );
    assert_eq!(
        posts_found(&app, Some(&ada), "kamishibai").await,
        vec![from_ada.clone()]
    );
    let mut others = posts_found(&app, Some(&bob), "kamishibai").await;
    others.sort();
    let mut both = vec![from_ada, from_carol];
    both.sort();
    assert_eq!(others, both);
}

#[tokio::test]
async fn a_scheduled_post_is_found_by_its_author_only_until_it_appears() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = post(
        &app,
        &ada,
        json!({"text": "Webinaire sur la facturation électronique", "audience": "public",
               "as": "acme", "publish_at": "2026-12-01T09:00:00Z"}),
    )
    .await;
    // Ada runs the page that wrote it.
    assert_eq!(
        posts_found(&app, Some(&ada), "facturation").await,
        vec![id.clone()]
    );
    assert!(
        posts_found(&app, Some(&bob), "facturation")
            .await
            .is_empty()
    );
    assert!(posts_found(&app, None, "facturation").await.is_empty());
    app.clock.advance(time::Duration::days(2));
    assert_eq!(
        posts_found(&app, Some(&bob), "facturation").await,
        vec![id.clone()]
    );
    assert_eq!(posts_found(&app, None, "facturation").await, [id]);
}

#[tokio::test]
async fn hashtags_are_found_with_or_without_the_sign() {
    let app = TestApp::new().await;
    let (ada, _bob, _carol) = app.cast().await;
    let tagged = post(
        &app,
        &ada,
        json!({"text": "Journée #Inventaire à Caen", "audience": "public"}),
    )
    .await;
    let plain = post(
        &app,
        &ada,
        json!({"text": "L'inventaire de fin d'année approche", "audience": "public"}),
    )
    .await;
    // With the sign: the hashtag only.
    assert_eq!(
        posts_found(&app, None, "#inventaire").await,
        vec![tagged.clone()]
    );
    // Without: the word, hashtag or not (newest first).
    assert_eq!(posts_found(&app, None, "inventaire").await, [plain, tagged]);
}

#[tokio::test]
async fn contacts_posts_come_first_then_the_2nd_degree_then_the_rest_newest_first() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dave = app.member("dave", "Dave Perrin").await;
    // bob is ada's contact; carol is 2nd degree (through bob); dave is a stranger.
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    let minute = time::Duration::minutes(1);
    let bob_old = post(
        &app,
        &bob,
        json!({"text": "Tournesol ancien", "audience": "public"}),
    )
    .await;
    app.clock.advance(minute);
    let carol_post = post(
        &app,
        &carol,
        json!({"text": "Tournesol voisin", "audience": "public"}),
    )
    .await;
    app.clock.advance(minute);
    let dave_post = post(
        &app,
        &dave,
        json!({"text": "Tournesol lointain", "audience": "public"}),
    )
    .await;
    app.clock.advance(minute);
    let bob_new = post(
        &app,
        &bob,
        json!({"text": "Tournesol récent", "audience": "public"}),
    )
    .await;
    assert_eq!(
        posts_found(&app, Some(&ada), "tournesol").await,
        [
            bob_new.clone(),
            bob_old.clone(),
            carol_post.clone(),
            dave_post.clone()
        ]
    );
    let found = search(&app, Some(&ada), "kind=post&q=tournesol").await;
    assert_eq!(found["items"][0]["degree"], 1);
    assert_eq!(found["items"][2]["degree"], 2);
    // An anonymous viewer: newest first.
    assert_eq!(
        posts_found(&app, None, "tournesol").await,
        [bob_new, dave_post.clone(), carol_post, bob_old]
    );
    // The degree filter narrows posts to their authors' degree.
    let far = search(&app, Some(&ada), "kind=post&q=tournesol&degree=3").await;
    assert_eq!(far["total"], 1);
    assert_eq!(far["items"][0]["id"], dave_post.as_str());
    // Paging.
    let first = search(&app, Some(&ada), "kind=post&q=tournesol&limit=3").await;
    assert_eq!(first["total"], 4);
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    assert!(first["next"].is_string(), "{first}");
}

#[tokio::test]
async fn edits_and_deletions_reach_the_post_index_at_once() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    let id = post(
        &app,
        &ada,
        json!({"text": "Premier jet sur la trésorerie", "audience": "public"}),
    )
    .await;
    assert_eq!(
        posts_found(&app, Some(&bob), "tresorerie").await,
        vec![id.clone()]
    );
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            &format!("/api/v1/posts/{id}"),
            json!({"text": "Version revue sur le prévisionnel"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(posts_found(&app, Some(&bob), "tresorerie").await.is_empty());
    assert_eq!(
        posts_found(&app, Some(&bob), "previsionnel").await,
        vec![id.clone()]
    );
    let r = app
        .send(Req::new(Method::DELETE, &format!("/api/v1/posts/{id}")).bearer(&ada.token))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(
        posts_found(&app, Some(&bob), "previsionnel")
            .await
            .is_empty()
    );
    assert_eq!(app.app.search_index().posts().count().unwrap(), 0);
}

#[tokio::test]
async fn groups_are_found_by_tag_and_secret_ones_by_their_members_only() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    create_group(
        &app,
        &ada,
        json!({"handle": "apiculteurs", "name": "Apiculteurs du bocage", "kind": "open",
               "about": "Ruchers, miel et transhumance.", "tags": ["abeilles", "miel"]}),
    )
    .await;
    create_group(
        &app,
        &ada,
        json!({"handle": "conseil", "name": "Conseil restreint", "kind": "secret",
               "about": "Pour le bureau.", "tags": ["abeilles"]}),
    )
    .await;
    assert_eq!(
        groups_found(&app, Some(&bob), "abeilles").await,
        ["apiculteurs"]
    );
    assert_eq!(groups_found(&app, None, "abeilles").await, ["apiculteurs"]);
    let mut mine = groups_found(&app, Some(&ada), "abeilles").await;
    mine.sort();
    assert_eq!(mine, ["apiculteurs", "conseil"]);
    let found = search(&app, Some(&bob), "kind=group&q=miel").await;
    assert_eq!(found["items"][0]["name"], "Apiculteurs du bocage");
    assert_eq!(
        found["items"][0]["snippet"],
        "Ruchers, miel et transhumance."
    );
    assert!(groups_found(&app, Some(&bob), "conseil").await.is_empty());
}

#[tokio::test]
async fn the_search_page_shows_posts_and_groups_when_asked() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    let id = post(
        &app,
        &ada,
        json!({"text": "Les cidres du pays d'Auge", "audience": "public"}),
    )
    .await;
    create_group(
        &app,
        &ada,
        json!({"handle": "cidriers", "name": "Cidriers normands", "kind": "open",
               "about": "Pommes et cidres.", "tags": ["cidre"]}),
    )
    .await;
    let html = app.get_as(&bob, "/search?q=cidres&kind=post").await.text();
    assert!(html.contains(&format!("href=\"/posts/{id}\"")), "{html}");
    assert!(html.contains("Publication de Ada Lovelace") || html.contains("Post by Ada Lovelace"));
    assert!(html.contains("value=\"post\" selected"), "{html}");
    let html = app.get_as(&bob, "/search?q=cidre&kind=group").await.text();
    assert!(html.contains("href=\"/groups/cidriers\""), "{html}");
    assert!(html.contains("Pommes et cidres."), "{html}");
    let html = app.get("/search?q=introuvable&kind=post").await.text();
    assert!(html.contains("data-testid=\"search-empty\""), "{html}");
}
