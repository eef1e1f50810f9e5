//! Moderation: members mute and report; the queues of the instance, of
//! each page and of each group decide; every act is logged and the members
//! concerned are told (by the notifications projection, from the events).
//!
//! Who may work which queue, and what each queue may do, is
//! [`crate::moderation`]'s; what a viewer may see of content in a state is
//! the lens's. A report never names its reporter to anyone but instance
//! moderators, and never to the reported member (who cannot work a queue
//! about himself).

use super::Viewer;
use super::core::Core;
use crate::error::{Error, Forbidden, Result};
use crate::ids::ProfileId;
use crate::moderation::{
    self as rules, Action, LogEntry, NewDecision, NewReport, Placement, Report, ReportRequest,
    ReportStatus, Scope, TargetKind,
};
use crate::profile::{ProfileKind, ProfileRef};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Reports a member may file per hour.
pub const REPORTS_PER_HOUR: u64 = 20;
/// Reports a queue page shows.
pub const QUEUE_SHOWN: usize = 200;
/// Lines of the moderation log a page shows.
pub const LOG_SHOWN: usize = 100;

/// A report as its reporter follows it: what became of it, never who
/// decided.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyReport {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    pub target: TargetView,
    pub reason: rules::ReportReason,
    pub note: Option<String>,
    /// `open` until a queue decides; then `actioned` or `dismissed`.
    pub status: ReportStatus,
    /// What was done, when something was.
    pub action: Option<Action>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// What a report is about, as the API names it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetView {
    pub kind: TargetKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

/// The content as it was when reported.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub text: String,
    /// The post a comment is under (for a link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
}

/// One target in a queue, with every report on it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub target: TargetView,
    /// The member the content belongs to.
    pub member: ProfileRef,
    /// As it was when first reported.
    pub snapshot: Snapshot,
    pub reports: Vec<QueueReport>,
    /// `open` while any report on it is.
    pub status: ReportStatus,
    /// What this queue may do.
    pub actions: Vec<Action>,
    /// The member's history: reports against him, decisions about him,
    /// and the sanction in force.
    pub history: MemberHistory,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueReport {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    pub reason: rules::ReportReason,
    pub note: Option<String>,
    /// Named in the instance's queue only.
    pub reporter: Option<ProfileRef>,
    /// Reports this reporter filed in all (instance queue only).
    pub reporter_reports: Option<u64>,
    pub status: ReportStatus,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberHistory {
    pub reports_against: u64,
    pub decisions: Vec<LogView>,
    pub sanction: rules::Sanction,
}

/// A line of the moderation log as a queue's workers read it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogView {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    /// `instance`, `page:<handle>` or `group:<handle>`.
    pub queue: String,
    /// `decision` or `viewed_through_block`.
    pub entry: String,
    pub action: Option<Action>,
    pub target: TargetView,
    pub member: Option<ProfileRef>,
    pub actor: Option<ProfileRef>,
    pub reason: String,
}

/// A comment held by a page's keyword filters, waiting in its queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldComment {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub post: i64,
    pub author: ProfileRef,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// A decision as the member concerned (or a reporter) reads it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionView {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    pub action: Option<Action>,
    pub target: TargetView,
    /// Given to the member concerned only.
    pub reason: Option<String>,
    /// Whether the reader is the member concerned (he may appeal).
    pub concerns_me: bool,
    /// Until when a suspension for a time runs.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub until: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
}

/// A queue's decision on a report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionInput {
    /// `instance`, `page:<handle>` or `group:<handle>`; the instance's
    /// when left out.
    #[serde(default)]
    pub queue: Option<String>,
    pub action: Action,
    /// Why (told to the member); required but for a dismissal.
    #[serde(default)]
    pub reason: Option<String>,
    /// Days of a suspension for a time (1 to 365).
    #[serde(default)]
    pub days: Option<u32>,
}

#[derive(Clone)]
pub struct Moderation {
    core: Arc<Core>,
}

/// A queue as the viewer names it, resolved.
struct Queue {
    scope: Scope,
}

impl Moderation {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    // ---- mutes --------------------------------------------------------

