//! What holds under abuse: rate limits on writes and scraping reads,
//! bounded uploads (bodies at once, quota, collection of uploads no post
//! took), and a write that finishes when its client leaves after the
//! commit.

use crate::support::{Member, Req, TestApp, code, multipart, multipart_type, test_limits};
use axum::body::Body;
use axum::http::{Method, StatusCode};
use entremise_media::samples;
use serde_json::json;
use std::time::Duration;
use tower::ServiceExt;

/// The real limits of the web layer (most tests multiply them).
async fn app_with_real_limits() -> TestApp {
    TestApp::build(
        test_limits(),
        entremise_web::WebConfig::default(),
        axum::Router::new(),
    )
    .await
}

async fn post(app: &TestApp, m: &Member, text: &str) -> crate::support::Response {
    app.post_json(
        Some(m),
        "/api/v1/posts",
        json!({"text": text, "audience": "public"}),
    )
    .await
}

#[tokio::test]
async fn a_member_posting_in_a_flood_is_slowed_down_alone() {
    let app = app_with_real_limits().await;
    let (ada, bob, _) = app.cast().await;
    // The burst passes, the next is refused with the wait.
    for i in 0..10 {
        let r = post(&app, &ada, &format!("Post {i}")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = post(&app, &ada, "One too many").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert_eq!(code(&r), "rate_limited");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Nothing was stored for it.
    let mine = app.get_as(&ada, "/api/v1/profiles/ada/posts").await.json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 10);
    // Someone else is not slowed down, and other kinds of writes neither.
    let r = post(&app, &bob, "Mine").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            &format!("/api/v1/posts/{id}/reactions/like"),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    // Once the wait is over, one more passes.
    app.clock.advance(time::Duration::seconds(wait as i64));
    let r = post(&app, &ada, "After the wait").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn an_anonymous_client_scraping_search_and_profiles_is_slowed_down() {
    let app = app_with_real_limits().await;
    let (ada, _, _) = app.cast().await;
    let search = |ip: &'static str| Req::new(Method::GET, "/api/v1/search?q=ada").client_ip(ip);
    for _ in 0..30 {
        let r = app.send(search("198.51.100.7")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let r = app.send(search("198.51.100.7")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.header("retry-after").is_some());
    // Another client, and a member from the same address, are not.
    assert_eq!(
        app.send(search("198.51.100.8")).await.status,
        StatusCode::OK
    );
    let r = app.send(search("198.51.100.7").bearer(&ada.token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Profile pages have their own bucket, and a page answers as a page.
    for _ in 0..60 {
        let r = app
            .send(Req::new(Method::GET, "/@ada").client_ip("198.51.100.7"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = app
        .send(
            Req::new(Method::GET, "/@ada")
                .client_ip("198.51.100.7")
                .header("accept-language", "fr"),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    // The page says it in its own language, the wait in words.
    let html = r.text();
    assert!(html.contains("Trop de tentatives"), "{html}");
    let plural = if wait > 1 { "secondes" } else { "seconde" };
    assert!(
        html.contains(&format!("Réessayez dans {wait} {plural}.")),
        "{html}"
    );
    // An IPv6 client is one /64: changing the last bits does not help.
    for i in 0..30 {
        let ip: &'static str = Box::leak(format!("2001:db8:1:2::{i:x}").into_boxed_str());
        assert_eq!(app.send(search(ip)).await.status, StatusCode::OK);
    }
    let r = app.send(search("2001:db8:1:2:ffff::1")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn uploads_wait_for_their_turn_to_be_read() {
    let app = TestApp::with_web_config(entremise_web::WebConfig {
        max_concurrent_uploads: 1,
        ..crate::support::test_web_config()
    })
    .await;
    let (ada, bob, _) = app.cast().await;
    // Ada's upload is being read slowly: its body is still open.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let reading = std::sync::Arc::new(tokio::sync::Notify::new());
    let body = Body::from_stream(tokio_stream_from(rx, reading.clone()));
    let slow = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/media")
        .header("authorization", format!("Bearer {}", ada.token))
        .header("content-type", multipart_type())
        .body(body)
        .unwrap();
    let router = app.router.clone();
    let slow = tokio::spawn(async move { router.oneshot(slow).await.unwrap().status() });
    let photo = samples::jpeg(samples::gradient(64, 32));
    let whole = multipart(&photo, "A gradient");
    tx.send(Ok(whole[..100].to_vec())).await.unwrap();
    // Once her body is being read, her handler holds its turn.
    tokio::time::timeout(Duration::from_secs(10), reading.notified())
        .await
        .expect("the upload's body was never read");
    // Bob's upload is answered busy at once, before its body is read.
    let refused = app.upload(&bob, &photo, "Mine").await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.text()
    );
    assert_eq!(code(&refused), "busy");
    assert!(refused.header("retry-after").is_some());
    // Once Ada's is done, uploads go on.
    tx.send(Ok(whole[100..].to_vec())).await.unwrap();
    drop(tx);
    assert_eq!(slow.await.unwrap(), StatusCode::CREATED);
    let r = app.upload(&bob, &photo, "Mine").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// A stream of the chunks sent on `rx`; `reading` is told each time the
/// server asks for the next one.
fn tokio_stream_from(
    rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
    reading: std::sync::Arc<tokio::sync::Notify>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::unfold(rx, move |mut rx| {
        reading.notify_one();
        async move { rx.recv().await.map(|chunk| (chunk, rx)) }
    })
}

#[tokio::test]
async fn an_account_keeps_a_bounded_number_of_images_waiting_for_a_post() {
    let app = TestApp::with_limits(entremise_domain::service::DomainConfig {
        unattached_media_max: 2,
        ..test_limits()
    })
    .await;
    let (ada, bob, _) = app.cast().await;
    let photo = |n: u32| samples::jpeg(samples::gradient(40 + n, 30));
    let first = app.upload(&ada, &photo(1), "").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert_eq!(
        app.upload(&ada, &photo(2), "").await.status,
        StatusCode::CREATED
    );
    let r = app.upload(&ada, &photo(3), "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["fields"][0]["reason"], "too_many_unattached");
    // Bob has his own.
    assert_eq!(
        app.upload(&bob, &photo(3), "").await.status,
        StatusCode::CREATED
    );
    // Publishing one frees a place.
    let id = first.json()["id"].clone();
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "With a picture", "audience": "public", "media": [id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        app.upload(&ada, &photo(3), "").await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn an_account_has_a_quota_of_bytes() {
    let app = TestApp::with_limits(entremise_domain::service::DomainConfig {
        media_quota_bytes: 1,
        ..test_limits()
    })
    .await;
    let (ada, bob, _) = app.cast().await;
    let photo = samples::jpeg(samples::gradient(64, 32));
    // The first one fits (the account held nothing), then the space is used.
    assert_eq!(
        app.upload(&ada, &photo, "").await.status,
        StatusCode::CREATED
    );
    let r = app.upload(&ada, &photo, "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["fields"][0]["reason"], "quota");
    assert_eq!(
        app.upload(&bob, &photo, "").await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn uploads_no_post_took_are_collected_after_a_day() {
    let app = TestApp::new().await;
    let (ada, _, _) = app.cast().await;
    let kept = app
        .upload(&ada, &samples::jpeg(samples::gradient(64, 32)), "")
        .await;
    let loose = app
        .upload(&ada, &samples::jpeg(samples::gradient(32, 64)), "")
        .await;
    let kept_id = kept.json()["id"].clone();
    let loose_url = loose.json()["url"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "Kept", "audience": "public", "media": [kept_id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let kept_url = r.json()["images"][0]["url"].as_str().unwrap().to_owned();
    // Within the day, nothing goes.
    app.clock.advance(time::Duration::hours(23));
    assert_eq!(app.app.posts().collect_unattached_media().await.unwrap(), 0);
    assert_eq!(app.get_as(&ada, &loose_url).await.status, StatusCode::OK);
    app.clock.advance(time::Duration::hours(2));
    assert_eq!(app.app.posts().collect_unattached_media().await.unwrap(), 1);
    assert_eq!(
        app.get_as(&ada, &loose_url).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get_as(&ada, &kept_url).await.status, StatusCode::OK);
    assert_eq!(app.app.posts().collect_unattached_media().await.unwrap(), 0);
}

/// Whether the store holds a contact between two handles.
fn stored_contact(db: &rusqlite::Connection, a: &str, b: &str) -> bool {
    db.query_row(
        "SELECT EXISTS (SELECT 1 FROM contacts c
           JOIN profiles pa ON pa.id = c.a JOIN profiles pb ON pb.id = c.b
           WHERE (pa.handle = ?1 AND pb.handle = ?2) OR (pa.handle = ?2 AND pb.handle = ?1))",
        [a, b],
        |row| row.get(0),
    )
    .unwrap()
}

/// `b` accepts `a`'s contact request, and the client goes away as soon as
/// the store holds the contact: whether the network in memory learned of
/// it, or `None` when the answer came before the commit could be seen.
async fn accept_and_leave(
    app: &TestApp,
    a: &Member,
    b: &Member,
    names: (&str, &str),
) -> Option<bool> {
    app.call(
        Method::PATCH,
        Some(b),
        &format!("/api/v1/profiles/{}", names.1),
        json!({"settings": {"contact_requests": "everyone"}}),
    )
    .await;
    let r = app
        .post_json(Some(a), "/api/v1/contact-requests", json!({"to": names.1}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let accept = Req::new(
        Method::POST,
        &format!("/api/v1/contact-requests/{id}/accept"),
    )
    .bearer(&b.token)
    .json(&json!({}));
    let db = rusqlite::Connection::open(app.db_path()).unwrap();
    let mut answer = Box::pin(app.router.clone().oneshot(accept.build()));
    // Poll the request once at a time, with time for the store to work in
    // between while nobody polls; as soon as the store holds the contact,
    // the client goes away without polling it again.
    let mut left = false;
    for _ in 0..5_000 {
        if stored_contact(&db, names.0, names.1) {
            drop(answer);
            left = true;
            break;
        }
        let once = std::future::poll_fn(|cx| std::task::Poll::Ready(answer.as_mut().poll(cx)));
        if let std::task::Poll::Ready(r) = once.await {
            // The commit ended between a look and a poll: the use case ran
            // whole, which proves nothing either way.
            assert_eq!(r.unwrap().status(), StatusCode::OK);
            return None;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(left, "the contact was never stored");
    // Memory catches up with the store.
    for _ in 0..200 {
        let degree = app
            .get_as(a, &format!("/api/v1/profiles/{}/connection", names.1))
            .await
            .json()["degree"]
            .clone();
        if degree == 1 {
            return Some(true);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Some(false)
}

/// A client that leaves right after the store committed its write: the
/// rest of the use case (here the contact network in memory) still runs,
/// so memory never stays narrower than the store.
#[tokio::test]
async fn a_write_whose_client_leaves_after_the_commit_still_updates_memory() {
    let app = TestApp::new().await;
    for i in 0..16 {
        let (a, b) = (format!("leaver{i}a"), format!("leaver{i}b"));
        let ma = app.member(&a, "Leaving Client").await;
        let mb = app.member(&b, "Accepting Member").await;
        match accept_and_leave(&app, &ma, &mb, (&a, &b)).await {
            Some(learned) => {
                assert!(
                    learned,
                    "the network in memory never learned of the contact {a}–{b}"
                );
                return;
            }
            None => eprintln!("try {i}: answered before the commit could be seen"),
        }
    }
    panic!("none of 16 tries left right after the commit");
}

fn count_rows(app: &TestApp, table: &str) -> i64 {
    let db = rusqlite::Connection::open(app.db_path()).unwrap();
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
        row.get(0)
    })
    .unwrap()
}

/// A read records its visit in memory and answers: a store that cannot
/// write (a full disk) does not turn a profile into an error. The visit is
/// written by the next flush, which reading the visitors does first.
#[tokio::test]
async fn reading_a_profile_writes_nothing_itself() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    let r = app.get_as(&bob, "/api/v1/profiles/ada").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(app.get_as(&bob, "/@ada").await.status, StatusCode::OK);
    assert_eq!(count_rows(&app, "profile_visits"), 0);
    let visitors = app.get_as(&ada, "/api/v1/me/visitors").await.json();
    assert_eq!(visitors["items"].as_array().unwrap().len(), 1, "{visitors}");
    assert_eq!(count_rows(&app, "profile_visits"), 1);
    // The background flush writes them too, and an empty one is cheap.
    app.get_as(&bob, "/api/v1/profiles/ada").await;
    app.get_as(&ada, "/api/v1/profiles/bob").await;
    assert_eq!(app.app.visits().flush().await.unwrap(), (2, 0));
    assert_eq!(count_rows(&app, "profile_visits"), 2);
    assert_eq!(app.app.visits().flush().await.unwrap(), (0, 0));
}
