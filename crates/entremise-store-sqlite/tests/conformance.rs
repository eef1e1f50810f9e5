//! The store conformance story on SQLite, on a temporary file and in memory,
//! plus what only SQLite can show: migrations, rollbacks, raw rows, and the
//! answers this store gives where the port leaves the choice open.

use entremise_domain::contact::{RequestStatus, RequestVia};
use entremise_domain::introduction::IntroductionStatus;
use entremise_domain::post::ReactionKind;
use entremise_domain::privacy::Audience;
use entremise_domain::session::SessionKind;
use entremise_domain::store::{
    AccountStore, ContactStore, ConversationStore, CountsFor, IntroductionStore, NewContactRequest,
    NewMedia, NewPost, NewSession, PostStore, ProfileStore, SessionStore,
};
use entremise_domain::{AccountId, Error};
use entremise_store_sqlite::SqliteStore;
use entremise_testkit::fixtures::{T0, new_account};
use std::path::PathBuf;
use std::sync::Arc;
use tempfile::TempDir;

/// A store on a fresh file in a temporary directory (removed at drop).
fn file_store() -> (SqliteStore, TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::open(&dir.path().join("entremise.db")).expect("open store");
    (store, dir)
}

fn raw(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("raw connection")
}

fn count(conn: &rusqlite::Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

entremise_testkit::store_conformance_tests!(on_file, file_store());
entremise_testkit::store_conformance_tests!(
    in_memory,
    (SqliteStore::open_in_memory().expect("open store"), ())
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_story_on_one_database() {
    let (store, _dir) = file_store();
    entremise_testkit::run_store_story(Arc::new(store)).await;
    let memory = SqliteStore::open_in_memory().expect("open store");
    entremise_testkit::run_store_story(Arc::new(memory)).await;
}

#[tokio::test]
async fn opening_twice_keeps_data_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dirs/entremise.db");
    let account = {
        let store = SqliteStore::open(&path).expect("first open creates parents");
        store
            .create_account(new_account("mig_ada", "ada@migrations.example"))
            .await
            .unwrap()
    };
    let version = |p: &PathBuf| -> i64 {
        raw(p)
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    };
    let first = version(&path);
    assert!(first >= 1);
    let store = SqliteStore::open(&path).expect("second open");
    let again = SqliteStore::open(&path).expect("a second store on the same file");
    assert_eq!(version(&path), first);
    assert_eq!(
        store.account(account.id).await.unwrap(),
        Some(account.clone())
    );
    assert_eq!(again.account(account.id).await.unwrap(), Some(account));
}

#[tokio::test]
async fn file_database_uses_wal_and_foreign_keys() {
    let (store, dir) = file_store();
    let orphan = NewSession {
        account: AccountId(424_242),
        kind: SessionKind::Web,
        token_hash: "orphan".into(),
        user_agent: String::new(),
        created_at: T0,
        expires_at: T0,
    };
    let err = store.create_session(orphan).await.unwrap_err();
    assert!(
        matches!(err, Error::Internal(ref m) if m.contains("FOREIGN KEY")),
        "{err:?}"
    );
    drop(store);
    let conn = raw(&dir.path().join("entremise.db"));
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_refused_account_leaves_no_row() {
    let (store, dir) = file_store();
    let path = dir.path().join("entremise.db");
    store
        .create_account(new_account("rb_ada", "ada@rollback.example"))
        .await
        .unwrap();
    // The handle is taken: the profile insert fails after nothing else.
    let err = store
        .create_account(new_account("rb_ada", "other@rollback.example"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "handle" }),
        "{err:?}"
    );
    // The address is taken: the account insert fails after the profile
    // insert succeeded, which must be rolled back.
    let err = store
        .create_account(new_account("rb_bob", "ADA@rollback.example"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "email" }), "{err:?}");
    let conn = raw(&path);
    assert_eq!(count(&conn, "accounts"), 1);
    assert_eq!(count(&conn, "profiles"), 1);
    // The store still writes after a rollback.
    store
        .create_account(new_account("rb_bob", "bob@rollback.example"))
        .await
        .unwrap();
    assert_eq!(count(&conn, "accounts"), 2);
}

