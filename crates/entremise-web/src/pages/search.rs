//! `/search`: the results page behind the search box on every page: people
//! and pages, or posts, or groups, as the kind filter asks.

use super::{Layout, PageError, render};
use crate::api::search::SearchParams;
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::service::SearchResult;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    params: SearchParams,
    /// The request was read; results may still be empty.
    searched: bool,
    results: Vec<SearchResult>,
    total: usize,
    /// Link to the next page, keeping the filters.
    next: Option<String>,
    /// Field errors, in words (too long, unknown kind…).
    errors: Vec<String>,
}

impl SearchPage {
    fn selected(&self, value: Option<&String>, option: &str) -> bool {
        value.map(String::as_str).unwrap_or("") == option
    }

    pub fn kind_is(&self, option: &str) -> bool {
        self.selected(self.params.kind.as_ref(), option)
    }

    pub fn degree_is(&self, option: &str) -> bool {
        self.selected(self.params.degree.as_ref(), option)
    }

    pub fn text<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    /// A profile's, page's or group's handle.
    pub fn handle_of<'a>(&self, r: &'a SearchResult) -> &'a str {
        r.handle.as_deref().unwrap_or("")
    }

    /// A post's id.
    pub fn id_of<'a>(&self, r: &'a SearchResult) -> &'a str {
        r.id.as_deref().unwrap_or("")
    }

    pub fn relation_of(&self, r: &SearchResult) -> &'static str {
        r.relation.map_or("", |x| x.as_str())
    }

    /// The day a post appeared, `2026-12-01`.
    pub fn day_of(&self, r: &SearchResult) -> String {
        r.published_at
            .map_or_else(String::new, |t| t.date().to_string())
    }
}

fn next_link(params: &SearchParams, next: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("q", &params.q);
    for (k, v) in [
        ("kind", &params.kind),
        ("location", &params.location),
        ("organization", &params.organization),
        ("skill", &params.skill),
        ("degree", &params.degree),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            query.append_pair(k, v);
        }
    }
    query.append_pair("cursor", &next.to_string());
    format!("/search?{}", query.finish())
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<SearchParams>,
) -> Result<Response, PageError> {
    let l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "search_title"));
    let outcome = match params.request() {
        Ok(req) => state.app.search().search(&ctx.viewer, &req).await,
        Err(e) => Err(e),
    };
    let (status, page) = match outcome {
        Ok(found) => {
            let next = found.next_offset.map(|n| next_link(&params, n));
            let searched = !params.q.trim().is_empty()
                || [&params.location, &params.organization, &params.skill]
                    .iter()
                    .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
            (
                StatusCode::OK,
                SearchPage {
                    l,
                    params,
                    searched,
                    results: found.results,
                    total: found.total,
                    next,
                    errors: Vec::new(),
                },
            )
        }
        Err(Error::Invalid(fields)) => {
            let errors = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect();
            (
                StatusCode::BAD_REQUEST,
                SearchPage {
                    l,
                    params,
                    searched: false,
                    results: Vec::new(),
                    total: 0,
                    next: None,
                    errors,
                },
            )
        }
        Err(e) => return Err(e.into()),
    };
    Ok((status, render(&page)).into_response())
}
