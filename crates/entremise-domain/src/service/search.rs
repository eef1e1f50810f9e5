//! Finding people, pages, groups and posts: the search box, its type-ahead
//! suggestions and `GET /api/v1/search`, and keeping the indexes current.

use super::{Core, Viewer, blocking};
use crate::error::{Error, FieldError, Result};
use crate::ids::ProfileId;
use crate::post::Post;
use crate::privacy::{Actions, Relation};
use crate::profile::{ProfileKind, ProfileRef, ProfileView};
use crate::search::{
    self, Degree, PostDocument, PostQuery, PostScope, SearchDocument, SearchQuery, SearchScope,
};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;

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
    /// `profile` (persons), `page` (organizations, brands, personas), a
    /// precise profile kind, `group` or `post`; profiles and pages when
    /// absent.
    pub kind: Option<String>,
    pub location: Option<String>,
    pub organization: Option<String>,
    pub skill: Option<String>,
    /// `1`, `2` or `3` (3rd degree and beyond).
    pub degree: Option<String>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

/// One result: what the viewer may see of a profile, group or post that
/// matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResult {
    /// `profile` for a person, `page` for an organization, brand or
    /// persona, `group`, or `post`.
    pub kind: &'static str,
    /// Profiles and pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_kind: Option<ProfileKind>,
    /// A profile's, page's or group's handle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// A post's id (a string, as everywhere in the API).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A profile's, page's or group's name; for a post, its author's.
    pub name: String,
    /// The viewer's relation to the profile, or to a post's author:
    /// `self`, `contact`, `network` (2nd degree), `member`, `anonymous`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// 1 or 2 for contacts and 2nd degree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degree: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// What shows why it matched: a visible field of a profile, a group's
    /// description, the words of a post around the match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persona_of: Option<ProfileRef>,
    /// A post's author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<ProfileRef>,
    /// When a post appeared (or will, for its author's scheduled post).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub published_at: Option<OffsetDateTime>,
    /// What the viewer may do toward this profile (full searches only, not
    /// type-ahead suggestions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Actions>,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchPage {
    /// Every match the viewer may see (posts: counted up to [`MAX_DEPTH`]).
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

/// What a checked request asks for.
#[derive(Debug, Clone, PartialEq)]
enum Asked {
    Profiles(SearchQuery, Option<Degree>),
    /// Posts; the degree narrows them to their authors' degree.
    Posts(PostQuery, Option<Degree>),
    Groups(SearchQuery),
}

/// The bounds of a query's words (`q`): at most [`MAX_QUERY_CHARS`]
/// characters and [`MAX_QUERY_WORDS`] words, wherever words are looked
/// for (search, a group's directory).
pub(crate) fn check_words(text: &str, errors: &mut Vec<FieldError>) {
    if text.chars().count() > MAX_QUERY_CHARS {
        errors.push(too_long("q", MAX_QUERY_CHARS));
    } else if search::words(text).len() > MAX_QUERY_WORDS {
        errors.push(FieldError::new(
            "q",
            "too_many_words",
            format!("at most {MAX_QUERY_WORDS} words"),
        ));
    }
}

