//! Moderation pages: muting a member and one's muted words
//! (`/settings/mutes`), reporting (`/report`) and following one's reports
//! (`/reports`), editing, deleting, hiding or removing a comment, the
//! moderation queues (`/moderation`), their log (`/moderation/log`) and a
//! decision as its member reads it (`/moderation/decisions/{id}`).

use super::posts::{When, when};
use super::{FormData, Layout, PageError, at_handle, render, see_other, urlencode};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::moderation::{
    Action, ReportReason, ReportRequest, TargetKind, TargetRequest,
};
use entremise_domain::service::{DecisionInput, LogView, QueueItem, TargetView};
use serde::Deserialize;

/// The words for a refused form: each known problem in the page's
/// language, any other as the server words it.
fn problems(l: &Layout, e: &Error) -> Option<Vec<String>> {
    match e {
        Error::Invalid(fields) => Some(
            fields
                .iter()
                .map(|f| {
                    let key = format!("mod_error_{}_{}", f.field.replace('.', "_"), f.reason);
                    let text = l.t(&key);
                    if text == key {
                        format!("{}: {}", f.field, f.message)
                    } else {
                        text.to_owned()
                    }
                })
                .collect(),
        ),
        Error::RateLimited { .. } => Some(vec![l.t("mod_error_rate_limited").to_owned()]),
        _ => None,
    }
}

/// Where a reported thing is seen, when it has a page.
fn target_href(t: &TargetView, post: Option<&str>) -> Option<String> {
    match t.kind {
        TargetKind::Post => t.id.as_ref().map(|id| format!("/posts/{id}")),
        TargetKind::Comment => match (post, &t.id) {
            (Some(p), Some(id)) => Some(format!("/posts/{p}#comment-{id}")),
            _ => None,
        },
        TargetKind::Message => None,
        TargetKind::Profile => t.handle.as_ref().map(|h| format!("/@{h}")),
        TargetKind::Group => t.handle.as_ref().map(|h| format!("/groups/{h}")),
    }
}

// ---- muting ------------------------------------------------------------

/// `POST /@handle/mute` and `/@handle/unmute`: back to the profile.
pub async fn mute(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    muting(&state, &ctx, &at, &body, true).await
}

pub async fn unmute(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    muting(&state, &ctx, &at, &body, false).await
}

async fn muting(
    state: &AppState,
    ctx: &Ctx,
    at: &str,
    body: &Bytes,
    on: bool,
) -> Result<Response, PageError> {
    let form = FormData::parse(body, ctx)?;
    let handle = at_handle(at)?;
    state.app.moderation().mute(&ctx.viewer, handle, on).await?;
    let back = match form.get("next") {
        "" => format!("/@{handle}"),
        next => super::safe_next(next),
    };
    Ok(see_other(&back))
}

#[derive(Template)]
#[template(path = "mutes.html")]
struct MutesPage {
    l: Layout,
    muted: Vec<(String, String)>,
    words: String,
    saved: bool,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `/settings/mutes`: the members one muted, one's muted words.
pub async fn mutes(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let words = state.app.moderation().muted_words(&ctx.viewer).await?;
    mutes_page(
        &state,
        &ctx,
        words.join("\n"),
        q.saved.is_some(),
        Vec::new(),
    )
    .await
}

async fn mutes_page(
    state: &AppState,
    ctx: &Ctx,
    words: String,
    saved: bool,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let muted = state
        .app
        .moderation()
        .mutes(&ctx.viewer)
        .await?
        .into_iter()
        .map(|r| (r.handle.to_string(), r.name))
        .collect();
    let l = Layout::new(state, ctx, state.catalog.get(ctx.locale, "mutes_title"));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        render(&MutesPage {
            l,
            muted,
            words,
            saved,
            errors,
        }),
    )
        .into_response())
}

/// `POST /settings/mutes`: one's muted words, one per line.
pub async fn save_words(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let raw = form.get("words").to_owned();
    let words: Vec<String> = raw.lines().map(str::to_owned).collect();
    match state
        .app
        .moderation()
        .set_muted_words(&ctx.viewer, &words)
        .await
    {
        Ok(_) => Ok(see_other("/settings/mutes?saved=1")),
        Err(e) => {
            let l = Layout::new(&state, &ctx, "");
            match problems(&l, &e) {
                Some(errors) => mutes_page(&state, &ctx, raw, false, errors).await,
                None => Err(e.into()),
            }
        }
    }
}

