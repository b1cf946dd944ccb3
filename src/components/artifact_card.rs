use super::timestamp::Timestamp;
use crate::format::human_size;
use crate::model::{Artifact, ArtifactQuery, GalleryType};
use leptos::prelude::*;
use uuid::Uuid;

/// The preview page of an artifact, carrying the gallery's query so that
/// previous/next follow its filter, search and order, and Back returns to
/// the same page.
pub fn preview_href(conversation_id: Uuid, id: Uuid, gallery: &ArtifactQuery) -> String {
    format!("/artifacts/{conversation_id}/{id}{}", gallery.to_query_string())
}

pub fn source_href(artifact: &Artifact) -> String {
    format!("/conversations/{}#artifact-{}", artifact.conversation_id, artifact.id)
}

fn icon(kind: GalleryType) -> &'static str {
    match kind {
        GalleryType::Images => "🖼",
        GalleryType::Html => "🌐",
        GalleryType::Code => "⌨",
        GalleryType::Files => "📄",
    }
}

/// One artifact in a grid: a thumbnail, an icon or the first lines; the
/// name, size and time (and its version, when it has others); and where it
/// came from.
#[component]
pub fn ArtifactCard(
    artifact: Artifact,
    snippet: Option<String>,
    now: String,
    #[prop(optional)] gallery: ArtifactQuery,
) -> impl IntoView {
    let href = preview_href(artifact.conversation_id, artifact.id, &gallery);
    let thumbnail = (artifact.kind == GalleryType::Images).then(|| format!("{}/thumbnail", artifact.url));
    let visual = match (thumbnail, snippet) {
        (Some(src), _) => view! { <img class="thumb" src=src alt=artifact.name.clone() loading="lazy" /> }.into_any(),
        (None, Some(text)) => view! { <pre class="snippet">{text}</pre> }.into_any(),
        (None, None) => view! { <span class="icon" aria-hidden="true">{icon(artifact.kind)}</span> }.into_any(),
    };
    view! {
        <li class="artifact-card" id=format!("artifact-{}", artifact.id) data-type=artifact.kind.as_str()>
            <a class="visual" href=href.clone() tabindex="-1" aria-hidden="true">{visual}</a>
            <a class="artifact-name" href=href title=artifact.name.clone()>{artifact.name.clone()}</a>
            <div class="artifact-meta">
                <span class="badge">{artifact.kind.label()}</span>
                {(artifact.version > 1 || artifact.versions > 1).then(|| {
                    let title = format!("Version {} ({} in all)", artifact.version, artifact.versions);
                    view! { <span class="badge version" title=title>{format!("v{}", artifact.version)}</span> }
                })}
                <span class="size">{human_size(artifact.size)}</span>
                <Timestamp at=artifact.created_at.clone() now />
            </div>
            <a class="artifact-source" href=source_href(&artifact)>{artifact.conversation_title.clone()}</a>
        </li>
    }
}
