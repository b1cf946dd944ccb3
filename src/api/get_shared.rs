use crate::error::AppError;
use crate::share::Shared;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// What the share link of `token` shows; needs no account. Each call is a
/// visit of the link, counted.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_shared(token: String) -> Result<Shared, AppError> {
    let mut shared = crate::server::shares::shared(&super::ctx::state()?, &token).await?;
    // The page shows the body as the server draws it, if no script changes it.
    if let Some(preview) = shared.preview.as_mut() {
        let artifact = preview.artifact.clone();
        crate::pages::preview::plain::draw_section(preview, &artifact, None);
    }
    Ok(shared)
}
