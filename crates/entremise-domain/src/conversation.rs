//! Conversations: one-to-one and small groups, messages, read state.

use crate::ids::ProfileId;
use crate::profile::ProfileRef;
use serde::Serialize;
use time::OffsetDateTime;

/// At most this many people in one conversation, its creator included.
pub const MAX_PARTICIPANTS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: i64,
    pub participants: Vec<ProfileId>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub conversation: i64,
    pub author: ProfileId,
    pub text: String,
    pub created_at: OffsetDateTime,
}

/// A conversation in a participant's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationEntry {
    pub conversation: Conversation,
    /// Its last message's time, else its creation's: the list's order.
    pub active_at: time::OffsetDateTime,
    pub last_message: Option<Message>,
    /// Messages of others after the participant's read mark.
    pub unread: u32,
}

/// A message as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(serialize_with = "crate::ids::id_as_string")]
    pub id: i64,
    pub author: ProfileRef,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A conversation as a participant sees it in his list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(serialize_with = "crate::ids::id_as_string")]
    pub id: i64,
    /// Everyone but the viewer.
    pub with: Vec<ProfileRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message: Option<MessageView>,
    pub unread: u32,
}

/// Interaction between a member and one of his contacts, for tie strength
/// and the network health page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub other: ProfileId,
    /// Messages exchanged in their one-to-one conversation.
    pub messages: u64,
    pub last_message_at: Option<OffsetDateTime>,
}
