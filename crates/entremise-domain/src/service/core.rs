//! What every area of the use cases shares: the ports, the in-memory state
//! and the clock, and the few questions each area asks the same way (who is
//! asking, which profile a handle names for him, how a profile is shown).

use super::{DomainConfig, Viewer};
use crate::clock::Clock;
use crate::error::{Error, Forbidden, Result};
use crate::events::Dispatcher;
use crate::ids::ProfileId;
use crate::media::MediaStore;
use crate::network::Network;
use crate::page::Role;
use crate::privacy::{Lens, Relation};
use crate::profile::{PersonaOf, Profile, ProfileKind, ProfileRef, ProfileView};
use crate::search::SearchIndex;
use crate::store::Store;
use crate::timeline::Timelines;
use crate::validate::Handle;
use std::sync::Arc;

/// The ports and the in-memory state, shared by every area's service.
pub struct Core {
    pub(crate) store: Arc<dyn Store>,
    /// The full-text index (kept in step by the search projection).
    pub(crate) index: Arc<dyn SearchIndex>,
    pub(crate) media: Arc<dyn MediaStore>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The contact network in memory: contacts, blocks, relays, cards.
    pub(crate) network: Arc<Network>,
    /// Every author's post keys, for the feed (see [`crate::timeline`]).
    pub(crate) timelines: Arc<Timelines>,
    pub(crate) config: DomainConfig,
    /// The outbox's last event when the in-memory state (network,
    /// timelines) was loaded from the store: their projections start there.
    pub(crate) loaded_at: i64,
    /// Applies the change events to every projection (set once at start).
    pub(crate) dispatcher: std::sync::OnceLock<Dispatcher>,
}

impl Core {
    /// Waits until the projections that serve answers (network, timelines,
    /// search index, caches) have applied every change committed so far,
    /// so the member who wrote sees his write at once.
    pub(crate) async fn settle(&self) {
        if let Some(d) = self.dispatcher.get() {
            d.settle().await;
        }
    }

    /// The viewer's privacy lens: every question of PRIVACY.md about what
    /// he may see is answered by it. Built once per use case.
    pub(crate) fn lens(&self, viewer: &Viewer) -> Lens {
        Lens::new(viewer.identity().cloned(), self.network.clone()).at(self.clock.now())
    }

    /// The lens of a member who is not the one asking (the recipient of a
    /// push): his own person, no page roles, no moderation.
    pub(crate) fn member_lens(&self, member: ProfileId) -> Lens {
        let identity = crate::privacy::ViewerIdentity {
            person: member,
            operated: Vec::new(),
            moderator: false,
        };
        Lens::new(Some(identity), self.network.clone()).at(self.clock.now())
    }

    /// The profiles a published post's or an added comment's text names
    /// with `@handle` (nothing for other changes).
    pub(crate) async fn mentioned(&self, change: &crate::events::Change) -> Result<Vec<ProfileId>> {
        use crate::events::Change;
        let text = match change {
            Change::PostPublished { post, .. } => self.store.post(*post).await?.map(|p| p.text),
            Change::CommentAdded { comment, .. } | Change::CommentReleased { comment, .. } => {
                self.store.comment(*comment).await?.map(|c| c.text)
            }
            _ => None,
        };
        let Some(text) = text else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for raw in crate::post::mentions(&text) {
            let Ok(handle) = Handle::parse(&raw) else {
                continue;
            };
            if let Some(p) = self.store.profile_by_handle(&handle).await?
                && !out.contains(&p.id)
            {
                out.push(p.id);
            }
        }
        Ok(out)
    }

    /// Loads a profile the viewer may know exists.
    pub(crate) async fn visible_profile(
        &self,
        viewer: &Viewer,
        handle: &str,
    ) -> Result<(Profile, Relation)> {
        let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
        let profile = self
            .store
            .profile_by_handle(&handle)
            .await?
            .ok_or(Error::NotFound)?;
        let relation = self.lens(viewer).relation_or_not_found(profile.id)?;
        Ok((profile, relation))
    }

