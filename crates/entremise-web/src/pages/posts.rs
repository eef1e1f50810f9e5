//! Posts as pages show them: the card shared by the feed, profiles and the
//! post page; the post page (`/posts/{id}`) with its comments, edit form and
//! history; and the small forms on a card (react, share, comment, delete).

use super::{FormData, Layout, PageError, render, safe_next, see_other, urlencode};
use crate::auth::Ctx;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::error::Forbidden;
use entremise_domain::media::VARIANT_WIDTHS;
use entremise_domain::post::PostAudience;
use entremise_domain::post::{PostCounts, ReactionKind, ReplyControl};
use entremise_domain::privacy::Audience;
use entremise_domain::profile::{ProfileKind, ProfileRef};
use entremise_domain::service::{CommentView, ImageView, NewPostInput, PostHistory, PostView};
use serde::Deserialize;
use time::{OffsetDateTime, UtcOffset};

/// A piece of a post's text: plain, or a `#tag` / `@mention` link.
pub struct Seg {
    pub text: String,
    pub href: Option<String>,
}

/// An image of a post, ready for `<img>`.
pub struct Img {
    pub src: String,
    pub srcset: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// Who wrote something, as a card names him.
pub struct Author {
    pub handle: String,
    pub name: String,
    pub persona: bool,
    /// The organization a persona is run for: (handle, name).
    pub persona_of: Option<(String, String)>,
}

/// A moment, shown (`2025-03-01 14:05`) and machine-readable.
pub struct When {
    pub shown: String,
    pub iso: String,
}

/// The original a reshare embeds.
pub struct Embed {
    pub id: i64,
    pub author: Author,
    pub at: When,
    pub text: Vec<Seg>,
    pub images: Vec<Img>,
}

/// One of the five reaction buttons.
pub struct ReactButton {
    pub kind: &'static str,
    pub label: String,
    pub pressed: bool,
}

/// One choice of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A post as a card shows it (`templates/post_card.html`).
pub struct Card {
    pub id: i64,
    pub author: Author,
    pub at: When,
    pub audience: String,
    pub audience_label: String,
    /// The group it was posted to: handle and name.
    pub group: Option<(String, String)>,
    pub edited: bool,
    pub scheduled: bool,
    pub text: Vec<Seg>,
    pub images: Vec<Img>,
    /// This post reshares another.
    pub reshared: bool,
    /// The original, when the viewer may see it.
    pub original: Option<Embed>,
    pub counts: PostCounts,
    pub reactions: Vec<ReactButton>,
    /// The viewer may share it (signed in, and its audience allows).
    pub reshareable: bool,
    pub reshare_audiences: Vec<Choice>,
    pub mine: bool,
}

/// The audiences a post may have, as labelled in selects.
pub const POST_AUDIENCES: [Audience; 4] = [
    Audience::Public,
    Audience::Members,
    Audience::Network,
    Audience::Contacts,
];

/// The select label of an audience (the author's point of view).
pub fn audience_key(a: Audience) -> &'static str {
    match a {
        Audience::Public => "audience_public",
        Audience::Members => "audience_members",
        Audience::Network => "audience_network",
        Audience::Contacts => "audience_contacts",
        Audience::OnlyMe => "audience_only_me",
    }
}

/// The badge of a post's audience (a reader's point of view).
fn badge_key(a: Audience) -> &'static str {
    match a {
        Audience::Public => "post_audience_public",
        Audience::Members => "post_audience_members",
        Audience::Network => "post_audience_network",
        Audience::Contacts => "post_audience_contacts",
        Audience::OnlyMe => "post_audience_only_me",
    }
}

fn reaction_key(k: ReactionKind) -> &'static str {
    match k {
        ReactionKind::Like => "reaction_like",
        ReactionKind::Celebrate => "reaction_celebrate",
        ReactionKind::Support => "reaction_support",
        ReactionKind::Insightful => "reaction_insightful",
        ReactionKind::Curious => "reaction_curious",
    }
}

