//! Sending a stored file or an archive member: small ones from memory, large
//! files streamed from disk by tower-http's `ServeFile` (HEAD, Last-Modified
//! and its conditions), or from a bucket by one GET of the span asked for,
//! answered as `ServeFile` answers; ranges decided in `range`; with our
//! content type, ETag, disposition and the headers that keep agent-made
//! content out of our origin.

mod range;

use crate::error::AppError;
use crate::server::mime;
use crate::server::store::blobs::Blobs;
use crate::server::store::small;
use crate::server::store::{sidecar::Sidecar, ArtifactStore};
use axum::body::Body;
use axum::http::header::{self, HeaderValue};
use axum::http::{request::Parts, HeaderMap, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::headers::{ETag, HeaderMapExt, IfModifiedSince, IfNoneMatch, IfUnmodifiedSince};
use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use range::{bytes_response, spanned, Span};
use std::time::SystemTime;
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// RFC 5987 `attr-char`: everything else is percent-encoded.
const ATTR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// How long a browser may keep the file: a version's URL names bytes that
/// never change; an artifact's URL and virtual paths answer its latest
/// version, which can change at any time (revalidated with the ETag).
#[derive(Clone, Copy)]
pub enum Caching {
    Immutable,
    Revalidate,
}

/// `inline` or `attachment`, with a plain ASCII fallback name and the exact
/// name in RFC 5987 form; nothing in the name can break the header.
pub fn content_disposition(name: &str, download: bool) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    let fallback: String = base
        .chars()
        .map(|c| if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | ';' | '%') || c == ' ' { c } else { '_' })
        .collect();
    let kind = if download { "attachment" } else { "inline" };
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{}", utf8_percent_encode(base, ATTR))
}

pub fn content_type(mime_type: &str) -> String {
    if mime::is_text(mime_type) {
        format!("{mime_type}; charset=utf-8")
    } else {
        mime_type.to_string()
    }
}

/// A strong validator from a SHA-256 in hex: its first 128 bits.
pub fn strong_etag(sha256_hex: &str) -> ETag {
    format!("\"{}\"", &sha256_hex[..sha256_hex.len().min(32)]).parse().expect("hex digits make a valid entity tag")
}

/// Whether the client's copy is current (`If-None-Match`: weak comparison, `*` included).
pub fn not_modified(headers: &HeaderMap, tag: &ETag) -> bool {
    headers.typed_get::<IfNoneMatch>().is_some_and(|condition| !condition.precondition_passes(tag))
}

/// Headers every response carrying agent-made bytes gets. The sandbox CSP
/// makes a directly opened HTML, SVG or XML file run in an opaque origin:
/// it cannot read our cookies or call our API; only our own preview may
/// frame it. PDFs are left out because
/// Chromium refuses to show a sandboxed PDF, and its viewer runs no page script.
pub fn untrusted_content_headers(headers: &mut axum::http::HeaderMap, mime_type: &str) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if mime_type != "application/pdf" {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox allow-scripts; frame-ancestors 'self'"),
        );
    }
}

/// Whether a file is read whole into memory: a small one, unless a date
/// condition asks `ServeFile` to compare dates.
fn is_small_read(parts: &Parts, meta: &Sidecar) -> bool {
    let dated = [header::IF_MODIFIED_SINCE, header::IF_UNMODIFIED_SINCE];
    meta.size <= small::MAX_BYTES
        && (parts.method == Method::GET || parts.method == Method::HEAD)
        && !dated.iter().any(|h| parts.headers.contains_key(h))
}

/// A large file, streamed by `ServeFile`, asked for the one span that
/// [`range::span`] decided (it knows nothing of our ETag).
async fn streamed(parts: &Parts, store: &ArtifactStore, meta: &Sidecar, tag: &ETag) -> Result<Response, AppError> {
    let (path, len) = (store.local_path(meta).await?, meta.size);
    let mut headers = parts.headers.clone();
    headers.remove(header::IF_RANGE);
    headers.remove(header::RANGE);
    // The date `ServeFile` sends as Last-Modified: the file's (a bucket's
    // copy is dated as its object).
    let modified = || std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    match range::span(parts, len, tag, modified) {
        Span::Whole => {}
        Span::Part(start, end) => {
            let one = HeaderValue::from_str(&format!("bytes={start}-{end}")).expect("digits make a header value");
            headers.insert(header::RANGE, one);
        }
        Span::Unsatisfiable => return Ok(range::unsatisfiable(len)),
    }
    let mut req = Request::new(Body::empty());
    *req.method_mut() = parts.method.clone();
    *req.headers_mut() = headers;
    match ServeFile::new(path).oneshot(req).await {
        Ok(res) => Ok(res.map(Body::new)),
        Err(never) => match never {},
    }
}

