//! Notifications: what a member is told of, in the app and by e-mail.
//!
//! A notification is derived from a change event by the notifications
//! projection (never written by a use case): one row per (recipient, kind,
//! object) while unread, gathering every actor ("Zoé and 4 others reacted
//! to your post"). Each row remembers the `seq` of the last event that
//! created or grew it, which orders the real-time stream and lets a stream
//! resume from an event id.

use crate::events::{Change, Event};
use crate::ids::ProfileId;
use crate::introduction::IntroductionStatus;
use crate::page::Role;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What a notification is about. Each later feature adds its kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NotificationKind {
    ContactRequest,
    ContactAccepted,
    /// An introduction waits on the member (as intermediary or target).
    IntroductionWaiting,
    /// The member's introduction was passed on.
    IntroductionForwarded,
    IntroductionAccepted,
    IntroductionDeclined,
    Message,
    Comment,
    Reply,
    Reaction,
    Mention,
    Reshare,
    Follower,
    PositionConfirmed,
    /// An item of a page's follow-up inbox was given to the member.
    InboxAssigned,
    /// A moderator invited the member into a group.
    GroupInvited,
    /// A moderator accepted the member's request to join a group.
    GroupApproved,
    /// A new post in a group the member follows closely.
    GroupPost,
    /// A report the member filed was handled (what was decided, never by
    /// whom).
    ReportHandled,
    /// A moderation decision about the member or his content: what, why,
    /// and how to appeal.
    ModerationDecision,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 20] = [
        NotificationKind::ContactRequest,
        NotificationKind::ContactAccepted,
        NotificationKind::IntroductionWaiting,
        NotificationKind::IntroductionForwarded,
        NotificationKind::IntroductionAccepted,
        NotificationKind::IntroductionDeclined,
        NotificationKind::Message,
        NotificationKind::Comment,
        NotificationKind::Reply,
        NotificationKind::Reaction,
        NotificationKind::Mention,
        NotificationKind::Reshare,
        NotificationKind::Follower,
        NotificationKind::PositionConfirmed,
        NotificationKind::InboxAssigned,
        NotificationKind::GroupInvited,
        NotificationKind::GroupApproved,
        NotificationKind::GroupPost,
        NotificationKind::ReportHandled,
        NotificationKind::ModerationDecision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::ContactRequest => "contact_request",
            NotificationKind::ContactAccepted => "contact_accepted",
            NotificationKind::IntroductionWaiting => "introduction_waiting",
            NotificationKind::IntroductionForwarded => "introduction_forwarded",
            NotificationKind::IntroductionAccepted => "introduction_accepted",
            NotificationKind::IntroductionDeclined => "introduction_declined",
            NotificationKind::Message => "message",
            NotificationKind::Comment => "comment",
            NotificationKind::Reply => "reply",
            NotificationKind::Reaction => "reaction",
            NotificationKind::Mention => "mention",
            NotificationKind::Reshare => "reshare",
            NotificationKind::Follower => "follower",
            NotificationKind::PositionConfirmed => "position_confirmed",
            NotificationKind::InboxAssigned => "inbox_assigned",
            NotificationKind::GroupInvited => "group_invited",
            NotificationKind::GroupApproved => "group_approved",
            NotificationKind::GroupPost => "group_post",
            NotificationKind::ReportHandled => "report_handled",
            NotificationKind::ModerationDecision => "moderation_decision",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a notification points at (`object` in the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum NotificationObject {
    Post(i64),
    Comment(i64),
    Conversation(i64),
    ContactRequest(i64),
    Introduction(i64),
    Profile(ProfileId),
    Position(i64),
    InboxItem(i64),
    Group(crate::ids::GroupId),
    /// A line of the moderation log (a decision).
    Decision(i64),
}

/// One notification to create or grow, as the rules derive it from a
/// change: the recipient, the kind, who acted and on what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationDraft {
    pub recipient: ProfileId,
    pub kind: NotificationKind,
    pub actor: ProfileId,
    pub object: Option<NotificationObject>,
    /// The change event it comes from.
    pub seq: i64,
    pub at: OffsetDateTime,
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub recipient: ProfileId,
    pub kind: NotificationKind,
    /// Everyone who acted, most recent first.
    pub actors: Vec<ProfileId>,
    pub object: Option<NotificationObject>,
    pub created_at: OffsetDateTime,
    /// When an actor last joined it.
    pub updated_at: OffsetDateTime,
    pub read: bool,
    /// The last change event that created or grew it.
    pub seq: i64,
}

/// Who a notification goes to, as the rules first name him: a person, or a
/// page (or persona), whose managers with the right role are told in its
/// place (see [`Addressee::roles`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addressee {
    pub profile: ProfileId,
    pub kind: NotificationKind,
    pub actor: ProfileId,
    pub object: Option<NotificationObject>,
}

