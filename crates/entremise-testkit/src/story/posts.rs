//! Posts: images attached from their uploader's own media, edits kept in a
//! history, deletion and the media keys it frees, authors' posts paged
//! newest first, scheduled posts, comments and replies, reactions,
//! counters (and what they leave out for one viewer), reshares, and
//! follows of pages.

use crate::fixtures::{at, member_accounts, new_page};
use entremise_domain::post::{Media, Post, PostEdit, PostImage, ReactionKind};
use entremise_domain::privacy::Audience;
use entremise_domain::profile::ProfileKind;
use entremise_domain::store::{
    CountsFor, MediaUsage, NewMedia, NewPost, PostCursor, Store, StoredCounts,
};
use entremise_domain::timeline::PostKey;
use entremise_domain::{AccountId, Error, ProfileId};
use std::slice;
use std::sync::Arc;
use time::OffsetDateTime;

/// An upload by `owner` at `at(minutes)`, its size depending on the time.
fn new_media(owner: AccountId, key: &str, minutes: i64) -> NewMedia {
    let step = u32::try_from(minutes).unwrap_or(0);
    NewMedia {
        owner,
        key: key.to_owned(),
        content_type: "image/webp".to_owned(),
        alt: format!("Picture {key}"),
        width: 320 + step,
        height: 240 + step,
        bytes: 1_000 + u64::from(step),
        created_at: at(minutes),
    }
}

/// A public post without images, published when created.
fn new_post(author: ProfileId, operator: AccountId, text: &str, minutes: i64) -> NewPost {
    NewPost {
        author,
        operator,
        audience: Audience::Public,
        group: None,
        text: text.to_owned(),
        reshare_of: None,
        media: Vec::new(),
        created_at: at(minutes),
        published_at: at(minutes),
        replies: Default::default(),
    }
}

/// Counters of everything published by `now`, for a signed-in viewer from
/// whom nobody is hidden.
fn everything(now: OffsetDateTime) -> CountsFor {
    CountsFor {
        hidden: Vec::new(),
        signed_in: true,
        now,
    }
}

/// How a post shows an upload it holds.
fn image(media: &Media) -> PostImage {
    PostImage {
        id: media.id,
        key: media.key.clone(),
        alt: media.alt.clone(),
        width: media.width,
        height: media.height,
    }
}

fn ids(posts: &[Post]) -> Vec<i64> {
    posts.iter().map(|p| p.id).collect()
}

fn cursor(post: &Post) -> PostCursor {
    (post.published_at, post.id)
}

/// Whether an upload is held by no post (or is gone).
async fn unattached(store: &dyn Store, media: &Media) -> bool {
    store
        .media(media.id)
        .await
        .unwrap()
        .is_none_or(|m| m.post.is_none())
}

