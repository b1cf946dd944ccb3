mod drawn;
mod image;
mod keys;
#[cfg(feature = "ssr")]
pub mod plain;
mod versions;
mod workbook;

use super::gallery::{gallery_href, gallery_query};
use super::Postcard;
use crate::api::{get_preview, DeleteArtifact};
use crate::components::artifact_card::{cut_name, gallery_card_id, preview_href, source_href, with_param};
use crate::components::{
    layout::Layout,
    live::LiveVersion,
    loaded::Loaded,
    post_form::PostForm,
    share_form::{ShareForm, Sharing},
    timestamp::Timestamp,
};
use crate::error::{AppError, Missing};
use crate::format::{human_size, short_time};
use crate::model::{parse_version, Artifact, ArtifactQuery, ArtifactVersion, Diff, Preview, PreviewBody};
use codee::{Decoder, Encoder};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::hooks::{use_location, use_navigate, use_params_map, use_query_map};
use uuid::Uuid;

/// The codec of a resource holding HTML drawn by the server (the preview
/// page's, a share link's page's, a conversation's transcript, the
/// settings' lists): postcard, as every page's (`Postcard`), but without
/// that HTML ([`Preview::html`]), which the server's page already holds:
/// hydration leaves an `inner_html` element's content as the server sent
/// it, so the body crosses the network once. Navigations in the browser
/// fetch the data through the server function, HTML included. The view
/// must therefore never be rebuilt from the hydrated value: it depends on
/// the resource alone (the confirmations are a signal).
pub struct PreviewCodec;

/// Data that holds HTML drawn by the server, and can leave it out.
pub trait WithoutHtml {
    fn without_html(&self) -> Self;
}

impl WithoutHtml for Preview {
    fn without_html(&self) -> Self {
        Preview::without_html(self)
    }
}

impl WithoutHtml for crate::model::ConversationView {
    fn without_html(&self) -> Self {
        crate::model::ConversationView::without_html(self)
    }
}

impl WithoutHtml for crate::account::Settings {
    fn without_html(&self) -> Self {
        crate::account::Settings::without_html(self)
    }
}

