//! What an operator watches: whether the parts the server needs answer
//! (the health check), and the figures of the node (the metrics endpoint).
//! Nothing here is about a member, and nothing is shown to members.

use super::core::Core;
use super::{Streams, blocking};
use crate::error::Result;
use crate::privacy::Lens;
use crate::search::{PostQuery, PostScope, SearchQuery, SearchScope};
use crate::timings::OpTiming;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How long each part of the health check may take before it counts as
/// failing.
pub const CHECK_WAIT: Duration = Duration::from_secs(2);

/// The word the health check looks for in the search indexes: a real
/// query, which finds nothing.
const PROBE_WORD: &str = "entremisehealthprobe";

/// Whether a part answered its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Ok,
    Failing,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failing => "failing",
        }
    }
}

/// What the health check found of each part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    /// A read of the store (the outbox's oldest event).
    pub store: Check,
    /// A query of the profile index and of the post index.
    pub index: Check,
}

impl Health {
    pub fn is_ok(&self) -> bool {
        self.parts().iter().all(|(_, check)| *check == Check::Ok)
    }

    /// Each part by its name, as the health check's answer names them.
    pub fn parts(&self) -> [(&'static str, Check); 2] {
        [("store", self.store), ("index", self.index)]
    }
}

/// One projection of the change events, as the dispatcher sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectionFigures {
    pub name: &'static str,
    /// The last event it applied.
    pub applied: i64,
    /// Events committed that it has not applied yet.
    pub lag: i64,
    /// Whether its last attempt failed.
    pub failing: bool,
    /// Failed attempts since the node started.
    pub failures: u64,
}

/// The node's figures at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Persons in the in-memory contact network.
    pub members: usize,
    /// Contacts between them.
    pub contacts: usize,
    /// The last change event committed (its `seq`).
    pub last_event: i64,
    pub projections: Vec<ProjectionFigures>,
    /// Real-time streams open on this node.
    pub open_streams: usize,
    /// Streams closed so far because their client did not keep up.
    pub streams_closed_slow: u64,
    /// The store's operations and their latencies (empty when the store
    /// does not measure them).
    pub store_operations: Vec<OpTiming>,
    /// Each moderation queue with open reports: its name (`instance`,
    /// `page:<id>`, `group:<id>`), how many, and the oldest one's age in
    /// seconds.
    pub queues: Vec<(String, u64, i64)>,
}

/// The health check and the node's figures.
#[derive(Clone)]
pub struct Monitoring {
    core: Arc<Core>,
    /// Open streams are counted by the streams' hub.
    streams: Streams,
}

impl Monitoring {
    pub(crate) fn new(core: Arc<Core>, streams: Streams) -> Self {
        Self { core, streams }
    }

    /// Asks the store and the search indexes, at once, each for
    /// [`CHECK_WAIT`] at most. A part that fails or does not answer in time
    /// is `Failing`, and its cause is logged (never returned).
    pub async fn health(&self) -> Health {
        let (store, index) = tokio::join!(
            checked("store", self.core.store.first_event_seq()),
            checked("index", self.query_indexes()),
        );
        Health { store, index }
    }

    /// A query of each index, as an anonymous viewer, off the async workers.
    async fn query_indexes(&self) -> Result<()> {
        let index = self.core.index.clone();
        let network = self.core.network.clone();
        let now = self.core.clock.now();
        blocking(move || {
            let query = SearchQuery {
                text: PROBE_WORD.to_owned(),
                limit: 1,
                ..SearchQuery::default()
            };
            let scope = SearchScope::new(Lens::new(None, network.clone()), None);
            index.search(&query, &scope)?;
            let query = PostQuery {
                text: PROBE_WORD.to_owned(),
                offset: 0,
                limit: 1,
                count_up_to: 1,
            };
            index
                .posts()
                .search(&query, &PostScope::new(Lens::new(None, network), now))?;
            Ok(())
        })
        .await?
    }

    /// The node's figures now: the contact network's size, how far each
    /// projection is behind the last committed event, the open streams and
    /// the store's latencies. Read from memory: it waits for nothing.
    pub async fn figures(&self) -> Figures {
        let last_event = self.core.store.bus().last();
        let projections = self
            .core
            .dispatcher
            .get()
            .map(|d| d.projections())
            .unwrap_or_default()
            .iter()
            .map(|p| ProjectionFigures {
                name: p.name,
                applied: p.applied(),
                lag: (last_event - p.applied()).max(0),
                failing: p.is_failing(),
                failures: p.failures(),
            })
            .collect();
        let hub = self.streams.hub();
        let now = self.core.clock.now();
        let queues = match self.core.store.queue_stats().await {
            Ok(stats) => stats
                .into_iter()
                .map(|(queue, open, oldest)| {
                    let age = oldest.map_or(0, |t| (now - t).whole_seconds().max(0));
                    (queue, open, age)
                })
                .collect(),
            Err(error) => {
                tracing::warn!(%error, "reading the moderation queues for the metrics");
                Vec::new()
            }
        };
        Figures {
            queues,
            members: self.core.network.member_count(),
            contacts: self.core.network.contact_count(),
            last_event,
            projections,
            open_streams: hub.open(),
            streams_closed_slow: hub.dropped_slow(),
            store_operations: self
                .core
                .store
                .op_timings()
                .map(|t| t.snapshot())
                .unwrap_or_default(),
        }
    }
}

/// One part's check: `Ok` when `probe` answers without error within
/// [`CHECK_WAIT`].
async fn checked<T>(part: &'static str, probe: impl Future<Output = Result<T>>) -> Check {
    match tokio::time::timeout(CHECK_WAIT, probe).await {
        Ok(Ok(_)) => Check::Ok,
        Ok(Err(error)) => {
            tracing::warn!(part, %error, "health check: failing");
            Check::Failing
        }
        Err(_) => {
            tracing::warn!(
                part,
                seconds = CHECK_WAIT.as_secs_f64(),
                "health check: failing, no answer in time"
            );
            Check::Failing
        }
    }
}
