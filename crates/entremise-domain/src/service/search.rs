//! Finding people and pages: the search box, its type-ahead suggestions and
//! `GET /api/v1/search`, and keeping the index current.

use super::{Core, Viewer, blocking};
use crate::error::{Error, FieldError, Result};
use crate::privacy::{Actions, Relation};
use crate::profile::{ProfileKind, ProfileRef, ProfileView};
use crate::search::{self, Degree, SearchDocument, SearchQuery, SearchScope};
use serde::Serialize;
use std::sync::Arc;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words a query may hold.
pub const MAX_QUERY_WORDS: usize = 12;
/// Largest page of results.
pub const MAX_LIMIT: usize = crate::paging::MAX_PAGE;
/// Deepest a search may page (offset + limit).
pub const MAX_DEPTH: usize = 1_000;
/// Suggestions shown under the search box.
pub const SUGGESTIONS: usize = 8;

/// What to look for, as the API and the search page receive it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    /// `profile` (persons), `page` (organizations, brands, personas), or a
    /// precise profile kind; `group` and `post` come with their features.
    pub kind: Option<String>,
    pub location: Option<String>,
    pub organization: Option<String>,
    pub skill: Option<String>,
    /// `1`, `2` or `3` (3rd degree and beyond).
    pub degree: Option<String>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

/// One result: what the viewer may see of a profile that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResult {
    /// `profile` for a person, `page` for an organization, brand or persona.
    pub kind: &'static str,
    pub profile_kind: ProfileKind,
    pub handle: String,
    pub name: String,
    /// The viewer's relation: `self`, `contact`, `network` (2nd degree), `member`.
    pub relation: Relation,
    /// 1 or 2 for contacts and 2nd degree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degree: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// The visible field that best shows why this profile matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persona_of: Option<ProfileRef>,
    /// What the viewer may do toward this profile (full searches only, not
    /// type-ahead suggestions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Actions>,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchPage {
    /// Every match the viewer may see.
    pub total: usize,
    pub results: Vec<SearchResult>,
    /// Offset of the next page, if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::new(field, "too_long", format!("at most {max} characters"))
}

fn filter(value: &Option<String>, field: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > MAX_QUERY_CHARS {
        errors.push(too_long(field, MAX_QUERY_CHARS));
    }
    Some(v.to_owned())
}

/// Checks a request and turns it into the index's query.
/// `None` when the request asks for a kind of thing that does not exist yet
/// (groups, posts): an empty answer, not an error.
fn parse(req: &SearchRequest, prefix: bool) -> Result<Option<(SearchQuery, Option<Degree>)>> {
    let mut errors = Vec::new();
    let text = req.q.trim();
    if text.chars().count() > MAX_QUERY_CHARS {
        errors.push(too_long("q", MAX_QUERY_CHARS));
    } else if search::words(text).len() > MAX_QUERY_WORDS {
        errors.push(FieldError::new(
            "q",
            "too_many_words",
            format!("at most {MAX_QUERY_WORDS} words"),
        ));
    }
    let mut unbuilt_kind = false;
    let kinds = match req.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => Vec::new(),
        Some("group" | "post") => {
            unbuilt_kind = true;
            Vec::new()
        }
        Some("profile" | "person") => vec![ProfileKind::Person],
        Some("page") => vec![
            ProfileKind::Organization,
            ProfileKind::Brand,
            ProfileKind::Persona,
        ],
        Some(k) => match ProfileKind::parse(k) {
            Some(kind) => vec![kind],
            None => {
                errors.push(FieldError::new(
                    "kind",
                    "unknown",
                    "one of profile, page, group, post, organization, brand, persona",
                ));
                Vec::new()
            }
        },
    };
    let degree = match req
        .degree
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(d) => match Degree::parse(d) {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new("degree", "unknown", "one of 1, 2, 3"));
                None
            }
        },
    };
    let limit = req.limit.unwrap_or(20);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            "out_of_range",
            format!("between 1 and {MAX_LIMIT}"),
        ));
    }
    let offset = req.offset.unwrap_or(0);
    if offset.saturating_add(limit) > MAX_DEPTH {
        errors.push(FieldError::new(
            "offset",
            "out_of_range",
            format!("results go {MAX_DEPTH} deep at most; narrow the search"),
        ));
    }
    let query = SearchQuery {
        text: text.to_owned(),
        prefix,
        kinds,
        location: filter(&req.location, "location", &mut errors),
        organization: filter(&req.organization, "organization", &mut errors),
        skill: filter(&req.skill, "skill", &mut errors),
        offset,
        limit,
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok((!unbuilt_kind).then_some((query, degree)))
}

