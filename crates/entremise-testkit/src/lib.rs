//! Test helpers for entremise, used by other crates' tests only.
//!
//! The heart of it is the store conformance story ([`story`]): one set of
//! chapters, written against the [`Store`] port alone, that every storage
//! backend must pass. A backend runs them all with [`run_store_story`], or
//! one test per chapter (each on a fresh database) with
//! [`store_conformance_tests!`].

pub mod fixtures;
pub mod story;

use entremise_domain::store::Store;
use std::sync::Arc;

/// Runs every chapter of the conformance story on one store. Chapters use
/// their own handles and addresses, so they can share a database.
pub async fn run_store_story(store: Arc<dyn Store>) {
    macro_rules! run_all {
        ($($chapter:ident),* $(,)?) => {
            $( story::$chapter(store.clone()).await; )*
        };
    }
    run_all!(
        accounts,
        account_conflicts,
        sessions,
        profile_round_trip,
        list_and_count,
        blocks,
        positions,
        pages_and_roles,
        last_owner,
        children,
        offices_and_services,
        contact_messages,
        concurrent_writes,
        contacts_and_requests,
        contacts_paging,
        invitation_codes,
        block_side_effects,
        introductions,
        introduction_reuses_conversation,
        introduction_counts,
        introduction_declines,
        relay_stats,
        conversations,
        unread_and_read_marks,
        interactions,
        concurrent_messages,
        posts_and_media,
        post_edits_and_deletion,
        media_usage_and_collection,
        posts_by_and_scheduled,
        comments_reactions_and_counts,
        counters_for_a_viewer,
        follows,
        profile_visits,
        post_views_and_reach,
        lists_a_page_at_a_time,
        events,
        email_preferences_and_digests,
        server_secrets,
        notifications_grow_and_replay_once,
        groups,
        moderation,
    );
}

/// Generates one `#[tokio::test]` per chapter of the conformance story.
///
/// `$make` is evaluated once per test and yields `(store, guard)`: the store
/// to test (anything that is a [`Store`]) and a value kept alive until the
/// test ends (a temporary directory, or `()`). The calling crate needs
/// `tokio` with the `macros` and `rt-multi-thread` features.
///
/// ```ignore
/// entremise_testkit::store_conformance_tests!(in_memory, (SqliteStore::open_in_memory().unwrap(), ()));
/// ```
#[macro_export]
macro_rules! store_conformance_tests {
    ($module:ident, $make:expr) => {
        mod $module {
            #[allow(unused_imports, reason = "`$make` may or may not name items of the calling module")]
            use super::*;
            $crate::store_conformance_tests!(
                @chapters $make;
                accounts,
                account_conflicts,
                sessions,
                profile_round_trip,
                list_and_count,
                blocks,
                positions,
                pages_and_roles,
                last_owner,
                children,
                offices_and_services,
                contact_messages,
                concurrent_writes,
                contacts_and_requests,
                contacts_paging,
                invitation_codes,
                block_side_effects,
                introductions,
                introduction_reuses_conversation,
                introduction_counts,
                introduction_declines,
                relay_stats,
                conversations,
                unread_and_read_marks,
                events,
                interactions,
                concurrent_messages,
                posts_and_media,
                post_edits_and_deletion,
                media_usage_and_collection,
                posts_by_and_scheduled,
                comments_reactions_and_counts,
                counters_for_a_viewer,
                follows,
                profile_visits,
                post_views_and_reach,
                lists_a_page_at_a_time,
                email_preferences_and_digests,
                server_secrets,
                notifications_grow_and_replay_once,
                groups,
            );
        }
    };
    (@chapters $make:expr; $($chapter:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $chapter() {
                let (store, _guard) = $make;
                let store: ::std::sync::Arc<dyn $crate::__Store> = ::std::sync::Arc::new(store);
                $crate::story::$chapter(store).await;
            }
        )*
    };
}

#[doc(hidden)]
pub use entremise_domain::store::Store as __Store;
