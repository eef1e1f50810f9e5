//! The entremise SearchIndex on tantivy.
//!
//! [`TantivyIndex`] implements [`SearchIndex`]: people and pages found by
//! name, headline, organization, positions, location, skills and about, in
//! French and English (both stems of every word), accents and case folded,
//! one typo allowed in name words, and type-ahead on the beginnings of name,
//! headline and organization words.
//!
//! Privacy is enforced inside the match (see `engine.rs`): every field
//! clause matches a document only when the viewer's scope
//! ([`SearchScope::sees`]) opens that field's audience in that document.
//!
//! The schema (see `schema.rs`) carries a `doc_kind` so groups and
//! articles can later live in the same index; a schema version stored next
//! to the index makes [`TantivyIndex::open`] ask for a rebuild when the
//! schema or the analysis changed.
//!
//! Posts live in an index of their own beside it ([`PostIndex`], in
//! `<dir>-posts`, see `posts.rs`), reached through [`SearchIndex::posts`]:
//! their text and hashtags are matched, and the viewer's
//! [`entremise_domain::search::PostScope`] is asked about every match.

mod analysis;
mod engine;
mod posts;
mod schema;

pub use crate::posts::{POST_SCHEMA_VERSION, PostIndex, posts_dir};

use crate::analysis::Analyzer;
use crate::engine::Snapshot;
use crate::schema::{SCHEMA_FILE, SCHEMA_VERSION, Schema};
use entremise_domain::search::{
    PostSearchIndex, SearchDocument, SearchHits, SearchIndex, SearchQuery, SearchScope,
};
use entremise_domain::{Error, ProfileId, Result};
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use tantivy::directory::error::LockError;
use tantivy::directory::{DirectoryLock, INDEX_WRITER_LOCK, MmapDirectory};
use tantivy::{
    Directory, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError,
};

/// Memory the single indexing thread may use before it flushes a segment.
const WRITER_MEMORY: usize = 50_000_000;

fn internal(what: impl Display, e: impl Display) -> Error {
    Error::internal(format!("search index: {what}: {e}"))
}

/// Whether tantivy failed for want of disk space.
fn storage_full(e: &TantivyError) -> bool {
    let io = match e {
        TantivyError::IoError(io) => io,
        // Some paths report the I/O error only as text.
        TantivyError::InternalError(text) => return text.contains("(os error 28)"),
        TantivyError::OpenWriteError(tantivy::directory::error::OpenWriteError::IoError {
            io_error,
            ..
        }) => io_error,
        _ => return false,
    };
    // Errors passed between tantivy's threads come back wrapped, their
    // kind lost but their text kept.
    io.kind() == std::io::ErrorKind::StorageFull || io.to_string().contains("(os error 28)")
}

fn in_use(dir: &Path) -> Error {
    Error::internal(format!(
        "search index: {} is in use by another entremise process (its writer lock is held)",
        dir.display()
    ))
}

impl WriterState {
    fn get(&mut self) -> Result<&mut IndexWriter<TantivyDocument>> {
        self.writer
            .as_mut()
            .ok_or_else(|| Error::internal("search index: the writer could not be reopened"))
    }
}

struct WriterState {
    /// Always there, but for the moment `finish_rebuild` replaces it.
    writer: Option<IndexWriter<TantivyDocument>>,
    /// Between `start_rebuild` and `finish_rebuild`: nothing is committed.
    rebuilding: bool,
    analyzer: Analyzer,
}

/// The full-text index of profiles, on tantivy.
pub struct TantivyIndex {
    schema: Schema,
    index: Index,
    reader: IndexReader,
    writer: Mutex<WriterState>,
    /// What searches read; replaced after every commit.
    snapshot: RwLock<Arc<Snapshot>>,
    analyzer: Analyzer,
    dir: Option<PathBuf>,
    /// The posts, in their own index.
    posts: PostIndex,
    /// The post index was missing, corrupt or of an older schema when
    /// opened, and created empty.
    posts_fresh: bool,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex")
            .field("dir", &self.dir)
            .field("docs", &self.current().num_docs())
            .finish()
    }
}

