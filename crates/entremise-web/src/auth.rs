//! Who is asking, in which language: the request context every handler gets.

use crate::client;
use crate::error::ApiError;
use crate::limits;
use crate::pages::{Badges, ErrorFrame};
use crate::security::CsrfToken;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum_extra::extract::CookieJar;
use entremise_domain::Error;
use entremise_domain::locale::Locale;
use entremise_domain::service::Viewer;
use std::net::SocketAddr;

/// The bearer token of a request, if it presents one. A request that has
/// one is authenticated by it alone, never by its cookie; this is the only
/// kind of request [`crate::security::same_origin_writes`] lets through
/// from another site.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The context of one request.
pub struct Ctx {
    pub viewer: Viewer,
    pub locale: Locale,
    /// The form token to embed in this page's forms.
    pub csrf: String,
    /// The client's address, for rate limits: the socket peer or, behind a
    /// trusted proxy, the address it forwards for; an IPv6 client by its /64.
    pub ip: String,
    pub user_agent: String,
    /// The path and query, to come back to after a language switch.
    pub path: String,
    /// The header's counts: read on page routes for a signed-in member,
    /// all 0 otherwise (the JSON API has no header).
    pub badges: Badges,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let viewer = match bearer_token(&parts.headers) {
            Some(token) => {
                let viewer = state.app.accounts().authenticate(token).await?;
                if viewer.signed_in.is_none() {
                    // A client that presents a token expects it to work.
                    return Err(Error::Unauthenticated.into());
                }
                viewer
            }
            None => match jar.get(state.cookies.session) {
                Some(c) => state.app.accounts().authenticate(c.value()).await?,
                None => Viewer::anonymous(),
            },
        };
        let locale = viewer
            .signed_in
            .as_ref()
            .map(|s| s.locale)
            .or_else(|| {
                jar.get(state.cookies.lang)
                    .and_then(|c| Locale::parse(c.value()))
            })
            .or_else(|| {
                parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Locale::from_accept_language)
            })
            .unwrap_or_default();
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(
                || "local".to_owned(),
                |c| {
                    let client =
                        client::client_ip(c.0.ip(), &parts.headers, &state.config.trusted_proxies);
                    client::rate_key(client)
                },
            );
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        let mut ctx = Self {
            viewer,
            locale,
            csrf,
            ip,
            user_agent,
            path,
            badges: Badges::default(),
        };
        let frame = parts.extensions.get::<ErrorFrame>();
        // Before any body is read or any work done.
        let route = parts.extensions.get::<MatchedPath>();
        if let Some(action) = route.and_then(|r| limits::action_of(&parts.method, r.as_str())) {
            let now = state.app.clock().now();
            if let Err(e) = state.limits.take(action, &ctx.viewer, &ctx.ip, now) {
                return Err(match frame {
                    Some(frame) => {
                        // The error page is drawn in this frame, badges unread.
                        frame.fill(state, &ctx);
                        ApiError::OnPage(e)
                    }
                    None => e.into(),
                });
            }
        }
        // On a page route: the header's counts, and the frame an error
        // page will be drawn in.
        if let Some(frame) = frame {
            ctx.badges = badges(state, &ctx.viewer).await;
            frame.fill(state, &ctx);
        }
        Ok(ctx)
    }
}

/// The header's counts for `viewer`. A count that cannot be read is
/// logged and shown as none: the page itself does not fail for it.
async fn badges(state: &AppState, viewer: &Viewer) -> Badges {
    if viewer.signed_in.is_none() {
        return Badges::default();
    }
    let messages = state
        .app
        .conversations()
        .unread_messages(viewer)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unread messages of the header not read");
            0
        });
    let notifications = state
        .app
        .notifications()
        .unread(viewer)
        .await
        .map(|u| u.unread)
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unread notifications of the header not read");
            0
        });
    let inbox = state
        .app
        .inbox()
        .counts(viewer)
        .await
        .map(|c| c.open)
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "open items of the header not read");
            0
        });
    Badges {
        messages,
        notifications,
        inbox,
    }
}
