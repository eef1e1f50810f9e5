//! The follow-up inbox: for every profile an account acts for, what awaits
//! an answer from that profile, and the pure rules that derive it from the
//! change events.
//!
//! An item is one (profile, subject) pair: a conversation, a comment
//! thread, a post that mentions the profile, a contact request, an
//! introduction, a contact-form message. It is derived by the inbox
//! projection (never written by a use case) with [`effects`]:
//! - a word from someone else on the subject opens the item, or reopens it
//!   if it was answered, dismissed or snoozed (a new word brings it back);
//! - the profile's own word on the same medium answers it;
//! - a team act (assign, dismiss, snooze, reopen, mark answered) is a
//!   change event of its own, applied in commit order like the rest.
//!
//! Each opening starts a *cycle*; the time from a cycle's opening to its
//! answer is the first-response time the page's statistics show.
//!
//! Invariants (tested below):
//! - nobody's own word opens an item for himself;
//! - the profile answering on the medium closes the item, and only the
//!   item of that profile on that subject;
//! - a reply in a thread answers the thread, whoever's comment it answers
//!   (replies go one level deep, so a thread is its first comment);
//! - a member is never given two items for one word: the post's author
//!   gets a `comment` item, the parent comment's author a `comment` item
//!   (a reply to his comment), anyone else named a `mention` item.

use crate::events::Change;
use crate::ids::{AccountId, ProfileId};
use crate::introduction::IntroductionStatus;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The response target of a page that set none (and of a person).
pub const DEFAULT_TARGET: Duration = Duration::hours(24);
/// The shortest and longest response targets a page may set, in hours.
pub const TARGET_HOURS: std::ops::RangeInclusive<u32> = 1..=720;
/// Longest reason given when dismissing an item.
pub const MAX_REASON_CHARS: usize = 280;
/// How far ahead an item may be snoozed.
pub const MAX_SNOOZE: Duration = Duration::days(365);
/// Weeks the statistics show.
pub const STATS_WEEKS: usize = 12;

/// What awaits an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InboxKind {
    /// A conversation whose last word is the other party's.
    Conversation,
    /// A comment on the profile's post, or a reply to its comment.
    Comment,
    /// A post or comment that names the profile.
    Mention,
    ContactRequest,
    /// An introduction waiting on the member (intermediary or target).
    Introduction,
    /// A request to join a group the profile moderates (groups come later;
    /// nothing opens one yet).
    GroupJoin,
    /// A message through the organization's contact form.
    ContactForm,
    /// A member's report about the profile's content (reports come with
    /// moderation; nothing opens one yet).
    Report,
}

