//! `entremise stream bench`: the real-time stream measured on loopback.
//!
//! The server runs in this process on a fresh data directory (removed at
//! the end), on `127.0.0.1`. Two members, ada and bob, are contacts with a
//! conversation.
//!
//! 1. Fan-out: a child process (this binary, `stream bench-clients`) opens
//!    `--connections` WebSockets as bob, so that this process holds only
//!    the server's end of each; resident memory (`VmRSS` of
//!    /proc/self/status) is read before and after they are open, and one
//!    message is timed from its commit to its arrival on the last of them
//!    (wall clocks of both processes, same machine).
//! 2. Latency: ada posts `--messages` messages one after another (through
//!    the use case, as a request does); each is timed from its commit (the
//!    instant the store publishes its event on the node's bus, right after
//!    the commit) to its arrival on bob's WebSocket, read by a client task
//!    of this process.

use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use clap::{Args, Subcommand};
use entremise_domain::clock::SystemClock;
use entremise_domain::service::{DomainConfig, Viewer};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tower::ServiceExt as _;

#[derive(Args)]
pub struct StreamArgs {
    #[command(subcommand)]
    pub command: StreamCommand,
}

#[derive(Subcommand)]
pub enum StreamCommand {
    /// Time commit → WebSocket delivery, and memory and fan-out time of many open streams.
    Bench(BenchArgs),
    /// (Used by `bench`.) Open WebSockets and report when a message reached them all.
    #[command(hide = true)]
    BenchClients(ClientArgs),
}

#[derive(Args)]
pub struct BenchArgs {
    /// Messages timed from commit to WebSocket delivery.
    #[arg(long, default_value_t = 2_000)]
    pub messages: usize,
    /// WebSockets held open at once for the memory and fan-out figures.
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
}

#[derive(Args)]
pub struct ClientArgs {
    #[arg(long)]
    pub addr: SocketAddr,
    #[arg(long)]
    pub token: String,
    #[arg(long)]
    pub connections: usize,
    /// Streams opened before the first report.
    #[arg(long)]
    pub first: usize,
}

pub fn run(args: StreamArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.command {
        StreamCommand::Bench(args) => runtime.block_on(bench(args)),
        StreamCommand::BenchClients(args) => runtime.block_on(clients(args)),
    }
}

/// Resident memory of this process, in bytes.
fn rss() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .context("no VmRSS in /proc/self/status")?;
    Ok(kb * 1024)
}

/// Resident memory once it stops moving (what sign-up's password hashing
/// and the index's first commit freed has gone back): read every half
/// second until two readings 2 s apart differ by less than 1 MiB, 20 s at most.
async fn settled_rss() -> anyhow::Result<u64> {
    let started = Instant::now();
    let mut readings = vec![rss()?];
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        readings.push(rss()?);
        let n = readings.len();
        if n >= 5 && readings[n - 1].abs_diff(readings[n - 5]) < 1 << 20 {
            return Ok(readings[n - 1]);
        }
        if started.elapsed() > Duration::from_secs(20) {
            return Ok(readings[n - 1]);
        }
    }
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

/// One JSON call through the router (setting up the members).
async fn call(
    router: &axum::Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Value,
) -> anyhow::Result<Value> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body.to_string()))?)
        .await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
    if !status.is_success() {
        bail!("{uri}: {status} {}", String::from_utf8_lossy(&bytes));
    }
    if status == StatusCode::NO_CONTENT || bytes.is_empty() {
        return Ok(Value::Null);
    }
    Ok(serde_json::from_slice(&bytes)?)
}

async fn member(router: &axum::Router, handle: &str, name: &str) -> anyhow::Result<String> {
    let email = format!("{handle}@bench.invalid");
    let password = "stream bench password 1234";
    call(
        router,
        Method::POST,
        "/api/v1/accounts",
        None,
        json!({"email": email, "password": password, "handle": handle, "name": name}),
    )
    .await?;
    let session = call(
        router,
        Method::POST,
        "/api/v1/sessions",
        None,
        json!({"email": email, "password": password}),
    )
    .await?;
    Ok(session["token"].as_str().context("no token")?.to_owned())
}

