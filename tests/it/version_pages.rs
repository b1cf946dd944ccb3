//! The versions in the pages: the preview's picker (`?version=n`), its
//! comparison (`&compare=m`), restoring and deleting by the forms the page
//! posts, hostile version numbers, and the transcript's cards of versions.

use crate::common::{Reply, TestApp};
use crate::foundation::{page, page_html, session};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use leptos::server_fn::ServerFn;
use vitrine::api::{ChangeVersion, DeleteArtifact};

/// Alice's conversation with `name` written once per entry of `contents`;
/// the app, her API token and session, and the artifact's preview URL.
pub(crate) async fn versions_of(name: &str, contents: &[&[u8]]) -> (TestApp, String, String, String) {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "Drafts").await;
    let mut id = String::new();
    for bytes in contents {
        let r = app.tool_result(&token, &c, &[(name, bytes)]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        id = r.json()["artifacts"][0]["id"].as_str().unwrap().to_string();
    }
    let session = session(&app, "alice").await;
    (app, token, session, format!("/artifacts/{c}/{id}"))
}

/// Posts a page's form to a server function as a browser without
/// JavaScript does.
async fn post_form(app: &TestApp, path: &str, session: &str, body: String) -> Reply {
    app.send(
        Request::post(path)
            .header(header::COOKIE, session)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// The fields of the preview's form that restores or deletes (`change`) a
/// version of the artifact at `preview`.
fn fields(preview: &str, version: u32, change: &str, back: &str) -> String {
    let mut ids = preview.trim_start_matches("/artifacts/").split('/');
    let (c, a) = (ids.next().unwrap(), ids.next().unwrap());
    format!("conversation_id={c}&artifact_id={a}&version={version}&change={change}&back={}", urlencode(back))
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn api_url(preview: &str) -> String {
    let mut ids = preview.trim_start_matches("/artifacts/").split('/');
    format!("/api/conversations/{}/artifacts/{}", ids.next().unwrap(), ids.next().unwrap())
}

#[tokio::test]
async fn the_picker_shows_each_version_with_its_own_bytes_and_url() {
    let (app, _, session, preview) = versions_of("notes.txt", &[b"first draft", b"second draft, longer"]).await;
    let latest = page_html(&app, &preview, &session).await;
    assert!(latest.contains("second draft") && !latest.contains("first draft"), "{latest}");
    assert!(latest.contains("2 of 2") && latest.contains(&format!("href=\"{preview}?version=1\"")), "{latest}");
    assert!(!latest.contains("Restore this version"), "the latest is not restored");

    let first = page_html(&app, &format!("{preview}?version=1"), &session).await;
    assert!(first.contains("first draft") && !first.contains("second draft"), "{first}");
    assert!(first.contains("1 of 2") && first.contains("11 B"), "its size: {first}");
    assert!(first.contains(&format!("{}/versions/1\"", api_url(&preview))), "its immutable URL: {first}");
    assert!(first.contains(&format!("{}/versions/1?download=true", api_url(&preview))), "its download: {first}");
    assert!(first.contains("Restore this version") && first.contains("Delete this version"), "{first}");
}

#[tokio::test]
async fn compare_shows_added_and_removed_lines_marked() {
    let old = "def total(xs):\n    return sum(xs)\n\nprint(total([1, 2]))\n";
    let new = "def total(xs):\n    return sum(x for x in xs if x > 0)\n\nprint(total([1, 2]))\n# <done>\n";
    let (app, _, session, preview) = versions_of("calc.py", &[old.as_bytes(), new.as_bytes()]).await;
    let page = page_html(&app, &format!("{preview}?version=2"), &session).await;
    assert!(page.contains(&format!("href=\"{preview}?version=2&amp;compare=1\"")), "Compare with previous: {page}");

    let diff = page_html(&app, &format!("{preview}?version=2&compare=1"), &session).await;
    assert!(diff.contains("Changes from v1 to v2") && diff.contains("2 lines added, 1 removed."), "{diff}");
    assert!(
        diff.contains(r#"<tr class="del"><td class="ln">2</td><td class="ln"></td><td class="mark">-</td><td class="line">    return sum(xs)</td></tr>"#),
        "{diff}"
    );
    assert!(diff.contains(r#"<td class="mark">+</td><td class="line">    return sum(x for x in xs if x &gt; 0)</td>"#));
    assert!(diff.contains(r#"<td class="mark">+</td><td class="line"># &lt;done&gt;</td>"#), "escaped");
    assert_eq!(diff.matches("class=\"diff\"").count(), 1, "the diff's HTML is in the page once");
}

#[tokio::test]
async fn a_long_comparison_is_cut_with_a_note() {
    let old: String = (0..8_000).map(|i| format!("row {i}\n")).collect();
    let new = old.replacen("row 1\n", "row one\n", 1).replacen("row 7000\n", "row seven thousand\n", 1);
    let (app, _, session, preview) = versions_of("rows.txt", &[old.as_bytes(), new.as_bytes()]).await;
    let diff = page_html(&app, &format!("{preview}?version=2&compare=1"), &session).await;
    assert!(
        diff.contains("The comparison covers only the first part of each version (at most 5,000 lines or 256 KB)."),
        "{diff}"
    );
    assert!(diff.contains("row one") && !diff.contains("row seven thousand"), "past line 5,000 is left out");
}

#[tokio::test]
async fn identical_versions_say_so() {
    let (app, _, session, preview) = versions_of("a.md", &[b"# same", b"# other", b"# same"]).await;
    let diff = page_html(&app, &format!("{preview}?version=3&compare=1"), &session).await;
    assert!(diff.contains("Versions 1 and 3 are identical"), "{diff}");
    assert!(!diff.contains("class=\"diff\""));
}

#[tokio::test]
async fn pictures_are_compared_side_by_side_and_other_files_by_size_and_hash() {
    let (app, token, session, preview) =
        versions_of("chart.png", &[b"\x89PNG\r\n\x1a\none", b"\x89PNG\r\n\x1a\ntwo!"]).await;
    let diff = page_html(&app, &format!("{preview}?version=2&compare=1"), &session).await;
    let api = api_url(&preview);
    assert!(diff.contains("class=\"compare-images\""), "{diff}");
    assert!(diff.contains(&format!("src=\"{api}/versions/1\"")) && diff.contains(&format!("src=\"{api}/versions/2\"")));

    let c = preview.split('/').nth(2).unwrap();
    let mut blob = String::new();
    for bytes in [&b"\x00\x01binary"[..], b"\x00\x02binary, changed"] {
        let r = app.tool_result(&token, c, &[("blob.bin", bytes)]).await;
        assert_eq!(r.status, StatusCode::CREATED);
        blob = r.json()["artifacts"][0]["id"].as_str().unwrap().to_string();
    }
    let versions = app.get(&format!("/api/conversations/{c}/artifacts/{blob}/versions"), &token).await.json();
    let diff = page_html(&app, &format!("/artifacts/{c}/{blob}?compare=1"), &session).await;
    assert!(diff.contains("cannot be compared line by line"), "{diff}");
    for v in versions["items"].as_array().unwrap() {
        assert!(diff.contains(v["sha256"].as_str().unwrap()), "both hashes: {diff}");
    }
}

#[tokio::test]
async fn hostile_version_numbers_are_400_and_others_versions_404() {
    let (app, token, alice, preview) = versions_of("a.txt", &[b"1", b"2"]).await;
    for query in [
        "version=0",
        "version=-1",
        "version=4294967296",
        "version=99999999999999999999",
        "version=two",
        "version=",
        "compare=0",
        "version=2&compare=-1",
        "compare=x",
    ] {
        let r = page(&app, &format!("{preview}?{query}"), &alice).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(r.text().contains("Invalid version"), "{query}: {}", r.text());
    }
    for query in ["version=3", "version=1&compare=7"] {
        let r = page(&app, &format!("{preview}?{query}"), &alice).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{query}");
    }
    app.user("bob");
    let bob = session(&app, "bob").await;
    for query in ["version=1", "version=2&compare=1"] {
        assert_eq!(page(&app, &format!("{preview}?{query}"), &bob).await.status, StatusCode::NOT_FOUND, "{query}");
    }
    // Nor can bob restore or delete alice's versions through the forms.
    for change in ["restore", "delete"] {
        let r = post_form(&app, ChangeVersion::PATH, &bob, fields(&preview, 1, change, &preview)).await;
        assert!(!r.status.is_success() && r.header("location") != preview, "{change}: {}", r.status);
    }
    let left = app.get(&format!("{}/versions", api_url(&preview)), &token).await.json();
    assert_eq!(left["items"].as_array().unwrap().len(), 2, "both versions stay");
}

#[tokio::test]
async fn restoring_by_the_form_makes_a_new_latest_version() {
    let (app, token, session, preview) = versions_of("a.txt", &[b"the original", b"a rewrite"]).await;
    let r = post_form(&app, ChangeVersion::PATH, &session, fields(&preview, 1, "restore", &preview)).await;
    assert_eq!((r.status.is_redirection(), r.header("location")), (true, preview.as_str()), "{}", r.text());
    let latest = page_html(&app, &preview, &session).await;
    assert!(latest.contains("3 of 3") && latest.contains("the original"), "{latest}");
    let bytes = app.get(&format!("{}/versions/3", api_url(&preview)), &token).await;
    assert_eq!(bytes.body.as_slice(), b"the original");

    // `back` leads only to this artifact's preview.
    let r =
        post_form(&app, ChangeVersion::PATH, &session, fields(&preview, 2, "restore", "https://evil.example/")).await;
    assert_eq!(r.header("location"), preview);
}

#[tokio::test]
async fn deleting_a_version_and_the_artifact_confirm_what_they_delete() {
    let (app, token, session, preview) = versions_of("a.txt", &[b"one", b"two", b"three"]).await;
    let confirm = page_html(&app, &format!("{preview}?version=2&confirm=delete-version"), &session).await;
    assert!(
        confirm.contains("Delete version 2 of <bdi>a.txt</bdi>?") && confirm.contains("Its other 2 versions stay."),
        "{confirm}"
    );
    let r = post_form(&app, ChangeVersion::PATH, &session, fields(&preview, 2, "delete", &preview)).await;
    assert_eq!(r.header("location"), preview, "{}", r.text());
    let left = app.get(&format!("{}/versions", api_url(&preview)), &token).await.json();
    let numbers: Vec<_> = left["items"].as_array().unwrap().iter().map(|v| v["version"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [3, 1]);

    let confirm = page_html(&app, &format!("{preview}?confirm=delete"), &session).await;
    assert!(confirm.contains("All 2 of its versions are deleted."), "{confirm}");
    let c = preview.split('/').nth(2).unwrap();
    let a = preview.split('/').nth(3).unwrap();
    let r =
        post_form(&app, DeleteArtifact::PATH, &session, format!("conversation_id={c}&artifact_id={a}&back=/artifacts"))
            .await;
    assert_eq!(r.header("location"), "/artifacts");
    assert_eq!(app.get(&format!("{}/versions/1", api_url(&preview)), &token).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_only_version_is_not_deleted_alone() {
    let (app, token, session, preview) = versions_of("a.txt", &[b"alone"]).await;
    let page = page_html(&app, &preview, &session).await;
    assert!(!page.contains("Delete this version") && !page.contains("Compare with previous"), "{page}");
    let confirm = page_html(&app, &format!("{preview}?confirm=delete-version"), &session).await;
    assert!(!confirm.contains("Delete version 1"), "no confirmation for the only version");
    let r = post_form(&app, ChangeVersion::PATH, &session, fields(&preview, 1, "delete", &preview)).await;
    assert!(!r.status.is_success() && r.header("location") != preview, "{}", r.status);
    assert_eq!(app.get(&format!("{}/versions/1", api_url(&preview)), &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_transcript_links_each_message_to_the_version_it_made() {
    let (app, _, session, preview) = versions_of("a.txt", &[b"one", b"two", b"two"]).await;
    let c = preview.split('/').nth(2).unwrap();
    let a = preview.split('/').nth(3).unwrap();
    let page = page_html(&app, &format!("/conversations/{c}"), &session).await;
    for v in [1, 2] {
        assert_eq!(page.matches(&format!("id=\"artifact-{a}-v{v}\"")).count(), 1, "v{v}: ids are unique: {page}");
        assert!(page.contains(&format!("href=\"{preview}?version={v}\"")), "v{v}");
        assert!(page.contains(&format!(">v{v}</span>")), "its badge");
    }
    assert_eq!(page.matches(&format!("href=\"{preview}?version=2\"")).count(), 4, "the third message shows v2 too");
    // The gallery's card leads to where its latest version was made.
    let gallery = page_html(&app, "/artifacts", &session).await;
    assert!(gallery.contains(&format!("/conversations/{c}#artifact-{a}-v2")), "{gallery}");
}

fn png(rgb: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbImage::from_pixel(40, 30, image::Rgb(rgb))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn a_transcript_card_shows_its_own_versions_picture() {
    let (app, token, session, preview) = versions_of("chart.png", &[&png([200, 0, 0]), &png([0, 0, 200])]).await;
    let thumbnail = format!("{}/thumbnail", api_url(&preview));
    let c = preview.split('/').nth(2).unwrap();
    let page = page_html(&app, &format!("/conversations/{c}"), &session).await;
    assert!(page.contains(&format!("src=\"{thumbnail}?version=1\"")), "{page}");
    let [first, second, latest] = [
        app.get(&format!("{thumbnail}?version=1"), &token).await,
        app.get(&format!("{thumbnail}?version=2"), &token).await,
        app.get(&thumbnail, &token).await,
    ];
    assert_eq!((first.status, second.status), (StatusCode::OK, StatusCode::OK));
    assert_ne!(first.body, second.body, "each version's own picture");
    assert_eq!(latest.body, second.body);
    assert_eq!(app.get(&format!("{thumbnail}?version=0"), &token).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get(&format!("{thumbnail}?version=3"), &token).await.status, StatusCode::NOT_FOUND);
}
