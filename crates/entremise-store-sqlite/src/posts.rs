//! Posts and what hangs on them: their images (`media` rows attached by
//! `post_id` and `position`), earlier versions, comments, reactions and
//! reshares; and follows of pages.
//!
//! Sets of ids (a feed's posts, a batch of counters) are bound as one JSON
//! array and read back with `json_each`, so each statement is prepared once
//! whatever the size of the set.

use crate::SqliteStore;
use crate::codec::{DbResult, Json, Ts, count_at, index_to_sql, limit, text_enum};
use crate::events::record;
use async_trait::async_trait;
use entremise_domain::events::Change;
use entremise_domain::ids::GroupId;
use entremise_domain::moderation::ContentState;
use entremise_domain::post::{
    Comment, Media, Post, PostEdit, PostImage, ReactionKind, ReplyControl,
};
use entremise_domain::privacy::Audience;
use entremise_domain::store::{
    CountsFor, MediaUsage, NewMedia, NewPost, PostBatch, PostCursor, PostStore, StoredCounts,
};
use entremise_domain::timeline::PostKey;
use entremise_domain::{AccountId, Error, ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Row, named_params, params};
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;

/// Columns read by [`post_from_row`].
macro_rules! select_post {
    () => {
        "SELECT id, author_id, operator_id, audience, text, reshare_of, created_at,
                published_at, edited_at, replies, group_id, state
         FROM posts"
    };
}

/// The row alone: images are filled by [`with_images`].
fn post_from_row(row: &Row<'_>) -> rusqlite::Result<Post> {
    Ok(Post {
        id: row.get(0)?,
        author: ProfileId(row.get(1)?),
        operator: AccountId(row.get(2)?),
        audience: text_enum(row, 3, Audience::parse)?,
        text: row.get(4)?,
        reshare_of: row.get(5)?,
        images: Vec::new(),
        created_at: row.get::<_, Ts>(6)?.0,
        published_at: row.get::<_, Ts>(7)?.0,
        edited_at: row.get::<_, Option<Ts>>(8)?.map(|t| t.0),
        replies: text_enum(row, 9, ReplyControl::parse)?,
        group: row.get::<_, Option<i64>>(10)?.map(GroupId),
        state: text_enum(row, 11, ContentState::parse)?,
    })
}

/// Columns read by [`media_from_row`].
macro_rules! select_media {
    () => {
        "SELECT id, owner_id, key, content_type, alt, width, height, post_id, created_at,
                group_id
         FROM media"
    };
}

fn media_from_row(row: &Row<'_>) -> rusqlite::Result<Media> {
    Ok(Media {
        id: row.get(0)?,
        owner: AccountId(row.get(1)?),
        key: row.get(2)?,
        content_type: row.get(3)?,
        alt: row.get(4)?,
        width: row.get(5)?,
        height: row.get(6)?,
        post: row.get(7)?,
        created_at: row.get::<_, Ts>(8)?.0,
        group: row.get::<_, Option<i64>>(9)?.map(GroupId),
    })
}

pub(crate) fn comment_from_row(row: &Row<'_>) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: row.get(0)?,
        post: row.get(1)?,
        parent: row.get(2)?,
        author: ProfileId(row.get(3)?),
        text: row.get(4)?,
        created_at: row.get::<_, Ts>(5)?.0,
        operator: row.get::<_, Option<i64>>(6)?.map(AccountId),
        held: row.get(7)?,
        state: text_enum(row, 8, ContentState::parse)?,
        edited_at: row.get::<_, Option<Ts>>(9)?.map(|t| t.0),
    })
}

/// Reads a [`PostImage`] from five columns: id, key, alt, width, height.
fn image_at(row: &Row<'_>, first: usize) -> rusqlite::Result<PostImage> {
    Ok(PostImage {
        id: row.get(first)?,
        key: row.get(first + 1)?,
        alt: row.get(first + 2)?,
        width: row.get(first + 3)?,
        height: row.get(first + 4)?,
    })
}

/// A set of ids, bound as a JSON array for `json_each`.
fn id_set(ids: impl IntoIterator<Item = i64>) -> Json<Vec<i64>> {
    Json(ids.into_iter().collect())
}

