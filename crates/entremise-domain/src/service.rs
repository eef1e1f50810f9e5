//! The use cases: what a person can do, whichever front end he uses.
//!
//! One service per area ([`Accounts`], [`Profiles`], [`Pages`],
//! [`Contacts`], [`Introductions`], [`Conversations`], [`Posts`],
//! [`Search`], [`Visits`], [`Mail`], [`Notifications`], [`Inbox`], [`Streams`],
//! [`Monitoring`]) over a shared
//! [`Core`] of ports, in-memory state
//! and clock; an area that needs another holds it as a field, so every
//! dependency between areas is written down. JSON handlers and HTML pages
//! reach them through [`Entremise`] (`app.posts().feed(..)`), each handler
//! one call to one use case. Each use case asks the viewer's
//! [`crate::privacy::Lens`] what he may see or do.

mod accounts;
mod admin;
mod contacts;
mod conversations;
mod core;
mod groups;
mod inbox;
mod introductions;
mod mail;
mod moderation;
mod monitoring;
mod notifications;
mod outreach;
mod pages;
mod posts;
mod profiles;
mod projections;
mod search;
mod streams;
mod visits;

use crate::clock::Clock;
use crate::ids::{AccountId, SessionId};
use crate::locale::Locale;
use crate::media::MediaStore;
use crate::network::{Network, NetworkBuilder};
use crate::privacy::ViewerIdentity;
use crate::search::SearchIndex;
use crate::store::Store;
use crate::timeline::Timelines;
use crate::validate::Handle;
use crate::{Error, Result};
use std::sync::Arc;
use time::Duration;

pub use self::core::Core;
pub use accounts::{Accounts, SignedInSession};
pub use admin::{
    Admin, Dashboard, INSTANCE_TEXTS, InstanceInfo, InstanceSettings, InstanceSettingsInput,
    PendingSignup, QueueAge, StaffView,
};
pub use contacts::{
    Connection, ContactHealth, ContactList, ContactRequestInput, Contacts, MAX_PENDING,
    MAX_PER_WEEK, NetworkHealth, PathView, Relayer, Suggestion,
};
pub use conversations::{ConversationList, Conversations, MessagePage, NewConversationInput};
pub use groups::{
    CoverInput, ExpertView, GroupActions, GroupCreated, GroupEditInput, GroupSummary, GroupView,
    Groups, JoinAnswer, MemberFilter, MemberView, MyMembership, MySettingsInput, NewGroupInput,
};
pub use inbox::{
    ActInput, Inbox, InboxFilter, InboxItemView, InboxPage, InboxSettingsView, InboxStats,
    MAX_INBOX_LIMIT, MAX_KEYWORD_CHARS, MAX_KEYWORD_FILTERS,
};
pub use introductions::{
    IntroductionInput, IntroductionRole, IntroductionView, Introductions, NoteView,
};
pub use mail::{Mail, UnsubscribeCheck, UnsubscribeTarget};
pub use moderation::{
    DecisionInput, DecisionView, HeldComment, LOG_SHOWN, LogView, MemberHistory, Moderation,
    MyReport, QueueItem, QueueReport, REPORTS_PER_HOUR, Snapshot, TargetView,
};
pub use monitoring::{CHECK_WAIT, Check, Figures, Health, Monitoring, ProjectionFigures};
pub use notifications::{
    NotificationObjectView, NotificationSettings, NotificationView, Notifications, UnreadCount,
};
use outreach::Outreach;
pub use pages::{
    ContactFormRequest, Executive, NewPageRequest, OfficeRequest, PageDetails, Pages,
    PositionRequest, ServiceRequest,
};
pub use posts::{
    AuthorPosts, CommentEdit, CommentView, FeedPage, ImageView, MAX_FEED_LIMIT, MediaView,
    NewPostInput, PostHistory, PostView, Posts, Reshared, parse_cursor,
};
pub use profiles::{PROFILE_PAGE_POSTS, ProfilePage, Profiles};
pub use search::{
    MAX_DEPTH, MAX_LIMIT, MAX_QUERY_CHARS, MAX_QUERY_WORDS, SUGGESTIONS, Search, SearchPage,
    SearchRequest, SearchResult, post_snippet, rebuild_post_index, rebuild_search_index,
};
pub use streams::{OpenStream, REPLAY_MAX_EVENTS, Streams};
pub use visits::{
    KindStats, MAX_VISITORS, PageStats, PostStats, STATS_POSTS, VISITS_WINDOW_DAYS, Visitor,
    VisitorsPage, Visits,
};

