//! The one domain error type, with a stable snake_case code per kind.

use std::fmt;

/// A problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    /// Stable machine-readable reason (`too_short`, `invalid`, `taken`…).
    pub reason: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason,
            message: message.into(),
        }
    }
}

/// Why an action is refused although the thing exists and may be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// The target only accepts contact through an introduction.
    IntroductionRequired,
    /// The target's message setting excludes the sender.
    MessagesClosed,
    /// The viewer lacks the role needed on a page.
    InsufficientRole,
    /// The last owner of a page cannot leave or be demoted.
    LastOwner,
    /// The form or request came from another site.
    CrossSite,
    /// Someone else must act on this introduction now.
    NotYourTurn,
    /// Blocked, or otherwise not allowed to reach this member this way.
    NotAllowed,
    /// Two of the members named for a conversation have a block between
    /// them; which two is not said.
    BlockedParticipants,
    /// The post's reply control leaves the viewer out.
    CommentsClosed,
    BannedFromGroup,
    GroupMembersOnly,
    /// The account waits for an administrator's approval (or was declined).
    AccountNotApproved,
    /// Instance moderators (or administrators) only.
    ModeratorsOnly,
    /// Instance administrators only.
    AdminsOnly,
    /// An administrator does not revoke his own administration.
    OwnAdministration,
}

impl Forbidden {
    pub fn code(self) -> &'static str {
        match self {
            Self::IntroductionRequired => "introduction_required",
            Self::MessagesClosed => "messages_closed",
            Self::InsufficientRole => "insufficient_role",
            Self::LastOwner => "last_owner",
            Self::CrossSite => "cross_site_request",
            Self::NotYourTurn => "not_your_turn",
            Self::NotAllowed => "not_allowed",
            Self::BlockedParticipants => "blocked_participants",
            Self::CommentsClosed => "comments_closed",
            Self::BannedFromGroup => "banned_from_group",
            Self::GroupMembersOnly => "group_members_only",
            Self::AccountNotApproved => "account_not_approved",
            Self::ModeratorsOnly => "moderators_only",
            Self::AdminsOnly => "admins_only",
            Self::OwnAdministration => "own_administration",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::IntroductionRequired => {
                "This member accepts new contacts only through an introduction."
            }
            Self::MessagesClosed => "This member does not accept messages from you.",
            Self::InsufficientRole => "Your role on this page does not allow this action.",
            Self::LastOwner => "A page or group must keep at least one owner.",
            Self::CrossSite => "The request did not come from this site.",
            Self::NotYourTurn => "Someone else must act on this introduction now.",
            Self::NotAllowed => "This is not possible with this member.",
            Self::BlockedParticipants => {
                "Some of these members cannot be in one conversation together."
            }
            Self::CommentsClosed => "The author does not take comments from you on this post.",
            Self::BannedFromGroup => "The moderators of this group have banned you from it.",
            Self::GroupMembersOnly => "Only the members of this group may do this.",
            Self::AccountNotApproved => {
                "Your sign-up waits for an administrator's approval, or was declined."
            }
            Self::ModeratorsOnly => "Only the instance's moderators may do this.",
            Self::AdminsOnly => "Only the instance's administrators may do this.",
            Self::OwnAdministration => {
                "You cannot revoke your own administration: another administrator may."
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Missing, or hidden from this viewer: both answer alike.
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden: {}", .0.code())]
    Forbidden(Forbidden),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A unique value is already taken (`field` names it).
    #[error("conflict on {field}")]
    Conflict { field: &'static str },
    #[error("rate limited, retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The server is too busy to do this now (too many passwords being
    /// hashed at once); worth trying again soon.
    #[error("busy, retry after {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// Wrong e-mail or password: one answer for both.
    #[error("invalid credentials")]
    BadCredentials,
    /// The right credentials of a member suspended from the instance: he
    /// is told until when and why (and how to appeal).
    #[error("suspended until {until}")]
    Suspended {
        until: time::OffsetDateTime,
        reason: String,
    },
    /// The disk holding the data is full: nothing was saved. The cause
    /// (which file, which operation) is logged, never shown.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// Something broke below the domain; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `Retry-After` of a write refused on a full disk: an operator has to act.
pub const STORAGE_FULL_RETRY_SECS: u64 = 60;

impl Error {
    pub fn invalid(
        field: impl Into<String>,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid(vec![FieldError::new(field, reason, message)])
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// Seconds after which trying again makes sense, for a `Retry-After`.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_secs } | Self::Busy { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            Self::StorageFull(_) => Some(STORAGE_FULL_RETRY_SECS),
            _ => None,
        }
    }

    /// Stable code used by the API (`{"error": code}`) and by the pages.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden(f) => f.code(),
            Self::Invalid(_) => "invalid_input",
            Self::Conflict { .. } => "conflict",
            Self::RateLimited { .. } => "rate_limited",
            Self::Busy { .. } => "busy",
            Self::BadCredentials => "invalid_credentials",
            Self::Suspended { .. } => "suspended",
            Self::StorageFull(_) => "storage_full",
            Self::Internal(_) => "internal",
        }
    }

    /// Human text safe to show to anyone (never the internal cause).
    pub fn public_message(&self) -> String {
        match self {
            Self::NotFound => "Nothing here, or nothing you may see.".into(),
            Self::Unauthenticated => "Sign in first.".into(),
            Self::Forbidden(f) => f.message().into(),
            Self::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            Self::Conflict { field } => format!("This {field} is already taken."),
            Self::RateLimited { retry_after_secs } => {
                format!("Too many attempts; try again in {retry_after_secs} seconds.")
            }
            Self::Busy { retry_after_secs } => {
                format!("The server is busy; try again in {retry_after_secs} seconds.")
            }
            Self::BadCredentials => "Wrong e-mail address or password.".into(),
            Self::Suspended { until, reason } => {
                let until = if *until >= crate::moderation::Sanction::FOREVER {
                    "further notice".to_owned()
                } else {
                    until.date().to_string()
                };
                format!(
                    "Your account is suspended until {until}. Reason: {reason}. \
                     To appeal, write to the instance's moderators."
                )
            }
            Self::StorageFull(_) => {
                "The server has run out of storage space, so nothing was saved; try again later."
                    .into()
            }
            Self::Internal(_) => "Something went wrong on our side.".into(),
        }
    }
}
