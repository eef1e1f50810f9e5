//! The JSON API under `/api/v1` (API.md). Each handler is a thin
//! translation to a use case of the domain.

pub mod accounts;
pub mod admin;
pub mod contacts;
pub mod conversations;
pub mod groups;
pub mod inbox;
pub mod introductions;
pub mod mail;
pub mod moderation;
pub mod notifications;
pub mod pages;
pub mod posts;
pub mod profiles;
pub mod search;
pub mod stream;
pub mod visits;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{delete, get, post, put};
use base64::Engine as _;
use entremise_domain::Error;
use entremise_domain::paging::{MAX_PAGE, Page, bad_cursor};
use serde::Serialize;

/// JSON body extractor whose rejections answer in the API's error format:
/// a body that is not JSON is a 400 naming the line and column; JSON of the
/// wrong shape (not an object, a field of the wrong type, an unknown or a
/// missing field) is a 422 `invalid_input` naming the field; another content
/// type is a 415. The decoder's own words (which name Rust types) never
/// reach the client.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::Http {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "unsupported_media_type",
                message: "Send the body as JSON, with Content-Type: application/json.".into(),
            });
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| match r.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::Http {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    code: "payload_too_large",
                    message: "The body is too large.".into(),
                },
                _ => ApiError::Http {
                    status: StatusCode::BAD_REQUEST,
                    code: "invalid_input",
                    message: "The body could not be read.".into(),
                },
            })?;
        decode_json(&bytes).map(ApiJson)
    }
}

/// Path parameters whose rejection (a segment that does not decode to
/// UTF-8 text) is answered like a missing resource, in the API's format,
/// never in the router's own words.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// Query parameters whose rejection (a repeated parameter, a value that is
/// not text) is a 400 `invalid_input` in the API's format, never the
/// decoder's own words.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// A multipart body; any other content type is a 415 in the API's format.
pub struct ApiMultipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Self)
            .map_err(|_| ApiError::Http {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "unsupported_media_type",
                message: "Send the image as multipart/form-data, in a part named \"file\".".into(),
            })
    }
}

/// The answer to a method a path does not take: 405 in the API's format
/// (the router adds the `Allow` header).
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::Http {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "This path does not take this method.".into(),
    }
}

/// `application/json` or `application/…+json`, parameters aside.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let essence = essence.to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads a JSON object body into `T`, every failure put in the API's words.
pub fn decode_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| ApiError::Http {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_input",
        message: if e.is_eof() {
            format!(
                "The body is not valid JSON: it ends too early (line {}, column {}).",
                e.line(),
                e.column()
            )
        } else {
            format!(
                "The body is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            )
        },
    })?;
    if !value.is_object() {
        return Err(ApiError::Domain(Error::invalid(
            "body",
            "invalid",
            "The body must be a JSON object.",
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        ApiError::Domain(shape_error(&path, &e.into_inner().to_string()))
    })
}

/// A decoder's complaint about a value at `path` as a field problem. Its
/// text is only read for the field it names, never passed on as it is,
/// except the messages of the domain's own checks.
fn shape_error(path: &str, text: &str) -> Error {
    let join = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let here = if path.is_empty() { "body" } else { path };
    let quoted = |text: &str| -> Option<String> {
        let start = text.find('`')? + 1;
        let len = text[start..].find('`')?;
        Some(text[start..start + len].to_owned())
    };
    if let Some(rest) = text.strip_prefix("missing field ") {
        let name = quoted(rest).unwrap_or_default();
        return Error::invalid(join(&name), "required", "This field is required.");
    }
    if let Some(rest) = text.strip_prefix("unknown field ") {
        let name = quoted(rest).unwrap_or_default();
        return Error::invalid(join(&name), "unknown", "This field is not expected here.");
    }
    if text.starts_with("duplicate field ") {
        let name = quoted(text).unwrap_or_default();
        return Error::invalid(join(&name), "duplicate", "This field is given twice.");
    }
    if text.starts_with("unknown variant ") {
        let choices: Vec<&str> = text
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let message = if choices.is_empty() {
            "This value is not one of those allowed.".to_owned()
        } else {
            format!("Expected one of: {}.", choices.join(", "))
        };
        return Error::invalid(here, "invalid", message);
    }
    if let Some(rest) = text.strip_prefix("invalid type: ") {
        let found = rest.split([',', ' ']).next().unwrap_or_default();
        let found = match found {
            "string" => "text",
            "integer" | "floating" => "a number",
            "boolean" => "true or false",
            "map" => "an object",
            "sequence" => "a list",
            "null" | "unit" => "null",
            _ => "a value",
        };
        let message = format!("This field has the wrong type ({found} is not accepted here).");
        return Error::invalid(here, "wrong_type", message);
    }
    if text.starts_with("invalid value: ")
        || text.starts_with("invalid length ")
        || text.starts_with("data did not match any variant")
    {
        return Error::invalid(here, "invalid", "This value is not accepted here.");
    }
    // A domain type's own check (a handle, an audience…): its words are
    // written for people; only the decoder's quoting is taken out.
    let message = text
        .split(" at line ")
        .next()
        .unwrap_or(text)
        .replace('`', "'");
    Error::invalid(here, "invalid", message)
}

/// A list, as every list of the API is shaped.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Cursor of the next page, or null at the end.
    pub next: Option<String>,
}

