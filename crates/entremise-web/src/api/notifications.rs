//! The member's notifications: the list, read marks, the unread count and
//! which kinds he is told of.

use super::{ApiJson, DEFAULT_LIMIT, List, PageParams, Paging, read_error};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use entremise_domain::service::{NotificationSettings, NotificationView, UnreadCount};
use serde::Deserialize;

/// The member's notifications, most recently grown first, 50 a page by
/// default (keyset cursor). Notifications of one kind about one object
/// gather their actors while unread ("Zoé and 4 others reacted to your
/// post"); actors a block hides from the member are left out, and a
/// notification with none left is not listed.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(PageParams),
    responses((status = 200, body = List<NotificationView>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<NotificationView>>, ApiError> {
    ctx.viewer.require()?;
    let page = state
        .app
        .notifications()
        .list(&ctx.viewer, paging.cursor(), paging.limit(DEFAULT_LIMIT))
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// The id of the newest notification the member saw: it and every
    /// older one are marked read.
    pub up_to: String,
}

/// Marks the member's notifications read up to one of them (by id, the
/// newest he saw); answers the unread count left.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", request_body = MarkRead,
    responses((status = 200, body = UnreadCount), (status = 401, body = ErrorBody), (status = 422, description = "`up_to` is not a notification id", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<MarkRead>,
) -> Result<Json<UnreadCount>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state
            .app
            .notifications()
            .mark_read(&ctx.viewer, &input.up_to)
            .await?,
    ))
}

/// How many unread notifications the member would be shown.
#[utoipa::path(get, path = "/api/v1/notifications/unread", tag = "notifications",
    responses((status = 200, body = UnreadCount), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unread(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<UnreadCount>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(state.app.notifications().unread(&ctx.viewer).await?))
}

/// Every kind of notification, and whether the member is told of it.
#[utoipa::path(get, path = "/api/v1/notifications/settings", tag = "notifications",
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<NotificationSettings>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(state.app.notifications().settings(&ctx.viewer).await?))
}

/// Switches kinds of notification on (`true`) or off (`false`); kinds
/// left out keep their setting. A kind switched off is not recorded at
/// all while it is off (switching it back on brings nothing back).
/// Answers every kind's setting.
#[utoipa::path(put, path = "/api/v1/notifications/settings", tag = "notifications", request_body = NotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody), (status = 422, description = "An unknown kind", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<NotificationSettings>,
) -> Result<Json<NotificationSettings>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state
            .app
            .notifications()
            .set_settings(&ctx.viewer, &input)
            .await?,
    ))
}
