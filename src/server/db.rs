//! Durable records that are not files: users, API tokens, sessions,
//! conversations and their transcripts. One SQLite file in WAL mode with full
//! fsync, so an acknowledged write survives a crash; every call runs on the
//! blocking pool, serialised by one connection's mutex.

use crate::error::AppError;
use crate::model::Conversation;
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

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

#[derive(Clone, Debug)]
pub struct UserRow {
    pub id: Uuid,
    pub name: String,
    pub password_hash: String,
}

/// A conversation with its owner: its row here, and its entry in the index.
#[derive(Clone, Debug)]
pub struct ConversationRecord {
    pub owner: Uuid,
    pub conversation: Conversation,
}

#[derive(Clone, Debug)]
pub struct MessageRow {
    pub id: Uuid,
    pub tool: String,
    pub content: String,
    pub artifact_ids: Vec<Uuid>,
    pub created_at: String,
}

impl Db {
    pub fn open(path: &Path) -> Result<Self, AppError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    /// `vitrine.db` in the data directory, which is made if missing.
    pub fn open_in(data_dir: &Path) -> Result<Self, AppError> {
        std::fs::create_dir_all(data_dir)?;
        Self::open(&data_dir.join("vitrine.db"))
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

fn uuid_col(row: &rusqlite::Row, i: usize) -> rusqlite::Result<Uuid> {
    let s: String = row.get(i)?;
    Uuid::parse_str(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
}

pub fn insert_user(c: &Connection, user: &UserRow, created_at: &str) -> Result<(), AppError> {
    let n = c.execute(
        "INSERT INTO users (id, name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(name) DO NOTHING",
        params![user.id.to_string(), user.name, user.password_hash, created_at],
    )?;
    if n == 0 {
        return Err(AppError::Conflict(format!("User '{}' already exists", user.name)));
    }
    Ok(())
}

pub fn user_by_name(c: &Connection, name: &str) -> Result<Option<UserRow>, AppError> {
    Ok(c.query_row("SELECT id, name, password_hash FROM users WHERE name = ?1", [name], |r| {
        Ok(UserRow { id: uuid_col(r, 0)?, name: r.get(1)?, password_hash: r.get(2)? })
    })
    .optional()?)
}

pub fn insert_token(c: &Connection, hash: &str, user: Uuid, created_at: &str) -> Result<(), AppError> {
    c.execute(
        "INSERT INTO tokens (hash, user_id, created_at) VALUES (?1, ?2, ?3)",
        params![hash, user.to_string(), created_at],
    )?;
    Ok(())
}

pub fn user_by_token(c: &Connection, hash: &str) -> Result<Option<(Uuid, String)>, AppError> {
    Ok(c.query_row(
        "SELECT users.id, users.name FROM tokens JOIN users ON users.id = tokens.user_id WHERE tokens.hash = ?1",
        [hash],
        |r| Ok((uuid_col(r, 0)?, r.get(1)?)),
    )
    .optional()?)
}

pub fn insert_session(c: &Connection, hash: &str, user: Uuid, expires_at: i64) -> Result<(), AppError> {
    c.execute(
        "INSERT INTO sessions (hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
        params![hash, user.to_string(), expires_at],
    )?;
    Ok(())
}

/// The user of an unexpired session, and when it expires.
pub fn user_by_session(c: &Connection, hash: &str, now: i64) -> Result<Option<(Uuid, String, i64)>, AppError> {
    Ok(c.query_row(
        "SELECT users.id, users.name, sessions.expires_at FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.hash = ?1 AND sessions.expires_at > ?2",
        params![hash, now],
        |r| Ok((uuid_col(r, 0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

pub fn delete_session(c: &Connection, hash: &str) -> Result<(), AppError> {
    c.execute("DELETE FROM sessions WHERE hash = ?1", [hash])?;
    Ok(())
}

pub fn insert_conversation(c: &Connection, record: &ConversationRecord) -> Result<(), AppError> {
    let conv = &record.conversation;
    c.execute(
        "INSERT INTO conversations (id, owner, title, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![conv.id.to_string(), record.owner.to_string(), conv.title, conv.created_at],
    )?;
    Ok(())
}

pub fn all_conversations(c: &Connection) -> Result<Vec<ConversationRecord>, AppError> {
    let mut stmt = c.prepare("SELECT id, owner, title, created_at FROM conversations")?;
    let rows = stmt.query_map([], |r| {
        Ok(ConversationRecord {
            owner: uuid_col(r, 1)?,
            conversation: Conversation { id: uuid_col(r, 0)?, title: r.get(2)?, created_at: r.get(3)? },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn insert_message(c: &Connection, conversation: Uuid, m: &MessageRow) -> Result<(), AppError> {
    let ids = serde_json::to_string(&m.artifact_ids).map_err(|e| AppError::Internal(e.to_string()))?;
    c.execute(
        "INSERT INTO messages (id, conversation_id, tool, content, artifact_ids, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![m.id.to_string(), conversation.to_string(), m.tool, m.content, ids, m.created_at],
    )?;
    Ok(())
}

pub fn messages_of(c: &Connection, conversation: Uuid) -> Result<Vec<MessageRow>, AppError> {
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
