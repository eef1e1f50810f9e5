//! Conversations and messages, and the network health page.

use super::{Core, Viewer};
use crate::conversation::{
    Conversation, ConversationEntry, ConversationView, MAX_PARTICIPANTS, Message, MessageView,
};
use crate::error::{Error, Forbidden, Result};
use crate::ids::ProfileId;
use crate::privacy::Lens;
use crate::ratelimit::RateLimiter;
use crate::validate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

/// At most this many messages are read back to leave out those of members
/// hidden from the viewer by a block, for one list entry or one page.
const HIDDEN_WALK: usize = 1_000;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewConversationInput {
    /// The other participants' handles (1 to 19).
    pub with: Vec<String>,
}

/// A page of conversations with the unread messages over all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationList {
    pub items: Vec<ConversationView>,
    pub next: Option<String>,
    pub unread_total: u64,
}

/// A page of messages, newest first, with the cursor of the older ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessagePage {
    pub items: Vec<MessageView>,
    pub next: Option<String>,
}

/// Conversations and messages.
#[derive(Clone)]
pub struct Conversations {
    core: Arc<Core>,
    /// Messages one member may post per minute.
    message_limit: Arc<RateLimiter>,
}

impl Conversations {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self {
            message_limit: Arc::new(RateLimiter::new(
                core.config.messages_per_minute,
                time::Duration::minutes(1),
            )),
            core,
        }
    }
}

impl Conversations {
    /// Opens a conversation with members whose message settings allow the
    /// viewer; a one-to-one conversation that exists is returned as is.
    /// A conversation never joins two members with a block between them
    /// (PRIVACY.md): a member blocked with the viewer is not found (404), and
    /// two others blocked with each other make the whole request refused
    /// with `blocked_participants` (403), which names neither of them.
    pub async fn start_conversation(
        &self,
        viewer: &Viewer,
        input: NewConversationInput,
    ) -> Result<ConversationView> {
        let me = self.core.me(viewer)?;
        let lens = self.core.lens(viewer);
        if input.with.is_empty() || input.with.len() >= MAX_PARTICIPANTS {
            return Err(Error::invalid(
                "with",
                "invalid",
                format!("A conversation has 2 to {MAX_PARTICIPANTS} participants."),
            ));
        }
        let mut participants = vec![me];
        for handle in &input.with {
            let (other, _) = self.core.visible_person(viewer, handle).await?;
            if participants.contains(&other.id) {
                continue;
            }
            // The same decision as the button the viewer was shown.
            if !lens.actions(other.id, true, &other.settings).message {
                return Err(Error::Forbidden(Forbidden::MessagesClosed));
            }
            participants.push(other.id);
        }
        if participants.len() < 2 {
            return Err(Error::invalid(
                "with",
                "invalid",
                "Name at least one other member.",
            ));
        }
        if lens.joins_blocked(&participants) {
            return Err(Error::Forbidden(Forbidden::BlockedParticipants));
        }
        let conversation = self
            .core
            .store
            .create_conversation(&participants, self.core.clock.now())
            .await?;
        self.conversation_view(&lens, conversation.id).await
    }

    /// A conversation the viewer takes part in; anyone else gets 404, and
    /// so does he when everyone else in it is hidden from him by a block.
    pub(crate) async fn my_conversation(
        &self,
        lens: &Lens,
        id: i64,
    ) -> Result<crate::conversation::Conversation> {
        let me = lens.person().ok_or(Error::Unauthenticated)?;
        self.core
            .store
            .conversation(id)
            .await?
            .filter(|c| c.participants.contains(&me))
            .filter(|c| c.participants.iter().any(|p| *p != me && !lens.hides(*p)))
            .ok_or(Error::NotFound)
    }

    /// The participants a block separates from `me`. A block made after a
    /// conversation opened does not close it: the others still talk with
    /// both, and the blocked pair simply stop seeing each other there —
    /// neither is listed among the other's participants nor shown the
    /// other's messages, old or new, nor counted in his unread messages or
    /// shown as his last message. Each may still write to the others; a
    /// conversation in which nobody is left for him to see is gone for him
    /// (404, out of his list), as if the other did not exist, until the
    /// block is lifted.
    fn hidden_from(lens: &Lens, conversation: &Conversation) -> HashSet<ProfileId> {
        conversation
            .participants
            .iter()
            .filter(|p| lens.hides(**p))
            .copied()
            .collect()
    }