#[tokio::test]
async fn blocks_are_read_both_ways() {
    let (store, dir) = file_store();
    let a = store
        .create_account(new_account("blk_a", "a@blocks.example"))
        .await
        .unwrap();
    let b = store
        .create_account(new_account("blk_b", "b@blocks.example"))
        .await
        .unwrap();
    let c = store
        .create_account(new_account("blk_c", "c@blocks.example"))
        .await
        .unwrap();
    raw(&dir.path().join("entremise.db"))
        .execute(
            "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?1, ?2, 0)",
            [a.person.0, b.person.0],
        )
        .unwrap();
    assert!(store.is_blocked(a.person, b.person).await.unwrap());
    assert!(store.is_blocked(b.person, a.person).await.unwrap());
    assert!(!store.is_blocked(a.person, c.person).await.unwrap());
}

#[tokio::test]
async fn times_round_trip_to_the_nanosecond() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut new = new_account("ns_ada", "ada@nanos.example");
    new.created_at = T0 + time::Duration::nanoseconds(123_456_789);
    let account = store.create_account(new.clone()).await.unwrap();
    let read = store.account(account.id).await.unwrap().unwrap();
    assert_eq!(read.created_at, new.created_at);
    assert_eq!(read.created_at.nanosecond(), 373_456_789);
}

