//! Writes only from our own pages (or from clients that are not browsers),
//! and the policy of the pages themselves. The headers every response
//! carries are tower-http layers, set in `crate::serve`.

use crate::error::AppError;
use crate::server::state::AppState;
use axum::extract::Request;
use axum::http::header::{self, HeaderMap, HeaderValue};

/// Refuses a state-changing request that a browser sent from another
/// site. Browsers say where a request comes from (`Sec-Fetch-Site`,
/// `Origin`); scripts and agents with a bearer token send neither and pass.
/// The session cookie is also `SameSite=Lax`; this holds even where a
/// browser would ignore that.
pub fn same_origin_write(req: &Request) -> Result<(), AppError> {
    let authority = req.uri().authority().map(|a| a.as_str());
    match is_cross_site(req.headers(), authority) {
        true => Err(AppError::CrossSite),
        false => Ok(()),
    }
}

/// `authority` is the request's own host when it is not in a `Host` header
/// (HTTP/2).
fn is_cross_site(headers: &HeaderMap, authority: Option<&str>) -> bool {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return !matches!(site, "same-origin" | "none");
    }
    match (text(header::ORIGIN), text(header::HOST).or(authority)) {
        (None, _) => false,
        (Some(origin), Some(host)) => origin_host(origin) != Some(host),
        (Some(_), None) => true,
    }
}

/// `example.com:3000` from `http://example.com:3000`; `None` for `null`.
fn origin_host(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, host)| host).filter(|h| !h.is_empty() && !h.contains('/'))
}

/// Sets the page policy on the response being rendered, with the nonce that
/// leptos_axum gave this render's inline scripts.
pub fn set_page_csp() {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), leptos::prelude::use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let content = leptos::prelude::use_context::<AppState>().map(|s| s.content.origin.to_string()).unwrap_or_default();
    if let Ok(value) = HeaderValue::from_str(&page_csp(&nonce.to_string(), &content)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The page policy: only our scripts (the nonce marks the inline hydration
/// script and data), our styles and media; images from us and from the
/// content origin (a Markdown file's sibling images), none from the
/// internet; frames from us and the content origin (the sandboxed
/// previews); never framed by another site.
fn page_csp(nonce: &str, content_origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: {content_origin}; media-src 'self'; frame-src 'self' {content_origin}; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn cross_site_is_told_by_fetch_metadata_then_origin() {
        assert!(!is_cross_site(&headers(&[]), None), "curl, agents");
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")]), None));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")]), None), "typed into the address bar");
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")]), None));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")]), None));
        assert!(!is_cross_site(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), None));
        assert!(is_cross_site(&headers(&[("origin", "http://evil.example"), ("host", "127.0.0.1:3000")]), None));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]), None), "sandboxed frames");
        assert!(is_cross_site(&headers(&[("origin", "http://127.0.0.1:3000")]), None));
        assert!(!is_cross_site(&headers(&[("origin", "http://127.0.0.1:3000")]), Some("127.0.0.1:3000")));
    }
}
