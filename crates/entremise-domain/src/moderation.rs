//! Moderation: mutes, reports, the queues that receive them, the decisions
//! taken there and the sanctions they leave on a member.
//!
//! Pure rules, no I/O. Invariants (each tested below):
//! - a report lands in the instance's queue, and also in the queue of the
//!   page whose post carries the reported content, or of the group it was
//!   posted in; never in a queue its target runs (a page editor does not
//!   judge reports against himself);
//! - a page's team acts on content under its posts only (dismiss, hide,
//!   remove); a group's moderators on content in their group (dismiss,
//!   remove); warning, limiting and suspending a member are the instance's;
//! - hidden content is seen by its author only, removed content by
//!   instance moderators only (PRIVACY.md, "Moderation");
//! - a limited member's posts reach his contacts at most; a suspended
//!   member answers like a missing one to everyone but moderators.

use crate::error::{Error, FieldError};
type Result<T, E = Error> = std::result::Result<T, E>;
use crate::ids::{GroupId, ProfileId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Longest note a reporter may add.
pub const MAX_NOTE_CHARS: usize = 1_000;
/// Longest reason a moderator gives for a decision.
pub const MAX_REASON_CHARS: usize = 1_000;
/// Longest suspension for a time, in days (longer is a suspension).
pub const MAX_SUSPENSION_DAYS: u32 = 365;
/// Muted words and hashtags a member may keep.
pub const MAX_MUTED_WORDS: usize = 100;
/// Longest muted word or phrase.
pub const MAX_MUTED_WORD_CHARS: usize = 60;

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

text_enum!(
    /// Why a member reports something.
    ReportReason {
        Spam => "spam",
        Harassment => "harassment",
        Hate => "hate",
        Misinformation => "misinformation",
        Illegal => "illegal",
        Other => "other",
    }
);

text_enum!(
    /// What a report is about.
    TargetKind {
        Post => "post",
        Comment => "comment",
        Message => "message",
        Profile => "profile",
        Group => "group",
    }
);

text_enum!(
    /// What a queue decides on a report (and every other open report on
    /// the same target in that queue).
    Action {
        /// Nothing wrong: the report is closed.
        Dismiss => "dismiss",
        /// The content is seen by its author only.
        Hide => "hide",
        /// The content is gone for everyone but instance moderators.
        Remove => "remove",
        /// The member is told; nothing else changes.
        Warn => "warn",
        /// The member's posts reach his contacts at most.
        Limit => "limit",
        /// The member is suspended until a date (`days`).
        SuspendFor => "suspend_for",
        /// The member is suspended until an administrator lifts it.
        Suspend => "suspend",
        /// A sanction is lifted (limit or suspension) or content restored.
        Lift => "lift",
    }
);

text_enum!(
    /// Where a report stands in one queue.
    ReportStatus {
        Open => "open",
        Dismissed => "dismissed",
        Actioned => "actioned",
    }
);

text_enum!(
    /// A post's or a comment's moderation state.
    ContentState {
        Visible => "visible",
        Hidden => "hidden",
        Removed => "removed",
    }
);

/// A queue of reports: the instance's (its moderators and admins), a
/// page's (its editors, for content under its posts) or a group's (its
/// moderators, for content posted in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Instance,
    Page(ProfileId),
    Group(GroupId),
}

impl Scope {
    /// As stored: `instance`, `page:<id>`, `group:<id>`.
    pub fn key(self) -> String {
        match self {
            Scope::Instance => "instance".into(),
            Scope::Page(p) => format!("page:{}", p.0),
            Scope::Group(g) => format!("group:{}", g.0),
        }
    }