/// Checks a request and turns it into the index's query.
fn parse(req: &SearchRequest, prefix: bool) -> Result<Asked> {
    let mut errors = Vec::new();
    let text = req.q.trim();
    check_words(text, &mut errors);
    #[derive(PartialEq)]
    enum Of {
        Profiles,
        Posts,
        Groups,
    }
    let mut of = Of::Profiles;
    let kinds = match req.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => Vec::new(),
        Some("group") => {
            of = Of::Groups;
            Vec::new()
        }
        Some("post") => {
            of = Of::Posts;
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
    // The profile filters (location, organization, skill) narrow profiles
    // only: posts and groups have no such fields.
    Ok(match of {
        Of::Profiles => Asked::Profiles(query, degree),
        Of::Posts => Asked::Posts(
            PostQuery {
                text: query.text,
                offset,
                limit,
                count_up_to: MAX_DEPTH,
            },
            degree,
        ),
        Of::Groups => Asked::Groups(query),
    })
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
        match parse(req, prefix)? {
            Asked::Profiles(query, degree) => self.profiles(viewer, query, degree, prefix).await,
            Asked::Posts(query, degree) => self.posts(viewer, query, degree).await,
            Asked::Groups(query) => self.groups(viewer, query).await,
        }
    }

    async fn profiles(
        &self,
        viewer: &Viewer,
        query: SearchQuery,
        degree: Option<Degree>,
        prefix: bool,
    ) -> Result<SearchPage> {
        let nothing_asked = search::words(&query.text).is_empty()
            && query.location.is_none()
            && query.organization.is_none()
            && query.skill.is_none();
        if nothing_asked {
            return Ok(SearchPage::empty());
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
        Ok(SearchPage::of(
            results,
            hits.total,
            query.offset + query.limit,
        ))
    }

    /// Posts whose text (or hashtags, for `#words`) holds every word, among
    /// those the viewer may read: his own and his contacts' first, then the
    /// 2nd degree's, then the rest, newest first in each.
    async fn posts(
        &self,
        viewer: &Viewer,
        query: PostQuery,
        degree: Option<Degree>,
    ) -> Result<SearchPage> {
        if search::words(&query.text).is_empty() {
            return Ok(SearchPage::empty());
        }
        let lens = self.core.lens(viewer);
        let now = self.core.clock.now();
        let scope = PostScope::new(lens.clone(), now).narrowed_to(degree);
        let index = self.core.index.clone();
        let q = query.clone();
        let hits = blocking(move || index.posts().search(&q, &scope)).await??;
        let ids: Vec<i64> = hits.hits.iter().map(|h| h.id).collect();
        let posts: HashMap<i64, Post> = self
            .core
            .store
            .posts(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut authors: HashMap<ProfileId, ProfileRef> = HashMap::new();
        let mut results = Vec::with_capacity(ids.len());
        for hit in &hits.hits {
            // Deleted since it was indexed, or changed so that the viewer
            // may no longer read it: the store has the last word.
            let Some(post) = posts.get(&hit.id) else {
                continue;
            };
            let Some(relation) = lens.stored_post(post, now) else {
                continue;
            };
            let author = match authors.get(&post.author) {
                Some(a) => a.clone(),
                None => {
                    let a = self.author_ref(post.author, relation).await?;
                    authors.insert(post.author, a.clone());
                    a
                }
            };
            results.push(SearchResult {
                kind: "post",
                profile_kind: None,
                handle: None,
                id: Some(post.id.to_string()),
                name: author.name.clone(),
                relation: Some(relation),
                degree: degree_of(relation),
                headline: None,
                snippet: post_snippet(&post.text, &query.text),
                persona_of: None,
                author: Some(author),
                published_at: Some(post.published_at),
                actions: None,
            });
        }
        Ok(SearchPage::of(
            results,
            hits.total,
            query.offset + query.limit,
        ))
    }

    /// How a post's author is named for this viewer: his name as his
    /// name's audience admits the viewer (an anonymous viewer gets the
    /// handle when the name is for members), a persona labelled with its
    /// organization.
    async fn author_ref(&self, author: ProfileId, relation: Relation) -> Result<ProfileRef> {
        let mut r = self.core.profile_ref_of(author).await?;
        if let Some(profile) = self.core.store.profile(author).await? {
            let view = ProfileView::build(&profile, &[], None, relation);
            r.name = view.name.unwrap_or_else(|| r.handle.to_string());
        }
        Ok(r)
    }

    /// Groups through [`super::Groups::search`] (secret ones only for their
    /// members and invitees), paged here.
    async fn groups(&self, viewer: &Viewer, query: SearchQuery) -> Result<SearchPage> {
        if search::words(&query.text).is_empty() {
            return Ok(SearchPage::empty());
        }
        let found = super::Groups::new(self.core.clone())
            .search(viewer, &query.text, MAX_DEPTH)
            .await?;
        let total = found.len();
        let results = found
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|g| SearchResult {
                kind: "group",
                profile_kind: None,
                handle: Some(g.handle),
                id: None,
                name: g.name,
                relation: None,
                degree: None,
                headline: None,
                snippet: (!g.about.trim().is_empty()).then(|| excerpt_of(&g.about)),
                persona_of: None,
                author: None,
                published_at: None,
                actions: None,
            })
            .collect();
        Ok(SearchPage::of(results, total, query.offset + query.limit))
    }
}

impl SearchPage {
    fn empty() -> Self {
        Self {
            total: 0,
            results: Vec::new(),
            next_offset: None,
        }
    }

    fn of(results: Vec<SearchResult>, total: usize, next: usize) -> Self {
        Self {
            total,
            results,
            next_offset: (next < total && next < MAX_DEPTH).then_some(next),
        }
    }
}

fn degree_of(relation: Relation) -> Option<u8> {
    match relation {
        Relation::Contact => Some(1),
        Relation::Network => Some(2),
        _ => None,
    }
}

/// The first 160 characters of a text, on one line.
fn excerpt_of(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(SNIPPET_CHARS).collect();
    if out.len() < flat.len() {
        out.push('…');
    }
    out
}

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 160;

/// About 160 characters of a post's text around the first word that
/// answers the query (its beginning when none does, a hashtag say).
pub fn post_snippet(text: &str, q: &str) -> Option<String> {
    let wanted = search::words(q);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return None;
    }
    let chars: Vec<char> = flat.chars().collect();
    // The character where each word of the text starts, and the word.
    let mut at = None;
    let mut i = 0;
    while i < chars.len() && at.is_none() {
        if chars[i].is_alphanumeric() && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            let end = (i..chars.len())
                .find(|j| !chars[*j].is_alphanumeric())
                .unwrap_or(chars.len());
            let word: String = chars[i..end].iter().collect();
            let folded = search::fold(&word);
            if wanted
                .iter()
                .any(|w| search::word_answers(&folded, w, false))
            {
                at = Some(i);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    let at = at.unwrap_or(0);
    if chars.len() <= SNIPPET_CHARS {
        return Some(flat);
    }
    // Some context before the match, starting on a word.
    let mut start = at.saturating_sub(SNIPPET_CHARS / 4);
    while start > 0 && start < at && chars[start - 1].is_alphanumeric() {
        start += 1;
    }
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    Some(out)
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

/// Rebuilds the whole post index from the store; `progress` is told how
/// many posts are indexed so far. Searches see the old index until the end,
/// and the search projection then resumes from the outbox's last event when
/// the rebuild began, as for profiles.
pub async fn rebuild_post_index(
    store: &dyn crate::store::Store,
    index: Arc<dyn crate::search::SearchIndex>,
    mut progress: impl FnMut(u64),
) -> Result<u64> {
    let from = store.last_event_seq().await?;
    {
        let index = index.clone();
        blocking(move || index.posts().start_rebuild()).await??;
    }
    let mut after = None;
    let mut done = 0u64;
    loop {
        let keys = store.post_keys(after, 2_000).await?;
        let Some(last) = keys.last() else { break };
        after = Some(last.2.id);
        let ids: Vec<i64> = keys.iter().map(|k| k.2.id).collect();
        let docs: Vec<PostDocument> = store
            .posts(&ids)
            .await?
            .iter()
            .filter(|p| p.state == crate::moderation::ContentState::Visible)
            .map(PostDocument::of)
            .collect();
        done += docs.len() as u64;
        let index = index.clone();
        blocking(move || index.posts().add_to_rebuild(&docs)).await??;
        progress(done);
    }
    let indexed = blocking(move || index.posts().finish_rebuild()).await??;
    // An earlier checkpoint than the profiles' rebuild may have left:
    // replaying changes nothing.
    let at = store
        .checkpoint(super::projections::SEARCH_CHECKPOINT)
        .await?
        .map_or(from, |c| c.min(from));
    store
        .set_checkpoint(super::projections::SEARCH_CHECKPOINT, at)
        .await?;
    Ok(indexed)
}

fn result_of(view: &ProfileView, query: &SearchQuery) -> SearchResult {
    let kind = if view.kind == ProfileKind::Person {
        "profile"
    } else {
        "page"
    };
    SearchResult {
        kind,
        profile_kind: Some(view.kind),
        handle: Some(view.handle.to_string()),
        id: None,
        // The name is members-visible at least, and results need signed-in
        // viewers or a public name: fall back to the handle all the same.
        name: view.name.clone().unwrap_or_else(|| view.handle.to_string()),
        relation: Some(view.relation),
        degree: degree_of(view.relation),
        headline: view.headline.clone(),
        snippet: snippet(view, query),
        persona_of: view.persona_of.clone(),
        author: None,
        published_at: None,
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
        assert!(matches!(
            parse(&req("claire"), false),
            Ok(Asked::Profiles(..))
        ));
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
        assert!(matches!(parse(&r, false), Ok(Asked::Groups(_))));
        r.kind = Some("post".into());
        assert!(matches!(parse(&r, false), Ok(Asked::Posts(..))));
        r.kind = Some("page".into());
        let Ok(Asked::Profiles(q, _)) = parse(&r, false) else {
            panic!("profiles asked")
        };
        assert_eq!(q.kinds.len(), 3);
        r.degree = Some("4".into());
        assert!(matches!(parse(&r, false), Err(Error::Invalid(_))));
    }

    #[test]
    fn operators_are_plain_text() {
        let Ok(Asked::Profiles(q, _)) = parse(&req("title:\"(AND OR -x* ~2"), false) else {
            panic!("profiles asked")
        };
        assert_eq!(q.text, "title:\"(AND OR -x* ~2");
    }

    #[test]
    fn post_snippets_show_the_match() {
        let long = format!(
            "{} Le bilan #audit de Caen. {}",
            "mot ".repeat(60),
            "fin ".repeat(60)
        );
        let s = post_snippet(&long, "audit").unwrap();
        assert!(s.contains("#audit"), "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 2);
        assert_eq!(post_snippet("Court  texte", "x").unwrap(), "Court texte");
        assert_eq!(post_snippet("   ", "x"), None);
    }
}
