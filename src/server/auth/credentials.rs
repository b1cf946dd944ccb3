//! Who the tokens and sessions seen lately belong to. Every API request is
//! authenticated; asking the database each time put a blocking-pool hop and
//! a lock on every request (most of a small download's cost, see
//! docs/benchmarks.md). Tokens are never revoked; a session is checked
//! against its expiry at each use and forgotten at logout.

use super::CurrentUser;
use crate::error::AppError;
use crate::server::clock::now_unix;
use crate::server::db::{self, Db};
use std::collections::HashMap;
use std::sync::RwLock;

/// Entries kept before the cache starts over.
const MAX_KNOWN: usize = 10_000;

pub struct Credentials {
    db: Db,
    /// By secret hash: the user, and when a session expires.
    known: RwLock<HashMap<String, (CurrentUser, Option<i64>)>>,
}

impl Credentials {
    pub fn new(db: Db) -> Self {
        Self { db, known: RwLock::default() }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The user of an API token, or 401.
    pub async fn token_user(&self, hash: String) -> Result<CurrentUser, AppError> {
        if let Some(user) = self.get(&hash, now_unix()) {
            return Ok(user);
        }
        let key = hash.clone();
        let (id, name) = self.db.run(move |c| db::user_by_token(c, &key)).await?.ok_or(AppError::Unauthorized)?;
        Ok(self.remember(hash, CurrentUser { id, name }, None))
    }

    /// The user of an unexpired session, or 401.
    pub async fn session_user(&self, hash: String) -> Result<CurrentUser, AppError> {
        let now = now_unix();
        if let Some(user) = self.get(&hash, now) {
            return Ok(user);
        }
        let key = hash.clone();
        let (id, name, expires_at) =
            self.db.run(move |c| db::user_by_session(c, &key, now)).await?.ok_or(AppError::Unauthorized)?;
        Ok(self.remember(hash, CurrentUser { id, name }, Some(expires_at)))
    }

    /// Signs a session out: forgotten here, deleted in the database.
    pub async fn end_session(&self, hash: &str) -> Result<(), AppError> {
        self.known.write().unwrap_or_else(|p| p.into_inner()).remove(hash);
        let hash = hash.to_string();
        self.db.run(move |c| db::delete_session(c, &hash)).await
    }

    fn get(&self, hash: &str, now: i64) -> Option<CurrentUser> {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        let (user, expires_at) = known.get(hash)?;
        expires_at.is_none_or(|t| t > now).then(|| user.clone())
    }

    fn remember(&self, hash: String, user: CurrentUser, expires_at: Option<i64>) -> CurrentUser {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        if known.len() >= MAX_KNOWN {
            known.clear();
        }
        known.insert(hash, (user.clone(), expires_at));
        user
    }
}
