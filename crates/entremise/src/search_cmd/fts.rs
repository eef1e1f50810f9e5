//! The baseline: the same profiles in one SQLite FTS5 table, with the
//! privacy filtering done through the domain after the match.
//!
//! A query is an FTS5 `MATCH` of the query's words, each quoted, and of the
//! location filter's words in the `location` column. A word typed ahead
//! also matches as a prefix (`"mar"*`) in the name, headline and
//! organization, the columns where the engine offers type-ahead, so both
//! answer the same question. Every candidate is then asked its relation to
//! the viewer ([`SearchScope::relation`]); when some field is hidden from
//! him, every query word must be a (folded) word of a field he may see,
//! as FTS5 matched it. Matches are ranked by `(SearchScope::rank(relation),
//! bm25)`.
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use entremise_domain::ProfileId;
use entremise_domain::privacy::Audience;
use entremise_domain::search::{self, SearchHit, SearchHits, SearchQuery, SearchScope};
use rusqlite::{Connection, params};

use super::data::Population;

/// Column of the location in the table (and in the audiences string).
const LOCATION: usize = 3;
/// Columns where a word typed ahead matches as a prefix: name, headline, organization.
const PREFIX_COLUMNS: usize = 3;
const SEARCH_SQL: &str = "SELECT rowid, bm25(profiles), audiences, name, headline, organization, \
     location, skills, about FROM profiles WHERE profiles MATCH ?1";

pub struct Fts {
    conn: Connection,
}

fn audience_code(a: Audience) -> char {
    match a {
        Audience::Public => 'p',
        Audience::Members => 'm',
        Audience::Network => 'n',
        Audience::Contacts => 'c',
        Audience::OnlyMe => 'o',
    }
}

fn audience_of(c: u8) -> Audience {
    match c {
        b'p' => Audience::Public,
        b'm' => Audience::Members,
        b'n' => Audience::Network,
        b'c' => Audience::Contacts,
        _ => Audience::OnlyMe,
    }
}

impl Fts {
    /// Creates the table in a new database file.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            let file = std::path::PathBuf::from(file);
            if file.exists() {
                std::fs::remove_file(&file)
                    .with_context(|| format!("removing {}", file.display()))?;
            }
        }
        let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA cache_size = -262144;
             PRAGMA mmap_size = 17179869184;
             CREATE VIRTUAL TABLE profiles USING fts5(
                 name, headline, organization, location, skills, about,
                 audiences UNINDEXED,
                 tokenize = 'unicode61 remove_diacritics 2',
                 prefix = '2 3 4'
             );",
        )
        .context("creating the FTS5 table (is FTS5 compiled in?)")?;
        Ok(Self { conn })
    }

    /// Inserts profiles `range` in one transaction.
    pub fn insert(
        &mut self,
        pop: &Population,
        range: std::ops::Range<usize>,
    ) -> anyhow::Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO profiles (rowid, name, headline, organization, location, skills, \
                 about, audiences) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for i in range {
                let t = pop.texts(i);
                let audiences: String = t.audiences.iter().map(|a| audience_code(*a)).collect();
                stmt.execute(params![
                    i as i64 + 1,
                    t.name,
                    t.headline,
                    t.organization,
                    t.location,
                    t.skills.join(", "),
                    t.about,
                    audiences
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Merges the index into one b-tree and checkpoints the WAL.
    pub fn finish(&self) -> anyhow::Result<()> {
        self.conn
            .execute_batch(
                "INSERT INTO profiles (profiles) VALUES ('optimize');
                 PRAGMA wal_checkpoint(TRUNCATE);",
            )
            .context("optimizing the FTS5 table")
    }

    pub fn count(&self) -> anyhow::Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM profiles", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// The MATCH expression of a query, `None` when it holds no word.
    pub fn expression(query: &SearchQuery) -> Option<String> {
        let words = search::words(&query.text);
        let mut expr = String::new();
        for (i, w) in words.iter().enumerate() {
            if !expr.is_empty() {
                expr.push_str(" AND ");
            }
            if query.prefix && i + 1 == words.len() {
                let _ = write!(
                    expr,
                    "(\"{w}\" OR {{name headline organization}} : \"{w}\"*)"
                );
            } else {
                let _ = write!(expr, "\"{w}\"");
            }
        }
        for w in query
            .location
            .as_deref()
            .map(search::words)
            .unwrap_or_default()
        {
            if !expr.is_empty() {
                expr.push_str(" AND ");
            }
            let _ = write!(expr, "location : \"{w}\"");
        }
        (!expr.is_empty()).then_some(expr)
    }

    pub fn search(&self, query: &SearchQuery, scope: &SearchScope) -> anyhow::Result<SearchHits> {
        let Some(expr) = Self::expression(query) else {
            return Ok(SearchHits::default());
        };
        let words = search::words(&query.text);
        let location = query
            .location
            .as_deref()
            .map(search::words)
            .unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(SEARCH_SQL)?;
        let mut rows = stmt.query([&expr])?;
        // (rank, bm25, id, relation)
        let mut matches = Vec::new();
        while let Some(row) = rows.next()? {
            let id = ProfileId(row.get(0)?);
            let Some(relation) = scope.relation(id) else {
                continue;
            };
            let bm25: f64 = row.get(1)?;
            let codes = row.get_ref(2)?.as_bytes()?;
            let mut audiences = [Audience::Public; 6];
            for (a, c) in audiences.iter_mut().zip(codes) {
                *a = audience_of(*c);
            }
            // The same question the index asks per field clause:
            // `scope.sees(id, audience)`, with the relation already known.
            let sees = audiences.map(|a| a.admits(relation));
            if !sees.iter().all(|s| *s) {
                let mut fields: Vec<Vec<String>> = Vec::with_capacity(6);
                for (c, visible) in sees.iter().enumerate() {
                    fields.push(if *visible {
                        search::words(row.get_ref(3 + c)?.as_str()?)
                    } else {
                        Vec::new()
                    });
                }
                let last = words.len().saturating_sub(1);
                let every_word = words.iter().enumerate().all(|(i, qw)| {
                    let prefix = query.prefix && i == last;
                    fields.iter().enumerate().any(|(c, f)| {
                        f.iter().any(|fw| {
                            fw == qw
                                || (prefix && c < PREFIX_COLUMNS && fw.starts_with(qw.as_str()))
                        })
                    })
                });
                let located = location
                    .iter()
                    .all(|qw| fields[LOCATION].iter().any(|fw| fw == qw));
                if !every_word || !located {
                    continue;
                }
            }
            matches.push((SearchScope::rank(relation), bm25, id, relation));
        }
        let total = matches.len();
        let end = (query.offset + query.limit).min(total);
        let by_rank = |a: &(u8, f64, ProfileId, _), b: &(u8, f64, ProfileId, _)| {
            (a.0, a.1, a.2)
                .partial_cmp(&(b.0, b.1, b.2))
                .expect("bm25 is a number")
        };
        if end < total && end > 0 {
            matches.select_nth_unstable_by(end - 1, by_rank);
            matches.truncate(end);
        }
        matches.sort_unstable_by(by_rank);
        let hits = matches
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|(_, bm25, id, relation)| SearchHit {
                id,
                relation,
                score: -bm25 as f32,
            })
            .collect();
        Ok(SearchHits { total, hits })
    }
}
