//! Sign-up, sign-in, sessions.

use super::{Core, SignedIn, Viewer, blocking};
use crate::account::{Account, NewAccount, Registration};
use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::locale::Locale;
use crate::password;
use crate::privacy::ViewerIdentity;
use crate::ratelimit::{Backoff, RateLimiter};
use crate::session::{self, Session, SessionKind};
use crate::store::NewSession;
use crate::validate::{self, Collector, Email, Handle};
use std::sync::Arc;

/// A session just opened: the secret goes to the client once.
pub struct SignedInSession {
    pub session: Session,
    pub token: String,
    pub account: Account,
}

/// How long an authenticated session is trusted without reading the store.
const VIEWER_CACHE_TTL: time::Duration = time::Duration::seconds(30);

/// Sign-up, sign-in and sessions, with the cache of recently authenticated sessions.
#[derive(Clone)]
pub struct Accounts {
    core: Arc<Core>,
    /// Failed sign-ins per account and client address, each slower.
    login_by_client: Arc<Backoff>,
    /// Failed sign-ins per account from all clients: a high ceiling.
    login_by_account: Arc<RateLimiter>,
    /// Failed sign-ins per client address.
    login_by_ip: Arc<RateLimiter>,
    /// Sign-up attempts per client address.
    signup_limit: Arc<RateLimiter>,
    /// Turns to hash or check a password: argon2 is slow and takes memory,
    /// so only a few run at once.
    hashing: Arc<tokio::sync::Semaphore>,
    /// How long to wait for a turn before answering busy.
    hash_wait: std::time::Duration,
    /// Recently authenticated sessions, by token hash, so that a signed-in
    /// request costs no database read. Cleared whenever sessions, roles or
    /// an account's locale change.
    viewers:
        Arc<std::sync::Mutex<std::collections::HashMap<String, (Viewer, time::OffsetDateTime)>>>,
}

impl Accounts {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self {
            login_by_client: Arc::new(Backoff::new(
                core.config.login_free_failures_per_client,
                core.config.login_window,
                core.config.login_delay_cap,
            )),
            login_by_account: Arc::new(RateLimiter::new(
                core.config.login_failures_per_account,
                core.config.login_window,
            )),
            login_by_ip: Arc::new(RateLimiter::new(
                core.config.login_failures_per_ip,
                core.config.login_window,
            )),
            signup_limit: Arc::new(RateLimiter::new(
                core.config.signups_per_ip_per_hour,
                time::Duration::hours(1),
            )),
            hashing: Arc::new(tokio::sync::Semaphore::new(
                core.config.password_hashes_at_once.max(1),
            )),
            hash_wait: std::time::Duration::try_from(core.config.password_hash_wait)
                .unwrap_or_default(),
            viewers: Arc::default(),
            core,
        }
    }

    /// Runs password hashing off the async workers, a bounded number at
    /// once; busy if no turn comes within the configured wait. The turn is
    /// held by the work itself, so a caller gone away cannot free it early.
    async fn hash_in_turn<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let turn = tokio::time::timeout(self.hash_wait, self.hashing.clone().acquire_owned())
            .await
            .ok()
            .and_then(|permit| permit.ok())
            .ok_or(Error::Busy {
                retry_after_secs: 1,
            })?;
        blocking(move || {
            let done = work();
            drop(turn);
            done
        })
        .await
    }

    /// Forgets the cached sessions of these accounts and of the members
    /// with these person profiles (after a sign-out, a revocation, a
    /// change of roles, of language or of name); the others stay.
    pub(crate) fn forget_viewers_of(
        &self,
        accounts: &std::collections::HashSet<crate::AccountId>,
        persons: &std::collections::HashSet<crate::ProfileId>,
    ) {
        self.viewers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (viewer, _)| {
                viewer.signed_in.as_ref().is_none_or(|me| {
                    !accounts.contains(&me.account) && !persons.contains(&me.identity.person)
                })
            });
    }
}