/// Audience choices for a select, `current` selected.
pub fn audience_choices(l: &Layout, current: Audience) -> Vec<Choice> {
    POST_AUDIENCES
        .into_iter()
        .map(|a| Choice {
            value: a.as_str().to_owned(),
            label: l.t(audience_key(a)).to_owned(),
            selected: a == current,
        })
        .collect()
}

pub fn when(at: OffsetDateTime) -> When {
    let at = at.to_offset(UtcOffset::UTC);
    When {
        shown: format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute()),
        iso: format!(
            "{}T{:02}:{:02}:{:02}Z",
            at.date(),
            at.hour(),
            at.minute(),
            at.second()
        ),
    }
}

fn author(r: &ProfileRef) -> Author {
    Author {
        handle: r.handle.to_string(),
        name: r.name.clone(),
        persona: r.kind == ProfileKind::Persona,
        persona_of: r
            .persona_of
            .as_ref()
            .map(|o| (o.handle.to_string(), o.name.clone())),
    }
}

/// Splits a text into plain runs and links: `@handle` to the profile and
/// `#tag` to a search. The same word rule as the domain's mentions and
/// hashtags; everything stays text for the template to escape.
pub fn segments(text: &str) -> Vec<Seg> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut prev: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts =
            (c == '#' || c == '@') && !prev.is_some_and(|p| p.is_alphanumeric() || p == '_');
        if starts {
            let word: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            let n = word.chars().count();
            let href = match c {
                '@' if (2..=30).contains(&n)
                    && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    Some(format!("/@{}", word.to_ascii_lowercase()))
                }
                '#' if (1..=64).contains(&n) => Some(format!("/search?q={}", urlencode(&word))),
                _ => None,
            };
            if let Some(href) = href {
                if !plain.is_empty() {
                    out.push(Seg {
                        text: std::mem::take(&mut plain),
                        href: None,
                    });
                }
                prev = word.chars().last();
                out.push(Seg {
                    text: format!("{c}{word}"),
                    href: Some(href),
                });
                i += 1 + n;
                continue;
            }
        }
        plain.push(c);
        prev = Some(c);
        i += 1;
    }
    if !plain.is_empty() {
        out.push(Seg {
            text: plain,
            href: None,
        });
    }
    out
}

fn img(i: &ImageView) -> Img {
    let mut srcset: Vec<String> = VARIANT_WIDTHS
        .iter()
        .filter(|w| i.width > **w)
        .map(|w| format!("{}?w={w} {w}w", i.url))
        .collect();
    srcset.push(format!("{} {}w", i.url, i.width));
    Img {
        src: format!("{}?w=640", i.url),
        srcset: srcset.join(", "),
        alt: i.alt.clone(),
        width: i.width,
        height: i.height,
    }
}

fn shareable(a: Audience) -> bool {
    matches!(a, Audience::Public | Audience::Members)
}

