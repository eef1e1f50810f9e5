//! The dispatcher: committed events, in order, to every projection.
//!
//! Each [`Projection`] runs in its own task with its own cursor (the last
//! `seq` it applied), so one that fails or is slow holds back nobody else:
//! it is retried from its cursor, reading the [`Bus`](super::Bus)'s tail or,
//! once it has fallen behind it, the outbox. A request that wrote waits with
//! [`Dispatcher::settle`] until the projections that serve its answers have
//! applied everything committed so far, so a member sees his own write at
//! once.

use super::{Event, EventLog};
use crate::error::Result;
use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// Events handed to a projection at once, at most.
const BATCH: usize = 512;

/// The longest wait between two attempts of a failing projection.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How long [`Dispatcher::settle`] waits for a projection before it lets
/// the request answer anyway (the write is committed; the projection will
/// catch up).
const SETTLE_WAIT: Duration = Duration::from_secs(5);

/// How long it waits for a projection whose last attempt failed (it
/// retries as soon as a new event comes, so a passing fault, such as a
/// full disk, is over for the next write).
const SETTLE_WAIT_FAILING: Duration = Duration::from_millis(250);

/// The shortest pause between two attempts of a failing projection.
const MIN_BACKOFF: Duration = Duration::from_millis(20);

/// Something kept in step with the store by applying its events.
#[async_trait]
pub trait Projection: Send + Sync + 'static {
    /// A short stable name, for logs, metrics and checkpoints.
    fn name(&self) -> &'static str;

    /// Where this projection stands when the node starts: the last `seq`
    /// its state already reflects (its checkpoint, or the outbox's last
    /// event when it was just loaded or rebuilt from the store). It may
    /// rebuild its state here when that state is missing.
    async fn start(&self) -> Result<i64>;

    /// Applies events in commit order. Once it returns `Ok`, the state
    /// reflects them (and a persistent projection has saved its
    /// checkpoint); on `Err` the same events come again later. Applying an
    /// event already applied must change nothing.
    async fn apply(&self, events: &[Arc<Event>]) -> Result<()>;

    /// Whether the projection cares about this event. A batch holding none
    /// it wants only moves its cursor, without a call to [`Self::apply`]
    /// (most writes concern one or two projections).
    fn wants(&self, _event: &Event) -> bool {
        true
    }

    /// Whether a writing request waits for this projection before it
    /// answers (those that serve pages and answers do; notifications and
    /// pushes to other members need not).
    fn read_your_writes(&self) -> bool {
        true
    }
}

/// What the dispatcher knows of one projection.
pub struct ProjectionState {
    pub name: &'static str,
    read_your_writes: bool,
    applied: watch::Sender<i64>,
    /// True while the last attempt failed.
    failing: AtomicBool,
    failures: AtomicU64,
}

impl ProjectionState {
    /// The last `seq` applied (0 until the projection started).
    pub fn applied(&self) -> i64 {
        *self.applied.borrow()
    }

