//! Gallery listings and the artifact files themselves.

use super::{parse_id, ApiJson};
use crate::error::AppError;
use crate::model::{ArtifactPage, ArtifactQuery};
use crate::server::auth::CurrentUser;
use crate::server::serve::{file_response, Caching};
use crate::server::state::AppState;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/artifacts", get(list_all))
        .route("/api/conversations/{id}/artifacts", get(list_conversation))
        .route("/api/conversations/{id}/artifacts/{artifact_id}", get(download).delete(delete))
}

fn query_pairs(raw: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()).into_owned().collect()
}

pub fn parse_query(raw: &Option<String>) -> Result<ArtifactQuery, AppError> {
    let pairs = query_pairs(raw);
    ArtifactQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(AppError::BadRequest)
}

fn wants_download(raw: &Option<String>) -> bool {
    query_pairs(raw).iter().any(|(k, v)| k == "download" && matches!(v.as_str(), "true" | "1"))
}

async fn list_all(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(q): RawQuery,
) -> Result<ApiJson<ArtifactPage>, AppError> {
    Ok(ApiJson(state.store.list(user.id, None, &parse_query(&q)?)?))
}

async fn list_conversation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<ApiJson<ArtifactPage>, AppError> {
    let id = parse_id(&id, "Conversation")?;
    Ok(ApiJson(state.store.list(user.id, Some(id), &parse_query(&q)?)?))
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, artifact_id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Result<Response, AppError> {
    let (id, artifact_id) = (parse_id(&id, "Conversation")?, parse_id(&artifact_id, "Artifact")?);
    let meta = state.store.artifact(user.id, id, artifact_id)?;
    let (parts, _) = req.into_parts();
    file_response(&parts, &state.store, &meta, wants_download(&q), Caching::Immutable).await
}

async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, artifact_id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let (id, artifact_id) = (parse_id(&id, "Conversation")?, parse_id(&artifact_id, "Artifact")?);
    state.store.delete(user.id, id, artifact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
