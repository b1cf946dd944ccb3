//! Turning artifact text into safe HTML for previews, on the server:
//! highlighted code (syntect, CSS classes), Markdown (pulldown-cmark, then
//! ammonia), CSV/TSV tables.

pub mod highlight;
pub mod markdown;
pub mod table;
