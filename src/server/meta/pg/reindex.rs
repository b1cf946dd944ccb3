//! The catalog's rows (`versions`, `artifacts`, `artifact_counts`) made
//! anew from the store's sidecars, in one transaction: `vitrine reindex`,
//! and start-up's fill of an empty catalog. Serving instances read the old
//! rows until the commit, the new ones after; writers wait for it, under
//! the lock they share (`catalog::lock_path`).
//!
//! A sidecar is no version when its id is tombstoned (`deleted_versions`:
//! deleted, its objects left by a crash), when its message has no row (a
//! crash between the sidecar's write and its transaction's commit), or when
//! its conversation is unknown. Each artifact's `next_version` never goes
//! down, nor to a tombstoned number: no number is given twice.

use super::catalog::{catalog_lock, created_ns, shard};
use crate::error::AppError;
use crate::server::store::sidecar::Sidecar;
use sqlx::postgres::PgPool;
use sqlx::PgConnection;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::time::Duration;
use uuid::Uuid;

/// Rows per insert: each column goes as one array.
const BATCH: usize = 10_000;

/// What a rebuild found, and what it wrote (in a dry run, would write).
#[derive(Debug, Default)]
pub struct Rebuilt {
    pub versions: usize,
    pub artifacts: usize,
    pub versions_before: i64,
    pub artifacts_before: i64,
    /// Sidecars of versions never committed (their message has no row).
    pub orphans: usize,
    /// Sidecars of deleted versions.
    pub tombstoned: usize,
    /// Sidecars of conversations that have no row.
    pub unknown: usize,
    /// Per user: name, artifacts counted before and after.
    pub users: Vec<(String, i64, i64)>,
}

/// An artifact as its row will be.
struct Artifact<'a> {
    latest: &'a Sidecar,
    owner: Uuid,
    count: i32,
    next: i32,
}

/// Rebuilds the rows from what `scan` finds, which runs once the writers
/// are locked out (a version committed before is in the store, and one
/// committed after waits for this transaction). With `only_if_empty`, none when
/// `versions` has rows (another instance filled it first).
pub(in crate::server::meta) async fn rebuild(
    p: PgPool,
    scan: impl FnOnce() -> io::Result<Vec<Sidecar>> + Send + 'static,
    only_if_empty: bool,
    dry_run: bool,
) -> Result<Option<Rebuilt>, AppError> {
    let mut tx = p.begin().await?;
    // Alone: every writer of the rows shares this lock from its first
    // statement (`catalog::lock_path`), so writers in flight end first and
    // new ones wait. Readers go on, on the rows as they were. A dry run
    // shares it, keeping no writer waiting.
    let lock = if dry_run {
        concat!("SELECT pg_advisory_xact_lock_shared(", catalog_lock!(), ")")
    } else {
        concat!("SELECT pg_advisory_xact_lock(", catalog_lock!(), ")")
    };
    sqlx::query(lock).execute(&mut *tx).await?;
    let versions_before: i64 = sqlx::query_scalar("SELECT count(*) FROM versions").fetch_one(&mut *tx).await?;
    if only_if_empty && versions_before > 0 {
        return Ok(None);
    }
    let found = tokio::task::spawn_blocking(scan).await??;
    let mut rebuilt = Rebuilt { versions_before, ..Rebuilt::default() };
    rebuilt.artifacts_before = sqlx::query_scalar("SELECT count(*) FROM artifacts").fetch_one(&mut *tx).await?;
    let kept = keep(&mut tx, &found, &mut rebuilt).await?;
    let artifacts = artifacts(&mut tx, &kept).await?;
    rebuilt.versions = kept.len();
    rebuilt.artifacts = artifacts.len();
    let counts = counts(&artifacts);
    rebuilt.users = users(&mut tx, &artifacts).await?;
    if dry_run {
        tx.rollback().await?;
        return Ok(Some(rebuilt));
    }
    for delete in ["DELETE FROM versions", "DELETE FROM artifacts", "DELETE FROM artifact_counts"] {
        sqlx::query(delete).execute(&mut *tx).await?;
    }
    let mut artifacts: Vec<(&Uuid, &Artifact)> = artifacts.iter().collect();
    artifacts.sort_unstable_by_key(|(id, _)| **id);
    for batch in artifacts.chunks(BATCH) {
        insert_artifacts(&mut tx, batch).await?;
    }
    for batch in kept.chunks(BATCH) {
        insert_versions(&mut tx, batch).await?;
    }
    insert_counts(&mut tx, counts).await?;
    // Rows changed without events: every instance's cached listings are old.
    sqlx::query("UPDATE catalog_rebuilds SET n = n + 1").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(rebuilt))
}

