//! API tokens and sessions as their user manages them, from the settings
//! page, the API and the command line. A token's secret is returned once,
//! when it is made; only its SHA-256 is kept.

use super::{new_secret, secret_hash, session_secret, Credentials};
use crate::account::{CreatedToken, NewToken, SessionInfo, TokenInfo};
use crate::error::{AppError, Missing};
use crate::server::clock::{now_rfc3339, now_unix, rfc3339};
use crate::server::meta::{Meta, TokenRow};
use axum::http::request::Parts;
use uuid::Uuid;

const MAX_NAME_CHARS: usize = 100;
const MAX_DAYS: u32 = 3650;

/// Makes a token for `user`; its secret is in the answer and nowhere else.
pub async fn create(meta: &Meta, user: Uuid, new: NewToken) -> Result<CreatedToken, AppError> {
    let (created, row) = made(user, new)?;
    meta.insert_token(row).await?;
    announce(user, &created.info);
    Ok(created)
}

/// A new token of `user`, checked, and the row that keeps it.
pub(super) fn made(user: Uuid, new: NewToken) -> Result<(CreatedToken, TokenRow), AppError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::BadRequest(format!(
            "A token's name is 1 to {MAX_NAME_CHARS} characters, without control characters"
        )));
    }
    if new.expires_in_days.is_some_and(|d| !(1..=MAX_DAYS).contains(&d)) {
        return Err(AppError::BadRequest(format!("expires_in_days must be 1 to {MAX_DAYS}, or left out for none")));
    }
    let token = new_secret("vt_");
    let expires_at = new.expires_in_days.map(|days| now_unix() + i64::from(days) * 86_400);
    let info = TokenInfo {
        id: Uuid::new_v4(),
        name: name.to_string(),
        scope: new.scope,
        created_at: now_rfc3339(),
        expires_at: expires_at.map(rfc3339),
        last_used_at: None,
    };
    let row = TokenRow { hash: secret_hash(&token), user, info: info.clone(), expires_at };
    Ok((CreatedToken { token, info }, row))
}

pub(super) fn announce(user: Uuid, info: &TokenInfo) {
    tracing::info!(%user, id = %info.id, scope = %info.scope, "API token created");
}

pub async fn list(credentials: &Credentials, user: Uuid) -> Result<Vec<TokenInfo>, AppError> {
    credentials.meta().tokens_of(user).await
}

/// Revokes a token of `user`: refused from the next request on. Someone
/// else's token is missing, as a nonexistent one.
pub async fn revoke(credentials: &Credentials, user: Uuid, id: Uuid) -> Result<(), AppError> {
    let deleted = credentials.revoke(credentials.meta().delete_token(user, id)).await?;
    if deleted {
        tracing::info!(%user, %id, "API token revoked");
    }
    deleted.then_some(()).ok_or(Missing::Token(id).into())
}

/// The user's unexpired sessions, the request's own marked.
pub async fn sessions(credentials: &Credentials, user: Uuid, parts: &Parts) -> Result<Vec<SessionInfo>, AppError> {
    let current = own_session_hash(parts);
    credentials.meta().sessions_of(user, current, now_unix()).await
}

pub async fn end_session(credentials: &Credentials, user: Uuid, id: Uuid) -> Result<(), AppError> {
    let deleted = credentials.revoke(credentials.meta().delete_session_by_id(user, id)).await?;
    deleted.then_some(()).ok_or(Missing::Session(id).into())
}

/// Signs out every session of the user but the request's own (all of them
/// for a request made with a token); how many.
pub async fn end_other_sessions(credentials: &Credentials, user: Uuid, parts: &Parts) -> Result<usize, AppError> {
    let keep = own_session_hash(parts);
    credentials.revoke(credentials.meta().delete_other_sessions(user, keep)).await
}

/// The hash of the request's session, or "" (which no session has).
fn own_session_hash(parts: &Parts) -> String {
    session_secret(parts).map(|s| secret_hash(&s)).unwrap_or_default()
}
