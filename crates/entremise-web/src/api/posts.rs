//! Posts, images, comments, reactions, follows and the feed.

use super::{
    ApiJson, ApiMultipart, ApiPath, ApiQuery, DEFAULT_LIMIT, List, PageParams, Paging, read_error,
};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::post::{PostCounts, PostEdit, ReactionKind};
use entremise_domain::service::{CommentView, FeedPage, MediaView, NewPostInput, PostView};
use serde::{Deserialize, Serialize};

/// Post ids are numbers; anything else is simply not found.
pub fn post_id(raw: &str) -> Result<i64, Error> {
    raw.parse().map_err(|_| Error::NotFound)
}

/// Reads one image (and its alt text) from a multipart body: the file in
/// a part named `file` or `image`, the alt text in `alt`.
pub async fn read_upload(mut multipart: Multipart) -> Result<(Bytes, String), ApiError> {
    let mut file = None;
    let mut alt = None;
    // One of each: a second one is refused rather than read one way or the other.
    let twice = |name: &str| {
        ApiError::Domain(Error::invalid(
            name,
            "duplicate",
            "This part is given twice.",
        ))
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| upload_rejection(e.status()))?
    {
        match field.name() {
            Some("file" | "image") => {
                if file.is_some() {
                    return Err(twice("file"));
                }
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| upload_rejection(e.status()))?;
                file = Some(bytes);
            }
            Some("alt") => {
                if alt.is_some() {
                    return Err(twice("alt"));
                }
                alt = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| upload_rejection(e.status()))?,
                );
            }
            // As the document states it: `file` and `alt`, nothing else.
            other => {
                let name = other.unwrap_or_default().to_owned();
                return Err(ApiError::Domain(Error::invalid(
                    name,
                    "unknown",
                    "This part is not expected here.",
                )));
            }
        }
    }
    let file = file.ok_or_else(|| {
        ApiError::Domain(Error::invalid(
            "file",
            "required",
            "The image goes in a part named \"file\".",
        ))
    })?;
    Ok((file, alt.unwrap_or_default()))
}

/// A multipart body that could not be read; the parser's own words name
/// its internals and are not passed on.
fn upload_rejection(status: StatusCode) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::Http {
            status,
            code: "payload_too_large",
            message: "The image is too large.".into(),
        }
    } else {
        ApiError::Http {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_input",
            message: "The multipart body is not well formed.".into(),
        }
    }
}

/// The multipart body of an upload, as the document states it; never
/// built (`read_upload` reads the parts as they come).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The image.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Its alternative text.
    alt: Option<String>,
}

