//! Server functions: thin wrappers over the same store calls the JSON routes
//! make, typed with the shared model. One per file.

mod delete_artifact;
mod get_conversation;
mod get_preview;
mod list_artifacts;
mod list_conversations;

pub use delete_artifact::{delete_artifact, DeleteArtifact};
pub use get_conversation::{get_conversation, GetConversation};
pub use get_preview::{get_preview, GetPreview};
pub use list_artifacts::{list_artifacts, ListArtifacts};
pub use list_conversations::{list_conversations, ListConversations};