impl InboxKind {
    pub const ALL: [InboxKind; 8] = [
        InboxKind::Conversation,
        InboxKind::Comment,
        InboxKind::Mention,
        InboxKind::ContactRequest,
        InboxKind::Introduction,
        InboxKind::GroupJoin,
        InboxKind::ContactForm,
        InboxKind::Report,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxKind::Conversation => "conversation",
            InboxKind::Comment => "comment",
            InboxKind::Mention => "mention",
            InboxKind::ContactRequest => "contact_request",
            InboxKind::Introduction => "introduction",
            InboxKind::GroupJoin => "group_join",
            InboxKind::ContactForm => "contact_form",
            InboxKind::Report => "report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the answer is written outside the product (an e-mail to
    /// whoever wrote through the contact form), so a team member marks the
    /// item answered himself.
    pub fn answered_elsewhere(self) -> bool {
        matches!(self, InboxKind::ContactForm)
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InboxStatus {
    Open,
    Answered,
    Dismissed,
    /// Out of the way until a date; shown open again from then.
    Snoozed,
}

impl InboxStatus {
    pub const ALL: [InboxStatus; 4] = [
        InboxStatus::Open,
        InboxStatus::Answered,
        InboxStatus::Dismissed,
        InboxStatus::Snoozed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxStatus::Open => "open",
            InboxStatus::Answered => "answered",
            InboxStatus::Dismissed => "dismissed",
            InboxStatus::Snoozed => "snoozed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The medium an item is about: where it is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Conversation(i64),
    /// A comment thread, named by its first comment.
    Thread {
        post: i64,
        root: i64,
    },
    /// A post that mentions the profile.
    Post(i64),
    ContactRequest(i64),
    Introduction(i64),
    ContactForm(i64),
    /// A request to join a closed group, awaiting its moderators.
    GroupJoin {
        group: crate::ids::GroupId,
        member: ProfileId,
    },
}

impl Subject {
    /// The stored key: unique per profile.
    pub fn key(self) -> String {
        match self {
            Subject::Conversation(id) => format!("conversation:{id}"),
            Subject::Thread { root, .. } => format!("thread:{root}"),
            Subject::Post(id) => format!("post:{id}"),
            Subject::ContactRequest(id) => format!("contact_request:{id}"),
            Subject::Introduction(id) => format!("introduction:{id}"),
            Subject::ContactForm(id) => format!("contact_form:{id}"),
            Subject::GroupJoin { group, member } => format!("group_join:{group}.{member}"),
        }
    }

    /// The post the subject belongs to, if any.
    pub fn post(self) -> Option<i64> {
        match self {
            Subject::Thread { post, .. } | Subject::Post(post) => Some(post),
            _ => None,
        }
    }

    /// Reads a stored key back (`post` is the item's stored post).
    pub fn parse(key: &str, post: Option<i64>) -> Option<Self> {
        let (kind, id) = key.split_once(':')?;
        if kind == "group_join" {
            let (group, member) = id.split_once('.')?;
            return Some(Subject::GroupJoin {
                group: crate::ids::GroupId(group.parse().ok()?),
                member: ProfileId(member.parse().ok()?),
            });
        }
        let id: i64 = id.parse().ok()?;
        Some(match kind {
            "conversation" => Subject::Conversation(id),
            "thread" => Subject::Thread {
                post: post?,
                root: id,
            },
            "post" => Subject::Post(id),
            "contact_request" => Subject::ContactRequest(id),
            "introduction" => Subject::Introduction(id),
            "contact_form" => Subject::ContactForm(id),
            _ => return None,
        })
    }
}

/// The words whose text an item shows and whose tone decides whether it
/// is hostile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Word {
    Message(i64),
    Comment(i64),
    Post(i64),
    ContactForm(i64),
}

/// A position in the store's history of items (see
/// [`crate::store::InboxStore::inbox_history`]): time, source, id.
pub type HistoryKey = (OffsetDateTime, i64, i64);

/// A word's text and its writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordText {
    pub text: String,
    /// The member who wrote it (`None`: someone signed out, through the
    /// contact form).
    pub author: Option<ProfileId>,
    /// The name a contact-form sender gave.
    pub name: Option<String>,
    /// The address a contact-form sender gave (the answer goes there).
    pub email: Option<String>,
    /// A comment held for review by the page's keyword filters.
    pub held: bool,
}

/// What a team member (or the member himself) does with an item. Each is
/// recorded as a change event and in the page's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum InboxAct {
    /// Given to a team member of the page, named by his person profile
    /// (`None`: to nobody).
    Assign {
        to: Option<ProfileId>,
    },
    Dismiss {
        reason: String,
    },
    Snooze {
        #[serde(with = "time::serde::rfc3339")]
        until: OffsetDateTime,
    },
    Reopen,
    /// Answered outside the product (an e-mail to a contact-form sender).
    MarkAnswered,
}

impl InboxAct {
    pub fn name(&self) -> &'static str {
        match self {
            InboxAct::Assign { .. } => "assign",
            InboxAct::Dismiss { .. } => "dismiss",
            InboxAct::Snooze { .. } => "snooze",
            InboxAct::Reopen => "reopen",
            InboxAct::MarkAnswered => "mark_answered",
        }
    }
}

