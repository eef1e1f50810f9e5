//! The real-time stream over a real socket: WebSocket and Server-Sent
//! Events, resumption without loss or duplicates, and who is pushed what.

use crate::support::{Member, TestApp};
use axum::http::{Method, StatusCode};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

/// How long a test waits for an event that must come.
const WAIT: Duration = Duration::from_secs(10);

async fn serve(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn websocket(addr: SocketAddr, m: &Member, last_event_id: Option<&str>) -> Ws {
    let mut req = format!("ws://{addr}/api/v1/stream")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {}", m.token).parse().unwrap(),
    );
    if let Some(id) = last_event_id {
        req.headers_mut()
            .insert("last-event-id", id.parse().unwrap());
    }
    let (ws, response) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    ws
}

/// The next event of a WebSocket (pings skipped).
/// The next event other than a notification: the writes of these tests
/// also notify (a message, a contact), which has its own test below.
async fn next_ws(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on")
            .unwrap();
        if let Message::Text(t) = m {
            let e: Value = serde_json::from_str(&t).unwrap();
            // Notifications and inbox counts have their own tests.
            if e["type"] != "notification" && e["type"] != "inbox" {
                return e;
            }
        }
    }
}

/// Events a WebSocket carries within `quiet` of each other.
async fn drain_ws(ws: &mut Ws, quiet: Duration) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    while let Ok(Some(Ok(m))) = tokio::time::timeout(quiet, ws.next()).await {
        if let Message::Text(t) = m {
            let e: Value = serde_json::from_str(&t).unwrap();
            if e["type"] != "inbox" {
                out.push(e);
            }
        }
    }
    out
}

/// A Server-Sent Events stream read from a raw socket.
struct Sse {
    stream: tokio::net::TcpStream,
    buffer: String,
}

impl Sse {
    async fn open(addr: SocketAddr, m: &Member, query: &str) -> (String, Self) {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "GET /api/v1/stream{query} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nAccept: text/event-stream\r\n\r\n",
            m.token
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut sse = Self {
            stream,
            buffer: String::new(),
        };
        while !sse.buffer.contains("\r\n\r\n") {
            sse.read().await;
        }
        let at = sse.buffer.find("\r\n\r\n").unwrap();
        let head = sse.buffer[..at].to_owned();
        sse.buffer.drain(..at + 4);
        (head, sse)
    }

    async fn read(&mut self) {
        let mut chunk = [0u8; 8192];
        let n = tokio::time::timeout(WAIT, self.stream.read(&mut chunk))
            .await
            .expect("data in time")
            .unwrap();
        assert!(n > 0, "the stream ended");
        self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }

    /// The next event: its `id` line and its JSON `data`.
    async fn next(&mut self) -> (Option<String>, Value) {
        loop {
            // Each event ends with a blank line; chunk sizes sit on their own lines.
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut data = None;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ").or(line.strip_prefix("id:")) {
                        id = Some(v.trim().to_owned());
                    }
                    if let Some(v) = line.strip_prefix("data: ").or(line.strip_prefix("data:")) {
                        data = Some(serde_json::from_str(v.trim()).unwrap());
                    }
                }
                if let Some(data) = data {
                    let data: Value = data;
                    if data["type"] == "notification" || data["type"] == "inbox" {
                        continue;
                    }
                    return (id, data);
                }
                continue;
            }
            self.read().await;
        }
    }
}