    pub fn parse_key(s: &str) -> Option<Self> {
        if s == "instance" {
            return Some(Scope::Instance);
        }
        let (kind, id) = s.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "page" => Some(Scope::Page(ProfileId(id))),
            "group" => Some(Scope::Group(GroupId(id))),
            _ => None,
        }
    }

    /// The actions this queue may take on a target of `kind`.
    pub fn actions(self, kind: TargetKind) -> &'static [Action] {
        use Action::*;
        match (self, kind) {
            (Scope::Instance, TargetKind::Post | TargetKind::Comment) => &[
                Dismiss, Hide, Remove, Warn, Limit, SuspendFor, Suspend, Lift,
            ],
            (Scope::Instance, _) => &[Dismiss, Warn, Limit, SuspendFor, Suspend, Lift],
            (Scope::Page(_), TargetKind::Comment) => &[Dismiss, Hide, Remove, Lift],
            (Scope::Group(_), TargetKind::Post | TargetKind::Comment) => &[Dismiss, Remove, Lift],
            _ => &[Dismiss],
        }
    }

    /// Whether this queue may take `action` on a target of `kind`.
    pub fn may(self, action: Action, kind: TargetKind) -> bool {
        self.actions(kind).contains(&action)
    }
}

/// Where a reported thing lives, as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub kind: TargetKind,
    /// The member the content belongs to (its author, the profile
    /// itself, a group's creator for a group).
    pub member: ProfileId,
    /// The author of the post that carries it (the post itself for a
    /// post), when it is a page: its team has a queue.
    pub page: Option<ProfileId>,
    /// The group it was posted in.
    pub group: Option<GroupId>,
}

/// The queues a report on `target` goes to: the instance's always; the
/// page's for a comment under its post; the group's for a post or a
/// comment in it. A page never judges reports against itself.
pub fn queues_for(target: &Placement) -> Vec<Scope> {
    let mut out = vec![Scope::Instance];
    if target.kind == TargetKind::Comment
        && let Some(page) = target.page
        && page != target.member
    {
        out.push(Scope::Page(page));
    }
    if matches!(target.kind, TargetKind::Post | TargetKind::Comment)
        && let Some(g) = target.group
    {
        out.push(Scope::Group(g));
    }
    out
}

/// The content state an action leaves (`None`: it does not touch content).
pub fn content_after(action: Action) -> Option<ContentState> {
    match action {
        Action::Hide => Some(ContentState::Hidden),
        Action::Remove => Some(ContentState::Removed),
        Action::Lift => Some(ContentState::Visible),
        _ => None,
    }
}

/// Who sees content in `state`: everyone (as its audience says) while it
/// is visible; its author (or his page's team) while hidden; instance
/// moderators only once removed.
pub fn content_seen(state: ContentState, is_author: bool, is_moderator: bool) -> bool {
    match state {
        ContentState::Visible => true,
        ContentState::Hidden => is_author || is_moderator,
        ContentState::Removed => is_moderator,
    }
}

/// What sanctions weigh on a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sanction {
    /// His posts reach his contacts at most.
    pub limited: bool,
    /// Suspended until then (`None`: not suspended); a suspension without
    /// end is stored as [`Sanction::FOREVER`].
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub suspended_until: Option<OffsetDateTime>,
}

impl Sanction {
    /// A suspension without end.
    pub const FOREVER: OffsetDateTime = time::macros::datetime!(2200-01-01 0:00 UTC);

    /// Where a sign-up waiting for approval is suspended until (a day
    /// after [`Self::FOREVER`], so the two are told apart).
    pub const PENDING: OffsetDateTime = time::macros::datetime!(2200-01-02 0:00 UTC);

    /// What weighs on a sign-up waiting for approval: out of sight until
    /// approved, like a suspended member.
    pub fn pending() -> Self {
        Self {
            limited: false,
            suspended_until: Some(Self::PENDING),
        }
    }

    /// Whether this is a sign-up waiting for approval (who never wrote,
    /// reacted or commented: counters need not leave him out).
    pub fn is_pending(&self) -> bool {
        self.suspended_until == Some(Self::PENDING)
    }

    pub fn is_none(&self) -> bool {
        !self.limited && self.suspended_until.is_none()
    }

    /// Whether he is suspended at `now`.
    pub fn suspended(&self, now: OffsetDateTime) -> bool {
        self.suspended_until.is_some_and(|u| u > now)
    }

