//! Degree of separation and shortest paths: bidirectional search expanding,
//! at each step, the side whose frontier has the smaller total degree, and
//! stopping at the first meeting. Never a one-sided search.
//!
//! Up to 4 hops (the degree query, the `path4` query), the first levels are
//! the endpoints' sorted contact lists, so meetings are found by merging
//! sorted lists ([`degree_within_3`], [`path_within_4`]): no visited array is
//! touched, except a cache-resident bitmap for the 4th hop. Longer paths use
//! the general level-by-level search ([`bidirectional`]).
//!
//! Correctness of the general search: a member is marked by a side only when
//! first reached, and every newly reached member is checked against the other
//! side's marks, so a meeting is found as soon as both sides have reached a
//! common member. Before a level is expanded no path of length
//! `depth_a + depth_b` exists (it would have met), so the first meeting while
//! expanding gives length `depth_a + depth_b + 1`, the shortest. The sorted
//! variants rely on the same argument: each level is only tested once the
//! shorter lengths have been ruled out.
//!
//! Cost: bounded by the adjacency of the cheaper side's frontiers, which in a
//! skewed social graph is a tiny part of what a one-sided search to the same
//! depth touches (`O(b^(d/2))` instead of `O(b^d)`). The last level only
//! looks, never marks.

use std::mem;

use super::Searcher;
use crate::intersect::first_common;
use crate::{Member, Snapshot};

/// Where the two searches met.
struct Meeting {
    length: u32,
    /// Member on the side that was expanding, and its neighbour on the other side.
    from: Member,
    to: Member,
    forward: bool,
}

impl Snapshot {
    /// Degree of separation between `a` and `b`: 0 if `a == b`, 1 for
    /// contacts, 2 or 3 through members that pass `allow`, `None` beyond 3 (or
    /// for an unknown member). Never a one-sided search to depth 3.
    pub fn degree(
        &self,
        searcher: &mut Searcher,
        a: Member,
        b: Member,
        allow: impl Fn(Member) -> bool,
    ) -> Option<u32> {
        if a == b {
            return self.is_member(a).then_some(0);
        }
        if !self.is_member(a) || !self.is_member(b) {
            return None;
        }
        degree_within_3(self, searcher, a, b, &allow)
    }

    /// A shortest path from `a` to `b` of at most `max_hops` contacts whose
    /// intermediaries pass `allow`, as the list of members from `a` to `b`
    /// inclusive; `None` if there is none.
    pub fn shortest_path(
        &self,
        searcher: &mut Searcher,
        a: Member,
        b: Member,
        allow: impl Fn(Member) -> bool,
        max_hops: u32,
    ) -> Option<Vec<Member>> {
        if a == b {
            return self.is_member(a).then(|| vec![a]);
        }
        if !self.is_member(a) || !self.is_member(b) {
            return None;
        }
        if max_hops <= 4 {
            return path_within_4(self, searcher, a, b, &allow, max_hops);
        }
        searcher.ensure_parents(self.member_count());
        let meeting = bidirectional::<true>(self, searcher, a, b, &allow, max_hops)?;
        let (on_a, on_b) = if meeting.forward {
            (meeting.from, meeting.to)
        } else {
            (meeting.to, meeting.from)
        };
        let mut path = Vec::with_capacity(meeting.length as usize + 1);
        let mut v = on_a;
        path.push(v);
        while v != a {
            v = searcher.parent_a[v as usize];
            path.push(v);
        }
        path.reverse();
        let mut v = on_b;
        path.push(v);
        while v != b {
            v = searcher.parent_b[v as usize];
            path.push(v);
        }
        debug_assert_eq!(path.len(), meeting.length as usize + 1);
        Some(path)
    }

    #[inline]
    pub(crate) fn is_member(&self, m: Member) -> bool {
        (m as usize) < self.member_count()
    }
}

/// The degree query, specialised for 3 hops: the two first levels are the
/// endpoints' sorted contact lists, so every meeting test is a sorted-list
/// merge (or gallop) instead of random probes into visited arrays, and no
/// visited array is touched at all:
/// 1. level 1 from the side with fewer contacts: is the other endpoint in it
///    (binary search)?
/// 2. level 1 from the other side: do the two lists share an allowed member?
/// 3. level 2 from the side whose frontier (allowed contacts) has the smaller
///    total degree: does any frontier member's list meet the other frontier?
///    See [`meet_at_3`].
fn degree_within_3(
    snap: &Snapshot,
    s: &mut Searcher,
    a: Member,
    b: Member,
    allow: &impl Fn(Member) -> bool,
) -> Option<u32> {
    if snap.are_contacts(a, b) {
        return Some(1);
    }
    if first_common(snap.contacts(a), snap.contacts(b), allow).is_some() {
        return Some(2);
    }
    meet_at_3(snap, s, a, b, allow).0.map(|_| 3)
}

/// A member of the other frontier at least this many times bigger than the
/// expanded frontier is tried first, by galloping the frontier into its list.
const HUB_FACTOR: usize = 32;

