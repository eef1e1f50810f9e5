//! In-app notifications: the projection that derives them from the change
//! events, and what a member does with them (list, mark read, count the
//! unread, switch kinds off).
//!
//! Privacy is decided twice, both times by the recipient's
//! [`Lens`](crate::privacy::Lens):
//! - when a notification is derived: dropped if a block hides the actor
//!   from the recipient, if the recipient may not see the post it is about
//!   (a mention in a post whose audience leaves him out), or if he switched
//!   its kind off;
//! - when it is read ([`Notifications::view_for`]): actors a block now
//!   hides are left out, and a notification with nobody left to show, or
//!   about a post the reader may no longer see, is not shown at all (a
//!   later block hides earlier notifications).

use super::{Core, Viewer};
use crate::error::{Error, Result};
use crate::events::{Change, Event, Projection};
use crate::ids::ProfileId;
use crate::notification::{
    self, Addressee, Notification, NotificationDraft, NotificationKind, NotificationObject,
};
use crate::paging::{Gather, Page, parse_id_key, parse_time_key, time_key};
use crate::privacy::{Lens, Relation, ViewerIdentity};
use crate::profile::{ProfileKind, ProfileRef};
use crate::validate::Handle;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;

/// The name of the notifications projection and of its checkpoint.
pub(crate) const NOTIFICATIONS_CHECKPOINT: &str = "notifications";

/// Events after which the checkpoint is saved even when none of them
/// notified anyone (a batch that notifies saves it with its notifications).
const CHECKPOINT_EVERY: i64 = 1_000;

/// At most this many notifications are read back to leave the hidden ones
/// out of the unread count of a member who has a block.
const HIDDEN_WALK: usize = 1_000;

/// What a notification points at, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationObjectView {
    /// `post`, `comment`, `conversation`, `contact_request`,
    /// `introduction`, `profile`, `position` or `inbox_item`.
    pub kind: &'static str,
    /// The id of a post, conversation, contact request, introduction or
    /// position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The handle of a profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

/// A notification as its recipient sees it (an item of
/// `GET /api/v1/notifications`, and what the real-time stream pushes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(serialize_with = "crate::ids::id_as_string")]
    pub id: i64,
    pub kind: NotificationKind,
    /// Who acted, most recent first: only those the reader may see.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub actors: Vec<Handle>,
    /// The same actors with their names, for pages.
    #[serde(skip)]
    pub actor_refs: Vec<ProfileRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<NotificationObjectView>,
    /// The page of the object, on this site.
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// When the last actor joined it (the list's order).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
    pub read: bool,
}

/// Which kinds a member is told of (`{kinds: {kind: bool}}`); on a change,
/// the kinds left out keep their setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, bool>))]
    pub kinds: BTreeMap<NotificationKind, bool>,
}

/// The unread notifications the reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    pub unread: u64,
}

/// A member's notifications.
#[derive(Clone)]
pub struct Notifications {
    core: Arc<Core>,
}

