//! Posts, comments, reactions and reshares: what they are and the pure
//! rules about them (text, mentions, hashtags, who may reshare what and to
//! whom). Who may see one is [`crate::privacy`]'s business.

use crate::error::{Error, FieldError, Result};
use crate::ids::{AccountId, GroupId, ProfileId};
use crate::privacy::Audience;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Longest post, in characters.
pub const MAX_POST_CHARS: usize = 3_000;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1_250;
/// Images a post may carry.
pub const MAX_IMAGES: usize = 10;
/// Longest alternative text of an image.
pub const MAX_ALT_CHARS: usize = 1_000;

/// Who a post is shown to (besides a group's members, see [`PostAudience`]).
pub fn post_audience_allowed(a: Audience) -> bool {
    matches!(
        a,
        Audience::Public | Audience::Members | Audience::Network | Audience::Contacts
    )
}

/// A post's audience as clients write and read it: an audience name, or
/// `group:<handle>` (the members of that group).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PostAudience {
    Plain(Audience),
    Group(String),
}

/// The stored audience of a post to a group: its `audience` column says
/// `only_me` and its group column names the group, so that anything that
/// forgot the group shows the post to its author alone.
pub const GROUP_POST_AUDIENCE: Audience = Audience::OnlyMe;

impl PostAudience {
    pub fn parse(s: &str) -> Option<Self> {
        match s.strip_prefix("group:") {
            Some(handle) => crate::validate::Handle::parse(handle)
                .ok()
                .filter(|h| h.as_str() == handle)
                .map(|h| Self::Group(h.as_str().to_owned())),
            None => Audience::parse(s).map(Self::Plain),
        }
    }

    pub fn as_string(&self) -> String {
        match self {
            Self::Plain(a) => a.as_str().to_owned(),
            Self::Group(h) => format!("group:{h}"),
        }
    }
}

impl Serialize for PostAudience {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_string())
    }
}

