//! The signed-in home (composer and feed), the composer's form, and what
//! profiles show of posts: recent posts, follow / unfollow, scheduled posts.

use super::posts::{Card, Choice, audience_choices, card, problems, reply_choices};
use super::{
    FormRejected, Layout, PageError, at_handle, profile_form, render, see_other, urlencode,
};
use crate::auth::Ctx;
use crate::security;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::post::PostAudience;
use entremise_domain::post::{MAX_IMAGES, ReplyControl};
use entremise_domain::privacy::Audience;
use entremise_domain::service::{AuthorPosts, NewPostInput, ProfilePage};
use serde::Deserialize;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Posts a page of the feed shows.
const FEED_PAGE: usize = 20;
/// Recent posts on a profile.
/// Largest text field of the composer (its texts are far shorter).
const MAX_TEXT_FIELD: usize = 128 * 1024;
/// Largest form token field (a token is 24 characters).
const MAX_TOKEN_FIELD: usize = 256;
/// Where `profile.html` takes the posts section.
/// The composer, blank or as it was sent back.
pub struct Composer {
    pub text: String,
    pub audiences: Vec<Choice>,
    /// Himself first, then the pages he edits for.
    pub authors: Vec<Choice>,
    /// Who may comment: the author's default first.
    pub replies: Vec<Choice>,
    pub publish_at: String,
    pub alt: String,
    pub errors: Vec<String>,
}

impl Composer {
    /// The member may publish as a page (and so schedule).
    pub fn for_pages(&self) -> bool {
        self.authors.len() > 1
    }
}

/// What the member had typed, to show it again.
#[derive(Default)]
struct Draft {
    text: String,
    audience: String,
    as_: String,
    replies: String,
    publish_at: String,
    alt: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedHome {
    l: Layout,
    composer: Composer,
    cards: Vec<Card>,
    /// Link to the next page of the feed.
    more: Option<String>,
    ranked: bool,
    /// Pages he manages: handle, name, role.
    my_pages: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
pub struct FeedQuery {
    cursor: Option<String>,
    ranked: Option<String>,
}

/// `GET /`: the anonymous home as it was; for a member the composer and
/// his feed, newest first or (`?ranked=1`) most engaging first.
pub async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FeedQuery>,
) -> Result<Response, PageError> {
    if ctx.viewer.signed_in.is_none() {
        return super::account::home(State(state), ctx).await;
    }
    let ranked = q.ranked.as_deref() == Some("1");
    let page = feed_home(&state, &ctx, q.cursor.as_deref(), ranked, Draft::default()).await?;
    Ok(render(&page))
}

async fn feed_home(
    state: &AppState,
    ctx: &Ctx,
    cursor: Option<&str>,
    ranked: bool,
    draft: Draft,
) -> Result<FeedHome, Error> {
    let app = &state.app;
    let v = &ctx.viewer;
    let feed = app.posts().feed(v, cursor, FEED_PAGE, ranked).await?;
    let operated = app.pages().operated_pages(v).await?;
    let l = Layout::new(state, ctx, state.catalog.get(ctx.locale, "feed_title"));
    let me = v.require()?;
    let mut authors = vec![Choice {
        value: String::new(),
        label: format!("{} ({})", me.name, l.t("composer_as_me")),
        selected: draft.as_.is_empty(),
    }];
    authors.extend(
        operated
            .iter()
            .filter(|(_, role)| role.edits())
            .map(|(r, _)| Choice {
                value: r.handle.to_string(),
                label: format!("{} (@{})", r.name, r.handle),
                selected: draft.as_ == r.handle.as_str(),
            }),
    );
    let audience = Audience::parse(&draft.audience).unwrap_or(Audience::Members);
    let mut audiences = audience_choices(&l, audience);
    if draft.audience.starts_with("group:") {
        audiences.iter_mut().for_each(|c| c.selected = false);
    }
    // The groups he may post to: each is an audience of its own.
    for g in app.groups().mine(v).await? {
        if g.standing == Some(entremise_domain::group::Standing::Member) {
            let value = format!("group:{}", g.handle);
            audiences.push(Choice {
                selected: draft.audience == value,
                value,
                label: format!("{} {}", l.t("post_audience_group"), g.name),
            });
        }
    }
    let composer = Composer {
        audiences,
        authors,
        replies: reply_choices(&l, ReplyControl::parse(&draft.replies), true),
        text: draft.text,
        publish_at: draft.publish_at,
        alt: draft.alt,
        errors: draft.errors,
    };
    let my_pages = operated
        .into_iter()
        .map(|(r, role)| {
            let role = l.t(&format!("role_{}", role.as_str())).to_owned();
            (r.handle.to_string(), r.name, role)
        })
        .collect();
    let more = feed
        .next
        .filter(|_| !ranked)
        .map(|c| format!("/?cursor={}", urlencode(&c)));
    Ok(FeedHome {
        cards: feed.items.iter().map(|p| card(&l, p)).collect(),
        composer,
        more,
        ranked,
        my_pages,
        l,
    })
}

/// The composer's form, read from its multipart body (the group cover's
/// form is read the same way).
#[derive(Default)]
pub(super) struct ComposerForm {
    csrf: String,
    text: String,
    audience: String,
    as_: String,
    replies: String,
    publish_at: String,
    /// Minutes to add to the local time for UTC (the browser's
    /// `getTimezoneOffset`, set by app.js; UTC without it).
    tz: String,
    /// One line per image, or one line for all.
    alt: String,
    pub(super) images: Vec<Vec<u8>>,
    /// Positions (from 1) of images over the size limit.
    pub(super) too_large: Vec<usize>,
    /// Images beyond the tenth.
    extra_images: usize,
}

impl ComposerForm {
    pub(super) fn alt_of(&self, index: usize) -> &str {
        let mut lines: Vec<&str> = self.alt.lines().map(str::trim).collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        match lines.as_slice() {
            [one] => one,
            many => many.get(index).copied().unwrap_or(""),
        }
    }

