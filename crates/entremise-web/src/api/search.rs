//! Search and type-ahead suggestions.

use super::{ApiQuery, PageParams, Paging};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use entremise_domain::paging::{bad_cursor, parse_offset};
use entremise_domain::service::{MAX_DEPTH, SUGGESTIONS, SearchPage, SearchRequest, SearchResult};
use entremise_domain::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find: in profiles' names, headlines, organizations,
    /// positions, locations, skills and about texts (only in fields the
    /// viewer may see); in posts' text, a word written `#tag` among their
    /// hashtags only; in groups' names, descriptions and tags.
    #[serde(default)]
    pub q: String,
    /// `profile` (persons), `page` (organizations, brands, personas),
    /// `organization`, `brand`, `persona`, `post` or `group`; people and
    /// pages when absent. `location`, `organization` and `skill` narrow
    /// profiles only; `degree` narrows profiles and posts' authors.
    pub kind: Option<String>,
    pub location: Option<String>,
    pub organization: Option<String>,
    pub skill: Option<String>,
    /// `1` (contacts), `2` (2nd degree) or `3` (3rd degree and beyond).
    pub degree: Option<String>,
    /// For the search page: 1 to 100, 20 by default (the API reads
    /// [`Paging`]).
    #[param(ignore)]
    pub limit: Option<String>,
    /// For the search page: the offset of the next page.
    #[param(ignore)]
    pub cursor: Option<String>,
}

/// A number given as a query parameter; anything else names the parameter.
pub(crate) fn number(raw: Option<&str>, field: &str) -> Result<Option<usize>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid(field, "invalid", format!("{field} is a number"))),
    }
}

impl SearchParams {
    pub fn request(&self) -> Result<SearchRequest> {
        Ok(SearchRequest {
            q: self.q.clone(),
            kind: self.kind.clone(),
            location: self.location.clone(),
            organization: self.organization.clone(),
            skill: self.skill.clone(),
            degree: self.degree.clone(),
            offset: number(self.cursor.as_deref(), "cursor")?,
            limit: number(self.limit.as_deref(), "limit")?,
        })
    }
}

/// A page of search results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchList {
    pub items: Vec<SearchResult>,
    /// Cursor of the next page, or null at the end.
    pub next: Option<String>,
    /// Every match the viewer may see (posts: counted up to 1,000, the
    /// depth results go to).
    pub total: usize,
}

impl From<SearchPage> for SearchList {
    fn from(page: SearchPage) -> Self {
        Self {
            items: page.results,
            next: Paging::wrap(page.next_offset.map(|o| o.to_string())),
            total: page.total,
        }
    }
}

/// Searches people and pages, or posts (`kind=post`), or groups
/// (`kind=group`). Results are personal: contacts first, then the 2nd
/// degree, then relevance for profiles and recency for posts; nobody is
/// found through a field the viewer may not see, a post only by those its
/// audience admits (a group's post by the group's members, a scheduled one
/// by its author), a secret group only by its members and invitees, and
/// snippets show only what the viewer may see. A post result has `id`,
/// `name` (its author's), `author`, `published_at` and a `snippet` around
/// the match; a group result `handle`, `name` and its description as
/// `snippet`. 20 a page by default; the cursor is an offset into the
/// results, which go 1,000 deep.
#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(SearchParams, PageParams),
    responses((status = 200, body = SearchList), (status = 400, description = "invalid_input: a filter, `limit` or `cursor`", body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<SearchParams>,
    paging: Paging,
) -> Result<Json<SearchList>, ApiError> {
    let mut req = SearchParams {
        limit: None,
        cursor: None,
        ..params
    }
    .request()
    .map_err(ApiError::BadQuery)?;
    let offset = paging
        .cursor()
        .map(parse_offset)
        .transpose()
        .map_err(ApiError::BadQuery)?
        .unwrap_or(0);
    if offset >= MAX_DEPTH {
        return Err(ApiError::BadQuery(bad_cursor()));
    }
    req.offset = Some(offset);
    // The last page before the depth is a short one.
    req.limit = Some(paging.limit(20).min(MAX_DEPTH - offset));
    let page = state
        .app
        .search()
        .search(&ctx.viewer, &req)
        .await
        .map_err(ApiError::BadQuery)?;
    Ok(Json(page.into()))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What has been typed so far; the last word may be unfinished.
    #[serde(default)]
    pub q: String,
}

/// Type-ahead suggestions for the search box: 8 at most, all on one page
/// by default. Paged by offset over those 8.
#[utoipa::path(get, path = "/api/v1/search/suggestions", tag = "search",
    params(SuggestParams, PageParams),
    responses((status = 200, body = SearchList), (status = 400, description = "invalid_input: `q`, `limit` or `cursor`", body = ErrorBody)))]
pub async fn suggestions(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(params): ApiQuery<SuggestParams>,
    paging: Paging,
) -> Result<Json<SearchList>, ApiError> {
    let found = state
        .app
        .search()
        .suggest(&ctx.viewer, &params.q)
        .await
        .map_err(ApiError::BadQuery)?;
    let list = paging.bounded(found.results, SUGGESTIONS)?;
    Ok(Json(SearchList {
        items: list.items,
        next: list.next,
        total: found.total,
    }))
}
