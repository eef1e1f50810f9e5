//! Posts through the real API: the privacy matrix extended to posts,
//! comments, counters, reshares, image URLs and the feed; uploads that must
//! lose their metadata or be refused; edits, deletes, schedules, follows.

use crate::support::{Member, Req, TestApp, code};
use axum::http::{Method, StatusCode};
use entremise_media::samples;
use serde_json::{Value, json};

/// A photo with EXIF (orientation and GPS position) as cameras write it.
fn camera_photo() -> Vec<u8> {
    samples::jpeg_with_exif(&samples::jpeg(samples::gradient(64, 32)), 6)
}

async fn image_id(app: &TestApp, m: &Member) -> String {
    let r = app.upload(m, &camera_photo(), "Le port de Honfleur").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn post(app: &TestApp, m: &Member, body: Value) -> Value {
    let r = app.post_json(Some(m), "/api/v1/posts", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

async fn get(app: &TestApp, viewer: Option<&Member>, uri: &str) -> crate::support::Response {
    match viewer {
        Some(m) => app.get_as(m, uri).await,
        None => app.get(uri).await,
    }
}

fn ids(feed: &Value) -> Vec<String> {
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn posts_comments_counters_images_and_feed_follow_the_audience() {
    let app = TestApp::new().await;
    // author — contact — second (2nd degree of author); member: nobody's contact.
    let author = app.member("author", "Armelle Le Goff").await;
    let contact = app.member("contact", "Corentin Morvan").await;
    let second = app.member("second", "Soizic Riou").await;
    let member = app.member("member", "Maël Caradec").await;
    app.connect(&contact, &author).await;
    app.connect(&second, &contact).await;

    // (audience, self, contact, network, member, anonymous)
    let table = [
        ("public", [true, true, true, true, true]),
        ("members", [true, true, true, true, false]),
        ("network", [true, true, true, false, false]),
        ("contacts", [true, true, false, false, false]),
    ];
    let viewers: [(&str, Option<&Member>); 5] = [
        ("self", Some(&author)),
        ("contact", Some(&contact)),
        ("network", Some(&second)),
        ("member", Some(&member)),
        ("anonymous", None),
    ];
    for (audience, expected) in table {
        let image = image_id(&app, &author).await;
        let p = post(
            &app,
            &author,
            json!({"text": format!("Pour {audience} #honfleur"), "audience": audience, "media": [image]}),
        )
        .await;
        let id = p["id"].as_str().unwrap().to_owned();
        let media_url = p["images"][0]["url"].as_str().unwrap().to_owned();
        let r = app
            .post_json(
                Some(&author),
                &format!("/api/v1/posts/{id}/comments"),
                json!({"text": "Premier commentaire"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app
            .send(
                Req::new(
                    Method::PUT,
                    &format!("/api/v1/posts/{id}/reactions/celebrate"),
                )
                .bearer(&author.token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        for ((relation, viewer), sees) in viewers.iter().zip(expected) {
            let what = format!("{audience} post seen by {relation}");
            let single = get(&app, *viewer, &format!("/api/v1/posts/{id}")).await;
            assert_eq!(
                single.status == StatusCode::OK,
                sees,
                "{what}: {}",
                single.text()
            );
            // The author's list of posts, chosen from the keys in memory.
            let listed = get(&app, *viewer, "/api/v1/profiles/author/posts").await;
            assert_eq!(listed.status, StatusCode::OK, "{what}: {}", listed.text());
            assert_eq!(
                ids(&listed.json()).contains(&id),
                sees,
                "{what}: {}",
                listed.text()
            );
            if sees {
                assert_eq!(single.json()["counts"]["reactions"], 1, "{what}");
                // The author's, plus one by each earlier viewer who may see it.
                assert!(
                    single.json()["counts"]["comments"].as_u64().unwrap() >= 1,
                    "{what}"
                );
            } else {
                // Exactly like a missing post.
                assert_eq!(single.status, StatusCode::NOT_FOUND, "{what}");
                assert_eq!(code(&single), "not_found");
            }
            for uri in [
                format!("/api/v1/posts/{id}/comments"),
                format!("/api/v1/posts/{id}/reactions"),
                format!("/api/v1/posts/{id}/history"),
                media_url.clone(),
                format!("{media_url}?w=320"),
            ] {
                let r = get(&app, *viewer, &uri).await;
                let status = if sees {
                    StatusCode::OK
                } else {
                    StatusCode::NOT_FOUND
                };
                assert_eq!(r.status, status, "{what}: {uri}");
            }
            if let Some(v) = viewer {
                let r = app
                    .post_json(
                        Some(v),
                        &format!("/api/v1/posts/{id}/comments"),
                        json!({"text": "Bravo"}),
                    )
                    .await;
                let status = if sees {
                    StatusCode::CREATED
                } else {
                    StatusCode::NOT_FOUND
                };
                assert_eq!(r.status, status, "{what}: comment");
            }
        }
        // The contact's feed holds it; nobody else's feed does (the 2nd
        // degree and others follow neither the author nor his page).
        let feed = app.get_as(&contact, "/api/v1/feed").await.json();
        assert!(ids(&feed).contains(&id), "{audience}: {feed}");
        let ranked = app
            .get_as(&contact, "/api/v1/feed?ranked=true")
            .await
            .json();
        assert!(ids(&ranked).contains(&id), "{audience}: {ranked}");
        for v in [&second, &member] {
            let feed = app.get_as(v, "/api/v1/feed").await.json();
            assert!(!ids(&feed).contains(&id), "{audience}");
        }
    }
    assert_eq!(
        app.get("/api/v1/feed").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn reshares_never_widen_the_audience() {
    let app = TestApp::new().await;
    let author = app.member("author", "Armelle Le Goff").await;
    let contact = app.member("contact", "Corentin Morvan").await;
    let second = app.member("second", "Soizic Riou").await;
    app.connect(&contact, &author).await;
    app.connect(&second, &contact).await;

    for audience in ["contacts", "network"] {
        let narrow = post(
            &app,
            &author,
            json!({"text": "Entre nous", "audience": audience}),
        )
        .await;
        let r = app
            .post_json(
                Some(&contact),
                "/api/v1/posts",
                json!({"text": "", "audience": "contacts", "reshare_of": narrow["id"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{audience}: {}", r.text());
    }

    // A members-only post reshared "to the public" stays for members.
    let original = post(
        &app,
        &author,
        json!({"text": "Pour les membres", "audience": "members"}),
    )
    .await;
    let reshare = post(
        &app,
        &contact,
        json!({"text": "À lire", "audience": "public", "reshare_of": original["id"]}),
    )
    .await;
    assert_eq!(reshare["audience"], "members");
    let rid = reshare["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/posts/{rid}")).await.status,
        StatusCode::NOT_FOUND
    );
    let seen = app
        .get_as(&second, &format!("/api/v1/posts/{rid}"))
        .await
        .json();
    assert_eq!(seen["reshare_of"]["post"]["text"], "Pour les membres");
    // The 2nd degree sees the contact's reshare in his feed.
    let feed = app.get_as(&second, "/api/v1/feed").await.json();
    assert!(ids(&feed).contains(&rid.to_owned()));
    let counts = app
        .get_as(
            &author,
            &format!("/api/v1/posts/{}", original["id"].as_str().unwrap()),
        )
        .await
        .json();
    assert_eq!(counts["counts"]["reshares"], 1);

    // A public post reshared to contacts: the reshare is the narrower one.
    let public = post(
        &app,
        &author,
        json!({"text": "Pour tous", "audience": "public"}),
    )
    .await;
    let narrowed = post(
        &app,
        &contact,
        json!({"audience": "contacts", "reshare_of": public["id"]}),
    )
    .await;
    assert_eq!(narrowed["audience"], "contacts");
    // When the original becomes invisible (a block), the reshare shows it as unavailable.
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/blocks/second").bearer(&author.token))
        .await;
    assert!(r.status.is_success());
    let seen = app
        .get_as(&second, &format!("/api/v1/posts/{rid}"))
        .await
        .json();
    assert!(seen["reshare_of"]["post"].is_null(), "{seen}");
    let feed = app.get_as(&second, "/api/v1/feed").await.json();
    assert!(feed.to_string().contains("À lire"));
    assert!(!feed.to_string().contains("Pour les membres"));
}

#[tokio::test]
async fn stored_images_carry_no_metadata_and_bad_uploads_are_refused() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let bob = app.member("bob", "Bob Marchand").await;
    let photo = camera_photo();
    assert!(
        photo.windows(6).any(|w| w == b"Exif\0\0"),
        "the sample has EXIF"
    );
    let r = app.upload(&ada, &photo, "Honfleur").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let uploaded = r.json();
    // Orientation 6 applied: 64×32 became 32×64.
    assert_eq!(
        (uploaded["width"].as_u64(), uploaded["height"].as_u64()),
        (Some(32), Some(64))
    );
    let url = uploaded["url"].as_str().unwrap();
    // Before a post holds it, the image is its uploader's alone.
    assert_eq!(app.get(url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&bob, url).await.status, StatusCode::NOT_FOUND);
    let own = app.get_as(&ada, url).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.header("content-type"), Some("image/jpeg"));
    let bytes = own.body.clone();
    assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"));
    let exif = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(&bytes));
    assert!(exif.is_err(), "no EXIF block may remain");

    for (file, status, reason) in [
        (
            b"%PDF-1.7 not an image".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_an_image",
        ),
        (
            photo[..photo.len() / 2].to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "corrupt",
        ),
        (
            samples::png_bomb(100_000, 100_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_pixels",
        ),
    ] {
        let r = app.upload(&ada, &file, "").await;
        assert_eq!(r.status, status, "{}", r.text());
        assert_eq!(r.json()["fields"][0]["reason"], reason);
    }
    let huge = vec![0u8; 11 * 1024 * 1024];
    let r = app.upload(&ada, &huge, "").await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert_eq!(app.get("/media/999999").await.status, StatusCode::NOT_FOUND);
    for w in ["wide", "500"] {
        let r = app.get_as(&ada, &format!("{url}?w={w}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{w}");
        assert_eq!(code(&r), "invalid_input");
    }
    // To someone who may not see the image, a bad width is still 404.
    assert_eq!(
        app.get(&format!("{url}?w=wide")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/media/not-a-number").await.status,
        StatusCode::NOT_FOUND
    );

    // Someone else's upload, or one already used, cannot be attached.
    let id = uploaded["id"].as_str().unwrap();
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/posts",
            json!({"text": "x", "audience": "public", "media": [id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    post(
        &app,
        &ada,
        json!({"text": "x", "audience": "public", "media": [id]}),
    )
    .await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "y", "audience": "public", "media": [id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // Without an upload session, nothing.
    let r = app
        .send(Req::new(Method::POST, "/api/v1/media").raw(
            &crate::support::multipart_type(),
            crate::support::multipart(&photo, ""),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn edits_keep_history_deletes_cascade_and_pages_schedule() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let bob = app.member("bob", "Bob Marchand").await;
    let p = post(
        &app,
        &ada,
        json!({"text": "Version une", "audience": "public"}),
    )
    .await;
    let id = p["id"].as_str().unwrap();
    let r = app
        .call(
            Method::PATCH,
            Some(&bob),
            &format!("/api/v1/posts/{id}"),
            json!({"text": "Pirate"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            &format!("/api/v1/posts/{id}"),
            json!({"text": "Version deux"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["edited_at"].is_string());
    let history = app.get(&format!("/api/v1/posts/{id}/history")).await.json();
    assert_eq!(history["items"][0]["text"], "Version une");

    // Posting in someone else's name.
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/posts",
            json!({"text": "x", "audience": "public", "as": "ada"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());

    // A page schedules; persons do not.
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let later = "2026-12-01T09:00:00Z";
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "Plus tard", "audience": "public", "publish_at": later}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let scheduled = post(
        &app,
        &ada,
        json!({"text": "Webinaire demain", "audience": "public", "as": "acme", "publish_at": later}),
    )
    .await;
    assert_eq!(scheduled["scheduled"], true);
    assert_eq!(scheduled["author"]["handle"], "acme");
    let sid = scheduled["id"].as_str().unwrap().to_owned();
    // Pages describe their images.
    let image = image_id(&app, &ada).await;
    let r = app
        .upload(
            &ada,
            &samples::png(image::DynamicImage::ImageRgb8(samples::gradient(20, 20))),
            "",
        )
        .await;
    let bare = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "Photo", "audience": "public", "as": "acme", "media": [bare]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    post(
        &app,
        &ada,
        json!({"text": "Photo", "audience": "public", "as": "acme", "media": [image]}),
    )
    .await;

    // Bob follows the page: its posts reach his feed once published.
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/follows/acme").bearer(&bob.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.send(Req::new(Method::PUT, "/api/v1/follows/ada").bearer(&bob.token))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let feed = app.get_as(&bob, "/api/v1/feed").await.json();
    assert!(feed.to_string().contains("Photo"));
    assert!(!ids(&feed).contains(&sid));
    assert_eq!(
        app.get(&format!("/api/v1/posts/{sid}")).await.status,
        StatusCode::NOT_FOUND
    );
    app.clock.advance(time::Duration::days(2));
    let feed = app.get_as(&bob, "/api/v1/feed").await.json();
    assert!(ids(&feed).contains(&sid));

    // Delete: gone with its comments.
    let r = app
        .send(Req::new(Method::DELETE, &format!("/api/v1/posts/{id}")).bearer(&bob.token))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .send(Req::new(Method::DELETE, &format!("/api/v1/posts/{id}")).bearer(&ada.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/posts/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Gone from the feed too: walked a post at a time, every page holds
    // one post (a key left behind would give an empty page) and never it.
    let mut cursor: Option<String> = None;
    let mut walked = 0;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/api/v1/feed?limit=1&cursor={c}"),
            None => "/api/v1/feed?limit=1".to_owned(),
        };
        let page = app.get_as(&ada, &uri).await.json();
        let items = ids(&page);
        assert_eq!(items.len(), 1, "{page}");
        assert_ne!(items[0], id);
        walked += 1;
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert!(walked >= 2, "{walked}");
}

#[tokio::test]
async fn reactions_comments_and_feed_pages() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    let mut posted = Vec::new();
    for i in 0..25 {
        let p = post(
            &app,
            &ada,
            json!({"text": format!("Note {i}"), "audience": "contacts"}),
        )
        .await;
        posted.push(p["id"].as_str().unwrap().to_owned());
        app.clock.advance(time::Duration::minutes(1));
    }
    let first = app.get_as(&bob, "/api/v1/feed?limit=10").await.json();
    assert_eq!(
        ids(&first),
        posted.iter().rev().take(10).cloned().collect::<Vec<_>>()
    );
    let next = first["next"].as_str().unwrap();
    let second = app
        .get_as(&bob, &format!("/api/v1/feed?limit=10&cursor={next}"))
        .await
        .json();
    assert_eq!(
        ids(&second),
        posted
            .iter()
            .rev()
            .skip(10)
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
    );
    for bad in [
        "limit=0",
        "limit=101",
        "limit=x",
        "cursor=garbage",
        "ranked=maybe",
    ] {
        let r = app.get_as(&bob, &format!("/api/v1/feed?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text());
    }
    assert!(ids(&app.get_as(&carol, "/api/v1/feed").await.json()).is_empty());

    // One reaction per member, changeable, removable.
    let id = &posted[0];
    let react = |kind: &str| {
        Req::new(Method::PUT, &format!("/api/v1/posts/{id}/reactions/{kind}")).bearer(&bob.token)
    };
    assert_eq!(app.send(react("like")).await.json()["reactions"], 1);
    assert_eq!(app.send(react("insightful")).await.json()["reactions"], 1);
    assert_eq!(
        app.send(react("love")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let per_kind = app
        .get_as(&bob, &format!("/api/v1/posts/{id}/reactions"))
        .await
        .json();
    assert_eq!(per_kind["items"][0]["kind"], "insightful");
    let view = app
        .get_as(&bob, &format!("/api/v1/posts/{id}"))
        .await
        .json();
    assert_eq!(view["my_reaction"], "insightful");
    let r = app
        .send(Req::new(Method::DELETE, &format!("/api/v1/posts/{id}/reactions")).bearer(&bob.token))
        .await;
    assert_eq!(r.json()["reactions"], 0);

    // Replies go one level deep; a reply to a reply joins the thread.
    let c = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/posts/{id}/comments"),
            json!({"text": "Question ?"}),
        )
        .await
        .json();
    let cid = c["id"].as_str().unwrap();
    let reply = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/posts/{id}/comments"),
            json!({"text": "Réponse", "parent": cid}),
        )
        .await
        .json();
    app.post_json(
        Some(&bob),
        &format!("/api/v1/posts/{id}/comments"),
        json!({"text": "Merci", "parent": reply["id"]}),
    )
    .await;
    let thread = app
        .get_as(&bob, &format!("/api/v1/posts/{id}/comments"))
        .await
        .json();
    assert_eq!(thread["items"].as_array().unwrap().len(), 1);
    assert_eq!(thread["items"][0]["replies"].as_array().unwrap().len(), 2);
    let r = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/posts/{id}/comments"),
            json!({"text": "  "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/posts",
            json!({"text": "x", "audience": "only_me"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .send(
            Req::new(Method::POST, "/api/v1/posts")
                .bearer(&bob.token)
                .raw("application/json", "{not json"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The ranked feed: engaged posts first, then the next page.
    let ranked = app
        .get_as(&bob, "/api/v1/feed?ranked=true&limit=5")
        .await
        .json();
    assert_eq!(ids(&ranked)[0], *id);
    assert_eq!(ids(&ranked).len(), 5);
    assert!(ranked["next"].is_string());
}

#[tokio::test]
async fn authors_are_named_as_their_name_audience_allows_and_analysts_do_not_write() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    // Ada's name is for members only; her public post and comment show her
    // handle to anonymous visitors, her name to members.
    let r = app
        .call(
            Method::PATCH,
            Some(&ada),
            "/api/v1/profiles/ada",
            json!({"audiences": {"name": "members"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = post(
        &app,
        &ada,
        json!({"text": "Ouvert à tous", "audience": "public"}),
    )
    .await;
    let id = p["id"].as_str().unwrap();
    app.post_json(
        Some(&ada),
        &format!("/api/v1/posts/{id}/comments"),
        json!({"text": "Moi aussi"}),
    )
    .await;
    let seen = app.get(&format!("/api/v1/posts/{id}")).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json()["author"]["name"], "ada");
    assert!(!seen.text().contains("Lovelace"), "{}", seen.text());
    let comments = app
        .get(&format!("/api/v1/posts/{id}/comments"))
        .await
        .text();
    assert!(!comments.contains("Lovelace"), "{comments}");
    let by_member = app
        .get_as(&bob, &format!("/api/v1/posts/{id}"))
        .await
        .json();
    assert_eq!(by_member["author"]["name"], "Ada Lovelace");

    // Bob is an analyst of Ada's page: he reads its posts, never edits them.
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/pages/acme/managers/bob",
            json!({"role": "analyst"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let bob = Member {
        token: app.sign_in(&bob.email, crate::support::PASSWORD).await,
        ..bob
    };
    let page_post = post(
        &app,
        &ada,
        json!({"text": "Annonce", "audience": "public", "as": "acme"}),
    )
    .await;
    let pid = page_post["id"].as_str().unwrap();
    let seen = app
        .get_as(&bob, &format!("/api/v1/posts/{pid}"))
        .await
        .json();
    assert_eq!(seen["mine"], false);
    let r = app
        .call(
            Method::PATCH,
            Some(&bob),
            &format!("/api/v1/posts/{pid}"),
            json!({"text": "Pirate"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .send(Req::new(Method::DELETE, &format!("/api/v1/posts/{pid}")).bearer(&bob.token))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/posts",
            json!({"text": "x", "audience": "public", "as": "acme"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_as(&ada, &format!("/api/v1/posts/{pid}"))
            .await
            .json()["mine"],
        true
    );
}

/// The counters of a post in the viewer's feed (newest, then ranked).
async fn feed_counts(app: &TestApp, viewer: &Member, id: &str) -> [Value; 2] {
    let mut found = Vec::new();
    for uri in ["/api/v1/feed", "/api/v1/feed?ranked=true"] {
        let feed = app.get_as(viewer, uri).await.json();
        let item = feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in {uri}: {feed}"));
        found.push(item["counts"].clone());
    }
    [found[0].clone(), found[1].clone()]
}

#[tokio::test]
async fn counters_count_only_what_the_viewer_may_see() {
    let app = TestApp::new().await;
    // friend is a contact of both; stranger is the author's contact only
    // (2nd degree of the viewer); blocker and blocked are nobody's contacts.
    let author = app.member("author", "Armelle Le Goff").await;
    let viewer = app.member("viewer", "Valentin Guével").await;
    let friend = app.member("friend", "Fanch Kervella").await;
    let stranger = app.member("stranger", "Sterenn Le Bihan").await;
    let blocker = app.member("blocker", "Bleuenn Tanguy").await;
    let blocked = app.member("blocked", "Brieuc Quéré").await;
    app.connect(&viewer, &author).await;
    app.connect(&friend, &author).await;
    app.connect(&friend, &viewer).await;
    app.connect(&stranger, &author).await;
    let r = app
        .post_json(
            Some(&stranger),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    let p = post(
        &app,
        &author,
        json!({"text": "Pour tous", "audience": "public"}),
    )
    .await;
    let id = p["id"].as_str().unwrap().to_owned();
    let comment = |m: &Member, text: &str, parent: Option<&str>| {
        let body = match parent {
            Some(parent) => json!({"text": text, "parent": parent}),
            None => json!({"text": text}),
        };
        let (app, m, id) = (&app, m.clone(), id.clone());
        async move {
            let r = app
                .post_json(Some(&m), &format!("/api/v1/posts/{id}/comments"), body)
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            r.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let react = |m: &Member, kind: &str| {
        Req::new(Method::PUT, &format!("/api/v1/posts/{id}/reactions/{kind}")).bearer(&m.token)
    };
    let reshare = |m: &Member, body: Value| {
        let mut body = body;
        body["reshare_of"] = json!(id);
        let (app, m) = (&app, m.clone());
        async move { post(app, &m, body).await }
    };
    // Before the blocks: a comment and a reaction each, and a public reshare.
    let from_blocker = comment(&blocker, "Je passe", None).await;
    comment(&blocked, "Moi aussi", None).await;
    comment(&friend, "Bien vu", None).await;
    // A reply under the blocker's comment goes with it.
    comment(&friend, "D'accord", Some(&from_blocker)).await;
    for (m, kind) in [
        (&blocker, "celebrate"),
        (&blocked, "insightful"),
        (&friend, "like"),
    ] {
        assert_eq!(app.send(react(m, kind)).await.status, StatusCode::OK);
    }
    reshare(&blocker, json!({"audience": "public"})).await;
    // Reshares the viewer may see (network, by his contact) or not
    // (contacts, by someone who is not his contact), and one scheduled.
    reshare(&friend, json!({"audience": "network"})).await;
    reshare(&stranger, json!({"audience": "contacts"})).await;
    let scheduled = reshare(
        &stranger,
        json!({"audience": "public", "as": "acme", "publish_at": "2026-12-01T09:00:00Z"}),
    )
    .await;
    assert_eq!(scheduled["scheduled"], true);
    for (who, whom) in [(&blocker, "viewer"), (&viewer, "blocked")] {
        let r = app
            .send(Req::new(Method::PUT, &format!("/api/v1/blocks/{whom}")).bearer(&who.token))
            .await;
        assert!(r.status.is_success(), "{}", r.text());
    }

    let counts = |reactions: u64, comments: u64, reshares: u64| json!({"reactions": reactions, "comments": comments, "reshares": reshares});
    let single = |m: Option<&Member>| {
        let (app, id) = (&app, id.clone());
        let m = m.cloned();
        async move {
            let r = get(app, m.as_ref(), &format!("/api/v1/posts/{id}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            r.json()["counts"].clone()
        }
    };
    // The viewer: only the friend's comment, reaction and reshare.
    assert_eq!(single(Some(&viewer)).await, counts(1, 1, 1));
    assert_eq!(
        feed_counts(&app, &viewer, &id).await,
        [counts(1, 1, 1), counts(1, 1, 1)]
    );
    let listed = get(&app, Some(&viewer), &format!("/api/v1/posts/{id}/comments"))
        .await
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["items"][0]["replies"], json!([]), "{listed}");
    let per_kind = get(
        &app,
        Some(&viewer),
        &format!("/api/v1/posts/{id}/reactions"),
    )
    .await
    .json();
    assert_eq!(per_kind["items"], json!([{"kind": "like", "count": 1}]));
    // His own reaction answers with his counters.
    let r = app.send(react(&viewer, "like")).await;
    assert_eq!(r.json(), counts(2, 1, 1));
    // The author sees every published one.
    assert_eq!(single(Some(&author)).await, counts(4, 4, 3));
    assert_eq!(
        feed_counts(&app, &author, &id).await,
        [counts(4, 4, 3), counts(4, 4, 3)]
    );
    let per_kind = get(
        &app,
        Some(&author),
        &format!("/api/v1/posts/{id}/reactions"),
    )
    .await
    .json();
    assert_eq!(per_kind["items"].as_array().unwrap().len(), 3, "{per_kind}");
    // Anonymous: no blocks, public reshares only.
    assert_eq!(single(None).await, counts(4, 4, 1));
    // Once published, the page's reshare counts for everyone.
    app.clock.advance(time::Duration::days(1));
    assert_eq!(single(Some(&viewer)).await, counts(2, 1, 2));
    assert_eq!(single(Some(&author)).await, counts(4, 4, 4));
    assert_eq!(single(None).await, counts(4, 4, 2));
}
