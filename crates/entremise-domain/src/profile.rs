//! Profiles: persons, organizations, brands and personas, and the view of
//! one as a given viewer may see it.

use crate::error::{Error, FieldError};
use crate::ids::{AccountId, PositionId, ProfileId};
use crate::privacy::{Audience, Audiences, Field, ReachSettings, Relation};
use crate::validate::{self, Collector, Handle};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProfileKind {
    Person,
    Organization,
    Brand,
    Persona,
}

impl ProfileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Organization => "organization",
            Self::Brand => "brand",
            Self::Persona => "persona",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Person, Self::Organization, Self::Brand, Self::Persona]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// Pages are run by accounts with roles (everything but a person).
    pub fn is_page(self) -> bool {
        self != Self::Person
    }
}

/// The editable content of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProfileFields {
    pub name: String,
    pub headline: Option<String>,
    pub about: Option<String>,
    pub location: Option<String>,
    pub organization: Option<String>,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    pub website: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Image references; uploads arrive with the media capability.
    pub avatar: Option<String>,
    pub cover: Option<String>,
}

/// A stored profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: ProfileId,
    pub handle: Handle,
    pub kind: ProfileKind,
    /// The organization a brand belongs to, or a persona is run for.
    pub parent: Option<ProfileId>,
    /// The account of a person.
    pub account: Option<AccountId>,
    pub fields: ProfileFields,
    pub audiences: Audiences,
    pub settings: ReachSettings,
    pub created_at: OffsetDateTime,
}

/// A position held by a person at an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Position {
    pub id: PositionId,
    pub person: ProfileId,
    pub title: String,
    /// The organization's page when it has one on this instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<ProfileId>,
    /// Shown name of the organization (the page's name when linked).
    pub organization_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_handle: Option<Handle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_year: Option<i32>,
    /// Confirmed by the organization's admins: the executive badge.
    pub confirmed: bool,
}

/// A short reference to another profile, as shown in lists and labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileRef {
    pub handle: Handle,
    pub name: String,
    pub kind: ProfileKind,
    /// For a persona, the organization it is run for: PRIVACY.md labels a
    /// persona as persona of its organization everywhere, for every viewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persona_of: Option<PersonaOf>,
}

/// The organization a persona is run for, as its label names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonaOf {
    pub handle: Handle,
    pub name: String,
}

/// A profile as one viewer may see it: a field he may not see is `None`
/// (absent from the API object, not null).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileView {
    pub id: ProfileId,
    pub handle: Handle,
    pub kind: ProfileKind,
    /// The relation the view was built for.
    #[serde(skip)]
    pub relation: Relation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positions: Option<Vec<Position>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    /// Every persona is labelled with its organization, for every viewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persona_of: Option<ProfileRef>,
    /// The organization a brand belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand_of: Option<ProfileRef>,
    /// Only in the member's own view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audiences: Option<BTreeMap<Field, Audience>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<ReachSettings>,
}

impl ProfileView {
    /// Builds the view of `profile` for `relation`. The only place that
    /// copies profile fields out for a reader.
    pub fn build(
        profile: &Profile,
        positions: &[Position],
        parent: Option<ProfileRef>,
        relation: Relation,
    ) -> Self {
        let a = &profile.audiences;
        let f = &profile.fields;
        let see = |field: Field| a.get(field).admits(relation);
        let opt = |field: Field, v: &Option<String>| if see(field) { v.clone() } else { None };
        let list = |field: Field, v: &Vec<String>| (see(field) && !v.is_empty()).then(|| v.clone());
        let is_self = relation == Relation::Itself;
        Self {
            id: profile.id,
            handle: profile.handle.clone(),
            kind: profile.kind,
            relation,
            name: see(Field::Name).then(|| f.name.clone()),
            headline: opt(Field::Headline, &f.headline),
            about: opt(Field::About, &f.about),
            location: opt(Field::Location, &f.location),
            organization: opt(Field::Organization, &f.organization),
            positions: (see(Field::Positions) && !positions.is_empty()).then(|| positions.to_vec()),
            skills: list(Field::Skills, &f.skills),
            languages: list(Field::Languages, &f.languages),
            website: opt(Field::Website, &f.website),
            phone: opt(Field::Phone, &f.phone),
            email: opt(Field::Email, &f.email),
            avatar: opt(Field::Avatar, &f.avatar),
            cover: opt(Field::Cover, &f.cover),
            persona_of: (profile.kind == ProfileKind::Persona)
                .then(|| parent.clone())
                .flatten(),
            brand_of: (profile.kind == ProfileKind::Brand)
                .then_some(parent)
                .flatten(),
            audiences: is_self.then(|| a.effective()),
            settings: (is_self && profile.kind == ProfileKind::Person).then_some(profile.settings),
        }
    }

