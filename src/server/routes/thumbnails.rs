//! Card pictures: made on the server once (`server::cards`) and cached
//! under `DATA_DIR/cache/cards/`, as WebP, so a gallery page never ships
//! full-size pictures and never an SVG, PDF or font itself. A picture is
//! the latest version's (cached by the version's id), so its URL is
//! revalidated with the version's ETag, never kept as immutable; with
//! `?version=n`, that version's (a transcript's card).

use crate::error::{AppError, Missing};
use crate::model::CardFace;
use crate::server::auth::CurrentUser;
use crate::server::cards;
use crate::server::http::extract::ApiPath;
use crate::server::http::serve::{not_modified, strong_etag, untrusted_content_headers};
use crate::server::routes::versions::VersionQuery;
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::headers::HeaderMapExt;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/conversations/{id}/artifacts/{artifact_id}/thumbnail", get(thumbnail))
}

async fn thumbnail(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, artifact_id)): ApiPath<(Uuid, Uuid)>,
    VersionQuery(version): VersionQuery,
    request: HeaderMap,
) -> Result<Response, AppError> {
    let meta = match version {
        Some(n) => state.store.version(user.id, id, artifact_id, n).await?,
        None => state.store.artifact(user.id, id, artifact_id).await?,
    };
    let missing = || AppError::from(Missing::Thumbnail(meta.name.clone()));
    let CardFace::Picture { .. } = cards::face(&state, user.id, &meta).await else { return Err(missing()) };
    let tag = strong_etag(&meta.sha256);
    let mut response = if not_modified(&request, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (blobs, key) = (state.store.blobs().clone(), cards::picture_key(meta.id));
        // Unavailable (503) when the bucket is, never missing: the face said there is a picture.
        let webp = tokio::task::spawn_blocking(move || blobs.read(&key)).await?.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => missing(),
            _ => AppError::from(e),
        })?;
        webp.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/webp"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.typed_insert(tag);
    untrusted_content_headers(headers, "image/webp");
    Ok(response)
}
