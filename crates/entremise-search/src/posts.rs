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
use std::collections::BinaryHeap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use tantivy::index::InvertedIndexReader;
use tantivy::postings::SegmentPostings;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema as TantivySchema, TextFieldIndexing,
    TextOptions,
};
use tantivy::{
    DocId, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TERMINATED,
    TantivyDocument, Term,
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
        let author = b.add_i64_field("author", FAST);
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

/// One segment's fast fields and inverted indexes.
struct SegmentData {
    id: Values<i64>,
    author: Values<i64>,
    group: Values<i64>,
    audience: Values<u64>,
    published: Values<i64>,
    text: Arc<InvertedIndexReader>,
    tags: Arc<InvertedIndexReader>,
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
fn consider(seg: &SegmentData, doc: DocId, scope: &PostScope) -> Option<Candidate> {
    let author = ProfileId(seg.author.get(doc)?);
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
    let mut best: BinaryHeap<Candidate> = BinaryHeap::with_capacity(keep.min(4096) + 1);
    let mut total = 0usize;
    for (seg_ord, seg) in snapshot.segments.iter().enumerate() {
        let Some(mut words) = segment_words(seg, schema, &words)? else {
            continue;
        };
        let alive = snapshot
            .searcher
            .segment_reader(seg_ord as u32)
            .alive_bitset();
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
                && let Some(c) = consider(seg, doc, scope)
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
        .filter_map(|c| {
            Some(PostHit {
                id: c.id,
                relation: c.relation,
                published_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(c.published))
                    .ok()?,
            })
        })
        .collect();
    Ok(PostHits { total, hits })
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
        let index = Index::create_in_ram(PostSchema::new().schema);
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

    #[test]
    fn hashtag_words_look_in_tags_only() {
        let mut analyzer = Analyzer::new();
        let words = words_of(&mut analyzer, "#Audit bilans");
        assert_eq!(words.len(), 2);
        assert_eq!(words[0].terms, [(true, "audit".to_owned())]);
        assert!(words[1].terms.iter().all(|(tag, _)| !tag));
    }
}
