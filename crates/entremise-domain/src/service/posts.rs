//! Posts, images, comments, reactions, reshares, follows and the home feed.
//!
//! Every read goes through [`crate::privacy::Lens::post`] with the viewer's
//! relation to the author: a single post, the feed, comments, counters,
//! reshares (the embedded original is checked on its own) and image bytes.

use super::{Core, Viewer, Visits};
use crate::error::{Error, FieldError, Forbidden, Result};
use crate::ids::{GroupId, ProfileId};
use crate::media::{StoredImage, UploadError, UploadLimits};
use crate::post::{
    self, Comment, MAX_ALT_CHARS, MAX_COMMENT_CHARS, MAX_IMAGES, MAX_POST_CHARS, Post, PostCounts,
    PostEdit, ReactionKind,
};
use crate::privacy::Relation;
use crate::profile::{Profile, ProfileKind, ProfileRef};
use crate::store::{CountsFor, NewMedia, NewPost, PostCursor, StoredCounts};
use crate::timeline::{self, PostKey};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Largest page of a feed or list of posts.
mod feed;
mod views;

pub const MAX_FEED_LIMIT: usize = crate::paging::MAX_PAGE;
/// How far ahead a page may schedule a post.
pub const MAX_SCHEDULE_DAYS: i64 = 365;
/// How far back the ranked feed looks.
const RANKED_WINDOW_DAYS: i64 = 14;
/// Posts the ranked feed ranks.
const RANKED_POOL: usize = 200;
/// Keys a feed page looks at, at most, before it answers with what it found
/// and a cursor to go on (a viewer who may see few of his authors' posts).
const FEED_SCAN: usize = 5_000;

/// `POST /api/v1/posts`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPostInput {
    #[serde(default)]
    pub text: String,
    /// `public`, `members`, `network`, `contacts`, or `group:<handle>` (the
    /// members of a group the author is a member of).
    pub audience: crate::post::PostAudience,
    /// Publish as a page or persona the member manages (editor or above).
    #[serde(default, rename = "as")]
    pub as_: Option<String>,
    /// Uploaded media ids (`POST /api/v1/media`), up to 10.
    #[serde(default)]
    pub media: Vec<String>,
    /// The post this one reshares.
    #[serde(default)]
    pub reshare_of: Option<String>,
    /// Pages only: publish later (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub publish_at: Option<OffsetDateTime>,
    /// Who may comment: `everyone` (the default of a person's posts),
    /// `members`, `network`, `contacts` or `nobody`; a page's posts take
    /// the page's default.
    #[serde(default)]
    pub replies: Option<crate::post::ReplyControl>,
}

/// An image of a post, as served.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageView {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    /// The full copy; `?w=320|640|1280` for smaller ones.
    pub url: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// An uploaded image (`POST /api/v1/media`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediaView {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// A post as one viewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostView {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    pub author: ProfileRef,
    /// The author's id, for the use cases (statistics leave out the page's
    /// own managers).
    #[serde(skip)]
    pub author_id: ProfileId,
    /// `public`, `members`, `network`, `contacts`, `only_me`, or
    /// `group:<handle>`.
    pub audience: crate::post::PostAudience,
    /// The group it was posted to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<crate::group::GroupRef>,
    pub text: String,
    pub images: Vec<ImageView>,
    pub hashtags: Vec<String>,
    pub mentions: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    /// Set when the text was edited; the history is at `/posts/{id}/history`.
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub edited_at: Option<OffsetDateTime>,
    /// Still to be published (seen only by the page's managers).
    pub scheduled: bool,
    /// What this post reshares: `null` inside when the viewer may not see the
    /// original (or it was deleted).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub reshare_of: Option<Reshared>,
    pub counts: PostCounts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_reaction: Option<ReactionKind>,
    /// The viewer may edit and delete it: his own, or a page's on which his
    /// role edits.
    pub mine: bool,
    /// Who may comment on it.
    pub replies: crate::post::ReplyControl,
    /// Whether the viewer may comment on it.
    pub may_comment: bool,
}

