//! Who is asking: a bearer token (scripts, agent platforms) or a session
//! cookie (browsers). Secrets are random; only their SHA-256 is stored, and
//! passwords only as argon2 hashes.

use super::db::{self, UserRow};
use super::state::AppState;
use crate::error::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::RwLock;
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "vitrine_session";
pub const SESSION_DAYS: i64 = 30;

/// The signed-in user of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: Uuid,
    pub name: String,
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A new random secret (API token, session id, password), 256 bits.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

pub fn secret_hash(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

fn valid_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// Creates a user and its first API token, which is returned (and stored
/// only as a hash).
pub fn add_user(db: &db::Db, name: &str, password: &str) -> Result<(Uuid, String), AppError> {
    if !valid_user_name(name) {
        return Err(AppError::BadRequest("User names are 1 to 64 letters, digits, '_', '.' or '-'".into()));
    }
    if password.is_empty() {
        return Err(AppError::BadRequest("The password is empty".into()));
    }
    let user = UserRow { id: Uuid::new_v4(), name: name.to_string(), password_hash: hash_password(password)? };
    let token = new_secret("vt_");
    let now = super::now_rfc3339();
    db.run_blocking(|c| {
        db::insert_user(c, &user, &now)?;
        db::insert_token(c, &secret_hash(&token), user.id, &now)
    })?;
    Ok((user.id, token))
}

/// Checks a name and password; on success opens a session and returns its
/// secret for the cookie.
pub async fn login(state: &AppState, name: &str, password: &str) -> Result<String, AppError> {
    let name = name.to_string();
    let user = state.db.run(move |c| db::user_by_name(c, &name)).await?;
    let password = password.to_string();
    // Verify on the blocking pool: argon2 is deliberately slow.
    let user = tokio::task::spawn_blocking(move || user.filter(|u| verify_password(&password, &u.password_hash)))
        .await?
        .ok_or(AppError::Unauthorized)?;
    let secret = new_secret("");
    let hash = secret_hash(&secret);
    let expires = super::now_unix() + SESSION_DAYS * 86_400;
    state.db.run(move |c| db::insert_session(c, &hash, user.id, expires)).await?;
    Ok(secret)
}

pub async fn logout(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    if let Some(secret) = session_secret(parts) {
        let hash = secret_hash(&secret);
        state.credentials.forget(&hash);
        state.db.run(move |c| db::delete_session(c, &hash)).await?;
    }
    Ok(())
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub fn session_secret(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| axum_extra::extract::cookie::Cookie::parse(pair.trim().to_string()).ok())
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

/// Who the tokens and sessions seen lately belong to. Every API request is
/// authenticated; asking the database each time put a blocking-pool hop and
/// a lock on every request (most of a small download's cost, see
/// docs/benchmarks.md). Tokens are never revoked; a session is checked
/// against its expiry at each use and forgotten at logout.
#[derive(Default)]
pub struct Credentials {
    known: RwLock<HashMap<String, (CurrentUser, Option<i64>)>>,
}

/// Entries kept before the cache starts over.
const MAX_KNOWN: usize = 10_000;

impl Credentials {
    fn get(&self, hash: &str, now: i64) -> Option<CurrentUser> {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        let (user, expires_at) = known.get(hash)?;
        expires_at.is_none_or(|t| t > now).then(|| user.clone())
    }

    fn remember(&self, hash: String, user: CurrentUser, expires_at: Option<i64>) {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        if known.len() >= MAX_KNOWN {
            known.clear();
        }
        known.insert(hash, (user, expires_at));
    }

    fn forget(&self, hash: &str) {
        self.known.write().unwrap_or_else(|p| p.into_inner()).remove(hash);
    }
}

/// The user behind a request's token or session, or 401.
pub async fn current_user(state: &AppState, parts: &Parts) -> Result<CurrentUser, AppError> {
    let now = super::now_unix();
    let (hash, is_token) = match (bearer(parts), session_secret(parts)) {
        (Some(token), _) => (secret_hash(token), true),
        (None, Some(secret)) => (secret_hash(&secret), false),
        (None, None) => return Err(AppError::Unauthorized),
    };
    if let Some(user) = state.credentials.get(&hash, now) {
        return Ok(user);
    }
    let key = hash.clone();
    let found = if is_token {
        state.db.run(move |c| db::user_by_token(c, &key)).await?.map(|(id, name)| (id, name, None))
    } else {
        state.db.run(move |c| db::user_by_session(c, &key, now)).await?.map(|(id, name, t)| (id, name, Some(t)))
    };
    let (id, name, expires_at) = found.ok_or(AppError::Unauthorized)?;
    let user = CurrentUser { id, name };
    state.credentials.remember(hash, user.clone(), expires_at);
    Ok(user)
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        current_user(state, parts).await
    }
}
