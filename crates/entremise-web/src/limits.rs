//! Rate limits on everything a member writes and on the reads that scrape
//! (search, profiles): token buckets per account and per client address,
//! taken when a request's context is built, before its body is read.
//!
//! One table, [`action_of`], says which route costs what; the OpenAPI
//! document lists 429 on exactly those routes from the same table. The
//! domain keeps its own product limits on top (contact requests per week,
//! messages per minute, sign-in failures): these buckets only stop floods.
//!
//! A signed-in request takes from its account's bucket and from its
//! client's, which is ten times larger (a firm's office sits behind one
//! address); an anonymous one from its client's alone.

use axum::http::Method;
use entremise_domain::Error;
use entremise_domain::ratelimit::{Allowance, TokenBuckets};
use entremise_domain::service::Viewer;
use time::OffsetDateTime;

/// What a request costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Post,
    Comment,
    Reaction,
    Upload,
    Follow,
    /// Creating and running a page: managers, offices, services,
    /// confirmations, its contact form.
    Page,
    /// Contact requests and introductions, and answers to them.
    Outreach,
    Conversation,
    Message,
    /// "… is typing" pings, one every few seconds while typing.
    Typing,
    Invitation,
    ProfileEdit,
    /// Blocks, unblocks and removals of contacts.
    Block,
    Search,
    /// Search as one types: one request per key stroke.
    Suggest,
    /// A profile, a page, their contacts and posts.
    ProfileRead,
    /// Read marks and settings of notifications.
    Notification,
    /// Acts on follow-up inbox items (assign, dismiss, snooze, reopen,
    /// mark answered).
    Inbox,
    /// Creating, running, joining and leaving groups.
    Group,
    /// Mutes, muted words, reports, and the acts of moderation queues.
    Moderation,
    /// Instance administration.
    Admin,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Self::Post,
        Self::Comment,
        Self::Reaction,
        Self::Upload,
        Self::Follow,
        Self::Page,
        Self::Outreach,
        Self::Conversation,
        Self::Message,
        Self::Typing,
        Self::Invitation,
        Self::ProfileEdit,
        Self::Block,
        Self::Search,
        Self::Suggest,
        Self::ProfileRead,
        Self::Notification,
        Self::Inbox,
        Self::Group,
        Self::Moderation,
        Self::Admin,
    ];

    /// What one account may do: a burst, then so many per hour.
    pub const fn per_account(self) -> Allowance {
        match self {
            Self::Post => Allowance::new(10, 60),
            Self::Comment => Allowance::new(20, 200),
            Self::Reaction => Allowance::new(60, 1_000),
            Self::Upload => Allowance::new(20, 120),
            Self::Follow => Allowance::new(30, 300),
            Self::Page => Allowance::new(30, 300),
            Self::Outreach => Allowance::new(30, 300),
            Self::Conversation => Allowance::new(10, 100),
            Self::Message => Allowance::new(30, 600),
            Self::Typing => Allowance::new(30, 1_800),
            Self::Invitation => Allowance::new(10, 100),
            Self::ProfileEdit => Allowance::new(30, 300),
            Self::Block => Allowance::new(20, 200),
            Self::Search => Allowance::new(60, 1_800),
            Self::Suggest => Allowance::new(120, 3_600),
            Self::ProfileRead => Allowance::new(120, 3_600),
            Self::Notification => Allowance::new(60, 1_200),
            Self::Inbox => Allowance::new(60, 1_200),
            Self::Group => Allowance::new(30, 300),
            Self::Moderation => Allowance::new(30, 300),
            Self::Admin => Allowance::new(60, 600),
        }
    }

    /// What one client address may do without signing in (reads only;
    /// every write needs an account).
    pub const fn anonymous(self) -> Allowance {
        match self {
            Self::Search => Allowance::new(30, 600),
            Self::Suggest => Allowance::new(60, 1_200),
            Self::ProfileRead => Allowance::new(60, 1_200),
            // Refused before any work by the handler; a small bucket keeps
            // a flood of such requests cheap.
            _ => Allowance::new(30, 600),
        }
    }

    /// Multiplier of [`Self::per_account`] for the client address of a
    /// signed-in request.
    const CLIENT_FACTOR: f64 = 10.0;

    fn index(self) -> usize {
        Self::ALL.iter().position(|a| *a == self).unwrap_or(0)
    }
}

