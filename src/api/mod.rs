//! Server functions: thin wrappers over the same store calls the JSON routes
//! make, typed with the shared model.

mod list_artifacts;

pub use list_artifacts::list_artifacts;
