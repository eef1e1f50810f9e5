//! The 2nd degree and people you may know.
//!
//! Both walk the contacts of the member's allowed contacts once:
//! `O(sum of the degrees of the member's contacts)`, no allocation once warm.
//! Whether a member was reached is kept in a bitmap (one bit per member: 125
//! KiB for a million members, which stays in the processor's L2 cache), so
//! the common case, a member reached for the first time, costs one cached bit
//! test and a sequential push. Only repeated members (mutual counts above 1)
//! touch the per-member slot array. The bits set are cleared from the list of
//! members reached, so the cost never depends on the graph's size.

use super::{Searcher, Suggestion, keep_best};
use crate::{Member, Snapshot};

/// Slot value marking the member and their contacts (never counted).
const EXCLUDED: u32 = u32::MAX;

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
        let mut reached = std::mem::take(&mut searcher.candidates);
        reached.clear();
        let bits = &mut searcher.bits;
        let contacts = self.contacts(a);
        Searcher::mark(bits, a);
        for &x in contacts {
            Searcher::mark(bits, x);
        }
        for &x in contacts {
            if allow(x) {
                for &z in self.contacts(x) {
                    if Searcher::mark(bits, z) {
                        reached.push(z);
                    }
                }
            }
        }
        let count = reached.len() as u32;
        Searcher::clear_bits(bits, &reached);
        Searcher::clear_bits(bits, contacts);
        Searcher::clear_bits(bits, &[a]);
        searcher.candidates = reached;
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
        searcher.ensure_bits(n);
        if searcher.slot.len() < n {
            searcher.slot.resize(n, 0);
        }
        let mut candidates = std::mem::take(&mut searcher.candidates);
        let mut counts = std::mem::take(&mut searcher.counts);
        candidates.clear();
        counts.clear();
        let (bits, slot) = (&mut searcher.bits, &mut searcher.slot);
        let contacts = self.contacts(a);
        for &x in std::iter::once(&a).chain(contacts) {
            Searcher::mark(bits, x);
            slot[x as usize] = EXCLUDED;
        }
        for &x in contacts {
            if allow(x) {
                for &z in self.contacts(x) {
                    if Searcher::mark(bits, z) {
                        slot[z as usize] = candidates.len() as u32;
                        candidates.push(z);
                        counts.push(1u32);
                    } else {
                        let i = slot[z as usize];
                        if i != EXCLUDED {
                            counts[i as usize] += 1;
                        }
                    }
                }
            }
        }

        let better = |x: &Suggestion, y: &Suggestion| {
            x.score > y.score || (x.score == y.score && x.member < y.member)
        };
        let mut best: Vec<Suggestion> = Vec::with_capacity(k.min(256) + 1);
        for (&member, &mutual_count) in candidates.iter().zip(&counts) {
            let suggestion = Suggestion {
                member,
                mutual_count,
                score: mutual_count as f32 + boost(member),
            };
            let enters = best.len() < k || better(&suggestion, &best[best.len() - 1]);
            if enters && !exclude(member) {
                keep_best(&mut best, k, suggestion, better);
            }
        }
        Searcher::clear_bits(bits, &candidates);
        Searcher::clear_bits(bits, contacts);
        Searcher::clear_bits(bits, &[a]);
        searcher.candidates = candidates;
        searcher.counts = counts;
        best
    }
}