    /// The name to display: the name when visible, else the handle.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.handle.as_str())
    }

    /// Confirmed positions visible in this view: the executive badges.
    pub fn executive_of(&self) -> Vec<&Position> {
        self.positions
            .iter()
            .flatten()
            .filter(|p| p.confirmed)
            .collect()
    }
}

/// A value sent for one field in an edit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldValue {
    Text(String),
    List(Vec<String>),
    Null(()),
}

/// A requested change to a profile (`PATCH /api/v1/profiles/{handle}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfilePatch {
    #[serde(default)]
    pub fields: BTreeMap<String, FieldValue>,
    #[serde(default)]
    pub audiences: BTreeMap<String, String>,
    #[serde(default)]
    pub settings: Option<SettingsPatch>,
}

/// Each setting is optional: only those present change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettingsPatch {
    pub contact_requests: Option<crate::privacy::ContactRequestPolicy>,
    pub messages: Option<crate::privacy::MessagePolicy>,
    pub relay_introductions: Option<bool>,
    pub contact_list: Option<crate::privacy::ContactListAudience>,
    pub visits: Option<crate::privacy::VisitVisibility>,
}

impl ProfilePatch {
    /// Validates every part and applies it to a copy of `profile`; any error
    /// leaves the profile untouched and reports all problems at once.
    pub fn apply(&self, profile: &Profile) -> Result<Profile, Error> {
        let mut out = profile.clone();
        let mut errors = Collector::default();
        for (key, value) in &self.fields {
            let Some(field) = Field::parse(key) else {
                errors.push(FieldError::new(
                    format!("fields.{key}"),
                    "unknown_field",
                    "No such profile field.",
                ));
                continue;
            };
            if let Err(e) = set_field(&mut out.fields, field, value) {
                errors.push(FieldError {
                    field: format!("fields.{key}"),
                    ..e
                });
            }
        }
        for (key, value) in &self.audiences {
            let Some(field) = Field::parse(key) else {
                errors.push(FieldError::new(
                    format!("audiences.{key}"),
                    "unknown_field",
                    "No such profile field.",
                ));
                continue;
            };
            match Audience::parse(value) {
                // The name labels a member in every list, request and
                // conversation other members see: a person's name is for
                // members at least, a page's is public.
                Some(audience)
                    if field == Field::Name
                        && !(audience == Audience::Public
                            || (audience == Audience::Members
                                && profile.kind == ProfileKind::Person)) =>
                {
                    errors.push(FieldError::new(
                        format!("audiences.{key}"),
                        "not_allowed",
                        if profile.kind == ProfileKind::Person {
                            "A name is shown to members at least (public or members)."
                        } else {
                            "A page's name is public."
                        },
                    ));
                }
                Some(audience) => out.audiences.set(field, audience),
                None => errors.push(FieldError::new(
                    format!("audiences.{key}"),
                    "invalid",
                    "Audience is one of public, members, network, contacts, only_me.",
                )),
            }
        }
        if let Some(s) = &self.settings {
            if profile.kind != ProfileKind::Person {
                errors.push(FieldError::new(
                    "settings",
                    "not_applicable",
                    "Reach settings belong to persons.",
                ));
            } else {
                let t = &mut out.settings;
                if let Some(v) = s.contact_requests {
                    t.contact_requests = v;
                }
                if let Some(v) = s.messages {
                    t.messages = v;
                }
                if let Some(v) = s.relay_introductions {
                    t.relay_introductions = v;
                }
                if let Some(v) = s.contact_list {
                    t.contact_list = v;
                }
                if let Some(v) = s.visits {
                    t.visits = v;
                }
            }
        }
        errors.finish()?;
        Ok(out)
    }
}

