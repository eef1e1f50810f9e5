//! Every query equals a naive breadth-first computation on random graphs,
//! with random filters, after random insertions, removals and compactions.

#[path = "support/naive.rs"]
mod naive;

use entremise_graph::{ContactGraph, GraphBuilder, Searcher, Snapshot};
use naive::Naive;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Add(u32, u32),
    Remove(u32, u32),
    AddMember(u32),
    Compact,
}

fn op(n: u32) -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..n, 0..n).prop_map(|(a, b)| Op::Add(a, b)),
        3 => (0..n, 0..n).prop_map(|(a, b)| Op::Remove(a, b)),
        1 => (n..n + 3).prop_map(Op::AddMember),
        1 => Just(Op::Compact),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    n: u32,
    initial: Vec<(u32, u32)>,
    ops: Vec<Op>,
    blocked: Vec<bool>,
    k: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (2u32..28).prop_flat_map(|n| {
        let max_edges = (n * 3) as usize;
        (
            prop::collection::vec((0..n, 0..n), 0..max_edges),
            prop::collection::vec(op(n), 0..12),
            prop::collection::vec(prop::bool::weighted(0.2), (n + 3) as usize),
            1usize..6,
        )
            .prop_map(move |(initial, ops, blocked, k)| Case {
                n,
                initial,
                ops,
                blocked,
                k,
            })
    })
}

/// External ids are spread out to exercise the id mapping.
fn ext(i: u32) -> u64 {
    i as u64 * 1_000_003 + 17
}

/// Builds the graph, applies the ops, and returns it with the equivalent
/// naive graph expressed in the engine's dense ids.
fn realise(case: &Case) -> (ContactGraph, Naive) {
    let mut builder = GraphBuilder::new();
    for i in 0..case.n {
        builder.add_member(ext(i));
    }
    let mut edges: std::collections::BTreeSet<(u32, u32)> = Default::default();
    for &(a, b) in &case.initial {
        builder.add_contact(ext(a), ext(b));
        if a != b {
            edges.insert((a.min(b), a.max(b)));
        }
    }
    let graph = builder.build().unwrap();
    for op in &case.ops {
        match *op {
            Op::Add(a, b) => {
                assert_eq!(
                    graph.add_contact(ext(a), ext(b)),
                    a != b && edges.insert((a.min(b), a.max(b)))
                );
            }
            Op::Remove(a, b) => {
                assert_eq!(
                    graph.remove_contact(ext(a), ext(b)),
                    edges.remove(&(a.min(b), a.max(b)))
                );
            }
            Op::AddMember(m) => {
                graph.add_member(ext(m));
            }
            Op::Compact => graph.compact(),
        }
    }
    let snap = graph.snapshot();
    let dense = |i: u32| snap.dense(ext(i)).unwrap();
    let naive = Naive::new(
        snap.member_count(),
        edges.iter().map(|&(a, b)| (dense(a), dense(b))),
    );
    (graph, naive)
}

fn external_index(snap: &Snapshot, m: u32) -> usize {
    ((snap.external(m).unwrap() - 17) / 1_000_003) as usize
}

