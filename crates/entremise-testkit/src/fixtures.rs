//! Builders for values the store takes, with fixed times so that tests
//! need no clock.

use entremise_domain::account::{Account, NewAccount};
use entremise_domain::locale::Locale;
use entremise_domain::page::Role;
use entremise_domain::profile::ProfileKind;
use entremise_domain::store::{AuditRecord, NewPage, Store};
use entremise_domain::validate::{Email, Handle};
use entremise_domain::{AccountId, ProfileId};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// The story's "now". Milliseconds included, so that time round trips are
/// checked below the second (every backend keeps at least microseconds).
pub const T0: OffsetDateTime = datetime!(2025-03-01 09:30:15.250 UTC);

/// `T0` plus some minutes.
pub fn at(minutes: i64) -> OffsetDateTime {
    T0 + Duration::minutes(minutes)
}

/// A handle that must be valid (test data).
pub fn handle(raw: &str) -> Handle {
    Handle::parse(raw).unwrap_or_else(|e| panic!("test handle {raw:?}: {}", e.message))
}

/// An address that must be valid (test data).
pub fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap_or_else(|e| panic!("test e-mail {raw:?}: {}", e.message))
}

/// A sign-up for `handle` at `address`, named after the handle.
pub fn new_account(handle_raw: &str, address: &str) -> NewAccount {
    NewAccount {
        approval: Default::default(),
        signup_answer: None,
        code: None,
        email: email(address),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$test${handle_raw}"),
        handle: handle(handle_raw),
        name: format!("Member {handle_raw}"),
        locale: Locale::En,
        created_at: T0,
    }
}

/// Members signed up under these handles (each at
/// `<handle>@members.example`), their person profiles in the same order.
pub async fn members<const N: usize>(store: &dyn Store, handles: [&str; N]) -> [ProfileId; N] {
    let mut persons = [ProfileId(0); N];
    for (person, raw) in persons.iter_mut().zip(handles) {
        let account = store
            .create_account(new_account(raw, &format!("{raw}@members.example")))
            .await
            .unwrap_or_else(|e| panic!("create member {raw}: {e:?}"));
        *person = account.person;
    }
    persons
}

/// Like [`members`], but the whole accounts (for what an account does:
/// uploads, acting as a page).
pub async fn member_accounts<const N: usize>(
    store: &dyn Store,
    handles: [&str; N],
) -> [Account; N] {
    let mut accounts = Vec::with_capacity(N);
    for raw in handles {
        let account = store
            .create_account(new_account(raw, &format!("{raw}@members.example")))
            .await
            .unwrap_or_else(|e| panic!("create member {raw}: {e:?}"));
        accounts.push(account);
    }
    accounts
        .try_into()
        .unwrap_or_else(|_| unreachable!("one account per handle"))
}

/// A page of `kind` owned by `owner`.
pub fn new_page(
    kind: ProfileKind,
    handle_raw: &str,
    parent: Option<ProfileId>,
    owner: AccountId,
) -> NewPage {
    NewPage {
        kind,
        handle: handle(handle_raw),
        name: format!("Page {handle_raw}"),
        parent,
        owner,
        created_at: at(1),
    }
}

/// An audit line for `page`, by `actor`, at `at(minutes)`.
pub fn audit(
    page: ProfileId,
    actor: AccountId,
    action: &'static str,
    detail: &str,
    minutes: i64,
) -> AuditRecord {
    AuditRecord {
        page,
        actor,
        action,
        detail: detail.to_owned(),
        at: at(minutes),
    }
}

/// A role-change audit line, worded as the domain words it.
pub fn role_audit(
    page: ProfileId,
    actor: AccountId,
    role: Option<Role>,
    minutes: i64,
) -> AuditRecord {
    audit(
        page,
        actor,
        "role.set",
        role.map_or("none", Role::as_str),
        minutes,
    )
}