/// A post takes its operator's own unattached uploads, in the order given;
/// anything else refuses the whole post with `Conflict { field: "media" }`
/// and leaves no trace.
pub async fn posts_and_media(store: Arc<dyn Store>) {
    let [ada, bob] = member_accounts(&*store, ["pm_ada", "pm_bob"]).await;
    let m1 = store
        .create_media(new_media(ada.id, "pm-key-1", 1))
        .await
        .unwrap();
    assert_eq!(
        m1,
        Media {
            id: m1.id,
            owner: ada.id,
            key: "pm-key-1".to_owned(),
            content_type: "image/webp".to_owned(),
            alt: "Picture pm-key-1".to_owned(),
            width: 321,
            height: 241,
            post: None,
            group: None,
            created_at: at(1),
        }
    );
    assert_eq!(store.media(m1.id).await.unwrap(), Some(m1.clone()));
    assert_eq!(store.media(i64::MAX).await.unwrap(), None);
    let m2 = store
        .create_media(new_media(ada.id, "pm-key-2", 2))
        .await
        .unwrap();
    let m3 = store
        .create_media(new_media(ada.id, "pm-key-3", 3))
        .await
        .unwrap();
    let theirs = store
        .create_media(new_media(bob.id, "pm-key-bob", 4))
        .await
        .unwrap();
    assert!(m1.id != m2.id && m2.id != m3.id);

    for (why, media) in [
        ("someone else's", vec![m3.id, theirs.id]),
        ("unknown", vec![m3.id, i64::MAX]),
        ("listed twice", vec![m3.id, m3.id]),
    ] {
        let mut new = new_post(ada.person, ada.id, why, 5);
        new.media = media;
        let err = store.create_post(new).await.unwrap_err();
        assert!(
            matches!(err, Error::Conflict { field: "media" }),
            "{why}: {err:?}"
        );
    }
    assert!(
        store
            .posts_by(&[ada.person], None, at(100), 10)
            .await
            .unwrap()
            .is_empty(),
        "a refused post is not stored"
    );
    for m in [&m1, &m2, &m3, &theirs] {
        assert_eq!(store.media(m.id).await.unwrap(), Some(m.clone()));
    }

    let mut new = new_post(ada.person, ada.id, "Two pictures", 6);
    new.audience = Audience::Members;
    new.media = vec![m2.id, m1.id];
    let post = store.create_post(new).await.unwrap();
    assert_eq!(
        (
            post.author,
            post.operator,
            post.audience,
            post.text.as_str()
        ),
        (ada.person, ada.id, Audience::Members, "Two pictures")
    );
    assert_eq!((post.reshare_of, post.edited_at), (None, None));
    assert_eq!((post.created_at, post.published_at), (at(6), at(6)));
    assert_eq!(post.images, [image(&m2), image(&m1)], "in the order given");
    assert_eq!(store.post(post.id).await.unwrap(), Some(post.clone()));
    for m in [&m1, &m2] {
        assert_eq!(
            store.media(m.id).await.unwrap().unwrap().post,
            Some(post.id)
        );
    }
    assert!(unattached(&*store, &m3).await);

    let mut again = new_post(ada.person, ada.id, "Reused", 7);
    again.media = vec![m3.id, m1.id];
    let err = store.create_post(again).await.unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "media" }),
        "already attached: {err:?}"
    );
    assert!(unattached(&*store, &m3).await, "rolled back");
    assert_eq!(store.post(post.id).await.unwrap(), Some(post.clone()));

    let mut last = Vec::new();
    for (minutes, audience) in [
        (8, Audience::Public),
        (9, Audience::Network),
        (10, Audience::Contacts),
    ] {
        let mut new = new_post(ada.person, ada.id, "Words only", minutes);
        new.audience = audience;
        let p = store.create_post(new).await.unwrap();
        assert!(p.images.is_empty());
        assert_eq!(store.post(p.id).await.unwrap(), Some(p.clone()));
        last.push(p);
    }
    last.reverse();
    last.push(post);
    assert_eq!(
        store
            .posts_by(&[ada.person], None, at(100), 10)
            .await
            .unwrap(),
        last
    );
    assert_eq!(store.post(i64::MAX).await.unwrap(), None);
}

