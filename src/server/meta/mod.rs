//! Durable records that are not files: users, API tokens, sessions,
//! conversations and their transcripts, share links. `Meta` is the one door
//! to them, whichever database holds them: SQLite in the data directory
//! (`sqlite.rs`), whose calls run on the blocking pool, or PostgreSQL
//! (`pg.rs`, `database_url`), which several instances share. In PostgreSQL
//! the artifacts' versions have rows too (`catalog.rs`).

pub mod bulk;
mod catalog;
pub mod pg;
mod rows;
pub mod sqlite;

pub use catalog::Paths;
pub use rows::{ConversationRecord, Dead, Live, MessageRow, SessionRow, TokenOwner, TokenRow, UserRow};

use crate::account::{SessionInfo, TokenInfo};
use crate::error::AppError;
use crate::server::config::Config;
use crate::server::events::Draft;
use crate::share::ShareInfo;
use std::path::Path;
use uuid::Uuid;

#[derive(Clone)]
pub enum Meta {
    Sqlite(sqlite::Db),
    Postgres(pg::Pg),
}

/// Start-up and the command line's set-up: on the calling thread, before
/// anything is served.
impl Meta {
    /// The database `config` names: PostgreSQL at `database_url`, else
    /// SQLite in the data directory.
    pub fn open(config: &Config) -> Result<Self, AppError> {
        match &config.database_url {
            Some(url) => Ok(Self::Postgres(pg::Pg::connect(url)?)),
            None => Self::open_in(&config.data_dir),
        }
    }

    /// `vitrine.db` in the data directory, which is made if missing.
    pub fn open_in(data_dir: &Path) -> Result<Self, AppError> {
        Ok(Self::Sqlite(sqlite::Db::open_in(data_dir)?))
    }

    /// [`Meta::auth_changes`], on this thread.
    pub fn auth_changes_blocking(&self) -> Result<Option<i64>, AppError> {
        match self {
            Self::Sqlite(db) => db.run_blocking(sqlite::auth_changes).map(Some),
            Self::Postgres(_) => Ok(None),
        }
    }

    /// Tells `heard` of every deletion of a token or session, every write's
    /// events and every deleted version, by any instance or command, and
    /// whenever some may have gone unheard; until the answer is dropped.
    /// `None` in SQLite, which tells nobody: watch [`Meta::auth_changes`]
    /// instead (events are published by their writer).
    pub fn listen(&self, heard: std::sync::Arc<dyn pg::listen::Heard>) -> Option<pg::listen::Listening> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres(pg) => Some(pg.listen(heard)),
        }
    }

    /// A new user with its first token; a name already taken is a conflict.
    pub fn insert_user(&self, user: &UserRow, created_at: &str, first_token: &TokenRow) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run_blocking(|c| {
                sqlite::insert_user(c, user, created_at)?;
                sqlite::insert_token(c, first_token)
            }),
            Self::Postgres(pg) => {
                let (user, created_at, token) = (user.clone(), created_at.to_string(), first_token.clone());
                pg.run_blocking(|p| pg::insert_user(p, user, created_at, token))
            }
        }
    }

    /// The key that signs capability URLs when every instance must sign
    /// alike (PostgreSQL): the one stored, or `fresh`, stored. `None` in
    /// SQLite, whose key is a file of the data directory.
    pub fn shared_content_key(&self, fresh: Vec<u8>) -> Result<Option<Vec<u8>>, AppError> {
        match self {
            Self::Sqlite(_) => Ok(None),
            Self::Postgres(pg) => pg.run_blocking(|p| pg::content_key(p, fresh)).map(Some),
        }
    }
}