impl<'de> Deserialize<'de> for PostAudience {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(
                "audience: one of public, members, network, contacts, or group:<handle>",
            )
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for PostAudience {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(
                "^(public|members|network|contacts|only_me|group:[a-z0-9_]{2,30})$",
            ))
            .description(Some(
                "`public`, `members`, `network`, `contacts` (`only_me` is read, never \
                 written), or `group:<handle>`: the members of that group.",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for PostAudience {}

/// The audience and group a reshare gets: never wider than what it
/// reshares. A post to a group is reshared inside that group only; a
/// public or members' post may be reshared into a group. A post shown to
/// the author's contacts or network only is not reshared at all: the
/// resharer's contacts are not the author's, so any audience would widen
/// it.
pub fn reshare_audience(
    original: (Audience, Option<crate::ids::GroupId>),
    asked: (Audience, Option<crate::ids::GroupId>),
) -> Result<(Audience, Option<crate::ids::GroupId>)> {
    let refused = Err(Error::Forbidden(crate::error::Forbidden::NotAllowed));
    match (original, asked) {
        ((_, Some(g)), (_, asked_group)) => {
            if asked_group.is_some_and(|a| a != g) {
                return refused;
            }
            Ok((GROUP_POST_AUDIENCE, Some(g)))
        }
        ((Audience::Public | Audience::Members, None), (_, Some(g))) => {
            Ok((GROUP_POST_AUDIENCE, Some(g)))
        }
        ((a @ (Audience::Public | Audience::Members), None), (asked, None)) => {
            Ok((asked.max(a), None))
        }
        _ => refused,
    }
}

/// Who may comment on a post (its author's setting, per post; a page sets
/// the default of its new posts). Commenting also needs seeing the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReplyControl {
    /// Anyone who may see the post.
    #[default]
    Everyone,
    /// Signed-in members who may see it (the same as `everyone` while
    /// commenting needs an account; kept apart for posts shown publicly).
    Members,
    /// The author's contacts and 2nd degree.
    Network,
    /// The author's contacts.
    Contacts,
    /// Nobody but the author (and a page's team).
    Nobody,
}

impl ReplyControl {
    pub const ALL: [ReplyControl; 5] = [
        ReplyControl::Everyone,
        ReplyControl::Members,
        ReplyControl::Network,
        ReplyControl::Contacts,
        ReplyControl::Nobody,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Members => "members",
            Self::Network => "network",
            Self::Contacts => "contacts",
            Self::Nobody => "nobody",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The audience of the author's whom the control admits, asked of the
    /// commenter's lens like any audience. A page has no contacts: on a
    /// page's post `network` and `contacts` admit its team only.
    pub fn audience(self) -> Audience {
        match self {
            Self::Everyone => Audience::Public,
            Self::Members => Audience::Members,
            Self::Network => Audience::Network,
            Self::Contacts => Audience::Contacts,
            Self::Nobody => Audience::OnlyMe,
        }
    }
}

/// The five reactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReactionKind {
    Like,
    Celebrate,
    Support,
    Insightful,
    Curious,
}

impl ReactionKind {
    pub const ALL: [ReactionKind; 5] = [
        ReactionKind::Like,
        ReactionKind::Celebrate,
        ReactionKind::Support,
        ReactionKind::Insightful,
        ReactionKind::Curious,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Like => "like",
            Self::Celebrate => "celebrate",
            Self::Support => "support",
            Self::Insightful => "insightful",
            Self::Curious => "curious",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A stored post.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i64,
    /// The profile it is published as: a person, or a page or persona.
    pub author: ProfileId,
    /// The account that acted (recorded for pages and personas).
    pub operator: AccountId,
    /// `only_me` for a post to a group ([`GROUP_POST_AUDIENCE`]).
    pub audience: Audience,
    /// The group whose members it is for.
    pub group: Option<GroupId>,
    pub text: String,
    /// The post it reshares, if any.
    pub reshare_of: Option<i64>,
    pub images: Vec<PostImage>,
    pub created_at: OffsetDateTime,
    /// When it appears: later than `created_at` for a scheduled post.
    pub published_at: OffsetDateTime,
    pub edited_at: Option<OffsetDateTime>,
    /// Who may comment on it.
    pub replies: ReplyControl,
    /// Its moderation state (hidden: its author's only; removed: the
    /// instance moderators' only).
    pub state: crate::moderation::ContentState,
}

/// An image held by a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostImage {
    /// The media id (served at `/media/{id}/{variant}`).
    pub id: i64,
    /// Content address in the media store.
    pub key: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// An uploaded image: the uploader's until a post holds it, then seen by
/// whoever may see that post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub id: i64,
    /// The account that uploaded it.
    pub owner: AccountId,
    /// Content address in the media store.
    pub key: String,
    pub content_type: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    /// The post holding it, once published.
    pub post: Option<i64>,
    /// The group holding it as its cover.
    pub group: Option<crate::ids::GroupId>,
    pub created_at: OffsetDateTime,
}

/// One earlier version of an edited post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostEdit {
    pub text: String,
    /// Until when this version was shown.
    #[serde(with = "time::serde::rfc3339")]
    pub replaced_at: OffsetDateTime,
}

/// Counters of one post.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostCounts {
    pub reactions: u64,
    pub comments: u64,
    pub reshares: u64,
}

/// A comment, or a reply to one (one level deep).
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: i64,
    pub post: i64,
    pub parent: Option<i64>,
    /// The profile it is written as: a person, or a page or persona.
    pub author: ProfileId,
    /// The account that wrote it (recorded for pages and personas; never
    /// shown to readers).
    pub operator: Option<AccountId>,
    /// Held for review by the page's keyword filters: seen by its author
    /// and the page's team only, until the team publishes it.
    pub held: bool,
    pub text: String,
    pub created_at: OffsetDateTime,
    /// Its moderation state (see [`Post::state`]).
    pub state: crate::moderation::ContentState,
    pub edited_at: Option<OffsetDateTime>,
}

/// Checks the text of a post or comment.
pub fn check_text(field: &str, text: &str, max: usize, required: bool) -> Result<String> {
    let t = text.trim();
    if required && t.is_empty() {
        return Err(Error::Invalid(vec![FieldError::new(
            field,
            "required",
            "write something",
        )]));
    }
    if t.chars().count() > max {
        return Err(Error::Invalid(vec![FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        )]));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::Invalid(vec![FieldError::new(
            field,
            "invalid",
            "control characters are not allowed",
        )]));
    }
    Ok(t.to_owned())
}