// ---- reporting -----------------------------------------------------------

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    l: Layout,
    kind: String,
    id: String,
    handle: String,
    /// What is reported, in words ("this comment").
    what: String,
    reasons: Vec<(&'static str, String, bool)>,
    note: String,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub struct ReportQuery {
    kind: Option<String>,
    id: Option<String>,
    handle: Option<String>,
}

/// What the report form holds: what is reported, and what was chosen.
struct ReportForm<'a> {
    kind: TargetKind,
    id: &'a str,
    handle: &'a str,
    chosen: Option<ReportReason>,
    note: String,
}

fn report_page(state: &AppState, ctx: &Ctx, form: ReportForm<'_>, errors: Vec<String>) -> Response {
    let l = Layout::new(state, ctx, state.catalog.get(ctx.locale, "report_title"));
    let reasons = ReportReason::ALL
        .iter()
        .map(|r| {
            (
                r.as_str(),
                l.t(&format!("reason_{}", r.as_str())).to_owned(),
                form.chosen == Some(*r),
            )
        })
        .collect();
    let what = l
        .t(&format!("report_what_{}", form.kind.as_str()))
        .to_owned();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        render(&ReportPage {
            kind: form.kind.as_str().to_owned(),
            id: form.id.to_owned(),
            handle: form.handle.to_owned(),
            what,
            reasons,
            note: form.note,
            errors,
            l,
        }),
    )
        .into_response()
}

/// `GET /report?kind=comment&id=…` (or `handle=…` for a profile or group).
pub async fn report_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let kind = q
        .kind
        .as_deref()
        .and_then(TargetKind::parse)
        .ok_or(Error::NotFound)?;
    Ok(report_page(
        &state,
        &ctx,
        ReportForm {
            kind,
            id: q.id.as_deref().unwrap_or_default(),
            handle: q.handle.as_deref().unwrap_or_default(),
            chosen: None,
            note: String::new(),
        },
        Vec::new(),
    ))
}

/// `POST /report`: files the report, then shows one's reports.
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let kind = TargetKind::parse(form.get("kind")).ok_or(Error::NotFound)?;
    let (id, handle) = (form.get("id"), form.get("handle"));
    let reason = ReportReason::parse(form.get("reason"));
    let note = form.get("note").to_owned();
    let l = Layout::new(&state, &ctx, "");
    let Some(reason) = reason else {
        let errors = vec![l.t("report_error_reason").to_owned()];
        return Ok(report_page(
            &state,
            &ctx,
            ReportForm {
                kind,
                id,
                handle,
                chosen: None,
                note,
            },
            errors,
        ));
    };
    let request = ReportRequest {
        target: TargetRequest {
            kind,
            id: (!id.is_empty()).then(|| id.to_owned()),
            handle: (!handle.is_empty()).then(|| handle.to_owned()),
        },
        reason,
        note: Some(note.clone()),
    };
    match state.app.moderation().report(&ctx.viewer, request).await {
        Ok(_) => Ok(see_other("/reports?filed=1")),
        Err(e) => match problems(&l, &e) {
            Some(errors) => Ok(report_page(
                &state,
                &ctx,
                ReportForm {
                    kind,
                    id,
                    handle,
                    chosen: Some(reason),
                    note,
                },
                errors,
            )),
            None => Err(e.into()),
        },
    }
}

pub struct MyReportRow {
    pub what: String,
    pub href: Option<String>,
    pub reason: String,
    pub status: String,
    pub status_class: &'static str,
    pub at: When,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    l: Layout,
    rows: Vec<MyReportRow>,
    filed: bool,
}

#[derive(Deserialize)]
pub struct FiledQuery {
    filed: Option<String>,
}

