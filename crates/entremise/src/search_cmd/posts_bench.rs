//! `entremise search bench-posts`: privacy-filtered post searches over the
//! posts of a data directory (`import edges` + `import posts`), from random
//! signed-in members, for words drawn from the posts themselves.
//!
//! Three timings of the same queries, in the same run:
//! - through the real service (`Search::search` with `kind=post`: the
//!   viewer's lens gathered, the index searched, the page's posts read from
//!   the store, snippets built);
//! - the index alone (`PostScope::new` and `PostSearchIndex::search`);
//! - the baseline: the same posts in an SQLite FTS5 table (a temporary
//!   file), every candidate of the `MATCH` filtered by the same
//!   `PostScope::admits` and ranked the same way (relation, then newest).
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use entremise::config::{Config, Settings};
use entremise_domain::ProfileId;
use entremise_domain::clock::SystemClock;
use entremise_domain::ids::GroupId;
use entremise_domain::privacy::{Audience, Lens, ViewerIdentity};
use entremise_domain::profile::ProfileKind;
use entremise_domain::search::{self, PostHit, PostHits, PostQuery, PostScope, SearchScope};
use entremise_domain::service::{DomainConfig, Entremise, SearchRequest, SignedIn, Viewer};
use entremise_domain::store::{PostStore, ProfileStore, Store};
use rusqlite::{Connection, params};
use time::OffsetDateTime;

/// Results a page holds (the API's default).
const PAGE: usize = 20;
/// Untimed queries before timing.
const WARM_UP: usize = 100;
/// Fewest queries the baseline times, whatever its budget.
const BASELINE_MIN: usize = 20;
/// Queries whose first page the index and the baseline are compared on.
const CHECK: usize = 200;

#[derive(Args)]
pub struct PostBenchArgs {
    #[command(flatten)]
    pub settings: Settings,
    /// Timed queries.
    #[arg(long, default_value_t = 2_000)]
    pub queries: usize,
    /// Seed of the viewers and words.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The FTS5 baseline stops timing after this many seconds (at least 20
    /// queries are timed).
    #[arg(long, default_value_t = 60.0)]
    pub baseline_secs: f64,
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1) as u64) as usize
    }
}

struct Query {
    viewer: Viewer,
    text: String,
}

pub fn run(args: &PostBenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.queries >= 1, "--queries must be at least 1");
    let config = Config::load(None, args.settings.clone())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench(args, &config))
}

