//! The app wiring, as realworld-leptos's `setup.rs`: opens the state, builds
//! the one router from the pages (`app`) and the API (`server`), with the
//! login redirect, and serves it. The only module that imports both sides.

use crate::app::{shell, App};
use crate::error::AppError;
use crate::server::config::Config;
use crate::server::http::guard;
use crate::server::state::AppState;
use crate::server::{archive, auth, cards, content, events, listen, meta, routes, store};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::convert::Infallible;
use std::sync::Arc;
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Opens the data directory: the database (there, or `database_url`'s), then
/// the artifact store (which rebuilds its index from the files).
pub fn open_state(config: Config, leptos_options: LeptosOptions) -> Result<AppState, AppError> {
    let meta = meta::Meta::open(&config)?;
    cards::remove_old_cache(&config.data_dir);
    let events = Arc::new(events::Events::new(config.events));
    let store = store::ArtifactStore::open(
        store::blobs::Blobs::from_config(&config)?,
        meta.clone(),
        config.max_artifact_bytes,
        config.file_cache_bytes,
        config.listing_cache_bytes,
        events,
    )?;
    let archives =
        archive::ArchiveCache::new(archive::ArchiveLimits::default(), Arc::new(archive::SystemClock::default()));
    let credentials = auth::Credentials::new(meta.clone(), config.sign_in)?;
    let site = leptos_options.site_addr;
    let origin = config.content_origin(site);
    if origin.host() == "localhost" || origin.host() == site.ip().to_string() {
        return Err(AppError::BadRequest(format!(
            "The content origin {origin} must have another host name than the app"
        )));
    }
    let content = content::Links { origin, signer: content::Signer::open_for(&meta, &config.data_dir)? };
    let (store, archives) = (Arc::new(store), Arc::new(archives));
    let instance = Instance {
        credentials: Arc::downgrade(&credentials),
        store: Arc::downgrade(&store),
        archives: Arc::downgrade(&archives),
    };
    let listening = meta.listen(Arc::new(instance)).map(Arc::new);
    Ok(AppState {
        leptos_options: Arc::new(leptos_options),
        config: Arc::new(config),
        credentials,
        meta,
        store,
        archives,
        content: Arc::new(content),
        listening,
    })
}

/// What this instance does with what other instances change (PostgreSQL's
/// listener tells it): forgets revoked credentials, streams the events,
/// forgets deleted versions' bytes; and when it may have missed any, all
/// three at once (the streams told to reload).
struct Instance {
    credentials: std::sync::Weak<auth::Credentials>,
    store: std::sync::Weak<store::ArtifactStore>,
    archives: std::sync::Weak<archive::ArchiveCache>,
}

impl meta::pg::listen::Heard for Instance {
    fn revoked(&self) {
        if let Some(credentials) = self.credentials.upgrade() {
            credentials.forget_all();
        }
    }

    fn events(&self, events: Vec<(u64, events::Draft)>) {
        if let Some(store) = self.store.upgrade() {
            store.events().receive(events);
        }
    }

    fn deleted(&self, versions: Vec<uuid::Uuid>) {
        self.forget(Some(&versions));
    }

    fn missed(&self, latest: Option<u64>) {
        self.revoked();
        self.forget(None);
        if let (Some(store), Some(latest)) = (self.store.upgrade(), latest) {
            store.events().reset(latest);
        }
    }
}

impl Instance {
    fn forget(&self, versions: Option<&[uuid::Uuid]>) {
        if let Some(store) = self.store.upgrade() {
            store.forget_cached(versions);
        }
        if let Some(archives) = self.archives.upgrade() {
            archives.forget(versions);
        }
    }
}

/// The whole application: the content origin's router for requests to its
/// host (told apart here and nowhere else), the app's for all others, with
/// the checks and default headers every request passes through. These wrap
/// the finished routers once: `Router::layer` would wrap every route and
/// clone the layers for each request, a fifth of a small download's cost
/// (bench/NOTES.md).
pub fn router(
    state: AppState,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send + 'static> + Clone + Send + Sync + 'static
{
    let front = Front {
        content: content::router(state.clone()),
        origin: state.content.origin.clone(),
        credentials: state.credentials.clone(),
    };
    // Every response that did not set its own: no MIME sniffing, no referrer
    // outside the site, and private data kept out of shared caches
    // (revalidated by the browser: static files keep their ETag). The
    // content origin's router sets all three itself.
    let default = |name, value| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    ServiceBuilder::new()
        .layer(default(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(default(header::REFERRER_POLICY, "same-origin"))
        .layer(default(header::CACHE_CONTROL, "private, no-cache"))
        .layer(middleware::from_fn_with_state(front, gate))
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(not_file_bytes)))
        .service(app(state))
}

/// Pages and JSON are compressed; files are not: their bytes are served
/// with ranges (which must count the bytes as stored) or as attachments,
/// and the `/pkg` files come precompressed. Event streams are left alone
/// by the default predicate.
fn not_file_bytes(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    !headers.contains_key(header::ACCEPT_RANGES) && !headers.contains_key(header::CONTENT_DISPOSITION)
}

#[derive(Clone)]
struct Front {
    origin: content::ContentOrigin,
    content: Router,
    credentials: Arc<auth::Credentials>,
}

/// Sends a request whose `Host` (or HTTP/2 authority) is the content
/// origin's to its router; of the others, refuses writes that a browser
/// sent from another site and writes with a read-only token, before any
/// route sees them, so no route can forget to.
async fn gate(State(front): State<Front>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if host.or(req.uri().authority().map(|a| a.as_str())).is_some_and(|h| front.origin.is_host_of(h)) {
        let Ok(response) = front.content.oneshot(req).await;
        return response;
    }
    if !req.method().is_safe() {
        if let Err(e) = guard::same_origin_write(&req) {
            return e.into_response();
        }
        if let Err(e) = auth::writable(&front.credentials, req.headers()).await {
            return e.into_response();
        }
    }
    next.run(req).await
}

/// The app: JSON API, server functions, pages and static files.
fn app(state: AppState) -> Router {
    let context_state = state.clone();
    let pages = Router::new()
        .leptos_routes_with_context(&state, generate_route_list(App), move || provide_context(context_state.clone()), {
            let options = state.leptos_options.clone();
            move || shell(LeptosOptions::clone(&options))
        })
        .route_layer(middleware::from_fn_with_state(state.clone(), require_login));
    Router::new()
        .merge(routes::router())
        .merge(pages)
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), pkg(&state.leptos_options))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
}

