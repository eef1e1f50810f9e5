//! Home, sign-up, sign-in, sign-out, language, sessions.

use super::{FormData, Layout, PageError, render, safe_next, see_other};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use entremise_domain::account::Registration;
use entremise_domain::locale::Locale;
use entremise_domain::profile::{ProfileKind, ProfileView};
use entremise_domain::session::{Session, SessionKind};
use entremise_domain::{Error, SessionId};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    l: Layout,
    people: Vec<ProfileView>,
    organizations: Vec<ProfileView>,
    my_pages: Vec<(String, String, String)>,
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let app = &state.app;
    let people = app
        .profiles()
        .directory(&ctx.viewer, Some(ProfileKind::Person), 12)
        .await?;
    let organizations = app
        .profiles()
        .directory(&ctx.viewer, Some(ProfileKind::Organization), 8)
        .await?;
    let my_pages = if ctx.viewer.signed_in.is_some() {
        app.pages()
            .operated_pages(&ctx.viewer)
            .await?
            .into_iter()
            .map(|(r, role)| (r.handle.to_string(), r.name, role.as_str().to_owned()))
            .collect()
    } else {
        Vec::new()
    };
    let l = Layout::new(&state, &ctx, "entremise");
    Ok(render(&Home {
        l,
        people,
        organizations,
        my_pages,
    }))
}

#[derive(Template)]
#[template(path = "signup.html")]
struct Signup {
    l: Layout,
    email: String,
    handle: String,
    name: String,
    /// How the instance signs up: `open`, `invitation`, `approval`.
    mode: String,
    /// The question asked when by approval.
    question: String,
    code: String,
    answer: String,
    /// The sign-up was received and waits for an administrator.
    pending: bool,
    /// The instance has rules to read first.
    has_rules: bool,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub struct SignupQuery {
    /// An invitation code from the link an administrator handed out.
    code: Option<String>,
}

async fn signup_page(
    state: &AppState,
    ctx: &Ctx,
    form: Option<&FormData>,
) -> Result<Signup, Error> {
    let info = state.app.admin().info(ctx.locale).await?;
    let l = Layout::new(state, ctx, state.catalog.get(ctx.locale, "signup_title"));
    let get = |k: &str| form.map_or(String::new(), |f| f.get(k).to_owned());
    Ok(Signup {
        l,
        email: get("email"),
        handle: get("handle"),
        name: get("name"),
        mode: info.registration,
        question: info.question.unwrap_or_default(),
        code: get("code"),
        answer: get("answer"),
        pending: false,
        has_rules: !info.rules.is_empty(),
        errors: Vec::new(),
    })
}

pub async fn signup_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SignupQuery>,
) -> Result<Response, PageError> {
    let mut page = signup_page(&state, &ctx, None).await?;
    page.code = q.code.unwrap_or_default();
    Ok(render(&page))
}

/// The words for a refused sign-up, in the page's language where the
/// problem is the instance's own (its code, its question, its domains).
fn signup_errors(l: &Layout, e: &Error) -> Vec<String> {
    match e {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| match (f.field.as_str(), f.reason) {
                ("code", "required") => l.t("signup_error_code_required").to_owned(),
                ("code", _) => l.t("signup_error_code").to_owned(),
                ("answer", "required") => l.t("signup_error_answer_required").to_owned(),
                ("answer", _) => l.t("signup_error_answer_long").to_owned(),
                ("email", "domain_blocked") => l.t("signup_error_domain").to_owned(),
                _ => format!("{}: {}", f.field, f.message),
            })
            .collect(),
        other => form_errors(other),
    }
}

/// The messages of a failed form, one per problem.
pub fn form_errors(err: &Error) -> Vec<String> {
    match err {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect(),
        other => vec![other.public_message()],
    }
}

pub fn session_cookie(state: &AppState, token: String, max_age: time::Duration) -> HeaderValue {
    let cookie = Cookie::build((state.cookies.session, token))
        .path("/")
        .http_only(true)
        .secure(state.cookies.secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
}

fn clear_session_cookie(state: &AppState) -> HeaderValue {
    session_cookie(state, String::new(), time::Duration::ZERO)
}

async fn open_web_session(
    state: &AppState,
    ctx: &Ctx,
    email: &str,
    password: &str,
    next: &str,
) -> Result<Response, Error> {
    let s = state
        .app
        .accounts()
        .sign_in(email, password, &ctx.ip, SessionKind::Web, &ctx.user_agent)
        .await?;
    let max_age = s.session.expires_at - s.session.created_at;
    let mut response = see_other(next);
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(state, s.token, max_age));
    Ok(response)
}