/// The card of a post for this page's viewer.
pub fn card(l: &Layout, p: &PostView) -> Card {
    let signed_in = l.me.is_some();
    let original = p
        .reshare_of
        .as_ref()
        .and_then(|r| r.post.as_deref())
        .map(|o| Embed {
            id: o.id,
            author: author(&o.author),
            at: when(o.published_at),
            text: segments(&o.text),
            images: o.images.iter().map(img).collect(),
        });
    // A bare reshare shares its original: what counts is the original's audience.
    let bare = p.text.is_empty() && p.images.is_empty();
    let root = match p.reshare_of.as_ref().and_then(|r| r.post.as_deref()) {
        Some(o) if bare => o,
        _ => p,
    };
    // A group's post is reshared inside its group only.
    let reshareable = signed_in
        && !p.scheduled
        && match &root.audience {
            PostAudience::Plain(a) => shareable(*a),
            PostAudience::Group(_) => true,
        };
    let (audience_label, group) = match (&p.audience, &p.group) {
        (PostAudience::Group(_), Some(g)) => (
            format!("{} {}", l.t("post_audience_group"), g.name),
            Some((g.handle.clone(), g.name.clone())),
        ),
        (PostAudience::Plain(a), _) => (l.t(badge_key(*a)).to_owned(), None),
        (PostAudience::Group(h), None) => (format!("{} {h}", l.t("post_audience_group")), None),
    };
    Card {
        id: p.id,
        author: author(&p.author),
        at: when(p.published_at),
        audience: p.audience.as_string(),
        audience_label,
        group,
        edited: p.edited_at.is_some(),
        scheduled: p.scheduled,
        text: segments(&p.text),
        images: p.images.iter().map(img).collect(),
        reshared: p.reshare_of.is_some(),
        original,
        counts: p.counts.clone(),
        reactions: ReactionKind::ALL
            .into_iter()
            .map(|k| ReactButton {
                kind: k.as_str(),
                label: l.t(reaction_key(k)).to_owned(),
                pressed: p.my_reaction == Some(k),
            })
            .collect(),
        reshareable,
        reshare_audiences: match (&root.audience, reshareable) {
            (_, false) => Vec::new(),
            (PostAudience::Plain(a), true) => audience_choices(l, *a),
            (PostAudience::Group(h), true) => vec![Choice {
                value: format!("group:{h}"),
                label: root
                    .group
                    .as_ref()
                    .map_or_else(|| h.clone(), |g| g.name.clone()),
                selected: true,
            }],
        },
        mine: p.mine,
    }
}

/// The words for a refused post, comment or image, in the page's
/// language; `None` when it deserves an error page.
pub fn problems(l: &Layout, e: &Error) -> Option<Vec<String>> {
    let out = match e {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| {
                let key = match (f.field.as_str(), f.reason) {
                    ("text", "required") => "post_error_empty",
                    ("text", "too_long") => "post_error_too_long",
                    ("text", _) => "post_error_text",
                    ("file", "too_large") => "post_error_image_too_large",
                    ("file", "not_an_image") => "post_error_not_an_image",
                    ("file", "corrupt") => "post_error_image_corrupt",
                    ("file", "too_many_pixels") => "post_error_image_pixels",
                    ("media", "too_many") => "post_error_too_many_images",
                    ("media", "alt_required") => "post_error_alt_required",
                    ("alt", _) => "post_error_alt",
                    ("publish_at", _) => "post_error_publish_at",
                    ("audience", _) => "post_error_audience",
                    ("parent", _) => "post_error_parent",
                    _ => "",
                };
                if key.is_empty() {
                    format!("{}: {}", f.field, f.message)
                } else {
                    l.t(key).to_owned()
                }
            })
            .collect(),
        Error::Forbidden(Forbidden::NotAllowed) => vec![l.t("post_error_not_allowed").to_owned()],
        Error::Forbidden(Forbidden::CommentsClosed) => {
            vec![l.t("post_error_comments_closed").to_owned()]
        }
        Error::Forbidden(_) => vec![l.t("error_forbidden").to_owned()],
        Error::RateLimited { .. } => {
            vec![format!(
                "{}. {}",
                l.t("error_rate_limited"),
                e.public_message()
            )]
        }
        _ => return None,
    };
    Some(out)
}

/// A comment as shown, with its replies.
pub struct CommentRow {
    pub id: i64,
    pub author: Author,
    pub at: When,
    pub text: Vec<Seg>,
    /// Held for review by the page's keyword filters: seen by its author
    /// and the page's team only.
    pub held: bool,
    /// The text as written, for the edit form.
    pub raw: String,
    /// `visible`, `hidden` or `removed`.
    pub state: &'static str,
    pub edited: bool,
    pub may_edit: bool,
    pub may_delete: bool,
    /// Hide or show again (the post's author).
    pub may_hide: bool,
    /// Remove (a page's team, under its post).
    pub may_remove: bool,
    /// Report it (anyone signed in but its author).
    pub may_report: bool,
    pub replies: Vec<CommentRow>,
}

