//! Profile visits ("who viewed my profile") and a page's statistics (the
//! reach of its posts).
//!
//! A visit is recorded when a signed-in member views another member's
//! person profile (one row per pair and day); a post view when a signed-in
//! member who does not run the page opens one of its posts or is shown it
//! in his feed. Each visitor is shown as HIS OWN `visits` setting says, read
//! when the list is shown: `name`, `organization` only ("someone from
//! ACME") or `nothing` (counted only). Blocked pairs are neither recorded
//! nor shown.

use super::{Core, PostView, Viewer};
use crate::error::{Error, Result};
use crate::ids::ProfileId;
use crate::privacy::{Field, VisitVisibility};
use crate::profile::{Profile, ProfileKind, ProfileRef};
use crate::store::{CountsFor, VisitBatch};
use crate::validate::Handle;
use serde::Serialize;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// How far back "who viewed my profile" looks.
pub const VISITS_WINDOW_DAYS: i64 = 90;
/// Most visitors listed at once.
pub const MAX_VISITORS: usize = 100;
/// Most visitors read to count the anonymous ones.
const VISITORS_READ: usize = 2_000;
/// Posts a page's statistics cover.
pub const STATS_POSTS: usize = 50;

/// One visitor of my profile, as his own setting lets him be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Visitor {
    /// He shows his name.
    Named {
        handle: Handle,
        name: String,
        /// The day of his latest visit (UTC, `YYYY-MM-DD`).
        visited_on: String,
    },
    /// He shows his organization only: "someone from ACME", or `null`
    /// when he has none (or may not show it to you).
    Organization {
        organization: Option<String>,
        visited_on: String,
    },
}

/// `GET /api/v1/me/visitors`: the last 90 days, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorsPage {
    pub items: Vec<Visitor>,
    /// Cursor of the next page, or null at the end.
    pub next: Option<String>,
    /// Visitors who show nothing of their visits: counted only.
    pub anonymous_count: u64,
}

/// The numbers of one post of a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostStats {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    /// The beginning of its text.
    pub excerpt: String,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    /// Images it carries (0: a text post).
    pub images: u64,
    /// Distinct signed-in members who were shown it (its operators excluded).
    pub reach: u64,
    pub reactions: u64,
    pub comments: u64,
    pub reshares: u64,
}

/// Posts of one kind (with images, or text only) compared.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindStats {
    pub posts: u64,
    pub average_reshares: f64,
    pub average_reach: f64,
}

/// `GET /api/v1/pages/{handle}/stats`: the page's last 50 published posts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageStats {
    pub page: ProfileRef,
    /// Newest first.
    pub posts: Vec<PostStats>,
    pub image_posts: KindStats,
    pub text_posts: KindStats,
}

fn excerpt(text: &str) -> String {
    const CHARS: usize = 80;
    let mut out: String = text.chars().take(CHARS).collect();
    if text.chars().count() > CHARS {
        out.push('…');
    }
    out
}

fn kind_stats<'a>(posts: impl Iterator<Item = &'a PostStats>) -> KindStats {
    let (mut n, mut reshares, mut reach) = (0u64, 0u64, 0u64);
    for p in posts {
        n += 1;
        reshares += p.reshares;
        reach += p.reach;
    }
    if n == 0 {
        return KindStats::default();
    }
    KindStats {
        posts: n,
        average_reshares: reshares as f64 / n as f64,
        average_reach: reach as f64 / n as f64,
    }
}

/// Visits and post views waiting to be written. Reading a profile or a
/// feed records them here and answers; [`Visits::flush`] writes them in
/// one transaction, from a background task every second and before
/// anything that shows them is read. A write that fails (a full disk)
/// leaves them here for the next try, up to [`MAX_PENDING`], and never
/// fails the read that made them.
#[derive(Debug, Default)]
struct Pending {
    /// Latest visit per (visitor, visited, UTC day).
    visits: std::collections::HashMap<(ProfileId, ProfileId, i64), OffsetDateTime>,
    /// First view per (viewer, post).
    post_views: std::collections::HashMap<(ProfileId, i64), OffsetDateTime>,
    /// Left out since the last flush because the buffer was full.
    dropped: u64,
}

/// Visits and views held at most before new ones are left out (a store
/// that has refused writes for long).
pub const MAX_PENDING: usize = 100_000;

impl Pending {
    fn len(&self) -> usize {
        self.visits.len() + self.post_views.len()
    }

    fn take(&mut self) -> (VisitBatch, u64) {
        let batch = VisitBatch {
            visits: self
                .visits
                .drain()
                .map(|((visitor, visited, _), at)| (visitor, visited, at))
                .collect(),
            post_views: self
                .post_views
                .drain()
                .map(|((viewer, post), at)| (viewer, post, at))
                .collect(),
        };
        (batch, std::mem::take(&mut self.dropped))
    }

