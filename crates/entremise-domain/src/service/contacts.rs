//! Contacts and contact requests, invitation codes, blocks, "how you are
//! connected" and people you may know.

use super::{Entremise, Viewer};
use crate::contact::{
    ContactRequest, ContactRequestView, InvitationCode, RequestStatus, RequestVia,
};
use crate::error::{Error, Forbidden, Result};
use crate::ids::ProfileId;
use crate::network::{self, GraphView};
use crate::privacy::{Actions, Relation};
use crate::profile::{Profile, ProfileKind, ProfileRef};
use crate::store::NewContactRequest;
use crate::validate::{self, Email};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use time::Duration;

/// `POST /api/v1/contact-requests`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactRequestInput {
    /// The target's handle.
    pub to: String,
    #[serde(default)]
    pub message: Option<String>,
    /// The target's exact e-mail address: proof of knowing him.
    #[serde(default)]
    pub email: Option<String>,
    /// An invitation code the target handed out.
    #[serde(default)]
    pub invitation_code: Option<String>,
}

/// "How you are connected" (`GET /api/v1/profiles/{handle}/connection`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Connection {
    /// 1, 2 or 3; null beyond, or when there is no graph between the two.
    pub degree: Option<u32>,
    /// Mutual contacts the viewer may see.
    pub mutual_contacts: Vec<String>,
    pub paths: Vec<PathView>,
}

/// One introduction path: the intermediaries, `null` for a hop the viewer
/// may not see ("a contact of" the previous one).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PathView {
    pub hops: Vec<Option<String>>,
    pub score: f32,
}

/// A suggestion of people you may know.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub handle: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Mutual contacts the viewer may see.
    pub mutual_count: u32,
    /// What the viewer may do: a contact request only where the member's
    /// setting admits him, an introduction otherwise.
    pub actions: Actions,
}

/// Limits of PRIVACY.md on reaching out.
pub const MAX_PENDING: u64 = 20;
pub const MAX_PER_WEEK: u64 = 50;
pub const DECLINE_COOL_OFF_DAYS: i64 = 90;
/// How deep the people-you-may-know ranking goes.
pub const PYMK_DEPTH: usize = 200;

/// 429 until [`DECLINE_COOL_OFF_DAYS`] after the last decline, if any.
pub(crate) fn cool_off(
    last_declined: Option<time::OffsetDateTime>,
    now: time::OffsetDateTime,
) -> Result<()> {
    if let Some(declined) = last_declined {
        let until = declined + Duration::days(DECLINE_COOL_OFF_DAYS);
        if until > now {
            return Err(Error::RateLimited {
                retry_after_secs: (until - now).whole_seconds().max(1) as u64,
            });
        }
    }
    Ok(())
}

impl Entremise {
    pub(crate) fn me(&self, viewer: &Viewer) -> Result<ProfileId> {
        Ok(viewer.require()?.identity.person)
    }

    /// A member (person) the viewer may see, by handle.
    pub(crate) async fn visible_person(
        &self,
        viewer: &Viewer,
        handle: &str,
    ) -> Result<(Profile, Relation)> {
        let (p, r) = self.visible_profile(viewer, handle).await?;
        if p.kind != ProfileKind::Person {
            return Err(Error::NotFound);
        }
        Ok((p, r))
    }

    /// The viewer and a visible person he is not yet in contact with, for a
    /// contact request or an introduction (`to` names him).
    pub(crate) async fn not_yet_a_contact(
        &self,
        viewer: &Viewer,
        to: &str,
        self_message: &'static str,
    ) -> Result<(ProfileId, Profile, Relation)> {
        let me = self.me(viewer)?;
        let (target, relation) = self.visible_person(viewer, to).await?;
        if target.id == me {
            return Err(Error::invalid("to", "self", self_message));
        }
        if relation == Relation::Contact {
            return Err(Error::Conflict { field: "contact" });
        }
        Ok((me, target, relation))
    }

    pub(crate) async fn profile_ref_of(&self, id: ProfileId) -> Result<ProfileRef> {
        self.store.profile_ref(id).await?.ok_or(Error::NotFound)
    }

    async fn request_view(&self, r: &ContactRequest) -> Result<ContactRequestView> {
        Ok(ContactRequestView {
            id: r.id,
            from: self.profile_ref_of(r.from).await?,
            to: self.profile_ref_of(r.to).await?,
            message: r.message.clone(),
            status: r.status,
            created_at: r.created_at,
        })
    }

