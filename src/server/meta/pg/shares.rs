//! The `shares` table.

use crate::error::AppError;
use crate::server::clock::rfc3339;
use crate::server::meta::rows::standing;
use crate::server::meta::{Dead, Live};
use crate::share::{ShareInfo, ShareTarget};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::Row;
use uuid::Uuid;

/// The columns of a target, in the order [`target`] reads them; a macro,
/// so that the queries that name them stay literal text.
macro_rules! target_columns {
    () => {
        "kind, conversation_id, artifact_id, version, folder, label"
    };
}

/// The target from the six columns of `target_columns!`, from `at`.
fn target(r: &PgRow, at: usize) -> Result<ShareTarget, AppError> {
    let kind: String = r.try_get(at)?;
    let version: Option<i64> = r.try_get(at + 3)?;
    Ok(ShareTarget {
        kind: kind.parse().map_err(|e| AppError::Internal(format!("database: share kind {kind:?}: {e}")))?,
        conversation_id: r.try_get(at + 1)?,
        artifact_id: r.try_get(at + 2)?,
        version: version.map(u32::try_from).transpose().map_err(|e| AppError::Internal(format!("database: {e}")))?,
        folder: r.try_get(at + 4)?,
        label: r.try_get(at + 5)?,
    })
}

pub(in crate::server::meta) async fn insert(
    p: PgPool,
    hash: String,
    user: Uuid,
    info: ShareInfo,
    expires_at: Option<i64>,
) -> Result<(), AppError> {
    let t = info.target;
    sqlx::query(concat!(
        "INSERT INTO shares (id, hash, user_id, created_at, expires_at, ",
        target_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(info.id)
    .bind(hash)
    .bind(user)
    .bind(info.created_at)
    .bind(expires_at)
    .bind(t.kind.to_string())
    .bind(t.conversation_id)
    .bind(t.artifact_id)
    .bind(t.version.map(i64::from))
    .bind(t.folder)
    .bind(t.label)
    .execute(&p)
    .await?;
    Ok(())
}

pub(in crate::server::meta) async fn of_user(p: PgPool, user: Uuid, now: i64) -> Result<Vec<ShareInfo>, AppError> {
    let rows = sqlx::query(concat!(
        "SELECT id, created_at, expires_at, access_count, last_accessed_at, revoked_at IS NOT NULL, ",
        target_columns!(),
        " FROM shares WHERE user_id = $1 ORDER BY created_at DESC, seq DESC"
    ))
    .bind(user)
    .fetch_all(&p)
    .await?;
    rows.iter()
        .map(|r| {
            let expires_at: Option<i64> = r.try_get(2)?;
            let access_count: i64 = r.try_get(3)?;
            Ok(ShareInfo {
                id: r.try_get(0)?,
                created_at: r.try_get(1)?,
                expires_at: expires_at.map(rfc3339),
                access_count: access_count.try_into().unwrap_or_default(),
                last_accessed_at: r.try_get(4)?,
                revoked: r.try_get(5)?,
                expired: expires_at.is_some_and(|at| at <= now),
                target: target(r, 6)?,
            })
        })
        .collect()
}

pub(in crate::server::meta) async fn revoke(p: PgPool, user: Uuid, id: Uuid, now: String) -> Result<bool, AppError> {
    let changed = sqlx::query("UPDATE shares SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .bind(now)
        .execute(&p)
        .await?;
    Ok(changed.rows_affected() > 0)
}

// One statement: a revocation is seen by the next visit.
pub(in crate::server::meta) async fn visit(
    p: PgPool,
    hash: String,
    now: i64,
) -> Result<Result<Live, Option<Dead>>, AppError> {
    let row = sqlx::query(concat!(
        "UPDATE shares SET access_count = access_count + 1, last_accessed_at = $3
         WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
         RETURNING id, user_id, expires_at, ",
        target_columns!()
    ))
    .bind(&hash)
    .bind(now)
    .bind(rfc3339(now))
    .fetch_optional(&p)
    .await?;
    if let Some(r) = row {
        return Ok(Ok(Live {
            id: r.try_get(0)?,
            owner: r.try_get(1)?,
            expires_at: r.try_get(2)?,
            target: target(&r, 3)?,
        }));
    }
    // Not live, as the update just found: it is missing, revoked or expired.
    let row = sqlx::query_as("SELECT revoked_at IS NOT NULL, expires_at FROM shares WHERE hash = $1")
        .bind(hash)
        .fetch_optional(&p)
        .await?;
    Ok(Err(standing(row, now).err().flatten()))
}

pub(in crate::server::meta) async fn live(p: PgPool, id: Uuid, now: i64) -> Result<Result<(), Option<Dead>>, AppError> {
    let row = sqlx::query_as("SELECT revoked_at IS NOT NULL, expires_at FROM shares WHERE id = $1")
        .bind(id)
        .fetch_optional(&p)
        .await?;
    Ok(standing(row, now))
}
