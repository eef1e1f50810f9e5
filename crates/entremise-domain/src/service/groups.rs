//! Groups (hubs): creating and running one, joining, its members and its
//! expert directory. Who sees a group and what is inside is the lens's
//! ([`crate::privacy::Lens::group`]); what a join or a moderator's act does
//! is [`crate::group`]'s pure rules; the store records each change with its
//! event, from which the network (memberships in memory), notifications
//! and the inbox (join requests) follow.

use super::{Core, Viewer};
use crate::error::{Error, FieldError, Forbidden, Result};
use crate::group::{self, Group, GroupAct, GroupKind, GroupRole, MemberRow, Membership, Standing};
use crate::ids::{GroupId, ProfileId};
use crate::paging::{MAX_PAGE, Page};
use crate::privacy::{GroupSight, Lens};
use crate::profile::{ProfileKind, ProfileRef};
use crate::store::{Contribution, GroupEdit, NewGroup};
use crate::validate::Handle;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::OffsetDateTime;

/// `POST /api/v1/groups`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewGroupInput {
    /// Lowercase `[a-z0-9_]{2,30}`, unique among groups.
    pub handle: String,
    pub name: String,
    pub kind: GroupKind,
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub rules: Option<String>,
    /// Topic tags, 10 at most.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Create it as a page the member posts for (editor and above).
    #[serde(default, rename = "as")]
    pub as_: Option<String>,
}

/// `PATCH /api/v1/groups/{handle}` (owners): what is given is replaced.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupEditInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub rules: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// A member's own settings in a group
/// (`PUT /api/v1/groups/{handle}/me`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MySettingsInput {
    /// Expertise tags shown in the group's directory, 10 at most.
    #[serde(default)]
    pub expertise: Option<Vec<String>>,
    /// Shown in the expert directory (default `true`).
    #[serde(default)]
    pub in_directory: Option<bool>,
    /// Keep the group's posts out of the home feed.
    #[serde(default)]
    pub muted: Option<bool>,
    /// Follow the group closely: be told of each new post in it.
    #[serde(default)]
    pub closely: Option<bool>,
}

/// `PUT /api/v1/groups/{handle}/cover`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverInput {
    /// An image the member uploaded (`POST /api/v1/media`) that no post
    /// holds.
    pub media: String,
}

/// `201` of `POST /api/v1/groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupCreated {
    pub id: GroupId,
    pub handle: String,
}

/// `201` of `POST /api/v1/groups/{handle}/members`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinAnswer {
    /// `member`, or `pending` until a moderator approves.
    pub status: Standing,
}

/// The viewer's own membership, with his settings in the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyMembership {
    pub standing: Standing,
    pub role: GroupRole,
    pub expertise: Vec<String>,
    pub in_directory: bool,
    pub muted: bool,
    /// Told of each new post in the group (notification `group_post`).
    pub closely: bool,
}

/// What the viewer may do in a group (the page offers nothing else).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupActions {
    /// Join (open), ask to join (closed) or accept an invitation.
    pub join: bool,
    pub leave: bool,
    pub post: bool,
    /// Approve, invite, remove, ban, pin.
    pub moderate: bool,
    /// Edit the group, set roles.
    pub own: bool,
}

/// A group as one viewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupView {
    pub id: GroupId,
    pub handle: String,
    pub name: String,
    pub kind: GroupKind,
    pub about: String,
    pub rules: String,
    pub tags: Vec<String>,
    /// Its cover image (`/media/{id}`, with `?w=` 320, 640 or 1280).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    /// Members in good standing; for members only (a counter counts what
    /// the viewer may see).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<u64>,
    /// Requests awaiting a decision; for moderators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<u64>,
    /// The viewer's membership (his own, or his page's), if any.
    pub membership: Option<MyMembership>,
    pub may: GroupActions,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A group in a list (the viewer's groups, search).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupSummary {
    pub handle: String,
    pub name: String,
    pub kind: GroupKind,
    pub about: String,
    pub tags: Vec<String>,
    /// Its cover image (`/media/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    /// The viewer's standing, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standing: Option<Standing>,
}