/// The site's script, wasm and stylesheet, as Brotli or gzip when the
/// browser takes it (`cargo leptos build --precompress` writes both beside
/// each file). With hashed names (`hash-files`) a name never changes
/// content, so browsers keep them a year; without (debug builds), they
/// revalidate like every other response.
fn pkg(
    options: &LeptosOptions,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send + 'static> + Clone + Send + Sync + 'static
{
    let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let hashed = options.hash_files;
    let cache = move |res: &Response<_>| {
        (hashed && res.status().is_success()).then_some(HeaderValue::from_static("public, max-age=31536000, immutable"))
    };
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, cache))
        .layer(SetResponseHeaderLayer::appending(header::VARY, HeaderValue::from_static("accept-encoding")))
        .map_response(IntoResponse::into_response)
        .service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
}

/// Pages other than the login page and share links' pages need a signed-in
/// user; others are sent to sign in, and come back where they were going.
/// Server functions, which leptos_axum registers on the same router, answer
/// for themselves: a missing session is their `Unauthorized` error, not a
/// redirect.
async fn require_login(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/login" || path.starts_with("/api/fn/") {
        return next.run(req).await;
    }
    if let Some(token) = path.strip_prefix("/s/") {
        // A share link's page needs no account; a JSON client gets its data.
        if routes::shares::wants_json(req.headers()) {
            return routes::shares::page_json(&state, token).await;
        }
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
    let mut conf = leptos::config::get_configuration(None)
        .map_err(|e| AppError::Internal(format!("Leptos configuration: {e}")))?;
    // cargo-leptos tells the build, not the server, that the site's file
    // names are hashed (as it tells it the output name).
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        conf.leptos_options.hash_files = option_env!("LEPTOS_HASH_FILES") == Some("true");
    }
    if let Some(addr) = config.site_addr {
        conf.leptos_options.site_addr = addr;
    }
    let addr = conf.leptos_options.site_addr;
    routes::health::check_data_dir(&config.data_dir)?;
    let seed = demo && is_empty_dir(&config.data_dir);
    if demo && !seed {
        tracing::info!("{} is not empty: demo data not added", config.data_dir.display());
    }
    if config.content_origin.is_none() && !addr.ip().is_loopback() {
        tracing::warn!(
            "no content origin set: agent pages are served at usercontent.localhost, which only this machine reaches"
        );
    }
    let connections = config.connections.within_open_file_limit();
    let state = open_state(config, conf.leptos_options)?;
    #[cfg(feature = "demo")]
    if seed {
        crate::server::demo::seed(&state.store).await?;
    }
    tokio::spawn(auth::watch_revocations(Arc::downgrade(&state.credentials)));
    let origin = state.content.origin.clone();
    let store = state.store.clone();
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::BadRequest(format!("site_addr {addr}: cannot listen: {e}")))?;
    println!("Vitrine is listening on http://{addr}, agent content on {origin}");
    if demo {
        println!("Demo login: user demo, password demo");
    }
    // Event streams never end by themselves: ended first, so that their
    // connections close with the others.
    let stop = async move {
        shutdown().await;
        store.events().close();
    };
    listen::serve(listener, app, connections, stop).await?;
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
