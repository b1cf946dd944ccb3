//! What draws diagrams and math in framed previews (`drawn.rs`), served by
//! the content origin at `/assets/{file}`: Mermaid's and KaTeX's files as
//! `make assets` takes them from npm (built into a release binary; a debug
//! build reads them from `.tools/assets`), and our `draw.js`, which runs
//! them. The same for everyone, so no capability is needed.

use crate::server::http::serve::{member_response, strong_etag};
use axum::extract::{Path, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

#[derive(rust_embed::Embed)]
#[folder = ".tools/assets/"]
#[include = "*.js"]
#[include = "*.css"]
#[include = "fonts/*.woff2"]
#[allow_missing = true]
struct Vendored;

const DRAW_JS: &str = include_str!("draw.js");

pub async fn asset(Path(file): Path<String>, req: Request) -> Response {
    let (bytes, sha256) = match file.as_str() {
        "draw.js" => (Bytes::from_static(DRAW_JS.as_bytes()), format!("{:x}", Sha256::digest(DRAW_JS))),
        _ => match Vendored::get(&file) {
            Some(found) => {
                let hash = found.metadata.sha256_hash().iter().map(|b| format!("{b:02x}")).collect();
                let bytes = match found.data {
                    Cow::Borrowed(b) => Bytes::from_static(b),
                    Cow::Owned(v) => Bytes::from(v),
                };
                (bytes, hash)
            }
            None => return super::error_page(crate::error::Missing::Path(file).into()),
        },
    };
    let (parts, _) = req.into_parts();
    member_response(&parts, &file, bytes, &strong_etag(&sha256), false).into_response()
}
