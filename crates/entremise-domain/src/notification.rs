//! Notifications: what a member is told of, in the app and by e-mail.
//!
//! A notification is derived from a change event by the notifications
//! projection (never written by a use case): one row per (recipient, kind,
//! object) while unread, gathering every actor ("Zoé and 4 others reacted
//! to your post"). Each row remembers the `seq` of the last event that
//! created or grew it, which orders the real-time stream and lets a stream
//! resume from an event id.

use crate::ids::ProfileId;
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
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 14] = [
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
