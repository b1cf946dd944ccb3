//! Keeping one's place in the pages as the server sends them: a gallery
//! card's id, the preview's way back to that card (the gallery's query
//! kept), and a search box that the browser does not fill again on Back.

use crate::foundation::page_html;
use crate::version_pages::versions_of;

/// The first tag of `page` with `attribute`.
fn tag<'a>(page: &'a str, attribute: &str) -> &'a str {
    let at = page.find(attribute).unwrap_or_else(|| panic!("no {attribute}: {page}"));
    let start = page[..at].rfind('<').unwrap();
    &page[start..at + page[at..].find('>').unwrap() + 1]
}

#[tokio::test]
async fn back_from_a_preview_names_the_card_it_was_opened_from() {
    // Two versions, so that a preview may show the older one.
    let (app, _, session, preview) = versions_of("notes.txt", &[b"one", b"two"]).await;
    let (c, a) = (preview.split('/').nth(2).unwrap(), preview.split('/').nth(3).unwrap());
    let gallery = page_html(&app, "/artifacts?sort=name", &session).await;
    assert_eq!(gallery.matches(&format!("id=\"card-{a}\"")).count(), 1, "{gallery}");
    // Whichever version is shown, Back lands on the artifact's card, in the gallery's order.
    for preview in [format!("/artifacts/{c}/{a}?sort=name"), format!("/artifacts/{c}/{a}?sort=name&version=1")] {
        let page = page_html(&app, &preview, &session).await;
        let link = tag(&page, "class=\"close\"");
        assert!(link.contains(&format!("href=\"/artifacts?sort=name#card-{a}\"")), "{preview}: {link}");
    }
    // A deleted artifact has no card to go back to: the gallery's page.
    let confirm = page_html(&app, &format!("/artifacts/{c}/{a}?sort=name&confirm=delete"), &session).await;
    assert!(confirm.contains("name=\"back\" value=\"/artifacts?sort=name\""), "{confirm}");
}

#[tokio::test]
async fn the_search_box_holds_the_urls_search_and_is_not_restored_by_the_browser() {
    let (app, _, session, _) = versions_of("notes.txt", &[b"one"]).await;
    for (url, value) in [("/artifacts?q=note", "note"), ("/artifacts", "")] {
        let gallery = page_html(&app, url, &session).await;
        let input = tag(&gallery, "id=\"search-input\"");
        assert!(input.contains(&format!("value=\"{value}\"")), "{url}: {input}");
        assert!(input.contains("autocomplete=\"off\""), "{url}: {input}");
    }
}
