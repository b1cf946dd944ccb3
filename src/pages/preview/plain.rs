//! A preview's body, of every kind, drawn into HTML on the server: the
//! preview page's and a share link's page's (`page`, `pages::shared::plain`).
//! What script does to some kinds (a picture's zoom, a drawn frame's
//! height, a workbook's tabs) it does to this HTML (`image`, `drawn`,
//! `workbook`), so the wasm holds no view of a preview.

use super::{drawn, image, workbook};
use crate::components::artifact_card::{cut_name, with_param, GlyphIcon};
use crate::format::human_size;
use crate::model::{ArchiveMember, Artifact, ArtifactVersion, Diff, Glyph, Preview, PreviewBody};
use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;

/// What `view` makes drawn into HTML, in an owner of its own (which
/// what it makes, actions say, may need).
pub(crate) fn to_html<V: RenderHtml>(view: impl FnOnce() -> V) -> String {
    Owner::new().with(|| view().to_html())
}

/// The preview's section: what it leaves out, if anything, and its body.
/// `artifact` is as shown (an older version's URLs), `version` the version
/// shown, which a comparison is of; `here` the page's URL, whose
/// `view=source` shows an SVG's source (`source`).
pub fn section(
    preview: &Preview,
    artifact: &Artifact,
    version: Option<&ArtifactVersion>,
    here: &str,
    source: bool,
) -> AnyView {
    let note = note(artifact, &preview.body, preview.partial);
    let kind = kind_name(&preview.body);
    let download = artifact.download_url.clone();
    let body = body(artifact, version, preview, here, source);
    view! {
        <section class="preview-body" data-kind=kind>
            {note.map(|note| view! {
                <p class="note" role="note">{note}" "<a href=download download="">"Download the whole file"</a></p>
            })}
            {body}
        </section>
    }
    .into_any()
}

/// Whether the body shows highlighted code (which needs `/highlight.css`).
pub fn highlighted(body: &PreviewBody) -> bool {
    matches!(
        body,
        PreviewBody::Code { .. }
            | PreviewBody::Markdown
            | PreviewBody::Document
            | PreviewBody::Notebook { .. }
            | PreviewBody::Svg { .. }
            | PreviewBody::Tree { .. }
            | PreviewBody::Compare { diff: Diff::Lines { .. }, .. }
    )
}

fn body(
    artifact: &Artifact,
    version: Option<&ArtifactVersion>,
    preview: &Preview,
    here: &str,
    source: bool,
) -> AnyView {
    let url = artifact.url.clone();
    let name = artifact.name.clone();
    let download = artifact.download_url.clone();
    let html = preview.html.clone();
    match preview.body.clone() {
        PreviewBody::Image => image::view(url, name).into_any(),
        PreviewBody::Svg { lines } => {
            let shown = match source {
                true => code_view("XML".into(), lines, html),
                false => view! { <div class="image-frame"><img src=url alt=name /></div> }.into_any(),
            };
            view! { {svg_tabs(here, source)} {shown} }.into_any()
        }
        PreviewBody::Workbook { sheets } => workbook::view(sheets, html).into_any(),
        PreviewBody::Drawn { url } => drawn::view(url, name).into_any(),
        // Scripts run, in an opaque origin on the content origin (where its
        // sibling files load): never allow-same-origin.
        PreviewBody::Html => {
            let src = preview.raw_url.clone();
            view! { <iframe class="html-frame" sandbox="allow-scripts" src=src title=name></iframe> }.into_any()
        }
        PreviewBody::Pdf => view! { <iframe class="pdf-frame" src=url title=name></iframe> }.into_any(),
        PreviewBody::Audio => view! { <audio controls preload="metadata" src=url></audio> }.into_any(),
        PreviewBody::Video => view! { <video controls preload="metadata" src=url class="video"></video> }.into_any(),
        PreviewBody::Code { language, lines, .. } => code_view(language, lines, html),
        PreviewBody::Markdown | PreviewBody::Document => {
            view! { <article class="markdown" inner_html=html></article> }.into_any()
        }
        PreviewBody::Notebook { language, cells } => {
            let cells = format!("{cells} cell{}", if cells == 1 { "" } else { "s" });
            let label = match language {
                Some(language) => format!("Jupyter notebook ({language}) · {cells}"),
                None => format!("Jupyter notebook · {cells}"),
            };
            view! {
                <div class="code-language muted">{label}</div>
                <article class="markdown notebook" inner_html=html></article>
            }
            .into_any()
        }
        PreviewBody::Tree { .. } => {
            view! { <div class="json-view" tabindex="0" role="region" aria-label="JSON tree" inner_html=html></div> }
                .into_any()
        }
        PreviewBody::Table { rows, truncated } => view! {
            <div class="table-scroll" tabindex="0" role="region" aria-label="Table" inner_html=html></div>
            {truncated.then(|| view! { <p class="note">{format!("Showing the first {rows} rows.")}</p> })}
        }
        .into_any(),
        PreviewBody::Text => view! { <pre class="text" id="copy-source" tabindex="0" inner_html=html></pre> }.into_any(),
        PreviewBody::Archive { members, more } => archive_view(members, more, download),
        PreviewBody::Empty => view! {
            <div class="empty state">
                <h2>"This file is empty"</h2>
                <p>"It has no content (0 bytes): the tool that made it wrote nothing into it."</p>
                <p class="muted">"Ask the agent to make it again, or delete it."</p>
            </div>
        }
        .into_any(),
        PreviewBody::Unreadable { reason } => view! {
            <div class="empty state">
                <h2>"This file cannot be shown"</h2>
                <p>{format!("It does not open as {}: {reason}.", artifact.mime_type)}</p>
                <p class="muted">"It may be damaged or incomplete. Download it to inspect it, or ask the agent to make it again."</p>
                <a class="button secondary" href=download download="">"Download"</a>
            </div>
        }
        .into_any(),
        PreviewBody::Binary => view! {
            <div class="binary empty">
                <GlyphIcon glyph=Glyph::File />
                <h2 dir="auto">{name}</h2>
                <p class="muted">{breakable_mime(&artifact.mime_type)} " · " {human_size(artifact.size)}</p>
                <p>"This file cannot be shown here."</p>
                <a class="button secondary" href=download download="">"Download"</a>
            </div>
        }
        .into_any(),
        PreviewBody::Compare { other, diff } => match version {
            Some(version) => compare_view(artifact, version.clone(), other, diff, html),
            None => view! { <p class="error">"This version is gone."</p> }.into_any(),
        },
    }
}

