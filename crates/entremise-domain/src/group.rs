//! Groups (hubs): what a group and a membership are, and the pure rules of
//! seeing, joining and running one.
//!
//! A group is **open** (anyone joins), **closed** (a member asks, a
//! moderator approves) or **secret** (by invitation; invisible to anyone
//! who is neither a member nor invited, and answering like a missing one).
//! A profile (a person, or a page its team acts as) holds at most one
//! [`Membership`] per group: a [`Standing`] and a [`GroupRole`].
//!
//! Invariants (table-tested below; the lens asks [`sees_group`] and
//! [`sees_content`], the services [`join`], [`moderate`] and [`leave`]):
//! - only a member sees a group's posts, members, directory and counters;
//! - a secret group is seen by its members and invitees only; a member
//!   banned from it no longer sees it;
//! - a moderator acts only on members he outranks; roles are set by
//!   owners; a group always keeps an owner.

use crate::error::{Error, Forbidden, Result};
use crate::ids::{GroupId, ProfileId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Longest group name, description and rules, in characters.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_ABOUT_CHARS: usize = 2_000;
pub const MAX_RULES_CHARS: usize = 2_000;
/// Tags of a group, and expertise tags of a member in a group.
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_CHARS: usize = 40;

/// Who may join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GroupKind {
    /// Anyone signed in joins.
    Open,
    /// Membership is asked for and approved by a moderator.
    Closed,
    /// By invitation; invisible to everyone else.
    Secret,
}

impl GroupKind {
    pub const ALL: [GroupKind; 3] = [Self::Open, Self::Closed, Self::Secret];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Secret => "secret",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A member's role, most powerful first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GroupRole {
    Owner,
    Moderator,
    Member,
}

impl GroupRole {
    pub const ALL: [GroupRole; 3] = [Self::Owner, Self::Moderator, Self::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Moderator => "moderator",
            Self::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Approves, invites, removes, bans, pins.
    pub fn moderates(self) -> bool {
        matches!(self, Self::Owner | Self::Moderator)
    }
}

/// Where a profile stands with a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Standing {
    Member,
    /// Asked to join a closed group; a moderator decides.
    Pending,
    /// Invited by a moderator; joins by accepting.
    Invited,
    /// Removed and kept out: may neither join nor ask again.
    Banned,
}

impl Standing {
    pub const ALL: [Standing; 4] = [Self::Member, Self::Pending, Self::Invited, Self::Banned];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Pending => "pending",
            Self::Invited => "invited",
            Self::Banned => "banned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A profile's standing and role in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Membership {
    pub standing: Standing,
    pub role: GroupRole,
}

impl Membership {
    pub const MEMBER: Self = Self {
        standing: Standing::Member,
        role: GroupRole::Member,
    };

    pub fn of(standing: Standing) -> Self {
        Self {
            standing,
            role: GroupRole::Member,
        }
    }

    /// A member in good standing whose role moderates.
    pub fn moderates(self) -> bool {
        self.standing == Standing::Member && self.role.moderates()
    }
}

/// A stored group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: GroupId,
    pub handle: String,
    pub name: String,
    pub kind: GroupKind,
    pub about: String,
    pub rules: String,
    /// Lowercase topic tags.
    pub tags: Vec<String>,
    /// The profile that created it (a person, or a page).
    pub created_by: ProfileId,
    pub created_at: OffsetDateTime,
    /// Its cover image (a media id), shown to whoever may see the group.
    pub cover: Option<i64>,
}

/// How a group is named where it appears (a post in it, a search hit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupRef {
    pub handle: String,
    pub name: String,
}

/// A membership as stored, with the member's own settings in the group.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub group: GroupId,
    pub member: ProfileId,
    pub membership: Membership,
    /// Lowercase expertise tags the member shows in this group.
    pub expertise: Vec<String>,
    /// Shown in the group's expert directory (the member may opt out).
    pub in_directory: bool,
    /// The group's posts stay out of his home feed.
    pub muted: bool,
    /// He follows the group closely: told of each new post in it.
    pub closely: bool,
    pub since: OffsetDateTime,
}

/// A member's own settings in a group, as he sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSettings {
    /// Lowercase expertise tags (see [`check_expertise`]).
    pub expertise: Vec<String>,
    pub in_directory: bool,
    pub muted: bool,
    pub closely: bool,
}

