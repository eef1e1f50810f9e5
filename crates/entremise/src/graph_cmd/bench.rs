//! `entremise graph bench`: load an edge list, answer pairs, and time each
//! query kind beside a hash-map adjacency with plain BFS measured in the same
//! run.
use std::fs::File;
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use entremise_graph::{Baseline, ExternalId, GraphBuilder, Member, Rng, Searcher, Snapshot};
use serde_json::json;

use super::BenchArgs;
use super::load::read_edges;

/// Introduction paths returned per query.
const PATHS_TOP: usize = 5;
/// Suggestions returned per query.
const PYMK_TOP: usize = 10;
/// Longest path looked for by the `path4` query.
const PATH_HOPS: u32 = 4;
/// Contacts added (then removed) to time writes.
const WRITES: usize = 2_000;
/// Time allowed to the baseline per query kind.
const BASELINE_BUDGET: Duration = Duration::from_secs(10);

const KINDS: [&str; 6] = [
    "degree",
    "mutual",
    "paths",
    "second_degree",
    "pymk",
    "path4",
];

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let cpu_start = process_cpu_seconds();
    // About one contact per 10 bytes of edge list: reserve once rather than
    // grow (and copy) the buffer while reading.
    let bytes: u64 = args
        .edges
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let mut builder = GraphBuilder::with_capacity((bytes / 10) as usize);
    for path in &args.edges {
        read_edges(path, |a, b| builder.add_contact(a, b))?;
    }
    eprintln!(
        "building the graph from {} contact lines...",
        builder.contacts_declared()
    );
    let graph = builder.build()?;
    let load_s = start.elapsed().as_secs_f64();
    // CPU time used by the load, all threads: on a machine shared with other
    // work, wall time alone says little.
    let load_cpu_s = process_cpu_seconds()
        .zip(cpu_start)
        .map(|(end, start)| end - start);
    let snap = graph.snapshot();
    let (members, contacts) = (snap.member_count(), snap.contact_count());
    if members == 0 {
        bail!("the edge list holds no contacts");
    }
    let memory = snap.memory_bytes();
    let budget = 9 * 2 * contacts + 8 * members;
    if let Some(cpu) = load_cpu_s {
        eprintln!("load used {cpu:.2} s of CPU time (all threads)");
    }
    eprintln!(
        "loaded {members} members, {contacts} contacts in {load_s:.2} s; engine memory {:.1} MiB \
         ({:.2} bytes per directed slot all included; target <= 9 per slot + 8 per member = {:.1} MiB)",
        mib(memory),
        memory as f64 / (2 * contacts).max(1) as f64,
        mib(budget)
    );

    let mut degrees: Vec<usize> = (0..members as Member)
        .map(|v| snap.contact_count_of(v))
        .collect();
    degrees.sort_unstable();
    eprintln!(
        "contacts per member: median {}, p99 {}, max {}",
        degrees[members / 2],
        degrees[members * 99 / 100],
        degrees[members - 1]
    );
    drop(degrees);

    let pairs = match &args.pairs {
        Some(path) => read_pairs(path, &snap)?,
        None => random_pairs(members, args.count, args.seed),
    };
    eprintln!("{} pairs; timing each query kind...", pairs.len());

    let mut searcher = Searcher::new();
    let s = &mut searcher;
    let everyone = |_: Member| true;
    let weight = |a: Member, b: Member| tie_strength(a, b);
    let none = |_: Member| false;
    let no_boost = |_: Member| 0.0;
    // Warm up: grow the searcher's arrays and the caches once.
    for &(a, b) in pairs.iter().take(100) {
        black_box(snap.shortest_path(s, a, b, everyone, PATH_HOPS));
        black_box(snap.people_you_may_know(s, a, everyone, none, no_boost, PYMK_TOP));
    }
    let engine = [
        time_each(&pairs, |a, b| snap.degree(s, a, b, everyone)),
        time_each(&pairs, |a, b| snap.mutual_count(a, b, everyone)),
        time_each(&pairs, |a, b| {
            snap.introduction_paths(s, a, b, everyone, weight, PATHS_TOP)
        }),
        time_each(&pairs, |a, _| snap.second_degree_count(s, a, everyone)),
        time_each(&pairs, |a, _| {
            snap.people_you_may_know(s, a, everyone, none, no_boost, PYMK_TOP)
        }),
        time_each(&pairs, |a, b| {
            snap.shortest_path(s, a, b, everyone, PATH_HOPS)
        }),
    ];

    write_answers(args.output.as_deref(), &snap, &pairs, s)?;

    eprintln!("building the hash-map baseline...");
    let base = Baseline::new(
        (0..members as Member)
            .flat_map(|v| {
                snap.contacts(v)
                    .iter()
                    .filter(move |&&w| v < w)
                    .map(move |&w| (v, w))
            })
            .map(|(v, w)| (ext(&snap, v), ext(&snap, w))),
    );
    let sample: Vec<(ExternalId, ExternalId)> = pairs
        .iter()
        .take(args.baseline_pairs)
        .map(|&(a, b)| (ext(&snap, a), ext(&snap, b)))
        .collect();
    eprintln!(
        "timing the baseline on up to {} pairs per kind...",
        sample.len()
    );
    let baseline = [
        time_until(&sample, |a, b| base.degree(a, b)),
        time_until(&sample, |a, b| base.mutual_count(a, b)),
        time_until(&sample, |a, b| base.shortest_path_count(a, b)),
        time_until(&sample, |a, _| base.second_degree_count(a)),
        time_until(&sample, |a, _| base.people_you_may_know(a, PYMK_TOP)),
        time_until(&sample, |a, b| base.shortest_path(a, b, PATH_HOPS)),
    ];
    let disagreements = cross_check(
        &snap,
        &base,
        &pairs[..baseline[0].len().min(pairs.len())],
        s,
    );

    // Writes on the live graph (the snapshot above stays as it was), then a
    // compaction that folds them in, then their removal.
    let written: Vec<(ExternalId, ExternalId)> = pairs
        .iter()
        .take(WRITES)
        .map(|&(a, b)| (ext(&snap, a), ext(&snap, b)))
        .collect();
    let add_samples = time_each_external(&written, |a, b| graph.add_contact(a, b));
    let compact_start = Instant::now();
    graph.compact();
    let compact_s = compact_start.elapsed().as_secs_f64();
    let remove_samples = time_each_external(&written, |a, b| graph.remove_contact(a, b));
    graph.compact();

    let throughput: Vec<(usize, f64)> = [1, 2]
        .into_iter()
        .map(|threads| {
            (
                threads,
                degree_throughput(&snap, &pairs, threads, args.throughput_secs),
            )
        })
        .collect();

    // Report.
    eprintln!();
    eprintln!(
        "{:<14} {:>8} {:>10} {:>10} {:>16} {:>6} {:>9}",
        "query", "count", "p50 µs", "p99 µs", "baseline p50 µs", "(n)", "ratio"
    );
    let mut queries = serde_json::Map::new();
    for ((kind, engine), baseline) in KINDS.iter().zip(&engine).zip(&baseline) {
        let (p50, p99) = (percentile(engine, 50), percentile(engine, 99));
        let base50 = percentile(baseline, 50);
        let ratio = base50 / p50.max(1e-3);
        eprintln!(
            "{kind:<14} {:>8} {p50:>10.2} {p99:>10.2} {base50:>16.1} {:>6} {ratio:>8.0}x",
            engine.len(),
            baseline.len()
        );
        queries.insert(
            kind.to_string(),
            json!({
                "p50_us": round2(p50), "p99_us": round2(p99), "count": engine.len(),
                "baseline_p50_us": round2(base50), "baseline_count": baseline.len(),
                "ratio": round2(ratio),
            }),
        );
    }
    for &(threads, qps) in &throughput {
        eprintln!(
            "degree throughput on {threads} thread(s): {:.0} queries/s",
            qps
        );
    }
    eprintln!(
        "writes: add_contact p50 {:.2} µs, p99 {:.2} µs; remove_contact p50 {:.2} µs, p99 {:.2} µs \
         ({} each, visible to the next query); compaction after them {compact_s:.2} s (readers not blocked)",
        percentile(&add_samples, 50),
        percentile(&add_samples, 99),
        percentile(&remove_samples, 50),
        percentile(&remove_samples, 99),
        written.len()
    );
    eprintln!(
        "answers checked against the baseline on {} pairs: {disagreements} disagreement(s)",
        baseline[0].len()
    );
    if let Some(path) = &args.json {
        let report = json!({
            "members": members,
            "contacts": contacts,
            "load_s": round2(load_s),
            "load_cpu_s": load_cpu_s.map(round2),
            "memory_bytes": memory,
            "memory_budget_bytes": budget,
            "queries": queries,
            "degree_throughput_qps": throughput.iter().map(|&(t, q)| (t.to_string(), json!(q.round()))).collect::<serde_json::Map<_, _>>(),
            "baseline_disagreements": disagreements,
            "writes": {
                "count": written.len(),
                "add_p50_us": round2(percentile(&add_samples, 50)),
                "add_p99_us": round2(percentile(&add_samples, 99)),
                "remove_p50_us": round2(percentile(&remove_samples, 50)),
                "remove_p99_us": round2(percentile(&remove_samples, 99)),
                "compaction_s": round2(compact_s),
            },
        });
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if disagreements > 0 {
        bail!("the engine and the baseline disagree on {disagreements} answer(s)");
    }
    Ok(())
}

