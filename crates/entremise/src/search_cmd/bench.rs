//! `entremise search bench`: seeded profiles and contacts, indexed by the
//! search engine (tantivy) and by an SQLite FTS5 baseline in the same run;
//! privacy-filtered searches from random signed-in members timed on both,
//! the scope of each viewer built inside the timed part as the server does.
use std::collections::HashSet;
use std::hint::black_box;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use entremise_domain::ProfileId;
use entremise_domain::network::{MemberCard, Network, NetworkBuilder};
use entremise_domain::privacy::{Lens, ViewerIdentity};
use entremise_domain::search::{SearchHits, SearchIndex, SearchQuery, SearchScope};
use entremise_graph::{ReferenceNetwork, generate_reference_network};
use entremise_search::TantivyIndex;
use serde_json::json;

use super::BenchArgs;
use super::data::{BenchQuery, Kind, Population, queries};
use super::fts::Fts;

/// Documents per `add_to_rebuild` call, and rows per FTS5 transaction.
const BATCH: usize = 10_000;
/// Untimed queries per kind and engine before timing.
const WARM_UP: usize = 100;
/// Fewest queries the baseline times per kind, whatever its budget.
const BASELINE_MIN: usize = 20;
/// Depth at which both engines' results are compared.
const CHECK_DEPTH: usize = 1_000;
/// Disagreements shown in full per kind.
const EXAMPLES: usize = 2;

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    anyhow::ensure!(args.profiles >= 2, "--profiles must be at least 2");
    anyhow::ensure!(args.queries >= 1, "--queries must be at least 1");
    let (dir, _cleanup) = work_dir(args.dir.as_deref())?;
    let n = args.profiles as usize;

    // Profiles.
    let progress = Progress::new("generating profiles", n);
    let pop = Population::generate(args.profiles, args.seed, |done| progress.show(done));
    progress.finish();
    let mix = pop.mix();
    eprintln!(
        "lists: {}; audiences: {:.1} % defaults, {:.1} % some fields network, {:.1} % contacts, \
         {:.1} % only_me",
        Population::lists()
            .iter()
            .map(|(what, len)| format!("{len} {what}"))
            .collect::<Vec<_>>()
            .join(", "),
        pct(mix.defaults, n),
        pct(mix.network, n),
        pct(mix.contacts, n),
        pct(mix.only_me, n)
    );

    // Contacts.
    let network_start = Instant::now();
    eprintln!(
        "generating the reference network ({} members, average degree {}, seed {})...",
        n, args.avg_degree, args.seed
    );
    let edges = generate_reference_network(ReferenceNetwork {
        members: args.profiles,
        avg_degree: args.avg_degree,
        seed: args.seed,
    });
    let mut builder = NetworkBuilder::new();
    for i in 0..n {
        let card = MemberCard {
            handle: format!("p{}", i + 1).into(),
            name: pop.name(i).into(),
            contact_list: Default::default(),
        };
        builder.add_member(ProfileId(i as i64 + 1), true, card);
    }
    for &(a, b) in &edges {
        builder.add_contact(ProfileId(a as i64 + 1), ProfileId(b as i64 + 1));
    }
    drop(edges);
    let network = Arc::new(builder.build()?);
    eprintln!(
        "network: {} members, {} contacts in {:.1} s",
        network.member_count(),
        network.contact_count(),
        network_start.elapsed().as_secs_f64()
    );

    // The engine.
    let tantivy_dir = dir.join("tantivy");
    std::fs::create_dir_all(&tantivy_dir)
        .with_context(|| format!("creating {}", tantivy_dir.display()))?;
    let build_start = Instant::now();
    let (index, _) = TantivyIndex::open(&tantivy_dir)
        .with_context(|| format!("opening the index in {}", tantivy_dir.display()))?;
    index.start_rebuild()?;
    let progress = Progress::new("building the tantivy index", n);
    let mut docs = Vec::with_capacity(BATCH);
    for start in (0..n).step_by(BATCH) {
        docs.clear();
        docs.extend((start..(start + BATCH).min(n)).map(|i| pop.document(i)));
        index.add_to_rebuild(&docs)?;
        progress.show(start + docs.len());
    }
    drop(docs);
    let indexed = index.finish_rebuild()?;
    progress.finish();
    let tantivy_build_s = build_start.elapsed().as_secs_f64();
    let tantivy_bytes = index.disk_bytes();
    eprintln!(
        "tantivy: {indexed} documents in {tantivy_build_s:.1} s, {:.1} MiB on disk",
        mib(tantivy_bytes)
    );

    // The baseline.
    let fts_path = dir.join("fts5.sqlite3");
    let build_start = Instant::now();
    let mut fts = Fts::create(&fts_path)?;
    let progress = Progress::new("building the FTS5 table", n);
    for start in (0..n).step_by(BATCH) {
        let end = (start + BATCH).min(n);
        fts.insert(&pop, start..end)?;
        progress.show(end);
    }
    progress.finish();
    eprintln!("optimizing the FTS5 table...");
    fts.finish()?;
    let fts_build_s = build_start.elapsed().as_secs_f64();
    let fts_bytes = file_bytes(&fts_path);
    eprintln!(
        "FTS5: {} rows in {fts_build_s:.1} s (optimize included), {:.1} MiB on disk",
        fts.count()?,
        mib(fts_bytes)
    );

    // Queries.
    let budget = Duration::from_secs_f64(args.baseline_secs);
    let mut rows = Vec::new();
    for kind in Kind::ALL {
        let qs = queries(&pop, kind, args.queries, args.seed);
        eprintln!(
            "{}: warming up, then timing {} queries...",
            kind.as_str(),
            qs.len()
        );
        let warm = &qs[..WARM_UP.min(qs.len())];
        timed(warm, &network, None, |q, s| Ok(index.search(q, s)?))?;
        timed(warm, &network, None, |q, s| fts.search(q, s))?;
        let engine = timed(&qs, &network, None, |q, s| Ok(index.search(q, s)?))?;
        let baseline = timed(&qs, &network, Some(budget), |q, s| fts.search(q, s))?;
        let scopes = timed(&qs, &network, None, |_, s| {
            black_box(s);
            Ok(SearchHits::default())
        })?;
        let check = compare(
            &qs[..args.check.min(qs.len())],
            &network,
            &pop,
            &index,
            &fts,
        )?;
        rows.push((kind, engine, baseline, scopes, check));
    }

    // Report.
    eprintln!();
    eprintln!(
        "{} profiles, {} contacts; tantivy built in {:.1} s, {:.1} MiB; FTS5 built in {:.1} s, \
         {:.1} MiB; target p50 <= 2 ms, p99 <= 20 ms",
        n,
        network.contact_count(),
        tantivy_build_s,
        mib(tantivy_bytes),
        fts_build_s,
        mib(fts_bytes)
    );
    eprintln!(
        "{:<19} {:>5} {:>8} {:>8} {:>8} {:>6} {:>7} | {:>5} {:>8} {:>8} {:>8} {:>7} | {:>6} | {:>7}",
        "query (ms)",
        "n",
        "p50",
        "p99",
        "mean",
        "hits",
        "total",
        "fts n",
        "p50",
        "p99",
        "mean",
        "total",
        "ratio",
        "agree"
    );
    let mut kinds = serde_json::Map::new();
    for (kind, engine, baseline, scopes, check) in &rows {
        let (e, b, s) = (engine.summary(), baseline.summary(), scopes.summary());
        let ratio = b.p50 / e.p50.max(1e-6);
        eprintln!(
            "{:<19} {:>5} {:>8.3} {:>8.3} {:>8.3} {:>6.1} {:>7.0} | {:>5} {:>8.3} {:>8.3} {:>8.3} {:>7.0} | {:>5.1}x | {:>3}/{:<3}",
            kind.as_str(),
            e.count,
            e.p50,
            e.p99,
            e.mean,
            e.hits,
            e.total,
            b.count,
            b.p50,
            b.p99,
            b.mean,
            b.total,
            ratio,
            check.agreed,
            check.compared
        );
        kinds.insert(
            kind.key().to_owned(),
            json!({
                "tantivy": e.json(),
                "fts5": b.json(),
                "ratio_p50_fts5_over_tantivy": round3(ratio),
                "scope_only": s.json(),
                "check": {
                    "compared": check.compared,
                    "same_total": check.same_total,
                    "agreed": check.agreed,
                    "tantivy_only": check.engine_only,
                    "fts5_only": check.baseline_only,
                },
            }),
        );
    }
    eprintln!(
        "of which SearchScope::new alone (same viewers): {}",
        rows.iter()
            .map(|(kind, _, _, scopes, _)| {
                let s = scopes.summary();
                format!("{} p50 {:.3} p99 {:.3}", kind.key(), s.p50, s.p99)
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    for (kind, _, _, _, check) in &rows {
        if check.agreed < check.compared {
            eprintln!(
                "{}: {} of {} queries disagree ({} with another total); profiles found by tantivy \
                 only: {}, by FTS5 only: {}",
                kind.as_str(),
                check.compared - check.agreed,
                check.compared,
                check.compared - check.same_total,
                check.engine_only,
                check.baseline_only
            );
            for example in &check.examples {
                eprintln!("  {example}");
            }
        }
    }
    let total_s = started.elapsed().as_secs_f64();
    eprintln!("whole run: {total_s:.0} s; indexes in {}", dir.display());
    if let Some(path) = &args.json {
        let report = json!({
            "profiles": n,
            "avg_degree": args.avg_degree,
            "seed": args.seed,
            "contacts": network.contact_count(),
            "audiences": {
                "defaults": mix.defaults, "network": mix.network,
                "contacts": mix.contacts, "only_me": mix.only_me,
            },
            "tantivy": { "build_s": round3(tantivy_build_s), "disk_bytes": tantivy_bytes },
            "fts5": { "build_s": round3(fts_build_s), "disk_bytes": fts_bytes },
            "queries": kinds,
            "target": { "p50_ms": 2.0, "p99_ms": 20.0 },
            "run_s": round3(total_s),
        });
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The directory to work in, and a guard removing it when it is temporary.
fn work_dir(dir: Option<&Path>) -> anyhow::Result<(PathBuf, Option<RemoveOnDrop>)> {
    let (dir, temporary) = match dir {
        Some(d) => (d.to_owned(), false),
        None => (
            std::env::temp_dir().join(format!("entremise-search-bench-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let guard = temporary.then(|| RemoveOnDrop(dir.clone()));
    Ok((dir, guard))
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scope_of(viewer: ProfileId, network: &Arc<Network>) -> SearchScope {
    let identity = ViewerIdentity {
        person: viewer,
        operated: vec![],
        moderator: false,
    };
    SearchScope::new(Lens::new(Some(identity), network.clone()), None)
}

/// Timings of one engine on one kind.
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

impl Summary {
    fn json(&self) -> serde_json::Value {
        json!({
            "count": self.count,
            "p50_ms": round3(self.p50),
            "p99_ms": round3(self.p99),
            "mean_ms": round3(self.mean),
            "hits_per_query": round3(self.hits),
            "total_per_query": round3(self.total),
        })
    }
}

impl Timing {
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
            mean: per(sorted.iter().sum::<u64>() as usize) / 1e6,
            hits: per(self.hits),
            total: per(self.totals),
        }
    }
}

/// Times each query, the viewer's scope included; stops after `budget`
/// (and at least [`BASELINE_MIN`] queries) when given.
fn timed(
    qs: &[BenchQuery],
    network: &Arc<Network>,
    budget: Option<Duration>,
    mut search: impl FnMut(&SearchQuery, &SearchScope) -> anyhow::Result<SearchHits>,
) -> anyhow::Result<Timing> {
    let begin = Instant::now();
    let mut timing = Timing {
        nanos: Vec::with_capacity(qs.len()),
        hits: 0,
        totals: 0,
    };
    for q in qs {
        if budget.is_some_and(|b| timing.nanos.len() >= BASELINE_MIN && begin.elapsed() > b) {
            break;
        }
        let start = Instant::now();
        let scope = scope_of(q.viewer, network);
        let hits = search(&q.query, &scope)?;
        let elapsed = start.elapsed();
        timing.nanos.push(elapsed.as_nanos() as u64);
        timing.hits += hits.hits.len();
        timing.totals += hits.total;
        black_box(hits);
    }
    Ok(timing)
}

/// How far both engines agree on a sample of queries.
#[derive(Default)]
struct Check {
    compared: usize,
    same_total: usize,
    /// Same total, and the same profiles when the total fits in the depth compared.
    agreed: usize,
    engine_only: usize,
    baseline_only: usize,
    examples: Vec<String>,
}

fn compare(
    qs: &[BenchQuery],
    network: &Arc<Network>,
    pop: &Population,
    index: &TantivyIndex,
    fts: &Fts,
) -> anyhow::Result<Check> {
    let mut check = Check::default();
    for q in qs {
        let query = SearchQuery {
            offset: 0,
            limit: CHECK_DEPTH,
            ..q.query.clone()
        };
        let scope = scope_of(q.viewer, network);
        let engine = index.search(&query, &scope)?;
        let baseline = fts.search(&query, &scope)?;
        check.compared += 1;
        let same_total = engine.total == baseline.total;
        check.same_total += same_total as usize;
        let ids = |h: &SearchHits| h.hits.iter().map(|h| h.id).collect::<HashSet<_>>();
        let (e, b) = (ids(&engine), ids(&baseline));
        let deep = engine.total <= CHECK_DEPTH && baseline.total <= CHECK_DEPTH;
        let engine_only: Vec<ProfileId> = if deep {
            e.difference(&b).copied().collect()
        } else {
            vec![]
        };
        let baseline_only: Vec<ProfileId> = if deep {
            b.difference(&e).copied().collect()
        } else {
            vec![]
        };
        check.engine_only += engine_only.len();
        check.baseline_only += baseline_only.len();
        if same_total && engine_only.is_empty() && baseline_only.is_empty() {
            check.agreed += 1;
            continue;
        }
        if check.examples.len() < EXAMPLES {
            let mut example = format!(
                "q={:?}{}{} viewer {}: tantivy total {}, FTS5 total {}",
                query.text,
                if query.prefix { " (prefix)" } else { "" },
                query
                    .location
                    .as_deref()
                    .map(|l| format!(" location={l:?}"))
                    .unwrap_or_default(),
                q.viewer,
                engine.total,
                baseline.total
            );
            let shown = engine_only
                .iter()
                .map(|id| ("tantivy only", *id, &engine))
                .chain(baseline_only.iter().map(|id| ("FTS5 only", *id, &baseline)))
                .take(2);
            for (which, id, hits) in shown {
                let t = pop.texts(id.0 as usize - 1);
                let relation = hits.hits.iter().find(|h| h.id == id).map(|h| h.relation);
                example.push_str(&format!(
                    "\n    {which}: {id} ({relation:?}) name={:?} headline={:?} org={:?} \
                     location={:?} skills={:?} about={:?} audiences={:?}",
                    t.name,
                    t.headline,
                    t.organization,
                    t.location,
                    t.skills,
                    t.about,
                    t.audiences.map(|a| a.as_str())
                ));
            }
            check.examples.push(example);
        }
    }
    Ok(check)
}

/// Progress on standard error: a live percentage on a terminal, a line per
/// quarter in logs.
struct Progress {
    label: &'static str,
    total: usize,
    start: Instant,
    tty: bool,
    last_quarter: std::cell::Cell<usize>,
}

impl Progress {
    fn new(label: &'static str, total: usize) -> Self {
        Self {
            label,
            total: total.max(1),
            start: Instant::now(),
            tty: std::io::stderr().is_terminal(),
            last_quarter: std::cell::Cell::new(0),
        }
    }

    fn show(&self, done: usize) {
        if self.tty {
            eprint!(
                "\r{}: {:>3} % ({done} of {}, {:.0} s)",
                self.label,
                done * 100 / self.total,
                self.total,
                self.start.elapsed().as_secs_f64()
            );
            return;
        }
        let quarter = done * 4 / self.total;
        if quarter > self.last_quarter.get() && quarter < 4 {
            self.last_quarter.set(quarter);
            eprintln!(
                "{}: {} % ({:.0} s)",
                self.label,
                quarter * 25,
                self.start.elapsed().as_secs_f64()
            );
        }
    }

    fn finish(&self) {
        if self.tty {
            eprint!("\r\x1b[K");
        }
        eprintln!(
            "{}: done in {:.1} s",
            self.label,
            self.start.elapsed().as_secs_f64()
        );
    }
}

fn file_bytes(path: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            std::fs::metadata(PathBuf::from(file)).ok()
        })
        .map(|m| m.len())
        .sum()
}

fn pct(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