/// Tunable limits of the use cases.
#[derive(Debug, Clone)]
pub struct DomainConfig {
    pub web_session_lifetime: Duration,
    pub api_session_lifetime: Duration,
    /// Failed sign-ins on one account from one client address that pass at
    /// once; each next one waits twice as long as the previous (2 s, 4 s…),
    /// at most `login_delay_cap`, until failures leave the window.
    pub login_free_failures_per_client: usize,
    pub login_delay_cap: Duration,
    /// Failed sign-ins allowed per account from all clients together (a
    /// ceiling against guessing spread over many addresses), then per
    /// client address, per window.
    pub login_failures_per_account: usize,
    pub login_failures_per_ip: usize,
    pub login_window: Duration,
    /// Contact-form messages per sender address per hour.
    pub contact_form_per_hour: usize,
    /// Sign-up attempts per IP address per hour, whatever their outcome.
    pub signups_per_ip_per_hour: usize,
    /// Messages one member may post per minute.
    pub messages_per_minute: usize,
    /// Passwords hashed or checked at once (argon2 is slow and takes memory).
    pub password_hashes_at_once: usize,
    /// How long a sign-in or sign-up waits for its turn to hash before it is
    /// answered busy.
    pub password_hash_wait: Duration,
    /// Bytes of images one account may keep (every copy of every upload).
    pub media_quota_bytes: u64,
    /// Uploads one account may hold that no post holds yet.
    pub unattached_media_max: u64,
    /// How long an upload no post holds is kept before it is collected.
    pub unattached_media_kept: Duration,
    /// Real-time streams one member may hold open at once on a node (tabs,
    /// devices); opening one more closes his oldest.
    pub streams_per_member: usize,
}

impl DomainConfig {
    /// The throughput limits (messages, sign-ups, contact-form messages)
    /// multiplied by `factor`, at least one each; the guards against
    /// password guessing are left as they are.
    pub fn scaled(self, factor: f64) -> Self {
        let scale = |n: usize| ((n as f64 * factor).round() as usize).max(1);
        Self {
            messages_per_minute: scale(self.messages_per_minute),
            signups_per_ip_per_hour: scale(self.signups_per_ip_per_hour),
            contact_form_per_hour: scale(self.contact_form_per_hour),
            ..self
        }
    }
}

impl Default for DomainConfig {
    fn default() -> Self {
        Self {
            web_session_lifetime: Duration::days(30),
            api_session_lifetime: Duration::days(90),
            login_free_failures_per_client: 3,
            login_delay_cap: Duration::minutes(15),
            login_failures_per_account: 100,
            login_failures_per_ip: 50,
            login_window: Duration::minutes(15),
            contact_form_per_hour: 10,
            signups_per_ip_per_hour: 20,
            messages_per_minute: 120,
            password_hashes_at_once: std::thread::available_parallelism()
                .map_or(2, |n| n.get() * 2)
                .max(2),
            password_hash_wait: Duration::seconds(2),
            media_quota_bytes: 2 * 1024 * 1024 * 1024,
            unattached_media_max: 50,
            unattached_media_kept: Duration::hours(24),
            streams_per_member: crate::realtime::STREAMS_PER_MEMBER,
        }
    }
}

/// Who is asking. Built once per request from the session, if any.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub signed_in: Option<SignedIn>,
}

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: AccountId,
    pub session: SessionId,
    pub handle: Handle,
    pub name: String,
    pub locale: Locale,
    pub identity: ViewerIdentity,
    /// He administers the instance (`/admin`).
    pub admin: bool,
}

impl Viewer {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn identity(&self) -> Option<&ViewerIdentity> {
        self.signed_in.as_ref().map(|s| &s.identity)
    }

    pub fn require(&self) -> Result<&SignedIn> {
        self.signed_in.as_ref().ok_or(Error::Unauthenticated)
    }
}

