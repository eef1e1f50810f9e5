//! The OpenAPI 3.1 document, generated from the handlers' annotations, and
//! a browsable API explorer served from the binary (no download).

use crate::api::{
    self, accounts, admin, contacts, conversations, groups, inbox, introductions, mail, moderation,
    notifications, pages, posts, profiles, search, stream, visits,
};
use crate::limits::RateLimitedResponses;
use crate::metrics;
use crate::state::AppState;

mod rules;

use axum::Router;
use rules::RequestRules;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "entremise API",
        description = "A professional social network in which nobody is cold-contacted. \
                       Errors are `{\"error\": code, \"message\": text}`; lists are `{\"items\", \"next\"}`.",
    ),
    paths(
        api::health,
        metrics::metrics,
        accounts::create_account,
        accounts::create_session,
        accounts::delete_current_session,
        accounts::list_sessions,
        accounts::delete_session,
        accounts::me,
        mail::get_preferences,
        mail::put_preferences,
        profiles::get_profile,
        profiles::patch_profile,
        profiles::list_positions,
        profiles::add_position,
        profiles::delete_position,
        pages::create_page,
        pages::get_page,
        pages::list_managers,
        pages::put_manager,
        pages::delete_manager,
        pages::audit_log,
        pages::add_office,
        pages::delete_office,
        pages::add_service,
        pages::delete_service,
        pages::list_positions,
        pages::confirm_position,
        pages::send_contact_message,
        pages::list_contact_messages,
        contacts::send_request,
        contacts::list_requests,
        contacts::accept_request,
        contacts::decline_request,
        contacts::withdraw_request,
        contacts::list_contacts,
        contacts::remove_contact,
        contacts::connection,
        contacts::people_you_may_know,
        contacts::create_invitation,
        contacts::list_invitations,
        contacts::revoke_invitation,
        contacts::block,
        contacts::unblock,
        contacts::list_blocks,
        contacts::network_health,
        introductions::create,
        introductions::list,
        introductions::get,
        introductions::forward,
        introductions::decline,
        introductions::accept,
        conversations::create,
        conversations::list,
        conversations::get,
        conversations::send,
        conversations::messages,
        conversations::typing,
        stream::stream,
        search::search,
        search::suggestions,
        posts::upload,
        posts::create,
        posts::get,
        posts::edit,
        posts::delete,
        posts::history,
        posts::comment,
        posts::comments,
        posts::react,
        posts::unreact,
        posts::reactions,
        posts::feed,
        posts::posts_of,
        posts::follow,
        posts::unfollow,
        visits::my_visitors,
        visits::page_stats,
        notifications::list,
        notifications::mark_read,
        notifications::unread,
        notifications::settings,
        notifications::set_settings,
        inbox::list,
        inbox::counts,
        inbox::get,
        inbox::assign,
        inbox::dismiss,
        inbox::snooze,
        inbox::reopen,
        inbox::answered,
        inbox::publish,
        inbox::get_settings,
        inbox::put_settings,
        inbox::stats,
        inbox::set_replies,
        groups::create,
        groups::mine,
        groups::get,
        groups::edit,
        groups::join,
        groups::leave,
        groups::members,
        groups::act,
        groups::my_settings,
        groups::set_cover,
        groups::remove_cover,
        groups::posts,
        groups::directory,
        groups::pin,
        groups::unpin,
        moderation::mute,
        moderation::unmute,
        moderation::mutes,
        moderation::muted_words,
        moderation::set_muted_words,
        moderation::report,
        moderation::my_reports,
        moderation::edit_comment,
        moderation::delete_comment,
        moderation::comment_history,
        moderation::moderate_comment,
        moderation::queues,
        moderation::queue,
        moderation::decide,
        moderation::log,
        moderation::held,
        moderation::publish_held,
        moderation::decision,
        admin::info,
        admin::dashboard,
        admin::settings,
        admin::update_settings,
        admin::staff,
        admin::set_roles,
        admin::signups,
        admin::decide_signup,
        admin::new_code,
        admin::codes,
        admin::block_domain,
        admin::unblock_domain,
    ),
    // A reshare's original is not followed from the post that holds it
    // (the type is recursive): named here so that its `$ref` resolves.
    components(schemas(entremise_domain::service::Reshared)),
    modifiers(&BearerAuth, &CommonResponses, &RequestRules, &RateLimitedResponses),
    tags(
        (name = "accounts", description = "Sign-up, sign-in, sessions"),
        (name = "profiles", description = "Profiles as each viewer may see them"),
        (name = "pages", description = "Organizations, brands and personas"),
        (name = "contacts", description = "Contacts, contact requests, invitation codes, blocks"),
        (name = "introductions", description = "Being introduced by people you both know"),
        (name = "conversations", description = "Messages, typing, and the real-time stream"),
        (name = "notifications", description = "What a member is told of"),
        (name = "inbox", description = "The follow-up inbox: what awaits an answer from each profile a member answers for"),
        (name = "posts", description = "Posts, images, comments, reactions, reshares, follows and the feed"),
        (name = "groups", description = "Groups (hubs): running and joining one, members, the expert directory, discussions"),
        (name = "search", description = "Finding people, pages, posts and groups, within what each viewer may see"),
        (name = "moderation", description = "Mutes, reports, comments edited or moderated, the moderation queues and their log"),
        (name = "admin", description = "Instance administration (administrators only)"),
        (name = "instance", description = "The instance: its name, how to sign up, its rules; health and metrics, for operators"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The answers an operation gives because of what it is rather than what
/// it does, stated on every operation they apply to, once here rather than
/// on each handler. An operation that states one itself keeps its own
/// description.
///
/// - Every operation: 503 `timeout` past the request time limit
///   (`deadlines.rs`); a write also 503 `storage_full` when the disk is full.
/// - Every operation that reads who is asking (all but health): 401
///   `unauthenticated` when a bearer token is presented that is not valid
///   (expired, revoked, made up), and, where sign-in is required, when none
///   is.
/// - A query parameter: 400 `invalid_input`.
/// - A path parameter: 404 `not_found`, for what does not exist, what the
///   viewer may not see, and a segment that does not decode.
/// - A request body: 400 `invalid_input` (not JSON, or a multipart body
///   that does not parse), 408 `request_timeout` (the body stopped
///   arriving), 413 `payload_too_large`, 415 `unsupported_media_type`, 422
///   `invalid_input` (a body of the wrong shape, or a value refused).
/// - A write: 403 `cross_site`, when a browser sends it from another site
///   with the session cookie (`security.rs`).
struct CommonResponses;

/// The one operation that does not read who is asking.
const HEALTH: &str = "/api/v1/health";

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (true, item.get.as_mut()),
                (false, item.put.as_mut()),
                (false, item.post.as_mut()),
                (false, item.delete.as_mut()),
                (false, item.patch.as_mut()),
            ];
            for (read, op) in operations {
                if let Some(op) = op {
                    add_common_responses(path, read, op);
                }
            }
        }
    }
}

