//! `/highlight.css`: the colours of highlighted code in the light and the
//! dark theme, made once from the token table (`render::theme`).

use crate::server::state::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::LazyLock;

pub fn router() -> Router<AppState> {
    Router::new().route("/highlight.css", get(highlight_css))
}

async fn highlight_css() -> impl IntoResponse {
    static CSS: LazyLock<String> = LazyLock::new(crate::server::render::theme::stylesheet);
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS.as_str())
}
