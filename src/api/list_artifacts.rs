use crate::error::AppError;
use crate::model::{ArtifactQuery, GalleryPage};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// A page of the signed-in user's artifacts across all conversations, with
/// their cards' faces.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn list_artifacts(query: ArtifactQuery) -> Result<GalleryPage, AppError> {
    let (state, user) = super::ctx::request_user().await?;
    let page = state.store.list(user.id, None, &query).await?;
    let faces = crate::server::cards::faces(&state, user.id, &page.items, crate::server::cards::FaceOf::Latest).await;
    Ok(GalleryPage { page, faces, now: crate::server::clock::now_rfc3339() })
}
