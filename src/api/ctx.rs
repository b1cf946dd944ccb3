//! The request context of a server function (Leptos's `mod ssr` pattern):
//! the app's state, the request and the signed-in user, from what
//! leptos_axum provides.

use crate::error::AppError;
use crate::server::auth::{self, CurrentUser};
use crate::server::state::AppState;
use axum::http::request::Parts;
use leptos::prelude::use_context;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal("no AppState in context".into()))
}

pub async fn request_user() -> Result<(AppState, CurrentUser), AppError> {
    let state = state()?;
    let user = auth::current_user(&state.credentials, &request()?).await?;
    Ok((state, user))
}

pub fn request() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| AppError::Internal("no request in context".into()))
}

/// After a form posted without JavaScript (it asks for HTML), the browser is
/// sent to `page`, and the answer is true; with JavaScript the page updates
/// itself.
pub fn back_to(page: &str) -> Result<bool, AppError> {
    let accepts_html = request()?
        .headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if accepts_html {
        leptos_axum::redirect(page);
    }
    Ok(accepts_html)
}

/// Sends the browser to `back` if it is the preview page of this artifact
/// (with any query), else to the artifact's plain preview: where a version
/// form returns to, never another site.
pub fn back_to_preview(back: &str, conversation: uuid::Uuid, artifact: uuid::Uuid) {
    let preview = format!("/artifacts/{conversation}/{artifact}");
    let local = back.strip_prefix(&preview).is_some_and(|rest| rest.is_empty() || rest.starts_with('?'));
    leptos_axum::redirect(if local { back } else { &preview });
}
