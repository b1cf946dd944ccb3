use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// Revokes an API token of the signed-in user, at once.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn revoke_token(id: Uuid) -> Result<(), AppError> {
    let (state, user) = super::ctx::request_user().await?;
    crate::server::auth::tokens::revoke(&state.credentials, user.id, id).await?;
    super::ctx::back_to("/settings")?;
    Ok(())
}