impl Accounts {
    /// Creates an account and its person profile. `ip` bounds sign-ups per
    /// address: every attempt counts, whatever its answer (a taken address
    /// or handle, invalid input, success), so the answers cannot be used to
    /// probe addresses past the limit. The attempt is reserved before any
    /// work, so a burst in parallel cannot pass the limit either.
    pub async fn register(&self, reg: Registration, ip: &str) -> Result<Account> {
        let now = self.core.clock.now();
        let ip_key = format!("signup:{ip}");
        self.signup_limit
            .try_acquire(&ip_key, now)
            .map_err(|wait| Error::RateLimited {
                retry_after_secs: wait,
            })?;
        let mut errors = Collector::default();
        let email = errors.take(Email::parse(&reg.email));
        let handle = errors.take(Handle::parse(&reg.handle));
        let name = errors.take(validate::name("name", &reg.name));
        let personal = [reg.handle.as_str(), reg.email.as_str(), reg.name.as_str()];
        errors.take(password::check_new(&reg.password, &personal));
        errors.finish()?;
        let (Some(email), Some(handle), Some(name)) = (email, handle, name) else {
            return Err(Error::internal("validated registration lost a value"));
        };
        let instance = super::admin::InstanceSettings::load(self.core.store.as_ref()).await?;
        if instance.blocks_email(&email) {
            return Err(Error::invalid(
                "email",
                "domain_blocked",
                "sign-ups from this e-mail domain are not accepted here",
            ));
        }
        let (approval, signup_answer, code) = instance.admit(&reg)?;
        let pw = reg.password;
        let password_hash = self.hash_in_turn(move || password::hash(&pw)).await??;
        let account = self
            .core
            .store
            .create_account(NewAccount {
                approval,
                signup_answer,
                code,
                email,
                password_hash,
                handle,
                name,
                locale: reg.locale.unwrap_or_default(),
                created_at: now,
            })
            .await?;
        self.core.settle().await;
        Ok(account)
    }