/// The page size of a list that does not say otherwise.
pub const DEFAULT_LIMIT: usize = 50;

/// `?limit=` and `?cursor=`, as the OpenAPI document states them for every
/// list; [`Paging`] reads them.
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 100 (each list gives its default). Anything
    /// else is a 400 `invalid_input` naming `limit`.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The `next` of the previous page, passed back as it came (an opaque
    /// string); absent for the first page. One this list did not hand out
    /// is a 400 `invalid_input` naming `cursor`.
    pub cursor: Option<String>,
}

/// The page a list request asks for, read once for every list of the API:
/// `?limit=` checked (1 to [`MAX_PAGE`]) and `?cursor=` unwrapped, or a 400
/// `invalid_input` naming the parameter. Other query parameters are left to
/// the handler.
///
/// A cursor is the list's own position text (a keyset position, or an
/// offset into a list bounded by nature: see [`entremise_domain::paging`])
/// wrapped in URL-safe base64, so that clients take it as a whole; the
/// list itself reads what is inside and refuses what it did not hand out.
#[derive(Debug, Clone, Default)]
pub struct Paging {
    limit: Option<usize>,
    cursor: Option<String>,
}

impl Paging {
    /// Reads the two parameters: `limit` must be a number as the document
    /// states it (digits, nothing around them); an empty `cursor` counts as
    /// absent.
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, Error> {
        let limit = match limit {
            None => None,
            Some(raw) => {
                let digits = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
                let n: usize = raw.parse().ok().filter(|_| digits).ok_or_else(|| {
                    Error::invalid("limit", "invalid", format!("a number, 1 to {MAX_PAGE}"))
                })?;
                if !(1..=MAX_PAGE).contains(&n) {
                    return Err(Error::invalid(
                        "limit",
                        "out_of_range",
                        format!("between 1 and {MAX_PAGE}"),
                    ));
                }
                Some(n)
            }
        };
        let cursor = match cursor.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => {
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(raw)
                    .map_err(|_| bad_cursor())?;
                Some(String::from_utf8(bytes).map_err(|_| bad_cursor())?)
            }
        };
        Ok(Self { limit, cursor })
    }

    /// The limit asked, or the list's default.
    pub fn limit(&self, default: usize) -> usize {
        self.limit.unwrap_or(default)
    }

    /// The list's own position text, unwrapped.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// Wraps a list's position text as the `next` clients get.
    pub fn wrap(next: Option<String>) -> Option<String> {
        next.map(|n| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(n))
    }

    /// A page of the domain as the API answers it.
    pub fn list<T>(page: Page<T>) -> List<T> {
        List {
            items: page.items,
            next: Self::wrap(page.next),
        }
    }

    /// A page of a list bounded by nature, read whole: an offset cursor.
    pub fn bounded<T>(&self, all: Vec<T>, default: usize) -> Result<List<T>, ApiError> {
        let page =
            Page::bounded(all, self.cursor(), self.limit(default)).map_err(ApiError::BadQuery)?;
        Ok(Self::list(page))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let mut params = PageParams::default();
        let query = parts.uri.query().unwrap_or_default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match &*key {
                "limit" => &mut params.limit,
                "cursor" => &mut params.cursor,
                _ => continue,
            };
            // One value each, as the document states them: a repeated one
            // is refused rather than read one way or the other.
            if slot.is_some() {
                return Err(ApiError::BadQuery(Error::invalid(
                    key.into_owned(),
                    "repeated",
                    "given more than once",
                )));
            }
            *slot = Some(value.into_owned());
        }
        Self::parse(params.limit.as_deref(), params.cursor.as_deref()).map_err(ApiError::BadQuery)
    }
}

