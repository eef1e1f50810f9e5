//! Posts through the pages, as a browser without JavaScript uses them: the
//! composer (multipart, with images), the feed, a post's page with its
//! reactions, comments, edits and history, shares, follows and a page's
//! scheduled posts.

use crate::support::{Member, PASSWORD, Req, Response, TestApp};
use axum::http::{Method, StatusCode};
use entremise_media::samples;
use serde_json::json;

const BOUNDARY: &str = "entremise-page-boundary";

/// A signed-in browser: keeps cookies, sends the form token.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    cookies: Vec<String>,
}

/// One part of a multipart form.
#[derive(Clone, Copy)]
pub(crate) enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

impl<'a> Browser<'a> {
    pub(crate) async fn signed_in(app: &'a TestApp, email: &str) -> Self {
        let mut b = Self {
            app,
            cookies: Vec::new(),
        };
        b.get("/signin").await;
        let r = b
            .post(
                "/signin",
                &[("email", email), ("password", PASSWORD), ("next", "/")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        b
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

    fn token(&self) -> String {
        self.cookies
            .iter()
            .find_map(|c| c.strip_prefix("entremise_csrf="))
            .unwrap()
            .to_owned()
    }

    pub(crate) async fn get(&mut self, path: &str) -> Response {
        let r = self
            .app
            .send(
                Req::new(Method::GET, path)
                    .header("cookie", &self.cookies.join("; "))
                    .header("accept-language", "en"),
            )
            .await;
        self.keep(&r);
        r
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
                    .header("accept-language", "en")
                    .form(&all),
            )
            .await;
        self.keep(&r);
        r
    }

    /// The composer's form, the token first as the page sends it.
    pub(crate) async fn compose(&mut self, parts: &[Part<'_>]) -> Response {
        let token = self.token();
        self.compose_with_token(&token, parts).await
    }

    async fn compose_with_token(&mut self, token: &str, parts: &[Part<'_>]) -> Response {
        self.multipart_with_token("/posts", token, parts).await
    }

    /// A multipart form to `path`, the token first as pages send it.
    pub(crate) async fn multipart(&mut self, path: &str, parts: &[Part<'_>]) -> Response {
        let token = self.token();
        self.multipart_with_token(path, &token, parts).await
    }

    async fn multipart_with_token(
        &mut self,
        path: &str,
        token: &str,
        parts: &[Part<'_>],
    ) -> Response {
        let mut body = Vec::new();
        let mut all = vec![Part::Text("csrf", token)];
        all.extend_from_slice(parts);
        for part in &all {
            match part {
                Part::Text(name, value) => body.extend_from_slice(
                    format!(
                        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                    )
                    .as_bytes(),
                ),
                Part::File(name, file_name, bytes) => {
                    body.extend_from_slice(
                        format!(
                            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(bytes);
                    body.extend_from_slice(b"\r\n");
                }
            }
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let r = self
            .app
            .send(
                Req::new(Method::POST, path)
                    .header("cookie", &self.cookies.join("; "))
                    .header("origin", "http://127.0.0.1:8080")
                    .header("accept-language", "en")
                    .raw(&format!("multipart/form-data; boundary={BOUNDARY}"), body),
            )
            .await;
        self.keep(&r);
        r
    }
}

pub(crate) fn location(r: &Response) -> String {
    r.header("location").unwrap_or("").to_owned()
}

/// The id in a `…#post-{id}` redirect.
pub(crate) fn posted_id(r: &Response) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    location(r).rsplit("#post-").next().unwrap().to_owned()
}

fn photo() -> Vec<u8> {
    samples::jpeg(samples::gradient(64, 32))
}

/// The text of the element carrying `data-testid="{id}"` right after
/// `data-post-id="{post}"` (the first such element of the card).
fn count_in_card(page: &str, post: &str, testid: &str) -> String {
    let card = &page[page
        .find(&format!(
            "data-testid=\"post-card\" data-post-id=\"{post}\""
        ))
        .unwrap_or_else(|| panic!("no card {post}"))..];
    let at = card.find(&format!("data-testid=\"{testid}\">")).unwrap();
    let rest = &card[at + testid.len() + 15..];
    rest[..rest.find('<').unwrap()].to_owned()
}

async fn members(app: &TestApp) -> (Member, Member) {
    let ada = app.member("ada", "Ada Lovelace").await;
    let bob = app.member("bob", "Bob Marchand").await;
    (ada, bob)
}

#[tokio::test]
async fn the_composer_publishes_text_and_images_to_the_feed() {
    let app = TestApp::new().await;
    let (ada, bob) = members(&app).await;
    app.connect(&bob, &ada).await;
    let mut a = Browser::signed_in(&app, &ada.email).await;

    let home = a.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let html = home.text();
    for id in [
        "composer",
        "composer-text",
        "composer-audience",
        "composer-as",
        "composer-images",
        "composer-alt",
        "composer-submit",
        "feed",
    ] {
        assert!(html.contains(&format!("data-testid=\"{id}\"")), "{id}");
    }
    assert!(html.contains("enctype=\"multipart/form-data\""));

    let image = photo();
    let r = a
        .compose(&[
            Part::Text("text", "Bonjour @bob ! #Audit <script>"),
            Part::Text("audience", "members"),
            Part::Text("as", ""),
            Part::Text("alt", "A gradient\nThe same, twice"),
            Part::File("image", "a.jpg", &image),
            Part::File("image", "b.jpg", &image),
            // An empty file input still sends an empty part.
            Part::File("image", "", b""),
        ])
        .await;
    let id = posted_id(&r);
    assert_eq!(location(&r), format!("/#post-{id}"));

    let feed = a.get("/").await.text();
    assert!(feed.contains(&format!("data-testid=\"post-card\" data-post-id=\"{id}\"")));
    assert!(feed.contains("<a href=\"/@bob\">@bob</a>"), "mentions link");
    assert!(
        feed.contains("<a href=\"/search?q=Audit\">#Audit</a>"),
        "tags link"
    );
    assert!(!feed.contains("<script>"), "text is escaped");
    assert!(feed.contains("script&#62;") || feed.contains("script&gt;"));
    assert_eq!(feed.matches("data-testid=\"post-image\"").count(), 2);
    assert!(feed.contains("alt=\"A gradient\""));
    assert!(feed.contains("alt=\"The same, twice\""));
    assert!(feed.contains("?w=640"));
    assert!(feed.contains("data-audience=\"members\""));

    // The images are served to whoever sees the post.
    let src = feed.split("<img src=\"").nth(2).unwrap();
    let src = &src[..src.find('"').unwrap()];
    let r = app.get_as(&bob, src).await;
    assert_eq!(r.status, StatusCode::OK, "{src}");
    assert!(r.header("content-type").unwrap().starts_with("image/"));

    // Bob, a contact, has it in his feed.
    let mut b = Browser::signed_in(&app, &bob.email).await;
    let feed = b.get("/").await.text();
    assert!(feed.contains(&format!("data-post-id=\"{id}\"")));
    for kind in ["like", "celebrate", "support", "insightful", "curious"] {
        assert!(
            feed.contains(&format!("data-testid=\"react-{kind}\"")),
            "{kind}"
        );
    }

    // The ranked order is offered and works.
    let ranked = b.get("/?ranked=1").await;
    assert_eq!(ranked.status, StatusCode::OK);
    assert!(ranked.text().contains(&format!("data-post-id=\"{id}\"")));

    // Anonymous visitors keep the home as it was.
    let anon = app.get("/").await.text();
    assert!(anon.contains("Be introduced, not cold-called."));
    assert!(!anon.contains("data-testid=\"composer\""));
}

#[tokio::test]
async fn refused_posts_show_the_composer_again() {
    let app = TestApp::new().await;
    let (ada, _) = members(&app).await;
    let mut a = Browser::signed_in(&app, &ada.email).await;
    a.get("/").await;

    let r = a
        .compose(&[Part::Text("text", "   "), Part::Text("audience", "members")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("data-testid=\"composer-errors\""));
    assert!(r.text().contains("Write something, or add an image."));

    let r = a
        .compose(&[
            Part::Text("text", "Kept text"),
            Part::Text("audience", "public"),
            Part::File("image", "notes.txt", b"not an image at all"),
        ])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("Image 1: this file is not an image"),
        "{html}"
    );
    assert!(html.contains(">Kept text</textarea>"), "the draft is kept");
    assert!(html.contains("<option value=\"public\" selected>"));

    let r = a
        .compose(&[
            Part::Text("text", "Later"),
            Part::Text("audience", "public"),
            Part::Text("publish_at", "2026-12-02T10:00"),
        ])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "persons do not schedule"
    );
    assert!(r.text().contains("for pages only"));

    let r = a
        .compose_with_token(
            "forged",
            &[Part::Text("text", "x"), Part::Text("audience", "public")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_as(&ada, "/api/v1/feed").await.json()["items"],
        json!([])
    );
}

#[tokio::test]
async fn reactions_comments_edits_history_and_delete_on_the_post_page() {
    let app = TestApp::new().await;
    let (ada, bob) = members(&app).await;
    let mut a = Browser::signed_in(&app, &ada.email).await;
    a.get("/").await;
    let id = posted_id(
        &a.compose(&[
            Part::Text("text", "First version"),
            Part::Text("audience", "public"),
        ])
        .await,
    );
    let mut b = Browser::signed_in(&app, &bob.email).await;
    let page = b.get(&format!("/posts/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.text().contains("data-testid=\"post-delete\""),
        "not his"
    );

    // React, change, undo.
    let r = b
        .post(
            &format!("/posts/{id}/react"),
            &[("kind", "like"), ("next", &format!("/posts/{id}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/posts/{id}#post-{id}"));
    let html = b.get(&format!("/posts/{id}")).await.text();
    assert_eq!(count_in_card(&html, &id, "reaction-count"), "1");
    assert!(html.contains(
        "value=\"none\" class=\"reaction pressed\" aria-pressed=\"true\" data-testid=\"react-like\""
    ));
    b.post(&format!("/posts/{id}/react"), &[("kind", "celebrate")])
        .await;
    let html = b.get(&format!("/posts/{id}")).await.text();
    assert_eq!(count_in_card(&html, &id, "reaction-count"), "1");
    assert!(html.contains("data-testid=\"react-celebrate\""));
    b.post(&format!("/posts/{id}/react"), &[("kind", "none")])
        .await;
    let html = b.get(&format!("/posts/{id}")).await.text();
    assert_eq!(count_in_card(&html, &id, "reaction-count"), "0");

    // Comment and reply.
    let r = b
        .post(&format!("/posts/{id}/comments"), &[("text", "Well said")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cid = location(&r).rsplit("#comment-").next().unwrap().to_owned();
    let r = a
        .post(
            &format!("/posts/{id}/comments"),
            &[("text", "Thank you"), ("parent", &cid)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = b
        .post(&format!("/posts/{id}/comments"), &[("text", " ")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("data-testid=\"post-errors\""));
    let html = b.get(&format!("/posts/{id}")).await.text();
    assert_eq!(html.matches("data-testid=\"comment\"").count(), 2);
    assert!(html.contains(&format!("data-parent-id=\"{cid}\"")));
    assert_eq!(count_in_card(&html, &id, "comment-count"), "2");

    // Only the author edits; the history keeps the first version.
    let r = b
        .post(&format!("/posts/{id}/edit"), &[("text", "Pirate")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = a
        .post(&format!("/posts/{id}/edit"), &[("text", "Second version")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = a.get(&format!("/posts/{id}")).await.text();
    assert!(html.contains("Second version"));
    assert!(html.contains("data-testid=\"post-edited\""));
    let history = a.get(&format!("/posts/{id}/history")).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(history.text().contains("First version"));

    // Delete: gone for everyone.
    let r = a.post(&format!("/posts/{id}/delete"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
    assert_eq!(
        b.get(&format!("/posts/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(a.get("/posts/nope").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn shares_embed_the_original_and_audiences_hold() {
    let app = TestApp::new().await;
    let (ada, bob) = members(&app).await;
    app.connect(&ada, &bob).await;
    let mut a = Browser::signed_in(&app, &ada.email).await;
    a.get("/").await;
    let public = posted_id(
        &a.compose(&[
            Part::Text("text", "Open to all"),
            Part::Text("audience", "public"),
        ])
        .await,
    );
    let contacts = posted_id(
        &a.compose(&[
            Part::Text("text", "Between us"),
            Part::Text("audience", "contacts"),
        ])
        .await,
    );

    // Anonymous visitors see the public post, not the other, and no forms.
    let anon = app.get(&format!("/posts/{public}")).await;
    assert_eq!(anon.status, StatusCode::OK);
    assert!(!anon.text().contains("data-testid=\"react-like\""));
    assert!(!anon.text().contains("data-testid=\"comment-text\""));
    assert_eq!(
        app.get(&format!("/posts/{contacts}")).await.status,
        StatusCode::NOT_FOUND
    );

    let mut b = Browser::signed_in(&app, &bob.email).await;
    let html = b.get("/").await.text();
    let card = &html[html.find(&format!("data-post-id=\"{contacts}\"")).unwrap()..];
    let card = &card[..card.find("</article>").unwrap()];
    assert!(
        !card.contains("reshare-submit"),
        "a contacts-only post is not shared"
    );
    let r = b
        .post(
            &format!("/posts/{public}/reshare"),
            &[("text", "Worth reading"), ("audience", "members")],
        )
        .await;
    let shared = posted_id(&r);
    let r = b
        .post(
            &format!("/posts/{contacts}/reshare"),
            &[("audience", "contacts")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let html = b.get(&format!("/posts/{shared}")).await.text();
    assert!(html.contains("Worth reading"));
    assert!(html.contains(&format!(
        "data-testid=\"post-embed\" data-post-id=\"{public}\""
    )));
    let html = a.get(&format!("/posts/{public}")).await.text();
    assert_eq!(count_in_card(&html, &public, "reshare-count"), "1");

    // The original out of his sight, the share says so.
    assert_eq!(
        b.post("/@ada/block", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let html = b.get(&format!("/posts/{shared}")).await.text();
    assert!(html.contains("data-testid=\"post-unavailable\""));
}

#[tokio::test]
async fn pages_are_followed_and_schedule_posts() {
    let app = TestApp::new().await;
    let (ada, bob) = members(&app).await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME Expertise"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mut a = Browser::signed_in(&app, &ada.email).await;
    let home = a.get("/").await.text();
    assert!(
        home.contains("<option value=\"acme\""),
        "publish as the page"
    );
    assert!(home.contains("data-testid=\"composer-publish-at\""));

    // Pages describe their images.
    let image = photo();
    let r = a
        .compose(&[
            Part::Text("text", "Our offices"),
            Part::Text("audience", "public"),
            Part::Text("as", "acme"),
            Part::File("image", "office.jpg", &image),
        ])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("A page describes its images"));

    let now = posted_id(
        &a.compose(&[
            Part::Text("text", "Hello from ACME"),
            Part::Text("audience", "public"),
            Part::Text("as", "acme"),
        ])
        .await,
    );
    let r = a
        .compose(&[
            Part::Text("text", "Webinar tomorrow"),
            Part::Text("audience", "public"),
            Part::Text("as", "acme"),
            Part::Text("publish_at", "2026-12-01T10:30"),
            Part::Text("tz", "-60"),
        ])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(&r), "/@acme#scheduled");
    let page = a.get("/@acme").await.text();
    assert!(page.contains("data-testid=\"scheduled-posts\""));
    assert!(page.contains("Webinar tomorrow"));
    assert!(
        page.contains("2026-12-01 09:30"),
        "local time read with the offset"
    );
    assert!(!page.contains("data-testid=\"follow\""), "his own page");

    // Bob follows the page and gets its posts, not the scheduled one.
    let mut b = Browser::signed_in(&app, &bob.email).await;
    assert!(
        !b.get("/")
            .await
            .text()
            .contains(&format!("data-post-id=\"{now}\""))
    );
    let page = b.get("/@acme").await.text();
    assert!(page.contains("data-testid=\"profile-posts\""));
    assert!(page.contains(&format!("data-post-id=\"{now}\"")));
    assert!(!page.contains("Webinar tomorrow"));
    assert!(page.contains("data-testid=\"follow\""));
    let r = b.post("/@acme/follow", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        b.get("/@acme")
            .await
            .text()
            .contains("data-testid=\"unfollow\"")
    );
    assert!(
        b.get("/")
            .await
            .text()
            .contains(&format!("data-post-id=\"{now}\""))
    );
    b.post("/@acme/unfollow", &[]).await;
    assert!(
        b.get("/@acme")
            .await
            .text()
            .contains("data-testid=\"follow\"")
    );

    // Persons are not followed; their profile lists their posts.
    assert_eq!(
        b.post("/@ada/follow", &[]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let page = b.get("/@acme/posts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(&format!("data-post-id=\"{now}\"")));
}

/// A composer body of `first`, then up to 120 MiB more, counting how many
/// chunks the server asked for.
fn watched_body(
    first: String,
) -> (
    axum::body::Body,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use futures_util::StreamExt as _;
    use std::sync::atomic::Ordering;
    let polled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = polled.clone();
    // As from a network: each further chunk is not ready at once.
    let stream = futures_util::stream::iter(0..121).then(move |i| {
        let counter = counter.clone();
        let first = first.clone();
        async move {
            if i > 0 {
                tokio::task::yield_now().await;
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let chunk = if i == 0 {
                axum::body::Bytes::from(first)
            } else {
                axum::body::Bytes::from(vec![b'x'; 1024 * 1024])
            };
            Ok::<_, std::io::Error>(chunk)
        }
    });
    (axum::body::Body::from_stream(stream), polled)
}

fn huge_post(cookies: &str, body: axum::body::Body) -> Req {
    Req::new(Method::POST, "/posts")
        .header("cookie", cookies)
        .header("origin", "http://127.0.0.1:8080")
        .raw(&format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

#[tokio::test]
async fn the_composer_refuses_strangers_and_forgeries_before_reading_their_body() {
    use std::sync::atomic::Ordering;
    let app = TestApp::new().await;
    let (ada, _) = members(&app).await;
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\n"
    );

    // Nobody signed in: sent to sign in, not a byte read.
    let (body, polled) = watched_body(head.clone());
    let r = app.send(huge_post("", body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/signin");
    assert_eq!(polled.load(Ordering::SeqCst), 0, "the body was read");

    let mut a = Browser::signed_in(&app, &ada.email).await;
    let all = a.cookies.join("; ");
    // Signed in, but without the form token cookie: no token can match.
    let session: Vec<&str> = all
        .split("; ")
        .filter(|c| !c.starts_with("entremise_csrf="))
        .collect();
    let (body, polled) = watched_body(head.clone());
    let r = app.send(huge_post(&session.join("; "), body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(polled.load(Ordering::SeqCst), 0, "the body was read");

    // A first field other than the token: refused at its headers.
    let (body, polled) = watched_body(head);
    let r = app.send(huge_post(&all, body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let read = polled.load(Ordering::SeqCst);
    assert!(read <= 2, "{read} chunks of the body were read");

    // A forged token first: the rest is not read (the multipart reader
    // may have asked for one more chunk while looking for the field's end).
    let forged = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nforged-forged-forged-abc\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\n"
    );
    let (body, polled) = watched_body(forged);
    let r = app.send(huge_post(&all, body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let read = polled.load(Ordering::SeqCst);
    assert!(read <= 2, "{read} chunks of the body were read");
    // The right token still posts.
    let r = a
        .compose(&[
            Part::Text("text", "hello"),
            Part::Text("audience", "public"),
        ])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let _ = a.get("/").await;
}
