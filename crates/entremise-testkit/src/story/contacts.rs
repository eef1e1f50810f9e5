//! Contacts, contact requests, invitation codes and blocks.

use crate::fixtures::{at, members};
use entremise_domain::ProfileId;
use entremise_domain::contact::{ContactEntry, RequestStatus, RequestVia};
use entremise_domain::introduction::IntroductionStatus;
use entremise_domain::store::{NewContactRequest, NewIntroduction, Store};
use std::slice;
use std::sync::Arc;
use time::Duration;

fn request(from: ProfileId, to: ProfileId, minutes: i64) -> NewContactRequest {
    NewContactRequest {
        from,
        to,
        message: None,
        via: RequestVia::Setting,
        created_at: at(minutes),
    }
}

/// Makes two members contacts through an accepted request at `at(minutes)`.
async fn befriend(store: &dyn Store, x: ProfileId, y: ProfileId, minutes: i64) {
    let sent = store
        .create_contact_request(request(x, y, minutes))
        .await
        .unwrap();
    assert!(
        store
            .decide_contact_request(sent.id, RequestStatus::Accepted, at(minutes))
            .await
            .unwrap()
    );
}

/// Requests: pending lists both ways, the weekly count, acceptance making
/// a contact once (stored in either order), declines remembered.
pub async fn contacts_and_requests(store: Arc<dyn Store>) {
    let [ada, bob, cy, dan] = members(&*store, ["cr_ada", "cr_bob", "cr_cy", "cr_dan"]).await;
    let new = NewContactRequest {
        from: ada,
        to: bob,
        message: Some("We met at the “Rust Caen” meetup 🦀".into()),
        via: RequestVia::Email,
        created_at: at(1),
    };
    let sent = store.create_contact_request(new.clone()).await.unwrap();
    assert_eq!(
        (sent.from, sent.to, &sent.message, sent.via),
        (ada, bob, &new.message, RequestVia::Email)
    );
    assert_eq!(
        (sent.status, sent.created_at, sent.decided_at),
        (RequestStatus::Pending, at(1), None)
    );
    assert_eq!(
        store.contact_request(sent.id).await.unwrap(),
        Some(sent.clone())
    );
    assert_eq!(store.contact_request(i64::MAX).await.unwrap(), None);
    assert_eq!(
        store.pending_request(ada, bob).await.unwrap(),
        Some(sent.clone())
    );
    assert_eq!(store.pending_request(bob, ada).await.unwrap(), None);

    let from_cy = store
        .create_contact_request(request(cy, bob, 2))
        .await
        .unwrap();
    assert_eq!(from_cy.message, None);
    assert_eq!(
        store.pending_requests(bob, false).await.unwrap(),
        [from_cy.clone(), sent.clone()],
        "incoming, newest first"
    );
    assert_eq!(
        store.pending_requests(ada, true).await.unwrap(),
        slice::from_ref(&sent)
    );
    assert!(store.pending_requests(ada, false).await.unwrap().is_empty());
    assert!(store.pending_requests(bob, true).await.unwrap().is_empty());
    assert_eq!(store.count_requests_since(ada, at(0)).await.unwrap(), 1);
    assert_eq!(
        store.count_requests_since(ada, at(1)).await.unwrap(),
        1,
        "since is inclusive"
    );
    assert_eq!(store.count_requests_since(ada, at(2)).await.unwrap(), 0);

    // Acceptance makes the contact, once.
    assert!(!store.is_contact(ada, bob).await.unwrap());
    assert!(
        store
            .decide_contact_request(sent.id, RequestStatus::Accepted, at(3))
            .await
            .unwrap()
    );
    assert!(
        !store
            .decide_contact_request(sent.id, RequestStatus::Declined, at(4))
            .await
            .unwrap(),
        "only a pending request is decided"
    );
    assert!(
        !store
            .decide_contact_request(i64::MAX, RequestStatus::Accepted, at(4))
            .await
            .unwrap()
    );
    let accepted = store.contact_request(sent.id).await.unwrap().unwrap();
    assert_eq!(
        (accepted.status, accepted.decided_at),
        (RequestStatus::Accepted, Some(at(3)))
    );
    assert!(store.is_contact(ada, bob).await.unwrap());
    assert!(store.is_contact(bob, ada).await.unwrap());
    let since_3 = |contact| ContactEntry {
        contact,
        since: at(3),
    };
    assert_eq!(store.contacts_of(ada).await.unwrap(), [since_3(bob)]);
    assert_eq!(store.contacts_of(bob).await.unwrap(), [since_3(ada)]);
    assert_eq!(store.pending_request(ada, bob).await.unwrap(), None);
    assert_eq!(
        store.pending_requests(bob, false).await.unwrap(),
        slice::from_ref(&from_cy)
    );

    // Declines are remembered per direction, the latest counting.
    assert_eq!(store.last_declined(cy, bob).await.unwrap(), None);
    assert!(
        store
            .decide_contact_request(from_cy.id, RequestStatus::Declined, at(4))
            .await
            .unwrap()
    );
    assert!(!store.is_contact(cy, bob).await.unwrap());
    assert_eq!(store.last_declined(cy, bob).await.unwrap(), Some(at(4)));
    assert_eq!(store.last_declined(bob, cy).await.unwrap(), None);
    let again = store
        .create_contact_request(request(cy, bob, 5))
        .await
        .unwrap();
    store
        .decide_contact_request(again.id, RequestStatus::Declined, at(6))
        .await
        .unwrap();
    let withdrawn = store
        .create_contact_request(request(cy, bob, 7))
        .await
        .unwrap();
    store
        .decide_contact_request(withdrawn.id, RequestStatus::Withdrawn, at(8))
        .await
        .unwrap();
    assert_eq!(store.last_declined(cy, bob).await.unwrap(), Some(at(6)));
    assert_eq!(
        store.count_requests_since(cy, at(0)).await.unwrap(),
        3,
        "every status counts for the quota"
    );

    // Several contacts, newest first; removal in either order.
    befriend(&*store, dan, ada, 9).await;
    assert_eq!(
        store.contacts_of(ada).await.unwrap(),
        [
            ContactEntry {
                contact: dan,
                since: at(9)
            },
            since_3(bob)
        ]
    );
    assert!(store.remove_contact(bob, ada).await.unwrap());
    assert!(!store.remove_contact(ada, bob).await.unwrap());
    assert!(!store.is_contact(ada, bob).await.unwrap());
    assert!(store.contacts_of(bob).await.unwrap().is_empty());
    assert!(store.is_contact(ada, dan).await.unwrap());
}

