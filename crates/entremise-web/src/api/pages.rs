//! Pages and personas: creation, managers, offices, services, executives,
//! contact form, audit trail.

use super::{ApiJson, ApiPath, DEFAULT_LIMIT, List, PageParams, Paging, read_error};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use entremise_domain::Error;
use entremise_domain::ids::{OfficeId, PositionId, ServiceId};
use entremise_domain::page::{AuditEntry, ContactMessage, Manager, Office, Role, Service};
use entremise_domain::profile::{Position, ProfileRef, ProfileView};
use entremise_domain::service::{
    ContactFormRequest, NewPageRequest, OfficeRequest, PageDetails, ServiceRequest,
};
use serde::{Deserialize, Serialize};

/// Creates an organization, or a brand or persona of an organization the
/// member administers. The member becomes its owner.
#[utoipa::path(post, path = "/api/v1/pages", tag = "pages", request_body = NewPageRequest,
    responses((status = 201, body = ProfileView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_page(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(req): ApiJson<NewPageRequest>,
) -> Result<(StatusCode, Json<ProfileView>), ApiError> {
    ctx.viewer.require()?;
    let view = state.app.pages().open_page(&ctx.viewer, req).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A page with its offices, services, executives, brands and personas.
#[utoipa::path(get, path = "/api/v1/pages/{handle}", tag = "pages",
    params(("handle" = String, Path)),
    responses((status = 200, body = PageDetails), (status = 404, body = ErrorBody)))]
pub async fn get_page(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<PageDetails>, ApiError> {
    let details = state
        .app
        .pages()
        .page_details(&ctx.viewer, &handle, None)
        .await?;
    if !details.profile.kind.is_page() {
        return Err(Error::NotFound.into());
    }
    Ok(Json(details))
}

/// The page's managers and their roles (page admins only), 50 a page by
/// default. Paged by offset: a page's managers are few, and read whole.
#[utoipa::path(get, path = "/api/v1/pages/{handle}/managers", tag = "pages",
    params(("handle" = String, Path), PageParams),
    responses((status = 200, body = List<Manager>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_managers(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<Manager>>, ApiError> {
    ctx.viewer.require()?;
    let all = state.app.pages().managers(&ctx.viewer, &handle).await?;
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    pub role: Role,
}

/// Grants or changes a member's role on the page.
#[utoipa::path(put, path = "/api/v1/pages/{handle}/managers/{member_handle}", tag = "pages",
    params(("handle" = String, Path), ("member_handle" = String, Path)), request_body = RoleBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn put_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((handle, member)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state
        .app
        .pages()
        .set_manager(&ctx.viewer, &handle, &member, Some(body.role))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes a member's role (or leaves the page); the last owner cannot.
#[utoipa::path(delete, path = "/api/v1/pages/{handle}/managers/{member_handle}", tag = "pages",
    params(("handle" = String, Path), ("member_handle" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((handle, member)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    state
        .app
        .pages()
        .set_manager(&ctx.viewer, &handle, &member, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which account did what as the page (page admins only), newest first,
/// 50 a page by default (keyset cursor).
#[utoipa::path(get, path = "/api/v1/pages/{handle}/audit", tag = "pages",
    params(("handle" = String, Path), PageParams),
    responses((status = 200, body = List<AuditEntry>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn audit_log(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<AuditEntry>>, ApiError> {
    ctx.viewer.require()?;
    let page = state
        .app
        .pages()
        .audit_log_page(
            &ctx.viewer,
            &handle,
            paging.cursor(),
            paging.limit(DEFAULT_LIMIT),
        )
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}

#[utoipa::path(post, path = "/api/v1/pages/{handle}/offices", tag = "pages",
    params(("handle" = String, Path)), request_body = OfficeRequest,
    responses((status = 201, body = Office), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_office(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(req): ApiJson<OfficeRequest>,
) -> Result<(StatusCode, Json<Office>), ApiError> {
    ctx.viewer.require()?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .app
                .pages()
                .add_office(&ctx.viewer, &handle, req)
                .await?,
        ),
    ))
}

#[utoipa::path(delete, path = "/api/v1/pages/{handle}/offices/{id}", tag = "pages",
    params(("handle" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_office(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((handle, id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    let id: OfficeId = id.parse().map_err(|_| Error::NotFound)?;
    state
        .app
        .pages()
        .delete_office(&ctx.viewer, &handle, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/pages/{handle}/services", tag = "pages",
    params(("handle" = String, Path)), request_body = ServiceRequest,
    responses((status = 201, body = Service), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_service(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(req): ApiJson<ServiceRequest>,
) -> Result<(StatusCode, Json<Service>), ApiError> {
    ctx.viewer.require()?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .app
                .pages()
                .add_service(&ctx.viewer, &handle, req)
                .await?,
        ),
    ))
}

#[utoipa::path(delete, path = "/api/v1/pages/{handle}/services/{id}", tag = "pages",
    params(("handle" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_service(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((handle, id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    let id: ServiceId = id.parse().map_err(|_| Error::NotFound)?;
    state
        .app
        .pages()
        .delete_service(&ctx.viewer, &handle, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HeldPosition {
    pub position: Position,
    pub member: ProfileRef,
}

/// Positions members declared at this organization, for its admins to
/// confirm, each only as far as its member's positions audience admits the
/// admin asking, 50 a page by default. Paged by offset over the positions held
/// there, read whole.
#[utoipa::path(get, path = "/api/v1/pages/{handle}/positions", tag = "pages",
    params(("handle" = String, Path), PageParams),
    responses((status = 200, body = List<HeldPosition>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_positions(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<HeldPosition>>, ApiError> {
    ctx.viewer.require()?;
    let items = state
        .app
        .pages()
        .positions_at(&ctx.viewer, &handle)
        .await?
        .into_iter()
        .map(|(position, member)| HeldPosition { position, member })
        .collect();
    Ok(Json(paging.bounded(items, DEFAULT_LIMIT)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    pub confirmed: bool,
}

/// Confirms (or withdraws) a position held at the organization: the executive badge.
#[utoipa::path(put, path = "/api/v1/pages/{handle}/positions/{id}/confirmation", tag = "pages",
    params(("handle" = String, Path), ("id" = String, Path)), request_body = Confirmation,
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn confirm_position(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((handle, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<Confirmation>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    let id: PositionId = id.parse().map_err(|_| Error::NotFound)?;
    state
        .app
        .pages()
        .confirm_position(&ctx.viewer, &handle, id, body.confirmed)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Writes to an organization through its contact form (anyone may).
#[utoipa::path(post, path = "/api/v1/pages/{handle}/contact-messages", tag = "pages",
    params(("handle" = String, Path)), request_body = ContactFormRequest,
    responses((status = 201, body = ContactMessage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send_contact_message(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(req): ApiJson<ContactFormRequest>,
) -> Result<(StatusCode, Json<ContactMessage>), ApiError> {
    let m = state
        .app
        .pages()
        .send_contact_form(&ctx.viewer, &handle, req, &ctx.ip)
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Messages received through the contact form (page editors and admins),
/// newest first, 50 a page by default (keyset cursor).
#[utoipa::path(get, path = "/api/v1/pages/{handle}/contact-messages", tag = "pages",
    params(("handle" = String, Path), PageParams),
    responses((status = 200, body = List<ContactMessage>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_contact_messages(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<ContactMessage>>, ApiError> {
    ctx.viewer.require()?;
    let page = state
        .app
        .pages()
        .contact_messages_page(
            &ctx.viewer,
            &handle,
            paging.cursor(),
            paging.limit(DEFAULT_LIMIT),
        )
        .await
        .map_err(read_error)?;
    Ok(Json(Paging::list(page)))
}
