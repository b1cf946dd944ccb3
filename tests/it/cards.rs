//! Gallery card faces per kind, from files made by real producers
//! (tests/fixtures/cards/make.py), and hostile files that must cost only
//! the limited child process.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use leptos::server_fn::ServerFn;
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;
use vitrine::api::ListArtifacts;
use vitrine::model::{CardFace, GalleryPage, Glyph};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/cards/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The gallery's first page, as the page gets it: name → face.
async fn gallery_faces(app: &TestApp, token: &str) -> HashMap<String, CardFace> {
    let form = "query[page]=1&query[size]=100&query[type]=all&query[sort]=newest&query[q]=";
    let req = Request::post(ListArtifacts::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/x-postcard")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(form))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page: GalleryPage = postcard::from_bytes(&r.body).unwrap();
    page.page.items.into_iter().map(|a| a.name).zip(page.faces).collect()
}

/// The listed artifact called `name`, as the JSON API gives it.
async fn listed(app: &TestApp, token: &str, name: &str) -> serde_json::Value {
    let list = app.get("/api/artifacts?size=100", token).await.json();
    list["items"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap().clone()
}

/// The card picture of the listed artifact `name`: its record's URL.
async fn thumbnail(app: &TestApp, token: &str, name: &str) -> String {
    format!("{}/thumbnail", listed(app, token, name).await["url"].as_str().unwrap())
}

/// The picture face of `name` and its thumbnail: a WebP of exactly the face's size.
async fn picture(
    app: &TestApp,
    token: &str,
    faces: &HashMap<String, CardFace>,
    name: &str,
) -> (u32, u32, Option<String>) {
    let face = &faces[name];
    let CardFace::Picture { width, height, caption } = face else { panic!("not a picture: {face:?}") };
    let url = thumbnail(app, token, name).await;
    let r = app.get(&url, token).await;
    assert_eq!((r.status, r.header("content-type")), (StatusCode::OK, "image/webp"), "{url}");
    let webp = image::load_from_memory_with_format(&r.body, image::ImageFormat::WebP).unwrap();
    assert_eq!((webp.width(), webp.height()), (*width, *height), "{url}");
    (*width, *height, caption.clone())
}

fn skill() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in [
        ("pdf-tools/SKILL.md", "---\nname: pdf-tools\ndescription: Fill and merge PDF forms.\n---\n\n# PDF tools\n"),
        ("pdf-tools/scripts/fill.py", "print('fill')\n"),
        ("pdf-tools/reference.md", "# Reference\n"),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbImage::from_pixel(width, height, image::Rgb([200, 40, 40]))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn every_common_kind_has_its_face() {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "cards").await;
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="teal"/></svg>"#;
    let html = br#"<!doctype html><html><head><title>Q4 report</title><script>document.title = "run"</script></head>
        <body><h1>Sales by region</h1><p>North grew   12%.</p><img src="img/chart.png"></body></html>"#;
    let skill = skill();
    let (plan, roadmap) = (fixture("../previews/plan.docx"), fixture("../previews/roadmap.pptx"));
    let (report, sales, budget, notebook, font, tone, clip) = (
        fixture("report.pdf"),
        fixture("sales.xlsx"),
        fixture("budget.ods"),
        fixture("analysis.ipynb"),
        fixture("sample.ttf"),
        fixture("tone.wav"),
        fixture("clip.mp4"),
    );
    let chart = png(800, 400);
    let files: &[(&str, &[u8])] = &[
        ("report.pdf", &report),
        ("logo.svg", svg),
        ("sales.xlsx", &sales),
        ("budget.ods", &budget),
        ("plan.docx", &plan),
        ("roadmap.pptx", &roadmap),
        ("data.csv", b"region,q1,q2\nNorth,120,135\nSouth,98,101\n"),
        ("reports/q4.html", html),
        ("reports/img/chart.png", &chart),
        ("pdf-tools.skill", &skill),
        ("analysis.ipynb", &notebook),
        ("clean.py", b"import csv\n\ndef main():\n    pass\n"),
        ("sample.ttf", &font),
        ("tone.wav", &tone),
        ("clip.mp4", &clip),
        ("blob.bin", &[0, 159, 146, 150]),
    ];
    assert_eq!(app.tool_result(&token, &c, files).await.status, StatusCode::CREATED);
    let faces = gallery_faces(&app, &token).await;

    let (width, height, pages) = picture(&app, &token, &faces, "report.pdf").await;
    assert!(width < height && (479..=480).contains(&height), "A4 portrait: {width}×{height}");
    assert_eq!(pages.as_deref(), Some("3 pages"));
    assert_eq!(picture(&app, &token, &faces, "logo.svg").await, (480, 240, None));
    assert_eq!(picture(&app, &token, &faces, "reports/img/chart.png").await, (480, 240, None));
    let (width, height, family) = picture(&app, &token, &faces, "sample.ttf").await;
    assert_eq!((width, height, family.as_deref()), (480, 240, Some("DejaVu Sans")));

    let table = |rows: &[&[&str]], sheets: &[&str]| CardFace::Table {
        rows: rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect(),
        sheets: sheets.iter().map(|s| s.to_string()).collect(),
    };
    let sales_rows: &[&[&str]] = &[&["Region", "Q1", "Q2"], &["North", "120", "135"], &["South", "98", "101"]];
    assert_eq!(faces["sales.xlsx"], table(sales_rows, &["Sales", "Notes"]));
    assert_eq!(faces["budget.ods"], table(&[&["Item", "Cost"], &["Rent", "1200"]], &["Budget", "Plan"]));
    let csv_rows: &[&[&str]] = &[&["region", "q1", "q2"], &["North", "120", "135"], &["South", "98", "101"]];
    assert_eq!(faces["data.csv"], table(csv_rows, &[]));

    let chart_thumbnail = thumbnail(&app, &token, "reports/img/chart.png").await;
    assert_eq!(
        faces["reports/q4.html"],
        CardFace::Page {
            title: "Q4 report".into(),
            heading: "Sales by region".into(),
            text: "North grew 12%.".into(),
            image: Some(chart_thumbnail),
        }
    );
    let page = |title: &str, heading: &str, text: &str| CardFace::Page {
        title: title.into(),
        heading: heading.into(),
        text: text.into(),
        image: None,
    };
    assert_eq!(
        faces["plan.docx"],
        page("Quarterly plan", "Goals", "Revenue grew in every region.\nHire two engineers\nShip the gallery")
    );
    assert_eq!(
        faces["roadmap.pptx"],
        page("Roadmap 2027", "Goals", "Where we go next\nFaster previews\nNotebooks and Office")
    );
    assert_eq!(
        faces["pdf-tools.skill"],
        CardFace::Archive {
            members: 3,
            names: vec![
                "pdf-tools/SKILL.md".into(),
                "pdf-tools/scripts/fill.py".into(),
                "pdf-tools/reference.md".into()
            ],
            title: Some("pdf-tools".into()),
            description: Some("Fill and merge PDF forms.".into()),
        }
    );
    assert_eq!(
        faces["analysis.ipynb"],
        CardFace::Lines {
            text: "# Churn analysis\nimport pandas as pd\ndf = pd.read_csv('churn.csv')".into(),
            language: Some("Jupyter notebook (python)".into()),
        }
    );
    assert_eq!(
        faces["clean.py"],
        CardFace::Lines { text: "import csv\n\ndef main():\n    pass".into(), language: Some("Python".into()) }
    );
    assert_eq!(faces["tone.wav"], CardFace::Media { glyph: Glyph::Audio, label: "WAV audio".into(), seconds: Some(2) });
    assert_eq!(faces["clip.mp4"], CardFace::Media { glyph: Glyph::Video, label: "MP4 video".into(), seconds: Some(3) });
    assert_eq!(faces["blob.bin"], CardFace::Icon(Glyph::File));

    // Faces are cached with the pictures, and go with the artifact.
    let pdf = listed(&app, &token, "report.pdf").await["id"].as_str().unwrap().to_string();
    let cached = |ext: &str| app.stored(&format!("cache/cards/{pdf}.{ext}")).is_some();
    assert!(cached("json") && cached("webp"));
    let delete = format!("/api/conversations/{c}/artifacts/{pdf}");
    assert_eq!(app.call(axum::http::Method::DELETE, &delete, Some(&token), None).await.status, StatusCode::NO_CONTENT);
    assert!(!cached("json") && !cached("webp"));
}

/// A PDF whose page draws a form that draws the next form 16 times, 12
/// levels deep: 16¹² rectangles for a renderer that draws what it is told.
fn exhausting_pdf() -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let page_box = || vec![0.into(), 0.into(), 612.into(), 792.into()];
    let form = |inner: Option<lopdf::ObjectId>| {
        let mut dict = dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => page_box() };
        let Some(inner) = inner else { return Stream::new(dict, b"0 0 1 1 re f".to_vec()) };
        dict.set("Resources", dictionary! { "XObject" => dictionary! { "F" => inner } });
        Stream::new(dict, b"/F Do ".repeat(16))
    };
    let mut pdf = Document::with_version("1.7");
    let mut top = pdf.add_object(form(None));
    for _ in 1..12 {
        top = pdf.add_object(form(Some(top)));
    }
    let contents = pdf.add_object(Stream::new(dictionary! {}, b"/F Do".to_vec()));
    let pages = pdf.new_object_id();
    let page = pdf.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "MediaBox" => page_box(), "Contents" => contents,
        "Resources" => dictionary! { "XObject" => dictionary! { "F" => top } },
    });
    pdf.objects.insert(
        pages,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
    );
    let catalog = pdf.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    pdf.trailer.set("Root", catalog);
    let mut out = Vec::new();
    pdf.save_to(&mut out).unwrap();
    out
}