/// The sidecars that are versions; counts those that are not.
async fn keep<'a>(
    c: &mut PgConnection,
    found: &'a [Sidecar],
    rebuilt: &mut Rebuilt,
) -> Result<Vec<(&'a Sidecar, Uuid)>, AppError> {
    let ids: Vec<Uuid> = found.iter().map(|v| v.id).collect();
    let tombstoned: HashSet<Uuid> = sqlx::query_scalar("SELECT id FROM deleted_versions WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .collect();
    let messages: HashSet<Uuid> = found.iter().map(|v| v.message_id).collect();
    let committed: HashSet<Uuid> = sqlx::query_scalar("SELECT id FROM messages WHERE id = ANY($1)")
        .bind(messages.into_iter().collect::<Vec<_>>())
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .collect();
    let conversations: HashSet<Uuid> = found.iter().map(|v| v.conversation_id).collect();
    let owners: HashMap<Uuid, Uuid> = sqlx::query_as("SELECT id, owner FROM conversations WHERE id = ANY($1)")
        .bind(conversations.into_iter().collect::<Vec<_>>())
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .collect();
    let mut kept = Vec::new();
    for v in found {
        if tombstoned.contains(&v.id) {
            rebuilt.tombstoned += 1;
        } else if !committed.contains(&v.message_id) {
            rebuilt.orphans += 1;
        } else if let Some(owner) = owners.get(&v.conversation_id) {
            kept.push((v, *owner));
        } else {
            rebuilt.unknown += 1;
        }
    }
    Ok(kept)
}

/// Per artifact: its latest version, count, and the next number, above
/// every number its row, its versions and its tombstones have given.
async fn artifacts<'a>(
    c: &mut PgConnection,
    kept: &[(&'a Sidecar, Uuid)],
) -> Result<HashMap<Uuid, Artifact<'a>>, AppError> {
    let mut artifacts: HashMap<Uuid, Artifact> = HashMap::new();
    for &(v, owner) in kept {
        let a = artifacts.entry(v.artifact_id()).or_insert(Artifact { latest: v, owner, count: 0, next: 0 });
        a.count += 1;
        if v.version > a.latest.version {
            a.latest = v;
        }
        a.next = a.next.max(v.version as i32 + 1);
    }
    let ids: Vec<Uuid> = artifacts.keys().copied().collect();
    let given: Vec<(Uuid, i32)> = sqlx::query_as(
        "SELECT id, next_version FROM artifacts WHERE id = ANY($1)
         UNION ALL SELECT artifact_id, max(version) + 1 FROM deleted_versions WHERE artifact_id = ANY($1)
         GROUP BY artifact_id",
    )
    .bind(&ids)
    .fetch_all(&mut *c)
    .await?;
    for (id, next) in given {
        if let Some(a) = artifacts.get_mut(&id) {
            a.next = a.next.max(next);
        }
    }
    Ok(artifacts)
}

/// `artifact_counts`' rows: per owner, scope (the conversation, and its
/// shard of the owner's total) and kind.
fn counts(artifacts: &HashMap<Uuid, Artifact>) -> BTreeMap<(Uuid, String, i16), i64> {
    let mut counts = BTreeMap::new();
    for a in artifacts.values() {
        let (conversation, kind) = (a.latest.conversation_id, a.latest.kind.index() as i16);
        for scope in [conversation.to_string(), shard(conversation)] {
            *counts.entry((a.owner, scope, kind)).or_default() += 1;
        }
    }
    counts
}

/// Each user's artifacts as the gallery counts them now, and after.
async fn users(
    c: &mut PgConnection,
    artifacts: &HashMap<Uuid, Artifact<'_>>,
) -> Result<Vec<(String, i64, i64)>, AppError> {
    let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.name, coalesce((SELECT sum(n) FROM artifact_counts
                                        WHERE owner = u.id AND scope LIKE 'u%'), 0)::bigint
         FROM users u ORDER BY u.name",
    )
    .fetch_all(c)
    .await?;
    let mut after: HashMap<Uuid, i64> = HashMap::new();
    for a in artifacts.values() {
        *after.entry(a.owner).or_default() += 1;
    }
    Ok(rows.into_iter().map(|(id, name, before)| (name, before, after.get(&id).copied().unwrap_or(0))).collect())
}

