//! Server functions: thin wrappers over the same store calls the JSON routes
//! make, typed with the shared model. One per file. They answer in postcard,
//! as the pages' resources hand their data over in it: one decoder for
//! every type in the wasm, where JSON compiled a parser per type and per
//! entry point (bench/NOTES.md).

mod change_version;
mod create_share;
mod create_token;
#[cfg(feature = "ssr")]
mod ctx;
mod delete_artifact;
#[cfg(feature = "ssr")]
mod flash;
mod get_conversation;
mod get_preview;
mod get_settings;
mod get_shared;
mod list_artifacts;
mod list_conversations;
mod revoke_share;
mod revoke_token;
mod sign_out_others;

pub use change_version::{change_version, ChangeVersion};
pub use create_share::{create_share, CreateShare};
pub use create_token::{create_token, CreateToken};
pub use delete_artifact::{delete_artifact, DeleteArtifact};
pub use get_conversation::{get_conversation, GetConversation};
pub use get_preview::{get_preview, GetPreview};
pub use get_settings::{get_settings, GetSettings};
pub use get_shared::{get_shared, GetShared};
pub use list_artifacts::{list_artifacts, ListArtifacts};
pub use list_conversations::{list_conversations, ListConversations};
pub use revoke_share::{revoke_share, RevokeShare};
pub use revoke_token::{revoke_token, RevokeToken};
pub use sign_out_others::{sign_out_others, SignOutOthers};
