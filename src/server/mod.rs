//! Everything that only runs on the server.

pub mod archive;
pub mod auth;
pub mod cli;
pub mod config;
pub mod convert;
pub mod db;
#[cfg(feature = "demo")]
pub mod demo;
pub mod guard;
pub mod listen;
pub mod mime;
pub mod preview;
pub mod render;
pub mod routes;
pub mod serve;
pub mod state;
pub mod store;
pub mod vpath;

use crate::app::{shell, App};
use crate::error::AppError;
use auth::CurrentUser;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use state::AppState;
use std::path::Path;
use std::sync::Arc;

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("the current time formats as RFC 3339")
}

pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn open_db(data_dir: &Path) -> Result<db::Db, AppError> {
    std::fs::create_dir_all(data_dir)?;
    db::Db::open(&data_dir.join("vitrine.db"))
}

/// Opens the data directory: the database, then the artifact store (which
/// rebuilds its index from the files).
pub fn open_state(config: config::Config, leptos_options: LeptosOptions) -> Result<AppState, AppError> {
    let db = open_db(&config.data_dir)?;
    let store =
        store::ArtifactStore::open(&config.data_dir, db.clone(), config.max_artifact_bytes, config.file_cache_bytes)?;
    let archives =
        archive::ArchiveCache::new(archive::ArchiveLimits::default(), Arc::new(archive::SystemClock::default()));
    Ok(AppState {
        leptos_options,
        config: Arc::new(config),
        db,
        store: Arc::new(store),
        archives: Arc::new(archives),
        credentials: Default::default(),
    })
}

/// The whole application: JSON API, server functions, pages and static files.
pub fn router(state: AppState) -> Router {
    let context_state = state.clone();
    let pages = Router::new()
        .leptos_routes_with_context(&state, generate_route_list(App), move || provide_context(context_state.clone()), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route_layer(middleware::from_fn_with_state(state.clone(), require_login));
    Router::new()
        .merge(routes::router())
        .merge(pages)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(guard::same_origin_writes))
        .layer(middleware::from_fn(guard::security_headers))
        .with_state(state)
}

/// Pages other than the login page need a signed-in user; others are sent
/// to sign in, and come back where they were going. Server functions, which
/// leptos_axum registers on the same router, answer for themselves: a
/// missing session is their `Unauthorized` error, not a redirect.
async fn require_login(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/login" || req.uri().path().starts_with("/api/fn/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match auth::current_user(&state, &parts).await {
        Ok(_) => next.run(Request::from_parts(parts, body)).await,
        Err(AppError::Unauthorized) => {
            let target = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let query = form_urlencoded::Serializer::new(String::new()).append_pair("next", target).finish();
            Redirect::to(&format!("/login?{query}")).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// The state and signed-in user of the request a server function serves.
pub async fn request_user() -> Result<(AppState, CurrentUser), AppError> {
    let state = use_context::<AppState>().ok_or_else(|| AppError::Internal("no AppState in context".into()))?;
    let parts = use_context::<axum::http::request::Parts>()
        .ok_or_else(|| AppError::Internal("no request in context".into()))?;
    let user = auth::current_user(&state, &parts).await?;
    Ok((state, user))
}
