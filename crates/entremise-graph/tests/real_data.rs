//! Answers on real graphs equal an independent breadth-first search, and the
//! IC13 (shortest path length) cases of the LDBC SNB SF0.1 validation file
//! all pass. The data sets are read from `../shared/data` relative to the
//! repository root (or `ENTREMISE_SHARED_DATA`); a test whose data is absent
//! prints a notice and passes.

#[path = "support/naive.rs"]
mod naive;

use std::path::PathBuf;

use entremise_graph::{ContactGraph, EdgeListParser, GraphBuilder, Rng, Searcher};
use naive::Naive;

fn shared_data() -> PathBuf {
    std::env::var_os("ENTREMISE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        })
}

/// Loads the files into the engine and, independently, into a naive
/// adjacency (by the engine's dense ids, mapped from the raw lines).
fn load(files: &[&str]) -> Option<(ContactGraph, Naive)> {
    let root = shared_data();
    let mut raw = Vec::new();
    for file in files {
        let path = root.join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!(
                "skipped: {} is absent (set ENTREMISE_SHARED_DATA)",
                path.display()
            );
            return None;
        };
        EdgeListParser::new()
            .parse(&bytes, |a, b| raw.push((a, b)))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let mut builder = GraphBuilder::new();
    for &(a, b) in &raw {
        builder.add_contact(a, b);
    }
    let graph = builder.build().unwrap();
    let snap = graph.snapshot();
    let dense = |id| snap.dense(id).unwrap();
    let naive = Naive::new(
        snap.member_count(),
        raw.iter().map(|&(a, b)| (dense(a), dense(b))),
    );
    Some((graph, naive))
}

/// For seeded pairs, with and without a filter: degree, mutual count, number
/// of shortest paths, 2nd-degree count and path length equal the naive BFS.
fn check_pairs(graph: &ContactGraph, naive: &Naive, pairs: usize, seed: u64) {
    let snap = graph.snapshot();
    let n = snap.member_count() as u64;
    let mut rng = Rng::new(seed);
    let mut s = Searcher::new();
    let mut by_degree = [0; 5];
    for round in 0..pairs {
        let a = rng.below(n) as u32;
        // Half the pairs near each other (a contact's contact's contact), half uniform.
        let b = if round % 2 == 0 {
            let mut b = a;
            for _ in 0..3 {
                let c = snap.contacts(b);
                if !c.is_empty() {
                    b = c[rng.below(c.len() as u64) as usize];
                }
            }
            b
        } else {
            rng.below(n) as u32
        };
        let everyone = |_: u32| true;
        let some = |m: u32| snap.external(m).unwrap() % 7 != 3;
        for (filtered, allow) in [(false, &everyone as &dyn Fn(u32) -> bool), (true, &some)] {
            let bfs = naive.bfs(a, allow);
            let expected = bfs.dist[b as usize].filter(|&d| d <= 3);
            let count = snap.shortest_path_count(&mut s, a, b, allow);
            assert_eq!(count.degree, expected, "degree {a} {b} filtered={filtered}");
            let paths = if expected.is_some() {
                bfs.paths[b as usize]
            } else {
                0
            };
            assert_eq!(
                count.paths, paths,
                "shortest paths {a} {b} filtered={filtered}"
            );
            assert_eq!(
                snap.mutual_count(a, b, allow) as usize,
                naive.mutual(a, b, allow).len(),
                "mutual {a} {b}"
            );
            let path = snap.shortest_path(&mut s, a, b, allow, 4);
            let within4 = bfs.dist[b as usize].filter(|&d| d <= 4);
            assert_eq!(
                path.as_ref().map(|p| p.len() as u32 - 1),
                within4,
                "path {a} {b}"
            );
            if let Some(path) = path.filter(|p| p.len() > 1) {
                assert!(naive.is_path(&path, allow), "{path:?}");
            }
            if round % 4 == 0 {
                let second = bfs.dist.iter().filter(|d| **d == Some(2)).count();
                assert_eq!(snap.second_degree_count(&mut s, a, allow) as usize, second);
            }
            if !filtered {
                by_degree[expected.map_or(4, |d| d as usize)] += 1;
            }
        }
    }
    eprintln!("checked {pairs} pairs; by degree 0..3 and beyond: {by_degree:?}");
}

#[test]
fn snap_ego_facebook_matches_bfs() {
    let Some((graph, naive)) = load(&["snap-ego-facebook/facebook_combined.txt"]) else {
        return;
    };
    let snap = graph.snapshot();
    assert_eq!((snap.member_count(), snap.contact_count()), (4_039, 88_234));
    check_pairs(&graph, &naive, 300, 1);
}

#[test]
fn other_snap_graphs_match_bfs() {
    for (file, members) in [
        ("snap-ca-grqc/edges.csv", 5_242),
        ("snap-lastfm-asia/edges.csv", 7_624),
        ("snap-email-eu-core/edges.csv", 1_005),
    ] {
        let Some((graph, naive)) = load(&[file]) else {
            continue;
        };
        assert_eq!(graph.snapshot().member_count(), members, "{file}");
        check_pairs(&graph, &naive, 100, 2);
    }
}

const KNOWS: [&str; 2] = [
    "ldbc-snb-interactive-v1-sf0.1/initial_snapshot/Person_knows_Person.csv",
    "ldbc-snb-interactive-v1-sf0.1/initial_snapshot/Person_knows_Person_1.csv",
];

#[test]
fn ldbc_snb_sf01_knows_matches_bfs() {
    let Some((graph, naive)) = load(&KNOWS) else {
        return;
    };
    // 171 persons without contacts are not in the knows files.
    assert_eq!(graph.snapshot().contact_count(), 14_073);
    check_pairs(&graph, &naive, 300, 3);
}

#[test]
fn ldbc_snb_sf01_ic13_validation_cases_pass() {
    let Some((graph, _)) = load(&KNOWS) else {
        return;
    };
    let path = shared_data()
        .join("ldbc-snb-interactive-v1-sf0.1/validation/validation_params-sf0.1-500.csv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return;
    };
    let snap = graph.snapshot();
    let mut s = Searcher::new();
    let mut cases = 0;
    for line in text.lines().filter(|l| l.contains("person1IdQ13StartNode")) {
        let number_after = |key: &str| -> i64 {
            let rest =
                &line[line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len()..];
            let rest = rest.trim_start_matches(['"', ':', ' ']);
            let end = rest
                .find(|c: char| c != '-' && !c.is_ascii_digit())
                .unwrap_or(rest.len());
            rest[..end].parse().unwrap()
        };
        let (p1, p2) = (
            number_after("person1IdQ13StartNode"),
            number_after("person2IdQ13EndNode"),
        );
        let expected = number_after("shortestPathLength");
        let got = match (snap.dense(p1 as u64), snap.dense(p2 as u64)) {
            (Some(a), Some(b)) => snap
                .shortest_path(&mut s, a, b, |_| true, u32::MAX)
                .map_or(-1, |p| p.len() as i64 - 1),
            _ => -1,
        };
        assert_eq!(got, expected, "IC13 {p1} -> {p2}");
        cases += 1;
    }
    assert_eq!(cases, 22, "IC13 cases in the validation file");
}
