//! `TestApp`: the real application on a temporary SQLite store, a manual
//! clock, and a cast of members (ada, bob, carol).

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use entremise::server;
use entremise_domain::clock::ManualClock;
use entremise_store_sqlite::SqliteStore;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub router: Router,
    pub clock: Arc<ManualClock>,
    /// The use cases behind the router (for background work such as the
    /// collection of unattached uploads).
    pub app: Arc<entremise_domain::Entremise>,
    dir: tempfile::TempDir,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `name=value` of every Set-Cookie.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|c| c.split(';').next().unwrap_or("").to_owned())
            .collect()
    }
}

/// The real limits, but for sign-ups: every test member comes from one address.
pub fn test_limits() -> entremise_domain::service::DomainConfig {
    entremise_domain::service::DomainConfig {
        signups_per_ip_per_hour: 10_000,
        ..Default::default()
    }
}

/// The web configuration of most tests: the rate limits of the API and
/// pages multiplied far beyond what a test does with a clock that stands
/// still (tests of the limits themselves use the real ones).
pub fn test_web_config() -> entremise_web::WebConfig {
    entremise_web::WebConfig {
        rate_limit_scale: 1_000.0,
        ..Default::default()
    }
}

/// A request under construction.
pub struct Req {
    builder: axum::http::request::Builder,
    body: Body,
}

impl Req {
    pub fn new(method: Method, uri: &str) -> Self {
        Self {
            builder: Request::builder().method(method).uri(uri),
            body: Body::empty(),
        }
    }

    /// The request itself, to send by hand.
    pub fn build(self) -> Request<Body> {
        self.builder.body(self.body).unwrap()
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.builder = self
            .builder
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        self
    }

    /// As sent from the client at `ip`.
    pub fn client_ip(mut self, ip: &str) -> Self {
        let addr = std::net::SocketAddr::new(ip.parse().unwrap(), 40_000);
        self.builder = self.builder.extension(axum::extract::ConnectInfo(addr));
        self
    }

