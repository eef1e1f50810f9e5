//! Moderation: mutes and muted words, reports, comments edited, deleted,
//! hidden or removed, the moderation queues (the instance's, a page's, a
//! group's), their decisions and log.

use super::posts::post_id;
use super::{ApiJson, ApiPath, ApiQuery, DEFAULT_LIMIT, List, PageParams, Paging, read_error};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use entremise_domain::moderation::{Action, ReportRequest};
use entremise_domain::profile::ProfileRef;
use entremise_domain::service::{
    CommentEdit, CommentView, DecisionInput, DecisionView, HeldComment, LogView, MyReport,
    QueueItem,
};
use serde::{Deserialize, Serialize};

/// Mutes a member: his posts and comments leave the member's feed and
/// notifications. He is not told.
#[utoipa::path(put, path = "/api/v1/mutes/{handle}", tag = "moderation", params(("handle" = String, Path)),
    responses((status = 204, description = "Muted (muting again changes nothing)"),
        (status = 422, description = "`handle`: oneself", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mute(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .moderation()
        .mute(&ctx.viewer, &handle, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a mute.
#[utoipa::path(delete, path = "/api/v1/mutes/{handle}", tag = "moderation", params(("handle" = String, Path)),
    responses((status = 204, description = "Not muted (any more)"),
        (status = 422, description = "`handle`: oneself", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unmute(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .moderation()
        .mute(&ctx.viewer, &handle, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The members the member muted, last muted first.
#[utoipa::path(get, path = "/api/v1/mutes", tag = "moderation", params(PageParams),
    responses((status = 200, body = inline(List<ProfileRef>)),
        (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mutes(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<ProfileRef>>, ApiError> {
    let all = state.app.moderation().mutes(&ctx.viewer).await?;
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

/// Muted words and hashtags: posts carrying one leave the member's feed.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MutedWords {
    /// Up to 100 words, hashtags or phrases of up to 60 characters;
    /// compared without case, as whole words.
    pub words: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/muted-words", tag = "moderation",
    responses((status = 200, body = MutedWords)),
    security(("bearer" = [])))]
pub async fn muted_words(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<MutedWords>, ApiError> {
    let words = state.app.moderation().muted_words(&ctx.viewer).await?;
    Ok(Json(MutedWords { words }))
}

#[utoipa::path(put, path = "/api/v1/muted-words", tag = "moderation", request_body = MutedWords,
    responses((status = 200, body = MutedWords),
        (status = 422, description = "`words`: more than 100, or one longer than 60 characters", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_muted_words(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<MutedWords>,
) -> Result<Json<MutedWords>, ApiError> {
    let words = state
        .app
        .moderation()
        .set_muted_words(&ctx.viewer, &body.words)
        .await?;
    Ok(Json(MutedWords { words }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: String,
}

/// Reports a post, comment or message (by `id`) or a profile or group (by
/// `handle`) the member may see. The reported member is never told who
/// reported. At most 20 reports an hour.
#[utoipa::path(post, path = "/api/v1/reports", tag = "moderation", request_body = ReportRequest,
    responses((status = 201, body = Created),
        (status = 404, description = "`target` names nothing the member may see", body = ErrorBody),
        (status = 422, description = "`target.id` or `target.handle` missing, `target` oneself, `note` longer than 1,000 characters", body = ErrorBody),
        (status = 429, description = "`rate_limited`: 20 reports an hour", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<ReportRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = state.app.moderation().report(&ctx.viewer, body).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// The member's reports, newest first, with what became of each (never
/// who decided).
#[utoipa::path(get, path = "/api/v1/reports/mine", tag = "moderation", params(PageParams),
    responses((status = 200, body = inline(List<MyReport>)),
        (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn my_reports(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<MyReport>>, ApiError> {
    let all = state.app.moderation().my_reports(&ctx.viewer).await?;
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentText {
    /// 1 to 2,000 characters.
    pub text: String,
}

/// Changes one's comment (or a page's one the member edits for); the
/// earlier text is kept in its history.
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "moderation", params(("id" = String, Path)),
    request_body = CommentText,
    responses((status = 200, body = CommentView),
        (status = 403, description = "`not_allowed`: not the member's comment", body = ErrorBody),
        (status = 422, description = "`text`: empty or longer than 2,000 characters", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn edit_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CommentText>,
) -> Result<Json<CommentView>, ApiError> {
    let c = state
        .app
        .posts()
        .edit_comment(&ctx.viewer, post_id(&id)?, &body.text)
        .await?;
    Ok(Json(c))
}

/// Deletes a comment and its replies: its author, or the team of the
/// page whose post carries it.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "moderation", params(("id" = String, Path)),
    responses((status = 204),
        (status = 403, description = "`not_allowed`: neither its author nor the page's team", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .posts()
        .delete_comment(&ctx.viewer, post_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A comment's earlier texts, oldest first.
#[utoipa::path(get, path = "/api/v1/comments/{id}/history", tag = "moderation", params(("id" = String, Path), PageParams),
    responses((status = 200, body = inline(List<CommentEdit>)),
        (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody)))]
pub async fn comment_history(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<CommentEdit>>, ApiError> {
    let all = state
        .app
        .posts()
        .comment_history(&ctx.viewer, post_id(&id)?)
        .await?;
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentModeration {
    /// `hide` (the post's author: its author still sees it), `remove` (a
    /// page's team: gone for everyone but moderators) or `lift` (shown
    /// again).
    pub action: Action,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Hides, removes or shows again a comment under the member's post (or a
/// page's he answers for); logged in the page's moderation log.
#[utoipa::path(post, path = "/api/v1/comments/{id}/moderation", tag = "moderation", params(("id" = String, Path)),
    request_body = CommentModeration,
    responses((status = 204),
        (status = 403, description = "`not_allowed`: not under the member's post", body = ErrorBody),
        (status = 422, description = "`action`: not one the post's author may take", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn moderate_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CommentModeration>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .moderation()
        .moderate_comment(
            &ctx.viewer,
            post_id(&id)?,
            body.action,
            body.reason.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Queues {
    /// `instance`, `page:<handle>`, `group:<handle>`.
    pub queues: Vec<String>,
}

/// The moderation queues the member works.
#[utoipa::path(get, path = "/api/v1/moderation/queues", tag = "moderation",
    responses((status = 200, body = Queues)),
    security(("bearer" = [])))]
pub async fn queues(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Queues>, ApiError> {
    let queues = state.app.moderation().my_queues(&ctx.viewer).await?;
    Ok(Json(Queues { queues }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// `instance` (the default), `page:<handle>` or `group:<handle>`.
    #[param(max_length = 200, pattern = r"^(instance|page:.+|group:.+)$")]
    pub queue: Option<String>,
    /// Every report, decided ones too (`true`), or open ones only.
    pub all: Option<bool>,
}

/// A queue's reports grouped by target, open ones first, with the content
/// as it was when reported and the member's history; the 200 oldest
/// reports at most. Reports about the member himself (or a page he runs)
/// are not shown to him.
#[utoipa::path(get, path = "/api/v1/moderation/queue", tag = "moderation", params(QueueParams, PageParams),
    responses((status = 200, body = inline(List<QueueItem>)),
        (status = 400, description = "invalid_input: `queue`, `all`, `limit` or `cursor`", body = ErrorBody),
        (status = 403, description = "`moderators_only` or `insufficient_role`: not a worker of this queue", body = ErrorBody),
        (status = 404, description = "the page or group is not one the member may see", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<QueueParams>,
    paging: Paging,
) -> Result<Json<List<QueueItem>>, ApiError> {
    let all = state
        .app
        .moderation()
        .queue(&ctx.viewer, p.queue.as_deref(), p.all.unwrap_or(false))
        .await
        .map_err(read_error)?;
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HeldParams {
    /// `page:<handle>`: the page whose keyword filters held them (any
    /// other queue holds none).
    #[param(max_length = 200, pattern = r"^(instance|page:.+|group:.+)$")]
    pub queue: Option<String>,
}

/// The comments a page's keyword filters hold under its posts, oldest
/// first, for its team to publish or delete (other queues hold none).
#[utoipa::path(get, path = "/api/v1/moderation/held", tag = "moderation", params(HeldParams, PageParams),
    responses((status = 200, body = inline(List<HeldComment>)),
        (status = 400, description = "invalid_input: `queue`, `limit` or `cursor`", body = ErrorBody),
        (status = 403, description = "`moderators_only` or `insufficient_role`", body = ErrorBody),
        (status = 404, description = "the page is not one the member may see", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn held(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<HeldParams>,
    paging: Paging,
) -> Result<Json<List<HeldComment>>, ApiError> {
    let all = state
        .app
        .moderation()
        .held(&ctx.viewer, p.queue.as_deref())
        .await
        .map_err(read_error)?;
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

/// Publishes a comment the page's keyword filters held (its team): it is
/// then shown, counted, and those it concerns are told.
#[utoipa::path(post, path = "/api/v1/moderation/held/{id}/publish", tag = "moderation", params(("id" = String, Path)),
    responses((status = 204), (status = 404, description = "no held comment under a post the member answers for", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn publish_held(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .moderation()
        .publish_held(&ctx.viewer, post_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Decides on a report in one of the member's queues: every open report
/// on the same target there is closed; the member concerned and the
/// reporters are told.
#[utoipa::path(post, path = "/api/v1/moderation/reports/{id}/decision", tag = "moderation", params(("id" = String, Path)),
    request_body = DecisionInput,
    responses((status = 200, body = LogView),
        (status = 403, description = "`moderators_only` or `insufficient_role`", body = ErrorBody),
        (status = 404, description = "no such report in this queue", body = ErrorBody),
        (status = 422, description = "`action` not one this queue may take, `reason` missing or longer than 1,000 characters, `days` outside 1 to 365", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DecisionInput>,
) -> Result<Json<LogView>, ApiError> {
    let entry = state
        .app
        .moderation()
        .decide(&ctx.viewer, post_id(&id)?, body)
        .await?;
    Ok(Json(entry))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// `instance` (the default: every queue's acts), `page:<handle>` or
    /// `group:<handle>`.
    #[param(max_length = 200, pattern = r"^(instance|page:.+|group:.+)$")]
    pub queue: Option<String>,
}

/// A queue's moderation log, newest first: who acted, on what, and why.
#[utoipa::path(get, path = "/api/v1/moderation/log", tag = "moderation", params(LogParams, PageParams),
    responses((status = 200, body = inline(List<LogView>)),
        (status = 400, description = "invalid_input: `queue`, `limit` or `cursor`", body = ErrorBody),
        (status = 403, description = "`moderators_only` or `insufficient_role`", body = ErrorBody),
        (status = 404, description = "the page or group is not one the member may see", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn log(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<LogParams>,
    paging: Paging,
) -> Result<Json<List<LogView>>, ApiError> {
    let bad = || {
        read_error(entremise_domain::Error::invalid(
            "cursor",
            "invalid",
            "not a cursor of this list",
        ))
    };
    let before = match paging.cursor() {
        None => None,
        Some(raw) => Some(raw.parse::<i64>().map_err(|_| bad())?),
    };
    let limit = paging.limit(DEFAULT_LIMIT);
    let items = state
        .app
        .moderation()
        .log(&ctx.viewer, p.queue.as_deref(), before, limit)
        .await
        .map_err(read_error)?;
    let next = (items.len() == limit)
        .then(|| items.last().map(|e| e.id.to_string()))
        .flatten();
    Ok(Json(Paging::list(entremise_domain::paging::Page {
        items,
        next,
    })))
}

/// A decision as the member concerned (with the reason and how to appeal),
/// a reporter (what was done) or a moderator reads it.
#[utoipa::path(get, path = "/api/v1/moderation/decisions/{id}", tag = "moderation", params(("id" = String, Path)),
    responses((status = 200, body = DecisionView)),
    security(("bearer" = [])))]
pub async fn decision(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DecisionView>, ApiError> {
    Ok(Json(
        state
            .app
            .moderation()
            .decision(&ctx.viewer, post_id(&id)?)
            .await?,
    ))
}
