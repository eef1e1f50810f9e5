//! Every list of the API pages the same way (API.md, "Conventions"):
//! `?limit=` from 1 to 100, `?cursor=` taken from the previous page's
//! `next`, which is null on the last page; a bad value of either is a 400
//! `invalid_input` naming it.

use crate::support::{Member, TestApp, code, urlencode};
use axum::http::{Method, StatusCode};
use base64::Engine as _;
use serde_json::{Value, json};

async fn ok(app: &TestApp, m: Option<&Member>, method: Method, uri: &str, body: Value) -> Value {
    let r = app.call(method, m, uri, body).await;
    assert!(r.status.is_success(), "{uri}: {} {}", r.status, r.text());
    if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    }
}

async fn open_requests(app: &TestApp, m: &Member, handle: &str) {
    ok(
        app,
        Some(m),
        Method::PATCH,
        &format!("/api/v1/profiles/{handle}"),
        json!({"settings": {"contact_requests": "everyone"}}),
    )
    .await;
}

/// A network in which every list of Ada's holds at least two items, and
/// the lists to walk as Ada (path and query, without `limit` or `cursor`).
async fn network() -> (TestApp, Member, Vec<String>) {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Martin").await;
    app.connect(&ada, &bob).await;
    app.connect(&ada, &carol).await;
    app.connect(&ada, &dan).await;
    // Bob's contacts Ada does not know: three she asks to meet through
    // him, two she may know.
    let mut second = Vec::new();
    for (handle, name) in [
        ("eve", "Eve Martin"),
        ("fay", "Fay Martin"),
        ("gil", "Gil Martin"),
        ("hal", "Hal Martin"),
        ("ivy", "Ivy Martin"),
    ] {
        let m = app.member(handle, name).await;
        app.connect(&bob, &m).await;
        second.push(m);
    }
    for target in ["eve", "fay", "gil"] {
        ok(
            &app,
            Some(&ada),
            Method::POST,
            "/api/v1/introductions",
            json!({"to": target, "note": "We share a client."}),
        )
        .await;
    }
    // Incoming requests, and blocks.
    open_requests(&app, &ada, "ada").await;
    for (handle, name) in [("mia", "Mia Roux"), ("ned", "Ned Roux")] {
        let m = app.member(handle, name).await;
        ok(
            &app,
            Some(&m),
            Method::POST,
            "/api/v1/contact-requests",
            json!({"to": "ada"}),
        )
        .await;
    }
    for (handle, name) in [("kim", "Kim Noir"), ("lou", "Lou Noir")] {
        app.member(handle, name).await;
        ok(
            &app,
            Some(&ada),
            Method::PUT,
            &format!("/api/v1/blocks/{handle}"),
            json!({}),
        )
        .await;
    }
    for _ in 0..3 {
        ok(
            &app,
            Some(&ada),
            Method::POST,
            "/api/v1/invitation-codes",
            json!({}),
        )
        .await;
    }
    // Conversations, one with several messages.
    let mut conversation = String::new();
    for with in ["bob", "carol", "dan"] {
        let c = ok(
            &app,
            Some(&ada),
            Method::POST,
            "/api/v1/conversations",
            json!({"with": [with]}),
        )
        .await;
        if with == "bob" {
            conversation = c["id"].as_str().unwrap().to_owned();
        }
    }
    for text in ["Bonjour", "Tu as vu ?", "À demain"] {
        ok(
            &app,
            Some(&ada),
            Method::POST,
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"text": text}),
        )
        .await;
    }
    // Posts, comments with a reply, reactions of three kinds, edits.
    let mut post = String::new();
    for (author, text) in [(&ada, "Premier"), (&bob, "Deuxième"), (&ada, "Troisième")] {
        let p = ok(
            &app,
            Some(author),
            Method::POST,
            "/api/v1/posts",
            json!({"text": text, "audience": "public"}),
        )
        .await;
        if text == "Premier" {
            post = p["id"].as_str().unwrap().to_owned();
        }
        app.clock.advance(time::Duration::minutes(1));
    }
    let mut first_comment = String::new();
    for m in [&bob, &carol, &dan] {
        let c = ok(
            &app,
            Some(m),
            Method::POST,
            &format!("/api/v1/posts/{post}/comments"),
            json!({"text": "Bravo"}),
        )
        .await;
        if first_comment.is_empty() {
            first_comment = c["id"].as_str().unwrap().to_owned();
        }
    }
    ok(
        &app,
        Some(&ada),
        Method::POST,
        &format!("/api/v1/posts/{post}/comments"),
        json!({"text": "Merci", "parent": first_comment}),
    )
    .await;
    for (m, kind) in [(&bob, "like"), (&carol, "celebrate"), (&dan, "support")] {
        ok(
            &app,
            Some(m),
            Method::PUT,
            &format!("/api/v1/posts/{post}/reactions/{kind}"),
            json!({}),
        )
        .await;
    }
    for text in ["Premier !", "Premier !!", "Premier !!!"] {
        ok(
            &app,
            Some(&ada),
            Method::PATCH,
            &format!("/api/v1/posts/{post}"),
            json!({"text": text}),
        )
        .await;
    }
    // Sessions.
    app.sign_in(&ada.email, crate::support::PASSWORD).await;
    app.sign_in(&ada.email, crate::support::PASSWORD).await;
    // A firm: managers, its audit trail, positions held there, messages
    // through its contact form.
    ok(
        &app,
        Some(&ada),
        Method::POST,
        "/api/v1/pages",
        json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
    )
    .await;
    for (handle, role) in [("bob", "editor"), ("carol", "analyst"), ("bob", "admin")] {
        ok(
            &app,
            Some(&ada),
            Method::PUT,
            &format!("/api/v1/pages/acme/managers/{handle}"),
            json!({"role": role}),
        )
        .await;
    }
    for (m, handle) in [(&ada, "ada"), (&bob, "bob"), (&carol, "carol")] {
        ok(
            &app,
            Some(m),
            Method::POST,
            &format!("/api/v1/profiles/{handle}/positions"),
            json!({"title": "Associé", "organization": "acme", "since_year": 2015}),
        )
        .await;
    }
    for title in ["Auditrice", "Commissaire aux comptes"] {
        ok(
            &app,
            Some(&ada),
            Method::POST,
            "/api/v1/profiles/ada/positions",
            json!({"title": title, "organization": "Cabinet Lovelace"}),
        )
        .await;
    }
    for name in ["Dora", "Elie", "Fanny"] {
        ok(
            &app,
            None,
            Method::POST,
            "/api/v1/pages/acme/contact-messages",
            json!({"name": name, "email": "someone@example.org", "message": "Bonjour"}),
        )
        .await;
    }
    // Visitors of Ada's profile.
    for m in [&bob, &carol, &dan] {
        app.clock.advance(time::Duration::minutes(1));
        assert_eq!(
            app.get_as(m, "/api/v1/profiles/ada").await.status,
            StatusCode::OK
        );
    }
    let lists = [
        "/api/v1/profiles/ada/contacts".to_owned(),
        "/api/v1/contact-requests".to_owned(),
        "/api/v1/blocks".to_owned(),
        "/api/v1/invitation-codes".to_owned(),
        "/api/v1/introductions".to_owned(),
        "/api/v1/conversations".to_owned(),
        format!("/api/v1/conversations/{conversation}/messages"),
        format!("/api/v1/posts/{post}/comments"),
        format!("/api/v1/posts/{post}/reactions"),
        format!("/api/v1/posts/{post}/history"),
        "/api/v1/feed".to_owned(),
        "/api/v1/feed?ranked=true".to_owned(),
        "/api/v1/profiles/ada/posts".to_owned(),
        "/api/v1/search?q=martin".to_owned(),
        "/api/v1/search/suggestions?q=mart".to_owned(),
        "/api/v1/people-you-may-know".to_owned(),
        "/api/v1/sessions".to_owned(),
        "/api/v1/pages/acme/managers".to_owned(),
        "/api/v1/pages/acme/audit".to_owned(),
        "/api/v1/pages/acme/positions".to_owned(),
        "/api/v1/pages/acme/contact-messages".to_owned(),
        "/api/v1/profiles/ada/positions".to_owned(),
        "/api/v1/me/visitors".to_owned(),
    ];
    (app, ada, lists.to_vec())
}

