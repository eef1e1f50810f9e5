//! Who may see what, and who may do what: the one place that decides.
//!
//! Every read path (profile page, API object, list, search hit, path
//! suggestion) first asks [`relation_of`] for the viewer's relation to a
//! member, then filters through [`Audience::admits`] / [`ProfileView::build`].
//! Handlers never decide. PRIVACY.md is the specification.

mod lens;

pub use lens::{GroupSight, Lens};

use crate::ids::ProfileId;
use crate::page::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The relation of a viewer V to a member M, closest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Relation {
    /// V is M, or V operates M (page or persona role).
    #[serde(rename = "self")]
    Itself,
    /// V and M are contacts (1st degree).
    Contact,
    /// M is at 2nd degree of V.
    Network,
    /// V is signed in, any other case.
    Member,
    /// V is not signed in.
    Anonymous,
}

impl Relation {
    pub const ALL: [Relation; 5] = [
        Relation::Itself,
        Relation::Contact,
        Relation::Network,
        Relation::Member,
        Relation::Anonymous,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Itself => "self",
            Self::Contact => "contact",
            Self::Network => "network",
            Self::Member => "member",
            Self::Anonymous => "anonymous",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What the contact graph says of two members (the graph knows no privacy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphRelation {
    Contact,
    SecondDegree,
    Farther,
}

/// Who a field, a post or a list is shown to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Audience {
    Public,
    Members,
    Network,
    Contacts,
    OnlyMe,
}

impl Audience {
    pub const ALL: [Audience; 5] = [
        Audience::Public,
        Audience::Members,
        Audience::Network,
        Audience::Contacts,
        Audience::OnlyMe,
    ];

    /// The rule of PRIVACY.md's audience table.
    pub fn admits(self, relation: Relation) -> bool {
        use Relation::*;
        match self {
            Audience::Public => true,
            Audience::Members => relation != Anonymous,
            Audience::Network => matches!(relation, Itself | Contact | Network),
            Audience::Contacts => matches!(relation, Itself | Contact),
            Audience::OnlyMe => relation == Itself,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Members => "members",
            Self::Network => "network",
            Self::Contacts => "contacts",
            Self::OnlyMe => "only_me",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// The fields of a profile, each with its own audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Field {
    Name,
    Headline,
    About,
    Location,
    Organization,
    Positions,
    Skills,
    Languages,
    Website,
    Phone,
    Email,
    Avatar,
    Cover,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::Name,
        Field::Headline,
        Field::About,
        Field::Location,
        Field::Organization,
        Field::Positions,
        Field::Skills,
        Field::Languages,
        Field::Website,
        Field::Phone,
        Field::Email,
        Field::Avatar,
        Field::Cover,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Headline => "headline",
            Self::About => "about",
            Self::Location => "location",
            Self::Organization => "organization",
            Self::Positions => "positions",
            Self::Skills => "skills",
            Self::Languages => "languages",
            Self::Website => "website",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Avatar => "avatar",
            Self::Cover => "cover",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// PRIVACY.md's defaults for a new person.
    pub fn default_person_audience(self) -> Audience {
        match self {
            Field::Name | Field::Headline | Field::Avatar | Field::Cover => Audience::Public,
            Field::Location
            | Field::Organization
            | Field::Positions
            | Field::Skills
            | Field::Languages
            | Field::About => Audience::Members,
            Field::Website => Audience::Network,
            Field::Phone | Field::Email => Audience::Contacts,
        }
    }
}

/// The audience of each field; a field not listed has its default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Audiences {
    /// Pages' content is public unless said otherwise; persons follow PRIVACY.md.
    #[serde(default)]
    pub page_defaults: bool,
    #[serde(default)]
    pub overrides: BTreeMap<Field, Audience>,
}

impl Audiences {
    pub fn for_person() -> Self {
        Self::default()
    }

    pub fn for_page() -> Self {
        Self {
            page_defaults: true,
            overrides: BTreeMap::new(),
        }
    }

    pub fn get(&self, field: Field) -> Audience {
        self.overrides
            .get(&field)
            .copied()
            .unwrap_or(if self.page_defaults {
                Audience::Public
            } else {
                field.default_person_audience()
            })
    }

    pub fn set(&mut self, field: Field, audience: Audience) {
        self.overrides.insert(field, audience);
    }

    /// Every field with its effective audience, for the owner's view.
    pub fn effective(&self) -> BTreeMap<Field, Audience> {
        Field::ALL.into_iter().map(|f| (f, self.get(f))).collect()
    }
}

/// Who may send me a contact request directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContactRequestPolicy {
    Everyone,
    Network,
    /// Introductions only (or e-mail proof, or an invitation code).
    #[default]
    Nobody,
}

/// Who may send me a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MessagePolicy {
    #[default]
    Contacts,
    ContactsAndGroups,
    Nobody,
}

/// How my visits to profiles are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VisitVisibility {
    #[default]
    Name,
    Organization,
    Nothing,
}

