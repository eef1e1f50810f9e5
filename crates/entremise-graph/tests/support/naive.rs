//! Independent, obviously-correct reference computations over a plain
//! adjacency (`Vec<BTreeSet>` by dense id): full breadth-first search, no
//! bidirectional tricks, no sorted-list merges.

#![allow(dead_code)]

use std::collections::{BTreeSet, VecDeque};

pub struct Naive {
    pub adj: Vec<BTreeSet<u32>>,
}

pub struct Bfs {
    pub dist: Vec<Option<u32>>,
    /// Number of shortest paths from the source whose interior is allowed.
    pub paths: Vec<u64>,
}

impl Naive {
    pub fn new(n: usize, contacts: impl IntoIterator<Item = (u32, u32)>) -> Self {
        let mut adj = vec![BTreeSet::new(); n];
        for (a, b) in contacts {
            if a != b {
                adj[a as usize].insert(b);
                adj[b as usize].insert(a);
            }
        }
        Naive { adj }
    }

    /// Full BFS from `a`; only `a` and allowed members are expanded.
    pub fn bfs(&self, a: u32, allow: &dyn Fn(u32) -> bool) -> Bfs {
        let n = self.adj.len();
        let mut dist = vec![None; n];
        let mut paths = vec![0u64; n];
        dist[a as usize] = Some(0);
        paths[a as usize] = 1;
        let mut queue = VecDeque::from([a]);
        while let Some(u) = queue.pop_front() {
            if u != a && !allow(u) {
                continue;
            }
            let du = dist[u as usize].unwrap();
            for &w in &self.adj[u as usize] {
                match dist[w as usize] {
                    None => {
                        dist[w as usize] = Some(du + 1);
                        paths[w as usize] = paths[u as usize];
                        queue.push_back(w);
                    }
                    Some(dw) if dw == du + 1 => paths[w as usize] += paths[u as usize],
                    Some(_) => {}
                }
            }
        }
        Bfs { dist, paths }
    }

    pub fn mutual(&self, a: u32, b: u32, allow: &dyn Fn(u32) -> bool) -> Vec<u32> {
        self.adj[a as usize]
            .intersection(&self.adj[b as usize])
            .copied()
            .filter(|&x| allow(x))
            .collect()
    }

    /// All shortest paths of length 2 or 3 from `a` to `b` (intermediaries).
    pub fn intro_paths(&self, a: u32, b: u32, allow: &dyn Fn(u32) -> bool) -> Vec<Vec<u32>> {
        let d = self.bfs(a, allow).dist[b as usize];
        let mut out = Vec::new();
        match d {
            Some(2) => out.extend(self.mutual(a, b, allow).into_iter().map(|x| vec![x])),
            Some(3) => {
                for &x in &self.adj[a as usize] {
                    for &y in &self.adj[x as usize] {
                        if allow(x) && allow(y) && self.adj[y as usize].contains(&b) {
                            out.push(vec![x, y]);
                        }
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// Members at distance exactly 2 through allowed contacts, with mutual counts.
    pub fn second(&self, a: u32, allow: &dyn Fn(u32) -> bool) -> Vec<(u32, u32)> {
        let mut counts = vec![0u32; self.adj.len()];
        for &x in &self.adj[a as usize] {
            if allow(x) {
                for &z in &self.adj[x as usize] {
                    counts[z as usize] += 1;
                }
            }
        }
        (0..self.adj.len() as u32)
            .filter(|&z| z != a && !self.adj[a as usize].contains(&z) && counts[z as usize] > 0)
            .map(|z| (z, counts[z as usize]))
            .collect()
    }

    pub fn is_path(&self, path: &[u32], allow: &dyn Fn(u32) -> bool) -> bool {
        path.windows(2)
            .all(|w| self.adj[w[0] as usize].contains(&w[1]))
            && path.len() >= 2
            && path[1..path.len() - 1].iter().all(|&x| allow(x))
    }
}
