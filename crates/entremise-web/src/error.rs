//! Domain errors to HTTP, once: status, `{"error","message"}`, and the
//! internal cause logged, never shown.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use serde::Serialize;

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable code: `invalid_input`, `unauthenticated`, `not_found`, `conflict`, `rate_limited`, `busy`…
    pub error: String,
    pub message: String,
    /// Per-field problems of an `invalid_input`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub reason: String,
    pub message: String,
}

/// The status for a domain error.
pub fn status_of(err: &Error) -> StatusCode {
    match err {
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Unauthenticated | Error::BadCredentials => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) | Error::Suspended { .. } => StatusCode::FORBIDDEN,
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict { .. } => StatusCode::CONFLICT,
        Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Busy { .. } | Error::StorageFull(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Logs the cause of an internal error (the only place that does).
pub fn log_if_internal(err: &Error) {
    match err {
        Error::Internal(cause) => tracing::error!(%cause, "internal error"),
        Error::StorageFull(cause) => {
            tracing::error!(%cause, "storage full: a write was refused, free some space")
        }
        _ => {}
    }
}

/// An error answered as JSON.
#[derive(Debug)]
pub enum ApiError {
    Domain(Error),
    /// Invalid query-string parameters of a read: 400 rather than 422, with
    /// the same per-field problems.
    BadQuery(Error),
    /// A request the HTTP layer itself refused (bad JSON, bad path…).
    Http {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// An error of a page route before its handler ran (a rate limit):
    /// answered as the page handler's own errors are, with the error page.
    OnPage(Error),
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self::Domain(e)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let status = r.status();
        let (status, code) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => (status, "payload_too_large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (status, "unsupported_media_type"),
            StatusCode::UNPROCESSABLE_ENTITY => (status, "invalid_input"),
            _ => (StatusCode::BAD_REQUEST, "invalid_input"),
        };
        // The rejection's own text names Rust types: never shown.
        let message = match code {
            "payload_too_large" => "The body is too large.",
            "unsupported_media_type" => {
                "Send the body as JSON, with Content-Type: application/json."
            }
            _ => "The body is not valid JSON of the expected shape.",
        };
        Self::Http {
            status,
            code,
            message: message.into(),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        Self::Domain(Error::NotFound)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(_: QueryRejection) -> Self {
        // The rejection's own text names Rust types: never shown.
        Self::Http {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_input",
            message: "The query string is not valid.".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (err, status) = match self {
            Self::OnPage(err) => return crate::pages::PageError::Domain(err).into_response(),
            Self::BadQuery(err) => {
                let status = match err {
                    Error::Invalid(_) => StatusCode::BAD_REQUEST,
                    ref other => status_of(other),
                };
                (err, status)
            }
            Self::Domain(err) => {
                let status = status_of(&err);
                (err, status)
            }
            Self::Http {
                status,
                code,
                message,
            } => {
                return (
                    status,
                    Json(ErrorBody {
                        error: code.to_owned(),
                        message,
                        fields: Vec::new(),
                    }),
                )
                    .into_response();
            }
        };
        log_if_internal(&err);
        let fields = match &err {
            Error::Invalid(fields) => fields
                .iter()
                .map(|f| FieldProblem {
                    field: f.field.clone(),
                    reason: f.reason.to_owned(),
                    message: f.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: err.code().to_owned(),
            message: err.public_message(),
            fields,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(retry_after_secs) = err.retry_after_secs() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// A handler panicked: a generic 500, the server goes on. The panic itself
/// is logged once by the process's panic hook.
pub fn panic_response(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(ErrorBody {
            error: "internal".into(),
            message: "Something went wrong on our side.".into(),
            fields: Vec::new(),
        }),
    )
        .into_response()
}
