//! Card thumbnails: raster images scaled on the server once and cached under
//! `DATA_DIR/cache/thumbnails/`, so a gallery page never ships full-size
//! pictures. SVGs are their own thumbnail (inert inside `<img>`). A
//! thumbnail is the latest version's (cached by the version's id), so its
//! URL is revalidated with the version's ETag, never kept as immutable.

use crate::error::{AppError, Missing};
use crate::server::auth::CurrentUser;
use crate::server::filetype::{self, Thumbnail};
use crate::server::http::extract::ApiPath;
use crate::server::http::serve::{file_response, not_modified, strong_etag, untrusted_content_headers, Caching};
use crate::server::state::AppState;
use crate::server::store::files::{thumbnail_path, write_atomic};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::headers::HeaderMapExt;
use std::path::PathBuf;
use uuid::Uuid;

const EDGE: u32 = 480;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/conversations/{id}/artifacts/{artifact_id}/thumbnail", get(thumbnail))
}

/// Decodes with limits, so a small file claiming huge dimensions (an image
/// bomb) fails instead of allocating them.
fn scale(source: PathBuf, target: PathBuf, name: String) -> Result<Vec<u8>, AppError> {
    let mut reader = image::ImageReader::open(&source)?.with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let picture = reader.decode().map_err(|e| Missing::Thumbnail(format!("{name} ({e})")))?;
    let mut png = Vec::new();
    picture
        .thumbnail(EDGE, EDGE)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| AppError::Internal(format!("thumbnail encoding: {e}")))?;
    let dir = target.parent().expect("thumbnail path has a folder");
    std::fs::create_dir_all(dir)?;
    write_atomic(dir, &target.file_name().expect("file name").to_string_lossy(), &png)?;
    Ok(png)
}

async fn thumbnail(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, artifact_id)): ApiPath<(Uuid, Uuid)>,
    req: Request,
) -> Result<Response, AppError> {
    let meta = state.store.artifact(user.id, id, artifact_id)?;
    match filetype::thumbnail(&meta.mime_type) {
        Some(Thumbnail::Svg) => {
            let (parts, _) = req.into_parts();
            file_response(&parts, &state.store, &meta, false, Caching::Revalidate).await
        }
        Some(Thumbnail::Raster) => {
            let tag = strong_etag(&meta.sha256);
            let mut response = if not_modified(req.headers(), &tag) {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                let cached = thumbnail_path(&state.config.data_dir, meta.id);
                let png = match tokio::fs::read(&cached).await {
                    Ok(png) => png,
                    Err(_) => {
                        let (path, name) = (state.store.data_path(&meta)?, meta.name.clone());
                        tokio::task::spawn_blocking(move || scale(path, cached, name)).await??
                    }
                };
                png.into_response()
            };
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
            headers.typed_insert(tag);
            untrusted_content_headers(headers, "image/png");
            Ok(response)
        }
        None => Err(Missing::Thumbnail(meta.name.clone()).into()),
    }
}
