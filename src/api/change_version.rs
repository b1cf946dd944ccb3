use crate::error::AppError;
use crate::model::VersionChange;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// Restores a version of an artifact of the signed-in user as its latest,
/// or deletes it (not its only one); then goes to `back`, the artifact's
/// preview page.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn change_version(
    conversation_id: Uuid,
    artifact_id: Uuid,
    version: u32,
    change: VersionChange,
    back: String,
) -> Result<(), AppError> {
    let (state, user) = super::ctx::request_user().await?;
    match change {
        VersionChange::Restore => {
            state.store.restore(user.id, conversation_id, artifact_id, version).await?;
        }
        VersionChange::Delete => state.store.delete_version(user.id, conversation_id, artifact_id, version).await?,
    }
    super::ctx::back_to_preview(&back, conversation_id, artifact_id);
    Ok(())
}
