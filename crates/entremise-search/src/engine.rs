//! Query execution, with privacy inside the match.
//!
//! A query is a list of groups that must all match: one per query word and
//! one per word of each filter. A group is a set of atoms, each the postings
//! of one term in one text field, and it matches a document when at least
//! one atom holds the document AND the viewer may see the profile field
//! behind that atom ([`SearchScope::sees`] with that field's audience in
//! that document). So a word found only in a field the viewer may not see
//! does not match, and a profile the scope gives no relation to (a block,
//! a degree filter) never matches at all.
//!
//! The engine walks postings itself (a leapfrog intersection of the groups,
//! led by the rarest) rather than through tantivy's `Query`/`Weight`
//! machinery: those must be `'static`, while the scope is borrowed for the
//! duration of one search. Text drives; the scope is asked only for the
//! documents whose text matches, and at most once per audience per document.

use crate::analysis::{Analyzer, Word, prefix_key};
use crate::schema::{self, PROFILE_KIND_CODES, Schema, Text, audience_at, kind_at};
use entremise_domain::ProfileId;
use entremise_domain::privacy::{Audience, Relation};
use entremise_domain::search::{SearchHit, SearchHits, SearchQuery, SearchScope};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;
use tantivy::columnar::{Column, ColumnIndex, ColumnValues};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::InvertedIndexReader;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{Bm25Weight, DfaWrapper, FuzzyTermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Searcher, TERMINATED, Term};

/// Score of a one-typo name match: below any exact name match.
const FUZZY_SCORE: f32 = 1.0;
/// Most dictionary words one misspelt word may stand for, per segment.
const MAX_FUZZY_TERMS: usize = 32;
/// Shortest type-ahead beginning searched on its own, in characters.
const MIN_LONE_PREFIX_CHARS: usize = 2;
/// Shortest name word (in characters) searched with one typo allowed.
const FUZZY_MIN_CHARS: usize = 4;

/// What one reload of the index gives every search: the searcher and, per
/// segment, the column and postings handles a query needs.
pub struct Snapshot {
    pub searcher: Searcher,
    segments: Vec<SegmentData>,
    /// Documents in all segments, deleted ones included (BM25's N).
    max_docs: u64,
    /// Average tokens per document, per [`Text`] field (BM25).
    avg_norms: Vec<f32>,
}

/// A fast field of one segment; every document has one value, so it is
/// read straight from the values when tantivy agrees.
pub(crate) enum Values<T> {
    Full(Arc<dyn ColumnValues<T>>),
    Other(Column<T>),
}

impl<T: PartialOrd + Copy + std::fmt::Debug + Send + Sync + 'static> Values<T> {
    pub(crate) fn new(column: Column<T>) -> Self {
        if matches!(column.index, ColumnIndex::Full) {
            Self::Full(column.values)
        } else {
            Self::Other(column)
        }
    }

    #[inline]
    pub(crate) fn get(&self, doc: DocId) -> Option<T> {
        match self {
            Self::Full(values) => Some(values.get_val(doc)),
            Self::Other(column) => column.first(doc),
        }
    }
}

struct SegmentData {
    id: Values<i64>,
    meta: Values<u64>,
    inverted: Vec<Arc<InvertedIndexReader>>,
    norms: Vec<FieldNormReader>,
}

