//! Server-rendered pages, in French and English. Each handler calls the
//! same use cases as the JSON API and renders an askama template.

mod account;
mod admin;
mod connection;
mod feed;
mod introductions;
mod invite;
mod messages;
mod network;
mod posts;
mod profile;
mod search;
mod visits;

use crate::auth::Ctx;
use crate::error::{log_if_internal, status_of};
use crate::i18n::Catalog;
use crate::security;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use entremise_domain::Error;
use entremise_domain::locale::Locale;
use std::collections::HashMap;
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(feed::home))
        .route("/signup", get(account::signup_form).post(account::signup))
        .route("/signin", get(account::signin_form).post(account::signin))
        .route("/signout", post(account::signout))
        .route("/lang", post(account::switch_language))
        .route("/settings/sessions", get(account::sessions))
        .route("/settings/visitors", get(visits::visitors))
        .route(
            "/settings/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route(
            "/pages/new",
            get(admin::new_page_form).post(admin::create_page),
        )
        .route("/network", get(network::show))
        .route(
            "/network/requests/{id}/{action}",
            post(network::answer_request),
        )
        .route("/network/codes", post(network::create_code))
        .route("/network/codes/{code}/revoke", post(network::revoke_code))
        .route(
            "/introductions",
            get(introductions::list).post(introductions::create),
        )
        .route("/introductions/{id}/{action}", post(introductions::act))
        .route("/messages", get(messages::list).post(messages::start))
        .route("/messages/{id}", get(messages::show).post(messages::send))
        .route(
            "/posts",
            // The composer carries up to ten images: its handler bounds
            // the body itself (WebConfig::max_upload_bytes per image).
            post(feed::create).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/posts/{id}", get(posts::show))
        .route("/posts/{id}/history", get(posts::history))
        .route("/posts/{id}/react", post(posts::react))
        .route("/posts/{id}/reshare", post(posts::reshare))
        .route("/posts/{id}/comments", post(posts::comment))
        .route("/posts/{id}/edit", post(posts::edit))
        .route("/posts/{id}/delete", post(posts::delete))
        .route("/search", get(search::show))
        .route("/invite/{code}", get(invite::show))
        .route("/invite/{code}/qr.svg", get(invite::qr))
        .route("/{at}", get(profile::show))
        .route("/{at}/posts", get(feed::profile_posts))
        .route("/{at}/follow", post(feed::follow))
        .route("/{at}/unfollow", post(feed::unfollow))
        .route("/{at}/edit", get(profile::edit_form).post(profile::edit))
        .route("/{at}/positions", post(profile::add_position))
        .route(
            "/{at}/positions/{id}/delete",
            post(profile::delete_position),
        )
        .route("/{at}/contact", post(admin::send_contact_form))
        .route("/{at}/contact-request", post(connection::send_request))
        .route("/{at}/contacts", get(connection::contacts))
        .route("/{at}/remove-contact", post(connection::remove))
        .route("/{at}/block", post(connection::block))
        .route("/{at}/unblock", post(connection::unblock))
        .route("/{at}/manage", get(admin::manage))
        .route("/{at}/stats", get(visits::page_stats))
        .route("/{at}/manage/{action}", post(admin::manage_action))
        .route(
            "/{at}/manage/{action}/{id}",
            post(admin::manage_item_action),
        )
        .fallback(fallback)
}

/// The signed-in member, as the navigation bar shows him.
pub struct Nav {
    pub handle: String,
    pub name: String,
}

/// What every page's frame needs: language, texts, form token, who is signed in.
pub struct Layout {
    pub lang: Locale,
    pub catalog: Arc<Catalog>,
    pub csrf: String,
    pub me: Option<Nav>,
    /// Where the language switcher comes back to.
    pub path: String,
    pub title: String,
}

impl Layout {
    pub fn new(state: &AppState, ctx: &Ctx, title: impl Into<String>) -> Self {
        Self {
            lang: ctx.locale,
            catalog: state.catalog.clone(),
            csrf: ctx.csrf.clone(),
            me: ctx.viewer.signed_in.as_ref().map(|s| Nav {
                handle: s.handle.to_string(),
                name: s.name.clone(),
            }),
            path: ctx.path.clone(),
            title: title.into(),
        }
    }

