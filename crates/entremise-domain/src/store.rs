//! The Store port, split per aggregate. Adapters: SQLite (embedded default);
//! PostgreSQL comes later and implements the same traits.
//!
//! Multi-row writes that must be atomic are one method owning its
//! transaction (`create_account` writes the account and its person profile).

use crate::account::{Account, NewAccount};
use crate::error::Result;
use crate::ids::{AccountId, OfficeId, PositionId, ProfileId, ServiceId, SessionId};
use crate::locale::Locale;
pub use crate::mail::MailStore;
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
    /// Contact-form messages of a page, newest first (by time, then id),
    /// strictly after the position `before` when given.
    async fn contact_messages(
        &self,
        page: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit: usize,
    ) -> Result<Vec<ContactMessage>>;
    /// A page's audit trail, newest first (by time, then id), strictly
    /// after the position `before` when given.
    async fn audit_log(
        &self,
        page: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>>;
}

#[derive(Debug, Clone)]
pub struct NewContactRequest {
    pub from: ProfileId,
    pub to: ProfileId,
    pub message: Option<String>,
    pub via: crate::contact::RequestVia,
    pub created_at: OffsetDateTime,
}

/// Contacts, contact requests, invitation codes and blocks.
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// Every contact as `(a, b, since)` with `a < b`, in `(a, b)` order after
    /// `after`, a page at a time (loading the graph at start).
    async fn contacts_page(
        &self,
        after: Option<(ProfileId, ProfileId)>,
        limit: usize,
    ) -> Result<Vec<(ProfileId, ProfileId, OffsetDateTime)>>;
    async fn contacts_of(&self, member: ProfileId) -> Result<Vec<crate::contact::ContactEntry>>;
    /// The member's contacts with their handles, in handle order, strictly
    /// after `after` when given: a list shown a page at a time.
    async fn contacts_by_handle(
        &self,
        member: ProfileId,
        after: Option<Handle>,
        limit: usize,
    ) -> Result<Vec<(ProfileId, Handle)>>;
    async fn is_contact(&self, a: ProfileId, b: ProfileId) -> Result<bool>;
    /// Removes the contact (either order); false if there was none.
    async fn remove_contact(&self, a: ProfileId, b: ProfileId) -> Result<bool>;

    async fn create_contact_request(
        &self,
        new: NewContactRequest,
    ) -> Result<crate::contact::ContactRequest>;
    async fn contact_request(&self, id: i64) -> Result<Option<crate::contact::ContactRequest>>;
    /// A pending request from `from` to `to`, if any.
    async fn pending_request(
        &self,
        from: ProfileId,
        to: ProfileId,
    ) -> Result<Option<crate::contact::ContactRequest>>;
    /// Pending requests sent by (`outgoing`) or to the member, newest first.
    async fn pending_requests(
        &self,
        member: ProfileId,
        outgoing: bool,
    ) -> Result<Vec<crate::contact::ContactRequest>>;
    /// [`ContactStore::pending_requests`] a page at a time, strictly after
    /// the position `before` (time, id).
    async fn pending_requests_page(
        &self,
        member: ProfileId,
        outgoing: bool,
        before: Option<(OffsetDateTime, i64)>,
        limit: usize,
    ) -> Result<Vec<crate::contact::ContactRequest>>;
    /// Requests sent by `from` since `since` (any status), for the weekly quota.
    async fn count_requests_since(&self, from: ProfileId, since: OffsetDateTime) -> Result<u64>;
    /// When `to` last declined a request from `from`.
    async fn last_declined(&self, from: ProfileId, to: ProfileId)
    -> Result<Option<OffsetDateTime>>;
    /// Sets a pending request's status; on `Accepted` also makes the two
    /// contacts, in the same transaction. False if it was not pending.
    async fn decide_contact_request(
        &self,
        id: i64,
        status: crate::contact::RequestStatus,
        at: OffsetDateTime,
    ) -> Result<bool>;

    async fn create_invitation_code(
        &self,
        owner: ProfileId,
        code: &str,
        at: OffsetDateTime,
    ) -> Result<crate::contact::InvitationCode>;
    async fn invitation_code(&self, code: &str) -> Result<Option<crate::contact::InvitationCode>>;
    /// The owner's codes, revoked ones included, newest first (by time,
    /// then code), strictly after the position `before` when given.
    async fn invitation_codes_of(
        &self,
        owner: ProfileId,
        before: Option<(OffsetDateTime, String)>,
        limit: usize,
    ) -> Result<Vec<crate::contact::InvitationCode>>;
    /// Revokes one of the owner's codes; false if none such or already revoked.
    async fn revoke_invitation_code(
        &self,
        owner: ProfileId,
        code: &str,
        at: OffsetDateTime,
    ) -> Result<bool>;

    /// `blocker` blocks `blocked`, in one transaction: the block row, the
    /// contact removed, pending contact requests between them withdrawn,
    /// open introductions involving both declined.
    async fn block(&self, blocker: ProfileId, blocked: ProfileId, at: OffsetDateTime)
    -> Result<()>;
    /// False if there was no such block.
    async fn unblock(&self, blocker: ProfileId, blocked: ProfileId) -> Result<bool>;
    /// Members `blocker` blocks.
    async fn blocked_by(&self, blocker: ProfileId) -> Result<Vec<ProfileId>>;
    /// Every block as (blocker, blocked), for the in-memory filter.
    async fn all_blocks(&self) -> Result<Vec<(ProfileId, ProfileId)>>;
}