/// Edits keep each replaced text with the time it was replaced; deleting a
/// post removes its comments, reactions and history, lets its media go and
/// returns their keys, and leaves its reshares without an original.
pub async fn post_edits_and_deletion(store: Arc<dyn Store>) {
    let [ada, bob] = member_accounts(&*store, ["pe_ada", "pe_bob"]).await;
    let post = store
        .create_post(new_post(ada.person, ada.id, "First words", 1))
        .await
        .unwrap();
    assert!(store.post_history(post.id).await.unwrap().is_empty());
    store
        .edit_post(post.id, "Second words", at(2))
        .await
        .unwrap();
    store
        .edit_post(post.id, "Third words", at(3))
        .await
        .unwrap();
    let edited = store.post(post.id).await.unwrap().unwrap();
    assert_eq!(
        (edited.text.as_str(), edited.edited_at),
        ("Third words", Some(at(3)))
    );
    assert_eq!((edited.created_at, edited.published_at), (at(1), at(1)));
    assert_eq!(
        store.post_history(post.id).await.unwrap(),
        [
            PostEdit {
                text: "First words".to_owned(),
                replaced_at: at(2),
            },
            PostEdit {
                text: "Second words".to_owned(),
                replaced_at: at(3),
            },
        ]
    );

    // Bob uploads the same picture as Ada: one content address, two rows.
    let shared = store
        .create_media(new_media(ada.id, "pe-shared", 4))
        .await
        .unwrap();
    let only = store
        .create_media(new_media(ada.id, "pe-only", 4))
        .await
        .unwrap();
    let twin = store
        .create_media(new_media(bob.id, "pe-shared", 4))
        .await
        .unwrap();
    let mut new = new_post(ada.person, ada.id, "With pictures", 5);
    new.media = vec![shared.id, only.id];
    let doomed = store.create_post(new).await.unwrap();
    let comment = store
        .add_comment(doomed.id, None, bob.person, None, "Nice", false, at(6))
        .await
        .unwrap();
    let reply = store
        .add_comment(
            doomed.id,
            Some(comment.id),
            ada.person,
            None,
            "Thanks",
            false,
            at(7),
        )
        .await
        .unwrap();
    store
        .set_reaction(doomed.id, bob.person, Some(ReactionKind::Like), at(6))
        .await
        .unwrap();
    store
        .edit_post(doomed.id, "With two pictures", at(7))
        .await
        .unwrap();
    let mut reshare = new_post(bob.person, bob.id, "Look at this", 8);
    reshare.reshare_of = Some(doomed.id);
    let reshare = store.create_post(reshare).await.unwrap();
    assert!(store.media_key_in_use("pe-only").await.unwrap());

    let mut keys = store.delete_post(doomed.id).await.unwrap();
    keys.sort();
    assert_eq!(keys, ["pe-only", "pe-shared"]);
    assert_eq!(store.post(doomed.id).await.unwrap(), None);
    assert!(store.comments(doomed.id).await.unwrap().is_empty());
    assert_eq!(store.comment(comment.id).await.unwrap(), None);
    assert_eq!(store.comment(reply.id).await.unwrap(), None);
    assert_eq!(
        store.reaction_of(doomed.id, bob.person).await.unwrap(),
        None
    );
    assert!(store.reactions(doomed.id, &[]).await.unwrap().is_empty());
    assert!(store.post_history(doomed.id).await.unwrap().is_empty());
    assert!(unattached(&*store, &shared).await);
    assert!(unattached(&*store, &only).await);
    // The service removes a returned key's file when no row holds it.
    assert!(store.media_key_in_use("pe-shared").await.unwrap(), "Bob's");
    assert!(!store.media_key_in_use("pe-only").await.unwrap());
    assert!(!store.media_key_in_use("pe-never-uploaded").await.unwrap());
    assert_eq!(store.media(twin.id).await.unwrap(), Some(twin));

    let orphan = store.post(reshare.id).await.unwrap().unwrap();
    assert_eq!(orphan.reshare_of, None, "the reshare outlives its original");
    assert_eq!(orphan.text, reshare.text);
    assert_eq!(store.post(post.id).await.unwrap(), Some(edited));
}

/// What an account's uploads take, and the collection of uploads no post
/// ever held.
pub async fn media_usage_and_collection(store: Arc<dyn Store>) {
    let [ada, bob] = member_accounts(&*store, ["mq_ada", "mq_bob"]).await;
    assert_eq!(
        store.media_usage(ada.id).await.unwrap(),
        MediaUsage::default()
    );
    let kept = store
        .create_media(new_media(ada.id, "mq-kept", 1))
        .await
        .unwrap();
    let loose = store
        .create_media(new_media(ada.id, "mq-loose", 2))
        .await
        .unwrap();
    let late = store
        .create_media(new_media(ada.id, "mq-late", 30))
        .await
        .unwrap();
    let bobs = store
        .create_media(new_media(bob.id, "mq-bob", 3))
        .await
        .unwrap();
    let mut post = new_post(ada.person, ada.id, "Kept", 4);
    post.media = vec![kept.id];
    store.create_post(post).await.unwrap();
    assert_eq!(
        store.media_usage(ada.id).await.unwrap(),
        MediaUsage {
            bytes: 1_001 + 1_002 + 1_030,
            unattached: 2,
        }
    );
    // Unattached before minute 10, oldest first, within the limit.
    let old = store.unattached_media(at(10), 10).await.unwrap();
    let ids: Vec<i64> = old.iter().map(|(id, _)| *id).collect();
    assert!(ids.contains(&loose.id) && ids.contains(&bobs.id), "{old:?}");
    assert!(
        !ids.contains(&kept.id) && !ids.contains(&late.id),
        "{old:?}"
    );
    assert!(ids.iter().position(|i| *i == loose.id) < ids.iter().position(|i| *i == bobs.id));
    assert_eq!(store.unattached_media(at(10), 1).await.unwrap().len(), 1);
    assert!(store.delete_unattached_media(loose.id).await.unwrap());
    assert!(
        !store.delete_unattached_media(loose.id).await.unwrap(),
        "already gone"
    );
    assert!(
        !store.delete_unattached_media(kept.id).await.unwrap(),
        "held by a post"
    );
    assert_eq!(store.media(loose.id).await.unwrap(), None);
    assert!(store.media(kept.id).await.unwrap().is_some());
    assert_eq!(
        store.media_usage(ada.id).await.unwrap(),
        MediaUsage {
            bytes: 1_001 + 1_030,
            unattached: 1,
        }
    );
}

