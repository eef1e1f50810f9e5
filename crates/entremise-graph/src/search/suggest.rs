//! The 2nd degree and people you may know.
//!
//! Both walk the contacts of the member's allowed contacts once:
//! `O(sum of the degrees of the member's contacts)`, no allocation once warm.
//! Whether a member was reached is kept in a bitmap (one bit per member: 125
//! KiB for a million members, which stays in the processor's L2 cache), so
//! the common case, a member reached for the first time, costs one cached bit
//! test and a sequential push. Members seen again (mutual counts above 1) are
//! pushed to a second list, sorted and counted at the end; no per-member array
//! is touched at random. The bits set are cleared from the lists walked, so
//! the cost never depends on the graph's size.

use super::{Searcher, Suggestion, keep_best};
use crate::{Member, Snapshot};

/// Repeats counted by sorting; beyond, by a per-member array.
const REPEATS_LIMIT: usize = 1 << 14;

impl Searcher {
    pub(super) fn ensure_bits(&mut self, n: usize) {
        let words = n.div_ceil(64);
        if self.bits.len() < words {
            self.bits.resize(words, 0);
        }
    }

    /// Sets `member`'s bit; true if it was clear.
    #[inline]
    pub(super) fn mark(bits: &mut [u64], member: Member) -> bool {
        let word = &mut bits[(member >> 6) as usize];
        let bit = 1u64 << (member & 63);
        let was_clear = *word & bit == 0;
        *word |= bit;
        was_clear
    }

    /// Whether `member`'s bit is set.
    #[inline]
    pub(super) fn is_marked(bits: &[u64], member: Member) -> bool {
        bits[(member >> 6) as usize] & (1u64 << (member & 63)) != 0
    }