/// Takes the writer lock for a moment, to tell "in use" from "corrupt".
fn writer_lock(dir: &Path) -> Result<DirectoryLock> {
    let directory =
        MmapDirectory::open(dir).map_err(|e| internal(format!("opening {}", dir.display()), e))?;
    directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| match e {
            LockError::LockBusy => in_use(dir),
            other => internal(format!("locking {}", dir.display()), other),
        })
}

fn version_matches(dir: &Path, version: &str) -> bool {
    std::fs::read_to_string(dir.join(SCHEMA_FILE)).is_ok_and(|v| v.trim() == version)
}

/// Whether a file of the index directory is ours or tantivy's (and may be
/// wiped): the meta files, the schema version and the segment files, named
/// after a 32-hex-digit segment id. Lock files stay (they are held).
fn wipeable(name: &str) -> bool {
    if matches!(name, "meta.json" | ".managed.json" | SCHEMA_FILE) {
        return true;
    }
    let (stem, _) = name.split_once('.').unwrap_or((name, ""));
    stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit())
}

fn wipe(dir: &Path) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| internal(format!("reading {}", dir.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| internal(format!("reading {}", dir.display()), e))?;
        let name = entry.file_name();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && name.to_str().is_some_and(wipeable) {
            std::fs::remove_file(entry.path())
                .map_err(|e| internal(format!("removing {}", entry.path().display()), e))?;
        }
    }
    Ok(())
}