/// Who sees my contact list (`public` is not offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContactListAudience {
    Members,
    Network,
    #[default]
    Contacts,
    OnlyMe,
}

impl ContactListAudience {
    pub fn audience(self) -> Audience {
        match self {
            Self::Members => Audience::Members,
            Self::Network => Audience::Network,
            Self::Contacts => Audience::Contacts,
            Self::OnlyMe => Audience::OnlyMe,
        }
    }
}

/// PRIVACY.md "Reaching someone": each member's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReachSettings {
    pub contact_requests: ContactRequestPolicy,
    pub messages: MessagePolicy,
    pub relay_introductions: bool,
    pub contact_list: ContactListAudience,
    pub visits: VisitVisibility,
}

impl Default for ReachSettings {
    fn default() -> Self {
        Self {
            contact_requests: ContactRequestPolicy::default(),
            messages: MessagePolicy::default(),
            relay_introductions: true,
            contact_list: ContactListAudience::default(),
            visits: VisitVisibility::default(),
        }
    }
}

/// What the store knows of a viewer that matters to privacy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewerIdentity {
    /// The viewer's own person profile.
    pub person: ProfileId,
    /// Pages and personas the viewer operates, with his role.
    pub operated: Vec<(ProfileId, Role)>,
    /// Instance moderators see reported content through blocks (PRIVACY.md),
    /// and nothing else: the [`Lens`] hides blocked members from them too.
    pub moderator: bool,
}

impl ViewerIdentity {
    pub fn operates(&self, profile: ProfileId) -> Option<Role> {
        self.operated
            .iter()
            .find(|(p, _)| *p == profile)
            .map(|(_, r)| *r)
    }
}

/// The viewer's relation to `target`, or `None` when a block hides the
/// target from him (then the target answers exactly like a missing one).
///
/// `graph` is consulted only for other signed-in members, so adding the
/// contact graph changed no caller.
pub fn relation_of(
    viewer: Option<&ViewerIdentity>,
    target: ProfileId,
    blocked_either_way: bool,
    graph: impl FnOnce() -> GraphRelation,
) -> Option<Relation> {
    // Hidden from an anonymous visitor too: a suspended member is (a
    // block never concerns him).
    let Some(v) = viewer else {
        return (!blocked_either_way).then_some(Relation::Anonymous);
    };
    if v.person == target || v.operates(target).is_some() {
        return Some(Relation::Itself);
    }
    // Instance moderators see through blocks for reported content only,
    // which the moderation tools decide; nowhere else.
    if blocked_either_way {
        return None;
    }
    Some(match graph() {
        GraphRelation::Contact => Relation::Contact,
        GraphRelation::SecondDegree => Relation::Network,
        GraphRelation::Farther => Relation::Member,
    })
}

/// What a viewer may do toward a member or a page, decided once where he
/// is shown (a profile, a card of people you may know, a search result),
/// so that no page offers what the server would refuse: PRIVACY.md
/// "Reaching someone".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actions {
    /// Send a contact request without proof: his setting admits the viewer.
    /// (A request quoting his e-mail address or an invitation code goes
    /// through whatever the setting; that door is always offered to
    /// members who are not yet contacts.)
    pub contact_request: bool,
    /// Ask to be introduced: he is at 2nd or 3rd degree.
    pub introduction: bool,
    /// Write to him: his message setting admits the viewer.
    pub message: bool,
    /// Follow him: a page the viewer does not run.
    pub follow: bool,
}

