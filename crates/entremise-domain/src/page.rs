//! Pages (organizations, brands) and personas: roles, offices, services,
//! the contact form and the audit trail.

use crate::ids::{AccountId, ContactMessageId, OfficeId, ProfileId, ServiceId};
use crate::profile::ProfileRef;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A role an account holds on a page or persona, most powerful first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Owner,
    Admin,
    Editor,
    Analyst,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Editor, Role::Analyst];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Analyst => "analyst",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Edit the page's profile, offices and services; confirm executives;
    /// grant roles below owner; read the audit trail and the managers.
    pub fn administers(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Post, answer and moderate as the page; read contact-form messages.
    pub fn edits(self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::Editor)
    }

    /// May `self` give `target` to someone whose current role is `current`?
    /// Owners do anything; admins manage every role but owner.
    pub fn may_assign(self, current: Option<Role>, target: Option<Role>) -> bool {
        match self {
            Self::Owner => true,
            Self::Admin => current != Some(Self::Owner) && target != Some(Self::Owner),
            Self::Editor | Self::Analyst => false,
        }
    }
}

/// An account's role on a page, as listed to the page's admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Manager {
    pub account: AccountId,
    /// The manager's person profile.
    pub member: ProfileRef,
    pub role: Role,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Office {
    pub id: OfficeId,
    pub name: String,
    pub address: String,
    pub town: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A message left through an organization's contact form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactMessage {
    pub id: ContactMessageId,
    pub page: ProfileId,
    /// The member who wrote, when signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<ProfileRef>,
    pub name: String,
    pub email: String,
    pub message: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// One line of a page's audit trail: which account did what as the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Its place in the trail (for paging; not shown).
    #[serde(skip)]
    pub id: i64,
    pub page: ProfileId,
    pub actor: ProfileRef,
    pub action: String,
    pub detail: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_assignment_table() {
        use Role::*;
        let all = [None, Some(Owner), Some(Admin), Some(Editor), Some(Analyst)];
        for current in all {
            for target in all {
                assert!(Owner.may_assign(current, target));
                let admin_ok = current != Some(Owner) && target != Some(Owner);
                assert_eq!(
                    Admin.may_assign(current, target),
                    admin_ok,
                    "{current:?}->{target:?}"
                );
                assert!(!Editor.may_assign(current, target));
                assert!(!Analyst.may_assign(current, target));
            }
        }
        assert!(Owner.administers() && Admin.administers());
        assert!(!Editor.administers() && Editor.edits() && !Analyst.edits());
    }
}