/// The action a route costs, if any. `route` is the route's template as
/// the router matched it or the OpenAPI document names it
/// (`/api/v1/posts/{id}/comments`); the names of its parameters do not
/// matter.
pub fn action_of(method: &Method, route: &str) -> Option<Action> {
    use Action::*;
    let path = shape(route);
    let path = path.as_ref();
    let write = matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if !write {
        return match path {
            "/api/v1/search" | "/search" => Some(Search),
            "/api/v1/search/suggestions" => Some(Suggest),
            "/api/v1/profiles/{}"
            | "/api/v1/profiles/{}/contacts"
            | "/api/v1/profiles/{}/posts"
            | "/api/v1/profiles/{}/positions"
            | "/api/v1/pages/{}"
            | "/{}"
            | "/{}/contacts"
            | "/{}/posts"
            | "/api/v1/groups/{}"
            | "/api/v1/groups/{}/members"
            | "/api/v1/groups/{}/posts"
            | "/api/v1/groups/{}/directory"
            | "/groups/{}"
            | "/groups/{}/members"
            | "/groups/{}/directory" => Some(ProfileRead),
            _ => None,
        };
    }
    let action = match path {
        "/api/v1/posts" | "/posts" | "/posts/{}/reshare" => Post,
        "/api/v1/posts/{}" | "/posts/{}/edit" | "/posts/{}/delete" => Post,
        "/api/v1/posts/{}/replies" | "/posts/{}/replies" => Post,
        "/api/v1/inbox/{}/assign"
        | "/api/v1/inbox/{}/dismiss"
        | "/api/v1/inbox/{}/snooze"
        | "/api/v1/inbox/{}/reopen"
        | "/api/v1/inbox/{}/answered"
        | "/api/v1/inbox/{}/publish"
        | "/inbox/{}/{}" => Inbox,
        "/api/v1/groups"
        | "/api/v1/groups/{}"
        | "/api/v1/groups/{}/members"
        | "/api/v1/groups/{}/members/{}/{}"
        | "/api/v1/groups/{}/me"
        | "/api/v1/groups/{}/cover"
        | "/api/v1/groups/{}/pins/{}"
        | "/groups"
        | "/groups/{}/{}"
        | "/groups/{}/members/{}/{}"
        | "/groups/{}/pins/{}/{}" => Group,
        "/api/v1/posts/{}/comments" | "/posts/{}/comments" => Comment,
        "/api/v1/comments/{}" | "/comments/{}/edit" | "/comments/{}/delete" => Comment,
        "/api/v1/mutes/{}"
        | "/api/v1/muted-words"
        | "/api/v1/reports"
        | "/api/v1/comments/{}/moderation"
        | "/api/v1/moderation/reports/{}/decision"
        | "/api/v1/moderation/held/{}/publish"
        | "/moderation/held/{}/publish"
        | "/{}/mute"
        | "/{}/unmute"
        | "/settings/mutes"
        | "/settings/mutes/{}"
        | "/report"
        | "/comments/{}/moderation"
        | "/moderation/reports/{}/decision" => Moderation,
        "/api/v1/admin/settings"
        | "/api/v1/admin/staff/{}"
        | "/api/v1/admin/signups/{}"
        | "/api/v1/admin/codes"
        | "/api/v1/admin/domain-blocks/{}"
        | "/admin/{}"
        | "/admin/{}/{}" => Admin,
        "/api/v1/posts/{}/reactions" | "/api/v1/posts/{}/reactions/{}" | "/posts/{}/react" => {
            Reaction
        }
        "/api/v1/media" => Upload,
        "/api/v1/follows/{}" | "/{}/follow" | "/{}/unfollow" => Follow,
        "/api/v1/pages"
        | "/pages/new"
        | "/api/v1/pages/{}/managers/{}"
        | "/api/v1/pages/{}/offices"
        | "/api/v1/pages/{}/offices/{}"
        | "/api/v1/pages/{}/services"
        | "/api/v1/pages/{}/services/{}"
        | "/api/v1/pages/{}/positions/{}/confirmation"
        | "/api/v1/pages/{}/contact-messages"
        | "/api/v1/pages/{}/inbox-settings"
        | "/{}/contact"
        | "/{}/manage/{}"
        | "/{}/manage/{}/{}" => Page,
        "/api/v1/contact-requests"
        | "/api/v1/contact-requests/{}/accept"
        | "/api/v1/contact-requests/{}/decline"
        | "/api/v1/contact-requests/{}/withdraw"
        | "/network/requests/{}/{}"
        | "/{}/contact-request"
        | "/api/v1/introductions"
        | "/api/v1/introductions/{}/forward"
        | "/api/v1/introductions/{}/decline"
        | "/api/v1/introductions/{}/accept"
        | "/introductions"
        | "/introductions/{}/{}" => Outreach,
        "/api/v1/conversations" | "/messages" => Conversation,
        "/api/v1/conversations/{}/messages" | "/messages/{}" => Message,
        "/api/v1/conversations/{}/typing" => Typing,
        "/api/v1/invitation-codes"
        | "/api/v1/invitation-codes/{}"
        | "/network/codes"
        | "/network/codes/{}/revoke" => Invitation,
        "/api/v1/profiles/{}"
        | "/api/v1/profiles/{}/positions"
        | "/api/v1/profiles/{}/positions/{}"
        | "/{}/edit"
        | "/{}/positions"
        | "/{}/positions/{}/delete"
        | "/api/v1/me/email-preferences"
        | "/settings/email"
        | "/unsubscribe/{}" => ProfileEdit,
        "/api/v1/notifications/read"
        | "/api/v1/notifications/settings"
        | "/notifications/read"
        | "/settings/notifications" => Notification,
        "/api/v1/blocks/{}"
        | "/api/v1/contacts/{}"
        | "/{}/block"
        | "/{}/unblock"
        | "/{}/remove-contact" => Block,
        _ => return None,
    };
    Some(action)
}

