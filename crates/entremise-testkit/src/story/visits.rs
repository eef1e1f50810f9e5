//! Visits of profiles (one per visitor, visited member and day, each
//! visitor listed once with his latest visit) and views of posts (each
//! viewer counted once per post).

use crate::fixtures::{at, member_accounts, members, new_page};
use entremise_domain::privacy::Audience;
use entremise_domain::profile::ProfileKind;
use entremise_domain::store::{NewPost, Store};
use std::collections::HashMap;
use std::sync::Arc;
use time::Duration;

/// Visits are listed per visitor, his latest first; a window leaves out the
/// older ones; a second visit the same day moves the time, another day
/// adds a row but the visitor is still listed once.
pub async fn profile_visits(store: Arc<dyn Store>) {
    let [ada, bob, cy, dee] = members(&*store, ["vi_ada", "vi_bob", "vi_cy", "vi_dee"]).await;
    assert!(
        store
            .visitors_of(ada, at(-100_000), 10)
            .await
            .unwrap()
            .is_empty()
    );

    store.record_visit(bob, ada, at(1)).await.unwrap();
    store.record_visit(cy, ada, at(2)).await.unwrap();
    // Bob again the same day: his time moves, no second entry.
    store.record_visit(bob, ada, at(3)).await.unwrap();
    // An earlier time the same day does not move it back.
    store.record_visit(bob, ada, at(0)).await.unwrap();
    // Ada visits Bob: not a visit of Ada.
    store.record_visit(ada, bob, at(4)).await.unwrap();
    assert_eq!(
        store.visitors_of(ada, at(-10), 10).await.unwrap(),
        [(bob, at(3)), (cy, at(2))]
    );
    // The next day Cy comes back: listed once, with the latest visit.
    let next_day = 24 * 60;
    store.record_visit(cy, ada, at(next_day)).await.unwrap();
    store
        .record_visit(dee, ada, at(next_day + 1))
        .await
        .unwrap();
    assert_eq!(
        store.visitors_of(ada, at(-10), 10).await.unwrap(),
        [(dee, at(next_day + 1)), (cy, at(next_day)), (bob, at(3))]
    );
    // A limit, and a window that leaves out the first day.
    assert_eq!(
        store.visitors_of(ada, at(-10), 2).await.unwrap(),
        [(dee, at(next_day + 1)), (cy, at(next_day))]
    );
    assert_eq!(
        store.visitors_of(ada, at(next_day), 10).await.unwrap(),
        [(dee, at(next_day + 1)), (cy, at(next_day))]
    );
    assert_eq!(
        store.visitors_of(bob, at(-10), 10).await.unwrap(),
        [(ada, at(4))]
    );
    assert!(
        store
            .visitors_of(dee, at(-10), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Each viewer counts once per post, whenever and however often he was
/// shown it; unknown posts are ignored; a deleted post takes its views.
pub async fn post_views_and_reach(store: Arc<dyn Store>) {
    let [ada, bob, cy] = member_accounts(&*store, ["pv_ada", "pv_bob", "pv_cy"]).await;
    let page = store
        .create_page(new_page(ProfileKind::Organization, "pv_acme", None, ada.id))
        .await
        .unwrap();
    let mut posts = Vec::new();
    for (i, text) in ["one", "two", "three"].into_iter().enumerate() {
        let minutes = i64::try_from(i).unwrap();
        let p = store
            .create_post(NewPost {
                author: page.id,
                operator: ada.id,
                audience: Audience::Public,
                group: None,
                text: text.to_owned(),
                reshare_of: None,
                media: Vec::new(),
                created_at: at(minutes),
                published_at: at(minutes),
                replies: Default::default(),
            })
            .await
            .unwrap();
        posts.push(p.id);
    }
    let [one, two, three] = [posts[0], posts[1], posts[2]];
    assert!(store.post_reach(&posts).await.unwrap().is_empty());
    assert!(store.post_reach(&[]).await.unwrap().is_empty());
    store
        .record_post_views(bob.person, &[], at(5))
        .await
        .unwrap();

    store
        .record_post_views(bob.person, &[one, two, i64::MAX], at(5))
        .await
        .unwrap();
    store
        .record_post_views(bob.person, &[one], at(6))
        .await
        .unwrap();
    store
        .record_post_views(cy.person, &[one, one], at(7))
        .await
        .unwrap();
    store
        .record_post_views(bob.person, &[one], at(7) + Duration::days(3))
        .await
        .unwrap();
    assert_eq!(
        store
            .post_reach(&[one, two, three, i64::MAX])
            .await
            .unwrap(),
        HashMap::from([(one, 2), (two, 1)])
    );

    store.delete_post(one).await.unwrap();
    assert_eq!(
        store.post_reach(&[one, two]).await.unwrap(),
        HashMap::from([(two, 1)])
    );
}
