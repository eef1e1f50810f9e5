//! E-mail: preferences through the API and the settings page, the
//! unsubscribe link without signing in (genuine, forged, expired, one
//! click), and a due digest written as an `.eml` file whose link works.

use crate::support::{Member, PASSWORD, Req, TestApp, code};
use crate::web::Browser;
use async_trait::async_trait;
use axum::http::{Method, StatusCode};
use entremise_domain::mail::digest::{DigestLine, DigestLinks, DigestSource, DueDigest};
use entremise_domain::mail::unsubscribe::{TOKEN_LIFETIME, UnsubscribeKey};
use entremise_domain::store::Store;
use entremise_domain::{AccountId, Result};
use serde_json::json;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

async fn preferences(app: &TestApp, m: &Member) -> serde_json::Value {
    let r = app.get_as(m, "/api/v1/me/email-preferences").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn put_preferences(
    app: &TestApp,
    m: &Member,
    body: serde_json::Value,
) -> crate::support::Response {
    app.call(Method::PUT, Some(m), "/api/v1/me/email-preferences", body)
        .await
}

async fn account_of(app: &TestApp, m: &Member) -> AccountId {
    let me = app.get_as(m, "/api/v1/me").await.json();
    AccountId(me["account_id"].as_str().unwrap().parse().unwrap())
}

async fn key(app: &TestApp) -> UnsubscribeKey {
    app.app.mail().unsubscribe_key().await.unwrap()
}

#[tokio::test]
async fn preferences_start_with_no_consent_and_a_digest_needs_it() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    assert_eq!(
        preferences(&app, &ada).await,
        json!({"consent": false, "digest": "off"})
    );
    assert_eq!(
        app.get("/api/v1/me/email-preferences").await.status,
        StatusCode::UNAUTHORIZED
    );

    let r = put_preferences(&app, &ada, json!({"consent": false, "digest": "daily"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(code(&r), "invalid_input");
    assert!(r.text().contains("consent"), "{}", r.text());
    let r = put_preferences(&app, &ada, json!({"consent": true, "digest": "hourly"})).await;
    assert!(r.status.is_client_error(), "{}", r.text());
    let r = put_preferences(
        &app,
        &ada,
        json!({"consent": true, "digest": "off", "x": 1}),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.text());
    assert_eq!(
        preferences(&app, &ada).await,
        json!({"consent": false, "digest": "off"})
    );

    let r = put_preferences(&app, &ada, json!({"consent": true, "digest": "weekly"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json(), json!({"consent": true, "digest": "weekly"}));
    assert_eq!(
        preferences(&app, &ada).await,
        json!({"consent": true, "digest": "weekly"})
    );

    // The document states both shapes, and only them.
    let doc = app.get("/api/v1/openapi.json").await.json();
    let path = &doc["paths"]["/api/v1/me/email-preferences"];
    assert!(path["get"].is_object() && path["put"].is_object());
    let input = &doc["components"]["schemas"]["EmailPreferencesInput"]["oneOf"];
    assert_eq!(input.as_array().unwrap().len(), 2, "{input}");
    assert_eq!(
        input[1]["properties"]["digest"]["enum"],
        json!(["off"]),
        "{input}"
    );
}

#[tokio::test]
async fn the_settings_page_has_an_email_section_in_both_languages() {
    let app = TestApp::new().await;
    let mut b = Browser::new(&app);
    b.get("/signup").await;
    let r = b
        .post(
            "/signup",
            &[
                ("name", "Zoé Marchand"),
                ("handle", "zoe"),
                ("email", "zoe@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = b.get("/@zoe/edit").await.text();
    assert!(page.contains("id=\"email\""), "{page}");
    assert!(page.contains("I agree to receive e-mails from entremise"));
    assert!(
        !page.contains("data-testid=\"email-consent\" checked")
            && !page.contains("value=\"yes\" checked")
    );
    assert!(
        page.contains("<option value=\"off\" selected>Off</option>"),
        "{page}"
    );

    let r = b
        .post(
            "/settings/email",
            &[("consent", "yes"), ("digest", "daily")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), Some("/@zoe/edit?email=saved#email"));
    let page = b.get("/@zoe/edit?email=saved").await.text();
    assert!(page.contains("data-testid=\"email-saved\""));
    assert!(page.contains("value=\"yes\" checked"), "{page}");
    assert!(page.contains("<option value=\"daily\" selected>Daily</option>"));

    // Without the consent box, the digest goes off too.
    let r = b.post("/settings/email", &[("digest", "weekly")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // In French (the member's own choice of language).
    let r = b
        .post("/lang", &[("lang", "fr"), ("next", "/@zoe/edit")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = b.get("/@zoe/edit").await.text();
    assert!(page.contains("accepte de recevoir des e-mails d"), "{page}");
    assert!(!page.contains("value=\"yes\" checked"));
    assert!(page.contains("<option value=\"off\" selected>Désactivé</option>"));
    assert!(page.contains("Hebdomadaire"));

    // A form without its token changes nothing.
    let r = app
        .send(
            Req::new(Method::POST, "/settings/email")
                .form(&[("consent", "yes"), ("digest", "daily")]),
        )
        .await;
    assert!(r.status.is_client_error());
}

#[tokio::test]
async fn an_unsubscribe_link_works_without_signing_in_and_in_one_click() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    put_preferences(&app, &ada, json!({"consent": true, "digest": "daily"})).await;
    let token = key(&app).await.issue(
        account_of(&app, &ada).await,
        entremise_domain::clock::Clock::now(&*app.clock),
    );

    // Opening the link changes nothing: a link scanner unsubscribes nobody.
    let page = app
        .send(
            Req::new(Method::GET, &format!("/unsubscribe/{token}")).header("accept-language", "fr"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("Arrêter tous les e-mails d"), "{text}");
    assert!(text.contains("a•••@example.org"), "{text}");
    assert!(!text.contains("ada@example.org"));
    assert!(text.contains("data-testid=\"unsubscribe-confirm\""));
    assert_eq!(
        preferences(&app, &ada).await,
        json!({"consent": true, "digest": "daily"})
    );

    // RFC 8058: a mail client posts from elsewhere, with no cookie and no
    // form token.
    let r = app
        .send(
            Req::new(Method::POST, &format!("/unsubscribe/{token}"))
                .header("origin", "https://webmail.example.net")
                .header("sec-fetch-site", "cross-site")
                .raw(
                    "application/x-www-form-urlencoded",
                    "List-Unsubscribe=One-Click",
                ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("data-testid=\"unsubscribe-done\""));
    assert_eq!(
        preferences(&app, &ada).await,
        json!({"consent": false, "digest": "off"})
    );
    // Again: harmless, and the page says so.
    let r = app
        .send(Req::new(Method::POST, &format!("/unsubscribe/{token}")))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.get(&format!("/unsubscribe/{token}")).await;
    assert!(
        r.text().contains("data-testid=\"unsubscribe-already\""),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn forged_and_expired_links_unsubscribe_nobody() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let bob = app.member("bob", "Bob Martin").await;
    for m in [&ada, &bob] {
        put_preferences(&app, m, json!({"consent": true, "digest": "weekly"})).await;
    }
    let ada_id = account_of(&app, &ada).await;
    let bob_id = account_of(&app, &bob).await;
    let now = entremise_domain::clock::Clock::now(&*app.clock);
    let genuine = key(&app).await.issue(ada_id, now);

    let mut forged = vec![
        // Signed with another key.
        UnsubscribeKey::new([9; 32]).issue(bob_id, now),
        "not-a-token".to_owned(),
        "A".repeat(44),
    ];
    // One character changed.
    let mut altered: Vec<char> = genuine.chars().collect();
    altered[5] = if altered[5] == 'A' { 'B' } else { 'A' };
    forged.push(altered.into_iter().collect());
    for token in &forged {
        for method in [Method::GET, Method::POST] {
            let r = app
                .send(Req::new(method.clone(), &format!("/unsubscribe/{token}")))
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {token}");
            assert!(r.text().contains("data-testid=\"unsubscribe-invalid\""));
            assert!(!r.text().contains("example.org"));
        }
    }

    // A genuine link past its lifetime: 410, nothing changes.
    app.clock.advance(TOKEN_LIFETIME + Duration::seconds(1));
    for method in [Method::GET, Method::POST] {
        let r = app
            .send(
                Req::new(method.clone(), &format!("/unsubscribe/{genuine}"))
                    .header("accept-language", "fr"),
            )
            .await;
        assert_eq!(r.status, StatusCode::GONE, "{method}");
        assert!(r.text().contains("Ce lien a expiré"), "{}", r.text());
    }
    // (The members' API sessions have expired too: read the store.)
    for account in [ada_id, bob_id] {
        let kept = app.app.store().email_preferences(account).await.unwrap();
        assert!(kept.consent, "{account}");
        assert_eq!(kept.digest, entremise_domain::mail::DigestFrequency::Weekly);
    }
}

/// Digests from the store's due members, each with one line (the
/// notifications will provide the real lines).
struct OneLineSource(Arc<dyn Store>);

#[async_trait]
impl DigestSource for OneLineSource {
    async fn due_digests(&self, now: OffsetDateTime) -> Result<Vec<DueDigest>> {
        Ok(self
            .0
            .digests_due(now)
            .await?
            .into_iter()
            .map(|member| DueDigest {
                lines: vec![DigestLine {
                    text: "Bob Martin accepted your contact request".into(),
                    url: "http://127.0.0.1:8080/@bob".into(),
                }],
                member,
            })
            .collect())
    }

    async fn mark_sent(&self, account: AccountId, at: OffsetDateTime) -> Result<()> {
        self.0.mark_digest_sent(account, at).await
    }
}

#[tokio::test]
async fn a_due_digest_becomes_an_eml_file_whose_unsubscribe_link_works() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    put_preferences(&app, &ada, json!({"consent": true, "digest": "daily"})).await;
    let outbox = tempfile::tempdir().unwrap();
    let mailer = entremise_mail::FileMailer::new(
        outbox.path(),
        &entremise_mail::Sender {
            address: "entremise@net.example.org".into(),
            name: "entremise".into(),
        },
    )
    .unwrap();
    let source = OneLineSource(app.app.store().clone());
    let links = DigestLinks::new("http://127.0.0.1:8080/", "127.0.0.1");
    let send = || app.app.mail().send_due_digests(&source, &mailer, &links);

    assert_eq!(send().await.unwrap().sent, 0, "not a day yet");
    app.clock.advance(Duration::days(1));
    assert_eq!(send().await.unwrap().sent, 1);
    assert_eq!(send().await.unwrap().sent, 0, "never twice");

    let files: Vec<_> = std::fs::read_dir(outbox.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        eml.contains("Subject: 1 new notification on entremise"),
        "{eml}"
    );
    assert!(eml.contains("Bob Martin accepted your contact request"));
    let unsubscribe = eml
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .and_then(|l| l.strip_suffix('>'))
        .unwrap_or_else(|| panic!("{eml}"));
    let path = unsubscribe.strip_prefix("http://127.0.0.1:8080").unwrap();
    assert!(path.starts_with("/unsubscribe/"));
    let r = app
        .send(Req::new(Method::POST, path).raw(
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        preferences(&app, &ada).await,
        json!({"consent": false, "digest": "off"})
    );
    app.clock.advance(Duration::days(2));
    assert_eq!(
        send().await.unwrap().sent,
        0,
        "unsubscribed: no more digests"
    );
}

/// The digest the server sends: the member's unread notifications of the
/// window, worded as on his notifications page, in his language; what a
/// digest reported is not reported again.
#[tokio::test]
async fn the_digest_lists_the_unread_notifications_of_its_window() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada Lovelace").await;
    let bob = app.member("bob", "Bob Martin").await;
    put_preferences(&app, &ada, json!({"consent": true, "digest": "daily"})).await;
    app.call(
        Method::PATCH,
        Some(&ada),
        "/api/v1/profiles/ada",
        json!({"settings": {"contact_requests": "everyone"}}),
    )
    .await;
    app.clock.advance(Duration::minutes(5));
    let r = app
        .post_json(Some(&bob), "/api/v1/contact-requests", json!({"to": "ada"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.app.dispatcher().settle_all().await;

    let outbox = tempfile::tempdir().unwrap();
    let mailer = entremise_mail::FileMailer::new(
        outbox.path(),
        &entremise_mail::Sender {
            address: "entremise@net.example.org".into(),
            name: "entremise".into(),
        },
    )
    .unwrap();
    let source = entremise_web::digest_source(app.app.clone(), "http://127.0.0.1:8080/");
    let links = DigestLinks::new("http://127.0.0.1:8080/", "127.0.0.1");
    let send = || app.app.mail().send_due_digests(&*source, &mailer, &links);
    app.clock.advance(Duration::days(1));
    assert_eq!(send().await.unwrap().sent, 1);
    let files: Vec<_> = std::fs::read_dir(outbox.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        eml.contains("Bob Martin sent you a contact request"),
        "{eml}"
    );
    assert!(eml.contains("http://127.0.0.1:8080/"), "{eml}");

    // The next day: nothing new, nothing mailed.
    app.clock.advance(Duration::days(1));
    let run = send().await.unwrap();
    assert_eq!((run.sent, run.empty), (0, 1));
}
