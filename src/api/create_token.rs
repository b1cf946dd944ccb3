use crate::account::{CreatedToken, Scope};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// Makes an API token for the signed-in user; `expires_in_days` 0 never
/// expires. The answer holds its secret, shown once.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn create_token(name: String, scope: Scope, expires_in_days: u32) -> Result<CreatedToken, AppError> {
    use crate::account::NewToken;
    let (state, user) = super::ctx::request_user().await?;
    let new = NewToken { name, scope, expires_in_days: (expires_in_days > 0).then_some(expires_in_days) };
    let created = crate::server::auth::tokens::create(&state.meta, user.id, new).await?;
    if super::ctx::back_to("/settings")? {
        super::flash::keep(super::flash::TOKEN, created.info.id, &created.token);
    }
    Ok(created)
}
