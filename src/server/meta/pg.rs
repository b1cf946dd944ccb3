//! The metadata in PostgreSQL (`database_url`), which several instances
//! share. Each function is the PostgreSQL side of the `Meta` method named
//! alike, documented there. The schema is `pg/NNNN_*.sql`, append only, run
//! at start-up by sqlx's migrator, whose advisory lock lets instances that
//! start together migrate once. Each instance listens for deletions of
//! tokens and sessions, for events and for deleted versions (`listen.rs`).
//!
//! Every query runs on a runtime of this module's own, the caller awaiting
//! (or, at start-up, blocking on) its answer. Its own, because `Meta`'s
//! set-up methods are synchronous and called from async code (start-up, the
//! command line), where `block_on` panics, and a pool's connections belong
//! to the runtime that made them, which for a test ends with the test.

pub(super) mod bulk;
pub mod catalog;
pub(super) mod events;
pub mod limits;
pub mod listen;
pub mod reindex;
pub(super) mod shares;

use super::{ConversationRecord, MessageRow, SessionRow, TokenOwner, TokenRow, UserRow};
use crate::account::{Scope, SessionInfo, TokenInfo};
use crate::error::AppError;
use crate::server::clock::rfc3339;
use crate::server::events::Draft;
use crate::server::io_runtime::IoRuntime;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgExecutor, PgPool, PgPoolOptions};
use sqlx::{Connection, Row, SqlSafeStr};
use std::future::Future;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// The schema's changes, in order, with their numbers; append only.
const MIGRATIONS: [(i64, &str, &str); 8] = [
    (1, "init", include_str!("pg/0001_init.sql")),
    (2, "notify_auth", include_str!("pg/0002_notify_auth.sql")),
    (3, "catalog", include_str!("pg/0003_catalog.sql")),
    (4, "search", include_str!("pg/0004_search.sql")),
    (5, "events", include_str!("pg/0005_events.sql")),
    (6, "tombstones", include_str!("pg/0006_tombstones.sql")),
    (7, "listing_generation", include_str!("pg/0007_listing_generation.sql")),
    (8, "sign_in_limits", include_str!("pg/0008_sign_in_limits.sql")),
];

/// How long a query waits for a connection before the database is
/// unavailable (503): someone waits for it.
const ACQUIRE_SECONDS: u64 = 5;
/// How long start-up waits for the database.
const CONNECT_SECONDS: u64 = 10;
/// How long a write waits for its events to be streamed here.
const HEARD_SECONDS: u64 = 5;

static DB: IoRuntime = IoRuntime::new("postgres", 2);

/// Where the database is: a `postgres://` URL. Never shown with its
/// password.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: String,
    options: PgConnectOptions,
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let url = url::Url::parse(s).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(format!("expected postgres://…, got {}://…", url.scheme()));
        }
        let options = PgConnectOptions::from_str(s).map_err(|e| e.to_string())?;
        Ok(Self { url: s.to_string(), options })
    }
}

/// The URL as given, to be written back into settings.
impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

impl DatabaseUrl {
    /// The URL without its password, for messages.
    fn shown(&self) -> String {
        let mut url = url::Url::parse(&self.url).expect("parsed when read");
        let _ = url.set_password(None);
        url.to_string()
    }
}

#[derive(Clone)]
pub struct Pg {
    pool: PgPool,
    /// The newest event this instance's listener has streamed; `None`
    /// while none listens.
    heard: Arc<watch::Sender<Option<u64>>>,
}

impl Pg {
    /// Connects to `url` and brings its schema up to date; a database that
    /// cannot be reached is one line naming it.
    pub fn connect(url: &DatabaseUrl) -> Result<Self, AppError> {
        let failed = |e: &dyn std::fmt::Display| AppError::BadRequest(format!("database_url {}: {e}", url.shown()));
        let options = url.options.clone();
        let timeout = Duration::from_secs(CONNECT_SECONDS);
        // One connection first: the pool would retry a refused one until
        // its time is up, and say only that it timed out.
        let first = DB.wait(async move {
            match tokio::time::timeout(timeout, sqlx::PgConnection::connect_with(&options)).await {
                Ok(Ok(connection)) => connection.close().await.map_err(|e| e.to_string()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!("no answer within {CONNECT_SECONDS} s")),
            }
        });
        first.map_err(|e| failed(&format!("cannot connect: {e}")))?;
        let options = url.options.clone();
        let pool = DB
            .wait(async move {
                let pool = PgPoolOptions::new()
                    .acquire_timeout(Duration::from_secs(ACQUIRE_SECONDS))
                    .connect_lazy_with(options);
                MIGRATOR.run(&pool).await.map(|()| pool)
            })
            .map_err(|e| failed(&format!("cannot update the schema: {e}")))?;
        Ok(Self { pool, heard: Arc::new(watch::Sender::new(None)) })
    }