/// `uri` with `query` appended.
fn with(uri: &str, query: &str) -> String {
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{query}")
}

async fn page(app: &TestApp, m: &Member, uri: &str) -> Value {
    let r = app.get_as(m, uri).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
    r.json()
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn every_list_walks_a_page_at_a_time_to_exactly_its_items() {
    let (app, ada, lists) = network().await;
    for list in &lists {
        let whole = page(&app, &ada, &with(list, "limit=100")).await;
        assert!(whole["next"].is_null(), "{list}: one page of 100: {whole}");
        let all = items(&whole);
        assert!(all.len() >= 2, "{list}: too short to page: {whole}");
        let mut distinct: Vec<String> = all.iter().map(Value::to_string).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), all.len(), "{list}: duplicates: {whole}");

        let mut walked = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let uri = match &cursor {
                Some(c) => with(list, &format!("limit=1&cursor={}", urlencode(c))),
                None => with(list, "limit=1"),
            };
            let one = page(&app, &ada, &uri).await;
            let got = items(&one);
            assert!(got.len() <= 1, "{uri}: more than the limit: {one}");
            walked.extend(got);
            pages += 1;
            assert!(pages <= 2 * all.len() + 2, "{list}: the walk never ends");
            match one["next"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => {
                    assert!(one["next"].is_null(), "{uri}: next is a string or null");
                    break;
                }
            }
        }
        assert_eq!(walked, all, "{list}: a page at a time");
    }
}