/// The application: every area's service over one [`Core`].
pub struct Entremise {
    core: Arc<Core>,
    monitoring: Monitoring,
    accounts: Accounts,
    profiles: Profiles,
    pages: Pages,
    contacts: Contacts,
    introductions: Introductions,
    conversations: Conversations,
    posts: Posts,
    search: Search,
    visits: Visits,
    mail: Mail,
    notifications: Notifications,
    streams: Streams,
    inbox: Inbox,
    groups: Groups,
    moderation: Moderation,
    admin: Admin,
}

/// The in-memory state loaded from the store, and where the outbox stood
/// when the load began: the projections that keep it apply every event
/// after `at` (one the load already saw changes nothing).
pub struct Loaded {
    pub network: Arc<Network>,
    pub timelines: Arc<Timelines>,
    pub at: i64,
}

/// Loads the contact network from the store: every person, whether he
/// relays introductions, every contact and every block. `progress` is told
/// how many contacts are loaded so far.
pub async fn load_network(store: &dyn Store, mut progress: impl FnMut(usize)) -> Result<Network> {
    let mut builder = NetworkBuilder::new();
    let mut after = None;
    loop {
        let page = store
            .list_profiles(Some(crate::profile::ProfileKind::Person), after, 10_000)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for p in &page {
            builder.add_member(
                p.id,
                p.settings.relay_introductions,
                crate::network::card_of(p),
            );
        }
    }
    let mut loaded = 0;
    let mut after = None;
    loop {
        let page = store.contacts_page(after, 100_000).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.0, last.1));
        for (a, b, _) in &page {
            builder.add_contact(*a, *b);
        }
        loaded += page.len();
        progress(loaded);
    }
    for (a, b) in store.all_blocks().await? {
        builder.add_block(a, b);
    }
    let mut after = None;
    loop {
        let page = store.groups_page(after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for g in &page {
            builder.add_group(g.id, crate::network::group_card_of(g));
        }
    }
    let mut after = None;
    loop {
        let page = store.memberships_page(after, 100_000).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.group, last.member));
        for m in &page {
            builder.add_membership(m.group, m.member, m.membership);
            if m.muted {
                builder.mute_group(m.member, m.group);
            }
        }
    }
    for (muter, muted) in store.all_mutes().await? {
        builder.add_mute(muter, muted);
    }
    for (member, words) in store.all_muted_words().await? {
        builder.set_muted_words(member, words);
    }
    for (member, sanction) in store.all_sanctions().await? {
        builder.add_sanction(member, sanction);
    }
    builder.build()
}

/// Loads every post's feed key from the store; `progress` is told how many
/// are loaded so far.
pub async fn load_timelines(
    store: &dyn Store,
    mut progress: impl FnMut(usize),
) -> Result<Timelines> {
    let timelines = Timelines::new();
    let mut after = None;
    let mut loaded = 0;
    loop {
        let page = store.post_keys(after, 100_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.2.id);
        loaded += page.len();
        timelines.extend(page);
        progress(loaded);
    }
    timelines.shrink_to_fit();
    Ok(timelines)
}

