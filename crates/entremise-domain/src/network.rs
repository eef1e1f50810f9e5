//! The contact network in memory: the graph engine, plus what the domain
//! needs next to it to answer fast (blocks, who relays introductions).
//!
//! Loaded from the store at start, then kept in step by the network
//! projection, which applies every committed change event (contacts,
//! blocks, members, their cards) before a writing request answers, so the
//! next query sees it. It is the domain's
//! [`RelationSource`]: the privacy module learns contact and 2nd degree
//! from it.

use crate::group::{GroupKind, Membership, Standing};
use crate::ids::{GroupId, ProfileId};
use crate::privacy::GraphRelation;
use crate::relations::RelationSource;
use entremise_graph::{ContactGraph, GraphBuilder, Member, Snapshot, with_searcher};
use std::collections::HashSet;
use std::sync::{Arc, RwLock};

/// What the network keeps of each person to answer path questions without
/// reading the store: how to show him, and who may see his contact list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCard {
    pub handle: Box<str>,
    pub name: Box<str>,
    pub contact_list: crate::privacy::ContactListAudience,
}

/// What the network keeps of each group: its kind, and how to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCard {
    pub kind: GroupKind,
    pub handle: Box<str>,
    pub name: Box<str>,
}

/// The card of a stored group.
pub fn group_card_of(g: &crate::group::Group) -> GroupCard {
    GroupCard {
        kind: g.kind,
        handle: g.handle.as_str().into(),
        name: g.name.as_str().into(),
    }
}

/// The contact graph with blocks and relay refusals.
pub struct Network {
    graph: Arc<ContactGraph>,
    /// Whether a compaction is under way (at most one is started).
    compacting: Arc<std::sync::atomic::AtomicBool>,
    cards: RwLock<std::collections::HashMap<i64, MemberCard>>,
    /// Blocks as (blocker, blocked): a block hides both ways, and each of two
    /// members who block each other lifts only his own.
    blocks: RwLock<HashSet<(i64, i64)>>,
    /// Members who do not relay introductions.
    no_relay: RwLock<HashSet<i64>>,
    /// Every group's kind and every profile's memberships.
    groups: RwLock<GroupBook>,
    /// Mutes, muted words and sanctions.
    moderation: RwLock<ModerationBook>,
}

/// What moderation leaves in memory for the lens: who muted whom, each
/// member's muted words, and the sanctions in force.
#[derive(Debug, Default, Clone)]
struct ModerationBook {
    /// muter -> muted members.
    mutes: std::collections::HashMap<i64, HashSet<i64>>,
    words: std::collections::HashMap<i64, Arc<Vec<String>>>,
    sanctions: std::collections::HashMap<i64, crate::moderation::Sanction>,
}

/// Groups in memory: what the lens needs to decide a group audience, a
/// secret group's visibility and "fellow group member" without the store.
#[derive(Debug, Default, Clone)]
struct GroupBook {
    cards: std::collections::HashMap<i64, GroupCard>,
    /// Each profile's memberships, sorted by group.
    by_member: std::collections::HashMap<i64, Vec<(GroupId, Membership)>>,
    /// (member, group) whose posts stay out of the member's home feed.
    muted: HashSet<(i64, GroupId)>,
}

impl GroupBook {
    fn set(&mut self, group: GroupId, member: ProfileId, membership: Option<Membership>) {
        let list = self.by_member.entry(member.0).or_default();
        let at = list.binary_search_by_key(&group, |(g, _)| *g);
        match (at, membership) {
            (Ok(i), Some(m)) => list[i].1 = m,
            (Err(i), Some(m)) => list.insert(i, (group, m)),
            (Ok(i), None) => {
                list.remove(i);
                self.muted.remove(&(member.0, group));
            }
            (Err(_), None) => {}
        }
        if list.is_empty() {
            self.by_member.remove(&member.0);
        }
    }
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.graph.snapshot();
        f.debug_struct("Network")
            .field("members", &s.member_count())
            .field("contacts", &s.contact_count())
            .finish()
    }
}

/// The card of a stored person.
pub fn card_of(p: &crate::profile::Profile) -> MemberCard {
    MemberCard {
        handle: p.handle.as_str().into(),
        name: p.fields.name.as_str().into(),
        contact_list: p.settings.contact_list,
    }
}

fn ext(p: ProfileId) -> u64 {
    p.0 as u64
}

