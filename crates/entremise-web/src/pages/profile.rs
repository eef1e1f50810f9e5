//! Profile pages: `/@handle`, its edit page, positions.

use super::connection::{self, Flash as ReachFlash, Reach};
use super::{FormData, Layout, PageError, at_handle, profile_form, render, see_other};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::ids::PositionId;
use entremise_domain::privacy::{
    Audience, ContactListAudience, ContactRequestPolicy, Field, MessagePolicy, Relation,
    VisitVisibility,
};
use entremise_domain::profile::{
    FieldValue, Position, ProfileKind, ProfilePatch, ProfileView, SettingsPatch,
};
use entremise_domain::service::{PageDetails, PositionRequest};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One labelled value of a profile.
pub struct Row {
    pub label: String,
    pub value: String,
    /// Shown as a link when set.
    pub href: Option<String>,
}

/// One choice of a select.
pub struct Opt {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct Show {
    l: Layout,
    d: PageDetails,
    /// The posts section (rendered by `feed::profile_section`), empty while
    /// the member views his profile as someone else.
    posts_html: String,
    kind_label: String,
    rows: Vec<Row>,
    view_as: Option<String>,
    view_as_links: Vec<Opt>,
    can_edit: bool,
    can_manage: bool,
    contact_sent: bool,
    contact_errors: Vec<String>,
    reach: Option<Reach>,
    /// Whether the viewer muted this member (`None`: himself, or not
    /// signed in).
    muted: Option<bool>,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    #[serde(rename = "as")]
    view_as: Option<String>,
    sent: Option<String>,
    requested: Option<String>,
}

fn kind_key(kind: ProfileKind) -> &'static str {
    match kind {
        ProfileKind::Person => "kind_person",
        ProfileKind::Organization => "kind_organization",
        ProfileKind::Brand => "kind_brand",
        ProfileKind::Persona => "kind_persona",
    }
}

fn rows_of(l: &Layout, v: &ProfileView) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut push = |key: &'static str, value: &Option<String>, href: Option<String>| {
        if let Some(value) = value {
            rows.push(Row {
                label: l.t(key).to_owned(),
                value: value.clone(),
                href,
            });
        }
    };
    push("field_location", &v.location, None);
    push("field_organization", &v.organization, None);
    push("field_website", &v.website, v.website.clone());
    push(
        "field_phone",
        &v.phone,
        v.phone
            .as_ref()
            .map(|p| format!("tel:{}", p.replace(' ', ""))),
    );
    push(
        "field_email",
        &v.email,
        v.email.as_ref().map(|e| format!("mailto:{e}")),
    );
    if let Some(langs) = &v.languages {
        rows.push(Row {
            label: l.t("field_languages").to_owned(),
            value: langs.join(", "),
            href: None,
        });
    }
    rows
}

const VIEW_AS: [(Relation, &str); 4] = [
    (Relation::Anonymous, "relation_anonymous"),
    (Relation::Member, "relation_member"),
    (Relation::Network, "relation_network"),
    (Relation::Contact, "relation_contact"),
];

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let handle = at_handle(&at)?;
    let view_as = crate::api::profiles::parse_view_as(q.view_as.as_deref())?;
    let flash = Flash {
        contact_sent: q.sent.is_some(),
        reach: ReachFlash {
            requested: q.requested.is_some(),
            problem: None,
        },
        ..Flash::default()
    };
    let page = show_page(&state, &ctx, handle, view_as, flash).await?;
    Ok(render(&page))
}

