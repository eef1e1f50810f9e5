//! The projections the use cases read from, each kept in step with the
//! store by the [`Dispatcher`](crate::events::Dispatcher) from the change
//! events; no use case updates them by hand.
//!
//! | projection  | state                         | starts from                      |
//! |-------------|-------------------------------|----------------------------------|
//! | `network`   | contacts, blocks, cards       | the outbox's end when loaded     |
//! | `timelines` | every author's post keys      | the outbox's end when loaded     |
//! | `search`    | the full-text indexes of profiles and posts (on disk) | its checkpoint in the store |
//! | `sessions`  | the cache of signed-in viewers| the outbox's end at start        |
//! | `notifications` | members' notifications (stored) | its checkpoint in the store (see [`super::notifications`]) |
//! | `streams`   | none: pushes to open streams  | the outbox's end at start (`service/streams.rs`) |
//!
//! Each applies an event by setting the state to what the store says now
//! (a profile's card and index document are read afresh) or by an
//! idempotent set operation (add or remove a contact, a block, a post key),
//! so a replay from an earlier cursor converges to the store.

use super::core::Core;
use super::{Accounts, blocking};
use crate::error::Result;
use crate::events::{Change, Event, Projection};
use crate::ids::ProfileId;
use crate::profile::ProfileKind;
use crate::search::{PostDocument, SearchDocument};
use crate::timeline::PostKey;
use async_trait::async_trait;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The contact network in memory.
pub(crate) struct NetworkProjection {
    pub(crate) core: Arc<Core>,
}

