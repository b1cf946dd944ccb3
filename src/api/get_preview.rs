use crate::error::AppError;
use crate::model::{ArtifactQuery, Preview};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// An artifact's preview, with its neighbours in the gallery as `gallery`
/// shows it (filter, search and order).
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_preview(
    conversation_id: Uuid,
    artifact_id: Uuid,
    gallery: ArtifactQuery,
) -> Result<Preview, AppError> {
    let (state, user) = super::ctx::request_user().await?;
    crate::server::preview::preview(
        &state.store,
        &state.archives,
        &state.content,
        user.id,
        conversation_id,
        artifact_id,
        &gallery,
    )
    .await
}
