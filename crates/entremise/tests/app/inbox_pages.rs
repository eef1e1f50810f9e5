//! The follow-up inbox through the pages, as a browser without JavaScript
//! uses them: a page's team sees a hostile comment first and answers it in
//! place as the page; the team's acts on an item; who may comment; a
//! page's inbox settings and response times.

use crate::post_pages::{Browser, Part, location, posted_id};
use crate::support::{Member, TestApp};
use axum::http::StatusCode;
use serde_json::json;

/// ada owns the page ACME, bob edits for it, carol is a member who comments.
struct Firm {
    ada: Member,
    bob: Member,
    carol: Member,
    /// The page's public post.
    post: String,
}

async fn firm(app: &TestApp) -> Firm {
    let (ada, bob, carol) = app.cast().await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mut a = Browser::signed_in(app, &ada.email).await;
    let r = a
        .post(
            "/@acme/manage/managers",
            &[("member", "bob"), ("role", "editor")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let post = posted_id(
        &a.compose(&[
            Part::Text("text", "Nos nouveaux horaires"),
            Part::Text("audience", "public"),
            Part::Text("as", "acme"),
        ])
        .await,
    );
    Firm {
        ada,
        bob,
        carol,
        post,
    }
}

/// Carol comments the page's post; the comment's id.
async fn angry_comment(app: &TestApp, f: &Firm) -> String {
    let mut c = Browser::signed_in(app, &f.carol.email).await;
    let r = c
        .post(
            &format!("/posts/{}/comments", f.post),
            &[("text", "C'est une arnaque, SCANDALEUX !")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    location(&r).rsplit("#comment-").next().unwrap().to_owned()
}

/// Someone writes to ACME through its contact form.
async fn c_form(app: &TestApp, f: &Firm) -> crate::support::Response {
    let mut c = Browser::signed_in(app, &f.carol.email).await;
    c.post(
        "/@acme/contact",
        &[
            ("name", "Dora Vidal"),
            ("email", "dora@example.org"),
            ("message", "Bonjour, vos tarifs ?"),
        ],
    )
    .await
}

/// The ids of the items a list shows, in order.
fn items(html: &str) -> Vec<String> {
    html.split("data-testid=\"inbox-item\" data-item-id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn the_team_sees_a_hostile_comment_first_and_answers_it_as_the_page() {
    let app = TestApp::new().await;
    let f = firm(&app).await;
    let comment = angry_comment(&app, &f).await;
    let mut b = Browser::signed_in(&app, &f.bob.email).await;

    let r = b.get("/inbox").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    let ids = items(&html);
    assert_eq!(ids.len(), 1, "{html}");
    for markup in [
        "data-kind=\"comment\" data-status=\"open\"",
        "data-testid=\"inbox-hostile\"",
        "data-testid=\"inbox-page\">ACME Expertise</a>",
        "<a href=\"/@carol\" data-testid=\"inbox-from\">Carol Hébert</a>",
        "C&#39;est une arnaque, SCANDALEUX !",
        "1 item to answer",
        "<span class=\"count\" data-badge=\"inbox\" data-count=\"1\">",
        // An editor takes it himself; only an admin picks someone.
        "data-testid=\"inbox-assign-me\"",
    ] {
        assert!(html.contains(markup), "{markup}\n{html}");
    }
    assert!(!html.contains("data-testid=\"inbox-assign-to\""));
    let answer = format!(
        "href=\"/posts/{}?as=acme&#38;reply={comment}#comment-{comment}\" data-testid=\"inbox-answer\"",
        f.post
    );
    assert!(html.contains(&answer), "{answer}\n{html}");

    // Past the page's target (24 h by default), it is marked overdue, in words.
    app.clock.advance(time::Duration::hours(25));
    let html = b.get("/inbox").await.text();
    assert!(html.contains("data-testid=\"inbox-overdue\""), "{html}");
    assert!(
        html.contains("<span>waiting 25 h</span> · <span>target 24 h</span>"),
        "{html}"
    );

    // The filters.
    for (query, shown) in [
        ("?hostile=1", true),
        ("?as=acme", true),
        ("?kind=comment&assignee=none", true),
        ("?as=bob", false),
        ("?kind=conversation", false),
        ("?status=answered", false),
        ("?assignee=me", false),
    ] {
        let html = b.get(&format!("/inbox{query}")).await.text();
        assert_eq!(items(&html) == ids, shown, "{query}\n{html}");
        if !shown {
            assert!(html.contains("data-testid=\"inbox-empty\""), "{query}");
        }
    }
    // Not carol's page to answer for.
    let mut c = Browser::signed_in(&app, &f.carol.email).await;
    assert_eq!(c.get("/inbox?as=acme").await.status, StatusCode::NOT_FOUND);
    assert!(items(&c.get("/inbox").await.text()).is_empty());

    // "Answer": the thread's reply box open and focused, as the page, with
    // the answering rules.
    let page = b
        .get(&format!("/posts/{}?as=acme&reply={comment}", f.post))
        .await
        .text();
    for markup in [
        "<details class=\"reply-form\" open>",
        "data-testid=\"answer-rules\"",
        "<option value=\"acme\" selected>ACME Expertise (@acme)</option>",
        "data-testid=\"reply-text\" autofocus",
    ] {
        assert!(page.contains(markup), "{markup}\n{page}");
    }
    // Without `?as=`, he answers as himself, without the rules.
    let plain = b.get(&format!("/posts/{}", f.post)).await.text();
    assert!(!plain.contains("data-testid=\"answer-rules\""));
    assert!(!plain.contains("<option value=\"acme\" selected>"));

    let r = b
        .post(
            &format!("/posts/{}/comments", f.post),
            &[
                ("parent", &comment),
                ("as", "acme"),
                (
                    "text",
                    "Bonjour, nous regardons votre commande aujourd'hui.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = b.get(&format!("/posts/{}", f.post)).await.text();
    let reply = &page[page
        .find(&format!("data-parent-id=\"{comment}\""))
        .expect("a reply")..];
    assert!(
        reply.contains("<a href=\"/@acme\"><strong>ACME Expertise</strong></a>"),
        "{reply}"
    );

    // Answered: no longer open, the badge gone, listed under "answered".
    let html = b.get("/inbox").await.text();
    assert!(items(&html).is_empty(), "{html}");
    assert!(!html.contains("data-badge=\"inbox\""));
    assert!(html.contains("href=\"/inbox\" data-testid=\"nav-inbox\""));
    let html = b.get("/inbox?status=answered").await.text();
    assert_eq!(items(&html), ids);
    assert!(html.contains("data-status=\"answered\""));
    assert!(html.contains("data-testid=\"inbox-reopen\""));
}

#[tokio::test]
async fn the_team_dismisses_reopens_assigns_and_snoozes_an_item() {
    let app = TestApp::new().await;
    let f = firm(&app).await;
    angry_comment(&app, &f).await;
    let mut b = Browser::signed_in(&app, &f.bob.email).await;
    let id = items(&b.get("/inbox").await.text()).remove(0);
    let act = |a: &str| format!("/inbox/{id}/{a}");

    // A dismissal needs a reason: the item again, with what went wrong.
    let r = b
        .post(&act("dismiss"), &[("reason", " "), ("next", "/inbox")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Give a reason of 1 to 280 characters."));
    let r = b
        .post(
            &act("dismiss"),
            &[("reason", "Doublon"), ("next", "/inbox")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(&r), "/inbox");
    assert!(items(&b.get("/inbox").await.text()).is_empty());
    let html = b.get("/inbox?status=dismissed").await.text();
    assert!(html.contains("dismissed: Doublon"), "{html}");

    // Reopened, then taken by bob (an editor may take it himself).
    let r = b
        .post(&act("reopen"), &[("next", "/inbox?status=dismissed")])
        .await;
    assert_eq!(location(&r), "/inbox?status=dismissed");
    let r = b.post(&act("assign"), &[("to", "bob")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = b.get("/inbox?assignee=me").await.text();
    assert_eq!(items(&html), vec![id.clone()]);
    assert!(html.contains("data-testid=\"inbox-assignee\">Bob Marchand</a>"));
    // Not carol: she is not on the team.
    let r = b.post(&act("assign"), &[("to", "carol")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("data-testid=\"inbox-errors\""));

    // The admin picks among the team.
    let mut a = Browser::signed_in(&app, &f.ada.email).await;
    let html = a.get("/inbox").await.text();
    assert!(html.contains("data-testid=\"inbox-assign-to\""), "{html}");
    assert!(html.contains("<option value=\"bob\" selected>Bob Marchand (@bob)</option>"));
    // Given to bob by someone else, he is told.
    for to in ["", "bob"] {
        let r = a.post(&act("assign"), &[("to", to)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    app.app.dispatcher().settle_all().await;
    let html = b.get("/notifications").await.text();
    assert!(
        html.contains(&format!("<a href=\"/inbox/{id}\"><strong>Ada Lovelace assigned you an item to answer</strong></a>")),
        "{html}"
    );

    // Snoozed until tomorrow 9:00 (the test clock: Monday 30 November, UTC).
    let r = b
        .post(&act("snooze"), &[("until", "tomorrow"), ("tz", "0")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(items(&b.get("/inbox").await.text()).is_empty());
    let html = b.get("/inbox?status=snoozed").await.text();
    assert!(
        html.contains("snoozed until 2026-12-01 09:00 UTC"),
        "{html}"
    );
    let r = b
        .post(&act("snooze"), &[("until", "date"), ("date", "soon")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A contact-form message: its page gives the sender's address, and the
    // team marks it answered once written to.
    let r = c_form(&app, &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = b.get("/inbox?kind=contact_form").await.text();
    let message = items(&html).remove(0);
    assert!(
        html.contains(&format!(
            "href=\"/inbox/{message}\" data-testid=\"inbox-answer\""
        )),
        "{html}"
    );
    let page = b.get(&format!("/inbox/{message}")).await.text();
    for markup in [
        "data-testid=\"inbox-contact\"",
        // Signed in, she writes under her own name.
        "Carol Hébert</strong> &lt;dora@example.org&gt;",
        "href=\"mailto:dora@example.org?subject=Your%20message%20to%20ACME%20Expertise\"",
        "Bonjour, vos tarifs ?",
    ] {
        assert!(page.contains(markup), "{markup}\n{page}");
    }
    let r = b.post(&format!("/inbox/{message}/answered"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = b.get("/inbox?status=answered").await.text();
    assert_eq!(items(&html), vec![message]);
    // A comment is answered where it was asked, not marked.
    let r = b.post(&act("answered"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // One item's page; nobody else's, and no such act.
    assert_eq!(b.get(&format!("/inbox/{id}")).await.status, StatusCode::OK);
    let mut c = Browser::signed_in(&app, &f.carol.email).await;
    assert_eq!(
        c.get(&format!("/inbox/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.post(&act("reopen"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.post(&act("archive"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get("/inbox/not-an-id").await.status,
        StatusCode::NOT_FOUND
    );
    // Signed out: to the sign-in page.
    let r = app.get("/inbox").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/signin"), "{}", location(&r));
}

#[tokio::test]
async fn who_may_comment_the_pages_inbox_settings_and_response_times() {
    let app = TestApp::new().await;
    let f = firm(&app).await;
    let mut a = Browser::signed_in(&app, &f.ada.email).await;

    // A post that takes no comments: a sentence instead of the form.
    let home = a.get("/").await.text();
    assert!(home.contains("data-testid=\"composer-replies\""), "{home}");
    let closed = posted_id(
        &a.compose(&[
            Part::Text("text", "Annonce"),
            Part::Text("audience", "public"),
            Part::Text("as", "acme"),
            Part::Text("replies", "nobody"),
        ])
        .await,
    );
    let mut c = Browser::signed_in(&app, &f.carol.email).await;
    let page = c.get(&format!("/posts/{closed}")).await.text();
    assert!(page.contains("Comments are closed on this post."), "{page}");
    assert!(!page.contains("data-testid=\"comment-text\""));
    assert!(!page.contains("data-testid=\"replies-form\""));
    let r = c
        .post(
            &format!("/posts/{closed}/comments"),
            &[("text", "Et alors ?")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("You may not comment on this post."));
    // The author opens them again.
    let page = a.get(&format!("/posts/{closed}")).await.text();
    assert!(
        page.contains("<option value=\"nobody\" selected>"),
        "{page}"
    );
    let r = a
        .post(
            &format!("/posts/{closed}/replies"),
            &[("replies", "everyone")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = c.get(&format!("/posts/{closed}")).await.text();
    assert!(page.contains("data-testid=\"comment-text\""));

    // The admin sets the page's inbox; the editor reads it, may not set it.
    let r = a
        .post(
            "/@acme/manage/inbox",
            &[
                ("response_target_hours", "8"),
                ("replies", "members"),
                ("keyword_filters", "arnaq*\r\n\r\nescroc\r\n"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(&r), "/@acme/manage?saved=inbox#inbox");
    let html = a.get("/@acme/manage?saved=inbox").await.text();
    for markup in [
        "data-testid=\"inbox-settings-saved\"",
        "value=\"8\" data-testid=\"inbox-settings-target\"",
        "<option value=\"members\" selected>",
        "arnaq*\nescroc\n</textarea>",
    ] {
        assert!(html.contains(markup), "{markup}\n{html}");
    }
    let mut b = Browser::signed_in(&app, &f.bob.email).await;
    let html = b.get("/@acme/manage").await.text();
    assert!(html.contains("data-testid=\"inbox-settings\""), "{html}");
    assert!(!html.contains("data-testid=\"inbox-settings-target\""));
    assert!(html.contains("arnaq*, escroc"));
    let r = b
        .post(
            "/@acme/manage/inbox",
            &[
                ("response_target_hours", "2"),
                ("replies", "everyone"),
                ("keyword_filters", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The response times: open items now, twelve weeks, the target in words.
    angry_comment(&app, &f).await;
    let html = a.get("/@acme/stats").await.text();
    assert!(html.contains("data-testid=\"stats-responses\""), "{html}");
    assert!(html.contains("1 item awaits an answer now."));
    assert!(html.contains("within the target of 8 h"));
    assert_eq!(html.matches("data-testid=\"stats-week\"").count(), 12);
    assert!(html.contains("no data yet"));

    // "arnaque" is filtered: the comment waits for the team, seen by its
    // author and the team only; the team publishes it from the inbox.
    let html = b.get("/inbox").await.text();
    let held = items(&html).remove(0);
    assert!(html.contains("data-testid=\"inbox-held\""), "{html}");
    assert!(html.contains("data-testid=\"inbox-publish\""));
    let page = c.get(&format!("/posts/{}", f.post)).await.text();
    assert!(page.contains("data-testid=\"comment-held\""), "{page}");
    let r = b.post(&format!("/inbox/{held}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = c.get(&format!("/posts/{}", f.post)).await.text();
    assert!(page.contains("SCANDALEUX"));
    assert!(!page.contains("data-testid=\"comment-held\""), "{page}");
    // Published, it still awaits an answer.
    let html = b.get("/inbox").await.text();
    assert_eq!(items(&html), vec![held.clone()]);
    assert!(!html.contains("data-testid=\"inbox-held\""));
    let r = b.post(&format!("/inbox/{held}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("No comment is held for review here."));
}

#[tokio::test]
async fn a_long_inbox_pages_on_with_its_filters() {
    let app = TestApp::new().await;
    let f = firm(&app).await;
    let mut c = Browser::signed_in(&app, &f.carol.email).await;
    // Each first comment opens a thread of its own: an item each.
    for i in 0..21 {
        let r = c
            .post(
                &format!("/posts/{}/comments", f.post),
                &[("text", &format!("Question {i}"))],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    let mut b = Browser::signed_in(&app, &f.bob.email).await;
    let html = b.get("/inbox?as=acme&kind=comment").await.text();
    let first = items(&html);
    assert_eq!(first.len(), 20);
    assert!(html.contains("21 items to answer"), "{html}");
    let more = html
        .split("<a class=\"button secondary\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a more link")
        .replace("&#38;", "&");
    assert!(
        more.starts_with("/inbox?as=acme&kind=comment&cursor="),
        "{more}"
    );
    let html = b.get(&more).await.text();
    let rest = items(&html);
    assert_eq!(rest.len(), 1);
    assert!(!first.contains(&rest[0]));
    assert!(!html.contains("data-testid=\"inbox-more-items\""));
}
