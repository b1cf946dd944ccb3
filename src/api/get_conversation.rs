use crate::error::AppError;
use crate::model::ConversationView;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// A conversation of the signed-in user with its transcript.
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_conversation(id: Uuid) -> Result<ConversationView, AppError> {
    let (state, user) = super::ctx::request_user().await?;
    let conversation = state.store.conversation(user.id, id).await?;
    let messages = state.store.messages(user.id, id).await?;
    Ok(ConversationView { conversation, messages, now: crate::server::clock::now_rfc3339() })
}
