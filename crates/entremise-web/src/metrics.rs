//! `GET /metrics`: the node's figures in the Prometheus text format
//! (version 0.0.4), for a Prometheus server to scrape.
//!
//! - HTTP: every request counted and timed (up to its answer's head) by
//!   route template (axum's `MatchedPath`, never the path asked, so the
//!   series are bounded by the router), method and status class
//!   ([`track`], the outermost layer of the router).
//! - The store's operations, by name and kind (the store measures them:
//!   [`entremise_domain::timings`]); the contact network's size; each
//!   projection's lag behind the last committed change event; the open
//!   real-time streams. These are read from the domain at each scrape
//!   ([`entremise_domain::service::Monitoring::figures`]) and turned into
//!   metric families in one place, [`figures_into`].
//!
//! Who may read them: with a metrics token configured, a request carrying
//! it as `Authorization: Bearer` (401 otherwise); without one, a client on
//! this machine only (loopback, as [`crate::client`] reads the client's
//! address behind trusted proxies; 403 otherwise).

use crate::auth::bearer_token;
use crate::client;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use entremise_domain::service::Figures;
use entremise_domain::timings::OpTiming;
use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

/// Where the metrics are answered.
pub const PATH: &str = "/metrics";

/// The upper bounds, in seconds, of the HTTP latency buckets.
const HTTP_BOUNDS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The secret that opens `/metrics` to a scraper that is not on this
/// machine; never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    fn opens(&self, presented: &str) -> bool {
        crate::security::same_secret(presented, &self.0)
    }
}

impl fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The labels of an HTTP request's series.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    /// The route template (`/api/v1/profiles/{handle}`), or `unmatched`.
    route: String,
    method: &'static str,
    /// `2xx`, `4xx`…
    status: &'static str,
}

fn http_histogram() -> Histogram {
    Histogram::new(HTTP_BOUNDS)
}

/// The HTTP requests answered since the node started.
#[derive(Debug)]
pub struct HttpMetrics {
    requests: Family<HttpLabels, Counter>,
    durations: Family<HttpLabels, Histogram, fn() -> Histogram>,
}

impl Default for HttpMetrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            durations: Family::new_with_constructor(http_histogram),
        }
    }
}

/// A method as a label: the methods the router serves, any other as
/// `other` (a client may send any word).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Counts and times every request, by its route's template. The outermost
/// layer, so that the answers of the other layers (a time limit's 503, a
/// panic's 500, a cross-site write's 403) are counted too.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(request.method());
    let response = next.run(request).await;
    let labels = HttpLabels {
        route,
        method,
        status: status_class(response.status()),
    };
    let http = &state.http_metrics;
    http.requests.get_or_create(&labels).inc();
    http.durations
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}

/// The node's metrics, in the Prometheus text format.
///
/// Version 0.0.4 of the format. HTTP requests by route template, method
/// and status class (`entremise_http_requests_total`,
/// `entremise_http_request_duration_seconds`); the store's operations
/// (`entremise_store_operation_duration_seconds`,
/// `entremise_store_operation_failures_total`, by `op` and `kind`); the
/// contact network (`entremise_network_members`,
/// `entremise_network_contacts`); the change events
/// (`entremise_events_last_seq`, and by `projection`:
/// `entremise_projection_lag_events`, `entremise_projection_failing`,
/// `entremise_projection_failures_total`); the real-time streams
/// (`entremise_streams_open`, `entremise_streams_closed_slow_total`).
///
/// With a metrics token configured (`metrics_token`), only a request that
/// carries it as `Authorization: Bearer` is answered; without one, only a
/// client on the server's own machine (loopback; behind a trusted proxy,
/// the address it forwards for).
#[utoipa::path(get, path = "/metrics", tag = "instance",
    responses(
        (status = 200, description = "The metrics, in the Prometheus text format (version 0.0.4)", content_type = "text/plain", body = String),
        (status = 401, description = "`unauthenticated`: a metrics token is configured, and the request does not carry it as `Authorization: Bearer`", body = ErrorBody),
        (status = 403, description = "`forbidden`: no metrics token is configured, and the client is not on the server's own machine (loopback)", body = ErrorBody),
    ))]
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    if let Some(refused) = refusal(&state, &headers, &extensions) {
        return refused;
    }
    let figures = state.app.monitoring().figures().await;
    let mut registry = Registry::with_prefix("entremise");
    http_into(&mut registry, &state.http_metrics);
    figures_into(&mut registry, figures);
    let mut text = String::new();
    if let Err(e) = prometheus_client::encoding::prometheus_text::encode(&mut text, &registry) {
        let cause = format!("encoding the metrics: {e}");
        return ApiError::Domain(entremise_domain::Error::internal(cause)).into_response();
    }
    let mut response = text.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(prometheus_client::encoding::prometheus_text::CONTENT_TYPE),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The answer to a request that may not read the metrics (`None`: it may).
fn refusal(state: &AppState, headers: &HeaderMap, extensions: &Extensions) -> Option<Response> {
    if let Some(token) = &state.config.metrics_token {
        if bearer_token(headers).is_some_and(|presented| token.opens(presented)) {
            return None;
        }
        let mut refused = ApiError::Http {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthenticated",
            message: "The metrics need the metrics token, as Authorization: Bearer.".into(),
        }
        .into_response();
        refused
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Some(refused);
    }
    let client = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|peer| client::client_ip(peer.0.ip(), headers, &state.config.trusted_proxies));
    if client.is_some_and(|ip| ip.is_loopback()) {
        return None;
    }
    Some(
        ApiError::Http {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            message: "Without a metrics token configured, the metrics are answered on the \
                  server's own machine only."
                .into(),
        }
        .into_response(),
    )
}

