#[cfg(feature = "ssr")]
pub mod plain;

use super::preview::PreviewCodec;
use super::Postcard;
use crate::api::{get_conversation, list_conversations};
use crate::components::live::{on_events, once_per_burst};
use crate::components::share_form::{ShareForm, Sharing};
use crate::components::zip_link::ZipLink;
use crate::components::{layout::Layout, loaded::Loaded, timestamp::Timestamp};
use crate::error::Missing;
use crate::format::short_time;
use crate::model::{Conversation, ConversationView};
use crate::share::folders_of;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::collections::HashSet;
use uuid::Uuid;

/// `/conversations`: the user's conversations, newest first.
#[component]
pub fn ConversationsPage() -> impl IntoView {
    let list = Resource::<_, Postcard>::new_with_options(|| (), |_| list_conversations(), false);
    view! {
        <Title text="Conversations" />
        <Layout>
            <h1>"Conversations"</h1>
            <Loaded resource=list loading="Loading conversations…" ready=conversation_list />
        </Layout>
    }
}

fn conversation_list(list: Vec<Conversation>) -> AnyView {
    if list.is_empty() {
        return view! { <p class="empty muted">"No conversations yet."</p> }.into_any();
    }
    view! {
        <ul class="conversation-list">
            {list
                .into_iter()
                .map(|c| view! {
                    <li class="card">
                        <a href=format!("/conversations/{}", c.id) dir="auto">{c.title}</a>
                        <time class="muted" datetime=c.created_at.clone()>{short_time(&c.created_at)}</time>
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// `/conversations/{id}`: the transcript, each tool result with its output
/// and the versions of artifacts it made, and Share… for the whole
/// conversation or one of its folders; `#artifact-{id}-v{n}` scrolls to
/// one, under its tool's name and output (the cards' scroll margin in
/// style/main.css), and highlights it. New tool results appear as they are
/// made (the transcript is loaded again).
#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        let raw = params.read().get("id").unwrap_or_default();
        Uuid::parse_str(&raw).map_err(|_| raw)
    };
    let view_data = Resource::<_, PreviewCodec>::new_with_options(
        id,
        |id| async move {
            match id {
                Ok(id) => get_conversation(id).await,
                Err(raw) => Err(Missing::Id(raw).into()),
            }
        },
        false,
    );
    let reload = once_per_burst(move || view_data.refetch());
    on_events(
        move || id().ok().map(|id| format!("?conversation={id}")),
        &["message.created", "artifact.version", "artifact.deleted"],
        move |_| reload(),
    );
    view! {
        <Layout>
            <Loaded resource=view_data loading="Loading conversation…" ready=|v| view! { <Transcript view=v /> } />
        </Layout>
    }
}

/// After a client-side navigation to `#artifact-{id}-v{n}` the browser neither
/// scrolls nor sets `:target` (history.pushState does not), so the page
/// marks and scrolls to the card itself once it is rendered.
fn highlight_target() {
    // Deferred a frame: the transcript is attached, and the router's own
    // scroll to the top has happened.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        request_animation_frame(|| {
            let hash = window().location().hash().unwrap_or_default();
            if let Some(card) = hash.strip_prefix('#').and_then(|id| document().get_element_by_id(id)) {
                let _ = card.class_list().add_1("highlight");
                card.scroll_into_view();
            }
        });
    });
}

#[component]
fn Transcript(view: ConversationView) -> impl IntoView {
    let ConversationView { conversation, messages, now, html, .. } = view;
    highlight_target();
    // The ZIP holds each artifact once, at its latest version.
    let files = messages.iter().flat_map(|m| m.artifacts.iter().map(|a| a.id)).collect::<HashSet<_>>().len() as u64;
    let folders = folders_of(messages.iter().flat_map(|m| m.artifacts.iter().map(|a| a.path.as_str())));
    view! {
        <Title text=conversation.title.clone() />
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/conversations">"← All conversations"</a></nav>
        <h1 dir="auto">{conversation.title.clone()}</h1>
        <p class="muted">"Started " <Timestamp at=conversation.created_at.clone() now /></p>
        <ZipLink
            href=format!("/api/conversations/{}/artifacts.zip", conversation.id)
            total=files
            noun="file"
            class="button secondary"
        />
        <ShareForm what=Sharing::Conversation { id: conversation.id, folders } />
        // Drawn by the server (`plain`), in through `inner_html` only (see `PreviewCodec`).
        <ol class="transcript" inner_html=html></ol>
    }
}
