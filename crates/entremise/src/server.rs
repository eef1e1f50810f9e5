//! Builds the application from its parts and serves it.

use crate::config::{Config, Database};
use anyhow::{Context, bail};
use entremise_domain::Entremise;
use entremise_domain::clock::{Clock, SystemClock};
use entremise_domain::service::{DomainConfig, load_network};
use entremise_store_sqlite::SqliteStore;
use std::net::SocketAddr;
use std::sync::Arc;

/// Opens the store the configuration names.
pub fn open_store(config: &Config) -> anyhow::Result<Arc<SqliteStore>> {
    match &config.database {
        Database::Sqlite(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating data directory {}", dir.display()))?;
            }
            let store = SqliteStore::open(path)
                .map_err(|e| anyhow::anyhow!("opening SQLite store {}: {e}", path.display()))?;
            Ok(Arc::new(store))
        }
        Database::Postgres(_) => bail!(
            "the PostgreSQL store is not built yet: use the embedded SQLite store (the default) for now"
        ),
    }
}

/// The use cases over a store, with the contact network loaded from it.
pub async fn domain(
    store: Arc<SqliteStore>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<Entremise>> {
    domain_with(store, clock, DomainConfig::default()).await
}

/// [`domain`] with chosen limits.
pub async fn domain_with(
    store: Arc<SqliteStore>,
    clock: Arc<dyn Clock>,
    config: DomainConfig,
) -> anyhow::Result<Arc<Entremise>> {
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
    Ok(Arc::new(Entremise::new(
        store,
        clock,
        Arc::new(network),
        config,
    )))
}

pub fn web_config(config: &Config) -> entremise_web::WebConfig {
    entremise_web::WebConfig {
        public_url: config.public_url.clone(),
        max_body_bytes: config.max_body_bytes,
    }
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let store = open_store(&config)?;
    if demo {
        // Seeded through the store, then the network is loaded from it.
        let seeding = domain(store.clone(), Arc::new(SystemClock)).await?;
        crate::demo::seed_if_empty(&seeding, &config.data_dir).await?;
    }
    let app = domain(store.clone(), Arc::new(SystemClock)).await?;
    let router = entremise_web::router(app, web_config(&config))
        .layer(tower_http::trace::TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!(url = %config.public_url, data_dir = %config.data_dir.display(), database = ?config.database, "entremise is listening");
    eprintln!("entremise is ready at {}", config.public_url);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")?;
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