    /// Puts back a batch that could not be written (newer entries win).
    fn put_back(&mut self, batch: VisitBatch) {
        for (visitor, visited, at) in batch.visits {
            let key = (visitor, visited, at.unix_timestamp().div_euclid(86_400));
            if self.len() < MAX_PENDING || self.visits.contains_key(&key) {
                let latest = self.visits.entry(key).or_insert(at);
                *latest = (*latest).max(at);
            } else {
                self.dropped += 1;
            }
        }
        for (viewer, post, at) in batch.post_views {
            if self.len() < MAX_PENDING || self.post_views.contains_key(&(viewer, post)) {
                let first = self.post_views.entry((viewer, post)).or_insert(at);
                *first = (*first).min(at);
            } else {
                self.dropped += 1;
            }
        }
    }
}

/// Profile visits and the reach of pages' posts, and what they show: who viewed my profile, a page's statistics.
#[derive(Clone)]
pub struct Visits {
    core: Arc<Core>,
    pending: Arc<std::sync::Mutex<Pending>>,
    /// One flush at a time, so that batches are written in order.
    flushing: Arc<tokio::sync::Mutex<()>>,
}

impl Visits {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            pending: Arc::default(),
            flushing: Arc::default(),
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the visits and views recorded so far; on failure they stay
    /// pending. How many were written, and how many had been left out
    /// since the last flush for want of room.
    pub async fn flush(&self) -> Result<(usize, u64)> {
        let _turn = self.flushing.lock().await;
        let (batch, dropped) = self.pending().take();
        let written = batch.visits.len() + batch.post_views.len();
        if written == 0 {
            return Ok((0, dropped));
        }
        match self.core.store.record_visits_and_views(&batch).await {
            Ok(()) => Ok((written, dropped)),
            Err(e) => {
                let mut pending = self.pending();
                pending.put_back(batch);
                pending.dropped += dropped;
                Err(e)
            }
        }
    }

    /// [`Self::flush`] before a read of what it writes; a failure there is
    /// logged by the caller's next background flush, not shown.
    async fn flush_before_reading(&self) {
        let _ = self.flush().await;
    }
}

impl Visits {
    /// Records the viewer's visit of a person's profile: not for anonymous
    /// viewers, his own profile, pages, or a blocked pair.
    pub(crate) async fn record_visit(&self, viewer: &Viewer, profile: &Profile) -> Result<()> {
        let Some(me) = viewer.signed_in.as_ref() else {
            return Ok(());
        };
        let person = me.identity.person;
        if profile.kind != ProfileKind::Person
            || profile.id == person
            || self.core.lens(viewer).hides(profile.id)
        {
            return Ok(());
        }
        let at = self.core.clock.now();
        let day = at.unix_timestamp().div_euclid(86_400);
        let mut pending = self.pending();
        let key = (person, profile.id, day);
        if pending.len() >= MAX_PENDING && !pending.visits.contains_key(&key) {
            pending.dropped += 1;
            return Ok(());
        }
        let latest = pending.visits.entry(key).or_insert(at);
        *latest = (*latest).max(at);
        Ok(())
    }

    /// Records that the viewer was shown these posts, for the posts of
    /// pages he does not run, in one store call.
    pub(crate) async fn record_post_views(
        &self,
        viewer: &Viewer,
        shown: &[PostView],
    ) -> Result<()> {
        let Some(me) = viewer.signed_in.as_ref() else {
            return Ok(());
        };
        let viewer_id = me.identity.person;
        let at = self.core.clock.now();
        let mut pending = self.pending();
        for p in shown
            .iter()
            .filter(|p| p.author.kind.is_page() && me.identity.operates(p.author_id).is_none())
        {
            let key = (viewer_id, p.id);
            if pending.len() >= MAX_PENDING && !pending.post_views.contains_key(&key) {
                pending.dropped += 1;
                continue;
            }
            pending.post_views.entry(key).or_insert(at);
        }
        Ok(())
    }

    /// Who viewed the viewer's profile in the last 90 days, newest first,
    /// each as his own `visits` setting says.
    pub async fn profile_visitors(&self, viewer: &Viewer, limit: usize) -> Result<VisitorsPage> {
        self.profile_visitors_page(viewer, None, limit).await
    }

