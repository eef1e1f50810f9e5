//! Instance administration (`/admin`, administrators only): how visitors
//! sign up (open, by invitation code, by approval with a question, and the
//! approval queue), the instance's name and its rules, terms and legal
//! notice in each language, instance roles, e-mail domains refused at
//! sign-up, and a dashboard.

use super::Viewer;
use super::core::Core;
use crate::account::{Account, Approval, Registration, RegistrationMode};
use crate::error::{Error, Forbidden, Result};
use crate::locale::Locale;
use crate::store::Store;
use crate::validate::{Email, Handle};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::OffsetDateTime;

/// Longest instance text (rules, terms, legal notice).
pub const MAX_INSTANCE_TEXT: usize = 20_000;
/// Longest instance name and sign-up question.
pub const MAX_INSTANCE_LINE: usize = 200;
/// Longest answer to the sign-up question.
pub const MAX_SIGNUP_ANSWER: usize = 1_000;

/// The instance texts an administrator writes, in each language.
pub const INSTANCE_TEXTS: [&str; 3] = ["rules", "terms", "legal"];

/// The instance's settings as stored (key, value).
#[derive(Debug, Clone, Default)]
pub struct InstanceSettings {
    values: BTreeMap<String, String>,
    domain_blocks: Vec<String>,
}

impl InstanceSettings {
    pub async fn load(store: &dyn Store) -> Result<Self> {
        Ok(Self {
            values: store.instance_settings().await?.into_iter().collect(),
            domain_blocks: store.email_domain_blocks().await?,
        })
    }

    fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or_default()
    }

    pub fn mode(&self) -> RegistrationMode {
        RegistrationMode::parse(self.get("registration")).unwrap_or_default()
    }

    /// The question asked of who signs up by approval.
    pub fn question(&self) -> &str {
        self.get("question")
    }

    /// The instance's name ("entremise" when none is set).
    pub fn name(&self) -> &str {
        match self.get("name") {
            "" => "entremise",
            name => name,
        }
    }

    /// One of [`INSTANCE_TEXTS`] in `lang`, or in the other language when that one
    /// is empty.
    pub fn text(&self, which: &str, lang: Locale) -> &str {
        let other = match lang {
            Locale::Fr => Locale::En,
            Locale::En => Locale::Fr,
        };
        let mine = self.get(&format!("{which}_{}", lang.as_str()));
        if mine.is_empty() {
            self.get(&format!("{which}_{}", other.as_str()))
        } else {
            mine
        }
    }

    pub fn raw(&self, key: &str) -> &str {
        self.get(key)
    }

    pub fn domain_blocks(&self) -> &[String] {
        &self.domain_blocks
    }

    /// Whether sign-ups from this address's domain (or a parent domain)
    /// are refused.
    pub fn blocks_email(&self, email: &Email) -> bool {
        let Some((_, domain)) = email.as_str().rsplit_once('@') else {
            return false;
        };
        let domain = domain.to_lowercase();
        self.domain_blocks
            .iter()
            .any(|b| domain == *b || domain.ends_with(&format!(".{b}")))
    }

    /// How a registration is admitted under the instance's mode: approved
    /// at once, waiting with its answer, or with the code it uses up.
    pub fn admit(&self, reg: &Registration) -> Result<(Approval, Option<String>, Option<String>)> {
        match self.mode() {
            RegistrationMode::Open => Ok((Approval::Approved, None, None)),
            RegistrationMode::Invitation => {
                let code = reg
                    .code
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| {
                        Error::invalid(
                            "code",
                            "required",
                            "this instance signs up by invitation: enter your code",
                        )
                    })?;
                Ok((Approval::Approved, None, Some(code.to_owned())))
            }
            RegistrationMode::Approval => {
                let answer = reg
                    .answer
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| {
                        Error::invalid(
                            "answer",
                            "required",
                            "answer the question: an administrator reads it",
                        )
                    })?;
                if answer.chars().count() > MAX_SIGNUP_ANSWER {
                    return Err(Error::invalid(
                        "answer",
                        "too_long",
                        format!("at most {MAX_SIGNUP_ANSWER} characters"),
                    ));
                }
                Ok((Approval::Pending, Some(answer.to_owned()), None))
            }
        }
    }
}