/// One thing a change does to the inbox, before the projection reads the
/// words' text (for their tone) and applies it.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A word from `from` awaits an answer from `owner`: opens the item,
    /// reopens it, or (while open) keeps its age and notes the new word.
    Awaits {
        owner: ProfileId,
        kind: InboxKind,
        subject: Subject,
        from: Option<ProfileId>,
        word: Option<Word>,
    },
    /// `owner` answered on the subject's medium.
    Answered { owner: ProfileId, subject: Subject },
    /// The subject is gone for everyone (a request withdrawn, an
    /// introduction expired): its items leave the inbox.
    Gone { subject: Subject },
    /// The post and everything on it are gone.
    PostGone { post: i64 },
    /// A block now stands between the two: the items of each from the
    /// other leave the inbox.
    Blocked { a: ProfileId, b: ProfileId },
    /// A team act on an item.
    Acted {
        item: i64,
        account: AccountId,
        act: InboxAct,
    },
}

/// The inbox effects of a change of membership: a request to join a
/// closed group awaits each of its `moderators` (owners and moderators in
/// good standing); once decided (approved, declined, or the profile
/// invited or banned) it is answered for all of them; withdrawn by its
/// author, it is gone.
pub fn membership_effects(change: &Change, moderators: &[ProfileId]) -> Vec<Effect> {
    let Change::GroupMembershipChanged {
        group,
        member,
        actor,
        before,
        after,
    } = change
    else {
        return Vec::new();
    };
    let pending = |m: &Option<crate::group::Membership>| {
        m.is_some_and(|m| m.standing == crate::group::Standing::Pending)
    };
    let subject = Subject::GroupJoin {
        group: *group,
        member: *member,
    };
    match (pending(before), pending(after)) {
        (false, true) => moderators
            .iter()
            .filter(|m| *m != member)
            .map(|m| Effect::Awaits {
                owner: *m,
                kind: InboxKind::GroupJoin,
                subject,
                from: Some(*member),
                word: None,
            })
            .collect(),
        (true, false) if actor == member => vec![Effect::Gone { subject }],
        (true, false) => moderators
            .iter()
            .chain(std::iter::once(actor))
            .map(|m| Effect::Answered { owner: *m, subject })
            .collect(),
        _ => Vec::new(),
    }
}