/// The rule behind [`Actions`]: `relation` is the viewer's, `None` when a
/// block hides the member; `degree` is asked of the graph only for a
/// farther member (1, 2 or 3, `None` beyond); `fellow`, whether both are
/// members of some group, only when his message setting asks it.
pub fn actions(
    relation: Option<Relation>,
    is_person: bool,
    settings: &ReachSettings,
    degree: impl FnOnce() -> Option<u32>,
    fellow: impl FnOnce() -> bool,
) -> Actions {
    let Some(relation) = relation else {
        return Actions::default();
    };
    if matches!(relation, Relation::Itself | Relation::Anonymous) {
        return Actions::default();
    }
    if !is_person {
        return Actions {
            follow: true,
            ..Actions::default()
        };
    }
    let stranger = relation != Relation::Contact;
    Actions {
        contact_request: stranger
            && match settings.contact_requests {
                ContactRequestPolicy::Everyone => true,
                ContactRequestPolicy::Network => relation == Relation::Network,
                ContactRequestPolicy::Nobody => false,
            },
        introduction: match relation {
            Relation::Network => true,
            Relation::Member => degree() == Some(3),
            _ => false,
        },
        message: match settings.messages {
            MessagePolicy::Contacts => relation == Relation::Contact,
            MessagePolicy::ContactsAndGroups => relation == Relation::Contact || fellow(),
            MessagePolicy::Nobody => false,
        },
        follow: false,
    }
}

