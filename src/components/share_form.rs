use crate::api::CreateShare;
use leptos::prelude::*;
use uuid::Uuid;

/// "Share…": a link to this artifact that anyone may open, made by a plain
/// form in a `<details>` (no script needed to open it). With JavaScript
/// the URL shows here; without, the settings page shows it.
#[component]
pub fn ShareForm(artifact_id: Uuid) -> impl IntoView {
    let create = ServerAction::<CreateShare>::new();
    view! {
        <details class="share">
            <summary class="button secondary">"Share…"</summary>
            <ActionForm action=create>
                <input type="hidden" name="artifact_id" value=artifact_id.to_string() />
                <label>
                    "Shows"
                    <select name="pin">
                        <option value="version">"This version"</option>
                        <option value="latest">"Its latest version, as it changes"</option>
                    </select>
                </label>
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
            </ActionForm>
            {move || create.value().get().map(|answer| match answer {
                Ok(created) => view! {
                    <p class="note" role="status">
                        "Anyone with this link can see the file until it expires; it is not shown again. "
                        <a class="share-url" href=created.url.clone()>{created.url.clone()}</a>
                    </p>
                }
                .into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </details>
    }
}