async fn bench(args: &PostBenchArgs, config: &Config) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = entremise::server::open_store(config)?;
    let opened = Instant::now();
    // Rebuilds the post index from the store when missing or short.
    let index = entremise::server::open_search(config, &*store).await?;
    let open_s = opened.elapsed().as_secs_f64();
    let posts_held = index.posts().count().map_err(|e| anyhow::anyhow!("{e}"))?;
    let posts_dir = entremise_search::posts_dir(&entremise::server::search_dir(config));
    eprintln!(
        "post index: {posts_held} posts, {:.1} MiB in {} (opened, rebuilt if needed, in {open_s:.1} s)",
        mib(dir_bytes(&posts_dir)),
        posts_dir.display()
    );
    let media = Arc::new(entremise_media::ObjectMediaStore::in_memory());
    let app: Arc<Entremise> = entremise::server::domain_with(
        store.clone(),
        index.clone(),
        media,
        Arc::new(SystemClock),
        DomainConfig::default(),
    )
    .await?;

    // Members, and the posts to draw words from.
    let mut members = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_profiles(Some(ProfileKind::Person), after, 10_000)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        members.extend(page.into_iter().map(|p| (p.id, p.handle, p.fields.name)));
    }
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let keys = store
            .post_keys(after, 100_000)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(last) = keys.last() else { break };
        after = Some(last.2.id);
        ids.extend(keys.into_iter().map(|k| k.2.id));
    }
    anyhow::ensure!(
        !members.is_empty() && !ids.is_empty(),
        "no members or no posts in {}: run `entremise import edges` and `entremise import posts` first",
        config.data_dir.display()
    );
    let mut rng = Rng(args.seed.max(1));
    let total_queries = args.queries + WARM_UP;
    let mut queries = Vec::with_capacity(total_queries);
    while queries.len() < total_queries {
        let id = ids[rng.below(ids.len())];
        let Some(post) = store.post(id).await.map_err(|e| anyhow::anyhow!("{e}"))? else {
            continue;
        };
        let words: Vec<String> = search::words(&post.text)
            .into_iter()
            .filter(|w| w.chars().count() >= 3)
            .collect();
        if words.is_empty() {
            continue;
        }
        // One word, or two of the same post for one query in four.
        let mut text = words[rng.below(words.len())].clone();
        if rng.below(4) == 0 {
            text.push(' ');
            text.push_str(&words[rng.below(words.len())]);
        }
        let (person, handle, name) = members[rng.below(members.len())].clone();
        let identity = ViewerIdentity {
            person,
            operated: vec![],
            moderator: false,
        };
        let viewer = Viewer {
            signed_in: Some(SignedIn {
                account: entremise_domain::ids::AccountId(0),
                session: entremise_domain::ids::SessionId(0),
                handle,
                name,
                locale: Default::default(),
                admin: false,
                identity,
            }),
        };
        queries.push(Query { viewer, text });
    }
    let (warm, timed) = queries.split_at(WARM_UP.min(queries.len()));

    // The baseline.
    let fts_path = std::env::temp_dir().join(format!(
        "entremise-post-bench-{}.sqlite3",
        std::process::id()
    ));
    let _cleanup = RemoveOnDrop(fts_path.clone());
    let build = Instant::now();
    let fts = PostFts::build(&fts_path, &*store, &ids).await?;
    let fts_build_s = build.elapsed().as_secs_f64();
    eprintln!(
        "FTS5: {} posts in {fts_build_s:.1} s, {:.1} MiB",
        ids.len(),
        mib(std::fs::metadata(&fts_path).map(|m| m.len()).unwrap_or(0))
    );

    let network = app.network().clone();
    let now = OffsetDateTime::now_utc();
    let scope = |q: &Query| {
        PostScope::new(
            Lens::new(q.viewer.identity().cloned(), network.clone()),
            now,
        )
    };
    let post_query = |q: &Query| PostQuery {
        text: q.text.clone(),
        offset: 0,
        limit: PAGE,
        count_up_to: entremise_domain::service::MAX_DEPTH,
    };

    // Service.
    let search = app.search();
    let request = |q: &Query| SearchRequest {
        q: q.text.clone(),
        kind: Some("post".into()),
        ..SearchRequest::default()
    };
    for q in warm {
        black_box(search.search(&q.viewer, &request(q)).await?);
    }
    eprintln!("timing {} queries through the service...", timed.len());
    let mut service = Timing::default();
    for q in timed {
        let start = Instant::now();
        let page = search.search(&q.viewer, &request(q)).await?;
        service.push(start.elapsed(), page.results.len(), page.total);
    }

    // Index alone.
    let posts = index.clone();
    let mut engine = Timing::default();
    for q in warm {
        black_box(posts.posts().search(&post_query(q), &scope(q))?);
    }
    eprintln!("timing {} queries on the index alone...", timed.len());
    for q in timed {
        let start = Instant::now();
        let hits = posts.posts().search(&post_query(q), &scope(q))?;
        engine.push(start.elapsed(), hits.hits.len(), hits.total);
    }

    // Baseline.
    for q in warm.iter().take(10) {
        black_box(fts.search(&post_query(q), &scope(q))?);
    }
    eprintln!(
        "timing the FTS5 baseline (at most {} s)...",
        args.baseline_secs
    );
    let budget = Duration::from_secs_f64(args.baseline_secs);
    let begin = Instant::now();
    let mut baseline = Timing::default();
    for q in timed {
        if baseline.nanos.len() >= BASELINE_MIN && begin.elapsed() > budget {
            break;
        }
        let start = Instant::now();
        let hits = fts.search(&post_query(q), &scope(q))?;
        baseline.push(start.elapsed(), hits.hits.len(), hits.total);
    }

    // Same first page?
    let mut agreed = 0;
    let mut compared = 0;
    for q in timed.iter().take(CHECK) {
        let a = posts.posts().search(&post_query(q), &scope(q))?;
        let b = fts.search(&post_query(q), &scope(q))?;
        compared += 1;
        let ids = |h: &PostHits| h.hits.iter().map(|h| h.id).collect::<Vec<_>>();
        agreed += (ids(&a) == ids(&b)) as usize;
    }

    let (s, e, b) = (service.summary(), engine.summary(), baseline.summary());
    eprintln!();
    eprintln!(
        "{} posts, {} members; {} queries by random signed-in members (one or two words drawn from \
         the posts), first page of {PAGE}; target p50 <= 2 ms, p99 <= 20 ms",
        ids.len(),
        members.len(),
        timed.len(),
    );
    eprintln!(
        "{:<28} {:>6} {:>9} {:>9} {:>9} {:>6} {:>8}",
        "post search (ms)", "n", "p50", "p99", "mean", "hits", "total"
    );
    for (name, t) in [
        ("service (kind=post)", &s),
        ("index alone (tantivy)", &e),
        ("SQLite FTS5, same filter", &b),
    ] {
        eprintln!(
            "{:<28} {:>6} {:>9.3} {:>9.3} {:>9.3} {:>6.1} {:>8.0}",
            name, t.count, t.p50, t.p99, t.mean, t.hits, t.total
        );
    }
    eprintln!(
        "p50 ratio FTS5 / index: {:.1}x, FTS5 / service: {:.1}x; same first page on {agreed} of {compared} queries \
         (FTS5 counts every match, the index up to {}; FTS5 does not stem)",
        b.p50 / e.p50.max(1e-6),
        b.p50 / s.p50.max(1e-6),
        entremise_domain::service::MAX_DEPTH
    );
    eprintln!("whole run: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The posts in one FTS5 table, what the scope needs beside them.
struct PostFts {
    conn: Connection,
}

fn audience_index(a: Audience) -> i64 {
    Audience::ALL.iter().position(|x| *x == a).unwrap_or(0) as i64
}

impl PostFts {
    async fn build(path: &Path, store: &dyn Store, ids: &[i64]) -> anyhow::Result<Self> {
        let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = OFF;
             PRAGMA cache_size = -262144;
             PRAGMA mmap_size = 17179869184;
             CREATE VIRTUAL TABLE posts USING fts5(
                 text, author UNINDEXED, audience UNINDEXED, grp UNINDEXED,
                 published UNINDEXED,
                 tokenize = 'unicode61 remove_diacritics 2'
             );",
        )
        .context("creating the FTS5 table (is FTS5 compiled in?)")?;
        for chunk in ids.chunks(10_000) {
            let posts = store
                .posts(chunk)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let tx = conn.unchecked_transaction()?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO posts (rowid, text, author, audience, grp, published) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for p in &posts {
                    stmt.execute(params![
                        p.id,
                        p.text,
                        p.author.0,
                        audience_index(p.audience),
                        p.group.map_or(0, |g| g.0),
                        i64::try_from(p.published_at.unix_timestamp_nanos()).unwrap_or(i64::MAX),
                    ])?;
                }
            }
            tx.commit()?;
        }
        conn.execute_batch(
            "INSERT INTO posts (posts) VALUES ('optimize');
             PRAGMA wal_checkpoint(TRUNCATE);",
        )?;
        Ok(Self { conn })
    }

    /// Every candidate of the match, asked of the scope, the best kept.
    fn search(&self, query: &PostQuery, scope: &PostScope) -> anyhow::Result<PostHits> {
        let words = search::words(&query.text);
        if words.is_empty() {
            return Ok(PostHits::default());
        }
        let expr = words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" AND ");
        let mut stmt = self.conn.prepare_cached(
            "SELECT rowid, author, audience, grp, published FROM posts WHERE posts MATCH ?1",
        )?;
        let mut rows = stmt.query(params![expr])?;
        let mut found: Vec<(u8, i64, i64, entremise_domain::privacy::Relation)> = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let author = ProfileId(row.get(1)?);
            let audience = Audience::ALL[usize::try_from(row.get::<_, i64>(2)?).unwrap_or(0)];
            let group = Some(row.get::<_, i64>(3)?).filter(|g| *g != 0).map(GroupId);
            let published: i64 = row.get(4)?;
            let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(published))?;
            if let Some(r) = scope.admits(author, audience, group, at) {
                found.push((SearchScope::rank(r), published, id, r));
            }
        }
        let total = found.len();
        let keep = query.offset + query.limit;
        let order = |a: &(u8, i64, i64, _), b: &(u8, i64, i64, _)| {
            a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2))
        };
        if found.len() > keep {
            found.select_nth_unstable_by(keep, order);
            found.truncate(keep);
        }
        found.sort_by(order);
        let hits = found
            .into_iter()
            .skip(query.offset)
            .filter_map(|(_, published, id, relation)| {
                Some(PostHit {
                    id,
                    relation,
                    published_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(published))
                        .ok()?,
                })
            })
            .collect();
        Ok(PostHits { total, hits })
    }
}

