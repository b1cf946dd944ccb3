use crate::error::AppError;
use crate::model::DrawnPage;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// The page of the share link of `token`, drawn (an SVG's source if
/// `source`); needs no account. Each call is a visit of the link, counted.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_shared(token: String, #[server(default)] source: bool) -> Result<DrawnPage, AppError> {
    let shared = crate::server::shares::shared(&super::ctx::state()?, &token).await?;
    Ok(crate::pages::shared::plain::draw(shared, &format!("/s/{token}"), source))
}
