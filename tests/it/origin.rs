//! The content origin: a conversation's files at capability URLs on another
//! host (`usercontent.localhost`), told apart from the app by `Host`.

use crate::common::{Reply, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use url::Url;
use uuid::Uuid;
use vitrine::server::auth;
use vitrine::server::clock::now_unix;
use vitrine::server::content::Grant;

const CONTENT_HOST: &str = "usercontent.localhost:3000";
const REPORT: &[u8] = b"<!doctype html><img src=\"chart.png\"><a href=\"data.csv\">data</a><script>1</script>";
const CHART: &[u8] = b"\x89PNG\r\n\x1a\n chart";
const TABLE: &[u8] = b"a,b\n1,2\n";
const SECRET: &[u8] = b"bob's other conversation";

/// Alice's report with its siblings, and a second conversation of hers.
struct Setup {
    app: TestApp,
    api: String,
    alice: Uuid,
    report: Uuid,
    other: Uuid,
}

async fn setup() -> Setup {
    let app = TestApp::new();
    let (alice, token) = auth::add_user(&app.state.meta, "alice", "secret-password").unwrap();
    let report = app.conversation(&token, "Report").await;
    let files: &[(&str, &[u8])] = &[
        ("out/report.html", REPORT),
        ("out/chart.png", CHART),
        ("out/data.csv", TABLE),
        ("out/assets/style.css", b"body { color: red }"),
        ("data/table.csv", TABLE),
    ];
    assert_eq!(app.tool_result(&token, &report, files).await.status, StatusCode::CREATED);
    let other = app.conversation(&token, "Other").await;
    assert_eq!(app.tool_result(&token, &other, &[("secret.txt", SECRET)]).await.status, StatusCode::CREATED);
    Setup { app, api: token, alice, report: report.parse().unwrap(), other: other.parse().unwrap() }
}

impl Setup {
    /// The capability URL of a virtual path of a conversation, valid for a minute.
    fn url(&self, user: Uuid, conversation: Uuid, path: &str) -> Url {
        self.app.state.content.url(&Grant::conversation(user, conversation), path, now_unix() + 60)
    }

    fn report_url(&self) -> Url {
        self.url(self.alice, self.report, "mnt/user-data/outputs/out/report.html")
    }

    /// A GET to the content host, without credentials; `target` is a path
    /// (and query) or an absolute URL.
    async fn content(&self, target: &str) -> Reply {
        let target = target.strip_prefix("http://usercontent.localhost:3000").unwrap_or(target);
        let req = Request::get(target).header(header::HOST, CONTENT_HOST).body(Body::empty()).unwrap();
        let reply = self.app.send(req).await;
        // Every answer of the content host: sandboxed, never sniffed, no
        // referrer, readable by opaque origins, and no cookie set.
        if !reply.header("content-type").starts_with("application/pdf") {
            assert_eq!(reply.header("content-security-policy"), "sandbox allow-scripts", "{target}");
        }
        assert_eq!(reply.header("x-content-type-options"), "nosniff", "{target}");
        assert_eq!(reply.header("referrer-policy"), "no-referrer", "{target}");
        assert_eq!(reply.header("access-control-allow-origin"), "*", "a sandboxed page fetches its siblings");
        assert!(!reply.headers.contains_key(header::SET_COOKIE), "{target}");
        assert!(!reply.headers.contains_key(header::LOCATION), "never sent to sign in: {target}");
        reply
    }
}

#[tokio::test]
async fn a_capability_url_serves_the_file_and_its_siblings() {
    let s = setup().await;
    let report = s.report_url();
    assert_eq!(report.host_str(), Some("usercontent.localhost"));
    let r = s.content(report.as_str()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.body, REPORT);
    assert!(r.header("content-type").starts_with("text/html"));
    // Relative links resolve as a browser resolves them, and load.
    for (relative, bytes) in [
        ("chart.png", CHART),
        ("data.csv", TABLE),
        ("../data/table.csv", TABLE),
        ("assets/style.css", &b"body { color: red }"[..]),
    ] {
        let r = s.content(report.join(relative).unwrap().as_str()).await;
        assert_eq!((r.status, &r.body[..]), (StatusCode::OK, bytes), "{relative}");
    }
    assert_eq!(s.content(report.join("chart.png").unwrap().as_str()).await.header("content-type"), "image/png");
    // HTTP/2 names the host in the URI's authority, not in `Host`.
    let by_authority = s.app.send(Request::get(report.as_str()).body(Body::empty()).unwrap()).await;
    assert_eq!((by_authority.status, &by_authority.body[..]), (StatusCode::OK, REPORT));
    let download = s.content(&format!("{report}?download=true")).await;
    assert!(download.header("content-disposition").starts_with("attachment"));
    // A folder and a missing sibling are refused as the thread API refuses them.
    assert_eq!(s.content(report.join("./").unwrap().as_str()).await.status, StatusCode::BAD_REQUEST);
    let missing = s.content(report.join("missing.png").unwrap().as_str()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.header("content-type").starts_with("text/html"), "a page, not JSON");
}

#[tokio::test]
async fn nothing_outside_the_conversation_is_reached() {
    let s = setup().await;
    let report = s.report_url();
    let token = report.path_segments().unwrap().next().unwrap().to_string();
    let other = s.other.to_string();
    for path in [
        "mnt/user-data/outputs/../../../etc/passwd".to_string(),
        "mnt/user-data/outputs/%2e%2e/%2e%2e/%2e%2e/x".into(),
        "mnt/user-data/outputs/%2E%2e%2f%2e%2e%2fx".into(),
        "mnt/user-data/outputs/%252e%252e/%252e%252e/x".into(),
        "mnt/user-data/outputs/..%5c..%5cx".into(),
        "mnt/user-data/outputs/out/%00report.html".into(),
        "etc/passwd".into(),
        format!("conversations/{other}/artifacts"),
        format!("mnt/user-data/../../conversations/{other}/mnt/user-data/outputs/secret.txt"),
        format!("..%2f{other}%2fmnt/user-data/outputs/secret.txt"),
    ] {
        let r = s.content(&format!("/{token}/{path}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text());
    }
    // The other conversation's file is not in this one.
    let r = s.content(&format!("/{token}/mnt/user-data/outputs/secret.txt")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text().contains(std::str::from_utf8(SECRET).unwrap()));
    // A token is bound to its user: Bob's, made for Alice's conversation,
    // finds nothing.
    let (bob, _) = auth::add_user(&s.app.state.meta, "bob", "secret-password").unwrap();
    let r = s.content(s.url(bob, s.report, "mnt/user-data/outputs/out/report.html").as_str()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.is_empty() || !r.text().contains("<img src"), "no byte of the file");
}

#[tokio::test]
async fn edited_or_foreign_tokens_are_refused() {
    let s = setup().await;
    let report = s.report_url();
    let token = report.path_segments().unwrap().next().unwrap().to_string();
    let path = "mnt/user-data/outputs/out/report.html";
    let edited = |at: std::ops::Range<usize>, with: &[u8]| {
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[at].copy_from_slice(with);
        URL_SAFE_NO_PAD.encode(bytes)
    };
    let mut signature = URL_SAFE_NO_PAD.decode(&token).unwrap();
    *signature.last_mut().unwrap() ^= 1;
    let forged = [
        ("another conversation inside", edited(16..32, s.other.as_bytes())),
        ("a later expiry", edited(32..40, &i64::MAX.to_be_bytes())),
        ("a bad signature", URL_SAFE_NO_PAD.encode(signature)),
        ("padding", format!("{token}==")),
        ("not base64", "not-a-token!".to_string()),
        ("another server's key", {
            let dir = tempfile::tempdir().unwrap();
            let grant = Grant::conversation(s.alice, s.report);
            vitrine::server::content::Signer::open(dir.path()).unwrap().sign(&grant, now_unix() + 60)
        }),
    ];
    for (what, token) in forged {
        let r = s.content(&format!("/{token}/{path}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}");
        assert!(r.text().contains("This link is not valid"), "{what}: {}", r.text());
        assert!(r.header("content-type").starts_with("text/html"), "{what}");
    }
}

#[tokio::test]
async fn an_expired_token_gets_the_expired_page() {
    let s = setup().await;
    let grant = Grant::conversation(s.alice, s.report);
    let expired = s.app.state.content.url(&grant, "mnt/user-data/outputs/out/report.html", now_unix() - 1);
    let r = s.content(expired.as_str()).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.text().contains("This link has expired"), "{}", r.text());
    assert_eq!(r.header("cache-control"), "no-store");
}

#[tokio::test]
async fn the_content_host_serves_no_app_route_and_the_app_host_is_unchanged() {
    let s = setup().await;
    let listing = s.app.get("/api/artifacts", &s.api).await.json();
    let file = listing["items"][0]["url"].as_str().unwrap().to_string();
    let thread = format!("/api/threads/{}/artifacts/mnt/user-data/outputs/out/report.html", s.report);
    for target in ["/", "/login", "/artifacts", "/conversations", "/api/artifacts", "/api/openapi.json", &file, &thread]
    {
        for token in [None, Some(s.api.as_str())] {
            let mut req = Request::get(target).header(header::HOST, CONTENT_HOST);
            if let Some(t) = token {
                req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            let r = s.app.send(req.body(Body::empty()).unwrap()).await;
            assert!(matches!(r.status.as_u16(), 403 | 404), "{target}: {}", r.status);
            assert!(r.header("content-type").starts_with("text/html"), "{target}");
            assert!(!r.text().contains("Sign in") && !r.headers.contains_key(header::SET_COOKIE), "{target}");
            assert_eq!(r.header("content-security-policy"), "sandbox allow-scripts", "{target}");
        }
    }
    let write = Request::builder()
        .method(Method::POST)
        .uri("/api/conversations")
        .header(header::HOST, CONTENT_HOST)
        .header(header::AUTHORIZATION, format!("Bearer {}", s.api))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"title": "from the content host"}"#))
        .unwrap();
    assert!(!s.app.send(write).await.status.is_success());
    assert_eq!(s.app.get("/api/conversations", &s.api).await.json().as_array().unwrap().len(), 2);

    // The app, by its own host (or none), answers as before; a capability
    // path means nothing there.
    for host in [None, Some("127.0.0.1:3000"), Some("localhost:3000")] {
        let mut req = Request::get(&thread).header(header::AUTHORIZATION, format!("Bearer {}", s.api));
        if let Some(h) = host {
            req = req.header(header::HOST, h);
        }
        let r = s.app.send(req.body(Body::empty()).unwrap()).await;
        assert_eq!((r.status, &r.body[..]), (StatusCode::OK, REPORT), "{host:?}");
        assert_eq!(r.header("content-security-policy"), "sandbox allow-scripts; frame-ancestors 'self'");
    }
    let r = s.app.get(s.report_url().path(), &s.api).await;
    assert_ne!(r.body, REPORT);
}

#[tokio::test]
async fn the_preview_frames_and_opens_capability_urls_and_markdown_links_its_siblings() {
    let s = setup().await;
    let md = b"# Notes\n\n![the chart](chart.png) [the data](data.csv) ![far](https://tracker.example/p.png)\n\n\
               ![by path](/mnt/user-data/outputs/out/chart.png) [the table](mnt/user-data/outputs/data/table.csv)\n";
    let stored = s.app.tool_result(&s.api, &s.report.to_string(), &[("out/notes.md", md)]).await.json();
    let notes = stored["artifacts"][0]["id"].as_str().unwrap().to_string();
    let listing = s.app.get(&format!("/api/conversations/{}/artifacts?type=html", s.report), &s.api).await.json();
    let report = listing["items"][0]["id"].as_str().unwrap().to_string();
    let cookie = alice_cookie(&s).await;
    let page = |id: String| {
        let uri = format!("/artifacts/{}/{id}", s.report);
        s.app.send(Request::get(uri).header(header::COOKIE, &cookie).body(Body::empty()).unwrap())
    };

    let html = page(report).await;
    assert_eq!(html.status, StatusCode::OK);
    let csp = html.header("content-security-policy").to_string();
    assert!(csp.contains("frame-src 'self' http://usercontent.localhost:3000;"), "{csp}");
    assert!(csp.contains("img-src 'self' data: blob: http://usercontent.localhost:3000;"), "{csp}");
    let text = html.text();
    let frame = attribute_after(&text, "<iframe", "src");
    assert!(frame.starts_with("http://usercontent.localhost:3000/"), "{frame}");
    assert_eq!(attribute_after(&text, "<iframe", "sandbox"), "allow-scripts");
    assert_eq!(attribute_before(&text, ">Open raw<", "href"), frame);
    let framed = Url::parse(&frame.replace("&amp;", "&")).unwrap();
    assert_eq!(s.content(framed.as_str()).await.body, REPORT);
    assert_eq!(s.content(framed.join("chart.png").unwrap().as_str()).await.body, CHART);

    let page_html = page(notes).await.text();
    // The body, after the header's own links (Open raw).
    let markdown = &page_html[page_html.find("class=\"markdown\"").expect("a Markdown body")..];
    let image = attribute_after(markdown, "<img", "src");
    assert!(image.starts_with("http://usercontent.localhost:3000/") && image.ends_with("/out/chart.png"), "{image}");
    assert_eq!(s.content(&image).await.body, CHART);
    let link = attribute_after(markdown, "<a href=\"http://usercontent", "href");
    assert!(link.ends_with("/out/data.csv"), "{link}");
    assert_eq!(s.content(&link).await.body, TABLE);
    assert!(markdown.contains("src=\"https://tracker.example/p.png\" alt=\"far\""), "left to the page CSP");
    // Virtual paths, as agents write them, lead to the conversation's files.
    assert_eq!(s.content(&attribute_before(markdown, " alt=\"by path\"", "src")).await.body, CHART);
    assert_eq!(s.content(&attribute_before(markdown, ">the table<", "href")).await.body, TABLE);
}

/// A session cookie of Alice's, as her browser sends it.
async fn alice_cookie(s: &Setup) -> String {
    let secret = auth::login(&s.app.state.credentials, "alice", "secret-password", None, "").await.unwrap();
    format!("{}={secret}", auth::SESSION_COOKIE)
}

#[tokio::test]
async fn a_page_opened_at_its_thread_path_in_a_browser_goes_to_the_content_origin() {
    let s = setup().await;
    let cookie = alice_cookie(&s).await;
    let thread = |path: &str| format!("/api/threads/{}/artifacts/mnt/user-data/{path}", s.report);
    let get = |uri: String, headers: &[(&str, &str)]| {
        let mut req = Request::get(uri).header(header::COOKIE, &cookie);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        s.app.send(req.body(Body::empty()).unwrap())
    };
    let navigation = [("sec-fetch-dest", "document"), ("accept", "text/html,application/xhtml+xml,*/*;q=0.8")];
    let report = thread("outputs/out/report.html");

    // A link followed or an address typed, by a browser with Fetch Metadata
    // or an older one: sent to the same path on the content origin.
    for headers in [&navigation[..], &navigation[1..], &[("sec-fetch-dest", "iframe")]] {
        let r = get(report.clone(), headers).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{headers:?}: {}", r.text());
        assert_eq!(r.header("cache-control"), "no-store");
        let to = Url::parse(r.header("location")).unwrap();
        assert_eq!(to.host_str(), Some("usercontent.localhost"));
        assert!(to.path().ends_with("/mnt/user-data/outputs/out/report.html"), "{to}");
        assert_eq!(s.content(to.as_str()).await.body, REPORT);
        // Where its relative links now lead, its siblings are.
        assert_eq!(s.content(to.join("chart.png").unwrap().as_str()).await.body, CHART);
        assert_eq!(s.content(to.join("../data/table.csv").unwrap().as_str()).await.body, TABLE);
    }

    // A version of a page goes to that version there; its siblings are
    // their latest.
    let stored = s.app.tool_result(&s.api, &s.report.to_string(), &[("out/report.html", b"<p>v2")]).await;
    assert_eq!(stored.json()["artifacts"][0]["version"], 2);
    let r = get(format!("{report}?version=1"), &navigation).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = Url::parse(r.header("location")).unwrap();
    assert_eq!((to.host_str(), to.query()), (Some("usercontent.localhost"), Some("version=1")));
    assert_eq!(s.content(to.as_str()).await.body, REPORT);
    assert_eq!(s.content(to.join("chart.png").unwrap().as_str()).await.body, CHART);
    let latest = Url::parse(get(report.clone(), &navigation).await.header("location")).unwrap();
    assert_eq!((latest.query(), &s.content(latest.as_str()).await.body[..]), (None, &b"<p>v2"[..]));
    let missing = get(format!("{report}?version=9"), &navigation).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "a version that does not exist is not sent anywhere");

    // Scripts and what a page loads get the bytes, as before: a bearer
    // token, a plain client, a download, a fetch or an image, a file that is
    // not a page.
    let bearer = format!("Bearer {}", s.api);
    for (uri, headers) in [
        (report.clone(), vec![("authorization", bearer.as_str()), navigation[0], navigation[1]]),
        (report.clone(), vec![]),
        (format!("{report}?download=true"), navigation.to_vec()),
        (report.clone(), vec![("sec-fetch-dest", "empty"), navigation[1]]),
        (report.clone(), vec![("sec-fetch-dest", "image")]),
        (format!("{report}?version=1&download=true"), navigation.to_vec()),
    ] {
        let r = get(uri.clone(), &headers).await;
        let bytes = if uri.contains("version=1") { REPORT } else { b"<p>v2" };
        assert_eq!((r.status, &r.body[..]), (StatusCode::OK, bytes), "{uri} {headers:?}");
        assert!(!r.headers.contains_key(header::LOCATION));
    }
    let chart = get(thread("outputs/out/chart.png"), &navigation).await;
    assert_eq!((chart.status, &chart.body[..]), (StatusCode::OK, CHART));

    // An SVG is a page too, and so is an HTML member of a `.skill` archive,
    // whose siblings are the archive's other members.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in [("docs/page.html", REPORT), ("docs/chart.png", CHART)] {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut zip, bytes).unwrap();
    }
    let kit = zip.finish().unwrap().into_inner();
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><image href='chart.png'/></svg>";
    let files: &[(&str, &[u8])] = &[("kit.skill", &kit), ("out/drawing.svg", svg)];
    assert_eq!(s.app.tool_result(&s.api, &s.report.to_string(), files).await.status, StatusCode::CREATED);
    for (path, bytes) in [("outputs/out/drawing.svg", &svg[..]), ("outputs/kit.skill/docs/page.html", REPORT)] {
        let r = get(thread(path), &navigation).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        let to = Url::parse(r.header("location")).unwrap();
        assert_eq!(s.content(to.as_str()).await.body, bytes, "{path}");
        assert_eq!(s.content(to.join("chart.png").unwrap().as_str()).await.body, CHART, "{path}");
    }

    // Refused as before, never sent anywhere: paths out of the thread,
    // another conversation's file, someone else's thread, no credentials.
    let escapes = ["outputs/%2e%2e/%2e%2e/%2e%2e/etc/report.html", "outputs/..%2f..%2f..%2fx.html", "../../x.html"];
    for path in escapes {
        let r = get(thread(path), &navigation).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!r.headers.contains_key(header::LOCATION), "{path}");
    }
    let r = get(thread("outputs/secret.txt"), &navigation).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (_, bob) = auth::add_user(&s.app.state.meta, "bob", "secret-password").unwrap();
    let bobs = s.app.conversation(&bob, "Bob's").await;
    s.app.tool_result(&bob, &bobs, &[("page.html", REPORT)]).await;
    let r = get(format!("/api/threads/{bobs}/artifacts/mnt/user-data/outputs/page.html"), &navigation).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.headers.contains_key(header::LOCATION));
    let anonymous = Request::get(&report).header("sec-fetch-dest", "document").body(Body::empty()).unwrap();
    assert_eq!(s.app.send(anonymous).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_session_cookie_is_host_only_so_it_never_reaches_the_content_host() {
    let s = setup().await;
    let login = Request::post("/login")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=alice&password=secret-password"))
        .unwrap();
    let r = s.app.send(login).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = r.header("set-cookie").to_ascii_lowercase();
    assert!(cookie.starts_with("vitrine_session=") && !cookie.contains("domain="), "{cookie}");
}

/// The value of `attribute` in the first tag after `marker`.
fn attribute_after(html: &str, marker: &str, attribute: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("{marker} in {html}"));
    let rest = &html[at..];
    let tag = &rest[..rest.find('>').unwrap()];
    let value = tag.split(&format!("{attribute}=\"")).nth(1).unwrap_or_else(|| panic!("{attribute} in {tag}"));
    value[..value.find('"').unwrap()].to_string()
}

/// The value of `attribute` in the tag that `marker` ends.
fn attribute_before(html: &str, marker: &str, attribute: &str) -> String {
    let end = html.find(marker).unwrap_or_else(|| panic!("{marker} in {html}"));
    let start = html[..end].rfind('<').unwrap();
    attribute_after(&html[start..], "<", attribute)
}
