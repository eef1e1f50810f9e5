//! Creating and running pages: the new-page form, the manage page and its
//! actions, and the contact form of organizations.

use super::posts::{Choice, reply_choices};
use super::{FormData, Layout, PageError, at_handle, profile_form, render, see_other};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::page::{AuditEntry, ContactMessage, Manager, Office, Role, Service};
use entremise_domain::post::ReplyControl;
use entremise_domain::profile::{Position, ProfileKind, ProfileRef};
use entremise_domain::service::{
    ContactFormRequest, InboxSettingsView, NewPageRequest, OfficeRequest, ServiceRequest,
};

#[derive(Template)]
#[template(path = "new_page.html")]
struct NewPage {
    l: Layout,
    kind: String,
    handle: String,
    name: String,
    parents: Vec<(String, String)>,
    errors: Vec<String>,
}

async fn administered_organizations(
    state: &AppState,
    ctx: &Ctx,
) -> Result<Vec<(String, String)>, Error> {
    let pages = state.app.pages().operated_pages(&ctx.viewer).await?;
    Ok(pages
        .into_iter()
        .filter(|(r, role)| r.kind == ProfileKind::Organization && role.administers())
        .map(|(r, _)| (r.handle.to_string(), r.name))
        .collect())
}

pub async fn new_page_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let parents = administered_organizations(&state, &ctx).await?;
    let l = Layout::new(
        &state,
        &ctx,
        state.catalog.get(ctx.locale, "new_page_title"),
    );
    Ok(render(&NewPage {
        l,
        kind: "organization".into(),
        handle: String::new(),
        name: String::new(),
        parents,
        errors: Vec::new(),
    }))
}

pub async fn create_page(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let parent = Some(form.get("parent").to_owned())
        .filter(|p| !p.is_empty() && form.get("kind") != "organization");
    let req = NewPageRequest {
        kind: form.get("kind").to_owned(),
        handle: form.get("handle").to_owned(),
        name: form.get("name").to_owned(),
        parent,
    };
    match state.app.pages().create_page(&ctx.viewer, req).await {
        Ok(page) => Ok(see_other(&format!("/@{}", page.handle))),
        Err(e @ Error::Unauthenticated) => Err(e.into()),
        Err(e) => {
            let parents = administered_organizations(&state, &ctx)
                .await
                .unwrap_or_default();
            let status = crate::error::status_of(&e);
            let l = Layout::new(
                &state,
                &ctx,
                state.catalog.get(ctx.locale, "new_page_title"),
            );
            let page = NewPage {
                l,
                kind: form.get("kind").to_owned(),
                handle: form.get("handle").to_owned(),
                name: form.get("name").to_owned(),
                parents,
                errors: super::account::form_errors(&e),
            };
            Ok((status, render(&page)).into_response())
        }
    }
}

pub async fn send_contact_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, handle) = profile_form(&ctx, &at, &body)?;
    let req = ContactFormRequest {
        name: form.get("name").to_owned(),
        email: form.get("email").to_owned(),
        message: form.get("message").to_owned(),
    };
    match state
        .app
        .pages()
        .send_contact_form(&ctx.viewer, &handle, req, &ctx.ip)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/@{handle}?sent=1#contact"))),
        Err(e @ (Error::Invalid(_) | Error::RateLimited { .. })) => {
            super::profile::show_with_contact_errors(
                &state,
                &ctx,
                &handle,
                super::account::form_errors(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "manage.html")]
struct Manage {
    l: Layout,
    handle: String,
    name: String,
    is_organization: bool,
    role: Role,
    role_label: String,
    managers: Vec<(Manager, String)>,
    offices: Vec<Office>,
    services: Vec<Service>,
    positions: Vec<(Position, ProfileRef)>,
    messages: Vec<ContactMessage>,
    audit: Vec<AuditEntry>,
    roles: Vec<(&'static str, String)>,
    /// The follow-up inbox settings, for the team members the domain
    /// shows them to.
    inbox: Option<InboxSettingsView>,
    /// The "who may comment" select of the inbox settings.
    inbox_replies: Vec<Choice>,
    inbox_saved: bool,
}

impl Manage {
    /// The label key of a reply control.
    fn replies_key(&self, r: &ReplyControl) -> String {
        format!("replies_{}", r.as_str())
    }
}

#[derive(serde::Deserialize)]
pub struct ManageQuery {
    saved: Option<String>,
}

pub async fn manage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ManageQuery>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let handle = at_handle(&at)?;
    let app = &state.app;
    let d = app.pages().page_details(&ctx.viewer, handle, None).await?;
    let role = d.role.ok_or(Error::NotFound)?;
    let admin = role.administers();
    let is_organization = d.profile.kind == ProfileKind::Organization;
    let managers = if admin {
        app.pages().managers(&ctx.viewer, handle).await?
    } else {
        Vec::new()
    };
    let audit = if admin {
        app.pages().audit_log(&ctx.viewer, handle, 50).await?
    } else {
        Vec::new()
    };
    let positions = if admin && is_organization {
        app.pages().positions_at(&ctx.viewer, handle).await?
    } else {
        Vec::new()
    };
    let messages = if role.edits() && is_organization {
        app.pages().contact_messages(&ctx.viewer, handle).await?
    } else {
        Vec::new()
    };
    let inbox = if role.edits() {
        app.inbox().settings(&ctx.viewer, handle).await.ok()
    } else {
        None
    };
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "manage_title"));
    let inbox_replies = match &inbox {
        Some(s) if admin => reply_choices(&l, Some(s.replies), false),
        _ => Vec::new(),
    };
    // Least power first, so the form's default grants the least.
    let roles = [Role::Editor, Role::Analyst, Role::Admin, Role::Owner]
        .into_iter()
        .filter(|r| role.may_assign(None, Some(*r)))
        .map(|r| (r.as_str(), l.t(role_key(r)).to_owned()))
        .collect();
    let managers = managers
        .into_iter()
        .map(|m| {
            let label = l.t(role_key(m.role)).to_owned();
            (m, label)
        })
        .collect();
    Ok(render(&Manage {
        role_label: l.t(role_key(role)).to_owned(),
        handle: d.profile.handle.to_string(),
        name: d.profile.display_name().to_owned(),
        is_organization,
        role,
        managers,
        offices: d.offices,
        services: d.services,
        positions,
        messages,
        audit,
        roles,
        inbox,
        inbox_replies,
        inbox_saved: q.saved.as_deref() == Some("inbox"),
        l,
    }))
}

pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Owner => "role_owner",
        Role::Admin => "role_admin",
        Role::Editor => "role_editor",
        Role::Analyst => "role_analyst",
    }
}

/// `POST /@page/manage/{managers|offices|services}`: add one.
pub async fn manage_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((at, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let handle = at_handle(&at)?;
    let app = &state.app;
    match action.as_str() {
        "managers" => {
            let role = Role::parse(form.get("role"))
                .ok_or_else(|| Error::invalid("role", "invalid", "Unknown role."))?;
            app.pages()
                .set_manager(&ctx.viewer, handle, form.get("member"), Some(role))
                .await?;
        }
        "offices" => {
            let phone = Some(form.get("phone").to_owned()).filter(|p| !p.trim().is_empty());
            let req = OfficeRequest {
                name: form.get("name").to_owned(),
                address: form.get("address").to_owned(),
                town: form.get("town").to_owned(),
                phone,
            };
            app.pages().add_office(&ctx.viewer, handle, req).await?;
        }
        "services" => {
            let description =
                Some(form.get("description").to_owned()).filter(|d| !d.trim().is_empty());
            let req = ServiceRequest {
                name: form.get("name").to_owned(),
                description,
            };
            app.pages().add_service(&ctx.viewer, handle, req).await?;
        }
        "inbox" => {
            let hours = form.get("response_target_hours").trim();
            let input = InboxSettingsView {
                response_target_hours: hours.parse().map_err(|_| {
                    Error::invalid("response_target_hours", "invalid", "a number of hours")
                })?,
                replies: ReplyControl::parse(form.get("replies"))
                    .ok_or_else(|| Error::invalid("replies", "invalid", "not a reply control"))?,
                keyword_filters: form
                    .get("keyword_filters")
                    .lines()
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect(),
            };
            app.inbox().set_settings(&ctx.viewer, handle, input).await?;
            return Ok(see_other(&format!("/@{handle}/manage?saved=inbox#inbox")));
        }
        _ => return Err(Error::NotFound.into()),
    }
    Ok(see_other(&format!("/@{handle}/manage")))
}

/// `POST /@page/manage/{action}/{id}`: remove a manager, delete an office
/// or a service, confirm or withdraw a position.
pub async fn manage_item_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((at, action, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    FormData::parse(&body, &ctx)?;
    let handle = at_handle(&at)?;
    let app = &state.app;
    let parse_id = || id.parse::<i64>().map_err(|_| Error::NotFound);
    match action.as_str() {
        "remove-manager" => {
            app.pages()
                .set_manager(&ctx.viewer, handle, &id, None)
                .await?
        }
        "delete-office" => {
            app.pages()
                .delete_office(&ctx.viewer, handle, parse_id()?.into())
                .await?
        }
        "delete-service" => {
            app.pages()
                .delete_service(&ctx.viewer, handle, parse_id()?.into())
                .await?
        }
        "confirm-position" => {
            app.pages()
                .confirm_position(&ctx.viewer, handle, parse_id()?.into(), true)
                .await?
        }
        "withdraw-position" => {
            app.pages()
                .confirm_position(&ctx.viewer, handle, parse_id()?.into(), false)
                .await?
        }
        _ => return Err(Error::NotFound.into()),
    }
    Ok(see_other(&format!("/@{handle}/manage")))
}
