//! The preview page drawn whole by the server: the way back, previous and
//! next, a confirmation, the name and actions, the body, the metadata and
//! the versions. Its links and forms work without the wasm; with it, the
//! script does the rest (`pages::preview`).

use super::plain::{breakable_mime, highlighted, name_heading, section, to_html};
use super::{versions, Confirm};
use crate::api::DeleteArtifact;
use crate::components::artifact_card::{gallery_card_id, preview_href, source_href, with_param};
use crate::components::share_form::{ShareForm, Sharing};
use crate::components::timestamp::Timestamp;
use crate::format::{human_size, short_time};
use crate::model::{Artifact, ArtifactQuery, ArtifactVersion, DrawnPage, Preview, PreviewBody};
use crate::pages::gallery::gallery_href;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// `preview`'s page as the gallery `gallery` leads to it, asking `confirm`;
/// an SVG's source if `source`.
pub fn draw(preview: Preview, gallery: &ArtifactQuery, confirm: Option<Confirm>, source: bool) -> DrawnPage {
    let (artifact, version, older) = shown_version(preview.artifact.clone(), &preview.versions);
    let latest = preview_href(artifact.conversation_id, artifact.id, gallery);
    let here = match (&version, older) {
        (Some(v), true) => with_param(&latest, "version", &v.version.to_string()),
        _ => latest.clone(),
    };
    let highlighted = highlighted(&preview.body);
    let html = to_html(|| {
        let section = section(&preview, &artifact, version.as_ref(), &here, source);
        view! {
            {crumbs(&preview, &artifact, gallery, confirm.is_none())}
            {confirm.and_then(|c| confirmation(c, &artifact, preview.versions.len(), &here, &latest, gallery))}
            <div class="preview-layout">
                {head(&artifact, &preview, &here)}
                {section}
                <aside class="meta card">
                    {details(&artifact, version, preview.now.clone())}
                    {versions::versions(artifact.clone(), preview.versions.clone(), here.clone(), latest.clone(), preview.now.clone())}
                </aside>
            </div>
        }
    });
    DrawnPage { title: artifact.name, highlighted, html }
}

/// Back to the gallery (on this artifact's card: without script too, the
/// browser scrolls to the fragment), previous and next; each with its key,
/// Escape only if no confirmation is open, whose Cancel takes it.
fn crumbs(preview: &Preview, artifact: &Artifact, gallery: &ArtifactQuery, escape: bool) -> impl IntoView {
    let back = format!("{}#{}", gallery_href(gallery), gallery_card_id(artifact.id));
    let neighbour = |r: Option<crate::model::ArtifactRef>| r.map(|r| preview_href(r.conversation_id, r.id, gallery));
    view! {
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href=back class="close" aria-keyshortcuts=escape.then_some("Escape")>"← Back to artifacts"</a>
            <span class="spacer"></span>
            {neighbour(preview.previous).map(|h| view! {
                <a rel="prev" href=h aria-label="Previous artifact (left arrow)" aria-keyshortcuts="ArrowLeft">"← Previous"</a>
            })}
            {neighbour(preview.next).map(|h| view! {
                <a rel="next" href=h aria-label="Next artifact (right arrow)" aria-keyshortcuts="ArrowRight">"Next →"</a>
            })}
        </nav>
    }
}

/// The confirmation that a Delete link opens (`?confirm=...`).
fn confirmation(
    confirm: Confirm,
    artifact: &Artifact,
    count: usize,
    here: &str,
    latest: &str,
    gallery: &ArtifactQuery,
) -> Option<AnyView> {
    let (artifact, cancel) = (artifact.clone(), here.to_string());
    match confirm {
        Confirm::Delete => Some(confirm_delete(artifact, count, cancel, gallery_href(gallery)).into_any()),
        Confirm::DeleteVersion => {
            (count > 1).then(|| versions::confirm_delete_version(artifact, cancel, latest.to_string()).into_any())
        }
    }
}