    /// The sanction `action` leaves, from `self`; `None` when the action
    /// does not touch the member (or `days` is out of bounds).
    pub fn after(self, action: Action, days: Option<u32>, now: OffsetDateTime) -> Option<Self> {
        match action {
            Action::Limit => Some(Self {
                limited: true,
                ..self
            }),
            Action::SuspendFor => {
                let days = days.filter(|d| (1..=MAX_SUSPENSION_DAYS).contains(d))?;
                Some(Self {
                    suspended_until: Some(now + time::Duration::days(i64::from(days))),
                    ..self
                })
            }
            Action::Suspend => Some(Self {
                suspended_until: Some(Self::FOREVER),
                ..self
            }),
            Action::Lift => Some(Self::default()),
            _ => None,
        }
    }
}

/// Whether a limited author's post with `audience` still reaches a viewer
/// whose relation to him is `relation`: his contacts and himself only.
pub fn limited_reaches(relation: crate::privacy::Relation) -> bool {
    use crate::privacy::Relation;
    matches!(relation, Relation::Itself | Relation::Contact)
}

/// A member's report, as he sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRequest {
    pub target: TargetRequest,
    pub reason: ReportReason,
    #[serde(default)]
    pub note: Option<String>,
}

/// What is reported: a post, comment or message by `id`, a profile or a
/// group by `handle`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetRequest {
    pub kind: TargetKind,
    /// The post's, comment's or message's id (ids are strings in the API;
    /// a number is taken too).
    #[serde(default, deserialize_with = "id_text_or_number")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<String>,
    #[serde(default)]
    pub handle: Option<String>,
}

fn id_text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(i64),
    }
    Ok(Option::<Id>::deserialize(d)?.map(|id| match id {
        Id::Text(t) => t,
        Id::Number(n) => n.to_string(),
    }))
}

/// Trims and bounds the reporter's note (empty is none).
pub fn check_note(note: Option<&str>) -> Result<Option<String>> {
    let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(Error::Invalid(vec![FieldError::new(
            "note",
            "too_long",
            format!("at most {MAX_NOTE_CHARS} characters"),
        )]));
    }
    Ok(Some(note.to_owned()))
}

/// Trims and bounds a moderator's reason; required for anything but a
/// dismissal, so the member is told why.
pub fn check_reason(action: Action, reason: Option<&str>) -> Result<String> {
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::Invalid(vec![FieldError::new(
            "reason",
            "too_long",
            format!("at most {MAX_REASON_CHARS} characters"),
        )]));
    }
    if reason.is_empty() && action != Action::Dismiss {
        return Err(Error::Invalid(vec![FieldError::new(
            "reason",
            "required",
            "say why: the member is told",
        )]));
    }
    Ok(reason.to_owned())
}

/// A member's muted words and hashtags, one per line, trimmed, lowered,
/// without duplicates.
pub fn check_muted_words(raw: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for w in raw {
        let w = w.trim().to_lowercase();
        if w.is_empty() || out.contains(&w) {
            continue;
        }
        if w.chars().count() > MAX_MUTED_WORD_CHARS {
            return Err(Error::Invalid(vec![FieldError::new(
                "words",
                "too_long",
                format!("each word at most {MAX_MUTED_WORD_CHARS} characters"),
            )]));
        }
        out.push(w);
    }
    if out.len() > MAX_MUTED_WORDS {
        return Err(Error::Invalid(vec![FieldError::new(
            "words",
            "too_many",
            format!("at most {MAX_MUTED_WORDS} words"),
        )]));
    }
    Ok(out)
}

/// Whether `text` carries one of the muted `words` (a word or a hashtag,
/// matched as a whole word, case and accents as typed lowered).
pub fn mutes_text(words: &[String], text: &str) -> bool {
    if words.is_empty() {
        return false;
    }
    let lower = text.to_lowercase();
    words.iter().any(|w| {
        lower.match_indices(w.as_str()).any(|(at, _)| {
            let before = lower[..at].chars().next_back();
            let after = lower[at + w.len()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
            // "#rust" muted also mutes "#rust" only; "rust" mutes "#rust" too.
            boundary(after) && (boundary(before) || w.starts_with('#'))
        })
    })
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub reporter: ProfileId,
    pub kind: TargetKind,
    /// The post, comment or message id; the profile or group id.
    pub target: i64,
    pub member: ProfileId,
    pub page: Option<ProfileId>,
    pub group: Option<GroupId>,
    pub reason: ReportReason,
    pub note: Option<String>,
    /// The content as it was when reported (kept if it is edited or
    /// deleted since).
    pub snapshot: String,
    pub created_at: OffsetDateTime,
    /// Its standing in each queue it went to.
    pub queues: Vec<QueueStanding>,
}

/// A report's standing in one queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStanding {
    pub scope: Scope,
    pub status: ReportStatus,
    pub action: Option<Action>,
    pub decided_at: Option<OffsetDateTime>,
}

