//! Search through the real API and pages: the leak matrix (every searchable
//! field × audience × relation, self to anonymous), ranking by closeness,
//! French and English stemming, accents, typos, type-ahead, the index kept
//! current by edits, blocks, and bad input.

use crate::support::{Member, Req, TestApp, code};
use axum::http::{Method, StatusCode};
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

fn handles(found: &Value) -> Vec<String> {
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["handle"].as_str().unwrap().to_owned())
        .collect()
}

/// A word for each field, found nowhere else.
fn word(field: &str) -> &'static str {
    match field {
        "headline" => "zythologue",
        "about" => "xylographie",
        "location" => "Quimperlé",
        "organization" => "Brocéliande",
        "skills" => "kamishibai",
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_member_is_found_through_a_field_exactly_when_the_viewer_may_see_it() {
    let app = TestApp::new().await;
    // target — contact — network (2nd degree of target); member: nobody's contact.
    let target = app.member("target", "Tanguy Le Gall").await;
    let contact = app.member("contact", "Corentin Morvan").await;
    let second = app.member("second", "Soizic Riou").await;
    let member = app.member("member", "Maël Caradec").await;
    app.connect(&contact, &target).await;
    app.connect(&second, &contact).await;

    let fields = ["headline", "about", "location", "organization", "skills"];
    let mut values = serde_json::Map::new();
    for f in fields {
        let v = if f == "skills" {
            json!([word(f)])
        } else {
            json!(format!("Un peu de {} ici", word(f)))
        };
        values.insert(f.into(), v);
    }
    app.patch_profile(&target, "target", json!({"fields": values}))
        .await;

    // (audience, self, contact, network, member, anonymous)
    let table = [
        ("public", [true, true, true, true, true]),
        ("members", [true, true, true, true, false]),
        ("network", [true, true, true, false, false]),
        ("contacts", [true, true, false, false, false]),
        ("only_me", [true, false, false, false, false]),
    ];
    let viewers: [(&str, Option<&Member>); 5] = [
        ("self", Some(&target)),
        ("contact", Some(&contact)),
        ("network", Some(&second)),
        ("member", Some(&member)),
        ("anonymous", None),
    ];
    for (audience, expected) in table {
        let audiences: serde_json::Map<String, Value> = fields
            .iter()
            .map(|f| (f.to_string(), json!(audience)))
            .collect();
        app.patch_profile(&target, "target", json!({"audiences": audiences}))
            .await;
        for field in fields {
            let w = word(field);
            for ((relation, viewer), found) in viewers.iter().zip(expected) {
                // By free text, and by the field's own filter when it has one.
                let mut queries = vec![format!("q={}", crate::support::urlencode(w))];
                let filter = match field {
                    "location" => Some("location"),
                    "organization" => Some("organization"),
                    "skills" => Some("skill"),
                    _ => None,
                };
                if let Some(filter) = filter {
                    queries.push(format!("{filter}={}", crate::support::urlencode(w)));
                }
                for q in queries {
                    let result = search(&app, *viewer, &q).await;
                    let hit = result["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|i| i["handle"] == "target");
                    assert_eq!(
                        hit.is_some(),
                        found,
                        "{field} for {audience}, seen by {relation}, query {q}: {result}"
                    );
                    if let Some(hit) = hit {
                        // The snippet shows the field, since it may be seen.
                        let text = hit.to_string().to_lowercase();
                        assert!(text.contains(&w.to_lowercase()) || field == "headline");
                    }
                }
            }
        }
    }

    // A field hidden from a viewer never shows in his results either: the
    // headline is public, the skill for contacts only.
    let audiences = json!({"headline": "public", "skills": "contacts", "about": "members"});
    app.patch_profile(&target, "target", json!({"audiences": audiences}))
        .await;
    let seen = search(&app, Some(&member), "q=xylographie").await;
    let text = seen.to_string();
    assert!(
        text.contains("zythologue") && !text.contains("kamishibai"),
        "{text}"
    );
}

#[tokio::test]
async fn names_follow_their_audience() {
    let app = TestApp::new().await;
    let target = app.member("target", "Gwenola Kerbrat").await;
    let viewer = app.member("viewer", "Viviane Tanguy").await;
    for (audience, anonymous_finds) in [("public", true), ("members", false)] {
        app.patch_profile(&target, "target", json!({"audiences": {"name": audience}}))
            .await;
        let by_member = search(&app, Some(&viewer), "q=kerbrat").await;
        assert_eq!(handles(&by_member), ["target"]);
        let by_anonymous = search(&app, None, "q=kerbrat").await;
        assert_eq!(
            !handles(&by_anonymous).is_empty(),
            anonymous_finds,
            "{audience}"
        );
    }
}

#[tokio::test]
async fn closer_relations_come_first_then_relevance() {
    let app = TestApp::new().await;
    let me = app.member("me", "Yann Moal").await;
    let far = app.member("far", "Martin Martin").await;
    let second = app.member("second", "Louise Martin").await;
    let contact = app.member("contact", "Hugo Martin").await;
    let bridge = app.member("bridge", "Pierre Bridge").await;
    app.connect(&me, &contact).await;
    app.connect(&me, &bridge).await;
    app.connect(&bridge, &second).await;
    let _ = far;
    let found = search(&app, Some(&me), "q=martin").await;
    assert_eq!(handles(&found), ["contact", "second", "far"]);
    let items = found["items"].as_array().unwrap();
    assert_eq!(items[0]["relation"], "contact");
    assert_eq!(items[0]["degree"], 1);
    assert_eq!(items[1]["degree"], 2);
    assert!(items[2].get("degree").is_none());
    assert_eq!(found["total"], 3);
    // Degree filters.
    assert_eq!(
        handles(&search(&app, Some(&me), "q=martin&degree=1").await),
        ["contact"]
    );
    assert_eq!(
        handles(&search(&app, Some(&me), "q=martin&degree=2").await),
        ["second"]
    );
    assert_eq!(
        handles(&search(&app, Some(&me), "q=martin&degree=3").await),
        ["far"]
    );
    // Paging.
    let first = search(&app, Some(&me), "q=martin&limit=2").await;
    assert_eq!(handles(&first), ["contact", "second"]);
    let next = first["next"].as_str().unwrap();
    let rest = search(&app, Some(&me), &format!("q=martin&limit=2&cursor={next}")).await;
    assert_eq!(handles(&rest), ["far"]);
    assert!(rest["next"].is_null());
}

#[tokio::test]
async fn french_and_english_words_accents_and_typos() {
    let app = TestApp::new().await;
    let viewer = app.member("viewer", "Viviane Tanguy").await;
    let zoe = app.member("zoe", "Zoé Lefèvre").await;
    let claire = app.member("claire", "Claire Dubois").await;
    let james = app.member("james", "James Walker").await;
    app.patch_profile(
        &zoe,
        "zoe",
        json!({"fields": {"headline": "Expert-comptable", "location": "Évreux"}}),
    )
    .await;
    app.patch_profile(
        &claire,
        "claire",
        json!({"fields": {"skills": ["Conseil fiscal"]}}),
    )
    .await;
    app.patch_profile(
        &james,
        "james",
        json!({"fields": {"headline": "Payroll managers lead"}}),
    )
    .await;
    let cases: [(&str, &str); 10] = [
        ("q=comptables", "zoe"),
        ("q=zoe", "zoe"),
        ("q=ZOÉ", "zoe"),
        ("q=lefevre", "zoe"),
        ("q=evreux", "zoe"),
        ("q=manager", "james"),
        ("q=Clarie", "claire"),
        ("q=Dubios", "claire"),
        ("q=fiscale", "claire"),
        ("q=comptable&location=evreux", "zoe"),
    ];
    for (q, expected) in cases {
        let found = search(&app, Some(&viewer), q).await;
        assert_eq!(handles(&found), [expected], "{q}: {found}");
    }
    // Type-ahead: the last word may be unfinished.
    for (typed, expected) in [
        ("cla", "claire"),
        ("expert comp", "zoe"),
        ("James Wal", "james"),
    ] {
        let uri = format!(
            "/api/v1/search/suggestions?q={}",
            crate::support::urlencode(typed)
        );
        let r = app.get_as(&viewer, &uri).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(handles(&r.json())[0], expected, "{typed}: {}", r.text());
    }
}

#[tokio::test]
async fn edits_are_searchable_at_once_and_blocks_hide() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    app.patch_profile(&ada, "ada", json!({"fields": {"headline": "Ornithologue"}}))
        .await;
    assert_eq!(
        handles(&search(&app, Some(&bob), "q=ornithologue").await),
        ["ada"]
    );
    app.patch_profile(
        &ada,
        "ada",
        json!({"fields": {"headline": "Entomologiste"}}),
    )
    .await;
    assert!(handles(&search(&app, Some(&bob), "q=ornithologue").await).is_empty());
    assert_eq!(
        handles(&search(&app, Some(&bob), "q=entomologiste").await),
        ["ada"]
    );
    // A new position is searchable by its organization.
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/profiles/ada/positions",
            json!({"title": "Associée", "organization": "Cabinet Kerjean"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        handles(&search(&app, Some(&bob), "q=kerjean").await),
        ["ada"]
    );
    // A block hides both ways.
    let r = app
        .send(Req::new(Method::PUT, "/api/v1/blocks/carol").bearer(&ada.token))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(handles(&search(&app, Some(&carol), "q=ada").await).is_empty());
    assert!(handles(&search(&app, Some(&ada), "q=carol").await).is_empty());
    assert_eq!(
        handles(&search(&app, Some(&bob), "q=carol").await),
        ["carol"]
    );
}

#[tokio::test]
async fn pages_are_found_by_kind() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let found = search(&app, None, "q=expertise").await;
    assert_eq!(handles(&found), ["acme"]);
    assert_eq!(found["items"][0]["kind"], "page");
    assert_eq!(found["items"][0]["profile_kind"], "organization");
    assert_eq!(
        handles(&search(&app, None, "q=expertise&kind=page").await),
        ["acme"]
    );
    assert!(handles(&search(&app, None, "q=expertise&kind=profile").await).is_empty());
    // A page is neither a group nor a post.
    for kind in ["group", "post"] {
        let found = search(&app, None, &format!("q=expertise&kind={kind}")).await;
        assert_eq!(found["total"], 0, "{found}");
    }
}

#[tokio::test]
async fn bad_input_is_a_clear_400_never_a_500() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let long = "a".repeat(201);
    for (query, field) in [
        (format!("q={long}"), "q"),
        ("q=ada&limit=0".to_owned(), "limit"),
        ("q=ada&limit=101".to_owned(), "limit"),
        ("q=ada&limit=many".to_owned(), "limit"),
        ("q=ada&cursor=-1".to_owned(), "cursor"),
        ("q=ada&cursor=990".to_owned(), "cursor"),
        ("q=ada&kind=spaceship".to_owned(), "kind"),
        ("q=ada&degree=7".to_owned(), "degree"),
    ] {
        let r = app.get_as(&ada, &format!("/api/v1/search?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.text());
        assert_eq!(code(&r), "invalid_input");
        assert_eq!(r.json()["fields"][0]["field"], field, "{query}");
    }
    // Query syntax is plain text.
    for q in [
        "title:\"(AND",
        "ada OR -bob* ~2",
        "\"\"\"",
        "*",
        "!!!",
        "✓ é ü",
        "",
    ] {
        let uri = format!("/api/v1/search?q={}", crate::support::urlencode(q));
        let r = app.get_as(&ada, &uri).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text());
    }
    // Operators are words like any other: these two words both match.
    let r = app
        .get_as(&ada, "/api/v1/search?q=%2Bada+(-lovelace*)")
        .await;
    assert_eq!(handles(&r.json()), ["ada"]);
}

#[tokio::test]
async fn the_search_page_and_box() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    app.patch_profile(&ada, "ada", json!({"fields": {"headline": "Analyste"}}))
        .await;
    let home = app.get("/").await.text();
    assert!(home.contains("data-testid=\"search-box\""), "{home}");
    let page = app
        .send(Req::new(Method::GET, "/search?q=lovelace").header("accept-language", "fr"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("data-handle=\"ada\""), "{html}");
    assert!(html.contains("Résultats"));
    let bad = app.get(&format!("/search?q={}", "b".repeat(300))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("data-testid=\"search-error\""));
}
