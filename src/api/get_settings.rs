use crate::account::Settings;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// The signed-in user's API tokens and sessions.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_settings() -> Result<Settings, AppError> {
    use crate::server::auth::tokens;
    let (state, user) = super::ctx::request_user().await?;
    let parts = super::ctx::request()?;
    let tokens = tokens::list(&state.credentials, user.id).await?;
    let sessions = tokens::sessions(&state.credentials, user.id, &parts).await?;
    let new_token = super::new_token::take(&parts, &tokens);
    Ok(Settings { tokens, sessions, new_token })
}