fn comment_row(c: &CommentView) -> CommentRow {
    CommentRow {
        id: c.id,
        author: author(&c.author),
        at: when(c.created_at),
        text: segments(&c.text),
        held: c.held,
        raw: c.text.clone(),
        state: c.state.as_str(),
        edited: c.edited_at.is_some(),
        may_edit: c.may_edit,
        may_delete: c.may_delete,
        may_hide: c.may_hide,
        may_remove: c.may_hide && c.may_delete,
        may_report: !c.may_edit,
        replies: c.replies.iter().map(comment_row).collect(),
    }
}

/// The choices of a "who may comment" select, `current` selected; with
/// `default_first`, a first choice (value `""`) for the author's default.
pub fn reply_choices(
    l: &Layout,
    current: Option<ReplyControl>,
    default_first: bool,
) -> Vec<Choice> {
    let mut out = Vec::new();
    if default_first {
        out.push(Choice {
            value: String::new(),
            label: l.t("replies_default").to_owned(),
            selected: current.is_none(),
        });
    }
    out.extend(ReplyControl::ALL.into_iter().map(|r| Choice {
        value: r.as_str().to_owned(),
        label: l.t(&format!("replies_{}", r.as_str())).to_owned(),
        selected: current == Some(r),
    }));
    out
}

/// Why the viewer may not comment, in a sentence naming who may.
fn closed_key(replies: ReplyControl, by_page: bool) -> &'static str {
    match replies {
        ReplyControl::Nobody => "replies_closed_nobody",
        ReplyControl::Network | ReplyControl::Contacts if by_page => "replies_closed_team",
        ReplyControl::Network => "replies_closed_network",
        ReplyControl::Contacts => "replies_closed_contacts",
        ReplyControl::Everyone | ReplyControl::Members => "replies_closed_members",
    }
}

#[derive(Template)]
#[template(path = "post.html")]
struct PostPage {
    l: Layout,
    /// The post's card (`c` in `post_card.html`).
    c: Card,
    /// The raw text, for the edit form.
    raw_text: String,
    /// Reactions per kind (only kinds with at least one).
    breakdown: Vec<(String, u64)>,
    comments: Vec<CommentRow>,
    errors: Vec<String>,
    /// What the member was writing when it was refused.
    draft: String,
    /// The edit form starts open.
    editing: bool,
    /// Who the member may comment as: himself, then the pages he edits
    /// for (empty when he has no page: no select).
    answer_as: Vec<Choice>,
    /// The thread whose reply box is open and focused (`?reply=`).
    reply_to: Option<i64>,
    /// He came from his inbox: the answering rules are shown.
    from_inbox: bool,
    may_comment: bool,
    /// Who may comment, when he may not.
    closed: String,
    /// The author's "who may comment" select.
    replies: Vec<Choice>,
}

impl PostPage {
    /// The label of a comment's moderation state.
    fn state_key(&self, state: &str) -> &'static str {
        match state {
            "hidden" => "comment_hidden",
            _ => "comment_removed",
        }
    }

    /// Who still sees a moderated comment, as its author or the post's
    /// author reads it.
    fn state_hint(&self, state: &str, mine: &bool) -> &'static str {
        match (state, *mine) {
            ("hidden", true) => "comment_hidden_author_hint",
            ("hidden", false) => "comment_hidden_hint",
            _ => "comment_removed_hint",
        }
    }

    /// The reply box of thread `id` is the one `?reply=` opens.
    fn replying(&self, id: impl std::borrow::Borrow<i64>) -> bool {
        self.reply_to == Some(*id.borrow())
    }
}

/// What a form on the post page left to show.
#[derive(Default)]
struct Flash {
    errors: Vec<String>,
    draft: String,
    editing: bool,
    /// `?as=`: the profile preselected in "answer as".
    as_: String,
    /// `?reply=`: a comment whose thread's reply box opens.
    reply: Option<i64>,
}

