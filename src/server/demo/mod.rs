//! `vitrine serve --demo`: a demo user whose conversations' tool results
//! made artifacts of every kind, stored through the same ingestion path as
//! the API.

mod content;

use crate::error::AppError;
use crate::server::auth;
use crate::server::store::ArtifactStore;

pub const USER: &str = "demo";
pub const PASSWORD: &str = "demo";

pub async fn seed(store: &ArtifactStore) -> Result<(), AppError> {
    let (user, _token) = auth::add_user(store.db(), USER, PASSWORD)?;
    for conversation in content::conversations() {
        let created = store.create_conversation(user, conversation.title).await?;
        for result in conversation.results {
            store.ingest(user, created.id, result).await?;
        }
    }
    tracing::info!("seeded demo data");
    Ok(())
}
