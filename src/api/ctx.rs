//! The request context of a server function (Leptos's `mod ssr` pattern):
//! the app's state and the signed-in user, from what leptos_axum provides.

use crate::error::AppError;
use crate::server::auth::{self, CurrentUser};
use crate::server::state::AppState;
use leptos::prelude::use_context;

pub async fn request_user() -> Result<(AppState, CurrentUser), AppError> {
    let state = use_context::<AppState>().ok_or_else(|| AppError::Internal("no AppState in context".into()))?;
    let parts = use_context::<axum::http::request::Parts>()
        .ok_or_else(|| AppError::Internal("no request in context".into()))?;
    let user = auth::current_user(&state.credentials, &parts).await?;
    Ok((state, user))
}
