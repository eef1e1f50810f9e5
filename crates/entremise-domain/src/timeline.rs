//! Each author's posts, as keys held in memory: when, which, for whom.
//!
//! The home feed is built by fan-out on read: the authors a member follows
//! (his contacts, the pages he follows, himself) are merged newest first
//! from these per-author lists, each key is checked against the viewer's
//! relation to its author by the [`crate::privacy`] module, and only the
//! posts that make the page are then read from the store, in one call.
//!
//! Nothing is precomputed per reader, so a post, a deletion, a new contact
//! or a block shows in every feed at once, and a write costs one insertion
//! in its author's list. A page costs a k-way merge over the authors a
//! member follows (a heap of one entry per author), which grows with that
//! number, not with the size of the network. The keys take 24 bytes per
//! post (24 MB for a million posts) plus one list per author.

use crate::ProfileId;
use crate::ids::GroupId;
use crate::privacy::Audience;
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::RwLock;
use time::OffsetDateTime;

/// What the feed needs of a post to place it and to decide who may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostKey {
    /// When it appears (Unix nanoseconds; scheduled posts lie ahead).
    pub at: i64,
    pub id: i64,
    pub audience: Audience,
}

impl PostKey {
    pub fn new(published_at: OffsetDateTime, id: i64, audience: Audience) -> Self {
        Self {
            at: nanos(published_at),
            id,
            audience,
        }
    }

    fn order(&self) -> (i64, i64) {
        (self.at, self.id)
    }
}

/// Unix nanoseconds of an instant; instants past the year 2262 (never a
/// publication time: scheduling is bounded) are clamped.
pub fn nanos(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos()).unwrap_or(if t.year() < 1970 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// A page of keys, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPage {
    /// Admitted keys with their authors, newest first.
    pub keys: Vec<(ProfileId, PostKey)>,
    /// Where the walk stopped before the lists ran out (the scan bound was
    /// reached): the next page starts strictly before it.
    pub stopped_at: Option<(i64, i64)>,
}

/// Every author's posts, and every group's, oldest first within each list.
/// A post to a group is in its group's list only (with its author), so an
/// author's list holds what his relations may see by audience, and a
/// group's what its members may see.
#[derive(Debug, Default)]
pub struct Timelines {
    lists: RwLock<Lists>,
}

#[derive(Debug, Default)]
struct Lists {
    by_author: FxHashMap<ProfileId, Vec<PostKey>>,
    by_group: FxHashMap<GroupId, Vec<(ProfileId, PostKey)>>,
}

/// One list a walk merges: an author's, or a group's.
#[derive(Clone, Copy)]
enum List<'a> {
    Author(ProfileId, &'a [PostKey]),
    Group(GroupId, &'a [(ProfileId, PostKey)]),
}

impl List<'_> {
    /// The author, the group and the key at `i`.
    fn at(&self, i: usize) -> (ProfileId, Option<GroupId>, PostKey) {
        match self {
            List::Author(a, l) => (*a, None, l[i]),
            List::Group(g, l) => (l[i].0, Some(*g), l[i].1),
        }
    }

    /// How many keys come strictly before `bound`.
    fn end_before(&self, bound: (i64, i64)) -> usize {
        match self {
            List::Author(_, l) => l.partition_point(|k| k.order() < bound),
            List::Group(_, l) => l.partition_point(|(_, k)| k.order() < bound),
        }
    }
}

impl Lists {
    /// The lists of these authors and groups, each once.
    fn of<'a>(&'a self, authors: &[ProfileId], groups: &[GroupId]) -> Vec<List<'a>> {
        let mut authors = authors.to_vec();
        authors.sort_unstable();
        authors.dedup();
        let mut groups = groups.to_vec();
        groups.sort_unstable();
        groups.dedup();
        let mut lists: Vec<List<'a>> = authors
            .iter()
            .filter_map(|a| {
                self.by_author
                    .get(a)
                    .map(|l| List::Author(*a, l.as_slice()))
            })
            .collect();
        lists.extend(
            groups
                .iter()
                .filter_map(|g| self.by_group.get(g).map(|l| List::Group(*g, l.as_slice()))),
        );
        lists
    }

    fn insert(&mut self, author: ProfileId, group: Option<GroupId>, key: PostKey) {
        match group {
            None => {
                let list = self.by_author.entry(author).or_default();
                let at = list.partition_point(|k| k.order() < key.order());
                if list.get(at).is_none_or(|k| k.id != key.id) {
                    list.insert(at, key);
                }
            }
            Some(g) => {
                let list = self.by_group.entry(g).or_default();
                let at = list.partition_point(|(_, k)| k.order() < key.order());
                if list.get(at).is_none_or(|(_, k)| k.id != key.id) {
                    list.insert(at, (author, key));
                }
            }
        }
    }
}

