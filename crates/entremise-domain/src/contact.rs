//! Contacts, contact requests, invitation codes and blocks.

use crate::ids::ProfileId;
use crate::profile::ProfileRef;
use serde::Serialize;
use time::OffsetDateTime;

/// Where a contact request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
    Withdrawn,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Accepted,
            Self::Declined,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// How a contact request got through the target's gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestVia {
    /// The target's setting allows the requester.
    Setting,
    /// The requester quoted the target's exact e-mail address.
    Email,
    /// The requester used an invitation code the target handed out.
    InvitationCode,
    /// An introduction the target accepted.
    Introduction,
}

impl RequestVia {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Setting => "setting",
            Self::Email => "email",
            Self::InvitationCode => "invitation_code",
            Self::Introduction => "introduction",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Setting,
            Self::Email,
            Self::InvitationCode,
            Self::Introduction,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A stored contact request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRequest {
    pub id: i64,
    pub from: ProfileId,
    pub to: ProfileId,
    pub message: Option<String>,
    pub via: RequestVia,
    pub status: RequestStatus,
    pub created_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
}

/// A contact request as a side of it sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactRequestView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(serialize_with = "crate::ids::id_as_string")]
    pub id: i64,
    pub from: ProfileRef,
    pub to: ProfileRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub status: RequestStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An invitation code a member hands out (a link or a QR code on a card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationCode {
    pub code: String,
    #[serde(skip)]
    pub owner: ProfileId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub revoked_at: Option<OffsetDateTime>,
}

/// One of a member's contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactEntry {
    pub contact: ProfileId,
    pub since: OffsetDateTime,
}
