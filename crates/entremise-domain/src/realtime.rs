//! Real-time streams: what is pushed to a member's open connections.
//!
//! The [`Hub`] holds every open stream of the node, by member (person
//! profile), each a bounded channel of [`Push`]es. The streams projection
//! (`service::streams`) turns committed change events into pushes; typing
//! pings are pushed directly and are never replayed.
//!
//! Event ids (the `id` of each pushed event, SSE's `Last-Event-ID`): the
//! outbox `seq` of the change the event comes from, followed by `.n` when
//! the same change gives one member several events (`1234`, then
//! `1234.1`, `1234.2`). Ids grow with what a member is pushed, so a client
//! resuming after `1234.1` is owed exactly the events whose id is greater.
//!
//! Invariants:
//! - pushing never waits: a stream whose channel is full is closed (its
//!   client resumes from the last id it received), so a slow consumer
//!   never holds back the projection or other members;
//! - a member has at most [`Hub::per_member`] streams; opening one more
//!   closes his oldest;
//! - a push's body is serialized once and shared by every stream it goes to.

use crate::conversation::MessageView;
use crate::ids::ProfileId;
use crate::notification::{NotificationKind, NotificationObject};
use crate::profile::ProfileRef;
use crate::validate::Handle;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// Pushes one stream may have waiting before it is closed as too slow.
pub const STREAM_CAPACITY: usize = 256;

/// Open streams one member may hold by default (tabs, devices).
pub const STREAMS_PER_MEMBER: usize = 32;

/// The id of a pushed event: an outbox `seq` and an index among the events
/// that change gave the same member. Ordered as pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId {
    pub seq: i64,
    pub sub: u32,
}

impl EventId {
    pub const fn new(seq: i64, sub: u32) -> Self {
        Self { seq, sub }
    }

    /// Reads `1234` or `1234.1`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let (seq, sub) = match s.split_once('.') {
            Some((seq, sub)) => (seq, sub.parse().ok()?),
            None => (s, 0),
        };
        if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self {
            seq: seq.parse().ok()?,
            sub,
        })
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.sub == 0 {
            write!(f, "{}", self.seq)
        } else {
            write!(f, "{}.{}", self.seq, self.sub)
        }
    }
}

/// One event to a member's streams: its id (`None`: ephemeral, such as
/// typing, never replayed) and its JSON body (`{"type": …}`).
#[derive(Debug, Clone)]
pub struct Push {
    pub id: Option<EventId>,
    pub body: Arc<str>,
}

impl Push {
    /// The event as sent: its body with the id first (`{"id":"12",…}`).
    pub fn to_json(&self) -> String {
        match self.id {
            None => self.body.to_string(),
            Some(id) => {
                let rest = self.body.strip_prefix('{').unwrap_or(&self.body);
                let sep = if rest.starts_with('}') { "" } else { "," };
                format!("{{\"id\":\"{id}\"{sep}{rest}")
            }
        }
    }
}

/// A notification as the stream shows it: the actors the recipient may
/// see, by handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationPush {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    pub id: i64,
    pub kind: NotificationKind,
    pub actors: Vec<Handle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<NotificationObject>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub read: bool,
}

/// What a stream carries (`type` names it).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// A message in one of the member's conversations (his own included,
    /// for his other sessions), with his unread messages after it.
    Message {
        #[serde(serialize_with = "crate::ids::id_as_string")]
        conversation: i64,
        message: MessageView,
        unread: u64,
    },
    /// A participant read a conversation up to a message.
    Read {
        #[serde(serialize_with = "crate::ids::id_as_string")]
        conversation: i64,
        member: Handle,
        #[serde(serialize_with = "crate::ids::id_as_string")]
        up_to: i64,
        /// The recipient's unread messages now.
        unread: u64,
    },
    /// A notification created or grown, with the unread ones now.
    Notification {
        notification: NotificationPush,
        unread: u64,
    },
    /// The follow-up inbox of a profile the member answers for changed:
    /// his open items now, across every profile he answers for.
    Inbox { open: u64, hostile: u64 },
    /// Another participant is typing (ephemeral, no id).
    Typing {
        #[serde(serialize_with = "crate::ids::id_as_string")]
        conversation: i64,
        member: ProfileRef,
    },
    /// The stream cannot resume from the id asked (too old): reload.
    Reset,
}

impl StreamEvent {
    /// The serialized body, shared by every stream it goes to.
    pub fn body(&self) -> Arc<str> {
        serde_json::to_string(self)
            .expect("a stream event always serializes")
            .into()
    }
}

