//! Gallery listings and the artifact files themselves.

use crate::error::AppError;
use crate::model::ArtifactPage;
use crate::server::auth::CurrentUser;
use crate::server::http::extract::{ApiJson, ApiPath, Download, Listing};
use crate::server::http::serve::{file_response, Caching};
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/artifacts", get(list_all))
        .route("/api/conversations/{id}/artifacts", get(list_conversation))
        .route("/api/conversations/{id}/artifacts/{artifact_id}", get(download).delete(delete))
}

async fn list_all(
    State(state): State<AppState>,
    user: CurrentUser,
    Listing(q): Listing,
) -> Result<ApiJson<ArtifactPage>, AppError> {
    Ok(ApiJson(state.store.list(user.id, None, &q).await?))
}

async fn list_conversation(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    Listing(q): Listing,
) -> Result<ApiJson<ArtifactPage>, AppError> {
    Ok(ApiJson(state.store.list(user.id, Some(id), &q).await?))
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, artifact_id)): ApiPath<(Uuid, Uuid)>,
    Download(download): Download,
    req: Request,
) -> Result<Response, AppError> {
    let meta = state.store.artifact(user.id, id, artifact_id).await?;
    let (parts, _) = req.into_parts();
    file_response(&parts, &state.store, &meta, download, Caching::Revalidate).await
}

async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, artifact_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, AppError> {
    state.store.delete(user.id, id, artifact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
