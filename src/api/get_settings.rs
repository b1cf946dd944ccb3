use crate::account::Settings;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// The signed-in user's API tokens, sessions and share links, drawn.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_settings() -> Result<Settings, AppError> {
    use super::flash;
    use crate::account::CreatedToken;
    use crate::server::auth::tokens;
    use crate::share::CreatedShare;
    let (state, user) = super::ctx::request_user().await?;
    let parts = super::ctx::request()?;
    let tokens = tokens::list(&state.credentials, user.id).await?;
    let sessions = tokens::sessions(&state.credentials, user.id, &parts).await?;
    let shares = crate::server::shares::list(&state, user.id).await?;
    // A secret made just before, if it is one of the user's.
    let new_token = flash::take(&parts, flash::TOKEN).and_then(|(id, token)| {
        let info = tokens.iter().find(|t| t.id.to_string() == id)?.clone();
        Some(CreatedToken { token, info })
    });
    let new_share = flash::take(&parts, flash::SHARE).and_then(|(id, url)| {
        let info = shares.iter().find(|s| s.id.to_string() == id)?.clone();
        Some(CreatedShare { url, info })
    });
    Ok(crate::pages::settings::plain::draw(tokens, sessions, new_token, shares, new_share))
}
