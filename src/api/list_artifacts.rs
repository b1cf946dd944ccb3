use crate::error::AppError;
use crate::model::{ArtifactPage, ArtifactQuery};
use leptos::prelude::*;

/// A page of the signed-in user's artifacts across all conversations.
#[server(prefix = "/api/fn")]
pub async fn list_artifacts(query: ArtifactQuery) -> Result<ArtifactPage, AppError> {
    let (state, user) = crate::server::request_user().await?;
    state.store.list(user.id, None, query)
}