/// The original of a reshare.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reshared {
    /// `null` when unavailable to the viewer.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub post: Option<Box<PostView>>,
}

/// A comment as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentView {
    #[serde(serialize_with = "crate::ids::id_as_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: i64,
    pub author: ProfileRef,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Held for review by the page's keyword filters: only its author and
    /// the page's team see it, until the team publishes it.
    pub held: bool,
    /// `visible`; `hidden` or `removed` only to those who still see it
    /// (its author; moderators).
    pub state: crate::moderation::ContentState,
    /// When its author last changed it.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub edited_at: Option<OffsetDateTime>,
    /// What the viewer may do with it: edit (its author), delete (its
    /// author, a page's team under its post), hide (the post's author).
    pub may_edit: bool,
    pub may_delete: bool,
    pub may_hide: bool,
    /// Replies, one level deep.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub replies: Vec<CommentView>,
}

/// A comment's earlier texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentEdit {
    pub text: String,
    /// Until when this text was shown.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub replaced_at: OffsetDateTime,
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedPage {
    pub items: Vec<PostView>,
    /// Cursor of the next page.
    pub next: Option<String>,
}

/// A post and its earlier versions, newest first.
#[derive(Debug, Clone)]
pub struct PostHistory {
    pub post: PostView,
    pub edits: Vec<PostEdit>,
}

/// A profile's posts, with the profile as the viewer may name it.
#[derive(Debug, Clone)]
pub struct AuthorPosts {
    pub author: ProfileRef,
    pub page: FeedPage,
}

/// Reads a feed cursor (`nanos.id`).
pub fn parse_cursor(raw: &str) -> Result<PostCursor> {
    let bad = || Error::invalid("cursor", "invalid", "not a cursor of this list");
    let (t, id) = raw.split_once('.').ok_or_else(bad)?;
    let nanos: i128 = t.parse().map_err(|_| bad())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| bad())?;
    Ok((at, id.parse().map_err(|_| bad())?))
}

pub(crate) fn parse_id(field: &str, raw: &str) -> Result<i64> {
    raw.trim()
        .parse()
        .map_err(|_| Error::invalid(field, "invalid", "not an id"))
}

fn upload_error(e: UploadError) -> Error {
    let reason = match e {
        UploadError::TooLarge { .. } => "too_large",
        UploadError::NotAnImage => "not_an_image",
        UploadError::Corrupt(_) => "corrupt",
        UploadError::TooManyPixels { .. } => "too_many_pixels",
    };
    Error::Invalid(vec![FieldError::new("file", reason, e.to_string())])
}

/// Posts, images, comments, reactions, reshares, follows and the home feed.
#[derive(Clone)]
pub struct Posts {
    core: Arc<Core>,
    /// Records the reach of pages' posts shown.
    visits: Visits,
    /// Pages each member follows (see `followed`), cleared by his follows.
    followed: Arc<std::sync::Mutex<std::collections::HashMap<ProfileId, Arc<Vec<ProfileId>>>>>,
}

impl Posts {
    pub(crate) fn new(core: Arc<Core>, visits: Visits) -> Self {
        Self {
            visits,
            followed: Arc::default(),
            core,
        }
    }
}

impl Posts {
    /// Whether the viewer may see a post: its audience admits his relation
    /// to the author, and it is published (or his own).
    fn may_see(&self, viewer: &Viewer, p: &Post, now: OffsetDateTime) -> Option<Relation> {
        self.core.lens(viewer).stored_post(p, now)
    }

    /// A post the viewer may see, or `NotFound`.
    async fn visible_post(&self, viewer: &Viewer, id: i64) -> Result<(Post, Relation)> {
        let p = self.core.store.post(id).await?.ok_or(Error::NotFound)?;
        let relation = self
            .may_see(viewer, &p, self.core.clock.now())
            .ok_or(Error::NotFound)?;
        Ok((p, relation))
    }

