//! Gallery listings and the artifact files themselves.

use crate::error::AppError;
use crate::model::{ArtifactPage, ArtifactQuery};
use crate::server::auth::CurrentUser;
use crate::server::http::extract::{ApiJson, ApiPath, Download, Listing};
use crate::server::http::serve::{file_response, Caching};
use crate::server::state::AppState;
use crate::server::store::cursor::Cursor;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
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

/// A listing's query as the API takes it: [`Listing`]'s, by page, or by
/// `cursor`, whose filter, search and order the other parameters may repeat
/// but not change.
struct Walk(ArtifactQuery, Option<Cursor>);

impl<S: Send + Sync> FromRequestParts<S> for Walk {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Listing(q) = Listing::from_request_parts(parts, state).await?;
        let pairs: Vec<_> = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()).collect();
        let Some((_, text)) = pairs.iter().find(|(k, _)| k == "cursor") else { return Ok(Self(q, None)) };
        let cursor = Cursor::decode(text)?;
        let q = cursor.query(q, pairs.iter().map(|(k, _)| k.as_ref()))?;
        Ok(Self(q, Some(cursor)))
    }
}

async fn list_all(
    State(state): State<AppState>,
    user: CurrentUser,
    Walk(q, cursor): Walk,
) -> Result<ApiJson<ArtifactPage>, AppError> {
    Ok(ApiJson(state.store.list_after(user.id, None, &q, cursor.as_ref()).await?))
}

async fn list_conversation(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    Walk(q, cursor): Walk,
) -> Result<ApiJson<ArtifactPage>, AppError> {
    Ok(ApiJson(state.store.list_after(user.id, Some(id), &q, cursor.as_ref()).await?))
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