impl Meta {
    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?)).await,
            Self::Postgres(pg) => pg.run(pg::ping).await,
        }
    }

    pub async fn user_by_name(&self, name: String) -> Result<Option<UserRow>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::user_by_name(c, &name)).await,
            Self::Postgres(pg) => pg.run(|p| pg::user_by_name(p, name)).await,
        }
    }

    pub async fn insert_token(&self, token: TokenRow) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::insert_token(c, &token)).await,
            Self::Postgres(pg) => pg.run(|p| pg::insert_token(p, token)).await,
        }
    }

    /// Who the unexpired token whose secret hashes to `hash` belongs to.
    pub async fn user_by_token(&self, hash: String, now: i64) -> Result<Option<TokenOwner>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::user_by_token(c, &hash, now)).await,
            Self::Postgres(pg) => pg.run(|p| pg::user_by_token(p, hash, now)).await,
        }
    }

    /// Records that the token whose secret hashes to `hash` was used at `at`
    /// (Unix seconds).
    pub async fn token_used(&self, hash: String, at: i64) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::token_used(c, &hash, at)).await,
            Self::Postgres(pg) => pg.run(|p| pg::token_used(p, hash, at)).await,
        }
    }

    /// A user's tokens, oldest first, expired ones included.
    pub async fn tokens_of(&self, user: Uuid) -> Result<Vec<TokenInfo>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::tokens_of(c, user)).await,
            Self::Postgres(pg) => pg.run(|p| pg::tokens_of(p, user)).await,
        }
    }

    /// Deletes a token of `user`; false if it has none with that id.
    pub async fn delete_token(&self, user: Uuid, id: Uuid) -> Result<bool, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::delete_token(c, user, id)).await,
            Self::Postgres(pg) => pg.run(|p| pg::delete_token(p, user, id)).await,
        }
    }

    pub async fn insert_session(&self, session: SessionRow, created_at: String) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::insert_session(c, &session, &created_at)).await,
            Self::Postgres(pg) => pg.run(|p| pg::insert_session(p, session, created_at)).await,
        }
    }

    /// The user of an unexpired session (id and name), and when it expires.
    pub async fn user_by_session(&self, hash: String, now: i64) -> Result<Option<(Uuid, String, i64)>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::user_by_session(c, &hash, now)).await,
            Self::Postgres(pg) => pg.run(|p| pg::user_by_session(p, hash, now)).await,
        }
    }

    /// A user's unexpired sessions, newest first; `current` marks the one
    /// whose secret hashes to `current_hash`.
    pub async fn sessions_of(&self, user: Uuid, current_hash: String, now: i64) -> Result<Vec<SessionInfo>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::sessions_of(c, user, &current_hash, now)).await,
            Self::Postgres(pg) => pg.run(|p| pg::sessions_of(p, user, current_hash, now)).await,
        }
    }

    pub async fn delete_session(&self, hash: String) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::delete_session(c, &hash)).await,
            Self::Postgres(pg) => pg.run(|p| pg::delete_session(p, hash)).await,
        }
    }

    /// Deletes a session of `user` by id; false if it has none with that id.
    pub async fn delete_session_by_id(&self, user: Uuid, id: Uuid) -> Result<bool, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::delete_session_by_id(c, user, id)).await,
            Self::Postgres(pg) => pg.run(|p| pg::delete_session_by_id(p, user, id)).await,
        }
    }

    /// Deletes every session of `user` but the one whose secret hashes to
    /// `keep_hash`; how many.
    pub async fn delete_other_sessions(&self, user: Uuid, keep_hash: String) -> Result<usize, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::delete_other_sessions(c, user, &keep_hash)).await,
            Self::Postgres(pg) => pg.run(|p| pg::delete_other_sessions(p, user, keep_hash)).await,
        }
    }

    /// Counts every token or session ever deleted, by any process, in
    /// SQLite; `None` in PostgreSQL, which tells of them instead
    /// ([`Meta::listen`]).
    pub async fn auth_changes(&self) -> Result<Option<i64>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(sqlite::auth_changes).await.map(Some),
            Self::Postgres(_) => Ok(None),
        }
    }

    /// A new conversation, with its `events` in PostgreSQL (in SQLite the
    /// caller publishes them).
    pub async fn insert_conversation(&self, record: ConversationRecord, events: Vec<Draft>) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::insert_conversation(c, &record)).await,
            Self::Postgres(pg) => pg.run(|p| pg.heard_after(pg::insert_conversation(p, record, events))).await,
        }
    }

    /// A conversation's transcript, oldest first.
    pub async fn messages_of(&self, conversation: Uuid) -> Result<Vec<MessageRow>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::messages_of(c, conversation)).await,
            Self::Postgres(pg) => pg.run(|p| pg::messages_of(p, conversation)).await,
        }
    }

    /// Deletes (or, dry, counts) the events older than `max_age`
    /// (PostgreSQL; `None` in SQLite, which keeps none).
    pub async fn prune_events(&self, max_age: std::time::Duration, dry_run: bool) -> Result<Option<u64>, AppError> {
        match self {
            Self::Sqlite(_) => Ok(None),
            Self::Postgres(pg) => pg.run(move |p| pg::events::prune(p, max_age, dry_run)).await.map(Some),
        }
    }

    pub async fn insert_share(
        &self,
        hash: String,
        user: Uuid,
        info: ShareInfo,
        expires_at: Option<i64>,
    ) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::shares::insert(c, &hash, user, &info, expires_at)).await,
            Self::Postgres(pg) => pg.run(|p| pg::shares::insert(p, hash, user, info, expires_at)).await,
        }
    }

    /// A user's share links, newest first, revoked and expired ones
    /// included (as [`Meta::share_live`] would judge them at `now`).
    pub async fn shares_of(&self, user: Uuid, now: i64) -> Result<Vec<ShareInfo>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::shares::of_user(c, user, now)).await,
            Self::Postgres(pg) => pg.run(|p| pg::shares::of_user(p, user, now)).await,
        }
    }

    /// Marks a link of `user` revoked at `now`; false if they have none
    /// with that id.
    pub async fn revoke_share(&self, user: Uuid, id: Uuid, now: String) -> Result<bool, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::shares::revoke(c, user, id, &now)).await,
            Self::Postgres(pg) => pg.run(|p| pg::shares::revoke(p, user, id, now)).await,
        }
    }

    /// Counts a visit of the link whose token hashes to `hash`, if it is
    /// live at `now`, and answers what it shares; otherwise why not
    /// (`None`: no such link). A revocation is seen by the next visit.
    pub async fn visit_share(&self, hash: String, now: i64) -> Result<Result<Live, Option<Dead>>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::shares::visit(c, &hash, now)).await,
            Self::Postgres(pg) => pg.run(|p| pg::shares::visit(p, hash, now)).await,
        }
    }

    /// Whether the link `id` is live at `now`, or why not (`None`: no such
    /// link).
    pub async fn share_live(&self, id: Uuid, now: i64) -> Result<Result<(), Option<Dead>>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::shares::live(c, id, now)).await,
            Self::Postgres(pg) => pg.run(|p| pg::shares::live(p, id, now)).await,
        }
    }
}