/// The whole contact graph, a page at a time, each contact once with the
/// smaller id first.
pub async fn contacts_paging(store: Arc<dyn Store>) {
    let [m0, m1, m2, m3] = members(&*store, ["cp_0", "cp_1", "cp_2", "cp_3"]).await;
    befriend(&*store, m1, m0, 1).await;
    befriend(&*store, m0, m2, 2).await;
    befriend(&*store, m3, m2, 3).await;
    befriend(&*store, m1, m3, 4).await;

    let everything = store.contacts_page(None, 100_000).await.unwrap();
    assert!(everything.iter().all(|(a, b, _)| a < b));
    assert!(
        everything
            .windows(2)
            .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)),
        "(a, b) order"
    );
    let ours: Vec<_> = everything
        .iter()
        .filter(|(a, _, _)| [m0, m1, m2, m3].contains(a))
        .copied()
        .collect();
    assert_eq!(
        ours,
        [
            (m0, m1, at(1)),
            (m0, m2, at(2)),
            (m1, m3, at(4)),
            (m2, m3, at(3))
        ]
    );

    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = store.contacts_page(after, 3).await.unwrap();
        assert!(page.len() <= 3);
        let Some(&(a, b, _)) = page.last() else {
            break;
        };
        after = Some((a, b));
        paged.extend(page);
    }
    assert_eq!(paged, everything);
    assert_eq!(
        store.contacts_page(Some((m0, m1)), 1).await.unwrap()[0],
        (m0, m2, at(2)),
        "strictly after"
    );
    assert!(store.contacts_page(None, 0).await.unwrap().is_empty());
}