/// Shards of the hub's map, so that streams opening and closing do not all
/// contend for one lock.
const SHARDS: usize = 16;

struct Slot {
    id: u64,
    tx: mpsc::Sender<Push>,
}

/// Every open stream of the node, by member.
pub struct Hub {
    shards: Vec<Mutex<HashMap<ProfileId, Vec<Slot>>>>,
    capacity: usize,
    per_member: usize,
    next: AtomicU64,
    open: AtomicUsize,
    /// Streams closed because their channel was full.
    dropped_slow: AtomicU64,
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("open", &self.open())
            .finish_non_exhaustive()
    }
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(STREAM_CAPACITY, STREAMS_PER_MEMBER)
    }
}

impl Hub {
    /// A hub whose streams hold `capacity` pushes, `per_member` of them
    /// per member.
    pub fn new(capacity: usize, per_member: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            capacity: capacity.max(1),
            per_member: per_member.max(1),
            next: AtomicU64::new(0),
            open: AtomicUsize::new(0),
            dropped_slow: AtomicU64::new(0),
        }
    }

    pub fn per_member(&self) -> usize {
        self.per_member
    }

    fn shard(&self, member: ProfileId) -> &Mutex<HashMap<ProfileId, Vec<Slot>>> {
        &self.shards[(member.0 as u64 % SHARDS as u64) as usize]
    }

    /// Opens a stream for `member`; it closes when the [`Subscription`] is
    /// dropped. Past [`Self::per_member`] streams, his oldest is closed.
    pub fn subscribe(self: &Arc<Self>, member: ProfileId) -> Subscription {
        let (tx, rx) = mpsc::channel(self.capacity);
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut shard = self.shard(member).lock().unwrap_or_else(|e| e.into_inner());
        let slots = shard.entry(member).or_default();
        if slots.len() >= self.per_member {
            slots.remove(0);
            self.open.fetch_sub(1, Ordering::Relaxed);
        }
        slots.push(Slot { id, tx });
        self.open.fetch_add(1, Ordering::Relaxed);
        Subscription {
            rx,
            hub: self.clone(),
            member,
            id,
        }
    }

    fn unsubscribe(&self, member: ProfileId, id: u64) {
        let mut shard = self.shard(member).lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slots) = shard.get_mut(&member) {
            let before = slots.len();
            slots.retain(|s| s.id != id);
            if slots.len() < before {
                self.open.fetch_sub(1, Ordering::Relaxed);
            }
            if slots.is_empty() {
                shard.remove(&member);
            }
        }
    }

    /// Whether `member` has an open stream on this node.
    pub fn is_open(&self, member: ProfileId) -> bool {
        let shard = self.shard(member).lock().unwrap_or_else(|e| e.into_inner());
        shard.contains_key(&member)
    }

    /// Pushes to every open stream of `member`, without waiting: a stream
    /// whose channel is full is closed. Returns to how many it went.
    pub fn push(&self, member: ProfileId, push: &Push) -> usize {
        let mut shard = self.shard(member).lock().unwrap_or_else(|e| e.into_inner());
        let Some(slots) = shard.get_mut(&member) else {
            return 0;
        };
        let mut sent = 0;
        slots.retain(|slot| match slot.tx.try_send(push.clone()) {
            Ok(()) => {
                sent += 1;
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.dropped_slow.fetch_add(1, Ordering::Relaxed);
                self.open.fetch_sub(1, Ordering::Relaxed);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.open.fetch_sub(1, Ordering::Relaxed);
                false
            }
        });
        if slots.is_empty() {
            shard.remove(&member);
        }
        sent
    }

    /// Streams open on this node.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Streams closed so far because their client did not keep up.
    pub fn dropped_slow(&self) -> u64 {
        self.dropped_slow.load(Ordering::Relaxed)
    }
}

/// One open stream: its pushes come on `rx`; the channel ends when the hub
/// closed the stream (too slow, or replaced by a newer one).
pub struct Subscription {
    pub rx: mpsc::Receiver<Push>,
    hub: Arc<Hub>,
    member: ProfileId,
    id: u64,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("member", &self.member)
            .finish_non_exhaustive()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.unsubscribe(self.member, self.id);
    }
}

/// The actors of a notification its recipient may see (those a block hides
/// from him are left out); empty, nothing is to be pushed.
pub fn visible_actors(lens: &crate::privacy::Lens, actors: &[ProfileId]) -> Vec<ProfileId> {
    actors.iter().copied().filter(|a| !lens.hides(*a)).collect()
}

