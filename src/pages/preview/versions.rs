//! The preview's versions: the list (links to `?version=n`), comparing with
//! the previous version (`&compare=m`, whose diff the server renders),
//! restoring and deleting one, drawn by the server. Links and form posts
//! only, so all of it works before (or without) the wasm; with it, the
//! forms post by script (`forms`).

use super::Confirm;
use crate::api::ChangeVersion;
use crate::components::artifact_card::with_param;
use crate::components::timestamp::Timestamp;
use crate::format::human_size;
use crate::model::{Artifact, ArtifactVersion};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The version list and what can be done with the shown version; nothing
/// for an artifact with one version. `latest` is the preview of the latest
/// version (with the gallery's query), `here` the page shown.
pub fn versions(
    artifact: Artifact,
    versions: Vec<ArtifactVersion>,
    here: String,
    latest: String,
    now: String,
) -> impl IntoView {
    let shown = artifact.version;
    let newest = versions.first().map(|v| v.version);
    let at = |n: u32| with_param(&latest, "version", &n.to_string());
    let previous = versions.iter().map(|v| v.version).find(|n| *n < shown);
    let compare = previous.map(|m| with_param(&at(shown), "compare", &m.to_string()));
    let restore = (newest != Some(shown)).then(|| restore_form(artifact.clone(), latest.clone()));
    let items = versions
        .iter()
        .map(|v| {
            let href = if Some(v.version) == newest { latest.clone() } else { at(v.version) };
            let current = (v.version == shown).then_some("page");
            view! {
                <li>
                    <a href=href aria-current=current>{format!("v{}", v.version)}</a>
                    <span class="muted">" · "{human_size(v.size)}" · "<Timestamp at=v.created_at.clone() now=now.clone() /></span>
                </li>
            }
        })
        .collect_view();
    (versions.len() > 1).then(|| {
        view! {
            <section class="versions" aria-labelledby="versions-title">
                <h2 id="versions-title">"Versions"</h2>
                <div class="actions">
                    {compare.map(|href| view! { <a class="button secondary" href=href>"Compare with previous"</a> })}
                    {restore}
                    <a class="button secondary" href=with_param(&here, "confirm", Confirm::DeleteVersion.into())>"Delete this version…"</a>
                </div>
                <ol class="version-list">{items}</ol>
            </section>
        }
    })
}

/// A `change_version` form for the shown version.
fn change_form(artifact: &Artifact, change: &'static str, back: String, buttons: impl IntoView) -> impl IntoView {
    view! {
        <form action=ChangeVersion::url() method="post">
            <input type="hidden" name="conversation_id" value=artifact.conversation_id.to_string() />
            <input type="hidden" name="artifact_id" value=artifact.id.to_string() />
            <input type="hidden" name="version" value=artifact.version.to_string() />
            <input type="hidden" name="change" value=change />
            <input type="hidden" name="back" value=back />
            {buttons}
        </form>
    }
}

/// "Restore this version": a form post; the page then shows the new
/// latest version.
fn restore_form(artifact: Artifact, back: String) -> impl IntoView {
    change_form(
        &artifact,
        "restore",
        back,
        view! { <button type="submit" class="button">"Restore this version"</button> },
    )
}

/// The confirmation of deleting the shown version (`?confirm=delete-version`),
/// then the latest version's preview.
pub fn confirm_delete_version(artifact: Artifact, cancel: String, back: String) -> impl IntoView {
    let others = match artifact.versions - 1 {
        1 => "Its other version stays.".to_string(),
        n => format!("Its other {n} versions stay."),
    };
    let buttons = view! {
        <button type="submit" class="button danger">"Delete version"</button>
        <a class="button secondary" href=cancel autofocus aria-keyshortcuts="Escape">"Cancel"</a>
    };
    view! {
        <section class="confirm card" role="alertdialog" aria-labelledby="confirm-title">
            <h2 id="confirm-title">{format!("Delete version {} of ", artifact.version)}<bdi>{artifact.name.clone()}</bdi>"?"</h2>
            <p>{others}" This cannot be undone."</p>
            {change_form(&artifact, "delete", back, buttons)}
        </section>
    }
}
