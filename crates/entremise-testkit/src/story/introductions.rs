//! Introductions: creation, transitions written only from a fresh read,
//! what an acceptance does, quotas and relay records.

use crate::fixtures::{at, members};
use entremise_domain::introduction::{
    Introduction, IntroductionAction, IntroductionNote, IntroductionStatus,
};
use entremise_domain::store::{NewIntroduction, RelayStats, Store};
use entremise_domain::{Error, ProfileId};
use std::slice;
use std::sync::Arc;
use time::Duration;

/// An introduction created at `at(minutes)`, open for 30 days, with the
/// requester's note for each hop.
fn new_introduction(
    requester: ProfileId,
    intermediaries: &[ProfileId],
    target: ProfileId,
    minutes: i64,
) -> NewIntroduction {
    let notes = intermediaries
        .iter()
        .chain([&target])
        .map(|recipient| IntroductionNote {
            author: requester,
            recipient: *recipient,
            text: format!("Note for {}", recipient.0),
            at: at(minutes),
        })
        .collect();
    NewIntroduction {
        requester,
        intermediaries: intermediaries.to_vec(),
        target,
        notes,
        created_at: at(minutes),
        expires_at: at(minutes) + Duration::days(30),
    }
}

/// `actor` does `action` at `at(minutes)`: the domain computes the
/// transition, the store writes it.
async fn act(
    store: &dyn Store,
    before: &Introduction,
    actor: ProfileId,
    action: IntroductionAction,
    minutes: i64,
) -> (Introduction, Option<i64>) {
    let after = before
        .apply(actor, &action, at(minutes))
        .unwrap_or_else(|e| panic!("{actor:?} {action:?}: {e:?}"));
    let conversation = store.apply_introduction(before, &after).await.unwrap();
    assert_eq!(
        store.introduction(before.id).await.unwrap().as_ref(),
        Some(&after)
    );
    (after, conversation)
}

fn forward(note: &str) -> IntroductionAction {
    IntroductionAction::Forward { note: note.into() }
}

/// A journey through two intermediaries: stored as created, found by
/// everyone on the path, each step written once (a stale one is a
/// conflict), notes appended, and the acceptance making the contact and
/// opening the conversation.
pub async fn introductions(store: Arc<dyn Store>) {
    let [req, i1, i2, target, other] = members(
        &*store,
        ["in_req", "in_one", "in_two", "in_target", "in_other"],
    )
    .await;
    let new = new_introduction(req, &[i1, i2], target, 1);
    let created = store.create_introduction(new.clone()).await.unwrap();
    assert_eq!(
        (created.requester, &created.intermediaries, created.target),
        (req, &vec![i1, i2], target)
    );
    assert_eq!(
        (created.step, created.status),
        (0, IntroductionStatus::Pending)
    );
    assert_eq!(created.notes, new.notes);
    assert_eq!(
        (created.created_at, created.expires_at),
        (new.created_at, new.expires_at)
    );
    assert_eq!((created.decided_at, created.declined_by), (None, None));
    assert_eq!(
        store.introduction(created.id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(store.introduction(i64::MAX).await.unwrap(), None);
    for member in [req, i1, i2, target] {
        let theirs = store.introductions_of(member, None, 10).await.unwrap();
        assert_eq!(
            theirs,
            slice::from_ref(&created),
            "{member:?} is on the path"
        );
    }
    assert!(
        store
            .introductions_of(other, None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let (forwarded, none) = act(&*store, &created, i1, forward("Worth meeting"), 2).await;
    assert_eq!(none, None);
    assert_eq!(
        (forwarded.step, forwarded.status),
        (1, IntroductionStatus::Forwarded)
    );
    assert_eq!(forwarded.notes.len(), new.notes.len() + 1);
    assert_eq!(forwarded.notes.last().unwrap().text, "Worth meeting");

    // The same step again, or another from the same stale read: refused,
    // nothing written.
    let stale = created.apply(i1, &forward("Twice"), at(3)).unwrap();
    let err = store
        .apply_introduction(&created, &stale)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "status" }),
        "{err:?}"
    );
    let stale = created
        .apply(i1, &IntroductionAction::Decline, at(3))
        .unwrap();
    let err = store
        .apply_introduction(&created, &stale)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "status" }),
        "{err:?}"
    );
    assert_eq!(
        store.introduction(created.id).await.unwrap(),
        Some(forwarded.clone())
    );

    let (at_target, _) = act(&*store, &forwarded, i2, forward("Trust me"), 4).await;
    assert_eq!(at_target.holder(), target);
    assert!(!store.is_contact(req, target).await.unwrap());
    let (accepted, conversation) =
        act(&*store, &at_target, target, IntroductionAction::Accept, 5).await;
    assert_eq!(accepted.status, IntroductionStatus::Accepted);
    assert_eq!(accepted.decided_at, Some(at(5)));
    assert_eq!(accepted.notes.len(), new.notes.len() + 2);
    assert!(store.is_contact(target, req).await.unwrap());
    let conversation = conversation.expect("an acceptance opens a conversation");
    let opened = store.conversation(conversation).await.unwrap().unwrap();
    let mut pair = vec![req, target];
    pair.sort();
    assert_eq!(opened.participants, pair);
    assert_eq!(
        store
            .create_conversation(&[target, req], at(6))
            .await
            .unwrap()
            .id,
        conversation,
        "the one-to-one conversation is reused"
    );
    let err = store
        .apply_introduction(&at_target, &accepted)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict { field: "status" }),
        "{err:?}"
    );

    // A decline: recorded with who and when; no contact, no conversation.
    let second = store
        .create_introduction(new_introduction(other, &[i1], target, 10))
        .await
        .unwrap();
    let (declined, none) = act(&*store, &second, i1, IntroductionAction::Decline, 11).await;
    assert_eq!(none, None);
    assert_eq!(
        (declined.status, declined.declined_by, declined.decided_at),
        (IntroductionStatus::Declined, Some(i1), Some(at(11)))
    );
    assert!(!store.is_contact(other, target).await.unwrap());
    assert_eq!(
        store.introductions_of(i1, None, 10).await.unwrap(),
        [declined.clone(), accepted.clone()],
        "newest first"
    );
    assert_eq!(
        store.introductions_of(i1, None, 1).await.unwrap(),
        slice::from_ref(&declined)
    );
    assert_eq!(
        store.introductions_of(other, None, 10).await.unwrap(),
        [declined]
    );
}

