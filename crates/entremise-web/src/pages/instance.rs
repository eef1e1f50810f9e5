//! The instance's administration (`/admin`, administrators only) and the
//! pages anyone reads: its rules, terms and legal notice (`/about/…`).

use super::posts::{When, when};
use super::{FormData, Layout, PageError, render, see_other};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::account::RegistrationMode;
use entremise_domain::service::{Dashboard, InstanceSettingsInput, PendingSignup, StaffView};
use serde::Deserialize;

pub struct SettingField {
    pub key: &'static str,
    pub label: String,
    pub value: String,
}

pub struct SignupRow {
    pub handle: String,
    pub name: String,
    pub email: String,
    pub answer: String,
    pub at: When,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    l: Layout,
    d: Dashboard,
    /// Each queue with its open reports and the age of the oldest, in words.
    queue_lines: Vec<(String, String)>,
    name: String,
    modes: Vec<(&'static str, String, bool)>,
    question: String,
    texts: Vec<SettingField>,
    staff: Vec<StaffView>,
    signups: Vec<SignupRow>,
    codes: Vec<(String, String, Option<String>)>,
    domains: Vec<String>,
    notice: Option<String>,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub struct AdminQuery {
    done: Option<String>,
    code: Option<String>,
}

/// `/admin`: the dashboard and every setting of the instance.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AdminQuery>,
) -> Result<Response, PageError> {
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "admin_title"));
    let notice = match (q.done.as_deref(), q.code) {
        (_, Some(code)) => Some(l.t("admin_code_made").replace("{code}", &code)),
        (Some(_), None) => Some(l.t("admin_saved").to_owned()),
        _ => None,
    };
    admin_page(&state, &ctx, notice, Vec::new()).await
}

async fn admin_page(
    state: &AppState,
    ctx: &Ctx,
    notice: Option<String>,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let admin = state.app.admin();
    let d = admin.dashboard(&ctx.viewer).await?;
    let settings = admin.settings(&ctx.viewer).await?;
    let staff = admin.staff(&ctx.viewer).await?;
    let pending: Vec<PendingSignup> = admin.pending(&ctx.viewer).await?;
    let codes = admin.codes(&ctx.viewer).await?;
    let l = Layout::new(state, ctx, state.catalog.get(ctx.locale, "admin_title"));
    let mode = settings.mode();
    let modes = [
        RegistrationMode::Open,
        RegistrationMode::Invitation,
        RegistrationMode::Approval,
    ]
    .iter()
    .map(|m| {
        (
            m.as_str(),
            l.t(&format!("admin_mode_{}", m.as_str())).to_owned(),
            *m == mode,
        )
    })
    .collect();
    let texts = [
        "rules_fr", "rules_en", "terms_fr", "terms_en", "legal_fr", "legal_en",
    ]
    .iter()
    .map(|k| SettingField {
        key: k,
        label: l.t(&format!("admin_text_{k}")).to_owned(),
        value: settings.raw(k).to_owned(),
    })
    .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let queue_lines = d
        .queues
        .iter()
        .map(|q| {
            let mut text = l.count("admin_queue_open", q.open);
            if let Some(h) = q.oldest_hours {
                text.push_str(" · ");
                text.push_str(&l.count("admin_queue_oldest", h.max(0) as u64));
            }
            (q.queue.clone(), text)
        })
        .collect();
    let page = AdminPage {
        queue_lines,
        d,
        name: settings.raw("name").to_owned(),
        modes,
        question: settings.raw("question").to_owned(),
        texts,
        staff,
        signups: pending
            .into_iter()
            .map(|p| SignupRow {
                handle: p.handle,
                name: p.name,
                email: p.email,
                answer: p.answer.unwrap_or_default(),
                at: when(p.created_at),
            })
            .collect(),
        codes: codes
            .into_iter()
            .map(|(code, at, used)| (code, when(at).shown, used))
            .collect(),
        domains: settings.domain_blocks().to_vec(),
        notice,
        errors,
        l,
    };
    Ok((status, render(&page)).into_response())
}

/// `POST /admin/{what}`: `settings`, `roles`, `codes`, `domains`,
/// `signups`; back to `/admin`, or the page again with what was refused.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(what): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let admin = state.app.admin();
    let v = &ctx.viewer;
    let result: Result<Option<String>, Error> = match what.as_str() {
        "settings" => {
            let text = |k: &str| Some(form.get(k).to_owned());
            admin
                .update_settings(
                    v,
                    InstanceSettingsInput {
                        name: text("name"),
                        registration: text("registration"),
                        question: text("question"),
                        rules_fr: text("rules_fr"),
                        rules_en: text("rules_en"),
                        terms_fr: text("terms_fr"),
                        terms_en: text("terms_en"),
                        legal_fr: text("legal_fr"),
                        legal_en: text("legal_en"),
                    },
                )
                .await
                .map(|_| None)
        }
        "roles" => admin
            .set_roles(
                v,
                form.get("handle").trim().trim_start_matches('@'),
                form.get("admin") == "on",
                form.get("moderator") == "on",
            )
            .await
            .map(|_| None),
        "codes" => admin.new_code(v).await.map(Some),
        "domains" => admin
            .set_domain_block(v, form.get("domain"), form.get("blocked") != "off")
            .await
            .map(|_| None),
        "signups" => admin
            .decide_signup(v, form.get("handle"), form.get("approve") == "yes")
            .await
            .map(|_| None),
        _ => return Err(Error::NotFound.into()),
    };
    match result {
        Ok(Some(code)) => Ok(see_other(&format!("/admin?code={code}#codes"))),
        Ok(None) => Ok(see_other(&format!("/admin?done=1#{what}"))),
        Err(Error::Invalid(fields)) => {
            let l = Layout::new(&state, &ctx, "");
            let errors = fields
                .iter()
                .map(|f| {
                    let key = format!("admin_error_{}", f.field);
                    match l.t(&key) {
                        t if t == key => format!("{}: {}", f.field, f.message),
                        t => t.to_owned(),
                    }
                })
                .collect();
            admin_page(&state, &ctx, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    l: Layout,
    heading: String,
    text: String,
}

/// `/about/rules`, `/about/terms`, `/about/legal`: what the administrators
/// wrote, in the reader's language (or the other one when that is empty).
pub async fn about(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(which): Path<String>,
) -> Result<Response, PageError> {
    let info = state.app.admin().info(ctx.locale).await?;
    let text = match which.as_str() {
        "rules" => info.rules,
        "terms" => info.terms,
        "legal" => info.legal,
        _ => return Err(Error::NotFound.into()),
    };
    let heading = state
        .catalog
        .get(ctx.locale, &format!("about_{which}"))
        .to_owned();
    let l = Layout::new(&state, &ctx, heading.clone());
    Ok(render(&AboutPage { l, heading, text }))
}
