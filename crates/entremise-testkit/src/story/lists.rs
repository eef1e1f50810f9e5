//! Lists read a page at a time: each paged read, walked with small pages
//! from the key of the last row of the previous one, gives exactly the
//! rows of one long read, in the same order; rows with equal times are
//! told apart by their tie-breaker; a page starts strictly after its key.

use crate::fixtures::{at, audit, handle, member_accounts, members, new_page};
use entremise_domain::ProfileId;
use entremise_domain::contact::RequestVia;
use entremise_domain::privacy::Audience;
use entremise_domain::profile::ProfileKind;
use entremise_domain::store::{
    NewContactMessage, NewContactRequest, NewIntroduction, NewOffice, NewPost, Store,
};
use entremise_domain::validate::Handle;
use std::future::Future;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Reads a whole list through `read(key, page_size)`, each page from the
/// key of the last row of the previous one.
async fn walk<T, K, Fut>(
    page_size: usize,
    mut read: impl FnMut(Option<K>, usize) -> Fut,
    key: impl Fn(&T) -> K,
) -> Vec<T>
where
    Fut: Future<Output = Vec<T>>,
{
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = read(after.take(), page_size).await;
        assert!(page.len() <= page_size, "a page holds its size at most");
        let Some(last) = page.last() else {
            break;
        };
        after = Some(key(last));
        all.extend(page);
    }
    all
}

