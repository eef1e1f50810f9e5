//! Where the privacy module learns how two members are connected.
//!
//! The foundation knows no contacts yet: [`NoContacts`] answers "farther"
//! for everyone. The contact graph engine implements the same trait, so
//! every read path follows contacts and 2nd degree without change.

use crate::ids::ProfileId;
use crate::privacy::GraphRelation;

pub trait RelationSource: Send + Sync + 'static {
    /// How `viewer` (a person) stands to `target` in the contact graph.
    fn graph_relation(&self, viewer: ProfileId, target: ProfileId) -> GraphRelation;
}

/// The relation source of an instance without contacts.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoContacts;

impl RelationSource for NoContacts {
    fn graph_relation(&self, _viewer: ProfileId, _target: ProfileId) -> GraphRelation {
        GraphRelation::Farther
    }
}