#[derive(Debug, Clone)]
pub struct NewIntroduction {
    pub requester: ProfileId,
    pub intermediaries: Vec<ProfileId>,
    pub target: ProfileId,
    /// The requester's notes, one per recipient (intermediaries and target).
    pub notes: Vec<crate::introduction::IntroductionNote>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// Relay record of an intermediary, for tie strength and network health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RelayStats {
    pub forwarded: u64,
    pub declined: u64,
    /// Introductions he forwarded that the target then accepted.
    pub accepted: u64,
}

#[async_trait]
pub trait IntroductionStore: Send + Sync {
    async fn create_introduction(
        &self,
        new: NewIntroduction,
    ) -> Result<crate::introduction::Introduction>;
    async fn introduction(&self, id: i64) -> Result<Option<crate::introduction::Introduction>>;
    /// Stores the transition `before` → `after` atomically: only if the
    /// stored one still equals `before` in step and status (else
    /// `Conflict { field: "status" }`), appending `after`'s new notes. When
    /// `after` is accepted, also makes requester and target contacts and
    /// opens a conversation between them, whose id is returned.
    async fn apply_introduction(
        &self,
        before: &crate::introduction::Introduction,
        after: &crate::introduction::Introduction,
    ) -> Result<Option<i64>>;
    /// Introductions the member is part of (any role), newest first (by
    /// time, then id), strictly after the position `before` when given.
    async fn introductions_of(
        &self,
        member: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit: usize,
    ) -> Result<Vec<crate::introduction::Introduction>>;
    /// Open introductions the member requested (for the pending bound).
    async fn count_open_introductions(
        &self,
        requester: ProfileId,
        now: OffsetDateTime,
    ) -> Result<u64>;
    /// Introductions the member requested since `since`, for the weekly quota.
    async fn count_introductions_since(
        &self,
        requester: ProfileId,
        since: OffsetDateTime,
    ) -> Result<u64>;
    /// The requester's open introduction to `target` (undecided and
    /// unexpired at `now`), if any.
    async fn open_introduction(
        &self,
        requester: ProfileId,
        target: ProfileId,
        now: OffsetDateTime,
    ) -> Result<Option<crate::introduction::Introduction>>;
    /// When an introduction from `requester` to `target` was last declined:
    /// by anyone on its path but the requester himself (whose own block
    /// declines his open introductions) when `by` is `None`, else by `by`.
    async fn last_declined_introduction(
        &self,
        requester: ProfileId,
        target: ProfileId,
        by: Option<ProfileId>,
    ) -> Result<Option<OffsetDateTime>>;
    /// How `intermediary` handled the introductions that reached him.
    async fn relay_stats(&self, intermediary: ProfileId) -> Result<RelayStats>;
    /// Per intermediary, how he handled `requester`'s introductions.
    async fn relays_for(&self, requester: ProfileId) -> Result<Vec<(ProfileId, RelayStats)>>;
}

#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Creates a conversation; for exactly two participants, returns the
    /// existing one-to-one conversation if there is one.
    async fn create_conversation(
        &self,
        participants: &[ProfileId],
        at: OffsetDateTime,
    ) -> Result<crate::conversation::Conversation>;
    async fn conversation(&self, id: i64) -> Result<Option<crate::conversation::Conversation>>;
    /// The member's conversations, most recently active first (by
    /// [`crate::conversation::ConversationEntry::active_at`], then id),
    /// strictly after the position `before` when given.
    async fn conversations_of(
        &self,
        member: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit: usize,
    ) -> Result<Vec<crate::conversation::ConversationEntry>>;
    /// Appends a message (durably) and moves the author's read mark to it.
    async fn add_message(
        &self,
        conversation: i64,
        author: ProfileId,
        text: &str,
        at: OffsetDateTime,
    ) -> Result<crate::conversation::Message>;
    /// Messages older than `before` (all when `None`), newest first.
    async fn messages(
        &self,
        conversation: i64,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<crate::conversation::Message>>;
    /// Moves the member's read mark forward to `up_to` (never backward).
    async fn mark_read(&self, conversation: i64, member: ProfileId, up_to: i64) -> Result<()>;
    /// Total unread messages over all the member's conversations.
    async fn unread_total(&self, member: ProfileId) -> Result<u64>;
    /// Messages the member exchanged one-to-one with each partner.
    async fn interactions_of(
        &self,
        member: ProfileId,
    ) -> Result<Vec<crate::conversation::Interaction>>;
}

