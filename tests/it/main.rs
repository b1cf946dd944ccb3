//! The integration tests, one module per area, linked as one binary: a
//! binary per file linked every dependency again for each (13 times the link
//! time and disk). They share one process, so no test may change process-wide
//! state (environment, current directory, rlimits, signal handlers).

mod common;

mod blobs;
mod cards;
mod catalog;
mod cluster;
mod compression;
mod concurrency;
mod crash;
mod cursor;
mod disk_full;
mod document_previews;
mod drawn;
mod events;
mod faults;
mod foundation;
mod gc;
mod hostile_input;
mod listings;
mod live;
mod load;
mod meta;
mod migrate;
// It seeds the demo, which only a build with it has.
#[cfg(feature = "demo")]
mod migrate_scale;
mod navigation;
mod openapi;
mod ops;
mod origin;
mod place;
mod previews;
mod reindex;
mod security;
mod shares;
mod slow_clients;
mod streaming;
mod threads;
mod thumbnails;
mod tokens;
mod uploads;
mod version_pages;
mod versions;