/// "View my profile as": only the member himself may ask, and only for a
/// farther relation; anyone else keeps his real relation.
pub fn view_as(actual: Relation, requested: Option<Relation>) -> Relation {
    match (actual, requested) {
        (Relation::Itself, Some(r)) => r,
        _ => actual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Audience as A;
    use Relation as R;

    #[test]
    fn audience_matrix() {
        // Rows: audience; columns: self, contact, network, member, anonymous.
        let table: [(Audience, [bool; 5]); 5] = [
            (A::Public, [true, true, true, true, true]),
            (A::Members, [true, true, true, true, false]),
            (A::Network, [true, true, true, false, false]),
            (A::Contacts, [true, true, false, false, false]),
            (A::OnlyMe, [true, false, false, false, false]),
        ];
        for (audience, row) in table {
            for (relation, want) in R::ALL.into_iter().zip(row) {
                assert_eq!(
                    audience.admits(relation),
                    want,
                    "{audience:?} for {relation:?}"
                );
            }
        }
    }

    #[test]
    fn person_defaults_follow_privacy_md() {
        let a = Audiences::for_person();
        let want = [
            (Field::Name, A::Public),
            (Field::Headline, A::Public),
            (Field::Avatar, A::Public),
            (Field::Location, A::Members),
            (Field::Organization, A::Members),
            (Field::Positions, A::Members),
            (Field::Skills, A::Members),
            (Field::About, A::Members),
            (Field::Website, A::Network),
            (Field::Phone, A::Contacts),
            (Field::Email, A::Contacts),
        ];
        for (field, audience) in want {
            assert_eq!(a.get(field), audience, "{field:?}");
        }
        let s = ReachSettings::default();
        assert_eq!(s.contact_requests, ContactRequestPolicy::Nobody);
        assert_eq!(s.messages, MessagePolicy::Contacts);
        assert!(s.relay_introductions);
        assert_eq!(s.contact_list, ContactListAudience::Contacts);
        assert_eq!(s.visits, VisitVisibility::Name);
    }

    #[test]
    fn page_content_is_public_by_default() {
        let a = Audiences::for_page();
        for f in Field::ALL {
            assert_eq!(a.get(f), A::Public);
        }
    }

    #[test]
    fn relation_table() {
        let me = ProfileId(1);
        let page = ProfileId(9);
        let other = ProfileId(2);
        let viewer = ViewerIdentity {
            person: me,
            operated: vec![(page, Role::Analyst)],
            moderator: false,
        };
        let moderator = ViewerIdentity {
            moderator: true,
            ..viewer.clone()
        };
        let g = |r| move || r;
        let cases = [
            (
                None,
                other,
                false,
                GraphRelation::Contact,
                Some(R::Anonymous),
            ),
            (
                Some(&viewer),
                me,
                false,
                GraphRelation::Farther,
                Some(R::Itself),
            ),
            (
                Some(&viewer),
                page,
                false,
                GraphRelation::Farther,
                Some(R::Itself),
            ),
            (
                Some(&viewer),
                other,
                false,
                GraphRelation::Contact,
                Some(R::Contact),
            ),
            (
                Some(&viewer),
                other,
                false,
                GraphRelation::SecondDegree,
                Some(R::Network),
            ),
            (
                Some(&viewer),
                other,
                false,
                GraphRelation::Farther,
                Some(R::Member),
            ),
            (Some(&viewer), other, true, GraphRelation::Contact, None),
            (Some(&moderator), other, true, GraphRelation::Farther, None),
        ];
        for (v, target, blocked, graph, want) in cases {
            assert_eq!(
                relation_of(v, target, blocked, g(graph)),
                want,
                "{target:?} {graph:?}"
            );
        }
    }

    #[test]
    fn actions_follow_settings_and_relation() {
        use ContactRequestPolicy as C;
        let settings = |requests, messages| ReachSettings {
            contact_requests: requests,
            messages,
            ..ReachSettings::default()
        };
        let m = MessagePolicy::Contacts;
        // (relation, request setting, message setting, degree, want:
        // contact_request, introduction, message)
        let table = [
            (Some(R::Network), C::Nobody, m, None, [false, true, false]),
            (Some(R::Network), C::Network, m, None, [true, true, false]),
            (
                Some(R::Member),
                C::Network,
                m,
                Some(3),
                [false, true, false],
            ),
            (Some(R::Member), C::Everyone, m, None, [true, false, false]),
            (Some(R::Contact), C::Everyone, m, None, [false, false, true]),
            (
                Some(R::Contact),
                C::Nobody,
                MessagePolicy::Nobody,
                None,
                [false, false, false],
            ),
            (Some(R::Itself), C::Everyone, m, None, [false, false, false]),
            (
                Some(R::Anonymous),
                C::Everyone,
                m,
                None,
                [false, false, false],
            ),
            (None, C::Everyone, m, Some(2), [false, false, false]),
        ];
        for (relation, requests, messages, degree, want) in table {
            let a = actions(
                relation,
                true,
                &settings(requests, messages),
                || degree,
                || false,
            );
            assert_eq!(
                [a.contact_request, a.introduction, a.message],
                want,
                "{relation:?} {requests:?} {messages:?}"
            );
            assert!(!a.follow);
        }
        // "Contacts and fellow group members" opens to a fellow member, and
        // to nobody else farther than a contact.
        let groups = settings(C::Nobody, MessagePolicy::ContactsAndGroups);
        assert!(actions(Some(R::Member), true, &groups, || None, || true).message);
        assert!(actions(Some(R::Contact), true, &groups, || None, || false).message);
        assert!(!actions(Some(R::Network), true, &groups, || None, || false).message);
        assert!(!actions(None, true, &groups, || None, || true).message);
        let contacts_only = settings(C::Nobody, MessagePolicy::Contacts);
        assert!(!actions(Some(R::Member), true, &contacts_only, || None, || true).message);
        let page = actions(
            Some(R::Member),
            false,
            &ReachSettings::default(),
            || None,
            || true,
        );
        assert_eq!(
            page,
            Actions {
                follow: true,
                ..Actions::default()
            }
        );
    }

    #[test]
    fn only_self_may_view_as() {
        assert_eq!(view_as(R::Itself, Some(R::Anonymous)), R::Anonymous);
        assert_eq!(view_as(R::Itself, None), R::Itself);
        assert_eq!(view_as(R::Member, Some(R::Contact)), R::Member);
        assert_eq!(view_as(R::Anonymous, Some(R::Itself)), R::Anonymous);
    }
}
