use crate::error::AppError;
use crate::model::{ArtifactQuery, Preview};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// An artifact's preview, with its neighbours in the gallery as `gallery`
/// shows it (filter, search and order): version `version` (by default the
/// latest), or its comparison with version `compare`.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_preview(
    conversation_id: Uuid,
    artifact_id: Uuid,
    gallery: ArtifactQuery,
    version: Option<u32>,
    compare: Option<u32>,
) -> Result<Preview, AppError> {
    let (state, user) = super::ctx::request_user().await?;
    let pick = crate::server::preview::Pick { version, compare };
    let mut preview =
        crate::server::preview::preview(&state, user.id, conversation_id, artifact_id, &gallery, pick).await?;
    // The page shows the body as the server draws it, if no script changes it.
    let (artifact, version, _) = crate::pages::preview::shown_version(preview.artifact.clone(), &preview.versions);
    crate::pages::preview::plain::draw_section(&mut preview, &artifact, version.as_ref());
    Ok(preview)
}
