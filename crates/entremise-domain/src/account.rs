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
    /// Instance moderators see through blocks.
    pub moderator: bool,
    pub created_at: OffsetDateTime,
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
}
