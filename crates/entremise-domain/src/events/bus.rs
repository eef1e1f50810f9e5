//! The node's bus: committed events, in commit order, to everyone on this
//! node who waits for them.
//!
//! The store publishes each transaction's events after its commit, while it
//! still holds the write lock, so the bus sees them in commit order. The bus
//! keeps the most recent ones in memory (the tail) so the dispatcher's
//! projections and the real-time streams read them without touching the
//! store; whoever falls behind the tail reads the outbox ([`super::EventLog`]).
//! With several nodes, a subscriber to the shared stream publishes into
//! each node's bus the same way.

use super::Event;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// How many recent events the bus keeps in memory by default.
pub const TAIL: usize = 16_384;

pub struct Bus {
    tail: Mutex<VecDeque<Arc<Event>>>,
    capacity: usize,
    last: watch::Sender<i64>,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus")
            .field("last", &*self.last.borrow())
            .finish_non_exhaustive()
    }
}

impl Default for Bus {
    fn default() -> Self {
        Self::new(TAIL)
    }
}

impl Bus {
    pub fn new(capacity: usize) -> Self {
        Self {
            tail: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            capacity: capacity.max(1),
            last: watch::Sender::new(0),
        }
    }

    /// Starts the bus after `seq` (what the outbox held when the node
    /// started), so waiting for "everything published" is well defined
    /// before the first write.
    pub fn start_at(&self, seq: i64) {
        self.last.send_if_modified(|last| {
            let moved = seq > *last;
            if moved {
                *last = seq;
            }
            moved
        });
    }

    /// Publishes committed events; they must come in commit order. An event
    /// already published (a `seq` not above the last) is ignored.
    pub fn publish(&self, events: impl IntoIterator<Item = Event>) {
        let mut newest = None;
        {
            let mut tail = self.tail.lock().unwrap_or_else(|e| e.into_inner());
            let mut last = tail.back().map_or(*self.last.borrow(), |e| e.seq);
            for e in events {
                if e.seq <= last {
                    continue;
                }
                last = e.seq;
                if tail.len() == self.capacity {
                    tail.pop_front();
                }
                tail.push_back(Arc::new(e));
                newest = Some(last);
            }
        }
        if let Some(seq) = newest {
            self.start_at(seq);
        }
    }

    /// The last published `seq`.
    pub fn last(&self) -> i64 {
        *self.last.borrow()
    }

    /// Tells the subscriber each time events are published.
    pub fn watch(&self) -> watch::Receiver<i64> {
        self.last.subscribe()
    }

    /// Published events with `seq > after`, at most `limit`; `None` when the
    /// tail no longer holds `after + 1` (read the outbox then).
    pub fn after(&self, after: i64, limit: usize) -> Option<Vec<Arc<Event>>> {
        let tail = self.tail.lock().unwrap_or_else(|e| e.into_inner());
        let Some(first) = tail.front() else {
            // Nothing in memory: fine if nothing was published after `after`.
            return (after >= *self.last.borrow()).then(Vec::new);
        };
        if first.seq > after + 1 {
            return None;
        }
        let skip = tail.partition_point(|e| e.seq <= after);
        Some(tail.iter().skip(skip).take(limit).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Change;
    use crate::ids::ProfileId;

    fn event(seq: i64) -> Event {
        Event {
            seq,
            at: time::OffsetDateTime::UNIX_EPOCH,
            change: Change::ProfileChanged {
                profile: ProfileId(seq),
            },
        }
    }

    #[test]
    fn the_tail_serves_what_it_holds_and_says_when_it_does_not() {
        let bus = Bus::new(3);
        bus.start_at(10);
        assert_eq!(bus.after(10, 10).unwrap().len(), 0);
        assert!(
            bus.after(5, 10).is_none(),
            "before the start: read the outbox"
        );
        bus.publish((11..=14).map(event));
        assert_eq!(bus.last(), 14);
        let seqs = |v: Vec<Arc<Event>>| v.iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(seqs(bus.after(11, 10).unwrap()), [12, 13, 14]);
        assert_eq!(seqs(bus.after(12, 1).unwrap()), [13]);
        assert!(bus.after(10, 10).is_none(), "11 has left the tail");
        assert_eq!(seqs(bus.after(14, 10).unwrap()), Vec::<i64>::new());
    }

    #[test]
    fn a_replayed_event_is_not_published_twice() {
        let bus = Bus::new(10);
        bus.publish([event(1), event(2)]);
        bus.publish([event(2), event(3)]);
        let all: Vec<i64> = bus.after(0, 10).unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(all, [1, 2, 3]);
    }
}