/// Whether a viewer standing so may see that the group exists: its page,
/// its name in search and on profiles. A secret group is seen by its
/// members and invitees only.
pub fn sees_group(kind: GroupKind, standing: Option<Standing>) -> bool {
    match kind {
        GroupKind::Open | GroupKind::Closed => true,
        GroupKind::Secret => matches!(standing, Some(Standing::Member | Standing::Invited)),
    }
}

/// Whether a viewer standing so may see what is inside: posts, members,
/// the expert directory, counters of members. Members only.
pub fn sees_content(standing: Option<Standing>) -> bool {
    standing == Some(Standing::Member)
}

/// What joining does for a profile standing so: an open group takes him,
/// a closed one records his request, an invitation is accepted. Joining
/// again answers the same standing.
pub fn join(kind: GroupKind, standing: Option<Standing>) -> Result<Standing> {
    match (kind, standing) {
        (_, Some(Standing::Member)) => Ok(Standing::Member),
        (_, Some(Standing::Invited)) => Ok(Standing::Member),
        (GroupKind::Secret, Some(Standing::Banned) | None) => Err(Error::NotFound),
        (_, Some(Standing::Banned)) => Err(Error::Forbidden(Forbidden::BannedFromGroup)),
        (_, Some(Standing::Pending)) => Ok(Standing::Pending),
        (GroupKind::Open, None) => Ok(Standing::Member),
        (GroupKind::Closed, None) => Ok(Standing::Pending),
    }
}

/// What a moderator does to a profile's membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GroupAct {
    /// Accepts a request to join.
    Approve,
    /// Turns a request down.
    Decline,
    /// Invites a profile (and accepts his pending request).
    Invite,
    /// Ends a membership or an invitation.
    Remove,
    /// Removes and keeps out.
    Ban,
    /// Lifts a ban.
    Unban,
    /// Owners only: makes a member a moderator, an owner, or a plain member.
    SetRole(GroupRole),
}