/// `/reports`: one's reports and what became of them.
pub async fn my_reports(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FiledQuery>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let reports = state.app.moderation().my_reports(&ctx.viewer).await?;
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "reports_title"));
    let rows = reports
        .iter()
        .map(|r| {
            let status = match (r.status, r.action) {
                (entremise_domain::moderation::ReportStatus::Open, _) => {
                    l.t("report_status_open").to_owned()
                }
                (entremise_domain::moderation::ReportStatus::Dismissed, _) => {
                    l.t("report_status_dismissed").to_owned()
                }
                (_, Some(a)) => l
                    .t("report_status_actioned")
                    .replace("{action}", l.t(&format!("action_done_{}", a.as_str()))),
                (_, None) => l.t("report_status_actioned").replace("{action}", ""),
            };
            MyReportRow {
                what: l
                    .t(&format!("report_what_{}", r.target.kind.as_str()))
                    .to_owned(),
                href: match r.target.kind {
                    TargetKind::Comment => None,
                    _ => target_href(&r.target, None),
                },
                reason: l.t(&format!("reason_{}", r.reason.as_str())).to_owned(),
                status,
                status_class: r.status.as_str(),
                at: when(r.created_at),
            }
        })
        .collect();
    Ok(render(&ReportsPage {
        l,
        rows,
        filed: q.filed.is_some(),
    }))
}

// ---- comments ---------------------------------------------------------------

/// Back to the comment on its post.
fn comment_anchor(post: &str, comment: i64) -> String {
    format!("/posts/{post}#comment-{comment}")
}

/// `POST /comments/{id}/edit`, `/comments/{id}/delete` and
/// `/comments/{id}/moderation` (`action`: hide, remove, lift).
pub async fn comment_act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, act)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let post = form.get("post").to_owned();
    let posts = state.app.posts();
    match act.as_str() {
        "edit" => {
            posts
                .edit_comment(&ctx.viewer, id, form.get("text"))
                .await?;
            Ok(see_other(&comment_anchor(&post, id)))
        }
        "delete" => {
            posts.delete_comment(&ctx.viewer, id).await?;
            Ok(see_other(&format!("/posts/{post}#comments")))
        }
        "moderation" => {
            let action = Action::parse(form.get("action"))
                .ok_or_else(|| Error::invalid("action", "invalid", "hide, remove or lift"))?;
            let reason = form.get("reason");
            state
                .app
                .moderation()
                .moderate_comment(&ctx.viewer, id, action, Some(reason))
                .await?;
            Ok(see_other(&comment_anchor(&post, id)))
        }
        _ => Err(Error::NotFound.into()),
    }
}

// ---- queues ------------------------------------------------------------------

pub struct QueueLink {
    pub name: String,
    pub label: String,
    pub current: bool,
}

pub struct ReportLine {
    pub reason: String,
    pub note: Option<String>,
    pub reporter: Option<(String, String)>,
    pub reporter_reports: Option<String>,
    pub status: String,
    pub at: When,
}

