//! Instance administration (administrators only), and what anyone may read
//! of the instance (its name, how to sign up, rules, terms, legal notice).

use super::{ApiJson, ApiPath, DEFAULT_LIMIT, List, PageParams, Paging};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use entremise_domain::service::{
    Dashboard, InstanceInfo, InstanceSettings, InstanceSettingsInput, PendingSignup, StaffView,
};
use serde::{Deserialize, Serialize};

/// The instance: its name, how visitors sign up (and the question asked
/// when by approval), its rules, terms and legal notice in the language of
/// the request.
#[utoipa::path(get, path = "/api/v1/instance", tag = "instance",
    responses((status = 200, body = InstanceInfo)))]
pub async fn info(State(state): State<AppState>, ctx: Ctx) -> Result<Json<InstanceInfo>, ApiError> {
    Ok(Json(state.app.admin().info(ctx.locale).await?))
}

/// Members, active members (seen in 30 days), posts, sign-ups waiting,
/// and each moderation queue's open reports with the age of the oldest.
#[utoipa::path(get, path = "/api/v1/admin/dashboard", tag = "admin",
    responses((status = 200, body = Dashboard),
        (status = 403, description = "`admins_only`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(state.app.admin().dashboard(&ctx.viewer).await?))
}

/// The instance's settings, as the administrators write them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettingsView {
    pub name: String,
    /// `open`, `invitation` or `approval`.
    pub registration: String,
    pub question: String,
    pub rules_fr: String,
    pub rules_en: String,
    pub terms_fr: String,
    pub terms_en: String,
    pub legal_fr: String,
    pub legal_en: String,
    /// E-mail domains refused at sign-up.
    pub domain_blocks: Vec<String>,
}