/// Members of the expanded frontier met by merging before switching to the
/// bitmap (marking the other frontier costs a cache miss per member, worth it
/// only when the search goes on).
const MERGED_FIRST: usize = 6;

/// For endpoints known to be further than 2 apart: fills the searcher's
/// frontiers with the allowed contacts of `a` and `b` (sorted) and looks for a
/// contact `x` of `a` and `y` of `b` that are contacts, expanding the frontier
/// of smaller total degree. Members are tried by decreasing degree (and the
/// other side's hubs first, cheaply, by galloping), because a member with many
/// contacts is the likeliest to meet, and with galloping costs only
/// `O(frontier log degree)` to test. Stops at the first meeting. Returns the
/// meeting and whether the frontier of `a` was the one expanded.
fn meet_at_3(
    snap: &Snapshot,
    s: &mut Searcher,
    a: Member,
    b: Member,
    allow: &impl Fn(Member) -> bool,
) -> (Option<(Member, Member)>, bool) {
    let fill =
        |frontier: &mut Vec<Member>, ranked: &mut Vec<(u32, Member)>, contacts: &[Member]| {
            frontier.clear();
            ranked.clear();
            let mut cost = 0;
            for &x in contacts {
                if allow(x) {
                    let degree = snap.contact_count_of(x);
                    frontier.push(x);
                    ranked.push((degree as u32, x));
                    cost += degree;
                }
            }
            cost
        };
    let cost_a = fill(&mut s.frontier_a, &mut s.ranked_a, snap.contacts(a));
    let cost_b = fill(&mut s.frontier_b, &mut s.ranked_b, snap.contacts(b));
    let forward = cost_a <= cost_b;
    let (expand, expand_ranked, other, other_ranked) = if forward {
        (&s.frontier_a, &mut s.ranked_a, &s.frontier_b, &s.ranked_b)
    } else {
        (&s.frontier_b, &mut s.ranked_b, &s.frontier_a, &s.ranked_a)
    };
    let orient = |x: Member, y: Member| if forward { (x, y) } else { (y, x) };
    if expand.is_empty() || other.is_empty() {
        return (None, forward);
    }
    let hub = HUB_FACTOR * expand.len();
    for &(degree, y) in other_ranked.iter() {
        if degree as usize >= hub
            && let Some(x) = first_common(snap.contacts(y), expand, |_| true)
        {
            return (Some(orient(x, y)), forward);
        }
    }
    expand_ranked.sort_unstable_by(|p, q| q.cmp(p));
    // The biggest members first, by merge or gallop: most meetings happen
    // there. If none, the other frontier is marked in the searcher's bitmap
    // and each remaining (short) list is tested member by member, one cached
    // bit each, rather than merged (which would walk the frontier every time).
    let (first, rest) = expand_ranked.split_at(expand_ranked.len().min(MERGED_FIRST));
    for &(_, x) in first {
        if let Some(y) = first_common(snap.contacts(x), other, |_| true) {
            return (Some(orient(x, y)), forward);
        }
    }
    if rest.is_empty() {
        return (None, forward);
    }
    let words = snap.member_count().div_ceil(64);
    if s.bits.len() < words {
        s.bits.resize(words, 0);
    }
    let bits = &mut s.bits;
    for &y in other.iter() {
        bits[(y >> 6) as usize] |= 1 << (y & 63);
    }
    let long = HUB_FACTOR * other.len();
    let mut met = None;
    for &(degree, x) in rest {
        let list = snap.contacts(x);
        let y = if degree as usize >= long {
            first_common(list, other, |_| true)
        } else {
            list.iter()
                .copied()
                .find(|&z| bits[(z >> 6) as usize] & (1 << (z & 63)) != 0)
        };
        if let Some(y) = y {
            met = Some(orient(x, y));
            break;
        }
    }
    for &y in other.iter() {
        bits[(y >> 6) as usize] = 0;
    }
    (met, forward)
}