impl NotificationKind {
    /// Whether a manager holding `role` on a page is told of this kind on
    /// the page's behalf: a new follower is for every role (analysts read
    /// the page's audience), everything about the page's posts and
    /// mentions is for those who answer as the page (editors and above).
    pub fn for_page_role(self, role: Role) -> bool {
        match self {
            NotificationKind::Follower => true,
            NotificationKind::Comment
            | NotificationKind::Reply
            | NotificationKind::Reaction
            | NotificationKind::Mention
            | NotificationKind::Reshare
            | NotificationKind::ModerationDecision => role.edits(),
            _ => false,
        }
    }

    /// Whether the instance itself tells of it: the recipient stands as
    /// its actor (nobody else is named: not the moderator, never a
    /// reporter).
    pub fn from_the_instance(self) -> bool {
        matches!(
            self,
            NotificationKind::ReportHandled | NotificationKind::ModerationDecision
        )
    }

    /// Whether this kind is about a post the recipient must still be
    /// allowed to see (the post named by the object).
    pub fn concerns_a_post(self) -> bool {
        matches!(
            self,
            NotificationKind::Comment
                | NotificationKind::Reply
                | NotificationKind::Reaction
                | NotificationKind::Mention
                | NotificationKind::Reshare
                | NotificationKind::GroupPost
        )
    }
}

