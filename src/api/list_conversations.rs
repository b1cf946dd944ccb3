use crate::error::AppError;
use crate::model::Conversation;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// The signed-in user's conversations, newest first.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn list_conversations() -> Result<Vec<Conversation>, AppError> {
    let (state, user) = super::ctx::request_user().await?;
    state.store.conversations(user.id).await
}
