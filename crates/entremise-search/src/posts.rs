//! The post index: a tantivy index of its own, in a directory beside the
//! profiles' (`<dir>-posts`).
//!
//! Each post is one document:
//! - `id` (i64, indexed and fast): the post id, the term a replacement or a
//!   removal goes through, read for every hit;
//! - `author`, `group` (0 for none), `audience` (the index in
//!   [`Audience::ALL`]) and `published` (Unix nanoseconds): fast fields,
//!   handed to the viewer's [`PostScope`] for every post whose text
//!   matched. The index decides nothing about privacy itself;
//! - `text`: the English and French stems of the folded words (hashtags
//!   included, so `audit` finds `#audit`);
//! - `tags`: the folded words of the hashtags, which a query word written
//!   `#audit` must match.
//!
//! Results rank by relation ([`SearchScope::rank`]), then newest first.
//! A query word's postings are the union of its stems'; the words are
//! intersected led by the rarest, and only the documents they all hold are
//! looked at: the scope is asked once per such document, from fast fields.

use crate::analysis::Analyzer;
use crate::engine::Values;
use crate::{internal, storage_full};
use entremise_domain::ids::GroupId;
use entremise_domain::privacy::{Audience, Relation};
use entremise_domain::search::{
    PostDocument, PostHit, PostHits, PostQuery, PostScope, PostSearchIndex, SearchScope,
};
use entremise_domain::{Error, ProfileId, Result};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use tantivy::index::InvertedIndexReader;
use tantivy::postings::SegmentPostings;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema as TantivySchema, TextFieldIndexing,
    TextOptions,
};
use tantivy::{
    DocId, DocSet, Index, IndexReader, IndexSettings, IndexSortByField, IndexWriter, Order,
    ReloadPolicy, Searcher, TERMINATED, TantivyDocument, Term,
};
use time::OffsetDateTime;

/// Written next to the post index; change it whenever its schema or the
/// analysis changes, so an index built the old way is rebuilt.
pub const POST_SCHEMA_VERSION: &str = "entremise-search posts 1";
/// Memory the indexing thread may use before it flushes a segment.
const WRITER_MEMORY: usize = 50_000_000;

/// The directory of the post index beside the profiles' in `dir`.
pub fn posts_dir(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "search".to_owned());
    dir.with_file_name(format!("{name}-posts"))
}

#[derive(Clone)]
pub(crate) struct PostSchema {
    pub(crate) schema: TantivySchema,
    id: Field,
    author: Field,
    group: Field,
    audience: Field,
    published: Field,
    text: Field,
    tags: Field,
}

impl PostSchema {
    pub(crate) fn new() -> Self {
        let mut b = TantivySchema::builder();
        let id = b.add_i64_field("id", FAST | INDEXED);
        let author = b.add_i64_field("author", FAST | INDEXED);
        let group = b.add_i64_field("group", FAST);
        let audience = b.add_u64_field("audience", FAST);
        let published = b.add_i64_field("published", FAST);
        let analyzed = || {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(crate::schema::ANALYZED)
                    .set_index_option(IndexRecordOption::Basic),
            )
        };
        let text = b.add_text_field("text", analyzed());
        let tags = b.add_text_field("tags", analyzed());
        Self {
            schema: b.build(),
            id,
            author,
            group,
            audience,
            published,
            text,
            tags,
        }
    }

    fn document(&self, analyzer: &mut Analyzer, d: &PostDocument) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_i64(self.id, d.id);
        doc.add_i64(self.author, d.author.0);
        doc.add_i64(self.group, d.group.map_or(0, |g| g.0));
        doc.add_u64(self.audience, audience_code(d.audience));
        doc.add_i64(self.published, nanos(d.published_at));
        let mut stems = String::new();
        analyzer.each_word(&d.text, |_, s| {
            for stem in s {
                push_word(&mut stems, stem);
            }
        });
        if !stems.is_empty() {
            doc.add_text(self.text, stems);
        }
        let mut tags = String::new();
        for t in &d.hashtags {
            analyzer.each_word(t, |w, _| push_word(&mut tags, w));
        }
        if !tags.is_empty() {
            doc.add_text(self.tags, tags);
        }
        doc
    }
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

fn audience_code(audience: Audience) -> u64 {
    Audience::ALL
        .iter()
        .position(|a| *a == audience)
        .map_or(u64::MAX, |i| i as u64)
}

