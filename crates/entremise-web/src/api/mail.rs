//! A member's e-mail preferences.

use super::ApiJson;
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use entremise_domain::mail::{EmailPreferences, EmailPreferencesInput};

/// The member's e-mail preferences: whether he consents to e-mails (off
/// until he turns it on) and how often he gets the digest of his
/// notifications (`off` without consent). Every mail carries a link that
/// withdraws the consent without signing in.
#[utoipa::path(get, path = "/api/v1/me/email-preferences", tag = "accounts",
    responses((status = 200, body = EmailPreferences), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_preferences(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<EmailPreferences>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(state.app.mail().preferences(&ctx.viewer).await?))
}

/// Sets the member's e-mail preferences. A digest needs consent: `digest`
/// is `off` when `consent` is false. A digest turned on reports what
/// happens from now on, the first one a day or a week later.
#[utoipa::path(put, path = "/api/v1/me/email-preferences", tag = "accounts",
    request_body = EmailPreferencesInput,
    responses((status = 200, body = EmailPreferences), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_preferences(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<EmailPreferencesInput>,
) -> Result<Json<EmailPreferences>, ApiError> {
    ctx.viewer.require()?;
    Ok(Json(
        state.app.mail().set_preferences(&ctx.viewer, input).await?,
    ))
}