/// Search over profiles and pages, and keeping the index in step with them.
#[derive(Clone)]
pub struct Search {
    core: Arc<Core>,
}

impl Search {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }
}

impl Search {
    /// Searches people and pages; every match and every snippet stays within
    /// what the viewer may see.
    pub async fn search(&self, viewer: &Viewer, req: &SearchRequest) -> Result<SearchPage> {
        self.run_search(viewer, req, false).await
    }

    /// Type-ahead: the last word is taken as the beginning of a word.
    pub async fn suggest(&self, viewer: &Viewer, q: &str) -> Result<SearchPage> {
        let req = SearchRequest {
            q: q.to_owned(),
            limit: Some(SUGGESTIONS),
            ..SearchRequest::default()
        };
        self.run_search(viewer, &req, true).await
    }

    async fn run_search(
        &self,
        viewer: &Viewer,
        req: &SearchRequest,
        prefix: bool,
    ) -> Result<SearchPage> {
        let empty = SearchPage {
            total: 0,
            results: Vec::new(),
            next_offset: None,
        };
        let Some((query, degree)) = parse(req, prefix)? else {
            return Ok(empty);
        };
        let nothing_asked = search::words(&query.text).is_empty()
            && query.location.is_none()
            && query.organization.is_none()
            && query.skill.is_none();
        if nothing_asked {
            return Ok(empty);
        }
        let lens = self.core.lens(viewer);
        let scope = SearchScope::new(lens.clone(), degree);
        let index = self.core.index.clone();
        let q = query.clone();
        let hits = blocking(move || index.search(&q, &scope)).await??;
        let mut results = Vec::with_capacity(hits.hits.len());
        for hit in &hits.hits {
            let Some(profile) = self.core.store.profile(hit.id).await? else {
                // Removed since it was indexed.
                continue;
            };
            let view = self.core.build_view(&profile, hit.relation).await?;
            let mut result = result_of(&view, &query);
            if !prefix && viewer.signed_in.is_some() {
                result.actions = Some(lens.actions(
                    profile.id,
                    profile.kind == ProfileKind::Person,
                    &profile.settings,
                ));
            }
            results.push(result);
        }
        let next = query.offset + query.limit;
        Ok(SearchPage {
            total: hits.total,
            results,
            next_offset: (next < hits.total && next < MAX_DEPTH).then_some(next),
        })
    }
}