#[tokio::test]
async fn a_bad_limit_or_cursor_is_a_400_naming_it() {
    let (app, ada, lists) = network().await;
    for list in &lists {
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=abc", "limit"),
            ("limit=-1", "limit"),
            ("cursor=garbage", "cursor"),
            ("cursor=%F0%9F%A6%80", "cursor"),
        ] {
            let uri = with(list, query);
            let r = app.get_as(&ada, &uri).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text());
            assert_eq!(code(&r), "invalid_input", "{uri}");
            assert_eq!(r.json()["fields"][0]["field"], field, "{uri}: {}", r.text());
        }
    }
}

#[tokio::test]
async fn feed_and_search_take_up_to_100() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Martin").await;
    for i in 0..60 {
        ok(
            &app,
            Some(&ada),
            Method::POST,
            "/api/v1/posts",
            json!({"text": format!("Note {i}"), "audience": "public"}),
        )
        .await;
        app.clock.advance(time::Duration::minutes(1));
    }
    for uri in [
        "/api/v1/feed?limit=100",
        "/api/v1/profiles/ada/posts?limit=100",
    ] {
        let all = page(&app, &ada, uri).await;
        assert_eq!(items(&all).len(), 60, "{uri}");
        assert!(all["next"].is_null(), "{uri}");
    }
    let found = page(&app, &ada, "/api/v1/search?q=martin&limit=100").await;
    assert_eq!(items(&found).len(), 1);
    // The default pages stay as they were.
    assert_eq!(items(&page(&app, &ada, "/api/v1/feed").await).len(), 20);
}