#[derive(Default)]
struct Timing {
    nanos: Vec<u64>,
    hits: usize,
    totals: usize,
}

struct Summary {
    count: usize,
    p50: f64,
    p99: f64,
    mean: f64,
    hits: f64,
    total: f64,
}

impl Timing {
    fn push(&mut self, elapsed: Duration, hits: usize, total: usize) {
        self.nanos.push(elapsed.as_nanos() as u64);
        self.hits += hits;
        self.totals += total;
    }

    fn summary(&self) -> Summary {
        let count = self.nanos.len();
        let mut sorted = self.nanos.clone();
        sorted.sort_unstable();
        let at = |p: usize| {
            sorted
                .get((count * p / 100).min(count.saturating_sub(1)))
                .map_or(f64::NAN, |&x| x as f64 / 1e6)
        };
        let per = |x: usize| x as f64 / count.max(1) as f64;
        Summary {
            count,
            p50: at(50),
            p99: at(99),
            mean: sorted.iter().sum::<u64>() as f64 / count.max(1) as f64 / 1e6,
            hits: per(self.hits),
            total: per(self.totals),
        }
    }
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut file = self.0.as_os_str().to_owned();
            file.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(file));
        }
    }
}

fn dir_bytes(dir: &Path) -> u64 {
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

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
