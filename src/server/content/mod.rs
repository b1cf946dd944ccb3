//! The content origin: agent-made files served from another host name than
//! the app's (`usercontent.localhost` by default), like Google's
//! googleusercontent.com. The app's session cookie is host-only, so it never
//! reaches this host, and a script in an agent's page is cross-origin to the
//! app even if a sandbox flag were ever lost. Its only addresses are
//! capability URLs, `/{token}/mnt/user-data/...`: the signed token grants
//! reading one conversation's virtual folder until it expires, so relative
//! links between sibling files resolve and load.

mod assets;
pub mod drawn;
mod origin;
mod token;

pub use origin::ContentOrigin;
pub use token::{Grant, Refusal, Signer, KEY_FILE};

use crate::error::AppError;
use crate::server::http::extract::Download;
use crate::server::routes::threads;
use crate::server::routes::versions::VersionQuery;
use crate::server::shares;
use crate::server::state::AppState;
use crate::server::vpath;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use url::Url;

/// Capability URLs on the content origin.
#[derive(Clone)]
pub struct Links {
    pub origin: ContentOrigin,
    pub signer: Signer,
}

impl Links {
    /// The URL of `path` (a virtual path, `mnt/user-data/...`) within what
    /// `grant` reaches, valid until `expires` (Unix seconds).
    pub fn url(&self, grant: &Grant, path: &str, expires: i64) -> Url {
        let token = self.signer.sign(grant, expires);
        let mut url = self.origin.url().clone();
        url.path_segments_mut().expect("an http URL has a path").clear().push(&token).extend(path.split('/'));
        url
    }
}

/// The content origin's router: capability URLs and nothing else. Every
/// answer is sandboxed (PDFs aside: Chromium refuses to show a sandboxed
/// PDF, and its viewer runs no page script), never sniffed, and sends no
/// referrer, so a token never leaves in a `Referer`. A sandboxed page's
/// origin is opaque, so its `fetch` of a sibling file and its module
/// scripts are cross-origin: CORS lets anyone read them, which holding the
/// URL allows anyway (no credentials are involved on this host).
/// Drawn previews and their scripts (`drawn.rs`, `assets.rs`) get a
/// stricter policy of their own.
pub fn router(state: AppState) -> Router {
    let sandbox = |res: &Response| {
        let pdf = res.headers().get(header::CONTENT_TYPE).is_some_and(|t| t == "application/pdf");
        (!pdf).then_some(HeaderValue::from_static("sandbox allow-scripts"))
    };
    let set = |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    let drawing = Router::new()
        .route(&format!("{}/{{token}}/{{*path}}", drawn::PREFIX), get(drawn::page))
        .route("/assets/{*file}", get(assets::asset))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            drawn::policy(&state.content.origin),
        ));
    Router::new()
        .route("/{token}/{*path}", get(capability))
        .fallback(|| async { page(StatusCode::NOT_FOUND, "Not found", "There is nothing at this address.") })
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, sandbox))
        .merge(drawing)
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .with_state(state)
}

/// `/{token}/{virtual path}`: the file, if the token is good and the path
/// stays inside the conversation (the thread API's rules, on the raw path).
async fn capability(
    State(state): State<AppState>,
    Download(download): Download,
    version: Result<VersionQuery, AppError>,
    req: Request,
) -> Response {
    let version = match version {
        Ok(VersionQuery(version)) => version,
        Err(e) => return error_page(e),
    };
    let (parts, _) = req.into_parts();
    // The route matched, so the path has both parts.
    let (token, raw) = parts.uri.path()[1..].split_once('/').unwrap_or_default();
    let grant = match granted(&state, token, raw).await {
        Ok(grant) => grant,
        Err(refused) => return refused,
    };
    threads::file_at(&state, &parts, grant.user, grant.conversation, raw, download, version)
        .await
        .unwrap_or_else(error_page)
}

/// What `token` grants, if it is good and reaches the raw virtual path
/// `raw`; else the page that refuses it.
async fn granted(state: &AppState, token: &str, raw: &str) -> Result<Grant, Response> {
    let grant = match state.content.signer.verify(token, crate::server::clock::now_unix()) {
        Ok(grant) => grant,
        Err(Refusal::Expired) => {
            let text = "This link has expired. Open the file again from Vitrine to get a fresh link.";
            return Err(page(StatusCode::GONE, "This link has expired", text));
        }
        Err(Refusal::Forged) => {
            return Err(page(StatusCode::FORBIDDEN, "This link is not valid", "Links to files are made by Vitrine."));
        }
    };
    // A share link's previews reach only what it shares, while it lives.
    if !vpath::check(raw).is_ok_and(|path| grant.covers(&path)) {
        return Err(error_page(AppError::Forbidden));
    }
    if let Some(share) = grant.share {
        shares::check_live(state, share).await.map_err(error_page)?;
    }
    Ok(grant)
}

/// An error as the content origin (and a share link) shows it: a small
/// page, like its other answers, not the API's JSON.
pub fn error_page(error: AppError) -> Response {
    if let AppError::Internal(_) = error {
        return error.into_response(); // which logs the detail
    }
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    page(status, status.canonical_reason().unwrap_or("Refused"), &error.to_string())
}

/// A small HTML page about a refused request. Its texts are ours, but a
/// path may be quoted in an error, so they are escaped.
pub fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font: 16px/1.5 system-ui, sans-serif; margin: 3rem\"><h1>{title}</h1><p>{}</p></body></html>",
        escape(text),
        title = escape(title),
    );
    (status, Html(html)).into_response()
}