/// Invitation codes: found by code, listed newest first, revoked once by
/// their owner only; a code is never handed out twice.
pub async fn invitation_codes(store: Arc<dyn Store>) {
    let [ada, bob] = members(&*store, ["inv_ada", "inv_bob"]).await;
    let first = store
        .create_invitation_code(ada, "inv-ada-card-1", at(1))
        .await
        .unwrap();
    assert_eq!(
        (
            first.code.as_str(),
            first.owner,
            first.created_at,
            first.revoked_at
        ),
        ("inv-ada-card-1", ada, at(1), None)
    );
    let second = store
        .create_invitation_code(ada, "inv-ada-card-2", at(2))
        .await
        .unwrap();
    assert!(
        store
            .create_invitation_code(bob, "inv-ada-card-1", at(3))
            .await
            .is_err(),
        "a code belongs to one member"
    );
    assert_eq!(
        store.invitation_code("inv-ada-card-1").await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.invitation_code("inv-nobody").await.unwrap(), None);
    assert_eq!(
        store.invitation_codes_of(ada, None, 10).await.unwrap(),
        [second.clone(), first.clone()]
    );
    assert!(
        store
            .invitation_codes_of(bob, None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    assert!(
        !store
            .revoke_invitation_code(bob, "inv-ada-card-1", at(4))
            .await
            .unwrap(),
        "only the owner revokes"
    );
    assert!(
        store
            .revoke_invitation_code(ada, "inv-ada-card-1", at(5))
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_invitation_code(ada, "inv-ada-card-1", at(6))
            .await
            .unwrap(),
        "revoked once"
    );
    let revoked = store
        .invitation_code("inv-ada-card-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(at(5)));
    assert_eq!(
        store.invitation_codes_of(ada, None, 10).await.unwrap(),
        [second, revoked]
    );
}

/// A block removes the contact, withdraws pending requests either way and
/// declines the open introductions with both on the path, in one go;
/// nothing else changes.
pub async fn block_side_effects(store: Arc<dyn Store>) {
    let [ada, bob, cy, dan] = members(&*store, ["bs_ada", "bs_bob", "bs_cy", "bs_dan"]).await;
    befriend(&*store, ada, dan, 1).await;
    befriend(&*store, ada, bob, 1).await;
    let to_ada = store
        .create_contact_request(request(dan, ada, 2))
        .await
        .unwrap();
    let to_dan = store
        .create_contact_request(request(ada, dan, 2))
        .await
        .unwrap();
    let unrelated = store
        .create_contact_request(request(cy, ada, 2))
        .await
        .unwrap();
    let introduce = |requester, intermediaries: Vec<ProfileId>, target, days: i64| {
        let store = store.clone();
        async move {
            let new = NewIntroduction {
                requester,
                intermediaries,
                target,
                notes: Vec::new(),
                created_at: at(3),
                expires_at: at(3) + Duration::days(days),
            };
            store.create_introduction(new).await.unwrap()
        }
    };
    // Ada and Dan both on the path, as intermediary and target.
    let via_ada = introduce(cy, vec![ada], dan, 30).await;
    // Dan requester, Ada target, through Bob.
    let to_ada_intro = introduce(dan, vec![bob], ada, 30).await;
    // Only Dan on the path.
    let without_ada = introduce(cy, vec![bob], dan, 30).await;
    // Both on the path, but already past its deadline: it stays expired.
    let expired = introduce(dan, vec![bob], ada, 0).await;

    store.block(ada, dan, at(10)).await.unwrap();
    store.block(ada, dan, at(11)).await.unwrap();
    assert!(store.is_blocked(ada, dan).await.unwrap());
    assert!(store.is_blocked(dan, ada).await.unwrap());
    assert_eq!(store.blocked_by(ada).await.unwrap(), [dan]);
    assert!(store.blocked_by(dan).await.unwrap().is_empty());
    let all = store.all_blocks().await.unwrap();
    assert!(all.contains(&(ada, dan)));
    assert!(!all.contains(&(dan, ada)));

    assert!(!store.is_contact(ada, dan).await.unwrap());
    assert!(
        store.is_contact(ada, bob).await.unwrap(),
        "other contacts stay"
    );
    for id in [to_ada.id, to_dan.id] {
        let withdrawn = store.contact_request(id).await.unwrap().unwrap();
        assert_eq!(
            (withdrawn.status, withdrawn.decided_at),
            (RequestStatus::Withdrawn, Some(at(10)))
        );
    }
    assert_eq!(
        store.contact_request(unrelated.id).await.unwrap(),
        Some(unrelated)
    );
    for open in [via_ada.id, to_ada_intro.id] {
        let declined = store.introduction(open).await.unwrap().unwrap();
        assert_eq!(
            (declined.status, declined.declined_by, declined.decided_at),
            (IntroductionStatus::Declined, Some(ada), Some(at(10)))
        );
    }
    assert_eq!(
        store.introduction(without_ada.id).await.unwrap(),
        Some(without_ada)
    );
    assert_eq!(store.introduction(expired.id).await.unwrap(), Some(expired));

    // Unblocking lifts the block, not its consequences.
    assert!(!store.unblock(dan, ada).await.unwrap());
    assert!(store.unblock(ada, dan).await.unwrap());
    assert!(!store.unblock(ada, dan).await.unwrap());
    assert!(!store.is_blocked(ada, dan).await.unwrap());
    assert!(store.blocked_by(ada).await.unwrap().is_empty());
    assert!(!store.is_contact(ada, dan).await.unwrap());
}