/// A post to store. Its media must be unattached uploads of `operator`.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub author: ProfileId,
    pub operator: AccountId,
    pub audience: crate::privacy::Audience,
    /// The group whose members it is for (`audience` is then `only_me`).
    pub group: Option<crate::ids::GroupId>,
    pub text: String,
    pub reshare_of: Option<i64>,
    /// Uploaded media ids, in the order shown.
    pub media: Vec<i64>,
    pub created_at: OffsetDateTime,
    pub published_at: OffsetDateTime,
    pub replies: crate::post::ReplyControl,
}

#[derive(Debug, Clone)]
pub struct NewMedia {
    pub owner: AccountId,
    pub key: String,
    pub content_type: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    /// Bytes stored for it, every copy included (counted in its owner's quota).
    pub bytes: u64,
    pub created_at: OffsetDateTime,
}

/// What an account's uploads take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MediaUsage {
    /// Bytes of every upload it holds, attached or not.
    pub bytes: u64,
    /// Uploads no post holds yet.
    pub unattached: u64,
}

/// Posts with their counters for one viewer and his reactions to them.
#[derive(Debug, Clone, Default)]
pub struct PostBatch {
    pub posts: Vec<crate::post::Post>,
    pub counts: std::collections::HashMap<i64, StoredCounts>,
    pub mine: std::collections::HashMap<i64, crate::post::ReactionKind>,
}

/// What a post's counters leave out for one viewer. The domain builds it
/// from the privacy module; the store applies it without knowing why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountsFor {
    /// Members whose comments (and the replies under them), reactions and
    /// reshares are not counted.
    pub hidden: Vec<ProfileId>,
    /// Whether reshares with audience `members` are counted with the
    /// public ones; without, they are neither counted nor listed.
    pub signed_in: bool,
    /// Reshares published after this (scheduled) are neither counted nor
    /// listed.
    pub now: OffsetDateTime,
}

/// A post's counters as the store reads them for a [`CountsFor`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredCounts {
    pub reactions: u64,
    /// Replies included.
    pub comments: u64,
    /// Published reshares with audience `public` (and `members` when
    /// signed in).
    pub reshares: u64,
    /// Resharer and audience of each other published reshare (`network`,
    /// `contacts`…), listed only for a signed-in viewer: whether he may
    /// see it depends on his relation to the resharer, which only the
    /// privacy module knows.
    pub narrow_reshares: Vec<(ProfileId, crate::privacy::Audience)>,
}

/// Where a page of posts starts: strictly older than this (published at, id).
pub type PostCursor = (OffsetDateTime, i64);