/// The name, what can be done with the file, and sharing it: first in the
/// page, so that on a phone they come before the body (above the fold); on a
/// wide screen, atop the metadata's column.
fn head(artifact: &Artifact, preview: &Preview, here: &str) -> impl IntoView {
    let copyable = matches!(preview.body, PreviewBody::Code { .. } | PreviewBody::Text);
    view! {
        <div class="preview-head card">
            {name_heading(artifact.name.clone())}
            <div class="actions">
                <a class="button" href=artifact.download_url.clone() download="">"Download"</a>
                <a class="button secondary" href=preview.raw_url.clone() target="_blank" rel="noopener">"Open raw"</a>
                {copyable.then(|| view! { <button type="button" class="button secondary copy">"Copy"</button> })}
                <a class="button danger" href=with_param(here, "confirm", Confirm::Delete.into())>"Delete…"</a>
            </div>
            <ShareForm what=Sharing::Artifact(artifact.id) />
        </div>
    }
}

/// Size, dates, type, source and version.
fn details(artifact: &Artifact, version: Option<ArtifactVersion>, now: String) -> impl IntoView {
    view! {
        <dl>
            <dt>"Size"</dt><dd>{human_size(artifact.size)}</dd>
            <dt>"Created"</dt>
            <dd>
                {short_time(&artifact.created_at)} " (" <Timestamp at=artifact.created_at.clone() now /> ")"
            </dd>
            <dt>"Type"</dt><dd>{artifact.kind.label()} " (" {breakable_mime(&artifact.mime_type)} ")"</dd>
            <dt>"From"</dt><dd><a class="source" href=source_href(artifact) dir="auto">{artifact.conversation_title.clone()}</a></dd>
            {version.map(|v| view! {
                <dt>"Version"</dt>
                <dd>{format!("{} of {} · ", v.version, artifact.versions)}<a class="permalink" href=v.url>"permanent link"</a></dd>
            })}
        </dl>
    }
}

/// The confirmation of deleting the artifact: a form that works without
/// wasm, and Cancel back to the preview. After deleting, the gallery page
/// it came from (`back`).
fn confirm_delete(artifact: Artifact, versions: usize, cancel: String, back: String) -> impl IntoView {
    let all = match versions {
        1 => "Its only version is deleted.".to_string(),
        n => format!("All {n} of its versions are deleted."),
    };
    view! {
        <section class="confirm card" role="alertdialog" aria-labelledby="confirm-title">
            <h2 id="confirm-title">"Delete "<bdi>{artifact.name.clone()}</bdi>"?"</h2>
            <p>"The file is removed from this gallery, its conversation and the thread API. "{all}" This cannot be undone."</p>
            <form action=DeleteArtifact::url() method="post">
                <input type="hidden" name="conversation_id" value=artifact.conversation_id.to_string() />
                <input type="hidden" name="artifact_id" value=artifact.id.to_string() />
                <input type="hidden" name="back" value=back />
                <button type="submit" class="button danger">"Delete"</button>
                // Focus starts on the way out, not on what cannot be undone.
                <a class="button secondary" href=cancel autofocus aria-keyshortcuts="Escape">"Cancel"</a>
            </form>
        </section>
    }
}

/// The version shown, and whether it is an older one: an older version is
/// shown, downloaded and linked at its own URLs.
fn shown_version(artifact: Artifact, versions: &[ArtifactVersion]) -> (Artifact, Option<ArtifactVersion>, bool) {
    let version = versions.iter().find(|v| v.version == artifact.version).cloned();
    let older = versions.first().is_some_and(|v| v.version != artifact.version);
    match (&version, older) {
        (Some(v), true) => {
            let (url, download_url) = (v.url.clone(), v.download_url.clone());
            (Artifact { url, download_url, ..artifact }, version, older)
        }
        _ => (artifact, version, older),
    }
}
