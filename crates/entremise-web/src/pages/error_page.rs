//! Errors as pages: a domain error shown in the viewer's language.

use super::forms::urlencode;
use super::layout::{Layout, render};
use crate::auth::Ctx;
use crate::error::{log_if_internal, status_of};
use crate::state::AppState;
use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use entremise_domain::Error;

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
