//! A conversation's transcript drawn into HTML on the server: no script
//! changes a message or its cards (a live update loads the whole
//! transcript again), so the wasm holds no view of them.

use crate::components::{artifact_card::ArtifactCard, timestamp::Timestamp};
use crate::model::{CardFace, ConversationView, Message};
use crate::pages::preview::plain::to_html;
use leptos::prelude::*;
use std::collections::HashSet;

/// `view`'s [`ConversationView::html`]: its messages, in order, each
/// message's cards showing `faces` (in its artifacts' order).
pub fn transcript(view: &ConversationView, faces: Vec<Vec<CardFace>>) -> String {
    // A version shows once per message that wrote it; only its first card
    // takes its id.
    let mut seen = HashSet::new();
    let ConversationView { messages, now, .. } = view;
    to_html(|| {
        messages
            .iter()
            .zip(faces)
            .map(|(m, faces)| {
                let anchored = m.artifacts.iter().map(|a| seen.insert((a.id, a.version))).collect();
                message_view(m.clone(), anchored, faces, now.clone())
            })
            .collect_view()
    })
}

/// A tool result; `anchored` says which of its cards take their ids, and
/// `faces` what each shows.
fn message_view(message: Message, anchored: Vec<bool>, faces: Vec<CardFace>, now: String) -> impl IntoView {
    view! {
        <li class="message card" id=format!("message-{}", message.id)>
            <header>
                <span class="tool">{message.tool}</span>
                <span class="muted"><Timestamp at=message.created_at.clone() now=now.clone() /></span>
            </header>
            {(!message.content.is_empty()).then(|| view! { <pre class="tool-output">{message.content.clone()}</pre> })}
            <ul class="grid">
                {message
                    .artifacts
                    .into_iter()
                    .zip(anchored)
                    .zip(faces)
                    .map(|((a, anchored), face)| view! { <ArtifactCard artifact=a face now=now.clone() pinned=true anchored /> })
                    .collect_view()}
            </ul>
        </li>
    }
}
