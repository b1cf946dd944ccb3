//! An HTML page's face: its title, first heading and first paragraph, and
//! the thumbnail of the first image it shows that is a file of the same
//! conversation. The page is parsed (html5ever, through scraper), never run.

use crate::error::AppError;
use crate::model::CardFace;
use crate::server::filetype::{self, Thumbnail};
use crate::server::preview::head;
use crate::server::state::AppState;
use crate::server::store::sidecar::Sidecar;
use crate::server::store::Resolved;
use scraper::{Html, Selector};
use uuid::Uuid;

/// What is read of the page: its head and first content come early.
const PAGE_BYTES: u64 = 256 * 1024;
const TEXT_CHARS: usize = 200;

struct Summary {
    title: String,
    heading: String,
    text: String,
    image: Option<String>,
}

pub async fn face(state: &AppState, user: Uuid, meta: &Sidecar) -> Result<CardFace, AppError> {
    let (blobs, page) = (state.store.blobs().clone(), meta.clone());
    let summary = tokio::task::spawn_blocking(move || -> Result<Summary, AppError> {
        let (bytes, _) = head(&blobs, &page, PAGE_BYTES)?;
        Ok(summarise(&String::from_utf8_lossy(&bytes)))
    })
    .await??;
    let image = match summary.image.and_then(|src| sibling(&meta.path, &src)) {
        Some(path) => match state.store.resolve(user, meta.conversation_id, &path).await {
            Ok(Resolved::File(image)) => {
                matches!(filetype::thumbnail(&image.mime_type, &image.name), Some(Thumbnail::Raster | Thumbnail::Svg))
                    .then(|| super::thumbnail_url(&image))
            }
            _ => None,
        },
        None => None,
    };
    Ok(CardFace::Page { title: summary.title, heading: summary.heading, text: summary.text, image })
}

fn summarise(page: &str) -> Summary {
    let page = Html::parse_document(page);
    let first = |selector: &str| {
        let selector = Selector::parse(selector).expect("a valid selector");
        let all: String = page.select(&selector).next().map(|e| e.text().collect()).unwrap_or_default();
        shorten(&all.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let image = Selector::parse("img[src]").expect("a valid selector");
    Summary {
        title: first("head > title"),
        heading: first("h1, h2, h3"),
        text: first("body p"),
        image: page.select(&image).next().and_then(|img| img.attr("src")).map(str::to_string),
    }
}

/// `text`, cut after `TEXT_CHARS` characters: a card shows a few lines.
pub(super) fn shorten(text: &str) -> String {
    match text.char_indices().nth(TEXT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The virtual path an image's relative `src` names beside the page at
/// `page_path`; `None` for anything elsewhere (another site, `data:`, an
/// absolute path, or above the conversation's folder).
fn sibling(page_path: &str, src: &str) -> Option<String> {
    let src = src.split(['?', '#']).next()?;
    if src.is_empty() || src.starts_with('/') || src.contains(':') {
        return None;
    }
    let src = percent_encoding::percent_decode_str(src).decode_utf8().ok()?;
    let mut segments: Vec<&str> = page_path.split('/').collect();
    segments.pop();
    let root = crate::server::vpath::ROOT.split('/').count() + 1;
    for segment in src.split('/') {
        match segment {
            "" | "." => {}
            ".." if segments.len() > root => {
                segments.pop();
            }
            ".." => return None,
            name => segments.push(name),
        }
    }
    Some(segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_resolve_within_the_folder() {
        let page = "mnt/user-data/outputs/reports/q4.html";
        assert_eq!(sibling(page, "chart.png").as_deref(), Some("mnt/user-data/outputs/reports/chart.png"));
        assert_eq!(sibling(page, "./img/a%20b.png?v=2").as_deref(), Some("mnt/user-data/outputs/reports/img/a b.png"));
        assert_eq!(sibling(page, "../top.png").as_deref(), Some("mnt/user-data/outputs/top.png"));
        for elsewhere in ["../../x.png", "/etc/x.png", "https://example.com/x.png", "data:image/png;base64,AA", ""] {
            assert_eq!(sibling(page, elsewhere), None, "{elsewhere}");
        }
    }

    #[test]
    fn a_page_is_summarised_without_its_scripts() {
        let s = summarise(
            "<html><head><title> Q4 report </title><script>document.title='x'</script></head>\
             <body><h2>Sales</h2><p>Revenue   grew <b>12%</b>.</p><img src='chart.png'></body></html>",
        );
        assert_eq!(
            (s.title.as_str(), s.heading.as_str(), s.text.as_str()),
            ("Q4 report", "Sales", "Revenue grew 12%.")
        );
        assert_eq!(s.image.as_deref(), Some("chart.png"));
    }
}
