//! The pages, as a browser without JavaScript uses them.

use crate::support::{Member, PASSWORD, Req, Response, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::json;

/// A browser: keeps cookies, reads the form token off pages.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    cookies: Vec<String>,
    pub(crate) lang: &'static str,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: Vec::new(),
            lang: "en-GB,en;q=0.9",
        }
    }

    fn keep(&mut self, r: &Response) {
        for c in r.cookies() {
            let name = c.split('=').next().unwrap().to_owned();
            self.cookies.retain(|k| !k.starts_with(&format!("{name}=")));
            if !c.ends_with('=') {
                self.cookies.push(c);
            }
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Response {
        let r = self
            .app
            .send(
                Req::new(Method::GET, path)
                    .header("cookie", &self.cookies.join("; "))
                    .header("accept-language", self.lang),
            )
            .await;
        self.keep(&r);
        r
    }

    fn token(&self) -> String {
        self.cookies
            .iter()
            .find_map(|c| c.strip_prefix("entremise_csrf="))
            .unwrap()
            .to_owned()
    }

    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.token();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        let r = self
            .app
            .send(
                Req::new(Method::POST, path)
                    .header("cookie", &self.cookies.join("; "))
                    .header("origin", "http://127.0.0.1:8080")
                    .header("accept-language", self.lang)
                    .form(&all),
            )
            .await;
        self.keep(&r);
        r
    }
}

#[tokio::test]
async fn home_page_in_both_languages() {
    let app = TestApp::new().await;
    let mut en = Browser::new(&app);
    let r = en.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("<html lang=\"en\">"));
    assert!(r.text().contains("Be introduced, not cold-called."));
    let mut fr = Browser::new(&app);
    fr.lang = "fr-FR,fr;q=0.9";
    let r = fr.get("/").await;
    assert!(r.text().contains("<html lang=\"fr\">"));
    assert!(r.text().contains("Être recommandé, pas démarché."));
}

/// Pages hand out the form token cookie; API answers, images and static
/// files set no cookie at all (API clients have no use for it).
#[tokio::test]
async fn only_pages_set_the_form_token_cookie() {
    let app = TestApp::new().await;
    let page = app.get("/").await;
    assert!(
        page.cookies()
            .iter()
            .any(|c| c.starts_with("entremise_csrf=")),
        "{:?}",
        page.cookies()
    );
    let (ada, _, _) = app.cast().await;
    for uri in ["/api/v1/health", "/api/v1/feed", "/assets/app.css"] {
        let r = app
            .send(Req::new(Method::GET, uri).bearer(&ada.token))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        assert!(r.cookies().is_empty(), "{uri}: {:?}", r.cookies());
    }
}