#[tokio::test]
async fn a_cursor_tells_nothing_the_items_do_not() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dan = app.member("dan", "Dan Martin").await;
    let eve = app.member("eve", "Eve Martin").await;
    let zoe = app.member("zoe", "Zoé Martin").await;
    for m in [&bob, &carol, &dan, &eve, &zoe] {
        app.connect(&ada, m).await;
    }
    // Carol, one of Ada's contacts, blocks two others of them: she sees
    // neither in Ada's list, nor in a cursor, nor as a short page.
    for handle in ["dan", "zoe"] {
        ok(
            &app,
            Some(&carol),
            Method::PUT,
            &format!("/api/v1/blocks/{handle}"),
            json!({}),
        )
        .await;
    }
    let list = "/api/v1/profiles/ada/contacts";
    let whole = items(&page(&app, &carol, list).await);
    assert_eq!(whole, [json!("bob"), json!("carol"), json!("eve")]);
    let mut walked = Vec::new();
    let mut uri = with(list, "limit=1");
    loop {
        let one = page(&app, &carol, &uri).await;
        let got = items(&one);
        assert_eq!(got.len(), 1, "{uri}: a full page: {one}");
        walked.extend(got.clone());
        let Some(next) = one["next"].as_str() else {
            break;
        };
        let inside = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(next)
            .expect("a cursor is URL-safe base64");
        assert_eq!(
            String::from_utf8(inside).unwrap(),
            got[0].as_str().unwrap(),
            "the position of the last item shown"
        );
        uri = with(list, &format!("limit=1&cursor={next}"));
    }
    assert_eq!(walked, whole);
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

#[tokio::test]
async fn the_openapi_document_states_limit_cursor_and_400_for_every_list() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let mut lists = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else {
            continue;
        };
        let schema = &get["responses"]["200"]["content"]["application/json"]["schema"];
        if resolve(&doc, schema)["properties"]["items"]["type"] != "array" {
            continue;
        }
        lists.push(path.clone());
        let params = get["parameters"].as_array().cloned().unwrap_or_default();
        let mut names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "{path}: a parameter stated twice");
        let param = |name: &str| {
            params
                .iter()
                .find(|p| p["name"] == name && p["in"] == "query")
                .cloned()
                .unwrap_or_else(|| panic!("{path}: no `{name}` parameter"))
        };
        let limit = param("limit");
        assert_eq!(limit["schema"]["minimum"], 1, "{path}: {limit}");
        assert_eq!(limit["schema"]["maximum"], 100, "{path}: {limit}");
        param("cursor");
        assert!(
            get["responses"].get("400").is_some(),
            "{path}: no 400 answer"
        );
    }
    lists.sort();
    assert_eq!(
        lists,
        [
            "/api/v1/admin/codes",
            "/api/v1/admin/signups",
            "/api/v1/admin/staff",
            "/api/v1/blocks",
            "/api/v1/comments/{id}/history",
            "/api/v1/contact-requests",
            "/api/v1/conversations",
            "/api/v1/conversations/{id}/messages",
            "/api/v1/feed",
            "/api/v1/groups",
            "/api/v1/groups/{handle}/directory",
            "/api/v1/groups/{handle}/members",
            "/api/v1/groups/{handle}/posts",
            "/api/v1/inbox",
            "/api/v1/introductions",
            "/api/v1/invitation-codes",
            "/api/v1/me/visitors",
            "/api/v1/moderation/held",
            "/api/v1/moderation/log",
            "/api/v1/moderation/queue",
            "/api/v1/mutes",
            "/api/v1/notifications",
            "/api/v1/pages/{handle}/audit",
            "/api/v1/pages/{handle}/contact-messages",
            "/api/v1/pages/{handle}/managers",
            "/api/v1/pages/{handle}/positions",
            "/api/v1/people-you-may-know",
            "/api/v1/posts/{id}/comments",
            "/api/v1/posts/{id}/history",
            "/api/v1/posts/{id}/reactions",
            "/api/v1/profiles/{handle}/contacts",
            "/api/v1/profiles/{handle}/positions",
            "/api/v1/profiles/{handle}/posts",
            "/api/v1/reports/mine",
            "/api/v1/search",
            "/api/v1/search/suggestions",
            "/api/v1/sessions",
        ]
    );
}