pub async fn signup(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let optional = |k: &str| Some(form.get(k).to_owned()).filter(|v| !v.trim().is_empty());
    let reg = Registration {
        code: optional("code"),
        answer: optional("answer"),
        email: form.get("email").to_owned(),
        password: form.get("password").to_owned(),
        handle: form.get("handle").to_owned(),
        name: form.get("name").to_owned(),
        locale: Some(ctx.locale),
    };
    let result = match state.app.accounts().register(reg, &ctx.ip).await {
        Ok(account) if account.approval != entremise_domain::account::Approval::Approved => {
            // Nothing to sign in to yet: the page says so.
            let mut page = signup_page(&state, &ctx, None).await?;
            page.pending = true;
            return Ok(render(&page));
        }
        Ok(account) => {
            let next = format!("/@{}/edit", account.handle);
            open_web_session(&state, &ctx, form.get("email"), form.get("password"), &next).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => Ok(r),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let mut page = signup_page(&state, &ctx, Some(&form)).await?;
            page.errors = signup_errors(&page.l, &e);
            Ok((status, render(&page)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "signin.html")]
struct Signin {
    l: Layout,
    email: String,
    next: String,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn signin_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> Response {
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "signin_title"));
    render(&Signin {
        l,
        email: String::new(),
        next: safe_next(q.next.as_deref().unwrap_or("/")),
        errors: Vec::new(),
    })
}

pub async fn signin(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let next = safe_next(form.get("next"));
    match open_web_session(&state, &ctx, form.get("email"), form.get("password"), &next).await {
        Ok(r) => Ok(r),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "signin_title"));
            let message = match &e {
                Error::BadCredentials => l.t("signin_failed").to_owned(),
                Error::Forbidden(entremise_domain::error::Forbidden::AccountNotApproved) => {
                    l.t("signin_not_approved").to_owned()
                }
                Error::Suspended { until, reason } => {
                    let until = if *until >= entremise_domain::moderation::Sanction::FOREVER {
                        l.t("signin_suspended_indefinitely").to_owned()
                    } else {
                        until.date().to_string()
                    };
                    l.t("signin_suspended")
                        .replace("{until}", &until)
                        .replace("{reason}", reason)
                }
                other => other.public_message(),
            };
            let mut response = (
                status,
                render(&Signin {
                    l,
                    email: form.get("email").to_owned(),
                    next,
                    errors: vec![message],
                }),
            )
                .into_response();
            if let Some(retry_after_secs) = e.retry_after_secs() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry_after_secs.into());
            }
            Ok(response)
        }
    }
}

pub async fn signout(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    FormData::parse(&body, &ctx)?;
    if ctx.viewer.signed_in.is_some() {
        state.app.accounts().sign_out(&ctx.viewer).await?;
    }
    let mut response = see_other("/");
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(&state));
    Ok(response)
}

/// The language switcher: remembered in a cookie, and on the account.
pub async fn switch_language(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let Some(locale) = Locale::parse(form.get("lang")) else {
        return Err(Error::invalid("lang", "invalid", "Language is en or fr.").into());
    };
    if ctx.viewer.signed_in.is_some() {
        state.app.accounts().set_locale(&ctx.viewer, locale).await?;
    }
    let cookie = Cookie::build((state.cookies.lang, locale.as_str()))
        .path("/")
        .secure(state.cookies.secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(365))
        .build();
    let mut response = see_other(&safe_next(form.get("next")));
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct Sessions {
    l: Layout,
    sessions: Vec<Session>,
    current: SessionId,
}

pub async fn sessions(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let current = ctx.viewer.require()?.session;
    let sessions = state.app.accounts().sessions(&ctx.viewer).await?;
    let l = Layout::new(
        &state,
        &ctx,
        state.catalog.get(ctx.locale, "sessions_title"),
    );
    Ok(render(&Sessions {
        l,
        sessions,
        current,
    }))
}

pub async fn revoke_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    FormData::parse(&body, &ctx)?;
    let id: SessionId = id.parse().map_err(|_| Error::NotFound)?;
    state.app.accounts().revoke_session(&ctx.viewer, id).await?;
    Ok(see_other("/settings/sessions"))
}
