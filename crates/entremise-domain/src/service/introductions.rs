//! Introductions: asking, passing on, declining, accepting.

use super::contacts::{best_paths, cool_off};
use super::{Core, Outreach, Viewer};
use crate::error::{Error, Forbidden, Result};
use crate::ids::ProfileId;
use crate::introduction::{Introduction, IntroductionAction, IntroductionNote, IntroductionStatus};
use crate::network;
use crate::privacy::Lens;
use crate::profile::{ProfileKind, ProfileRef};
use crate::store::NewIntroduction;
use crate::validate::{self, Handle};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// `POST /api/v1/introductions`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IntroductionInput {
    /// The target's handle.
    pub to: String,
    /// The intermediaries, in order (one or two); the best path when absent.
    #[serde(default)]
    pub via: Option<Vec<String>>,
    /// The requester's note, for every intermediary and the target.
    pub note: String,
    /// Notes for particular recipients, by handle, replacing `note` for them.
    #[serde(default)]
    pub notes: HashMap<String, String>,
}

/// The viewer's part in an introduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntroductionRole {
    Requester,
    Intermediary,
    Target,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteView {
    pub author: ProfileRef,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
}

/// An introduction as one of its participants sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntroductionView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(serialize_with = "crate::ids::id_as_string")]
    pub id: i64,
    pub status: IntroductionStatus,
    pub role: IntroductionRole,
    pub requester: ProfileRef,
    pub target: ProfileRef,
    /// The intermediaries, `null` where the viewer may not see who it is.
    pub intermediaries: Vec<Option<ProfileRef>>,
    /// Who must act now, when the viewer may see him and it is still open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<ProfileRef>,
    /// Whether the viewer must act now.
    pub your_turn: bool,
    /// Notes written for the viewer, and by him.
    pub notes: Vec<NoteView>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: time::OffsetDateTime,
    /// The conversation opened by an accepted introduction, for its two ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
}

/// How long an introduction waits for answers.
pub const INTRODUCTION_LIFETIME_DAYS: i64 = 30;

/// Asking to be introduced, passing on, declining, accepting.
#[derive(Clone)]
pub struct Introductions {
    core: Arc<Core>,
    /// The bounds on reaching out, shared with contact requests.
    outreach: Outreach,
}

impl Introductions {
    pub(crate) fn new(core: Arc<Core>, outreach: Outreach) -> Self {
        Self { outreach, core }
    }
}

impl Introductions {
    /// Asks for an introduction to a member at 2nd or 3rd degree, along a
    /// given path or the best one. One at a time per target (409 while one
    /// is open); after a decline, by an intermediary or by the target, or
    /// after the target declined a contact request from the requester, not
    /// again for 90 days (429 with the wait), whatever the path.
    pub async fn request_introduction(
        &self,
        viewer: &Viewer,
        input: IntroductionInput,
    ) -> Result<IntroductionView> {
        let (me, target, _) = self
            .outreach
            .not_yet_a_contact(viewer, &input.to, "You cannot be introduced to yourself.")
            .await?;
        let note = validate::required_text("note", &input.note, 2000)
            .map_err(|e| Error::Invalid(vec![e]))?;
        let now = self.core.clock.now();
        if self
            .core
            .store
            .open_introduction(me, target.id, now)
            .await?
            .is_some()
        {
            return Err(Error::Conflict {
                field: "introduction",
            });
        }
        let declined = [
            self.core
                .store
                .last_declined_introduction(me, target.id, None)
                .await?,
            self.core.store.last_declined(me, target.id).await?,
        ];
        cool_off(declined.into_iter().flatten().max(), now)?;
        // The bounds first: a refused path counts against them too, so
        // chosen paths cannot be used to probe who knows whom.
        self.outreach.check_outgoing_limits(me).await?;
        let intermediaries = match &input.via {
            Some(via) => {
                let lens = self.core.lens(viewer);
                match self.checked_path(&lens, me, target.id, via).await {
                    Ok(hops) => hops,
                    Err(e) => {
                        self.outreach.refuse_path(me);
                        return Err(e);
                    }
                }
            }
            None => {
                let weights = self.outreach.tie_weights(me, target.id).await?;
                let target_id = target.id;
                let best = self
                    .core
                    .network
                    .with_view_off_workers(me, target_id, move |view| {
                        match (view.dense(me), view.dense(target_id)) {
                            (Some(a), Some(b)) => best_paths(view, a, b, &weights, 1),
                            _ => Vec::new(),
                        }
                    })
                    .await?;
                best.into_iter()
                    .next()
                    .map(|(hops, _)| hops)
                    .ok_or_else(|| {
                        Error::invalid(
                            "to",
                            "no_path",
                            "No one you know can introduce you to this member.",
                        )
                    })?
            }
        };
        let mut notes = Vec::new();
        for recipient in intermediaries.iter().chain([&target.id]) {
            let handle = self
                .core
                .profile_ref_of(*recipient)
                .await?
                .handle
                .to_string();
            let text = match input.notes.get(&handle) {
                Some(t) => validate::required_text("notes", t, 2000)
                    .map_err(|e| Error::Invalid(vec![e]))?,
                None => note.clone(),
            };
            notes.push(IntroductionNote {
                author: me,
                recipient: *recipient,
                text,
                at: now,
            });
        }
        let intro = self
            .core
            .store
            .create_introduction(NewIntroduction {
                requester: me,
                intermediaries,
                target: target.id,
                notes,
                created_at: now,
                expires_at: now + time::Duration::days(INTRODUCTION_LIFETIME_DAYS),
            })
            .await?;
        self.introduction_view(viewer, &intro, None).await
    }

