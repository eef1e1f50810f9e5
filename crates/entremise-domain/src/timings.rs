//! How long a store's operations take: a latency histogram per operation,
//! kept in atomics by the store that runs them and read by whoever reports
//! them (the operations endpoint). It names no metrics library: the store
//! records, the web layer renders.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// The upper bounds, in seconds, of the latency buckets (an overflow bucket
/// follows them): from a tenth of a millisecond (a cached read) to seconds
/// (a write waiting for the lock, a full scan).
pub const BOUNDS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Whether an operation reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpKind {
    Read,
    Write,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// One operation's figures so far.
#[derive(Debug, Default)]
struct Cell {
    /// Calls per bucket of [`BOUNDS`], the last one past them all.
    buckets: [AtomicU64; BOUNDS.len() + 1],
    nanos: AtomicU64,
    failures: AtomicU64,
}

/// The latencies of a store's operations, by name (a static text the store
/// gives each call, so their number is bounded by the code) and kind.
#[derive(Debug, Default)]
pub struct OpTimings {
    ops: RwLock<HashMap<(&'static str, OpKind), Arc<Cell>>>,
}

/// What [`OpTimings::snapshot`] says of one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct OpTiming {
    pub op: &'static str,
    pub kind: OpKind,
    /// Calls so far (the sum of the buckets' counts).
    pub count: u64,
    /// Their time added up, in seconds.
    pub seconds: f64,
    /// Calls per bucket, not cumulated: each upper bound of [`BOUNDS`],
    /// then `f64::INFINITY`.
    pub buckets: Vec<(f64, u64)>,
    /// Calls that failed inside the store (an SQL error, a full disk), as
    /// opposed to an answer such as "not found" or "conflict".
    pub failures: u64,
}

impl OpTimings {
    /// Records one call of `op` that took `took`.
    pub fn record(&self, op: &'static str, kind: OpKind, took: Duration, failed: bool) {
        let cell = self.cell(op, kind);
        let seconds = took.as_secs_f64();
        let bucket = BOUNDS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BOUNDS.len());
        cell.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        cell.nanos.fetch_add(nanos, Ordering::Relaxed);
        if failed {
            cell.failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn cell(&self, op: &'static str, kind: OpKind) -> Arc<Cell> {
        let known = self
            .ops
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(op, kind))
            .cloned();
        known.unwrap_or_else(|| {
            self.ops
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry((op, kind))
                .or_default()
                .clone()
        })
    }

    /// Every operation called so far, by name then kind.
    pub fn snapshot(&self) -> Vec<OpTiming> {
        let cells: Vec<_> = self
            .ops
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(key, cell)| (*key, cell.clone()))
            .collect();
        let mut out: Vec<OpTiming> = cells
            .into_iter()
            .map(|((op, kind), cell)| {
                let buckets: Vec<(f64, u64)> = BOUNDS
                    .iter()
                    .copied()
                    .chain([f64::INFINITY])
                    .zip(&cell.buckets)
                    .map(|(bound, n)| (bound, n.load(Ordering::Relaxed)))
                    .collect();
                OpTiming {
                    op,
                    kind,
                    count: buckets.iter().map(|(_, n)| n).sum(),
                    seconds: cell.nanos.load(Ordering::Relaxed) as f64 / 1e9,
                    buckets,
                    failures: cell.failures.load(Ordering::Relaxed),
                }
            })
            .collect();
        out.sort_by(|a, b| (a.op, a.kind).cmp(&(b.op, b.kind)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_lands_in_its_bucket() {
        let timings = OpTimings::default();
        let ms = Duration::from_millis;
        timings.record("post", OpKind::Read, Duration::from_micros(50), false);
        timings.record("post", OpKind::Read, ms(1), false);
        timings.record("post", OpKind::Read, ms(3), true);
        timings.record("post", OpKind::Read, ms(10_000), false);
        timings.record("create post", OpKind::Write, ms(7), false);
        let snapshot = timings.snapshot();
        let names: Vec<_> = snapshot.iter().map(|t| (t.op, t.kind)).collect();
        assert_eq!(
            names,
            [("create post", OpKind::Write), ("post", OpKind::Read)]
        );
        let post = &snapshot[1];
        assert_eq!(post.count, 4);
        assert_eq!(post.failures, 1);
        assert!((post.seconds - 10.004_05).abs() < 1e-9, "{}", post.seconds);
        let count_at = |bound: f64| {
            post.buckets
                .iter()
                .find(|(b, _)| *b == bound)
                .map(|(_, n)| *n)
        };
        assert_eq!(count_at(0.0001), Some(1));
        // A bound is inclusive: 1 ms is in the 1 ms bucket.
        assert_eq!(count_at(0.001), Some(1));
        assert_eq!(count_at(0.005), Some(1));
        assert_eq!(count_at(f64::INFINITY), Some(1));
        assert_eq!(post.buckets.len(), BOUNDS.len() + 1);
    }
}
