//! Where the privacy module learns how two members are connected.
//!
//! [`crate::network::Network`] implements it over the contact graph, so every
//! read path (profiles, "view as", lists, paths) follows contacts and 2nd
//! degree without knowing where they come from.

use crate::ids::ProfileId;
use crate::privacy::GraphRelation;

pub trait RelationSource: Send + Sync + 'static {
    /// How `viewer` (a person) stands to `target` in the contact graph.
    fn graph_relation(&self, viewer: ProfileId, target: ProfileId) -> GraphRelation;
}
