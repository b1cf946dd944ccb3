//! What a link's public page shows: the shared artifact's preview, or the
//! shared files, every URL in it the link's own (or, for what a browser
//! renders, a capability URL on the content origin reaching only what the
//! link shares).

use super::{open, url_of, Opened};
use crate::error::AppError;
use crate::model::PREVIEW_LINK_SECS;
use crate::model::{Artifact, PreviewBody};
use crate::server::clock::{now_rfc3339, now_unix, rfc3339};
use crate::server::content::Grant;
use crate::server::filetype::{self, PreviewKind};
use crate::server::preview;
use crate::server::state::AppState;
use crate::server::store::sidecar::Sidecar;
use crate::share::{Shared, TargetKind};

/// The page of the link `token` (a visit, counted).
pub async fn shared(state: &AppState, token: &str) -> Result<Shared, AppError> {
    let opened = open(state, token).await?;
    let base = url_of(token);
    let (preview, files, zip_url) = match opened.target.kind {
        TargetKind::Artifact => (Some(artifact_preview(state, &opened).await?), vec![], None),
        TargetKind::Folder | TargetKind::Conversation => {
            let mut files = Vec::new();
            for meta in opened.files(state).await? {
                files.push(file_record(state, &opened, &meta).await?);
            }
            (None, files, Some(format!("{base}/download")))
        }
    };
    Ok(Shared {
        target: opened.target,
        expires_at: opened.expires_at.map(rfc3339),
        preview,
        files,
        zip_url,
        now: now_rfc3339(),
    })
}

async fn artifact_preview(state: &AppState, opened: &Opened) -> Result<crate::model::Preview, AppError> {
    let meta = opened.artifact(state).await?;
    // An HTML page or Markdown loads the files beside it; anything else
    // needs only itself.
    let scope = match filetype::preview(&meta.mime_type, &meta.name) {
        PreviewKind::Html | PreviewKind::Markdown => meta.path.rsplit_once('/').map_or("", |(folder, _)| folder),
        _ => meta.path.as_str(),
    };
    let grant = Grant {
        user: opened.owner,
        conversation: meta.conversation_id,
        scope: scope.to_string(),
        share: Some(opened.id),
    };
    let url = state.content.url(&grant, &meta.path, now_unix() + PREVIEW_LINK_SECS);
    let raw_url = match opened.target.version {
        Some(n) => format!("{url}?version={n}"),
        None => url.to_string(),
    };
    let mut preview = preview::render(state, meta, url, raw_url).await?;
    let own = format!("{}/download", url_of(&opened.token));
    preview.artifact.download_url = format!("{own}?download=true");
    preview.artifact.url = own;
    // A `.skill`'s members open through the thread API, which needs an account.
    if let PreviewBody::Archive { members, .. } = &mut preview.body {
        members.iter_mut().for_each(|m| m.url = None);
    }
    Ok(preview)
}

async fn file_record(state: &AppState, opened: &Opened, meta: &Sidecar) -> Result<Artifact, AppError> {
    let mut record = state.store.record(meta).await?;
    record.url = opened.file_url(meta);
    record.download_url = format!("{}?download=true", record.url);
    Ok(record)
}
