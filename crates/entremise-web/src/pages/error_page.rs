//! Errors as pages. A page handler returns `Result<_, PageError>` and uses
//! `?` on domain results; the error answers bare, and [`error_pages`], a
//! layer over every page route, draws its page in the frame of the request
//! (language, navigation, form token) that the request's [`Ctx`] left in
//! an [`ErrorFrame`].

use super::forms::{FormRejected, urlencode};
use super::layout::{Layout, render};
use crate::auth::Ctx;
use crate::error::{log_if_internal, status_of};
use crate::state::AppState;
use askama::Template;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use entremise_domain::Error;
use std::sync::{Arc, OnceLock};

/// Why a page handler did not answer with its page.
#[derive(Debug)]
pub enum PageError {
    /// Shown as the error page, or for a visitor who must sign in first,
    /// a redirect to the sign-in form.
    Domain(Error),
    /// A form not even read: answered as it is, in plain text.
    Form(FormRejected),
}

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        Self::Domain(e)
    }
}

impl From<FormRejected> for PageError {
    fn from(r: FormRejected) -> Self {
        Self::Form(r)
    }
}

/// The domain error of a bare [`PageError`] answer, for [`error_pages`].
#[derive(Clone)]
struct Failed(Arc<Error>);

impl IntoResponse for PageError {
    /// A bare answer (the status and the public message) carrying the
    /// error; [`error_pages`] replaces it with the page. The internal cause
    /// is logged here, once.
    fn into_response(self) -> Response {
        match self {
            Self::Form(r) => r.into_response(),
            Self::Domain(err) => {
                log_if_internal(&err);
                let mut response = (status_of(&err), err.public_message()).into_response();
                response.extensions_mut().insert(Failed(Arc::new(err)));
                response
            }
        }
    }
}

/// The frame of a request's error page: put in the request by
/// [`error_pages`], filled by the [`Ctx`] extractor once it knows who asks
/// and in which language.
#[derive(Clone, Default)]
pub struct ErrorFrame(Arc<OnceLock<Layout>>);

impl ErrorFrame {
    pub fn fill(&self, state: &AppState, ctx: &Ctx) {
        self.0.get_or_init(|| Layout::new(state, ctx, ""));
    }
}

/// Middleware of the page routes: a handler's [`PageError`] becomes its
/// page, in the frame of the request.
pub async fn error_pages(mut request: Request, next: Next) -> Response {
    let frame = ErrorFrame::default();
    request.extensions_mut().insert(frame.clone());
    let mut response = next.run(request).await;
    let Some(Failed(err)) = response.extensions_mut().remove::<Failed>() else {
        return response;
    };
    match frame.0.get() {
        Some(l) => error_page(&err, l.clone()),
        None => {
            // Only a handler that never reads the request's `Ctx` gets here.
            tracing::warn!(
                code = err.code(),
                "an error page without the request's context"
            );
            response
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

/// The page for `err` in the viewer's language; the sign-in form, coming
/// back here, for a visitor who must sign in.
fn error_page(err: &Error, mut l: Layout) -> Response {
    if matches!(err, Error::Unauthenticated) {
        let next = urlencode(&l.path);
        return Redirect::to(&format!("/signin?next={next}")).into_response();
    }
    let status = status_of(err);
    let key = match err {
        Error::NotFound => "error_not_found",
        Error::Forbidden(_) => "error_forbidden",
        Error::RateLimited { .. } => "error_rate_limited",
        Error::Busy { .. } => "error_busy",
        Error::StorageFull(_) => "error_storage_full",
        Error::Invalid(_) | Error::Conflict { .. } => "error_invalid",
        _ => "error_internal",
    };
    let heading = l.t(key).to_owned();
    let message = match err {
        Error::Internal(_) | Error::NotFound => String::new(),
        // In the page's language, with the wait in words.
        Error::RateLimited { .. } | Error::Busy { .. } | Error::StorageFull(_) => {
            let secs = err.retry_after_secs().unwrap_or(60);
            l.count("error_retry_in", secs)
        }
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
    if let Some(retry_after_secs) = err.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after_secs.into());
    }
    response
}