fn text(value: &FieldValue) -> Result<&str, FieldError> {
    match value {
        FieldValue::Text(s) => Ok(s),
        FieldValue::Null(()) => Ok(""),
        FieldValue::List(_) => Err(FieldError::new("", "invalid", "Expected a text value.")),
    }
}

fn set_field(
    fields: &mut ProfileFields,
    field: Field,
    value: &FieldValue,
) -> Result<(), FieldError> {
    let f = field.as_str();
    match field {
        Field::Name => fields.name = validate::name(f, text(value)?)?,
        Field::Headline => fields.headline = validate::short_text(f, text(value)?, 200)?,
        Field::About => fields.about = validate::optional_text(f, text(value)?, 5000)?,
        Field::Location => fields.location = validate::short_text(f, text(value)?, 100)?,
        Field::Organization => fields.organization = validate::short_text(f, text(value)?, 100)?,
        Field::Website => fields.website = validate::website(f, text(value)?)?,
        Field::Phone => fields.phone = validate::phone(f, text(value)?)?,
        Field::Email => {
            let raw = text(value)?;
            fields.email = if raw.trim().is_empty() {
                None
            } else {
                Some(validate::Email::parse_field(f, raw)?.as_str().to_owned())
            }
        }
        Field::Skills | Field::Languages => {
            let items: Vec<String> = match value {
                FieldValue::List(items) => items.clone(),
                FieldValue::Text(s) => s.split(',').map(str::to_owned).collect(),
                FieldValue::Null(()) => Vec::new(),
            };
            let (max_items, max_len) = if field == Field::Skills {
                (50, 50)
            } else {
                (20, 40)
            };
            let tags = validate::tags(f, &items, max_items, max_len)?;
            if field == Field::Skills {
                fields.skills = tags;
            } else {
                fields.languages = tags;
            }
        }
        Field::Positions => {
            return Err(FieldError::new(
                f,
                "not_editable_here",
                "Positions are added one by one (POST /api/v1/profiles/{handle}/positions).",
            ));
        }
        Field::Avatar | Field::Cover => {
            return Err(FieldError::new(
                f,
                "not_editable_here",
                "Images are uploaded with the media capability, which is not built yet.",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::Audience as A;
    use crate::privacy::Relation as R;

    fn person() -> Profile {
        Profile {
            id: ProfileId(1),
            handle: Handle::parse("ada").unwrap(),
            kind: ProfileKind::Person,
            parent: None,
            account: Some(AccountId(1)),
            fields: ProfileFields {
                name: "Ada Lovelace".into(),
                headline: Some("Analyst".into()),
                about: Some("About Ada".into()),
                location: Some("Caen".into()),
                organization: Some("ACME".into()),
                skills: vec!["Audit".into()],
                languages: vec!["French".into()],
                website: Some("https://ada.example".into()),
                phone: Some("+33 2 31 00 00 00".into()),
                email: Some("ada@example.org".into()),
                avatar: Some("a.png".into()),
                cover: Some("c.png".into()),
            },
            audiences: Audiences::for_person(),
            settings: ReachSettings::default(),
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn shown(view: &ProfileView, field: Field) -> bool {
        match field {
            Field::Name => view.name.is_some(),
            Field::Headline => view.headline.is_some(),
            Field::About => view.about.is_some(),
            Field::Location => view.location.is_some(),
            Field::Organization => view.organization.is_some(),
            Field::Positions => view.positions.is_some(),
            Field::Skills => view.skills.is_some(),
            Field::Languages => view.languages.is_some(),
            Field::Website => view.website.is_some(),
            Field::Phone => view.phone.is_some(),
            Field::Email => view.email.is_some(),
            Field::Avatar => view.avatar.is_some(),
            Field::Cover => view.cover.is_some(),
        }
    }

    /// Every field × every audience × every relation: the field is in the
    /// view exactly when the audience admits the relation.
    #[test]
    fn view_matrix_every_field_audience_relation() {
        let position = Position {
            id: PositionId(1),
            person: ProfileId(1),
            title: "Partner".into(),
            organization: None,
            organization_name: "ACME".into(),
            organization_handle: None,
            since_year: None,
            until_year: None,
            confirmed: false,
        };
        for field in Field::ALL {
            for audience in A::ALL {
                let mut p = person();
                p.audiences.set(field, audience);
                for relation in R::ALL {
                    let view =
                        ProfileView::build(&p, std::slice::from_ref(&position), None, relation);
                    assert_eq!(
                        shown(&view, field),
                        audience.admits(relation),
                        "{field:?} with audience {audience:?} seen as {relation:?}"
                    );
                    assert_eq!(view.audiences.is_some(), relation == R::Itself);
                    assert_eq!(view.settings.is_some(), relation == R::Itself);
                }
            }
        }
    }

    #[test]
    fn anonymous_sees_defaults_public_only() {
        let view = ProfileView::build(&person(), &[], None, R::Anonymous);
        let json = serde_json::to_value(&view).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "avatar", "cover", "handle", "headline", "id", "kind", "name"
            ]
        );
    }

    #[test]
    fn patch_validates_all_or_nothing() {
        let p = person();
        let patch: ProfilePatch = serde_json::from_value(serde_json::json!({
            "fields": {"headline": "New", "website": "ftp://x", "nope": "x"},
            "audiences": {"phone": "everyone"}
        }))
        .unwrap();
        let Err(Error::Invalid(errors)) = patch.apply(&p) else {
            panic!("expected invalid");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["fields.nope", "fields.website", "audiences.phone"]);

        let patch: ProfilePatch = serde_json::from_value(serde_json::json!({
            "fields": {"headline": "New", "skills": ["Tax", "Audit"], "phone": null},
            "audiences": {"phone": "public"},
            "settings": {"contact_requests": "everyone"}
        }))
        .unwrap();
        let q = patch.apply(&p).unwrap();
        assert_eq!(q.fields.headline.as_deref(), Some("New"));
        assert_eq!(q.fields.skills, ["Tax", "Audit"]);
        assert_eq!(q.fields.phone, None);
        assert_eq!(q.audiences.get(Field::Phone), A::Public);
        assert_eq!(
            q.settings.contact_requests,
            crate::privacy::ContactRequestPolicy::Everyone
        );
    }

    #[test]
    fn names_stay_visible_to_members() {
        let p = person();
        for (audience, ok) in [
            ("public", true),
            ("members", true),
            ("network", false),
            ("contacts", false),
            ("only_me", false),
        ] {
            let patch: ProfilePatch =
                serde_json::from_value(serde_json::json!({"audiences": {"name": audience}}))
                    .unwrap();
            assert_eq!(patch.apply(&p).is_ok(), ok, "{audience}");
        }
        let mut page = person();
        page.kind = ProfileKind::Organization;
        let patch: ProfilePatch =
            serde_json::from_value(serde_json::json!({"audiences": {"name": "members"}})).unwrap();
        assert!(patch.apply(&page).is_err());
    }

    #[test]
    fn unknown_patch_keys_are_refused() {
        let r: Result<ProfilePatch, _> = serde_json::from_value(serde_json::json!({"fieldz": {}}));
        assert!(r.is_err());
    }
}
