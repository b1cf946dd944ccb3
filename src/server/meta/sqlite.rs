//! The metadata in SQLite: one file in WAL mode with full fsync, so an
//! acknowledged write survives a crash; every call is serialised by one
//! connection's mutex. Each function is the SQLite side of the `Meta`
//! method named alike, documented there.

pub(super) mod bulk;
pub(super) mod shares;

use super::{ConversationRecord, MessageRow, SessionRow, TokenOwner, TokenRow, UserRow};
use crate::account::{Scope, SessionInfo, TokenInfo};
use crate::error::AppError;
use crate::model::Conversation;
use crate::server::clock::rfc3339;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES users(id), title TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    tool TEXT NOT NULL, content TEXT NOT NULL, artifact_ids TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, seq);
";

/// A random UUID (version 4) as text, in SQL: ids for rows made before ids.
const SQL_UUID: &str =
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
    || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

/// The schema's changes since `SCHEMA`, in order: a database at version `n`
/// (`PRAGMA user_version`) has had the first `n`. Append only.
fn migrations() -> [String; 3] {
    [
        // Tokens get an id, a name, a scope and an expiry (existing ones:
        // "default", read-write, none); sessions an id, a start and the
        // browser. Every deletion of either counts in `auth_changes`, which
        // each server watches to drop what it cached (revocations made by
        // the command line or another instance).
        format!(
            "CREATE TABLE tokens_v1 (
                id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL REFERENCES users(id),
                name TEXT NOT NULL, scope TEXT NOT NULL, created_at TEXT NOT NULL, expires_at INTEGER);
            INSERT INTO tokens_v1 SELECT {SQL_UUID}, hash, user_id, 'default', 'read-write', created_at, NULL FROM tokens;
            DROP TABLE tokens;
            ALTER TABLE tokens_v1 RENAME TO tokens;
            CREATE INDEX tokens_by_user ON tokens(user_id);
            CREATE TABLE sessions_v1 (
                id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL REFERENCES users(id),
                created_at TEXT NOT NULL, expires_at INTEGER NOT NULL, user_agent TEXT NOT NULL);
            INSERT INTO sessions_v1 SELECT {SQL_UUID}, hash, user_id,
                strftime('%Y-%m-%dT%H:%M:%SZ', expires_at - {SESSION_SECONDS}, 'unixepoch'), expires_at, '' FROM sessions;
            DROP TABLE sessions;
            ALTER TABLE sessions_v1 RENAME TO sessions;
            CREATE INDEX sessions_by_user ON sessions(user_id);
            CREATE TABLE auth_changes (n INTEGER NOT NULL);
            INSERT INTO auth_changes VALUES (0);
            CREATE TRIGGER token_deleted AFTER DELETE ON tokens BEGIN UPDATE auth_changes SET n = n + 1; END;
            CREATE TRIGGER session_deleted AFTER DELETE ON sessions BEGIN UPDATE auth_changes SET n = n + 1; END;",
            SESSION_SECONDS = crate::server::auth::SESSION_DAYS * 86_400
        ),
        // When each token was last used (Unix seconds; NULL: never), to
        // the minute: the credentials cache writes it at most once a minute.
        "ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;".to_string(),
        // Share links (`server/shares/`): the token's hash, what it shows,
        // and how often it was opened. Revoked links stay, marked, so their
        // owner still sees them listed.
        "CREATE TABLE shares (
            id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL REFERENCES users(id),
            kind TEXT NOT NULL, conversation_id TEXT NOT NULL, artifact_id TEXT, version INTEGER, folder TEXT,
            label TEXT NOT NULL, created_at TEXT NOT NULL, expires_at INTEGER, revoked_at TEXT,
            access_count INTEGER NOT NULL DEFAULT 0, last_accessed_at TEXT);
        CREATE INDEX shares_by_user ON shares(user_id);"
            .to_string(),
    ]
}

/// The database's file in the data directory.
pub const FILE: &str = "vitrine.db";

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Every conversation with its owner, for the memory index (the only
    /// catalog that holds them all).
    pub fn all_conversations(&self) -> Result<Vec<ConversationRecord>, AppError> {
        self.run_blocking(all_conversations)
    }

    pub fn open(path: &Path) -> Result<Self, AppError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        migrate(&mut conn)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    /// [`FILE`] in the data directory, which is made if missing.
    pub fn open_in(data_dir: &Path) -> Result<Self, AppError> {
        std::fs::create_dir_all(data_dir)?;
        Self::open(&data_dir.join(FILE))
    }

    /// Runs `f` on the blocking pool with the connection.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, AppError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.run_blocking(f)).await?
    }

    /// Runs `f` on this thread; for start-up and the command line.
    pub fn run_blocking<T>(&self, f: impl FnOnce(&Connection) -> Result<T, AppError>) -> Result<T, AppError> {
        let conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&conn)
    }
}

