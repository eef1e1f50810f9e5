//! E-mail preferences (a section of the member's settings, on his profile
//! edit page) and the unsubscribe link that works without signing in.

use super::profile::Opt;
use super::{FormData, Layout, PageError, render, see_other};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::mail::{DigestFrequency, EmailPreferences, EmailPreferencesInput};
use entremise_domain::service::{UnsubscribeCheck, UnsubscribeTarget};

/// The e-mail section of the settings: the consent box and the digest's
/// frequency.
pub struct EmailSection {
    pub consent: bool,
    pub digests: Vec<Opt>,
    /// Just saved (the page came back from the form).
    pub saved: bool,
}

/// The section for `preferences`.
pub fn section(l: &Layout, preferences: EmailPreferences, saved: bool) -> EmailSection {
    EmailSection {
        consent: preferences.consent,
        digests: DigestFrequency::ALL
            .into_iter()
            .map(|f| Opt {
                value: f.as_str(),
                label: l.t(&format!("email_digest_{}", f.as_str())).to_owned(),
                selected: f == preferences.digest,
            })
            .collect(),
        saved,
    }
}

/// Saves the section's form. Without the consent box, the digest is off
/// (the form says so next to it).
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let me = ctx.viewer.require()?;
    let consent = form.get("consent") == "yes";
    let digest = if consent {
        DigestFrequency::parse(form.get("digest"))
            .ok_or_else(|| Error::invalid("digest", "invalid", "Choose off, daily or weekly."))?
    } else {
        DigestFrequency::Off
    };
    state
        .app
        .mail()
        .set_preferences(&ctx.viewer, EmailPreferencesInput { consent, digest })
        .await?;
    Ok(see_other(&format!(
        "/@{}/edit?email=saved#email",
        me.handle
    )))
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct Unsubscribe {
    l: Layout,
    /// `confirm`, `already`, `done`, `invalid` or `expired`.
    state: &'static str,
    masked_email: String,
}

fn unsubscribe_page(
    state: &AppState,
    ctx: &Ctx,
    check: UnsubscribeCheck,
    confirmed: bool,
) -> Response {
    let l = Layout::new(
        state,
        ctx,
        state.catalog.get(ctx.locale, "unsubscribe_title"),
    );
    let (status, page_state, masked_email) = match check {
        UnsubscribeCheck::Valid(UnsubscribeTarget {
            masked_email,
            subscribed,
        }) => {
            let page_state = match (confirmed, subscribed) {
                (true, _) => "done",
                (false, true) => "confirm",
                (false, false) => "already",
            };
            (StatusCode::OK, page_state, masked_email)
        }
        UnsubscribeCheck::Invalid => (StatusCode::NOT_FOUND, "invalid", String::new()),
        UnsubscribeCheck::Expired => (StatusCode::GONE, "expired", String::new()),
    };
    let page = Unsubscribe {
        l,
        state: page_state,
        masked_email,
    };
    (status, render(&page)).into_response()
}

/// `GET /unsubscribe/{token}`: what the link would do, and a button to do
/// it. Changes nothing (a link scanner opening it unsubscribes nobody).
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let check = state.app.mail().check_unsubscribe(&token).await?;
    Ok(unsubscribe_page(&state, &ctx, check, false))
}

/// `POST /unsubscribe/{token}`: withdraws the consent to e-mails, without
/// signing in. Also the one-click unsubscribe of RFC 8058 (a mail client
/// posts `List-Unsubscribe=One-Click`): the token in the path is the only
/// credential, so the body is not read and no form token is asked.
pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let check = state.app.mail().unsubscribe(&token).await?;
    Ok(unsubscribe_page(&state, &ctx, check, true))
}
