//! Time limits on every request: a body that stops arriving is answered
//! 408, a request that takes too long 503, so that slow clients (slowloris,
//! trickled bodies) cannot hold the server's connections and memory.

use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tower_http::timeout::{TimeoutBody, TimeoutError};

/// Whether a request carries images, and so gets the longer limit.
fn is_upload(method: &Method, path: &str) -> bool {
    method == Method::POST
        && (matches!(path, "/posts" | "/api/v1/media")
            || path.starts_with("/groups/") && path.ends_with("/cover"))
}

/// The answer to a request past its limit: JSON under `/api` (and for
/// `/metrics`, whose errors are the API's), a short text elsewhere.
fn too_slow(api: bool, status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = if api {
        (
            status,
            Json(crate::error::ErrorBody {
                error: code.to_owned(),
                message: message.to_owned(),
                fields: Vec::new(),
            }),
        )
            .into_response()
    } else {
        (status, message.to_owned()).into_response()
    };
    // The body may be left half read: the connection is not reused.
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

pub async fn deadlines(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let config = &state.config;
    let path = request.uri().path();
    let api = path.starts_with("/api/") || path == crate::metrics::PATH;
    let limit = if is_upload(request.method(), request.uri().path()) {
        config.upload_timeout
    } else {
        config.request_timeout
    };
    // The body must keep coming: at most `body_read_timeout` between chunks.
    let stalled = Arc::new(AtomicBool::new(false));
    let seen = stalled.clone();
    let request = request.map(|body| {
        let body =
            TimeoutBody::new(config.body_read_timeout, body).map_err(move |e: axum::BoxError| {
                if e.is::<TimeoutError>() {
                    seen.store(true, Ordering::Relaxed);
                }
                e
            });
        Body::new(body)
    });
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(_) if stalled.load(Ordering::Relaxed) => too_slow(
            api,
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "The request's body stopped arriving.",
        ),
        Ok(response) => response,
        Err(_) => too_slow(
            api,
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "The request took too long; try again in a moment.",
        ),
    }
}

/// Runs a write (any method but GET, HEAD, OPTIONS and TRACE) in a task of
/// its own, so that it goes to its end once begun even if its client
/// leaves or its time limit passes: dropping a handler between the store's
/// commit and the updates of memory that follow it (the contact network,
/// the timelines, the search index) would leave memory and store apart
/// until a restart. A panic in the task is raised again here, where the
/// panic layer answers it.
pub async fn finish_writes(request: Request, next: Next) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // The runtime is shutting down.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
