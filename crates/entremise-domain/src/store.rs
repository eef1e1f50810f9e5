//! The Store port, split per aggregate. Adapters: SQLite (embedded default);
//! PostgreSQL comes later and implements the same traits.
//!
//! Multi-row writes that must be atomic are one method owning its
//! transaction (`create_account` writes the account and its person profile).

use crate::account::{Account, NewAccount};
use crate::error::Result;
use crate::ids::{AccountId, OfficeId, PositionId, ProfileId, ServiceId, SessionId};
use crate::locale::Locale;
use crate::page::{AuditEntry, ContactMessage, Manager, Office, Role, Service};
use crate::profile::{Position, Profile, ProfileKind, ProfileRef};
use crate::session::{Session, SessionKind};
use crate::validate::Handle;
use async_trait::async_trait;
use time::OffsetDateTime;

/// One line to append to a page's audit trail, in the same transaction as
/// the write it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub page: ProfileId,
    pub actor: AccountId,
    pub action: &'static str,
    pub detail: String,
    pub at: OffsetDateTime,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates the account and its person profile atomically.
    /// `Conflict { field: "email" | "handle" }` when taken.
    async fn create_account(&self, new: NewAccount) -> Result<Account>;
    /// By [`crate::validate::Email::lookup_key`].
    async fn account_by_email(&self, email_key: &str) -> Result<Option<Account>>;
    async fn account(&self, id: AccountId) -> Result<Option<Account>>;
    async fn set_account_locale(&self, id: AccountId, locale: Locale) -> Result<()>;
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub account: AccountId,
    pub kind: SessionKind,
    pub token_hash: String,
    pub user_agent: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, new: NewSession) -> Result<Session>;
    /// The unexpired session with this token hash.
    async fn session_by_token_hash(
        &self,
        hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Session>>;
    async fn touch_session(&self, id: SessionId, now: OffsetDateTime) -> Result<()>;
    async fn sessions_of(&self, account: AccountId, now: OffsetDateTime) -> Result<Vec<Session>>;
    /// Deletes one of the account's sessions; false if it had none such.
    async fn delete_session(&self, account: AccountId, id: SessionId) -> Result<bool>;
}

#[derive(Debug, Clone)]
pub struct NewPosition {
    pub person: ProfileId,
    pub title: String,
    pub organization: Option<ProfileId>,
    pub organization_name: String,
    pub since_year: Option<i32>,
    pub until_year: Option<i32>,
}

#[async_trait]
pub trait ProfileStore: Send + Sync {
    async fn profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>>;
    async fn profile(&self, id: ProfileId) -> Result<Option<Profile>>;
    async fn profile_ref(&self, id: ProfileId) -> Result<Option<ProfileRef>>;
    /// Saves fields, audiences and settings; appends `audit` in the same
    /// transaction when the profile is a page.
    async fn save_profile(&self, profile: &Profile, audit: Option<AuditRecord>) -> Result<()>;
    /// Profiles in id order after `after`, for directories and exports.
    async fn list_profiles(
        &self,
        kind: Option<ProfileKind>,
        after: Option<ProfileId>,
        limit: usize,
    ) -> Result<Vec<Profile>>;
    async fn count_profiles(&self) -> Result<u64>;
    /// Whether either member blocks the other.
    async fn is_blocked(&self, a: ProfileId, b: ProfileId) -> Result<bool>;

    async fn positions_of(&self, person: ProfileId) -> Result<Vec<Position>>;
    /// Positions held at an organization, with their holders.
    async fn positions_at(&self, organization: ProfileId) -> Result<Vec<(Position, ProfileRef)>>;
    async fn add_position(&self, new: NewPosition) -> Result<Position>;
    async fn delete_position(&self, person: ProfileId, id: PositionId) -> Result<bool>;
    /// Sets the confirmation of a position held at `organization`.
    async fn confirm_position(
        &self,
        organization: ProfileId,
        id: PositionId,
        confirmed: bool,
        audit: AuditRecord,
    ) -> Result<bool>;
}

#[derive(Debug, Clone)]
pub struct NewPage {
    pub kind: ProfileKind,
    pub handle: Handle,
    pub name: String,
    pub parent: Option<ProfileId>,
    pub owner: AccountId,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewOffice {
    pub name: String,
    pub address: String,
    pub town: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewService {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewContactMessage {
    pub page: ProfileId,
    pub sender: Option<ProfileId>,
    pub name: String,
    pub email: String,
    pub message: String,
    pub created_at: OffsetDateTime,
}

#[async_trait]
pub trait PageStore: Send + Sync {
    /// Creates the page's profile and makes `owner` its owner, atomically.
    async fn create_page(&self, new: NewPage) -> Result<Profile>;
    /// Pages and personas this account operates, with its role.
    async fn roles_of_account(&self, account: AccountId) -> Result<Vec<(ProfileId, Role)>>;
    async fn role_of(&self, page: ProfileId, account: AccountId) -> Result<Option<Role>>;
    async fn managers(&self, page: ProfileId) -> Result<Vec<Manager>>;
    /// Grants, changes (`Some`) or revokes (`None`) a role. Refuses with
    /// `Forbidden(LastOwner)` a change that would leave the page without an
    /// owner, checked inside the transaction.
    async fn set_role(
        &self,
        page: ProfileId,
        account: AccountId,
        role: Option<Role>,
        audit: AuditRecord,
    ) -> Result<()>;
    /// Brands and personas whose parent is `organization`.
    async fn children(&self, organization: ProfileId) -> Result<Vec<ProfileRef>>;

    async fn offices(&self, page: ProfileId) -> Result<Vec<Office>>;
    async fn add_office(
        &self,
        page: ProfileId,
        new: NewOffice,
        audit: AuditRecord,
    ) -> Result<Office>;
    async fn delete_office(
        &self,
        page: ProfileId,
        id: OfficeId,
        audit: AuditRecord,
    ) -> Result<bool>;
    async fn services(&self, page: ProfileId) -> Result<Vec<Service>>;
    async fn add_service(
        &self,
        page: ProfileId,
        new: NewService,
        audit: AuditRecord,
    ) -> Result<Service>;
    async fn delete_service(
        &self,
        page: ProfileId,
        id: ServiceId,
        audit: AuditRecord,
    ) -> Result<bool>;

    async fn add_contact_message(&self, new: NewContactMessage) -> Result<ContactMessage>;
    async fn contact_messages(&self, page: ProfileId, limit: usize) -> Result<Vec<ContactMessage>>;
    async fn audit_log(&self, page: ProfileId, limit: usize) -> Result<Vec<AuditEntry>>;
}

/// Everything the domain needs from storage.
pub trait Store: AccountStore + SessionStore + ProfileStore + PageStore + 'static {}

impl<T: AccountStore + SessionStore + ProfileStore + PageStore + 'static> Store for T {}
