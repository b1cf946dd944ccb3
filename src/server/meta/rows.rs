//! The records that `Meta` reads and writes, the same whichever database
//! holds them.

use crate::account::{Scope, TokenInfo};
use crate::model::Conversation;
use crate::share::ShareTarget;
use uuid::Uuid;

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

#[derive(Clone)]
pub struct TokenRow {
    pub hash: String,
    pub user: Uuid,
    pub info: TokenInfo,
    pub expires_at: Option<i64>,
}

/// Who an unexpired token belongs to, what it may do, until when, and when
/// it was last used.
pub struct TokenOwner {
    pub id: Uuid,
    pub name: String,
    pub scope: Scope,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

pub struct SessionRow {
    pub hash: String,
    pub user: Uuid,
    pub expires_at: i64,
    pub user_agent: String,
}

/// A share link that may be opened, as its visit finds it.
pub struct Live {
    pub id: Uuid,
    pub owner: Uuid,
    pub target: ShareTarget,
    pub expires_at: Option<i64>,
}

/// Why a share link that exists may not be opened.
pub enum Dead {
    Revoked,
    Expired,
}

/// Whether a link may be opened at `now`, or why not, from its row:
/// whether it was revoked, and when it expires (`None`: no such link).
pub(super) fn standing(row: Option<(bool, Option<i64>)>, now: i64) -> Result<(), Option<Dead>> {
    match row {
        None => Err(None),
        Some((true, _)) => Err(Some(Dead::Revoked)),
        Some((false, Some(at))) if at <= now => Err(Some(Dead::Expired)),
        Some(_) => Ok(()),
    }
}