impl Snapshot {
    pub fn new(searcher: Searcher, schema: &Schema) -> tantivy::Result<Self> {
        let mut segments = Vec::new();
        let mut tokens = vec![0u64; Text::ALL.len()];
        let mut max_docs = 0u64;
        for reader in searcher.segment_readers() {
            let fast = reader.fast_fields();
            let mut inverted = Vec::with_capacity(Text::ALL.len());
            let mut norms = Vec::with_capacity(Text::ALL.len());
            for t in Text::ALL {
                let field = schema.field(t);
                let inv = reader.inverted_index(field)?;
                tokens[t.index()] += inv.total_num_tokens();
                inverted.push(inv);
                norms.push(reader.get_fieldnorms_reader(field)?);
            }
            max_docs += u64::from(reader.max_doc());
            segments.push(SegmentData {
                id: Values::new(fast.i64(schema::ID)?),
                meta: Values::new(fast.u64(schema::META)?),
                inverted,
                norms,
            });
        }
        let avg_norms = tokens
            .iter()
            .map(|t| {
                if max_docs == 0 {
                    0.0
                } else {
                    *t as f32 / max_docs as f32
                }
            })
            .collect();
        Ok(Self {
            searcher,
            segments,
            max_docs,
            avg_norms,
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }
}

/// One term to look up in one text field.
struct TermSpec {
    text: Text,
    word: String,
}

/// What one group of the query looks for.
#[derive(Default)]
struct GroupSpec {
    terms: Vec<TermSpec>,
    /// A name word with one typo allowed: the automaton and the exact word
    /// (already searched among `terms`).
    fuzzy: Option<(DfaWrapper, String)>,
}

impl GroupSpec {
    fn add(&mut self, text: Text, word: &str) {
        if !self.terms.iter().any(|t| t.text == text && t.word == word) {
            self.terms.push(TermSpec {
                text,
                word: word.to_owned(),
            });
        }
    }

    fn stems(&mut self, texts: &[Text], word: &Word) {
        for &t in texts {
            for s in &word.stems {
                self.add(t, s);
            }
        }
    }
}

/// The free-text fields a query word looks into (with `Text::Name` exact
/// and fuzzy, added separately).
const WORD_STEM_FIELDS: [Text; 7] = [
    Text::NameStem,
    Text::Headline,
    Text::Organization,
    Text::Positions,
    Text::Skills,
    Text::Location,
    Text::About,
];

fn word_group(schema: &Schema, word: &Word, prefix: bool) -> GroupSpec {
    let mut g = GroupSpec::default();
    g.add(Text::Name, &word.folded);
    g.stems(&WORD_STEM_FIELDS, word);
    if prefix {
        let key = prefix_key(&word.folded);
        for t in [
            Text::NamePrefix,
            Text::HeadlinePrefix,
            Text::OrganizationPrefix,
        ] {
            g.add(t, key);
        }
    }
    if word.folded.chars().count() >= FUZZY_MIN_CHARS {
        let term = Term::from_field_text(schema.field(Text::Name), &word.folded);
        // Transpositions count as one edit ("Clarie" → "Claire").
        if let Ok(dfa) = FuzzyTermQuery::new(term, 1, true).automaton() {
            g.fuzzy = Some((dfa, word.folded.clone()));
        }
    }
    g
}

fn groups_of(schema: &Schema, analyzer: &mut Analyzer, query: &SearchQuery) -> Vec<GroupSpec> {
    let mut groups = Vec::new();
    let words = analyzer.words(&query.text);
    let last = words.len().saturating_sub(1);
    for (i, w) in words.iter().enumerate() {
        // A single letter alone would select a good part of the index; after
        // other words it narrows them ("claire d").
        let prefix = query.prefix
            && i == last
            && (words.len() > 1 || w.folded.chars().count() >= MIN_LONE_PREFIX_CHARS);
        groups.push(word_group(schema, w, prefix));
    }
    let filters: [(&Option<String>, &[Text]); 3] = [
        (&query.location, &[Text::Location]),
        (&query.organization, &[Text::Organization, Text::Positions]),
        (&query.skill, &[Text::Skills]),
    ];
    for (value, texts) in filters {
        for w in value
            .as_deref()
            .map(|v| analyzer.words(v))
            .unwrap_or_default()
        {
            let mut g = GroupSpec::default();
            g.stems(texts, &w);
            groups.push(g);
        }
    }
    groups
}

/// A term looked up in every segment, with its BM25 weight.
struct ResolvedTerm {
    text: Text,
    slot: u8,
    infos: Vec<Option<TermInfo>>,
    bm25: Bm25Weight,
}

struct ResolvedGroup {
    terms: Vec<ResolvedTerm>,
    fuzzy: Option<(DfaWrapper, String)>,
}

fn resolve(
    snapshot: &Snapshot,
    schema: &Schema,
    spec: GroupSpec,
) -> tantivy::Result<ResolvedGroup> {
    let mut terms = Vec::new();
    for t in spec.terms {
        let term = Term::from_field_text(schema.field(t.text), &t.word);
        let mut infos = Vec::with_capacity(snapshot.segments.len());
        let mut doc_freq = 0u64;
        for seg in &snapshot.segments {
            let info = seg.inverted[t.text.index()].get_term_info(&term)?;
            doc_freq += info.as_ref().map_or(0, |i| u64::from(i.doc_freq));
            infos.push(info);
        }
        if doc_freq == 0 {
            continue;
        }
        let bm25 = Bm25Weight::for_one_term_without_explain(
            doc_freq,
            snapshot.max_docs,
            snapshot.avg_norms[t.text.index()],
        )
        .boost_by(t.text.boost());
        let Some(slot) = schema::slot(t.text.source()) else {
            continue;
        };
        terms.push(ResolvedTerm {
            text: t.text,
            slot,
            infos,
            bm25,
        });
    }
    Ok(ResolvedGroup {
        terms,
        fuzzy: spec.fuzzy,
    })
}

enum AtomScore<'q> {
    Bm25 {
        weight: &'q Bm25Weight,
        norms: &'q FieldNormReader,
        freqs: bool,
    },
    Const(f32),
}

/// The postings of one term in one segment, and the field slot whose
/// audience guards it.
struct Atom<'q> {
    postings: SegmentPostings,
    slot: u8,
    score: AtomScore<'q>,
}