#[tokio::test]
async fn sign_up_edit_an_audience_and_view_as_anonymous() {
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
    assert_eq!(r.header("location"), Some("/@zoe/edit"));
    let session = r
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("entremise_session="))
        .unwrap();
    let raw = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
        "{raw}"
    );
    assert!(session.len() > 40);

    let edit = b.get("/@zoe/edit").await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.text().contains("name=\"a_phone\""));
    let r = b
        .post(
            "/@zoe/edit",
            &[
                ("f_name", "Zoé Marchand"),
                ("f_headline", "Responsable communication"),
                ("f_phone", "+33 6 12 34 56 78"),
                ("a_phone", "public"),
                ("a_headline", "members"),
                ("s_contact_requests", "everyone"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    let own = b.get("/@zoe").await.text();
    assert!(own.contains("Responsable communication") && own.contains("+33 6 12 34 56 78"));
    assert!(own.contains("data-testid=\"view-as\""));
    let as_anonymous = b.get("/@zoe?as=anonymous").await.text();
    assert!(
        as_anonymous.contains("+33 6 12 34 56 78"),
        "phone is public"
    );
    assert!(
        !as_anonymous.contains("Responsable communication"),
        "headline is for members"
    );
    assert!(as_anonymous.contains("data-testid=\"view-as-notice\""));
    // What a real anonymous visitor sees is the same.
    let anonymous = app.get("/@zoe").await.text();
    assert!(
        anonymous.contains("+33 6 12 34 56 78") && !anonymous.contains("Responsable communication")
    );
    assert!(!anonymous.contains("data-testid=\"view-as\""));

    let invalid = b.post("/@zoe/edit", &[("f_website", "ftp://nope")]).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.text().contains("class=\"errors\""));

    let out = b.post("/signout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/@zoe/edit").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_failures_are_explained_and_language_switches() {
    let app = TestApp::new().await;
    app.member("ada", "Ada Lovelace").await;
    let mut b = Browser::new(&app);
    b.get("/signin").await;
    let bad = b
        .post(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", "not the password"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.text().contains("Wrong e-mail address or password."));
    let ok = b
        .post(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.header("location"), Some("/"), "never redirect off-site");

    let r = b.post("/lang", &[("lang", "fr"), ("next", "/@ada")]).await;
    assert_eq!(r.header("location"), Some("/@ada"));
    let page = b.get("/@ada").await.text();
    assert!(
        page.contains("<html lang=\"fr\">"),
        "the account's choice wins"
    );
    // The choice is the account's: a new session in an English browser stays French.
    let mut other = Browser::new(&app);
    other.get("/signin").await;
    other
        .post(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert!(other.get("/").await.text().contains("<html lang=\"fr\">"));
}

#[tokio::test]
async fn missing_profiles_are_404_pages() {
    let app = TestApp::new().await;
    let r = app.get("/@nobody").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("<html"));
    assert_eq!(app.get("/no-at-sign").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/some/deep/path").await.status,
        StatusCode::NOT_FOUND
    );
}

/// An error page is drawn in the frame of the request that failed,
/// whichever handler or form failed: a signed-in member keeps his
/// navigation and his language, and the language switch comes back to the
/// same path. A visitor who must sign in is sent to the sign-in form.
#[tokio::test]
async fn error_pages_keep_the_members_navigation_and_language() {
    let app = TestApp::new().await;
    app.member("ada", "Ada Lovelace").await;
    app.member("bob", "Bob Marchand").await;
    let mut b = Browser::new(&app);
    b.get("/signin").await;
    let r = b
        .post(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    b.post("/lang", &[("lang", "fr"), ("next", "/")]).await;

    let missing = b.get("/@nobody").await;
    let gone = b.post("/posts/999/delete", &[]).await;
    let not_hers = b.post("/@bob/edit", &[("f_name", "Bob")]).await;
    for (r, status, heading, path) in [
        (
            missing,
            StatusCode::NOT_FOUND,
            "Page introuvable",
            "/@nobody",
        ),
        (
            gone,
            StatusCode::NOT_FOUND,
            "Page introuvable",
            "/posts/999/delete",
        ),
        (
            not_hers,
            StatusCode::FORBIDDEN,
            "Action non autorisée",
            "/@bob/edit",
        ),
    ] {
        let page = r.text();
        assert_eq!(r.status, status, "{path}: {page}");
        assert!(page.contains("<html lang=\"fr\">"), "{path}");
        assert!(page.contains(&format!("<h1>{heading}</h1>")), "{path}");
        assert!(
            page.contains("data-testid=\"nav-profile\">Ada Lovelace</a>"),
            "{path}: the member's navigation"
        );
        assert!(!page.contains("data-testid=\"nav-signin\""), "{path}");
        assert!(
            page.contains(&format!("name=\"next\" value=\"{path}\"")),
            "{path}: the switch comes back here"
        );
    }

    let mut visitor = Browser::new(&app);
    let r = visitor.get("/settings/sessions").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        Some("/signin?next=%2Fsettings%2Fsessions")
    );
    let r = visitor.get("/@nobody").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let page = r.text();
    assert!(page.contains("<h1>Page not found</h1>"));
    assert!(page.contains("data-testid=\"nav-signin\""));
}

#[tokio::test]
async fn an_organization_page_shows_offices_and_takes_messages() {
    let app = TestApp::new().await;
    let ada = app.member("ada", "Ada").await;
    app.post_json(
        Some(&ada),
        "/api/v1/pages",
        serde_json::json!({"kind": "organization", "handle": "acme", "name": "ACME"}),
    )
    .await;
    app.post_json(
        Some(&ada),
        "/api/v1/pages/acme/offices",
        serde_json::json!({"name": "Siège", "address": "12 rue Écuyère", "town": "Caen"}),
    )
    .await;
    let mut visitor = Browser::new(&app);
    let page = visitor.get("/@acme").await.text();
    assert!(page.contains("12 rue Écuyère") && page.contains("data-testid=\"office\""));
    let r = visitor
        .post(
            "/@acme/contact",
            &[
                ("name", "Dora"),
                ("email", "dora@example.org"),
                ("message", "Bonjour"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let bad = visitor
        .post(
            "/@acme/contact",
            &[("name", "Dora"), ("email", "x"), ("message", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let inbox = app
        .get_as(&ada, "/api/v1/pages/acme/contact-messages")
        .await
        .json();
    assert_eq!(inbox["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_openapi_document_and_its_browser_are_served() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let json = doc.json();
    assert!(json["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/accounts",
        "/api/v1/sessions",
        "/api/v1/profiles/{handle}",
        "/api/v1/pages",
        "/api/v1/pages/{handle}/managers/{member_handle}",
    ] {
        assert!(json["paths"].get(path).is_some(), "{path} missing");
    }
    let ui = app.get("/api/docs/").await;
    assert_eq!(ui.status, StatusCode::OK);
    assert!(ui.text().contains("swagger"));
}

/// The header of a signed-in member's page: the links behind a "Menu"
/// disclosure that needs no script, the account's own menu, a link to
/// the notifications, and a badge per unread count, in words for screen
/// readers and by the language's plural rules; none for a count of 0.
#[tokio::test]
async fn the_header_folds_its_links_and_counts_unread_messages() {
    async fn say(app: &TestApp, who: &Member, id: &str, text: &str) {
        let path = format!("/api/v1/conversations/{id}/messages");
        let r = app.post_json(Some(who), &path, json!({"text": text})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let app = TestApp::new().await;
    let bob = app.member("bob", "Bob Marchand").await;
    let zoe = app.member("zoe", "Zoé Marchand").await;
    app.connect(&bob, &zoe).await;
    let r = app
        .post_json(
            Some(&bob),
            "/api/v1/conversations",
            json!({"with": ["zoe"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    say(&app, &bob, &id, "Bonjour Zoé").await;
    // The message's notification is written after the message's answer.
    app.app.dispatcher().settle_all().await;

    let mut b = Browser::new(&app);
    b.get("/signin").await;
    let r = b
        .post(
            "/signin",
            &[
                ("email", "zoe@example.org"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let page = b.get("/").await.text();
    for markup in [
        "<details class=\"menu-toggle\" data-testid=\"menu-toggle\">",
        "<summary aria-controls=\"main-nav\" data-testid=\"menu-summary\">",
        "<nav class=\"main-nav\" id=\"main-nav\" aria-label=\"Main navigation\"",
        "<summary aria-controls=\"account-menu\" title=\"Account\" data-testid=\"account-summary\">",
        "data-testid=\"nav-profile\">Zoé Marchand</a>",
        "<a href=\"/notifications\" data-testid=\"nav-notifications\" data-badge-slot=\"notifications\" data-label-one=\"{n} unread notification\" data-label-other=\"{n} unread notifications\">Notifications",
        "<span class=\"count\" data-badge=\"messages\" data-count=\"1\"><span aria-hidden=\"true\">1</span><span class=\"visually-hidden\"> (1 unread message)</span></span>",
    ] {
        assert!(page.contains(markup), "{markup}\n{page}");
    }
    // The menus are closed: a page opens with its links folded away.
    assert!(!page.contains("<details class=\"menu-toggle\" data-testid=\"menu-toggle\" open"));
    // Bob's acceptance and his message notified Zoé; his message awaits
    // her answer: her inbox counts it.
    assert!(
        page.contains("<span class=\"count\" data-badge=\"notifications\" data-count=\"2\"><span aria-hidden=\"true\">2</span><span class=\"visually-hidden\"> (2 unread notifications)</span></span>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"/inbox\" data-testid=\"nav-inbox\" data-badge-slot=\"inbox\" data-label-one=\"{n} item to answer\" data-label-other=\"{n} items to answer\">To answer<span class=\"count\" data-badge=\"inbox\" data-count=\"1\"><span aria-hidden=\"true\">1</span><span class=\"visually-hidden\"> (1 item to answer)</span></span></a>"),
        "{page}"
    );

    say(&app, &bob, &id, "Tu as un moment ?").await;
    say(&app, &bob, &id, "Pour parler de ta mission").await;
    b.post("/lang", &[("lang", "fr"), ("next", "/")]).await;
    let page = b.get("/@zoe").await.text();
    assert!(
        page.contains("<span class=\"visually-hidden\"> (3 messages non lus)</span>"),
        "{page}"
    );
    assert!(
        page.contains("aria-label=\"Navigation principale\""),
        "{page}"
    );
    assert!(page.contains(">Mon compte</span></summary>"), "{page}");
    // The list of conversations says it too, by the French plural rules.
    let list = b.get("/messages").await.text();
    assert!(list.contains(">3 non lus</span>"), "{list}");
    // Reading the thread clears the badge on the very page that reads it.
    let thread = b.get(&format!("/messages/{id}")).await.text();
    assert!(!thread.contains("data-badge=\"messages\""), "{thread}");
    say(&app, &bob, &id, "Merci !").await;
    let list = b.get("/messages").await.text();
    assert!(list.contains(">1 non lu</span>"), "{list}");
    assert!(list.contains("data-count=\"1\""), "{list}");
    assert!(list.contains("(1 message non lu)"), "{list}");

    // A visitor: the same fold, sign-in links, no account menu, no badge.
    let mut visitor = Browser::new(&app);
    let page = visitor.get("/").await.text();
    assert!(page.contains("data-testid=\"menu-toggle\""), "{page}");
    assert!(page.contains("data-testid=\"nav-signin\""), "{page}");
    assert!(!page.contains("account-menu"), "{page}");
    assert!(!page.contains("data-badge="), "{page}");
    assert!(!page.contains("/notifications"), "{page}");
}
