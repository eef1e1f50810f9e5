//! Change events: what a write tells the rest of the system.
//!
//! Every write that others must learn of records one or more [`Change`]s in
//! the store's outbox **in the same transaction** as the change itself, with
//! a sequence number ([`Event::seq`]) that follows commit order. Nothing
//! derived from the store (the contact network, the timelines, the search
//! index, caches, notifications, real-time streams) is updated by a use
//! case: the [`Dispatcher`] reads the committed events in order and applies
//! each to every [`Projection`], each projection keeping its own cursor. A
//! projection that fails is retried from its cursor; one that lags past the
//! in-memory [`Bus`] reads the outbox ([`EventLog`]); at start a projection
//! resumes from its checkpoint (or from the point where it was loaded from
//! the store), so memory is never wider than the store.
//!
//! Invariants:
//! - an event exists iff its write committed (same transaction);
//! - `seq` grows with commit order, without reuse;
//! - applying an event twice, or a run of events again from an earlier
//!   cursor, leaves a projection as applying it once (projections are
//!   idempotent), which makes replay after a crash safe;
//! - the stored form is versioned ([`EVENT_VERSION`]): a build refuses
//!   events newer than it knows instead of misreading them.

mod bus;
mod dispatch;

pub use bus::Bus;
pub use dispatch::{Dispatcher, Projection, ProjectionState};

use crate::error::Result;
use crate::group::Membership;
use crate::ids::{AccountId, GroupId, PositionId, ProfileId, SessionId};
use crate::introduction::IntroductionStatus;
use crate::page::Role;
use crate::post::ReactionKind;
use crate::privacy::Audience;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The version of [`Change`]'s stored form written by this build.
pub const EVENT_VERSION: u32 = 1;

/// How long events are kept in the outbox (a stream may resume from any
/// of them); older ones are compacted once every projection has them.
pub const EVENTS_KEPT: time::Duration = time::Duration::days(7);

