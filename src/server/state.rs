use super::archive::ArchiveCache;
use super::auth::Credentials;
use super::config::Config;
use super::content::Links;
use super::db::Db;
use super::store::ArtifactStore;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Everything a request handler or server function may need.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub db: Db,
    pub store: Arc<ArtifactStore>,
    pub archives: Arc<ArchiveCache>,
    pub credentials: Arc<Credentials>,
    /// Capability URLs on the content origin.
    pub content: Arc<Links>,
}
