//! Changes since the last compaction.

use std::sync::Arc;

use crate::hash::IdMapOf;
use crate::ids::IdMap;
use crate::{ExternalId, Member};

/// Number of shards of the overlay's lists: a write copies one shard, not the
/// whole overlay.
const SHARDS: usize = 64;

type Shard = IdMapOf<Member, Arc<[Member]>>;

/// The members added and the neighbour lists replaced since the last
/// compaction. A touched member's list is held whole (sorted), so reading a
/// neighbour list stays one lookup whether or not the member changed.
///
/// Snapshots share the overlay's shards; a write copies (`Arc::make_mut`)
/// only the shards it touches, so its cost is `O(overlay / 64 + degree)`.
#[derive(Clone, Debug)]
pub(crate) struct Overlay {
    /// Full current contact list of each member touched since compaction,
    /// sharded by member.
    shards: Vec<Arc<Shard>>,
    /// Members whose lists are held.
    touched: usize,
    /// Members added since compaction: dense ids `first_new..first_new + len`
    /// (shared between snapshots; copied by a write that adds a member).
    pub(crate) new_members: Arc<IdMap>,
    /// Change in directed slots relative to the compacted graph.
    pub(crate) slot_delta: i64,
    /// Slots held by the lists (their lengths added up).
    pub(crate) held_slots: usize,
}

impl Default for Overlay {
    fn default() -> Self {
        Overlay {
            shards: (0..SHARDS).map(|_| Arc::default()).collect(),
            touched: 0,
            new_members: Arc::default(),
            slot_delta: 0,
            held_slots: 0,
        }
    }
}

impl Overlay {
    #[inline]
    pub(crate) fn list(&self, member: Member) -> Option<&[Member]> {
        if self.touched == 0 {
            None
        } else {
            self.shards[member as usize % SHARDS]
                .get(&member)
                .map(|l| &**l)
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.touched == 0 && self.new_members.is_empty()
    }

    /// Members whose lists are held.
    pub(crate) fn touched(&self) -> usize {
        self.touched
    }

    /// Every held list.
    pub(crate) fn lists(&self) -> impl Iterator<Item = (Member, &[Member])> {
        self.shards
            .iter()
            .flat_map(|shard| shard.iter().map(|(&m, l)| (m, &**l)))
    }

    /// Replaces `member`'s list; `previous_len` is the length of the list it
    /// replaces (from the overlay or the compacted graph).
    pub(crate) fn set_list(&mut self, member: Member, list: Vec<Member>, previous_len: usize) {
        self.slot_delta += list.len() as i64 - previous_len as i64;
        self.held_slots += list.len();
        let shard = Arc::make_mut(&mut self.shards[member as usize % SHARDS]);
        match shard.insert(member, list.into()) {
            Some(old) => self.held_slots -= old.len(),
            None => self.touched += 1,
        }
    }

    pub(crate) fn add_member(&mut self, id: ExternalId, member: Member) {
        Arc::make_mut(&mut self.new_members).push(id, member);
    }

    /// Heap bytes held (approximate: counts the lists and map slots).
    pub(crate) fn memory_bytes(&self) -> usize {
        let slot = std::mem::size_of::<(Member, Arc<[Member]>)>() + 1;
        let maps: usize = self.shards.iter().map(|s| s.capacity() * slot).sum();
        self.held_slots * std::mem::size_of::<Member>()
            + self.touched * 16
            + maps
            + self.new_members.memory_bytes()
    }
}
