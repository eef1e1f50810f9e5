//! What an operator watches: whether the parts the server needs answer
//! (the health check). Nothing here is about a member, and nothing is
//! shown to members.

use super::blocking;
use super::core::Core;
use crate::error::Result;
use crate::privacy::Lens;
use crate::search::{PostQuery, PostScope, SearchQuery, SearchScope};
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

/// The health check.
#[derive(Clone)]
pub struct Monitoring {
    core: Arc<Core>,
}

impl Monitoring {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
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
