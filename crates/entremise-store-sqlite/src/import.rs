//! Bulk import of a network (members and contacts) for `entremise import`
//! and benchmarks: many rows per transaction, prepared once. Not part of the
//! Store port: importing is an administrative act of this backend.

use crate::SqliteStore;
use crate::codec::{Json, Ts};
use entremise_domain::locale::Locale;
use entremise_domain::privacy::{Audiences, ReachSettings};
use entremise_domain::{ProfileId, Result};
use rusqlite::params;
use time::OffsetDateTime;

/// One member to create: a person with an account.
#[derive(Debug, Clone)]
pub struct ImportedMember {
    pub handle: String,
    pub name: String,
    pub email: String,
    pub headline: Option<String>,
    pub location: Option<String>,
    pub locale: Locale,
}

/// One post to create, as its author's account.
#[derive(Debug, Clone)]
pub struct ImportedPost {
    pub author: ProfileId,
    /// `only_me` for a post to a group.
    pub audience: entremise_domain::privacy::Audience,
    /// The group it is posted to.
    pub group: Option<entremise_domain::ids::GroupId>,
    pub text: String,
    pub at: OffsetDateTime,
}

/// A group to import, and its members (the first is its owner).
pub struct ImportedGroup {
    pub handle: String,
    pub name: String,
    pub about: String,
    pub tags: Vec<String>,
    pub members: Vec<ProfileId>,
    pub at: OffsetDateTime,
}

/// Rows written per transaction.
const CHUNK: usize = 20_000;

