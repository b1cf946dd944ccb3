use super::gallery::{gallery_href, gallery_query};
use super::Postcard;
use crate::api::{get_preview, DeleteArtifact};
use crate::components::artifact_card::{preview_href, source_href};
use crate::components::{layout::Layout, loaded::Loaded, share_form::ShareForm, timestamp::Timestamp};
use crate::error::{AppError, Missing};
use crate::format::{human_size, short_time};
use crate::model::{ArchiveMember, Artifact, ArtifactQuery, Preview, PreviewBody};
use codee::{Decoder, Encoder};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use uuid::Uuid;

/// The codec of a resource holding a preview (the preview page's, a share
/// link's page's): postcard, as every page's (`Postcard`), but without the
/// body's HTML ([`Preview::html`]), which the server's page already holds:
/// hydration leaves an `inner_html` element's content as the server sent
/// it, so the body crosses the network once. Navigations in the browser
/// fetch the preview through the server function, HTML included. The view
/// must therefore never be rebuilt from the hydrated value: it depends on
/// the resource alone (the delete confirmation is a signal).
pub struct PreviewCodec;

/// Data that holds a preview's HTML, and can leave it out.
pub trait WithoutHtml {
    fn without_html(&self) -> Self;
}

impl WithoutHtml for Preview {
    fn without_html(&self) -> Self {
        Preview::without_html(self)
    }
}

impl WithoutHtml for crate::share::Shared {
    fn without_html(&self) -> Self {
        crate::share::Shared::without_html(self)
    }
}

impl<T: WithoutHtml + serde::Serialize> Encoder<Result<T, AppError>> for PreviewCodec {
    type Error = <Postcard as Encoder<Result<T, AppError>>>::Error;
    type Encoded = Vec<u8>;

    fn encode(value: &Result<T, AppError>) -> Result<Vec<u8>, Self::Error> {
        Postcard::encode(&value.as_ref().map(T::without_html).map_err(Clone::clone))
    }
}

impl<T: serde::de::DeserializeOwned> Decoder<Result<T, AppError>> for PreviewCodec {
    type Error = <Postcard as Decoder<Result<T, AppError>>>::Error;
    type Encoded = [u8];

    fn decode(bytes: &[u8]) -> Result<Result<T, AppError>, Self::Error> {
        Postcard::decode(bytes)
    }
}

/// `/artifacts/{conversation_id}/{artifact_id}`: one artifact shown inline,
/// with its metadata; its own URL, so reload and links land here.
#[component]
pub fn PreviewPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    // A malformed gallery query only loses previous/next, not the preview.
    let gallery = move || gallery_query(&query.read()).unwrap_or_default();
    let confirm_delete = Memo::new(move |_| query.read().get("confirm").as_deref() == Some("delete"));
    let ids = move || {
        let p = params.read();
        let parse = |k| {
            let raw = p.get(k).unwrap_or_default();
            Uuid::parse_str(&raw).map_err(|_| raw)
        };
        parse("conversation_id").and_then(|c| Ok((c, parse("artifact_id")?)))
    };
    let preview = Resource::<_, PreviewCodec>::new_with_options(
        move || (ids(), gallery()),
        |(ids, gallery)| async move {
            match ids {
                Ok((c, a)) => get_preview(c, a, gallery).await,
                Err(raw) => Err(Missing::Id(raw).into()),
            }
        },
        false,
    );
    view! {
        <Layout>
            <Loaded
                resource=preview
                loading="Loading preview…"
                ready=move |p| view! { <PreviewView preview=p gallery=untrack(gallery) confirm_delete /> }
            />
        </Layout>
    }
}

#[component]
fn PreviewView(preview: Preview, gallery: ArtifactQuery, confirm_delete: Memo<bool>) -> impl IntoView {
    let Preview { artifact, raw_url, body, html, partial, previous, next, now } = preview;
    let back = gallery_href(&gallery);
    let previous_href = previous.map(|r| preview_href(r.conversation_id, r.id, &gallery));
    let next_href = next.map(|r| preview_href(r.conversation_id, r.id, &gallery));
    keyboard(back.clone(), previous_href.clone(), next_href.clone());
    let here = preview_href(artifact.conversation_id, artifact.id, &gallery);
    let copyable = matches!(body, PreviewBody::Code { .. } | PreviewBody::Text);
    let section = preview_section(&artifact, &raw_url, body, html, partial);
    let confirm = {
        let (artifact, here, back) = (artifact.clone(), here.clone(), back.clone());
        move || {
            confirm_delete.get().then(|| {
                view! { <ConfirmDelete artifact=artifact.clone() cancel=here.clone() back=back.clone() /> }
            })
        }
    };
    view! {
        <Title text=artifact.name.clone() />
        <nav class="crumbs">
            <a href=back.clone() class="close" aria-label="Close preview (Escape)">"← Back to artifacts"</a>
            <span class="spacer"></span>
            {previous_href.map(|h| view! { <a rel="prev" href=h aria-label="Previous artifact (left arrow)">"← Previous"</a> })}
            {next_href.map(|h| view! { <a rel="next" href=h aria-label="Next artifact (right arrow)">"Next →"</a> })}
        </nav>
        {confirm}
        <div class="preview-layout">
            {section}
            <Metadata artifact raw_url copyable now delete=with_confirm(&here) />
        </div>
    }
}