    fn draft(&self, errors: Vec<String>) -> Draft {
        Draft {
            text: self.text.clone(),
            audience: self.audience.clone(),
            as_: self.as_.clone(),
            replies: self.replies.clone(),
            publish_at: self.publish_at.clone(),
            alt: self.alt.clone(),
            errors,
        }
    }
}

/// A multipart body the extractor could not read.
fn unreadable(e: MultipartError) -> FormRejected {
    FormRejected::Unreadable {
        status: e.status(),
        reason: e.body_text(),
    }
}

/// Reads a field into memory, up to `max` bytes; `None` when it is larger
/// (the rest is read and dropped). `total` counts every byte of the body.
async fn read_field(
    field: &mut Field<'_>,
    max: usize,
    total: &mut usize,
    max_total: usize,
) -> Result<Option<Vec<u8>>, FormRejected> {
    let mut buf = Vec::new();
    let mut over = false;
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        *total += chunk.len();
        if *total > max_total {
            return Err(FormRejected::TooLarge);
        }
        if over {
            continue;
        }
        if buf.len() + chunk.len() > max {
            over = true;
            buf = Vec::new();
        } else {
            buf.extend_from_slice(&chunk);
        }
    }
    Ok((!over).then_some(buf))
}

/// Reads the composer's form. Its first field must be the form token, equal
/// to `expected`: otherwise nothing more of the body is read.
pub(super) async fn read_composer(
    state: &AppState,
    expected: &str,
    mut multipart: Multipart,
) -> Result<ComposerForm, FormRejected> {
    let max_file = state.config.max_upload_bytes;
    let max_total = max_file * MAX_IMAGES + state.config.max_body_bytes;
    let mut total = 0usize;
    let mut form = ComposerForm::default();
    let mut seen_images = 0usize;
    let Some(mut first) = multipart.next_field().await.map_err(unreadable)? else {
        return Err(FormRejected::BadToken);
    };
    if first.name() != Some("csrf") {
        return Err(FormRejected::BadToken);
    }
    let token = read_field(&mut first, MAX_TOKEN_FIELD, &mut total, max_total)
        .await?
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    if !security::form_token_ok(&token, expected) {
        return Err(FormRejected::BadToken);
    }
    drop(first);
    form.csrf = token;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "image" {
            let named = field.file_name().is_some_and(|n| !n.is_empty());
            let bytes = read_field(&mut field, max_file, &mut total, max_total).await?;
            match bytes {
                // An empty file input still sends an empty, unnamed part.
                Some(b) if b.is_empty() && !named => continue,
                _ if seen_images >= MAX_IMAGES => form.extra_images += 1,
                Some(b) => form.images.push(b),
                None => form.too_large.push(seen_images + 1),
            }
            seen_images += 1;
            continue;
        }
        let Some(bytes) = read_field(&mut field, MAX_TEXT_FIELD, &mut total, max_total).await?
        else {
            return Err(FormRejected::TooLarge);
        };
        let text = String::from_utf8(bytes).map_err(|_| FormRejected::Malformed)?;
        match name.as_str() {
            "text" => form.text = text,
            "audience" => form.audience = text,
            "as" => form.as_ = text,
            "replies" => form.replies = text,
            "publish_at" => form.publish_at = text,
            "tz" => form.tz = text,
            "alt" => form.alt = text,
            _ => {}
        }
    }
    Ok(form)
}