pub fn post_id(raw: &str) -> Result<i64, Error> {
    raw.parse().map_err(|_| Error::NotFound)
}

async fn post_page(state: &AppState, ctx: &Ctx, id: i64, flash: Flash) -> Result<PostPage, Error> {
    let app = &state.app;
    let v = &ctx.viewer;
    let post = app.posts().view_post(v, id).await?;
    let comments = app.posts().comments(v, id).await?;
    let counts = app.posts().reactions(v, id).await?;
    let title = format!("{} · {}", post.author.name, excerpt(&post.text, 60));
    let l = Layout::new(state, ctx, title);
    let breakdown = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (l.t(reaction_key(k)).to_owned(), n))
        .collect();
    let as_ = flash.as_.trim().trim_start_matches('@');
    let answer_as = match &v.signed_in {
        Some(me) => {
            let pages: Vec<Choice> = app
                .pages()
                .operated_pages(v)
                .await?
                .into_iter()
                .filter(|(_, role)| role.edits())
                .map(|(r, _)| Choice {
                    selected: as_ == r.handle.as_str(),
                    value: r.handle.to_string(),
                    label: format!("{} (@{})", r.name, r.handle),
                })
                .collect();
            if pages.is_empty() {
                Vec::new()
            } else {
                let mut all = vec![Choice {
                    value: String::new(),
                    label: format!("{} ({})", me.name, l.t("answer_as_me")),
                    selected: !pages.iter().any(|c| c.selected),
                }];
                all.extend(pages);
                all
            }
        }
        None => Vec::new(),
    };
    // The thread of the comment `?reply=` names: itself, or its parent.
    let reply_to = flash.reply.and_then(|r| {
        comments
            .iter()
            .find(|c| c.id == r || c.replies.iter().any(|x| x.id == r))
            .map(|c| c.id)
    });
    let by_page = post.author.kind != ProfileKind::Person;
    Ok(PostPage {
        c: card(&l, &post),
        raw_text: post.text,
        breakdown,
        comments: comments.iter().map(comment_row).collect(),
        errors: flash.errors,
        draft: flash.draft,
        editing: flash.editing,
        answer_as,
        reply_to,
        from_inbox: !as_.is_empty() || flash.reply.is_some(),
        may_comment: post.may_comment,
        closed: l.t(closed_key(post.replies, by_page)).to_owned(),
        replies: if post.mine {
            reply_choices(&l, Some(post.replies), false)
        } else {
            Vec::new()
        },
        l,
    })
}

fn excerpt(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= max {
        return line.to_owned();
    }
    let cut: String = line.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

#[derive(Deserialize)]
pub struct PostQuery {
    edit: Option<String>,
    /// Answer as this page (coming from the inbox).
    #[serde(rename = "as")]
    as_: Option<String>,
    /// Open the reply box of this comment's thread.
    reply: Option<String>,
}

/// `GET /posts/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PostQuery>,
) -> Result<Response, PageError> {
    let id = post_id(&id)?;
    let flash = Flash {
        editing: q.edit.is_some(),
        as_: q.as_.unwrap_or_default(),
        reply: q.reply.and_then(|r| r.parse().ok()),
        ..Flash::default()
    };
    let page = post_page(&state, &ctx, id, flash).await?;
    Ok(render(&page))
}

