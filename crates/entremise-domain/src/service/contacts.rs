//! Contacts and contact requests, invitation codes, blocks, "how you are
//! connected" and people you may know.

use super::{Core, Outreach, Viewer};
use crate::contact::{
    ContactRequest, ContactRequestView, InvitationCode, RequestStatus, RequestVia,
};
use crate::error::{Error, Forbidden, Result};
use crate::ids::ProfileId;
use crate::network::{self, GraphView};
use crate::privacy::{Actions, Lens};
use crate::profile::{Profile, ProfileKind, ProfileRef};
use crate::ratelimit::RateLimiter;
use crate::store::NewContactRequest;
use crate::validate::{self, Email};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
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

/// A member and his contacts, as the viewer may see them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactList {
    pub member: ProfileRef,
    pub contacts: Vec<ProfileRef>,
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

/// Contacts, contact requests, invitation codes, blocks, "how you are connected", people you may know and the network's health.
#[derive(Clone)]
pub struct Contacts {
    core: Arc<Core>,
    /// The bounds on reaching out, shared with introductions.
    outreach: Outreach,
    /// Tries at e-mail or invitation-code proof, per requester.
    proof_limit: Arc<RateLimiter>,
}

impl Contacts {
    pub(crate) fn new(core: Arc<Core>, outreach: Outreach) -> Self {
        Self {
            outreach,
            proof_limit: Arc::new(RateLimiter::new(10, time::Duration::hours(1))),
            core,
        }
    }
}

impl Contacts {
    async fn request_view(&self, r: &ContactRequest) -> Result<ContactRequestView> {
        Ok(ContactRequestView {
            id: r.id,
            from: self.core.profile_ref_of(r.from).await?,
            to: self.core.profile_ref_of(r.to).await?,
            message: r.message.clone(),
            status: r.status,
            created_at: r.created_at,
        })
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
            .outreach
            .not_yet_a_contact(
                viewer,
                &input.to,
                "You cannot send a contact request to yourself.",
            )
            .await?;
        let message =
            validate::optional_text("message", input.message.as_deref().unwrap_or(""), 1000)
                .map_err(|e| Error::Invalid(vec![e]))?;
        let now = self.core.clock.now();
        // The other way round already pending: the two want the same thing.
        if let Some(theirs) = self.core.store.pending_request(target.id, me).await? {
            self.decide(theirs.id, RequestStatus::Accepted).await?;
            let mut accepted = theirs;
            accepted.status = RequestStatus::Accepted;
            return self.request_view(&accepted).await;
        }
        if self
            .core
            .store
            .pending_request(me, target.id)
            .await?
            .is_some()
        {
            return Err(Error::Conflict {
                field: "contact_request",
            });
        }
        // A declined request waits 90 days, and so does a contact request
        // to a target who declined being introduced to the requester (an
        // intermediary's decline says nothing of the target).
        let declined = [
            self.core.store.last_declined(me, target.id).await?,
            self.core
                .store
                .last_declined_introduction(me, target.id, Some(target.id))
                .await?,
        ];
        cool_off(declined.into_iter().flatten().max(), now)?;
        let actions = self
            .core
            .lens(viewer)
            .actions(target.id, true, &target.settings);
        let via = self.gate(me, &target, actions, &input).await?;
        self.outreach.check_outgoing_limits(me).await?;
        let request = self
            .core
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
        let now = self.core.clock.now();
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
                Some(a) => self.core.store.account(a).await?,
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
                .core
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
        self.core
            .store
            .contact_request(id)
            .await?
            .ok_or(Error::NotFound)?;
        let changed = self
            .core
            .store
            .decide_contact_request(id, status, self.core.clock.now())
            .await?;
        self.core.settle().await;
        Ok(changed)
    }