/// A `datetime-local` value (`2025-03-01T14:05`, seconds optional) in the
/// member's time zone, `tz` minutes behind UTC. `None` for a date the
/// offset would carry out of the calendar (year 9999 and beyond).
fn parse_local(raw: &str, tz: &str) -> Option<OffsetDateTime> {
    let (d, t) = raw.trim().split_once('T')?;
    let mut d = d.split('-');
    let year: i32 = d.next()?.parse().ok()?;
    let month: u8 = d.next()?.parse().ok()?;
    let day: u8 = d.next()?.parse().ok()?;
    let mut t = t.split(':');
    let hour: u8 = t.next()?.parse().ok()?;
    let minute: u8 = t.next()?.parse().ok()?;
    let second: u8 = match t.next() {
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    let offset: i64 = tz
        .trim()
        .parse()
        .ok()
        .filter(|m: &i64| (-18 * 60..=18 * 60).contains(m))
        .unwrap_or(0);
    PrimitiveDateTime::new(date, time)
        .assume_utc()
        .checked_add(Duration::minutes(offset))
}

/// `POST /posts` (multipart): text, audience, who publishes, images with
/// their alternative texts, and for pages a publication date. A refused
/// post shows the home again with what went wrong.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, PageError> {
    // Who is asking, before a byte of the (up to ~100 MiB) body is read:
    // a stranger, or a browser without the form token cookie (its token
    // cannot match), is answered at once; the token itself comes first in
    // the body and is checked before the rest is read.
    if ctx.viewer.signed_in.is_none() {
        return Ok(see_other("/signin"));
    }
    if !security::has_form_cookie(&headers, &state, &ctx.csrf) {
        return Err(FormRejected::BadToken.into());
    }
    // A few large bodies at once, so that parallel uploads cannot exhaust
    // memory; the permit is held until the images are stored.
    let Ok(_permit) = state.composer_bodies.clone().try_acquire_owned() else {
        return Err(FormRejected::Busy.into());
    };
    let form = read_composer(&state, &ctx.csrf, multipart).await?;
    let l = Layout::new(&state, &ctx, "");
    // What can be checked before storing any image.
    let mut errors = Vec::new();
    let audience = PostAudience::parse(form.audience.trim());
    if audience.is_none() {
        errors.push(l.t("post_error_audience").to_owned());
    }
    let publish_at = match form.publish_at.trim() {
        "" => None,
        raw => {
            let at = parse_local(raw, &form.tz);
            if at.is_none() {
                errors.push(l.t("post_error_publish_at").to_owned());
            }
            at
        }
    };
    for n in &form.too_large {
        errors.push(format!(
            "{} {n}: {}",
            l.t("post_image"),
            l.t("post_error_image_too_large")
        ));
    }
    if form.extra_images > 0 {
        errors.push(l.t("post_error_too_many_images").to_owned());
    }
    if !errors.is_empty() {
        return composer_again(&state, &ctx, &l, &form, errors).await;
    }
    let mut media = Vec::with_capacity(form.images.len());
    for (i, bytes) in form.images.iter().enumerate() {
        match state
            .app
            .posts()
            .upload_media(&ctx.viewer, bytes.clone(), form.alt_of(i))
            .await
        {
            Ok(m) => media.push(m.id.to_string()),
            Err(e) => {
                let Some(problems) = problems(&l, &e) else {
                    return Err(e.into());
                };
                let errors = problems
                    .into_iter()
                    .map(|p| format!("{} {}: {p}", l.t("post_image"), i + 1))
                    .collect();
                return composer_again(&state, &ctx, &l, &form, errors).await;
            }
        }
    }
    let as_ = Some(form.as_.trim().trim_start_matches('@').to_owned()).filter(|h| !h.is_empty());
    let input = NewPostInput {
        text: form.text.clone(),
        audience: audience.unwrap_or(PostAudience::Plain(Audience::Members)),
        as_: as_.clone(),
        media,
        reshare_of: None,
        publish_at,
        replies: ReplyControl::parse(form.replies.trim()),
    };
    match state.app.posts().create_post(&ctx.viewer, input).await {
        Ok(p) if p.scheduled => Ok(see_other(&format!(
            "/@{}#scheduled",
            as_.as_deref().unwrap_or(p.author.handle.as_str())
        ))),
        Ok(p) => Ok(see_other(&match &p.group {
            Some(g) => format!("/groups/{}#post-{}", g.handle, p.id),
            None => format!("/#post-{}", p.id),
        })),
        Err(e) => match problems(&l, &e) {
            Some(errors) => composer_again(&state, &ctx, &l, &form, errors).await,
            None => Err(e.into()),
        },
    }
}

