//! The follow-up inbox: the items of every profile a member answers for,
//! the team's acts on them, a page's inbox settings and figures, and who
//! may comment on a post.

use super::{ApiJson, ApiPath, ApiQuery, DEFAULT_LIMIT, PageParams, Paging, read_error};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use entremise_domain::inbox::{InboxCounts, InboxKind, InboxStatus};
use entremise_domain::post::ReplyControl;
use entremise_domain::service::{
    ActInput, InboxFilter, InboxItemView, InboxSettingsView, InboxStats, PostView,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// One profile the member answers for (his own handle, or a page's or
    /// persona's where his role is editor or above); all of them when
    /// absent.
    #[serde(rename = "as")]
    #[param(rename = "as")]
    pub as_: Option<String>,
    /// `conversation`, `comment`, `mention`, `contact_request`,
    /// `introduction`, `group_join`, `contact_form` or `report` (empty:
    /// every kind).
    pub kind: Option<String>,
    /// `open` (the default; snoozed items whose date came are open again),
    /// `answered`, `dismissed` or `snoozed` (empty: open).
    pub status: Option<String>,
    /// `me`, `none`, or a team member's handle (a handle of nobody in the
    /// team lists nothing).
    pub assignee: Option<String>,
    /// `true`: hostile items only.
    pub hostile: Option<bool>,
}

/// A page of items.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InboxList {
    pub items: Vec<InboxItemView>,
    /// Cursor of the next page, or null at the end.
    pub next: Option<String>,
    /// Open items of the profiles listed.
    pub counts: InboxCounts,
}

