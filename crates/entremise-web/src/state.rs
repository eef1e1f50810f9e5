//! Shared state of the web layer.

use crate::i18n::Catalog;
use entremise_domain::Entremise;
use std::sync::Arc;
use std::time::Duration;

/// The web section of the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Where members reach the server (`http://127.0.0.1:8080`). When it is
    /// https, cookies are `Secure` and `__Host-`-prefixed.
    pub public_url: url::Url,
    /// Request bodies above this are refused with 413.
    pub max_body_bytes: usize,
    /// Bodies of image uploads (one image through the API; the composer
    /// page carries up to ten) are bounded by this per image.
    pub max_upload_bytes: usize,
    /// Proxies (such as a TLS terminator) whose `X-Forwarded-For` or
    /// `Forwarded` header names the client; empty, the socket peer is the
    /// client and those headers are ignored.
    pub trusted_proxies: Vec<crate::IpNet>,
    /// Bodies with images (a composer's, up to ten images, or one upload
    /// through the API) read at once; beyond, 503.
    pub max_concurrent_uploads: usize,
    /// Longest wait between two chunks of a request body; then 408.
    pub body_read_timeout: Duration,
    /// Longest time to answer a request (up to its response's head); then 503.
    pub request_timeout: Duration,
    /// [`Self::request_timeout`] of image uploads.
    pub upload_timeout: Duration,
    /// Multiplies every allowance of [`crate::limits::RateLimits`]: 1 in
    /// production; a load test raises it.
    pub rate_limit_scale: f64,
    /// The token a scraper presents (`Authorization: Bearer`) to read
    /// `/metrics`; without one, the metrics are answered on loopback only.
    pub metrics_token: Option<crate::MetricsToken>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            public_url: url::Url::parse("http://127.0.0.1:8080").expect("static URL"),
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 10 * 1024 * 1024 + 64 * 1024,
            trusted_proxies: Vec::new(),
            max_concurrent_uploads: 4,
            body_read_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(300),
            rate_limit_scale: 1.0,
            metrics_token: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: Arc<Entremise>,
    pub config: Arc<WebConfig>,
    pub catalog: Arc<Catalog>,
    pub cookies: Arc<CookieNames>,
    /// Permits to read a body with images (see `WebConfig::max_concurrent_uploads`).
    pub composer_bodies: Arc<tokio::sync::Semaphore>,
    /// Token buckets of every rate-limited route.
    pub limits: Arc<crate::limits::RateLimits>,
    /// The requests answered, for `/metrics`.
    pub http_metrics: Arc<crate::metrics::HttpMetrics>,
}

/// Cookie names and flags, derived once from the public URL.
#[derive(Debug)]
pub struct CookieNames {
    pub secure: bool,
    pub session: &'static str,
    pub csrf: &'static str,
    pub lang: &'static str,
}

impl AppState {
    pub fn new(app: Arc<Entremise>, config: WebConfig) -> Self {
        let secure = config.public_url.scheme() == "https";
        let cookies = if secure {
            CookieNames {
                secure,
                session: "__Host-entremise_session",
                csrf: "__Host-entremise_csrf",
                lang: "__Host-entremise_lang",
            }
        } else {
            CookieNames {
                secure,
                session: "entremise_session",
                csrf: "entremise_csrf",
                lang: "entremise_lang",
            }
        };
        Self {
            app,
            limits: Arc::new(crate::limits::RateLimits::new(config.rate_limit_scale)),
            composer_bodies: Arc::new(tokio::sync::Semaphore::new(
                config.max_concurrent_uploads.max(1),
            )),
            config: Arc::new(config),
            catalog: Arc::new(Catalog::load()),
            cookies: Arc::new(cookies),
            http_metrics: Arc::default(),
        }
    }
}
