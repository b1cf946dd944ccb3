//! Sending a stored file: streamed from disk by tower-http's `ServeFile`
//! (Range, HEAD, Last-Modified), with our content type, ETag, disposition
//! and the headers that keep agent-made content out of our origin.

use super::mime;
use super::store::small::{self, SmallFile};
use super::store::{sidecar::Sidecar, ArtifactStore};
use crate::error::AppError;
use axum::body::Body;
use axum::http::header::{self, HeaderValue};
use axum::http::{request::Parts, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
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

/// How long a browser may keep the file: artifact URLs name one immutable
/// file; virtual paths can point to a newer file at any time.
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

fn etag(meta: &Sidecar) -> String {
    format!("\"{}\"", &meta.sha256[..meta.sha256.len().min(32)])
}

fn if_none_match(parts: &Parts, tag: &str) -> bool {
    parts
        .headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
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

/// A plain GET or HEAD of a small file: no range, no date condition.
fn is_plain_small_read(parts: &Parts, meta: &Sidecar) -> bool {
    let conditional = [header::RANGE, header::IF_RANGE, header::IF_MODIFIED_SINCE, header::IF_UNMODIFIED_SINCE];
    meta.size <= small::MAX_BYTES
        && (parts.method == Method::GET || parts.method == Method::HEAD)
        && !conditional.iter().any(|h| parts.headers.contains_key(h))
}

/// What `ServeFile` answers to a plain read, from the bytes in hand.
fn whole_file(file: SmallFile, head: bool) -> Response {
    let length = file.bytes.len() as u64;
    let mut response = Response::new(if head { Body::empty() } else { Body::from(file.bytes) });
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(modified) = file.modified.and_then(|t| HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok()) {
        headers.insert(header::LAST_MODIFIED, modified);
    }
    response
}

/// An artifact's bytes with the headers that describe them.
pub async fn file_response(
    parts: &Parts,
    store: &ArtifactStore,
    meta: &Sidecar,
    download: bool,
    caching: Caching,
) -> Result<Response, AppError> {
    let tag = etag(meta);
    let mut response = if if_none_match(parts, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if is_plain_small_read(parts, meta) {
        whole_file(store.small_file(meta).await?, parts.method == Method::HEAD)
    } else {
        let path = store.data_path(meta)?;
        let mut req = Request::new(Body::empty());
        *req.method_mut() = parts.method.clone();
        *req.headers_mut() = parts.headers.clone();
        match ServeFile::new(path).oneshot(req).await {
            Ok(res) => res.map(Body::new),
            Err(never) => match never {},
        }
    };
    if response.status() == StatusCode::NOT_FOUND {
        return Err(crate::error::Missing::Path(meta.path.clone()).into());
    }
    let headers = response.headers_mut();
    let value =
        |s: String| HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, value(content_type(&meta.mime_type)));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&meta.name, download)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match caching {
            Caching::Immutable => "private, max-age=31536000, immutable",
            Caching::Revalidate => "private, no-cache",
        }),
    );
    untrusted_content_headers(headers, &meta.mime_type);
    Ok(response)
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