fn http_into(registry: &mut Registry, http: &HttpMetrics) {
    registry.register(
        "http_requests",
        "HTTP requests answered, by route template, method and status class",
        http.requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer an HTTP request (up to the answer's head), by route template, method and status class",
        http.durations.clone(),
    );
}

/// A label set of one label, for the families built at each scrape.
type One = [(&'static str, &'static str); 1];

fn gauge(value: impl TryInto<i64>) -> Gauge {
    let gauge = Gauge::default();
    gauge.set(value.try_into().unwrap_or(i64::MAX));
    gauge
}

fn counter(value: u64) -> Counter {
    let counter = Counter::default();
    counter.inc_by(value);
    counter
}

/// The domain's figures as metric families: the one place where a new
/// figure becomes a metric.
fn figures_into(registry: &mut Registry, figures: Figures) {
    registry.register(
        "store_operation_failures",
        "Store operations that failed inside the store (an SQL error, a full disk), by operation and kind",
        StoreFailures(figures.store_operations.clone()),
    );
    registry.register(
        "store_operation_duration_seconds",
        "Time a store operation took, as its caller waited for it, by operation and kind (read or write)",
        StoreLatencies(figures.store_operations),
    );
    registry.register(
        "network_members",
        "Persons in the in-memory contact network",
        gauge(figures.members),
    );
    registry.register(
        "network_contacts",
        "Contacts between the persons of the in-memory contact network",
        gauge(figures.contacts),
    );
    registry.register(
        "events_last_seq",
        "The sequence number of the last change event committed",
        gauge(figures.last_event),
    );
    let lag = Family::<One, Gauge>::default();
    let failing = Family::<One, Gauge>::default();
    let failures = Family::<One, Counter>::default();
    for p in &figures.projections {
        let labels = [("projection", p.name)];
        lag.get_or_create(&labels).set(p.lag);
        failing.get_or_create(&labels).set(i64::from(p.failing));
        failures.get_or_create(&labels).inc_by(p.failures);
    }
    registry.register(
        "projection_lag_events",
        "Change events committed that a projection has not applied yet",
        lag,
    );
    registry.register(
        "projection_failing",
        "1 while a projection's last attempt failed (it is retried), else 0",
        failing,
    );
    registry.register(
        "projection_failures",
        "Failed attempts of a projection since the node started",
        failures,
    );
    registry.register(
        "streams_open",
        "Real-time streams open on this node",
        gauge(figures.open_streams),
    );
    registry.register(
        "streams_closed_slow",
        "Real-time streams closed because their client did not keep up",
        counter(figures.streams_closed_slow),
    );
    let open = Family::<Vec<(&'static str, String)>, Gauge>::default();
    let oldest = Family::<Vec<(&'static str, String)>, Gauge>::default();
    for (queue, n, age) in figures.queues {
        let labels = vec![("queue", queue)];
        open.get_or_create(&labels)
            .set(i64::try_from(n).unwrap_or(i64::MAX));
        oldest.get_or_create(&labels).set(age);
    }
    registry.register(
        "moderation_queue_open_reports",
        "Open reports in each moderation queue (instance, page:<id>, group:<id>)",
        open,
    );
    registry.register(
        "moderation_queue_oldest_age_seconds",
        "Age of the oldest open report in each moderation queue",
        oldest,
    );
}

/// The store's latency histograms, as the store measured them.
#[derive(Debug)]
struct StoreLatencies(Vec<OpTiming>);

impl EncodeMetric for StoreLatencies {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), fmt::Error> {
        for t in &self.0 {
            let labels = [("op", t.op), ("kind", t.kind.as_str())];
            encoder
                .encode_family(&labels)?
                .encode_histogram::<NoLabelSet>(t.seconds, t.count, &t.buckets, None)?;
        }
        Ok(())
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

/// The store's failed operations.
#[derive(Debug)]
struct StoreFailures(Vec<OpTiming>);

impl EncodeMetric for StoreFailures {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), fmt::Error> {
        for t in &self.0 {
            let labels = [("op", t.op), ("kind", t.kind.as_str())];
            encoder
                .encode_family(&labels)?
                .encode_counter::<NoLabelSet, _, u64>(&t.failures, None)?;
        }
        Ok(())
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Counter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_and_statuses_make_few_labels() {
        assert_eq!(method_label(&Method::GET), "GET");
        let odd = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&odd), "other");
        assert_eq!(status_class(StatusCode::SWITCHING_PROTOCOLS), "1xx");
        assert_eq!(status_class(StatusCode::NO_CONTENT), "2xx");
        assert_eq!(status_class(StatusCode::SEE_OTHER), "3xx");
        assert_eq!(status_class(StatusCode::TOO_MANY_REQUESTS), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
    }

    #[test]
    fn the_token_is_never_shown() {
        let token = MetricsToken::new("s3cret-s3cret-s3cret");
        assert_eq!(format!("{token:?}"), "[redacted]");
        assert!(token.opens("s3cret-s3cret-s3cret"));
        assert!(!token.opens("s3cret"));
        assert!(!MetricsToken::new("").opens(""));
    }
}