/// An error of a read that takes query parameters: a field problem (a
/// cursor the list refuses, a filter) is a 400, as [`ApiError::BadQuery`].
pub fn read_error(e: Error) -> ApiError {
    match e {
        Error::Invalid(_) => ApiError::BadQuery(e),
        other => ApiError::Domain(other),
    }
}

/// Image uploads, with their own (larger) body limit.
pub fn upload_routes(max_upload_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/api/v1/media", post(posts::upload))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(max_upload_bytes))
}

pub fn routes() -> Router<AppState> {
    use accounts as a;
    use contacts as c;
    use conversations as cv;
    use introductions as i;
    use pages as p;
    use posts as po;
    use profiles as pr;
    Router::new()
        .route("/api/v1/accounts", post(a::create_account))
        .route("/api/v1/me", get(a::me))
        .route("/api/v1/me/visitors", get(visits::my_visitors))
        .route(
            "/api/v1/me/email-preferences",
            get(mail::get_preferences).put(mail::put_preferences),
        )
        .route(
            "/api/v1/sessions",
            post(a::create_session).get(a::list_sessions),
        )
        .route(
            "/api/v1/sessions/current",
            delete(a::delete_current_session),
        )
        .route("/api/v1/sessions/{id}", delete(a::delete_session))
        .route(
            "/api/v1/profiles/{handle}",
            get(pr::get_profile).patch(pr::patch_profile),
        )
        .route(
            "/api/v1/profiles/{handle}/positions",
            get(pr::list_positions).post(pr::add_position),
        )
        .route(
            "/api/v1/profiles/{handle}/positions/{id}",
            delete(pr::delete_position),
        )
        .route("/api/v1/pages", post(p::create_page))
        .route("/api/v1/pages/{handle}", get(p::get_page))
        .route("/api/v1/pages/{handle}/managers", get(p::list_managers))
        .route(
            "/api/v1/pages/{handle}/managers/{member}",
            put(p::put_manager).delete(p::delete_manager),
        )
        .route("/api/v1/pages/{handle}/audit", get(p::audit_log))
        .route("/api/v1/pages/{handle}/stats", get(visits::page_stats))
        .route("/api/v1/pages/{handle}/offices", post(p::add_office))
        .route(
            "/api/v1/pages/{handle}/offices/{id}",
            delete(p::delete_office),
        )
        .route("/api/v1/pages/{handle}/services", post(p::add_service))
        .route(
            "/api/v1/pages/{handle}/services/{id}",
            delete(p::delete_service),
        )
        .route("/api/v1/pages/{handle}/positions", get(p::list_positions))
        .route(
            "/api/v1/pages/{handle}/positions/{id}/confirmation",
            put(p::confirm_position),
        )
        .route(
            "/api/v1/pages/{handle}/contact-messages",
            post(p::send_contact_message).get(p::list_contact_messages),
        )
        .route(
            "/api/v1/contact-requests",
            post(c::send_request).get(c::list_requests),
        )
        .route(
            "/api/v1/contact-requests/{id}/accept",
            post(c::accept_request),
        )
        .route(
            "/api/v1/contact-requests/{id}/decline",
            post(c::decline_request),
        )
        .route(
            "/api/v1/contact-requests/{id}/withdraw",
            post(c::withdraw_request),
        )
        .route("/api/v1/profiles/{handle}/contacts", get(c::list_contacts))
        .route("/api/v1/profiles/{handle}/connection", get(c::connection))
        .route("/api/v1/contacts/{handle}", delete(c::remove_contact))
        .route("/api/v1/people-you-may-know", get(c::people_you_may_know))
        .route(
            "/api/v1/invitation-codes",
            post(c::create_invitation).get(c::list_invitations),
        )
        .route(
            "/api/v1/invitation-codes/{code}",
            delete(c::revoke_invitation),
        )
        .route("/api/v1/blocks", get(c::list_blocks))
        .route("/api/v1/blocks/{handle}", put(c::block).delete(c::unblock))
        .route("/api/v1/network-health", get(c::network_health))
        .route("/api/v1/introductions", post(i::create).get(i::list))
        .route("/api/v1/introductions/{id}", get(i::get))
        .route("/api/v1/introductions/{id}/forward", post(i::forward))
        .route("/api/v1/introductions/{id}/decline", post(i::decline))
        .route("/api/v1/introductions/{id}/accept", post(i::accept))
        .route("/api/v1/conversations", post(cv::create).get(cv::list))
        .route("/api/v1/conversations/{id}", get(cv::get))
        .route(
            "/api/v1/conversations/{id}/messages",
            post(cv::send).get(cv::messages),
        )
        .route("/api/v1/notifications", get(notifications::list))
        .route("/api/v1/notifications/read", post(notifications::mark_read))
        .route("/api/v1/notifications/unread", get(notifications::unread))
        .route(
            "/api/v1/notifications/settings",
            get(notifications::settings).put(notifications::set_settings),
        )
        .route("/api/v1/groups", post(groups::create).get(groups::mine))
        .route(
            "/api/v1/groups/{handle}",
            get(groups::get).patch(groups::edit),
        )
        .route(
            "/api/v1/groups/{handle}/members",
            post(groups::join)
                .get(groups::members)
                .delete(groups::leave),
        )
        .route(
            "/api/v1/groups/{handle}/members/{member}/{act}",
            post(groups::act),
        )
        .route("/api/v1/groups/{handle}/me", put(groups::my_settings))
        .route(
            "/api/v1/groups/{handle}/cover",
            put(groups::set_cover).delete(groups::remove_cover),
        )
        .route("/api/v1/groups/{handle}/posts", get(groups::posts))
        .route("/api/v1/groups/{handle}/directory", get(groups::directory))
        .route(
            "/api/v1/groups/{handle}/pins/{post}",
            put(groups::pin).delete(groups::unpin),
        )
        .route("/api/v1/inbox", get(inbox::list))
        .route("/api/v1/inbox/counts", get(inbox::counts))
        .route("/api/v1/inbox/{id}", get(inbox::get))
        .route("/api/v1/inbox/{id}/assign", post(inbox::assign))
        .route("/api/v1/inbox/{id}/dismiss", post(inbox::dismiss))
        .route("/api/v1/inbox/{id}/snooze", post(inbox::snooze))
        .route("/api/v1/inbox/{id}/reopen", post(inbox::reopen))
        .route("/api/v1/inbox/{id}/answered", post(inbox::answered))
        .route("/api/v1/inbox/{id}/publish", post(inbox::publish))
        .route(
            "/api/v1/pages/{handle}/inbox-settings",
            get(inbox::get_settings).put(inbox::put_settings),
        )
        .route("/api/v1/pages/{handle}/inbox-stats", get(inbox::stats))
        .route("/api/v1/posts/{id}/replies", put(inbox::set_replies))
        .route("/api/v1/conversations/{id}/typing", post(cv::typing))
        .route("/api/v1/stream", get(stream::stream))
        .route("/api/v1/posts", post(po::create))
        .route(
            "/api/v1/posts/{id}",
            get(po::get).patch(po::edit).delete(po::delete),
        )
        .route("/api/v1/posts/{id}/history", get(po::history))
        .route(
            "/api/v1/posts/{id}/comments",
            post(po::comment).get(po::comments),
        )
        .route(
            "/api/v1/posts/{id}/reactions",
            get(po::reactions).delete(po::unreact),
        )
        .route("/api/v1/posts/{id}/reactions/{kind}", put(po::react))
        .route("/api/v1/feed", get(po::feed))
        .route("/api/v1/profiles/{handle}/posts", get(po::posts_of))
        .route(
            "/api/v1/follows/{handle}",
            put(po::follow).delete(po::unfollow),
        )
        .route("/media/{id}", get(po::serve_media))
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/search/suggestions", get(search::suggestions))
        .route("/api/v1/mutes", get(moderation::mutes))
        .route(
            "/api/v1/muted-words",
            get(moderation::muted_words).put(moderation::set_muted_words),
        )
        .route(
            "/api/v1/mutes/{handle}",
            put(moderation::mute).delete(moderation::unmute),
        )
        .route("/api/v1/reports", post(moderation::report))
        .route("/api/v1/reports/mine", get(moderation::my_reports))
        .route(
            "/api/v1/comments/{id}",
            axum::routing::patch(moderation::edit_comment).delete(moderation::delete_comment),
        )
        .route(
            "/api/v1/comments/{id}/history",
            get(moderation::comment_history),
        )
        .route(
            "/api/v1/comments/{id}/moderation",
            post(moderation::moderate_comment),
        )
        .route("/api/v1/moderation/queues", get(moderation::queues))
        .route("/api/v1/moderation/queue", get(moderation::queue))
        .route(
            "/api/v1/moderation/reports/{id}/decision",
            post(moderation::decide),
        )
        .route("/api/v1/moderation/log", get(moderation::log))
        .route("/api/v1/moderation/held", get(moderation::held))
        .route(
            "/api/v1/moderation/held/{id}/publish",
            post(moderation::publish_held),
        )
        .route(
            "/api/v1/moderation/decisions/{id}",
            get(moderation::decision),
        )
        .route("/api/v1/instance", get(admin::info))
        .route("/api/v1/admin/dashboard", get(admin::dashboard))
        .route(
            "/api/v1/admin/settings",
            get(admin::settings).patch(admin::update_settings),
        )
        .route("/api/v1/admin/staff", get(admin::staff))
        .route("/api/v1/admin/staff/{handle}", put(admin::set_roles))
        .route("/api/v1/admin/signups", get(admin::signups))
        .route("/api/v1/admin/signups/{handle}", post(admin::decide_signup))
        .route(
            "/api/v1/admin/codes",
            get(admin::codes).post(admin::new_code),
        )
        .route(
            "/api/v1/admin/domain-blocks/{domain}",
            put(admin::block_domain).delete(admin::unblock_domain),
        )
        .route("/api/v1/health", get(health))
        .method_not_allowed_fallback(method_not_allowed)
}