/// The post page again with what a form could not do, or an error page.
async fn back_to_post(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    e: Error,
    flash: Flash,
) -> Result<Response, PageError> {
    let l = Layout::new(state, ctx, "");
    let Some(errors) = problems(&l, &e) else {
        return Err(e.into());
    };
    let flash = Flash { errors, ..flash };
    let mut page = post_page(state, ctx, id, flash).await?;
    // Its forms and the language switch come back to the post, not to this POST.
    page.l.path = format!("/posts/{id}");
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// The form of a `/posts/{id}/…` action: its fields, token checked, and the id.
fn post_form(ctx: &Ctx, id: &str, body: &Bytes) -> Result<(FormData, i64), PageError> {
    let form = FormData::parse(body, ctx)?;
    let id = post_id(id)?;
    Ok((form, id))
}

/// Where a card's form comes back to: the page it was on, at the card.
fn back_to(form: &FormData, id: i64) -> String {
    let next = form.get("next");
    let next = if next.is_empty() {
        format!("/posts/{id}")
    } else {
        safe_next(next)
    };
    format!("{next}#post-{id}")
}

/// `POST /posts/{id}/react`: `kind` sets the viewer's reaction, `none`
/// removes it (the pressed button sends `none`).
pub async fn react(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, id) = post_form(&ctx, &id, &body)?;
    let kind = match form.get("kind") {
        "none" | "" => None,
        k => match ReactionKind::parse(k) {
            Some(k) => Some(k),
            None => return Err(Error::invalid("kind", "invalid", "not a reaction").into()),
        },
    };
    state.app.posts().react(&ctx.viewer, id, kind).await?;
    Ok(see_other(&back_to(&form, id)))
}

/// `POST /posts/{id}/reshare`: optional commentary (`text`) and audience.
pub async fn reshare(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, id) = post_form(&ctx, &id, &body)?;
    let audience = match PostAudience::parse(form.get("audience")) {
        Some(a) => a,
        None if form.get("audience").is_empty() => PostAudience::Plain(Audience::Members),
        None => {
            let e = Error::invalid("audience", "invalid", "not an audience");
            return back_to_post(&state, &ctx, id, e, Flash::default()).await;
        }
    };
    let input = NewPostInput {
        text: form.get("text").to_owned(),
        audience,
        as_: None,
        media: Vec::new(),
        reshare_of: Some(id.to_string()),
        publish_at: None,
        replies: None,
    };
    match state.app.posts().create_post(&ctx.viewer, input).await {
        Ok(p) => Ok(see_other(&format!("/#post-{}", p.id))),
        Err(e) => back_to_post(&state, &ctx, id, e, Flash::default()).await,
    }
}

/// `POST /posts/{id}/comments`: `text`, `parent` for a reply, and `as`
/// to comment as a page the member edits for.
pub async fn comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, id) = post_form(&ctx, &id, &body)?;
    let parent = Some(form.get("parent")).filter(|p| !p.trim().is_empty());
    let as_ = Some(form.get("as").trim().trim_start_matches('@')).filter(|h| !h.is_empty());
    match state
        .app
        .posts()
        .add_comment(&ctx.viewer, id, form.get("text"), parent, as_)
        .await
    {
        Ok(c) => Ok(see_other(&format!("/posts/{id}#comment-{}", c.id))),
        Err(e) => {
            let flash = Flash {
                draft: form.get("text").to_owned(),
                as_: as_.unwrap_or_default().to_owned(),
                ..Flash::default()
            };
            back_to_post(&state, &ctx, id, e, flash).await
        }
    }
}

/// `POST /posts/{id}/edit`: the new text.
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, id) = post_form(&ctx, &id, &body)?;
    match state
        .app
        .posts()
        .edit_post(&ctx.viewer, id, form.get("text"))
        .await
    {
        Ok(_) => Ok(see_other(&format!("/posts/{id}"))),
        Err(e) => {
            let flash = Flash {
                editing: true,
                ..Flash::default()
            };
            back_to_post(&state, &ctx, id, e, flash).await
        }
    }
}

/// `POST /posts/{id}/replies`: who may comment on the author's post.
pub async fn set_replies(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (form, id) = post_form(&ctx, &id, &body)?;
    let replies = ReplyControl::parse(form.get("replies"))
        .ok_or_else(|| Error::invalid("replies", "invalid", "not a reply control"))?;
    state
        .app
        .posts()
        .set_replies(&ctx.viewer, id, replies)
        .await?;
    Ok(see_other(&format!("/posts/{id}#comments")))
}

/// `POST /posts/{id}/delete`: back home.
pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (_, id) = post_form(&ctx, &id, &body)?;
    state.app.posts().delete_post(&ctx.viewer, id).await?;
    Ok(see_other("/"))
}

