//! What an operator watches: `GET /api/v1/health` (which part fails).

use crate::support::{TestApp, test_limits, test_web_config};
use axum::Router;
use axum::http::StatusCode;
use entremise_domain::search::{
    PostDocument, PostHits, PostQuery, PostScope, PostSearchIndex, SearchDocument, SearchHits,
    SearchIndex, SearchQuery, SearchScope,
};
use entremise_domain::{Error, ProfileId, Result};
use entremise_search::TantivyIndex;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
}

#[tokio::test]
async fn the_openapi_document_states_health_as_answered() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
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
