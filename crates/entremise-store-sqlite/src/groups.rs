//! Groups ([`GroupStore`]): the group, its memberships and pins. Every
//! change records its event in the same transaction; a membership change
//! is refused when the row is no longer what the caller decided from.

use crate::SqliteStore;
use crate::codec::{DbResult, Json, Ts, conflict, limit, text_enum};
use crate::events::record;
use async_trait::async_trait;
use entremise_domain::events::Change;
use entremise_domain::group::{
    Group, GroupKind, GroupRole, MemberRow, MemberSettings, Membership, Standing,
};
use entremise_domain::ids::GroupId;
use entremise_domain::store::{Contribution, GroupEdit, GroupStore, NewGroup};
use entremise_domain::{AccountId, Error, ProfileId, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

macro_rules! select_group {
    () => {
        "SELECT id, handle, name, kind, about, rules, tags, created_by, created_at,
                (SELECT m.id FROM media m WHERE m.group_id = groups.id)
         FROM groups"
    };
}

fn group_from_row(row: &Row<'_>) -> rusqlite::Result<Group> {
    Ok(Group {
        id: GroupId(row.get(0)?),
        handle: row.get(1)?,
        name: row.get(2)?,
        kind: text_enum(row, 3, GroupKind::parse)?,
        about: row.get(4)?,
        rules: row.get(5)?,
        tags: row.get::<_, Json<Vec<String>>>(6)?.0,
        created_by: ProfileId(row.get(7)?),
        created_at: row.get::<_, Ts>(8)?.0,
        cover: row.get(9)?,
    })
}

macro_rules! select_member {
    () => {
        "SELECT group_id, member_id, standing, role, expertise, in_directory, muted, closely, since
         FROM group_members"
    };
}

fn member_from_row(row: &Row<'_>) -> rusqlite::Result<MemberRow> {
    Ok(MemberRow {
        group: GroupId(row.get(0)?),
        member: ProfileId(row.get(1)?),
        membership: Membership {
            standing: text_enum(row, 2, Standing::parse)?,
            role: text_enum(row, 3, GroupRole::parse)?,
        },
        expertise: row.get::<_, Json<Vec<String>>>(4)?.0,
        in_directory: row.get(5)?,
        muted: row.get(6)?,
        closely: row.get(7)?,
        since: row.get::<_, Ts>(8)?.0,
    })
}

fn membership_of(
    conn: &Connection,
    group: GroupId,
    member: ProfileId,
) -> DbResult<Option<Membership>> {
    Ok(conn
        .prepare_cached(
            "SELECT standing, role FROM group_members WHERE group_id = ?1 AND member_id = ?2",
        )?
        .query_row(params![group.0, member.0], |row| {
            Ok(Membership {
                standing: text_enum(row, 0, Standing::parse)?,
                role: text_enum(row, 1, GroupRole::parse)?,
            })
        })
        .optional()?)
}

#[async_trait]
impl GroupStore for SqliteStore {
    async fn create_group(&self, new: NewGroup) -> Result<Group> {
        self.write("create group", move |tx| {
            tx.prepare_cached(
                "INSERT INTO groups (handle, name, kind, about, rules, tags, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                new.handle,
                new.name,
                new.kind.as_str(),
                new.about,
                new.rules,
                Json(&new.tags),
                new.created_by.0,
                Ts(new.created_at)
            ])
            .map_err(conflict)?;
            let id = GroupId(tx.last_insert_rowid());
            let owner = Membership {
                standing: Standing::Member,
                role: GroupRole::Owner,
            };
            tx.prepare_cached(
                "INSERT INTO group_members (group_id, member_id, standing, role, since)
                 VALUES (?1, ?2, 'member', 'owner', ?3)",
            )?
            .execute(params![id.0, new.created_by.0, Ts(new.created_at)])?;
            record(tx, new.created_at, Change::GroupChanged { group: id })?;
            record(
                tx,
                new.created_at,
                Change::GroupMembershipChanged {
                    group: id,
                    member: new.created_by,
                    actor: new.created_by,
                    before: None,
                    after: Some(owner),
                },
            )?;
            Ok(Group {
                id,
                handle: new.handle,
                name: new.name,
                kind: new.kind,
                about: new.about,
                rules: new.rules,
                tags: new.tags,
                created_by: new.created_by,
                created_at: new.created_at,
                cover: None,
            })
        })
        .await
    }

    async fn update_group(
        &self,
        group: GroupId,
        edit: GroupEdit,
        _actor: ProfileId,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("update group", move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE groups SET name = ?2, about = ?3, rules = ?4, tags = ?5 WHERE id = ?1",
                )?
                .execute(params![
                    group.0,
                    edit.name,
                    edit.about,
                    edit.rules,
                    Json(&edit.tags)
                ])?;
            if n == 0 {
                return Err(Error::NotFound.into());
            }
            record(tx, at, Change::GroupChanged { group })?;
            Ok(())
        })
        .await
    }

    async fn set_group_cover(
        &self,
        group: GroupId,
        account: AccountId,
        media: Option<i64>,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("set group cover", move |tx| {
            let exists: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM groups WHERE id = ?1)")?
                .query_row([group.0], |r| r.get(0))?;
            if !exists {
                return Err(Error::NotFound.into());
            }
            // The previous cover waits again from now, like a new upload,
            // and is collected with the others if nothing takes it.
            tx.prepare_cached(
                "UPDATE media SET group_id = NULL, created_at = ?2 WHERE group_id = ?1",
            )?
            .execute(params![group.0, Ts(at)])?;
            if let Some(media) = media {
                let n = tx
                    .prepare_cached(
                        "UPDATE media SET group_id = ?1
                         WHERE id = ?2 AND owner_id = ?3
                           AND post_id IS NULL AND group_id IS NULL",
                    )?
                    .execute(params![group.0, media, account.0])?;
                if n == 0 {
                    return Err(Error::NotFound.into());
                }
            }
            record(tx, at, Change::GroupChanged { group })?;
            Ok(())
        })
        .await
    }

    async fn group(&self, id: GroupId) -> Result<Option<Group>> {
        self.read("group", move |conn| {
            Ok(conn
                .prepare_cached(concat!(select_group!(), " WHERE id = ?1"))?
                .query_row([id.0], group_from_row)
                .optional()?)
        })
        .await
    }

    async fn group_by_handle(&self, handle: &str) -> Result<Option<Group>> {
        let handle = handle.to_owned();
        self.read("group by handle", move |conn| {
            Ok(conn
                .prepare_cached(concat!(select_group!(), " WHERE handle = ?1"))?
                .query_row([handle], group_from_row)
                .optional()?)
        })
        .await
    }

    async fn groups_page(&self, after: Option<GroupId>, limit_to: usize) -> Result<Vec<Group>> {
        self.read("groups", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                select_group!(),
                " WHERE id > ?1 ORDER BY id LIMIT ?2"
            ))?;
            let rows = stmt.query_map(
                params![after.map_or(i64::MIN, |g| g.0), limit(limit_to)],
                group_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn memberships_page(
        &self,
        after: Option<(GroupId, ProfileId)>,
        limit_to: usize,
    ) -> Result<Vec<MemberRow>> {
        self.read("memberships", move |conn| {
            let (g, m) = after.map_or((i64::MIN, i64::MIN), |(g, m)| (g.0, m.0));
            let mut stmt = conn.prepare_cached(concat!(
                select_member!(),
                " WHERE (group_id, member_id) > (?1, ?2) ORDER BY group_id, member_id LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![g, m, limit(limit_to)], member_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_membership(
        &self,
        group: GroupId,
        member: ProfileId,
        expect: Option<Membership>,
        membership: Option<Membership>,
        actor: ProfileId,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("set membership", move |tx| {
            let before = membership_of(tx, group, member)?;
            if before != expect {
                return Err(Error::Conflict { field: "member" }.into());
            }
            match membership {
                Some(m) => {
                    tx.prepare_cached(
                        "INSERT INTO group_members (group_id, member_id, standing, role, since)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (group_id, member_id) DO UPDATE SET
                           standing = excluded.standing, role = excluded.role,
                           since = CASE WHEN group_members.standing = excluded.standing
                                        THEN group_members.since ELSE excluded.since END",
                    )?
                    .execute(params![
                        group.0,
                        member.0,
                        m.standing.as_str(),
                        m.role.as_str(),
                        Ts(at)
                    ])?;
                }
                None => {
                    tx.prepare_cached(
                        "DELETE FROM group_members WHERE group_id = ?1 AND member_id = ?2",
                    )?
                    .execute(params![group.0, member.0])?;
                }
            }
            record(
                tx,
                at,
                Change::GroupMembershipChanged {
                    group,
                    member,
                    actor,
                    before,
                    after: membership,
                },
            )?;
            Ok(())
        })
        .await
    }

    async fn group_member(&self, group: GroupId, member: ProfileId) -> Result<Option<MemberRow>> {
        self.read("group member", move |conn| {
            Ok(conn
                .prepare_cached(concat!(
                    select_member!(),
                    " WHERE group_id = ?1 AND member_id = ?2"
                ))?
                .query_row(params![group.0, member.0], member_from_row)
                .optional()?)
        })
        .await
    }

    async fn group_members(
        &self,
        group: GroupId,
        standing: Standing,
        after: Option<ProfileId>,
        limit_to: usize,
    ) -> Result<Vec<MemberRow>> {
        self.read("group members", move |conn| {
            let mut stmt = conn.prepare_cached(concat!(
                select_member!(),
                " WHERE group_id = ?1 AND standing = ?2 AND member_id > ?3
                  ORDER BY member_id LIMIT ?4"
            ))?;
            let rows = stmt.query_map(
                params![
                    group.0,
                    standing.as_str(),
                    after.map_or(i64::MIN, |m| m.0),
                    limit(limit_to)
                ],
                member_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn group_counts(&self, group: GroupId) -> Result<(u64, u64)> {
        self.read("group counts", move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT count(*), count(*) FILTER (WHERE role = 'owner')
                     FROM group_members WHERE group_id = ?1 AND standing = 'member'",
                )?
                .query_row([group.0], |row| {
                    Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64))
                })?)
        })
        .await
    }

    async fn set_member_settings(
        &self,
        group: GroupId,
        member: ProfileId,
        settings: MemberSettings,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("set member settings", move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE group_members
                     SET expertise = ?3, in_directory = ?4, muted = ?5, closely = ?6
                     WHERE group_id = ?1 AND member_id = ?2",
                )?
                .execute(params![
                    group.0,
                    member.0,
                    Json(&settings.expertise),
                    settings.in_directory,
                    settings.muted,
                    settings.closely,
                ])?;
            if n == 0 {
                return Err(Error::NotFound.into());
            }
            record(
                tx,
                at,
                Change::GroupMemberSettingsChanged {
                    group,
                    member,
                    muted: settings.muted,
                    closely: settings.closely,
                },
            )?;
            Ok(())
        })
        .await
    }

    async fn close_followers(&self, group: GroupId) -> Result<Vec<ProfileId>> {
        self.read("close followers", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT member_id FROM group_members
                 WHERE group_id = ?1 AND closely = 1 AND standing = 'member'
                 ORDER BY member_id",
            )?;
            let rows = stmt.query_map([group.0], |r| Ok(ProfileId(r.get(0)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn contributions(
        &self,
        group: GroupId,
        members: &[ProfileId],
    ) -> Result<Vec<(ProfileId, Contribution)>> {
        let members: Vec<i64> = members.iter().map(|m| m.0).collect();
        self.read("group contributions", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT m.value,
                   (SELECT count(*) FROM posts p WHERE p.group_id = ?1 AND p.author_id = m.value),
                   (SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id
                     WHERE p.group_id = ?1 AND c.author_id = m.value AND c.held = 0),
                   (SELECT count(*) FROM reactions r JOIN posts p ON p.id = r.post_id
                     WHERE p.group_id = ?1 AND p.author_id = m.value)
                 FROM json_each(?2) m",
            )?;
            let rows = stmt.query_map(params![group.0, Json(&members)], |row| {
                Ok((
                    ProfileId(row.get(0)?),
                    Contribution {
                        posts: row.get::<_, i64>(1)? as u64,
                        answers: row.get::<_, i64>(2)? as u64,
                        reactions: row.get::<_, i64>(3)? as u64,
                    },
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_pinned(
        &self,
        group: GroupId,
        post: i64,
        pinned: bool,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("pin post", move |tx| {
            if pinned {
                tx.prepare_cached(
                    "INSERT INTO group_pins (group_id, post_id, pinned_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![group.0, post, Ts(at)])?;
            } else {
                tx.prepare_cached("DELETE FROM group_pins WHERE group_id = ?1 AND post_id = ?2")?
                    .execute(params![group.0, post])?;
            }
            Ok(())
        })
        .await
    }

    async fn pinned_posts(&self, group: GroupId) -> Result<Vec<i64>> {
        self.read("pinned posts", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT post_id FROM group_pins WHERE group_id = ?1 ORDER BY pinned_at DESC",
            )?;
            let rows = stmt.query_map([group.0], |row| row.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}
