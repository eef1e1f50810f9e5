//! `/invite/{code}`: the page behind an invitation link or QR code, and the
//! QR code itself.

use super::network::invitation_link;
use super::{Layout, PageError, render, urlencode};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::profile::ProfileRef;

#[derive(Template)]
#[template(path = "invite.html")]
struct Invite {
    l: Layout,
    code: String,
    owner: ProfileRef,
    lead: String,
    own: bool,
    signed_in: bool,
    /// Where sign-in comes back to.
    next: String,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let owner = state
        .app
        .contacts()
        .invitation_owner(&ctx.viewer, &code)
        .await?;
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "invite_title"));
    let me = ctx.viewer.signed_in.as_ref().map(|s| s.handle.to_string());
    Ok(render(&Invite {
        lead: l.t("invite_lead").replace("{name}", &owner.name),
        own: me.as_deref() == Some(owner.handle.as_str()),
        signed_in: me.is_some(),
        next: urlencode(&format!("/invite/{}", urlencode(&code))),
        code,
        owner,
        l,
    }))
}

/// `GET /invite/{code}/qr.svg`: the absolute invitation link as a QR code.
pub async fn qr(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    state
        .app
        .contacts()
        .invitation_owner(&ctx.viewer, &code)
        .await?;
    let qr = qrcode::QrCode::new(invitation_link(&state, &code))
        .map_err(|e| Error::internal(format!("QR code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        svg,
    )
        .into_response())
}