impl Atom<'_> {
    fn score(&self, doc: DocId) -> f32 {
        match &self.score {
            AtomScore::Bm25 {
                weight,
                norms,
                freqs,
            } => {
                let tf = if *freqs { self.postings.term_freq() } else { 1 };
                weight.score(norms.fieldnorm_id(doc), tf)
            }
            AtomScore::Const(s) => *s,
        }
    }
}

struct Group<'q> {
    atoms: Vec<Atom<'q>>,
    cost: u64,
}

impl Group<'_> {
    /// Moves every atom to `target` or beyond; the smallest doc among them.
    fn seek(&mut self, target: DocId) -> DocId {
        let mut min = TERMINATED;
        for a in &mut self.atoms {
            let mut d = a.postings.doc();
            if d < target {
                d = a.postings.seek(target);
            }
            min = min.min(d);
        }
        min
    }
}

fn segment_groups<'q>(
    snapshot: &'q Snapshot,
    groups: &'q [ResolvedGroup],
    seg_ord: usize,
) -> tantivy::Result<Option<Vec<Group<'q>>>> {
    let seg = &snapshot.segments[seg_ord];
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        let mut atoms = Vec::new();
        let mut cost = 0u64;
        for t in &g.terms {
            let Some(info) = &t.infos[seg_ord] else {
                continue;
            };
            let record = if t.text.has_freqs() {
                IndexRecordOption::WithFreqs
            } else {
                IndexRecordOption::Basic
            };
            let postings =
                seg.inverted[t.text.index()].read_postings_from_terminfo(info, record)?;
            cost += u64::from(info.doc_freq);
            atoms.push(Atom {
                postings,
                slot: t.slot,
                score: AtomScore::Bm25 {
                    weight: &t.bm25,
                    norms: &seg.norms[t.text.index()],
                    freqs: t.text.has_freqs(),
                },
            });
        }
        if let Some((dfa, exact)) = &g.fuzzy
            && let Some(name_slot) = schema::slot(Text::Name.source())
        {
            let inv = &seg.inverted[Text::Name.index()];
            let mut stream = inv.terms().search(dfa).into_stream()?;
            let mut taken = 0;
            while taken < MAX_FUZZY_TERMS && stream.advance() {
                if stream.key() == exact.as_bytes() {
                    continue;
                }
                taken += 1;
                let info = stream.value();
                cost += u64::from(info.doc_freq);
                atoms.push(Atom {
                    postings: inv.read_postings_from_terminfo(info, IndexRecordOption::Basic)?,
                    slot: name_slot,
                    score: AtomScore::Const(FUZZY_SCORE),
                });
            }
        }
        atoms.retain(|a| a.postings.doc() != TERMINATED);
        if atoms.is_empty() {
            // Every group must match: nothing in this segment can.
            return Ok(None);
        }
        out.push(Group { atoms, cost });
    }
    out.sort_by_key(|g| g.cost);
    Ok(Some(out))
}