impl Timelines {
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Lists> {
        self.lists.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Lists> {
        self.lists.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds keys read from the store, in any order.
    pub fn extend(&self, keys: impl IntoIterator<Item = (ProfileId, Option<GroupId>, PostKey)>) {
        let mut lists = self.write();
        let mut touched = Vec::new();
        let mut touched_groups = Vec::new();
        for (author, group, key) in keys {
            match group {
                None => {
                    let list = lists.by_author.entry(author).or_default();
                    if list.last().is_some_and(|last| last.order() > key.order()) {
                        touched.push(author);
                    }
                    list.push(key);
                }
                Some(g) => {
                    let list = lists.by_group.entry(g).or_default();
                    if list
                        .last()
                        .is_some_and(|(_, last)| last.order() > key.order())
                    {
                        touched_groups.push(g);
                    }
                    list.push((author, key));
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for author in touched {
            if let Some(list) = lists.by_author.get_mut(&author) {
                list.sort_unstable_by_key(PostKey::order);
            }
        }
        touched_groups.sort_unstable();
        touched_groups.dedup();
        for g in touched_groups {
            if let Some(list) = lists.by_group.get_mut(&g) {
                list.sort_unstable_by_key(|(_, k)| k.order());
            }
        }
    }

    /// Gives back the room the lists grew into while loading.
    pub fn shrink_to_fit(&self) {
        let mut lists = self.write();
        for list in lists.by_author.values_mut() {
            list.shrink_to_fit();
        }
        lists.by_author.shrink_to_fit();
        for list in lists.by_group.values_mut() {
            list.shrink_to_fit();
        }
        lists.by_group.shrink_to_fit();
    }

    /// Adds one post (a new post, or a scheduled one, at its place).
    pub fn insert(&self, author: ProfileId, group: Option<GroupId>, key: PostKey) {
        self.write().insert(author, group, key);
    }

    /// Removes a deleted post.
    pub fn remove(&self, author: ProfileId, group: Option<GroupId>, id: i64) {
        let mut lists = self.write();
        match group {
            None => {
                if let Some(list) = lists.by_author.get_mut(&author) {
                    list.retain(|k| k.id != id);
                    if list.is_empty() {
                        lists.by_author.remove(&author);
                    }
                }
            }
            Some(g) => {
                if let Some(list) = lists.by_group.get_mut(&g) {
                    list.retain(|(_, k)| k.id != id);
                    if list.is_empty() {
                        lists.by_group.remove(&g);
                    }
                }
            }
        }
    }

    /// Forgets a group's list (the group is gone).
    pub fn remove_group(&self, group: GroupId) {
        self.write().by_group.remove(&group);
    }

    /// Every key held, with its author and group, in a canonical order, to
    /// compare the timelines with ones loaded afresh from the store (tests).
    pub fn state(&self) -> Vec<(ProfileId, Option<GroupId>, PostKey)> {
        let lists = self.read();
        let mut all: Vec<(ProfileId, Option<GroupId>, PostKey)> = lists
            .by_author
            .iter()
            .flat_map(|(author, keys)| keys.iter().map(|k| (*author, None, *k)))
            .chain(
                lists
                    .by_group
                    .iter()
                    .flat_map(|(g, keys)| keys.iter().map(|(a, k)| (*a, Some(*g), *k))),
            )
            .collect();
        all.sort_by_key(|(author, g, k)| (author.0, *g, k.at, k.id));
        all
    }

    /// Posts held, and lists (authors and groups) with at least one.
    pub fn len(&self) -> (usize, usize) {
        let lists = self.read();
        (
            lists.by_author.values().map(Vec::len).sum::<usize>()
                + lists.by_group.values().map(Vec::len).sum::<usize>(),
            lists.by_author.len() + lists.by_group.len(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.len().0 == 0
    }

    /// Bytes the keys and lists take, roughly.
    pub fn heap_bytes(&self) -> usize {
        let lists = self.read();
        let authors: usize = lists
            .by_author
            .values()
            .map(|l| l.capacity() * std::mem::size_of::<PostKey>())
            .sum();
        let groups: usize = lists
            .by_group
            .values()
            .map(|l| l.capacity() * std::mem::size_of::<(ProfileId, PostKey)>())
            .sum();
        authors
            + groups
            + lists.by_author.capacity()
                * (std::mem::size_of::<ProfileId>() + std::mem::size_of::<Vec<PostKey>>() + 1)
    }

    /// Up to `limit` keys of these authors and groups, newest first,
    /// strictly before `before` (published at, id) and published by
    /// `not_after`, that `admit` accepts (told the key's author and, for a
    /// group's post, its group). The walk looks at `scan` keys at most;
    /// when it stops there, [`KeyPage::stopped_at`] says where to go on.
    #[allow(clippy::too_many_arguments)]
    pub fn page(
        &self,
        authors: &[ProfileId],
        groups: &[GroupId],
        before: Option<(i64, i64)>,
        not_after: i64,
        limit: usize,
        scan: usize,
        mut admit: impl FnMut(ProfileId, Option<GroupId>, &PostKey) -> bool,
    ) -> KeyPage {
        let bound = match before {
            Some(b) if b <= (not_after, i64::MAX) => b,
            _ => (not_after, i64::MAX),
        };
        let map = self.read();
        let lists = map.of(authors, groups);
        // One entry per list: its newest key still to take, and where.
        let mut heap: BinaryHeap<((i64, i64), usize, usize)> = BinaryHeap::new();
        for (i, list) in lists.iter().enumerate() {
            let end = list.end_before(bound);
            if end > 0 {
                heap.push((list.at(end - 1).2.order(), i, end - 1));
            }
        }
        let mut page = KeyPage::default();
        let mut looked = 0;
        while let Some((order, i, at)) = heap.pop() {
            if page.keys.len() >= limit {
                break;
            }
            if looked >= scan {
                page.stopped_at = Some(before_of(order));
                break;
            }
            looked += 1;
            let (author, group, key) = lists[i].at(at);
            if admit(author, group, &key) {
                page.keys.push((author, key));
            }
            if at > 0 {
                heap.push((lists[i].at(at - 1).2.order(), i, at - 1));
            }
        }
        page
    }

    /// Every key of these authors and groups published within
    /// `[since, not_after]` that `admit` accepts, newest first, `limit` at
    /// most.
    pub fn recent(
        &self,
        authors: &[ProfileId],
        groups: &[GroupId],
        since: i64,
        not_after: i64,
        limit: usize,
        mut admit: impl FnMut(ProfileId, Option<GroupId>, &PostKey) -> bool,
    ) -> Vec<(ProfileId, PostKey)> {
        let map = self.read();
        let mut found: Vec<(ProfileId, PostKey)> = Vec::new();
        for list in map.of(authors, groups) {
            let end = list.end_before((not_after, i64::MAX));
            for i in (0..end).rev() {
                let (author, group, key) = list.at(i);
                if key.at < since {
                    break;
                }
                if admit(author, group, &key) {
                    found.push((author, key));
                }
            }
        }
        found.sort_unstable_by_key(|(_, k)| Reverse(k.order()));
        found.truncate(limit);
        found
    }
}

/// The position just after a key, as a strict upper bound: the key itself
/// is the first of the next page. (`order` is still to be looked at.)
fn before_of((at, id): (i64, i64)) -> (i64, i64) {
    match id.checked_add(1) {
        Some(next) => (at, next),
        None => (at.saturating_add(1), i64::MIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(at: i64, id: i64, audience: Audience) -> PostKey {
        PostKey { at, id, audience }
    }

    fn ids(page: &KeyPage) -> Vec<i64> {
        page.keys.iter().map(|(_, k)| k.id).collect()
    }

    fn sample() -> Timelines {
        let t = Timelines::new();
        t.extend([
            (ProfileId(1), None, key(10, 1, Audience::Public)),
            (ProfileId(2), None, key(20, 2, Audience::Contacts)),
            (ProfileId(1), None, key(30, 3, Audience::Members)),
            (ProfileId(3), None, key(25, 4, Audience::Public)),
            // Same instant: the larger id is newer.
            (ProfileId(2), None, key(30, 5, Audience::Public)),
            // Scheduled.
            (ProfileId(1), None, key(100, 6, Audience::Public)),
        ]);
        t
    }

    #[test]
    fn merges_newest_first_and_leaves_scheduled_posts_out() {
        let t = sample();
        let all = [ProfileId(1), ProfileId(2), ProfileId(3)];
        let page = t.page(&all, &[], None, 50, 10, 1000, |_, _, _| true);
        assert_eq!(ids(&page), vec![5, 3, 4, 2, 1]);
        assert_eq!(page.stopped_at, None);
        let later = t.page(&all, &[], None, 100, 10, 1000, |_, _, _| true);
        assert_eq!(ids(&later)[0], 6);
        let some = t.page(
            &[ProfileId(2), ProfileId(9)],
            &[],
            None,
            50,
            10,
            1000,
            |_, _, _| true,
        );
        assert_eq!(ids(&some), vec![5, 2]);
    }

    #[test]
    fn pages_follow_the_cursor_and_admit_filters() {
        let t = sample();
        let all = [ProfileId(1), ProfileId(2), ProfileId(3)];
        let first = t.page(&all, &[], None, 50, 2, 1000, |_, _, _| true);
        assert_eq!(ids(&first), vec![5, 3]);
        let last = first.keys.last().unwrap().1;
        let second = t.page(
            &all,
            &[],
            Some((last.at, last.id)),
            50,
            2,
            1000,
            |_, _, _| true,
        );
        assert_eq!(ids(&second), vec![4, 2]);
        let public = t.page(&all, &[], None, 50, 10, 1000, |_, _, k| {
            k.audience == Audience::Public
        });
        assert_eq!(ids(&public), vec![5, 4, 1]);
        let not_two = t.page(&all, &[], None, 50, 10, 1000, |a, _, _| a != ProfileId(2));
        assert_eq!(ids(&not_two), vec![3, 4, 1]);
    }

    #[test]
    fn a_bounded_walk_says_where_to_go_on() {
        let t = sample();
        let all = [ProfileId(1), ProfileId(2), ProfileId(3)];
        let none = |_: ProfileId, _: Option<GroupId>, k: &PostKey| k.id == 1;
        let first = t.page(&all, &[], None, 50, 10, 2, none);
        assert!(first.keys.is_empty());
        let stopped = first.stopped_at.expect("stopped early");
        let rest = t.page(&all, &[], Some(stopped), 50, 10, 2, none);
        assert!(rest.keys.is_empty());
        let rest = t.page(&all, &[], rest.stopped_at, 50, 10, 2, none);
        assert_eq!(ids(&rest), vec![1]);
        assert_eq!(rest.stopped_at, None);
    }

    #[test]
    fn insert_and_remove_keep_the_order() {
        let t = sample();
        t.insert(ProfileId(3), None, key(27, 7, Audience::Public));
        t.insert(ProfileId(3), None, key(27, 7, Audience::Public));
        t.insert(ProfileId(3), None, key(5, 8, Audience::Public));
        t.remove(ProfileId(1), None, 3);
        t.remove(ProfileId(4), None, 3);
        let all = [ProfileId(1), ProfileId(2), ProfileId(3)];
        let page = t.page(&all, &[], None, 50, 10, 1000, |_, _, _| true);
        assert_eq!(ids(&page), vec![5, 7, 4, 2, 1, 8]);
        assert_eq!(t.len(), (7, 3));
        let recent = t.recent(&all, &[], 20, 50, 3, |_, _, _| true);
        assert_eq!(
            recent.iter().map(|(_, k)| k.id).collect::<Vec<_>>(),
            vec![5, 7, 4]
        );
    }

    #[test]
    fn group_posts_live_in_their_group_list() {
        let t = sample();
        let g = GroupId(9);
        t.insert(ProfileId(4), Some(g), key(40, 10, Audience::OnlyMe));
        t.insert(ProfileId(1), Some(g), key(12, 11, Audience::OnlyMe));
        let all = [ProfileId(1), ProfileId(2), ProfileId(3), ProfileId(4)];
        // Not in the authors' lists...
        let plain = t.page(&all, &[], None, 50, 10, 1000, |_, _, _| true);
        assert_eq!(ids(&plain), vec![5, 3, 4, 2, 1]);
        // ...but merged in with the group's, told their group.
        let mut seen = Vec::new();
        let with = t.page(&all, &[g], None, 50, 10, 1000, |a, group, k| {
            seen.push((a, group, k.id));
            true
        });
        assert_eq!(ids(&with), vec![10, 5, 3, 4, 2, 11, 1]);
        assert!(seen.contains(&(ProfileId(4), Some(g), 10)));
        assert!(seen.contains(&(ProfileId(1), None, 3)));
        let recent = t.recent(&[], &[g], 0, 50, 10, |_, _, _| true);
        assert_eq!(
            recent.iter().map(|(_, k)| k.id).collect::<Vec<_>>(),
            vec![10, 11]
        );
        t.remove(ProfileId(4), Some(g), 10);
        assert_eq!(
            ids(&t.page(&[], &[g], None, 50, 10, 1000, |_, _, _| true)),
            vec![11]
        );
        assert_eq!(t.len(), (7, 4));
    }

    #[test]
    fn nanos_clamps_far_dates() {
        assert_eq!(nanos(OffsetDateTime::UNIX_EPOCH), 0);
        let far = time::macros::datetime!(9999-01-01 0:00 UTC);
        assert_eq!(nanos(far), i64::MAX);
    }

    proptest! {
        /// Walking page by page, through any scan bound and filter, gives
        /// exactly what sorting every admitted key would.
        #[test]
        fn paging_matches_a_sort_of_everything(
            posts in proptest::collection::vec((0i64..6, 0i64..40, 0u8..5), 0..80),
            followed in proptest::collection::vec(0i64..6, 0..6),
            limit in 1usize..7,
            scan in 1usize..20,
            not_after in 0i64..45,
            hidden_author in 0i64..6,
        ) {
            let audiences = Audience::ALL;
            let t = Timelines::new();
            let keys: Vec<(ProfileId, PostKey)> = posts
                .iter()
                .enumerate()
                .map(|(i, (a, at, aud))| {
                    (ProfileId(*a), key(*at, i as i64, audiences[*aud as usize]))
                })
                .collect();
            // Half through the bulk load, half one by one.
            let (bulk, single) = keys.split_at(keys.len() / 2);
            t.extend(bulk.iter().map(|(a, k)| (*a, None, *k)));
            for (a, k) in single {
                t.insert(*a, None, *k);
            }
            let admit = |a: ProfileId, _: Option<GroupId>, k: &PostKey| {
                a.0 != hidden_author && k.audience != Audience::OnlyMe
            };
            let expected: Vec<i64> = keys
                .iter()
                .filter(|(a, k)| followed.contains(&a.0) && k.at <= not_after && admit(*a, None, k))
                .map(|(_, k)| k)
                .collect::<Vec<_>>()
                .into_iter()
                .map(|k| (k.at, k.id))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .rev()
                .map(|(_, id)| id)
                .collect();
            let authors: Vec<ProfileId> = followed.iter().map(|a| ProfileId(*a)).collect();
            let mut got = Vec::new();
            let mut before = None;
            for _ in 0..200 {
                let page = t.page(&authors, &[], before, not_after, limit, scan, admit);
                got.extend(ids(&page));
                before = match (page.keys.len() >= limit, page.stopped_at) {
                    (true, _) => page.keys.last().map(|(_, k)| (k.at, k.id)),
                    (false, Some(s)) => Some(s),
                    (false, None) => break,
                };
            }
            prop_assert_eq!(got, expected);
        }
    }
}