/// Published posts of a set of authors, newest first (ties by id), paged
/// strictly before a cursor; scheduled posts stay hidden until their time.
pub async fn posts_by_and_scheduled(store: Arc<dyn Store>) {
    let [ada, bob, cy] = member_accounts(&*store, ["pf_ada", "pf_bob", "pf_cy"]).await;
    let now = at(100);
    let pic = store
        .create_media(new_media(ada.id, "pf-key", 1))
        .await
        .unwrap();
    let post = |author: &entremise_domain::account::Account, text: &str, minutes: i64| {
        new_post(author.person, author.id, text, minutes)
    };
    let create = |new: NewPost| {
        let store = store.clone();
        async move { store.create_post(new).await.unwrap() }
    };
    let a1 = create(post(&ada, "a1", 10)).await;
    let b1 = create(post(&bob, "b1", 15)).await;
    let mut with_pic = post(&ada, "a2", 20);
    with_pic.media = vec![pic.id];
    let a2 = create(with_pic).await;
    let c1 = create(post(&cy, "c1", 25)).await;
    // Same time: the greater id comes first.
    let a3 = create(post(&ada, "a3", 30)).await;
    let mut tie = post(&bob, "b2", 29);
    tie.published_at = at(30);
    let b2 = create(tie).await;
    let b3 = create(post(&bob, "b3 published right now", 100)).await;
    let mut later = post(&ada, "s1", 40);
    later.published_at = at(150);
    let s1 = create(later).await;
    let mut sooner = post(&ada, "s2", 41);
    sooner.published_at = at(120);
    let s2 = create(sooner).await;
    assert!(a3.id < b2.id);
    assert_eq!(s1.created_at, at(40));
    assert_eq!(s1.published_at, at(150));

    let expected = vec![
        b3.clone(),
        b2.clone(),
        a3.clone(),
        a2.clone(),
        b1.clone(),
        a1.clone(),
    ];
    let all = store
        .posts_by(&[ada.person, bob.person], None, now, 20)
        .await
        .unwrap();
    assert_eq!(all, expected);
    assert_eq!(all[3].images, [image(&pic)]);
    // The same posts with their counters (and nobody's reactions yet).
    let expected_ids: Vec<i64> = expected.iter().map(|p| p.id).collect();
    let batch = store
        .posts_with_counts(&expected_ids, Some(cy.person), &everything(now))
        .await
        .unwrap();
    assert_eq!(batch.posts, expected);
    assert_eq!(
        batch.counts,
        store
            .post_counts(&expected_ids, &everything(now))
            .await
            .unwrap()
    );
    assert!(batch.mine.is_empty());
    // By id: in the order asked, missing ones left out.
    let asked = [a1.id, 987_654, b3.id, a2.id];
    assert_eq!(
        store.posts(&asked).await.unwrap(),
        [a1.clone(), b3.clone(), a2.clone()]
    );
    assert!(store.posts(&[]).await.unwrap().is_empty());
    // The feed's keys of every post, scheduled ones included, by id (other
    // stories may share the database: only this one's posts are compared).
    let mut keys = Vec::new();
    let mut after = None;
    loop {
        let page = store.post_keys(after, 4).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.2.id);
        keys.extend(page);
    }
    let mut every: Vec<Post> = [&a1, &a2, &a3, &b1, &b2, &b3, &c1, &s1, &s2]
        .into_iter()
        .cloned()
        .collect();
    every.sort_by_key(|p| p.id);
    assert!(keys.windows(2).all(|w| w[0].2.id < w[1].2.id));
    keys.retain(|(_, _, k)| every.iter().any(|p| p.id == k.id));
    assert_eq!(
        keys,
        every
            .iter()
            .map(|p| (
                p.author,
                None,
                PostKey::new(p.published_at, p.id, p.audience)
            ))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        store
            .posts_by(&[bob.person, ada.person, bob.person], None, now, 20)
            .await
            .unwrap(),
        expected,
        "authors in any order, repeated"
    );
    assert_eq!(
        store.posts_by(&[cy.person], None, now, 20).await.unwrap(),
        [c1]
    );
    assert!(store.posts_by(&[], None, now, 20).await.unwrap().is_empty());
    assert_eq!(
        store
            .posts_by(&[ada.person, bob.person], None, now, 3)
            .await
            .unwrap(),
        expected[..3]
    );

    // Pages of two: each starts strictly after the last one shown, the
    // tie at 30 split across pages.
    let mut pages = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .posts_by(&[ada.person, bob.person], before, now, 2)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some(cursor(last));
        pages.push(ids(&page));
        assert!(pages.len() <= 3, "paging ends");
    }
    assert_eq!(
        pages,
        [vec![b3.id, b2.id], vec![a3.id, a2.id], vec![b1.id, a1.id]]
    );
    assert_eq!(
        ids(&store
            .posts_by(&[ada.person, bob.person], Some(cursor(&b2)), now, 1)
            .await
            .unwrap()),
        [a3.id],
        "same time, smaller id"
    );

    // Scheduled posts: hidden until their time, listed apart meanwhile.
    let mut scheduled = store.scheduled_posts(ada.person, now).await.unwrap();
    scheduled.sort_by_key(|p| (p.published_at, p.id));
    assert_eq!(scheduled, [s2.clone(), s1.clone()]);
    assert!(
        store
            .scheduled_posts(bob.person, now)
            .await
            .unwrap()
            .is_empty(),
        "published at now is not scheduled"
    );
    assert_eq!(
        store
            .posts_by(&[ada.person, bob.person], Some((at(1000), 0)), now, 20)
            .await
            .unwrap(),
        expected,
        "a cursor past now shows nothing scheduled"
    );
    let at_120 = store
        .posts_by(&[ada.person, bob.person], None, at(120), 2)
        .await
        .unwrap();
    assert_eq!(ids(&at_120), [s2.id, b3.id]);
    assert_eq!(
        store.scheduled_posts(ada.person, at(120)).await.unwrap(),
        slice::from_ref(&s1)
    );
    assert_eq!(
        ids(&store
            .posts_by(&[ada.person], None, at(200), 2)
            .await
            .unwrap()),
        [s1.id, s2.id]
    );
    assert!(
        store
            .scheduled_posts(ada.person, at(200))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Comments with replies, oldest first; one reaction per member, changed
/// or removed; counters of reactions, comments (replies included) and
/// reshares for a batch of posts.
pub async fn comments_reactions_and_counts(store: Arc<dyn Store>) {
    let [ada, bob, cy] = member_accounts(&*store, ["pc_ada", "pc_bob", "pc_cy"]).await;
    let post = store
        .create_post(new_post(ada.person, ada.id, "Ask me anything", 1))
        .await
        .unwrap();
    let quiet = store
        .create_post(new_post(ada.person, ada.id, "Nobody answers", 2))
        .await
        .unwrap();

    let c1 = store
        .add_comment(post.id, None, bob.person, None, "First", false, at(3))
        .await
        .unwrap();
    assert_eq!(
        (c1.post, c1.parent, c1.author, c1.text.as_str()),
        (post.id, None, bob.person, "First")
    );
    assert_eq!(c1.created_at, at(3));
    let r1 = store
        .add_comment(
            post.id,
            Some(c1.id),
            ada.person,
            None,
            "A reply",
            false,
            at(4),
        )
        .await
        .unwrap();
    assert_eq!((r1.post, r1.parent), (post.id, Some(c1.id)));
    let c2 = store
        .add_comment(post.id, None, cy.person, None, "Second", false, at(5))
        .await
        .unwrap();
    assert_eq!(
        store.comments(post.id).await.unwrap(),
        [c1.clone(), r1.clone(), c2.clone()]
    );
    assert_eq!(store.comment(r1.id).await.unwrap(), Some(r1));
    assert_eq!(store.comment(i64::MAX).await.unwrap(), None);
    assert!(store.comments(quiet.id).await.unwrap().is_empty());
    assert!(
        store
            .add_comment(
                i64::MAX,
                None,
                bob.person,
                None,
                "Into the void",
                false,
                at(6)
            )
            .await
            .is_err(),
        "no such post"
    );

    let react = |member: ProfileId, kind: Option<ReactionKind>, minutes: i64| {
        let store = store.clone();
        async move {
            store
                .set_reaction(post.id, member, kind, at(minutes))
                .await
                .unwrap();
        }
    };
    let tally = || {
        let store = store.clone();
        async move {
            let mut counts = store.reactions(post.id, &[]).await.unwrap();
            counts.sort();
            counts
        }
    };
    use ReactionKind::{Celebrate, Insightful, Like};
    react(bob.person, Some(Like), 6).await;
    react(cy.person, Some(Like), 7).await;
    react(ada.person, Some(Celebrate), 8).await;
    assert_eq!(
        store.reaction_of(post.id, bob.person).await.unwrap(),
        Some(Like)
    );
    assert_eq!(store.reaction_of(quiet.id, bob.person).await.unwrap(), None);
    assert_eq!(tally().await, [(Like, 2), (Celebrate, 1)]);
    react(bob.person, Some(Insightful), 9).await;
    assert_eq!(
        store.reaction_of(post.id, bob.person).await.unwrap(),
        Some(Insightful)
    );
    assert_eq!(tally().await, [(Like, 1), (Celebrate, 1), (Insightful, 1)]);
    let mine = store
        .reactions_of_member(&[post.id, quiet.id, 999_999], bob.person)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine.get(&post.id), Some(&Insightful));
    assert!(
        store
            .reactions_of_member(&[], bob.person)
            .await
            .unwrap()
            .is_empty()
    );
    react(cy.person, None, 10).await;
    react(cy.person, None, 11).await;
    assert_eq!(store.reaction_of(post.id, cy.person).await.unwrap(), None);
    assert_eq!(tally().await, [(Celebrate, 1), (Insightful, 1)]);
    assert!(store.reactions(quiet.id, &[]).await.unwrap().is_empty());

    let mut reshares = Vec::new();
    for (member, minutes) in [(&bob, 12), (&cy, 13)] {
        let mut new = new_post(member.person, member.id, "Worth reading", minutes);
        new.reshare_of = Some(post.id);
        let reshare = store.create_post(new).await.unwrap();
        assert_eq!(reshare.reshare_of, Some(post.id));
        assert_eq!(store.post(reshare.id).await.unwrap(), Some(reshare.clone()));
        reshares.push(reshare);
    }
    let now = everything(at(20));
    let counts = store
        .post_counts(&[post.id, quiet.id, reshares[0].id], &now)
        .await
        .unwrap();
    assert_eq!(
        counts.get(&post.id),
        Some(&StoredCounts {
            reactions: 2,
            comments: 3,
            reshares: 2,
            narrow_reshares: Vec::new(),
        })
    );
    assert_eq!(counts.get(&quiet.id), Some(&StoredCounts::default()));
    assert_eq!(counts.get(&reshares[0].id), Some(&StoredCounts::default()));
    assert!(store.post_counts(&[], &now).await.unwrap().is_empty());
    // Read together: the same counters, and only this member's reactions.
    let asked = [reshares[0].id, post.id, quiet.id, 999_999];
    let batch = store
        .posts_with_counts(&asked, Some(bob.person), &now)
        .await
        .unwrap();
    assert_eq!(
        batch.posts.iter().map(|p| p.id).collect::<Vec<_>>(),
        [reshares[0].id, post.id, quiet.id]
    );
    assert_eq!(batch.counts, counts);
    assert_eq!(batch.mine.len(), 1);
    assert_eq!(batch.mine.get(&post.id), Some(&Insightful));
    let anonymous = CountsFor {
        signed_in: false,
        ..now
    };
    let anonymous = store
        .posts_with_counts(&asked, None, &anonymous)
        .await
        .unwrap();
    assert_eq!(anonymous.counts, counts, "every reshare is public");
    assert!(anonymous.mine.is_empty());
}