/// A hit while the search runs; "less" is better.
struct Candidate {
    rank: u8,
    score: f32,
    id: i64,
    relation: Relation,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank
            .cmp(&other.rank)
            .then_with(|| other.score.total_cmp(&self.score))
            .then_with(|| self.id.cmp(&other.id))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

/// The answers of the scope for one document: its relation, asked once,
/// then each audience through [`SearchScope::sees_as`].
struct Visibility {
    relation: Relation,
}

impl Visibility {
    fn sees(&self, audience: Audience) -> bool {
        SearchScope::sees_as(self.relation, audience)
    }
}

pub fn search(
    snapshot: &Snapshot,
    schema: &Schema,
    analyzer: &mut Analyzer,
    query: &SearchQuery,
    scope: &SearchScope,
) -> tantivy::Result<SearchHits> {
    let specs = groups_of(schema, analyzer, query);
    if specs.is_empty() {
        // Nothing asked: nothing found (kinds alone select nothing).
        return Ok(SearchHits::default());
    }
    let mut groups = Vec::with_capacity(specs.len());
    for spec in specs {
        let g = resolve(snapshot, schema, spec)?;
        if g.terms.is_empty() && g.fuzzy.is_none() {
            return Ok(SearchHits::default());
        }
        groups.push(g);
    }
    let kinds: Vec<u64> = query.kinds.iter().map(|k| schema::kind_code(*k)).collect();
    let keep = query.offset.saturating_add(query.limit);
    let mut best: BinaryHeap<Candidate> = BinaryHeap::with_capacity(keep.min(4096) + 1);
    let mut total = 0usize;

    for (seg_ord, seg) in snapshot.segments.iter().enumerate() {
        let Some(mut groups) = segment_groups(snapshot, &groups, seg_ord)? else {
            continue;
        };
        let reader = snapshot.searcher.segment_reader(seg_ord as u32);
        let alive = reader.alive_bitset();
        let (lead, rest) = groups.split_at_mut(1);
        let lead = &mut lead[0];
        let mut doc = lead.seek(0);
        'docs: while doc != TERMINATED {
            for g in rest.iter_mut() {
                let d = g.seek(doc);
                if d != doc {
                    doc = lead.seek(d);
                    continue 'docs;
                }
            }
            if alive.is_none_or(|a| a.is_alive(doc))
                && let Some(c) = consider(seg, doc, lead, rest, &kinds, scope)
            {
                total += 1;
                if best.len() < keep {
                    best.push(c);
                } else if best.peek().is_some_and(|worst| c < *worst) {
                    best.pop();
                    best.push(c);
                }
            }
            doc = lead.seek(doc + 1);
        }
    }

    let hits = best
        .into_sorted_vec()
        .into_iter()
        .skip(query.offset)
        .map(|c| SearchHit {
            id: ProfileId(c.id),
            relation: c.relation,
            score: c.score,
        })
        .collect();
    Ok(SearchHits { total, hits })
}

/// A document every group matches in its text: keeps it when each group
/// matches in a field the viewer may see, and scores it on those fields.
fn consider(
    seg: &SegmentData,
    doc: DocId,
    lead: &Group<'_>,
    rest: &[Group<'_>],
    kinds: &[u64],
    scope: &SearchScope,
) -> Option<Candidate> {
    let packed = seg.meta.get(doc)?;
    let kind = kind_at(packed);
    if !PROFILE_KIND_CODES.contains(&kind) || (!kinds.is_empty() && !kinds.contains(&kind)) {
        return None;
    }
    let id = ProfileId(seg.id.get(doc)?);
    let relation = scope.relation(id)?;
    let vis = Visibility { relation };
    let mut score = 0.0f32;
    for g in std::iter::once(lead).chain(rest) {
        let mut matched = false;
        for a in &g.atoms {
            if a.postings.doc() != doc {
                continue;
            }
            let Some(audience) = audience_at(packed, a.slot) else {
                continue;
            };
            if vis.sees(audience) {
                matched = true;
                score += a.score(doc);
            }
        }
        if !matched {
            return None;
        }
    }
    Some(Candidate {
        rank: SearchScope::rank(relation),
        score,
        id: id.0,
        relation,
    })
}