/// One membership, as a member (or, for other standings, a moderator)
/// sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub profile: ProfileRef,
    pub standing: Standing,
    pub role: GroupRole,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// One member in the group's expert directory.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpertView {
    pub profile: ProfileRef,
    pub role: GroupRole,
    /// His headline, when the viewer may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// His profile's skills the viewer may see.
    pub skills: Vec<String>,
    /// What he says he knows, in this group.
    pub expertise: Vec<String>,
    /// His posts in the group.
    pub posts: u64,
    /// His comments on the group's posts.
    pub answers: u64,
    /// Reactions his posts in the group received.
    pub reactions: u64,
}

/// Which members a moderator lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberFilter {
    Members,
    Pending,
    Invited,
    Banned,
}

impl MemberFilter {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "member" | "members" => Some(Self::Members),
            "pending" => Some(Self::Pending),
            "invited" => Some(Self::Invited),
            "banned" => Some(Self::Banned),
            _ => None,
        }
    }

    fn standing(self) -> Standing {
        match self {
            Self::Members => Standing::Member,
            Self::Pending => Standing::Pending,
            Self::Invited => Standing::Invited,
            Self::Banned => Standing::Banned,
        }
    }
}

/// Groups: one service over the shared core.
#[derive(Clone)]
pub struct Groups {
    core: Arc<Core>,
}

