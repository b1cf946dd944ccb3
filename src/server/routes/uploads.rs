//! Uploads into a thread's `mnt/user-data/uploads/`, each document also
//! converted to Markdown beside it.

use super::{parse_id, ApiJson};
use crate::error::AppError;
use crate::server::auth::CurrentUser;
use crate::server::config::UploadLimits;
use crate::server::convert;
use crate::server::state::AppState;
use crate::server::store::names::unique_name;
use crate::server::store::{Staged, StagingFile, UPLOADS};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        // Limits are enforced while streaming, per file and per request.
        .route("/api/threads/{thread_id}/uploads", post(upload).layer(DefaultBodyLimit::disable()))
        .route("/api/threads/{thread_id}/uploads/list", get(list))
        .route("/api/threads/{thread_id}/uploads/{filename}", delete(remove))
}

#[derive(Serialize)]
struct UploadedFile {
    filename: String,
    size: u64,
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

#[derive(Serialize)]
struct UploadAnswer {
    files: Vec<UploadedFile>,
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
    if name.is_empty() || name == "." || name == ".." || name.len() > 255 || name.chars().any(char::is_control) {
        return Err(AppError::BadRequest(format!(
            "Invalid file name '{}': expected 1 to 255 bytes, not '.' or '..', without control characters",
            raw.escape_debug()
        )));
    }
    Ok(name.to_string())
}

/// Everything but RFC 3986's unreserved characters is encoded in a segment.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn artifact_url(thread: uuid::Uuid, virtual_path: &str) -> String {
    let encoded: Vec<String> =
        virtual_path.split('/').map(|seg| percent_encoding::utf8_percent_encode(seg, SEGMENT).to_string()).collect();
    format!("/api/threads/{thread}/artifacts/{}", encoded.join("/"))
}

async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(thread): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, ApiJson<UploadAnswer>), AppError> {
    let thread = parse_id(&thread, "Thread")?;
    let mut multipart = multipart
        .map_err(|e| AppError::BadRequest(format!("Expected a multipart/form-data body: {}", e.body_text())))?;
    state.store.conversation(user.id, thread)?;
    let limits = state.config.uploads;
    let mut staged: Vec<Staged> = Vec::new();
    let mut total = 0u64;
    let result = async {
        while let Some(field) = multipart.next_field().await.map_err(|e| multipart_error(&e))? {
            let Some(raw) = field.file_name().map(str::to_string) else { continue };
            if staged.len() as u32 >= limits.max_files {
                return Err(AppError::PayloadTooLarge(format!(
                    "Too many files: at most {} per request",
                    limits.max_files
                )));
            }
            let taken = staged.iter().map(|s| s.name.clone()).collect();
            let name = unique_name(&upload_name(&raw)?, &taken);
            let file = state.store.staging_file(thread, &name).await?;
            staged.push(receive(field, file, limits, &mut total).await?);
        }
        if staged.is_empty() {
            return Err(AppError::BadRequest(
                "No files in the request: send multipart form fields with file names".into(),
            ));
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        state.store.discard(&staged);
        return Err(e);
    }

    let mut answers = Vec::with_capacity(staged.len());
    let mut markdown = Vec::new();
    for file in &staged {
        let virtual_path = format!("{UPLOADS}/{}", file.name);
        let mut answer = UploadedFile {
            filename: file.name.clone(),
            size: file.size,
            path: String::new(),
            artifact_url: artifact_url(thread, &virtual_path),
            virtual_path: format!("/{virtual_path}"),
            markdown_file: None,
            markdown_virtual_path: None,
            markdown_artifact_url: None,
            conversion_error: None,
        };
        if convert::is_convertible(&file.name) {
            match convert::run(&state.config, &file.tmp, &file.name).await {
                Ok(text) => {
                    let md_name = markdown_name(&file.name);
                    let md_path = format!("{UPLOADS}/{md_name}");
                    answer.markdown_artifact_url = Some(artifact_url(thread, &md_path));
                    answer.markdown_virtual_path = Some(format!("/{md_path}"));
                    answer.markdown_file = Some(md_name.clone());
                    markdown.push((md_name, text));
                }
                Err(reason) => answer.conversion_error = Some(reason),
            }
        }
        answers.push(answer);
    }
    let stored = state.store.commit_uploads(user.id, thread, staged, markdown).await?;
    for (answer, meta) in answers.iter_mut().zip(&stored) {
        answer.path = format!("conversations/{thread}/artifacts/{}", meta.data_file_name());
    }
    Ok((StatusCode::CREATED, ApiJson(UploadAnswer { files: answers })))
}

/// Streams one file to disk, never holding more than a chunk in memory; the
/// temp file is removed if a limit is crossed or the body breaks.
async fn receive(
    mut field: axum::extract::multipart::Field<'_>,
    mut file: StagingFile,
    limits: UploadLimits,
    total: &mut u64,
) -> Result<Staged, AppError> {
    let result = async {
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
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(file.finish().await?),
        Err(e) => {
            file.abandon().await;
            Err(e)
        }
    }
}

fn markdown_name(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => format!("{stem}.md"),
        _ => format!("{name}.md"),
    }
}

fn multipart_error(e: &axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge(e.body_text())
    } else {
        AppError::BadRequest(format!("Invalid multipart body: {}", e.body_text()))
    }
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(thread): Path<String>,
) -> Result<ApiJson<UploadAnswer>, AppError> {
    let thread = parse_id(&thread, "Thread")?;
    let files = state
        .store
        .under(user.id, thread, UPLOADS)?
        .into_iter()
        .map(|meta| UploadedFile {
            filename: meta.name.clone(),
            size: meta.size,
            path: format!("conversations/{thread}/artifacts/{}", meta.data_file_name()),
            artifact_url: artifact_url(thread, &meta.path),
            virtual_path: format!("/{}", meta.path),
            markdown_file: None,
            markdown_virtual_path: None,
            markdown_artifact_url: None,
            conversion_error: None,
        })
        .collect();
    Ok(ApiJson(UploadAnswer { files }))
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((thread, filename)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let thread = parse_id(&thread, "Thread")?;
    let name = upload_name(&filename)?;
    let path = format!("{UPLOADS}/{name}");
    if state.store.delete_path(user.id, thread, &path).await? == 0 {
        return Err(AppError::NotFound(format!("Artifact not found: {path}")));
    }
    if convert::is_convertible(&name) {
        state.store.delete_path(user.id, thread, &format!("{UPLOADS}/{}", markdown_name(&name))).await?;
    }
    Ok(StatusCode::NO_CONTENT)
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
