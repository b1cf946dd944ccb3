//! The app wiring, as realworld-leptos's `setup.rs`: opens the state, builds
//! the one router from the pages (`app`) and the API (`server`), with the
//! login redirect, and serves it. The only module that imports both sides.

use crate::app::{shell, App};
use crate::error::AppError;
use crate::server::config::Config;
use crate::server::state::AppState;
use crate::server::http::guard;
use crate::server::{archive, auth, db, listen, routes, store};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// Opens the data directory: the database, then the artifact store (which
/// rebuilds its index from the files).
pub fn open_state(config: Config, leptos_options: LeptosOptions) -> Result<AppState, AppError> {
    let db = db::Db::open_in(&config.data_dir)?;
    let store =
        store::ArtifactStore::open(&config.data_dir, db.clone(), config.max_artifact_bytes, config.file_cache_bytes)?;
    let archives =
        archive::ArchiveCache::new(archive::ArchiveLimits::default(), Arc::new(archive::SystemClock::default()));
    Ok(AppState {
        leptos_options,
        config: Arc::new(config),
        credentials: Arc::new(auth::Credentials::new(db.clone())),
        db,
        store: Arc::new(store),
        archives: Arc::new(archives),
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
    // Every response that did not set its own: no MIME sniffing, no referrer
    // outside the site, and private data kept out of shared caches
    // (revalidated by the browser: static files keep their ETag).
    let default = |name, value| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    Router::new()
        .merge(routes::router())
        .merge(pages)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(guard::same_origin_writes))
        .layer(default(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(default(header::REFERRER_POLICY, "same-origin"))
        .layer(default(header::CACHE_CONTROL, "private, no-cache"))
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
    match auth::current_user(&state.credentials, &parts).await {
        Ok(_) => next.run(Request::from_parts(parts, body)).await,
        Err(AppError::Unauthorized) => {
            let target = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let query = form_urlencoded::Serializer::new(String::new()).append_pair("next", target).finish();
            Redirect::to(&format!("/login?{query}")).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `vitrine serve`: opens the data directory (seeding the demo into an
/// empty one if asked), then serves until SIGINT or SIGTERM.
pub async fn serve(config: Config, demo: bool) -> Result<(), AppError> {
    let conf = leptos::config::get_configuration(None)
        .map_err(|e| AppError::Internal(format!("Leptos configuration: {e}")))?;
    let addr = conf.leptos_options.site_addr;
    let seed = demo && is_empty_dir(&config.data_dir);
    if demo && !seed {
        tracing::info!("{} is not empty: demo data not added", config.data_dir.display());
    }
    let connections = config.connections.within_open_file_limit();
    let state = open_state(config, conf.leptos_options)?;
    #[cfg(feature = "demo")]
    if seed {
        crate::server::demo::seed(&state.store).await?;
    }
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("Vitrine is listening on http://{addr}");
    if demo {
        println!("Demo login: user demo, password demo");
    }
    listen::serve(listener, app, connections, shutdown()).await?;
    Ok(())
}

fn is_empty_dir(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir).map(|mut entries| entries.next().is_none()).unwrap_or(true)
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
}