    /// [`Self::profile_visitors`] a page at a time; `anonymous_count`
    /// counts them all. The cursor is an offset into the visitors shown (of
    /// the visits read, 2,000 at most): a key would carry a visitor's id or
    /// the exact time of his visit, which he may not show.
    pub async fn profile_visitors_page(
        &self,
        viewer: &Viewer,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<VisitorsPage> {
        let me = viewer.require()?.identity.person;
        let offset = cursor
            .map(crate::paging::parse_offset)
            .transpose()?
            .unwrap_or(0);
        let since = self.core.clock.now() - Duration::days(VISITS_WINDOW_DAYS);
        let limit = limit.clamp(1, MAX_VISITORS);
        self.flush_before_reading().await;
        let rows = self
            .core
            .store
            .visitors_of(me, since, VISITORS_READ)
            .await?;
        let lens = self.core.lens(viewer);
        let mut items = Vec::new();
        let mut anonymous_count = 0;
        let mut skipped = 0;
        let mut more = false;
        for (visitor, at) in rows {
            let Some(relation) = lens.relation(visitor) else {
                continue;
            };
            let Some(p) = self.core.store.profile(visitor).await? else {
                continue;
            };
            let visited_on = at.date().to_string();
            match p.settings.visits {
                VisitVisibility::Nothing => anonymous_count += 1,
                _ if skipped < offset => skipped += 1,
                _ if items.len() >= limit => more = true,
                VisitVisibility::Name => items.push(Visitor::Named {
                    handle: p.handle.clone(),
                    name: p.fields.name.clone(),
                    visited_on,
                }),
                VisitVisibility::Organization => {
                    // Only as far as his organization field's audience goes.
                    let shown = p.audiences.get(Field::Organization).admits(relation);
                    items.push(Visitor::Organization {
                        organization: p.fields.organization.clone().filter(|_| shown),
                        visited_on,
                    });
                }
            }
        }
        Ok(VisitorsPage {
            items,
            next: more.then(|| offset.saturating_add(limit).to_string()),
            anonymous_count,
        })
    }

    /// The statistics of a page's last 50 published posts, for whoever
    /// holds a role on it (analyst and above: every role); `NotFound` to
    /// anyone else, exactly like a missing page.
    pub async fn page_stats(&self, viewer: &Viewer, handle: &str) -> Result<PageStats> {
        viewer.require()?;
        let (page, _) = self.core.visible_profile(viewer, handle).await?;
        if !page.kind.is_page() || self.core.role_on(viewer, &page).is_none() {
            return Err(Error::NotFound);
        }
        let now = self.core.clock.now();
        let posts = self
            .core
            .store
            .posts_by(&[page.id], None, now, STATS_POSTS)
            .await?;
        let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
        // The page's own statistics count every published comment,
        // reaction and reshare, whoever may see it: shown to its managers
        // only, as numbers without names (ARCHITECTURE.md, "Counters").
        let everything = CountsFor {
            hidden: Vec::new(),
            signed_in: true,
            now,
        };
        let mut counts = self.core.store.post_counts(&ids, &everything).await?;
        self.flush_before_reading().await;
        let reach = self.core.store.post_reach(&ids).await?;
        let posts: Vec<PostStats> = posts
            .into_iter()
            .map(|p| {
                let c = counts.remove(&p.id).unwrap_or_default();
                PostStats {
                    id: p.id,
                    excerpt: excerpt(&p.text),
                    published_at: p.published_at,
                    images: p.images.len() as u64,
                    reach: reach.get(&p.id).copied().unwrap_or(0),
                    reactions: c.reactions,
                    comments: c.comments,
                    reshares: c.reshares + c.narrow_reshares.len() as u64,
                }
            })
            .collect();
        Ok(PageStats {
            page: ProfileRef {
                handle: page.handle.clone(),
                name: page.fields.name.clone(),
                kind: page.kind,
                persona_of: None,
            },
            image_posts: kind_stats(posts.iter().filter(|p| p.images > 0)),
            text_posts: kind_stats(posts.iter().filter(|p| p.images == 0)),
            posts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(images: u64, reach: u64, reshares: u64) -> PostStats {
        PostStats {
            id: 1,
            excerpt: String::new(),
            published_at: OffsetDateTime::UNIX_EPOCH,
            images,
            reach,
            reactions: 0,
            comments: 0,
            reshares,
        }
    }

    #[test]
    fn kinds_are_averaged() {
        let all = [stats(1, 4, 1), stats(2, 2, 2), stats(0, 3, 0)];
        let img = kind_stats(all.iter().filter(|p| p.images > 0));
        assert_eq!(img.posts, 2);
        assert!((img.average_reach - 3.0).abs() < 1e-9);
        assert!((img.average_reshares - 1.5).abs() < 1e-9);
        assert_eq!(kind_stats([].iter()), KindStats::default());
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("court"), "court");
        assert_eq!(excerpt(&"é".repeat(100)).chars().count(), 81);
    }
}