impl Groups {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// Creates a group, its creator (himself or a page) its first owner.
    pub async fn create(&self, viewer: &Viewer, input: NewGroupInput) -> Result<GroupCreated> {
        viewer.require()?;
        let (owner, _) = self
            .core
            .publishing_as(viewer, input.as_.as_deref())
            .await?;
        let mut errors = Vec::new();
        let handle = match Handle::parse(&input.handle) {
            Ok(h) => Some(h),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let name = text(
            "name",
            &input.name,
            group::MAX_NAME_CHARS,
            true,
            &mut errors,
        );
        let about = text(
            "about",
            input.about.as_deref().unwrap_or(""),
            group::MAX_ABOUT_CHARS,
            false,
            &mut errors,
        );
        let rules = text(
            "rules",
            input.rules.as_deref().unwrap_or(""),
            group::MAX_RULES_CHARS,
            false,
            &mut errors,
        );
        let tags = match group::check_tags("tags", &input.tags) {
            Ok(t) => t,
            Err(Error::Invalid(mut e)) => {
                errors.append(&mut e);
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        let Some(handle) = handle.filter(|_| errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let g = self
            .core
            .store
            .create_group(NewGroup {
                handle: handle.as_str().to_owned(),
                name,
                kind: input.kind,
                about,
                rules,
                tags,
                created_by: owner,
                created_at: self.core.clock.now(),
            })
            .await?;
        self.core.settle().await;
        Ok(GroupCreated {
            id: g.id,
            handle: g.handle,
        })
    }

    /// A group's page: what it is, and what the viewer may do there.
    pub async fn group(&self, viewer: &Viewer, handle: &str) -> Result<GroupView> {
        let (g, sight) = self.visible(viewer, handle).await?;
        let mine = self.my_row(viewer, g.id).await?;
        let (members, _) = if sight.content {
            self.core.store.group_counts(g.id).await?
        } else {
            (0, 0)
        };
        let pending = if sight.moderates {
            Some(
                self.core
                    .store
                    .group_members(g.id, Standing::Pending, None, MAX_PAGE + 1)
                    .await?
                    .len() as u64,
            )
        } else {
            None
        };
        let standing = sight.membership.map(|m| m.standing);
        let signed_in = viewer.signed_in.is_some();
        let may = GroupActions {
            join: signed_in
                && matches!(standing, None | Some(Standing::Invited))
                && !(g.kind == GroupKind::Secret && standing.is_none()),
            leave: matches!(
                standing,
                Some(Standing::Member | Standing::Pending | Standing::Invited)
            ),
            post: sight.content,
            moderate: sight.moderates,
            own: sight
                .membership
                .is_some_and(|m| m.moderates() && m.role == GroupRole::Owner),
        };
        Ok(GroupView {
            id: g.id,
            handle: g.handle,
            name: g.name,
            kind: g.kind,
            about: g.about,
            rules: g.rules,
            tags: g.tags,
            cover: cover_url(g.cover),
            members: sight.content.then_some(members),
            pending,
            membership: mine.map(|r| MyMembership {
                standing: r.membership.standing,
                role: r.membership.role,
                expertise: r.expertise,
                in_directory: r.in_directory,
                muted: r.muted,
                closely: r.closely,
            }),
            may,
            created_at: g.created_at,
        })
    }

    /// Changes a group's name, description, rules or tags (owners).
    /// Sets the group's cover to an image the viewer uploaded
    /// (`POST /api/v1/media`) and no post holds, or removes it (`None`);
    /// owners only. The image is then shown to whoever may see the group.
    pub async fn set_cover(
        &self,
        viewer: &Viewer,
        handle: &str,
        media: Option<&str>,
    ) -> Result<()> {
        let me = viewer.require()?;
        let media = media
            .map(|raw| super::posts::parse_id("media", raw))
            .transpose()?;
        let (g, sight) = self.visible(viewer, handle).await?;
        let owner = sight
            .membership
            .is_some_and(|m| m.moderates() && m.role == GroupRole::Owner);
        if !owner {
            return Err(Error::Forbidden(Forbidden::InsufficientRole));
        }
        let now = self.core.clock.now();
        match self
            .core
            .store
            .set_group_cover(g.id, me.account, media, now)
            .await
        {
            Err(Error::NotFound) if media.is_some() => {
                return Err(Error::invalid(
                    "media",
                    "unknown",
                    "No image of yours waits for this id: upload it first (POST /api/v1/media).",
                ));
            }
            r => r?,
        }
        self.core.settle().await;
        Ok(())
    }

    pub async fn edit(&self, viewer: &Viewer, handle: &str, input: GroupEditInput) -> Result<()> {
        viewer.require()?;
        let (g, sight) = self.visible(viewer, handle).await?;
        let owner = sight
            .membership
            .is_some_and(|m| m.moderates() && m.role == GroupRole::Owner);
        if !owner {
            return Err(Error::Forbidden(Forbidden::InsufficientRole));
        }
        let mut errors = Vec::new();
        let name = match &input.name {
            Some(n) => text("name", n, group::MAX_NAME_CHARS, true, &mut errors),
            None => g.name,
        };
        let about = match &input.about {
            Some(a) => text("about", a, group::MAX_ABOUT_CHARS, false, &mut errors),
            None => g.about,
        };
        let rules = match &input.rules {
            Some(r) => text("rules", r, group::MAX_RULES_CHARS, false, &mut errors),
            None => g.rules,
        };
        let tags = match &input.tags {
            Some(t) => match group::check_tags("tags", t) {
                Ok(t) => t,
                Err(Error::Invalid(mut e)) => {
                    errors.append(&mut e);
                    Vec::new()
                }
                Err(e) => return Err(e),
            },
            None => g.tags,
        };
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let actor = self.acting_member(viewer, g.id)?;
        self.core
            .store
            .update_group(
                g.id,
                GroupEdit {
                    name,
                    about,
                    rules,
                    tags,
                },
                actor,
                self.core.clock.now(),
            )
            .await?;
        self.core.settle().await;
        Ok(())
    }

    /// Joins an open group, asks to join a closed one, or accepts an
    /// invitation; joining again answers the same.
    pub async fn join(&self, viewer: &Viewer, handle: &str) -> Result<JoinAnswer> {
        let me = self.core.me(viewer)?;
        let (g, _) = self.visible(viewer, handle).await?;
        let current = self.core.network.membership(g.id, me);
        let standing = group::join(g.kind, current.map(|m| m.standing))?;
        let after = Membership {
            standing,
            role: current.map_or(GroupRole::Member, |m| m.role),
        };
        if current != Some(after) {
            self.core
                .store
                .set_membership(g.id, me, current, Some(after), me, self.core.clock.now())
                .await?;
            self.core.settle().await;
        }
        Ok(JoinAnswer { status: standing })
    }

    /// Leaves a group, withdraws a request or declines an invitation.
    pub async fn leave(&self, viewer: &Viewer, handle: &str) -> Result<()> {
        let me = self.core.me(viewer)?;
        let (g, _) = self.visible(viewer, handle).await?;
        let current = self.core.network.membership(g.id, me);
        let (_, owners) = self.core.store.group_counts(g.id).await?;
        group::leave(current, owners as usize)?;
        self.core
            .store
            .set_membership(g.id, me, current, None, me, self.core.clock.now())
            .await?;
        self.core.settle().await;
        Ok(())
    }

    /// A moderator's act on a profile's membership (by the profile's handle).
    pub async fn moderate(
        &self,
        viewer: &Viewer,
        handle: &str,
        member: &str,
        act: GroupAct,
    ) -> Result<Option<Standing>> {
        viewer.require()?;
        let (g, sight) = self.visible(viewer, handle).await?;
        if !sight.moderates {
            return Err(Error::Forbidden(Forbidden::InsufficientRole));
        }
        let actor = self.acting_member(viewer, g.id)?;
        let (target, _) = self.core.visible_profile(viewer, member).await?;
        let current = self.core.network.membership(g.id, target.id);
        let (_, owners) = self.core.store.group_counts(g.id).await?;
        let after = group::moderate(sight.membership, current, act, owners as usize)?;
        if after != current {
            self.core
                .store
                .set_membership(
                    g.id,
                    target.id,
                    current,
                    after,
                    actor,
                    self.core.clock.now(),
                )
                .await?;
            self.core.settle().await;
        }
        Ok(after.map(|m| m.standing))
    }

    /// A member's own settings in the group: expertise tags, the directory,
    /// the home feed, following it closely.
    pub async fn set_my_settings(
        &self,
        viewer: &Viewer,
        handle: &str,
        input: MySettingsInput,
    ) -> Result<MyMembership> {
        let me = self.core.me(viewer)?;
        let (g, _) = self.visible(viewer, handle).await?;
        let row = self
            .core
            .store
            .group_member(g.id, me)
            .await?
            .filter(|r| r.membership.standing == Standing::Member)
            .ok_or(Error::Forbidden(Forbidden::GroupMembersOnly))?;
        let expertise = match &input.expertise {
            Some(t) => group::check_expertise("expertise", t)?,
            None => row.expertise,
        };
        let settings = group::MemberSettings {
            expertise,
            in_directory: input.in_directory.unwrap_or(row.in_directory),
            muted: input.muted.unwrap_or(row.muted),
            closely: input.closely.unwrap_or(row.closely),
        };
        self.core
            .store
            .set_member_settings(g.id, me, settings.clone(), self.core.clock.now())
            .await?;
        self.core.settle().await;
        Ok(MyMembership {
            standing: row.membership.standing,
            role: row.membership.role,
            expertise: settings.expertise,
            in_directory: settings.in_directory,
            muted: settings.muted,
            closely: settings.closely,
        })
    }

    /// A group's members (for its members), or, for its moderators, the
    /// requests, invitations and bans. Members a block hides from the
    /// viewer are left out.
    pub async fn members(
        &self,
        viewer: &Viewer,
        handle: &str,
        filter: MemberFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<MemberView>> {
        let (g, sight) = self.visible(viewer, handle).await?;
        match filter {
            MemberFilter::Members if !sight.content => {
                return Err(Error::Forbidden(Forbidden::GroupMembersOnly));
            }
            MemberFilter::Members => {}
            _ if !sight.moderates => {
                return Err(Error::Forbidden(Forbidden::InsufficientRole));
            }
            _ => {}
        }
        let limit = limit.clamp(1, MAX_PAGE);
        let after = cursor
            .map(|c| {
                c.parse::<i64>()
                    .map(ProfileId)
                    .map_err(|_| Error::invalid("cursor", "invalid", "not a cursor of this list"))
            })
            .transpose()?;
        let lens = self.core.lens(viewer);
        let rows = self
            .core
            .store
            .group_members(g.id, filter.standing(), after, limit + 1)
            .await?;
        let more = rows.len() > limit;
        let rows: Vec<MemberRow> = rows.into_iter().take(limit).collect();
        let next = if more {
            rows.last().map(|r| r.member.0.to_string())
        } else {
            None
        };
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            if lens.hides(r.member) {
                continue;
            }
            items.push(MemberView {
                profile: self.member_ref(r.member).await?,
                standing: r.membership.standing,
                role: r.membership.role,
                since: r.since,
            });
        }
        Ok(Page { items, next })
    }

    /// The group's expert directory: its members who did not leave
    /// themselves out, with the skills of theirs the viewer may see, the
    /// expertise they show in the group, and what they contributed, most
    /// active first; `q` keeps those whose skills or expertise name it.
    pub async fn directory(
        &self,
        viewer: &Viewer,
        handle: &str,
        q: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<ExpertView>> {
        let mut errors = Vec::new();
        super::search::check_words(q.unwrap_or("").trim(), &mut errors);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let (g, sight) = self.visible(viewer, handle).await?;
        if !sight.content {
            return Err(Error::Forbidden(Forbidden::GroupMembersOnly));
        }
        let lens = self.core.lens(viewer);
        let mut rows = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .core
                .store
                .group_members(g.id, Standing::Member, after, 1_000)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.member);
            let short = page.len() < 1_000;
            rows.extend(
                page.into_iter()
                    .filter(|r| r.in_directory && !lens.hides(r.member)),
            );
            if short {
                break;
            }
        }
        let ids: Vec<ProfileId> = rows.iter().map(|r| r.member).collect();
        let contributions: std::collections::HashMap<ProfileId, Contribution> = self
            .core
            .store
            .contributions(g.id, &ids)
            .await?
            .into_iter()
            .collect();
        let wanted = q
            .map(crate::search::fold)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let mut experts = Vec::with_capacity(rows.len());
        for r in rows {
            let (headline, skills) = self.visible_skills(&lens, r.member).await?;
            if let Some(w) = &wanted {
                let names = |t: &String| crate::search::fold(t).contains(w.as_str());
                if !skills.iter().any(names) && !r.expertise.iter().any(names) {
                    continue;
                }
            }
            let c = contributions.get(&r.member).copied().unwrap_or_default();
            experts.push(ExpertView {
                profile: self.member_ref(r.member).await?,
                role: r.membership.role,
                headline,
                skills,
                expertise: r.expertise,
                posts: c.posts,
                answers: c.answers,
                reactions: c.reactions,
            });
        }
        experts.sort_by(|a, b| {
            let score = |e: &ExpertView| e.posts * 3 + e.answers * 2 + e.reactions;
            score(b)
                .cmp(&score(a))
                .then_with(|| a.profile.name.cmp(&b.profile.name))
        });
        Page::bounded(experts, cursor, limit)
    }

    /// The groups the viewer is in, invited to or waiting for.
    pub async fn mine(&self, viewer: &Viewer) -> Result<Vec<GroupSummary>> {
        let me = self.core.me(viewer)?;
        let lens = self.core.lens(viewer);
        let mut out = Vec::new();
        for (id, m) in self.core.network.memberships_of(me) {
            if m.standing == Standing::Banned || lens.group(id).is_none() {
                continue;
            }
            if let Some(g) = self.core.store.group(id).await? {
                out.push(summary(g, Some(m.standing)));
            }
        }
        out.sort_by(|a, b| {
            (a.standing != Some(Standing::Member), &a.name)
                .cmp(&(b.standing != Some(Standing::Member), &b.name))
        });
        Ok(out)
    }

    /// Groups whose name, description or tags hold every word of `q`,
    /// among those the viewer may see (secret ones only for their members
    /// and invitees); his own first, then by name.
    pub async fn search(
        &self,
        viewer: &Viewer,
        q: &str,
        limit: usize,
    ) -> Result<Vec<GroupSummary>> {
        let words = crate::search::words(q);
        let lens = self.core.lens(viewer);
        let mut found = Vec::new();
        let mut after = None;
        loop {
            let page = self.core.store.groups_page(after, 1_000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            let short = page.len() < 1_000;
            for g in page {
                let Some(sight) = lens.group(g.id) else {
                    continue;
                };
                let haystack = crate::search::fold(&format!(
                    "{} {} {} {}",
                    g.name,
                    g.handle,
                    g.about,
                    g.tags.join(" ")
                ));
                if words.iter().all(|w| haystack.contains(w.as_str())) {
                    found.push(summary(g, sight.membership.map(|m| m.standing)));
                }
            }
            if short {
                break;
            }
        }
        found.sort_by(|a, b| {
            (a.standing != Some(Standing::Member), &a.name)
                .cmp(&(b.standing != Some(Standing::Member), &b.name))
        });
        found.truncate(limit);
        Ok(found)
    }

    /// Pins one of the group's posts, or unpins it (moderators).
    pub async fn pin(&self, viewer: &Viewer, handle: &str, post: i64, pinned: bool) -> Result<()> {
        viewer.require()?;
        let (g, sight) = self.visible(viewer, handle).await?;
        if !sight.moderates {
            return Err(Error::Forbidden(Forbidden::InsufficientRole));
        }
        let p = self.core.store.post(post).await?.ok_or(Error::NotFound)?;
        if p.group != Some(g.id) {
            return Err(Error::NotFound);
        }
        self.core
            .store
            .set_pinned(g.id, post, pinned, self.core.clock.now())
            .await
    }

    /// The ids of the group's pinned posts, for its members.
    pub async fn pinned(&self, viewer: &Viewer, handle: &str) -> Result<Vec<i64>> {
        let (g, sight) = self.visible(viewer, handle).await?;
        if !sight.content {
            return Ok(Vec::new());
        }
        self.core.store.pinned_posts(g.id).await
    }

    /// The group, if the viewer may know it exists, with what he may see.
    async fn visible(&self, viewer: &Viewer, handle: &str) -> Result<(Group, GroupSight)> {
        let g = self.core.group_by_handle(viewer, handle).await?;
        let sight = self.core.lens(viewer).group_or_not_found(g.id)?;
        Ok((g, sight))
    }

    /// The viewer's membership row: his own person's, or his page's that
    /// moderates or is a member.
    async fn my_row(&self, viewer: &Viewer, group: GroupId) -> Result<Option<MemberRow>> {
        let Some(me) = viewer.signed_in.as_ref() else {
            return Ok(None);
        };
        let profile = self
            .acting_member(viewer, group)
            .unwrap_or(me.identity.person);
        self.core.store.group_member(group, profile).await
    }

    /// The profile the viewer acts as in a group: his person, unless a page
    /// he posts for holds the better membership.
    fn acting_member(&self, viewer: &Viewer, group: GroupId) -> Result<ProfileId> {
        let me = viewer.require()?;
        let lens = self.core.lens(viewer);
        let best = lens.membership(group);
        if self.core.network.membership(group, me.identity.person) == best {
            return Ok(me.identity.person);
        }
        Ok(me
            .identity
            .operated
            .iter()
            .filter(|(_, role)| role.edits())
            .map(|(p, _)| *p)
            .find(|p| self.core.network.membership(group, *p) == best)
            .unwrap_or(me.identity.person))
    }

    /// How a member is named in the group (members are signed in, and a
    /// person's name is for members).
    async fn member_ref(&self, id: ProfileId) -> Result<ProfileRef> {
        if let Some(card) = self.core.network.card(id)
            && let Ok(handle) = Handle::parse(&card.handle)
        {
            return Ok(ProfileRef {
                handle,
                name: card.name.into(),
                kind: ProfileKind::Person,
                persona_of: None,
            });
        }
        let r = self
            .core
            .store
            .profile_ref(id)
            .await?
            .ok_or(Error::NotFound)?;
        self.core.labelled(id, r).await
    }

    /// A member's headline and skills as the viewer may see them.
    async fn visible_skills(
        &self,
        lens: &Lens,
        member: ProfileId,
    ) -> Result<(Option<String>, Vec<String>)> {
        let Some(relation) = lens.relation(member) else {
            return Ok((None, Vec::new()));
        };
        let Some(profile) = self.core.store.profile(member).await? else {
            return Ok((None, Vec::new()));
        };
        let view = self.core.build_view(&profile, relation).await?;
        Ok((
            view.headline.clone(),
            view.skills.clone().unwrap_or_default(),
        ))
    }
}

fn summary(g: Group, standing: Option<Standing>) -> GroupSummary {
    GroupSummary {
        handle: g.handle,
        name: g.name,
        kind: g.kind,
        about: g.about,
        tags: g.tags,
        cover: cover_url(g.cover),
        standing,
    }
}

fn cover_url(media: Option<i64>) -> Option<String> {
    media.map(|m| format!("/media/{m}"))
}

/// A checked text field; errors are gathered.
fn text(
    field: &str,
    raw: &str,
    max: usize,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> String {
    match crate::post::check_text(field, raw, max, required) {
        Ok(t) => t,
        Err(Error::Invalid(mut e)) => {
            errors.append(&mut e);
            String::new()
        }
        Err(_) => String::new(),
    }
}