    /// Checks credentials and opens a session. Failures are throttled per
    /// account and client address with a delay growing at each one, so a
    /// stranger cannot lock a member out from elsewhere; under a high
    /// ceiling per account from all clients; and per client address. An
    /// unknown e-mail costs the same time as a wrong password and answers
    /// the same. The attempt is reserved on every limit before the password
    /// is checked, so a burst in parallel cannot pass them together; a
    /// success gives it back and clears that client's failures.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        ip: &str,
        kind: SessionKind,
        user_agent: &str,
    ) -> Result<SignedInSession> {
        let now = self.core.clock.now();
        let email_key = Email::parse(email)
            .map(|e| e.lookup_key())
            .unwrap_or_else(|_| email.trim().to_lowercase());
        let client_key = format!("login:{email_key}:{ip}");
        let account_key = format!("login:{email_key}");
        let ip_key = format!("login-ip:{ip}");
        let limited = |wait| Error::RateLimited {
            retry_after_secs: wait,
        };
        self.login_by_client
            .try_acquire(&client_key, now)
            .map_err(limited)?;
        if let Err(wait) = self.login_by_account.try_acquire(&account_key, now) {
            self.login_by_client.release(&client_key, now);
            return Err(limited(wait));
        }
        if let Err(wait) = self.login_by_ip.try_acquire(&ip_key, now) {
            self.login_by_client.release(&client_key, now);
            self.login_by_account.release(&account_key, now);
            return Err(limited(wait));
        }
        let account = self.core.store.account_by_email(&email_key).await?;
        let stored = account
            .as_ref()
            .map(|a| a.password_hash.clone())
            .unwrap_or_else(|| password::dummy_hash().to_owned());
        let pw = password.to_owned();
        let ok = match self
            .hash_in_turn(move || password::verify(&pw, &stored))
            .await
        {
            Ok(ok) => ok,
            Err(e) => {
                // Not checked: the attempt does not count.
                if matches!(e, Error::Busy { .. }) {
                    self.login_by_client.release(&client_key, now);
                    self.login_by_account.release(&account_key, now);
                    self.login_by_ip.release(&ip_key, now);
                }
                return Err(e);
            }
        };
        let account = match (ok, account) {
            (true, Some(account)) => account,
            // The reservations stay: they are the failures recorded.
            _ => return Err(Error::BadCredentials),
        };
        // The right password, but the account may not sign in (yet): a
        // sign-up waiting for approval, or a suspended member, is told so.
        match account.approval {
            crate::account::Approval::Approved => {}
            _ => {
                return Err(Error::Forbidden(
                    crate::error::Forbidden::AccountNotApproved,
                ));
            }
        }
        let sanction = self.core.store.sanction(account.person).await?;
        if let Some(until) = sanction.suspended_until.filter(|_| sanction.suspended(now)) {
            // Told until when and why: the last suspension's reason.
            let reason = self
                .core
                .store
                .moderation_log(None, Some(account.person), None, 20)
                .await?
                .into_iter()
                .find(|e| {
                    matches!(
                        e.action,
                        Some(
                            crate::moderation::Action::Suspend
                                | crate::moderation::Action::SuspendFor
                        )
                    )
                })
                .map(|e| e.reason)
                .unwrap_or_default();
            return Err(Error::Suspended { until, reason });
        }
        self.login_by_client.clear(&client_key);
        self.login_by_account.release(&account_key, now);
        self.login_by_ip.release(&ip_key, now);
        let token = session::new_token()?;
        let lifetime = match kind {
            SessionKind::Web => self.core.config.web_session_lifetime,
            SessionKind::Api => self.core.config.api_session_lifetime,
        };
        let user_agent: String = user_agent.chars().take(200).collect();
        let session = self
            .core
            .store
            .create_session(NewSession {
                account: account.id,
                kind,
                token_hash: token.hash,
                user_agent,
                created_at: now,
                expires_at: now + lifetime,
            })
            .await?;
        Ok(SignedInSession {
            session,
            token: token.secret,
            account,
        })
    }

    /// The viewer behind a session token; anonymous if the token is unknown
    /// or expired.
    pub async fn authenticate(&self, token: &str) -> Result<Viewer> {
        let now = self.core.clock.now();
        let hash = session::hash_token(token);
        if let Some((viewer, until)) = self
            .viewers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&hash)
            && *until > now
        {
            return Ok(viewer.clone());
        }
        let Some(session) = self.core.store.session_by_token_hash(&hash, now).await? else {
            return Ok(Viewer::anonymous());
        };
        let Some(account) = self.core.store.account(session.account).await? else {
            return Ok(Viewer::anonymous());
        };
        if now - session.last_seen_at > time::Duration::minutes(5) {
            self.core.store.touch_session(session.id, now).await?;
        }
        let operated = self.core.store.roles_of_account(account.id).await?;
        let viewer = Viewer {
            signed_in: Some(SignedIn {
                account: account.id,
                session: session.id,
                handle: account.handle,
                name: account.name,
                locale: account.locale,
                admin: account.admin,
                identity: ViewerIdentity {
                    person: account.person,
                    operated,
                    moderator: account.moderator || account.admin,
                },
            }),
        };
        let until = (now + VIEWER_CACHE_TTL).min(session.expires_at);
        let mut cache = self.viewers.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 100_000 {
            cache.retain(|_, (_, u)| *u > now);
        }
        cache.insert(hash, (viewer.clone(), until));
        Ok(viewer)
    }

    /// The same viewer with his page roles read again (after creating a page).
    pub async fn refresh_viewer(&self, viewer: &Viewer) -> Result<Viewer> {
        let mut fresh = viewer.clone();
        if let Some(me) = fresh.signed_in.as_mut() {
            me.identity.operated = self.core.store.roles_of_account(me.account).await?;
        }
        Ok(fresh)
    }

    /// Ends the viewer's current session.
    pub async fn sign_out(&self, viewer: &Viewer) -> Result<()> {
        let me = viewer.require()?;
        self.core
            .store
            .delete_session(me.account, me.session)
            .await?;
        self.core.settle().await;
        Ok(())
    }

    /// The viewer's open sessions, newest first.
    pub async fn sessions(&self, viewer: &Viewer) -> Result<Vec<Session>> {
        let me = viewer.require()?;
        self.core
            .store
            .sessions_of(me.account, self.core.clock.now())
            .await
    }

    /// Revokes one of the viewer's sessions; another's is not found.
    pub async fn revoke_session(&self, viewer: &Viewer, id: SessionId) -> Result<()> {
        let me = viewer.require()?;
        if self.core.store.delete_session(me.account, id).await? {
            self.core.settle().await;
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Remembers the language the member chose.
    pub async fn set_locale(&self, viewer: &Viewer, locale: Locale) -> Result<()> {
        let me = viewer.require()?;
        self.core
            .store
            .set_account_locale(me.account, locale)
            .await?;
        self.core.settle().await;
        Ok(())
    }
}