    /// Checks a path the requester chose: one or two intermediaries, each
    /// relaying introductions, each a contact of both neighbours, none
    /// blocked with either end, and every contact on it visible to the
    /// requester. A path he may not see answers exactly like any other
    /// refused path, so it tells nothing of who knows whom.
    async fn checked_path(
        &self,
        lens: &Lens,
        me: ProfileId,
        target: ProfileId,
        via: &[String],
    ) -> Result<Vec<ProfileId>> {
        if via.is_empty() || via.len() > 2 {
            return Err(Error::invalid(
                "via",
                "invalid",
                "An introduction goes through one or two intermediaries.",
            ));
        }
        let bad = || {
            Error::invalid(
                "via",
                "not_a_path",
                "These members cannot introduce you to this member.",
            )
        };
        let mut hops = Vec::new();
        for h in via {
            let handle = Handle::parse(h).map_err(|_| bad())?;
            let p = self
                .core
                .store
                .profile_by_handle(&handle)
                .await?
                .ok_or_else(bad)?;
            if p.kind != ProfileKind::Person || p.id == me || p.id == target || hops.contains(&p.id)
            {
                return Err(bad());
            }
            hops.push(p.id);
        }
        let mut chain = vec![me];
        chain.extend(&hops);
        chain.push(target);
        if !chain.windows(3).all(|w| lens.hop(w[0], w[1], w[2])) {
            return Err(bad());
        }
        let ok = self.core.network.with_view(me, target, |view| {
            chain
                .windows(2)
                .all(|w| match (view.dense(w[0]), view.dense(w[1])) {
                    (Some(a), Some(b)) => view.snapshot.are_contacts(a, b),
                    _ => false,
                })
                && hops
                    .iter()
                    .all(|h| view.dense(*h).is_some_and(|m| view.relays(m)))
        });
        if !ok {
            return Err(bad());
        }
        // The shortest way only: a path longer than the degree is refused.
        let degree = self
            .core
            .network
            .with_view(me, target, |view| network::degree(view, me, target));
        if degree != Some(hops.len() as u32 + 1) {
            return Err(bad());
        }
        Ok(hops)
    }

    /// The current holder passes the introduction on (`Forward`), declines,
    /// or — the target — accepts. Each step is stored atomically.
    pub async fn act_on_introduction(
        &self,
        viewer: &Viewer,
        id: i64,
        action: IntroductionAction,
    ) -> Result<IntroductionView> {
        let me = self.core.me(viewer)?;
        let lens = self.core.lens(viewer);
        let before = self
            .core
            .store
            .introduction(id)
            .await?
            .ok_or(Error::NotFound)?;
        let action = match action {
            IntroductionAction::Forward { note } => IntroductionAction::Forward {
                note: validate::required_text("note", &note, 2000)
                    .map_err(|e| Error::Invalid(vec![e]))?,
            },
            other => other,
        };
        let now = self.core.clock.now();
        let after = before.apply(me, &action, now)?;
        if let IntroductionAction::Forward { .. } = action {
            // The next hop must still be reachable this way.
            let next = after.holder();
            let previous = before.hops()[before.step];
            let still = self.core.network.are_contacts(me, next)
                && self.core.network.are_contacts(previous, me)
                && self.core.network.relays(me)
                && !lens.blocked_between(me, next)
                && !lens.blocked_between(before.requester, next);
            if !still {
                return Err(Error::Forbidden(Forbidden::NotAllowed));
            }
        }
        let conversation = self.core.store.apply_introduction(&before, &after).await?;
        self.core.settle().await;
        self.introduction_view(viewer, &after, conversation).await
    }

