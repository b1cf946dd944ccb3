//! An artifact's versions: the list, each version's bytes (at a URL that
//! never changes), deleting one and restoring one as the latest.

use crate::error::AppError;
use crate::model::{parse_version, Artifact, ArtifactVersions};
use crate::server::auth::CurrentUser;
use crate::server::http::extract::{ApiJson, ApiPath, Download};
use crate::server::http::serve::{file_response, Caching};
use crate::server::state::AppState;
use crate::server::store::versions::version_record;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/conversations/{id}/artifacts/{artifact_id}/versions", get(list))
        .route("/api/conversations/{id}/artifacts/{artifact_id}/versions/{version}", get(download).delete(delete))
        .route("/api/conversations/{id}/artifacts/{artifact_id}/versions/{version}/restore", post(restore))
}

/// `?version=n`: one version instead of the latest; a number that is not
/// one (0, negative, not a number, too large) is a 400.
pub struct VersionQuery(pub Option<u32>);

impl<S: Send + Sync> FromRequestParts<S> for VersionQuery {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes());
        let raw = query.filter(|(k, _)| k == "version").map(|(_, v)| v).last();
        Ok(Self(raw.map(|v| parse_version(&v)).transpose()?))
    }
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, artifact_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<ApiJson<ArtifactVersions>, AppError> {
    let versions = state.store.versions(user.id, id, artifact_id).await?;
    Ok(ApiJson(ArtifactVersions { id: artifact_id, items: versions.iter().map(|m| version_record(m)).collect() }))
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, artifact_id, version)): ApiPath<(Uuid, Uuid, String)>,
    Download(download): Download,
    req: Request,
) -> Result<Response, AppError> {
    let meta = state.store.version(user.id, id, artifact_id, parse_version(&version)?).await?;
    let (parts, _) = req.into_parts();
    file_response(&parts, &state.store, &meta, download, Caching::Immutable).await
}

async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, artifact_id, version)): ApiPath<(Uuid, Uuid, String)>,
) -> Result<StatusCode, AppError> {
    state.store.delete_version(user.id, id, artifact_id, parse_version(&version)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 201 with the artifact at its new latest version, or 200 when the latest
/// version had these bytes already.
async fn restore(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, artifact_id, version)): ApiPath<(Uuid, Uuid, String)>,
) -> Result<(StatusCode, ApiJson<Artifact>), AppError> {
    let (latest, new) = state.store.restore(user.id, id, artifact_id, parse_version(&version)?).await?;
    let status = if new { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, ApiJson(state.store.record(&latest).await?)))
}