    /// The newest message of `entry` by a member not in `hidden`, and its
    /// unread messages less those by `hidden` members. The unread messages
    /// are the newest of others (writing moves one's read mark past one's
    /// own), so both come from one walk back from the newest, bounded by
    /// [`HIDDEN_WALK`].
    async fn visible_last_and_unread(
        &self,
        me: ProfileId,
        entry: &ConversationEntry,
        hidden: &HashSet<ProfileId>,
    ) -> Result<(Option<Message>, u32)> {
        let mut last = None;
        let mut unread_left = entry.unread;
        let mut unread = 0;
        let mut before = None;
        let mut walked = 0;
        while walked < HIDDEN_WALK {
            let batch = self
                .core
                .store
                .messages(entry.conversation.id, before, 100)
                .await?;
            for m in &batch {
                let visible = !hidden.contains(&m.author);
                if visible && last.is_none() {
                    last = Some(m.clone());
                }
                if unread_left > 0 && m.author != me {
                    unread_left -= 1;
                    unread += u32::from(visible);
                }
                if last.is_some() && unread_left == 0 {
                    return Ok((last, unread));
                }
            }
            walked += batch.len();
            match batch.last() {
                Some(oldest) if batch.len() == 100 => before = Some(oldest.id),
                _ => break,
            }
        }
        Ok((last, unread))
    }

    /// A conversation of the viewer's list as he may see it (see
    /// [`Self::hidden_from`]); `None` when nobody is left for him in it.
    async fn entry_view(
        &self,
        lens: &Lens,
        entry: &ConversationEntry,
    ) -> Result<Option<ConversationView>> {
        let me = lens.person().ok_or(Error::Unauthenticated)?;
        let hidden = Self::hidden_from(lens, &entry.conversation);
        let mut with = Vec::new();
        for p in entry.conversation.participants.iter() {
            if *p != me && !hidden.contains(p) {
                with.push(self.core.profile_ref_of(*p).await?);
            }
        }
        if with.is_empty() {
            return Ok(None);
        }
        let (last_message, unread) = if hidden.is_empty() {
            (entry.last_message.clone(), entry.unread)
        } else {
            self.visible_last_and_unread(me, entry, &hidden).await?
        };
        let last_message = match &last_message {
            Some(m) => Some(self.message_view(m).await?),
            None => None,
        };
        Ok(Some(ConversationView {
            id: entry.conversation.id,
            with,
            last_message,
            unread,
        }))
    }

    pub(crate) async fn message_view(&self, m: &Message) -> Result<MessageView> {
        Ok(MessageView {
            id: m.id,
            author: self.core.profile_ref_of(m.author).await?,
            text: m.text.clone(),
            created_at: m.created_at,
        })
    }

    async fn conversation_view(&self, lens: &Lens, id: i64) -> Result<ConversationView> {
        let me = lens.person().ok_or(Error::Unauthenticated)?;
        let entries = self.core.store.conversations_of(me, None, 500).await?;
        let entry = match entries.into_iter().find(|e| e.conversation.id == id) {
            Some(e) => e,
            None => ConversationEntry {
                conversation: self.my_conversation(lens, id).await?,
                active_at: time::OffsetDateTime::UNIX_EPOCH,
                last_message: None,
                unread: 0,
            },
        };
        self.entry_view(lens, &entry).await?.ok_or(Error::NotFound)
    }

    /// The viewer's conversations, most recent first, with unread counts.
    pub async fn conversations(&self, viewer: &Viewer) -> Result<Vec<ConversationView>> {
        Ok(self.conversations_page(viewer, None, 100).await?.items)
    }

