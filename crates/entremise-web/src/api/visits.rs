//! Who viewed my profile, and a page's statistics.

use super::{ApiPath, DEFAULT_LIMIT, PageParams, Paging, read_error};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use entremise_domain::service::{PageStats, VisitorsPage};

/// Who viewed the member's profile in the last 90 days, newest first, each
/// visitor shown as his own `visits` setting says: `named` (handle and
/// name), `organization` (his organization only, or null), or only counted
/// in `anonymous_count`. 50 a page by default. Paged by offset into the
/// visitors shown (the window holds 2,000 visits at most), so that a cursor
/// carries nothing of a visitor.
#[utoipa::path(get, path = "/api/v1/me/visitors", tag = "profiles", params(PageParams),
    responses((status = 200, body = VisitorsPage), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn my_visitors(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<VisitorsPage>, ApiError> {
    ctx.viewer.require()?;
    let mut page = state
        .app
        .visits()
        .profile_visitors_page(&ctx.viewer, paging.cursor(), paging.limit(DEFAULT_LIMIT))
        .await
        .map_err(read_error)?;
    page.next = Paging::wrap(page.next);
    Ok(Json(page))
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
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<PageStats>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state.app.visits().page_stats(&ctx.viewer, &handle).await?,
    ))
}
