use crate::error::AppError;
use crate::model::{ArtifactQuery, GalleryPage};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// A page of the signed-in user's artifacts across all conversations, with
/// the first lines of text artifacts for their cards.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn list_artifacts(query: ArtifactQuery) -> Result<GalleryPage, AppError> {
    let (state, user) = super::ctx::request_user().await?;
    let page = state.store.list(user.id, None, &query)?;
    let store = state.store.clone();
    let (page, snippets) = tokio::task::spawn_blocking(move || {
        let snippets = page.items.iter().map(|a| crate::server::preview::snippet(&store, user.id, a)).collect();
        (page, snippets)
    })
    .await?;
    Ok(GalleryPage { page, snippets, now: crate::server::clock::now_rfc3339() })
}
