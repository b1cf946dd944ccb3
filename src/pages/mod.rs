pub mod gallery;
pub mod login;
pub mod not_found;
