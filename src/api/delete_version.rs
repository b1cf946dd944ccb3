use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// Deletes one version of an artifact of the signed-in user (not its only
/// one), then goes to `back`, the artifact's preview page.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn delete_version(
    conversation_id: Uuid,
    artifact_id: Uuid,
    version: u32,
    back: String,
) -> Result<(), AppError> {
    let (state, user) = super::ctx::request_user().await?;
    state.store.delete_version(user.id, conversation_id, artifact_id, version).await?;
    super::ctx::back_to_preview(&back, conversation_id, artifact_id);
    Ok(())
}
