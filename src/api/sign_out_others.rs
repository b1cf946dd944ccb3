use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// Signs out every session of the signed-in user but this one.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn sign_out_others() -> Result<(), AppError> {
    let (state, user) = super::ctx::request_user().await?;
    let parts = super::ctx::request()?;
    crate::server::auth::tokens::end_other_sessions(&state.credentials, user.id, &parts).await?;
    super::ctx::back_to("/settings")?;
    Ok(())
}
