//! Contacts, contact requests, invitation codes, blocks, "how you are
//! connected", people you may know, network health.

use super::{ApiJson, ApiPath, ApiQuery, DEFAULT_LIMIT, List, PageParams, Paging, read_error};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use entremise_domain::Error;
use entremise_domain::contact::{ContactRequestView, InvitationCode, RequestStatus};
use entremise_domain::profile::ProfileRef;
use entremise_domain::service::{Connection, ContactRequestInput, NetworkHealth, Suggestion};
use serde::{Deserialize, Serialize};

fn request_id(raw: &str) -> Result<i64, Error> {
    raw.parse().map_err(|_| Error::NotFound)
}

/// Sends a contact request. Refused with 403 `introduction_required` unless
/// the target's setting allows it, or the request quotes his exact e-mail
/// address or an invitation code he handed out.
#[utoipa::path(post, path = "/api/v1/contact-requests", tag = "contacts", request_body = ContactRequestInput,
    responses(
        (status = 201, body = ContactRequestView),
        (status = 403, description = "introduction_required", body = ErrorBody),
        (status = 404, description = "No such member, or one hidden from the member", body = ErrorBody),
        (status = 422, description = "Invalid field, or the member himself", body = ErrorBody),
        (status = 409, description = "Already contacts, or a request is pending", body = ErrorBody),
        (status = 429, description = "Limits of pending requests, per week, or 90 days after the target declined a contact request or an introduction (`Retry-After`)", body = ErrorBody),
    ), security(("bearer" = [])))]
pub async fn send_request(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ContactRequestInput>,
) -> Result<(StatusCode, Json<ContactRequestView>), ApiError> {
    ctx.viewer.require()?;
    let view = state
        .app
        .contacts()
        .send_contact_request(&ctx.viewer, input)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// `incoming` (default) or `outgoing`.
    pub direction: Option<String>,
}