    /// Stores an uploaded image (metadata removed, copies made); it is the
    /// uploader's alone until a post holds it.
    pub async fn upload_media(
        &self,
        viewer: &Viewer,
        bytes: Vec<u8>,
        alt: &str,
    ) -> Result<MediaView> {
        let me = viewer.require()?;
        let alt = post::check_text("alt", alt, MAX_ALT_CHARS, false)?;
        // The quota is checked before the costly decoding; uploads in
        // parallel (a few at once, see the web layer) may pass it together
        // by as many images.
        let usage = self.core.store.media_usage(me.account).await?;
        let config = &self.core.config;
        if usage.unattached >= config.unattached_media_max {
            return Err(Error::invalid(
                "file",
                "too_many_unattached",
                "Too many images waiting for a post: publish or wait a day for them to be removed.",
            ));
        }
        if usage.bytes >= config.media_quota_bytes {
            return Err(Error::invalid(
                "file",
                "quota",
                "Your images take all the space allowed: delete posts with images to add more.",
            ));
        }
        let limits = UploadLimits::default();
        let stored: StoredImage = match self.core.media.store_image(bytes, limits).await? {
            Ok(s) => s,
            Err(e) => return Err(upload_error(e)),
        };
        let media = self
            .core
            .store
            .create_media(NewMedia {
                owner: me.account,
                key: stored.key,
                content_type: stored.content_type,
                alt,
                width: stored.width,
                height: stored.height,
                bytes: stored.variants.iter().map(|v| v.bytes).sum(),
                created_at: self.core.clock.now(),
            })
            .await?;
        Ok(MediaView {
            id: media.id,
            url: format!("/media/{}", media.id),
            width: media.width,
            height: media.height,
        })
    }

    /// The bytes of an image and their type, for whoever may see what holds
    /// it; `NotFound` otherwise, exactly like a missing one.
    pub async fn media_bytes(
        &self,
        viewer: &Viewer,
        id: i64,
        width: Option<u32>,
    ) -> Result<(Vec<u8>, String)> {
        let media = self.core.store.media(id).await?.ok_or(Error::NotFound)?;
        match (media.post, media.group) {
            // A group's cover: for whoever may see that the group exists.
            (None, Some(group)) => {
                if self.core.lens(viewer).group(group).is_none() {
                    return Err(Error::NotFound);
                }
            }
            (None, None) => {
                let me = viewer.require().map_err(|_| Error::NotFound)?;
                if me.account != media.owner {
                    return Err(Error::NotFound);
                }
            }
            (Some(post), _) => {
                self.visible_post(viewer, post).await?;
            }
        }
        let variant = match width {
            None => crate::media::FULL_VARIANT.to_owned(),
            Some(w) if crate::media::VARIANT_WIDTHS.contains(&w) => w.to_string(),
            Some(_) => return Err(Error::invalid("w", "invalid", "one of 320, 640, 1280")),
        };
        // A small image has no smaller copies: the full one stands in.
        let bytes = match self.core.media.read(&media.key, &variant).await? {
            Some(b) => b,
            None => self
                .core
                .media
                .read(&media.key, crate::media::FULL_VARIANT)
                .await?
                .ok_or(Error::NotFound)?,
        };
        Ok((bytes, media.content_type))
    }

