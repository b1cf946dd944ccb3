pub mod conversations;
pub mod gallery;
pub mod login;
pub mod not_found;
pub mod preview;