/// Pending contact requests to or from the member, newest first, 50 a page
/// by default (keyset cursor).
#[utoipa::path(get, path = "/api/v1/contact-requests", tag = "contacts", params(RequestsQuery, PageParams),
    responses((status = 200, body = List<ContactRequestView>), (status = 400, description = "invalid_input: `direction`, `limit` or `cursor`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_requests(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<RequestsQuery>,
    paging: Paging,
) -> Result<Json<List<ContactRequestView>>, ApiError> {
    ctx.viewer.require()?;
    let outgoing = match q.direction.as_deref() {
        None | Some("incoming") => false,
        Some("outgoing") => true,
        Some(_) => {
            return Err(ApiError::BadQuery(Error::invalid(
                "direction",
                "invalid",
                "direction is incoming or outgoing.",
            )));
        }
    };
    let page = state
        .app
        .contacts()
        .contact_requests_page(
            &ctx.viewer,
            outgoing,
            paging.cursor(),
            paging.limit(DEFAULT_LIMIT),
        )
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RequestDecision {
    pub id: String,
    pub status: RequestStatus,
}

async fn decide(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    status: RequestStatus,
) -> Result<Json<RequestDecision>, ApiError> {
    let view = state
        .app
        .contacts()
        .answer_contact_request(&ctx.viewer, request_id(id)?, status)
        .await?;
    Ok(Json(RequestDecision {
        id: view.id.to_string(),
        status: view.status,
    }))
}

/// The target accepts: the two become contacts.
#[utoipa::path(post, path = "/api/v1/contact-requests/{id}/accept", tag = "contacts", params(("id" = String, Path)),
    responses((status = 200, body = RequestDecision), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn accept_request(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RequestDecision>, ApiError> {
    ctx.viewer.require()?;
    decide(&state, &ctx, &id, RequestStatus::Accepted).await
}

/// The target declines (the requester may not ask again for 90 days).
#[utoipa::path(post, path = "/api/v1/contact-requests/{id}/decline", tag = "contacts", params(("id" = String, Path)),
    responses((status = 200, body = RequestDecision), (status = 404, body = ErrorBody), (status = 409, description = "The request is no longer pending", body = ErrorBody)), security(("bearer" = [])))]
pub async fn decline_request(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RequestDecision>, ApiError> {
    ctx.viewer.require()?;
    decide(&state, &ctx, &id, RequestStatus::Declined).await
}

/// The requester withdraws his request.
#[utoipa::path(post, path = "/api/v1/contact-requests/{id}/withdraw", tag = "contacts", params(("id" = String, Path)),
    responses((status = 200, body = RequestDecision), (status = 404, body = ErrorBody), (status = 409, description = "The request is no longer pending", body = ErrorBody)), security(("bearer" = [])))]
pub async fn withdraw_request(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RequestDecision>, ApiError> {
    ctx.viewer.require()?;
    decide(&state, &ctx, &id, RequestStatus::Withdrawn).await
}

/// A member's contacts' handles, as his contact-list audience allows (404
/// otherwise), leaving out those a block hides from the viewer; in handle
/// order, 50 a page by default (keyset cursor: the last handle shown).
#[utoipa::path(get, path = "/api/v1/profiles/{handle}/contacts", tag = "contacts", params(("handle" = String, Path), PageParams),
    responses((status = 200, body = List<String>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_contacts(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<String>>, ApiError> {
    let page = state
        .app
        .contacts()
        .contacts_page(
            &ctx.viewer,
            &handle,
            paging.cursor(),
            paging.limit(DEFAULT_LIMIT),
        )
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(
        page.map(|c: ProfileRef| c.handle.to_string()),
    )))
}

/// Ends a contact, both ways.
#[utoipa::path(delete, path = "/api/v1/contacts/{handle}", tag = "contacts", params(("handle" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn remove_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state
        .app
        .contacts()
        .remove_contact(&ctx.viewer, &handle)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How the viewer is connected to a member: degree, the mutual contacts he
/// may see, the best introduction paths (`null` for a hop he may not see).
#[utoipa::path(get, path = "/api/v1/profiles/{handle}/connection", tag = "contacts", params(("handle" = String, Path)),
    responses((status = 200, body = Connection), (status = 404, body = ErrorBody)))]
pub async fn connection(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<Connection>, ApiError> {
    Ok(Json(
        state
            .app
            .contacts()
            .connection(&ctx.viewer, &handle)
            .await?,
    ))
}

/// Members at 2nd degree the viewer may know, by mutual contacts, 10 a page
/// by default. Paged by offset into the ranking, which goes 200 deep.
#[utoipa::path(get, path = "/api/v1/people-you-may-know", tag = "contacts", params(PageParams),
    responses((status = 200, body = List<Suggestion>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn people_you_may_know(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<Suggestion>>, ApiError> {
    ctx.viewer.require()?;
    let page = state
        .app
        .contacts()
        .people_you_may_know_page(&ctx.viewer, paging.cursor(), paging.limit(10))
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationCreated {
    pub code: String,
    /// The link to hand out; its QR code is at `{url}/qr.svg`.
    pub url: String,
}

fn invitation_url(state: &AppState, code: &str) -> String {
    let base = state.config.public_url.as_str().trim_end_matches('/');
    format!("{base}/invite/{code}")
}

/// Creates a personal invitation code (for a business card).
#[utoipa::path(post, path = "/api/v1/invitation-codes", tag = "contacts",
    responses((status = 201, body = InvitationCreated)), security(("bearer" = [])))]
pub async fn create_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<(StatusCode, Json<InvitationCreated>), ApiError> {
    ctx.viewer.require()?;
    let code = state
        .app
        .contacts()
        .create_invitation_code(&ctx.viewer)
        .await?;
    let url = invitation_url(&state, &code.code);
    Ok((
        StatusCode::CREATED,
        Json(InvitationCreated {
            code: code.code,
            url,
        }),
    ))
}

/// The member's invitation codes, revoked ones included, newest first, 50
/// a page by default (keyset cursor).
#[utoipa::path(get, path = "/api/v1/invitation-codes", tag = "contacts", params(PageParams),
    responses((status = 200, body = List<InvitationCode>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_invitations(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<InvitationCode>>, ApiError> {
    ctx.viewer.require()?;
    let page = state
        .app
        .contacts()
        .invitation_codes_page(&ctx.viewer, paging.cursor(), paging.limit(DEFAULT_LIMIT))
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

/// Revokes an invitation code.
#[utoipa::path(delete, path = "/api/v1/invitation-codes/{code}", tag = "contacts", params(("code" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(code): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state
        .app
        .contacts()
        .revoke_invitation_code(&ctx.viewer, &code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Blocks a member: no visibility either way, contact and paths broken.
#[utoipa::path(put, path = "/api/v1/blocks/{handle}", tag = "contacts", params(("handle" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, description = "`self`: the member himself", body = ErrorBody)), security(("bearer" = [])))]
pub async fn block(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state.app.contacts().block(&ctx.viewer, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/blocks/{handle}", tag = "contacts", params(("handle" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn unblock(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state.app.contacts().unblock(&ctx.viewer, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The members the viewer blocks, 50 a page by default (keyset cursor).
#[utoipa::path(get, path = "/api/v1/blocks", tag = "contacts", params(PageParams),
    responses((status = 200, body = List<ProfileRef>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_blocks(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<ProfileRef>>, ApiError> {
    ctx.viewer.require()?;
    let page = state
        .app
        .contacts()
        .blocks_page(&ctx.viewer, paging.cursor(), paging.limit(DEFAULT_LIMIT))
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

/// Stale contacts, who relays the member's introductions, pending requests.
#[utoipa::path(get, path = "/api/v1/network-health", tag = "contacts",
    responses((status = 200, body = NetworkHealth)), security(("bearer" = [])))]
pub async fn network_health(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<NetworkHealth>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state.app.contacts().network_health(&ctx.viewer).await?,
    ))
}
