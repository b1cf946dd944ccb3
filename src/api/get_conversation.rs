use crate::error::AppError;
use crate::model::ConversationView;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use uuid::Uuid;

/// A conversation of the signed-in user with its transcript, and the
/// transcript's HTML (its cards' faces each of the version its message
/// wrote).
#[server(prefix = "/api/fn", output = Postcard)]
pub async fn get_conversation(id: Uuid) -> Result<ConversationView, AppError> {
    use crate::server::cards::{faces, FaceOf};
    let (state, user) = super::ctx::request_user().await?;
    let conversation = state.store.conversation(user.id, id).await?;
    let messages = state.store.messages(user.id, id).await?;
    // Made in one call, so that a transcript's faces are made a few at a
    // time across its messages, then told apart by message.
    let records: Vec<_> = messages.iter().flat_map(|m| m.artifacts.iter().cloned()).collect();
    let mut made = faces(&state, user.id, &records, FaceOf::Recorded).await.into_iter();
    let faces = messages.iter().map(|m| made.by_ref().take(m.artifacts.len()).collect()).collect();
    let now = crate::server::clock::now_rfc3339();
    let mut view = ConversationView { conversation, messages, now, html: String::new() };
    view.html = crate::pages::conversations::plain::transcript(&view, faces);
    Ok(view)
}
