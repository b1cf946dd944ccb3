//! Turning artifact text into safe HTML for previews, on the server:
//! highlighted code (syntect, the token classes of `theme.rs`), Markdown
//! (pulldown-cmark, then ammonia), CSV/TSV tables, one-line JSON indented,
//! JSON as a foldable tree, Jupyter notebooks, Office documents from their
//! Markdown conversion.

pub mod highlight;
pub mod json;
pub mod markdown;
pub mod notebook;
pub mod office;
pub mod table;
pub mod theme;
pub mod tree;
