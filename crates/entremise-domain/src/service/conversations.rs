//! Conversations and messages, and the network health page.

use super::{Entremise, Viewer};
use crate::contact::ContactRequestView;
use crate::conversation::{ConversationView, MAX_PARTICIPANTS, Message, MessageView};
use crate::error::{Error, Forbidden, Result};
use crate::ids::ProfileId;
use crate::privacy::MessagePolicy;
use crate::profile::ProfileRef;
use crate::validate;
use serde::{Deserialize, Serialize};
use time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewConversationInput {
    /// The other participants' handles (1 to 19).
    pub with: Vec<String>,
}

/// A page of messages, newest first, with the cursor of the older ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessagePage {
    pub items: Vec<MessageView>,
    pub next: Option<String>,
}

/// One of the viewer's contacts on the network health page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactHealth {
    pub contact: ProfileRef,
    #[serde(with = "time::serde::rfc3339")]
    pub since: time::OffsetDateTime,
    pub messages: u64,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_message_at: Option<time::OffsetDateTime>,
}

/// Who relays the viewer's introductions, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Relayer {
    pub member: ProfileRef,
    pub forwarded: u64,
    pub declined: u64,
    pub accepted: u64,
}

/// The health of the viewer's network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkHealth {
    pub contacts: usize,
    /// Contacts older than six months with no message in six months.
    pub stale: Vec<ContactHealth>,
    pub relayers: Vec<Relayer>,
    pub incoming_requests: Vec<ContactRequestView>,
    pub outgoing_requests: Vec<ContactRequestView>,
}

