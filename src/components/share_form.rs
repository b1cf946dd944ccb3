use super::post_form::{Answer, PostForm};
use crate::api::CreateShare;
use crate::error::AppError;
use crate::share::CreatedShare;
use leptos::prelude::*;
use uuid::Uuid;

/// What the answer of a Share… form says above its link.
pub const SHOWN_ONCE: &str = "Anyone with this link can see what it shares until it expires; it is not shown again.";

/// What a Share… form makes a link of.
pub enum Sharing {
    /// An artifact, pinned to this version or following the latest.
    Artifact(Uuid),
    /// A conversation, whole or one of its `folders` (paths under
    /// `mnt/user-data/outputs`, as `out/plots`).
    Conversation { id: Uuid, folders: Vec<String> },
}

/// "Share…": a link that anyone may open, made by a plain form in a
/// `<details>` (no script needed to open it). With JavaScript the URL shows
/// here; without, the settings page shows it.
#[component]
pub fn ShareForm(what: Sharing) -> impl IntoView {
    let created = RwSignal::new(None::<Result<CreatedShare, AppError>>);
    let shows = match what {
        Sharing::Artifact(id) => view! {
            <input type="hidden" name="artifact_id" value=id.to_string() />
            <select name="pin">
                <option value="version">"This version"</option>
                <option value="latest">"Its latest version, as it changes"</option>
            </select>
        }
        .into_any(),
        Sharing::Conversation { id, folders } => view! {
            <input type="hidden" name="conversation_id" value=id.to_string() />
            <select name="folder">
                <option value="">"The whole conversation"</option>
                {folders
                    .into_iter()
                    .map(|f| view! { <option value=f.clone()>{format!("The folder {f}/")}</option> })
                    .collect_view()}
            </select>
        }
        .into_any(),
    };
    view! {
        <details class="share">
            <summary class="button secondary">"Share…"</summary>
            <PostForm answer={Answer::<CreateShare>::new(move |a| created.set(Some(a)))}>
                <label>"Shows" {shows}</label>
                <label>
                    "Expires"
                    <select name="expires_in_seconds">
                        <option value="3600">"In an hour"</option>
                        <option value="86400">"In a day"</option>
                        <option value="604800" selected>"In 7 days"</option>
                        <option value="2592000">"In 30 days"</option>
                        <option value="7776000">"In 90 days"</option>
                    </select>
                </label>
                <button type="submit" class="button">"Create link"</button>
            </PostForm>
            {move || created.get().map(|answer| match answer {
                Ok(created) => view! {
                    <p class="note" role="status">
                        {SHOWN_ONCE}" "
                        <a class="share-url" href=created.url.clone()>{created.url.clone()}</a>
                    </p>
                }
                .into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </details>
    }
}
