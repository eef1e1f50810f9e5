//! Conversations and messages.

use super::{ApiJson, ApiPath, DEFAULT_LIMIT, List, PageParams, Paging, read_error};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use entremise_domain::Error;
use entremise_domain::conversation::{ConversationView, MessageView};
use entremise_domain::service::NewConversationInput;
use serde::{Deserialize, Serialize};

fn conversation_id(raw: &str) -> Result<i64, Error> {
    raw.parse().map_err(|_| Error::NotFound)
}

/// Opens a conversation (one-to-one, or a group of up to 20) where every
/// participant's message setting allows the member, and no two participants
/// have a block between them.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "conversations", request_body = NewConversationInput,
    responses(
        (status = 201, body = ConversationView),
        (status = 403, description = "`messages_closed`: a participant's message setting excludes the member; `blocked_participants`: two of the participants have a block between them (which two is not said)", body = ErrorBody),
        (status = 404, description = "A participant does not exist or is hidden from the member", body = ErrorBody),
        (status = 422, description = "No other participant, or too many", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<NewConversationInput>,
) -> Result<(StatusCode, Json<ConversationView>), ApiError> {
    ctx.viewer.require()?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .app
                .conversations()
                .start_conversation(&ctx.viewer, input)
                .await?,
        ),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationView>,
    /// Cursor of the next page, or null at the end.
    pub next: Option<String>,
    /// Unread messages over all conversations.
    pub unread_total: u64,
}

/// The member's conversations, most recently active first, with unread
/// counts, 50 a page by default (keyset cursor).
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(PageParams),
    responses((status = 200, body = ConversationList), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<ConversationList>, ApiError> {
    ctx.viewer.require()?;
    let list = state
        .app
        .conversations()
        .conversation_list(&ctx.viewer, paging.cursor(), paging.limit(DEFAULT_LIMIT))
        .await
        .map_err(read_error)?;
    Ok(Json(ConversationList {
        items: list.items,
        next: Paging::wrap(list.next),
        unread_total: list.unread_total,
    }))
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations", params(("id" = String, Path)),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ConversationView>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state
            .app
            .conversations()
            .conversation(&ctx.viewer, conversation_id(&id)?)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    pub text: String,
}

/// Posts a message, stored durably before the answer. A participant blocked
/// with the member does not see it.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations", params(("id" = String, Path)),
    request_body = MessageBody,
    responses((status = 201, body = MessageView), (status = 404, description = "Not a participant, or nobody left in it the member may see", body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(("bearer" = [])))]
pub async fn send(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    ctx.viewer.require()?;
    let m = state
        .app
        .conversations()
        .send_message(&ctx.viewer, conversation_id(&id)?, &body.text)
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Messages, newest first, 50 a page by default (keyset cursor: the last
/// message's id); reading the first page marks them read. Those of a
/// participant blocked with the member are left out.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations", params(("id" = String, Path), PageParams),
    responses((status = 200, body = List<MessageView>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn messages(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<MessageView>>, ApiError> {
    ctx.viewer.require()?;
    let before = paging
        .cursor()
        .map(entremise_domain::paging::parse_id_key)
        .transpose()
        .map_err(ApiError::BadQuery)?;
    let page = state
        .app
        .conversations()
        .messages(
            &ctx.viewer,
            conversation_id(&id)?,
            before,
            paging.limit(DEFAULT_LIMIT),
        )
        .await?;
    Ok(Json(List {
        items: page.items,
        next: Paging::wrap(page.next),
    }))
}

/// Tells the conversation's other participants, on their open streams,
/// that the member is typing (an ephemeral `typing` event, not kept; a
/// participant blocked with him is not told). Send it every few seconds
/// while typing.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/typing", tag = "conversations", params(("id" = String, Path)),
    responses((status = 204, description = "Told to whoever has a stream open"), (status = 404, description = "Not a participant, or nobody left in it the member may see", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn typing(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state
        .app
        .streams()
        .typing(&ctx.viewer, conversation_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