/// A small PPTX whose slide list names one 4 MB slide (spaces, deflated to
/// a few KB) 10,000 times: 40 GB to inflate for a converter that reads each
/// time; it reads it once, an empty slide.
fn repeated_slide_pptx() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let rels = r#"<Relationships><Relationship Id="rId1" Target="slides/slide1.xml"/></Relationships>"#;
    let ids = r#"<p:sldId id="256" r:id="rId1"/>"#.repeat(10_000);
    let presentation =
        format!(r#"<p:presentation xmlns:p="p" xmlns:r="r"><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>"#);
    let slide = format!(r#"<p:sld xmlns:p="p">{}</p:sld>"#, " ".repeat(4 << 20));
    for (name, xml) in [
        ("ppt/_rels/presentation.xml.rels", rels),
        ("ppt/presentation.xml", &presentation),
        ("ppt/slides/slide1.xml", &slide),
    ] {
        zip.start_file(name, deflate).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn hostile_files_cost_only_the_child() {
    let app = TestApp::with(|c| c.convert_timeout = Duration::from_secs(3));
    let token = app.user("alice");
    let c = app.conversation(&token, "hostile").await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    // A picture on the server's disk, which an SVG must not be able to show.
    let red = app.dir.path().join("red.png");
    std::fs::write(&red, png(10, 10)).unwrap();
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">
        <style>@import url(http://127.0.0.1:{port}/style.css);</style>
        <script>fetch("http://127.0.0.1:{port}/script")</script>
        <rect width="100" height="100" fill="navy" onload="fetch('http://127.0.0.1:{port}/onload')"/>
        <image href="http://127.0.0.1:{port}/image.png" width="50" height="50"/>
        <image xlink:href="{red}" width="100" height="100"/>
        <use href="http://127.0.0.1:{port}/defs.svg#shape"/>
        </svg>"#,
        red = red.display()
    );
    let files: &[(&str, &[u8])] = &[
        ("exhausting.pdf", &exhausting_pdf()),
        ("bomb.xlsx", &fixture("bomb.xlsx")),
        ("remote.svg", svg.as_bytes()),
        ("deck.pptx", &repeated_slide_pptx()),
        ("broken.docx", b"PK\x03\x04 not a ZIP after all"),
    ];
    assert_eq!(app.tool_result(&token, &c, files).await.status, StatusCode::CREATED);

    // The children are stopped by their limits (a hang would time the suite out).
    let faces = gallery_faces(&app, &token).await;
    assert_eq!(faces["exhausting.pdf"], CardFace::Icon(Glyph::Pdf));
    assert_eq!(faces["bomb.xlsx"], CardFace::Icon(Glyph::Table));
    let slide = CardFace::Page { title: "Slide 1".into(), heading: String::new(), text: String::new(), image: None };
    assert_eq!(faces["deck.pptx"], slide);
    assert_eq!(faces["broken.docx"], CardFace::Icon(Glyph::File));
    assert_eq!(picture(&app, &token, &faces, "remote.svg").await, (480, 480, None));
    let url = thumbnail(&app, &token, "remote.svg").await;
    let drawn = image::load_from_memory(&app.get(&url, &token).await.body).unwrap().to_rgba8();
    assert!(drawn.pixels().all(|p| p.0 == [0, 0, 128, 255]), "all navy: no file of the server was drawn");
    assert!(listener.accept().is_err(), "the SVG's references were never fetched");

    // The verdict is cached (the next listing runs no child), and the server is fine.
    let pdf = listed(&app, &token, "exhausting.pdf").await["id"].as_str().unwrap().to_string();
    let cached: CardFace = serde_json::from_slice(&app.stored(&format!("cache/cards/{pdf}.json")).unwrap()).unwrap();
    assert_eq!(cached, CardFace::Icon(Glyph::Pdf));
    assert_eq!(gallery_faces(&app, &token).await["exhausting.pdf"], CardFace::Icon(Glyph::Pdf));
    let listed = app.get("/api/artifacts", &token).await;
    assert_eq!((listed.status, listed.json()["total"].as_u64()), (StatusCode::OK, Some(5)));
}