    /// The target accepts or declines; the requester withdraws.
    pub async fn answer_contact_request(
        &self,
        viewer: &Viewer,
        id: i64,
        status: RequestStatus,
    ) -> Result<ContactRequestView> {
        let me = self.core.me(viewer)?;
        let request = self
            .core
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
        let me = self.core.me(viewer)?;
        let mut out = Vec::new();
        for r in self.core.store.pending_requests(me, outgoing).await? {
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
        let me = self.core.me(viewer)?;
        let before = cursor.map(parse_time_key).transpose()?;
        let rows = self
            .core
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
        let me = self.core.me(viewer)?;
        let (other, _) = self.core.visible_person(viewer, handle).await?;
        if !self.core.store.remove_contact(me, other.id).await? {
            return Err(Error::NotFound);
        }
        self.core.settle().await;
        Ok(())
    }

    /// A member's contact list page: who he is, as the viewer may name him,
    /// and his contacts, as his contact-list audience allows.
    pub async fn contact_list(&self, viewer: &Viewer, handle: &str) -> Result<ContactList> {
        let (member, relation) = self.core.visible_person(viewer, handle).await?;
        let contacts = self.contacts(viewer, handle).await?;
        let view = self.core.build_view(&member, relation).await?;
        Ok(ContactList {
            member: ProfileRef {
                handle: member.handle.clone(),
                name: view.display_name().to_owned(),
                kind: member.kind,
                persona_of: None,
            },
            contacts,
        })
    }

    /// A member's contacts, as his contact-list audience allows.
    pub async fn contacts(&self, viewer: &Viewer, handle: &str) -> Result<Vec<ProfileRef>> {
        let lens = self.core.lens(viewer);
        let (member, relation) = self.core.visible_person(viewer, handle).await?;
        if !member.settings.contact_list.audience().admits(relation) {
            return Err(Error::NotFound);
        }
        let mut out = Vec::new();
        for entry in self.core.store.contacts_of(member.id).await? {
            // A contact hidden from the viewer by a block stays hidden.
            if lens.hides(entry.contact) {
                continue;
            }
            out.push(self.core.profile_ref_of(entry.contact).await?);
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
        let lens = self.core.lens(viewer);
        let (member, relation) = self.core.visible_person(viewer, handle).await?;
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
                .core
                .store
                .contacts_by_handle(member.id, gather.after(), gather.batch())
                .await?;
            let short = rows.len() < gather.batch();
            for (contact, handle) in rows {
                // A contact hidden from the viewer by a block stays hidden.
                let hidden = lens.hides(contact);
                if gather.offer(handle, !hidden) {
                    items.push(self.core.profile_ref_of(contact).await?);
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

    /// Degree, visible mutual contacts and the best introduction paths
    /// between the viewer and a member.
    pub async fn connection(&self, viewer: &Viewer, handle: &str) -> Result<Connection> {
        let (target, _) = self.core.visible_profile(viewer, handle).await?;
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
        let weights = self.outreach.tie_weights(me, target.id).await?;
        let target_id = target.id;
        let found = self
            .core
            .network
            .with_view_off_workers(me, target_id, move |view| {
                let degree = network::degree(view, me, target_id);
                let (Some(a), Some(b)) = (view.dense(me), view.dense(target_id)) else {
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
        let (degree, mutuals, paths) = found.await?;
        let lens = self.core.lens(viewer);
        let mut mutual_contacts = Vec::new();
        for m in mutuals {
            // Me–m is the viewer's own contact; m–target must be visible.
            if lens.contact(m, target.id) {
                mutual_contacts.push(self.core.person_ref(m).await?.handle.to_string());
            }
        }
        let mut shown = Vec::new();
        for (hops, score) in paths {
            let mut out = Vec::with_capacity(hops.len());
            for (i, hop) in hops.iter().enumerate() {
                let previous = if i == 0 { me } else { hops[i - 1] };
                let next = hops.get(i + 1).copied().unwrap_or(target.id);
                out.push(if lens.hop(previous, *hop, next) {
                    Some(self.core.person_ref(*hop).await?.handle.to_string())
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

    /// People the viewer may know: 2nd degree by mutual contacts, with a
    /// boost for those who hold a position at an organization where he does
    /// and for each group both are members of (three at most); pending
    /// requests, blocks and recent refusals left out. Only his own groups
    /// count, whose members he sees: a secret group tells nothing it would
    /// not show him.
    pub async fn people_you_may_know(
        &self,
        viewer: &Viewer,
        limit: usize,
    ) -> Result<Vec<Suggestion>> {
        let me = self.core.me(viewer)?;
        let now = self.core.clock.now();
        let mut excluded: HashSet<i64> = HashSet::new();
        for outgoing in [true, false] {
            for r in self.core.store.pending_requests(me, outgoing).await? {
                excluded.insert(r.from.0);
                excluded.insert(r.to.0);
            }
        }
        // Nor those he already asked to be introduced to.
        for intro in self.core.store.introductions_of(me, None, 200).await? {
            if intro.requester == me && intro.status_at(now).is_open() {
                excluded.insert(intro.target.0);
            }
        }
        let mut colleagues: HashSet<i64> = HashSet::new();
        for position in self.core.store.positions_of(me).await? {
            if let Some(org) = position.organization {
                for (p, _) in self.core.store.positions_at(org).await? {
                    colleagues.insert(p.person.0);
                }
            }
        }
        let limit = limit.clamp(1, PYMK_DEPTH);
        let lens = self.core.lens(viewer);
        let colleagues = Arc::new(colleagues);
        let in_search = colleagues.clone();
        let lens_in_search = lens.clone();
        let found = self
            .core
            .network
            .with_view_off_workers(me, me, move |view| {
                let colleagues = in_search;
                let lens = lens_in_search;
                let Some(a) = view.dense(me) else {
                    return Vec::new();
                };
                entremise_graph::with_searcher(|s| {
                    view.snapshot.people_you_may_know(
                        s,
                        a,
                        |m| view.traversable(m),
                        |m| excluded.contains(&view.profile(m).0) || !view.traversable(m),
                        |m| boost(&colleagues, &lens, view.profile(m)),
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
        // Shown in the order of what the viewer may see: ranked by every
        // mutual contact, the order would hint at those he may not.
        let mut found = found.await?;
        found.sort_by(|(x, nx), (y, ny)| {
            let score = |id: &ProfileId, n: u32| n as f32 + boost(&colleagues, &lens, *id);
            score(y, *ny).total_cmp(&score(x, *nx))
        });
        let mut out = Vec::new();
        for (id, mutual_count) in found {
            if out.len() == limit {
                break;
            }
            if let Some(declined) = self.core.store.last_declined(me, id).await?
                && declined + Duration::days(DECLINE_COOL_OFF_DAYS) > now
            {
                continue;
            }
            let Some(profile) = self.core.store.profile(id).await? else {
                continue;
            };
            if profile.kind != ProfileKind::Person {
                continue;
            }
            let Some(relation) = lens.relation(profile.id) else {
                continue;
            };
            let view = self.core.build_view(&profile, relation).await?;
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
        self.core.me(viewer)?;
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
        let me = self.core.me(viewer)?;
        let mut raw = [0u8; 9];
        crate::session::random_bytes(&mut raw)?;
        let code = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        self.core
            .store
            .create_invitation_code(me, &code, self.core.clock.now())
            .await
    }

    pub async fn invitation_codes(&self, viewer: &Viewer) -> Result<Vec<InvitationCode>> {
        let me = self.core.me(viewer)?;
        self.core
            .store
            .invitation_codes_of(me, None, usize::MAX)
            .await
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
        let me = self.core.me(viewer)?;
        let before = cursor.map(parse_time_key).transpose()?;
        let rows = self
            .core
            .store
            .invitation_codes_of(me, before, read_limit(limit))
            .await?;
        Ok(Page::keyset(rows, limit, |c| {
            time_key(c.created_at, &c.code)
        }))
    }

    pub async fn revoke_invitation_code(&self, viewer: &Viewer, code: &str) -> Result<()> {
        let me = self.core.me(viewer)?;
        if self
            .core
            .store
            .revoke_invitation_code(me, code, self.core.clock.now())
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
            .core
            .store
            .invitation_code(code)
            .await?
            .filter(|c| c.revoked_at.is_none())
            .ok_or(Error::NotFound)?;
        let owner = self
            .core
            .store
            .profile(invitation.owner)
            .await?
            .ok_or(Error::NotFound)?;
        let relation = self.core.lens(viewer).relation_or_not_found(owner.id)?;
        let view = self.core.build_view(&owner, relation).await?;
        Ok(ProfileRef {
            handle: owner.handle,
            name: view.display_name().to_owned(),
            kind: owner.kind,
            persona_of: None,
        })
    }

    /// Blocks a member: no visibility either way, contact ended, pending
    /// requests withdrawn, open introductions between them declined.
    pub async fn block(&self, viewer: &Viewer, handle: &str) -> Result<()> {
        let me = self.core.me(viewer)?;
        let (other, _) = self.core.visible_profile(viewer, handle).await?;
        if other.id == me {
            return Err(Error::invalid(
                "handle",
                "self",
                "You cannot block yourself.",
            ));
        }
        self.core
            .store
            .block(me, other.id, self.core.clock.now())
            .await?;
        self.core.settle().await;
        Ok(())
    }

    /// Lifts one of the viewer's blocks. The blocked member is hidden from
    /// him, so he is found by handle among his own blocks.
    pub async fn unblock(&self, viewer: &Viewer, handle: &str) -> Result<()> {
        let me = self.core.me(viewer)?;
        let handle = crate::validate::Handle::parse(handle).map_err(|_| Error::NotFound)?;
        let other = self
            .core
            .store
            .profile_by_handle(&handle)
            .await?
            .ok_or(Error::NotFound)?;
        if !self.core.store.unblock(me, other.id).await? {
            return Err(Error::NotFound);
        }
        // Still hidden if the other blocks him too: the network keeps each
        // member's own block.
        self.core.settle().await;
        Ok(())
    }

    /// The members the viewer blocks.
    pub async fn blocks(&self, viewer: &Viewer) -> Result<Vec<ProfileRef>> {
        let me = self.core.me(viewer)?;
        let mut out = Vec::new();
        for id in self.core.store.blocked_by(me).await? {
            out.push(self.core.profile_ref_of(id).await?);
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
        let me = self.core.me(viewer)?;
        let after = cursor.map(parse_id_key).transpose()?;
        let mut ids = self.core.store.blocked_by(me).await?;
        ids.sort_unstable();
        ids.retain(|id| after.is_none_or(|a| id.0 > a));
        ids.truncate(read_limit(limit));
        let page = Page::keyset(ids, limit, |id| id.0.to_string());
        let mut items = Vec::new();
        for id in page.items {
            items.push(self.core.profile_ref_of(id).await?);
        }
        Ok(Page {
            items,
            next: page.next,
        })
    }

    /// Stale contacts, who relays for the viewer, pending requests both ways.
    pub async fn network_health(&self, viewer: &Viewer) -> Result<NetworkHealth> {
        let me = self.core.me(viewer)?;
        let now = self.core.clock.now();
        let half_year = Duration::days(182);
        let interactions = self.core.store.interactions_of(me).await?;
        let contacts = self.core.store.contacts_of(me).await?;
        let mut stale = Vec::new();
        for c in &contacts {
            let i = interactions.iter().find(|i| i.other == c.contact);
            let last = i.and_then(|i| i.last_message_at);
            let quiet = last.is_none_or(|t| now - t > half_year);
            if quiet && now - c.since > half_year {
                stale.push(ContactHealth {
                    contact: self.core.profile_ref_of(c.contact).await?,
                    since: c.since,
                    messages: i.map_or(0, |i| i.messages),
                    last_message_at: last,
                });
            }
        }
        let mut relayers = Vec::new();
        for (id, s) in self.core.store.relays_for(me).await? {
            relayers.push(Relayer {
                member: self.core.profile_ref_of(id).await?,
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

/// What ranks a suggestion above its mutual contacts: a colleague (a
/// position at an organization where the viewer holds one) counts as two
/// more mutual contacts, each group both are members of as one (three at
/// most).
fn boost(colleagues: &HashSet<i64>, lens: &Lens, member: ProfileId) -> f32 {
    let colleague = if colleagues.contains(&member.0) {
        2.0
    } else {
        0.0
    };
    colleague + lens.shared_groups(member).min(3) as f32
}
