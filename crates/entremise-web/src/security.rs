//! Security headers on every response (HSTS when the site is https,
//! `no-store` on what a member is answered), and the defences against
//! cross-site request forgery: writes must come from this site (Origin /
//! Sec-Fetch-Site), and every form carries a token equal to its cookie.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine as _;

/// The form token of the current request (from its cookie, or new).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";
/// The API browser (Swagger UI) sets inline styles on its elements.
const CSP_DOCS: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                        script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Whether a request carries a member's credentials: a bearer token or a
/// session cookie.
fn credentialed(headers: &HeaderMap, state: &AppState) -> bool {
    crate::auth::bearer_token(headers).is_some()
        || CookieJar::from_headers(headers)
            .get(state.cookies.session)
            .is_some()
}

/// Whether a response hands out a session cookie (signing in).
fn sets_session(response: &Response, state: &AppState) -> bool {
    let prefix = format!("{}=", state.cookies.session);
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(prefix.as_bytes()))
}

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let docs = request.uri().path().starts_with("/api/docs");
    let private = credentialed(request.headers(), &state);
    let mut response = next.run(request).await;
    // What is answered to a member is theirs alone: no cache keeps it,
    // unless the handler said how its answer may be cached (media, assets).
    let private = private || sets_session(&response, &state);
    let h = response.headers_mut();
    if private && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.cookies.secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    let csp = if docs { CSP_DOCS } else { CSP };
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}

fn new_token() -> String {
    let mut raw = [0u8; 18];
    // A failing OS random source is not survivable for a web server.
    getrandom::fill(&mut raw).expect("operating system random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// Whether a request may need a form token: pages do; the API (whose
/// cookie-authenticated writes are guarded by [`same_origin_writes`]),
/// images, static files and the metrics do not.
fn wants_form_token(path: &str) -> bool {
    path != crate::metrics::PATH
        && !["/api/", "/media/", "/assets/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

/// Gives every browser a form token cookie (double-submit pattern), on the
/// pages that hold forms.
pub async fn csrf_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if !wants_form_token(request.uri().path()) {
        return next.run(request).await;
    }
    let jar = CookieJar::from_headers(request.headers());
    let existing = jar
        .get(state.cookies.csrf)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 16);
    let token = existing.clone().unwrap_or_else(new_token);
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if existing.is_none() {
        let cookie = Cookie::build((state.cookies.csrf, token))
            .path("/")
            .http_only(true)
            .secure(state.cookies.secure)
            .same_site(SameSite::Lax)
            .build();
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// Whether the request's Origin is this site: the configured public URL,
/// or the host the browser addressed.
fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Neither header: not a browser made to cross sites (curl, tests).
        return true;
    };
    let public = state.config.public_url.origin().ascii_serialization();
    if origin == public {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    host.is_some_and(|host| {
        origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            == Some(host)
    })
}

/// Refuses writes made by another site with the browser's cookies.
/// Bearer-authenticated API calls carry no ambient credentials and pass.
pub async fn same_origin_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // Only a bearer token, which the session cookie then does not
    // override, is no ambient credential; any other Authorization header
    // leaves the request signed in by its cookie.
    let bearer = crate::auth::bearer_token(request.headers()).is_some();
    // An unsubscribe link's token (in its path) is its only credential,
    // which another site cannot know; mail clients post to it from
    // anywhere (RFC 8058 one-click).
    let unsubscribe = request.uri().path().starts_with("/unsubscribe/");
    if !safe && !bearer && !unsubscribe && !same_origin(request.headers(), &state) {
        let err = entremise_domain::Error::Forbidden(entremise_domain::error::Forbidden::CrossSite);
        return crate::error::ApiError::from(err).into_response();
    }
    next.run(request).await
}

/// Whether the request brings the form token cookie that `expected` was
/// read from: without it (a new token was just made), no submitted token
/// can match.
pub fn has_form_cookie(headers: &HeaderMap, state: &AppState, expected: &str) -> bool {
    !expected.is_empty()
        && CookieJar::from_headers(headers)
            .get(state.cookies.csrf)
            .is_some_and(|c| c.value() == expected)
}

/// Checks a submitted form token against the cookie's.
pub fn form_token_ok(submitted: &str, expected: &str) -> bool {
    same_secret(submitted, expected)
}

/// Whether `presented` is the secret `expected` (never an empty one),
/// compared in constant time.
pub fn same_secret(presented: &str, expected: &str) -> bool {
    !expected.is_empty()
        && presented.len() == expected.len()
        && presented
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// 403 for a form whose token does not match.
pub fn bad_form_token() -> Response {
    (
        StatusCode::FORBIDDEN,
        "This form has expired; go back, reload the page and try again.",
    )
        .into_response()
}
