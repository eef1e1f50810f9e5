//! Groups (hubs): creating and running one, joining and leaving, members,
//! the expert directory, the group's discussions and pinned posts.

use super::posts::{FEED_LIMIT, feed_page};
use super::{ApiJson, ApiPath, ApiQuery, DEFAULT_LIMIT, List, PageParams, Paging, read_error};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use entremise_domain::Error;
use entremise_domain::group::{GroupAct, Standing};
use entremise_domain::service::{
    CoverInput, ExpertView, FeedPage, GroupCreated, GroupEditInput, GroupSummary, GroupView,
    JoinAnswer, MemberFilter, MemberView, MyMembership, MySettingsInput, NewGroupInput,
};
use serde::{Deserialize, Serialize};

/// Creates a group, the member (or the page given as `as`) its first
/// owner. `open`: anyone joins; `closed`: membership is asked for and
/// approved; `secret`: by invitation, invisible to everyone else.
#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", request_body = NewGroupInput,
    responses((status = 201, body = GroupCreated),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`as` a page the member may not act for", body = ErrorBody),
        (status = 404, description = "`as` names nothing the member may see", body = ErrorBody),
        (status = 409, description = "the handle is taken by another group", body = ErrorBody),
        (status = 422, description = "`handle`, `name` (1 to 100 characters), `about`, `rules` (2,000 at most) or `tags` (10 at most, 40 characters each)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<NewGroupInput>,
) -> Result<(StatusCode, Json<GroupCreated>), ApiError> {
    let created = state.app.groups().create(&ctx.viewer, body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The groups the member is in, invited to or waiting for: his own
/// first, then by name.
#[utoipa::path(get, path = "/api/v1/groups", tag = "groups", params(PageParams),
    responses((status = 200, body = inline(List<GroupSummary>)),
        (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody),
        (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mine(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<GroupSummary>>, ApiError> {
    let all = state.app.groups().mine(&ctx.viewer).await?;
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

/// A group as the viewer may see it; a secret group answers 404 to anyone
/// neither in it nor invited. `members` is for members, `pending` for
/// moderators.
#[utoipa::path(get, path = "/api/v1/groups/{handle}", tag = "groups", params(("handle" = String, Path)),
    responses((status = 200, body = GroupView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<GroupView>, ApiError> {
    Ok(Json(state.app.groups().group(&ctx.viewer, &handle).await?))
}

/// Changes the name, description, rules or tags (owners).
#[utoipa::path(patch, path = "/api/v1/groups/{handle}", tag = "groups", params(("handle" = String, Path)),
    request_body = GroupEditInput,
    responses((status = 200, body = GroupView), (status = 401, body = ErrorBody),
        (status = 403, description = "insufficient_role: owners only", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(body): ApiJson<GroupEditInput>,
) -> Result<Json<GroupView>, ApiError> {
    let groups = state.app.groups();
    groups.edit(&ctx.viewer, &handle, body).await?;
    Ok(Json(groups.group(&ctx.viewer, &handle).await?))
}

/// Sets the group's cover (owners): an image the member uploaded with
/// `POST /api/v1/media` and no post holds. It is shown to whoever may see
/// the group; the previous cover waits for a post again and is collected
/// with the other unattached images a day later.
#[utoipa::path(put, path = "/api/v1/groups/{handle}/cover", tag = "groups", params(("handle" = String, Path)),
    request_body = CoverInput,
    responses((status = 200, body = GroupView), (status = 401, body = ErrorBody),
        (status = 403, description = "insufficient_role: owners only", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "media: not an id, or no image of the member's waiting for a post", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_cover(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(body): ApiJson<CoverInput>,
) -> Result<Json<GroupView>, ApiError> {
    let groups = state.app.groups();
    groups
        .set_cover(&ctx.viewer, &handle, Some(&body.media))
        .await?;
    Ok(Json(groups.group(&ctx.viewer, &handle).await?))
}

/// Removes the group's cover (owners).
#[utoipa::path(delete, path = "/api/v1/groups/{handle}/cover", tag = "groups", params(("handle" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, description = "insufficient_role: owners only", body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_cover(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .groups()
        .set_cover(&ctx.viewer, &handle, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Joins an open group (`member`), asks to join a closed one (`pending`,
/// until a moderator approves), or accepts an invitation. Asking again
/// answers the same.
#[utoipa::path(post, path = "/api/v1/groups/{handle}/members", tag = "groups", params(("handle" = String, Path)),
    responses((status = 201, body = JoinAnswer), (status = 401, body = ErrorBody),
        (status = 403, description = "banned_from_group", body = ErrorBody),
        (status = 404, description = "no such group, or a secret one without an invitation", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn join(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<(StatusCode, Json<JoinAnswer>), ApiError> {
    let answer = state.app.groups().join(&ctx.viewer, &handle).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Leaves the group, withdraws a request or declines an invitation.
#[utoipa::path(delete, path = "/api/v1/groups/{handle}/members", tag = "groups", params(("handle" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, description = "last_owner: the last owner hands the group over first", body = ErrorBody),
        (status = 404, description = "no membership to leave", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn leave(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.app.groups().leave(&ctx.viewer, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// `member` (the default: for members), or, for moderators,
    /// `pending`, `invited` or `banned`.
    #[param(value_type = Option<Standing>)]
    pub standing: Option<String>,
}

/// The group's members (for members), or its requests, invitations and
/// bans (for moderators), oldest first. Members a block hides from the
/// viewer are left out.
#[utoipa::path(get, path = "/api/v1/groups/{handle}/members", tag = "groups",
    params(("handle" = String, Path), MembersQuery, PageParams),
    responses((status = 200, body = inline(List<MemberView>)),
        (status = 400, description = "invalid_input: `standing`, `limit` or `cursor`", body = ErrorBody),
        (status = 403, description = "group_members_only, or insufficient_role for other standings", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiQuery(q): ApiQuery<MembersQuery>,
    paging: Paging,
) -> Result<Json<List<MemberView>>, ApiError> {
    // Absent is the members; an empty or unknown value is refused, as the
    // document's enum says.
    let filter = match q.standing.as_deref() {
        None => MemberFilter::Members,
        Some(s) => MemberFilter::parse(s).ok_or_else(|| {
            ApiError::BadQuery(Error::invalid(
                "standing",
                "invalid",
                "member, pending, invited or banned",
            ))
        })?,
    };
    let page = state
        .app
        .groups()
        .members(
            &ctx.viewer,
            &handle,
            filter,
            paging.cursor(),
            paging.limit(DEFAULT_LIMIT),
        )
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

/// What became of the membership.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActAnswer {
    /// The profile's standing now; `null` when he has none.
    pub status: Option<Standing>,
}

/// A moderator's act on a profile (by handle): `approve` or `decline` a
/// request, `invite`, `remove`, `ban`, `unban`; owners also
/// `make_owner`, `make_moderator`, `make_member`. A moderator acts only on
/// plain members; the last owner stays one.
#[utoipa::path(post, path = "/api/v1/groups/{handle}/members/{member}/{act}", tag = "groups",
    params(("handle" = String, Path), ("member" = String, Path),
        ("act" = String, Path, description = "approve, decline, invite, remove, ban, unban, make_owner, make_moderator, make_member")),
    responses((status = 200, body = ActAnswer), (status = 401, body = ErrorBody),
        (status = 403, description = "insufficient_role, last_owner, banned_from_group (unban first)", body = ErrorBody),
        (status = 404, description = "no such group, member, act, or nothing to approve, unban or set", body = ErrorBody),
        (status = 409, description = "conflict: already a member, or the membership changed meanwhile", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((handle, member, act)): ApiPath<(String, String, String)>,
) -> Result<Json<ActAnswer>, ApiError> {
    ctx.viewer.require()?;
    let act = GroupAct::parse(&act).ok_or(Error::NotFound)?;
    let status = state
        .app
        .groups()
        .moderate(&ctx.viewer, &handle, &member, act)
        .await?;
    Ok(Json(ActAnswer { status }))
}

/// The member's own settings in the group: expertise tags shown in its
/// directory, being in the directory at all, and keeping its posts out of
/// his home feed (mute).
#[utoipa::path(put, path = "/api/v1/groups/{handle}/me", tag = "groups", params(("handle" = String, Path)),
    request_body = MySettingsInput,
    responses((status = 200, body = MyMembership), (status = 401, body = ErrorBody),
        (status = 403, description = "group_members_only", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`expertise`: 10 tags at most, 40 characters each", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn my_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(body): ApiJson<MySettingsInput>,
) -> Result<Json<MyMembership>, ApiError> {
    Ok(Json(
        state
            .app
            .groups()
            .set_my_settings(&ctx.viewer, &handle, body)
            .await?,
    ))
}

/// The group's discussions, newest first, 20 a page by default (keyset
/// cursor); for its members.
#[utoipa::path(get, path = "/api/v1/groups/{handle}/posts", tag = "groups",
    params(("handle" = String, Path), PageParams),
    responses((status = 200, body = FeedPage),
        (status = 400, description = "invalid_input: `q` (too long, too many words), `limit` or `cursor`", body = ErrorBody),
        (status = 403, description = "group_members_only", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn posts(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    paging: Paging,
) -> Result<Json<FeedPage>, ApiError> {
    let page = state
        .app
        .posts()
        .group_feed(
            &ctx.viewer,
            &handle,
            paging.cursor(),
            paging.limit(FEED_LIMIT),
        )
        .await
        .map_err(read_error)?;
    Ok(Json(feed_page(page)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Keeps the members whose visible skills or expertise tags name it.
    pub q: Option<String>,
}

/// The group's expert directory (for members): who knows what, with the
/// skills of each the viewer may see, his expertise tags in the group and
/// what he contributed there (posts, answers, reactions received), most
/// active first. Members who left themselves out are not listed.
#[utoipa::path(get, path = "/api/v1/groups/{handle}/directory", tag = "groups",
    params(("handle" = String, Path), DirectoryQuery, PageParams),
    responses((status = 200, body = inline(List<ExpertView>)),
        (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody),
        (status = 403, description = "group_members_only", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiQuery(q): ApiQuery<DirectoryQuery>,
    paging: Paging,
) -> Result<Json<List<ExpertView>>, ApiError> {
    let page = state
        .app
        .groups()
        .directory(
            &ctx.viewer,
            &handle,
            q.q.as_deref(),
            paging.cursor(),
            paging.limit(DEFAULT_LIMIT),
        )
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

/// Pins one of the group's posts at the top of its page (moderators).
#[utoipa::path(put, path = "/api/v1/groups/{handle}/pins/{post}", tag = "groups",
    params(("handle" = String, Path), ("post" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, description = "insufficient_role", body = ErrorBody),
        (status = 404, description = "no such group, or no such post in it", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn pin(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((handle, post)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    pin_or_unpin(&state, &ctx, &handle, &post, true).await
}

/// Unpins a post (moderators).
#[utoipa::path(delete, path = "/api/v1/groups/{handle}/pins/{post}", tag = "groups",
    params(("handle" = String, Path), ("post" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, description = "insufficient_role", body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unpin(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((handle, post)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    pin_or_unpin(&state, &ctx, &handle, &post, false).await
}

async fn pin_or_unpin(
    state: &AppState,
    ctx: &Ctx,
    handle: &str,
    post: &str,
    pinned: bool,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    let post: i64 = post
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(Error::NotFound)?;
    state
        .app
        .groups()
        .pin(&ctx.viewer, handle, post, pinned)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