    /// Runs `query` with the pool on the database's runtime.
    pub async fn run<T, F>(&self, query: impl FnOnce(PgPool) -> F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        DB.spawn(query(self.pool.clone())).await?
    }

    /// Tells `heard` what other instances change, until the answer is
    /// dropped.
    pub fn listen(&self, heard: Arc<dyn listen::Heard>) -> listen::Listening {
        listen::start(self.pool.clone(), heard, self.heard.clone())
    }

    /// `write`, a transaction that wrote events (the newest's id), then
    /// the wait until this instance's listener has streamed them: once a
    /// write is answered, a stream opened here starts after its events, as
    /// with SQLite. Bounded, should the listener be reconnecting.
    pub fn heard_after<T: Send + 'static>(
        &self,
        write: impl Future<Output = Result<(T, Option<u64>), AppError>> + Send + 'static,
    ) -> impl Future<Output = Result<T, AppError>> + Send + 'static {
        let heard = self.heard.subscribe();
        async move {
            let (answer, last) = write.await?;
            if let Some(last) = last {
                let mut heard = heard;
                let streamed = heard.wait_for(|h| h.is_none_or(|h| h >= last));
                if tokio::time::timeout(Duration::from_secs(HEARD_SECONDS), streamed).await.is_err() {
                    tracing::warn!("event {last} not streamed here within {HEARD_SECONDS} s: answering without it");
                }
            }
            Ok(answer)
        }
    }

    /// [`Pg::run`], blocking this thread; for start-up and the command line.
    pub fn run_blocking<T, F>(&self, query: impl FnOnce(PgPool) -> F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        DB.wait(query(self.pool.clone()))
    }
}

static MIGRATOR: LazyLock<Migrator> = LazyLock::new(|| {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(n, name, sql)| Migration::new(*n, (*name).into(), MigrationType::Simple, sql.into_sql_str(), false))
            .collect(),
    )
});

fn scope(text: &str) -> Result<Scope, AppError> {
    text.parse().map_err(|e: strum::ParseError| AppError::Internal(format!("database: scope {text:?}: {e}")))
}

pub(super) async fn ping(p: PgPool) -> Result<(), AppError> {
    sqlx::query("SELECT 1").execute(&p).await?;
    Ok(())
}

/// The key the instances share: the one stored, or `fresh`, stored.
pub(super) async fn content_key(p: PgPool, fresh: Vec<u8>) -> Result<Vec<u8>, AppError> {
    sqlx::query("INSERT INTO settings (name, value) VALUES ('content_key', $1) ON CONFLICT (name) DO NOTHING")
        .bind(fresh)
        .execute(&p)
        .await?;
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE name = 'content_key'").fetch_one(&p).await?)
}

/// The user and their first token, both or neither.
pub(super) async fn insert_user(
    p: PgPool,
    user: UserRow,
    created_at: String,
    first_token: TokenRow,
) -> Result<(), AppError> {
    let mut tx = p.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO users (id, name, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
    )
    .bind(user.id)
    .bind(&user.name)
    .bind(&user.password_hash)
    .bind(created_at)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::Conflict(format!("User '{}' already exists", user.name)));
    }
    add_token(&mut *tx, &first_token).await?;
    Ok(tx.commit().await?)
}

pub(super) async fn user_by_name(p: PgPool, name: String) -> Result<Option<UserRow>, AppError> {
    let row: Option<(Uuid, String, String)> =
        sqlx::query_as("SELECT id, name, password_hash FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&p)
            .await?;
    Ok(row.map(|(id, name, password_hash)| UserRow { id, name, password_hash }))
}

pub(super) async fn insert_token(p: PgPool, token: TokenRow) -> Result<(), AppError> {
    add_token(&p, &token).await
}

async fn add_token(e: impl PgExecutor<'_>, t: &TokenRow) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO tokens (id, hash, user_id, name, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.info.id)
    .bind(&t.hash)
    .bind(t.user)
    .bind(&t.info.name)
    .bind(t.info.scope.to_string())
    .bind(&t.info.created_at)
    .bind(t.expires_at)
    .execute(e)
    .await?;
    Ok(())
}

pub(super) async fn user_by_token(p: PgPool, hash: String, now: i64) -> Result<Option<TokenOwner>, AppError> {
    let row = sqlx::query(
        "SELECT users.id, users.name, tokens.scope, tokens.expires_at, tokens.last_used_at
         FROM tokens JOIN users ON users.id = tokens.user_id
         WHERE tokens.hash = $1 AND (tokens.expires_at IS NULL OR tokens.expires_at > $2)",
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(&p)
    .await?;
    row.map(|r| {
        Ok(TokenOwner {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            scope: scope(r.try_get(2)?)?,
            expires_at: r.try_get(3)?,
            last_used_at: r.try_get(4)?,
        })
    })
    .transpose()
}

pub(super) async fn token_used(p: PgPool, hash: String, at: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE tokens SET last_used_at = $2 WHERE hash = $1").bind(hash).bind(at).execute(&p).await?;
    Ok(())
}

pub(super) async fn tokens_of(p: PgPool, user: Uuid) -> Result<Vec<TokenInfo>, AppError> {
    let rows = sqlx::query(
        "SELECT id, name, scope, created_at, expires_at, last_used_at FROM tokens
         WHERE user_id = $1 ORDER BY created_at, seq",
    )
    .bind(user)
    .fetch_all(&p)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenInfo {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                scope: scope(r.try_get(2)?)?,
                created_at: r.try_get(3)?,
                expires_at: r.try_get::<Option<i64>, _>(4)?.map(rfc3339),
                last_used_at: r.try_get::<Option<i64>, _>(5)?.map(rfc3339),
            })
        })
        .collect()
}

