//! Builds the application from its parts and serves it.

use crate::config::{Config, Database, MailConfig};
use anyhow::{Context, bail};
use entremise_domain::Entremise;
use entremise_domain::clock::{Clock, SystemClock};
use entremise_domain::mail::Mailer;
use entremise_domain::mail::digest::{DigestLinks, DigestSource};
use entremise_domain::media::MediaStore;
use entremise_domain::search::SearchIndex;
use entremise_domain::service::{
    DomainConfig, load_network, load_timelines, rebuild_post_index, rebuild_search_index,
};
use entremise_domain::store::Store;
use entremise_mail::{FileMailer, SmtpMailer};
use entremise_media::ObjectMediaStore;
use entremise_search::TantivyIndex;
use entremise_store_sqlite::SqliteStore;
use std::net::SocketAddr;
use std::sync::Arc;

/// A line on standard error for whoever started the server. Unlike
/// `eprintln!`, a failed write (the disk holding the log is full) is
/// ignored rather than a panic.
fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Opens the store the configuration names.
pub fn open_store(config: &Config) -> anyhow::Result<Arc<SqliteStore>> {
    match &config.database {
        Database::Sqlite(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating data directory {}", dir.display()))?;
            }
            let store = SqliteStore::open_with(path, config.durability)
                .map_err(|e| anyhow::anyhow!("opening SQLite store {}: {e}", path.display()))?;
            Ok(Arc::new(store))
        }
        Database::Postgres(_) => bail!(
            "the PostgreSQL store is not built yet: use the embedded SQLite store (the default) for now"
        ),
    }
}

/// Where the search index lives in the data directory.
pub fn search_dir(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("search")
}

/// Opens the search indexes in the data directory (profiles, and posts
/// beside them) and makes sure they hold what the store holds: a missing,
/// corrupt or outdated index, or one that does not count as many profiles
/// or posts as the store (an import, a crash between the two writes), is
/// rebuilt from the store, with progress.
pub async fn open_search(
    config: &Config,
    store: &dyn Store,
) -> anyhow::Result<Arc<dyn SearchIndex>> {
    let dir = search_dir(config);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating search index directory {}", dir.display()))?;
    let (index, fresh) = TantivyIndex::open(&dir)
        .map_err(|e| anyhow::anyhow!("opening the search index in {}: {e}", dir.display()))?;
    let posts_fresh = index.posts_need_rebuild();
    let index: Arc<dyn SearchIndex> = Arc::new(index);
    let held = index.count().map_err(|e| anyhow::anyhow!("{e}"))?;
    let stored = store
        .count_profiles()
        .await
        .map_err(|e| anyhow::anyhow!("counting profiles: {e}"))?;
    if fresh || held != stored {
        tracing::info!(
            held,
            stored,
            "the search index is missing or out of step with the store: rebuilding it"
        );
        rebuild_profiles(store, index.clone()).await?;
    }
    let held = index.posts().count().map_err(|e| anyhow::anyhow!("{e}"))?;
    let stored = store
        .count_posts()
        .await
        .map_err(|e| anyhow::anyhow!("counting posts: {e}"))?;
    if posts_fresh || held != stored {
        tracing::info!(
            held,
            stored,
            "the post index is missing or out of step with the store: rebuilding it"
        );
        rebuild_posts(store, index.clone()).await?;
    }
    Ok(index)
}

/// Rebuilds the search indexes (profiles, then posts) from the store,
/// reporting progress; answers the profiles and posts indexed.
pub async fn rebuild_search(
    store: &dyn Store,
    index: Arc<dyn SearchIndex>,
) -> anyhow::Result<(u64, u64)> {
    let profiles = rebuild_profiles(store, index.clone()).await?;
    let posts = rebuild_posts(store, index).await?;
    Ok((profiles, posts))
}

