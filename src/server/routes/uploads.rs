//! Uploads into a thread (`server/uploads.rs` does the work).

use crate::error::AppError;
use crate::server::auth::CurrentUser;
use crate::server::http::extract::{ApiJson, ApiPath};
use crate::server::state::AppState;
use crate::server::uploads::{self, UploadedFile};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Serialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        // Limits are enforced while streaming, per file and per request.
        .route("/api/threads/{thread_id}/uploads", post(upload).layer(DefaultBodyLimit::disable()))
        .route("/api/threads/{thread_id}/uploads/list", get(list))
        .route("/api/threads/{thread_id}/uploads/{filename}", delete(remove))
}

#[derive(Serialize)]
struct UploadAnswer {
    files: Vec<UploadedFile>,
}

async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(thread): ApiPath<Uuid>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, ApiJson<UploadAnswer>), AppError> {
    let multipart = multipart
        .map_err(|e| AppError::BadRequest(format!("Expected a multipart/form-data body: {}", e.body_text())))?;
    let files = uploads::upload(&state.store, &state.config, user.id, thread, multipart).await?;
    Ok((StatusCode::CREATED, ApiJson(UploadAnswer { files })))
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(thread): ApiPath<Uuid>,
) -> Result<ApiJson<UploadAnswer>, AppError> {
    Ok(ApiJson(UploadAnswer { files: uploads::list(&state.store, user.id, thread).await? }))
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((thread, filename)): ApiPath<(Uuid, String)>,
) -> Result<StatusCode, AppError> {
    uploads::remove(&state.store, user.id, thread, &filename).await?;
    Ok(StatusCode::NO_CONTENT)
}