    /// [`Self::conversations`] a page at a time (keyset: last activity, id).
    pub async fn conversations_page(
        &self,
        viewer: &Viewer,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<ConversationView>> {
        use crate::paging::{Page, parse_time_key, read_limit, time_key};
        let me = self.core.me(viewer)?;
        let lens = self.core.lens(viewer);
        let before = cursor.map(parse_time_key).transpose()?;
        let rows = self
            .core
            .store
            .conversations_of(me, before, read_limit(limit))
            .await?;
        let page = Page::keyset(rows, limit, |e| time_key(e.active_at, e.conversation.id));
        let mut out = Vec::new();
        for e in page.items {
            // A conversation left with nobody he may see is gone for him.
            out.extend(self.entry_view(&lens, &e).await?);
        }
        Ok(Page {
            items: out,
            next: page.next,
        })
    }

    /// A page of the viewer's conversations with his unread messages over
    /// all of them (the API's list).
    pub async fn conversation_list(
        &self,
        viewer: &Viewer,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ConversationList> {
        let page = self.conversations_page(viewer, cursor, limit).await?;
        Ok(ConversationList {
            items: page.items,
            next: page.next,
            unread_total: self.unread_messages(viewer).await?,
        })
    }

    pub async fn conversation(&self, viewer: &Viewer, id: i64) -> Result<ConversationView> {
        let lens = self.core.lens(viewer);
        self.my_conversation(&lens, id).await?;
        self.conversation_view(&lens, id).await
    }

    /// Posts a message; stored durably before the answer. A participant
    /// blocked with the writer does not see it (see [`Self::hidden_from`]);
    /// a conversation left with nobody the writer may see is not found.
    pub async fn send_message(&self, viewer: &Viewer, id: i64, text: &str) -> Result<MessageView> {
        let me = self.core.me(viewer)?;
        self.my_conversation(&self.core.lens(viewer), id).await?;
        let text =
            validate::required_text("text", text, 5000).map_err(|e| Error::Invalid(vec![e]))?;
        let now = self.core.clock.now();
        let key = format!("messages:{}", me.0);
        if let Some(wait) = self.message_limit.retry_after(&key, now) {
            return Err(Error::RateLimited {
                retry_after_secs: wait,
            });
        }
        self.message_limit.record(&key, now);
        let m = self.core.store.add_message(id, me, &text, now).await?;
        self.message_view(&m).await
    }

    /// A page of messages, newest first; reading marks them read. Messages
    /// of a participant blocked with the viewer are left out (see
    /// [`Self::hidden_from`]); past [`HIDDEN_WALK`] of them in a row, a
    /// short page ends with a cursor to go on from.
    pub async fn messages(
        &self,
        viewer: &Viewer,
        id: i64,
        before: Option<i64>,
        limit: usize,
    ) -> Result<MessagePage> {
        let me = self.core.me(viewer)?;
        let lens = self.core.lens(viewer);
        let conversation = self.my_conversation(&lens, id).await?;
        let hidden = Self::hidden_from(&lens, &conversation);
        let limit = limit.clamp(1, 100);
        let mut items: Vec<MessageView> = Vec::with_capacity(limit);
        let mut next = None;
        let mut cursor = before;
        let mut walked = 0;
        // One more than a page tells whether there is a next one; with
        // messages to leave out, larger reads spare round trips.
        let batch_size = if hidden.is_empty() {
            limit + 1
        } else {
            (limit + 1).max(100)
        };
        'walk: loop {
            let batch = self.core.store.messages(id, cursor, batch_size).await?;
            if before.is_none()
                && cursor.is_none()
                && let Some(newest) = batch.first()
            {
                self.core.store.mark_read(id, me, newest.id).await?;
            }
            for m in &batch {
                if hidden.contains(&m.author) {
                    continue;
                }
                if items.len() == limit {
                    // One more the viewer may see: there is a next page.
                    next = items.last().map(|v| v.id.to_string());
                    break 'walk;
                }
                items.push(self.message_view(m).await?);
            }
            walked += batch.len();
            let Some(oldest) = batch.last().filter(|_| batch.len() == batch_size) else {
                break;
            };
            cursor = Some(oldest.id);
            if walked >= HIDDEN_WALK {
                next = cursor.map(|c| c.to_string());
                break;
            }
        }
        Ok(MessagePage { items, next })
    }

    /// Unread messages over the viewer's conversations, less those of
    /// members hidden from him by a block (see [`Self::hidden_from`]).
    pub async fn unread_messages(&self, viewer: &Viewer) -> Result<u64> {
        self.core.me(viewer)?;
        self.unread_messages_through(self.core.lens(viewer)).await
    }

    /// [`Self::unread_messages`] of the member whose lens this is (the
    /// real-time streams count for the member they push to).
    pub(crate) async fn unread_messages_through(&self, lens: Lens) -> Result<u64> {
        let me = lens.person().ok_or(Error::Unauthenticated)?;
        let total = self.core.store.unread_total(me).await?;
        // Blocks are rare: only a member who has some has his list walked.
        let lens = lens.gathered();
        if total == 0 || !lens.hides_anyone() {
            return Ok(total);
        }
        let mut hidden_unread = 0;
        for e in self.core.store.conversations_of(me, None, 10_000).await? {
            let hidden = Self::hidden_from(&lens, &e.conversation);
            if e.unread == 0 || hidden.is_empty() {
                continue;
            }
            let (_, visible) = self.visible_last_and_unread(me, &e, &hidden).await?;
            hidden_unread += u64::from(e.unread - visible);
        }
        Ok(total.saturating_sub(hidden_unread))
    }
}
