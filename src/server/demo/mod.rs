//! `vitrine serve --demo` (cargo feature `demo`): a demo user whose
//! conversations' tool results made artifacts of every kind the gallery
//! knows, stored through the same ingestion path as the API. The files are
//! fixed, so every demo shows the same ones and tests can rely on them.

mod conversations;
#[cfg(test)]
mod tests;

use crate::error::AppError;
use crate::model::{NewArtifact, ToolResult};
use crate::server::auth;
use crate::server::store::ArtifactStore;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use conversations::CONVERSATIONS;

pub const USER: &str = "demo";
pub const PASSWORD: &str = "demo";

struct Conversation {
    title: &'static str,
    results: &'static [DemoResult],
}

/// A tool's run: what it printed and the files it made, by artifact name.
struct DemoResult {
    tool: &'static str,
    output: &'static str,
    files: &'static [(&'static str, &'static [u8])],
}

impl DemoResult {
    fn to_tool_result(&self) -> ToolResult {
        let artifacts = self
            .files
            .iter()
            .map(|(name, bytes)| NewArtifact {
                name: (*name).into(),
                content_base64: Some(STANDARD.encode(bytes)),
                text: None,
                mime_type: None,
            })
            .collect();
        ToolResult { tool: self.tool.into(), content: self.output.into(), artifacts }
    }
}

pub async fn seed(store: &ArtifactStore) -> Result<(), AppError> {
    let (user, _token) = auth::add_user(store.meta(), USER, PASSWORD)?;
    for conversation in CONVERSATIONS {
        let created = store.create_conversation(user, conversation.title).await?;
        for result in conversation.results {
            store.ingest(user, created.id, result.to_tool_result()).await?;
        }
    }
    tracing::info!("seeded demo data");
    Ok(())
}
