use crate::error::AppError;
use crate::share::SharedHtml;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// What the share link of `token` shows, with the page's HTML; needs no
/// account. Each call is a visit of the link, counted.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_shared(token: String) -> Result<SharedHtml, AppError> {
    let shared = crate::server::shares::shared(&super::ctx::state()?, &token).await?;
    Ok(crate::pages::shared::plain::draw(shared))
}