async fn conversation(app: &TestApp, m: &Member, with: &[&str]) -> String {
    let r = app
        .post_json(Some(m), "/api/v1/conversations", json!({"with": with}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn say(app: &TestApp, m: &Member, conversation: &str, text: &str) -> String {
    let r = app
        .post_json(
            Some(m),
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"text": text}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Pushed once the streams projection has applied it (typing pings are
    // pushed at once, so tests that mix both wait for this).
    app.app.dispatcher().settle_all().await;
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn typing(app: &TestApp, m: &Member, conversation: &str) -> StatusCode {
    app.post_json(
        Some(m),
        &format!("/api/v1/conversations/{conversation}/typing"),
        json!({}),
    )
    .await
    .status
}

fn texts(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .filter(|e| e["type"] == "message")
        .map(|e| e["message"]["text"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_message_reaches_the_recipient_on_a_websocket_and_as_server_sent_events() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    app.connect(&ada, &bob).await;
    let c = conversation(&app, &ada, &["bob"]).await;
    let addr = serve(&app).await;
    let mut bob_ws = websocket(addr, &bob, None).await;
    let (head, mut bob_sse) = Sse::open(addr, &bob, "").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "{head}"
    );
    // The author's other sessions are told too.
    let mut ada_ws = websocket(addr, &ada, None).await;

    let id = say(&app, &ada, &c, "Bonjour Bob").await;

    let e = next_ws(&mut bob_ws).await;
    assert_eq!(e["type"], "message", "{e}");
    assert_eq!(e["conversation"], c.as_str());
    assert_eq!(e["message"]["id"], id.as_str());
    assert_eq!(e["message"]["text"], "Bonjour Bob");
    assert_eq!(e["message"]["author"]["handle"], "ada");
    assert_eq!(e["message"]["author"]["name"], "Ada Lovelace");
    assert!(e["message"]["created_at"].is_string());
    assert_eq!(e["unread"], 1);
    let event_id = e["id"].as_str().unwrap().to_owned();

    let (sse_id, data) = bob_sse.next().await;
    assert_eq!(sse_id.as_deref(), Some(event_id.as_str()));
    assert_eq!(data, e, "the same event either way");

    let mine = next_ws(&mut ada_ws).await;
    assert_eq!(mine["message"]["text"], "Bonjour Bob");
    assert_eq!(mine["unread"], 0);

    // Bob reading the conversation tells both.
    let r = app
        .get_as(&bob, &format!("/api/v1/conversations/{c}/messages"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let read = next_ws(&mut ada_ws).await;
    assert_eq!(read["type"], "read", "{read}");
    assert_eq!(read["member"], "bob");
    assert_eq!(read["up_to"], id.as_str());
    let read = next_ws(&mut bob_ws).await;
    assert_eq!(read["type"], "read");
    assert_eq!(read["unread"], 0);
}

#[tokio::test]
async fn a_stream_resumed_from_its_last_event_id_gets_exactly_what_it_missed() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    app.connect(&ada, &bob).await;
    let c = conversation(&app, &ada, &["bob"]).await;
    let addr = serve(&app).await;

    let mut ws = websocket(addr, &bob, None).await;
    say(&app, &ada, &c, "one").await;
    let first = next_ws(&mut ws).await;
    assert_eq!(first["message"]["text"], "one");
    let last_id = first["id"].as_str().unwrap().to_owned();
    ws.close(None).await.unwrap();
    drop(ws);

    for text in ["two", "three", "four"] {
        say(&app, &ada, &c, text).await;
    }
    app.app.dispatcher().settle_all().await;

    // Over a WebSocket with Last-Event-ID: the three missed, in order,
    // then the live ones, each once.
    let mut ws = websocket(addr, &bob, Some(&last_id)).await;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(next_ws(&mut ws).await);
    }
    assert_eq!(texts(&got), ["two", "three", "four"]);
    say(&app, &ada, &c, "five").await;
    let mut rest = vec![next_ws(&mut ws).await];
    rest.extend(drain_ws(&mut ws, Duration::from_millis(300)).await);
    assert_eq!(texts(&rest), ["five"], "{rest:?}");
    got.extend(rest);
    let ids: Vec<&str> = got.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.dedup();
    assert_eq!(ids.len(), sorted.len(), "no duplicates: {ids:?}");

    // As Server-Sent Events with ?since=: the same four.
    let (head, mut sse) = Sse::open(addr, &bob, &format!("?since={last_id}")).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let mut replayed = Vec::new();
    for _ in 0..4 {
        let (id, data) = sse.next().await;
        assert_eq!(id.as_deref(), data["id"].as_str());
        replayed.push(data);
    }
    assert_eq!(texts(&replayed), ["two", "three", "four", "five"]);
    // The same events with the same ids (counts are as they stand now).
    let without_counts = |events: &[Value]| -> Vec<Value> {
        events
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.as_object_mut().unwrap().remove("unread");
                e
            })
            .collect()
    };
    // (Notifications, which the SSE reader here looks past, have their own
    // test below.)
    let messages: Vec<Value> = got
        .iter()
        .filter(|e| e["type"] != "notification" && e["type"] != "inbox")
        .cloned()
        .collect();
    assert_eq!(without_counts(&replayed), without_counts(&messages));

    // From the newest id: nothing again.
    let newest = got.last().unwrap()["id"].as_str().unwrap().to_owned();
    let mut ws = websocket(addr, &bob, Some(&newest)).await;
    assert_eq!(
        drain_ws(&mut ws, Duration::from_millis(300)).await,
        Vec::<Value>::new()
    );
}

#[tokio::test]
async fn a_stream_that_cannot_resume_is_told_to_reload() {
    let app = TestApp::new().await;
    let (ada, bob, _) = app.cast().await;
    app.connect(&ada, &bob).await;
    let c = conversation(&app, &ada, &["bob"]).await;
    say(&app, &ada, &c, "old").await;
    app.app.dispatcher().settle_all().await;
    app.clock.advance(time::Duration::days(8));
    assert!(app.app.compact_events().await.unwrap() > 0);
    let addr = serve(&app).await;
    let mut ws = websocket(addr, &bob, Some("1")).await;
    let reset = next_ws(&mut ws).await;
    assert_eq!(reset["type"], "reset", "{reset}");
    // Resuming from the reset's id goes on without a reset.
    let from = reset["id"].as_str().unwrap().to_owned();
    let mut ws = websocket(addr, &bob, Some(&from)).await;
    say(&app, &ada, &c, "new").await;
    assert_eq!(next_ws(&mut ws).await["message"]["text"], "new");
}

#[tokio::test]
async fn nobody_outside_a_conversation_or_blocked_with_the_author_is_pushed_a_message() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let dave = app.member("dave", "Dave Roux").await;
    app.connect(&ada, &bob).await;
    app.connect(&ada, &carol).await;
    app.connect(&ada, &dave).await;
    let group = conversation(&app, &ada, &["bob", "carol"]).await;
    let with_dave = conversation(&app, &ada, &["dave"]).await;
    let addr = serve(&app).await;
    let mut ada_ws = websocket(addr, &ada, None).await;
    let mut bob_ws = websocket(addr, &bob, None).await;
    let mut dave_ws = websocket(addr, &dave, None).await;
    let (_, mut bob_sse) = Sse::open(addr, &bob, "").await;
    let before = next_id_of(&app, &bob).await;

    // Bob blocks Carol after the conversation opened: it stays open, but
    // neither is shown the other's messages.
    let r = app
        .call(Method::PUT, Some(&bob), "/api/v1/blocks/carol", json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    say(&app, &carol, &group, "from carol").await;
    // Typing: to Ada, not to Bob; an outsider's ping is a 404.
    assert_eq!(typing(&app, &carol, &group).await, StatusCode::NO_CONTENT);
    assert_eq!(typing(&app, &dave, &group).await, StatusCode::NOT_FOUND);
    say(&app, &ada, &group, "from ada").await;
    assert_eq!(typing(&app, &ada, &group).await, StatusCode::NO_CONTENT);
    say(&app, &ada, &with_dave, "to dave").await;

    let got = next_ws(&mut ada_ws).await;
    assert_eq!(got["message"]["text"], "from carol");
    let got = next_ws(&mut ada_ws).await;
    assert_eq!(got["type"], "typing", "{got}");
    assert_eq!(got["member"]["handle"], "carol");
    assert_eq!(got["conversation"], group.as_str());
    assert!(got.get("id").is_none(), "typing has no id: {got}");

    // Bob's first events are Ada's message, then her typing: nothing of Carol's.
    let first = next_ws(&mut bob_ws).await;
    assert_eq!(first["message"]["text"], "from ada", "{first}");
    let second = next_ws(&mut bob_ws).await;
    assert_eq!(second["type"], "typing", "{second}");
    assert_eq!(second["member"]["handle"], "ada");
    let (_, first) = bob_sse.next().await;
    assert_eq!(first["message"]["text"], "from ada", "{first}");

    // Dave, outside the group, first hears of his own conversation.
    let first = next_ws(&mut dave_ws).await;
    assert_eq!(first["message"]["text"], "to dave", "{first}");

    // Nor does Bob's resumed stream carry Carol's message.
    let mut resumed = websocket(addr, &bob, Some(&before)).await;
    let replayed = drain_ws(&mut resumed, Duration::from_millis(500)).await;
    assert_eq!(texts(&replayed), ["from ada"], "{replayed:?}");
    assert!(
        replayed.iter().all(|e| e["type"] != "typing"),
        "typing is not replayed"
    );
}

/// The id of the newest change, to resume after.
async fn next_id_of(app: &TestApp, _m: &Member) -> String {
    app.app.dispatcher().settle_all().await;
    app.app.store().last_event_seq().await.unwrap().to_string()
}

#[tokio::test]
async fn a_resumed_stream_carries_notifications_with_only_the_actors_the_member_may_see() {
    use entremise_domain::notification::{NotificationDraft, NotificationKind, NotificationObject};
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let addr = serve(&app).await;
    let id_of = |h: &str| {
        let app = &app;
        let h = h.to_owned();
        async move {
            let handle = entremise_domain::validate::Handle::parse(&h).unwrap();
            app.app
                .store()
                .profile_by_handle(&handle)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let (ada_id, bob_id, carol_id) = (id_of("ada").await, id_of("bob").await, id_of("carol").await);
    let r = app
        .call(Method::PUT, Some(&ada), "/api/v1/blocks/carol", json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    app.app.dispatcher().settle_all().await;
    let seq = app.app.store().last_event_seq().await.unwrap();
    let at = app.app.clock().now();
    let draft = |actor, object| NotificationDraft {
        recipient: ada_id,
        kind: NotificationKind::Follower,
        actor,
        object: Some(object),
        seq,
        at,
    };
    // Bob and Carol on one notification; Carol alone on another.
    app.app
        .store()
        .apply_notifications(
            &[
                draft(bob_id, NotificationObject::Profile(ada_id)),
                draft(carol_id, NotificationObject::Profile(ada_id)),
                draft(carol_id, NotificationObject::Profile(bob_id)),
            ],
            ("notifications", seq),
        )
        .await
        .unwrap();
    let mut ws = websocket(addr, &ada, Some(&(seq - 1).to_string())).await;
    let got = drain_ws(&mut ws, Duration::from_millis(500)).await;
    let notifications: Vec<&Value> = got.iter().filter(|e| e["type"] == "notification").collect();
    assert_eq!(notifications.len(), 1, "{got:?}");
    assert_eq!(notifications[0]["notification"]["actors"], json!(["bob"]));
    assert_eq!(notifications[0]["notification"]["kind"], "follower");
    assert!(notifications[0]["unread"].as_u64().unwrap() >= 1);
    let _ = (bob, carol);
}

#[tokio::test]
async fn a_stream_needs_a_signed_in_member() {
    let app = TestApp::new().await;
    let addr = serve(&app).await;
    let r = app
        .send(
            crate::support::Req::new(Method::GET, "/api/v1/stream")
                .header("accept", "text/event-stream"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(crate::support::code(&r), "unauthenticated");
    let req = format!("ws://{addr}/api/v1/stream")
        .into_client_request()
        .unwrap();
    match tokio_tungstenite::connect_async(req).await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED)
        }
        other => panic!("expected 401, got {other:?}"),
    }
    // Signed in, neither a WebSocket nor an event stream: 406.
    let ada = app.member("ada", "Ada Lovelace").await;
    let r = app.get_as(&ada, "/api/v1/stream").await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    let r = app.get_as(&ada, "/api/v1/stream?since=abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_stream_outlives_the_request_time_limit() {
    let app = TestApp::with_web_config(entremise_web::WebConfig {
        // Long enough for a sign-up's password hashing in a debug build.
        request_timeout: Duration::from_secs(3),
        ..crate::support::test_web_config()
    })
    .await;
    let (ada, bob, _) = app.cast().await;
    app.connect(&ada, &bob).await;
    let c = conversation(&app, &ada, &["bob"]).await;
    let addr = serve(&app).await;
    let mut ws = websocket(addr, &bob, None).await;
    let (_, mut sse) = Sse::open(addr, &bob, "").await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    say(&app, &ada, &c, "still there").await;
    assert_eq!(next_ws(&mut ws).await["message"]["text"], "still there");
    assert_eq!(sse.next().await.1["message"]["text"], "still there");
}

/// The next event of `kind` on the socket, others passed over.
async fn next_of(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let m = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on")
            .unwrap();
        if let Message::Text(t) = m {
            let e: Value = serde_json::from_str(&t).unwrap();
            if e["type"] == kind {
                return e;
            }
        }
    }
}

#[tokio::test]
async fn inbox_counts_reach_the_team_live_and_on_resume() {
    let app = TestApp::new().await;
    let (ada, bob, carol) = app.cast().await;
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/pages",
            json!({"kind": "organization", "handle": "acme", "name": "ACME"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .call(
            Method::PUT,
            Some(&ada),
            "/api/v1/pages/acme/managers/carol",
            json!({"role": "editor"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = app
        .post_json(
            Some(&ada),
            "/api/v1/posts",
            json!({"text": "Offre", "audience": "public", "as": "acme"}),
        )
        .await;
    let post = r.json()["id"].as_str().unwrap().to_owned();
    let addr = serve(&app).await;
    let mut carol_ws = websocket(addr, &carol, None).await;
    let mut bob_ws = websocket(addr, &bob, None).await;
    let r = app
        .post_json(
            Some(&bob),
            &format!("/api/v1/posts/{post}/comments"),
            json!({"text": "Une arnaque !"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.app.dispatcher().settle_all().await;
    let e = next_of(&mut carol_ws, "inbox").await;
    assert_eq!(
        (e["open"].as_u64(), e["hostile"].as_u64()),
        (Some(1), Some(1))
    );
    let id = e["id"].as_str().expect("an id to resume from").to_owned();
    assert!(
        drain_all(&mut bob_ws)
            .await
            .iter()
            .all(|e| e["type"] != "inbox"),
        "nothing of the page's inbox reaches an outsider"
    );

    // Answered as the page: the count falls, and a stream resuming from
    // before gets the counts as they are now.
    let comment = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .post_json(
            Some(&ada),
            &format!("/api/v1/posts/{post}/comments"),
            json!({"text": "Bonjour, parlons-en.", "parent": comment, "as": "acme"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.app.dispatcher().settle_all().await;
    let e = next_of(&mut carol_ws, "inbox").await;
    assert_eq!(e["open"], 0);
    let mut resumed = websocket(addr, &carol, Some(&id)).await;
    let e = next_of(&mut resumed, "inbox").await;
    assert_eq!(e["open"], 0);
}

/// Every event that comes within a short quiet time.
async fn drain_all(ws: &mut Ws) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    while let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_millis(300), ws.next()).await {
        if let Message::Text(t) = m {
            out.push(serde_json::from_str(&t).unwrap());
        }
    }
    out
}
