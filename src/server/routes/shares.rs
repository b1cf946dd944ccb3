//! Share links: the owner's API (`/api/shares`) and what anyone with a link
//! downloads (`/s/{token}/download`, `/s/{token}/files/{path}`). The link's
//! page itself is a page of the app (`pages/shared.rs`).

use super::zips::zip_response;
use crate::error::AppError;
use crate::server::auth::CurrentUser;
use crate::server::content;
use crate::server::http::extract::{ApiJson, ApiPath, Download};
use crate::server::http::serve::{file_response, Caching};
use crate::server::shares::{self, NewShare};
use crate::server::state::AppState;
use crate::share::{CreatedShare, ShareInfo, TargetKind};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::Router;
use serde::Serialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/shares", get(list).post(create))
        .route("/api/shares/{id}", delete(revoke))
        .route("/s/{token}/download", get(download))
        .route("/s/{token}/files/{*path}", get(download))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<ApiJson<Vec<ShareInfo>>, AppError> {
    Ok(ApiJson(shares::list(&state, user.id).await?))
}

/// A made link as the API answers it: its listing's fields and its URL.
#[derive(Serialize)]
struct Created {
    url: String,
    #[serde(flatten)]
    info: ShareInfo,
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewShare>,
) -> Result<(StatusCode, ApiJson<Created>), AppError> {
    let CreatedShare { url, info } = shares::create(&state, user.id, new).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { url, info })))
}

async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, AppError> {
    shares::revoke(&state, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The token of a `/s/{token}/...` path; the rest is taken raw.
#[derive(serde::Deserialize)]
struct Token {
    token: String,
}

/// `/s/{token}/download`: the shared artifact, or a ZIP of the shared
/// folder's or conversation's files; `/s/{token}/files/{path}`: a file of
/// theirs, by its path under what is shared.
async fn download(
    State(state): State<AppState>,
    ApiPath(Token { token }): ApiPath<Token>,
    Download(download): Download,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    public(&parts, shared_file(&state, &parts, &token, download).await)
}

async fn shared_file(state: &AppState, parts: &Parts, token: &str, download: bool) -> Result<Response, AppError> {
    let opened = shares::open(state, token).await?;
    let files = format!("{}/files/", shares::url_of(token));
    let meta = match parts.uri.path().strip_prefix(&files) {
        Some(raw) => opened.file(state, raw).await?,
        None if opened.target.kind == TargetKind::Artifact => opened.artifact(state).await?,
        None => {
            let all = opened.files(state).await?;
            return Ok(zip_response(
                state.store.blobs().clone(),
                all,
                &format!("{}.zip", opened.target.label.replace('/', "-")),
            ));
        }
    };
    file_response(parts, &state.store, &meta, download, Caching::Revalidate).await
}

/// A public answer, never cached; an error is a page for browsers and
/// `{"detail"}` for others.
fn public(parts: &Parts, answer: Result<Response, AppError>) -> Response {
    no_store(match answer {
        Ok(response) => response,
        Err(e) if wants_html(parts) => match &e {
            AppError::Gone(text) => content::page(StatusCode::GONE, "This link no longer works", text),
            AppError::NotFound(_) => content::page(StatusCode::NOT_FOUND, "Not found", &e.to_string()),
            _ => content::error_page(e),
        },
        Err(e) => e.into_response(),
    })
}

fn accepts(headers: &HeaderMap, mime: &str) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(mime))
}

fn wants_html(parts: &Parts) -> bool {
    accepts(&parts.headers, "text/html")
}

/// Whether a request for a link's page asks for JSON rather than the page.
pub fn wants_json(headers: &HeaderMap) -> bool {
    accepts(headers, "application/json") && !accepts(headers, "text/html")
}

/// A link's page for a JSON client: what the page shows, or `{"detail"}`.
pub async fn page_json(state: &AppState, token: &str) -> Response {
    let answer = shares::shared(state, token).await.map(|shared| ApiJson(shared).into_response());
    no_store(answer.unwrap_or_else(IntoResponse::into_response))
}

/// Never kept by a cache, so a revoked link stops at once.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
