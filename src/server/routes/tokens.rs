//! A user's API tokens and browser sessions: list, create, revoke, sign out.

use crate::account::{CreatedToken, NewToken, SessionInfo, TokenInfo};
use crate::error::AppError;
use crate::server::auth::{tokens, CurrentUser};
use crate::server::http::extract::{ApiJson, ApiPath};
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::Router;
use serde::Serialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/tokens", get(list).post(create))
        .route("/api/tokens/{id}", delete(revoke))
        .route("/api/sessions", get(sessions).delete(end_others))
        .route("/api/sessions/{id}", delete(end_session))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<ApiJson<Vec<TokenInfo>>, AppError> {
    Ok(ApiJson(tokens::list(&state.credentials, user.id).await?))
}

/// A made token as the API answers it: its listing's fields and the secret.
#[derive(Serialize)]
struct Created {
    token: String,
    #[serde(flatten)]
    info: TokenInfo,
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewToken>,
) -> Result<(StatusCode, ApiJson<Created>), AppError> {
    let CreatedToken { token, info } = tokens::create(&state.meta, user.id, new).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { token, info })))
}

async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, AppError> {
    tokens::revoke(&state.credentials, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn sessions(
    State(state): State<AppState>,
    user: CurrentUser,
    req: Request,
) -> Result<ApiJson<Vec<SessionInfo>>, AppError> {
    Ok(ApiJson(tokens::sessions(&state.credentials, user.id, &req.into_parts().0).await?))
}

/// Signs out every other session; answers how many.
async fn end_others(
    State(state): State<AppState>,
    user: CurrentUser,
    req: Request,
) -> Result<ApiJson<serde_json::Value>, AppError> {
    let ended = tokens::end_other_sessions(&state.credentials, user.id, &req.into_parts().0).await?;
    Ok(ApiJson(serde_json::json!({ "signed_out": ended })))
}

async fn end_session(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, AppError> {
    tokens::end_session(&state.credentials, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
