//! What an operator watches: `GET /metrics` (the Prometheus text format,
//! who may read it) and `GET /api/v1/health` (which part fails).

use crate::support::{Req, TestApp, code, test_limits, test_web_config};
use axum::Router;
use axum::http::{Method, StatusCode};
use entremise_domain::search::{
    PostDocument, PostHits, PostQuery, PostScope, PostSearchIndex, SearchDocument, SearchHits,
    SearchIndex, SearchQuery, SearchScope,
};
use entremise_domain::{Error, ProfileId, Result};
use entremise_search::TantivyIndex;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tower::ServiceExt as _;

/// One sample of the exposition: its name, its labels in order, its value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// Reads the Prometheus text format (version 0.0.4) strictly: every line
/// is a `# HELP`, a `# TYPE` or a sample `name{label="value",…} value`,
/// and every sample belongs to a family whose type was stated before it.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut words = rest.splitn(3, ' ');
            let (keyword, name) = (words.next().unwrap(), words.next().unwrap());
            assert!(is_metric_name(name), "{line}");
            match keyword {
                "HELP" => assert!(words.next().is_some_and(|h| !h.is_empty()), "{line}"),
                "TYPE" => {
                    let kind = words.next().unwrap_or_default();
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                        "{line}"
                    );
                    types.insert(name.to_owned(), kind.to_owned());
                }
                _ => panic!("not a HELP or TYPE line: {line}"),
            }
            continue;
        }
        assert!(!line.is_empty(), "an empty line in the exposition");
        let sample = parse_sample(line);
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .filter_map(|suffix| sample.name.strip_suffix(suffix))
            .find(|base| types.get(*base).is_some_and(|t| t == "histogram"))
            .unwrap_or(&sample.name);
        assert!(types.contains_key(family), "no TYPE before: {line}");
        samples.push(sample);
    }
    samples
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn parse_sample(line: &str) -> Sample {
    let name_end = line
        .find(['{', ' '])
        .unwrap_or_else(|| panic!("no value: {line}"));
    let name = &line[..name_end];
    assert!(is_metric_name(name), "{line}");
    let mut labels = Vec::new();
    let mut rest = &line[name_end..];
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        loop {
            let start = chars.peek().map(|(i, _)| *i).unwrap();
            let eq = inner[start..]
                .find("=\"")
                .unwrap_or_else(|| panic!("label without a value: {line}"));
            let key = &inner[start..start + eq];
            assert!(
                is_metric_name(key) && !key.contains(':'),
                "label name {key:?}: {line}"
            );
            for _ in 0..eq + 2 {
                chars.next();
            }
            let mut value = String::new();
            loop {
                match chars.next() {
                    Some((_, '\\')) => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, c @ ('\\' | '"'))) => value.push(c),
                        other => panic!("bad escape {other:?}: {line}"),
                    },
                    Some((_, '"')) => break,
                    Some((_, c)) => value.push(c),
                    None => panic!("unterminated label value: {line}"),
                }
            }
            labels.push((key.to_owned(), value));
            match chars.next() {
                Some((_, ',')) => continue,
                Some((i, '}')) => {
                    rest = &inner[i + 1..];
                    break;
                }
                other => panic!("after a label, {other:?}: {line}"),
            }
        }
    }
    let value = rest
        .strip_prefix(' ')
        .unwrap_or_else(|| panic!("no space before the value: {line}"));
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("value {v:?}: {line}")),
    };
    Sample {
        name: name.to_owned(),
        labels,
        value,
    }
}

/// The value of the sample `name` whose labels include all of `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|s| s.value)
}

fn from(ip: &str) -> Req {
    Req::new(Method::GET, "/metrics").client_ip(ip)
}