impl From<InstanceSettings> for SettingsView {
    fn from(s: InstanceSettings) -> Self {
        Self {
            name: s.raw("name").to_owned(),
            registration: s.mode().as_str().to_owned(),
            question: s.raw("question").to_owned(),
            rules_fr: s.raw("rules_fr").to_owned(),
            rules_en: s.raw("rules_en").to_owned(),
            terms_fr: s.raw("terms_fr").to_owned(),
            terms_en: s.raw("terms_en").to_owned(),
            legal_fr: s.raw("legal_fr").to_owned(),
            legal_en: s.raw("legal_en").to_owned(),
            domain_blocks: s.domain_blocks().to_vec(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin",
    responses((status = 200, body = SettingsView),
        (status = 403, description = "`admins_only`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<SettingsView>, ApiError> {
    Ok(Json(state.app.admin().settings(&ctx.viewer).await?.into()))
}

/// Changes the instance's settings; fields left out stay.
#[utoipa::path(patch, path = "/api/v1/admin/settings", tag = "admin", request_body = InstanceSettingsInput,
    responses((status = 200, body = SettingsView),
        (status = 403, description = "`admins_only`", body = ErrorBody),
        (status = 422, description = "`registration` not open, invitation or approval; `name` or `question` longer than 200 characters; a text longer than 20,000", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<InstanceSettingsInput>,
) -> Result<Json<SettingsView>, ApiError> {
    Ok(Json(
        state
            .app
            .admin()
            .update_settings(&ctx.viewer, body)
            .await?
            .into(),
    ))
}

/// The members holding an instance role.
#[utoipa::path(get, path = "/api/v1/admin/staff", tag = "admin", params(PageParams),
    responses((status = 200, body = inline(List<StaffView>)),
        (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody),
        (status = 403, description = "`admins_only`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn staff(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<List<StaffView>>, ApiError> {
    let items = state.app.admin().staff(&ctx.viewer).await?;
    Ok(Json(List { items, next: None }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    pub admin: bool,
    pub moderator: bool,
}

/// Grants or revokes a member's instance roles (an administrator keeps
/// his own administration).
#[utoipa::path(put, path = "/api/v1/admin/staff/{handle}", tag = "admin", params(("handle" = String, Path)),
    request_body = Roles,
    responses((status = 200, body = StaffView),
        (status = 403, description = "`admins_only`, or `own_administration`: revoking one's own administration", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_roles(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(body): ApiJson<Roles>,
) -> Result<Json<StaffView>, ApiError> {
    Ok(Json(
        state
            .app
            .admin()
            .set_roles(&ctx.viewer, &handle, body.admin, body.moderator)
            .await?,
    ))
}

/// Sign-ups waiting for approval, oldest first, with their answers.
#[utoipa::path(get, path = "/api/v1/admin/signups", tag = "admin", params(PageParams),
    responses((status = 200, body = inline(List<PendingSignup>)),
        (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody),
        (status = 403, description = "`admins_only`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn signups(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<PendingSignup>>, ApiError> {
    let all = state.app.admin().pending(&ctx.viewer).await?;
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupDecision {
    pub approve: bool,
}

/// Approves (the member may sign in) or declines a waiting sign-up.
#[utoipa::path(post, path = "/api/v1/admin/signups/{handle}", tag = "admin", params(("handle" = String, Path)),
    request_body = SignupDecision,
    responses((status = 204),
        (status = 403, description = "`admins_only`", body = ErrorBody),
        (status = 404, description = "no sign-up of this handle is waiting", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decide_signup(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(body): ApiJson<SignupDecision>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .admin()
        .decide_signup(&ctx.viewer, &handle, body.approve)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignupCode {
    pub code: String,
    /// When it was made (listing only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The handle of the member who used it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_by: Option<String>,
}

/// A new invitation code: one sign-up each, when the instance signs up by
/// invitation.
#[utoipa::path(post, path = "/api/v1/admin/codes", tag = "admin",
    responses((status = 201, body = SignupCode),
        (status = 403, description = "`admins_only`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn new_code(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<(StatusCode, Json<SignupCode>), ApiError> {
    let code = state.app.admin().new_code(&ctx.viewer).await?;
    Ok((
        StatusCode::CREATED,
        Json(SignupCode {
            code,
            created_at: None,
            used_by: None,
        }),
    ))
}

/// The last 100 invitation codes, newest first, with who used each.
#[utoipa::path(get, path = "/api/v1/admin/codes", tag = "admin", params(PageParams),
    responses((status = 200, body = inline(List<SignupCode>)),
        (status = 400, description = "invalid_input: `limit` or `cursor`", body = ErrorBody),
        (status = 403, description = "`admins_only`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn codes(
    State(state): State<AppState>,
    ctx: Ctx,
    paging: Paging,
) -> Result<Json<List<SignupCode>>, ApiError> {
    let all = state
        .app
        .admin()
        .codes(&ctx.viewer)
        .await?
        .into_iter()
        .map(|(code, at, used_by)| SignupCode {
            code,
            created_at: at
                .format(&time::format_description::well_known::Rfc3339)
                .ok(),
            used_by,
        })
        .collect();
    Ok(Json(paging.bounded(all, DEFAULT_LIMIT)?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DomainBlocks {
    pub domains: Vec<String>,
}

/// Refuses sign-ups from an e-mail domain (and its subdomains).
#[utoipa::path(put, path = "/api/v1/admin/domain-blocks/{domain}", tag = "admin", params(("domain" = String, Path)),
    responses((status = 200, body = DomainBlocks),
        (status = 403, description = "`admins_only`", body = ErrorBody),
        (status = 422, description = "`domain`: not a domain name", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn block_domain(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(domain): ApiPath<String>,
) -> Result<Json<DomainBlocks>, ApiError> {
    let domains = state
        .app
        .admin()
        .set_domain_block(&ctx.viewer, &domain, true)
        .await?;
    Ok(Json(DomainBlocks { domains }))
}

/// Accepts sign-ups from an e-mail domain again.
#[utoipa::path(delete, path = "/api/v1/admin/domain-blocks/{domain}", tag = "admin", params(("domain" = String, Path)),
    responses((status = 200, body = DomainBlocks),
        (status = 403, description = "`admins_only`", body = ErrorBody),
        (status = 422, description = "`domain`: not a domain name", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unblock_domain(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(domain): ApiPath<String>,
) -> Result<Json<DomainBlocks>, ApiError> {
    let domains = state
        .app
        .admin()
        .set_domain_block(&ctx.viewer, &domain, false)
        .await?;
    Ok(Json(DomainBlocks { domains }))
}
