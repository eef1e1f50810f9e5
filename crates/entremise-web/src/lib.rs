//! The web front ends of entremise: the JSON API (`/api/v1`), the
//! server-rendered pages (French and English) and their assets.
//!
//! Handlers translate HTTP to calls of [`entremise_domain::Entremise`] and
//! back; they never decide who may see what (the domain's privacy module
//! does). This crate names no store and no search engine.

mod api;
mod assets;
mod auth;
mod client;
mod deadlines;
mod digest;
mod error;
mod i18n;
mod limits;
mod metrics;
mod openapi;
mod pages;
mod security;
mod state;

pub use client::{BadIpNet, IpNet};
pub use digest::digest_source;
pub use i18n::Catalog;
pub use metrics::MetricsToken;
pub use state::WebConfig;

use axum::Router;
use entremise_domain::Entremise;
use std::sync::Arc;

/// Builds the whole HTTP application.
pub fn router(app: Arc<Entremise>, config: WebConfig) -> Router {
    router_with_extra_routes(app, config, Router::new())
}

/// The application plus `extra` routes behind the same middleware (security
/// headers, CSRF, body limit, time limits, panic containment): for embedding and tests.
pub fn router_with_extra_routes(app: Arc<Entremise>, config: WebConfig, extra: Router) -> Router {
    let state = state::AppState::new(app, config);
    let max_body = state.config.max_body_bytes;
    let max_upload = state.config.max_upload_bytes;
    Router::new()
        .merge(api::routes())
        .merge(api::upload_routes(max_upload))
        .merge(pages::routes())
        .merge(assets::routes())
        .merge(openapi::routes())
        .merge(metrics_routes())
        .with_state(state.clone())
        .merge(extra)
        // Innermost: a write is run to its end from here on.
        .layer(axum::middleware::from_fn(deadlines::finish_writes))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::csrf_cookie,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::same_origin_writes,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            deadlines::deadlines,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        // So that even the answer to a panic carries them.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        // Outermost: every answer is counted, by its route's template.
        .layer(axum::middleware::from_fn_with_state(state, metrics::track))
}

/// `GET /metrics`, whose refusals and other methods are answered in the
/// API's format.
fn metrics_routes() -> Router<state::AppState> {
    Router::new()
        .route(metrics::PATH, axum::routing::get(metrics::metrics))
        .method_not_allowed_fallback(api::method_not_allowed)
}