impl Entremise {
    /// Opens a conversation with members whose message settings allow the
    /// viewer; a one-to-one conversation that exists is returned as is.
    pub async fn start_conversation(
        &self,
        viewer: &Viewer,
        input: NewConversationInput,
    ) -> Result<ConversationView> {
        let me = self.me(viewer)?;
        if input.with.is_empty() || input.with.len() >= MAX_PARTICIPANTS {
            return Err(Error::invalid(
                "with",
                "invalid",
                format!("A conversation has 2 to {MAX_PARTICIPANTS} participants."),
            ));
        }
        let mut participants = vec![me];
        for handle in &input.with {
            let (other, _) = self.visible_person(viewer, handle).await?;
            if participants.contains(&other.id) {
                continue;
            }
            let allowed = match other.settings.messages {
                MessagePolicy::Contacts | MessagePolicy::ContactsAndGroups => {
                    self.network.are_contacts(me, other.id)
                }
                MessagePolicy::Nobody => false,
            };
            if !allowed || self.network.is_blocked(me, other.id) {
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
        let conversation = self
            .store
            .create_conversation(&participants, self.clock.now())
            .await?;
        self.conversation_view(me, conversation.id).await
    }

    /// A conversation the viewer takes part in; anyone else gets 404.
    async fn my_conversation(
        &self,
        me: ProfileId,
        id: i64,
    ) -> Result<crate::conversation::Conversation> {
        self.store
            .conversation(id)
            .await?
            .filter(|c| c.participants.contains(&me))
            .ok_or(Error::NotFound)
    }

    async fn message_view(&self, m: &Message) -> Result<MessageView> {
        Ok(MessageView {
            id: m.id,
            author: self.profile_ref_of(m.author).await?,
            text: m.text.clone(),
            created_at: m.created_at,
        })
    }

    async fn conversation_view(&self, me: ProfileId, id: i64) -> Result<ConversationView> {
        let entries = self.store.conversations_of(me, None, 500).await?;
        let entry = entries.into_iter().find(|e| e.conversation.id == id);
        let conversation = match &entry {
            Some(e) => e.conversation.clone(),
            None => self.my_conversation(me, id).await?,
        };
        let mut with = Vec::new();
        for p in conversation.participants.iter().filter(|p| **p != me) {
            with.push(self.profile_ref_of(*p).await?);
        }
        let last_message = match entry.as_ref().and_then(|e| e.last_message.as_ref()) {
            Some(m) => Some(self.message_view(m).await?),
            None => None,
        };
        Ok(ConversationView {
            id,
            with,
            last_message,
            unread: entry.map_or(0, |e| e.unread),
        })
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
        let me = self.me(viewer)?;
        let before = cursor.map(parse_time_key).transpose()?;
        let rows = self
            .store
            .conversations_of(me, before, read_limit(limit))
            .await?;
        let page = Page::keyset(rows, limit, |e| time_key(e.active_at, e.conversation.id));
        let mut out = Vec::new();
        for e in page.items {
            let mut with = Vec::new();
            for p in e.conversation.participants.iter().filter(|p| **p != me) {
                with.push(self.profile_ref_of(*p).await?);
            }
            let last_message = match &e.last_message {
                Some(m) => Some(self.message_view(m).await?),
                None => None,
            };
            out.push(ConversationView {
                id: e.conversation.id,
                with,
                last_message,
                unread: e.unread,
            });
        }
        Ok(Page {
            items: out,
            next: page.next,
        })
    }

    pub async fn conversation(&self, viewer: &Viewer, id: i64) -> Result<ConversationView> {
        let me = self.me(viewer)?;
        self.my_conversation(me, id).await?;
        self.conversation_view(me, id).await
    }

    /// Posts a message; stored durably before the answer.
    pub async fn send_message(&self, viewer: &Viewer, id: i64, text: &str) -> Result<MessageView> {
        let me = self.me(viewer)?;
        let conversation = self.my_conversation(me, id).await?;
        let text =
            validate::required_text("text", text, 5000).map_err(|e| Error::Invalid(vec![e]))?;
        if conversation
            .participants
            .iter()
            .any(|p| *p != me && self.network.is_blocked(me, *p))
        {
            return Err(Error::Forbidden(Forbidden::MessagesClosed));
        }
        let now = self.clock.now();
        let key = format!("messages:{}", me.0);
        if let Some(wait) = self.message_limit.retry_after(&key, now) {
            return Err(Error::RateLimited {
                retry_after_secs: wait,
            });
        }
        self.message_limit.record(&key, now);
        let m = self.store.add_message(id, me, &text, now).await?;
        self.message_view(&m).await
    }

    /// A page of messages, newest first; reading marks them read.
    pub async fn messages(
        &self,
        viewer: &Viewer,
        id: i64,
        before: Option<i64>,
        limit: usize,
    ) -> Result<MessagePage> {
        let me = self.me(viewer)?;
        self.my_conversation(me, id).await?;
        let limit = limit.clamp(1, 100);
        let messages = self.store.messages(id, before, limit + 1).await?;
        let more = messages.len() > limit;
        let page = &messages[..messages.len().min(limit)];
        if before.is_none()
            && let Some(newest) = page.first()
        {
            self.store.mark_read(id, me, newest.id).await?;
        }
        let mut items = Vec::with_capacity(page.len());
        for m in page {
            items.push(self.message_view(m).await?);
        }
        let next = if more {
            page.last().map(|m| m.id.to_string())
        } else {
            None
        };
        Ok(MessagePage { items, next })
    }

    pub async fn unread_messages(&self, viewer: &Viewer) -> Result<u64> {
        let me = self.me(viewer)?;
        self.store.unread_total(me).await
    }

    /// Stale contacts, who relays for the viewer, pending requests both ways.
    pub async fn network_health(&self, viewer: &Viewer) -> Result<NetworkHealth> {
        let me = self.me(viewer)?;
        let now = self.clock.now();
        let half_year = Duration::days(182);
        let interactions = self.store.interactions_of(me).await?;
        let contacts = self.store.contacts_of(me).await?;
        let mut stale = Vec::new();
        for c in &contacts {
            let i = interactions.iter().find(|i| i.other == c.contact);
            let last = i.and_then(|i| i.last_message_at);
            let quiet = last.is_none_or(|t| now - t > half_year);
            if quiet && now - c.since > half_year {
                stale.push(ContactHealth {
                    contact: self.profile_ref_of(c.contact).await?,
                    since: c.since,
                    messages: i.map_or(0, |i| i.messages),
                    last_message_at: last,
                });
            }
        }
        let mut relayers = Vec::new();
        for (id, s) in self.store.relays_for(me).await? {
            relayers.push(Relayer {
                member: self.profile_ref_of(id).await?,
                forwarded: s.forwarded,
                declined: s.declined,
                accepted: s.accepted,
            });
        }
        relayers.sort_by_key(|r| std::cmp::Reverse((r.forwarded, r.accepted)));
        Ok(NetworkHealth {
            contacts: contacts.len(),
            stale,
            relayers,
            incoming_requests: self.contact_requests(viewer, false).await?,
            outgoing_requests: self.contact_requests(viewer, true).await?,
        })
    }
}