/// `route` with every parameter written `{}` (borrowed when it has none:
/// this runs on every request).
fn shape(route: &str) -> std::borrow::Cow<'_, str> {
    if !route.contains('{') {
        return std::borrow::Cow::Borrowed(route);
    }
    let shaped = route
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    std::borrow::Cow::Owned(shaped)
}

/// Every bucket of the instance.
#[derive(Debug)]
pub struct RateLimits {
    by_account: Vec<TokenBuckets>,
    by_client: Vec<TokenBuckets>,
    anonymous: Vec<TokenBuckets>,
}

/// Buckets kept per action and kind of key: past this, the idle ones go.
const MAX_KEYS: usize = 100_000;

impl RateLimits {
    /// Every allowance multiplied by `scale` (1 in production; a load test
    /// raises it).
    pub fn new(scale: f64) -> Self {
        let buckets = |allowance: fn(Action) -> Allowance, factor: f64| {
            Action::ALL
                .iter()
                .map(|a| TokenBuckets::new(allowance(*a).scaled(scale * factor), MAX_KEYS))
                .collect()
        };
        Self {
            by_account: buckets(Action::per_account, 1.0),
            by_client: buckets(Action::per_account, Action::CLIENT_FACTOR),
            anonymous: buckets(Action::anonymous, 1.0),
        }
    }

