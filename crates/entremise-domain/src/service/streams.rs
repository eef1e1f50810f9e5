//! Real-time streams: opening one (with what a member missed since an
//! event id), typing pings, and the projection that pushes committed
//! changes to the open streams.
//!
//! What a member is pushed, live or replayed, comes from one function
//! ([`Streams::derive`]) asked the same questions of his lens, so a resumed
//! stream carries exactly what a live one would have:
//!
//! | change              | event          | to                                         |
//! |---------------------|----------------|--------------------------------------------|
//! | `MessagePosted`     | `message`      | each participant the author is not hidden from (his own other sessions too) |
//! | `ConversationRead`  | `read`         | each participant the reader is not hidden from |
//! | a notification row  | `notification` | its recipient, with the actors he may see (none left: nothing) |
//! | a typing ping       | `typing`       | the other participants the typist is not hidden from; no id, never replayed |

use super::core::Core;
use super::{Conversations, Viewer};
use crate::error::{Error, Result};
use crate::events::{Change, Event, Projection};
use crate::ids::ProfileId;
use crate::notification::Notification;
use crate::realtime::{EventId, Hub, NotificationPush, Push, StreamEvent, Subscription, number};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The name of the notifications projection, whose rows the streams push
/// once it has applied a batch.
const NOTIFICATIONS: &str = "notifications";
/// The inbox projection's name.
const INBOX: &str = "inbox";

/// How long the streams wait for the notifications projection to apply a
/// batch before pushing it without the notifications it has not written.
const NOTIFICATIONS_WAIT: Duration = Duration::from_secs(1);

/// How long they wait for the network projection (blocks) before trying
/// the batch again: nothing is pushed through an out-of-date lens.
const NETWORK_WAIT: Duration = Duration::from_secs(5);

/// A stream resumes over at most this many events of the outbox; further
/// behind, it is told to reload (`reset`).
pub const REPLAY_MAX_EVENTS: i64 = 50_000;

/// Notifications replayed to a resuming stream, at most.
const REPLAY_MAX_NOTIFICATIONS: usize = 1_000;

/// A stream just opened: what the member missed (or a `reset`), then the
/// live pushes. The caller sends `replay`, then each live push whose id is
/// above the last id sent (or that has none).
#[derive(Debug)]
pub struct OpenStream {
    pub replay: Vec<Push>,
    pub live: Subscription,
}

/// Real-time streams of members.
#[derive(Clone)]
pub struct Streams {
    core: Arc<Core>,
    conversations: Conversations,
    /// A notification is pushed as the notifications service shows it.
    notifications: super::Notifications,
    /// Inbox counts are pushed as the inbox service counts them.
    inbox: super::Inbox,
    hub: Arc<Hub>,
}

impl Streams {
    pub(crate) fn new(
        core: Arc<Core>,
        conversations: Conversations,
        notifications: super::Notifications,
        inbox: super::Inbox,
    ) -> Self {
        let hub = Arc::new(Hub::new(
            crate::realtime::STREAM_CAPACITY,
            core.config.streams_per_member,
        ));
        Self {
            core,
            conversations,
            notifications,
            inbox,
            hub,
        }
    }