fn nanos(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos()).unwrap_or(i64::MAX)
}

/// Every segment holds its posts newest first, so that a search may stop
/// once the page is known.
pub(crate) fn settings() -> IndexSettings {
    IndexSettings {
        sort_by_field: Some(IndexSortByField {
            field: "published".to_owned(),
            order: Order::Desc,
        }),
        ..IndexSettings::default()
    }
}

/// One segment's fast fields and inverted indexes.
struct SegmentData {
    id: Values<i64>,
    author: Values<i64>,
    group: Values<i64>,
    audience: Values<u64>,
    published: Values<i64>,
    text: Arc<InvertedIndexReader>,
    tags: Arc<InvertedIndexReader>,
    authors: Arc<InvertedIndexReader>,
}

/// What one reload of the index gives every search.
struct Snapshot {
    searcher: Searcher,
    segments: Vec<SegmentData>,
}

impl Snapshot {
    fn new(searcher: Searcher, schema: &PostSchema) -> tantivy::Result<Self> {
        let mut segments = Vec::new();
        for reader in searcher.segment_readers() {
            let fast = reader.fast_fields();
            segments.push(SegmentData {
                id: Values::new(fast.i64("id")?),
                author: Values::new(fast.i64("author")?),
                group: Values::new(fast.i64("group")?),
                audience: Values::new(fast.u64("audience")?),
                published: Values::new(fast.i64("published")?),
                text: reader.inverted_index(schema.text)?,
                tags: reader.inverted_index(schema.tags)?,
                authors: reader.inverted_index(schema.author)?,
            });
        }
        Ok(Self { searcher, segments })
    }
}

/// One word of a query: the terms any of which a post must hold.
struct WordSpec {
    /// `(in tags, term)`.
    terms: Vec<(bool, String)>,
}

fn words_of(analyzer: &mut Analyzer, text: &str) -> Vec<WordSpec> {
    let mut out = Vec::new();
    for token in text.split_whitespace() {
        let tag = token.starts_with('#');
        for w in analyzer.words(token) {
            let terms = if tag {
                vec![(true, w.folded)]
            } else {
                w.stems.into_iter().map(|s| (false, s)).collect()
            };
            out.push(WordSpec { terms });
        }
    }
    out
}

/// The postings of one query word in one segment.
struct WordPostings {
    postings: Vec<SegmentPostings>,
    cost: u64,
}

impl WordPostings {
    /// Moves every list to `target` or beyond; the smallest doc among them.
    fn seek(&mut self, target: DocId) -> DocId {
        let mut min = TERMINATED;
        for p in &mut self.postings {
            let mut d = p.doc();
            if d < target {
                d = p.seek(target);
            }
            min = min.min(d);
        }
        min
    }
}

fn segment_words(
    seg: &SegmentData,
    schema: &PostSchema,
    words: &[WordSpec],
) -> tantivy::Result<Option<Vec<WordPostings>>> {
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        let mut postings = Vec::new();
        let mut cost = 0u64;
        for (tag, term) in &w.terms {
            let (field, inv) = if *tag {
                (schema.tags, &seg.tags)
            } else {
                (schema.text, &seg.text)
            };
            let term = Term::from_field_text(field, term);
            if let Some(info) = inv.get_term_info(&term)? {
                cost += u64::from(info.doc_freq);
                postings.push(inv.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?);
            }
        }
        postings.retain(|p| p.doc() != TERMINATED);
        if postings.is_empty() {
            return Ok(None);
        }
        out.push(WordPostings { postings, cost });
    }
    out.sort_by_key(|w| w.cost);
    Ok(Some(out))
}

/// A hit while the search runs; "less" is better.
struct Candidate {
    rank: u8,
    published: i64,
    id: i64,
    relation: Relation,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank
            .cmp(&other.rank)
            .then_with(|| other.published.cmp(&self.published))
            .then_with(|| other.id.cmp(&self.id))
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

/// Asks the scope about a document whose text matched.
fn consider(
    seg: &SegmentData,
    doc: DocId,
    author: ProfileId,
    scope: &PostScope,
) -> Option<Candidate> {
    let audience = *Audience::ALL.get(usize::try_from(seg.audience.get(doc)?).ok()?)?;
    let group = Some(seg.group.get(doc)?).filter(|g| *g != 0).map(GroupId);
    let published = seg.published.get(doc)?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(published)).ok()?;
    let relation = scope.admits(author, audience, group, at)?;
    Some(Candidate {
        rank: SearchScope::rank(relation),
        published,
        id: seg.id.get(doc)?,
        relation,
    })
}

