//! The artifact index's rows (`0003_catalog.sql`): each version, and each
//! artifact with its latest version's fields. A message's versions are
//! numbered and written in one transaction with the message, under an
//! advisory lock per (conversation, path), so two instances writing one
//! path never give one number twice; `artifact_counts` changes in the same
//! transactions. The store reads them in `store/catalog/pg.rs`.

use super::{events, DB};
use crate::error::AppError;
use crate::model::GalleryType;
use crate::server::events::Draft;
use crate::server::meta::MessageRow;
use crate::server::store::catalog::memory::key_of;
use crate::server::store::sidecar::Sidecar;
use sqlx::postgres::{PgPool, PgRow, Postgres};
use sqlx::{PgConnection, Row, Transaction};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// A version row's columns, in the order [`sidecar`] reads them.
macro_rules! version_columns {
    () => {
        "v.id, v.artifact_id, v.version, v.conversation_id, v.name, v.size, v.mime_type, v.kind, v.created_at, \
         v.tool, v.message_id, v.path, v.sha256"
    };
}
pub(crate) use version_columns;

/// An artifact row from its latest version ($1 … $10) and its conversation
/// ($11, whose owner it copies: no row when the conversation is unknown).
macro_rules! insert_artifact {
    () => {
        "INSERT INTO artifacts (id, path, latest, next_version, version_count, name, kind, size, created_at, \
         created_ns, owner, conversation_id)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, owner, id FROM conversations WHERE id = $11
         ON CONFLICT (id) DO "
    };
}

/// A message's open transaction, its paths locked; rolled back unless
/// [`commit`] ends it.
pub struct Locked {
    tx: Option<Transaction<'static, Postgres>>,
    /// Per path: the latest version there and the number the next one gets.
    pub latest: HashMap<String, (Arc<Sidecar>, u32)>,
    /// How many versions the artifacts at those paths have.
    pub counts: HashMap<Uuid, u32>,
    /// The conversation's title.
    pub title: String,
}

impl Drop for Locked {
    fn drop(&mut self) {
        // On the database's runtime, whose connection this is.
        if let Some(tx) = self.tx.take() {
            DB.spawn(async move {
                let _ = tx.rollback().await;
            });
        }
    }
}

/// The key of the lock every writer of the rows shares and a rebuild
/// (`pg/reindex.rs`) takes alone.
macro_rules! catalog_lock {
    () => {
        "hashtextextended('vitrine catalog fill', 0)"
    };
}
pub(super) use catalog_lock;

/// Serialises the writers of one path of a conversation, whichever
/// instance they run in, until the transaction ends; first waits for a
/// rebuild of the rows, if one runs, before any row is read.
async fn lock_path(c: &mut PgConnection, conversation: Uuid, path: &str) -> Result<(), AppError> {
    // Evaluated in this order: the shared lock first.
    sqlx::query(concat!(
        "SELECT pg_advisory_xact_lock_shared(",
        catalog_lock!(),
        "), pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))"
    ))
    .bind(conversation.to_string())
    .bind(path)
    .execute(c)
    .await?;
    Ok(())
}

pub(in crate::server::meta) async fn lock_paths(
    p: PgPool,
    conversation: Uuid,
    mut paths: Vec<String>,
) -> Result<Locked, AppError> {
    // One order for every writer, so none waits on another in a circle.
    paths.sort_unstable();
    paths.dedup();
    let mut tx = p.begin().await?;
    let (mut latest, mut counts) = (HashMap::new(), HashMap::new());
    for path in paths {
        lock_path(&mut tx, conversation, &path).await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            version_columns!(),
            ", a.next_version, a.version_count FROM artifacts a JOIN versions v ON v.id = a.latest
             WHERE a.conversation_id = $1 AND a.path = $2 ORDER BY a.created_ns DESC, a.id DESC LIMIT 1"
        ))
        .bind(conversation)
        .bind(&path)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            let (next, count): (i32, i32) = (row.try_get(13)?, row.try_get(14)?);
            let meta = sidecar(&row)?;
            counts.insert(meta.artifact_id(), count as u32);
            latest.insert(path, (Arc::new(meta), next as u32));
        }
    }
    let title = sqlx::query_scalar("SELECT title FROM conversations WHERE id = $1")
        .bind(conversation)
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or_default();
    Ok(Locked { tx: Some(tx), latest, counts, title })
}

