//! "How you are connected" on a member's profile, and what a visitor does
//! from there: a contact request, removing a contact, blocking, the
//! member's contact list.

use super::account::form_errors;
use super::{FormData, Layout, PageError, at_handle, profile_form, render, safe_next, see_other};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use entremise_domain::Error;
use entremise_domain::error::Forbidden;
use entremise_domain::privacy::{Actions, Relation};
use entremise_domain::profile::{ProfileRef, ProfileView};
use entremise_domain::service::{Connection, ContactRequestInput, PathView};

/// One person on a path: a link, or "a contact of X" when hidden.
pub struct Hop {
    pub href: Option<String>,
    pub label: String,
}

impl Hop {
    pub fn member(handle: &str, label: impl Into<String>) -> Self {
        Self {
            href: Some(format!("/@{handle}")),
            label: label.into(),
        }
    }

    pub fn hidden(l: &Layout, previous: &str) -> Self {
        Self {
            href: None,
            label: format!("{} {previous}", l.t("conn_contact_of")),
        }
    }

    /// The first hop when hidden: one of the viewer's own contacts.
    pub fn yours(l: &Layout) -> Self {
        Self {
            href: None,
            label: l.t("conn_your_contact").to_owned(),
        }
    }
}

/// One introduction path the viewer may ask for.
pub struct PathRow {
    pub hops: Vec<Hop>,
    /// The intermediaries to name in the request; `None` when one of them
    /// is hidden (the best path is then chosen for the viewer).
    pub via: Option<String>,
}

/// The "how you are connected" box of a profile.
pub struct Reach {
    pub handle: String,
    pub name: String,
    pub degree: String,
    pub is_contact: bool,
    /// His setting lets the viewer send a request without proof.
    pub can_request: bool,
    /// His message setting lets the viewer write.
    pub can_message: bool,
    pub mutual: Vec<String>,
    pub paths: Vec<PathRow>,
    /// What happened after a form (a request was sent).
    pub notice: Option<String>,
    /// A problem the viewer can do something about.
    pub problem: Option<String>,
}

/// What the profile page shows after a form on it.
#[derive(Default)]
pub struct Flash {
    pub requested: bool,
    pub problem: Option<String>,
}

fn degree_key(degree: Option<u32>) -> &'static str {
    match degree {
        Some(1) => "conn_degree_1",
        Some(2) => "conn_degree_2",
        Some(3) => "conn_degree_3",
        _ => "conn_outside",
    }
}

fn path_row(l: &Layout, path: &PathView) -> PathRow {
    let mut hops = vec![Hop {
        href: None,
        label: l.t("conn_you").to_owned(),
    }];
    let mut previous = l.t("conn_you").to_owned();
    for (i, hop) in path.hops.iter().enumerate() {
        let next = match hop {
            Some(h) => Hop::member(h, format!("@{h}")),
            None if i == 0 => Hop::yours(l),
            None => Hop::hidden(l, &previous),
        };
        previous = next.label.clone();
        hops.push(next);
    }
    let via = path
        .hops
        .iter()
        .cloned()
        .collect::<Option<Vec<_>>>()
        .map(|v| v.join(","));
    PathRow { hops, via }
}

/// The box for a signed-in visitor of another person's profile, from
/// what the profile page's use case decided (connection and actions).
pub fn reach(
    l: &Layout,
    view: &ProfileView,
    c: &Connection,
    actions: &Actions,
    flash: Flash,
) -> Reach {
    let handle = view.handle.to_string();
    let mut paths: Vec<PathRow> = if actions.introduction {
        c.paths.iter().map(|p| path_row(l, p)).collect()
    } else {
        Vec::new()
    };
    for row in &mut paths {
        row.hops.push(Hop::member(&handle, view.display_name()));
    }
    Reach {
        degree: l.t(degree_key(c.degree)).to_owned(),
        is_contact: view.relation == Relation::Contact,
        can_request: actions.contact_request,
        can_message: actions.message,
        mutual: c.mutual_contacts.clone(),
        paths,
        notice: flash
            .requested
            .then(|| l.t("contact_request_sent").to_owned()),
        problem: flash.problem,
        name: view.display_name().to_owned(),
        handle,
    }
}