#[tokio::test]
async fn internal_errors_name_the_operation() {
    let (store, dir) = file_store();
    // Break the schema behind the store's back.
    raw(&dir.path().join("entremise.db"))
        .execute_batch("DROP TABLE blocks")
        .unwrap();
    let a = store
        .create_account(new_account("err_a", "a@errors.example"))
        .await
        .unwrap();
    match store.is_blocked(a.person, a.person).await {
        Err(Error::Internal(message)) => assert!(message.starts_with("is blocked:"), "{message}"),
        other => panic!("expected an internal error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_version_1_database_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("entremise.db");
    {
        let conn = raw(&path);
        conn.execute_batch(include_str!("../migrations/0001_init.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO profiles (handle, kind, name, audiences, settings, created_at, updated_at)
             VALUES ('old_page', 'organization', 'Old page', '{}', '{}', 0, 0)",
            [],
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).expect("open upgrades");
    let conn = raw(&path);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert!(version >= 2);
    assert_eq!(count(&conn, "profiles"), 1, "rows survive the upgrade");
    assert_eq!(count(&conn, "contacts"), 0);
    let ada = store
        .create_account(new_account("up_ada", "ada@upgrade.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("up_bob", "bob@upgrade.example"))
        .await
        .unwrap();
    let conversation = store
        .create_conversation(&[ada.person, bob.person], T0)
        .await
        .unwrap();
    store
        .add_message(conversation.id, ada.person, "Hello", T0)
        .await
        .unwrap();
    assert_eq!(store.unread_total(bob.person).await.unwrap(), 1);
    let post = store
        .create_post(text_post(&ada, "After the upgrade"))
        .await
        .unwrap();
    assert_eq!(store.post(post.id).await.unwrap(), Some(post));
}

fn text_post(author: &entremise_domain::account::Account, text: &str) -> NewPost {
    NewPost {
        author: author.person,
        operator: author.id,
        audience: Audience::Public,
        group: None,
        text: text.to_owned(),
        reshare_of: None,
        media: Vec::new(),
        created_at: T0,
        published_at: T0,
        replies: Default::default(),
    }
}

fn upload(owner: AccountId, key: &str) -> NewMedia {
    NewMedia {
        owner,
        key: key.to_owned(),
        content_type: "image/png".to_owned(),
        alt: String::new(),
        width: 1,
        height: 1,
        bytes: 100,
        created_at: T0,
    }
}

#[tokio::test]
async fn post_rows_on_sqlite() {
    let (store, dir) = file_store();
    let conn = raw(&dir.path().join("entremise.db"));
    let ada = store
        .create_account(new_account("prow_ada", "ada@post-rows.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("prow_bob", "bob@post-rows.example"))
        .await
        .unwrap();
    let first = store.create_media(upload(ada.id, "k1")).await.unwrap();
    let second = store.create_media(upload(ada.id, "k2")).await.unwrap();
    let theirs = store.create_media(upload(bob.id, "k3")).await.unwrap();

    // A refused post leaves no row and attaches nothing.
    let mut new = text_post(&ada, "Refused");
    new.media = vec![first.id, theirs.id];
    let err = store.create_post(new).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "media" }), "{err:?}");
    assert_eq!(count(&conn, "posts"), 0);
    let attached = |c: &rusqlite::Connection| -> i64 {
        c.query_row(
            "SELECT count(*) FROM media WHERE post_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(attached(&conn), 0);

    let mut new = text_post(&ada, "Two pictures");
    new.media = vec![second.id, first.id];
    let post = store.create_post(new).await.unwrap();
    let positions: Vec<(i64, i64)> = conn
        .prepare("SELECT id, position FROM media WHERE post_id = ?1 ORDER BY position")
        .unwrap()
        .query_map([post.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(positions, [(second.id, 0), (first.id, 1)]);
    let comment = store
        .add_comment(post.id, None, bob.person, None, "Nice", false, T0)
        .await
        .unwrap();
    store
        .add_comment(
            post.id,
            Some(comment.id),
            ada.person,
            None,
            "Thanks",
            false,
            T0,
        )
        .await
        .unwrap();
    store
        .set_reaction(post.id, bob.person, Some(ReactionKind::Support), T0)
        .await
        .unwrap();
    let kind: String = conn
        .query_row("SELECT kind FROM reactions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kind, "support");
    store.edit_post(post.id, "Edited", T0).await.unwrap();

    // Deleting the post deletes its media rows and everything hanging on it.
    let keys = store.delete_post(post.id).await.unwrap();
    assert_eq!(keys, ["k2", "k1"], "in the order shown");
    for table in ["posts", "comments", "reactions", "post_edits"] {
        assert_eq!(count(&conn, table), 0, "{table}");
    }
    assert_eq!(count(&conn, "media"), 1, "only Bob's upload is left");
    assert_eq!(store.media(first.id).await.unwrap(), None);
}

#[tokio::test]
async fn post_answers_on_sqlite() {
    let store = SqliteStore::open_in_memory().unwrap();
    let ada = store
        .create_account(new_account("pans_ada", "ada@post-answers.example"))
        .await
        .unwrap();
    let post = store.create_post(text_post(&ada, "Hello")).await.unwrap();
    let other = store.create_post(text_post(&ada, "Other")).await.unwrap();
    let comment = store
        .add_comment(other.id, None, ada.person, None, "On the other", false, T0)
        .await
        .unwrap();
    let not_found = |r: entremise_domain::Result<()>, what: &str| {
        assert!(matches!(r, Err(Error::NotFound)), "{what}: {r:?}");
    };
    not_found(
        store.edit_post(424_242, "x", T0).await,
        "edit a missing post",
    );
    not_found(
        store.delete_post(424_242).await.map(drop),
        "delete a missing post",
    );
    not_found(
        store
            .add_comment(424_242, None, ada.person, None, "x", false, T0)
            .await
            .map(drop),
        "comment a missing post",
    );
    not_found(
        store
            .add_comment(post.id, Some(comment.id), ada.person, None, "x", false, T0)
            .await
            .map(drop),
        "reply to a comment of another post",
    );
    not_found(
        store
            .set_reaction(424_242, ada.person, Some(ReactionKind::Like), T0)
            .await,
        "react to a missing post",
    );
    let mut reshare = text_post(&ada, "Reshare");
    reshare.reshare_of = Some(424_242);
    not_found(
        store.create_post(reshare).await.map(drop),
        "reshare a missing post",
    );
    // Removing a reaction that is not there is no error.
    store
        .set_reaction(424_242, ada.person, None, T0)
        .await
        .unwrap();
    // Counters only for the posts that exist.
    let everything = CountsFor {
        hidden: Vec::new(),
        signed_in: true,
        now: T0,
    };
    let counts = store
        .post_counts(&[post.id, 424_242], &everything)
        .await
        .unwrap();
    assert_eq!(counts.keys().copied().collect::<Vec<_>>(), [post.id]);
    // Following twice keeps one row.
    let page = store
        .create_account(new_account("pans_page", "page@post-answers.example"))
        .await
        .unwrap();
    store.follow(ada.person, page.person, T0).await.unwrap();
    store.follow(ada.person, page.person, T0).await.unwrap();
    assert_eq!(store.follower_count(page.person).await.unwrap(), 1);
}

#[tokio::test]
async fn a_contact_is_one_row_smaller_id_first() {
    let (store, dir) = file_store();
    let ada = store
        .create_account(new_account("row_ada", "ada@rows.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("row_bob", "bob@rows.example"))
        .await
        .unwrap();
    // Bob, the greater id, asks.
    let request = store
        .create_contact_request(NewContactRequest {
            from: bob.person,
            to: ada.person,
            message: None,
            via: RequestVia::InvitationCode,
            created_at: T0,
        })
        .await
        .unwrap();
    assert!(
        store
            .decide_contact_request(request.id, RequestStatus::Accepted, T0)
            .await
            .unwrap()
    );
    let conn = raw(&dir.path().join("entremise.db"));
    let (a, b): (i64, i64) = conn
        .query_row("SELECT a, b FROM contacts", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((a, b), (ada.person.0, bob.person.0));
    let reversed = conn.execute(
        "INSERT INTO contacts (a, b, since) VALUES (?1, ?2, 0)",
        [bob.person.0, ada.person.0],
    );
    assert!(reversed.is_err(), "the schema refuses a reversed pair");
    let via: String = conn
        .query_row("SELECT via FROM contact_requests", [], |r| r.get(0))
        .unwrap();
    assert_eq!(via, "invitation_code");
}

#[tokio::test]
async fn answers_the_store_gives_on_sqlite() {
    let store = SqliteStore::open_in_memory().unwrap();
    let ada = store
        .create_account(new_account("ans_ada", "ada@answers.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("ans_bob", "bob@answers.example"))
        .await
        .unwrap();
    store
        .create_invitation_code(ada.person, "ans-code", T0)
        .await
        .unwrap();
    let err = store
        .create_invitation_code(bob.person, "ans-code", T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "code" }), "{err:?}");

    let err = store
        .add_message(424_242, ada.person, "Anyone?", T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");

    // A stale transition of an unknown introduction is a conflict too.
    let ghost = entremise_domain::introduction::Introduction {
        id: 424_242,
        requester: ada.person,
        intermediaries: vec![bob.person],
        target: ada.person,
        step: 0,
        status: IntroductionStatus::Pending,
        notes: Vec::new(),
        created_at: T0,
        expires_at: T0,
        decided_at: None,
        declined_by: None,
    };
    let err = store.apply_introduction(&ghost, &ghost).await.unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "status" }),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_are_imported_with_their_members_and_posts() {
    use entremise_domain::store::{GroupStore, PostStore};
    use entremise_store_sqlite::{ImportedGroup, ImportedPost};
    let (store, _dir) = file_store();
    let ada = store
        .create_account(new_account("imp_ada", "ada@import.example"))
        .await
        .unwrap();
    let bob = store
        .create_account(new_account("imp_bob", "bob@import.example"))
        .await
        .unwrap();
    let group = |handle: &str, members| ImportedGroup {
        handle: handle.into(),
        name: handle.into(),
        about: String::new(),
        tags: vec!["mesure".into()],
        members,
        at: T0,
    };
    let ids = store
        .import_groups(
            vec![
                group("imp_one", vec![ada.person, bob.person]),
                group("imp_two", vec![bob.person]),
            ],
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    let one = store
        .group_member(ids[0], ada.person)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        one.membership.role,
        entremise_domain::group::GroupRole::Owner
    );
    assert_eq!(store.group_counts(ids[0]).await.unwrap(), (2, 1));
    // A taken handle is named.
    assert!(matches!(
        store
            .import_groups(vec![group("imp_two", vec![ada.person])], |_, _| {})
            .await,
        Err(Error::Conflict { field: "handle" })
    ));
    store
        .import_posts(
            vec![ImportedPost {
                author: bob.person,
                audience: entremise_domain::post::GROUP_POST_AUDIENCE,
                group: Some(ids[1]),
                text: "Dans le groupe".into(),
                at: T0,
            }],
            |_, _| {},
        )
        .await
        .unwrap();
    let keys = store.post_keys(None, 10).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!((keys[0].0, keys[0].1), (bob.person, Some(ids[1])));
}