/// The home again, the composer holding what was sent and why it failed.
async fn composer_again(
    state: &AppState,
    ctx: &Ctx,
    l: &Layout,
    form: &ComposerForm,
    mut errors: Vec<String>,
) -> Result<Response, PageError> {
    if !form.images.is_empty() || !form.too_large.is_empty() {
        errors.push(l.t("composer_images_again").to_owned());
    }
    let mut page = feed_home(state, ctx, None, false, form.draft(errors)).await?;
    page.l.path = "/".to_owned();
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// The posts section of a profile (`templates/profile_posts.html`).
#[derive(Template)]
#[template(path = "profile_posts.html")]
struct ProfilePosts {
    l: Layout,
    handle: String,
    /// A signed-in visitor of a page he does not run: he may follow it.
    can_follow: bool,
    following: bool,
    cards: Vec<Card>,
    /// For the page's editors.
    scheduled: Vec<Card>,
    more: Option<String>,
}

/// The posts section of a profile page: follow button, recent posts the
/// viewer may see, scheduled posts for the page's editors. Rendered HTML
/// (askama escapes every value), printed by `profile.html`.
pub fn profile_section(state: &AppState, ctx: &Ctx, page: &ProfilePage) -> Result<String, Error> {
    let handle = page.details.profile.handle.to_string();
    let l = Layout::new(state, ctx, "");
    let section = ProfilePosts {
        cards: page.posts.items.iter().map(|p| card(&l, p)).collect(),
        scheduled: page.scheduled.iter().map(|p| card(&l, p)).collect(),
        more: page
            .posts
            .next
            .as_ref()
            .map(|c| format!("/@{handle}/posts?cursor={}", urlencode(c))),
        can_follow: page.actions.follow,
        following: page.following,
        handle,
        l,
    };
    section
        .render()
        .map_err(|e| Error::internal(format!("profile posts: {e}")))
}

#[derive(Template)]
#[template(path = "profile_posts_page.html")]
struct PostsPage {
    l: Layout,
    handle: String,
    name: String,
    cards: Vec<Card>,
    more: Option<String>,
}

#[derive(Deserialize)]
pub struct CursorQuery {
    cursor: Option<String>,
}

/// `GET /@handle/posts`: every post of a profile the viewer may see.
pub async fn profile_posts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    Query(q): Query<CursorQuery>,
) -> Result<Response, PageError> {
    let handle = at_handle(&at)?;
    let AuthorPosts { author, page } = state
        .app
        .posts()
        .author_posts(&ctx.viewer, handle, q.cursor.as_deref(), FEED_PAGE)
        .await?;
    let name = author.name;
    let title = format!("{} · {name}", state.catalog.get(ctx.locale, "posts_title"));
    let l = Layout::new(&state, &ctx, title);
    let handle = author.handle.to_string();
    Ok(render(&PostsPage {
        cards: page.items.iter().map(|p| card(&l, p)).collect(),
        more: page
            .next
            .map(|c| format!("/@{handle}/posts?cursor={}", urlencode(&c))),
        handle,
        name,
        l,
    }))
}

