//! "Download all": a conversation's artifacts, or the user's under a filter,
//! as one ZIP streamed while it is built. A blocking task writes the archive
//! into a bounded channel that the response body drains, so memory holds a
//! few chunks whatever the total, and nothing is staged on disk.

use crate::error::AppError;
use crate::server::auth::CurrentUser;
use crate::server::http::extract::{ApiPath, Listing};
use crate::server::http::serve::content_disposition;
use crate::server::state::AppState;
use crate::server::store::blobs::Blobs;
use crate::server::store::names::unique_name;
use crate::server::{mime, store::sidecar::Sidecar};
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::Arc;
use tokio::sync::mpsc;
use uuid::Uuid;
use zip::write::SimpleFileOptions;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/artifacts.zip", get(all_zip))
        .route("/api/conversations/{id}/artifacts.zip", get(conversation_zip))
}

async fn all_zip(
    State(state): State<AppState>,
    user: CurrentUser,
    Listing(query): Listing,
) -> Result<Response, AppError> {
    let files = state.store.export(user.id, None, &query).await?;
    Ok(zip_response(state.store.blobs().clone(), files, &format!("artifacts-{}.zip", query.kind)))
}

async fn conversation_zip(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    Listing(query): Listing,
) -> Result<Response, AppError> {
    let conversation = state.store.conversation(user.id, id).await?;
    let files = state.store.export(user.id, Some(id), &query).await?;
    Ok(zip_response(state.store.blobs().clone(), files, &format!("{}.zip", conversation.title)))
}

const CHUNK: usize = 64 * 1024;

/// `Write` into the response: full chunks go through a bounded channel; a
/// client that went away turns into a write error that stops the work.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            self.send()
        }
    }
}

fn options(meta: &Sidecar) -> SimpleFileOptions {
    // Images, archives and other binaries are already compressed.
    let method = if mime::is_text(&meta.mime_type) || meta.mime_type == "image/svg+xml" {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    SimpleFileOptions::default().compression_method(method).large_file(meta.size >= u64::from(u32::MAX))
}

/// Artifacts whose bytes cannot be found are left out.
fn write_zip(blobs: &Blobs, files: Vec<Arc<Sidecar>>, out: ChannelWriter) -> zip::result::ZipResult<()> {
    let mut zip = zip::ZipWriter::new_stream(out);
    let mut taken = HashSet::new();
    for meta in files {
        let mut file = match blobs.open(&meta.data_key()) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            opened => opened?,
        };
        let name = unique_name(&meta.name, &taken);
        taken.insert(name.clone());
        zip.start_file(name, options(&meta))?;
        io::copy(&mut file, &mut zip)?;
    }
    zip.finish()?.into_inner().flush()?;
    Ok(())
}

pub(crate) fn zip_response(blobs: Arc<Blobs>, files: Vec<Arc<Sidecar>>, download_name: &str) -> Response {
    let (tx, rx) = mpsc::channel(8);
    let out = ChannelWriter { tx: tx.clone(), buf: Vec::with_capacity(CHUNK) };
    tokio::task::spawn_blocking(move || {
        if let Err(e) = write_zip(&blobs, files, out) {
            tracing::warn!("zip download stopped: {e}");
            // The body ends in an error, so the client sees a broken
            // download rather than a short archive that looks whole.
            let _ = tx.blocking_send(Err(io::Error::other(e.to_string())));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let headers = [
        (header::CONTENT_TYPE, "application/zip".to_string()),
        (header::CONTENT_DISPOSITION, content_disposition(download_name, true)),
        (header::CACHE_CONTROL, "private, no-store".to_string()),
    ];
    (headers, body).into_response()
}
