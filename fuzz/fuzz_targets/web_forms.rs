//! Form and multipart decoding, through the real router: the urlencoded
//! forms of the pages, the composer's multipart `POST /posts` and the
//! API's multipart `POST /api/v1/media`, with every middleware in place.
//!
//! An input is
//!
//! ```text
//! METHOD /path
//! content type
//! body…
//! ```
//!
//! sent by a signed-in member (bearer token) who carries the form token
//! cookie [`CSRF`], so that a body with `csrf=` + [`CSRF`] reaches the
//! handler's own reading of its fields. Whatever the body, the answer must
//! not be a server error (5xx) and nothing may panic (libFuzzer's panic
//! hook aborts before the router's panic layer could hide it).
//!
//! One application serves every input (building one per input would be
//! a thousand times slower): the manual clock moves a second a request so
//! that rate limits recover, and the routes that end the member's session
//! or hash a password (sign-in, sign-up, sign-out, session revocation) are
//! skipped — their forms are read by the same code as every other page's.

#![no_main]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use entremise_domain::clock::ManualClock;
use entremise_domain::service::DomainConfig;
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, Mutex, OnceLock};
use tower::ServiceExt;

/// The form token the member's browser holds (a cookie) and that seeds
/// carry in their bodies.
const CSRF: &str = "fuzzfuzzfuzzfuzzfuzzfuzz";

const PASSWORD: &str = "correct horse battery staple";

/// Routes skipped: they end the member's session or hash a password.
const SKIPPED: &[&str] = &[
    "/signin",
    "/signup",
    "/signout",
    "/settings/sessions",
    "/api/v1/sessions",
    "/api/v1/accounts",
];

struct Harness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    clock: Arc<ManualClock>,
    token: Mutex<String>,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2026-11-30 09:00 UTC),
        ));
        let router = runtime.block_on(async {
            let store = Arc::new(
                entremise_store_sqlite::SqliteStore::open(&dir.path().join("fuzz.db"))
                    .expect("the SQLite store"),
            );
            let search =
                Arc::new(entremise_search::TantivyIndex::in_memory().expect("a search index"));
            let media = Arc::new(entremise_media::ObjectMediaStore::in_memory());
            let config = DomainConfig {
                signups_per_ip_per_hour: 1_000,
                ..DomainConfig::default()
            };
            let app = entremise::server::domain_with(store, search, media, clock.clone(), config)
                .await
                .expect("the application");
            entremise_web::router(app, entremise_web::WebConfig::default())
        });
        let harness = Harness {
            runtime,
            router,
            clock,
            token: Mutex::new(String::new()),
            _dir: dir,
        };
        harness.runtime.block_on(harness.cast());
        harness
    })
}

impl Harness {
    async fn send(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        (status, body)
    }

    async fn json(
        &self,
        uri: &str,
        token: Option<&str>,
        body: serde_json::Value,
    ) -> serde_json::Value {
        let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (status, body) = self
            .send(
                request
                    .body(Body::from(body.to_string()))
                    .expect("a request"),
            )
            .await;
        assert!(
            status.is_success(),
            "setting up, {uri} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
        serde_json::from_slice(&body).expect("a JSON answer")
    }

    /// ada (the member sending every input), bob (a profile to act on)
    /// and a post of ada's (id 1) to react to, comment, edit.
    async fn cast(&self) {
        for (handle, name) in [("ada", "Ada Lovelace"), ("bob", "Bob Marchand")] {
            self.json(
                "/api/v1/accounts",
                None,
                serde_json::json!({
                    "email": format!("{handle}@example.org"),
                    "password": PASSWORD,
                    "handle": handle,
                    "name": name,
                }),
            )
            .await;
        }
        self.sign_in().await;
        let token = self.token();
        self.json(
            "/api/v1/posts",
            Some(&token),
            serde_json::json!({"text": "Hello", "audience": "public"}),
        )
        .await;
    }

    async fn sign_in(&self) {
        let session = self
            .json(
                "/api/v1/sessions",
                None,
                serde_json::json!({"email": "ada@example.org", "password": PASSWORD}),
            )
            .await;
        let token = session["token"].as_str().expect("a session token");
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = token.to_owned();
    }

    fn token(&self) -> String {
        self.token.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// `(method, path, content type, body)` of an input, if it has that shape.
fn split(data: &[u8]) -> Option<(Method, &str, &str, &[u8])> {
    let mut parts = data.splitn(3, |&b| b == b'\n');
    let line = std::str::from_utf8(parts.next()?).ok()?;
    let content_type = std::str::from_utf8(parts.next()?).ok()?;
    let body = parts.next().unwrap_or_default();
    let (method, path) = line.split_once(' ')?;
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    if !path.starts_with('/') || SKIPPED.iter().any(|s| path.starts_with(s)) {
        return None;
    }
    Some((method, path, content_type, body))
}

fuzz_target!(|data: &[u8]| {
    let Some((method, path, content_type, body)) = split(data) else {
        return;
    };
    let h = harness();
    h.clock.advance(time::Duration::seconds(1));
    let Ok(request) = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Bearer {}", h.token()))
        .header(header::COOKIE, format!("entremise_csrf={CSRF}"))
        .body(Body::from(body.to_vec()))
    else {
        return; // Not a request a client could send (a bad path or header).
    };
    let (status, answer) = h.runtime.block_on(h.send(request));
    assert!(
        !status.is_server_error(),
        "{path} answered {status}: {}",
        String::from_utf8_lossy(&answer)
    );
    if status == StatusCode::UNAUTHORIZED {
        // The session ran out (the clock moves): sign in again.
        h.runtime.block_on(h.sign_in());
    }
});
