//! Security headers, cross-site writes, panics.

use crate::support::{Req, TestApp};
use axum::Router;
use axum::http::{Method, StatusCode};
use axum::routing::get;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    for path in [
        "/",
        "/signup",
        "/api/v1/health",
        "/@nobody",
        "/api/v1/profiles/nobody",
        "/assets/app.css",
    ] {
        let r = app.get(path).await;
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(r.header("referrer-policy").is_some(), "{path}");
    }
}

#[tokio::test]
async fn pages_have_no_inline_script() {
    let app = TestApp::new().await;
    for path in ["/", "/signup", "/signin", "/@nobody"] {
        let html = app.get(path).await.text();
        for (i, _) in html.match_indices("<script") {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            assert!(tag.contains("src="), "{path}: inline script {tag}");
        }
        assert!(
            !html.contains(" onclick=") && !html.contains(" style="),
            "{path}"
        );
    }
}

#[tokio::test]
async fn cross_site_writes_with_cookies_are_refused() {
    let app = TestApp::new().await;
    let r = app
        .send(
            Req::new(Method::POST, "/signin")
                .header("cookie", "entremise_csrf=aaaaaaaaaaaaaaaaaaaaaaaa")
                .header("origin", "https://evil.example")
                .form(&[
                    ("csrf", "aaaaaaaaaaaaaaaaaaaaaaaa"),
                    ("email", "a@example.org"),
                    ("password", "x"),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "cross_site_request");
    let r = app
        .send(
            Req::new(Method::POST, "/api/v1/accounts")
                .header("sec-fetch-site", "cross-site")
                .json(&serde_json::json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_form_without_its_token_is_refused() {
    let app = TestApp::new().await;
    let r = app
        .send(
            Req::new(Method::POST, "/signin")
                .header("cookie", "entremise_csrf=aaaaaaaaaaaaaaaaaaaaaaaa")
                .form(&[
                    ("csrf", "bbbbbbbbbbbbbbbbbbbbbbbb"),
                    ("email", "a@example.org"),
                    ("password", "x"),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .send(
            Req::new(Method::POST, "/signin")
                .form(&[("email", "a@example.org"), ("password", "x")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_and_the_server_goes_on() {
    async fn boom() -> &'static str {
        panic!("deliberate test panic")
    }
    let app = TestApp::with_routes(Router::new().route("/boom", get(boom))).await;
    let r = app.get("/boom").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.json()["error"], "internal");
    assert!(!r.text().contains("deliberate"));
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(app.get("/api/v1/health").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_authorization_header_that_is_no_bearer_token_does_not_excuse_a_cross_site_write() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    for scheme in ["Basic eDp5", "Digest x", "bearer x", "Bearerx", ""] {
        let r = app
            .send(
                Req::new(Method::PATCH, "/api/v1/profiles/ada")
                    .header("cookie", &format!("entremise_session={}", ada.token))
                    .header("authorization", scheme)
                    .header("origin", "https://evil.example")
                    .json(&serde_json::json!({"fields": {"headline": "Owned"}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{scheme:?}: {}", r.text());
        assert_eq!(r.json()["error"], "cross_site_request", "{scheme:?}");
    }
    let profile = app.get_as(&ada, "/api/v1/profiles/ada").await.json();
    assert_ne!(profile["headline"], "Owned");
    // A call authenticated by its bearer token carries no ambient
    // credential and may come from anywhere.
    let r = app
        .send(
            Req::new(Method::PATCH, "/api/v1/profiles/ada")
                .bearer(&ada.token)
                .header("origin", "https://elsewhere.example")
                .json(&serde_json::json!({"fields": {"headline": "Analyst"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let profile = app.get_as(&ada, "/api/v1/profiles/ada").await.json();
    assert_eq!(profile["headline"], "Analyst");
}

#[tokio::test]
async fn an_https_site_asks_browsers_to_keep_to_https() {
    let https = TestApp::with_web_config(entremise_web::WebConfig {
        public_url: url::Url::parse("https://social.example").unwrap(),
        ..Default::default()
    })
    .await;
    let plain = TestApp::new().await;
    for path in [
        "/",
        "/signin",
        "/api/v1/health",
        "/assets/app.css",
        "/@nobody",
    ] {
        assert_eq!(
            https.get(path).await.header("strict-transport-security"),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
        assert_eq!(
            plain.get(path).await.header("strict-transport-security"),
            None,
            "{path}"
        );
    }
}

#[tokio::test]
async fn what_a_signed_in_member_is_shown_is_not_stored_by_caches() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let session = format!("entremise_session={}", ada.token);
    let by_cookie = |path: &str| Req::new(Method::GET, path).header("cookie", &session);
    for path in ["/", "/settings", "/@ada", "/api/v1/me"] {
        let r = app.send(by_cookie(path)).await;
        assert_eq!(
            r.header("cache-control"),
            Some("no-store"),
            "{path} (cookie)"
        );
        let r = app.get_as(&ada, path).await;
        assert_eq!(
            r.header("cache-control"),
            Some("no-store"),
            "{path} (bearer)"
        );
    }
    // Signing in answers with the new session: not to be stored either.
    let r = app
        .send(
            Req::new(Method::POST, "/signin")
                .header("cookie", "entremise_csrf=aaaaaaaaaaaaaaaaaaaaaaaa")
                .form(&[
                    ("csrf", "aaaaaaaaaaaaaaaaaaaaaaaa"),
                    ("email", &ada.email),
                    ("password", crate::support::PASSWORD),
                ]),
        )
        .await;
    assert!(
        r.cookies()
            .iter()
            .any(|c| c.starts_with("entremise_session=")),
        "{:?}",
        r.headers
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    // A handler's own caching stands.
    let r = app.send(by_cookie("/assets/app.css")).await;
    assert_ne!(r.header("cache-control"), Some("no-store"));
    assert!(r.header("cache-control").is_some());
    // Nobody signed in: nothing private to keep out of caches.
    assert_eq!(app.get("/@ada").await.header("cache-control"), None);
}

#[tokio::test]
async fn slow_bodies_and_slow_requests_are_cut_short() {
    use futures_util::StreamExt as _;
    use std::time::{Duration, Instant};
    let config = entremise_web::WebConfig {
        body_read_timeout: Duration::from_millis(100),
        request_timeout: Duration::from_millis(300),
        upload_timeout: Duration::from_millis(600),
        ..Default::default()
    };
    let slow = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "done"
        }),
    );
    let app = TestApp::build(crate::support::test_limits(), config, slow).await;
    // A body that sends its start, then nothing more, never ending.
    let trickle = |start: &'static [u8]| {
        let stream = futures_util::stream::once(async move {
            Ok::<_, std::io::Error>(axum::body::Bytes::from_static(start))
        })
        .chain(futures_util::stream::pending());
        axum::body::Body::from_stream(stream)
    };
    let started = Instant::now();
    let r = app
        .send(Req::new(Method::POST, "/signin").raw(
            "application/x-www-form-urlencoded",
            trickle(b"email=ada%40example.org&pass"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::REQUEST_TIMEOUT, "{}", r.text());
    let r = app
        .send(
            Req::new(Method::POST, "/api/v1/sessions")
                .raw("application/json", trickle(b"{\"email\": \"ada@")),
        )
        .await;
    assert_eq!(r.status, StatusCode::REQUEST_TIMEOUT, "{}", r.text());
    assert_eq!(r.json()["error"], "request_timeout");
    // A request that takes too long to answer.
    let r = app.send(Req::new(Method::GET, "/slow")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(10));
}