/// The `@handle`s a text mentions, in order, without repeats.
pub fn mentions(text: &str) -> Vec<String> {
    tagged(text, '@')
}

/// The `#hashtags` a text carries, lowercased, without repeats.
pub fn hashtags(text: &str) -> Vec<String> {
    tagged(text, '#')
        .into_iter()
        .map(|t| t.to_lowercase())
        .fold(Vec::new(), |mut acc, t| {
            if !acc.contains(&t) {
                acc.push(t);
            }
            acc
        })
}

fn tagged(text: &str, sigil: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts = c == sigil && !prev.is_some_and(|p| p.is_alphanumeric() || p == '_');
        if starts {
            let word: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            if !word.is_empty() && word.chars().count() <= 64 && !out.contains(&word) {
                out.push(word.clone());
            }
            i += 1 + word.chars().count();
            prev = word.chars().last().or(Some(c));
            continue;
        }
        prev = Some(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Audience as A;

    #[test]
    fn reshares_never_widen() {
        let plain = |original, asked| {
            reshare_audience((original, None), (asked, None)).map(|(a, g)| {
                assert_eq!(g, None);
                a
            })
        };
        assert_eq!(plain(A::Public, A::Public).unwrap(), A::Public);
        assert_eq!(plain(A::Public, A::Contacts).unwrap(), A::Contacts);
        assert_eq!(plain(A::Members, A::Public).unwrap(), A::Members);
        assert_eq!(plain(A::Members, A::Network).unwrap(), A::Network);
        for narrow in [A::Network, A::Contacts, A::OnlyMe] {
            for asked in Audience::ALL {
                assert!(plain(narrow, asked).is_err());
            }
        }
    }

    #[test]
    fn a_group_post_never_leaves_its_group() {
        let (g, h) = (Some(GroupId(1)), Some(GroupId(2)));
        for asked in Audience::ALL {
            // Whatever is asked, it stays in its group...
            assert_eq!(
                reshare_audience((GROUP_POST_AUDIENCE, g), (asked, None)).unwrap(),
                (GROUP_POST_AUDIENCE, g)
            );
            // ...and never goes to another.
            assert!(reshare_audience((GROUP_POST_AUDIENCE, g), (asked, h)).is_err());
        }
        // A public or members' post may go into a group; a narrower one not.
        assert_eq!(
            reshare_audience((A::Public, None), (A::Public, h)).unwrap(),
            (GROUP_POST_AUDIENCE, h)
        );
        assert!(reshare_audience((A::Contacts, None), (A::Public, h)).is_err());
    }

    #[test]
    fn post_audiences_read_and_write() {
        assert_eq!(
            PostAudience::parse("members"),
            Some(PostAudience::Plain(A::Members))
        );
        assert_eq!(
            PostAudience::parse("group:fiscalite_pme"),
            Some(PostAudience::Group("fiscalite_pme".into()))
        );
        for bad in ["group:", "group:A", "group:a b", "groupe:x", "everyone"] {
            assert_eq!(PostAudience::parse(bad), None, "{bad}");
        }
        assert_eq!(PostAudience::Group("x1".into()).as_string(), "group:x1");
    }

    #[test]
    fn mentions_and_hashtags() {
        let t = "Merci @claire et @james_w ! #Audit #audit #PME, mail a@b.fr #";
        assert_eq!(mentions(t), ["claire", "james_w"]);
        assert_eq!(hashtags(t), ["audit", "pme"]);
    }

    #[test]
    fn texts_are_checked() {
        assert!(check_text("text", "  ", MAX_POST_CHARS, true).is_err());
        assert!(
            check_text(
                "text",
                &"a".repeat(MAX_POST_CHARS + 1),
                MAX_POST_CHARS,
                true
            )
            .is_err()
        );
        assert_eq!(
            check_text("text", " ok\n", MAX_POST_CHARS, true).unwrap(),
            "ok"
        );
        assert!(check_text("text", "a\u{0}b", MAX_POST_CHARS, true).is_err());
    }

    #[test]
    fn reactions_parse() {
        for k in ReactionKind::ALL {
            assert_eq!(ReactionKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ReactionKind::parse("love"), None);
    }
}