    /// The text for `key` in the page's language.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.catalog.get(self.lang, key)
    }

    /// The other language, for the switcher.
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Locale::En => "fr",
            Locale::Fr => "en",
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    heading: String,
    message: String,
}

/// An error shown as a page in the viewer's language.
pub struct PageError {
    err: Error,
    layout: Layout,
}

impl PageError {
    pub fn new(state: &AppState, ctx: &Ctx, err: Error) -> Self {
        Self {
            err,
            layout: Layout::new(state, ctx, ""),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_if_internal(&self.err);
        let status = status_of(&self.err);
        if matches!(self.err, Error::Unauthenticated) {
            let next = urlencode(&self.layout.path);
            return Redirect::to(&format!("/signin?next={next}")).into_response();
        }
        let mut l = self.layout;
        let key = match &self.err {
            Error::NotFound => "error_not_found",
            Error::Forbidden(_) => "error_forbidden",
            Error::RateLimited { .. } => "error_rate_limited",
            Error::Invalid(_) | Error::Conflict { .. } => "error_invalid",
            _ => "error_internal",
        };
        let heading = l.t(key).to_owned();
        let message = match &self.err {
            Error::Internal(_) | Error::NotFound => String::new(),
            other => other.public_message(),
        };
        l.title = heading.clone();
        let page = ErrorPage {
            l,
            status: status.as_u16(),
            heading,
            message,
        };
        let mut response = (status, render(&page)).into_response();
        if let Error::RateLimited { retry_after_secs } = self.err {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
        }
        response
    }
}

/// Renders a template to an HTML response; a template error is a 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
                .into_response()
        }
    }
}

/// A submitted form, its token checked against the cookie's.
pub struct FormData(pub HashMap<String, String>);

impl FormData {
    pub fn parse(body: &Bytes, ctx: &Ctx) -> Result<Self, FormRejected> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).map_err(|_| FormRejected::Malformed)?;
        let map: HashMap<String, String> = pairs.into_iter().collect();
        let submitted = map.get("csrf").map_or("", String::as_str);
        if !security::form_token_ok(submitted, &ctx.csrf) {
            return Err(FormRejected::BadToken);
        }
        Ok(Self(map))
    }

    pub fn get(&self, key: &str) -> &str {
        self.0.get(key).map_or("", String::as_str)
    }
}

/// Why a submitted form was not even read.
#[derive(Debug)]
pub enum FormRejected {
    Malformed,
    BadToken,
}

impl IntoResponse for FormRejected {
    fn into_response(self) -> Response {
        match self {
            Self::Malformed => (StatusCode::BAD_REQUEST, "Malformed form.").into_response(),
            Self::BadToken => security::bad_form_token(),
        }
    }
}

/// A form posted to a `/@handle/…` path: its fields, token checked, and the
/// handle. The error is the response to send (boxed: responses are large).
pub fn profile_form(
    state: &AppState,
    ctx: &Ctx,
    at: &str,
    body: &Bytes,
) -> Result<(FormData, String), Box<Response>> {
    let form = FormData::parse(body, ctx).map_err(|r| Box::new(r.into_response()))?;
    let handle =
        at_handle(at).map_err(|e| Box::new(PageError::new(state, ctx, e).into_response()))?;
    Ok((form, handle.to_owned()))
}

/// Strips the `@` of a `/@handle` path segment; anything else is not a profile.
pub fn at_handle(segment: &str) -> Result<&str, Error> {
    segment.strip_prefix('@').ok_or(Error::NotFound)
}

/// A local path to come back to, never another site.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A 303 back to a page after a form.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Unknown paths: JSON under `/api`, a page elsewhere.
async fn fallback(state: axum::extract::State<AppState>, ctx: Ctx) -> Response {
    if ctx.path.starts_with("/api/") {
        return crate::error::ApiError::Domain(Error::NotFound).into_response();
    }
    PageError::new(&state, &ctx, Error::NotFound).into_response()
}