/// A report to store, with the queues it goes to.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub reporter: ProfileId,
    pub placement: Placement,
    pub target: i64,
    pub reason: ReportReason,
    pub note: Option<String>,
    pub snapshot: String,
    pub queues: Vec<Scope>,
    pub at: OffsetDateTime,
}

/// A decision to store: it closes every open report on the same target
/// in `scope`, sets the content's state or the member's sanction, and is
/// written in the moderation log.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub scope: Scope,
    pub report: Option<i64>,
    pub kind: TargetKind,
    pub target: i64,
    pub member: ProfileId,
    pub action: Action,
    pub reason: String,
    /// The content's state after it, when it touches content.
    pub content: Option<ContentState>,
    /// The member's sanction after it, when it touches him.
    pub sanction: Option<Sanction>,
    pub actor: ProfileId,
    pub account: crate::ids::AccountId,
    pub at: OffsetDateTime,
}

/// One line of the moderation log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogEntry {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    #[serde(skip)]
    pub scope: Option<Scope>,
    /// `decision`, or `viewed_through_block` (a moderator opened reported
    /// content of a member a block hides from him).
    pub entry: String,
    pub action: Option<Action>,
    pub kind: TargetKind,
    pub target: i64,
    #[serde(skip)]
    pub member: ProfileId,
    #[serde(skip)]
    pub actor: ProfileId,
    pub report: Option<i64>,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::Relation;

    fn at(kind: TargetKind, page: Option<i64>, group: Option<i64>) -> Placement {
        Placement {
            kind,
            member: ProfileId(1),
            page: page.map(ProfileId),
            group: group.map(GroupId),
        }
    }

    #[test]
    fn reports_go_to_the_queues_that_own_the_content() {
        use Scope::*;
        let cases = [
            (
                at(TargetKind::Comment, Some(9), None),
                vec![Instance, Page(ProfileId(9))],
            ),
            (at(TargetKind::Comment, Some(1), None), vec![Instance]),
            (at(TargetKind::Post, Some(9), None), vec![Instance]),
            (
                at(TargetKind::Post, None, Some(4)),
                vec![Instance, Group(GroupId(4))],
            ),
            (
                at(TargetKind::Comment, Some(9), Some(4)),
                vec![Instance, Page(ProfileId(9)), Group(GroupId(4))],
            ),
            (at(TargetKind::Profile, Some(9), Some(4)), vec![Instance]),
            (at(TargetKind::Message, None, None), vec![Instance]),
            (at(TargetKind::Group, None, Some(4)), vec![Instance]),
        ];
        for (placement, want) in cases {
            assert_eq!(queues_for(&placement), want, "{placement:?}");
        }
    }

    #[test]
    fn sanctions_are_the_instance_s_and_content_acts_the_owners() {
        let page = Scope::Page(ProfileId(9));
        let group = Scope::Group(GroupId(4));
        assert!(page.may(Action::Hide, TargetKind::Comment));
        assert!(page.may(Action::Remove, TargetKind::Comment));
        assert!(!page.may(Action::Suspend, TargetKind::Comment));
        assert!(!page.may(Action::Hide, TargetKind::Post));
        assert!(group.may(Action::Remove, TargetKind::Post));
        assert!(!group.may(Action::Limit, TargetKind::Post));
        assert!(!group.may(Action::Hide, TargetKind::Profile));
        for a in Action::ALL {
            assert!(Scope::Instance.may(*a, TargetKind::Comment), "{a:?}");
        }
        assert!(!Scope::Instance.may(Action::Hide, TargetKind::Profile));
        assert!(Scope::Instance.may(Action::Suspend, TargetKind::Message));
    }

    #[test]
    fn hidden_content_is_its_author_s_and_removed_the_moderators() {
        use ContentState::*;
        // (state, author, moderator, seen)
        let table = [
            (Visible, false, false, true),
            (Hidden, true, false, true),
            (Hidden, false, false, false),
            (Hidden, false, true, true),
            (Removed, true, false, false),
            (Removed, false, false, false),
            (Removed, false, true, true),
        ];
        for (state, author, moderator, seen) in table {
            assert_eq!(
                content_seen(state, author, moderator),
                seen,
                "{state:?} {author} {moderator}"
            );
        }
    }

    #[test]
    fn sanctions_follow_the_actions() {
        let now = time::macros::datetime!(2026-12-07 12:00 UTC);
        let none = Sanction::default();
        assert!(none.after(Action::Limit, None, now).unwrap().limited);
        let s = none.after(Action::SuspendFor, Some(7), now).unwrap();
        assert_eq!(s.suspended_until, Some(now + time::Duration::days(7)));
        assert!(s.suspended(now));
        assert!(!s.suspended(now + time::Duration::days(8)));
        assert_eq!(none.after(Action::SuspendFor, Some(0), now), None);
        assert_eq!(none.after(Action::SuspendFor, None, now), None);
        assert_eq!(
            none.after(Action::SuspendFor, Some(MAX_SUSPENSION_DAYS + 1), now),
            None
        );
        assert_eq!(
            none.after(Action::Suspend, None, now)
                .unwrap()
                .suspended_until,
            Some(Sanction::FOREVER)
        );
        assert_eq!(s.after(Action::Lift, None, now), Some(Sanction::default()));
        assert_eq!(none.after(Action::Warn, None, now), None);
        assert_eq!(none.after(Action::Hide, None, now), None);
    }

    #[test]
    fn a_limited_member_reaches_his_contacts_only() {
        assert!(limited_reaches(Relation::Itself));
        assert!(limited_reaches(Relation::Contact));
        assert!(!limited_reaches(Relation::Network));
        assert!(!limited_reaches(Relation::Member));
        assert!(!limited_reaches(Relation::Anonymous));
    }

    #[test]
    fn muted_words_match_whole_words_and_hashtags() {
        let words =
            check_muted_words(&[" Crypto ".into(), "#NFT".into(), "crypto".into()]).unwrap();
        assert_eq!(words, vec!["crypto".to_string(), "#nft".to_string()]);
        assert!(mutes_text(&words, "All about CRYPTO today"));
        assert!(mutes_text(&words, "love #crypto"));
        assert!(!mutes_text(&words, "cryptography is a science"));
        assert!(mutes_text(&words, "new #NFT drop"));
        assert!(!mutes_text(&words, "new #NFTs drop"));
        assert!(!mutes_text(&words, "nft alone"));
        assert!(!mutes_text(&[], "anything"));
    }

    #[test]
    fn reasons_are_required_but_for_a_dismissal() {
        assert!(check_reason(Action::Dismiss, None).is_ok());
        assert!(check_reason(Action::Hide, Some("  ")).is_err());
        assert_eq!(check_reason(Action::Hide, Some(" rude ")).unwrap(), "rude");
        assert!(check_reason(Action::Warn, Some(&"x".repeat(MAX_REASON_CHARS + 1))).is_err());
        assert_eq!(check_note(Some("  ")).unwrap(), None);
        assert!(check_note(Some(&"x".repeat(MAX_NOTE_CHARS + 1))).is_err());
    }

    #[test]
    fn scopes_round_trip_as_stored() {
        for s in [
            Scope::Instance,
            Scope::Page(ProfileId(3)),
            Scope::Group(GroupId(7)),
        ] {
            assert_eq!(Scope::parse_key(&s.key()), Some(s));
        }
        assert_eq!(Scope::parse_key("page:x"), None);
        assert_eq!(Scope::parse_key("nope"), None);
    }
}
