use crate::error::AppError;
use crate::share::{CreatedShare, Pin};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// Makes a share link of one of the signed-in user's artifacts (pinned to
/// its current version or following the latest), or of one of their
/// conversations, whole or a `folder` of it (empty: the whole one);
/// `expires_in_seconds` 0 never expires (where the server allows it). The
/// answer holds the link's URL, shown once; without JavaScript the settings
/// page shows it.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn create_share(
    artifact_id: Option<Uuid>,
    conversation_id: Option<Uuid>,
    #[server(default)] folder: Option<String>,
    #[server(default)] pin: Pin,
    expires_in_seconds: u64,
) -> Result<CreatedShare, AppError> {
    use crate::server::shares::{self, NewShare};
    let (state, user) = super::ctx::request_user().await?;
    let new = NewShare {
        artifact_id,
        conversation_id,
        folder: folder.filter(|f| !f.is_empty()),
        pin,
        expires_in_seconds: (expires_in_seconds > 0).then_some(expires_in_seconds),
    };
    let mut created = shares::create(&state, user.id, new).await?;
    // The whole URL, to be copied: the form's page's origin, which the
    // browser sends with a POST.
    let origin = super::ctx::request()?
        .headers
        .get(axum::http::header::ORIGIN)
        .and_then(|o| o.to_str().ok().map(str::to_string));
    if let Some(origin) = origin.filter(|o| o.starts_with("http")) {
        created.url = format!("{origin}{}", created.url);
    }
    if super::ctx::back_to("/settings#shares-title")? {
        super::flash::keep(super::flash::SHARE, created.info.id, &created.url);
    }
    Ok(created)
}
