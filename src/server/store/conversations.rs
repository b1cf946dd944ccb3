//! Conversations: created with a checked title, found only by their owner,
//! and their transcripts.

use super::{split_events, ArtifactStore};
use crate::error::{AppError, Missing};
use crate::model::{Conversation, Message};
use crate::server::clock::now_rfc3339;
use crate::server::events::{Draft, Kind, Subject};
use crate::server::meta::ConversationRecord;
use uuid::Uuid;

const MAX_TITLE_CHARS: usize = 200;

impl ArtifactStore {
    pub async fn create_conversation(&self, owner: Uuid, title: &str) -> Result<Conversation, AppError> {
        let title = title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
            return Err(AppError::BadRequest(format!(
                "Invalid title: expected 1 to {MAX_TITLE_CHARS} characters without control characters"
            )));
        }
        let conversation = Conversation { id: Uuid::new_v4(), title: title.to_string(), created_at: now_rfc3339() };
        let record = ConversationRecord { owner, conversation: conversation.clone() };
        let subject = Subject { user: owner, conversation: conversation.id, artifact: None };
        let drafts = Draft::new(Kind::ConversationCreated, subject, &conversation).into_iter().collect();
        let (recorded, local) = split_events(&self.meta, drafts);
        self.meta.insert_conversation(record.clone(), recorded).await?;
        if let Some(mut index) = self.catalog.index_mut() {
            index.add_conversation(record);
        }
        self.events.publish(local);
        Ok(conversation)
    }

    /// The user's conversation, or 404 — also when it is someone else's.
    pub async fn conversation(&self, user: Uuid, id: Uuid) -> Result<Conversation, AppError> {
        self.catalog.conversation(user, id).await?.ok_or(Missing::Conversation(id).into())
    }

    /// The user's conversations, newest first.
    pub async fn conversations(&self, user: Uuid) -> Result<Vec<Conversation>, AppError> {
        self.catalog.conversations(user).await
    }

    /// The conversation's transcript, with the versions each message made
    /// that still exist.
    pub async fn messages(&self, user: Uuid, conversation: Uuid) -> Result<Vec<Message>, AppError> {
        self.conversation(user, conversation).await?;
        let rows = self.meta.messages_of(conversation).await?;
        let made = self.catalog.by_version_ids(rows.iter().flat_map(|r| r.artifact_ids.clone()).collect()).await?;
        Ok(rows
            .into_iter()
            .map(|r| Message {
                id: r.id,
                tool: r.tool,
                content: r.content,
                created_at: r.created_at,
                artifacts: r.artifact_ids.iter().filter_map(|id| made.get(id).cloned()).collect(),
            })
            .collect())
    }
}
