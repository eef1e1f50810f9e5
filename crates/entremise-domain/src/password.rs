//! Passwords: argon2id hashes, at least 12 characters, no composition rules,
//! refused when among the most common ones (NIST SP 800-63B).

use crate::error::{Error, FieldError};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::collections::HashSet;
use std::sync::OnceLock;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 1024;

static COMMON: &str = include_str!("../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Checks a new password; `personal` holds values it must not equal
/// (handle, e-mail, name).
pub fn check_new(password: &str, personal: &[&str]) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(FieldError::new(
            "password",
            "too_short",
            format!("A password has at least {MIN_LENGTH} characters."),
        ));
    }
    if password.len() > MAX_LENGTH {
        return Err(FieldError::new(
            "password",
            "too_long",
            "This password is too long.",
        ));
    }
    let lower = password.to_lowercase();
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if common().contains(lower.as_str()) || distinct.len() <= 2 {
        return Err(FieldError::new(
            "password",
            "too_common",
            "This password is among the most common ones; choose another.",
        ));
    }
    if personal
        .iter()
        .any(|p| !p.is_empty() && lower == p.to_lowercase())
    {
        return Err(FieldError::new(
            "password",
            "too_personal",
            "A password must not be your handle, name or e-mail address.",
        ));
    }
    Ok(())
}

/// Hashes with argon2id and the crate's recommended parameters, random salt.
pub fn hash(password: &str) -> Result<String, Error> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("password hashing: {e}")))
}

/// Verifies in constant time against a stored PHC string.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of nothing anyone knows, verified against when the account does
/// not exist so that sign-in takes the same time either way.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("no account has this password, ever").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        let cases = [
            ("short", Some("too_short")),
            ("elevenchars", Some("too_short")),
            ("password1234", Some("too_common")),
            ("PASSWORD1234", Some("too_common")),
            ("aaaaaaaaaaaaaaa", Some("too_common")),
            ("abababababababab", Some("too_common")),
            ("ada_lovelace", Some("too_personal")),
            ("correct horse battery", None),
            ("été à Honfleur 1987", None),
        ];
        for (pw, want) in cases {
            let got = check_new(pw, &["ada_lovelace"]).err().map(|e| e.reason);
            assert_eq!(got, want, "{pw}");
        }
        assert!(common().len() > 4000);
    }

    #[test]
    fn hash_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterie", &h));
        assert!(!verify("x", "not a hash"));
    }
}
