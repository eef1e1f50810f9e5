//! Groups (hubs) through the API, as members use them: creating, joining,
//! asking and approving, inviting, banning, leaving; posting to a group;
//! the group feed and the home feed; the expert directory; and a matrix of
//! viewer standings (fellow member, pending, invited, banned, outsider,
//! anonymous) over open, closed and secret groups and every surface a
//! group shows (its page, feed, members, directory, counters, a post by
//! its id, the home feed, search, a reshare, an error).

use crate::support::{Member, TestApp, code};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

async fn handle_of(app: &TestApp, m: &Member) -> String {
    app.get_as(m, "/api/v1/me").await.json()["handle"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn create(app: &TestApp, owner: &Member, handle: &str, kind: &str) {
    let r = app
        .post_json(
            Some(owner),
            "/api/v1/groups",
            json!({"handle": handle, "name": format!("Groupe {handle}"), "kind": kind,
                   "about": "Entraide entre dirigeants", "tags": ["fiscalité", "PME"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["handle"], handle);
}

/// The answer's JSON, or `null` for an empty body (204).
fn json_or_null(r: &crate::support::Response) -> Value {
    if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    }
}

async fn join(app: &TestApp, m: &Member, group: &str) -> (StatusCode, Value) {
    let r = app
        .post_json(
            Some(m),
            &format!("/api/v1/groups/{group}/members"),
            json!({}),
        )
        .await;
    (r.status, json_or_null(&r))
}

async fn act(app: &TestApp, m: &Member, group: &str, who: &str, what: &str) -> (StatusCode, Value) {
    let r = app
        .post_json(
            Some(m),
            &format!("/api/v1/groups/{group}/members/{who}/{what}"),
            json!({}),
        )
        .await;
    (r.status, json_or_null(&r))
}

async fn post(app: &TestApp, m: &Member, audience: &str, text: &str) -> String {
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

async fn feed_ids(app: &TestApp, m: &Member) -> Vec<String> {
    let r = app.get_as(m, "/api/v1/feed").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_closed_group_from_request_to_discussion() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    create(&app, &ada, "fiscalite_pme", "closed").await;

    // Bob asks; the request waits for a moderator.
    let (status, body) = join(&app, &bob, "fiscalite_pme").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["status"], "pending");
    let page = app
        .get_as(&bob, "/api/v1/groups/fiscalite_pme")
        .await
        .json();
    assert_eq!(page["membership"]["standing"], "pending");
    assert!(page.get("members").is_none(), "no counter before he is in");
    let r = app.get_as(&bob, "/api/v1/groups/fiscalite_pme/posts").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&r), "group_members_only");

    // The request awaits Ada in her follow-up inbox, linked to the requests.
    app.app.dispatcher().settle_all().await;
    let inbox = app.get_as(&ada, "/api/v1/inbox").await.json();
    assert_eq!(inbox["items"][0]["kind"], "group_join", "{inbox}");
    assert_eq!(inbox["items"][0]["from"], "bob");
    assert_eq!(
        inbox["items"][0]["url"],
        "/groups/fiscalite_pme/members?standing=pending"
    );
    // Ada sees the request, approves it.
    let ada_view = app
        .get_as(&ada, "/api/v1/groups/fiscalite_pme")
        .await
        .json();
    assert_eq!(ada_view["pending"], 1);
    assert_eq!(ada_view["may"]["moderate"], true);
    let pending = app
        .get_as(
            &ada,
            "/api/v1/groups/fiscalite_pme/members?standing=pending",
        )
        .await
        .json();
    assert_eq!(pending["items"][0]["profile"]["handle"], "bob");
    // Carol, an outsider, may neither see the requests nor approve.
    let r = app
        .get_as(
            &carol,
            "/api/v1/groups/fiscalite_pme/members?standing=pending",
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        act(&app, &carol, "fiscalite_pme", "bob", "approve").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = act(&app, &ada, "fiscalite_pme", "bob", "approve").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "member");
    // Answered in her inbox; Bob is told.
    app.app.dispatcher().settle_all().await;
    let inbox = app.get_as(&ada, "/api/v1/inbox").await.json();
    assert!(inbox["items"].as_array().unwrap().is_empty(), "{inbox}");
    let told = app.get_as(&bob, "/api/v1/notifications").await.json();
    assert_eq!(told["items"][0]["kind"], "group_approved", "{told}");
    assert_eq!(told["items"][0]["object"]["handle"], "fiscalite_pme");

    // Both post; both see both posts in the group and in their home feed.
    let p1 = post(
        &app,
        &ada,
        "group:fiscalite_pme",
        "Bienvenue à tous #fiscalité",
    )
    .await;
    let p2 = post(
        &app,
        &bob,
        "group:fiscalite_pme",
        "Merci ! Une question sur le CIR.",
    )
    .await;
    let group_feed = app
        .get_as(&bob, "/api/v1/groups/fiscalite_pme/posts")
        .await
        .json();
    let ids: Vec<&str> = group_feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [p2.as_str(), p1.as_str()]);
    assert_eq!(group_feed["items"][0]["audience"], "group:fiscalite_pme");
    assert_eq!(
        group_feed["items"][0]["group"]["name"],
        "Groupe fiscalite_pme"
    );
    for m in [&ada, &bob] {
        let feed = feed_ids(&app, m).await;
        assert!(feed.contains(&p1) && feed.contains(&p2), "{feed:?}");
    }
    // Carol sees neither, by id, in her feed, or in the group.
    assert!(feed_ids(&app, &carol).await.is_empty());
    for p in [&p1, &p2] {
        assert_eq!(
            app.get_as(&carol, &format!("/api/v1/posts/{p}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/api/v1/posts/{p}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // A non-member may not post to the group.
    let r = app
        .post_json(
            Some(&carol),
            "/api/v1/posts",
            json!({"text": "Intrusion", "audience": "group:fiscalite_pme"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&r), "group_members_only");

    // A reshare of a group post stays in the group, whatever is asked.
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/posts",
            json!({"text": "À lire", "audience": "public", "reshare_of": p1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let reshare = r.json();
    assert_eq!(reshare["audience"], "group:fiscalite_pme");
    let reshare = reshare["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/posts/{reshare}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!feed_ids(&app, &carol).await.contains(&reshare));

    // Muting the group takes its posts out of Bob's home feed, not the group's.
    let r = app
        .call(
            Method::PUT,
            Some(&bob),
            "/api/v1/groups/fiscalite_pme/me",
            json!({"muted": true, "expertise": ["Crédit d'impôt recherche"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(!feed_ids(&app, &bob).await.contains(&p1));
    assert_eq!(
        app.get_as(&bob, "/api/v1/groups/fiscalite_pme/posts")
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // The directory: who knows what, with what each showed in the group.
    let dir = app
        .get_as(&ada, "/api/v1/groups/fiscalite_pme/directory")
        .await
        .json();
    let bob_entry = dir["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["profile"]["handle"] == "bob")
        .unwrap()
        .clone();
    assert_eq!(bob_entry["expertise"], json!(["Crédit d'impôt recherche"]));
    assert_eq!(bob_entry["posts"], 2);
    let found = app
        .get_as(&ada, "/api/v1/groups/fiscalite_pme/directory?q=credit")
        .await
        .json();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    // Leaving oneself out of it.
    app.call(
        Method::PUT,
        Some(&bob),
        "/api/v1/groups/fiscalite_pme/me",
        json!({"in_directory": false}),
    )
    .await;
    let dir = app
        .get_as(&ada, "/api/v1/groups/fiscalite_pme/directory")
        .await
        .json();
    assert!(
        dir["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["profile"]["handle"] != "bob")
    );

    // The last owner stays; Bob leaves and loses the discussions.
    let r = app
        .call(
            Method::DELETE,
            Some(&ada),
            "/api/v1/groups/fiscalite_pme/members",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&r), "last_owner");
    let r = app
        .call(
            Method::DELETE,
            Some(&bob),
            "/api/v1/groups/fiscalite_pme/members",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(
        app.get_as(&bob, &format!("/api/v1/posts/{p1}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // His own posts stay his.
    assert_eq!(
        app.get_as(&bob, &format!("/api/v1/posts/{p2}"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn members_following_a_group_closely_are_told_of_each_new_post() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    create(&app, &ada, "export_normandie", "open").await;
    for m in [&bob, &carol] {
        assert_eq!(
            join(&app, m, "export_normandie").await.0,
            StatusCode::CREATED
        );
    }
    // Bob follows the group closely; Carol keeps the default.
    let r = app
        .call(
            Method::PUT,
            Some(&bob),
            "/api/v1/groups/export_normandie/me",
            json!({"closely": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["closely"], true);
    let mine = app
        .get_as(&bob, "/api/v1/groups/export_normandie")
        .await
        .json();
    assert_eq!(mine["membership"]["closely"], true, "{mine}");
    assert_eq!(
        mine["membership"]["muted"], false,
        "the other settings stay"
    );

    let told = |m: &Member| {
        let (app, token) = (&app, m.clone());
        async move {
            app.app.dispatcher().settle_all().await;
            app.get_as(&token, "/api/v1/notifications").await.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["kind"] == "group_post")
                .map(|n| n["object"]["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let p1 = post(
        &app,
        &ada,
        "group:export_normandie",
        "Salon de Hanovre : qui y va ?",
    )
    .await;
    assert_eq!(told(&bob).await, [p1.as_str()]);
    assert!(told(&carol).await.is_empty(), "not following closely");
    // His own post does not tell him of himself; a post outside the group
    // tells no follower.
    post(
        &app,
        &bob,
        "group:export_normandie",
        "Moi, avec deux clients",
    )
    .await;
    post(&app, &ada, "public", "Hors du groupe").await;
    assert_eq!(told(&bob).await, [p1.as_str()]);
    // A page's post in its group is its manager's own act: Ada runs ACME,
    // which runs "salon_hanovre"; she and Bob follow it closely; ACME's
    // post tells Bob, not her.
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/groups",
            json!({"handle": "salon_hanovre", "name": "Salon de Hanovre", "kind": "open", "as": "acme"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    for m in [&ada, &bob] {
        assert_eq!(join(&app, m, "salon_hanovre").await.0, StatusCode::CREATED);
        let r = app
            .call(
                Method::PUT,
                Some(m),
                "/api/v1/groups/salon_hanovre/me",
                json!({"closely": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "ACME exposera à Hanovre", "audience": "group:salon_hanovre", "as": "acme"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let by_page = r.json()["id"].as_str().unwrap().to_owned();
    assert!(told(&ada).await.is_empty(), "not told of her page's post");
    assert_eq!(told(&bob).await, [by_page.as_str(), p1.as_str()]);
    // Once he has left, the group's new posts no longer reach him, and
    // what he was told of its posts goes with his right to read them.
    let r = app
        .call(
            Method::DELETE,
            Some(&bob),
            "/api/v1/groups/export_normandie/members",
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    post(
        &app,
        &ada,
        "group:export_normandie",
        "Le programme du salon",
    )
    .await;
    assert_eq!(told(&bob).await, [by_page.as_str()]);
}

#[tokio::test]
async fn an_owner_sets_the_cover_from_an_upload_of_his() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    create(&app, &ada, "export_normandie", "open").await;
    assert_eq!(
        join(&app, &bob, "export_normandie").await.0,
        StatusCode::CREATED
    );
    let photo = entremise_media::samples::jpeg(entremise_media::samples::gradient(400, 100));
    let upload = |m: &Member| {
        let (app, m, photo) = (&app, m.clone(), photo.clone());
        async move {
            let r = app.upload(&m, &photo, "").await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            r.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let cover = |m: &Member, media: &str| {
        let (app, m, body) = (&app, m.clone(), json!({ "media": media }));
        async move {
            app.call(
                Method::PUT,
                Some(&m),
                "/api/v1/groups/export_normandie/cover",
                body,
            )
            .await
        }
    };
    let mine = upload(&ada).await;
    let bobs = upload(&bob).await;
    // Only an owner, only with an upload of his that nothing holds.
    let r = cover(&bob, &bobs).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::FORBIDDEN, "insufficient_role".into())
    );
    let r = cover(&ada, &bobs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["fields"][0]["field"], "media");
    assert_eq!(
        cover(&ada, "x").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = cover(&ada, &mine).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let url = format!("/media/{mine}");
    assert_eq!(r.json()["cover"], url);
    // An open group's cover is for everyone, like the group.
    assert_eq!(app.get(&url).await.status, StatusCode::OK);
    assert_eq!(app.get_as(&carol, &url).await.status, StatusCode::OK);
    // Held by the group, it cannot go into a post.
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "Notre bandeau", "audience": "public", "media": [mine]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // Removed: gone from the group, and the image waits for a post again.
    let r = app
        .call(
            Method::DELETE,
            Some(&ada),
            "/api/v1/groups/export_normandie/cover",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let g = app
        .get_as(&ada, "/api/v1/groups/export_normandie")
        .await
        .json();
    assert!(g.get("cover").is_none(), "{g}");
    assert_eq!(app.get(&url).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn group_writes_ask_to_sign_in_and_directory_words_are_bounded() {
    let app = TestApp::new().await;
    let (ada, _, _) = app.cast().await;
    create(&app, &ada, "export_normandie", "open").await;
    for (method, uri) in [
        (Method::PATCH, "/api/v1/groups/export_normandie"),
        (
            Method::POST,
            "/api/v1/groups/export_normandie/members/bob/ban",
        ),
        (Method::PUT, "/api/v1/groups/export_normandie/pins/1"),
        (Method::PUT, "/api/v1/groups/export_normandie/cover"),
    ] {
        let body = if method == Method::PUT && uri.ends_with("cover") {
            json!({"media": "1"})
        } else {
            json!({})
        };
        let r = app.call(method.clone(), None, uri, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{method} {uri}: {}",
            r.text()
        );
    }
    let long = "fiscalité ".repeat(21);
    let r = app
        .get_as(
            &ada,
            &format!(
                "/api/v1/groups/export_normandie/directory?q={}",
                long.replace(' ', "+")
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.json()["fields"][0]["field"], "q");
    let many = "a b c d e f g h i j k l m";
    let r = app
        .get_as(
            &ada,
            &format!(
                "/api/v1/groups/export_normandie/directory?q={}",
                many.replace(' ', "+")
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.json()["fields"][0]["reason"], "too_many_words");
}

#[tokio::test]
async fn open_groups_take_anyone_and_bans_keep_out() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    create(&app, &ada, "rh_lyon", "open").await;
    let (status, body) = join(&app, &bob, "rh_lyon").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::CREATED, Some("member"))
    );
    // Joining again answers the same.
    assert_eq!(join(&app, &bob, "rh_lyon").await.1["status"], "member");
    let bob_h = handle_of(&app, &bob).await;
    // A moderator acts on plain members only; roles are the owner's.
    assert_eq!(
        act(&app, &ada, "rh_lyon", &bob_h, "make_moderator").await.0,
        StatusCode::OK
    );
    let (_, carol_joined) = join(&app, &carol, "rh_lyon").await;
    assert_eq!(carol_joined["status"], "member");
    assert_eq!(
        act(&app, &bob, "rh_lyon", "ada", "ban").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        act(&app, &bob, "rh_lyon", "carol", "make_owner").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = act(&app, &bob, "rh_lyon", "carol", "ban").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("banned"))
    );
    let r = app
        .post_json(Some(&carol), "/api/v1/groups/rh_lyon/members", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&r), "banned_from_group");
    // The ban is listed to moderators; lifted, she may join again.
    let banned = app
        .get_as(&bob, "/api/v1/groups/rh_lyon/members?standing=banned")
        .await
        .json();
    assert_eq!(banned["items"][0]["profile"]["handle"], "carol");
    assert_eq!(
        act(&app, &bob, "rh_lyon", "carol", "unban").await.0,
        StatusCode::OK
    );
    assert_eq!(join(&app, &carol, "rh_lyon").await.1["status"], "member");
    // Unknown acts and standings are refused plainly.
    assert_eq!(
        act(&app, &ada, "rh_lyon", "carol", "promote").await.0,
        StatusCode::NOT_FOUND
    );
    let r = app
        .get_as(&ada, "/api/v1/groups/rh_lyon/members?standing=all")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A taken handle is a conflict; a bad one, a field error.
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/groups",
            json!({"handle": "rh_lyon", "name": "Autre", "kind": "open"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/groups",
            json!({"handle": "RH Lyon!", "name": "", "kind": "open"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/groups",
            json!({"handle": "x_y", "name": "X", "kind": "private"}),
        )
        .await;
    assert!(r.status.is_client_error());
    // Members see each other; the owner edits.
    let members = app
        .get_as(&carol, "/api/v1/groups/rh_lyon/members")
        .await
        .json();
    assert_eq!(members["items"].as_array().unwrap().len(), 3);
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/groups/rh_lyon",
            json!({"rules": "Bienveillance.", "tags": ["RH", "Lyon"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["tags"], json!(["rh", "lyon"]));
    let r = app
        .call(
            Method::PATCH,
            Some(&bob),
            "/api/v1/groups/rh_lyon",
            json!({"rules": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn fellow_members_may_write_when_the_setting_says_so() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    create(&app, &ada, "club", "open").await;
    // Not contacts, not yet fellow members: closed.
    app.patch_profile(
        &bob,
        "bob",
        json!({"settings": {"messages": "contacts_and_groups"}}),
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
    join(&app, &bob, "club").await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/conversations",
            json!({"with": ["bob"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Membership alone does not open a member whose setting is "contacts".
    let (_, _, carol) = (0, 0, app.member("dan", "Dan").await);
    join(&app, &carol, "club").await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/conversations",
            json!({"with": ["dan"]}),
        )
        .await;
    assert_eq!(code(&r), "messages_closed");
}

/// The standing of each viewer in the matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
enum As {
    Fellow,
    Pending,
    Invited,
    Banned,
    Outsider,
    Anonymous,
}

#[tokio::test]
async fn what_each_standing_sees_of_open_closed_and_secret_groups() {
    let app = TestApp::new().await;
    let owner = app.member("owner", "Olga Owner").await;
    let fellow = app.member("fellow", "Félix Fellow").await;
    let pending = app.member("pending", "Paul Pending").await;
    let invited = app.member("invited", "Inès Invited").await;
    let banned = app.member("banned", "Bruno Banned").await;
    let outsider = app.member("outsider", "Odile Outsider").await;
    let viewers = [
        (As::Fellow, Some(&fellow)),
        (As::Pending, Some(&pending)),
        (As::Invited, Some(&invited)),
        (As::Banned, Some(&banned)),
        (As::Outsider, Some(&outsider)),
        (As::Anonymous, None),
    ];
    for kind in ["open", "closed", "secret"] {
        let g = format!("g_{kind}");
        create(&app, &owner, &g, kind).await;
        // Fellow and banned are members first (invited to the secret one).
        for m in [&fellow, &banned] {
            let h = handle_of(&app, m).await;
            if kind == "secret" {
                act(&app, &owner, &g, &h, "invite").await;
            }
            join(&app, m, &g).await;
            if kind == "closed" {
                act(&app, &owner, &g, &h, "approve").await;
            }
        }
        act(&app, &owner, &g, "banned", "ban").await;
        act(&app, &owner, &g, "invited", "invite").await;
        if kind != "secret" {
            join(&app, &pending, &g).await;
        }
        // Pending in a closed group; in an open one asking is joining, so
        // "pending" there is a member, and in a secret one an outsider.
        let post_id = post(
            &app,
            &fellow,
            &format!("group:{g}"),
            "Discussion interne #budget",
        )
        .await;

        for (who, m) in viewers {
            let app = &app;
            let get = |uri: String| async move {
                match m {
                    Some(m) => app.get_as(m, &uri).await,
                    None => app.get(&uri).await,
                }
            };
            let member = who == As::Fellow || (who == As::Pending && kind == "open");
            let sees_group = match kind {
                "secret" => matches!(who, As::Fellow | As::Invited),
                _ => true,
            };
            let label = format!("{kind} group, {who:?}");
            // The group's page.
            let r = get(format!("/api/v1/groups/{g}")).await;
            assert_eq!(
                r.status == StatusCode::OK,
                sees_group,
                "{label}: page {}",
                r.status
            );
            if !sees_group {
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{label}");
                assert!(!r.text().contains(&g), "{label}: the 404 names nothing");
            } else {
                assert_eq!(
                    r.json().get("members").is_some(),
                    member,
                    "{label}: counter"
                );
            }
            // Its feed, members and directory: members only.
            for surface in ["posts", "members", "directory"] {
                let r = get(format!("/api/v1/groups/{g}/{surface}")).await;
                let want = if member {
                    StatusCode::OK
                } else if !sees_group {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(r.status, want, "{label}: {surface} {}", r.text());
            }
            // The post by its id, and in the home feed.
            let r = get(format!("/api/v1/posts/{post_id}")).await;
            assert_eq!(r.status == StatusCode::OK, member, "{label}: post by id");
            if let Some(m) = m {
                assert_eq!(
                    feed_ids(app, m).await.contains(&post_id),
                    member,
                    "{label}: feed"
                );
                // Groups search (the service): a group is found by those
                // who may see it, a secret one by its members and invitees.
                let found = app
                    .app
                    .groups()
                    .search(&viewer_of(app, m).await, &g, 10)
                    .await
                    .unwrap();
                assert_eq!(
                    found.iter().any(|s| s.handle == g),
                    sees_group,
                    "{label}: search"
                );
                // The viewer's own groups list.
                let mine = app.get_as(m, "/api/v1/groups").await.json();
                assert_eq!(
                    mine["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|s| s["handle"] == g),
                    matches!(who, As::Fellow | As::Invited)
                        || (who == As::Pending && kind != "secret"),
                    "{label}: my groups"
                );
            }
        }
    }
}

/// The domain's viewer for a member of the test app (for use cases the
/// API does not reach directly).
async fn viewer_of(app: &TestApp, m: &Member) -> entremise_domain::service::Viewer {
    app.app.accounts().authenticate(&m.token).await.unwrap()
}

#[tokio::test]
async fn people_you_may_know_weighs_shared_groups() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Durand").await;
    let erin = app.member("erin", "Erin Eudes").await;
    for (a, b) in [
        (&ada, &bob),
        (&ada, &carol),
        (&bob, &dan),
        (&carol, &dan),
        (&bob, &erin),
    ] {
        app.connect(a, b).await;
    }
    async fn order(app: &TestApp, ada: &Member) -> Vec<String> {
        app.get_as(ada, "/api/v1/people-you-may-know").await.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["handle"].as_str().unwrap().to_owned())
            .collect()
    }
    // Dan has two mutual contacts with Ada, Erin one.
    assert_eq!(order(&app, &ada).await, ["dan", "erin"]);
    // Ada and Erin are both in two groups: she comes first.
    for g in ["club_a", "club_b"] {
        create(&app, &ada, g, "open").await;
        join(&app, &erin, g).await;
    }
    assert_eq!(order(&app, &ada).await, ["erin", "dan"]);
    // A group she left counts no more.
    app.call(
        Method::DELETE,
        Some(&erin),
        "/api/v1/groups/club_b/members",
        json!({}),
    )
    .await;
    app.call(
        Method::DELETE,
        Some(&erin),
        "/api/v1/groups/club_a/members",
        json!({}),
    )
    .await;
    assert_eq!(order(&app, &ada).await, ["dan", "erin"]);
}