/// One committed change, as it is recorded in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// An account and its person profile were created.
    MemberJoined {
        account: AccountId,
        profile: ProfileId,
    },
    /// A profile's fields, audiences or settings changed (or a page,
    /// brand or persona was created).
    ProfileChanged {
        profile: ProfileId,
    },
    /// An account's own settings (language) changed.
    AccountChanged {
        account: AccountId,
    },
    /// A session ended (sign-out, revocation).
    SessionEnded {
        account: AccountId,
        session: SessionId,
    },
    /// Someone's role on a page was set or removed.
    PageRoleChanged {
        page: ProfileId,
        account: AccountId,
        role: Option<Role>,
    },
    /// A position was added, removed, confirmed or refused.
    PositionChanged {
        person: ProfileId,
        position: PositionId,
        organization: Option<ProfileId>,
        /// `Some(true)` when the organization confirmed it just now.
        confirmed: Option<bool>,
    },
    ContactRequested {
        request: i64,
        from: ProfileId,
        to: ProfileId,
    },
    ContactRequestDecided {
        request: i64,
        from: ProfileId,
        to: ProfileId,
        accepted: bool,
        /// Withdrawn by its sender (not decided by its addressee).
        #[serde(default)]
        withdrawn: bool,
    },
    ContactAdded {
        a: ProfileId,
        b: ProfileId,
    },
    ContactRemoved {
        a: ProfileId,
        b: ProfileId,
    },
    Blocked {
        blocker: ProfileId,
        blocked: ProfileId,
    },
    Unblocked {
        blocker: ProfileId,
        blocked: ProfileId,
    },
    IntroductionRequested {
        introduction: i64,
        requester: ProfileId,
        target: ProfileId,
        /// Who holds it now (the first intermediary).
        next: ProfileId,
    },
    /// An introduction was forwarded, accepted, declined or expired.
    IntroductionAdvanced {
        introduction: i64,
        requester: ProfileId,
        target: ProfileId,
        /// Who acted (`None` when it expired).
        actor: Option<ProfileId>,
        status: IntroductionStatus,
        /// Who holds it now, while it is open.
        next: Option<ProfileId>,
    },
    ConversationStarted {
        conversation: i64,
        members: Vec<ProfileId>,
    },
    MessagePosted {
        conversation: i64,
        message: i64,
        author: ProfileId,
        members: Vec<ProfileId>,
    },
    ConversationRead {
        conversation: i64,
        member: ProfileId,
        up_to: i64,
    },
    PostPublished {
        post: i64,
        author: ProfileId,
        audience: Audience,
        /// The group it was posted to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<crate::ids::GroupId>,
        #[serde(with = "time::serde::rfc3339")]
        published_at: OffsetDateTime,
        /// The post it reshares, with that post's author.
        reshare_of: Option<(i64, ProfileId)>,
    },
    PostEdited {
        post: i64,
        author: ProfileId,
    },
    PostDeleted {
        post: i64,
        author: ProfileId,
        /// The group it was posted to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<crate::ids::GroupId>,
    },
    CommentAdded {
        post: i64,
        post_author: ProfileId,
        comment: i64,
        author: ProfileId,
        /// The comment it answers, with that comment's author.
        parent: Option<(i64, ProfileId)>,
        /// Held for review by the page's keyword filters (only the page's
        /// team is told until it is published).
        #[serde(default)]
        held: bool,
    },
    /// A comment held for review was published by the page's team.
    CommentReleased {
        post: i64,
        post_author: ProfileId,
        comment: i64,
        author: ProfileId,
        parent: Option<(i64, ProfileId)>,
    },
    /// A member reacted to a post (`kind: None`: took his reaction back).
    ReactionSet {
        post: i64,
        post_author: ProfileId,
        member: ProfileId,
        kind: Option<ReactionKind>,
    },
    Followed {
        follower: ProfileId,
        page: ProfileId,
    },
    Unfollowed {
        follower: ProfileId,
        page: ProfileId,
    },
    /// A message through a page's contact form.
    ContactFormMessage {
        page: ProfileId,
        message: i64,
    },
    /// A team member (or the member himself) acted on an inbox item of
    /// `owner`'s.
    InboxActed {
        item: i64,
        owner: ProfileId,
        /// The account that acted (the audit trail's), and its person.
        account: AccountId,
        actor: ProfileId,
        act: crate::inbox::InboxAct,
    },
    /// A page's inbox settings (response target, reply default, keyword
    /// filters) changed.
    InboxSettingsChanged {
        page: ProfileId,
    },
    /// A group was created, or its name, description, rules or tags changed.
    GroupChanged {
        group: GroupId,
    },
    /// A membership began, changed or ended (`after: None`): a join, a
    /// request, an invitation, an approval, a role, a removal, a ban.
    GroupMembershipChanged {
        group: GroupId,
        member: ProfileId,
        /// Who acted: the member himself, or a moderator.
        actor: ProfileId,
        before: Option<Membership>,
        after: Option<Membership>,
    },
    /// A member's own settings in a group (mute, follow closely,
    /// expertise, directory).
    GroupMemberSettingsChanged {
        group: GroupId,
        member: ProfileId,
        muted: bool,
        #[serde(default)]
        closely: bool,
    },
    /// A member muted another (`on`), or lifted it; nobody else is told.
    MuteChanged {
        muter: ProfileId,
        muted: ProfileId,
        on: bool,
    },
    /// A member's muted words and hashtags changed.
    MutedWordsChanged {
        member: ProfileId,
    },
    /// A comment's author changed its text (the earlier one is kept).
    CommentEdited {
        post: i64,
        comment: i64,
        author: ProfileId,
    },
    /// A comment (and its replies) was deleted by its author, or by the
    /// team of the page whose post carries it.
    CommentDeleted {
        post: i64,
        comment: i64,
        author: ProfileId,
    },
    /// A post's or a comment's moderation state changed.
    ContentModerated {
        kind: crate::moderation::TargetKind,
        id: i64,
        /// The post (itself, or the one that carries the comment).
        post: i64,
        author: ProfileId,
        state: crate::moderation::ContentState,
    },
    /// A member reported something; `queues` are the queues it went to.
    ReportFiled {
        report: i64,
        reporter: ProfileId,
        member: ProfileId,
        queues: Vec<String>,
    },
    /// A queue decided on a target: every open report on it there is
    /// closed (`reports`, with their `reporters`) and `entry` is the line
    /// of the moderation log.
    ReportDecided {
        entry: i64,
        scope: String,
        action: crate::moderation::Action,
        kind: crate::moderation::TargetKind,
        target: i64,
        member: ProfileId,
        reports: Vec<i64>,
        reporters: Vec<ProfileId>,
    },
    /// The sanctions weighing on a member changed.
    SanctionChanged {
        member: ProfileId,
        sanction: crate::moderation::Sanction,
    },
}

