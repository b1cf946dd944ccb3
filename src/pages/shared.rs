#[cfg(feature = "ssr")]
pub mod plain;

use super::preview::{drawn_page, scripts, PreviewCodec};
use crate::api::get_shared;
use crate::components::loaded::Loaded;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/s/{token}`: what a share link shows, to anyone who has it, read-only:
/// an artifact's preview (an SVG's source with `?view=source`), or a
/// folder's or conversation's files. No account, so none of the app's
/// navigation. The server draws the page (`plain`); the wasm puts it in and
/// does what script does to a preview (`scripts`).
#[component]
pub fn SharedPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let asked = move || {
        let token = params.read().get("token").unwrap_or_default();
        (token, query.read().get("view").as_deref() == Some("source"))
    };
    let shared =
        Resource::<_, PreviewCodec>::new_with_options(asked, |(token, source)| get_shared(token, source), false);
    scripts();
    view! {
        <header class="topbar">
            <span class="brand">"Vitrine"</span>
        </header>
        <main class="content">
            <Loaded resource=shared loading="Loading…" ready=drawn_page />
        </main>
    }
}
