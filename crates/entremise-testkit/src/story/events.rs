//! The outbox: each write others must learn of records its change event
//! in its own transaction, in commit order; a write that changes nothing,
//! or is refused, records none.

use crate::fixtures::{at, member_accounts};
use entremise_domain::ProfileId;
use entremise_domain::contact::{RequestStatus, RequestVia};
use entremise_domain::events::Change;
use entremise_domain::post::ReactionKind;
use entremise_domain::privacy::Audience;
use entremise_domain::store::{NewContactRequest, NewPost, Store};
use std::sync::Arc;

/// The changes recorded since `after` that involve one of `ids` (other
/// chapters may write on the same database meanwhile).
async fn changes_since(store: &dyn Store, after: i64, ids: &[ProfileId]) -> Vec<Change> {
    let events = store.events_after(after, 10_000).await.unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "events come in commit order: {seqs:?}"
    );
    events
        .into_iter()
        .map(|e| e.change)
        .filter(|c| {
            let text = c.encode();
            ids.iter().any(|id| text.contains(&format!("\"{id}\"")))
        })
        .collect()
}

/// One event per write that changed something, none for the others.
pub async fn events(store: Arc<dyn Store>) {
    let [ada, bob] = member_accounts(&*store, ["ev_ada", "ev_bob"]).await;
    let (a, b) = (ada.person, bob.person);
    let ids = [a, b];
    let start = store.last_event_seq().await.unwrap();

    let request = store
        .create_contact_request(NewContactRequest {
            from: a,
            to: b,
            message: None,
            via: RequestVia::Setting,
            created_at: at(1),
        })
        .await
        .unwrap();
    assert!(
        store
            .decide_contact_request(request.id, RequestStatus::Accepted, at(2))
            .await
            .unwrap()
    );
    // Deciding again changes nothing, and records nothing.
    assert!(
        !store
            .decide_contact_request(request.id, RequestStatus::Declined, at(3))
            .await
            .unwrap()
    );
    assert!(store.remove_contact(b, a).await.unwrap());
    assert!(!store.remove_contact(b, a).await.unwrap());
    store.block(a, b, at(4)).await.unwrap();
    assert!(store.unblock(a, b).await.unwrap());
    let conversation = store.create_conversation(&[a, b], at(5)).await.unwrap();
    let message = store
        .add_message(conversation.id, a, "Bonjour", at(6))
        .await
        .unwrap();
    store
        .mark_read(conversation.id, b, message.id)
        .await
        .unwrap();
    let post = store
        .create_post(NewPost {
            author: b,
            operator: bob.id,
            audience: Audience::Members,
            group: None,
            text: "Hello".into(),
            reshare_of: None,
            media: Vec::new(),
            created_at: at(7),
            published_at: at(7),
            replies: Default::default(),
        })
        .await
        .unwrap();
    let comment = store
        .add_comment(post.id, None, a, None, "Nice", false, at(8))
        .await
        .unwrap();
    store
        .set_reaction(post.id, a, Some(ReactionKind::Celebrate), at(9))
        .await
        .unwrap();
    // A refused write records nothing.
    assert!(
        store
            .add_comment(i64::MAX, None, a, None, "Nobody reads this", false, at(10))
            .await
            .is_err()
    );
    store.delete_post(post.id).await.unwrap();
    let mut profile = store.profile(a).await.unwrap().unwrap();
    profile.fields.headline = Some("Editor".into());
    store.save_profile(&profile, None).await.unwrap();

    assert_eq!(
        changes_since(&*store, start, &ids).await,
        vec![
            Change::ContactRequested {
                request: request.id,
                from: a,
                to: b
            },
            Change::ContactRequestDecided {
                request: request.id,
                from: a,
                to: b,
                accepted: true,
                withdrawn: false
            },
            Change::ContactAdded {
                a: a.min(b),
                b: a.max(b)
            },
            Change::ContactRemoved {
                a: a.min(b),
                b: a.max(b)
            },
            Change::Blocked {
                blocker: a,
                blocked: b
            },
            Change::Unblocked {
                blocker: a,
                blocked: b
            },
            Change::ConversationStarted {
                conversation: conversation.id,
                members: conversation.participants.clone()
            },
            Change::MessagePosted {
                conversation: conversation.id,
                message: message.id,
                author: a,
                members: conversation.participants.clone()
            },
            Change::ConversationRead {
                conversation: conversation.id,
                member: b,
                up_to: message.id
            },
            Change::PostPublished {
                post: post.id,
                author: b,
                audience: Audience::Members,
                group: None,
                published_at: at(7),
                reshare_of: None
            },
            Change::CommentAdded {
                post: post.id,
                post_author: b,
                comment: comment.id,
                author: a,
                parent: None,
                held: false
            },
            Change::ReactionSet {
                post: post.id,
                post_author: b,
                member: a,
                kind: Some(ReactionKind::Celebrate)
            },
            Change::PostDeleted {
                post: post.id,
                group: None,
                author: b
            },
            Change::ProfileChanged { profile: a },
        ]
    );
    // Checkpoints only move forward.
    store.set_checkpoint("ev_story", 7).await.unwrap();
    store.set_checkpoint("ev_story", 3).await.unwrap();
    assert_eq!(store.checkpoint("ev_story").await.unwrap(), Some(7));
    assert_eq!(store.checkpoint("ev_missing").await.unwrap(), None);
}