/// The notifications a change calls for, before privacy and settings:
/// who is told, of what, by whom, about what. `mentioned` are the profiles
/// that a published post's or an added comment's text names with
/// `@handle` (the caller reads the text and resolves the handles; pass
/// nothing for other changes); `followers` are the members who follow
/// closely the group a published post went to (nothing otherwise).
///
/// Rules (each tested below):
/// - nobody is told of his own act (actor and addressee the same);
/// - a requester is told of his introduction's progress with the target as
///   the actor, never the intermediary who forwarded or declined it (the
///   requester may not be allowed to know him, PRIVACY.md);
/// - a member replied to on his own post is told once, of the reply;
/// - a member following a group closely is told of each new post in it,
///   not of a reshare within it, and once (of the mention) when the post
///   names him;
/// - a reaction taken back, an expiry, a refused or withdrawn request,
///   an unconfirmed position tell nobody.
pub fn addressees(
    change: &Change,
    mentioned: &[ProfileId],
    followers: &[ProfileId],
) -> Vec<Addressee> {
    use NotificationKind as K;
    use NotificationObject as O;
    let one = |profile, kind, actor, object| Addressee {
        profile,
        kind,
        actor,
        object: Some(object),
    };
    let mut out = Vec::new();
    match change {
        Change::ContactRequested { request, from, to } => {
            out.push(one(
                *to,
                K::ContactRequest,
                *from,
                O::ContactRequest(*request),
            ));
        }
        Change::ContactRequestDecided {
            from,
            to,
            accepted: true,
            ..
        } => out.push(one(*from, K::ContactAccepted, *to, O::Profile(*to))),
        Change::IntroductionRequested {
            introduction,
            requester,
            next,
            ..
        } => out.push(one(
            *next,
            K::IntroductionWaiting,
            *requester,
            O::Introduction(*introduction),
        )),
        Change::IntroductionAdvanced {
            introduction,
            requester,
            target,
            status,
            next,
            ..
        } => {
            let object = O::Introduction(*introduction);
            match status {
                IntroductionStatus::Forwarded => {
                    if let Some(next) = next {
                        out.push(one(*next, K::IntroductionWaiting, *requester, object));
                    }
                    out.push(one(*requester, K::IntroductionForwarded, *target, object));
                }
                IntroductionStatus::Accepted => {
                    out.push(one(*requester, K::IntroductionAccepted, *target, object));
                }
                IntroductionStatus::Declined => {
                    out.push(one(*requester, K::IntroductionDeclined, *target, object));
                }
                IntroductionStatus::Pending | IntroductionStatus::Expired => {}
            }
        }
        Change::MessagePosted {
            conversation,
            author,
            members,
            ..
        } => {
            for m in members {
                out.push(one(*m, K::Message, *author, O::Conversation(*conversation)));
            }
        }
        Change::CommentAdded {
            held: true,
            post,
            post_author,
            author,
            ..
        } => out.push(one(*post_author, K::Comment, *author, O::Post(*post))),
        Change::CommentReleased {
            post,
            post_author,
            author,
            parent,
            ..
        } => {
            // The post's profile was told when it came; the others now.
            let replied = parent.map(|(_, a)| a).filter(|a| a != post_author);
            if let Some(parent_author) = replied {
                out.push(one(parent_author, K::Reply, *author, O::Post(*post)));
            }
            for m in mentioned {
                if Some(*m) != replied && m != post_author {
                    out.push(one(*m, K::Mention, *author, O::Post(*post)));
                }
            }
        }
        Change::CommentAdded {
            post,
            post_author,
            author,
            parent,
            ..
        } => {
            let replied = parent.map(|(_, a)| a);
            if let Some(parent_author) = replied {
                out.push(one(parent_author, K::Reply, *author, O::Post(*post)));
            }
            if replied != Some(*post_author) {
                out.push(one(*post_author, K::Comment, *author, O::Post(*post)));
            }
            for m in mentioned {
                if Some(*m) != replied && m != post_author {
                    out.push(one(*m, K::Mention, *author, O::Post(*post)));
                }
            }
        }
        Change::ReactionSet {
            post,
            post_author,
            member,
            kind: Some(_),
        } => out.push(one(*post_author, K::Reaction, *member, O::Post(*post))),
        Change::PostPublished {
            post,
            author,
            reshare_of,
            group,
            ..
        } => {
            if let Some((original, original_author)) = reshare_of {
                out.push(one(
                    *original_author,
                    K::Reshare,
                    *author,
                    O::Post(*original),
                ));
            }
            for m in mentioned {
                out.push(one(*m, K::Mention, *author, O::Post(*post)));
            }
            if group.is_some() && reshare_of.is_none() {
                for f in followers.iter().filter(|f| !mentioned.contains(f)) {
                    out.push(one(*f, K::GroupPost, *author, O::Post(*post)));
                }
            }
        }
        Change::InboxActed {
            item,
            actor,
            act: crate::inbox::InboxAct::Assign { to: Some(to) },
            ..
        } => out.push(one(*to, K::InboxAssigned, *actor, O::InboxItem(*item))),
        Change::Followed { follower, page } => {
            out.push(one(*page, K::Follower, *follower, O::Profile(*page)));
        }
        Change::GroupMembershipChanged {
            group,
            member,
            actor,
            before,
            after,
        } => {
            use crate::group::Standing;
            let standing = |m: &Option<crate::group::Membership>| m.map(|m| m.standing);
            match (standing(before), standing(after)) {
                (None, Some(Standing::Invited)) => {
                    out.push(one(*member, K::GroupInvited, *actor, O::Group(*group)));
                }
                (Some(Standing::Pending), Some(Standing::Member)) => {
                    out.push(one(*member, K::GroupApproved, *actor, O::Group(*group)));
                }
                _ => {}
            }
        }
        Change::PositionChanged {
            person,
            position,
            organization: Some(org),
            confirmed: Some(true),
        } => out.push(one(
            *person,
            K::PositionConfirmed,
            *org,
            O::Position(position.0),
        )),
        Change::ReportDecided {
            entry,
            action,
            member,
            reporters,
            ..
        } => {
            for r in reporters.iter().filter(|r| *r != member) {
                out.push(one(*r, K::ReportHandled, *r, O::Decision(*entry)));
            }
            if *action != crate::moderation::Action::Dismiss {
                out.push(one(
                    *member,
                    K::ModerationDecision,
                    *member,
                    O::Decision(*entry),
                ));
            }
        }
        _ => {}
    }
    out.retain(|a| a.profile != a.actor || a.kind.from_the_instance());
    out
}

