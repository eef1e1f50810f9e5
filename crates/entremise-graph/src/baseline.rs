//! The simple way, kept as a yardstick: a hash-map adjacency keyed by external
//! id and plain one-sided breadth-first searches with hash-set bookkeeping.
//! Benchmarks print it beside the engine, measured in the same run. It knows
//! no filters (everyone may be traversed).

use std::collections::{HashMap, HashSet};

use crate::ExternalId;

/// Hash-map adjacency with plain breadth-first search.
#[derive(Default, Debug, Clone)]
pub struct Baseline {
    adjacency: HashMap<ExternalId, Vec<ExternalId>>,
}

impl Baseline {
    /// Builds the adjacency from contacts (duplicates and self-contacts dropped).
    pub fn new(contacts: impl IntoIterator<Item = (ExternalId, ExternalId)>) -> Self {
        let mut adjacency: HashMap<ExternalId, Vec<ExternalId>> = HashMap::new();
        for (a, b) in contacts {
            if a != b {
                adjacency.entry(a).or_default().push(b);
                adjacency.entry(b).or_default().push(a);
            }
        }
        for list in adjacency.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        Baseline { adjacency }
    }

    fn contacts(&self, a: ExternalId) -> &[ExternalId] {
        self.adjacency.get(&a).map_or(&[], |l| l)
    }

    /// Breadth-first levels from `a`, up to `max` hops, stopping after the
    /// level that reaches `stop`: each member's distance and number of
    /// shortest paths from `a`.
    fn levels(&self, a: ExternalId, stop: ExternalId, max: u32) -> HashMap<ExternalId, (u32, u64)> {
        let mut seen = HashMap::new();
        seen.insert(a, (0, 1u64));
        let mut frontier = vec![a];
        for depth in 1..=max {
            if frontier.is_empty() || seen.contains_key(&stop) {
                break;
            }
            let mut next = Vec::new();
            for &u in &frontier {
                let paths = seen[&u].1;
                for &w in self.contacts(u) {
                    match seen.get_mut(&w) {
                        None => {
                            seen.insert(w, (depth, paths));
                            next.push(w);
                        }
                        Some((d, p)) if *d == depth => *p += paths,
                        Some(_) => {}
                    }
                }
            }
            frontier = next;
        }
        seen
    }

    /// Degree of separation capped at 3 (one-sided search).
    pub fn degree(&self, a: ExternalId, b: ExternalId) -> Option<u32> {
        self.levels(a, b, 3).get(&b).map(|&(d, _)| d)
    }

    /// Degree (capped at 3) and number of shortest paths.
    pub fn shortest_path_count(&self, a: ExternalId, b: ExternalId) -> (Option<u32>, u64) {
        match self.levels(a, b, 3).get(&b) {
            Some(&(d, p)) => (Some(d), p),
            None => (None, 0),
        }
    }

    /// Number of mutual contacts.
    pub fn mutual_count(&self, a: ExternalId, b: ExternalId) -> u32 {
        let of_a: HashSet<ExternalId> = self.contacts(a).iter().copied().collect();
        self.contacts(b).iter().filter(|x| of_a.contains(x)).count() as u32
    }

    /// Number of members at distance exactly 2.
    pub fn second_degree_count(&self, a: ExternalId) -> u32 {
        let first: HashSet<ExternalId> = self.contacts(a).iter().copied().collect();
        let mut second = HashSet::new();
        for x in &first {
            for &z in self.contacts(*x) {
                if z != a && !first.contains(&z) {
                    second.insert(z);
                }
            }
        }
        second.len() as u32
    }

    /// Top `k` members at distance 2 by mutual count (ties by id).
    pub fn people_you_may_know(&self, a: ExternalId, k: usize) -> Vec<(ExternalId, u32)> {
        let first: HashSet<ExternalId> = self.contacts(a).iter().copied().collect();
        let mut counts: HashMap<ExternalId, u32> = HashMap::new();
        for x in &first {
            for &z in self.contacts(*x) {
                if z != a && !first.contains(&z) {
                    *counts.entry(z).or_default() += 1;
                }
            }
        }
        let mut ranked: Vec<(ExternalId, u32)> = counts.into_iter().collect();
        ranked.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        ranked.truncate(k);
        ranked
    }

    /// A shortest path of at most `max_hops`, from `a` to `b` inclusive.
    pub fn shortest_path(
        &self,
        a: ExternalId,
        b: ExternalId,
        max_hops: u32,
    ) -> Option<Vec<ExternalId>> {
        let mut parent = HashMap::new();
        parent.insert(a, a);
        let mut frontier = vec![a];
        for _ in 0..max_hops {
            if parent.contains_key(&b) {
                break;
            }
            let mut next = Vec::new();
            for &u in &frontier {
                for &w in self.contacts(u) {
                    parent.entry(w).or_insert_with(|| {
                        next.push(w);
                        u
                    });
                }
            }
            frontier = next;
        }
        parent.get(&b)?;
        let mut path = vec![b];
        let mut v = b;
        while v != a {
            v = parent[&v];
            path.push(v);
        }
        path.reverse();
        Some(path)
    }
}
