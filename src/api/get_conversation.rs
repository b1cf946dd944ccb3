use crate::error::AppError;
use crate::model::ConversationView;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// A conversation of the signed-in user with its transcript, and the faces
/// of its cards (each of the version its message wrote).
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_conversation(id: Uuid) -> Result<ConversationView, AppError> {
    use crate::server::cards::{faces, FaceOf};
    let (state, user) = super::ctx::request_user().await?;
    let conversation = state.store.conversation(user.id, id).await?;
    let messages = state.store.messages(user.id, id).await?;
    let mut all = Vec::with_capacity(messages.len());
    for m in &messages {
        all.push(faces(&state, user.id, &m.artifacts, FaceOf::Recorded).await);
    }
    Ok(ConversationView { conversation, messages, faces: all, now: crate::server::clock::now_rfc3339() })
}