/// Fills the images of posts read by [`post_from_row`], in one query.
fn with_images(conn: &Connection, mut posts: Vec<Post>) -> rusqlite::Result<Vec<Post>> {
    if posts.is_empty() {
        return Ok(posts);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT post_id, id, key, alt, width, height FROM media
         WHERE post_id IN (SELECT value FROM json_each(?1))
         ORDER BY post_id, position",
    )?;
    let mut images: HashMap<i64, Vec<PostImage>> = HashMap::new();
    let rows = stmt.query_map([id_set(posts.iter().map(|p| p.id))], |row| {
        Ok((row.get::<_, i64>(0)?, image_at(row, 1)?))
    })?;
    for row in rows {
        let (post, image) = row?;
        images.entry(post).or_default().push(image);
    }
    for post in &mut posts {
        post.images = images.remove(&post.id).unwrap_or_default();
    }
    Ok(posts)
}

fn load_post(conn: &Connection, id: i64) -> DbResult<Option<Post>> {
    let post = conn
        .prepare_cached(concat!(select_post!(), " WHERE id = ?1"))?
        .query_row([id], post_from_row)
        .optional()?;
    let Some(post) = post else {
        return Ok(None);
    };
    Ok(with_images(conn, vec![post])?.pop())
}

/// The post's author; `None` when there is no such post.
fn author_of(conn: &Connection, post: i64) -> rusqlite::Result<Option<ProfileId>> {
    conn.prepare_cached("SELECT author_id FROM posts WHERE id = ?1")?
        .query_row([post], |row| Ok(ProfileId(row.get(0)?)))
        .optional()
}

/// Inserts the post, then attaches its media in order; any media id that is
/// unknown, someone else's or already attached is a conflict (the caller's
/// transaction then rolls everything back). A missing original is
/// `NotFound`.
fn create_post(conn: &Connection, new: NewPost) -> DbResult<Post> {
    let reshare_of = match new.reshare_of {
        Some(original) => Some((original, author_of(conn, original)?.ok_or(Error::NotFound)?)),
        None => None,
    };
    conn.prepare_cached(
        "INSERT INTO posts (author_id, operator_id, audience, text, reshare_of, created_at,
                            published_at, replies, group_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        new.author.0,
        new.operator.0,
        new.audience.as_str(),
        new.text,
        new.reshare_of,
        Ts(new.created_at),
        Ts(new.published_at),
        new.replies.as_str(),
        new.group.map(|g| g.0)
    ])?;
    let id = conn.last_insert_rowid();
    let mut attach = conn.prepare_cached(
        "UPDATE media SET post_id = ?1, position = ?2
         WHERE id = ?3 AND owner_id = ?4 AND post_id IS NULL AND group_id IS NULL
         RETURNING id, key, alt, width, height",
    )?;
    let mut images = Vec::with_capacity(new.media.len());
    for (position, media) in new.media.iter().enumerate() {
        let image = attach
            .query_row(
                params![id, index_to_sql(position), media, new.operator.0],
                |row| image_at(row, 0),
            )
            .optional()?;
        images.push(image.ok_or(Error::Conflict { field: "media" })?);
    }
    record(
        conn,
        new.created_at,
        Change::PostPublished {
            post: id,
            author: new.author,
            audience: new.audience,
            group: new.group,
            published_at: new.published_at,
            reshare_of,
        },
    )?;
    Ok(Post {
        id,
        author: new.author,
        operator: new.operator,
        audience: new.audience,
        group: new.group,
        text: new.text,
        reshare_of: new.reshare_of,
        images,
        created_at: new.created_at,
        published_at: new.published_at,
        edited_at: None,
        replies: new.replies,
        state: ContentState::Visible,
    })
}

/// Keeps the current text in the history, then replaces it.
fn edit_post(conn: &Connection, id: i64, text: &str, at: OffsetDateTime) -> DbResult<()> {
    let kept = conn
        .prepare_cached(
            "INSERT INTO post_edits (post_id, text, replaced_at)
             SELECT id, text, ?2 FROM posts WHERE id = ?1",
        )?
        .execute(params![id, Ts(at)])?;
    if kept == 0 {
        return Err(Error::NotFound.into());
    }
    let author = conn
        .prepare_cached(
            "UPDATE posts SET text = ?2, edited_at = ?3 WHERE id = ?1 RETURNING author_id",
        )?
        .query_row(params![id, text, Ts(at)], |row| Ok(ProfileId(row.get(0)?)))?;
    record(conn, at, Change::PostEdited { post: id, author })?;
    Ok(())
}

