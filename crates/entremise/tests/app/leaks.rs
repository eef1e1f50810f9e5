//! The leaks found in review, each closed by the privacy lens: a hop of an
//! introduction path, a stealth visit, a probing path, the count of mutual
//! contacts. Each test fails on the code before the lens.

use crate::support::{Member, TestApp, code};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Ada – Xavier – Bea, where neither Xavier's contact list nor Bea's is
/// Ada's to see: the contact Xavier–Bea is hidden from her.
async fn hidden_hop() -> (TestApp, Member, Member, Member) {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let xavier = app.member("xavier", "Xavier Morel").await;
    let bea = app.member("bea", "Béatrice Lenoir").await;
    app.connect(&ada, &xavier).await;
    app.connect(&xavier, &bea).await;
    app.patch_profile(
        &xavier,
        "xavier",
        json!({"settings": {"contact_list": "only_me"}}),
    )
    .await;
    (app, ada, xavier, bea)
}

#[tokio::test]
async fn l1_a_path_hides_a_first_hop_whose_contacts_are_hidden() {
    let (app, ada, xavier, _bea) = hidden_hop().await;
    let connection = app
        .get_as(&ada, "/api/v1/profiles/bea/connection")
        .await
        .json();
    assert_eq!(connection["degree"], 2);
    assert_eq!(connection["mutual_contacts"], json!([]));
    assert_eq!(
        connection["paths"][0]["hops"],
        json!([null]),
        "Xavier–Bea is in no list Ada may see: {connection}"
    );

    // The introduction along that path, as its requester sees it.
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "bea", "note": "We met at the Rouen fair."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let intro = r.json();
    assert_eq!(intro["intermediaries"], json!([null]), "{intro}");
    assert!(intro["next"].is_null(), "{intro}");
    // Xavier, who holds it, sees himself and both ends.
    let id = intro["id"].as_str().unwrap().to_owned();
    let his = app
        .get_as(&xavier, &format!("/api/v1/introductions/{id}"))
        .await
        .json();
    assert_eq!(his["intermediaries"][0]["handle"], "xavier");

    // Once Xavier shows his list to his contacts, the hop is named.
    app.patch_profile(
        &xavier,
        "xavier",
        json!({"settings": {"contact_list": "contacts"}}),
    )
    .await;
    let connection = app
        .get_as(&ada, "/api/v1/profiles/bea/connection")
        .await
        .json();
    assert_eq!(connection["paths"][0]["hops"], json!(["xavier"]));
    assert_eq!(connection["mutual_contacts"], json!(["xavier"]));
}

