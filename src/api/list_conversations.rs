use crate::error::AppError;
use crate::model::Conversation;
use leptos::prelude::*;

/// The signed-in user's conversations, newest first.
#[server(prefix = "/api/fn")]
pub async fn list_conversations() -> Result<Vec<Conversation>, AppError> {
    let (state, user) = crate::server::request_user().await?;
    Ok(state.store.conversations(user.id))
}