/// One earlier version of a post.
pub struct Version {
    pub text: Vec<Seg>,
    pub until: When,
}

#[derive(Template)]
#[template(path = "post_history.html")]
struct HistoryPage {
    l: Layout,
    c: Card,
    versions: Vec<Version>,
}

/// `GET /posts/{id}/history`: earlier versions of an edited post.
pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = post_id(&id)?;
    let PostHistory { post, edits } = state.app.posts().post_with_history(&ctx.viewer, id).await?;
    let l = Layout::new(
        &state,
        &ctx,
        state.catalog.get(ctx.locale, "post_history_title"),
    );
    Ok(render(&HistoryPage {
        c: card(&l, &post),
        versions: edits
            .iter()
            .map(|e| Version {
                text: segments(&e.text),
                until: when(e.replaced_at),
            })
            .collect(),
        l,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use entremise_domain::locale::Locale;

    fn flat(segs: &[Seg]) -> Vec<(String, Option<String>)> {
        segs.iter()
            .map(|s| (s.text.clone(), s.href.clone()))
            .collect()
    }

    #[test]
    fn tags_and_mentions_become_links() {
        let s = segments("Merci @Claire ! #Audit, mail a@b.fr #\n<b>");
        assert_eq!(
            flat(&s),
            vec![
                ("Merci ".into(), None),
                ("@Claire".into(), Some("/@claire".into())),
                (" ! ".into(), None),
                ("#Audit".into(), Some("/search?q=Audit".into())),
                (", mail a@b.fr #\n<b>".into(), None),
            ]
        );
    }

    #[test]
    fn odd_mentions_stay_text() {
        let s = segments("@é @x @ok_1");
        assert_eq!(
            flat(&s),
            vec![
                ("@é @x ".into(), None),
                ("@ok_1".into(), Some("/@ok_1".into())),
            ]
        );
    }

    /// Keys looked up from a value (not spelled out in a `t` call) exist.
    #[test]
    fn computed_keys_exist() {
        let c = crate::i18n::Catalog::load();
        let mut keys: Vec<String> = Audience::ALL
            .into_iter()
            .flat_map(|a| [audience_key(a), badge_key(a)])
            .chain(ReactionKind::ALL.into_iter().map(reaction_key))
            .map(str::to_owned)
            .collect();
        keys.extend(
            entremise_domain::page::Role::ALL
                .iter()
                .map(|r| format!("role_{}", r.as_str())),
        );
        let source = include_str!("posts.rs");
        let table = &source[source.find("let key = match").unwrap()..];
        let table = &table[..table.find("};").unwrap()];
        for (i, _) in table.match_indices("=> \"") {
            let rest = &table[i + 4..];
            let key = &rest[..rest.find('"').unwrap()];
            if !key.is_empty() {
                keys.push(key.to_owned());
            }
        }
        assert!(keys.len() > 20);
        for locale in [Locale::En, Locale::Fr] {
            for k in &keys {
                assert_ne!(c.get(locale, k), k.as_str(), "{k} missing");
            }
        }
    }

    #[test]
    fn every_reply_control_has_its_choice_and_closed_sentence() {
        let c = crate::i18n::Catalog::load();
        for locale in [Locale::En, Locale::Fr] {
            for r in ReplyControl::ALL {
                for key in [
                    format!("replies_{}", r.as_str()),
                    closed_key(r, false).to_owned(),
                    closed_key(r, true).to_owned(),
                ] {
                    assert_ne!(c.get(locale, &key), key, "{key} missing in {locale:?}");
                }
            }
        }
        assert_eq!(
            closed_key(ReplyControl::Contacts, true),
            "replies_closed_team"
        );
        assert_eq!(
            closed_key(ReplyControl::Contacts, false),
            "replies_closed_contacts"
        );
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("short\nmore", 10), "short");
        assert_eq!(excerpt("a long first line", 6), "a long…");
    }
}
