//! Search: the port to a full-text index, the documents it holds, and the
//! scope that keeps every match inside what the viewer may see.
//!
//! The index stores each searchable field of a profile with that field's
//! audience. A query never asks the index "does this text match?" alone: for
//! every field clause it also asks [`SearchScope::sees`], which asks the
//! [`crate::privacy`] module whether the viewer's relation to that profile
//! opens that field. So a member is never found through a field the viewer
//! may not see, and anonymous viewers match public fields only. Snippets are
//! built afterwards from the [`crate::profile::ProfileView`], never from the
//! index.
//!
//! Posts have an index of their own ([`PostSearchIndex`]), reached through
//! [`SearchIndex::posts`]: it matches text and hashtags, and asks a
//! [`PostScope`] (the viewer's gathered lens) about every post that
//! matched, so a post is found exactly by those who may read it.

use crate::error::Result;
use crate::ids::{GroupId, ProfileId};
use crate::post::Post;
use crate::privacy::{Audience, Field, Lens, Relation};
use crate::profile::{Position, Profile, ProfileKind};
use time::OffsetDateTime;

/// The profile fields a search looks into, in the order snippets prefer.
pub const SEARCHABLE: [Field; 7] = [
    Field::Name,
    Field::Headline,
    Field::Organization,
    Field::Positions,
    Field::Location,
    Field::Skills,
    Field::About,
];

/// What the index holds of one profile: each searchable field's text with
/// its audience. Empty fields are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    pub id: ProfileId,
    pub kind: ProfileKind,
    pub fields: Vec<IndexedField>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexedField {
    pub field: Field,
    pub audience: Audience,
    /// Several values (skills, positions) are separate entries.
    pub values: Vec<String>,
}

impl SearchDocument {
    /// The document of a stored profile and, for a person, his positions.
    pub fn of(profile: &Profile, positions: &[Position]) -> Self {
        let f = &profile.fields;
        let one = |v: &Option<String>| v.iter().filter(|s| !s.trim().is_empty()).cloned().collect();
        let mut fields = Vec::new();
        for field in SEARCHABLE {
            let values: Vec<String> = match field {
                Field::Name => vec![f.name.clone()],
                Field::Headline => one(&f.headline),
                Field::About => one(&f.about),
                Field::Location => one(&f.location),
                Field::Organization => one(&f.organization),
                Field::Skills => f.skills.clone(),
                Field::Positions => positions
                    .iter()
                    .map(|p| format!("{} {}", p.title, p.organization_name))
                    .collect(),
                _ => Vec::new(),
            };
            if !values.is_empty() {
                fields.push(IndexedField {
                    field,
                    audience: profile.audiences.get(field),
                    values,
                });
            }
        }
        Self {
            id: profile.id,
            kind: profile.kind,
            fields,
        }
    }
}

/// A query as the index receives it, already validated by the domain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    /// Free text: every word must match some field the viewer may see.
    pub text: String,
    /// The last word may be the beginning of a word (type-ahead).
    pub prefix: bool,
    /// Kinds of profile to keep; empty keeps all.
    pub kinds: Vec<ProfileKind>,
    /// Filters: each must match its own field, visible to the viewer.
    pub location: Option<String>,
    pub organization: Option<String>,
    pub skill: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

/// One match, with the relation it was admitted under.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub id: ProfileId,
    pub relation: Relation,
    pub score: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchHits {
    /// Every match the viewer may see, not only this page.
    pub total: usize,
    /// Closest relation first, then relevance.
    pub hits: Vec<SearchHit>,
}

/// The full-text index. Writes are visible to the next search.
pub trait SearchIndex: Send + Sync {
    /// Adds or replaces these documents.
    fn put(&self, docs: &[SearchDocument]) -> Result<()>;
    fn remove(&self, id: ProfileId) -> Result<()>;
    /// Matches inside `scope` only, ranked by [`SearchScope::rank`] then relevance.
    fn search(&self, query: &SearchQuery, scope: &SearchScope) -> Result<SearchHits>;
    /// Documents held.
    fn count(&self) -> Result<u64>;
    /// Starts replacing the whole index; searches see the old content until
    /// [`SearchIndex::finish_rebuild`].
    fn start_rebuild(&self) -> Result<()>;
    fn add_to_rebuild(&self, docs: &[SearchDocument]) -> Result<()>;
    /// Makes the rebuilt index visible; returns the documents it holds.
    fn finish_rebuild(&self) -> Result<u64>;
    /// The index of posts kept beside it.
    fn posts(&self) -> &dyn PostSearchIndex;
}

/// Degree of relation a search may be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Degree {
    /// Contacts.
    First,
    /// 2nd degree.
    Second,
    /// Anyone farther (and pages).
    ThirdPlus,
}