/// The best `keep` candidates so far, and how many were admitted.
struct Best {
    heap: BinaryHeap<Candidate>,
    keep: usize,
    total: usize,
}

impl Best {
    fn offer(&mut self, c: Candidate) {
        self.total += 1;
        if self.heap.len() < self.keep {
            self.heap.push(c);
        } else if self.heap.peek().is_some_and(|worst| c < *worst) {
            self.heap.pop();
            self.heap.push(c);
        }
    }
}

/// The posts of the nearest authors (rank 0) that every word matches, in
/// one segment: their postings, gathered and sorted, led through the words.
fn nearest_in_segment(
    seg: &SegmentData,
    alive: Option<&tantivy::fastfield::AliveBitSet>,
    schema: &PostSchema,
    words: &[WordSpec],
    nearest: &[ProfileId],
    scope: &PostScope,
    best: &mut Best,
) -> tantivy::Result<()> {
    let Some(mut words) = segment_words(seg, schema, words)? else {
        return Ok(());
    };
    let mut docs: Vec<DocId> = Vec::new();
    for author in nearest {
        let term = Term::from_field_i64(schema.author, author.0);
        let Some(info) = seg.authors.get_term_info(&term)? else {
            continue;
        };
        let mut postings = seg
            .authors
            .read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
        let mut d = postings.doc();
        while d != TERMINATED {
            docs.push(d);
            d = postings.advance();
        }
    }
    docs.sort_unstable();
    docs.dedup();
    'docs: for doc in docs {
        for w in words.iter_mut() {
            if w.seek(doc) != doc {
                continue 'docs;
            }
        }
        if alive.is_none_or(|a| a.is_alive(doc))
            && let Some(author) = seg.author.get(doc)
            && let Some(c) = consider(seg, doc, ProfileId(author), scope)
        {
            best.offer(c);
        }
    }
    Ok(())
}

fn search(
    snapshot: &Snapshot,
    schema: &PostSchema,
    analyzer: &mut Analyzer,
    query: &PostQuery,
    scope: &PostScope,
) -> tantivy::Result<PostHits> {
    let words = words_of(analyzer, &query.text);
    if words.is_empty() {
        return Ok(PostHits::default());
    }
    let keep = query.offset.saturating_add(query.limit);
    let count_up_to = query.count_up_to.max(keep);
    let mut best = Best {
        heap: BinaryHeap::with_capacity(keep.min(4096) + 1),
        keep,
        total: 0,
    };
    // First the nearest authors' posts, through their postings: few, and
    // ranked before any other however old.
    let nearest = scope.nearest();
    let near: HashSet<i64> = nearest.iter().map(|p| p.0).collect();
    for (seg_ord, seg) in snapshot.segments.iter().enumerate() {
        if nearest.is_empty() {
            break;
        }
        let reader = snapshot.searcher.segment_reader(seg_ord as u32);
        nearest_in_segment(
            seg,
            reader.alive_bitset(),
            schema,
            &words,
            &nearest,
            scope,
            &mut best,
        )?;
    }
    // Then everyone else's, newest first (each segment is sorted so): the
    // best rank left to find is the 2nd degree's (or the rest's, when the
    // degree asked for leaves only them). Once a segment gave as many of
    // that rank as the page still needs, nothing further in it can enter
    // the page; it is then only counted, up to `count_up_to`.
    let best_rank = match (1..=2).find(|r| scope.keeps_rank(*r)) {
        Some(r) => r,
        None => return Ok(finish(best, query, count_up_to)),
    };
    let need = keep.saturating_sub(best.total);
    for (seg_ord, seg) in snapshot.segments.iter().enumerate() {
        let Some(mut words) = segment_words(seg, schema, &words)? else {
            continue;
        };
        let alive = snapshot
            .searcher
            .segment_reader(seg_ord as u32)
            .alive_bitset();
        let mut found = 0usize;
        let mut boundary: Option<i64> = None;
        let (lead, rest) = words.split_at_mut(1);
        let lead = &mut lead[0];
        let mut doc = lead.seek(0);
        'docs: while doc != TERMINATED {
            for w in rest.iter_mut() {
                let d = w.seek(doc);
                if d != doc {
                    doc = lead.seek(d);
                    continue 'docs;
                }
            }
            if alive.is_none_or(|a| a.is_alive(doc))
                && let Some(author) = seg.author.get(doc)
                && !near.contains(&author)
                && let Some(c) = consider(seg, doc, ProfileId(author), scope)
            {
                if found < need || boundary.is_some_and(|b| c.published >= b) {
                    if c.rank <= best_rank {
                        found += 1;
                        if found == need {
                            // Posts published at the same instant may
                            // still come, in any order.
                            boundary = Some(c.published);
                        }
                    }
                    best.offer(c);
                } else {
                    best.total += 1;
                    if best.total >= count_up_to {
                        break;
                    }
                }
            }
            doc = lead.seek(doc + 1);
        }
    }
    Ok(finish(best, query, count_up_to))
}

