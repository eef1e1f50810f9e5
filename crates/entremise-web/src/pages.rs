//! Server-rendered pages, in French and English. Each handler calls the
//! same use cases as the JSON API and renders an askama template; a failed
//! use case is answered with `?`, and the error page is drawn by a layer
//! (`error_page`).

mod account;
mod admin;
mod connection;
mod email;
mod error_page;
mod feed;
mod forms;
mod groups;
mod inbox;
mod instance;
mod introductions;
mod invite;
mod layout;
mod messages;
mod moderation;
mod network;
mod notifications;
mod posts;
mod profile;
mod search;
mod visits;

pub use error_page::{ErrorFrame, PageError};
pub use forms::{FormData, FormRejected, at_handle, profile_form, safe_next, see_other, urlencode};
pub use layout::{Badges, Layout, render};
pub use notifications::sentence as notification_sentence;

use crate::auth::Ctx;
use crate::state::AppState;
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use entremise_domain::Error;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(feed::home))
        .route("/signup", get(account::signup_form).post(account::signup))
        .route("/signin", get(account::signin_form).post(account::signin))
        .route("/signout", post(account::signout))
        .route("/lang", post(account::switch_language))
        .route("/settings/sessions", get(account::sessions))
        .route("/settings/visitors", get(visits::visitors))
        .route("/settings/email", post(email::save))
        .route(
            "/unsubscribe/{token}",
            get(email::confirm).post(email::unsubscribe),
        )
        .route(
            "/settings/notifications",
            get(notifications::settings).post(notifications::save_settings),
        )
        .route("/notifications", get(notifications::list))
        .route("/notifications/read", post(notifications::mark_read))
        .route(
            "/settings/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route(
            "/pages/new",
            get(admin::new_page_form).post(admin::create_page),
        )
        .route("/groups", get(groups::index).post(groups::create))
        .route("/groups/{handle}", get(groups::show))
        .route("/groups/{handle}/members", get(groups::members))
        .route("/groups/{handle}/directory", get(groups::directory))
        .route(
            "/groups/{handle}/cover",
            // An image: its handler bounds the body like the composer's.
            post(groups::cover).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/groups/{handle}/{action}", post(groups::act))
        .route(
            "/groups/{handle}/members/{member}/{act}",
            post(groups::member_act),
        )
        .route("/groups/{handle}/pins/{post}/{action}", post(groups::pin))
        .route("/inbox", get(inbox::list))
        .route("/inbox/{id}", get(inbox::show))
        .route("/inbox/{id}/{action}", post(inbox::act))
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
        .route("/posts/{id}/replies", post(posts::set_replies))
        .route("/posts/{id}/delete", post(posts::delete))
        .route(
            "/settings/mutes",
            get(moderation::mutes).post(moderation::save_words),
        )
        .route(
            "/report",
            get(moderation::report_form).post(moderation::report),
        )
        .route("/reports", get(moderation::my_reports))
        .route("/comments/{id}/{action}", post(moderation::comment_act))
        .route("/moderation", get(moderation::queue))
        .route("/moderation/log", get(moderation::log))
        .route(
            "/moderation/reports/{id}/decision",
            post(moderation::decide),
        )
        .route("/moderation/decisions/{id}", get(moderation::decision))
        .route(
            "/moderation/held/{id}/publish",
            post(moderation::publish_held),
        )
        .route("/admin", get(instance::show))
        .route("/admin/{what}", post(instance::act))
        .route("/about/{which}", get(instance::about))
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
        .route("/{at}/mute", post(moderation::mute))
        .route("/{at}/unmute", post(moderation::unmute))
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
        .layer(axum::middleware::from_fn(error_page::error_pages))
}

/// Unknown paths: JSON under `/api`, a page elsewhere.
async fn fallback(ctx: Ctx) -> Result<Response, PageError> {
    if ctx.path.starts_with("/api/") {
        return Ok(crate::error::ApiError::Domain(Error::NotFound).into_response());
    }
    Err(Error::NotFound.into())
}