/// What counters leave out for one viewer: comments (and the replies
/// under them), reactions and reshares of hidden members; reshares not
/// yet published; reshares for members, unless signed in. Reshares with a
/// narrower audience are not counted but listed, resharer and audience,
/// for the domain to decide.
pub async fn counters_for_a_viewer(store: Arc<dyn Store>) {
    let [ada, bob, cy, dee, eve, fay] = member_accounts(
        &*store,
        ["pk_ada", "pk_bob", "pk_cy", "pk_dee", "pk_eve", "pk_fay"],
    )
    .await;
    let post = store
        .create_post(new_post(ada.person, ada.id, "Counted for whom?", 1))
        .await
        .unwrap();
    let quiet = store
        .create_post(new_post(ada.person, ada.id, "Nothing here", 1))
        .await
        .unwrap();
    let comment = |author: ProfileId, parent: Option<i64>, minutes: i64| {
        let store = store.clone();
        async move {
            store
                .add_comment(post.id, parent, author, None, "A word", false, at(minutes))
                .await
                .unwrap()
                .id
        }
    };
    let by_bob = comment(bob.person, None, 2).await;
    let by_dee = comment(dee.person, None, 3).await;
    comment(cy.person, Some(by_bob), 4).await;
    comment(dee.person, Some(by_bob), 5).await;
    comment(bob.person, Some(by_dee), 6).await;
    use ReactionKind::{Celebrate, Like};
    for (member, kind) in [(&bob, Like), (&cy, Like), (&dee, Celebrate)] {
        store
            .set_reaction(post.id, member.person, Some(kind), at(7))
            .await
            .unwrap();
    }
    // (resharer, audience, published at)
    let reshares = [
        (&bob, Audience::Public, 10),
        (&cy, Audience::Members, 11),
        (&dee, Audience::Public, 12),
        (&eve, Audience::Network, 13),
        (&fay, Audience::Contacts, 14),
        (&dee, Audience::Contacts, 15),
        (&cy, Audience::Public, 200),
        (&fay, Audience::Contacts, 300),
    ];
    for (member, audience, published) in reshares {
        let mut new = new_post(member.person, member.id, "", 8);
        new.reshare_of = Some(post.id);
        new.audience = audience;
        new.published_at = at(published);
        store.create_post(new).await.unwrap();
    }
    let counts_of = |counts_for: CountsFor| {
        let store = store.clone();
        async move {
            let mut all = store
                .post_counts(&[post.id, quiet.id, 999_999], &counts_for)
                .await
                .unwrap();
            assert_eq!(all.len(), 2, "only the posts that exist");
            assert_eq!(all.remove(&quiet.id), Some(StoredCounts::default()));
            let mut counts = all.remove(&post.id).unwrap();
            counts.narrow_reshares.sort();
            // Read with the posts, the same.
            let batch = store
                .posts_with_counts(&[post.id], Some(bob.person), &counts_for)
                .await
                .unwrap();
            let mut together = batch.counts.get(&post.id).cloned().unwrap();
            together.narrow_reshares.sort();
            assert_eq!(together, counts, "{counts_for:?}");
            assert_eq!(batch.mine.get(&post.id), Some(&Like));
            counts
        }
    };
    let narrow = |listed: &[(&entremise_domain::account::Account, Audience)]| {
        let mut listed: Vec<(ProfileId, Audience)> =
            listed.iter().map(|(m, a)| (m.person, *a)).collect();
        listed.sort();
        listed
    };
    let now = at(100);

    // Nobody hidden: every comment and reaction, the published reshares.
    assert_eq!(
        counts_of(everything(now)).await,
        StoredCounts {
            reactions: 3,
            comments: 5,
            reshares: 3,
            narrow_reshares: narrow(&[
                (&eve, Audience::Network),
                (&fay, Audience::Contacts),
                (&dee, Audience::Contacts),
            ]),
        }
    );
    // Dee hidden: her comments and the reply under hers, her reaction and
    // her reshares are left out.
    let without_dee = CountsFor {
        hidden: vec![dee.person],
        ..everything(now)
    };
    assert_eq!(
        counts_of(without_dee.clone()).await,
        StoredCounts {
            reactions: 2,
            comments: 2,
            reshares: 2,
            narrow_reshares: narrow(&[(&eve, Audience::Network), (&fay, Audience::Contacts)]),
        }
    );
    let mut per_kind = store.reactions(post.id, &[dee.person]).await.unwrap();
    per_kind.sort();
    assert_eq!(per_kind, [(Like, 2)]);
    let mut per_kind = store
        .reactions(post.id, &[dee.person, cy.person])
        .await
        .unwrap();
    per_kind.sort();
    assert_eq!(per_kind, [(Like, 1)]);
    let mut per_kind = store.reactions(post.id, &[]).await.unwrap();
    per_kind.sort();
    assert_eq!(per_kind, [(Like, 2), (Celebrate, 1)]);
    // Not signed in: public reshares only, none listed.
    assert_eq!(
        counts_of(CountsFor {
            signed_in: false,
            ..everything(now)
        })
        .await,
        StoredCounts {
            reactions: 3,
            comments: 5,
            reshares: 2,
            narrow_reshares: Vec::new(),
        }
    );
    // Scheduled reshares count from their time on (inclusive).
    assert_eq!(counts_of(everything(at(200))).await.reshares, 4);
    assert_eq!(
        counts_of(CountsFor {
            now: at(300),
            ..without_dee
        })
        .await
        .narrow_reshares,
        narrow(&[
            (&eve, Audience::Network),
            (&fay, Audience::Contacts),
            (&fay, Audience::Contacts),
        ])
    );
    assert_eq!(counts_of(everything(at(9))).await.reshares, 0);
}

