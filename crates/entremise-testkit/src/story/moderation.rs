//! Moderation and administration: mutes and muted words, comment edits
//! and deletions, reports in their queues, decisions (closing the reports
//! of one queue only, setting content states and sanctions, signing a
//! suspended member out), the moderation log, instance roles, sign-up
//! codes used once, sign-ups by approval, settings and domain blocks.

use crate::fixtures::{at, member_accounts, new_account};
use entremise_domain::Error;
use entremise_domain::account::Approval;
use entremise_domain::events::Change;
use entremise_domain::moderation::{
    Action, ContentState, NewDecision, NewReport, Placement, ReportReason, ReportStatus, Sanction,
    Scope, TargetKind,
};
use entremise_domain::store::NewSession;
use entremise_domain::store::{NewPost, Store};
use std::sync::Arc;

async fn changes_since(store: &dyn Store, before: i64) -> Vec<Change> {
    store
        .events_after(before, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.change)
        .collect()
}

/// Everything moderation stores, through the port.
pub async fn moderation(store: Arc<dyn Store>) {
    let [ada, bob, cy] = member_accounts(&*store, ["mod_ada", "mod_bob", "mod_cy"]).await;
    let (a, b, c) = (ada.person, bob.person, cy.person);

    // Mutes: set once, recorded once; lifted.
    let before = store.last_event_seq().await.unwrap();
    assert!(store.set_mute(a, b, true, at(1)).await.unwrap());
    assert!(!store.set_mute(a, b, true, at(2)).await.unwrap());
    assert_eq!(store.mutes_of(a).await.unwrap(), vec![b]);
    assert!(store.all_mutes().await.unwrap().contains(&(a, b)));
    assert_eq!(
        changes_since(&*store, before).await,
        vec![Change::MuteChanged {
            muter: a,
            muted: b,
            on: true
        }]
    );
    assert!(store.set_mute(a, b, false, at(3)).await.unwrap());
    assert!(store.mutes_of(a).await.unwrap().is_empty());
    store
        .set_muted_words(a, vec!["crypto".into(), "#nft".into()], at(4))
        .await
        .unwrap();
    assert_eq!(store.muted_words(a).await.unwrap(), vec!["crypto", "#nft"]);
    assert!(
        store
            .all_muted_words()
            .await
            .unwrap()
            .iter()
            .any(|(m, w)| *m == a && w.len() == 2)
    );
    store.set_muted_words(a, Vec::new(), at(5)).await.unwrap();
    assert!(store.muted_words(a).await.unwrap().is_empty());

    // A comment edited keeps its earlier text; deleted, it is gone.
    let post = store
        .create_post(NewPost {
            author: a,
            operator: ada.id,
            audience: entremise_domain::privacy::Audience::Public,
            group: None,
            text: "Post".into(),
            reshare_of: None,
            media: Vec::new(),
            created_at: at(6),
            published_at: at(6),
            replies: Default::default(),
        })
        .await
        .unwrap();
    let comment = store
        .add_comment(post.id, None, b, Some(bob.id), "first", false, at(7))
        .await
        .unwrap();
    assert_eq!(comment.state, ContentState::Visible);
    store
        .edit_comment(comment.id, "second", at(8))
        .await
        .unwrap();
    let stored = store.comment(comment.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.text.as_str(), stored.edited_at),
        ("second", Some(at(8)))
    );
    assert_eq!(
        store.comment_history(comment.id).await.unwrap(),
        vec![("first".to_string(), at(8))]
    );
    assert!(matches!(
        store.edit_comment(999_999, "x", at(8)).await,
        Err(Error::NotFound)
    ));

    // A report goes to its queues, with what it was when reported.
    let placement = Placement {
        kind: TargetKind::Comment,
        member: b,
        page: Some(a),
        group: None,
    };
    let report = |reporter, at_min| NewReport {
        reporter,
        placement,
        target: comment.id,
        reason: ReportReason::Harassment,
        note: Some("rude".into()),
        snapshot: "{\"text\":\"second\"}".into(),
        queues: vec![Scope::Instance, Scope::Page(a)],
        at: at(at_min),
    };
    let r1 = store.create_report(report(c, 9)).await.unwrap();
    let r2 = store.create_report(report(a, 10)).await.unwrap();
    assert_eq!(store.count_reports_since(c, at(0)).await.unwrap(), 1);
    let got = store.report(r1).await.unwrap().unwrap();
    assert_eq!(got.member, b);
    assert_eq!(got.queues.len(), 2);
    assert!(got.queues.iter().all(|q| q.status == ReportStatus::Open));
    assert_eq!(
        store.queue(Scope::Page(a), true, 10).await.unwrap().len(),
        2
    );
    assert_eq!(store.reports_by(c, 10).await.unwrap()[0].id, r1);
    assert_eq!(store.report_counts(b).await.unwrap(), (2, 0));

    // The page hides it: its two reports close there, not at the instance.
    let before = store.last_event_seq().await.unwrap();
    let decision = |scope, action, content, sanction, at_min| NewDecision {
        scope,
        report: Some(r1),
        kind: TargetKind::Comment,
        target: comment.id,
        member: b,
        action,
        reason: "why".into(),
        content,
        sanction,
        actor: a,
        account: ada.id,
        at: at(at_min),
    };
    let entry = store
        .decide(decision(
            Scope::Page(a),
            Action::Hide,
            Some(ContentState::Hidden),
            None,
            11,
        ))
        .await
        .unwrap();
    assert!(
        store
            .queue(Scope::Page(a), true, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.queue(Scope::Instance, true, 10).await.unwrap().len(),
        2
    );
    assert_eq!(
        store.comment(comment.id).await.unwrap().unwrap().state,
        ContentState::Hidden
    );
    let changes = changes_since(&*store, before).await;
    assert!(changes.contains(&Change::ContentModerated {
        kind: TargetKind::Comment,
        id: comment.id,
        post: post.id,
        author: b,
        state: ContentState::Hidden,
    }));
    assert!(changes.iter().any(|c| matches!(c,
        Change::ReportDecided { entry: e, reporters, reports, .. }
            if *e == entry && reporters.len() == 2 && reports.len() == 2)));
    let logged = store.log_entry(entry).await.unwrap().unwrap();
    assert_eq!((logged.action, logged.actor), (Some(Action::Hide), a));

    // The instance suspends bob: his sessions end with it.
    store
        .create_session(NewSession {
            account: bob.id,
            kind: entremise_domain::session::SessionKind::Api,
            token_hash: "mod-bob-token".into(),
            user_agent: "test".into(),
            created_at: at(11),
            expires_at: at(100_000),
        })
        .await
        .unwrap();
    let before = store.last_event_seq().await.unwrap();
    let suspended = Sanction {
        limited: false,
        suspended_until: Some(at(20_000)),
    };
    store
        .decide(decision(
            Scope::Instance,
            Action::SuspendFor,
            None,
            Some(suspended),
            12,
        ))
        .await
        .unwrap();
    assert_eq!(store.sanction(b).await.unwrap(), suspended);
    assert!(
        store
            .all_sanctions()
            .await
            .unwrap()
            .contains(&(b, suspended))
    );
    assert!(store.sessions_of(bob.id, at(12)).await.unwrap().is_empty());
    let changes = changes_since(&*store, before).await;
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::SessionEnded { account, .. } if *account == bob.id))
    );
    assert!(changes.contains(&Change::SanctionChanged {
        member: b,
        sanction: suspended
    }));
    let log = store.moderation_log(None, Some(b), None, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        store
            .moderation_log(Some(Scope::Page(a)), None, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store.queue_stats().await.unwrap().is_empty());

    // Deleting the comment keeps the reports and their snapshot.
    store.delete_comment(comment.id, at(13)).await.unwrap();
    assert!(store.comment(comment.id).await.unwrap().is_none());
    assert_eq!(
        store.report(r2).await.unwrap().unwrap().snapshot,
        "{\"text\":\"second\"}"
    );

    // Instance roles.
    store.set_instance_roles(cy.id, false, true).await.unwrap();
    let staff = store.staff().await.unwrap();
    assert!(
        staff
            .iter()
            .any(|s| s.id == cy.id && s.moderator && !s.admin)
    );
    assert!(store.account(cy.id).await.unwrap().unwrap().moderator);

    // A sign-up code signs up one account.
    store
        .create_signup_code("mod-code-1", ada.id, at(14))
        .await
        .unwrap();
    assert!(matches!(
        store.create_signup_code("mod-code-1", ada.id, at(14)).await,
        Err(Error::Conflict { field: "code" })
    ));
    let mut first = new_account("mod_dee", "mod_dee@members.example");
    first.code = Some("mod-code-1".into());
    store.create_account(first).await.unwrap();
    let mut second = new_account("mod_eli", "mod_eli@members.example");
    second.code = Some("mod-code-1".into());
    assert!(matches!(
        store.create_account(second).await,
        Err(Error::Invalid(_))
    ));
    // Refused, nothing of it stays (not even its handle).
    assert!(
        store
            .create_account(new_account("mod_eli", "mod_eli@members.example"))
            .await
            .is_ok()
    );
    let codes = store.signup_codes(10).await.unwrap();
    assert!(
        codes
            .iter()
            .any(|(c, _, used)| c == "mod-code-1" && used.as_deref() == Some("mod_dee"))
    );

    // A sign-up by approval waits out of sight, then is approved.
    let mut asking = new_account("mod_fay", "mod_fay@members.example");
    asking.approval = Approval::Pending;
    asking.signup_answer = Some("Une PME".into());
    let fay = store.create_account(asking).await.unwrap();
    assert_eq!(fay.approval, Approval::Pending);
    assert!(store.sanction(fay.person).await.unwrap().suspended(at(15)));
    assert!(
        store
            .pending_accounts()
            .await
            .unwrap()
            .iter()
            .any(|p| p.id == fay.id)
    );
    assert_eq!(
        store.signup_answer(fay.id).await.unwrap().as_deref(),
        Some("Une PME")
    );
    assert!(
        store
            .set_approval(fay.id, Approval::Approved)
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_approval(fay.id, Approval::Declined)
            .await
            .unwrap()
    );
    assert_eq!(
        store.account(fay.id).await.unwrap().unwrap().approval,
        Approval::Approved
    );
    assert!(store.sanction(fay.person).await.unwrap().is_none());

    // Settings and domain blocks.
    let set = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
    store
        .set_instance_settings(set("registration", "approval"))
        .await
        .unwrap();
    store
        .set_instance_settings(set("registration", "open"))
        .await
        .unwrap();
    assert!(
        store
            .instance_settings()
            .await
            .unwrap()
            .contains(&("registration".to_string(), "open".to_string()))
    );
    store
        .set_email_domain_block("spam.example", true, at(16))
        .await
        .unwrap();
    store
        .set_email_domain_block("spam.example", true, at(16))
        .await
        .unwrap();
    assert_eq!(
        store.email_domain_blocks().await.unwrap(),
        vec!["spam.example"]
    );
    store
        .set_email_domain_block("spam.example", false, at(17))
        .await
        .unwrap();
    assert!(store.email_domain_blocks().await.unwrap().is_empty());
    let (members, _, posts) = store.instance_counts(at(0)).await.unwrap();
    assert!(members >= 5 && posts >= 1);
}
