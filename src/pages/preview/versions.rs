//! The preview's versions: the list (links to `?version=n`), comparing with
//! the previous version (`&compare=m`, whose diff the server renders),
//! restoring and deleting one. Links and form posts only, so all of it
//! works before (or without) the wasm.

use crate::api::ChangeVersion;
use crate::components::artifact_card::with_param;
use crate::components::post_form::PostForm;
use crate::components::timestamp::Timestamp;
use crate::format::human_size;
use crate::model::{Artifact, ArtifactVersion};
use leptos::prelude::*;

/// The version list and what can be done with the shown version; nothing
/// for an artifact with one version. `latest` is the preview of the latest
/// version (with the gallery's query), `here` the page shown.
#[component]
pub fn Versions(
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
    let restore =
        (newest != Some(shown)).then(|| view! { <RestoreForm artifact=artifact.clone() back=latest.clone() /> });
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
                    <a class="button secondary" href=with_param(&here, "confirm", "delete-version")>"Delete this version…"</a>
                </div>
                <ol class="version-list">{items}</ol>
            </section>
        }
    })
}

/// The fields of a `change_version` form for the shown version.
#[component]
fn ChangeFields(artifact: Artifact, change: &'static str, back: String) -> impl IntoView {
    view! {
        <input type="hidden" name="conversation_id" value=artifact.conversation_id.to_string() />
        <input type="hidden" name="artifact_id" value=artifact.id.to_string() />
        <input type="hidden" name="version" value=artifact.version.to_string() />
        <input type="hidden" name="change" value=change />
        <input type="hidden" name="back" value=back />
    }
}

/// "Restore this version": a form post; the page then shows the new
/// latest version.
#[component]
fn RestoreForm(artifact: Artifact, back: String) -> impl IntoView {
    let restore = ServerAction::<ChangeVersion>::new();
    view! {
        <PostForm action=restore>
            <ChangeFields artifact change="restore" back />
            <button type="submit" class="button">"Restore this version"</button>
        </PostForm>
        {move || restore.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
    }
}

/// The confirmation of deleting the shown version (`?confirm=delete-version`),
/// then the latest version's preview.
#[component]
pub fn ConfirmDeleteVersion(artifact: Artifact, cancel: String, back: String) -> impl IntoView {
    let delete = ServerAction::<ChangeVersion>::new();
    let others = match artifact.versions - 1 {
        1 => "Its other version stays.".to_string(),
        n => format!("Its other {n} versions stay."),
    };
    view! {
        <section class="confirm card" role="alertdialog" aria-labelledby="confirm-title">
            <h2 id="confirm-title">{format!("Delete version {} of ", artifact.version)}<bdi>{artifact.name.clone()}</bdi>"?"</h2>
            <p>{others}" This cannot be undone."</p>
            <PostForm action=delete>
                <ChangeFields artifact=artifact.clone() change="delete" back />
                <button type="submit" class="button danger">"Delete version"</button>
                <a class="button secondary" href=cancel autofocus>"Cancel"</a>
            </PostForm>
            {move || delete.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </section>
    }
}
