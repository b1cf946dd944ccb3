//! Previews that scripts draw: Markdown and notebooks with Mermaid
//! diagrams or math, and Mermaid files. The preview frames
//! `/draw/{token}/{virtual path}` here, sandboxed: the file rendered on the
//! server (Markdown sanitised as an inline preview's, diagrams and math
//! left as their source) in a page that
//! loads the scripts of `/assets/` to draw them. Its policy allows scripts,
//! styles and fonts from `/assets/` alone and images from the content
//! origin, so nothing comes from the internet, and the app's own pages
//! never load these scripts.

use super::{error_page, granted, ContentOrigin};
use crate::error::{AppError, Missing};
use crate::server::filetype::{self, PreviewKind};
use crate::server::preview::{self, as_text, head};
use crate::server::render::highlight::html_escape;
use crate::server::render::markdown::{self, Markdown};
use crate::server::render::theme;
use crate::server::routes::threads;
use crate::server::routes::versions::VersionQuery;
use crate::server::state::AppState;
use crate::server::store::blobs::Blobs;
use crate::server::store::sidecar::Sidecar;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::response::{Html, IntoResponse, Response};
use std::sync::LazyLock;
use url::Url;

pub const PREFIX: &str = "/draw";
/// The code colours, the page's own, then the app's rules for notebooks
/// (`style/main.css`, which this page cannot load), so a notebook looks
/// the same in both.
static STYLE: LazyLock<String> = LazyLock::new(|| {
    let app = include_str!("../../../style/main.css");
    let notebook: String = app.lines().filter(|l| l.starts_with(".notebook ")).map(|l| format!("{l}\n")).collect();
    theme::stylesheet() + include_str!("drawn.css") + &notebook
});

/// The drawn page of the file whose capability URL is `file`.
pub fn url(file: &Url) -> Url {
    let mut url = file.clone();
    url.set_path(&format!("{PREFIX}{}", file.path()));
    url
}

/// The drawn pages' policy (and the assets'). Any port: a proxy in front
/// may change it, as `ContentOrigin::is_host_of` allows.
pub fn policy(origin: &ContentOrigin) -> HeaderValue {
    let at = format!("{}://{}:*", origin.url().scheme(), origin.host());
    let policy = format!(
        "sandbox allow-scripts; default-src 'none'; script-src {at}/assets/; style-src {at}/assets/ 'unsafe-inline'; \
         font-src {at}/assets/; img-src {at} data:"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("sandbox"))
}

/// `/draw/{token}/{virtual path}`: a capability URL's file, drawn.
pub async fn page(State(state): State<AppState>, version: Result<VersionQuery, AppError>, req: Request) -> Response {
    let version = match version {
        Ok(VersionQuery(version)) => version,
        Err(e) => return error_page(e),
    };
    // The route matched, so the path has a token and a virtual path.
    let capability = &req.uri().path()[PREFIX.len()..];
    let (token, raw) = capability[1..].split_once('/').unwrap_or_default();
    let grant = match granted(&state, token, raw).await {
        Ok(grant) => grant,
        Err(refused) => return refused,
    };
    let found = match threads::find(&state, grant.user, grant.conversation, raw, version).await {
        Ok(found) if found.member.is_none() => found,
        Ok(_) => return error_page(Missing::Path(raw.to_string()).into()),
        Err(e) => return error_page(e),
    };
    let mut file = state.content.origin.url().clone();
    file.set_path(capability);
    let meta = found.meta;
    let blobs = state.store.blobs().clone();
    let drawn = tokio::task::spawn_blocking(move || document(&blobs, &meta, &file)).await.map_err(AppError::from);
    match drawn.and_then(|d| d) {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(e),
    }
}

/// The page: the file's HTML, then the scripts it needs.
fn document(blobs: &Blobs, meta: &Sidecar, file: &Url) -> Result<String, AppError> {
    let view = filetype::preview(&meta.mime_type, &meta.name);
    let (bytes, partial) = head(blobs, meta, preview::read_limit(view))?;
    let not_drawn = || AppError::BadRequest(format!("{} is not a file that is drawn", meta.name));
    let text = as_text(&bytes).ok_or_else(not_drawn)?;
    let (Markdown { html, diagrams, math }, class) = match view {
        PreviewKind::Markdown => (markdown::render(preview::markdown_source(text), file), "markdown"),
        PreviewKind::Diagram => {
            let html = format!("<pre class=\"mermaid\">{}</pre>", html_escape(text));
            (Markdown { html, diagrams: true, math: false }, "markdown")
        }
        // A notebook without math or diagrams is shown in the app's page.
        PreviewKind::Notebook => match preview::notebook_of(blobs, meta, text, partial, file)? {
            Some(n) if n.diagrams || n.math => {
                (Markdown { html: n.html, diagrams: n.diagrams, math: n.math }, "markdown notebook")
            }
            _ => return Err(not_drawn()),
        },
        _ => return Err(not_drawn()),
    };
    let katex_css = if math { "<link rel=\"stylesheet\" href=\"/assets/katex.min.css\">" } else { "" };
    let scripts: String = [(math, "katex.min.js"), (diagrams, "mermaid.min.js"), (true, "draw.js")]
        .into_iter()
        .filter(|(needed, _)| *needed)
        .map(|(_, name)| format!("<script src=\"/assets/{name}\"></script>"))
        .collect();
    Ok(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>{katex_css}\
         <style>{style}</style></head><body><article class=\"{class}\">{html}</article>{scripts}</body></html>",
        title = html_escape(&meta.name),
        style = STYLE.as_str(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::server::render::theme::tests::contrast;

    /// The `#rrggbb` of `--name` in `css`'s first rule that sets it.
    fn colour<'a>(css: &'a str, name: &str) -> &'a str {
        let set = format!("--{name}: ");
        let at = css.find(&set).unwrap_or_else(|| panic!("{set}")) + set.len();
        &css[at..at + 7]
    }

    #[test]
    fn the_page_reads_in_both_themes() {
        let css = include_str!("drawn.css");
        assert!(css.contains("color: var(--text); background: var(--bg);"), "{css}");
        let dark = css.find("@media (prefers-color-scheme: dark)").unwrap();
        for theme in [&css[..dark], &css[dark..]] {
            for name in ["text", "muted"] {
                let (fg, bg) = (colour(theme, name), colour(theme, "bg"));
                assert!(contrast(fg, bg) >= 4.5, "{name} {fg} on {bg}");
            }
        }
    }
}