    /// A group the viewer may know exists, by handle: a secret group he
    /// is neither in nor invited to answers like a missing one.
    pub(crate) async fn group_by_handle(
        &self,
        viewer: &Viewer,
        handle: &str,
    ) -> Result<crate::group::Group> {
        let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
        let group = self
            .store
            .group_by_handle(handle.as_str())
            .await?
            .ok_or(Error::NotFound)?;
        self.lens(viewer).group_or_not_found(group.id)?;
        Ok(group)
    }

    /// The profile a member publishes as: himself, or a page or persona he
    /// edits for.
    pub(crate) async fn publishing_as(
        &self,
        viewer: &Viewer,
        as_: Option<&str>,
    ) -> Result<(ProfileId, bool)> {
        let me = viewer.require()?;
        let Some(handle) = as_.map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok((me.identity.person, false));
        };
        let (profile, _) = self.visible_profile(viewer, handle).await?;
        if profile.id == me.identity.person {
            return Ok((profile.id, false));
        }
        match me.identity.operates(profile.id) {
            Some(role) if role.edits() => Ok((profile.id, true)),
            // Someone else's name: forbidden, whether a page or a person.
            _ => Err(Error::Forbidden(Forbidden::InsufficientRole)),
        }
    }

    pub(crate) fn me(&self, viewer: &Viewer) -> Result<ProfileId> {
        Ok(viewer.require()?.identity.person)
    }

    /// A member (person) the viewer may see, by handle.
    pub(crate) async fn visible_person(
        &self,
        viewer: &Viewer,
        handle: &str,
    ) -> Result<(Profile, Relation)> {
        let (p, r) = self.visible_profile(viewer, handle).await?;
        if p.kind != ProfileKind::Person {
            return Err(Error::NotFound);
        }
        Ok((p, r))
    }

    /// How a profile is named in a list or a label, a persona with the
    /// organization it is run for.
    pub(crate) async fn profile_ref_of(&self, id: ProfileId) -> Result<ProfileRef> {
        let r = self.store.profile_ref(id).await?.ok_or(Error::NotFound)?;
        self.labelled(id, r).await
    }

    /// A reference labelled as PRIVACY.md wants it everywhere, for every
    /// viewer: a persona names the organization it is run for. Personas
    /// are few, so only their references cost the extra reads.
    pub(crate) async fn labelled(&self, id: ProfileId, mut r: ProfileRef) -> Result<ProfileRef> {
        if r.kind != ProfileKind::Persona || r.persona_of.is_some() {
            return Ok(r);
        }
        let parent = self.store.profile(id).await?.and_then(|p| p.parent);
        if let Some(parent) = parent
            && let Some(org) = self.store.profile_ref(parent).await?
        {
            r.persona_of = Some(PersonaOf {
                handle: org.handle,
                name: org.name,
            });
        }
        Ok(r)
    }

    /// A person's reference from the in-memory network, else the store.
    pub(crate) async fn person_ref(&self, id: ProfileId) -> Result<ProfileRef> {
        match self.network.card(id) {
            Some(card) => Ok(ProfileRef {
                handle: crate::validate::Handle::from_trusted(card.handle.to_string()),
                name: card.name.to_string(),
                kind: ProfileKind::Person,
                persona_of: None,
            }),
            None => self.profile_ref_of(id).await,
        }
    }

    /// Assembles the view of a profile already allowed to the viewer.
    pub(crate) async fn build_view(
        &self,
        profile: &Profile,
        relation: Relation,
    ) -> Result<ProfileView> {
        let positions = if profile.kind == ProfileKind::Person
            && profile
                .audiences
                .get(crate::privacy::Field::Positions)
                .admits(relation)
        {
            self.store.positions_of(profile.id).await?
        } else {
            Vec::new()
        };
        let parent = match profile.parent {
            Some(p) => self.store.profile_ref(p).await?,
            None => None,
        };
        Ok(ProfileView::build(profile, &positions, parent, relation))
    }

    /// The role the viewer holds on a page, or `None` on a person / no role.
    pub(crate) fn role_on(&self, viewer: &Viewer, profile: &Profile) -> Option<Role> {
        viewer.identity().and_then(|v| v.operates(profile.id))
    }
}