/// Shortest paths of up to 4 hops, by the same sorted-list meetings as
/// [`degree_within_3`], then for 4 hops a meet in the middle: the 2nd level of
/// the side with the smaller frontier degree is marked in the searcher's
/// bitmap (125 KiB per million members, cache-resident), and the other side's
/// frontier is expanded once, looking for a marked member.
fn path_within_4(
    snap: &Snapshot,
    s: &mut Searcher,
    a: Member,
    b: Member,
    allow: &impl Fn(Member) -> bool,
    max_hops: u32,
) -> Option<Vec<Member>> {
    if max_hops == 0 {
        return None;
    }
    if snap.are_contacts(a, b) {
        return Some(vec![a, b]);
    }
    if max_hops == 1 {
        return None;
    }
    if let Some(x) = first_common(snap.contacts(a), snap.contacts(b), allow) {
        return Some(vec![a, x, b]);
    }
    if max_hops == 2 {
        return None;
    }
    let (met, forward) = meet_at_3(snap, s, a, b, allow);
    if let Some((x, y)) = met {
        return Some(vec![a, x, y, b]);
    }
    if max_hops == 3 || s.frontier_a.is_empty() || s.frontier_b.is_empty() {
        return None;
    }
    // `near` is the side with the smaller frontier degree: expanded to its
    // second level and marked; `far` is expanded once, looking for a mark.
    s.ensure_bits(snap.member_count());
    let (near, far) = if forward {
        (&s.frontier_a, &s.frontier_b)
    } else {
        (&s.frontier_b, &s.frontier_a)
    };
    let mut marked = mem::take(&mut s.next);
    marked.clear();
    for &x in near.iter() {
        for &z in snap.contacts(x) {
            if allow(z) && Searcher::mark(&mut s.bits, z) {
                marked.push(z);
            }
        }
    }
    let mut found = None;
    'far: for &y in far.iter() {
        for &z in snap.contacts(y) {
            if Searcher::is_marked(&s.bits, z) {
                let x = near
                    .iter()
                    .copied()
                    .find(|&x| snap.contacts(x).binary_search(&z).is_ok())
                    .expect("a marked member is a contact of the near frontier");
                found = Some((x, z, y));
                break 'far;
            }
        }
    }
    Searcher::clear_bits(&mut s.bits, &marked);
    s.next = marked;
    found.map(|(x, z, y)| {
        let mut path = vec![
            if forward { a } else { b },
            x,
            z,
            y,
            if forward { b } else { a },
        ];
        if !forward {
            path.reverse();
        }
        path
    })
}

fn bidirectional<const PARENTS: bool>(
    snap: &Snapshot,
    s: &mut Searcher,
    a: Member,
    b: Member,
    allow: &impl Fn(Member) -> bool,
    max_hops: u32,
) -> Option<Meeting> {
    if !snap.is_member(a) || !snap.is_member(b) || max_hops == 0 {
        return None;
    }
    let epoch = s.begin(snap.member_count());
    s.seen_a[a as usize] = epoch;
    s.seen_b[b as usize] = epoch;
    if PARENTS {
        s.parent_a[a as usize] = a;
        s.parent_b[b as usize] = b;
    }
    let mut frontier_a = mem::take(&mut s.frontier_a);
    let mut frontier_b = mem::take(&mut s.frontier_b);
    let mut next = mem::take(&mut s.next);
    frontier_a.clear();
    frontier_b.clear();
    frontier_a.push(a);
    frontier_b.push(b);
    let (mut cost_a, mut cost_b) = (snap.contact_count_of(a), snap.contact_count_of(b));
    // A frontier expanded from a single member is sorted: the last level can
    // then meet it by merging lists instead of probing marks.
    let (mut sorted_a, mut sorted_b) = (true, true);
    let mut depth = 0;
    let result = loop {
        if depth >= max_hops || frontier_a.is_empty() || frontier_b.is_empty() {
            break None;
        }
        let last = depth + 1 == max_hops;
        let forward = cost_a <= cost_b;
        let (frontier, other, other_sorted, seen_own, seen_other, parent) = if forward {
            (
                &frontier_a,
                &frontier_b,
                sorted_b,
                &mut s.seen_a,
                &s.seen_b,
                &mut s.parent_a,
            )
        } else {
            (
                &frontier_b,
                &frontier_a,
                sorted_a,
                &mut s.seen_b,
                &s.seen_a,
                &mut s.parent_b,
            )
        };
        let expanded_one = frontier.len() == 1;
        next.clear();
        let mut next_cost = 0;
        let mut met = None;
        'expand: for &u in frontier.iter() {
            let contacts = snap.contacts(u);
            if last {
                if other_sorted && other.len() <= 8 * contacts.len() {
                    if let Some(w) = first_common(contacts, other, |_| true) {
                        met = Some((u, w));
                        break 'expand;
                    }
                    continue;
                }
                for &w in contacts {
                    if seen_other[w as usize] == epoch {
                        met = Some((u, w));
                        break 'expand;
                    }
                }
                continue;
            }
            for &w in contacts {
                let i = w as usize;
                if seen_other[i] == epoch {
                    met = Some((u, w));
                    break 'expand;
                }
                if seen_own[i] != epoch && allow(w) {
                    seen_own[i] = epoch;
                    if PARENTS {
                        parent[i] = u;
                    }
                    next.push(w);
                    next_cost += snap.contact_count_of(w);
                }
            }
        }
        depth += 1;
        if let Some((from, to)) = met {
            break Some(Meeting {
                length: depth,
                from,
                to,
                forward,
            });
        }
        if forward {
            mem::swap(&mut frontier_a, &mut next);
            cost_a = next_cost;
            sorted_a = expanded_one;
        } else {
            mem::swap(&mut frontier_b, &mut next);
            cost_b = next_cost;
            sorted_b = expanded_one;
        }
    };
    s.frontier_a = frontier_a;
    s.frontier_b = frontier_b;
    s.next = next;
    result
}
