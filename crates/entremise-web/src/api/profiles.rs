//! Profiles and positions.

use super::{ApiJson, ApiPath, ApiQuery, DEFAULT_LIMIT, List, PageParams, Paging};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use entremise_domain::ids::PositionId;
use entremise_domain::privacy::Relation;
use entremise_domain::profile::{Position, ProfilePatch, ProfileView};
use entremise_domain::service::PositionRequest;
use entremise_domain::{Error, Result};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfileQuery {
    /// For the member himself: see the profile as `anonymous`, `member`,
    /// `network` or `contact` would.
    pub view_as: Option<String>,
}

pub fn parse_view_as(raw: Option<&str>) -> Result<Option<Relation>> {
    match raw {
        None | Some("") => Ok(None),
        Some(s) => Relation::parse(s).map(Some).ok_or_else(|| {
            Error::invalid(
                "view_as",
                "invalid",
                "view_as is one of anonymous, member, network, contact, self.",
            )
        }),
    }
}

/// A profile (person, organization, brand or persona) as the viewer may see
/// it: a field he may not see is absent. The member himself also gets
/// `audiences` and `settings`.
#[utoipa::path(get, path = "/api/v1/profiles/{handle}", tag = "profiles",
    params(("handle" = String, Path), ProfileQuery),
    responses((status = 200, body = ProfileView), (status = 400, description = "invalid_input: `view_as`", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiQuery(q): ApiQuery<ProfileQuery>,
) -> Result<Json<ProfileView>, ApiError> {
    let view_as = parse_view_as(q.view_as.as_deref()).map_err(ApiError::BadQuery)?;
    Ok(Json(
        state
            .app
            .profiles()
            .view_profile(&ctx.viewer, &handle, view_as)
            .await?,
    ))
}

/// Edits fields, their audiences and the reach settings; all or nothing.
#[utoipa::path(patch, path = "/api/v1/profiles/{handle}", tag = "profiles",
    params(("handle" = String, Path)), request_body = ProfilePatch,
    responses((status = 200, body = ProfileView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> Result<Json<ProfileView>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state
            .app
            .profiles()
            .update_profile(&ctx.viewer, &handle, &patch)
            .await?,
    ))
}

/// Positions of a person, as his positions audience allows, 50 a page by
/// default. Paged by offset: a person's positions are few, and read whole.
#[utoipa::path(get, path = "/api/v1/profiles/{handle}/positions", tag = "profiles",
    params(("handle" = String, Path), PageParams),
    responses((status = 200, body = List<Position>), (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_positions(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    paging: Paging,
) -> Result<Json<List<Position>>, ApiError> {
    let all = state.app.profiles().positions(&ctx.viewer, &handle).await?;
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

/// Adds a position to one's own profile. Naming an organization by its
/// handle links it, and its admins may then confirm it (executive badge).
#[utoipa::path(post, path = "/api/v1/profiles/{handle}/positions", tag = "profiles",
    params(("handle" = String, Path)), request_body = PositionRequest,
    responses((status = 201, body = Position), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_position(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(req): ApiJson<PositionRequest>,
) -> Result<(StatusCode, Json<Position>), ApiError> {
    ctx.viewer.require()?;
    let p = state
        .app
        .pages()
        .add_position(&ctx.viewer, &handle, req)
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(delete, path = "/api/v1/profiles/{handle}/positions/{id}", tag = "profiles",
    params(("handle" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_position(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((handle, id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    ctx.viewer.require()?;
    let id: PositionId = id.parse().map_err(|_| Error::NotFound)?;
    state
        .app
        .profiles()
        .delete_position(&ctx.viewer, &handle, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