/// What the public sign-up form needs to know.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstanceInfo {
    pub name: String,
    /// `open`, `invitation` or `approval`.
    pub registration: String,
    /// The question asked when signing up by approval.
    pub question: Option<String>,
    pub rules: String,
    pub terms: String,
    pub legal: String,
}

/// A settings change from `/admin` (each field left out stays).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstanceSettingsInput {
    pub name: Option<String>,
    /// `open`, `invitation` or `approval`.
    pub registration: Option<String>,
    pub question: Option<String>,
    pub rules_fr: Option<String>,
    pub rules_en: Option<String>,
    pub terms_fr: Option<String>,
    pub terms_en: Option<String>,
    pub legal_fr: Option<String>,
    pub legal_en: Option<String>,
}

/// The dashboard's figures.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub members: u64,
    /// Members seen in the last 30 days.
    pub active_members: u64,
    pub posts: u64,
    /// Sign-ups waiting for approval.
    pub pending_signups: u64,
    /// Open reports per queue, with the age in hours of the oldest.
    pub queues: Vec<QueueAge>,
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueAge {
    /// `instance`, `page:<id>` or `group:<id>`.
    pub queue: String,
    pub open: u64,
    pub oldest_hours: Option<i64>,
}

/// A member holding an instance role, or waiting for approval.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffView {
    pub handle: String,
    pub name: String,
    pub admin: bool,
    pub moderator: bool,
}

#[derive(Clone)]
pub struct Admin {
    core: Arc<Core>,
}

impl Admin {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// The viewer's account, when he administers the instance.
    async fn admin(&self, viewer: &Viewer) -> Result<Account> {
        let me = viewer.require()?;
        match self.core.store.account(me.account).await? {
            Some(a) if a.admin => Ok(a),
            _ => Err(Error::Forbidden(Forbidden::AdminsOnly)),
        }
    }

    /// Whether the viewer administers the instance.
    pub async fn is_admin(&self, viewer: &Viewer) -> Result<bool> {
        Ok(self.admin(viewer).await.is_ok())
    }

    /// What anyone may read of the instance: name, sign-up mode and
    /// question, rules, terms and legal notice in `lang`.
    pub async fn info(&self, lang: Locale) -> Result<InstanceInfo> {
        let s = InstanceSettings::load(self.core.store.as_ref()).await?;
        let mode = s.mode();
        Ok(InstanceInfo {
            name: s.name().to_owned(),
            registration: mode.as_str().to_owned(),
            question: (mode == RegistrationMode::Approval).then(|| s.question().to_owned()),
            rules: s.text("rules", lang).to_owned(),
            terms: s.text("terms", lang).to_owned(),
            legal: s.text("legal", lang).to_owned(),
        })
    }

    pub async fn settings(&self, viewer: &Viewer) -> Result<InstanceSettings> {
        self.admin(viewer).await?;
        InstanceSettings::load(self.core.store.as_ref()).await
    }

