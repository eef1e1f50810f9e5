//! `/messages`: the viewer's conversations and one thread.

use super::connection::fixable;
use super::{FormData, Layout, PageError, render, see_other};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::conversation::{ConversationView, MessageView};
use entremise_domain::service::NewConversationInput;
use serde::Deserialize;

/// How many messages a thread shows at once.
const PAGE: usize = 50;
/// Seconds between two refreshes of an open thread (assets/app.js).
const REFRESH_SECS: u32 = 15;

#[derive(Template)]
#[template(path = "messages.html")]
struct Inbox {
    l: Layout,
    conversations: Vec<ConversationView>,
    unread: u64,
    with: String,
    errors: Vec<String>,
}

/// One message of a thread.
pub struct Line {
    pub id: i64,
    pub author: String,
    pub author_handle: String,
    pub mine: bool,
    pub text: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct Thread {
    l: Layout,
    id: i64,
    with: String,
    lines: Vec<Line>,
    older: Option<String>,
    /// Viewing older messages: no refresh, a link back to the latest.
    past: bool,
    refresh: u32,
    errors: Vec<String>,
}

fn names(c: &ConversationView) -> String {
    c.with
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn stamp(at: time::OffsetDateTime) -> String {
    format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute())
}

async fn inbox(
    state: &AppState,
    ctx: &Ctx,
    with: String,
    errors: Vec<String>,
) -> Result<Inbox, Error> {
    let conversations = state.app.conversations().conversations(&ctx.viewer).await?;
    let unread = state
        .app
        .conversations()
        .unread_messages(&ctx.viewer)
        .await?;
    let mut l = Layout::new(state, ctx, state.catalog.get(ctx.locale, "messages_title"));
    l.badges.messages = unread;
    Ok(Inbox {
        l,
        conversations,
        unread,
        with,
        errors,
    })
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let page = inbox(&state, &ctx, String::new(), Vec::new()).await?;
    Ok(render(&page))
}

/// `POST /messages`: starts (or reopens) a conversation with `with`, one
/// or more handles separated by commas.
pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let raw = form.get("with").to_owned();
    let with: Vec<String> = raw
        .split(',')
        .map(|h| h.trim().trim_start_matches('@').to_owned())
        .filter(|h| !h.is_empty())
        .collect();
    let named = with
        .iter()
        .map(|h| format!("@{h}"))
        .collect::<Vec<_>>()
        .join(", ");
    match state
        .app
        .conversations()
        .start_conversation(&ctx.viewer, NewConversationInput { with })
        .await
    {
        Ok(c) => Ok(see_other(&format!("/messages/{}", c.id))),
        Err(e) => {
            let l = Layout::new(&state, &ctx, "");
            let Some(problem) = fixable(&l, &e, &named) else {
                return Err(e.into());
            };
            let p = inbox(&state, &ctx, raw, vec![problem]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ThreadQuery {
    before: Option<i64>,
}

async fn thread(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    before: Option<i64>,
    errors: Vec<String>,
) -> Result<Thread, Error> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let me = ctx.viewer.require()?.handle.to_string();
    let conversation = state
        .app
        .conversations()
        .conversation(&ctx.viewer, id)
        .await?;
    let page = state
        .app
        .conversations()
        .messages(&ctx.viewer, id, before, PAGE)
        .await?;
    let lines = page
        .items
        .into_iter()
        .rev()
        .map(|m: MessageView| Line {
            id: m.id,
            mine: m.author.handle.as_str() == me,
            author: m.author.name,
            author_handle: m.author.handle.to_string(),
            text: m.text,
            at: stamp(m.created_at),
        })
        .collect();
    let with = names(&conversation);
    let mut l = Layout::new(state, ctx, with.clone());
    // Reading the thread has just marked its messages read.
    if l.badges.messages > 0 {
        l.badges.messages = state
            .app
            .conversations()
            .unread_messages(&ctx.viewer)
            .await?;
    }
    Ok(Thread {
        l,
        id,
        with,
        lines,
        older: page.next,
        past: before.is_some(),
        refresh: REFRESH_SECS,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, PageError> {
    let page = thread(&state, &ctx, &id, q.before, Vec::new()).await?;
    Ok(render(&page))
}

/// `POST /messages/{id}`: a new message in the thread.
pub async fn send(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let result = match id.parse::<i64>() {
        Ok(n) => {
            state
                .app
                .conversations()
                .send_message(&ctx.viewer, n, form.get("text"))
                .await
        }
        Err(_) => Err(Error::NotFound),
    };
    let e = match result {
        Ok(_) => return Ok(see_other(&format!("/messages/{id}#latest"))),
        Err(e) => e,
    };
    let l = Layout::new(&state, &ctx, "");
    let Some(problem) = fixable(&l, &e, l.t("reach_this_member")) else {
        return Err(e.into());
    };
    let p = thread(&state, &ctx, &id, None, vec![problem]).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
}