    /// Checks the bounds on a member's outgoing requests (contact requests
    /// and introductions together): pending, then per week.
    pub(crate) async fn check_outgoing_limits(&self, me: ProfileId) -> Result<()> {
        let now = self.clock.now();
        let pending = self.store.pending_requests(me, true).await?.len() as u64
            + self.store.count_open_introductions(me, now).await?;
        if pending >= MAX_PENDING {
            return Err(Error::RateLimited {
                retry_after_secs: 86_400,
            });
        }
        let week_ago = now - Duration::days(7);
        let refused_paths = self.path_tries.count(&format!("intro-path:{}", me.0), now) as u64;
        let this_week = self.store.count_requests_since(me, week_ago).await?
            + self.store.count_introductions_since(me, week_ago).await?
            + refused_paths;
        if this_week >= MAX_PER_WEEK {
            return Err(Error::RateLimited {
                retry_after_secs: 86_400,
            });
        }
        Ok(())
    }

    /// Sends a contact request where the target's setting allows it, or with
    /// his exact e-mail address, or with an invitation code he handed out.
    /// Otherwise `introduction_required`, and a wrong address or code looks
    /// exactly like none.
    pub async fn send_contact_request(
        &self,
        viewer: &Viewer,
        input: ContactRequestInput,
    ) -> Result<ContactRequestView> {
        let (me, target, _) = self
            .not_yet_a_contact(
                viewer,
                &input.to,
                "You cannot send a contact request to yourself.",
            )
            .await?;
        let message =
            validate::optional_text("message", input.message.as_deref().unwrap_or(""), 1000)
                .map_err(|e| Error::Invalid(vec![e]))?;
        let now = self.clock.now();
        // The other way round already pending: the two want the same thing.
        if let Some(theirs) = self.store.pending_request(target.id, me).await? {
            self.decide(theirs.id, RequestStatus::Accepted).await?;
            let mut accepted = theirs;
            accepted.status = RequestStatus::Accepted;
            return self.request_view(&accepted).await;
        }
        if self.store.pending_request(me, target.id).await?.is_some() {
            return Err(Error::Conflict {
                field: "contact_request",
            });
        }
        // A declined request waits 90 days, and so does a contact request
        // to a target who declined being introduced to the requester (an
        // intermediary's decline says nothing of the target).
        let declined = [
            self.store.last_declined(me, target.id).await?,
            self.store
                .last_declined_introduction(me, target.id, Some(target.id))
                .await?,
        ];
        cool_off(declined.into_iter().flatten().max(), now)?;
        let actions = self.lens(viewer).actions(target.id, true, &target.settings);
        let via = self.gate(me, &target, actions, &input).await?;
        self.check_outgoing_limits(me).await?;
        let request = self
            .store
            .create_contact_request(NewContactRequest {
                from: me,
                to: target.id,
                message,
                via,
                created_at: now,
            })
            .await?;
        self.request_view(&request).await
    }

    /// Which door lets `me` through to `target`, if any.
    async fn gate(
        &self,
        me: ProfileId,
        target: &Profile,
        actions: Actions,
        input: &ContactRequestInput,
    ) -> Result<RequestVia> {
        let now = self.clock.now();
        // The same decision as the button the viewer was shown.
        if actions.contact_request {
            return Ok(RequestVia::Setting);
        }
        let proof_offered = input.email.is_some() || input.invitation_code.is_some();
        if !proof_offered {
            return Err(Error::Forbidden(Forbidden::IntroductionRequired));
        }
        // Tries at proof are bounded, so neither can be used to guess.
        let key = format!("contact-proof:{}", me.0);
        if let Some(wait) = self.proof_limit.retry_after(&key, now) {
            return Err(Error::RateLimited {
                retry_after_secs: wait,
            });
        }
        if let Some(raw) = &input.email {
            let account = match target.account {
                Some(a) => self.store.account(a).await?,
                None => None,
            };
            let matches = match (Email::parse(raw), account) {
                (Ok(given), Some(account)) => given.lookup_key() == account.email.lookup_key(),
                _ => false,
            };
            if matches {
                return Ok(RequestVia::Email);
            }
        }
        if let Some(code) = &input.invitation_code {
            let valid = self
                .store
                .invitation_code(code.trim())
                .await?
                .is_some_and(|c| c.owner == target.id && c.revoked_at.is_none());
            if valid {
                return Ok(RequestVia::InvitationCode);
            }
        }
        self.proof_limit.record(&key, now);
        Err(Error::Forbidden(Forbidden::IntroductionRequired))
    }