    /// Publishes a post (or a reshare, or schedules a page's post).
    pub async fn create_post(&self, viewer: &Viewer, input: NewPostInput) -> Result<PostView> {
        let me = viewer.require()?;
        let (author, as_page) = self
            .core
            .publishing_as(viewer, input.as_.as_deref())
            .await?;
        let now = self.core.clock.now();
        let mut errors = Vec::new();
        let asked = match &input.audience {
            post::PostAudience::Plain(a) => {
                if !post::post_audience_allowed(*a) {
                    errors.push(FieldError::new(
                        "audience",
                        "invalid",
                        "one of public, members, network, contacts, group:<handle>",
                    ));
                }
                (*a, None)
            }
            post::PostAudience::Group(handle) => {
                // The group must be one the author posts in: a member of it.
                let group = self.core.group_by_handle(viewer, handle).await?;
                if !self.core.lens(viewer).posts_in(group.id, author) {
                    return Err(Error::Forbidden(Forbidden::GroupMembersOnly));
                }
                (post::GROUP_POST_AUDIENCE, Some(group.id))
            }
        };
        if input.media.len() > MAX_IMAGES {
            errors.push(FieldError::new(
                "media",
                "too_many",
                format!("at most {MAX_IMAGES} images"),
            ));
        }
        let mut media_ids = Vec::with_capacity(input.media.len());
        for raw in &input.media {
            match parse_id("media", raw) {
                Ok(id) => media_ids.push(id),
                Err(_) => errors.push(FieldError::new("media", "invalid", "not a media id")),
            }
        }
        let empty_allowed = input.reshare_of.is_some() || !media_ids.is_empty();
        let text = match post::check_text("text", &input.text, MAX_POST_CHARS, !empty_allowed) {
            Ok(t) => t,
            Err(Error::Invalid(mut e)) => {
                errors.append(&mut e);
                String::new()
            }
            Err(e) => return Err(e),
        };
        let published_at = match input.publish_at {
            None => now,
            Some(_) if !as_page => {
                errors.push(FieldError::new(
                    "publish_at",
                    "pages_only",
                    "only pages schedule posts",
                ));
                now
            }
            Some(at) if at <= now || at > now + Duration::days(MAX_SCHEDULE_DAYS) => {
                errors.push(FieldError::new(
                    "publish_at",
                    "out_of_range",
                    format!("in the future, within {MAX_SCHEDULE_DAYS} days"),
                ));
                now
            }
            Some(at) => at,
        };
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        // Pages describe their images: alt text is required.
        for id in &media_ids {
            let m = self.core.store.media(*id).await?;
            match m {
                Some(m) if m.owner == me.account && m.post.is_none() => {
                    if as_page && m.alt.trim().is_empty() {
                        return Err(Error::invalid(
                            "media",
                            "alt_required",
                            "images published by a page need an alternative text",
                        ));
                    }
                }
                _ => return Err(Error::invalid("media", "unknown", "unknown media id")),
            }
        }
        let (reshare_of, (audience, group)) = match &input.reshare_of {
            None => (None, asked),
            Some(raw) => {
                let id = parse_id("reshare_of", raw)?;
                let (original, _) = self.visible_post(viewer, id).await?;
                // Reshare the original, not a reshare of it.
                let root = match original.reshare_of {
                    Some(r) if original.text.is_empty() && original.images.is_empty() => {
                        self.core.store.post(r).await?.unwrap_or(original)
                    }
                    _ => original,
                };
                let (audience, group) = post::reshare_audience((root.audience, root.group), asked)?;
                // A reshare kept inside a group is posted there by a member.
                if let Some(g) = group
                    && !self.core.lens(viewer).posts_in(g, author)
                {
                    return Err(Error::Forbidden(Forbidden::GroupMembersOnly));
                }
                (Some(root.id), (audience, group))
            }
        };
        let replies = match input.replies {
            Some(r) => r,
            None if as_page => {
                self.core
                    .store
                    .inbox_settings(author)
                    .await?
                    .unwrap_or_default()
                    .replies
            }
            None => crate::post::ReplyControl::default(),
        };
        let created = self
            .core
            .store
            .create_post(NewPost {
                replies,
                author,
                operator: me.account,
                audience,
                group,
                text,
                reshare_of,
                media: media_ids,
                created_at: now,
                published_at,
            })
            .await
            .map_err(|e| match e {
                Error::Conflict { .. } => {
                    Error::invalid("media", "unknown", "unknown or already used media id")
                }
                other => other,
            })?;
        self.core.settle().await;
        self.post_view(viewer, &created, Relation::Itself, now)
            .await
    }