impl Degree {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "1" | "1st" | "first" => Some(Self::First),
            "2" | "2nd" | "second" => Some(Self::Second),
            "3" | "3rd" | "3+" | "third" => Some(Self::ThirdPlus),
            _ => None,
        }
    }

    fn keeps(self, relation: Relation) -> bool {
        match self {
            Self::First => relation == Relation::Contact,
            Self::Second => relation == Relation::Network,
            Self::ThirdPlus => matches!(relation, Relation::Member | Relation::Anonymous),
        }
    }
}

/// One viewer's search: his privacy [`Lens`], with his contacts, 2nd degree
/// and blocks gathered once per query, and the degree asked for. Answers
/// per profile in a few hash look-ups.
pub struct SearchScope {
    lens: Lens,
    degree: Option<Degree>,
}

impl std::fmt::Debug for SearchScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchScope")
            .field("lens", &self.lens)
            .field("degree", &self.degree)
            .finish()
    }
}

impl SearchScope {
    pub fn new(lens: Lens, degree: Option<Degree>) -> Self {
        Self {
            lens: lens.gathered(),
            degree,
        }
    }

    /// The viewer's relation to a profile, or `None` when he may not find it
    /// at all (a block, or outside the degree asked for).
    pub fn relation(&self, id: ProfileId) -> Option<Relation> {
        let relation = self.lens.relation(id)?;
        match self.degree {
            Some(d) if !d.keeps(relation) => None,
            _ => Some(relation),
        }
    }

    /// Whether a field with `audience` of profile `id` may be matched: the
    /// one question the index asks for every field clause.
    pub fn sees(&self, id: ProfileId, audience: Audience) -> bool {
        self.relation(id)
            .is_some_and(|r| Self::sees_as(r, audience))
    }

    /// [`Self::sees`] for a relation the index already asked
    /// [`Self::relation`] for (one relation per profile and query).
    pub fn sees_as(relation: Relation, audience: Audience) -> bool {
        audience.admits(relation)
    }

    /// Rank of a relation in results: contacts first, then the 2nd degree,
    /// then the rest; lower ranks first. The viewer's own profiles come
    /// with his contacts.
    pub fn rank(relation: Relation) -> u8 {
        match relation {
            Relation::Itself | Relation::Contact => 0,
            Relation::Network => 1,
            Relation::Member | Relation::Anonymous => 2,
        }
    }
}

/// What the post index holds of one post: its text and hashtags to match,
/// and what the viewer's [`PostScope`] needs to decide (author, audience,
/// group, publication time). The index never decides who sees a post.
#[derive(Debug, Clone, PartialEq)]
pub struct PostDocument {
    pub id: i64,
    pub author: ProfileId,
    pub audience: Audience,
    pub group: Option<GroupId>,
    /// Later than now for a scheduled post.
    pub published_at: OffsetDateTime,
    pub text: String,
    /// Lowercased, without the `#`.
    pub hashtags: Vec<String>,
}

impl PostDocument {
    pub fn of(post: &Post) -> Self {
        Self {
            id: post.id,
            author: post.author,
            audience: post.audience,
            group: post.group,
            published_at: post.published_at,
            text: post.text.clone(),
            hashtags: crate::post::hashtags(&post.text),
        }
    }
}

/// A post search as the index receives it, already validated. Every word
/// must match the text; a word written `#tag` must be one of the post's
/// hashtags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostQuery {
    pub text: String,
    pub offset: usize,
    pub limit: usize,
    /// Matches are counted up to this many (at least `offset + limit`):
    /// beyond, [`PostHits::total`] says this number, and the index may
    /// stop looking once the page is known.
    pub count_up_to: usize,
}

/// One post found, with the relation its author was admitted under.
#[derive(Debug, Clone, PartialEq)]
pub struct PostHit {
    pub id: i64,
    pub relation: Relation,
    pub published_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostHits {
    /// The posts matched that the viewer may see, not only this page,
    /// counted up to [`PostQuery::count_up_to`].
    pub total: usize,
    /// Closest relation first ([`SearchScope::rank`]), then newest first.
    pub hits: Vec<PostHit>,
}

/// The full-text index of posts. Writes are visible to the next search.
pub trait PostSearchIndex: Send + Sync {
    /// Adds or replaces these posts.
    fn put(&self, docs: &[PostDocument]) -> Result<()>;
    fn remove(&self, id: i64) -> Result<()>;
    /// Matches [`PostScope::admits`] lets through only, ranked by relation
    /// then recency.
    fn search(&self, query: &PostQuery, scope: &PostScope) -> Result<PostHits>;
    fn count(&self) -> Result<u64>;
    /// Starts replacing the whole index; searches see the old content until
    /// [`PostSearchIndex::finish_rebuild`].
    fn start_rebuild(&self) -> Result<()>;
    fn add_to_rebuild(&self, docs: &[PostDocument]) -> Result<()>;
    fn finish_rebuild(&self) -> Result<u64>;
}

/// One viewer's post search: his gathered privacy [`Lens`] and the time of
/// the query. The index asks it about every post whose text matched.
pub struct PostScope {
    lens: Lens,
    now: OffsetDateTime,
    degree: Option<Degree>,
}

impl std::fmt::Debug for PostScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostScope")
            .field("lens", &self.lens)
            .field("now", &self.now)
            .field("degree", &self.degree)
            .finish()
    }
}

