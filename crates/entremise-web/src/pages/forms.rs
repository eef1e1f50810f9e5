//! Submitted forms: reading them (the form token checked), the `/@handle`
//! they are posted to, and where they lead back.

use super::PageError;
use crate::auth::Ctx;
use crate::security;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use entremise_domain::Error;
use std::collections::HashMap;

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

/// Why a submitted form was not even read. Answered as plain text, not as
/// an error page.
#[derive(Debug)]
pub enum FormRejected {
    Malformed,
    BadToken,
    /// A body over the limits.
    TooLarge,
    /// Too many large bodies are being read at once.
    Busy,
    /// A multipart body that could not be read, as the extractor said.
    Unreadable {
        status: StatusCode,
        reason: String,
    },
}

impl IntoResponse for FormRejected {
    fn into_response(self) -> Response {
        match self {
            Self::Malformed => (StatusCode::BAD_REQUEST, "Malformed form.").into_response(),
            Self::BadToken => security::bad_form_token(),
            Self::TooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "This form is too large.").into_response()
            }
            Self::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                [(axum::http::header::RETRY_AFTER, "5")],
                "The server is busy; try again in a moment.",
            )
                .into_response(),
            Self::Unreadable { status, reason } => (status, reason).into_response(),
        }
    }
}

/// A form posted to a `/@handle/…` path: its fields, token checked, and the
/// handle.
pub fn profile_form(ctx: &Ctx, at: &str, body: &Bytes) -> Result<(FormData, String), PageError> {
    let form = FormData::parse(body, ctx)?;
    let handle = at_handle(at)?;
    Ok((form, handle.to_owned()))
}

/// Strips the `@` of a `/@handle` path segment; anything else is not a profile.
pub fn at_handle(segment: &str) -> Result<&str, Error> {
    segment.strip_prefix('@').ok_or(Error::NotFound)
}

/// A local path to come back to, never another site.
///
/// Only a path of this site passes: one leading `/`, no control character
/// or backslash anywhere (browsers drop tabs and newlines and read `\\` as
/// `/`, which would turn `/\t/evil.example` into `//evil.example`).
pub fn safe_next(next: &str) -> String {
    let clean = next.starts_with('/')
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && !next
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect::<String>()
            .starts_with("//");
    if clean {
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

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_same_origin_path_or_home() {
        let cases = [
            ("/", "/"),
            ("/settings", "/settings"),
            ("/p/ada?tab=posts#top", "/p/ada?tab=posts#top"),
            ("", "/"),
            ("settings", "/"),
            ("https://evil.example/", "/"),
            ("//evil.example", "/"),
            ("/\\evil.example", "/"),
            ("/\t/evil.example", "/"),
            ("/\n/evil.example", "/"),
            ("/\r/evil.example", "/"),
            ("\t//evil.example", "/"),
            ("/\r\n/evil.example", "/"),
            ("/a\\b", "/"),
            ("/a\u{0}b", "/"),
            ("/a\u{7f}b", "/"),
            ("/a\u{85}b", "/"),
            (" /x", "/"),
        ];
        for (input, want) in cases {
            assert_eq!(safe_next(input), want, "safe_next({input:?})");
        }
    }
}
