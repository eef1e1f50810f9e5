//! Static assets, embedded in the binary.

use crate::state::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const CSS: &str = include_str!("../assets/app.css");
const JS: &str = include_str!("../assets/app.js");
const FAVICON: &str = include_str!("../assets/favicon.svg");

const CACHE: &str = "public, max-age=3600";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/app.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, CACHE),
                    ],
                    CSS,
                )
                    .into_response()
            }),
        )
        .route(
            "/assets/app.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, CACHE),
                    ],
                    JS,
                )
                    .into_response()
            }),
        )
        .route(
            "/favicon.svg",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "image/svg+xml"),
                        (header::CACHE_CONTROL, CACHE),
                    ],
                    FAVICON,
                )
                    .into_response()
            }),
        )
}