#[async_trait]
impl Projection for NetworkProjection {
    fn name(&self) -> &'static str {
        "network"
    }

    fn wants(&self, e: &Event) -> bool {
        matches!(
            e.change,
            Change::MemberJoined { .. }
                | Change::ProfileChanged { .. }
                | Change::ContactAdded { .. }
                | Change::ContactRemoved { .. }
                | Change::Blocked { .. }
                | Change::Unblocked { .. }
                | Change::GroupChanged { .. }
                | Change::GroupMembershipChanged { .. }
                | Change::GroupMemberSettingsChanged { .. }
                | Change::MuteChanged { .. }
                | Change::MutedWordsChanged { .. }
                | Change::SanctionChanged { .. }
        )
    }

    async fn start(&self) -> Result<i64> {
        Ok(self.core.loaded_at)
    }

    async fn apply(&self, events: &[Arc<Event>]) -> Result<()> {
        let network = &self.core.network;
        for e in events {
            match &e.change {
                Change::MemberJoined { profile, .. } | Change::ProfileChanged { profile } => {
                    let Some(p) = self.core.store.profile(*profile).await? else {
                        continue;
                    };
                    if p.kind != ProfileKind::Person {
                        continue;
                    }
                    network.add_member(p.id, crate::network::card_of(&p));
                    network.set_relays(p.id, p.settings.relay_introductions);
                }
                Change::ContactAdded { a, b } => network.add_contact(*a, *b),
                Change::ContactRemoved { a, b } => network.remove_contact(*a, *b),
                Change::Blocked { blocker, blocked } => network.block(*blocker, *blocked),
                Change::Unblocked { blocker, blocked } => network.unblock(*blocker, *blocked),
                Change::GroupChanged { group } => {
                    let card = self
                        .core
                        .store
                        .group(*group)
                        .await?
                        .map(|g| crate::network::group_card_of(&g));
                    network.set_group(*group, card);
                }
                Change::GroupMembershipChanged {
                    group,
                    member,
                    after,
                    ..
                } => network.set_membership(*group, *member, *after),
                Change::GroupMemberSettingsChanged {
                    group,
                    member,
                    muted,
                    ..
                } => network.set_group_muted(*member, *group, *muted),
                Change::MuteChanged { muter, muted, on } => network.set_mute(*muter, *muted, *on),
                Change::MutedWordsChanged { member } => {
                    let words = self.core.store.muted_words(*member).await?;
                    network.set_muted_words(*member, words);
                }
                // The sanction as the store has it now (a replay converges).
                Change::SanctionChanged { member, .. } => {
                    let sanction = self.core.store.sanction(*member).await?;
                    network.set_sanction(*member, sanction);
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Every author's post keys, for the feed.
pub(crate) struct TimelinesProjection {
    pub(crate) core: Arc<Core>,
}

#[async_trait]
impl Projection for TimelinesProjection {
    fn name(&self) -> &'static str {
        "timelines"
    }

    fn wants(&self, e: &Event) -> bool {
        matches!(
            e.change,
            Change::PostPublished { .. } | Change::PostDeleted { .. }
        )
    }

    async fn start(&self) -> Result<i64> {
        Ok(self.core.loaded_at)
    }

    async fn apply(&self, events: &[Arc<Event>]) -> Result<()> {
        for e in events {
            match &e.change {
                Change::PostPublished {
                    post,
                    author,
                    audience,
                    group,
                    published_at,
                    ..
                } => self.core.timelines.insert(
                    *author,
                    *group,
                    PostKey::new(*published_at, *post, *audience),
                ),
                Change::PostDeleted {
                    post,
                    author,
                    group,
                } => self.core.timelines.remove(*author, *group, *post),
                _ => {}
            }
        }
        Ok(())
    }
}

/// The full-text index of profiles and pages. It lives on disk, so its
/// cursor is saved in the store after each batch.
pub(crate) struct SearchProjection {
    pub(crate) core: Arc<Core>,
    /// The checkpoint last saved.
    pub(crate) saved: AtomicI64,
}

pub(crate) const SEARCH_CHECKPOINT: &str = "search";

/// Events after which the search checkpoint is saved even when none of
/// them changed the index.
const CHECKPOINT_EVERY: i64 = 1_000;

#[async_trait]
impl Projection for SearchProjection {
    fn name(&self) -> &'static str {
        SEARCH_CHECKPOINT
    }

    /// Changes to documents, and now and then any event, to move the
    /// checkpoint on.
    fn wants(&self, e: &Event) -> bool {
        matches!(
            e.change,
            Change::MemberJoined { .. }
                | Change::ProfileChanged { .. }
                | Change::PositionChanged { .. }
                | Change::PostPublished { .. }
                | Change::PostEdited { .. }
                | Change::PostDeleted { .. }
                | Change::ContentModerated { .. }
        ) || e.seq - self.saved.load(Ordering::Relaxed) >= CHECKPOINT_EVERY
    }

    async fn start(&self) -> Result<i64> {
        // No checkpoint: the index was built (or checked) against the store
        // when the node started.
        let at = self
            .core
            .store
            .checkpoint(SEARCH_CHECKPOINT)
            .await?
            .unwrap_or(self.core.loaded_at);
        self.saved.store(at, Ordering::Relaxed);
        Ok(at)
    }

    async fn apply(&self, events: &[Arc<Event>]) -> Result<()> {
        let mut touched = BTreeSet::new();
        let mut posts = BTreeSet::new();
        for e in events {
            match &e.change {
                Change::MemberJoined { profile, .. } | Change::ProfileChanged { profile } => {
                    touched.insert(*profile);
                }
                // A person's positions are part of his document.
                Change::PositionChanged { person, .. } => {
                    touched.insert(*person);
                }
                // A post's document is read afresh: gone when deleted.
                Change::PostPublished { post, .. }
                | Change::PostEdited { post, .. }
                | Change::PostDeleted { post, .. } => {
                    posts.insert(*post);
                }
                // A hidden or removed post leaves the index; restored, it
                // comes back.
                Change::ContentModerated {
                    kind: crate::moderation::TargetKind::Post,
                    post,
                    ..
                } => {
                    posts.insert(*post);
                }
                _ => {}
            }
        }
        let reindexed = !touched.is_empty() || !posts.is_empty();
        if !touched.is_empty() {
            self.reindex(touched).await?;
        }
        if !posts.is_empty() {
            self.reindex_posts(posts).await?;
        }
        // Saved after each change to the index, and otherwise now and then
        // (a replay from an older checkpoint changes nothing), so that
        // unrelated writes do not each pay for one more write.
        if let Some(last) = events.last() {
            let saved = self.saved.load(Ordering::Relaxed);
            if reindexed || last.seq - saved >= CHECKPOINT_EVERY {
                self.core
                    .store
                    .set_checkpoint(SEARCH_CHECKPOINT, last.seq)
                    .await?;
                self.saved.store(last.seq, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

impl SearchProjection {
    /// Puts each profile's current document in the index, or takes out one
    /// that no longer exists, in one commit.
    async fn reindex(&self, ids: BTreeSet<ProfileId>) -> Result<()> {
        let mut docs = Vec::new();
        let mut gone = Vec::new();
        for id in ids {
            match self.core.store.profile(id).await? {
                Some(p) => {
                    let positions = if p.kind == ProfileKind::Person {
                        self.core.store.positions_of(p.id).await?
                    } else {
                        Vec::new()
                    };
                    docs.push(SearchDocument::of(&p, &positions));
                }
                None => gone.push(id),
            }
        }
        let index = self.core.index.clone();
        blocking(move || {
            for id in gone {
                index.remove(id)?;
            }
            if docs.is_empty() {
                Ok(())
            } else {
                index.put(&docs)
            }
        })
        .await?
    }
}

impl SearchProjection {
    /// Puts each post's current document in the post index, or takes out
    /// one that no longer exists, in one commit.
    async fn reindex_posts(&self, ids: BTreeSet<i64>) -> Result<()> {
        let ids: Vec<i64> = ids.into_iter().collect();
        let mut found = self.core.store.posts(&ids).await?;
        // Only visible posts are found (a hidden one is its author's alone).
        found.retain(|p| p.state == crate::moderation::ContentState::Visible);
        let docs: Vec<PostDocument> = found.iter().map(PostDocument::of).collect();
        let gone: Vec<i64> = ids
            .into_iter()
            .filter(|id| !found.iter().any(|p| p.id == *id))
            .collect();
        let index = self.core.index.clone();
        blocking(move || {
            let posts = index.posts();
            for id in gone {
                posts.remove(id)?;
            }
            if docs.is_empty() {
                Ok(())
            } else {
                posts.put(&docs)
            }
        })
        .await?
    }
}

/// The cache of recently authenticated viewers (their name, language and
/// roles), forgotten when any of those change or a session ends.
pub(crate) struct SessionsProjection {
    pub(crate) core: Arc<Core>,
    pub(crate) accounts: Accounts,
}

#[async_trait]
impl Projection for SessionsProjection {
    fn name(&self) -> &'static str {
        "sessions"
    }

    fn wants(&self, e: &Event) -> bool {
        matches!(
            e.change,
            Change::SessionEnded { .. }
                | Change::AccountChanged { .. }
                | Change::PageRoleChanged { .. }
                | Change::ProfileChanged { .. }
        )
    }

    async fn start(&self) -> Result<i64> {
        Ok(self.core.loaded_at)
    }

    async fn apply(&self, events: &[Arc<Event>]) -> Result<()> {
        // Only the viewers concerned: an edit of one profile does not send
        // every signed-in member back to the store.
        let mut accounts = std::collections::HashSet::new();
        let mut persons = std::collections::HashSet::new();
        for e in events {
            match &e.change {
                Change::SessionEnded { account, .. }
                | Change::AccountChanged { account }
                | Change::PageRoleChanged { account, .. } => {
                    accounts.insert(*account);
                }
                Change::ProfileChanged { profile } => {
                    persons.insert(*profile);
                }
                _ => {}
            }
        }
        if !accounts.is_empty() || !persons.is_empty() {
            self.accounts.forget_viewers_of(&accounts, &persons);
        }
        Ok(())
    }
}