fn weight(snap: &Snapshot, a: u32, b: u32) -> f32 {
    let (x, y) = (
        external_index(snap, a) as u32,
        external_index(snap, b) as u32,
    );
    ((x * 7 + y * 7 + x * y) % 5 + 1) as f32 / 5.0
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn queries_equal_naive_bfs(case in case()) {
        let (graph, naive) = realise(&case);
        let snap = graph.snapshot();
        let n = snap.member_count() as u32;
        prop_assert_eq!(snap.contact_count(), naive.adj.iter().map(|s| s.len()).sum::<usize>() / 2);
        let allow = |m: u32| !case.blocked[external_index(&snap, m)];
        let mut s = Searcher::new();
        for a in 0..n {
            prop_assert_eq!(snap.contacts(a).to_vec(), naive.adj[a as usize].iter().copied().collect::<Vec<_>>());
            let bfs = naive.bfs(a, &allow);
            for b in 0..n {
                let expected = bfs.dist[b as usize].filter(|&d| d <= 3);
                prop_assert_eq!(snap.degree(&mut s, a, b, allow), expected, "degree {} {}", a, b);

                let mutual = naive.mutual(a, b, &allow);
                prop_assert_eq!(snap.mutual_count(a, b, allow) as usize, mutual.len());
                let page: Vec<u32> = mutual.iter().copied().skip(1).take(2).collect();
                prop_assert_eq!(snap.mutual_contacts(a, b, allow, 1, 2), page);

                let count = snap.shortest_path_count(&mut s, a, b, allow);
                prop_assert_eq!(count.degree, expected);
                let expected_paths = if expected.is_some() { bfs.paths[b as usize] } else { 0 };
                prop_assert_eq!(count.paths, expected_paths, "path count {} {}", a, b);

                let intro = snap.introduction_paths(&mut s, a, b, allow, |x, y| weight(&snap, x, y), case.k);
                let mut all: Vec<(Vec<u32>, f32)> = naive
                    .intro_paths(a, b, &allow)
                    .into_iter()
                    .map(|hops| {
                        let mut chain = vec![a];
                        chain.extend(&hops);
                        chain.push(b);
                        let score = chain.windows(2).fold(1.0f32, |acc, w| acc * weight(&snap, w[0], w[1]));
                        (hops, score)
                    })
                    .collect();
                prop_assert_eq!(intro.total as usize, all.len());
                all.sort_by(|x, y| y.1.partial_cmp(&x.1).unwrap().then(x.0.cmp(&y.0)));
                all.truncate(case.k);
                let got: Vec<(Vec<u32>, f32)> = intro.paths.iter().map(|p| (p.intermediaries.clone(), p.score)).collect();
                prop_assert_eq!(got, all, "introduction paths {} {}", a, b);

                let path = snap.shortest_path(&mut s, a, b, allow, 4);
                match bfs.dist[b as usize].filter(|&d| d <= 4) {
                    None => prop_assert!(path.is_none()),
                    Some(0) => prop_assert_eq!(path, Some(vec![a])),
                    Some(d) => {
                        let path = path.unwrap();
                        prop_assert_eq!(path.len() as u32, d + 1);
                        prop_assert_eq!((path[0], path[path.len() - 1]), (a, b));
                        prop_assert!(naive.is_path(&path, &allow), "{:?}", path);
                    }
                }
            }

            for b in 0..n {
                // Unbounded: the general bidirectional search with parents.
                let expected = naive.bfs(a, &allow).dist[b as usize];
                let path = snap.shortest_path(&mut s, a, b, allow, u32::MAX);
                prop_assert_eq!(path.as_ref().map(|p| p.len() as u32 - 1), expected);
                if let Some(path) = path.filter(|p| p.len() > 1) {
                    prop_assert!(naive.is_path(&path, &allow), "{:?}", path);
                }
            }

            let second = naive.second(a, &allow);
            prop_assert_eq!(snap.second_degree_count(&mut s, a, allow) as usize, second.len());
            let excluded = |m: u32| external_index(&snap, m) % 5 == 1;
            let boost = |m: u32| (external_index(&snap, m) % 3) as f32 * 0.5;
            let mut expected: Vec<(u32, u32, f32)> = second
                .iter()
                .filter(|&&(z, _)| !excluded(z))
                .map(|&(z, c)| (z, c, c as f32 + boost(z)))
                .collect();
            expected.sort_by(|x, y| y.2.partial_cmp(&x.2).unwrap().then(x.0.cmp(&y.0)));
            expected.truncate(case.k);
            let got: Vec<(u32, u32, f32)> = snap
                .people_you_may_know(&mut s, a, allow, excluded, boost, case.k)
                .iter()
                .map(|s| (s.member, s.mutual_count, s.score))
                .collect();
            prop_assert_eq!(got, expected, "pymk {}", a);
        }
    }
}

#[test]
fn old_snapshots_and_concurrent_readers_stay_consistent() {
    // Writers and a compactor run while readers query: every snapshot a
    // reader takes must be internally consistent (symmetric lists).
    let graph = std::sync::Arc::new(ContactGraph::new());
    for i in 0..200u64 {
        graph.add_contact(i, (i * 7 + 1) % 200);
    }
    std::thread::scope(|scope| {
        let g = &graph;
        scope.spawn(move || {
            for round in 0..300u64 {
                g.add_contact(round % 200, (round * 13 + 5) % 200);
                g.remove_contact((round * 3) % 200, (round * 3 * 7 + 1) % 200);
                if round % 50 == 0 {
                    g.compact();
                }
            }
        });
        for _ in 0..2 {
            scope.spawn(move || {
                let mut s = Searcher::new();
                for i in 0..300u32 {
                    let snap = g.snapshot();
                    let n = snap.member_count() as u32;
                    let (a, b) = (i % n, (i * 31 + 7) % n);
                    for &x in snap.contacts(a) {
                        assert!(snap.contacts(x).binary_search(&a).is_ok());
                    }
                    let d = snap.degree(&mut s, a, b, |_| true);
                    if d == Some(1) {
                        assert!(snap.are_contacts(a, b));
                    }
                }
            });
        }
    });
}
