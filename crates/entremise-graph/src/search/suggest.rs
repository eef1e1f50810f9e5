//! The 2nd degree and people you may know.
//!
//! Both walk the contacts of the member's allowed contacts once, marking or
//! tallying each member reached in epoch-stamped arrays:
//! `O(sum of the degrees of the member's contacts)`, no allocation.

use std::mem;

use super::{Searcher, Suggestion, keep_best};
use crate::{Member, Snapshot};

/// Tally value marking the member and their contacts (never suggested).
const EXCLUDED: u32 = u32::MAX;

impl Snapshot {
    /// Number of members at distance exactly 2 from `a` through contacts of
    /// `a` that pass `allow`.
    pub fn second_degree_count(
        &self,
        searcher: &mut Searcher,
        a: Member,
        allow: impl Fn(Member) -> bool,
    ) -> u32 {
        if !self.is_member(a) {
            return 0;
        }
        let epoch = searcher.begin(self.member_count());
        let seen = &mut searcher.seen_a;
        seen[a as usize] = epoch;
        let contacts = self.contacts(a);
        for &x in contacts {
            seen[x as usize] = epoch;
        }
        let mut count = 0;
        for &x in contacts {
            if allow(x) {
                for &z in self.contacts(x) {
                    let mark = &mut seen[z as usize];
                    if *mark != epoch {
                        *mark = epoch;
                        count += 1;
                    }
                }
            }
        }
        count
    }

    /// People `a` may know: the best `k` members at distance 2 (through
    /// contacts that pass `allow`) by mutual count plus `boost(member)`, best
    /// first, ties by dense id; members for whom `exclude` holds are skipped.
    /// `boost` is called once per candidate, `exclude` only for candidates
    /// that would enter the top `k`.
    pub fn people_you_may_know(
        &self,
        searcher: &mut Searcher,
        a: Member,
        allow: impl Fn(Member) -> bool,
        exclude: impl Fn(Member) -> bool,
        boost: impl Fn(Member) -> f32,
        k: usize,
    ) -> Vec<Suggestion> {
        if !self.is_member(a) || k == 0 {
            return Vec::new();
        }
        let n = self.member_count();
        searcher.ensure_tally(n);
        let epoch = searcher.next_epoch();
        let tally = &mut searcher.tally;
        let mut candidates = mem::take(&mut searcher.candidates);
        candidates.clear();
        tally[a as usize] = (epoch, EXCLUDED);
        let contacts = self.contacts(a);
        for &x in contacts {
            tally[x as usize] = (epoch, EXCLUDED);
        }
        for &x in contacts {
            if allow(x) {
                for &z in self.contacts(x) {
                    let t = &mut tally[z as usize];
                    if t.0 != epoch {
                        *t = (epoch, 1);
                        candidates.push(z);
                    } else if t.1 != EXCLUDED {
                        t.1 += 1;
                    }
                }
            }
        }
        let better = |x: &Suggestion, y: &Suggestion| {
            x.score > y.score || (x.score == y.score && x.member < y.member)
        };
        let mut best: Vec<Suggestion> = Vec::with_capacity(k.min(256) + 1);
        for &z in &candidates {
            let mutual_count = tally[z as usize].1;
            let suggestion = Suggestion {
                member: z,
                mutual_count,
                score: mutual_count as f32 + boost(z),
            };
            let enters = best.len() < k || better(&suggestion, &best[best.len() - 1]);
            if enters && !exclude(z) {
                keep_best(&mut best, k, suggestion, better);
            }
        }
        searcher.candidates = candidates;
        best
    }
}