/// What a [`Network`] holds, comparable (see [`Network::state`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkState {
    pub members: Vec<i64>,
    pub contacts: Vec<(i64, i64)>,
    pub blocks: Vec<(i64, i64)>,
    pub no_relay: Vec<i64>,
    pub cards: Vec<(i64, MemberCard)>,
    pub groups: Vec<(i64, GroupCard)>,
    pub memberships: Vec<(i64, GroupId, Membership)>,
    pub muted_groups: Vec<(i64, GroupId)>,
    pub mutes: Vec<(i64, i64)>,
    pub muted_words: Vec<(i64, Vec<String>)>,
    pub sanctions: Vec<(i64, crate::moderation::Sanction)>,
}

/// Builds a [`Network`] from what the store holds.
#[derive(Default)]
pub struct NetworkBuilder {
    graph: GraphBuilder,
    cards: std::collections::HashMap<i64, MemberCard>,
    blocks: HashSet<(i64, i64)>,
    no_relay: HashSet<i64>,
    groups: GroupBook,
    moderation: ModerationBook,
}

impl NetworkBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_member(&mut self, id: ProfileId, relays: bool, card: MemberCard) {
        self.graph.add_member(ext(id));
        self.cards.insert(id.0, card);
        if !relays {
            self.no_relay.insert(id.0);
        }
    }

    pub fn add_contact(&mut self, a: ProfileId, b: ProfileId) {
        self.graph.add_contact(ext(a), ext(b));
    }

    pub fn add_block(&mut self, blocker: ProfileId, blocked: ProfileId) {
        self.blocks.insert((blocker.0, blocked.0));
    }

    pub fn add_group(&mut self, group: GroupId, card: GroupCard) {
        self.groups.cards.insert(group.0, card);
    }

    pub fn add_membership(&mut self, group: GroupId, member: ProfileId, membership: Membership) {
        self.groups.set(group, member, Some(membership));
    }

    pub fn mute_group(&mut self, member: ProfileId, group: GroupId) {
        self.groups.muted.insert((member.0, group));
    }

    pub fn add_mute(&mut self, muter: ProfileId, muted: ProfileId) {
        self.moderation
            .mutes
            .entry(muter.0)
            .or_default()
            .insert(muted.0);
    }

    pub fn set_muted_words(&mut self, member: ProfileId, words: Vec<String>) {
        if !words.is_empty() {
            self.moderation.words.insert(member.0, Arc::new(words));
        }
    }

    pub fn add_sanction(&mut self, member: ProfileId, sanction: crate::moderation::Sanction) {
        if !sanction.is_none() {
            self.moderation.sanctions.insert(member.0, sanction);
        }
    }

    pub fn build(self) -> Result<Network, crate::Error> {
        let graph = self
            .graph
            .build()
            .map_err(|e| crate::Error::internal(format!("building the contact graph: {e}")))?;
        Ok(Network {
            graph: Arc::new(graph),
            compacting: Arc::default(),
            cards: RwLock::new(self.cards),
            blocks: RwLock::new(self.blocks),
            no_relay: RwLock::new(self.no_relay),
            groups: RwLock::new(self.groups),
            moderation: RwLock::new(self.moderation),
        })
    }
}

impl Network {
    /// A network without contacts (tests, a new instance).
    pub fn empty() -> Self {
        Self {
            graph: Arc::new(ContactGraph::new()),
            compacting: Arc::default(),
            cards: RwLock::new(std::collections::HashMap::new()),
            blocks: RwLock::new(HashSet::new()),
            no_relay: RwLock::new(HashSet::new()),
            groups: RwLock::default(),
            moderation: RwLock::default(),
        }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.graph.snapshot()
    }

    pub fn member_count(&self) -> usize {
        self.graph.snapshot().member_count()
    }

    pub fn contact_count(&self) -> usize {
        self.graph.snapshot().contact_count()
    }

    pub fn add_member(&self, id: ProfileId, card: MemberCard) {
        self.graph.add_member(ext(id));
        self.set_card(id, card);
    }

