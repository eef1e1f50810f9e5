//! The unsubscribe link: a token that names an account and when it was
//! issued, signed with the server's secret, so it works without signing
//! in and cannot be forged or pointed at another account.
//!
//! Layout (44 characters of URL-safe base64, no padding): a version byte
//! (1), the account id (8 bytes, big-endian), the issue time (8 bytes, Unix
//! seconds, big-endian), then the first 16 bytes of HMAC-SHA256 over the
//! 17 bytes before, keyed with [`UnsubscribeKey`] (the key is stored in the
//! database: see [`super::MailStore::server_secret`]). A token is valid for
//! [`TOKEN_LIFETIME`] after it was issued; every mail carries a fresh one.

use crate::AccountId;
use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use time::{Duration, OffsetDateTime};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// How long an unsubscribe link works after its mail was sent.
pub const TOKEN_LIFETIME: Duration = Duration::days(180);
/// The name of the signing secret in the store.
pub const SECRET_NAME: &str = "unsubscribe";

const VERSION: u8 = 1;
const BODY: usize = 17;
const TAG: usize = 16;

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token at all, or its signature does not match: a made-up or
    /// altered link.
    #[error("this unsubscribe link is not valid")]
    Invalid,
    /// A genuine token older than [`TOKEN_LIFETIME`].
    #[error("this unsubscribe link has expired")]
    Expired,
}

/// The server's key for unsubscribe tokens. Debug never shows it.
#[derive(Clone)]
pub struct UnsubscribeKey([u8; 32]);

impl std::fmt::Debug for UnsubscribeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsubscribeKey([redacted])")
    }
}

impl UnsubscribeKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    fn mac(&self, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(b"entremise unsubscribe\0");
        mac.update(body);
        mac
    }

    /// A token for `account`, issued at `at`.
    pub fn issue(&self, account: AccountId, at: OffsetDateTime) -> String {
        let mut raw = Vec::with_capacity(BODY + TAG);
        raw.push(VERSION);
        raw.extend_from_slice(&account.0.to_be_bytes());
        raw.extend_from_slice(&at.unix_timestamp().to_be_bytes());
        let tag = self.mac(&raw).finalize().into_bytes();
        raw.extend_from_slice(&tag[..TAG]);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// The account a token names, when it is genuine and unexpired at
    /// `now`. The signature is compared in constant time, and checked
    /// before the time is read, so an expired answer is only ever given
    /// for a token this server issued.
    pub fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccountId, TokenError> {
        if token.len() != 44 {
            return Err(TokenError::Invalid);
        }
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| TokenError::Invalid)?;
        if raw.len() != BODY + TAG || raw[0] != VERSION {
            return Err(TokenError::Invalid);
        }
        let (body, tag) = raw.split_at(BODY);
        self.mac(body)
            .verify_truncated_left(tag)
            .map_err(|_| TokenError::Invalid)?;
        let number = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&body[at..at + 8]);
            i64::from_be_bytes(bytes)
        };
        let account = AccountId(number(1));
        let issued =
            OffsetDateTime::from_unix_timestamp(number(9)).map_err(|_| TokenError::Invalid)?;
        if now - issued > TOKEN_LIFETIME {
            return Err(TokenError::Expired);
        }
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-03-01 08:00 UTC);

    fn key() -> UnsubscribeKey {
        UnsubscribeKey::new([7; 32])
    }

    #[test]
    fn a_token_names_its_account_while_it_lives() {
        let token = key().issue(AccountId(42), T0);
        assert_eq!(token.len(), 44);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(key().verify(&token, T0), Ok(AccountId(42)));
        assert_eq!(key().verify(&token, T0 + TOKEN_LIFETIME), Ok(AccountId(42)));
    }

    #[test]
    fn an_old_token_has_expired() {
        let token = key().issue(AccountId(42), T0);
        assert_eq!(
            key().verify(&token, T0 + TOKEN_LIFETIME + Duration::seconds(1)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn forged_and_altered_tokens_are_refused() {
        let token = key().issue(AccountId(42), T0);
        // Another server's key.
        let other = UnsubscribeKey::new([8; 32]);
        assert_eq!(other.verify(&token, T0), Err(TokenError::Invalid));
        // Every single-character change is caught.
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for i in 0..token.len() {
            for c in alphabet.chars().step_by(7) {
                let mut altered: Vec<char> = token.chars().collect();
                if altered[i] == c {
                    continue;
                }
                altered[i] = c;
                let altered: String = altered.into_iter().collect();
                assert_ne!(
                    key().verify(&altered, T0),
                    Ok(AccountId(42)),
                    "{altered} passed"
                );
            }
        }
        // Pointing a genuine token at another account breaks its signature.
        let mut raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&token)
            .unwrap();
        raw[8] ^= 1;
        let retargeted = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
        assert_eq!(key().verify(&retargeted, T0), Err(TokenError::Invalid));
        // An expired-looking forgery is invalid, not expired.
        let mut raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&token)
            .unwrap();
        raw[10] ^= 0x40;
        let backdated = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
        assert_eq!(
            key().verify(&backdated, T0 + Duration::days(1000)),
            Err(TokenError::Invalid)
        );
        for junk in [
            "",
            "abc",
            "%%%",
            &"A".repeat(44),
            &token[..43],
            &format!("{token}A"),
        ] {
            assert_eq!(key().verify(junk, T0), Err(TokenError::Invalid), "{junk}");
        }
    }

    #[test]
    fn the_key_is_never_printed() {
        assert!(!format!("{:?}", key()).contains('7'));
    }
}