/// The preview's body with what it leaves out, if anything; the preview
/// page's and a share link's page's.
pub(crate) fn preview_section(
    artifact: &Artifact,
    raw_url: &str,
    body: PreviewBody,
    html: String,
    partial: bool,
) -> impl IntoView {
    let kind = kind_name(&body);
    let note = note(artifact, &body, partial);
    let download = artifact.download_url.clone();
    let shown = body_view(artifact, raw_url, body, html);
    view! {
        <section class="preview-body" data-kind=kind>
            {note.map(|note| view! {
                <p class="note" role="note">{note}" "<a href=download download="">"Download the whole file"</a></p>
            })}
            {shown}
        </section>
    }
}

/// What the preview leaves out, if anything.
fn note(artifact: &Artifact, body: &PreviewBody, partial: bool) -> Option<String> {
    let cut = partial.then(|| format!("This preview shows the first part of this {} file.", human_size(artifact.size)));
    let plain = match body {
        PreviewBody::Code { highlighted: 0, .. } => {
            Some("Its lines are too long to colour: shown as plain text.".into())
        }
        PreviewBody::Code { lines, highlighted, .. } if highlighted < lines => {
            Some(format!("Colours stop after line {highlighted}; the rest is plain text."))
        }
        _ => None,
    };
    match (cut, plain) {
        (Some(cut), Some(plain)) => Some(format!("{cut} {plain}")),
        (cut, plain) => cut.or(plain),
    }
}

fn kind_name(body: &PreviewBody) -> &'static str {
    match body {
        PreviewBody::Image => "image",
        PreviewBody::Html => "html",
        PreviewBody::Pdf => "pdf",
        PreviewBody::Audio => "audio",
        PreviewBody::Video => "video",
        PreviewBody::Code { .. } => "code",
        PreviewBody::Markdown => "markdown",
        PreviewBody::Table { .. } => "table",
        PreviewBody::Text => "text",
        PreviewBody::Archive { .. } => "archive",
        PreviewBody::Empty => "empty",
        PreviewBody::Unreadable { .. } => "unreadable",
        PreviewBody::Binary => "binary",
    }
}

