//! The follow-up inbox: the projection that derives it from the change
//! events, and what an account does with it (list the items of every
//! profile it answers for, act on them as a team, set a page's target and
//! reply controls, read the page's figures).
//!
//! Who sees what, asked of the viewer's [`Lens`]:
//! - an item is shown only to an account that answers for its profile:
//!   the member himself, or a role on the page that answers (editor and
//!   above); an analyst sees the page's figures, not its items;
//! - an item from a member a block hides from the viewer is not shown, and
//!   a block between a member and the profile removes their items (the
//!   projection opens none across a block);
//! - an item about a post is shown only while the viewer may see the post.

use super::{Core, Viewer};
use crate::error::{Error, Forbidden, Result};
use crate::events::{Change, Event, Projection};
use crate::ids::ProfileId;
use crate::inbox::{
    self, Effect, InboxAct, InboxCounts, InboxItem, InboxKey, InboxKind, InboxOp, InboxQuery,
    InboxSettings, InboxStatus, Subject, WeekStats, Word,
};
use crate::page::Role;
use crate::post::ReplyControl;
use crate::privacy::Lens;
use crate::profile::{Profile, ProfileKind, ProfileRef};
use crate::store::AuditRecord;
use crate::validate::Handle;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration as StdDuration;
use time::{Duration, OffsetDateTime};

/// The name of the inbox projection and of its checkpoint.
pub(crate) const INBOX_CHECKPOINT: &str = "inbox";

/// Events after which the checkpoint is saved even when none touched the
/// inbox.
const CHECKPOINT_EVERY: i64 = 1_000;

/// How long a reader waits for the projection to apply what was committed
/// before it answers (its own answer closing an item, typically).
const READ_WAIT: StdDuration = StdDuration::from_secs(2);

/// Rows read per step when the inbox is rebuilt from the store.
const REBUILD_BATCH: usize = 2_000;

/// Longest excerpt of the awaiting word shown with an item.
const EXCERPT_CHARS: usize = 280;

/// Items a page of the list holds at most.
pub const MAX_INBOX_LIMIT: usize = 100;

/// Longest keyword filter list of a page, and longest entry.
pub const MAX_KEYWORD_FILTERS: usize = 200;
pub const MAX_KEYWORD_CHARS: usize = 60;

/// An item as a member of its team sees it (`GET /api/v1/inbox`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItemView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(serialize_with = "crate::ids::id_as_string")]
    pub id: i64,
    pub kind: InboxKind,
    /// The profile that is to answer (the member, or a page he answers
    /// for).
    pub profile: ProfileRef,
    /// Who is waiting for the answer (`null`: someone signed out, through
    /// the contact form; see `from_name`).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub from: Option<Handle>,
    /// The name of whoever is waiting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_name: Option<String>,
    /// When the wait began.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub since: OffsetDateTime,
    /// When the last word came.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub last_at: OffsetDateTime,
    pub status: InboxStatus,
    /// A word in it is hostile (the lexicon): answer it first, calmly.
    pub hostile: bool,
    /// The team member it is given to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<ProfileRef>,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub snoozed_until: Option<OffsetDateTime>,
    /// Why it was dismissed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The beginning of the word awaiting an answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Where it is answered, on this site (its own medium).
    pub url: String,
    /// The response target it is measured against, in seconds.
    pub target_seconds: i64,
    /// Open longer than the target.
    pub overdue: bool,
    /// Answered outside the product (a contact-form message is answered by
    /// e-mail): the team marks it answered.
    pub answered_elsewhere: bool,
    /// The sender's e-mail address, for a contact-form message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The comment awaiting an answer is held for review by the page's
    /// keyword filters: publish it, or dismiss the item (it stays held).
    pub held: bool,
}

/// A page of items, with the open counts of every profile listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxPage {
    pub items: Vec<InboxItemView>,
    /// The cursor of the next page, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    pub counts: InboxCounts,
}

/// What a list asks for (`GET /api/v1/inbox` query).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InboxFilter {
    /// One profile the viewer answers for (handle); every one when absent.
    pub as_: Option<String>,
    pub kind: Option<InboxKind>,
    /// `open` when absent.
    pub status: Option<InboxStatus>,
    /// `me`, `none`, or a team member's handle.
    pub assignee: Option<String>,
    pub hostile_only: bool,
    pub cursor: Option<String>,
    pub limit: usize,
}

/// A team act on an item (`POST /api/v1/inbox/{id}/…`).
#[derive(Debug, Clone, PartialEq)]
pub enum ActInput {
    /// A team member's handle, or `None` to give it to nobody.
    Assign(Option<String>),
    Dismiss(String),
    Snooze(OffsetDateTime),
    Reopen,
    MarkAnswered,
    /// Publishes the comment the keyword filters held.
    Publish,
}

