//! Accounts: the credentials of one human, tied to his person profile.

use crate::ids::{AccountId, ProfileId};
use crate::locale::Locale;
use crate::validate::{Email, Handle};
use serde::Deserialize;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub email: Email,
    pub password_hash: String,
    pub locale: Locale,
    /// The account's person profile (one per account).
    pub person: ProfileId,
    pub handle: Handle,
    pub name: String,
    /// Instance moderators work the instance's moderation queue (and see
    /// reported content through blocks).
    pub moderator: bool,
    /// Instance administrators run `/admin` (and moderate).
    pub admin: bool,
    /// Where a sign-up by approval stands; only approved accounts sign in.
    pub approval: Approval,
    pub created_at: OffsetDateTime,
}

/// Where a sign-up stands when the instance registers by approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Approval {
    #[default]
    Approved,
    Pending,
    Declined,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Approved => "approved",
            Approval::Pending => "pending",
            Approval::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approved" => Some(Approval::Approved),
            "pending" => Some(Approval::Pending),
            "declined" => Some(Approval::Declined),
            _ => None,
        }
    }
}

/// How visitors may sign up on this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegistrationMode {
    #[default]
    Open,
    /// With an invitation code an administrator handed out (each once).
    Invitation,
    /// Anyone may ask, answering the instance's question; an
    /// administrator approves or declines.
    Approval,
}

impl RegistrationMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Open => "open",
            RegistrationMode::Invitation => "invitation",
            RegistrationMode::Approval => "approval",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(RegistrationMode::Open),
            "invitation" => Some(RegistrationMode::Invitation),
            "approval" => Some(RegistrationMode::Approval),
            _ => None,
        }
    }
}

/// What a visitor sends to sign up (`POST /api/v1/accounts`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registration {
    pub email: String,
    pub password: String,
    pub handle: String,
    pub name: String,
    #[serde(default)]
    pub locale: Option<Locale>,
    /// The invitation code, when the instance signs up by invitation.
    #[serde(default)]
    pub code: Option<String>,
    /// The answer to the instance's question, when it signs up by approval.
    #[serde(default)]
    pub answer: Option<String>,
}

/// A validated registration, ready for the store.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub password_hash: String,
    pub handle: Handle,
    pub name: String,
    pub locale: Locale,
    pub created_at: OffsetDateTime,
    /// Approved at once, or waiting (sign-up by approval).
    pub approval: Approval,
    pub signup_answer: Option<String>,
    /// The invitation code it uses up (sign-up by invitation): refused as
    /// `Invalid` on `code` when unknown or already used.
    pub code: Option<String>,
}
