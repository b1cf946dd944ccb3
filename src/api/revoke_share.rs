use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// Revokes a share link of the signed-in user: refused from its next visit.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn revoke_share(id: Uuid) -> Result<(), AppError> {
    let (state, user) = super::ctx::request_user().await?;
    crate::server::shares::revoke(&state, user.id, id).await?;
    super::ctx::back_to("/settings")?;
    Ok(())
}
