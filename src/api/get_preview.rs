use crate::error::AppError;
use crate::model::{ArtifactQuery, DrawnPage};
use crate::pages::preview::Confirm;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// An artifact's preview page, drawn, with its neighbours in the gallery as
/// `gallery` shows it (filter, search and order): version `version` (by
/// default the latest), or its comparison with version `compare`; asking
/// `confirm`; an SVG's source if `source`.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_preview(
    conversation_id: Uuid,
    artifact_id: Uuid,
    gallery: ArtifactQuery,
    version: Option<u32>,
    compare: Option<u32>,
    #[server(default)] confirm: Option<Confirm>,
    #[server(default)] source: bool,
) -> Result<DrawnPage, AppError> {
    let (state, user) = super::ctx::request_user().await?;
    let pick = crate::server::preview::Pick { version, compare };
    let preview =
        crate::server::preview::preview(&state, user.id, conversation_id, artifact_id, &gallery, pick).await?;
    Ok(crate::pages::preview::page::draw(preview, &gallery, confirm, source))
}