    pub async fn update_settings(
        &self,
        viewer: &Viewer,
        input: InstanceSettingsInput,
    ) -> Result<InstanceSettings> {
        self.admin(viewer).await?;
        let mut writes: Vec<(&str, String)> = Vec::new();
        let line = |field: &str, v: &str| -> Result<String> {
            let v = v.trim();
            if v.chars().count() > MAX_INSTANCE_LINE {
                return Err(Error::invalid(
                    field,
                    "too_long",
                    format!("at most {MAX_INSTANCE_LINE} characters"),
                ));
            }
            Ok(v.to_owned())
        };
        if let Some(v) = &input.name {
            writes.push(("name", line("name", v)?));
        }
        if let Some(v) = &input.question {
            writes.push(("question", line("question", v)?));
        }
        if let Some(v) = &input.registration {
            let mode = RegistrationMode::parse(v.trim()).ok_or_else(|| {
                Error::invalid(
                    "registration",
                    "invalid",
                    "one of open, invitation or approval",
                )
            })?;
            writes.push(("registration", mode.as_str().to_owned()));
        }
        let texts = [
            ("rules_fr", &input.rules_fr),
            ("rules_en", &input.rules_en),
            ("terms_fr", &input.terms_fr),
            ("terms_en", &input.terms_en),
            ("legal_fr", &input.legal_fr),
            ("legal_en", &input.legal_en),
        ];
        for (key, v) in texts {
            if let Some(v) = v {
                if v.chars().count() > MAX_INSTANCE_TEXT {
                    return Err(Error::invalid(
                        key,
                        "too_long",
                        format!("at most {MAX_INSTANCE_TEXT} characters"),
                    ));
                }
                writes.push((key, v.trim().to_owned()));
            }
        }
        // Checked first, written together: a refused field writes none.
        self.core
            .store
            .set_instance_settings(writes.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            .await?;
        InstanceSettings::load(self.core.store.as_ref()).await
    }

    /// The members holding an instance role.
    pub async fn staff(&self, viewer: &Viewer) -> Result<Vec<StaffView>> {
        self.admin(viewer).await?;
        Ok(self
            .core
            .store
            .staff()
            .await?
            .into_iter()
            .map(|a| StaffView {
                handle: a.handle.to_string(),
                name: a.name,
                admin: a.admin,
                moderator: a.moderator,
            })
            .collect())
    }

    /// Grants or revokes a member's instance roles. An administrator does
    /// not revoke his own administration (the instance keeps one).
    pub async fn set_roles(
        &self,
        viewer: &Viewer,
        handle: &str,
        admin: bool,
        moderator: bool,
    ) -> Result<StaffView> {
        let me = self.admin(viewer).await?;
        let account = self.account_by_handle(handle).await?;
        if account.id == me.id && !admin {
            return Err(Error::Forbidden(Forbidden::OwnAdministration));
        }
        self.core
            .store
            .set_instance_roles(account.id, admin, moderator)
            .await?;
        self.core.settle().await;
        Ok(StaffView {
            handle: account.handle.to_string(),
            name: account.name,
            admin,
            moderator,
        })
    }

    async fn account_by_handle(&self, handle: &str) -> Result<Account> {
        let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
        let profile = self
            .core
            .store
            .profile_by_handle(&handle)
            .await?
            .ok_or(Error::NotFound)?;
        let account = profile.account.ok_or(Error::NotFound)?;
        self.core
            .store
            .account(account)
            .await?
            .filter(|a| a.person == profile.id)
            .ok_or(Error::NotFound)
    }

    /// Sign-ups waiting for approval, with their answers.
    pub async fn pending(&self, viewer: &Viewer) -> Result<Vec<PendingSignup>> {
        self.admin(viewer).await?;
        let mut out = Vec::new();
        for a in self.core.store.pending_accounts().await? {
            out.push(PendingSignup {
                handle: a.handle.to_string(),
                name: a.name.clone(),
                email: a.email.as_str().to_owned(),
                answer: self.core.store.signup_answer(a.id).await?,
                created_at: a.created_at,
            });
        }
        Ok(out)
    }

    /// Approves or declines a waiting sign-up.
    pub async fn decide_signup(&self, viewer: &Viewer, handle: &str, approve: bool) -> Result<()> {
        self.admin(viewer).await?;
        let account = self.account_by_handle(handle).await?;
        let approval = if approve {
            Approval::Approved
        } else {
            Approval::Declined
        };
        if !self.core.store.set_approval(account.id, approval).await? {
            return Err(Error::NotFound);
        }
        self.core.settle().await;
        Ok(())
    }

    /// A new invitation code (12 letters and digits), usable once.
    pub async fn new_code(&self, viewer: &Viewer) -> Result<String> {
        let me = self.admin(viewer).await?;
        // 60 bits in 12 letters and digits a person can read out.
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
        let mut raw = [0u8; 12];
        crate::session::random_bytes(&mut raw)?;
        let code: String = raw
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        self.core
            .store
            .create_signup_code(&code, me.id, self.core.clock.now())
            .await?;
        Ok(code)
    }

    /// Codes, newest first, with who used each.
    pub async fn codes(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<(String, OffsetDateTime, Option<String>)>> {
        self.admin(viewer).await?;
        self.core.store.signup_codes(100).await
    }

    /// Refuses (or accepts again) sign-ups from an e-mail domain.
    pub async fn set_domain_block(
        &self,
        viewer: &Viewer,
        domain: &str,
        blocked: bool,
    ) -> Result<Vec<String>> {
        self.admin(viewer).await?;
        let domain = domain.trim().trim_start_matches('@').to_lowercase();
        let valid = !domain.is_empty()
            && domain.len() <= 253
            && domain.contains('.')
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !valid {
            return Err(Error::invalid(
                "domain",
                "invalid",
                "a domain such as example.com",
            ));
        }
        self.core
            .store
            .set_email_domain_block(&domain, blocked, self.core.clock.now())
            .await?;
        self.core.store.email_domain_blocks().await
    }

    pub async fn dashboard(&self, viewer: &Viewer) -> Result<Dashboard> {
        self.admin(viewer).await?;
        let now = self.core.clock.now();
        let (members, active_members, posts) = self
            .core
            .store
            .instance_counts(now - time::Duration::days(30))
            .await?;
        let pending_signups = self.core.store.pending_accounts().await?.len() as u64;
        let queues = self
            .core
            .store
            .queue_stats()
            .await?
            .into_iter()
            .map(|(queue, open, oldest)| QueueAge {
                queue,
                open,
                oldest_hours: oldest.map(|t| (now - t).whole_hours().max(0)),
            })
            .collect();
        Ok(Dashboard {
            members,
            active_members,
            posts,
            pending_signups,
            queues,
        })
    }
}

/// A sign-up waiting for approval.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingSignup {
    pub handle: String,
    pub name: String,
    pub email: String,
    pub answer: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(mode: &str, blocks: &[&str]) -> InstanceSettings {
        let mut values = BTreeMap::new();
        values.insert("registration".to_owned(), mode.to_owned());
        InstanceSettings {
            values,
            domain_blocks: blocks.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn reg(code: Option<&str>, answer: Option<&str>) -> Registration {
        Registration {
            email: "a@b.fr".into(),
            password: "x".into(),
            handle: "a".into(),
            name: "A".into(),
            locale: None,
            code: code.map(Into::into),
            answer: answer.map(Into::into),
        }
    }

    #[test]
    fn each_mode_admits_as_it_says() {
        let open = settings("open", &[]);
        assert_eq!(open.admit(&reg(None, None)).unwrap().0, Approval::Approved);
        let inv = settings("invitation", &[]);
        assert!(inv.admit(&reg(None, None)).is_err());
        assert!(inv.admit(&reg(Some("  "), None)).is_err());
        assert_eq!(
            inv.admit(&reg(Some(" abc "), None)).unwrap(),
            (Approval::Approved, None, Some("abc".into()))
        );
        let appr = settings("approval", &[]);
        assert!(appr.admit(&reg(None, None)).is_err());
        assert_eq!(
            appr.admit(&reg(None, Some("I run a shop"))).unwrap(),
            (Approval::Pending, Some("I run a shop".into()), None)
        );
        assert_eq!(settings("nonsense", &[]).mode(), RegistrationMode::Open);
    }

    #[test]
    fn domain_blocks_cover_subdomains_only_on_a_dot() {
        let s = settings("open", &["spam.example"]);
        let email = |e: &str| Email::parse(e).unwrap();
        assert!(s.blocks_email(&email("x@spam.example")));
        assert!(s.blocks_email(&email("x@mail.SPAM.example")));
        assert!(!s.blocks_email(&email("x@notspam.example")));
        assert!(!s.blocks_email(&email("x@example.org")));
    }
}
