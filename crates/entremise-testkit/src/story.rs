//! The store conformance story: what every [`Store`] backend must do.
//!
//! Each chapter is a `pub async fn(Arc<dyn Store>)` that panics on the
//! first broken promise. Chapters create their own members and pages under
//! handles no other chapter uses, so they may run on one shared database or
//! each on a fresh one. They speak only through the port: nothing here
//! knows SQL.
//!
//! [`Store`]: entremise_domain::store::Store

mod accounts;
mod contacts;
mod conversations;
mod events;
mod groups;
mod introductions;
mod lists;
mod mail;
mod moderation;
mod notifications;
mod pages;
mod posts;
mod profiles;
mod visits;

pub use accounts::{account_conflicts, accounts, concurrent_writes, sessions};
pub use contacts::{block_side_effects, contacts_and_requests, contacts_paging, invitation_codes};
pub use conversations::{concurrent_messages, conversations, interactions, unread_and_read_marks};
pub use events::events;
pub use groups::groups;
pub use introductions::{
    introduction_counts, introduction_declines, introduction_reuses_conversation, introductions,
    relay_stats,
};
pub use lists::lists_a_page_at_a_time;
pub use mail::{email_preferences_and_digests, server_secrets};
pub use moderation::moderation;
pub use notifications::notifications_grow_and_replay_once;
pub use pages::{children, contact_messages, last_owner, offices_and_services, pages_and_roles};
pub use posts::{
    comments_reactions_and_counts, counters_for_a_viewer, follows, media_usage_and_collection,
    post_edits_and_deletion, posts_and_media, posts_by_and_scheduled,
};
pub use profiles::{blocks, list_and_count, positions, profile_round_trip};
pub use visits::{post_views_and_reach, profile_visits};
