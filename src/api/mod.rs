//! Server functions: thin wrappers over the same store calls the JSON routes
//! make, typed with the shared model. One per file. They answer in postcard,
//! as the pages' resources hand their data over in it: one decoder for
//! every type in the wasm, where JSON compiled a parser per type and per
//! entry point (bench/NOTES.md).

mod change_version;
mod create_token;
#[cfg(feature = "ssr")]
mod ctx;
mod delete_artifact;
mod get_conversation;
mod get_preview;
mod get_settings;
mod list_artifacts;
mod list_conversations;
#[cfg(feature = "ssr")]
mod new_token;
mod revoke_token;
mod sign_out_others;

pub use change_version::{change_version, ChangeVersion};
pub use create_token::{create_token, CreateToken};
pub use delete_artifact::{delete_artifact, DeleteArtifact};
pub use get_conversation::{get_conversation, GetConversation};
pub use get_preview::{get_preview, GetPreview};
pub use get_settings::{get_settings, GetSettings};
pub use list_artifacts::{list_artifacts, ListArtifacts};
pub use list_conversations::{list_conversations, ListConversations};
pub use revoke_token::{revoke_token, RevokeToken};
pub use sign_out_others::{sign_out_others, SignOutOthers};