/// A page's inbox settings as its team reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InboxSettingsView {
    /// The response target, in hours (1 to 720; 24 by default).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 720))]
    pub response_target_hours: u32,
    /// Who may comment on the page's new posts.
    pub replies: ReplyControl,
    /// Words and stems (`arnaq*`) that hold a comment on the page's posts
    /// for review instead of publishing it (at most 200, 60 characters
    /// each).
    #[cfg_attr(feature = "openapi", schema(max_items = 200, inline))]
    pub keyword_filters: Vec<String>,
}

/// A page's first-response figures, per week.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxStats {
    pub response_target_hours: u32,
    /// Open items now.
    pub open: u64,
    /// The last 12 weeks, oldest first.
    pub weeks: Vec<WeekStats>,
}

/// The follow-up inbox of each account.
#[derive(Clone)]
pub struct Inbox {
    core: Arc<Core>,
}

impl Inbox {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// The profiles the viewer answers for: himself, and the pages and
    /// personas where his role answers.
    fn answering_for(&self, lens: &Lens) -> Vec<ProfileId> {
        let Some(me) = lens.identity() else {
            return Vec::new();
        };
        let mut out = vec![me.person];
        out.extend(
            me.operated
                .iter()
                .filter(|(p, r)| r.edits() && lens.answers_for(*p))
                .map(|(p, _)| *p),
        );
        out
    }

    /// Waits (a little) until the projection has applied every committed
    /// change, so that a member who just answered sees the item closed.
    async fn caught_up(&self) {
        let Some(d) = self.core.dispatcher.get() else {
            return;
        };
        let last = self.core.store.bus().last();
        if let Some(state) = d.projections().iter().find(|s| s.name == INBOX_CHECKPOINT)
            && !state.wait_applied(last, READ_WAIT).await
        {
            tracing::warn!(
                up_to = last,
                "the inbox is late: answering with what it holds"
            );
        }
    }

