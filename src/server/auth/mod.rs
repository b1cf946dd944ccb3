//! Who is asking: a bearer token (scripts, agent platforms) or a session
//! cookie (browsers). Secrets are random; only their SHA-256 is stored, and
//! passwords only as argon2 hashes.

mod credentials;
mod limits;
pub mod tokens;

use super::clock::{now_rfc3339, now_unix};
use super::meta::{Meta, SessionRow, UserRow};
use crate::account::{NewToken, Scope};
use crate::error::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum_extra::extract::CookieJar;
pub use credentials::{watch_revocations, Credentials};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "vitrine_session";
pub const SESSION_DAYS: i64 = 30;

/// The signed-in user of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: Uuid,
    /// Shared: every authenticated request clones the user.
    pub name: Arc<str>,
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

/// Creates a user and its first API token ("default", read-write, never
/// expiring), whose secret is returned.
pub fn add_user(meta: &Meta, name: &str, password: &str) -> Result<(Uuid, String), AppError> {
    if !valid_user_name(name) {
        return Err(AppError::BadRequest("User names are 1 to 64 letters, digits, '_', '.' or '-'".into()));
    }
    if password.is_empty() {
        return Err(AppError::BadRequest("The password is empty".into()));
    }
    let user = UserRow { id: Uuid::new_v4(), name: name.to_string(), password_hash: hash_password(password)? };
    let first = NewToken { name: "default".into(), scope: Scope::ReadWrite, expires_in_days: None };
    let (token, row) = tokens::made(user.id, first)?;
    meta.insert_user(&user, &now_rfc3339(), &row)?;
    tokens::announce(user.id, &token.info);
    Ok((user.id, token.token))
}

/// Checks a name and password, unless the attempts from `address` or for
/// `name` are over their limits; on success opens a session for the browser
/// `user_agent` and returns its secret for the cookie.
pub async fn login(
    credentials: &Credentials,
    name: &str,
    password: &str,
    address: Option<IpAddr>,
    user_agent: &str,
) -> Result<String, AppError> {
    // Logged: who and from where, never what was typed as the password.
    if let Err(e) = credentials.sign_in.attempt(name, address).await {
        tracing::warn!(?name, ?address, "sign-in attempts over the limit");
        return Err(e);
    }
    let user = credentials.meta().user_by_name(name.to_string()).await?;
    let password = password.to_string();
    // Verify on the blocking pool: argon2 is deliberately slow.
    let user =
        tokio::task::spawn_blocking(move || user.filter(|u| verify_password(&password, &u.password_hash))).await?;
    let Some(user) = user else {
        tracing::info!(?name, ?address, "sign-in refused");
        return Err(AppError::Unauthorized);
    };
    tracing::info!(?name, ?address, "signed in");
    let secret = new_secret("");
    let session = SessionRow {
        hash: secret_hash(&secret),
        user: user.id,
        expires_at: now_unix() + SESSION_DAYS * 86_400,
        user_agent: user_agent.chars().take(200).collect(),
    };
    credentials.meta().insert_session(session, now_rfc3339()).await?;
    Ok(secret)
}

pub async fn logout(credentials: &Credentials, parts: &Parts) -> Result<(), AppError> {
    if let Some(secret) = session_secret(parts) {
        let hash = secret_hash(&secret);
        credentials.revoke(credentials.meta().delete_session(hash)).await?;
    }
    Ok(())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub fn session_secret(parts: &Parts) -> Option<String> {
    CookieJar::from_headers(&parts.headers).get(SESSION_COOKIE).map(|c| c.value().to_string())
}

/// The user behind a request's token or session, or 401.
pub async fn current_user(credentials: &Credentials, parts: &Parts) -> Result<CurrentUser, AppError> {
    if let Some(token) = bearer(&parts.headers) {
        return Ok(credentials.token_user(token).await?.0);
    }
    match session_secret(parts) {
        Some(secret) => credentials.session_user(&secret).await,
        None => Err(AppError::Unauthorized),
    }
}

/// A write (any method but GET and HEAD; server functions are POSTs) is
/// refused to a read-only token. Other credentials, right or wrong, are
/// the routes' to judge.
pub async fn writable(credentials: &Credentials, headers: &HeaderMap) -> Result<(), AppError> {
    match bearer(headers) {
        Some(token) if matches!(credentials.token_user(token).await, Ok((_, Scope::Read))) => {
            Err(AppError::ReadOnlyToken)
        }
        _ => Ok(()),
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    Arc<Credentials>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        current_user(&Arc::<Credentials>::from_ref(state), parts).await
    }
}