/// Every paged list of the port, walked.
pub async fn lists_a_page_at_a_time(store: Arc<dyn Store>) {
    let [ada, bob] = member_accounts(&*store, ["lp_ada", "lp_bob"]).await;
    let (me, bob) = (ada.person, bob.person);
    let others = members(
        &*store,
        ["lp_c1", "lp_c2", "lp_c3", "lp_c4", "lp_c5", "lp_c6"],
    )
    .await;

    // Contacts, in handle order.
    for (i, other) in others.iter().take(4).enumerate() {
        let minutes = [1, 1, 2, 3][i];
        let sent = store
            .create_contact_request(NewContactRequest {
                from: *other,
                to: me,
                message: None,
                via: RequestVia::Setting,
                created_at: at(minutes),
            })
            .await
            .unwrap();
        store
            .decide_contact_request(
                sent.id,
                entremise_domain::contact::RequestStatus::Accepted,
                at(minutes),
            )
            .await
            .unwrap();
    }
    let mut by_handle: Vec<(ProfileId, Handle)> = Vec::new();
    for entry in store.contacts_of(me).await.unwrap() {
        let profile = store.profile(entry.contact).await.unwrap().unwrap();
        by_handle.push((profile.id, profile.handle));
    }
    by_handle.sort_by(|a, b| a.1.as_str().cmp(b.1.as_str()));
    assert_eq!(by_handle.len(), 4);
    assert_eq!(
        store.contacts_by_handle(me, None, 100).await.unwrap(),
        by_handle,
        "every contact, in handle order"
    );
    for size in [1, 3] {
        let s = store.clone();
        let walked = walk(
            size,
            |after, n| {
                let s = s.clone();
                async move { s.contacts_by_handle(me, after, n).await.unwrap() }
            },
            |(_, handle)| handle.clone(),
        )
        .await;
        assert_eq!(walked, by_handle, "contacts, {size} a page");
    }
    assert_eq!(
        store
            .contacts_by_handle(me, Some(by_handle[0].1.clone()), 1)
            .await
            .unwrap(),
        by_handle[1..2],
        "strictly after"
    );
    assert_eq!(
        store
            .contacts_by_handle(me, Some(handle("lp_c2a")), 10)
            .await
            .unwrap(),
        by_handle[2..],
        "after a handle that is no contact's"
    );

    // Pending requests, both ways, newest first.
    for (i, other) in others[4..].iter().enumerate() {
        store
            .create_contact_request(NewContactRequest {
                from: *other,
                to: bob,
                message: None,
                via: RequestVia::Setting,
                created_at: at(5),
            })
            .await
            .unwrap();
        store
            .create_contact_request(NewContactRequest {
                from: bob,
                to: others[i],
                message: None,
                via: RequestVia::Setting,
                created_at: at(6 + i as i64),
            })
            .await
            .unwrap();
    }
    for outgoing in [false, true] {
        let whole = store.pending_requests(bob, outgoing).await.unwrap();
        assert_eq!(whole.len(), 2);
        let s = store.clone();
        let walked = walk(
            1,
            |before, n| {
                let s = s.clone();
                async move {
                    s.pending_requests_page(bob, outgoing, before, n)
                        .await
                        .unwrap()
                }
            },
            |r| (r.created_at, r.id),
        )
        .await;
        assert_eq!(walked, whole, "requests, outgoing: {outgoing}");
    }

    // Invitation codes, newest first, then by code.
    for (code, minutes) in [("lp-b", 1), ("lp-a", 1), ("lp-c", 2)] {
        store
            .create_invitation_code(me, code, at(minutes))
            .await
            .unwrap();
    }
    let whole = store.invitation_codes_of(me, None, 100).await.unwrap();
    let codes: Vec<&str> = whole.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["lp-c", "lp-a", "lp-b"]);
    let s = store.clone();
    let walked = walk(
        1,
        |before, n| {
            let s = s.clone();
            async move { s.invitation_codes_of(me, before, n).await.unwrap() }
        },
        |c| (c.created_at, c.code.clone()),
    )
    .await;
    assert_eq!(walked, whole);

    // Introductions, newest first, then by id.
    for (target, minutes) in [(others[4], 1), (others[5], 1), (others[0], 2)] {
        store
            .create_introduction(NewIntroduction {
                requester: me,
                intermediaries: vec![bob],
                target,
                notes: Vec::new(),
                created_at: at(minutes),
                expires_at: at(minutes) + Duration::days(30),
            })
            .await
            .unwrap();
    }
    let whole = store.introductions_of(me, None, 100).await.unwrap();
    assert_eq!(whole.len(), 3);
    let s = store.clone();
    let walked = walk(
        2,
        |before, n| {
            let s = s.clone();
            async move { s.introductions_of(me, before, n).await.unwrap() }
        },
        |i| (i.created_at, i.id),
    )
    .await;
    assert_eq!(walked, whole);
    assert_eq!(
        store
            .introductions_of(bob, Some((at(2), i64::MAX)), 100)
            .await
            .unwrap(),
        whole,
        "before the newest time, any id"
    );

    // Conversations, most recently active first.
    let quiet = store
        .create_conversation(&[me, others[0]], at(1))
        .await
        .unwrap();
    let busy = store
        .create_conversation(&[me, others[1]], at(1))
        .await
        .unwrap();
    let later = store
        .create_conversation(&[me, others[2]], at(2))
        .await
        .unwrap();
    store
        .add_message(busy.id, me, "Hello", at(3))
        .await
        .unwrap();
    let whole = store.conversations_of(me, None, 100).await.unwrap();
    let order: Vec<(i64, OffsetDateTime)> = whole
        .iter()
        .map(|e| (e.conversation.id, e.active_at))
        .collect();
    assert_eq!(
        order,
        [(busy.id, at(3)), (later.id, at(2)), (quiet.id, at(1))]
    );
    let s = store.clone();
    let walked = walk(
        1,
        |before, n| {
            let s = s.clone();
            async move { s.conversations_of(me, before, n).await.unwrap() }
        },
        |e| (e.active_at, e.conversation.id),
    )
    .await;
    assert_eq!(walked, whole);

    // Comment threads: top-level comments oldest first, with their replies.
    let post = store
        .create_post(NewPost {
            author: me,
            operator: ada.id,
            audience: Audience::Public,
            group: None,
            text: "Threads".into(),
            reshare_of: None,
            media: Vec::new(),
            created_at: at(1),
            published_at: at(1),
            replies: Default::default(),
        })
        .await
        .unwrap();
    let c1 = store
        .add_comment(post.id, None, bob, None, "1", false, at(2))
        .await
        .unwrap();
    let c2 = store
        .add_comment(post.id, None, bob, None, "2", false, at(2))
        .await
        .unwrap();
    let r1 = store
        .add_comment(post.id, Some(c1.id), me, None, "re 1", false, at(3))
        .await
        .unwrap();
    let c3 = store
        .add_comment(post.id, None, bob, None, "3", false, at(4))
        .await
        .unwrap();
    let r3 = store
        .add_comment(post.id, Some(c3.id), me, None, "re 3", false, at(5))
        .await
        .unwrap();
    let whole = store.comments(post.id).await.unwrap();
    assert_eq!(
        store.comment_threads(post.id, None, 100).await.unwrap(),
        whole
    );
    assert_eq!(
        store.comment_threads(post.id, None, 2).await.unwrap(),
        [c1.clone(), c2.clone(), r1],
        "two threads, replies included"
    );
    assert_eq!(
        store
            .comment_threads(post.id, Some((c1.created_at, c1.id)), 1)
            .await
            .unwrap(),
        std::slice::from_ref(&c2)
    );
    assert_eq!(
        store
            .comment_threads(post.id, Some((c2.created_at, c2.id)), 5)
            .await
            .unwrap(),
        [c3.clone(), r3]
    );
    assert!(
        store
            .comment_threads(post.id, Some((c3.created_at, c3.id)), 5)
            .await
            .unwrap()
            .is_empty()
    );

    // A page's audit trail and contact messages, newest first, then by id.
    let page = store
        .create_page(new_page(ProfileKind::Organization, "lp_acme", None, ada.id))
        .await
        .unwrap();
    for (name, minutes) in [("Caen", 2), ("Rouen", 2), ("Lisieux", 3)] {
        store
            .add_office(
                page.id,
                NewOffice {
                    name: name.into(),
                    address: "1 rue".into(),
                    town: name.into(),
                    phone: None,
                },
                audit(page.id, ada.id, "office.add", name, minutes),
            )
            .await
            .unwrap();
        store
            .add_contact_message(NewContactMessage {
                page: page.id,
                sender: None,
                name: name.into(),
                email: "someone@elsewhere.example".into(),
                message: "Bonjour".into(),
                created_at: at(minutes),
            })
            .await
            .unwrap();
    }
    let whole = store.audit_log(page.id, None, 100).await.unwrap();
    let details: Vec<&str> = whole.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(details[..3], ["Lisieux", "Rouen", "Caen"]);
    let s = store.clone();
    let walked = walk(
        1,
        |before, n| {
            let s = s.clone();
            async move { s.audit_log(page.id, before, n).await.unwrap() }
        },
        |e| (e.at, e.id),
    )
    .await;
    assert_eq!(walked, whole);
    let whole = store.contact_messages(page.id, None, 100).await.unwrap();
    let names: Vec<&str> = whole.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Lisieux", "Rouen", "Caen"]);
    let s = store.clone();
    let walked = walk(
        2,
        |before, n| {
            let s = s.clone();
            async move { s.contact_messages(page.id, before, n).await.unwrap() }
        },
        |m| (m.created_at, m.id.0),
    )
    .await;
    assert_eq!(walked, whole);
}