/// The inbox effects of a change. `mentioned` are the profiles a published
/// post's or an added comment's text names (the caller resolves them, as
/// for notifications; pass nothing for other changes).
pub fn effects(change: &Change, mentioned: &[ProfileId]) -> Vec<Effect> {
    let mut out = Vec::new();
    match change {
        Change::MessagePosted {
            conversation,
            message,
            author,
            members,
        } => {
            let subject = Subject::Conversation(*conversation);
            out.push(Effect::Answered {
                owner: *author,
                subject,
            });
            for m in members.iter().filter(|m| *m != author) {
                out.push(Effect::Awaits {
                    owner: *m,
                    kind: InboxKind::Conversation,
                    subject,
                    from: Some(*author),
                    word: Some(Word::Message(*message)),
                });
            }
        }
        Change::CommentAdded {
            held: true,
            post,
            post_author,
            comment,
            author,
            ..
        } if post_author != author => {
            // Held for review: only the post's profile hears of it (its
            // team publishes it or not); nobody else is waited on yet.
            out.push(Effect::Awaits {
                owner: *post_author,
                kind: InboxKind::Comment,
                subject: Subject::Thread {
                    post: *post,
                    root: *comment,
                },
                from: Some(*author),
                word: Some(Word::Comment(*comment)),
            });
        }
        Change::CommentAdded { held: true, .. } => {}
        Change::CommentReleased {
            post,
            post_author,
            comment,
            author,
            parent,
        } => {
            // Published: the others it concerns hear of it now, as of a
            // new comment (the post's profile has its item already).
            let as_added = Change::CommentAdded {
                post: *post,
                post_author: *post_author,
                comment: *comment,
                author: *author,
                parent: *parent,
                held: false,
            };
            let mentioned: Vec<ProfileId> = mentioned
                .iter()
                .copied()
                .filter(|m| m != post_author)
                .collect();
            out.extend(effects(&as_added, &mentioned).into_iter().filter(|e| {
                !matches!(e, Effect::Awaits { owner, .. } if owner == post_author)
                    && !matches!(e, Effect::Answered { .. })
            }));
        }
        Change::CommentAdded {
            post,
            post_author,
            comment,
            author,
            parent,
            ..
        } => {
            let root = parent.map_or(*comment, |(p, _)| p);
            let thread = Subject::Thread { post: *post, root };
            // His word in the thread answers it, and a comment of his on a
            // post that named him answers the mention.
            out.push(Effect::Answered {
                owner: *author,
                subject: thread,
            });
            out.push(Effect::Answered {
                owner: *author,
                subject: Subject::Post(*post),
            });
            let word = Some(Word::Comment(*comment));
            let mut told = vec![*author];
            if post_author != author {
                out.push(Effect::Awaits {
                    owner: *post_author,
                    kind: InboxKind::Comment,
                    subject: thread,
                    from: Some(*author),
                    word,
                });
                told.push(*post_author);
            }
            if let Some((_, parent_author)) = parent
                && !told.contains(parent_author)
            {
                out.push(Effect::Awaits {
                    owner: *parent_author,
                    kind: InboxKind::Comment,
                    subject: thread,
                    from: Some(*author),
                    word,
                });
                told.push(*parent_author);
            }
            for m in mentioned {
                if !told.contains(m) {
                    out.push(Effect::Awaits {
                        owner: *m,
                        kind: InboxKind::Mention,
                        subject: thread,
                        from: Some(*author),
                        word,
                    });
                    told.push(*m);
                }
            }
        }
        Change::PostPublished { post, author, .. } => {
            let mut told = vec![*author];
            for m in mentioned {
                if !told.contains(m) {
                    out.push(Effect::Awaits {
                        owner: *m,
                        kind: InboxKind::Mention,
                        subject: Subject::Post(*post),
                        from: Some(*author),
                        word: Some(Word::Post(*post)),
                    });
                    told.push(*m);
                }
            }
        }
        Change::PostDeleted { post, .. } => out.push(Effect::PostGone { post: *post }),
        // A thread whose first comment is deleted, or removed by
        // moderation, awaits nothing any more; a removed post likewise.
        Change::CommentDeleted { post, comment, .. }
        | Change::ContentModerated {
            kind: crate::moderation::TargetKind::Comment,
            id: comment,
            post,
            state: crate::moderation::ContentState::Removed,
            ..
        } => out.push(Effect::Gone {
            subject: Subject::Thread {
                post: *post,
                root: *comment,
            },
        }),
        Change::ContentModerated {
            kind: crate::moderation::TargetKind::Post,
            post,
            state: crate::moderation::ContentState::Removed,
            ..
        } => out.push(Effect::PostGone { post: *post }),
        Change::ContactRequested { request, from, to } => out.push(Effect::Awaits {
            owner: *to,
            kind: InboxKind::ContactRequest,
            subject: Subject::ContactRequest(*request),
            from: Some(*from),
            word: None,
        }),
        Change::ContactRequestDecided {
            request,
            to,
            withdrawn,
            ..
        } => {
            // Accepted or declined by its addressee: answered. Withdrawn by
            // its sender: gone (answering it is no longer possible).
            let subject = Subject::ContactRequest(*request);
            out.push(if *withdrawn {
                Effect::Gone { subject }
            } else {
                Effect::Answered {
                    owner: *to,
                    subject,
                }
            });
        }
        Change::IntroductionRequested {
            introduction,
            requester,
            next,
            ..
        } => out.push(Effect::Awaits {
            owner: *next,
            kind: InboxKind::Introduction,
            subject: Subject::Introduction(*introduction),
            from: Some(*requester),
            word: None,
        }),
        Change::IntroductionAdvanced {
            introduction,
            requester,
            actor,
            status,
            next,
            ..
        } => {
            let subject = Subject::Introduction(*introduction);
            match actor {
                Some(a) => out.push(Effect::Answered { owner: *a, subject }),
                // Expired: nobody can answer it any more.
                None => out.push(Effect::Gone { subject }),
            }
            if *status == IntroductionStatus::Forwarded
                && let Some(n) = next
            {
                out.push(Effect::Awaits {
                    owner: *n,
                    kind: InboxKind::Introduction,
                    subject,
                    from: Some(*requester),
                    word: None,
                });
            }
        }
        Change::ContactFormMessage { page, message } => out.push(Effect::Awaits {
            owner: *page,
            kind: InboxKind::ContactForm,
            subject: Subject::ContactForm(*message),
            // The sender is read with the message (he may be signed out).
            from: None,
            word: Some(Word::ContactForm(*message)),
        }),
        Change::Blocked { blocker, blocked } => out.push(Effect::Blocked {
            a: *blocker,
            b: *blocked,
        }),
        Change::InboxActed {
            item, account, act, ..
        } => out.push(Effect::Acted {
            item: *item,
            account: *account,
            act: act.clone(),
        }),
        _ => {}
    }
    out
}

