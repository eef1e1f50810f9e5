//! The rules and use cases of entremise.
//!
//! This crate knows nothing of HTTP, SQL or search engines: it defines the
//! ports it needs ([`store::Store`], [`clock::Clock`], [`relations::RelationSource`])
//! and the use cases ([`service::Entremise`]) that web pages and the JSON API
//! both call. The [`privacy`] module is the only code that decides what a
//! viewer may see or do.

pub mod account;
pub mod clock;
pub mod contact;
pub mod conversation;
pub mod error;
pub mod events;
pub mod group;
pub mod ids;
pub mod inbox;
pub mod introduction;
pub mod lexicon;
pub mod locale;
pub mod mail;
pub mod media;
pub mod moderation;
pub mod network;
pub mod notification;
pub mod page;
pub mod paging;
pub mod password;
pub mod post;
pub mod privacy;
pub mod profile;
pub mod ratelimit;
pub mod realtime;
pub mod relations;
pub mod search;
pub mod service;
pub mod session;
pub mod store;
pub mod timeline;
pub mod timings;
pub mod validate;

pub use error::{Error, FieldError, Result};
pub use ids::{AccountId, ProfileId, SessionId};
pub use service::Entremise;