/// The items awaiting an answer from the member or from a page he answers
/// for: hostile ones first, then the longest waiting (answered and
/// dismissed ones: the latest first). 50 a page by default, at most 100.
/// Items from members a block hides from him, and items about posts he may
/// not see, are left out.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "inbox", params(InboxParams, PageParams),
    responses((status = 200, body = InboxList),
        (status = 400, description = "invalid_input: `kind`, `status`, `assignee`, `limit` or `cursor`", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "insufficient_role: an analyst's page (figures only)", body = ErrorBody),
        (status = 404, description = "`as` names no profile the member answers for", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
    ApiQuery(params): ApiQuery<InboxParams>,
) -> Result<Json<InboxList>, ApiError> {
    ctx.viewer.require()?;
    let kind = params.kind.as_deref().filter(|k| !k.is_empty());
    let status = params.status.as_deref().filter(|s| !s.is_empty());
    let bad = |field: &str, expected: &str| {
        ApiError::BadQuery(entremise_domain::Error::invalid(field, "invalid", expected))
    };
    let kind = kind
        .map(|k| InboxKind::parse(k).ok_or_else(|| bad("kind", "not an item kind")))
        .transpose()?;
    let status = status
        .map(|s| {
            InboxStatus::parse(s)
                .ok_or_else(|| bad("status", "open, answered, dismissed or snoozed"))
        })
        .transpose()?;
    let page = state
        .app
        .inbox()
        .list(
            &ctx.viewer,
            InboxFilter {
                as_: params.as_,
                kind,
                status,
                assignee: params.assignee,
                hostile_only: params.hostile.unwrap_or(false),
                cursor: paging.cursor().map(str::to_owned),
                limit: paging.limit(DEFAULT_LIMIT),
            },
        )
        .await
        .map_err(read_error)?;
    Ok(Json(InboxList {
        items: page.items,
        next: Paging::wrap(page.next),
        counts: page.counts,
    }))
}

/// Open items (and hostile ones) across every profile the member answers
/// for: the header's badge.
#[utoipa::path(get, path = "/api/v1/inbox/counts", tag = "inbox",
    responses((status = 200, body = InboxCounts), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn counts(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<InboxCounts>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(state.app.inbox().counts(&ctx.viewer).await?))
}

/// One item, for a member of the team that answers it (404 otherwise).
#[utoipa::path(get, path = "/api/v1/inbox/{id}", tag = "inbox", params(("id" = String, Path)),
    responses((status = 200, body = InboxItemView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InboxItemView>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(state.app.inbox().item(&ctx.viewer, &id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// The handle of an editor, admin or owner of the page; `null` to give
    /// it to nobody.
    pub to: Option<String>,
}

/// Gives a page's item to a member of its team (he is notified), or to
/// nobody. Recorded in the page's audit trail.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/assign", tag = "inbox", params(("id" = String, Path)), request_body = AssignBody,
    responses((status = 200, body = InboxItemView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "`to` is not in the page's team (`not_in_team`), or the item is a person's (`not_a_page`)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Json<InboxItemView>, ApiError> {
    act(&state, &ctx, &id, ActInput::Assign(body.to)).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissBody {
    /// Why (1 to 280 characters); kept in the audit trail.
    #[schema(min_length = 1, max_length = 280)]
    pub reason: String,
}

/// Dismisses an item with a reason; a new word from the other party
/// brings it back.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/dismiss", tag = "inbox", params(("id" = String, Path)), request_body = DismissBody,
    responses((status = 200, body = InboxItemView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "`reason` missing or too long", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn dismiss(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DismissBody>,
) -> Result<Json<InboxItemView>, ApiError> {
    act(&state, &ctx, &id, ActInput::Dismiss(body.reason)).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnoozeBody {
    /// Until when (RFC 3339), in the future and within a year.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub until: OffsetDateTime,
}

/// Puts an item out of the way until a date; it is open again from then,
/// or as soon as the other party writes again.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/snooze", tag = "inbox", params(("id" = String, Path)), request_body = SnoozeBody,
    responses((status = 200, body = InboxItemView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "`until` not in the future or more than a year ahead", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn snooze(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SnoozeBody>,
) -> Result<Json<InboxItemView>, ApiError> {
    act(&state, &ctx, &id, ActInput::Snooze(body.until)).await
}

/// Opens a dismissed, snoozed or answered item again.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/reopen", tag = "inbox", params(("id" = String, Path)),
    responses((status = 200, body = InboxItemView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reopen(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InboxItemView>, ApiError> {
    act(&state, &ctx, &id, ActInput::Reopen).await
}

/// Marks answered an item whose answer is written outside the product (a
/// contact-form message answered by e-mail). Every other item closes
/// itself when the profile answers where it was asked.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/answered", tag = "inbox", params(("id" = String, Path)),
    responses((status = 200, body = InboxItemView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "answer_in_place: the item closes itself when answered on its medium", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn answered(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InboxItemView>, ApiError> {
    act(&state, &ctx, &id, ActInput::MarkAnswered).await
}

/// Publishes the comment a page's keyword filters held for review (the
/// item stays open until it is answered). Recorded in the audit trail.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/publish", tag = "inbox", params(("id" = String, Path)),
    responses((status = 200, body = InboxItemView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "not_held: no comment is held in this item", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InboxItemView>, ApiError> {
    act(&state, &ctx, &id, ActInput::Publish).await
}

async fn act(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    input: ActInput,
) -> Result<Json<InboxItemView>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(state.app.inbox().act(&ctx.viewer, id, input).await?))
}

/// A page's inbox settings: its response target, who may comment on its
/// new posts, its keyword filters. For any member of its team.
#[utoipa::path(get, path = "/api/v1/pages/{handle}/inbox-settings", tag = "inbox", params(("handle" = String, Path)),
    responses((status = 200, body = InboxSettingsView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<InboxSettingsView>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state.app.inbox().settings(&ctx.viewer, &handle).await?,
    ))
}

/// Changes a page's inbox settings (its admins and owners; 404 to anyone
/// else). Recorded in the page's audit trail.
#[utoipa::path(put, path = "/api/v1/pages/{handle}/inbox-settings", tag = "inbox", params(("handle" = String, Path)), request_body = InboxSettingsView,
    responses((status = 200, body = InboxSettingsView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "`response_target_hours` out of 1..=720, or a keyword filter empty or longer than 60 characters, or more than 200", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(body): ApiJson<InboxSettingsView>,
) -> Result<Json<InboxSettingsView>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state
            .app
            .inbox()
            .set_settings(&ctx.viewer, &handle, body)
            .await?,
    ))
}

/// A page's first-response figures for the last 12 weeks: per week the
/// items opened, answered, answered within the target, the share within
/// target and the median first-response time. For any member of its team
/// (analysts included).
#[utoipa::path(get, path = "/api/v1/pages/{handle}/inbox-stats", tag = "inbox", params(("handle" = String, Path)),
    responses((status = 200, body = InboxStats), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn stats(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<InboxStats>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(state.app.inbox().stats(&ctx.viewer, &handle).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepliesBody {
    pub replies: ReplyControl,
}

/// Sets who may comment on one's post (or a page's post one edits for).
#[utoipa::path(put, path = "/api/v1/posts/{id}/replies", tag = "posts", params(("id" = String, Path)), request_body = RepliesBody,
    responses((status = 200, body = PostView), (status = 401, body = ErrorBody),
        (status = 403, description = "not_allowed: not the viewer's post", body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_replies(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RepliesBody>,
) -> Result<Json<PostView>, ApiError> {
    ctx.viewer.require()?;
    let id = super::posts::post_id(&id)?;
    Ok(Json(
        state
            .app
            .posts()
            .set_replies(&ctx.viewer, id, body.replies)
            .await?,
    ))
}