    /// Mutes (`on`) or unmutes a member the viewer may see.
    pub async fn mute(&self, viewer: &Viewer, handle: &str, on: bool) -> Result<()> {
        let me = viewer.require()?;
        let (profile, _) = self.core.visible_profile(viewer, handle).await?;
        if profile.id == me.identity.person {
            return Err(Error::invalid("handle", "self", "you cannot mute yourself"));
        }
        self.core
            .store
            .set_mute(me.identity.person, profile.id, on, self.core.clock.now())
            .await?;
        self.core.settle().await;
        Ok(())
    }

    /// The members the viewer muted (those a block hides are left out).
    pub async fn mutes(&self, viewer: &Viewer) -> Result<Vec<ProfileRef>> {
        let me = viewer.require()?;
        let lens = self.core.lens(viewer);
        let mut out = Vec::new();
        for id in self.core.store.mutes_of(me.identity.person).await? {
            if lens.hides(id) {
                continue;
            }
            match self.core.profile_ref_of(id).await {
                Ok(r) => out.push(r),
                Err(Error::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Whether the viewer muted `member`.
    pub fn muted(&self, viewer: &Viewer, member: ProfileId) -> bool {
        self.core.lens(viewer).mutes(member)
    }

    pub async fn muted_words(&self, viewer: &Viewer) -> Result<Vec<String>> {
        let me = viewer.require()?;
        self.core.store.muted_words(me.identity.person).await
    }

    pub async fn set_muted_words(&self, viewer: &Viewer, words: &[String]) -> Result<Vec<String>> {
        let me = viewer.require()?;
        let words = rules::check_muted_words(words)?;
        self.core
            .store
            .set_muted_words(me.identity.person, words.clone(), self.core.clock.now())
            .await?;
        self.core.settle().await;
        Ok(words)
    }

    // ---- reports ------------------------------------------------------

    /// Files a report on something the viewer may see. Bounded per hour.
    pub async fn report(&self, viewer: &Viewer, input: ReportRequest) -> Result<i64> {
        let me = viewer.require()?;
        let now = self.core.clock.now();
        let note = rules::check_note(input.note.as_deref())?;
        let (placement, target, snapshot) = self.place(viewer, &input.target).await?;
        if self.core.lens(viewer).is_self(placement.member) {
            return Err(Error::invalid(
                "target",
                "self",
                "you cannot report yourself",
            ));
        }
        let filed = self
            .core
            .store
            .count_reports_since(me.identity.person, now - Duration::hours(1))
            .await?;
        if filed >= REPORTS_PER_HOUR {
            return Err(Error::RateLimited {
                retry_after_secs: 3600,
            });
        }
        let id = self
            .core
            .store
            .create_report(NewReport {
                reporter: me.identity.person,
                queues: rules::queues_for(&placement),
                placement,
                target,
                reason: input.reason,
                note,
                snapshot: serde_json::to_string(&snapshot)
                    .map_err(|e| Error::internal(format!("snapshot: {e}")))?,
                at: now,
            })
            .await?;
        self.core.settle().await;
        Ok(id)
    }

    /// Where a reported thing lives, its id, and its content now; it must
    /// be the viewer's to see (anything else answers 404).
    async fn place(
        &self,
        viewer: &Viewer,
        t: &rules::TargetRequest,
    ) -> Result<(Placement, i64, Snapshot)> {
        let lens = self.core.lens(viewer);
        let now = self.core.clock.now();
        let id = || -> Result<i64> {
            let raw = t.id.as_deref().ok_or_else(|| {
                Error::invalid("target.id", "required", "the id of what you report")
            })?;
            // An id that is no number names nothing.
            raw.trim().parse().map_err(|_| Error::NotFound)
        };
        let handle = || {
            t.handle.as_deref().ok_or_else(|| {
                Error::invalid("target.handle", "required", "the handle of what you report")
            })
        };
        let page_of = |author: ProfileId| -> Option<ProfileId> {
            // Persons are in the network's cards; pages and personas not.
            self.core.network.card(author).is_none().then_some(author)
        };
        match t.kind {
            TargetKind::Post => {
                let id = id()?;
                let p = self.core.store.post(id).await?.ok_or(Error::NotFound)?;
                lens.stored_post(&p, now).ok_or(Error::NotFound)?;
                Ok((
                    Placement {
                        kind: TargetKind::Post,
                        member: p.author,
                        page: page_of(p.author),
                        group: p.group,
                    },
                    id,
                    Snapshot {
                        text: p.text,
                        post: Some(id.to_string()),
                    },
                ))
            }
            TargetKind::Comment => {
                let id = id()?;
                let c = self.core.store.comment(id).await?.ok_or(Error::NotFound)?;
                let p = self.core.store.post(c.post).await?.ok_or(Error::NotFound)?;
                lens.stored_post(&p, now).ok_or(Error::NotFound)?;
                if !lens.comment(&c, p.author) {
                    return Err(Error::NotFound);
                }
                Ok((
                    Placement {
                        kind: TargetKind::Comment,
                        member: c.author,
                        page: page_of(p.author),
                        group: p.group,
                    },
                    id,
                    Snapshot {
                        text: c.text,
                        post: Some(p.id.to_string()),
                    },
                ))
            }
            TargetKind::Message => {
                let id = id()?;
                let m = self.core.store.message(id).await?.ok_or(Error::NotFound)?;
                let c = self
                    .core
                    .store
                    .conversation(m.conversation)
                    .await?
                    .ok_or(Error::NotFound)?;
                let me = viewer.require()?.identity.person;
                if !c.participants.contains(&me) || lens.hides(m.author) {
                    return Err(Error::NotFound);
                }
                Ok((
                    Placement {
                        kind: TargetKind::Message,
                        member: m.author,
                        page: None,
                        group: None,
                    },
                    id,
                    Snapshot {
                        text: m.text,
                        post: None,
                    },
                ))
            }
            TargetKind::Profile => {
                let (p, _) = self.core.visible_profile(viewer, handle()?).await?;
                let text = [
                    p.fields.name.as_str(),
                    p.fields.headline.as_deref().unwrap_or(""),
                ]
                .join(" · ");
                Ok((
                    Placement {
                        kind: TargetKind::Profile,
                        member: p.id,
                        page: None,
                        group: None,
                    },
                    p.id.0,
                    Snapshot { text, post: None },
                ))
            }
            TargetKind::Group => {
                let g = self.core.group_by_handle(viewer, handle()?).await?;
                Ok((
                    Placement {
                        kind: TargetKind::Group,
                        member: g.created_by,
                        page: None,
                        group: Some(g.id),
                    },
                    g.id.0,
                    Snapshot {
                        text: format!("{} · {}", g.name, g.about),
                        post: None,
                    },
                ))
            }
        }
    }

    /// The viewer's reports, newest first, with what became of each.
    pub async fn my_reports(&self, viewer: &Viewer) -> Result<Vec<MyReport>> {
        let me = viewer.require()?;
        let reports = self.core.store.reports_by(me.identity.person, 100).await?;
        let lens = self.core.lens(viewer);
        let mut out = Vec::with_capacity(reports.len());
        for r in reports {
            // Actioned when any queue acted; dismissed when every one did.
            let acted = r.queues.iter().find(|q| q.status == ReportStatus::Actioned);
            let (status, action) = match acted {
                Some(q) => (ReportStatus::Actioned, q.action),
                None if !r.queues.is_empty()
                    && r.queues.iter().all(|q| q.status == ReportStatus::Dismissed) =>
                {
                    (ReportStatus::Dismissed, Some(Action::Dismiss))
                }
                None => (ReportStatus::Open, None),
            };
            let mut target = self.target_view(r.kind, r.target).await?;
            // A profile or group he may no longer see is not named.
            let still_seen = match r.kind {
                TargetKind::Profile => !lens.hides(ProfileId(r.target)),
                TargetKind::Group => lens.group(crate::ids::GroupId(r.target)).is_some(),
                _ => true,
            };
            if !still_seen {
                target.handle = None;
            }
            out.push(MyReport {
                id: r.id,
                target,
                reason: r.reason,
                note: r.note,
                status,
                action,
                created_at: r.created_at,
            });
        }
        Ok(out)
    }

    async fn target_view(&self, kind: TargetKind, id: i64) -> Result<TargetView> {
        Ok(match kind {
            TargetKind::Post | TargetKind::Comment | TargetKind::Message => TargetView {
                kind,
                id: Some(id.to_string()),
                handle: None,
            },
            TargetKind::Profile => TargetView {
                kind,
                id: None,
                handle: self
                    .core
                    .profile_ref_of(ProfileId(id))
                    .await
                    .ok()
                    .map(|r| r.handle.to_string()),
            },
            TargetKind::Group => TargetView {
                kind,
                id: None,
                handle: self
                    .core
                    .store
                    .group(crate::ids::GroupId(id))
                    .await?
                    .map(|g| g.handle),
            },
        })
    }

    // ---- queues -------------------------------------------------------

    /// Resolves a queue's name (`instance`, `page:<handle>`,
    /// `group:<handle>`) for a viewer allowed to work it.
    async fn queue_for(&self, viewer: &Viewer, name: Option<&str>) -> Result<Queue> {
        viewer.require()?;
        let lens = self.core.lens(viewer);
        // Absent is the instance's; anything else must name a queue as
        // written (an empty or padded name is refused, not guessed).
        let name = name.unwrap_or("instance");
        if name == "instance" {
            if !lens.is_moderator() {
                return Err(Error::Forbidden(Forbidden::ModeratorsOnly));
            }
            return Ok(Queue {
                scope: Scope::Instance,
            });
        }
        let bad = || {
            Error::invalid(
                "queue",
                "invalid",
                "instance, page:<handle> or group:<handle>",
            )
        };
        let (kind, handle) = name.split_once(':').ok_or_else(bad)?;
        match kind {
            "page" => {
                let (page, _) = self.core.visible_profile(viewer, handle).await?;
                if page.kind == ProfileKind::Person {
                    return Err(Error::NotFound);
                }
                if !lens.answers_for(page.id) {
                    return Err(Error::Forbidden(Forbidden::InsufficientRole));
                }
                Ok(Queue {
                    scope: Scope::Page(page.id),
                })
            }
            "group" => {
                let g = self.core.group_by_handle(viewer, handle).await?;
                if !lens.group(g.id).is_some_and(|s| s.moderates) {
                    return Err(Error::Forbidden(Forbidden::InsufficientRole));
                }
                Ok(Queue {
                    scope: Scope::Group(g.id),
                })
            }
            _ => Err(bad()),
        }
    }

    /// A queue's reports grouped by target, open ones first (every one
    /// with `all`). Reports about the viewer (or a page he runs) are left
    /// out: nobody judges himself.
    pub async fn queue(
        &self,
        viewer: &Viewer,
        name: Option<&str>,
        all: bool,
    ) -> Result<Vec<QueueItem>> {
        let q = self.queue_for(viewer, name).await?;
        let me = viewer.require()?;
        let lens = self.core.lens(viewer);
        let reports = self.core.store.queue(q.scope, !all, QUEUE_SHOWN).await?;
        let mut items: Vec<QueueItem> = Vec::new();
        let mut index: std::collections::HashMap<(TargetKind, i64), usize> =
            std::collections::HashMap::new();
        let mut logged = std::collections::HashSet::new();
        for r in reports {
            // Nobody judges himself; and only the instance's moderators see
            // through blocks (PRIVACY.md): a page's or a group's team does
            // not see reports on a member a block hides from it.
            if lens.is_self(r.member) || (q.scope != Scope::Instance && lens.hides(r.member)) {
                continue;
            }
            // Instance moderators see reported content through blocks; each
            // such look is logged.
            if q.scope == Scope::Instance
                && self.core.network.is_blocked(me.identity.person, r.member)
                && logged.insert((r.kind, r.target))
            {
                self.core
                    .store
                    .log_view(&r, me.identity.person, me.account, self.core.clock.now())
                    .await?;
            }
            let status = r
                .queues
                .iter()
                .find(|s| s.scope == q.scope)
                .map_or(ReportStatus::Open, |s| s.status);
            let report = QueueReport {
                id: r.id,
                reason: r.reason,
                note: r.note.clone(),
                reporter: if q.scope == Scope::Instance {
                    self.core.profile_ref_of(r.reporter).await.ok()
                } else {
                    None
                },
                reporter_reports: if q.scope == Scope::Instance {
                    Some(self.core.store.report_counts(r.reporter).await?.1)
                } else {
                    None
                },
                status,
                created_at: r.created_at,
            };
            match index.get(&(r.kind, r.target)) {
                Some(i) => {
                    let item = &mut items[*i];
                    if status == ReportStatus::Open {
                        item.status = ReportStatus::Open;
                    }
                    item.reports.push(report);
                }
                None => {
                    let member = match self.core.profile_ref_of(r.member).await {
                        Ok(m) => m,
                        Err(Error::NotFound) => continue,
                        Err(e) => return Err(e),
                    };
                    index.insert((r.kind, r.target), items.len());
                    items.push(QueueItem {
                        target: self.target_view(r.kind, r.target).await?,
                        member,
                        snapshot: serde_json::from_str(&r.snapshot).unwrap_or_default(),
                        status,
                        actions: q.scope.actions(r.kind).to_vec(),
                        history: self.history(r.member, q.scope).await?,
                        reports: vec![report],
                    });
                }
            }
        }
        // Open targets first, then the oldest report first.
        items.sort_by_key(|i| i.status != ReportStatus::Open);
        Ok(items)
    }

    async fn history(&self, member: ProfileId, scope: Scope) -> Result<MemberHistory> {
        let (reports_against, _) = self.core.store.report_counts(member).await?;
        let only = (scope != Scope::Instance).then_some(scope);
        let mut decisions = Vec::new();
        for e in self
            .core
            .store
            .moderation_log(only, Some(member), None, 20)
            .await?
        {
            if e.entry == "decision" {
                decisions.push(self.log_view(&e).await?);
            }
        }
        Ok(MemberHistory {
            reports_against,
            decisions,
            sanction: self.core.store.sanction(member).await?,
        })
    }

    /// Decides on a report in one of the viewer's queues: every open
    /// report on the same target there is closed, the content's state or
    /// the member's sanction set, the act logged, the member and the
    /// reporters told.
    pub async fn decide(
        &self,
        viewer: &Viewer,
        report: i64,
        input: DecisionInput,
    ) -> Result<LogView> {
        let q = self.queue_for(viewer, input.queue.as_deref()).await?;
        let r: Report = self
            .core
            .store
            .report(report)
            .await?
            .filter(|r| r.queues.iter().any(|s| s.scope == q.scope))
            .ok_or(Error::NotFound)?;
        let lens = self.core.lens(viewer);
        if lens.is_self(r.member) || (q.scope != Scope::Instance && lens.hides(r.member)) {
            return Err(Error::NotFound);
        }
        let id = self
            .apply(
                viewer,
                q.scope,
                Some(r.id),
                r.kind,
                r.target,
                r.member,
                &input,
            )
            .await?;
        let entry = self
            .core
            .store
            .log_entry(id)
            .await?
            .ok_or_else(|| Error::internal("decision not logged"))?;
        self.log_view(&entry).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &self,
        viewer: &Viewer,
        scope: Scope,
        report: Option<i64>,
        kind: TargetKind,
        target: i64,
        member: ProfileId,
        input: &DecisionInput,
    ) -> Result<i64> {
        let me = viewer.require()?;
        let action = input.action;
        if !scope.may(action, kind) {
            return Err(Error::invalid(
                "action",
                "not_allowed_here",
                format!("this queue may not {} a {}", action.as_str(), kind.as_str()),
            ));
        }
        let reason = rules::check_reason(action, input.reason.as_deref())?;
        let now = self.core.clock.now();
        let touches_content = matches!(kind, TargetKind::Post | TargetKind::Comment);
        let content = if touches_content {
            rules::content_after(action)
        } else {
            None
        };
        let sanction = if matches!(action, Action::Limit | Action::SuspendFor | Action::Suspend)
            || (action == Action::Lift && scope == Scope::Instance)
        {
            let current = self.core.store.sanction(member).await?;
            let after = current.after(action, input.days, now).ok_or_else(|| {
                Error::invalid(
                    "days",
                    "out_of_range",
                    format!("1 to {} days", rules::MAX_SUSPENSION_DAYS),
                )
            })?;
            Some(after)
        } else {
            None
        };
        let entry = self
            .core
            .store
            .decide(NewDecision {
                scope,
                report,
                kind,
                target,
                member,
                action,
                reason,
                content,
                sanction,
                actor: me.identity.person,
                account: me.account,
                at: now,
            })
            .await?;
        self.core.settle().await;
        Ok(entry)
    }

    /// Hides, removes or restores (`lift`) a comment under the viewer's
    /// post (or a page's he answers for) without a report: hiding is for
    /// the post's author, removing for a page's team. Logged in the
    /// page's queue.
    pub async fn moderate_comment(
        &self,
        viewer: &Viewer,
        comment: i64,
        action: Action,
        reason: Option<&str>,
    ) -> Result<()> {
        viewer.require()?;
        let lens = self.core.lens(viewer);
        let c = self
            .core
            .store
            .comment(comment)
            .await?
            .ok_or(Error::NotFound)?;
        let p = self.core.store.post(c.post).await?.ok_or(Error::NotFound)?;
        if lens.stored_post(&p, self.core.clock.now()).is_none() || !lens.comment(&c, p.author) {
            return Err(Error::NotFound);
        }
        if !lens.answers_for(p.author) {
            return Err(Error::Forbidden(Forbidden::NotAllowed));
        }
        let is_page = self.core.network.card(p.author).is_none();
        let allowed = match action {
            Action::Hide | Action::Lift => true,
            Action::Remove => is_page,
            _ => false,
        };
        if !allowed {
            return Err(Error::invalid(
                "action",
                "not_allowed_here",
                "hide or lift a comment on your post; a page may also remove it",
            ));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let input = DecisionInput {
            queue: None,
            action,
            reason: Some(
                reason
                    .unwrap_or(match action {
                        Action::Hide => "hidden by the post's author",
                        Action::Remove => "removed by the page's team",
                        _ => "restored by the post's author",
                    })
                    .to_owned(),
            ),
            days: None,
        };
        self.apply(
            viewer,
            Scope::Page(p.author),
            None,
            TargetKind::Comment,
            comment,
            c.author,
            &input,
        )
        .await?;
        Ok(())
    }

    // ---- the log --------------------------------------------------------

    /// A queue's moderation log, newest first: the instance's shows every
    /// queue's acts, a page's or a group's its own.
    pub async fn log(
        &self,
        viewer: &Viewer,
        name: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<LogView>> {
        let q = self.queue_for(viewer, name).await?;
        let only = (q.scope != Scope::Instance).then_some(q.scope);
        let mut out = Vec::new();
        for e in self
            .core
            .store
            .moderation_log(only, None, before, limit.clamp(1, LOG_SHOWN))
            .await?
        {
            out.push(self.log_view(&e).await?);
        }
        Ok(out)
    }

    async fn queue_name(&self, scope: Option<Scope>) -> Result<String> {
        Ok(match scope {
            None | Some(Scope::Instance) => "instance".to_owned(),
            Some(Scope::Page(p)) => match self.core.profile_ref_of(p).await {
                Ok(r) => format!("page:{}", r.handle),
                Err(_) => "page".to_owned(),
            },
            Some(Scope::Group(g)) => match self.core.store.group(g).await? {
                Some(g) => format!("group:{}", g.handle),
                None => "group".to_owned(),
            },
        })
    }

    async fn log_view(&self, e: &LogEntry) -> Result<LogView> {
        Ok(LogView {
            id: e.id,
            at: e.at,
            queue: self.queue_name(e.scope).await?,
            entry: e.entry.clone(),
            action: e.action,
            target: self.target_view(e.kind, e.target).await?,
            member: self.core.profile_ref_of(e.member).await.ok(),
            actor: self.core.profile_ref_of(e.actor).await.ok(),
            reason: e.reason.clone(),
        })
    }

    /// A decision as the member concerned, a reporter on its target or a
    /// moderator reads it (anyone else: 404). The reason is the member's
    /// (and the moderators'); a reporter learns what was done.
    pub async fn decision(&self, viewer: &Viewer, id: i64) -> Result<DecisionView> {
        let me = viewer.require()?;
        let lens = self.core.lens(viewer);
        let e = self
            .core
            .store
            .log_entry(id)
            .await?
            .filter(|e| e.entry == "decision")
            .ok_or(Error::NotFound)?;
        let concerns_me = lens.is_self(e.member);
        let reported = match e.report {
            Some(_) => self
                .core
                .store
                .reports_by(me.identity.person, 100)
                .await?
                .iter()
                .any(|r| r.kind == e.kind && r.target == e.target),
            None => false,
        };
        if !concerns_me && !reported && !lens.is_moderator() {
            return Err(Error::NotFound);
        }
        let until = match e.action {
            Some(Action::SuspendFor) => self.core.store.sanction(e.member).await?.suspended_until,
            _ => None,
        };
        Ok(DecisionView {
            id: e.id,
            action: e.action,
            target: self.target_view(e.kind, e.target).await?,
            reason: (concerns_me || lens.is_moderator()).then(|| e.reason.clone()),
            concerns_me,
            until,
            at: e.at,
        })
    }

    /// The comments a page's keyword filters hold under its posts, for its
    /// team (its queue `page:<handle>`); other queues hold none.
    pub async fn held(&self, viewer: &Viewer, name: Option<&str>) -> Result<Vec<HeldComment>> {
        let q = self.queue_for(viewer, name).await?;
        let Scope::Page(page) = q.scope else {
            return Ok(Vec::new());
        };
        let lens = self.core.lens(viewer);
        let mut out = Vec::new();
        for c in self.core.store.held_comments(page, QUEUE_SHOWN).await? {
            if lens.hides(c.author) {
                continue;
            }
            let author = match self.core.profile_ref_of(c.author).await {
                Ok(a) => a,
                Err(Error::NotFound) => continue,
                Err(e) => return Err(e),
            };
            out.push(HeldComment {
                id: c.id,
                post: c.post,
                author,
                text: c.text,
                created_at: c.created_at,
            });
        }
        Ok(out)
    }

    /// Publishes a comment the page's keyword filters held (its team;
    /// written in the page's audit trail): it is then shown and counted,
    /// and those it concerns are told.
    pub async fn publish_held(&self, viewer: &Viewer, comment: i64) -> Result<()> {
        let me = viewer.require()?;
        let lens = self.core.lens(viewer);
        let c = self
            .core
            .store
            .comment(comment)
            .await?
            .ok_or(Error::NotFound)?;
        let p = self.core.store.post(c.post).await?.ok_or(Error::NotFound)?;
        if !c.held || !lens.answers_for(p.author) || lens.hides(c.author) {
            return Err(Error::NotFound);
        }
        let now = self.core.clock.now();
        let audit = crate::store::AuditRecord {
            page: p.author,
            actor: me.account,
            action: "moderation.publish",
            detail: format!("comment {comment}"),
            at: now,
        };
        if !self
            .core
            .store
            .release_comment(comment, Some(audit), now)
            .await?
        {
            return Err(Error::NotFound);
        }
        self.core.settle().await;
        Ok(())
    }

    /// Whether the viewer works the instance's queue.
    pub fn is_moderator(&self, viewer: &Viewer) -> bool {
        self.core.lens(viewer).is_moderator()
    }

    /// The queues the viewer works: the instance's when he moderates it,
    /// each page he answers for, each group he moderates.
    pub async fn my_queues(&self, viewer: &Viewer) -> Result<Vec<String>> {
        let me = viewer.require()?;
        let lens = self.core.lens(viewer);
        let mut out = Vec::new();
        if lens.is_moderator() {
            out.push("instance".to_owned());
        }
        for (profile, role) in &me.identity.operated {
            if role.edits()
                && let Ok(r) = self.core.profile_ref_of(*profile).await
            {
                out.push(format!("page:{}", r.handle));
            }
        }
        for (g, m) in self.core.network.memberships_of(me.identity.person) {
            if m.moderates()
                && let Some(card) = self.core.network.group_card(g)
            {
                out.push(format!("group:{}", card.handle));
            }
        }
        Ok(out)
    }
}
