//! Groups through the pages, as a browser without JavaScript uses them:
//! creating a closed group, asking to join, the moderator approving from
//! the requests his inbox links to, both posting from the group's
//! composer, the expert directory, and an outsider who finds the group
//! but none of its posts.

use crate::post_pages::{Browser, Part, location, posted_id};
use crate::support::TestApp;
use axum::http::StatusCode;

#[tokio::test]
async fn a_closed_hub_from_creation_to_discussion() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.patch_profile(
        &bob,
        "bob",
        serde_json::json!({"fields": {"skills": ["Fiscalité", "TVA"]}}),
    )
    .await;
    let mut a = Browser::signed_in(&app, &ada.email).await;
    let r = a.get("/groups").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("data-testid=\"new-group\""));
    // A bad form comes back with its problems, in the page's language.
    let r = a
        .post(
            "/groups",
            &[
                ("name", "Fiscalité des PME"),
                ("handle", "Fiscalité!"),
                ("kind", "closed"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("The address has 2 to 30 characters"),
        "{}",
        r.text()
    );
    let r = a
        .post(
            "/groups",
            &[
                ("name", "Fiscalité des PME"),
                ("handle", "fiscalite_pme"),
                ("kind", "closed"),
                ("about", "Échanges entre dirigeants et conseils"),
                ("tags", "fiscalité, PME"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/groups/fiscalite_pme");

    // Bob finds it and asks to join.
    let mut b = Browser::signed_in(&app, &bob.email).await;
    let found = b.get("/groups?q=fiscalit%C3%A9").await.text();
    assert!(found.contains("data-handle=\"fiscalite_pme\""), "{found}");
    let page = b.get("/groups/fiscalite_pme").await.text();
    assert!(page.contains("Ask to join"), "{page}");
    assert!(page.contains("data-testid=\"group-members-only\""));
    let r = b.post("/groups/fiscalite_pme/join", &[]).await;
    assert_eq!(location(&r), "/groups/fiscalite_pme");
    assert!(
        b.get("/groups/fiscalite_pme")
            .await
            .text()
            .contains("Your request awaits")
    );

    // Ada's inbox links to the requests; she approves there.
    app.app.dispatcher().settle_all().await;
    let inbox = a.get("/inbox").await.text();
    assert!(
        inbox.contains("/groups/fiscalite_pme/members?standing=pending"),
        "{inbox}"
    );
    let requests = a
        .get("/groups/fiscalite_pme/members?standing=pending")
        .await
        .text();
    assert!(requests.contains("data-handle=\"bob\""), "{requests}");
    let r = a
        .post(
            "/groups/fiscalite_pme/members/bob/approve",
            &[("standing", "pending")],
        )
        .await;
    assert_eq!(
        location(&r),
        "/groups/fiscalite_pme/members?standing=pending"
    );

    // Both post from the group's composer; both see both.
    let p1 = posted_id(
        &a.compose(&[
            Part::Text("text", "Bienvenue ! Vos questions sur le CIR ici."),
            Part::Text("audience", "group:fiscalite_pme"),
        ])
        .await,
    );
    let r = b
        .compose(&[
            Part::Text("text", "Merci. Qui a déjà fait un rescrit ?"),
            Part::Text("audience", "group:fiscalite_pme"),
        ])
        .await;
    assert!(
        location(&r).starts_with("/groups/fiscalite_pme#post-"),
        "{}",
        location(&r)
    );
    let p2 = posted_id(&r);
    for browser in [&mut a, &mut b] {
        let page = browser.get("/groups/fiscalite_pme").await.text();
        assert!(page.contains(&format!("id=\"post-{p1}\"")), "{page}");
        assert!(page.contains(&format!("id=\"post-{p2}\"")));
    }
    // Bob states his expertise; the directory shows it with his skills.
    let r = b
        .post(
            "/groups/fiscalite_pme/me",
            &[
                ("expertise", "Rescrit fiscal, CIR"),
                ("in_directory", "on"),
                ("closely", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = b.get("/groups/fiscalite_pme").await.text();
    assert!(page.contains("name=\"closely\" checked"), "{page}");
    assert!(!page.contains("name=\"muted\" checked"), "{page}");
    let dir = a.get("/groups/fiscalite_pme/directory").await.text();
    assert!(
        dir.contains("Rescrit fiscal") && dir.contains("TVA"),
        "{dir}"
    );
    assert!(dir.contains("1 post"), "{dir}");

    // Carol finds the hub, but not its posts.
    let mut c = Browser::signed_in(&app, &carol.email).await;
    assert!(
        c.get("/groups?q=PME")
            .await
            .text()
            .contains("data-handle=\"fiscalite_pme\"")
    );
    let page = c.get("/groups/fiscalite_pme").await.text();
    assert!(!page.contains(&format!("post-{p1}")) && !page.contains("Bienvenue"));
    assert_eq!(
        c.get(&format!("/posts/{p1}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!c.get("/").await.text().contains("Bienvenue"));
    assert_eq!(
        c.get("/groups/fiscalite_pme/directory").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_secret_group_is_not_found_by_outsiders() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let mut a = Browser::signed_in(&app, &ada.email).await;
    a.post(
        "/groups",
        &[
            ("name", "Comité de direction"),
            ("handle", "codir"),
            ("kind", "secret"),
        ],
    )
    .await;
    let mut b = Browser::signed_in(&app, &bob.email).await;
    assert_eq!(b.get("/groups/codir").await.status, StatusCode::NOT_FOUND);
    assert!(
        !b.get("/groups?q=comit%C3%A9")
            .await
            .text()
            .contains("codir")
    );
    assert_eq!(app.get("/groups/codir").await.status, StatusCode::NOT_FOUND);
    // Invited, he sees it and may accept.
    let r = a.post("/groups/codir/invite", &[("member", "@bob")]).await;
    assert_eq!(location(&r), "/groups/codir/members?standing=invited");
    let page = b.get("/groups/codir").await.text();
    assert!(page.contains("Accept the invitation"), "{page}");
    b.post("/groups/codir/join", &[]).await;
    assert!(
        b.get("/groups")
            .await
            .text()
            .contains("data-handle=\"codir\"")
    );
}

#[tokio::test]
async fn a_cover_is_shown_to_whoever_sees_the_group() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let mut a = Browser::signed_in(&app, &ada.email).await;
    a.post(
        "/groups",
        &[
            ("name", "Comité de direction"),
            ("handle", "codir"),
            ("kind", "secret"),
        ],
    )
    .await;
    let photo = entremise_media::samples::jpeg(entremise_media::samples::gradient(400, 100));
    // Nothing chosen, or not an image: said on the group's page.
    let r = a.multipart("/groups/codir/cover", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("Choose an image for the cover."),
        "{}",
        r.text()
    );
    let r = a
        .multipart(
            "/groups/codir/cover",
            &[Part::File("image", "notes.txt", b"not an image")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.text().contains("data-testid=\"group-cover\""));

    let r = a
        .multipart(
            "/groups/codir/cover",
            &[Part::File("image", "banner.jpg", &photo)],
        )
        .await;
    assert_eq!(location(&r), "/groups/codir", "{}", r.text());
    let page = a.get("/groups/codir").await.text();
    let src = page
        .split("class=\"group-cover\" src=\"")
        .nth(1)
        .and_then(|s| s.split('?').next())
        .expect("the cover is shown")
        .to_owned();
    assert!(src.starts_with("/media/"), "{src}");
    assert_eq!(a.get(&src).await.status, StatusCode::OK);
    // A secret group's cover is as hidden as the group.
    let mut b = Browser::signed_in(&app, &bob.email).await;
    assert_eq!(b.get(&src).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&src).await.status, StatusCode::NOT_FOUND);
    a.post("/groups/codir/invite", &[("member", "@bob")]).await;
    b.post("/groups/codir/join", &[]).await;
    assert_eq!(b.get(&src).await.status, StatusCode::OK);
    // A member who does not own the group may not change it.
    let r = b
        .multipart(
            "/groups/codir/cover",
            &[Part::File("image", "mine.jpg", &photo)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        !b.get("/groups/codir")
            .await
            .text()
            .contains("group-cover-form")
    );
    // Removed, it is gone from the page.
    let r = a.post("/groups/codir/remove-cover", &[]).await;
    assert_eq!(location(&r), "/groups/codir");
    assert!(
        !a.get("/groups/codir")
            .await
            .text()
            .contains("class=\"group-cover\"")
    );
}