    /// One post, as the viewer may see it.
    pub async fn view_post(&self, viewer: &Viewer, id: i64) -> Result<PostView> {
        let (p, relation) = self.visible_post(viewer, id).await?;
        let view = self
            .post_view(viewer, &p, relation, self.core.clock.now())
            .await?;
        self.visits
            .record_post_views(viewer, std::slice::from_ref(&view))
            .await?;
        Ok(view)
    }

    /// Earlier versions of an edited post, for whoever may see it.
    pub async fn post_history(&self, viewer: &Viewer, id: i64) -> Result<Vec<PostEdit>> {
        self.visible_post(viewer, id).await?;
        self.core.store.post_history(id).await
    }

    /// A post with its earlier versions, newest first (the history page).
    pub async fn post_with_history(&self, viewer: &Viewer, id: i64) -> Result<PostHistory> {
        let (p, relation) = self.visible_post(viewer, id).await?;
        let now = self.core.clock.now();
        let post = self.post_view(viewer, &p, relation, now).await?;
        let mut edits = self.core.store.post_history(id).await?;
        edits.sort_by_key(|e| std::cmp::Reverse(e.replaced_at));
        Ok(PostHistory { post, edits })
    }

    /// Whether the viewer writes as this author: himself, or a page or
    /// persona on which his role edits (an analyst reads, never writes).
    fn writes_as(&self, viewer: &Viewer, author: ProfileId) -> bool {
        viewer.identity().is_some_and(|me| {
            me.person == author || me.operates(author).is_some_and(|role| role.edits())
        })
    }

    /// Edits the text of one's post; the previous text is kept.
    pub async fn edit_post(&self, viewer: &Viewer, id: i64, text: &str) -> Result<PostView> {
        let (p, relation) = self.visible_post(viewer, id).await?;
        if !self.writes_as(viewer, p.author) {
            return Err(Error::Forbidden(Forbidden::NotAllowed));
        }
        let empty_allowed = p.reshare_of.is_some() || !p.images.is_empty();
        let text = post::check_text("text", text, MAX_POST_CHARS, !empty_allowed)?;
        let now = self.core.clock.now();
        if text != p.text {
            self.core.store.edit_post(id, &text, now).await?;
            // The search index finds the new words at once.
            self.core.settle().await;
        }
        let p = self.core.store.post(id).await?.ok_or(Error::NotFound)?;
        self.post_view(viewer, &p, relation, now).await
    }

    /// Deletes one's post, its comments and reactions, and its images once
    /// nothing else holds them.
    pub async fn delete_post(&self, viewer: &Viewer, id: i64) -> Result<()> {
        let (p, _) = self.visible_post(viewer, id).await?;
        if !self.writes_as(viewer, p.author) {
            return Err(Error::Forbidden(Forbidden::NotAllowed));
        }
        let keys = self.core.store.delete_post(id).await?;
        self.core.settle().await;
        for key in keys {
            if !self.core.store.media_key_in_use(&key).await? {
                self.core.media.delete(&key).await?;
            }
        }
        Ok(())
    }

    /// Removes uploads that no post took within
    /// [`DomainConfig::unattached_media_kept`](crate::service::DomainConfig),
    /// with their bytes once no other upload holds the same picture; how
    /// many were removed. Run in the background by the server.
    pub async fn collect_unattached_media(&self) -> Result<usize> {
        let before = self.core.clock.now() - self.core.config.unattached_media_kept;
        let mut removed = 0;
        loop {
            let batch = self.core.store.unattached_media(before, 500).await?;
            if batch.is_empty() {
                return Ok(removed);
            }
            let full = batch.len() == 500;
            for (id, key) in batch {
                if self.core.store.delete_unattached_media(id).await? {
                    removed += 1;
                    if !self.core.store.media_key_in_use(&key).await? {
                        self.core.media.delete(&key).await?;
                    }
                }
            }
            if !full {
                return Ok(removed);
            }
        }
    }

