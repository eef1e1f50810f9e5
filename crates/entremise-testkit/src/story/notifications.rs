//! Notifications: one per (member, kind, object) while unread, growing
//! with each actor; applied with the projection's checkpoint so that a
//! replayed batch changes nothing; read marks; kinds switched off.

use crate::fixtures::{at, members};
use entremise_domain::ProfileId;
use entremise_domain::notification::{NotificationDraft, NotificationKind, NotificationObject};
use entremise_domain::store::Store;
use std::sync::Arc;

/// A checkpoint no projection of the application uses.
const CHECKPOINT: &str = "story_notifications";

fn draft(
    recipient: ProfileId,
    kind: NotificationKind,
    actor: ProfileId,
    object: NotificationObject,
    seq: i64,
) -> NotificationDraft {
    NotificationDraft {
        recipient,
        kind,
        actor,
        object: Some(object),
        seq,
        at: at(seq),
    }
}

pub async fn notifications_grow_and_replay_once(store: Arc<dyn Store>) {
    use NotificationKind as K;
    use NotificationObject as O;
    let [ada, bob, cy, dee] = members(&*store, ["no_ada", "no_bob", "no_cy", "no_dee"]).await;
    let first = [
        draft(ada, K::Reaction, bob, O::Post(7), 1),
        draft(ada, K::Reaction, cy, O::Post(7), 2),
        draft(ada, K::Comment, bob, O::Post(7), 2),
        draft(bob, K::Message, ada, O::Conversation(3), 3),
    ];
    store
        .apply_notifications(&first, (CHECKPOINT, 3))
        .await
        .unwrap();
    assert_eq!(store.checkpoint(CHECKPOINT).await.unwrap(), Some(3));
    // The same batch again (a projection retried): nothing changes.
    store
        .apply_notifications(&first, (CHECKPOINT, 3))
        .await
        .unwrap();
    let list = store.notifications_of(ada, None, 10).await.unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let reaction = list.iter().find(|n| n.kind == K::Reaction).unwrap();
    assert_eq!(reaction.actors, [cy, bob], "most recent first");
    assert_eq!(reaction.object, Some(O::Post(7)));
    assert_eq!(reaction.created_at, at(1));
    assert_eq!(reaction.updated_at, at(2));
    assert_eq!(reaction.seq, 2);
    assert!(!reaction.read);
    assert_eq!(store.unread_notifications(ada).await.unwrap(), 2);

    // Paging: most recently grown first, strictly after a position.
    let page = store.notifications_of(ada, None, 1).await.unwrap();
    let rest = store
        .notifications_of(ada, Some((page[0].updated_at, page[0].id)), 10)
        .await
        .unwrap();
    assert_eq!(page.len() + rest.len(), 2);
    assert_ne!(page[0].id, rest[0].id);

    // Read up to the newest: a later actor starts a new notification.
    let newest = list.iter().map(|n| n.id).max().unwrap();
    assert_eq!(store.mark_notifications_read(ada, newest).await.unwrap(), 2);
    assert_eq!(store.unread_notifications(ada).await.unwrap(), 0);
    store
        .apply_notifications(
            &[draft(ada, K::Reaction, dee, O::Post(7), 4)],
            (CHECKPOINT, 4),
        )
        .await
        .unwrap();
    let list = store.notifications_of(ada, None, 10).await.unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].actors, [dee]);
    assert!(!list[0].read);
    // Everything from the first event again: the read ones stay read and
    // nothing is added.
    let mut all = first.to_vec();
    all.push(draft(ada, K::Reaction, dee, O::Post(7), 4));
    store
        .apply_notifications(&all, (CHECKPOINT, 4))
        .await
        .unwrap();
    assert_eq!(store.notifications_of(ada, None, 10).await.unwrap(), list);

    // For the streams: by event, every recipient's, or one member's.
    let between = store.notifications_between(2, 4).await.unwrap();
    let seqs: Vec<i64> = between.iter().map(|n| n.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] <= w[1]), "{seqs:?}");
    assert!(between.iter().any(|n| n.recipient == bob && n.seq == 3));
    let since = store.notifications_since(ada, 3, 10).await.unwrap();
    assert_eq!(since.len(), 1);
    assert_eq!(since[0].actors, [dee]);

    // Kinds switched off, and on again.
    store
        .set_notification_kind(cy, K::Mention, false)
        .await
        .unwrap();
    store
        .set_notification_kind(cy, K::Reply, false)
        .await
        .unwrap();
    store
        .set_notification_kind(cy, K::Reply, false)
        .await
        .unwrap();
    assert_eq!(
        store.muted_notification_kinds(cy).await.unwrap(),
        [K::Mention, K::Reply]
    );
    store
        .set_notification_kind(cy, K::Mention, true)
        .await
        .unwrap();
    assert_eq!(
        store.muted_notification_kinds(cy).await.unwrap(),
        [K::Reply]
    );
    assert!(
        store
            .muted_notification_kinds(ada)
            .await
            .unwrap()
            .is_empty()
    );
}