#[tokio::test]
async fn l7_a_chosen_path_the_requester_may_not_see_is_refused_like_any_other() {
    let (app, ada, _xavier, _bea) = hidden_hop().await;
    let carol = app.member("carol", "Carol Hébert").await;
    app.connect(&ada, &carol).await;
    let ask = |via: &'static str| {
        let app = &app;
        let ada = &ada;
        async move {
            app.post_json(
                Some(ada),
                "/api/v1/introductions",
                json!({"to": "bea", "via": [via], "note": "Hello"}),
            )
            .await
        }
    };
    // Through Xavier (a real but hidden path) and through Carol (no path):
    // the same answer.
    let hidden = ask("xavier").await;
    let none = ask("carol").await;
    assert_eq!(hidden.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hidden.status, none.status);
    assert_eq!(hidden.json(), none.json());
    // Refused paths count against the weekly bound of 50, with the two
    // contact requests Ada sent this week: probing stops there.
    for _ in 2..48 {
        assert_eq!(ask("carol").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = ask("xavier").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/introductions",
            json!({"to": "bea", "note": "Hello"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert_eq!(code(&r), "rate_limited");
}

async fn visitor_handles(app: &TestApp, m: &Member) -> Vec<String> {
    let r = app.get_as(m, "/api/v1/me/visitors").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["handle"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn l2_asking_to_view_as_someone_else_is_still_a_visit() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.patch_profile(&ada, "ada", json!({"fields": {"location": "Caen"}}))
        .await;
    // Bob asks the API for Ada's profile "as anonymous": he is no one else,
    // and sees what members see.
    let r = app
        .get_as(&bob, "/api/v1/profiles/ada?view_as=anonymous")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["location"], "Caen", "{}", r.text());
    // Carol asks the page "as a contact".
    let r = app.get_as(&carol, "/@ada?as=contact").await;
    assert_eq!(r.status, StatusCode::OK);
    let mut seen = visitor_handles(&app, &ada).await;
    seen.sort();
    assert_eq!(seen, ["bob", "carol"]);
    // Ada herself may view her profile as anyone, and is no visitor.
    let r = app
        .get_as(&ada, "/api/v1/profiles/ada?view_as=anonymous")
        .await;
    assert!(r.json().get("location").is_none(), "{}", r.text());
    assert_eq!(visitor_handles(&app, &ada).await.len(), 2);
}

#[tokio::test]
async fn l6_people_you_may_know_count_only_visible_mutual_contacts() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    let dan = app.member("dan", "Dan Perrin").await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &dan).await;
    let pymk = app.get_as(&ada, "/api/v1/people-you-may-know").await.json();
    assert_eq!(pymk["items"][0]["mutual_count"], 1, "{pymk}");
    // Bob keeps his contact list to himself; Dan shows his to contacts.
    app.patch_profile(
        &bob,
        "bob",
        json!({"settings": {"contact_list": "only_me"}}),
    )
    .await;
    let pymk = app.get_as(&ada, "/api/v1/people-you-may-know").await.json();
    assert_eq!(pymk["items"][0]["handle"], "dan", "{pymk}");
    assert_eq!(pymk["items"][0]["mutual_count"], 0, "{pymk}");
    // Dan opens his list to members: Bob–Dan is visible again.
    app.patch_profile(
        &dan,
        "dan",
        json!({"settings": {"contact_list": "members"}}),
    )
    .await;
    let pymk = app.get_as(&ada, "/api/v1/people-you-may-know").await.json();
    assert_eq!(pymk["items"][0]["mutual_count"], 1, "{pymk}");
}

#[tokio::test]
async fn cards_offer_only_what_the_member_may_really_do() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    let dan = app.member("dan", "Dan Perrin").await;
    let eve = app.member("eve", "Eve Quéré").await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &dan).await;
    app.connect(&bob, &eve).await;
    // Dan keeps the default (introductions only); Eve takes requests from
    // her network.
    app.patch_profile(
        &eve,
        "eve",
        json!({"settings": {"contact_requests": "network"}}),
    )
    .await;
    let pymk = app.get_as(&ada, "/api/v1/people-you-may-know").await.json();
    let actions = |h: &str| {
        pymk["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["handle"] == h)
            .unwrap_or_else(|| panic!("{h} in {pymk}"))["actions"]
            .clone()
    };
    assert_eq!(actions("dan")["contact_request"], false);
    assert_eq!(actions("dan")["introduction"], true);
    assert_eq!(actions("eve")["contact_request"], true);
    // The page offers the same: no request button on Dan's card.
    let page = app.get_as(&ada, "/network").await.text();
    let card = |h: &str| {
        let start = page.find(&format!("href=\"/@{h}\"")).unwrap();
        let end = page[start..].find("</li>").unwrap() + start;
        page[start..end].to_owned()
    };
    assert!(!card("dan").contains("pymk-request"), "{}", card("dan"));
    assert!(card("dan").contains("pymk-introduction"), "{}", card("dan"));
    assert!(card("eve").contains("pymk-request"), "{}", card("eve"));
    // Search results carry them too; a contact may be written to.
    let r = app.get_as(&ada, "/api/v1/search?q=bob").await.json();
    assert_eq!(r["items"][0]["actions"]["message"], true, "{r}");
    assert_eq!(r["items"][0]["actions"]["contact_request"], false, "{r}");
}