fn finish(best: Best, query: &PostQuery, count_up_to: usize) -> PostHits {
    let hits = best
        .heap
        .into_sorted_vec()
        .into_iter()
        .skip(query.offset)
        .filter_map(|c| {
            Some(PostHit {
                id: c.id,
                relation: c.relation,
                published_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(c.published))
                    .ok()?,
            })
        })
        .collect();
    PostHits {
        total: best.total.min(count_up_to),
        hits,
    }
}

struct WriterState {
    writer: Option<IndexWriter<TantivyDocument>>,
    rebuilding: bool,
    analyzer: Analyzer,
}

impl WriterState {
    fn get(&mut self) -> Result<&mut IndexWriter<TantivyDocument>> {
        self.writer
            .as_mut()
            .ok_or_else(|| Error::internal("post index: the writer could not be reopened"))
    }
}

/// The full-text index of posts, on tantivy.
pub struct PostIndex {
    schema: PostSchema,
    index: Index,
    reader: IndexReader,
    writer: Mutex<WriterState>,
    snapshot: RwLock<Arc<Snapshot>>,
    analyzer: Analyzer,
}

impl PostIndex {
    pub(crate) fn with_index(index: Index) -> tantivy::Result<Self> {
        let schema = PostSchema::new();
        crate::schema::register_tokenizer(&index);
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let snapshot = Snapshot::new(reader.searcher(), &schema)?;
        let analyzer = Analyzer::new();
        Ok(Self {
            schema,
            index,
            reader,
            writer: Mutex::new(WriterState {
                writer: Some(writer),
                rebuilding: false,
                analyzer: analyzer.clone(),
            }),
            snapshot: RwLock::new(Arc::new(snapshot)),
            analyzer,
        })
    }

    pub(crate) fn in_memory() -> Result<Self> {
        let index = Index::builder()
            .schema(PostSchema::new().schema)
            .settings(settings())
            .create_in_ram()
            .map_err(|e| internal("creating a post index in memory", e))?;
        Self::with_index(index).map_err(|e| internal("creating a post index in memory", e))
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn writer(&self) -> MutexGuard<'_, WriterState> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn id_term(&self, id: i64) -> Term {
        Term::from_field_i64(self.schema.id, id)
    }

    /// Commits and shows the result to the next search; a failed commit
    /// is rolled back so that the next changes are taken (the lost ones
    /// are in the store, and the next start finds the count short).
    fn commit(&self, w: &mut WriterState) -> Result<()> {
        let writer = w.get()?;
        if let Err(e) = writer.commit() {
            let rollback = match writer.rollback() {
                Ok(_) => String::new(),
                Err(again) => format!(" (and rolling back: {again})"),
            };
            let cause = format!("post index: committing: {e}{rollback}");
            return Err(if storage_full(&e) {
                Error::StorageFull(cause)
            } else {
                Error::Internal(cause)
            });
        }
        self.reload()
    }

    fn reload(&self) -> Result<()> {
        self.reader
            .reload()
            .map_err(|e| internal("reloading the post index", e))?;
        let snapshot = Snapshot::new(self.reader.searcher(), &self.schema)
            .map_err(|e| internal("reading the committed post index", e))?;
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(snapshot);
        Ok(())
    }