    /// Takes one `action` for the viewer from `client`: `RateLimited` with
    /// the wait when either bucket is empty (then neither is charged).
    pub fn take(
        &self,
        action: Action,
        viewer: &Viewer,
        client: &str,
        now: OffsetDateTime,
    ) -> Result<(), Error> {
        let i = action.index();
        let limited = |retry_after_secs| Error::RateLimited { retry_after_secs };
        match viewer.signed_in.as_ref() {
            None => self.anonymous[i].try_take(client, now).map_err(limited),
            Some(session) => {
                let account = session.account.0.to_string();
                self.by_account[i]
                    .try_take(&account, now)
                    .map_err(limited)?;
                if let Err(wait) = self.by_client[i].try_take(client, now) {
                    self.by_account[i].give_back(&account);
                    return Err(limited(wait));
                }
                Ok(())
            }
        }
    }
}

/// Lists 429 on every operation [`action_of`] limits, in the OpenAPI
/// document (the same table as the server's).
pub struct RateLimitedResponses;

impl utoipa::Modify for RateLimitedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{
            ContentBuilder, Ref, ResponseBuilder, header::HeaderBuilder, schema::Type,
        };
        let response = ResponseBuilder::new()
            .description(
                "Too many such requests from this account or client address: \
                 `rate_limited`; try again after `Retry-After` seconds",
            )
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(Some(utoipa::openapi::schema::Object::with_type(
                        Type::Integer,
                    )))
                    .description(Some("Seconds to wait"))
                    .build(),
            )
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (Method::GET, item.get.as_mut()),
                (Method::POST, item.post.as_mut()),
                (Method::PUT, item.put.as_mut()),
                (Method::PATCH, item.patch.as_mut()),
                (Method::DELETE, item.delete.as_mut()),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                if action_of(&method, path).is_some() {
                    operation
                        .responses
                        .responses
                        .entry("429".to_owned())
                        .or_insert_with(|| response.clone().into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cost_only_where_they_scrape() {
        assert_eq!(action_of(&Method::GET, "/api/v1/feed"), None);
        assert_eq!(
            action_of(&Method::GET, "/api/v1/search"),
            Some(Action::Search)
        );
        assert_eq!(action_of(&Method::GET, "/{at}"), Some(Action::ProfileRead));
        assert_eq!(action_of(&Method::HEAD, "/{at}"), Some(Action::ProfileRead));
        assert_eq!(
            action_of(&Method::PATCH, "/api/v1/profiles/{handle}"),
            Some(Action::ProfileEdit)
        );
        assert_eq!(action_of(&Method::POST, "/signin"), None);
        // Whatever its parameters are called.
        assert_eq!(
            action_of(
                &Method::PUT,
                "/api/v1/pages/{page}/managers/{member_handle}"
            ),
            Some(Action::Page)
        );
    }

    /// Every write of the API costs something, but for signing up, in and
    /// out, whose own limits live in the domain (attempts per address,
    /// failures per account and client).
    #[test]
    fn every_write_of_the_api_is_limited() {
        use utoipa::OpenApi;
        let doc = crate::openapi::ApiDoc::openapi();
        let exempt = [
            "/api/v1/accounts",
            "/api/v1/sessions",
            "/api/v1/sessions/current",
            "/api/v1/sessions/{id}",
        ];
        let mut checked = 0;
        for (path, item) in &doc.paths.paths {
            let writes = [
                (Method::POST, item.post.as_ref()),
                (Method::PUT, item.put.as_ref()),
                (Method::PATCH, item.patch.as_ref()),
                (Method::DELETE, item.delete.as_ref()),
            ];
            for (method, operation) in writes {
                let Some(operation) = operation else { continue };
                if exempt.contains(&path.as_str()) {
                    continue;
                }
                assert!(
                    action_of(&method, path).is_some(),
                    "{method} {path} is not rate limited"
                );
                assert!(
                    operation.responses.responses.contains_key("429"),
                    "{method} {path} does not list 429"
                );
                checked += 1;
            }
        }
        assert!(checked > 30, "only {checked} writes found in the document");
    }
}