async fn scrape(app: &TestApp) -> Vec<Sample> {
    let r = app.send(from("127.0.0.1")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    parse_exposition(&r.text())
}

#[tokio::test]
async fn metrics_count_routes_store_operations_the_network_lag_and_streams() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    app.connect(&ada, &bob).await;
    for handle in ["ada", "bob", "carol"] {
        let r = app
            .get_as(&ada, &format!("/api/v1/profiles/{handle}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    assert_eq!(
        app.get("/api/v1/profiles/nobody_here").await.status,
        StatusCode::NOT_FOUND
    );
    app.get("/no/such/page").await;
    app.app.dispatcher().settle_all().await;

    let r = app.send(from("127.0.0.1")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.cookies().is_empty(), "{:?}", r.cookies());
    let text = r.text();
    let samples = parse_exposition(&text);

    // Requests by route template, method and status class; never the path
    // asked.
    let profile = |status| {
        [
            ("route", "/api/v1/profiles/{handle}"),
            ("method", "GET"),
            ("status", status),
        ]
    };
    let ok = value(&samples, "entremise_http_requests_total", &profile("2xx")).unwrap();
    assert!(ok >= 3.0, "{ok}");
    assert_eq!(
        value(&samples, "entremise_http_requests_total", &profile("4xx")),
        Some(1.0)
    );
    let mut timed = profile("2xx").to_vec();
    timed.push(("le", "+Inf"));
    assert_eq!(
        value(
            &samples,
            "entremise_http_request_duration_seconds_bucket",
            &timed
        ),
        Some(ok)
    );
    assert_eq!(
        value(
            &samples,
            "entremise_http_request_duration_seconds_count",
            &profile("2xx")
        ),
        Some(ok)
    );
    let signed_up = [
        ("route", "/api/v1/accounts"),
        ("method", "POST"),
        ("status", "2xx"),
    ];
    assert_eq!(
        value(&samples, "entremise_http_requests_total", &signed_up),
        Some(3.0)
    );
    assert_eq!(
        value(
            &samples,
            "entremise_http_requests_total",
            &[("route", "unmatched"), ("status", "4xx")]
        ),
        Some(1.0)
    );
    let routes: HashSet<&str> = samples
        .iter()
        .flat_map(|s| &s.labels)
        .filter(|(k, _)| k == "route")
        .map(|(_, v)| v.as_str())
        .collect();
    for route in &routes {
        assert!(
            *route == "unmatched" || !route.contains("ada") && !route.contains("nobody"),
            "a raw path as a label: {route}"
        );
    }

    // The store's operations, timed by the store.
    let created = [("op", "create account"), ("kind", "write")];
    assert_eq!(
        value(
            &samples,
            "entremise_store_operation_duration_seconds_count",
            &created
        ),
        Some(3.0)
    );
    assert!(
        value(
            &samples,
            "entremise_store_operation_duration_seconds_sum",
            &created
        )
        .unwrap()
            > 0.0
    );
    assert_eq!(
        value(
            &samples,
            "entremise_store_operation_failures_total",
            &created
        ),
        Some(0.0)
    );
    let read = [
        ("op", "profile by handle"),
        ("kind", "read"),
        ("le", "+Inf"),
    ];
    assert!(
        value(
            &samples,
            "entremise_store_operation_duration_seconds_bucket",
            &read
        )
        .unwrap()
            >= 3.0
    );

    // The contact network and the change events.
    assert_eq!(value(&samples, "entremise_network_members", &[]), Some(3.0));
    assert_eq!(
        value(&samples, "entremise_network_contacts", &[]),
        Some(1.0)
    );
    let last = value(&samples, "entremise_events_last_seq", &[]).unwrap();
    assert!(last > 0.0, "{last}");
    for projection in [
        "network",
        "timelines",
        "search",
        "sessions",
        "notifications",
        "inbox",
        "streams",
    ] {
        let named = [("projection", projection)];
        assert_eq!(
            value(&samples, "entremise_projection_lag_events", &named),
            Some(0.0),
            "{projection}"
        );
        assert_eq!(
            value(&samples, "entremise_projection_failing", &named),
            Some(0.0),
            "{projection}"
        );
        assert_eq!(
            value(&samples, "entremise_projection_failures_total", &named),
            Some(0.0),
            "{projection}"
        );
    }

    // A real-time stream is counted while it is open.
    assert_eq!(value(&samples, "entremise_streams_open", &[]), Some(0.0));
    let stream = app
        .router
        .clone()
        .oneshot(
            Req::new(Method::GET, "/api/v1/stream")
                .bearer(&bob.token)
                .header("accept", "text/event-stream")
                .build(),
        )
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let samples = scrape(&app).await;
    assert_eq!(value(&samples, "entremise_streams_open", &[]), Some(1.0));
    drop(stream);
    let samples = scrape(&app).await;
    assert_eq!(value(&samples, "entremise_streams_open", &[]), Some(0.0));
    assert_eq!(
        value(&samples, "entremise_streams_closed_slow_total", &[]),
        Some(0.0)
    );
    // The scrapes count themselves.
    let scraped = [("route", "/metrics"), ("method", "GET"), ("status", "2xx")];
    assert!(value(&samples, "entremise_http_requests_total", &scraped).unwrap() >= 2.0);
}

#[tokio::test]
async fn metrics_are_for_this_machine_unless_a_token_is_configured() {
    // No token: loopback only, as the client address is read (a proxy is
    // believed only when trusted).
    let app = TestApp::with_web_config(entremise_web::WebConfig {
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..test_web_config()
    })
    .await;
    for ip in ["127.0.0.1", "::1", "127.0.0.2"] {
        let r = app.send(from(ip)).await;
        assert_eq!(r.status, StatusCode::OK, "{ip}: {}", r.text());
    }
    let refused = [
        from("203.0.113.9"),
        from("192.0.2.1").header("x-forwarded-for", "127.0.0.1"),
        from("10.0.0.2").header("x-forwarded-for", "203.0.113.9"),
        // In-process, with no socket peer known.
        Req::new(Method::GET, "/metrics"),
        // A member's session is no metrics token.
        from("203.0.113.9").bearer(&app.member("ada", "Ada Lovelace").await.token),
    ];
    for req in refused {
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert_eq!(code(&r), "forbidden");
        assert!(r.json()["message"].is_string());
    }
    let r = app
        .send(from("10.0.0.2").header("x-forwarded-for", "127.0.0.1"))
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a trusted proxy on behalf of loopback"
    );
    let r = app
        .send(Req::new(Method::POST, "/metrics").client_ip("127.0.0.1"))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(code(&r), "method_not_allowed");

    // A token: whoever carries it, and nobody else, loopback included.
    let token = "scrape-0123456789abcdef";
    let app = TestApp::with_web_config(entremise_web::WebConfig {
        metrics_token: Some(entremise_web::MetricsToken::new(token)),
        ..test_web_config()
    })
    .await;
    let r = app.send(from("203.0.113.9").bearer(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.text().contains("\nentremise_network_members 0\n"),
        "{}",
        r.text()
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    for req in [
        from("203.0.113.9"),
        from("127.0.0.1"),
        from("203.0.113.9").bearer("scrape-0123456789abcdeX"),
        from("203.0.113.9").bearer(&token[..10]),
        from("127.0.0.1").header("authorization", &format!("Basic {token}")),
    ] {
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
        assert_eq!(code(&r), "unauthenticated");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
}

/// The real index, with a switch that makes each of its two indexes fail
/// every search (as a corrupt or unreadable index would).
struct BreakableIndex {
    inner: Arc<TantivyIndex>,
    broken: Arc<AtomicBool>,
    posts: BreakablePosts,
}

struct BreakablePosts {
    inner: Arc<TantivyIndex>,
    broken: Arc<AtomicBool>,
}

fn fails(broken: &AtomicBool) -> Result<()> {
    if broken.load(Ordering::Relaxed) {
        return Err(Error::internal("search index: a segment is unreadable"));
    }
    Ok(())
}

impl SearchIndex for BreakableIndex {
    fn put(&self, docs: &[SearchDocument]) -> Result<()> {
        self.inner.put(docs)
    }
    fn remove(&self, id: ProfileId) -> Result<()> {
        self.inner.remove(id)
    }
    fn search(&self, query: &SearchQuery, scope: &SearchScope) -> Result<SearchHits> {
        fails(&self.broken)?;
        self.inner.search(query, scope)
    }
    fn count(&self) -> Result<u64> {
        self.inner.count()
    }
    fn start_rebuild(&self) -> Result<()> {
        self.inner.start_rebuild()
    }
    fn add_to_rebuild(&self, docs: &[SearchDocument]) -> Result<()> {
        self.inner.add_to_rebuild(docs)
    }
    fn finish_rebuild(&self) -> Result<u64> {
        self.inner.finish_rebuild()
    }
    fn posts(&self) -> &dyn PostSearchIndex {
        &self.posts
    }
}

impl PostSearchIndex for BreakablePosts {
    fn put(&self, docs: &[PostDocument]) -> Result<()> {
        self.inner.posts().put(docs)
    }
    fn remove(&self, id: i64) -> Result<()> {
        self.inner.posts().remove(id)
    }
    fn search(&self, query: &PostQuery, scope: &PostScope) -> Result<PostHits> {
        fails(&self.broken)?;
        self.inner.posts().search(query, scope)
    }
    fn count(&self) -> Result<u64> {
        self.inner.posts().count()
    }
    fn start_rebuild(&self) -> Result<()> {
        self.inner.posts().start_rebuild()
    }
    fn add_to_rebuild(&self, docs: &[PostDocument]) -> Result<()> {
        self.inner.posts().add_to_rebuild(docs)
    }
    fn finish_rebuild(&self) -> Result<u64> {
        self.inner.posts().finish_rebuild()
    }
}

async fn health(app: &TestApp) -> (StatusCode, Value) {
    let r = app.get("/api/v1/health").await;
    (r.status, r.json())
}

/// Renames a table of the app's database behind the store's back.
fn rename_table(app: &TestApp, from: &str, to: &str) {
    let conn = rusqlite::Connection::open(app.db_path()).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn.execute_batch(&format!("ALTER TABLE {from} RENAME TO {to}"))
        .unwrap();
}

#[tokio::test]
async fn health_names_the_part_that_fails() {
    let profiles_broken = Arc::new(AtomicBool::new(false));
    let posts_broken = Arc::new(AtomicBool::new(false));
    let inner = Arc::new(TantivyIndex::in_memory().unwrap());
    let index = BreakableIndex {
        inner: inner.clone(),
        broken: profiles_broken.clone(),
        posts: BreakablePosts {
            inner,
            broken: posts_broken.clone(),
        },
    };
    let app = TestApp::build_with_index(
        test_limits(),
        test_web_config(),
        Router::new(),
        Arc::new(index),
    )
    .await;
    app.member("ada", "Ada Lovelace").await;
    let healthy = json!({"status": "ok", "checks": {"store": "ok", "index": "ok"}});
    assert_eq!(health(&app).await, (StatusCode::OK, healthy.clone()));

    // Either index failing is the index failing.
    for broken in [&profiles_broken, &posts_broken] {
        broken.store(true, Ordering::Relaxed);
        let (status, body) = health(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["status"], "failing");
        assert_eq!(body["checks"], json!({"store": "ok", "index": "failing"}));
        assert_eq!(body["error"], "unavailable");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("index"), "{message}");
        // The cause goes to the log, never to the client.
        assert!(!body.to_string().contains("segment"), "{body}");
        broken.store(false, Ordering::Relaxed);
        assert_eq!(health(&app).await, (StatusCode::OK, healthy.clone()));
    }

    // A store that cannot read its outbox.
    rename_table(&app, "events", "events_away");
    let (status, body) = health(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["checks"], json!({"store": "failing", "index": "ok"}));
    assert!(!body.to_string().contains("events"), "{body}");
    // Both at once are both named.
    profiles_broken.store(true, Ordering::Relaxed);
    let (_, body) = health(&app).await;
    assert_eq!(
        body["checks"],
        json!({"store": "failing", "index": "failing"})
    );
    assert_eq!(body["message"], "Failing: store, index.");
    profiles_broken.store(false, Ordering::Relaxed);
    rename_table(&app, "events_away", "events");
    assert_eq!(health(&app).await, (StatusCode::OK, healthy));

    // The failed read is counted as the store's failure.
    let samples = scrape(&app).await;
    let first = [("op", "first event"), ("kind", "read")];
    assert!(value(&samples, "entremise_store_operation_failures_total", &first).unwrap() >= 2.0);
}

#[tokio::test]
async fn the_openapi_document_states_health_and_metrics_as_answered() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let metrics = &doc["paths"]["/metrics"]["get"];
    assert!(
        metrics["responses"]["200"]["content"]["text/plain"].is_object(),
        "{metrics}"
    );
    for status in ["401", "403", "503"] {
        assert!(
            metrics["responses"][status].is_object(),
            "{status}: {metrics}"
        );
    }
    assert!(metrics.get("security").is_none(), "{metrics}");
    let health = &doc["paths"]["/api/v1/health"]["get"]["responses"];
    assert_eq!(
        health["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/HealthBody"
    );
    assert_eq!(
        health["503"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/HealthFailure"
    );
    assert!(health.get("401").is_none(), "{health}");
    let failure = &doc["components"]["schemas"]["HealthFailure"]["allOf"];
    assert_eq!(
        failure,
        &json!([
            {"$ref": "#/components/schemas/ErrorBody"},
            {"$ref": "#/components/schemas/HealthBody"}
        ])
    );
}

#[tokio::test]
async fn metrics_count_each_moderation_queue_and_its_oldest_report() {
    let app = TestApp::new().await;
    let (ada, bob, _carol) = app.cast().await;
    let empty = scrape(&app).await;
    assert_eq!(
        value(
            &empty,
            "entremise_moderation_queue_open_reports",
            &[("queue", "instance")]
        ),
        None
    );
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/posts",
            serde_json::json!({"text": "Achetez", "audience": "public"}),
        )
        .await;
    let post = r.json()["id"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        let r = app
            .post_json(
                Some(&ada),
                "/api/v1/reports",
                serde_json::json!({"target": {"kind": "post", "id": post}, "reason": "spam"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    app.clock.advance(time::Duration::minutes(90));
    let samples = scrape(&app).await;
    assert_eq!(
        value(
            &samples,
            "entremise_moderation_queue_open_reports",
            &[("queue", "instance")]
        ),
        Some(2.0)
    );
    let age = value(
        &samples,
        "entremise_moderation_queue_oldest_age_seconds",
        &[("queue", "instance")],
    )
    .unwrap();
    assert!(age >= 90.0 * 60.0, "{age}");
}