    /// Comments on a post the viewer may see and whose reply control
    /// admits him; replies go one level deep. `as_` writes it as a page or
    /// persona he edits for (its answer, on the medium where it was
    /// asked); the account is recorded, readers see the profile.
    pub async fn add_comment(
        &self,
        viewer: &Viewer,
        post_id: i64,
        text: &str,
        parent: Option<&str>,
        as_: Option<&str>,
    ) -> Result<CommentView> {
        let me = viewer.require()?;
        let (author, _) = self.core.publishing_as(viewer, as_).await?;
        let (post, _) = self.visible_post(viewer, post_id).await?;
        let lens = self.core.lens(viewer);
        if !lens.may_comment(post.author, post.replies) {
            return Err(Error::Forbidden(Forbidden::CommentsClosed));
        }
        let text = post::check_text("text", text, MAX_COMMENT_CHARS, true)?;
        let parent = match parent.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(raw) => {
                let id = parse_id("parent", raw)?;
                let c = self.core.store.comment(id).await?;
                match c {
                    Some(c) if c.post == post_id && c.parent.is_none() => Some(c.id),
                    Some(c) if c.post == post_id => {
                        // A reply to a reply joins its thread.
                        c.parent
                    }
                    _ => return Err(Error::invalid("parent", "unknown", "no such comment")),
                }
            }
        };
        // A page's keyword filters hold a comment from outside its team
        // for review.
        // (Persons have no filters: their posts skip the read.)
        let is_person = self.core.network.card(post.author).is_some();
        let held = !is_person
            && !lens.answers_for(post.author)
            && self.filtered(post.author, &text).await?;
        let c = self
            .core
            .store
            .add_comment(
                post_id,
                parent,
                author,
                Some(me.account),
                &text,
                held,
                self.core.clock.now(),
            )
            .await?;
        self.core.settle().await;
        let mut refs = HashMap::new();
        let view = self
            .comment_view(viewer, &lens, post.author, c, &mut refs)
            .await?;
        Ok(view)
    }

    /// A comment as the viewer sees it, with what he may do with it.
    async fn comment_view(
        &self,
        viewer: &Viewer,
        lens: &crate::privacy::Lens,
        post_author: ProfileId,
        c: Comment,
        refs: &mut HashMap<ProfileId, ProfileRef>,
    ) -> Result<CommentView> {
        let own = lens.answers_for(c.author);
        let post_team = lens.answers_for(post_author);
        let is_page_post = self.core.network.card(post_author).is_none();
        Ok(CommentView {
            id: c.id,
            author: self.profile_ref_cached(viewer, c.author, refs).await?,
            text: c.text,
            created_at: c.created_at,
            held: c.held,
            state: c.state,
            edited_at: c.edited_at,
            may_edit: own,
            may_delete: own || (post_team && is_page_post),
            may_hide: post_team && !own,
            replies: Vec::new(),
        })
    }

    /// A comment the viewer may see, with its post.
    async fn visible_comment(&self, viewer: &Viewer, id: i64) -> Result<(Comment, Post)> {
        let c = self.core.store.comment(id).await?.ok_or(Error::NotFound)?;
        let (post, _) = self.visible_post(viewer, c.post).await?;
        if !self.core.lens(viewer).comment(&c, post.author) {
            return Err(Error::NotFound);
        }
        Ok((c, post))
    }

    /// Changes the text of one's comment (or of a page's one the viewer
    /// edits for); the earlier text is kept.
    pub async fn edit_comment(&self, viewer: &Viewer, id: i64, text: &str) -> Result<CommentView> {
        viewer.require()?;
        let (c, post) = self.visible_comment(viewer, id).await?;
        let lens = self.core.lens(viewer);
        if !lens.answers_for(c.author) {
            return Err(Error::Forbidden(Forbidden::NotAllowed));
        }
        let text = post::check_text("text", text, MAX_COMMENT_CHARS, true)?;
        self.core
            .store
            .edit_comment(id, &text, self.core.clock.now())
            .await?;
        self.core.settle().await;
        let c = self.core.store.comment(id).await?.ok_or(Error::NotFound)?;
        let mut refs = HashMap::new();
        self.comment_view(viewer, &lens, post.author, c, &mut refs)
            .await
    }

    /// A comment's earlier texts, oldest first, to whoever may see it.
    pub async fn comment_history(&self, viewer: &Viewer, id: i64) -> Result<Vec<CommentEdit>> {
        self.visible_comment(viewer, id).await?;
        Ok(self
            .core
            .store
            .comment_history(id)
            .await?
            .into_iter()
            .map(|(text, replaced_at)| CommentEdit { text, replaced_at })
            .collect())
    }

    /// Deletes a comment (and its replies): its author, or the team of the
    /// page whose post carries it.
    pub async fn delete_comment(&self, viewer: &Viewer, id: i64) -> Result<()> {
        viewer.require()?;
        let (c, post) = self.visible_comment(viewer, id).await?;
        let lens = self.core.lens(viewer);
        let is_page_post = self.core.network.card(post.author).is_none();
        if !(lens.answers_for(c.author) || (is_page_post && lens.answers_for(post.author))) {
            return Err(Error::Forbidden(Forbidden::NotAllowed));
        }
        self.core
            .store
            .delete_comment(id, self.core.clock.now())
            .await?;
        self.core.settle().await;
        Ok(())
    }

    /// Whether `text` matches the keyword filters of the page `owner`.
    async fn filtered(&self, owner: ProfileId, text: &str) -> Result<bool> {
        let Some(settings) = self.core.store.inbox_settings(owner).await? else {
            return Ok(false);
        };
        if settings.keyword_filters.is_empty() {
            return Ok(false);
        }
        let list = settings.keyword_filters.join("\n");
        match crate::lexicon::Lexicon::parse(&[("keyword filters", &list)]) {
            Ok(filters) => Ok(filters.is_hostile(text)),
            Err(e) => {
                // Checked when they were saved: a list that no longer parses
                // holds nothing rather than refusing every comment.
                tracing::warn!(page = owner.0, error = %e, "keyword filters do not parse");
                Ok(false)
            }
        }
    }

    /// Sets who may comment on one's post (or a page's one the viewer
    /// edits for); comments already there stay.
    pub async fn set_replies(
        &self,
        viewer: &Viewer,
        id: i64,
        replies: crate::post::ReplyControl,
    ) -> Result<PostView> {
        let (post, _) = self.visible_post(viewer, id).await?;
        if !self.writes_as(viewer, post.author) {
            return Err(Error::Forbidden(Forbidden::NotAllowed));
        }
        self.core
            .store
            .set_post_replies(id, replies, self.core.clock.now())
            .await?;
        self.core.settle().await;
        self.view_post(viewer, id).await
    }

    /// The comments of a post, threads one level deep, leaving out those of
    /// members hidden from the viewer by a block.
    pub async fn comments(&self, viewer: &Viewer, post_id: i64) -> Result<Vec<CommentView>> {
        let (post, _) = self.visible_post(viewer, post_id).await?;
        let all: Vec<Comment> = self.core.store.comments(post_id).await?;
        self.threads(viewer, post.author, all).await
    }

    /// [`Self::comments`] a page of threads at a time, oldest first
    /// (keyset: the time and id of the thread's first comment); threads
    /// hidden from the viewer by a block are passed over.
    pub async fn comments_page(
        &self,
        viewer: &Viewer,
        post_id: i64,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<CommentView>> {
        use crate::paging::{Gather, Page, parse_time_key, time_key};
        let (post, _) = self.visible_post(viewer, post_id).await?;
        let after = cursor.map(parse_time_key).transpose()?;
        let lens = self.core.lens(viewer);
        let mut gather = Gather::new(limit, after);
        let mut kept: Vec<Comment> = Vec::new();
        while gather.wants() {
            let rows = self
                .core
                .store
                .comment_threads(post_id, gather.after(), gather.batch())
                .await?;
            let mut taken = std::collections::HashSet::new();
            let mut threads = 0;
            for c in rows.iter().filter(|c| c.parent.is_none()) {
                threads += 1;
                let shown = lens.comment(c, post.author);
                if gather.offer((c.created_at, c.id), shown) {
                    taken.insert(c.id);
                }
            }
            kept.extend(
                rows.into_iter()
                    .filter(|c| taken.contains(&c.parent.unwrap_or(c.id))),
            );
            if threads < gather.batch() {
                break;
            }
        }
        Ok(Page {
            items: self.threads(viewer, post.author, kept).await?,
            next: gather.next(|(at, id)| time_key(*at, id)),
        })
    }

    /// Comments (oldest first) as threads one level deep, leaving out
    /// those of members hidden from the viewer by a block.
    async fn threads(
        &self,
        viewer: &Viewer,
        post_author: ProfileId,
        all: Vec<Comment>,
    ) -> Result<Vec<CommentView>> {
        let lens = self.core.lens(viewer);
        let mut refs = HashMap::new();
        let mut top: Vec<CommentView> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        for c in all {
            // A comment held for review is its author's and the page
            // team's to see, until it is published.
            if !lens.comment(&c, post_author) {
                continue;
            }
            let view = self
                .comment_view(viewer, &lens, post_author, c.clone(), &mut refs)
                .await?;
            match c.parent {
                None => {
                    index.insert(c.id, top.len());
                    top.push(view);
                }
                Some(p) => {
                    if let Some(i) = index.get(&p) {
                        top[*i].replies.push(view);
                    }
                }
            }
        }
        Ok(top)
    }

    /// Sets the viewer's one reaction to a post (changing any earlier one),
    /// or with `None` removes it.
    pub async fn react(
        &self,
        viewer: &Viewer,
        post_id: i64,
        kind: Option<ReactionKind>,
    ) -> Result<PostCounts> {
        let me = viewer.require()?;
        self.visible_post(viewer, post_id).await?;
        let now = self.core.clock.now();
        self.core
            .store
            .set_reaction(post_id, me.identity.person, kind, now)
            .await?;
        let counts = self
            .core
            .store
            .post_counts(&[post_id], &self.counts_for(viewer, now))
            .await?;
        Ok(self
            .counts_seen_by(viewer, counts)
            .remove(&post_id)
            .unwrap_or_default())
    }

    /// Reactions of a post per kind, for whoever may see it.
    pub async fn reactions(
        &self,
        viewer: &Viewer,
        post_id: i64,
    ) -> Result<Vec<(ReactionKind, u64)>> {
        self.visible_post(viewer, post_id).await?;
        let hidden = self.counts_for(viewer, self.core.clock.now()).hidden;
        self.core.store.reactions(post_id, &hidden).await
    }

    /// Scheduled posts of a page the viewer edits for.
    pub async fn scheduled_posts(&self, viewer: &Viewer, handle: &str) -> Result<Vec<PostView>> {
        let (author, _) = self.core.publishing_as(viewer, Some(handle)).await?;
        let now = self.core.clock.now();
        let posts = self.core.store.scheduled_posts(author, now).await?;
        let with: Vec<(Post, Relation)> =
            posts.into_iter().map(|p| (p, Relation::Itself)).collect();
        self.post_views(viewer, &with, now).await
    }
}
