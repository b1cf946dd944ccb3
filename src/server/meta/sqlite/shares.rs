//! The `shares` table (made by the third migration).

use super::uuid_col;
use crate::error::AppError;
use crate::server::clock::rfc3339;
use crate::server::meta::rows::standing;
use crate::server::meta::{Dead, Live};
use crate::share::{ShareInfo, ShareTarget};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

const TARGET_COLUMNS: &str = "kind, conversation_id, artifact_id, version, folder, label";

/// The target from six columns in `TARGET_COLUMNS`' order, from `at`.
fn target(r: &rusqlite::Row, at: usize) -> rusqlite::Result<ShareTarget> {
    let kind: String = r.get(at)?;
    let artifact: Option<String> = r.get(at + 2)?;
    Ok(ShareTarget {
        kind: kind.parse().map_err(|e: strum::ParseError| {
            rusqlite::Error::FromSqlConversionFailure(at, rusqlite::types::Type::Text, e.into())
        })?,
        conversation_id: uuid_col(r, at + 1)?,
        artifact_id: artifact.map(|_| uuid_col(r, at + 2)).transpose()?,
        version: r.get(at + 3)?,
        folder: r.get(at + 4)?,
        label: r.get(at + 5)?,
    })
}

pub fn insert(
    c: &Connection,
    hash: &str,
    user: Uuid,
    info: &ShareInfo,
    expires_at: Option<i64>,
) -> Result<(), AppError> {
    let t = &info.target;
    c.execute(
        &format!(
            "INSERT INTO shares (id, hash, user_id, created_at, expires_at, {TARGET_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            info.id.to_string(),
            hash,
            user.to_string(),
            info.created_at,
            expires_at,
            t.kind.to_string(),
            t.conversation_id.to_string(),
            t.artifact_id.map(|a| a.to_string()),
            t.version,
            t.folder,
            t.label
        ],
    )?;
    Ok(())
}

pub fn of_user(c: &Connection, user: Uuid, now: i64) -> Result<Vec<ShareInfo>, AppError> {
    let mut stmt = c.prepare(&format!(
        "SELECT id, created_at, expires_at, access_count, last_accessed_at, revoked_at IS NOT NULL, {TARGET_COLUMNS}
         FROM shares WHERE user_id = ?1 ORDER BY created_at DESC, rowid DESC"
    ))?;
    let rows = stmt.query_map([user.to_string()], |r| {
        let expires_at: Option<i64> = r.get(2)?;
        Ok(ShareInfo {
            id: uuid_col(r, 0)?,
            created_at: r.get(1)?,
            expires_at: expires_at.map(rfc3339),
            access_count: r.get(3)?,
            last_accessed_at: r.get(4)?,
            revoked: r.get(5)?,
            expired: expires_at.is_some_and(|at| at <= now),
            target: target(r, 6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn revoke(c: &Connection, user: Uuid, id: Uuid, now: &str) -> Result<bool, AppError> {
    let changed = c.execute(
        "UPDATE shares SET revoked_at = COALESCE(revoked_at, ?3) WHERE id = ?1 AND user_id = ?2",
        params![id.to_string(), user.to_string(), now],
    )?;
    Ok(changed > 0)
}

// One statement: a revocation is seen by the next visit.
pub fn visit(c: &Connection, hash: &str, now: i64) -> Result<Result<Live, Option<Dead>>, AppError> {
    let live = c
        .query_row(
            &format!(
                "UPDATE shares SET access_count = access_count + 1, last_accessed_at = ?3
                 WHERE hash = ?1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)
                 RETURNING id, user_id, expires_at, {TARGET_COLUMNS}"
            ),
            params![hash, now, rfc3339(now)],
            |r| Ok(Live { id: uuid_col(r, 0)?, owner: uuid_col(r, 1)?, expires_at: r.get(2)?, target: target(r, 3)? }),
        )
        .optional()?;
    match live {
        Some(live) => Ok(Ok(live)),
        // Not live, as the update just found: it is missing, revoked or expired.
        None => Ok(Err(standing_by(c, "hash", hash, now)?.err().flatten())),
    }
}

pub fn live(c: &Connection, id: Uuid, now: i64) -> Result<Result<(), Option<Dead>>, AppError> {
    standing_by(c, "id", &id.to_string(), now)
}

fn standing_by(c: &Connection, column: &str, value: &str, now: i64) -> Result<Result<(), Option<Dead>>, AppError> {
    let row: Option<(bool, Option<i64>)> = c
        .query_row(
            &format!("SELECT revoked_at IS NOT NULL, expires_at FROM shares WHERE {column} = ?1"),
            [value],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(standing(row, now))
}
