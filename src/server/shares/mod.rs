//! Share links: URLs (`/s/{token}`) that show an artifact, a folder of a
//! conversation or a whole conversation to anyone who has them, read-only,
//! until they expire or their owner revokes them. The token is 256 random
//! bits; only its SHA-256 is stored, and it is never logged. Every visit
//! reads (and counts in) the database, with no cache: a revocation holds
//! from the next request on, on every instance.

mod page;

pub use page::shared;

use crate::error::{AppError, Missing};
use crate::server::auth::secret_hash;
use crate::server::clock::{now_rfc3339, now_unix, rfc3339};
use crate::server::meta::{Dead, Live};
use crate::server::state::AppState;
use crate::server::store::sidecar::Sidecar;
use crate::server::store::{Resolved, OUTPUTS};
use crate::server::vpath;
use crate::share::{CreatedShare, Pin, ShareInfo, ShareTarget, TargetKind, MAX_EXPIRY_SECS, MIN_EXPIRY_SECS};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

/// What a new link is to show, and for how long (`POST /api/shares`).
#[derive(Clone, Debug, Deserialize)]
pub struct NewShare {
    pub artifact_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    /// A folder under `mnt/user-data/outputs`, as a virtual path or
    /// relative to it (`plots`).
    pub folder: Option<String>,
    #[serde(default)]
    pub pin: Pin,
    /// 3600 to 90 days; `None` never expires, where the operator allows it.
    #[serde(default, deserialize_with = "crate::account::whole_number")]
    pub expires_in_seconds: Option<u64>,
}

/// The path of a link's page.
pub fn url_of(token: &str) -> String {
    format!("/s/{token}")
}

/// Makes a link of `user`'s; its URL is in the answer and nowhere else.
pub async fn create(state: &AppState, user: Uuid, new: NewShare) -> Result<CreatedShare, AppError> {
    let sharing = state.config.sharing;
    if !sharing.enabled {
        return Err(AppError::SharingOff);
    }
    let expires_at = match new.expires_in_seconds {
        Some(secs) if (MIN_EXPIRY_SECS..=MAX_EXPIRY_SECS).contains(&secs) => Some(now_unix() + secs as i64),
        None if sharing.allow_no_expiry => None,
        given => {
            let none = if sharing.allow_no_expiry { ", or left out for none" } else { "" };
            let what = if given.is_some() { "must be" } else { "is required:" };
            return Err(AppError::BadRequest(format!(
                "expires_in_seconds {what} {MIN_EXPIRY_SECS} (an hour) to {MAX_EXPIRY_SECS} (90 days){none}"
            )));
        }
    };
    let info = ShareInfo {
        id: Uuid::new_v4(),
        target: target(state, user, &new).await?,
        created_at: now_rfc3339(),
        expires_at: expires_at.map(rfc3339),
        access_count: 0,
        last_accessed_at: None,
        revoked: false,
        expired: false,
    };
    let token = new_token();
    let (hash, row) = (secret_hash(&token), info.clone());
    state.meta.insert_share(hash, user, row, expires_at).await?;
    tracing::info!(%user, id = %info.id, kind = %info.target.kind, "share link created");
    Ok(CreatedShare { url: url_of(&token), info })
}

/// 256 bits from the OS, in base64url: 43 characters.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What `new` names, if it is the user's.
async fn target(state: &AppState, user: Uuid, new: &NewShare) -> Result<ShareTarget, AppError> {
    let store = &state.store;
    match (new.artifact_id, new.conversation_id, &new.folder) {
        (Some(id), conversation, None) => {
            let meta = store.owned_artifact(user, id).await?;
            if conversation.is_some_and(|c| c != meta.conversation_id) {
                return Err(Missing::Artifact(id).into());
            }
            Ok(ShareTarget {
                kind: TargetKind::Artifact,
                conversation_id: meta.conversation_id,
                artifact_id: Some(id),
                version: (new.pin == Pin::Version).then_some(meta.version),
                folder: None,
                label: meta.name.clone(),
            })
        }
        (None, Some(conversation), folder) => {
            let title = store.conversation(user, conversation).await?.title;
            let folder = match folder {
                Some(f) => Some(folder_path(state, user, conversation, f).await?),
                None => None,
            };
            let label = match &folder {
                Some(path) => path.strip_prefix(OUTPUTS).unwrap_or(path).trim_start_matches('/').to_string(),
                None => title,
            };
            let kind = if folder.is_some() { TargetKind::Folder } else { TargetKind::Conversation };
            Ok(ShareTarget { kind, conversation_id: conversation, artifact_id: None, version: None, folder, label })
        }
        _ => Err(AppError::BadRequest(
            "A share link shows an artifact (artifact_id), or a conversation (conversation_id) or one of its \
             folders (conversation_id and folder)"
                .into(),
        )),
    }
}

