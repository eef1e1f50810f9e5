//! Conversations: one-to-one reuse, messages paged newest first, read
//! marks and unread counts, interactions.

use crate::fixtures::{at, members};
use entremise_domain::ProfileId;
use entremise_domain::conversation::{Conversation, Interaction, Message};
use entremise_domain::store::Store;
use std::slice;
use std::sync::Arc;

fn sorted<const N: usize>(mut ids: [ProfileId; N]) -> Vec<ProfileId> {
    ids.sort();
    ids.to_vec()
}

async fn say(
    store: &dyn Store,
    conversation: &Conversation,
    author: ProfileId,
    minutes: i64,
) -> Message {
    let text = format!("Said by {} at {minutes}", author.0);
    let message = store
        .add_message(conversation.id, author, &text, at(minutes))
        .await
        .unwrap();
    assert_eq!(
        (message.conversation, message.author, &message.text),
        (conversation.id, author, &text)
    );
    assert_eq!(message.created_at, at(minutes));
    message
}

/// Participants without duplicates; two people have one one-to-one
/// conversation; messages page newest first; lists put the most recently
/// active conversation first, with its last message.
pub async fn conversations(store: Arc<dyn Store>) {
    let [ada, bob, cy, dan] = members(&*store, ["cv_ada", "cv_bob", "cv_cy", "cv_dan"]).await;
    let pair = store.create_conversation(&[bob, ada], at(1)).await.unwrap();
    assert_eq!(pair.participants, sorted([ada, bob]));
    assert_eq!(pair.created_at, at(1));
    assert_eq!(
        store.conversation(pair.id).await.unwrap(),
        Some(pair.clone())
    );
    assert_eq!(store.conversation(i64::MAX).await.unwrap(), None);
    assert_eq!(
        store
            .create_conversation(&[ada, bob, ada], at(2))
            .await
            .unwrap(),
        pair,
        "the existing one-to-one conversation, as it was created"
    );
    let group = store
        .create_conversation(&[ada, bob, cy], at(3))
        .await
        .unwrap();
    assert_eq!(group.participants, sorted([ada, bob, cy]));
    let other_group = store
        .create_conversation(&[cy, bob, ada], at(4))
        .await
        .unwrap();
    assert_ne!(other_group.id, group.id, "groups are never merged");
    let quiet = store.create_conversation(&[ada, dan], at(5)).await.unwrap();
    assert_ne!(quiet.id, pair.id);

    let m1 = say(&*store, &pair, ada, 10).await;
    let m2 = say(&*store, &pair, bob, 11).await;
    let m3 = say(&*store, &pair, ada, 12).await;
    let g1 = say(&*store, &group, cy, 13).await;
    assert!(m1.id < m2.id && m2.id < m3.id);
    assert_eq!(
        store.messages(pair.id, None, 10).await.unwrap(),
        [m3.clone(), m2.clone(), m1.clone()]
    );
    assert_eq!(
        store.messages(pair.id, Some(m3.id), 1).await.unwrap(),
        slice::from_ref(&m2)
    );
    assert_eq!(
        store.messages(pair.id, Some(m2.id), 10).await.unwrap(),
        slice::from_ref(&m1)
    );
    assert!(
        store
            .messages(pair.id, Some(m1.id), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.messages(quiet.id, None, 10).await.unwrap().is_empty());
    assert!(
        store
            .add_message(i64::MAX, ada, "Nobody hears", at(14))
            .await
            .is_err(),
        "no such conversation"
    );

    // Most recently active first: a message counts, else the creation.
    let list = store.conversations_of(ada, None, 10).await.unwrap();
    let ids: Vec<i64> = list.iter().map(|e| e.conversation.id).collect();
    assert_eq!(ids, [group.id, pair.id, quiet.id, other_group.id]);
    assert_eq!(list[0].conversation, group);
    assert_eq!(list[0].last_message, Some(g1));
    assert_eq!(list[1].last_message, Some(m3.clone()));
    assert_eq!(list[2].last_message, None);
    assert_eq!(list[2].conversation, quiet);
    let first_two = store.conversations_of(ada, None, 2).await.unwrap();
    assert_eq!(first_two, list[..2]);
    let of_dan = store.conversations_of(dan, None, 10).await.unwrap();
    assert_eq!(of_dan.len(), 1);
    assert_eq!((of_dan[0].conversation.id, of_dan[0].unread), (quiet.id, 0));
}

/// Unread counts others' messages after the read mark; the mark moves
/// forward only, and writing moves it to one's own message.
pub async fn unread_and_read_marks(store: Arc<dyn Store>) {
    let [ada, bob, cy] = members(&*store, ["ur_ada", "ur_bob", "ur_cy"]).await;
    let pair = store.create_conversation(&[ada, bob], at(1)).await.unwrap();
    let group = store
        .create_conversation(&[ada, bob, cy], at(1))
        .await
        .unwrap();
    let unread = |member: ProfileId| {
        let store = store.clone();
        async move {
            store
                .conversations_of(member, None, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|e| (e.conversation.id, e.unread))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(store.unread_total(bob).await.unwrap(), 0);

    let a1 = say(&*store, &pair, ada, 2).await;
    let a2 = say(&*store, &pair, ada, 3).await;
    let a3 = say(&*store, &pair, ada, 4).await;
    say(&*store, &group, cy, 5).await;
    assert_eq!(unread(bob).await, [(group.id, 1), (pair.id, 3)]);
    assert_eq!(unread(ada).await, [(group.id, 1), (pair.id, 0)]);
    assert_eq!(store.unread_total(bob).await.unwrap(), 4);
    assert_eq!(store.unread_total(cy).await.unwrap(), 0);

    store.mark_read(pair.id, bob, a2.id).await.unwrap();
    assert_eq!(unread(bob).await, [(group.id, 1), (pair.id, 1)]);
    store.mark_read(pair.id, bob, a1.id).await.unwrap();
    assert_eq!(
        unread(bob).await,
        [(group.id, 1), (pair.id, 1)],
        "a read mark never moves back"
    );
    assert_eq!(store.unread_total(bob).await.unwrap(), 2);
    // Marking in a conversation one is not part of changes nothing.
    store.mark_read(pair.id, cy, a3.id).await.unwrap();
    assert_eq!(store.unread_total(cy).await.unwrap(), 0);

    // Answering reads everything before one's answer.
    say(&*store, &pair, bob, 6).await;
    assert_eq!(unread(bob).await, [(pair.id, 0), (group.id, 1)]);
    assert_eq!(unread(ada).await, [(pair.id, 1), (group.id, 1)]);
    store.mark_read(group.id, bob, i64::MAX).await.unwrap();
    assert_eq!(store.unread_total(bob).await.unwrap(), 0);
    assert_eq!(store.unread_total(ada).await.unwrap(), 2);
}

/// Interactions: per one-to-one partner, the messages exchanged and when
/// the last was; group conversations do not count, nor count as
/// one-to-one.
pub async fn interactions(store: Arc<dyn Store>) {
    let [ada, bob, cy, dan] = members(&*store, ["it_ada", "it_bob", "it_cy", "it_dan"]).await;
    // The group exists first: a one-to-one conversation is not a group
    // that happens to include both.
    let group = store
        .create_conversation(&[ada, bob, dan], at(1))
        .await
        .unwrap();
    let with_bob = store.create_conversation(&[ada, bob], at(1)).await.unwrap();
    assert_ne!(with_bob.id, group.id);
    assert_eq!(with_bob.participants, sorted([ada, bob]));
    store.create_conversation(&[cy, ada], at(1)).await.unwrap();
    say(&*store, &with_bob, ada, 2).await;
    say(&*store, &with_bob, bob, 3).await;
    say(&*store, &with_bob, ada, 4).await;
    say(&*store, &group, dan, 9).await;

    assert_eq!(
        store.interactions_of(ada).await.unwrap(),
        [
            Interaction {
                other: bob,
                messages: 3,
                last_message_at: Some(at(4))
            },
            Interaction {
                other: cy,
                messages: 0,
                last_message_at: None
            },
        ]
    );
    assert_eq!(
        store.interactions_of(bob).await.unwrap(),
        [Interaction {
            other: ada,
            messages: 3,
            last_message_at: Some(at(4))
        }]
    );
    assert!(store.interactions_of(dan).await.unwrap().is_empty());
}

/// Messages written at once from many tasks are all kept, each with its
/// own id, and the writers' read marks follow their own messages.
pub async fn concurrent_messages(store: Arc<dyn Store>) {
    let [ada, bob] = members(&*store, ["cm_ada", "cm_bob"]).await;
    let pair = store.create_conversation(&[ada, bob], at(1)).await.unwrap();
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..16 {
        let store = store.clone();
        let author = if i % 2 == 0 { ada } else { bob };
        writers.spawn(async move {
            store
                .add_message(pair.id, author, &format!("Message {i}"), at(2))
                .await
                .expect("add message")
        });
    }
    let mut written = Vec::new();
    while let Some(message) = writers.join_next().await {
        written.push(message.expect("task"));
    }
    written.sort_by_key(|m| m.id);
    let mut stored = store.messages(pair.id, None, 100).await.unwrap();
    stored.reverse();
    assert_eq!(stored, written);
    let last = written.last().expect("messages").author;
    assert_eq!(
        store.unread_total(last).await.unwrap(),
        0,
        "the last writer has read everything before his message"
    );
}