/// User and system CPU time of this process so far (Linux `/proc`, in its
/// fixed 100 Hz ticks), if available.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime and
    // stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

fn ext(snap: &Snapshot, m: Member) -> ExternalId {
    snap.external(m).expect("dense ids are in range")
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A synthetic tie strength in `[0.25, 1)`, symmetric.
fn tie_strength(a: Member, b: Member) -> f32 {
    let key = (a.min(b) as u64) << 32 | a.max(b) as u64;
    let h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
    0.25 + 0.75 * (h as f32 / (1u64 << 24) as f32)
}

fn random_pairs(members: usize, count: usize, seed: u64) -> Vec<(Member, Member)> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            (
                rng.below(members as u64) as Member,
                rng.below(members as u64) as Member,
            )
        })
        .collect()
}

fn read_pairs(path: &Path, snap: &Snapshot) -> anyhow::Result<Vec<(Member, Member)>> {
    let mut raw = Vec::new();
    read_edges(path, |a, b| raw.push((a, b)))?;
    raw.into_iter()
        .map(|(a, b)| {
            let dense = |id| {
                snap.dense(id)
                    .with_context(|| format!("{}: member {id} is not in the graph", path.display()))
            };
            Ok((dense(a)?, dense(b)?))
        })
        .collect()
}