/// A folder's virtual path, which must be one of the conversation's.
async fn folder_path(state: &AppState, user: Uuid, conversation: Uuid, folder: &str) -> Result<String, AppError> {
    let trimmed = folder.trim_matches('/');
    let path =
        if trimmed.starts_with(&format!("{OUTPUTS}/")) { trimmed.to_string() } else { format!("{OUTPUTS}/{trimmed}") };
    let bad = || AppError::BadRequest(format!("folder must name a folder under {OUTPUTS}: {folder:?}"));
    if trimmed.is_empty() || vpath::check(&path).ok().as_deref() != Some(path.as_str()) {
        return Err(bad());
    }
    // A file there is no folder either.
    match state.store.resolve(user, conversation, &path).await? {
        Resolved::Folder => Ok(path),
        Resolved::File(_) | Resolved::Missing => Err(Missing::Folder(path).into()),
    }
}

pub async fn list(state: &AppState, user: Uuid) -> Result<Vec<ShareInfo>, AppError> {
    state.meta.shares_of(user, now_unix()).await
}

/// Revokes a link of `user`: refused from the next request on. Someone
/// else's link is missing, as a nonexistent one.
pub async fn revoke(state: &AppState, user: Uuid, id: Uuid) -> Result<(), AppError> {
    let now = now_rfc3339();
    if !state.meta.revoke_share(user, id, now).await? {
        return Err(Missing::Share(id).into());
    }
    tracing::info!(%user, %id, "share link revoked");
    Ok(())
}

/// A live link, opened by a visit (and counted).
pub struct Opened {
    pub id: Uuid,
    pub token: String,
    pub owner: Uuid,
    pub target: ShareTarget,
    pub expires_at: Option<i64>,
}

/// The link of `token`, counting this visit; 404 for none, 410 for one
/// revoked, expired, or on a server where sharing is off.
pub async fn open(state: &AppState, token: &str) -> Result<Opened, AppError> {
    sharing_on(state)?;
    let hash = secret_hash(token);
    let Live { id, owner, target, expires_at } = state.meta.visit_share(hash, now_unix()).await?.map_err(refusal)?;
    Ok(Opened { id, token: token.to_string(), owner, target, expires_at })
}

/// Whether the link `id` may still be used (its previews' capability URLs
/// ask at each request), as [`open`] answers; not a visit.
pub async fn check_live(state: &AppState, id: Uuid) -> Result<(), AppError> {
    sharing_on(state)?;
    state.meta.share_live(id, now_unix()).await?.map_err(refusal)
}

fn sharing_on(state: &AppState) -> Result<(), AppError> {
    match state.config.sharing.enabled {
        true => Ok(()),
        false => Err(AppError::Gone("Share links are turned off on this server".into())),
    }
}

fn refusal(dead: Option<Dead>) -> AppError {
    match dead {
        Some(Dead::Revoked) => AppError::Gone("This share link was revoked by its owner".into()),
        Some(Dead::Expired) => AppError::Gone("This share link has expired".into()),
        None => Missing::ShareLink.into(),
    }
}

impl Opened {
    /// The shared artifact's version: the pinned one, or the latest.
    pub async fn artifact(&self, state: &AppState) -> Result<Arc<Sidecar>, AppError> {
        let (Some(id), c) = (self.target.artifact_id, self.target.conversation_id) else {
            return Err(Missing::ShareLink.into());
        };
        match self.target.version {
            Some(n) => state.store.version(self.owner, c, id, n).await,
            None => state.store.artifact(self.owner, c, id).await,
        }
        .map_err(|_| AppError::Gone("The shared file no longer exists".into()))
    }

    /// The folder a folder or conversation link shows.
    pub fn folder(&self) -> &str {
        self.target.folder.as_deref().unwrap_or(vpath::ROOT)
    }

    /// The latest file at each path of a shared folder or conversation.
    pub async fn files(&self, state: &AppState) -> Result<Vec<Arc<Sidecar>>, AppError> {
        if self.target.kind == TargetKind::Artifact {
            return Err(Missing::ShareLink.into());
        }
        state
            .store
            .under(self.owner, self.target.conversation_id, self.folder())
            .await
            .map_err(|_| AppError::Gone("The shared conversation no longer exists".into()))
    }

    /// The file at `raw` (percent-encoded, relative to the shared folder).
    pub async fn file(&self, state: &AppState, raw: &str) -> Result<Arc<Sidecar>, AppError> {
        let path = vpath::check(&format!("{}/{raw}", self.folder()))?;
        if self.target.kind == TargetKind::Artifact || !path.starts_with(&format!("{}/", self.folder())) {
            return Err(AppError::Forbidden);
        }
        match state.store.resolve(self.owner, self.target.conversation_id, &path).await? {
            Resolved::File(meta) => Ok(meta),
            _ => Err(Missing::Path(path).into()),
        }
    }

    /// A file's URL under this link: its path relative to the shared folder.
    pub fn file_url(&self, meta: &Sidecar) -> String {
        let relative = meta.path.strip_prefix(self.folder()).unwrap_or(&meta.path).trim_start_matches('/');
        format!("{}/files/{}", url_of(&self.token), vpath::encode(relative))
    }
}