impl Change {
    /// The snake-case name of the change, as stored next to its body.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::MemberJoined { .. } => "member_joined",
            Change::ProfileChanged { .. } => "profile_changed",
            Change::AccountChanged { .. } => "account_changed",
            Change::SessionEnded { .. } => "session_ended",
            Change::PageRoleChanged { .. } => "page_role_changed",
            Change::PositionChanged { .. } => "position_changed",
            Change::ContactRequested { .. } => "contact_requested",
            Change::ContactRequestDecided { .. } => "contact_request_decided",
            Change::ContactAdded { .. } => "contact_added",
            Change::ContactRemoved { .. } => "contact_removed",
            Change::Blocked { .. } => "blocked",
            Change::Unblocked { .. } => "unblocked",
            Change::IntroductionRequested { .. } => "introduction_requested",
            Change::IntroductionAdvanced { .. } => "introduction_advanced",
            Change::ConversationStarted { .. } => "conversation_started",
            Change::MessagePosted { .. } => "message_posted",
            Change::ConversationRead { .. } => "conversation_read",
            Change::PostPublished { .. } => "post_published",
            Change::PostEdited { .. } => "post_edited",
            Change::PostDeleted { .. } => "post_deleted",
            Change::CommentAdded { .. } => "comment_added",
            Change::CommentReleased { .. } => "comment_released",
            Change::ReactionSet { .. } => "reaction_set",
            Change::Followed { .. } => "followed",
            Change::Unfollowed { .. } => "unfollowed",
            Change::ContactFormMessage { .. } => "contact_form_message",
            Change::InboxActed { .. } => "inbox_acted",
            Change::InboxSettingsChanged { .. } => "inbox_settings_changed",
            Change::GroupChanged { .. } => "group_changed",
            Change::GroupMembershipChanged { .. } => "group_membership_changed",
            Change::GroupMemberSettingsChanged { .. } => "group_member_settings_changed",
            Change::MuteChanged { .. } => "mute_changed",
            Change::MutedWordsChanged { .. } => "muted_words_changed",
            Change::CommentEdited { .. } => "comment_edited",
            Change::CommentDeleted { .. } => "comment_deleted",
            Change::ContentModerated { .. } => "content_moderated",
            Change::ReportFiled { .. } => "report_filed",
            Change::ReportDecided { .. } => "report_decided",
            Change::SanctionChanged { .. } => "sanction_changed",
        }
    }

    /// The stored form: JSON, read back by [`Change::decode`].
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a change always serializes")
    }

    /// Reads a stored change written with `version`; refuses a version
    /// newer than this build's, naming it.
    pub fn decode(version: u32, body: &str) -> Result<Self> {
        if version > EVENT_VERSION {
            return Err(crate::Error::internal(format!(
                "event version {version} is newer than this build's ({EVENT_VERSION})"
            )));
        }
        serde_json::from_str(body)
            .map_err(|e| crate::Error::internal(format!("event body does not parse: {e}")))
    }
}

/// A committed change with its place in commit order.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Position in commit order, from 1, never reused.
    pub seq: i64,
    pub at: OffsetDateTime,
    pub change: Change,
}

/// The outbox, as the store keeps it: committed events in order, and each
/// persistent projection's checkpoint.
#[async_trait]
pub trait EventLog: Send + Sync {
    /// Events with `seq > after`, in order, at most `limit`.
    async fn events_after(&self, after: i64, limit: usize) -> Result<Vec<Event>>;
    /// The last committed event's `seq` (0 before any).
    async fn last_event_seq(&self) -> Result<i64>;
    /// The oldest event still kept, if any.
    async fn first_event_seq(&self) -> Result<Option<i64>>;
    /// Deletes events recorded before `before` whose `seq` is at most
    /// `up_to`; returns how many went.
    async fn compact_events(&self, before: OffsetDateTime, up_to: i64) -> Result<u64>;
    /// Where a persistent projection stopped (`None`: never ran here).
    async fn checkpoint(&self, projection: &str) -> Result<Option<i64>>;
    async fn set_checkpoint(&self, projection: &str, seq: i64) -> Result<()>;
    /// The node's bus on which this store publishes what it commits.
    fn bus(&self) -> &std::sync::Arc<Bus>;
    /// How long this store's operations took so far, when it measures
    /// them (for the operations endpoint; `None`: it does not).
    fn op_timings(&self) -> Option<&crate::timings::OpTimings> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_back_as_it_was_written() {
        let changes = [
            Change::ContactAdded {
                a: ProfileId(1),
                b: ProfileId(2),
            },
            Change::PostPublished {
                post: 7,
                author: ProfileId(3),
                audience: Audience::Contacts,
                group: None,
                published_at: time::macros::datetime!(2026-12-07 10:00 UTC),
                reshare_of: Some((5, ProfileId(4))),
            },
            Change::IntroductionAdvanced {
                introduction: 9,
                requester: ProfileId(1),
                target: ProfileId(3),
                actor: None,
                status: IntroductionStatus::Expired,
                next: None,
            },
        ];
        for c in changes {
            let body = c.encode();
            assert!(
                body.contains(&format!("\"type\":\"{}\"", c.kind())),
                "{body}"
            );
            assert_eq!(Change::decode(EVENT_VERSION, &body).unwrap(), c);
        }
    }

    #[test]
    fn a_newer_version_is_refused_not_misread() {
        let body = Change::ProfileChanged {
            profile: ProfileId(1),
        }
        .encode();
        assert!(Change::decode(EVENT_VERSION + 1, &body).is_err());
        assert!(Change::decode(EVENT_VERSION, "{\"type\":\"unknown\"}").is_err());
    }
}