    /// Adds the documents; a writer whose thread died is replaced by a
    /// fresh one, so that the projection's retry succeeds once the cause
    /// is gone.
    fn add(&self, w: &mut WriterState, docs: &[PostDocument]) -> Result<()> {
        for d in docs {
            let doc = self.schema.document(&mut w.analyzer, d);
            let term = self.id_term(d.id);
            let writer = w.get()?;
            writer.delete_term(term);
            if let Err(e) = writer.add_document(doc) {
                let cause = format!("post index: adding post {}: {e}", d.id);
                if !w.rebuilding {
                    w.writer = None;
                    w.writer = Some(
                        self.index
                            .writer_with_num_threads(1, WRITER_MEMORY)
                            .map_err(|e| internal("reopening the post writer", e))?,
                    );
                }
                return Err(if storage_full(&e) {
                    Error::StorageFull(cause)
                } else {
                    Error::Internal(cause)
                });
            }
        }
        Ok(())
    }

    /// Merges a rebuilt index into one segment.
    fn compact(&self, w: &mut WriterState) -> Result<()> {
        if let Some(old) = w.writer.take() {
            old.wait_merging_threads()
                .map_err(|e| internal("waiting for post merges", e))?;
        }
        let writer = self
            .index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(|e| internal("reopening the post writer", e))?;
        let writer = w.writer.insert(writer);
        let segments = self
            .index
            .searchable_segment_ids()
            .map_err(|e| internal("listing post segments", e))?;
        if segments.len() > 1 {
            writer
                .merge(&segments)
                .wait()
                .map_err(|e| internal("merging post segments", e))?;
        }
        self.reload()
    }
}

impl PostSearchIndex for PostIndex {
    fn put(&self, docs: &[PostDocument]) -> Result<()> {
        let mut w = self.writer();
        self.add(&mut w, docs)?;
        if w.rebuilding {
            return Ok(());
        }
        self.commit(&mut w)
    }

    fn remove(&self, id: i64) -> Result<()> {
        let mut w = self.writer();
        let term = self.id_term(id);
        w.get()?.delete_term(term);
        if w.rebuilding {
            return Ok(());
        }
        self.commit(&mut w)
    }

    fn search(&self, query: &PostQuery, scope: &PostScope) -> Result<PostHits> {
        let snapshot = self.current();
        let mut analyzer = self.analyzer.clone();
        search(&snapshot, &self.schema, &mut analyzer, query, scope)
            .map_err(|e| internal("searching posts", e))
    }

    fn count(&self) -> Result<u64> {
        Ok(self.current().searcher.num_docs())
    }

    fn start_rebuild(&self) -> Result<()> {
        let mut w = self.writer();
        if w.rebuilding {
            w.get()?
                .rollback()
                .map_err(|e| internal("abandoning the unfinished post rebuild", e))?;
        }
        w.get()?
            .delete_all_documents()
            .map_err(|e| internal("starting a post rebuild", e))?;
        w.rebuilding = true;
        Ok(())
    }

    fn add_to_rebuild(&self, docs: &[PostDocument]) -> Result<()> {
        let mut w = self.writer();
        self.add(&mut w, docs)?;
        if w.rebuilding {
            Ok(())
        } else {
            self.commit(&mut w)
        }
    }

