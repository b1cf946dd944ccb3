//! Who the tokens and sessions seen lately belong to. Every API request is
//! authenticated; asking the database each time put a blocking-pool hop and
//! a lock on every request (most of a small download's cost, see
//! docs/benchmarks.md). Entries are checked against their expiry at each
//! use; revoking a token or ending a session here forgets everything at
//! once. A deletion by another process (`vitrine token revoke`, another
//! instance) is told by PostgreSQL (`meta/pg/listen.rs`), typically within
//! milliseconds; with SQLite it is seen within `WATCH_INTERVAL` through the
//! database's `auth_changes` count. When a token was last used is written
//! from here, in the background and at most once a minute per token.

use super::limits::SignInLimiter;
use super::{secret_hash, CurrentUser};
use crate::account::Scope;
use crate::error::AppError;
use crate::server::clock::now_unix;
use crate::server::config::SignInLimits;
use crate::server::meta::Meta;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

/// Entries kept before the cache starts over.
const MAX_KNOWN: usize = 10_000;
const WATCH_INTERVAL: Duration = Duration::from_secs(1);
/// A token's use is written when the one written is this old (seconds).
const LAST_USED_STEP: i64 = 60;

#[derive(Clone)]
struct Known {
    user: CurrentUser,
    scope: Scope,
    expires_at: Option<i64>,
    /// A token's last use as written to the database (Unix seconds, 0 for
    /// never); shared by the clones that lookups return. Sessions have none.
    used_written: Option<Arc<AtomicI64>>,
}

pub struct Credentials {
    meta: Meta,
    /// By the secret itself, so that a known one costs no digest: only a
    /// miss hashes it to ask the database, which holds only digests.
    known: RwLock<HashMap<Box<str>, Known>>,
    /// Bumped by every forgetting, so a lookup that read the database before
    /// a revocation does not cache what it found after it.
    generation: AtomicU64,
    /// The database's `auth_changes` when last looked at (SQLite).
    changes_seen: AtomicI64,
    pub sign_in: SignInLimiter,
}

impl Credentials {
    pub fn new(meta: Meta, limits: SignInLimits) -> Result<Arc<Self>, AppError> {
        let changes = meta.auth_changes_blocking()?.unwrap_or(0);
        Ok(Arc::new(Self {
            sign_in: SignInLimiter::new(limits, &meta),
            meta,
            known: RwLock::default(),
            generation: AtomicU64::new(0),
            changes_seen: AtomicI64::new(changes),
        }))
    }

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The user and scope of an unexpired API token, or 401.
    pub async fn token_user(&self, token: &str) -> Result<(CurrentUser, Scope), AppError> {
        let now = now_unix();
        let known = match self.get(token, now) {
            Some(k) => k,
            None => {
                let generation = self.generation.load(Ordering::Acquire);
                let hash = secret_hash(token);
                let owner = self.meta.user_by_token(hash, now).await?.ok_or(AppError::Unauthorized)?;
                let known = Known {
                    user: CurrentUser { id: owner.id, name: owner.name.into() },
                    scope: owner.scope,
                    expires_at: owner.expires_at,
                    used_written: Some(Arc::new(AtomicI64::new(owner.last_used_at.unwrap_or(0)))),
                };
                self.remember(token, known, generation)
            }
        };
        if let Some(written) = &known.used_written {
            self.note_use(written, token, now);
        }
        Ok((known.user, known.scope))
    }

    /// Writes that a token was used at `now` unless the use written is
    /// recent; in the background, so no request waits for the database.
    fn note_use(&self, written: &AtomicI64, token: &str, now: i64) {
        let last = written.load(Ordering::Acquire);
        // One of the requests that see the old value writes.
        if now - last < LAST_USED_STEP
            || written.compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire).is_err()
        {
            return;
        }
        let meta = self.meta.clone();
        let hash = secret_hash(token);
        tokio::spawn(async move {
            if let Err(e) = meta.token_used(hash, now).await {
                tracing::warn!("recording a token's use: {e}");
            }
        });
    }

    /// The user of an unexpired session, or 401.
    pub async fn session_user(&self, secret: &str) -> Result<CurrentUser, AppError> {
        let now = now_unix();
        if let Some(k) = self.get(secret, now) {
            return Ok(k.user);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let hash = secret_hash(secret);
        let (id, name, expires_at) = self.meta.user_by_session(hash, now).await?.ok_or(AppError::Unauthorized)?;
        let user = CurrentUser { id, name: name.into() };
        let known = Known { user, scope: Scope::ReadWrite, expires_at: Some(expires_at), used_written: None };
        Ok(self.remember(secret, known, generation).user)
    }

    /// Runs a deletion of tokens or sessions, then forgets every cached
    /// entry: what it deleted stops working with its answer.
    pub async fn revoke<T>(&self, delete: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
        let result = delete.await;
        self.forget_all();
        result
    }

    /// Forgets every credential known (another process deleted some).
    pub fn forget_all(&self) {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        known.clear();
    }

    fn get(&self, secret: &str, now: i64) -> Option<Known> {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        let k = known.get(secret)?;
        k.expires_at.is_none_or(|t| t > now).then(|| k.clone())
    }

    fn remember(&self, secret: &str, entry: Known, generation: u64) -> Known {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::Acquire) == generation {
            if known.len() >= MAX_KNOWN {
                known.clear();
            }
            known.insert(secret.into(), entry.clone());
        }
        entry
    }
}

/// Forgets what `credentials` cached whenever another process deletes a
/// token or session; ends with them. SQLite's: with PostgreSQL, which tells
/// of deletions (the instance's listener, `serve::Instance`), it ends at once.
pub async fn watch_revocations(credentials: Weak<Credentials>) {
    let mut tick = tokio::time::interval(WATCH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(credentials) = credentials.upgrade() else { return };
        match credentials.meta.auth_changes().await {
            Ok(None) => return,
            Ok(Some(n)) if n != credentials.changes_seen.swap(n, Ordering::AcqRel) => {
                tracing::debug!("tokens or sessions deleted elsewhere: cached credentials forgotten");
                credentials.forget_all();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("checking for revoked credentials: {e}"),
        }
    }
}