impl Notifications {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// The member's notifications, most recently grown first, `limit` a
    /// page (at most 100), each as [`Self::view_for`] shows it; the cursor
    /// is the position of the last one shown.
    pub async fn list(
        &self,
        viewer: &Viewer,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<NotificationView>> {
        let me = viewer.require()?;
        let after = cursor.map(parse_time_key::<i64>).transpose()?;
        let mut gather = Gather::new(limit, after);
        let mut items = Vec::new();
        while gather.wants() {
            let batch = self
                .core
                .store
                .notifications_of(me.identity.person, gather.after(), gather.batch())
                .await?;
            let short = batch.len() < gather.batch();
            for n in batch {
                let key = (n.updated_at, n.id);
                let view = self.view_for(&me.identity, &n).await?;
                let shown = view.is_some();
                if gather.offer(key, shown)
                    && let Some(v) = view
                {
                    items.push(v);
                }
                if !gather.wants() {
                    break;
                }
            }
            if short {
                break;
            }
        }
        let next = gather.next(|(at, id)| time_key(*at, id));
        Ok(Page { items, next })
    }

    /// A notification as `reader` may see it: the actors a block hides
    /// from him left out, `None` when nobody is left, when it is about a
    /// post he may no longer see, or when it is not his.
    pub async fn view_for(
        &self,
        reader: &ViewerIdentity,
        n: &Notification,
    ) -> Result<Option<NotificationView>> {
        if n.recipient != reader.person {
            return Ok(None);
        }
        let lens =
            Lens::new(Some(reader.clone()), self.core.network.clone()).at(self.core.clock.now());
        // A muted member's acts leave the notifications (he is not told).
        let visible: Vec<ProfileId> = n
            .actors
            .iter()
            .copied()
            .filter(|a| !lens.hides(*a) && !lens.mutes(*a))
            .collect();
        if visible.is_empty() {
            return Ok(None);
        }
        if n.kind.concerns_a_post()
            && let Some(NotificationObject::Post(post)) = n.object
            && !self.may_see_post(&lens, post).await?
        {
            return Ok(None);
        }
        let mut actor_refs = Vec::with_capacity(visible.len());
        for a in visible {
            match self.profile_ref(a).await {
                Ok(r) => actor_refs.push(r),
                // An actor who left the instance is no longer shown.
                Err(Error::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        if actor_refs.is_empty() {
            return Ok(None);
        }
        let (object, url) = self.object_view(reader, n.object).await?;
        Ok(Some(NotificationView {
            id: n.id,
            kind: n.kind,
            actors: actor_refs.iter().map(|r| r.handle.clone()).collect(),
            actor_refs,
            object,
            url,
            created_at: n.created_at,
            updated_at: n.updated_at,
            read: n.read,
        }))
    }

    /// Marks the member's notifications up to `up_to` (an id from the
    /// list, the newest he saw) read; answers the unread count left.
    pub async fn mark_read(&self, viewer: &Viewer, up_to: &str) -> Result<UnreadCount> {
        let me = viewer.require()?;
        // An id as the API writes them: 1 to 18 digits.
        let well_formed =
            (1..=18).contains(&up_to.len()) && up_to.bytes().all(|b| b.is_ascii_digit());
        let up_to = parse_id_key(up_to)
            .ok()
            .filter(|_| well_formed)
            .ok_or_else(|| Error::invalid("up_to", "invalid", "not a notification id"))?;
        self.core
            .store
            .mark_notifications_read(me.identity.person, up_to)
            .await?;
        self.unread(viewer).await
    }

    /// A member's unread notifications that grew after `since` and up to
    /// `until`, newest first, as his lens shows them now (his e-mail
    /// digest); at most 200.
    pub async fn unread_between(
        &self,
        account: crate::AccountId,
        since: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<NotificationView>> {
        let Some(acc) = self.core.store.account(account).await? else {
            return Ok(Vec::new());
        };
        let reader = ViewerIdentity {
            person: acc.person,
            operated: self.core.store.roles_of_account(account).await?,
            moderator: false,
        };
        let mut out = Vec::new();
        let mut before = None;
        loop {
            let page = self
                .core
                .store
                .notifications_of(acc.person, before, 200)
                .await?;
            let Some(last) = page.last() else {
                return Ok(out);
            };
            before = Some((last.updated_at, last.id));
            for n in &page {
                if n.updated_at <= since || out.len() == 200 {
                    return Ok(out);
                }
                if n.updated_at <= until
                    && !n.read
                    && let Some(view) = self.view_for(&reader, n).await?
                {
                    out.push(view);
                }
            }
        }
    }

    /// How many unread notifications the member would be shown. For a
    /// member who has a block, the most recent [`HIDDEN_WALK`] are read to
    /// leave out those with nobody left to show.
    pub async fn unread(&self, viewer: &Viewer) -> Result<UnreadCount> {
        let me = viewer.require()?;
        let person = me.identity.person;
        let total = self.core.store.unread_notifications(person).await?;
        let lens = Lens::new(Some(me.identity.clone()), self.core.network.clone())
            .at(self.core.clock.now());
        if total == 0 || !lens.hides_anyone() {
            return Ok(UnreadCount { unread: total });
        }
        let mut hidden = 0u64;
        let mut walked = 0;
        let mut after = None;
        while walked < HIDDEN_WALK {
            let batch = self.core.store.notifications_of(person, after, 200).await?;
            let Some(last) = batch.last() else { break };
            after = Some((last.updated_at, last.id));
            walked += batch.len();
            hidden += batch
                .iter()
                .filter(|n| !n.read && n.actors.iter().all(|a| lens.hides(*a)))
                .count() as u64;
            if batch.len() < 200 {
                break;
            }
        }
        Ok(UnreadCount {
            unread: total.saturating_sub(hidden),
        })
    }

    /// Every kind, and whether the member is told of it.
    pub async fn settings(&self, viewer: &Viewer) -> Result<NotificationSettings> {
        let me = viewer.require()?;
        let off = self
            .core
            .store
            .muted_notification_kinds(me.identity.person)
            .await?;
        Ok(NotificationSettings {
            kinds: NotificationKind::ALL
                .into_iter()
                .map(|k| (k, !off.contains(&k)))
                .collect(),
        })
    }

    /// Switches the kinds given on or off; answers every kind's setting.
    pub async fn set_settings(
        &self,
        viewer: &Viewer,
        change: &NotificationSettings,
    ) -> Result<NotificationSettings> {
        let me = viewer.require()?;
        for (kind, on) in &change.kinds {
            self.core
                .store
                .set_notification_kind(me.identity.person, *kind, *on)
                .await?;
        }
        self.settings(viewer).await
    }

    /// A handle on the notifications projection, to re-apply events from an
    /// earlier cursor as the dispatcher does after a failure (it changes
    /// nothing already applied).
    pub fn projection(&self) -> Arc<dyn Projection> {
        Arc::new(NotificationsProjection::new(self.core.clone()))
    }

    async fn may_see_post(&self, lens: &Lens, post: i64) -> Result<bool> {
        let Some(p) = self.core.store.post(post).await? else {
            return Ok(false);
        };
        Ok(lens.stored_post(&p, self.core.clock.now()).is_some())
    }

    async fn profile_ref(&self, id: ProfileId) -> Result<ProfileRef> {
        self.core.person_ref(id).await
    }

    async fn object_view(
        &self,
        reader: &ViewerIdentity,
        object: Option<NotificationObject>,
    ) -> Result<(Option<NotificationObjectView>, String)> {
        let with_id = |kind, id: i64| NotificationObjectView {
            kind,
            id: Some(id.to_string()),
            handle: None,
        };
        Ok(match object {
            None => (None, "/notifications".to_owned()),
            Some(NotificationObject::Post(id)) => {
                (Some(with_id("post", id)), format!("/posts/{id}"))
            }
            Some(NotificationObject::Comment(id)) => {
                let url = match self.core.store.comment(id).await? {
                    Some(c) => format!("/posts/{}", c.post),
                    None => "/notifications".to_owned(),
                };
                (Some(with_id("comment", id)), url)
            }
            Some(NotificationObject::Conversation(id)) => {
                (Some(with_id("conversation", id)), format!("/messages/{id}"))
            }
            Some(NotificationObject::ContactRequest(id)) => (
                Some(with_id("contact_request", id)),
                "/network#requests".to_owned(),
            ),
            Some(NotificationObject::Introduction(id)) => (
                Some(with_id("introduction", id)),
                format!("/introductions#introduction-{id}"),
            ),
            Some(NotificationObject::Profile(p)) => match self.core.profile_ref_of(p).await {
                Ok(r) => (
                    Some(NotificationObjectView {
                        kind: "profile",
                        id: None,
                        handle: Some(r.handle.to_string()),
                    }),
                    format!("/@{}", r.handle),
                ),
                // A profile that is gone is named no more.
                Err(Error::NotFound) => (None, "/notifications".to_owned()),
                Err(e) => return Err(e),
            },
            Some(NotificationObject::InboxItem(id)) => {
                (Some(with_id("inbox_item", id)), format!("/inbox/{id}"))
            }
            Some(NotificationObject::Group(g)) => {
                // Named only to a reader who may see the group.
                let lens = Lens::new(Some(reader.clone()), self.core.network.clone())
                    .at(self.core.clock.now());
                match (lens.group(g), self.core.network.group_card(g)) {
                    (Some(_), Some(card)) => (
                        Some(NotificationObjectView {
                            kind: "group",
                            id: None,
                            handle: Some(card.handle.to_string()),
                        }),
                        format!("/groups/{}", card.handle),
                    ),
                    _ => (None, "/notifications".to_owned()),
                }
            }
            Some(NotificationObject::Decision(id)) => (
                Some(with_id("decision", id)),
                format!("/moderation/decisions/{id}"),
            ),
            Some(NotificationObject::Position(id)) => {
                let me = self.core.person_ref(reader.person).await?;
                (Some(with_id("position", id)), format!("/@{}", me.handle))
            }
        })
    }
}

/// Derives the notifications from the change events. Persistent: its
/// checkpoint is saved with each batch's notifications in one transaction,
/// so a replayed event never notifies twice. Nobody waits for it before
/// answering a write.
///
/// A run of events that notifies nobody saves no checkpoint until
/// [`CHECKPOINT_EVERY`] events have passed, so that unrelated writes do not
/// each pay for one more write; replaying such a run after a restart
/// notifies nobody either (the rules read the same events), except where
/// a member meanwhile switched a kind back on or lifted a block.
pub(crate) struct NotificationsProjection {
    core: Arc<Core>,
    /// The checkpoint last saved.
    saved: AtomicI64,
}

impl NotificationsProjection {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            saved: AtomicI64::new(0),
        }
    }
}

#[async_trait]
impl Projection for NotificationsProjection {
    fn name(&self) -> &'static str {
        NOTIFICATIONS_CHECKPOINT
    }

    async fn start(&self) -> Result<i64> {
        // Never ran here: nothing that happened before is notified now.
        let at = self
            .core
            .store
            .checkpoint(NOTIFICATIONS_CHECKPOINT)
            .await?
            .unwrap_or(self.core.loaded_at);
        self.saved.store(at, Ordering::Relaxed);
        Ok(at)
    }

    async fn apply(&self, events: &[Arc<Event>]) -> Result<()> {
        let Some(last) = events.last().map(|e| e.seq) else {
            return Ok(());
        };
        let mut batch = Batch::new(&self.core);
        let mut drafts = Vec::new();
        for e in events {
            let mentioned = self.core.mentioned(&e.change).await?;
            let followers = match &e.change {
                Change::PostPublished {
                    group: Some(g),
                    reshare_of: None,
                    ..
                } => self.core.store.close_followers(*g).await?,
                _ => Vec::new(),
            };
            for a in notification::addressees(&e.change, &mentioned, &followers) {
                for person in batch.persons_told(&a).await? {
                    let Some(d) = notification::draft(&a, person, e) else {
                        continue;
                    };
                    if batch.allows(&d).await? {
                        drafts.push(d);
                    }
                }
            }
        }
        if drafts.is_empty() && last - self.saved.load(Ordering::Relaxed) < CHECKPOINT_EVERY {
            return Ok(());
        }
        self.core
            .store
            .apply_notifications(&drafts, (NOTIFICATIONS_CHECKPOINT, last))
            .await?;
        self.saved.store(last, Ordering::Relaxed);
        Ok(())
    }

    fn read_your_writes(&self) -> bool {
        false
    }
}

/// What one batch of events reads from the store, read once.
struct Batch<'a> {
    core: &'a Core,
    lenses: HashMap<ProfileId, Option<Lens>>,
    muted: HashMap<ProfileId, Vec<NotificationKind>>,
    posts: HashMap<i64, Option<crate::post::Post>>,
    now: OffsetDateTime,
}

impl<'a> Batch<'a> {
    fn new(core: &'a Core) -> Self {
        Self {
            core,
            lenses: HashMap::new(),
            muted: HashMap::new(),
            posts: HashMap::new(),
            now: core.clock.now(),
        }
    }

