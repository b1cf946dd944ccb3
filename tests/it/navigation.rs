//! The top bar marks the page the user is on, in the server's HTML (so
//! without JavaScript too), for a section's own pages as well.

use crate::foundation::page;
use crate::previews::stored;
use axum::http::StatusCode;

/// The labels of the top bar's links marked `aria-current="page"`.
fn marked(html: &str) -> Vec<&str> {
    let start = html.find("<header class=\"topbar\">").expect("a top bar");
    let bar = &html[start..start + html[start..].find("</header>").unwrap()];
    bar.split("<a ")
        .filter(|link| link.split('>').next().unwrap().contains("aria-current=\"page\""))
        .map(|link| link.split('>').nth(1).unwrap().trim_end_matches("</a"))
        .collect()
}

#[tokio::test]
async fn the_top_bar_marks_the_current_section() {
    let (app, session, cid, urls) = stored(&[("notes.txt", b"some notes")]).await;
    for (path, section) in [
        ("/artifacts".to_string(), vec!["Artifacts"]),
        ("/artifacts?type=code".into(), vec!["Artifacts"]),
        (urls[0].clone(), vec!["Artifacts"]),
        ("/conversations".into(), vec!["Conversations"]),
        (format!("/conversations/{cid}"), vec!["Conversations"]),
        ("/settings".into(), vec!["Settings"]),
        ("/artifactsx".into(), vec![]),
    ] {
        let r = page(&app, &path, &session).await;
        assert_eq!(r.status == StatusCode::NOT_FOUND, section.is_empty(), "{path}");
        assert_eq!(marked(&r.html()), section, "{path}");
    }
}