    async fn decide(&self, id: i64, status: RequestStatus) -> Result<bool> {
        let request = self
            .store
            .contact_request(id)
            .await?
            .ok_or(Error::NotFound)?;
        let changed = self
            .store
            .decide_contact_request(id, status, self.clock.now())
            .await?;
        if changed && status == RequestStatus::Accepted {
            self.network.add_contact(request.from, request.to);
        }
        Ok(changed)
    }

    /// The target accepts or declines; the requester withdraws.
    pub async fn answer_contact_request(
        &self,
        viewer: &Viewer,
        id: i64,
        status: RequestStatus,
    ) -> Result<ContactRequestView> {
        let me = self.me(viewer)?;
        let request = self
            .store
            .contact_request(id)
            .await?
            .ok_or(Error::NotFound)?;
        let allowed = match status {
            RequestStatus::Accepted | RequestStatus::Declined => request.to == me,
            RequestStatus::Withdrawn => request.from == me,
            RequestStatus::Pending => false,
        };
        if request.to != me && request.from != me {
            return Err(Error::NotFound);
        }
        if !allowed {
            return Err(Error::Forbidden(Forbidden::NotAllowed));
        }
        if request.status != RequestStatus::Pending || !self.decide(id, status).await? {
            return Err(Error::Conflict { field: "status" });
        }
        let mut decided = request;
        decided.status = status;
        self.request_view(&decided).await
    }

    /// Pending requests to (`outgoing == false`) or from the viewer.
    pub async fn contact_requests(
        &self,
        viewer: &Viewer,
        outgoing: bool,
    ) -> Result<Vec<ContactRequestView>> {
        let me = self.me(viewer)?;
        let mut out = Vec::new();
        for r in self.store.pending_requests(me, outgoing).await? {
            out.push(self.request_view(&r).await?);
        }
        Ok(out)
    }

