//! Pages and personas: creation, roles, offices, services, executives,
//! the contact form and the audit trail.

use super::{Core, Viewer, Visits};
use crate::error::{Error, Forbidden, Result};
use crate::ids::{OfficeId, PositionId, ServiceId};
use crate::page::{AuditEntry, ContactMessage, Manager, Office, Role, Service};
use crate::privacy::{Field, Relation};
use crate::profile::{Position, Profile, ProfileKind, ProfileRef, ProfileView};
use crate::ratelimit::RateLimiter;
use crate::store::{AuditRecord, NewContactMessage, NewOffice, NewPage, NewPosition, NewService};
use crate::validate::{self, Collector, Email, Handle};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPageRequest {
    pub kind: String,
    pub handle: String,
    pub name: String,
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeRequest {
    pub name: String,
    pub address: String,
    pub town: String,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRequest {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionRequest {
    pub title: String,
    /// The organization's handle on this instance, or its plain name.
    pub organization: String,
    #[serde(default)]
    pub since_year: Option<i32>,
    #[serde(default)]
    pub until_year: Option<i32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactFormRequest {
    pub name: String,
    pub email: String,
    pub message: String,
}

/// A person whose position the organization confirmed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct Executive {
    pub member: ProfileRef,
    pub position: Position,
}

/// What an organization's page shows besides its profile.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageDetails {
    pub profile: ProfileView,
    pub offices: Vec<Office>,
    pub services: Vec<Service>,
    /// People whose position the organization confirmed, as far as each
    /// one's positions audience lets the viewer see.
    pub executives: Vec<Executive>,
    /// Brands and personas of the organization.
    pub children: Vec<ProfileRef>,
    /// The viewer's role on the page, if any (not while viewing as another).
    pub role: Option<Role>,
    /// The viewer is the member himself, or operates the page.
    pub is_self: bool,
}

/// Pages (organizations, brands, personas): their roles, audit trail, offices, services, positions and contact form.
#[derive(Clone)]
pub struct Pages {
    core: Arc<Core>,
    /// Records visits of a page's profile.
    visits: Visits,
    /// Contact-form messages per sender address.
    contact_form_limit: Arc<RateLimiter>,
}

impl Pages {
    pub(crate) fn new(core: Arc<Core>, visits: Visits) -> Self {
        Self {
            visits,
            contact_form_limit: Arc::new(RateLimiter::new(
                core.config.contact_form_per_hour,
                time::Duration::hours(1),
            )),
            core,
        }
    }
}

impl Pages {
    /// Creates an organization, a brand (of an organization the viewer
    /// administers) or a persona (run for such an organization). The viewer
    /// becomes its owner.
    /// [`Self::create_page`], answered with the page as its new owner
    /// sees it.
    pub async fn open_page(&self, viewer: &Viewer, req: NewPageRequest) -> Result<ProfileView> {
        let page = self.create_page(viewer, req).await?;
        self.core.build_view(&page, Relation::Itself).await
    }

    pub async fn create_page(&self, viewer: &Viewer, req: NewPageRequest) -> Result<Profile> {
        let me = viewer.require()?;
        let mut errors = Collector::default();
        let kind = match ProfileKind::parse(&req.kind) {
            Some(k) if k.is_page() => Some(k),
            _ => {
                errors.push(crate::FieldError::new(
                    "kind",
                    "invalid",
                    "Kind is organization, brand or persona.",
                ));
                None
            }
        };
        let handle = errors.take(Handle::parse(&req.handle));
        let name = errors.take(validate::name("name", &req.name));
        errors.finish()?;
        let (Some(kind), Some(handle), Some(name)) = (kind, handle, name) else {
            return Err(Error::internal("validated page lost a value"));
        };
        let parent = match (kind, req.parent.as_deref()) {
            (ProfileKind::Organization, None) => None,
            (ProfileKind::Organization, Some(_)) => {
                return Err(Error::invalid(
                    "parent",
                    "not_applicable",
                    "An organization has no parent.",
                ));
            }
            (_, None) => {
                return Err(Error::invalid(
                    "parent",
                    "required",
                    "A brand or persona belongs to an organization.",
                ));
            }
            (_, Some(parent)) => {
                let (org, _) = self
                    .core
                    .visible_profile(viewer, parent)
                    .await
                    .map_err(|_| Error::invalid("parent", "unknown", "No such organization."))?;
                if org.kind != ProfileKind::Organization {
                    return Err(Error::invalid(
                        "parent",
                        "invalid",
                        "The parent must be an organization.",
                    ));
                }
                if !self
                    .core
                    .role_on(viewer, &org)
                    .is_some_and(Role::administers)
                {
                    return Err(Error::Forbidden(Forbidden::InsufficientRole));
                }
                Some(org.id)
            }
        };
        let page = self
            .core
            .store
            .create_page(NewPage {
                kind,
                handle,
                name,
                parent,
                owner: me.account,
                created_at: self.core.clock.now(),
            })
            .await?;
        // The creator's roles changed, and the page is to be found.
        self.core.settle().await;
        Ok(page)
    }

    /// A page the viewer may see, and his role on it.
    async fn page(&self, viewer: &Viewer, handle: &str) -> Result<(Profile, Option<Role>)> {
        let (profile, _) = self.core.visible_profile(viewer, handle).await?;
        if !profile.kind.is_page() {
            return Err(Error::NotFound);
        }
        let role = self.core.role_on(viewer, &profile);
        Ok((profile, role))
    }

    /// A page the viewer administers; managers, audit and settings of a page
    /// are hidden from everyone else (404, not 403: PRIVACY.md).
    async fn administered_page(&self, viewer: &Viewer, handle: &str) -> Result<(Profile, Role)> {
        match self.page(viewer, handle).await? {
            (p, Some(role)) if role.administers() => Ok((p, role)),
            _ => Err(Error::NotFound),
        }
    }

    fn audit(
        &self,
        viewer: &Viewer,
        page: &Profile,
        action: &'static str,
        detail: String,
    ) -> Result<AuditRecord> {
        Ok(AuditRecord {
            page: page.id,
            actor: viewer.require()?.account,
            action,
            detail,
            at: self.core.clock.now(),
        })
    }

    /// A profile with what its page shows besides: offices, services,
    /// executives, brands and personas (empty for persons). `view_as` lets
    /// the member or the page's operators see it as a farther relation would.
    pub async fn page_details(
        &self,
        viewer: &Viewer,
        handle: &str,
        view_as: Option<Relation>,
    ) -> Result<PageDetails> {
        let (stored, actual) = self.core.visible_profile(viewer, handle).await?;
        // Anyone but the member himself is recorded, whatever he asks to
        // view the profile as (the store ignores one's own visits).
        self.visits.record_visit(viewer, &stored).await?;
        self.details_of(viewer, &stored, actual, view_as).await
    }

    /// [`Self::page_details`] of a profile already resolved for the viewer.
    pub(crate) async fn details_of(
        &self,
        viewer: &Viewer,
        stored: &Profile,
        actual: Relation,
        view_as: Option<Relation>,
    ) -> Result<PageDetails> {
        let lens = self.core.lens(viewer);
        let relation = lens.view_as(actual, view_as);
        let profile = self.core.build_view(stored, relation).await?;
        let is_self = actual == Relation::Itself;
        let role = if relation == Relation::Itself {
            self.core.role_on(viewer, stored)
        } else {
            None
        };
        let mut details = PageDetails {
            profile,
            offices: Vec::new(),
            services: Vec::new(),
            executives: Vec::new(),
            children: Vec::new(),
            role,
            is_self,
        };
        if stored.kind != ProfileKind::Organization {
            return Ok(details);
        }
        for (position, holder) in self.core.store.positions_at(stored.id).await? {
            if !position.confirmed {
                continue;
            }
            // Each executive is shown only as his own positions audience allows.
            let Some(holder_profile) = self.core.store.profile(position.person).await? else {
                continue;
            };
            let Some(actual) = lens.relation(holder_profile.id) else {
                continue;
            };
            let holder_relation = match view_as {
                Some(r) if is_self => r,
                _ => actual,
            };
            let view = self
                .core
                .build_view(&holder_profile, holder_relation)
                .await?;
            if view.positions.is_some() {
                let member = ProfileRef {
                    name: view.display_name().to_owned(),
                    ..holder
                };
                details.executives.push(Executive { member, position });
            }
        }
        details.offices = self.core.store.offices(stored.id).await?;
        details.services = self.core.store.services(stored.id).await?;
        details.children = self.core.store.children(stored.id).await?;
        Ok(details)
    }

    /// The pages and personas the viewer operates, with his role.
    pub async fn operated_pages(&self, viewer: &Viewer) -> Result<Vec<(ProfileRef, Role)>> {
        let mut out = Vec::new();
        for (id, role) in &viewer.require()?.identity.operated {
            if let Some(r) = self.core.store.profile_ref(*id).await? {
                out.push((r, *role));
            }
        }
        Ok(out)
    }

    pub async fn managers(&self, viewer: &Viewer, page: &str) -> Result<Vec<Manager>> {
        let (page, _) = self.administered_page(viewer, page).await?;
        self.core.store.managers(page.id).await
    }

    /// Grants, changes (`Some`) or revokes (`None`) a member's role on a page.
    /// A manager may always leave (revoke himself) unless he is the last owner.
    pub async fn set_manager(
        &self,
        viewer: &Viewer,
        page: &str,
        member: &str,
        role: Option<Role>,
    ) -> Result<()> {
        let me = viewer.require()?;
        let (page_profile, my_role) = self.page(viewer, page).await?;
        let my_role = my_role.ok_or(Error::NotFound)?;
        let member_handle = Handle::parse(member).map_err(|_| Error::NotFound)?;
        let person = self
            .core
            .store
            .profile_by_handle(&member_handle)
            .await?
            .filter(|p| p.kind == ProfileKind::Person)
            .ok_or(Error::NotFound)?;
        let account = person.account.ok_or(Error::NotFound)?;
        let current = self.core.store.role_of(page_profile.id, account).await?;
        let leaving = account == me.account && role.is_none();
        if !leaving && !my_role.may_assign(current, role) {
            return Err(if my_role.administers() {
                Error::Forbidden(Forbidden::InsufficientRole)
            } else {
                Error::NotFound
            });
        }
        if current.is_none() && role.is_none() {
            return Err(Error::NotFound);
        }
        let detail = format!(
            "{}: {} -> {}",
            person.handle,
            current.map_or("none", Role::as_str),
            role.map_or("none", Role::as_str)
        );
        let audit = self.audit(viewer, &page_profile, "role.set", detail)?;
        self.core
            .store
            .set_role(page_profile.id, account, role, audit)
            .await?;
        self.core.settle().await;
        Ok(())
    }

    pub async fn audit_log(
        &self,
        viewer: &Viewer,
        page: &str,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        let (page, _) = self.administered_page(viewer, page).await?;
        self.core
            .store
            .audit_log(page.id, None, limit.clamp(1, 500))
            .await
    }

    /// The audit trail a page at a time, newest first (keyset: time, id).
    pub async fn audit_log_page(
        &self,
        viewer: &Viewer,
        page: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<AuditEntry>> {
        use crate::paging::{Page, parse_time_key, read_limit, time_key};
        let (page, _) = self.administered_page(viewer, page).await?;
        let before = cursor.map(parse_time_key).transpose()?;
        let rows = self
            .core
            .store
            .audit_log(page.id, before, read_limit(limit))
            .await?;
        Ok(Page::keyset(rows, limit, |e| time_key(e.at, e.id)))
    }

    async fn organization_admin(&self, viewer: &Viewer, page: &str) -> Result<Profile> {
        let (page, _) = self.administered_page(viewer, page).await?;
        if page.kind != ProfileKind::Organization {
            return Err(Error::invalid(
                "page",
                "not_an_organization",
                "Only organizations have offices, services and executives.",
            ));
        }
        Ok(page)
    }

    pub async fn add_office(
        &self,
        viewer: &Viewer,
        page: &str,
        req: OfficeRequest,
    ) -> Result<Office> {
        let page = self.organization_admin(viewer, page).await?;
        let mut errors = Collector::default();
        let name = errors.take(validate::name("name", &req.name));
        let address = errors.take(validate::required_text("address", &req.address, 300));
        let town = errors.take(validate::name("town", &req.town));
        let phone = errors.take(validate::phone("phone", req.phone.as_deref().unwrap_or("")));
        errors.finish()?;
        let (Some(name), Some(address), Some(town), Some(phone)) = (name, address, town, phone)
        else {
            return Err(Error::internal("validated office lost a value"));
        };
        let audit = self.audit(viewer, &page, "office.add", format!("{name}, {town}"))?;
        self.core
            .store
            .add_office(
                page.id,
                NewOffice {
                    name,
                    address,
                    town,
                    phone,
                },
                audit,
            )
            .await
    }

    pub async fn delete_office(&self, viewer: &Viewer, page: &str, id: OfficeId) -> Result<()> {
        let page = self.organization_admin(viewer, page).await?;
        let audit = self.audit(viewer, &page, "office.delete", id.to_string())?;
        if self.core.store.delete_office(page.id, id, audit).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    pub async fn add_service(
        &self,
        viewer: &Viewer,
        page: &str,
        req: ServiceRequest,
    ) -> Result<Service> {
        let page = self.organization_admin(viewer, page).await?;
        let mut errors = Collector::default();
        let name = errors.take(validate::name("name", &req.name));
        let description = errors.take(validate::optional_text(
            "description",
            req.description.as_deref().unwrap_or(""),
            2000,
        ));
        errors.finish()?;
        let (Some(name), Some(description)) = (name, description) else {
            return Err(Error::internal("validated service lost a value"));
        };
        let audit = self.audit(viewer, &page, "service.add", name.clone())?;
        self.core
            .store
            .add_service(page.id, NewService { name, description }, audit)
            .await
    }

    pub async fn delete_service(&self, viewer: &Viewer, page: &str, id: ServiceId) -> Result<()> {
        let page = self.organization_admin(viewer, page).await?;
        let audit = self.audit(viewer, &page, "service.delete", id.to_string())?;
        if self.core.store.delete_service(page.id, id, audit).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Adds a position to the viewer's own profile; an organization named by
    /// its handle is linked, so its admins can confirm it.
    pub async fn add_position(
        &self,
        viewer: &Viewer,
        handle: &str,
        req: PositionRequest,
    ) -> Result<Position> {
        let (profile, relation) = self.core.visible_profile(viewer, handle).await?;
        if relation != Relation::Itself || profile.kind != ProfileKind::Person {
            return Err(Error::Forbidden(Forbidden::InsufficientRole));
        }
        let mut errors = Collector::default();
        let title = errors.take(validate::name("title", &req.title));
        let org_text = errors.take(validate::name("organization", &req.organization));
        for (field, year) in [
            ("since_year", req.since_year),
            ("until_year", req.until_year),
        ] {
            if year.is_some_and(|y| !(1900..=2100).contains(&y)) {
                errors.push(crate::FieldError::new(
                    field,
                    "invalid",
                    "A year between 1900 and 2100.",
                ));
            }
        }
        if let (Some(a), Some(b)) = (req.since_year, req.until_year)
            && b < a
        {
            errors.push(crate::FieldError::new(
                "until_year",
                "invalid",
                "Ends before it starts.",
            ));
        }
        errors.finish()?;
        let (Some(title), Some(org_text)) = (title, org_text) else {
            return Err(Error::internal("validated position lost a value"));
        };
        let linked = match Handle::parse(&org_text) {
            Ok(h) => self
                .core
                .store
                .profile_by_handle(&h)
                .await?
                .filter(|p| p.kind == ProfileKind::Organization),
            Err(_) => None,
        };
        let (organization, organization_name) = match linked {
            Some(org) => (Some(org.id), org.fields.name),
            None => (None, org_text),
        };
        let position = self
            .core
            .store
            .add_position(NewPosition {
                person: profile.id,
                title,
                organization,
                organization_name,
                since_year: req.since_year,
                until_year: req.until_year,
            })
            .await?;
        self.core.settle().await;
        Ok(position)
    }

    /// Positions held at an organization, for its admins to confirm.
    ///
    /// The rule: an admin sees a member's position declared there only as
    /// far as that member's `positions` audience admits the admin himself
    /// (his own relation to the member, through the lens: a block hides it,
    /// `only_me` hides it from every admin but the member). Naming the
    /// organization is the member's request for confirmation, but it does
    /// not widen the audience he chose: PRIVACY.md promises a `contacts`
    /// field to contacts only, and the confirmation would show the position
    /// on the organization's page, itself filtered by the same audience. A
    /// member who wants a confirmation from admins outside his audience
    /// widens it. The member's name follows his name audience, as on the
    /// organization's page.
    pub async fn positions_at(
        &self,
        viewer: &Viewer,
        page: &str,
    ) -> Result<Vec<(Position, ProfileRef)>> {
        let page = self.organization_admin(viewer, page).await?;
        self.visible_positions_at(viewer, &page).await
    }

    /// [`Self::positions_at`] once the viewer is known to be an admin.
    async fn visible_positions_at(
        &self,
        viewer: &Viewer,
        page: &Profile,
    ) -> Result<Vec<(Position, ProfileRef)>> {
        let lens = self.core.lens(viewer);
        let mut out = Vec::new();
        for (position, holder) in self.core.store.positions_at(page.id).await? {
            let Some(holder_profile) = self.core.store.profile(position.person).await? else {
                continue;
            };
            let audience = holder_profile.audiences.get(Field::Positions);
            if !lens.admits(holder_profile.id, audience) {
                continue;
            }
            let Some(relation) = lens.relation(holder_profile.id) else {
                continue;
            };
            let view = self.core.build_view(&holder_profile, relation).await?;
            let member = ProfileRef {
                name: view.display_name().to_owned(),
                ..holder
            };
            out.push((position, member));
        }
        Ok(out)
    }

    /// The organization's admins confirm (or withdraw) a position held there,
    /// one they may see by the rule of [`Self::positions_at`]: any other
    /// answers like a missing one.
    pub async fn confirm_position(
        &self,
        viewer: &Viewer,
        page: &str,
        id: PositionId,
        confirmed: bool,
    ) -> Result<()> {
        let page = self.organization_admin(viewer, page).await?;
        let visible = self.visible_positions_at(viewer, &page).await?;
        if !visible.iter().any(|(p, _)| p.id == id) {
            return Err(Error::NotFound);
        }
        let action = if confirmed {
            "executive.confirm"
        } else {
            "executive.withdraw"
        };
        let audit = self.audit(viewer, &page, action, id.to_string())?;
        if self
            .core
            .store
            .confirm_position(page.id, id, confirmed, audit)
            .await?
        {
            self.core.settle().await;
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Leaves a message for an organization through its contact form.
    /// Anyone may write, signed in or not; rate-limited per address.
    pub async fn send_contact_form(
        &self,
        viewer: &Viewer,
        page: &str,
        req: ContactFormRequest,
        ip: &str,
    ) -> Result<ContactMessage> {
        let (page, _) = self.page(viewer, page).await?;
        if page.kind != ProfileKind::Organization {
            return Err(Error::NotFound);
        }
        let now = self.core.clock.now();
        let key = format!("contact-form:{ip}");
        if let Some(wait) = self.contact_form_limit.retry_after(&key, now) {
            return Err(Error::RateLimited {
                retry_after_secs: wait,
            });
        }
        let mut errors = Collector::default();
        let name = errors.take(validate::name("name", &req.name));
        let email = errors.take(Email::parse(&req.email));
        let message = errors.take(validate::required_text("message", &req.message, 5000));
        errors.finish()?;
        let (Some(name), Some(email), Some(message)) = (name, email, message) else {
            return Err(Error::internal("validated message lost a value"));
        };
        let stored = self
            .core
            .store
            .add_contact_message(NewContactMessage {
                page: page.id,
                sender: viewer.identity().map(|v| v.person),
                name,
                email: email.as_str().to_owned(),
                message,
                created_at: now,
            })
            .await?;
        self.contact_form_limit.record(&key, now);
        Ok(stored)
    }

    /// Messages left through the contact form, for the page's editors.
    pub async fn contact_messages(
        &self,
        viewer: &Viewer,
        page: &str,
    ) -> Result<Vec<ContactMessage>> {
        match self.page(viewer, page).await? {
            (p, Some(role)) if role.edits() => {
                self.core.store.contact_messages(p.id, None, 200).await
            }
            _ => Err(Error::NotFound),
        }
    }

    /// [`Self::contact_messages`] a page at a time, newest first (keyset:
    /// time, id).
    pub async fn contact_messages_page(
        &self,
        viewer: &Viewer,
        page: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::paging::Page<ContactMessage>> {
        use crate::paging::{Page, parse_time_key, read_limit, time_key};
        let p = match self.page(viewer, page).await? {
            (p, Some(role)) if role.edits() => p,
            _ => return Err(Error::NotFound),
        };
        let before = cursor.map(parse_time_key).transpose()?;
        let rows = self
            .core
            .store
            .contact_messages(p.id, before, read_limit(limit))
            .await?;
        Ok(Page::keyset(rows, limit, |m| {
            time_key(m.created_at, m.id.0)
        }))
    }
}
