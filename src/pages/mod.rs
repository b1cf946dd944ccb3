pub mod conversations;
pub mod gallery;
pub mod lazy;
pub mod login;
pub mod not_found;
pub mod preview;
pub mod settings;
pub mod shared;

/// How the pages' resources hand their data from server to browser: in
/// postcard, as the server functions answer (see `crate::api`).
pub use codee::binary::PostcardCodec as Postcard;