    /// The items of the profiles the viewer answers for (or of the one
    /// `as_` names), hostile ones first, then the longest waiting; a page
    /// at most [`MAX_INBOX_LIMIT`].
    pub async fn list(&self, viewer: &Viewer, filter: InboxFilter) -> Result<InboxPage> {
        let me = viewer.require()?;
        let lens = self.core.lens(viewer);
        let owners = match filter.as_.as_deref().map(str::trim) {
            None | Some("") => self.answering_for(&lens),
            Some(handle) => vec![self.answered_profile(viewer, &lens, handle).await?.id],
        };
        let status = filter.status.unwrap_or(InboxStatus::Open);
        let assignee = match filter.assignee.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("me") => Some(Some(me.identity.person)),
            Some("none") => Some(None),
            Some(h) => {
                // Nobody by that handle (or hidden from the viewer) is given
                // nothing: the list is empty.
                let found = match Handle::parse(h.trim_start_matches('@')) {
                    Ok(handle) => self
                        .core
                        .store
                        .profile_by_handle(&handle)
                        .await?
                        .filter(|p| p.kind == ProfileKind::Person && !lens.hides(p.id)),
                    Err(_) => None,
                };
                Some(Some(found.map_or(ProfileId(0), |p| p.id)))
            }
        };
        let after = filter.cursor.as_deref().map(parse_cursor).transpose()?;
        let limit = filter.limit.clamp(1, MAX_INBOX_LIMIT);
        self.caught_up().await;
        let now = self.core.clock.now();
        let mut items = Vec::new();
        let mut cache = ViewCache::default();
        let mut next_after = after;
        let mut more = false;
        // Items the viewer may not see (a block, a post out of his sight)
        // are passed over; a few more are read to fill the page.
        'fill: for _ in 0..5 {
            let batch = self
                .core
                .store
                .inbox_items(&InboxQuery {
                    owners: owners.clone(),
                    status,
                    kind: filter.kind,
                    assignee,
                    hostile_only: filter.hostile_only,
                    after: next_after,
                    limit: limit + 1,
                    now,
                })
                .await?;
            let short = batch.len() <= limit;
            cache.words(&self.core, &batch).await?;
            for item in batch {
                if items.len() == limit {
                    more = true;
                    break 'fill;
                }
                next_after = Some(item.key(status));
                if let Some(v) = self.view_with(&lens, &item, now, &mut cache).await? {
                    items.push(v);
                }
            }
            if short {
                break;
            }
        }
        let next = if more {
            next_after.map(cursor_of)
        } else {
            None
        };
        let counts = self.core.store.inbox_counts(&owners, now).await?;
        Ok(InboxPage {
            items,
            next,
            counts,
        })
    }

    /// One item, for a member of the team that answers it.
    pub async fn item(&self, viewer: &Viewer, id: &str) -> Result<InboxItemView> {
        viewer.require()?;
        let lens = self.core.lens(viewer);
        self.caught_up().await;
        let item = self.visible_item(&lens, id).await?;
        self.view(&lens, &item, self.core.clock.now())
            .await?
            .ok_or(Error::NotFound)
    }

    /// Open items of every profile the viewer answers for (the header's
    /// badge).
    pub async fn counts(&self, viewer: &Viewer) -> Result<InboxCounts> {
        viewer.require()?;
        let lens = self.core.lens(viewer);
        let owners = self.answering_for(&lens);
        self.core
            .store
            .inbox_counts(&owners, self.core.clock.now())
            .await
    }

    /// Open items of every profile `person` answers for (pushed on his
    /// streams).
    pub(crate) async fn counts_of(&self, person: ProfileId) -> Result<InboxCounts> {
        let owners = self.owners_of(person).await?;
        self.core
            .store
            .inbox_counts(&owners, self.core.clock.now())
            .await
    }

    /// The profiles `person` answers for (a stream's member, who is not
    /// the one asking).
    pub(crate) async fn owners_of(&self, person: ProfileId) -> Result<Vec<ProfileId>> {
        let Some(p) = self.core.store.profile(person).await? else {
            return Ok(Vec::new());
        };
        let operated = match p.account {
            Some(a) => self.core.store.roles_of_account(a).await?,
            None => Vec::new(),
        };
        let lens = Lens::new(
            Some(crate::privacy::ViewerIdentity {
                person,
                operated,
                moderator: false,
            }),
            self.core.network.clone(),
        );
        Ok(self.answering_for(&lens))
    }

    /// The persons who answer for `owner`: himself, or the page's team
    /// members whose role answers.
    pub(crate) async fn team_of(&self, owner: ProfileId) -> Result<Vec<ProfileId>> {
        let Some(p) = self.core.store.profile(owner).await? else {
            return Ok(Vec::new());
        };
        if p.kind == ProfileKind::Person {
            return Ok(vec![owner]);
        }
        let mut out = Vec::new();
        for m in self.core.store.managers(owner).await? {
            if m.role.edits()
                && let Some(a) = self.core.store.account(m.account).await?
                && !out.contains(&a.person)
            {
                out.push(a.person);
            }
        }
        Ok(out)
    }

    /// Acts on an item: assigns it to a team member (who is told), dismisses
    /// it with a reason, snoozes it until a date, reopens it, or marks it
    /// answered (a contact-form message answered by e-mail). A page's acts
    /// go in its audit trail with the account that acted.
    pub async fn act(&self, viewer: &Viewer, id: &str, input: ActInput) -> Result<InboxItemView> {
        let me = viewer.require()?;
        let lens = self.core.lens(viewer);
        self.caught_up().await;
        let item = self.visible_item(&lens, id).await?;
        let now = self.core.clock.now();
        let owner = self
            .core
            .store
            .profile(item.owner)
            .await?
            .ok_or(Error::NotFound)?;
        let is_page = owner.kind != ProfileKind::Person;
        if input == ActInput::Publish {
            let Some(Word::Comment(comment)) = item.word else {
                return Err(Error::invalid(
                    "kind",
                    "not_held",
                    "no comment is held here",
                ));
            };
            let audit = is_page.then(|| AuditRecord {
                page: owner.id,
                actor: me.account,
                action: "inbox.publish",
                detail: format!("item {}: comment {comment}", item.id),
                at: now,
            });
            if !self.core.store.release_comment(comment, audit, now).await? {
                return Err(Error::invalid(
                    "kind",
                    "not_held",
                    "no comment is held here",
                ));
            }
            self.core.settle().await;
            self.caught_up().await;
            return self
                .view(&lens, &item, self.core.clock.now())
                .await?
                .ok_or(Error::NotFound);
        }
        let (act, detail) = match input {
            ActInput::Publish => unreachable!("published above"),
            ActInput::Assign(None) => (InboxAct::Assign { to: None }, "nobody".to_owned()),
            ActInput::Assign(Some(handle)) => {
                if !is_page {
                    return Err(Error::invalid(
                        "to",
                        "not_a_page",
                        "only a page's items are given to its team",
                    ));
                }
                let handle = Handle::parse(handle.trim().trim_start_matches('@'))
                    .map_err(|_| Error::invalid("to", "unknown", "no such team member"))?;
                let person = self
                    .core
                    .store
                    .profile_by_handle(&handle)
                    .await?
                    .filter(|p| p.kind == ProfileKind::Person)
                    .ok_or_else(|| Error::invalid("to", "unknown", "no such team member"))?;
                let answers = match person.account {
                    Some(a) => self
                        .core
                        .store
                        .role_of(owner.id, a)
                        .await?
                        .is_some_and(Role::edits),
                    None => false,
                };
                if !answers || lens.hides(person.id) {
                    return Err(Error::invalid(
                        "to",
                        "not_in_team",
                        "only an editor, admin or owner of the page answers for it",
                    ));
                }
                (
                    InboxAct::Assign {
                        to: Some(person.id),
                    },
                    format!("to {}", person.handle),
                )
            }
            ActInput::Dismiss(reason) => {
                let reason = reason.trim().to_owned();
                let chars = reason.chars().count();
                if chars == 0 || chars > inbox::MAX_REASON_CHARS {
                    return Err(Error::invalid(
                        "reason",
                        "length",
                        format!("1 to {} characters", inbox::MAX_REASON_CHARS),
                    ));
                }
                let detail = reason.clone();
                (InboxAct::Dismiss { reason }, detail)
            }
            ActInput::Snooze(until) => {
                if until <= now || until > now + inbox::MAX_SNOOZE {
                    return Err(Error::invalid(
                        "until",
                        "out_of_range",
                        "in the future, within a year",
                    ));
                }
                let until = until.to_offset(time::UtcOffset::UTC);
                let detail = until
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                (InboxAct::Snooze { until }, detail)
            }
            ActInput::Reopen => (InboxAct::Reopen, String::new()),
            ActInput::MarkAnswered => {
                if !item.kind.answered_elsewhere() {
                    return Err(Error::invalid(
                        "kind",
                        "answer_in_place",
                        "this item closes itself when it is answered where it was asked",
                    ));
                }
                (InboxAct::MarkAnswered, String::new())
            }
        };
        let audit = is_page.then(|| AuditRecord {
            page: owner.id,
            actor: me.account,
            action: match &act {
                InboxAct::Assign { .. } => "inbox.assign",
                InboxAct::Dismiss { .. } => "inbox.dismiss",
                InboxAct::Snooze { .. } => "inbox.snooze",
                InboxAct::Reopen => "inbox.reopen",
                InboxAct::MarkAnswered => "inbox.mark_answered",
            },
            detail: format!("item {}: {detail}", item.id)
                .trim_end_matches(": ")
                .to_owned(),
            at: now,
        });
        let change = Change::InboxActed {
            item: item.id,
            owner: item.owner,
            account: me.account,
            actor: me.identity.person,
            act,
        };
        self.core.store.record_inbox_act(change, audit, now).await?;
        self.caught_up().await;
        let item = self.visible_item(&lens, id).await?;
        self.view(&lens, &item, self.core.clock.now())
            .await?
            .ok_or(Error::NotFound)
    }

    /// A page's inbox settings, for any member of its team (an analyst
    /// reads the target beside the figures).
    pub async fn settings(&self, viewer: &Viewer, page: &str) -> Result<InboxSettingsView> {
        let (page, _) = self.team_page(viewer, page, |_| true).await?;
        Ok(settings_view(&self.settings_of(page.id).await?))
    }

    /// Changes a page's inbox settings (its admins and owners); the change
    /// is in the audit trail.
    pub async fn set_settings(
        &self,
        viewer: &Viewer,
        page: &str,
        input: InboxSettingsView,
    ) -> Result<InboxSettingsView> {
        let me = viewer.require()?;
        let (page, _) = self.team_page(viewer, page, Role::administers).await?;
        let mut errors = Vec::new();
        if !inbox::TARGET_HOURS.contains(&input.response_target_hours) {
            errors.push(crate::error::FieldError::new(
                "response_target_hours",
                "out_of_range",
                "1 to 720 hours",
            ));
        }
        let mut filters: Vec<String> = Vec::new();
        for raw in &input.keyword_filters {
            let w = raw.trim().to_owned();
            if w.is_empty() || w.chars().count() > MAX_KEYWORD_CHARS || w == "*" {
                errors.push(crate::error::FieldError::new(
                    "keyword_filters",
                    "invalid",
                    format!("each a word, phrase or stem* of 1 to {MAX_KEYWORD_CHARS} characters"),
                ));
                break;
            }
            if !filters.contains(&w) {
                filters.push(w);
            }
        }
        if errors.is_empty()
            && let Err(e) =
                crate::lexicon::Lexicon::parse(&[("keyword_filters", &filters.join("\n"))])
        {
            errors.push(crate::error::FieldError::new(
                "keyword_filters",
                "invalid",
                format!("`{}` (entry {}): {}", e.entry, e.line, e.problem),
            ));
        }
        if filters.len() > MAX_KEYWORD_FILTERS {
            errors.push(crate::error::FieldError::new(
                "keyword_filters",
                "too_many",
                format!("at most {MAX_KEYWORD_FILTERS}"),
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let settings = InboxSettings {
            target: Duration::hours(i64::from(input.response_target_hours)),
            replies: input.replies,
            keyword_filters: filters,
        };
        let audit = AuditRecord {
            page: page.id,
            actor: me.account,
            action: "inbox.settings",
            detail: format!(
                "target {} h, replies {}, {} keyword filters",
                input.response_target_hours,
                settings.replies.as_str(),
                settings.keyword_filters.len()
            ),
            at: self.core.clock.now(),
        };
        self.core
            .store
            .set_inbox_settings(page.id, &settings, audit)
            .await?;
        Ok(settings_view(&settings))
    }

    /// A page's first-response figures for the last weeks, for any member
    /// of its team (analysts included: figures, never items).
    pub async fn stats(&self, viewer: &Viewer, page: &str) -> Result<InboxStats> {
        let (page, _) = self.team_page(viewer, page, |_| true).await?;
        self.caught_up().await;
        let settings = self.settings_of(page.id).await?;
        let now = self.core.clock.now();
        let since = inbox::week_start(now) - Duration::weeks(inbox::STATS_WEEKS as i64);
        let cycles = self.core.store.inbox_cycles(page.id, since).await?;
        let open = self.core.store.inbox_counts(&[page.id], now).await?.open;
        Ok(InboxStats {
            response_target_hours: settings_view(&settings).response_target_hours,
            open,
            weeks: inbox::weekly_stats(&cycles, settings.target, now),
        })
    }

    /// A handle on the inbox projection (to re-apply events as the
    /// dispatcher does after a failure, or to rebuild it).
    pub fn projection(&self) -> Arc<dyn Projection> {
        Arc::new(InboxProjection::new(self.core.clone()))
    }

    async fn settings_of(&self, owner: ProfileId) -> Result<InboxSettings> {
        Ok(self
            .core
            .store
            .inbox_settings(owner)
            .await?
            .unwrap_or_default())
    }

    /// A page on which the viewer holds a role `allowed` admits; 404 to
    /// anyone else (a page's team is not shown to outsiders).
    async fn team_page(
        &self,
        viewer: &Viewer,
        handle: &str,
        allowed: impl Fn(Role) -> bool,
    ) -> Result<(Profile, Role)> {
        viewer.require()?;
        let (profile, _) = self.core.visible_profile(viewer, handle).await?;
        match self.core.role_on(viewer, &profile) {
            Some(role) if profile.kind.is_page() && allowed(role) => Ok((profile, role)),
            _ => Err(Error::NotFound),
        }
    }

    /// The profile `handle` names, if the viewer answers for it.
    async fn answered_profile(
        &self,
        viewer: &Viewer,
        lens: &Lens,
        handle: &str,
    ) -> Result<Profile> {
        let (profile, _) = self
            .core
            .visible_profile(viewer, handle.trim_start_matches('@'))
            .await?;
        if !lens.answers_for(profile.id) {
            // Somebody else's inbox, or an analyst's page: not his to read.
            return Err(match lens.identity().and_then(|v| v.operates(profile.id)) {
                Some(_) => Error::Forbidden(Forbidden::InsufficientRole),
                None => Error::NotFound,
            });
        }
        Ok(profile)
    }

    async fn visible_item(&self, lens: &Lens, id: &str) -> Result<InboxItem> {
        let id = crate::paging::parse_id_key(id).map_err(|_| Error::NotFound)?;
        let item = self
            .core
            .store
            .inbox_item(id)
            .await?
            .ok_or(Error::NotFound)?;
        if !lens.answers_for(item.owner) || item.from.is_some_and(|f| lens.hides(f)) {
            return Err(Error::NotFound);
        }
        Ok(item)
    }

    /// An item as the viewer may see it; `None` when it is about a post he
    /// may no longer see, or from someone a block hides from him.
    async fn view(
        &self,
        lens: &Lens,
        item: &InboxItem,
        now: OffsetDateTime,
    ) -> Result<Option<InboxItemView>> {
        self.view_with(lens, item, now, &mut ViewCache::default())
            .await
    }

    /// [`Self::view`] with what a list reads once for all its items (the
    /// posts, the profiles, the targets).
    async fn view_with(
        &self,
        lens: &Lens,
        item: &InboxItem,
        now: OffsetDateTime,
        cache: &mut ViewCache,
    ) -> Result<Option<InboxItemView>> {
        if !lens.answers_for(item.owner) {
            return Ok(None);
        }
        if let Some(f) = item.from
            && lens.hides(f)
        {
            return Ok(None);
        }
        if let Some(post) = item.subject.post() {
            if let std::collections::hash_map::Entry::Vacant(slot) = cache.posts.entry(post) {
                slot.insert(self.core.store.post(post).await?);
            }
            let Some(p) = &cache.posts[&post] else {
                return Ok(None);
            };
            if lens.stored_post(p, now).is_none() {
                return Ok(None);
            }
        }
        let profile = cache.profile(&self.core, item.owner).await?;
        cache.words(&self.core, std::slice::from_ref(item)).await?;
        let word = item
            .word
            .and_then(|w| cache.words.get(&w).cloned().flatten());
        let (from, from_name) = match item.from {
            Some(f) => match cache.person(&self.core, f).await {
                Ok(r) => (Some(r.handle), Some(r.name)),
                Err(Error::NotFound) => (None, None),
                Err(e) => return Err(e),
            },
            None => (None, word.as_ref().and_then(|w| w.name.clone())),
        };
        let assignee = match item.assignee {
            Some(a) if !lens.hides(a) => cache.person(&self.core, a).await.ok(),
            _ => None,
        };
        let email = word.as_ref().and_then(|w| w.email.clone());
        let held = word.as_ref().is_some_and(|w| w.held);
        let target = match cache.targets.get(&item.owner) {
            Some(t) => *t,
            None => {
                let t = self.settings_of(item.owner).await?.target;
                cache.targets.insert(item.owner, t);
                t
            }
        };
        let status = item.status_at(now);
        Ok(Some(InboxItemView {
            id: item.id,
            kind: item.kind,
            url: self.url_of(item, &profile),
            profile,
            from,
            from_name,
            since: item.since,
            last_at: item.last_at,
            status,
            hostile: item.hostile,
            assignee,
            snoozed_until: item
                .snoozed_until
                .filter(|_| status == InboxStatus::Snoozed),
            reason: item.reason.clone(),
            excerpt: word.map(|w| excerpt(&w.text)),
            target_seconds: target.whole_seconds(),
            overdue: status == InboxStatus::Open && inbox::overdue(item.since, target, now),
            answered_elsewhere: item.kind.answered_elsewhere(),
            email,
            held,
        }))
    }

    /// The page where the item is answered, as its profile.
    fn url_of(&self, item: &InboxItem, profile: &ProfileRef) -> String {
        let answer_as = if profile.kind != ProfileKind::Person {
            format!("?as={}", profile.handle)
        } else {
            String::new()
        };
        match item.subject {
            Subject::Conversation(id) => format!("/messages/{id}"),
            Subject::Thread { post, root } => {
                let reply = match item.word {
                    Some(Word::Comment(c)) => c,
                    _ => root,
                };
                let sep = if answer_as.is_empty() { "?" } else { "&" };
                format!("/posts/{post}{answer_as}{sep}reply={reply}#comment-{reply}")
            }
            Subject::Post(post) => format!("/posts/{post}{answer_as}#comments"),
            Subject::ContactRequest(_) => "/network#requests".to_owned(),
            Subject::Introduction(id) => format!("/introductions#introduction-{id}"),
            Subject::ContactForm(_) => format!("/inbox/{}", item.id),
            Subject::GroupJoin { group, .. } => match self.core.network.group_card(group) {
                Some(card) => format!("/groups/{}/members?standing=pending", card.handle),
                None => format!("/inbox/{}", item.id),
            },
        }
    }
}

/// What the items of one list share, read once.
#[derive(Default)]
struct ViewCache {
    posts: HashMap<i64, Option<crate::post::Post>>,
    profiles: HashMap<ProfileId, ProfileRef>,
    targets: HashMap<ProfileId, Duration>,
    words: HashMap<Word, Option<inbox::WordText>>,
}

impl ViewCache {
    /// Reads the words of `items` not read yet, in one go.
    async fn words(&mut self, core: &Core, items: &[InboxItem]) -> Result<()> {
        let missing: Vec<Word> = items
            .iter()
            .filter_map(|i| i.word)
            .filter(|w| !self.words.contains_key(w))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let texts = core.store.word_texts(&missing).await?;
        self.words.extend(missing.into_iter().zip(texts));
        Ok(())
    }

    /// A member who wrote or was assigned: a person, from the in-memory
    /// network when he is there.
    async fn person(&mut self, core: &Core, id: ProfileId) -> Result<ProfileRef> {
        if let Some(r) = self.profiles.get(&id) {
            return Ok(r.clone());
        }
        let r = core.person_ref(id).await?;
        self.profiles.insert(id, r.clone());
        Ok(r)
    }

    async fn profile(&mut self, core: &Core, id: ProfileId) -> Result<ProfileRef> {
        if let Some(r) = self.profiles.get(&id) {
            return Ok(r.clone());
        }
        let r = core.profile_ref_of(id).await?;
        self.profiles.insert(id, r.clone());
        Ok(r)
    }
}

fn settings_view(s: &InboxSettings) -> InboxSettingsView {
    InboxSettingsView {
        response_target_hours: u32::try_from(s.target.whole_hours()).unwrap_or(24),
        replies: s.replies,
        keyword_filters: s.keyword_filters.clone(),
    }
}

fn excerpt(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= EXCERPT_CHARS {
        return t.to_owned();
    }
    let mut out: String = t.chars().take(EXCERPT_CHARS - 1).collect();
    out.push('…');
    out
}

/// A list's cursor: the position of the last item shown.
fn cursor_of(key: InboxKey) -> String {
    format!("{}.{}.{}", key.rank, key.at_ns, key.id)
}

fn parse_cursor(raw: &str) -> Result<InboxKey> {
    let bad = || Error::invalid("cursor", "invalid", "not a cursor from this list");
    let mut parts = raw.split('.');
    let mut next = || -> Result<i64> {
        let p = parts.next().ok_or_else(bad)?;
        if p.is_empty() || p.len() > 20 {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    let key = InboxKey {
        rank: next()?,
        at_ns: next()?,
        id: next()?,
    };
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok(key)
}

/// Derives the inbox from the change events. Persistent: its checkpoint
/// is saved with each batch's items in one transaction. When it has no
/// checkpoint (a new install, an upgrade, an import), it rebuilds the
/// inbox from what the store holds, through the same rules.
pub(crate) struct InboxProjection {
    core: Arc<Core>,
    saved: AtomicI64,
}

impl InboxProjection {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            saved: AtomicI64::new(0),
        }
    }

    /// Who decides a group's join requests: its owners and moderators in
    /// good standing (persons, or pages whose team answers for them).
    async fn moderators(&self, group: crate::ids::GroupId) -> Result<Vec<ProfileId>> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .core
                .store
                .group_members(group, crate::group::Standing::Member, after, 1_000)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.member);
            let short = page.len() < 1_000;
            out.extend(
                page.iter()
                    .filter(|r| r.membership.moderates())
                    .map(|r| r.member),
            );
            if short {
                break;
            }
        }
        Ok(out)
    }

    /// The operations one change calls for: the effects of its rules, each
    /// awaiting word read for its tone and dropped across a block or when
    /// its profile may not see what it is about.
    async fn ops(
        &self,
        seq: i64,
        at: OffsetDateTime,
        change: &Change,
        posts: &mut HashMap<i64, Option<crate::post::Post>>,
    ) -> Result<Vec<InboxOp>> {
        let mentioned = self.core.mentioned(change).await?;
        let mut effects = inbox::effects(change, &mentioned);
        if let Change::GroupMembershipChanged { group, .. } = change {
            let moderators = self.moderators(*group).await?;
            effects.extend(inbox::membership_effects(change, &moderators));
        }
        let mut out = Vec::new();
        for effect in effects {
            let mut hostile = false;
            let effect = match effect {
                Effect::Awaits {
                    owner,
                    kind,
                    subject,
                    mut from,
                    word,
                } => {
                    let text = match word {
                        Some(w) => self
                            .core
                            .store
                            .word_texts(&[w])
                            .await?
                            .into_iter()
                            .next()
                            .flatten(),
                        None => None,
                    };
                    if word.is_some() && text.is_none() {
                        // The word is gone already (deleted since).
                        continue;
                    }
                    if from.is_none() {
                        from = text.as_ref().and_then(|t| t.author);
                    }
                    let lens = self.core.member_lens(owner);
                    if from.is_some_and(|f| lens.hides(f)) {
                        continue;
                    }
                    if let Some(post) = subject.post() {
                        if let std::collections::hash_map::Entry::Vacant(slot) = posts.entry(post) {
                            slot.insert(self.core.store.post(post).await?);
                        }
                        let Some(p) = &posts[&post] else { continue };
                        // A post out of the profile's sight (a mention in a
                        // post it may not see) awaits nothing from it.
                        let sees = p.author == owner || lens.stored_post(p, at).is_some();
                        if !sees {
                            continue;
                        }
                    }
                    hostile = text
                        .as_ref()
                        .is_some_and(|t| crate::lexicon::hostile().is_hostile(&t.text));
                    Effect::Awaits {
                        owner,
                        kind,
                        subject,
                        from,
                        word,
                    }
                }
                other => other,
            };
            out.push(InboxOp {
                seq,
                at,
                effect,
                hostile,
            });
        }
        Ok(out)
    }

    /// Rebuilds the inbox from the store: every source of items in time
    /// order through the same rules; answers where the checkpoint is.
    async fn rebuild(&self) -> Result<i64> {
        let at_seq = self.core.store.last_event_seq().await?;
        self.core.store.reset_inbox(INBOX_CHECKPOINT).await?;
        let started = std::time::Instant::now();
        let mut after = None;
        let mut read = 0usize;
        let mut posts = HashMap::new();
        loop {
            let batch = self.core.store.inbox_history(after, REBUILD_BATCH).await?;
            let Some((last, _)) = batch.last() else { break };
            after = Some(*last);
            let mut ops = Vec::new();
            for ((at, _, _), change) in &batch {
                ops.extend(self.ops(0, *at, change, &mut posts).await?);
            }
            posts.clear();
            read += batch.len();
            self.core
                .store
                .apply_inbox(&ops, (INBOX_CHECKPOINT, 0))
                .await?;
            if read % 20_000 < REBUILD_BATCH {
                tracing::info!(read, "inbox: rebuilding from the store");
            }
        }
        // Requests to join closed groups still awaiting a decision.
        let mut after = None;
        loop {
            let page = self
                .core
                .store
                .memberships_page(after, REBUILD_BATCH)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.group, last.member));
            let mut ops = Vec::new();
            for r in page
                .iter()
                .filter(|r| r.membership.standing == crate::group::Standing::Pending)
            {
                let change = Change::GroupMembershipChanged {
                    group: r.group,
                    member: r.member,
                    actor: r.member,
                    before: None,
                    after: Some(r.membership),
                };
                ops.extend(self.ops(0, r.since, &change, &mut posts).await?);
                read += 1;
            }
            self.core
                .store
                .apply_inbox(&ops, (INBOX_CHECKPOINT, 0))
                .await?;
        }
        self.core
            .store
            .apply_inbox(&[], (INBOX_CHECKPOINT, at_seq))
            .await?;
        tracing::info!(
            read,
            seconds = started.elapsed().as_secs_f64(),
            "inbox: rebuilt from the store"
        );
        Ok(at_seq)
    }
}