/// A large file in a bucket, answered as [`streamed`] answers from disk,
/// dated by its row (a HEAD asks the bucket nothing): the date conditions,
/// then the one span [`range::span`] decided, fetched by one GET.
async fn streamed_object(
    parts: &Parts,
    store: &ArtifactStore,
    meta: &Sidecar,
    tag: &ETag,
) -> Result<Response, AppError> {
    let (len, modified) = (meta.size, created(meta));
    let unmodified_since = parts.headers.typed_get::<IfUnmodifiedSince>();
    if unmodified_since.is_some_and(|since| !modified.is_some_and(|m| since.precondition_passes(m))) {
        return Ok(StatusCode::PRECONDITION_FAILED.into_response());
    }
    let modified_since = parts.headers.typed_get::<IfModifiedSince>();
    if modified_since.is_some_and(|since| modified.is_some_and(|m| !since.is_modified(m))) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let span = range::span(parts, len, tag, || modified);
    let range = match span {
        Span::Whole => None,
        Span::Part(start, end) => Some(start..end + 1),
        Span::Unsatisfiable => return Ok(range::unsatisfiable(len)),
    };
    let body = match parts.method {
        Method::HEAD => Body::empty(),
        _ => Body::from_stream(store.stream(meta, range).await?),
    };
    Ok(spanned(parts, &span, len, modified, body))
}

/// A GET of a large file sent to the bucket (`s3_redirect`): 302 to a
/// presigned URL that answers with our name and type, never cached.
async fn redirected(
    parts: &Parts,
    store: &ArtifactStore,
    meta: &Sidecar,
    download: bool,
) -> Result<Option<Response>, AppError> {
    if parts.method != Method::GET || meta.size <= small::MAX_BYTES {
        return Ok(None);
    }
    let (key, disposition, kind) =
        (meta.data_key(), content_disposition(&meta.name, download), content_type(&meta.mime_type));
    let url = store.blocking(move |blobs| blobs.download_url(&key, &disposition, &kind)).await?;
    Ok(url.map(|url| {
        let headers = [(header::LOCATION, url), (header::CACHE_CONTROL, "no-store".to_string())];
        (StatusCode::FOUND, headers).into_response()
    }))
}

/// When a version was stored, by its row.
fn created(meta: &Sidecar) -> Option<SystemTime> {
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(&meta.created_at, rfc3339).ok().map(SystemTime::from)
}

/// An artifact's bytes with the headers that describe them.
pub async fn file_response(
    parts: &Parts,
    store: &ArtifactStore,
    meta: &Sidecar,
    download: bool,
    caching: Caching,
) -> Result<Response, AppError> {
    let tag = strong_etag(&meta.sha256);
    let response = if not_modified(&parts.headers, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if is_small_read(parts, meta) {
        let file = store.small_file(meta).await?;
        bytes_response(parts, file.bytes, &tag, file.modified.or_else(|| created(meta)))
    } else if let Blobs::Object(_) = **store.blobs() {
        if let Some(found) = redirected(parts, store, meta, download).await? {
            return Ok(found);
        }
        streamed_object(parts, store, meta, &tag).await?
    } else {
        streamed(parts, store, meta, &tag).await?
    };
    if response.status() == StatusCode::NOT_FOUND {
        return Err(crate::error::Missing::Path(meta.path.clone()).into());
    }
    Ok(describe(response, &meta.name, &meta.mime_type, &tag, download, caching))
}

/// A member of an archive, in memory: ranges and If-None-Match as for files.
pub fn member_response(parts: &Parts, name: &str, bytes: Bytes, tag: &ETag, download: bool) -> Response {
    let response = if not_modified(&parts.headers, tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        bytes_response(parts, bytes, tag, None)
    };
    describe(response, name, &mime::for_name(name), tag, download, Caching::Revalidate)
}

/// The headers of the bytes a success or 304 carries. Anything else
/// (416, or 412 from a date condition) is an error, answered as JSON and
/// never cached as the file would be.
fn describe(
    mut response: Response,
    name: &str,
    mime_type: &str,
    tag: &ETag,
    download: bool,
    caching: Caching,
) -> Response {
    let status = response.status();
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        if response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t == "application/json") {
            return response;
        }
        let detail = status.canonical_reason().unwrap_or("Request refused");
        return (status, axum::Json(serde_json::json!({ "detail": detail }))).into_response();
    }
    let headers = response.headers_mut();
    let value =
        |s: String| HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, value(content_type(mime_type)));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(name, download)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.typed_insert(tag.clone());
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match caching {
            Caching::Immutable => "private, max-age=31536000, immutable",
            Caching::Revalidate => "private, no-cache",
        }),
    );
    untrusted_content_headers(headers, mime_type);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_encodes_everything_unsafe() {
        assert_eq!(
            content_disposition("plots/my chart.png", false),
            "inline; filename=\"my chart.png\"; filename*=UTF-8''my%20chart.png"
        );
        assert_eq!(
            content_disposition("文件.txt", true),
            "attachment; filename=\"__.txt\"; filename*=UTF-8''%E6%96%87%E4%BB%B6.txt"
        );
        let hostile = content_disposition("a\";\r\nSet-Cookie: x=1.txt", true);
        assert!(!hostile.contains('\r') && !hostile.contains('\n'));
        assert!(hostile.starts_with("attachment; filename=\"a____Set-Cookie: x=1.txt\"; filename*=UTF-8''a%22%3B%0D%0ASet-Cookie%3A%20x%3D1.txt"));
    }
}