impl PostScope {
    pub fn new(lens: Lens, now: OffsetDateTime) -> Self {
        Self {
            lens: lens.gathered(),
            now,
            degree: None,
        }
    }

    /// Keeps the posts of authors of that degree only.
    pub fn narrowed_to(mut self, degree: Option<Degree>) -> Self {
        self.degree = degree;
        self
    }

    /// The authors whose posts rank first ([`SearchScope::rank`] 0): the
    /// viewer, the pages he operates, his contacts. The index may look
    /// their posts up first; whether each may be seen is still asked of
    /// [`Self::admits`].
    pub fn nearest(&self) -> Vec<ProfileId> {
        if self.keeps_rank(0) {
            self.lens.nearest()
        } else {
            Vec::new()
        }
    }

    /// Whether a post whose author has this [`SearchScope::rank`] may be
    /// kept at all (the degree asked for), so that the index need not look
    /// where nothing can be kept.
    pub fn keeps_rank(&self, rank: u8) -> bool {
        // Anonymous viewers have no contacts nor 2nd degree.
        if !self.lens.is_signed_in() && rank < 2 {
            return false;
        }
        match self.degree {
            None => true,
            Some(Degree::First) => rank == 0,
            Some(Degree::Second) => rank == 1,
            Some(Degree::ThirdPlus) => rank == 2,
        }
    }

    /// The viewer's relation to the author when he may see the post: the
    /// same decision as every other read of a post ([`Lens::post`]: no
    /// block, the audience or the group admits him, published unless he
    /// wrote it). `None` otherwise.
    pub fn admits(
        &self,
        author: ProfileId,
        audience: Audience,
        group: Option<GroupId>,
        published_at: OffsetDateTime,
    ) -> Option<Relation> {
        let relation = self
            .lens
            .post(author, audience, group, published_at, self.now)?;
        match self.degree {
            Some(d) if !d.keeps(relation) => None,
            _ => Some(relation),
        }
    }
}

/// Folds case and the accents of Latin letters (`Zoé` → `zoe`), for the
/// snippet's look for query words. The index does its own analysis.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            _ => out.push(c),
        }
    }
    out
}

/// The words of a text, folded.
pub fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether a folded word of a field answers a folded query word: equal up
/// to a short ending (plural, gender), or, for the last word being typed,
/// starting with it.
pub fn word_answers(field_word: &str, query_word: &str, prefix: bool) -> bool {
    if prefix && field_word.starts_with(query_word) {
        return true;
    }
    let q: Vec<char> = query_word.chars().collect();
    let keep = q
        .len()
        .saturating_sub(3)
        .max(q.len().min(3))
        .max(q.len() * 3 / 4);
    let stem: String = q[..keep.min(q.len())].iter().collect();
    field_word.starts_with(&stem) && field_word.chars().count() <= q.len() + 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_words() {
        assert_eq!(fold("Zoé Lefèvre-Cœur"), "zoe lefevre-coeur");
        assert_eq!(
            words("Expert-comptable, Caen"),
            ["expert", "comptable", "caen"]
        );
    }

    #[test]
    fn words_answer_across_endings() {
        assert!(word_answers("comptable", "comptables", false));
        assert!(word_answers("managers", "manager", false));
        assert!(word_answers("zoe", "zoe", false));
        assert!(!word_answers("paris", "caen", false));
        assert!(word_answers("caen", "cae", true));
        assert!(!word_answers("audit", "auditorium", false));
    }

    #[test]
    fn degrees_keep_their_relations() {
        assert!(Degree::First.keeps(Relation::Contact));
        assert!(!Degree::First.keeps(Relation::Network));
        assert!(Degree::Second.keeps(Relation::Network));
        assert!(Degree::ThirdPlus.keeps(Relation::Member));
        assert!(!Degree::ThirdPlus.keeps(Relation::Itself));
        assert_eq!(Degree::parse("2"), Some(Degree::Second));
        assert_eq!(Degree::parse("9"), None);
    }
}