/// Uploads an image (multipart: `file`, optional `alt`). It is re-encoded
/// without any metadata (EXIF, GPS), oriented, and kept in several widths;
/// it stays the uploader's alone until a post holds it.
#[utoipa::path(post, path = "/api/v1/media", tag = "posts",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = MediaView), (status = 413, body = ErrorBody),
        (status = 422, description = "Not an image the server accepts, a part missing or repeated, or over a limit: `fields[].reason` is `too_many_unattached` (images waiting for a post) or `quota` (the account's space for images is used)", body = ErrorBody),
        (status = 503, description = "Too many uploads being read at once: `busy`, see `Retry-After`; `storage_full`, the server's disk is full; or `timeout`, the request took too long", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<(StatusCode, Json<MediaView>), ApiError> {
    ctx.viewer.require()?;
    // A few large bodies at once, shared with the composer page, held until
    // the image is stored: parallel uploads cannot exhaust memory.
    let Ok(_permit) = state.composer_bodies.clone().try_acquire_owned() else {
        return Err(Error::Busy {
            retry_after_secs: 5,
        }
        .into());
    };
    let (bytes, alt) = read_upload(multipart).await?;
    let view = state
        .app
        .posts()
        .upload_media(&ctx.viewer, bytes.to_vec(), &alt)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MediaQuery {
    /// 320, 640 or 1280 for a smaller copy.
    pub w: Option<String>,
}

/// The bytes of an image, for whoever may see what holds it (404 to anyone
/// else, exactly like a missing one).
pub async fn serve_media(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<MediaQuery>,
) -> Result<Response, ApiError> {
    let id = post_id(&id)?;
    // A width that is not a number is refused like an unknown width, by the
    // domain, once it has checked the viewer may see the image at all.
    let width =
        q.w.as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(|w| w.parse::<u32>().unwrap_or(0));
    let (bytes, content_type) = state
        .app
        .posts()
        .media_bytes(&ctx.viewer, id, width)
        .await
        .map_err(|e| match e {
            Error::Invalid(_) => ApiError::BadQuery(e),
            other => ApiError::Domain(other),
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            // What a viewer may see depends on him: no shared cache.
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// Publishes a post: as oneself or `as` a page or persona one edits for;
/// images by their media ids; `reshare_of` to reshare (never to a wider
/// audience than the original's; posts for contacts or network only are not
/// reshared); `publish_at` schedules a page's post.
#[utoipa::path(post, path = "/api/v1/posts", tag = "posts", request_body = NewPostInput,
    responses(
        (status = 201, body = PostView),
        (status = 403, description = "`as` a page the member may not publish for; `group_members_only`: `group:<handle>` names a group the author is not a member of (or a reshare kept in such a group)", body = ErrorBody),
        (status = 404, description = "`as`, `reshare_of` or the group of `group:<handle>` names nothing the member may see", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<NewPostInput>,
) -> Result<(StatusCode, Json<PostView>), ApiError> {
    ctx.viewer.require()?;
    let view = state.app.posts().create_post(&ctx.viewer, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A post, if the viewer may see it.
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = String, Path)),
    responses((status = 200, body = PostView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PostView>, ApiError> {
    Ok(Json(
        state
            .app
            .posts()
            .view_post(&ctx.viewer, post_id(&id)?)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    pub text: String,
}

/// Edits the text of one's post; earlier versions stay in its history.
#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = String, Path)),
    request_body = EditBody,
    responses((status = 200, body = PostView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<EditBody>,
) -> Result<Json<PostView>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state
            .app
            .posts()
            .edit_post(&ctx.viewer, post_id(&id)?, &body.text)
            .await?,
    ))
}

/// Deletes one's post, with its comments, reactions and images.
#[utoipa::path(delete, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state
        .app
        .posts()
        .delete_post(&ctx.viewer, post_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Earlier versions of an edited post, oldest first, 50 a page by default.
/// Paged by offset: a post's history only grows at its end, so offsets
/// stay put.
#[utoipa::path(get, path = "/api/v1/posts/{id}/history", tag = "posts", params(("id" = String, Path), PageParams),
    responses((status = 200, body = List<PostEdit>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<PostEdit>>, ApiError> {
    let edits = state
        .app
        .posts()
        .post_history(&ctx.viewer, post_id(&id)?)
        .await?;
    Ok(Json(paging.bounded(edits, DEFAULT_LIMIT)?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    pub text: String,
    /// The comment this one answers (replies go one level deep).
    #[serde(default)]
    pub parent: Option<String>,
    /// Answer as a page or persona the member edits for (its handle).
    #[serde(default, rename = "as")]
    pub as_: Option<String>,
}

/// Comments on a post the viewer may see.
#[utoipa::path(post, path = "/api/v1/posts/{id}/comments", tag = "posts", params(("id" = String, Path)),
    request_body = CommentBody,
    responses((status = 201, body = CommentView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn comment(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    ctx.viewer.require()?;
    let c = state
        .app
        .posts()
        .add_comment(
            &ctx.viewer,
            post_id(&id)?,
            &body.text,
            body.parent.as_deref(),
            body.as_.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// The comments of a post, oldest first, each with its replies, leaving
/// out those of members a block hides; `limit` counts threads, 50 a page
/// by default (keyset cursor).
#[utoipa::path(get, path = "/api/v1/posts/{id}/comments", tag = "posts", params(("id" = String, Path), PageParams),
    responses((status = 200, body = List<CommentView>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn comments(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<CommentView>>, ApiError> {
    let page = state
        .app
        .posts()
        .comments_page(
            &ctx.viewer,
            post_id(&id)?,
            paging.cursor(),
            paging.limit(DEFAULT_LIMIT),
        )
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

fn reaction(raw: &str) -> Result<ReactionKind, Error> {
    ReactionKind::parse(raw).ok_or_else(|| {
        Error::invalid(
            "kind",
            "unknown",
            "one of like, celebrate, support, insightful, curious",
        )
    })
}

/// Sets the member's one reaction to a post (replacing an earlier one).
#[utoipa::path(put, path = "/api/v1/posts/{id}/reactions/{kind}", tag = "posts",
    params(("id" = String, Path), ("kind" = ReactionKind, Path)),
    responses((status = 200, body = PostCounts), (status = 404, body = ErrorBody), (status = 422, description = "An unknown kind of reaction", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn react(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((id, kind)): ApiPath<(String, String)>,
) -> Result<Json<PostCounts>, ApiError> {
    ctx.viewer.require()?;
    let id = post_id(&id)?;
    let kind = reaction(&kind)?;
    Ok(Json(
        state.app.posts().react(&ctx.viewer, id, Some(kind)).await?,
    ))
}

/// Removes the member's reaction to a post.
#[utoipa::path(delete, path = "/api/v1/posts/{id}/reactions", tag = "posts",
    params(("id" = String, Path)),
    responses((status = 200, body = PostCounts), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unreact(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PostCounts>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state
            .app
            .posts()
            .react(&ctx.viewer, post_id(&id)?, None)
            .await?,
    ))
}

/// Reactions of one kind.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReactionCount {
    pub kind: ReactionKind,
    pub count: u64,
}

/// Reactions of a post, per kind, 50 a page by default. Paged by offset:
/// there are five kinds.
#[utoipa::path(get, path = "/api/v1/posts/{id}/reactions", tag = "posts",
    params(("id" = String, Path), PageParams),
    responses((status = 200, body = List<ReactionCount>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reactions(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<ReactionCount>>, ApiError> {
    let all = state
        .app
        .posts()
        .reactions(&ctx.viewer, post_id(&id)?)
        .await?;
    let counts = all
        .into_iter()
        .map(|(kind, count)| ReactionCount { kind, count })
        .collect();
    Ok(Json(paging.bounded(counts, DEFAULT_LIMIT)?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// `true`: the last two weeks ranked by engagement (200 posts at most).
    pub ranked: Option<String>,
}

/// The page size of the feed and of a profile's posts.
pub(crate) const FEED_LIMIT: usize = 20;

/// A page of posts as the API answers it: the cursor wrapped.
pub(crate) fn feed_page(page: FeedPage) -> FeedPage {
    FeedPage {
        items: page.items,
        next: Paging::wrap(page.next),
    }
}

/// The home feed: posts of the member's contacts, of the pages he follows
/// and his own, newest first (or ranked by engagement); only posts whose
/// audience admits him, never anything of a member a block hides. 20 a
/// page by default. Newest first, the cursor is a keyset position (a page
/// looks at 5,000 posts at most, and may then be short); ranked, an offset
/// into the ranking.
#[utoipa::path(get, path = "/api/v1/feed", tag = "posts", params(FeedQuery, PageParams),
    responses((status = 200, body = FeedPage), (status = 400, description = "invalid_input: `ranked`, `limit` or `cursor`", body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn feed(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<FeedQuery>,
    paging: Paging,
) -> Result<Json<FeedPage>, ApiError> {
    ctx.viewer.require()?;
    let limit = paging.limit(FEED_LIMIT);
    let ranked = match q.ranked.as_deref().map(str::trim) {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(_) => {
            return Err(ApiError::BadQuery(Error::invalid(
                "ranked",
                "invalid",
                "true or false",
            )));
        }
    };
    let page = state
        .app
        .posts()
        .feed(&ctx.viewer, paging.cursor(), limit, ranked)
        .await
        .map_err(ApiError::BadQuery)?;
    Ok(Json(feed_page(page)))
}

/// Posts of one profile the viewer may see, newest first, 20 a page by
/// default (keyset cursor).
#[utoipa::path(get, path = "/api/v1/profiles/{handle}/posts", tag = "posts",
    params(("handle" = String, Path), PageParams),
    responses((status = 200, body = FeedPage), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn posts_of(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    paging: Paging,
) -> Result<Json<FeedPage>, ApiError> {
    let page = state
        .app
        .posts()
        .posts_of(
            &ctx.viewer,
            &handle,
            paging.cursor(),
            paging.limit(FEED_LIMIT),
        )
        .await
        .map_err(read_error)?;
    Ok(Json(feed_page(page)))
}

/// Follows a page (organization, brand or persona).
#[utoipa::path(put, path = "/api/v1/follows/{handle}", tag = "posts", params(("handle" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, description = "`not_a_page`: persons are reached as contacts, not followed", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn follow(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state.app.posts().follow(&ctx.viewer, &handle, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops following a page.
#[utoipa::path(delete, path = "/api/v1/follows/{handle}", tag = "posts", params(("handle" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, description = "`not_a_page`: persons are reached as contacts, not followed", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unfollow(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state
        .app
        .posts()
        .follow(&ctx.viewer, &handle, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