/// A stored item.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxItem {
    pub id: i64,
    /// The profile that is to answer: a person, page or persona.
    pub owner: ProfileId,
    pub kind: InboxKind,
    pub subject: Subject,
    /// Who spoke last (`None`: someone signed out, through a contact form).
    pub from: Option<ProfileId>,
    /// The last word awaiting an answer.
    pub word: Option<Word>,
    /// As stored: a snoozed item past its date is shown open
    /// ([`Self::status_at`]).
    pub status: InboxStatus,
    pub hostile: bool,
    /// When the current wait began (the cycle's opening).
    pub since: OffsetDateTime,
    /// When the last word came.
    pub last_at: OffsetDateTime,
    /// When it was last answered, dismissed or snoozed.
    pub closed_at: Option<OffsetDateTime>,
    /// The team member it is given to (his person profile).
    pub assignee: Option<ProfileId>,
    pub snoozed_until: Option<OffsetDateTime>,
    /// Why it was dismissed.
    pub reason: Option<String>,
    /// The last change event that touched it (the stream's order).
    pub seq: i64,
}

impl InboxItem {
    /// The status shown at `now`: a snooze that ran out is open again.
    pub fn status_at(&self, now: OffsetDateTime) -> InboxStatus {
        match (self.status, self.snoozed_until) {
            (InboxStatus::Snoozed, Some(until)) if until <= now => InboxStatus::Open,
            (s, _) => s,
        }
    }
}

/// One effect as the projection applies it: the event it comes from, and
/// for a word awaiting an answer, whether its tone is hostile.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxOp {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub effect: Effect,
    pub hostile: bool,
}

/// Where a page of items starts: after this position in the list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct InboxKey {
    /// Open and snoozed items: hostile ones first (`0`), then the others
    /// (`1`); answered and dismissed ones: `0`.
    pub rank: i64,
    /// Open and snoozed: the wait's start (nanoseconds), oldest first.
    /// Answered and dismissed: the closing time, newest first (negated,
    /// as is the id, so that the key still sorts ascending).
    pub at_ns: i64,
    pub id: i64,
}

/// What a list of items asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxQuery {
    pub owners: Vec<ProfileId>,
    /// `Open` includes snoozed items whose date has come.
    pub status: InboxStatus,
    pub kind: Option<InboxKind>,
    /// `Some(None)`: given to nobody.
    pub assignee: Option<Option<ProfileId>>,
    pub hostile_only: bool,
    pub after: Option<InboxKey>,
    pub limit: usize,
    pub now: OffsetDateTime,
}

impl InboxItem {
    /// The item's position in a list of `status` (see [`InboxKey`]).
    pub fn key(&self, status: InboxStatus) -> InboxKey {
        match status {
            InboxStatus::Open | InboxStatus::Snoozed => InboxKey {
                rank: if self.hostile { 0 } else { 1 },
                at_ns: ns(self.since),
                id: self.id,
            },
            InboxStatus::Answered | InboxStatus::Dismissed => InboxKey {
                rank: 0,
                at_ns: -ns(self.closed_at.unwrap_or(self.last_at)),
                id: -self.id,
            },
        }
    }
}

fn ns(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos()).unwrap_or(i64::MAX)
}