/// An acceptance between members who already talk reuses their
/// conversation and keeps their contact.
pub async fn introduction_reuses_conversation(store: Arc<dyn Store>) {
    let [req, via, target] = members(&*store, ["ir_req", "ir_via", "ir_target"]).await;
    let existing = store
        .create_conversation(&[req, target], at(1))
        .await
        .unwrap();
    let intro = store
        .create_introduction(new_introduction(req, &[via], target, 2))
        .await
        .unwrap();
    let (intro, _) = act(&*store, &intro, via, forward("Go ahead"), 3).await;
    let (_, conversation) = act(&*store, &intro, target, IntroductionAction::Accept, 4).await;
    assert_eq!(conversation, Some(existing.id));
    assert!(store.is_contact(req, target).await.unwrap());
}

/// Open introductions are those undecided and unexpired; the weekly
/// count takes every introduction created since.
pub async fn introduction_counts(store: Arc<dyn Store>) {
    let [req, via, target] = members(&*store, ["ic_req", "ic_via", "ic_target"]).await;
    let now = at(24 * 60 * 20);
    let old = store
        .create_introduction(new_introduction(req, &[via], target, 0))
        .await
        .unwrap();
    let recent = store
        .create_introduction(new_introduction(req, &[via], target, 24 * 60 * 10))
        .await
        .unwrap();
    let declined = store
        .create_introduction(new_introduction(req, &[via], target, 24 * 60 * 15))
        .await
        .unwrap();
    let forwarded = store
        .create_introduction(new_introduction(req, &[via], target, 24 * 60 * 15))
        .await
        .unwrap();
    act(
        &*store,
        &declined,
        via,
        IntroductionAction::Decline,
        24 * 60 * 16,
    )
    .await;
    act(&*store, &forwarded, via, forward("Yes"), 24 * 60 * 16).await;

    assert_eq!(
        store.count_open_introductions(req, now).await.unwrap(),
        3,
        "old, recent and forwarded are open"
    );
    assert_eq!(
        store
            .count_open_introductions(req, old.expires_at)
            .await
            .unwrap(),
        2,
        "old has expired at its deadline"
    );
    assert_eq!(store.count_open_introductions(via, now).await.unwrap(), 0);
    assert_eq!(
        store
            .count_introductions_since(req, recent.created_at)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .count_introductions_since(req, now - Duration::days(7))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .count_introductions_since(target, at(0))
            .await
            .unwrap(),
        0
    );
}

