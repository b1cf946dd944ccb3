use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// Makes a version of an artifact of the signed-in user its latest again,
/// as a new version, then goes to `back`, the artifact's preview page.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn restore_version(
    conversation_id: Uuid,
    artifact_id: Uuid,
    version: u32,
    back: String,
) -> Result<(), AppError> {
    let (state, user) = super::ctx::request_user().await?;
    state.store.restore(user.id, conversation_id, artifact_id, version).await?;
    super::ctx::back_to_preview(&back, conversation_id, artifact_id);
    Ok(())
}
