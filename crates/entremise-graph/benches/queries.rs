//! Criterion benchmarks of every query kind on the generated reference
//! network, each beside the hash-map + plain BFS baseline.
//!
//! Size by environment: `ENTREMISE_BENCH_MEMBERS` (default 100,000) and
//! `ENTREMISE_BENCH_AVG_DEGREE` (default 50). The 1M-member reference network:
//!
//! ```text
//! ENTREMISE_BENCH_MEMBERS=1000000 cargo bench -p entremise-graph --bench queries
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use entremise_graph::{
    Baseline, ContactGraph, GraphBuilder, Member, ReferenceNetwork, Rng, Searcher, Snapshot,
    generate_reference_network,
};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Fixture {
    contacts: Vec<(u32, u32)>,
    graph: ContactGraph,
    baseline: Baseline,
    pairs: Vec<(Member, Member)>,
}

fn fixture() -> Fixture {
    let params = ReferenceNetwork {
        members: env_or("ENTREMISE_BENCH_MEMBERS", 100_000),
        avg_degree: env_or("ENTREMISE_BENCH_AVG_DEGREE", 50.0),
        seed: 42,
    };
    let contacts = generate_reference_network(params);
    let graph = build(&contacts);
    let snap = graph.snapshot();
    let ext = |m: Member| snap.external(m).unwrap();
    let baseline = Baseline::new(contacts.iter().map(|&(a, b)| (a as u64, b as u64)));
    let n = snap.member_count() as u64;
    let mut rng = Rng::new(7);
    let pairs = (0..4096)
        .map(|_| (rng.below(n) as Member, rng.below(n) as Member))
        .collect();
    // The baseline speaks external ids; the generator's ids are dense already.
    assert!((0..snap.member_count() as Member).all(|m| ext(m) == m as u64));
    Fixture {
        contacts,
        graph,
        baseline,
        pairs,
    }
}

fn build(contacts: &[(u32, u32)]) -> ContactGraph {
    let mut builder = GraphBuilder::with_capacity(contacts.len());
    for &(a, b) in contacts {
        builder.add_contact(a as u64, b as u64);
    }
    builder.build().unwrap()
}

/// Benchmarks `engine` and `baseline` on pairs taken in turn.
fn pairwise<E, B>(c: &mut Criterion, f: &Fixture, kind: &str, mut engine: E, mut baseline: B)
where
    E: FnMut(&Snapshot, &mut Searcher, Member, Member),
    B: FnMut(&Baseline, u64, u64),
{
    let snap = f.graph.snapshot();
    let mut searcher = Searcher::new();
    let mut group = c.benchmark_group(kind);
    let mut i = 0;
    group.bench_function(BenchmarkId::new("engine", snap.member_count()), |bench| {
        bench.iter(|| {
            let (a, b) = f.pairs[i % f.pairs.len()];
            i += 1;
            engine(&snap, &mut searcher, a, b)
        })
    });
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let mut i = 0;
    group.bench_function(
        BenchmarkId::new("hashmap_bfs", snap.member_count()),
        |bench| {
            bench.iter(|| {
                let (a, b) = f.pairs[i % f.pairs.len()];
                i += 1;
                baseline(&f.baseline, a as u64, b as u64)
            })
        },
    );
    group.finish();
}

fn queries(c: &mut Criterion) {
    let f = fixture();
    let all = |_: Member| true;
    pairwise(
        c,
        &f,
        "degree",
        |s, q, a, b| {
            black_box(s.degree(q, a, b, all));
        },
        |g, a, b| {
            black_box(g.degree(a, b));
        },
    );
    pairwise(
        c,
        &f,
        "mutual_count",
        |s, _, a, b| {
            black_box(s.mutual_count(a, b, all));
        },
        |g, a, b| {
            black_box(g.mutual_count(a, b));
        },
    );
    pairwise(
        c,
        &f,
        "introduction_paths_top5",
        |s, q, a, b| {
            black_box(s.introduction_paths(q, a, b, all, |_, _| 0.5, 5));
        },
        |g, a, b| {
            black_box(g.shortest_path_count(a, b));
        },
    );
    pairwise(
        c,
        &f,
        "second_degree_count",
        |s, q, a, _| {
            black_box(s.second_degree_count(q, a, all));
        },
        |g, a, _| {
            black_box(g.second_degree_count(a));
        },
    );
    pairwise(
        c,
        &f,
        "people_you_may_know_top10",
        |s, q, a, _| {
            black_box(s.people_you_may_know(q, a, all, |_| false, |_| 0.0, 10));
        },
        |g, a, _| {
            black_box(g.people_you_may_know(a, 10));
        },
    );
    pairwise(
        c,
        &f,
        "shortest_path_4",
        |s, q, a, b| {
            black_box(s.shortest_path(q, a, b, all, 4));
        },
        |g, a, b| {
            black_box(g.shortest_path(a, b, 4));
        },
    );

    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("engine", f.contacts.len()), |bench| {
        bench.iter(|| black_box(build(&f.contacts)))
    });
    group.finish();

    // A write: add a contact, then remove it. Compaction, which a server runs
    // from a background task, happens outside the timed region.
    let mut group = c.benchmark_group("write");
    let mut i = 0u64;
    group.bench_function("add_then_remove_contact", |bench| {
        bench.iter_custom(|iterations| {
            let mut timed = Duration::ZERO;
            for _ in 0..iterations {
                let n = f.graph.snapshot().member_count() as u64;
                let (a, b) = (i % n, (i * 7919 + 13) % n);
                i += 1;
                let start = std::time::Instant::now();
                if f.graph.add_contact(a, b) {
                    f.graph.remove_contact(a, b);
                }
                timed += start.elapsed();
                if f.graph.needs_compaction() {
                    f.graph.compact();
                }
            }
            timed
        })
    });
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
