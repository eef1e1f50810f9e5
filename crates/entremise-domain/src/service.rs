//! The use cases: what a person can do, whichever front end he uses.
//!
//! JSON handlers and HTML pages both call [`Entremise`]; it loads what it
//! needs from the [`Store`], asks [`crate::privacy`] what the viewer may
//! see or do, and writes.

mod accounts;
mod contacts;
mod conversations;
mod introductions;
mod pages;
mod posts;
mod profiles;
mod search;
mod visits;

use crate::clock::Clock;
use crate::ids::{AccountId, ProfileId, SessionId};
use crate::locale::Locale;
use crate::media::MediaStore;
use crate::network::{Network, NetworkBuilder};
use crate::privacy::{Lens, Relation, ViewerIdentity};
use crate::profile::Profile;
use crate::ratelimit::RateLimiter;
use crate::search::SearchIndex;
use crate::store::Store;
use crate::timeline::Timelines;
use crate::validate::Handle;
use crate::{Error, Result};
use std::sync::Arc;
use time::Duration;

pub use accounts::SignedInSession;
pub use contacts::{Connection, ContactRequestInput, PathView, Suggestion};
pub use conversations::{ContactHealth, MessagePage, NetworkHealth, NewConversationInput, Relayer};
pub use introductions::{IntroductionInput, IntroductionRole, IntroductionView, NoteView};
pub use pages::{
    ContactFormRequest, Executive, NewPageRequest, OfficeRequest, PageDetails, PositionRequest,
    ServiceRequest,
};
pub use posts::{
    CommentView, FeedPage, ImageView, MAX_FEED_LIMIT, MediaView, NewPostInput, PostView, Reshared,
};
pub use profiles::{PROFILE_PAGE_POSTS, ProfilePage};
pub use search::{
    MAX_DEPTH, MAX_LIMIT, MAX_QUERY_CHARS, SUGGESTIONS, SearchPage, SearchRequest, SearchResult,
    rebuild_search_index,
};
pub use visits::{
    KindStats, MAX_VISITORS, PageStats, PostStats, STATS_POSTS, VISITS_WINDOW_DAYS, Visitor,
    VisitorsPage,
};

/// Tunable limits of the use cases.
#[derive(Debug, Clone)]
pub struct DomainConfig {
    pub web_session_lifetime: Duration,
    pub api_session_lifetime: Duration,
    /// Failed sign-ins allowed per account, then per IP address, per window.
    pub login_failures_per_account: usize,
    pub login_failures_per_ip: usize,
    pub login_window: Duration,
    /// Contact-form messages per sender address per hour.
    pub contact_form_per_hour: usize,
    /// Sign-up attempts per IP address per hour, whatever their outcome.
    pub signups_per_ip_per_hour: usize,
    /// Messages one member may post per minute.
    pub messages_per_minute: usize,
}

impl Default for DomainConfig {
    fn default() -> Self {
        Self {
            web_session_lifetime: Duration::days(30),
            api_session_lifetime: Duration::days(90),
            login_failures_per_account: 10,
            login_failures_per_ip: 50,
            login_window: Duration::minutes(15),
            contact_form_per_hour: 10,
            signups_per_ip_per_hour: 20,
            messages_per_minute: 120,
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

pub struct Entremise {
    store: Arc<dyn Store>,
    search: Arc<dyn SearchIndex>,
    media: Arc<dyn MediaStore>,
    clock: Arc<dyn Clock>,
    network: Arc<Network>,
    /// Every author's post keys, for the feed (see [`crate::timeline`]).
    timelines: Arc<Timelines>,
    config: DomainConfig,
    login_by_account: RateLimiter,
    login_by_ip: RateLimiter,
    contact_form_limit: RateLimiter,
    signup_limit: RateLimiter,
    /// Tries at e-mail or invitation-code proof, per requester.
    proof_limit: RateLimiter,
    message_limit: RateLimiter,
    /// Introduction paths refused to each requester this week: they count
    /// against his weekly bound, so paths cannot probe who knows whom.
    path_tries: RateLimiter,
    /// Recently authenticated sessions, by token hash, so that a signed-in
    /// request costs no database read. Cleared whenever sessions, roles or
    /// an account's locale change.
    viewers: std::sync::Mutex<std::collections::HashMap<String, (Viewer, time::OffsetDateTime)>>,
    /// Pages each member follows (see `followed`), cleared by his follows.
    followed: std::sync::Mutex<std::collections::HashMap<ProfileId, Arc<Vec<ProfileId>>>>,
    /// Tie weights of members' contacts, kept a minute (see `ties_of`).
    ties: std::sync::Mutex<std::collections::HashMap<i64, (TieWeights, time::OffsetDateTime)>>,
}

/// The weight of each of one member's ties, by the contact's id.
pub(crate) type TieWeights = Arc<std::collections::HashMap<i64, f32>>;

/// How long an authenticated session is trusted without reading the store.
const VIEWER_CACHE_TTL: time::Duration = time::Duration::seconds(30);

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
        after = Some(last.1.id);
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
        search: Arc<dyn SearchIndex>,
        media: Arc<dyn MediaStore>,
        clock: Arc<dyn Clock>,
        network: Arc<Network>,
        timelines: Arc<Timelines>,
        config: DomainConfig,
    ) -> Self {
        Self {
            login_by_account: RateLimiter::new(
                config.login_failures_per_account,
                config.login_window,
            ),
            login_by_ip: RateLimiter::new(config.login_failures_per_ip, config.login_window),
            contact_form_limit: RateLimiter::new(config.contact_form_per_hour, Duration::hours(1)),
            signup_limit: RateLimiter::new(config.signups_per_ip_per_hour, Duration::hours(1)),
            proof_limit: RateLimiter::new(10, Duration::hours(1)),
            message_limit: RateLimiter::new(config.messages_per_minute, Duration::minutes(1)),
            path_tries: RateLimiter::new(contacts::MAX_PER_WEEK as usize, Duration::days(7)),
            viewers: std::sync::Mutex::new(std::collections::HashMap::new()),
            ties: std::sync::Mutex::new(std::collections::HashMap::new()),
            followed: std::sync::Mutex::new(std::collections::HashMap::new()),
            store,
            search,
            media,
            clock,
            network,
            timelines,
            config,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn media_store(&self) -> &Arc<dyn MediaStore> {
        &self.media
    }

    pub fn search_index(&self) -> &Arc<dyn SearchIndex> {
        &self.search
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn network(&self) -> &Arc<Network> {
        &self.network
    }

    pub fn timelines(&self) -> &Arc<Timelines> {
        &self.timelines
    }

    /// Forgets every cached session (after a sign-out, a revocation, a
    /// change of roles or of language).
    pub(crate) fn forget_viewers(&self) {
        self.viewers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The viewer's privacy lens: every question of PRIVACY.md about what
    /// he may see is answered by it. Built once per use case.
    pub(crate) fn lens(&self, viewer: &Viewer) -> Lens {
        Lens::new(viewer.identity().cloned(), self.network.clone())
    }

    /// Loads a profile the viewer may know exists.
    pub(crate) async fn visible_profile(
        &self,
        viewer: &Viewer,
        handle: &str,
    ) -> Result<(Profile, Relation)> {
        let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
        let profile = self
            .store
            .profile_by_handle(&handle)
            .await?
            .ok_or(Error::NotFound)?;
        let relation = self.lens(viewer).relation_or_not_found(profile.id)?;
        Ok((profile, relation))
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
