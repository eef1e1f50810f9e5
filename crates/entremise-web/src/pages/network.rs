//! `/network`: contact requests both ways, invitation codes, people you may
//! know, the health of the network, blocks.

use super::{FormData, Layout, PageError, render, see_other};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use entremise_domain::Error;
use entremise_domain::contact::{InvitationCode, RequestStatus};
use entremise_domain::profile::ProfileRef;
use entremise_domain::service::{NetworkHealth, Suggestion};

/// How many people the page suggests.
const SUGGESTIONS: usize = 10;

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage {
    l: Layout,
    health: NetworkHealth,
    /// Active codes with their absolute link.
    codes: Vec<(InvitationCode, String)>,
    suggestions: Vec<Suggestion>,
    blocks: Vec<ProfileRef>,
}

impl NetworkPage {
    /// "1 contact", "12 contacts", by the language's plural rules.
    fn contact_count(&self) -> String {
        let n = u64::try_from(self.health.contacts).unwrap_or(u64::MAX);
        self.l.count("health_contacts", n)
    }
}

/// The absolute link of an invitation code, as printed or encoded in a QR code.
pub fn invitation_link(state: &AppState, code: &str) -> String {
    let base = state.config.public_url.as_str().trim_end_matches('/');
    format!("{base}/invite/{}", super::urlencode(code))
}

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let app = &state.app;
    let v = &ctx.viewer;
    let health = app.contacts().network_health(v).await?;
    let codes = app
        .contacts()
        .invitation_codes(v)
        .await?
        .into_iter()
        .filter(|c| c.revoked_at.is_none())
        .map(|c| {
            let link = invitation_link(&state, &c.code);
            (c, link)
        })
        .collect();
    let suggestions = app.contacts().people_you_may_know(v, SUGGESTIONS).await?;
    let blocks = app.contacts().blocks(v).await?;
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "network_title"));
    Ok(render(&NetworkPage {
        l,
        health,
        codes,
        suggestions,
        blocks,
    }))
}

/// `POST /network/requests/{id}/{accept|decline|withdraw}`.
pub async fn answer_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    FormData::parse(&body, &ctx)?;
    let status = match action.as_str() {
        "accept" => Some(RequestStatus::Accepted),
        "decline" => Some(RequestStatus::Declined),
        "withdraw" => Some(RequestStatus::Withdrawn),
        _ => None,
    };
    let (Ok(id), Some(status)) = (id.parse::<i64>(), status) else {
        return Err(Error::NotFound.into());
    };
    state
        .app
        .contacts()
        .answer_contact_request(&ctx.viewer, id, status)
        .await?;
    Ok(see_other("/network#requests"))
}

/// `POST /network/codes`: a new invitation code.
pub async fn create_code(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    FormData::parse(&body, &ctx)?;
    state
        .app
        .contacts()
        .create_invitation_code(&ctx.viewer)
        .await?;
    Ok(see_other("/network#codes"))
}

/// `POST /network/codes/{code}/revoke`.
pub async fn revoke_code(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    FormData::parse(&body, &ctx)?;
    state
        .app
        .contacts()
        .revoke_invitation_code(&ctx.viewer, &code)
        .await?;
    Ok(see_other("/network#codes"))
}