/// `POST /@handle/follow`.
pub async fn follow(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    following(&state, &ctx, &at, &body, true).await
}

/// `POST /@handle/unfollow`.
pub async fn unfollow(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(at): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    following(&state, &ctx, &at, &body, false).await
}

async fn following(
    state: &AppState,
    ctx: &Ctx,
    at: &str,
    body: &Bytes,
    on: bool,
) -> Result<Response, PageError> {
    let (_, handle) = profile_form(ctx, at, body)?;
    state.app.posts().follow(&ctx.viewer, &handle, on).await?;
    Ok(see_other(&format!("/@{handle}#posts")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read() {
        let at = parse_local("2025-03-01T14:05", "-60").unwrap();
        assert_eq!(at.unix_timestamp(), 1_740_837_900 - 3600);
        let at = parse_local("2025-03-01T14:05:30.000", "").unwrap();
        assert_eq!(at.unix_timestamp(), 1_740_837_930);
        assert!(parse_local("2025-02-30T10:00", "0").is_none());
        assert!(parse_local("tomorrow", "0").is_none());
        // An absurd offset is ignored.
        let at = parse_local("2025-03-01T14:05", "99999").unwrap();
        assert_eq!(at.unix_timestamp(), 1_740_837_900);
        let at = parse_local("2025-03-01T14:05", "-9223372036854775808").unwrap();
        assert_eq!(at.unix_timestamp(), 1_740_837_900);
        // The offset carried the last minute of the calendar out of
        // range, and the addition panicked (fuzz/corpus/web_forms/
        // crash-composer-end-of-calendar).
        assert!(parse_local("9999-12-31T23:59", "-60").is_some());
        assert!(parse_local("9999-12-31T23:59", "60").is_none());
    }

    #[test]
    fn alt_texts_go_one_per_line() {
        let form = ComposerForm {
            alt: "a cat\n\nthe sea\n".into(),
            ..ComposerForm::default()
        };
        assert_eq!(form.alt_of(0), "a cat");
        assert_eq!(form.alt_of(1), "");
        assert_eq!(form.alt_of(2), "the sea");
        assert_eq!(form.alt_of(3), "");
        let one = ComposerForm {
            alt: " our team \n".into(),
            ..ComposerForm::default()
        };
        assert_eq!(one.alt_of(4), "our team");
    }
}