    fn finish_rebuild(&self) -> Result<u64> {
        let mut w = self.writer();
        self.commit(&mut w)?;
        w.rebuilding = false;
        self.compact(&mut w)?;
        Ok(self.current().searcher.num_docs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_post_directory_sits_beside_the_profiles() {
        assert_eq!(
            posts_dir(Path::new("/data/search")),
            Path::new("/data/search-posts")
        );
    }

    #[test]
    fn audiences_round_trip() {
        for a in Audience::ALL {
            assert_eq!(Audience::ALL[audience_code(a) as usize], a);
        }
    }

    fn doc(id: i64, text: &str) -> PostDocument {
        PostDocument {
            id,
            author: ProfileId(1),
            audience: Audience::Public,
            group: None,
            published_at: OffsetDateTime::UNIX_EPOCH,
            text: text.into(),
            hashtags: entremise_domain::post::hashtags(text),
        }
    }

    #[test]
    fn a_post_is_replaced_and_removed() {
        let index = PostIndex::in_memory().unwrap();
        index.put(&[doc(7, "Un mot"), doc(8, "Autre")]).unwrap();
        assert_eq!(index.count().unwrap(), 2);
        index.put(&[doc(7, "Deux mots")]).unwrap();
        assert_eq!(index.count().unwrap(), 2);
        index.remove(7).unwrap();
        assert_eq!(index.count().unwrap(), 1);
    }

    /// The early stops give what looking at every post gives: the same
    /// page and the same total, for viewers near and far, across segments
    /// and deletions, with posts published at the same instant.
    #[test]
    fn early_stops_answer_like_a_full_scan() {
        use entremise_domain::network::{MemberCard, NetworkBuilder};
        use entremise_domain::privacy::{Lens, ViewerIdentity};
        use entremise_domain::search::Degree;
        let mut state = 7u64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let members = 60i64;
        let mut builder = NetworkBuilder::new();
        for m in 1..=members {
            let card = MemberCard {
                handle: format!("m{m}").into(),
                name: format!("M {m}").into(),
                contact_list: Default::default(),
            };
            builder.add_member(ProfileId(m), true, card);
        }
        for _ in 0..90 {
            let (a, b) = (
                next(members as u64) as i64 + 1,
                next(members as u64) as i64 + 1,
            );
            if a != b {
                builder.add_contact(ProfileId(a), ProfileId(b));
            }
        }
        let network = std::sync::Arc::new(builder.build().unwrap());
        let vocabulary = ["audit", "paie", "bilan", "stock"];
        let index = PostIndex::in_memory().unwrap();
        let mut all = Vec::new();
        for batch in 0..4 {
            let docs: Vec<PostDocument> = (0..300)
                .map(|i| {
                    let id = batch * 300 + i + 1;
                    let words: Vec<&str> = (0..2)
                        .map(|_| vocabulary[next(vocabulary.len() as u64) as usize])
                        .collect();
                    PostDocument {
                        id,
                        author: ProfileId(next(members as u64) as i64 + 1),
                        audience: Audience::ALL[next(5) as usize],
                        group: None,
                        // Few instants: many posts share one.
                        published_at: OffsetDateTime::UNIX_EPOCH
                            + time::Duration::minutes(next(40) as i64),
                        text: words.join(" "),
                        hashtags: Vec::new(),
                    }
                })
                .collect();
            index.put(&docs).unwrap();
            all.extend(docs);
        }
        for gone in [3, 301, 650] {
            index.remove(gone).unwrap();
            all.retain(|d| d.id != gone);
        }
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(30);
        for round in 0..120 {
            let viewer = (round % 3 != 0).then(|| ViewerIdentity {
                person: ProfileId(next(members as u64) as i64 + 1),
                operated: vec![],
                moderator: false,
            });
            let degree = [
                None,
                None,
                Some(Degree::First),
                Some(Degree::Second),
                Some(Degree::ThirdPlus),
            ][next(5) as usize];
            let scope = || {
                PostScope::new(Lens::new(viewer.clone(), network.clone()), now).narrowed_to(degree)
            };
            let word = vocabulary[next(vocabulary.len() as u64) as usize];
            let limit = 1 + next(30) as usize;
            let offset = next(10) as usize;
            let s = scope();
            let mut expected: Vec<(u8, i64, i64, Relation)> = all
                .iter()
                .filter(|d| d.text.split(' ').any(|w| w == word))
                .filter_map(|d| {
                    let r = s.admits(d.author, d.audience, d.group, d.published_at)?;
                    Some((SearchScope::rank(r), -nanos(d.published_at), -d.id, r))
                })
                .collect();
            expected.sort_by_key(|e| (e.0, e.1, e.2));
            let total = expected.len();
            let page: Vec<i64> = expected
                .into_iter()
                .skip(offset)
                .take(limit)
                .map(|e| -e.2)
                .collect();
            for count_up_to in [0, 10_000] {
                let found = index
                    .search(
                        &PostQuery {
                            text: word.into(),
                            offset,
                            limit,
                            count_up_to,
                        },
                        &scope(),
                    )
                    .unwrap();
                let ids: Vec<i64> = found.hits.iter().map(|h| h.id).collect();
                assert_eq!(ids, page, "round {round}: {word} {viewer:?} {degree:?}");
                if count_up_to > total {
                    assert_eq!(found.total, total, "round {round}");
                } else {
                    assert!(found.total >= (offset + limit).min(total), "round {round}");
                }
            }
        }
    }

    #[test]
    fn hashtag_words_look_in_tags_only() {
        let mut analyzer = Analyzer::new();
        let words = words_of(&mut analyzer, "#Audit bilans");
        assert_eq!(words.len(), 2);
        assert_eq!(words[0].terms, [(true, "audit".to_owned())]);
        assert!(words[1].terms.iter().all(|(tag, _)| !tag));
    }
}