    pub fn is_failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    /// Failed attempts since the node started.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Waits until this projection has applied `seq`, for `wait` at most;
    /// whether it has.
    pub async fn wait_applied(&self, seq: i64, wait: Duration) -> bool {
        if self.applied() >= seq {
            return true;
        }
        let mut rx = self.applied.subscribe();
        tokio::time::timeout(wait, rx.wait_for(|applied| *applied >= seq))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

/// Feeds every projection the committed events, in commit order.
pub struct Dispatcher {
    log: Arc<dyn EventLog>,
    states: Vec<Arc<ProjectionState>>,
    tasks: Vec<tokio::task::AbortHandle>,
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Dispatcher {
    /// Starts one task per projection (on the current tokio runtime).
    pub fn start(log: Arc<dyn EventLog>, projections: Vec<Arc<dyn Projection>>) -> Self {
        let mut states = Vec::new();
        let mut tasks = Vec::new();
        for p in projections {
            let state = Arc::new(ProjectionState {
                name: p.name(),
                read_your_writes: p.read_your_writes(),
                applied: watch::Sender::new(0),
                failing: AtomicBool::new(false),
                failures: AtomicU64::new(0),
            });
            let task = tokio::spawn(run(log.clone(), p, state.clone()));
            tasks.push(task.abort_handle());
            states.push(state);
        }
        Self { log, states, tasks }
    }

    /// Stops every projection's task (the application is going away).
    pub fn stop(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }

    pub fn projections(&self) -> &[Arc<ProjectionState>] {
        &self.states
    }

    /// The oldest cursor of all projections: every event up to it has been
    /// applied everywhere on this node.
    pub fn applied_everywhere(&self) -> i64 {
        self.states.iter().map(|s| s.applied()).min().unwrap_or(0)
    }

    /// Waits until the projections that serve answers have applied every
    /// event committed so far (a projection that is failing is not waited
    /// for, nor one for longer than a few seconds).
    pub async fn settle(&self) {
        let target = self.log.bus().last();
        self.wait_for(target, |s| s.read_your_writes).await;
    }

    /// Waits until every projection, notifications and pushes included,
    /// has applied every event committed so far (tests, shutdown).
    pub async fn settle_all(&self) {
        let target = self.log.bus().last();
        self.wait_for(target, |_| true).await;
    }

    async fn wait_for(&self, target: i64, which: impl Fn(&ProjectionState) -> bool) {
        for s in self.states.iter().filter(|s| which(s)) {
            if s.applied() >= target {
                continue;
            }
            let wait = if s.is_failing() {
                SETTLE_WAIT_FAILING
            } else {
                SETTLE_WAIT
            };
            let mut rx = s.applied.subscribe();
            let waited = tokio::time::timeout(wait, rx.wait_for(|seq| *seq >= target)).await;
            if waited.is_err() {
                tracing::warn!(
                    projection = s.name,
                    target,
                    "a projection is slow: a write answers before it applied the write"
                );
            }
        }
    }
}

/// One projection's loop: start, then apply batches as they come.
async fn run(log: Arc<dyn EventLog>, p: Arc<dyn Projection>, state: Arc<ProjectionState>) {
    let bus = log.bus().clone();
    let mut wake = bus.watch();
    let mut backoff = MIN_BACKOFF;
    let mut cursor = loop {
        match p.start().await {
            Ok(seq) => break seq,
            Err(e) => {
                fail(&state, &e, &mut backoff, &mut wake).await;
            }
        }
    };
    state.failing.store(false, Ordering::Relaxed);
    state.applied.send_replace(cursor);
    loop {
        wake.borrow_and_update();
        let batch = match bus.after(cursor, BATCH) {
            Some(batch) => batch,
            None => match log.events_after(cursor, BATCH).await {
                Ok(events) => events.into_iter().map(Arc::new).collect(),
                Err(e) => {
                    fail(&state, &e, &mut backoff, &mut wake).await;
                    continue;
                }
            },
        };
        let Some(last) = batch.last().map(|e| e.seq) else {
            if wake.changed().await.is_err() {
                return;
            }
            continue;
        };
        if !batch.iter().any(|e| p.wants(e)) {
            cursor = last;
            state.applied.send_replace(cursor);
            continue;
        }
        // A panic in a projection is a failure like another, retried.
        let applying = {
            let p = p.clone();
            tokio::spawn(async move { p.apply(&batch).await })
        };
        match applying.await {
            Ok(Ok(())) => {
                cursor = last;
                backoff = MIN_BACKOFF;
                state.failing.store(false, Ordering::Relaxed);
                state.applied.send_replace(cursor);
            }
            Ok(Err(e)) => fail(&state, &e, &mut backoff, &mut wake).await,
            Err(join) => {
                let e = crate::Error::internal(format!("projection panicked: {join}"));
                fail(&state, &e, &mut backoff, &mut wake).await;
            }
        }
    }
}

/// Records a failure and waits before the next attempt: the backoff, or
/// less when a new event comes (after [`MIN_BACKOFF`] at least).
async fn fail(
    state: &ProjectionState,
    e: &crate::Error,
    backoff: &mut Duration,
    wake: &mut watch::Receiver<i64>,
) {
    state.failing.store(true, Ordering::Relaxed);
    state.failures.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(projection = state.name, error = %e, retry_in = ?*backoff, "a projection failed");
    wake.borrow_and_update();
    tokio::time::sleep(MIN_BACKOFF).await;
    let rest = backoff.saturating_sub(MIN_BACKOFF);
    let _ = tokio::time::timeout(rest, wake.changed()).await;
    *backoff = (*backoff * 2).min(MAX_BACKOFF);
}
