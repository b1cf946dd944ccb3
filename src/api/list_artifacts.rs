use crate::error::AppError;
use crate::model::{ArtifactQuery, GalleryPage};
use leptos::prelude::*;

/// A page of the signed-in user's artifacts across all conversations, with
/// the first lines of text artifacts for their cards.
#[server(prefix = "/api/fn")]
pub async fn list_artifacts(query: ArtifactQuery) -> Result<GalleryPage, AppError> {
    let (state, user) = crate::server::request_user().await?;
    let page = state.store.list(user.id, None, &query)?;
    let store = state.store.clone();
    let refs: Vec<_> = page.items.iter().map(|a| (a.conversation_id, a.id)).collect();
    let snippets = tokio::task::spawn_blocking(move || {
        refs.into_iter().map(|(c, id)| crate::server::preview::snippet(&store, user.id, c, id)).collect()
    })
    .await?;
    Ok(GalleryPage { page, snippets, now: crate::server::now_rfc3339() })
}
