//! Changes since the last compaction.

use std::sync::Arc;

use crate::hash::IdMapOf;
use crate::ids::IdMap;
use crate::{ExternalId, Member};

/// The members added and the neighbour lists replaced since the last
/// compaction. A touched member's list is held whole (sorted), so reading a
/// neighbour list stays one lookup whether or not the member changed.
#[derive(Clone, Default, Debug)]
pub(crate) struct Overlay {
    /// Full current contact list of each member touched since compaction.
    pub(crate) lists: IdMapOf<Member, Arc<[Member]>>,
    /// Members added since compaction: dense ids `first_new..first_new + len`.
    pub(crate) new_members: IdMap,
    /// Change in directed slots relative to the compacted graph.
    pub(crate) slot_delta: i64,
    /// Slots held by `lists` (their lengths added up).
    pub(crate) held_slots: usize,
}

impl Overlay {
    #[inline]
    pub(crate) fn list(&self, member: Member) -> Option<&[Member]> {
        if self.lists.is_empty() {
            None
        } else {
            self.lists.get(&member).map(|l| &**l)
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lists.is_empty() && self.new_members.is_empty()
    }

    /// Replaces `member`'s list; `previous_len` is the length of the list it
    /// replaces (from the overlay or the compacted graph).
    pub(crate) fn set_list(&mut self, member: Member, list: Vec<Member>, previous_len: usize) {
        self.slot_delta += list.len() as i64 - previous_len as i64;
        self.held_slots += list.len();
        if let Some(old) = self.lists.insert(member, list.into()) {
            self.held_slots -= old.len();
        }
    }

    pub(crate) fn add_member(&mut self, id: ExternalId, member: Member) {
        self.new_members.push(id, member);
    }

    /// Heap bytes held (approximate: counts the lists and map slots).
    pub(crate) fn memory_bytes(&self) -> usize {
        let slot = std::mem::size_of::<(Member, Arc<[Member]>)>() + 1;
        self.held_slots * std::mem::size_of::<Member>()
            + self.lists.len() * 16
            + self.lists.capacity() * slot
            + self.new_members.memory_bytes()
    }
}