    /// Records how a person is shown and who sees his contact list.
    pub fn set_card(&self, id: ProfileId, card: MemberCard) {
        self.cards
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.0, card);
    }

    pub fn card(&self, id: ProfileId) -> Option<MemberCard> {
        self.cards
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id.0)
            .cloned()
    }

    /// Who may see a person's contact list, without copying his card.
    pub fn contact_list_of(&self, id: ProfileId) -> Option<crate::privacy::ContactListAudience> {
        self.cards
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id.0)
            .map(|c| c.contact_list)
    }

    pub fn add_contact(&self, a: ProfileId, b: ProfileId) {
        self.graph.add_contact(ext(a), ext(b));
        self.compact_if_needed();
    }

    pub fn remove_contact(&self, a: ProfileId, b: ProfileId) {
        self.graph.remove_contact(ext(a), ext(b));
        self.compact_if_needed();
    }

    /// Folds the overlay of recent changes into the compact graph once it
    /// has grown enough: on a blocking thread when an async runtime runs
    /// (on a large network a compaction takes a while, and must not hold
    /// an async worker, nor the request that happened to trigger it);
    /// readers keep their snapshots meanwhile.
    fn compact_if_needed(&self) {
        use std::sync::atomic::Ordering;
        if !self.graph.needs_compaction() || self.compacting.swap(true, Ordering::AcqRel) {
            return;
        }
        /// Lets the next compaction start when this one ends, even by a panic.
        struct Done(Arc<std::sync::atomic::AtomicBool>);
        impl Drop for Done {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        let graph = self.graph.clone();
        let done = Done(self.compacting.clone());
        let job = move || {
            let _done = done;
            graph.compact();
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(job)),
            Err(_) => job(),
        }
    }

    pub fn block(&self, blocker: ProfileId, blocked: ProfileId) {
        self.blocks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert((blocker.0, blocked.0));
        self.remove_contact(blocker, blocked);
    }

    /// Lifts `blocker`'s block; one the other member set stays.
    pub fn unblock(&self, blocker: ProfileId, blocked: ProfileId) {
        self.blocks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(blocker.0, blocked.0));
    }

    /// Whether a block separates the two, either way.
    pub fn is_blocked(&self, a: ProfileId, b: ProfileId) -> bool {
        let blocks = self.blocks.read().unwrap_or_else(|e| e.into_inner());
        blocks.contains(&(a.0, b.0)) || blocks.contains(&(b.0, a.0))
    }

    /// Every member a block separates from `id`, either way.
    pub fn blocked_with(&self, id: ProfileId) -> HashSet<i64> {
        self.blocks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter_map(|&(a, b)| {
                if a == id.0 {
                    Some(b)
                } else if b == id.0 {
                    Some(a)
                } else {
                    None
                }
            })
            .collect()
    }

    /// Mutes (`on`) or unmutes `muted` for `muter`.
    pub fn set_mute(&self, muter: ProfileId, muted: ProfileId, on: bool) {
        let mut book = self.moderation.write().unwrap_or_else(|e| e.into_inner());
        if on {
            book.mutes.entry(muter.0).or_default().insert(muted.0);
        } else if let Some(set) = book.mutes.get_mut(&muter.0) {
            set.remove(&muted.0);
            if set.is_empty() {
                book.mutes.remove(&muter.0);
            }
        }
    }

    /// Whether `muter` muted `muted`.
    pub fn mutes(&self, muter: ProfileId, muted: ProfileId) -> bool {
        self.moderation
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .mutes
            .get(&muter.0)
            .is_some_and(|set| set.contains(&muted.0))
    }

    /// Whether `muter` muted anyone.
    pub fn mutes_anyone(&self, muter: ProfileId) -> bool {
        self.moderation
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .mutes
            .contains_key(&muter.0)
    }

    pub fn set_muted_words(&self, member: ProfileId, words: Vec<String>) {
        let mut book = self.moderation.write().unwrap_or_else(|e| e.into_inner());
        if words.is_empty() {
            book.words.remove(&member.0);
        } else {
            book.words.insert(member.0, Arc::new(words));
        }
    }

    /// A member's muted words (empty when none).
    pub fn muted_words(&self, member: ProfileId) -> Option<Arc<Vec<String>>> {
        self.moderation
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .words
            .get(&member.0)
            .cloned()
    }

    pub fn set_sanction(&self, member: ProfileId, sanction: crate::moderation::Sanction) {
        let mut book = self.moderation.write().unwrap_or_else(|e| e.into_inner());
        if sanction.is_none() {
            book.sanctions.remove(&member.0);
        } else {
            book.sanctions.insert(member.0, sanction);
        }
    }

    /// The sanctions weighing on a member.
    pub fn sanction(&self, member: ProfileId) -> crate::moderation::Sanction {
        self.moderation
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .sanctions
            .get(&member.0)
            .copied()
            .unwrap_or_default()
    }

    /// The members suspended at `now`; with `pending`, the sign-ups
    /// waiting for approval too (they are out of sight the same way, but
    /// have nothing to leave out of a list or a counter).
    pub fn suspended(&self, now: time::OffsetDateTime, pending: bool) -> Vec<i64> {
        self.moderation
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .sanctions
            .iter()
            .filter(|(_, s)| s.suspended(now) && (pending || !s.is_pending()))
            .map(|(m, _)| *m)
            .collect()
    }

    pub fn set_relays(&self, id: ProfileId, relays: bool) {
        let mut set = self.no_relay.write().unwrap_or_else(|e| e.into_inner());
        if relays {
            set.remove(&id.0);
        } else {
            set.insert(id.0);
        }
    }

    pub fn relays(&self, id: ProfileId) -> bool {
        !self
            .no_relay
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&id.0)
    }

    /// Everything the network holds, in a canonical order, to compare it
    /// with one loaded afresh from the store (tests of the projection).
    pub fn state(&self) -> NetworkState {
        let s = self.graph.snapshot();
        let mut contacts = Vec::new();
        let mut members = Vec::new();
        for dense in 0..s.member_count() {
            let m = dense as Member;
            let Some(a) = s.external(m) else { continue };
            members.push(a as i64);
            for &c in s.contacts(m) {
                if let Some(b) = s.external(c)
                    && a < b
                {
                    contacts.push((a as i64, b as i64));
                }
            }
        }
        members.sort_unstable();
        contacts.sort_unstable();
        let mut blocks: Vec<_> = self
            .blocks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied()
            .collect();
        blocks.sort_unstable();
        let mut no_relay: Vec<_> = self
            .no_relay
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied()
            .collect();
        no_relay.sort_unstable();
        let mut cards: Vec<_> = self
            .cards
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(id, c)| (*id, c.clone()))
            .collect();
        cards.sort_by_key(|(id, _)| *id);
        let book = self
            .groups
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut groups: Vec<_> = book.cards.into_iter().collect();
        groups.sort_unstable_by_key(|(g, _)| *g);
        let mut memberships: Vec<_> = book
            .by_member
            .into_iter()
            .flat_map(|(m, list)| list.into_iter().map(move |(g, x)| (m, g, x)))
            .collect();
        memberships.sort_unstable_by_key(|(m, g, _)| (*m, *g));
        let mut muted_groups: Vec<_> = book.muted.into_iter().collect();
        muted_groups.sort_unstable();
        let moderation = self
            .moderation
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut mutes: Vec<_> = moderation
            .mutes
            .into_iter()
            .flat_map(|(a, set)| set.into_iter().map(move |b| (a, b)))
            .collect();
        mutes.sort_unstable();
        let mut muted_words: Vec<_> = moderation
            .words
            .into_iter()
            .map(|(m, w)| (m, w.as_ref().clone()))
            .collect();
        muted_words.sort_unstable();
        let mut sanctions: Vec<_> = moderation.sanctions.into_iter().collect();
        sanctions.sort_unstable_by_key(|(m, _)| *m);
        NetworkState {
            mutes,
            muted_words,
            sanctions,
            members,
            contacts,
            blocks,
            no_relay,
            cards,
            groups,
            memberships,
            muted_groups,
        }
    }

    /// Records a group's card (`None`: the group is gone, with its
    /// memberships).
    pub fn set_group(&self, group: GroupId, card: Option<GroupCard>) {
        let mut book = self.groups.write().unwrap_or_else(|e| e.into_inner());
        match card {
            Some(c) => {
                book.cards.insert(group.0, c);
            }
            None => {
                book.cards.remove(&group.0);
                for list in book.by_member.values_mut() {
                    list.retain(|(g, _)| *g != group);
                }
                book.by_member.retain(|_, l| !l.is_empty());
                book.muted.retain(|(_, g)| *g != group);
            }
        }
    }

    pub fn group_kind(&self, group: GroupId) -> Option<GroupKind> {
        self.groups
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .cards
            .get(&group.0)
            .map(|c| c.kind)
    }

    /// How a group is shown (whoever may see it: ask the lens first).
    pub fn group_card(&self, group: GroupId) -> Option<GroupCard> {
        self.groups
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .cards
            .get(&group.0)
            .cloned()
    }

    /// Sets (or ends, with `None`) a profile's membership of a group.
    pub fn set_membership(
        &self,
        group: GroupId,
        member: ProfileId,
        membership: Option<Membership>,
    ) {
        self.groups
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .set(group, member, membership);
    }

    pub fn membership(&self, group: GroupId, member: ProfileId) -> Option<Membership> {
        let book = self.groups.read().unwrap_or_else(|e| e.into_inner());
        let list = book.by_member.get(&member.0)?;
        list.binary_search_by_key(&group, |(g, _)| *g)
            .ok()
            .map(|i| list[i].1)
    }

    /// A profile's memberships (any standing), by group.
    pub fn memberships_of(&self, member: ProfileId) -> Vec<(GroupId, Membership)> {
        self.groups
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_member
            .get(&member.0)
            .cloned()
            .unwrap_or_default()
    }

    /// Keeps a group's posts out of a member's home feed, or lets them in.
    pub fn set_group_muted(&self, member: ProfileId, group: GroupId, muted: bool) {
        let mut book = self.groups.write().unwrap_or_else(|e| e.into_inner());
        if muted {
            book.muted.insert((member.0, group));
        } else {
            book.muted.remove(&(member.0, group));
        }
    }

    /// The groups a member is in whose posts come into his home feed.
    pub fn feed_groups(&self, member: ProfileId) -> Vec<GroupId> {
        let book = self.groups.read().unwrap_or_else(|e| e.into_inner());
        book.by_member
            .get(&member.0)
            .map(|list| {
                list.iter()
                    .filter(|(g, m)| {
                        m.standing == Standing::Member && !book.muted.contains(&(member.0, *g))
                    })
                    .map(|(g, _)| *g)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `a` and `b` are both members of some group.
    pub fn fellow_members(&self, a: ProfileId, b: ProfileId) -> bool {
        let book = self.groups.read().unwrap_or_else(|e| e.into_inner());
        let (Some(x), Some(y)) = (book.by_member.get(&a.0), book.by_member.get(&b.0)) else {
            return false;
        };
        let member = |m: &Membership| m.standing == Standing::Member;
        x.iter().filter(|(_, m)| member(m)).any(|(g, _)| {
            y.binary_search_by_key(g, |(h, _)| *h)
                .is_ok_and(|i| member(&y[i].1))
        })
    }

    /// How many groups `a` and `b` are both members of.
    pub fn shared_groups(&self, a: ProfileId, b: ProfileId) -> usize {
        let book = self.groups.read().unwrap_or_else(|e| e.into_inner());
        let (Some(x), Some(y)) = (book.by_member.get(&a.0), book.by_member.get(&b.0)) else {
            return 0;
        };
        let member = |m: &Membership| m.standing == Standing::Member;
        x.iter()
            .filter(|(g, m)| {
                member(m)
                    && y.binary_search_by_key(g, |(h, _)| *h)
                        .is_ok_and(|i| member(&y[i].1))
            })
            .count()
    }

    pub fn are_contacts(&self, a: ProfileId, b: ProfileId) -> bool {
        let s = self.graph.snapshot();
        match (s.dense(ext(a)), s.dense(ext(b))) {
            (Some(x), Some(y)) => s.are_contacts(x, y),
            _ => false,
        }
    }

    /// Runs `f` over the current snapshot with a filter that keeps out of
    /// every traversal the members blocked with `a` or `b`. The filter
    /// resolves dense ids back to profile ids.
    /// [`Self::with_view`] on a blocking thread: path searches and
    /// suggestions may walk millions of edges, which must not hold an async
    /// worker.
    pub async fn with_view_off_workers<R: Send + 'static>(
        self: &Arc<Self>,
        a: ProfileId,
        b: ProfileId,
        f: impl FnOnce(&GraphView<'_>) -> R + Send + 'static,
    ) -> crate::error::Result<R> {
        let network = self.clone();
        crate::service::blocking(move || network.with_view(a, b, f)).await
    }

    pub fn with_view<R>(
        &self,
        a: ProfileId,
        b: ProfileId,
        f: impl FnOnce(&GraphView<'_>) -> R,
    ) -> R {
        let snapshot = self.graph.snapshot();
        let blocks = self.blocks.read().unwrap_or_else(|e| e.into_inner());
        let no_relay = self.no_relay.read().unwrap_or_else(|e| e.into_inner());
        let view = GraphView {
            snapshot: &snapshot,
            blocks: &blocks,
            no_relay: &no_relay,
            ends: (a, b),
        };
        f(&view)
    }
}

/// One query's view of the network: a snapshot and the filters of its two ends.
pub struct GraphView<'a> {
    pub snapshot: &'a Snapshot,
    blocks: &'a HashSet<(i64, i64)>,
    no_relay: &'a HashSet<i64>,
    ends: (ProfileId, ProfileId),
}

impl GraphView<'_> {
    pub fn dense(&self, id: ProfileId) -> Option<Member> {
        self.snapshot.dense(ext(id))
    }

    pub fn profile(&self, m: Member) -> ProfileId {
        ProfileId(self.snapshot.external(m).map_or(0, |e| e as i64))
    }

    /// Whether `m` may be traversed: blocked with neither end.
    pub fn traversable(&self, m: Member) -> bool {
        if self.blocks.is_empty() {
            return true;
        }
        let p = self.profile(m).0;
        let (a, b) = (self.ends.0.0, self.ends.1.0);
        let blocked =
            |x: i64, y: i64| self.blocks.contains(&(x, y)) || self.blocks.contains(&(y, x));
        !blocked(p, a) && !blocked(p, b)
    }

    /// Whether `m` may carry an introduction between the two ends.
    pub fn relays(&self, m: Member) -> bool {
        self.traversable(m)
            && (self.no_relay.is_empty() || !self.no_relay.contains(&self.profile(m).0))
    }
}

impl RelationSource for Network {
    fn graph_relation(&self, viewer: ProfileId, target: ProfileId) -> GraphRelation {
        self.with_view(viewer, target, |v| {
            let (Some(a), Some(b)) = (v.dense(viewer), v.dense(target)) else {
                return GraphRelation::Farther;
            };
            if v.snapshot.are_contacts(a, b) {
                GraphRelation::Contact
            } else if v.snapshot.mutual_count(a, b, |m| v.traversable(m)) > 0 {
                GraphRelation::SecondDegree
            } else {
                GraphRelation::Farther
            }
        })
    }
}

/// Degree of separation (1, 2, 3) between two members, `None` beyond.
pub fn degree(view: &GraphView<'_>, a: ProfileId, b: ProfileId) -> Option<u32> {
    let (Some(x), Some(y)) = (view.dense(a), view.dense(b)) else {
        return None;
    };
    with_searcher(|s| view.snapshot.degree(s, x, y, |m| view.traversable(m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(edges: &[(i64, i64)]) -> Network {
        let mut b = NetworkBuilder::new();
        for (x, y) in edges {
            b.add_contact(ProfileId(*x), ProfileId(*y));
        }
        let card = MemberCard {
            handle: "x".into(),
            name: "X".into(),
            contact_list: Default::default(),
        };
        b.add_member(ProfileId(99), true, card);
        b.build().unwrap()
    }

    #[test]
    fn relations_follow_the_graph_and_blocks() {
        let n = net(&[(1, 2), (2, 3), (3, 4)]);
        let p = ProfileId;
        assert_eq!(n.graph_relation(p(1), p(2)), GraphRelation::Contact);
        assert_eq!(n.graph_relation(p(1), p(3)), GraphRelation::SecondDegree);
        assert_eq!(n.graph_relation(p(1), p(4)), GraphRelation::Farther);
        assert_eq!(n.graph_relation(p(1), p(99)), GraphRelation::Farther);
        assert_eq!(n.graph_relation(p(1), p(12345)), GraphRelation::Farther);
        // 2 blocks 3: 1 no longer reaches 3 through 2.
        n.block(p(2), p(3));
        assert_eq!(n.graph_relation(p(1), p(3)), GraphRelation::Farther);
        assert!(!n.are_contacts(p(2), p(3)));
        n.add_contact(p(1), p(4));
        assert_eq!(n.graph_relation(p(4), p(1)), GraphRelation::Contact);
        n.with_view(p(1), p(4), |v| assert_eq!(degree(v, p(1), p(4)), Some(1)));
    }
}
