//! `/introductions`: asking for one, and each participant's turn — the
//! intermediary passes it on or declines, the recipient accepts or declines.

use super::connection::{Hop, back_to_profile, fixable};
use super::{FormData, Layout, PageError, render, see_other};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::introduction::{IntroductionAction, IntroductionStatus};
use entremise_domain::service::{IntroductionInput, IntroductionRole, IntroductionView, NoteView};
use serde::Deserialize;
use std::collections::HashMap;

/// One introduction as the page shows it.
pub struct Row {
    pub id: i64,
    pub role: String,
    pub status: String,
    /// Requester, intermediaries, recipient.
    pub chain: Vec<Hop>,
    pub waiting_for: Option<String>,
    pub notes: Vec<NoteView>,
    pub your_turn: bool,
    pub is_target: bool,
    /// The deadline, while it is still open.
    pub expires: Option<String>,
}

#[derive(Template)]
#[template(path = "introductions.html")]
struct IntroductionsPage {
    l: Layout,
    to_act: Vec<Row>,
    others: Vec<Row>,
    asked: bool,
    opened: Option<String>,
    errors: Vec<String>,
}

fn status_key(s: IntroductionStatus) -> &'static str {
    match s {
        IntroductionStatus::Pending => "intro_status_pending",
        IntroductionStatus::Forwarded => "intro_status_forwarded",
        IntroductionStatus::Accepted => "intro_status_accepted",
        IntroductionStatus::Declined => "intro_status_declined",
        IntroductionStatus::Expired => "intro_status_expired",
    }
}

fn role_key(r: IntroductionRole) -> &'static str {
    match r {
        IntroductionRole::Requester => "intro_role_requester",
        IntroductionRole::Intermediary => "intro_role_intermediary",
        IntroductionRole::Target => "intro_role_target",
    }
}

fn row(l: &Layout, v: IntroductionView) -> Row {
    let mut chain = vec![Hop::member(v.requester.handle.as_str(), &v.requester.name)];
    for hop in &v.intermediaries {
        let next = match hop {
            Some(p) => Hop::member(p.handle.as_str(), &p.name),
            None => Hop::hidden(
                l,
                &chain.last().map_or_else(String::new, |h| h.label.clone()),
            ),
        };
        chain.push(next);
    }
    chain.push(Hop::member(v.target.handle.as_str(), &v.target.name));
    // The requester's note goes to every hop: he reads it once.
    let mut notes = v.notes;
    notes.dedup_by(|n, m| n.author == m.author && n.text == m.text);
    Row {
        id: v.id,
        role: l.t(role_key(v.role)).to_owned(),
        status: l.t(status_key(v.status)).to_owned(),
        chain,
        waiting_for: v.next.filter(|_| !v.your_turn).map(|p| p.name),
        notes,
        your_turn: v.your_turn,
        is_target: v.role == IntroductionRole::Target,
        expires: v.status.is_open().then(|| v.expires_at.date().to_string()),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    asked: Option<String>,
    /// The conversation an accepted introduction opened.
    opened: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    q: ListQuery,
    errors: Vec<String>,
) -> Result<IntroductionsPage, Error> {
    let all = state.app.introductions().introductions(&ctx.viewer).await?;
    let l = Layout::new(state, ctx, state.catalog.get(ctx.locale, "intros_title"));
    let (to_act, others): (Vec<Row>, Vec<Row>) = all
        .into_iter()
        .map(|v| row(&l, v))
        .partition(|r| r.your_turn);
    Ok(IntroductionsPage {
        to_act,
        others,
        asked: q.asked.is_some(),
        opened: q.opened.filter(|c| c.parse::<i64>().is_ok()),
        errors,
        l,
    })
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let page = page(&state, &ctx, q, Vec::new()).await?;
    Ok(render(&page))
}

/// `POST /introductions`, from a profile's "how you are connected" box.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let to = form.get("to").trim().to_owned();
    let via: Vec<String> = form
        .get("via")
        .split(',')
        .map(|h| h.trim().trim_start_matches('@').to_owned())
        .filter(|h| !h.is_empty())
        .collect();
    let input = IntroductionInput {
        to: to.clone(),
        via: Some(via).filter(|v| !v.is_empty()),
        note: form.get("note").to_owned(),
        notes: HashMap::new(),
    };
    match state
        .app
        .introductions()
        .request_introduction(&ctx.viewer, input)
        .await
    {
        Ok(_) => Ok(see_other("/introductions?asked=1")),
        Err(e) => back_to_profile(&state, &ctx, &to, e).await,
    }
}

/// `POST /introductions/{id}/{forward|decline|accept}`.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let action = match action.as_str() {
        "forward" => Some(IntroductionAction::Forward {
            note: form.get("note").to_owned(),
        }),
        "decline" => Some(IntroductionAction::Decline),
        "accept" => Some(IntroductionAction::Accept),
        _ => None,
    };
    let result = match (id.parse::<i64>(), action) {
        (Ok(id), Some(action)) => {
            state
                .app
                .introductions()
                .act_on_introduction(&ctx.viewer, id, action)
                .await
        }
        _ => Err(Error::NotFound),
    };
    match result {
        Ok(v) => Ok(match v.conversation {
            Some(c) => see_other(&format!("/introductions?opened={c}")),
            None => see_other("/introductions"),
        }),
        Err(e) => {
            let l = Layout::new(&state, &ctx, "");
            let Some(problem) = fixable(&l, &e, l.t("reach_this_member")) else {
                return Err(e.into());
            };
            let q = ListQuery {
                asked: None,
                opened: None,
            };
            let p = page(&state, &ctx, q, vec![problem]).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}