pub struct ItemRow {
    pub report_id: String,
    pub what: String,
    pub href: Option<String>,
    pub member_handle: String,
    pub member_name: String,
    pub snapshot: String,
    pub open: bool,
    pub reports: Vec<ReportLine>,
    pub reports_title: String,
    pub actions: Vec<(&'static str, String)>,
    pub history: String,
    pub past: Vec<String>,
}

pub struct HeldRow {
    pub id: i64,
    pub post: i64,
    pub author_handle: String,
    pub author_name: String,
    pub text: String,
    pub at: When,
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    l: Layout,
    /// Comments the page's keyword filters hold (a page's queue).
    held: Vec<HeldRow>,
    queues: Vec<QueueLink>,
    queue: String,
    /// `queue` for a query string.
    queue_q: String,
    /// `queue` in words.
    queue_label: String,
    all: bool,
    items: Vec<ItemRow>,
    errors: Vec<String>,
    decided: bool,
}

#[derive(Deserialize)]
pub struct QueueQuery {
    queue: Option<String>,
    all: Option<String>,
    decided: Option<String>,
}

fn queue_label(l: &Layout, name: &str) -> String {
    match name.split_once(':') {
        Some(("page", h)) => l.t("queue_page").replace("{handle}", h),
        Some(("group", h)) => l.t("queue_group").replace("{handle}", h),
        _ => l.t("queue_instance").to_owned(),
    }
}

fn log_line(l: &Layout, e: &LogView) -> String {
    let action = e
        .action
        .map(|a| l.t(&format!("action_done_{}", a.as_str())).to_owned())
        .unwrap_or_else(|| l.t("log_viewed_through_block").to_owned());
    let actor = e.actor.as_ref().map_or(String::new(), |a| a.name.clone());
    let mut line = format!("{} · {} · {}", when(e.at).shown, action, actor);
    if !e.reason.is_empty() {
        line.push_str(" — ");
        line.push_str(&e.reason);
    }
    line
}

fn item_row(l: &Layout, item: &QueueItem) -> ItemRow {
    let first = item.reports.first().map(|r| r.id).unwrap_or_default();
    let s = &item.history.sanction;
    let mut history = l.count("history_reports", item.history.reports_against);
    if s.limited {
        history.push_str(" · ");
        history.push_str(l.t("history_limited"));
    }
    if let Some(until) = s.suspended_until {
        history.push_str(" · ");
        history.push_str(
            &l.t("history_suspended")
                .replace("{until}", &until.date().to_string()),
        );
    }
    ItemRow {
        report_id: first.to_string(),
        what: l
            .t(&format!("report_what_{}", item.target.kind.as_str()))
            .to_owned(),
        href: target_href(&item.target, item.snapshot.post.as_deref()),
        member_handle: item.member.handle.to_string(),
        member_name: item.member.name.clone(),
        snapshot: item.snapshot.text.clone(),
        open: item.status == entremise_domain::moderation::ReportStatus::Open,
        reports_title: l.count("moderation_reports", item.reports.len() as u64),
        reports: item
            .reports
            .iter()
            .map(|r| ReportLine {
                reason: l.t(&format!("reason_{}", r.reason.as_str())).to_owned(),
                note: r.note.clone(),
                reporter: r
                    .reporter
                    .as_ref()
                    .map(|p| (p.handle.to_string(), p.name.clone())),
                reporter_reports: r.reporter_reports.map(|n| l.count("reporter_reports", n)),
                status: l
                    .t(&format!("report_state_{}", r.status.as_str()))
                    .to_owned(),
                at: when(r.created_at),
            })
            .collect(),
        actions: item
            .actions
            .iter()
            .map(|a| {
                (
                    a.as_str(),
                    l.t(&format!("action_{}", a.as_str())).to_owned(),
                )
            })
            .collect(),
        history,
        past: item
            .history
            .decisions
            .iter()
            .map(|e| log_line(l, e))
            .collect(),
    }
}

/// `/moderation?queue=…`: a queue's reports grouped by target.
pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    queue_page(
        &state,
        &ctx,
        q.queue,
        q.all.is_some(),
        q.decided.is_some(),
        Vec::new(),
    )
    .await
}

async fn queue_page(
    state: &AppState,
    ctx: &Ctx,
    queue: Option<String>,
    all: bool,
    decided: bool,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let moderation = state.app.moderation();
    let mine = moderation.my_queues(&ctx.viewer).await?;
    let queue = match queue.filter(|q| !q.is_empty()) {
        Some(q) => q,
        None => mine
            .first()
            .cloned()
            .unwrap_or_else(|| "instance".to_owned()),
    };
    let items = moderation.queue(&ctx.viewer, Some(&queue), all).await?;
    let held = moderation
        .held(&ctx.viewer, Some(&queue))
        .await?
        .into_iter()
        .map(|h| HeldRow {
            id: h.id,
            post: h.post,
            author_handle: h.author.handle.to_string(),
            author_name: h.author.name,
            text: h.text,
            at: when(h.created_at),
        })
        .collect();
    let l = Layout::new(
        state,
        ctx,
        state.catalog.get(ctx.locale, "moderation_title"),
    );
    let queues = mine
        .iter()
        .map(|name| QueueLink {
            label: queue_label(&l, name),
            current: *name == queue,
            name: urlencode(name),
        })
        .collect();
    let items = items.iter().map(|i| item_row(&l, i)).collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        render(&QueuePage {
            held,
            queues,
            queue_q: urlencode(&queue),
            queue_label: queue_label(&l, &queue),
            queue,
            all,
            items,
            errors,
            decided,
            l,
        }),
    )
        .into_response())
}

/// `POST /moderation/held/{id}/publish`: back to the page's queue.
pub async fn publish_held(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    state.app.moderation().publish_held(&ctx.viewer, id).await?;
    Ok(see_other(&format!(
        "/moderation?queue={}",
        urlencode(form.get("queue"))
    )))
}