/// Whether a part answered its health check.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Ok,
    Failing,
}

impl From<entremise_domain::service::Check> for CheckState {
    fn from(check: entremise_domain::service::Check) -> Self {
        match check {
            entremise_domain::service::Check::Ok => Self::Ok,
            entremise_domain::service::Check::Failing => Self::Failing,
        }
    }
}

/// Each part the server needs, as its check found it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HealthChecks {
    /// A read of the store.
    pub store: CheckState,
    /// A query of the search indexes (profiles and posts).
    pub index: CheckState,
}

/// The health check's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HealthBody {
    /// `ok` when every check is `ok`, `failing` otherwise.
    pub status: CheckState,
    pub checks: HealthChecks,
}

/// The health check's answer when a part fails: the error body
/// (`unavailable`, naming the parts that fail) with the checks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HealthFailure {
    #[serde(flatten)]
    pub error: crate::error::ErrorBody,
    #[serde(flatten)]
    pub health: HealthBody,
}

/// Whether the server can serve: a read of the store and a query of the
/// search indexes (profiles and posts), at once, each within 2 seconds.
/// The cause of a failure is in the server's log, never in the answer.
#[utoipa::path(get, path = "/api/v1/health", tag = "instance", responses(
    (status = 200, description = "Every part answers: `{\"status\": \"ok\", \"checks\": {\"store\": \"ok\", \"index\": \"ok\"}}`", body = HealthBody),
    (status = 503, description = "`unavailable`: a part failed its check or did not answer in time; `checks` says which (`failing`). (Past the request time limit, `timeout` with the error body alone.)", body = HealthFailure),
))]
pub async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let health = state.app.monitoring().health().await;
    let checks = HealthChecks {
        store: health.store.into(),
        index: health.index.into(),
    };
    if health.is_ok() {
        let body = HealthBody {
            status: CheckState::Ok,
            checks,
        };
        return axum::Json(body).into_response();
    }
    let failing: Vec<&str> = health
        .parts()
        .into_iter()
        .filter(|(_, check)| *check != entremise_domain::service::Check::Ok)
        .map(|(part, _)| part)
        .collect();
    let body = HealthFailure {
        error: crate::error::ErrorBody {
            error: "unavailable".into(),
            message: format!("Failing: {}.", failing.join(", ")),
            fields: Vec::new(),
        },
        health: HealthBody {
            status: CheckState::Failing,
            checks,
        },
    };
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
}