async fn websocket(
    addr: SocketAddr,
    token: &str,
) -> anyhow::Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
> {
    let mut request = format!("ws://{addr}/api/v1/stream").into_client_request()?;
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn bench(args: BenchArgs) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("entremise-stream-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = bench_in(&args, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn bench_in(args: &BenchArgs, dir: &std::path::Path) -> anyhow::Result<()> {
    let store = Arc::new(entremise_store_sqlite::SqliteStore::open(
        &dir.join("entremise.db"),
    )?);
    let search = Arc::new(entremise_search::TantivyIndex::in_memory()?);
    let media = Arc::new(entremise_media::ObjectMediaStore::in_memory());
    let limits = DomainConfig {
        messages_per_minute: 1_000_000,
        streams_per_member: args.connections + 16,
        ..DomainConfig::default()
    };
    let app =
        entremise::server::domain_with(store.clone(), search, media, Arc::new(SystemClock), limits)
            .await?;
    let web = entremise_web::WebConfig {
        rate_limit_scale: 10_000.0,
        ..entremise_web::WebConfig::default()
    };
    let router = entremise_web::router(app.clone(), web);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let serving = router.clone();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            serving.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });

    let ada = member(&router, "ada", "Ada Lovelace").await?;
    let bob = member(&router, "bob", "Bob Marchand").await?;
    let request = call(
        &router,
        Method::POST,
        "/api/v1/contact-requests",
        Some(&ada),
        json!({"to": "bob", "email": "bob@bench.invalid"}),
    )
    .await?;
    let id = request["id"].as_str().context("no request id")?;
    call(
        &router,
        Method::POST,
        &format!("/api/v1/contact-requests/{id}/accept"),
        Some(&bob),
        json!({}),
    )
    .await?;
    let conversation = call(
        &router,
        Method::POST,
        "/api/v1/conversations",
        Some(&ada),
        json!({"with": ["bob"]}),
    )
    .await?;
    let conversation: i64 = conversation["id"]
        .as_str()
        .context("no conversation id")?
        .parse()?;
    let ada_viewer: Viewer = app
        .accounts()
        .authenticate(&ada)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    // When each event reached the bus: right after its commit.
    let published: Arc<Mutex<HashMap<i64, (Instant, u128)>>> = Arc::default();
    {
        let bus = entremise_domain::events::EventLog::bus(&*store).clone();
        let published = published.clone();
        let mut watch = bus.watch();
        let mut seen = *watch.borrow_and_update();
        // On a thread of its own, always idle, so that it notes each
        // publication when it happens, not when a busy runtime gets to it.
        let watcher = tokio::runtime::Builder::new_current_thread().build()?;
        std::thread::spawn(move || {
            watcher.block_on(async move {
                while watch.changed().await.is_ok() {
                    let seq = *watch.borrow_and_update();
                    let at = (Instant::now(), now_ns());
                    // One commit may publish several events at once.
                    let mut published = published.lock().unwrap_or_else(|e| e.into_inner());
                    for s in seen + 1..=seq {
                        published.insert(s, at);
                    }
                    seen = seq;
                }
            })
        });
    }
    let send = |text: String| {
        let app = app.clone();
        let viewer = ada_viewer.clone();
        async move {
            app.conversations()
                .send_message(&viewer, conversation, &text)
                .await
                .map_err(|e| anyhow::anyhow!("posting a message: {e}"))
        }
    };

    // 1. Many streams open at once, held by a child process: a tenth
    // first (which also lets the allocator hand back what the set-up
    // freed), memory read, then the rest, memory read again.
    let first = (args.connections / 10).max(1).min(args.connections);
    // The blocking threads that hashed the passwords end after 10 s idle,
    // giving back their memory: only then is resident memory steady.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let open_before = app.streams().hub().open();
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args([
            "stream",
            "bench-clients",
            "--addr",
            &addr.to_string(),
            "--token",
            &bob,
            "--connections",
            &args.connections.to_string(),
            "--first",
            &first.to_string(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().context("no child stdin")?;
    let mut lines = BufReader::new(child.stdout.take().context("no child stdout")?).lines();
    let opened_first = opened(&mut lines).await?;
    held_by_hub(&app, open_before + opened_first).await;
    let before = settled_rss().await?;
    let held_first = app.streams().hub().open() - open_before;
    tokio::io::AsyncWriteExt::write_all(&mut stdin, b"more\n").await?;
    let opened_all = opened(&mut lines).await?;
    held_by_hub(&app, open_before + opened_all).await;
    let after = settled_rss().await?;
    let held = app.streams().hub().open() - open_before;
    let per_connection =
        after.saturating_sub(before) as f64 / held.saturating_sub(held_first).max(1) as f64;
    println!(
        "{held} WebSockets open ({} asked): resident memory {:.1} MiB with {held_first} → {:.1} MiB with {held}, {:.1} KiB per connection (server side)",
        args.connections,
        before as f64 / 1048576.0,
        after as f64 / 1048576.0,
        per_connection / 1024.0
    );
    send("broadcast".into()).await?;
    let seq = entremise_domain::events::EventLog::last_event_seq(&*store)
        .await
        .map_err(|e| anyhow::anyhow!("reading the last event: {e}"))?;
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .context("the broadcast did not reach every stream within 60 s")??
        .context("the clients stopped")?;
    let (reached, last_ns) = line
        .strip_prefix("received ")
        .and_then(|r| r.split_once(' '))
        .context("unexpected answer from the clients")?;
    let reached: usize = reached.parse()?;
    let last_ns: u128 = last_ns.parse()?;
    let committed_ns = committed_at(&published, seq)
        .await
        .context("the broadcast was not seen on the bus")?
        .1;
    let fan_out_ms = last_ns.saturating_sub(committed_ns) as f64 / 1e6;
    println!("one message, commit → the last of {reached} WebSockets: {fan_out_ms:.1} ms");
    let _ = child.kill().await;
    let _ = child.wait().await;
    // 2. Commit → WebSocket, one message at a time.
    let mut ws = websocket(addr, &bob).await?;
    for _ in 0..20 {
        // Warm-up, not counted.
        send("warm-up".into()).await?;
        next_message(&mut ws).await?;
    }
    let mut latencies = Vec::with_capacity(args.messages);
    for i in 0..args.messages {
        send(format!("message {i}")).await?;
        let (seq, received) = next_message(&mut ws).await?;
        let committed = committed_at(&published, seq)
            .await
            .with_context(|| format!("event {seq} was not seen on the bus"))?
            .0;
        latencies.push(received.duration_since(committed).as_secs_f64() * 1e3);
    }
    drop(ws);
    latencies.sort_by(f64::total_cmp);
    let p50 = percentile(&latencies, 0.5);
    let p99 = percentile(&latencies, 0.99);
    let max = latencies.last().copied().unwrap_or(f64::NAN);
    println!(
        "commit → WebSocket: {} messages, median {p50:.3} ms, p99 {p99:.3} ms, max {max:.3} ms",
        latencies.len()
    );

    if let Some(path) = &args.json {
        let figures = json!({
            "messages": latencies.len(),
            "commit_to_websocket_ms": {"p50": p50, "p99": p99, "max": max},
            "connections": held,
            "rss_before_bytes": before,
            "rss_after_bytes": after,
            "bytes_per_connection": per_connection,
            "broadcast_reached": reached,
            "broadcast_ms": fan_out_ms,
        });
        std::fs::write(path, serde_json::to_vec_pretty(&figures)?)?;
    }
    Ok(())
}

/// When event `seq` was published (the watcher may note it a moment after
/// the client already received it).
async fn committed_at(
    published: &Mutex<HashMap<i64, (Instant, u128)>>,
    seq: i64,
) -> Option<(Instant, u128)> {
    for _ in 0..1_000 {
        if let Some(at) = published
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&seq)
        {
            return Some(*at);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

/// The number of streams the child says it opened.
async fn opened(
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) -> anyhow::Result<usize> {
    loop {
        let line = lines
            .next_line()
            .await?
            .context("the clients stopped before opening their streams")?;
        if let Some(n) = line.strip_prefix("open ") {
            return Ok(n.trim().parse()?);
        }
        eprintln!("{line}");
    }
}

/// Waits until the hub holds `n` streams (30 s at most).
async fn held_by_hub(app: &entremise_domain::Entremise, n: usize) {
    let started = Instant::now();
    while app.streams().hub().open() < n && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next `message` event: its event id (the change's seq) and when it came.
async fn next_message(ws: &mut Ws) -> anyhow::Result<(i64, Instant)> {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .context("no event within 10 s")?
            .context("the stream ended")??;
        let received = Instant::now();
        if let Message::Text(t) = m {
            let e: Value = serde_json::from_str(&t)?;
            if e["type"] == "message" {
                let id = e["id"].as_str().context("an event without id")?;
                let seq = id.split('.').next().unwrap_or(id).parse()?;
                return Ok((seq, received));
            }
        }
    }
}

/// The child: opens `--first` streams, says how many, waits for a line on
/// its input, opens the rest, says how many, then reports when a
/// `broadcast` message reached every one of them.
async fn clients(args: ClientArgs) -> anyhow::Result<()> {
    let mut sockets = Vec::with_capacity(args.connections);
    let first = args.first.min(args.connections);
    open_some(&args, first, &mut sockets).await;
    println!("open {}", sockets.len());
    let mut input = BufReader::new(tokio::io::stdin()).lines();
    input.next_line().await?;
    if sockets.len() == first {
        open_some(&args, args.connections - first, &mut sockets).await;
    }
    let n = sockets.len();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for mut ws in sockets {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Text(t) = m
                    && t.contains("\"text\":\"broadcast\"")
                {
                    let _ = tx.send(now_ns());
                }
            }
        });
    }
    drop(tx);
    println!("open {n}");
    let mut last = 0;
    let mut reached = 0;
    while reached < n {
        match rx.recv().await {
            Some(at) => {
                last = last.max(at);
                reached += 1;
            }
            None => break,
        }
    }
    println!("received {reached} {last}");
    // Held open until the bench ends this process.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    Ok(())
}

/// Opens `n` more streams, a few handshakes at a time; stops at the first
/// failure (such as the open files limit), saying so.
async fn open_some(args: &ClientArgs, n: usize, sockets: &mut Vec<Ws>) {
    let mut pending = futures_util::stream::iter(0..n)
        .map(|_| websocket(args.addr, &args.token))
        .buffer_unordered(64);
    while let Some(ws) = pending.next().await {
        match ws {
            Ok(ws) => sockets.push(ws),
            Err(e) => {
                println!(
                    "stopped at {} connections: {e} (open files limit: {})",
                    sockets.len(),
                    std::fs::read_to_string("/proc/self/limits")
                        .ok()
                        .and_then(|l| l
                            .lines()
                            .find(|l| l.starts_with("Max open files"))
                            .map(str::to_owned))
                        .unwrap_or_default()
                );
                return;
            }
        }
    }
}