async fn insert_artifacts(c: &mut PgConnection, batch: &[(&Uuid, &Artifact<'_>)]) -> Result<(), AppError> {
    let column = |f: fn(&Artifact) -> String| batch.iter().map(|(_, a)| f(a)).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO artifacts (id, owner, conversation_id, path, latest, next_version, version_count, name, kind,
                                size, created_at, created_ns)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::int4[], $7::int4[],
                              $8::text[], $9::int2[], $10::int8[], $11::text[], $12::int8[])",
    )
    .bind(batch.iter().map(|(id, _)| **id).collect::<Vec<_>>())
    .bind(batch.iter().map(|(_, a)| a.owner).collect::<Vec<_>>())
    .bind(batch.iter().map(|(_, a)| a.latest.conversation_id).collect::<Vec<_>>())
    .bind(column(|a| a.latest.path.clone()))
    .bind(batch.iter().map(|(_, a)| a.latest.id).collect::<Vec<_>>())
    .bind(batch.iter().map(|(_, a)| a.next).collect::<Vec<_>>())
    .bind(batch.iter().map(|(_, a)| a.count).collect::<Vec<_>>())
    .bind(column(|a| a.latest.name.clone()))
    .bind(batch.iter().map(|(_, a)| a.latest.kind.index() as i16).collect::<Vec<_>>())
    .bind(batch.iter().map(|(_, a)| a.latest.size as i64).collect::<Vec<_>>())
    .bind(column(|a| a.latest.created_at.clone()))
    .bind(batch.iter().map(|(_, a)| created_ns(a.latest)).collect::<Vec<_>>())
    .execute(c)
    .await?;
    Ok(())
}

async fn insert_versions(c: &mut PgConnection, batch: &[(&Sidecar, Uuid)]) -> Result<(), AppError> {
    let column = |f: fn(&Sidecar) -> String| batch.iter().map(|(v, _)| f(v)).collect::<Vec<_>>();
    let ids = |f: fn(&Sidecar) -> Uuid| batch.iter().map(|(v, _)| f(v)).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO versions (id, artifact_id, version, conversation_id, message_id, name, path, size, mime_type,
                               kind, tool, sha256, created_at, created_ns)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int4[], $4::uuid[], $5::uuid[], $6::text[], $7::text[],
                              $8::int8[], $9::text[], $10::int2[], $11::text[], $12::text[], $13::text[], $14::int8[])",
    )
    .bind(ids(|v| v.id))
    .bind(ids(Sidecar::artifact_id))
    .bind(batch.iter().map(|(v, _)| v.version as i32).collect::<Vec<_>>())
    .bind(ids(|v| v.conversation_id))
    .bind(ids(|v| v.message_id))
    .bind(column(|v| v.name.clone()))
    .bind(column(|v| v.path.clone()))
    .bind(batch.iter().map(|(v, _)| v.size as i64).collect::<Vec<_>>())
    .bind(column(|v| v.mime_type.clone()))
    .bind(batch.iter().map(|(v, _)| v.kind.index() as i16).collect::<Vec<_>>())
    .bind(column(|v| v.tool.clone()))
    .bind(column(|v| v.sha256.clone()))
    .bind(column(|v| v.created_at.clone()))
    .bind(batch.iter().map(|(v, _)| created_ns(v)).collect::<Vec<_>>())
    .execute(c)
    .await?;
    Ok(())
}

async fn insert_counts(c: &mut PgConnection, counts: BTreeMap<(Uuid, String, i16), i64>) -> Result<(), AppError> {
    let rows: Vec<_> = counts.into_iter().collect();
    for batch in rows.chunks(BATCH) {
        sqlx::query(
            "INSERT INTO artifact_counts (owner, scope, kind, n)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::int2[], $4::int8[])",
        )
        .bind(batch.iter().map(|((owner, ..), _)| *owner).collect::<Vec<_>>())
        .bind(batch.iter().map(|((_, scope, _), _)| scope.clone()).collect::<Vec<_>>())
        .bind(batch.iter().map(|((.., kind), _)| *kind).collect::<Vec<_>>())
        .bind(batch.iter().map(|(_, n)| *n).collect::<Vec<_>>())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Every tombstone's version id, for `vitrine gc` to remove their objects.
pub(in crate::server::meta) async fn tombstones(p: PgPool) -> Result<Vec<Uuid>, AppError> {
    Ok(sqlx::query_scalar("SELECT id FROM deleted_versions").fetch_all(&p).await?)
}

/// Deletes (counts, in a dry run) the tombstones of `gone`, versions none
/// of whose objects are left, once older than `grace`.
pub(in crate::server::meta) async fn forget_tombstones(
    p: PgPool,
    gone: Vec<Uuid>,
    grace: Duration,
    dry_run: bool,
) -> Result<u64, AppError> {
    macro_rules! old {
        () => {
            "FROM deleted_versions WHERE id = ANY($1) AND deleted_at < now() - make_interval(secs => $2)"
        };
    }
    let secs = grace.as_secs_f64();
    Ok(if dry_run {
        sqlx::query_scalar::<_, i64>(concat!("SELECT count(*) ", old!())).bind(gone).bind(secs).fetch_one(&p).await?
            as u64
    } else {
        sqlx::query(concat!("DELETE ", old!())).bind(gone).bind(secs).execute(&p).await?.rows_affected()
    })
}