/// The draft for one person told of `a` by the event `event`, unless he
/// is the actor himself (a manager acting as the page he is told for).
pub fn draft(a: &Addressee, recipient: ProfileId, event: &Event) -> Option<NotificationDraft> {
    (recipient != a.actor || (a.kind.from_the_instance() && recipient == a.profile)).then_some(
        NotificationDraft {
            recipient,
            kind: a.kind,
            actor: a.actor,
            object: a.object,
            seq: event.seq,
            at: event.at,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PositionId;
    use crate::post::ReactionKind;
    use crate::privacy::Audience;
    use NotificationKind as K;
    use NotificationObject as O;

    const ADA: ProfileId = ProfileId(1);
    const BOB: ProfileId = ProfileId(2);
    const CAROL: ProfileId = ProfileId(3);
    const DAN: ProfileId = ProfileId(4);
    const PAGE: ProfileId = ProfileId(10);

    /// Who is told, of what, by whom, about what.
    type Told = (ProfileId, K, ProfileId, O);

    fn told(change: Change, mentioned: &[ProfileId]) -> Vec<Told> {
        addressees(&change, mentioned, &[])
            .into_iter()
            .map(|a| (a.profile, a.kind, a.actor, a.object.unwrap()))
            .collect()
    }

    #[test]
    fn close_followers_are_told_of_each_new_post_in_their_group() {
        let g = crate::ids::GroupId(7);
        let at = time::macros::datetime!(2026-12-07 10:00 UTC);
        let published = |group, reshare_of| Change::PostPublished {
            post: 40,
            author: ADA,
            audience: Audience::OnlyMe,
            group,
            published_at: at,
            reshare_of,
        };
        let tell = |change: Change, mentioned: &[ProfileId], followers: &[ProfileId]| {
            addressees(&change, mentioned, followers)
                .into_iter()
                .map(|a| (a.profile, a.kind, a.actor, a.object.unwrap()))
                .collect::<Vec<_>>()
        };
        // Each follower but the author; one named in the post is told once,
        // of the mention.
        assert_eq!(
            tell(published(Some(g), None), &[CAROL], &[ADA, BOB, CAROL]),
            [
                (CAROL, K::Mention, ADA, O::Post(40)),
                (BOB, K::GroupPost, ADA, O::Post(40)),
            ]
        );
        // A reshare within the group, or a post outside any group, tells
        // no follower.
        assert!(
            tell(published(Some(g), Some((39, DAN))), &[], &[BOB])
                .iter()
                .all(|t| t.1 != K::GroupPost)
        );
        assert!(tell(published(None, None), &[], &[BOB]).is_empty());
    }

    #[test]
    fn decisions_tell_the_member_and_the_reporters_naming_nobody() {
        use crate::moderation::{Action, TargetKind};
        let decided = |action| Change::ReportDecided {
            entry: 9,
            scope: "instance".into(),
            action,
            kind: TargetKind::Comment,
            target: 3,
            member: BOB,
            reports: vec![1, 2],
            reporters: vec![ADA, CAROL],
        };
        let told = |c: Change| {
            addressees(&c, &[], &[])
                .into_iter()
                .map(|a| (a.profile, a.kind, a.actor))
                .collect::<Vec<_>>()
        };
        // Each stands as his own actor: no moderator, no reporter named.
        assert_eq!(
            told(decided(Action::Hide)),
            [
                (ADA, K::ReportHandled, ADA),
                (CAROL, K::ReportHandled, CAROL),
                (BOB, K::ModerationDecision, BOB),
            ]
        );
        // A dismissal tells the reporters only.
        assert_eq!(
            told(decided(Action::Dismiss)),
            [
                (ADA, K::ReportHandled, ADA),
                (CAROL, K::ReportHandled, CAROL)
            ]
        );
        // A draft goes to the named recipient himself.
        let a = addressees(&decided(Action::Warn), &[], &[])[2];
        let event = Event {
            seq: 5,
            at: time::macros::datetime!(2026-12-07 10:00 UTC),
            change: decided(Action::Warn),
        };
        assert_eq!(draft(&a, BOB, &event).map(|d| d.actor), Some(BOB));
    }

    #[test]
    fn group_invitations_and_approvals_tell_the_member() {
        use crate::group::{Membership, Standing};
        let g = crate::ids::GroupId(7);
        let change = |before, after, actor| Change::GroupMembershipChanged {
            group: g,
            member: BOB,
            actor,
            before,
            after,
        };
        let pending = Some(Membership::of(Standing::Pending));
        let invited = Some(Membership::of(Standing::Invited));
        let member = Some(Membership::MEMBER);
        assert_eq!(
            told(change(None, invited, ADA), &[]),
            [(BOB, K::GroupInvited, ADA, O::Group(g))]
        );
        assert_eq!(
            told(change(pending, member, ADA), &[]),
            [(BOB, K::GroupApproved, ADA, O::Group(g))]
        );
        // Asking, joining an open group, accepting an invitation, leaving,
        // being declined or banned tell nobody.
        for (before, after, actor) in [
            (None, pending, BOB),
            (None, member, BOB),
            (invited, member, BOB),
            (member, None, BOB),
            (pending, None, ADA),
            (member, Some(Membership::of(Standing::Banned)), ADA),
        ] {
            assert!(told(change(before, after, actor), &[]).is_empty());
        }
    }

    #[test]
    fn each_change_tells_whom_the_rules_say() {
        let published = time::macros::datetime!(2026-12-07 10:00 UTC);
        let table: Vec<(Change, Vec<ProfileId>, Vec<Told>)> = vec![
            (
                Change::ContactRequested {
                    request: 5,
                    from: ADA,
                    to: BOB,
                },
                vec![],
                vec![(BOB, K::ContactRequest, ADA, O::ContactRequest(5))],
            ),
            (
                Change::ContactRequestDecided {
                    request: 5,
                    from: ADA,
                    to: BOB,
                    accepted: true,
                    withdrawn: false,
                },
                vec![],
                vec![(ADA, K::ContactAccepted, BOB, O::Profile(BOB))],
            ),
            (
                Change::ContactRequestDecided {
                    request: 5,
                    from: ADA,
                    to: BOB,
                    accepted: false,
                    withdrawn: false,
                },
                vec![],
                vec![],
            ),
            (
                Change::IntroductionRequested {
                    introduction: 7,
                    requester: ADA,
                    target: CAROL,
                    next: BOB,
                },
                vec![],
                vec![(BOB, K::IntroductionWaiting, ADA, O::Introduction(7))],
            ),
            (
                Change::IntroductionAdvanced {
                    introduction: 7,
                    requester: ADA,
                    target: CAROL,
                    actor: Some(BOB),
                    status: IntroductionStatus::Forwarded,
                    next: Some(CAROL),
                },
                vec![],
                vec![
                    (CAROL, K::IntroductionWaiting, ADA, O::Introduction(7)),
                    (ADA, K::IntroductionForwarded, CAROL, O::Introduction(7)),
                ],
            ),
            (
                Change::IntroductionAdvanced {
                    introduction: 7,
                    requester: ADA,
                    target: CAROL,
                    actor: Some(CAROL),
                    status: IntroductionStatus::Accepted,
                    next: None,
                },
                vec![],
                vec![(ADA, K::IntroductionAccepted, CAROL, O::Introduction(7))],
            ),
            // An intermediary declined: the requester is told, with the
            // target as the actor, never the intermediary.
            (
                Change::IntroductionAdvanced {
                    introduction: 7,
                    requester: ADA,
                    target: CAROL,
                    actor: Some(BOB),
                    status: IntroductionStatus::Declined,
                    next: None,
                },
                vec![],
                vec![(ADA, K::IntroductionDeclined, CAROL, O::Introduction(7))],
            ),
            (
                Change::IntroductionAdvanced {
                    introduction: 7,
                    requester: ADA,
                    target: CAROL,
                    actor: None,
                    status: IntroductionStatus::Expired,
                    next: None,
                },
                vec![],
                vec![],
            ),
            (
                Change::MessagePosted {
                    conversation: 3,
                    message: 9,
                    author: ADA,
                    members: vec![ADA, BOB, CAROL],
                },
                vec![],
                vec![
                    (BOB, K::Message, ADA, O::Conversation(3)),
                    (CAROL, K::Message, ADA, O::Conversation(3)),
                ],
            ),
            (
                Change::CommentAdded {
                    post: 4,
                    post_author: ADA,
                    comment: 8,
                    author: BOB,
                    parent: None,
                    held: false,
                },
                vec![CAROL, ADA],
                vec![
                    (ADA, K::Comment, BOB, O::Post(4)),
                    (CAROL, K::Mention, BOB, O::Post(4)),
                ],
            ),
            // A reply to the post's author on his post: one notification.
            (
                Change::CommentAdded {
                    post: 4,
                    post_author: ADA,
                    comment: 8,
                    author: BOB,
                    parent: Some((6, ADA)),
                    held: false,
                },
                vec![],
                vec![(ADA, K::Reply, BOB, O::Post(4))],
            ),
            (
                Change::CommentAdded {
                    post: 4,
                    post_author: ADA,
                    comment: 8,
                    author: BOB,
                    parent: Some((6, CAROL)),
                    held: false,
                },
                vec![],
                vec![
                    (CAROL, K::Reply, BOB, O::Post(4)),
                    (ADA, K::Comment, BOB, O::Post(4)),
                ],
            ),
            // One's own comment on one's own post, mentioning oneself.
            (
                Change::CommentAdded {
                    post: 4,
                    post_author: ADA,
                    comment: 8,
                    author: ADA,
                    parent: Some((6, ADA)),
                    held: false,
                },
                vec![ADA],
                vec![],
            ),
            (
                Change::ReactionSet {
                    post: 4,
                    post_author: ADA,
                    member: BOB,
                    kind: Some(ReactionKind::Like),
                },
                vec![],
                vec![(ADA, K::Reaction, BOB, O::Post(4))],
            ),
            (
                Change::ReactionSet {
                    post: 4,
                    post_author: ADA,
                    member: BOB,
                    kind: None,
                },
                vec![],
                vec![],
            ),
            (
                Change::ReactionSet {
                    post: 4,
                    post_author: ADA,
                    member: ADA,
                    kind: Some(ReactionKind::Like),
                },
                vec![],
                vec![],
            ),
            (
                Change::PostPublished {
                    post: 12,
                    author: BOB,
                    audience: Audience::Members,
                    group: None,
                    published_at: published,
                    reshare_of: Some((4, ADA)),
                },
                vec![DAN, BOB],
                vec![
                    (ADA, K::Reshare, BOB, O::Post(4)),
                    (DAN, K::Mention, BOB, O::Post(12)),
                ],
            ),
            (
                Change::Followed {
                    follower: BOB,
                    page: PAGE,
                },
                vec![],
                vec![(PAGE, K::Follower, BOB, O::Profile(PAGE))],
            ),
            (
                Change::PositionChanged {
                    person: ADA,
                    position: PositionId(2),
                    organization: Some(PAGE),
                    confirmed: Some(true),
                },
                vec![],
                vec![(ADA, K::PositionConfirmed, PAGE, O::Position(2))],
            ),
            (
                Change::PositionChanged {
                    person: ADA,
                    position: PositionId(2),
                    organization: Some(PAGE),
                    confirmed: Some(false),
                },
                vec![],
                vec![],
            ),
            (
                Change::Blocked {
                    blocker: ADA,
                    blocked: BOB,
                },
                vec![],
                vec![],
            ),
        ];
        for (change, mentioned, want) in table {
            assert_eq!(told(change.clone(), &mentioned), want, "{change:?}");
        }
    }

    #[test]
    fn a_manager_is_not_told_of_what_he_did_as_the_page() {
        let event = Event {
            seq: 3,
            at: time::macros::datetime!(2026-12-07 10:00 UTC),
            change: Change::ReactionSet {
                post: 4,
                post_author: PAGE,
                member: BOB,
                kind: Some(ReactionKind::Like),
            },
        };
        let a = addressees(&event.change, &[], &[]);
        assert_eq!(a.len(), 1);
        assert_eq!(draft(&a[0], BOB, &event), None, "bob reacted himself");
        let d = draft(&a[0], CAROL, &event).unwrap();
        assert_eq!((d.recipient, d.actor, d.seq), (CAROL, BOB, 3));
    }

    #[test]
    fn page_roles_hear_of_what_they_answer_for() {
        use Role as R;
        let table = [
            (K::Follower, [true, true, true, true]),
            (K::Comment, [true, true, true, false]),
            (K::Reaction, [true, true, true, false]),
            (K::Mention, [true, true, true, false]),
            (K::Reshare, [true, true, true, false]),
            (K::Message, [false, false, false, false]),
        ];
        for (kind, row) in table {
            for (role, want) in [R::Owner, R::Admin, R::Editor, R::Analyst]
                .into_iter()
                .zip(row)
            {
                assert_eq!(kind.for_page_role(role), want, "{kind:?} {role:?}");
            }
        }
    }

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(NotificationKind::parse("nope"), None);
    }
}
