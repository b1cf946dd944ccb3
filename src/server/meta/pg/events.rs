//! Events as rows (`0005_events.sql`), written by the transaction of the
//! change they tell of and told to every instance's listener at its commit
//! (`listen.rs`), which reads them back. Each NOTIFY's payload begins with
//! the schema's name: instances of other schemas share the channels.

use crate::error::AppError;
use crate::server::events::{Draft, Subject};
use sqlx::postgres::PgPool;
use sqlx::{PgConnection, PgExecutor};
use std::time::Duration;
use uuid::Uuid;

pub const EVENTS: &str = "vitrine_events";
pub const CACHE: &str = "vitrine_cache";

/// The schema these tables are in, as the notifications name it.
macro_rules! schema {
    () => {
        "SELECT nspname::text FROM pg_namespace WHERE oid = (SELECT relnamespace FROM pg_class WHERE oid = 'events'::regclass)"
    };
}
pub const SCHEMA: &str = schema!();

/// Version ids per `vitrine_cache` notification: a payload is at most
/// 8000 bytes, an id 37 with its space.
const IDS_PER_NOTICE: usize = 200;

/// Writes `drafts` as rows and tells the listeners their ids (`{schema}
/// {first} {last}`); the newest's id. From here to the commit the
/// transaction holds one lock that every writer of events takes: ids are
/// given in commit order, the order in which every listener hears them, so
/// each instance's streams see them increase. One statement takes the lock,
/// inserts and notifies: every writer of every instance waits for the lock
/// in turn, so it is held for that one round trip and the commit only.
pub(super) async fn write(c: &mut PgConnection, drafts: Vec<Draft>) -> Result<Option<u64>, AppError> {
    if drafts.is_empty() {
        return Ok(None);
    }
    let (mut kinds, mut owners, mut conversations, mut artifacts, mut data) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for d in drafts {
        kinds.push(<&str>::from(d.kind));
        owners.push(d.subject.user);
        conversations.push(d.subject.conversation);
        artifacts.push(d.subject.artifact);
        data.push(d.data);
    }
    // The lock is a CTE the insert's rows join, so it is taken before the
    // first id is (a CTE with a volatile function is run once, never
    // inlined); the notification is made from the ids inserted.
    let last: i64 = sqlx::query_scalar(concat!(
        "WITH locked AS (SELECT pg_advisory_xact_lock(hashtextextended('vitrine events', 0))),
         new AS (
             INSERT INTO events (kind, owner, conversation_id, artifact_id, data)
             SELECT kind, owner, conversation_id, artifact_id, data
             FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[])
                  WITH ORDINALITY AS e(kind, owner, conversation_id, artifact_id, data, n), locked
             ORDER BY n RETURNING id),
         ids AS (SELECT min(id) AS first, max(id) AS last FROM new)
         SELECT last, pg_notify($6, (",
        schema!(),
        ") || ' ' || first || ' ' || last) FROM ids"
    ))
    .bind(kinds)
    .bind(owners)
    .bind(conversations)
    .bind(artifacts)
    .bind(data)
    .bind(EVENTS)
    .fetch_one(&mut *c)
    .await?;
    Ok(Some(last as u64))
}

/// Tells the listeners that `versions` were deleted, for their caches.
pub(super) async fn deleted(c: &mut PgConnection, versions: &[Uuid]) -> Result<(), AppError> {
    for chunk in versions.chunks(IDS_PER_NOTICE) {
        let ids: Vec<String> = chunk.iter().map(Uuid::to_string).collect();
        notify(c, CACHE, &ids.join(" ")).await?;
    }
    Ok(())
}

async fn notify(c: &mut PgConnection, channel: &str, rest: &str) -> Result<(), AppError> {
    sqlx::query(concat!("SELECT pg_notify($1, (", schema!(), ") || ' ' || $2)"))
        .bind(channel)
        .bind(rest)
        .execute(c)
        .await?;
    Ok(())
}

/// The events with ids `first..=last`, in id order (one transaction's).
pub(super) async fn between(c: impl PgExecutor<'_>, first: i64, last: i64) -> Result<Vec<(u64, Draft)>, AppError> {
    let rows: Vec<(i64, String, Uuid, Uuid, Option<Uuid>, String)> = sqlx::query_as(
        "SELECT id, kind, owner, conversation_id, artifact_id, data FROM events WHERE id BETWEEN $1 AND $2 ORDER BY id",
    )
    .bind(first)
    .bind(last)
    .fetch_all(c)
    .await?;
    rows.into_iter()
        .map(|(id, kind, user, conversation, artifact, data)| {
            let kind =
                kind.parse().map_err(|_| AppError::Internal(format!("database: event {id} of kind {kind:?}")))?;
            Ok((id as u64, Draft { kind, subject: Subject { user, conversation, artifact }, data }))
        })
        .collect()
}

/// The newest event's id (0 when there is none).
pub(super) async fn latest(c: impl PgExecutor<'_>) -> Result<u64, AppError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM events").fetch_one(c).await?;
    Ok(id.unwrap_or(0) as u64)
}

/// Deletes (or, dry, counts) the events older than `max_age`: no instance
/// keeps them any longer. How many.
pub(in crate::server::meta) async fn prune(p: PgPool, max_age: Duration, dry_run: bool) -> Result<u64, AppError> {
    macro_rules! old {
        () => {
            "FROM events WHERE created_at < now() - make_interval(secs => $1)"
        };
    }
    let secs = max_age.as_secs_f64();
    Ok(if dry_run {
        sqlx::query_scalar::<_, i64>(concat!("SELECT count(*) ", old!())).bind(secs).fetch_one(&p).await? as u64
    } else {
        sqlx::query(concat!("DELETE ", old!())).bind(secs).execute(&p).await?.rows_affected()
    })
}
