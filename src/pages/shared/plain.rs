//! A share link's page drawn whole on the server: what it is and until
//! when, then a preview (its head, body and metadata) or a folder's or
//! conversation's files.

use crate::components::{data_table::DataTable, timestamp::Timestamp};
use crate::format::{human_size, short_time};
use crate::model::{Artifact, DrawnPage, Preview};
use crate::pages::preview::plain::{breakable_mime, highlighted, name_heading, section, to_html};
use crate::share::{Shared, TargetKind};
use leptos::prelude::*;

/// `shared`'s page, at `here` (an SVG's source if `source`).
pub fn draw(shared: Shared, here: &str, source: bool) -> DrawnPage {
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
    let highlighted = preview.as_ref().is_some_and(|p| highlighted(&p.body));
    let label = target.label.clone();
    let html = to_html(|| {
        let shown = match preview {
            // The name and Download first, as on the preview page: on a
            // phone, above the fold.
            Some(preview) => {
                let pinned = target.version.is_some();
                view! {
                    <div class="preview-layout">
                        <div class="preview-head card">{head_view(&preview)}</div>
                        {section(&preview, &preview.artifact, None, here, source)}
                        <aside class="meta card">{details_view(&preview, pinned, now)}</aside>
                    </div>
                }
                .into_any()
            }
            None => files_view(label, files, zip_url, now).into_any(),
        };
        view! {
            <p class="muted">{what}" shared with you through Vitrine. "{expiry}</p>
            {shown}
        }
    });
    DrawnPage { title: target.label, highlighted, html }
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
