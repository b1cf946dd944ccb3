//! Uploads into a thread's `mnt/user-data/uploads/`: files stream to disk
//! within the limits, documents get a Markdown twin beside them
//! (`report.pdf` → `report.md`), and all of a request's files become
//! artifacts of one message, or none do.

use super::config::{Config, UploadLimits};
use super::convert;
use super::store::names::{check_segments, unique_name, MAX_NAME_BYTES};
use super::store::{ArtifactStore, Staged, StagingFile, UPLOADS};
use super::vpath;
use crate::error::{AppError, Missing};
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::Multipart;
use axum::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

/// One uploaded file as the API describes it.
#[derive(Serialize)]
pub struct UploadedFile {
    filename: String,
    size: u64,
    /// Where its bytes are stored, relative to the data directory.
    path: String,
    virtual_path: String,
    artifact_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown_virtual_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown_artifact_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversion_error: Option<String>,
}

impl UploadedFile {
    fn new(thread: Uuid, name: &str, size: u64, virtual_path: String) -> Self {
        Self {
            filename: name.to_string(),
            size,
            path: String::new(),
            artifact_url: vpath::thread_url(thread, &virtual_path),
            virtual_path,
            markdown_file: None,
            markdown_virtual_path: None,
            markdown_artifact_url: None,
            conversion_error: None,
        }
    }

    fn markdown(&mut self, thread: Uuid, name: String) {
        let path = format!("{UPLOADS}/{name}");
        self.markdown_artifact_url = Some(vpath::thread_url(thread, &path));
        self.markdown_virtual_path = Some(path);
        self.markdown_file = Some(name);
    }
}

/// An upload's name: its last component, which must be an ordinary name.
pub fn upload_name(raw: &str) -> Result<String, AppError> {
    if raw.contains('\\') {
        return Err(AppError::BadRequest(format!(
            "Invalid file name '{}': backslashes are not allowed",
            raw.escape_debug()
        )));
    }
    let name = raw.rsplit('/').next().unwrap_or_default();
    if name.len() > MAX_NAME_BYTES || check_segments(name).is_err() {
        return Err(AppError::BadRequest(format!(
            "Invalid file name '{}': expected 1 to {MAX_NAME_BYTES} bytes, not '.' or '..', without control characters",
            raw.escape_debug()
        )));
    }
    Ok(name.to_string())
}

fn markdown_name(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => format!("{stem}.md"),
        _ => format!("{name}.md"),
    }
}

/// Receives every file of a multipart body, converts the documents and
/// stores them all as one message of the thread.
pub async fn upload(
    store: &ArtifactStore,
    config: &Config,
    user: Uuid,
    thread: Uuid,
    mut multipart: Multipart,
) -> Result<Vec<UploadedFile>, AppError> {
    store.conversation(user, thread).await?;
    let staged = receive_all(store, config.uploads, thread, &mut multipart).await?;
    let mut answers = Vec::with_capacity(staged.len());
    let mut markdown = Vec::new();
    for file in &staged {
        let mut answer = UploadedFile::new(thread, &file.name, file.size, format!("{UPLOADS}/{}", file.name));
        if convert::is_convertible(&file.name) {
            match convert::run(config, file.path(), &file.name).await {
                Ok(text) => {
                    let name = markdown_name(&file.name);
                    answer.markdown(thread, name.clone());
                    markdown.push((name, text));
                }
                Err(reason) => answer.conversion_error = Some(reason.to_string()),
            }
        }
        answers.push(answer);
    }
    let stored = store.commit_uploads(user, thread, staged, markdown).await?;
    for (answer, meta) in answers.iter_mut().zip(&stored) {
        answer.path = meta.data_key();
    }
    Ok(answers)
}

/// Streams every file of the body to a staged temp file; a crossed limit or
/// a broken body drops (and so removes) all of them.
async fn receive_all(
    store: &ArtifactStore,
    limits: UploadLimits,
    thread: Uuid,
    multipart: &mut Multipart,
) -> Result<Vec<Staged>, AppError> {
    let mut staged: Vec<Staged> = Vec::new();
    let mut total = 0u64;
    while let Some(field) = multipart.next_field().await.map_err(|e| multipart_error(&e))? {
        let Some(raw) = field.file_name().map(str::to_string) else { continue };
        if staged.len() as u32 >= limits.max_files {
            return Err(AppError::PayloadTooLarge(format!("Too many files: at most {} per request", limits.max_files)));
        }
        let taken = staged.iter().map(|s| s.name.clone()).collect();
        let name = unique_name(&upload_name(&raw)?, &taken);
        let file = store.staging_file(thread, &name).await?;
        staged.push(receive(field, file, limits, &mut total).await?);
    }
    if staged.is_empty() {
        return Err(AppError::BadRequest("No files in the request: send multipart form fields with file names".into()));
    }
    Ok(staged)
}

/// Streams one file to disk, never holding more than a chunk in memory.
async fn receive(
    mut field: Field<'_>,
    mut file: StagingFile,
    limits: UploadLimits,
    total: &mut u64,
) -> Result<Staged, AppError> {
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
        *total += chunk.len() as u64;
        if file.size() + chunk.len() as u64 > limits.max_file_bytes {
            return Err(AppError::PayloadTooLarge(format!(
                "File '{}' is larger than the limit of {} bytes",
                file.name(),
                limits.max_file_bytes
            )));
        }
        if *total > limits.max_request_bytes {
            return Err(AppError::PayloadTooLarge(format!(
                "The upload is larger than the limit of {} bytes per request",
                limits.max_request_bytes
            )));
        }
        file.write(&chunk).await?;
    }
    Ok(file.finish().await?)
}

fn multipart_error(e: &MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge(e.body_text())
    } else {
        AppError::BadRequest(format!("Invalid multipart body: {}", e.body_text()))
    }
}

/// The newest file at each upload path of the thread.
pub async fn list(store: &ArtifactStore, user: Uuid, thread: Uuid) -> Result<Vec<UploadedFile>, AppError> {
    Ok(store
        .under(user, thread, UPLOADS)
        .await?
        .into_iter()
        .map(|meta| UploadedFile {
            path: meta.data_key(),
            ..UploadedFile::new(thread, &meta.name, meta.size, meta.path.clone())
        })
        .collect())
}

/// Deletes an upload, and its Markdown twin if it had one.
pub async fn remove(store: &ArtifactStore, user: Uuid, thread: Uuid, filename: &str) -> Result<(), AppError> {
    let name = upload_name(filename)?;
    let path = format!("{UPLOADS}/{name}");
    if store.delete_path(user, thread, &path).await? == 0 {
        return Err(Missing::Path(path).into());
    }
    if convert::is_convertible(&name) {
        store.delete_path(user, thread, &format!("{UPLOADS}/{}", markdown_name(&name))).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_reduced_and_checked() {
        assert_eq!(upload_name("a/b/c.pdf").unwrap(), "c.pdf");
        assert_eq!(upload_name("report 1.pdf").unwrap(), "report 1.pdf");
        for bad in ["", ".", "..", "a/..", "a\\b.txt", "x/", &"a".repeat(256)] {
            assert!(upload_name(bad).is_err(), "{bad:?}");
        }
    }
}
