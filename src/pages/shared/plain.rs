//! A share link's page's parts that no script changes (a preview's head and
//! metadata, a folder's or conversation's files), drawn into HTML on the
//! server, so that the wasm holds no view of them.

use crate::components::{data_table::DataTable, timestamp::Timestamp};
use crate::format::{human_size, short_time};
use crate::model::{Artifact, Preview};
use crate::pages::preview::plain::{draw_section, to_html};
use crate::pages::preview::{breakable_mime, name_heading};
use crate::share::{Shared, SharedHtml};
use leptos::prelude::*;

/// `shared` with its page's HTML: the preview's body too, if no script
/// changes it (`draw_section`).
pub fn draw(mut shared: Shared) -> SharedHtml {
    let (head, details) = match shared.preview.as_mut() {
        Some(preview) => {
            let artifact = preview.artifact.clone();
            draw_section(preview, &artifact, None);
            let pinned = shared.target.version.is_some();
            (to_html(|| head_view(preview)), to_html(|| details_view(preview, pinned, shared.now.clone())))
        }
        None => {
            let Shared { target, files, zip_url, now, .. } = &shared;
            (to_html(|| files_view(target.label.clone(), files.clone(), zip_url.clone(), now.clone())), String::new())
        }
    };
    SharedHtml { shared, head, details }
}

fn head_view(preview: &Preview) -> impl IntoView {
    let artifact = &preview.artifact;
    view! {
        {name_heading(artifact.name.clone())}
        <div class="actions">
            <a class="button" href=artifact.download_url.clone() download="">"Download"</a>
            <a class="button secondary" href=preview.raw_url.clone() target="_blank" rel="noopener">"Open raw"</a>
        </div>
    }
}

fn details_view(preview: &Preview, pinned: bool, now: String) -> impl IntoView {
    let artifact = &preview.artifact;
    let version = format!("{} ({})", artifact.version, if pinned { "as shared" } else { "the latest" });
    view! {
        <dl>
            <dt>"Size"</dt><dd>{human_size(artifact.size)}</dd>
            <dt>"Created"</dt>
            <dd>{short_time(&artifact.created_at)} " (" <Timestamp at=artifact.created_at.clone() now /> ")"</dd>
            <dt>"Type"</dt><dd>{artifact.kind.label()} " (" {breakable_mime(&artifact.mime_type)} ")"</dd>
            <dt>"Version"</dt><dd>{version}</dd>
        </dl>
    }
}

fn files_view(label: String, files: Vec<Artifact>, zip_url: Option<String>, now: String) -> impl IntoView {
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