pub(super) async fn delete_token(p: PgPool, user: Uuid, id: Uuid) -> Result<bool, AppError> {
    let deleted =
        sqlx::query("DELETE FROM tokens WHERE id = $1 AND user_id = $2").bind(id).bind(user).execute(&p).await?;
    Ok(deleted.rows_affected() > 0)
}

pub(super) async fn insert_session(p: PgPool, s: SessionRow, created_at: String) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO sessions (id, hash, user_id, created_at, expires_at, user_agent) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4())
    .bind(s.hash)
    .bind(s.user)
    .bind(created_at)
    .bind(s.expires_at)
    .bind(s.user_agent)
    .execute(&p)
    .await?;
    Ok(())
}

pub(super) async fn user_by_session(
    p: PgPool,
    hash: String,
    now: i64,
) -> Result<Option<(Uuid, String, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT users.id, users.name, sessions.expires_at FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.hash = $1 AND sessions.expires_at > $2",
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(&p)
    .await?)
}

pub(super) async fn sessions_of(
    p: PgPool,
    user: Uuid,
    current_hash: String,
    now: i64,
) -> Result<Vec<SessionInfo>, AppError> {
    let rows: Vec<(Uuid, String, i64, String, bool)> = sqlx::query_as(
        "SELECT id, created_at, expires_at, user_agent, hash = $2 FROM sessions
         WHERE user_id = $1 AND expires_at > $3 ORDER BY created_at DESC, seq DESC",
    )
    .bind(user)
    .bind(current_hash)
    .bind(now)
    .fetch_all(&p)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, created_at, expires_at, user_agent, current)| SessionInfo {
            id,
            created_at,
            expires_at: rfc3339(expires_at),
            user_agent,
            current,
        })
        .collect())
}

pub(super) async fn delete_session(p: PgPool, hash: String) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE hash = $1").bind(hash).execute(&p).await?;
    Ok(())
}

pub(super) async fn delete_session_by_id(p: PgPool, user: Uuid, id: Uuid) -> Result<bool, AppError> {
    let deleted =
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2").bind(id).bind(user).execute(&p).await?;
    Ok(deleted.rows_affected() > 0)
}

pub(super) async fn delete_other_sessions(p: PgPool, user: Uuid, keep_hash: String) -> Result<usize, AppError> {
    let deleted = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND hash != $2")
        .bind(user)
        .bind(keep_hash)
        .execute(&p)
        .await?;
    Ok(deleted.rows_affected().try_into().unwrap_or(usize::MAX))
}

pub(super) async fn insert_conversation(
    p: PgPool,
    record: ConversationRecord,
    drafts: Vec<Draft>,
) -> Result<((), Option<u64>), AppError> {
    let conv = record.conversation;
    let mut tx = p.begin().await?;
    sqlx::query("INSERT INTO conversations (id, owner, title, created_at) VALUES ($1, $2, $3, $4)")
        .bind(conv.id)
        .bind(record.owner)
        .bind(conv.title)
        .bind(conv.created_at)
        .execute(&mut *tx)
        .await?;
    let last = events::write(&mut tx, drafts).await?;
    tx.commit().await?;
    Ok(((), last))
}

/// A transcript's message; its versions' rows go with it (`catalog::commit`).
async fn add_message(e: impl PgExecutor<'_>, conversation: Uuid, m: &MessageRow) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, tool, content, artifact_ids, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(m.id)
    .bind(conversation)
    .bind(&m.tool)
    .bind(&m.content)
    .bind(&m.artifact_ids)
    .bind(&m.created_at)
    .execute(e)
    .await?;
    Ok(())
}

pub(super) async fn messages_of(p: PgPool, conversation: Uuid) -> Result<Vec<MessageRow>, AppError> {
    let rows: Vec<(Uuid, String, String, Vec<Uuid>, String)> = sqlx::query_as(
        "SELECT id, tool, content, artifact_ids, created_at FROM messages WHERE conversation_id = $1 ORDER BY seq",
    )
    .bind(conversation)
    .fetch_all(&p)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, tool, content, artifact_ids, created_at)| MessageRow { id, tool, content, artifact_ids, created_at })
        .collect())
}