    pub async fn introduction(&self, viewer: &Viewer, id: i64) -> Result<IntroductionView> {
        let me = self.core.me(viewer)?;
        let intro = self
            .core
            .store
            .introduction(id)
            .await?
            .ok_or(Error::NotFound)?;
        if !intro.visible_to(me) {
            return Err(Error::NotFound);
        }
        self.introduction_view(viewer, &intro, None).await
    }

    /// Introductions the viewer takes part in, newest first.
    pub async fn introductions(&self, viewer: &Viewer) -> Result<Vec<IntroductionView>> {
        Ok(self.introductions_page(viewer, None, 100).await?.items)
    }

    /// [`Self::introductions`] a page at a time (keyset: time, id); those
    /// that have not reached the viewer yet are passed over.
    pub async fn introductions_page(
        &self,
        viewer: &Viewer,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<IntroductionView>> {
        use crate::paging::{Gather, Page, parse_time_key, time_key};
        let me = self.core.me(viewer)?;
        let before = cursor.map(parse_time_key).transpose()?;
        let mut gather = Gather::new(limit, before);
        let mut items = Vec::new();
        while gather.wants() {
            let rows = self
                .core
                .store
                .introductions_of(me, gather.after(), gather.batch())
                .await?;
            let short = rows.len() < gather.batch();
            for intro in &rows {
                if gather.offer((intro.created_at, intro.id), intro.visible_to(me)) {
                    items.push(self.introduction_view(viewer, intro, None).await?);
                }
            }
            if short {
                break;
            }
        }
        Ok(Page {
            items,
            next: gather.next(|(at, id)| time_key(*at, id)),
        })
    }

    /// What the viewer may see of an introduction he is part of. The
    /// requester sees an intermediary only if he may see the contacts that
    /// put him on the path; the others see everyone who handled it before them.
    async fn introduction_view(
        &self,
        viewer: &Viewer,
        intro: &Introduction,
        conversation: Option<i64>,
    ) -> Result<IntroductionView> {
        let me = self.core.me(viewer)?;
        let lens = self.core.lens(viewer);
        let now = self.core.clock.now();
        let role = if me == intro.requester {
            IntroductionRole::Requester
        } else if me == intro.target {
            IntroductionRole::Target
        } else {
            IntroductionRole::Intermediary
        };
        let hops = intro.hops();
        let mut intermediaries = Vec::new();
        for (i, id) in intro.intermediaries.iter().enumerate() {
            let visible = match role {
                // A hop is named to the requester only if both contacts
                // around it are visible to him, his own contact included.
                IntroductionRole::Requester => lens.hop(hops[i], *id, hops[i + 2]),
                _ => true,
            };
            intermediaries.push(if visible {
                Some(self.core.profile_ref_of(*id).await?)
            } else {
                None
            });
        }
        let status = intro.status_at(now);
        let holder = intro.holder();
        let next = if status.is_open() {
            match intro.hops().iter().position(|h| *h == holder) {
                Some(pos) if pos == hops.len() - 1 => Some(self.core.profile_ref_of(holder).await?),
                Some(pos) => intermediaries.get(pos - 1).cloned().flatten(),
                None => None,
            }
        } else {
            None
        };
        let mut notes = Vec::new();
        for n in &intro.notes {
            if n.recipient == me || n.author == me {
                notes.push(NoteView {
                    author: self.core.profile_ref_of(n.author).await?,
                    text: n.text.clone(),
                    at: n.at,
                });
            }
        }
        Ok(IntroductionView {
            id: intro.id,
            status,
            role,
            requester: self.core.profile_ref_of(intro.requester).await?,
            target: self.core.profile_ref_of(intro.target).await?,
            intermediaries,
            next,
            your_turn: status.is_open() && holder == me,
            notes,
            created_at: intro.created_at,
            expires_at: intro.expires_at,
            conversation: conversation.map(|c| c.to_string()),
        })
    }
}
