//! Conversations and the tool results that produce artifacts.

use crate::error::AppError;
use crate::model::{Conversation, Message, NewConversation, StoredToolResult, ToolResult};
use crate::server::auth::CurrentUser;
use crate::server::http::extract::{ApiJson, ApiPath};
use crate::server::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/conversations", post(create).get(list))
        .route("/api/conversations/{id}", get(show))
        // Artifacts arrive base64-encoded inside the JSON body; the store
        // enforces the per-artifact limit, this only bounds the request.
        .route("/api/conversations/{id}/tool-results", post(add_tool_result).layer(DefaultBodyLimit::max(1 << 30)))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewConversation>,
) -> Result<(StatusCode, ApiJson<Conversation>), AppError> {
    Ok((StatusCode::CREATED, ApiJson(state.store.create_conversation(user.id, &body.title).await?)))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<ApiJson<Vec<Conversation>>, AppError> {
    Ok(ApiJson(state.store.conversations(user.id).await?))
}

#[derive(Serialize)]
struct ConversationDetail {
    #[serde(flatten)]
    conversation: Conversation,
    messages: Vec<Message>,
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<ConversationDetail>, AppError> {
    let conversation = state.store.conversation(user.id, id).await?;
    let messages = state.store.messages(user.id, id).await?;
    Ok(ApiJson(ConversationDetail { conversation, messages }))
}

async fn add_tool_result(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(result): ApiJson<ToolResult>,
) -> Result<(StatusCode, ApiJson<StoredToolResult>), AppError> {
    Ok((StatusCode::CREATED, ApiJson(state.store.ingest(user.id, id, result).await?)))
}
