//! Groups: a group and its owner, memberships set against what the caller
//! read, members by standing, counts, a member's own settings, what members
//! contributed, pins, and the pages read at start.

use crate::fixtures::{at, members};
use entremise_domain::events::Change;
use entremise_domain::group::{GroupKind, GroupRole, MemberSettings, Membership, Standing};
use entremise_domain::ids::GroupId;
use entremise_domain::store::{GroupEdit, NewGroup, NewMedia, NewPost, Store};
use entremise_domain::{Error, ProfileId};
use std::sync::Arc;

fn new_group(handle: &str, owner: ProfileId) -> NewGroup {
    NewGroup {
        handle: handle.into(),
        name: format!("Group {handle}"),
        kind: GroupKind::Closed,
        about: "About".into(),
        rules: String::new(),
        tags: vec!["pme".into()],
        created_by: owner,
        created_at: at(0),
    }
}

/// The whole life of a group's memberships, through the port.
pub async fn groups(store: Arc<dyn Store>) {
    let [ada, bob, cy] = members(&*store, ["grp_ada", "grp_bob", "grp_cy"]).await;
    let before = store.last_event_seq().await.unwrap();
    let g = store
        .create_group(new_group("grp_club", ada))
        .await
        .unwrap();
    assert!(matches!(
        store.create_group(new_group("grp_club", bob)).await,
        Err(Error::Conflict { field: "handle" })
    ));
    assert_eq!(
        store.group_by_handle("grp_club").await.unwrap(),
        Some(g.clone())
    );
    assert_eq!(store.group(g.id).await.unwrap(), Some(g.clone()));
    // Created with its owner, both recorded as events.
    let owner = Membership {
        standing: Standing::Member,
        role: GroupRole::Owner,
    };
    let events: Vec<Change> = store
        .events_after(before, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.change)
        .collect();
    assert_eq!(
        events,
        [
            Change::GroupChanged { group: g.id },
            Change::GroupMembershipChanged {
                group: g.id,
                member: ada,
                actor: ada,
                before: None,
                after: Some(owner),
            }
        ]
    );
    assert_eq!(store.group_counts(g.id).await.unwrap(), (1, 1));

    // Bob asks; a decision taken from a stale read is refused.
    let pending = Membership::of(Standing::Pending);
    store
        .set_membership(g.id, bob, None, Some(pending), bob, at(1))
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_membership(g.id, bob, None, Some(Membership::MEMBER), ada, at(2))
            .await,
        Err(Error::Conflict { field: "member" })
    ));
    let asked = store
        .group_members(g.id, Standing::Pending, None, 10)
        .await
        .unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!((asked[0].member, asked[0].since), (bob, at(1)));
    store
        .set_membership(
            g.id,
            bob,
            Some(pending),
            Some(Membership::MEMBER),
            ada,
            at(3),
        )
        .await
        .unwrap();
    store
        .set_membership(
            g.id,
            cy,
            None,
            Some(Membership::of(Standing::Invited)),
            ada,
            at(4),
        )
        .await
        .unwrap();
    assert_eq!(store.group_counts(g.id).await.unwrap(), (2, 1));
    let in_order: Vec<ProfileId> = store
        .group_members(g.id, Standing::Member, None, 10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.member)
        .collect();
    let mut sorted = vec![ada, bob];
    sorted.sort();
    assert_eq!(in_order, sorted, "by member, a page at a time");
    let rest = store
        .group_members(g.id, Standing::Member, Some(sorted[0]), 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);

    // A member's own settings; those following closely are found by group.
    let settings = |expertise: &[&str], in_directory, muted, closely| MemberSettings {
        expertise: expertise.iter().map(|t| t.to_string()).collect(),
        in_directory,
        muted,
        closely,
    };
    assert!(store.close_followers(g.id).await.unwrap().is_empty());
    store
        .set_member_settings(g.id, bob, settings(&["TVA"], false, true, true), at(5))
        .await
        .unwrap();
    let row = store.group_member(g.id, bob).await.unwrap().unwrap();
    assert_eq!(
        (
            row.expertise,
            row.in_directory,
            row.muted,
            row.closely,
            row.since
        ),
        (vec!["TVA".to_owned()], false, true, true, at(3))
    );
    assert_eq!(store.close_followers(g.id).await.unwrap(), [bob]);
    assert!(matches!(
        store
            .set_member_settings(
                g.id,
                ProfileId(i64::MAX),
                settings(&[], true, false, false),
                at(5)
            )
            .await,
        Err(Error::NotFound)
    ));

    // What each showed: posts in the group, answers, reactions received.
    let post = store
        .create_post(NewPost {
            author: bob,
            operator: store.profile(bob).await.unwrap().unwrap().account.unwrap(),
            audience: entremise_domain::post::GROUP_POST_AUDIENCE,
            group: Some(g.id),
            text: "Question".into(),
            reshare_of: None,
            media: Vec::new(),
            created_at: at(6),
            published_at: at(6),
            replies: Default::default(),
        })
        .await
        .unwrap();
    assert_eq!(
        store.post(post.id).await.unwrap().unwrap().group,
        Some(g.id)
    );
    store
        .add_comment(post.id, None, ada, None, "Réponse", false, at(7))
        .await
        .unwrap();
    store
        .set_reaction(
            post.id,
            ada,
            Some(entremise_domain::post::ReactionKind::Like),
            at(8),
        )
        .await
        .unwrap();
    let mut c = store.contributions(g.id, &[ada, bob]).await.unwrap();
    c.sort_by_key(|(m, _)| *m);
    let find = |m: ProfileId| c.iter().find(|(x, _)| *x == m).unwrap().1;
    assert_eq!(
        (find(bob).posts, find(bob).reactions, find(bob).answers),
        (1, 1, 0)
    );
    assert_eq!((find(ada).posts, find(ada).answers), (0, 1));

    // Pins, last pinned first.
    store.set_pinned(g.id, post.id, true, at(9)).await.unwrap();
    store.set_pinned(g.id, post.id, true, at(10)).await.unwrap();
    assert_eq!(store.pinned_posts(g.id).await.unwrap(), [post.id]);
    store
        .set_pinned(g.id, post.id, false, at(11))
        .await
        .unwrap();
    assert!(store.pinned_posts(g.id).await.unwrap().is_empty());

    // An edit, and the pages read at start.
    store
        .update_group(
            g.id,
            GroupEdit {
                name: "Club".into(),
                about: String::new(),
                rules: "Soyez courtois".into(),
                tags: vec![],
            },
            ada,
            at(12),
        )
        .await
        .unwrap();
    assert_eq!(
        store.group(g.id).await.unwrap().unwrap().rules,
        "Soyez courtois"
    );
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = store.memberships_page(after, 2).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some((last.group, last.member));
        all.extend(page.into_iter().filter(|r| r.group == g.id));
    }
    assert_eq!(all.len(), 3, "owner, member, invitee");
    assert!(
        store
            .groups_page(None, 1_000)
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == g.id)
    );
    // A cover: an upload of the owner's that nothing holds; the one it
    // replaces waits again (collected like any other); a stranger's upload
    // is refused.
    let ada_account = store.profile(ada).await.unwrap().unwrap().account.unwrap();
    let bob_account = store.profile(bob).await.unwrap().unwrap().account.unwrap();
    let upload = |owner, key: &str| NewMedia {
        owner,
        key: key.to_owned(),
        content_type: "image/webp".to_owned(),
        alt: String::new(),
        width: 1280,
        height: 400,
        bytes: 5_000,
        created_at: at(1),
    };
    let first = store
        .create_media(upload(ada_account, "cover-1"))
        .await
        .unwrap();
    let second = store
        .create_media(upload(ada_account, "cover-2"))
        .await
        .unwrap();
    let stranger = store
        .create_media(upload(bob_account, "cover-3"))
        .await
        .unwrap();
    store
        .set_group_cover(g.id, ada_account, Some(first.id), at(14))
        .await
        .unwrap();
    assert_eq!(
        store.group(g.id).await.unwrap().unwrap().cover,
        Some(first.id)
    );
    assert_eq!(
        store.media(first.id).await.unwrap().unwrap().group,
        Some(g.id)
    );
    let waiting = |list: Vec<(i64, String)>| list.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
    let unattached = waiting(store.unattached_media(at(100), 10).await.unwrap());
    assert!(!unattached.contains(&first.id) && unattached.contains(&second.id));
    assert!(!store.delete_unattached_media(first.id).await.unwrap());
    assert_eq!(store.media_usage(ada_account).await.unwrap().unattached, 1);
    for (account, media) in [(ada_account, stranger.id), (bob_account, second.id)] {
        assert!(matches!(
            store
                .set_group_cover(g.id, account, Some(media), at(15))
                .await,
            Err(Error::NotFound)
        ));
    }
    assert_eq!(
        store.group(g.id).await.unwrap().unwrap().cover,
        Some(first.id),
        "a refusal changes nothing"
    );
    // The same cover again keeps it.
    store
        .set_group_cover(g.id, ada_account, Some(first.id), at(15))
        .await
        .unwrap();
    assert_eq!(
        store.media(first.id).await.unwrap().unwrap().group,
        Some(g.id)
    );
    store
        .set_group_cover(g.id, ada_account, Some(second.id), at(16))
        .await
        .unwrap();
    assert_eq!(
        store.group(g.id).await.unwrap().unwrap().cover,
        Some(second.id)
    );
    let again = store.media(first.id).await.unwrap().unwrap();
    assert_eq!(
        (again.group, again.created_at),
        (None, at(16)),
        "waits again from now"
    );
    store
        .set_group_cover(g.id, ada_account, None, at(17))
        .await
        .unwrap();
    assert_eq!(store.group(g.id).await.unwrap().unwrap().cover, None);
    assert!(matches!(
        store
            .set_group_cover(GroupId(i64::MAX), ada_account, None, at(17))
            .await,
        Err(Error::NotFound)
    ));

    // Leaving ends the row.
    store
        .set_membership(g.id, bob, Some(Membership::MEMBER), None, bob, at(13))
        .await
        .unwrap();
    assert_eq!(store.group_member(g.id, bob).await.unwrap(), None);
    assert!(store.close_followers(g.id).await.unwrap().is_empty());
}
