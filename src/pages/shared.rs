use super::preview::{breakable_mime, name_heading, preview_section, PreviewCodec};
use crate::api::get_shared;
use crate::components::{data_table::DataTable, loaded::Loaded, timestamp::Timestamp};
use crate::format::{human_size, short_time};
use crate::model::{Artifact, Preview};
use crate::share::{Shared, TargetKind};
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
            <Loaded resource=shared loading="Loading…" ready=|s| view! { <SharedView shared=s /> } />
        </main>
    }
}

#[component]
fn SharedView(shared: Shared) -> impl IntoView {
    let Shared { target, expires_at, preview, files, zip_url, now } = shared;
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
        <Title text=target.label.clone() />
        <p class="muted">{what}" shared with you through Vitrine. "{expiry}</p>
        {match preview {
            Some(preview) => view! { <SharedPreview preview pinned=target.version.is_some() now /> }.into_any(),
            None => view! { <SharedFiles label=target.label files zip_url now /> }.into_any(),
        }}
    }
}

#[component]
fn SharedPreview(preview: Preview, pinned: bool, now: String) -> impl IntoView {
    let Preview { artifact, raw_url, body, html, partial, .. } = preview;
    let section = preview_section(&artifact, body, html, partial);
    let version = format!("{} ({})", artifact.version, if pinned { "as shared" } else { "the latest" });
    // The name and Download first, as on the preview page: on a phone,
    // above the fold.
    view! {
        <div class="preview-layout">
            <div class="preview-head card">
                {name_heading(artifact.name.clone())}
                <div class="actions">
                    <a class="button" href=artifact.download_url.clone() download="">"Download"</a>
                    <a class="button secondary" href=raw_url target="_blank" rel="noopener">"Open raw"</a>
                </div>
            </div>
            {section}
            <aside class="meta card">
                <dl>
                    <dt>"Size"</dt><dd>{human_size(artifact.size)}</dd>
                    <dt>"Created"</dt>
                    <dd>{short_time(&artifact.created_at)} " (" <Timestamp at=artifact.created_at.clone() now /> ")"</dd>
                    <dt>"Type"</dt><dd>{artifact.kind.label()} " (" {breakable_mime(&artifact.mime_type)} ")"</dd>
                    <dt>"Version"</dt><dd>{version}</dd>
                </dl>
            </aside>
        </div>
    }
}

#[component]
fn SharedFiles(label: String, files: Vec<Artifact>, zip_url: Option<String>, now: String) -> impl IntoView {
    let count = match files.len() {
        0 => "No files yet.".to_string(),
        1 => "1 file.".to_string(),
        n => format!("{n} files."),
    };
    view! {
        <h1>{label}</h1>
        <p>{count}" "{zip_url.map(|url| view! { <a class="button" href=url download="">"Download all (ZIP)"</a> })}</p>
        <DataTable label="Shared files" columns=&["Name", "Size", "Type", "Created"] action="Download">
            {files
                .into_iter()
                .map(|f| {
                    let now = now.clone();
                    view! {
                        <tr>
                            <td><a href=f.url.clone() target="_blank" rel="noopener" dir="auto">{f.name.clone()}</a></td>
                            <td>{human_size(f.size)}</td>
                            <td>{f.mime_type.clone()}</td>
                            <td><Timestamp at=f.created_at.clone() now /></td>
                            <td><a href=f.download_url.clone() download="" aria-label=format!("Download {}", f.name)>"Download"</a></td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
    }
}