/// Following a page is idempotent; unfollowing says whether there was
/// something to undo. A page posts as itself, operated by an account.
pub async fn follows(store: Arc<dyn Store>) {
    let [ada, bob, cy] = member_accounts(&*store, ["pw_ada", "pw_bob", "pw_cy"]).await;
    let acme = store
        .create_page(new_page(ProfileKind::Organization, "pw_acme", None, ada.id))
        .await
        .unwrap();
    let globex = store
        .create_page(new_page(
            ProfileKind::Organization,
            "pw_globex",
            None,
            ada.id,
        ))
        .await
        .unwrap();
    assert_eq!(store.follower_count(acme.id).await.unwrap(), 0);
    assert!(store.followed_pages(bob.person).await.unwrap().is_empty());

    store.follow(bob.person, acme.id, at(2)).await.unwrap();
    store.follow(bob.person, acme.id, at(3)).await.unwrap();
    assert_eq!(store.follower_count(acme.id).await.unwrap(), 1);
    store.follow(cy.person, acme.id, at(4)).await.unwrap();
    store.follow(bob.person, globex.id, at(5)).await.unwrap();
    assert_eq!(store.follower_count(acme.id).await.unwrap(), 2);
    assert_eq!(store.follower_count(globex.id).await.unwrap(), 1);
    let mut followed = store.followed_pages(bob.person).await.unwrap();
    followed.sort();
    let mut both = vec![acme.id, globex.id];
    both.sort();
    assert_eq!(followed, both);

    assert!(store.unfollow(bob.person, acme.id).await.unwrap());
    assert!(!store.unfollow(bob.person, acme.id).await.unwrap());
    assert!(!store.unfollow(ada.person, globex.id).await.unwrap());
    assert_eq!(store.follower_count(acme.id).await.unwrap(), 1);
    assert_eq!(store.followed_pages(bob.person).await.unwrap(), [globex.id]);
    assert_eq!(store.followed_pages(cy.person).await.unwrap(), [acme.id]);

    let news = store
        .create_post(new_post(acme.id, ada.id, "News from Acme", 6))
        .await
        .unwrap();
    assert_eq!((news.author, news.operator), (acme.id, ada.id));
    assert_eq!(
        store.posts_by(&[acme.id], None, at(10), 5).await.unwrap(),
        [news]
    );
}