    /// As if the request came over a socket from `peer`.
    pub fn connect_info(mut self, peer: std::net::SocketAddr) -> Self {
        self.builder = self.builder.extension(axum::extract::ConnectInfo(peer));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn json(mut self, value: &Value) -> Self {
        self.builder = self
            .builder
            .header(header::CONTENT_TYPE, "application/json");
        self.body = Body::from(value.to_string());
        self
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Body>) -> Self {
        self.builder = self.builder.header(header::CONTENT_TYPE, content_type);
        self.body = body.into();
        self
    }

    pub fn form(self, pairs: &[(&str, &str)]) -> Self {
        let body = serde_urlencoded_pairs(pairs);
        self.raw("application/x-www-form-urlencoded", body)
    }
}

fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn urlencode(s: &str) -> String {
    enc(s)
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A member of the cast, signed in through the API.
#[derive(Clone)]
pub struct Member {
    pub email: String,
    pub token: String,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_limits(test_limits()).await
    }

    /// With the domain's limits as given (rate limits, session lifetimes).
    pub async fn with_limits(limits: entremise_domain::service::DomainConfig) -> Self {
        Self::build(limits, test_web_config(), Router::new()).await
    }

    /// With extra routes behind the same middleware.
    pub async fn with_routes(extra: Router) -> Self {
        Self::build(test_limits(), test_web_config(), extra).await
    }

    /// With the web section of the configuration as given.
    pub async fn with_web_config(config: entremise_web::WebConfig) -> Self {
        Self::build(test_limits(), config, Router::new()).await
    }

    /// With the domain's limits and the web configuration as given.
    pub async fn build(
        limits: entremise_domain::service::DomainConfig,
        config: entremise_web::WebConfig,
        extra: Router,
    ) -> Self {
        let search = Arc::new(entremise_search::TantivyIndex::in_memory().unwrap());
        Self::build_with_index(limits, config, extra, search).await
    }

    /// [`Self::build`] over the search index given (a test double around
    /// the real one).
    pub async fn build_with_index(
        limits: entremise_domain::service::DomainConfig,
        config: entremise_web::WebConfig,
        extra: Router,
        search: Arc<dyn entremise_domain::search::SearchIndex>,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("test.db")).unwrap());
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2026-11-30 09:00 UTC),
        ));
        let media = Arc::new(entremise_media::ObjectMediaStore::in_memory());
        let app = server::domain_with(store, search, media, clock.clone(), limits)
            .await
            .unwrap();
        let router = entremise_web::router_with_extra_routes(app.clone(), config, extra);
        Self {
            router,
            clock,
            app,
            dir,
        }
    }

    /// The SQLite file behind the app, to read what the store holds.
    pub fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("test.db")
    }

    pub async fn send(&self, req: Req) -> Response {
        let request = req.builder.body(req.body).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Response {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Response {
        self.send(Req::new(Method::GET, uri)).await
    }

    pub async fn get_as(&self, m: &Member, uri: &str) -> Response {
        self.send(Req::new(Method::GET, uri).bearer(&m.token)).await
    }

    pub async fn post_json(&self, m: Option<&Member>, uri: &str, body: Value) -> Response {
        self.call(Method::POST, m, uri, body).await
    }

    pub async fn call(
        &self,
        method: Method,
        m: Option<&Member>,
        uri: &str,
        body: Value,
    ) -> Response {
        let mut req = Req::new(method, uri).json(&body);
        if let Some(m) = m {
            req = req.bearer(&m.token);
        }
        self.send(req).await
    }

    /// Edits a profile through the API (fields, audiences, settings) and
    /// checks it was saved.
    pub async fn patch_profile(&self, m: &Member, handle: &str, body: Value) {
        let r = self
            .call(
                Method::PATCH,
                Some(m),
                &format!("/api/v1/profiles/{handle}"),
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }

    /// Signs up and signs in a member through the API.
    pub async fn member(&self, handle: &str, name: &str) -> Member {
        let email = format!("{handle}@example.org");
        let r = self
            .post_json(
                None,
                "/api/v1/accounts",
                json!({"email": email, "password": PASSWORD, "handle": handle, "name": name}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let token = self.sign_in(&email, PASSWORD).await;
        Member { email, token }
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let r = self
            .post_json(
                None,
                "/api/v1/sessions",
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["token"].as_str().unwrap().to_owned()
    }

    /// ada, bob and carol.
    pub async fn cast(&self) -> (Member, Member, Member) {
        (
            self.member("ada", "Ada Lovelace").await,
            self.member("bob", "Bob Marchand").await,
            self.member("carol", "Carol Hébert").await,
        )
    }
}

impl TestApp {
    /// Makes two members contacts through the API: `b` opens his requests
    /// to everyone for a moment, `a` asks, `b` accepts.
    pub async fn connect(&self, a: &Member, b: &Member) {
        let b_handle = self.get_as(b, "/api/v1/me").await.json()["handle"]
            .as_str()
            .unwrap()
            .to_owned();
        let before = self
            .get_as(b, &format!("/api/v1/profiles/{b_handle}"))
            .await
            .json()["settings"]["contact_requests"]
            .clone();
        self.call(
            Method::PATCH,
            Some(b),
            &format!("/api/v1/profiles/{b_handle}"),
            json!({"settings": {"contact_requests": "everyone"}}),
        )
        .await;
        let r = self
            .post_json(Some(a), "/api/v1/contact-requests", json!({"to": b_handle}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_owned();
        let r = self
            .post_json(
                Some(b),
                &format!("/api/v1/contact-requests/{id}/accept"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        self.call(
            Method::PATCH,
            Some(b),
            &format!("/api/v1/profiles/{b_handle}"),
            json!({"settings": {"contact_requests": before}}),
        )
        .await;
    }
}

/// The error code of a JSON error response.
pub fn code(r: &Response) -> String {
    r.json()["error"].as_str().unwrap_or("").to_owned()
}

const BOUNDARY: &str = "entremise-test-boundary";

/// A multipart body with one image in `file` and its `alt` text.
pub fn multipart(file: &[u8], alt: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n{alt}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The content type of [`multipart`] bodies.
pub fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

impl TestApp {
    /// Uploads an image through `POST /api/v1/media`.
    pub async fn upload(&self, m: &Member, file: &[u8], alt: &str) -> Response {
        self.send(
            Req::new(Method::POST, "/api/v1/media")
                .bearer(&m.token)
                .raw(&multipart_type(), multipart(file, alt)),
        )
        .await
    }
}
