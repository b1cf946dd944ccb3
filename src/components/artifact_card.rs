use crate::format::{human_size, short_time};
use crate::model::Artifact;
use leptos::prelude::*;

/// One artifact in a grid: name, size, time and where it came from.
#[component]
pub fn ArtifactCard(artifact: Artifact) -> impl IntoView {
    let kind = artifact.kind.as_str();
    view! {
        <li class="artifact-card" data-type=kind data-id=artifact.id.to_string()>
            <a class="artifact-name" href=artifact.url.clone() title=artifact.name.clone()>
                {artifact.name.clone()}
            </a>
            <div class="artifact-meta">
                <span class="badge">{artifact.kind.label()}</span>
                <span class="size">{human_size(artifact.size)}</span>
                <time datetime=artifact.created_at.clone() title=artifact.created_at.clone()>
                    {short_time(&artifact.created_at)}
                </time>
            </div>
            <div class="artifact-source muted">{artifact.conversation_title.clone()}</div>
        </li>
    }
}
