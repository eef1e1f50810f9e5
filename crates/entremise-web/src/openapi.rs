//! The OpenAPI 3.1 document, generated from the handlers' annotations, and
//! a browsable API explorer served from the binary (no download).

use crate::api::{
    self, accounts, contacts, conversations, introductions, pages, posts, profiles, search, visits,
};
use crate::limits::RateLimitedResponses;
use crate::state::AppState;
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        accounts::create_account,
        accounts::create_session,
        accounts::delete_current_session,
        accounts::list_sessions,
        accounts::delete_session,
        accounts::me,
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
    ),
    modifiers(&BearerAuth, &RateLimitedResponses),
    tags(
        (name = "accounts", description = "Sign-up, sign-in, sessions"),
        (name = "profiles", description = "Profiles as each viewer may see them"),
        (name = "pages", description = "Organizations, brands and personas"),
        (name = "contacts", description = "Contacts, contact requests, invitation codes, blocks"),
        (name = "introductions", description = "Being introduced by people you both know"),
        (name = "conversations", description = "Messages"),
        (name = "posts", description = "Posts, images, comments, reactions, reshares, follows and the feed"),
        (name = "search", description = "Finding people and pages, within what each viewer may see"),
        (name = "instance", description = "Health"),
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

pub fn routes() -> Router<AppState> {
    Router::from(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs")
            .url("/api/v1/openapi.json", ApiDoc::openapi()),
    )
}