/// Brings the schema up to date, each step in its own transaction; the
/// immediate lock keeps two processes from both applying one.
fn migrate(conn: &mut Connection) -> Result<(), AppError> {
    for (version, sql) in migrations().iter().enumerate() {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: usize = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current <= version {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version + 1)?;
        }
        tx.commit()?;
    }
    Ok(())
}

fn uuid_col(row: &rusqlite::Row, i: usize) -> rusqlite::Result<Uuid> {
    let s: String = row.get(i)?;
    Uuid::parse_str(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
}

pub(super) fn insert_user(c: &Connection, user: &UserRow, created_at: &str) -> Result<(), AppError> {
    let n = c.execute(
        "INSERT INTO users (id, name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(name) DO NOTHING",
        params![user.id.to_string(), user.name, user.password_hash, created_at],
    )?;
    if n == 0 {
        return Err(AppError::Conflict(format!("User '{}' already exists", user.name)));
    }
    Ok(())
}

pub(super) fn user_by_name(c: &Connection, name: &str) -> Result<Option<UserRow>, AppError> {
    Ok(c.query_row("SELECT id, name, password_hash FROM users WHERE name = ?1", [name], |r| {
        Ok(UserRow { id: uuid_col(r, 0)?, name: r.get(1)?, password_hash: r.get(2)? })
    })
    .optional()?)
}

pub(super) fn insert_token(c: &Connection, t: &TokenRow) -> Result<(), AppError> {
    c.execute(
        "INSERT INTO tokens (id, hash, user_id, name, scope, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            t.info.id.to_string(),
            t.hash,
            t.user.to_string(),
            t.info.name,
            t.info.scope.to_string(),
            t.info.created_at,
            t.expires_at
        ],
    )?;
    Ok(())
}