/// The body. `html` goes in through `inner_html` only (see `PreviewCodec`).
fn body_view(artifact: &Artifact, raw_url: &str, body: PreviewBody, html: String) -> AnyView {
    let url = artifact.url.clone();
    let name = artifact.name.clone();
    let download = artifact.download_url.clone();
    match body {
        PreviewBody::Image => view! { <div class="image-frame"><img src=url alt=name /></div> }.into_any(),
        // Scripts run, in an opaque origin on the content origin (where its
        // sibling files load): never allow-same-origin.
        PreviewBody::Html => {
            let src = raw_url.to_string();
            view! { <iframe class="html-frame" sandbox="allow-scripts" src=src title=name></iframe> }.into_any()
        }
        PreviewBody::Pdf => view! { <iframe class="pdf-frame" src=url title=name></iframe> }.into_any(),
        PreviewBody::Audio => view! { <audio controls preload="metadata" src=url></audio> }.into_any(),
        PreviewBody::Video => view! { <video controls preload="metadata" src=url class="video"></video> }.into_any(),
        PreviewBody::Code { language, lines, .. } => {
            let gutter: String = (1..=lines.max(1)).map(|n| format!("{n}\n")).collect();
            let label = language.clone();
            view! {
                <div class="code" data-language=language>
                    <div class="code-language muted">{label}</div>
                    <div class="code-scroll" tabindex="0">
                        <pre class="gutter" aria-hidden="true">{gutter}</pre>
                        <pre class="src"><code id="copy-source" inner_html=html></code></pre>
                    </div>
                </div>
            }
            .into_any()
        }
        PreviewBody::Markdown => view! { <article class="markdown" inner_html=html></article> }.into_any(),
        PreviewBody::Table { rows, truncated } => view! {
            <div class="table-scroll" tabindex="0" inner_html=html></div>
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
                <a class="button" href=download download="">"Download"</a>
            </div>
        }
        .into_any(),
        PreviewBody::Binary => view! {
            <div class="binary empty">
                <p class="icon" aria-hidden="true">"📦"</p>
                <h2>{name}</h2>
                <p class="muted">{format!("{} · {}", artifact.mime_type, human_size(artifact.size))}</p>
                <p>"This file cannot be shown here."</p>
                <a class="button" href=download download="">"Download"</a>
            </div>
        }
        .into_any(),
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
            <div class="table-scroll" tabindex="0">
                <table class="data">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Size"</th></tr></thead>
                    <tbody>
                        {members
                            .into_iter()
                            .map(|m| {
                                let name = match m.url {
                                    Some(url) => view! { <a href=url target="_blank" rel="noopener">{m.name}</a> }.into_any(),
                                    None => m.name.into_any(),
                                };
                                view! { <tr><td>{name}</td><td>{human_size(m.size)}</td></tr> }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            {(!openable).then(|| view! { <a class="button" href=download download="">"Download"</a> })}
        </div>
    }
    .into_any()
}

#[component]
fn Metadata(artifact: Artifact, raw_url: String, copyable: bool, now: String, delete: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <aside class="meta card">
            <h1 class="meta-name">{artifact.name.clone()}</h1>
            <dl>
                <dt>"Size"</dt><dd>{human_size(artifact.size)}</dd>
                <dt>"Created"</dt>
                <dd>
                    {short_time(&artifact.created_at)} " (" <Timestamp at=artifact.created_at.clone() now /> ")"
                </dd>
                <dt>"Type"</dt><dd>{format!("{} ({})", artifact.kind.label(), artifact.mime_type)}</dd>
                <dt>"From"</dt><dd><a class="source" href=source_href(&artifact)>{artifact.conversation_title.clone()}</a></dd>
            </dl>
            <div class="actions">
                <a class="button" href=artifact.download_url.clone() download="">"Download"</a>
                <a class="button secondary" href=raw_url target="_blank" rel="noopener">"Open raw"</a>
                <Show when=move || copyable>
                    <button type="button" class="button secondary" on:click=move |_| copy_source(copied)>
                        {move || if copied.get() { "Copied" } else { "Copy" }}
                    </button>
                </Show>
                <a class="button danger" href=delete>"Delete…"</a>
            </div>
            <ShareForm artifact_id=artifact.id />
        </aside>
    }
}

fn with_confirm(href: &str) -> String {
    let sep = if href.contains('?') { '&' } else { '?' };
    format!("{href}{sep}confirm=delete")
}

/// The confirmation that a Delete link opens: its own URL
/// (`?confirm=delete`), a form that works without wasm, and Cancel back to
/// the preview. After deleting, the gallery page it came from.
#[component]
fn ConfirmDelete(artifact: Artifact, cancel: String, back: String) -> impl IntoView {
    let delete = ServerAction::<DeleteArtifact>::new();
    view! {
        <section class="confirm card" role="alertdialog" aria-labelledby="confirm-title">
            <h2 id="confirm-title">{format!("Delete {}?", artifact.name)}</h2>
            <p>"The file is removed from this gallery, its conversation and the thread API. This cannot be undone."</p>
            <ActionForm action=delete>
                <input type="hidden" name="conversation_id" value=artifact.conversation_id.to_string() />
                <input type="hidden" name="artifact_id" value=artifact.id.to_string() />
                <input type="hidden" name="back" value=back />
                <button type="submit" class="button danger" autofocus>"Delete"</button>
                <a class="button secondary" href=cancel>"Cancel"</a>
            </ActionForm>
            {move || delete.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </section>
    }
}

/// Copies the shown text (the `#copy-source` element's) to the clipboard.
fn copy_source(copied: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    if let Some(text) = document().get_element_by_id("copy-source").and_then(|e| e.text_content()) {
        let _ = window().navigator().clipboard().write_text(&text);
        copied.set(true);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = copied;
}

/// Escape goes back to the gallery; left and right to the previous and next
/// artifact in the gallery's order.
fn keyboard(back: String, previous: Option<String>, next: Option<String>) {
    let navigate = use_navigate();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        let target = match ev.key().as_str() {
            "Escape" => Some(&back),
            "ArrowLeft" => previous.as_ref(),
            "ArrowRight" => next.as_ref(),
            _ => None,
        };
        if let Some(href) = target {
            navigate(href, Default::default());
        }
    });
    on_cleanup(move || handle.remove());
}