/// What a form on the profile page left to show.
#[derive(Default)]
struct Flash {
    contact_sent: bool,
    contact_errors: Vec<String>,
    reach: ReachFlash,
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    handle: &str,
    view_as: Option<Relation>,
    flash: Flash,
) -> Result<Show, Error> {
    let page = state
        .app
        .profiles()
        .profile_page(&ctx.viewer, handle, view_as)
        .await?;
    let posts_html = match page.viewing_as {
        Some(_) => String::new(),
        None => super::feed::profile_section(state, ctx, &page)?,
    };
    let l = Layout::new(state, ctx, page.details.profile.display_name());
    let reach = page
        .connection
        .as_ref()
        .map(|c| connection::reach(&l, &page.details.profile, c, &page.actions, flash.reach));
    let d = page.details;
    let rows = rows_of(&l, &d.profile);
    let active = page.viewing_as;
    let view_as_links = if d.is_self {
        VIEW_AS
            .iter()
            .map(|(r, key)| Opt {
                value: r.as_str(),
                label: l.t(key).to_owned(),
                selected: active == Some(*r),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (can_edit, can_manage) = (page.can_edit, page.can_manage);
    let muted = (ctx.viewer.signed_in.is_some() && !d.is_self && !can_manage)
        .then(|| state.app.moderation().muted(&ctx.viewer, d.profile.id));
    Ok(Show {
        muted,
        posts_html,
        kind_label: l.t(kind_key(d.profile.kind)).to_owned(),
        view_as: active.map(|r| {
            l.t(VIEW_AS.iter().find(|(x, _)| *x == r).map_or("", |(_, k)| k))
                .to_owned()
        }),
        rows,
        view_as_links,
        can_edit,
        can_manage,
        contact_sent: flash.contact_sent,
        contact_errors: flash.contact_errors,
        reach,
        l,
        d,
    })
}

/// The contact form's result is shown on the organization's page.
pub async fn show_with_contact_errors(
    state: &AppState,
    ctx: &Ctx,
    handle: &str,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let flash = Flash {
        contact_errors: errors,
        ..Flash::default()
    };
    let page = show_page(state, ctx, handle, None, flash).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// A member's profile again, with what a contact or introduction form
/// could not do.
pub async fn show_with_flash(
    state: &AppState,
    ctx: &Ctx,
    handle: &str,
    reach: ReachFlash,
) -> Result<Response, PageError> {
    let flash = Flash {
        reach,
        ..Flash::default()
    };
    let page = show_page(state, ctx, handle, None, flash).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// One editable field with its audience selector.
pub struct FieldRow {
    pub key: &'static str,
    pub label: String,
    pub value: String,
    pub multiline: bool,
    pub hint: String,
    pub audiences: Vec<Opt>,
}

/// One reach setting.
pub struct SettingRow {
    pub key: &'static str,
    pub label: String,
    pub options: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct Edit {
    l: Layout,
    handle: String,
    display_name: String,
    is_person: bool,
    fields: Vec<FieldRow>,
    settings: Vec<SettingRow>,
    positions: Vec<Position>,
    errors: Vec<String>,
    saved: bool,
    /// The member's e-mail preferences (his own person profile only).
    email: Option<super::email::EmailSection>,
}

const EDITABLE: [(Field, &str, bool); 10] = [
    (Field::Name, "field_name", false),
    (Field::Headline, "field_headline", false),
    (Field::About, "field_about", true),
    (Field::Location, "field_location", false),
    (Field::Organization, "field_organization", false),
    (Field::Skills, "field_skills", false),
    (Field::Languages, "field_languages", false),
    (Field::Website, "field_website", false),
    (Field::Phone, "field_phone", false),
    (Field::Email, "field_email", false),
];

/// Audiences offered for fields (one label each, GLOSSARY.md).
fn audience_options(l: &Layout, current: Audience) -> Vec<Opt> {
    Audience::ALL
        .into_iter()
        .map(|a| Opt {
            value: a.as_str(),
            label: l.t(audience_key(a)).to_owned(),
            selected: a == current,
        })
        .collect()
}

fn audience_key(a: Audience) -> &'static str {
    match a {
        Audience::Public => "audience_public",
        Audience::Members => "audience_members",
        Audience::Network => "audience_network",
        Audience::Contacts => "audience_contacts",
        Audience::OnlyMe => "audience_only_me",
    }
}

fn opts<T: PartialEq + Copy>(
    l: &Layout,
    current: T,
    choices: &[(T, &'static str, &'static str)],
) -> Vec<Opt> {
    choices
        .iter()
        .map(|(v, value, key)| Opt {
            value,
            label: l.t(key).to_owned(),
            selected: *v == current,
        })
        .collect()
}

const CONTACT_REQUESTS: [(ContactRequestPolicy, &str, &str); 3] = [
    (
        ContactRequestPolicy::Everyone,
        "everyone",
        "setting_requests_everyone",
    ),
    (
        ContactRequestPolicy::Network,
        "network",
        "setting_requests_network",
    ),
    (
        ContactRequestPolicy::Nobody,
        "nobody",
        "setting_requests_nobody",
    ),
];
const MESSAGES: [(MessagePolicy, &str, &str); 3] = [
    (
        MessagePolicy::Contacts,
        "contacts",
        "setting_messages_contacts",
    ),
    (
        MessagePolicy::ContactsAndGroups,
        "contacts_and_groups",
        "setting_messages_groups",
    ),
    (MessagePolicy::Nobody, "nobody", "setting_messages_nobody"),
];
const RELAY: [(bool, &str, &str); 2] = [
    (true, "true", "setting_relay_yes"),
    (false, "false", "setting_relay_no"),
];
const CONTACT_LIST: [(ContactListAudience, &str, &str); 4] = [
    (ContactListAudience::Members, "members", "audience_members"),
    (ContactListAudience::Network, "network", "audience_network"),
    (
        ContactListAudience::Contacts,
        "contacts",
        "audience_contacts",
    ),
    (ContactListAudience::OnlyMe, "only_me", "audience_only_me"),
];
const VISITS: [(VisitVisibility, &str, &str); 3] = [
    (VisitVisibility::Name, "name", "setting_visits_name"),
    (
        VisitVisibility::Organization,
        "organization",
        "setting_visits_organization",
    ),
    (
        VisitVisibility::Nothing,
        "nothing",
        "setting_visits_nothing",
    ),
];

fn edit_page(l: Layout, view: &ProfileView, errors: Vec<String>, saved: bool) -> Edit {
    let audiences = view.audiences.clone().unwrap_or_default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let list = |v: &Option<Vec<String>>| v.clone().unwrap_or_default().join(", ");
    let fields = EDITABLE
        .iter()
        .map(|(field, key, multiline)| {
            let value = match field {
                Field::Name => text(&view.name),
                Field::Headline => text(&view.headline),
                Field::About => text(&view.about),
                Field::Location => text(&view.location),
                Field::Organization => text(&view.organization),
                Field::Skills => list(&view.skills),
                Field::Languages => list(&view.languages),
                Field::Website => text(&view.website),
                Field::Phone => text(&view.phone),
                Field::Email => text(&view.email),
                _ => String::new(),
            };
            let hint = match field {
                Field::Skills | Field::Languages => l.t("hint_comma_separated").to_owned(),
                _ => String::new(),
            };
            FieldRow {
                key: field.as_str(),
                label: l.t(key).to_owned(),
                value,
                multiline: *multiline,
                hint,
                audiences: audience_options(
                    &l,
                    audiences.get(field).copied().unwrap_or(Audience::Public),
                ),
            }
        })
        .collect();
    let settings = match &view.settings {
        Some(s) => vec![
            SettingRow {
                key: "contact_requests",
                label: l.t("setting_requests").to_owned(),
                options: opts(&l, s.contact_requests, &CONTACT_REQUESTS),
            },
            SettingRow {
                key: "messages",
                label: l.t("setting_messages").to_owned(),
                options: opts(&l, s.messages, &MESSAGES),
            },
            SettingRow {
                key: "relay_introductions",
                label: l.t("setting_relay").to_owned(),
                options: opts(&l, s.relay_introductions, &RELAY),
            },
            SettingRow {
                key: "contact_list",
                label: l.t("setting_contact_list").to_owned(),
                options: opts(&l, s.contact_list, &CONTACT_LIST),
            },
            SettingRow {
                key: "visits",
                label: l.t("setting_visits").to_owned(),
                options: opts(&l, s.visits, &VISITS),
            },
        ],
        None => Vec::new(),
    };
    let positions_audience = audiences
        .get(&Field::Positions)
        .copied()
        .unwrap_or(Audience::Members);
    let mut fields: Vec<FieldRow> = fields;
    if view.kind == ProfileKind::Person {
        fields.push(FieldRow {
            key: "positions",
            label: l.t("field_positions").to_owned(),
            value: String::new(),
            multiline: false,
            hint: l.t("hint_positions").to_owned(),
            audiences: audience_options(&l, positions_audience),
        });
    }
    Edit {
        handle: view.handle.to_string(),
        display_name: view.display_name().to_owned(),
        is_person: view.kind == ProfileKind::Person,
        positions: view.positions.clone().unwrap_or_default(),
        fields,
        settings,
        errors,
        saved,
        email: None,
        l,
    }
}

#[derive(Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
    /// `saved` when the e-mail section was just saved.
    email: Option<String>,
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    Query(q): Query<EditQuery>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let handle = at_handle(&at)?;
    let view = state
        .app
        .profiles()
        .view_profile(&ctx.viewer, handle, None)
        .await?;
    if view.relation != Relation::Itself {
        return Err(Error::NotFound.into());
    }
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "edit_title"));
    let email = email_section(&state, &ctx, &l, &view, q.email.is_some()).await?;
    Ok(render(&Edit {
        email,
        ..edit_page(l, &view, Vec::new(), q.saved.is_some())
    }))
}

/// The e-mail section, shown on the member's own person profile (a page
/// he runs has none: mail goes to accounts).
async fn email_section(
    state: &AppState,
    ctx: &Ctx,
    l: &Layout,
    view: &ProfileView,
    saved: bool,
) -> Result<Option<super::email::EmailSection>, Error> {
    if view.kind != ProfileKind::Person {
        return Ok(None);
    }
    let preferences = state.app.mail().preferences(&ctx.viewer).await?;
    Ok(Some(super::email::section(l, preferences, saved)))
}

fn patch_from_form(form: &FormData, is_person: bool) -> Result<ProfilePatch, Error> {
    let mut fields = BTreeMap::new();
    let mut audiences = BTreeMap::new();
    for (field, _, _) in EDITABLE {
        let key = field.as_str();
        if let Some(v) = form.0.get(&format!("f_{key}")) {
            fields.insert(key.to_owned(), FieldValue::Text(v.clone()));
        }
        if let Some(a) = form.0.get(&format!("a_{key}")) {
            audiences.insert(key.to_owned(), a.clone());
        }
    }
    if let Some(a) = form.0.get("a_positions") {
        audiences.insert("positions".to_owned(), a.clone());
    }
    let settings = if is_person {
        let pick = |key: &str| {
            form.0
                .get(&format!("s_{key}"))
                .map(|v| serde_json::Value::String(v.clone()))
        };
        let mut obj = serde_json::Map::new();
        for key in ["contact_requests", "messages", "contact_list", "visits"] {
            if let Some(v) = pick(key) {
                obj.insert(key.to_owned(), v);
            }
        }
        if let Some(v) = form.0.get("s_relay_introductions") {
            obj.insert(
                "relay_introductions".into(),
                serde_json::Value::Bool(v == "true"),
            );
        }
        let s: SettingsPatch = serde_json::from_value(serde_json::Value::Object(obj))
            .map_err(|e| Error::invalid("settings", "invalid", e.to_string()))?;
        Some(s)
    } else {
        None
    };
    Ok(ProfilePatch {
        fields,
        audiences,
        settings,
    })
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, handle) = profile_form(&ctx, &at, &body)?;
    let result = async {
        let current = state
            .app
            .profiles()
            .view_profile(&ctx.viewer, &handle, None)
            .await?;
        let patch = patch_from_form(&form, current.kind == ProfileKind::Person)?;
        state
            .app
            .profiles()
            .update_profile(&ctx.viewer, &handle, &patch)
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/@{handle}/edit?saved=1"))),
        Err(e @ Error::Invalid(_)) => {
            let Ok(view) = state
                .app
                .profiles()
                .view_profile(&ctx.viewer, &handle, None)
                .await
            else {
                return Err(e.into());
            };
            let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "edit_title"));
            let errors = super::account::form_errors(&e);
            let email = email_section(&state, &ctx, &l, &view, false).await?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                render(&Edit {
                    email,
                    ..edit_page(l, &view, errors, false)
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_position(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let year = |k: &str| form.get(k).trim().parse::<i32>().ok();
    let handle = at_handle(&at)?;
    let req = PositionRequest {
        title: form.get("title").to_owned(),
        organization: form.get("organization").to_owned(),
        since_year: year("since_year"),
        until_year: year("until_year"),
    };
    state
        .app
        .pages()
        .add_position(&ctx.viewer, handle, req)
        .await?;
    Ok(see_other(&format!("/@{handle}/edit?saved=1")))
}

pub async fn delete_position(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((at, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    FormData::parse(&body, &ctx)?;
    let handle = at_handle(&at)?;
    let id: PositionId = id.parse().map_err(|_| Error::NotFound)?;
    state
        .app
        .profiles()
        .delete_position(&ctx.viewer, handle, id)
        .await?;
    Ok(see_other(&format!("/@{handle}/edit?saved=1")))
}