/// Open items of some profiles, and how many are hostile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxCounts {
    pub open: u64,
    pub hostile: u64,
}

/// A page's inbox settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxSettings {
    /// The response target items are measured against.
    pub target: Duration,
    /// Who may comment on the page's new posts, unless a post says
    /// otherwise.
    pub replies: crate::post::ReplyControl,
    /// Words and stems (`arnaq*`) that hold a comment on the page's posts
    /// for review instead of publishing it.
    pub keyword_filters: Vec<String>,
}

impl Default for InboxSettings {
    fn default() -> Self {
        Self {
            target: DEFAULT_TARGET,
            replies: crate::post::ReplyControl::Everyone,
            keyword_filters: Vec::new(),
        }
    }
}

/// Whether an item opened at `since` is past its response target at `now`.
pub fn overdue(since: OffsetDateTime, target: Duration, now: OffsetDateTime) -> bool {
    now - since > target
}

/// One answered (or still open) cycle, for the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    pub opened_at: OffsetDateTime,
    pub answered_at: Option<OffsetDateTime>,
    /// Dismissed without an answer: left out of the figures.
    pub dismissed: bool,
}

/// One week of a page's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekStats {
    /// The Monday that starts the week (UTC), `YYYY-MM-DD`.
    pub week: String,
    /// Items opened (or reopened) that week, dismissed ones left out.
    pub opened: u64,
    pub answered: u64,
    /// Answered within the target.
    pub within_target: u64,
    /// Answered within the target among those decided: answered, or open
    /// longer than the target (`None` when none is decided yet).
    pub share_within_target: Option<f64>,
    /// Median time from opening to the first answer, in seconds.
    pub median_first_response_seconds: Option<i64>,
}

/// The Monday 00:00 UTC of the week holding `at`.
pub fn week_start(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(time::UtcOffset::UTC);
    let days = at.weekday().number_days_from_monday() as i64;
    (at - Duration::days(days)).replace_time(time::Time::MIDNIGHT)
}