    pub(super) fn clear_bits(bits: &mut [u64], members: &[Member]) {
        for &m in members {
            bits[(m >> 6) as usize] = 0;
        }
    }
}

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
        searcher.ensure_bits(self.member_count());
        let bits = &mut searcher.bits;
        let contacts = self.contacts(a);
        Searcher::mark(bits, a);
        for &x in contacts {
            Searcher::mark(bits, x);
        }
        let mut count = 0;
        let mut walked = 0;
        for &x in contacts {
            if allow(x) {
                let list = self.contacts(x);
                walked += list.len();
                for &z in list {
                    count += Searcher::mark(bits, z) as u32;
                }
            }
        }
        // Clear what was set: the whole bitmap if that is cheaper than a
        // second walk of the (now cached) lists.
        if walked >= bits.len() / 2 {
            bits.fill(0);
        } else {
            for &x in contacts {
                if allow(x) {
                    Searcher::clear_bits(bits, self.contacts(x));
                }
            }
            Searcher::clear_bits(bits, contacts);
            Searcher::clear_bits(bits, &[a]);
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
        searcher.ensure_bits(self.member_count());
        let mut candidates = std::mem::take(&mut searcher.candidates);
        let mut repeats = std::mem::take(&mut searcher.repeats);
        candidates.clear();
        repeats.clear();
        let bits = &mut searcher.bits;
        let contacts = self.contacts(a);
        Searcher::mark(bits, a);
        for &x in contacts {
            Searcher::mark(bits, x);
        }
        // First sight of a member: a cached bit and a sequential push. A
        // member seen again (a mutual count above 1) is pushed to `repeats`,
        // counted after by sorting that short list.
        // `a` and `a`'s contacts are also marked in `excluded`, so that
        // reaching them again (triangles, frequent in a clustered network)
        // costs a cached bit test, not a push and a sort.
        let excluded = &mut searcher.excluded;
        if excluded.len() < bits.len() {
            excluded.resize(bits.len(), 0);
        }
        Searcher::mark(excluded, a);
        for &x in contacts {
            Searcher::mark(excluded, x);
        }
        // Past `REPEATS_LIMIT` repeats (a member whose contacts include hubs),
        // sorting would cost more than counting in a per-member array: switch.
        let counts = &mut searcher.counts;
        let mut dense = false;
        for &x in contacts {
            if !allow(x) {
                continue;
            }
            if !dense && repeats.len() > REPEATS_LIMIT {
                if counts.len() < self.member_count() {
                    counts.resize(self.member_count(), 0);
                }
                for &z in &candidates {
                    counts[z as usize] = 1;
                }
                for &z in &repeats {
                    counts[z as usize] += 1;
                }
                repeats.clear();
                dense = true;
            }
            let list = self.contacts(x);
            if dense {
                for &z in list {
                    if Searcher::mark(bits, z) {
                        candidates.push(z);
                        counts[z as usize] = 1;
                    } else if !Searcher::is_marked(excluded, z) {
                        counts[z as usize] += 1;
                    }
                }
            } else {
                for &z in list {
                    if Searcher::mark(bits, z) {
                        candidates.push(z);
                    } else if !Searcher::is_marked(excluded, z) {
                        repeats.push(z);
                    }
                }
            }
        }
        Searcher::clear_bits(excluded, contacts);
        Searcher::clear_bits(excluded, &[a]);
        Searcher::clear_bits(bits, &candidates);
        Searcher::clear_bits(bits, contacts);
        Searcher::clear_bits(bits, &[a]);
        repeats.sort_unstable();

        let better = |x: &Suggestion, y: &Suggestion| {
            x.score > y.score || (x.score == y.score && x.member < y.member)
        };
        let mut best: Vec<Suggestion> = Vec::with_capacity(k.min(256) + 1);
        // `seen_once` members are skipped if they are among the repeats (then
        // they were offered with their full count).
        let mut offer = |member: Member, mutual_count: u32, seen_once: bool| {
            let suggestion = Suggestion {
                member,
                mutual_count,
                score: mutual_count as f32 + boost(member),
            };
            let enters = best.len() < k || better(&suggestion, &best[best.len() - 1]);
            if enters && !(seen_once && repeats.binary_search(&member).is_ok()) && !exclude(member)
            {
                keep_best(&mut best, k, suggestion, better);
            }
        };
        // Members seen more than once, with their counts.
        let mut i = 0;
        while i < repeats.len() {
            let z = repeats[i];
            let run = repeats[i..].iter().take_while(|&&r| r == z).count();
            i += run;
            offer(z, run as u32 + 1, false);
        }
        if dense {
            for &z in &candidates {
                offer(z, counts[z as usize], false);
            }
        } else {
            for &z in &candidates {
                offer(z, 1, true);
            }
        }
        searcher.candidates = candidates;
        searcher.repeats = repeats;
        best
    }
}

#[cfg(test)]
mod tests {
    use crate::{GraphBuilder, Searcher};

    /// Enough repeats to switch to per-member counting mid-walk: the answer
    /// must not change.
    #[test]
    fn many_repeats_count_like_few() {
        let mut builder = GraphBuilder::new();
        let (contacts, targets) = (220u64, 300u64);
        for x in 1..=contacts {
            builder.add_contact(0, x);
            for z in 0..targets {
                if (x * 7 + z * 3) % 5 != 0 && (x + z) % 11 != 0 {
                    builder.add_contact(x, 1_000 + z);
                }
            }
        }
        let graph = builder.build().unwrap();
        let snap = graph.snapshot();
        let a = snap.dense(0).unwrap();
        let mut expected: Vec<(u32, u32)> = (0..targets)
            .map(|z| {
                let member = snap.dense(1_000 + z).unwrap();
                (member, snap.mutual_count(a, member, |_| true))
            })
            .filter(|&(member, _)| member % 4 != 1)
            .collect();
        expected.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        expected.truncate(25);
        let got: Vec<(u32, u32)> = snap
            .people_you_may_know(
                &mut Searcher::new(),
                a,
                |_| true,
                |m| m % 4 == 1,
                |_| 0.0,
                25,
            )
            .iter()
            .map(|s| (s.member, s.mutual_count))
            .collect();
        assert_eq!(got, expected);
    }
}