/// The message, its new versions (each its artifact's latest) and their
/// events, then `COMMIT`: the point from which every instance finds them.
pub(in crate::server::meta) async fn commit(
    mut locked: Locked,
    conversation: Uuid,
    message: MessageRow,
    fresh: Vec<Arc<Sidecar>>,
    drafts: Vec<Draft>,
) -> Result<((), Option<u64>), AppError> {
    let mut tx = locked.tx.take().ok_or_else(|| AppError::Internal("a message committed twice".into()))?;
    super::add_message(&mut *tx, conversation, &message).await?;
    let mut new = Counted::default();
    for v in &fresh {
        // `xmax = 0`: the row was inserted, not updated (a new artifact).
        let upsert = concat!(
            insert_artifact!(),
            "UPDATE SET latest = EXCLUDED.latest, next_version = EXCLUDED.next_version,
             version_count = artifacts.version_count + 1, name = EXCLUDED.name, kind = EXCLUDED.kind,
             size = EXCLUDED.size, created_at = EXCLUDED.created_at, created_ns = EXCLUDED.created_ns
             RETURNING xmax = 0"
        );
        if put_artifact(&mut tx, upsert, v, v.version + 1, 1).await? == Some(true) {
            new.add(conversation, v.kind.index() as i16, 1);
        }
        put_version(&mut tx, v).await?;
    }
    new.write(&mut tx).await?;
    let last = events::write(&mut tx, drafts).await?;
    tx.commit().await?;
    Ok(((), last))
}

/// Changes of `artifact_counts`' rows, per conversation and kind, in the
/// order they are written: every transaction takes those rows' locks in
/// that one order, so none waits on another in a circle.
#[derive(Default)]
struct Counted(std::collections::BTreeMap<(Uuid, i16), i64>);

/// A user's total in `artifact_counts` is one row per shard (`u0`…), a
/// conversation's in the shard of its id: ingests into different
/// conversations do not all wait for one row's lock.
const SHARDS: u128 = 8;

/// The scopes of a user's total.
pub(crate) fn shards() -> Vec<String> {
    (0..SHARDS).map(|n| format!("u{n}")).collect()
}

impl Counted {
    fn add(&mut self, conversation: Uuid, kind: i16, n: i64) {
        *self.0.entry((conversation, kind)).or_default() += n;
    }