    /// The node's open streams.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Opens a stream for the viewer. With `since`, the stream first
    /// carries every event for him after that id that is still in the
    /// outbox, in id order; when the outbox no longer reaches back there
    /// (or is more than [`REPLAY_MAX_EVENTS`] ahead), a `reset` instead.
    /// The subscription is taken first, so nothing committed meanwhile is
    /// lost; what both carry is dropped by the caller (ids at or below the
    /// last one sent).
    pub async fn open(&self, viewer: &Viewer, since: Option<EventId>) -> Result<OpenStream> {
        let me = self.core.me(viewer)?;
        let live = self.hub.subscribe(me);
        let Some(since) = since else {
            return Ok(OpenStream {
                replay: Vec::new(),
                live,
            });
        };
        let store = &self.core.store;
        let up_to = store.last_event_seq().await?;
        let first = store.first_event_seq().await?;
        let lost = match first {
            // Events after `since` (or its own later ones) were compacted.
            Some(first) => since.seq + 1 < first || (since.sub > 0 && since.seq < first),
            None => since.seq < up_to,
        };
        if since.seq > up_to || up_to - since.seq > REPLAY_MAX_EVENTS || lost {
            let reset = Push {
                id: Some(EventId::new(up_to, 0)),
                body: StreamEvent::Reset.body(),
            };
            return Ok(OpenStream {
                replay: vec![reset],
                live,
            });
        }
        let mut pending = Vec::new();
        let mut cursor = since.seq - 1;
        'read: while cursor < up_to {
            let events = store.events_after(cursor.max(0), 512).await?;
            let Some(last) = events.last().map(|e| e.seq) else {
                break;
            };
            for e in &events {
                if e.seq > up_to {
                    break 'read;
                }
                for (member, body) in self.derive(e, |p| p == me).await? {
                    pending.push((member, e.seq, None, body));
                }
            }
            cursor = last;
        }
        let notifications = store
            .notifications_since(me, since.seq - 1, REPLAY_MAX_NOTIFICATIONS)
            .await?;
        for n in notifications.iter().filter(|n| n.seq <= up_to) {
            if let Some(body) = self.notification_body(n).await? {
                pending.push((me, n.seq, Some(n.id), body));
            }
        }
        // Inbox counts are a state: one event with the counts now, if an
        // item of a profile he answers for changed meanwhile.
        let owners = self.inbox.owners_of(me).await?;
        let touched = store
            .inbox_touched(since.seq - 1, up_to)
            .await?
            .into_iter()
            .filter(|(owner, _)| owners.contains(owner))
            .map(|(_, seq)| seq)
            .max();
        if let Some(seq) = touched {
            let counts = self.inbox.counts_of(me).await?;
            let body = StreamEvent::Inbox {
                open: counts.open,
                hostile: counts.hostile,
            }
            .body();
            pending.push((me, seq, None, body));
        }
        let replay = number(pending)
            .into_iter()
            .map(|(_, push)| push)
            .filter(|p| p.id.is_some_and(|id| id > since))
            .collect();
        Ok(OpenStream { replay, live })
    }

    /// Tells the conversation's other participants that the viewer is
    /// typing (a `typing` event without id, not kept). Participants only:
    /// anyone else gets 404, like for the conversation itself.
    pub async fn typing(&self, viewer: &Viewer, conversation: i64) -> Result<()> {
        let me = self.core.me(viewer)?;
        let lens = self.core.lens(viewer);
        let c = self
            .conversations
            .my_conversation(&lens, conversation)
            .await?;
        let push = Push {
            id: None,
            body: StreamEvent::Typing {
                conversation,
                member: self.core.profile_ref_of(me).await?,
            }
            .body(),
        };
        for p in c.participants.iter().filter(|p| **p != me) {
            if !self.core.member_lens(*p).hides(me) {
                self.hub.push(*p, &push);
            }
        }
        Ok(())
    }

    /// The events one change gives the members it concerns (only `only`
    /// when given), each with its body, in the order they are numbered.
    async fn derive(
        &self,
        e: &Event,
        only: impl Fn(ProfileId) -> bool + Send + Sync,
    ) -> Result<Vec<(ProfileId, Arc<str>)>> {
        let wanted = |p: &ProfileId| only(*p);
        let mut out = Vec::new();
        match &e.change {
            Change::MessagePosted {
                conversation,
                message,
                author,
                members,
            } => {
                if !members.iter().any(wanted) {
                    return Ok(out);
                }
                let found = self
                    .core
                    .store
                    .messages(*conversation, Some(message.saturating_add(1)), 1)
                    .await?;
                let Some(m) = found.into_iter().find(|m| m.id == *message) else {
                    return Ok(out);
                };
                let view = self.conversations.message_view(&m).await?;
                for p in members.iter().filter(|p| wanted(p)) {
                    let lens = self.core.member_lens(*p);
                    if lens.hides(*author) {
                        continue;
                    }
                    let unread = self.conversations.unread_messages_through(lens).await?;
                    let body = StreamEvent::Message {
                        conversation: *conversation,
                        message: view.clone(),
                        unread,
                    }
                    .body();
                    out.push((*p, body));
                }
            }
            Change::ConversationRead {
                conversation,
                member,
                up_to,
            } => {
                let Some(c) = self.core.store.conversation(*conversation).await? else {
                    return Ok(out);
                };
                if !c.participants.iter().any(wanted) {
                    return Ok(out);
                }
                let reader = self.core.person_ref(*member).await?.handle;
                for p in c.participants.iter().filter(|p| wanted(p)) {
                    let lens = self.core.member_lens(*p);
                    if lens.hides(*member) {
                        continue;
                    }
                    let unread = self.conversations.unread_messages_through(lens).await?;
                    let body = StreamEvent::Read {
                        conversation: *conversation,
                        member: reader.clone(),
                        up_to: *up_to,
                        unread,
                    }
                    .body();
                    out.push((*p, body));
                }
            }
            _ => {}
        }
        Ok(out)
    }

    /// A notification's event for its recipient, as the notifications
    /// service shows it to him (`Notifications::view_for`: actors his lens
    /// hides left out, nothing when none is left or the post concerned is
    /// no longer his to see).
    async fn notification_body(&self, n: &Notification) -> Result<Option<Arc<str>>> {
        let Some(account) = self
            .core
            .store
            .profile(n.recipient)
            .await?
            .and_then(|p| p.account)
        else {
            return Ok(None);
        };
        let reader = crate::privacy::ViewerIdentity {
            person: n.recipient,
            operated: self.core.store.roles_of_account(account).await?,
            moderator: false,
        };
        let Some(view) = self.notifications.view_for(&reader, n).await? else {
            return Ok(None);
        };
        let handles = view.actors;
        let unread = self.core.store.unread_notifications(n.recipient).await?;
        let body = StreamEvent::Notification {
            notification: NotificationPush {
                id: n.id,
                kind: n.kind,
                actors: handles,
                object: n.object,
                created_at: n.created_at,
                updated_at: n.updated_at,
                read: n.read,
            },
            unread,
        }
        .body();
        Ok(Some(body))
    }

    /// Waits (boundedly) for the projection named `name`, if this node runs
    /// one, to apply `seq`; whether it has (or there is none).
    async fn wait_for(&self, name: &str, seq: i64, wait: Duration) -> Option<bool> {
        let dispatcher = self.core.dispatcher.get()?;
        let state = dispatcher.projections().iter().find(|s| s.name == name)?;
        Some(state.wait_applied(seq, wait).await)
    }
}

