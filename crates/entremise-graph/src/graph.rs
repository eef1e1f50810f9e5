//! The shared handle: snapshots for readers, one writer at a time, compaction
//! off to the side.

use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;

use crate::csr::Csr;
use crate::ids::IdMap;
use crate::overlay::Overlay;
use crate::snapshot::{Base, Snapshot};
use crate::{ExternalId, Member};

/// The contact graph shared by the whole server (`Send + Sync`; wrap it in an
/// `Arc`).
///
/// * Readers call [`snapshot`](Self::snapshot) (a lock-free `Arc` load) and
///   query the snapshot; a snapshot never changes under them.
/// * Writers ([`add_contact`](Self::add_contact), [`update`](Self::update), ...)
///   are serialised by a mutex; each publishes a new snapshot whose overlay
///   holds the touched members' lists, so the change is visible to the next
///   query. A write costs `O(overlay + degree)`.
/// * [`compact`](Self::compact) folds the overlay into a new compacted graph
///   built from a snapshot, without holding the writer lock while it builds;
///   readers never wait, writers only for the final swap. Call it when
///   [`needs_compaction`](Self::needs_compaction) says so, from a background
///   thread.
pub struct ContactGraph {
    current: ArcSwap<Snapshot>,
    writer: Mutex<()>,
    compaction: Mutex<()>,
}

impl Default for ContactGraph {
    fn default() -> Self {
        Self::from_parts(Csr::default(), IdMap::default())
    }
}

impl std::fmt::Debug for ContactGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let snap = self.snapshot();
        f.debug_struct("ContactGraph")
            .field("members", &snap.member_count())
            .field("contacts", &snap.contact_count())
            .field("overlay_len", &snap.overlay_len())
            .finish()
    }
}

/// Edits gathered by [`ContactGraph::update`] and published at once.
pub struct Update<'a> {
    draft: &'a mut Snapshot,
}

impl Update<'_> {
    /// The dense id of member `id`, adding the member (with no contacts) if unknown.
    pub fn add_member(&mut self, id: ExternalId) -> Member {
        self.draft.member_or_add(id)
    }

    /// Adds a contact between two members (added if unknown); false if they
    /// were already contacts or `a == b`.
    pub fn add_contact(&mut self, a: ExternalId, b: ExternalId) -> bool {
        let a = self.draft.member_or_add(a);
        let b = self.draft.member_or_add(b);
        self.draft.insert_contact(a, b)
    }

    /// Removes a contact; false if there was none.
    pub fn remove_contact(&mut self, a: ExternalId, b: ExternalId) -> bool {
        match (self.draft.dense(a), self.draft.dense(b)) {
            (Some(a), Some(b)) => self.draft.delete_contact(a, b),
            _ => false,
        }
    }

    /// Removes every contact of a member (a closed account); the member keeps
    /// its dense id. Returns how many contacts were removed.
    pub fn remove_all_contacts(&mut self, id: ExternalId) -> usize {
        let Some(member) = self.draft.dense(id) else {
            return 0;
        };
        let contacts = self.draft.contacts(member).to_vec();
        for &other in &contacts {
            self.draft.delete_contact(member, other);
        }
        contacts.len()
    }

    /// The graph as edited so far.
    pub fn snapshot(&self) -> &Snapshot {
        self.draft
    }
}