impl GroupAct {
    /// The act's name in URLs and forms (`role` acts are named by role).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Decline => "decline",
            Self::Invite => "invite",
            Self::Remove => "remove",
            Self::Ban => "ban",
            Self::Unban => "unban",
            Self::SetRole(GroupRole::Owner) => "make_owner",
            Self::SetRole(GroupRole::Moderator) => "make_moderator",
            Self::SetRole(GroupRole::Member) => "make_member",
        }
    }

    pub const ALL: [GroupAct; 9] = [
        Self::Approve,
        Self::Decline,
        Self::Invite,
        Self::Remove,
        Self::Ban,
        Self::Unban,
        Self::SetRole(GroupRole::Owner),
        Self::SetRole(GroupRole::Moderator),
        Self::SetRole(GroupRole::Member),
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// The membership `target` has after a moderator whose membership is
/// `actor` does `act` (`None`: no membership). `owners` counts the group's
/// owners, so that the last one is never demoted or removed.
pub fn moderate(
    actor: Option<Membership>,
    target: Option<Membership>,
    act: GroupAct,
    owners: usize,
) -> Result<Option<Membership>> {
    let Some(actor) = actor.filter(|a| a.moderates()) else {
        return Err(Error::Forbidden(Forbidden::InsufficientRole));
    };
    // A moderator acts on those he outranks; an owner on everyone but
    // (for removal) the last owner.
    let outranks = |t: Membership| actor.role == GroupRole::Owner || actor.role < t.role;
    let last_owner =
        |t: Membership| t.standing == Standing::Member && t.role == GroupRole::Owner && owners <= 1;
    let conflict = Err(Error::Conflict { field: "member" });
    match (act, target) {
        (GroupAct::Approve, Some(t)) if t.standing == Standing::Pending => {
            Ok(Some(Membership::MEMBER))
        }
        (GroupAct::Decline, Some(t)) if t.standing == Standing::Pending => Ok(None),
        (GroupAct::Approve | GroupAct::Decline, _) => Err(Error::NotFound),
        (GroupAct::Invite, None) => Ok(Some(Membership::of(Standing::Invited))),
        (GroupAct::Invite, Some(t)) => match t.standing {
            Standing::Pending => Ok(Some(Membership::MEMBER)),
            Standing::Invited => Ok(Some(t)),
            Standing::Member => conflict,
            Standing::Banned => Err(Error::Forbidden(Forbidden::BannedFromGroup)),
        },
        (GroupAct::Remove | GroupAct::Ban, Some(t)) if !outranks(t) => {
            Err(Error::Forbidden(Forbidden::InsufficientRole))
        }
        (GroupAct::Remove | GroupAct::Ban, Some(t)) if last_owner(t) => {
            Err(Error::Forbidden(Forbidden::LastOwner))
        }
        (GroupAct::Remove, Some(t)) if t.standing == Standing::Banned => conflict,
        (GroupAct::Remove, Some(_)) => Ok(None),
        (GroupAct::Remove, None) => Err(Error::NotFound),
        (GroupAct::Ban, _) => Ok(Some(Membership::of(Standing::Banned))),
        (GroupAct::Unban, Some(t)) if t.standing == Standing::Banned => Ok(None),
        (GroupAct::Unban, _) => Err(Error::NotFound),
        (GroupAct::SetRole(_), _) if actor.role != GroupRole::Owner => {
            Err(Error::Forbidden(Forbidden::InsufficientRole))
        }
        (GroupAct::SetRole(role), Some(t)) if t.standing == Standing::Member => {
            if t.role == GroupRole::Owner && role != GroupRole::Owner && owners <= 1 {
                return Err(Error::Forbidden(Forbidden::LastOwner));
            }
            Ok(Some(Membership {
                standing: Standing::Member,
                role,
            }))
        }
        (GroupAct::SetRole(_), _) => Err(Error::NotFound),
    }
}

/// Leaving (or declining an invitation, or withdrawing a request): the
/// last owner stays; a ban is not left.
pub fn leave(current: Option<Membership>, owners: usize) -> Result<()> {
    match current {
        None => Err(Error::NotFound),
        Some(m) if m.standing == Standing::Banned => Err(Error::NotFound),
        Some(m) if m.standing == Standing::Member && m.role == GroupRole::Owner && owners <= 1 => {
            Err(Error::Forbidden(Forbidden::LastOwner))
        }
        Some(_) => Ok(()),
    }
}

/// Checks and normalizes a group's topic tags: trimmed, without `#`,
/// lowercase, unique, [`MAX_TAGS`] of [`MAX_TAG_CHARS`] at most, letters,
/// digits, `-` and `_` and inner spaces.
pub fn check_tags(field: &str, raw: &[String]) -> Result<Vec<String>> {
    let lower: Vec<String> = raw.iter().map(|t| t.to_lowercase()).collect();
    check_labels(field, &lower)
}

/// Checks a member's expertise tags as [`check_tags`] does, keeping the
/// case he wrote them in ("TVA intracommunautaire"); two that differ only
/// by case are one.
pub fn check_expertise(field: &str, raw: &[String]) -> Result<Vec<String>> {
    check_labels(field, raw)
}

fn check_labels(field: &str, raw: &[String]) -> Result<Vec<String>> {
    let mut tags: Vec<String> = Vec::new();
    for t in raw {
        let t = t.trim().trim_start_matches('#').trim().to_owned();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > MAX_TAG_CHARS
            || !t
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' ' | '\''))
        {
            return Err(Error::invalid(
                field,
                "invalid",
                format!("a tag has at most {MAX_TAG_CHARS} letters, digits, spaces, - or _"),
            ));
        }
        if !tags.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
            tags.push(t);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(Error::invalid(
            field,
            "too_many",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use GroupKind::*;
    use Standing::*;

    #[test]
    fn who_sees_a_group_and_its_content() {
        let standings = [
            None,
            Some(Member),
            Some(Pending),
            Some(Invited),
            Some(Banned),
        ];
        // (kind, standing) -> (sees the group, sees inside)
        let table = [
            (
                Open,
                [true, true, true, true, true],
                [false, true, false, false, false],
            ),
            (
                Closed,
                [true, true, true, true, true],
                [false, true, false, false, false],
            ),
            (
                Secret,
                [false, true, false, true, false],
                [false, true, false, false, false],
            ),
        ];
        for (kind, group, content) in table {
            for (i, s) in standings.iter().enumerate() {
                assert_eq!(sees_group(kind, *s), group[i], "{kind:?} {s:?}");
                assert_eq!(sees_content(*s), content[i], "{kind:?} {s:?}");
            }
        }
    }

    #[test]
    fn joining_by_kind_and_standing() {
        assert_eq!(join(Open, None).unwrap(), Member);
        assert_eq!(join(Closed, None).unwrap(), Pending);
        assert!(matches!(join(Secret, None), Err(Error::NotFound)));
        for kind in GroupKind::ALL {
            assert_eq!(join(kind, Some(Invited)).unwrap(), Member);
            assert_eq!(join(kind, Some(Member)).unwrap(), Member);
        }
        assert_eq!(join(Closed, Some(Pending)).unwrap(), Pending);
        assert!(matches!(
            join(Open, Some(Banned)),
            Err(Error::Forbidden(Forbidden::BannedFromGroup))
        ));
        assert!(matches!(join(Secret, Some(Banned)), Err(Error::NotFound)));
    }

    fn m(standing: Standing, role: GroupRole) -> Option<Membership> {
        Some(Membership { standing, role })
    }

    #[test]
    fn moderation_follows_rank() {
        use GroupRole::{Member as M, Moderator, Owner};
        let owner = m(Member, Owner);
        let moderator = m(Member, Moderator);
        let plain = m(Member, M);
        // Plain members and outsiders moderate nothing.
        for actor in [None, plain, m(Pending, Owner), m(Banned, Moderator)] {
            assert!(moderate(actor, m(Pending, M), GroupAct::Approve, 1).is_err());
        }
        assert_eq!(
            moderate(moderator, m(Pending, M), GroupAct::Approve, 1).unwrap(),
            Some(Membership::MEMBER)
        );
        assert_eq!(
            moderate(moderator, m(Pending, M), GroupAct::Decline, 1).unwrap(),
            None
        );
        assert!(moderate(moderator, plain, GroupAct::Approve, 1).is_err());
        assert_eq!(
            moderate(moderator, None, GroupAct::Invite, 1).unwrap(),
            m(Invited, M)
        );
        assert_eq!(
            moderate(moderator, m(Pending, M), GroupAct::Invite, 1).unwrap(),
            Some(Membership::MEMBER)
        );
        assert!(moderate(moderator, m(Banned, M), GroupAct::Invite, 1).is_err());
        assert_eq!(
            moderate(moderator, plain, GroupAct::Remove, 1).unwrap(),
            None
        );
        assert_eq!(
            moderate(moderator, plain, GroupAct::Ban, 1).unwrap(),
            m(Banned, M)
        );
        // A moderator does not remove his peers or the owners.
        assert!(moderate(moderator, moderator, GroupAct::Remove, 1).is_err());
        assert!(moderate(moderator, owner, GroupAct::Ban, 2).is_err());
        assert!(moderate(owner, moderator, GroupAct::Ban, 1).is_ok());
        // Roles are the owners'; the last owner stays one.
        assert!(moderate(moderator, plain, GroupAct::SetRole(Moderator), 1).is_err());
        assert_eq!(
            moderate(owner, plain, GroupAct::SetRole(Moderator), 1).unwrap(),
            moderator
        );
        assert!(matches!(
            moderate(owner, owner, GroupAct::SetRole(M), 1),
            Err(Error::Forbidden(Forbidden::LastOwner))
        ));
        assert!(moderate(owner, owner, GroupAct::SetRole(M), 2).is_ok());
        assert!(matches!(
            moderate(owner, owner, GroupAct::Remove, 1),
            Err(Error::Forbidden(Forbidden::LastOwner))
        ));
        assert!(moderate(owner, m(Invited, M), GroupAct::SetRole(Owner), 2).is_err());
        assert_eq!(
            moderate(moderator, m(Banned, M), GroupAct::Unban, 1).unwrap(),
            None
        );
    }

    #[test]
    fn leaving() {
        use GroupRole::{Member as M, Owner};
        assert!(leave(m(Member, M), 1).is_ok());
        assert!(leave(m(Pending, M), 1).is_ok());
        assert!(leave(m(Invited, M), 1).is_ok());
        assert!(leave(m(Member, Owner), 1).is_err());
        assert!(leave(m(Member, Owner), 2).is_ok());
        assert!(leave(m(Banned, M), 1).is_err());
        assert!(leave(None, 1).is_err());
    }

    #[test]
    fn tags_are_normalized() {
        let t = check_tags(
            "tags",
            &["#Fiscalité".into(), " fiscalité ".into(), "PME".into()],
        );
        assert_eq!(t.unwrap(), ["fiscalité", "pme"]);
        assert!(check_tags("tags", &["a<b".into()]).is_err());
        let e = check_expertise(
            "expertise",
            &[
                "TVA intracommunautaire".into(),
                "tva Intracommunautaire".into(),
            ],
        );
        assert_eq!(e.unwrap(), ["TVA intracommunautaire"]);
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert!(check_tags("tags", &many).is_err());
    }
}
