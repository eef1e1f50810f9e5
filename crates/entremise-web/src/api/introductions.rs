//! Introductions: ask, pass on, decline, accept.

use super::{ApiJson, ApiPath, DEFAULT_LIMIT, List, PageParams, Paging, read_error};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use entremise_domain::Error;
use entremise_domain::introduction::{IntroductionAction, IntroductionStatus};
use entremise_domain::service::{IntroductionInput, IntroductionView};
use serde::{Deserialize, Serialize};

fn intro_id(raw: &str) -> Result<i64, Error> {
    raw.parse().map_err(|_| Error::NotFound)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IntroductionCreated {
    pub id: String,
    pub status: IntroductionStatus,
    /// The first intermediary, who must act now.
    pub next: Option<String>,
    #[serde(flatten)]
    pub view: IntroductionView,
}

/// Asks for an introduction to a member at 2nd or 3rd degree, through the
/// given intermediaries or along the best path. One open introduction per
/// target; after a decline (by an intermediary or the target) or a declined
/// contact request, not again to the same target for 90 days.
#[utoipa::path(post, path = "/api/v1/introductions", tag = "introductions", request_body = IntroductionInput,
    responses(
        (status = 201, body = IntroductionCreated),
        (status = 404, description = "No such member, or hidden from the requester", body = ErrorBody),
        (status = 409, description = "Already contacts, or an introduction to this member is still open", body = ErrorBody),
        (status = 422, description = "No path, or an invalid one", body = ErrorBody),
        (status = 429, description = "Limits of pending requests, per week, or 90 days after a declined introduction or contact request (`Retry-After`)", body = ErrorBody),
    ), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<IntroductionInput>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    ctx.viewer.require()?;
    let view = state
        .app
        .introductions()
        .request_introduction(&ctx.viewer, input)
        .await?;
    let mut body = serde_json::to_value(&view).map_err(|e| Error::internal(e.to_string()))?;
    // API.md: `next` is the handle of who acts now.
    body["next"] = view
        .next
        .as_ref()
        .map_or(serde_json::Value::Null, |n| n.handle.to_string().into());
    Ok((StatusCode::CREATED, Json(body)))
}

/// The member's introductions, in every role (each once it has reached
/// him), newest first, 50 a page by default (keyset cursor).
#[utoipa::path(get, path = "/api/v1/introductions", tag = "introductions", params(PageParams),
    responses((status = 200, body = List<IntroductionView>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<IntroductionView>>, ApiError> {
    ctx.viewer.require()?;
    let page = state
        .app
        .introductions()
        .introductions_page(&ctx.viewer, paging.cursor(), paging.limit(DEFAULT_LIMIT))
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

#[utoipa::path(get, path = "/api/v1/introductions/{id}", tag = "introductions", params(("id" = String, Path)),
    responses((status = 200, body = IntroductionView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<IntroductionView>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state
            .app
            .introductions()
            .introduction(&ctx.viewer, intro_id(&id)?)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardBody {
    /// The intermediary's own word for the next hop.
    pub note: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IntroductionStep {
    pub id: String,
    pub status: IntroductionStatus,
    /// The conversation opened by an acceptance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
}

async fn act(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    action: IntroductionAction,
) -> Result<Json<IntroductionStep>, ApiError> {
    let view = state
        .app
        .introductions()
        .act_on_introduction(&ctx.viewer, intro_id(id)?, action)
        .await?;
    Ok(Json(IntroductionStep {
        id: view.id.to_string(),
        status: view.status,
        conversation: view.conversation,
    }))
}

/// The current intermediary passes the introduction on.
#[utoipa::path(post, path = "/api/v1/introductions/{id}/forward", tag = "introductions", params(("id" = String, Path)),
    request_body = ForwardBody,
    responses((status = 200, body = IntroductionStep), (status = 403, description = "not_your_turn", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn forward(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ForwardBody>,
) -> Result<Json<IntroductionStep>, ApiError> {
    ctx.viewer.require()?;
    act(
        &state,
        &ctx,
        &id,
        IntroductionAction::Forward { note: body.note },
    )
    .await
}

/// The current intermediary, or the target, declines.
#[utoipa::path(post, path = "/api/v1/introductions/{id}/decline", tag = "introductions", params(("id" = String, Path)),
    responses((status = 200, body = IntroductionStep), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decline(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<IntroductionStep>, ApiError> {
    ctx.viewer.require()?;
    act(&state, &ctx, &id, IntroductionAction::Decline).await
}

/// The target accepts: requester and target become contacts and a
/// conversation opens between them.
#[utoipa::path(post, path = "/api/v1/introductions/{id}/accept", tag = "introductions", params(("id" = String, Path)),
    responses((status = 200, body = IntroductionStep), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<IntroductionStep>, ApiError> {
    ctx.viewer.require()?;
    act(&state, &ctx, &id, IntroductionAction::Accept).await
}
