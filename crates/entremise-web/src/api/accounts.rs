//! Accounts and sessions.

use super::{ApiJson, ApiPath, DEFAULT_LIMIT, List, PageParams, Paging};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use entremise_domain::account::Registration;
use entremise_domain::locale::Locale;
use entremise_domain::page::Role;
use entremise_domain::session::{Session, SessionKind};
use entremise_domain::{AccountId, Error, SessionId};
use serde::{Deserialize, Serialize};

#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountCreated {
    pub account_id: AccountId,
    pub handle: String,
    /// `approved` (sign in now), or `pending` when the instance signs up
    /// by approval: signing in answers 403 `account_not_approved` until an
    /// administrator approves.
    pub approval: String,
}

/// Creates an account and its person profile.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = Registration,
    responses(
        (status = 201, body = AccountCreated),
        (status = 409, description = "E-mail or handle taken", body = ErrorBody),
        (status = 422, description = "Invalid field, weak password; `code` missing, unknown or already used (sign-up by invitation); `answer` missing or longer than 1,000 characters (sign-up by approval); `email` from a domain the instance refuses (`domain_blocked`)", body = ErrorBody),
        (status = 429, description = "Too many sign-up attempts from this client, whatever their outcome (`Retry-After`)", body = ErrorBody),
        (status = 503, description = "Too many passwords being hashed at once: `busy`, see `Retry-After`", body = ErrorBody),
    ))]
pub async fn create_account(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(reg): ApiJson<Registration>,
) -> Result<(StatusCode, Json<AccountCreated>), ApiError> {
    let account = state.app.accounts().register(reg, &ctx.ip).await?;
    Ok((
        StatusCode::CREATED,
        Json(AccountCreated {
            account_id: account.id,
            handle: account.handle.to_string(),
            approval: account.approval.as_str().to_owned(),
        }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionCreated {
    /// Bearer token: send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
    pub session_id: SessionId,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: time::OffsetDateTime,
}

/// Signs in: opens an API session and returns its bearer token.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "accounts", request_body = Credentials,
    responses(
        (status = 201, body = SessionCreated),
        (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
        (status = 403, description = "The right credentials, but `account_not_approved` (a sign-up waiting for approval, or declined) or `suspended` (the message says until when and why)", body = ErrorBody),
        (status = 429, description = "Too many failures; see Retry-After", body = ErrorBody),
        (status = 503, description = "Too many passwords being checked at once: `busy`, see `Retry-After`", body = ErrorBody),
    ))]
pub async fn create_session(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(c): ApiJson<Credentials>,
) -> Result<(StatusCode, Json<SessionCreated>), ApiError> {
    let s = state
        .app
        .accounts()
        .sign_in(
            &c.email,
            &c.password,
            &ctx.ip,
            SessionKind::Api,
            &ctx.user_agent,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionCreated {
            token: s.token,
            session_id: s.session.id,
            expires_at: s.session.expires_at,
        }),
    ))
}

/// Signs out: ends the session that made this request.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "accounts",
    responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_current_session(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state.app.accounts().sign_out(&ctx.viewer).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionItem {
    #[serde(flatten)]
    pub session: Session,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// The member's open sessions (browsers and API clients), newest first,
/// 50 a page by default. Paged by offset: the unexpired sessions of one
/// account are few, and read whole.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "accounts", params(PageParams),
    responses((status = 200, body = List<SessionItem>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_sessions(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<SessionItem>>, ApiError> {
    let current = ctx.viewer.require()?.session;
    let sessions = state.app.accounts().sessions(&ctx.viewer).await?;
    let items = sessions
        .into_iter()
        .map(|s| SessionItem {
            current: s.id == current,
            session: s,
        })
        .collect();
    Ok(Json(paging.bounded(items, DEFAULT_LIMIT)?))
}

/// Revokes one of the member's sessions.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "accounts",
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_session(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    let id: SessionId = id.parse().map_err(|_| Error::NotFound)?;
    state.app.accounts().revoke_session(&ctx.viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OperatedPage {
    pub handle: String,
    pub role: Role,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub account_id: AccountId,
    pub handle: String,
    pub name: String,
    pub locale: Locale,
    /// Pages and personas this account operates.
    pub pages: Vec<OperatedPage>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Me>, ApiError> {
    let me = ctx.viewer.require()?;
    let pages = state
        .app
        .pages()
        .operated_pages(&ctx.viewer)
        .await?
        .into_iter()
        .map(|(r, role)| OperatedPage {
            handle: r.handle.to_string(),
            role,
        })
        .collect();
    Ok(Json(Me {
        account_id: me.account,
        handle: me.handle.to_string(),
        name: me.name.clone(),
        locale: me.locale,
        pages,
    }))
}