    /// [`Self::contact_requests`] a page at a time, newest first (keyset:
    /// time, id).
    pub async fn contact_requests_page(
        &self,
        viewer: &Viewer,
        outgoing: bool,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<ContactRequestView>> {
        use crate::paging::{Page, parse_time_key, read_limit, time_key};
        let me = self.me(viewer)?;
        let before = cursor.map(parse_time_key).transpose()?;
        let rows = self
            .store
            .pending_requests_page(me, outgoing, before, read_limit(limit))
            .await?;
        let page = Page::keyset(rows, limit, |r| time_key(r.created_at, r.id));
        let mut items = Vec::new();
        for r in &page.items {
            items.push(self.request_view(r).await?);
        }
        Ok(Page {
            items,
            next: page.next,
        })
    }

    /// Ends a contact, both ways.
    pub async fn remove_contact(&self, viewer: &Viewer, handle: &str) -> Result<()> {
        let me = self.me(viewer)?;
        let (other, _) = self.visible_person(viewer, handle).await?;
        if !self.store.remove_contact(me, other.id).await? {
            return Err(Error::NotFound);
        }
        self.network.remove_contact(me, other.id);
        Ok(())
    }

    /// A member's contacts, as his contact-list audience allows.
    pub async fn contacts(&self, viewer: &Viewer, handle: &str) -> Result<Vec<ProfileRef>> {
        let lens = self.lens(viewer);
        let (member, relation) = self.visible_person(viewer, handle).await?;
        if !member.settings.contact_list.audience().admits(relation) {
            return Err(Error::NotFound);
        }
        let mut out = Vec::new();
        for entry in self.store.contacts_of(member.id).await? {
            // A contact hidden from the viewer by a block stays hidden.
            if lens.hides(entry.contact) {
                continue;
            }
            out.push(self.profile_ref_of(entry.contact).await?);
        }
        Ok(out)
    }

    /// [`Self::contacts`] a page at a time, in handle order (keyset: the
    /// handle of the last contact shown).
    pub async fn contacts_page(
        &self,
        viewer: &Viewer,
        handle: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<ProfileRef>> {
        use crate::paging::{Gather, Page, bad_cursor};
        let lens = self.lens(viewer);
        let (member, relation) = self.visible_person(viewer, handle).await?;
        if !member.settings.contact_list.audience().admits(relation) {
            return Err(Error::NotFound);
        }
        let after = cursor
            .map(|c| crate::validate::Handle::parse(c).map_err(|_| bad_cursor()))
            .transpose()?;
        let mut gather = Gather::new(limit, after);
        let mut items = Vec::new();
        while gather.wants() {
            let rows = self
                .store
                .contacts_by_handle(member.id, gather.after(), gather.batch())
                .await?;
            let short = rows.len() < gather.batch();
            for (contact, handle) in rows {
                // A contact hidden from the viewer by a block stays hidden.
                let hidden = lens.hides(contact);
                if gather.offer(handle, !hidden) {
                    items.push(self.profile_ref_of(contact).await?);
                }
            }
            if short {
                break;
            }
        }
        Ok(Page {
            items,
            next: gather.next(|h| h.to_string()),
        })
    }

    /// A person's reference from the in-memory network, else the store.
    pub(crate) async fn person_ref(&self, id: ProfileId) -> Result<ProfileRef> {
        match self.network.card(id) {
            Some(card) => Ok(ProfileRef {
                handle: crate::validate::Handle::from_trusted(card.handle.to_string()),
                name: card.name.to_string(),
                kind: ProfileKind::Person,
            }),
            None => self.profile_ref_of(id).await,
        }
    }

    /// Degree, visible mutual contacts and the best introduction paths
    /// between the viewer and a member.
    pub async fn connection(&self, viewer: &Viewer, handle: &str) -> Result<Connection> {
        let (target, _) = self.visible_profile(viewer, handle).await?;
        self.connection_to(viewer, &target).await
    }

    /// [`Self::connection`] to a profile already resolved for the viewer.
    pub(crate) async fn connection_to(
        &self,
        viewer: &Viewer,
        target: &Profile,
    ) -> Result<Connection> {
        let empty = Connection {
            degree: None,
            mutual_contacts: Vec::new(),
            paths: Vec::new(),
        };
        let Some(me) = viewer.identity().map(|v| v.person) else {
            return Ok(empty);
        };
        if target.id == me {
            return Ok(empty);
        }
        let weights = self.tie_weights(me, target.id).await?;
        let (degree, mutuals, paths) = self.network.with_view(me, target.id, |view| {
            let degree = network::degree(view, me, target.id);
            let (Some(a), Some(b)) = (view.dense(me), view.dense(target.id)) else {
                return (degree, Vec::new(), Vec::new());
            };
            let mutuals: Vec<ProfileId> = view
                .snapshot
                .mutual_contacts(a, b, |m| view.traversable(m), 0, 50)
                .into_iter()
                .map(|m| view.profile(m))
                .collect();
            let paths = best_paths(view, a, b, &weights, 5);
            (degree, mutuals, paths)
        });
        let lens = self.lens(viewer);
        let mut mutual_contacts = Vec::new();
        for m in mutuals {
            // Me–m is the viewer's own contact; m–target must be visible.
            if lens.contact(m, target.id) {
                mutual_contacts.push(self.person_ref(m).await?.handle.to_string());
            }
        }
        let mut shown = Vec::new();
        for (hops, score) in paths {
            let mut out = Vec::with_capacity(hops.len());
            for (i, hop) in hops.iter().enumerate() {
                let previous = if i == 0 { me } else { hops[i - 1] };
                let next = hops.get(i + 1).copied().unwrap_or(target.id);
                out.push(if lens.hop(previous, *hop, next) {
                    Some(self.person_ref(*hop).await?.handle.to_string())
                } else {
                    None
                });
            }
            shown.push(PathView { hops: out, score });
        }
        Ok(Connection {
            degree,
            mutual_contacts,
            paths: shown,
        })
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
        let now = self.clock.now();
        if let Some((ties, until)) = self
            .ties
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&member.0)
            && *until > now
        {
            return Ok(ties.clone());
        }
        let relays: HashMap<ProfileId, crate::store::RelayStats> =
            self.store.relays_for(member).await?.into_iter().collect();
        let messages: HashMap<ProfileId, u64> = self
            .store
            .interactions_of(member)
            .await?
            .into_iter()
            .map(|i| (i.other, i.messages))
            .collect();
        let mut ties = HashMap::new();
        for c in self.store.contacts_of(member).await? {
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

    /// People the viewer may know: 2nd degree by mutual contacts, with a
    /// boost for those who hold a position at an organization where he does;
    /// pending requests, blocks and recent refusals left out.
    pub async fn people_you_may_know(
        &self,
        viewer: &Viewer,
        limit: usize,
    ) -> Result<Vec<Suggestion>> {
        let me = self.me(viewer)?;
        let now = self.clock.now();
        let mut excluded: HashSet<i64> = HashSet::new();
        for outgoing in [true, false] {
            for r in self.store.pending_requests(me, outgoing).await? {
                excluded.insert(r.from.0);
                excluded.insert(r.to.0);
            }
        }
        // Nor those he already asked to be introduced to.
        for intro in self.store.introductions_of(me, None, 200).await? {
            if intro.requester == me && intro.status_at(now).is_open() {
                excluded.insert(intro.target.0);
            }
        }
        let mut colleagues: HashSet<i64> = HashSet::new();
        for position in self.store.positions_of(me).await? {
            if let Some(org) = position.organization {
                for (p, _) in self.store.positions_at(org).await? {
                    colleagues.insert(p.person.0);
                }
            }
        }
        let limit = limit.clamp(1, PYMK_DEPTH);
        let lens = self.lens(viewer);
        let found = self.network.with_view(me, me, |view| {
            let Some(a) = view.dense(me) else {
                return Vec::new();
            };
            entremise_graph::with_searcher(|s| {
                view.snapshot.people_you_may_know(
                    s,
                    a,
                    |m| view.traversable(m),
                    |m| excluded.contains(&view.profile(m).0) || !view.traversable(m),
                    |m| {
                        if colleagues.contains(&view.profile(m).0) {
                            2.0
                        } else {
                            0.0
                        }
                    },
                    limit * 2,
                )
            })
            .into_iter()
            .map(|s| {
                // Count only the mutual contacts the viewer may see: me–m is
                // his own, m–suggestion must be visible to him.
                let them = view.profile(s.member);
                let visible = view.snapshot.mutual_count(a, s.member, |m| {
                    view.traversable(m) && lens.contact(view.profile(m), them)
                });
                (them, visible)
            })
            .collect::<Vec<_>>()
        });
        let mut out = Vec::new();
        for (id, mutual_count) in found {
            if out.len() == limit {
                break;
            }
            if let Some(declined) = self.store.last_declined(me, id).await?
                && declined + Duration::days(DECLINE_COOL_OFF_DAYS) > now
            {
                continue;
            }
            let Some(profile) = self.store.profile(id).await? else {
                continue;
            };
            if profile.kind != ProfileKind::Person {
                continue;
            }
            let Some(relation) = lens.relation(profile.id) else {
                continue;
            };
            let view = self.build_view(&profile, relation).await?;
            out.push(Suggestion {
                actions: lens.actions(profile.id, true, &profile.settings),
                handle: profile.handle.to_string(),
                name: view.display_name().to_owned(),
                headline: view.headline,
                mutual_count,
            });
        }
        Ok(out)
    }

    /// [`Self::people_you_may_know`] a page at a time: an offset into the
    /// ranking, computed anew for each page and [`PYMK_DEPTH`] deep at most.
    pub async fn people_you_may_know_page(
        &self,
        viewer: &Viewer,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<Suggestion>> {
        use crate::paging::{MAX_PAGE, Page, parse_offset};
        self.me(viewer)?;
        let offset = cursor.map(parse_offset).transpose()?.unwrap_or(0);
        // One more than the page, to know whether another follows.
        let wanted = offset
            .saturating_add(limit.clamp(1, MAX_PAGE))
            .saturating_add(1)
            .min(PYMK_DEPTH);
        let ranked = if offset < PYMK_DEPTH {
            self.people_you_may_know(viewer, wanted).await?
        } else {
            Vec::new()
        };
        Page::bounded(ranked, cursor, limit)
    }

    /// Hands out a new invitation code.
    pub async fn create_invitation_code(&self, viewer: &Viewer) -> Result<InvitationCode> {
        let me = self.me(viewer)?;
        let mut raw = [0u8; 9];
        crate::session::random_bytes(&mut raw)?;
        let code = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        self.store
            .create_invitation_code(me, &code, self.clock.now())
            .await
    }

    pub async fn invitation_codes(&self, viewer: &Viewer) -> Result<Vec<InvitationCode>> {
        let me = self.me(viewer)?;
        self.store.invitation_codes_of(me, None, usize::MAX).await
    }

    /// The viewer's invitation codes a page at a time, newest first
    /// (keyset: time, then code).
    pub async fn invitation_codes_page(
        &self,
        viewer: &Viewer,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<InvitationCode>> {
        use crate::paging::{Page, parse_time_key, read_limit, time_key};
        let me = self.me(viewer)?;
        let before = cursor.map(parse_time_key).transpose()?;
        let rows = self
            .store
            .invitation_codes_of(me, before, read_limit(limit))
            .await?;
        Ok(Page::keyset(rows, limit, |c| {
            time_key(c.created_at, &c.code)
        }))
    }

    pub async fn revoke_invitation_code(&self, viewer: &Viewer, code: &str) -> Result<()> {
        let me = self.me(viewer)?;
        if self
            .store
            .revoke_invitation_code(me, code, self.clock.now())
            .await?
        {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// The member who handed out a (valid) invitation code.
    pub async fn invitation_owner(&self, viewer: &Viewer, code: &str) -> Result<ProfileRef> {
        let invitation = self
            .store
            .invitation_code(code)
            .await?
            .filter(|c| c.revoked_at.is_none())
            .ok_or(Error::NotFound)?;
        let owner = self
            .store
            .profile(invitation.owner)
            .await?
            .ok_or(Error::NotFound)?;
        let relation = self.lens(viewer).relation_or_not_found(owner.id)?;
        let view = self.build_view(&owner, relation).await?;
        Ok(ProfileRef {
            handle: owner.handle,
            name: view.display_name().to_owned(),
            kind: owner.kind,
        })
    }

    /// Blocks a member: no visibility either way, contact ended, pending
    /// requests withdrawn, open introductions between them declined.
    pub async fn block(&self, viewer: &Viewer, handle: &str) -> Result<()> {
        let me = self.me(viewer)?;
        let (other, _) = self.visible_profile(viewer, handle).await?;
        if other.id == me {
            return Err(Error::invalid(
                "handle",
                "self",
                "You cannot block yourself.",
            ));
        }
        self.store.block(me, other.id, self.clock.now()).await?;
        self.network.block(me, other.id);
        Ok(())
    }

    /// Lifts one of the viewer's blocks. The blocked member is hidden from
    /// him, so he is found by handle among his own blocks.
    pub async fn unblock(&self, viewer: &Viewer, handle: &str) -> Result<()> {
        let me = self.me(viewer)?;
        let handle = crate::validate::Handle::parse(handle).map_err(|_| Error::NotFound)?;
        let other = self
            .store
            .profile_by_handle(&handle)
            .await?
            .ok_or(Error::NotFound)?;
        if !self.store.unblock(me, other.id).await? {
            return Err(Error::NotFound);
        }
        // Still hidden if the other blocks him too.
        let reverse = self.store.blocked_by(other.id).await?.contains(&me);
        if !reverse {
            self.network.unblock(me, other.id);
        }
        Ok(())
    }

    /// The members the viewer blocks.
    pub async fn blocks(&self, viewer: &Viewer) -> Result<Vec<ProfileRef>> {
        let me = self.me(viewer)?;
        let mut out = Vec::new();
        for id in self.store.blocked_by(me).await? {
            out.push(self.profile_ref_of(id).await?);
        }
        Ok(out)
    }

    /// [`Self::blocks`] a page at a time, by id (keyset). The ids are read
    /// whole (one column of the viewer's own blocks); names only for the page.
    pub async fn blocks_page(
        &self,
        viewer: &Viewer,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<ProfileRef>> {
        use crate::paging::{Page, parse_id_key, read_limit};
        let me = self.me(viewer)?;
        let after = cursor.map(parse_id_key).transpose()?;
        let mut ids = self.store.blocked_by(me).await?;
        ids.sort_unstable();
        ids.retain(|id| after.is_none_or(|a| id.0 > a));
        ids.truncate(read_limit(limit));
        let page = Page::keyset(ids, limit, |id| id.0.to_string());
        let mut items = Vec::new();
        for id in page.items {
            items.push(self.profile_ref_of(id).await?);
        }
        Ok(Page {
            items,
            next: page.next,
        })
    }
}

/// The best `k` introduction paths, as profile ids, with their scores.
pub(crate) fn best_paths(
    view: &GraphView<'_>,
    a: entremise_graph::Member,
    b: entremise_graph::Member,
    weights: &HashMap<(i64, i64), f32>,
    k: usize,
) -> Vec<(Vec<ProfileId>, f32)> {
    let found = entremise_graph::with_searcher(|s| {
        view.snapshot.introduction_paths(
            s,
            a,
            b,
            |m| view.relays(m),
            |u, v| {
                weights
                    .get(&(view.profile(u).0, view.profile(v).0))
                    .copied()
                    .unwrap_or(1.0)
            },
            k,
        )
    });
    found
        .paths
        .into_iter()
        .map(|p| {
            let hops = p.intermediaries.iter().map(|m| view.profile(*m)).collect();
            (hops, p.score)
        })
        .collect()
}
