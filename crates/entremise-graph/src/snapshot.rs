//! An immutable view of the graph at one moment: the compacted graph plus the
//! overlay of changes since.

use std::sync::Arc;

use crate::csr::Csr;
use crate::ids::IdMap;
use crate::overlay::Overlay;
use crate::{ExternalId, Member};

/// The compacted part of a snapshot, shared by all snapshots until the next
/// compaction.
#[derive(Debug, Default)]
pub(crate) struct Base {
    pub(crate) csr: Csr,
    pub(crate) ids: IdMap,
}

/// The graph as it was when the snapshot was taken: consistent, immutable and
/// cheap to hold (it shares the compacted graph with the [`ContactGraph`]).
/// Queries (`degree`, `mutual_count`, `introduction_paths`, ...) are methods of
/// the snapshot that take a [`Searcher`] for their scratch space.
///
/// [`ContactGraph`]: crate::ContactGraph
/// [`Searcher`]: crate::Searcher
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub(crate) base: Arc<Base>,
    pub(crate) overlay: Overlay,
}

impl Snapshot {
    pub(crate) fn new(base: Arc<Base>, overlay: Overlay) -> Self {
        Snapshot { base, overlay }
    }

    /// Number of members (dense ids are `0..member_count()`).
    #[inline]
    pub fn member_count(&self) -> usize {
        self.base.ids.len() + self.overlay.new_members.len()
    }

    /// Number of contacts (undirected).
    pub fn contact_count(&self) -> usize {
        ((self.base.csr.slots() as i64 + self.overlay.slot_delta) / 2) as usize
    }

    /// The dense id of the member with external id `id`, if known.
    #[inline]
    pub fn dense(&self, id: ExternalId) -> Option<Member> {
        self.base
            .ids
            .dense(id)
            .or_else(|| self.overlay.new_members.dense(id))
    }

    /// The external id of dense member `member`, if it exists.
    #[inline]
    pub fn external(&self, member: Member) -> Option<ExternalId> {
        let first_new = self.base.ids.len();
        if (member as usize) < first_new {
            self.base.ids.external(member)
        } else {
            self.overlay
                .new_members
                .external(member - first_new as Member)
        }
    }

    /// The contacts of `member`, sorted by dense id (empty for an unknown member).
    #[inline]
    pub fn contacts(&self, member: Member) -> &[Member] {
        match self.overlay.list(member) {
            Some(list) => list,
            None => self.base.csr.neighbours(member),
        }
    }

    /// Number of contacts of `member`.
    #[inline]
    pub fn contact_count_of(&self, member: Member) -> usize {
        self.contacts(member).len()
    }

    /// Whether `a` and `b` are contacts (`O(log min(deg a, deg b))`).
    pub fn are_contacts(&self, a: Member, b: Member) -> bool {
        let (la, lb) = (self.contacts(a), self.contacts(b));
        if la.len() <= lb.len() {
            la.binary_search(&b).is_ok()
        } else {
            lb.binary_search(&a).is_ok()
        }
    }

    /// Heap bytes held by the graph (compacted part, overlay and id mapping),
    /// scratch space of searchers excluded.
    pub fn memory_bytes(&self) -> usize {
        self.base.csr.memory_bytes() + self.base.ids.memory_bytes() + self.overlay.memory_bytes()
    }

    /// Members whose lists are held in the overlay, and members added, since
    /// the last compaction.
    pub fn overlay_len(&self) -> usize {
        self.overlay.touched() + self.overlay.new_members.len()
    }

    // ----- writes, used by `ContactGraph` on a private copy -----

    /// The dense id of `id`, adding the member if unknown.
    pub(crate) fn member_or_add(&mut self, id: ExternalId) -> Member {
        if let Some(m) = self.dense(id) {
            return m;
        }
        let member = self.member_count() as Member;
        self.overlay.add_member(id, member);
        member
    }

    /// Adds the contact; false if it existed or `a == b`.
    pub(crate) fn insert_contact(&mut self, a: Member, b: Member) -> bool {
        if a == b {
            return false;
        }
        let Err(pos_a) = self.contacts(a).binary_search(&b) else {
            return false;
        };
        let pos_b = self.contacts(b).binary_search(&a).unwrap_err();
        self.replace(a, |list| list.insert(pos_a, b));
        self.replace(b, |list| list.insert(pos_b, a));
        true
    }

    /// Removes the contact; false if it did not exist.
    pub(crate) fn delete_contact(&mut self, a: Member, b: Member) -> bool {
        let Ok(pos_a) = self.contacts(a).binary_search(&b) else {
            return false;
        };
        let pos_b = self
            .contacts(b)
            .binary_search(&a)
            .expect("contact lists are symmetric");
        self.replace(a, |list| {
            list.remove(pos_a);
        });
        self.replace(b, |list| {
            list.remove(pos_b);
        });
        true
    }

    fn replace(&mut self, member: Member, edit: impl FnOnce(&mut Vec<Member>)) {
        let old = self.contacts(member);
        let previous_len = old.len();
        let mut list = Vec::with_capacity(previous_len + 1);
        list.extend_from_slice(old);
        edit(&mut list);
        self.overlay.set_list(member, list, previous_len);
    }
}
