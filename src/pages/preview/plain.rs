//! The previews' bodies that need no script (all but pictures, SVGs,
//! workbooks and drawn frames), drawn into HTML on the server: the pages'
//! server functions answer them as the section's HTML, which the page puts
//! in through `inner_html` (`preview_section`), so the wasm holds no view of
//! them. Each view is a type the wasm would otherwise compile for building,
//! hydrating and updating; together they were some 8 KiB of gzip wasm on
//! the preview's and a share link's first load.

use super::{breakable_mime, code_view, note, note_view};
use crate::components::artifact_card::GlyphIcon;
use crate::format::human_size;
use crate::model::{ArchiveMember, Artifact, ArtifactVersion, Diff, Glyph, Preview, PreviewBody};
use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;

/// `preview`'s [`Preview::html`] made the whole section's (its note and
/// body), if its body needs no script. `artifact` is as shown (an older
/// version's URLs), `version` the version shown, which a comparison is of.
pub fn draw_section(preview: &mut Preview, artifact: &Artifact, version: Option<&ArtifactVersion>) {
    let html = std::mem::take(&mut preview.html);
    let body = preview.body.clone();
    match plain_body(artifact, version, &preview.raw_url, body, html) {
        Ok(shown) => {
            let note = note(artifact, &preview.body, preview.partial);
            preview.html = to_html(|| view! { {note_view(note, artifact.download_url.clone())}{shown} });
        }
        Err(html) => preview.html = html,
    }
}

/// What `view` makes drawn into HTML, in an owner of its own (which
/// what it makes, actions say, may need).
pub(crate) fn to_html<V: RenderHtml>(view: impl FnOnce() -> V) -> String {
    Owner::new().with(|| view().to_html())
}

/// The body, or `html` back for a kind that script changes (`live_body`).
fn plain_body(
    artifact: &Artifact,
    version: Option<&ArtifactVersion>,
    raw_url: &str,
    body: PreviewBody,
    html: String,
) -> Result<AnyView, String> {
    let url = artifact.url.clone();
    let name = artifact.name.clone();
    let download = artifact.download_url.clone();
    Ok(match body {
        // Scripts run, in an opaque origin on the content origin (where its
        // sibling files load): never allow-same-origin.
        PreviewBody::Html => {
            let src = raw_url.to_string();
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
        PreviewBody::Image | PreviewBody::Svg { .. } | PreviewBody::Workbook { .. } | PreviewBody::Drawn { .. } => {
            return Err(html)
        }
    })
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
