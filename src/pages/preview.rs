mod drawn;
mod forms;
mod image;
mod keys;
#[cfg(feature = "ssr")]
pub mod page;
#[cfg(feature = "ssr")]
pub mod plain;
#[cfg(feature = "ssr")]
mod versions;
mod workbook;

use super::gallery::gallery_query;
use super::Postcard;
use crate::api::get_preview;
use crate::components::{layout::Layout, live::LiveVersion, loaded::Loaded};
use crate::error::{AppError, Missing};
use crate::model::{parse_version, DrawnPage};
use codee::{Decoder, Encoder};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The codec of a resource holding HTML drawn by the server (the preview
/// page's, a share link's page's, a conversation's transcript, the
/// settings' lists): postcard, as every page's (`Postcard`), but without
/// that HTML ([`DrawnPage::html`]), which the server's page already holds:
/// hydration leaves an `inner_html` element's content as the server sent
/// it, so the HTML crosses the network once. Navigations in the browser
/// fetch the data through the server function, HTML included. The view
/// must therefore never be rebuilt from the hydrated value: it depends on
/// the resource alone.
pub struct PreviewCodec;

/// Data that holds HTML drawn by the server, and can leave it out.
pub trait WithoutHtml {
    fn without_html(&self) -> Self;
}

impl WithoutHtml for DrawnPage {
    fn without_html(&self) -> Self {
        DrawnPage::without_html(self)
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

/// What a confirmation link (`?confirm=...`) asks, by the value's name
/// (`delete`, `delete-version`): the links the server draws and the query
/// the page reads spell it from here.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Confirm {
    Delete,
    DeleteVersion,
}

/// `/artifacts/{conversation_id}/{artifact_id}`: one artifact shown inline,
/// with its metadata; its own URL, so reload and links land here.
/// `?version=n` shows version n, `&compare=m` its changes from version m,
/// `&confirm=delete` (or `delete-version`) asks before deleting, and an
/// SVG's `&view=source` shows its source. The server draws the page whole
/// (`page`); the wasm puts it in and does what script does there: the
/// shortcuts, an image's zoom, a drawn frame's height, a workbook's tabs,
/// Copy, the forms posted in place, and live updates.
#[component]
pub fn PreviewPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let ids = move || {
        let p = params.read();
        let parse = |k| {
            let raw = p.get(k).unwrap_or_default();
            Uuid::parse_str(&raw).map_err(|_| raw)
        };
        parse("conversation_id").and_then(|c| Ok((c, parse("artifact_id")?)))
    };
    let asked = move || {
        let q = query.read();
        // A malformed gallery query only loses previous/next, not the preview.
        let gallery = gallery_query(&q).unwrap_or_default();
        let confirm = q.get("confirm").and_then(|c| c.parse::<Confirm>().ok());
        let source = q.get("view").as_deref() == Some("source");
        // A version that is not one (0, -1, text, past u32) is a 400 page.
        let number = |key| q.get(key).map(|raw| parse_version(&raw)).transpose();
        let pick = number("version").and_then(|v| Ok::<_, AppError>((v, number("compare")?)));
        (gallery, confirm, source, pick)
    };
    let preview = Resource::<_, PreviewCodec>::new_with_options(
        move || (ids(), asked()),
        |(ids, (gallery, confirm, source, pick))| async move {
            let (version, compare) = pick?;
            match ids {
                Ok((c, a)) => get_preview(c, a, gallery, version, compare, confirm, source).await,
                Err(raw) => Err(Missing::Id(raw).into()),
            }
        },
        false,
    );
    renew(move || preview.refetch());
    keys::shortcuts();
    scripts();
    forms::post_in_place();
    copy();
    view! {
        <Layout>
            <LiveVersion reload=move || preview.refetch() />
            <Loaded resource=preview loading="Loading preview…" ready=drawn_page />
        </Layout>
    }
}

/// A page drawn by the server, put in as it is; the preview page's and a
/// share link's page's. What the scripts of its kinds change, they change
/// once it is in.
pub(crate) fn drawn_page(page: DrawnPage) -> impl IntoView {
    let DrawnPage { title, highlighted, html } = page;
    // The element, once made: after a navigation it may not be in the
    // document yet.
    let drawn = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(drawn) = drawn.get() {
            image::revive(&drawn);
            workbook::mark(&drawn);
        }
    });
    view! {
        <Title text=title />
        {highlighted.then(|| view! { <Stylesheet href="/highlight.css" /> })}
        <div class="drawn-page" inner_html=html node_ref=drawn></div>
    }
}

/// What script does to a preview's kinds (`drawn_page`), while the calling
/// page lives.
pub(crate) fn scripts() {
    image::zoom();
    drawn::fit();
    workbook::follow();
}

/// Copy puts the shown text (the `#copy-source` element's) on the
/// clipboard, while the calling page lives.
fn copy() {
    let handle = window_event_listener(leptos::ev::click, |ev| {
        use leptos::wasm_bindgen::JsCast;
        let target = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok());
        let Some(button) = target.and_then(|t| t.closest("main button.copy").ok().flatten()) else { return };
        #[cfg(feature = "hydrate")]
        if let Some(text) = document().get_element_by_id("copy-source").and_then(|e| e.text_content()) {
            let _ = window().navigator().clipboard().write_text(&text);
            button.set_text_content(Some("Copied"));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = button;
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
