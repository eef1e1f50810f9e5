//! The mapping between external member ids and dense ids.

use crate::hash::IdMapOf;
use crate::{ExternalId, Member};

/// External ids of members `0..len`, and the reverse lookup.
#[derive(Clone, Default, Debug)]
pub(crate) struct IdMap {
    external: Vec<ExternalId>,
    dense: IdMapOf<ExternalId, Member>,
}

impl IdMap {
    /// A map from the external ids of dense members `0..external.len()`, in order.
    /// The ids must be distinct.
    pub(crate) fn from_external(external: Vec<ExternalId>) -> Self {
        let mut dense = IdMapOf::with_capacity_and_hasher(external.len(), Default::default());
        for (i, &e) in external.iter().enumerate() {
            dense.insert(e, i as Member);
        }
        debug_assert_eq!(dense.len(), external.len(), "external ids must be distinct");
        IdMap { external, dense }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.external.len()
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.external.is_empty()
    }

    #[inline]
    pub(crate) fn dense(&self, id: ExternalId) -> Option<Member> {
        self.dense.get(&id).copied()
    }

    #[inline]
    pub(crate) fn external(&self, member: Member) -> Option<ExternalId> {
        self.external.get(member as usize).copied()
    }

    /// Appends a member that is not yet mapped; its dense id is `first + len`
    /// where `first` is the dense id of this map's first member.
    pub(crate) fn push(&mut self, id: ExternalId, member: Member) {
        self.external.push(id);
        self.dense.insert(id, member);
    }

    pub(crate) fn externals(&self) -> &[ExternalId] {
        &self.external
    }

    /// Heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        // hashbrown stores (key, value) slots plus one control byte per bucket.
        let slot = std::mem::size_of::<(ExternalId, Member)>() + 1;
        self.external.capacity() * std::mem::size_of::<ExternalId>() + self.dense.capacity() * slot
    }
}
