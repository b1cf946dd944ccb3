//! Which bytes a GET asks for (`Range`, `If-Range`), decided once for every
//! kind of answer: bytes in memory are sliced here, files on disk are handed
//! to `ServeFile` with the one range decided here, and a bucket is asked for
//! that range alone.

use axum::body::Body;
use axum::http::header::{self, HeaderValue};
use axum::http::{request::Parts, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::headers::{ETag, HeaderMapExt, IfRange, Range};
use bytes::Bytes;
use std::ops::Bound;
use std::time::SystemTime;

/// What to send of a representation.
#[derive(Debug, PartialEq)]
pub enum Span {
    Whole,
    /// First and last byte, both included.
    Part(u64, u64),
    Unsatisfiable,
}

/// The span a request asks for of `len` bytes whose validators are `tag`
/// and (asked only for an `If-Range` date) `modified`. A `Range` that is
/// not one well-formed byte range is ignored, as RFC 9110 §14.2 allows:
/// several ranges would need multipart/byteranges, and the whole
/// representation answers them as well.
pub fn span(parts: &Parts, len: u64, tag: &ETag, modified: impl FnOnce() -> Option<SystemTime>) -> Span {
    if parts.method != Method::GET {
        return Span::Whole;
    }
    let Some(range) = parts.headers.typed_get::<Range>() else {
        return Span::Whole;
    };
    // RFC 9110 §13.1.5: a validator that does not match (or cannot be read)
    // asks for the whole current representation, never a part of it.
    if parts.headers.contains_key(header::IF_RANGE) {
        let current = parts.headers.typed_get::<IfRange>().is_some_and(|validator| {
            validator == IfRange::etag(tag.clone()) || modified().is_some_and(|m| validator == IfRange::date(m))
        });
        if !current {
            return Span::Whole;
        }
    }
    let mut ranges = range.satisfiable_ranges(len);
    let (Some((start, end)), None) = (ranges.next(), ranges.next()) else {
        return Span::Whole;
    };
    let last = len.saturating_sub(1);
    let (start, end) = match (start, end) {
        (Bound::Included(start), Bound::Unbounded) => (start, last),
        (Bound::Included(start), Bound::Included(end)) if end >= start => (start, end.min(last)),
        _ => return Span::Whole,
    };
    if start >= len {
        return Span::Unsatisfiable;
    }
    Span::Part(start, end)
}

/// 416, as JSON like every API error, saying how long the representation is.
pub fn unsatisfiable(len: u64) -> Response {
    let detail = format!("Range not satisfiable: the file has {len} bytes");
    let mut response =
        (StatusCode::RANGE_NOT_SATISFIABLE, axum::Json(serde_json::json!({ "detail": detail }))).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
        response.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    response
}

/// A GET or HEAD of bytes in memory: whole, one range of them, or 416.
pub fn bytes_response(parts: &Parts, bytes: Bytes, tag: &ETag, modified: Option<SystemTime>) -> Response {
    let len = bytes.len() as u64;
    let span = span(parts, len, tag, || modified);
    let body = match span {
        Span::Whole => bytes,
        Span::Part(start, end) => bytes.slice(start as usize..=end as usize),
        Span::Unsatisfiable => return unsatisfiable(len),
    };
    spanned(parts, &span, len, modified, Body::from(body))
}

/// The answer carrying `span` (whole or one part) of `len` bytes, whose
/// `body` is sent unless the request is a HEAD.
pub fn spanned(parts: &Parts, span: &Span, len: u64, modified: Option<SystemTime>, body: Body) -> Response {
    let (status, length, content_range) = match *span {
        Span::Part(start, end) => {
            (StatusCode::PARTIAL_CONTENT, end - start + 1, Some(format!("bytes {start}-{end}/{len}")))
        }
        _ => (StatusCode::OK, len, None),
    };
    let mut response = Response::new(if parts.method == Method::HEAD { Body::empty() } else { body });
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(v) = content_range.and_then(|r| HeaderValue::from_str(&r).ok()) {
        headers.insert(header::CONTENT_RANGE, v);
    }
    if let Some(modified) = modified.and_then(|t| HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok()) {
        headers.insert(header::LAST_MODIFIED, modified);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut req = Request::get("/");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(()).unwrap().into_parts().0
    }

    #[test]
    fn one_well_formed_range_is_honoured_and_anything_else_is_the_whole() {
        let tag: ETag = "\"abc\"".parse().unwrap();
        let of = |range: &str| span(&parts(&[("range", range)]), 10, &tag, || None);
        assert_eq!(of("bytes=2-4"), Span::Part(2, 4));
        assert_eq!(of("bytes=2-"), Span::Part(2, 9));
        assert_eq!(of("bytes=-3"), Span::Part(7, 9));
        assert_eq!(of("bytes=5-100"), Span::Part(5, 9));
        assert_eq!(of("bytes=10-"), Span::Unsatisfiable);
        assert_eq!(of("bytes=-0"), Span::Unsatisfiable);
        for ignored in ["bytes=0-1,4-5", "bytes=4-2", "bytes=x", "items=0-1", "bytes=-"] {
            assert_eq!(of(ignored), Span::Whole, "{ignored}");
        }
    }

    #[test]
    fn if_range_must_match_the_current_validators() {
        let tag: ETag = "\"abc\"".parse().unwrap();
        let modified = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let date = httpdate::fmt_http_date(modified);
        let with = |if_range: &str| {
            span(&parts(&[("range", "bytes=0-1"), ("if-range", if_range)]), 10, &tag, || Some(modified))
        };
        assert_eq!(with("\"abc\""), Span::Part(0, 1));
        assert_eq!(with(&date), Span::Part(0, 1));
        for stale in ["\"old\"", "W/\"abc\"", "Tue, 14 Nov 2023 22:13:21 GMT", "garbage"] {
            assert_eq!(with(stale), Span::Whole, "{stale}");
        }
        let head = Request::head("/").header("range", "bytes=0-1").body(()).unwrap().into_parts().0;
        assert_eq!(span(&head, 10, &tag, || None), Span::Whole, "Range is defined for GET only");
    }
}