impl ContactGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn from_parts(csr: Csr, ids: IdMap) -> Self {
        let base = Arc::new(Base { csr, ids });
        ContactGraph {
            current: ArcSwap::from_pointee(Snapshot::new(base, Overlay::default())),
            writer: Mutex::new(()),
            compaction: Mutex::new(()),
        }
    }

    /// The graph as it is now. Cheap (an atomic `Arc` load); hold it for the
    /// duration of a request, not forever (it pins memory across compactions).
    #[inline]
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Applies several edits and publishes them together (one copy of the
    /// overlay instead of one per edit). Returns what `edit` returns.
    pub fn update<R>(&self, edit: impl FnOnce(&mut Update<'_>) -> R) -> R {
        let _writer = lock(&self.writer);
        let mut draft = Snapshot::clone(&self.current.load());
        let result = edit(&mut Update { draft: &mut draft });
        self.current.store(Arc::new(draft));
        result
    }

    /// The dense id of member `id`, adding the member (with no contacts) if unknown.
    pub fn add_member(&self, id: ExternalId) -> Member {
        if let Some(member) = self.current.load().dense(id) {
            return member;
        }
        self.update(|u| u.add_member(id))
    }

    /// Adds a contact (adding unknown members); false if it existed or `a == b`.
    pub fn add_contact(&self, a: ExternalId, b: ExternalId) -> bool {
        self.update(|u| u.add_contact(a, b))
    }

    /// Removes a contact; false if there was none.
    pub fn remove_contact(&self, a: ExternalId, b: ExternalId) -> bool {
        self.update(|u| u.remove_contact(a, b))
    }

    /// Removes every contact of a member; returns how many.
    pub fn remove_all_contacts(&self, id: ExternalId) -> usize {
        self.update(|u| u.remove_all_contacts(id))
    }

    /// Whether the overlay has grown enough that writes (which copy it) and
    /// memory would gain from [`compact`](Self::compact): more than
    /// `max(1024, members / 64)` touched members, or more held slots than
    /// 1/16 of the compacted graph's.
    pub fn needs_compaction(&self) -> bool {
        let snap = self.current.load();
        let touched = snap.overlay_len();
        touched > 1024.max(snap.member_count() / 64)
            || snap.overlay.held_slots > 1024.max(snap.base.csr.slots() / 16)
    }

    /// Folds the overlay into a new compacted graph and swaps it in. Readers
    /// are never blocked; the build (`O(members + contacts)`) runs outside the
    /// writer lock, and edits made meanwhile are carried over. Dense ids do not
    /// change. Concurrent calls run one after the other.
    pub fn compact(&self) {
        let _compaction = lock(&self.compaction);
        let frozen = self.current.load_full();
        if frozen.overlay.is_empty() {
            return;
        }
        let members = frozen.member_count();
        let csr = Csr::from_sorted_lists(members, |v| frozen.contacts(v))
            .expect("a compaction does not add slots");
        let mut externals = Vec::with_capacity(members);
        externals.extend_from_slice(frozen.base.ids.externals());
        externals.extend_from_slice(frozen.overlay.new_members.externals());
        let base = Arc::new(Base {
            csr,
            ids: IdMap::from_external(externals),
        });
        drop(frozen);

        let _writer = lock(&self.writer);
        let current = self.current.load_full();
        // Carry over what changed since `frozen`: lists that differ from the
        // new compacted graph, and members added after it was taken.
        let mut overlay = Overlay::default();
        for (member, list) in current.overlay.lists() {
            let compacted = base.csr.neighbours(member);
            if list != compacted {
                overlay.set_list(member, list.to_vec(), compacted.len());
            }
        }
        for member in members..current.member_count() {
            let member = member as Member;
            let id = current.external(member).expect("member exists");
            overlay.add_member(id, member);
        }
        self.current.store(Arc::new(Snapshot::new(base, overlay)));
    }
}

/// Locks a mutex guarding no data: a panic in another holder leaves nothing
/// inconsistent, so poisoning is ignored.
fn lock(mutex: &Mutex<()>) -> MutexGuard<'_, ()> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn handle_and_snapshot_are_send_and_sync() {
        assert_send_sync::<ContactGraph>();
        assert_send_sync::<Snapshot>();
    }

    #[test]
    fn writes_are_visible_and_survive_compaction() {
        let graph = ContactGraph::new();
        assert!(graph.add_contact(1, 2));
        assert!(!graph.add_contact(2, 1));
        assert!(graph.add_contact(2, 3));
        let lonely = graph.add_member(99);
        let before = graph.snapshot();
        graph.compact();
        assert!(graph.remove_contact(1, 2));
        assert!(!graph.remove_contact(1, 2));
        let snap = graph.snapshot();
        assert_eq!(snap.contact_count(), 1);
        assert_eq!(before.contact_count(), 2, "an old snapshot does not change");
        assert_eq!(snap.dense(99), Some(lonely));
        assert_eq!(snap.external(lonely), Some(99));
        let two = snap.dense(2).unwrap();
        assert_eq!(snap.contacts(two), &[snap.dense(3).unwrap()]);
        graph.compact();
        let snap = graph.snapshot();
        assert_eq!(snap.overlay_len(), 0);
        assert_eq!(snap.contact_count(), 1);
        assert_eq!(graph.remove_all_contacts(2), 1);
        assert_eq!(graph.snapshot().contact_count(), 0);
    }
}
