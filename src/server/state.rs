use super::archive::ArchiveCache;
use super::auth::Credentials;
use super::config::Config;
use super::content::Links;
use super::meta::pg::listen::Listening;
use super::meta::Meta;
use super::store::ArtifactStore;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Everything a request handler or server function may need. Cloned for
/// every request, so every field is a reference count.
#[derive(Clone, FromRef)]
pub struct AppState {
    #[from_ref(skip)]
    pub leptos_options: Arc<LeptosOptions>,
    pub config: Arc<Config>,
    pub meta: Meta,
    pub store: Arc<ArtifactStore>,
    pub archives: Arc<ArchiveCache>,
    pub credentials: Arc<Credentials>,
    /// Capability URLs on the content origin.
    pub content: Arc<Links>,
    /// What tells this instance of other instances' changes (PostgreSQL);
    /// it stops when the state is dropped.
    #[from_ref(skip)]
    pub listening: Option<Arc<Listening>>,
}

/// leptos_axum asks for its options by value (pages and static files only).
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        LeptosOptions::clone(&state.leptos_options)
    }
}