impl WithoutHtml for crate::share::SharedHtml {
    fn without_html(&self) -> Self {
        crate::share::SharedHtml::without_html(self)
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

/// What a confirmation link (`?confirm=...`) asks.
#[derive(Clone, Copy, PartialEq)]
enum Confirm {
    DeleteArtifact,
    DeleteVersion,
}

/// `/artifacts/{conversation_id}/{artifact_id}`: one artifact shown inline,
/// with its metadata; its own URL, so reload and links land here.
/// `?version=n` shows version n, `&compare=m` its changes from version m.
#[component]
pub fn PreviewPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    // A malformed gallery query only loses previous/next, not the preview.
    let gallery = move || gallery_query(&query.read()).unwrap_or_default();
    let confirm = Memo::new(move |_| match query.read().get("confirm").as_deref() {
        Some("delete") => Some(Confirm::DeleteArtifact),
        Some("delete-version") => Some(Confirm::DeleteVersion),
        _ => None,
    });
    let ids = move || {
        let p = params.read();
        let parse = |k| {
            let raw = p.get(k).unwrap_or_default();
            Uuid::parse_str(&raw).map_err(|_| raw)
        };
        parse("conversation_id").and_then(|c| Ok((c, parse("artifact_id")?)))
    };
    // A version that is not one (0, -1, text, past u32) is a 400 page.
    let pick = move || {
        let q = query.read();
        let number = |key| q.get(key).map(|raw| parse_version(&raw)).transpose();
        Ok::<_, AppError>((number("version")?, number("compare")?))
    };
    let preview = Resource::<_, PreviewCodec>::new_with_options(
        move || (ids(), gallery(), pick()),
        |(ids, gallery, pick)| async move {
            let (version, compare) = pick?;
            match ids {
                Ok((c, a)) => get_preview(c, a, gallery, version, compare).await,
                Err(raw) => Err(Missing::Id(raw).into()),
            }
        },
        false,
    );
    renew(move || preview.refetch());
    view! {
        <Layout>
            <LiveVersion reload=move || preview.refetch() />
            <Loaded
                resource=preview
                loading="Loading preview…"
                ready=move |p| view! { <PreviewView preview=p gallery=untrack(gallery) confirm /> }
            />
        </Layout>
    }
}

#[component]
fn PreviewView(preview: Preview, gallery: ArtifactQuery, confirm: Memo<Option<Confirm>>) -> impl IntoView {
    let Preview { artifact, versions, raw_url, body, html, partial, previous, next, now } = preview;
    // Back lands on this artifact's card (without script too: the browser
    // scrolls to the fragment); after a delete, on the gallery's page.
    let back = format!("{}#{}", gallery_href(&gallery), gallery_card_id(artifact.id));
    let previous_href = previous.map(|r| preview_href(r.conversation_id, r.id, &gallery));
    let next_href = next.map(|r| preview_href(r.conversation_id, r.id, &gallery));
    let latest = preview_href(artifact.conversation_id, artifact.id, &gallery);
    let (artifact, version, older) = shown_version(artifact, &versions);
    let here = match (&version, older) {
        (Some(v), true) => with_param(&latest, "version", &v.version.to_string()),
        _ => latest.clone(),
    };
    // Escape cancels an open confirmation (back to this preview), else leaves.
    let escape = Signal::derive({
        let (back, here) = (back.clone(), here.clone());
        move || if confirm.get().is_some() { here.clone() } else { back.clone() }
    });
    keyboard(escape, previous_href.clone(), next_href.clone());
    let copyable = matches!(body, PreviewBody::Code { .. } | PreviewBody::Text);
    let section = preview_section(&artifact, body, html, partial);
    let confirm = {
        let (artifact, here, back, latest, count) =
            (artifact.clone(), here.clone(), gallery_href(&gallery), latest.clone(), versions.len());
        move || {
            let (artifact, cancel) = (artifact.clone(), here.clone());
            match confirm.get()? {
                Confirm::DeleteArtifact => {
                    let back = back.clone();
                    Some(view! { <ConfirmDelete artifact versions=count cancel back /> }.into_any())
                }
                Confirm::DeleteVersion => {
                    let back = latest.clone();
                    (count > 1).then(|| view! { <versions::ConfirmDeleteVersion artifact cancel back /> }.into_any())
                }
            }
        }
    };
    view! {
        <Title text=artifact.name.clone() />
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href=back.clone() class="close" aria-keyshortcuts="Escape">"← Back to artifacts"</a>
            <span class="spacer"></span>
            {previous_href.map(|h| view! { <a rel="prev" href=h aria-label="Previous artifact (left arrow)">"← Previous"</a> })}
            {next_href.map(|h| view! { <a rel="next" href=h aria-label="Next artifact (right arrow)">"Next →"</a> })}
        </nav>
        {confirm}
        <div class="preview-layout">
            <Head artifact=artifact.clone() raw_url copyable delete=with_param(&here, "confirm", "delete") />
            {section}
            <aside class="meta card">
                <Details artifact=artifact.clone() version now=now.clone() />
                <versions::Versions artifact versions here latest now />
            </aside>
        </div>
    }
}

/// The version shown, and whether it is an older one: an older version is
/// shown, downloaded and linked at its own URLs.
pub(crate) fn shown_version(
    artifact: Artifact,
    versions: &[ArtifactVersion],
) -> (Artifact, Option<ArtifactVersion>, bool) {
    let version = versions.iter().find(|v| v.version == artifact.version).cloned();
    let older = versions.first().is_some_and(|v| v.version != artifact.version);
    match (&version, older) {
        (Some(v), true) => {
            let (url, download_url) = (v.url.clone(), v.download_url.clone());
            (Artifact { url, download_url, ..artifact }, version, older)
        }
        _ => (artifact, version, older),
    }
}

/// The preview's body with what it leaves out, if anything; the preview
/// page's and a share link's page's. A body that needs no script comes
/// drawn whole by the server (`plain::draw_section`), in through
/// `inner_html`: the wasm holds no view of those kinds.
pub(crate) fn preview_section(artifact: &Artifact, body: PreviewBody, html: String, partial: bool) -> impl IntoView {
    let kind = kind_name(&body);
    // Only these bodies have highlighted code: other pages skip the request.
    let highlighted = matches!(
        body,
        PreviewBody::Code { .. }
            | PreviewBody::Markdown
            | PreviewBody::Document
            | PreviewBody::Notebook { .. }
            | PreviewBody::Svg { .. }
            | PreviewBody::Tree { .. }
            | PreviewBody::Compare { diff: Diff::Lines { .. }, .. }
    );
    let note = note(artifact, &body, partial);
    let download = artifact.download_url.clone();
    let section = match live_body(artifact, body, html) {
        Ok(shown) => view! {
            <section class="preview-body" data-kind=kind>{note_view(note, download)}{shown}</section>
        }
        .into_any(),
        Err(html) => view! { <section class="preview-body" data-kind=kind inner_html=html></section> }.into_any(),
    };
    view! {
        {highlighted.then(|| view! { <Stylesheet href="/highlight.css" /> })}
        {section}
    }
}

/// What the preview leaves out, with a link to the whole file.
fn note_view(note: Option<String>, download: String) -> impl IntoView {
    note.map(|note| {
        view! { <p class="note" role="note">{note}" "<a href=download download="">"Download the whole file"</a></p> }
    })
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

/// The body of the kinds that script changes (zoom, tabs, a frame's
/// height), or else the section's HTML as the server drew it. `html` goes
/// in through `inner_html` only (see `PreviewCodec`).
fn live_body(artifact: &Artifact, body: PreviewBody, html: String) -> Result<AnyView, String> {
    let url = artifact.url.clone();
    let name = artifact.name.clone();
    Ok(match body {
        PreviewBody::Image => view! { <image::ImageView url name /> }.into_any(),
        PreviewBody::Svg { lines } => {
            let source = use_query_map().with_untracked(|q| q.get("view").as_deref() == Some("source"));
            let shown = match source {
                true => code_view("XML".into(), lines, html),
                false => view! { <div class="image-frame"><img src=url alt=name /></div> }.into_any(),
            };
            view! { {svg_tabs(source)} {shown} }.into_any()
        }
        PreviewBody::Workbook { sheets } => view! { <workbook::Workbook sheets html /> }.into_any(),
        PreviewBody::Drawn { url } => view! { <drawn::DrawnFrame url name /> }.into_any(),
        _ => return Err(html),
    })
}

/// Highlighted code with a gutter of line numbers.
fn code_view(language: String, lines: u32, html: String) -> AnyView {
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

/// An SVG's Picture and Source tabs: this page without and with
/// `view=source`. The page loads anew (`rel="external"`): its hydrated data
/// holds no HTML to show the other tab from (`PreviewCodec`).
fn svg_tabs(source: bool) -> impl IntoView {
    let location = use_location();
    let search = location.search.get_untracked();
    let kept: Vec<(String, String)> = form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
        .filter(|(key, _)| key != "view")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&kept).finish();
    let path = location.pathname.get_untracked();
    let picture = if query.is_empty() { path } else { format!("{path}?{query}") };
    let source_href = with_param(&picture, "view", "source");
    let current = |on: bool| if on { Some("page") } else { None };
    view! {
        <nav class="tabs" aria-label="View">
            <a class="tab" href=picture rel="external" aria-current=current(!source)>"Picture"</a>
            <a class="tab" href=source_href rel="external" aria-current=current(source)>"Source"</a>
        </nav>
    }
}

/// The preview's heading: the artifact's name, cut in the middle past
/// about three lines of the metadata's column; the preview page's and a
/// share link's page's.
pub(crate) fn name_heading(name: String) -> impl IntoView {
    let shown = cut_name(name.clone(), 60);
    view! { <h1 class="meta-name" dir="auto" title=name>{shown}</h1> }
}

/// The name, what can be done with the file, and sharing it: first in the
/// page, so that on a phone they come before the body (above the fold); on a
/// wide screen, atop the metadata's column.
#[component]
fn Head(artifact: Artifact, raw_url: String, copyable: bool, delete: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <div class="preview-head card">
            {name_heading(artifact.name.clone())}
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
            <ShareForm what=Sharing::Artifact(artifact.id) />
        </div>
    }
}

/// Size, dates, type, source and version.
#[component]
fn Details(artifact: Artifact, version: Option<ArtifactVersion>, now: String) -> impl IntoView {
    view! {
        <dl>
            <dt>"Size"</dt><dd>{human_size(artifact.size)}</dd>
            <dt>"Created"</dt>
            <dd>
                {short_time(&artifact.created_at)} " (" <Timestamp at=artifact.created_at.clone() now /> ")"
            </dd>
            <dt>"Type"</dt><dd>{artifact.kind.label()} " (" {breakable_mime(&artifact.mime_type)} ")"</dd>
            <dt>"From"</dt><dd><a class="source" href=source_href(&artifact) dir="auto">{artifact.conversation_title.clone()}</a></dd>
            {version.map(|v| view! {
                <dt>"Version"</dt>
                <dd>{format!("{} of {} · ", v.version, artifact.versions)}<a class="permalink" href=v.url>"permanent link"</a></dd>
            })}
        </dl>
    }
}

/// A MIME type that may wrap after its `/`, `.`, `-` and `+`, not mid-word:
/// `application/vnd.openxmlformats-officedocument.presentationml.presentation`
/// is wider than a phone.
pub(crate) fn breakable_mime(mime: &str) -> impl IntoView {
    mime.split_inclusive(['/', '.', '-', '+']).map(|part| view! { {part.to_string()}<wbr /> }).collect_view()
}

/// The confirmation that a Delete link opens: its own URL
/// (`?confirm=delete`), a form that works without wasm, and Cancel back to
/// the preview. After deleting, the gallery page it came from.
#[component]
fn ConfirmDelete(artifact: Artifact, versions: usize, cancel: String, back: String) -> impl IntoView {
    let delete = ServerAction::<DeleteArtifact>::new();
    let all = match versions {
        1 => "Its only version is deleted.".to_string(),
        n => format!("All {n} of its versions are deleted."),
    };
    view! {
        <section class="confirm card" role="alertdialog" aria-labelledby="confirm-title">
            <h2 id="confirm-title">"Delete "<bdi>{artifact.name.clone()}</bdi>"?"</h2>
            <p>"The file is removed from this gallery, its conversation and the thread API. "{all}" This cannot be undone."</p>
            <PostForm action=delete>
                <input type="hidden" name="conversation_id" value=artifact.conversation_id.to_string() />
                <input type="hidden" name="artifact_id" value=artifact.id.to_string() />
                <input type="hidden" name="back" value=back />
                <button type="submit" class="button danger">"Delete"</button>
                // Focus starts on the way out, not on what cannot be undone.
                <a class="button secondary" href=cancel autofocus>"Cancel"</a>
            </PostForm>
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

/// Escape goes where `escape` says (the gallery, or out of a confirmation);
/// left and right to the previous and next artifact in the gallery's order.
fn keyboard(escape: Signal<String>, previous: Option<String>, next: Option<String>) {
    let navigate = use_navigate();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() || keys::taken(&ev) {
            return;
        }
        let target = match ev.key().as_str() {
            "Escape" => Some(escape.get_untracked()),
            "ArrowLeft" => previous.clone(),
            "ArrowRight" => next.clone(),
            _ => None,
        };
        if let Some(href) = target {
            navigate(&href, Default::default());
        }
    });
    on_cleanup(move || handle.remove());
}

/// Loads the preview again a little before the capability URLs it holds
/// expire, so a preview left open keeps loading its frame's sibling files.
fn renew(reload: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let every = std::time::Duration::from_secs(crate::model::PREVIEW_LINK_SECS as u64 * 5 / 6);
        if let Ok(handle) = set_interval_with_handle(reload, every) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = reload;
}