#[tokio::test]
async fn the_profile_page_offers_what_the_lens_allows() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    app.connect(&bob, &carol).await;
    // Carol (2nd degree, introductions only): ask an introduction, or
    // quote her address; no plain request.
    let page = app.get_as(&ada, "/@carol").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("data-testid=\"ask-introduction\""));
    assert!(html.contains("data-testid=\"proof-only\""));
    assert!(!html.contains("data-testid=\"write-message\""));
    // Bob, a contact, may be written to until he closes his messages.
    let html = app.get_as(&ada, "/@bob").await.text();
    assert!(html.contains("data-testid=\"write-message\""));
    app.patch_profile(&bob, "bob", json!({"settings": {"messages": "nobody"}}))
        .await;
    let html = app.get_as(&ada, "/@bob").await.text();
    assert!(!html.contains("data-testid=\"write-message\""), "{html}");
    assert!(html.contains("data-testid=\"remove-contact\""));
    // Carol opens requests to her network: the plain request is offered.
    app.patch_profile(
        &carol,
        "carol",
        json!({"settings": {"contact_requests": "network"}}),
    )
    .await;
    let html = app.get_as(&ada, "/@carol").await.text();
    assert!(!html.contains("data-testid=\"proof-only\""));
    assert!(html.contains("data-testid=\"send-contact-request\""));
}

#[tokio::test]
async fn people_you_may_know_are_ordered_by_what_the_viewer_may_see() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Perrin").await;
    let frank = app.member("frank", "Frank Olier").await;
    let eve = app.member("eve", "Eve Quéré").await;
    for (a, b) in [
        (&ada, &bob),
        (&ada, &carol),
        (&ada, &frank),
        (&bob, &dan),
        (&carol, &dan),
        (&frank, &eve),
    ] {
        app.connect(a, b).await;
    }
    let order = |pymk: &Value| -> Vec<(String, u64)> {
        pymk["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["handle"].as_str().unwrap().to_owned(),
                    s["mutual_count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let pymk = app.get_as(&ada, "/api/v1/people-you-may-know").await.json();
    assert_eq!(order(&pymk), [("dan".to_owned(), 2), ("eve".to_owned(), 1)]);
    // Bob and Carol keep their lists to themselves: Dan's two mutual
    // contacts are hidden, and he no longer comes first.
    for (m, h) in [(&bob, "bob"), (&carol, "carol")] {
        app.patch_profile(m, h, json!({"settings": {"contact_list": "only_me"}}))
            .await;
    }
    let pymk = app.get_as(&ada, "/api/v1/people-you-may-know").await.json();
    assert_eq!(order(&pymk), [("eve".to_owned(), 1), ("dan".to_owned(), 0)]);
}

#[tokio::test]
async fn a_persona_is_labelled_with_its_organization_wherever_it_writes() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    for body in [
        json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        json!({"kind": "persona", "handle": "margot", "name": "Margot", "parent": "acme"}),
    ] {
        let r = app.post_json(Some(&ada), "/api/v1/pages", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "Bonjour de Margot", "audience": "public", "as": "margot"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let label = json!({"handle": "acme", "name": "ACME Expertise"});
    for viewer in [None, Some(&bob)] {
        let uri = format!("/api/v1/posts/{id}");
        let post = match viewer {
            Some(m) => app.get_as(m, &uri).await,
            None => app.get(&uri).await,
        };
        assert_eq!(
            post.json()["author"]["persona_of"],
            label,
            "{}",
            post.text()
        );
        let page = match viewer {
            Some(m) => app.get_as(m, &format!("/posts/{id}")).await,
            None => app.get(&format!("/posts/{id}")).await,
        };
        assert!(page.text().contains("href=\"/@acme\""), "{}", page.text());
    }
}
