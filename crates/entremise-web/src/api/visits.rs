//! Who viewed my profile, and a page's statistics.

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use entremise_domain::service::{MAX_VISITORS, PageStats, VisitorsPage};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VisitorsQuery {
    /// Visitors listed, 1 to 100 (50 by default).
    pub limit: Option<String>,
}

/// Who viewed the member's profile in the last 90 days, newest first, each
/// visitor shown as his own `visits` setting says: `named` (handle and
/// name), `organization` (his organization only, or null), or only counted
/// in `anonymous_count`.
#[utoipa::path(get, path = "/api/v1/me/visitors", tag = "profiles", params(VisitorsQuery),
    responses((status = 200, body = VisitorsPage), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn my_visitors(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<VisitorsQuery>,
) -> Result<Json<VisitorsPage>, ApiError> {
    let limit = super::search::number(q.limit.as_deref(), "limit")
        .map_err(ApiError::BadQuery)?
        .unwrap_or(50)
        .clamp(1, MAX_VISITORS);
    Ok(Json(state.app.profile_visitors(&ctx.viewer, limit).await?))
}

/// The reach, reactions, comments and reshares of the page's last 50
/// posts, and image posts compared with text posts. For the page's
/// managers (any role, analyst and above); 404 to anyone else.
#[utoipa::path(get, path = "/api/v1/pages/{handle}/stats", tag = "pages",
    params(("handle" = String, Path)),
    responses((status = 200, body = PageStats), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn page_stats(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
) -> Result<Json<PageStats>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(state.app.page_stats(&ctx.viewer, &handle).await?))
}