impl TantivyIndex {
    /// Opens the index in `dir` (created when missing). A missing, corrupt
    /// or older-schema index is wiped and created empty; the bool is true
    /// then ("needs a rebuild from the store").
    pub fn open(dir: &Path) -> Result<(Self, bool)> {
        std::fs::create_dir_all(dir)
            .map_err(|e| internal(format!("creating {}", dir.display()), e))?;
        let mut opened_posts = Some(open_posts(&posts_dir(dir))?);
        let mut lock = writer_lock(dir)?;
        let schema = Schema::new();
        if version_matches(dir, SCHEMA_VERSION)
            && let Ok(index) = Index::open_in_dir(dir)
            && index.schema() == schema.schema
        {
            drop(lock);
            let (posts, posts_fresh) = opened_posts
                .take()
                .ok_or_else(|| Error::internal("search index: the post index is gone"))?;
            match Self::with_index(index, Some(dir.to_owned()), posts) {
                Ok(me) => return Ok((me.posts_fresh(posts_fresh), false)),
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) => return Err(in_use(dir)),
                // Unreadable segments: rebuilt below.
                Err(_) => {}
            }
            lock = writer_lock(dir)?;
        }
        // Unless it went with a failed attempt, the post index is still open.
        let (posts, posts_fresh) = match opened_posts.take() {
            Some(p) => p,
            None => open_posts(&posts_dir(dir))?,
        };
        wipe(dir)?;
        let index = Index::create_in_dir(dir, schema.schema.clone())
            .map_err(|e| internal(format!("creating the index in {}", dir.display()), e))?;
        std::fs::write(dir.join(SCHEMA_FILE), format!("{SCHEMA_VERSION}\n"))
            .map_err(|e| internal(format!("writing {SCHEMA_FILE} in {}", dir.display()), e))?;
        drop(lock);
        let me = Self::with_index(index, Some(dir.to_owned()), posts).map_err(|e| match e {
            TantivyError::LockFailure(LockError::LockBusy, _) => in_use(dir),
            other => internal(format!("opening the new index in {}", dir.display()), other),
        })?;
        Ok((me.posts_fresh(posts_fresh), true))
    }

    fn posts_fresh(mut self, fresh: bool) -> Self {
        self.posts_fresh = fresh;
        self
    }

    /// Whether the post index was created empty when opened (missing,
    /// corrupt or of an older schema): it needs a rebuild from the store.
    pub fn posts_need_rebuild(&self) -> bool {
        self.posts_fresh
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Self> {
        let index = Index::create_in_ram(Schema::new().schema);
        Self::with_index(index, None, PostIndex::in_memory()?)
            .map_err(|e| internal("creating an index in memory", e))
    }

    fn with_index(index: Index, dir: Option<PathBuf>, posts: PostIndex) -> tantivy::Result<Self> {
        let schema = Schema::new();
        schema::register_tokenizer(&index);
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
            dir,
            posts,
            posts_fresh: false,
        })
    }

    /// Bytes on disk (0 in memory), for the benchmark report.
    pub fn disk_bytes(&self) -> u64 {
        let Some(dir) = &self.dir else { return 0 };
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
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

    /// Commits and makes the result visible to the next search.
    ///
    /// A failed commit (a full disk) leaves tantivy's writer unable to
    /// commit anything again: it is rolled back to the last commit, so
    /// that the next changes are taken once the cause is gone. The changes
    /// lost with it are in the store; the index counts fewer profiles than
    /// the store, and the next start rebuilds it.
    fn commit(&self, w: &mut WriterState) -> Result<()> {
        let writer = w.get()?;
        if let Err(e) = writer.commit() {
            let rollback = match writer.rollback() {
                Ok(_) => String::new(),
                Err(again) => format!(" (and rolling back: {again})"),
            };
            let cause = format!("search index: committing: {e}{rollback}");
            return Err(if storage_full(&e) {
                Error::StorageFull(cause)
            } else {
                Error::Internal(cause)
            });
        }
        self.reload()
    }

    fn reload(&self) -> Result<()> {
        self.reader.reload().map_err(|e| internal("reloading", e))?;
        let snapshot = Snapshot::new(self.reader.searcher(), &self.schema)
            .map_err(|e| internal("reading the committed index", e))?;
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(snapshot);
        Ok(())
    }

    /// Merges a freshly rebuilt index into one segment: a search pays a
    /// term look-up per segment and term, and the rebuild left many.
    /// Searches go on meanwhile on the committed segments.
    fn compact(&self, w: &mut WriterState) -> Result<()> {
        if let Some(old) = w.writer.take() {
            old.wait_merging_threads()
                .map_err(|e| internal("waiting for merges", e))?;
        }
        let writer = self
            .index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(|e| internal("reopening the writer", e))?;
        let writer = w.writer.insert(writer);
        let segments = self
            .index
            .searchable_segment_ids()
            .map_err(|e| internal("listing segments", e))?;
        if segments.len() > 1 {
            writer
                .merge(&segments)
                .wait()
                .map_err(|e| internal("merging segments", e))?;
        }
        self.reload()
    }

    /// Adds the documents. A writer whose indexing thread died (an I/O
    /// error while it flushed, such as a full disk) takes nothing more: it
    /// is dropped with what it held since the last commit and a fresh one
    /// opened, so that the caller (the search projection, which retries
    /// the whole batch from its cursor) succeeds once the cause is gone.
    fn add(&self, w: &mut WriterState, docs: &[SearchDocument]) -> Result<()> {
        for d in docs {
            let doc = self.schema.document(&mut w.analyzer, d);
            let writer = w.get()?;
            writer.delete_term(self.schema.key_term(d.id.0));
            if let Err(e) = writer.add_document(doc) {
                let cause = format!("search index: adding profile {}: {e}", d.id);
                if !w.rebuilding {
                    self.reopen(w)?;
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

    /// Replaces the writer with a fresh one on the last commit.
    fn reopen(&self, w: &mut WriterState) -> Result<()> {
        if let Some(old) = w.writer.take() {
            // Its threads are gone or going; what they held is dropped.
            drop(old);
        }
        let writer = self
            .index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(|e| internal("reopening the writer", e))?;
        w.writer = Some(writer);
        Ok(())
    }
}

impl SearchIndex for TantivyIndex {
    fn put(&self, docs: &[SearchDocument]) -> Result<()> {
        let mut w = self.writer();
        self.add(&mut w, docs)?;
        if w.rebuilding {
            // Committed with the rebuild: committing now would show the
            // half-built index.
            return Ok(());
        }
        self.commit(&mut w)
    }

    fn remove(&self, id: ProfileId) -> Result<()> {
        let mut w = self.writer();
        w.get()?.delete_term(self.schema.key_term(id.0));
        if w.rebuilding {
            return Ok(());
        }
        self.commit(&mut w)
    }

    fn search(&self, query: &SearchQuery, scope: &SearchScope) -> Result<SearchHits> {
        let snapshot = self.current();
        let mut analyzer = self.analyzer.clone();
        engine::search(&snapshot, &self.schema, &mut analyzer, query, scope)
            .map_err(|e| internal("searching", e))
    }

    fn count(&self) -> Result<u64> {
        Ok(self.current().num_docs())
    }

    fn start_rebuild(&self) -> Result<()> {
        let mut w = self.writer();
        if w.rebuilding {
            // A rebuild left unfinished: drop what it added.
            w.get()?
                .rollback()
                .map_err(|e| internal("abandoning the unfinished rebuild", e))?;
        }
        w.get()?
            .delete_all_documents()
            .map_err(|e| internal("starting a rebuild", e))?;
        w.rebuilding = true;
        Ok(())
    }

    fn add_to_rebuild(&self, docs: &[SearchDocument]) -> Result<()> {
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
        Ok(self.current().num_docs())
    }

    fn posts(&self) -> &dyn PostSearchIndex {
        &self.posts
    }
}

/// Opens the post index in `dir` like [`TantivyIndex::open`] does the
/// profiles': a missing, corrupt or older-schema one is wiped and created
/// empty (the bool is then true).
fn open_posts(dir: &Path) -> Result<(PostIndex, bool)> {
    std::fs::create_dir_all(dir).map_err(|e| internal(format!("creating {}", dir.display()), e))?;
    let lock = writer_lock(dir)?;
    let schema = posts::PostSchema::new();
    if version_matches(dir, POST_SCHEMA_VERSION)
        && let Ok(index) = Index::open_in_dir(dir)
        && index.schema() == schema.schema
        && index.settings().sort_by_field == posts::settings().sort_by_field
    {
        drop(lock);
        match PostIndex::with_index(index) {
            Ok(me) => return Ok((me, false)),
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => return Err(in_use(dir)),
            Err(_) => {}
        }
        return open_posts_afresh(dir, writer_lock(dir)?);
    }
    open_posts_afresh(dir, lock)
}

fn open_posts_afresh(dir: &Path, lock: DirectoryLock) -> Result<(PostIndex, bool)> {
    wipe(dir)?;
    let index = Index::builder()
        .schema(posts::PostSchema::new().schema)
        .settings(posts::settings())
        .create_in_dir(dir)
        .map_err(|e| internal(format!("creating the post index in {}", dir.display()), e))?;
    std::fs::write(dir.join(SCHEMA_FILE), format!("{POST_SCHEMA_VERSION}\n"))
        .map_err(|e| internal(format!("writing {SCHEMA_FILE} in {}", dir.display()), e))?;
    drop(lock);
    let me = PostIndex::with_index(index).map_err(|e| match e {
        TantivyError::LockFailure(LockError::LockBusy, _) => in_use(dir),
        other => internal(
            format!("opening the new post index in {}", dir.display()),
            other,
        ),
    })?;
    Ok((me, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn index_is_send_and_sync() {
        assert_send_sync::<TantivyIndex>();
    }

    /// A full disk is told from other failures however tantivy reports it.
    #[test]
    fn a_full_disk_is_recognised() {
        use std::io;
        let enospc = || Arc::new(io::Error::from_raw_os_error(28));
        assert!(storage_full(&TantivyError::IoError(enospc())));
        let wrapped = io::Error::other(io::Error::from_raw_os_error(28));
        assert!(storage_full(&TantivyError::IoError(Arc::new(wrapped))));
        assert!(storage_full(&TantivyError::OpenWriteError(
            tantivy::directory::error::OpenWriteError::IoError {
                io_error: enospc(),
                filepath: "x.idx".into(),
            }
        )));
        assert!(storage_full(&TantivyError::InternalError(
            "No space left on device (os error 28)".into()
        )));
        let denied = Arc::new(io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(!storage_full(&TantivyError::IoError(denied)));
        assert!(!storage_full(&TantivyError::InternalError("bug".into())));
    }

    #[test]
    fn only_index_files_are_wiped() {
        assert!(wipeable("meta.json"));
        assert!(wipeable(".managed.json"));
        assert!(wipeable(SCHEMA_FILE));
        assert!(wipeable("0123456789abcdef0123456789abcdef.fast"));
        assert!(wipeable("0123456789abcdef0123456789abcdef.12.del"));
        assert!(!wipeable(".tantivy-writer.lock"));
        assert!(!wipeable("notes.txt"));
        assert!(!wipeable("0123456789abcdef0123456789abcdeg.fast"));
    }
}