/// Deletes the post's media rows, then the post (comments, reactions and
/// history go with it; reshares lose their original). Returns the keys the
/// post held, in order, each once.
fn delete_post(conn: &Connection, id: i64) -> DbResult<Vec<String>> {
    let mut keys: Vec<String> = conn
        .prepare_cached("SELECT key FROM media WHERE post_id = ?1 ORDER BY position")?
        .query_map([id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut seen = HashSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    conn.prepare_cached("DELETE FROM media WHERE post_id = ?1")?
        .execute([id])?;
    let (author, group) = conn
        .prepare_cached("DELETE FROM posts WHERE id = ?1 RETURNING author_id, group_id")?
        .query_row([id], |row| {
            Ok((
                ProfileId(row.get(0)?),
                row.get::<_, Option<i64>>(1)?.map(GroupId),
            ))
        })
        .optional()?
        .ok_or(Error::NotFound)?;
    let change = Change::PostDeleted {
        post: id,
        author,
        group,
    };
    record(conn, OffsetDateTime::now_utc(), change)?;
    Ok(keys)
}

/// Published posts of these authors strictly before `before`, newest first.
///
/// First the (published_at, id) keys from the `posts_author` index alone:
/// SQLite walks the index once per author of the `IN` list, and its
/// ORDER BY … LIMIT optimisation leaves an author's range as soon as the
/// rows left there cannot enter the `limit_to` best, so the work grows with
/// authors × limit at worst, not with how much the authors ever wrote. Then
/// only the winners' rows. (On 100k posts, 50 to 500 authors, pages of 21
/// to 200: 2 to 6 times faster than one indexed query per author merged in
/// Rust, which pays a statement run per author.)
fn posts_by(
    conn: &Connection,
    authors: &[ProfileId],
    before: Option<PostCursor>,
    now: OffsetDateTime,
    limit_to: usize,
) -> DbResult<Vec<Post>> {
    if limit_to == 0 || authors.is_empty() {
        return Ok(Vec::new());
    }
    // Ids never reach i64::MAX, so without a cursor every post up to `now`
    // is before (now, MAX).
    let (bound_at, bound_id) = before.unwrap_or((now, i64::MAX));
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM posts
             WHERE author_id IN (SELECT value FROM json_each(?1))
               AND published_at <= ?2 AND (published_at, id) < (?3, ?4)
             ORDER BY published_at DESC, id DESC
             LIMIT ?5",
        )?
        .query_map(
            params![
                id_set(authors.iter().map(|a| a.0)),
                Ts(now),
                Ts(bound_at),
                bound_id,
                limit(limit_to)
            ],
            |row| row.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut posts = posts_by_ids(conn, &ids)?;
    posts.sort_unstable_by_key(|p| Reverse((p.published_at, p.id)));
    Ok(posts)
}

/// These posts with their images, in no particular order; missing ones
/// are left out.
fn posts_by_ids(conn: &Connection, ids: &[i64]) -> DbResult<Vec<Post>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let posts: Vec<Post> = conn
        .prepare_cached(concat!(
            select_post!(),
            " WHERE id IN (SELECT value FROM json_each(?1))"
        ))?
        .query_map([id_set(ids.iter().copied())], post_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(with_images(conn, posts)?)
}

/// [`posts_by_ids`] in the order of `ids`.
fn posts_in_order(conn: &Connection, ids: &[i64]) -> DbResult<Vec<Post>> {
    let mut found: HashMap<i64, Post> = posts_by_ids(conn, ids)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// Adds a comment, or a reply to a comment of the same post; `NotFound`
/// when the post or that comment is missing.
#[allow(clippy::too_many_arguments)]
fn add_comment(
    conn: &Connection,
    post: i64,
    parent: Option<i64>,
    author: ProfileId,
    operator: Option<AccountId>,
    text: &str,
    held: bool,
    at: OffsetDateTime,
) -> DbResult<Comment> {
    let post_author = author_of(conn, post)?.ok_or(Error::NotFound)?;
    let parent = match parent {
        Some(parent) => {
            let of_post = conn
                .prepare_cached("SELECT post_id, author_id FROM comments WHERE id = ?1")?
                .query_row([parent], |row| {
                    Ok((row.get::<_, i64>(0)?, ProfileId(row.get(1)?)))
                })
                .optional()?;
            match of_post {
                Some((of, parent_author)) if of == post => Some((parent, parent_author)),
                _ => return Err(Error::NotFound.into()),
            }
        }
        None => None,
    };
    conn.prepare_cached(
        "INSERT INTO comments (post_id, parent_id, author_id, text, created_at, operator_id, held)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        post,
        parent.map(|p| p.0),
        author.0,
        text,
        Ts(at),
        operator.map(|o| o.0),
        held
    ])?;
    let id = conn.last_insert_rowid();
    record(
        conn,
        at,
        Change::CommentAdded {
            post,
            post_author,
            comment: id,
            author,
            parent,
            held,
        },
    )?;
    let parent = parent.map(|p| p.0);
    Ok(Comment {
        id,
        post,
        parent,
        author,
        operator,
        text: text.to_owned(),
        created_at: at,
        held,
        state: ContentState::Visible,
        edited_at: None,
    })
}

/// Sets or removes a reaction; `NotFound` when setting one on a missing post.
fn set_reaction(
    conn: &Connection,
    post: i64,
    member: ProfileId,
    kind: Option<ReactionKind>,
    at: OffsetDateTime,
) -> DbResult<()> {
    let Some(kind) = kind else {
        let removed = conn
            .prepare_cached("DELETE FROM reactions WHERE post_id = ?1 AND member_id = ?2")?
            .execute(params![post, member.0])?;
        if removed > 0
            && let Some(post_author) = author_of(conn, post)?
        {
            let change = Change::ReactionSet {
                post,
                post_author,
                member,
                kind: None,
            };
            record(conn, at, change)?;
        }
        return Ok(());
    };
    let post_author = author_of(conn, post)?.ok_or(Error::NotFound)?;
    conn.prepare_cached(
        "INSERT INTO reactions (post_id, member_id, kind, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (post_id, member_id) DO UPDATE SET kind = excluded.kind, at = excluded.at",
    )?
    .execute(params![post, member.0, kind.as_str(), Ts(at)])?;
    let change = Change::ReactionSet {
        post,
        post_author,
        member,
        kind: Some(kind),
    };
    record(conn, at, change)?;
    Ok(())
}

/// The counter columns of a post `p`, for a [`CountsFor`] bound as
/// `:hidden` (a JSON array of ids; `:nobody_hidden` when empty), `:now` and
/// `:signed_in`:
/// - reactions, and comments (replies included), but those of hidden
///   members and the replies under a hidden member's comment;
/// - the published reshares not by hidden members, as one JSON array
///   `[count, [[resharer, audience], …]]`: counted, those with an audience
///   every such viewer may see (public, and members when signed in);
///   listed, the narrower ones (signed in only). One pass over the
///   `posts_reshare_of` index, which holds every column read.
///
/// Most viewers hide nobody: `:nobody_hidden` then skips every `NOT IN`
/// (measured: even on an empty set, they made a page's counters cost about
/// twice as much).
macro_rules! counter_columns {
    () => {
        "(SELECT count(*) FROM reactions r
           WHERE r.post_id = p.id
             AND (:nobody_hidden
                  OR r.member_id NOT IN (SELECT value FROM json_each(:hidden)))),
         (SELECT count(*) FROM comments c
           WHERE c.post_id = p.id AND c.held = 0 AND c.state = 'visible'
             AND (:nobody_hidden
                  OR (c.author_id NOT IN (SELECT value FROM json_each(:hidden))
                      AND (c.parent_id IS NULL
                           OR (SELECT t.author_id FROM comments t WHERE t.id = c.parent_id)
                              NOT IN (SELECT value FROM json_each(:hidden)))))),
         (SELECT json_array(
                   count(*) FILTER (WHERE s.audience = 'public'
                                    OR (:signed_in AND s.audience = 'members')),
                   json_group_array(json_array(s.author_id, s.audience))
                     FILTER (WHERE :signed_in AND s.audience NOT IN ('public', 'members')))
           FROM posts s
           WHERE s.reshare_of = p.id AND s.published_at <= :now
             AND (:nobody_hidden
                  OR s.author_id NOT IN (SELECT value FROM json_each(:hidden))))"
    };
}

/// Reads the three columns of [`counter_columns!`] from `first` on.
fn counts_at(row: &Row<'_>, first: usize) -> rusqlite::Result<StoredCounts> {
    type Reshares = (u64, Vec<(i64, Audience)>);
    let Json((reshares, narrow)) = row.get::<_, Json<Reshares>>(first + 2)?;
    Ok(StoredCounts {
        reactions: count_at(row, first)?,
        comments: count_at(row, first + 1)?,
        reshares,
        narrow_reshares: narrow
            .into_iter()
            .map(|(resharer, audience)| (ProfileId(resharer), audience))
            .collect(),
    })
}

/// The counters of the posts that exist among `posts`, in one query.
fn post_counts(
    conn: &Connection,
    posts: &[i64],
    counts_for: &CountsFor,
) -> DbResult<HashMap<i64, StoredCounts>> {
    if posts.is_empty() {
        return Ok(HashMap::new());
    }
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT p.id, ",
        counter_columns!(),
        " FROM posts p WHERE p.id IN (SELECT value FROM json_each(:ids))"
    ))?;
    let rows = stmt.query_map(
        named_params! {
            ":ids": id_set(posts.iter().copied()),
            ":hidden": id_set(counts_for.hidden.iter().map(|m| m.0)),
            ":nobody_hidden": counts_for.hidden.is_empty(),
            ":now": Ts(counts_for.now),
            ":signed_in": counts_for.signed_in,
        },
        |row| Ok((row.get::<_, i64>(0)?, counts_at(row, 1)?)),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Posts by id, in the order asked, with their counters and `member`'s
/// reactions: one statement for the rows, one for their images.
fn posts_with_counts(
    conn: &Connection,
    ids: &[i64],
    member: Option<ProfileId>,
    counts_for: &CountsFor,
) -> DbResult<PostBatch> {
    let mut batch = PostBatch::default();
    if ids.is_empty() {
        return Ok(batch);
    }
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT p.id, p.author_id, p.operator_id, p.audience, p.text, p.reshare_of,
                p.created_at, p.published_at, p.edited_at, p.replies, p.group_id, p.state,
                (SELECT kind FROM reactions m WHERE m.post_id = p.id AND m.member_id = :member), ",
        counter_columns!(),
        " FROM posts p WHERE p.id IN (SELECT value FROM json_each(:ids))"
    ))?;
    let rows = stmt.query_map(
        named_params! {
            ":ids": id_set(ids.iter().copied()),
            ":member": member.map(|m| m.0),
            ":hidden": id_set(counts_for.hidden.iter().map(|m| m.0)),
            ":nobody_hidden": counts_for.hidden.is_empty(),
            ":now": Ts(counts_for.now),
            ":signed_in": counts_for.signed_in,
        },
        |row| {
            let post = post_from_row(row)?;
            let mine = match row.get_ref(12)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(text_enum(row, 12, ReactionKind::parse)?),
            };
            Ok((post, counts_at(row, 13)?, mine))
        },
    )?;
    let mut found: HashMap<i64, Post> = HashMap::with_capacity(ids.len());
    for row in rows {
        let (post, counts, mine) = row?;
        batch.counts.insert(post.id, counts);
        if let Some(kind) = mine {
            batch.mine.insert(post.id, kind);
        }
        found.insert(post.id, post);
    }
    let posts: Vec<Post> = ids.iter().filter_map(|id| found.remove(id)).collect();
    batch.posts = with_images(conn, posts)?;
    Ok(batch)
}

