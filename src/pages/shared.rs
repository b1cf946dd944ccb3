#[cfg(feature = "ssr")]
pub mod plain;

use super::preview::{preview_section, PreviewCodec};
use crate::api::get_shared;
use crate::components::loaded::Loaded;
use crate::format::short_time;
use crate::model::Preview;
use crate::share::{Shared, SharedHtml, TargetKind};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/s/{token}`: what a share link shows, to anyone who has it, read-only:
/// an artifact's preview, or a folder's or conversation's files. No
/// account, so none of the app's navigation.
#[component]
pub fn SharedPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let shared = Resource::<_, PreviewCodec>::new_with_options(token, get_shared, false);
    view! {
        <header class="topbar">
            <span class="brand">"Vitrine"</span>
        </header>
        <main class="content">
            <Loaded resource=shared loading="Loading…" ready=|s| view! { <SharedView page=s /> } />
        </main>
    }
}

/// The page; its head, metadata and file list come as the server drew them
/// (`plain`), in through `inner_html` only (see `PreviewCodec`).
#[component]
fn SharedView(page: SharedHtml) -> impl IntoView {
    let SharedHtml { shared: Shared { target, expires_at, preview, .. }, head, details } = page;
    let expiry = match expires_at {
        Some(at) => format!("This link expires {}.", short_time(&at)),
        None => "This link does not expire.".into(),
    };
    let what = match target.kind {
        TargetKind::Artifact => "A file",
        TargetKind::Folder => "A folder",
        TargetKind::Conversation => "A conversation's files",
    };
    view! {
        <Title text=target.label />
        <p class="muted">{what}" shared with you through Vitrine. "{expiry}</p>
        {match preview {
            // The name and Download first, as on the preview page: on a
            // phone, above the fold.
            Some(Preview { artifact, body, html, partial, .. }) => view! {
                <div class="preview-layout">
                    <div class="preview-head card" inner_html=head></div>
                    {preview_section(&artifact, body, html, partial)}
                    <aside class="meta card" inner_html=details></aside>
                </div>
            }
            .into_any(),
            None => view! { <div inner_html=head></div> }.into_any(),
        }}
    }
}