fn write_answers(
    output: Option<&Path>,
    snap: &Snapshot,
    pairs: &[(Member, Member)],
    s: &mut Searcher,
) -> anyhow::Result<()> {
    let sink: Box<dyn Write> = match output {
        Some(path) => {
            Box::new(File::create(path).with_context(|| format!("creating {}", path.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, sink);
    let mut by_degree = [0usize; 5];
    for &(a, b) in pairs {
        let count = snap.shortest_path_count(s, a, b, |_| true);
        by_degree[count.degree.map_or(4, |d| d as usize)] += 1;
        let mutual = snap.mutual_count(a, b, |_| true);
        let degree = count.degree.map_or(-1, |d| d as i64);
        writeln!(
            out,
            "{}\t{}\t{degree}\t{mutual}\t{}",
            ext(snap, a),
            ext(snap, b),
            count.paths
        )?;
    }
    out.flush().context("writing the answers")?;
    eprintln!(
        "pairs by degree of separation: 0: {}, 1: {}, 2: {}, 3: {}, beyond 3: {}",
        by_degree[0], by_degree[1], by_degree[2], by_degree[3], by_degree[4]
    );
    Ok(())
}

/// Times each call, in nanoseconds.
fn time_each<T>(
    pairs: &[(Member, Member)],
    mut query: impl FnMut(Member, Member) -> T,
) -> Vec<u64> {
    let mut samples = Vec::with_capacity(pairs.len());
    for &(a, b) in pairs {
        let start = Instant::now();
        black_box(query(a, b));
        samples.push(start.elapsed().as_nanos() as u64);
    }
    samples
}

/// Times each call on external ids, in nanoseconds.
fn time_each_external<T>(
    pairs: &[(ExternalId, ExternalId)],
    mut op: impl FnMut(ExternalId, ExternalId) -> T,
) -> Vec<u64> {
    let mut samples = Vec::with_capacity(pairs.len());
    for &(a, b) in pairs {
        let start = Instant::now();
        black_box(op(a, b));
        samples.push(start.elapsed().as_nanos() as u64);
    }
    samples
}

/// Times each call until the pairs or the baseline's budget run out (at least 3).
fn time_until<T>(
    pairs: &[(ExternalId, ExternalId)],
    mut query: impl FnMut(ExternalId, ExternalId) -> T,
) -> Vec<u64> {
    let begin = Instant::now();
    let mut samples = Vec::new();
    for &(a, b) in pairs {
        if samples.len() >= 3 && begin.elapsed() > BASELINE_BUDGET {
            break;
        }
        let start = Instant::now();
        black_box(query(a, b));
        samples.push(start.elapsed().as_nanos() as u64);
    }
    samples
}

/// Percentile `p` of nanosecond samples, in microseconds.
fn percentile(samples: &[u64], p: usize) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let i = (sorted.len() * p / 100).min(sorted.len() - 1);
    sorted[i] as f64 / 1000.0
}

/// Compares the engine's answers with the baseline's.
fn cross_check(
    snap: &Snapshot,
    base: &Baseline,
    pairs: &[(Member, Member)],
    s: &mut Searcher,
) -> usize {
    let mut wrong = 0;
    for &(a, b) in pairs {
        let (ea, eb) = (ext(snap, a), ext(snap, b));
        let count = snap.shortest_path_count(s, a, b, |_| true);
        wrong += ((count.degree, count.paths) != base.shortest_path_count(ea, eb)) as usize;
        wrong += (snap.mutual_count(a, b, |_| true) != base.mutual_count(ea, eb)) as usize;
        wrong +=
            (snap.second_degree_count(s, a, |_| true) != base.second_degree_count(ea)) as usize;
        let pymk: Vec<(ExternalId, u32)> = snap
            .people_you_may_know(s, a, |_| true, |_| false, |_| 0.0, PYMK_TOP)
            .iter()
            .map(|x| (ext(snap, x.member), x.mutual_count))
            .collect();
        wrong += (pymk != base.people_you_may_know(ea, PYMK_TOP)) as usize;
        let engine_hops = snap
            .shortest_path(s, a, b, |_| true, PATH_HOPS)
            .map(|p| p.len());
        let base_hops = base.shortest_path(ea, eb, PATH_HOPS).map(|p| p.len());
        wrong += (engine_hops != base_hops) as usize;
    }
    wrong
}

/// Degree queries per second over `threads` threads sharing one snapshot.
fn degree_throughput(
    snap: &Snapshot,
    pairs: &[(Member, Member)],
    threads: usize,
    secs: f64,
) -> f64 {
    let done = AtomicU64::new(0);
    let duration = Duration::from_secs_f64(secs);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let done = &done;
            scope.spawn(move || {
                let mut s = Searcher::new();
                let mut n = 0u64;
                let mut i = t * pairs.len() / threads.max(1);
                while start.elapsed() < duration {
                    for _ in 0..64 {
                        let (a, b) = pairs[i % pairs.len()];
                        black_box(snap.degree(&mut s, a, b, |_| true));
                        i += 1;
                    }
                    n += 64;
                }
                done.fetch_add(n, Ordering::Relaxed);
            });
        }
    });
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}