fn reactions_of_member(
    conn: &Connection,
    posts: &[i64],
    member: ProfileId,
) -> DbResult<HashMap<i64, ReactionKind>> {
    let mut stmt = conn.prepare_cached(
        "SELECT post_id, kind FROM reactions
         WHERE member_id = ?1 AND post_id IN (SELECT value FROM json_each(?2))",
    )?;
    let rows = stmt.query_map(params![member.0, id_set(posts.iter().copied())], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            text_enum(row, 1, ReactionKind::parse)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[async_trait]
impl PostStore for SqliteStore {
    async fn create_media(&self, new: NewMedia) -> Result<Media> {
        self.write("create media", move |tx| {
            tx.prepare_cached(
                "INSERT INTO media (owner_id, key, content_type, alt, width, height, created_at, bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                new.owner.0,
                new.key,
                new.content_type,
                new.alt,
                new.width,
                new.height,
                Ts(new.created_at),
                i64::try_from(new.bytes).unwrap_or(i64::MAX)
            ])?;
            Ok(Media {
                id: tx.last_insert_rowid(),
                owner: new.owner,
                key: new.key,
                content_type: new.content_type,
                alt: new.alt,
                width: new.width,
                height: new.height,
                post: None,
                group: None,
                created_at: new.created_at,
            })
        })
        .await
    }

    async fn media(&self, id: i64) -> Result<Option<Media>> {
        self.read("media", move |conn| {
            Ok(conn
                .prepare_cached(concat!(select_media!(), " WHERE id = ?1"))?
                .query_row([id], media_from_row)
                .optional()?)
        })
        .await
    }

    async fn create_post(&self, new: NewPost) -> Result<Post> {
        self.write("create post", move |tx| create_post(tx, new))
            .await
    }

    async fn post(&self, id: i64) -> Result<Option<Post>> {
        self.read("post", move |conn| load_post(conn, id)).await
    }

    /// `NotFound` when there is no such post.
    async fn edit_post(&self, id: i64, text: &str, at: OffsetDateTime) -> Result<()> {
        let text = text.to_owned();
        self.write("edit post", move |tx| edit_post(tx, id, &text, at))
            .await
    }

    /// Oldest first: by the time each version was replaced, then in the
    /// order they were stored.
    async fn post_history(&self, id: i64) -> Result<Vec<PostEdit>> {
        self.read("post history", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT text, replaced_at FROM post_edits
                 WHERE post_id = ?1 ORDER BY replaced_at, rowid",
            )?;
            let rows = stmt.query_map([id], |row| {
                Ok(PostEdit {
                    text: row.get(0)?,
                    replaced_at: row.get::<_, Ts>(1)?.0,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    /// The post's media rows are deleted with it (a detached row would keep
    /// its key in use for ever); `NotFound` when there is no such post.
    async fn delete_post(&self, id: i64) -> Result<Vec<String>> {
        self.write("delete post", move |tx| delete_post(tx, id))
            .await
    }

    async fn media_key_in_use(&self, key: &str) -> Result<bool> {
        let key = key.to_owned();
        self.read("media key in use", move |conn| {
            Ok(conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM media WHERE key = ?1)")?
                .query_row([key], |row| row.get(0))?)
        })
        .await
    }

    async fn media_usage(&self, owner: AccountId) -> Result<MediaUsage> {
        self.read("media usage", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT COALESCE(SUM(bytes), 0), COUNT(*) FILTER (WHERE post_id IS NULL AND group_id IS NULL)
                     FROM media WHERE owner_id = ?1",
                )?
                .query_row([owner.0], |row| {
                    Ok(MediaUsage {
                        bytes: row.get::<_, i64>(0)?.max(0) as u64,
                        unattached: row.get::<_, i64>(1)?.max(0) as u64,
                    })
                })?)
        })
        .await
    }

    async fn unattached_media(
        &self,
        before: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<(i64, String)>> {
        self.read("unattached media", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, key FROM media
                 WHERE post_id IS NULL AND group_id IS NULL AND created_at < ?1
                 ORDER BY created_at, id LIMIT ?2",
            )?;
            let rows = stmt
                .query_map(params![Ts(before), limit as i64], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn delete_unattached_media(&self, id: i64) -> Result<bool> {
        self.write("delete unattached media", move |tx| {
            let deleted = tx
                .prepare_cached(
                    "DELETE FROM media WHERE id = ?1 AND post_id IS NULL AND group_id IS NULL",
                )?
                .execute([id])?;
            Ok(deleted == 1)
        })
        .await
    }

    async fn posts_by(
        &self,
        authors: &[ProfileId],
        before: Option<PostCursor>,
        now: OffsetDateTime,
        limit_to: usize,
    ) -> Result<Vec<Post>> {
        let authors = authors.to_vec();
        self.read("posts by authors", move |conn| {
            posts_by(conn, &authors, before, now, limit_to)
        })
        .await
    }

    async fn posts(&self, ids: &[i64]) -> Result<Vec<Post>> {
        let ids = ids.to_vec();
        self.read("posts by id", move |conn| posts_in_order(conn, &ids))
            .await
    }

    async fn posts_with_counts(
        &self,
        ids: &[i64],
        member: Option<ProfileId>,
        counts_for: &CountsFor,
    ) -> Result<PostBatch> {
        let ids = ids.to_vec();
        let counts_for = counts_for.clone();
        self.read("posts with counts", move |conn| {
            posts_with_counts(conn, &ids, member, &counts_for)
        })
        .await
    }

    async fn count_posts(&self) -> Result<u64> {
        self.read("count posts", |conn| {
            let n: i64 = conn
                .prepare_cached("SELECT count(*) FROM posts")?
                .query_row([], |row| row.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn post_keys(
        &self,
        after: Option<i64>,
        limit_to: usize,
    ) -> Result<Vec<(ProfileId, Option<GroupId>, PostKey)>> {
        self.read("post keys", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, author_id, published_at, audience, group_id FROM posts
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let rows =
                stmt.query_map(params![after.unwrap_or(i64::MIN), limit(limit_to)], |row| {
                    let id: i64 = row.get(0)?;
                    let at: Ts = row.get(2)?;
                    let audience = text_enum(row, 3, Audience::parse)?;
                    Ok((
                        ProfileId(row.get(1)?),
                        row.get::<_, Option<i64>>(4)?.map(GroupId),
                        PostKey::new(at.0, id, audience),
                    ))
                })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    /// Soonest first.
    async fn scheduled_posts(&self, author: ProfileId, now: OffsetDateTime) -> Result<Vec<Post>> {
        self.read("scheduled posts", move |conn| {
            let posts = conn
                .prepare_cached(concat!(
                    select_post!(),
                    " WHERE author_id = ?1 AND published_at > ?2
                      ORDER BY published_at, id"
                ))?
                .query_map(params![author.0, Ts(now)], post_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(with_images(conn, posts)?)
        })
        .await
    }

    /// `NotFound` when the post is missing, or the parent is not a comment
    /// of that post.
    #[allow(clippy::too_many_arguments)]
    async fn add_comment(
        &self,
        post: i64,
        parent: Option<i64>,
        author: ProfileId,
        operator: Option<AccountId>,
        text: &str,
        held: bool,
        at: OffsetDateTime,
    ) -> Result<Comment> {
        let text = text.to_owned();
        self.write("add comment", move |tx| {
            add_comment(tx, post, parent, author, operator, &text, held, at)
        })
        .await
    }

    async fn release_comment(
        &self,
        comment: i64,
        audit: Option<entremise_domain::store::AuditRecord>,
        at: OffsetDateTime,
    ) -> Result<bool> {
        self.write("release comment", move |tx| {
            let released = tx
                .prepare_cached(
                    "UPDATE comments SET held = 0 WHERE id = ?1 AND held = 1
                     RETURNING post_id, author_id, parent_id,
                        (SELECT author_id FROM posts p WHERE p.id = comments.post_id),
                        (SELECT author_id FROM comments pc WHERE pc.id = comments.parent_id)",
                )?
                .query_row([comment], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        ProfileId(row.get(1)?),
                        row.get::<_, Option<i64>>(2)?,
                        ProfileId(row.get(3)?),
                        row.get::<_, Option<i64>>(4)?.map(ProfileId),
                    ))
                })
                .optional()?;
            let Some((post, author, parent, post_author, parent_author)) = released else {
                return Ok(false);
            };
            if let Some(audit) = &audit {
                crate::codec::write_audit(tx, audit)?;
            }
            record(
                tx,
                at,
                Change::CommentReleased {
                    post,
                    post_author,
                    comment,
                    author,
                    parent: parent.zip(parent_author),
                },
            )?;
            Ok(true)
        })
        .await
    }

    async fn set_post_replies(
        &self,
        post: i64,
        replies: ReplyControl,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("set post replies", move |tx| {
            let author = tx
                .prepare_cached("UPDATE posts SET replies = ?2 WHERE id = ?1 RETURNING author_id")?
                .query_row(params![post, replies.as_str()], |row| {
                    Ok(ProfileId(row.get(0)?))
                })
                .optional()?
                .ok_or(Error::NotFound)?;
            record(tx, at, Change::PostEdited { post, author })?;
            Ok(())
        })
        .await
    }

    async fn comment(&self, id: i64) -> Result<Option<Comment>> {
        self.read("comment", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, post_id, parent_id, author_id, text, created_at, operator_id, held, state, edited_at
                     FROM comments WHERE id = ?1",
                )?
                .query_row([id], comment_from_row)
                .optional()?)
        })
        .await
    }

    /// Replies included, by time then id.
    async fn comments(&self, post: i64) -> Result<Vec<Comment>> {
        self.read("comments of post", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, post_id, parent_id, author_id, text, created_at, operator_id, held, state, edited_at
                 FROM comments WHERE post_id = ?1 ORDER BY created_at, id",
            )?;
            let rows = stmt.query_map([post], comment_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn comment_threads(
        &self,
        post: i64,
        after: Option<(OffsetDateTime, i64)>,
        limit_to: usize,
    ) -> Result<Vec<Comment>> {
        self.read("comment threads of post", move |conn| {
            macro_rules! threads {
                ($after:literal) => {
                    concat!(
                        "WITH tops AS (
                             SELECT id FROM comments
                             WHERE post_id = ?1 AND parent_id IS NULL ",
                        $after,
                        "    ORDER BY created_at, id LIMIT ?2)
                         SELECT id, post_id, parent_id, author_id, text, created_at, operator_id, held, state, edited_at
                         FROM comments
                         WHERE id IN tops OR (post_id = ?1 AND parent_id IN tops)
                         ORDER BY created_at, id"
                    )
                };
            }
            Ok(match after {
                Some((at, id)) => conn
                    .prepare_cached(threads!("AND (created_at, id) > (?3, ?4)"))?
                    .query_map(params![post, limit(limit_to), Ts(at), id], comment_from_row)?
                    .collect::<rusqlite::Result<_>>()?,
                None => conn
                    .prepare_cached(threads!(""))?
                    .query_map(params![post, limit(limit_to)], comment_from_row)?
                    .collect::<rusqlite::Result<_>>()?,
            })
        })
        .await
    }

    /// Setting one on a missing post is `NotFound`; removing a reaction that
    /// does not exist changes nothing.
    async fn set_reaction(
        &self,
        post: i64,
        member: ProfileId,
        kind: Option<ReactionKind>,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("set reaction", move |tx| {
            set_reaction(tx, post, member, kind, at)
        })
        .await
    }

    async fn reaction_of(&self, post: i64, member: ProfileId) -> Result<Option<ReactionKind>> {
        self.read("reaction of member", move |conn| {
            Ok(conn
                .prepare_cached("SELECT kind FROM reactions WHERE post_id = ?1 AND member_id = ?2")?
                .query_row(params![post, member.0], |row| {
                    text_enum(row, 0, ReactionKind::parse)
                })
                .optional()?)
        })
        .await
    }

    async fn reactions_of_member(
        &self,
        posts: &[i64],
        member: ProfileId,
    ) -> Result<HashMap<i64, ReactionKind>> {
        if posts.is_empty() {
            return Ok(HashMap::new());
        }
        let posts = posts.to_vec();
        self.read("reactions of member", move |conn| {
            reactions_of_member(conn, &posts, member)
        })
        .await
    }

    /// The kinds given at least once, in [`ReactionKind::ALL`] order.
    async fn reactions(&self, post: i64, hidden: &[ProfileId]) -> Result<Vec<(ReactionKind, u64)>> {
        let hidden = id_set(hidden.iter().map(|m| m.0));
        self.read("reactions of post", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT kind, count(*) FROM reactions
                 WHERE post_id = ?1 AND member_id NOT IN (SELECT value FROM json_each(?2))
                 GROUP BY kind",
            )?;
            let mut counts = stmt
                .query_map(params![post, hidden], |row| {
                    Ok((text_enum(row, 0, ReactionKind::parse)?, count_at(row, 1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            counts.sort_unstable();
            Ok(counts)
        })
        .await
    }

    /// Only the posts that exist have an entry; the narrower reshares are
    /// listed in no particular order.
    async fn post_counts(
        &self,
        posts: &[i64],
        counts_for: &CountsFor,
    ) -> Result<HashMap<i64, StoredCounts>> {
        let posts = posts.to_vec();
        let counts_for = counts_for.clone();
        self.read("post counts", move |conn| {
            post_counts(conn, &posts, &counts_for)
        })
        .await
    }

    /// Following again keeps the first time.
    async fn follow(&self, follower: ProfileId, page: ProfileId, at: OffsetDateTime) -> Result<()> {
        self.write("follow page", move |tx| {
            let added = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO follows (follower_id, page_id, at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![follower.0, page.0, Ts(at)])?;
            if added > 0 {
                record(tx, at, Change::Followed { follower, page })?;
            }
            Ok(())
        })
        .await
    }

    async fn unfollow(&self, follower: ProfileId, page: ProfileId) -> Result<bool> {
        self.write("unfollow page", move |tx| {
            let removed = tx
                .prepare_cached("DELETE FROM follows WHERE follower_id = ?1 AND page_id = ?2")?
                .execute(params![follower.0, page.0])?;
            if removed > 0 {
                let now = OffsetDateTime::now_utc();
                record(tx, now, Change::Unfollowed { follower, page })?;
            }
            Ok(removed > 0)
        })
        .await
    }

    /// In page id order.
    async fn followed_pages(&self, follower: ProfileId) -> Result<Vec<ProfileId>> {
        self.read("followed pages", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT page_id FROM follows WHERE follower_id = ?1 ORDER BY page_id",
            )?;
            let rows = stmt.query_map([follower.0], |row| row.get(0).map(ProfileId))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn follower_count(&self, page: ProfileId) -> Result<u64> {
        self.read("follower count", move |conn| {
            Ok(conn
                .prepare_cached("SELECT count(*) FROM follows WHERE page_id = ?1")?
                .query_row([page.0], |row| count_at(row, 0))?)
        })
        .await
    }
}