impl Entremise {
    pub fn new(
        store: Arc<dyn Store>,
        index: Arc<dyn SearchIndex>,
        media: Arc<dyn MediaStore>,
        clock: Arc<dyn Clock>,
        loaded: Loaded,
        config: DomainConfig,
    ) -> Self {
        let core = Arc::new(Core {
            store,
            index,
            media,
            clock,
            network: loaded.network,
            timelines: loaded.timelines,
            config,
            loaded_at: loaded.at,
            dispatcher: std::sync::OnceLock::new(),
        });
        let visits = Visits::new(core.clone());
        let search = Search::new(core.clone());
        let outreach = Outreach::new(core.clone());
        let accounts = Accounts::new(core.clone());
        let contacts = Contacts::new(core.clone(), outreach.clone());
        let introductions = Introductions::new(core.clone(), outreach);
        let conversations = Conversations::new(core.clone());
        let mail = Mail::new(core.clone());
        let notifications = Notifications::new(core.clone());
        let inbox = Inbox::new(core.clone());
        let groups = Groups::new(core.clone());
        let moderation = Moderation::new(core.clone());
        let admin = Admin::new(core.clone());
        let streams = Streams::new(
            core.clone(),
            conversations.clone(),
            notifications.clone(),
            inbox.clone(),
        );
        let monitoring = Monitoring::new(core.clone(), streams.clone());
        let posts = Posts::new(core.clone(), visits.clone());
        let pages = Pages::new(core.clone(), visits.clone());
        let profiles = Profiles::new(
            core.clone(),
            visits.clone(),
            pages.clone(),
            contacts.clone(),
            posts.clone(),
        );
        let projections: Vec<Arc<dyn crate::events::Projection>> = vec![
            Arc::new(projections::NetworkProjection { core: core.clone() }),
            Arc::new(projections::TimelinesProjection { core: core.clone() }),
            Arc::new(projections::SearchProjection {
                core: core.clone(),
                saved: Default::default(),
            }),
            Arc::new(projections::SessionsProjection {
                core: core.clone(),
                accounts: accounts.clone(),
            }),
            Arc::new(notifications::NotificationsProjection::new(core.clone())),
            Arc::new(inbox::InboxProjection::new(core.clone())),
            Arc::new(streams::StreamsProjection {
                core: core.clone(),
                streams: streams.clone(),
            }),
        ];
        let log: Arc<dyn crate::events::EventLog> = core.store.clone();
        let dispatcher = crate::events::Dispatcher::start(log, projections);
        if core.dispatcher.set(dispatcher).is_err() {
            unreachable!("the dispatcher is started once, here");
        }
        Self {
            core,
            monitoring,
            accounts,
            profiles,
            pages,
            contacts,
            introductions,
            conversations,
            posts,
            search,
            visits,
            mail,
            notifications,
            streams,
            inbox,
            groups,
            moderation,
            admin,
        }
    }

    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    pub fn profiles(&self) -> &Profiles {
        &self.profiles
    }

    pub fn pages(&self) -> &Pages {
        &self.pages
    }

    pub fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    pub fn introductions(&self) -> &Introductions {
        &self.introductions
    }

    pub fn conversations(&self) -> &Conversations {
        &self.conversations
    }

    pub fn posts(&self) -> &Posts {
        &self.posts
    }

    pub fn search(&self) -> &Search {
        &self.search
    }

    pub fn visits(&self) -> &Visits {
        &self.visits
    }

    pub fn mail(&self) -> &Mail {
        &self.mail
    }

    pub fn notifications(&self) -> &Notifications {
        &self.notifications
    }

    /// The follow-up inbox of each account.
    pub fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    /// Groups (hubs): running, joining, members, the expert directory.
    pub fn groups(&self) -> &Groups {
        &self.groups
    }

    /// Mutes, reports, the moderation queues and their log.
    pub fn moderation(&self) -> &Moderation {
        &self.moderation
    }

    /// Instance administration.
    pub fn admin(&self) -> &Admin {
        &self.admin
    }

    /// Real-time streams and typing pings.
    pub fn streams(&self) -> &Streams {
        &self.streams
    }

    /// The health check and the node's figures, for operators.
    pub fn monitoring(&self) -> &Monitoring {
        &self.monitoring
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.core.store
    }

    pub fn media_store(&self) -> &Arc<dyn MediaStore> {
        &self.core.media
    }

    pub fn search_index(&self) -> &Arc<dyn SearchIndex> {
        &self.core.index
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.core.clock
    }

    pub fn network(&self) -> &Arc<Network> {
        &self.core.network
    }

    pub fn timelines(&self) -> &Arc<Timelines> {
        &self.core.timelines
    }

    /// Deletes the change events older than [`crate::events::EVENTS_KEPT`]
    /// that every projection of this node has applied; returns how many.
    pub async fn compact_events(&self) -> Result<u64> {
        let up_to = self.dispatcher().applied_everywhere();
        let before = self.core.clock.now() - crate::events::EVENTS_KEPT;
        self.core.store.compact_events(before, up_to).await
    }

    /// The dispatcher of change events to the projections.
    pub fn dispatcher(&self) -> &crate::events::Dispatcher {
        self.core
            .dispatcher
            .get()
            .expect("the dispatcher starts with the application")
    }
}

/// The projections' tasks hold the core: they stop with the application.
impl Drop for Entremise {
    fn drop(&mut self) {
        if let Some(d) = self.core.dispatcher.get() {
            d.stop();
        }
    }
}

/// Runs CPU-heavy work (password hashing) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::internal(format!("blocking task: {e}")))
}