/// `POST /moderation/reports/{id}/decision`.
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let queue = form.get("queue").to_owned();
    let l = Layout::new(&state, &ctx, "");
    let Some(action) = Action::parse(form.get("action")) else {
        let errors = vec![l.t("mod_error_action_invalid").to_owned()];
        return queue_page(&state, &ctx, Some(queue), false, false, errors).await;
    };
    let days = match form.get("days").trim() {
        "" => None,
        raw => raw.parse().ok(),
    };
    let input = DecisionInput {
        queue: Some(queue.clone()),
        action,
        reason: Some(form.get("reason").to_owned()),
        days,
    };
    match state.app.moderation().decide(&ctx.viewer, id, input).await {
        Ok(_) => Ok(see_other(&format!(
            "/moderation?queue={}&decided=1",
            urlencode(&queue)
        ))),
        Err(e) => match problems(&l, &e) {
            Some(errors) => queue_page(&state, &ctx, Some(queue), false, false, errors).await,
            None => Err(e.into()),
        },
    }
}

pub struct LogRow {
    pub at: When,
    pub queue: String,
    pub action: String,
    pub what: String,
    pub href: Option<String>,
    pub member: Option<(String, String)>,
    pub actor: Option<(String, String)>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "moderation_log.html")]
struct LogPage {
    l: Layout,
    queue: String,
    queue_label: String,
    rows: Vec<LogRow>,
    older: Option<String>,
}

#[derive(Deserialize)]
pub struct LogQuery {
    queue: Option<String>,
    before: Option<String>,
}

/// `/moderation/log?queue=…`: who did what, on what, and why.
pub async fn log(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LogQuery>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let queue = q.queue.unwrap_or_else(|| "instance".to_owned());
    let before = q.before.as_deref().and_then(|b| b.parse().ok());
    let entries = state
        .app
        .moderation()
        .log(
            &ctx.viewer,
            Some(&queue),
            before,
            entremise_domain::service::LOG_SHOWN,
        )
        .await?;
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "log_title"));
    let older = (entries.len() == entremise_domain::service::LOG_SHOWN)
        .then(|| entries.last().map(|e| e.id.to_string()))
        .flatten();
    let rows = entries
        .iter()
        .map(|e| LogRow {
            at: when(e.at),
            queue: queue_label(&l, &e.queue),
            action: e
                .action
                .map(|a| l.t(&format!("action_done_{}", a.as_str())).to_owned())
                .unwrap_or_else(|| l.t("log_viewed_through_block").to_owned()),
            what: l
                .t(&format!("report_what_{}", e.target.kind.as_str()))
                .to_owned(),
            href: match e.target.kind {
                TargetKind::Comment => None,
                _ => target_href(&e.target, None),
            },
            member: e
                .member
                .as_ref()
                .map(|m| (m.handle.to_string(), m.name.clone())),
            actor: e
                .actor
                .as_ref()
                .map(|m| (m.handle.to_string(), m.name.clone())),
            reason: e.reason.clone(),
        })
        .collect();
    Ok(render(&LogPage {
        queue_label: queue_label(&l, &queue),
        queue: urlencode(&queue),
        rows,
        older,
        l,
    }))
}

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    l: Layout,
    action: String,
    what: String,
    reason: Option<String>,
    concerns_me: bool,
    until: Option<String>,
    at: When,
}

/// `/moderation/decisions/{id}`: a decision as its member (what, why, how
/// to appeal) or a reporter (what was done) reads it.
pub async fn decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let d = state.app.moderation().decision(&ctx.viewer, id).await?;
    let l = Layout::new(
        &state,
        &ctx,
        state.catalog.get(ctx.locale, "decision_title"),
    );
    Ok(render(&DecisionPage {
        action: d
            .action
            .map(|a| l.t(&format!("action_done_{}", a.as_str())).to_owned())
            .unwrap_or_default(),
        what: l
            .t(&format!("report_what_{}", d.target.kind.as_str()))
            .to_owned(),
        reason: d.reason,
        concerns_me: d.concerns_me,
        until: d.until.map(|u| u.date().to_string()),
        at: when(d.at),
        l,
    }))
}
