//! The frame of a preview that scripts draw (`server/content/drawn.rs`),
//! as tall as what it shows.

use leptos::prelude::*;

/// Scripts of our own draw it, in an opaque origin on the content origin:
/// never in this page. The frame cannot be read from here, so it tells its
/// height (`draw.js`) and the frame takes it (`fit`); without wasm it keeps
/// the stylesheet's height and scrolls inside.
#[cfg(feature = "ssr")]
pub fn view(url: String, name: String) -> impl IntoView {
    view! { <iframe class="html-frame" sandbox="allow-scripts" src=url title=name></iframe> }
}

/// The frame's height, in CSS pixels, whatever the frame says.
#[cfg(feature = "hydrate")]
const HEIGHTS: std::ops::RangeInclusive<f64> = 150.0..=20_000.0;

/// Sets the drawn frame's height to what its document says, a number sent
/// by that frame alone (any window may post messages to this one), while
/// the calling page lives.
pub fn fit() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::{JsCast, JsValue};
        use leptos::web_sys::{js_sys::Reflect, HtmlElement, HtmlIFrameElement};
        let handle = window_event_listener(leptos::ev::message, move |e| {
            let frame = document().query_selector("main .preview-body[data-kind=drawn] iframe").ok().flatten();
            let Some(frame) = frame.and_then(|f| f.dyn_into::<HtmlIFrameElement>().ok()) else { return };
            let from_frame = match (e.source(), frame.content_window()) {
                (Some(source), Some(window)) => JsValue::from(source) == JsValue::from(window),
                _ => false,
            };
            let height =
                Reflect::get(&e.data(), &JsValue::from_str("vitrineDrawnHeight")).ok().and_then(|h| h.as_f64());
            let Some(height) = height.filter(|h| from_frame && h.is_finite()) else { return };
            // The stylesheet's height includes the frame's border.
            let border = frame.offset_height() - frame.client_height();
            let height = height.clamp(*HEIGHTS.start(), *HEIGHTS.end()) + f64::from(border);
            let _ = HtmlElement::style(&frame).set_property("height", &format!("{height}px"));
        });
        on_cleanup(move || handle.remove());
    }
}