impl SqliteStore {
    /// Creates `members` (all sharing `password_hash`) and the `contacts`
    /// between them (indexes into `members`), reporting `(what, done,
    /// total)` after each transaction. Returns the profile ids in order.
    /// A handle or e-mail already taken fails its transaction with
    /// `Conflict`; what earlier transactions wrote stays.
    pub async fn import_network(
        &self,
        members: Vec<ImportedMember>,
        contacts: Vec<(usize, usize)>,
        password_hash: String,
        at: OffsetDateTime,
        mut progress: impl FnMut(&'static str, usize, usize) + Send,
    ) -> Result<Vec<ProfileId>> {
        let total = members.len();
        let mut ids = Vec::with_capacity(total);
        let mut members = members.into_iter();
        loop {
            let chunk: Vec<ImportedMember> = members.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let hash = password_hash.clone();
            let created: Vec<ProfileId> = self
                .write("import members", move |tx| {
                    let mut profile = tx.prepare_cached(
                        "INSERT INTO profiles (handle, kind, name, headline, location, audiences,
                                               settings, created_at, updated_at)
                         VALUES (?1, 'person', ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                    )?;
                    let mut account = tx.prepare_cached(
                        "INSERT INTO accounts (email, email_key, password_hash, locale, person_id, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?;
                    let mut link = tx.prepare_cached("UPDATE profiles SET account_id = ?1 WHERE id = ?2")?;
                    let audiences = Json(Audiences::for_person());
                    let settings = Json(ReachSettings::default());
                    let mut out = Vec::with_capacity(chunk.len());
                    for m in chunk {
                        profile.execute(params![m.handle, m.name, m.headline, m.location, audiences, settings, Ts(at)])?;
                        let person = tx.last_insert_rowid();
                        account.execute(params![m.email, m.email.to_lowercase(), hash, m.locale.as_str(), person, Ts(at)])?;
                        link.execute(params![tx.last_insert_rowid(), person])?;
                        out.push(ProfileId(person));
                    }
                    Ok(out)
                })
                .await
                .map_err(|e| match e {
                    entremise_domain::Error::Internal(m) if m.contains("UNIQUE") => {
                        entremise_domain::Error::Conflict { field: "handle" }
                    }
                    other => other,
                })?;
            ids.extend(created);
            progress("members", ids.len(), total);
        }
        // In key order, so the contacts B-tree only ever grows at its end:
        // random-order inserts slow down as the table outgrows the cache.
        let mut pairs: Vec<(i64, i64)> = contacts
            .iter()
            .filter(|(a, b)| a != b)
            .map(|(a, b)| {
                let (x, y) = (ids[*a].0, ids[*b].0);
                if x < y { (x, y) } else { (y, x) }
            })
            .collect();
        drop(contacts);
        pairs.sort_unstable();
        pairs.dedup();
        let total = pairs.len();
        let mut done = 0;
        for chunk in pairs.chunks(CHUNK * 5) {
            let rows: Vec<(i64, i64)> = chunk.to_vec();
            self.write("import contacts", move |tx| {
                let mut insert = tx.prepare_cached(
                    "INSERT OR IGNORE INTO contacts (a, b, since) VALUES (?1, ?2, ?3)",
                )?;
                for (a, b) in rows {
                    insert.execute(params![a, b, Ts(at)])?;
                }
                Ok(())
            })
            .await?;
            done += chunk.len();
            progress("contacts", done, total);
        }
        Ok(ids)
    }

    /// Creates `posts` (text only, published at their time) in large
    /// transactions, reporting `(done, total)` after each. The operator is
    /// the author's account; an author without one fails its transaction.
    pub async fn import_posts(
        &self,
        posts: Vec<ImportedPost>,
        mut progress: impl FnMut(usize, usize) + Send,
    ) -> Result<usize> {
        let total = posts.len();
        let mut done = 0;
        let mut posts = posts.into_iter();
        loop {
            let chunk: Vec<ImportedPost> = posts.by_ref().take(CHUNK * 2).collect();
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len();
            self.write("import posts", move |tx| {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO posts (author_id, operator_id, audience, text, created_at, published_at,
                                        group_id)
                     VALUES (?1, (SELECT account_id FROM profiles WHERE id = ?1), ?2, ?3, ?4, ?4, ?5)",
                )?;
                for p in chunk {
                    insert.execute(params![
                        p.author.0,
                        p.audience.as_str(),
                        p.text,
                        Ts(p.at),
                        p.group.map(|g| g.0)
                    ])?;
                }
                Ok(())
            })
            .await?;
            done += n;
            progress(done, total);
        }
        Ok(done)
    }

    /// Imports open groups with their members (the first of each its
    /// owner), in chunks; answers their ids in order. No change events: the
    /// server loads groups and memberships from the store at start.
    pub async fn import_groups(
        &self,
        groups: Vec<ImportedGroup>,
        mut progress: impl FnMut(usize, usize) + Send,
    ) -> Result<Vec<entremise_domain::ids::GroupId>> {
        let total = groups.len();
        let mut ids = Vec::with_capacity(total);
        let mut groups = groups.into_iter();
        loop {
            let chunk: Vec<ImportedGroup> = groups.by_ref().take(100).collect();
            if chunk.is_empty() {
                break;
            }
            let made = self
                .write("import groups", move |tx| {
                    let mut group = tx.prepare_cached(
                        "INSERT INTO groups (handle, name, kind, about, tags, created_by, created_at)
                         VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6)",
                    )?;
                    let mut member = tx.prepare_cached(
                        "INSERT INTO group_members (group_id, member_id, standing, role, since)
                         VALUES (?1, ?2, 'member', ?3, ?4)",
                    )?;
                    let mut ids = Vec::new();
                    for g in chunk {
                        let Some(owner) = g.members.first() else {
                            continue;
                        };
                        group
                            .execute(params![
                                g.handle,
                                g.name,
                                g.about,
                                crate::codec::Json(&g.tags),
                                owner.0,
                                Ts(g.at)
                            ])
                            .map_err(crate::codec::conflict)?;
                        let id = tx.last_insert_rowid();
                        for (i, m) in g.members.iter().enumerate() {
                            let role = if i == 0 { "owner" } else { "member" };
                            member.execute(params![id, m.0, role, Ts(g.at)])?;
                        }
                        ids.push(entremise_domain::ids::GroupId(id));
                    }
                    Ok(ids)
                })
                .await?;
            ids.extend(made);
            progress(ids.len(), total);
        }
        Ok(ids)
    }
}
