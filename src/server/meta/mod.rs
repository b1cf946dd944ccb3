//! Durable records that are not files: users, API tokens, sessions,
//! conversations and their transcripts, share links. `Meta` is the one door
//! to them, whichever database holds them; today that is SQLite
//! (`sqlite.rs`), whose calls run on the blocking pool.

mod rows;
pub mod sqlite;

pub use rows::{ConversationRecord, Dead, Live, MessageRow, SessionRow, TokenOwner, TokenRow, UserRow};

use crate::account::{SessionInfo, TokenInfo};
use crate::error::AppError;
use crate::share::ShareInfo;
use std::path::Path;
use uuid::Uuid;

#[derive(Clone)]
pub enum Meta {
    Sqlite(sqlite::Db),
}

/// Start-up and the command line's set-up: on the calling thread, before
/// anything is served.
impl Meta {
    /// `vitrine.db` in the data directory, which is made if missing.
    pub fn open_in(data_dir: &Path) -> Result<Self, AppError> {
        Ok(Self::Sqlite(sqlite::Db::open_in(data_dir)?))
    }

    /// Every conversation with its owner, for the index.
    pub fn all_conversations(&self) -> Result<Vec<ConversationRecord>, AppError> {
        match self {
            Self::Sqlite(db) => db.run_blocking(sqlite::all_conversations),
        }
    }

    /// [`Meta::auth_changes`], on this thread.
    pub fn auth_changes_blocking(&self) -> Result<i64, AppError> {
        match self {
            Self::Sqlite(db) => db.run_blocking(sqlite::auth_changes),
        }
    }

    /// A new user with its first token; a name already taken is a conflict.
    pub fn insert_user(&self, user: &UserRow, created_at: &str, first_token: &TokenRow) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run_blocking(|c| {
                sqlite::insert_user(c, user, created_at)?;
                sqlite::insert_token(c, first_token)
            }),
        }
    }
}

impl Meta {
    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?)).await,
        }
    }

    pub async fn user_by_name(&self, name: String) -> Result<Option<UserRow>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::user_by_name(c, &name)).await,
        }
    }

    pub async fn insert_token(&self, token: TokenRow) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::insert_token(c, &token)).await,
        }
    }

    /// Who the unexpired token whose secret hashes to `hash` belongs to.
    pub async fn user_by_token(&self, hash: String, now: i64) -> Result<Option<TokenOwner>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::user_by_token(c, &hash, now)).await,
        }
    }

    /// Records that the token whose secret hashes to `hash` was used at `at`
    /// (Unix seconds).
    pub async fn token_used(&self, hash: String, at: i64) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::token_used(c, &hash, at)).await,
        }
    }

    /// A user's tokens, oldest first, expired ones included.
    pub async fn tokens_of(&self, user: Uuid) -> Result<Vec<TokenInfo>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::tokens_of(c, user)).await,
        }
    }

    /// Deletes a token of `user`; false if it has none with that id.
    pub async fn delete_token(&self, user: Uuid, id: Uuid) -> Result<bool, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::delete_token(c, user, id)).await,
        }
    }

    pub async fn insert_session(&self, session: SessionRow, created_at: String) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::insert_session(c, &session, &created_at)).await,
        }
    }

    /// The user of an unexpired session (id and name), and when it expires.
    pub async fn user_by_session(&self, hash: String, now: i64) -> Result<Option<(Uuid, String, i64)>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::user_by_session(c, &hash, now)).await,
        }
    }

    /// A user's unexpired sessions, newest first; `current` marks the one
    /// whose secret hashes to `current_hash`.
    pub async fn sessions_of(&self, user: Uuid, current_hash: String, now: i64) -> Result<Vec<SessionInfo>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::sessions_of(c, user, &current_hash, now)).await,
        }
    }

    pub async fn delete_session(&self, hash: String) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::delete_session(c, &hash)).await,
        }
    }

    /// Deletes a session of `user` by id; false if it has none with that id.
    pub async fn delete_session_by_id(&self, user: Uuid, id: Uuid) -> Result<bool, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::delete_session_by_id(c, user, id)).await,
        }
    }

    /// Deletes every session of `user` but the one whose secret hashes to
    /// `keep_hash`; how many.
    pub async fn delete_other_sessions(&self, user: Uuid, keep_hash: String) -> Result<usize, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::delete_other_sessions(c, user, &keep_hash)).await,
        }
    }

    /// Counts every token or session ever deleted, by any process.
    pub async fn auth_changes(&self) -> Result<i64, AppError> {
        match self {
            Self::Sqlite(db) => db.run(sqlite::auth_changes).await,
        }
    }

    pub async fn insert_conversation(&self, record: ConversationRecord) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::insert_conversation(c, &record)).await,
        }
    }

    pub async fn insert_message(&self, conversation: Uuid, message: MessageRow) -> Result<(), AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::insert_message(c, conversation, &message)).await,
        }
    }

    /// A conversation's transcript, oldest first.
    pub async fn messages_of(&self, conversation: Uuid) -> Result<Vec<MessageRow>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::messages_of(c, conversation)).await,
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
        }
    }

    /// A user's share links, newest first, revoked and expired ones
    /// included (as [`Meta::share_live`] would judge them at `now`).
    pub async fn shares_of(&self, user: Uuid, now: i64) -> Result<Vec<ShareInfo>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::shares::of_user(c, user, now)).await,
        }
    }

    /// Marks a link of `user` revoked at `now`; false if they have none
    /// with that id.
    pub async fn revoke_share(&self, user: Uuid, id: Uuid, now: String) -> Result<bool, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::shares::revoke(c, user, id, &now)).await,
        }
    }

    /// Counts a visit of the link whose token hashes to `hash`, if it is
    /// live at `now`, and answers what it shares; otherwise why not
    /// (`None`: no such link). A revocation is seen by the next visit.
    pub async fn visit_share(&self, hash: String, now: i64) -> Result<Result<Live, Option<Dead>>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::shares::visit(c, &hash, now)).await,
        }
    }

    /// Whether the link `id` is live at `now`, or why not (`None`: no such
    /// link).
    pub async fn share_live(&self, id: Uuid, now: i64) -> Result<Result<(), Option<Dead>>, AppError> {
        match self {
            Self::Sqlite(db) => db.run(move |c| sqlite::shares::live(c, id, now)).await,
        }
    }
}