/// The message for an error the member can do something about, or `None`
/// when it deserves an error page. `name` is who he tried to reach.
pub fn fixable(l: &Layout, e: &Error, name: &str) -> Option<String> {
    let text = match e {
        Error::Forbidden(Forbidden::IntroductionRequired) => {
            l.t("reach_introduction_required").replace("{name}", name)
        }
        Error::Forbidden(Forbidden::MessagesClosed) => {
            l.t("reach_messages_closed").replace("{name}", name)
        }
        Error::Forbidden(Forbidden::BlockedParticipants) => {
            l.t("reach_blocked_participants").to_owned()
        }
        Error::Conflict { field: "contact" } => l.t("reach_already_contacts").to_owned(),
        Error::Conflict {
            field: "introduction",
        } => l.t("reach_introduction_pending").to_owned(),
        Error::Conflict {
            field: "contact_request",
        } => l.t("reach_already_requested").to_owned(),
        Error::Invalid(_) => form_errors(e).join(" "),
        Error::RateLimited { .. } => {
            format!("{}. {}", l.t("error_rate_limited"), e.public_message())
        }
        _ => return None,
    };
    Some(text)
}

/// Shows the member's profile again with what went wrong, or an error page.
pub async fn back_to_profile(
    state: &AppState,
    ctx: &Ctx,
    handle: &str,
    e: Error,
) -> Result<Response, PageError> {
    let l = Layout::new(state, ctx, "");
    let name = match state
        .app
        .profiles()
        .view_profile(&ctx.viewer, handle, None)
        .await
    {
        Ok(v) => v.display_name().to_owned(),
        Err(_) => return Err(e.into()),
    };
    match fixable(&l, &e, &name) {
        Some(problem) => {
            let flash = Flash {
                problem: Some(problem),
                ..Flash::default()
            };
            super::profile::show_with_flash(state, ctx, handle, flash).await
        }
        None => Err(e.into()),
    }
}

fn optional(form: &FormData, key: &str) -> Option<String> {
    Some(form.get(key).trim().to_owned()).filter(|v| !v.is_empty())
}

/// `POST /@handle/contact-request`: with a message, and optionally the
/// member's e-mail address or invitation code as proof of knowing him.
pub async fn send_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, handle) = profile_form(&ctx, &at, &body)?;
    let input = ContactRequestInput {
        to: handle.clone(),
        message: optional(&form, "message"),
        email: optional(&form, "email"),
        invitation_code: optional(&form, "invitation_code"),
    };
    match state
        .app
        .contacts()
        .send_contact_request(&ctx.viewer, input)
        .await
    {
        Ok(_) if !form.get("next").is_empty() => Ok(see_other(&safe_next(form.get("next")))),
        Ok(_) => Ok(see_other(&format!("/@{handle}?requested=1#connection"))),
        Err(e) => back_to_profile(&state, &ctx, &handle, e).await,
    }
}

/// `POST /@handle/remove-contact`.
pub async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    FormData::parse(&body, &ctx)?;
    let handle = at_handle(&at)?;
    state
        .app
        .contacts()
        .remove_contact(&ctx.viewer, handle)
        .await?;
    Ok(see_other(&format!("/@{handle}")))
}

/// `POST /@handle/block`: back to the network page, where blocks are
/// listed (a blocked member's profile is gone).
pub async fn block(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    blocking(&state, &ctx, &at, &body, true).await
}

/// `POST /@handle/unblock`.
pub async fn unblock(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    blocking(&state, &ctx, &at, &body, false).await
}

async fn blocking(
    state: &AppState,
    ctx: &Ctx,
    at: &str,
    body: &Bytes,
    block: bool,
) -> Result<Response, PageError> {
    FormData::parse(body, ctx)?;
    let h = at_handle(at)?;
    if block {
        state.app.contacts().block(&ctx.viewer, h).await?;
    } else {
        state.app.contacts().unblock(&ctx.viewer, h).await?;
    }
    Ok(see_other("/network#blocks"))
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactList {
    l: Layout,
    handle: String,
    name: String,
    contacts: Vec<ProfileRef>,
}

/// `GET /@handle/contacts`: as the member's contact-list audience allows.
pub async fn contacts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
) -> Result<Response, PageError> {
    let handle = at_handle(&at)?;
    let list = state
        .app
        .contacts()
        .contact_list(&ctx.viewer, handle)
        .await?;
    let name = list.member.name;
    let title = format!("{} {name}", state.catalog.get(ctx.locale, "contacts_title"));
    Ok(render(&ContactList {
        l: Layout::new(&state, &ctx, title),
        handle: handle.to_owned(),
        name,
        contacts: list.contacts,
    }))
}
