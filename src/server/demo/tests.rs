use super::*;
use crate::model::{extension, ArtifactQuery, GalleryType};
use crate::server::store::blobs::Blobs;
use crate::server::{config::Config, convert, meta::Meta};
use std::collections::HashSet;
use std::io::{Cursor, Read};
use std::path::Path;

fn files() -> impl Iterator<Item = &'static (&'static str, &'static [u8])> {
    CONVERSATIONS.iter().flat_map(|c| c.results).flat_map(|r| r.files)
}

fn file(name: &str) -> &'static [u8] {
    files().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no demo file {name}")).1
}

fn text(name: &str) -> &'static str {
    std::str::from_utf8(file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn files_on_disk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("readable")
        .map(|entry| entry.expect("entry").path())
        .map(|path| if path.is_dir() { files_on_disk(&path) } else { 1 })
        .sum()
}

#[tokio::test]
async fn seeding_stores_every_file_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(dir.path());
    let meta = Meta::open_in(dir.path()).unwrap();
    let events = std::sync::Arc::new(crate::server::events::Events::new(config.events));
    let store = ArtifactStore::open(
        Blobs::local(dir.path()).unwrap(),
        meta,
        config.max_artifact_bytes,
        config.file_cache_bytes,
        config.listing_cache_bytes,
        events,
    )
    .unwrap();
    seed(&store).await.unwrap();

    let user = store.meta().user_by_name(USER.into()).await.unwrap().expect("the demo user").id;
    let listed = store.list(user, None, &ArtifactQuery::default()).await.unwrap();
    // end2end/tests/foundation.spec.ts counts these too.
    assert_eq!((listed.total, files().count()), (27, 27));
    let mut stored = store.conversations(user).await.unwrap();
    stored.reverse();
    assert_eq!(
        stored.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(),
        CONVERSATIONS.iter().map(|c| c.title).collect::<Vec<_>>()
    );
    for (conversation, demo) in stored.iter().zip(CONVERSATIONS) {
        let messages = store.messages(user, conversation.id).await.unwrap();
        assert_eq!(messages.len(), demo.results.len());
        for (message, result) in messages.iter().zip(demo.results) {
            assert_eq!((message.tool.as_str(), message.content.as_str()), (result.tool, result.output));
            assert_eq!(message.artifacts.len(), result.files.len());
            for (artifact, (name, bytes)) in message.artifacts.iter().zip(result.files) {
                assert_eq!(&artifact.name, name);
                let meta = store.artifact(user, conversation.id, artifact.id).await.unwrap();
                assert!(std::fs::read(store.local_path(&meta).await.unwrap()).unwrap() == *bytes, "{name}");
            }
        }
    }
    // No file under files/ is left out of the table.
    let on_disk = files_on_disk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server/demo/files"));
    assert_eq!(on_disk, files().count());
}

#[test]
fn every_gallery_type_and_kind_of_file_is_there_once() {
    for conversation in CONVERSATIONS {
        let mut seen = HashSet::new();
        for (name, _) in conversation.results.iter().flat_map(|r| r.files) {
            assert!(seen.insert(name), "{name} twice in {}", conversation.title);
        }
    }
    let types: HashSet<GalleryType> = files().map(|(name, _)| GalleryType::from_name(name)).collect();
    assert_eq!(types.len(), GalleryType::ALL.len());
    let extensions: HashSet<String> = files().filter_map(|(name, _)| extension(name)).collect();
    for ext in [
        "png", "jpg", "gif", "webp", "svg", "html", "py", "js", "ts", "json", "yaml", "xml", "css", "sql", "md", "sh",
        "csv", "tsv", "pdf", "txt", "log", "bin", "zip", "skill", "wav",
    ] {
        assert!(extensions.contains(ext), "no .{ext}");
    }
    // A script without an extension, recognised by its shebang.
    assert!(text("tools/run").starts_with("#!/usr/bin/env python3\n"));
}

#[test]
fn raster_images_decode_and_one_needs_scrolling() {
    let mut widest = 0;
    for (name, bytes) in files() {
        if matches!(extension(name).as_deref(), Some("png" | "jpg" | "gif" | "webp")) {
            let img = image::load_from_memory(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            widest = widest.max(img.width());
        }
    }
    assert!(widest > 1600, "widest image is {widest} px");
    let chart = image::load_from_memory(file("plots/quarterly_revenue.png")).expect("chart decodes");
    assert_eq!((chart.width(), chart.height()), (800, 500));
}

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("opens as a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut body = Vec::new();
            entry.read_to_end(&mut body).expect("entry reads");
            assert!(!body.is_empty());
            entry.name().expect("UTF-8 name").into_owned()
        })
        .collect()
}

#[test]
fn archives_open() {
    assert_eq!(zip_names(file("my-skill.skill")), ["SKILL.md", "scripts/install.sh"]);
    assert_eq!(zip_names(file("dist/churn-model-v3.zip")), ["model_card.md", "metrics.json", "model.bin"]);
}

#[test]
fn documents_and_data_read_as_what_they_are() {
    let pdf = convert::to_markdown("summary.pdf", file("summary.pdf")).expect("the PDF converts");
    assert!(pdf.contains("Total revenue: $348,431"), "{pdf}");
    serde_json::from_slice::<serde_json::Value>(file("package.json")).expect("valid JSON");
    let csv = text("data/sales_2024.csv");
    assert_eq!(csv.lines().count(), 301);
    assert!(csv.lines().all(|l| l.split(',').count() == 7));
    assert!(text("data/region_targets.tsv").lines().all(|l| l.split('\t').count() == 8));
    assert!(file("alert.wav").starts_with(b"RIFF") && file("alert.wav")[8..16] == *b"WAVEfmt ");
}

#[test]
fn html_and_markdown_have_what_the_browser_tests_use() {
    let probe = text("probe.html");
    assert!(probe.contains("id=\"probe-result\"") && probe.contains("fetch('/api/artifacts'"));
    assert!(probe.contains("document.cookie"));
    let report = text("report.html");
    assert!(report.contains("<style>") && report.contains("<table") && report.contains("id=\"best-note\""));
    let md = text("README.md");
    for needle in
        ["\n## ", "| Step", "- [x] ", "- [ ] ", "[^backfill]:", "~~", "```bash\n", "\n<script>alert(1)</script>\n"]
    {
        assert!(md.contains(needle), "README.md lacks {needle:?}");
    }
}
