//! Mutual contacts, counts of shortest paths and ranked introduction paths.
//!
//! Paths of length 2 are the mutual contacts (a sorted-list intersection,
//! `O(deg a + deg b)` or less by galloping). Paths of length 3 `a-x-y-b` are
//! found by intersecting, for each allowed contact `x` of the endpoint with
//! fewer contacts, `x`'s list with the allowed contacts of the other endpoint:
//! `O(sum over x of min(deg x, deg b) log)`.

use super::{IntroductionPaths, PathCount, ScoredPath, Searcher, keep_best};
use crate::intersect::{count_common, for_each_common};
use crate::{Member, Snapshot};

impl Snapshot {
    /// Number of mutual contacts of `a` and `b` that pass `allow`.
    #[inline]
    pub fn mutual_count(&self, a: Member, b: Member, allow: impl Fn(Member) -> bool) -> u32 {
        count_common(self.contacts(a), self.contacts(b), allow)
    }

    /// One page of the mutual contacts of `a` and `b` that pass `allow`, in
    /// increasing dense id: `limit` of them after skipping `offset`.
    pub fn mutual_contacts(
        &self,
        a: Member,
        b: Member,
        allow: impl Fn(Member) -> bool,
        offset: usize,
        limit: usize,
    ) -> Vec<Member> {
        let mut page = Vec::with_capacity(limit.min(64));
        let mut skipped = 0;
        for_each_common(self.contacts(a), self.contacts(b), |x| {
            if page.len() < limit && allow(x) {
                if skipped < offset {
                    skipped += 1;
                } else {
                    page.push(x);
                }
            }
        });
        page
    }

    /// Degree of separation (capped at 3) and number of shortest paths.
    pub fn shortest_path_count(
        &self,
        searcher: &mut Searcher,
        a: Member,
        b: Member,
        allow: impl Fn(Member) -> bool,
    ) -> PathCount {
        let degree = self.degree(searcher, a, b, &allow);
        let paths = match degree {
            Some(0 | 1) => 1,
            Some(2) => self.mutual_count(a, b, &allow) as u64,
            Some(_) => {
                let mut paths = 0;
                self.for_each_path3(searcher, a, b, &allow, |_, _| paths += 1);
                paths
            }
            None => 0,
        };
        PathCount { degree, paths }
    }

    /// The best `k` introduction paths from `a` to `b`: all shortest paths of
    /// length 2 or 3 whose intermediaries pass `allow`, scored by the product
    /// of `weight` over their contacts, best first (ties by the intermediaries'
    /// dense ids). `weight(u, v)` is called in the direction from `a` to `b`.
    pub fn introduction_paths(
        &self,
        searcher: &mut Searcher,
        a: Member,
        b: Member,
        allow: impl Fn(Member) -> bool,
        weight: impl Fn(Member, Member) -> f32,
        k: usize,
    ) -> IntroductionPaths {
        let degree = self.degree(searcher, a, b, &allow);
        let better =
            |x: &([Member; 2], f32), y: &([Member; 2], f32)| x.1 > y.1 || (x.1 == y.1 && x.0 < y.0);
        let mut best: Vec<([Member; 2], f32)> = Vec::with_capacity(k.min(64) + 1);
        let mut total = 0;
        match degree {
            Some(2) => {
                for_each_common(self.contacts(a), self.contacts(b), |x| {
                    if allow(x) {
                        total += 1;
                        let score = weight(a, x) * weight(x, b);
                        keep_best(&mut best, k, ([x, Member::MAX], score), better);
                    }
                });
            }
            Some(3) => {
                self.for_each_path3(searcher, a, b, &allow, |x, y| {
                    total += 1;
                    let score = weight(a, x) * weight(x, y) * weight(y, b);
                    keep_best(&mut best, k, ([x, y], score), better);
                });
            }
            _ => {}
        }
        let paths = best
            .into_iter()
            .map(|(hops, score)| ScoredPath {
                intermediaries: hops.into_iter().filter(|&h| h != Member::MAX).collect(),
                score,
            })
            .collect();
        IntroductionPaths {
            degree,
            total,
            paths,
        }
    }

    /// Calls `found(x, y)` for each path `a-x-y-b` with allowed `x` and `y`.
    /// Only meaningful when `a` and `b` are at distance 3 (otherwise it would
    /// also list non-shortest walks).
    fn for_each_path3(
        &self,
        searcher: &mut Searcher,
        a: Member,
        b: Member,
        allow: &impl Fn(Member) -> bool,
        mut found: impl FnMut(Member, Member),
    ) {
        // Walk out from the endpoint with fewer contacts; intersect with the
        // other endpoint's allowed contacts.
        let swap = self.contact_count_of(a) > self.contact_count_of(b);
        let (outer, inner) = if swap { (b, a) } else { (a, b) };
        let mut inner_list = std::mem::take(&mut searcher.list);
        inner_list.clear();
        inner_list.extend(self.contacts(inner).iter().copied().filter(|&y| allow(y)));
        for &x in self.contacts(outer) {
            if allow(x) {
                for_each_common(self.contacts(x), &inner_list, |y| {
                    if swap { found(y, x) } else { found(x, y) }
                });
            }
        }
        searcher.list = inner_list;
    }
}