/// The figures of the [`STATS_WEEKS`] weeks up to the one holding `now`,
/// oldest first, from the cycles opened in them.
///
/// - a cycle counts in the week it opened;
/// - the share within target counts the cycles decided: answered, or
///   still open past the target (a miss); a younger open cycle is not yet
///   decided;
/// - the median is of the answered cycles' first-response times (the
///   lower middle of an even count).
pub fn weekly_stats(cycles: &[Cycle], target: Duration, now: OffsetDateTime) -> Vec<WeekStats> {
    let last = week_start(now);
    let first = last - Duration::weeks(STATS_WEEKS as i64 - 1);
    let mut weeks: Vec<(OffsetDateTime, Vec<&Cycle>)> = (0..STATS_WEEKS)
        .map(|i| (first + Duration::weeks(i as i64), Vec::new()))
        .collect();
    for c in cycles.iter().filter(|c| !c.dismissed) {
        let w = week_start(c.opened_at);
        if w < first || w > last {
            continue;
        }
        let i = ((w - first).whole_weeks()) as usize;
        weeks[i].1.push(c);
    }
    weeks
        .into_iter()
        .map(|(start, cs)| {
            let mut times: Vec<i64> = cs
                .iter()
                .filter_map(|c| c.answered_at.map(|a| (a - c.opened_at).whole_seconds()))
                .collect();
            times.sort_unstable();
            let within = times
                .iter()
                .filter(|t| **t <= target.whole_seconds())
                .count() as u64;
            let misses = cs
                .iter()
                .filter(|c| c.answered_at.is_none() && overdue(c.opened_at, target, now))
                .count() as u64;
            let decided = times.len() as u64 + misses;
            WeekStats {
                week: format!(
                    "{:04}-{:02}-{:02}",
                    start.year(),
                    start.month() as u8,
                    start.day()
                ),
                opened: cs.len() as u64,
                answered: times.len() as u64,
                within_target: within,
                share_within_target: (decided > 0).then(|| within as f64 / decided as f64),
                median_first_response_seconds: (!times.is_empty())
                    .then(|| times[(times.len() - 1) / 2]),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_thread_deleted_or_removed_awaits_nothing_and_a_hidden_one_stays() {
        use crate::moderation::{ContentState, TargetKind};
        let gone = |c: Change| -> Vec<String> {
            effects(&c, &[])
                .into_iter()
                .map(|e| match e {
                    Effect::Gone { subject } => subject.key(),
                    Effect::PostGone { post } => format!("post gone:{post}"),
                    other => format!("{other:?}"),
                })
                .collect()
        };
        let moderated = |kind, state| Change::ContentModerated {
            kind,
            id: 7,
            post: 3,
            author: p(2),
            state,
        };
        assert_eq!(
            gone(Change::CommentDeleted {
                post: 3,
                comment: 7,
                author: p(2)
            }),
            ["thread:7"]
        );
        assert_eq!(
            gone(moderated(TargetKind::Comment, ContentState::Removed)),
            ["thread:7"]
        );
        assert_eq!(
            gone(moderated(TargetKind::Post, ContentState::Removed)),
            ["post gone:3"]
        );
        assert!(gone(moderated(TargetKind::Comment, ContentState::Hidden)).is_empty());
        assert!(gone(moderated(TargetKind::Comment, ContentState::Visible)).is_empty());
    }

    fn p(id: i64) -> ProfileId {
        ProfileId(id)
    }

    fn awaits(effects: &[Effect]) -> Vec<(i64, InboxKind, Subject)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Awaits {
                    owner,
                    kind,
                    subject,
                    ..
                } => Some((owner.0, *kind, *subject)),
                _ => None,
            })
            .collect()
    }

    fn answered(effects: &[Effect]) -> Vec<(i64, Subject)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Answered { owner, subject } => Some((owner.0, *subject)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_message_awaits_every_other_member_and_answers_its_author() {
        let e = effects(
            &Change::MessagePosted {
                conversation: 4,
                message: 40,
                author: p(1),
                members: vec![p(1), p(2), p(3)],
            },
            &[],
        );
        let c = Subject::Conversation(4);
        assert_eq!(
            awaits(&e),
            vec![
                (2, InboxKind::Conversation, c),
                (3, InboxKind::Conversation, c)
            ]
        );
        assert_eq!(answered(&e), vec![(1, c)]);
    }

    #[test]
    fn comments_give_one_item_per_member_and_answer_the_thread() {
        // 9 comments on 1's post, replying to 2's comment 10, naming 1, 2, 3.
        let e = effects(
            &Change::CommentAdded {
                post: 7,
                post_author: p(1),
                comment: 11,
                author: p(9),
                parent: Some((10, p(2))),
                held: false,
            },
            &[p(1), p(2), p(3), p(9)],
        );
        let t = Subject::Thread { post: 7, root: 10 };
        assert_eq!(
            awaits(&e),
            vec![
                (1, InboxKind::Comment, t),
                (2, InboxKind::Comment, t),
                (3, InboxKind::Mention, t)
            ]
        );
        assert_eq!(answered(&e), vec![(9, t), (9, Subject::Post(7))]);
        // The author answering on his own post opens nothing.
        let own = effects(
            &Change::CommentAdded {
                post: 7,
                post_author: p(1),
                comment: 12,
                author: p(1),
                parent: Some((10, p(2))),
                held: false,
            },
            &[],
        );
        assert_eq!(awaits(&own), vec![(2, InboxKind::Comment, t)]);
        assert_eq!(answered(&own)[0], (1, t));
        // A first comment is its own thread.
        let top = effects(
            &Change::CommentAdded {
                post: 7,
                post_author: p(1),
                comment: 13,
                author: p(5),
                parent: None,
                held: false,
            },
            &[],
        );
        assert_eq!(
            awaits(&top),
            vec![(1, InboxKind::Comment, Subject::Thread { post: 7, root: 13 })]
        );
    }

    #[test]
    fn a_post_naming_members_awaits_them_but_not_its_author() {
        let e = effects(
            &Change::PostPublished {
                post: 3,
                author: p(1),
                audience: crate::privacy::Audience::Public,
                group: None,
                published_at: datetime!(2026-12-07 10:00 UTC),
                reshare_of: None,
            },
            &[p(1), p(4)],
        );
        assert_eq!(awaits(&e), vec![(4, InboxKind::Mention, Subject::Post(3))]);
    }

    #[test]
    fn requests_and_introductions_wait_on_whoever_holds_them() {
        let e = effects(
            &Change::ContactRequested {
                request: 5,
                from: p(1),
                to: p(2),
            },
            &[],
        );
        assert_eq!(
            awaits(&e),
            vec![(2, InboxKind::ContactRequest, Subject::ContactRequest(5))]
        );
        let decided = effects(
            &Change::ContactRequestDecided {
                request: 5,
                from: p(1),
                to: p(2),
                accepted: true,
                withdrawn: false,
            },
            &[],
        );
        assert_eq!(answered(&decided), vec![(2, Subject::ContactRequest(5))]);
        let forwarded = effects(
            &Change::IntroductionAdvanced {
                introduction: 8,
                requester: p(1),
                target: p(4),
                actor: Some(p(2)),
                status: IntroductionStatus::Forwarded,
                next: Some(p(3)),
            },
            &[],
        );
        let i = Subject::Introduction(8);
        assert_eq!(answered(&forwarded), vec![(2, i)]);
        assert_eq!(awaits(&forwarded), vec![(3, InboxKind::Introduction, i)]);
        let expired = effects(
            &Change::IntroductionAdvanced {
                introduction: 8,
                requester: p(1),
                target: p(4),
                actor: None,
                status: IntroductionStatus::Expired,
                next: None,
            },
            &[],
        );
        assert_eq!(expired, vec![Effect::Gone { subject: i }]);
    }

    #[test]
    fn subjects_read_back_from_their_keys() {
        for s in [
            Subject::Conversation(1),
            Subject::Thread { post: 2, root: 3 },
            Subject::Post(4),
            Subject::ContactRequest(5),
            Subject::Introduction(6),
            Subject::ContactForm(7),
        ] {
            assert_eq!(Subject::parse(&s.key(), s.post()), Some(s));
        }
        assert_eq!(Subject::parse("thread:3", None), None);
        assert_eq!(Subject::parse("nothing:3", None), None);
    }

    #[test]
    fn weekly_figures_on_a_manual_clock() {
        let now = datetime!(2026-12-09 12:00 UTC); // a Wednesday
        let target = Duration::hours(24);
        let monday = datetime!(2026-12-07 00:00 UTC);
        let c = |opened: OffsetDateTime, hours: Option<i64>, dismissed| Cycle {
            opened_at: opened,
            answered_at: hours.map(|h| opened + Duration::hours(h)),
            dismissed,
        };
        let cycles = [
            c(monday + Duration::hours(1), Some(2), false),
            c(monday + Duration::hours(2), Some(30), false),
            c(monday + Duration::hours(3), Some(4), false),
            // Open for 33 h: a miss.
            c(monday + Duration::hours(3), None, false),
            // Open for 2 h: not decided yet.
            c(now - Duration::hours(2), None, false),
            c(monday + Duration::hours(5), None, true),
            // The week before.
            c(monday - Duration::days(3), Some(1), false),
        ];
        let weeks = weekly_stats(&cycles, target, now);
        assert_eq!(weeks.len(), STATS_WEEKS);
        let this = weeks.last().unwrap();
        assert_eq!(this.week, "2026-12-07");
        assert_eq!((this.opened, this.answered, this.within_target), (5, 3, 2));
        assert_eq!(this.share_within_target, Some(0.5));
        assert_eq!(this.median_first_response_seconds, Some(4 * 3600));
        let before = &weeks[STATS_WEEKS - 2];
        assert_eq!(before.week, "2026-11-30");
        assert_eq!(before.share_within_target, Some(1.0));
        assert_eq!(weeks[0].opened, 0);
        assert_eq!(weeks[0].share_within_target, None);
        assert_eq!(week_start(datetime!(2026-12-13 23:59 UTC)), monday);
    }
}
