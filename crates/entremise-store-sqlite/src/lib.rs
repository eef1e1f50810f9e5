//! The entremise [`Store`](entremise_domain::store::Store) on SQLite: the
//! embedded default backend.
//!
//! [`SqliteStore`] implements every part of the port (accounts, sessions,
//! profiles, pages, contacts, introductions, conversations, posts). One write
//! connection serialises writes, each in its own transaction; a few
//! read-only connections serve reads side by side (WAL lets them read while
//! a write goes on). Every call runs on tokio's blocking pool, so async
//! workers never wait on the disk.
//!
//! The schema is created and upgraded by the embedded migrations when the
//! store opens (see `migrations/` and the crate's README).

#[macro_use]
mod accounts;
mod backup;
mod codec;
mod connections;
mod contacts;
mod conversations;
mod events;
mod groups;
mod import;
mod inbox;
mod introductions;
mod mail;
mod migrate;
mod moderation;
mod notifications;
mod pages;
mod posts;
mod profiles;
mod sessions;
mod visits;

pub use backup::{DatabaseCopy, backup_database, check_database};
use connections::Connections;
pub use connections::Durability;
use entremise_domain::{Error, Result};
pub use import::{ImportedGroup, ImportedMember, ImportedPost};
use std::path::Path;
use std::sync::Arc;

/// How many read-only connections a file database keeps open.
const READ_CONNECTIONS: usize = 4;

/// The [`Store`](entremise_domain::store::Store) on one SQLite database.
///
/// Cheap to clone: clones share the same connections.
#[derive(Clone)]
pub struct SqliteStore {
    connections: Arc<Connections>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("location", &self.connections.location())
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (or creates, with its parent directories) the database at
    /// `path` in WAL mode, and brings its schema up to date. Fails, naming
    /// the file and the journal mode obtained, where SQLite refuses WAL.
    /// Writes are [`Durability::Full`]: flushed to disk before they return.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, Durability::Full)
    }

    /// [`SqliteStore::open`] with a chosen [`Durability`].
    pub fn open_with(path: &Path, durability: Durability) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::internal(format!("open store: create {}: {e}", dir.display()))
            })?;
        }
        let connections = Connections::open_file(path, READ_CONNECTIONS, durability)?;
        Ok(Self {
            connections: Arc::new(connections),
        })
    }

    /// A fresh private database in memory, for tests and demos. It lives as
    /// long as the store (and its clones); one connection serves reads and
    /// writes alike.
    pub fn open_in_memory() -> Result<Self> {
        let connections = Connections::open_in_memory()?;
        Ok(Self {
            connections: Arc::new(connections),
        })
    }
}