fn add_common_responses(path: &str, read: bool, op: &mut Operation) {
    let signed_in = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_path_param = op.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => p.parameter_in == ParameterIn::Path,
        RefOr::Ref(_) => false,
    });
    let has_body = op.request_body.is_some();
    let has_query = op.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => p.parameter_in == ParameterIn::Query,
        RefOr::Ref(_) => false,
    });
    let mut add = |status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error_response(description));
    };
    add(
        "503",
        if read {
            "`timeout`: the request took longer than the server's time limit; \
             try again in a moment"
        } else {
            "`timeout`: the request took longer than the server's time limit; \
             or `storage_full`: the server's disk is full and nothing was \
             written (see `Retry-After`); try again in a moment"
        },
    );
    if path != HEALTH {
        add(
            "401",
            if signed_in {
                "`unauthenticated`: no bearer token, or one that is not valid"
            } else {
                "`unauthenticated`: a bearer token was presented that is not valid \
                 (anonymous requests are answered)"
            },
        );
    }
    if has_path_param {
        add(
            "404",
            "`not_found`: it does not exist, or the viewer may not see it",
        );
    }
    if has_query {
        add(
            "400",
            "`invalid_input`: a query parameter is not one the document allows \
             (or is given twice); `fields` names it",
        );
    }
    if has_body {
        add(
            "400",
            "`invalid_input`: the body is not JSON (or not a readable multipart body)",
        );
        add("408", "`request_timeout`: the body stopped arriving");
        add(
            "413",
            "`payload_too_large`: the body is larger than the server accepts",
        );
        add(
            "415",
            "`unsupported_media_type`: the body is not sent with the content type stated here",
        );
        add(
            "422",
            "`invalid_input`: the body has the wrong shape or a value is refused; \
             `fields` names each problem",
        );
    }
    if !read {
        add(
            "403",
            "`cross_site`: sent by a browser from another site with the session cookie",
        );
    }
}

/// A response with the API's error body.
fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

pub fn routes() -> Router<AppState> {
    Router::from(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs")
            .url("/api/v1/openapi.json", ApiDoc::openapi()),
    )
}