#[async_trait]
impl Projection for InboxProjection {
    fn name(&self) -> &'static str {
        INBOX_CHECKPOINT
    }

    async fn start(&self) -> Result<i64> {
        let at = match self.core.store.checkpoint(INBOX_CHECKPOINT).await? {
            Some(at) => at,
            None => self.rebuild().await?,
        };
        self.saved.store(at, Ordering::Relaxed);
        Ok(at)
    }

    async fn apply(&self, events: &[Arc<Event>]) -> Result<()> {
        let Some(last) = events.last().map(|e| e.seq) else {
            return Ok(());
        };
        let mut ops = Vec::new();
        let mut posts = HashMap::new();
        for e in events {
            ops.extend(self.ops(e.seq, e.at, &e.change, &mut posts).await?);
        }
        if ops.is_empty() && last - self.saved.load(Ordering::Relaxed) < CHECKPOINT_EVERY {
            return Ok(());
        }
        self.core
            .store
            .apply_inbox(&ops, (INBOX_CHECKPOINT, last))
            .await?;
        self.saved.store(last, Ordering::Relaxed);
        Ok(())
    }

    fn wants(&self, event: &Event) -> bool {
        matches!(
            event.change,
            Change::MessagePosted { .. }
                | Change::CommentAdded { .. }
                | Change::CommentReleased { .. }
                | Change::PostPublished { .. }
                | Change::PostDeleted { .. }
                | Change::ContactRequested { .. }
                | Change::ContactRequestDecided { .. }
                | Change::IntroductionRequested { .. }
                | Change::IntroductionAdvanced { .. }
                | Change::ContactFormMessage { .. }
                | Change::Blocked { .. }
                | Change::InboxActed { .. }
                | Change::GroupMembershipChanged { .. }
                | Change::CommentDeleted { .. }
                | Change::ContentModerated { .. }
        )
    }

    fn read_your_writes(&self) -> bool {
        false
    }
}
