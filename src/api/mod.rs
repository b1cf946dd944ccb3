//! Server functions: thin wrappers over the same store calls the JSON routes
//! make, typed with the shared model. One per file. They answer in postcard,
//! as the pages' resources hand their data over in it: one decoder for
//! every type in the wasm, where JSON compiled a parser per type and per
//! entry point (bench/NOTES.md).

#[cfg(feature = "ssr")]
mod ctx;
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
