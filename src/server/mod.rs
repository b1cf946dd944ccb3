//! Everything that only runs on the server. Nothing here imports the UI
//! (`app`, `pages`): `crate::serve` wires the two together.

pub mod archive;
pub mod auth;
pub mod cards;
pub mod cli;
pub mod clock;
pub mod config;
pub mod content;
pub mod convert;
#[cfg(feature = "demo")]
pub mod demo;
pub mod diff;
pub mod events;
pub mod filetype;
pub mod http;
pub mod io_runtime;
pub mod listen;
pub mod meta;
pub mod migrate;
pub mod mime;
pub mod preview;
pub mod render;
pub mod routes;
pub mod shares;
pub mod state;
pub mod store;
pub mod uploads;
pub mod vpath;