#[async_trait]
pub trait PostStore: Send + Sync {
    async fn create_media(&self, new: NewMedia) -> Result<crate::post::Media>;
    async fn media(&self, id: i64) -> Result<Option<crate::post::Media>>;
    /// Stores a post and attaches its media, atomically: `Conflict { field:
    /// "media" }` when a media id is unknown, not the operator's, or
    /// already attached; nothing is stored then.
    async fn create_post(&self, new: NewPost) -> Result<crate::post::Post>;
    async fn post(&self, id: i64) -> Result<Option<crate::post::Post>>;
    /// Replaces the text, keeping the previous one in the history.
    async fn edit_post(&self, id: i64, text: &str, at: OffsetDateTime) -> Result<()>;
    /// Earlier versions, oldest first.
    async fn post_history(&self, id: i64) -> Result<Vec<crate::post::PostEdit>>;
    /// Deletes a post with its comments, reactions and media rows, and
    /// returns the content addresses its media used (for removal of the
    /// bytes once no other media row uses them).
    async fn delete_post(&self, id: i64) -> Result<Vec<String>>;
    /// Whether any media row still holds this content address.
    async fn media_key_in_use(&self, key: &str) -> Result<bool>;
    /// What `owner`'s uploads take.
    async fn media_usage(&self, owner: AccountId) -> Result<MediaUsage>;
    /// Up to `limit` uploads that no post or group holds, made before `before`,
    /// oldest first: `(id, content address)`.
    async fn unattached_media(
        &self,
        before: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<(i64, String)>>;
    /// Deletes an upload if no post or group holds it (a post may have taken it
    /// since it was listed); whether it was deleted.
    async fn delete_unattached_media(&self, id: i64) -> Result<bool>;
    /// Published posts (`published_at <= now`) of these authors, newest
    /// first, strictly before `before`.
    async fn posts_by(
        &self,
        authors: &[ProfileId],
        before: Option<PostCursor>,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<crate::post::Post>>;
    /// These posts, in the order asked; missing ones are left out.
    async fn posts(&self, ids: &[i64]) -> Result<Vec<crate::post::Post>>;
    /// [`PostStore::posts`], with their counters (as
    /// [`PostStore::post_counts`]) and `member`'s reactions to them, read
    /// together (one round trip for a feed page).
    async fn posts_with_counts(
        &self,
        ids: &[i64],
        member: Option<ProfileId>,
        counts_for: &CountsFor,
    ) -> Result<PostBatch> {
        let posts = self.posts(ids).await?;
        let counts = self.post_counts(ids, counts_for).await?;
        let mine = match member {
            Some(m) => self.reactions_of_member(ids, m).await?,
            None => Default::default(),
        };
        Ok(PostBatch {
            posts,
            counts,
            mine,
        })
    }
    /// Posts stored, scheduled ones included (the search index is checked
    /// against it at start).
    async fn count_posts(&self) -> Result<u64>;
    /// What the feed keeps in memory of every post (scheduled ones
    /// included), by id, strictly after `after`: read page by page at start.
    async fn post_keys(
        &self,
        after: Option<i64>,
        limit: usize,
    ) -> Result<
        Vec<(
            ProfileId,
            Option<crate::ids::GroupId>,
            crate::timeline::PostKey,
        )>,
    >;
    /// Posts scheduled for later, of one author.
    async fn scheduled_posts(
        &self,
        author: ProfileId,
        now: OffsetDateTime,
    ) -> Result<Vec<crate::post::Post>>;
    #[allow(clippy::too_many_arguments)]
    async fn add_comment(
        &self,
        post: i64,
        parent: Option<i64>,
        author: ProfileId,
        operator: Option<AccountId>,
        text: &str,
        held: bool,
        at: OffsetDateTime,
    ) -> Result<crate::post::Comment>;
    /// Publishes a comment held for review, with its audit line (a page's
    /// post), recording `CommentReleased`; `false` when it was not held.
    async fn release_comment(
        &self,
        comment: i64,
        audit: Option<AuditRecord>,
        at: OffsetDateTime,
    ) -> Result<bool>;
    /// Sets who may comment on a post (an edit: `PostEdited` is recorded).
    async fn set_post_replies(
        &self,
        post: i64,
        replies: crate::post::ReplyControl,
        at: OffsetDateTime,
    ) -> Result<()>;
    async fn comment(&self, id: i64) -> Result<Option<crate::post::Comment>>;
    /// Comments of a post, oldest first.
    async fn comments(&self, post: i64) -> Result<Vec<crate::post::Comment>>;
    /// Threads of a post a page at a time: the first `limit` top-level
    /// comments (by time, then id) strictly after the position `after`, and
    /// their replies; all oldest first (by time, then id).
    async fn comment_threads(
        &self,
        post: i64,
        after: Option<(OffsetDateTime, i64)>,
        limit: usize,
    ) -> Result<Vec<crate::post::Comment>>;
    /// Sets (or with `None` removes) a member's one reaction to a post.
    async fn set_reaction(
        &self,
        post: i64,
        member: ProfileId,
        kind: Option<crate::post::ReactionKind>,
        at: OffsetDateTime,
    ) -> Result<()>;
    async fn reaction_of(
        &self,
        post: i64,
        member: ProfileId,
    ) -> Result<Option<crate::post::ReactionKind>>;
    /// The member's reaction to each of these posts that has one.
    async fn reactions_of_member(
        &self,
        posts: &[i64],
        member: ProfileId,
    ) -> Result<std::collections::HashMap<i64, crate::post::ReactionKind>>;
    /// Reactions of a post per kind, leaving out those of `hidden` members.
    async fn reactions(
        &self,
        post: i64,
        hidden: &[ProfileId],
    ) -> Result<Vec<(crate::post::ReactionKind, u64)>>;
    /// Reactions, comments and reshares of each post that exists, leaving
    /// out what [`CountsFor`] says.
    async fn post_counts(
        &self,
        posts: &[i64],
        counts_for: &CountsFor,
    ) -> Result<std::collections::HashMap<i64, StoredCounts>>;
    async fn follow(&self, follower: ProfileId, page: ProfileId, at: OffsetDateTime) -> Result<()>;
    async fn unfollow(&self, follower: ProfileId, page: ProfileId) -> Result<bool>;
    /// Pages a member follows.
    async fn followed_pages(&self, follower: ProfileId) -> Result<Vec<ProfileId>>;
    async fn follower_count(&self, page: ProfileId) -> Result<u64>;
}

/// Visits of profiles and views of posts: who viewed my profile, and the
/// reach of a page's posts.
/// Notifications, written by the notifications projection only.
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Creates each draft's notification, or grows the recipient's unread
    /// one of the same kind and object with its actor, and saves the
    /// projection's checkpoint `(name, seq)`, all in one transaction (so a
    /// replayed event never notifies twice).
    async fn apply_notifications(
        &self,
        drafts: &[crate::notification::NotificationDraft],
        checkpoint: (&str, i64),
    ) -> Result<()>;
    /// A member's notifications, most recently grown first (by time, then
    /// id), strictly after the position `before` when given.
    async fn notifications_of(
        &self,
        member: ProfileId,
        before: Option<(OffsetDateTime, i64)>,
        limit: usize,
    ) -> Result<Vec<crate::notification::Notification>>;
    /// Notifications created or grown by the events `after < seq <= up_to`,
    /// every recipient's, in `seq` order (for the real-time streams).
    async fn notifications_between(
        &self,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<crate::notification::Notification>>;
    /// The member's notifications created or grown after event `after`, in
    /// `seq` order (a stream resuming).
    async fn notifications_since(
        &self,
        member: ProfileId,
        after: i64,
        limit: usize,
    ) -> Result<Vec<crate::notification::Notification>>;
    async fn unread_notifications(&self, member: ProfileId) -> Result<u64>;
    /// Marks the member's notifications with `id <= up_to` read; returns
    /// how many changed.
    async fn mark_notifications_read(&self, member: ProfileId, up_to: i64) -> Result<u64>;
    /// The kinds the member switched off.
    async fn muted_notification_kinds(
        &self,
        member: ProfileId,
    ) -> Result<Vec<crate::notification::NotificationKind>>;
    async fn set_notification_kind(
        &self,
        member: ProfileId,
        kind: crate::notification::NotificationKind,
        enabled: bool,
    ) -> Result<()>;
}

#[async_trait]
pub trait InboxStore: Send + Sync {
    /// Applies the inbox projection's operations and saves its checkpoint
    /// `(name, seq)`, all in one transaction; operations from events the
    /// checkpoint already passed are skipped (a replay changes nothing).
    async fn apply_inbox(
        &self,
        ops: &[crate::inbox::InboxOp],
        checkpoint: (&str, i64),
    ) -> Result<()>;
    /// Forgets every item, cycle and count, and the checkpoint `name`
    /// (before a rebuild from the store).
    async fn reset_inbox(&self, checkpoint: &str) -> Result<()>;
    /// Items in the list's order (see [`crate::inbox::InboxKey`]).
    async fn inbox_items(
        &self,
        query: &crate::inbox::InboxQuery,
    ) -> Result<Vec<crate::inbox::InboxItem>>;
    async fn inbox_item(&self, id: i64) -> Result<Option<crate::inbox::InboxItem>>;
    /// Open items of each profile (snoozed ones whose date came included).
    async fn inbox_counts(
        &self,
        owners: &[ProfileId],
        now: OffsetDateTime,
    ) -> Result<crate::inbox::InboxCounts>;
    /// The cycles of `owner`'s items opened at or after `since`.
    async fn inbox_cycles(
        &self,
        owner: ProfileId,
        since: OffsetDateTime,
    ) -> Result<Vec<crate::inbox::Cycle>>;
    /// Records a team act on an item as a change event, with its line in
    /// the page's audit trail (for a page), in one transaction.
    async fn record_inbox_act(
        &self,
        change: crate::events::Change,
        audit: Option<AuditRecord>,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// A page's inbox settings (`None`: the defaults).
    async fn inbox_settings(&self, page: ProfileId) -> Result<Option<crate::inbox::InboxSettings>>;
    /// Saves them with their audit line and an `InboxSettingsChanged`
    /// event, in one transaction.
    async fn set_inbox_settings(
        &self,
        page: ProfileId,
        settings: &crate::inbox::InboxSettings,
        audit: AuditRecord,
    ) -> Result<()>;
    /// The text of each word (a message, comment, post or contact-form
    /// message), with who wrote it: `None` for a word that is gone.
    async fn word_texts(
        &self,
        words: &[crate::inbox::Word],
    ) -> Result<Vec<Option<crate::inbox::WordText>>>;
    /// The profiles whose items the events `after < seq <= up_to` touched,
    /// each with the last such event (for the real-time streams).
    async fn inbox_touched(&self, after: i64, up_to: i64) -> Result<Vec<(ProfileId, i64)>>;
    /// What the store holds that awaits answers, as the changes that would
    /// have made it, in time order (to rebuild the inbox when it is
    /// missing): messages, comments, posts naming someone, pending contact
    /// requests, open introductions, contact-form messages. `after` is the
    /// position of the last one read.
    async fn inbox_history(
        &self,
        after: Option<crate::inbox::HistoryKey>,
        limit: usize,
    ) -> Result<Vec<(crate::inbox::HistoryKey, crate::events::Change)>>;
}

#[async_trait]
pub trait VisitStore: Send + Sync {
    /// Records that `visitor` viewed `visited`'s profile: one row per pair
    /// and UTC day of `at`, whose time moves to the latest visit that day.
    async fn record_visit(
        &self,
        visitor: ProfileId,
        visited: ProfileId,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// Who visited `visited` at or after `since`: each visitor once, with
    /// his latest visit, newest first (then by visitor id).
    async fn visitors_of(
        &self,
        visited: ProfileId,
        since: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<(ProfileId, OffsetDateTime)>>;
    /// Records that `viewer` was shown these posts (once per viewer and
    /// post: the first time is kept). Unknown post ids are ignored.
    async fn record_post_views(
        &self,
        viewer: ProfileId,
        posts: &[i64],
        at: OffsetDateTime,
    ) -> Result<()>;
    /// Distinct viewers of each of these posts; posts never viewed have no entry.
    async fn post_reach(&self, posts: &[i64]) -> Result<std::collections::HashMap<i64, u64>>;
    /// Records many visits and post views at once (as
    /// [`Self::record_visit`] and [`Self::record_post_views`] would, one by
    /// one), all or none.
    async fn record_visits_and_views(&self, batch: &VisitBatch) -> Result<()> {
        for (visitor, visited, at) in &batch.visits {
            self.record_visit(*visitor, *visited, *at).await?;
        }
        for (viewer, post, at) in &batch.post_views {
            self.record_post_views(*viewer, std::slice::from_ref(post), *at)
                .await?;
        }
        Ok(())
    }
}

/// Visits and post views gathered to be written together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitBatch {
    /// `(visitor, visited, at)`.
    pub visits: Vec<(ProfileId, ProfileId, OffsetDateTime)>,
    /// `(viewer, post, at)`.
    pub post_views: Vec<(ProfileId, i64, OffsetDateTime)>,
}

/// Everything the domain needs from storage.
/// A group to create.
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub handle: String,
    pub name: String,
    pub kind: crate::group::GroupKind,
    pub about: String,
    pub rules: String,
    pub tags: Vec<String>,
    /// Its first owner: a person, or a page.
    pub created_by: ProfileId,
    pub created_at: OffsetDateTime,
}

/// What a group's owners may change (its kind stays what it was made).
#[derive(Debug, Clone)]
pub struct GroupEdit {
    pub name: String,
    pub about: String,
    pub rules: String,
    pub tags: Vec<String>,
}

/// What a member showed in a group: his posts there, his comments on its
/// posts, and the reactions his posts there received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Contribution {
    pub posts: u64,
    pub answers: u64,
    pub reactions: u64,
}

/// Groups, memberships and pins. Every change of a group or of a
/// membership records its change event in the same transaction.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Creates the group with its creator as owner; a taken handle is a
    /// `Conflict { field: "handle" }`.
    async fn create_group(&self, new: NewGroup) -> Result<crate::group::Group>;
    async fn update_group(
        &self,
        group: crate::ids::GroupId,
        edit: GroupEdit,
        actor: ProfileId,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// Makes an uploaded image the group's cover (`None`: no cover). The
    /// image must be `account`'s and wait for a post (`NotFound`
    /// otherwise); the previous cover waits again, and is collected with
    /// the other unattached images. Records `GroupChanged`.
    async fn set_group_cover(
        &self,
        group: crate::ids::GroupId,
        account: crate::ids::AccountId,
        media: Option<i64>,
        at: OffsetDateTime,
    ) -> Result<()>;
    async fn group(&self, id: crate::ids::GroupId) -> Result<Option<crate::group::Group>>;
    async fn group_by_handle(&self, handle: &str) -> Result<Option<crate::group::Group>>;
    /// Groups by id, `limit` at a time after `after` (loading, reindexing).
    async fn groups_page(
        &self,
        after: Option<crate::ids::GroupId>,
        limit: usize,
    ) -> Result<Vec<crate::group::Group>>;
    /// Every membership, `limit` at a time after (group, member).
    async fn memberships_page(
        &self,
        after: Option<(crate::ids::GroupId, ProfileId)>,
        limit: usize,
    ) -> Result<Vec<crate::group::MemberRow>>;
    /// Sets (`Some`) or ends (`None`) a membership, recording
    /// `GroupMembershipChanged` with what it was. `expect` is what the
    /// caller decided from: a membership that changed meanwhile is a
    /// `Conflict { field: "member" }`.
    async fn set_membership(
        &self,
        group: crate::ids::GroupId,
        member: ProfileId,
        expect: Option<crate::group::Membership>,
        membership: Option<crate::group::Membership>,
        actor: ProfileId,
        at: OffsetDateTime,
    ) -> Result<()>;
    async fn group_member(
        &self,
        group: crate::ids::GroupId,
        member: ProfileId,
    ) -> Result<Option<crate::group::MemberRow>>;
    /// A group's memberships of one standing, oldest first, after `after`.
    async fn group_members(
        &self,
        group: crate::ids::GroupId,
        standing: crate::group::Standing,
        after: Option<ProfileId>,
        limit: usize,
    ) -> Result<Vec<crate::group::MemberRow>>;
    /// Members in good standing, and owners among them.
    async fn group_counts(&self, group: crate::ids::GroupId) -> Result<(u64, u64)>;
    /// A member's own settings in a group (records `GroupMemberSettingsChanged`).
    async fn set_member_settings(
        &self,
        group: crate::ids::GroupId,
        member: ProfileId,
        settings: crate::group::MemberSettings,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// The members in good standing who follow the group closely (told of
    /// each new post), by id.
    async fn close_followers(&self, group: crate::ids::GroupId) -> Result<Vec<ProfileId>>;
    /// What each of these members showed in the group.
    async fn contributions(
        &self,
        group: crate::ids::GroupId,
        members: &[ProfileId],
    ) -> Result<Vec<(ProfileId, Contribution)>>;
    /// Pins or unpins one of the group's posts.
    async fn set_pinned(
        &self,
        group: crate::ids::GroupId,
        post: i64,
        pinned: bool,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// The group's pinned posts, last pinned first.
    async fn pinned_posts(&self, group: crate::ids::GroupId) -> Result<Vec<i64>>;
}

/// Moderation and administration: mutes, comment edits, reports and their
/// queues, decisions and the moderation log, sanctions, instance roles and
/// settings. Every change others must learn of records its event in the
/// same transaction.
#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// Mutes or unmutes (`on`); records `MuteChanged` when it changed.
    async fn set_mute(
        &self,
        muter: ProfileId,
        muted: ProfileId,
        on: bool,
        at: OffsetDateTime,
    ) -> Result<bool>;
    /// The members `muter` muted, last muted first.
    async fn mutes_of(&self, muter: ProfileId) -> Result<Vec<ProfileId>>;
    /// Every mute as (muter, muted), to load the network.
    async fn all_mutes(&self) -> Result<Vec<(ProfileId, ProfileId)>>;
    /// Replaces a member's muted words; records `MutedWordsChanged`.
    async fn set_muted_words(
        &self,
        member: ProfileId,
        words: Vec<String>,
        at: OffsetDateTime,
    ) -> Result<()>;
    async fn muted_words(&self, member: ProfileId) -> Result<Vec<String>>;
    /// Every member's muted words, to load the network.
    async fn all_muted_words(&self) -> Result<Vec<(ProfileId, Vec<String>)>>;

    /// Replaces a comment's text, keeping the earlier one; records
    /// `CommentEdited`.
    async fn edit_comment(&self, id: i64, text: &str, at: OffsetDateTime) -> Result<()>;
    /// A comment's earlier texts, oldest first, with when each was replaced.
    async fn comment_history(&self, id: i64) -> Result<Vec<(String, OffsetDateTime)>>;
    /// Deletes a comment and its replies; records `CommentDeleted`.
    async fn delete_comment(&self, id: i64, at: OffsetDateTime) -> Result<()>;

    /// Comments held by a page's keyword filters under its posts, oldest
    /// first (its moderation queue shows them).
    async fn held_comments(
        &self,
        page: ProfileId,
        limit: usize,
    ) -> Result<Vec<crate::post::Comment>>;
    /// A message by id (to report it).
    async fn message(&self, id: i64) -> Result<Option<crate::conversation::Message>>;
    /// Stores a report in its queues; records `ReportFiled`.
    async fn create_report(&self, new: crate::moderation::NewReport) -> Result<i64>;
    async fn report(&self, id: i64) -> Result<Option<crate::moderation::Report>>;
    /// A member's reports, newest first.
    async fn reports_by(
        &self,
        reporter: ProfileId,
        limit: usize,
    ) -> Result<Vec<crate::moderation::Report>>;
    /// How many reports a member filed since `since` (rate limit).
    async fn count_reports_since(&self, reporter: ProfileId, since: OffsetDateTime) -> Result<u64>;
    /// The reports in a queue (open ones, or every one), oldest first.
    async fn queue(
        &self,
        scope: crate::moderation::Scope,
        open_only: bool,
        limit: usize,
    ) -> Result<Vec<crate::moderation::Report>>;
    /// Open reports in each queue, with the oldest one's time.
    async fn queue_stats(&self) -> Result<Vec<(String, u64, Option<OffsetDateTime>)>>;
    /// Applies a decision: closes the open reports on its target in its
    /// queue, sets the content's state and the member's sanction, writes
    /// the log; records `ReportDecided` (and `ContentModerated`,
    /// `SanctionChanged`, `SessionEnded` for a suspended member's sessions).
    /// Returns the log entry's id.
    async fn decide(&self, decision: crate::moderation::NewDecision) -> Result<i64>;
    /// Logs that a moderator saw reported content through a block.
    async fn log_view(
        &self,
        report: &crate::moderation::Report,
        actor: ProfileId,
        account: AccountId,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// The moderation log of a queue (every queue: `None`), newest first,
    /// before the entry `before`.
    async fn moderation_log(
        &self,
        scope: Option<crate::moderation::Scope>,
        member: Option<ProfileId>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<crate::moderation::LogEntry>>;
    async fn log_entry(&self, id: i64) -> Result<Option<crate::moderation::LogEntry>>;
    /// Reports filed against a member, and by him.
    async fn report_counts(&self, member: ProfileId) -> Result<(u64, u64)>;
    async fn sanction(&self, member: ProfileId) -> Result<crate::moderation::Sanction>;
    /// Every member with a sanction, to load the network.
    async fn all_sanctions(&self) -> Result<Vec<(ProfileId, crate::moderation::Sanction)>>;

    /// Grants or revokes instance roles; records `AccountChanged`.
    async fn set_instance_roles(
        &self,
        account: AccountId,
        admin: bool,
        moderator: bool,
    ) -> Result<()>;
    /// Accounts holding an instance role.
    async fn staff(&self) -> Result<Vec<crate::account::Account>>;
    /// Sign-ups waiting for approval, oldest first.
    async fn pending_accounts(&self) -> Result<Vec<crate::account::Account>>;
    /// The answer a sign-up by approval gave.
    async fn signup_answer(&self, account: AccountId) -> Result<Option<String>>;
    /// Approves or declines a waiting sign-up; records `AccountChanged`.
    async fn set_approval(
        &self,
        account: AccountId,
        approval: crate::account::Approval,
    ) -> Result<bool>;
    async fn instance_settings(&self) -> Result<Vec<(String, String)>>;
    /// Sets these settings together (all or none).
    async fn set_instance_settings(&self, values: Vec<(String, String)>) -> Result<()>;
    async fn create_signup_code(&self, code: &str, by: AccountId, at: OffsetDateTime)
    -> Result<()>;
    /// Codes, newest first: (code, created at, used by whom).
    async fn signup_codes(
        &self,
        limit: usize,
    ) -> Result<Vec<(String, OffsetDateTime, Option<String>)>>;
    async fn email_domain_blocks(&self) -> Result<Vec<String>>;
    async fn set_email_domain_block(
        &self,
        domain: &str,
        blocked: bool,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// Members, members active since `active_since`, posts.
    async fn instance_counts(&self, active_since: OffsetDateTime) -> Result<(u64, u64, u64)>;
}

pub trait Store:
    AccountStore
    + SessionStore
    + ProfileStore
    + PageStore
    + ContactStore
    + IntroductionStore
    + ConversationStore
    + PostStore
    + VisitStore
    + NotificationStore
    + InboxStore
    + GroupStore
    + ModerationStore
    + crate::events::EventLog
    + MailStore
    + 'static
{
}

impl<T> Store for T where
    T: AccountStore
        + SessionStore
        + ProfileStore
        + PageStore
        + ContactStore
        + IntroductionStore
        + ConversationStore
        + PostStore
        + VisitStore
        + NotificationStore
        + InboxStore
        + GroupStore
        + ModerationStore
        + crate::events::EventLog
        + MailStore
        + 'static
{
}
