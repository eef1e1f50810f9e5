//! Reading and editing profiles.

use super::{
    Connection, Contacts, Core, FeedPage, PageDetails, Pages, PostView, Posts, Viewer, Visits,
};
use crate::error::{Error, Result};
use crate::ids::PositionId;
use crate::page::Role;
use crate::privacy::{Actions, Relation};
use crate::profile::{Position, ProfileKind, ProfilePatch, ProfileView};
use crate::store::AuditRecord;
use std::sync::Arc;

/// Posts shown on a profile page before "more".
pub const PROFILE_PAGE_POSTS: usize = 5;

/// Everything the profile page (`/@handle`) shows, resolved once: the
/// profile as the viewer may see it (with what its page carries), how he
/// is connected to it, its posts, and what he may do there. No page
/// handler decides any of it.
#[derive(Debug, Clone)]
pub struct ProfilePage {
    pub details: PageDetails,
    /// The relation the member asked to view his own profile as; `None`
    /// for everyone else, whatever he asked.
    pub viewing_as: Option<Relation>,
    /// "How you are connected", for a signed-in visitor of another person.
    pub connection: Option<Connection>,
    /// The first posts (empty while the member views as someone else).
    pub posts: FeedPage,
    /// A page's scheduled posts, for its editors.
    pub scheduled: Vec<PostView>,
    /// What the viewer may do toward the profile.
    pub actions: Actions,
    /// He follows this page.
    pub following: bool,
    /// He may edit the profile (himself, or a page he administers).
    pub can_edit: bool,
    /// He holds a role on this page.
    pub can_manage: bool,
}

/// Reading and editing profiles, and the profile page that gathers the other areas' parts.
#[derive(Clone)]
pub struct Profiles {
    core: Arc<Core>,
    /// Records visits.
    visits: Visits,
    /// What a page carries besides its profile.
    pages: Pages,
    /// "How you are connected", on the profile page.
    contacts: Contacts,
    /// The profile's posts, and whether the viewer follows it.
    posts: Posts,
}

impl Profiles {
    pub(crate) fn new(
        core: Arc<Core>,
        visits: Visits,
        pages: Pages,
        contacts: Contacts,
        posts: Posts,
    ) -> Self {
        Self {
            visits,
            pages,
            contacts,
            posts,
            core,
        }
    }
}

impl Profiles {
    /// The profile page: resolves the handle and the viewer's relation
    /// once, records the visit once (anyone but the member himself is
    /// recorded, whatever he asks to view it as), and gathers the rest.
    pub async fn profile_page(
        &self,
        viewer: &Viewer,
        handle: &str,
        view_as: Option<Relation>,
    ) -> Result<ProfilePage> {
        let (profile, actual) = self.core.visible_profile(viewer, handle).await?;
        self.visits.record_visit(viewer, &profile).await?;
        let viewing_as = view_as.filter(|_| actual == Relation::Itself);
        let details = self
            .pages
            .details_of(viewer, &profile, actual, viewing_as)
            .await?;
        let lens = self.core.lens(viewer);
        let is_person = profile.kind == ProfileKind::Person;
        let actions = lens.actions(profile.id, is_person, &profile.settings);
        let connection = if is_person && viewer.signed_in.is_some() && actual != Relation::Itself {
            Some(self.contacts.connection_to(viewer, &profile).await?)
        } else {
            None
        };
        let (posts, scheduled) = if viewing_as.is_some() {
            (
                FeedPage {
                    items: Vec::new(),
                    next: None,
                },
                Vec::new(),
            )
        } else {
            self.posts
                .profile_posts(viewer, &profile, PROFILE_PAGE_POSTS)
                .await?
        };
        let following = actions.follow && self.posts.follows(viewer, profile.id).await?;
        let can_edit = details.is_self
            && viewing_as.is_none()
            && (is_person || details.role.is_some_and(Role::administers));
        let can_manage = viewing_as.is_none() && details.role.is_some();
        Ok(ProfilePage {
            details,
            viewing_as,
            connection,
            posts,
            scheduled,
            actions,
            following,
            can_edit,
            can_manage,
        })
    }

    /// A profile as the viewer may see it. `view_as` lets a member (or a
    /// page's operator) see his own profile as a farther relation would.
    pub async fn view_profile(
        &self,
        viewer: &Viewer,
        handle: &str,
        view_as: Option<Relation>,
    ) -> Result<ProfileView> {
        let (profile, relation) = self.core.visible_profile(viewer, handle).await?;
        // Anyone but the member himself is recorded, whatever he asks to
        // view the profile as (one's own visits are not recorded).
        self.visits.record_visit(viewer, &profile).await?;
        let relation = self.core.lens(viewer).view_as(relation, view_as);
        self.core.build_view(&profile, relation).await
    }

    /// A few profiles of one kind, newest first, each as the viewer may see
    /// it; those hidden from him (blocks) are left out.
    pub async fn directory(
        &self,
        viewer: &Viewer,
        kind: Option<ProfileKind>,
        limit: usize,
    ) -> Result<Vec<ProfileView>> {
        let profiles = self
            .core
            .store
            .list_profiles(kind, None, limit.clamp(1, 100))
            .await?;
        let lens = self.core.lens(viewer);
        let mut out = Vec::with_capacity(profiles.len());
        for p in profiles {
            if let Some(relation) = lens.relation(p.id) {
                out.push(self.core.build_view(&p, relation).await?);
            }
        }
        Ok(out)
    }

    /// Edits a profile: a person edits his own; a page's owners and admins
    /// edit the page, and the act is recorded in its audit trail.
    pub async fn update_profile(
        &self,
        viewer: &Viewer,
        handle: &str,
        patch: &ProfilePatch,
    ) -> Result<ProfileView> {
        let me = viewer.require()?;
        let (profile, relation) = self.core.visible_profile(viewer, handle).await?;
        if relation != Relation::Itself {
            // Someone else's profile: forbidden, and says no more than that.
            return Err(Error::Forbidden(crate::error::Forbidden::InsufficientRole));
        }
        let audit = if profile.kind.is_page() {
            let role = self.core.role_on(viewer, &profile);
            if !role.is_some_and(Role::administers) {
                return Err(Error::Forbidden(crate::error::Forbidden::InsufficientRole));
            }
            let mut changed: Vec<&str> = patch.fields.keys().map(String::as_str).collect();
            changed.extend(patch.audiences.keys().map(String::as_str));
            Some(AuditRecord {
                page: profile.id,
                actor: me.account,
                action: "profile.update",
                detail: changed.join(", "),
                at: self.core.clock.now(),
            })
        } else {
            None
        };
        let updated = patch.apply(&profile)?;
        self.core.store.save_profile(&updated, audit).await?;
        // The index and the network's card follow from the change's event.
        self.core.settle().await;
        self.core.build_view(&updated, Relation::Itself).await
    }

    /// Positions of a person the viewer may see.
    pub async fn positions(&self, viewer: &Viewer, handle: &str) -> Result<Vec<Position>> {
        let view = self.view_profile(viewer, handle, None).await?;
        Ok(view.positions.unwrap_or_default())
    }

    /// Removes one of the viewer's own positions.
    pub async fn delete_position(
        &self,
        viewer: &Viewer,
        handle: &str,
        id: PositionId,
    ) -> Result<()> {
        let (profile, relation) = self.core.visible_profile(viewer, handle).await?;
        if relation != Relation::Itself || profile.kind != ProfileKind::Person {
            return Err(Error::NotFound);
        }
        if self.core.store.delete_position(profile.id, id).await? {
            self.core.settle().await;
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }
}
