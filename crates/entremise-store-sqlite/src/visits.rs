//! Profile visits (one row per visitor, visited member and UTC day) and
//! post views (one row per post and viewer).

use crate::SqliteStore;
use crate::codec::{Json, Ts, count_at, limit};
use async_trait::async_trait;
use entremise_domain::store::{VisitBatch, VisitStore};
use entremise_domain::{ProfileId, Result};
use rusqlite::params;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Whole UTC days since the epoch.
fn day_of(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(86_400)
}

#[async_trait]
impl VisitStore for SqliteStore {
    async fn record_visit(
        &self,
        visitor: ProfileId,
        visited: ProfileId,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write("record visit", move |tx| {
            tx.prepare_cached(
                "INSERT INTO profile_visits (visitor_id, visited_id, day, at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (visitor_id, visited_id, day)
                 DO UPDATE SET at = max(at, excluded.at)",
            )?
            .execute(params![visitor.0, visited.0, day_of(at), Ts(at)])?;
            Ok(())
        })
        .await
    }

    async fn visitors_of(
        &self,
        visited: ProfileId,
        since: OffsetDateTime,
        limit_to: usize,
    ) -> Result<Vec<(ProfileId, OffsetDateTime)>> {
        self.read("visitors of profile", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT visitor_id, max(at) AS last FROM profile_visits
                 WHERE visited_id = ?1 AND at >= ?2
                 GROUP BY visitor_id
                 ORDER BY last DESC, visitor_id
                 LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![visited.0, Ts(since), limit(limit_to)], |row| {
                Ok((ProfileId(row.get(0)?), row.get::<_, Ts>(1)?.0))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn record_post_views(
        &self,
        viewer: ProfileId,
        posts: &[i64],
        at: OffsetDateTime,
    ) -> Result<()> {
        if posts.is_empty() {
            return Ok(());
        }
        let ids = Json(posts.to_vec());
        self.write("record post views", move |tx| {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO post_views (post_id, viewer_id, at)
                 SELECT p.id, ?1, ?2 FROM posts p
                 WHERE p.id IN (SELECT value FROM json_each(?3))",
            )?
            .execute(params![viewer.0, Ts(at), ids])?;
            Ok(())
        })
        .await
    }

    async fn record_visits_and_views(&self, batch: &VisitBatch) -> Result<()> {
        if batch.visits.is_empty() && batch.post_views.is_empty() {
            return Ok(());
        }
        let batch = batch.clone();
        self.write("record visits and post views", move |tx| {
            let mut visit = tx.prepare_cached(
                "INSERT INTO profile_visits (visitor_id, visited_id, day, at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (visitor_id, visited_id, day)
                 DO UPDATE SET at = max(at, excluded.at)",
            )?;
            for (visitor, visited, at) in &batch.visits {
                visit.execute(params![visitor.0, visited.0, day_of(*at), Ts(*at)])?;
            }
            let mut view = tx.prepare_cached(
                "INSERT OR IGNORE INTO post_views (post_id, viewer_id, at)
                 SELECT id, ?2, ?3 FROM posts WHERE id = ?1",
            )?;
            for (viewer, post, at) in &batch.post_views {
                view.execute(params![post, viewer.0, Ts(*at)])?;
            }
            Ok(())
        })
        .await
    }

    async fn post_reach(&self, posts: &[i64]) -> Result<HashMap<i64, u64>> {
        if posts.is_empty() {
            return Ok(HashMap::new());
        }
        let ids = Json(posts.to_vec());
        self.read("post reach", move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT post_id, count(*) FROM post_views
                 WHERE post_id IN (SELECT value FROM json_each(?1))
                 GROUP BY post_id",
            )?;
            let rows =
                stmt.query_map([ids], |row| Ok((row.get::<_, i64>(0)?, count_at(row, 1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}
