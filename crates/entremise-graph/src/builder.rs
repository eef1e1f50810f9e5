//! Bulk loading: collect contacts by external id, then build the compact graph.

use std::fmt;

use crate::csr::Csr;
use crate::graph::ContactGraph;
use crate::ids::IdMap;
use crate::{ExternalId, Member};

/// Why a graph could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// More directed slots than `u32` offsets can address.
    TooManyContacts {
        /// Directed slots needed (twice the contacts).
        slots: u64,
    },
    /// More members than `u32` dense ids can number.
    TooManyMembers {
        /// Distinct members seen.
        members: u64,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::TooManyContacts { slots } => write!(
                f,
                "{slots} directed contact slots exceed the engine's limit of {}",
                u32::MAX
            ),
            BuildError::TooManyMembers { members } => write!(
                f,
                "{members} members exceed the engine's limit of {}",
                u32::MAX - 1
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// External ids of dense members `0..n`, and the contacts in dense ids.
type DenseContacts = (Vec<ExternalId>, Vec<(Member, Member)>);

/// Collects members and contacts by external id, then builds a [`ContactGraph`]
/// in one pass (`O(members + contacts)` plus a sort of the ids when they are
/// sparse). Dense ids are given in increasing order of external id.
#[derive(Default, Debug)]
pub struct GraphBuilder {
    contacts: Vec<(ExternalId, ExternalId)>,
    members: Vec<ExternalId>,
    /// Largest id declared, if any.
    max_id: Option<ExternalId>,
}

impl GraphBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty builder with room for `contacts` contacts.
    pub fn with_capacity(contacts: usize) -> Self {
        GraphBuilder {
            contacts: Vec::with_capacity(contacts),
            members: Vec::new(),
            max_id: None,
        }
    }

    /// Declares a member, who may have no contacts.
    pub fn add_member(&mut self, id: ExternalId) {
        self.members.push(id);
        self.max_id = self.max_id.max(Some(id));
    }

    /// Declares a contact between two members (declaring them too). Order,
    /// duplicates and self-contacts do not matter: the latter two are dropped.
    #[inline]
    pub fn add_contact(&mut self, a: ExternalId, b: ExternalId) {
        self.contacts.push((a, b));
        self.max_id = self.max_id.max(Some(a.max(b)));
    }

    /// Contacts declared so far, duplicates included.
    pub fn contacts_declared(&self) -> usize {
        self.contacts.len()
    }

    /// Builds the graph.
    pub fn build(self) -> Result<ContactGraph, BuildError> {
        let (ids, contacts) = self.into_dense()?;
        let csr = Csr::from_contacts(ids.len(), &contacts)?;
        drop(contacts);
        Ok(ContactGraph::from_parts(csr, IdMap::from_external(ids)))
    }

    /// Maps external ids to dense ids (in increasing external order).
    fn into_dense(self) -> Result<DenseContacts, BuildError> {
        let GraphBuilder {
            contacts,
            members,
            max_id,
        } = self;
        let Some(max) = max_id else {
            return Ok((Vec::new(), Vec::new()));
        };
        let ids_seen = 2 * contacts.len() as u64 + members.len() as u64;
        if max < u32::MAX as u64 && max <= 4 * ids_seen + 1024 {
            // Ids are small and dense enough for a direct lookup table.
            const ABSENT: Member = Member::MAX;
            let mut table = vec![ABSENT; max as usize + 1];
            for &(a, b) in &contacts {
                table[a as usize] = 0;
                table[b as usize] = 0;
            }
            for &m in &members {
                table[m as usize] = 0;
            }
            let mut external = Vec::new();
            for (id, slot) in table.iter_mut().enumerate() {
                if *slot != ABSENT {
                    *slot = external.len() as Member;
                    external.push(id as ExternalId);
                }
            }
            let dense = contacts
                .iter()
                .map(|&(a, b)| (table[a as usize], table[b as usize]))
                .collect();
            return Ok((external, dense));
        }
        let mut external: Vec<ExternalId> = Vec::with_capacity(ids_seen as usize);
        external.extend(contacts.iter().flat_map(|&(a, b)| [a, b]));
        external.extend_from_slice(&members);
        external.sort_unstable();
        external.dedup();
        if external.len() as u64 >= u32::MAX as u64 {
            return Err(BuildError::TooManyMembers {
                members: external.len() as u64,
            });
        }
        external.shrink_to_fit();
        let find =
            |id: ExternalId| external.binary_search(&id).expect("every id was collected") as Member;
        let dense = contacts.iter().map(|&(a, b)| (find(a), find(b))).collect();
        Ok((external, dense))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_and_dense_ids_map_in_increasing_order() {
        for base in [0u64, 1 << 40] {
            let mut builder = GraphBuilder::new();
            builder.add_contact(base + 30, base + 10);
            builder.add_contact(base + 10, base + 30);
            builder.add_member(base + 20);
            builder.add_contact(base + 5, base + 5);
            let graph = builder.build().unwrap();
            let snap = graph.snapshot();
            assert_eq!(snap.member_count(), 4);
            assert_eq!(snap.contact_count(), 1);
            assert_eq!(snap.dense(base + 5), Some(0));
            assert_eq!(snap.dense(base + 30), Some(3));
            assert_eq!(snap.external(2), Some(base + 20));
            assert_eq!(snap.contacts(1), &[3]);
        }
    }

    #[test]
    fn empty_builder_gives_empty_graph() {
        let graph = GraphBuilder::new().build().unwrap();
        assert_eq!(graph.snapshot().member_count(), 0);
    }
}