/// Orders pending pushes by change and assigns each its id: the events a
/// change gave a member numbered from 0 in the order given, those of the
/// change's notifications after them. `pending` is `(member, seq,
/// notification id or None, body)`, events of a change in derivation order.
pub fn number(mut pending: Vec<(ProfileId, i64, Option<i64>, Arc<str>)>) -> Vec<(ProfileId, Push)> {
    // Stable: events keep their derivation order, then notifications by id.
    pending.sort_by_key(|(_, seq, notification, _)| (*seq, notification.is_some(), *notification));
    let mut counters: HashMap<(ProfileId, i64), u32> = HashMap::new();
    pending
        .into_iter()
        .map(|(member, seq, _, body)| {
            let n = counters.entry((member, seq)).or_insert(0);
            let id = EventId::new(seq, *n);
            *n += 1;
            (member, Push { id: Some(id), body })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(id: Option<EventId>) -> Push {
        Push {
            id,
            body: "{\"type\":\"reset\"}".into(),
        }
    }

    #[test]
    fn an_event_id_reads_back_as_written_and_orders_by_seq_then_index() {
        for s in ["0", "1234", "1234.1", "9.12"] {
            assert_eq!(EventId::parse(s).unwrap().to_string(), s);
        }
        for bad in ["", "a", "-1", "1.", ".1", "1.a", "1.2.3", "+1"] {
            assert_eq!(EventId::parse(bad), None, "{bad}");
        }
        assert!(EventId::new(12, 0) < EventId::new(12, 1));
        assert!(EventId::new(12, 9) < EventId::new(13, 0));
        assert_eq!(EventId::parse("1234").unwrap(), EventId::new(1234, 0));
    }

    #[test]
    fn the_id_is_written_first_in_the_body() {
        assert_eq!(
            push(Some(EventId::new(7, 1))).to_json(),
            "{\"id\":\"7.1\",\"type\":\"reset\"}"
        );
        assert_eq!(push(None).to_json(), "{\"type\":\"reset\"}");
    }

    #[tokio::test]
    async fn a_full_stream_is_closed_without_holding_back_the_others() {
        let hub = Arc::new(Hub::new(2, 8));
        let mut slow = hub.subscribe(ProfileId(1));
        let mut quick = hub.subscribe(ProfileId(1));
        assert_eq!(hub.open(), 2);
        for i in 0..5 {
            let sent = hub.push(ProfileId(1), &push(Some(EventId::new(i, 0))));
            // The quick one reads as it goes.
            assert_eq!(quick.rx.recv().await.unwrap().id, Some(EventId::new(i, 0)));
            assert!(sent >= 1);
        }
        assert_eq!(hub.open(), 1);
        assert_eq!(hub.dropped_slow(), 1);
        // The slow one gets what it had room for, then its end.
        assert_eq!(slow.rx.recv().await.unwrap().id, Some(EventId::new(0, 0)));
        assert_eq!(slow.rx.recv().await.unwrap().id, Some(EventId::new(1, 0)));
        assert!(slow.rx.recv().await.is_none());
        drop(quick);
        assert_eq!(hub.open(), 0);
        assert!(!hub.is_open(ProfileId(1)));
    }

    #[tokio::test]
    async fn a_member_past_his_streams_loses_his_oldest() {
        let hub = Arc::new(Hub::new(4, 2));
        let mut first = hub.subscribe(ProfileId(3));
        let _second = hub.subscribe(ProfileId(3));
        let _third = hub.subscribe(ProfileId(3));
        assert_eq!(hub.open(), 2);
        assert!(first.rx.recv().await.is_none(), "the oldest was closed");
        assert_eq!(hub.push(ProfileId(3), &push(None)), 2);
        assert_eq!(hub.push(ProfileId(4), &push(None)), 0);
    }

    #[test]
    fn a_change_numbers_its_events_then_its_notifications_per_member() {
        let body: Arc<str> = "{}".into();
        let a = ProfileId(1);
        let b = ProfileId(2);
        let pending = vec![
            (a, 12, Some(40), body.clone()),
            (a, 12, None, body.clone()),
            (b, 12, None, body.clone()),
            (a, 11, Some(39), body.clone()),
            (a, 12, Some(38), body.clone()),
        ];
        let ids: Vec<(ProfileId, String)> = number(pending)
            .into_iter()
            .map(|(m, p)| (m, p.id.unwrap().to_string()))
            .collect();
        assert_eq!(
            ids,
            [
                (a, "11".to_owned()),
                (a, "12".to_owned()),
                (b, "12".to_owned()),
                (a, "12.1".to_owned()),
                (a, "12.2".to_owned()),
            ]
        );
    }
}