/// A ZIP's files, each opening at its link where the server serves it.
fn archive_view(members: Vec<ArchiveMember>, more: u32, download: String) -> AnyView {
    let count = members.len() as u32 + more;
    let openable = members.iter().any(|m| m.url.is_some());
    let summary = match (count, more) {
        (1, _) => "1 file in this archive.".to_string(),
        (_, 0) => format!("{count} files in this archive."),
        _ => format!("{count} files in this archive; the first {} are listed.", members.len()),
    };
    let hint = if openable { "Open a file to see it." } else { "Download the archive to open its files." };
    view! {
        <div class="archive">
            <p>{summary}" "{hint}</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Files in this archive">
                <table class="data">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Size"</th></tr></thead>
                    <tbody>
                        {members
                            .into_iter()
                            .map(|m| {
                                let name = match m.url {
                                    Some(url) => view! { <a href=url target="_blank" rel="noopener" dir="auto">{m.name}</a> }.into_any(),
                                    None => view! { <span dir="auto">{m.name}</span> }.into_any(),
                                };
                                view! { <tr><td>{name}</td><td>{human_size(m.size)}</td></tr> }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            {(!openable).then(|| view! { <a class="button secondary" href=download download="">"Download"</a> })}
        </div>
    }
    .into_any()
}

/// The shown version (`this`) compared with `other`: the line diff (HTML
/// made by the server, in through `inner_html` only), both pictures, or
/// both sizes and SHA-256.
fn compare_view(
    artifact: &Artifact,
    this: ArtifactVersion,
    other: ArtifactVersion,
    diff: Diff,
    html: String,
) -> AnyView {
    let title = format!("Changes from v{} to v{}", other.version, this.version);
    let shown = match diff {
        Diff::Identical => view! {
            <p class="identical" role="status">
                {format!("Versions {} and {} are identical ({}, SHA-256 {}).", other.version, this.version, human_size(this.size), this.sha256)}
            </p>
        }
        .into_any(),
        Diff::Lines { added, removed, .. } => {
            let summary = match (added, removed) {
                (0, 0) => "No differences in the compared lines.".to_string(),
                (a, r) => format!("{a} line{} added, {r} removed.", if a == 1 { "" } else { "s" }),
            };
            view! {
                <p class="diff-summary">{summary}</p>
                <div class="diff-scroll" tabindex="0" role="region" aria-label="Changes" inner_html=html></div>
            }
            .into_any()
        }
        Diff::Images => {
            let figure = |v: ArtifactVersion| {
                let alt = format!("{}, version {}", artifact.name, v.version);
                view! {
                    <figure>
                        <div class="image-frame"><img src=v.url alt=alt /></div>
                        <figcaption>{format!("v{} · {}", v.version, human_size(v.size))}</figcaption>
                    </figure>
                }
            };
            view! { <div class="compare-images">{figure(other)}{figure(this)}</div> }.into_any()
        }
        Diff::Binary => {
            let row = |v: ArtifactVersion| {
                view! { <tr><th scope="row">{format!("v{}", v.version)}</th><td>{human_size(v.size)}</td><td><code>{v.sha256}</code></td></tr> }
            };
            view! {
                <p>"These files cannot be compared line by line."</p>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Sizes and checksums">
                    <table class="data">
                        <thead><tr><th scope="col">"Version"</th><th scope="col">"Size"</th><th scope="col">"SHA-256"</th></tr></thead>
                        <tbody>{row(other)}{row(this)}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };
    view! { <h2 class="compare-title">{title}</h2> {shown} }.into_any()
}

/// Highlighted code with a gutter of line numbers.
pub(super) fn code_view(language: String, lines: u32, html: String) -> AnyView {
    let gutter: String = (1..=lines.max(1)).map(|n| format!("{n}\n")).collect();
    let label = language.clone();
    view! {
        <div class="code" data-language=language>
            <div class="code-language muted">{label}</div>
            <div class="code-scroll" tabindex="0" role="region" aria-label="Code">
                <pre class="gutter" aria-hidden="true">{gutter}</pre>
                <pre class="src"><code id="copy-source" inner_html=html></code></pre>
            </div>
        </div>
    }
    .into_any()
}

/// An SVG's Picture and Source tabs: `here` without and with
/// `view=source`, each a page of its own.
fn svg_tabs(here: &str, source: bool) -> impl IntoView {
    let current = |on: bool| if on { Some("page") } else { None };
    view! {
        <nav class="tabs" aria-label="View">
            <a class="tab" href=here.to_string() aria-current=current(!source)>"Picture"</a>
            <a class="tab" href=with_param(here, "view", "source") aria-current=current(source)>"Source"</a>
        </nav>
    }
}

/// What the preview leaves out, if anything.
fn note(artifact: &Artifact, body: &PreviewBody, partial: bool) -> Option<String> {
    let cut = partial.then(|| format!("This preview shows the first part of this {} file.", human_size(artifact.size)));
    let detail = match body {
        PreviewBody::Compare { diff: Diff::Lines { cut: true, .. }, .. } => {
            Some("The comparison covers only the first part of each version (at most 5,000 lines or 256 KB).".into())
        }
        PreviewBody::Code { highlighted: 0, .. } => {
            Some("Its lines are too long to colour: shown as plain text.".into())
        }
        PreviewBody::Code { lines, highlighted, .. } if highlighted < lines => {
            Some(format!("Colours stop after line {highlighted}; the rest is plain text."))
        }
        PreviewBody::Tree { truncated: true, records: Some(records), .. } => {
            Some(format!("The first {records} records are shown."))
        }
        PreviewBody::Tree { truncated: true, values, .. } => Some(format!("The tree shows its first {values} values.")),
        _ => None,
    };
    match (cut, detail) {
        (Some(cut), Some(detail)) => Some(format!("{cut} {detail}")),
        (cut, detail) => cut.or(detail),
    }
}

fn kind_name(body: &PreviewBody) -> &'static str {
    match body {
        PreviewBody::Image => "image",
        PreviewBody::Svg { .. } => "svg",
        PreviewBody::Drawn { .. } => "drawn",
        PreviewBody::Tree { .. } => "tree",
        PreviewBody::Html => "html",
        PreviewBody::Pdf => "pdf",
        PreviewBody::Audio => "audio",
        PreviewBody::Video => "video",
        PreviewBody::Code { .. } => "code",
        PreviewBody::Markdown => "markdown",
        PreviewBody::Table { .. } => "table",
        PreviewBody::Text => "text",
        PreviewBody::Notebook { .. } => "notebook",
        PreviewBody::Document => "document",
        PreviewBody::Workbook { .. } => "workbook",
        PreviewBody::Archive { .. } => "archive",
        PreviewBody::Empty => "empty",
        PreviewBody::Unreadable { .. } => "unreadable",
        PreviewBody::Binary => "binary",
        PreviewBody::Compare { .. } => "compare",
    }
}

/// The preview's heading: the artifact's name, cut in the middle past
/// about three lines of the metadata's column.
pub fn name_heading(name: String) -> impl IntoView {
    let shown = cut_name(name.clone(), 60);
    view! { <h1 class="meta-name" dir="auto" title=name>{shown}</h1> }
}

/// A MIME type that may wrap after its `/`, `.`, `-` and `+`, not mid-word:
/// `application/vnd.openxmlformats-officedocument.presentationml.presentation`
/// is wider than a phone.
pub fn breakable_mime(mime: &str) -> impl IntoView {
    mime.split_inclusive(['/', '.', '-', '+']).map(|part| view! { {part.to_string()}<wbr /> }).collect_view()
}