async fn rebuild_profiles(store: &dyn Store, index: Arc<dyn SearchIndex>) -> anyhow::Result<u64> {
    let started = std::time::Instant::now();
    let mut last_report = std::time::Instant::now();
    let total = store.count_profiles().await.unwrap_or(0);
    let done = rebuild_search_index(store, index, |done| {
        if last_report.elapsed().as_secs() >= 1 {
            tracing::info!(done, total, "indexing profiles for search");
            say(format_args!(
                "indexing profiles for search: {done} / {total}"
            ));
            last_report = std::time::Instant::now();
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("rebuilding the search index: {e}"))?;
    tracing::info!(
        profiles = done,
        seconds = started.elapsed().as_secs_f64(),
        "search index rebuilt"
    );
    Ok(done)
}

async fn rebuild_posts(store: &dyn Store, index: Arc<dyn SearchIndex>) -> anyhow::Result<u64> {
    let started = std::time::Instant::now();
    let mut last_report = std::time::Instant::now();
    let total = store.count_posts().await.unwrap_or(0);
    let done = rebuild_post_index(store, index, |done| {
        if last_report.elapsed().as_secs() >= 1 {
            tracing::info!(done, total, "indexing posts for search");
            say(format_args!("indexing posts for search: {done} / {total}"));
            last_report = std::time::Instant::now();
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("rebuilding the post index: {e}"))?;
    tracing::info!(
        posts = done,
        seconds = started.elapsed().as_secs_f64(),
        "post index rebuilt"
    );
    Ok(done)
}

/// The use cases over a store and a search index, with the contact network
/// loaded from the store.
pub async fn domain(
    store: Arc<SqliteStore>,
    search: Arc<dyn SearchIndex>,
    media: Arc<dyn MediaStore>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<Entremise>> {
    domain_with(store, search, media, clock, DomainConfig::default()).await
}

/// [`domain`] with chosen limits.
pub async fn domain_with(
    store: Arc<SqliteStore>,
    search: Arc<dyn SearchIndex>,
    media: Arc<dyn MediaStore>,
    clock: Arc<dyn Clock>,
    config: DomainConfig,
) -> anyhow::Result<Arc<Entremise>> {
    // Events committed from here on are applied to what is loaded next;
    // applying one the load already saw changes nothing.
    let loaded_at = entremise_domain::events::EventLog::last_event_seq(&*store)
        .await
        .map_err(|e| anyhow::anyhow!("reading the outbox: {e}"))?;
    let started = std::time::Instant::now();
    let mut last_report = std::time::Instant::now();
    let network = load_network(&*store, |loaded| {
        if last_report.elapsed().as_secs() >= 1 {
            tracing::info!(contacts = loaded, "loading the contact network");
            last_report = std::time::Instant::now();
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("loading the contact network: {e}"))?;
    tracing::info!(
        members = network.member_count(),
        contacts = network.contact_count(),
        seconds = started.elapsed().as_secs_f64(),
        "contact network loaded"
    );
    let started = std::time::Instant::now();
    let mut last_report = std::time::Instant::now();
    let timelines = load_timelines(&*store, |loaded| {
        if last_report.elapsed().as_secs() >= 1 {
            tracing::info!(posts = loaded, "loading the feed's post keys");
            last_report = std::time::Instant::now();
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("loading the feed's post keys: {e}"))?;
    let (posts, authors) = timelines.len();
    tracing::info!(
        posts,
        authors,
        mib = timelines.heap_bytes() as f64 / (1024.0 * 1024.0),
        seconds = started.elapsed().as_secs_f64(),
        "feed's post keys loaded"
    );
    Ok(Arc::new(Entremise::new(
        store,
        search,
        media,
        clock,
        entremise_domain::service::Loaded {
            network: Arc::new(network),
            timelines: Arc::new(timelines),
            at: loaded_at,
        },
        config,
    )))
}

pub fn web_config(config: &Config) -> entremise_web::WebConfig {
    entremise_web::WebConfig {
        public_url: config.public_url.clone(),
        max_body_bytes: config.max_body_bytes,
        trusted_proxies: config.trusted_proxies.clone(),
        body_read_timeout: config.body_read_timeout,
        request_timeout: config.request_timeout,
        upload_timeout: config.upload_timeout,
        max_concurrent_uploads: config.max_concurrent_uploads,
        rate_limit_scale: config.rate_limit_scale,
        metrics_token: config
            .metrics_token
            .as_ref()
            .map(|token| entremise_web::MetricsToken::new(token.0.clone())),
        ..entremise_web::WebConfig::default()
    }
}

/// Where uploaded images live: `DATA_DIR/media`.
pub fn open_media(config: &Config) -> anyhow::Result<Arc<dyn MediaStore>> {
    let dir = config.data_dir.join("media");
    let store = ObjectMediaStore::local(&dir)
        .map_err(|e| anyhow::anyhow!("opening the media directory {}: {e}", dir.display()))?;
    Ok(Arc::new(store))
}

/// The mailer the configuration names: the SMTP relay, or `.eml` files in
/// `DATA_DIR/mail` (the embedded default). Says which in the log.
pub fn open_mailer(config: &Config) -> anyhow::Result<Arc<dyn Mailer>> {
    match &config.mail {
        MailConfig::Files { dir, from } => {
            let mailer = FileMailer::new(dir, from).map_err(|e| {
                anyhow::anyhow!("opening the mail directory {}: {e}", dir.display())
            })?;
            tracing::info!(
                dir = %dir.display(),
                "no SMTP relay configured: mail is written as .eml files"
            );
            Ok(Arc::new(mailer))
        }
        MailConfig::Smtp(settings) => {
            let mailer = SmtpMailer::new(settings)
                .map_err(|e| anyhow::anyhow!("the SMTP settings: {e:?}"))?;
            tracing::info!(relay = mailer.relay(), "mail goes through an SMTP relay");
            Ok(Arc::new(mailer))
        }
    }
}

/// The links digests carry, from the public URL.
pub fn digest_links(config: &Config) -> DigestLinks {
    DigestLinks::new(
        config.public_url.as_str(),
        config.public_url.host_str().unwrap_or("localhost"),
    )
}

/// Every `every` (and once at start), sends the digests that are due
/// from `source` through `mailer`. Which digests are due, and what they
/// last reported, is stored: a restart repeats none and skips none.
pub async fn send_digests_every(
    app: Arc<Entremise>,
    source: Arc<dyn DigestSource>,
    mailer: Arc<dyn Mailer>,
    links: DigestLinks,
    every: std::time::Duration,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match app
            .mail()
            .send_due_digests(&*source, &*mailer, &links)
            .await
        {
            Ok(run) => {
                if run.sent + run.empty > 0 {
                    tracing::info!(sent = run.sent, empty = run.empty, "digests");
                }
                for (account, error) in &run.failed {
                    tracing::warn!(%account, %error, "digest not sent: tried again at the next run");
                }
            }
            Err(e) => tracing::warn!(error = %e, "sending the digests due"),
        }
    }
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let store = open_store(&config)?;
    let search = open_search(&config, &*store).await?;
    let media = open_media(&config)?;
    // Opened at start so that a wrong mail setting stops the server now.
    let mailer = open_mailer(&config)?;
    if demo {
        // Seeded through the store, then the network is loaded from it.
        let seeding = domain(
            store.clone(),
            search.clone(),
            media.clone(),
            Arc::new(SystemClock),
        )
        .await?;
        if crate::demo::seed_if_empty(&seeding, &config.data_dir).await? {
            // The bulk part of the seed went around the index.
            rebuild_search(&*store, search.clone()).await?;
        }
    }
    let limits = DomainConfig::default().scaled(config.rate_limit_scale);
    let app = domain_with(store.clone(), search, media, Arc::new(SystemClock), limits).await?;
    tokio::spawn(collect_unattached_media(app.clone()));
    tokio::spawn(compact_events(app.clone()));
    tokio::spawn(send_digests_every(
        app.clone(),
        entremise_web::digest_source(app.clone(), config.public_url.as_str()),
        mailer,
        digest_links(&config),
        std::time::Duration::from_secs(600),
    ));
    tokio::spawn(flush_visits_every_second(app.clone()));
    let flush_at_exit = app.clone();
    let router = entremise_web::router(app, web_config(&config))
        .layer(tower_http::trace::TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!(url = %config.public_url, data_dir = %config.data_dir.display(), database = ?config.database, "entremise is listening");
    say(format_args!("entremise is ready at {}", config.public_url));
    let limits = ConnectionLimits {
        header_read_timeout: config.header_read_timeout,
        shutdown_timeout: config.shutdown_timeout,
    };
    let served = serve_http(listener, router, limits, shutdown_signal()).await;
    if let Err(e) = flush_at_exit.visits().flush().await {
        tracing::warn!(error = %e, "visits and post views not written at exit");
    }
    served
}

/// Writes the visits and post views that reads recorded (reads never write
/// themselves: a full disk must not turn a page into an error).
async fn flush_visits_every_second(app: Arc<Entremise>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        every.tick().await;
        match app.visits().flush().await {
            Ok((_, dropped)) => {
                if failing {
                    tracing::info!("visits and post views are written again");
                    failing = false;
                }
                if dropped > 0 {
                    tracing::warn!(dropped, "visits and post views left out: too many waiting");
                }
            }
            Err(e) if !failing => {
                tracing::warn!(error = %e, "visits and post views kept in memory: cannot write them");
                failing = true;
            }
            Err(_) => {}
        }
    }
}

/// Every hour (and once at start), removes the uploads no post took.
async fn collect_unattached_media(app: Arc<Entremise>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match app.posts().collect_unattached_media().await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "uploads no post took removed"),
            Err(e) => tracing::warn!(error = %e, "collecting uploads no post took"),
        }
    }
}

/// Compacts the outbox every hour: events older than a week that every
/// projection has applied.
async fn compact_events(app: Arc<Entremise>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match app.compact_events().await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "old change events compacted"),
            Err(e) => tracing::warn!(error = %e, "compacting change events"),
        }
    }
}

/// Time limits of the connections themselves.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// A client must have sent a request's headers within this time.
    pub header_read_timeout: std::time::Duration,
    /// After `shutdown`, how long open requests may finish.
    pub shutdown_timeout: std::time::Duration,
}

/// Serves `router` on `listener` until `shutdown`, then lets open
/// connections finish for at most `limits.shutdown_timeout`.
pub async fn serve_http(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.as_mut() => break,
        };
        let service = router.clone().map_request(
            move |request: axum::http::Request<hyper::body::Incoming>| {
                let mut request = request.map(axum::body::Body::new);
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo::<SocketAddr>(peer));
                request
            },
        );
        let service = hyper_util::service::TowerToHyperService::new(service);
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_timeout) => tracing::warn!(
            seconds = limits.shutdown_timeout.as_secs(),
            "requests still open after the shutdown deadline: exiting"
        ),
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    #[tokio::test]
    async fn slow_headers_are_cut_off_and_shutdown_has_a_deadline() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = axum::Router::new()
            .route("/", axum::routing::get(|| async { "ok" }))
            .route(
                "/forever",
                axum::routing::get(std::future::pending::<&'static str>),
            );
        let limits = ConnectionLimits {
            header_read_timeout: Duration::from_millis(200),
            shutdown_timeout: Duration::from_millis(300),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_http(listener, router, limits, async {
            let _ = stopped.await;
        }));

        // A complete request is answered.
        let mut ok = tokio::net::TcpStream::connect(addr).await.unwrap();
        ok.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        ok.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

        // Headers that never end: the connection is closed.
        let started = Instant::now();
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let mut rest = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest))
            .await
            .expect("the slow client is cut off")
            .ok();
        assert!(started.elapsed() < Duration::from_secs(5));

        // A request that never ends does not hold the shutdown forever.
        let mut hung = tokio::net::TcpStream::connect(addr).await.unwrap();
        hung.write_all(b"GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the server stops by its deadline")
            .unwrap()
            .unwrap();
    }
}
