//! Groups (hubs): `/groups` (my groups, finding one, creating one),
//! `/groups/{handle}` (the group: what it is, joining, its discussions and
//! its composer), `/groups/{handle}/members` (members; requests,
//! invitations and bans for moderators) and `/groups/{handle}/directory`
//! (the expert directory), with the forms they post.

use super::feed::read_composer;

use super::posts::{Card, card, problems};
use super::{FormData, FormRejected, Layout, PageError, render, see_other, urlencode};
use crate::auth::Ctx;
use crate::security;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::group::{GroupAct, GroupKind, GroupRole, Standing};
use entremise_domain::service::{
    ExpertView, GroupEditInput, GroupSummary, GroupView, MemberFilter, MemberView, MySettingsInput,
    NewGroupInput,
};
use serde::Deserialize;

/// Posts a group page shows at once.
const GROUP_POSTS: usize = 20;
/// Members a page lists at once.
const MEMBERS: usize = 50;

#[derive(Debug, Default, Deserialize)]
pub struct IndexQuery {
    #[serde(default)]
    q: String,
}

/// What the creation form held, to show it again with its problems.
#[derive(Debug, Default)]
struct NewGroupDraft {
    handle: String,
    name: String,
    kind: String,
    about: String,
    tags: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsIndex {
    l: Layout,
    mine: Vec<GroupSummary>,
    q: String,
    found: Option<Vec<GroupSummary>>,
    draft: NewGroupDraft,
}

impl GroupsIndex {
    fn kind_label(&self, kind: &GroupKind) -> &str {
        self.l.t(kind_key(*kind))
    }

    fn standing_label(&self, s: &Option<Standing>) -> String {
        match s {
            Some(s) => self.l.t(standing_key(*s)).to_owned(),
            None => String::new(),
        }
    }
}

fn kind_key(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Open => "group_kind_open",
        GroupKind::Closed => "group_kind_closed",
        GroupKind::Secret => "group_kind_secret",
    }
}

fn standing_key(s: Standing) -> &'static str {
    match s {
        Standing::Member => "group_standing_member",
        Standing::Pending => "group_standing_pending",
        Standing::Invited => "group_standing_invited",
        Standing::Banned => "group_standing_banned",
    }
}

fn role_key(r: GroupRole) -> &'static str {
    match r {
        GroupRole::Owner => "group_role_owner",
        GroupRole::Moderator => "group_role_moderator",
        GroupRole::Member => "group_role_member",
    }
}

/// `GET /groups`: the member's groups, a search, the creation form.
pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<IndexQuery>,
) -> Result<Response, PageError> {
    index_page(&state, &ctx, q.q, NewGroupDraft::default(), StatusCode::OK).await
}

async fn index_page(
    state: &AppState,
    ctx: &Ctx,
    q: String,
    draft: NewGroupDraft,
    status: StatusCode,
) -> Result<Response, PageError> {
    let groups = state.app.groups();
    let mine = if ctx.viewer.signed_in.is_some() {
        groups.mine(&ctx.viewer).await?
    } else {
        Vec::new()
    };
    let q = q.trim().to_owned();
    let found = if q.is_empty() {
        None
    } else {
        Some(groups.search(&ctx.viewer, &q, 50).await?)
    };
    let l = Layout::new(state, ctx, state.catalog.get(ctx.locale, "groups_title"));
    Ok((
        status,
        render(&GroupsIndex {
            l,
            mine,
            q,
            found,
            draft,
        }),
    )
        .into_response())
}

