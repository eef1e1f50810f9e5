//! Queries and their reusable scratch space.
//!
//! Every query is a method of [`Snapshot`](crate::Snapshot) taking a
//! `&mut Searcher`. Filters are generic closures so that the hot loops inline
//! them:
//!
//! * `allow: impl Fn(Member) -> bool` says whether a member may be *traversed*
//!   (be an intermediary on a path, a mutual contact, the link to a 2nd-degree
//!   member). The two members a query is about are never tested. Deciding what
//!   may be *revealed* of the answer stays the caller's job.
//! * `weight: impl Fn(Member, Member) -> f32` is the strength of a contact, in
//!   `(0, 1]` by convention; a path's score is the **product** of its hops'
//!   weights, so one weak hop weakens the whole chain, as it does in a real
//!   introduction.
//! * `boost: impl Fn(Member) -> f32` is added to a suggestion's mutual count
//!   (shared group, same organisation); `exclude: impl Fn(Member) -> bool`
//!   drops candidates (already requested, declined).

mod distance;
mod paths;
mod suggest;

use std::cell::RefCell;

use crate::Member;

/// Scratch space for queries: epoch-stamped visited marks, parents, tallies
/// and frontier buffers, grown on demand to the graph's size and reused, so a
/// query allocates nothing. One per thread (see [`with_searcher`]); a searcher
/// works with any snapshot of any graph.
///
/// Memory: up to 20.3 bytes per member, for the arrays the queries run so far
/// have needed.
#[derive(Default, Debug)]
pub struct Searcher {
    epoch: u32,
    seen_a: Vec<u32>,
    seen_b: Vec<u32>,
    parent_a: Vec<Member>,
    parent_b: Vec<Member>,
    frontier_a: Vec<Member>,
    frontier_b: Vec<Member>,
    /// `(degree, member)` of the frontiers, for trying big members first.
    ranked_a: Vec<(u32, Member)>,
    ranked_b: Vec<(u32, Member)>,
    next: Vec<Member>,
    candidates: Vec<Member>,
    list: Vec<Member>,
    /// One bit per member, all clear between queries.
    bits: Vec<u64>,
    /// The member a suggestion query is for, and their contacts.
    excluded: Vec<u64>,
    /// Members reached again, for mutual counts.
    repeats: Vec<Member>,
    /// Mutual counts per member, for suggestions with very many repeats.
    counts: Vec<u32>,
}

impl Searcher {
    /// An empty searcher; its arrays grow on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a query over `n` members: a fresh epoch, so every mark of an
    /// earlier query reads as unset.
    fn begin(&mut self, n: usize) -> u32 {
        if self.seen_a.len() < n {
            self.seen_a.resize(n, 0);
            self.seen_b.resize(n, 0);
        }
        self.next_epoch()
    }

    fn next_epoch(&mut self) -> u32 {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.seen_a.fill(0);
            self.seen_b.fill(0);
            self.epoch = 1;
        }
        self.epoch
    }

    fn ensure_parents(&mut self, n: usize) {
        if self.parent_a.len() < n {
            self.parent_a.resize(n, 0);
            self.parent_b.resize(n, 0);
        }
    }

    /// Heap bytes held.
    pub fn memory_bytes(&self) -> usize {
        4 * (self.seen_a.capacity()
            + self.seen_b.capacity()
            + self.parent_a.capacity()
            + self.parent_b.capacity()
            + self.frontier_a.capacity()
            + self.frontier_b.capacity()
            + self.next.capacity()
            + self.candidates.capacity()
            + self.list.capacity())
            + 8 * (self.bits.capacity() + self.excluded.capacity())
            + 4 * (self.repeats.capacity() + self.counts.capacity())
    }
}

thread_local! {
    static SEARCHER: RefCell<Searcher> = RefCell::new(Searcher::new());
}

/// Runs `f` with this thread's searcher (created on first use). Do not nest.
///
/// # Panics
/// If called again from inside `f`.
pub fn with_searcher<R>(f: impl FnOnce(&mut Searcher) -> R) -> R {
    SEARCHER.with(|s| f(&mut s.borrow_mut()))
}

/// How many shortest paths join two members, up to 3 hops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathCount {
    /// Degree of separation (0 for the same member), `None` beyond 3.
    pub degree: Option<u32>,
    /// Number of distinct shortest paths through allowed intermediaries
    /// (1 for degree 0 or 1, 0 beyond 3).
    pub paths: u64,
}

/// One introduction path, scored.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredPath {
    /// The intermediaries from the requester's side to the target's (1 or 2).
    pub intermediaries: Vec<Member>,
    /// Product of the weights of the path's contacts.
    pub score: f32,
}

/// The best introduction paths between two members.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct IntroductionPaths {
    /// Degree of separation, `None` beyond 3.
    pub degree: Option<u32>,
    /// Number of shortest paths when the degree is 2 or 3, else 0.
    pub total: u64,
    /// The best `k` of them by score, then by intermediaries' dense ids;
    /// empty for degree 0, 1 or beyond 3 (no introduction needed or possible).
    pub paths: Vec<ScoredPath>,
}

/// A suggested member.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Suggestion {
    /// The suggested member (at distance 2).
    pub member: Member,
    /// Mutual contacts through allowed members.
    pub mutual_count: u32,
    /// `mutual_count` plus the caller's boost: the ranking key.
    pub score: f32,
}

/// Keeps the best `k` items by a key, in order (insertion into a short sorted
/// vector: `k` is small).
pub(crate) fn keep_best<T>(best: &mut Vec<T>, k: usize, item: T, better: impl Fn(&T, &T) -> bool) {
    if k == 0 || (best.len() == k && !better(&item, &best[k - 1])) {
        return;
    }
    let pos = best.partition_point(|held| !better(&item, held));
    if best.len() == k {
        best.pop();
    }
    best.insert(pos, item);
}
