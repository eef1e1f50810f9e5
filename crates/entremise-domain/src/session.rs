//! Session tokens: 256 random bits shown once to the client; only their
//! SHA-256 is stored, so a leaked database opens no session.

use crate::error::Error;
use crate::ids::{AccountId, SessionId};
use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// How the session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SessionKind {
    /// A browser, holding the token in a cookie.
    Web,
    /// An API client, holding a bearer token.
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "web" => Some(Self::Web),
            "api" => Some(Self::Api),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub id: SessionId,
    #[serde(skip)]
    pub account: AccountId,
    pub kind: SessionKind,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The browser or client that opened it, as it said.
    pub user_agent: String,
}

/// A freshly minted token: the secret for the client, the hash for the store.
pub struct NewToken {
    pub secret: String,
    pub hash: String,
}

/// Fills `buf` from the operating system's random source.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|e| Error::internal(format!("random source: {e}")))
}

/// 256 bits, URL-safe base64.
pub fn new_token() -> Result<NewToken, Error> {
    let mut raw = [0u8; 32];
    random_bytes(&mut raw)?;
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let hash = hash_token(&secret);
    Ok(NewToken { secret, hash })
}

/// The stored form of a token.
pub fn hash_token(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.secret.len(), 43);
        assert_eq!(a.hash.len(), 64);
        assert_eq!(hash_token(&a.secret), a.hash);
        assert_ne!(a.hash, a.secret);
    }
}