/// Rebuilds the whole search index from the store; `progress` is told how
/// many profiles are indexed so far. Searches see the old index until the end.
/// The search projection then resumes from the outbox's last event when the
/// rebuild began (a change committed meanwhile is applied again, harmlessly).
pub async fn rebuild_search_index(
    store: &dyn crate::store::Store,
    index: Arc<dyn crate::search::SearchIndex>,
    mut progress: impl FnMut(u64),
) -> Result<u64> {
    let from = store.last_event_seq().await?;
    {
        let index = index.clone();
        blocking(move || index.start_rebuild()).await??;
    }
    let mut after = None;
    let mut done = 0u64;
    loop {
        let page = store.list_profiles(None, after, 2_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        let mut docs = Vec::with_capacity(page.len());
        for p in &page {
            let positions = if p.kind == ProfileKind::Person {
                store.positions_of(p.id).await?
            } else {
                Vec::new()
            };
            docs.push(SearchDocument::of(p, &positions));
        }
        done += docs.len() as u64;
        let index = index.clone();
        blocking(move || index.add_to_rebuild(&docs)).await??;
        progress(done);
    }
    let indexed = blocking(move || index.finish_rebuild()).await??;
    store
        .set_checkpoint(super::projections::SEARCH_CHECKPOINT, from)
        .await?;
    Ok(indexed)
}

fn result_of(view: &ProfileView, query: &SearchQuery) -> SearchResult {
    let kind = if view.kind == ProfileKind::Person {
        "profile"
    } else {
        "page"
    };
    let degree = match view.relation {
        Relation::Contact => Some(1),
        Relation::Network => Some(2),
        _ => None,
    };
    SearchResult {
        kind,
        profile_kind: view.kind,
        handle: view.handle.to_string(),
        // The name is members-visible at least, and results need signed-in
        // viewers or a public name: fall back to the handle all the same.
        name: view.name.clone().unwrap_or_else(|| view.handle.to_string()),
        relation: view.relation,
        degree,
        headline: view.headline.clone(),
        snippet: snippet(view, query),
        persona_of: view.persona_of.clone(),
        actions: None,
    }
}

/// The visible field that best shows why a profile matched: the first, in
/// [`search::SEARCHABLE`] order after the name and headline, holding a
/// query word. Built from the view, so it can only show what the viewer
/// may see.
pub fn snippet(view: &ProfileView, query: &SearchQuery) -> Option<String> {
    let mut wanted = search::words(&query.text);
    for f in [&query.location, &query.organization, &query.skill]
        .into_iter()
        .flatten()
    {
        wanted.extend(search::words(f));
    }
    let last = wanted.len().saturating_sub(1);
    let answers = |text: &str| {
        let words = search::words(text);
        wanted.iter().enumerate().any(|(i, q)| {
            words
                .iter()
                .any(|w| search::word_answers(w, q, query.prefix && i == last))
        })
    };
    let mut candidates: Vec<String> = Vec::new();
    candidates.extend(view.organization.clone());
    if let Some(positions) = &view.positions {
        candidates.extend(
            positions
                .iter()
                .map(|p| format!("{} · {}", p.title, p.organization_name)),
        );
    }
    candidates.extend(view.location.clone());
    if let Some(skills) = &view.skills {
        candidates.extend(skills.iter().filter(|s| answers(s)).cloned());
    }
    if let Some(found) = candidates.into_iter().find(|c| answers(c)) {
        return Some(found);
    }
    let about = view.about.as_deref()?;
    excerpt(about, &answers)
}

/// About 160 characters of a long text around its first sentence or line
/// that answers the query.
fn excerpt(text: &str, answers: &dyn Fn(&str) -> bool) -> Option<String> {
    let part = text
        .split(['.', '\n', '!', '?'])
        .map(str::trim)
        .find(|s| !s.is_empty() && answers(s))?;
    let mut out: String = part.chars().take(160).collect();
    if out.len() < part.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &str) -> SearchRequest {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }

    #[test]
    fn requests_are_checked() {
        assert!(parse(&req("claire"), false).unwrap().is_some());
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(matches!(parse(&req(&long), false), Err(Error::Invalid(_))));
        let many = "a ".repeat(MAX_QUERY_WORDS + 1);
        assert!(matches!(parse(&req(&many), false), Err(Error::Invalid(_))));
        let mut r = req("x");
        r.limit = Some(MAX_LIMIT + 1);
        assert!(matches!(parse(&r, false), Err(Error::Invalid(_))));
        r.limit = Some(10);
        r.offset = Some(MAX_DEPTH);
        assert!(matches!(parse(&r, false), Err(Error::Invalid(_))));
        let mut r = req("x");
        r.kind = Some("team".into());
        assert!(matches!(parse(&r, false), Err(Error::Invalid(_))));
        r.kind = Some("group".into());
        assert!(parse(&r, false).unwrap().is_none());
        r.kind = Some("page".into());
        assert_eq!(parse(&r, false).unwrap().unwrap().0.kinds.len(), 3);
        r.degree = Some("4".into());
        assert!(matches!(parse(&r, false), Err(Error::Invalid(_))));
    }

    #[test]
    fn operators_are_plain_text() {
        let (q, _) = parse(&req("title:\"(AND OR -x* ~2"), false)
            .unwrap()
            .unwrap();
        assert_eq!(q.text, "title:\"(AND OR -x* ~2");
    }
}