/// Relay records: what each intermediary passed on, declined, and saw
/// accepted, overall and per requester.
pub async fn relay_stats(store: Arc<dyn Store>) {
    let [req, x, y, target, someone] = members(
        &*store,
        ["rs_req", "rs_x", "rs_y", "rs_target", "rs_someone"],
    )
    .await;
    let create = |intermediaries: Vec<ProfileId>, minutes| {
        let store = store.clone();
        async move {
            store
                .create_introduction(new_introduction(req, &intermediaries, target, minutes))
                .await
                .unwrap()
        }
    };
    // X forwards, the target accepts.
    let a = create(vec![x], 1).await;
    let (a, _) = act(&*store, &a, x, forward("a"), 2).await;
    act(&*store, &a, target, IntroductionAction::Accept, 3).await;
    // X forwards to Y, who has not acted yet.
    let b = create(vec![x, y], 4).await;
    act(&*store, &b, x, forward("b"), 5).await;
    // X declines.
    let c = create(vec![x], 6).await;
    act(&*store, &c, x, IntroductionAction::Decline, 7).await;
    // Waiting for X.
    create(vec![x], 8).await;
    // Y declines before it reaches X.
    let e = create(vec![y, x], 9).await;
    act(&*store, &e, y, IntroductionAction::Decline, 10).await;
    // Someone else's introduction through X, forwarded.
    let other = store
        .create_introduction(new_introduction(someone, &[x], target, 11))
        .await
        .unwrap();
    act(&*store, &other, x, forward("f"), 12).await;

    let of_x = RelayStats {
        forwarded: 3,
        declined: 1,
        accepted: 1,
    };
    assert_eq!(store.relay_stats(x).await.unwrap(), of_x);
    let of_y = RelayStats {
        forwarded: 0,
        declined: 1,
        accepted: 0,
    };
    assert_eq!(store.relay_stats(y).await.unwrap(), of_y);
    assert_eq!(
        store.relay_stats(someone).await.unwrap(),
        RelayStats::default()
    );
    let for_req = RelayStats {
        forwarded: 2,
        ..of_x
    };
    assert_eq!(
        store.relays_for(req).await.unwrap(),
        [(x, for_req), (y, of_y)]
    );
    assert_eq!(
        store.relays_for(someone).await.unwrap(),
        [(
            x,
            RelayStats {
                forwarded: 1,
                declined: 0,
                accepted: 0
            }
        )]
    );
    assert!(store.relays_for(target).await.unwrap().is_empty());
}

/// What the rules on asking again read: the requester's open introduction
/// to a target, and when his introductions to that target were last
/// declined, by anyone on the path or by the target himself. A decline
/// coming from the requester's own block does not count; other requesters'
/// introductions do not either.
pub async fn introduction_declines(store: Arc<dyn Store>) {
    let [req, via, target, other] =
        members(&*store, ["id_req", "id_via", "id_target", "id_other"]).await;
    let open = |minutes| {
        let store = store.clone();
        async move {
            store
                .open_introduction(req, target, at(minutes))
                .await
                .unwrap()
        }
    };
    let last_declined = |by| {
        let store = store.clone();
        async move {
            store
                .last_declined_introduction(req, target, by)
                .await
                .unwrap()
        }
    };
    assert_eq!(open(0).await, None);
    assert_eq!(last_declined(None).await, None);

    // Open until decided or past its deadline; found only for its own pair.
    let first = store
        .create_introduction(new_introduction(req, &[via], target, 1))
        .await
        .unwrap();
    assert_eq!(open(2).await, Some(first.clone()));
    assert_eq!(
        store.open_introduction(target, req, at(2)).await.unwrap(),
        None
    );
    assert_eq!(
        store.open_introduction(req, via, at(2)).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .open_introduction(req, target, first.expires_at)
            .await
            .unwrap(),
        None,
        "expired at its deadline"
    );
    let (forwarded, _) = act(&*store, &first, via, forward("Go"), 2).await;
    assert_eq!(open(3).await, Some(forwarded.clone()), "forwarded is open");

    // The target declines.
    act(&*store, &forwarded, target, IntroductionAction::Decline, 4).await;
    assert_eq!(open(5).await, None);
    assert_eq!(last_declined(None).await, Some(at(4)));
    assert_eq!(last_declined(Some(target)).await, Some(at(4)));
    assert_eq!(last_declined(Some(via)).await, None);

    // Later the intermediary declines another: the latest counts for
    // anyone, the target's own decline stays as it was.
    let second = store
        .create_introduction(new_introduction(req, &[via], target, 10))
        .await
        .unwrap();
    act(&*store, &second, via, IntroductionAction::Decline, 11).await;
    assert_eq!(last_declined(None).await, Some(at(11)));
    assert_eq!(last_declined(Some(target)).await, Some(at(4)));
    assert_eq!(last_declined(Some(via)).await, Some(at(11)));

    // Someone else's introduction to the same target, declined, and one
    // the requester asks of someone else: neither counts for this pair.
    let theirs = store
        .create_introduction(new_introduction(other, &[via], target, 20))
        .await
        .unwrap();
    act(&*store, &theirs, via, IntroductionAction::Decline, 21).await;
    let elsewhere = store
        .create_introduction(new_introduction(req, &[via], other, 20))
        .await
        .unwrap();
    act(&*store, &elsewhere, via, IntroductionAction::Decline, 22).await;
    assert_eq!(last_declined(None).await, Some(at(11)));

    // The requester blocks his intermediary: his open introduction is
    // declined in his name, which is no refusal by anyone else.
    let third = store
        .create_introduction(new_introduction(req, &[via], target, 30))
        .await
        .unwrap();
    assert_eq!(open(31).await.map(|i| i.id), Some(third.id));
    store.block(req, via, at(32)).await.unwrap();
    let blocked = store.introduction(third.id).await.unwrap().unwrap();
    assert_eq!(
        (blocked.status, blocked.declined_by),
        (IntroductionStatus::Declined, Some(req))
    );
    assert_eq!(open(33).await, None);
    assert_eq!(last_declined(None).await, Some(at(11)));
    assert_eq!(last_declined(Some(req)).await, None);
}