/// Pushes committed changes to the open streams (see the module's table).
/// It keeps nothing: it starts where the outbox stands when the node
/// starts, and a stream that missed something resumes from the outbox.
pub(crate) struct StreamsProjection {
    pub(crate) core: Arc<Core>,
    pub(crate) streams: Streams,
}

#[async_trait]
impl Projection for StreamsProjection {
    fn name(&self) -> &'static str {
        "streams"
    }

    async fn start(&self) -> Result<i64> {
        Ok(self.core.loaded_at)
    }

    fn read_your_writes(&self) -> bool {
        false
    }

    async fn apply(&self, events: &[Arc<Event>]) -> Result<()> {
        let (Some(first), Some(last)) = (events.first(), events.last()) else {
            return Ok(());
        };
        let streams = &self.streams;
        if streams.hub.open() == 0 {
            return Ok(());
        }
        // Blocks must be known before anything goes through a lens.
        if streams.wait_for("network", last.seq, NETWORK_WAIT).await == Some(false) {
            return Err(Error::internal(
                "the network projection is behind: streams wait for it",
            ));
        }
        let mut pending = Vec::new();
        for e in events {
            let open = |p| streams.hub.is_open(p);
            for (member, body) in streams.derive(e, open).await? {
                pending.push((member, e.seq, None, body));
            }
        }
        if let Some(applied) = streams
            .wait_for(NOTIFICATIONS, last.seq, NOTIFICATIONS_WAIT)
            .await
        {
            if !applied {
                tracing::warn!(
                    up_to = last.seq,
                    "notifications are late: open streams get this batch without them"
                );
            }
            let rows = self
                .core
                .store
                .notifications_between(first.seq - 1, last.seq)
                .await?;
            for n in rows.iter().filter(|n| streams.hub.is_open(n.recipient)) {
                if let Some(body) = streams.notification_body(n).await? {
                    pending.push((n.recipient, n.seq, Some(n.id), body));
                }
            }
        }
        if let Some(applied) = streams.wait_for(INBOX, last.seq, NOTIFICATIONS_WAIT).await {
            if !applied {
                tracing::warn!(
                    up_to = last.seq,
                    "the inbox is late: open streams get this batch without its counts"
                );
            }
            let touched = self
                .core
                .store
                .inbox_touched(first.seq - 1, last.seq)
                .await?;
            let mut told: HashMap<ProfileId, i64> = HashMap::new();
            for (owner, seq) in touched {
                for person in streams.inbox.team_of(owner).await? {
                    if streams.hub.is_open(person) {
                        let at = told.entry(person).or_insert(seq);
                        *at = (*at).max(seq);
                    }
                }
            }
            for (person, seq) in told {
                let counts = streams.inbox.counts_of(person).await?;
                let body = StreamEvent::Inbox {
                    open: counts.open,
                    hostile: counts.hostile,
                }
                .body();
                pending.push((person, seq, None, body));
            }
        }
        for (member, push) in number(pending) {
            streams.hub.push(member, &push);
        }
        Ok(())
    }
}
