//! What contact requests and introductions share: the bounds on reaching
//! out (pending, per week, refused paths) and the weight of each tie that
//! ranks introduction paths.

use super::contacts::MAX_PENDING;
use super::{Core, MAX_PER_WEEK, Viewer};
use crate::error::{Error, Result};
use crate::ids::ProfileId;
use crate::privacy::Relation;
use crate::profile::Profile;
use crate::ratelimit::RateLimiter;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// The weight of each of one member's ties, by the contact's id.
type TieWeights = Arc<HashMap<i64, f32>>;

/// Reaching out: shared by [`super::Contacts`] and [`super::Introductions`].
#[derive(Clone)]
pub struct Outreach {
    core: Arc<Core>,
    /// Introduction paths refused to each requester this week: they count
    /// against his weekly bound, so paths cannot probe who knows whom.
    path_tries: Arc<RateLimiter>,
    /// Tie weights of members' contacts, kept a minute (see `ties_of`).
    ties: Arc<Mutex<HashMap<i64, (TieWeights, OffsetDateTime)>>>,
}

impl Outreach {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            path_tries: Arc::new(RateLimiter::new(MAX_PER_WEEK as usize, Duration::days(7))),
            ties: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Counts a refused introduction path against the requester's week.
    pub(crate) fn refuse_path(&self, me: ProfileId) {
        self.path_tries
            .record(&Self::path_key(me), self.core.clock.now());
    }

    fn path_key(me: ProfileId) -> String {
        format!("intro-path:{}", me.0)
    }

    /// The viewer and a visible person he is not yet in contact with, for a
    /// contact request or an introduction (`to` names him).
    pub(crate) async fn not_yet_a_contact(
        &self,
        viewer: &Viewer,
        to: &str,
        self_message: &'static str,
    ) -> Result<(ProfileId, Profile, Relation)> {
        let me = self.core.me(viewer)?;
        let (target, relation) = self.core.visible_person(viewer, to).await?;
        if target.id == me {
            return Err(Error::invalid("to", "self", self_message));
        }
        if relation == Relation::Contact {
            return Err(Error::Conflict { field: "contact" });
        }
        Ok((me, target, relation))
    }

    /// Checks the bounds on a member's outgoing requests (contact requests
    /// and introductions together): pending, then per week.
    pub(crate) async fn check_outgoing_limits(&self, me: ProfileId) -> Result<()> {
        let now = self.core.clock.now();
        let pending = self.core.store.pending_requests(me, true).await?.len() as u64
            + self.core.store.count_open_introductions(me, now).await?;
        if pending >= MAX_PENDING {
            return Err(Error::RateLimited {
                retry_after_secs: 86_400,
            });
        }
        let week_ago = now - Duration::days(7);
        let refused_paths = self.path_tries.count(&Self::path_key(me), now) as u64;
        let this_week = self.core.store.count_requests_since(me, week_ago).await?
            + self
                .core
                .store
                .count_introductions_since(me, week_ago)
                .await?
            + refused_paths;
        if this_week >= MAX_PER_WEEK {
            return Err(Error::RateLimited {
                retry_after_secs: 86_400,
            });
        }
        Ok(())
    }

    /// Tie strength of the contacts at both ends of a path: the weights of
    /// each end's ties, merged. Other contacts weigh 1.
    pub(crate) async fn tie_weights(
        &self,
        me: ProfileId,
        target: ProfileId,
    ) -> Result<HashMap<(i64, i64), f32>> {
        let mut weights = HashMap::new();
        for end in [me, target] {
            for (other, w) in self.ties_of(end).await?.iter() {
                weights.insert((end.0, *other), *w);
                weights.insert((*other, end.0), *w);
            }
        }
        Ok(weights)
    }

    /// The weight of each of a member's ties, from the store: how long the
    /// contact exists, how much the two wrote to each other one-to-one, and
    /// how the contact handled the member's introductions (forwarded,
    /// declined, accepted by their target). Kept for a minute, so a path
    /// query reads the store at most once per end and minute.
    async fn ties_of(&self, member: ProfileId) -> Result<std::sync::Arc<HashMap<i64, f32>>> {
        let now = self.core.clock.now();
        if let Some((ties, until)) = self
            .ties
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&member.0)
            && *until > now
        {
            return Ok(ties.clone());
        }
        let relays: HashMap<ProfileId, crate::store::RelayStats> = self
            .core
            .store
            .relays_for(member)
            .await?
            .into_iter()
            .collect();
        let messages: HashMap<ProfileId, u64> = self
            .core
            .store
            .interactions_of(member)
            .await?
            .into_iter()
            .map(|i| (i.other, i.messages))
            .collect();
        let mut ties = HashMap::new();
        for c in self.core.store.contacts_of(member).await? {
            let days = (now - c.since).whole_days().max(0) as f32;
            let msgs = messages.get(&c.contact).copied().unwrap_or(0) as f32;
            let mut w = 1.0 + 0.25 * (1.0 + days / 30.0).ln() + 0.5 * (1.0 + msgs).ln();
            if let Some(r) = relays.get(&c.contact) {
                w += 0.5 * r.accepted as f32 + 0.25 * r.forwarded as f32 - 0.5 * r.declined as f32;
            }
            ties.insert(c.contact.0, w.clamp(0.1, 10.0));
        }
        let ties = std::sync::Arc::new(ties);
        let mut cache = self.ties.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 100_000 {
            cache.retain(|_, (_, until)| *until > now);
        }
        cache.insert(member.0, (ties.clone(), now + time::Duration::minutes(1)));
        Ok(ties)
    }
}
