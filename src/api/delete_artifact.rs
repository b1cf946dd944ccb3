use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// Deletes an artifact of the signed-in user, then goes to `back`, a
/// gallery page of this site (anything else goes to `/artifacts`).
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn delete_artifact(conversation_id: Uuid, artifact_id: Uuid, back: String) -> Result<(), AppError> {
    let (state, user) = super::ctx::request_user().await?;
    state.store.delete(user.id, conversation_id, artifact_id).await?;
    let local_gallery = back == "/artifacts" || back.starts_with("/artifacts?");
    leptos_axum::redirect(if local_gallery { &back } else { "/artifacts" });
    Ok(())
}