fn scope_col(row: &rusqlite::Row, i: usize) -> rusqlite::Result<Scope> {
    let s: String = row.get(i)?;
    s.parse().map_err(|e: strum::ParseError| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

pub(super) fn user_by_token(c: &Connection, hash: &str, now: i64) -> Result<Option<TokenOwner>, AppError> {
    Ok(c.query_row(
        "SELECT users.id, users.name, tokens.scope, tokens.expires_at, tokens.last_used_at
         FROM tokens JOIN users ON users.id = tokens.user_id
         WHERE tokens.hash = ?1 AND (tokens.expires_at IS NULL OR tokens.expires_at > ?2)",
        params![hash, now],
        |r| {
            Ok(TokenOwner {
                id: uuid_col(r, 0)?,
                name: r.get(1)?,
                scope: scope_col(r, 2)?,
                expires_at: r.get(3)?,
                last_used_at: r.get(4)?,
            })
        },
    )
    .optional()?)
}

pub(super) fn token_used(c: &Connection, hash: &str, at: i64) -> Result<(), AppError> {
    c.execute("UPDATE tokens SET last_used_at = ?2 WHERE hash = ?1", params![hash, at])?;
    Ok(())
}

pub(super) fn tokens_of(c: &Connection, user: Uuid) -> Result<Vec<TokenInfo>, AppError> {
    let mut stmt = c.prepare(
        "SELECT id, name, scope, created_at, expires_at, last_used_at FROM tokens
         WHERE user_id = ?1 ORDER BY created_at, rowid",
    )?;
    let rows = stmt.query_map([user.to_string()], |r| {
        Ok(TokenInfo {
            id: uuid_col(r, 0)?,
            name: r.get(1)?,
            scope: scope_col(r, 2)?,
            created_at: r.get(3)?,
            expires_at: r.get::<_, Option<i64>>(4)?.map(rfc3339),
            last_used_at: r.get::<_, Option<i64>>(5)?.map(rfc3339),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn delete_token(c: &Connection, user: Uuid, id: Uuid) -> Result<bool, AppError> {
    Ok(c.execute("DELETE FROM tokens WHERE id = ?1 AND user_id = ?2", params![id.to_string(), user.to_string()])? > 0)
}

pub(super) fn insert_session(c: &Connection, s: &SessionRow, created_at: &str) -> Result<(), AppError> {
    c.execute(
        "INSERT INTO sessions (id, hash, user_id, created_at, expires_at, user_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![Uuid::new_v4().to_string(), s.hash, s.user.to_string(), created_at, s.expires_at, s.user_agent],
    )?;
    Ok(())
}

pub(super) fn user_by_session(c: &Connection, hash: &str, now: i64) -> Result<Option<(Uuid, String, i64)>, AppError> {
    Ok(c.query_row(
        "SELECT users.id, users.name, sessions.expires_at FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.hash = ?1 AND sessions.expires_at > ?2",
        params![hash, now],
        |r| Ok((uuid_col(r, 0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

pub(super) fn sessions_of(
    c: &Connection,
    user: Uuid,
    current_hash: &str,
    now: i64,
) -> Result<Vec<SessionInfo>, AppError> {
    let mut stmt = c.prepare(
        "SELECT id, created_at, expires_at, user_agent, hash = ?2 FROM sessions
         WHERE user_id = ?1 AND expires_at > ?3 ORDER BY created_at DESC, rowid DESC",
    )?;
    let rows = stmt.query_map(params![user.to_string(), current_hash, now], |r| {
        Ok(SessionInfo {
            id: uuid_col(r, 0)?,
            created_at: r.get(1)?,
            expires_at: rfc3339(r.get(2)?),
            user_agent: r.get(3)?,
            current: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn delete_session(c: &Connection, hash: &str) -> Result<(), AppError> {
    c.execute("DELETE FROM sessions WHERE hash = ?1", [hash])?;
    Ok(())
}

pub(super) fn delete_session_by_id(c: &Connection, user: Uuid, id: Uuid) -> Result<bool, AppError> {
    Ok(c.execute("DELETE FROM sessions WHERE id = ?1 AND user_id = ?2", params![id.to_string(), user.to_string()])? > 0)
}

pub(super) fn delete_other_sessions(c: &Connection, user: Uuid, keep_hash: &str) -> Result<usize, AppError> {
    Ok(c.execute("DELETE FROM sessions WHERE user_id = ?1 AND hash != ?2", params![user.to_string(), keep_hash])?)
}

pub(super) fn auth_changes(c: &Connection) -> Result<i64, AppError> {
    Ok(c.query_row("SELECT n FROM auth_changes", [], |r| r.get(0))?)
}

pub(super) fn insert_conversation(c: &Connection, record: &ConversationRecord) -> Result<(), AppError> {
    let conv = &record.conversation;
    c.execute(
        "INSERT INTO conversations (id, owner, title, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![conv.id.to_string(), record.owner.to_string(), conv.title, conv.created_at],
    )?;
    Ok(())
}

pub(super) fn all_conversations(c: &Connection) -> Result<Vec<ConversationRecord>, AppError> {
    let mut stmt = c.prepare("SELECT id, owner, title, created_at FROM conversations")?;
    let rows = stmt.query_map([], |r| {
        Ok(ConversationRecord {
            owner: uuid_col(r, 1)?,
            conversation: Conversation { id: uuid_col(r, 0)?, title: r.get(2)?, created_at: r.get(3)? },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn insert_message(c: &Connection, conversation: Uuid, m: &MessageRow) -> Result<(), AppError> {
    let ids = serde_json::to_string(&m.artifact_ids).map_err(|e| AppError::Internal(e.to_string()))?;
    c.execute(
        "INSERT INTO messages (id, conversation_id, tool, content, artifact_ids, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![m.id.to_string(), conversation.to_string(), m.tool, m.content, ids, m.created_at],
    )?;
    Ok(())
}

pub(super) fn messages_of(c: &Connection, conversation: Uuid) -> Result<Vec<MessageRow>, AppError> {
    let mut stmt = c.prepare(
        "SELECT id, tool, content, artifact_ids, created_at FROM messages WHERE conversation_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([conversation.to_string()], |r| {
        let ids: String = r.get(3)?;
        Ok(MessageRow {
            id: uuid_col(r, 0)?,
            tool: r.get(1)?,
            content: r.get(2)?,
            artifact_ids: serde_json::from_str(&ids).unwrap_or_default(),
            created_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