    /// Adds the changes to the conversation's count and to its shard of its
    /// owner's total.
    async fn write(self, c: &mut PgConnection) -> Result<(), AppError> {
        for ((conversation, kind), n) in self.0.into_iter().filter(|(_, n)| *n != 0) {
            sqlx::query(
                "INSERT INTO artifact_counts (owner, scope, kind, n)
                 SELECT owner, scope, $3, $4 FROM conversations, unnest(ARRAY[$2, $5]) scope WHERE id = $1
                 ON CONFLICT (owner, scope, kind) DO UPDATE SET n = artifact_counts.n + EXCLUDED.n",
            )
            .bind(conversation)
            .bind(conversation.to_string())
            .bind(kind)
            .bind(n)
            .bind(shard(conversation))
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    }
}

/// The scope of an owner's total that counts a conversation's artifacts.
pub(super) fn shard(conversation: Uuid) -> String {
    format!("u{}", conversation.as_u128() % SHARDS)
}

/// What `sql` returns of the row written: `None` when none was.
async fn put_artifact(
    c: &mut PgConnection,
    sql: &'static str,
    latest: &Sidecar,
    next_version: u32,
    count: u32,
) -> Result<Option<bool>, AppError> {
    Ok(sqlx::query_scalar(sql)
        .bind(latest.artifact_id())
        .bind(&latest.path)
        .bind(latest.id)
        .bind(next_version as i32)
        .bind(count as i32)
        .bind(&latest.name)
        .bind(latest.kind.index() as i16)
        .bind(latest.size as i64)
        .bind(&latest.created_at)
        .bind(created_ns(latest))
        .bind(latest.conversation_id)
        .fetch_optional(c)
        .await?)
}

async fn put_version(c: &mut PgConnection, v: &Sidecar) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO versions (id, artifact_id, version, conversation_id, name, size, mime_type, kind, created_at,
         tool, message_id, path, sha256, created_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(v.id)
    .bind(v.artifact_id())
    .bind(v.version as i32)
    .bind(v.conversation_id)
    .bind(&v.name)
    .bind(v.size as i64)
    .bind(&v.mime_type)
    .bind(v.kind.index() as i16)
    .bind(&v.created_at)
    .bind(&v.tool)
    .bind(v.message_id)
    .bind(&v.path)
    .bind(&v.sha256)
    .bind(created_ns(v))
    .execute(c)
    .await?;
    Ok(())
}

/// The listings' order: the in-memory index's key, in nanoseconds.
pub(super) fn created_ns(v: &Sidecar) -> i64 {
    key_of(v).0.try_into().unwrap_or(i64::MAX)
}

pub(crate) fn sidecar(row: &PgRow) -> Result<Sidecar, AppError> {
    let id: Uuid = row.try_get(0)?;
    let artifact_id: Uuid = row.try_get(1)?;
    let kind: i16 = row.try_get(7)?;
    Ok(Sidecar {
        id,
        // As the sidecar says it: version 1 names no artifact but itself.
        artifact_id: (artifact_id != id).then_some(artifact_id),
        version: row.try_get::<i32, _>(2)? as u32,
        conversation_id: row.try_get(3)?,
        name: row.try_get(4)?,
        size: row.try_get::<i64, _>(5)? as u64,
        mime_type: row.try_get(6)?,
        kind: *GalleryType::ALL
            .get(kind as usize)
            .ok_or_else(|| AppError::Internal(format!("database: version {id} has kind {kind}")))?,
        created_at: row.try_get(8)?,
        tool: row.try_get(9)?,
        message_id: row.try_get(10)?,
        path: row.try_get(11)?,
        sha256: row.try_get(12)?,
    })
}

/// Deletes the artifacts at a path (only `id`, when given), their versions
/// with them, and tells of it.
pub(in crate::server::meta) async fn delete_artifacts(
    p: PgPool,
    conversation: Uuid,
    path: String,
    id: Option<Uuid>,
) -> Result<((), Option<u64>), AppError> {
    let mut tx = p.begin().await?;
    lock_path(&mut tx, conversation, &path).await?;
    let versions: Vec<Uuid> = sqlx::query_scalar(
        "SELECT v.id FROM versions v JOIN artifacts a ON a.id = v.artifact_id
         WHERE a.conversation_id = $1 AND a.path = $2 AND ($3::uuid IS NULL OR a.id = $3)",
    )
    .bind(conversation)
    .bind(&path)
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    tombstone(&mut tx, &versions).await?;
    let deleted: Vec<(i16, Uuid, Uuid)> = sqlx::query_as(
        "DELETE FROM artifacts WHERE conversation_id = $1 AND path = $2 AND ($3::uuid IS NULL OR id = $3)
         RETURNING kind, id, owner",
    )
    .bind(conversation)
    .bind(&path)
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let mut gone = Counted::default();
    for (kind, ..) in &deleted {
        gone.add(conversation, *kind, -1);
    }
    gone.write(&mut tx).await?;
    let drafts = deleted.iter().filter_map(|(_, id, owner)| Draft::deleted(*owner, conversation, *id)).collect();
    // Caches first: an instance that streams the event has dropped them.
    events::deleted(&mut tx, &versions).await?;
    let last = events::write(&mut tx, drafts).await?;
    tx.commit().await?;
    Ok(((), last))
}

/// Deletes one version, its artifact's latest then being the highest
/// number left, with its events; false, deleting nothing, when it is the
/// only one.
pub(in crate::server::meta) async fn delete_version(
    p: PgPool,
    version: Arc<Sidecar>,
    drafts: Vec<Draft>,
) -> Result<(bool, Option<u64>), AppError> {
    let artifact = version.artifact_id();
    let mut tx = p.begin().await?;
    lock_path(&mut tx, version.conversation_id, &version.path).await?;
    let count: Option<i32> = sqlx::query_scalar("SELECT version_count FROM artifacts WHERE id = $1 FOR UPDATE")
        .bind(artifact)
        .fetch_optional(&mut *tx)
        .await?;
    if count.is_some_and(|n| n < 2) {
        return Ok((false, None));
    }
    tombstone(&mut tx, &[version.id]).await?;
    let deleted = sqlx::query("DELETE FROM versions WHERE id = $1").bind(version.id).execute(&mut *tx).await?;
    let mut last = None;
    if deleted.rows_affected() > 0 {
        sqlx::query(
            "UPDATE artifacts a SET latest = v.id, name = v.name, kind = v.kind, size = v.size,
             created_at = v.created_at, created_ns = v.created_ns, version_count = a.version_count - 1
             FROM (SELECT id, name, kind, size, created_at, created_ns FROM versions WHERE artifact_id = $1
                   ORDER BY version DESC LIMIT 1) v
             WHERE a.id = $1",
        )
        .bind(artifact)
        .execute(&mut *tx)
        .await?;
        events::deleted(&mut tx, &[version.id]).await?;
        last = events::write(&mut tx, drafts).await?;
    }
    tx.commit().await?;
    Ok((true, last))
}

/// Records the versions as deleted (`deleted_versions`), before their
/// rows go: their objects may outlive them (a crash before they are
/// removed), and no reindex may bring them back or give their numbers again.
async fn tombstone(c: &mut PgConnection, versions: &[Uuid]) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO deleted_versions (id, artifact_id, version)
         SELECT id, artifact_id, version FROM versions WHERE id = ANY($1) ON CONFLICT (id) DO NOTHING",
    )
    .bind(versions)
    .execute(c)
    .await?;
    Ok(())
}

pub(in crate::server::meta) async fn is_empty(p: PgPool) -> Result<bool, AppError> {
    Ok(!sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM versions)").fetch_one(&p).await?)
}