/// `POST /groups`: creates a group, then shows it.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let draft = NewGroupDraft {
        handle: form.get("handle").trim().to_owned(),
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
        about: form.get("about").to_owned(),
        tags: form.get("tags").to_owned(),
        errors: Vec::new(),
    };
    let l = Layout::new(&state, &ctx, "");
    let Some(kind) = GroupKind::parse(form.get("kind")) else {
        let errors = vec![l.t("group_error_kind").to_owned()];
        return index_page(
            &state,
            &ctx,
            String::new(),
            NewGroupDraft { errors, ..draft },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = NewGroupInput {
        handle: draft.handle.clone(),
        name: draft.name.clone(),
        kind,
        about: Some(draft.about.clone()),
        rules: None,
        tags: split_tags(&draft.tags),
        as_: None,
    };
    match state.app.groups().create(&ctx.viewer, input).await {
        Ok(created) => Ok(see_other(&format!("/groups/{}", created.handle))),
        Err(e) => match group_problems(&l, &e) {
            Some(errors) => {
                index_page(
                    &state,
                    &ctx,
                    String::new(),
                    NewGroupDraft { errors, ..draft },
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

/// Tags typed as a comma-separated list.
fn split_tags(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The words for a refused group form; `None` for an error page.
fn group_problems(l: &Layout, e: &Error) -> Option<Vec<String>> {
    match e {
        Error::Invalid(fields) => Some(
            fields
                .iter()
                .map(|f| {
                    let key = match f.field.as_str() {
                        "handle" => "group_error_handle",
                        "name" => "group_error_name",
                        "about" => "group_error_about",
                        "rules" => "group_error_rules",
                        "tags" | "expertise" => "group_error_tags",
                        _ => "",
                    };
                    if key.is_empty() {
                        format!("{}: {}", f.field, f.message)
                    } else {
                        l.t(key).to_owned()
                    }
                })
                .collect(),
        ),
        Error::Conflict { field: "handle" } => {
            Some(vec![l.t("group_error_handle_taken").to_owned()])
        }
        _ => problems(l, e),
    }
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage {
    l: Layout,
    g: GroupView,
    pinned: Vec<Card>,
    cards: Vec<Card>,
    more: Option<String>,
    /// The member's expertise tags, as the settings form shows them.
    expertise: String,
    errors: Vec<String>,
}

impl GroupPage {
    fn kind_label(&self) -> &str {
        self.l.t(kind_key(self.g.kind))
    }

    fn standing(&self) -> Option<Standing> {
        self.g.membership.as_ref().map(|m| m.standing)
    }

    fn role_label(&self) -> &str {
        match &self.g.membership {
            Some(m) if m.standing == Standing::Member => self.l.t(role_key(m.role)),
            Some(m) => self.l.t(standing_key(m.standing)),
            None => "",
        }
    }

    fn join_label(&self) -> &str {
        match (self.standing(), self.g.kind) {
            (Some(Standing::Invited), _) => self.l.t("group_accept_invitation"),
            (_, GroupKind::Closed) => self.l.t("group_ask_to_join"),
            _ => self.l.t("group_join"),
        }
    }

    fn leave_label(&self) -> &str {
        match self.standing() {
            Some(Standing::Pending) => self.l.t("group_withdraw_request"),
            Some(Standing::Invited) => self.l.t("group_decline_invitation"),
            _ => self.l.t("group_leave"),
        }
    }

    fn muted(&self) -> bool {
        self.g.membership.as_ref().is_some_and(|m| m.muted)
    }

    fn closely(&self) -> bool {
        self.g.membership.as_ref().is_some_and(|m| m.closely)
    }

    fn in_directory(&self) -> bool {
        self.g.membership.as_ref().is_none_or(|m| m.in_directory)
    }

    fn tags_line(&self) -> String {
        self.g.tags.join(", ")
    }

    fn member_count(&self) -> Option<String> {
        self.g
            .members
            .map(|n| self.l.count("group_member_count", n))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CursorQuery {
    #[serde(default)]
    cursor: Option<String>,
}

/// `GET /groups/{handle}`: the group, and, for members, its discussions.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    Query(q): Query<CursorQuery>,
) -> Result<Response, PageError> {
    group_page(
        &state,
        &ctx,
        &handle,
        q.cursor.as_deref(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn group_page(
    state: &AppState,
    ctx: &Ctx,
    handle: &str,
    cursor: Option<&str>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let app = &state.app;
    let g = app.groups().group(&ctx.viewer, handle).await?;
    let l = Layout::new(state, ctx, g.name.clone());
    let (cards, more, pinned) = if g.may.post {
        let page = app
            .posts()
            .group_feed(&ctx.viewer, handle, cursor, GROUP_POSTS)
            .await?;
        let mut pinned = Vec::new();
        for id in app.groups().pinned(&ctx.viewer, handle).await? {
            if let Ok(p) = app.posts().view_post(&ctx.viewer, id).await {
                pinned.push(card(&l, &p));
            }
        }
        let more = page
            .next
            .map(|n| format!("/groups/{handle}?cursor={}", urlencode(&n)));
        (
            page.items.iter().map(|p| card(&l, p)).collect(),
            more,
            pinned,
        )
    } else {
        (Vec::new(), None, Vec::new())
    };
    let expertise = g
        .membership
        .as_ref()
        .map(|m| m.expertise.join(", "))
        .unwrap_or_default();
    Ok((
        status,
        render(&GroupPage {
            l,
            g,
            pinned,
            cards,
            more,
            expertise,
            errors,
        }),
    )
        .into_response())
}

/// `POST /groups/{handle}/{action}`: join, leave, my settings, edit.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((handle, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let groups = state.app.groups();
    let done = match action.as_str() {
        "join" => groups.join(&ctx.viewer, &handle).await.map(|_| ()),
        "leave" => groups.leave(&ctx.viewer, &handle).await,
        "me" => groups
            .set_my_settings(
                &ctx.viewer,
                &handle,
                MySettingsInput {
                    expertise: Some(split_tags(form.get("expertise"))),
                    in_directory: Some(form.get("in_directory") == "on"),
                    muted: Some(form.get("muted") == "on"),
                    closely: Some(form.get("closely") == "on"),
                },
            )
            .await
            .map(|_| ()),
        "edit" => {
            groups
                .edit(
                    &ctx.viewer,
                    &handle,
                    GroupEditInput {
                        name: Some(form.get("name").to_owned()),
                        about: Some(form.get("about").to_owned()),
                        rules: Some(form.get("rules").to_owned()),
                        tags: Some(split_tags(form.get("tags"))),
                    },
                )
                .await
        }
        "remove-cover" => groups.set_cover(&ctx.viewer, &handle, None).await,
        "invite" => groups
            .moderate(
                &ctx.viewer,
                &handle,
                form.get("member").trim().trim_start_matches('@'),
                GroupAct::Invite,
            )
            .await
            .map(|_| ()),
        _ => return Err(Error::NotFound.into()),
    };
    match done {
        Ok(()) if action == "leave" => Ok(see_other("/groups")),
        Ok(()) if action == "invite" => Ok(see_other(&format!(
            "/groups/{handle}/members?standing=invited"
        ))),
        Ok(()) => Ok(see_other(&format!("/groups/{handle}"))),
        Err(e) => {
            let l = Layout::new(&state, &ctx, "");
            match group_problems(&l, &e) {
                Some(errors) if !matches!(e, Error::NotFound) => {
                    group_page(
                        &state,
                        &ctx,
                        &handle,
                        None,
                        errors,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                _ => Err(e.into()),
            }
        }
    }
}

/// `POST /groups/{handle}/cover` (multipart: the form token first, then
/// the image): uploads an image through the media pipeline and makes it
/// the group's cover (owners). A refused image shows the group again with
/// what went wrong.
pub async fn cover(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(handle): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    // As for the composer: who is asking, before the body is read.
    if ctx.viewer.signed_in.is_none() {
        return Ok(see_other("/signin"));
    }
    if !security::has_form_cookie(&headers, &state, &ctx.csrf) {
        return Err(FormRejected::BadToken.into());
    }
    let Ok(_permit) = state.composer_bodies.clone().try_acquire_owned() else {
        return Err(FormRejected::Busy.into());
    };
    let form = read_composer(&state, &ctx.csrf, multipart).await?;
    let l = Layout::new(&state, &ctx, "");
    let again = |errors: Vec<String>| {
        group_page(
            &state,
            &ctx,
            &handle,
            None,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if !form.too_large.is_empty() {
        return again(vec![l.t("post_error_image_too_large").to_owned()]).await;
    }
    let Some(bytes) = form.images.first() else {
        return again(vec![l.t("group_error_cover_missing").to_owned()]).await;
    };
    let groups = state.app.groups();
    // Only an owner may set it: asked before the image is stored.
    if !groups.group(&ctx.viewer, &handle).await?.may.own {
        return Err(Error::Forbidden(entremise_domain::error::Forbidden::InsufficientRole).into());
    }
    let done = match state
        .app
        .posts()
        .upload_media(&ctx.viewer, bytes.clone(), form.alt_of(0))
        .await
    {
        Ok(media) => {
            groups
                .set_cover(&ctx.viewer, &handle, Some(&media.id.to_string()))
                .await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(see_other(&format!("/groups/{handle}"))),
        Err(e) => match problems(&l, &e) {
            Some(errors) if !matches!(e, Error::NotFound) => again(errors).await,
            _ => Err(e.into()),
        },
    }
}

/// `POST /groups/{handle}/pins/{post}/{pin|unpin}` (moderators).
pub async fn pin(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((handle, post, action)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    FormData::parse(&body, &ctx)?;
    let pinned = match action.as_str() {
        "pin" => true,
        "unpin" => false,
        _ => return Err(Error::NotFound.into()),
    };
    let post: i64 = post.parse().map_err(|_| Error::NotFound)?;
    state
        .app
        .groups()
        .pin(&ctx.viewer, &handle, post, pinned)
        .await?;
    Ok(see_other(&format!("/groups/{handle}")))
}

/// One membership as the members page shows it, with the moderator's acts.
struct MemberRow {
    m: MemberView,
    role: String,
    acts: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "group_members.html")]
struct MembersPage {
    l: Layout,
    g: GroupView,
    standing: &'static str,
    rows: Vec<MemberRow>,
    more: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MembersQuery {
    #[serde(default)]
    standing: String,
    #[serde(default)]
    cursor: Option<String>,
}

/// `GET /groups/{handle}/members`: members, or (moderators) requests,
/// invitations and bans.
pub async fn members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    Query(q): Query<MembersQuery>,
) -> Result<Response, PageError> {
    let groups = state.app.groups();
    let filter = match q.standing.as_str() {
        "" => MemberFilter::Members,
        s => MemberFilter::parse(s).ok_or(Error::NotFound)?,
    };
    let g = groups.group(&ctx.viewer, &handle).await?;
    let page = groups
        .members(&ctx.viewer, &handle, filter, q.cursor.as_deref(), MEMBERS)
        .await?;
    let l = Layout::new(
        &state,
        &ctx,
        format!(
            "{} · {}",
            g.name,
            state.catalog.get(ctx.locale, "group_members")
        ),
    );
    let standing = match filter {
        MemberFilter::Members => "member",
        MemberFilter::Pending => "pending",
        MemberFilter::Invited => "invited",
        MemberFilter::Banned => "banned",
    };
    let owner = g.may.own;
    let rows = page
        .items
        .into_iter()
        .map(|m| {
            let acts: Vec<GroupAct> = if !g.may.moderate {
                Vec::new()
            } else {
                match (m.standing, m.role) {
                    (Standing::Pending, _) => vec![GroupAct::Approve, GroupAct::Decline],
                    (Standing::Invited, _) => vec![GroupAct::Remove],
                    (Standing::Banned, _) => vec![GroupAct::Unban],
                    (Standing::Member, GroupRole::Member) if owner => vec![
                        GroupAct::SetRole(GroupRole::Moderator),
                        GroupAct::Remove,
                        GroupAct::Ban,
                    ],
                    (Standing::Member, GroupRole::Member) => vec![GroupAct::Remove, GroupAct::Ban],
                    (Standing::Member, GroupRole::Moderator) if owner => vec![
                        GroupAct::SetRole(GroupRole::Owner),
                        GroupAct::SetRole(GroupRole::Member),
                    ],
                    (Standing::Member, _) => Vec::new(),
                }
            };
            MemberRow {
                role: match m.standing {
                    Standing::Member => l.t(role_key(m.role)).to_owned(),
                    other => l.t(standing_key(other)).to_owned(),
                },
                acts: acts
                    .into_iter()
                    .map(|a| {
                        (
                            a.as_str(),
                            l.t(&format!("group_act_{}", a.as_str())).to_owned(),
                        )
                    })
                    .collect(),
                m,
            }
        })
        .collect();
    let more = page.next.map(|n| {
        format!(
            "/groups/{handle}/members?standing={standing}&cursor={}",
            urlencode(&n)
        )
    });
    Ok(render(&MembersPage {
        l,
        g,
        standing,
        rows,
        more,
    }))
}

/// `POST /groups/{handle}/members/{member}/{act}` (moderators).
pub async fn member_act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((handle, member, act)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let act = GroupAct::parse(&act).ok_or(Error::NotFound)?;
    state
        .app
        .groups()
        .moderate(&ctx.viewer, &handle, &member, act)
        .await?;
    let standing = match form.get("standing") {
        s @ ("pending" | "invited" | "banned") => s,
        _ => "member",
    };
    Ok(see_other(&format!(
        "/groups/{handle}/members?standing={standing}"
    )))
}

#[derive(Template)]
#[template(path = "group_directory.html")]
struct DirectoryPage {
    l: Layout,
    g: GroupView,
    q: String,
    experts: Vec<ExpertView>,
}

impl DirectoryPage {
    fn role_label(&self, r: &GroupRole) -> &str {
        self.l.t(role_key(*r))
    }

    /// What a member showed in the group, in words.
    fn activity(&self, e: &ExpertView) -> String {
        format!(
            "{} · {} · {}",
            self.l.count("group_posts_count", e.posts),
            self.l.count("group_answers_count", e.answers),
            self.l.count("group_reactions_count", e.reactions)
        )
    }
}

/// `GET /groups/{handle}/directory`: who knows what in the group.
pub async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    Query(q): Query<IndexQuery>,
) -> Result<Response, PageError> {
    let groups = state.app.groups();
    let g = groups.group(&ctx.viewer, &handle).await?;
    let query = q.q.trim().to_owned();
    let page = groups
        .directory(
            &ctx.viewer,
            &handle,
            Some(query.as_str()).filter(|s| !s.is_empty()),
            None,
            100,
        )
        .await?;
    let l = Layout::new(
        &state,
        &ctx,
        format!(
            "{} · {}",
            g.name,
            state.catalog.get(ctx.locale, "group_directory")
        ),
    );
    Ok(render(&DirectoryPage {
        l,
        g,
        q: query,
        experts: page.items,
    }))
}