    /// The persons told in the addressee's place: himself, or the managers
    /// of a page whose role hears of this kind.
    async fn persons_told(&mut self, a: &Addressee) -> Result<Vec<ProfileId>> {
        if self.core.network.card(a.profile).is_some() {
            return Ok(vec![a.profile]);
        }
        let Some(p) = self.core.store.profile(a.profile).await? else {
            return Ok(Vec::new());
        };
        if p.kind == ProfileKind::Person {
            return Ok(vec![p.id]);
        }
        let mut out = Vec::new();
        for m in self.core.store.managers(p.id).await? {
            if !a.kind.for_page_role(m.role) {
                continue;
            }
            if let Some(account) = self.core.store.account(m.account).await?
                && !out.contains(&account.person)
            {
                out.push(account.person);
            }
        }
        Ok(out)
    }

    /// Whether the draft may be kept: the recipient has not switched its
    /// kind off, no block hides the actor from him, and he may see the
    /// post it is about.
    async fn allows(&mut self, d: &NotificationDraft) -> Result<bool> {
        if !self.muted.contains_key(&d.recipient) {
            let off = self
                .core
                .store
                .muted_notification_kinds(d.recipient)
                .await?;
            self.muted.insert(d.recipient, off);
        }
        if self.muted[&d.recipient].contains(&d.kind) {
            return Ok(false);
        }
        let Some(lens) = self.lens(d.recipient).await? else {
            return Ok(false);
        };
        let relation = if lens.hides(d.actor) {
            None
        } else {
            lens.relation(d.actor)
        };
        let Some(relation) = relation else {
            return Ok(false);
        };
        // A page's post in a group is its managers' own act.
        if d.kind == NotificationKind::GroupPost && relation == Relation::Itself {
            return Ok(false);
        }
        if d.kind.concerns_a_post()
            && let Some(NotificationObject::Post(id)) = d.object
        {
            let Some(post) = self.post(id).await? else {
                return Ok(false);
            };
            let (author, audience, group, published_at) =
                (post.author, post.audience, post.group, post.published_at);
            return Ok(lens
                .post(author, audience, group, published_at, self.now)
                .is_some());
        }
        Ok(true)
    }

    /// The recipient's lens, `None` when he has no account any more.
    async fn lens(&mut self, person: ProfileId) -> Result<Option<Lens>> {
        if let Some(l) = self.lenses.get(&person) {
            return Ok(l.clone());
        }
        let lens = match self.core.store.profile(person).await? {
            Some(p) => match p.account {
                Some(account) => {
                    let operated = self.core.store.roles_of_account(account).await?;
                    Some(Lens::new(
                        Some(ViewerIdentity {
                            person,
                            operated,
                            moderator: false,
                        }),
                        self.core.network.clone(),
                    ))
                }
                None => None,
            },
            None => None,
        };
        self.lenses.insert(person, lens.clone());
        Ok(lens)
    }

    async fn post(&mut self, id: i64) -> Result<Option<&crate::post::Post>> {
        if !self.posts.contains_key(&id) {
            let p = self.core.store.post(id).await?;
            self.posts.insert(id, p);
        }
        Ok(self.posts[&id].as_ref())
    }
}
